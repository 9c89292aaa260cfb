# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The mtag authors
"""What comes in: malformed packets, ESP that fails a check, the lookup tables against a
linear scan."""

import random
import socket
import struct

import ipl_sa
from harness.confs import inbound_conf, ipl_conf, sa_line
from harness.packets import ETH6, fwd, inner_pkts, ip_bytes
from harness.runner import Run
from scapy.all import ARP, ICMP, IP, TCP, UDP, Ether, Raw
from scapy.layers.inet import IPOption_RR
from scapy.layers.ipsec import ESP


def case_malformed(ctx):
    """Each malformed packet counted exactly, under its own name; only the valid ones come
    out."""
    conf = inbound_conf("replay-window 64",
                        (sa_line("out", 1, 1001, "192.0.2.1", "192.0.2.2", "aes-128-gcm"),
                         "sp out any any protect 1",
                         "route 192.0.2.2/32 port 1"))
    s3 = ipl_sa.scapy_sa("aes-128-gcm", 3001, "192.0.2.2", "192.0.2.1")
    s5 = ipl_sa.scapy_sa("aes-128-cbc-sha256", 5001, "192.0.2.2", "192.0.2.1")
    c = inner_pkts(12, src="10.2.0.", dst="10.1.0.", seed=4)
    c5 = inner_pkts(4, src="10.4.0.", dst="10.1.0.", seed=6)

    def esp(sa, p, seq):
        return sa.encrypt(IP(ip_bytes(p)), seq_num=seq)

    def cut(ipkt, keep):
        """IPv4 packet truncated to keep bytes of payload, with a valid header."""
        raw = bytes(ipkt)
        body = raw[20:20 + keep]
        return Ether() / IP(bytes(IP(src=ipkt.src, dst=ipkt.dst, proto=50, id=1) / Raw(body)))

    good = esp(s3, c[0], 1)
    bad_icv = bytearray(bytes(esp(s3, c[1], 2)))
    bad_icv[40] ^= 0x55
    outside = [
        Ether() / good,                             # valid: passes
        Ether() / IP(bytes(good)),                  # the same again: replay
        Ether() / IP(bytes(bad_icv)),               # bad ICV
        cut(esp(s3, c[2], 3), 6),                   # ESP header cut short
        cut(esp(s3, c[3], 4), 8 + 8 + 16 + 1),      # trailer and blocks don't fit
        cut(esp(s3, c[4], 5), 0),                   # nothing after the IP header
        Ether() / esp(ipl_sa.scapy_sa("aes-128-gcm", 9999, "192.0.2.2", "192.0.2.1"), c[5], 1),
        Ether() / esp(s5, c5[0], 200),              # valid, moves the window to 200
        Ether() / esp(s5, c5[1], 100),              # 100 < 200 - 64: replay
        Ether() / esp(s5, c5[2], 150),              # inside the window, new: passes
        Ether() / esp(s5, c5[3], 150),              # same number again: replay
        Ether() / ARP(),                            # non-IP
        Ether(type=0x86DD) / IP(src="10.2.0.1", dst="10.1.0.1") / UDP(),  # IPv4 as IPv6
        Ether() / IP(src="10.2.0.1", dst="10.1.0.1", options=[IPOption_RR()]) / UDP(),
        Ether() / IP(src="10.2.0.1", dst="10.1.0.1", chksum=0x1234) / UDP(),
        Ether(type=0x0800) / Raw(bytes(IP(src="10.2.0.1", dst="10.1.0.1", len=400) / UDP())),
        Ether(type=0x0800) / Raw(b"\x45\x00"),      # 2 bytes of IPv4
        cut(esp(s5, c[6], 6), 8 + 16 + 16 + 5),    # CBC: not whole blocks
    ]
    inside = [
        Ether() / ARP(),
        Ether() / IP(src="10.1.0.1", dst="10.2.0.1", ihl=6, options=[IPOption_RR()]) / UDP(),
        Ether() / IP(src="10.1.0.1", dst="10.2.0.1", chksum=1) / UDP(),
        c[7],                                      # valid: encrypted
    ]
    r = Run(ctx, conf, [inside, outside])
    st = r.st
    expect = {"replay": 3, "icv_fail": 1, "esp_bad_len": 4, "unknown_spi": 1, "non_ip": 3,
              "ip_options": 2, "bad_csum": 2, "truncated": 2, "decrypted": 3,
              "encrypted": 1}
    for k, v in expect.items():
        ctx.check(st.get(k) == v, "%s: %s (expected %d)" % (k, st.get(k), v))
    ctx.check(st.get("sa", {}).get("5", {}).get("replay") == 2 and st["sa"]["3"]["replay"] == 1
              and st["sa"]["3"]["icv_fail"] == 1, "per-SA replay and ICV counters")
    out = r.sent(0)
    ctx.check(sorted(ip_bytes(p) for p in out) == sorted(fwd(p) for p in (c[0], c5[0], c5[2])),
              "only the 3 valid ESP packets come out decrypted (%d)" % len(out))
    ctx.check(len(r.sent(1)) == 1, "the valid cleartext packet goes out encrypted")


def encrypt_bad_trailer(sa, pkt, seq, nh=None, bad_pad=False):
    """scapy's ESP with a valid ICV over a bad trailer: next header nh, or padding that is
    not 1, 2, 3, ... (RFC 4303 2.4)."""
    algo = sa.crypt_algo
    orig = algo.pad

    def pad(esp):
        esp = orig(esp)
        if nh is not None:
            esp.nh = nh
        if bad_pad:
            esp.padding = b"\xee" * len(esp.padding)
        return esp
    algo.pad = pad  # the algorithm object is scapy's, shared: put it back
    try:
        return sa.encrypt(pkt, seq_num=seq)
    finally:
        del algo.pad
        if algo.pad is not orig:
            algo.pad = orig


def case_inbound_checks(ctx):
    """The right SPI and keys from the wrong tunnel source refused; bad trailers under a
    good ICV are SA errors, not replays; one SPI on two of our addresses is two SAs."""
    # SA 7: SPI 3001 again, on another of our tunnel addresses (the packets further down)
    conf = inbound_conf(more=(sa_line("in", 7, 3001, "192.0.2.2", "192.0.2.9", "aes-128-gcm"),
                              "sp in 10.6.0.0/16 10.1.0.0/16 protect 7"))
    s3 = ipl_sa.scapy_sa("aes-128-gcm", 3001, "192.0.2.2", "192.0.2.1")
    s5 = ipl_sa.scapy_sa("aes-128-cbc-sha256", 5001, "192.0.2.2", "192.0.2.1")
    spoof = ipl_sa.scapy_sa("aes-128-gcm", 3001, "192.0.2.99", "192.0.2.1")
    c = inner_pkts(8, src="10.2.0.", dst="10.1.0.", seed=8)
    # CBC pads to 16 bytes: a packet that needs padding, for the bad padding case
    c5 = [p for p in inner_pkts(40, src="10.4.0.", dst="10.1.0.", seed=9)
          if (len(ip_bytes(p)) + 2) % 16 != 0][:4]
    rx = [
        Ether() / s3.encrypt(IP(ip_bytes(c[0])), seq_num=1),      # valid
        Ether() / spoof.encrypt(IP(ip_bytes(c[1])), seq_num=2),   # right SPI and keys,
        Ether() / spoof.encrypt(IP(ip_bytes(c[2])), seq_num=3),   # wrong tunnel source
        Ether() / encrypt_bad_trailer(s3, IP(ip_bytes(c[3])), 4, nh=59),  # no next header
        Ether() / encrypt_bad_trailer(s3, IP(ip_bytes(c[4])), 5, nh=6),   # TCP in a tunnel
        Ether() / encrypt_bad_trailer(s5, IP(ip_bytes(c5[0])), 1, bad_pad=True),
        Ether() / s5.encrypt(IP(ip_bytes(c5[1])), seq_num=2),     # valid
        Ether() / s3.encrypt(IP(ip_bytes(c[5])), seq_num=1),      # a true replay
    ]
    # The same SPI on two of our tunnel addresses: two SAs (the key is SPI and address),
    # packets of both interleaved, over more than one burst (the SAs seen are cached)
    s7 = ipl_sa.scapy_sa("aes-128-gcm", 3001, "192.0.2.2", "192.0.2.9")
    c7 = inner_pkts(20, src="10.6.0.", dst="10.1.0.", seed=10)
    c3 = inner_pkts(20, src="10.2.0.", dst="10.1.0.", seed=11)
    for i in range(20):
        rx += [ETH6 / s7.encrypt(IP(ip_bytes(c7[i])), seq_num=i + 1),
               ETH6 / s3.encrypt(IP(ip_bytes(c3[i])), seq_num=10 + i)]
    r = Run(ctx, conf, [[], rx])
    st = r.st
    expect = {"bad_tunnel_src": 2, "ipsec_error": 3, "replay": 1, "icv_fail": 0,
              "decrypted": 42, "policy_wrong_sa": 0}
    for k, v in expect.items():
        ctx.check(st.get(k) == v, "%s: %s (expected %d)" % (k, st.get(k), v))
    sa = st.get("sa", {})
    ctx.check(sa.get("3", {}).get("errors") == 2 and sa.get("5", {}).get("errors") == 1
              and sa.get("3", {}).get("replay") == 1 and sa.get("5", {}).get("replay") == 0,
              "bad trailers are SA errors, not replays: %s" % sa)
    out = r.sent(0)
    ctx.check(sorted(ip_bytes(p) for p in out) == sorted(fwd(p) for p in [c[0], c5[1]] + c3 + c7),
              "only the 42 valid packets come out, each SA of SPI 3001 its own (%d)" % len(out))


def lookup_conf(rnd, nb_sp, nb_routes):
    """Random overlapping policies and routes in 10.0.0.0/8, and their text."""
    def prefix(lo):
        ln = rnd.randint(lo, 32)
        a = (10 << 24) | rnd.getrandbits(24)
        a &= (0xffffffff << (32 - ln)) & 0xffffffff
        return a, ln
    sps, routes, seen = [], [], set()
    for i in range(nb_sp):
        d = rnd.choice(("out", "in"))
        src = prefix(10) if rnd.random() < 0.97 else (0, 0)
        dst = prefix(10) if rnd.random() < 0.97 else (0, 0)
        proto = rnd.choice((0, 0, 1, 17, 6))
        act = rnd.choice(("bypass", "discard", "protect")) if d == "out" else \
            rnd.choice(("bypass", "discard"))
        sps.append((d, src, dst, proto, act))
    while len(routes) < nb_routes:
        p = prefix(14)
        if p in seen:
            continue
        seen.add(p)
        routes.append((p, rnd.choice((0, 1, 2))))

    def ptxt(p):
        if p[1] == 0:
            return "any"
        return "%s/%d" % (socket.inet_ntoa(struct.pack(">I", p[0])), p[1])
    lines = [sa_line("out", 1, 1001, "192.0.2.1", "192.0.2.2", "null"), "route 192.0.2.2/32 port 1"]
    for d, src, dst, proto, act in sps:
        lines.append("sp %s %s %s %s%s" % (d, ptxt(src), ptxt(dst),
                                           "proto %d " % proto if proto else "",
                                           "protect 1" if act == "protect" else act))
    for p, port in routes:
        lines.append("route %s port %d" % (ptxt(p), port))
    ports = ("port 0 inside", "port 1 outside", "port 2 outside")
    return sps, routes, ipl_conf(*lines, ports=ports)


def case_lookup(ctx):
    """1,500 random overlapping policies and 1,500 routes: every packet meets the first
    policy that matches (RFC 4301's order) and the longest prefix, as a scan finds them."""
    rnd = random.Random(12)
    sps, routes, conf = lookup_conf(rnd, 1500, 1500)

    def match(p, a):
        return p[1] == 0 or (a & ((0xffffffff << (32 - p[1])) & 0xffffffff)) == p[0]

    def first(d, src, dst, proto):
        for sp in sps:
            if sp[0] == d and match(sp[1], src) and match(sp[2], dst) and \
                    (sp[3] == 0 or sp[3] == proto):
                return sp
        return None

    def route(dst):
        best = None
        for p, port in routes:
            if match(p, dst) and (best is None or p[1] > best[0][1]):
                best = (p, port)
        return best

    def addr_near(prefixes):
        p = rnd.choice(prefixes)
        return p[0] | (rnd.getrandbits(32 - p[1]) if p[1] < 32 else 0)

    pool = [sp[1] for sp in sps if sp[1][1]] + [sp[2] for sp in sps if sp[2][1]] + \
        [r[0] for r in routes]
    inside, outside, want = [], [], {"no_policy": 0, "policy_discard": 0, "no_route": 0,
                                     "encrypted": 0}
    expect_port = {0: [], 1: [], 2: []}
    for i in range(400):
        src, dst = addr_near(pool), addr_near(pool)
        proto = rnd.choice((1, 6, 17))
        d = "out" if i % 2 == 0 else "in"
        l4 = {1: ICMP(), 6: TCP(sport=i, dport=80), 17: UDP(sport=i, dport=53)}[proto]
        ip = IP(src=socket.inet_ntoa(struct.pack(">I", src)),
                dst=socket.inet_ntoa(struct.pack(">I", dst)), id=i, ttl=64) / l4 / Raw(b"x" * 8)
        pkt = Ether() / IP(bytes(ip))
        (inside if d == "out" else outside).append(pkt)
        sp = first(d, src, dst, proto)
        if sp is None:
            want["no_policy"] += 1
        elif sp[4] == "discard":
            want["policy_discard"] += 1
        elif sp[4] == "protect":
            want["encrypted"] += 1
        else:
            r = route(dst)
            if r is None:
                want["no_route"] += 1
            else:
                expect_port[r[1]].append(fwd(pkt))
    r = Run(ctx, conf, [inside, outside, []], crypto="crypto_null0", duration=2)
    for k, v in want.items():
        ctx.check(r.st.get(k) == v, "%s: %s (a linear scan says %d)" % (k, r.st.get(k), v))
    for port in (0, 1, 2):
        got = sorted(ip_bytes(p) for p in r.sent(port) if ESP not in p)
        ctx.check(got == sorted(expect_port[port]),
                  "port %d: the %d bypassed packets routed there (%d)"
                  % (port, len(expect_port[port]), len(got)))
    ctx.check(sum(1 for p in r.sent(1) if ESP in p) == want["encrypted"],
              "the protected packets leave port 1 encrypted")


CASES = {
    "malformed": case_malformed,
    "inbound-checks": case_inbound_checks,
    "lookup": case_lookup,
}
