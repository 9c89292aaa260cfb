/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/* Burst and fused forms: get_bulk and add_burst (all or nothing), add,
 * prepend_burst, find_burst, delete_chain_burst; n = 0, 32, and bursts
 * larger than the lcore cache; the lcore's tag cache, its refill and drain
 * levels, and caches of every small size. */

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

/* The calling lcore's cache of class cls (mtag_core.h), bound to this
 * thread by a first call. */
static struct mtag_cache *
lcore_cache(unsigned int cls)
{
	mtag_free(mtag_get(MTAG_TYPE_GRE, 16, 0));
	return RTE_PER_LCORE(mtag_lcore_self)->cache[cls];
}

/* Over long single-tag and burst sequences, the tags on the pool's ring,
 * on this lcore's cache and in use always add up to the pool, the cache
 * stays within its size, and the counters say what it holds. */
static int
test_cache_consistent(void)
{
	struct rte_mempool *mp = rte_mempool_lookup("mtag_s0_c0");
	struct mtag_cache *cache;
	static void *data[BIG];
	struct mtag_stats st;
	unsigned int avail0, round, i, k, size;
	struct mtag *t;

	if (mp == NULL)
		TEST_SKIP("no pool mtag_s0_c0 (tags on another socket)");
	cache = lcore_cache(0);
	TEST_ASSERT(cache->size > 0, "the main lcore has a cache");
	avail0 = rte_mempool_avail_count(mp) + cache->len;
	size = avail0 + (unsigned int)test_tags_in_use();
#define POOL_WHOLE(...)                                                                            \
	do {                                                                                       \
		TEST_ASSERT_EQ(rte_mempool_avail_count(mp) + cache->len + test_tags_in_use(),      \
			       size, __VA_ARGS__);                                                 \
		TEST_ASSERT_EQ(mtag_stats_get(&st), 0, "stats");                                   \
		TEST_ASSERT_EQ(st.cls[0].cached, cache->len, __VA_ARGS__);                         \
	} while (0)
	for (round = 0; round < 64; round++) {
		/* Single tags: get k, free k, across the cache's refill and drain. */
		k = 1 + (round * 37) % BIG;
		for (i = 0; i < k; i++)
			tags[i] = mtag_get(MTAG_TYPE_GRE, 16, 0);
		for (i = 0; i < k; i++)
			TEST_ASSERT_NOT_NULL(tags[i], "round %u tag %u", round, i);
		TEST_ASSERT(cache->len <= cache->size, "cache within its size");
		POOL_WHOLE("round %u: after get", round);
		for (i = 0; i < k; i++)
			mtag_free(tags[i]);
		TEST_ASSERT(cache->len <= cache->size, "cache within its size");
		POOL_WHOLE("round %u: after free", round);
		/* Bursts: add and delete. */
		k = 1 + (round * 53) % BIG;
		TEST_RUN(alloc_pkts(k));
		TEST_ASSERT_EQ(mtag_add_burst(pkts, k, MTAG_TYPE_GRE, 16, 0, data), k, "add_burst");
		POOL_WHOLE("round %u: after add", round);
		t = mtag_first(pkts[k - 1]);
		TEST_ASSERT(t != NULL && t->type == MTAG_TYPE_GRE, "tag intact");
		mtag_pktmbuf_free_bulk(pkts, k);
		TEST_ASSERT(cache->len <= cache->size, "cache within its size");
		POOL_WHOLE("round %u: all back", round);
	}
#undef POOL_WHOLE
	TEST_ASSERT_EQ(test_tags_in_use(), 0, "counters agree");
	/* A pool's object handed out twice would show as a duplicate here. */
	TEST_RUN(bulk_ok(BIG, 16));
	return TEST_SUCCESS;
}

/* The levels the guide documents: a take the cache cannot serve leaves it
 * three quarters full, a put it has no room for leaves it a quarter full
 * (with the put on top); a take larger than the cache takes the cache's
 * tags and the rest from the pool. */
static int
test_cache_levels(void)
{
	struct mtag_cache *cache = lcore_cache(0);
	const unsigned int size = cache->size, low = size / 4, high = size - size / 4;
	unsigned int held = 0;

	TEST_ASSERT(size >= 8, "a cache of %u", size);
	/* Empty the cache, then one more take refills it. */
	while (cache->len > 0)
		TEST_ASSERT_NOT_NULL(tags[held++] = mtag_get(MTAG_TYPE_GRE, 16, 0), "take");
	TEST_ASSERT_NOT_NULL(tags[held++] = mtag_get(MTAG_TYPE_GRE, 16, 0), "take");
	TEST_ASSERT_EQ(cache->len, high, "after a refill for one tag");
	/* A take of 32 with too few on the cache. */
	while (cache->len >= 32)
		TEST_ASSERT_NOT_NULL(tags[held++] = mtag_get(MTAG_TYPE_GRE, 16, 0), "take");
	TEST_ASSERT_EQ(mtag_get_bulk(MTAG_TYPE_GRE, 16, 0, &tags[held], 32), 32, "bulk");
	held += 32;
	TEST_ASSERT_EQ(cache->len, high, "after a refill for 32");
	/* Fill the cache, then one more put drains it. */
	while (cache->len < size)
		mtag_free(tags[--held]);
	mtag_free(tags[--held]);
	TEST_ASSERT_EQ(cache->len, low, "after a drain for one tag");
	while (held > 0)
		mtag_free(tags[--held]);
	/* More than the cache holds: the cache's tags, then the pool's. */
	TEST_ASSERT(cache->len > 0, "tags on the cache");
	TEST_ASSERT_EQ(mtag_get_bulk(MTAG_TYPE_GRE, 16, 0, tags, size + 1), size + 1,
		       "bulk larger than the cache");
	TEST_ASSERT_EQ(cache->len, 0, "the cache's tags went first");
	for (held = 0; held < size + 1; held++)
		mtag_free(tags[held]);
	TEST_ASSERT(cache->len <= size, "within its size");
	return TEST_SUCCESS;
}

/* Caches of 1 to 9 tags (DPDK 26.07's mempool hands one object out twice
 * with a cache of 3): random takes and puts of 1 to 8 tags, single and
 * bulk, never hand out a tag that is in use, and the pool ends whole. */
static int
test_cache_small_sizes(void)
{
	struct mtag_conf conf = {.pool_size = 255};
	static struct mtag *held[255];
	unsigned int size, op, nb, k, i, j;
	uint8_t *d;

	srand(7);
	for (size = 1; size <= 9; size++) {
		conf.cache_size = size;
		TEST_RUN(test_lib_reinit(&conf));
		TEST_ASSERT_EQ(lcore_cache(0)->size, size, "cache of %u", size);
		nb = 0;
		for (op = 0; op < 2000; op++) {
			k = 1 + rand() % 8;
			if (rand() % 2 && nb + k <= RTE_DIM(held)) {
				if (k == 1)
					held[nb] = mtag_get(MTAG_TYPE_GRE, 16, 0);
				else if (mtag_get_bulk(MTAG_TYPE_GRE, 16, 0, &held[nb], k) != k)
					held[nb] = NULL;
				TEST_ASSERT_NOT_NULL(held[nb], "cache %u op %u: take %u", size, op,
						     k);
				for (i = nb; i < nb + k; i++)
					memset(mtag_data(held[i]), (uint8_t)i, 16);
				nb += k;
			} else {
				for (; k > 0 && nb > 0; k--)
					mtag_free(held[--nb]);
			}
			for (i = 0; i < nb; i++) {
				d = mtag_data(held[i]);
				for (j = 0; j < 16; j++)
					TEST_ASSERT_EQ(d[j], (uint8_t)i,
						       "cache %u op %u: tag %u handed out twice",
						       size, op, i);
			}
		}
		while (nb > 0)
			mtag_free(held[--nb]);
	}
	return test_lib_reinit(NULL);
}

/* mtag_delete_chain_burst() pushes a packet's only tag onto the cache
 * without a test of room while the cache has room for the whole rest of
 * the burst: with the cache 0 to 48 slots short of full, and every packet
 * carrying one tag, or every fourth (from the fourth on) two, every tag
 * must still go back once and the cache stay within its size. */
static int
test_delete_burst_cache_near_full(void)
{
	const unsigned int nb = 32, spare = 500;
	struct rte_mempool *mp = rte_mempool_lookup("mtag_s0_c0");
	struct mtag_cache *cache;
	unsigned int size, short_by, i, j, target, twos;
	static void *data[BIG];

	if (mp == NULL)
		TEST_SKIP("no pool mtag_s0_c0 (tags on another socket)");
	cache = lcore_cache(0);
	size = rte_mempool_avail_count(mp) + cache->len + (unsigned int)test_tags_in_use();
	for (short_by = 0; short_by <= 48; short_by++)
		for (twos = 0; twos <= 1; twos++) {
			target = cache->size - short_by;
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
			TEST_ASSERT_EQ(cache->len, target, "cache %u short of full", short_by);
			mtag_delete_chain_burst(pkts, nb);
			TEST_ASSERT(cache->len <= cache->size,
				    "cache within its size (%u short, twos %u)", short_by, twos);
			for (i = 0; i < nb; i++)
				TEST_ASSERT(mtag_first(pkts[i]) == NULL, "packet %u untagged", i);
			for (; j < spare; j++)
				mtag_free(tags[j]);
			rte_pktmbuf_free_bulk(pkts, nb);
			TEST_ASSERT_EQ(test_tags_in_use(), 0, "every tag back (%u short)",
				       short_by);
			TEST_ASSERT_EQ(rte_mempool_avail_count(mp) + cache->len, size,
				       "pool whole (%u short)", short_by);
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
	{"cache_consistent", test_cache_consistent},
	{"cache_levels", test_cache_levels},
	{"cache_small_sizes", test_cache_small_sizes},
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
