/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/* Burst forms: get_bulk (all or nothing), prepend_burst, find_burst,
 * delete_chain_burst; n = 0, 32, and bursts larger than the lcore cache. */

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

static const struct test_case burst_cases[] = {
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

TEST_SUITE_REGISTER(burst_suite);
