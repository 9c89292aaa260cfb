/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

#ifndef MTAG_PERF_H
#define MTAG_PERF_H

/* The benchmark bodies are plain C; the C++ shim (perf_shim.cpp) only sees
 * this header, so it stays free of DPDK headers. */

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Largest burst any body runs. */
#define PERF_BURST_MAX 64

/** What a check run expects a body's hit counter to be. */
enum perf_expect {
	PERF_HITS_ANY,	/* not checked (the body does not search) */
	PERF_HITS_NONE, /* every search misses */
	PERF_HITS_ALL,	/* every packet's search hits */
};

/** Body runs at bursts 1, 8, 32 and 64 (otherwise at 32 only). */
#define PERF_F_BURSTS 0x1
/** Body runs at bursts 32 and 64: it times each burst, and an rdtsc pair
 * blurs a shorter region too much. */
#define PERF_F_BURSTS_SPLIT 0x2
/** Body needs a second lcore. */
#define PERF_F_2LCORE 0x4

struct perf_ctx;

/**
 * One benchmark body. run() does @p iters iterations of one burst and returns
 * the TSC ticks of the work it times; it adds the packets it handled to the
 * context's packet count and its successful searches to the hit count.
 */
struct perf_body {
	const char *name;    /* "group/variant", the group names the chart's bar */
	const char *comment; /* one line: what is timed */
	unsigned int flags;  /* PERF_F_* */
	enum perf_expect expect;
	int arg;					     /* variant: tags per packet, ... */
	int (*setup)(struct perf_ctx *c);		     /* 0 or -errno (skipped) */
	uint64_t (*run)(struct perf_ctx *c, uint64_t iters); /* TSC ticks timed */
	void (*teardown)(struct perf_ctx *c);
};

/** Body number @p i, or NULL past the last one. */
const struct perf_body *perf_body_at(unsigned int i);

/** Bursts a body runs at; returns how many were written to @p bursts (up to 4). */
unsigned int perf_body_bursts(const struct perf_body *b, unsigned int bursts[4]);

/**
 * Set a body up for one run at @p burst packets; NULL when it cannot run here
 * (the reason is then in perf_skip_reason()).
 */
struct perf_ctx *perf_ctx_create(const struct perf_body *b, unsigned int burst);
/** Run, counting: returns the timed ticks; packets and hits accumulate. */
uint64_t perf_ctx_run(struct perf_ctx *c, uint64_t iters);
uint64_t perf_ctx_pkts(const struct perf_ctx *c);
uint64_t perf_ctx_hits(const struct perf_ctx *c);
void perf_ctx_destroy(struct perf_ctx *c);
const char *perf_skip_reason(void);

/**
 * Core cycles per TSC tick, measured now with a chain of dependent adds
 * (one core cycle each): this VM's TSC does not tick at the core clock.
 */
double perf_core_per_tsc(void);
/** TSC ticks per second. */
uint64_t perf_tsc_hz(void);
/** Tags in use (mtag_stats_get), or UINT64_MAX when it fails. */
uint64_t perf_tags_in_use(void);

/** Key/value lines describing the run (CPU, pools, memory per tag), for the report. */
unsigned int perf_context_count(void);
const char *perf_context_key(unsigned int i);
const char *perf_context_value(unsigned int i);

/** Shim: run Google Benchmark over every body; returns the exit status. */
int perf_shim_run(int argc, char **argv);

#ifdef __cplusplus
}
#endif

#endif /* MTAG_PERF_H */
