/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

/* What the fuzz targets (the library's here, the examples' beside them)
 * share: test.h's assertions, which abort on failure in a fuzz target so
 * that libFuzzer keeps the input; the one EAL set-up (and a target's mbuf
 * pool); and the check of a configuration parser run twice on the same
 * text, with the entry points of a parser's target. */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

/* EAL for a target: test_eal_init()'s no-hugepage set; any failure stops. */
static inline void
fuzz_eal_init(const char *prog)
{
	int nb_args;
	char **args;

	test_fail_abort = true;
	if (test_eal_init(prog, 0, NULL, &nb_args, &args) < 0) {
		printf("%s: EAL: %s\n", prog, rte_strerror(rte_errno));
		exit(1);
	}
}

/* A check of an example's target that fails stops it (test_fail_abort): libFuzzer keeps the
 * input. For the checks that are not one TEST_ASSERT condition. */
#define FUZZ_FAIL(...)                                                                             \
	do {                                                                                       \
		test_fail_msg(__FILE__, __LINE__, "check", __VA_ARGS__);                           \
		abort();                                                                           \
	} while (0)

/* The entry points each target defines: libFuzzer calls them, or fuzz_main.c's replay. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * fuzz_eal_init(), then a pool of 15 default-sized mbufs named @pool_name, for the targets
 * that build packets (an input needs a few). Any failure stops.
 */
static inline struct rte_mempool *
fuzz_eal_init_pool(const char *prog, const char *pool_name)
{
	struct rte_mempool *mp;

	fuzz_eal_init(prog);
	mp = rte_pktmbuf_pool_create(pool_name, 15, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (mp == NULL) {
		printf("%s: mbuf pool: %s\n", prog, rte_strerror(rte_errno));
		exit(1);
	}
	return mp;
}

/* A parser with the arguments in one order: the targets adapt theirs. */
typedef int (*fuzz_conf_parse_t)(void *conf, const char *text, size_t len, char *err,
				 size_t errlen);
/* Checks an accepted configuration against the limits its parser promises. */
typedef int (*fuzz_conf_check_t)(const void *conf);

/*
 * Parse @size bytes of @data twice: into a zeroed and into a 0xa5-filled
 * result. Both runs must agree on the return value; an accepted text must
 * pass @check and give byte-identical results (the parser zeroes the result
 * first, padding included); a refused one a negative return and the same
 * NUL-terminated message.
 */
static inline int
fuzz_conf_parse_twice(const uint8_t *data, size_t size, size_t conf_size, size_t errlen,
		      fuzz_conf_parse_t parse, fuzz_conf_check_t check)
{
	/* A private copy of exactly @size bytes: a read past it is caught. */
	char *text = malloc(size ? size : 1);
	void *c1 = malloc(conf_size), *c2 = malloc(conf_size);
	char err1[errlen], err2[errlen];
	int r1, r2;

	test_fail_abort = true;
	TEST_ASSERT(text != NULL && c1 != NULL && c2 != NULL, "malloc");
	memcpy(text, data, size);
	memset(c1, 0, conf_size);
	memset(c2, 0xa5, conf_size);
	memset(err1, 0x5a, errlen);
	memset(err2, 0x5a, errlen);
	r1 = parse(c1, text, size, err1, errlen);
	r2 = parse(c2, text, size, err2, errlen);
	TEST_ASSERT(r1 == r2, "parsed twice: %d then %d", r1, r2);
	if (r1 == 0) {
		TEST_RUN(check(c1));
		TEST_ASSERT(memcmp(c1, c2, conf_size) == 0, "parsed twice, two results");
	} else {
		TEST_ASSERT(r1 < 0, "positive return %d", r1);
		TEST_ASSERT(memchr(err1, '\0', errlen) != NULL, "error message not terminated");
		TEST_ASSERT(strcmp(err1, err2) == 0, "two messages: '%s' / '%s'", err1, err2);
	}
	free(text);
	free(c1);
	free(c2);
	return TEST_SUCCESS;
}

/*
 * The entry points of a configuration parser's target: fuzz_conf_parse_twice() on every
 * input, with a result of @conf_type, messages of @errlen bytes and the target's @parse and
 * @check. A parser needs no EAL: the set-up only makes failures abort.
 */
#define FUZZ_CONF_TARGET(conf_type, errlen, parse, check)                                          \
	int LLVMFuzzerInitialize(int *argc __rte_unused, char ***argv __rte_unused)                \
	{                                                                                          \
		test_fail_abort = true;                                                            \
		return 0;                                                                          \
	}                                                                                          \
                                                                                                   \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)                               \
	{                                                                                          \
		/* A failure aborts (test_fail_abort) before it returns here. */                   \
		fuzz_conf_parse_twice(data, size, sizeof(conf_type), (errlen), (parse), (check));  \
		return 0;                                                                          \
	}

#endif /* FUZZ_COMMON_H */
