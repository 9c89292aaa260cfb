/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

#ifndef MTAG_PVT_H
#define MTAG_PVT_H

/**
 * @file
 * The inline bodies of mtag.h's fast path; not part of the API. Include
 * mtag.h, not this file.
 *
 * What they rely on, set up by the library and checked there (static
 * assertions below and in mtag_priv.h, RTE_ASSERT in a -Dmtag_debug=true
 * build):
 *
 * 1. RTE_PER_LCORE(mtag_lcore_self) is never NULL, nor is any cache it
 *    names. A cache the thread must not use (before init, after fini, a
 *    thread without an lcore id, a put that must run a destructor) has len
 *    0 and size 0: every take finds it short and every put finds it full,
 *    and goes out of line, where the library sorts the case out.
 * 2. A cache holds len <= size free tags of its class, all from the pool
 *    its lcore draws from; only the thread holding the lcore id uses it.
 * 3. A take leaves its tags where they lie, above the cache's new len: they
 *    are the caller's from then on, and the caller reads them before the
 *    thread's next put, which may overwrite those slots.
 * 4. mtag_tables has an entry for every uint16_t, so nothing is bounds
 *    tested: class_of_len gives MTAG_CLASS_MAX for a len no class holds,
 *    whose cache is the empty one; type_known is 0 from MTAG_TYPE_MAX up.
 * 5. A tag's type, len and cookie are one 8-byte word after its next, in
 *    that order: one store writes them, and one compare tests type and
 *    cookie with the len masked out.
 * 6. A packet's flag is set only while its chain has a head.
 * 7. A -Dmtag_debug=true build checks every tag out of line: there the
 *    inline paths take no tag and give none back.
 */

#ifndef MTAG_H
#error "include mtag.h, not mtag_pvt.h"
#endif

#ifdef __cplusplus
extern "C" {
#define MTAG_STATIC_ASSERT(e, msg) static_assert(e, msg)
#else
#define MTAG_STATIC_ASSERT(e, msg) _Static_assert(e, msg)
#endif

MTAG_STATIC_ASSERT(offsetof(struct mtag, len) == offsetof(struct mtag, type) + 2 &&
			   offsetof(struct mtag, cookie) == offsetof(struct mtag, type) + 4 &&
			   sizeof(struct mtag) == offsetof(struct mtag, type) + 8,
		   "struct mtag: type, len and cookie are one word ending the header (5)");
MTAG_STATIC_ASSERT((MTAG_TYPE_MAX & (MTAG_TYPE_MAX - 1)) == 0 && MTAG_TYPE_MAX <= UINT16_MAX,
		   "MTAG_TYPE_SLOT() masks a type id to a counter (4)");
MTAG_STATIC_ASSERT(MTAG_CLASS_MAX < UINT8_MAX, "class_of_len holds MTAG_CLASS_MAX (4)");

#ifdef MTAG_DEBUG
#define MTAG_INLINE_TAGS 0 /* (7) */
#else
#define MTAG_INLINE_TAGS 1
#endif

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
 * @internal A tag's type, len and cookie as one word (5).
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
	 * constant len in one OR. */
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
 * @internal A tag's type and len as one word: tags that share it go back to
 * one cache and are counted under one type.
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
 * @internal Take @p n tags of a type and len off the calling lcore's cache,
 * counted, where the inline path applies: a known type, at least @p n
 * tags on the cache, @p n not 0. Makes no call.
 *
 * @param type
 *   Type id.
 * @param len
 *   Bytes of data.
 * @param n
 *   Number of tags.
 * @return
 *   The cache: the tags are the @p n objects above its len (3), no header
 *   written; NULL with nothing taken.
 */
static __rte_always_inline struct mtag_cache *
__mtag_take(uint16_t type, uint16_t len, unsigned int n)
{
	struct mtag_lcore *lc;
	struct mtag_cache *c;

	if (!MTAG_INLINE_TAGS)
		return NULL;
	lc = RTE_PER_LCORE(mtag_lcore_self);
	c = lc->cache[mtag_tables.class_of_len[len]];
	/* n - 1: a take of 0 goes out of line, which checks it (1). */
	if (unlikely(!mtag_tables.type_known[type] || n - 1 >= c->len))
		return NULL;
	c->len -= n;
	c->allocs += n;
	lc->type_in_use[type] += n;
	return c;
}

/**
 * @internal Put one tag, on no chain, onto the calling lcore's cache,
 * counted, where the inline path applies: room on the put cache (1).
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
	struct mtag_lcore *lc;
	struct mtag_cache *c;

	if (!MTAG_INLINE_TAGS)
		return false;
	lc = RTE_PER_LCORE(mtag_lcore_self);
	c = lc->put[mtag_tables.class_of_len[t->len]];
	if (unlikely(c->len >= c->size))
		return false;
	c->objs[c->len++] = t;
	c->frees++;
	lc->type_in_use[MTAG_TYPE_SLOT(t->type)]--;
	return true;
}

/**
 * @internal A tag off the lcore's cache (see __mtag_take()) where no flag
 * is given, its header word written and its next left to the caller; NULL
 * otherwise. Makes no call.
 *
 * @param type
 *   Type id.
 * @param len
 *   Bytes of data.
 * @param flags
 *   Flags of mtag_get().
 * @return
 *   The tag, or NULL.
 */
static __rte_always_inline struct mtag *
__mtag_get_fast(uint16_t type, uint16_t len, int flags)
{
	struct mtag_cache *c;
	struct mtag *t;
	uint64_t hdr;

	if (unlikely(flags != 0))
		return NULL;
	c = __mtag_take(type, len, 1);
	if (unlikely(c == NULL))
		return NULL;
	t = c->objs[c->len];
	hdr = __mtag_hdr_word(MTAG_ABI_COMPAT, type, len);
	memcpy(&t->type, &hdr, sizeof(hdr));
	return t;
}

/** @internal mtag_get(): a tag off the lcore's cache, or the out-of-line body. */
static __rte_always_inline struct mtag *
__mtag_do_get(uint16_t type, uint16_t len, int flags)
{
	struct mtag *t = __mtag_get_fast(type, len, flags);

	if (unlikely(t == NULL))
		return mtag_alloc(MTAG_ABI_COMPAT, type, len, flags);
	t->next = NULL;
	return t;
}

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
 * @param tagged
 *   A constant: whether the code is to be laid out for a tagged packet
 *   (a burst search, which expects hits) or for an untagged one (a scalar
 *   search, whose common case is a miss on a fresh packet).
 * @return
 *   The first matching tag after @p start, or NULL.
 */
static __rte_always_inline struct mtag *
__mtag_locate(const struct rte_mbuf *m, uint32_t cookie, uint16_t type, const struct mtag *start,
	      uint64_t flag, int off, const bool tagged)
{
	const uint64_t key = __mtag_hdr_word(cookie, type, 0);
	const struct mtag_chain *c;
	struct mtag *t;

	/* Laid out as the caller expects, so that its loop takes no branch
	 * in the common case: an untagged miss or a tagged packet. */
	if (m == NULL || __builtin_expect(!(m->ol_flags & flag), !tagged))
		return NULL;
	c = RTE_MBUF_DYNFIELD(m, off, const struct mtag_chain *);
	if (start == NULL) {
#ifdef MTAG_DEBUG
		if (mtag_debug_check_chain(m) != 0)
			return NULL;
#endif
		/* The newest tag first: on a hit there, the common case, the
		 * summary is not read. */
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
 * one vector: one store writes both.
 */
typedef uint64_t __mtag_head16_t __attribute__((vector_size(16), aligned(8)));

/** @internal Whether struct mtag is its next and header words, 16 bytes. */
#define MTAG_HEAD16 (sizeof(void *) == 8 && sizeof(struct mtag) == 16)

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
	t->next = NULL;
	__mtag_link_new(m, t, MTAG_SUMMARY_BIT(t->type), flag, off);
}

/**
 * @internal mtag_add(): a tag off the lcore's cache linked to @p m, or the
 * out-of-line body.
 */
static __rte_always_inline void *
__mtag_do_add(struct rte_mbuf *m, uint16_t type, uint16_t len, int flags)
{
	struct mtag *t;

	if (unlikely(m == NULL))
		return __mtag_add(m, type, len, flags);
	t = __mtag_get_fast(type, len, flags);
	if (unlikely(t == NULL))
		return __mtag_add(m, type, len, flags);
	t->next = NULL;
	__mtag_link_new(m, t, MTAG_SUMMARY_BIT(type), mtag_dynflag_mask, mtag_dynfield_offset);
	return t + 1;
}

/**
 * @internal mtag_delete_chain(): a packet's only tag onto the lcore's cache
 * without a call, anything else out of line.
 */
static __rte_always_inline void
__mtag_do_delete_chain(struct rte_mbuf *m)
{
	const uint64_t flag = mtag_dynflag_mask;
	struct mtag *t;

	if (m == NULL || !(m->ol_flags & flag))
		return;
	t = mtag_chain_of(m)->head;
	if (likely(t->next == NULL && __mtag_put(t)))
		m->ol_flags &= ~flag;
	else
		__mtag_delete_chain(m);
}

/**
 * @internal Prepend new tag @c src[i] to @c pkts[i] for each i < @p n, its
 * next and header written from @p hdr; @c data[i] is its data (@p data may
 * be @p src: each entry is read before it is written). Stops at the first
 * NULL packet. The index counts up to 0 from -n over the arrays' ends, so
 * that the increment ends the loop and @p n need not stay in a register.
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
 * @internal mtag_add_burst(): the tags used where they lie on the lcore's
 * cache (3), taken and counted before the loop so that the loop has the
 * registers to itself; a NULL packet gives them back. Anything else out of
 * line.
 */
static __rte_always_inline unsigned int
__mtag_do_add_burst(struct rte_mbuf **pkts, uint16_t n, uint16_t type, uint16_t len, int flags,
		    void **data)
{
	struct mtag_cache *c;
	unsigned int i;

	if (unlikely(flags != 0 || pkts == NULL || data == NULL))
		return __mtag_add_burst(pkts, n, type, len, flags, data);
	c = __mtag_take(type, len, n);
	if (unlikely(c == NULL))
		return __mtag_add_burst(pkts, n, type, len, flags, data);
	i = __mtag_attach_new(pkts, &c->objs[c->len], data, n,
			      __mtag_hdr_word(MTAG_ABI_COMPAT, type, len), MTAG_SUMMARY_BIT(type));
	if (unlikely(i != n))
		return __mtag_add_burst_refused(c, pkts, i, n, type);
	return n;
}

/**
 * @internal mtag_delete_chain_burst(): the common case without a call,
 * every tagged packet's only tag of the first one's type and len onto the
 * lcore's put cache, which has room for one tag of every packet left. The
 * first packet not of it (another type or len, a chain of two, a cache
 * without room, a thread that must go out of line (1)) hands itself and the
 * rest of the burst to __mtag_delete_chain_burst().
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
__mtag_do_delete_chain_burst(struct rte_mbuf **pkts, uint16_t n, const bool null_entries)
{
	struct rte_mbuf **pkts_end;
	struct mtag_lcore *lc;
	struct mtag_cache *c;
	struct mtag **top, **start;
	struct rte_mbuf *m;
	struct mtag *t;
	uint16_t type;
	uint32_t key;
	uint64_t flag;
	intptr_t i;
	int off;

	if (unlikely(pkts == NULL))
		return;
	if (!MTAG_INLINE_TAGS) {
		__mtag_delete_chain_burst(pkts, n);
		return;
	}
	flag = mtag_dynflag_mask;
	off = mtag_dynfield_offset;
	pkts_end = pkts + n;
	for (i = -(intptr_t)n; i != 0; i++) {
		m = pkts_end[i];
		if ((!null_entries || m != NULL) && (m->ol_flags & flag))
			break;
	}
	if (i == 0)
		return;
	t = RTE_MBUF_DYNFIELD(m, off, struct mtag_chain *)->head;
	lc = RTE_PER_LCORE(mtag_lcore_self);
	c = lc->put[mtag_tables.class_of_len[t->len]];
	if (unlikely(c->len + (uint32_t)-i > c->size))
		goto general;
	key = __mtag_type_len_of(t);
	type = t->type;
	start = top = &c->objs[c->len];
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
	c->len += top - start;
	c->frees += top - start;
	lc->type_in_use[MTAG_TYPE_SLOT(type)] -= top - start;
	if (likely(i == 0))
		return;
general:
	__mtag_delete_chain_burst(pkts + (n + i), -i);
}

#ifdef __cplusplus
}
#endif

#endif /* MTAG_PVT_H */
