/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/* Not timed: runs every body a few bursts at each of its sizes and checks
 * that it handled packets, found what it should, and left no tag in use. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perf_priv.h"

#define PERF_CHECK_ITERS 100

static bool
perf_check_hits(const struct perf_body *b, uint64_t pkts, uint64_t hits)
{
	switch (b->expect) {
	case PERF_HITS_NONE:
		return hits == 0;
	case PERF_HITS_ALL:
		return hits == pkts;
	default:
		return true;
	}
}

int
perf_check_run(void)
{
	unsigned int i, j, n, bursts[4], passed = 0, failed = 0, skipped = 0;
	const struct perf_body *b;

	for (i = 0; (b = perf_body_at(i)) != NULL; i++) {
		n = perf_body_bursts(b, bursts);
		for (j = 0; j < n; j++) {
			struct perf_ctx *c = perf_ctx_create(b, bursts[j]);
			uint64_t pkts, hits, in_use;

			if (c == NULL) {
				printf("SKIP %s/burst:%u: %s\n", b->name, bursts[j],
				       perf_skip_reason());
				skipped++;
				continue;
			}
			perf_ctx_run(c, PERF_CHECK_ITERS);
			pkts = perf_ctx_pkts(c);
			hits = perf_ctx_hits(c);
			perf_ctx_destroy(c);
			in_use = perf_tags_in_use();
			if (pkts > 0 && in_use == 0 && perf_check_hits(b, pkts, hits)) {
				passed++;
				continue;
			}
			printf("FAIL %s/burst:%u: %" PRIu64 " packets, %" PRIu64 " hits, %" PRIu64
			       " tags in use\n",
			       b->name, bursts[j], pkts, hits, in_use);
			failed++;
		}
	}
	printf("perf-check: %u passed, %u failed, %u skipped\n", passed, failed, skipped);
	return failed == 0 && passed > 0 ? 0 : 1;
}

int
perf_one_run(const char *spec, uint64_t iters)
{
	const struct perf_body *b;
	char name[128];
	unsigned int i, burst = 32;
	const char *p = strstr(spec, "/burst:");
	struct perf_ctx *c;
	uint64_t ticks;

	snprintf(name, sizeof(name), "%.*s", p != NULL ? (int)(p - spec) : (int)strlen(spec), spec);
	if (p != NULL)
		burst = atoi(p + strlen("/burst:"));
	for (i = 0; (b = perf_body_at(i)) != NULL; i++)
		if (strcmp(b->name, name) == 0)
			break;
	if (b == NULL) {
		fprintf(stderr, "perf: no body %s\n", name);
		return 1;
	}
	c = perf_ctx_create(b, burst);
	if (c == NULL) {
		fprintf(stderr, "perf: %s: %s\n", name, perf_skip_reason());
		return 1;
	}
	ticks = perf_ctx_run(c, iters);
	printf("%s/burst:%u: %" PRIu64 " packets, %.2f TSC ticks/packet\n", name, burst,
	       perf_ctx_pkts(c), (double)ticks / (double)perf_ctx_pkts(c));
	perf_ctx_destroy(c);
	return perf_tags_in_use() == 0 ? 0 : 1;
}
