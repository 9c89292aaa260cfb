# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The mtag authors
"""Shortages (tags, crypto ops, mbufs), crypto device faults, port names, SIGHUP."""

import os
import signal
import subprocess
import tempfile

import ipl_sa
from harness.confs import golden_conf
from harness.packets import esp_frames, inner_pkts
from harness.runner import Run, eal_cmd


def case_faults(ctx):
    """Shrunken pools: packets get through as far as tags and crypto ops go, each drop is
    counted once, under its own name; the start-up lines say which device each port is."""
    n = 512
    clear = inner_pkts(n)
    r = Run(ctx, golden_conf("aes-128-gcm"), [clear, []], extra=["--tags", "20"])
    st = r.st
    ctx.check("port 0: net_pcap0, inside" in r.out and "port 1: net_pcap1, outside" in r.out,
              "start-up names the device of each port")
    ctx.check("20 tags per size class" in r.out, "--tags 20 taken")
    ctx.check(st.get("encrypted", 0) > 0 and st.get("no_tag", 0) > 0 and
              st.get("encrypted", 0) + st.get("no_tag", 0) == n and st.get("ipsec_error") == 0
              and st.get("no_mem") == 0,
              "20 tags: %s of %d encrypted, %s dropped for want of a tag, nothing else"
              % (st.get("encrypted"), n, st.get("no_tag")))
    ctx.check(len(r.sent(1)) == st.get("encrypted"), "what was encrypted went out")

    r = Run(ctx, golden_conf("aes-128-gcm"), [clear, []], extra=["--crypto-ops", "20"])
    st = r.st
    ctx.check(st.get("encrypted", 0) > 0 and st.get("no_crypto_op", 0) > 0 and
              st.get("encrypted", 0) + st.get("no_crypto_op", 0) == n and
              st.get("ipsec_error") == 0 and st.get("no_mem") == 0 and
              st.get("sa", {}).get("1", {}).get("errors") == 0,
              "20 crypto ops: %s of %d encrypted, %s counted once as no_crypto_op, no other error"
              % (st.get("encrypted"), n, st.get("no_crypto_op")))

    # port names: right, then swapped as when a vdev before them fails to probe
    conf = golden_conf("aes-128-gcm", inside="name net_pcap0")
    r = Run(ctx, conf, [clear[:5], []])
    ctx.check(r.st.get("encrypted") == 5, "port 0 named net_pcap0: runs")
    conf = golden_conf("aes-128-gcm", inside="name net_pcap1")
    path = ctx.write("swapped.conf", conf)
    rt = tempfile.mkdtemp(dir=ctx.tmp)
    cmd = eal_cmd(ctx, "0", "iplsw%d" % os.getpid(),
                  ["--vdev", "net_null0", "--vdev", "net_null1", "--vdev", ctx.crypto])
    p = subprocess.run(cmd + ["--", "-f", path, "--duration", "0.2"], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True,
                       env=dict(os.environ, RUNTIME_DIRECTORY=rt))
    ctx.check(p.returncode != 0 and "port 0 is net_null0, the configuration says net_pcap1"
              in p.stdout, "a port that is not the device named refuses to start (rc %d): %s"
              % (p.returncode, [l for l in p.stdout.splitlines() if "configuration says" in l]))

    r = Run(ctx, golden_conf("aes-128-gcm"), [clear, []], extra=["--mbufs", "300"])
    ctx.check("300 mbufs" in r.out and r.st.get("encrypted", 0) > 0,
              "--mbufs 300: runs, %s encrypted" % r.st.get("encrypted"))

    crypto_faults(ctx, clear)

    # SIGHUP (a closed terminal) ends the run as SIGTERM does: stats, leak check, exit 0
    r = Run(ctx, golden_conf("aes-128-gcm"), [clear[:20], []], stop=(signal.SIGHUP, 0.3))
    ctx.check(r.rc == 0 and r.st.get("encrypted") == 20,
              "SIGHUP: stats written (encrypted %s of 20), rc %d" % (r.st.get("encrypted"), r.rc))


def crypto_faults(ctx, clear):
    """A crypto device that stops taking ops, one that holds them for a while, one that
    keeps them past the exit, one that fails some (test/fault_cdev.c): the example never
    waits on the device but at exit, and then for a bounded time; each op given up is
    counted once; SIGTERM within a second; device errors apart from ICV failures."""
    if not ctx.fault_lib or "null" in ctx.crypto:
        print("(no fault library: crypto device faults skipped)")
        return
    pre = {"LD_PRELOAD": ctx.fault_lib}
    n = len(clear)
    conf = golden_conf("aes-128-gcm")
    # The device takes 100 ops, then none: what it refuses is dropped at once and counted
    # (crypto_busy), and SIGTERM ends the run at once.
    r = Run(ctx, conf, [clear, []], stop=(signal.SIGTERM, 0.8),
            env=dict(pre, IPL_FAULT_ENQ_STOP="100"))
    st = r.st
    ctx.check(r.stop_s is not None and r.stop_s < 1.0,
              "device stopped: the example ends %.2f s after SIGTERM (under 1 s)" % r.stop_s)
    ctx.check(st.get("encrypted") == 100 and st.get("crypto_busy") == n - 100 and
              st.get("crypto_timeout") == 0 and st.get("ipsec_error") == 0 and
              st.get("crypto_error") == 0 and len(r.sent(1)) == 100,
              "device stopped after 100 ops: %s encrypted and sent, %s refused and counted "
              "(crypto_busy, %d), no other error"
              % (st.get("encrypted"), st.get("crypto_busy"), n - 100))
    # The device keeps what it finishes after 64 ops for 300 ms, then gives it back: the
    # lcore goes on meanwhile, and the ops held go on to TX when they come back.
    r = Run(ctx, conf, [clear, []], duration=1.5,
            env=dict(pre, IPL_FAULT_DEQ_HOLD="64,300"))
    st = r.st
    ctx.check(st.get("encrypted") == n and len(r.sent(1)) == n and
              st.get("crypto_timeout") == 0 and st.get("crypto_busy") == 0,
              "device held ops 300 ms: %s of %d encrypted, %d sent, none given up"
              % (st.get("encrypted"), n, len(r.sent(1))))
    # The device keeps them for 5 s, past the exit: the example waits a bounded time,
    # gives them up and counts them, and frees their packets (mbufs and tags) once the
    # device is closed; the run's own leak check then holds as in every other run.
    r = Run(ctx, conf, [clear, []], stop=(signal.SIGTERM, 0.3),
            env=dict(pre, IPL_FAULT_DEQ_HOLD="64,5000"))
    st = r.st
    held = st.get("crypto_timeout", 0)
    ctx.check(r.stop_s is not None and r.stop_s < 1.0,
              "device holding ops: the example ends %.2f s after SIGTERM (under 1 s)"
              % r.stop_s)
    ctx.check(held > 0 and st.get("encrypted", 0) + held == n and
              "%d crypto ops still in a crypto device" % held in r.out and
              "%d packets kept by a crypto device: freed with it" % held in r.out,
              "device holding ops at exit: %s encrypted, %d given up (crypto_timeout) and "
              "freed when the device closed" % (st.get("encrypted"), held))
    # Every 4th op fails in the device (RTE_CRYPTO_OP_STATUS_ERROR): a device error, not
    # an ICV failure; inbound and outbound.
    back = inner_pkts(40, src="10.2.0.", dst="10.1.0.", seed=3)
    sa = ipl_sa.scapy_sa("aes-128-gcm", 2001, "192.0.2.2", "192.0.2.1")
    esp = esp_frames(sa, back)
    r = Run(ctx, conf, [[], esp], env=dict(pre, IPL_FAULT_ERROR_EVERY="4"))
    st = r.st
    sa2 = st.get("sa", {}).get("2", {})
    ctx.check(st.get("crypto_error") == 10 and st.get("icv_fail") == 0 and
              sa2.get("crypto_errors") == 10 and sa2.get("icv_fail") == 0 and
              st.get("decrypted") == 30 and len(r.sent(0)) == 30,
              "inbound device errors: crypto_error %s (10), icv_fail %s (0), SA %s"
              % (st.get("crypto_error"), st.get("icv_fail"), sa2))
    r = Run(ctx, conf, [clear[:40], []], env=dict(pre, IPL_FAULT_ERROR_EVERY="4"))
    st = r.st
    ctx.check(st.get("crypto_error") == 10 and st.get("ipsec_error") == 0 and
              st.get("encrypted") == 30 and len(r.sent(1)) == 30,
              "outbound device errors: crypto_error %s (10), ipsec_error %s (0)"
              % (st.get("crypto_error"), st.get("ipsec_error")))


CASES = {
    "faults": case_faults,
}
