/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/* Pool exhaustion, with the library re-initialised on a tiny pool: NULL and
 * ENOMEM, all-or-nothing bulk gets, and mtag_copy_chain(), clone and copy
 * failing with nothing leaked and the destination exactly as it was; then
 * every allocating call with each size class dry, with and without a
 * per-lcore cache. */

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

/* What a packet's chain looked like: enough to see any change. */
struct snap {
	unsigned int n;
	struct mtag *t[16];
	uint16_t type[16], len[16];
	uint32_t sum[16];
};

static void
snap_take(const struct rte_mbuf *m, struct snap *s)
{
	struct mtag *t;
	unsigned int i;

	memset(s, 0, sizeof(*s));
	for (t = mtag_first(m); t != NULL && s->n < 16; t = mtag_next(m, t), s->n++) {
		s->t[s->n] = t;
		s->type[s->n] = t->type;
		s->len[s->n] = t->len;
		for (i = 0; i < t->len; i++)
			s->sum[s->n] = s->sum[s->n] * 31 + ((uint8_t *)mtag_data(t))[i];
	}
}

static bool
snap_same(const struct rte_mbuf *m, const struct snap *before)
{
	struct snap now;

	snap_take(m, &now);
	return memcmp(&now, before, sizeof(now)) == 0;
}

#define EVERY_POOL 63
static unsigned int every_dtor_calls;
static int every_a, every_b;

static void
every_dtor(struct mtag *t)
{
	RTE_SET_USED(t);
	every_dtor_calls++;
}

static int
every_refuse(struct mtag *dst, const struct mtag *src)
{
	RTE_SET_USED(dst);
	RTE_SET_USED(src);
	return -EPERM;
}

static struct mtag *
every_tag(uint16_t type, uint16_t len)
{
	struct mtag *t = mtag_get(type, len, 0);
	uint16_t i;

	if (t != NULL)
		for (i = 0; i < len; i++)
			((uint8_t *)mtag_data(t))[i] = (uint8_t)(type + len + i);
	return t;
}

/* Every allocating call with the size class of @len dry: the documented
 * error, both packets exactly as they were, nothing leaked; the calls that
 * allocate nothing still work; a refusing copier fails as cleanly. */
static int
every_call_dry(uint16_t len, uint32_t cache)
{
	struct rte_mbuf *p1 = rte_pktmbuf_alloc(test_mbuf_pool());
	struct rte_mbuf *p2 = rte_pktmbuf_alloc(test_mbuf_pool());
	struct mtag *dry[EVERY_POOL + 1], *tags[4], *t;
	struct mtag_stats before, after;
	unsigned int n = 0, dtor0;
	struct snap s1, s2;
	uint64_t used;

	TEST_ASSERT(p1 != NULL && p2 != NULL, "mbufs");
	rte_pktmbuf_append(p1, 64);
	rte_pktmbuf_append(p2, 64);
	/* p1: a tag of every class; p2: two small ones. */
	mtag_prepend(p1, every_tag(every_b, 200));
	mtag_prepend(p1, every_tag(every_a, 40));
	mtag_prepend(p1, every_tag(MTAG_TYPE_VLAN, 4));
	mtag_prepend(p2, every_tag(every_b, 1));
	mtag_prepend(p2, every_tag(MTAG_TYPE_GRE, 0));
	TEST_ASSERT_EQ(test_tags_in_use(), 5, "cache %d, len %u: tags", (int)cache, len);

	while (n < RTE_DIM(dry) && (dry[n] = mtag_get(every_a, len, 0)) != NULL)
		n++;
	TEST_ASSERT(n > 0 && n <= EVERY_POOL, "len %u: drained %u", len, n);
	TEST_ASSERT_EQ(rte_errno, ENOMEM, "an empty pool gives ENOMEM");
	snap_take(p1, &s1);
	snap_take(p2, &s2);
	mtag_stats_get(&before);
	dtor0 = every_dtor_calls;

	rte_errno = 0;
	TEST_ASSERT(mtag_get(MTAG_TYPE_VLAN, len, MTAG_ZERO) == NULL && rte_errno == ENOMEM,
		    "len %u: get", len);
	rte_errno = 0;
	TEST_ASSERT(mtag_alloc(42, 42, len, 0) == NULL && rte_errno == ENOMEM, "len %u: alloc",
		    len);
	rte_errno = 0;
	TEST_ASSERT(mtag_get_bulk(MTAG_TYPE_VLAN, len, 0, tags, 4) == 0 && rte_errno == ENOMEM,
		    "len %u: get_bulk", len);
	TEST_ASSERT_EQ(mtag_get_bulk(MTAG_TYPE_VLAN, len, 0, tags, 0), 0, "a bulk of 0");
	rte_errno = 0;
	TEST_ASSERT(mtag_copy(dry[0], 0) == NULL && rte_errno == ENOMEM, "len %u: copy", len);
	TEST_ASSERT_EQ(mtag_copy_chain(p2, p1), -ENOBUFS, "len %u: copy_chain", len);
	TEST_ASSERT(snap_same(p2, &s2) && snap_same(p1, &s1), "copy_chain changed a packet");
	rte_errno = 0;
	TEST_ASSERT(mtag_pktmbuf_clone(p1, test_mbuf_pool()) == NULL && rte_errno == ENOMEM,
		    "len %u: clone", len);
	rte_errno = 0;
	TEST_ASSERT(mtag_pktmbuf_copy(p1, test_mbuf_pool(), 0, UINT32_MAX) == NULL &&
			    rte_errno == ENOMEM,
		    "len %u: pktmbuf_copy", len);
	TEST_ASSERT(snap_same(p1, &s1) && snap_same(p2, &s2), "len %u: a packet changed", len);
	mtag_stats_get(&after);
	TEST_ASSERT_EQ(after.in_use, before.in_use, "len %u: tags leaked", len);
	/* Copies rolled back ran their destructor, one per copy freed. */
	TEST_ASSERT_EQ(every_dtor_calls - dtor0, after.frees - before.frees,
		       "len %u: destructor calls per free", len);
	TEST_ASSERT(after.alloc_fails > before.alloc_fails, "len %u: failures not counted", len);

	/* Calls that allocate nothing still work with the pool dry. */
	t = mtag_find(p1, every_a, NULL);
	TEST_ASSERT(t != NULL && t->len == 40, "len %u: find", len);
	mtag_unlink(p1, t);
	mtag_prepend(p1, t);
	mtag_move(p2, p1);
	TEST_ASSERT(mtag_first(p1) == NULL && mtag_first(p2) == t, "len %u: move", len);

	/* A copier that refuses: the same all-or-nothing promise. */
	mtag_free(dry[--n]); /* room for one copy */
	TEST_ASSERT_EQ(mtag_type_set_copier(every_b, every_refuse), 0, "copier");
	snap_take(p1, &s1);
	snap_take(p2, &s2);
	used = test_tags_in_use();
	TEST_ASSERT_EQ(mtag_copy_chain(p1, p2), -EPERM, "len %u: refused copy_chain", len);
	TEST_ASSERT(snap_same(p1, &s1) && snap_same(p2, &s2) && test_tags_in_use() == used,
		    "len %u: refused copy_chain changed something", len);
	TEST_ASSERT(mtag_pktmbuf_clone(p2, test_mbuf_pool()) == NULL && test_tags_in_use() == used,
		    "len %u: refused clone", len);
	mtag_type_set_copier(every_b, NULL);

	while (n > 0)
		mtag_free(dry[--n]);
	mtag_pktmbuf_free(p1);
	mtag_pktmbuf_free(p2);
	return TEST_SUCCESS;
}

/* every_call_dry() for each size class, without a per-lcore cache and with
 * one. */
static int
test_every_call(void)
{
	static const uint32_t caches[] = {UINT32_MAX, 16};
	static const uint16_t lens[] = {4, 40, 200}; /* one per default class */
	struct mtag_conf conf = {.pool_size = EVERY_POOL};
	unsigned int c, i;
	int ret = TEST_SUCCESS;

	for (c = 0; c < RTE_DIM(caches) && ret == TEST_SUCCESS; c++) {
		conf.cache_size = caches[c];
		TEST_RUN(test_lib_reinit(&conf));
		every_a = test_type_new("every_a");
		every_b = test_type_new("every_b");
		TEST_ASSERT(every_a >= MTAG_TYPE_USER_BASE && every_b >= MTAG_TYPE_USER_BASE,
			    "types");
		mtag_type_set_destructor(every_a, every_dtor);
		mtag_type_set_destructor(every_b, every_dtor);
		mtag_type_set_destructor(MTAG_TYPE_VLAN, every_dtor);
		for (i = 0; i < RTE_DIM(lens) && ret == TEST_SUCCESS; i++)
			ret = every_call_dry(lens[i], caches[c]);
		mtag_type_set_destructor(MTAG_TYPE_VLAN, NULL);
		if (ret != TEST_SUCCESS)
			printf("    with cache %d\n", (int)caches[c]);
	}
	if (ret != TEST_SUCCESS)
		return ret;
	return test_lib_reinit(&tiny);
}

static const struct test_case exhaustion_cases[] = {
	{"get", test_get_exhaust},
	{"get_bulk", test_get_bulk_exhaust},
	{"copy", test_copy_exhaust},
	{"copy_chain", test_copy_chain_exhaust},
	{"clone_copy", test_clone_copy_exhaust},
	{"with_cache", test_exhaust_with_cache},
	{"every_call", test_every_call},
	{NULL, NULL},
};

static struct test_suite exhaustion_suite = {
	.name = "exhaustion",
	.setup = ex_setup,
	.teardown = ex_teardown,
	.cases = exhaustion_cases,
};

REGISTER_UNIT_TEST(exhaustion_suite);
