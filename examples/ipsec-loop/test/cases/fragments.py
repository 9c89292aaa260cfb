# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The mtag authors
"""Fragments both ways against scapy's."""

import ipl_sa
from harness.confs import frag_conf
from harness.packets import ETH6, fwd
from harness.runner import Run
from scapy.all import ICMP, IP, IPv6, UDP, Raw
from scapy.layers.inet import defragment, fragment
from scapy.layers.inet6 import IPv6ExtHdrFragment, defragment6, fragment6
from scapy.layers.ipsec import ESP
from scapy.utils import checksum


def udp4(src, dst, size, i, df=False):
    ip = IP(src=src, dst=dst, id=0x100 + i, flags="DF" if df else 0) / \
        UDP(sport=4000 + i, dport=53) / Raw(bytes((i + k) & 0xFF for k in range(size - 28)))
    return IP(bytes(ip))


def udp6(src, dst, size, i):
    return IPv6(bytes(IPv6(src=src, dst=dst, fl=i) / UDP(sport=4000 + i, dport=53) /
                      Raw(bytes((i * 3 + k) & 0xFF for k in range(size - 48)))))


def with_frag_hdr(p, layer, fid):
    """p (IPv6) with a fragment header in front of its layer, for scapy's fragment6()."""
    return IPv6(src=p.src, dst=p.dst, fl=p.fl, tc=p.tc, hlim=p.hlim) / \
        IPv6ExtHdrFragment(id=fid) / p[layer]


def case_fragments(ctx):
    """Fragments both ways against scapy's own (RFC 4301 7.1, RFC 8200, RFC 6864)."""
    alg = "aes-128-gcm"
    conf = frag_conf(alg)
    n = 4

    # Outbound: DF-clear packets whose ESP exceeds the outside MTU (1400) are encrypted,
    # the ESP packet fragmented (IPv4 and IPv6 tunnels); DF set: ICMP; 'df set': dropped.
    big4 = [udp4("10.1.0.7", "10.2.0.7", 1472, i) for i in range(n)]
    big46 = [udp4("10.1.0.8", "10.2.1.8", 1472, 10 + i) for i in range(n)]
    dfset = [udp4("10.1.0.9", "10.3.0.9", 1472, 20)]
    dfpkt = [udp4("10.1.0.9", "10.2.0.9", 1472, 21, df=True)]
    # Cleartext fragments from the inside: each meets its policy (proto udp, from the
    # IPv4 header or the IPv6 fragment header) and is encrypted on its own.
    clear4 = udp4("10.1.0.5", "10.2.0.5", 3000, 30)
    clear6 = udp6("fd01::5", "fd02::5", 3000, 31)
    f4 = fragment(clear4, fragsize=1200)
    f6 = fragment6(with_frag_hdr(clear6, UDP, 0x77), 1280)
    inside = [ETH6 / p for p in big4 + big46 + dfset + dfpkt + f4] + [ETH6 / p for p in f6]

    # Inbound: scapy's ESP of 3000-byte packets, the ESP fragmented to 1400 (IPv4 and IPv6
    # outer), fragments of the packets interleaved; reassembled, decrypted, and the
    # DF-clear inner IPv4 fragmented onto the inside port (MTU 1500).
    s2 = ipl_sa.scapy_sa(alg, 2001, "192.0.2.2", "192.0.2.1")
    s6 = ipl_sa.scapy_sa(alg, 2005, "2001:db8::2", "2001:db8::1")
    s8 = ipl_sa.scapy_sa(alg, 2007, "2001:db8::2", "2001:db8::1")
    back4 = [udp4("10.2.0.4", "10.1.0.4", 3000, 40 + i) for i in range(n)]
    back46 = [udp4("10.2.1.4", "10.1.0.4", 1400, 50)]
    frags = []
    for i, p in enumerate(back4):
        e = s2.encrypt(p, seq_num=i + 1)
        e.id = 0x500 + i
        frags.append(fragment(IP(bytes(e)), fragsize=1376))
    e6 = s6.encrypt(back46[0], seq_num=1)
    frags.append(fragment6(with_frag_hdr(IPv6(bytes(e6)), ESP, 0x1234), 1400))
    outside = []
    for k in range(max(len(f) for f in frags)):
        outside += [f[k] for f in frags[::-1] if k < len(f)]
    # After decryption: IPv6 fragments from the far gateway, each in its own ESP packet,
    # meet a policy that names UDP (the fragment header's).
    in6 = udp6("fd02::6", "fd01::6", 2500, 60)
    in6f = fragment6(with_frag_hdr(in6, UDP, 0x99), 1280)
    outside += [s8.encrypt(p, seq_num=i + 1) for i, p in enumerate(in6f)]
    outside = [ETH6 / p for p in outside]
    r = Run(ctx, conf, [inside, outside])
    st = r.st
    out = r.sent(1)

    def by_spi(pkts, v6):
        """ESP packets (IPv4 outer defragmented by scapy, IPv6 outer by defragment6)."""
        if not v6:
            return [p for p in defragment([p[IP] for p in pkts if IP in p and
                                            IPv6 not in p])
                    if ESP in p or (IP in p and p[IP].proto == 50)]
        six = [p[IPv6] for p in pkts if IPv6 in p]
        frs = {}
        whole = []
        for p in six:
            if IPv6ExtHdrFragment in p:
                frs.setdefault(p[IPv6ExtHdrFragment].id, []).append(p)
            else:
                whole.append(p)
        return whole + [defragment6(f) for f in frs.values()], sorted(frs)

    ip4 = [p for p in out if IP in p and IPv6 not in p]
    frag4 = [p for p in ip4 if p[IP].flags.MF or p[IP].frag]
    ctx.check(frag4 and all(len(bytes(p[IP])) <= 1400 and checksum(bytes(p[IP])[:20]) == 0
                            for p in frag4),
              "IPv4 ESP fragmented to the MTU: %d fragments, each <= 1400 bytes, checksums right"
              % len(frag4))
    ids = {}
    for p in frag4:
        ids.setdefault(p[IP].id, []).append(p)
    ctx.check(len(ids) == n and all(len(v) == 2 for v in ids.values()),
              "every fragmented ESP packet has its own outer identification (RFC 6864): %s"
              % {hex(k): len(v) for k, v in ids.items()})
    whole4 = by_spi(ip4, False)
    s1 = ipl_sa.scapy_sa(alg, 1001, "192.0.2.1", "192.0.2.2")
    dec = []
    for p in whole4:
        try:
            if IP(bytes(p))[ESP].spi == 1001:
                dec.append(bytes(s1.decrypt(IP(bytes(p)))))
        except Exception as e:
            print("decrypt: %s" % e)
    want = [fwd(ETH6 / p) for p in big4]
    got_clear = defragment([IP(d) for d in dec if IP(d).flags.MF or IP(d).frag])
    whole_clear = [d for d in dec if not (IP(d).flags.MF or IP(d).frag)]
    ctx.check(sorted(whole_clear) == sorted(want),
              "scapy reassembles our ESP fragments and decrypts them to the originals (%d of %d)"
              % (sum(d in want for d in whole_clear), n))
    ctx.check(len(got_clear) == 1 and bytes(got_clear[0]) == fwd(ETH6 / clear4) and
              len(dec) == n + len(f4),
              "cleartext IPv4 fragments encrypted one by one (%d ESP packets for %d), scapy puts "
              "the decrypted fragments together to the original" % (len(dec) - n, len(f4)))
    six, frag_ids = by_spi(out, True)
    s5 = ipl_sa.scapy_sa(alg, 1005, "2001:db8::1", "2001:db8::2")
    s7 = ipl_sa.scapy_sa(alg, 1007, "2001:db8::1", "2001:db8::2")
    d5, d7 = [], []
    for p in six:
        try:
            spi = IPv6(bytes(p))[ESP].spi
            sa = s5 if spi == 1005 else s7
            (d5 if spi == 1005 else d7).append(bytes(sa.decrypt(IPv6(bytes(p)))))
        except Exception as e:
            print("decrypt6: %s" % e)
    ctx.check(len(frag_ids) == n and 0 not in frag_ids and
              sorted(d5) == sorted(fwd(ETH6 / p) for p in big46),
              "IPv4 in IPv6: the outer IPv6 fragmented by us, fragment ids %s (none 0, one per "
              "packet), scapy decrypts all %d" % ([hex(x) for x in frag_ids], len(d5)))
    d7f = [IPv6(d) for d in d7]
    re6 = defragment6(d7f) if d7f else None
    ctx.check(len(d7) == len(f6) and re6 is not None and
              bytes(re6[UDP]) == bytes(clear6[UDP]),
              "cleartext IPv6 fragments meet 'proto udp' and are encrypted one by one (%d of %d), "
              "scapy puts them together" % (len(d7), len(f6)))
    icmp = [p for p in r.sent(0) if ICMP in p]
    ctx.check(len(icmp) == 1 and icmp[0][ICMP].type == 3 and icmp[0][ICMP].code == 4 and
              st.get("too_big") == 2,
              "DF set: ICMP fragmentation needed; 'df set' SA: dropped; too_big %s (2)"
              % st.get("too_big"))

    # Inbound
    inner = [p for p in r.sent(0) if ICMP not in p]
    v4 = [p[IP] for p in inner if IP in p and IPv6 not in p]
    v4f = [p for p in v4 if p.flags.MF or p.frag]
    ctx.check(v4f and all(len(bytes(p)) <= 1500 for p in v4f),
              "decrypted 3000-byte packets fragmented onto the inside MTU: %d fragments" % len(v4f))
    re4 = sorted(bytes(p) for p in defragment(v4f) if not (p.flags.MF or p.frag))
    want4 = sorted(fwd(ETH6 / p) for p in back4)
    ctx.check(re4 == want4,
              "scapy's fragmented ESP reassembled, decrypted, refragmented: %d of %d originals"
              % (sum(x in want4 for x in re4), n))
    whole_in = [bytes(p) for p in v4 if not (p.flags.MF or p.frag)]
    ctx.check(whole_in == [fwd(ETH6 / back46[0])],
              "ESP fragmented over IPv6 reassembled and decrypted (%d)" % len(whole_in))
    six_in = [p[IPv6] for p in inner if IPv6 in p]
    ok6 = False
    if six_in:
        re = defragment6([IPv6(bytes(p)) for p in six_in])
        ok6 = bytes(re[UDP]) == bytes(in6[UDP]) and re[IPv6].hlim == in6.hlim - 1
    ctx.check(len(six_in) == len(in6f) and ok6,
              "inner IPv6 fragments, each from its own ESP packet, pass 'proto udp' (%d of %d), "
              "one hop down, scapy puts them together" % (len(six_in), len(in6f)))
    ctx.check(st.get("reassembled") == n + 1 and st.get("frag_bad") == 0 and
              st.get("frag_table_full") == 0 and st.get("frag_timeout") == 0,
              "reassembled %s (%d), nothing lost" % (st.get("reassembled"), n + 1))
    ctx.check(st.get("policy_unprotected") == 0 and st.get("decrypted") == n + 1 + len(in6f),
              "the reassembled packets carry their IN_DONE tag: they pass 'protect' (%s decrypted)"
              % st.get("decrypted"))

    # Fragments of an ESP packet to us, found inside a tunnel (fragmented before the
    # outer encryption): they carry the outer SA's tag, which rte_ip_frag would lose;
    # dropped and counted (fragment), no tag lost.
    e = s2.encrypt(udp4("10.2.0.4", "10.1.0.4", 1400, 70), seq_num=100)
    e.id = 0x700
    nested = [ETH6 / s2.encrypt(f, seq_num=200 + i)
              for i, f in enumerate(fragment(IP(bytes(e)), fragsize=800))]
    r = Run(ctx, conf, [[], nested])
    ctx.check(r.st.get("fragment") == len(nested) and r.st.get("reassembled") == 0 and
              r.st.get("decrypted") == len(nested),
              "ESP fragments to us inside a tunnel: %s of %d dropped (fragment), none put together"
              % (r.st.get("fragment"), len(nested)))

    # The table's bounds: 2 packets at a time, 300 ms: the first fragments of 3 packets
    # (the third finds no room), then nothing: the two wait out their time.
    firsts = [ETH6 / f[0] for f in frags[:3]]
    r = Run(ctx, conf, [[], firsts], extra=["--frag-table", "2", "--frag-ttl", "300"])
    st = r.st
    ctx.check(st.get("frag_table_full") == 1 and st.get("frag_timeout") == 2 and
              st.get("reassembled") == 0 and not r.sent(0),
              "--frag-table 2: table full %s (1), timed out %s (2), nothing out"
              % (st.get("frag_table_full"), st.get("frag_timeout")))
    # --no-fragment and --no-reassemble: dropped and counted instead.
    r = Run(ctx, conf, [[ETH6 / p for p in big4], outside[:4]],
            extra=["--no-fragment", "--no-reassemble"])
    st = r.st
    ctx.check(st.get("too_big") == n and st.get("fragment") == 4 and not r.sent(1) and
              st.get("encrypted") == 0 and st.get("reassembled") == 0,
              "--no-fragment: %s too big (%d); --no-reassemble: %s fragments dropped (4)"
              % (st.get("too_big"), n, st.get("fragment")))


CASES = {
    "fragments": case_fragments,
}
