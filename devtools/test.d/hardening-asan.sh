#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# AddressSanitizer + UndefinedBehaviorSanitizer: configures build-asan
# (-Db_sanitize=address,undefined) and runs there the unit suites, the fuzz
# replays of the library and the examples (corpus and seeded random inputs)
# and the stress suites.
# Mempool objects are not malloc'd, so ASan cannot see a tag used after it
# went back to its pool: the debug stage (hardening-debug.sh) covers that.
set -uo pipefail
cd "$(dirname "$0")/../.."
. devtools/test.d/hardening-lib.bash
bdir=build-asan

configure "$bdir" -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false \
	-Dexamples=true || { echo "0 passed, 1 failed"; exit 1; }
build "$bdir" "${hardening_targets[@]}" || { echo "0 passed, 1 failed"; exit 1; }

# Any report is a failure; leaks are checked at exit (detect_leaks).
export ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1:print_summary=1
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1:print_summary=1
# shellcheck disable=SC2046
meson test -C "$bdir" --no-rebuild --num-processes 1 --print-errorlogs \
	--timeout-multiplier 3 $(existing_suites "$bdir" unit fuzz stress)
meson_counts "$bdir"
echo "$mp passed, $mf failed, $ms skipped"
[ "$mf" -eq 0 ]
