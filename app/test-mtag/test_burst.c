/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/* Burst and fused forms: get_bulk and add_burst (all or nothing), add,
 * prepend_burst, find_burst, delete_chain_burst; n = 0, 32, and bursts
 * larger than the lcore cache; the mempool cache used directly. */

#include <stdlib.h>

#include "test.h"

#define BIG 600 /* more than the default per-lcore cache (256) */

static struct mtag *tags[BIG];
static struct mtag *out[BIG];
static struct rte_mbuf *pkts[BIG];

static int
bulk_ok(unsigned int n, uint16_t len)
{
	unsigned int i, j;
	uint8_t *d;

	for (i = 0; i < n; i++)
		tags[i] = (struct mtag *)(uintptr_t)1; /* must be overwritten */
	TEST_ASSERT_EQ(mtag_get_bulk(MTAG_TYPE_GRE, len, MTAG_ZERO, tags, n), n, "get_bulk %u", n);
	TEST_ASSERT_EQ(test_tags_in_use(), n, "in use");
	for (i = 0; i < n; i++) {
		TEST_ASSERT(tags[i] != NULL && tags[i] != (struct mtag *)(uintptr_t)1, "tag %u", i);
		TEST_ASSERT(tags[i]->type == MTAG_TYPE_GRE && tags[i]->len == len &&
				    tags[i]->cookie == MTAG_ABI_COMPAT && tags[i]->next == NULL,
			    "header of tag %u", i);
		d = mtag_data(tags[i]);
		for (j = 0; j < len; j++)
			TEST_ASSERT_EQ(d[j], 0, "zeroed tag %u", i);
		/* Fill it so that a tag handed out twice shows. */
		memset(d, (uint8_t)i, len);
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < len; j++)
			TEST_ASSERT_EQ(((uint8_t *)mtag_data(tags[i]))[j], (uint8_t)i,
				       "tag %u given twice", i);
	for (i = 0; i < n; i++)
		mtag_free(tags[i]);
	return TEST_SUCCESS;
}

static int
test_get_bulk(void)
{
	TEST_RUN(bulk_ok(1, 16));
	TEST_RUN(bulk_ok(32, 16));
	TEST_RUN(bulk_ok(32, 100));
	TEST_RUN(bulk_ok(BIG, 16));
	TEST_RUN(bulk_ok(BIG, 256));
	return TEST_SUCCESS;
}

static int
test_get_bulk_zero_and_errors(void)
{
	struct mtag_stats before, after;

	TEST_ASSERT_EQ(mtag_stats_get(&before), 0, "stats");
	tags[0] = NULL;
	TEST_ASSERT_EQ(mtag_get_bulk(MTAG_TYPE_GRE, 16, 0, tags, 0), 0, "n = 0");
	TEST_ASSERT_NULL(tags[0], "n = 0 writes nothing");
	rte_errno = 0;
	TEST_ASSERT_EQ(mtag_get_bulk(MTAG_TYPE_GRE, 257, 0, tags, 4), 0, "len 257");
	TEST_ASSERT_EQ(rte_errno, EINVAL, "len 257");
	rte_errno = 0;
	TEST_ASSERT_EQ(mtag_get_bulk(MTAG_TYPE_MAX, 4, 0, tags, 4), 0, "bad type");
	TEST_ASSERT_EQ(rte_errno, EINVAL, "bad type");
	rte_errno = 0;
	TEST_ASSERT_EQ(mtag_get_bulk(MTAG_TYPE_GRE, 4, 0, NULL, 4), 0, "NULL array");
	TEST_ASSERT_EQ(rte_errno, EINVAL, "NULL array");
	TEST_ASSERT_EQ(mtag_stats_get(&after), 0, "stats");
	TEST_ASSERT_EQ(after.allocs, before.allocs, "nothing allocated");
	return TEST_SUCCESS;
}

static int
test_get_bulk_more_than_pool(void)
{
	struct mtag_stats st;
	struct mtag **many;
	unsigned int n;

	/* More tags than the default pool has (16383, mtag.h): nothing at all
	 * is taken. The exhaustion suite does the same at the exact edge. */
	TEST_ASSERT_EQ(mtag_stats_get(&st), 0, "stats");
	n = 4 * 16384;
	many = calloc(n, sizeof(*many));
	TEST_ASSERT_NOT_NULL(many, "calloc");
	rte_errno = 0;
	if (mtag_get_bulk(MTAG_TYPE_GRE, 16, 0, many, n) != 0) {
		free(many);
		TEST_ASSERT(0, "%u tags from one class", n);
	}
	free(many);
	TEST_ASSERT_EQ(rte_errno, ENOMEM, "ENOMEM");
	TEST_ASSERT_EQ(test_tags_in_use(), 0, "all or nothing");
	{
		struct mtag_stats after;

		TEST_ASSERT_EQ(mtag_stats_get(&after), 0, "stats");
		TEST_ASSERT(after.alloc_fails > st.alloc_fails, "failure counted");
		TEST_ASSERT_EQ(after.allocs, st.allocs, "nothing counted as allocated");
	}
	/* The pool is still whole: a full-size burst works. */
	TEST_RUN(bulk_ok(BIG, 16));
	return TEST_SUCCESS;
}

static int
alloc_pkts(unsigned int n)
{
	TEST_ASSERT_EQ(rte_pktmbuf_alloc_bulk(test_mbuf_pool(), pkts, n), 0, "%u mbufs", n);
	return TEST_SUCCESS;
}

static int
burst_cycle(unsigned int n)
{
	unsigned int i;

	TEST_RUN(alloc_pkts(n));
	TEST_ASSERT_EQ(mtag_get_bulk(MTAG_TYPE_VLAN, 4, MTAG_ZERO, tags, n), n, "get_bulk");
	mtag_prepend_burst(pkts, tags, n);
	for (i = 0; i < n; i++)
		TEST_ASSERT(mtag_first(pkts[i]) == tags[i], "pkt %u got its tag", i);
	TEST_ASSERT_EQ(mtag_find_burst(pkts, n, MTAG_TYPE_VLAN, out), n, "find_burst all");
	for (i = 0; i < n; i++)
		TEST_ASSERT(out[i] == tags[i], "out[%u]", i);
	TEST_ASSERT_EQ(mtag_find_burst(pkts, n, MTAG_TYPE_GRE, out), 0, "find_burst none");
	for (i = 0; i < n; i++)
		TEST_ASSERT_NULL(out[i], "out[%u] NULL on a miss", i);
	mtag_delete_chain_burst(pkts, n);
	TEST_ASSERT_EQ(test_tags_in_use(), 0, "all freed");
	for (i = 0; i < n; i++)
		TEST_ASSERT_NULL(mtag_first(pkts[i]), "pkt %u untagged", i);
	rte_pktmbuf_free_bulk(pkts, n);
	return TEST_SUCCESS;
}

static int
test_burst_cycle(void)
{
	TEST_RUN(burst_cycle(1));
	TEST_RUN(burst_cycle(32));
	TEST_RUN(burst_cycle(BIG));
	return TEST_SUCCESS;
}

static int
test_find_burst_mixed(void)
{
	const unsigned int n = 64;
	unsigned int i, want = 0;
	struct mtag *t;

	TEST_RUN(alloc_pkts(n));
	/* Every third packet has a GRE tag under a DLT tag, every fourth only
	 * a DLT tag, every fifth a GRE under a foreign cookie. */
	for (i = 0; i < n; i++) {
		if (i % 3 == 0) {
			mtag_prepend(pkts[i], mtag_get(MTAG_TYPE_GRE, 4, MTAG_ZERO));
			mtag_prepend(pkts[i], mtag_get(MTAG_TYPE_DLT, 4, MTAG_ZERO));
			want++;
		} else if (i % 4 == 0) {
			mtag_prepend(pkts[i], mtag_get(MTAG_TYPE_DLT, 4, MTAG_ZERO));
		} else if (i % 5 == 0) {
			mtag_prepend(pkts[i], mtag_alloc(55, MTAG_TYPE_GRE, 4, MTAG_ZERO));
		}
	}
	TEST_ASSERT_EQ(mtag_find_burst(pkts, n, MTAG_TYPE_GRE, out), want, "count");
	for (i = 0; i < n; i++) {
		t = i % 3 == 0 ? mtag_next(pkts[i], mtag_first(pkts[i])) : NULL;
		TEST_ASSERT(out[i] == t, "out[%u]", i);
		if (t != NULL)
			TEST_ASSERT_EQ(t->type, MTAG_TYPE_GRE, "type");
	}
	out[0] = (struct mtag *)(uintptr_t)1;
	TEST_ASSERT_EQ(mtag_find_burst(pkts, 0, MTAG_TYPE_GRE, out), 0, "n = 0");
	TEST_ASSERT(out[0] == (struct mtag *)(uintptr_t)1, "n = 0 writes nothing");
	mtag_delete_chain_burst(pkts, n);
	for (i = 0; i < n; i++)
		TEST_ASSERT_NULL(mtag_first(pkts[i]), "pkt %u untagged", i);
	rte_pktmbuf_free_bulk(pkts, n);
	return TEST_SUCCESS;
}

static int
test_null_entries(void)
{
	const unsigned int n = 8;
	struct mtag *spare;
	unsigned int i;

	TEST_RUN(alloc_pkts(n));
	TEST_ASSERT_EQ(mtag_get_bulk(MTAG_TYPE_GRE, 4, 0, tags, n), n, "get_bulk");
	/* A NULL tag leaves its packet alone; a NULL packet takes no tag. */
	spare = tags[5];
	tags[2] = (mtag_free(tags[2]), NULL);
	{
		struct rte_mbuf *p5 = pkts[5];

		pkts[5] = NULL;
		mtag_prepend_burst(pkts, tags, n);
		pkts[5] = p5;
	}
	for (i = 0; i < n; i++) {
		if (i == 2 || i == 5)
			TEST_ASSERT_NULL(mtag_first(pkts[i]), "pkt %u untagged", i);
		else
			TEST_ASSERT(mtag_first(pkts[i]) == tags[i], "pkt %u tagged", i);
	}
	TEST_ASSERT_NULL(spare->next, "the skipped tag is on no chain");
	mtag_free(spare);
	/* Prepending a second burst builds chains of two. */
	TEST_ASSERT_EQ(mtag_get_bulk(MTAG_TYPE_DLT, 4, 0, tags, n), n, "get_bulk");
	mtag_prepend_burst(pkts, tags, n);
	TEST_ASSERT_EQ(mtag_find_burst(pkts, n, MTAG_TYPE_GRE, out), n - 2, "find GRE");
	TEST_ASSERT_EQ(mtag_find_burst(pkts, n, MTAG_TYPE_DLT, out), n, "find DLT");
	mtag_prepend_burst(pkts, tags, 0); /* n = 0: nothing */
	/* delete_chain_burst skips NULL packets. */
	{
		struct rte_mbuf *p0 = pkts[0];

		pkts[0] = NULL;
		mtag_delete_chain_burst(pkts, n);
		pkts[0] = p0;
	}
	TEST_ASSERT_EQ(test_chain_len(pkts[0]), 2, "skipped packet keeps its tags");
	for (i = 1; i < n; i++)
		TEST_ASSERT_NULL(mtag_first(pkts[i]), "pkt %u untagged", i);
	mtag_delete_chain_burst(pkts, 0); /* n = 0: nothing */
	TEST_ASSERT_EQ(test_chain_len(pkts[0]), 2, "n = 0 frees nothing");
	mtag_delete_chain_burst(pkts, 1);
	TEST_ASSERT_NULL(mtag_first(pkts[0]), "pkt 0 untagged");
	rte_pktmbuf_free_bulk(pkts, n);
	return TEST_SUCCESS;
}

/* mtag_add_burst(): n tags of one type on n packets in one call, newest
 * first on chains that had tags, all or nothing. */
static int
add_burst_ok(unsigned int n, uint16_t len, int flags)
{
	static void *data[BIG];
	struct mtag *t;
	unsigned int i, j;

	TEST_RUN(alloc_pkts(n));
	/* Every other packet already carries a DLT tag. */
	for (i = 0; i < n; i += 2)
		TEST_ASSERT_NOT_NULL(mtag_add(pkts[i], MTAG_TYPE_DLT, 4, 0), "mtag_add %u", i);
	for (i = 0; i < n; i++)
		data[i] = NULL;
	TEST_ASSERT_EQ(mtag_add_burst(pkts, n, MTAG_TYPE_GRE, len, flags, data), n, "add_burst %u",
		       n);
	TEST_ASSERT_EQ(test_tags_in_use(), n + (n + 1) / 2, "in use");
	for (i = 0; i < n; i++) {
		t = mtag_first(pkts[i]);
		TEST_ASSERT(t != NULL && mtag_data(t) == data[i], "pkt %u: data[] is its first tag",
			    i);
		TEST_ASSERT(t->type == MTAG_TYPE_GRE && t->len == len &&
				    t->cookie == MTAG_ABI_COMPAT,
			    "pkt %u: header", i);
		TEST_ASSERT_EQ(test_chain_len(pkts[i]), i % 2 == 0 ? 2 : 1, "pkt %u: chain", i);
		TEST_ASSERT(mtag_find(pkts[i], MTAG_TYPE_GRE, NULL) == t, "pkt %u: find", i);
		TEST_ASSERT((mtag_find(pkts[i], MTAG_TYPE_DLT, NULL) != NULL) == (i % 2 == 0),
			    "pkt %u: the older tag stays findable", i);
		if (flags & MTAG_ZERO)
			for (j = 0; j < len; j++)
				TEST_ASSERT_EQ(((uint8_t *)data[i])[j], 0, "pkt %u zeroed", i);
		memset(data[i], (uint8_t)i, len);
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < len; j++)
			TEST_ASSERT_EQ(((uint8_t *)data[i])[j], (uint8_t)i, "tag %u given twice",
				       i);
	mtag_pktmbuf_free_bulk(pkts, n);
	TEST_ASSERT_EQ(test_tags_in_use(), 0, "all freed");
	return TEST_SUCCESS;
}

static int
test_add_burst(void)
{
	TEST_RUN(add_burst_ok(1, 16, 0));
	TEST_RUN(add_burst_ok(32, 16, 0));
	TEST_RUN(add_burst_ok(32, 100, MTAG_ZERO));
	TEST_RUN(add_burst_ok(200, 16, 0));	    /* more than a chunk; the cache may hold it */
	TEST_RUN(add_burst_ok(BIG, 16, MTAG_ZERO)); /* more than the cache, in chunks */
	TEST_RUN(add_burst_ok(BIG, 256, 0));
	return TEST_SUCCESS;
}

/* Chains and counters as they were, whatever made the burst fail. */
static int
add_burst_refused(unsigned int n, unsigned int null_at, int err)
{
	static void *data[BIG];
	struct mtag_stats before, after;
	struct rte_mbuf *keep = NULL;
	struct rte_mempool *mp;
	struct mtag *old[BIG];
	unsigned int i, avail;

	TEST_RUN(alloc_pkts(n));
	for (i = 0; i < n; i += 3)
		TEST_ASSERT_NOT_NULL(mtag_add(pkts[i], MTAG_TYPE_DLT, 4, 0), "mtag_add %u", i);
	for (i = 0; i < n; i++)
		old[i] = mtag_first(pkts[i]);
	if (null_at < n) {
		keep = pkts[null_at];
		pkts[null_at] = NULL;
	}
	mp = rte_mempool_lookup("mtag_s0_c0");
	avail = mp != NULL ? rte_mempool_avail_count(mp) : 0;
	TEST_ASSERT_EQ(mtag_stats_get(&before), 0, "stats");
	rte_errno = 0;
	TEST_ASSERT_EQ(mtag_add_burst(pkts, n, MTAG_TYPE_GRE, err == ENOMEM ? 256 : 16, 0, data), 0,
		       "refused");
	TEST_ASSERT_EQ(rte_errno, err, "rte_errno");
	TEST_ASSERT_EQ(mtag_stats_get(&after), 0, "stats");
	TEST_ASSERT_EQ(after.in_use, before.in_use, "nothing kept");
	TEST_ASSERT_EQ(after.allocs, before.allocs, "nothing counted as had");
	if (mp != NULL)
		TEST_ASSERT_EQ(rte_mempool_avail_count(mp), avail, "every tag back in its pool");
	if (keep != NULL)
		pkts[null_at] = keep;
	for (i = 0; i < n; i++) {
		TEST_ASSERT(mtag_first(pkts[i]) == old[i], "pkt %u unchanged", i);
		TEST_ASSERT_NULL(mtag_find(pkts[i], MTAG_TYPE_GRE, NULL), "pkt %u: no GRE", i);
		TEST_ASSERT((mtag_find(pkts[i], MTAG_TYPE_DLT, NULL) != NULL) == (i % 3 == 0),
			    "pkt %u: summary exact", i);
	}
	mtag_pktmbuf_free_bulk(pkts, n);
	return TEST_SUCCESS;
}

static int
test_add_burst_errors(void)
{
	static void *data[4];
	struct mtag **hold;
	unsigned int got, n;

	TEST_RUN(add_burst_refused(8, 0, EINVAL));
	TEST_RUN(add_burst_refused(32, 31, EINVAL));
	TEST_RUN(add_burst_refused(BIG, 100, EINVAL)); /* a NULL in the second chunk */
	TEST_RUN(alloc_pkts(4));
	rte_errno = 0;
	TEST_ASSERT_EQ(mtag_add_burst(pkts, 4, MTAG_TYPE_MAX, 4, 0, data), 0, "bad type");
	TEST_ASSERT_EQ(rte_errno, EINVAL, "bad type");
	TEST_ASSERT_EQ(mtag_add_burst(pkts, 4, MTAG_TYPE_GRE, 257, 0, data), 0, "len 257");
	TEST_ASSERT_EQ(mtag_add_burst(NULL, 4, MTAG_TYPE_GRE, 4, 0, data), 0, "NULL pkts");
	TEST_ASSERT_EQ(mtag_add_burst(pkts, 4, MTAG_TYPE_GRE, 4, 0, NULL), 0, "NULL data");
	TEST_ASSERT_EQ(mtag_add_burst(pkts, 0, MTAG_TYPE_GRE, 4, 0, data), 0, "n = 0");
	TEST_ASSERT_EQ(test_tags_in_use(), 0, "nothing allocated");
	rte_pktmbuf_free_bulk(pkts, 4);
	/* Pool exhaustion: hold all but 200 tags of the 256-byte class, then
	 * ask for BIG; the first chunks fit, a later one does not. */
	n = 16383 - 200;
	hold = calloc(n, sizeof(*hold));
	TEST_ASSERT_NOT_NULL(hold, "calloc");
	for (got = 0; got < n; got++) {
		hold[got] = mtag_get(MTAG_TYPE_GRE, 256, 0);
		if (hold[got] == NULL)
			break;
	}
	if (got == n)
		got = add_burst_refused(BIG, BIG, ENOMEM) == TEST_SUCCESS ? n : 0;
	for (unsigned int i = 0; i < n && hold[i] != NULL; i++)
		mtag_free(hold[i]);
	free(hold);
	TEST_ASSERT_EQ(got, n, "exhaustion refused cleanly");
	return TEST_SUCCESS;
}

static int
test_add(void)
{
	struct mtag_stats before, after;
	struct rte_mbuf *m;
	void *d1, *d2;

	m = rte_pktmbuf_alloc(test_mbuf_pool());
	TEST_ASSERT_NOT_NULL(m, "mbuf");
	d1 = mtag_add(m, MTAG_TYPE_VLAN, sizeof(struct mtag_vlan), MTAG_ZERO);
	TEST_ASSERT_NOT_NULL(d1, "mtag_add");
	TEST_ASSERT_EQ(((struct mtag_vlan *)d1)->tci, 0, "zeroed");
	d2 = mtag_add(m, MTAG_TYPE_GRE, 8, 0);
	TEST_ASSERT(d2 != NULL && mtag_data(mtag_first(m)) == d2, "newest first");
	TEST_ASSERT(mtag_data(mtag_find(m, MTAG_TYPE_VLAN, NULL)) == d1, "older one found");
	TEST_ASSERT_EQ(mtag_stats_get(&before), 0, "stats");
	rte_errno = 0;
	TEST_ASSERT_NULL(mtag_add(NULL, MTAG_TYPE_GRE, 4, 0), "NULL m");
	TEST_ASSERT_EQ(rte_errno, EINVAL, "NULL m");
	rte_errno = 0;
	TEST_ASSERT_NULL(mtag_add(m, MTAG_TYPE_MAX, 4, 0), "bad type");
	TEST_ASSERT_EQ(rte_errno, EINVAL, "bad type");
	rte_errno = 0;
	TEST_ASSERT_NULL(mtag_add(m, MTAG_TYPE_GRE, 257, 0), "len 257");
	TEST_ASSERT_EQ(rte_errno, EINVAL, "len 257");
	TEST_ASSERT_EQ(mtag_stats_get(&after), 0, "stats");
	TEST_ASSERT_EQ(after.allocs, before.allocs, "nothing allocated");
	TEST_ASSERT_EQ(test_chain_len(m), 2, "m unchanged");
	mtag_pktmbuf_free(m);
	return TEST_SUCCESS;
}

/* The fast paths use the lcore's mempool cache directly (MTAG_CACHE_DIRECT
 * in mtag_priv.h): over long single-tag and burst sequences the pool's
 * free count, this lcore's cache and the library's counters must agree
 * with what DPDK itself reports, so that a DPDK whose cache behaves
 * otherwise fails here. */
static int
test_mempool_cache_consistent(void)
{
	struct rte_mempool *mp = rte_mempool_lookup("mtag_s0_c0");
	struct rte_mempool_cache *cache;
	static void *data[BIG];
	unsigned int avail0, round, i, k, size;
	struct mtag *t;

	if (mp == NULL)
		TEST_SKIP("no pool mtag_s0_c0 (tags on another socket)");
	cache = rte_mempool_default_cache(mp, rte_lcore_id());
	TEST_ASSERT_NOT_NULL(cache, "the main lcore has a cache");
	avail0 = rte_mempool_avail_count(mp);
	size = rte_mempool_avail_count(mp) + (unsigned int)test_tags_in_use();
	for (round = 0; round < 64; round++) {
		/* Single tags: get k, free k, across the cache's refill and flush. */
		k = 1 + (round * 37) % BIG;
		for (i = 0; i < k; i++)
			tags[i] = mtag_get(MTAG_TYPE_GRE, 16, 0);
		for (i = 0; i < k; i++) {
			TEST_ASSERT_NOT_NULL(tags[i], "round %u tag %u", round, i);
			TEST_ASSERT(cache->len <= cache->flushthresh, "cache within its threshold");
		}
		TEST_ASSERT_EQ(rte_mempool_avail_count(mp) + test_tags_in_use(), size,
			       "round %u: pool + in use", round);
		for (i = 0; i < k; i++)
			mtag_free(tags[i]);
		TEST_ASSERT(cache->len <= cache->flushthresh, "cache within its threshold");
		/* Bursts: add and delete. */
		k = 1 + (round * 53) % BIG;
		TEST_RUN(alloc_pkts(k));
		TEST_ASSERT_EQ(mtag_add_burst(pkts, k, MTAG_TYPE_GRE, 16, 0, data), k, "add_burst");
		TEST_ASSERT_EQ(rte_mempool_avail_count(mp), size - k, "round %u: after add", round);
		t = mtag_first(pkts[k - 1]);
		TEST_ASSERT(t != NULL && t->type == MTAG_TYPE_GRE, "tag intact");
		mtag_pktmbuf_free_bulk(pkts, k);
		TEST_ASSERT(cache->len <= cache->flushthresh, "cache within its threshold");
		TEST_ASSERT_EQ(rte_mempool_avail_count(mp), size, "round %u: all back", round);
	}
	TEST_ASSERT_EQ(test_tags_in_use(), 0, "counters agree");
	TEST_ASSERT_EQ(rte_mempool_avail_count(mp), avail0, "pool whole");
	/* A pool's object handed out twice would show as a duplicate here. */
	TEST_RUN(bulk_ok(BIG, 16));
	return TEST_SUCCESS;
}

/* mtag_delete_chain_burst() pushes a packet's only tag onto the cache
 * without a test of room while the cache has room for the whole rest of
 * the burst: with the cache 0 to 48 slots short of its flush threshold, and
 * every packet carrying one tag, or every fourth (from the fourth on) two,
 * every tag must still go back once and the cache stay within its
 * threshold. */
static int
test_delete_burst_cache_near_full(void)
{
	const unsigned int nb = 32, spare = 500;
	struct rte_mempool *mp = rte_mempool_lookup("mtag_s0_c0");
	struct rte_mempool_cache *cache;
	unsigned int size, short_by, i, j, target, twos;
	static void *data[BIG];

	if (mp == NULL)
		TEST_SKIP("no pool mtag_s0_c0 (tags on another socket)");
	cache = rte_mempool_default_cache(mp, rte_lcore_id());
	TEST_ASSERT_NOT_NULL(cache, "the main lcore has a cache");
	size = rte_mempool_avail_count(mp) + (unsigned int)test_tags_in_use();
	for (short_by = 0; short_by <= 48; short_by++)
		for (twos = 0; twos <= 1; twos++) {
			target = cache->flushthresh - short_by;
			for (i = 0; i < spare; i++) {
				tags[i] = mtag_get(MTAG_TYPE_GRE, 16, 0);
				TEST_ASSERT_NOT_NULL(tags[i], "spare tag %u", i);
			}
			TEST_RUN(alloc_pkts(nb));
			TEST_ASSERT_EQ(mtag_add_burst(pkts, nb, MTAG_TYPE_GRE, 16, 0, data), nb,
				       "add");
			for (i = 3; twos && i < nb; i += 4)
				TEST_ASSERT_NOT_NULL(mtag_add(pkts[i], MTAG_TYPE_DLT, 16, 0),
						     "second tag");
			/* Free spares until the cache is where this round wants it. */
			for (j = 0; j < spare && cache->len != target; j++)
				mtag_free(tags[j]);
			TEST_ASSERT_EQ(cache->len, target, "cache %u short of its threshold",
				       short_by);
			mtag_delete_chain_burst(pkts, nb);
			TEST_ASSERT(cache->len <= cache->flushthresh,
				    "cache within its threshold (%u short, twos %u)", short_by,
				    twos);
			for (i = 0; i < nb; i++)
				TEST_ASSERT(mtag_first(pkts[i]) == NULL, "packet %u untagged", i);
			for (; j < spare; j++)
				mtag_free(tags[j]);
			rte_pktmbuf_free_bulk(pkts, nb);
			TEST_ASSERT_EQ(test_tags_in_use(), 0, "every tag back (%u short)",
				       short_by);
			TEST_ASSERT_EQ(rte_mempool_avail_count(mp), size, "pool whole (%u short)",
				       short_by);
		}
	/* A tag given back twice would be handed out twice here. */
	TEST_RUN(bulk_ok(BIG, 16));
	return TEST_SUCCESS;
}

/* mtag_delete_chain_burst() keeps a run of one type and len on the fast
 * path and hands the rest of the burst to the general one at the first
 * packet that is not of it: for each place of the first such packet in a
 * burst of 32 (another type, another len, a chain of two, with NULL and
 * untagged packets about), every tag goes back and is counted in its
 * class, and the pool is whole. */
static int
test_delete_burst_mixed_runs(void)
{
	const unsigned int nb = 32;
	static struct mtag_stats before, after;
	unsigned int odd, kind, i, c;
	struct rte_mbuf *saved;

	TEST_ASSERT_EQ(mtag_stats_get(&before), 0, "stats");
	for (kind = 0; kind < 3; kind++)
		for (odd = 0; odd < nb; odd++) {
			TEST_RUN(alloc_pkts(nb));
			for (i = 0; i < nb; i++) {
				if (i % 5 == 2)
					continue; /* untagged */
				TEST_ASSERT_NOT_NULL(mtag_add(pkts[i], MTAG_TYPE_GRE, 16, 0),
						     "tag %u", i);
			}
			if (odd % 5 == 2)
				TEST_ASSERT_NOT_NULL(mtag_add(pkts[odd], MTAG_TYPE_GRE, 16, 0),
						     "tag %u", odd);
			/* The odd one out, and every packet after it of the same kind
			 * on every seventh packet. */
			for (i = odd; i < nb; i += 7) {
				if (kind == 0) {
					mtag_delete_chain(pkts[i]);
					TEST_ASSERT_NOT_NULL(
						mtag_add(pkts[i], MTAG_TYPE_DLT, 16, 0), "DLT %u",
						i);
				} else if (kind == 1) {
					mtag_delete_chain(pkts[i]);
					TEST_ASSERT_NOT_NULL(
						mtag_add(pkts[i], MTAG_TYPE_GRE, 200, 0), "big %u",
						i);
				} else {
					TEST_ASSERT_NOT_NULL(
						mtag_add(pkts[i], MTAG_TYPE_DLT, 16, 0), "two %u",
						i);
				}
			}
			saved = pkts[nb - 3];
			pkts[nb - 3] = odd == nb - 3 ? saved : NULL;
			mtag_delete_chain_burst(pkts, nb);
			pkts[nb - 3] = saved;
			for (i = 0; i < nb; i++)
				TEST_ASSERT(i == nb - 3 && odd != nb - 3
						    ? mtag_first(pkts[i]) != NULL
						    : mtag_first(pkts[i]) == NULL,
					    "kind %u, odd %u: packet %u", kind, odd, i);
			mtag_pktmbuf_free_bulk(pkts, nb);
			TEST_ASSERT_EQ(test_tags_in_use(), 0, "kind %u, odd %u: all back", kind,
				       odd);
		}
	TEST_ASSERT_EQ(mtag_stats_get(&after), 0, "stats");
	for (c = 0; c < after.nb_classes; c++) {
		TEST_ASSERT_EQ(after.cls[c].in_use, 0, "class %u: none in use", c);
		TEST_ASSERT_EQ(after.cls[c].allocs - before.cls[c].allocs,
			       after.cls[c].frees - before.cls[c].frees,
			       "class %u: as many back as had", c);
	}
	for (c = 0; c < after.nb_classes && after.class_len[c] < 200; c++)
		;
	TEST_ASSERT(c < after.nb_classes && after.cls[c].frees > before.cls[c].frees,
		    "the big tags went back to their class");
	return TEST_SUCCESS;
}

static const struct test_case burst_cases[] = {
	{"add", test_add},
	{"add_burst", test_add_burst},
	{"add_burst_errors", test_add_burst_errors},
	{"mempool_cache_consistent", test_mempool_cache_consistent},
	{"delete_burst_cache_near_full", test_delete_burst_cache_near_full},
	{"delete_burst_mixed_runs", test_delete_burst_mixed_runs},
	{"get_bulk", test_get_bulk},
	{"get_bulk_zero_and_errors", test_get_bulk_zero_and_errors},
	{"get_bulk_more_than_pool", test_get_bulk_more_than_pool},
	{"burst_cycle", test_burst_cycle},
	{"find_burst_mixed", test_find_burst_mixed},
	{"null_entries", test_null_entries},
	{NULL, NULL},
};

static struct test_suite burst_suite = {
	.name = "burst",
	.cases = burst_cases,
};

REGISTER_UNIT_TEST(burst_suite);
