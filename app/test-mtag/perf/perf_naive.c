/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/* Baselines: the same API ported literally from BSD, as a first DPDK port
 * would be: a list head in a dynfield (set to NULL on every packet before
 * use), a walk for every find, one allocation per tag. Its memory comes from
 * rte_malloc or from an rte_mempool without per-lcore cache. */

#include <errno.h>

#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mempool.h>

#include "perf_priv.h"

struct naive_tag {
	struct naive_tag *next;
	uint16_t type;
	uint16_t len;
	uint32_t cookie;
};

struct naive_alloc {
	void *(*get)(size_t size);
	void (*put)(void *p);
};

static int naive_offset = -1;
static struct rte_mempool *naive_pool;

static void *
naive_malloc_get(size_t size)
{
	return rte_malloc(NULL, size, 0);
}

static void
naive_malloc_put(void *p)
{
	rte_free(p);
}

static void *
naive_pool_get(size_t size)
{
	void *p;

	RTE_SET_USED(size);
	return rte_mempool_get(naive_pool, &p) == 0 ? p : NULL;
}

static void
naive_pool_put(void *p)
{
	rte_mempool_put(naive_pool, p);
}

static const struct naive_alloc naive_malloc = {naive_malloc_get, naive_malloc_put};
static const struct naive_alloc naive_nocache = {naive_pool_get, naive_pool_put};

static inline struct naive_tag **
naive_head(struct rte_mbuf *m)
{
	return RTE_MBUF_DYNFIELD(m, naive_offset, struct naive_tag **);
}

static inline struct naive_tag *
naive_get(const struct naive_alloc *a, uint16_t type, uint16_t len)
{
	struct naive_tag *t = a->get(sizeof(*t) + len);

	if (t != NULL) {
		t->next = NULL;
		t->type = type;
		t->len = len;
		t->cookie = 0;
	}
	return t;
}

static inline void
naive_prepend(struct rte_mbuf *m, struct naive_tag *t)
{
	if (t == NULL)
		return;
	t->next = *naive_head(m);
	*naive_head(m) = t;
}

static inline struct naive_tag *
naive_find(struct rte_mbuf *m, uint16_t type)
{
	struct naive_tag *t;

	for (t = *naive_head(m); t != NULL; t = t->next)
		if (t->type == type && t->cookie == 0)
			return t;
	return NULL;
}

static inline void
naive_delete_chain(const struct naive_alloc *a, struct rte_mbuf *m)
{
	struct naive_tag *t, *next;

	for (t = *naive_head(m); t != NULL; t = next) {
		next = t->next;
		a->put(t);
	}
	*naive_head(m) = NULL;
}

static int
naive_setup(struct perf_ctx *c)
{
	unsigned int i;

	/* The list head in the benchmark's own dynfield (its first 8 bytes). */
	naive_offset = perf_env.spare_off;
	if (c->body->arg == 1 && naive_pool == NULL) {
		naive_pool = rte_mempool_create(
			"perf_naive_nc", 16383, sizeof(struct naive_tag) + PERF_TAG_LEN, 0, 0, NULL,
			NULL, NULL, NULL, rte_socket_id(), RTE_MEMPOOL_F_NO_IOVA_CONTIG);
		if (naive_pool == NULL) {
			perf_set_skip("cannot create the naive pool");
			return -ENOMEM;
		}
	}
	if (perf_pkts_alloc(c->pkts_v, c->burst) != 0)
		return -ENOMEM;
	for (i = 0; i < c->burst; i++)
		*naive_head(c->pkts_v[i]) = NULL;
	return 0;
}

static void
naive_teardown(struct perf_ctx *c)
{
	const struct naive_alloc *a = c->body->arg == 1 ? &naive_nocache : &naive_malloc;
	unsigned int i;

	for (i = 0; i < c->burst; i++) {
		naive_delete_chain(a, c->pkts_v[i]);
		rte_pktmbuf_free(c->pkts_v[i]);
	}
}

/* The loop of cycle/burst, with the naive calls. */
static inline uint64_t
naive_cycle(struct perf_ctx *c, uint64_t iters, const struct naive_alloc *a)
{
	const uint16_t type = perf_env.type[0];
	const unsigned int n = c->burst;
	struct naive_tag *tags[PERF_BURST_MAX];
	uint64_t t0, t1, it, hits = 0;
	unsigned int i;

	t0 = rte_rdtsc();
	for (it = 0; it < iters; it++) {
		for (i = 0; i < n; i++)
			tags[i] = naive_get(a, type, PERF_TAG_LEN);
		for (i = 0; i < n; i++)
			naive_prepend(c->pkts_v[i], tags[i]);
		for (i = 0; i < n; i++) {
			void *p = naive_find(c->pkts_v[i], type);

			c->out[i] = p;
			hits += p != NULL;
		}
		for (i = 0; i < n; i++)
			naive_delete_chain(a, c->pkts_v[i]);
		perf_escape(c->out);
	}
	t1 = rte_rdtsc();
	c->pkts += iters * n;
	c->hits += hits;
	return t1 - t0;
}

static uint64_t
naive_run_malloc(struct perf_ctx *c, uint64_t iters)
{
	return naive_cycle(c, iters, &naive_malloc);
}

static uint64_t
naive_run_nocache(struct perf_ctx *c, uint64_t iters)
{
	return naive_cycle(c, iters, &naive_nocache);
}

static const struct perf_body b_naive_malloc = {
	.name = "naive_rte_malloc/cycle",
	.comment = "literal BSD port over rte_malloc: get, prepend, find, delete_chain",
	.flags = PERF_F_BURSTS,
	.expect = PERF_HITS_ALL,
	.arg = 0,
	.setup = naive_setup,
	.run = naive_run_malloc,
	.teardown = naive_teardown,
};

static const struct perf_body b_naive_nocache = {
	.name = "naive_mempool_nocache/cycle",
	.comment = "literal BSD port over an rte_mempool without lcore cache",
	.flags = PERF_F_BURSTS,
	.expect = PERF_HITS_ALL,
	.arg = 1,
	.setup = naive_setup,
	.run = naive_run_nocache,
	.teardown = naive_teardown,
};

static void
perf_naive_fini(void)
{
	rte_mempool_free(naive_pool);
	naive_pool = NULL;
}

static const struct perf_body *const perf_bodies_naive[] = {
	&b_naive_malloc,
	&b_naive_nocache,
	NULL,
};

const struct perf_group perf_group_naive = {
	.bodies = perf_bodies_naive,
	.fini = perf_naive_fini,
};
