/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

#ifndef MTAG_TEST_H
#define MTAG_TEST_H

/* The test vocabulary of mtag. dpdk-test-mtag is one harness of suites of
 * cases, each suite registered from its test_<area>.c at load time in a
 * category (unit, stress, debug), the way DPDK's app/test registers
 * REGISTER_FAST_TEST and REGISTER_STRESS_TEST, and run by suite or category
 * name from the command line. After every case the harness checks that no
 * tag is in use and that no mbuf is missing from the pools it handed out.
 *
 * The programs that cannot be suites of it (the multi-process pair, the fuzz
 * targets) use the same assertions and EAL set-up from test_common.c. */

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
#define TEST_ASSERT(cond, ...)                                                                     \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			test_fail_msg(__FILE__, __LINE__, #cond, __VA_ARGS__);                     \
			return TEST_FAILED;                                                        \
		}                                                                                  \
	} while (0)

#define TEST_ASSERT_EQ(a, b, ...)                                                                  \
	do {                                                                                       \
		long long test_a_ = (long long)(a), test_b_ = (long long)(b);                      \
		if (test_a_ != test_b_) {                                                          \
			printf("    got %lld, expected %lld\n", test_a_, test_b_);                 \
			test_fail_msg(__FILE__, __LINE__, #a " == " #b, __VA_ARGS__);              \
			return TEST_FAILED;                                                        \
		}                                                                                  \
	} while (0)

#define TEST_ASSERT_NULL(p, ...) TEST_ASSERT((p) == NULL, __VA_ARGS__)
#define TEST_ASSERT_NOT_NULL(p, ...) TEST_ASSERT((p) != NULL, __VA_ARGS__)

/* Skip a case (or a suite from its setup) with a reason. */
#define TEST_SKIP(...)                                                                             \
	do {                                                                                       \
		printf("    skipped: ");                                                           \
		printf(__VA_ARGS__);                                                               \
		printf("\n");                                                                      \
		return TEST_SKIPPED;                                                               \
	} while (0)

/* Run a helper that returns a TEST_* code and pass its failure on. */
#define TEST_RUN(call)                                                                             \
	do {                                                                                       \
		int test_rc_ = (call);                                                             \
		if (test_rc_ != TEST_SUCCESS)                                                      \
			return test_rc_;                                                           \
	} while (0)

struct test_case {
	const char *name;
	int (*fn)(void);
};

/* What a suite is for; the meson suite of the same name runs them all. */
enum test_category {
	TEST_CAT_UNIT,	 /* fast, deterministic: meson suite 'unit' */
	TEST_CAT_STRESS, /* long multi-lcore runs: meson suite 'stress' */
	TEST_CAT_DEBUG,	 /* needs a -Dmtag_debug=true build: meson suite 'debug' */
};

struct test_suite {
	const char *name;
	enum test_category category; /* set by the REGISTER_*_TEST macro */
	/* The harness calls mtag_lib_init(NULL) before the suite unless set:
	 * the suite then tests what happens before init, and initialises the
	 * library itself before its first case returns. */
	bool no_lib_init;
	int (*setup)(void);	       /* optional; TEST_SKIPPED skips the suite */
	void (*teardown)(void);	       /* optional */
	const struct test_case *cases; /* terminated by a NULL name */
	struct test_suite *next;
};

void test_suite_register(struct test_suite *s);

#define TEST_REGISTER_(s, cat)                                                                     \
	RTE_INIT(test_register_##s)                                                                \
	{                                                                                          \
		(s).category = (cat);                                                              \
		test_suite_register(&(s));                                                         \
	}

/* Register a suite in its category. */
#define REGISTER_UNIT_TEST(s) TEST_REGISTER_(s, TEST_CAT_UNIT)
#define REGISTER_STRESS_TEST(s) TEST_REGISTER_(s, TEST_CAT_STRESS)
#define REGISTER_DEBUG_TEST(s) TEST_REGISTER_(s, TEST_CAT_DEBUG)

/* Report a failed assertion (test_common.c). */
void test_fail_msg(const char *file, int line, const char *expr, const char *fmt, ...)
	__rte_format_printf(4, 5);

/* Programs that must stop at the first failure set this: test_fail_msg()
 * then aborts (a fuzz target: libFuzzer keeps the input of a crash), and a
 * helper's TEST_FAILED never reaches its caller. */
extern bool test_fail_abort;
/* When set, printed with every failure: what the program was doing (the
 * operation a fuzz target ran last). */
extern const char *test_fail_context;

/*
 * The one EAL set-up of the tests (test_common.c). With EAL arguments first
 * on the command line (argv[1] starts with '-'), they are used as they are
 * and *app_args points past the "--"; otherwise the no-hugepage set of
 * DEVELOPERS.md: two lcores on the CPUs we may use, net_ring0 and net_null0,
 * a file prefix of @prog and the pid, and a private RUNTIME_DIRECTORY
 * unless one is set. Returns rte_eal_init()'s result (< 0 on failure).
 */
int test_eal_init(const char *prog, int argc, char **argv, int *nb_app_args, char ***app_args);

/* A private RUNTIME_DIRECTORY, removed at exit, unless one is set (the
 * multi-process pair shares the primary's). */
int test_runtime_dir(void);

/* Shared packet pool (2047 mbufs of 2 KB data room), checked for leaks. */
struct rte_mempool *test_mbuf_pool(void);
/* A further pktmbuf pool, checked for leaks after every case. */
struct rte_mempool *test_mbuf_pool_create(const char *name, unsigned int n, unsigned int cache,
					  uint16_t data_room);

/* Tags in use now (UINT64_MAX when the library is not initialised). */
uint64_t test_tags_in_use(void);

/* mtag_lib_fini() then mtag_lib_init(conf); TEST_SUCCESS or TEST_FAILED. */
int test_lib_reinit(const struct mtag_conf *conf);

/* Number of tags on a packet's chain. */
unsigned int test_chain_len(const struct rte_mbuf *m);

/* Register a type under a name unique in this process (prefix + counter). */
int test_type_new(const char *prefix);

#endif /* MTAG_TEST_H */
