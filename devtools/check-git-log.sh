#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The mtag authors
#
# Commit subjects in DPDK's form (its devtools/check-git-log.sh is the
# model): "area: summary", the area in lower case (a path such as lib/mtag
# or examples/vlan-tag, or doc, devtools, ...), at most 60 characters, no
# leading, trailing or doubled space, no tab, no final full stop. Reasons and
# figures go in the body.
#
#   devtools/check-git-log.sh [range]
#
# The default range is every commit after the one that brought this check:
# earlier history is left as it is. Prints the subjects that break a rule and
# exits 1 if there is one; exits 0 with a note where the range is not in the
# repository (a shallow clone, a tarball).
set -uo pipefail
cd "$(dirname "$0")/.."

first_checked=6cd9e9950475c6bf306e209595cbe2d1c739b36c
range=${1:-$first_checked..HEAD}

if ! subjects=$(git log --format=%s "$range" 2>/dev/null); then
	echo "check-git-log: no history for $range here: not checked"
	exit 0
fi

bad=0
while IFS= read -r s; do
	[ -n "$s" ] || continue
	why=
	if [ ${#s} -gt 60 ]; then
		why="${#s} characters, more than 60"
	elif ! [[ $s =~ ^[a-z0-9][a-z0-9/._+-]*(,\ [a-z0-9][a-z0-9/._+-]*)*:\ [^\ ] ]]; then
		why="not 'area: summary' with a lower-case area"
	elif [[ $s =~ [[:space:]]$ || $s == *"  "* || $s == *$'\t'* ]]; then
		why="stray space or tab"
	elif [[ $s == *. ]]; then
		why="ends with a full stop"
	fi
	if [ -n "$why" ]; then
		printf '  %s\n    (%s)\n' "$s" "$why"
		bad=1
	fi
done <<<"$subjects"
exit $bad
