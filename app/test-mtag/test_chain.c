/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/* Chains: LIFO order, duplicates, the type summary, unlink vs delete,
 * delete_chain, copy_chain, move. (copy_chain under exhaustion is in the
 * exhaustion suite.) */

#include "test.h"

static struct rte_mbuf *
new_pkt(void)
{
	return rte_pktmbuf_alloc(test_mbuf_pool());
}

/* Attach a tag of @type whose first data byte is @mark. */
static struct mtag *
add(struct rte_mbuf *m, uint16_t type, uint8_t mark)
{
	struct mtag *t = mtag_get(type, 8, MTAG_ZERO);

	if (t == NULL)
		return NULL;
	*(uint8_t *)mtag_data(t) = mark;
	mtag_prepend(m, t);
	return t;
}

/* The summary (exposed in mtag.h for the inline find) has exactly the bits
 * of the types on the chain, so that a find for a type that left misses. */
static int
check_summary(const struct rte_mbuf *m)
{
	const struct mtag *t;
	uint64_t want = 0;

	if (mtag_first(m) == NULL) {
		TEST_ASSERT(!mtag_is_tagged(m), "an empty chain is untagged");
		return TEST_SUCCESS;
	}
	for (t = mtag_first(m); t != NULL; t = t->next)
		want |= MTAG_SUMMARY_BIT(t->type);
	TEST_ASSERT(mtag_chain_of(m)->summary == want, "summary %#" PRIx64 ", chain %#" PRIx64,
		    mtag_chain_of(m)->summary, want);
	return TEST_SUCCESS;
}

static int
test_lifo(void)
{
	struct rte_mbuf *m = new_pkt();
	struct mtag *t[5];
	const struct mtag *it;
	unsigned int i;

	TEST_ASSERT_NOT_NULL(m, "mbuf");
	TEST_ASSERT_NULL(mtag_first(m), "untagged");
	for (i = 0; i < RTE_DIM(t); i++) {
		t[i] = add(m, MTAG_TYPE_IPSEC_IN_DONE + i, i);
		TEST_ASSERT_NOT_NULL(t[i], "add %u", i);
		TEST_ASSERT(mtag_first(m) == t[i], "newest first after %u", i);
	}
	it = mtag_first(m);
	for (i = RTE_DIM(t); i-- > 0; it = mtag_next(m, it))
		TEST_ASSERT(it == t[i], "position of tag %u", i);
	TEST_ASSERT_NULL(it, "end of chain");
	TEST_ASSERT_EQ(test_chain_len(m), RTE_DIM(t), "length");
	TEST_RUN(check_summary(m));
	for (i = 0; i < RTE_DIM(t); i++)
		TEST_ASSERT(mtag_find(m, MTAG_TYPE_IPSEC_IN_DONE + i, NULL) == t[i], "find %u", i);
	mtag_pktmbuf_free(m);
	return TEST_SUCCESS;
}

static int
test_duplicates(void)
{
	struct rte_mbuf *m = new_pkt();
	struct mtag *g1, *g2, *g3, *f;

	TEST_ASSERT_NOT_NULL(m, "mbuf");
	g1 = add(m, MTAG_TYPE_GRE, 1);
	add(m, MTAG_TYPE_DLT, 0);
	g2 = add(m, MTAG_TYPE_GRE, 2);
	add(m, MTAG_TYPE_WIREGUARD, 0);
	g3 = add(m, MTAG_TYPE_GRE, 3);
	TEST_ASSERT(g1 && g2 && g3, "add");
	TEST_ASSERT_EQ(test_chain_len(m), 5, "length");

	f = mtag_find(m, MTAG_TYPE_GRE, NULL);
	TEST_ASSERT(f == g3, "newest duplicate first");
	f = mtag_find(m, MTAG_TYPE_GRE, f);
	TEST_ASSERT(f == g2, "second with start");
	f = mtag_find(m, MTAG_TYPE_GRE, f);
	TEST_ASSERT(f == g1, "third with start");
	TEST_ASSERT_NULL(mtag_find(m, MTAG_TYPE_GRE, f), "no fourth");
	mtag_pktmbuf_free(m);
	return TEST_SUCCESS;
}

/* Delete one of two duplicates (newer or older): the other stays findable. */
static int
delete_one_of_two(int delete_newer)
{
	struct rte_mbuf *m = new_pkt();
	struct mtag *older, *newer, *keep;

	TEST_ASSERT_NOT_NULL(m, "mbuf");
	older = add(m, MTAG_TYPE_VLAN, 1);
	add(m, MTAG_TYPE_DLT, 0);
	newer = add(m, MTAG_TYPE_VLAN, 2);
	TEST_ASSERT(older && newer, "add");
	keep = delete_newer ? older : newer;
	mtag_delete(m, delete_newer ? newer : older);
	TEST_ASSERT_EQ(test_tags_in_use(), 2, "one freed");
	TEST_ASSERT(mtag_find(m, MTAG_TYPE_VLAN, NULL) == keep, "the other is found");
	TEST_ASSERT_EQ(*(uint8_t *)mtag_data(keep), delete_newer ? 1 : 2, "its data");
	TEST_ASSERT_NULL(mtag_find(m, MTAG_TYPE_VLAN, keep), "only one left");
	TEST_ASSERT_NOT_NULL(mtag_find(m, MTAG_TYPE_DLT, NULL), "other type kept");
	TEST_RUN(check_summary(m));
	/* The last of the type goes: finds miss, the summary forgets it. */
	mtag_delete(m, keep);
	TEST_ASSERT_NULL(mtag_find(m, MTAG_TYPE_VLAN, NULL), "none left");
	TEST_ASSERT(!(mtag_chain_of(m)->summary & MTAG_SUMMARY_BIT(MTAG_TYPE_VLAN)),
		    "summary bit cleared");
	TEST_RUN(check_summary(m));
	mtag_pktmbuf_free(m);
	return TEST_SUCCESS;
}

static int
test_delete_duplicate(void)
{
	TEST_RUN(delete_one_of_two(1));
	TEST_RUN(delete_one_of_two(0));
	return TEST_SUCCESS;
}

/* Two types sharing a summary bit: a user type with (id % 64) equal to a
 * predefined one. */
static int
find_alias(uint16_t *low, uint16_t *high)
{
	int id;
	unsigned int i;

	for (i = 0; i < MTAG_TYPE_MAX; i++) {
		id = test_type_new("alias");
		if (id < 0)
			break;
		if (mtag_type_name(id & 63) != NULL && (id & 63) != 0) {
			*low = id & 63;
			*high = id;
			return 0;
		}
	}
	return -1;
}

static int
test_shared_summary_bit(void)
{
	struct rte_mbuf *m = new_pkt();
	struct mtag *tl, *th, *tl2;
	uint16_t low, high;

	TEST_ASSERT_NOT_NULL(m, "mbuf");
	TEST_ASSERT_EQ(find_alias(&low, &high), 0, "two types sharing a summary bit");
	TEST_ASSERT(MTAG_SUMMARY_BIT(low) == MTAG_SUMMARY_BIT(high), "same bit");

	tl = add(m, low, 1);
	TEST_ASSERT_NOT_NULL(tl, "add low");
	TEST_ASSERT_NULL(mtag_find(m, high, NULL), "find %u with only %u present", high, low);
	TEST_ASSERT(mtag_find(m, low, NULL) == tl, "find low");

	th = add(m, high, 2);
	TEST_ASSERT_NOT_NULL(th, "add high");
	TEST_ASSERT(mtag_find(m, high, NULL) == th, "find high");
	TEST_ASSERT(mtag_find(m, low, NULL) == tl, "find low skips high");
	TEST_ASSERT_NULL(mtag_find(m, high, th), "one high");

	/* Deleting one of the two keeps the bit for the other. */
	mtag_delete(m, tl);
	TEST_ASSERT(mtag_find(m, high, NULL) == th, "high found after low deleted");
	TEST_ASSERT_NULL(mtag_find(m, low, NULL), "low gone");
	TEST_RUN(check_summary(m));
	tl2 = add(m, low, 3);
	TEST_ASSERT_NOT_NULL(tl2, "add low again");
	mtag_delete(m, th);
	TEST_ASSERT(mtag_find(m, low, NULL) == tl2, "low found after high deleted");
	TEST_ASSERT_NULL(mtag_find(m, high, NULL), "high gone");
	TEST_RUN(check_summary(m));
	mtag_delete(m, tl2);
	TEST_ASSERT_NULL(mtag_first(m), "untagged after the last delete");
	TEST_ASSERT(!mtag_is_tagged(m), "flag cleared");
	mtag_pktmbuf_free(m);
	return TEST_SUCCESS;
}

static int
test_unlink_vs_delete(void)
{
	struct rte_mbuf *m = new_pkt(), *m2 = new_pkt();
	struct mtag *a, *b, *c, *x;

	TEST_ASSERT(m != NULL && m2 != NULL, "mbufs");
	a = add(m, MTAG_TYPE_GRE, 1);
	b = add(m, MTAG_TYPE_DLT, 2);
	c = add(m, MTAG_TYPE_SRCROUTE, 3);
	x = add(m2, MTAG_TYPE_GRE, 9);
	TEST_ASSERT(a && b && c && x, "add");

	/* Unlink keeps the tag alive and usable elsewhere. */
	mtag_unlink(m, b); /* middle */
	TEST_ASSERT_EQ(test_tags_in_use(), 4, "unlink frees nothing");
	TEST_ASSERT(mtag_first(m) == c && mtag_next(m, c) == a, "chain c, a");
	TEST_ASSERT_NULL(mtag_find(m, MTAG_TYPE_DLT, NULL), "b not on m");
	TEST_RUN(check_summary(m));
	TEST_ASSERT_EQ(*(uint8_t *)mtag_data(b), 2, "b's data intact");
	mtag_prepend(m2, b);
	TEST_ASSERT(mtag_find(m2, MTAG_TYPE_DLT, NULL) == b, "b moved to m2");
	TEST_ASSERT(mtag_next(m2, b) == x, "b on top of x");

	/* Delete frees. */
	mtag_delete(m, c); /* head */
	TEST_ASSERT_EQ(test_tags_in_use(), 3, "delete frees");
	TEST_ASSERT(mtag_first(m) == a && mtag_next(m, a) == NULL, "chain a");
	TEST_RUN(check_summary(m));

	/* A tag that is not on the packet is left alone by both. */
	mtag_unlink(m, x);
	mtag_delete(m, x);
	TEST_ASSERT_EQ(test_tags_in_use(), 3, "foreign tag not freed");
	TEST_ASSERT(mtag_first(m2) == b && mtag_next(m2, b) == x, "m2 intact");
	TEST_ASSERT(mtag_first(m) == a, "m intact");

	/* Unlinking the last tag leaves the packet untagged. */
	mtag_unlink(m, a); /* tail and only */
	TEST_ASSERT_NULL(mtag_first(m), "untagged");
	TEST_ASSERT(!mtag_is_tagged(m), "flag cleared");
	mtag_free(a);
	mtag_unlink(m2, x); /* tail */
	TEST_ASSERT(mtag_first(m2) == b && mtag_next(m2, b) == NULL, "m2: b only");
	TEST_RUN(check_summary(m2));
	mtag_free(x);
	mtag_pktmbuf_free(m);
	mtag_pktmbuf_free(m2);
	return TEST_SUCCESS;
}

static int
test_delete_chain(void)
{
	struct rte_mbuf *m = new_pkt();
	unsigned int i;

	TEST_ASSERT_NOT_NULL(m, "mbuf");
	mtag_delete_chain(m); /* untagged: nothing to do */
	for (i = 0; i < 10; i++)
		TEST_ASSERT_NOT_NULL(add(m, MTAG_TYPE_IPSEC_IN_DONE + i % 4, i), "add");
	TEST_ASSERT_EQ(test_tags_in_use(), 10, "in use");
	mtag_delete_chain(m);
	TEST_ASSERT_EQ(test_tags_in_use(), 0, "all freed");
	TEST_ASSERT_NULL(mtag_first(m), "untagged");
	TEST_ASSERT_NULL(mtag_find(m, MTAG_TYPE_IPSEC_IN_DONE, NULL), "find misses");
	mtag_delete_chain(m); /* twice is harmless */
	/* The packet takes tags again. */
	TEST_ASSERT_NOT_NULL(add(m, MTAG_TYPE_GRE, 1), "add after delete_chain");
	TEST_ASSERT_EQ(test_chain_len(m), 1, "one tag");
	TEST_RUN(check_summary(m));
	mtag_pktmbuf_free(m);
	return TEST_SUCCESS;
}

static int
test_copy_chain(void)
{
	struct rte_mbuf *from = new_pkt(), *to = new_pkt();
	const struct mtag *s, *d;
	struct mtag *k;
	unsigned int i;

	TEST_ASSERT(from != NULL && to != NULL, "mbufs");
	for (i = 0; i < 4; i++)
		TEST_ASSERT_NOT_NULL(add(from, MTAG_TYPE_GRE + (i & 1), 10 + i), "add");
	k = mtag_alloc(0xc00c1e, 77, 16, MTAG_ZERO);
	TEST_ASSERT_NOT_NULL(k, "cookie tag");
	mtag_prepend(from, k);
	TEST_ASSERT_NOT_NULL(add(to, MTAG_TYPE_WIREGUARD, 1), "to's own");
	TEST_ASSERT_NOT_NULL(add(to, MTAG_TYPE_PF_DIVERT, 2), "to's own");
	TEST_ASSERT_EQ(test_tags_in_use(), 7, "in use");

	TEST_ASSERT_EQ(mtag_copy_chain(to, from), 0, "copy_chain");
	/* to's own tags were replaced (freed), from's were copied. */
	TEST_ASSERT_EQ(test_tags_in_use(), 10, "5 + 5 copies");
	TEST_ASSERT_NULL(mtag_find(to, MTAG_TYPE_WIREGUARD, NULL), "old tags gone");
	TEST_ASSERT_NULL(mtag_find(to, MTAG_TYPE_PF_DIVERT, NULL), "old tags gone");
	for (s = mtag_first(from), d = mtag_first(to); s != NULL; s = s->next, d = d->next) {
		TEST_ASSERT_NOT_NULL(d, "to as long as from");
		TEST_ASSERT(s != d, "own copies");
		TEST_ASSERT(s->type == d->type && s->len == d->len && s->cookie == d->cookie,
			    "same header, same order");
		TEST_ASSERT(memcmp(s + 1, d + 1, s->len) == 0, "same data");
	}
	TEST_ASSERT_NULL(d, "to no longer than from");
	TEST_ASSERT_EQ(test_chain_len(from), 5, "from untouched");
	TEST_RUN(check_summary(to));
	TEST_ASSERT_NOT_NULL(mtag_locate(to, 0xc00c1e, 77, NULL), "cookie tag copied");

	/* Independent: deleting on one leaves the other. */
	mtag_delete_chain(from);
	TEST_ASSERT_EQ(test_chain_len(to), 5, "to keeps its copies");
	TEST_ASSERT_EQ(*(uint8_t *)mtag_data(mtag_find(to, MTAG_TYPE_GRE, NULL)), 12, "data");

	/* From an untagged packet: to ends untagged. */
	TEST_ASSERT_EQ(mtag_copy_chain(to, from), 0, "copy of nothing");
	TEST_ASSERT_NULL(mtag_first(to), "to untagged");
	TEST_ASSERT_EQ(test_tags_in_use(), 0, "to's tags freed");

	/* Onto itself: nothing changes. */
	TEST_ASSERT_NOT_NULL(add(to, MTAG_TYPE_GRE, 5), "add");
	k = mtag_first(to);
	TEST_ASSERT_EQ(mtag_copy_chain(to, to), 0, "copy onto itself");
	TEST_ASSERT(mtag_first(to) == k && test_chain_len(to) == 1, "unchanged");
	TEST_ASSERT_EQ(test_tags_in_use(), 1, "nothing copied");
	mtag_pktmbuf_free(from);
	mtag_pktmbuf_free(to);
	return TEST_SUCCESS;
}

static int
test_move(void)
{
	struct rte_mbuf *from = new_pkt(), *to = new_pkt();
	struct mtag *a, *b, *old;

	TEST_ASSERT(from != NULL && to != NULL, "mbufs");
	a = add(from, MTAG_TYPE_GRE, 1);
	b = add(from, MTAG_TYPE_DLT, 2);
	old = add(to, MTAG_TYPE_WIREGUARD, 3);
	TEST_ASSERT(a && b && old, "add");

	mtag_move(to, from);
	TEST_ASSERT_NULL(mtag_first(from), "from untagged");
	TEST_ASSERT(!mtag_is_tagged(from), "from flag cleared");
	TEST_ASSERT(mtag_first(to) == b && mtag_next(to, b) == a, "the same tags, same order");
	TEST_ASSERT_EQ(test_tags_in_use(), 2, "to's old tag freed, nothing copied");
	TEST_ASSERT_NULL(mtag_find(to, MTAG_TYPE_WIREGUARD, NULL), "old tag gone");
	TEST_ASSERT(mtag_find(to, MTAG_TYPE_GRE, NULL) == a, "find on to");
	TEST_RUN(check_summary(to));

	/* Onto itself: nothing happens. */
	mtag_move(to, to);
	TEST_ASSERT(mtag_first(to) == b && test_chain_len(to) == 2, "self move");

	/* From an untagged packet: to's tags are freed. */
	mtag_move(to, from);
	TEST_ASSERT_NULL(mtag_first(to), "to untagged");
	TEST_ASSERT_EQ(test_tags_in_use(), 0, "freed");
	mtag_pktmbuf_free(from);
	mtag_pktmbuf_free(to);
	return TEST_SUCCESS;
}

static int
test_two_packets(void)
{
	struct rte_mbuf *m1 = new_pkt(), *m2 = new_pkt();
	struct mtag *a, *b;

	TEST_ASSERT(m1 != NULL && m2 != NULL, "mbufs");
	a = add(m1, MTAG_TYPE_GRE, 1);
	b = add(m2, MTAG_TYPE_GRE, 2);
	TEST_ASSERT(a && b, "add");
	TEST_ASSERT(mtag_find(m1, MTAG_TYPE_GRE, NULL) == a, "m1's");
	TEST_ASSERT(mtag_find(m2, MTAG_TYPE_GRE, NULL) == b, "m2's");
	mtag_delete_chain(m1);
	TEST_ASSERT(mtag_find(m2, MTAG_TYPE_GRE, NULL) == b, "m2 unaffected");
	mtag_pktmbuf_free(m1);
	mtag_pktmbuf_free(m2);
	return TEST_SUCCESS;
}

static const struct test_case chain_cases[] = {
	{"lifo", test_lifo},
	{"duplicates", test_duplicates},
	{"delete_duplicate", test_delete_duplicate},
	{"shared_summary_bit", test_shared_summary_bit},
	{"unlink_vs_delete", test_unlink_vs_delete},
	{"delete_chain", test_delete_chain},
	{"copy_chain", test_copy_chain},
	{"move", test_move},
	{"two_packets", test_two_packets},
	{NULL, NULL},
};

static struct test_suite chain_suite = {
	.name = "chain",
	.cases = chain_cases,
};

REGISTER_UNIT_TEST(chain_suite);
