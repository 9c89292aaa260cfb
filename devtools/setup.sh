#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Install the Debian packages listed in devtools/packages/*.txt (the names of
# the release this runs on) that are missing (apt-get update once, only when
# something is missing), then configure build/ and build. Safe to run again:
# a warm machine stays fast.
set -euo pipefail
cd "$(dirname "$0")/.."

# A line "NAME" is for every release; "CODENAME: NAME" only for the Debian
# release of that VERSION_CODENAME (package names that carry an ABI number,
# such as librte-net-pcap23 on 12 bookworm, librte-net-pcap25 on 13 trixie).
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
if ! grep -hqE "^${codename:-none}:" devtools/packages/*.txt; then
	echo "setup: no package names for release '${codename}' in devtools/packages;" \
		"installing the release-independent ones only" >&2
fi

missing=()
for p in $(sed -E -e 's/#.*//' -e "s/^${codename:-none}:[[:space:]]*//" -e '/^[a-z0-9-]+:/d' \
	devtools/packages/*.txt | sort -u); do
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
