/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/* Burst and fused forms, the fast path: mtag_prepend_burst() and
 * mtag_find_burst(), and the general bodies of the inline mtag_add_burst()
 * and mtag_delete_chain_burst() (mtag.h, mtag_core.h). Each is one pass over
 * the burst with the dynamic flag and field offset read once (stores to the
 * packets would otherwise make the compiler reload them for every packet).
 * Tags come from and go back to the calling lcore's mempool cache directly
 * (see MTAG_CACHE_DIRECT in mtag_priv.h); anything unusual takes the
 * general path.
 *
 * The loops run an index from -n up to 0 over pointers to the arrays' ends:
 * the increment's own flags end the loop, an instruction less per packet
 * than a compare with n. */

#include <errno.h>

#include <rte_errno.h>

#include "mtag_priv.h"

/* Tags the general mtag_add_burst() takes at once: all of a usual burst. */
#define MTAG_ADD_CHUNK 64U

void
mtag_prepend_burst(struct rte_mbuf **pkts, struct mtag **tags, uint16_t n)
{
	const uint64_t flag = mtag_dynflag_mask;
	const int off = mtag_dynfield_offset;
	struct rte_mbuf **pkts_end;
	struct mtag **tags_end;
	intptr_t i;

	if (pkts == NULL || tags == NULL)
		return;
	pkts_end = pkts + n;
	tags_end = tags + n;
	for (i = -(intptr_t)n; i != 0; i++)
		__mtag_prepend(pkts_end[i], tags_end[i], flag, off);
}

uint16_t
mtag_find_burst(struct rte_mbuf **pkts, uint16_t n, uint16_t type, struct mtag **out)
{
	const uint64_t flag = mtag_dynflag_mask;
	const int off = mtag_dynfield_offset;
	const uint64_t bit = MTAG_SUMMARY_BIT(type);
	const uint64_t key = __mtag_hdr_word(MTAG_ABI_COMPAT, type, 0);
	struct rte_mbuf **pkts_end;
	struct mtag **out_end;
	const struct mtag_chain *c;
	struct rte_mbuf *m;
	struct mtag *t;
	uint16_t found = 0;
	intptr_t i;

	if (pkts == NULL || out == NULL)
		return 0;
	pkts_end = pkts + n;
	out_end = out + n;
	/* The newest tag is compared first, type and cookie as one word: on a
	 * hit there, the common case, the summary is not read at all. This is
	 * __mtag_locate()'s search, laid out for a hit where that one is laid
	 * out for an untagged miss: through it this loop is 3 instructions per
	 * packet longer. */
	for (i = -(intptr_t)n; i != 0; i++) {
		m = pkts_end[i];
		t = NULL;
		if (likely(m != NULL) && (m->ol_flags & flag)) {
			c = RTE_MBUF_DYNFIELD(m, off, const struct mtag_chain *);
#ifdef MTAG_DEBUG
			if (mtag_debug_check_chain(m) != 0)
				goto next;
#endif
			t = c->head;
			if (unlikely(__mtag_key_of(t) != key)) {
				t = NULL;
				if (c->summary & bit)
					for (t = c->head->next; t != NULL; t = t->next)
						if (__mtag_key_of(t) == key)
							break;
			}
		}
#ifdef MTAG_DEBUG
	next:
#endif
		out_end[i] = t;
		found += t != NULL;
	}
	return found;
}

/* Where mtag_delete_chain_burst() puts tags: the top of one class's cache.
 * Tags are counted by runs: a run of one len (one cache) when it ends, and
 * within it a run of one type when the type changes, so that no counter in
 * memory is written per tag (each write would wait for the one before). */
struct mtag_put_run {
	struct rte_mempool_cache *cache;
	void **start;	   /* first slot of the len run */
	void **type_start; /* first slot of the type run */
	void **lim;	   /* the cache's flush threshold: top stays below */
	uint32_t key;	   /* type and len of the run (__mtag_type_len_of()) */
	unsigned int cls;
	uint16_t len, type;
};

/* End the current type run at top. */
static inline void
mtag_put_run_type_end(struct mtag_thread *th, struct mtag_put_run *r, void **top)
{
	th->st->type_in_use[MTAG_TYPE_SLOT(r->type)] -= top - r->type_start;
}

/* End the current len run: count it, give the cache its new length. */
static inline void
mtag_put_run_end(struct mtag_thread *th, struct mtag_put_run *r, void **top)
{
	if (r->cache == NULL)
		return;
	mtag_put_run_type_end(th, r, top);
	th->st->frees[r->cls] += top - r->start;
	r->cache->len = top - (void **)r->cache->objs;
}

/* Tag t has another len than the run, or the cache is full, or there is no
 * run yet: returns the new top of the cache, with t on it, and starts a run
 * of t's type and len. */
static __rte_noinline void **
mtag_put_run_next(struct mtag_thread *th, struct mtag_put_run *r, void **top, struct mtag *t)
{
	struct rte_mempool_cache *cache;

	mtag_put_run_end(th, r, top);
	r->key = __mtag_type_len_of(t);
	r->len = t->len;
	r->type = t->type;
	r->cls = mtag_class_of_len[t->len];
	r->cache = cache = th->cache[r->cls];
	if (unlikely(cache->len >= cache->flushthresh)) {
		/* The public put flushes the cache to the ring; t is counted here. */
		th->st->frees[r->cls]++;
		th->st->type_in_use[MTAG_TYPE_SLOT(r->type)]--;
		rte_mempool_put(th->pool[r->cls], t);
		t = NULL;
	}
	top = (void **)&cache->objs[cache->len];
	r->start = r->type_start = top;
	if (t != NULL)
		*top++ = t; /* counted with its run */
	r->lim = (void **)&cache->objs[cache->flushthresh];
	return top;
}

/* Put every tag of chain t on top of its class's cache, starting runs as
 * the type or len changes; returns the new top. Out of line: the burst
 * loop keeps the common case, a packet's only tag of the run's kind. */
static __rte_noinline void **
mtag_put_chain(struct mtag_thread *th, struct mtag_put_run *r, void **top, struct mtag *t)
{
	struct mtag *next;

	do {
		next = t->next;
		if (__mtag_type_len_of(t) == r->key && top < r->lim) {
			*top++ = t;
		} else if (t->len == r->len && r->cache != NULL && top < r->lim) {
			/* Another type, the same cache. */
			mtag_put_run_type_end(th, r, top);
			r->type = t->type;
			r->type_start = top;
			r->key = __mtag_type_len_of(t);
			*top++ = t;
		} else {
			top = mtag_put_run_next(th, r, top, t);
		}
	} while ((t = next) != NULL);
	return top;
}

/* Each tag goes straight onto the top of its class's cache (see struct
 * mtag_put_run for the counting). Only for a thread with a cache (its
 * counter slot is its own), pools on one socket (the class names the pool)
 * and no destructor set. */
static __rte_always_inline void
mtag_delete_chain_burst_fast(struct mtag_thread *th, struct rte_mbuf **pkts, uint16_t n)
{
	const uint64_t flag = mtag_dynflag_mask;
	const int off = mtag_dynfield_offset;
	struct rte_mbuf **const pkts_end = pkts + n;
	struct mtag_put_run r = {.cache = NULL, .key = UINT32_MAX};
	uint32_t key = UINT32_MAX; /* r.key, in a register, or none */
	void **top = NULL;
	struct rte_mbuf *m;
	struct mtag *t;
	uint64_t ol;
	intptr_t i;

	for (i = -(intptr_t)n; i != 0; i++) {
		m = pkts_end[i];
		if (m == NULL)
			continue;
		ol = m->ol_flags;
		if (!(ol & flag))
			continue;
		m->ol_flags = ol ^ flag;
		t = RTE_MBUF_DYNFIELD(m, off, struct mtag_chain *)->head;
		if (likely(t->next == NULL && __mtag_type_len_of(t) == key)) {
			/* The key matches once a run has begun: top is set. */
			if (top == NULL)
				__builtin_unreachable();
			*top++ = t; /* room: see below */
			continue;
		}
		top = mtag_put_chain(th, &r, top, t);
		/* The loop pushes a packet's only tag without a test of room
		 * while the cache has room for one of every packet left; with
		 * less, no tag matches the key, and mtag_put_chain() tests. */
		key = r.lim - top >= -i - 1 ? r.key : UINT32_MAX;
	}
	mtag_put_run_end(th, &r, top);
}

/* Any burst, for any thread and build: runs of types and lens, chains of
 * several tags, a full cache, destructors. */
void
__mtag_delete_chain_burst(struct rte_mbuf **pkts, uint16_t n)
{
	struct mtag_thread *th;

	if (pkts == NULL || mtag_state.shared == NULL)
		return;
	th = mtag_thread_self();
	if (likely(th->fast_put))
		mtag_delete_chain_burst_fast(th, pkts, n);
	else
		mtag_delete_chain_burst_slow(pkts, n);
}

/* Take tags back off the first n packets of an mtag_add_burst() that could
 * not finish: each loses its newest tag (into tags[i], unless tags is NULL:
 * the caller knows where they are), and its summary is rebuilt exact. */
static void
mtag_add_burst_undo(struct rte_mbuf **pkts, uint16_t n, struct mtag **tags)
{
	struct mtag_chain *c;
	struct mtag *t;
	uint16_t i;

	for (i = 0; i < n; i++) {
		c = mtag_chain_of(pkts[i]);
		t = c->head;
		c->head = t->next;
		t->next = NULL;
		if (tags != NULL)
			tags[i] = t;
#ifdef MTAG_DEBUG
		mtag_dbg(t)->owner = NULL;
#endif
		if (c->head == NULL) {
			pkts[i]->ol_flags &= ~mtag_dynflag_mask;
			continue;
		}
		c->summary = mtag_chain_summary(c->head);
	}
}

/* mtag_add_burst() in chunks, for any thread, burst size and build. */
unsigned int
__mtag_add_burst(struct rte_mbuf **pkts, uint16_t n, uint16_t type, uint16_t len, int flags,
		 void **data)
{
	const uint64_t bit = MTAG_SUMMARY_BIT(type);
	const uint64_t hdr = __mtag_hdr_word(MTAG_ABI_COMPAT, type, len);
	struct mtag *tags[MTAG_ADD_CHUNK], **src;
	struct mtag_thread *th;
	unsigned int cls, done, chunk, i;

	MTAG_DEBUG_SITE();
	if (unlikely(pkts == NULL || data == NULL ||
		     !mtag_args_valid(MTAG_ABI_COMPAT, type, len))) {
		rte_errno = EINVAL;
		return 0;
	}
	/* Bad input changes nothing, counters included. A chain that is not
	 * the packet's own is refused (and counted) in a debug build. */
	for (i = 0; i < n; i++)
		if (pkts[i] == NULL ||
		    (MTAG_DEBUG_BUILD && mtag_is_tagged(pkts[i]) && mtag_debug_refused(pkts[i]))) {
			rte_errno = EINVAL;
			return 0;
		}
	th = mtag_thread_self();
	cls = mtag_class_of_len[len];
	for (done = 0; done < n; done += chunk) {
		chunk = RTE_MIN(n - done, MTAG_ADD_CHUNK);
		src = mtag_tags_borrow(th, cls, tags, chunk);
		if (unlikely(src == NULL)) {
			/* The whole burst counts as asked for and not had. */
			mtag_count(&th->st->fails[cls], n - chunk, th->shared_slot);
			rte_errno = ENOMEM;
			goto undo;
		}
		__mtag_attach_new(pkts + done, src, data + done, chunk, hdr, bit);
#ifdef MTAG_DEBUG
		for (i = 0; i < chunk; i++)
			mtag_dbg(src[i])->owner = pkts[done + i];
#endif
		if (unlikely(flags & MTAG_ZERO))
			for (i = 0; i < chunk; i++)
				memset(data[done + i], 0, len);
	}
	mtag_count_type(th, type, n);
	return n;

undo:
	/* Take back what earlier chunks added, without destructors (the tags
	 * were never the caller's), and uncount them: all or nothing. */
	for (i = 0; i < done; i += chunk) {
		chunk = RTE_MIN(done - i, MTAG_ADD_CHUNK);
		mtag_add_burst_undo(pkts + i, chunk, tags);
		mtag_tags_put(tags, chunk);
		mtag_count(&th->st->frees[cls], -(uint64_t)chunk, th->shared_slot);
		mtag_count(&th->st->allocs[cls], -(uint64_t)chunk, th->shared_slot);
	}
	return 0;
}

unsigned int
__mtag_add_burst_refused(struct rte_mempool_cache *cache, struct rte_mbuf **pkts, unsigned int i,
			 unsigned int n, uint16_t type, uint16_t len)
{
	struct mtag_fp *fp = RTE_PER_LCORE(mtag_lcore_fp);
	const unsigned int cls = mtag_class_of_len[len];

	mtag_add_burst_undo(pkts, i, NULL);
	fp->type_in_use[type] -= n;
	fp->allocs[cls] -= n;
	cache->len += n;
	rte_errno = EINVAL;
	return 0;
}
