#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Multi-process test: sets up hugepages (root) and a private hugetlbfs
# mount, runs app/test-mtag/mp (a primary and the secondary it starts), and
# undoes the set-up. Skips when hugepages cannot be had.
# Usage: devtools/test.d/hardening-mp.sh [build-dir]   (default: build-hardening)
set -uo pipefail
cd "$(dirname "$0")/../.."
bdir=${1:-build-hardening}
pages=64

result() { echo "$1 passed, $2 failed, $3 skipped"; exit "$4"; }

. devtools/test.d/hardening-lib.bash
configure "$bdir" -Dwerror=true -Dexamples=true || result 0 1 0 1
build "$bdir" 'app/test-mtag/mp/mtag-mp' || result 0 1 0 1

if [ "$(id -u)" -ne 0 ]; then
	echo "mp: not root, cannot set up hugepages: skipped"
	result 0 0 1 0
fi
old=$(cat /proc/sys/vm/nr_hugepages)
free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
raised=0
if [ "$free" -lt "$pages" ]; then
	if echo $((old + pages - free)) > /proc/sys/vm/nr_hugepages 2>/dev/null; then
		raised=1
	fi
fi
mnt=$(mktemp -d /tmp/mtag-huge.XXXXXX)
rundir=$(mktemp -d /tmp/mtag-mp-run.XXXXXX)
cleanup() {
	umount "$mnt" 2>/dev/null
	rmdir "$mnt" 2>/dev/null
	rm -rf "$rundir"
	# Give the pages back unless someone else started using them.
	if [ "$raised" -eq 1 ]; then
		total=$(awk '/HugePages_Total/ {print $2}' /proc/meminfo)
		nowfree=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
		[ "$total" -eq "$nowfree" ] && echo "$old" > /proc/sys/vm/nr_hugepages
	fi
}
trap cleanup EXIT
if ! mount -t hugetlbfs -o pagesize=2M nodev "$mnt" 2>/dev/null; then
	echo "mp: cannot mount hugetlbfs: skipped"
	result 0 0 1 0
fi

MTAG_HUGE_DIR=$mnt RUNTIME_DIRECTORY=$rundir timeout 120 "$bdir/app/test-mtag/mp/mtag-mp"
rc=$?
case $rc in
0) result 1 0 0 0 ;;
77) result 0 0 1 0 ;;
*) echo "mp: exit $rc"; result 0 1 0 1 ;;
esac
