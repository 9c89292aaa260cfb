#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The mtag authors
"""Generate the pcaps the demo and the benchmark replay (net_pcap infinite_rx).

  gen_traffic.py demo DIR            inside.pcap and outside.pcap for
                                     config/ipsec-loop-demo.conf
  gen_traffic.py bench ALG DIR       out.pcap (cleartext 10.1 -> 10.2) and
                                     in.pcap (ESP under SA 2001 with ALG)
                                     for the benchmark configuration; out6.pcap
                                     and in6.pcap the same in IPv6 over IPv6
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ipl_sa  # noqa: E402

from scapy.all import IP, IPv6, UDP, Ether, Raw, wrpcap  # noqa: E402


def clear(src, dst, n, payload=18):
    """n 64-byte frames (with payload=18) of distinct UDP flows."""
    return [Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") /
            IP(bytes(IP(src=src % (i % 250 + 1), dst=dst % (i * 7 % 250 + 1), id=i) /
                     UDP(sport=1024 + i, dport=4789) / Raw(bytes(payload))))
            for i in range(n)]


def clear6(src, dst, n, payload=18):
    """n IPv6 UDP packets of distinct flows."""
    return [Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") /
            IPv6(bytes(IPv6(src=src % (i % 250 + 1), dst=dst % (i * 7 % 250 + 1), fl=i) /
                       UDP(sport=1024 + i, dport=4789) / Raw(bytes(payload))))
            for i in range(n)]


def esp(sa, pkts, first_seq=1):
    return [Ether(src="02:00:00:00:00:03", dst="02:00:00:00:00:04") /
            sa.encrypt((IPv6 if IPv6 in p and IP not in p else IP)(
                bytes(p[IPv6] if IPv6 in p and IP not in p else p[IP])),
                seq_num=first_seq + i) for i, p in enumerate(pkts)]


def demo(d):
    gcm = "aes-128-gcm"
    inside = (clear("10.1.0.%d", "10.2.0.%d", 24) + clear("10.1.0.%d", "10.9.0.%d", 8)
              + clear6("fd01::%x", "fd02::%x", 16))
    s2 = ipl_sa.scapy_sa(gcm, 2001, "192.0.2.2", "192.0.2.1")
    s4 = ipl_sa.scapy_sa(gcm, 2004, "192.0.2.2", "192.0.2.1")
    s6 = ipl_sa.scapy_sa(gcm, 2005, "2001:db8::2", "2001:db8::1")
    outside = (esp(s2, clear("10.2.0.%d", "10.1.0.%d", 24))        # decrypted, policy OK
               + clear("10.2.0.%d", "10.1.0.%d", 4)                # must be protected: drop
               + esp(s4, clear("10.2.0.%d", "10.1.0.%d", 4))       # wrong SA: drop
               + esp(s6, clear6("fd02::%x", "fd01::%x", 16)))      # IPv6 tunnel
    wrpcap(os.path.join(d, "inside.pcap"), inside)
    wrpcap(os.path.join(d, "outside.pcap"), outside)


def bench(alg, d):
    wrpcap(os.path.join(d, "out.pcap"), clear("10.1.0.%d", "10.2.0.%d", 256))
    sa = ipl_sa.scapy_sa(alg, 2001, "192.0.2.2", "192.0.2.1")
    wrpcap(os.path.join(d, "in.pcap"), esp(sa, clear("10.2.0.%d", "10.1.0.%d", 256)))
    # IPv6 in IPv6: 78-byte frames (the same UDP payload under a 40-byte header)
    wrpcap(os.path.join(d, "out6.pcap"), clear6("fd01::%x", "fd02::%x", 256))
    sa = ipl_sa.scapy_sa(alg, 2001, "2001:db8::2", "2001:db8::1")
    wrpcap(os.path.join(d, "in6.pcap"), esp(sa, clear6("fd02::%x", "fd01::%x", 256)))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "demo":
        demo(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "bench":
        bench(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
