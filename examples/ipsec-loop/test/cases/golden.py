# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The mtag authors
"""The configuration parser, and the two directions against scapy's ESP."""

import os

import ipl_sa
from harness.confs import golden_conf
from harness.packets import ETH6, decrypt_all, esp_frames, fwd, inner_pkts, ip_bytes, outer_ok
from harness.runner import Run, check_config
from scapy.all import IP, Ether


def case_config(ctx):
    """The shipped configurations parse, and one with IPv6 and the newer options; broken
    ones are refused naming their line."""
    srcdir = os.path.join(ctx.source, "..", "..", "config")
    confs = sorted(f for f in os.listdir(srcdir) if f.startswith("ipsec-loop"))
    ctx.check(len(confs) >= 3, "config/ has the example configurations (%d)" % len(confs))
    good = ("port 0 inside\nport 1 outside\n"
            "sa out 1 spi 1000 tunnel 2001:db8::1 2001:db8::2 null esn seq 0xfffffff0 df clear\n"
            "sa in 2 spi 1001 tunnel 2001:db8::2 2001:db8::1 null esn replay-window 128\n"
            "sa out 3 spi 1002 tunnel 2001:db8::1 2001:db8::2 null\n"
            "sp out 10.1.0.0/16 any protect 3\nsp out fd00:1::/32 any proto udp protect 1\n"
            "sp in any any bypass\nroute 2001:db8::/64 port 1\nroute any port 0\n"
            "route ::ffff:0.0.0.0/96 port 1\n")
    p = check_config(ctx, ctx.write("good.conf", good))
    ctx.check(p.returncode == 0 and "3 policies, 3 routes" in p.stdout,
              "IPv6 prefixes, tunnels, esn, seq, df: %s" % p.stdout.strip())
    for c in confs:
        p = check_config(ctx, os.path.join(srcdir, c))
        ctx.check(p.returncode == 0, "%s parses: %s" % (c, p.stdout.strip()))
    bad = [
        ("port 0 inside\nport 0 outside\n", "line 2", "declared twice"),
        ("port 0 inside\n\n# c\nsa out 1 spi 1000 tunnel 1.2.3.4 5.6.7.8 aes-128-gcm "
         "key 0011 salt 01020304\n", "line 4", "16-byte key"),
        ("sp out any any protect 9\n", "line 1", "not defined"),
        ("sa in 1 spi 1000 tunnel 1.2.3.4 5.6.7.8 null\nsp out any any protect 1\n",
         "line 2", "inbound SA"),
        ("route 10.0.0.0/33 port 0\n", "line 1", "usage"),
        ("port 0 inside\nroute 10.0.0.0/8 port 1\n", "line 2", "not declared"),
        ("frobnicate\n", "line 1", "unknown statement"),
        ("sa out 1 spi 1000 tunnel 1.2.3 5.6.7.8 null\n", "line 1", "tunnel"),
        ("sa out 1 spi 1000 tunnel 1.2.3.4 5.6.7.8 aes-128-cbc-sha256 key "
         "00112233445566778899aabbccddeeff auth-key 00\n", "line 1", "auth-key"),
        ("sp in 10.0.0.0/8 any bypass extra\n", "line 1", "expected"),
        ("loop sometimes\n", "line 1", "loop drop"),
        ("port 0 inside\n# a comment\nloop port 3\n", "line 3", "not declared"),
        # options that do not apply, options twice
        ("port 1 outside\nroute 5.6.7.8/32 port 1\n"
         "sa out 1 spi 1000 tunnel 1.2.3.4 5.6.7.8 null replay-window 32\n",
         "line 3", "inbound SAs only"),
        ("sa in 1 spi 1000 tunnel 1.2.3.4 5.6.7.8 aes-128-gcm key "
         "00112233445566778899aabbccddeeff salt 01020304 key 00112233445566778899aabbccddeeff\n",
         "line 1", "'key' given twice"),
        ("sa in 1 spi 1000 tunnel 1.2.3.4 5.6.7.8 null replay-window 8 replay-window 9\n",
         "line 1", "given twice"),
        ("sa in 1 spi 1000 tunnel 1.2.3.4 5.6.7.8 null df set\n", "line 1",
         "outbound SAs only"),
        ("sa in 1 spi 1000 tunnel 1.2.3.4 5.6.7.8 null seq 0x100000000\n", "line 1", "esn"),
        ("port 1 outside mtu 20\n", "line 1", "mtu must be 68..9600"),
        ("port 1 outside mtu 1400 mtu 1500\n", "line 1", "'mtu' given twice"),
        ("port 1 outside name net_pcap1 name net_pcap0\n", "line 1", "'name' given twice"),
        # an SA endpoint without a route
        ("port 1 outside\nroute 10.0.0.0/8 port 1\n\n"
         "sa out 4 spi 1000 tunnel 1.2.3.4 5.6.7.8 null\n", "line 4", "no route"),
        # one next hop per prefix
        ("port 1 outside\nroute 10.0.0.0/8 port 1\nroute 10.1.0.0/16 port 1\n"
         "route 10.0.0.0/8 outbound\n", "line 4", "already given on line 2"),
        ("port 1 outside\nroute any port 1\nroute 0.0.0.0/0 outbound\n", "line 3",
         "already given on line 2"),
        # families
        ("sp out 10.0.0.0/8 2001:db8::/32 bypass\n", "line 1", "two families"),
        ("sa in 1 spi 1000 tunnel 1.2.3.4 2001:db8::1 null\n", "line 1", "two families"),
        ("route 2001:db8::/129 port 0\n", "line 1", "usage"),
        ("sa in 1 spi 1000 tunnel 2001:db8::1 2001:db8::2 null natt\n", "line 1",
         "natt needs an IPv4 tunnel"),
        ("sa in 1 spi 1000 tunnel 1.2.3.4 5.6.7.8 null\nsp in 10.0.0.0/8 any protect 1\n"
         "sp in fd00::/8 any protect 1\n", "line 3", "one inner family"),
    ]
    for i, (text, line, words) in enumerate(bad):
        p = check_config(ctx, ctx.write("bad%d.conf" % i, text))
        msg = p.stdout.strip()
        ctx.check(p.returncode != 0 and line + ":" in msg and words in msg,
                  "bad config %d rejected naming %s: %s" % (i, line, msg))


def case_golden_out(ctx):
    """Both ciphers: scapy decrypts all we encrypt to the originals; outer header, checksum,
    SPI and sequence numbers right. Then the Ethernet header we send (l2_check)."""
    n = 40
    for alg in ipl_sa.ALGS:
        clear = inner_pkts(n, seed=len(alg))
        r = Run(ctx, golden_conf(alg), [clear, []])
        out = r.sent(1)
        ctx.check(len(out) == n, "%s: %d ESP packets out of %d sent" % (alg, len(out), n))
        ctx.check(r.st.get("encrypted") == n,
                  "%s: encrypted counter %s" % (alg, r.st.get("encrypted")))
        err = outer_ok(out, "192.0.2.1", "192.0.2.2", 1001)
        ctx.check(err is None, "%s: outer IPv4 + ESP headers (%s)" % (alg, err))
        sa = ipl_sa.scapy_sa(alg, 1001, "192.0.2.1", "192.0.2.2")
        inner = decrypt_all(ctx, sa, out, alg)
        if inner is not None:
            same = sum(1 for a, b in zip(inner, clear) if bytes(a) == fwd(b))
            ctx.check(same == n, "%s: scapy decrypts all %d to the original packets (%d equal)"
                      % (alg, n, same))
    l2_check(ctx)


def l2_check(ctx):
    """Ethernet on TX: a route's mac, else the port's peer, else broadcast."""
    conf = golden_conf("aes-128-gcm", inside="peer 02:00:00:00:00:77",
                       peer_route="mac 02:00:00:00:00:99")
    sa = ipl_sa.scapy_sa("aes-128-gcm", 2001, "192.0.2.2", "192.0.2.1")
    back = inner_pkts(4, src="10.2.0.", dst="10.1.0.", seed=3)
    esp = esp_frames(sa, back, ETH6)
    r = Run(ctx, conf, [[ETH6 / p[IP] for p in inner_pkts(4)], esp])
    out, back_out = r.sent(1), r.sent(0)
    ctx.check(len(out) == 4 and all(p[Ether].dst == "02:00:00:00:00:99" and p[Ether].type == 0x800
                                    for p in out) and
              len(back_out) == 4 and all(p[Ether].dst == "02:00:00:00:00:77" for p in back_out) and
              len({p[Ether].src for p in out + back_out}) == 2,
              "Ethernet: the route's mac, the port's peer, each port's own source: %s"
              % sorted({(p[Ether].src, p[Ether].dst) for p in out + back_out}))


def case_golden_in(ctx):
    """Both ciphers: scapy encrypts, we decrypt to the originals."""
    n = 40
    for alg in ipl_sa.ALGS:
        clear = inner_pkts(n, src="10.2.0.", dst="10.1.0.", seed=3)
        sa = ipl_sa.scapy_sa(alg, 2001, "192.0.2.2", "192.0.2.1")
        esp = esp_frames(sa, clear)
        r = Run(ctx, golden_conf(alg), [[], esp])
        out = r.sent(0)
        ctx.check(len(out) == n, "%s: %d cleartext packets out of %d ESP sent" % (alg, len(out), n))
        same = sum(1 for a, b in zip(out, clear) if ip_bytes(a) == fwd(b))
        ctx.check(same == n, "%s: all %d decrypt to scapy's originals (%d equal)" % (alg, n, same))
        ctx.check(r.st.get("decrypted") == n and r.st["sa"]["2"]["pkts"] == n,
                  "%s: decrypted counters %s/%s" % (alg, r.st.get("decrypted"),
                                                    r.st.get("sa", {}).get("2")))


CASES = {
    "config": case_config,
    "golden-out": case_golden_out,
    "golden-in": case_golden_in,
}
