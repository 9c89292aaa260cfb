# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The mtag authors
"""Loops caught by the tags, SA bundles and nested ESP, inbound policy on the tags."""

import ipl_sa
from harness.confs import ipl_conf, loop_conf, sa_line, wrong_sa_conf
from harness.packets import decrypt_all, esp_frames, fwd, inner_pkts, ip_bytes
from harness.runner import Run
from scapy.all import IP, Ether


def case_loop(ctx):
    """A policy that sends every packet back into outbound: with tags each is encrypted once
    and counted as a loop (dropped, or sent with 'loop port 1'); without, the pass limit."""
    n = 50
    clear = inner_pkts(n)
    r = Run(ctx, loop_conf("drop"), [clear, []])
    ctx.check(r.st.get("loops") == n, "tags: loops caught %s == packets sent %d"
              % (r.st.get("loops"), n))
    ctx.check(r.st.get("encrypted") == n and r.st["sa"]["1"]["pkts"] == n,
              "tags: each packet encrypted once (%s)" % r.st.get("encrypted"))
    ctx.check(r.st.get("enc_hist", [0, 0])[1] == n and r.st.get("loop_limit") == 0,
              "tags: histogram %s, limit never hit" % r.st.get("enc_hist"))
    ctx.check(len(r.sent(1)) == 0, "tags: looping packets dropped (loop drop)")

    r = Run(ctx, loop_conf("port 1"), [clear, []])
    out = r.sent(1)
    ctx.check(r.st.get("loops") == n and len(out) == n,
              "loop port 1: %d of %d looping packets sent out" % (len(out), n))
    inner = decrypt_all(ctx, ipl_sa.scapy_sa("aes-128-gcm", 1001, "192.0.2.1", "192.0.2.2"), out,
                        "loop")
    if inner is not None:
        same = sum(1 for a, b in zip(inner, clear) if bytes(a) == fwd(b))
        ctx.check(same == n, "loop port 1: encrypted exactly once, scapy gets the originals (%d)"
                  % same)

    passes = 6
    r = Run(ctx, loop_conf("drop"), [clear, []],
            extra=["--no-loop-detect", "--max-passes", str(passes)])
    ctx.check(r.st.get("loops") == 0 and r.st.get("loop_limit") == n,
              "no tags: the pass limit stops all %d (%s)" % (n, r.st.get("loop_limit")))
    ctx.check(r.st.get("encrypted") == n * passes,
              "no tags: %d encryptions for %d packets (%d passes)" % (r.st.get("encrypted", -1), n,
                                                                     passes))
    ctx.check(r.st.get("enc_hist", [0] * 17)[passes] == n,
              "no tags: every packet encrypted %d times (%s)" % (passes, r.st.get("enc_hist")))
    ctx.check(r.st.get("max_growth", 0) >= passes * (20 + 8 + 8 + 16 + 2),
              "no tags: packets grew by up to %s bytes" % r.st.get("max_growth"))


def case_nested(ctx):
    """An SA bundle (GCM inside CBC) that scapy peels; nested inbound ESP decrypted twice."""
    n = 30
    conf = ipl_conf(
        sa_line("out", 1, 1001, "192.0.2.1", "192.0.2.2", "aes-128-gcm"),
        sa_line("out", 2, 1002, "198.51.100.1", "198.51.100.2", "aes-128-cbc-sha256"),
        sa_line("in", 3, 2001, "192.0.2.2", "192.0.2.1", "aes-128-gcm"),
        sa_line("in", 4, 2002, "198.51.100.2", "198.51.100.1", "aes-128-cbc-sha256"),
        "sp out any 192.0.2.2/32 protect 2",
        "sp out 10.1.0.0/16 10.2.0.0/16 protect 1",
        "sp in 10.2.0.0/16 10.1.0.0/16 protect 3",
        "route 192.0.2.2/32 outbound",
        "route 198.51.100.2/32 port 1",
        "route 10.1.0.0/16 port 0")
    clear = inner_pkts(n)
    back = inner_pkts(n, src="10.2.0.", dst="10.1.0.", seed=5)
    i1 = ipl_sa.scapy_sa("aes-128-gcm", 2001, "192.0.2.2", "192.0.2.1")
    i2 = ipl_sa.scapy_sa("aes-128-cbc-sha256", 2002, "198.51.100.2", "198.51.100.1")
    esp = [Ether() / i2.encrypt(i1.encrypt(IP(ip_bytes(p)), seq_num=k + 1), seq_num=k + 1)
           for k, p in enumerate(back)]
    r = Run(ctx, conf, [clear, esp])
    out = r.sent(1)
    ctx.check(len(out) == n and r.st.get("loops") == 0, "bundle: %d of %d out, no loop reported"
              % (len(out), n))
    ctx.check(r.st.get("sa", {}).get("1", {}).get("pkts") == n and r.st["sa"]["2"]["pkts"] == n,
              "bundle: each SA used once per packet")
    o2 = decrypt_all(ctx, ipl_sa.scapy_sa("aes-128-cbc-sha256", 1002, "198.51.100.1",
                                          "198.51.100.2"), out, "outer SA 2")
    if o2 is not None:
        o1 = decrypt_all(ctx, ipl_sa.scapy_sa("aes-128-gcm", 1001, "192.0.2.1", "192.0.2.2"),
                         o2, "inner SA 1")
        if o1 is not None:
            same = sum(1 for a, b in zip(o1, clear) if bytes(a) == fwd(b))
            ctx.check(same == n, "bundle: scapy peels SA 2 then SA 1 to the originals (%d)" % same)
    back_out = r.sent(0)
    same = sum(1 for a, b in zip(back_out, back) if ip_bytes(a) == fwd(b))
    ctx.check(same == n and r.st.get("decrypted") == 2 * n,
              "nested inbound: %d of %d decrypted twice and passed policy (decrypted %s)"
              % (same, n, r.st.get("decrypted")))


def case_policy(ctx):
    """Inbound policy on the tags: cleartext that must be protected and ESP under the wrong SA
    dropped; the right SA, bypass and discard."""
    conf = wrong_sa_conf("sp in 10.3.0.0/16 10.1.0.0/16 bypass")
    s3 = ipl_sa.scapy_sa("aes-128-gcm", 3001, "192.0.2.2", "192.0.2.1")
    s4 = ipl_sa.scapy_sa("aes-128-cbc-sha256", 4001, "192.0.2.2", "192.0.2.1")
    unprot = inner_pkts(10, src="10.2.0.", dst="10.1.0.")
    wrong = esp_frames(s4, inner_pkts(7, src="10.2.0.", dst="10.1.0.", seed=1))
    good_clear = inner_pkts(5, src="10.2.0.", dst="10.1.0.", seed=2)
    good = esp_frames(s3, good_clear)
    bypass = inner_pkts(3, src="10.3.0.", dst="10.1.0.")
    discard = inner_pkts(2, src="10.9.0.", dst="10.1.0.")
    rx = []
    for grp in (unprot, wrong, good, bypass, discard):
        rx += grp
    r = Run(ctx, conf, [[], rx])
    ctx.check(r.st.get("policy_unprotected") == 10,
              "(a) cleartext that must be protected: %s of 10 dropped"
              % r.st.get("policy_unprotected"))
    ctx.check(r.st.get("policy_wrong_sa") == 7,
              "(b) protected under the wrong SA: %s of 7 dropped" % r.st.get("policy_wrong_sa"))
    ctx.check(r.st.get("policy_discard") == 2,
              "discard policy: %s of 2" % r.st.get("policy_discard"))
    out = r.sent(0)
    want = [fwd(p) for p in good_clear + bypass]
    ctx.check(sorted(ip_bytes(p) for p in out) == sorted(want),
              "right SA and bypass pass: %d of %d" % (len(out), len(want)))
    ctx.check(r.st.get("decrypted") == 12, "decrypted %s of 12" % r.st.get("decrypted"))


CASES = {
    "loop": case_loop,
    "nested": case_nested,
    "policy": case_policy,
}
