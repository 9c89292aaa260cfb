/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/* A two-stage pipeline: stage A allocates packets, tags them and enqueues
 * them on an rte_ring; stage B dequeues, finds the tag and frees packet and
 * tags. On two lcores every tag is freed on another lcore than the one that
 * allocated it; on one lcore the same stages run back to back, which is the
 * figure the two-lcore run is compared with. */

#include <errno.h>

#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_pause.h>

#include "perf_priv.h"

/* A's and B's counters on lines of their own: sharing one would bounce it
 * between the lcores on every burst. */
/* Body arg bits. */
#define PERF_PIPE_2LCORES 0x2
#define PERF_PIPE_NO_TAGS 0x10

struct perf_pipe {
	struct rte_ring *ring;
	unsigned int burst;
	bool tags;			   /* false: the same pipeline without tags, the floor */
	uint64_t sent;			   /* packets A has enqueued (A only) */
	bool stop __rte_cache_aligned;	   /* set by A once, read by B */
	uint64_t done __rte_cache_aligned; /* packets B has freed, after their hits */
	uint64_t hits;
};

/* Stage B on one burst; returns how many packets it freed. */
static unsigned int
perf_pipe_stage_b(struct perf_pipe *p, uint64_t *hits)
{
	struct rte_mbuf *pkts[PERF_BURST_MAX];
	struct mtag *out[PERF_BURST_MAX];
	unsigned int n;

	n = rte_ring_sc_dequeue_burst(p->ring, (void **)pkts, p->burst, NULL);
	if (n == 0)
		return 0;
	if (p->tags) {
		*hits += mtag_find_burst(pkts, n, perf_env.type[0], out);
		mtag_pktmbuf_free_bulk(pkts, n);
	} else {
		rte_pktmbuf_free_bulk(pkts, n);
	}
	return n;
}

static int
perf_pipe_worker(void *arg)
{
	struct perf_pipe *p = arg;
	uint64_t done = 0, hits = 0;
	unsigned int n;

	while (!__atomic_load_n(&p->stop, __ATOMIC_ACQUIRE)) {
		n = perf_pipe_stage_b(p, &hits);
		if (n == 0) {
			rte_pause();
			continue;
		}
		done += n;
		__atomic_store_n(&p->hits, hits, __ATOMIC_RELAXED);
		__atomic_store_n(&p->done, done, __ATOMIC_RELEASE);
	}
	/* A stops only once everything it sent was done; drain anyway. */
	while (perf_pipe_stage_b(p, &hits) != 0)
		;
	return 0;
}

/* Stage A on one burst: 0, or -ENOMEM when mbufs or tags ran out. */
static int
perf_pipe_stage_a(struct perf_pipe *p, struct perf_ctx *c)
{
	const unsigned int n = c->burst;
	unsigned int sent = 0;

	if (unlikely(rte_pktmbuf_alloc_bulk(perf_env.mbuf_pool, c->pkts_v, n) != 0))
		return -ENOMEM;
	if (!p->tags)
		goto enqueue;
	if (unlikely(mtag_get_bulk(perf_env.type[0], PERF_TAG_LEN, 0, c->tags, n) != n)) {
		rte_pktmbuf_free_bulk(c->pkts_v, n);
		return -ENOMEM;
	}
	mtag_prepend_burst(c->pkts_v, c->tags, n);
enqueue:
	while (sent < n) {
		sent += rte_ring_sp_enqueue_burst(p->ring, (void **)c->pkts_v + sent, n - sent,
						  NULL);
		if (sent < n)
			rte_pause();
	}
	p->sent += n;
	return 0;
}

static int
perf_pipe_setup(struct perf_ctx *c)
{
	struct perf_pipe *p;

	p = rte_zmalloc("perf_pipe", sizeof(*p), RTE_CACHE_LINE_SIZE);
	if (p == NULL) {
		perf_set_skip("out of memory");
		return -ENOMEM;
	}
	p->burst = c->burst;
	p->tags = !(c->body->arg & PERF_PIPE_NO_TAGS);
	p->ring =
		rte_ring_create("perf_pipe", 1024, rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (p->ring == NULL) {
		rte_free(p);
		perf_set_skip("cannot create the ring");
		return -ENOMEM;
	}
	c->priv = p;
	if ((c->body->arg & PERF_PIPE_2LCORES) &&
	    rte_eal_remote_launch(perf_pipe_worker, p, perf_env.worker) != 0) {
		rte_ring_free(p->ring);
		rte_free(p);
		c->priv = NULL;
		perf_set_skip("second lcore busy");
		return -EBUSY;
	}
	return 0;
}

static void
perf_pipe_teardown(struct perf_ctx *c)
{
	struct perf_pipe *p = c->priv;
	uint64_t hits = 0;

	if (p == NULL)
		return;
	if ((c->body->arg & PERF_PIPE_2LCORES)) {
		__atomic_store_n(&p->stop, true, __ATOMIC_RELEASE);
		rte_eal_wait_lcore(perf_env.worker);
	}
	while (perf_pipe_stage_b(p, &hits) != 0)
		;
	rte_ring_free(p->ring);
	rte_free(p);
}

static uint64_t
perf_pipe_run_1lcore(struct perf_ctx *c, uint64_t iters)
{
	struct perf_pipe *p = c->priv;
	uint64_t t0, t1, it, hits = 0, done = 0;

	t0 = rte_rdtsc();
	for (it = 0; it < iters; it++) {
		if (perf_pipe_stage_a(p, c) != 0)
			continue;
		done += perf_pipe_stage_b(p, &hits);
	}
	t1 = rte_rdtsc();
	c->pkts += done;
	c->hits += hits;
	return t1 - t0;
}

/* The ticks of A until B has freed all A sent: the pipeline's throughput. */
static uint64_t
perf_pipe_run_2lcore(struct perf_ctx *c, uint64_t iters)
{
	struct perf_pipe *p = c->priv;
	uint64_t t0, t1, it, done0 = __atomic_load_n(&p->done, __ATOMIC_ACQUIRE);

	t0 = rte_rdtsc();
	for (it = 0; it < iters; it++)
		perf_pipe_stage_a(p, c);
	while (__atomic_load_n(&p->done, __ATOMIC_ACQUIRE) < p->sent)
		rte_pause();
	t1 = rte_rdtsc();
	c->pkts += p->sent - done0;
	c->hits = __atomic_load_n(&p->hits, __ATOMIC_RELAXED);
	return t1 - t0;
}

#define PERF_PIPE_BODY(id, nm, cmt, fl, exp, a, ru)                                                \
	static const struct perf_body id = {                                                       \
		.name = nm,                                                                        \
		.comment = cmt,                                                                    \
		.flags = fl,                                                                       \
		.expect = exp,                                                                     \
		.arg = a,                                                                          \
		.setup = perf_pipe_setup,                                                          \
		.run = ru,                                                                         \
		.teardown = perf_pipe_teardown,                                                    \
	}

PERF_PIPE_BODY(b_pipe1, "pipeline/1_lcore",
	       "alloc, get_bulk, prepend, ring, find, free: both stages on one lcore", 0,
	       PERF_HITS_ALL, 1, perf_pipe_run_1lcore);
PERF_PIPE_BODY(b_pipe2, "pipeline/2_lcores",
	       "the same, stage B on a second lcore: tags freed on another lcore", PERF_F_2LCORE,
	       PERF_HITS_ALL, PERF_PIPE_2LCORES, perf_pipe_run_2lcore);
PERF_PIPE_BODY(b_pipe1n, "pipeline/1_lcore_no_tags", "the 1-lcore pipeline without tags", 0,
	       PERF_HITS_NONE, 1 | PERF_PIPE_NO_TAGS, perf_pipe_run_1lcore);
PERF_PIPE_BODY(b_pipe2n, "pipeline/2_lcores_no_tags",
	       "the 2-lcore pipeline without tags: mbufs alone crossing lcores", PERF_F_2LCORE,
	       PERF_HITS_NONE, PERF_PIPE_2LCORES | PERF_PIPE_NO_TAGS, perf_pipe_run_2lcore);

static const struct perf_body *const perf_bodies_pipeline[] = {
	&b_pipe1, &b_pipe2, &b_pipe1n, &b_pipe2n, NULL,
};

const struct perf_group perf_group_pipeline = {.bodies = perf_bodies_pipeline};
