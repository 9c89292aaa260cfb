# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The mtag authors
"""Helpers of the dpdk-vlan-tag tests: frames with VLAN stacks, EAL
arguments, running the application and reading its final statistics."""

import os
import re
import struct
import subprocess
import sys
import tempfile

SKIP = 77

try:
    from scapy.all import ARP, ICMP, IP, UDP, Ether, Raw  # noqa: F401
except ImportError:
    print("SKIP: scapy is not installed (python3-scapy, under /usr/bin/python3)")
    sys.exit(SKIP)
MAC_A = "02:00:00:00:00:0a"
MAC_B = "02:00:00:00:00:0b"


def tci(vid, pcp=0, dei=0):
    return (pcp << 13) | (dei << 12) | vid


def tag(frame, stack):
    """Insert VLAN headers [(tpid, tci), ...], outermost first, after the MACs."""
    hdrs = b"".join(struct.pack("!HH", tpid, t) for tpid, t in stack)
    return frame[:12] + hdrs + frame[12:]


def untagged(n, size=64, src=MAC_A, dst=MAC_B, seed=0):
    """An untagged IPv4/UDP frame whose payload says which one it is."""
    payload = bytes((seed * 7 + n + i) & 0xFF for i in range(max(0, size - 42)))
    return bytes(Ether(src=src, dst=dst) / IP(src="198.18.0.1", dst="198.18.0.2", id=n) /
                 UDP(sport=1000 + seed, dport=2000 + n) / Raw(payload))


def eal_args(prefix):
    return ["--no-huge", "-m", "512", "--no-pci", "--no-shconf", "--file-prefix=" + prefix,
            "--log-level=lib.eal:warning"]


def run_app(app, eal, args, timeout, env_extra=None, netns=None):
    """Run dpdk-vlan-tag; return (returncode, output)."""
    rundir = tempfile.mkdtemp(prefix="vt-run-")
    env = dict(os.environ, RUNTIME_DIRECTORY=rundir)
    if env_extra:
        env.update(env_extra)
    cmd = [app] + eal + ["--"] + args
    if netns:
        cmd = ["ip", "netns", "exec", netns] + cmd
    try:
        p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=timeout, check=False)
        out = p.stdout.decode(errors="replace")
        rc = p.returncode
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace") + "\n[timeout]"
        rc = -1
    finally:
        subprocess.run(["rm", "-rf", rundir], check=False)
    return rc, out


def final_stats(out):
    """Counters of the 'final statistics' block: {('port', id): {...}, ('vlan', s): {...}}."""
    stats = {}
    block = out.split("final statistics:", 1)
    if len(block) < 2:
        return None
    for line in block[1].splitlines():
        m = re.match(r"port (\d+) \((\w+)\): (.*)", line)
        if m:
            words = m.group(3).split()
            stats[("port", int(m.group(1)))] = {words[i]: int(words[i + 1])
                                                 for i in range(0, len(words), 2)}
            continue
        m = re.match(r"vlan (\S+): (.*)", line)
        if m:
            words = m.group(2).split()
            stats[("vlan", m.group(1))] = {words[i]: int(words[i + 1])
                                           for i in range(0, len(words), 2)}
    m = re.search(r"leaks: mbufs (\d+) tags (\d+)", block[1])
    if m:
        stats["leaks"] = (int(m.group(1)), int(m.group(2)))
    return stats


class Checker:
    """Collects failures; exit status at the end."""

    def __init__(self, name):
        self.name = name
        self.failed = 0
        self.passed = 0

    def check(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL: {what}", flush=True)
        return cond

    def done(self):
        print(f"{self.name}: {self.passed} checks passed, {self.failed} failed", flush=True)
        sys.exit(1 if self.failed or not self.passed else 0)


def write_pcap(path, frames):
    """Write raw Ethernet frames (runts too, which scapy will not dissect)."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1, i, len(fr), len(fr)))
            f.write(fr)


def read_pcap(path):
    """Frames of a pcap file (microsecond or nanosecond timestamps), as bytes."""
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        endian = "<"
    else:
        endian = ">"
    off, frames = 24, []
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        frames.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return frames
