/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/* Packet lifecycle: mtag_pktmbuf_free[_bulk], clone and copy with their own
 * chains, mbuf exhaustion, multi-segment packets. */

#include <stdlib.h>

#include <rte_mempool.h>

#include "test.h"

static struct rte_mbuf *
tagged_pkt(unsigned int nb_tags, uint8_t mark)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(test_mbuf_pool());
	struct mtag *t;
	unsigned int i;

	if (m == NULL)
		return NULL;
	memset(rte_pktmbuf_append(m, 100), mark, 100);
	for (i = 0; i < nb_tags; i++) {
		t = mtag_get(MTAG_TYPE_IPSEC_IN_DONE + i % 3, 24, 0);
		if (t == NULL) {
			mtag_pktmbuf_free(m);
			return NULL;
		}
		memset(mtag_data(t), mark + i, 24);
		mtag_prepend(m, t);
	}
	return m;
}

/* @c has its own copies of @m's tags: same headers and data, other memory. */
static int
check_own_copies(const struct rte_mbuf *c, const struct rte_mbuf *m)
{
	const struct mtag *s, *d;

	for (s = mtag_first(m), d = mtag_first(c); s != NULL; s = s->next, d = d->next) {
		TEST_ASSERT_NOT_NULL(d, "copy has as many tags");
		TEST_ASSERT(d != s, "own tag, not the original's");
		TEST_ASSERT(d->type == s->type && d->len == s->len && d->cookie == s->cookie,
			    "same header");
		TEST_ASSERT(memcmp(d + 1, s + 1, s->len) == 0, "same data");
	}
	TEST_ASSERT_NULL(d, "copy has no more tags");
	return TEST_SUCCESS;
}

static int
test_free(void)
{
	struct rte_mbuf *m = tagged_pkt(5, 1);

	TEST_ASSERT_NOT_NULL(m, "pkt");
	TEST_ASSERT_EQ(test_tags_in_use(), 5, "in use");
	mtag_pktmbuf_free(m);
	TEST_ASSERT_EQ(test_tags_in_use(), 0, "tags freed with the packet");
	mtag_pktmbuf_free(NULL);
	m = rte_pktmbuf_alloc(test_mbuf_pool()); /* untagged */
	TEST_ASSERT_NOT_NULL(m, "mbuf");
	mtag_pktmbuf_free(m);
	/* The harness checks that the mbufs are back in the pool. */
	return TEST_SUCCESS;
}

static int
test_free_bulk(void)
{
	struct rte_mbuf *pkts[48];
	unsigned int i;

	for (i = 0; i < RTE_DIM(pkts); i++) {
		pkts[i] = i % 7 == 3 ? NULL : tagged_pkt(i % 4, i);
		TEST_ASSERT(i % 7 == 3 || pkts[i] != NULL, "pkt %u", i);
	}
	TEST_ASSERT(test_tags_in_use() > 0, "tags in use");
	mtag_pktmbuf_free_bulk(pkts, RTE_DIM(pkts));
	TEST_ASSERT_EQ(test_tags_in_use(), 0, "all tags freed");
	mtag_pktmbuf_free_bulk(pkts, 0);
	return TEST_SUCCESS;
}

static int
test_free_bulk_huge(void)
{
	/* More than UINT16_MAX entries: the tags past 65535 are freed too. */
	static const unsigned int where[] = {0, 65534, 65535, 65536, 69999};
	const unsigned int n = 70000;
	struct rte_mbuf **pkts;
	unsigned int i;

	pkts = calloc(n, sizeof(*pkts));
	TEST_ASSERT_NOT_NULL(pkts, "calloc");
	for (i = 0; i < RTE_DIM(where); i++) {
		pkts[where[i]] = tagged_pkt(2, i);
		if (pkts[where[i]] == NULL) {
			mtag_pktmbuf_free_bulk(pkts, n);
			free(pkts);
			TEST_ASSERT(0, "pkt %u", where[i]);
		}
	}
	TEST_ASSERT_EQ(test_tags_in_use(), 2 * RTE_DIM(where), "in use");
	mtag_pktmbuf_free_bulk(pkts, n);
	free(pkts);
	TEST_ASSERT_EQ(test_tags_in_use(), 0, "all tags freed");
	return TEST_SUCCESS;
}

static int
test_clone(void)
{
	struct rte_mbuf *m = tagged_pkt(3, 10), *c;

	TEST_ASSERT_NOT_NULL(m, "pkt");
	c = mtag_pktmbuf_clone(m, test_mbuf_pool());
	TEST_ASSERT_NOT_NULL(c, "clone");
	TEST_ASSERT(RTE_MBUF_CLONED(c), "an indirect mbuf");
	TEST_ASSERT_EQ(test_tags_in_use(), 6, "the clone has 3 tags of its own");
	TEST_RUN(check_own_copies(c, m));

	/* Independent chains: changes on one do not show on the other. */
	mtag_delete(c, mtag_first(c));
	TEST_ASSERT_EQ(test_chain_len(m), 3, "original keeps its tags");
	TEST_ASSERT_EQ(test_chain_len(c), 2, "clone lost one");
	mtag_prepend(m, mtag_get(MTAG_TYPE_GRE, 0, 0));
	TEST_ASSERT_NULL(mtag_find(c, MTAG_TYPE_GRE, NULL), "new tag on m only");
	/* Freeing the original first leaves the clone's tags valid. */
	mtag_pktmbuf_free(m);
	TEST_ASSERT_EQ(test_tags_in_use(), 2, "the clone's two");
	TEST_ASSERT_EQ(((uint8_t *)mtag_data(mtag_first(c)))[0], 11, "clone's data intact");
	mtag_pktmbuf_free(c);

	/* A clone of an untagged packet is untagged. */
	m = tagged_pkt(0, 1);
	TEST_ASSERT_NOT_NULL(m, "pkt");
	c = mtag_pktmbuf_clone(m, test_mbuf_pool());
	TEST_ASSERT_NOT_NULL(c, "clone");
	TEST_ASSERT_NULL(mtag_first(c), "untagged clone");
	mtag_pktmbuf_free(c);
	mtag_pktmbuf_free(m);
	return TEST_SUCCESS;
}

static int
test_copy(void)
{
	struct rte_mbuf *m = tagged_pkt(4, 20), *c;

	TEST_ASSERT_NOT_NULL(m, "pkt");
	c = mtag_pktmbuf_copy(m, test_mbuf_pool(), 10, 50);
	TEST_ASSERT_NOT_NULL(c, "copy");
	TEST_ASSERT(!RTE_MBUF_CLONED(c), "a direct mbuf");
	TEST_ASSERT_EQ(rte_pktmbuf_pkt_len(c), 50, "50 bytes copied");
	TEST_ASSERT_EQ(*rte_pktmbuf_mtod(c, uint8_t *), 20, "payload");
	TEST_ASSERT_EQ(test_tags_in_use(), 8, "own tags");
	TEST_RUN(check_own_copies(c, m));
	mtag_delete_chain(m);
	TEST_ASSERT_EQ(test_chain_len(c), 4, "copy keeps its tags");
	mtag_pktmbuf_free(m);
	mtag_pktmbuf_free(c);

	m = tagged_pkt(1, 30);
	TEST_ASSERT_NOT_NULL(m, "pkt");
	c = mtag_pktmbuf_copy(m, test_mbuf_pool(), 0, UINT32_MAX);
	TEST_ASSERT_NOT_NULL(c, "copy all");
	TEST_ASSERT_EQ(rte_pktmbuf_pkt_len(c), 100, "whole packet");
	TEST_RUN(check_own_copies(c, m));
	mtag_pktmbuf_free(m);
	mtag_pktmbuf_free(c);
	return TEST_SUCCESS;
}

/* The pool of the new mbufs is empty: NULL, ENOMEM, nothing leaked. */
static int
test_mbuf_exhaustion(void)
{
	struct rte_mbuf *held[16], *m;
	struct rte_mempool *mp;
	unsigned int n = 0;
	struct rte_mbuf *c;

	mp = rte_mempool_lookup("test_small");
	if (mp == NULL)
		mp = test_mbuf_pool_create("test_small", 15, 0, 512);
	TEST_ASSERT_NOT_NULL(mp, "pool");
	while (n < RTE_DIM(held) && (held[n] = rte_pktmbuf_alloc(mp)) != NULL)
		n++;
	TEST_ASSERT(n > 0 && n < RTE_DIM(held), "drained %u", n);

	m = tagged_pkt(3, 40);
	TEST_ASSERT_NOT_NULL(m, "pkt");
	rte_errno = 0;
	c = mtag_pktmbuf_clone(m, mp);
	TEST_ASSERT_NULL(c, "clone without mbufs");
	TEST_ASSERT_EQ(rte_errno, ENOMEM, "clone ENOMEM");
	TEST_ASSERT_EQ(test_tags_in_use(), 3, "no tag leaked by the clone");
	rte_errno = 0;
	c = mtag_pktmbuf_copy(m, mp, 0, UINT32_MAX);
	TEST_ASSERT_NULL(c, "copy without mbufs");
	TEST_ASSERT_EQ(rte_errno, ENOMEM, "copy ENOMEM");
	TEST_ASSERT_EQ(test_tags_in_use(), 3, "no tag leaked by the copy");
	TEST_ASSERT_EQ(test_chain_len(m), 3, "original intact");
	TEST_ASSERT_EQ(rte_mbuf_refcnt_read(m), 1, "no reference left on the original");

	/* With one mbuf back the clone works. */
	rte_pktmbuf_free(held[--n]);
	c = mtag_pktmbuf_clone(m, mp);
	TEST_ASSERT_NOT_NULL(c, "clone with one mbuf");
	TEST_RUN(check_own_copies(c, m));
	mtag_pktmbuf_free(c);
	mtag_pktmbuf_free(m);
	while (n > 0)
		rte_pktmbuf_free(held[--n]);
	return TEST_SUCCESS;
}

/* A 3-segment packet: tags live on the first segment only. */
static int
test_multi_segment(void)
{
	struct rte_mbuf *seg[3], *c, *s;
	unsigned int i;

	for (i = 0; i < 3; i++) {
		seg[i] = rte_pktmbuf_alloc(test_mbuf_pool());
		TEST_ASSERT_NOT_NULL(seg[i], "seg %u", i);
		memset(rte_pktmbuf_append(seg[i], 500), i, 500);
	}
	TEST_ASSERT_EQ(rte_pktmbuf_chain(seg[0], seg[1]), 0, "chain");
	TEST_ASSERT_EQ(rte_pktmbuf_chain(seg[0], seg[2]), 0, "chain");
	TEST_ASSERT_EQ(seg[0]->nb_segs, 3, "3 segments");
	mtag_prepend(seg[0], mtag_get(MTAG_TYPE_PF_REASSEMBLED, 8, MTAG_ZERO));
	mtag_prepend(seg[0], mtag_get(MTAG_TYPE_GRE, 8, MTAG_ZERO));
	TEST_ASSERT_EQ(test_chain_len(seg[0]), 2, "tags on the first segment");
	TEST_ASSERT_NULL(mtag_first(seg[1]), "not on the second");
	TEST_ASSERT_NULL(mtag_first(seg[2]), "not on the third");

	c = mtag_pktmbuf_copy(seg[0], test_mbuf_pool(), 0, UINT32_MAX);
	TEST_ASSERT_NOT_NULL(c, "copy");
	TEST_ASSERT_EQ(rte_pktmbuf_pkt_len(c), 1500, "whole packet");
	TEST_RUN(check_own_copies(c, seg[0]));
	for (s = c->next; s != NULL; s = s->next)
		TEST_ASSERT_NULL(mtag_first(s), "later segments of the copy untagged");
	mtag_pktmbuf_free(c);

	c = mtag_pktmbuf_clone(seg[0], test_mbuf_pool());
	TEST_ASSERT_NOT_NULL(c, "clone");
	TEST_ASSERT_EQ(c->nb_segs, 3, "clone has 3 segments");
	TEST_RUN(check_own_copies(c, seg[0]));
	for (s = c->next; s != NULL; s = s->next)
		TEST_ASSERT_NULL(mtag_first(s), "later segments of the clone untagged");
	mtag_pktmbuf_free(c);
	TEST_ASSERT_EQ(test_tags_in_use(), 2, "original's tags");
	mtag_pktmbuf_free(seg[0]); /* frees all three segments and both tags */
	return TEST_SUCCESS;
}

/* A plain rte_pktmbuf_clone() copies the chain pointer: mtag_init() on the
 * clone makes it untagged again without touching the original's tags. */
static int
test_plain_clone_init(void)
{
	struct rte_mbuf *m = tagged_pkt(2, 50), *c;
	struct mtag *head;

	TEST_ASSERT_NOT_NULL(m, "pkt");
	head = mtag_first(m);
	c = rte_pktmbuf_clone(m, test_mbuf_pool());
	TEST_ASSERT_NOT_NULL(c, "plain clone");
	mtag_init(c);
	TEST_ASSERT_NULL(mtag_first(c), "clone untagged after mtag_init");
	mtag_pktmbuf_free(c);
	TEST_ASSERT_EQ(test_tags_in_use(), 2, "original's tags not freed");
	TEST_ASSERT(mtag_first(m) == head && test_chain_len(m) == 2, "original intact");
	mtag_pktmbuf_free(m);
	return TEST_SUCCESS;
}

static const struct test_case mbuf_cases[] = {
	{"free", test_free},
	{"free_bulk", test_free_bulk},
	{"free_bulk_huge", test_free_bulk_huge},
	{"clone", test_clone},
	{"copy", test_copy},
	{"mbuf_exhaustion", test_mbuf_exhaustion},
	{"multi_segment", test_multi_segment},
	{"plain_clone_init", test_plain_clone_init},
	{NULL, NULL},
};

static struct test_suite mbuf_suite = {
	.name = "mbuf",
	.cases = mbuf_cases,
};

REGISTER_UNIT_TEST(mbuf_suite);
