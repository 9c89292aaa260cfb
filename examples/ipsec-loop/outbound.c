/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/*
 * Outbound: SPD lookup, MTAG_TYPE_IPSEC_OUT_DONE record, encryption, route.
 *
 * A route may hand the encrypted packet back to outbound processing (nested
 * tunnels). A packet that already carries OUT_DONE for the SA its policy
 * picks again has been here before: that is a loop, and the tag catches it on
 * the second pass (OpenBSD's ipsp_spd_lookup does the same with its
 * PACKET_TAG_IPSEC_OUT_DONE). Without the check only the hard limit on passes
 * stops it.
 */

#include <rte_byteorder.h>
#include <rte_ip.h>

#include "ipl.h"

/* Whether m was already encrypted under sa_id here. */
static inline bool
out_done_under(const struct rte_mbuf *m, uint32_t sa_id)
{
	struct mtag *t = NULL;

	while ((t = mtag_find(m, MTAG_TYPE_IPSEC_OUT_DONE, t)) != NULL)
		if (((const struct mtag_ipsec *)mtag_data(t))->sa_id == sa_id)
			return true;
	return false;
}

/* The packet leaves outbound processing: count its encryptions and growth. */
static inline void
account_exit(struct ipl_stats *st, struct rte_mbuf *m)
{
	const struct ipl_scratch *s = ipl_scratch(m);
	uint64_t growth = rte_pktmbuf_pkt_len(m) - s->orig_len;

	st->enc_hist[RTE_MIN(s->passes, IPL_HIST - 1)]++;
	if (growth > st->max_growth)
		st->max_growth = growth;
}

/* Route after outbound processing: a port, or another pass (*again). */
static void
route_out(struct ipl_lcore *lc, struct rte_mbuf *m, struct rte_mbuf **again, uint16_t *nb_again)
{
	const struct ipl_route_conf *r = ipl_route_pick(lc, m, again, nb_again);

	/* Accounted before the Ethernet header is prepended. */
	if (r != NULL) {
		account_exit(&lc->st, m);
		ipl_tx_enqueue(lc, r->port, r->has_mac ? r->mac : NULL, m);
	}
}

/* Route after encryption under sa: where sa's tunnel destination is routed, looked up
 * once for the SA; another pass through the lookup when that is outbound (a bundle). */
static __rte_always_inline void
route_esp(struct ipl_lcore *lc, const struct ipl_sa *sa, struct rte_mbuf *m,
	  struct rte_mbuf **again, uint16_t *nb_again)
{
	const struct ipl_route_conf *r = sa->route;

	if (unlikely(r == NULL || r->outbound)) {
		route_out(lc, m, again, nb_again);
		return;
	}
	account_exit(&lc->st, m);
	ipl_tx_enqueue(lc, r->port, r->has_mac ? r->mac : NULL, m);
}

static void
loop_caught(struct ipl_lcore *lc, struct rte_mbuf *m)
{
	lc->st.loops++;
	account_exit(&lc->st, m);
	if (ipl.conf.loop_action == IPL_LOOP_PORT)
		ipl_tx_enqueue(lc, ipl.conf.loop_port, NULL, m);
	else
		ipl_drop_captured(lc, m, IPL_CAP_LOOP);
}

/* Room in front for the tunnel header (and Ethernet on TX): nested tunnels outgrow the
 * mbuf's default headroom after a few passes. */
static int
make_headroom(struct rte_mbuf *m, uint16_t need)
{
	uint16_t head = rte_pktmbuf_headroom(m), shift;

	if (head >= need)
		return 0;
	shift = need - head;
	if (m->nb_segs != 1 || rte_pktmbuf_tailroom(m) < shift + 64)
		return -1;
	memmove(rte_pktmbuf_mtod(m, char *) + shift, rte_pktmbuf_mtod(m, char *),
		rte_pktmbuf_data_len(m));
	m->data_off += shift;
	return 0;
}

/* Ready m for encryption under sa: the MTU checked, room for the tunnel header, the
 * record, the inner header's TOS and DF kept. Here, in the loop that picks its SA,
 * where its mbuf is in L1 (see encrypt_run()). False: dropped. */
static __rte_always_inline bool
encrypt_prepare(struct ipl_lcore *lc, const struct ipl_sa *sa, struct rte_mbuf *m)
{
	if (!ipl_tun_fits(lc, sa, m))
		return false; /* dropped; ICMP to the sender with DF */
	if (make_headroom(m, sa->hdr_len + RTE_ETHER_HDR_LEN) != 0) {
		lc->st.no_mem++;
		ipl_drop(m);
		return false;
	}
	/* The record first: without it a packet could loop unseen (no tag, no packet), and
	 * one dropped for want of a tag costs no crypto. */
	if (!ipl.no_tags && !ipl_sa_record(lc, sa, MTAG_TYPE_IPSEC_OUT_DONE, m))
		return false;
	ipl_tun_outer_save(m);
	return true;
}

/* A run of packets of one SA to the crypto device; what it does not take is dropped. */
static void
encrypt_submit(struct ipl_lcore *lc, const struct ipl_sa *sa, struct rte_mbuf **m, uint16_t n)
{
	uint16_t prep_fail, k, i;

	k = ipl_crypto_submit(lc, sa, m, n, &prep_fail);
	if (likely(k == n))
		return;
	/* rte_ipsec's refusals (sequence numbers used up); the shortages are counted. */
	lc->st.sa[sa->id].errors += prep_fail;
	lc->st.ipsec_error += prep_fail;
	for (i = k; i < n; i++)
		ipl_drop(m[i]);
}

static void outbound_burst(struct ipl_lcore *lc, struct rte_mbuf **pkts, uint16_t n);

/* What an encryption routed back into outbound processing (a bundle, or a loop) takes
 * another pass, under the hard limit: counted on the packet, since each of its passes
 * ends at the crypto device. */
static __rte_noinline void
encrypted_again(struct ipl_lcore *lc, struct rte_mbuf **m, uint16_t n)
{
	uint16_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (ipl_scratch(m[i])->passes < ipl.max_passes) {
			m[k++] = m[i];
			continue;
		}
		/* The hard limit: what the tags would have stopped at pass 2. */
		lc->st.loop_limit++;
		account_exit(&lc->st, m[i]);
		ipl_drop(m[i]);
	}
	outbound_burst(lc, m, k);
}

void
ipl_outbound_done(struct ipl_lcore *lc, const struct ipl_sa *sa, struct rte_mbuf **m, uint16_t n,
		  uint16_t g, const struct ipl_crypto_res *res)
{
	struct ipl_sa_stats *sst = &lc->st.sa[sa->id];
	struct rte_mbuf *again[IPL_BURST];
	uint16_t i, failed, nb_again = 0;

	/* rte_ipsec's refusals; the device's failures are counted. */
	failed = n - g - res->dev_fail - res->auth_fail;
	sst->errors += failed;
	lc->st.ipsec_error += failed;
	for (i = g; i < n; i++)
		ipl_drop(m[i]);
	sst->pkts += g;
	lc->st.encrypted += g;
	/* One loop from here to TX, as one loop before the crypto device
	 * (encrypt_prepare()): each further loop over a burst of 32 would find the mbufs
	 * gone from L1 again (on 4 KiB pages every mbuf sits at the same offset of its
	 * page, in the same few L1 sets). */
	for (i = 0; i < g; i++) {
		ipl_tun_outer_fill(lc, m[i], sa);
		ipl_scratch(m[i])->passes++;
		sst->bytes += rte_pktmbuf_pkt_len(m[i]);
		route_esp(lc, sa, m[i], again, &nb_again);
	}
	if (unlikely(nb_again != 0))
		encrypted_again(lc, again, nb_again);
}

static void
outbound_burst(struct ipl_lcore *lc, struct rte_mbuf **pkts, uint16_t n)
{
	struct rte_mbuf *buf[2][IPL_BURST], *enc[IPL_BURST], **cur = pkts, **next;
	const struct ipl_sp_conf *sps[IPL_BURST];
	uint16_t enc_sa[IPL_BURST];
	struct ipl_stats *st = &lc->st;
	unsigned int pass;
	uint16_t i, j, nb_next, nb_enc;

	for (pass = 0; n > 0; pass++) {
		if (pass == ipl.max_passes) {
			/* The hard limit on passes without encryption (a bypass routed back). */
			st->loop_limit += n;
			for (i = 0; i < n; i++) {
				account_exit(st, cur[i]);
				ipl_drop(cur[i]);
			}
			return;
		}
		next = buf[pass & 1];
		nb_next = 0;
		nb_enc = 0;
		ipl_spd_classify(IPL_DIR_OUT, cur, n, sps);
		for (i = 0; i < n; i++) {
			struct rte_mbuf *m = cur[i];
			const struct ipl_sp_conf *sp = sps[i];

			if (sp == NULL) {
				st->no_policy++;
				ipl_drop(m);
			} else if (sp->action == IPL_ACT_DISCARD) {
				st->policy_discard++;
				ipl_drop(m);
			} else if (sp->action == IPL_ACT_BYPASS) {
				route_out(lc, m, next, &nb_next);
			} else if (ipl.loop_detect && out_done_under(m, sp->sa_id)) {
				loop_caught(lc, m);
			} else if ((rte_pktmbuf_mtod(m, uint8_t *)[0] >> 4) !=
				   ipl.sa[sp->sa_id].inner) {
				/* 'any' selectors over an SA of the other family */
				st->sa_family++;
				ipl_drop(m);
			} else if (encrypt_prepare(lc, &ipl.sa[sp->sa_id], m)) {
				enc[nb_enc] = m;
				enc_sa[nb_enc++] = (uint16_t)sp->sa_id;
			}
		}
		/* rte_ipsec works on bursts of one SA: take runs in arrival order. */
		for (i = 0; i < nb_enc; i = j) {
			for (j = i + 1; j < nb_enc && enc_sa[j] == enc_sa[i]; j++)
				;
			encrypt_submit(lc, &ipl.sa[enc_sa[i]], enc + i, j - i);
		}
		cur = next;
		n = nb_next;
	}
}

void
ipl_outbound(struct ipl_lcore *lc, struct rte_mbuf **pkts, uint16_t n)
{
	ipl_by_burst(outbound_burst, lc, pkts, n);
}
