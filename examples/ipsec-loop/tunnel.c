/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/*
 * The header rules of a tunnel that rte_ipsec (22.11, lookaside) leaves to the
 * application: its outer header is a fixed template (TTL 64, TOS 0, DF clear),
 * and decapsulation drops the outer header as it is.
 *   - RFC 4301 5.1.2.1: the inner TTL / hop limit is decremented when the packet
 *     is forwarded (once, here, not by the tunnel); a packet that would reach 0
 *     is dropped and counted, without ICMP time exceeded;
 *   - DSCP is copied from the inner header to the outer one;
 *   - ECN, RFC 6040 normal mode: encapsulation copies the ECN field, decapsulation
 *     combines outer and inner by the table of 4.2 (outer CE over a not-ECT inner:
 *     drop);
 *   - outer DF (IPv4 outer): per SA, copied from the inner header (the default; an
 *     inner IPv6 packet counts as DF), set or cleared (RFC 4301 8.1).
 */

#include <string.h>

#include <rte_byteorder.h>
#include <rte_icmp.h>
#include <rte_ip.h>

#include "ipl.h"

#define ECN_MASK 0x03
#define ECN_NOT_ECT 0
#define ECN_ECT1 1
#define ECN_ECT0 2
#define ECN_CE 3

static inline bool
is_v6(const void *h)
{
	return (*(const uint8_t *)h >> 4) == 6;
}

static inline uint8_t
tos_get(const void *h)
{
	if (is_v6(h))
		return (uint8_t)(rte_be_to_cpu_32(((const struct rte_ipv6_hdr *)h)->vtc_flow) >>
				 20);
	return ((const struct rte_ipv4_hdr *)h)->type_of_service;
}

/* Set the TOS / traffic class; the IPv4 checksum is the caller's. */
static inline void
tos_set(void *h, uint8_t tos)
{
	if (is_v6(h)) {
		struct rte_ipv6_hdr *ip6 = h;
		uint32_t v = rte_be_to_cpu_32(ip6->vtc_flow);

		ip6->vtc_flow = rte_cpu_to_be_32((v & ~(0xffu << 20)) | (uint32_t)tos << 20);
		return;
	}
	((struct rte_ipv4_hdr *)h)->type_of_service = tos;
}

void
ipl_tun_outer_fill(struct ipl_lcore *lc, struct rte_mbuf *m, const struct ipl_sa *sa)
{
	const struct ipl_scratch *s = ipl_scratch(m);
	struct rte_ipv4_hdr *ip;
	const unaligned_uint16_t *w;
	uint32_t sum;
	bool df;

	if (sa->outer6) {
		tos_set(rte_pktmbuf_mtod(m, void *), s->tos); /* RFC 6040 normal mode */
		return;
	}
	ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	ip->type_of_service = s->tos; /* DSCP and ECN both copied: RFC 6040 normal mode */
	df = sa->df == IPL_DF_SET || (sa->df == IPL_DF_COPY && s->df);
	ip->fragment_offset = df ? rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG) : 0;
	/* rte_ipsec (22.11) leaves the template's identification: one per packet, as its
	 * fragments must not be taken for another's (RFC 6864). */
	ip->packet_id = rte_cpu_to_be_16(lc->ip_id);
	lc->ip_id += ipl.nb_lcores;
	/* rte_ipsec fills the length of the outer header, not its checksum: the words the
	 * SA's template fixes (TTL and protocol, addresses) are summed once, in sa->ck4;
	 * the first four words are this packet's. */
	w = rte_pktmbuf_mtod(m, const unaligned_uint16_t *);
	sum = sa->ck4 + w[0] + w[1] + w[2] + w[3];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	ip->hdr_checksum = (uint16_t)~sum;
}

int
ipl_tun_inner_fill_slow(struct rte_mbuf *m)
{
	void *h = rte_pktmbuf_mtod(m, void *);
	uint8_t tos = tos_get(h), outer = ipl_scratch(m)->tos & ECN_MASK;
	uint8_t inner = tos & ECN_MASK, ecn = inner;

	/* RFC 6040 4.2: CE survives decapsulation, ECT(1) (a congestion hint) too. */
	if (outer == ECN_CE) {
		if (inner == ECN_NOT_ECT)
			return -1;
		ecn = ECN_CE;
	} else if (outer == ECN_ECT1 && inner == ECN_ECT0) {
		ecn = ECN_ECT1;
	}
	if (ecn == inner)
		return 0;
	tos_set(h, (tos & ~ECN_MASK) | ecn);
	if (!is_v6(h)) {
		struct rte_ipv4_hdr *ip = h;

		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}
	return 0;
}

/* The largest inner packet that fits mtu once sa has encrypted it. */
static uint32_t
inner_max(const struct ipl_sa *sa)
{
	uint32_t room = sa->mtu - sa->hdr_len - sa->icv_len;

	return room / sa->pad_align * sa->pad_align - 2; /* the trailer's 2 bytes */
}

/* The len bytes of data of a new mbuf *r for an ICMP error; NULL (counted) without one. */
static void *
icmp_alloc(struct ipl_lcore *lc, uint32_t len, struct rte_mbuf **r)
{
	void *data;

	*r = rte_pktmbuf_alloc(ipl.mbuf_pool);
	data = *r == NULL ? NULL : rte_pktmbuf_append(*r, len);
	if (data == NULL) {
		rte_pktmbuf_free(*r);
		lc->st.no_mem++;
	}
	return data;
}

/* The first len bytes of m into an ICMP error's body. */
static void
icmp_quote(const struct rte_mbuf *m, uint32_t len, void *body)
{
	const void *src = rte_pktmbuf_read(m, 0, len, body);

	if (src != NULL && src != body)
		memcpy(body, src, len);
}

/* Send r, an ICMP error with an IP header of l3_len bytes, back where the packet it
 * answers came from; never into a tunnel of ours again. */
static void
icmp_send(struct ipl_lcore *lc, struct rte_mbuf *r, uint16_t l3_len)
{
	struct rte_mbuf *again[1];
	uint16_t nb_again = 0;

	r->l2_len = 0;
	r->l3_len = l3_len;
	ipl_scratch(r)->orig_len = rte_pktmbuf_pkt_len(r);
	ipl_scratch(r)->passes = 0;
	lc->st.icmp_too_big++;
	ipl_route(lc, r, again, &nb_again);
	if (nb_again != 0)
		ipl_drop(again[0]);
}

/* ICMP "fragmentation needed" (RFC 792, RFC 1191) for m, from the SA's tunnel address
 * (an IPv4 one: over an IPv6 tunnel there is no address of ours to send it from).
 * Out of line, as icmp6_too_big(): inlined, they made ipl_tun_fits() save six registers
 * per packet (gcc 12: 35 instructions where 22 do). */
static __rte_noinline void
icmp_too_big(struct ipl_lcore *lc, const struct ipl_sa *sa, const struct rte_mbuf *m, uint32_t mtu)
{
	const struct rte_ipv4_hdr *in = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	uint32_t quote = RTE_MIN(rte_pktmbuf_pkt_len(m), (uint32_t)(sizeof(*in) + 8));
	struct rte_icmp_hdr *icmp;
	struct rte_ipv4_hdr *ip;
	struct rte_mbuf *r;

	if (ipl.conf.sa[sa->id].src.family != IPL_AF_INET)
		return;
	ip = icmp_alloc(lc, sizeof(*ip) + sizeof(*icmp) + quote, &r);
	if (ip == NULL)
		return;
	icmp = (struct rte_icmp_hdr *)(ip + 1);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = 0xc0; /* internetwork control */
	ip->total_length = rte_cpu_to_be_16(rte_pktmbuf_pkt_len(r));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->src_addr = rte_cpu_to_be_32(ipl.conf.sa[sa->id].src.v4);
	ip->dst_addr = in->src_addr;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	icmp->icmp_type = 3; /* destination unreachable */
	icmp->icmp_code = 4; /* fragmentation needed and DF set */
	icmp->icmp_ident = 0;
	icmp->icmp_seq_nb = rte_cpu_to_be_16((uint16_t)mtu); /* next-hop MTU, RFC 1191 */
	icmp_quote(m, quote, icmp + 1);			     /* the invoking header and 8 bytes */
	icmp->icmp_cksum = 0;
	icmp->icmp_cksum = ~rte_raw_cksum(icmp, sizeof(*icmp) + quote);
	icmp_send(lc, r, sizeof(*ip));
}

/* ICMPv6 "packet too big" (RFC 4443 3.2, RFC 8201) for m, from the SA's tunnel address
 * (an IPv6 one: over an IPv4 tunnel there is no address of ours to send it from). */
static __rte_noinline void
icmp6_too_big(struct ipl_lcore *lc, const struct ipl_sa *sa, const struct rte_mbuf *m, uint32_t mtu)
{
	const struct rte_ipv6_hdr *in = rte_pktmbuf_mtod(m, const struct rte_ipv6_hdr *);
	/* As much of the packet as fits the IPv6 minimum MTU */
	uint32_t quote = RTE_MIN(rte_pktmbuf_pkt_len(m), 1280u - sizeof(*in) - 8);
	struct rte_ipv6_hdr *ip6;
	struct rte_mbuf *r;
	uint8_t *icmp;

	if (ipl.conf.sa[sa->id].src.family != IPL_AF_INET6)
		return;
	ip6 = icmp_alloc(lc, sizeof(*ip6) + 8 + quote, &r);
	if (ip6 == NULL)
		return;
	icmp = (uint8_t *)(ip6 + 1);
	memset(ip6, 0, sizeof(*ip6) + 8);
	ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip6->payload_len = rte_cpu_to_be_16(8 + quote);
	ip6->proto = 58;
	ip6->hop_limits = 64;
	memcpy(IPL_IP6(ip6->src_addr), ipl.conf.sa[sa->id].src.v6, 16);
	memcpy(IPL_IP6(ip6->dst_addr), IPL_IP6(in->src_addr), 16);
	icmp[0] = 2; /* packet too big */
	*(uint32_t *)(icmp + 4) = rte_cpu_to_be_32(mtu);
	icmp_quote(m, quote, icmp + 8);
	/* the ICMPv6 checksum has the UDP/TCP pseudo-header (RFC 4443 2.3) */
	*(uint16_t *)(icmp + 2) = rte_ipv6_udptcp_cksum(ip6, icmp);
	icmp_send(lc, r, sizeof(*ip6));
}

uint32_t
ipl_tun_inner_max(const struct ipl_sa *sa)
{
	return sa->mtu == 0 ? UINT32_MAX : inner_max(sa);
}

bool
ipl_tun_fits_slow(struct ipl_lcore *lc, const struct ipl_sa *sa, struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);

	/* Encrypted, then its ESP packet fragmented to the MTU (frag.c), when the outer
	 * header leaves without DF. */
	if (ipl.fragment && !is_v6(ip) &&
	    (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG)) == 0 &&
	    (sa->df != IPL_DF_SET || ipl.conf.sa[sa->id].src.family == IPL_AF_INET6))
		return true;
	lc->st.too_big++;
	if (is_v6(ip))
		icmp6_too_big(lc, sa, m, RTE_MAX(inner_max(sa), 1280u));
	else if (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG))
		icmp_too_big(lc, sa, m, inner_max(sa));
	ipl_drop(m);
	return false;
}
