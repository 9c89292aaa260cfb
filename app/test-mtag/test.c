/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/* dpdk-test-mtag: runs the named suites in one EAL process.
 *
 *   dpdk-test-mtag [EAL args --] name...
 *
 * A name is a suite, or a category (unit, stress, debug: every suite of it;
 * "all" is "unit"); none lists them. Without EAL arguments the harness uses
 * test_eal_init()'s no-hugepage set. Exit status: 0 all passed, 77 all
 * skipped, 1 otherwise. */

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_mempool.h>

#include "test.h"

#define TEST_MAX_POOLS 16

static struct test_suite *suites;
static struct rte_mempool *pools[TEST_MAX_POOLS];
static unsigned int nb_pools;

void
test_suite_register(struct test_suite *s)
{
	struct test_suite **pp = &suites;

	/* Keep them sorted by name, so that the list is stable. */
	while (*pp != NULL && strcmp((*pp)->name, s->name) < 0)
		pp = &(*pp)->next;
	s->next = *pp;
	*pp = s;
}

struct rte_mempool *
test_mbuf_pool_create(const char *name, unsigned int n, unsigned int cache, uint16_t data_room)
{
	struct rte_mempool *mp;

	if (nb_pools == TEST_MAX_POOLS) {
		printf("    too many test pools\n");
		return NULL;
	}
	mp = rte_pktmbuf_pool_create(name, n, cache, 0, data_room, rte_socket_id());
	if (mp == NULL) {
		printf("    cannot create pool %s: %s\n", name, rte_strerror(rte_errno));
		return NULL;
	}
	pools[nb_pools++] = mp;
	return mp;
}

struct rte_mempool *
test_mbuf_pool(void)
{
	return pools[0];
}

uint64_t
test_tags_in_use(void)
{
	struct mtag_stats s;

	if (mtag_stats_get(&s) != 0)
		return UINT64_MAX;
	return s.in_use;
}

int
test_lib_reinit(const struct mtag_conf *conf)
{
	int ret;

	ret = mtag_lib_fini();
	if (ret != 0) {
		printf("    mtag_lib_fini: %s\n", strerror(-ret));
		return TEST_FAILED;
	}
	ret = mtag_lib_init(conf);
	if (ret != 0) {
		printf("    mtag_lib_init: %s\n", strerror(-ret));
		/* Leave the library usable for the cases that follow. */
		mtag_lib_init(NULL);
		return TEST_FAILED;
	}
	return TEST_SUCCESS;
}

unsigned int
test_chain_len(const struct rte_mbuf *m)
{
	const struct mtag *t;
	unsigned int n = 0;

	for (t = mtag_first(m); t != NULL; t = mtag_next(m, t))
		n++;
	return n;
}

int
test_type_new(const char *prefix)
{
	static unsigned int seq;
	char name[MTAG_TYPE_NAMESIZE];

	snprintf(name, sizeof(name), "%s_%u", prefix, seq++);
	return mtag_type_register(name);
}

/* What a case left behind: tags in use, mbufs missing from the pools. Once
 * an earlier case has leaked (and failed for it), a case fails only for
 * what it adds, so that one leak does not fail every case after it. */
static int
test_check_leaks(uint64_t in_use_before, const unsigned int *missing_before)
{
	uint64_t in_use = test_tags_in_use();
	int ret = TEST_SUCCESS;
	unsigned int i, missing;

	if (in_use == UINT64_MAX) {
		printf("    FAIL: library left uninitialised\n");
		return TEST_FAILED;
	}
	if (in_use != 0 &&
	    (in_use_before == 0 || in_use_before == UINT64_MAX || in_use > in_use_before)) {
		printf("    FAIL: %" PRIu64 " tags in use after the case", in_use);
		if (in_use_before != 0 && in_use_before != UINT64_MAX)
			printf(" (%" PRIu64 " before it)", in_use_before);
		printf("\n");
		ret = TEST_FAILED;
	}
	for (i = 0; i < nb_pools; i++) {
		missing = rte_mempool_in_use_count(pools[i]);
		if (missing != 0 && missing > missing_before[i]) {
			printf("    FAIL: %u mbufs of pool %s not returned\n", missing,
			       pools[i]->name);
			ret = TEST_FAILED;
		}
	}
	return ret;
}

static int
test_run_suite(struct test_suite *s, unsigned int *passed, unsigned int *failed,
	       unsigned int *skipped)
{
	unsigned int missing[TEST_MAX_POOLS], i;
	const struct test_case *tc;
	uint64_t before;
	int ret;

	printf("== suite %s\n", s->name);
	if (!s->no_lib_init) {
		ret = mtag_lib_init(NULL);
		if (ret != 0) {
			printf("mtag_lib_init: %s\n", strerror(-ret));
			(*failed)++;
			return TEST_FAILED;
		}
	}
	if (s->setup != NULL) {
		ret = s->setup();
		if (ret == TEST_SKIPPED) {
			printf("-- suite %s skipped\n", s->name);
			(*skipped)++;
			return TEST_SKIPPED;
		}
		if (ret != TEST_SUCCESS) {
			printf("-- suite %s: setup failed\n", s->name);
			(*failed)++;
			return TEST_FAILED;
		}
	}
	for (tc = s->cases; tc->name != NULL; tc++) {
		before = test_tags_in_use();
		for (i = 0; i < TEST_MAX_POOLS; i++)
			missing[i] = i < nb_pools ? rte_mempool_in_use_count(pools[i]) : 0;
		printf("  %s.%s ...\n", s->name, tc->name);
		fflush(stdout);
		ret = tc->fn();
		if (ret != TEST_SKIPPED && test_check_leaks(before, missing) != TEST_SUCCESS)
			ret = TEST_FAILED;
		printf("  %s.%s: %s\n", s->name, tc->name,
		       ret == TEST_SUCCESS   ? "ok"
		       : ret == TEST_SKIPPED ? "skipped"
					     : "FAILED");
		fflush(stdout);
		if (ret == TEST_SUCCESS)
			(*passed)++;
		else if (ret == TEST_SKIPPED)
			(*skipped)++;
		else
			(*failed)++;
	}
	if (s->teardown != NULL)
		s->teardown();
	return TEST_SUCCESS;
}

static const char *const test_category_names[] = {
	[TEST_CAT_UNIT] = "unit",
	[TEST_CAT_STRESS] = "stress",
	[TEST_CAT_DEBUG] = "debug",
};

static void
test_list(void)
{
	struct test_suite *s;
	unsigned int c;

	for (c = 0; c < RTE_DIM(test_category_names); c++) {
		printf("%s:", test_category_names[c]);
		for (s = suites; s != NULL; s = s->next)
			if (s->category == c)
				printf(" %s", s->name);
		printf("\n");
	}
}

/* The category called @name, or -1. */
static int
test_category_of(const char *name)
{
	unsigned int c;

	if (strcmp(name, "all") == 0)
		return TEST_CAT_UNIT;
	for (c = 0; c < RTE_DIM(test_category_names); c++)
		if (strcmp(name, test_category_names[c]) == 0)
			return c;
	return -1;
}

int
main(int argc, char **argv)
{
	unsigned int passed = 0, failed = 0, skipped = 0;
	struct test_suite *s;
	char **names;
	int i, nb_names, ret, cat;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (test_eal_init("mtag-test", argc, argv, &nb_names, &names) < 0) {
		printf("rte_eal_init failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	if (test_mbuf_pool_create("test_mbuf_pool", 2047, 32, RTE_MBUF_DEFAULT_BUF_SIZE) == NULL)
		return 1;
	if (nb_names == 0)
		test_list();
	for (i = 0; i < nb_names; i++) {
		cat = test_category_of(names[i]);
		if (cat >= 0) {
			for (s = suites; s != NULL; s = s->next)
				if (s->category == (enum test_category)cat)
					test_run_suite(s, &passed, &failed, &skipped);
			continue;
		}
		for (s = suites; s != NULL; s = s->next)
			if (strcmp(s->name, names[i]) == 0)
				break;
		if (s == NULL) {
			printf("no suite '%s'\n", names[i]);
			test_list();
			failed++;
			continue;
		}
		test_run_suite(s, &passed, &failed, &skipped);
	}
	printf("%u passed, %u failed, %u skipped\n", passed, failed, skipped);
	ret = failed != 0 ? 1 : (passed == 0 && skipped != 0) ? TEST_SKIPPED : 0;
	rte_eal_cleanup();
	return ret;
}
