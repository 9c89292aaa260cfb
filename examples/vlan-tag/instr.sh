#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The mtag authors
#
# What the tags cost vlan-tag, in instructions per packet: the forwarding
# lcore (vt_lcore_rtc(), net_ring's PMD and its polls included) counted by
# valgrind --tool=callgrind, once with the VLANs in tags (--store tag) and
# once in local variables (--store local), 512 frames circulating trunk ->
# access -> trunk on two net_ring loopback ports. The count is exact for a
# binary and its inputs, whatever else the machine is doing; the share of
# polls that find no frame moves a little from run to run under valgrind.
#
#   examples/vlan-tag/instr.sh [build-dir] [seconds]
set -euo pipefail
cd "$(dirname "$0")/../.."

build=${1:-build}
secs=${2:-8}
app=$build/examples/vlan-tag/dpdk-vlan-tag
[ -x "$app" ] || ninja -C "$build" examples/vlan-tag/dpdk-vlan-tag >/dev/null
command -v valgrind >/dev/null || { echo "instr: valgrind not installed" >&2; exit 77; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export RUNTIME_DIRECTORY=$work

# Instructions per packet forwarded (each frame crossing the lcore once per
# direction: a packet is one RX and one TX).
count() {
	local store=$1 out=$work/cg.$1 log=$work/log.$1 insns pkts
	valgrind --tool=callgrind --toggle-collect=vt_lcore_rtc --callgrind-out-file="$out" \
		"$app" -l 0,1 --no-huge -m 512 --no-pci --no-shconf --file-prefix="vti$$$store" \
		--log-level=lib.eal:error --vdev net_ring0 --vdev net_ring1 -- \
		-f config/vlan-tag-bench.conf --inject 512 --duration "$secs" -T 0 \
		--store "$store" >"$log" 2>&1 || { cat "$log" >&2; return 1; }
	insns=$(sed -n 's/^summary: *//p' "$out")
	pkts=$(awk '/^port [0-9]+ \(/ { for (i = 1; i < NF; i++) if ($i == "tx") n += $(i + 1) }
		END { print n }' "$log")
	awk -v i="$insns" -v p="$pkts" 'BEGIN { printf "%.1f", i / p }'
}

tag=$(count tag)
local=$(count local)
printf '%-22s %s\n' "tags" "$tag" "local variables" "$local"
awk -v t="$tag" -v l="$local" 'BEGIN { printf "%-22s %.1f\n", "tags cost", t - l }'
