#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The main job on virtual ports: set up and build (devtools/setup.sh), then run
# the IPsec loop forwarder demo when it is built, else the tag demo.
set -euo pipefail
cd "$(dirname "$0")/.."
devtools/setup.sh >/dev/null
if [ -x examples/ipsec-loop/run-demo.sh ] && [ -x build/examples/ipsec-loop/dpdk-ipsec-loop ]; then
	exec examples/ipsec-loop/run-demo.sh
fi
exec examples/tag-demo/run-test.sh build/examples/tag-demo/dpdk-tag-demo
