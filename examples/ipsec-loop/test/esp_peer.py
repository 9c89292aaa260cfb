#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The mtag authors
"""A remote ESP gateway and host built on scapy's ESP, for the end-to-end test (e2e.sh).

Listens on an interface for the example's tunnel (SA 1001, 192.0.2.1 ->
192.0.2.2; with --family 6, 2001:db8::1 -> 2001:db8::2), decrypts, answers
ICMP (ICMPv6) echo requests for any address behind it, and sends the reply
back through the reverse SA (2001). This machine's kernel has no ESP, so
scapy stands in for 'ip xfrm' (the README shows the xfrm set-up for a full
Linux).
"""

import argparse
import os
import select
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ipl_sa  # noqa: E402

from scapy.all import ICMP, IP, IPv6, Ether, Raw, conf, get_if_hwaddr  # noqa: E402
from scapy.layers.inet6 import ICMPv6EchoReply, ICMPv6EchoRequest  # noqa: E402


def echo4(inner):
    """The reply to an ICMP echo request and its sequence number, or None."""
    if ICMP not in inner or inner[ICMP].type != 8:
        return None
    ic = inner[ICMP]
    return IP(src=inner.dst, dst=inner.src) / ICMP(type=0, id=ic.id, seq=ic.seq) / Raw(
        bytes(ic.payload)), ic.seq


def echo6(inner):
    """The reply to an ICMPv6 echo request and its sequence number, or None."""
    if ICMPv6EchoRequest not in inner:
        return None
    ic = inner[ICMPv6EchoRequest]
    return IPv6(src=inner.dst, dst=inner.src) / ICMPv6EchoReply(id=ic.id, seq=ic.seq,
                                                                data=ic.data), ic.seq


# The tunnel is of the inner packets' family (4-in-4, 6-in-6): its IP layer, the
# layer's next-header field, the example's end of the tunnel, ours, and the echo.
FAMILIES = {
    "4": (IP, "proto", "192.0.2.1", "192.0.2.2", echo4),
    "6": (IPv6, "nh", "2001:db8::1", "2001:db8::2", echo6),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--family", choices=sorted(FAMILIES), default="4")
    ap.add_argument("--iface", required=True)
    ap.add_argument("--alg", required=True)
    ap.add_argument("--gw-mac", required=True)
    ap.add_argument("--timeout", type=float, default=60)
    a = ap.parse_args()
    L3, nh, gw, me, echo = FAMILIES[a.family]
    rx_sa = ipl_sa.scapy_sa(a.alg, 1001, gw, me)
    tx_sa = ipl_sa.scapy_sa(a.alg, 2001, me, gw)
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
        if p is None or L3 not in p or getattr(p[L3], nh) != 50 or p[L3].dst != me:
            continue
        try:
            inner = rx_sa.decrypt(L3(bytes(p[L3])))
        except Exception as e:  # a bad ICV: the test will fail on the missing reply
            print("peer: cannot decrypt: %s" % e, flush=True)
            continue
        answer = echo(inner)
        if answer is None:
            continue
        reply, echo_seq = answer
        seq += 1
        s.send(Ether(src=mac, dst=a.gw_mac) / tx_sa.encrypt(L3(bytes(reply)), seq_num=seq))
        print("peer: echo %s -> %s seq %d answered (ESP seq %d)" % (inner.src, inner.dst,
                                                                    echo_seq, seq), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
