/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/*
 * What a -Dmtag_debug=true build must catch (category debug; the suite
 * skips in other builds). Each misuse below must be
 * logged (a "DEBUG CHECK FAILED" line naming it), counted once in
 * mtag_stats.debug_errors, and refused: the packets and the pools stay as
 * they were, so that the run ends with nothing in use and nothing freed
 * twice.
 */

#define _GNU_SOURCE
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rte_log.h>
#include <rte_mempool.h>

#include "test.h"

static int type_a;
static char *log_buf;
static size_t log_size, log_seen;
static FILE *log_stream;

static uint64_t
debug_errors(void)
{
	struct mtag_stats s;

	return mtag_stats_get(&s) == 0 ? s.debug_errors : UINT64_MAX;
}

/* Whether the library logged a failed check containing @what since the
 * last call. */
static int
logged(const char *what)
{
	const char *from, *line;
	int found = 0;

	fflush(log_stream);
	from = log_buf + log_seen;
	line = strstr(from, "DEBUG CHECK FAILED");
	if (line != NULL && strstr(line, what) != NULL)
		found = 1;
	fputs(from, stdout); /* the reader sees the lines the checks produced */
	log_seen = log_size;
	return found;
}

/* Run one misuse: exactly one error counted, and the right log line. */
#define MISUSE(what, call)                                                                         \
	do {                                                                                       \
		uint64_t e0_ = debug_errors();                                                     \
		call;                                                                              \
		TEST_ASSERT_EQ(debug_errors() - e0_, 1, "%s: errors counted", what);               \
		TEST_ASSERT(logged(what), "no log line with \"%s\"", what);                        \
	} while (0)

static struct rte_mbuf *
pkt(void)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(test_mbuf_pool());

	if (m != NULL)
		rte_pktmbuf_append(m, 64);
	return m;
}

static struct mtag *
tag(uint8_t v)
{
	struct mtag *t = mtag_get(type_a, 8, 0);

	if (t != NULL)
		memset(mtag_data(t), v, 8);
	return t;
}

static int
tag_intact(const struct mtag *t, uint8_t v)
{
	const uint8_t *d = (const uint8_t *)(t + 1);
	int i;

	for (i = 0; i < 8; i++)
		if (d[i] != v)
			return 0;
	return t->type == type_a && t->len == 8;
}

static int
test_double_free(void)
{
	struct rte_mbuf *m = pkt();
	struct mtag *t = tag(1), *a, *b;
	struct mtag_stats s;

	mtag_free(t);
	MISUSE("double free", mtag_free(t));
	mtag_stats_get(&s);
	TEST_ASSERT(s.frees == s.allocs, "the second free was counted");
	MISUSE("use of a freed tag", mtag_prepend(m, t));
	TEST_ASSERT(mtag_first(m) == NULL, "a freed tag was attached");
	/* Refused for real: the pool hands the tag out once, not twice. */
	a = tag(2);
	b = tag(3);
	TEST_ASSERT(a != NULL && b != NULL && a != b, "a tag freed twice is handed out twice");
	mtag_free(a);
	mtag_free(b);
	mtag_pktmbuf_free(m);
	return TEST_SUCCESS;
}

static int
test_two_chains(void)
{
	struct rte_mbuf *m1 = pkt(), *m2 = pkt();
	struct mtag *t = tag(4), *u = tag(5);

	mtag_prepend(m1, u);
	mtag_prepend(m1, t);
	MISUSE("tag on two chains", mtag_prepend(m2, t));
	TEST_ASSERT(mtag_first(m2) == NULL, "the second chain took the tag");
	MISUSE("prepended twice", mtag_prepend(m1, t));
	TEST_ASSERT(mtag_first(m1) == t && t->next == u && u->next == NULL,
		    "the chain changed (a cycle?)");
	MISUSE("still on a chain", mtag_free(t));
	TEST_ASSERT(mtag_first(m1) == t && tag_intact(t, 4), "a tag on a chain was freed");
	mtag_pktmbuf_free(m1);
	mtag_pktmbuf_free(m2);
	return TEST_SUCCESS;
}

static int
test_wrong_mbuf(void)
{
	struct rte_mbuf *m1 = pkt(), *m2 = pkt();
	struct mtag *t = tag(6), *u = tag(7);

	mtag_prepend(m1, t);
	mtag_prepend(m2, u);
	MISUSE("does not own it", mtag_delete(m2, t));
	TEST_ASSERT(mtag_first(m1) == t && tag_intact(t, 6), "deleted from the wrong packet");
	TEST_ASSERT(mtag_first(m2) == u && u->next == NULL, "the wrong packet changed");
	MISUSE("does not own it", mtag_unlink(m2, t));
	TEST_ASSERT(mtag_first(m1) == t, "unlinked from the wrong packet");
	MISUSE("does not own it", mtag_delete(m1, u));
	TEST_ASSERT(mtag_first(m2) == u && tag_intact(u, 7), "deleted another packet's tag");
	mtag_pktmbuf_free(m1);
	mtag_pktmbuf_free(m2);
	return TEST_SUCCESS;
}

/* rte_pktmbuf_clone (and copy) copy the dynamic field: the clone's chain
 * pointer is the original's. Every use through the clone is refused, and
 * freeing the clone leaves the original's tags alone. */
static int
test_aliased_clone(void)
{
	struct rte_mbuf *m = pkt(), *c, *d;
	struct mtag *t = tag(8), *n;

	mtag_prepend(m, t);
	c = rte_pktmbuf_clone(m, test_mbuf_pool());
	d = rte_pktmbuf_copy(m, test_mbuf_pool(), 0, UINT32_MAX);
	TEST_ASSERT(c != NULL && d != NULL, "clone and copy");
	MISUSE("another packet", TEST_ASSERT(mtag_first(c) == NULL, "aliased chain readable"));
	MISUSE("another packet",
	       TEST_ASSERT(mtag_find(d, type_a, NULL) == NULL, "aliased chain searchable"));
	n = tag(9);
	MISUSE("another packet", mtag_prepend(c, n));
	mtag_free(n); /* refused above: still ours */
	MISUSE("does not own it", mtag_delete(c, t));
	MISUSE("another packet", mtag_pktmbuf_free(c));
	MISUSE("another packet", mtag_pktmbuf_free(d));
	TEST_ASSERT(mtag_first(m) == t && tag_intact(t, 8), "freeing a plain clone freed the tags");
	TEST_ASSERT(test_tags_in_use() == 1, "%" PRIu64 " tags in use, not 1", test_tags_in_use());
	mtag_pktmbuf_free(m);
	return TEST_SUCCESS;
}

/* A pointer that never came from the pools. */
static int
test_not_a_tag(void)
{
	uint64_t buf[8] = {0};
	struct mtag *fake = (struct mtag *)&buf[4];
	struct rte_mbuf *m = pkt();

	MISUSE("bad magic", mtag_free(fake));
	MISUSE("bad magic", mtag_prepend(m, fake));
	TEST_ASSERT(mtag_first(m) == NULL, "a fake tag was attached");
	mtag_pktmbuf_free(m);
	return TEST_SUCCESS;
}

/* Legitimate use is not flagged. */
static int
test_no_false_alarm(void)
{
	struct rte_mbuf *m = pkt(), *c, *d;
	uint64_t e0 = debug_errors();
	struct mtag *t;

	mtag_prepend(m, tag(10));
	mtag_prepend(m, tag(11));
	c = mtag_pktmbuf_clone(m, test_mbuf_pool());
	d = pkt();
	TEST_ASSERT(mtag_copy_chain(d, c) == 0, "copy_chain");
	mtag_move(m, d);
	mtag_delete(c, mtag_first(c));
	t = mtag_first(m);
	mtag_unlink(m, t);
	mtag_free(t);
	mtag_pktmbuf_free(c);
	mtag_pktmbuf_free(d);
	mtag_pktmbuf_free(m);
	TEST_ASSERT(debug_errors() == e0, "legitimate use flagged %" PRIu64 " times",
		    debug_errors() - e0);
	logged("");
	return TEST_SUCCESS;
}

static FILE *saved_log;

static int
debug_setup(void)
{
#ifndef MTAG_DEBUG
	TEST_SKIP("needs a -Dmtag_debug=true build");
#endif
	/* The checks log through rte_log: read them from a memory stream. */
	saved_log = rte_log_get_stream();
	log_stream = open_memstream(&log_buf, &log_size);
	TEST_ASSERT_NOT_NULL(log_stream, "open_memstream");
	TEST_ASSERT_EQ(rte_openlog_stream(log_stream), 0, "log stream");
	log_seen = 0;
	type_a = mtag_type_register("debug_a");
	TEST_ASSERT(type_a >= MTAG_TYPE_USER_BASE, "type: %d", type_a);
	return TEST_SUCCESS;
}

static void
debug_teardown(void)
{
	printf("    debug_errors: %" PRIu64 "\n", debug_errors());
	rte_openlog_stream(saved_log);
	if (log_stream != NULL)
		fclose(log_stream);
	free(log_buf);
	log_stream = NULL;
	log_buf = NULL;
}

static const struct test_case debug_cases[] = {
	{"double_free", test_double_free},
	{"two_chains", test_two_chains},
	{"wrong_mbuf", test_wrong_mbuf},
	{"aliased_clone", test_aliased_clone},
	{"not_a_tag", test_not_a_tag},
	{"no_false_alarm", test_no_false_alarm},
	{NULL, NULL},
};

static struct test_suite debug_suite = {
	.name = "debug",
	.setup = debug_setup,
	.teardown = debug_teardown,
	.cases = debug_cases,
};

REGISTER_DEBUG_TEST(debug_suite);
