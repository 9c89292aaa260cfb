#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The mtag authors
#
# Mpps of dpdk-ipsec-loop, outbound and inbound, with loop detection on
# (default), off (--no-loop-detect: tags made, not checked) and without any
# IPsec tag (--bench-no-tags, the baseline), for crypto_null and AES-128-GCM
# (crypto_aesni_mb). One lcore; traffic: 64-byte frames replayed without end
# by net_pcap (infinite_rx), transmitted packets dropped by net_pcap.
# Runs are interleaved and repeated; the median is reported. Rates are per
# second of the forwarding thread's CPU time (CLOCK_THREAD_CPUTIME_ID), so that
# other processes sharing the cores do not count against it.
#
# RULES (default "10") lists table sizes: each run's configuration then has that many
# policies per direction and that many routes (filler entries that the traffic never
# matches, ahead of the real ones, so that a linear scan would walk them all), e.g.
# RULES="10 1000 10000" shows whether the rate holds as the tables grow (rte_acl, rte_lpm).
# FAMILIES (default "4 6") lists the tunnel families: 4 is IPv4 in IPv4 (64-byte frames),
# 6 IPv6 in IPv6 (78-byte frames, the same payload), fillers of the same family.
#
# HUGE=1 runs on hugepages (256 free 2 MiB pages mounted), as a NIC deployment does; the
# default is 4 KiB pages (--no-huge), where every mbuf is a page of its own to the TLB.
#
# usage: [RULES="10 1000 10000"] [FAMILIES="4 6"] [HUGE=1] bench.sh [BUILD_DIR (default build)]
#        [SECONDS per run (default 2)] [ROUNDS (default 3)]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
secs=${2:-2}
rounds=${3:-3}
rules=${RULES:-10}
families=${FAMILIES:-4 6}
mem=(--no-huge -m 512)
[ "${HUGE:-0}" = 0 ] || mem=(-m 512 --huge-unlink)
bin=$build/examples/ipsec-loop/dpdk-ipsec-loop
here=examples/ipsec-loop/test
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x00\x00\x01\x00\x00\x00' \
	> "$tmp/empty.pcap"

run() { # alg crypto dir mode rules family
	local alg=$1 crypto=$2 dir=$3 mode=$4 d=$tmp/$1 conf=$tmp/$1/bench$6-$5.conf extra=() in0 in1 key
	local sfx=${6/4/}
	case $mode in
	off) extra=(--no-loop-detect) ;;
	notags) extra=(--bench-no-tags) ;;
	esac
	if [ "$dir" = out ]; then
		in0="$d/out$sfx.pcap,infinite_rx=1" in1=$tmp/empty.pcap key=encrypted
	else
		in0=$tmp/empty.pcap in1="$d/in$sfx.pcap,infinite_rx=1" key=decrypted
	fi
	mkdir -p "$d/rt"
	RUNTIME_DIRECTORY=$d/rt "$bin" -l 0 "${mem[@]}" --no-pci --no-shconf \
		--file-prefix "ipl-bench-$$" --log-level '*:error' \
		--vdev "net_pcap0,rx_pcap=$in0" --vdev "net_pcap1,rx_pcap=$in1" --vdev "$crypto" \
		-- -f "$conf" --duration "$secs" --stats-interval 0 \
		--stats-file "$d/stats.json" "${extra[@]}" > "$d/log" 2>&1 ||
		{ cat "$d/log"; exit 1; }
	/usr/bin/python3 -c "import json; s = json.load(open('$d/stats.json'));
print('%.3f' % (s['$key'] / s['lcore_cpu_s'] / 1e6))"
}

declare -A res
for spec in "null crypto_null0" "aes-128-gcm crypto_aesni_mb0" "aes-128-cbc-sha256 crypto_aesni_mb0"; do
	set -- $spec
	alg=$1
	mkdir -p "$tmp/$alg"
	/usr/bin/python3 "$here/gen_traffic.py" bench "$alg" "$tmp/$alg"
	words=$(PYTHONPATH=$here /usr/bin/python3 -c "import ipl_sa; print(ipl_sa.conf_words('$alg'))")
	for nr in $rules; do
		{
			cat <<CONF
port 0 inside
port 1 outside
sa out 1 spi 1001 tunnel 192.0.2.1 192.0.2.2 $words
sa in 2 spi 2001 tunnel 192.0.2.2 192.0.2.1 $words replay-window 0
CONF
			# nr - 2 filler policies per direction and routes, in 172.16.0.0/12
			awk -v n="$nr" 'BEGIN { for (i = 0; i < n - 2; i++) {
				a = sprintf("172.%d.%d.%d", 16 + int(i / 65536) % 16,
					    int(i / 256) % 256, i % 256)
				printf "sp out %s/32 10.2.0.0/16 discard\n", a
				printf "sp in 10.2.0.0/16 %s/32 discard\n", a
				printf "route %s/32 port 1\n", a } }'
			cat <<CONF
sp out 10.1.0.0/16 10.2.0.0/16 protect 1
sp in 10.2.0.0/16 10.1.0.0/16 protect 2
route 192.0.2.2/32 port 1
route 10.1.0.0/16 port 0
CONF
		} > "$tmp/$alg/bench4-$nr.conf"
		{
			cat <<CONF
port 0 inside
port 1 outside
sa out 1 spi 1001 tunnel 2001:db8::1 2001:db8::2 $words
sa in 2 spi 2001 tunnel 2001:db8::2 2001:db8::1 $words replay-window 0
CONF
			# nr - 2 filler policies per direction and routes, in fd0f::/16
			awk -v n="$nr" 'BEGIN { for (i = 0; i < n - 2; i++) {
				a = sprintf("fd0f:%x:%x::1", int(i / 256), i % 256)
				printf "sp out %s/128 fd02::/64 discard\n", a
				printf "sp in fd02::/64 %s/128 discard\n", a
				printf "route %s/128 port 1\n", a } }'
			cat <<CONF
sp out fd01::/64 fd02::/64 protect 1
sp in fd02::/64 fd01::/64 protect 2
route 2001:db8::2/128 port 1
route fd01::/64 port 0
CONF
		} > "$tmp/$alg/bench6-$nr.conf"
	done
done

for r in $(seq "$rounds"); do
	for fam in $families; do
		for nr in $rules; do
			for spec in "null crypto_null0" "aes-128-gcm crypto_aesni_mb0" \
				"aes-128-cbc-sha256 crypto_aesni_mb0"; do
				set -- $spec
				for dir in out in; do
					for mode in on off notags; do
						res[$fam,$nr,$1,$dir,$mode]+="$(run "$1" "$2" "$dir" \
							"$mode" "$nr" "$fam") "
					done
				done
			done
		done
	done
done

median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf '%-4s %-6s %-20s %-4s %12s %12s %12s %10s %10s\n' fam rules cipher dir "detect on" \
	"detect off" "no tags" "on/off" "on/notags"
for fam in $families; do
	for nr in $rules; do
		for spec in null aes-128-gcm aes-128-cbc-sha256; do
			for dir in out in; do
				on=$(echo "${res[$fam,$nr,$spec,$dir,on]}" | median)
				off=$(echo "${res[$fam,$nr,$spec,$dir,off]}" | median)
				nt=$(echo "${res[$fam,$nr,$spec,$dir,notags]}" | median)
				printf '%-4s %-6s %-20s %-4s %10s M %10s M %10s M %9.1f%% %9.1f%%\n' \
					"IPv$fam" "$nr" "$spec" "$dir" "$on" "$off" "$nt" \
					"$(echo "100 * $on / $off" | bc -l)" \
					"$(echo "100 * $on / $nt" | bc -l)"
			done
		done
	done
done
echo "(Mpps per CPU-second of the forwarding lcore, median of $rounds runs of ${secs} s)"
for k in "${!res[@]}"; do echo "  $k: ${res[$k]}"; done | sort
