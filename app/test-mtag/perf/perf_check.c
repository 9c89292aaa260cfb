/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/* Not timed: runs every body a few bursts at each of its sizes and checks
 * that it handled packets, found what it should, and left no tag in use. */

#include <stdio.h>

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
			printf("FAIL %s/burst:%u: %" PRIu64 " packets, %" PRIu64
			       " hits, %" PRIu64 " tags in use\n",
			       b->name, bursts[j], pkts, hits, in_use);
			failed++;
		}
	}
	printf("perf-check: %u passed, %u failed, %u skipped\n", passed, failed, skipped);
	return failed == 0 && passed > 0 ? 0 : 1;
}
