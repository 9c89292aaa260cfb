/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/*
 * Inbound: ESP addressed to one of our tunnel endpoints is decrypted and
 * tagged MTAG_TYPE_IPSEC_IN_DONE with its SA; nested ESP is decrypted again
 * and the records accumulate. The inner packet then meets the inbound policy,
 * which reads the records: a packet the policy wants protected by SA n must
 * carry IN_DONE for n (as OpenBSD's ipsp_spd_input checks
 * PACKET_TAG_IPSEC_IN_DONE).
 */

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_esp.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "ipl.h"

/* The inbound policy of each packet of pol[0 .. n), which reads the IN_DONE records. */
static void
policy_in(struct ipl_lcore *lc, struct rte_mbuf **pol, uint16_t n, struct rte_mbuf **out,
	  uint16_t *nb_out)
{
	const struct ipl_sp_conf *sps[IPL_BURST];
	struct ipl_stats *st = &lc->st;
	uint16_t i;

	if (n == 0)
		return;
	ipl_spd_classify(IPL_DIR_IN, pol, n, sps);
	for (i = 0; i < n; i++) {
		const struct ipl_sp_conf *sp = sps[i];
		struct rte_mbuf *m = pol[i];
		struct mtag *t = NULL;
		bool any = false;

		/* Forwarded from here on (the decrypted inner packet, or cleartext): the TTL
		 * first, as it was before the policy (the lookup reads no TTL). */
		if (unlikely(!ipl_ttl_dec(m))) {
			st->ttl_exceeded++;
			ipl_drop(m);
			continue;
		}
		if (sp == NULL) {
			st->no_policy++;
			ipl_drop(m);
			continue;
		}
		if (sp->action == IPL_ACT_DISCARD) {
			st->policy_discard++;
			ipl_drop(m);
			continue;
		}
		/* The benchmark baseline has no records to check: it lets everything through. */
		if (sp->action == IPL_ACT_PROTECT && !ipl.no_tags) {
			while ((t = mtag_find(m, MTAG_TYPE_IPSEC_IN_DONE, t)) != NULL) {
				any = true;
				if (((const struct mtag_ipsec *)mtag_data(t))->sa_id == sp->sa_id)
					break;
			}
			if (t == NULL) {
				if (any)
					st->policy_wrong_sa++;
				else
					st->policy_unprotected++;
				ipl_drop_captured(lc, m,
						  any ? IPL_CAP_WRONG_SA : IPL_CAP_UNPROTECTED);
				continue;
			}
		}
		ipl_route(lc, m, out, nb_out);
	}
}

/* Whether the outer source of m is the peer's tunnel address of sa (RFC 4301 5.2: the
 * SA is bound to its endpoints, not only to an SPI). */
static bool
tunnel_src_ok(const struct rte_mbuf *m, const struct ipl_sa *sa)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);

	if (sa->remote.family == IPL_AF_INET6)
		return (ip->version_ihl >> 4) == 6 &&
		       memcmp(IPL_IP6(((const struct rte_ipv6_hdr *)ip)->src_addr), sa->remote.v6,
			      16) == 0;
	return (ip->version_ihl >> 4) == 4 && ip->src_addr == rte_cpu_to_be_32(sa->remote.v4);
}

/* Ciphertext (payload, padding, trailer) must hold the 2-byte trailer and fill whole
 * blocks; checked here so that rte_ipsec refusals before crypto mean the replay window. */
static bool
esp_len_ok(const struct rte_mbuf *m, const struct ipl_sa *sa)
{
	int32_t clen = (int32_t)rte_pktmbuf_pkt_len(m) -
		       (int32_t)(m->l3_len + sizeof(struct rte_esp_hdr) + sa->iv_len + sa->icv_len);

	return clen >= 2 && (clen & (sa->pad_align - 1)) == 0; /* 4 or 16 */
}

/*
 * A packet rte_ipsec refused after a successful ICV check: a replay (the window moved
 * while it was in the crypto device, or the same number twice in a burst), or a bad
 * trailer (padding, pad length or next header: the peer's fault, not an attack).
 * rte_ipsec (22.11, esp_inb.c) checks the trailer, decapsulates, and only then updates
 * the window: a packet refused with its ESP still in place had a bad trailer.
 */
static bool
trailer_bad(struct rte_mbuf *m)
{
	return rte_pktmbuf_pkt_len(m) == ipl_scratch(m)->esp_len;
}

/* ESP, or ESP in UDP (RFC 3948): UDP to port 4500 that is no IKE (a non-ESP marker,
 * 4 zero bytes) and no NAT keepalive (one byte 0xff). */
static inline bool
is_esp(const struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	const struct rte_udp_hdr *udp;
	const uint8_t *pl;
	uint32_t len;

	if ((ip->version_ihl >> 4) == 6)
		return ((const struct rte_ipv6_hdr *)ip)->proto == IPPROTO_ESP;
	if (ip->next_proto_id == IPPROTO_ESP)
		return true;
	if (ip->next_proto_id != IPPROTO_UDP || !ipl.natt)
		return false;
	len = rte_pktmbuf_data_len(m);
	if (len < sizeof(*ip) + sizeof(*udp) + 4)
		return false;
	udp = (const struct rte_udp_hdr *)(ip + 1);
	if (udp->dst_port != rte_cpu_to_be_16(IPL_NATT_PORT))
		return false;
	pl = (const uint8_t *)(udp + 1);
	return (pl[0] | pl[1] | pl[2] | pl[3]) != 0;
}

static inline bool
is_udp(const struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);

	return (ip->version_ihl >> 4) == 4 && ip->next_proto_id == IPPROTO_UDP;
}

/* A burst's packets, by where they go next. */
struct in_pass {
	struct rte_mbuf *dec[IPL_BURST]; /* to decryption, under dec_sa[] */
	const struct ipl_sa *dec_sa[IPL_BURST];
	struct rte_mbuf *pol[IPL_BURST]; /* to their inbound policy */
	uint16_t nb_dec, nb_pol;
};

/* A run of packets of one SA to the crypto device; what it does not take is dropped. */
static void
decrypt_submit(struct ipl_lcore *lc, const struct ipl_sa *sa, struct rte_mbuf **m, uint16_t n)
{
	uint16_t prep_fail, k, i;

	k = ipl_crypto_submit(lc, sa, m, n, &prep_fail);
	if (likely(k == n))
		return;
	/* rte_ipsec refuses before crypto only what its window does; the shortages are
	 * counted. */
	lc->st.sa[sa->id].replay += prep_fail;
	lc->st.replay += prep_fail;
	for (i = k; i < n; i++)
		ipl_drop(m[i]);
}

static void inbound_burst(struct ipl_lcore *lc, struct rte_mbuf **pkts, uint16_t n);

/* Decrypted traffic routed into outbound processing (a hairpin) enters it as a packet
 * from a port does. */
static __rte_noinline void
hairpin(struct ipl_lcore *lc, struct rte_mbuf **m, uint16_t n)
{
	uint16_t i;

	for (i = 0; i < n; i++) {
		ipl_scratch(m[i])->orig_len = rte_pktmbuf_pkt_len(m[i]);
		ipl_scratch(m[i])->passes = 0;
	}
	ipl_outbound(lc, m, n);
}

void
ipl_inbound_done(struct ipl_lcore *lc, const struct ipl_sa *sa, struct rte_mbuf **m, uint16_t n,
		 uint16_t g, const struct ipl_crypto_res *res)
{
	struct rte_mbuf *pol[IPL_BURST], *next[IPL_BURST], *out[IPL_BURST];
	struct ipl_sa_stats *sst = &lc->st.sa[sa->id];
	uint16_t i, nb_pol = 0, nb_next = 0, nb_out = 0;
	uint64_t bytes;

	/* m[g .. n): refused after crypto. The device's failures are counted by their
	 * kind: ICV failures here, device errors by crypto.c. */
	for (i = g; i < n; i++) {
		if (m[i]->ol_flags & RTE_MBUF_F_RX_SEC_OFFLOAD_FAILED) {
			/* counted */
		} else if (trailer_bad(m[i])) {
			sst->errors++;
			lc->st.ipsec_error++;
		} else {
			sst->replay++;
			lc->st.replay++;
		}
		ipl_drop(m[i]);
	}
	sst->icv_fail += res->auth_fail;
	lc->st.icv_fail += res->auth_fail;
	sst->pkts += g;
	lc->st.decrypted += g;
	for (i = 0, bytes = 0; i < g; i++) {
		bytes += rte_pktmbuf_pkt_len(m[i]);
		if (ipl_ip_check(m[i], &lc->st) != 0) {
			ipl_drop(m[i]);
		} else if (ipl_tun_inner_fill(m[i]) != 0) {
			lc->st.ecn_drop++;
			ipl_drop(m[i]);
		} else if (unlikely(ipl_is_fragment(m[i]) || is_esp(m[i]))) {
			/* Another pass: the hard limit counts decryptions. */
			ipl_scratch(m[i])->passes++;
			next[nb_next++] = m[i];
		} else {
			/* To its policy now: no other loop over the burst first (see
			 * inbound_burst()). Decrypted, done with: its passes count
			 * encryptions again. */
			ipl_scratch(m[i])->passes = 0;
			pol[nb_pol++] = m[i];
		}
	}
	sst->bytes += bytes;
	policy_in(lc, pol, nb_pol, out, &nb_out);
	if (unlikely(nb_next != 0))
		inbound_burst(lc, next, nb_next);
	if (unlikely(nb_out != 0))
		hairpin(lc, out, nb_out);
}

/*
 * A fragment: one addressed to a tunnel endpoint of ours is reassembled (the whole
 * packet returned once it is complete, else NULL); any other is returned as it is, for
 * its policy (which names no ports, RFC 4301 7.1).
 */
static __rte_noinline struct rte_mbuf *
fragment_in(struct ipl_lcore *lc, struct rte_mbuf *m, uint64_t *now)
{
	if (!ipl_frag_for_us(m))
		return m;
	/* Decrypted already (ESP fragmented before another encryption): its IN_DONE tags
	 * would not survive rte_ip_frag, which frees and chains mbufs unaware of them. */
	if (ipl_scratch(m)->passes > 0) {
		lc->st.fragment++;
		ipl_drop(m);
		return NULL;
	}
	if (*now == 0) {
		*now = rte_get_timer_cycles();
		ipl_frag_expire(lc, *now); /* first: the table then holds no stale entry */
	}
	return ipl_reassemble(lc, m, *now);
}

/* ESP packet m of inbound SA sa: checked, recorded and queued for decryption, or dropped
 * and counted. */
static __rte_always_inline void
esp_in(struct ipl_lcore *lc, struct in_pass *p, struct rte_mbuf *m, const struct ipl_sa *sa)
{
	struct ipl_scratch *s = ipl_scratch(m);
	struct ipl_stats *st = &lc->st;

	if (unlikely(sa->natt != is_udp(m))) {
		/* ESP of a NAT-T SA must come in UDP, and the other way round */
		st->unknown_spi++;
		ipl_drop(m);
		return;
	}
	/* rte_ipsec (22.11) inbound finds ESP at l2_len + l3_len and strips what is in
	 * front: the UDP header of NAT-T counts as l3 (the SA itself is plain ESP to
	 * rte_ipsec inbound, see crypto.c). */
	if (sa->natt)
		m->l3_len += sizeof(struct rte_udp_hdr);
	if (unlikely(s->passes >= ipl.max_passes)) {
		st->loop_limit++;
		ipl_drop(m);
	} else if (unlikely(!tunnel_src_ok(m, sa))) {
		st->bad_tunnel_src++;
		ipl_drop(m);
	} else if (unlikely(!esp_len_ok(m, sa))) {
		st->esp_bad_len++;
		ipl_drop(m);
	} else if (!ipl.no_tags && !ipl_sa_record(lc, sa, MTAG_TYPE_IPSEC_IN_DONE, m)) {
		/* The record first: a packet that could not carry it would fail its policy
		 * anyway, and then costs no crypto. The benchmark baseline makes none. */
	} else {
		/* What decryption needs kept: the length (a replay tells by it, see
		 * trailer_bad()) and the outer TOS (ECN, RFC 6040). */
		s->esp_len = (uint16_t)rte_pktmbuf_pkt_len(m);
		ipl_tun_inner_save(m);
		p->dec[p->nb_dec] = m;
		p->dec_sa[p->nb_dec++] = sa;
	}
}

/* ESP packets whose SA is not in the lcore's cache, after the burst's first loop. */
static void
esp_in_bulk(struct ipl_lcore *lc, struct in_pass *p, struct rte_mbuf **m, uint16_t n)
{
	const struct ipl_sa *sa[IPL_BURST];
	enum ipl_esp_class cls[IPL_BURST];
	uint16_t i;

	ipl_sa_inbound_bulk(lc, m, n, sa, cls);
	for (i = 0; i < n; i++) {
		switch (cls[i]) {
		case IPL_ESP_SA:
			esp_in(lc, p, m[i], sa[i]);
			break;
		case IPL_ESP_TRANSIT:
			p->pol[p->nb_pol++] = m[i];
			break;
		case IPL_ESP_SHORT:
			lc->st.esp_bad_len++;
			ipl_drop(m[i]);
			break;
		default:
			lc->st.unknown_spi++;
			ipl_drop(m[i]);
		}
	}
}

/*
 * A burst: ESP for us goes to the crypto device (ipl_inbound_done() takes it on from
 * there, and hands what decrypts to ESP again or to a fragment back here), the rest to
 * its policy. Each packet's mbuf is read in one loop up to the crypto device and in one
 * after it: on 4 KiB pages every mbuf sits at the same offset of its page, so that the
 * mbufs of a burst of 32 share a few L1 sets and each further loop over the burst would
 * miss them all again.
 */
static void
inbound_burst(struct ipl_lcore *lc, struct rte_mbuf **pkts, uint16_t n)
{
	struct rte_mbuf *out[IPL_BURST], *slow[IPL_BURST];
	uint16_t i, j, nb_slow = 0, nb_out = 0;
	struct in_pass p;
	uint64_t now = 0;

	p.nb_dec = 0;
	p.nb_pol = 0;
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const struct ipl_sa *sa;

		if (unlikely(ipl_is_fragment(m))) {
			m = fragment_in(lc, m, &now);
			if (m == NULL)
				continue;
		}
		if (!is_esp(m)) {
			p.pol[p.nb_pol++] = m;
			continue;
		}
		sa = ipl_sa_inbound_cached(lc, m);
		if (likely(sa != NULL))
			esp_in(lc, &p, m, sa);
		else
			slow[nb_slow++] = m;
	}
	if (unlikely(nb_slow > 0))
		esp_in_bulk(lc, &p, slow, nb_slow);
	/* rte_ipsec works on bursts of one SA: runs in arrival order. */
	for (i = 0; i < p.nb_dec; i = j) {
		for (j = i + 1; j < p.nb_dec && p.dec_sa[j] == p.dec_sa[i]; j++)
			;
		decrypt_submit(lc, p.dec_sa[i], p.dec + i, j - i);
	}
	policy_in(lc, p.pol, p.nb_pol, out, &nb_out);
	ipl_frag_burst_end(lc);
	if (nb_out > 0)
		hairpin(lc, out, nb_out);
}

void
ipl_inbound(struct ipl_lcore *lc, struct rte_mbuf **pkts, uint16_t n)
{
	ipl_by_burst(inbound_burst, lc, pkts, n);
}
