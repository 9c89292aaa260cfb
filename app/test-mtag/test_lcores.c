/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/* Tags across threads: allocated on one lcore and freed on another (both
 * ways, and as a two-lcore pipeline), in non-EAL threads with and without
 * rte_thread_register(), and counters that lose no update. */

#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>

#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_os.h>
#include <rte_ring.h>

#include "test.h"

#define N 1024
#define PIPE_PKTS 200000
#define THREAD_LOOPS 20000

static unsigned int worker;
static struct rte_mbuf *pkts[N];
static struct mtag *tags[N];

static int
lc_setup(void)
{
	worker = rte_get_next_lcore(-1, 1, 0);
	if (worker >= RTE_MAX_LCORE)
		TEST_SKIP("needs 2 EAL lcores (-l 0-1), have %u", rte_lcore_count());
	return TEST_SUCCESS;
}

/* Tag N packets on the calling thread: one 16-byte and, on every other
 * packet, one 200-byte tag; the data says which packet. */
static int
tag_all(void)
{
	unsigned int i;

	if (rte_pktmbuf_alloc_bulk(test_mbuf_pool(), pkts, N) != 0)
		return -1;
	if (mtag_get_bulk(MTAG_TYPE_IPSEC_IN_DONE, 16, 0, tags, N) != N) {
		rte_pktmbuf_free_bulk(pkts, N);
		return -1;
	}
	for (i = 0; i < N; i++) {
		*(uint32_t *)mtag_data(tags[i]) = i;
		mtag_prepend(pkts[i], tags[i]);
		if (i % 2 == 0) {
			struct mtag *t = mtag_get(MTAG_TYPE_SRCROUTE, 200, MTAG_ZERO);

			if (t == NULL)
				return -1; /* packets are freed by the caller */
			mtag_prepend(pkts[i], t);
		}
	}
	return 0;
}

/* Check and free what tag_all() made. */
static int
check_free_all(void)
{
	unsigned int i, bad = 0;
	struct mtag *t;

	for (i = 0; i < N; i++) {
		t = mtag_find(pkts[i], MTAG_TYPE_IPSEC_IN_DONE, NULL);
		if (t == NULL || *(uint32_t *)mtag_data(t) != i)
			bad++;
		if ((mtag_find(pkts[i], MTAG_TYPE_SRCROUTE, NULL) != NULL) != (i % 2 == 0))
			bad++;
	}
	mtag_pktmbuf_free_bulk(pkts, N);
	return bad == 0 ? 0 : -1;
}

static int
lcore_tag_all(void *arg)
{
	RTE_SET_USED(arg);
	return tag_all();
}

static int
lcore_check_free_all(void *arg)
{
	RTE_SET_USED(arg);
	return check_free_all();
}

static int
test_alloc_worker_free_main(void)
{
	TEST_ASSERT_EQ(rte_eal_remote_launch(lcore_tag_all, NULL, worker), 0, "launch");
	TEST_ASSERT_EQ(rte_eal_wait_lcore(worker), 0, "tagged on lcore %u", worker);
	TEST_ASSERT_EQ(test_tags_in_use(), N + N / 2, "in use");
	TEST_ASSERT_EQ(check_free_all(), 0, "found and freed on the main lcore");
	return TEST_SUCCESS;
}

static int
test_alloc_main_free_worker(void)
{
	TEST_ASSERT_EQ(tag_all(), 0, "tagged on the main lcore");
	TEST_ASSERT_EQ(rte_eal_remote_launch(lcore_check_free_all, NULL, worker), 0, "launch");
	TEST_ASSERT_EQ(rte_eal_wait_lcore(worker), 0, "found and freed on lcore %u", worker);
	return TEST_SUCCESS;
}

/* Two-lcore pipeline: the worker tags packets and passes them through a
 * ring; the main lcore finds and frees the tags. */
struct pipe_ctx {
	struct rte_ring *ring;
	unsigned int sent;
	volatile bool stop; /* the consumer gave up */
};

static int
pipe_producer(void *arg)
{
	struct pipe_ctx *ctx = arg;
	struct rte_mbuf *burst[32];
	struct mtag *t[32];
	unsigned int i, n, done;

	while (ctx->sent < PIPE_PKTS && !ctx->stop) {
		n = RTE_MIN(32u, PIPE_PKTS - ctx->sent);
		if (rte_pktmbuf_alloc_bulk(test_mbuf_pool(), burst, n) != 0)
			continue; /* the consumer gives mbufs back */
		if (mtag_get_bulk(MTAG_TYPE_GRE, 8, 0, t, n) != n) {
			rte_pktmbuf_free_bulk(burst, n);
			continue;
		}
		for (i = 0; i < n; i++)
			*(uint32_t *)mtag_data(t[i]) = ctx->sent + i;
		mtag_prepend_burst(burst, t, n);
		for (done = 0; done < n && !ctx->stop;)
			done += rte_ring_sp_enqueue_burst(ctx->ring, (void **)burst + done,
							  n - done, NULL);
		ctx->sent += n;
	}
	return 0;
}

static int
test_pipeline(void)
{
	struct pipe_ctx ctx = {0};
	struct rte_mbuf *burst[32];
	struct mtag *out[32];
	unsigned int got = 0, n, i, bad = 0;
	uint64_t start;

	ctx.ring = rte_ring_create("test_lc_pipe", 1024, rte_socket_id(),
				   RING_F_SP_ENQ | RING_F_SC_DEQ);
	TEST_ASSERT_NOT_NULL(ctx.ring, "ring");
	start = rte_get_timer_cycles();
	TEST_ASSERT_EQ(rte_eal_remote_launch(pipe_producer, &ctx, worker), 0, "launch");
	while (got < PIPE_PKTS) {
		n = rte_ring_sc_dequeue_burst(ctx.ring, (void **)burst, 32, NULL);
		if (n == 0) {
			if (rte_get_timer_cycles() - start > 20 * rte_get_timer_hz()) {
				ctx.stop = true;
				break;
			}
			continue;
		}
		if (mtag_find_burst(burst, n, MTAG_TYPE_GRE, out) != n)
			bad++;
		for (i = 0; i < n; i++)
			if (out[i] == NULL || *(uint32_t *)mtag_data(out[i]) != got + i)
				bad++;
		mtag_pktmbuf_free_bulk(burst, n);
		got += n;
	}
	rte_eal_wait_lcore(worker);
	rte_ring_free(ctx.ring);
	TEST_ASSERT_EQ(got, PIPE_PKTS, "every packet through in 20 s");
	TEST_ASSERT_EQ(bad, 0, "every packet with its own tag, in order");
	printf("    %u packets, %.1f s\n", got,
	       (double)(rte_get_timer_cycles() - start) / rte_get_timer_hz());
	return TEST_SUCCESS;
}

/* Non-EAL threads. */
struct thread_ctx {
	bool do_register;
	int register_ret;
	unsigned int lcore_id;
	unsigned int loops;
	unsigned int bad;
};

static void *
thread_body(void *arg)
{
	struct thread_ctx *ctx = arg;
	struct rte_mbuf *m;
	struct mtag *t, *b[8];
	unsigned int i, k;

	if (ctx->do_register) {
		ctx->register_ret = rte_thread_register();
		if (ctx->register_ret != 0) {
			ctx->register_ret = -rte_errno;
			return NULL;
		}
	}
	ctx->lcore_id = rte_lcore_id();
	m = rte_pktmbuf_alloc(test_mbuf_pool());
	if (m == NULL) {
		ctx->bad++;
		goto out;
	}
	for (i = 0; i < ctx->loops; i++) {
		t = mtag_get(MTAG_TYPE_WIREGUARD, 32, 0);
		if (t == NULL) {
			ctx->bad++;
			continue;
		}
		*(uint32_t *)mtag_data(t) = i;
		mtag_prepend(m, t);
		t = mtag_find(m, MTAG_TYPE_WIREGUARD, NULL);
		if (t == NULL || *(uint32_t *)mtag_data(t) != i)
			ctx->bad++;
		if (i % 16 == 0 && mtag_get_bulk(MTAG_TYPE_GRE, 8, 0, b, 8) == 8)
			for (k = 0; k < 8; k++)
				mtag_free(b[k]);
		mtag_delete_chain(m);
	}
	rte_pktmbuf_free(m);
out:
	if (ctx->do_register)
		rte_thread_unregister();
	return NULL;
}

/* Start a thread on the CPUs of both EAL lcores: created from the main
 * lcore it would inherit that one CPU only, and threads spinning on a
 * mempool ring behind a preempted peer on one CPU crawl. */
static int
thread_start(pthread_t *tid, void *(*fn)(void *), void *arg)
{
	rte_cpuset_t cpus = rte_lcore_cpuset(rte_get_main_lcore());
	rte_cpuset_t w = rte_lcore_cpuset(worker);
	pthread_attr_t attr;
	int ret;

	CPU_OR(&cpus, &cpus, &w);
	pthread_attr_init(&attr);
	pthread_attr_setaffinity_np(&attr, sizeof(cpus), &cpus);
	ret = pthread_create(tid, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	return ret;
}

/* Run @nb threads (and the main lcore's own loop when @with_main); check
 * that every alloc and free was counted. */
static int
run_threads(struct thread_ctx *ctx, unsigned int nb, bool with_main)
{
	struct thread_ctx main_ctx = {.loops = THREAD_LOOPS};
	struct mtag_stats a, b;
	pthread_t tid[4];
	uint64_t expect = 0;
	unsigned int i;

	TEST_ASSERT_EQ(mtag_stats_get(&a), 0, "stats");
	for (i = 0; i < nb; i++)
		TEST_ASSERT_EQ(thread_start(&tid[i], thread_body, &ctx[i]), 0, "thread");
	if (with_main)
		thread_body(&main_ctx);
	for (i = 0; i < nb; i++)
		pthread_join(tid[i], NULL);
	TEST_ASSERT_EQ(mtag_stats_get(&b), 0, "stats");
	for (i = 0; i < nb; i++) {
		if (ctx[i].do_register && ctx[i].register_ret != 0)
			continue;
		TEST_ASSERT_EQ(ctx[i].bad, 0, "thread %u", i);
		expect += ctx[i].loops + (ctx[i].loops + 15) / 16 * 8;
	}
	TEST_ASSERT_EQ(main_ctx.bad, 0, "main lcore");
	if (with_main)
		expect += main_ctx.loops + (main_ctx.loops + 15) / 16 * 8;
	TEST_ASSERT_EQ(b.allocs - a.allocs, expect, "every alloc counted");
	TEST_ASSERT_EQ(b.frees - a.frees, expect, "every free counted");
	TEST_ASSERT_EQ(b.alloc_fails, a.alloc_fails, "no failure");
	return TEST_SUCCESS;
}

static int
test_non_eal_thread(void)
{
	struct thread_ctx ctx[2] = {{.loops = THREAD_LOOPS}, {.loops = THREAD_LOOPS}};

	/* Two unregistered threads share the non-EAL counters, and the main
	 * lcore works at the same time. */
	TEST_RUN(run_threads(ctx, 2, true));
	TEST_ASSERT(ctx[0].lcore_id == LCORE_ID_ANY, "unregistered: no lcore id");
	return TEST_SUCCESS;
}

static int
test_registered_thread(void)
{
	struct thread_ctx ctx[2] = {{.do_register = true, .loops = THREAD_LOOPS},
				    {.do_register = true, .loops = THREAD_LOOPS}};

	TEST_RUN(run_threads(ctx, 2, true));
	if (ctx[0].register_ret != 0)
		TEST_SKIP("rte_thread_register: %s", strerror(-ctx[0].register_ret));
	TEST_ASSERT(ctx[0].lcore_id != LCORE_ID_ANY, "registered: an lcore id");
	TEST_ASSERT(ctx[1].lcore_id != LCORE_ID_ANY, "registered: an lcore id");
	return TEST_SUCCESS;
}

/* A thread that gives up its lcore id gives that lcore's cached tags back
 * to the pool and no longer uses its cache, which the inline fast paths had
 * taken it to: another thread may register under the id and use it. */
struct unregister_ctx {
	int register_ret;
	unsigned int lcore_id;
	unsigned int cached; /* tags on the lcore's cache before unregister */
	unsigned int left;   /* ... and after */
	int took_from_cache; /* the cache's len moved under an unregistered add */
	unsigned int bad;
};

static void *
thread_unregister_body(void *arg)
{
	struct rte_mempool *mp = rte_mempool_lookup("mtag_s0_c0");
	struct unregister_ctx *ctx = arg;
	struct mtag_cache *cache;
	struct rte_mbuf *m;
	unsigned int i, before;

	if (rte_thread_register() != 0) {
		ctx->register_ret = -rte_errno;
		return NULL;
	}
	ctx->lcore_id = rte_lcore_id();
	m = rte_pktmbuf_alloc(test_mbuf_pool());
	if (m == NULL || mp == NULL) {
		ctx->bad++;
		rte_thread_unregister();
		rte_pktmbuf_free(m);
		return NULL;
	}
	for (i = 0; i < 8; i++) { /* 16-byte tags: class 0, pool mtag_s0_c0 */
		if (mtag_add(m, MTAG_TYPE_WIREGUARD, 16, 0) == NULL)
			ctx->bad++;
		mtag_delete_chain(m);
	}
	cache = RTE_PER_LCORE(mtag_lcore_self)->cache[0];
	ctx->cached = cache->len;
	rte_thread_unregister();
	ctx->left = cache->len;
	for (i = 0; i < 8; i++) {
		before = cache->len;
		if (mtag_add(m, MTAG_TYPE_WIREGUARD, 16, 0) == NULL)
			ctx->bad++;
		if (cache->len != before)
			ctx->took_from_cache = 1;
		if (mtag_find(m, MTAG_TYPE_WIREGUARD, NULL) == NULL)
			ctx->bad++;
		mtag_delete_chain(m);
	}
	rte_pktmbuf_free(m);
	return NULL;
}

static int
test_unregistered_leaves_cache(void)
{
	struct unregister_ctx ctx = {0};
	pthread_t tid;

	if (rte_mempool_lookup("mtag_s0_c0") == NULL)
		TEST_SKIP("no pool mtag_s0_c0 (tags on another socket)");
	TEST_ASSERT_EQ(thread_start(&tid, thread_unregister_body, &ctx), 0, "thread");
	pthread_join(tid, NULL);
	if (ctx.register_ret != 0)
		TEST_SKIP("rte_thread_register: %s", strerror(-ctx.register_ret));
	TEST_ASSERT_EQ(ctx.bad, 0, "tags had, found and freed");
	TEST_ASSERT(ctx.cached > 0, "lcore %u cached tags", ctx.lcore_id);
	TEST_ASSERT_EQ(ctx.left, 0, "lcore %u's cached tags back to the pool", ctx.lcore_id);
	TEST_ASSERT_EQ(ctx.took_from_cache, 0, "lcore %u's cache left alone after unregister",
		       ctx.lcore_id);
	return TEST_SUCCESS;
}

/* A tag made in a non-EAL thread, freed by the main lcore, and back. */
static void *
thread_tag_all(void *arg)
{
	*(int *)arg = tag_all();
	return NULL;
}

static void *
thread_check_free_all(void *arg)
{
	*(int *)arg = check_free_all();
	return NULL;
}

static int
test_non_eal_handover(void)
{
	pthread_t tid;
	int ret = -1;

	TEST_ASSERT_EQ(thread_start(&tid, thread_tag_all, &ret), 0, "thread");
	pthread_join(tid, NULL);
	TEST_ASSERT_EQ(ret, 0, "tagged in a non-EAL thread");
	TEST_ASSERT_EQ(check_free_all(), 0, "freed on the main lcore");
	TEST_ASSERT_EQ(tag_all(), 0, "tagged on the main lcore");
	ret = -1;
	TEST_ASSERT_EQ(thread_start(&tid, thread_check_free_all, &ret), 0, "thread");
	pthread_join(tid, NULL);
	TEST_ASSERT_EQ(ret, 0, "freed in a non-EAL thread");
	return TEST_SUCCESS;
}

static const struct test_case lcores_cases[] = {
	{"alloc_worker_free_main", test_alloc_worker_free_main},
	{"alloc_main_free_worker", test_alloc_main_free_worker},
	{"pipeline", test_pipeline},
	{"non_eal_thread", test_non_eal_thread},
	{"registered_thread", test_registered_thread},
	{"non_eal_handover", test_non_eal_handover},
	{"unregistered_leaves_cache", test_unregistered_leaves_cache},
	{NULL, NULL},
};

static struct test_suite lcores_suite = {
	.name = "lcores",
	.setup = lc_setup,
	.cases = lcores_cases,
};

REGISTER_UNIT_TEST(lcores_suite);
