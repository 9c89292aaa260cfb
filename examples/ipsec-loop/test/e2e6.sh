#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The mtag authors
#
# End to end over IPv6 (6-in-6): a Linux host ping6s a host behind the tunnel
# through dpdk-ipsec-loop on net_af_packet ports; the far end is a scapy ESP peer
# (esp_peer6.py). e2e.sh is the same in IPv4.
#
#   [ns A: host fd01::2] hA==gA [ns G: dpdk-ipsec-loop] gB==hB [ns B: esp_peer6.py]
#
# usage: e2e6.sh BIN ALG TMPDIR CRYPTO_VDEV     (exit 0 pass, 1 fail, 77 skip)
set -u
bin=$1 alg=$2 tmp=$3 crypto=$4
here=$(cd "$(dirname "$0")" && pwd)
id=$$
nsA=ipl6A$id nsG=ipl6G$id nsB=ipl6B$id
dir=$(mktemp -d "$tmp/e2e6-$alg-XXXX")
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
ip netns exec "$nsA" sysctl -qw "net.ipv6.conf.hA$id.accept_ra=0"
ip -n "$nsA" addr add fd01::2/64 dev "hA$id" nodad
ip -n "$nsA" route add fd02::/64 via fd01::1 dev "hA$id"
# No neighbour discovery through an ESP gateway: the host knows the gateway's MAC.
ip -n "$nsA" neigh add fd01::1 lladdr "$macGA" dev "hA$id" nud permanent

words=$(PYTHONPATH=$here /usr/bin/python3 -c "import ipl_sa; print(ipl_sa.conf_words('$alg'))")
cat > "$dir/ipl.conf" <<CONF
port 0 inside peer $macA
port 1 outside peer $macB
sa out 1 spi 1001 tunnel 2001:db8::1 2001:db8::2 $words
sa in 2 spi 2001 tunnel 2001:db8::2 2001:db8::1 $words
sp out fd01::/64 fd02::/64 protect 1
sp in fd02::/64 fd01::/64 protect 2
sp in any any discard
route 2001:db8::2/128 port 1
route fd01::/64 port 0
CONF

mkdir -p "$dir/rt"
ip netns exec "$nsB" /usr/bin/python3 "$here/esp_peer6.py" --iface "hB$id" --alg "$alg" \
	--gw-mac "$macGB" --timeout 60 > "$dir/peer.log" 2>&1 &
peer=$!
ip netns exec "$nsG" env RUNTIME_DIRECTORY="$dir/rt" "$bin" -l 0 --no-huge -m 256 --no-pci \
	--no-shconf --file-prefix "ipl_e2e6$id" --log-level '*:warning' \
	--vdev "net_af_packet0,iface=gA$id" --vdev "net_af_packet1,iface=gB$id" --vdev "$crypto" \
	-- -f "$dir/ipl.conf" --stats-interval 0 --stats-file "$dir/stats.json" > "$dir/app.log" 2>&1 &
app=$!
for _ in $(seq 300); do
	grep -q "^dpdk-ipsec-loop:" "$dir/app.log" && grep -q "ready" "$dir/peer.log" && break
	kill -0 "$app" 2>/dev/null || break
	sleep 0.1
done

# Until 3 replies, whatever was lost while things settled; at most 20 s.
ip netns exec "$nsA" ping -6 -c 3 -i 0.2 -w 20 fd02::5
ping_rc=$?
kill -TERM "$app"
wait "$app"
app_rc=$?
app=
cat "$dir/app.log" "$dir/peer.log"
read -r enc dec < <(/usr/bin/python3 -c "
import json; s = json.load(open('$dir/stats.json')); print(s['encrypted'], s['decrypted'])" \
	2>/dev/null || echo "0 0")
echo "e2e6 $alg: ping6 rc $ping_rc, example rc $app_rc, encrypted $enc, decrypted $dec"
[ "$ping_rc" -eq 0 ] && [ "$app_rc" -eq 0 ] && [ "$enc" -ge 3 ] && [ "$dec" -ge 3 ]
