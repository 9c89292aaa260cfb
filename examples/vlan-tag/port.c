/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

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

/* Queues and RSS: one RX and one TX queue per forwarding lcore. */
static int
setup_queues(uint16_t port, const char *name, const struct rte_eth_dev_info *info,
	     struct vt_port_setup *s, struct rte_eth_conf *conf, char *err, size_t errlen)
{
	uint64_t hf;

	if (s->nb_queues > info->max_rx_queues || s->nb_queues > info->max_tx_queues) {
		snprintf(err, errlen,
			 "port %u (%s) has %u RX and %u TX queues at most; %u forwarding lcores "
			 "need one of each",
			 port, name, info->max_rx_queues, info->max_tx_queues, s->nb_queues);
		return -ERANGE;
	}
	if (s->nb_queues == 1 || info->flow_type_rss_offloads == 0)
		return 0;
	/* The port's own hash types, IP and L4 where it has them. */
	hf = info->flow_type_rss_offloads & (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP);
	if (hf == 0)
		hf = info->flow_type_rss_offloads;
	conf->rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
	conf->rx_adv_conf.rss_conf.rss_key = NULL;
	conf->rx_adv_conf.rss_conf.rss_hf = hf;
	return 0;
}

/* The MTU: from the configuration (an error if the port refuses it) or a default. */
static int
setup_mtu(uint16_t port, const char *name, const struct rte_eth_dev_info *info,
	  struct vt_port_setup *s, char *err, size_t errlen)
{
	uint32_t max_mtu = info->max_mtu;
	uint16_t mtu = s->mtu;
	int ret;

	if (mtu == 0) {
		if (rte_eth_dev_get_mtu(port, &s->mtu_out) != 0)
			s->mtu_out = RTE_ETHER_MTU;
		return 0;
	}
	/* rte_eth_dev_set_mtu() also checks the frame against max_rx_pktlen, as here. */
	if (info->max_rx_pktlen != 0) {
		uint32_t overhead =
			info->max_mtu != UINT16_MAX && info->max_rx_pktlen > info->max_mtu
				? info->max_rx_pktlen - info->max_mtu
				: RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN;

		if (info->max_rx_pktlen > overhead)
			max_mtu = RTE_MIN(max_mtu, info->max_rx_pktlen - overhead);
	}
	if (mtu < info->min_mtu || mtu > max_mtu) {
		if (s->mtu_given) {
			snprintf(err, errlen, "port %u (%s): MTU %u outside the port's %u-%u", port,
				 name, mtu, info->min_mtu, max_mtu);
			s->mtu_failed = true;
			return -ERANGE;
		}
		mtu = (uint16_t)RTE_MAX(RTE_MIN((uint32_t)mtu, max_mtu), (uint32_t)info->min_mtu);
		RTE_LOG(WARNING, USER1,
			"port %u: MTU %u is the most it takes, less than %u for the deepest "
			"stack\n",
			port, mtu, s->mtu);
	}
	ret = rte_eth_dev_set_mtu(port, mtu);
	if (ret == -ENOTSUP) {
		/* net_pcap, net_ring: no MTU of their own; the forwarder still checks it. */
		RTE_LOG(NOTICE, USER1, "port %u: the PMD sets no MTU; MTU %u checked in software\n",
			port, mtu);
	} else if (ret != 0) {
		snprintf(err, errlen, "port %u (%s): cannot set MTU %u: %s", port, name, mtu,
			 rte_strerror(-ret));
		if (s->mtu_given) {
			s->mtu_failed = true;
			return ret;
		}
		RTE_LOG(WARNING, USER1, "%s\n", err);
		if (rte_eth_dev_get_mtu(port, &mtu) != 0)
			mtu = RTE_ETHER_MTU;
	}
	s->mtu_out = mtu;
	return 0;
}

int
vt_port_init(uint16_t port, struct rte_mempool *mp, struct vt_port_setup *s, char *err,
	     size_t errlen)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	char name[RTE_ETH_NAME_MAX_LEN] = "?";
	uint16_t nb_rxd = RX_DESC, nb_txd = TX_DESC;
	int socket = rte_eth_dev_socket_id(port);
	uint16_t q;
	int ret;

	memset(&conf, 0, sizeof(conf));
	snprintf(err, errlen, "port %u: %s", port, "configuration failed");
	s->ins = VT_INSERT_SW;
	s->rx_flags = 0;
	ret = rte_eth_dev_info_get(port, &info);
	if (ret != 0)
		return ret;
	rte_eth_dev_get_name_by_port(port, name);
	if (socket < 0)
		socket = (int)rte_socket_id();
	/* The kernel takes 802.1Q and 802.1ad outer tags off alike, and the PMD says neither. */
	if (info.driver_name != NULL && strcmp(info.driver_name, "net_af_packet") == 0)
		s->rx_flags |= VT_RX_TPID_BLIND;

	if (s->trunk && s->offload) {
		conf.rxmode.offloads |= info.rx_offload_capa & (RTE_ETH_RX_OFFLOAD_VLAN_STRIP |
								RTE_ETH_RX_OFFLOAD_QINQ_STRIP);
		if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_VLAN_INSERT) {
			conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_VLAN_INSERT;
			s->ins = VT_INSERT_HW_VLAN;
			if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_QINQ_INSERT) {
				conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_QINQ_INSERT;
				s->ins = VT_INSERT_HW_QINQ;
			}
		}
	}
	ret = setup_queues(port, name, &info, s, &conf, err, errlen);
	if (ret != 0)
		return ret;

	ret = rte_eth_dev_configure(port, s->nb_queues, s->nb_queues, &conf);
	if (ret != 0)
		return ret;
	ret = setup_mtu(port, name, &info, s, err, errlen);
	if (ret != 0)
		return ret;
	snprintf(err, errlen, "port %u: %s", port, "queue setup failed");
	/* The outer TPID of hardware QinQ insertion is a port setting. */
	if (s->ins == VT_INSERT_HW_QINQ &&
	    rte_eth_dev_set_vlan_ether_type(port, RTE_ETH_VLAN_TYPE_OUTER, s->stpid) != 0) {
		RTE_LOG(WARNING, USER1, "port %u: cannot set outer TPID 0x%04x, QinQ in software\n",
			port, s->stpid);
		s->ins = VT_INSERT_HW_VLAN;
	}
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(port, &nb_rxd, &nb_txd);
	if (ret != 0)
		return ret;
	for (q = 0; q < s->nb_queues; q++) {
		ret = rte_eth_rx_queue_setup(port, q, nb_rxd, socket, NULL, mp);
		if (ret != 0)
			return ret;
		ret = rte_eth_tx_queue_setup(port, q, nb_txd, socket, NULL);
		if (ret != 0)
			return ret;
		/* Tags left on a packet the PMD takes would never be freed. */
		ret = mtag_eth_tx_strip(port, q);
		if (ret != 0)
			return ret;
	}
	snprintf(err, errlen, "port %u: %s", port, "start failed");
	ret = rte_eth_dev_start(port);
	if (ret != 0)
		return ret;
	ret = rte_eth_promiscuous_enable(port);
	if (ret != 0 && ret != -ENOTSUP)
		RTE_LOG(WARNING, USER1, "port %u: promiscuous mode: %s\n", port,
			rte_strerror(-ret));

	if (s->trunk) {
		const char *strip = "software";

		if (conf.rxmode.offloads & RTE_ETH_RX_OFFLOAD_QINQ_STRIP)
			strip = "hardware (QinQ)";
		else if (conf.rxmode.offloads & RTE_ETH_RX_OFFLOAD_VLAN_STRIP)
			strip = "hardware";
		RTE_LOG(NOTICE, USER1,
			"port %u (%s): trunk, VLAN strip %s, VLAN insert %s, MTU %u, %u "
			"queue%s%s\n",
			port, name, strip, insert_names[s->ins], s->mtu_out, s->nb_queues,
			s->nb_queues > 1 ? "s" : "",
			conf.rxmode.mq_mode == RTE_ETH_MQ_RX_RSS ? " (RSS)" : "");
	} else {
		RTE_LOG(NOTICE, USER1, "port %u (%s): access, MTU %u, %u queue%s%s\n", port, name,
			s->mtu_out, s->nb_queues, s->nb_queues > 1 ? "s" : "",
			conf.rxmode.mq_mode == RTE_ETH_MQ_RX_RSS ? " (RSS)" : "");
	}
	return 0;
}

void
vt_port_drain(uint16_t port, uint16_t nb_queues)
{
	struct rte_mbuf *pkts[VT_BURST];
	unsigned int i;
	uint16_t n, q;

	/* Bounded: some PMDs (net_null) never run dry. */
	for (q = 0; q < nb_queues; q++) {
		for (i = 0; i < 1024; i++) {
			n = rte_eth_rx_burst(port, q, pkts, VT_BURST);
			if (n == 0)
				break;
			mtag_pktmbuf_free_bulk(pkts, n);
		}
	}
}
