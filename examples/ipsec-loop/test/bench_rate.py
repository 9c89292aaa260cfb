#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The mtag authors
"""Rate of a DPDK program's egress port, read over its telemetry socket (bench.sh).

usage: bench_rate.py RUNTIME_DIR FILE_PREFIX PORT WARMUP SECONDS -- COMMAND...

Starts COMMAND (RUNTIME_DIRECTORY=RUNTIME_DIR, its EAL --file-prefix FILE_PREFIX),
waits for its telemetry socket, lets it run WARMUP seconds, reads /ethdev/stats,PORT,
again SECONDS later, sends SIGINT and prints the packets sent on PORT per second
(Mpps, 3 decimals). The same definition for every program it measures. Exit 1 (and
the program's output) when it fails.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time


def query(path, cmd):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        s.connect(path)
        s.recv(4096)
        s.send(cmd.encode())
        return json.loads(s.recv(65536).decode())
    finally:
        s.close()


def opackets(path, port):
    return query(path, "/ethdev/stats,%d" % port)["/ethdev/stats"]["opackets"]


def main():
    sep = sys.argv.index("--")
    rt, prefix, port, warm, secs = sys.argv[1:sep]
    cmd = sys.argv[sep + 1:]
    port, warm, secs = int(port), float(warm), float(secs)
    sock = os.path.join(rt, "dpdk", prefix, "dpdk_telemetry.v2")
    log = open(os.path.join(rt, prefix + ".log"), "w+")
    p = subprocess.Popen(cmd, env=dict(os.environ, RUNTIME_DIRECTORY=rt), stdout=log,
                         stderr=subprocess.STDOUT)
    rate = None
    try:
        for _ in range(600):
            if os.path.exists(sock) or p.poll() is not None:
                break
            time.sleep(0.05)
        time.sleep(warm)
        t0, n0 = time.monotonic(), opackets(sock, port)
        time.sleep(secs)
        t1, n1 = time.monotonic(), opackets(sock, port)
        rate = (n1 - n0) / (t1 - t0) / 1e6
    except (OSError, ValueError, KeyError) as e:
        print("bench_rate: %s" % e, file=sys.stderr)
    finally:
        if p.poll() is None:
            p.send_signal(signal.SIGINT)
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    if rate is None or rate <= 0:
        log.seek(0)
        sys.stderr.write(log.read()[-3000:])
        return 1
    print("%.3f" % rate)
    return 0


if __name__ == "__main__":
    sys.exit(main())
