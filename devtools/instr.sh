#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The mtag authors
#
# Instructions per packet of the benchmark bodies, counted by
# valgrind --tool=callgrind (exact and repeatable, unlike cycles on a shared
# machine). Each body runs twice under callgrind, collecting only inside
# perf_ctx_run(), with I1 and I2 iterations; the difference divided by the
# extra packets is the steady-state figure (first-call and set-up costs
# cancel out). Writes out/bench/instr.json and prints a table.
#
#   devtools/instr.sh [--check] [body/burst:N ...]
#
# --check exits 1 when a figure is above its guard in
# app/test-mtag/perf/budgets.txt (a regression); PASS/MISS is against the
# target column. The fwd targets there are the spec's "+55 over no tags".
# Environment: MTAG_INSTR_BUILD (default build; it must not be built with
# -march=native where that means AVX-512, which valgrind 3.19 does not run:
# DPDK's pkg-config gives -march=corei7 on Debian), MTAG_BENCH_OUT (out/bench).
set -euo pipefail
cd "$(dirname "$0")/.."

build=${MTAG_INSTR_BUILD:-build}
out=${MTAG_BENCH_OUT:-out/bench}
budgets=app/test-mtag/perf/budgets.txt
check=0
if [ "${1:-}" = --check ]; then
	check=1
	shift
fi
bodies=("$@")
if [ ${#bodies[@]} -eq 0 ]; then
	mapfile -t bodies < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$budgets" | awk '{print $1}')
fi

command -v valgrind >/dev/null || { echo "instr: valgrind not installed" >&2; exit 77; }
if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" -Dwerror=true -Dexamples=false >/dev/null
fi
ninja -C "$build" app/test-mtag/perf/dpdk-test-mtag-perf >/dev/null
exe=$build/app/test-mtag/perf/dpdk-test-mtag-perf
[ -x "$exe" ] || { echo "instr: $exe not built (libbenchmark-dev)" >&2; exit 77; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export RUNTIME_DIRECTORY=$work
mkdir -p "$out"

i1=100
i2=600
count()
{
	local spec=$1 iters=$2 f=$work/cg.$$.$RANDOM
	valgrind --tool=callgrind --toggle-collect=perf_ctx_run --callgrind-out-file="$f" \
		"$exe" -l 0 --no-huge -m 512 --no-pci --no-shconf --file-prefix="instr$$" \
		--log-level=lib.eal:error --vdev net_null0 --vdev net_null1 --vdev net_null2 \
		--vdev net_null3 --vdev net_ring0 --vdev net_ring1 -- --mtag-run="$spec" "$iters" \
		>"$work/log" 2>&1 || { cat "$work/log" >&2; return 1; }
	sed -n 's/^summary: *//p' "$f"
}

printf '%-40s %10s %8s %8s\n' body instr/pkt target result
echo '{' >"$out/instr.json"
status=0
first=1
for spec in "${bodies[@]}"; do
	burst=${spec##*/burst:}
	[ "$burst" != "$spec" ] || burst=32
	a=$(count "$spec" $i1)
	b=$(count "$spec" $i2)
	per=$(awk -v a="$a" -v b="$b" -v n=$(((i2 - i1) * burst)) 'BEGIN { printf "%.1f", (b - a) / n }')
	read -r budget guard < <(awk -v s="$spec" '$1 == s { print $2, $3 }' "$budgets") || true
	result=-
	if [ -n "${budget:-}" ] && [ "$budget" != - ]; then
		if awk -v p="$per" -v b="$budget" 'BEGIN { exit !(p <= b) }'; then
			result=PASS
		else
			result=MISS
		fi
	fi
	if [ $check -eq 1 ] && [ -n "${guard:-}" ] && [ "$guard" != - ] &&
		! awk -v p="$per" -v g="$guard" 'BEGIN { exit !(p <= g) }'; then
		echo "instr: $spec: $per instructions per packet, above the guard $guard" >&2
		status=1
	fi
	printf '%-40s %10s %8s %8s\n' "$spec" "$per" "${budget:--}" "$result"
	[ $first -eq 1 ] || echo ',' >>"$out/instr.json"
	first=0
	[ -n "${budget:-}" ] && [ "$budget" != - ] || budget=null
	printf '  "%s": {"instr_per_pkt": %s, "target": %s, "result": "%s"}' "$spec" "$per" \
		"$budget" "$result" >>"$out/instr.json"
	unset budget guard
done
printf '\n}\n' >>"$out/instr.json"
exit $status
