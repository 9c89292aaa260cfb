#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The mtag authors
#
# Instruction guard: the tag cycles' instructions per packet (callgrind,
# exact for one compiler) must stay under their guard in
# app/test-mtag/perf/budgets.txt. Not a timed test: the counts do not move
# with the machine's load. Skips (77) without valgrind or the benchmark.
set -uo pipefail
cd "$(dirname "$0")/../.."

if ! command -v valgrind >/dev/null || [ ! -x build/app/test-mtag/perf/dpdk-test-mtag-perf ]; then
	echo "instr-guard: valgrind or the benchmark missing: skipped"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi
MTAG_BENCH_OUT=$(mktemp -d) devtools/instr.sh --check cycle/burst/burst:32 \
	cycle/add_burst/burst:32 cycle/scalar/burst:32 cycle/add_scalar/burst:32 \
	fwd_null/1_tag/burst:32 fwd_null/1_tag_capture_off/burst:32
if [ $? -eq 0 ]; then
	echo "1 passed, 0 failed"
else
	echo "0 passed, 1 failed"
	exit 1
fi
