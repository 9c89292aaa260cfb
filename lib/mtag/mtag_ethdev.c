/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/* The TX strip: an ethdev TX callback that drops every tag of a burst
 * before the PMD takes it (PMDs free what they transmit, and DPDK calls
 * nothing when an mbuf is freed). One callback per queue, remembered here so
 * that a second mtag_eth_tx_strip() installs nothing and
 * mtag_eth_tx_strip_remove() finds it. */

#include <errno.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_spinlock.h>

#include "mtag_ethdev.h"
#include "mtag_priv.h"

/* Queues with the strip callback, per process (callbacks are). */
#define MTAG_STRIP_MAX 1024
static struct {
	uint16_t port, queue;
	const struct rte_eth_rxtx_callback *cb;
} mtag_strips[MTAG_STRIP_MAX];
static unsigned int mtag_nb_strips;
static rte_spinlock_t mtag_strips_lock = RTE_SPINLOCK_INITIALIZER;

static uint16_t
mtag_tx_strip_cb(uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t nb_pkts, void *arg)
{
	RTE_SET_USED(port);
	RTE_SET_USED(queue);
	RTE_SET_USED(arg);
	/* A TX burst holds no NULL: the PMD dereferences every entry. */
	__mtag_do_delete_chain_burst(pkts, nb_pkts, false);
	return nb_pkts;
}

/* Index of the queue in mtag_strips, or -1; with the lock held. */
static int
mtag_strip_find(uint16_t port, uint16_t queue)
{
	unsigned int i;

	for (i = 0; i < mtag_nb_strips; i++)
		if (mtag_strips[i].port == port && mtag_strips[i].queue == queue)
			return (int)i;
	return -1;
}

static int
mtag_strip_check(uint16_t port, uint16_t queue)
{
	struct rte_eth_dev_info info;
	int ret;

	if (mtag_state.shared == NULL)
		return -ENOENT;
	if (!rte_eth_dev_is_valid_port(port))
		return -ENODEV;
	ret = rte_eth_dev_info_get(port, &info);
	if (ret != 0)
		return ret;
	if (queue >= info.nb_tx_queues)
		return -EINVAL;
	return 0;
}

int
mtag_eth_tx_strip(uint16_t port, uint16_t queue)
{
	const struct rte_eth_rxtx_callback *cb;
	int ret;

	ret = mtag_strip_check(port, queue);
	if (ret != 0)
		return ret;
	rte_spinlock_lock(&mtag_strips_lock);
	if (mtag_strip_find(port, queue) >= 0) {
		ret = 0; /* installed already: nothing more */
	} else if (mtag_nb_strips == MTAG_STRIP_MAX) {
		MTAG_LOG(ERR, "port %u queue %u: more than %u queues with a TX strip", port, queue,
			 MTAG_STRIP_MAX);
		ret = -ENOSPC;
	} else {
		cb = rte_eth_add_tx_callback(port, queue, mtag_tx_strip_cb, NULL);
		if (cb == NULL) {
			MTAG_LOG(ERR, "port %u queue %u: cannot add TX callback: %s", port, queue,
				 rte_strerror(rte_errno));
			ret = -rte_errno;
		} else {
			mtag_strips[mtag_nb_strips].port = port;
			mtag_strips[mtag_nb_strips].queue = queue;
			mtag_strips[mtag_nb_strips++].cb = cb;
		}
	}
	rte_spinlock_unlock(&mtag_strips_lock);
	return ret;
}

int
mtag_eth_tx_strip_remove(uint16_t port, uint16_t queue)
{
	int i, ret;

	ret = mtag_strip_check(port, queue);
	if (ret != 0 && ret != -ENOENT)
		return ret;
	rte_spinlock_lock(&mtag_strips_lock);
	i = mtag_strip_find(port, queue);
	if (i < 0) {
		ret = -ENOENT;
	} else {
		ret = rte_eth_remove_tx_callback(port, queue, mtag_strips[i].cb);
		if (ret == 0)
			mtag_strips[i] = mtag_strips[--mtag_nb_strips];
		else
			MTAG_LOG(ERR, "port %u queue %u: cannot remove TX callback: %s", port,
				 queue, rte_strerror(-ret));
	}
	rte_spinlock_unlock(&mtag_strips_lock);
	return ret;
}
