#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The mtag authors
"""Tests of dpdk-ipsec-loop, checked against scapy's independent ESP.

Each case writes a configuration and input pcaps, runs the example on
net_pcap ports with a software crypto device for a second or two, and checks
what came out (decrypting it with scapy) and the counters it wrote as JSON.
Every run must end with no tag and no mbuf in use (the example checks, and
fails otherwise).

The cases are in cases/, one file per area (cases/__init__.py lists them);
what they share is in harness/: the runner (harness/runner.py), packets and
pcap files (harness/packets.py), the example's configurations
(harness/confs.py).

usage: ipl_test.py CASE --bin PATH --source DIR [--fault-lib PATH] [--crypto VDEV] [--keep]
"""

import argparse
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import crypto_probe  # noqa: E402
from cases import CASES  # noqa: E402
from harness.runner import SKIP, Context  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("case", choices=sorted(CASES))
    ap.add_argument("--bin", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--crypto", help="default: aesni_mb, else openssl, as the EAL creates them")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--fault-lib", help="test/fault_cdev.c built: crypto device faults")
    args = ap.parse_args()
    crypto = args.crypto or crypto_probe.pick(args.bin)
    if crypto is None:
        print("SKIP: this DPDK creates none of " + ", ".join(crypto_probe.CANDIDATES))
        return SKIP
    print("crypto device: " + crypto)
    tmp = tempfile.mkdtemp(prefix="ipl-%s-" % args.case)
    ctx = Context(args.bin, args.source, crypto, args.fault_lib, tmp)
    try:
        rc = CASES[args.case](ctx)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    if rc == SKIP:
        return SKIP
    print("%s: %d failed" % (args.case, len(ctx.fails)))
    return 1 if ctx.fails else 0


if __name__ == "__main__":
    sys.exit(main())
