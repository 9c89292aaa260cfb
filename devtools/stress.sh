#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Long stress runs (the CI runs a bounded one through meson's 'stress'
# suite): the 3-stage pipeline of dpdk-test-mtag's stress category with an
# unregistered non-EAL thread (suite stress), then with a registered one
# (stress_registered), then the exhaustion suite.
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
configure "$bdir" -Dwerror=true -Dexamples=true || { echo "0 passed, 1 failed"; exit 1; }
build "$bdir" app/test-mtag/dpdk-test-mtag || { echo "0 passed, 1 failed"; exit 1; }
t=$bdir/app/test-mtag/dpdk-test-mtag

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
	MTAG_STRESS_TAGS=$tags MTAG_STRESS_SEED=$r run "$t" stress
	MTAG_STRESS_TAGS=$tags MTAG_STRESS_SEED=$((r + 1000)) run "$t" stress_registered
	run "$t" exhaustion
done 2> >(grep -vE '^(EAL|TELEMETRY)' >&2)
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
