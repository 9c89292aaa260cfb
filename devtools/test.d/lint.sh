#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The mtag authors
#
# Lint gate: every C and C++ source of the project is as clang-format
# (.clang-format) writes it, clang-tidy (.clang-tidy: its suppressions say
# why) finds nothing in lib/, release and debug builds alike, and the commit
# subjects are in DPDK's form (devtools/check-git-log.sh).
set -uo pipefail
cd "$(dirname "$0")/../.."

passed=0
failed=0
result()
{
	if [ "$2" -eq 0 ]; then
		echo "PASS $1"
		passed=$((passed + 1))
	else
		echo "FAIL $1"
		failed=$((failed + 1))
	fi
}

for tool in clang-format clang-tidy; do
	if ! command -v $tool >/dev/null; then
		echo "lint: $tool not installed (devtools/packages/lint.txt)"
		echo "0 passed, 1 failed"
		exit 1
	fi
done

if git rev-parse --git-dir >/dev/null 2>&1; then
	mapfile -t sources < <(git ls-files '*.c' '*.h' '*.cpp')
else
	mapfile -t sources < <(find lib app examples test -name '*.[ch]' -o -name '*.cpp')
fi
clang-format --dry-run -Werror "${sources[@]}"
result "clang-format: ${#sources[@]} files" $?

# clang-tidy reads each build's compile_commands.json; configuring is enough.
tidy()
{
	local dir=$1
	shift
	if [ ! -f "$dir/compile_commands.json" ]; then
		meson setup "$dir" -Dtests=false -Dexamples=false "$@" >/dev/null || return 1
	fi
	# clang-tidy counts the warnings it suppresses in system headers: noise.
	clang-tidy -p "$dir" --quiet lib/mtag/*.c 2>&1 | grep -v ' warnings\? generated\.$'
	return "${PIPESTATUS[0]}"
}
[ -f build/compile_commands.json ] || meson setup build -Dwerror=true >/dev/null
tidy build
result "clang-tidy lib/ (release)" $?
tidy build-lint-debug -Dmtag_debug=true
result "clang-tidy lib/ (debug build)" $?

# Commit subjects since the check came in: DPDK's "area: summary", <= 60.
devtools/check-git-log.sh
result "commit subjects (devtools/check-git-log.sh)" $?

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
