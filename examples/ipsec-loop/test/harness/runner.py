# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The mtag authors
"""Running the example: the context a case is given and its checks, the EAL's arguments,
one run of the example on net_pcap ports, its telemetry socket."""

import json
import os
import socket
import subprocess
import time

from .packets import read_pcap, write_pcap

# The tests' directory: ipl_test.py, e2e.sh, esp_peer.py, ipl_sa.py, harness/, cases/.
TEST_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# A case returns SKIP (meson's exit code for a skipped test) when the machine lacks what
# it needs; else its checks decide.
SKIP = 77


class Context:
    """What a case is given: the command line's paths and crypto device, a scratch
    directory (tmp), the number of runs made so far and the checks that failed."""

    def __init__(self, binary, source, crypto, fault_lib, tmp):
        self.bin = binary
        self.source = source
        self.crypto = crypto
        self.fault_lib = fault_lib
        self.tmp = tmp
        self.runs = 0
        self.fails = []

    def check(self, cond, what):
        """One check: printed 'ok' or 'FAIL' with what; a failure fails the case."""
        print(("ok   " if cond else "FAIL ") + what)
        if not cond:
            self.fails.append(what)

    def path(self, name):
        """name in the scratch directory."""
        return os.path.join(self.tmp, name)

    def write(self, name, text):
        """text in the file name of the scratch directory; returns its path."""
        path = self.path(name)
        with open(path, "w") as f:
            f.write(text)
        return path


def eal_cmd(ctx, lcores, prefix, vdevs):
    """The example's command line up to its own options: lcores, no hugepages, no PCI, no
    shared configuration, file prefix prefix, the devices vdevs ('--vdev', ...)."""
    return [ctx.bin, "-l", lcores, "--no-huge", "-m", "256", "--no-pci", "--no-shconf",
            "--file-prefix", prefix, "--log-level", "*:warning"] + vdevs


def check_config(ctx, path):
    """The example's --check-config of the file path: its exit code and output."""
    return subprocess.run([ctx.bin, "--check-config", path], stdout=subprocess.PIPE, text=True)


class Run:
    """One run of the example on net_pcap ports: rx[i] is what port i receives; after the
    run, sent(i) is what it sent, st the counters it wrote (JSON), out its output, rc its
    exit code. Every run checks that the example exits 0 with no tag and no mbuf in use."""

    def __init__(self, ctx, conf, rx, extra=(), crypto=None, duration=1.5, queues=1,
                 during=None, stop=None, env=None):
        """conf: the configuration's text; extra: more options of the example; crypto: the
        crypto --vdev, else the context's; queues: RX and TX queues per port and as many
        lcores; during(run): called once the example is started, its result in
        self.during. stop: (signal, seconds): no --duration; the signal that many seconds
        after start-up, and self.stop_s the time from it to the exit. env: added to the
        example's environment."""
        ctx.runs += 1
        prefix = "ipl%d_%d" % (os.getpid(), ctx.runs)
        self.dir = ctx.path("run%d" % ctx.runs)
        os.makedirs(self.dir)
        conf_path = os.path.join(self.dir, "ipl.conf")
        with open(conf_path, "w") as f:
            f.write(conf)
        vdevs = self._pcap_ports(rx, queues) + ["--vdev", crypto or ctx.crypto]
        self.stats_path = os.path.join(self.dir, "stats.json")
        runtime = os.path.join(self.dir, "rt")
        os.makedirs(runtime)
        cmd = eal_cmd(ctx, "0-%d" % (queues - 1), prefix, vdevs) + [
            "--", "-f", conf_path, "--stats-interval", "0",
            "--stats-file", self.stats_path] + list(extra)
        if stop is None:
            cmd += ["--duration", str(duration)]
        env = dict(os.environ, RUNTIME_DIRECTORY=runtime, **(env or {}))
        self.sock = os.path.join(runtime, "dpdk", prefix, "dpdk_telemetry.v2")
        out_path = os.path.join(self.dir, "out.txt")
        with open(out_path, "w") as out:
            p = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
        self.during = during(self) if during is not None else None
        self.stop_s = self._stop(p, out_path, *stop) if stop is not None else None
        self._finish(ctx, p, out_path)

    def _pcap_ports(self, rx, queues):
        """The pcap files of each port and queue, rx written; their --vdev arguments."""
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
        return vdevs

    @staticmethod
    def _stop(p, out_path, sig, after):
        """sig to p after seconds after its start-up line; the seconds from it to the exit."""
        for _ in range(300):
            with open(out_path) as f:
                if "dpdk-ipsec-loop:" in f.read() or p.poll() is not None:
                    break
            time.sleep(0.05)
        time.sleep(after)
        p.send_signal(sig)
        t0 = time.monotonic()
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
        return time.monotonic() - t0

    def _finish(self, ctx, p, out_path):
        """Wait for the example, read its output and counters, check its exit and leaks."""
        try:
            p.wait(timeout=60)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        self.rc = p.returncode
        with open(out_path) as f:
            self.out = f.read()
        print(self.out)
        self.st = {}
        if os.path.exists(self.stats_path):
            with open(self.stats_path) as f:
                self.st = json.load(f)
        ctx.check(self.rc == 0, "example exits 0 (rc %d)" % self.rc)
        ctx.check(self.st.get("tags_in_use") == 0 and self.st.get("mbufs_in_use") == 0,
                  "no tag and no mbuf leaked")

    def sent(self, port):
        return [pkt for f in self.tx[port] for pkt in read_pcap(f)]


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
