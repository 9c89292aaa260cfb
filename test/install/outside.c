/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/*
 * A program outside the mtag tree, built only against an installed libmtag
 * (pkg-config libmtag), as a user's program would be. It calls every
 * function of the API and checks what each one does, so that a header,
 * export or packaging mistake shows up here and not in a user's build.
 *
 * Usage: mtag-outside <EAL args, with --vdev net_null0>
 * Prints "outside: N passed, N failed"; exits 0 only when nothing failed.
 * With MTAG_OUTSIDE_HOLD=<path> it waits, one tag in use, until <path>
 * exists, so that a script can read its telemetry meanwhile.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_mempool.h>

#include <mtag.h>
#include <mtag_ethdev.h>

static unsigned int passed, failed;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (cond) {                                                                        \
			passed++;                                                                  \
		} else {                                                                           \
			failed++;                                                                  \
			printf("FAIL %s:%d: %s (rte_errno %d)\n", __func__, __LINE__, #cond,       \
			       rte_errno);                                                         \
		}                                                                                  \
	} while (0)

_Static_assert(sizeof(struct mtag) == 16, "the tag header is 16 bytes");

#define BURST 32
#define POOL_SIZE 511 /* tags per size class: small, to reach exhaustion */
#define SMALL_LEN 8   /* every tag of this length is in the first size class */

static struct rte_mempool *mbufs;

static uint64_t
tags_in_use(void)
{
	struct mtag_stats s;

	if (mtag_stats_get(&s) != 0)
		return UINT64_MAX;
	return s.in_use;
}

static unsigned int
chain_len(const struct rte_mbuf *m)
{
	const struct mtag *t;
	unsigned int n = 0;

	for (t = mtag_first(m); t != NULL; t = mtag_next(m, t))
		n++;
	return n;
}

/* Before mtag_lib_init(): clean errors, and every mbuf reads as untagged. */
static void
check_before_init(void)
{
	struct mtag_stats s;
	struct rte_mbuf *m = rte_pktmbuf_alloc(mbufs);

	CHECK(mtag_stats_get(&s) == -ENOENT);
	rte_errno = 0;
	CHECK(mtag_get(MTAG_TYPE_VLAN, 4, 0) == NULL && rte_errno == EINVAL);
	CHECK(mtag_first(m) == NULL);
	CHECK(mtag_type_register("outside_early") < 0);
	rte_pktmbuf_free(m);
}

static void
check_types(void)
{
	const char *name;
	int id;

	name = mtag_type_name(MTAG_TYPE_VLAN);
	CHECK(name != NULL && mtag_type_lookup(name) == MTAG_TYPE_VLAN);
	name = mtag_type_name(MTAG_TYPE_IPSEC_IN_DONE);
	CHECK(name != NULL && mtag_type_lookup(name) == MTAG_TYPE_IPSEC_IN_DONE);
	CHECK(MTAG_TYPE_CARP_BAL_IP < MTAG_TYPE_USER_BASE &&
	      MTAG_TYPE_VLAN_INSERT < MTAG_TYPE_USER_BASE);

	id = mtag_type_register("outside_type");
	CHECK(id >= MTAG_TYPE_USER_BASE);
	CHECK(mtag_type_register("outside_type") == id);
	CHECK(mtag_type_lookup("outside_type") == id);
	name = mtag_type_name((uint16_t)id);
	CHECK(name != NULL && strcmp(name, "outside_type") == 0);
	CHECK(mtag_type_register("") < 0);
	CHECK(mtag_type_register(NULL) < 0);
	CHECK(mtag_type_register(mtag_type_name(MTAG_TYPE_GRE)) < 0);
	CHECK(mtag_type_lookup("outside_no_such_type") == -ENOENT);
	rte_errno = 0;
	CHECK(mtag_type_name(MTAG_TYPE_MAX - 1) == NULL && rte_errno == ENOENT);
}

static void
check_tags(void)
{
	struct mtag_vlan *v;
	struct mtag_stats s;
	struct mtag *t, *c;
	uint16_t max_len;
	unsigned int i;
	bool zero = true;

	CHECK(mtag_stats_get(&s) == 0 && s.nb_classes > 0);
	max_len = s.class_len[s.nb_classes - 1];
	CHECK(max_len >= 256);

	t = mtag_get(MTAG_TYPE_VLAN, sizeof(*v), MTAG_ZERO);
	CHECK(t != NULL);
	if (t == NULL)
		return;
	CHECK(t->type == MTAG_TYPE_VLAN && t->len == sizeof(*v));
	CHECK(t->cookie == MTAG_ABI_COMPAT && t->next == NULL);
	CHECK(mtag_data(t) == (void *)(t + 1));
	v = mtag_data(t);
	CHECK(v->tpid == 0 && v->tci == 0);
	v->tpid = 0x8100;
	v->tci = 100;

	c = mtag_copy(t, 0);
	CHECK(c != NULL && c != t);
	if (c != NULL) {
		CHECK(c->type == t->type && c->len == t->len && c->cookie == t->cookie);
		CHECK(memcmp(mtag_data(c), mtag_data(t), t->len) == 0);
		mtag_free(c);
	}
	mtag_free(t);

	t = mtag_get(MTAG_TYPE_SRCROUTE, max_len, MTAG_ZERO);
	CHECK(t != NULL);
	if (t != NULL) {
		for (i = 0; i < max_len; i++)
			zero &= ((uint8_t *)mtag_data(t))[i] == 0;
		CHECK(zero);
		mtag_free(t);
	}
	rte_errno = 0;
	CHECK(mtag_get(MTAG_TYPE_SRCROUTE, max_len + 1, 0) == NULL && rte_errno == EINVAL);
	rte_errno = 0;
	CHECK(mtag_get(MTAG_TYPE_MAX - 1, 4, 0) == NULL && rte_errno == EINVAL);

	t = mtag_alloc(0xc0ffee, 7, SMALL_LEN, MTAG_ZERO);
	CHECK(t != NULL && t->cookie == 0xc0ffee && t->type == 7);
	mtag_free(t);
	CHECK(tags_in_use() == 0);
}

/* A packet with tags, newest first: cookie, vlan (dup), ipsec, vlan. */
static void
check_chain(void)
{
	struct mtag *a, *b, *c, *d;
	struct rte_mbuf *m, *alias;

	m = rte_pktmbuf_alloc(mbufs);
	CHECK(m != NULL && mtag_first(m) == NULL);
	if (m == NULL)
		return;
	a = mtag_get(MTAG_TYPE_VLAN, sizeof(struct mtag_vlan), MTAG_ZERO);
	b = mtag_get(MTAG_TYPE_IPSEC_IN_DONE, sizeof(struct mtag_ipsec), MTAG_ZERO);
	c = mtag_get(MTAG_TYPE_VLAN, sizeof(struct mtag_vlan), MTAG_ZERO);
	d = mtag_alloc(0xc0ffee, MTAG_TYPE_PF_DIVERT, SMALL_LEN, 0);
	CHECK(a != NULL && b != NULL && c != NULL && d != NULL);
	if (a == NULL || b == NULL || c == NULL || d == NULL)
		goto out;
	mtag_prepend(m, a);
	mtag_prepend(m, b);
	mtag_prepend(m, c);
	mtag_prepend(m, d);

	CHECK(mtag_first(m) == d);
	CHECK(mtag_next(m, d) == c && mtag_next(m, c) == b && mtag_next(m, b) == a);
	CHECK(mtag_next(m, a) == NULL && chain_len(m) == 4);
	CHECK(mtag_find(m, MTAG_TYPE_VLAN, NULL) == c);
	CHECK(mtag_find(m, MTAG_TYPE_VLAN, c) == a);
	CHECK(mtag_find(m, MTAG_TYPE_VLAN, a) == NULL);
	CHECK(mtag_find(m, MTAG_TYPE_IPSEC_IN_DONE, NULL) == b);
	CHECK(mtag_find(m, MTAG_TYPE_GRE, NULL) == NULL);
	/* A tag with a module cookie is invisible to mtag_find(). */
	CHECK(mtag_find(m, MTAG_TYPE_PF_DIVERT, NULL) == NULL);
	CHECK(mtag_locate(m, 0xc0ffee, MTAG_TYPE_PF_DIVERT, NULL) == d);
	CHECK(mtag_locate(m, MTAG_ABI_COMPAT, MTAG_TYPE_VLAN, NULL) == c);
	CHECK(mtag_locate(m, 0xbad, MTAG_TYPE_PF_DIVERT, NULL) == NULL);

	/* A plain clone copies the chain pointer: mtag_init() disowns it. */
	alias = rte_pktmbuf_clone(m, mbufs);
	CHECK(alias != NULL);
	if (alias != NULL) {
		mtag_init(alias);
		CHECK(mtag_first(alias) == NULL && mtag_first(m) == d);
		rte_pktmbuf_free(alias);
	}

	/* Removing one of two VLAN tags leaves the other findable. */
	mtag_unlink(m, c);
	CHECK(mtag_find(m, MTAG_TYPE_VLAN, NULL) == a && chain_len(m) == 3);
	CHECK(tags_in_use() == 4);
	mtag_free(c);
	CHECK(tags_in_use() == 3);
	mtag_delete(m, a);
	CHECK(mtag_find(m, MTAG_TYPE_VLAN, NULL) == NULL && tags_in_use() == 2);
	CHECK(mtag_find(m, MTAG_TYPE_IPSEC_IN_DONE, NULL) == b);
	mtag_delete(m, d);
	CHECK(mtag_first(m) == b && chain_len(m) == 1);

	mtag_delete_chain(m);
	CHECK(mtag_first(m) == NULL && tags_in_use() == 0);
	a = b = c = d = NULL; /* all freed */
out:
	mtag_free(a);
	mtag_free(b);
	mtag_free(c);
	mtag_free(d);
	mtag_pktmbuf_free(m);
}

/* Tag m with n small tags of types GRE, VLAN, IPSEC_IN_DONE, ... */
static int
tag_packet(struct rte_mbuf *m, unsigned int n)
{
	static const uint16_t types[] = {MTAG_TYPE_GRE, MTAG_TYPE_VLAN, MTAG_TYPE_IPSEC_IN_DONE};
	struct mtag *t;
	unsigned int i;

	for (i = 0; i < n; i++) {
		t = mtag_get(types[i % RTE_DIM(types)], SMALL_LEN, 0);
		if (t == NULL)
			return -1;
		memset(mtag_data(t), (int)i, SMALL_LEN);
		mtag_prepend(m, t);
	}
	return 0;
}

/* Same types, lengths and data in the same order, in distinct tags. */
static bool
chains_equal(const struct rte_mbuf *a, const struct rte_mbuf *b)
{
	const struct mtag *s = mtag_first(a), *t = mtag_first(b);

	for (; s != NULL && t != NULL; s = s->next, t = t->next)
		if (s == t || s->type != t->type || s->len != t->len || s->cookie != t->cookie ||
		    memcmp(s + 1, t + 1, s->len) != 0)
			return false;
	return s == NULL && t == NULL;
}

static void
check_copy_move(void)
{
	struct rte_mbuf *from, *to, *other;
	struct mtag *own, *head;
	uint64_t before;

	from = rte_pktmbuf_alloc(mbufs);
	to = rte_pktmbuf_alloc(mbufs);
	other = rte_pktmbuf_alloc(mbufs);
	CHECK(from != NULL && to != NULL && other != NULL);
	if (from == NULL || to == NULL || other == NULL)
		goto out;
	CHECK(tag_packet(from, 5) == 0);
	own = mtag_get(MTAG_TYPE_DLT, 4, 0);
	mtag_prepend(to, own);

	/* copy_chain replaces to's own tags. */
	CHECK(mtag_copy_chain(to, from) == 0);
	CHECK(chains_equal(to, from) && chain_len(to) == 5);
	CHECK(mtag_find(to, MTAG_TYPE_DLT, NULL) == NULL && tags_in_use() == 10);
	CHECK(mtag_copy_chain(to, to) == 0 && chain_len(to) == 5);

	/* An untagged source leaves the destination untagged. */
	CHECK(mtag_copy_chain(to, other) == 0 && mtag_first(to) == NULL);
	CHECK(tags_in_use() == 5);

	/* move: the chain itself changes packet; to's old tags are freed. */
	CHECK(tag_packet(to, 2) == 0);
	head = mtag_first(from);
	mtag_move(to, from);
	CHECK(mtag_first(from) == NULL && mtag_first(to) == head && chain_len(to) == 5);
	CHECK(mtag_find(to, MTAG_TYPE_VLAN, NULL) != NULL);
	CHECK(tags_in_use() == 5);
	before = tags_in_use();
	mtag_move(from, other); /* untagged source: from stays untagged */
	CHECK(mtag_first(from) == NULL && tags_in_use() == before);
out:
	mtag_pktmbuf_free(from);
	mtag_pktmbuf_free(to);
	mtag_pktmbuf_free(other);
	CHECK(tags_in_use() == 0);
}

/*
 * With the first size class drained, copies fail cleanly: copy_chain leaves
 * its destination exactly as it was, clone and copy return NULL, and
 * nothing leaks (tags or mbufs).
 */
static void
check_exhaustion(void)
{
	unsigned int i, n = 0, cap = POOL_SIZE + RTE_MAX_LCORE;
	struct rte_mbuf *from, *to;
	struct mtag_stats s0, s1;
	struct mtag **hold, *own;
	unsigned int mbufs_used;

	hold = calloc(cap, sizeof(*hold));
	from = rte_pktmbuf_alloc(mbufs);
	to = rte_pktmbuf_alloc(mbufs);
	CHECK(hold != NULL && from != NULL && to != NULL);
	if (hold == NULL || from == NULL || to == NULL)
		goto out;
	CHECK(tag_packet(from, 4) == 0 && rte_pktmbuf_append(from, 64) != NULL);
	own = mtag_get(MTAG_TYPE_DLT, 64, 0); /* another size class */
	mtag_prepend(to, own);

	rte_errno = 0;
	CHECK(mtag_get_bulk(MTAG_TYPE_GRE, SMALL_LEN, 0, hold, cap) == 0 && rte_errno == ENOMEM);
	mtag_stats_get(&s0);
	while (n < cap && (hold[n] = mtag_get(MTAG_TYPE_GRE, SMALL_LEN, 0)) != NULL)
		n++;
	CHECK(n < cap && rte_errno == ENOMEM);
	mtag_stats_get(&s1);
	CHECK(s1.alloc_fails > s0.alloc_fails && s1.cls[0].alloc_fails > s0.cls[0].alloc_fails);
	/* Room for three of the four copies. */
	for (i = 0; i < 3 && n > 0; i++)
		mtag_free(hold[--n]);

	s0.in_use = tags_in_use();
	CHECK(mtag_copy_chain(to, from) == -ENOBUFS);
	CHECK(mtag_first(to) == own && own->next == NULL && tags_in_use() == s0.in_use);

	mbufs_used = rte_mempool_in_use_count(mbufs);
	rte_errno = 0;
	CHECK(mtag_pktmbuf_clone(from, mbufs) == NULL && rte_errno == ENOMEM);
	rte_errno = 0;
	CHECK(mtag_pktmbuf_copy(from, mbufs, 0, UINT32_MAX) == NULL && rte_errno == ENOMEM);
	CHECK(rte_mempool_in_use_count(mbufs) == mbufs_used && tags_in_use() == s0.in_use);
	rte_errno = 0;
	CHECK(mtag_get_bulk(MTAG_TYPE_GRE, SMALL_LEN, 0, hold + n, 4) == 0 && rte_errno == ENOMEM);
	CHECK(tags_in_use() == s0.in_use);

	while (n > 0)
		mtag_free(hold[--n]);
	CHECK(mtag_copy_chain(to, from) == 0 && chains_equal(to, from));
out:
	mtag_pktmbuf_free(from);
	mtag_pktmbuf_free(to);
	free(hold);
	CHECK(tags_in_use() == 0);
}

/* A tag type whose data holds a reference: refs counts the live ones. */
static int refs;
static bool copier_fails;

static void
ref_destructor(struct mtag *t)
{
	RTE_SET_USED(t);
	refs--;
}

static int
ref_copier(struct mtag *dst, const struct mtag *src)
{
	CHECK(memcmp(mtag_data(dst), src + 1, src->len) == 0);
	if (copier_fails)
		return -EPERM;
	refs++;
	return 0;
}

static void
check_destructor_copier(void)
{
	struct rte_mbuf *m, *to, *clone = NULL, *copy = NULL;
	struct mtag *t, *c;
	int type;

	type = mtag_type_register("outside_ref");
	CHECK(type >= MTAG_TYPE_USER_BASE);
	CHECK(mtag_type_set_destructor(MTAG_TYPE_MAX - 1, ref_destructor) == -EINVAL);
	CHECK(mtag_type_set_copier(MTAG_TYPE_MAX - 1, ref_copier) == -EINVAL);
	CHECK(mtag_type_set_destructor((uint16_t)type, ref_destructor) == 0);
	CHECK(mtag_type_set_copier((uint16_t)type, ref_copier) == 0);

	m = rte_pktmbuf_alloc(mbufs);
	to = rte_pktmbuf_alloc(mbufs);
	t = mtag_get((uint16_t)type, SMALL_LEN, MTAG_ZERO);
	CHECK(m != NULL && to != NULL && t != NULL);
	if (m == NULL || to == NULL || t == NULL)
		goto out;
	/* rte_pktmbuf_copy() copies nothing from an empty packet. */
	CHECK(rte_pktmbuf_append(m, 64) != NULL);
	refs = 1; /* the reference the new tag holds */
	mtag_prepend(m, t);

	CHECK(mtag_copy_chain(to, m) == 0 && refs == 2);
	clone = mtag_pktmbuf_clone(m, mbufs);
	CHECK(clone != NULL && refs == 3);
	CHECK(clone != NULL && mtag_first(clone) != t && chains_equal(clone, m));
	copy = mtag_pktmbuf_copy(m, mbufs, 0, UINT32_MAX);
	CHECK(copy != NULL && refs == 4 && chains_equal(copy, m));
	c = mtag_copy(t, 0);
	CHECK(c != NULL && refs == 5);
	mtag_free(c);
	CHECK(refs == 4);

	/* A failing copier fails the copy; the failed copy is not destroyed. */
	copier_fails = true;
	rte_errno = 0;
	CHECK(mtag_copy(t, 0) == NULL && rte_errno == EPERM);
	c = mtag_first(to);
	CHECK(mtag_copy_chain(to, m) < 0 && mtag_first(to) == c && refs == 4);
	copier_fails = false;

	mtag_pktmbuf_free(clone);
	mtag_pktmbuf_free(copy);
	clone = copy = NULL;
	CHECK(refs == 2);
	mtag_delete_chain(to);
	CHECK(refs == 1);

	/* Cleared: neither runs any more. */
	CHECK(mtag_type_set_destructor((uint16_t)type, NULL) == 0);
	CHECK(mtag_type_set_copier((uint16_t)type, NULL) == 0);
	CHECK(mtag_copy_chain(to, m) == 0 && refs == 1);
	mtag_delete_chain(to);
	CHECK(refs == 1);
out:
	mtag_pktmbuf_free(clone);
	mtag_pktmbuf_free(copy);
	mtag_pktmbuf_free(m);
	mtag_pktmbuf_free(to);
	CHECK(tags_in_use() == 0);
}

static void
check_burst(void)
{
	struct mtag *tags[BURST], *out[BURST];
	struct rte_mbuf *pkts[BURST];
	unsigned int i, mbufs_used;
	bool same = true, none = true;

	mbufs_used = rte_mempool_in_use_count(mbufs);
	CHECK(rte_pktmbuf_alloc_bulk(mbufs, pkts, BURST) == 0);
	CHECK(mtag_get_bulk(MTAG_TYPE_VLAN_INSERT, sizeof(struct mtag_vlan), MTAG_ZERO, tags,
			    BURST) == BURST);
	CHECK(mtag_find_burst(pkts, BURST, MTAG_TYPE_VLAN_INSERT, out) == 0);
	mtag_prepend_burst(pkts, tags, BURST);
	CHECK(mtag_find_burst(pkts, BURST, MTAG_TYPE_VLAN_INSERT, out) == BURST);
	for (i = 0; i < BURST; i++)
		same &= out[i] == tags[i] && tags[i]->type == MTAG_TYPE_VLAN_INSERT;
	CHECK(same);
	CHECK(mtag_find_burst(pkts, BURST, MTAG_TYPE_VLAN, out) == 0);
	for (i = 0; i < BURST; i++)
		none &= out[i] == NULL;
	CHECK(none);

	mtag_delete_chain_burst(pkts, BURST / 2);
	CHECK(tags_in_use() == BURST / 2);
	CHECK(mtag_find_burst(pkts, BURST, MTAG_TYPE_VLAN_INSERT, out) == BURST / 2);
	CHECK(out[0] == NULL && out[BURST - 1] == tags[BURST - 1]);

	/* Fused forms: a tag on each packet in one call, and on one. */
	{
		void *data[BURST];
		FILE *f = fopen("/dev/null", "w");

		CHECK(mtag_add_burst(pkts, BURST, MTAG_TYPE_VLAN, sizeof(struct mtag_vlan), 0,
				     data) == BURST);
		CHECK(mtag_data(mtag_first(pkts[3])) == data[3]);
		CHECK(mtag_add(pkts[0], MTAG_TYPE_GRE, 4, MTAG_ZERO) != NULL);
		CHECK(tags_in_use() == BURST / 2 + BURST + 1);
		CHECK(f != NULL);
		if (f != NULL) {
			int live;

			mtag_dump(f, pkts[0]);
			live = mtag_debug_dump_live(f); /* a count in a debug build */
			CHECK(live == -ENOTSUP || live == (int)tags_in_use());
			fclose(f);
		}
	}

	/* Bulk free of packets takes their tags with them. */
	mtag_pktmbuf_free_bulk(pkts, BURST);
	CHECK(tags_in_use() == 0 && rte_mempool_in_use_count(mbufs) == mbufs_used);
}

/* Tags of packets a PMD transmits (and frees) are dropped before it sees them. */
static void
check_ethdev(void)
{
	struct rte_eth_conf conf;
	struct rte_mbuf *pkts[BURST];
	struct mtag *tags[BURST];
	uint16_t port, sent;
	int ret;

	if (rte_eth_dev_get_port_by_name("net_null0", &port) != 0) {
		printf("FAIL: no port net_null0: run with --vdev net_null0\n");
		failed++;
		return;
	}
	CHECK(mtag_eth_tx_strip(RTE_MAX_ETHPORTS, 0) == -ENODEV);
	memset(&conf, 0, sizeof(conf));
	ret = rte_eth_dev_configure(port, 1, 1, &conf);
	CHECK(ret == 0);
	CHECK(rte_eth_rx_queue_setup(port, 0, 128, rte_socket_id(), NULL, mbufs) == 0);
	CHECK(rte_eth_tx_queue_setup(port, 0, 128, rte_socket_id(), NULL) == 0);
	CHECK(mtag_eth_tx_strip(port, 0) == 0);
	CHECK(mtag_eth_tx_strip(port, 0) == 0); /* once per queue */
	CHECK(mtag_eth_tx_strip_remove(port, 0) == 0);
	CHECK(mtag_eth_tx_strip_remove(port, 0) == -ENOENT);
	CHECK(mtag_eth_tx_strip(port, 0) == 0);
	CHECK(mtag_eth_tx_strip(port, 1) == -EINVAL);
	CHECK(rte_eth_dev_start(port) == 0);

	CHECK(rte_pktmbuf_alloc_bulk(mbufs, pkts, BURST) == 0);
	CHECK(mtag_get_bulk(MTAG_TYPE_IPSEC_OUT_DONE, sizeof(struct mtag_ipsec), MTAG_ZERO, tags,
			    BURST) == BURST);
	mtag_prepend_burst(pkts, tags, BURST);
	for (unsigned int i = 0; i < BURST; i++)
		rte_pktmbuf_append(pkts[i], 60);
	CHECK(tags_in_use() == BURST);
	sent = rte_eth_tx_burst(port, 0, pkts, BURST);
	CHECK(sent > 0);
	mtag_pktmbuf_free_bulk(pkts + sent, BURST - sent);
	CHECK(tags_in_use() == 0);

	CHECK(rte_eth_dev_stop(port) == 0);
	CHECK(rte_eth_dev_close(port) == 0);
}

/* Every function takes NULL for a packet or a tag. */
static void
check_null(void)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mbufs);
	struct mtag *t = mtag_get(MTAG_TYPE_GRE, 0, 0);

	CHECK(mtag_first(NULL) == NULL && mtag_next(NULL, NULL) == NULL);
	CHECK(mtag_find(NULL, MTAG_TYPE_GRE, NULL) == NULL);
	CHECK(mtag_locate(NULL, 1, MTAG_TYPE_GRE, NULL) == NULL);
	CHECK(mtag_copy_chain(NULL, m) == -EINVAL && mtag_copy_chain(m, NULL) == -EINVAL);
	rte_errno = 0;
	CHECK(mtag_copy(NULL, 0) == NULL && rte_errno == EINVAL);
	CHECK(mtag_pktmbuf_clone(NULL, mbufs) == NULL);
	CHECK(mtag_pktmbuf_copy(NULL, mbufs, 0, UINT32_MAX) == NULL);
	CHECK(mtag_stats_get(NULL) == -EINVAL);
	mtag_prepend(NULL, t);
	mtag_prepend(m, NULL);
	mtag_unlink(NULL, t);
	mtag_unlink(m, NULL);
	mtag_delete(NULL, t);
	mtag_delete(m, NULL);
	mtag_delete_chain(NULL);
	mtag_move(NULL, m);
	mtag_move(m, NULL);
	mtag_init(NULL);
	mtag_free(NULL);
	mtag_pktmbuf_free(NULL);
	CHECK(mtag_first(m) == NULL && t != NULL && t->next == NULL && tags_in_use() == 1);
	mtag_free(t);
	mtag_pktmbuf_free(m);
}

static void
check_stats(void)
{
	struct mtag_class_stats sum = {0};
	struct mtag_stats s;
	unsigned int c;
	int bytes;

	CHECK(mtag_stats_get(&s) == 0);
	CHECK(s.in_use == 0 && s.allocs > 0 && s.allocs == s.frees && s.alloc_fails > 0);
	CHECK(s.debug_errors == 0); /* a -Dmtag_debug=true library found no misuse */
	for (c = 0; c < s.nb_classes; c++) {
		sum.in_use += s.cls[c].in_use;
		sum.allocs += s.cls[c].allocs;
		sum.frees += s.cls[c].frees;
		sum.alloc_fails += s.cls[c].alloc_fails;
		CHECK(c == 0 || s.class_len[c] > s.class_len[c - 1]);
	}
	CHECK(sum.in_use == s.in_use && sum.allocs == s.allocs && sum.frees == s.frees &&
	      sum.alloc_fails == s.alloc_fails);
	bytes = mtag_pool_bytes_per_tag(0);
	CHECK(bytes > (int)(sizeof(struct mtag) + s.class_len[0]));
	CHECK(mtag_pool_bytes_per_tag(s.nb_classes) == -EINVAL);
	printf("outside: %u size classes, first %u bytes of data, %d bytes of pool per tag\n",
	       s.nb_classes, s.class_len[0], bytes);
}

static void
hold_for_telemetry(void)
{
	const char *path = getenv("MTAG_OUTSIDE_HOLD");
	unsigned int i;

	if (path == NULL)
		return;
	printf("outside: holding until %s exists\n", path);
	fflush(stdout);
	for (i = 0; i < 600 && access(path, F_OK) != 0; i++)
		usleep(100 * 1000);
}

int
main(int argc, char **argv)
{
	struct mtag_conf conf = {.pool_size = POOL_SIZE, .cache_size = 32};
	struct mtag *t;

	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "outside: cannot init EAL\n");
		printf("outside: 0 passed, 1 failed\n");
		return 1;
	}
	mbufs = rte_pktmbuf_pool_create("outside_mbufs", 1023, 32, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					(int)rte_socket_id());
	CHECK(mbufs != NULL);
	if (mbufs == NULL)
		goto done;

	check_before_init();
	CHECK(mtag_lib_init(&conf) == 0);
	CHECK(mtag_lib_init(NULL) == 0); /* idempotent */
	check_types();
	check_tags();
	check_chain();
	check_copy_move();
	check_exhaustion();
	check_destructor_copier();
	check_burst();
	check_ethdev();
	check_null();
	check_stats();

	/* fini refuses while a tag is out, and works once it is back. */
	t = mtag_get(MTAG_TYPE_GRE, 0, 0);
	hold_for_telemetry();
	CHECK(t != NULL && mtag_lib_fini() == -EBUSY);
	mtag_free(t);
	CHECK(tags_in_use() == 0);
	CHECK(mtag_lib_fini() == 0);
	rte_mempool_free(mbufs);
done:
	rte_eal_cleanup();
	printf("outside: %u passed, %u failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
