/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/* Packet lifecycle: DPDK calls nothing when an mbuf is freed, and its clone
 * and copy duplicate the dynamic field (the chain pointer), so tagged
 * packets are freed, cloned and copied through these. */

#include <errno.h>

#include <rte_errno.h>

#include "mtag_priv.h"

void
mtag_pktmbuf_free(struct rte_mbuf *m)
{
	if (m == NULL)
		return;
	mtag_delete_chain(m);
	rte_pktmbuf_free(m);
}

void
mtag_pktmbuf_free_bulk(struct rte_mbuf **pkts, unsigned int n)
{
	unsigned int i, chunk;

	if (pkts == NULL)
		return;
	for (i = 0; i < n; i += chunk) {
		chunk = RTE_MIN(n - i, (unsigned int)UINT16_MAX);
		mtag_delete_chain_burst(pkts + i, chunk);
	}
	rte_pktmbuf_free_bulk(pkts, n);
}

/* Give a fresh duplicate of m its own chain, or free it. */
static struct rte_mbuf *
mtag_own_chain(struct rte_mbuf *dup, const struct rte_mbuf *m)
{
	if (dup == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	int ret;

	mtag_init(dup); /* the copied chain pointer is m's, not dup's */
	ret = mtag_chain_copy(dup, m, -ENOMEM);
	if (ret != 0) {
		rte_pktmbuf_free(dup);
		/* ENOMEM (tags ran out, as for mbufs), a copier's error, or
		 * EINVAL before mtag_lib_init(). */
		rte_errno = -ret;
		return NULL;
	}
	return dup;
}

struct rte_mbuf *
mtag_pktmbuf_clone(struct rte_mbuf *m, struct rte_mempool *mp)
{
	if (m == NULL || mp == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	MTAG_DEBUG_SITE();
	return mtag_own_chain(rte_pktmbuf_clone(m, mp), m);
}

struct rte_mbuf *
mtag_pktmbuf_copy(const struct rte_mbuf *m, struct rte_mempool *mp, uint32_t off, uint32_t len)
{
	/* rte_pktmbuf_copy() refuses an offset past the data: that is bad
	 * input, not a shortage of mbufs. */
	if (m == NULL || mp == NULL || off >= m->pkt_len) {
		rte_errno = EINVAL;
		return NULL;
	}
	MTAG_DEBUG_SITE();
	return mtag_own_chain(rte_pktmbuf_copy(m, mp, off, len), m);
}
