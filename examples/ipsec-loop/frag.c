/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/*
 * Fragments, with DPDK's rte_ip_frag:
 *   - reassembly of the fragments addressed to one of our tunnel endpoints (ESP, ESP in
 *     UDP), in a table per lcore (bounded, entries timed out); the whole packet is copied
 *     into one contiguous mbuf, as crypto devices want it (crypto_ipsec_mb 22.11 crashes
 *     on chained mbufs, crypto_openssl drops them);
 *   - fragmentation on TX of what exceeds the port's MTU: IPv4 without DF (the ESP
 *     packets of DF-clear inner packets: post-encapsulation fragmentation, RFC 4301 8.1;
 *     decrypted packets onto the inside), and the outer IPv6 header of our own ESP
 *     packets that carry a DF-clear IPv4 packet (we are their source, RFC 8200 4.5).
 * Every other fragment is carried as it is: the policies of this example name no ports,
 * so a fragment's header is all its policy needs (RFC 4301 7.1).
 */

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_ip_frag.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "ipl.h"

/* Fragment header of IPv6 (RFC 8200 4.5), as rte_ip_frag reads it. */
#define IP6_FRAG_HDR_LEN 8

/* The largest packet reassembled: IPv4's limit, and rte_ip_frag's number of fragments
 * times the largest MTU. */
static uint32_t
reass_max(void)
{
	return RTE_MIN(65535u, (uint32_t)RTE_LIBRTE_IP_FRAG_MAX_FRAG * ipl_ports_max_mtu());
}

int
ipl_frag_init(void)
{
	uint64_t cycles = rte_get_timer_hz() / 1000 * ipl.frag_ttl_ms;
	uint32_t buckets = rte_align32pow2((ipl.frag_table + 7) / 8) * 2;
	unsigned int l;

	if (!ipl.reassemble)
		return 0;
	/* Contiguous reassembled packets: few, large, and headroom for a tunnel's growth
	 * (a hairpin) besides Ethernet. */
	ipl.big_pool =
		rte_pktmbuf_pool_create("ipl_reass", ipl.nb_lcores * IPL_REASS_MBUFS - 1, 32, 0,
					RTE_PKTMBUF_HEADROOM + reass_max() + 512, rte_socket_id());
	if (ipl.big_pool == NULL)
		return -ENOMEM;
	for (l = 0; l < ipl.nb_lcores; l++) {
		ipl.lc[l].frag_tbl = rte_ip_frag_table_create(buckets, 8, ipl.frag_table, cycles,
							      rte_socket_id());
		if (ipl.lc[l].frag_tbl == NULL)
			return -ENOMEM;
	}
	return 0;
}

void
ipl_frag_fini(void)
{
	unsigned int l;

	/* Fragments still waiting are freed with their table. */
	for (l = 0; l < ipl.nb_lcores; l++) {
		if (ipl.lc[l].frag_tbl != NULL)
			rte_ip_frag_table_destroy(ipl.lc[l].frag_tbl);
		ipl.lc[l].frag_tbl = NULL;
	}
}

void
ipl_frag_pool_free(void)
{
	rte_mempool_free(ipl.big_pool);
	ipl.big_pool = NULL;
}

void
ipl_frag_expire(struct ipl_lcore *lc, uint64_t now)
{
	if (lc->frag_tbl == NULL)
		return;
	rte_ip_frag_table_del_expired_entries(lc->frag_tbl, &lc->dr, now);
	lc->st.frag_timeout += lc->dr.cnt;
	rte_ip_frag_free_death_row(&lc->dr, 0);
}

/* The reassembled packet m (chained) copied into one mbuf; NULL (counted) without room. */
static struct rte_mbuf *
linearize(struct ipl_lcore *lc, struct rte_mbuf *m)
{
	uint32_t len = rte_pktmbuf_pkt_len(m);
	struct rte_mbuf *c;
	void *data;

	if (m->nb_segs == 1)
		return m;
	c = rte_pktmbuf_alloc(ipl.big_pool);
	data = c == NULL ? NULL : rte_pktmbuf_append(c, len);
	if (data == NULL) {
		lc->st.no_mem++;
		rte_pktmbuf_free(c);
		ipl_drop(m);
		return NULL;
	}
	rte_pktmbuf_read(m, 0, len, data); /* chained: always a copy into data */
	ipl_drop(m);
	return c;
}

bool
ipl_frag_for_us(const struct rte_mbuf *m)
{
	const uint8_t *h = rte_pktmbuf_mtod(m, const uint8_t *);

	if ((h[0] >> 4) == 6)
		return ipl_addr_is_local(6, IPL_IP6(((const struct rte_ipv6_hdr *)h)->dst_addr));
	return ipl_addr_is_local(4, (const uint8_t *)&((const struct rte_ipv4_hdr *)h)->dst_addr);
}

struct rte_mbuf *
ipl_reassemble(struct ipl_lcore *lc, struct rte_mbuf *m, uint64_t now)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	uint32_t before = lc->dr.cnt, lost;
	struct rte_mbuf *r;
	bool v6 = (ip->version_ihl >> 4) == 6;

	if (lc->frag_tbl == NULL) {
		lc->st.fragment++;
		ipl_drop(m);
		return NULL;
	}
	if (v6) {
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)ip;

		m->l3_len = sizeof(*ip6) + IP6_FRAG_HDR_LEN;
		r = rte_ipv6_frag_reassemble_packet(lc->frag_tbl, &lc->dr, m, now, ip6,
						    (struct rte_ipv6_fragment_ext *)(ip6 + 1));
	} else {
		r = rte_ipv4_frag_reassemble_packet(lc->frag_tbl, &lc->dr, m, now, ip);
	}
	/* What rte_ip_frag gave up: this fragment alone when it has no room for a new
	 * packet, or the fragments of a packet that cannot be put together (overlaps, too
	 * many). Expired ones went at ipl_frag_expire() with the same time. */
	lost = lc->dr.cnt - before;
	if (lost == 1 && r == NULL)
		lc->st.frag_table_full++;
	else
		lc->st.frag_bad += lost;
	if (lc->dr.cnt > RTE_IP_FRAG_DEATH_ROW_MBUF_LEN - RTE_LIBRTE_IP_FRAG_MAX_FRAG - 1)
		rte_ip_frag_free_death_row(&lc->dr, 0);
	if (r == NULL)
		return NULL;
	lc->st.reassembled++;
	r = linearize(lc, r);
	if (r == NULL)
		return NULL;
	ip = rte_pktmbuf_mtod(r, struct rte_ipv4_hdr *);
	r->l2_len = 0;
	if (v6) {
		r->l3_len = sizeof(struct rte_ipv6_hdr);
	} else {
		r->l3_len = sizeof(*ip);
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}
	ipl_scratch(r)->orig_len = rte_pktmbuf_pkt_len(r);
	ipl_scratch(r)->passes = 0;
	return r;
}

/* Whether m, too big for its port, may be fragmented here: IPv4 without DF, or the IPv6
 * header of an ESP packet of ours that carries a DF-clear IPv4 packet. */
static bool
may_fragment(struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	const struct ipl_scratch *s = ipl_scratch(m);

	if (!ipl.fragment)
		return false;
	if ((ip->version_ihl >> 4) == 6)
		return s->passes > 0 && !s->df &&
		       ((const struct rte_ipv6_hdr *)ip)->proto == IPPROTO_ESP;
	return (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG)) == 0;
}

void
ipl_tx_fragment(struct ipl_lcore *lc, uint16_t port, const uint8_t *dst_mac, struct rte_mbuf *m)
{
	struct rte_mbuf *frag[RTE_LIBRTE_IP_FRAG_MAX_FRAG * 8];
	uint16_t mtu = ipl.conf.port[port].mtu;
	int32_t n, i;

	if (!may_fragment(m)) {
		lc->st.too_big++;
		ipl_drop(m);
		return;
	}
	if ((*rte_pktmbuf_mtod(m, uint8_t *) >> 4) == 4) {
		/* Copies: the fragments hold no reference to m (nor to its tags). */
		n = rte_ipv4_fragment_copy_nonseg_packet(m, frag, RTE_DIM(frag), mtu,
							 ipl.mbuf_pool);
	} else {
		n = rte_ipv6_fragment_packet(m, frag, RTE_DIM(frag), mtu, ipl.mbuf_pool,
					     ipl.mbuf_pool);
	}
	if (n <= 0) {
		if (n == -ENOMEM)
			lc->st.no_mem++;
		else
			lc->st.too_big++;
		ipl_drop(m);
		return;
	}
	ipl_drop(m); /* IPv6: its data lives on in the fragments' indirect mbufs */
	lc->st.fragmented++;
	for (i = 0; i < n; i++) {
		struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(frag[i], struct rte_ipv4_hdr *);

		frag[i]->l2_len = 0;
		if ((ip->version_ihl >> 4) == 4) {
			frag[i]->l3_len = sizeof(*ip);
			ip->hdr_checksum = rte_ipv4_cksum(ip);
		} else {
			/* rte_ipv6_fragment_packet() (22.11) writes identification 0: one of
			 * ours per packet (RFC 8200 4.5). */
			struct rte_ipv6_fragment_ext *fh =
				(struct rte_ipv6_fragment_ext *)((struct rte_ipv6_hdr *)ip + 1);

			fh->id = rte_cpu_to_be_32(lc->ip6_id);
			frag[i]->l3_len = sizeof(struct rte_ipv6_hdr) + IP6_FRAG_HDR_LEN;
		}
		ipl_tx_enqueue(lc, port, dst_mac, frag[i]);
	}
	lc->ip6_id += ipl.nb_lcores;
}
