/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/* Destructors and copiers: the destructor runs exactly once for every tag
 * freed (copies and rolled-back copies included), the copier once for every
 * tag copied, and a failing copier fails the copy cleanly. */

#include "test.h"

#define MAX_CALLS 256
#define MAGIC 0x7a

static int type_a, type_b;

static struct {
	unsigned int nb;
	uint32_t serial[MAX_CALLS]; /* of each tag destroyed */
	unsigned int bad;	    /* called with a tag it should not see */
} dtor_calls;

static struct {
	unsigned int nb;
	unsigned int fail_at; /* 1-based call that fails; 0: never */
	int fail_ret;	      /* what it returns then; 0: -EPERM */
	unsigned int bad;
} copier_calls;

/* A shared object tags hold references to, as an SA or a flow would be. */
static unsigned int refcnt;

/* Every type-A tag, copies included, carries a serial number of its own:
 * tag memory is reused, pointers do not tell two tags apart. */
static uint32_t next_serial;

struct ref_data {
	uint8_t magic;
	uint32_t serial;
	unsigned int *ref;
};

static void
dtor(struct mtag *t)
{
	struct ref_data *d = mtag_data(t);

	/* Called before the tag is freed: its data is still there. */
	if (t->type != type_a || d->magic != MAGIC || t->cookie != MTAG_ABI_COMPAT)
		dtor_calls.bad++;
	if (dtor_calls.nb < MAX_CALLS)
		dtor_calls.serial[dtor_calls.nb] = d->serial;
	dtor_calls.nb++;
	if (d->ref != NULL)
		(*d->ref)--;
}

static int
copier(struct mtag *dst, const struct mtag *src)
{
	struct ref_data *d = mtag_data(dst);

	copier_calls.nb++;
	/* The bytes are copied before the copier runs. */
	if (dst == src || dst->type != src->type || dst->len != src->len ||
	    memcmp(dst + 1, src + 1, src->len) != 0 || src->type != type_a)
		copier_calls.bad++;
	if (copier_calls.fail_at != 0 && copier_calls.nb == copier_calls.fail_at)
		return copier_calls.fail_ret != 0 ? copier_calls.fail_ret : -EPERM;
	d->serial = ++next_serial;
	if (d->ref != NULL)
		(*d->ref)++;
	return 0;
}

static void
reset_calls(void)
{
	memset(&dtor_calls, 0, sizeof(dtor_calls));
	memset(&copier_calls, 0, sizeof(copier_calls));
}

/* Each freed tag seen once: no pointer twice among the calls. */
static int
check_dtor_unique(void)
{
	unsigned int i, j, n = RTE_MIN(dtor_calls.nb, (unsigned int)MAX_CALLS);

	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			TEST_ASSERT(dtor_calls.serial[i] != dtor_calls.serial[j],
				    "destructor called twice for one tag (calls %u and %u)", j, i);
	TEST_ASSERT_EQ(dtor_calls.bad, 0, "destructor called with a wrong tag");
	TEST_ASSERT_EQ(copier_calls.bad, 0, "copier called with a wrong pair");
	return TEST_SUCCESS;
}

static struct mtag *
new_a(unsigned int *ref)
{
	struct mtag *t = mtag_get(type_a, sizeof(struct ref_data), MTAG_ZERO);
	struct ref_data *d;

	if (t == NULL)
		return NULL;
	d = mtag_data(t);
	d->magic = MAGIC;
	d->serial = ++next_serial;
	d->ref = ref;
	if (ref != NULL)
		(*ref)++;
	return t;
}

/* A packet with @na tags of type A (taking references) and @nb of type B. */
static struct rte_mbuf *
pkt_with(unsigned int na, unsigned int nb)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(test_mbuf_pool());
	unsigned int i;

	if (m == NULL)
		return NULL;
	/* rte_pktmbuf_copy() refuses an empty packet. */
	if (rte_pktmbuf_append(m, 64) == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	/* A and B alternate, A first, until one kind runs out. */
	for (i = 0; na + nb > 0; i++) {
		bool take_a = na > 0 && (nb == 0 || i % 2 == 0);
		struct mtag *t = take_a ? new_a(&refcnt) : mtag_get(type_b, 4, MTAG_ZERO);

		if (t == NULL) {
			mtag_pktmbuf_free(m);
			return NULL;
		}
		if (take_a)
			na--;
		else
			nb--;
		mtag_prepend(m, t);
	}
	return m;
}

static int
cb_setup(void)
{
	type_a = test_type_new("cb_a");
	type_b = test_type_new("cb_b");
	if (type_a < 0 || type_b < 0)
		return TEST_FAILED;
	return TEST_SUCCESS;
}

static int
set_callbacks(void)
{
	reset_calls();
	refcnt = 0;
	TEST_ASSERT_EQ(mtag_type_set_destructor(type_a, dtor), 0, "set destructor");
	TEST_ASSERT_EQ(mtag_type_set_copier(type_a, copier), 0, "set copier");
	return TEST_SUCCESS;
}

static int
clear_callbacks(void)
{
	TEST_ASSERT_EQ(mtag_type_set_destructor(type_a, NULL), 0, "clear destructor");
	TEST_ASSERT_EQ(mtag_type_set_copier(type_a, NULL), 0, "clear copier");
	return TEST_SUCCESS;
}

static int
test_destructor_on_every_free(void)
{
	struct rte_mbuf *m, *m2, *pkts[4];
	struct mtag *t;
	unsigned int i, expect = 0;

	TEST_RUN(set_callbacks());
	/* mtag_free */
	t = new_a(&refcnt);
	TEST_ASSERT_NOT_NULL(t, "get");
	mtag_free(t);
	TEST_ASSERT_EQ(dtor_calls.nb, ++expect, "mtag_free");
	/* type B has none */
	mtag_free(mtag_get(type_b, 4, 0));
	TEST_ASSERT_EQ(dtor_calls.nb, expect, "other type");
	/* a foreign cookie with the same type number is another namespace */
	mtag_free(mtag_alloc(0xf00d, type_a, sizeof(struct ref_data), MTAG_ZERO));
	TEST_ASSERT_EQ(dtor_calls.nb, expect, "foreign cookie");

	/* unlink does not free; delete does */
	m = pkt_with(3, 2);
	TEST_ASSERT_NOT_NULL(m, "pkt");
	t = mtag_find(m, type_a, NULL);
	mtag_unlink(m, t);
	TEST_ASSERT_EQ(dtor_calls.nb, expect, "unlink");
	mtag_prepend(m, t);
	mtag_delete(m, mtag_find(m, type_a, NULL));
	TEST_ASSERT_EQ(dtor_calls.nb, ++expect, "mtag_delete");
	mtag_delete_chain(m);
	expect += 2;
	TEST_ASSERT_EQ(dtor_calls.nb, expect, "mtag_delete_chain");

	/* move frees to's old tags; copy_chain replaces them */
	m2 = pkt_with(2, 1);
	TEST_ASSERT_NOT_NULL(m2, "pkt");
	TEST_ASSERT_NOT_NULL(t = new_a(&refcnt), "get");
	mtag_prepend(m, t);
	mtag_move(m, m2);
	expect += 1;
	TEST_ASSERT_EQ(dtor_calls.nb, expect, "move frees to's old tags only");
	TEST_ASSERT_EQ(mtag_copy_chain(m2, m), 0, "copy_chain");
	TEST_ASSERT_EQ(dtor_calls.nb, expect, "copy_chain onto an untagged packet");
	TEST_ASSERT_EQ(mtag_copy_chain(m2, m), 0, "copy_chain again");
	expect += 2;
	TEST_ASSERT_EQ(dtor_calls.nb, expect, "copy_chain frees the replaced copies");

	/* packet frees */
	mtag_pktmbuf_free(m);
	expect += 2;
	TEST_ASSERT_EQ(dtor_calls.nb, expect, "mtag_pktmbuf_free");
	for (i = 0; i < RTE_DIM(pkts); i++)
		TEST_ASSERT_NOT_NULL(pkts[i] = pkt_with(i, 1), "pkt %u", i);
	mtag_delete_chain_burst(pkts, 2); /* A tags: 0 + 1 */
	expect += 1;
	TEST_ASSERT_EQ(dtor_calls.nb, expect, "delete_chain_burst");
	mtag_pktmbuf_free_bulk(pkts, RTE_DIM(pkts)); /* A tags: 2 + 3 */
	expect += 5;
	TEST_ASSERT_EQ(dtor_calls.nb, expect, "mtag_pktmbuf_free_bulk");
	mtag_pktmbuf_free(m2);
	expect += 2;
	TEST_ASSERT_EQ(dtor_calls.nb, expect, "copies are destroyed too");

	TEST_RUN(check_dtor_unique());
	TEST_ASSERT_EQ(refcnt, 0, "every reference dropped");
	TEST_RUN(clear_callbacks());
	/* cleared: no more calls */
	mtag_free(new_a(NULL));
	TEST_ASSERT_EQ(dtor_calls.nb, expect, "cleared destructor");
	return TEST_SUCCESS;
}

static int
test_copier_once_per_copy(void)
{
	struct rte_mbuf *m, *to, *c;
	struct mtag *t, *k;
	unsigned int base;

	TEST_RUN(set_callbacks());
	t = new_a(&refcnt);
	TEST_ASSERT_NOT_NULL(t, "get");
	k = mtag_copy(t, 0);
	TEST_ASSERT_NOT_NULL(k, "copy");
	TEST_ASSERT_EQ(copier_calls.nb, 1, "mtag_copy");
	TEST_ASSERT_EQ(refcnt, 2, "the copy took its reference");
	mtag_free(k);
	mtag_free(t);
	TEST_ASSERT_EQ(refcnt, 0, "both dropped");
	TEST_ASSERT_EQ(dtor_calls.nb, 2, "destructor for the tag and its copy");

	m = pkt_with(3, 2);
	to = rte_pktmbuf_alloc(test_mbuf_pool());
	TEST_ASSERT(m != NULL && to != NULL, "pkts");
	base = refcnt;
	TEST_ASSERT_EQ(mtag_copy_chain(to, m), 0, "copy_chain");
	TEST_ASSERT_EQ(copier_calls.nb, 1 + 3, "copy_chain: once per type-A tag");
	TEST_ASSERT_EQ(refcnt, 2 * base, "references taken");
	c = mtag_pktmbuf_clone(m, test_mbuf_pool());
	TEST_ASSERT_NOT_NULL(c, "clone");
	TEST_ASSERT_EQ(copier_calls.nb, 1 + 3 + 3, "clone");
	mtag_pktmbuf_free(c);
	c = mtag_pktmbuf_copy(m, test_mbuf_pool(), 0, UINT32_MAX);
	TEST_ASSERT_NOT_NULL(c, "pktmbuf copy");
	TEST_ASSERT_EQ(copier_calls.nb, 1 + 3 + 3 + 3, "pktmbuf copy");
	mtag_pktmbuf_free(c);
	mtag_pktmbuf_free(to);
	mtag_pktmbuf_free(m);
	TEST_ASSERT_EQ(refcnt, 0, "every reference dropped");
	TEST_ASSERT_EQ(dtor_calls.nb, 2 + 4 * 3, "one destructor call per freed type-A tag");
	TEST_RUN(check_dtor_unique());
	return clear_callbacks();
}

static int
test_failing_copier(void)
{
	struct mtag *t, *own[2], *before[4];
	struct rte_mbuf *m, *to, *c;
	uint64_t summary, in_use;
	unsigned int i;

	TEST_RUN(set_callbacks());
	/* mtag_copy: NULL with the copier's error; the copy is freed without
	 * its destructor (it took no reference). */
	t = new_a(&refcnt);
	TEST_ASSERT_NOT_NULL(t, "get");
	copier_calls.fail_at = 1;
	rte_errno = 0;
	TEST_ASSERT_NULL(mtag_copy(t, 0), "failing copier");
	TEST_ASSERT_EQ(rte_errno, EPERM, "copier's error");
	TEST_ASSERT_EQ(test_tags_in_use(), 1, "failed copy freed");
	TEST_ASSERT_EQ(dtor_calls.nb, 0, "no destructor for the failed copy");
	TEST_ASSERT_EQ(refcnt, 1, "no reference taken");
	mtag_free(t);
	reset_calls();

	/* copy_chain: the third copy fails; two made copies are rolled back
	 * (destructor once each) and 'to' stays exactly as it was. */
	m = pkt_with(4, 0);
	to = rte_pktmbuf_alloc(test_mbuf_pool());
	TEST_ASSERT(m != NULL && to != NULL, "pkts");
	own[0] = mtag_get(type_b, 4, MTAG_ZERO);
	own[1] = mtag_get(type_b, 4, MTAG_ZERO);
	TEST_ASSERT(own[0] && own[1], "to's own");
	mtag_prepend(to, own[0]);
	mtag_prepend(to, own[1]);
	summary = mtag_chain_of(to)->summary;
	in_use = test_tags_in_use();
	for (i = 0, t = mtag_first(m); i < 4; i++, t = t->next)
		before[i] = t;
	copier_calls.fail_at = 3;
	TEST_ASSERT_EQ(mtag_copy_chain(to, m), -EPERM, "copy_chain fails with the copier");
	TEST_ASSERT_EQ(copier_calls.nb, 3, "stopped at the failure");
	TEST_ASSERT_EQ(dtor_calls.nb, 2, "rolled-back copies destroyed once each");
	TEST_ASSERT_EQ(test_tags_in_use(), in_use, "nothing leaked");
	TEST_ASSERT_EQ(refcnt, 4, "references of the rollback dropped");
	TEST_ASSERT(mtag_first(to) == own[1] && mtag_next(to, own[1]) == own[0] &&
			    mtag_next(to, own[0]) == NULL,
		    "to exactly as it was");
	TEST_ASSERT(mtag_chain_of(to)->summary == summary, "summary as it was");
	for (i = 0, t = mtag_first(m); i < 4; i++, t = t->next)
		TEST_ASSERT(t == before[i], "from untouched");
	TEST_RUN(check_dtor_unique());
	reset_calls();

	/* A copier's own -ENOMEM comes back as it is: only tags running out
	 * read -ENOBUFS (test_exhaustion). */
	copier_calls.fail_at = 1;
	copier_calls.fail_ret = -ENOMEM;
	TEST_ASSERT_EQ(mtag_copy_chain(to, m), -ENOMEM, "copier's ENOMEM unchanged");
	TEST_ASSERT_EQ(test_tags_in_use(), in_use, "nothing leaked");
	TEST_ASSERT(mtag_first(to) == own[1], "to as it was");
	reset_calls();

	/* clone: NULL, ENOMEM, the clone mbuf and its copies gone. */
	copier_calls.fail_at = 2;
	rte_errno = 0;
	c = mtag_pktmbuf_clone(m, test_mbuf_pool());
	TEST_ASSERT_NULL(c, "clone with a failing copier");
	TEST_ASSERT(rte_errno != 0, "rte_errno set");
	TEST_ASSERT_EQ(dtor_calls.nb, 1, "one rolled-back copy");
	TEST_ASSERT_EQ(test_tags_in_use(), in_use, "nothing leaked");
	TEST_ASSERT_EQ(rte_mbuf_refcnt_read(m), 1, "clone released the original");
	reset_calls();
	copier_calls.fail_at = 1;
	c = mtag_pktmbuf_copy(m, test_mbuf_pool(), 0, UINT32_MAX);
	TEST_ASSERT_NULL(c, "copy with a failing copier");
	TEST_ASSERT_EQ(dtor_calls.nb, 0, "nothing to roll back");
	TEST_ASSERT_EQ(test_tags_in_use(), in_use, "nothing leaked");

	copier_calls.fail_at = 0;
	mtag_pktmbuf_free(m);
	mtag_pktmbuf_free(to);
	TEST_ASSERT_EQ(refcnt, 0, "every reference dropped");
	return clear_callbacks();
}

static int
test_predefined_callbacks(void)
{
	struct mtag *t;
	unsigned int calls = 0;

	/* Predefined types take callbacks too; set and clear return 0. */
	TEST_ASSERT_EQ(mtag_type_set_destructor(MTAG_TYPE_VLAN, NULL), 0, "clear unset");
	TEST_ASSERT_EQ(mtag_type_set_copier(MTAG_TYPE_VLAN, NULL), 0, "clear unset");
	reset_calls();
	TEST_ASSERT_EQ(mtag_type_set_copier(MTAG_TYPE_VLAN, copier), 0, "set copier");
	t = mtag_get(MTAG_TYPE_VLAN, sizeof(struct ref_data), MTAG_ZERO);
	TEST_ASSERT_NOT_NULL(t, "get");
	mtag_free(mtag_copy(t, 0));
	calls = copier_calls.nb;
	TEST_ASSERT_EQ(mtag_type_set_copier(MTAG_TYPE_VLAN, NULL), 0, "clear copier");
	mtag_free(mtag_copy(t, 0));
	mtag_free(t);
	TEST_ASSERT_EQ(calls, 1, "copier of a predefined type");
	TEST_ASSERT_EQ(copier_calls.nb, 1, "cleared copier not called");
	return TEST_SUCCESS;
}

/* The inline mtag_delete_chain() puts a packet's only tag straight onto the
 * lcore's cache while no destructor is set; once one is, it must run. */
static int
test_destructor_after_fast_path(void)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(test_mbuf_pool());
	struct ref_data *d;
	unsigned int i;

	TEST_ASSERT_NOT_NULL(m, "mbuf");
	reset_calls();
	for (i = 0; i < 4; i++) { /* the lcore's view is filled, puts fast */
		d = mtag_add(m, type_a, sizeof(*d), MTAG_ZERO);
		TEST_ASSERT_NOT_NULL(d, "add");
		mtag_delete_chain(m);
	}
	TEST_ASSERT_EQ(mtag_type_set_destructor(type_a, dtor), 0, "set destructor");
	refcnt = 1;
	for (i = 0; i < 2; i++) {
		d = mtag_add(m, type_a, sizeof(*d), 0);
		TEST_ASSERT_NOT_NULL(d, "add");
		*d = (struct ref_data){.magic = MAGIC, .serial = i, .ref = &refcnt};
		refcnt++;
		mtag_delete_chain(m);
		TEST_ASSERT_EQ(dtor_calls.nb, i + 1, "destructor ran for tag %u", i);
	}
	TEST_ASSERT_EQ(mtag_type_set_destructor(type_a, NULL), 0, "clear destructor");
	rte_pktmbuf_free(m);
	TEST_ASSERT_EQ(refcnt, 1, "every reference dropped");
	TEST_ASSERT_EQ(dtor_calls.bad, 0, "destructor saw only its tags");
	return TEST_SUCCESS;
}

static const struct test_case callbacks_cases[] = {
	{"destructor_on_every_free", test_destructor_on_every_free},
	{"destructor_after_fast_path", test_destructor_after_fast_path},
	{"copier_once_per_copy", test_copier_once_per_copy},
	{"failing_copier", test_failing_copier},
	{"predefined_callbacks", test_predefined_callbacks},
	{NULL, NULL},
};

static void
cb_teardown(void)
{
	mtag_type_set_destructor(type_a, NULL);
	mtag_type_set_copier(type_a, NULL);
}

static struct test_suite callbacks_suite = {
	.name = "callbacks",
	.setup = cb_setup,
	.teardown = cb_teardown,
	.cases = callbacks_cases,
};

REGISTER_UNIT_TEST(callbacks_suite);
