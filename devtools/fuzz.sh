#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Run the libFuzzer targets of app/test-mtag/fuzz for a set time each.
#
#   devtools/fuzz.sh [-t SECONDS] [-m] [TARGET...]
#
#   -t SECONDS  time per target (default 60)
#   -m          merge what the run found into the seed corpus
#               (app/test-mtag/fuzz/corpus/TARGET) afterwards
#   TARGET      default: every libFuzzer target of the build
#
# Builds in build-fuzz (clang, libFuzzer, ASan + UBSan). A divergence from
# the reference model or a sanitizer report stops the target; the input is
# kept under build-fuzz/fuzz-artifacts/ and replays with
#   build-fuzz/app/test-mtag/fuzz/fuzz-TARGET-replay FILE
# Prints "N passed, N failed" last (one per target), exits non-zero on any
# failure.
set -uo pipefail
cd "$(dirname "$0")/.."
secs=60
merge=0
while getopts "t:m" o; do
	case $o in
	t) secs=$OPTARG ;;
	m) merge=1 ;;
	*) sed -n '3,20p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
bdir=build-fuzz
corpora=app/test-mtag/fuzz/corpus
targets=("$@")

if ! command -v clang >/dev/null; then
	echo "fuzz: clang not installed (devtools/packages/hardening.txt): skipped"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi
if [ ! -f "$bdir/build.ninja" ]; then
	# Coverage instrumentation for the library too, not only the target.
	CC=clang meson setup "$bdir" -Db_sanitize=address,undefined -Db_lundef=false \
		-Dc_args=-fsanitize=fuzzer-no-link -Dexamples=false -Dwerror=false \
		>"$bdir.setup.log" 2>&1 || { cat "$bdir.setup.log"; echo "0 passed, 1 failed"; exit 1; }
	rm -f "$bdir.setup.log"
fi
if [ ${#targets[@]} -eq 0 ]; then
	ninja -C "$bdir" build.ninja >/dev/null
	while read -r t; do
		targets+=("${t#app/test-mtag/fuzz/fuzz-}")
	done < <(ninja -C "$bdir" -t targets all | cut -d: -f1 |
		grep -xE 'app/test-mtag/fuzz/fuzz-[a-z-]+' | grep -v -- '-replay$')
fi
ninja_targets=()
for t in "${targets[@]}"; do
	ninja_targets+=("app/test-mtag/fuzz/fuzz-$t" "app/test-mtag/fuzz/fuzz-$t-replay")
done
if ! ninja -C "$bdir" "${ninja_targets[@]}" >/dev/null; then
	ninja -C "$bdir" "${ninja_targets[@]}" | tail -20
	echo "0 passed, 1 failed"
	exit 1
fi

export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1
art="$bdir/fuzz-artifacts"
mkdir -p "$art"
passed=0
failed=0
total_execs=0
for t in "${targets[@]}"; do
	# A variant target (api-cache) shares its base's seeds (api).
	seeds="$corpora/$t"
	[ -d "$seeds" ] || seeds="$corpora/${t%-*}"
	work=$(mktemp -d /tmp/mtag-fuzz-corpus.XXXXXX)
	run=$(mktemp -d /tmp/mtag-fuzz-run.XXXXXX)
	log="$bdir/fuzz-$t.log"
	RUNTIME_DIRECTORY=$run "$bdir/app/test-mtag/fuzz/fuzz-$t" -max_total_time="$secs" \
		-print_final_stats=1 -rss_limit_mb=2048 -max_len=2048 \
		-artifact_prefix="$art/$t-" "$work" "$seeds" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	execs=${execs:-0}
	total_execs=$((total_execs + execs))
	if [ $rc -eq 0 ]; then
		echo "fuzz $t: $execs executions in ${secs}s, 0 divergences, $(ls "$work" | wc -l) new inputs"
		passed=$((passed + 1))
		if [ $merge -eq 1 ]; then
			RUNTIME_DIRECTORY=$run "$bdir/app/test-mtag/fuzz/fuzz-$t" -merge=1 \
				"$seeds" "$work" 2>&1 | grep -E 'MERGE-OUTER: [0-9]+ new files'
		fi
	else
		echo "fuzz $t: FAILED after $execs executions (exit $rc), log $log:"
		grep -E 'DIVERGENCE|ERROR: |SUMMARY|Test unit written' "$log" | head -10
		failed=$((failed + 1))
	fi
	rm -rf "$work" "$run"
done
echo "fuzz: $total_execs executions in total"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
