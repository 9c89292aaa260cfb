#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Run the libFuzzer targets for a set time each: the library's
# (app/test-mtag/fuzz) and the examples' (examples/<name>/test).
#
#   devtools/fuzz.sh [-t SECONDS] [-m | -M] [TARGET...]
#
#   -t SECONDS  time per target (default 60)
#   -m          merge what the run found into the seed corpus (corpus/TARGET
#               beside the target's source) afterwards
#   -M          only minimise each seed corpus in place, no fuzzing: libFuzzer
#               -merge=1 with -use_counters=0 keeps the inputs that reach
#               new edges (hit counts alone do not count as coverage)
#   TARGET      default: every libFuzzer target of the build
#
# Builds in build-fuzz (clang, libFuzzer, ASan + UBSan). A divergence from
# the reference model or a sanitizer report stops the target; the input is
# kept under build-fuzz/fuzz-artifacts/ and replays with
#   build-fuzz/<dir of the target>/fuzz-TARGET-replay FILE
# Prints "N passed, N failed" last (one per target), exits non-zero on any
# failure.
set -uo pipefail
cd "$(dirname "$0")/.."
secs=60
merge=0
minimise=0
while getopts "t:mM" o; do
	case $o in
	t) secs=$OPTARG ;;
	m) merge=1 ;;
	M) minimise=1 ;;
	*) sed -n '3,20p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
bdir=build-fuzz
targets=("$@")
# Where every target is built (app/test-mtag/fuzz/targets/meson.build).
tdir=app/test-mtag/fuzz/targets


if ! command -v clang >/dev/null; then
	echo "fuzz: clang not installed (devtools/packages/hardening.txt): skipped"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi
if [ ! -f "$bdir/build.ninja" ]; then
	# Coverage instrumentation for the library too, not only the target.
	CC=clang meson setup "$bdir" -Db_sanitize=address,undefined -Db_lundef=false \
		-Dc_args=-fsanitize=fuzzer-no-link -Dwerror=false \
		>"$bdir.setup.log" 2>&1 || { cat "$bdir.setup.log"; echo "0 passed, 1 failed"; exit 1; }
	rm -f "$bdir.setup.log"
else
	# A build-fuzz made with -Dexamples=false would miss the examples' targets.
	meson configure "$bdir" -Dexamples=true >/dev/null
fi
ninja -C "$bdir" build.ninja >/dev/null
# TARGET -> its seeds, the first argument of its replay test, e.g. vlan-conf ->
# examples/vlan-tag/test/corpus/vlan-conf (api-cache shares api's).
declare -A seeds_of
while IFS=$'\t' read -r n dir; do
	seeds_of[$n]=$dir
	[ "$#" -gt 0 ] || targets+=("$n")
done < <(meson introspect --tests "$bdir" | /usr/bin/python3 -c '
import json, sys
for t in json.load(sys.stdin):
    if t["name"].startswith("fuzz-") and t["name"].endswith("-replay"):
        print(t["name"][5:-7], t["cmd"][1], sep="\t")')
ninja_targets=()
for t in "${targets[@]}"; do
	[ -n "${seeds_of[$t]:-}" ] || { echo "fuzz: no target $t"; echo "0 passed, 1 failed"; exit 1; }
	ninja_targets+=("$tdir/fuzz-$t" "$tdir/fuzz-$t-replay")
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
	bin=$bdir/$tdir/fuzz-$t
	seeds=${seeds_of[$t]}
	work=$(mktemp -d /tmp/mtag-fuzz-corpus.XXXXXX)
	run=$(mktemp -d /tmp/mtag-fuzz-run.XXXXXX)
	log="$bdir/fuzz-$t.log"
	if [ $minimise -eq 1 ]; then
		# A variant (api-cache) minimises nothing: its base owns the seeds.
		if [ "$(basename "$seeds")" != "$t" ]; then
			rm -rf "$work" "$run"
			continue
		fi
		# Into an empty directory, then back: the seeds that add coverage.
		before=$(ls "$seeds" | wc -l)
		if RUNTIME_DIRECTORY=$run "$bin" -merge=1 -use_counters=0 -rss_limit_mb=2048 \
			-max_len=2048 \
			"$work" "$seeds" >"$log" 2>&1; then
			# A hand-written seed that stays keeps its name (libFuzzer
			# names what it writes by the SHA-1 of the content).
			for f in "$seeds"/*; do
				h=$(sha1sum "$f" | cut -d' ' -f1)
				[ "$(basename "$f")" != "$h" ] && [ -f "$work/$h" ] &&
					mv "$work/$h" "$work/$(basename "$f")"
			done
			rm -f "$seeds"/*
			cp "$work"/* "$seeds"/
			echo "fuzz $t: corpus minimised, $before -> $(ls "$seeds" | wc -l) inputs"
			passed=$((passed + 1))
		else
			echo "fuzz $t: merge FAILED, log $log"
			failed=$((failed + 1))
		fi
		rm -rf "$work" "$run"
		continue
	fi
	RUNTIME_DIRECTORY=$run "$bin" -max_total_time="$secs" \
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
			RUNTIME_DIRECTORY=$run "$bin" -merge=1 \
				"$seeds" "$work" 2>&1 | grep -E 'MERGE-OUTER: [0-9]+ new files'
		fi
	else
		echo "fuzz $t: FAILED after $execs executions (exit $rc), log $log:"
		grep -E 'FAIL |DIVERGENCE|ERROR: |SUMMARY|Test unit written' "$log" | head -10
		failed=$((failed + 1))
	fi
	rm -rf "$work" "$run"
done
echo "fuzz: $total_execs executions in total"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
