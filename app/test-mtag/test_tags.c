/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/* Single tags: get, alloc with cookies, free, copy, MTAG_ZERO, length
 * limits, mtag_locate; fresh mbufs read as untagged. */

#include <rte_mempool.h>

#include "test.h"

#define NB_DIRTY 64

static int
test_header(void)
{
	struct mtag *t;
	uint8_t *d;
	unsigned int i;

	TEST_ASSERT_EQ(sizeof(struct mtag), 16, "header size");
	TEST_ASSERT_EQ(MTAG_ABI_COMPAT, 0, "OpenBSD-style cookie");
	t = mtag_get(MTAG_TYPE_VLAN, sizeof(struct mtag_vlan), 0);
	TEST_ASSERT_NOT_NULL(t, "get");
	TEST_ASSERT_EQ(t->type, MTAG_TYPE_VLAN, "type");
	TEST_ASSERT_EQ(t->len, sizeof(struct mtag_vlan), "len");
	TEST_ASSERT_EQ(t->cookie, MTAG_ABI_COMPAT, "cookie of mtag_get");
	TEST_ASSERT_NULL(t->next, "a new tag is on no chain");
	TEST_ASSERT(mtag_data(t) == (void *)(t + 1), "data follows the header");
	TEST_ASSERT_EQ((uintptr_t)mtag_data(t) % 8, 0, "data 8-byte aligned");
	mtag_free(t);

	/* Every byte of the largest payload is usable. */
	t = mtag_get(MTAG_TYPE_SRCROUTE, 256, 0);
	TEST_ASSERT_NOT_NULL(t, "get 256");
	d = mtag_data(t);
	for (i = 0; i < 256; i++)
		d[i] = (uint8_t)i;
	for (i = 0; i < 256; i++)
		TEST_ASSERT_EQ(d[i], (uint8_t)i, "byte %u", i);
	mtag_free(t);
	return TEST_SUCCESS;
}

static int
test_zero(void)
{
	struct mtag *t[NB_DIRTY];
	unsigned int i, j;
	uint8_t *d;

	/* Dirty tags, give them back, take them again zero-filled. */
	for (i = 0; i < NB_DIRTY; i++) {
		t[i] = mtag_get(MTAG_TYPE_GRE, 48, 0);
		TEST_ASSERT_NOT_NULL(t[i], "get %u", i);
		memset(mtag_data(t[i]), 0xff, 48);
	}
	for (i = 0; i < NB_DIRTY; i++)
		mtag_free(t[i]);
	for (i = 0; i < NB_DIRTY; i++) {
		t[i] = mtag_get(MTAG_TYPE_GRE, 48, MTAG_ZERO);
		TEST_ASSERT_NOT_NULL(t[i], "get zero %u", i);
		d = mtag_data(t[i]);
		for (j = 0; j < 48; j++)
			TEST_ASSERT_EQ(d[j], 0, "tag %u byte %u", i, j);
	}
	for (i = 0; i < NB_DIRTY; i++)
		mtag_free(t[i]);
	return TEST_SUCCESS;
}

static int
test_len_limits(void)
{
	struct mtag_stats before, after;
	uint16_t max;
	struct mtag *t;
	unsigned int c;

	TEST_ASSERT_EQ(mtag_stats_get(&before), 0, "stats");
	max = before.class_len[before.nb_classes - 1];
	TEST_ASSERT(max >= 256, "largest len %u", max);

	t = mtag_get(MTAG_TYPE_CARP_BAL_IP, 0, MTAG_ZERO);
	TEST_ASSERT_NOT_NULL(t, "len 0");
	TEST_ASSERT_EQ(t->len, 0, "len 0");
	mtag_free(t);
	t = mtag_get(MTAG_TYPE_GRE, max, MTAG_ZERO);
	TEST_ASSERT_NOT_NULL(t, "len %u", max);
	mtag_free(t);

	rte_errno = 0;
	TEST_ASSERT_NULL(mtag_get(MTAG_TYPE_GRE, max + 1, 0), "len max + 1");
	TEST_ASSERT_EQ(rte_errno, EINVAL, "len max + 1");
	rte_errno = 0;
	TEST_ASSERT_NULL(mtag_get(MTAG_TYPE_GRE, UINT16_MAX, 0), "len 65535");
	TEST_ASSERT_EQ(rte_errno, EINVAL, "len 65535");
	if (max < MTAG_LEN_MAX) {
		rte_errno = 0;
		TEST_ASSERT_NULL(mtag_get(MTAG_TYPE_GRE, MTAG_LEN_MAX, 0), "MTAG_LEN_MAX");
		TEST_ASSERT_EQ(rte_errno, EINVAL, "MTAG_LEN_MAX over the largest class");
	}
	rte_errno = 0;
	TEST_ASSERT_NULL(mtag_get(MTAG_TYPE_GRE, MTAG_LEN_MAX + 1, 0), "MTAG_LEN_MAX + 1");
	TEST_ASSERT_EQ(rte_errno, EINVAL, "MTAG_LEN_MAX + 1");
	rte_errno = 0;
	TEST_ASSERT_NULL(mtag_alloc(99, 1, max + 1, 0), "alloc len max + 1");
	TEST_ASSERT_EQ(rte_errno, EINVAL, "alloc len max + 1");

	/* Each length is served by the smallest class that holds it. */
	for (c = 0; c < before.nb_classes; c++) {
		uint16_t lens[2] = {before.class_len[c],
				    c == 0 ? 1 : (uint16_t)(before.class_len[c - 1] + 1)};
		unsigned int k;

		for (k = 0; k < 2; k++) {
			struct mtag_stats s1, s2;

			TEST_ASSERT_EQ(mtag_stats_get(&s1), 0, "stats");
			t = mtag_get(MTAG_TYPE_GRE, lens[k], 0);
			TEST_ASSERT_NOT_NULL(t, "len %u", lens[k]);
			TEST_ASSERT_EQ(mtag_stats_get(&s2), 0, "stats");
			TEST_ASSERT_EQ(s2.cls[c].allocs - s1.cls[c].allocs, 1,
				       "len %u from class %u", lens[k], c);
			TEST_ASSERT_EQ(s2.allocs - s1.allocs, 1, "one alloc");
			mtag_free(t);
		}
	}
	TEST_ASSERT_EQ(mtag_stats_get(&after), 0, "stats");
	TEST_ASSERT_EQ(after.alloc_fails, before.alloc_fails, "EINVAL is no pool failure");
	TEST_ASSERT_EQ(after.allocs - before.allocs, after.frees - before.frees, "balanced");
	return TEST_SUCCESS;
}

static int
test_alloc_cookie(void)
{
	struct mtag *t, *u;
	int unused;

	/* With a module cookie the type is the module's own: no registration,
	 * any 16-bit value. */
	t = mtag_alloc(0xdeadbeef, 7777, 12, MTAG_ZERO);
	TEST_ASSERT_NOT_NULL(t, "alloc with a cookie and an unregistered type");
	TEST_ASSERT_EQ(t->cookie, 0xdeadbeef, "cookie");
	TEST_ASSERT_EQ(t->type, 7777, "type");
	TEST_ASSERT_EQ(t->len, 12, "len");
	TEST_ASSERT_NULL(t->next, "next");
	mtag_free(t);
	/* Even an id out of the registry's range. */
	t = mtag_alloc(0xc0ffee, UINT16_MAX, 4, MTAG_ZERO);
	TEST_ASSERT_NOT_NULL(t, "alloc with a cookie and type 65535");
	TEST_ASSERT(t->type == UINT16_MAX && t->cookie == 0xc0ffee, "type and cookie kept");
	mtag_free(t);

	for (unused = MTAG_TYPE_MAX - 1; unused >= MTAG_TYPE_USER_BASE; unused--)
		if (mtag_type_name(unused) == NULL)
			break;
	rte_errno = 0;
	TEST_ASSERT_NULL(mtag_alloc(MTAG_ABI_COMPAT, unused, 4, 0),
			 "MTAG_ABI_COMPAT needs a known type");
	TEST_ASSERT_EQ(rte_errno, EINVAL, "unknown type");

	u = mtag_alloc(MTAG_ABI_COMPAT, MTAG_TYPE_DLT, 4, 0);
	TEST_ASSERT_NOT_NULL(u, "alloc(MTAG_ABI_COMPAT) is mtag_get");
	TEST_ASSERT_EQ(u->cookie, MTAG_ABI_COMPAT, "cookie");
	TEST_ASSERT_EQ(u->type, MTAG_TYPE_DLT, "type");
	mtag_free(u);
	return TEST_SUCCESS;
}

static int
test_copy(void)
{
	struct rte_mbuf *m;
	struct mtag *t, *c, *k, *kc;
	struct mtag_stats st;

	m = rte_pktmbuf_alloc(test_mbuf_pool());
	TEST_ASSERT_NOT_NULL(m, "mbuf");
	t = mtag_get(MTAG_TYPE_IPSEC_IN_DONE, sizeof(struct mtag_ipsec), 0);
	TEST_ASSERT_NOT_NULL(t, "get");
	*(struct mtag_ipsec *)mtag_data(t) = (struct mtag_ipsec){.sa_id = 7, .spi = 0x1234};
	mtag_prepend(m, mtag_get(MTAG_TYPE_GRE, 0, 0));
	mtag_prepend(m, t);
	mtag_prepend(m, mtag_get(MTAG_TYPE_DLT, 4, MTAG_ZERO));
	TEST_ASSERT_EQ(test_chain_len(m), 3, "chain");

	/* A copy of a tag in the middle of a chain is on no chain. */
	c = mtag_copy(t, 0);
	TEST_ASSERT_NOT_NULL(c, "copy");
	TEST_ASSERT(c != t, "a new tag");
	TEST_ASSERT_NULL(c->next, "copy unlinked");
	TEST_ASSERT_EQ(c->type, t->type, "type");
	TEST_ASSERT_EQ(c->len, t->len, "len");
	TEST_ASSERT_EQ(c->cookie, t->cookie, "cookie");
	TEST_ASSERT(memcmp(mtag_data(c), mtag_data(t), t->len) == 0, "data");
	((struct mtag_ipsec *)mtag_data(c))->sa_id = 8;
	TEST_ASSERT_EQ(((struct mtag_ipsec *)mtag_data(t))->sa_id, 7, "original untouched");
	TEST_ASSERT_EQ(test_chain_len(m), 3, "chain untouched");
	TEST_ASSERT_EQ(mtag_stats_get(&st), 0, "stats");
	TEST_ASSERT_EQ(st.in_use, 4, "three on the chain and the copy");

	/* Cookies are copied too. */
	k = mtag_alloc(0x5eed, 3, 8, MTAG_ZERO);
	TEST_ASSERT_NOT_NULL(k, "alloc");
	kc = mtag_copy(k, 0);
	TEST_ASSERT_NOT_NULL(kc, "copy of a cookie tag");
	TEST_ASSERT(kc->cookie == 0x5eed && kc->type == 3 && kc->len == 8, "cookie copy");

	mtag_free(kc);
	mtag_free(k);
	mtag_free(c);
	mtag_pktmbuf_free(m);
	return TEST_SUCCESS;
}

static int
test_locate(void)
{
	struct rte_mbuf *m;
	struct mtag *a1, *a2, *b, *compat, *other;

	m = rte_pktmbuf_alloc(test_mbuf_pool());
	TEST_ASSERT_NOT_NULL(m, "mbuf");
	/* Chain, newest first: a2, other, b, compat, a1. */
	a1 = mtag_alloc(0xa, MTAG_TYPE_GRE, 4, MTAG_ZERO);
	compat = mtag_get(MTAG_TYPE_GRE, 4, MTAG_ZERO);
	b = mtag_alloc(0xb, MTAG_TYPE_GRE, 4, MTAG_ZERO);
	other = mtag_alloc(0xa, MTAG_TYPE_DLT, 4, MTAG_ZERO);
	a2 = mtag_alloc(0xa, MTAG_TYPE_GRE, 4, MTAG_ZERO);
	TEST_ASSERT(a1 && compat && b && other && a2, "alloc");
	mtag_prepend(m, a1);
	mtag_prepend(m, compat);
	mtag_prepend(m, b);
	mtag_prepend(m, other);
	mtag_prepend(m, a2);

	/* mtag_find sees only MTAG_ABI_COMPAT tags. */
	TEST_ASSERT(mtag_find(m, MTAG_TYPE_GRE, NULL) == compat, "find skips cookies");
	TEST_ASSERT_NULL(mtag_find(m, MTAG_TYPE_GRE, compat), "one compat GRE");
	TEST_ASSERT_NULL(mtag_find(m, MTAG_TYPE_DLT, NULL), "DLT only under a cookie");
	TEST_ASSERT(mtag_locate(m, MTAG_ABI_COMPAT, MTAG_TYPE_GRE, NULL) == compat,
		    "locate(MTAG_ABI_COMPAT) is find");

	TEST_ASSERT(mtag_locate(m, 0xa, MTAG_TYPE_GRE, NULL) == a2, "newest of cookie a");
	TEST_ASSERT(mtag_locate(m, 0xa, MTAG_TYPE_GRE, a2) == a1, "next of cookie a");
	TEST_ASSERT_NULL(mtag_locate(m, 0xa, MTAG_TYPE_GRE, a1), "no more");
	TEST_ASSERT(mtag_locate(m, 0xa, MTAG_TYPE_DLT, NULL) == other, "cookie a, DLT");
	TEST_ASSERT(mtag_locate(m, 0xb, MTAG_TYPE_GRE, NULL) == b, "cookie b");
	/* start need not be a match itself. */
	TEST_ASSERT(mtag_locate(m, 0xb, MTAG_TYPE_GRE, other) == b, "from another tag");
	TEST_ASSERT_NULL(mtag_locate(m, 0xb, MTAG_TYPE_GRE, b), "b is the only one");
	TEST_ASSERT_NULL(mtag_locate(m, 0xc, MTAG_TYPE_GRE, NULL), "unknown cookie");
	TEST_ASSERT_NULL(mtag_locate(m, 0xa, MTAG_TYPE_WIREGUARD, NULL), "absent type");

	mtag_pktmbuf_free(m);
	return TEST_SUCCESS;
}

static int
test_fresh_mbuf_untagged(void)
{
	struct rte_mbuf *m[8];
	unsigned int i, ty;

	TEST_ASSERT_EQ(rte_pktmbuf_alloc_bulk(test_mbuf_pool(), m, RTE_DIM(m)), 0, "alloc");
	for (i = 0; i < RTE_DIM(m); i++) {
		TEST_ASSERT_NULL(mtag_first(m[i]), "fresh mbuf %u", i);
		for (ty = 0; ty < 64; ty++)
			TEST_ASSERT_NULL(mtag_find(m[i], ty, NULL), "find %u", ty);
	}
	rte_pktmbuf_free_bulk(m, RTE_DIM(m));
	return TEST_SUCCESS;
}

/* An mbuf freed with its chain still hanging off it (plain rte_pktmbuf_free
 * of a tagged packet) reads as untagged when allocated again: the allocator's
 * reset clears the flag, nobody touches the field. */
static int
test_realloc_untagged(void)
{
	struct rte_mempool *mp;
	struct rte_mbuf *m, *m2;
	struct mtag *t;

	mp = rte_mempool_lookup("test_realloc");
	if (mp == NULL)
		mp = test_mbuf_pool_create("test_realloc", 63, 8, 256);
	TEST_ASSERT_NOT_NULL(mp, "pool");

	m = rte_pktmbuf_alloc(mp);
	TEST_ASSERT_NOT_NULL(m, "alloc");
	t = mtag_get(MTAG_TYPE_PF_DIVERT, 8, MTAG_ZERO);
	TEST_ASSERT_NOT_NULL(t, "get");
	mtag_prepend(m, t);
	TEST_ASSERT(mtag_first(m) == t, "tagged");
#ifdef MTAG_DEBUG
	/* The debug build tracks the owner; detach properly, then forge a
	 * stale chain by hand. */
	mtag_unlink(m, t);
	mtag_chain_of(m)->head = t;
	mtag_chain_of(m)->summary = ~UINT64_C(0);
	m->ol_flags |= mtag_dynflag_mask;
#endif
	rte_pktmbuf_free(m); /* plain free: the stale chain stays in the mbuf */
	/* The per-lcore cache hands the same mbuf back. */
	m2 = rte_pktmbuf_alloc(mp);
	TEST_ASSERT_NOT_NULL(m2, "realloc");
	TEST_ASSERT(m2 == m, "the cache returned the freed mbuf");
	TEST_ASSERT_NULL(mtag_first(m2), "reallocated mbuf is untagged");
	TEST_ASSERT_NULL(mtag_find(m2, MTAG_TYPE_PF_DIVERT, NULL), "find misses");
	mtag_delete_chain(m2); /* must not free the stale tag */
	TEST_ASSERT_EQ(test_tags_in_use(), 1, "stale tag not freed through m2");
	mtag_free(t);
	rte_pktmbuf_free(m2);
	return TEST_SUCCESS;
}

/* The totals are the sums of the classes, and in_use = allocs - frees. */
static int
test_stats_consistent(void)
{
	struct mtag *t[6];
	struct mtag_stats st, st0;
	uint64_t in_use = 0, allocs = 0, frees = 0, fails = 0;
	unsigned int i, c;

	TEST_ASSERT_EQ(mtag_stats_get(&st0), 0, "stats");
	for (i = 0; i < RTE_DIM(t); i++)
		TEST_ASSERT_NOT_NULL(t[i] = mtag_get(MTAG_TYPE_GRE, i * 50, 0), "get %u", i);
	mtag_free(t[0]);
	TEST_ASSERT_NULL(mtag_get(MTAG_TYPE_GRE, UINT16_MAX, 0), "EINVAL");
	TEST_ASSERT_EQ(mtag_stats_get(&st), 0, "stats");
	for (c = 0; c < st.nb_classes; c++) {
		TEST_ASSERT_EQ(st.cls[c].in_use, st.cls[c].allocs - st.cls[c].frees, "class %u", c);
		in_use += st.cls[c].in_use;
		allocs += st.cls[c].allocs;
		frees += st.cls[c].frees;
		fails += st.cls[c].alloc_fails;
	}
	TEST_ASSERT_EQ(st.in_use, in_use, "in_use total");
	TEST_ASSERT_EQ(st.allocs, allocs, "allocs total");
	TEST_ASSERT_EQ(st.frees, frees, "frees total");
	TEST_ASSERT_EQ(st.alloc_fails, fails, "alloc_fails total");
	TEST_ASSERT_EQ(st.in_use, RTE_DIM(t) - 1, "five in use");
	TEST_ASSERT_EQ(st.debug_errors, st0.debug_errors, "no misuse");
	for (i = 1; i < RTE_DIM(t); i++)
		mtag_free(t[i]);
	return TEST_SUCCESS;
}

static const struct test_case tags_cases[] = {
	{"header", test_header},
	{"zero", test_zero},
	{"len_limits", test_len_limits},
	{"alloc_cookie", test_alloc_cookie},
	{"copy", test_copy},
	{"locate", test_locate},
	{"stats_consistent", test_stats_consistent},
	{"fresh_mbuf_untagged", test_fresh_mbuf_untagged},
	{"realloc_untagged", test_realloc_untagged},
	{NULL, NULL},
};

static struct test_suite tags_suite = {
	.name = "tags",
	.cases = tags_cases,
};

REGISTER_UNIT_TEST(tags_suite);
