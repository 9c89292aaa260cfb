#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The mtag authors
"""dpdk-vlan-tag refuses bad command lines and configurations with a message
that says what is wrong: the file and line of every configuration error
(also those found only against the ports present), the range of every
numeric option, the lcores --pipeline needs (before the application prints
anything of its own), the 64 KiB configuration limit. It also checks the
default tag pool: sized from the rings, bursts and deepest VLAN stack, and
that two lcores configure two RSS queues per port. Ports are net_null:
nothing is forwarded.
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vtlib  # noqa: E402

# What the application itself prints once it goes past the argument checks.
APP_OUTPUT = ("tag pool:", "USER1:", "final statistics")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--app", required=True)
    opts = ap.parse_args()
    ck = vtlib.Checker("cli")
    work = tempfile.mkdtemp(prefix="vt-cli-")
    n = [0]

    def conf(text):
        n[0] += 1
        path = os.path.join(work, f"c{n[0]}.conf")
        with open(path, "w") as f:
            f.write(text)
        return path

    def run(lcores, args, nports=3):
        eal = vtlib.eal_args(f"vtcli{os.getpid()}_{n[0]}") + ["--lcores", lcores]
        for i in range(nports):
            eal += ["--vdev", f"net_null{i}"]
        n[0] += 1
        return vtlib.run_app(opts.app, eal, args, 60)

    good = conf("trunk 0\naccess 1 vlan 100\naccess 2 vlan 10/20/30\n")
    try:
        cases = [
            ("--pipeline with one worker lcore", "0@0,1@0", ["-f", good, "--pipeline"],
             "--pipeline needs 2 worker lcores besides the main one (e.g. -l 0-2); 1 given"),
            ("no worker lcore", "0@0", ["-f", good],
             "forwarding needs 1 worker lcores besides the main one"),
            ("--duration 0", "0@0,1@0", ["-f", good, "--duration", "0"],
             "bad value for --duration: '0' (1-86400)"),
            ("--tag-pool 1", "0@0,1@0", ["-f", good, "--tag-pool", "1"],
             "bad value for --tag-pool: '1' (2-16777216)"),
            ("--stats -1", "0@0,1@0", ["-f", good, "-T", "-1"],
             "bad value for --stats: '-1' (0-86400)"),
            ("--store bogus", "0@0,1@0", ["-f", good, "--store", "bogus"],
             "bad value for --store: 'bogus' (tag, local)"),
        ]
        for what, lcores, args, msg in cases:
            rc, out = run(lcores, args)
            ck.check(rc != 0 and msg in out, f"{what}: refused with '{msg}': rc {rc}\n{out}")
            ck.check(not any(s in out for s in APP_OUTPUT),
                     f"{what}: refused before anything else is printed")

        # Configuration errors name the file and the line, parser's and ports' alike.
        c = conf("# three ports here\ntrunk 5\naccess 1 vlan 100\n")
        cases = [
            (c, f"{c}: line 2: trunk port 5 does not exist (3 ports)"),
            (conf("trunk 0\n\naccess 7 vlan 100\n"),
             "line 3: access port 7 does not exist (3 ports)"),
            (conf("trunk 0\naccess 1 vlan 100 pcp 3 pcp 4\n"), "line 2: 'pcp' given twice"),
            (conf("trunk 0 stpid 0x88a8 stpid 0x88a8\naccess 1 vlan 100\n"),
             "line 1: 'stpid' given twice"),
            (conf("trunk 0\naccess 1 vlan 010\n"), "line 2: bad VID '010' (1-4094)"),
        ]
        for path, msg in cases:
            rc, out = run("0@0,1@0", ["-f", path])
            ck.check(rc != 0 and msg in out and path in out,
                     f"{os.path.basename(path)}: '{msg}' with the file name: rc {rc}\n{out}")
        # An MTU the port cannot take (net_tap checks; root needed for a tap device).
        c = conf("trunk 0\naccess 1 vlan 100\naccess 2 vlan 200\nport 0 mtu 65000\n")
        eal = vtlib.eal_args(f"vtclitap{os.getpid()}") + [
            "--lcores", "0@0,1@0", "--vdev", f"net_tap0,iface=vtcli{os.getpid() % 100000}",
            "--vdev", "net_null1", "--vdev", "net_null2"]
        rc, out = vtlib.run_app(opts.app, eal, ["-f", c], 60)
        # EAL names the device also when it has no driver for it: the port
        # line says it was probed.
        if os.geteuid() == 0 and "port 0 (net_tap0)" in out:
            ck.check(rc != 0 and f"{c}: line 4: port 0 (net_tap0): MTU 65000 outside the port's"
                     in out, f"MTU out of the port's range, with file and line: {out}")
        else:
            print("net_tap not available here: MTU range check against a port skipped")
        # A port with fewer queues than forwarding lcores: its declaration's line.
        empty = os.path.join(work, "empty.pcap")
        vtlib.write_pcap(empty, [])
        c = conf("trunk 0\naccess 1 vlan 100\n\naccess 2 vlan 200\n")
        eal = vtlib.eal_args(f"vtcliq{os.getpid()}") + ["--lcores", "0@0,1@0,2@0"]
        eal += ["--vdev", "net_null0", "--vdev", "net_null1",
                "--vdev", f"net_pcap2,rx_pcap={empty},tx_pcap={work}/out.pcap"]
        rc, out = vtlib.run_app(opts.app, eal, ["-f", c], 60)
        msg = (f"{c}: line 4: port 2 (net_pcap2) has 1 RX and 1 TX queues at most; "
               "2 forwarding lcores need one of each")
        ck.check(rc != 0 and msg in out, f"too few queues: '{msg}': {out}")
        big = conf("#" * (64 * 1024) + "\ntrunk 0\naccess 1 vlan 100\n")
        rc, out = run("0@0,1@0", ["-f", big])
        ck.check(rc != 0 and f"{big}: file larger than 64 KiB" in out,
                 f"configuration over 64 KiB refused, the limit said: {out}")

        # The default tag pool holds the rings' packets with the deepest stack and more.
        rc, out = run("0@0,1@0,2@0", ["-f", good, "--pipeline", "--duration", "1", "-T", "0"])
        pool = [int(line.split()[2]) for line in out.splitlines()
                if line.startswith("tag pool:")]
        # 3 ports' rings of 4096 packets, each with 3 VLAN tags and a priority record.
        ck.check(rc == 0 and pool and pool[0] >= 3 * 4096 * 4,
                 f"pipeline, 3-deep: default tag pool {pool} >= {3 * 4096 * 4}\n{out}")
        st = vtlib.final_stats(out) or {}
        ck.check(st.get("leaks") == (0, 0), f"no leak: {st.get('leaks')}")
        # Two forwarding lcores: two queues per port, RSS where the port has it (net_null
        # says it has), the pool the library's default.
        rc, out = run("0@0,1@0,2@0", ["-f", good, "--duration", "1", "-T", "0"])
        pool = [int(line.split()[2]) for line in out.splitlines()
                if line.startswith("tag pool:")]
        ck.check(rc == 0 and pool == [16383], f"run to completion: the library's 16383: {pool}")
        ck.check(out.count("2 queues (RSS)") == 3 and "forwarding on 3 ports, queue 1" in out,
                 "two lcores: every port with two RSS queues, the second lcore on queue 1")
        st = vtlib.final_stats(out) or {}
        ck.check(st.get("leaks") == (0, 0), f"no leak: {st.get('leaks')}")
        # SIGHUP (a closed terminal) stops it as SIGTERM does: statistics, leak check, 0.
        rundir = tempfile.mkdtemp(prefix="vt-run-", dir=work)
        eal = vtlib.eal_args(f"vtclihup{os.getpid()}") + ["--lcores", "0@0,1@0"]
        eal += [a for i in range(3) for a in ("--vdev", f"net_null{i}")]
        p = subprocess.Popen([opts.app] + eal + ["--", "-f", good, "-T", "0"],
                             env=dict(os.environ, RUNTIME_DIRECTORY=rundir),
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        time.sleep(1.5)
        p.send_signal(signal.SIGHUP)
        try:
            out = p.communicate(timeout=20)[0].decode(errors="replace")
        except subprocess.TimeoutExpired:
            p.kill()
            out = p.communicate()[0].decode(errors="replace") + "\n[timeout]"
        st = vtlib.final_stats(out) or {}
        ck.check(p.returncode == 0 and st.get("leaks") == (0, 0),
                 f"SIGHUP: exit {p.returncode}, final statistics and leak check {st.get('leaks')}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    ck.done()


if __name__ == "__main__":
    main()
