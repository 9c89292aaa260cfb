#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The mtag authors
#
# End to end: a Linux host pings a host behind the tunnel through
# dpdk-ipsec-loop on net_pcap ports on the veth interfaces; the far end is a
# scapy ESP peer (esp_peer.py). FAMILY 4 is IPv4 in IPv4, 6 is IPv6 in IPv6
# (ping -6). Then 3000-byte pings: the host's fragments cross the tunnel one
# by one, the reply comes back fragmented (IPv4: one ESP packet fragmented,
# reassembled by the example, its inner packet fragmented again onto the
# inside; IPv6: inner fragments, each in its own ESP packet). net_pcap, not
# net_af_packet: the kernel reassembles IPv4 fragments for an af_packet
# socket (PACKET_FANOUT_FLAG_DEFRAG) and the PMD cuts frames at 2048 bytes.
#
#   [ns A: host 10.1.0.2 | fd01::2] hA==gA [ns G: dpdk-ipsec-loop] gB==hB [ns B: esp_peer.py]
#
# usage: e2e.sh FAMILY BIN ALG TMPDIR CRYPTO_VDEV      (exit 0 pass, 1 fail, 77 skip)
set -u
fam=$1 bin=$2 alg=$3 tmp=$4 crypto=$5
# t names this run's namespaces, directory and file prefix (e2e, e2e6), so that the two
# families never share one.
case $fam in
4)
	t=
	host=10.1.0.2/16 gw=10.1.0.1 near=10.1.0.0/16 far=10.2.0.0/16 target=10.2.0.5
	tun_l=192.0.2.1 tun_r=192.0.2.2 tun_r_route=192.0.2.2/32
	;;
6)
	t=6
	host=fd01::2/64 gw=fd01::1 near=fd01::/64 far=fd02::/64 target=fd02::5
	tun_l=2001:db8::1 tun_r=2001:db8::2 tun_r_route=2001:db8::2/128
	;;
*)
	echo "e2e.sh: FAMILY is 4 or 6, not '$fam'"
	exit 1
	;;
esac
here=$(cd "$(dirname "$0")" && pwd)
id=$$
nsA=ipl${t}A$id nsG=ipl${t}G$id nsB=ipl${t}B$id
dir=$(mktemp -d "$tmp/e2e$t-$alg-XXXX")
app= peer=

cleanup() {
	[ -n "$peer" ] && kill "$peer" 2>/dev/null
	[ -n "$app" ] && kill -TERM "$app" 2>/dev/null && wait "$app" 2>/dev/null
	for ns in $nsA $nsG $nsB; do ip netns del "$ns" 2>/dev/null; done
}
trap cleanup EXIT

if ! command -v ping >/dev/null; then
	echo "SKIP: no ping (iputils-ping)"
	exit 77
fi
if ! ip netns add "$nsA" 2>/dev/null; then
	echo "SKIP: cannot create network namespaces"
	exit 77
fi
ip netns add "$nsG" && ip netns add "$nsB" || exit 1
ip link add "hA$id" netns "$nsA" type veth peer name "gA$id" netns "$nsG" || exit 77
ip link add "hB$id" netns "$nsB" type veth peer name "gB$id" netns "$nsG" || exit 1
for l in "$nsA hA$id" "$nsG gA$id" "$nsG gB$id" "$nsB hB$id"; do
	set -- $l
	ip -n "$1" link set "$2" up
	ip -n "$1" link set lo up
done
mac() { ip -n "$1" -o link show "$2" | sed -E 's/.*link\/ether ([0-9a-f:]+).*/\1/'; }
macA=$(mac "$nsA" "hA$id") macGA=$(mac "$nsG" "gA$id")
macB=$(mac "$nsB" "hB$id") macGB=$(mac "$nsG" "gB$id")
# The peer is scapy on a raw socket: its kernel stays out of IPv6.
ip netns exec "$nsB" sysctl -qw "net.ipv6.conf.hB$id.disable_ipv6=1"
if [ "$fam" = 4 ]; then
	# IPv6 would chatter through the gateway (dropped as non-IPv4): keep the host quiet.
	ip netns exec "$nsA" sysctl -qw "net.ipv6.conf.hA$id.disable_ipv6=1"
	ip -n "$nsA" addr add "$host" dev "hA$id"
else
	ip netns exec "$nsA" sysctl -qw "net.ipv6.conf.hA$id.accept_ra=0"
	ip -n "$nsA" addr add "$host" dev "hA$id" nodad
fi
ip -n "$nsA" route add "$far" via "$gw" dev "hA$id"
# No ARP or neighbour discovery through an ESP gateway: the host knows the gateway's MAC.
ip -n "$nsA" neigh add "$gw" lladdr "$macGA" dev "hA$id" nud permanent

words=$(PYTHONPATH=$here /usr/bin/python3 -c "import ipl_sa; print(ipl_sa.conf_words('$alg'))")
cat > "$dir/ipl.conf" <<CONF
port 0 inside peer $macA
port 1 outside peer $macB
sa out 1 spi 1001 tunnel $tun_l $tun_r $words
sa in 2 spi 2001 tunnel $tun_r $tun_l $words
sp out $near $far protect 1
sp in $far $near protect 2
sp in any any discard
route $tun_r_route port 1
route $near port 0
CONF

mkdir -p "$dir/rt"
ip netns exec "$nsB" /usr/bin/python3 "$here/esp_peer.py" --family "$fam" --iface "hB$id" \
	--alg "$alg" --gw-mac "$macGB" --timeout 60 > "$dir/peer.log" 2>&1 &
peer=$!
ip netns exec "$nsG" env RUNTIME_DIRECTORY="$dir/rt" "$bin" -l 0 --no-huge -m 256 --no-pci \
	--no-shconf --file-prefix "ipl_e2e$t$id" --log-level '*:warning' \
	--vdev "net_pcap0,rx_iface_in=gA$id,tx_iface=gA$id" \
	--vdev "net_pcap1,rx_iface_in=gB$id,tx_iface=gB$id" --vdev "$crypto" \
	-- -f "$dir/ipl.conf" --stats-interval 0 --stats-file "$dir/stats.json" > "$dir/app.log" 2>&1 &
app=$!
for _ in $(seq 300); do
	grep -q "^dpdk-ipsec-loop:" "$dir/app.log" && grep -q "ready" "$dir/peer.log" && break
	kill -0 "$app" 2>/dev/null || break
	sleep 0.1
done

# Until 3 replies, whatever was lost while things settled; at most 20 s.
ip netns exec "$nsA" ping "-$fam" -c 3 -i 0.2 -w 20 "$target"
ping_rc=$?
# 3000 bytes, fragmented by the host (IPv4 without DF). Over IPv6 the host first learns
# the tunnel's MTU from our "packet too big" (ping stops at it: one ping for that).
big_opt=
if [ "$fam" = 4 ]; then
	big_opt="-M dont"
else
	ip netns exec "$nsA" ping -6 -s 3000 -c 1 -w 2 "$target" > /dev/null
fi
ip netns exec "$nsA" ping "-$fam" $big_opt -s 3000 -c 2 -i 0.3 -w 20 "$target"
big_rc=$?
kill -TERM "$app"
wait "$app"
app_rc=$?
app=
cat "$dir/app.log" "$dir/peer.log"
read -r enc dec reass frag < <(/usr/bin/python3 -c "
import json; s = json.load(open('$dir/stats.json'))
print(s['encrypted'], s['decrypted'], s['reassembled'], s['fragmented'])" \
	2>/dev/null || echo "0 0 0 0")
echo "e2e$t $alg: ping -$fam rc $ping_rc, 3000 bytes rc $big_rc, example rc $app_rc," \
	"encrypted $enc, decrypted $dec, reassembled $reass, fragmented $frag"
# IPv4: the replies' ESP reassembled here, their inner packets fragmented onto the inside.
want_frag=0
[ "$fam" = 4 ] && want_frag=2
[ "$ping_rc" -eq 0 ] && [ "$big_rc" -eq 0 ] && [ "$app_rc" -eq 0 ] && [ "$enc" -ge 3 ] &&
	[ "$dec" -ge 3 ] && [ "$reass" -ge "$want_frag" ] && [ "$frag" -ge "$want_frag" ]
