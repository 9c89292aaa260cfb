/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/* The lcores' tag caches and the state that names them (struct mtag_cache,
 * struct mtag_lcore: mtag_core.h). Each lcore has, per size class, a stack
 * of free tags in the zone the processes share; the inline fast path takes
 * from and puts onto its top, and this file fills it from the class's pool
 * and drains it back in bulk, through rte_mempool's public calls only. The
 * pools have no mempool cache of their own: a tag is cached once, and its
 * cache behaves the same on every DPDK release.
 *
 * A refill leaves the cache three quarters full, a drain a quarter full. In
 * a pipeline, where one lcore only takes tags and another only gives them
 * back, each pool operation then moves three quarters of a cache; an lcore
 * that takes and gives alike has a quarter of the cache to wander in
 * before it goes to the pool again. */

#include <errno.h>

#include <rte_errno.h>

#include "mtag_priv.h"

#define MTAG_CACHE_LOW(size) ((size) / 4)
#define MTAG_CACHE_HIGH(size) ((size)-MTAG_CACHE_LOW(size))

/* Starts above 0, the gen of a state never filled. */
uint64_t mtag_lcore_gen = 1;

/* What a thread that must not use a cache reads (1). */
static struct mtag_cache mtag_cache_empty;
static int64_t mtag_type_in_use_none[MTAG_TYPE_MAX];
static struct mtag_lcore mtag_lcore_none = {
	.type_in_use = mtag_type_in_use_none,
	.cache = {[0 ... MTAG_CLASS_MAX] = &mtag_cache_empty},
	.put = {[0 ... MTAG_CLASS_MAX] = &mtag_cache_empty},
	.lcore_id = LCORE_ID_ANY,
};

RTE_DEFINE_PER_LCORE(struct mtag_lcore *, mtag_lcore_self) = &mtag_lcore_none;
static struct mtag_lcore mtag_lcores[MTAG_LCORE_SLOTS];

static inline void
mtag_count(const struct mtag_lcore *lc, uint64_t *counter, uint64_t n)
{
	if (likely(!lc->shared))
		*counter += n;
	else
		__atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

/* Move n tag pointers (the regions may overlap). */
static inline void
mtag_ptrs_move(struct mtag **dst, struct mtag *const *src, unsigned int n)
{
	memmove(dst, src, n * sizeof(void *)); /* every object pointer has one size */
}

/* n tags from the pool, all or nothing. */
static int
mtag_pool_get(struct rte_mempool *mp, struct mtag **tags, unsigned int n)
{
	if (rte_mempool_get_bulk(mp, (void **)tags, n) != 0)
		return -ENOMEM;
	for (unsigned int i = 0; MTAG_PREFIX != 0 && i < n; i++)
		tags[i] = mtag_from_elt(tags[i]);
	return 0;
}

/* n tags back to their pool; tags[] may be overwritten. */
static void
mtag_pool_put(struct rte_mempool *mp, struct mtag **tags, unsigned int n)
{
	for (unsigned int i = 0; MTAG_PREFIX != 0 && i < n; i++)
		tags[i] = mtag_to_elt(tags[i]);
	rte_mempool_put_bulk(mp, (void **)tags, n);
}

struct mtag **
mtag_cache_take(struct mtag_lcore *lc, unsigned int cls, struct mtag **tags, unsigned int n)
{
	struct mtag_cache *c = lc->cache[cls];
	struct rte_mempool *mp = lc->pool[cls];
	unsigned int len = c->len, keep;
	struct mtag **out;

	RTE_ASSERT(len <= c->size);
	if (n <= len) {
		/* Enough on the cache. */
		c->len = len - n;
		out = &c->objs[c->len];
	} else if (n <= c->size) {
		/* Refill the cache, or take just what is missing if the pool
		 * has no more. */
		keep = RTE_MIN(MTAG_CACHE_HIGH(c->size), c->size - n);
		if (mtag_pool_get(mp, &c->objs[len], keep + n - len) != 0) {
			keep = 0;
			if (mtag_pool_get(mp, &c->objs[len], n - len) != 0)
				goto fail;
		}
		c->len = keep;
		out = &c->objs[keep];
	} else {
		/* More than the cache holds (or a thread without one): the
		 * cache's tags, then the rest straight from the pool. */
		if (mtag_pool_get(mp, tags, n - len) != 0)
			goto fail;
		if (len > 0) {
			mtag_ptrs_move(&tags[n - len], c->objs, len);
			c->len = 0;
		}
		out = tags;
	}
	RTE_ASSERT(c->len <= c->size);
	mtag_count(lc, &c->allocs, n);
	mtag_debug_mark_live(out, n);
	return out;
fail:
	mtag_count(lc, &c->fails, n);
	return NULL;
}

void
mtag_cache_give(struct mtag_lcore *lc, unsigned int cls, struct rte_mempool *mp, struct mtag **tags,
		unsigned int n)
{
	struct mtag_cache *c = lc->cache[cls];
	unsigned int keep, drain;

	RTE_ASSERT(c->len <= c->size);
	for (unsigned int i = 0; i < n; i++)
		RTE_ASSERT(mtag_tables.class_of_len[tags[i]->len] == cls);
	mtag_debug_mark_free(tags, n);
	mtag_count(lc, &c->frees, n);
	if (mp != lc->pool[cls] || n > c->size) {
		/* Another socket's tags, or more than the cache holds. */
		mtag_pool_put(mp, tags, n);
		return;
	}
	if (c->len + n > c->size) {
		/* Drain the bottom of the stack, the coldest tags. */
		keep = RTE_MAX(MTAG_CACHE_LOW(c->size), n) - n;
		drain = c->len - keep;
		mtag_pool_put(mp, c->objs, drain);
		mtag_ptrs_move(c->objs, &c->objs[drain], keep);
		c->len = keep;
	}
	mtag_ptrs_move(&c->objs[c->len], tags, n);
	c->len += n;
}

/* Every tag of an lcore's caches back to its pool. */
static void
mtag_lcore_drain(struct mtag_lcore *lc)
{
	struct rte_mempool *mp;
	struct mtag_cache *c;
	unsigned int cls, i;

	for (cls = 0; cls < mtag_state.shared->nb_classes; cls++) {
		c = lc->cache[cls];
		if (c->len == 0)
			continue;
		/* One pool's tags (2), whichever process filled the cache. */
		mp = rte_mempool_from_obj(mtag_to_elt(c->objs[0]));
		for (i = 0; i < c->len; i++)
			RTE_ASSERT(rte_mempool_from_obj(mtag_to_elt(c->objs[i])) == mp &&
				   c->objs[i]->len <= mtag_state.shared->class_len[cls]);
		mtag_pool_put(mp, c->objs, c->len);
		c->len = 0;
	}
}

/* The pools of socket s, or of the first socket that has them. */
static struct rte_mempool **
mtag_socket_pools(unsigned int s)
{
	if (s >= MTAG_MAX_SOCKETS || mtag_state.pool[s][0] == NULL)
		s = mtag_state.default_socket;
	return mtag_state.pool[s];
}

size_t
mtag_cache_bytes(uint32_t cache_size)
{
	return RTE_ALIGN_CEIL(sizeof(struct mtag_cache) + cache_size * sizeof(struct mtag *),
			      RTE_CACHE_LINE_SIZE);
}

void
mtag_caches_init(struct mtag_shared *sh)
{
	unsigned int slot, cls;

	sh->cache_bytes = mtag_cache_bytes(sh->cache_size);
	for (slot = 0; slot < MTAG_LCORE_SLOTS; slot++)
		for (cls = 0; cls < sh->nb_classes; cls++)
			mtag_cache_of(sh, slot, cls)->size =
				slot < RTE_MAX_LCORE ? sh->cache_size : 0;
}

void
mtag_lcores_init(void)
{
	struct mtag_shared *sh = mtag_state.shared;
	struct mtag_lcore *lc;
	unsigned int slot, cls;

	mtag_lcore_gen++;
	for (slot = 0; slot < MTAG_LCORE_SLOTS; slot++) {
		lc = &mtag_lcores[slot];
		lc->type_in_use = sh->type_in_use[slot];
		for (cls = 0; cls <= MTAG_CLASS_MAX; cls++)
			lc->cache[cls] = cls < sh->nb_classes ? mtag_cache_of(sh, slot, cls)
							      : &mtag_cache_empty;
		lc->lcore_id = slot < RTE_MAX_LCORE ? slot : LCORE_ID_ANY;
		lc->shared = slot == RTE_MAX_LCORE;
		memcpy(lc->pool,
		       mtag_socket_pools(lc->shared ? mtag_state.default_socket
						    : rte_lcore_to_socket_id(slot)),
		       sizeof(lc->pool));
		lc->gen = mtag_lcore_gen;
	}
	mtag_lcores_set_puts();
}

/* The inline puts skip destructors and the pool lookup: only where no
 * destructor is set and the pools are on one socket (1). */
void
mtag_lcores_set_puts(void)
{
	const bool direct = mtag_state.single_socket && !mtag_state.have_dtor;
	struct mtag_lcore *lc;
	unsigned int cls;

	for (lc = mtag_lcores; lc < &mtag_lcores[MTAG_LCORE_SLOTS]; lc++)
		for (cls = 0; cls <= MTAG_CLASS_MAX; cls++)
			__atomic_store_n(&lc->put[cls], direct ? lc->cache[cls] : &mtag_cache_empty,
					 __ATOMIC_RELAXED);
}

/* The primary gives back every lcore's cached tags, a secondary those of
 * the lcores it used; then no thread takes the inline path (1). */
void
mtag_lcores_fini(void)
{
	struct mtag_lcore *lc;
	unsigned int cls;

	for (lc = mtag_lcores; lc < &mtag_lcores[MTAG_LCORE_SLOTS]; lc++) {
		if (mtag_state.primary || lc->used)
			mtag_lcore_drain(lc);
		for (cls = 0; cls <= MTAG_CLASS_MAX; cls++) {
			__atomic_store_n(&lc->cache[cls], &mtag_cache_empty, __ATOMIC_RELAXED);
			__atomic_store_n(&lc->put[cls], &mtag_cache_empty, __ATOMIC_RELAXED);
		}
	}
	mtag_lcore_gen++;
}

struct mtag_lcore *
mtag_lcore_bind(void)
{
	const unsigned int id = rte_lcore_id();
	struct mtag_lcore *lc = &mtag_lcores[id < RTE_MAX_LCORE ? id : RTE_MAX_LCORE];
	struct rte_mempool **pools = mtag_socket_pools(rte_socket_id());

	RTE_ASSERT(mtag_state.shared != NULL && lc->gen == mtag_lcore_gen);
	RTE_PER_LCORE(mtag_lcore_self) = lc;
	if (lc->shared) /* no cache, and many threads at once */
		return lc;
	/* A registered thread on another socket than the lcore id's last
	 * holder: the cache keeps one pool's tags (2). */
	if (lc->pool[0] != pools[0]) {
		mtag_lcore_drain(lc);
		memcpy(lc->pool, pools, sizeof(lc->pool));
	}
	lc->used = true;
	return lc;
}

/* A thread giving up its lcore id (rte_thread_unregister()), on that
 * thread: its cached tags go back, and it no longer uses the lcore's
 * state. */
static void
mtag_lcore_release(unsigned int lcore_id, void *arg)
{
	struct mtag_lcore *lc = &mtag_lcores[lcore_id];

	RTE_SET_USED(arg);
	if (mtag_state.shared != NULL && lc->used) {
		mtag_lcore_drain(lc);
		lc->used = false;
	}
	RTE_PER_LCORE(mtag_lcore_self) = &mtag_lcore_none;
}

int
mtag_lcores_callback(void)
{
	static void *handle; /* once per process, kept: fini leaves no state */

	if (handle == NULL)
		handle = rte_lcore_callback_register("mtag", NULL, mtag_lcore_release, NULL);
	return handle != NULL ? 0 : -ENOMEM;
}
