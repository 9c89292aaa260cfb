#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The mtag authors
#
# Mpps of dpdk-ipsec-loop, outbound and inbound, with loop detection on
# (default), off (--no-loop-detect: tags made, not checked) and without any
# IPsec tag (--bench-no-tags, the baseline), beside DPDK's own
# examples/ipsec-secgw (-l: its rte_ipsec path) on the same traffic, ports,
# lcore and rate definition. One lcore; traffic: 64-byte frames replayed
# without end by net_pcap (infinite_rx), transmitted packets dropped by
# net_pcap. Rate: packets sent on the egress port per second (outbound: port 1,
# inbound: port 0), read from /ethdev/stats over each program's telemetry
# socket after a second of warm-up (test/bench_rate.py). Runs are interleaved
# round by round; the median of each column is reported, and the median of the
# per-round ratios ipsec-loop (detect on) / ipsec-secgw, which is what holds on
# a machine whose speed moves between rounds.
#
# ipsec-secgw is built at bench time from the source Debian ships in dpdk-doc
# (apt-get download, nothing installed, nothing kept), against the installed
# libdpdk, with its demand for RX checksum offloads relaxed (net_pcap has
# none). SECGW=/path/to/ipsec-secgw uses one built already; SECGW=none skips
# the column. It is given the same policies, SAs (keys, replay window 0
# inbound) and routes as ipsec-loop.
#
# RULES (default "10") lists table sizes: each run's configuration then has that many
# policies per direction and that many routes (filler entries that the traffic never
# matches, ahead of the real ones, so that a linear scan would walk them all), e.g.
# RULES="10 1000 10000" shows whether the rate holds as the tables grow (rte_acl, rte_lpm).
# FAMILIES (default "4 6") lists the tunnel families: 4 is IPv4 in IPv4 (64-byte frames),
# 6 IPv6 in IPv6 (78-byte frames, the same payload), fillers of the same family.
# CIPHERS (default "null aes-128-gcm aes-128-cbc-sha256") the algorithms; MODES (default
# "on off notags secgw") the columns.
#
# HUGE=1 runs on hugepages (256 free 2 MiB pages mounted), as a NIC deployment does; the
# default is 4 KiB pages (--no-huge), where every mbuf is a page of its own, at the same
# offset: to the TLB, and to L1d, whose sets a burst's mbufs then share.
#
# usage: [RULES=...] [FAMILIES=...] [CIPHERS=...] [MODES=...] [HUGE=1] [SECGW=...]
#        bench.sh [BUILD_DIR (default build)] [SECONDS per run (default 2)]
#        [ROUNDS (default 3)]
# A smoke round (checks that every column runs; its figures mean nothing):
#        RULES=10 FAMILIES=4 CIPHERS=aes-128-gcm bench.sh build 0.5 1
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
secs=${2:-2}
rounds=${3:-3}
rules=${RULES:-10}
families=${FAMILIES:-4 6}
ciphers=${CIPHERS:-null aes-128-gcm aes-128-cbc-sha256}
modes=${MODES:-on off notags secgw}
mem=(--no-huge -m 512)
[ "${HUGE:-0}" = 0 ] || mem=(-m 512 --huge-unlink)
bin=$build/examples/ipsec-loop/dpdk-ipsec-loop
here=examples/ipsec-loop/test
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x00\x00\x01\x00\x00\x00' \
	> "$tmp/empty.pcap"

crypto_of() { # alg
	case $1 in
	null) echo crypto_null0 ;;
	*) echo crypto_aesni_mb0 ;;
	esac
}

# ipsec-secgw from dpdk-doc, built here; prints its path, or nothing.
build_secgw() {
	local d=$tmp/secgw
	mkdir -p "$d" && cd "$d" || return 0
	if ! apt-get download dpdk-doc > apt.log 2>&1; then
		echo "ipsec-secgw: cannot download dpdk-doc ($(tail -1 apt.log))" >&2
		cd - > /dev/null
		return 0
	fi
	dpkg -x dpdk-doc_*.deb x
	cp -r x/usr/share/dpdk/examples/ipsec-secgw src
	# net_pcap offers no RX checksum offload: the ports ask for none. Room for the
	# RULES routes (1024 at most in 22.11, 256 tbl8s).
	sed -i 's/\.offloads = RTE_ETH_RX_OFFLOAD_CHECKSUM,/.offloads = 0,/' src/ipsec-secgw.c
	sed -i 's/^#define RT_IPV\([46]\)_MAX_RULES\t1024/#define RT_IPV\1_MAX_RULES\t65536/;
		s/number_tbl8s = RTE_LPM_TBL8_NUM_ENTRIES;/number_tbl8s = 1 << 15;/' src/rt.c
	if make -C src > make.log 2>&1 && [ -x src/build/ipsec-secgw ]; then
		echo "$d/src/build/ipsec-secgw"
	else
		echo "ipsec-secgw: build failed ($(tail -1 make.log))" >&2
	fi
	cd - > /dev/null
}

secgw=${SECGW:-}
if [[ " $modes " == *" secgw "* ]]; then
	[ -n "$secgw" ] || secgw=$(build_secgw)
	if [ "$secgw" = none ] || [ -z "$secgw" ] || [ ! -x "$secgw" ]; then
		echo "(no ipsec-secgw column)"
		modes=${modes/secgw/}
	fi
fi

nrun=0
run() { # alg dir mode rules family
	local alg=$1 dir=$2 mode=$3 nr=$4 fam=$5 d=$tmp/$1 extra=() in0 in1 port prefix
	local sfx=${fam/4/}
	nrun=$((nrun + 1))
	prefix=iplb$$-$nrun
	if [ "$dir" = out ]; then
		in0="$d/out$sfx.pcap,infinite_rx=1" in1=$tmp/empty.pcap port=1
	else
		in0=$tmp/empty.pcap in1="$d/in$sfx.pcap,infinite_rx=1" port=0
	fi
	local eal=(-l 0 "${mem[@]}" --no-pci --file-prefix "$prefix" --log-level '*:error'
		--vdev "net_pcap0,rx_pcap=$in0" --vdev "net_pcap1,rx_pcap=$in1"
		--vdev "$(crypto_of "$alg")")
	mkdir -p "$d/rt"
	if [ "$mode" = secgw ]; then
		$py "$here/bench_rate.py" "$d/rt" "$prefix" "$port" 1 "$secs" -- "$secgw" \
			"${eal[@]}" -- -p 0x3 -P -u 0x2 --config="(0,0,0),(1,0,0)" \
			-f "$d/secgw$fam-$nr.cfg" -l || exit 1
		return
	fi
	case $mode in
	off) extra=(--no-loop-detect) ;;
	notags) extra=(--bench-no-tags) ;;
	esac
	$py "$here/bench_rate.py" "$d/rt" "$prefix" "$port" 1 "$secs" -- "$bin" "${eal[@]}" \
		-- -f "$d/bench$fam-$nr.conf" --stats-interval 0 "${extra[@]}" || exit 1
}

# secgw's words for an SA of alg
secgw_alg() {
	local key salt
	key=$(echo 2b7e151628aed2a6abf7158809cf4f3c | sed 's/../&:/g; s/:$//')
	salt=de:ad:be:ef
	case $1 in
	null) echo "cipher_algo null auth_algo null" ;;
	aes-128-gcm) echo "aead_algo aes-128-gcm aead_key $key:$salt" ;;
	aes-128-cbc-sha256)
		echo "cipher_algo aes-128-cbc cipher_key $key auth_algo sha256-hmac auth_key" \
			"$(seq -f %02g 0 31 | awk '{printf "%s%02x", (NR > 1 ? ":" : ""), $1}')"
		;;
	esac
}

for alg in $ciphers; do
	mkdir -p "$tmp/$alg"
	$py "$here/gen_traffic.py" bench "$alg" "$tmp/$alg"
	words=$(PYTHONPATH=$here $py -c "import ipl_sa; print(ipl_sa.conf_words('$alg'))")
	sw=$(secgw_alg "$alg")
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
		# The same for ipsec-secgw: its priorities (higher wins) put the fillers first,
		# as file order does for ipsec-loop; its replay window is 0 by default.
		{
			awk -v n="$nr" 'BEGIN { for (i = 0; i < n - 2; i++) {
				a = sprintf("172.%d.%d.%d", 16 + int(i / 65536) % 16,
					    int(i / 256) % 256, i % 256)
				printf "sp ipv4 out esp discard pri %d src %s/32 dst 10.2.0.0/16 " \
					"sport 0:65535 dport 0:65535\n", n + i, a
				printf "sp ipv4 in esp discard pri %d src 10.2.0.0/16 dst %s/32 " \
					"sport 0:65535 dport 0:65535\n", n + i, a
				printf "rt ipv4 dst %s/32 port 1\n", a } }'
			cat <<CONF
sp ipv4 out esp protect 1001 pri 1 src 10.1.0.0/16 dst 10.2.0.0/16 sport 0:65535 dport 0:65535
sp ipv4 in esp protect 2001 pri 1 src 10.2.0.0/16 dst 10.1.0.0/16 sport 0:65535 dport 0:65535
sa out 1001 $sw mode ipv4-tunnel src 192.0.2.1 dst 192.0.2.2
sa in 2001 $sw mode ipv4-tunnel src 192.0.2.2 dst 192.0.2.1
rt ipv4 dst 192.0.2.2/32 port 1
rt ipv4 dst 10.1.0.0/16 port 0
CONF
		} > "$tmp/$alg/secgw4-$nr.cfg"
		{
			awk -v n="$nr" 'BEGIN { for (i = 0; i < n - 2; i++) {
				a = sprintf("fd0f:%x:%x:0:0:0:0:1", int(i / 256), i % 256)
				printf "sp ipv6 out esp discard pri %d src %s/128 " \
					"dst fd02:0:0:0:0:0:0:0/64 sport 0:65535 dport 0:65535\n", n + i, a
				printf "sp ipv6 in esp discard pri %d src fd02:0:0:0:0:0:0:0/64 " \
					"dst %s/128 sport 0:65535 dport 0:65535\n", n + i, a
				printf "rt ipv6 dst %s/128 port 1\n", a } }'
			cat <<CONF
sp ipv6 out esp protect 1001 pri 1 src fd01:0:0:0:0:0:0:0/64 dst fd02:0:0:0:0:0:0:0/64 sport 0:65535 dport 0:65535
sp ipv6 in esp protect 2001 pri 1 src fd02:0:0:0:0:0:0:0/64 dst fd01:0:0:0:0:0:0:0/64 sport 0:65535 dport 0:65535
sa out 1001 $sw mode ipv6-tunnel src 2001:db8:0:0:0:0:0:1 dst 2001:db8:0:0:0:0:0:2
sa in 2001 $sw mode ipv6-tunnel src 2001:db8:0:0:0:0:0:2 dst 2001:db8:0:0:0:0:0:1
rt ipv6 dst 2001:db8:0:0:0:0:0:2/128 port 1
rt ipv6 dst fd01:0:0:0:0:0:0:0/64 port 0
CONF
		} > "$tmp/$alg/secgw6-$nr.cfg"
	done
done

declare -A res ratio
for r in $(seq "$rounds"); do
	for fam in $families; do
		for nr in $rules; do
			for alg in $ciphers; do
				for dir in out in; do
					for mode in $modes; do
						res[$fam,$nr,$alg,$dir,$mode]+="$(run "$alg" "$dir" \
							"$mode" "$nr" "$fam") "
					done
					if [[ " $modes " == *" secgw "* ]]; then
						ratio[$fam,$nr,$alg,$dir]+="$(echo "${res[$fam,$nr,$alg,$dir,on]}" \
							"${res[$fam,$nr,$alg,$dir,secgw]}" | awk '{
							n = NF / 2; printf "%.3f", $n / $NF }') "
					fi
				done
			done
		done
	done
done

median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf '%-4s %-6s %-20s %-4s' fam rules cipher dir
for mode in $modes; do printf ' %12s' "$mode"; done
printf ' %10s %10s' "on/off" "on/notags"
[[ " $modes " == *" secgw "* ]] && printf ' %12s' "on/secgw"
printf '\n'
for fam in $families; do
	for nr in $rules; do
		for alg in $ciphers; do
			for dir in out in; do
				declare -A med=()
				printf '%-4s %-6s %-20s %-4s' "IPv$fam" "$nr" "$alg" "$dir"
				for mode in $modes; do
					med[$mode]=$(echo "${res[$fam,$nr,$alg,$dir,$mode]}" | median)
					printf ' %10s M' "${med[$mode]}"
				done
				if [ -n "${med[off]:-}" ] && [ -n "${med[on]:-}" ]; then
					printf ' %9.1f%%' "$(echo "100 * ${med[on]} / ${med[off]}" | bc -l)"
				else printf ' %10s' -; fi
				if [ -n "${med[notags]:-}" ] && [ -n "${med[on]:-}" ]; then
					printf ' %9.1f%%' "$(echo "100 * ${med[on]} / ${med[notags]}" | bc -l)"
				else printf ' %10s' -; fi
				if [[ " $modes " == *" secgw "* ]]; then
					printf ' %11sx' "$(echo "${ratio[$fam,$nr,$alg,$dir]}" | median)"
				fi
				printf '\n'
			done
		done
	done
done
echo "(Mpps sent on the egress port, median of $rounds runs of ${secs} s after 1 s of" \
	"warm-up; on/secgw: median of the per-round ratios)"
for k in "${!res[@]}"; do echo "  $k: ${res[$k]}"; done | sort
for k in "${!ratio[@]}"; do echo "  on/secgw $k: ${ratio[$k]}"; done | sort
