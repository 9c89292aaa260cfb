/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

#ifndef MTAG_PERF_PRIV_H
#define MTAG_PERF_PRIV_H

/* What the C bodies share: the run context and the environment (pools,
 * ports, tag types) set up once by perf_env.c. */

#include <stdbool.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_ring.h>

#include <mtag.h>

#include "perf.h"

/* Tags per packet in the multi-tag bodies. */
#define PERF_TAGS_MAX 4
/* Payload of the tags the bodies allocate: the smallest size class. */
#define PERF_TAG_LEN 16

struct perf_ctx {
	const struct perf_body *body;
	unsigned int burst;
	uint64_t pkts; /* packets handled */
	uint64_t hits; /* searches that found a tag */
	struct rte_mbuf *pkts_v[PERF_BURST_MAX];
	struct rte_mbuf *src_v[PERF_BURST_MAX]; /* copy_chain and clone sources */
	struct rte_mbuf *dup_v[PERF_BURST_MAX]; /* their results */
	struct mtag *tags[PERF_TAGS_MAX * PERF_BURST_MAX];
	/* Results go here, where the compiler must assume someone reads them. */
	void *out[PERF_BURST_MAX];
	void *data[PERF_BURST_MAX]; /* what mtag_add and mtag_add_burst return */
	void *priv;		    /* per-body state (pipeline, forwarding) */
};

struct perf_env {
	struct rte_mempool *mbuf_pool;
	uint16_t type[PERF_TAGS_MAX + 1]; /* user types with distinct summary bits */
	uint16_t type_alias;		  /* shares type[0]'s summary bit */
	uint64_t rdtsc_overhead;	  /* ticks of an empty timed region */
	unsigned int worker;		  /* second lcore, RTE_MAX_LCORE if none */
	/* 16 bytes of mbuf dynfield of the benchmark's own: the raw-dynfield
	 * floor of the forwarding bodies, and the naive port's list head. The
	 * mbuf has room for mtag's field and one more such, not two. */
	int spare_off;
};

extern struct perf_env perf_env;

/* Anything stored here is considered read: keeps the work from being deleted. */
static inline void
perf_escape(const void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

/* The benchmark's own dynfield (perf_env.spare_off). */
struct perf_spare {
	uint64_t a, b;
};

/* perf_env.c */
int perf_env_init(void);
void perf_env_fini(void);
void perf_set_skip(const char *reason);
int perf_pkts_alloc(struct rte_mbuf **v, unsigned int n);
void perf_context_add(const char *key, const char *fmt, ...) __rte_format_printf(2, 3);

/* The bodies of one file, with what they need set up once, before any of
 * them runs (ports, pools), and torn down after the last: perf_main.c lists
 * the groups, so that no body file depends on another. */
struct perf_group {
	const struct perf_body *const *bodies; /* NULL-terminated */
	int (*init)(void);		       /* NULL: nothing; 0 or -errno */
	void (*fini)(void);		       /* NULL: nothing */
};

extern const struct perf_group perf_group_prim;
extern const struct perf_group perf_group_naive;
extern const struct perf_group perf_group_pipeline;
extern const struct perf_group perf_group_fwd;

/* perf_check.c: every body, untimed; 0 when all of them passed. */
int perf_check_run(void);
/* One body, one run of iters bursts, untimed by Google Benchmark: for
 * valgrind --tool=callgrind --toggle-collect=perf_ctx_run. */
int perf_one_run(const char *spec, uint64_t iters);

#endif /* MTAG_PERF_PRIV_H */
