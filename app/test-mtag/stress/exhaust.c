/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/*
 * Exhaustion and bad input. Every call that allocates is made with its size
 * class drained (and with the mbuf pool drained): it must return the
 * documented error, leave both packets exactly as they were (same tags,
 * same order, same data) and leak nothing. Then out-of-range arguments,
 * calls before mtag_lib_init() and after mtag_lib_fini(), fini with tags in
 * use, and init/fini cycles with different configurations.
 */

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_mempool.h>

#include <mtag.h>
#include <mtag_ethdev.h>

#include "harden_common.h"

#define POOL_SIZE 63
#define NB_MBUFS 31

static struct rte_mempool *mbuf_pool;
static int type_a, type_b;
static unsigned int dtor_calls;

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

static int
snap_same(const struct rte_mbuf *m, const struct snap *before)
{
	struct snap now;

	snap_take(m, &now);
	return memcmp(&now, before, sizeof(now)) == 0;
}

static uint64_t
in_use(void)
{
	struct mtag_stats s;

	return mtag_stats_get(&s) == 0 ? s.in_use : UINT64_MAX;
}

static struct mtag *
tag(uint16_t type, uint16_t len)
{
	struct mtag *t = mtag_get(type, len, 0);
	uint16_t i;

	if (t != NULL)
		for (i = 0; i < len; i++)
			((uint8_t *)mtag_data(t))[i] = (uint8_t)(type + len + i);
	return t;
}

static void
dtor(struct mtag *t)
{
	RTE_SET_USED(t);
	dtor_calls++;
}

static int
copier_refuse(struct mtag *dst, const struct mtag *src)
{
	RTE_SET_USED(dst);
	RTE_SET_USED(src);
	return -EPERM;
}

/* Calls before mtag_lib_init() (and after mtag_lib_fini()). */
static void
test_uninitialised(const char *when)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mbuf_pool);
	struct mtag_stats s;
	struct mtag *tags[2], *out[1];

	CHECK(m != NULL, "%s: mbuf", when);
	rte_errno = 0;
	CHECK(mtag_get(MTAG_TYPE_VLAN, 4, 0) == NULL && rte_errno == EINVAL, "%s: get", when);
	CHECK(mtag_alloc(7, 7, 4, 0) == NULL && rte_errno == EINVAL, "%s: alloc", when);
	CHECK(mtag_get_bulk(MTAG_TYPE_VLAN, 4, 0, tags, 2) == 0 && rte_errno == EINVAL,
	      "%s: get_bulk", when);
	CHECK(mtag_type_register("early") == -ENOENT, "%s: register", when);
	CHECK(mtag_type_lookup("vlan") == -ENOENT, "%s: lookup", when);
	CHECK(mtag_type_name(MTAG_TYPE_VLAN) == NULL && rte_errno == ENOENT, "%s: name", when);
	CHECK(mtag_type_set_destructor(MTAG_TYPE_VLAN, dtor) == -EINVAL, "%s: dtor", when);
	CHECK(mtag_type_set_copier(MTAG_TYPE_VLAN, copier_refuse) == -EINVAL, "%s: copier", when);
	CHECK(mtag_stats_get(&s) == -ENOENT, "%s: stats", when);
	CHECK(mtag_pool_bytes_per_tag(0) == -ENOENT, "%s: bytes_per_tag", when);
	CHECK(mtag_lib_fini() == -ENOENT, "%s: fini", when);
	CHECK(mtag_eth_tx_strip(0, 0) == -ENOENT, "%s: tx_strip", when);
	CHECK(mtag_first(m) == NULL, "%s: first", when);
	CHECK(mtag_find(m, MTAG_TYPE_VLAN, NULL) == NULL, "%s: find", when);
	CHECK(mtag_find_burst(&m, 1, MTAG_TYPE_VLAN, out) == 0 && out[0] == NULL, "%s: find_burst",
	      when);
	CHECK(mtag_copy(NULL, 0) == NULL && rte_errno == EINVAL, "%s: copy", when);
	CHECK(mtag_copy_chain(m, m) == -EINVAL, "%s: copy_chain", when);
	mtag_delete_chain(m);
	mtag_delete_chain_burst(&m, 1);
	mtag_move(m, m);
	mtag_free(NULL);
	mtag_pktmbuf_free(m);
	CHECK(rte_mempool_avail_count(mbuf_pool) == NB_MBUFS, "%s: mbuf leaked", when);
}

/* Wrong configurations are refused and leave the library uninitialised. */
static void
test_bad_conf(void)
{
	struct mtag_conf c;
	struct mtag_stats s;

	memset(&c, 0, sizeof(c));
	c.pool_size = 1;
	CHECK(mtag_lib_init(&c) == -EINVAL, "pool_size 1");
	memset(&c, 0, sizeof(c));
	c.class_len[0] = 64;
	c.class_len[1] = 16;
	CHECK(mtag_lib_init(&c) == -EINVAL, "classes not ascending");
	c.class_len[1] = 64;
	CHECK(mtag_lib_init(&c) == -EINVAL, "classes equal");
	c.class_len[0] = 16;
	c.class_len[1] = MTAG_LEN_MAX + 1;
	CHECK(mtag_lib_init(&c) == -EINVAL, "class over MTAG_LEN_MAX");
	CHECK(mtag_stats_get(&s) == -ENOENT, "a refused init left the library initialised");
}

static void
test_bad_args(void)
{
	char name[MTAG_TYPE_NAMESIZE + 1];
	struct mtag_stats s;
	struct mtag *t;
	int id, n;

	/* Lengths just over the largest class and far over it. */
	mtag_stats_get(&s);
	for (n = 0; n < 4; n++) {
		uint16_t len = (uint16_t[]){s.class_len[s.nb_classes - 1] + 1, MTAG_LEN_MAX,
					    MTAG_LEN_MAX + 1, UINT16_MAX}[n];

		rte_errno = 0;
		CHECK(mtag_get(MTAG_TYPE_VLAN, len, 0) == NULL && rte_errno == EINVAL, "len %u",
		      len);
	}
	/* Types never registered, or out of range. */
	for (n = 0; n < 5; n++) {
		uint16_t type = (uint16_t[]){0, MTAG_TYPE_USER_BASE - 1, MTAG_TYPE_MAX - 1,
					     MTAG_TYPE_MAX, UINT16_MAX}[n];

		rte_errno = 0;
		CHECK(mtag_get(type, 4, 0) == NULL && rte_errno == EINVAL, "type %u", type);
		CHECK(mtag_type_name(type) == NULL && rte_errno == ENOENT, "name of %u", type);
		CHECK(mtag_type_set_destructor(type, dtor) == -EINVAL, "dtor on %u", type);
		CHECK(mtag_type_set_copier(type, copier_refuse) == -EINVAL, "copier on %u", type);
	}
	/* A foreign cookie makes any type id legal, even out of range. */
	t = mtag_alloc(0xc0ffee, UINT16_MAX, 4, MTAG_ZERO);
	CHECK(t != NULL && t->type == UINT16_MAX && t->cookie == 0xc0ffee, "foreign cookie");
	mtag_free(t);
	CHECK(mtag_pool_bytes_per_tag(s.nb_classes) == -EINVAL, "bytes_per_tag range");

	/* Names. */
	CHECK(mtag_type_register(NULL) == -EINVAL, "NULL name");
	CHECK(mtag_type_register("") == -EINVAL, "empty name");
	memset(name, 'x', sizeof(name));
	name[MTAG_TYPE_NAMESIZE] = '\0';
	CHECK(mtag_type_register(name) == -EINVAL, "name of %d chars", MTAG_TYPE_NAMESIZE);
	name[MTAG_TYPE_NAMESIZE - 1] = '\0';
	id = mtag_type_register(name);
	CHECK(id >= MTAG_TYPE_USER_BASE, "name of %d chars: %d", MTAG_TYPE_NAMESIZE - 1, id);
	CHECK(mtag_type_lookup(name) == id, "lookup long name");
	CHECK(mtag_type_register("vlan") == -EEXIST, "predefined name");
	CHECK(mtag_type_lookup(NULL) == -EINVAL, "lookup NULL");
	CHECK(mtag_type_lookup("no such type") == -ENOENT, "lookup unknown");
	CHECK(mtag_type_lookup("") == -ENOENT || mtag_type_lookup("") == -EINVAL,
	      "lookup empty name: %d", mtag_type_lookup(""));

	/* Fill the registry: at least 256 user types, then -ENOSPC. */
	for (n = 0;; n++) {
		snprintf(name, sizeof(name), "fill%d", n);
		id = mtag_type_register(name);
		if (id < 0)
			break;
	}
	CHECK(id == -ENOSPC, "full registry: %d", id);
	CHECK(n + 3 >= 256, "only %d user types", n + 3);
	CHECK(mtag_type_register("fill0") >= MTAG_TYPE_USER_BASE, "known name when full");
	CHECK(mtag_type_lookup("fill7") >= MTAG_TYPE_USER_BASE, "lookup when full");
}

/* Drain size class c: returns the tags taken, all of them. */
static unsigned int
drain(uint16_t len, struct mtag **held, unsigned int max)
{
	unsigned int n = 0;

	while (n < max && (held[n] = mtag_get(type_a, len, 0)) != NULL)
		n++;
	return n;
}

static void
test_exhaustion(uint16_t len, const char *what)
{
	struct rte_mbuf *p1 = rte_pktmbuf_alloc(mbuf_pool), *p2 = rte_pktmbuf_alloc(mbuf_pool);
	struct mtag *held[POOL_SIZE + 1], *tags[4], *t;
	struct mtag_stats before, after;
	struct snap s1, s2;
	unsigned int n, dtor0;
	uint64_t used;

	CHECK(p1 != NULL && p2 != NULL, "%s: mbufs", what);
	rte_pktmbuf_append(p1, 64);
	rte_pktmbuf_append(p2, 64);
	/* p1: a tag of every class; p2: two small ones. */
	mtag_prepend(p1, tag(type_b, 200));
	mtag_prepend(p1, tag(type_a, 40));
	mtag_prepend(p1, tag(MTAG_TYPE_VLAN, 4));
	mtag_prepend(p2, tag(type_b, 1));
	mtag_prepend(p2, tag(MTAG_TYPE_GRE, 0));
	used = in_use();
	CHECK(used == 5, "%s: 5 tags in use, not %" PRIu64, what, used);

	n = drain(len, held, POOL_SIZE + 1);
	CHECK(n <= POOL_SIZE && n > 0, "%s: drained %u", what, n);
	CHECK(rte_errno == ENOMEM, "%s: empty pool gives ENOMEM, not %d", what, rte_errno);
	snap_take(p1, &s1);
	snap_take(p2, &s2);
	mtag_stats_get(&before);
	dtor0 = dtor_calls;

	rte_errno = 0;
	CHECK(mtag_get(MTAG_TYPE_VLAN, len, MTAG_ZERO) == NULL && rte_errno == ENOMEM, "%s: get",
	      what);
	rte_errno = 0;
	CHECK(mtag_alloc(42, 42, len, 0) == NULL && rte_errno == ENOMEM, "%s: alloc", what);
	rte_errno = 0;
	CHECK(mtag_get_bulk(MTAG_TYPE_VLAN, len, 0, tags, 4) == 0 && rte_errno == ENOMEM,
	      "%s: get_bulk", what);
	CHECK(mtag_get_bulk(MTAG_TYPE_VLAN, len, 0, tags, 0) == 0, "%s: bulk of 0", what);
	rte_errno = 0;
	CHECK(mtag_copy(held[0], 0) == NULL && rte_errno == ENOMEM, "%s: copy", what);
	CHECK(mtag_copy_chain(p2, p1) == -ENOBUFS, "%s: copy_chain", what);
	CHECK(snap_same(p2, &s2) && snap_same(p1, &s1), "%s: copy_chain changed a packet", what);
	rte_errno = 0;
	CHECK(mtag_pktmbuf_clone(p1, mbuf_pool) == NULL && rte_errno == ENOMEM, "%s: clone", what);
	rte_errno = 0;
	CHECK(mtag_pktmbuf_copy(p1, mbuf_pool, 0, UINT32_MAX) == NULL && rte_errno == ENOMEM,
	      "%s: pktmbuf_copy", what);
	CHECK(snap_same(p1, &s1) && snap_same(p2, &s2), "%s: a packet changed", what);
	CHECK(rte_mempool_avail_count(mbuf_pool) == NB_MBUFS - 2, "%s: mbufs leaked", what);
	mtag_stats_get(&after);
	CHECK(after.in_use == before.in_use, "%s: %" PRIu64 " tags leaked", what,
	      after.in_use - before.in_use);
	/* Copies rolled back ran their destructor, one per copy freed. */
	CHECK(dtor_calls - dtor0 == after.frees - before.frees,
	      "%s: %u destructor calls for %" PRIu64 " frees", what, dtor_calls - dtor0,
	      after.frees - before.frees);
	CHECK(after.alloc_fails > before.alloc_fails, "%s: failures not counted", what);

	/* Calls that allocate nothing still work with the pool dry. */
	t = mtag_find(p1, type_a, NULL);
	CHECK(t != NULL && t->len == 40, "%s: find", what);
	mtag_unlink(p1, t);
	mtag_prepend(p1, t);
	mtag_move(p2, p1);
	CHECK(mtag_first(p1) == NULL && mtag_first(p2) == t, "%s: move", what);

	/* A copier that refuses: the same all-or-nothing promise. */
	mtag_free(held[--n]); /* room for one copy */
	mtag_type_set_copier(type_b, copier_refuse);
	snap_take(p1, &s1);
	snap_take(p2, &s2);
	used = in_use();
	CHECK(mtag_copy_chain(p1, p2) == -EPERM, "%s: refused copy_chain", what);
	CHECK(snap_same(p1, &s1) && snap_same(p2, &s2) && in_use() == used,
	      "%s: refused copy_chain changed something", what);
	CHECK(mtag_pktmbuf_clone(p2, mbuf_pool) == NULL && in_use() == used, "%s: refused clone",
	      what);
	mtag_type_set_copier(type_b, NULL);

	while (n > 0)
		mtag_free(held[--n]);
	mtag_pktmbuf_free(p1);
	mtag_pktmbuf_free(p2);
	CHECK(in_use() == 0, "%s: %" PRIu64 " tags left", what, in_use());
}

/* The mbuf pool runs dry: clone and copy fail with ENOMEM, tags unharmed. */
static void
test_mbuf_exhaustion(void)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mbuf_pool), *all[NB_MBUFS];
	unsigned int n = 0;
	struct snap s;

	rte_pktmbuf_append(m, 64);
	mtag_prepend(m, tag(type_b, 100));
	mtag_prepend(m, tag(type_a, 10));
	snap_take(m, &s);
	while (n < NB_MBUFS && (all[n] = rte_pktmbuf_alloc(mbuf_pool)) != NULL)
		n++;
	rte_errno = 0;
	CHECK(mtag_pktmbuf_clone(m, mbuf_pool) == NULL && rte_errno == ENOMEM, "clone");
	rte_errno = 0;
	CHECK(mtag_pktmbuf_copy(m, mbuf_pool, 0, UINT32_MAX) == NULL && rte_errno == ENOMEM,
	      "copy");
	CHECK(snap_same(m, &s) && in_use() == 2, "mbufs ran out: tags changed or leaked");
	rte_pktmbuf_free_bulk(all, n);
	mtag_pktmbuf_free(m);
	CHECK(rte_mempool_avail_count(mbuf_pool) == NB_MBUFS, "mbufs leaked");
}

/* fini with tags in use refuses and changes nothing; then a clean cycle. */
static void
test_fini_busy(void)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mbuf_pool);
	struct mtag *t = tag(type_a, 8), *u;

	mtag_prepend(m, t);
	CHECK(mtag_lib_fini() == -EBUSY, "fini with a tag in use");
	CHECK(mtag_find(m, type_a, NULL) == t &&
		      ((uint8_t *)mtag_data(t))[1] == (uint8_t)(type_a + 9),
	      "tag unreadable after a refused fini");
	u = mtag_get(type_a, 8, 0);
	CHECK(u != NULL, "library unusable after a refused fini");
	mtag_free(u);
	mtag_pktmbuf_free(m);
	CHECK(in_use() == 0, "tags left");
	CHECK(mtag_lib_fini() == 0, "fini");
}

static int
setup_port(void)
{
	struct rte_eth_conf pc;
	uint16_t port;

	memset(&pc, 0, sizeof(pc));
	if (rte_eth_dev_get_port_by_name("net_null0", &port) != 0)
		return -1;
	if (rte_eth_dev_configure(port, 1, 1, &pc) != 0 ||
	    rte_eth_rx_queue_setup(port, 0, 64, SOCKET_ID_ANY, NULL, mbuf_pool) != 0 ||
	    rte_eth_tx_queue_setup(port, 0, 64, SOCKET_ID_ANY, NULL) != 0)
		return -1;
	return port;
}

int
main(int argc, char **argv)
{
	static const uint32_t caches[] = {UINT32_MAX, 16};
	char *vdev[] = {(char *)(uintptr_t) "--vdev", (char *)(uintptr_t) "net_null0"};
	struct mtag_conf conf;
	char what[64];
	unsigned int i, c;
	int port;

	RTE_SET_USED(argc);
	if (harden_eal_init("mtagexhaust", "0", 2, vdev) < 0) {
		fprintf(stderr, "%s: EAL: %s\n", argv[0], rte_strerror(rte_errno));
		return 1;
	}
	mbuf_pool = rte_pktmbuf_pool_create("exhaust_mbufs", NB_MBUFS, 0, 0,
					    RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	port = setup_port();
	CHECK(mbuf_pool != NULL && port >= 0, "set-up");
	if (mbuf_pool == NULL)
		return 1;

	test_uninitialised("before init");
	test_bad_conf();
	/* Without a per-lcore cache, then with one: the pool holds the same. */
	for (c = 0; c < RTE_DIM(caches); c++) {
		memset(&conf, 0, sizeof(conf));
		conf.pool_size = POOL_SIZE;
		conf.cache_size = caches[c];
		CHECK(mtag_lib_init(&conf) == 0, "init");
		CHECK(mtag_lib_init(NULL) == 0, "init again");
		type_a = mtag_type_register("exhaust_a");
		type_b = mtag_type_register("exhaust_b");
		CHECK(type_a >= MTAG_TYPE_USER_BASE && type_b >= MTAG_TYPE_USER_BASE, "types");
		mtag_type_set_destructor(type_a, dtor);
		mtag_type_set_destructor(type_b, dtor);
		mtag_type_set_destructor(MTAG_TYPE_VLAN, dtor);
		if (port >= 0) {
			CHECK(mtag_eth_tx_strip(RTE_MAX_ETHPORTS, 0) == -ENODEV, "tx_strip port");
			CHECK(mtag_eth_tx_strip(port, 1) == -EINVAL, "tx_strip queue");
		}
		for (i = 0; i < 3; i++) {
			uint16_t len = (uint16_t[]){4, 40, 200}[i];

			snprintf(what, sizeof(what), "cache %d, len %u", (int)caches[c], len);
			test_exhaustion(len, what);
		}
		test_mbuf_exhaustion();
		test_bad_args();
		test_fini_busy();
		test_uninitialised("after fini");
	}
	CHECK(mtag_lib_init(NULL) == 0, "final init");
	CHECK(in_use() == 0, "in use at the end");
	CHECK(mtag_lib_fini() == 0, "final fini");
	if (port >= 0)
		rte_eth_dev_close(port);
	rte_mempool_free(mbuf_pool);
	rte_eal_cleanup();
	return harden_report("exhaust");
}
