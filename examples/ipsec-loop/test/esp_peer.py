#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The mtag authors
"""A remote ESP gateway and host built on scapy's ESP, for the end-to-end test.

Listens on an interface for the example's tunnel (SA 1001, 192.0.2.1 ->
192.0.2.2), decrypts, answers ICMP echo requests for any address behind it,
and sends the reply back through the reverse SA (2001, 192.0.2.2 ->
192.0.2.1). This machine's kernel has no ESP, so scapy stands in for
'ip xfrm' (the README shows the xfrm set-up for a full Linux).
"""

import argparse
import os
import select
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ipl_sa  # noqa: E402

from scapy.all import ICMP, IP, Ether, Raw, conf, get_if_hwaddr  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iface", required=True)
    ap.add_argument("--alg", required=True)
    ap.add_argument("--gw-mac", required=True)
    ap.add_argument("--timeout", type=float, default=60)
    a = ap.parse_args()
    rx_sa = ipl_sa.scapy_sa(a.alg, 1001, "192.0.2.1", "192.0.2.2")
    tx_sa = ipl_sa.scapy_sa(a.alg, 2001, "192.0.2.2", "192.0.2.1")
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
        if p is None or IP not in p or p[IP].proto != 50 or p[IP].dst != "192.0.2.2":
            continue
        try:
            inner = rx_sa.decrypt(IP(bytes(p[IP])))
        except Exception as e:  # a bad ICV: the test will fail on the missing reply
            print("peer: cannot decrypt: %s" % e, flush=True)
            continue
        if ICMP not in inner or inner[ICMP].type != 8:
            continue
        ic = inner[ICMP]
        reply = IP(src=inner.dst, dst=inner.src) / ICMP(type=0, id=ic.id, seq=ic.seq) / Raw(
            bytes(ic.payload))
        seq += 1
        s.send(Ether(src=mac, dst=a.gw_mac) / tx_sa.encrypt(IP(bytes(reply)), seq_num=seq))
        print("peer: echo %s -> %s seq %d answered (ESP seq %d)" % (inner.src, inner.dst,
                                                                    ic.seq, seq), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
