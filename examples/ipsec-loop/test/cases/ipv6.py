# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The mtag authors
"""IPv6 inner and outer, the four combinations; tshark decrypts what we send."""

import os
import shutil
import subprocess

import ipl_sa
from harness.confs import V6_COMBOS, v6_conf
from harness.packets import ETH6, fwd, inner_any, inner_of
from harness.runner import Run
from scapy.all import IP, UDP, IPv6, Raw
from scapy.layers.inet6 import IPv6ExtHdrFragment, IPv6ExtHdrHopByHop
from scapy.layers.ipsec import ESP
from scapy.utils import checksum


def case_ipv6(ctx):
    """IPv6 inner and outer, the four combinations, both ciphers, against scapy's ESP in
    both directions; tshark decrypts what we sent; extension headers dropped, counted."""
    n = 12
    for alg in ipl_sa.ALGS:
        conf = v6_conf(alg)
        inside, outside, want_out, want_in = [], [], {}, []
        for k, (name, src, dst, spi, spi_in, v6) in enumerate(V6_COMBOS):
            clear = inner_any(src, dst, n, seed=k)
            inside += clear
            want_out[spi] = (name, [fwd(p) for p in clear], v6)
            back = inner_any(dst, src, n, seed=k + 5)
            osrc, odst = ("2001:db8::2", "2001:db8::1") if v6 else ("192.0.2.2", "192.0.2.1")
            sa = ipl_sa.scapy_sa(alg, spi_in, osrc, odst)
            layer = IPv6 if ":" in src else IP
            outside += [ETH6 / sa.encrypt(layer(inner_of(p)), seq_num=i + 1)
                        for i, p in enumerate(back)]
            want_in += [fwd(p) for p in back]
        # extension headers: hop-by-hop options, and one after a fragment header (a
        # fragment header alone is let in: case_fragments), inside and outside
        ext = [ETH6 / IPv6(src="fd01::9", dst="fd02::9") / IPv6ExtHdrHopByHop() / UDP(),
               ETH6 / IPv6(src="fd01::9", dst="fd02::9") / IPv6ExtHdrFragment(m=1) /
               IPv6ExtHdrHopByHop() / UDP() / Raw(b"f" * 8)]
        r = Run(ctx, conf, [inside + ext, outside + ext])
        sent = r.sent(1)
        for spi, (name, want, v6) in sorted(want_out.items()):
            got = [p for p in sent if ESP in p and p[ESP].spi == spi]
            outer_ok = all((IPv6 in p and IP not in p and p[IPv6].nh == 50 and
                            p[IPv6].src == "2001:db8::1" and p[IPv6].dst == "2001:db8::2")
                           if v6 else (IP in p and p[IP].proto == 50 and
                                       checksum(bytes(p[IP])[:20]) == 0) for p in got)
            sa = ipl_sa.scapy_sa(alg, spi, "2001:db8::1" if v6 else "192.0.2.1",
                                 "2001:db8::2" if v6 else "192.0.2.2")
            dec = []
            for p in got:
                try:
                    outer = IPv6(bytes(p[IPv6])) if v6 else IP(bytes(p[IP]))
                    dec.append(bytes(sa.decrypt(outer)))
                except Exception as e:
                    print("decrypt %s: %s" % (name, e))
            ctx.check(len(got) == n and outer_ok and dec == want,
                      "%s %s out: %d of %d, outer header right %s, scapy decrypts all to the "
                      "originals (%d)" % (alg, name, len(got), n, outer_ok,
                                          sum(a == b for a, b in zip(dec, want))))
        # SAs 1 and 3 share their tunnel endpoints: the outer identification of each packet
        # is its own (RFC 6864), not the SA's sequence number
        ids = [p[IP].id for p in sent if IP in p and p[IP].dst == "192.0.2.2"]
        ctx.check(len(ids) == 2 * n and len(set(ids)) == len(ids),
                  "%s: outer IPv4 identifications of two SAs between the same endpoints: %d "
                  "different of %d" % (alg, len(set(ids)), len(ids)))
        back_out = sorted(inner_of(p) for p in r.sent(0))
        ctx.check(back_out == sorted(want_in), "%s: scapy's ESP of the four kinds decrypted, "
                  "%d of %d to the originals" % (alg, len(back_out), len(want_in)))
        ctx.check(r.st.get("ip_options") == 4,
                  "extension headers dropped and counted: options %s (4)"
                  % r.st.get("ip_options"))
        tshark_check(ctx, alg, r, want_out)


def tshark_check(ctx, alg, r, want_out):
    """Wireshark's own ESP dissector decrypts what we sent over IPv6."""
    if shutil.which("tshark") is None:
        print("(no tshark: skipped)")
        return
    if alg == "aes-128-gcm":
        enc, key, auth, akey = ("AES-GCM with 16 octet ICV [RFC4106]",
                                "0x" + ipl_sa.KEY + ipl_sa.SALT, "NULL", "")
    else:
        enc, key, auth, akey = ("AES-CBC [RFC3602]", "0x" + ipl_sa.KEY,
                                "HMAC-SHA-256-128 [RFC4868]", "0x" + ipl_sa.AUTH_KEY)
    uat = []
    for spi, (name, want, v6) in want_out.items():
        src, dst = ("2001:db8::1", "2001:db8::2") if v6 else ("192.0.2.1", "192.0.2.2")
        uat.append('"IPv%d","%s","%s","0x%08x","%s","%s","%s","%s"'
                   % (6 if v6 else 4, src, dst, spi, enc, key, auth, akey))
    home = os.path.join(r.dir, "wshome")
    prof = os.path.join(home, ".config", "wireshark")
    os.makedirs(prof)
    with open(os.path.join(prof, "esp_sa"), "w") as f:
        f.write("\n".join(uat) + "\n")
    p = subprocess.run(["tshark", "-r", r.tx[1][0], "-o", "esp.enable_encryption_decode:TRUE",
                        "-T", "fields", "-e", "esp.spi", "-e", "ipv6.src", "-e", "ip.src",
                        "-e", "udp.dstport", "-e", "icmpv6.type", "-e", "icmp.type"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       env=dict(os.environ, HOME=home))
    rows = [l.split("\t") for l in p.stdout.splitlines()]
    for spi, (name, want, v6) in sorted(want_out.items()):
        mine = [x for x in rows if x[0] == "0x%08x" % spi or x[0] == str(spi)]
        inner = [x for x in mine if x[3] == "2000" or x[4] == "128" or x[5] == "8"]
        good = len(mine) == len(want) and len(inner) == len(want)
        ctx.check(good, "%s %s: tshark decrypts %d of %d of our packets to UDP/ICMP%s"
                  % (alg, name, len(inner), len(want), "" if good else " (%s)" % p.stderr[-300:]))


CASES = {
    "ipv6": case_ipv6,
}
