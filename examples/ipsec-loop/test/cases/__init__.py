# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The mtag authors
"""The cases of ipl_test.py, one file per area. Each file's CASES maps the names meson runs
(test ipsec-loop-<name>) to functions of a harness.runner.Context that return None (their
checks decide) or SKIP."""

from . import faults, fragments, golden, inbound, ipv6, loop, system, tunnel


def _collect(*modules):
    cases = {}
    for m in modules:
        for name, case in m.CASES.items():
            assert name not in cases, name
            cases[name] = case
    return cases


CASES = _collect(golden, loop, inbound, faults, tunnel, ipv6, fragments, system)
