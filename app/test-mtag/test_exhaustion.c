/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/* Pool exhaustion, with the library re-initialised on a tiny pool: NULL and
 * ENOMEM, all-or-nothing bulk gets, and mtag_copy_chain(), clone and copy
 * failing with nothing leaked and the destination exactly as it was. */

#include "test.h"

#define POOL 16 /* tags per size class */

static const struct mtag_conf tiny = {.pool_size = POOL, .cache_size = UINT32_MAX};
static struct mtag *held[4 * POOL];
static unsigned int nb_held;

static int
ex_setup(void)
{
	return test_lib_reinit(&tiny);
}

static void
ex_teardown(void)
{
	if (test_lib_reinit(NULL) != TEST_SUCCESS)
		printf("exhaustion: cannot restore the default configuration\n");
}

/* Take tags of @len until @left remain in their class. */
static int
drain(uint16_t len, unsigned int left)
{
	struct mtag *t;

	while (nb_held < RTE_DIM(held)) {
		t = mtag_get(MTAG_TYPE_GRE, len, 0);
		if (t == NULL)
			break;
		held[nb_held++] = t;
	}
	TEST_ASSERT(nb_held < RTE_DIM(held), "pool never ran out");
	TEST_ASSERT_EQ(rte_errno, ENOMEM, "exhausted: ENOMEM");
	while (left-- > 0)
		mtag_free(held[--nb_held]);
	return TEST_SUCCESS;
}

static void
release(void)
{
	while (nb_held > 0)
		mtag_free(held[--nb_held]);
}

static int
test_get_exhaust(void)
{
	struct mtag_stats a, b;
	struct mtag *t;

	TEST_ASSERT_EQ(mtag_stats_get(&a), 0, "stats");
	TEST_RUN(drain(16, 0));
	TEST_ASSERT_EQ(nb_held, POOL, "exactly the pool size from one class");
	rte_errno = 0;
	TEST_ASSERT_NULL(mtag_get(MTAG_TYPE_GRE, 1, 0), "empty class");
	TEST_ASSERT_EQ(rte_errno, ENOMEM, "ENOMEM");
	rte_errno = 0;
	TEST_ASSERT_NULL(mtag_alloc(5, 5, 16, 0), "alloc from an empty class");
	TEST_ASSERT_EQ(rte_errno, ENOMEM, "ENOMEM");
	TEST_ASSERT_EQ(mtag_stats_get(&b), 0, "stats");
	TEST_ASSERT_EQ(b.in_use, POOL, "in use");
	TEST_ASSERT_EQ(b.cls[0].alloc_fails - a.cls[0].alloc_fails, 3, "failures counted");
	TEST_ASSERT_EQ(b.alloc_fails - a.alloc_fails, 3, "total failures");

	/* Another size class has its own pool. */
	t = mtag_get(MTAG_TYPE_GRE, b.class_len[0] + 1, 0);
	TEST_ASSERT_NOT_NULL(t, "next class still has tags");
	mtag_free(t);
	/* One back, one out. */
	mtag_free(held[--nb_held]);
	t = mtag_get(MTAG_TYPE_GRE, 16, 0);
	TEST_ASSERT_NOT_NULL(t, "a freed tag is reusable");
	held[nb_held++] = t;
	release();
	return TEST_SUCCESS;
}

static int
test_get_bulk_exhaust(void)
{
	struct mtag *tags[POOL + 1];
	unsigned int i;

	rte_errno = 0;
	TEST_ASSERT_EQ(mtag_get_bulk(MTAG_TYPE_GRE, 8, 0, tags, POOL + 1), 0, "pool + 1");
	TEST_ASSERT_EQ(rte_errno, ENOMEM, "ENOMEM");
	TEST_ASSERT_EQ(test_tags_in_use(), 0, "nothing taken");
	TEST_ASSERT_EQ(mtag_get_bulk(MTAG_TYPE_GRE, 8, 0, tags, POOL), POOL, "whole pool");
	rte_errno = 0;
	TEST_ASSERT_EQ(mtag_get_bulk(MTAG_TYPE_GRE, 8, 0, tags + POOL, 1), 0, "one more");
	TEST_ASSERT_EQ(rte_errno, ENOMEM, "ENOMEM");
	for (i = 0; i < POOL; i++)
		mtag_free(tags[i]);

	/* 10 taken, 7 asked: none; 6 asked: all. */
	TEST_ASSERT_EQ(mtag_get_bulk(MTAG_TYPE_GRE, 8, 0, tags, 10), 10, "10");
	TEST_ASSERT_EQ(mtag_get_bulk(MTAG_TYPE_GRE, 8, 0, tags + 10, 7), 0, "7 of 6");
	TEST_ASSERT_EQ(test_tags_in_use(), 10, "all or nothing");
	TEST_ASSERT_EQ(mtag_get_bulk(MTAG_TYPE_GRE, 8, 0, tags + 10, 6), 6, "6 of 6");
	for (i = 0; i < POOL; i++)
		mtag_free(tags[i]);
	return TEST_SUCCESS;
}

static int
test_copy_exhaust(void)
{
	struct mtag *t;

	TEST_RUN(drain(16, 1));
	t = mtag_get(MTAG_TYPE_GRE, 16, 0);
	TEST_ASSERT_NOT_NULL(t, "last tag");
	rte_errno = 0;
	TEST_ASSERT_NULL(mtag_copy(t, 0), "copy from an empty pool");
	TEST_ASSERT_EQ(rte_errno, ENOMEM, "ENOMEM");
	mtag_free(t);
	release();
	return TEST_SUCCESS;
}

static unsigned int dtor_from, dtor_to;
static uint16_t type_from, type_to;

static void
count_from(struct mtag *t)
{
	RTE_SET_USED(t);
	dtor_from++;
}

static void
count_to(struct mtag *t)
{
	RTE_SET_USED(t);
	dtor_to++;
}

static int
test_copy_chain_exhaust(void)
{
	struct rte_mbuf *from, *to;
	struct mtag *before[2], *t;
	uint64_t summary, flags;
	uint8_t data[2][16];
	unsigned int i;
	int ret;

	type_from = test_type_new("ex_from");
	type_to = test_type_new("ex_to");
	TEST_ASSERT(type_from > 0 && type_to > 0, "types");
	dtor_from = dtor_to = 0;
	TEST_ASSERT_EQ(mtag_type_set_destructor(type_from, count_from), 0, "dtor");
	TEST_ASSERT_EQ(mtag_type_set_destructor(type_to, count_to), 0, "dtor");

	from = rte_pktmbuf_alloc(test_mbuf_pool());
	to = rte_pktmbuf_alloc(test_mbuf_pool());
	TEST_ASSERT(from != NULL && to != NULL, "mbufs");
	for (i = 0; i < 5; i++) {
		t = mtag_get(type_from, 16, MTAG_ZERO);
		TEST_ASSERT_NOT_NULL(t, "from's tag %u", i);
		mtag_prepend(from, t);
	}
	for (i = 0; i < 2; i++) {
		t = mtag_get(type_to, 16, 0);
		TEST_ASSERT_NOT_NULL(t, "to's tag %u", i);
		memset(mtag_data(t), 0x30 + i, 16);
		mtag_prepend(to, t);
	}
	/* Leave room for one copy of five. */
	TEST_RUN(drain(16, 1));
	before[0] = mtag_first(to);
	before[1] = mtag_next(to, before[0]);
	memcpy(data[0], mtag_data(before[0]), 16);
	memcpy(data[1], mtag_data(before[1]), 16);
	summary = mtag_chain_of(to)->summary;
	flags = to->ol_flags;

	ret = mtag_copy_chain(to, from);
	TEST_ASSERT_EQ(ret, -ENOBUFS, "copy_chain out of tags");
	TEST_ASSERT_EQ(test_tags_in_use(), POOL - 1, "the rolled-back copy freed");
	TEST_ASSERT_EQ(dtor_from, 1, "destructor once for the rolled-back copy");
	TEST_ASSERT_EQ(dtor_to, 0, "to's tags not freed");
	/* 'to' exactly as it was. */
	TEST_ASSERT(to->ol_flags == flags, "ol_flags");
	TEST_ASSERT(mtag_first(to) == before[0] && mtag_next(to, before[0]) == before[1] &&
			    mtag_next(to, before[1]) == NULL,
		    "same tags, same order");
	TEST_ASSERT(mtag_chain_of(to)->summary == summary, "same summary");
	TEST_ASSERT(memcmp(mtag_data(before[0]), data[0], 16) == 0, "data of tag 0");
	TEST_ASSERT(memcmp(mtag_data(before[1]), data[1], 16) == 0, "data of tag 1");
	TEST_ASSERT(before[0]->type == type_to && before[0]->len == 16, "header");
	TEST_ASSERT_EQ(test_chain_len(from), 5, "from intact");

	/* With room again it works and replaces to's own. */
	release();
	TEST_ASSERT_EQ(mtag_copy_chain(to, from), 0, "copy_chain with room");
	TEST_ASSERT_EQ(dtor_to, 2, "to's own freed");
	TEST_ASSERT_EQ(test_chain_len(to), 5, "five copies");
	mtag_pktmbuf_free(from);
	mtag_pktmbuf_free(to);
	TEST_ASSERT_EQ(dtor_from, 1 + 10, "every from-type tag destroyed once");
	mtag_type_set_destructor(type_from, NULL);
	mtag_type_set_destructor(type_to, NULL);
	return TEST_SUCCESS;
}

static int
test_clone_copy_exhaust(void)
{
	struct rte_mbuf *m, *c;
	unsigned int i;

	m = rte_pktmbuf_alloc(test_mbuf_pool());
	TEST_ASSERT_NOT_NULL(m, "mbuf");
	TEST_ASSERT_NOT_NULL(rte_pktmbuf_append(m, 64), "data");
	for (i = 0; i < 3; i++) {
		struct mtag *t = mtag_get(MTAG_TYPE_VLAN, 4, MTAG_ZERO);

		TEST_ASSERT_NOT_NULL(t, "tag");
		mtag_prepend(m, t);
	}
	TEST_RUN(drain(4, 2)); /* two of three copies fit */
	rte_errno = 0;
	c = mtag_pktmbuf_clone(m, test_mbuf_pool());
	TEST_ASSERT_NULL(c, "clone out of tags");
	TEST_ASSERT_EQ(rte_errno, ENOMEM, "ENOMEM");
	TEST_ASSERT_EQ(test_tags_in_use(), POOL - 2, "clone's copies rolled back");
	TEST_ASSERT_EQ(rte_mbuf_refcnt_read(m), 1, "clone's reference released");
	rte_errno = 0;
	c = mtag_pktmbuf_copy(m, test_mbuf_pool(), 0, UINT32_MAX);
	TEST_ASSERT_NULL(c, "copy out of tags");
	TEST_ASSERT_EQ(rte_errno, ENOMEM, "ENOMEM");
	TEST_ASSERT_EQ(test_tags_in_use(), POOL - 2, "copy's copies rolled back");
	TEST_ASSERT_EQ(test_chain_len(m), 3, "original intact");
	/* The harness checks that neither left an mbuf behind. */
	mtag_free(held[--nb_held]);
	c = mtag_pktmbuf_clone(m, test_mbuf_pool());
	TEST_ASSERT_NOT_NULL(c, "clone with room");
	TEST_ASSERT_EQ(test_chain_len(c), 3, "three copies");
	mtag_pktmbuf_free(c);
	mtag_pktmbuf_free(m);
	release();
	return TEST_SUCCESS;
}

/* With a per-lcore cache the whole pool is still reachable from one lcore,
 * and the first miss is a clean ENOMEM. */
static int
test_exhaust_with_cache(void)
{
	const struct mtag_conf cached = {.pool_size = POOL, .cache_size = 8};

	TEST_RUN(test_lib_reinit(&cached));
	TEST_RUN(drain(16, 0));
	TEST_ASSERT_EQ(nb_held, POOL, "every tag of the pool");
	release();
	/* Again, with tags now sitting in the cache. */
	TEST_RUN(drain(16, 0));
	TEST_ASSERT_EQ(nb_held, POOL, "every tag again");
	release();
	return test_lib_reinit(&tiny);
}

static const struct test_case exhaustion_cases[] = {
	{"get", test_get_exhaust},
	{"get_bulk", test_get_bulk_exhaust},
	{"copy", test_copy_exhaust},
	{"copy_chain", test_copy_chain_exhaust},
	{"clone_copy", test_clone_copy_exhaust},
	{"with_cache", test_exhaust_with_cache},
	{NULL, NULL},
};

static struct test_suite exhaustion_suite = {
	.name = "exhaustion",
	.setup = ex_setup,
	.teardown = ex_teardown,
	.cases = exhaustion_cases,
};

TEST_SUITE_REGISTER(exhaustion_suite);
