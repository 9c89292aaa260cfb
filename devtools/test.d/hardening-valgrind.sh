#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Valgrind memcheck on the unit suites (exhaustion among them) and the fuzz
# replays of the library and the examples (plain gcc build in
# build-hardening). Any invalid read or write,
# use of uninitialised memory or definite leak fails.
#
# What memcheck cannot cover here:
# - tag memory: tags live in rte_mempools carved out of EAL's own mmap()ed
#   memory, not malloc; memcheck sees neither a tag used after it went back
#   to its pool nor one freed twice (the debug build checks those);
# - unit-lcores and the stress suites: valgrind runs one thread at a time,
#   and their timed multi-lcore pipelines spin far past their deadlines;
# - hugepage and multi-process runs (valgrind cannot follow the secondary's
#   shared mappings at fixed addresses).
set -uo pipefail
cd "$(dirname "$0")/../.."
. devtools/test.d/hardening-lib.bash
bdir=${1:-build-hardening}

if ! command -v valgrind >/dev/null; then
	echo "valgrind: not installed (devtools/packages/hardening.txt): skipped"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi
configure "$bdir" -Dwerror=true -Dexamples=true || { echo "0 passed, 1 failed"; exit 1; }
build "$bdir" "${hardening_targets[@]}" || { echo "0 passed, 1 failed"; exit 1; }

tests=$(meson test -C "$bdir" --list --no-rebuild 2>/dev/null |
	sed -nE 's#^mtag:(unit|fuzz|stress) / ##p' | grep -vxE 'unit-lcores|stress|stress-registered')
# shellcheck disable=SC2086
meson test -C "$bdir" --no-rebuild --num-processes 1 --print-errorlogs \
	--timeout-multiplier 10 \
	--wrapper "valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --suppressions=$PWD/devtools/test.d/valgrind.supp" \
	$tests
meson_counts "$bdir" testlog-valgrind
echo "$mp passed, $mf failed, $ms skipped"
[ "$mf" -eq 0 ]
