#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The mtag authors
"""Forwarding rate with VLANs kept in tags vs in local variables, one run.

Two net_ring ports loop back on themselves: frames injected on the trunk
circulate trunk -> access -> trunk, and the application switches between
--store tag and --store local every --alternate ms, so both stores see the
same machine load. It reports Mpps per direction from the cycles the
forwarding lcore spent on each (bursts with packets only). With --lcores N,
N forwarding lcores each poll their own queue of both ports (net_ring loops
each queue back to itself); the rates are per lcore (packets over the busy
cycles summed over the lcores).

As a test it asserts that both stores forward in both directions without
loss or leak; the 5% target is reported, not asserted, since this shared
machine's figures vary run to run. --seconds sets the length.
"""

import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vtlib  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--app", required=True)
    ap.add_argument("--conf", required=True)
    ap.add_argument("--seconds", type=int, default=4)
    ap.add_argument("--alternate", type=int, default=200)
    ap.add_argument("--pkt-size", type=int, default=64)
    ap.add_argument("--lcores", type=int, default=1, help="forwarding lcores")
    opts = ap.parse_args()
    ck = vtlib.Checker(f"bench {opts.lcores} lcore" + ("s" if opts.lcores > 1 else ""))

    # Worker i on CPU i (modulo the CPUs there are); the main lcore mostly sleeps.
    ncpu = os.cpu_count() or 1
    lcores = ",".join(["0@0"] + [f"{i}@{i % ncpu}" for i in range(1, opts.lcores + 1)])
    eal = vtlib.eal_args(f"vtbench{os.getpid()}") + ["--lcores", lcores, "--vdev", "net_ring0",
                                                      "--vdev", "net_ring1"]
    args = ["-f", opts.conf, "-T", "0", "--inject", "512", "--alternate", str(opts.alternate),
            "--duration", str(opts.seconds), "--pkt-size", str(opts.pkt_size)]
    rc, out = vtlib.run_app(opts.app, eal, args, opts.seconds + 60)
    print(out)
    ck.check(rc == 0, f"exit status {rc}")
    st = vtlib.final_stats(out) or {}
    ck.check(st.get("leaks") == (0, 0), f"no mbuf or tag leak: {st.get('leaks')}")
    ck.check(re.search(r"injected 512 frames", out) is not None, "512 frames injected")
    ck.check(f"bench: {opts.lcores} forwarding lcore" in out,
             f"{opts.lcores} forwarding lcores reported")
    rates = {}
    for m in re.finditer(r"bench: store (\w+) (\S+): (\d+) pkts, ([\d.]+) cycles/pkt, "
                         r"([\d.]+) Mpps, median of (\d+) periods ([\d.]+) Mpps", out):
        rates[(m.group(1), m.group(2))] = float(m.group(7))
    for store in ("tag", "local"):
        for d in ("trunk->access", "access->trunk"):
            ck.check(rates.get((store, d), 0) > 0, f"store {store} {d}: "
                     f"{rates.get((store, d), 0):.2f} Mpps")
    # Nothing is lost in the loop: whatever the trunk received, the access port sent.
    p0, p1 = st.get(("port", 0), {}), st.get(("port", 1), {})
    ck.check(p0.get("rx", 0) > 0 and set(p0) == {"rx", "tx", "hw_insert", "sw_insert"} and
             set(p1) == {"rx", "tx"}, f"no drops: {p0} {p1}")
    ck.done()


if __name__ == "__main__":
    main()
