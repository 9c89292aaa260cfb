#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Set up, build and run every test: meson's suites in build/, then each stage
# in devtools/test.d/ (sanitizers, fuzzing, install, ...). Each stage prints a
# line "N passed, N failed"; this script adds them up, prints the total as its
# last line and exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
source devtools/meson-counts.bash

devtools/setup.sh || { echo "0 passed, 1 failed"; exit 1; }

passed=0
failed=0
skipped=0

# meson test: counts from its JSON log, one entry per test.
meson test -C build --print-errorlogs --num-processes 1 "$@"
meson_counts build
echo "meson: $mp passed, $mf failed, $ms skipped"
passed=$((passed + mp)); failed=$((failed + mf)); skipped=$((skipped + ms))

# Extra stages, only when no suite was named on the command line.
if [ $# -eq 0 ]; then
	for stage in devtools/test.d/*.sh; do
		[ -f "$stage" ] || continue
		echo "=== $stage"
		out=$(mktemp)
		bash "$stage" 2>&1 | tee "$out"
		rc=${PIPESTATUS[0]}
		line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -1)
		rm -f "$out"
		# Exit 77: the stage cannot run on this machine and said why.
		if [ "$rc" -eq 77 ]; then
			skipped=$((skipped + 1))
			continue
		fi
		if [ -z "$line" ]; then
			echo "$stage: no result line (exit $rc)"
			failed=$((failed + 1))
			continue
		fi
		sp=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')
		sf=$(echo "$line" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
		ss=$(echo "$line" | sed -nE 's/.*, ([0-9]+) skipped.*/\1/p')
		passed=$((passed + sp)); failed=$((failed + sf)); skipped=$((skipped + ${ss:-0}))
		if [ "$rc" -ne 0 ] && [ "$sf" -eq 0 ]; then
			failed=$((failed + 1))
		fi
	done
fi

echo "${passed} passed, ${failed} failed, ${skipped} skipped"
[ "$failed" -eq 0 ]
