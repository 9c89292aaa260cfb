/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

// The only C++ of the benchmark: registers each C body, at each of its burst
// sizes, with Google Benchmark, and turns its TSC ticks into counters.

#include <algorithm>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "perf.h"

namespace
{

// Bursts per call into C: large enough that the call is noise, small enough
// that Google Benchmark can stop close to its time budget.
constexpr benchmark::IterationCount kBatch = 64;

// Median of the per-batch costs: a batch is a few microseconds, so on a
// machine shared with other jobs most batches run undisturbed, while the
// mean of the whole loop also counts the time this thread was preempted.
double
Median(std::vector<double> &v)
{
	std::sort(v.begin(), v.end());
	return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

void
RunBody(benchmark::State &st, const perf_body *b, unsigned int burst)
{
	perf_ctx *c = perf_ctx_create(b, burst);

	if (c == nullptr) {
		st.SkipWithError(perf_skip_reason());
		return;
	}
	std::vector<double> batch;
	batch.reserve(1 << 16);
	// Calibrated on both sides of the timed loop: the TSC/core clock ratio
	// drifts on this kind of VM.
	const double r0 = perf_core_per_tsc();
	uint64_t ticks = 0, pkts = 0;
	while (st.KeepRunningBatch(kBatch)) {
		const uint64_t t = perf_ctx_run(c, kBatch);
		const uint64_t p = perf_ctx_pkts(c) - pkts;

		ticks += t;
		pkts += p;
		if (p > 0)
			batch.push_back(static_cast<double>(t) / static_cast<double>(p));
	}
	const double r1 = perf_core_per_tsc();
	perf_ctx_destroy(c);
	if (pkts == 0 || ticks == 0) {
		st.SkipWithError("no packet handled");
		return;
	}
	const double core_per_tsc = (r0 + r1) / 2;
	const double tsc_mean = static_cast<double>(ticks) / static_cast<double>(pkts);
	const double tsc_med = Median(batch);
	st.SetItemsProcessed(static_cast<int64_t>(pkts));
	st.counters["burst"] = burst;
	st.counters["tsc_per_pkt"] = tsc_med;
	st.counters["cyc_per_pkt"] = tsc_med * core_per_tsc;
	st.counters["cyc_per_pkt_mean"] = tsc_mean * core_per_tsc;
	st.counters["core_per_tsc"] = core_per_tsc;
	st.counters["Mpps"] = static_cast<double>(perf_tsc_hz()) / tsc_med / 1e6;
	st.counters["tags_in_use"] = static_cast<double>(perf_tags_in_use());
}

} // namespace

extern "C" int
perf_shim_run(int argc, char **argv)
{
	const perf_body *b;
	unsigned int i, j, n, bursts[4];

	for (i = 0; (b = perf_body_at(i)) != nullptr; i++) {
		n = perf_body_bursts(b, bursts);
		for (j = 0; j < n; j++) {
			const unsigned int burst = bursts[j];
			const std::string name =
				std::string(b->name) + "/burst:" + std::to_string(burst);
			auto *r = benchmark::RegisterBenchmark(
				name.c_str(),
				[b, burst](benchmark::State &st) { RunBody(st, b, burst); });
			// A second lcore's work does not show in this thread's CPU time.
			r->UseRealTime();
		}
	}
	for (i = 0; i < perf_context_count(); i++)
		benchmark::AddCustomContext(perf_context_key(i), perf_context_value(i));

	benchmark::Initialize(&argc, argv);
	if (benchmark::ReportUnrecognizedArguments(argc, argv))
		return 1;
	benchmark::RunSpecifiedBenchmarks();
	benchmark::Shutdown();
	return 0;
}
