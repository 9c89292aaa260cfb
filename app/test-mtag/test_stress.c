/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/*
 * Multi-lcore stress (category stress): a three-stage pipeline over rte_rings.
 *
 *   A (main lcore)    allocates packets, tags them (random types and sizes,
 *                     single and bulk allocation), enqueues them;
 *   B (worker lcore)  checks every tag's data, deletes some, adds some,
 *                     copies whole chains onto new packets, moves others;
 *   C (non-EAL thread; rte_thread_register()ed in suite stress_registered)
 *                     checks, tags, and frees the packets in bulk.
 *
 * The tag pools are small for the number of packets in flight, so they run
 * dry again and again and every stage must cope. At the end: no tag in use,
 * every pool full again, and the library's counters agree exactly with what
 * the stages and the per-type copier and destructor counted.
 *
 * MTAG_STRESS_TAGS (tags per run; default 1000000, 300000 registered) and
 * MTAG_STRESS_SEED (default 1) tune a run; devtools/stress.sh sets them.
 */

#define _GNU_SOURCE
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "test.h"

#define BURST 32
#define RING_SIZE 1024
#define NB_MBUFS (4 * RING_SIZE + 8 * BURST - 1)
#define NB_TYPES 10
#define MAX_TAG_LEN 256

static uint64_t target_tags;
/* The CPUs of every lcore: thread C runs on them, not on the main lcore's
 * CPU alone, where it would fight A and spin behind it on the pools' rings. */
static cpu_set_t all_cpus;
static uint64_t seed;
static bool register_c;
static const uint32_t pool_size = 4095;

static struct rte_mempool *mbuf_pool;
static struct rte_ring *ring_ab, *ring_bc;
static uint16_t types[NB_TYPES];

/* Shared counters (atomics: three threads). */
static uint64_t direct_allocs; /* tags from mtag_get/mtag_get_bulk */
static uint64_t failed_allocs; /* tags asked for and not had */
static uint64_t copier_calls;
static uint64_t dtor_calls;
static uint64_t bad_tags; /* tags whose data was not what was written */
static uint64_t pkts_done;
static volatile bool a_done, b_done;

struct rng {
	uint64_t s;
};

static inline uint64_t
rnd(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * UINT64_C(2685821657736338717);
}

static inline void
count(uint64_t *c, uint64_t n)
{
	__atomic_fetch_add(c, n, __ATOMIC_RELAXED);
}

/* Data of a tag on the packet numbered seq: depends on all three, so a tag
 * handed out twice or written by the wrong stage shows. */
static inline uint8_t
pattern(uint64_t seq, const struct mtag *t, unsigned int i)
{
	return (uint8_t)(seq * 13 + t->type * 31 + t->len + i);
}

static inline uint64_t *
pkt_seq(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod(m, uint64_t *);
}

static void
tag_fill(struct mtag *t, uint64_t seq)
{
	uint8_t *d = mtag_data(t);
	unsigned int i;

	for (i = 0; i < t->len; i++)
		d[i] = pattern(seq, t, i);
}

/* Check every tag of a packet; returns how many there are. */
static unsigned int
pkt_check(struct rte_mbuf *m)
{
	uint64_t seq = *pkt_seq(m);
	struct mtag *t;
	unsigned int n = 0, i;
	const uint8_t *d;

	for (t = mtag_first(m); t != NULL; t = mtag_next(m, t), n++) {
		d = mtag_data(t);
		for (i = 0; i < t->len; i++)
			if (d[i] != pattern(seq, t, i)) {
				count(&bad_tags, 1);
				break;
			}
		if (n > 64) { /* a cycle, or a chain that grew without bound */
			count(&bad_tags, 1);
			break;
		}
	}
	return n;
}

static struct mtag *
tag_new(struct rng *r, uint64_t seq)
{
	struct mtag *t = mtag_get(types[rnd(r) % NB_TYPES], rnd(r) % (MAX_TAG_LEN + 1), 0);

	if (t == NULL) {
		count(&failed_allocs, 1);
		return NULL;
	}
	count(&direct_allocs, 1);
	tag_fill(t, seq);
	return t;
}

static int
copier(struct mtag *dst, const struct mtag *src)
{
	RTE_SET_USED(dst);
	RTE_SET_USED(src);
	count(&copier_calls, 1);
	return 0;
}

static void
dtor(struct mtag *t)
{
	RTE_SET_USED(t);
	count(&dtor_calls, 1);
}

/* Tags A holds back so that the pipeline runs with the pools nearly dry:
 * now and then A changes how many free tags it leaves each class. */
static const uint16_t class_lens[] = {16, 64, 256}; /* the default classes */
static struct mtag **hog[RTE_DIM(class_lens)];
static unsigned int hog_n[RTE_DIM(class_lens)];

static void
hog_adjust(struct rng *r, bool release_all)
{
	unsigned int c, want;
	struct mtag *t;

	for (c = 0; c < RTE_DIM(class_lens); c++) {
		want = release_all ? 0 : pool_size - RTE_MIN(pool_size, 32 + rnd(r) % 512);
		while (hog_n[c] > want)
			mtag_free(hog[c][--hog_n[c]]);
		while (hog_n[c] < want) {
			t = mtag_get(types[c], class_lens[c], 0);
			if (t == NULL) {
				count(&failed_allocs, 1);
				break;
			}
			count(&direct_allocs, 1);
			hog[c][hog_n[c]++] = t;
		}
	}
}

/* Stage A: make and tag packets. */
static void
stage_a(void)
{
	struct rng r = {.s = seed * 3 + 1};
	struct rte_mbuf *pkts[BURST];
	struct mtag *tags[BURST];
	uint64_t seq = 0;
	unsigned int i, n, sent;
	uint16_t len, type;

	uint64_t round = 0;

	while (__atomic_load_n(&direct_allocs, __ATOMIC_RELAXED) < target_tags) {
		if (round++ % 256 == 0)
			hog_adjust(&r, false);
		if (rte_pktmbuf_alloc_bulk(mbuf_pool, pkts, BURST) != 0) {
			sched_yield();
			continue;
		}
		for (i = 0; i < BURST; i++) {
			uint64_t *s = (uint64_t *)rte_pktmbuf_append(pkts[i], sizeof(*s));

			*s = seq++;
		}
		/* One tag of one type and size on every packet, all or nothing... */
		type = types[rnd(&r) % NB_TYPES];
		len = rnd(&r) % (MAX_TAG_LEN + 1);
		if (mtag_get_bulk(type, len, 0, tags, BURST) == BURST) {
			count(&direct_allocs, BURST);
			for (i = 0; i < BURST; i++)
				tag_fill(tags[i], *pkt_seq(pkts[i]));
			mtag_prepend_burst(pkts, tags, BURST);
		} else {
			count(&failed_allocs, BURST);
		}
		/* ... then up to two more of random types and sizes each. */
		for (i = 0; i < BURST; i++) {
			n = rnd(&r) % 3;
			while (n-- > 0) {
				struct mtag *t = tag_new(&r, *pkt_seq(pkts[i]));

				if (t != NULL)
					mtag_prepend(pkts[i], t);
			}
		}
		/* Back-pressure: the pipeline, not A, decides how much is in flight;
		 * yield rather than spin, three threads may share two cores. */
		for (sent = 0; sent < BURST; sched_yield())
			sent += rte_ring_enqueue_burst(ring_ab, (void **)pkts + sent, BURST - sent,
						       NULL);
	}
	hog_adjust(&r, true);
	__atomic_store_n(&a_done, true, __ATOMIC_RELEASE);
}

/* The next burst on ring r, waiting for one; 0 once the stage before it
 * is done (done) and the ring is empty. */
static unsigned int
stage_next(struct rte_ring *r, volatile bool *done, struct rte_mbuf **pkts)
{
	unsigned int n;

	while ((n = rte_ring_dequeue_burst(r, (void **)pkts, BURST, NULL)) == 0) {
		if (__atomic_load_n(done, __ATOMIC_ACQUIRE) && rte_ring_empty(r))
			return 0;
		sched_yield();
	}
	return n;
}

/* Stage B: check, edit, copy, move. */
static int
stage_b(void *arg)
{
	struct rng r = {.s = seed * 5 + 2};
	struct rte_mbuf *in[BURST], *out[2 * BURST], *m, *c;
	unsigned int i, n, nout, sent;
	struct mtag *t;
	int ret;

	RTE_SET_USED(arg);
	while ((n = stage_next(ring_ab, &a_done, in)) != 0) {
		nout = 0;
		for (i = 0; i < n; i++) {
			m = in[i];
			pkt_check(m);
			switch (rnd(&r) % 8) {
			case 0: /* delete the newest tag of some type, if any */
				t = mtag_find(m, types[rnd(&r) % NB_TYPES], NULL);
				mtag_delete(m, t);
				break;
			case 1: /* a copy of the whole chain on a new packet */
				c = rte_pktmbuf_alloc(mbuf_pool);
				if (c == NULL)
					break;
				*(uint64_t *)rte_pktmbuf_append(c, sizeof(uint64_t)) = *pkt_seq(m);
				ret = mtag_copy_chain(c, m);
				if (ret == -ENOBUFS)
					count(&failed_allocs, 1);
				else if (ret != 0)
					count(&bad_tags, 1);
				out[nout++] = c;
				break;
			case 2: /* the chain moves to a new packet, the old one goes */
				c = rte_pktmbuf_alloc(mbuf_pool);
				if (c == NULL)
					break;
				*(uint64_t *)rte_pktmbuf_append(c, sizeof(uint64_t)) = *pkt_seq(m);
				mtag_move(c, m);
				if (mtag_first(m) != NULL)
					count(&bad_tags, 1);
				rte_pktmbuf_free(m); /* untagged now: plain free is right */
				m = c;
				break;
			case 3: /* a tag allocated on this lcore, freed on another */
				t = tag_new(&r, *pkt_seq(m));
				mtag_prepend(m, t);
				break;
			case 4: /* unlink and free by hand */
				t = mtag_first(m);
				mtag_unlink(m, t);
				mtag_free(t);
				break;
			default:
				break;
			}
			out[nout++] = m;
		}
		for (sent = 0; sent < nout; sched_yield())
			sent += rte_ring_enqueue_burst(ring_bc, (void **)out + sent, nout - sent,
						       NULL);
	}
	__atomic_store_n(&b_done, true, __ATOMIC_RELEASE);
	return 0;
}

/* Stage C, a thread EAL did not create: check, tag, free. */
static void *
stage_c(void *arg)
{
	struct rng r = {.s = seed * 7 + 3};
	struct rte_mbuf *pkts[BURST];
	unsigned int i, n;
	struct mtag *t;

	RTE_SET_USED(arg);
	if (register_c && rte_thread_register() != 0) {
		printf("    rte_thread_register: %s\n", rte_strerror(rte_errno));
		count(&bad_tags, 1);
	}
	while ((n = stage_next(ring_bc, &b_done, pkts)) != 0) {
		for (i = 0; i < n; i++) {
			pkt_check(pkts[i]);
			if (rnd(&r) % 4 == 0) {
				t = tag_new(&r, *pkt_seq(pkts[i]));
				mtag_prepend(pkts[i], t);
				if (t != NULL && mtag_find(pkts[i], t->type, NULL) != t)
					count(&bad_tags, 1);
			}
		}
		count(&pkts_done, n);
		mtag_pktmbuf_free_bulk(pkts, n);
	}
	if (register_c)
		rte_thread_unregister();
	return NULL;
}

static unsigned int pools_not_full;

/* A pool's tags are all on its ring or on the lcores' caches. */
static void
pool_full(struct rte_mempool *mp, void *arg)
{
	const struct mtag_stats *s = arg;
	unsigned int sock, cls;
	uint64_t cached = 0;

	if (sscanf(mp->name, "mtag_s%u_c%u", &sock, &cls) == 2 && cls < s->nb_classes)
		cached = s->cls[cls].cached;
	if (rte_mempool_avail_count(mp) + cached != mp->size) {
		printf("    pool %s: %u of %u free, %" PRIu64 " cached\n", mp->name,
		       rte_mempool_avail_count(mp), mp->size, cached);
		pools_not_full++;
	}
}

/* A tunable from the environment, or its default. */
static uint64_t
env_u64(const char *name, uint64_t def)
{
	const char *v = getenv(name);

	return v != NULL && v[0] != '\0' ? strtoull(v, NULL, 0) : def;
}

static int
stress_run(bool registered, uint64_t default_tags, uint64_t seed_offset)
{
	struct mtag_conf conf = {.cache_size = 64, .pool_size = pool_size};
	struct mtag_stats s;
	char name[MTAG_TYPE_NAMESIZE];
	pthread_attr_t attr;
	pthread_t thread_c;
	unsigned int worker, i;
	uint64_t start, hz;
	double secs;
	int ret;

	worker = rte_get_next_lcore(-1, 1, 0);
	if (worker >= RTE_MAX_LCORE)
		TEST_SKIP("needs 2 lcores");
	target_tags = env_u64("MTAG_STRESS_TAGS", default_tags);
	/* The pools' mempool driver (guide, "Which mempool driver"). */
	conf.pool_ops = getenv("MTAG_STRESS_POOL_OPS");
	if (conf.pool_ops != NULL && conf.pool_ops[0] == '\0')
		conf.pool_ops = NULL;
	seed = env_u64("MTAG_STRESS_SEED", 1) + seed_offset;
	register_c = registered;
	direct_allocs = failed_allocs = copier_calls = dtor_calls = bad_tags = pkts_done = 0;
	a_done = b_done = false;
	pools_not_full = 0;
	CPU_ZERO(&all_cpus);
	RTE_LCORE_FOREACH(i)
	{
		rte_cpuset_t set = rte_lcore_cpuset(i);

		CPU_OR(&all_cpus, &all_cpus, &set);
	}

	TEST_RUN(test_lib_reinit(&conf));
	mbuf_pool = rte_mempool_lookup("stress_mbufs");
	if (mbuf_pool == NULL)
		mbuf_pool = test_mbuf_pool_create("stress_mbufs", NB_MBUFS, 64,
						  RTE_MBUF_DEFAULT_BUF_SIZE);
	TEST_ASSERT_NOT_NULL(mbuf_pool, "mbuf pool");
	ring_ab = rte_ring_create("stress_ab", RING_SIZE, rte_socket_id(),
				  RING_F_SP_ENQ | RING_F_SC_DEQ);
	ring_bc = rte_ring_create("stress_bc", RING_SIZE, rte_socket_id(),
				  RING_F_SP_ENQ | RING_F_SC_DEQ);
	TEST_ASSERT(ring_ab != NULL && ring_bc != NULL, "rings: %s", rte_strerror(rte_errno));
	types[0] = MTAG_TYPE_VLAN;
	types[1] = MTAG_TYPE_IPSEC_IN_DONE;
	for (i = 2; i < NB_TYPES; i++) {
		snprintf(name, sizeof(name), "stress%u", i);
		ret = mtag_type_register(name);
		TEST_ASSERT(ret >= MTAG_TYPE_USER_BASE, "register %s: %d", name, ret);
		types[i] = ret;
	}
	for (i = 0; i < NB_TYPES; i++) {
		TEST_ASSERT_EQ(mtag_type_set_copier(types[i], copier), 0, "copier %u", types[i]);
		TEST_ASSERT_EQ(mtag_type_set_destructor(types[i], dtor), 0, "dtor %u", types[i]);
	}
	for (i = 0; i < RTE_DIM(class_lens); i++) {
		hog[i] = calloc(pool_size, sizeof(*hog[i]));
		TEST_ASSERT_NOT_NULL(hog[i], "calloc");
		hog_n[i] = 0;
	}

	hz = rte_get_tsc_hz();
	start = rte_get_tsc_cycles();
	pthread_attr_init(&attr);
	pthread_attr_setaffinity_np(&attr, sizeof(all_cpus), &all_cpus);
	ret = pthread_create(&thread_c, &attr, stage_c, NULL);
	pthread_attr_destroy(&attr);
	TEST_ASSERT_EQ(ret, 0, "pthread_create");
	rte_eal_remote_launch(stage_b, NULL, worker);
	stage_a();
	rte_eal_mp_wait_lcore();
	pthread_join(thread_c, NULL);
	secs = (double)(rte_get_tsc_cycles() - start) / hz;
	for (i = 0; i < RTE_DIM(class_lens); i++)
		free(hog[i]);
	rte_ring_free(ring_ab);
	rte_ring_free(ring_bc);

	TEST_ASSERT_EQ(mtag_stats_get(&s), 0, "stats");
	printf("    stress: %" PRIu64 " tags allocated (%" PRIu64 " by copy), %" PRIu64
	       " freed, %" PRIu64 " allocation failures, %" PRIu64 " packets, %.2f s, "
	       "%.1f Mtags/s, C thread %s, pools on %s, seed %" PRIu64 "\n",
	       s.allocs, copier_calls, s.frees, s.alloc_fails, pkts_done, secs,
	       s.allocs / secs / 1e6, register_c ? "registered" : "unregistered",
	       conf.pool_ops != NULL ? conf.pool_ops : "DPDK's default ring", seed);
	TEST_ASSERT_EQ(bad_tags, 0, "tags with wrong data or chains");
	TEST_ASSERT_EQ(s.in_use, 0, "tags in use");
	TEST_ASSERT_EQ(s.allocs, s.frees, "allocs and frees");
	TEST_ASSERT(s.allocs == direct_allocs + copier_calls,
		    "library counted %" PRIu64 " allocations, stages %" PRIu64 " + copies %" PRIu64,
		    s.allocs, direct_allocs, copier_calls);
	TEST_ASSERT(s.frees == dtor_calls,
		    "library counted %" PRIu64 " frees, destructor ran %" PRIu64, s.frees,
		    dtor_calls);
	TEST_ASSERT(s.alloc_fails == failed_allocs,
		    "library counted %" PRIu64 " failures, stages %" PRIu64, s.alloc_fails,
		    failed_allocs);
	TEST_ASSERT(s.allocs >= target_tags, "only %" PRIu64 " tags", s.allocs);
	TEST_ASSERT(s.alloc_fails > 0, "the pools never ran dry: not a stress");
	rte_mempool_walk(pool_full, &s);
	TEST_ASSERT_EQ(pools_not_full, 0, "pools not full again");
	for (i = 0; i < NB_TYPES; i++) {
		mtag_type_set_copier(types[i], NULL);
		mtag_type_set_destructor(types[i], NULL);
	}
	/* fini succeeds (nothing in use), then the default configuration. */
	return test_lib_reinit(NULL);
}

static int
test_pipeline(void)
{
	return stress_run(false, 1000000, 0);
}

static int
test_pipeline_registered(void)
{
	return stress_run(true, 300000, 1);
}

static const struct test_case stress_cases[] = {
	{"pipeline", test_pipeline},
	{NULL, NULL},
};

static const struct test_case stress_registered_cases[] = {
	{"pipeline", test_pipeline_registered},
	{NULL, NULL},
};

static struct test_suite stress_suite = {
	.name = "stress",
	.cases = stress_cases,
};

static struct test_suite stress_registered_suite = {
	.name = "stress_registered",
	.cases = stress_registered_cases,
};

REGISTER_STRESS_TEST(stress_suite);
REGISTER_STRESS_TEST(stress_registered_suite);
