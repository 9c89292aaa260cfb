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
#include <rte_esp.h>
#include <rte_ip.h>

#include "ipl.h"

static void
policy_in(struct ipl_lcore *lc, struct rte_mbuf *m, struct rte_mbuf **out, uint16_t *nb_out)
{
	const struct ipl_sp_conf *sp =
		ipl_spd_lookup(IPL_DIR_IN, rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *));
	struct ipl_stats *st = &lc->st;
	struct mtag *t = NULL;
	bool any = false;

	if (sp == NULL) {
		st->no_policy++;
		ipl_drop(m);
		return;
	}
	if (sp->action == IPL_ACT_DISCARD) {
		st->policy_discard++;
		ipl_drop(m);
		return;
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
			ipl_drop(m);
			return;
		}
	}
	ipl_route(lc, m, out, nb_out);
}

/* The inbound SA of an ESP packet for us, or NULL (counted, dropped). */
static const struct ipl_sa *
esp_classify(struct ipl_stats *st, struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	const struct rte_esp_hdr *esp;
	const struct ipl_sa *sa;
	int32_t clen;

	if (rte_pktmbuf_data_len(m) < sizeof(*ip) + sizeof(*esp)) {
		st->esp_bad_len++;
		return NULL;
	}
	esp = (const struct rte_esp_hdr *)(ip + 1);
	sa = ipl_sa_inbound(rte_be_to_cpu_32(esp->spi), rte_be_to_cpu_32(ip->dst_addr));
	if (sa == NULL) {
		st->unknown_spi++;
		return NULL;
	}
	/* Ciphertext (payload, padding, trailer) must hold the 2-byte trailer and fill whole
	 * blocks; checked here so that rte_ipsec refusals mean the replay window. */
	clen = (int32_t)rte_pktmbuf_pkt_len(m) -
	       (int32_t)(sizeof(*ip) + sizeof(*esp) + sa->iv_len + sa->icv_len);
	if (clen < 2 || clen % sa->pad_align != 0) {
		st->esp_bad_len++;
		return NULL;
	}
	return sa;
}

static void
decrypt_run(struct ipl_lcore *lc, const struct ipl_sa *sa, struct rte_mbuf **m, uint16_t n,
	    struct rte_mbuf **next, uint16_t *nb_next)
{
	struct ipl_sa_stats *sst = &lc->st.sa[sa->id];
	struct ipl_crypto_res res;
	uint16_t i, g;

	g = ipl_crypto_run(lc, sa, m, n, &res);
	sst->replay += res.prep_fail + res.proc_fail - res.crypto_fail;
	lc->st.replay += res.prep_fail + res.proc_fail - res.crypto_fail;
	sst->icv_fail += res.crypto_fail;
	lc->st.icv_fail += res.crypto_fail;
	for (i = g; i < n; i++)
		ipl_drop(m[i]);
	if (g == 0)
		return;
	if (ipl.no_tags)
		goto done;
	/* Without its record the packet would fail its policy anyway. */
	if (!ipl_sa_record(lc, sa, MTAG_TYPE_IPSEC_IN_DONE, m, g))
		return;
done:
	for (i = 0; i < g; i++)
		sst->bytes += rte_pktmbuf_pkt_len(m[i]);
	sst->pkts += g;
	lc->st.decrypted += g;
	for (i = 0; i < g; i++) {
		if (ipl_ip_check(m[i], &lc->st) != 0)
			ipl_drop(m[i]);
		else
			next[(*nb_next)++] = m[i];
	}
}

static void
inbound_burst(struct ipl_lcore *lc, struct rte_mbuf **pkts, uint16_t n)
{
	struct rte_mbuf *buf[2][IPL_BURST], *dec[IPL_BURST], *out[IPL_BURST], **cur = pkts, **next;
	const struct ipl_sa *dec_sa[IPL_BURST];
	struct ipl_stats *st = &lc->st;
	uint16_t i, j, nb_next, nb_dec, nb_out = 0;
	unsigned int pass;

	for (pass = 0; n > 0; pass++) {
		next = buf[pass & 1];
		nb_next = 0;
		nb_dec = 0;
		for (i = 0; i < n; i++) {
			struct rte_mbuf *m = cur[i];
			const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
			const struct ipl_sa *sa;

			if (ip->next_proto_id != IPPROTO_ESP ||
			    !ipl_is_local(rte_be_to_cpu_32(ip->dst_addr))) {
				policy_in(lc, m, out, &nb_out);
				continue;
			}
			if (pass == ipl.max_passes) {
				st->loop_limit++;
				ipl_drop(m);
				continue;
			}
			sa = esp_classify(st, m);
			if (sa == NULL) {
				ipl_drop(m);
				continue;
			}
			dec[nb_dec] = m;
			dec_sa[nb_dec++] = sa;
		}
		for (i = 0; i < nb_dec; i = j) {
			for (j = i + 1; j < nb_dec && dec_sa[j] == dec_sa[i]; j++)
				;
			decrypt_run(lc, dec_sa[i], dec + i, j - i, next, &nb_next);
		}
		cur = next;
		n = nb_next;
	}
	/* Decrypted traffic routed into outbound processing (a hairpin). */
	if (nb_out > 0)
		ipl_outbound(lc, out, nb_out);
}

void
ipl_inbound(struct ipl_lcore *lc, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t k;

	for (; n > 0; pkts += k, n -= k) {
		k = RTE_MIN(n, IPL_BURST);
		inbound_burst(lc, pkts, k);
	}
}
