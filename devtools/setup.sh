#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Install the Debian packages listed in devtools/packages/*.txt that are
# missing (apt-get update once, only when something is missing), then
# configure build/ and build. Safe to run again: a warm machine stays fast.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for p in $(sed -e 's/#.*//' devtools/packages/*.txt | sort -u); do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -f build/build.ninja ]; then
	meson setup build -Dwerror=true
fi
ninja -C build
