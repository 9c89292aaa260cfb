#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The mtag authors
"""Which software crypto device can this DPDK create: crypto_aesni_mb, else crypto_openssl.

What a DPDK build offers is not what the CPU's flags say: a DPDK built
against an intel-ipsec-mb it does not accept has no aesni_mb PMD at all, and
a PMD that is there may still refuse to create its device. So ask the EAL:
in a child process, rte_eal_init() with the candidate as the only --vdev,
then rte_cryptodev_get_dev_id(), through the librte_eal and librte_cryptodev
the example binary itself loads (ldd), so that the PMD directory is its own.

usage: crypto_probe.py BIN    prints the --vdev to use, exits 1 when none
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

CANDIDATES = ("crypto_aesni_mb0", "crypto_openssl0")

CHILD = r"""
import ctypes, os, sys
eal = ctypes.CDLL(sys.argv[1], mode=ctypes.RTLD_GLOBAL)
cdev = ctypes.CDLL(sys.argv[2], mode=ctypes.RTLD_GLOBAL)
args = [a.encode() for a in sys.argv[4:]]
argv = (ctypes.c_char_p * (len(args) + 1))(*args, None)
ok = eal.rte_eal_init(len(args), argv) >= 0
ok = ok and cdev.rte_cryptodev_get_dev_id(ctypes.c_char_p(sys.argv[3].encode())) >= 0
os._exit(0 if ok else 1)
"""


def dpdk_libs(binary):
    """Paths of librte_eal and librte_cryptodev as the binary loads them, or None."""
    try:
        out = subprocess.run(["ldd", binary], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             text=True, check=False, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    libs = {}
    for name in ("rte_eal", "rte_cryptodev"):
        m = re.search(r"lib%s\.so[.0-9]* => (\S+)" % name, out)
        if m is None:
            return None
        libs[name] = m.group(1)
    return libs["rte_eal"], libs["rte_cryptodev"]


def can_create(libs, vdev):
    rt = tempfile.mkdtemp(prefix="ipl-probe-")
    try:
        # A --vdev without arguments names the device it creates.
        cmd = [sys.executable, "-c", CHILD, libs[0], libs[1], vdev, "probe", "--no-huge",
               "-m", "64", "--no-pci", "--no-shconf", "--file-prefix",
               "ipl-probe-%d" % os.getpid(), "--log-level", "*:error", "--vdev", vdev]
        p = subprocess.run(cmd, env=dict(os.environ, RUNTIME_DIRECTORY=rt),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60,
                           check=False)
        return p.returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False
    finally:
        shutil.rmtree(rt, ignore_errors=True)


def cpu_guess():
    """Without shared DPDK libraries to ask (a static build): AES-NI or not."""
    try:
        with open("/proc/cpuinfo") as f:
            if re.search(r"\baes\b", f.read()):
                return CANDIDATES[0]
    except OSError:
        pass
    return CANDIDATES[1]


def pick(binary):
    """The first candidate the EAL creates; None when it creates none."""
    libs = dpdk_libs(binary)
    if libs is None:
        return cpu_guess()
    for vdev in CANDIDATES:
        if can_create(libs, vdev):
            return vdev
    return None


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    v = pick(sys.argv[1])
    if v is None:
        print("no crypto device: the EAL creates none of " + ", ".join(CANDIDATES),
              file=sys.stderr)
        sys.exit(1)
    print(v)
