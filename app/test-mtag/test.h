/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

#ifndef MTAG_TEST_H
#define MTAG_TEST_H

/* A small test harness for dpdk-test-mtag: suites of cases, registered from
 * each test_<area>.c at load time, run by name from the command line. After
 * every case the harness checks that no tag is in use and that no mbuf is
 * missing from the pools it handed out. */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include <mtag.h>

#define TEST_SUCCESS 0
#define TEST_FAILED (-1)
#define TEST_SKIPPED 77

/* Assertions return from the case; the harness then reports what leaked. */
#define TEST_ASSERT(cond, ...) \
	do { \
		if (!(cond)) { \
			test_fail_msg(__FILE__, __LINE__, #cond, __VA_ARGS__); \
			return TEST_FAILED; \
		} \
	} while (0)

#define TEST_ASSERT_EQ(a, b, ...) \
	do { \
		long long test_a_ = (long long)(a), test_b_ = (long long)(b); \
		if (test_a_ != test_b_) { \
			printf("    got %lld, expected %lld\n", test_a_, test_b_); \
			test_fail_msg(__FILE__, __LINE__, #a " == " #b, __VA_ARGS__); \
			return TEST_FAILED; \
		} \
	} while (0)

#define TEST_ASSERT_NULL(p, ...) TEST_ASSERT((p) == NULL, __VA_ARGS__)
#define TEST_ASSERT_NOT_NULL(p, ...) TEST_ASSERT((p) != NULL, __VA_ARGS__)

/* Skip a case (or a suite from its setup) with a reason. */
#define TEST_SKIP(...) \
	do { \
		printf("    skipped: "); \
		printf(__VA_ARGS__); \
		printf("\n"); \
		return TEST_SKIPPED; \
	} while (0)

/* Run a helper that returns a TEST_* code and pass its failure on. */
#define TEST_RUN(call) \
	do { \
		int test_rc_ = (call); \
		if (test_rc_ != TEST_SUCCESS) \
			return test_rc_; \
	} while (0)

struct test_case {
	const char *name;
	int (*fn)(void);
};

struct test_suite {
	const char *name;
	/* The harness calls mtag_lib_init(NULL) before the suite unless set:
	 * the suite then tests what happens before init, and initialises the
	 * library itself before its first case returns. */
	bool no_lib_init;
	int (*setup)(void);     /* optional; TEST_SKIPPED skips the suite */
	void (*teardown)(void); /* optional */
	const struct test_case *cases; /* terminated by a NULL name */
	struct test_suite *next;
};

void test_suite_register(struct test_suite *s);

#define TEST_SUITE_REGISTER(s) \
	RTE_INIT(test_register_##s) \
	{ \
		test_suite_register(&(s)); \
	}

void test_fail_msg(const char *file, int line, const char *expr, const char *fmt, ...)
	__rte_format_printf(4, 5);

/* Shared packet pool (2047 mbufs of 2 KB data room), checked for leaks. */
struct rte_mempool *test_mbuf_pool(void);
/* A further pktmbuf pool, checked for leaks after every case. */
struct rte_mempool *test_mbuf_pool_create(const char *name, unsigned int n,
					  unsigned int cache, uint16_t data_room);

/* Tags in use now (UINT64_MAX when the library is not initialised). */
uint64_t test_tags_in_use(void);

/* mtag_lib_fini() then mtag_lib_init(conf); TEST_SUCCESS or TEST_FAILED. */
int test_lib_reinit(const struct mtag_conf *conf);

/* Number of tags on a packet's chain. */
unsigned int test_chain_len(const struct rte_mbuf *m);

/* Register a type under a name unique in this process (prefix + counter). */
int test_type_new(const char *prefix);

#endif /* MTAG_TEST_H */
