#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Bounded libFuzzer run of every fuzz target (seconds each; devtools/fuzz.sh
# for longer runs). Differential: any disagreement between the library and
# the reference model, or a sanitizer report, fails.
cd "$(dirname "$0")/../.." || exit 1
exec devtools/fuzz.sh -t "${MTAG_FUZZ_SECONDS:-10}"
