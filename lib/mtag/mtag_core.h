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
	const struct mtag_chain *c;
	struct mtag *t;

	/* A miss on an untagged packet costs the ol_flags test, a miss on a
	 * packet carrying other types one more load and AND. The untagged miss
	 * is laid out as the straight path: in a burst loop it then costs no
	 * taken branch. */
	if (m == NULL || likely(!(m->ol_flags & flag)))
		return NULL;
	c = RTE_MBUF_DYNFIELD(m, off, const struct mtag_chain *);
	if (!(c->summary & MTAG_SUMMARY_BIT(type)))
		return NULL;
#ifdef MTAG_DEBUG
	if (start == NULL && mtag_debug_check_chain(m) != 0)
		return NULL;
#endif
	for (t = start != NULL ? start->next : c->head; t != NULL; t = t->next)
		if (t->type == type && t->cookie == cookie)
			return t;
	return NULL;
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
	struct mtag_chain *c = RTE_MBUF_DYNFIELD(m, off, struct mtag_chain *);

	/* A packet's first tag, the common case, falls through. */
	if (likely(!(m->ol_flags & flag))) {
		t->next = NULL;
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
	__mtag_link(m, t, MTAG_SUMMARY_BIT(t->type), flag, off);
}

#ifdef __cplusplus
}
#endif

#endif /* MTAG_CORE_H */
