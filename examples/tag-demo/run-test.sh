#!/bin/bash
# Runs the demo on two net_ring ports with a private runtime directory.
set -eu
bin=$1
rt=$(mktemp -d)
trap 'rm -rf "$rt"' EXIT
RUNTIME_DIRECTORY=$rt "$bin" --no-huge -m 512 --no-pci --no-shconf \
	--file-prefix="tag-demo-$$" --vdev net_ring0 --vdev net_ring1 -l 0 \
	--log-level=lib.eal:warning
