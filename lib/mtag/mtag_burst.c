/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/* Burst and fused forms: mtag_prepend_burst() and mtag_find_burst(), and
 * the general body of the inline mtag_add_burst() (mtag_pvt.h). Each is one
 * pass over the burst with the dynamic flag and field offset read once
 * (stores to the packets would otherwise make the compiler reload them for
 * every packet).
 *
 * The loops run an index from -n up to 0 over pointers to the arrays' ends:
 * the increment's own flags end the loop, an instruction less per packet
 * than a compare with n. */

#include <errno.h>

#include <rte_errno.h>

#include "mtag_priv.h"

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
	struct rte_mbuf **pkts_end;
	struct mtag **out_end;
	uint16_t found = 0;
	struct mtag *t;
	intptr_t i;

	if (pkts == NULL || out == NULL)
		return 0;
	pkts_end = pkts + n;
	out_end = out + n;
	for (i = -(intptr_t)n; i != 0; i++) {
		t = __mtag_locate(pkts_end[i], MTAG_ABI_COMPAT, type, NULL, flag, off, true);
		out_end[i] = t;
		found += t != NULL;
	}
	return found;
}

/* Take back the newest tag of each of the first n packets of an
 * mtag_add_burst() that could not finish; each summary is rebuilt exact. */
static void
mtag_add_burst_undo(struct rte_mbuf **pkts, unsigned int n)
{
	struct mtag_chain *c;
	struct mtag *t;
	unsigned int i;

	for (i = 0; i < n; i++) {
		c = mtag_chain_of(pkts[i]);
		t = c->head;
		c->head = t->next;
		t->next = NULL;
		if (c->head == NULL)
			pkts[i]->ol_flags &= ~mtag_dynflag_mask;
		else
			c->summary = mtag_chain_summary(c->head);
	}
}

unsigned int
__mtag_add_burst(struct rte_mbuf **pkts, uint16_t n, uint16_t type, uint16_t len, int flags,
		 void **data)
{
	struct mtag_lcore *lc;
	struct mtag **src;
	unsigned int i;

	MTAG_DEBUG_SITE();
	if (unlikely(pkts == NULL || data == NULL ||
		     !mtag_args_valid(MTAG_ABI_COMPAT, type, len))) {
		rte_errno = EINVAL;
		return 0;
	}
	/* Bad input changes nothing, counters included. A chain that is not
	 * the packet's own is refused (and counted) in a debug build. */
	for (i = 0; i < n; i++)
		if (pkts[i] == NULL || mtag_debug_refused(pkts[i])) {
			rte_errno = EINVAL;
			return 0;
		}
	if (n == 0)
		return 0;
	/* data[] is scratch for the tags the cache cannot lend. */
	lc = mtag_lcore_get();
	src = mtag_cache_take(lc, mtag_tables.class_of_len[len], (struct mtag **)data, n);
	if (unlikely(src == NULL)) {
		rte_errno = ENOMEM;
		return 0;
	}
	__mtag_attach_new(pkts, src, data, n, __mtag_hdr_word(MTAG_ABI_COMPAT, type, len),
			  MTAG_SUMMARY_BIT(type));
	for (i = 0; i < n; i++) {
#ifdef MTAG_DEBUG
		mtag_dbg((struct mtag *)data[i] - 1)->owner = pkts[i];
#endif
		if (unlikely(flags & MTAG_ZERO))
			memset(data[i], 0, len);
	}
	mtag_count_type(lc, type, n);
	return n;
}

unsigned int
__mtag_add_burst_refused(struct mtag_cache *cache, struct rte_mbuf **pkts, unsigned int i,
			 unsigned int n, uint16_t type)
{
	struct mtag_lcore *lc = RTE_PER_LCORE(mtag_lcore_self);

	mtag_add_burst_undo(pkts, i);
	lc->type_in_use[type] -= n;
	cache->allocs -= n;
	cache->len += n;
	rte_errno = EINVAL;
	return 0;
}
