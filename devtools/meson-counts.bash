# SPDX-License-Identifier: BSD-3-Clause
# Sourced by devtools/test.sh and the test.d stages.

# meson_counts <build-dir> [log name]: sets mp mf ms from the last meson
# test log (meson names it testlog-<wrapper>.json when run with --wrapper).
meson_counts() {
	eval "$(/usr/bin/python3 - "$1/meson-logs/${2:-testlog}.json" <<'PY'
import json, sys
p = f = s = 0
try:
    for line in open(sys.argv[1]):
        r = json.loads(line)["result"]
        if r in ("OK", "EXPECTEDFAIL"): p += 1
        elif r == "SKIP": s += 1
        else: f += 1
except OSError:
    f = 1
print(f"mp={p} mf={f} ms={s}")
PY
)"
}
