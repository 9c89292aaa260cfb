/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/* Primitives and their floors. Two ways of timing:
 * - whole loop: one rte_rdtsc pair around all iterations, for bodies that
 *   leave the packets as they found them (find, the full cycle);
 * - per burst: the set-up an operation consumes (tags to prepend, chains to
 *   delete) is redone outside a pair of rte_rdtsc around each burst, and the
 *   cost of an empty pair is subtracted. */

#include <errno.h>

#include "perf_priv.h"

/* ------------------------------------------------------------ set-up */

static int
perf_setup_pkts(struct perf_ctx *c)
{
	return perf_pkts_alloc(c->pkts_v, c->burst);
}

/* Each packet gets tags of type[0] .. type[ntags - 1], the last one newest. */
static int
perf_tag_pkts(struct rte_mbuf **pkts, unsigned int n, unsigned int ntags)
{
	struct mtag *tags[PERF_BURST_MAX];
	unsigned int k;

	for (k = 0; k < ntags; k++) {
		if (mtag_get_bulk(perf_env.type[k], PERF_TAG_LEN, 0, tags, n) != n) {
			perf_set_skip("tag pool empty");
			return -ENOMEM;
		}
		mtag_prepend_burst(pkts, tags, n);
	}
	return 0;
}

static int
perf_setup_tagged(struct perf_ctx *c)
{
	if (perf_setup_pkts(c) != 0)
		return -ENOMEM;
	return perf_tag_pkts(c->pkts_v, c->burst, c->body->arg);
}

/* Sources with arg tags for copy_chain and clone. */
static int
perf_setup_sources(struct perf_ctx *c)
{
	if (perf_pkts_alloc(c->src_v, c->burst) != 0 || perf_pkts_alloc(c->dup_v, c->burst) != 0)
		return -ENOMEM;
	return perf_tag_pkts(c->src_v, c->burst, c->body->arg);
}

static void
perf_free_pkts(struct rte_mbuf **v, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		mtag_pktmbuf_free(v[i]);
		v[i] = NULL;
	}
}

static void
perf_teardown(struct perf_ctx *c)
{
	perf_free_pkts(c->pkts_v, c->burst);
	perf_free_pkts(c->src_v, c->burst);
	perf_free_pkts(c->dup_v, c->burst);
}

/* The ticks of a per-burst timed region, its rdtsc pair excluded. */
static inline uint64_t
perf_region(uint64_t t0, uint64_t t1)
{
	uint64_t d = t1 - t0;

	return d > perf_env.rdtsc_overhead ? d - perf_env.rdtsc_overhead : 0;
}

/* ------------------------------------------------- searches (whole loop) */

/* The floor of any loop over a burst: load the packet pointer, store it. */
static uint64_t
perf_run_empty(struct perf_ctx *c, uint64_t iters)
{
	const unsigned int n = c->burst;
	uint64_t t0, t1, it, hits = 0;
	unsigned int i;

	t0 = rte_rdtsc();
	for (it = 0; it < iters; it++) {
		for (i = 0; i < n; i++) {
			void *p = c->pkts_v[i];

			c->out[i] = p;
			hits += p != NULL;
		}
		perf_escape(c->out);
	}
	t1 = rte_rdtsc();
	c->pkts += iters * n;
	c->hits += hits;
	return t1 - t0;
}

/* The floor of a miss: read the chain pointer from the dynfield as if the
 * library trusted it without its flag. */
static uint64_t
perf_run_raw_read(struct perf_ctx *c, uint64_t iters)
{
	const unsigned int n = c->burst;
	uint64_t t0, t1, it, hits = 0;
	unsigned int i;

	t0 = rte_rdtsc();
	for (it = 0; it < iters; it++) {
		for (i = 0; i < n; i++) {
			void *p = *RTE_MBUF_DYNFIELD(c->pkts_v[i], mtag_dynfield_offset, void **);

			c->out[i] = p;
			hits += p != NULL;
		}
		perf_escape(c->out);
	}
	t1 = rte_rdtsc();
	c->pkts += iters * n;
	c->hits += hits;
	return t1 - t0;
}

static uint64_t
perf_find_loop(struct perf_ctx *c, uint64_t iters, uint16_t type)
{
	const unsigned int n = c->burst;
	uint64_t t0, t1, it, hits = 0;
	unsigned int i;

	t0 = rte_rdtsc();
	for (it = 0; it < iters; it++) {
		for (i = 0; i < n; i++) {
			void *p = mtag_find(c->pkts_v[i], type, NULL);

			c->out[i] = p;
			hits += p != NULL;
		}
		perf_escape(c->out);
	}
	t1 = rte_rdtsc();
	c->pkts += iters * n;
	c->hits += hits;
	return t1 - t0;
}

/* Tags on the packet are type[0 .. arg-1]; type[PERF_TAGS_MAX] is never on it. */
static uint64_t
perf_run_find_miss(struct perf_ctx *c, uint64_t iters)
{
	return perf_find_loop(c, iters, perf_env.type[PERF_TAGS_MAX]);
}

static int
perf_setup_collision(struct perf_ctx *c)
{
	if (perf_env.type_alias == 0) {
		perf_set_skip("no predefined type shares a summary bit");
		return -ENOENT;
	}
	return perf_setup_tagged(c);
}

static uint64_t
perf_run_find_collision(struct perf_ctx *c, uint64_t iters)
{
	return perf_find_loop(c, iters, perf_env.type_alias);
}

static uint64_t
perf_run_find_first(struct perf_ctx *c, uint64_t iters)
{
	return perf_find_loop(c, iters, perf_env.type[c->body->arg - 1]);
}

static uint64_t
perf_run_find_last(struct perf_ctx *c, uint64_t iters)
{
	return perf_find_loop(c, iters, perf_env.type[0]);
}

static uint64_t
perf_run_find_burst_miss(struct perf_ctx *c, uint64_t iters)
{
	uint64_t t0, t1, it, hits = 0;

	t0 = rte_rdtsc();
	for (it = 0; it < iters; it++) {
		hits += mtag_find_burst(c->pkts_v, c->burst, perf_env.type[PERF_TAGS_MAX],
					(struct mtag **)c->out);
		perf_escape(c->out);
	}
	t1 = rte_rdtsc();
	c->pkts += iters * c->burst;
	c->hits += hits;
	return t1 - t0;
}

/* ------------------------------------ the full per-packet cycle (whole loop) */

static uint64_t
perf_run_cycle_burst(struct perf_ctx *c, uint64_t iters)
{
	const uint16_t type = perf_env.type[0];
	const unsigned int n = c->burst;
	uint64_t t0, t1, it, hits = 0;

	t0 = rte_rdtsc();
	for (it = 0; it < iters; it++) {
		if (unlikely(mtag_get_bulk(type, PERF_TAG_LEN, 0, c->tags, n) != n))
			continue; /* counted as misses */
		mtag_prepend_burst(c->pkts_v, c->tags, n);
		hits += mtag_find_burst(c->pkts_v, n, type, (struct mtag **)c->out);
		mtag_delete_chain_burst(c->pkts_v, n);
		perf_escape(c->out);
	}
	t1 = rte_rdtsc();
	c->pkts += iters * n;
	c->hits += hits;
	return t1 - t0;
}

static uint64_t
perf_run_cycle_scalar(struct perf_ctx *c, uint64_t iters)
{
	const uint16_t type = perf_env.type[0];
	const unsigned int n = c->burst;
	uint64_t t0, t1, it, hits = 0;
	unsigned int i;

	t0 = rte_rdtsc();
	for (it = 0; it < iters; it++) {
		for (i = 0; i < n; i++) {
			struct rte_mbuf *m = c->pkts_v[i];
			struct mtag *t;

			mtag_prepend(m, mtag_get(type, PERF_TAG_LEN, 0));
			t = mtag_find(m, type, NULL);
			c->out[i] = t;
			hits += t != NULL;
			mtag_delete_chain(m);
		}
		perf_escape(c->out);
	}
	t1 = rte_rdtsc();
	c->pkts += iters * n;
	c->hits += hits;
	return t1 - t0;
}

static uint64_t
perf_run_cycle_add_burst(struct perf_ctx *c, uint64_t iters)
{
	const uint16_t type = perf_env.type[0];
	const unsigned int n = c->burst;
	uint64_t t0, t1, it, hits = 0;

	t0 = rte_rdtsc();
	for (it = 0; it < iters; it++) {
		if (unlikely(mtag_add_burst(c->pkts_v, n, type, PERF_TAG_LEN, 0, c->data) != n))
			continue; /* counted as misses */
		hits += mtag_find_burst(c->pkts_v, n, type, (struct mtag **)c->out);
		mtag_delete_chain_burst(c->pkts_v, n);
		perf_escape(c->out);
	}
	t1 = rte_rdtsc();
	c->pkts += iters * n;
	c->hits += hits;
	return t1 - t0;
}

static uint64_t
perf_run_cycle_add_scalar(struct perf_ctx *c, uint64_t iters)
{
	const uint16_t type = perf_env.type[0];
	const unsigned int n = c->burst;
	uint64_t t0, t1, it, hits = 0;
	unsigned int i;

	t0 = rte_rdtsc();
	for (it = 0; it < iters; it++) {
		for (i = 0; i < n; i++) {
			struct rte_mbuf *m = c->pkts_v[i];
			struct mtag *t;

			c->data[i] = mtag_add(m, type, PERF_TAG_LEN, 0);
			t = mtag_find(m, type, NULL);
			c->out[i] = t;
			hits += t != NULL;
			mtag_delete_chain(m);
		}
		perf_escape(c->out);
	}
	t1 = rte_rdtsc();
	c->pkts += iters * n;
	c->hits += hits;
	return t1 - t0;
}

/* ------------------------------------------- operations timed per burst */

static void
perf_untag(struct perf_ctx *c)
{
	mtag_delete_chain_burst(c->pkts_v, c->burst);
}

static void
perf_free_tags(struct mtag **tags, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		mtag_free(tags[i]);
}

static uint64_t
perf_run_get_scalar(struct perf_ctx *c, uint64_t iters)
{
	const unsigned int n = c->burst;
	uint64_t t0, t1, it, ticks = 0;
	unsigned int i;

	for (it = 0; it < iters; it++) {
		t0 = rte_rdtsc();
		for (i = 0; i < n; i++)
			c->tags[i] = mtag_get(perf_env.type[0], PERF_TAG_LEN, 0);
		perf_escape(c->tags);
		t1 = rte_rdtsc();
		ticks += perf_region(t0, t1);
		perf_free_tags(c->tags, n);
	}
	c->pkts += iters * n;
	return ticks;
}

static uint64_t
perf_run_get_bulk(struct perf_ctx *c, uint64_t iters)
{
	const unsigned int n = c->burst;
	uint64_t t0, t1, it, ticks = 0;

	for (it = 0; it < iters; it++) {
		t0 = rte_rdtsc();
		if (mtag_get_bulk(perf_env.type[0], PERF_TAG_LEN, 0, c->tags, n) != n)
			memset(c->tags, 0, sizeof(c->tags[0]) * n);
		perf_escape(c->tags);
		t1 = rte_rdtsc();
		ticks += perf_region(t0, t1);
		perf_free_tags(c->tags, n);
	}
	c->pkts += iters * n;
	return ticks;
}

static uint64_t
perf_run_free_scalar(struct perf_ctx *c, uint64_t iters)
{
	const unsigned int n = c->burst;
	uint64_t t0, t1, it, ticks = 0;

	for (it = 0; it < iters; it++) {
		if (mtag_get_bulk(perf_env.type[0], PERF_TAG_LEN, 0, c->tags, n) != n)
			continue;
		t0 = rte_rdtsc();
		perf_free_tags(c->tags, n);
		t1 = rte_rdtsc();
		ticks += perf_region(t0, t1);
	}
	c->pkts += iters * n;
	return ticks;
}

static uint64_t
perf_run_prepend(struct perf_ctx *c, uint64_t iters)
{
	const unsigned int n = c->burst;
	uint64_t t0, t1, it, ticks = 0;
	unsigned int i;

	for (it = 0; it < iters; it++) {
		if (mtag_get_bulk(perf_env.type[0], PERF_TAG_LEN, 0, c->tags, n) != n)
			continue;
		t0 = rte_rdtsc();
		for (i = 0; i < n; i++)
			mtag_prepend(c->pkts_v[i], c->tags[i]);
		perf_escape(c->pkts_v);
		t1 = rte_rdtsc();
		ticks += perf_region(t0, t1);
		perf_untag(c);
	}
	c->pkts += iters * n;
	return ticks;
}

static uint64_t
perf_run_prepend_burst(struct perf_ctx *c, uint64_t iters)
{
	const unsigned int n = c->burst;
	uint64_t t0, t1, it, ticks = 0;

	for (it = 0; it < iters; it++) {
		if (mtag_get_bulk(perf_env.type[0], PERF_TAG_LEN, 0, c->tags, n) != n)
			continue;
		t0 = rte_rdtsc();
		mtag_prepend_burst(c->pkts_v, c->tags, n);
		perf_escape(c->pkts_v);
		t1 = rte_rdtsc();
		ticks += perf_region(t0, t1);
		perf_untag(c);
	}
	c->pkts += iters * n;
	return ticks;
}

/* Delete the oldest of arg tags, found beforehand (the search is not timed). */
static uint64_t
perf_run_delete(struct perf_ctx *c, uint64_t iters)
{
	const unsigned int n = c->burst;
	uint64_t t0, t1, it, ticks = 0;
	unsigned int i;

	for (it = 0; it < iters; it++) {
		if (perf_tag_pkts(c->pkts_v, n, c->body->arg) != 0)
			break;
		for (i = 0; i < n; i++)
			c->out[i] = mtag_find(c->pkts_v[i], perf_env.type[0], NULL);
		t0 = rte_rdtsc();
		for (i = 0; i < n; i++)
			mtag_delete(c->pkts_v[i], c->out[i]);
		perf_escape(c->pkts_v);
		t1 = rte_rdtsc();
		ticks += perf_region(t0, t1);
		perf_untag(c);
	}
	c->pkts += iters * n;
	return ticks;
}

static uint64_t
perf_run_delete_chain(struct perf_ctx *c, uint64_t iters)
{
	const unsigned int n = c->burst;
	uint64_t t0, t1, it, ticks = 0;
	unsigned int i;

	for (it = 0; it < iters; it++) {
		if (perf_tag_pkts(c->pkts_v, n, c->body->arg) != 0)
			break;
		t0 = rte_rdtsc();
		for (i = 0; i < n; i++)
			mtag_delete_chain(c->pkts_v[i]);
		perf_escape(c->pkts_v);
		t1 = rte_rdtsc();
		ticks += perf_region(t0, t1);
	}
	c->pkts += iters * n;
	return ticks;
}

static uint64_t
perf_run_delete_chain_burst(struct perf_ctx *c, uint64_t iters)
{
	const unsigned int n = c->burst;
	uint64_t t0, t1, it, ticks = 0;

	for (it = 0; it < iters; it++) {
		if (perf_tag_pkts(c->pkts_v, n, c->body->arg) != 0)
			break;
		t0 = rte_rdtsc();
		mtag_delete_chain_burst(c->pkts_v, n);
		perf_escape(c->pkts_v);
		t1 = rte_rdtsc();
		ticks += perf_region(t0, t1);
	}
	c->pkts += iters * n;
	return ticks;
}

/* dup_v[i] gets copies of src_v[i]'s arg tags; they are freed untimed. */
static uint64_t
perf_run_copy_chain(struct perf_ctx *c, uint64_t iters)
{
	const unsigned int n = c->burst;
	uint64_t t0, t1, it, ticks = 0, hits = 0;
	unsigned int i;

	for (it = 0; it < iters; it++) {
		t0 = rte_rdtsc();
		for (i = 0; i < n; i++)
			hits += mtag_copy_chain(c->dup_v[i], c->src_v[i]) == 0;
		perf_escape(c->dup_v);
		t1 = rte_rdtsc();
		ticks += perf_region(t0, t1);
		for (i = 0; i < n; i++)
			hits -= mtag_find(c->dup_v[i], perf_env.type[0], NULL) == NULL;
		mtag_delete_chain_burst(c->dup_v, n);
	}
	c->pkts += iters * n;
	c->hits += hits;
	return ticks;
}

static uint64_t
perf_run_clone(struct perf_ctx *c, uint64_t iters)
{
	const unsigned int n = c->burst;
	const bool tagged = c->body->arg > 0;
	uint64_t t0, t1, it, ticks = 0, hits = 0;
	unsigned int i;

	for (it = 0; it < iters; it++) {
		t0 = rte_rdtsc();
		if (tagged)
			for (i = 0; i < n; i++)
				c->dup_v[i] = mtag_pktmbuf_clone(c->src_v[i], perf_env.mbuf_pool);
		else
			for (i = 0; i < n; i++)
				c->dup_v[i] = rte_pktmbuf_clone(c->src_v[i], perf_env.mbuf_pool);
		perf_escape(c->dup_v);
		t1 = rte_rdtsc();
		ticks += perf_region(t0, t1);
		for (i = 0; i < n; i++)
			hits += c->dup_v[i] != NULL &&
				(!tagged || mtag_find(c->dup_v[i], perf_env.type[0], NULL) != NULL);
		mtag_pktmbuf_free_bulk(c->dup_v, n);
		memset(c->dup_v, 0, sizeof(c->dup_v[0]) * n);
	}
	c->pkts += iters * n;
	c->hits += hits;
	return ticks;
}

static int
perf_setup_clone(struct perf_ctx *c)
{
	if (perf_pkts_alloc(c->src_v, c->burst) != 0)
		return -ENOMEM;
	return perf_tag_pkts(c->src_v, c->burst, c->body->arg);
}

/* ---------------------------------------------------------------- table */

#define PERF_BODY(id, nm, cmt, fl, exp, a, su, ru)                                                 \
	static const struct perf_body id = {                                                       \
		.name = nm,                                                                        \
		.comment = cmt,                                                                    \
		.flags = fl,                                                                       \
		.expect = exp,                                                                     \
		.arg = a,                                                                          \
		.setup = su,                                                                       \
		.run = ru,                                                                         \
		.teardown = perf_teardown,                                                         \
	}

PERF_BODY(b_empty, "baseline/empty_loop", "load each packet pointer, store it", PERF_F_BURSTS,
	  PERF_HITS_ANY, 0, perf_setup_pkts, perf_run_empty);
PERF_BODY(b_raw, "baseline/raw_dynfield_read", "read the dynfield of each packet, store it",
	  PERF_F_BURSTS, PERF_HITS_ANY, 0, perf_setup_pkts, perf_run_raw_read);
PERF_BODY(b_miss0, "find/miss_untagged", "mtag_find on each untagged packet", PERF_F_BURSTS,
	  PERF_HITS_NONE, 0, perf_setup_pkts, perf_run_find_miss);
PERF_BODY(b_bmiss0, "find_burst/miss_untagged", "mtag_find_burst on untagged packets",
	  PERF_F_BURSTS, PERF_HITS_NONE, 0, perf_setup_pkts, perf_run_find_burst_miss);
PERF_BODY(b_miss1, "find/miss_1_tag", "mtag_find, 1 tag of another type", 0, PERF_HITS_NONE, 1,
	  perf_setup_tagged, perf_run_find_miss);
PERF_BODY(b_miss2, "find/miss_2_tags", "mtag_find, 2 tags of other types", 0, PERF_HITS_NONE, 2,
	  perf_setup_tagged, perf_run_find_miss);
PERF_BODY(b_miss3, "find/miss_3_tags", "mtag_find, 3 tags of other types", 0, PERF_HITS_NONE, 3,
	  perf_setup_tagged, perf_run_find_miss);
PERF_BODY(b_miss4, "find/miss_4_tags", "mtag_find, 4 tags of other types", 0, PERF_HITS_NONE, 4,
	  perf_setup_tagged, perf_run_find_miss);
PERF_BODY(b_coll4, "find/miss_4_tags_summary_collision",
	  "mtag_find of a type whose summary bit is set by another: walks 4 tags", 0,
	  PERF_HITS_NONE, 4, perf_setup_collision, perf_run_find_collision);
PERF_BODY(b_hit1, "find/hit_first_of_4", "mtag_find of the newest of 4 tags", 0, PERF_HITS_ALL, 4,
	  perf_setup_tagged, perf_run_find_first);
PERF_BODY(b_hit4, "find/hit_last_of_4", "mtag_find of the oldest of 4 tags", 0, PERF_HITS_ALL, 4,
	  perf_setup_tagged, perf_run_find_last);
PERF_BODY(b_get, "get/scalar", "mtag_get per packet (free untimed)", PERF_F_BURSTS_SPLIT,
	  PERF_HITS_ANY, 0, NULL, perf_run_get_scalar);
PERF_BODY(b_getb, "get/bulk", "mtag_get_bulk per burst (free untimed)", PERF_F_BURSTS_SPLIT,
	  PERF_HITS_ANY, 0, NULL, perf_run_get_bulk);
PERF_BODY(b_free, "free/scalar", "mtag_free per tag (get untimed)", PERF_F_BURSTS_SPLIT,
	  PERF_HITS_ANY, 0, NULL, perf_run_free_scalar);
PERF_BODY(b_prep, "prepend/scalar", "mtag_prepend per packet", PERF_F_BURSTS_SPLIT, PERF_HITS_ANY,
	  0, perf_setup_pkts, perf_run_prepend);
PERF_BODY(b_prepb, "prepend/burst", "mtag_prepend_burst", PERF_F_BURSTS_SPLIT, PERF_HITS_ANY, 0,
	  perf_setup_pkts, perf_run_prepend_burst);
PERF_BODY(b_del1, "delete/only_tag", "mtag_delete of a packet's only tag", PERF_F_BURSTS_SPLIT,
	  PERF_HITS_ANY, 1, perf_setup_pkts, perf_run_delete);
PERF_BODY(b_del4, "delete/oldest_of_4", "mtag_delete of the oldest of 4 tags", 0, PERF_HITS_ANY, 4,
	  perf_setup_pkts, perf_run_delete);
PERF_BODY(b_dc1, "delete_chain/scalar_1_tag", "mtag_delete_chain per packet, 1 tag",
	  PERF_F_BURSTS_SPLIT, PERF_HITS_ANY, 1, perf_setup_pkts, perf_run_delete_chain);
PERF_BODY(b_dcb1, "delete_chain/burst_1_tag", "mtag_delete_chain_burst, 1 tag per packet",
	  PERF_F_BURSTS_SPLIT, PERF_HITS_ANY, 1, perf_setup_pkts, perf_run_delete_chain_burst);
PERF_BODY(b_dcb4, "delete_chain/burst_4_tags", "mtag_delete_chain_burst, 4 tags per packet", 0,
	  PERF_HITS_ANY, 4, perf_setup_pkts, perf_run_delete_chain_burst);
PERF_BODY(b_cc1, "copy_chain/1_tag", "mtag_copy_chain of 1 tag (the copies freed untimed)", 0,
	  PERF_HITS_ALL, 1, perf_setup_sources, perf_run_copy_chain);
PERF_BODY(b_cc4, "copy_chain/4_tags", "mtag_copy_chain of 4 tags (the copies freed untimed)", 0,
	  PERF_HITS_ALL, 4, perf_setup_sources, perf_run_copy_chain);
PERF_BODY(b_cl0, "clone/plain_rte_pktmbuf_clone", "rte_pktmbuf_clone, untagged (freed untimed)", 0,
	  PERF_HITS_ALL, 0, perf_setup_clone, perf_run_clone);
PERF_BODY(b_cl4, "clone/4_tags", "mtag_pktmbuf_clone of a packet with 4 tags (freed untimed)", 0,
	  PERF_HITS_ALL, 4, perf_setup_clone, perf_run_clone);
PERF_BODY(b_cyc, "cycle/burst",
	  "get_bulk + prepend_burst + find_burst + delete_chain_burst, 1 tag per packet",
	  PERF_F_BURSTS, PERF_HITS_ALL, 0, perf_setup_pkts, perf_run_cycle_burst);
PERF_BODY(b_cyca, "cycle/add_burst",
	  "add_burst + find_burst + delete_chain_burst, 1 tag per packet", PERF_F_BURSTS,
	  PERF_HITS_ALL, 0, perf_setup_pkts, perf_run_cycle_add_burst);
PERF_BODY(b_cycas, "cycle/add_scalar", "add + find + delete_chain, one packet at a time",
	  PERF_F_BURSTS, PERF_HITS_ALL, 0, perf_setup_pkts, perf_run_cycle_add_scalar);
PERF_BODY(b_cycs, "cycle/scalar", "get + prepend + find + delete_chain, one packet at a time",
	  PERF_F_BURSTS, PERF_HITS_ALL, 0, perf_setup_pkts, perf_run_cycle_scalar);

static const struct perf_body *const perf_bodies_prim[] = {
	&b_empty, &b_raw,  &b_miss0, &b_bmiss0, &b_miss1, &b_miss2, &b_miss3, &b_miss4,
	&b_coll4, &b_hit1, &b_hit4,  &b_get,	&b_getb,  &b_free,  &b_prep,  &b_prepb,
	&b_del1,  &b_del4, &b_dc1,   &b_dcb1,	&b_dcb4,  &b_cc1,   &b_cc4,   &b_cl0,
	&b_cl4,	  &b_cyc,  &b_cycs,  &b_cyca,	&b_cycas, NULL,
};

const struct perf_group perf_group_prim = {.bodies = perf_bodies_prim};
