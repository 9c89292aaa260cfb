/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

#include <errno.h>

#include <rte_errno.h>
#include <rte_ethdev.h>

#include "mtag_ethdev.h"
#include "mtag_priv.h"

static uint16_t
mtag_tx_strip_cb(uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t nb_pkts,
		 void *arg)
{
	RTE_SET_USED(port);
	RTE_SET_USED(queue);
	RTE_SET_USED(arg);
	mtag_delete_chain_burst(pkts, nb_pkts);
	return nb_pkts;
}

int
mtag_eth_tx_strip(uint16_t port, uint16_t queue)
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
	if (rte_eth_add_tx_callback(port, queue, mtag_tx_strip_cb, NULL) == NULL) {
		MTAG_LOG(ERR, "port %u queue %u: cannot add TX callback: %s", port, queue,
			 rte_strerror(rte_errno));
		return -rte_errno;
	}
	return 0;
}
