/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/* Chain slow paths and burst forms. A chain is newest first; its summary
 * holds a bit for each type on it and is kept exact, so that a find for a
 * type that is gone stays a one-load miss. */

#include <errno.h>

#include "mtag_priv.h"

static uint64_t
mtag_chain_summary(const struct mtag *t)
{
	uint64_t s = 0;

	for (; t != NULL; t = t->next)
		s |= MTAG_SUMMARY_BIT(t->type);
	return s;
}

/* Tags waiting to be freed together (see mtag_tags_release()). */
#define MTAG_FREE_BATCH 64
struct mtag_free_batch {
	unsigned int n;
	struct mtag *v[MTAG_FREE_BATCH];
};

/* Queue a detached list of tags for freeing. */
static inline void
mtag_batch_add(struct mtag_free_batch *b, struct mtag *t)
{
	struct mtag *next;

	for (; t != NULL; t = next) {
		next = t->next;
#ifdef MTAG_DEBUG
		mtag_dbg(t)->owner = NULL;
#endif
		b->v[b->n++] = t;
		if (unlikely(b->n == MTAG_FREE_BATCH)) {
			mtag_tags_release(b->v, b->n);
			b->n = 0;
		}
	}
}

static inline void
mtag_batch_flush(struct mtag_free_batch *b)
{
	if (b->n > 0)
		mtag_tags_release(b->v, b->n);
	b->n = 0;
}

/* Free a detached list of tags. */
static void
mtag_list_release(struct mtag *t)
{
	struct mtag_free_batch b;

	/* A packet's only tag, the common case, needs no batch. */
	if (t != NULL && t->next == NULL) {
#ifdef MTAG_DEBUG
		mtag_dbg(t)->owner = NULL;
#endif
		mtag_tag_release(t);
		return;
	}
	b.n = 0; /* only n: an initialiser would clear the whole array */
	mtag_batch_add(&b, t);
	mtag_batch_flush(&b);
}

/* Detach m's chain and return it; m is untagged after. */
static struct mtag *
mtag_chain_detach(struct rte_mbuf *m)
{
	if (!mtag_is_tagged(m))
		return NULL;
#ifdef MTAG_DEBUG
	/* An aliased chain (plain rte_pktmbuf_clone) is left alone: freeing
	 * it here would free the other packet's tags. */
	if (mtag_debug_check_chain(m) != 0) {
		m->ol_flags &= ~mtag_dynflag_mask;
		return NULL;
	}
#endif
	m->ol_flags &= ~mtag_dynflag_mask;
	return mtag_chain_of(m)->head;
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
		mtag_tag_release(t);
}

void
mtag_delete_chain(struct rte_mbuf *m)
{
	if (m != NULL)
		mtag_list_release(mtag_chain_detach(m));
}

int
mtag_copy_chain(struct rte_mbuf *to, const struct rte_mbuf *from)
{
	struct mtag *head = NULL, **tail = &head, *s, *d;
	int err;

	if (to == NULL || from == NULL || mtag_state.shared == NULL)
		return -EINVAL;
	if (to == from)
		return 0;
	/* Build the whole copy first, so that a failure leaves 'to' as it was. */
	for (s = mtag_first(from); s != NULL; s = s->next) {
		d = mtag_tag_copy(s, &err);
		if (d == NULL) {
			mtag_list_release(head);
			return err;
		}
		*tail = d;
		tail = &d->next;
	}
	mtag_delete_chain(to);
	mtag_chain_attach(to, head, mtag_chain_summary(head));
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

void
mtag_prepend_burst(struct rte_mbuf **pkts, struct mtag **tags, uint16_t n)
{
	uint16_t i;

	if (pkts == NULL || tags == NULL)
		return;
	for (i = 0; i < n; i++)
		mtag_prepend(pkts[i], tags[i]);
}

uint16_t
mtag_find_burst(struct rte_mbuf **pkts, uint16_t n, uint16_t type, struct mtag **out)
{
	uint16_t i, found = 0;

	if (pkts == NULL || out == NULL)
		return 0;
	for (i = 0; i < n; i++) {
		out[i] = mtag_find(pkts[i], type, NULL);
		found += out[i] != NULL;
	}
	return found;
}

void
mtag_delete_chain_burst(struct rte_mbuf **pkts, uint16_t n)
{
	struct mtag_free_batch b;
	uint16_t i;

	if (pkts == NULL)
		return;
	b.n = 0;
	for (i = 0; i < n; i++)
		if (pkts[i] != NULL && mtag_is_tagged(pkts[i]))
			mtag_batch_add(&b, mtag_chain_detach(pkts[i]));
	mtag_batch_flush(&b);
}
