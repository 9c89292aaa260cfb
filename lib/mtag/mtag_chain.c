/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/* Chain slow paths and burst forms. A chain is newest first; its summary
 * holds a bit for each type on it and is kept exact, so that a find for a
 * type that is gone stays a one-load miss. */

#include <errno.h>

#include "mtag_priv.h"

uint64_t
mtag_chain_summary(const struct mtag *t)
{
	uint64_t s = 0;

	for (; t != NULL; t = t->next)
		s |= MTAG_SUMMARY_BIT(t->type);
	return s;
}

/* Tags are freed in batches (see mtag_tags_release()). The batch is a plain
 * array and count of the caller's, so that the count stays in a register. */
#define MTAG_FREE_BATCH 64

/* Queue a detached list of tags for freeing. */
static inline void
mtag_batch_add(struct mtag **v, unsigned int *nb, struct mtag *t)
{
	struct mtag *next;

	for (; t != NULL; t = next) {
		next = t->next;
#ifdef MTAG_DEBUG
		mtag_dbg(t)->owner = NULL;
#endif
		v[(*nb)++] = t;
		if (unlikely(*nb == MTAG_FREE_BATCH)) {
			mtag_tags_release(v, *nb);
			*nb = 0;
		}
	}
}

static inline void
mtag_batch_flush(struct mtag **v, unsigned int nb)
{
	if (nb > 0)
		mtag_tags_release(v, nb);
}

/* Free a detached list of tags. */
static void
mtag_list_release(struct mtag *t)
{
	struct mtag *v[MTAG_FREE_BATCH];
	unsigned int nb = 0;

	/* A packet's only tag, the common case, needs no batch. */
	if (t != NULL && t->next == NULL) {
#ifdef MTAG_DEBUG
		mtag_dbg(t)->owner = NULL;
#endif
		mtag_tags_release(&t, 1);
		return;
	}
	mtag_batch_add(v, &nb, t);
	mtag_batch_flush(v, nb);
}

/* Detach m's chain and return it; m is untagged after. The flag and the
 * field offset are given, so that burst loops read them once. */
static inline struct mtag *
mtag_chain_detach_at(struct rte_mbuf *m, uint64_t flag, int off)
{
	if (!(m->ol_flags & flag))
		return NULL;
#ifdef MTAG_DEBUG
	/* An aliased chain (plain rte_pktmbuf_clone) is left alone: freeing
	 * it here would free the other packet's tags. */
	if (mtag_debug_check_chain(m) != 0) {
		m->ol_flags &= ~flag;
		return NULL;
	}
#endif
	m->ol_flags &= ~flag;
	RTE_ASSERT(RTE_MBUF_DYNFIELD(m, off, struct mtag_chain *)->head != NULL); /* (6) */
	return RTE_MBUF_DYNFIELD(m, off, struct mtag_chain *)->head;
}

static struct mtag *
mtag_chain_detach(struct rte_mbuf *m)
{
	return mtag_chain_detach_at(m, mtag_dynflag_mask, mtag_dynfield_offset);
}

/* Attach a detached list (may be NULL) as m's chain. */
static void
mtag_chain_attach(struct rte_mbuf *m, struct mtag *head, uint64_t summary)
{
	struct mtag_chain *c = mtag_chain_of(m);

	if (head == NULL)
		return;
	c->head = head;
	c->summary = summary;
	m->ol_flags |= mtag_dynflag_mask;
#ifdef MTAG_DEBUG
	mtag_debug_set_owner(head, m);
#endif
}

static int
mtag_chain_unlink(struct rte_mbuf *m, struct mtag *t)
{
	struct mtag_chain *c;
	struct mtag **pp;

	if (m == NULL || t == NULL || !mtag_is_tagged(m))
		return -EINVAL;
#ifdef MTAG_DEBUG
	if (mtag_debug_check_unlink(m, t) != 0)
		return -EINVAL;
#endif
	c = mtag_chain_of(m);
	for (pp = &c->head; *pp != t; pp = &(*pp)->next)
		if (*pp == NULL)
			return -ENOENT;
	*pp = t->next;
	t->next = NULL;
#ifdef MTAG_DEBUG
	mtag_dbg(t)->owner = NULL;
#endif
	if (c->head == NULL)
		m->ol_flags &= ~mtag_dynflag_mask;
	else
		c->summary = mtag_chain_summary(c->head);
	return 0;
}

void
mtag_unlink(struct rte_mbuf *m, struct mtag *t)
{
	mtag_chain_unlink(m, t);
}

void
mtag_delete(struct rte_mbuf *m, struct mtag *t)
{
	if (mtag_chain_unlink(m, t) == 0)
		mtag_tags_release(&t, 1);
}

/* The inline mtag_delete_chain() has tried the fast path for a packet's
 * only tag: what comes here takes the general one. */
void
__mtag_delete_chain(struct rte_mbuf *m)
{
	if (m != NULL)
		mtag_list_release(mtag_chain_detach(m));
}

int
mtag_copy_chain(struct rte_mbuf *to, const struct rte_mbuf *from)
{
	MTAG_DEBUG_SITE();
	/* BSD's word for tags running out (the library's own is ENOMEM); a
	 * copier's return, ENOMEM included, passes unchanged. */
	return mtag_chain_copy(to, from, -ENOBUFS);
}

int
mtag_chain_copy(struct rte_mbuf *to, const struct rte_mbuf *from, int nomem)
{
	struct mtag *head = NULL, **tail = &head, *s, *d;
	int err;

	if (to == NULL || from == NULL || mtag_state.shared == NULL)
		return -EINVAL;
	if (to == from)
		return 0;
	/* Build the whole copy first, so that a failure leaves 'to' as it was. */
	for (s = mtag_first(from); s != NULL; s = s->next) {
		d = mtag_tag_copy(s, nomem, &err);
		if (d == NULL) {
			mtag_list_release(head);
			return err;
		}
		*tail = d;
		tail = &d->next;
	}
	mtag_delete_chain(to);
	/* Same types as 'from': its summary, exact, serves the copy. */
	mtag_chain_attach(to, head, head != NULL ? mtag_chain_of(from)->summary : 0);
	return 0;
}

void
mtag_move(struct rte_mbuf *to, struct rte_mbuf *from)
{
	struct mtag *head;
	uint64_t summary;

	if (to == NULL || from == NULL || to == from)
		return;
	summary = mtag_is_tagged(from) ? mtag_chain_of(from)->summary : 0;
	head = mtag_chain_detach(from);
	mtag_delete_chain(to);
	mtag_chain_attach(to, head, summary);
}

/* The inline mtag_delete_chain_burst() has put what it could onto the
 * lcore's cache: the rest, of any kind, comes here. */
void
__mtag_delete_chain_burst(struct rte_mbuf **pkts, uint16_t n)
{
	const uint64_t flag = mtag_dynflag_mask;
	const int off = mtag_dynfield_offset;
	struct mtag *v[MTAG_FREE_BATCH];
	unsigned int nb = 0;
	uint16_t i;

	if (pkts == NULL)
		return;
	for (i = 0; i < n; i++)
		if (pkts[i] != NULL)
			mtag_batch_add(v, &nb, mtag_chain_detach_at(pkts[i], flag, off));
	mtag_batch_flush(v, nb);
}
