/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

#ifndef MTAG_CORE_H
#define MTAG_CORE_H

/**
 * @file
 * mtag internals: the chain's layout in the mbuf and the inline bodies of
 * the fast path. Nothing here is part of the API; it is public only because
 * the inline functions of mtag.h use it, and may change in any release.
 * Include mtag.h, not this file.
 */

#ifndef MTAG_H
#error "include mtag.h, not mtag_core.h"
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** @internal The mbuf dynamic field "mtag_dynfield_chain". */
struct mtag_chain {
	struct mtag *head; /**< Newest tag. */
	uint64_t summary;  /**< Bit (type % 64) set for every type on the chain. */
};

/** @internal Offset of struct mtag_chain in the mbuf; -1 before mtag_lib_init(). */
extern int mtag_dynfield_offset;
/** @internal ol_flags bit saying the chain field is valid; 0 before mtag_lib_init(). */
extern uint64_t mtag_dynflag_mask;

/** @internal Index of a type's counter of tags in use; any uint16_t maps to one. */
#define MTAG_TYPE_SLOT(type) ((type) & (MTAG_TYPE_MAX - 1))

/** @internal Summary bit of a type. */
#define MTAG_SUMMARY_BIT(type) (UINT64_C(1) << ((type)&63))

/**
 * @internal The chain field of an mbuf; valid only while mtag_is_tagged().
 *
 * @param m
 *   First mbuf of the packet.
 * @return
 *   Pointer to the mbuf's dynamic field.
 */
static __rte_always_inline struct mtag_chain *
mtag_chain_of(const struct rte_mbuf *m)
{
	return RTE_MBUF_DYNFIELD(m, mtag_dynfield_offset, struct mtag_chain *);
}

/**
 * @internal Whether an mbuf carries a valid chain field (its dynamic flag).
 *
 * @param m
 *   First mbuf of the packet.
 * @return
 *   Non-zero when tagged, 0 otherwise.
 */
static __rte_always_inline int
mtag_is_tagged(const struct rte_mbuf *m)
{
	return (m->ol_flags & mtag_dynflag_mask) != 0;
}

/**
 * @internal A tag's type, len and cookie as one word: one store writes them,
 * and a search compares type and cookie at once with the len masked out.
 *
 * @param cookie
 *   Module cookie.
 * @param type
 *   Type id.
 * @param len
 *   Bytes of data.
 * @return
 *   The word as struct mtag holds it from its type field on.
 */
static __rte_always_inline uint64_t
__mtag_hdr_word(uint32_t cookie, uint16_t type, uint16_t len)
{
	/* Shifts, not a struct copied out: gcc then builds the word from a
	 * constant len in one OR. The fields' order in memory is
	 * struct mtag's: type, len, cookie. */
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
	return (uint64_t)type | (uint64_t)len << 16 | (uint64_t)cookie << 32;
#else
	return (uint64_t)type << 48 | (uint64_t)len << 32 | cookie;
#endif
}

/**
 * @internal A tag's type and cookie as one word, its len masked out: equal
 * to __mtag_hdr_word(cookie, type, 0) for a tag of that type and cookie.
 *
 * @param t
 *   The tag.
 * @return
 *   The word.
 */
static __rte_always_inline uint64_t
__mtag_key_of(const struct mtag *t)
{
	uint64_t w;

	memcpy(&w, &t->type, sizeof(w));
	return w & ~__mtag_hdr_word(0, 0, UINT16_MAX);
}

/**
 * @internal A tag's type and len as one word: a change of either ends a run
 * of tags that go back to one cache and are counted under one type.
 *
 * @param t
 *   The tag.
 * @return
 *   The word.
 */
static __rte_always_inline uint32_t
__mtag_type_len_of(const struct mtag *t)
{
	uint32_t w;

	memcpy(&w, &t->type, sizeof(w));
	return w;
}

/**
 * @internal What the inline mtag_get(), mtag_add() and mtag_delete_chain()
 * read of the calling lcore, as ethdev's rte_eth_fp_ops serves
 * rte_eth_rx_burst(): the lcore's mempool caches and counters. A thread's
 * first out-of-line call after mtag_lib_init() fills its lcore's and points
 * mtag_lcore_fp at it; mtag_lib_init(), mtag_lib_fini() and
 * mtag_type_set_destructor() empty every lcore's. No pointer is ever NULL:
 * where the inline path must not be taken, a cache is an empty one, with no
 * room, which sends the inline function to its out-of-line body.
 */
struct mtag_fp {
	/**
	 * Per size class, the cache tags are taken from (the empty one in a
	 * debug build, for a thread without a cache, or before the fill). The
	 * entry at MTAG_CLASS_MAX, the class of a len no class holds, is
	 * always the empty one.
	 */
	struct rte_mempool_cache *get[MTAG_CLASS_MAX + 1];
	/**
	 * Per size class, the cache a tag may go back to with no destructor
	 * to run and no pool to look up; the empty one where it may not (as
	 * for get, or pools on more than one socket, or a destructor set).
	 */
	struct rte_mempool_cache *put[MTAG_CLASS_MAX + 1];
	uint64_t *allocs;     /**< The lcore's counters of tags had, per class. */
	uint64_t *frees;      /**< The lcore's counters of tags given back, per class. */
	int64_t *type_in_use; /**< The lcore's counters of tags in use, per type. */
} __rte_cache_aligned;

/** @internal The calling thread's lcore's struct mtag_fp; never NULL. */
RTE_DECLARE_PER_LCORE(struct mtag_fp *, mtag_lcore_fp);
/**
 * @internal Size class of each len; MTAG_CLASS_MAX where no class holds it
 * (every uint16_t has an entry: no bounds test on the fast path).
 */
extern uint8_t mtag_class_of_len[UINT16_MAX + 1];
/** @internal Non-zero for a type id this process knows is registered. */
extern uint8_t mtag_type_known[UINT16_MAX + 1];

/**
 * @internal The out-of-line body of mtag_get(), for every case; call
 * mtag_get().
 *
 * @param type
 *   Type id.
 * @param len
 *   Bytes of data.
 * @param flags
 *   Flags of mtag_get().
 * @return
 *   As mtag_get().
 */
struct mtag *__mtag_get(uint16_t type, uint16_t len, int flags);

/**
 * @internal The out-of-line body of mtag_add(), for every case; call
 * mtag_add().
 *
 * @param m
 *   First mbuf of the packet.
 * @param type
 *   Type id.
 * @param len
 *   Bytes of data.
 * @param flags
 *   Flags of mtag_add().
 * @return
 *   As mtag_add().
 */
void *__mtag_add(struct rte_mbuf *m, uint16_t type, uint16_t len, int flags);

/**
 * @internal The out-of-line body of mtag_delete_chain(), for every case;
 * call mtag_delete_chain().
 *
 * @param m
 *   First mbuf of the packet.
 */
void __mtag_delete_chain(struct rte_mbuf *m);

/**
 * @internal Take @p n tags of a type and len off the top of the calling
 * lcore's cache, counted, where the fast path applies: a filled view, a
 * known type, at least @p n tags on the cache, @p n not 0. Makes no call.
 * The tags stay where they lie, on the cache above its new length, until
 * the calling thread's next get or put.
 *
 * @param type
 *   Type id.
 * @param len
 *   Bytes of data.
 * @param n
 *   Number of tags.
 * @return
 *   The cache the tags lie on: they are the @p n objects above its length
 *   (no header written); NULL with nothing taken.
 */
static __rte_always_inline struct rte_mempool_cache *
__mtag_take(uint16_t type, uint16_t len, unsigned int n)
{
	struct mtag_fp *fp = RTE_PER_LCORE(mtag_lcore_fp);
	const unsigned int cls = mtag_class_of_len[len];
	struct rte_mempool_cache *cache = fp->get[cls];

	/* n - 1: a take of 0 goes to the general path, which checks it. */
	if (unlikely(!mtag_type_known[type] || n - 1 >= cache->len))
		return NULL;
	cache->len -= n;
	fp->allocs[cls] += n;
	fp->type_in_use[type] += n;
	return cache;
}

/**
 * @internal mtag_get() where the calling lcore's cache can give a tag (see
 * __mtag_take()) and no flags are given; NULL otherwise (the caller then
 * takes the out-of-line path, which handles every case). Makes no call.
 * The tag's next is left to the caller, which writes it anyway.
 *
 * @param type
 *   Type id.
 * @param len
 *   Bytes of data.
 * @param flags
 *   Flags of mtag_get().
 * @return
 *   The tag, its type, len and cookie written, or NULL.
 */
static __rte_always_inline struct mtag *
__mtag_get_fast(uint16_t type, uint16_t len, int flags)
{
	struct rte_mempool_cache *cache;
	struct mtag *t;
	uint64_t hdr;

	if (unlikely(flags != 0))
		return NULL;
	cache = __mtag_take(type, len, 1);
	if (unlikely(cache == NULL))
		return NULL;
	t = (struct mtag *)cache->objs[cache->len];
	hdr = __mtag_hdr_word(MTAG_ABI_COMPAT, type, len);
	memcpy(&t->type, &hdr, sizeof(hdr));
	return t;
}

/**
 * @internal Put one tag, on no chain, straight back onto the calling lcore's
 * cache, counted, where the fast path applies: a filled view that allows it
 * (no destructor to run, the pools on one socket) and room on the cache.
 * Makes no call.
 *
 * @param t
 *   The tag.
 * @return
 *   Whether the tag went back; false with nothing done otherwise.
 */
static __rte_always_inline bool
__mtag_put(struct mtag *t)
{
	struct mtag_fp *fp = RTE_PER_LCORE(mtag_lcore_fp);
	const unsigned int cls = mtag_class_of_len[t->len];
	struct rte_mempool_cache *cache = fp->put[cls];

	if (unlikely(cache->len >= cache->flushthresh))
		return false;
	cache->objs[cache->len++] = t;
	fp->frees[cls]++;
	fp->type_in_use[MTAG_TYPE_SLOT(t->type)]--;
	return true;
}

/**
 * @internal mtag_delete_chain() of a packet whose only tag can go straight
 * back onto the calling lcore's cache; false, with nothing done, otherwise.
 * Makes no call.
 *
 * @param m
 *   A tagged packet.
 * @param flag
 *   mtag_dynflag_mask.
 * @return
 *   Whether the packet is untagged now.
 */
static __rte_always_inline bool
__mtag_delete_chain_fast(struct rte_mbuf *m, uint64_t flag)
{
	struct mtag *t = mtag_chain_of(m)->head;

	if (unlikely(t->next != NULL || !__mtag_put(t)))
		return false;
	m->ol_flags &= ~flag;
	return true;
}

#ifdef MTAG_DEBUG
/** @internal Debug build: check a prepend; 0 when it may go on. */
int mtag_debug_check_prepend(const struct rte_mbuf *m, const struct mtag *t);
/** @internal Debug build: check that m's chain belongs to m; 0 when it does. */
int mtag_debug_check_chain(const struct rte_mbuf *m);
#endif

/**
 * @internal mtag_locate() with the flag and the field offset given: a burst
 * loop reads them once, where its own stores would make the compiler reload
 * the globals for every packet.
 *
 * @param m
 *   First mbuf of the packet.
 * @param cookie
 *   Module cookie.
 * @param type
 *   Type id.
 * @param start
 *   Search after this tag; NULL to search from the newest.
 * @param flag
 *   mtag_dynflag_mask.
 * @param off
 *   mtag_dynfield_offset.
 * @return
 *   The first matching tag after @p start, or NULL.
 */
static __rte_always_inline struct mtag *
__mtag_locate(const struct rte_mbuf *m, uint32_t cookie, uint16_t type, const struct mtag *start,
	      uint64_t flag, int off)
{
	const uint64_t key = __mtag_hdr_word(cookie, type, 0);
	const struct mtag_chain *c;
	struct mtag *t;

	/* A miss on an untagged packet costs the ol_flags test; it is laid
	 * out as the straight path, so that in a loop it takes no branch. */
	if (m == NULL || likely(!(m->ol_flags & flag)))
		return NULL;
	c = RTE_MBUF_DYNFIELD(m, off, const struct mtag_chain *);
	if (start == NULL) {
#ifdef MTAG_DEBUG
		if (mtag_debug_check_chain(m) != 0)
			return NULL;
#endif
		/* The newest tag first, type and cookie as one word: on a hit
		 * there, the common case, the summary is not read. */
		t = c->head;
		if (likely(__mtag_key_of(t) == key))
			return t;
	} else {
		t = (struct mtag *)(uintptr_t)start;
	}
	if (!(c->summary & MTAG_SUMMARY_BIT(type)))
		return NULL;
	for (t = t->next; t != NULL; t = t->next)
		if (__mtag_key_of(t) == key)
			return t;
	return NULL;
}

/**
 * @internal A new tag's first 16 bytes, a NULL next and the header word, as
 * one vector: one store writes both (gcc and clang make it one instruction).
 */
typedef uint64_t __mtag_head16_t __attribute__((vector_size(16), aligned(8)));

/** @internal Whether struct mtag begins with its next and header words. */
#define MTAG_HEAD16 (sizeof(void *) == 8 && offsetof(struct mtag, type) == 8)

/**
 * @internal Write a new tag's NULL next and header word.
 *
 * @param t
 *   The tag.
 * @param head
 *   {0, the header word (__mtag_hdr_word())}, built once per burst.
 */
static __rte_always_inline void
__mtag_head_init(struct mtag *t, __mtag_head16_t head)
{
	uint64_t hdr;

	if (MTAG_HEAD16) {
		memcpy(t, &head, sizeof(head));
	} else {
		hdr = head[1];
		t->next = NULL;
		memcpy(&t->type, &hdr, sizeof(hdr));
	}
}

/**
 * @internal Link @p t, a tag on no chain whose next is NULL, as the newest
 * of @p m's; no checks (its callers make them).
 *
 * @param m
 *   First mbuf of the packet.
 * @param t
 *   The tag.
 * @param bit
 *   MTAG_SUMMARY_BIT(t->type).
 * @param flag
 *   mtag_dynflag_mask.
 * @param off
 *   mtag_dynfield_offset.
 */
static __rte_always_inline void
__mtag_link_new(struct rte_mbuf *m, struct mtag *t, uint64_t bit, uint64_t flag, int off)
{
	struct mtag_chain *c = RTE_MBUF_DYNFIELD(m, off, struct mtag_chain *);

	/* A packet's first tag, the common case, falls through. */
	if (likely(!(m->ol_flags & flag))) {
		c->summary = bit;
		m->ol_flags |= flag;
	} else {
		t->next = c->head;
		c->summary |= bit;
	}
	c->head = t;
}

/**
 * @internal Link @p t, a tag on no chain, as the newest of @p m's; no checks
 * (its callers make them).
 *
 * @param m
 *   First mbuf of the packet.
 * @param t
 *   The tag.
 * @param bit
 *   MTAG_SUMMARY_BIT(t->type).
 * @param flag
 *   mtag_dynflag_mask.
 * @param off
 *   mtag_dynfield_offset.
 */
static __rte_always_inline void
__mtag_link(struct rte_mbuf *m, struct mtag *t, uint64_t bit, uint64_t flag, int off)
{
	t->next = NULL;
	__mtag_link_new(m, t, bit, flag, off);
}

/**
 * @internal mtag_prepend() with the flag and the field offset given (see
 * __mtag_locate()).
 *
 * @param m
 *   First mbuf of the packet.
 * @param t
 *   A tag on no chain.
 * @param flag
 *   mtag_dynflag_mask.
 * @param off
 *   mtag_dynfield_offset.
 */
static __rte_always_inline void
__mtag_prepend(struct rte_mbuf *m, struct mtag *t, uint64_t flag, int off)
{
	if (m == NULL || t == NULL)
		return;
#ifdef MTAG_DEBUG
	if (mtag_debug_check_prepend(m, t) != 0)
		return;
#endif
	__mtag_link(m, t, MTAG_SUMMARY_BIT(t->type), flag, off);
}

/**
 * @internal Prepend new tag @c src[i] to @c pkts[i] for each i < @p n, its
 * header written from @p hdr; @c data[i] is its data. Stops at the first
 * NULL packet (the packets before it have their tag). The index counts
 * from the arrays' ends, so that @p n need not stay in a register.
 *
 * @param pkts
 *   Packets.
 * @param src
 *   New tags, on no chain.
 * @param data
 *   Array of @p n entries for the tags' data.
 * @param n
 *   Number of packets.
 * @param hdr
 *   The tags' header word (__mtag_hdr_word()).
 * @param bit
 *   MTAG_SUMMARY_BIT() of their type.
 * @return
 *   @p n, or the index of the first NULL packet.
 */
static __rte_always_inline unsigned int
__mtag_attach_new(struct rte_mbuf **pkts, struct mtag **src, void **data, unsigned int n,
		  uint64_t hdr, uint64_t bit)
{
	const uint64_t flag = mtag_dynflag_mask;
	const int off = mtag_dynfield_offset;
	struct rte_mbuf **const pkts_end = pkts + n;
	struct mtag **const src_end = src + n;
	void **const data_end = data + n;
	const __mtag_head16_t head = {0, hdr};
	struct rte_mbuf *m;
	struct mtag *t;
	intptr_t i;

	for (i = -(intptr_t)n; i != 0; i++) {
		m = pkts_end[i];
		t = src_end[i];
		if (unlikely(m == NULL))
			break;
		__mtag_head_init(t, head);
		__mtag_link_new(m, t, bit, flag, off);
		data_end[i] = t + 1;
	}
	return n + i;
}

/**
 * @internal The out-of-line body of mtag_delete_chain_burst(), for every
 * case; call mtag_delete_chain_burst().
 *
 * @param pkts
 *   Packets.
 * @param n
 *   Number of packets.
 */
void __mtag_delete_chain_burst(struct rte_mbuf **pkts, uint16_t n);

/**
 * @internal The out-of-line body of mtag_add_burst(), for every case; call
 * mtag_add_burst().
 *
 * @param pkts
 *   Packets.
 * @param n
 *   Number of packets.
 * @param type
 *   Type id.
 * @param len
 *   Bytes of data of each tag.
 * @param flags
 *   Flags of mtag_add_burst().
 * @param data
 *   Array of @p n entries for the tags' data.
 * @return
 *   As mtag_add_burst().
 */
unsigned int __mtag_add_burst(struct rte_mbuf **pkts, uint16_t n, uint16_t type, uint16_t len,
			      int flags, void **data);

/**
 * @internal The inline mtag_add_burst() met a NULL packet at index @p i,
 * having taken @p n tags off @p cache: the packets before it lose their new
 * tag, and the tags go back onto @p cache (not through the lcore's view,
 * which may have been emptied since), uncounted.
 *
 * @param cache
 *   The cache the tags were taken from.
 * @param pkts
 *   Packets.
 * @param i
 *   Index of the NULL packet.
 * @param n
 *   Number of packets, and of tags taken.
 * @param type
 *   Type id.
 * @param len
 *   Bytes of data of each tag.
 * @return
 *   0, with rte_errno = EINVAL.
 */
unsigned int __mtag_add_burst_refused(struct rte_mempool_cache *cache, struct rte_mbuf **pkts,
				      unsigned int i, unsigned int n, uint16_t type, uint16_t len);

/**
 * @internal mtag_delete_chain_burst()'s inline body: the common case without
 * a call, everything else through __mtag_delete_chain_burst().
 *
 * @param pkts
 *   Packets.
 * @param n
 *   Number of packets.
 * @param null_entries
 *   Whether @p pkts may hold NULL entries (a constant: false for a TX burst,
 *   every entry of which a PMD dereferences).
 */
static __rte_always_inline void
__mtag_delete_chain_burst_inline(struct rte_mbuf **pkts, uint16_t n, const bool null_entries)
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

	/* The common case without a call: every tagged packet's only tag of
	 * the first one's type and len, onto the lcore's cache (the inline
	 * put's view), which has room for one tag of every packet left; the
	 * view's empty cache, which has none, sends other threads and builds
	 * out of line, and so does, with the rest of the burst, the first
	 * packet not of the common case. */
	if (unlikely(pkts == NULL))
		return;
	pkts_end = pkts + n;
	for (i = -(intptr_t)n; i != 0; i++) {
		m = pkts_end[i];
		if ((!null_entries || m != NULL) && (m->ol_flags & flag))
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
	key = __mtag_type_len_of(t);
	type = t->type;
	start = top = (void **)&cache->objs[cache->len];
	for (; i != 0; i++) {
		m = pkts_end[i];
		if ((null_entries && m == NULL) || !(m->ol_flags & flag))
			continue;
		t = RTE_MBUF_DYNFIELD(m, off, struct mtag_chain *)->head;
		if (unlikely(t->next != NULL || __mtag_type_len_of(t) != key))
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
	__mtag_delete_chain_burst(pkts + (n + i), -i);
}

#ifdef __cplusplus
}
#endif

#endif /* MTAG_CORE_H */
