/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/* The environment every body shares: a benchmark mbuf pool, tag types, the
 * clock calibration, and the run context handed to the shim. */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mempool.h>
#include <rte_version.h>

#include "perf_priv.h"

struct perf_env perf_env = {.worker = RTE_MAX_LCORE};

#define PERF_MBUFS 8191
#define PERF_MBUF_CACHE 256
/* Bodies never touch packet data; 128 bytes after the headroom is plenty for
 * net_null's 64-byte packets. */
#define PERF_DATA_ROOM (RTE_PKTMBUF_HEADROOM + 128)

static const char *perf_skip;

#define PERF_CONTEXT_MAX 32
static char perf_ctx_key[PERF_CONTEXT_MAX][48];
static char perf_ctx_val[PERF_CONTEXT_MAX][160];
static unsigned int perf_ctx_n;

void
perf_context_add(const char *key, const char *fmt, ...)
{
	va_list ap;

	if (perf_ctx_n == PERF_CONTEXT_MAX)
		return;
	snprintf(perf_ctx_key[perf_ctx_n], sizeof(perf_ctx_key[0]), "%s", key);
	va_start(ap, fmt);
	vsnprintf(perf_ctx_val[perf_ctx_n], sizeof(perf_ctx_val[0]), fmt, ap);
	va_end(ap);
	perf_ctx_n++;
}

unsigned int
perf_context_count(void)
{
	return perf_ctx_n;
}

const char *
perf_context_key(unsigned int i)
{
	return i < perf_ctx_n ? perf_ctx_key[i] : NULL;
}

const char *
perf_context_value(unsigned int i)
{
	return i < perf_ctx_n ? perf_ctx_val[i] : NULL;
}

void
perf_set_skip(const char *reason)
{
	perf_skip = reason;
}

const char *
perf_skip_reason(void)
{
	return perf_skip != NULL ? perf_skip : "setup failed";
}

/* 100 dependent adds per step: each waits for the previous one, so a step
 * costs 100 core cycles whatever the TSC does. */
static uint64_t
perf_dep_adds_ticks(unsigned int steps)
{
	uint64_t x = 0, t0, t1;
	unsigned int i;

	t0 = rte_rdtsc_precise();
	for (i = 0; i < steps; i++)
		__asm__ volatile(".rept 100\n\taddq $1, %0\n\t.endr" : "+r"(x));
	t1 = rte_rdtsc_precise();
	perf_escape(&x);
	return t1 - t0;
}

double
perf_core_per_tsc(void)
{
	uint64_t t, best = UINT64_MAX;
	unsigned int r;

	/* The fastest of a few tries: preemption only ever adds ticks. */
	for (r = 0; r < 7; r++) {
		t = perf_dep_adds_ticks(2000);
		best = RTE_MIN(best, t);
	}
	return 200000.0 / (double)best;
}

uint64_t
perf_tsc_hz(void)
{
	return rte_get_tsc_hz();
}

/* Ticks of an empty region between two rte_rdtsc(), subtracted from bodies
 * that time each burst separately. */
static uint64_t
perf_rdtsc_overhead(void)
{
	uint64_t t0, t1, best = UINT64_MAX;
	unsigned int i;

	for (i = 0; i < 10000; i++) {
		t0 = rte_rdtsc();
		perf_escape(&t0);
		t1 = rte_rdtsc();
		best = RTE_MIN(best, t1 - t0);
	}
	return best;
}

uint64_t
perf_tags_in_use(void)
{
	struct mtag_stats s;

	if (mtag_stats_get(&s) != 0)
		return UINT64_MAX;
	return s.in_use;
}

int
perf_pkts_alloc(struct rte_mbuf **v, unsigned int n)
{
	if (rte_pktmbuf_alloc_bulk(perf_env.mbuf_pool, v, n) != 0) {
		perf_set_skip("mbuf pool empty");
		return -ENOMEM;
	}
	return 0;
}

/* A pktmbuf pool whose objects may cross 4 KiB pages. Without hugepages
 * rte_pktmbuf_pool_create() keeps each mbuf within one page, which puts one
 * mbuf per page: a burst then maps to a single L1 set and every figure is
 * skewed. */
static struct rte_mempool *
perf_mbuf_pool_create(void)
{
	struct rte_pktmbuf_pool_private priv = {
		.mbuf_data_room_size = PERF_DATA_ROOM,
		.mbuf_priv_size = 0,
	};

	return rte_mempool_create("perf_mbufs", PERF_MBUFS,
				  sizeof(struct rte_mbuf) + PERF_DATA_ROOM, PERF_MBUF_CACHE,
				  sizeof(priv), rte_pktmbuf_pool_init, &priv, rte_pktmbuf_init,
				  NULL, rte_socket_id(), RTE_MEMPOOL_F_NO_IOVA_CONTIG);
}

static int
perf_types_init(void)
{
	char name[MTAG_TYPE_NAMESIZE];
	uint64_t seen = 0, bit;
	unsigned int i;
	int id;

	for (i = 0; i <= PERF_TAGS_MAX; i++) {
		snprintf(name, sizeof(name), "perf_type%u", i);
		id = mtag_type_register(name);
		if (id < 0)
			return id;
		bit = MTAG_SUMMARY_BIT(id);
		if (seen & bit)
			return -EEXIST; /* the miss bodies need distinct summary bits */
		seen |= bit;
		perf_env.type[i] = id;
	}
	/* A predefined type that shares a summary bit with one of the tags the
	 * collision body puts on its packets, so its miss walks the chain. */
	seen &= ~MTAG_SUMMARY_BIT(perf_env.type[PERF_TAGS_MAX]);
	for (id = 1; id < MTAG_TYPE_USER_BASE; id++)
		if (mtag_type_name(id) != NULL && (seen & MTAG_SUMMARY_BIT(id)))
			break;
	perf_env.type_alias = id < MTAG_TYPE_USER_BASE ? id : 0;
	return 0;
}

static void
perf_cpu_name(char *buf, size_t sz)
{
	char line[256];
	FILE *f = fopen("/proc/cpuinfo", "r");

	snprintf(buf, sz, "unknown");
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "model name", 10) == 0) {
			char *p = strchr(line, ':');

			if (p != NULL) {
				snprintf(buf, sz, "%s", p + 2);
				buf[strcspn(buf, "\n")] = '\0';
			}
			break;
		}
	fclose(f);
}

static void
perf_context_init(void)
{
	struct mtag_stats s;
	char cpu[128];
	unsigned int i;

	perf_cpu_name(cpu, sizeof(cpu));
	perf_context_add("mtag_cpu", "%s", cpu);
	perf_context_add("mtag_lcores", "%u", rte_lcore_count());
	perf_context_add("mtag_dpdk", "%s", rte_version());
	perf_context_add("mtag_compiler", "%s", __VERSION__);
	perf_context_add("mtag_tsc_hz", "%" PRIu64, rte_get_tsc_hz());
	perf_context_add("mtag_core_per_tsc_at_start", "%.3f", perf_core_per_tsc());
	perf_context_add("mtag_rdtsc_overhead_ticks", "%" PRIu64, perf_env.rdtsc_overhead);
	perf_context_add("mtag_mbuf_pool", "%u x %zu bytes, RTE_MEMPOOL_F_NO_IOVA_CONTIG, %s",
			 PERF_MBUFS, sizeof(struct rte_mbuf) + PERF_DATA_ROOM,
			 rte_eal_has_hugepages() ? "hugepages" : "4 KiB pages (--no-huge)");
	if (mtag_stats_get(&s) != 0)
		return;
	for (i = 0; i < s.nb_classes; i++) {
		char key[48];

		snprintf(key, sizeof(key), "mtag_pool_bytes_per_tag_len%u", s.class_len[i]);
		perf_context_add(key, "%d", mtag_pool_bytes_per_tag(i));
	}
}

int
perf_env_init(void)
{
	int ret;

	perf_env.mbuf_pool = perf_mbuf_pool_create();
	if (perf_env.mbuf_pool == NULL) {
		fprintf(stderr, "perf: cannot create mbuf pool: %s\n", rte_strerror(rte_errno));
		return -ENOMEM;
	}
	ret = perf_types_init();
	if (ret < 0) {
		fprintf(stderr, "perf: cannot register tag types: %s\n", strerror(-ret));
		return ret;
	}
	{
		static const struct rte_mbuf_dynfield spare = {
			.name = "mtag_perf_spare",
			.size = sizeof(struct perf_spare),
			.align = __alignof__(struct perf_spare),
		};

		perf_env.spare_off = rte_mbuf_dynfield_register(&spare);
		if (perf_env.spare_off < 0) {
			fprintf(stderr, "perf: cannot register a dynfield: %s\n",
				rte_strerror(rte_errno));
			return -rte_errno;
		}
	}
	perf_env.worker = rte_get_next_lcore(-1, 1, 0);
	perf_env.rdtsc_overhead = perf_rdtsc_overhead();
	perf_context_init();
	return 0;
}

void
perf_env_fini(void)
{
	rte_mempool_free(perf_env.mbuf_pool);
	perf_env.mbuf_pool = NULL;
}

unsigned int
perf_body_bursts(const struct perf_body *b, unsigned int bursts[4])
{
	static const unsigned int all[] = {1, 8, 32, 64};
	unsigned int i, n = 0;

	for (i = 0; i < RTE_DIM(all); i++) {
		if (b->flags & PERF_F_BURSTS)
			bursts[n++] = all[i];
		else if ((b->flags & PERF_F_BURSTS_SPLIT) && all[i] >= 32)
			bursts[n++] = all[i];
		else if (all[i] == 32)
			bursts[n++] = all[i];
	}
	return n;
}

struct perf_ctx *
perf_ctx_create(const struct perf_body *b, unsigned int burst)
{
	struct perf_ctx *c;

	perf_skip = NULL;
	if (burst == 0 || burst > PERF_BURST_MAX) {
		perf_set_skip("bad burst size");
		return NULL;
	}
	if ((b->flags & PERF_F_2LCORE) && perf_env.worker >= RTE_MAX_LCORE) {
		perf_set_skip("needs a second lcore (EAL -l 0,1)");
		return NULL;
	}
	c = rte_zmalloc("perf_ctx", sizeof(*c), RTE_CACHE_LINE_SIZE);
	if (c == NULL) {
		perf_set_skip("out of memory");
		return NULL;
	}
	c->body = b;
	c->burst = burst;
	if (b->setup != NULL && b->setup(c) != 0) {
		rte_free(c);
		return NULL;
	}
	return c;
}

uint64_t
perf_ctx_run(struct perf_ctx *c, uint64_t iters)
{
	return c->body->run(c, iters);
}

uint64_t
perf_ctx_pkts(const struct perf_ctx *c)
{
	return c->pkts;
}

uint64_t
perf_ctx_hits(const struct perf_ctx *c)
{
	return c->hits;
}

void
perf_ctx_destroy(struct perf_ctx *c)
{
	if (c == NULL)
		return;
	if (c->body->teardown != NULL)
		c->body->teardown(c);
	rte_free(c);
}
