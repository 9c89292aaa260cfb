/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/* Checks of a -Dmtag_debug=true build: every tag carries a magic and the
 * packet that owns it. A misuse is logged, counted in
 * mtag_stats.debug_errors, and the operation is refused. */

#include "mtag_priv.h"

#ifdef MTAG_DEBUG

void
mtag_debug_error(const char *what, const struct mtag *t, const struct rte_mbuf *m)
{
	__atomic_fetch_add(&mtag_state.shared->debug_errors, 1, __ATOMIC_RELAXED);
	MTAG_LOG(ERR, "DEBUG CHECK FAILED: %s (tag %p, mbuf %p)", what, (const void *)t,
		 (const void *)m);
}

static int
mtag_debug_check_live(const struct mtag *t, const struct rte_mbuf *m)
{
	uint64_t magic = mtag_dbg(t)->magic;

	if (magic == MTAG_MAGIC_LIVE)
		return 0;
	mtag_debug_error(magic == MTAG_MAGIC_FREE ? "use of a freed tag (double free?)"
						  : "not a tag (bad magic)",
			 t, m);
	return -1;
}

int
mtag_debug_check_free(const struct mtag *t)
{
	if (mtag_debug_check_live(t, NULL) != 0)
		return -1;
	if (mtag_dbg(t)->owner != NULL) {
		mtag_debug_error("mtag_free of a tag still on a chain", t, mtag_dbg(t)->owner);
		return -1;
	}
	return 0;
}

int
mtag_debug_check_prepend(const struct rte_mbuf *m, const struct mtag *t)
{
	if (mtag_debug_check_live(t, m) != 0)
		return -1;
	if (mtag_dbg(t)->owner != NULL) {
		mtag_debug_error(mtag_dbg(t)->owner == m ? "tag prepended twice to one packet"
							 : "tag on two chains",
				 t, m);
		return -1;
	}
	if (mtag_debug_check_chain(m) != 0)
		return -1;
	mtag_dbg(t)->owner = m;
	return 0;
}

int
mtag_debug_check_chain(const struct rte_mbuf *m)
{
	const struct mtag *head;

	if (!mtag_is_tagged(m))
		return 0;
	head = mtag_chain_of(m)->head;
	if (mtag_debug_check_live(head, m) != 0)
		return -1;
	if (mtag_dbg(head)->owner != m) {
		mtag_debug_error("chain belongs to another packet (plain rte_pktmbuf_clone/copy?)",
				 head, m);
		return -1;
	}
	return 0;
}

int
mtag_debug_check_unlink(const struct rte_mbuf *m, const struct mtag *t)
{
	if (mtag_debug_check_live(t, m) != 0)
		return -1;
	if (mtag_dbg(t)->owner != m) {
		mtag_debug_error("tag deleted or unlinked from a packet that does not own it",
				 t, m);
		return -1;
	}
	return mtag_debug_check_chain(m);
}

void
mtag_debug_set_owner(struct mtag *head, const struct rte_mbuf *m)
{
	for (; head != NULL; head = head->next)
		mtag_dbg(head)->owner = m;
}

#endif /* MTAG_DEBUG */
