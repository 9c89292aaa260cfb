/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/*
 * Ports: set-up, RX checks (Ethernet off, IP header validated) and TX
 * (Ethernet on, fragmented to the MTU where it may be, buffered per port and
 * lcore).
 */

#include <rte_byteorder.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_lcore.h>

#include <mtag_ethdev.h>

#include "ipl.h"

#define IPL_RXD 1024
#define IPL_TXD 1024

unsigned int
ipl_mbufs_needed(unsigned int nb_lcores)
{
	unsigned int p, nb_ports = 0;

	for (p = 0; p < IPL_MAX_PORTS; p++)
		nb_ports += ipl.conf.port[p].role != IPL_PORT_UNUSED;
	/* Every RX and TX descriptor of every queue (one queue per lcore and port), and per
	 * lcore its mempool cache, the bursts in flight and its TX buffers. */
	return nb_ports * nb_lcores * (IPL_RXD + IPL_TXD) +
	       nb_lcores * (256 + 4 * IPL_BURST + nb_ports * IPL_TXBUF);
}

unsigned int
ipl_ports_max_mtu(void)
{
	unsigned int p, mtu = IPL_MTU_DEFAULT;

	for (p = 0; p < IPL_MAX_PORTS; p++)
		if (ipl.conf.port[p].role != IPL_PORT_UNUSED)
			mtu = RTE_MAX(mtu, (unsigned int)ipl.conf.port[p].mtu);
	return mtu;
}

void
ipl_ports_print(void)
{
	char name[RTE_ETH_NAME_MAX_LEN];
	uint16_t p;

	/* A vdev that fails to probe renumbers those after it: say which device is which. */
	RTE_ETH_FOREACH_DEV(p)
	{
		const char *role = p >= IPL_MAX_PORTS			       ? "not used"
				   : ipl.conf.port[p].role == IPL_PORT_INSIDE  ? "inside"
				   : ipl.conf.port[p].role == IPL_PORT_OUTSIDE ? "outside"
									       : "not used";

		if (rte_eth_dev_get_name_by_port(p, name) != 0)
			snprintf(name, sizeof(name), "?");
		printf("port %u: %s, %s\n", p, name, role);
	}
}

int
ipl_ports_init(unsigned int nb_queues)
{
	uint16_t p, q;
	int rc;

	for (p = 0; p < IPL_MAX_PORTS; p++) {
		struct rte_eth_conf conf = {0};
		struct rte_eth_dev_info info;
		uint16_t nb_rxd = IPL_RXD, nb_txd = IPL_TXD, mtu;

		if (ipl.conf.port[p].role == IPL_PORT_UNUSED)
			continue;
		if (!rte_eth_dev_is_valid_port(p)) {
			printf("port %u is in the configuration, but EAL has no such port\n", p);
			return -ENODEV;
		}
		if (ipl.conf.port[p].name[0] != '\0') {
			char name[RTE_ETH_NAME_MAX_LEN];

			if (rte_eth_dev_get_name_by_port(p, name) != 0 ||
			    strcmp(name, ipl.conf.port[p].name) != 0) {
				printf("port %u is %s, the configuration says %s: a device missing "
				       "before it?\n",
				       p, name, ipl.conf.port[p].name);
				return -ENODEV;
			}
		}
		rc = rte_eth_dev_info_get(p, &info);
		if (rc != 0)
			return rc;
		if (nb_queues > 1 && info.flow_type_rss_offloads != 0) {
			conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
			conf.rx_adv_conf.rss_conf.rss_hf =
				RTE_ETH_RSS_IP & info.flow_type_rss_offloads;
		}
		mtu = ipl.conf.port[p].mtu;
		if (mtu < info.min_mtu || mtu > info.max_mtu) {
			printf("port %u: mtu %u outside what the device takes (%u..%u)\n", p, mtu,
			       info.min_mtu, info.max_mtu);
			return -EINVAL;
		}
		rc = rte_eth_dev_configure(p, nb_queues, nb_queues, &conf);
		if (rc == 0) {
			rc = rte_eth_dev_set_mtu(p, mtu);
			/* Virtual PMDs without MTU control (net_pcap, net_null) take any frame
			 * up to their max_mtu: the example keeps to the MTU on its own. */
			if (rc == -ENOTSUP) {
				if (mtu != IPL_MTU_DEFAULT)
					printf("port %u: the device has no MTU setting; mtu %u "
					       "kept "
					       "by the example\n",
					       p, mtu);
				rc = 0;
			} else if (rc != 0) {
				printf("port %u: cannot set mtu %u: %s\n", p, mtu, strerror(-rc));
			}
		}
		if (rc == 0)
			rc = rte_eth_dev_adjust_nb_rx_tx_desc(p, &nb_rxd, &nb_txd);
		for (q = 0; rc == 0 && q < nb_queues; q++) {
			rc = rte_eth_rx_queue_setup(p, q, nb_rxd, rte_eth_dev_socket_id(p), NULL,
						    ipl.mbuf_pool);
			if (rc == 0)
				rc = rte_eth_tx_queue_setup(p, q, nb_txd, rte_eth_dev_socket_id(p),
							    NULL);
			/* PMDs free what they sent without telling anyone: drop tags first. */
			if (rc == 0)
				rc = mtag_eth_tx_strip(p, q);
		}
		if (rc == 0)
			rc = rte_eth_dev_start(p);
		if (rc != 0) {
			printf("port %u: set-up failed: %s\n", p, strerror(-rc));
			return rc;
		}
		ipl.port_started[p] = true;
		rte_eth_promiscuous_enable(p); /* not every virtual PMD has it */
		rte_eth_macaddr_get(p, &ipl.port_mac[p]);
		/* The Ethernet addresses of what it sends: its peer's (or broadcast), its own. */
		if (ipl.conf.port[p].has_peer)
			memcpy(ipl.port_tx[p].l2, ipl.conf.port[p].peer_mac, RTE_ETHER_ADDR_LEN);
		else
			memset(ipl.port_tx[p].l2, 0xff, RTE_ETHER_ADDR_LEN);
		memcpy(ipl.port_tx[p].l2 + RTE_ETHER_ADDR_LEN, &ipl.port_mac[p],
		       RTE_ETHER_ADDR_LEN);
		ipl.port_tx[p].mtu = ipl.conf.port[p].mtu;
	}
	return 0;
}

void
ipl_ports_fini(void)
{
	struct rte_mbuf *pkts[IPL_BURST];
	uint16_t p, q, n;
	int i;

	for (p = 0; p < IPL_MAX_PORTS; p++) {
		struct rte_eth_dev_info info;

		if (!ipl.port_started[p])
			continue;
		/* Loopback PMDs (net_ring) keep what was sent in their rings: take it back,
		 * bounded because an endless pcap never runs dry. */
		if (rte_eth_dev_info_get(p, &info) == 0) {
			for (q = 0; q < info.nb_rx_queues; q++) {
				for (i = 0; i < 64; i++) {
					n = rte_eth_rx_burst(p, q, pkts, IPL_BURST);
					if (n == 0)
						break;
					mtag_pktmbuf_free_bulk(pkts, n);
				}
			}
		}
		rte_eth_dev_stop(p);
		rte_eth_dev_close(p);
		ipl.port_started[p] = false;
	}
}

void
ipl_drop(struct rte_mbuf *m)
{
	mtag_pktmbuf_free(m);
}

/* Whether an IPv6 next header is an extension header (RFC 8200 4, RFC 7045): those are
 * dropped and counted, not walked (selectors and ESP need the upper layer at 40), but for
 * a fragment header right after the IPv6 header with the upper layer after it. */
static inline bool
ip6_ext(uint8_t nh)
{
	switch (nh) {
	case 0:	  /* hop-by-hop options */
	case 43:  /* routing */
	case 44:  /* fragment */
	case 51:  /* AH */
	case 60:  /* destination options */
	case 135: /* mobility */
	case 139: /* HIP */
	case 140: /* shim6 */
	case 253:
	case 254: /* experiments */
		return true;
	default:
		return false;
	}
}

/* Cut m to its IP packet of tot bytes (tot no more than m holds) and set the header
 * lengths: Ethernet pads short frames, and the ESP trailer must be found at the true end. */
static __rte_always_inline int
ip_trim(struct rte_mbuf *m, uint32_t tot, uint16_t l3_len, struct ipl_stats *st)
{
	if (tot < rte_pktmbuf_pkt_len(m) &&
	    rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - tot) != 0) {
		st->truncated++;
		return -1;
	}
	m->l2_len = 0;
	m->l3_len = l3_len;
	return 0;
}

static int
ip6_check(struct rte_mbuf *m, struct ipl_stats *st)
{
	struct rte_ipv6_hdr *ip6 = rte_pktmbuf_mtod(m, struct rte_ipv6_hdr *);
	uint32_t tot;

	if (rte_pktmbuf_data_len(m) < sizeof(*ip6)) {
		st->truncated++;
		return -1;
	}
	if (unlikely(ip6_ext(ip6->proto))) {
		const uint8_t *fh = (const uint8_t *)(ip6 + 1);

		if (ip6->proto != IPPROTO_FRAGMENT) {
			st->ip_options++;
			return -1;
		}
		if (rte_pktmbuf_data_len(m) < sizeof(*ip6) + 8) {
			st->truncated++;
			return -1;
		}
		if (ip6_ext(fh[0])) {
			st->ip_options++;
			return -1;
		}
	}
	tot = sizeof(*ip6) + rte_be_to_cpu_16(ip6->payload_len);
	if (tot > rte_pktmbuf_pkt_len(m)) {
		st->truncated++;
		return -1;
	}
	return ip_trim(m, tot, sizeof(*ip6), st);
}

/* Every case of ipl_ip_check(), counted. */
int
ipl_ip_check_slow(struct rte_mbuf *m, struct ipl_stats *st)
{
	struct rte_ipv4_hdr *ip;
	uint32_t tot;

	if (rte_pktmbuf_data_len(m) < 1) {
		st->truncated++;
		return -1;
	}
	ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	if ((ip->version_ihl >> 4) == 6)
		return ip6_check(m, st);
	if (rte_pktmbuf_data_len(m) < sizeof(*ip)) {
		st->truncated++;
		return -1;
	}
	if ((ip->version_ihl >> 4) != 4) {
		st->non_ip++;
		return -1;
	}
	if ((ip->version_ihl & RTE_IPV4_HDR_IHL_MASK) != 5) {
		/* Tunnel mode would carry options, but policy selectors ignore them. */
		st->ip_options++;
		return -1;
	}
	tot = rte_be_to_cpu_16(ip->total_length);
	if (tot < sizeof(*ip) || tot > rte_pktmbuf_pkt_len(m)) {
		st->truncated++;
		return -1;
	}
	if (rte_raw_cksum(ip, sizeof(*ip)) != 0xffff) {
		st->bad_csum++;
		return -1;
	}
	/* Fragments are let in: those for our tunnel endpoints are reassembled (frag.c), the
	 * others meet their policy one by one (it names no ports). */
	return ip_trim(m, tot, sizeof(*ip), st);
}

static __rte_always_inline uint16_t
rx_prepare(struct rte_mbuf **pkts, uint16_t n, struct ipl_stats *st, const bool forward)
{
	uint16_t i, k = 0;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(eth + 1);

		/* Most frames: IPv4 without options, as long as the frame, checksum right. */
		if (likely(eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) &&
			   rte_pktmbuf_data_len(m) >= sizeof(*eth) + sizeof(*ip) &&
			   ip->version_ihl == RTE_IPV4_VHL_DEF &&
			   rte_be_to_cpu_16(ip->total_length) ==
				   rte_pktmbuf_pkt_len(m) - sizeof(*eth) &&
			   ipl_ip4_cksum_ok(ip))) {
			m->data_off += sizeof(*eth);
			m->data_len -= sizeof(*eth);
			m->pkt_len -= sizeof(*eth);
			m->l2_len = 0;
			m->l3_len = sizeof(*ip);
			goto accepted;
		}
		if (rte_pktmbuf_data_len(m) < sizeof(*eth) ||
		    (eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) &&
		     eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6))) {
			st->non_ip++;
			ipl_drop(m);
			continue;
		}
		rte_pktmbuf_adj(m, sizeof(*eth));
		/* The version must agree with the Ethernet type. */
		if (rte_pktmbuf_data_len(m) >= 1 &&
		    (*rte_pktmbuf_mtod(m, uint8_t *) >> 4) !=
			    (eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ? 4 : 6)) {
			st->non_ip++;
			ipl_drop(m);
			continue;
		}
		if (ipl_ip_check(m, st) != 0) {
			ipl_drop(m);
			continue;
		}
	accepted:
		if (forward && unlikely(!ipl_ttl_dec(m))) {
			st->ttl_exceeded++;
			ipl_drop(m);
			continue;
		}
		ipl_scratch(m)->orig_len = rte_pktmbuf_pkt_len(m);
		ipl_scratch(m)->passes = 0;
		pkts[k++] = m;
	}
	return k;
}

uint16_t
ipl_rx_prepare(struct rte_mbuf **pkts, uint16_t n, struct ipl_stats *st, bool forward)
{
	/* One loop for each: the test of forward out of the loop. */
	return forward ? rx_prepare(pkts, n, st, true) : rx_prepare(pkts, n, st, false);
}

void
ipl_tx_flush_port(struct ipl_lcore *lc, uint16_t port)
{
	uint16_t n = lc->nb_tx[port], sent;

	sent = rte_eth_tx_burst(port, lc->qid, lc->tx[port], n);
	lc->st.port[port].tx += sent;
	if (sent < n) {
		lc->st.port[port].tx_drop += n - sent;
		mtag_pktmbuf_free_bulk(&lc->tx[port][sent], n - sent);
	}
	lc->nb_tx[port] = 0;
}

void
ipl_tx_slow(struct ipl_lcore *lc, uint16_t port, const uint8_t *dst_mac, struct rte_mbuf *m)
{
	if (rte_pktmbuf_pkt_len(m) > ipl.port_tx[port].mtu) {
		ipl_tx_fragment(lc, port, dst_mac, m);
		return;
	}
	lc->st.no_mem++; /* no headroom for Ethernet */
	ipl_drop(m);
}

void
ipl_tx_flush(struct ipl_lcore *lc)
{
	uint16_t p;

	for (p = 0; p < IPL_MAX_PORTS; p++)
		if (lc->nb_tx[p] != 0)
			ipl_tx_flush_port(lc, p);
}
