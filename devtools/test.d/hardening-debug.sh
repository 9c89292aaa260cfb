#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Debug build (-Dmtag_debug=true) in build-debug: the misuse checks (double
# free, tag on two chains, wrong mbuf, aliased chain after a plain
# rte_pktmbuf_clone; suite 'debug'), and legitimate use raising no false
# alarm (a refused call would fail them): the unit suite, the fuzz replays
# (they also check debug_errors stays 0) and the stress suite.
set -uo pipefail
cd "$(dirname "$0")/../.."
. devtools/test.d/hardening-lib.bash
bdir=build-debug

configure "$bdir" -Dwerror=true -Dmtag_debug=true -Dexamples=true \
	|| { echo "0 passed, 1 failed"; exit 1; }
build "$bdir" "${hardening_targets[@]}" || { echo "0 passed, 1 failed"; exit 1; }
# shellcheck disable=SC2046
meson test -C "$bdir" --no-rebuild --num-processes 1 --print-errorlogs \
	$(existing_suites "$bdir" debug unit fuzz stress)
meson_counts "$bdir"
echo "$mp passed, $mf failed, $ms skipped"
[ "$mf" -eq 0 ]
