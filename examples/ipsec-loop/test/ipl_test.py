#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The mtag authors
"""Tests of dpdk-ipsec-loop, checked against scapy's independent ESP.

Each case writes a configuration and input pcaps, runs the example on
net_pcap ports with a software crypto device for a second or two, and checks
what came out (decrypting it with scapy) and the counters it wrote as JSON.
Every run must end with no tag and no mbuf in use (the example checks and
exits 3 otherwise).

usage: ipl_test.py CASE --bin PATH --source DIR
"""

import argparse
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import crypto_probe  # noqa: E402
import ipl_sa  # noqa: E402

from scapy.all import ARP, ICMP, IP, IPv6, UDP, Ether, Raw, rdpcap, wrpcap  # noqa: E402
from scapy.layers.inet import IPOption_RR  # noqa: E402
from scapy.layers.ipsec import ESP  # noqa: E402
from scapy.utils import checksum  # noqa: E402

SKIP = 77
ARGS = None
FAILS = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILS.append(what)


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


class Run:
    """One run of the example on net_pcap ports."""

    counter = 0

    def __init__(self, tmp, conf, rx, extra=(), crypto=None, duration=1.5, queues=1,
                 during=None):
        Run.counter += 1
        self.dir = os.path.join(tmp, "run%d" % Run.counter)
        os.makedirs(self.dir)
        conf_path = os.path.join(self.dir, "ipl.conf")
        with open(conf_path, "w") as f:
            f.write(conf)
        vdevs = []
        self.tx = []
        for i, pkts in enumerate(rx):
            # With several queues, queue q gets packets q, q + queues, ...
            args, txq = [], []
            for q in range(queues):
                rxf = os.path.join(self.dir, "rx%d_%d.pcap" % (i, q))
                txf = os.path.join(self.dir, "tx%d_%d.pcap" % (i, q))
                write_pcap(rxf, pkts[q::queues])
                txq.append(txf)
                args.append("rx_pcap=%s,tx_pcap=%s" % (rxf, txf))
            self.tx.append(txq)
            vdevs += ["--vdev", "net_pcap%d,%s" % (i, ",".join(args))]
        vdevs += ["--vdev", crypto or ARGS.crypto]
        self.stats_path = os.path.join(self.dir, "stats.json")
        runtime = os.path.join(self.dir, "rt")
        os.makedirs(runtime)
        cmd = [ARGS.bin, "-l", "0-%d" % (queues - 1), "--no-huge", "-m", "256", "--no-pci", "--no-shconf",
               "--file-prefix", "ipl%d_%d" % (os.getpid(), Run.counter),
               "--log-level", "*:warning"] + vdevs + [
            "--", "-f", conf_path, "--duration", str(duration), "--stats-interval", "0",
            "--stats-file", self.stats_path] + list(extra)
        env = dict(os.environ, RUNTIME_DIRECTORY=runtime)
        self.sock = os.path.join(runtime, "dpdk", "ipl%d_%d" % (os.getpid(), Run.counter),
                                 "dpdk_telemetry.v2")
        p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True)
        self.during = during(self) if during is not None else None
        self.out, _ = p.communicate(timeout=60)
        self.rc = p.returncode
        print(self.out)
        self.st = {}
        if os.path.exists(self.stats_path):
            with open(self.stats_path) as f:
                self.st = json.load(f)
        check(self.rc == 0, "example exits 0 (rc %d)" % self.rc)
        check(self.st.get("tags_in_use") == 0 and self.st.get("mbufs_in_use") == 0,
              "no tag and no mbuf leaked")

    def sent(self, port):
        return [pkt for f in self.tx[port] for pkt in read_pcap(f)]


def ports_conf():
    return "port 0 inside\nport 1 outside\n"


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


def ip_bytes(p):
    return bytes(p[IP])


def decrypt_all(sa, pkts, what):
    """scapy-decrypt pkts with sa; returns the inner IP packets or None."""
    out = []
    for p in pkts:
        if IP not in p or ESP not in p:
            check(False, "%s: output packet is ESP" % what)
            return None
        ip = IP(bytes(p[IP]))
        try:
            out.append(sa.decrypt(ip))
        except Exception as e:  # scapy raises on a bad ICV or padding
            check(False, "%s: scapy decrypts our ESP (%s)" % (what, e))
            return None
    return out


def outer_ok(pkts, src, dst, spi):
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


# ---------------------------------------------------------------- cases

def case_config(tmp):
    srcdir = os.path.join(ARGS.source, "..", "..", "config")
    confs = sorted(f for f in os.listdir(srcdir) if f.startswith("ipsec-loop"))
    check(len(confs) >= 3, "config/ has the example configurations (%d)" % len(confs))
    for c in confs:
        p = subprocess.run([ARGS.bin, "--check-config", os.path.join(srcdir, c)],
                           stdout=subprocess.PIPE, text=True)
        check(p.returncode == 0, "%s parses: %s" % (c, p.stdout.strip()))
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
    ]
    for i, (text, line, words) in enumerate(bad):
        path = os.path.join(tmp, "bad%d.conf" % i)
        with open(path, "w") as f:
            f.write(text)
        p = subprocess.run([ARGS.bin, "--check-config", path], stdout=subprocess.PIPE,
                           text=True)
        msg = p.stdout.strip()
        check(p.returncode != 0 and line + ":" in msg and words in msg,
              "bad config %d rejected naming %s: %s" % (i, line, msg))


def golden_conf(alg):
    return ports_conf() + (
        "sa out 1 spi 1001 tunnel 192.0.2.1 192.0.2.2 %s\n"
        "sa in 2 spi 2001 tunnel 192.0.2.2 192.0.2.1 %s\n"
        "sp out 10.1.0.0/16 10.2.0.0/16 protect 1\n"
        "sp in 10.2.0.0/16 10.1.0.0/16 protect 2\n"
        "route 192.0.2.2/32 port 1\n"
        "route 10.1.0.0/16 port 0\n") % (ipl_sa.conf_words(alg), ipl_sa.conf_words(alg))


def case_golden_out(tmp):
    n = 40
    for alg in ipl_sa.ALGS:
        clear = inner_pkts(n, seed=len(alg))
        r = Run(tmp, golden_conf(alg), [clear, []])
        out = r.sent(1)
        check(len(out) == n, "%s: %d ESP packets out of %d sent" % (alg, len(out), n))
        check(r.st.get("encrypted") == n, "%s: encrypted counter %s" % (alg, r.st.get("encrypted")))
        err = outer_ok(out, "192.0.2.1", "192.0.2.2", 1001)
        check(err is None, "%s: outer IPv4 + ESP headers (%s)" % (alg, err))
        sa = ipl_sa.scapy_sa(alg, 1001, "192.0.2.1", "192.0.2.2")
        inner = decrypt_all(sa, out, alg)
        if inner is not None:
            same = sum(1 for a, b in zip(inner, clear) if bytes(a) == ip_bytes(b))
            check(same == n, "%s: scapy decrypts all %d to the original packets (%d equal)"
                  % (alg, n, same))


def case_golden_in(tmp):
    n = 40
    for alg in ipl_sa.ALGS:
        clear = inner_pkts(n, src="10.2.0.", dst="10.1.0.", seed=3)
        sa = ipl_sa.scapy_sa(alg, 2001, "192.0.2.2", "192.0.2.1")
        esp = [Ether() / sa.encrypt(IP(ip_bytes(p)), seq_num=i + 1) for i, p in enumerate(clear)]
        r = Run(tmp, golden_conf(alg), [[], esp])
        out = r.sent(0)
        check(len(out) == n, "%s: %d cleartext packets out of %d ESP sent" % (alg, len(out), n))
        same = sum(1 for a, b in zip(out, clear) if ip_bytes(a) == ip_bytes(b))
        check(same == n, "%s: all %d decrypt to scapy's originals (%d equal)" % (alg, n, same))
        check(r.st.get("decrypted") == n and r.st["sa"]["2"]["pkts"] == n,
              "%s: decrypted counters %s/%s" % (alg, r.st.get("decrypted"),
                                                r.st.get("sa", {}).get("2")))


def loop_conf(action):
    return ports_conf() + (
        "sa out 1 spi 1001 tunnel 192.0.2.1 192.0.2.2 %s\n"
        "sp out any any protect 1\n"
        "# the tunnel endpoint routed back into outbound processing: a loop\n"
        "route 192.0.2.2/32 outbound\n"
        "loop %s\n") % (ipl_sa.conf_words("aes-128-gcm"), action)


def case_loop(tmp):
    n = 50
    clear = inner_pkts(n)
    r = Run(tmp, loop_conf("drop"), [clear, []])
    check(r.st.get("loops") == n, "tags: loops caught %s == packets sent %d"
          % (r.st.get("loops"), n))
    check(r.st.get("encrypted") == n and r.st["sa"]["1"]["pkts"] == n,
          "tags: each packet encrypted once (%s)" % r.st.get("encrypted"))
    check(r.st.get("enc_hist", [0, 0])[1] == n and r.st.get("loop_limit") == 0,
          "tags: histogram %s, limit never hit" % r.st.get("enc_hist"))
    check(len(r.sent(1)) == 0, "tags: looping packets dropped (loop drop)")

    r = Run(tmp, loop_conf("port 1"), [clear, []])
    out = r.sent(1)
    check(r.st.get("loops") == n and len(out) == n,
          "loop port 1: %d of %d looping packets sent out" % (len(out), n))
    inner = decrypt_all(ipl_sa.scapy_sa("aes-128-gcm", 1001, "192.0.2.1", "192.0.2.2"), out,
                        "loop")
    if inner is not None:
        same = sum(1 for a, b in zip(inner, clear) if bytes(a) == ip_bytes(b))
        check(same == n, "loop port 1: encrypted exactly once, scapy gets the originals (%d)"
              % same)

    passes = 6
    r = Run(tmp, loop_conf("drop"), [clear, []],
            extra=["--no-loop-detect", "--max-passes", str(passes)])
    check(r.st.get("loops") == 0 and r.st.get("loop_limit") == n,
          "no tags: the pass limit stops all %d (%s)" % (n, r.st.get("loop_limit")))
    check(r.st.get("encrypted") == n * passes,
          "no tags: %d encryptions for %d packets (%d passes)" % (r.st.get("encrypted", -1), n,
                                                                 passes))
    check(r.st.get("enc_hist", [0] * 17)[passes] == n,
          "no tags: every packet encrypted %d times (%s)" % (passes, r.st.get("enc_hist")))
    check(r.st.get("max_growth", 0) >= passes * (20 + 8 + 8 + 16 + 2),
          "no tags: packets grew by up to %s bytes" % r.st.get("max_growth"))


def case_nested(tmp):
    n = 30
    conf = ports_conf() + (
        "sa out 1 spi 1001 tunnel 192.0.2.1 192.0.2.2 %s\n"
        "sa out 2 spi 1002 tunnel 198.51.100.1 198.51.100.2 %s\n"
        "sa in 3 spi 2001 tunnel 192.0.2.2 192.0.2.1 %s\n"
        "sa in 4 spi 2002 tunnel 198.51.100.2 198.51.100.1 %s\n"
        "sp out any 192.0.2.2/32 protect 2\n"
        "sp out 10.1.0.0/16 10.2.0.0/16 protect 1\n"
        "sp in 10.2.0.0/16 10.1.0.0/16 protect 3\n"
        "route 192.0.2.2/32 outbound\n"
        "route 198.51.100.2/32 port 1\n"
        "route 10.1.0.0/16 port 0\n") % (
        ipl_sa.conf_words("aes-128-gcm"), ipl_sa.conf_words("aes-128-cbc-sha256"),
        ipl_sa.conf_words("aes-128-gcm"), ipl_sa.conf_words("aes-128-cbc-sha256"))
    clear = inner_pkts(n)
    back = inner_pkts(n, src="10.2.0.", dst="10.1.0.", seed=5)
    i1 = ipl_sa.scapy_sa("aes-128-gcm", 2001, "192.0.2.2", "192.0.2.1")
    i2 = ipl_sa.scapy_sa("aes-128-cbc-sha256", 2002, "198.51.100.2", "198.51.100.1")
    esp = [Ether() / i2.encrypt(i1.encrypt(IP(ip_bytes(p)), seq_num=k + 1), seq_num=k + 1)
           for k, p in enumerate(back)]
    r = Run(tmp, conf, [clear, esp])
    out = r.sent(1)
    check(len(out) == n and r.st.get("loops") == 0, "bundle: %d of %d out, no loop reported"
          % (len(out), n))
    check(r.st.get("sa", {}).get("1", {}).get("pkts") == n and r.st["sa"]["2"]["pkts"] == n,
          "bundle: each SA used once per packet")
    o2 = decrypt_all(ipl_sa.scapy_sa("aes-128-cbc-sha256", 1002, "198.51.100.1",
                                     "198.51.100.2"), out, "outer SA 2")
    if o2 is not None:
        o1 = decrypt_all(ipl_sa.scapy_sa("aes-128-gcm", 1001, "192.0.2.1", "192.0.2.2"), o2,
                         "inner SA 1")
        if o1 is not None:
            same = sum(1 for a, b in zip(o1, clear) if bytes(a) == ip_bytes(b))
            check(same == n, "bundle: scapy peels SA 2 then SA 1 to the originals (%d)" % same)
    back_out = r.sent(0)
    same = sum(1 for a, b in zip(back_out, back) if ip_bytes(a) == ip_bytes(b))
    check(same == n and r.st.get("decrypted") == 2 * n,
          "nested inbound: %d of %d decrypted twice and passed policy (decrypted %s)"
          % (same, n, r.st.get("decrypted")))


def case_policy(tmp):
    conf = ports_conf() + (
        "sa in 3 spi 3001 tunnel 192.0.2.2 192.0.2.1 %s\n"
        "sa in 4 spi 4001 tunnel 192.0.2.2 192.0.2.1 %s\n"
        "sp in 10.2.0.0/16 10.1.0.0/16 protect 3\n"
        "sp in 10.3.0.0/16 10.1.0.0/16 bypass\n"
        "sp in any any discard\n"
        "route 10.1.0.0/16 port 0\n") % (ipl_sa.conf_words("aes-128-gcm"),
                                         ipl_sa.conf_words("aes-128-cbc-sha256"))
    s3 = ipl_sa.scapy_sa("aes-128-gcm", 3001, "192.0.2.2", "192.0.2.1")
    s4 = ipl_sa.scapy_sa("aes-128-cbc-sha256", 4001, "192.0.2.2", "192.0.2.1")
    unprot = inner_pkts(10, src="10.2.0.", dst="10.1.0.")
    wrong = [Ether() / s4.encrypt(IP(ip_bytes(p)), seq_num=i + 1)
             for i, p in enumerate(inner_pkts(7, src="10.2.0.", dst="10.1.0.", seed=1))]
    good_clear = inner_pkts(5, src="10.2.0.", dst="10.1.0.", seed=2)
    good = [Ether() / s3.encrypt(IP(ip_bytes(p)), seq_num=i + 1) for i, p in enumerate(good_clear)]
    bypass = inner_pkts(3, src="10.3.0.", dst="10.1.0.")
    discard = inner_pkts(2, src="10.9.0.", dst="10.1.0.")
    rx = []
    for grp in (unprot, wrong, good, bypass, discard):
        rx += grp
    r = Run(tmp, conf, [[], rx])
    check(r.st.get("policy_unprotected") == 10,
          "(a) cleartext that must be protected: %s of 10 dropped" % r.st.get("policy_unprotected"))
    check(r.st.get("policy_wrong_sa") == 7,
          "(b) protected under the wrong SA: %s of 7 dropped" % r.st.get("policy_wrong_sa"))
    check(r.st.get("policy_discard") == 2, "discard policy: %s of 2" % r.st.get("policy_discard"))
    out = r.sent(0)
    want = [ip_bytes(p) for p in good_clear + bypass]
    check(sorted(ip_bytes(p) for p in out) == sorted(want),
          "right SA and bypass pass: %d of %d" % (len(out), len(want)))
    check(r.st.get("decrypted") == 12, "decrypted %s of 12" % r.st.get("decrypted"))


def case_malformed(tmp):
    conf = ports_conf() + (
        "sa in 3 spi 3001 tunnel 192.0.2.2 192.0.2.1 %s\n"
        "sa in 5 spi 5001 tunnel 192.0.2.2 192.0.2.1 %s replay-window 64\n"
        "sa out 1 spi 1001 tunnel 192.0.2.1 192.0.2.2 %s\n"
        "sp in 10.2.0.0/16 10.1.0.0/16 protect 3\n"
        "sp in 10.4.0.0/16 10.1.0.0/16 protect 5\n"
        "sp out any any protect 1\n"
        "route 10.1.0.0/16 port 0\n"
        "route 192.0.2.2/32 port 1\n") % (ipl_sa.conf_words("aes-128-gcm"),
                                          ipl_sa.conf_words("aes-128-cbc-sha256"),
                                          ipl_sa.conf_words("aes-128-gcm"))
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
        Ether() / IPv6() / UDP(),                   # non-IPv4
        Ether() / IP(src="10.2.0.1", dst="10.1.0.1", options=[IPOption_RR()]) / UDP(),
        Ether() / IP(src="10.2.0.1", dst="10.1.0.1", flags="MF") / UDP() / Raw(b"x" * 8),
        Ether() / IP(src="10.2.0.1", dst="10.1.0.1", frag=100) / Raw(b"x" * 8),
        Ether() / IP(src="10.2.0.1", dst="10.1.0.1", chksum=0x1234) / UDP(),
        Ether(type=0x0800) / Raw(bytes(IP(src="10.2.0.1", dst="10.1.0.1", len=400) / UDP())),
        Ether(type=0x0800) / Raw(b"\x45\x00"),      # 2 bytes of IPv4
        cut(esp(s5, c[6], 6), 8 + 16 + 16 + 5),    # CBC: not whole blocks
    ]
    inside = [
        Ether() / ARP(),
        Ether() / IP(src="10.1.0.1", dst="10.2.0.1", ihl=6, options=[IPOption_RR()]) / UDP(),
        Ether() / IP(src="10.1.0.1", dst="10.2.0.1", flags="MF") / UDP(),
        Ether() / IP(src="10.1.0.1", dst="10.2.0.1", chksum=1) / UDP(),
        c[7],                                      # valid: encrypted
    ]
    r = Run(tmp, conf, [inside, outside])
    st = r.st
    expect = {"replay": 3, "icv_fail": 1, "esp_bad_len": 4, "unknown_spi": 1, "non_ip": 3,
              "ip_options": 2, "fragment": 3, "bad_csum": 2, "truncated": 2, "decrypted": 3,
              "encrypted": 1}
    for k, v in expect.items():
        check(st.get(k) == v, "%s: %s (expected %d)" % (k, st.get(k), v))
    check(st.get("sa", {}).get("5", {}).get("replay") == 2 and st["sa"]["3"]["replay"] == 1
          and st["sa"]["3"]["icv_fail"] == 1, "per-SA replay and ICV counters")
    out = r.sent(0)
    check(sorted(ip_bytes(p) for p in out) == sorted(ip_bytes(p) for p in (c[0], c5[0], c5[2])),
          "only the 3 valid ESP packets come out decrypted (%d)" % len(out))
    check(len(r.sent(1)) == 1, "the valid cleartext packet goes out encrypted")


def telemetry_query(path, cmd):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        s.connect(path)
        s.recv(4096)  # the greeting
        s.send(cmd.encode())
        return json.loads(s.recv(65536).decode())
    except (OSError, ValueError) as e:
        return {"error": str(e)}
    finally:
        s.close()


def telemetry(run, want=None):
    """Ask the running example for /ipsec_loop/stats over its telemetry socket until the
    counters reach want (or about 3 s pass); returns the last answer."""
    ans = {}
    for _ in range(30):
        if os.path.exists(run.sock):
            ans = telemetry_query(run.sock, "/ipsec_loop/stats")
            st = ans.get("/ipsec_loop/stats") or {}
            if want is None or all(st.get(k) == v for k, v in want.items()):
                break
        time.sleep(0.1)
    return ans


def case_lcores(tmp):
    if len(os.sched_getaffinity(0)) < 2:
        print("SKIP: needs 2 cores")
        return SKIP
    n = 60
    clear = inner_pkts(n)
    back = inner_pkts(n, src="10.2.0.", dst="10.1.0.", seed=7)
    sa_in = ipl_sa.scapy_sa("aes-128-gcm", 2001, "192.0.2.2", "192.0.2.1")
    esp = [Ether() / sa_in.encrypt(IP(ip_bytes(p)), seq_num=i + 1) for i, p in enumerate(back)]
    r = Run(tmp, golden_conf("aes-128-gcm"), [clear, esp], queues=2, duration=5,
            during=lambda run: telemetry(run, {"encrypted": n, "decrypted": n}))
    tel = (r.during or {}).get("/ipsec_loop/stats", {})
    check(tel.get("encrypted") == n and tel.get("decrypted") == n,
          "telemetry /ipsec_loop/stats while running: %s" % (r.during,))
    out = r.sent(1)
    seqs = sorted(p[ESP].seq for p in out if ESP in p)
    check(seqs == list(range(1, n + 1)),
          "2 lcores share SA 1: sequence numbers 1..%d, each once (%d packets)" % (n, len(out)))
    inner = decrypt_all(ipl_sa.scapy_sa("aes-128-gcm", 1001, "192.0.2.1", "192.0.2.2"), out,
                        "2 lcores")
    if inner is not None:
        check(sorted(bytes(p) for p in inner) == sorted(ip_bytes(p) for p in clear),
              "2 lcores: scapy decrypts to the original packets")
    got = sorted(ip_bytes(p) for p in r.sent(0))
    check(got == sorted(ip_bytes(p) for p in back) and r.st.get("replay") == 0,
          "2 lcores share inbound SA 2 and its window: all %d decrypted, no false replay (%d)"
          % (n, len(got)))


def case_e2e(tmp):
    here = os.path.dirname(os.path.abspath(__file__))
    if os.geteuid() != 0 or shutil.which("ip") is None:
        print("SKIP: needs root and iproute2 for network namespaces")
        return SKIP
    for alg in ipl_sa.ALGS:
        rc = subprocess.run(["bash", os.path.join(here, "e2e.sh"), ARGS.bin, alg, tmp,
                             ARGS.crypto], timeout=120).returncode
        if rc == SKIP:
            return SKIP
        check(rc == 0, "%s: ping through the tunnel to a scapy ESP peer" % alg)


CASES = {
    "config": case_config,
    "golden-out": case_golden_out,
    "golden-in": case_golden_in,
    "loop": case_loop,
    "nested": case_nested,
    "policy": case_policy,
    "malformed": case_malformed,
    "lcores": case_lcores,
    "e2e": case_e2e,
}


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("case", choices=sorted(CASES))
    ap.add_argument("--bin", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--crypto", help="default: aesni_mb, else openssl, as the EAL creates them")
    ap.add_argument("--keep", action="store_true")
    ARGS = ap.parse_args()
    ARGS.crypto = ARGS.crypto or crypto_probe.pick(ARGS.bin)
    if ARGS.crypto is None:
        print("SKIP: this DPDK creates none of " + ", ".join(crypto_probe.CANDIDATES))
        return SKIP
    print("crypto device: " + ARGS.crypto)
    tmp = tempfile.mkdtemp(prefix="ipl-%s-" % ARGS.case)
    try:
        rc = CASES[ARGS.case](tmp)
    finally:
        if not ARGS.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    if rc == SKIP:
        return SKIP
    print("%s: %d failed" % (ARGS.case, len(FAILS)))
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
