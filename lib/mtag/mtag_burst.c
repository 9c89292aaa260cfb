/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/* Burst and fused forms, the fast path. Each is one pass over the burst with
 * the dynamic flag and field offset read once (stores to the packets would
 * otherwise make the compiler reload them for every packet). Tags come from
 * and go back to the calling lcore's mempool cache directly (see
 * MTAG_CACHE_DIRECT in mtag_priv.h); anything unusual takes the general
 * path.
 *
 * The loops run an index from -n up to 0 over pointers to the arrays' ends:
 * the increment's own flags end the loop, an instruction less per packet
 * than a compare with n. */

#include <errno.h>

#include <rte_errno.h>

#include "mtag_priv.h"

/* Tags an mtag_add_burst() takes at once: all of a usual burst. */
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

/* Type and len of a tag as one 32-bit word: a change of either ends a run
 * of tags that go back to one cache and are counted under one type. */
static inline uint32_t
mtag_type_len_of(const struct mtag *t)
{
	uint32_t w;

	memcpy(&w, &t->type, sizeof(w));
	return w;
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
	uint32_t key;	   /* type and len of the run (mtag_type_len_of) */
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
	r->key = mtag_type_len_of(t);
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
		if (mtag_type_len_of(t) == r->key && top < r->lim) {
			*top++ = t;
		} else if (t->len == r->len && r->cache != NULL && top < r->lim) {
			/* Another type, the same cache. */
			mtag_put_run_type_end(th, r, top);
			r->type = t->type;
			r->type_start = top;
			r->key = mtag_type_len_of(t);
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
		if (likely(t->next == NULL && mtag_type_len_of(t) == key)) {
			/* The key matches once a run has begun: top is set. */
			if (top == NULL)
				__builtin_unreachable();
			*top++ = t; /* room: see below */
			continue;
		}
		/* A burst's first tag starts the first run, without the walk. */
		if (r.cache == NULL && t->next == NULL)
			top = mtag_put_run_next(th, &r, top, t);
		else
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
static __rte_noinline void
mtag_delete_chain_burst_general(struct rte_mbuf **pkts, uint16_t n)
{
	struct mtag_thread *th;

	if (mtag_state.shared == NULL)
		return;
	th = mtag_thread_self();
	if (likely(th->fast_put))
		mtag_delete_chain_burst_fast(th, pkts, n);
	else
		mtag_delete_chain_burst_slow(pkts, n);
}

/* The common case, without a call: every tagged packet's only tag of one
 * type and len (the first one's), onto the calling lcore's cache through
 * the inline put's view (struct mtag_fp), whose cache has room for one tag
 * of every packet left. The view's empty cache, which has none, sends every
 * other thread and build to the general path; so does the first packet
 * that is not of the common case, with the packets from it on. */
void
mtag_delete_chain_burst(struct rte_mbuf **pkts, uint16_t n)
{
	const uint64_t flag = mtag_dynflag_mask;
	const int off = mtag_dynfield_offset;
	struct rte_mbuf **pkts_end;
	struct rte_mempool_cache *cache;
	struct mtag_fp *fp;
	void **top, **start;
	struct rte_mbuf *m;
	struct mtag *t;
	unsigned int cls;
	uint16_t type;
	uint32_t key;
	intptr_t i;

	if (pkts == NULL)
		return;
	pkts_end = pkts + n;
	for (i = -(intptr_t)n; i != 0; i++) {
		m = pkts_end[i];
		if (m != NULL && (m->ol_flags & flag))
			break;
	}
	if (i == 0)
		return;
	t = RTE_MBUF_DYNFIELD(m, off, struct mtag_chain *)->head;
	fp = RTE_PER_LCORE(mtag_lcore_fp);
	cls = mtag_class_of_len[t->len];
	cache = fp->put[cls];
	if (unlikely(cache->len + (uint32_t)-i > cache->flushthresh))
		goto general;
	key = mtag_type_len_of(t);
	type = t->type;
	start = top = (void **)&cache->objs[cache->len];
	for (; i != 0; i++) {
		m = pkts_end[i];
		if (m == NULL || !(m->ol_flags & flag))
			continue;
		t = RTE_MBUF_DYNFIELD(m, off, struct mtag_chain *)->head;
		if (unlikely(t->next != NULL || mtag_type_len_of(t) != key))
			break;
		m->ol_flags ^= flag;
		*top++ = t;
	}
	cache->len += top - start;
	fp->frees[cls] += top - start;
	fp->type_in_use[MTAG_TYPE_SLOT(type)] -= top - start;
	if (likely(i == 0))
		return;
general:
	mtag_delete_chain_burst_general(pkts + (n + i), -i);
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

/* Prepend new tag src[i] to pkts[i] for each i < n, its header written
 * from hdr; data[i] is its data. Returns n, or the index of the first NULL
 * packet (the packets before it have their tag). Kept apart from
 * mtag_add_burst() so that the loop has the registers to itself; the loop
 * returns the index counted from the end, so that n need not stay in one. */
static __rte_always_inline unsigned int
mtag_attach_new(struct rte_mbuf **pkts, struct mtag **src, void **data, unsigned int n,
		uint64_t hdr, uint64_t bit)
{
	const uint64_t flag = mtag_dynflag_mask;
	const int off = mtag_dynfield_offset;
	struct rte_mbuf **const pkts_end = pkts + n;
	struct mtag **const src_end = src + n;
	void **const data_end = data + n;
	struct rte_mbuf *m;
	struct mtag *t;
	intptr_t i;

	for (i = -(intptr_t)n; i != 0; i++) {
		m = pkts_end[i];
		t = src_end[i];
		if (unlikely(m == NULL))
			break;
		memcpy(&t->type, &hdr, sizeof(hdr));
#ifdef MTAG_DEBUG
		mtag_dbg(t)->owner = m;
#endif
		__mtag_link(m, t, bit, flag, off);
		data_end[i] = t + 1;
	}
	return n + i;
}

/* mtag_add_burst() in chunks, for any thread, burst size and build. */
static __rte_noinline unsigned int
mtag_add_burst_slow(struct rte_mbuf **pkts, uint16_t n, uint16_t type, uint16_t len, int flags,
		    void **data)
{
	const uint64_t bit = MTAG_SUMMARY_BIT(type);
	const uint64_t hdr = __mtag_hdr_word(MTAG_ABI_COMPAT, type, len);
	struct mtag *tags[MTAG_ADD_CHUNK], **src;
	struct mtag_thread *th;
	unsigned int cls, done, chunk, i;

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
		mtag_attach_new(pkts + done, src, data + done, chunk, hdr, bit);
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

/* mtag_add_burst() found a NULL packet at index i: the packets before it
 * lose their new tag, and the n tags taken go back onto the cache they lie
 * on, uncounted. */
static __rte_noinline unsigned int
mtag_add_burst_refused(struct rte_mempool_cache *cache, struct rte_mbuf **pkts, unsigned int i,
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

/* The common case, in one pass and without a call: a burst the calling
 * lcore's cache can give (the inline get's view, struct mtag_fp), no
 * MTAG_ZERO, a release build. The tags are used where they lie on top of
 * the cache, taken and counted first (the checks of __mtag_take()), so that
 * the loop has the registers to itself. A NULL packet's burst gives them
 * back onto the cache they were taken from, which only this thread changes
 * (not through the view, which mtag_views_reset() may have emptied since). */
unsigned int
mtag_add_burst(struct rte_mbuf **pkts, uint16_t n, uint16_t type, uint16_t len, int flags,
	       void **data)
{
	struct mtag_fp *fp = RTE_PER_LCORE(mtag_lcore_fp);
	const unsigned int cls = mtag_class_of_len[len];
	struct rte_mempool_cache *cache = fp->get[cls];
	struct mtag **src;
	unsigned int i;

	MTAG_DEBUG_SITE();
	/* n - 1: a burst of 0 has its arguments checked on the general path. */
	if (unlikely(n - 1U >= MTAG_ADD_CHUNK || flags != 0 || pkts == NULL || data == NULL ||
		     !mtag_type_known[type] || cache->len < n))
		return mtag_add_burst_slow(pkts, n, type, len, flags, data);
	cache->len -= n;
	fp->allocs[cls] += n;
	fp->type_in_use[type] += n;
	src = (struct mtag **)&cache->objs[cache->len];
	i = mtag_attach_new(pkts, src, data, n, __mtag_hdr_word(MTAG_ABI_COMPAT, type, len),
			    MTAG_SUMMARY_BIT(type));
	if (unlikely(i != n))
		return mtag_add_burst_refused(cache, pkts, i, n, type, len);
	return n;
}
