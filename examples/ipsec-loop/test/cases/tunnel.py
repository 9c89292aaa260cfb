# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The mtag authors
"""The tunnel's rules: 64-bit sequence numbers, TTL, DSCP, ECN and DF, MTU, NAT
traversal."""

import ipl_sa
from harness.confs import golden_conf, ipl_conf, sa_line, v6_conf
from harness.packets import ETH6, decrypt_all, esp_frames, fwd, inner_pkts, ip_bytes
from harness.runner import Run
from scapy.all import ICMP, IP, IPv6, UDP, Ether, Raw
from scapy.layers.inet import defragment
from scapy.layers.inet6 import ICMPv6PacketTooBig
from scapy.layers.ipsec import ESP
from scapy.utils import checksum


def case_esn(ctx):
    """64-bit sequence numbers across 2^32, both ciphers, both directions, an SA started
    near the wrap; without ESN the SA stops at 2^32 - 1 (RFC 4303 3.3.3: no cycling)."""
    start = 0xFFFFFFFD
    n = 8
    for alg in ipl_sa.ALGS:
        conf = golden_conf(alg, out_opts="esn seq %d" % start,
                           in_opts="esn seq %d" % (start - 16))
        clear = inner_pkts(n, seed=11)
        back = inner_pkts(n, src="10.2.0.", dst="10.1.0.", seed=12)
        seqs = [start + i for i in range(n)]
        esp = [Ether() / IP(ipl_sa.esn_icv_fix(alg, ipl_sa.scapy_sa(
            alg, 2001, "192.0.2.2", "192.0.2.1", esn=q >> 32).encrypt(
                IP(ip_bytes(p)), seq_num=q & 0xFFFFFFFF), q >> 32))
               for p, q in zip(back, seqs)]
        r = Run(ctx, conf, [clear, esp])
        out = r.sent(1)
        wire = [p[ESP].seq for p in out if ESP in p]
        ctx.check(wire == [q & 0xFFFFFFFF for q in seqs],
                  "%s ESN out: sequence numbers on the wire %s" % (alg, [hex(x) for x in wire]))
        ok = 0
        for p, q, c in zip(out, seqs, clear):
            sa = ipl_sa.scapy_sa(alg, 1001, "192.0.2.1", "192.0.2.2", esn=q >> 32)
            try:
                raw = bytes(p[IP])
                ok += ipl_sa.esn_icv_ok(alg, raw, q >> 32) and \
                    bytes(sa.decrypt(IP(raw), verify=alg != "aes-128-cbc-sha256")) == \
                    fwd(c)
            except Exception as e:
                print("decrypt %#x: %s" % (q, e))
        ctx.check(ok == n, "%s ESN out: scapy decrypts all %d across 2^32 with the high bits in "
                  "the ICV (%d)" % (alg, n, ok))
        got = set(ip_bytes(p) for p in r.sent(0))
        missing = [q for p, q in zip(back, seqs) if fwd(p) not in got]
        # rte_ipsec 22.11 refuses 2^32 + 1 as a replay once it has taken 2^32 (README, limits)
        ctx.check(missing in ([], [1 << 32 | 1]) and len(got) == n - len(missing) and
                  r.st.get("icv_fail") == 0 and r.st.get("replay") == len(missing),
                  "%s ESN in: scapy's packets across 2^32 decrypted, the high bits right (%d of "
                  "%d; missing %s, ICV failures %s)" % (alg, len(got), n, [hex(q) for q in missing],
                                                        r.st.get("icv_fail")))
    conf = golden_conf("aes-128-gcm", out_opts="seq %d" % start)
    r = Run(ctx, conf, [inner_pkts(n), []])
    wire = [p[ESP].seq for p in r.sent(1) if ESP in p]
    # rte_ipsec (22.11) keeps 2^32 - 1 back: the last number sent is 2^32 - 2.
    ctx.check(wire == [start, start + 1] and r.st.get("ipsec_error") == n - 2,
              "without ESN the SA stops before 2^32 - 1, never cycles: sent %s, refused %s"
              % ([hex(x) for x in wire], r.st.get("ipsec_error")))


def case_tunnel(ctx):
    """RFC 4301 5.1.2 and RFC 6040: inner TTL, DSCP, ECN both ways, outer DF per SA."""
    conf = ipl_conf(
        sa_line("out", 1, 1001, "192.0.2.1", "192.0.2.2", "aes-128-gcm"),
        sa_line("out", 3, 1003, "192.0.2.1", "192.0.2.3", "aes-128-gcm", "df set"),
        sa_line("out", 5, 1005, "192.0.2.1", "192.0.2.5", "aes-128-gcm", "df clear"),
        sa_line("in", 2, 2001, "192.0.2.2", "192.0.2.1", "aes-128-gcm"),
        "sp out 10.1.0.0/16 10.3.0.0/16 protect 3",
        "sp out 10.1.0.0/16 10.5.0.0/16 protect 5",
        "sp out 10.1.0.0/16 any protect 1",
        "sp in 10.2.0.0/16 10.1.0.0/16 protect 2",
        "route 192.0.2.0/24 port 1",
        "route 10.1.0.0/16 port 0")

    def pkt(src, dst, i, ttl=64, tos=0, df=False):
        ip = IP(src=src, dst=dst, id=i, ttl=ttl, tos=tos, flags="DF" if df else 0) / \
            UDP(sport=1000 + i, dport=53) / Raw(b"t" * (i % 40))
        return Ether() / IP(bytes(ip))
    inside = []
    # TTL: 1 would reach 0 (dropped), 2 leaves with 1
    inside += [pkt("10.1.0.1", "10.2.0.1", i, ttl=1) for i in range(3)]
    inside += [pkt("10.1.0.1", "10.2.0.1", 3, ttl=2)]
    # DSCP and ECN copied to the outer header
    toss = [0x00, 0xb8 | 1, 0xb8 | 2, 0x28 | 3, 0x48]
    inside += [pkt("10.1.0.2", "10.2.0.2", 10 + i, tos=t) for i, t in enumerate(toss)]
    # DF: SA 1 copies it, SA 3 sets it, SA 5 clears it
    dfs = [(dst, df) for dst in ("10.2.0.9", "10.3.0.9", "10.5.0.9") for df in (False, True)]
    inside += [pkt("10.1.0.3", d, 20 + i, df=df) for i, (d, df) in enumerate(dfs)]

    # Decapsulation, RFC 6040 4.2: rows inner ECN, columns outer ECN
    NE, E1, E0, CE = 0, 1, 2, 3
    table = {NE: [NE, NE, NE, None], E0: [E0, E1, E0, CE], E1: [E1, E1, E1, CE],
             CE: [CE, CE, CE, CE]}
    outside, want_in, seq = [], {}, 1
    for inner in (NE, E0, E1, CE):
        for outer in (NE, E1, E0, CE):
            p = pkt("10.2.0.4", "10.1.0.4", 100 + seq, tos=0x20 | inner)
            sa = ipl_sa.scapy_sa("aes-128-gcm", 2001, "192.0.2.2", "192.0.2.1", tos=outer)
            outside.append(Ether() / sa.encrypt(IP(ip_bytes(p)), seq_num=seq))
            want_in[100 + seq] = table[inner][outer]
            seq += 1
    sa = ipl_sa.scapy_sa("aes-128-gcm", 2001, "192.0.2.2", "192.0.2.1")
    outside.append(Ether() / sa.encrypt(IP(ip_bytes(pkt("10.2.0.4", "10.1.0.4", 200, ttl=1))),
                                        seq_num=seq))
    r = Run(ctx, conf, [inside, outside])
    st = r.st
    ctx.check(st.get("ttl_exceeded") == 4, "TTL 1: 3 from inside, 1 from the tunnel dropped (%s)"
              % st.get("ttl_exceeded"))
    dec = {}
    for p in r.sent(1):
        spi = p[ESP].spi
        sa = ipl_sa.scapy_sa("aes-128-gcm", spi, "192.0.2.1", p[IP].dst)
        try:
            dec[sa.decrypt(IP(bytes(p[IP])))[IP].id] = p
        except Exception as e:
            ctx.check(False, "scapy decrypts %s" % e)
    s1 = ipl_sa.scapy_sa("aes-128-gcm", 1001, "192.0.2.1", "192.0.2.2")
    ttl3 = s1.decrypt(IP(bytes(dec[3][IP])))[IP].ttl if 3 in dec else None
    ctx.check(all(i not in dec for i in (0, 1, 2)) and ttl3 == 1,
              "TTL 2 leaves with 1 inside the tunnel (%s), TTL 1 never leaves" % ttl3)
    outer_tos = [dec[10 + i][IP].tos if 10 + i in dec else None for i in range(len(toss))]
    ctx.check(outer_tos == toss, "outer TOS (DSCP and ECN) = inner: %s, want %s"
              % (outer_tos, toss))
    got_df = [bool(dec[20 + i][IP].flags.DF) if 20 + i in dec else None
              for i in range(len(dfs))]
    ctx.check(got_df == [False, True, True, True, False, False],
              "outer DF: copy, copy, set, set, clear, clear: %s" % got_df)
    ctx.check(all(checksum(bytes(p[IP])[:20]) == 0 for p in r.sent(1)),
              "outer IPv4 checksums right, whatever the TOS and DF")
    got_in = {p[IP].id: p[IP].tos & 3 for p in r.sent(0)}
    want = {i: e for i, e in want_in.items() if e is not None}
    ctx.check(got_in == want and st.get("ecn_drop") == 1,
              "decapsulation ECN per RFC 6040 4.2 (%d combinations; CE over not-ECT dropped: %s)"
              % (len(want_in), st.get("ecn_drop")))
    ctx.check(all(p[IP].tos >> 2 == 0x20 >> 2 for p in r.sent(0)), "inner DSCP kept on decap")


def case_mtu(ctx):
    """port ... mtu: a packet whose ESP would not fit is dropped; with DF its sender gets
    ICMP fragmentation needed with the inner MTU that fits (RFC 1191); jumbo frames."""
    conf = golden_conf("aes-128-gcm", outside="mtu 1280")
    fit = 1280 - (20 + 8 + 8) - 16 - 2  # outer IPv4, ESP header, IV, ICV, trailer: 1226

    def pkt(size, df, i):
        ip = IP(src="10.1.0.7", dst="10.2.0.7", id=i, flags="DF" if df else 0) / \
            UDP(sport=1000 + i, dport=9) / Raw(b"m" * (size - 28))
        return Ether() / IP(bytes(ip))
    inside = [pkt(fit, True, 1), pkt(fit + 1, True, 2), pkt(1300, False, 3), pkt(1000, False, 4)]
    r = Run(ctx, conf, [inside, []])
    out = [p for p in r.sent(1) if not (p[IP].flags.MF or p[IP].frag)]
    ctx.check(sorted(len(bytes(p[IP])) for p in out) == [1000 + 36 + 2 + 2 + 16, 1280],
              "the two that fit leave encrypted, the largest exactly 1280 bytes: %s"
              % sorted(len(bytes(p[IP])) for p in out))
    frags = [p[IP] for p in r.sent(1) if p[IP].flags.MF or p[IP].frag]
    whole = [p for p in defragment(frags) if not (p.flags.MF or p.frag)]
    sa = ipl_sa.scapy_sa("aes-128-gcm", 1001, "192.0.2.1", "192.0.2.2")
    ctx.check(len(frags) == 2 and all(len(bytes(p)) <= 1280 for p in frags) and len(whole) == 1
              and bytes(sa.decrypt(IP(bytes(whole[0])))) == fwd(inside[2]),
              "without DF the one too big is encrypted and its ESP fragmented to 1280 (%d "
              "fragments), scapy decrypts it" % len(frags))
    icmp = [p for p in r.sent(0) if ICMP in p]
    ok = (len(icmp) == 1 and icmp[0][ICMP].type == 3 and icmp[0][ICMP].code == 4 and
          icmp[0][ICMP].nexthopmtu == fit and icmp[0][IP].dst == "10.1.0.7" and
          icmp[0][IP].src == "192.0.2.1" and checksum(bytes(icmp[0][ICMP])) == 0 and
          bytes(icmp[0][ICMP].payload)[:20] == fwd(inside[1])[:20])
    ctx.check(ok, "one ICMP frag needed, MTU %d, to the sender, quoting its header: %s"
              % (fit, [p.summary() for p in icmp]))
    ctx.check(r.st.get("too_big") == 1 and r.st.get("icmp_too_big") == 1 and
              r.st.get("fragmented") == 1,
              "too big: %s (1, with DF), ICMP sent %s (1), fragmented %s (1)"
              % (r.st.get("too_big"), r.st.get("icmp_too_big"), r.st.get("fragmented")))
    # IPv6 in IPv6: ICMPv6 packet too big from our tunnel address
    conf = v6_conf("aes-128-gcm", outside="mtu 1400")
    fit6 = 1400 - (40 + 8 + 8) - 16 - 2  # 1326

    def pkt6(size, i):
        ip = IPv6(src="fd01::7", dst="fd02:0:0:1::7", fl=i) / UDP(sport=1000 + i, dport=9) / \
            Raw(b"m" * (size - 48))
        return ETH6 / IPv6(bytes(ip))
    # IPv4 with DF in the IPv6 tunnel (SA 5): too big, and no IPv4 address of ours there
    ip4in6 = Ether() / IP(bytes(IP(src="10.1.0.7", dst="10.2.1.7", id=3, flags="DF") /
                                UDP(sport=1003, dport=9) / Raw(b"m" * (fit6 + 1 - 28))))
    inside = [pkt6(fit6, 1), pkt6(fit6 + 1, 2), ip4in6]
    r = Run(ctx, conf, [inside, []])
    ctx.check([len(bytes(p[IPv6])) for p in r.sent(1)] == [1400],
              "IPv6: the one that fits leaves, exactly 1400 bytes")
    icmp4 = [p for p in r.sent(0) if ICMP in p]
    ctx.check(icmp4 == [] and r.st.get("too_big") == 2,
              "IPv4 in an IPv6 tunnel, too big with DF: dropped and counted (too_big %s of 2), no "
              "ICMP from an address that is not ours: %s" % (r.st.get("too_big"),
                                                             [p[IP].src for p in icmp4]))
    icmp = [p for p in r.sent(0) if ICMPv6PacketTooBig in p]
    ok = False
    if len(icmp) == 1:
        t = icmp[0][ICMPv6PacketTooBig]
        raw = IPv6(bytes(icmp[0][IPv6]))
        sent_ck = raw[ICMPv6PacketTooBig].cksum
        del raw[ICMPv6PacketTooBig].cksum
        ok = (t.mtu == fit6 and icmp[0][IPv6].src == "2001:db8::1" and
              icmp[0][IPv6].dst == "fd01::7" and
              IPv6(bytes(raw))[ICMPv6PacketTooBig].cksum == sent_ck and
              bytes(t.payload)[:40] == fwd(inside[1])[:40])
    ctx.check(ok and r.st.get("icmp_too_big") == 1,
              "ICMPv6 packet too big, MTU %d, from our tunnel address, checksum right: %s"
              % (fit6, [p.summary() for p in icmp]))
    conf = golden_conf("aes-128-gcm", inside="mtu 9000", outside="mtu 9000")
    big = [pkt(8000, True, 5)]
    r = Run(ctx, conf, [big, []])
    out = r.sent(1)
    inner = decrypt_all(ctx, ipl_sa.scapy_sa("aes-128-gcm", 1001, "192.0.2.1", "192.0.2.2"), out,
                        "jumbo")
    ctx.check(inner is not None and len(inner) == 1 and bytes(inner[0]) == fwd(big[0]),
              "mtu 9000: an 8000-byte packet goes through, scapy decrypts it")


def case_natt(ctx):
    """RFC 3948 UDP encapsulation (NAT traversal), both ciphers, against scapy's own
    (nat_t_header): what we send decrypts, what scapy sends decrypts; IKE (non-ESP marker)
    and keepalives are not taken for ESP; plain ESP for a NAT-T SA is refused."""
    n = 10
    for alg in ipl_sa.ALGS:
        conf = golden_conf(alg, out_opts="natt", in_opts="natt")
        clear = inner_pkts(n, seed=13)
        back = inner_pkts(n, src="10.2.0.", dst="10.1.0.", seed=14)
        sa_in = ipl_sa.scapy_sa(alg, 2001, "192.0.2.2", "192.0.2.1")
        sa_in.nat_t_header = UDP(sport=4500, dport=4500)
        esp = esp_frames(sa_in, back)
        plain = ipl_sa.scapy_sa(alg, 2001, "192.0.2.2", "192.0.2.1")
        extra = [Ether() / plain.encrypt(IP(ip_bytes(back[0])), seq_num=50),   # not in UDP
                 Ether() / IP(src="192.0.2.2", dst="192.0.2.1") / UDP(sport=4500, dport=4500) /
                 Raw(b"\0\0\0\0ike"),                                          # IKE
                 Ether() / IP(src="192.0.2.2", dst="192.0.2.1") / UDP(sport=4500, dport=4500) /
                 Raw(b"\xff")]                                                  # keepalive
        r = Run(ctx, conf, [clear, esp + extra])
        out = r.sent(1)
        udp_ok = all(UDP in p and p[UDP].sport == 4500 and p[UDP].dport == 4500 and
                     p[UDP].len == len(bytes(p[IP])) - 20 and p[IP].proto == 17 and
                     checksum(bytes(p[IP])[:20]) == 0 for p in out)
        sa_out = ipl_sa.scapy_sa(alg, 1001, "192.0.2.1", "192.0.2.2")
        sa_out.nat_t_header = UDP(sport=4500, dport=4500)
        ok = 0
        for p, c in zip(out, clear):
            try:
                ok += bytes(sa_out.decrypt(IP(bytes(p[IP])))) == fwd(c)
            except Exception as e:
                print("decrypt: %s" % e)
        ctx.check(len(out) == n and udp_ok and ok == n,
                  "%s NAT-T out: %d of %d in UDP 4500 (length right %s), scapy decrypts %d"
                  % (alg, len(out), n, udp_ok, ok))
        got = sorted(ip_bytes(p) for p in r.sent(0))
        ctx.check(got == sorted(fwd(p) for p in back),
                  "%s NAT-T in: scapy's ESP in UDP decrypted, %d of %d" % (alg, len(got), n))
        ctx.check(r.st.get("unknown_spi") == 1 and r.st.get("decrypted") == n,
                  "plain ESP for a NAT-T SA refused (%s), IKE and keepalive not taken for ESP"
                  % r.st.get("unknown_spi"))


CASES = {
    "esn": case_esn,
    "tunnel": case_tunnel,
    "mtu": case_mtu,
    "natt": case_natt,
}
