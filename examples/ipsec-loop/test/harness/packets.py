# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The mtag authors
"""Packets: pcap files, the cleartext the cases send, what forwarding does to it, scapy's
ESP of it and back."""

import os
import struct

from scapy.all import ICMP, IP, IPv6, UDP, Ether, Raw, rdpcap, wrpcap
from scapy.layers.inet6 import ICMPv6EchoRequest
from scapy.layers.ipsec import ESP
from scapy.utils import checksum


def empty_pcap(path):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))


def write_pcap(path, pkts):
    if pkts:
        wrpcap(path, pkts)
    else:
        empty_pcap(path)


def read_pcap(path):
    if not os.path.exists(path) or os.path.getsize(path) <= 24:
        return []
    return list(rdpcap(path))


# With no destination, scapy resolves one by neighbour discovery or ARP (and waits).
ETH6 = Ether(src="02:00:00:00:00:03", dst="02:00:00:00:00:04")


def inner_pkts(n, src="10.1.0.", dst="10.2.0.", seed=0):
    """Cleartext IPv4 packets of varied sizes and protocols (Ethernet framed)."""
    pkts = []
    for i in range(n):
        size = (i * 37 + seed * 11) % 300
        if i % 3 == 2:
            l4 = ICMP(id=7, seq=i) / Raw(bytes((i + k) & 0xFF for k in range(size)))
        else:
            l4 = UDP(sport=1000 + i, dport=2000) / Raw(bytes((i * k) & 0xFF for k in range(size)))
        ip = IP(src=src + str(1 + i % 200), dst=dst + str(1 + (i * 7) % 200), id=i, ttl=64) / l4
        pkts.append(Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / IP(bytes(ip)))
    return pkts


def inner_any(src, dst, n, seed):
    """IPv4 or IPv6 (by the prefixes) packets: UDP, and ICMP / ICMPv6 echo."""
    if ":" not in src:
        return inner_pkts(n, src=src, dst=dst, seed=seed)
    pkts = []
    for i in range(n):
        size = (i * 29 + seed * 7) % 200
        l4 = ICMPv6EchoRequest(id=7, seq=i, data=bytes(size)) if i % 3 == 2 else \
            UDP(sport=1000 + i, dport=2000) / Raw(bytes((i * k) & 0xFF for k in range(size)))
        ip = IPv6(src=src + "%x" % (1 + i % 200), dst=dst + "%x" % (1 + i * 7 % 200),
                  hlim=64, fl=i) / l4
        pkts.append(ETH6 / IPv6(bytes(ip)))
    return pkts


def inner_of(p):
    return bytes(p[IPv6]) if IP not in p else bytes(p[IP])


def ip_bytes(p):
    return bytes(p[IP])


def fwd(p, hops=1):
    """The IP bytes of p once forwarded: TTL (hop limit) down by one, checksum right."""
    if IPv6 in p and IP not in p:
        ip = IPv6(bytes(p[IPv6]))
        ip.hlim -= hops
        return bytes(ip)
    ip = IP(ip_bytes(p))
    ip.ttl -= hops
    del ip.chksum
    return bytes(IP(bytes(ip)))


def esp_frames(sa, pkts, eth=None):
    """The IP packet of each of pkts encrypted by scapy with sa, sequence numbers 1, 2, ...,
    each in an Ethernet frame: eth, else Ether()."""
    return [(Ether() if eth is None else eth) / sa.encrypt(IP(ip_bytes(p)), seq_num=i + 1)
            for i, p in enumerate(pkts)]


def decrypt_all(ctx, sa, pkts, what):
    """scapy-decrypt pkts with sa; returns the inner IP packets or None."""
    out = []
    for p in pkts:
        if IP not in p or ESP not in p:
            ctx.check(False, "%s: output packet is ESP" % what)
            return None
        ip = IP(bytes(p[IP]))
        try:
            out.append(sa.decrypt(ip))
        except Exception as e:  # scapy raises on a bad ICV or padding
            ctx.check(False, "%s: scapy decrypts our ESP (%s)" % (what, e))
            return None
    return out


def outer_ok(pkts, src, dst, spi):
    """None if the outer IPv4 and ESP headers of pkts are right (src, dst, ESP, spi, sequence
    numbers 1, 2, ..., checksum), else what is wrong with the first that is not."""
    for i, p in enumerate(pkts):
        ip = p[IP]
        raw = bytes(ip)[:20]
        if not (ip.src == src and ip.dst == dst and ip.proto == 50 and p[ESP].spi == spi):
            return "packet %d: outer %s > %s proto %d spi %d" % (i, ip.src, ip.dst, ip.proto,
                                                                  p[ESP].spi)
        if p[ESP].seq != i + 1:
            return "packet %d: sequence number %d" % (i, p[ESP].seq)
        if checksum(raw) != 0:
            return "packet %d: bad outer checksum %#x" % (i, ip.chksum)
    return None
