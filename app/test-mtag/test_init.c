/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/* Set-up and configuration: calls before mtag_lib_init() and after
 * mtag_lib_fini(), idempotent init, defaults, bad configurations, fini while
 * tags are in use. */

#include <mtag_ethdev.h>

#include "test.h"

/* A tag-shaped buffer that no pool owns, to pass where a tag is expected. */
struct fake_tag {
	struct mtag hdr;
	uint8_t data[16];
};

/* Every call on an uninitialised library (before mtag_lib_init(), or after
 * mtag_lib_fini()) fails cleanly or does nothing. */
static int
check_uninitialised(const char *when)
{
	struct fake_tag fake = {.hdr = {.type = MTAG_TYPE_GRE, .len = 16}};
	struct rte_mempool *mp = test_mbuf_pool();
	struct rte_mbuf *m, *m2, *dup;
	struct mtag *tags[4];
	struct mtag_stats st;

	TEST_ASSERT_EQ(mtag_stats_get(&st), -ENOENT, "stats %s", when);
	TEST_ASSERT_EQ(mtag_lib_fini(), -ENOENT, "fini %s", when);
	TEST_ASSERT_EQ(mtag_pool_bytes_per_tag(0), -ENOENT, "bytes per tag %s", when);
	TEST_ASSERT_EQ(mtag_type_register("early"), -ENOENT, "register %s", when);
	TEST_ASSERT_EQ(mtag_type_lookup("gre"), -ENOENT, "lookup %s", when);
	rte_errno = 0;
	TEST_ASSERT_NULL(mtag_type_name(MTAG_TYPE_GRE), "name %s", when);
	TEST_ASSERT_EQ(rte_errno, ENOENT, "name %s", when);
	TEST_ASSERT_EQ(mtag_type_set_destructor(MTAG_TYPE_GRE, NULL), -EINVAL, "dtor %s", when);
	TEST_ASSERT_EQ(mtag_type_set_copier(MTAG_TYPE_GRE, NULL), -EINVAL, "copier %s", when);

	rte_errno = 0;
	TEST_ASSERT_NULL(mtag_get(MTAG_TYPE_GRE, 4, 0), "get %s", when);
	TEST_ASSERT_EQ(rte_errno, EINVAL, "get %s", when);
	rte_errno = 0;
	TEST_ASSERT_NULL(mtag_alloc(42, 1, 4, 0), "alloc %s", when);
	TEST_ASSERT_EQ(rte_errno, EINVAL, "alloc %s", when);
	rte_errno = 0;
	TEST_ASSERT_EQ(mtag_get_bulk(MTAG_TYPE_GRE, 4, 0, tags, 4), 0, "get_bulk %s", when);
	TEST_ASSERT_EQ(rte_errno, EINVAL, "get_bulk %s", when);
	rte_errno = 0;
	TEST_ASSERT_NULL(mtag_copy(&fake.hdr, 0), "copy %s", when);
	TEST_ASSERT_EQ(rte_errno, EINVAL, "copy %s", when);
	rte_errno = 0;
	TEST_ASSERT_NULL(mtag_copy(NULL, 0), "copy(NULL) %s", when);
	TEST_ASSERT_EQ(rte_errno, EINVAL, "copy(NULL) %s", when);
	mtag_free(&fake.hdr); /* must not reach a pool */
	mtag_free(NULL);
	TEST_ASSERT_EQ(mtag_eth_tx_strip(0, 0), -ENOENT, "tx strip %s", when);

	m = rte_pktmbuf_alloc(mp);
	m2 = rte_pktmbuf_alloc(mp);
	TEST_ASSERT(m != NULL && m2 != NULL, "mbuf alloc");
	TEST_ASSERT_NULL(mtag_first(m), "first %s", when);
	TEST_ASSERT_NULL(mtag_find(m, MTAG_TYPE_GRE, NULL), "find %s", when);
	TEST_ASSERT_NULL(mtag_locate(m, 7, MTAG_TYPE_GRE, NULL), "locate %s", when);
	TEST_ASSERT_EQ(mtag_find_burst(&m, 1, MTAG_TYPE_GRE, tags), 0, "find_burst %s", when);
	TEST_ASSERT_NULL(tags[0], "find_burst out[0] %s", when);
	mtag_unlink(m, &fake.hdr);
	mtag_delete(m, &fake.hdr);
	mtag_delete_chain(m);
	mtag_delete_chain_burst(&m, 1);
	mtag_move(m2, m);
	mtag_move(m, m);
	TEST_ASSERT(mtag_copy_chain(m2, m) < 0, "copy_chain %s", when);
	TEST_ASSERT_EQ(mtag_copy_chain(m, m), -EINVAL, "copy_chain onto itself %s", when);
	TEST_ASSERT_NULL(mtag_first(m2), "m2 untagged %s", when);

	/* A clone or copy of an untagged packet may fail, but only cleanly; if
	 * it succeeds the result is untagged. */
	rte_errno = 0;
	dup = mtag_pktmbuf_clone(m, mp);
	if (dup == NULL)
		TEST_ASSERT(rte_errno != 0, "clone %s: NULL without rte_errno", when);
	TEST_ASSERT_NULL(mtag_first(dup), "clone untagged %s", when);
	mtag_pktmbuf_free(dup);
	rte_errno = 0;
	dup = mtag_pktmbuf_copy(m, mp, 0, UINT32_MAX);
	if (dup == NULL)
		TEST_ASSERT(rte_errno != 0, "copy %s: NULL without rte_errno", when);
	TEST_ASSERT_NULL(mtag_first(dup), "copy untagged %s", when);
	mtag_pktmbuf_free(dup);
	mtag_pktmbuf_free(m);
	mtag_pktmbuf_free_bulk(&m2, 1);
	return TEST_SUCCESS;
}

static int
test_before_init(void)
{
	struct mtag_stats st;

	/* The harness does not initialise this suite; another suite run
	 * earlier in this process may have. */
	if (mtag_stats_get(&st) == 0)
		TEST_ASSERT_EQ(mtag_lib_fini(), 0, "fini of an idle library");
	TEST_RUN(check_uninitialised("before init"));
	TEST_ASSERT_EQ(mtag_lib_init(NULL), 0, "init");
	TEST_ASSERT_EQ(mtag_stats_get(&st), 0, "stats after init");
	TEST_ASSERT_EQ(st.in_use, 0, "nothing in use");
	return TEST_SUCCESS;
}

/* After a fini, the library is as uninitialised as before the first init,
 * with a cache configured or not. */
static int
test_after_fini(void)
{
	static const uint32_t caches[] = {UINT32_MAX, 16};
	struct mtag_conf conf = {.pool_size = 63};
	unsigned int c;

	for (c = 0; c < RTE_DIM(caches); c++) {
		conf.cache_size = caches[c];
		TEST_RUN(test_lib_reinit(&conf));
		TEST_ASSERT_EQ(mtag_lib_fini(), 0, "fini");
		TEST_RUN(check_uninitialised("after fini"));
		TEST_ASSERT_EQ(mtag_lib_init(NULL), 0, "init again");
	}
	return TEST_SUCCESS;
}

static int
test_dynfield_names(void)
{
	int off, bit;

	/* Other code finds the chain by the names of the spec. */
	off = rte_mbuf_dynfield_lookup("mtag_dynfield_chain", NULL);
	bit = rte_mbuf_dynflag_lookup("mtag_dynflag_present", NULL);
	TEST_ASSERT(off >= 0, "dynfield registered");
	TEST_ASSERT(bit >= 0, "dynflag registered");
	TEST_ASSERT_EQ(off, mtag_dynfield_offset, "exported offset");
	TEST_ASSERT(mtag_dynflag_mask == UINT64_C(1) << bit, "exported mask");
	return TEST_SUCCESS;
}

static int
test_idempotent(void)
{
	struct mtag_conf conf = {.pool_size = 100, .class_len = {8, 32}};
	struct mtag_stats a, b;
	int off = mtag_dynfield_offset;
	int id;

	id = test_type_new("idem");
	TEST_ASSERT(id >= MTAG_TYPE_USER_BASE, "register: %d", id);
	TEST_ASSERT_EQ(mtag_stats_get(&a), 0, "stats");
	TEST_ASSERT_EQ(mtag_lib_init(NULL), 0, "second init");
	/* An initialised library keeps its configuration: the same one, given
	 * in full or as zeros for the defaults, is fine; another is -EBUSY, and
	 * a bad one -EINVAL. */
	{
		struct mtag_conf same = {
			.pool_size = 16383, .cache_size = 256, .class_len = {16, 64, 256}};
		struct mtag_conf zeros = {0};
		struct mtag_conf cache = {.cache_size = 32};
		struct mtag_conf gap = {.class_len = {0, 100}};

		TEST_ASSERT_EQ(mtag_lib_init(&same), 0, "the same conf, in full");
		TEST_ASSERT_EQ(mtag_lib_init(&zeros), 0, "the same conf, as defaults");
		TEST_ASSERT_EQ(mtag_lib_init(&cache), -EBUSY, "another cache size");
		TEST_ASSERT_EQ(mtag_lib_init(&gap), -EINVAL, "class_len {0, 100}");
	}
	TEST_ASSERT_EQ(mtag_lib_init(&conf), -EBUSY, "init with another conf");
	TEST_ASSERT_EQ(mtag_stats_get(&b), 0, "stats");
	TEST_ASSERT_EQ(a.nb_classes, b.nb_classes, "classes unchanged");
	TEST_ASSERT(memcmp(a.class_len, b.class_len, sizeof(a.class_len)) == 0, "class lens");
	TEST_ASSERT_EQ(mtag_dynfield_offset, off, "same dynfield");
	TEST_ASSERT_EQ(mtag_type_lookup(mtag_type_name(id)), id, "types kept");
	return TEST_SUCCESS;
}

static int
test_defaults(void)
{
	struct mtag_stats st;
	struct mtag *t;
	int bytes;

	TEST_ASSERT_EQ(mtag_stats_get(&st), 0, "stats");
	TEST_ASSERT(st.nb_classes >= 1 && st.nb_classes <= MTAG_CLASS_MAX, "classes %u",
		    st.nb_classes);
	TEST_ASSERT(st.class_len[st.nb_classes - 1] >= 256, "payloads up to 256 bytes");
	/* Spec figure: pool memory per 16-byte-payload tag <= 64 bytes. */
	TEST_ASSERT(st.class_len[0] >= 16, "smallest class holds 16 bytes");
	bytes = mtag_pool_bytes_per_tag(0);
	printf("    bytes per tag: class 0 (%u B payload) %d\n", st.class_len[0], bytes);
	TEST_ASSERT(bytes > 0, "bytes per tag");
#ifndef MTAG_DEBUG /* the debug build adds a magic and an owner to each tag */
	if (st.class_len[0] == 16)
		TEST_ASSERT(bytes <= 64, "16-byte tag costs %d bytes", bytes);
#endif
	TEST_ASSERT_EQ(mtag_pool_bytes_per_tag(st.nb_classes), -EINVAL, "bad class");

	t = mtag_get(MTAG_TYPE_GRE, st.class_len[st.nb_classes - 1], 0);
	TEST_ASSERT_NOT_NULL(t, "largest len");
	mtag_free(t);
	rte_errno = 0;
	TEST_ASSERT_NULL(mtag_get(MTAG_TYPE_GRE, st.class_len[st.nb_classes - 1] + 1, 0),
			 "len over the largest class");
	TEST_ASSERT_EQ(rte_errno, EINVAL, "len over the largest class");
	return TEST_SUCCESS;
}

static int
test_fini_busy(void)
{
	struct mtag_stats st;
	struct mtag *t, *u, *c;
	struct rte_mbuf *m;

	t = mtag_get(MTAG_TYPE_GRE, 16, MTAG_ZERO);
	c = mtag_get(MTAG_TYPE_DLT, 8, MTAG_ZERO);
	m = rte_pktmbuf_alloc(test_mbuf_pool());
	TEST_ASSERT(t != NULL && c != NULL && m != NULL, "get");
	memset(mtag_data(t), 0xa5, 16);
	memset(mtag_data(c), 0x5a, 8);
	mtag_prepend(m, c);
	TEST_ASSERT_EQ(mtag_lib_fini(), -EBUSY, "fini with a tag in use");
	/* Nothing was freed: the library and the tags still work. */
	TEST_ASSERT_EQ(mtag_stats_get(&st), 0, "still initialised");
	TEST_ASSERT_EQ(st.in_use, 2, "tags still counted");
	TEST_ASSERT_EQ(((uint8_t *)mtag_data(t))[15], 0xa5, "tag data intact");
	TEST_ASSERT(mtag_find(m, MTAG_TYPE_DLT, NULL) == c, "chained tag found");
	TEST_ASSERT_EQ(((uint8_t *)mtag_data(c))[7], 0x5a, "chained tag's data intact");
	TEST_ASSERT_EQ(mtag_type_lookup("gre"), MTAG_TYPE_GRE, "registry intact");
	u = mtag_get(MTAG_TYPE_GRE, 16, 0);
	TEST_ASSERT_NOT_NULL(u, "the pools still serve");
	mtag_free(u);
	mtag_free(t);
	mtag_pktmbuf_free(m);
	TEST_ASSERT_EQ(mtag_lib_fini(), 0, "fini when idle");
	TEST_ASSERT_EQ(mtag_stats_get(&st), -ENOENT, "uninitialised after fini");
	TEST_ASSERT_EQ(mtag_lib_init(NULL), 0, "init again");
	return TEST_SUCCESS;
}

static int
test_bad_conf(void)
{
	static const struct mtag_conf bad[] = {
		{.pool_size = 1},
		{.class_len = {64, 16}},
		{.class_len = {16, 16}},
		{.class_len = {16, MTAG_LEN_MAX + 1}},
	};
	struct mtag_conf huge = {.pool_size = UINT32_C(1) << 26};
	struct mtag_stats st;
	unsigned int i;
	int ret;

	TEST_ASSERT_EQ(mtag_lib_fini(), 0, "fini");
	for (i = 0; i < RTE_DIM(bad); i++) {
		TEST_ASSERT_EQ(mtag_lib_init(&bad[i]), -EINVAL, "bad conf %u", i);
		TEST_ASSERT_EQ(mtag_stats_get(&st), -ENOENT, "not initialised after %u", i);
	}
	/* More tags than EAL memory holds: an error, no half-made library. */
	ret = mtag_lib_init(&huge);
	TEST_ASSERT(ret < 0, "pool of 2^26 tags in 512 MB: %d", ret);
	TEST_ASSERT_EQ(mtag_stats_get(&st), -ENOENT, "not initialised after a failed init");
	TEST_ASSERT_EQ(mtag_lib_init(NULL), 0, "good init after bad ones");
	return TEST_SUCCESS;
}

static int
test_custom_conf(void)
{
	struct mtag_conf conf = {
		.pool_size = 100, .cache_size = UINT32_MAX, .class_len = {8, 100, 1000}};
	struct mtag_stats st;
	struct mtag *a, *b, *c;

	TEST_RUN(test_lib_reinit(&conf));
	/* NULL asks for no particular configuration: it keeps this one. */
	TEST_ASSERT_EQ(mtag_lib_init(NULL), 0, "init(NULL) on a custom configuration");
	TEST_ASSERT_EQ(mtag_stats_get(&st), 0, "stats");
	TEST_ASSERT_EQ(st.nb_classes, 3, "classes");
	TEST_ASSERT(st.class_len[0] == 8 && st.class_len[1] == 100 && st.class_len[2] == 1000,
		    "class lens %u %u %u", st.class_len[0], st.class_len[1], st.class_len[2]);
	a = mtag_get(MTAG_TYPE_GRE, 8, 0);    /* class 0 */
	b = mtag_get(MTAG_TYPE_GRE, 9, 0);    /* class 1 */
	c = mtag_get(MTAG_TYPE_GRE, 1000, 0); /* class 2 */
	TEST_ASSERT(a != NULL && b != NULL && c != NULL, "one tag of each class");
	TEST_ASSERT_EQ(mtag_stats_get(&st), 0, "stats");
	TEST_ASSERT(st.cls[0].in_use == 1 && st.cls[1].in_use == 1 && st.cls[2].in_use == 1,
		    "one in use per class: %" PRIu64 " %" PRIu64 " %" PRIu64, st.cls[0].in_use,
		    st.cls[1].in_use, st.cls[2].in_use);
	TEST_ASSERT_EQ(st.in_use, 3, "total");
	rte_errno = 0;
	TEST_ASSERT_NULL(mtag_get(MTAG_TYPE_GRE, 1001, 0), "len 1001");
	TEST_ASSERT_EQ(rte_errno, EINVAL, "len 1001");
	mtag_free(a);
	mtag_free(b);
	mtag_free(c);
	TEST_ASSERT_EQ(mtag_stats_get(&st), 0, "stats");
	TEST_ASSERT(st.cls[0].frees == 1 && st.cls[1].frees == 1 && st.cls[2].frees == 1,
		    "one free per class");
	TEST_RUN(test_lib_reinit(NULL));
	return TEST_SUCCESS;
}

static int
test_conf_limits(void)
{
	struct mtag_conf eight = {.pool_size = 64,
				  .class_len = {8, 16, 32, 64, 128, 256, 1024, MTAG_LEN_MAX}};
	struct mtag_stats st;
	struct mtag *t;
	unsigned int c;

	/* Every class slot used (no terminating 0), the largest length. */
	TEST_RUN(test_lib_reinit(&eight));
	TEST_ASSERT_EQ(mtag_stats_get(&st), 0, "stats");
	TEST_ASSERT_EQ(st.nb_classes, MTAG_CLASS_MAX, "eight classes");
	for (c = 0; c < MTAG_CLASS_MAX; c++) {
		TEST_ASSERT_EQ(st.class_len[c], eight.class_len[c], "class %u", c);
		t = mtag_get(MTAG_TYPE_GRE, eight.class_len[c], MTAG_ZERO);
		TEST_ASSERT_NOT_NULL(t, "len %u", eight.class_len[c]);
		mtag_free(t);
	}
	TEST_ASSERT_EQ(mtag_stats_get(&st), 0, "stats");
	for (c = 0; c < MTAG_CLASS_MAX; c++)
		TEST_ASSERT_EQ(st.cls[c].allocs, 1, "one tag from class %u", c);
	TEST_ASSERT_NULL(mtag_get(MTAG_TYPE_GRE, MTAG_LEN_MAX + 1, 0), "over MTAG_LEN_MAX");
	TEST_RUN(test_lib_reinit(NULL));
	return TEST_SUCCESS;
}

/* The pools on another mempool driver: DPDK's rings for preemptible
 * threads. A driver that does not exist is bad configuration, and leaves
 * nothing behind. */
static int
test_pool_ops(void)
{
	static const char *const ops[] = {"ring_mt_rts", "ring_mt_hts"};
	struct mtag_conf conf = {.pool_size = 1023, .cache_size = 32};
	struct mtag_conf other = {.pool_size = 1023, .cache_size = 32, .pool_ops = "ring_mp_mc"};
	struct mtag_conf none = {.pool_ops = "no_such_driver"};
	struct mtag *t[1023];
	struct rte_mempool *mp;
	unsigned int i, k;

	for (k = 0; k < RTE_DIM(ops); k++) {
		conf.pool_ops = ops[k];
		TEST_RUN(test_lib_reinit(&conf));
		mp = rte_mempool_lookup("mtag_s0_c0");
		TEST_ASSERT_NOT_NULL(mp, "pool");
		TEST_ASSERT(strcmp(rte_mempool_get_ops(mp->ops_index)->name, ops[k]) == 0,
			    "driver %s", rte_mempool_get_ops(mp->ops_index)->name);
		TEST_ASSERT_EQ(mtag_lib_init(&conf), 0, "the same conf again");
		TEST_ASSERT_EQ(mtag_lib_init(&other), -EBUSY, "another driver");
		/* Every tag, past the cache, through the driver's ring, and back. */
		for (i = 0; i < RTE_DIM(t); i++) {
			t[i] = mtag_get(MTAG_TYPE_GRE, 16, 0);
			TEST_ASSERT_NOT_NULL(t[i], "%s: tag %u", ops[k], i);
		}
		TEST_ASSERT_NULL(mtag_get(MTAG_TYPE_GRE, 16, 0), "%s: exhausted", ops[k]);
		for (i = 0; i < RTE_DIM(t); i++)
			mtag_free(t[i]);
		TEST_ASSERT_EQ(test_tags_in_use(), 0, "all back");
	}
	TEST_ASSERT_EQ(mtag_lib_fini(), 0, "fini");
	TEST_ASSERT_EQ(mtag_lib_init(&none), -EINVAL, "no such driver");
	TEST_ASSERT_NULL(rte_mempool_lookup("mtag_s0_c0"), "no pool left behind");
	TEST_ASSERT_EQ(mtag_lib_init(NULL), 0, "init after a bad driver");
	return TEST_SUCCESS;
}

static int
test_fini_resets_registry(void)
{
	char name[MTAG_TYPE_NAMESIZE];
	int id;

	id = test_type_new("gone");
	TEST_ASSERT(id >= MTAG_TYPE_USER_BASE, "register");
	strlcpy(name, mtag_type_name(id), sizeof(name));
	TEST_RUN(test_lib_reinit(NULL));
	TEST_ASSERT_EQ(mtag_type_lookup(name), -ENOENT, "user type gone after fini");
	TEST_ASSERT_EQ(mtag_type_lookup("vlan"), MTAG_TYPE_VLAN, "predefined types back");
	return TEST_SUCCESS;
}

static const struct test_case init_cases[] = {
	{"before_init", test_before_init},
	{"after_fini", test_after_fini},
	{"dynfield_names", test_dynfield_names},
	{"idempotent", test_idempotent},
	{"defaults", test_defaults},
	{"fini_busy", test_fini_busy},
	{"bad_conf", test_bad_conf},
	{"custom_conf", test_custom_conf},
	{"conf_limits", test_conf_limits},
	{"fini_resets_registry", test_fini_resets_registry},
	{"pool_ops", test_pool_ops},
	{NULL, NULL},
};

static struct test_suite init_suite = {
	.name = "init",
	.no_lib_init = true,
	.cases = init_cases,
};

REGISTER_UNIT_TEST(init_suite);
