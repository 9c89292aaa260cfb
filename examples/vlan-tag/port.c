/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

#include <errno.h>

#include <rte_ethdev.h>

#include <mtag.h>
#include <mtag_ethdev.h>

#include "port.h"

#define RX_DESC 1024
#define TX_DESC 1024

static const char *const insert_names[] = {
	[VT_INSERT_SW] = "software",
	[VT_INSERT_HW_VLAN] = "hardware (VLAN_INSERT; deeper stacks in software)",
	[VT_INSERT_HW_QINQ] = "hardware (VLAN_INSERT, QINQ_INSERT)",
};

int
vt_port_init(uint16_t port, struct rte_mempool *mp, bool trunk, bool offload, uint16_t stpid,
	     enum vt_insert *ins)
{
	struct rte_eth_conf conf = {0};
	struct rte_eth_dev_info info;
	char name[RTE_ETH_NAME_MAX_LEN] = "?";
	uint16_t nb_rxd = RX_DESC, nb_txd = TX_DESC;
	int socket = rte_eth_dev_socket_id(port);
	int ret;

	*ins = VT_INSERT_SW;
	ret = rte_eth_dev_info_get(port, &info);
	if (ret != 0)
		return ret;
	rte_eth_dev_get_name_by_port(port, name);
	if (socket < 0)
		socket = (int)rte_socket_id();

	if (trunk && offload) {
		conf.rxmode.offloads |= info.rx_offload_capa & (RTE_ETH_RX_OFFLOAD_VLAN_STRIP |
								RTE_ETH_RX_OFFLOAD_QINQ_STRIP);
		if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_VLAN_INSERT) {
			conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_VLAN_INSERT;
			*ins = VT_INSERT_HW_VLAN;
			if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_QINQ_INSERT) {
				conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_QINQ_INSERT;
				*ins = VT_INSERT_HW_QINQ;
			}
		}
	}

	ret = rte_eth_dev_configure(port, 1, 1, &conf);
	if (ret != 0)
		return ret;
	/* The outer TPID of hardware QinQ insertion is a port setting. */
	if (*ins == VT_INSERT_HW_QINQ &&
	    rte_eth_dev_set_vlan_ether_type(port, RTE_ETH_VLAN_TYPE_OUTER, stpid) != 0) {
		RTE_LOG(WARNING, USER1, "port %u: cannot set outer TPID 0x%04x, QinQ in software\n",
			port, stpid);
		*ins = VT_INSERT_HW_VLAN;
	}
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(port, &nb_rxd, &nb_txd);
	if (ret != 0)
		return ret;
	ret = rte_eth_rx_queue_setup(port, 0, nb_rxd, socket, NULL, mp);
	if (ret != 0)
		return ret;
	ret = rte_eth_tx_queue_setup(port, 0, nb_txd, socket, NULL);
	if (ret != 0)
		return ret;
	/* Tags left on a packet the PMD takes would never be freed. */
	ret = mtag_eth_tx_strip(port, 0);
	if (ret != 0)
		return ret;
	ret = rte_eth_dev_start(port);
	if (ret != 0)
		return ret;
	ret = rte_eth_promiscuous_enable(port);
	if (ret != 0 && ret != -ENOTSUP)
		RTE_LOG(WARNING, USER1, "port %u: promiscuous mode: %s\n", port,
			rte_strerror(-ret));

	if (trunk) {
		const char *strip = "software";

		if (conf.rxmode.offloads & RTE_ETH_RX_OFFLOAD_QINQ_STRIP)
			strip = "hardware (QinQ)";
		else if (conf.rxmode.offloads & RTE_ETH_RX_OFFLOAD_VLAN_STRIP)
			strip = "hardware";
		RTE_LOG(NOTICE, USER1, "port %u (%s): trunk, VLAN strip %s, VLAN insert %s\n", port,
			name, strip, insert_names[*ins]);
	} else {
		RTE_LOG(NOTICE, USER1, "port %u (%s): access\n", port, name);
	}
	return 0;
}

void
vt_port_drain(uint16_t port)
{
	struct rte_mbuf *pkts[VT_BURST];
	unsigned int i;
	uint16_t n;

	/* Bounded: some PMDs (net_null) never run dry. */
	for (i = 0; i < 1024; i++) {
		n = rte_eth_rx_burst(port, 0, pkts, VT_BURST);
		if (n == 0)
			break;
		mtag_pktmbuf_free_bulk(pkts, n);
	}
}
