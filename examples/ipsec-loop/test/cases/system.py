# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The mtag authors
"""Cases that need more of the machine: two lcores and the telemetry socket, root and
network namespaces (e2e.sh), tshark for --capture files."""

import os
import re
import shutil
import subprocess

import ipl_sa
from harness.confs import golden_conf, loop_conf, wrong_sa_conf
from harness.packets import decrypt_all, esp_frames, fwd, inner_pkts, ip_bytes, read_pcap
from harness.runner import SKIP, TEST_DIR, Run, telemetry
from scapy.layers.ipsec import ESP


def case_lcores(ctx):
    """2 lcores, 2 queues per port: they share SA 1 (its sequence numbers) and inbound SA 2's
    replay window; /ipsec_loop/stats read over the telemetry socket while running."""
    if len(os.sched_getaffinity(0)) < 2:
        print("SKIP: needs 2 cores")
        return SKIP
    n = 60
    clear = inner_pkts(n)
    back = inner_pkts(n, src="10.2.0.", dst="10.1.0.", seed=7)
    sa_in = ipl_sa.scapy_sa("aes-128-gcm", 2001, "192.0.2.2", "192.0.2.1")
    esp = esp_frames(sa_in, back)
    r = Run(ctx, golden_conf("aes-128-gcm"), [clear, esp], queues=2, duration=5,
            during=lambda run: telemetry(run, {"encrypted": n, "decrypted": n}))
    tel = (r.during or {}).get("/ipsec_loop/stats", {})
    ctx.check(tel.get("encrypted") == n and tel.get("decrypted") == n,
              "telemetry /ipsec_loop/stats while running: %s" % (r.during,))
    out = r.sent(1)
    seqs = sorted(p[ESP].seq for p in out if ESP in p)
    ctx.check(seqs == list(range(1, n + 1)),
              "2 lcores share SA 1: sequence numbers 1..%d, each once (%d packets)" % (n, len(out)))
    inner = decrypt_all(ctx, ipl_sa.scapy_sa("aes-128-gcm", 1001, "192.0.2.1", "192.0.2.2"), out,
                        "2 lcores")
    if inner is not None:
        ctx.check(sorted(bytes(p) for p in inner) == sorted(fwd(p) for p in clear),
                  "2 lcores: scapy decrypts to the original packets")
    got = sorted(ip_bytes(p) for p in r.sent(0))
    ctx.check(got == sorted(fwd(p) for p in back) and r.st.get("replay") == 0,
              "2 lcores share inbound SA 2 and its window: all %d decrypted, no false replay (%d)"
              % (n, len(got)))


def e2e(ctx, family, what):
    """e2e.sh in @family (4 or 6) for each cipher: Linux ping through the tunnel."""
    if os.geteuid() != 0 or shutil.which("ip") is None:
        print("SKIP: needs root and iproute2 for network namespaces")
        return SKIP
    for alg in ipl_sa.ALGS:
        rc = subprocess.run(["bash", os.path.join(TEST_DIR, "e2e.sh"), str(family), ctx.bin, alg,
                             ctx.tmp, ctx.crypto], timeout=120).returncode
        if rc == SKIP:
            return SKIP
        ctx.check(rc == 0, "%s: %s to a scapy ESP peer" % (alg, what))


def case_e2e(ctx):
    """Linux ping through the tunnel to a scapy ESP peer (e2e.sh 4)."""
    return e2e(ctx, 4, "ping through the tunnel")


def case_e2e6(ctx):
    """Linux ping -6 through an IPv6 tunnel to a scapy ESP peer (e2e.sh 6)."""
    return e2e(ctx, 6, "ping6 through an IPv6 tunnel")


def capture_read(ctx, path):
    """(comment, packet) of each block of a --capture file, tshark for the comments."""
    if shutil.which("tshark") is None:
        return None
    p = subprocess.run(["tshark", "-r", path, "-T", "fields", "-e", "frame.comment"],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, check=False)
    ctx.check(p.returncode == 0, "tshark reads %s" % path)
    return list(zip(p.stdout.splitlines(), read_pcap(path)))


def case_capture(ctx):
    """--capture: loop and inbound-policy drops in a pcapng file, with the tags that decided."""
    if shutil.which("tshark") is None:
        print("SKIP: no tshark")
        return SKIP
    # Loops: the IPSEC_OUT_DONE record of SA 1 (SPI 1001) caught each one.
    n = 20
    path = ctx.path("loop.pcapng")
    r = Run(ctx, loop_conf("drop"), [inner_pkts(n), []], extra=["--capture", path])
    got = capture_read(ctx, path)
    want = (r"mtag: 2 tags; 0: type \d+ \(ipl_drop/loop\) len 0 cookie 0; 1: type 2 "
            r"\(ipsec_out_done\) len 8 cookie 0 sa 1 spi 0x000003e9")
    ctx.check(r.st.get("loops") == n and len(got) == n and
              all(re.fullmatch(want, c) for c, _ in got),
              "loop drops: %d of %d captured, each under its OUT_DONE record: %s"
              % (len(got), n, got[0][0] if got else None))
    ctx.check(all(ESP in pkt for _, pkt in got), "loop drops: the packets as caught, ESP")

    # Inbound policy: cleartext that should be protected, and SA 4's where SA 3 is wanted.
    conf = wrong_sa_conf()
    s4 = ipl_sa.scapy_sa("aes-128-cbc-sha256", 4001, "192.0.2.2", "192.0.2.1")
    unprot = inner_pkts(6, src="10.2.0.", dst="10.1.0.")
    wrong_clear = inner_pkts(4, src="10.2.0.", dst="10.1.0.", seed=1)
    wrong = esp_frames(s4, wrong_clear)
    path = ctx.path("policy.pcapng")
    r = Run(ctx, conf, [[], unprot + wrong + inner_pkts(2, src="10.9.0.", dst="10.1.0.")],
            extra=["--capture", path])
    got = capture_read(ctx, path)
    unp = [(c, pkt) for c, pkt in got if "(ipl_drop/unprotected)" in c]
    wsa = [(c, pkt) for c, pkt in got if "(ipl_drop/wrong_sa)" in c]
    ctx.check(len(got) == 10 and len(unp) == 6 and len(wsa) == 4,
              "policy drops: %d captured (%d unprotected, %d wrong SA), the discards not"
              % (len(got), len(unp), len(wsa)))
    ctx.check(all(re.fullmatch(r"mtag: 1 tag; 0: type \d+ \(ipl_drop/unprotected\) len 0 "
                               r"cookie 0", c) for c, _ in unp),
              "unprotected: no IN_DONE record, the verdict only")
    ctx.check(all(re.fullmatch(r"mtag: 2 tags; 0: type \d+ \(ipl_drop/wrong_sa\) len 0 cookie 0; "
                               r"1: type 1 \(ipsec_in_done\) len 8 cookie 0 sa 4 spi 0x00000fa1", c)
                  for c, _ in wsa), "wrong SA: the IN_DONE record of SA 4 that the policy read")
    ctx.check([ip_bytes(pkt) for _, pkt in unp] == [fwd(p) for p in unprot] and
              [ip_bytes(pkt) for _, pkt in wsa] == [fwd(p) for p in wrong_clear],
              "policy drops: the inner packets as the policy saw them, byte for byte")

    # --capture-limit.
    path = ctx.path("limit.pcapng")
    Run(ctx, loop_conf("drop"), [inner_pkts(n), []],
        extra=["--capture", path, "--capture-limit", "5"])
    ctx.check(len(capture_read(ctx, path)) == 5, "--capture-limit 5: 5 packets")
    return 0


CASES = {
    "lcores": case_lcores,
    "e2e": case_e2e,
    "e2e6": case_e2e6,
    "capture": case_capture,
}
