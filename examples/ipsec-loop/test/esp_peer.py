#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The mtag authors
"""A remote ESP gateway and host built on scapy's ESP, for the end-to-end test (e2e.sh).

Listens on an interface for the example's tunnel (SA 1001, 192.0.2.1 ->
192.0.2.2; with --family 6, 2001:db8::1 -> 2001:db8::2), decrypts, answers
ICMP (ICMPv6) echo requests for any address behind it, and sends the reply
back through the reverse SA (2001). Fragments are put together (outer ESP
ones and inner ones), and replies larger than the MTU leave fragmented as a
Linux gateway sends them. This machine's kernel has no ESP, so
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
from scapy.layers.inet import defragment, fragment  # noqa: E402
from scapy.layers.inet6 import ICMPv6EchoReply, ICMPv6EchoRequest, IPv6ExtHdrFragment, \
    defragment6, fragment6  # noqa: E402

# The peer's MTU: what it sends is fragmented to it, as a Linux gateway does.
MTU = 1500


class Reassembly:
    """Fragments put together, IPv4 (RFC 791) and IPv6 (RFC 8200), by scapy."""

    def __init__(self):
        self.pending = {}

    def add(self, p):
        """The whole packet once p (an IP or IPv6 packet) completes one, p itself if it is
        no fragment, else None."""
        if isinstance(p, IP):
            if not (p.flags.MF or p.frag):
                return p
            key = (4, p.src, p.dst, p.id, p.proto)
            lst = self.pending.setdefault(key, [])
            lst.append(p)
            whole = [q for q in defragment(lst) if not (q.flags.MF or q.frag)]
            if not whole:
                return None
            del self.pending[key]
            return IP(bytes(whole[0]))
        if IPv6ExtHdrFragment not in p:
            return p
        fh = p[IPv6ExtHdrFragment]
        key = (6, p.src, p.dst, fh.id)
        lst = self.pending.setdefault(key, [])
        lst.append(p)
        have = sum(len(bytes(q[IPv6ExtHdrFragment].payload)) for q in lst)
        last = [q for q in lst if q[IPv6ExtHdrFragment].m == 0]
        if not last or have != last[0][IPv6ExtHdrFragment].offset * 8 + len(
                bytes(last[0][IPv6ExtHdrFragment].payload)):
            return None
        del self.pending[key]
        return IPv6(bytes(defragment6(lst)))


def send_esp(s, eth, sa, L3, reply, seq):
    """reply through sa: an IPv4 packet encrypted whole and its ESP fragmented to the MTU
    (post-encapsulation, as Linux does for DF-clear IPv4); an IPv6 one fragmented first
    (its source's job, RFC 8200), each fragment in its own ESP packet."""
    if L3 is IPv6 and len(bytes(reply)) > MTU - 80:
        r = IPv6(bytes(reply))
        parts = fragment6(IPv6(src=r.src, dst=r.dst, hlim=r.hlim) /
                          IPv6ExtHdrFragment(id=0x1000 + seq) / r.payload, 1280)
    else:
        parts = [reply]
    for part in parts:
        seq += 1
        e = sa.encrypt(L3(bytes(part)), seq_num=seq)
        if L3 is IP:
            e.id = seq & 0xFFFF
            for f in fragment(IP(bytes(e)), fragsize=MTU - 20):
                s.send(eth / f)
        else:
            s.send(eth / e)
    return seq


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
    outer, inner_frags = Reassembly(), Reassembly()
    end = time.time() + a.timeout
    while time.time() < end:
        r, _, _ = select.select([s], [], [], 0.2)
        if not r:
            continue
        p = s.recv()
        if p is None or L3 not in p or p[L3].dst != me:
            continue
        p = outer.add(L3(bytes(p[L3])))
        if p is None or getattr(p, nh) != 50:
            continue
        try:
            inner = rx_sa.decrypt(p)
        except Exception as e:  # a bad ICV: the test will fail on the missing reply
            print("peer: cannot decrypt: %s" % e, flush=True)
            continue
        inner = inner_frags.add(inner)
        if inner is None:
            continue
        answer = echo(inner)
        if answer is None:
            continue
        reply, echo_seq = answer
        seq = send_esp(s, Ether(src=mac, dst=a.gw_mac), tx_sa, L3, reply, seq)
        print("peer: echo %s -> %s seq %d, %d bytes, answered (ESP seq %d)"
              % (inner.src, inner.dst, echo_seq, len(bytes(reply)), seq), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
