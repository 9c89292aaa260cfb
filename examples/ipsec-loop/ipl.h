/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

#ifndef IPL_H
#define IPL_H

/**
 * @file
 * dpdk-ipsec-loop: shared state of the stages (outbound, inbound, spd,
 * crypto, port, stats).
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_bitops.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_ip_frag.h>
#include <rte_ipsec.h>
#include <rte_lpm.h>
#include <rte_lpm6.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_udp.h>
#include <rte_version.h>

#include <mtag.h>
#include <mtag_capture.h>

#include "conf.h"
#include "stats.h"

/* DPDK 24.11 made an IPv6 address a struct (struct rte_ipv6_addr) in
 * rte_ipv6_hdr and rte_lpm6; these give its 16 bytes, or the key, either way. */
#if RTE_VERSION >= RTE_VERSION_NUM(24, 11, 0, 0)
#define IPL_IP6(addr) ((addr).a)
#define IPL_LPM6_KEY(bytes) ((const struct rte_ipv6_addr *)(const void *)(bytes))
#else
#define IPL_IP6(addr) (addr)
#define IPL_LPM6_KEY(bytes) (bytes)
#endif

#define IPL_BURST 32
/** Hard limit on passes through one stage, whatever the tags say. */
#define IPL_PASSES_DEFAULT 8
#define IPL_PASSES_MAX 16
#define IPL_TXBUF 64
/** Crypto ops: a few bursts per lcore in the devices at a time, with room to spare. */
#define IPL_COPS_DEFAULT 8191
/** Ops one poll takes from a crypto device at most: a few bursts, so that a poll a round
 *  keeps up with several ports, and never fewer than the device holds (an IPsec MB
 *  device asked for more than it has finished flushes its part-filled lanes). */
#define IPL_CRYPTO_POLL (4 * IPL_BURST)
/** At exit: how long the lcores wait for what the crypto devices still hold. */
#define IPL_CRYPTO_WAIT_MS 100
/** NAT traversal: ESP in UDP to and from this port (RFC 3948). */
#define IPL_NATT_PORT 4500
/** Reassembly: packets put together at a time per lcore (table entries, --frag-table). */
#define IPL_FRAG_TABLE_DEFAULT 1024
/** Reassembly: how long the fragments of a packet wait for the others (--frag-ttl). */
#define IPL_FRAG_TTL_MS_DEFAULT 2000
/** Reassembled packets (one contiguous mbuf each) that an lcore can hold at a time. */
#define IPL_REASS_MBUFS 512

/** Per-packet scratch, an mbuf dynamic field of the example's own. */
struct ipl_scratch {
	uint32_t orig_len; /**< IP length when the packet entered. */
	uint8_t passes;	   /**< Times encrypted (outbound) or decrypted (inbound) here, at
			    *   most IPL_PASSES_MAX: the hard limit across the crypto device. */
	uint8_t tos;	   /**< Header TOS / traffic class rte_ipsec does not carry across:
			    *   outbound the inner one, inbound the outer one. */
	union {
		/** Inbound: length handed to rte_ipsec (which decapsulates first, then
		 *  refuses a replay: a changed length tells a replay). */
		uint16_t esp_len;
		uint16_t df; /**< Outbound: the inner packet said do not fragment. */
	};
};

/* 8 bytes: mbuf dynamic field space is small (mtag's chain and the PMDs' need it too). */
_Static_assert(sizeof(struct ipl_scratch) == 8, "ipl_scratch grew");

extern int ipl_scratch_offset;

static inline struct ipl_scratch *
ipl_scratch(struct rte_mbuf *m)
{
	return RTE_MBUF_DYNFIELD(m, ipl_scratch_offset, struct ipl_scratch *);
}

/** An SA ready for rte_ipsec. */
struct ipl_sa {
	struct rte_ipsec_session ss;
	struct rte_ipsec_sa *sa;
	void *cs;     /**< Crypto session. */
	uint8_t cdev; /**< Crypto device of the session. */
	uint32_t id;
	uint32_t spi;		/**< Host order. */
	struct ipl_addr local;	/**< Inbound: our tunnel address. */
	rte_be32_t local_be4;	/**< The same, IPv4, in network order. */
	struct ipl_addr remote; /**< Inbound: the peer's tunnel address, checked on input. */
	uint16_t hdr_len;	/**< Outbound: tunnel IP + ESP header + IV. */
	bool outer6;		/**< The tunnel is IPv6. */
	uint32_t ck4; /**< Outbound IPv4: sum of the template's TTL, protocol and addresses
		       *   (16-bit words as read from memory), for the outer checksum. */
	uint16_t iv_len;
	uint16_t icv_len;
	uint16_t pad_align;
	enum ipl_df df;	    /**< Outbound: outer DF bit. */
	uint8_t inner;	    /**< The family it carries (IPL_AF_INET or IPL_AF_INET6). */
	bool natt;	    /**< ESP in UDP, RFC 3948. */
	uint16_t mtu;	    /**< Outbound: MTU of the port its tunnel leaves by (0: a bundle, not
			     *   checked at this layer). */
	uint32_t inner_max; /**< Outbound: the largest inner packet that fits it. */
	/** Outbound: the route of its tunnel destination, where all its ESP packets go
	 *  (routes do not change while running). */
	const struct ipl_route_conf *route;
	bool used;
	enum ipl_dir dir;
};

/** Inbound SAs by SPI, the last seen per slot: most ESP packets skip the hash. */
#define IPL_SA_CACHE 64

/** Per-lcore state: queues, TX buffers, counters. */
struct ipl_lcore {
	uint16_t qid; /**< RX/TX queue on every port and queue pair on every crypto device. */
	uint16_t nb_tx[IPL_MAX_PORTS];
	const struct ipl_sa *sa_cache[IPL_SA_CACHE];
	struct rte_mbuf *tx[IPL_MAX_PORTS][IPL_TXBUF];
	struct ipl_stats st;
	uint32_t inflight[RTE_CRYPTO_MAX_DEVS]; /**< Ops in each crypto device's queue pair. */
	uint16_t ip_id;	 /**< Next outer IPv4 identification (RFC 6864), lcores apart. */
	uint32_t ip6_id; /**< Next IPv6 fragment identification, lcores apart. */
	struct rte_ip_frag_tbl *frag_tbl; /**< Reassembly (NULL: --no-reassemble). */
	struct rte_ip_frag_death_row dr;  /**< Fragments rte_ip_frag gave up, to free. */
	double cpu_s;			  /**< CPU time the lcore's thread used while forwarding. */
	double wall_s;			  /**< Wall-clock time it forwarded. */
} __rte_cache_aligned;

/** Application state. */
struct ipl_app {
	struct ipl_conf conf;
	struct ipl_sa sa[IPL_MAX_SA];
	const struct ipl_sa *sa_in[IPL_MAX_SA]; /**< The inbound SAs, for lookups by SPI. */
	unsigned int nb_sa_in;
	struct rte_ether_addr port_mac[IPL_MAX_PORTS];
	/** What TX puts on each port's packets: Ethernet destination and source, MTU. */
	struct ipl_port_tx {
		uint8_t l2[2 * RTE_ETHER_ADDR_LEN];
		uint16_t mtu;
	} port_tx[IPL_MAX_PORTS];
	bool port_started[IPL_MAX_PORTS];
	bool loop_detect;
	bool no_tags; /**< Benchmark baseline: no IPsec tags at all (insecure). */
	bool natt;    /**< Some inbound SA takes ESP in UDP. */
	unsigned int max_passes;
	bool fragment;	 /**< Fragment what exceeds a port's MTU (see frag.c). */
	bool reassemble; /**< Reassemble the fragments addressed to our tunnel endpoints. */
	unsigned int frag_table;
	unsigned int frag_ttl_ms;
	struct rte_mempool *mbuf_pool;
	struct rte_mempool *big_pool; /**< Reassembled packets, contiguous. */
	struct rte_lpm *lpm4;	      /**< The IPv4 routes (spd.c), for the inline lookup. */
	struct rte_lpm6 *lpm6;	      /**< The IPv6 routes (spd.c), likewise. */
	struct rte_mempool *cop_pool;
	unsigned int nb_cops;
	struct rte_mempool *sess_pool;
	uint8_t nb_cdev;
	unsigned int nb_lcores;
	struct ipl_lcore lc[RTE_MAX_LCORE];
};

extern struct ipl_app ipl;
/** Set by SIGINT, SIGTERM, SIGHUP or --duration: every loop returns. */
extern volatile bool ipl_force_quit;

/* spd.c */
/** Build the lookup tables (rte_acl, rte_lpm, rte_lpm6, rte_hash) from ipl.conf. */
int ipl_spd_init(void);
void ipl_spd_fini(void);
/**
 * First matching policy of direction @p dir for each of m[0 .. n) (n <= IPL_BURST; IPv4
 * and IPv6 packets may be mixed, each starting at its IP header): sp[i], or NULL.
 */
void ipl_spd_classify(enum ipl_dir dir, struct rte_mbuf **m, uint16_t n,
		      const struct ipl_sp_conf **sp);
/** Route of an IPv4 destination (host order) or NULL. */
static __rte_always_inline const struct ipl_route_conf *
ipl_route_lookup4(uint32_t dst)
{
	uint32_t hop;

	if (unlikely(ipl.lpm4 == NULL) || rte_lpm_lookup(ipl.lpm4, dst, &hop) != 0)
		return NULL;
	return &ipl.conf.route[hop];
}
/** Route of an IPv6 destination (network order) or NULL. */
static __rte_always_inline const struct ipl_route_conf *
ipl_route_lookup6(const uint8_t dst[16])
{
	uint32_t hop;

	if (unlikely(ipl.lpm6 == NULL) || rte_lpm6_lookup(ipl.lpm6, IPL_LPM6_KEY(dst), &hop) != 0)
		return NULL;
	return &ipl.conf.route[hop];
}

/** What an ESP packet is to us. */
enum ipl_esp_class {
	IPL_ESP_SA,	     /**< For one of our inbound SAs. */
	IPL_ESP_UNKNOWN_SPI, /**< For one of our tunnel addresses, no SA with its SPI. */
	IPL_ESP_SHORT,	     /**< For one of our tunnel addresses, too short for an SPI. */
	IPL_ESP_TRANSIT,     /**< Not for us: forwarded like any packet. */
};
/** Whether an address (4 or 16 bytes, network order, of family 4 or 6) is one of our tunnel
 * endpoints. */
bool ipl_addr_is_local(uint8_t family, const uint8_t *addr);
/**
 * Offset of the ESP header in ESP packet h (l3 at the start): after the IP header, and
 * after the UDP header of ESP in UDP (RFC 3948; ipl_inbound() picks only UDP to
 * IPL_NATT_PORT).
 */
static __rte_always_inline unsigned int
ipl_esp_offset(const uint8_t *h)
{
	if ((h[0] >> 4) == 6)
		return sizeof(struct rte_ipv6_hdr);
	if (((const struct rte_ipv4_hdr *)h)->next_proto_id == IPPROTO_UDP)
		return sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_udp_hdr);
	return sizeof(struct rte_ipv4_hdr);
}
/**
 * The inbound SA of ESP packet m (l3 at the start) from the lcore's cache, inline: the
 * last SA seen in the slot of m's SPI, if it is m's (its SPI and our tunnel address, the
 * key of the hash). Most packets are of an SA seen just before: they need no key and
 * no hash. NULL otherwise, for ipl_sa_inbound_bulk().
 */
static __rte_always_inline const struct ipl_sa *
ipl_sa_inbound_cached(const struct ipl_lcore *lc, const struct rte_mbuf *m)
{
	const uint8_t *h = rte_pktmbuf_mtod(m, const uint8_t *);
	const unsigned int off = ipl_esp_offset(h);
	const struct ipl_sa *c;
	uint32_t spi;

	if (unlikely(rte_pktmbuf_data_len(m) < off + 8))
		return NULL;
	/* At any even address: memcpy(), one unaligned load. */
	memcpy(&spi, h + off, sizeof(spi));
	spi = rte_be_to_cpu_32(spi);
	c = lc->sa_cache[spi & (IPL_SA_CACHE - 1)];
	if (c == NULL || c->spi != spi)
		return NULL;
	if ((h[0] >> 4) == 6)
		return c->local.family == IPL_AF_INET6 &&
				       memcmp(c->local.v6,
					      IPL_IP6(((const struct rte_ipv6_hdr *)h)->dst_addr),
					      16) == 0
			       ? c
			       : NULL;
	return c->local.family == IPL_AF_INET &&
			       ((const struct rte_ipv4_hdr *)h)->dst_addr == c->local_be4
		       ? c
		       : NULL;
}
/** Classify ESP packets m[0 .. n) (n <= IPL_BURST) that ipl_sa_inbound_cached() did not
 * find, by the SA hash (the cache filled from it): cls[i], and sa[i] for IPL_ESP_SA. */
void ipl_sa_inbound_bulk(struct ipl_lcore *lc, struct rte_mbuf **m, uint16_t n,
			 const struct ipl_sa **sa, enum ipl_esp_class *cls);

/* crypto.c */
int ipl_crypto_init(unsigned int nb_qp);
void ipl_crypto_fini(void);
/**
 * Hand m[0 .. n) (n <= IPL_BURST), packets of SA sa, to its crypto device. Returns k:
 * m[0 .. k) are in the device, ipl_crypto_poll() hands them back; the caller drops
 * m[k .. n), *prep_fail of them refused by rte_ipsec (the caller counts those), the
 * others counted here: no crypto op left (no_crypto_op), or the device's queue full
 * (crypto_busy).
 */
uint16_t ipl_crypto_submit(struct ipl_lcore *lc, const struct ipl_sa *sa, struct rte_mbuf **m,
			   uint16_t n, uint16_t *prep_fail);
/** Failures in the crypto device among the packets of a run handed back. */
struct ipl_crypto_res {
	uint16_t auth_fail; /**< Failed authentication (ICV), the caller counts them. */
	uint16_t dev_fail;  /**< Device errors, counted (crypto_error, the SA's crypto_errors). */
};
/**
 * Take what the lcore's crypto queue pairs have finished and hand it, by runs of one SA
 * (at most IPL_BURST), through rte_ipsec_pkt_process() to ipl_outbound_done() or
 * ipl_inbound_done().
 */
void ipl_crypto_poll(struct ipl_lcore *lc);
/** At the end of an lcore's loop: poll until its devices hold none of its ops, or for
 *  IPL_CRYPTO_WAIT_MS; what they still hold is given up (crypto_timeout). */
void ipl_crypto_finish(struct ipl_lcore *lc);
/** At exit: take back (and free) what the crypto devices still hold of given-up ops. */
void ipl_crypto_drain(void);

/* port.c */
/** mbufs the ports and lcores can hold at once: the default pool size. */
unsigned int ipl_mbufs_needed(unsigned int nb_lcores);
/** The largest MTU of the configured ports, IPL_MTU_DEFAULT at least. */
unsigned int ipl_ports_max_mtu(void);
/** Print which EAL device each port number is, and its role. */
void ipl_ports_print(void);
int ipl_ports_init(unsigned int nb_queues);
void ipl_ports_fini(void);
int ipl_ip_check_slow(struct rte_mbuf *m, struct ipl_stats *st);

/* Whether 20 bytes of IPv4 header sum to 0xffff (RFC 1071). Folding keeps a sum's value
 * modulo 0xffff (2^16 is 1 there, and a byte swap a product by 2^8, which is invertible):
 * the folded sum is 0xffff exactly when the plain sum of the five 32-bit words is a
 * multiple of 0xffff, for a header that is not all zero (its version is 4). */
static __rte_always_inline bool
ipl_ip4_cksum_ok(const void *ip)
{
	uint32_t w[5];
	uint64_t sum;

	/* The header may sit at any even address: memcpy() is the defined way to
	 * read it by words (one unaligned load each on x86, as before). */
	memcpy(w, ip, sizeof(w));
	sum = (uint64_t)w[0] + w[1] + w[2] + w[3] + w[4];
	return sum % 0xffff == 0;
}

/** Next headers of IPv6 that the inline check takes right after the IPv6 header (no
 *  extension header): TCP, UDP, IPv4 and IPv6 (tunnels), ESP, ICMPv6; all below 64. */
#define IPL_IP6_UPPER                                                                              \
	(RTE_BIT64(IPPROTO_TCP) | RTE_BIT64(IPPROTO_UDP) | RTE_BIT64(IPPROTO_IPIP) |               \
	 RTE_BIT64(IPPROTO_IPV6) | RTE_BIT64(IPPROTO_ESP) | RTE_BIT64(IPPROTO_ICMPV6))

/**
 * Validate the IP header at the start of m: 0 when it may be processed (its length cut to
 * the IP length, l2_len 0, l3_len set), else counted. Inline for the common cases, as
 * long as the packet: IPv4 without options, checksum right; IPv6 with an upper layer of
 * IPL_IP6_UPPER. The others are ipl_ip_check_slow()'s.
 */
static __rte_always_inline int
ipl_ip_check(struct rte_mbuf *m, struct ipl_stats *st)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	const struct rte_ipv6_hdr *ip6 = (const struct rte_ipv6_hdr *)ip;

	if (likely(rte_pktmbuf_data_len(m) >= sizeof(*ip) && ip->version_ihl == RTE_IPV4_VHL_DEF &&
		   rte_be_to_cpu_16(ip->total_length) == rte_pktmbuf_pkt_len(m) &&
		   ipl_ip4_cksum_ok(ip))) {
		m->l2_len = 0;
		m->l3_len = sizeof(*ip);
		return 0;
	}
	if (likely(rte_pktmbuf_data_len(m) >= sizeof(*ip6) && (ip->version_ihl >> 4) == 6 &&
		   ip6->proto < 64 && (IPL_IP6_UPPER >> ip6->proto & 1) != 0 &&
		   sizeof(*ip6) + rte_be_to_cpu_16(ip6->payload_len) == rte_pktmbuf_pkt_len(m))) {
		m->l2_len = 0;
		m->l3_len = sizeof(*ip6);
		return 0;
	}
	return ipl_ip_check_slow(m, st);
}
/**
 * RX checks of pkts[0 .. n): Ethernet off, IP header validated; with @p forward (an
 * inside port: forwarded into a tunnel) the TTL or hop limit counts a hop. Those refused
 * are dropped and counted; pkts[] is compacted, the count left returned.
 */
uint16_t ipl_rx_prepare(struct rte_mbuf **pkts, uint16_t n, struct ipl_stats *st, bool forward);
/** ipl_tx_enqueue() for a packet too big for the port, or without headroom. */
void ipl_tx_slow(struct ipl_lcore *lc, uint16_t port, const uint8_t *dst_mac, struct rte_mbuf *m);
/** Send what the lcore holds for @p port. */
void ipl_tx_flush_port(struct ipl_lcore *lc, uint16_t port);
void ipl_tx_flush(struct ipl_lcore *lc);
void ipl_drop(struct rte_mbuf *m);

/**
 * Record on m that @p sa processes it: a @p type tag (MTAG_TYPE_IPSEC_IN_DONE or
 * _OUT_DONE) holding the SA. Made before the crypto work, so that a packet without its
 * record costs no crypto, and in the loop that checks the packet, while its mbuf is in
 * L1: a loop of its own over the burst would find the mbufs gone again.
 *
 * @return
 *   Whether m has its record; false: no tag left, m dropped and counted (no_tag).
 */
static __rte_always_inline bool
ipl_sa_record(struct ipl_lcore *lc, const struct ipl_sa *sa, uint16_t type, struct rte_mbuf *m)
{
	struct mtag_ipsec *rec = mtag_add(m, type, sizeof(*rec), 0);

	if (unlikely(rec == NULL)) {
		lc->st.no_tag++;
		ipl_drop(m);
		return false;
	}
	rec->sa_id = sa->id;
	rec->spi = sa->spi;
	return true;
}

/**
 * Queue m (an IP packet, l3 at the start) for TX on @p port: Ethernet to @p dst_mac
 * (NULL: the port's peer or broadcast) from the port; fragmented to the port's MTU or
 * dropped when it exceeds it (ipl_tx_fragment()). Inline: every packet comes here.
 */
static inline void
ipl_tx_enqueue(struct ipl_lcore *lc, uint16_t port, const uint8_t *dst_mac, struct rte_mbuf *m)
{
	const struct ipl_port_tx *pt = &ipl.port_tx[port];
	struct rte_ether_hdr *eth;

	if (unlikely(rte_pktmbuf_pkt_len(m) > pt->mtu || rte_pktmbuf_headroom(m) < sizeof(*eth))) {
		ipl_tx_slow(lc, port, dst_mac, m);
		return;
	}
	eth = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, sizeof(*eth));
	memcpy(eth, pt->l2, sizeof(pt->l2));
	if (dst_mac != NULL)
		memcpy(&eth->dst_addr, dst_mac, RTE_ETHER_ADDR_LEN);
	eth->ether_type =
		rte_cpu_to_be_16((*(const uint8_t *)(eth + 1) >> 4) == 6 ? RTE_ETHER_TYPE_IPV6
									 : RTE_ETHER_TYPE_IPV4);
	m->l2_len = sizeof(*eth);
	if (unlikely(lc->nb_tx[port] == IPL_TXBUF))
		ipl_tx_flush_port(lc, port);
	lc->tx[port][lc->nb_tx[port]++] = m;
}

/* frag.c: fragmentation and reassembly (rte_ip_frag) */
int ipl_frag_init(void);
/** Free the reassembly tables (and the fragments they hold). */
void ipl_frag_fini(void);
/** Free the pool of reassembled packets (once the ports gave theirs back). */
void ipl_frag_pool_free(void);
/** Drop (and count) the fragments that waited longer than --frag-ttl. */
void ipl_frag_expire(struct ipl_lcore *lc, uint64_t now);
/** Whether the fragment m is addressed to one of our tunnel endpoints. */
bool ipl_frag_for_us(const struct rte_mbuf *m);
/**
 * Take the fragment m (IP header validated, l3 at the start, no tag: rte_ip_frag frees and
 * chains mbufs without mtag) into the lcore's reassembly table at time @p now (timer
 * cycles): the whole packet, contiguous, when m completes one; otherwise NULL (m kept, or
 * dropped and counted).
 */
struct rte_mbuf *ipl_reassemble(struct ipl_lcore *lc, struct rte_mbuf *m, uint64_t now);
/** Free what the lcore's reassembly gave up during a burst. */
static inline void
ipl_frag_burst_end(struct ipl_lcore *lc)
{
	if (unlikely(lc->dr.cnt != 0))
		rte_ip_frag_free_death_row(&lc->dr, 0);
}
/**
 * m exceeds the MTU of @p port: fragmented onto it (IPv4 without DF; the IPv6 header of
 * our own ESP packet of a DF-clear IPv4 packet), or dropped and counted (too_big).
 */
void ipl_tx_fragment(struct ipl_lcore *lc, uint16_t port, const uint8_t *dst_mac,
		     struct rte_mbuf *m);

/** Whether m is a fragment (IPv4 MF or offset, IPv6 fragment header). */
static __rte_always_inline bool
ipl_is_fragment(const struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);

	if ((ip->version_ihl >> 4) == 6)
		return ((const struct rte_ipv6_hdr *)ip)->proto == IPPROTO_FRAGMENT;
	return (ip->fragment_offset &
		rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) != 0;
}

/* spd.c's routing, inline: every forwarded packet is routed */
/**
 * Route a packet: dropped and counted without a route, queued in again[] for
 * another outbound pass, or its port route returned (NULL in the two others).
 */
static __rte_always_inline const struct ipl_route_conf *
ipl_route_pick(struct ipl_lcore *lc, struct rte_mbuf *m, struct rte_mbuf **again,
	       uint16_t *nb_again)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	const struct ipl_route_conf *r =
		(ip->version_ihl >> 4) == 6
			? ipl_route_lookup6(IPL_IP6(((const struct rte_ipv6_hdr *)ip)->dst_addr))
			: ipl_route_lookup4(rte_be_to_cpu_32(ip->dst_addr));

	if (unlikely(r == NULL)) {
		lc->st.no_route++;
		ipl_drop(m);
		return NULL;
	}
	if (r->outbound) {
		again[(*nb_again)++] = m;
		return NULL;
	}
	return r;
}

/** ipl_route_pick(), then TX on the route's port. */
static __rte_always_inline void
ipl_route(struct ipl_lcore *lc, struct rte_mbuf *m, struct rte_mbuf **again, uint16_t *nb_again)
{
	const struct ipl_route_conf *r = ipl_route_pick(lc, m, again, nb_again);

	if (r != NULL)
		ipl_tx_enqueue(lc, r->port, r->has_mac ? r->mac : NULL, m);
}

/* capture.c: --capture FILE */
/** Why a captured packet was dropped: the type "ipl_drop/<reason>" it gets. */
enum ipl_cap_reason { IPL_CAP_LOOP, IPL_CAP_UNPROTECTED, IPL_CAP_WRONG_SA, IPL_CAP_MAX };
/** The capture of dropped packets; NULL without --capture. */
extern struct mtag_capture *ipl_capture;
/** Register the reasons' types and open the capture (at most @p limit packets, 0: all). */
int ipl_capture_open(const char *path, uint64_t limit);
/** Write what is left and close; 0 or a negative errno. */
int ipl_capture_close(void);
/** Capture a packet about to be dropped, under a tag naming the reason. */
void ipl_capture_drop(const struct ipl_lcore *lc, struct rte_mbuf *m, enum ipl_cap_reason why);

/** Drop a packet; with --capture, capture it first with the reason. */
static inline void
ipl_drop_captured(struct ipl_lcore *lc, struct rte_mbuf *m, enum ipl_cap_reason why)
{
	if (unlikely(ipl_capture != NULL))
		ipl_capture_drop(lc, m, why);
	ipl_drop(m);
}

/* tunnel.c: RFC 4301 5.1.2 and RFC 6040 header rules of a tunnel */
/**
 * Forwarding: decrement the TTL (hop limit) of m, the IPv4 checksum updated (RFC 1624).
 * @return false, m untouched, when it would reach 0: the caller drops it and counts
 * ttl_exceeded (no ICMP).
 */
static __rte_always_inline bool
ipl_ttl_dec(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	uint32_t sum;

	if ((ip->version_ihl >> 4) == 6) {
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)ip;

		if (ip6->hop_limits <= 1)
			return false;
		ip6->hop_limits--;
		return true;
	}
	if (ip->time_to_live <= 1)
		return false;
	ip->time_to_live--;
	/* RFC 1624: the checksum of a header whose TTL went down by one */
	sum = (uint32_t)ip->hdr_checksum + rte_cpu_to_be_16(0x0100);
	ip->hdr_checksum = (uint16_t)(sum + (sum >> 16));
	return true;
}
/** Before encryption: keep the inner TOS and DF bit in the scratch of @p m. */
static __rte_always_inline void
ipl_tun_outer_save(struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	struct ipl_scratch *s = ipl_scratch(m);

	if ((ip->version_ihl >> 4) == 6) {
		s->tos = (uint8_t)(rte_be_to_cpu_32(((const struct rte_ipv6_hdr *)ip)->vtc_flow) >>
				   20);
		s->df = 1; /* an IPv6 packet counts as DF (RFC 4301 8.1) */
		return;
	}
	s->tos = ip->type_of_service;
	s->df = (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG)) != 0;
}
/** After encryption: outer DSCP and ECN copied from the inner (RFC 6040 normal mode), DF
 * per the SA, an outer IPv4 identification of its own (RFC 6864), outer IPv4 checksum. */
void ipl_tun_outer_fill(struct ipl_lcore *lc, struct rte_mbuf *m, const struct ipl_sa *sa);
/** Before decryption: keep the outer TOS. */
static __rte_always_inline void
ipl_tun_inner_save(struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);

	ipl_scratch(m)->tos =
		(ip->version_ihl >> 4) == 6
			? (uint8_t)(rte_be_to_cpu_32(((const struct rte_ipv6_hdr *)ip)->vtc_flow) >>
				    20)
			: ip->type_of_service;
}
int ipl_tun_inner_fill_slow(struct rte_mbuf *m);
/**
 * After decryption: ECN of the outer header combined into the inner (RFC 6040 4.2).
 * @return 0, or -1 when the packet must be dropped (outer CE over a not-ECT inner).
 */
static __rte_always_inline int
ipl_tun_inner_fill(struct rte_mbuf *m)
{
	/* An outer Not-ECT or ECT(0) leaves the inner ECN as it is, whatever it is. */
	if (likely((ipl_scratch(m)->tos & 1) == 0))
		return 0;
	return ipl_tun_inner_fill_slow(m);
}

/**
 * Outbound, before encryption: whether m (inner IP, l3 at the start) is to be encrypted,
 * fitting the MTU of sa's port once encrypted or not. An IPv4 packet without DF that does
 * not fit is, when the outer header may be fragmented (its DF clear: not 'df set', or an
 * IPv6 tunnel): its ESP packet is fragmented on TX (post-encapsulation fragmentation).
 * The others that do not fit are dropped; with DF the sender gets ICMP "fragmentation
 * needed" (when the tunnel is IPv4), an IPv6 sender ICMPv6 "packet too big" (when the
 * tunnel is IPv6): the tunnel address is the source, and over a tunnel of the other
 * family there is none to send from; with the inner MTU that fits (RFC 1191, RFC 8201,
 * RFC 4301 8.2), sent by route like any packet.
 */
bool ipl_tun_fits_slow(struct ipl_lcore *lc, const struct ipl_sa *sa, struct rte_mbuf *m);
static __rte_always_inline bool
ipl_tun_fits(struct ipl_lcore *lc, const struct ipl_sa *sa, struct rte_mbuf *m)
{
	return rte_pktmbuf_pkt_len(m) <= sa->inner_max || ipl_tun_fits_slow(lc, sa, m);
}
/** The largest inner packet that fits the MTU of sa's port once encrypted (UINT32_MAX
 * for a bundle's SA, which has no port). */
uint32_t ipl_tun_inner_max(const struct ipl_sa *sa);

/* outbound.c, inbound.c */
/** Outbound processing of pkts[0 .. n), n of any size. */
void ipl_outbound(struct ipl_lcore *lc, struct rte_mbuf **pkts, uint16_t n);
/** Inbound processing of pkts[0 .. n), n of any size. */
void ipl_inbound(struct ipl_lcore *lc, struct rte_mbuf **pkts, uint16_t n);
/**
 * After the crypto device and rte_ipsec_pkt_process(): m[0 .. n) of SA sa (n <= IPL_BURST),
 * m[0 .. g) done, m[g .. n) refused (res: those the device failed, flagged
 * RTE_MBUF_F_RX_SEC_OFFLOAD_FAILED), on to TX, the policy or another pass.
 */
void ipl_outbound_done(struct ipl_lcore *lc, const struct ipl_sa *sa, struct rte_mbuf **m,
		       uint16_t n, uint16_t g, const struct ipl_crypto_res *res);
void ipl_inbound_done(struct ipl_lcore *lc, const struct ipl_sa *sa, struct rte_mbuf **m,
		      uint16_t n, uint16_t g, const struct ipl_crypto_res *res);

/** A stage's work on at most IPL_BURST packets (the size of its arrays). */
typedef void (*ipl_burst_fn)(struct ipl_lcore *lc, struct rte_mbuf **pkts, uint16_t n);

/* pkts[0 .. n) through fn, IPL_BURST at a time. Always inline, so that fn is a direct call. */
static __rte_always_inline void
ipl_by_burst(ipl_burst_fn fn, struct ipl_lcore *lc, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t k;

	for (; n > 0; pkts += k, n -= k) {
		k = RTE_MIN(n, IPL_BURST);
		fn(lc, pkts, k);
	}
}

#endif /* IPL_H */
