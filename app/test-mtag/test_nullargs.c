/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/* NULL for an mbuf, a tag or an array, in every function of the spec:
 * queries return NULL, int functions -EINVAL, void functions do nothing,
 * and nothing already attached is lost or freed. */

#include "test.h"

static struct rte_mbuf *m;
static struct mtag *t0, *t1, *loose;

/* m carries t1 (newest) and t0; loose is on no chain. */
static int
fixture(void)
{
	m = rte_pktmbuf_alloc(test_mbuf_pool());
	t0 = mtag_get(MTAG_TYPE_GRE, 8, MTAG_ZERO);
	t1 = mtag_get(MTAG_TYPE_DLT, 8, MTAG_ZERO);
	loose = mtag_get(MTAG_TYPE_VLAN, 4, MTAG_ZERO);
	TEST_ASSERT(m && t0 && t1 && loose, "fixture");
	mtag_prepend(m, t0);
	mtag_prepend(m, t1);
	return TEST_SUCCESS;
}

static int
fixture_intact(void)
{
	TEST_ASSERT(mtag_first(m) == t1 && mtag_next(m, t1) == t0 && mtag_next(m, t0) == NULL,
		    "m's chain intact");
	TEST_ASSERT_NULL(loose->next, "loose tag still unlinked");
	TEST_ASSERT_EQ(test_tags_in_use(), 3, "nothing freed or allocated");
	return TEST_SUCCESS;
}

static int
fixture_release(void)
{
	mtag_free(loose);
	mtag_pktmbuf_free(m);
	return TEST_SUCCESS;
}

static int
test_queries(void)
{
	TEST_RUN(fixture());
	TEST_ASSERT_NULL(mtag_first(NULL), "first(NULL)");
	TEST_ASSERT_NULL(mtag_next(m, NULL), "next(m, NULL)");
	TEST_ASSERT_NULL(mtag_find(NULL, MTAG_TYPE_GRE, NULL), "find(NULL)");
	TEST_ASSERT_NULL(mtag_find(NULL, MTAG_TYPE_GRE, t1), "find(NULL, start)");
	TEST_ASSERT_NULL(mtag_locate(NULL, 0, MTAG_TYPE_GRE, NULL), "locate(NULL)");
	TEST_ASSERT(mtag_find(m, MTAG_TYPE_GRE, NULL) == t0, "find with NULL start");
	rte_errno = 0;
	TEST_ASSERT_NULL(mtag_copy(NULL, 0), "copy(NULL)");
	TEST_ASSERT_EQ(rte_errno, EINVAL, "copy(NULL)");
	TEST_ASSERT_EQ(mtag_stats_get(NULL), -EINVAL, "stats_get(NULL)");
	TEST_ASSERT_EQ(mtag_type_register(NULL), -EINVAL, "register(NULL)");
	TEST_ASSERT_EQ(mtag_type_lookup(NULL), -EINVAL, "lookup(NULL)");
	/* NULL callbacks clear, they are no error. */
	TEST_ASSERT_EQ(mtag_type_set_destructor(MTAG_TYPE_GRE, NULL), 0, "clear destructor");
	TEST_ASSERT_EQ(mtag_type_set_copier(MTAG_TYPE_GRE, NULL), 0, "clear copier");
	TEST_RUN(fixture_intact());
	return fixture_release();
}

static int
test_single_ops(void)
{
	TEST_RUN(fixture());
	mtag_init(NULL);
	mtag_free(NULL);
	mtag_prepend(NULL, loose);
	mtag_prepend(m, NULL);
	mtag_unlink(NULL, t0);
	mtag_unlink(m, NULL);
	mtag_delete(NULL, t0);
	mtag_delete(m, NULL);
	mtag_delete_chain(NULL);
	mtag_move(NULL, m);
	mtag_move(m, NULL);
	TEST_ASSERT_EQ(mtag_copy_chain(NULL, m), -EINVAL, "copy_chain(NULL, m)");
	TEST_ASSERT_EQ(mtag_copy_chain(m, NULL), -EINVAL, "copy_chain(m, NULL)");
	TEST_ASSERT_EQ(mtag_copy_chain(NULL, NULL), -EINVAL, "copy_chain(NULL, NULL)");
	TEST_RUN(fixture_intact());
	return fixture_release();
}

static int
test_burst_ops(void)
{
	struct mtag *tags[2] = {NULL, NULL}, *out[2] = {NULL, NULL};
	struct rte_mbuf *pkts[2];

	TEST_RUN(fixture());
	pkts[0] = m;
	pkts[1] = NULL;
	rte_errno = 0;
	TEST_ASSERT_EQ(mtag_get_bulk(MTAG_TYPE_GRE, 4, 0, NULL, 2), 0, "get_bulk(NULL)");
	TEST_ASSERT_EQ(rte_errno, EINVAL, "get_bulk(NULL)");
	mtag_prepend_burst(NULL, tags, 2);
	tags[0] = loose;
	mtag_prepend_burst(NULL, tags, 2);
	mtag_prepend_burst(pkts, NULL, 2);
	TEST_ASSERT_EQ(mtag_find_burst(NULL, 2, MTAG_TYPE_GRE, out), 0, "find_burst(NULL)");
	TEST_ASSERT_EQ(mtag_find_burst(pkts, 2, MTAG_TYPE_GRE, NULL), 0, "find_burst out NULL");
	TEST_ASSERT_EQ(mtag_find_burst(pkts, 2, MTAG_TYPE_GRE, out), 1, "NULL packet skipped");
	TEST_ASSERT(out[0] == t0 && out[1] == NULL, "out");
	mtag_delete_chain_burst(NULL, 2);
	mtag_pktmbuf_free_bulk(NULL, 2);
	TEST_RUN(fixture_intact());
	return fixture_release();
}

static int
test_mbuf_ops(void)
{
	struct rte_mempool *mp = test_mbuf_pool();

	TEST_RUN(fixture());
	mtag_pktmbuf_free(NULL);
	rte_errno = 0;
	TEST_ASSERT_NULL(mtag_pktmbuf_clone(NULL, mp), "clone(NULL, mp)");
	TEST_ASSERT_EQ(rte_errno, EINVAL, "clone(NULL, mp)");
	rte_errno = 0;
	TEST_ASSERT_NULL(mtag_pktmbuf_clone(m, NULL), "clone(m, NULL)");
	TEST_ASSERT_EQ(rte_errno, EINVAL, "clone(m, NULL)");
	rte_errno = 0;
	TEST_ASSERT_NULL(mtag_pktmbuf_copy(NULL, mp, 0, UINT32_MAX), "copy(NULL, mp)");
	TEST_ASSERT_EQ(rte_errno, EINVAL, "copy(NULL, mp)");
	rte_errno = 0;
	TEST_ASSERT_NULL(mtag_pktmbuf_copy(m, NULL, 0, UINT32_MAX), "copy(m, NULL)");
	TEST_ASSERT_EQ(rte_errno, EINVAL, "copy(m, NULL)");
	TEST_ASSERT_EQ(rte_mbuf_refcnt_read(m), 1, "no reference left on m");
	TEST_RUN(fixture_intact());
	return fixture_release();
}

/* A query with a NULL mbuf returns NULL, as every query does. */
static int
test_next_null_mbuf(void)
{
	TEST_RUN(fixture());
	TEST_ASSERT_NULL(mtag_next(NULL, t1), "next(NULL, t)");
	TEST_ASSERT_NULL(mtag_next(NULL, NULL), "next(NULL, NULL)");
	TEST_RUN(fixture_intact());
	return fixture_release();
}

static const struct test_case nullargs_cases[] = {
	{"queries", test_queries},
	{"single_ops", test_single_ops},
	{"burst_ops", test_burst_ops},
	{"mbuf_ops", test_mbuf_ops},
	{"next_null_mbuf", test_next_null_mbuf},
	{NULL, NULL},
};

static struct test_suite nullargs_suite = {
	.name = "nullargs",
	.cases = nullargs_cases,
};

REGISTER_UNIT_TEST(nullargs_suite);
