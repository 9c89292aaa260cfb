#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The mtag authors
#
# Run the whole burst benchmark (dpdk-test-mtag-perf) in a few minutes and
# write, under out/bench/:
#   bench.json   Google Benchmark's JSON, every repetition
#   bench.txt    the human table
#   summary.md   the spec's figures with their baselines, PASS/MISS per target
#   bench.png    cycles/packet of each operation against the baselines
#
# Bodies run interleaved at random and repeated, so that clock drift and
# other jobs on the machine hit both sides of every ratio; each figure is the
# median over repetitions of a run's median batch (see app/test-mtag/perf/).
#
# Environment: MTAG_BUILD (build dir, default build), MTAG_BENCH_OUT (out/bench),
# MTAG_BENCH_REPS (9), MTAG_BENCH_MIN_TIME (seconds per repetition, 0.05),
# MTAG_BENCH_LCORES (0,1), MTAG_BENCH_HUGE (1: on hugepages, as a NIC
# deployment runs; 256 free 2 MiB pages mounted; default 0, 4 KiB pages). Extra arguments go to Google Benchmark, e.g.
#   devtools/bench.sh --benchmark_filter='cycle|find'
set -euo pipefail
cd "$(dirname "$0")/.."

build=${MTAG_BUILD:-build}
out=${MTAG_BENCH_OUT:-out/bench}
reps=${MTAG_BENCH_REPS:-9}
min_time=${MTAG_BENCH_MIN_TIME:-0.05}
lcores=${MTAG_BENCH_LCORES:-0,1}

if [ ! -f "$build/build.ninja" ]; then
	if [ "$build" = build ]; then
		devtools/setup.sh
	else
		meson setup "$build" -Dwerror=true
	fi
fi
ninja -C "$build" app/test-mtag/perf/dpdk-test-mtag-perf >/dev/null
exe=$build/app/test-mtag/perf/dpdk-test-mtag-perf
if [ ! -x "$exe" ]; then
	echo "bench: $exe not built (libbenchmark-dev and a C++ compiler are needed)" >&2
	exit 1
fi

mkdir -p "$out"
rundir=$(mktemp -d)
trap 'rm -rf "$rundir"' EXIT
export RUNTIME_DIRECTORY=$rundir

mem=(--no-huge -m 512)
[ "${MTAG_BENCH_HUGE:-0}" = 0 ] || mem=(-m 512 --huge-unlink)
eal=(-l "$lcores" "${mem[@]}" --no-pci --no-shconf --file-prefix="mtag-bench-$$"
	--log-level=lib.eal:error
	--vdev net_null0 --vdev net_null1 --vdev net_null2 --vdev net_null3
	--vdev net_ring0 --vdev net_ring1)

start=$(date +%s)
"$exe" "${eal[@]}" -- \
	--benchmark_out="$out/bench.json" --benchmark_out_format=json \
	--benchmark_repetitions="$reps" --benchmark_enable_random_interleaving=true \
	--benchmark_min_time="$min_time" --benchmark_counters_tabular=true \
	"$@" 2>&1 | tee "$out/bench.txt"
status=${PIPESTATUS[0]}
echo "bench: benchmark ran in $(($(date +%s) - start)) s, exit $status"
[ "$status" -eq 0 ] || exit "$status"

# Instructions per packet of the key bodies (callgrind: exact, unaffected
# by the machine's load), beside the cycles. MTAG_BENCH_INSTR=0 skips them.
if [ "${MTAG_BENCH_INSTR:-1}" != 0 ]; then
	MTAG_INSTR_BUILD=$build MTAG_BENCH_OUT=$out devtools/instr.sh || true
fi

# Summary and chart data. The figures of the spec (section 5) are ratios of
# bodies measured in this same run.
/usr/bin/python3 - "$out" "$(uptime | sed 's/.*load average: //')" \
	"$(git describe --always --dirty 2>/dev/null || echo unknown)" <<'PY'
import json, statistics, sys

out, load, rev = sys.argv[1], sys.argv[2], sys.argv[3]
doc = json.load(open(f"{out}/bench.json"))
try:
    instr = {k.removesuffix("/burst:32"): v["instr_per_pkt"]
             for k, v in json.load(open(f"{out}/instr.json")).items()}
except (OSError, ValueError):
    instr = {}
def ins(name):
    v = instr.get(name)
    return "n/a" if v is None else f"{v:.1f}"
ctx = doc["context"]
runs = {}
for b in doc["benchmarks"]:
    if b.get("run_type") != "iteration" or b.get("error_occurred"):
        continue
    name = b["run_name"].removesuffix("/real_time")
    runs.setdefault(name, []).append(b)

def fig(name, key="cyc_per_pkt"):
    r = runs.get(name)
    return statistics.median(x[key] for x in r) if r else None

def fmt(v, digits=2):
    return "n/a" if v is None else f"{v:.{digits}f}"

rows = []   # (what, figure, instructions, baseline text, target text, pass)
def target(what, value, unit, base, ok_fn, target_txt, instr_txt="", instr_ok=None):
    ok = None if value is None else ok_fn(value)
    if ok is not None and instr_ok is not None:
        ok = ok and instr_ok
    rows.append((what, f"{fmt(value)} {unit}", instr_txt, base, target_txt,
                 "n/a" if ok is None else ("PASS" if ok else "MISS")))
def iok(name, limit):
    v = instr.get(name)
    return None if v is None else v <= limit

c = lambda n: fig(n)
miss, raw = c("find/miss_untagged/burst:32"), c("baseline/raw_dynfield_read/burst:32")
target("find miss, untagged burst of 32 / raw dynfield read",
       miss / raw if miss and raw else None, "x",
       f"miss {fmt(miss)}, raw read {fmt(raw)}, empty loop "
       f"{fmt(c('baseline/empty_loop/burst:32'))} cyc/pkt", lambda v: v <= 1.1, "<= 1.1x",
       f"{ins('find/miss_untagged')} vs {ins('baseline/raw_dynfield_read')}",
       None if not instr else instr["find/miss_untagged"] <= instr["baseline/raw_dynfield_read"] + 2)
cyc = c("cycle/burst/burst:32")
target("get + prepend + find + delete_chain, burst of 32", cyc, "cyc/pkt",
       "", lambda v: v <= 9, "<= 60 instr, <= 9 cyc/pkt", ins("cycle/burst"),
       iok("cycle/burst", 60))
cyca = c("cycle/add_burst/burst:32")
target("add_burst + find + delete_chain, burst of 32", cyca, "cyc/pkt",
       "", lambda v: v <= 8, "<= 50 instr, <= 8 cyc/pkt", ins("cycle/add_burst"),
       iok("cycle/add_burst", 50))
naive = c("naive_rte_malloc/cycle/burst:32")
target("the same over rte_malloc (literal BSD port) / mtag",
       naive / cyc if naive and cyc else None, "x",
       f"rte_malloc {fmt(naive)}, mempool without cache "
       f"{fmt(c('naive_mempool_nocache/cycle/burst:32'))} cyc/pkt", lambda v: v >= 10, ">= 10x")
scal = c("cycle/scalar/burst:32")
target("get + prepend + find + delete_chain, scalar calls", scal, "cyc/pkt",
       f"one packet per loop: {fmt(c('cycle/scalar/burst:1'))} cyc/pkt",
       lambda v: v <= 18, "<= 90 instr, <= 18 cyc/pkt", ins("cycle/scalar"),
       iok("cycle/scalar", 90))
scala = c("cycle/add_scalar/burst:32")
target("add + find + delete_chain, scalar calls", scala, "cyc/pkt", "",
       lambda v: v <= 18, "<= 90 instr, <= 18 cyc/pkt", ins("cycle/add_scalar"),
       iok("cycle/add_scalar", 90))
p1, p2 = c("pipeline/1_lcore/burst:32"), c("pipeline/2_lcores/burst:32")
leak = max((x["tags_in_use"] for x in runs.get("pipeline/2_lcores/burst:32", [])), default=None)
target("2-lcore pipeline (tags freed on the other lcore) / same on 1 lcore",
       p2 / p1 if p1 and p2 else None, "x",
       f"2 lcores {fmt(p2)}, 1 lcore {fmt(p1)} cyc/pkt; tags in use after: {fmt(leak, 0)}",
       lambda v: v <= 2 and leak == 0, "<= 2x, 0 in use")
for port in ("null", "ring"):
    a = fig(f"fwd_{port}/no_tags/burst:32", "Mpps")
    r = fig(f"fwd_{port}/raw_dynfield/burst:32", "Mpps")
    b = fig(f"fwd_{port}/1_tag/burst:32", "Mpps")
    d = fig(f"fwd_{port}/4_tags/burst:32", "Mpps")
    i0, i1 = instr.get(f"fwd_{port}/no_tags"), instr.get(f"fwd_{port}/1_tag")
    target(f"io forwarding (net_{port}), 1 tag / 16 bytes in a raw dynfield",
           b / r if r and b else None, "of pps",
           f"no tags {fmt(a, 1)}, raw dynfield {fmt(r, 1)}, 1 tag {fmt(b, 1)}, 4 tags "
           f"{fmt(d, 1)} Mpps", lambda v: v >= 0.8, ">= 0.80; <= +55 instr",
           "n/a" if i0 is None or i1 is None else f"+{i1 - i0:.1f} over no tags",
           None if i0 is None or i1 is None else i1 - i0 <= 55)
w0, w1 = fig("fwd_work/no_tags/burst:32", "Mpps"), fig("fwd_work/1_tag/burst:32", "Mpps")
target("forwarder with ~100 cycles of work per packet, 1 tag / no tags",
       w1 / w0 if w0 and w1 else None, "of pps",
       f"no tags {fmt(w0, 1)} Mpps ({fmt(c('fwd_work/no_tags/burst:32'))} cyc/pkt), raw "
       f"dynfield {fmt(fig('fwd_work/raw_dynfield/burst:32', 'Mpps'), 1)}, 1 tag {fmt(w1, 1)}",
       lambda v: v >= 0.92, ">= 0.92")
b1, boff = fig("fwd_null/1_tag/burst:32", "Mpps"), fig("fwd_null/1_tag_capture_off/burst:32", "Mpps")
i1, ioff = instr.get("fwd_null/1_tag"), instr.get("fwd_null/1_tag_capture_off")
target("capture off: fwd_null 1 tag with mtag_capture_burst() of a NULL capture / without",
       boff / b1 if b1 and boff else None, "of pps",
       f"capture on, every packet: {ins('fwd_null/1_tag_capture_all')} instr, "
       f"{fmt(fig('fwd_null/1_tag_capture_all/burst:32', 'Mpps'), 1)} Mpps; one packet in 32 "
       f"(type filter): {ins('fwd_null/1_tag_capture_1in32')} instr, "
       f"{fmt(fig('fwd_null/1_tag_capture_1in32/burst:32', 'Mpps'), 1)} Mpps",
       lambda v: True, "<= +1 instr",
       "n/a" if i1 is None or ioff is None else f"+{ioff - i1:.1f} over no call",
       None if i1 is None or ioff is None else ioff - i1 <= 1)
mem = ctx.get("mtag_pool_bytes_per_tag_len16")
target("pool memory per 16-byte-payload tag", float(mem) if mem else None, "bytes",
       ", ".join(f"len {k.rsplit('len', 1)[1]}: {v} B" for k, v in ctx.items()
                 if k.startswith("mtag_pool_bytes_per_tag_len")), lambda v: v <= 64, "<= 64 B")

with open(f"{out}/summary.md", "w") as f:
    f.write(f"# mtag burst benchmark\n\n")
    f.write(f"- CPU: {ctx.get('mtag_cpu')}, {ctx.get('mtag_lcores')} lcores; "
            f"date {ctx.get('date')}; load average at the end {load}\n")
    f.write(f"- {ctx.get('mtag_dpdk')}; compiler {ctx.get('mtag_compiler')}; mtag "
            f"{rev}\n")
    f.write(f"- TSC {int(ctx.get('mtag_tsc_hz', 0)) / 1e9:.2f} GHz; core cycles per TSC "
            f"tick {ctx.get('mtag_core_per_tsc_at_start')} at start (dependent-add "
            f"calibration, redone around every run)\n")
    f.write(f"- mbufs: {ctx.get('mtag_mbuf_pool')}\n")
    reps = max((len(r) for r in runs.values()), default=0)
    f.write(f"- {reps} repetitions per body, randomly interleaved; figure = median over "
            f"repetitions of each run's median batch; core cycles per packet\n\n")
    f.write("| figure | measured | instructions/pkt | baselines (same run) | target | result |\n")
    f.write("| --- | --- | --- | --- | --- | --- |\n")
    for r in rows:
        f.write("| " + " | ".join(r) + " |\n")
    f.write("\n## Every body (burst 32 unless named; core cycles per packet)\n\n")
    f.write("| body | cyc/pkt | min | mean of whole loop | Mpps | instr/pkt |\n"
            "| --- | --- | --- | --- | --- | --- |\n")
    for name in sorted(runs):
        r = runs[name]
        f.write(f"| {name} | {fmt(fig(name))} | {fmt(min(x['cyc_per_pkt'] for x in r))} | "
                f"{fmt(fig(name, 'cyc_per_pkt_mean'))} | {fmt(fig(name, 'Mpps'), 1)} | "
                f"{ins(name.removesuffix('/burst:32')) if name.endswith('/burst:32') else ''} |\n")

# Chart data: every body at burst 32, grouped by kind.
kinds = [("baseline/", 1), ("naive_", 2), ("fwd_", 4), ("pipeline/", 4)]
with open(f"{out}/chart.dat", "w") as f:
    i = 0
    for name in sorted(runs, key=lambda n: (next((k for p, k in kinds if n.startswith(p)), 3), n)):
        if not name.endswith("/burst:32"):
            continue
        kind = next((k for p, k in kinds if name.startswith(p)), 3)
        f.write(f"{i} {fig(name):.3f} {kind} \"{name.removesuffix('/burst:32')}\"\n")
        i += 1
print(open(f"{out}/summary.md").read())
PY

gnuplot <<EOF
set terminal pngcairo size 1100,1300 font "sans,9" noenhanced
set output "$out/bench.png"
set title "mtag: core cycles per packet, burst of 32 (median of repetitions; log scale); instructions per packet in summary.md"
set logscale x
set xrange [0.3:3000]
set xlabel "core cycles per packet"
set yrange [-1:*] reverse
set ytics nomirror
set grid xtics
set style fill solid 0.8 border -1
set key top right box opaque
set arrow from 9, graph 0 to 9, graph 1 nohead dt 2 lc rgb "#1f77b4"
set label "9: target of cycle/burst" at 9.5, graph 0.01 tc rgb "#1f77b4"
plot "$out/chart.dat" using (\$3==1 ? \$2 : 1/0):1:(0.3):(\$2):(\$1-0.4):(\$1+0.4):ytic(4) \
	with boxxyerror lc rgb "#888888" title "baseline (floor)", \
	"" using (\$3==2 ? \$2 : 1/0):1:(0.3):(\$2):(\$1-0.4):(\$1+0.4) \
	with boxxyerror lc rgb "#d62728" title "naive BSD port", \
	"" using (\$3==3 ? \$2 : 1/0):1:(0.3):(\$2):(\$1-0.4):(\$1+0.4) \
	with boxxyerror lc rgb "#1f77b4" title "mtag operation", \
	"" using (\$3==4 ? \$2 : 1/0):1:(0.3):(\$2):(\$1-0.4):(\$1+0.4) \
	with boxxyerror lc rgb "#2ca02c" title "pipeline / forwarding", \
	"" using 2:1:(sprintf(" %.1f", \$2)) with labels left notitle
EOF
echo "bench: wrote $out/bench.json $out/summary.md $out/bench.png in $(($(date +%s) - start)) s"
