#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The mtag authors
"""esp_peer.py over IPv6, for e2e6.sh: the example's tunnel is SA 1001,
2001:db8::1 -> 2001:db8::2, the reverse SA 2001; the peer answers ICMPv6 echo
requests for any address behind it.
"""

import argparse
import os
import select
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ipl_sa  # noqa: E402

from scapy.all import IPv6, Ether, conf, get_if_hwaddr  # noqa: E402
from scapy.layers.inet6 import ICMPv6EchoReply, ICMPv6EchoRequest  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iface", required=True)
    ap.add_argument("--alg", required=True)
    ap.add_argument("--gw-mac", required=True)
    ap.add_argument("--timeout", type=float, default=60)
    a = ap.parse_args()
    rx_sa = ipl_sa.scapy_sa(a.alg, 1001, "2001:db8::1", "2001:db8::2")
    tx_sa = ipl_sa.scapy_sa(a.alg, 2001, "2001:db8::2", "2001:db8::1")
    mac = get_if_hwaddr(a.iface)
    s = conf.L2socket(iface=a.iface)
    print("peer: ready on %s" % a.iface, flush=True)
    seq = 0
    end = time.time() + a.timeout
    while time.time() < end:
        r, _, _ = select.select([s], [], [], 0.2)
        if not r:
            continue
        p = s.recv()
        if p is None or IPv6 not in p or p[IPv6].nh != 50 or p[IPv6].dst != "2001:db8::2":
            continue
        try:
            inner = rx_sa.decrypt(IPv6(bytes(p[IPv6])))
        except Exception as e:  # a bad ICV: the test will fail on the missing reply
            print("peer: cannot decrypt: %s" % e, flush=True)
            continue
        if ICMPv6EchoRequest not in inner:
            continue
        ic = inner[ICMPv6EchoRequest]
        reply = IPv6(src=inner.dst, dst=inner.src) / ICMPv6EchoReply(id=ic.id, seq=ic.seq,
                                                                     data=ic.data)
        seq += 1
        s.send(Ether(src=mac, dst=a.gw_mac) / tx_sa.encrypt(IPv6(bytes(reply)), seq_num=seq))
        print("peer: echo %s -> %s seq %d answered (ESP seq %d)" % (inner.src, inner.dst,
                                                                    ic.seq, seq), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
