#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The mtag authors
#
# Run dpdk-ipsec-loop for a few seconds on virtual ports with generated
# traffic and print its stats: packets encrypted, decrypted, loops caught,
# policy drops. No arguments; builds nothing: needs build/ built
# (devtools/setup.sh). Traffic: scapy-made pcaps replayed without end by
# net_pcap (infinite_rx), see config/ipsec-loop-demo.conf.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=build/examples/ipsec-loop/dpdk-ipsec-loop
if [ ! -x "$bin" ]; then
	echo "run-demo: $bin is missing: build first (devtools/setup.sh)" >&2
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 examples/ipsec-loop/test/gen_traffic.py demo "$tmp"
mkdir "$tmp/rt"
# crypto_aesni_mb when this DPDK creates it, crypto_openssl otherwise.
crypto=$(/usr/bin/python3 examples/ipsec-loop/test/crypto_probe.py "$bin")
echo "run-demo: dpdk-ipsec-loop on net_pcap ports, $crypto, 4 seconds"
RUNTIME_DIRECTORY="$tmp/rt" "$bin" -l 0 --no-huge -m 512 --no-pci --no-shconf \
	--file-prefix "ipl-demo-$$" --log-level '*:warning' \
	--vdev "net_pcap0,rx_pcap=$tmp/inside.pcap,infinite_rx=1" \
	--vdev "net_pcap1,rx_pcap=$tmp/outside.pcap,infinite_rx=1" \
	--vdev "$crypto" \
	-- -f config/ipsec-loop-demo.conf --duration 4 --stats-interval 2 \
	--stats-file "$tmp/stats.json"
/usr/bin/python3 - "$tmp/stats.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
drops = s["policy_unprotected"] + s["policy_wrong_sa"] + s["policy_discard"] + s["no_policy"]
print("run-demo: packets encrypted %d, decrypted %d, loops caught %d, policy drops %d "
      "(unprotected %d, wrong SA %d); tags in use at exit %d" % (
          s["encrypted"], s["decrypted"], s["loops"], drops, s["policy_unprotected"],
          s["policy_wrong_sa"], s["tags_in_use"]))
PY
