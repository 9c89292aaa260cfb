/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/*
 * SAs and crypto devices: rte_ipsec SAs over lookaside (action type NONE)
 * cryptodev sessions; bursts of one SA prepared and enqueued, and what the
 * devices finish dequeued and processed, by runs of one SA, on a later poll.
 */

#include <netinet/in.h>
#include <string.h>

#include <rte_cryptodev.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_udp.h>
#include <rte_log.h>
#include <rte_malloc.h>

#include "ipl.h"

/* rte_ipsec writes the IV (or the GCM nonce) in the crypto op's private area. */
#define IPL_IV_OFFSET (sizeof(struct rte_crypto_op) + sizeof(struct rte_crypto_sym_op))
#define IPL_COP_PRIV 32
#define IPL_QP_DESC 2048

static int
check_xform(uint8_t dev, const struct rte_crypto_sym_xform *xf)
{
	const struct rte_cryptodev_symmetric_capability *cap;
	struct rte_cryptodev_sym_capability_idx idx;

	for (; xf != NULL; xf = xf->next) {
		memset(&idx, 0, sizeof(idx));
		idx.type = xf->type;
		if (xf->type == RTE_CRYPTO_SYM_XFORM_AEAD)
			idx.algo.aead = xf->aead.algo;
		else if (xf->type == RTE_CRYPTO_SYM_XFORM_CIPHER)
			idx.algo.cipher = xf->cipher.algo;
		else
			idx.algo.auth = xf->auth.algo;
		cap = rte_cryptodev_sym_capability_get(dev, &idx);
		if (cap == NULL)
			return -ENOTSUP;
		if (xf->type == RTE_CRYPTO_SYM_XFORM_AEAD &&
		    rte_cryptodev_sym_capability_check_aead(
			    cap, xf->aead.key.length, xf->aead.digest_length, xf->aead.aad_length,
			    xf->aead.iv.length) != 0)
			return -ENOTSUP;
		if (xf->type == RTE_CRYPTO_SYM_XFORM_CIPHER &&
		    rte_cryptodev_sym_capability_check_cipher(cap, xf->cipher.key.length,
							      xf->cipher.iv.length) != 0)
			return -ENOTSUP;
		if (xf->type == RTE_CRYPTO_SYM_XFORM_AUTH &&
		    rte_cryptodev_sym_capability_check_auth(cap, xf->auth.key.length,
							    xf->auth.digest_length,
							    xf->auth.iv.length) != 0)
			return -ENOTSUP;
	}
	return 0;
}

/* Crypto transforms of an SA: rte_ipsec wants cipher then auth outbound, auth then cipher
 * inbound. */
static struct rte_crypto_sym_xform *
fill_xforms(struct ipl_sa_conf *c, struct rte_crypto_sym_xform xf[2])
{
	bool out = c->dir == IPL_DIR_OUT;
	struct rte_crypto_sym_xform *ciph, *auth;

	memset(xf, 0, 2 * sizeof(xf[0]));
	if (c->alg == IPL_ALG_AES128_GCM) {
		xf[0].type = RTE_CRYPTO_SYM_XFORM_AEAD;
		xf[0].aead.op = out ? RTE_CRYPTO_AEAD_OP_ENCRYPT : RTE_CRYPTO_AEAD_OP_DECRYPT;
		xf[0].aead.algo = RTE_CRYPTO_AEAD_AES_GCM;
		xf[0].aead.key.data = c->key;
		xf[0].aead.key.length = c->key_len;
		xf[0].aead.iv.offset = IPL_IV_OFFSET;
		xf[0].aead.iv.length = 12;
		xf[0].aead.digest_length = 16;
		/* SPI + sequence number, 32 or 64 bits (RFC 4106 5) */
		xf[0].aead.aad_length = c->esn ? 12 : 8;
		return &xf[0];
	}
	ciph = out ? &xf[0] : &xf[1];
	auth = out ? &xf[1] : &xf[0];
	(out ? ciph : auth)->next = out ? auth : ciph;
	ciph->type = RTE_CRYPTO_SYM_XFORM_CIPHER;
	ciph->cipher.op = out ? RTE_CRYPTO_CIPHER_OP_ENCRYPT : RTE_CRYPTO_CIPHER_OP_DECRYPT;
	ciph->cipher.iv.offset = IPL_IV_OFFSET;
	auth->type = RTE_CRYPTO_SYM_XFORM_AUTH;
	auth->auth.op = out ? RTE_CRYPTO_AUTH_OP_GENERATE : RTE_CRYPTO_AUTH_OP_VERIFY;
	if (c->alg == IPL_ALG_AES128_CBC_SHA256) {
		ciph->cipher.algo = RTE_CRYPTO_CIPHER_AES_CBC;
		ciph->cipher.key.data = c->key;
		ciph->cipher.key.length = c->key_len;
		ciph->cipher.iv.length = 16;
		auth->auth.algo = RTE_CRYPTO_AUTH_SHA256_HMAC;
		auth->auth.key.data = c->auth_key;
		auth->auth.key.length = c->auth_key_len;
		auth->auth.digest_length = 16; /* truncated to 128 bits, RFC 4868 */
	} else {
		ciph->cipher.algo = RTE_CRYPTO_CIPHER_NULL;
		auth->auth.algo = RTE_CRYPTO_AUTH_NULL;
	}
	return &xf[0];
}

static int
sa_create(struct ipl_sa *s, uint32_t id, struct ipl_sa_conf *c, bool atomic)
{
	struct rte_crypto_sym_xform xf[2], *head;
	struct rte_ipsec_sa_prm prm;
	union {
		struct rte_ipv4_hdr v4;
		struct rte_ipv6_hdr v6;
	} tun;
	int sz, rc;
	uint8_t dev, nb_dev = rte_cryptodev_count();

	head = fill_xforms(c, xf);
	for (dev = 0; dev < nb_dev; dev++)
		if (check_xform(dev, head) == 0)
			break;
	if (dev == nb_dev) {
		printf("SA %u (line %d): no crypto device supports its algorithm\n", id, c->line);
		return -ENOTSUP;
	}

	/* The outer header template; rte_ipsec fills in its length (and IPv4 id). */
	memset(&tun, 0, sizeof(tun));
	if (c->src.family == IPL_AF_INET6) {
		tun.v6.vtc_flow = rte_cpu_to_be_32(6u << 28);
		tun.v6.proto = IPPROTO_ESP;
		tun.v6.hop_limits = 64;
		memcpy(IPL_IP6(tun.v6.src_addr), c->src.v6, 16);
		memcpy(IPL_IP6(tun.v6.dst_addr), c->dst.v6, 16);
	} else {
		tun.v4.version_ihl = RTE_IPV4_VHL_DEF;
		tun.v4.time_to_live = 64;
		/* NAT-T: rte_ipsec (22.11) inserts the UDP header, fills its length, leaves
		 * its checksum 0 (RFC 3948 2.1 allows it); the IP header says UDP. */
		tun.v4.next_proto_id = c->natt && c->dir == IPL_DIR_OUT ? IPPROTO_UDP : IPPROTO_ESP;
		tun.v4.src_addr = rte_cpu_to_be_32(c->src.v4);
		tun.v4.dst_addr = rte_cpu_to_be_32(c->dst.v4);
	}

	memset(&prm, 0, sizeof(prm));
	prm.userdata = id;
	prm.flags = atomic ? RTE_IPSEC_SAFLAG_SQN_ATOM : 0;
	prm.ipsec_xform.spi = c->spi;
	memcpy(&prm.ipsec_xform.salt, c->salt, sizeof(c->salt)); /* wire order, as in the nonce */
	prm.ipsec_xform.direction = c->dir == IPL_DIR_OUT ? RTE_SECURITY_IPSEC_SA_DIR_EGRESS
							  : RTE_SECURITY_IPSEC_SA_DIR_INGRESS;
	prm.ipsec_xform.proto = RTE_SECURITY_IPSEC_SA_PROTO_ESP;
	prm.ipsec_xform.mode = RTE_SECURITY_IPSEC_SA_MODE_TUNNEL;
	if (c->src.family == IPL_AF_INET6) {
		prm.ipsec_xform.tunnel.type = RTE_SECURITY_IPSEC_TUNNEL_IPV6;
		memcpy(&prm.ipsec_xform.tunnel.ipv6.src_addr, c->src.v6, 16);
		memcpy(&prm.ipsec_xform.tunnel.ipv6.dst_addr, c->dst.v6, 16);
		prm.ipsec_xform.tunnel.ipv6.hlimit = 64;
	} else {
		prm.ipsec_xform.tunnel.type = RTE_SECURITY_IPSEC_TUNNEL_IPV4;
		prm.ipsec_xform.tunnel.ipv4.src_ip.s_addr = tun.v4.src_addr;
		prm.ipsec_xform.tunnel.ipv4.dst_ip.s_addr = tun.v4.dst_addr;
	}
	prm.ipsec_xform.tunnel.ipv4.ttl = 64;
	prm.ipsec_xform.replay_win_sz = c->dir == IPL_DIR_IN ? c->replay_win : 0;
	prm.ipsec_xform.options.esn = c->esn ? 1 : 0;
	/* Outbound NAT-T is rte_ipsec's; inbound it is not found in 22.11 lookaside: there
	 * the UDP header is taken off as part of the outer header (inbound.c). */
	if (c->natt && c->dir == IPL_DIR_OUT) {
		prm.ipsec_xform.options.udp_encap = 1;
		prm.ipsec_xform.udp.sport = IPL_NATT_PORT;
		prm.ipsec_xform.udp.dport = IPL_NATT_PORT;
	}
	/* rte_ipsec: outbound, the next number to send; inbound, the window's top. */
	prm.ipsec_xform.esn.value = c->seq;
	prm.crypto_xform = head;
	prm.tun.hdr = &tun;
	prm.tun.hdr_len = c->src.family == IPL_AF_INET6 ? sizeof(tun.v6) : sizeof(tun.v4);
	prm.tun.hdr_l3_off = 0;
	prm.tun.next_proto = c->inner == IPL_AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IPIP;

	sz = rte_ipsec_sa_size(&prm);
	if (sz < 0)
		return sz;
	s->sa = rte_zmalloc_socket("ipl_sa", sz, RTE_CACHE_LINE_SIZE, rte_socket_id());
	if (s->sa == NULL)
		return -ENOMEM;
	rc = rte_ipsec_sa_init(s->sa, &prm, sz);
	if (rc < 0) {
		printf("SA %u (line %d): rte_ipsec_sa_init: %s\n", id, c->line, strerror(-rc));
		return rc;
	}
	s->cs = rte_cryptodev_sym_session_create(dev, head, ipl.sess_pool);
	if (s->cs == NULL) {
		printf("SA %u (line %d): crypto session: %s\n", id, c->line,
		       rte_strerror(rte_errno));
		return -rte_errno;
	}
	s->cdev = dev;
	s->ss.sa = s->sa;
	s->ss.type = RTE_SECURITY_ACTION_TYPE_NONE;
	s->ss.crypto.ses = s->cs;
	s->ss.crypto.dev_id = dev;
	rc = rte_ipsec_session_prepare(&s->ss);
	if (rc != 0)
		return rc;
	s->id = id;
	s->spi = c->spi;
	s->dir = c->dir;
	s->outer6 = c->src.family == IPL_AF_INET6;
	if (!s->outer6) {
		uint16_t w[sizeof(struct rte_ipv4_hdr) / 2];
		unsigned int i;

		memcpy(w, &tun, sizeof(w));
		/* words 4 (TTL, protocol) and 6 to 9 (addresses): what rte_ipsec copies */
		s->ck4 = w[4];
		for (i = 6; i < 10; i++)
			s->ck4 += w[i];
	}
	s->local = c->dst;
	s->local_be4 = c->dst.family == IPL_AF_INET ? rte_cpu_to_be_32(c->dst.v4) : 0;
	s->remote = c->src;
	s->df = c->df;
	if (c->dir == IPL_DIR_OUT) {
		const struct ipl_route_conf *r = ipl_conf_route(&ipl.conf, &c->dst);

		s->mtu = r != NULL && !r->outbound ? ipl.conf.port[r->port].mtu : 0;
		s->route = r;
	}
	s->iv_len = c->alg == IPL_ALG_AES128_GCM ? 8 : c->alg == IPL_ALG_NULL ? 0 : 16;
	s->icv_len = c->alg == IPL_ALG_NULL ? 0 : 16;
	s->pad_align = c->alg == IPL_ALG_AES128_CBC_SHA256 ? 16 : 4;
	s->hdr_len = prm.tun.hdr_len + (c->natt ? sizeof(struct rte_udp_hdr) : 0) + 8 + s->iv_len;
	s->inner_max = ipl_tun_inner_max(s);
	s->natt = c->natt;
	s->inner = c->inner;
	s->used = true;
	return 0;
}

int
ipl_crypto_init(unsigned int nb_qp)
{
	uint8_t dev, nb_dev = rte_cryptodev_count();
	unsigned int sess_sz = 0, i, nb_sa = 0;
	int socket = rte_socket_id(), rc;
	bool atomic;

	if (nb_dev == 0) {
		printf("no crypto device: add e.g. --vdev crypto_aesni_mb0 (or crypto_openssl0, "
		       "crypto_null0)\n");
		return -ENODEV;
	}
	ipl.nb_cdev = nb_dev;
	for (dev = 0; dev < nb_dev; dev++)
		sess_sz = RTE_MAX(sess_sz, rte_cryptodev_sym_get_private_session_size(dev));
	for (i = 0; i < IPL_MAX_SA; i++)
		nb_sa += ipl.conf.sa[i].used;
	ipl.sess_pool = rte_cryptodev_sym_session_pool_create("ipl_sess", 2 * nb_sa + 1, sess_sz, 0,
							      0, socket);
	ipl.cop_pool =
		rte_crypto_op_pool_create("ipl_cop", RTE_CRYPTO_OP_TYPE_SYMMETRIC, ipl.nb_cops,
					  RTE_MIN(128u, ipl.nb_cops / 4), IPL_COP_PRIV, socket);
	if (ipl.sess_pool == NULL || ipl.cop_pool == NULL)
		return -ENOMEM;

	for (dev = 0; dev < nb_dev; dev++) {
		struct rte_cryptodev_config cfg = {.socket_id = socket, .nb_queue_pairs = nb_qp};
		struct rte_cryptodev_qp_conf qp = {.nb_descriptors = IPL_QP_DESC,
						   .mp_session = ipl.sess_pool};
		struct rte_cryptodev_info info;

		rte_cryptodev_info_get(dev, &info);
		if (info.max_nb_queue_pairs < nb_qp) {
			printf("crypto device %u has %u queue pairs, %u lcores need one each\n",
			       dev, info.max_nb_queue_pairs, nb_qp);
			return -EINVAL;
		}
		rc = rte_cryptodev_configure(dev, &cfg);
		for (i = 0; rc == 0 && i < nb_qp; i++)
			rc = rte_cryptodev_queue_pair_setup(dev, i, &qp, socket);
		if (rc == 0)
			rc = rte_cryptodev_start(dev);
		if (rc != 0) {
			printf("crypto device %u: setup failed (%d)\n", dev, rc);
			return rc;
		}
	}

	for (i = 0; i < IPL_MAX_SA; i++) {
		if (!ipl.conf.sa[i].used)
			continue;
		/* Several lcores share SAs: atomic sequence numbers and window. Not for an
		 * inbound SA without a window: rte_ipsec (22.11) then locks the window it
		 * does not have and crashes; without a window there is nothing to share. */
		atomic = nb_qp > 1 &&
			 !(ipl.conf.sa[i].dir == IPL_DIR_IN && ipl.conf.sa[i].replay_win == 0);
		rc = sa_create(&ipl.sa[i], i, &ipl.conf.sa[i], atomic);
		if (rc != 0)
			return rc;
		if (ipl.sa[i].dir == IPL_DIR_IN)
			ipl.sa_in[ipl.nb_sa_in++] = &ipl.sa[i];
		if (ipl.sa[i].dir == IPL_DIR_IN && ipl.sa[i].natt)
			ipl.natt = true;
	}
	return 0;
}

/* An op names its packet (m_src) only while a device holds it: what still names one once
 * the devices are closed is a packet a device never gave back, ours again to free. */
static void
free_kept(struct rte_mempool *mp __rte_unused, void *arg, void *obj, unsigned int idx __rte_unused)
{
	struct rte_crypto_op *cop = obj;

	if (cop->sym->m_src != NULL) {
		mtag_pktmbuf_free(cop->sym->m_src);
		cop->sym->m_src = NULL;
		(*(unsigned int *)arg)++;
	}
}

void
ipl_crypto_fini(void)
{
	uint8_t dev, nb_dev = rte_cryptodev_count();
	unsigned int i, kept = 0;
	bool closed = true;

	ipl_crypto_drain();
	for (i = 0; i < IPL_MAX_SA; i++) {
		struct ipl_sa *s = &ipl.sa[i];

		if (s->cs != NULL)
			rte_cryptodev_sym_session_free(s->cdev, s->cs);
		if (s->sa != NULL) {
			rte_ipsec_sa_fini(s->sa);
			rte_free(s->sa);
		}
		memset(s, 0, sizeof(*s));
	}
	ipl.nb_sa_in = 0;
	for (dev = 0; dev < nb_dev; dev++) {
		rte_cryptodev_stop(dev);
		if (rte_cryptodev_close(dev) != 0)
			closed = false;
	}
	if (closed && ipl.cop_pool != NULL) {
		rte_mempool_obj_iter(ipl.cop_pool, free_kept, &kept);
		if (kept != 0)
			printf("%u packets kept by a crypto device: freed with it\n", kept);
	}
	rte_mempool_free(ipl.cop_pool);
	rte_mempool_free(ipl.sess_pool);
}

/*
 * Hand a burst of one SA to its device and go on: the ops come back through
 * ipl_crypto_poll(), later in the same round or in a later one. Waiting for them here
 * would make an IPsec MB device flush its part-filled CBC and HMAC lanes on every burst,
 * and would leave a hardware device idle while the lcore waits.
 */
uint16_t
ipl_crypto_submit(struct ipl_lcore *lc, const struct ipl_sa *sa, struct rte_mbuf **m, uint16_t n,
		  uint16_t *prep_fail)
{
	struct rte_crypto_op *cop[IPL_BURST];
	uint16_t k, e, i, nb_op = n;

	*prep_fail = 0;
	if (rte_crypto_op_bulk_alloc(ipl.cop_pool, RTE_CRYPTO_OP_TYPE_SYMMETRIC, cop, n) == 0) {
		/* Short of ops: as many packets as there are ops left, the rest dropped. */
		nb_op = RTE_MIN(n, rte_mempool_avail_count(ipl.cop_pool));
		while (nb_op > 0 &&
		       rte_crypto_op_bulk_alloc(ipl.cop_pool, RTE_CRYPTO_OP_TYPE_SYMMETRIC, cop,
						nb_op) == 0)
			nb_op /= 2;
		lc->st.no_crypto_op += n - nb_op;
		if (nb_op == 0)
			return 0;
	}
	/* Refused ones behind the others, in m[] as in cop[]. */
	k = rte_ipsec_pkt_crypto_prepare(&sa->ss, m, cop, nb_op);
	*prep_fail = nb_op - k;
	e = k != 0 ? rte_cryptodev_enqueue_burst(sa->cdev, lc->qid, cop, k) : 0;
	lc->inflight[sa->cdev] += e;
	if (unlikely(e < nb_op)) {
		/* Past k, rte_ipsec's refusals; from e to k, what the device's queue did not
		 * take (full, or it takes nothing): dropped, as a port drops what its TX queue
		 * cannot hold. Their ops go back to the pool, where an op names no packet. */
		lc->st.crypto_busy += k - e;
		for (i = e; i < nb_op; i++)
			cop[i]->sym->m_src = NULL;
		rte_mempool_put_bulk(ipl.cop_pool, (void **)cop + e, nb_op - e);
	}
	return e;
}

/*
 * The run of one SA's completed ops at the head of cop[0 .. n) (rte_ipsec works on runs of
 * one SA: the ops of a session in a row) through rte_ipsec to its direction's stage;
 * returns the run's length.
 */
static uint16_t
crypto_done(struct ipl_lcore *lc, struct rte_crypto_op **cop, uint16_t n)
{
	const void *ses = cop[0]->sym->session;
	const struct ipl_sa *sa =
		container_of(rte_ipsec_ses_from_crypto(cop[0]), struct ipl_sa, ss);
	struct ipl_crypto_res res = {0};
	struct rte_mbuf *m[IPL_BURST];
	uint16_t i, g;

	n = RTE_MIN(n, IPL_BURST);
	for (i = 0; i < n; i++) {
		struct rte_crypto_sym_op *so = cop[i]->sym;
		const uint8_t status = cop[i]->status;

		if (so->session != ses)
			break;
		m[i] = so->m_src;
		so->m_src = NULL; /* back in the pool, an op names no packet */
		if (unlikely(status != RTE_CRYPTO_OP_STATUS_SUCCESS)) {
			/* rte_ipsec_pkt_process() refuses packets flagged so. */
			m[i]->ol_flags |= RTE_MBUF_F_RX_SEC_OFFLOAD_FAILED;
			if (status == RTE_CRYPTO_OP_STATUS_AUTH_FAILED)
				res.auth_fail++;
			else
				res.dev_fail++;
		}
	}
	n = i;
	rte_mempool_put_bulk(ipl.cop_pool, (void **)cop, n); /* all of one pool */
	if (unlikely(res.dev_fail != 0)) {
		lc->st.crypto_error += res.dev_fail;
		lc->st.sa[sa->id].crypto_errors += res.dev_fail;
	}
	g = rte_ipsec_pkt_process(&sa->ss, m, n);
	if (sa->dir == IPL_DIR_OUT)
		ipl_outbound_done(lc, sa, m, n, g, &res);
	else
		ipl_inbound_done(lc, sa, m, n, g, &res);
	return n;
}

void
ipl_crypto_poll(struct ipl_lcore *lc)
{
	struct rte_crypto_op *cop[IPL_CRYPTO_POLL];
	uint16_t d, i;
	uint8_t dev;

	for (dev = 0; dev < ipl.nb_cdev; dev++) {
		if (lc->inflight[dev] == 0)
			continue;
		d = rte_cryptodev_dequeue_burst(dev, lc->qid, cop, IPL_CRYPTO_POLL);
		lc->inflight[dev] -= d;
		for (i = 0; i < d;)
			i += crypto_done(lc, cop + i, d - i);
	}
}

static uint32_t
inflight(const struct ipl_lcore *lc)
{
	uint32_t sum = 0;
	uint8_t dev;

	for (dev = 0; dev < ipl.nb_cdev; dev++)
		sum += lc->inflight[dev];
	return sum;
}

void
ipl_crypto_finish(struct ipl_lcore *lc)
{
	uint64_t end = rte_get_timer_cycles() + rte_get_timer_hz() / 1000 * IPL_CRYPTO_WAIT_MS;

	while (inflight(lc) != 0 && rte_get_timer_cycles() < end)
		ipl_crypto_poll(lc);
	/* Freed when the device returns them (ipl_crypto_drain()), else when it closes. */
	lc->st.crypto_timeout += inflight(lc);
}

void
ipl_crypto_drain(void)
{
	struct rte_crypto_op *done[IPL_BURST];
	uint64_t end = rte_get_timer_cycles() + rte_get_timer_hz() / 1000 * IPL_CRYPTO_WAIT_MS;
	unsigned int l;
	uint16_t i, d;
	uint8_t dev;

	for (l = 0; l < ipl.nb_lcores; l++) {
		struct ipl_lcore *lc = &ipl.lc[l];

		while (inflight(lc) != 0 && rte_get_timer_cycles() < end) {
			for (dev = 0; dev < ipl.nb_cdev; dev++) {
				if (lc->inflight[dev] == 0)
					continue;
				d = rte_cryptodev_dequeue_burst(dev, lc->qid, done, IPL_BURST);
				for (i = 0; i < d; i++) {
					mtag_pktmbuf_free(done[i]->sym->m_src);
					done[i]->sym->m_src = NULL;
					rte_crypto_op_free(done[i]);
				}
				lc->inflight[dev] -= d;
			}
		}
		if (inflight(lc) != 0)
			printf("lcore %u: %u crypto ops still in a crypto device\n", l,
			       inflight(lc));
	}
}
