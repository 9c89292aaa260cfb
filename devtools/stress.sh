#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Long stress runs (the CI runs a bounded one through meson's 'stress'
# suite): the 3-stage pipeline of app/test-mtag/stress with an unregistered
# non-EAL thread, then with a registered one, then the exhaustion test.
#
#   devtools/stress.sh [-n TAGS] [-r ROUNDS] [-b BUILD-DIR]
#
#   -n TAGS    tags per pipeline run (default 10000000)
#   -r ROUNDS  runs of each kind, each with another seed (default 1)
#   -b DIR     build directory (default build-hardening, configured here)
# Prints "N passed, N failed" last; non-zero exit on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
. devtools/test.d/hardening-lib.bash
tags=10000000
rounds=1
bdir=build-hardening
while getopts "n:r:b:" o; do
	case $o in
	n) tags=$OPTARG ;;
	r) rounds=$OPTARG ;;
	b) bdir=$OPTARG ;;
	*) sed -n '3,12p' "$0"; exit 2 ;;
	esac
done
configure "$bdir" -Dwerror=true -Dexamples=false || { echo "0 passed, 1 failed"; exit 1; }
build "$bdir" app/test-mtag/stress/mtag-stress app/test-mtag/stress/mtag-exhaust ||
	{ echo "0 passed, 1 failed"; exit 1; }

passed=0
failed=0
run() {
	if "$@"; then
		passed=$((passed + 1))
	else
		echo "FAILED: $*"
		failed=$((failed + 1))
	fi
}
for r in $(seq 1 "$rounds"); do
	run "$bdir/app/test-mtag/stress/mtag-stress" --tags "$tags" --seed "$r"
	run "$bdir/app/test-mtag/stress/mtag-stress" --tags "$tags" --seed "$((r + 1000))" --register
	run "$bdir/app/test-mtag/stress/mtag-exhaust"
done 2> >(grep -vE '^(EAL|TELEMETRY)' >&2)
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
