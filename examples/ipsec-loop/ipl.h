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

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_ipsec.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include <mtag.h>

#include "conf.h"
#include "stats.h"

#define IPL_BURST 32
/** Hard limit on passes through one stage, whatever the tags say. */
#define IPL_PASSES_DEFAULT 8
#define IPL_PASSES_MAX 16
#define IPL_TXBUF 64

/** Per-packet scratch, an mbuf dynamic field of the example's own. */
struct ipl_scratch {
	uint32_t orig_len; /**< IP length when the packet entered. */
	uint16_t passes;   /**< Times encrypted here. */
	uint16_t reserved;
};

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
	uint32_t spi;	  /**< Host order. */
	uint32_t local;	  /**< Inbound: our tunnel address (host order). */
	uint16_t hdr_len; /**< Outbound: tunnel IP + ESP header + IV. */
	uint16_t iv_len;
	uint16_t icv_len;
	uint16_t pad_align;
	bool used;
	enum ipl_dir dir;
};

/** Per-lcore state: queues, TX buffers, counters. */
struct ipl_lcore {
	uint16_t qid; /**< RX/TX queue on every port and queue pair on every crypto device. */
	uint16_t nb_tx[IPL_MAX_PORTS];
	struct rte_mbuf *tx[IPL_MAX_PORTS][IPL_TXBUF];
	struct ipl_stats st;
	double cpu_s;  /**< CPU time the lcore's thread used while forwarding. */
	double wall_s; /**< Wall-clock time it forwarded. */
} __rte_cache_aligned;

/** Application state. */
struct ipl_app {
	struct ipl_conf conf;
	struct ipl_sa sa[IPL_MAX_SA];
	const struct ipl_sa *sa_in[IPL_MAX_SA]; /**< The inbound SAs, for lookups by SPI. */
	unsigned int nb_sa_in;
	struct rte_ether_addr port_mac[IPL_MAX_PORTS];
	bool port_started[IPL_MAX_PORTS];
	bool loop_detect;
	bool no_tags; /**< Benchmark baseline: no IPsec tags at all (insecure). */
	unsigned int max_passes;
	struct rte_mempool *mbuf_pool;
	struct rte_mempool *cop_pool;
	struct rte_mempool *sess_pool;
	unsigned int nb_lcores;
	struct ipl_lcore lc[RTE_MAX_LCORE];
};

extern struct ipl_app ipl;

/* spd.c */
const struct ipl_sp_conf *ipl_spd_lookup(enum ipl_dir dir, const struct rte_ipv4_hdr *ip);
const struct ipl_route_conf *ipl_route_lookup(uint32_t dst);
const struct ipl_sa *ipl_sa_inbound(uint32_t spi, uint32_t dst);
bool ipl_is_local(uint32_t dst);

/* crypto.c */
int ipl_crypto_init(unsigned int nb_qp);
void ipl_crypto_fini(void);
struct ipl_crypto_res {
	uint16_t prep_fail;   /**< Refused by rte_ipsec before crypto (length, replay). */
	uint16_t crypto_fail; /**< Failed in the crypto device (ICV). */
	uint16_t proc_fail;   /**< Refused after crypto (trailer, replay), ICV failures included. */
};
/**
 * Record on each of m[0 .. n) that @p sa processed it: a @p type tag
 * (MTAG_TYPE_IPSEC_IN_DONE or _OUT_DONE) holding the SA. All or nothing: when
 * tags run out the whole burst is dropped and counted, and false returned.
 */
bool ipl_sa_record(struct ipl_lcore *lc, const struct ipl_sa *sa, uint16_t type,
		   struct rte_mbuf **m, uint16_t n);
uint16_t ipl_crypto_run(struct ipl_lcore *lc, const struct ipl_sa *sa, struct rte_mbuf **m,
			uint16_t n, struct ipl_crypto_res *res);

/* port.c */
int ipl_ports_init(unsigned int nb_queues);
void ipl_ports_fini(void);
int ipl_ip_check(struct rte_mbuf *m, struct ipl_stats *st);
uint16_t ipl_rx_prepare(struct rte_mbuf **pkts, uint16_t n, struct ipl_stats *st);
/**
 * Route a packet: dropped and counted without a route, queued in again[] for
 * another outbound pass, or its port route returned (NULL in the two others).
 */
const struct ipl_route_conf *ipl_route_pick(struct ipl_lcore *lc, struct rte_mbuf *m,
					    struct rte_mbuf **again, uint16_t *nb_again);
/** ipl_route_pick(), then TX on the route's port. */
void ipl_route(struct ipl_lcore *lc, struct rte_mbuf *m, struct rte_mbuf **again,
	       uint16_t *nb_again);
void ipl_tx_enqueue(struct ipl_lcore *lc, uint16_t port, const uint8_t *dst_mac,
		    struct rte_mbuf *m);
void ipl_tx_flush(struct ipl_lcore *lc);
void ipl_drop(struct rte_mbuf *m);

/* outbound.c, inbound.c */
void ipl_outbound(struct ipl_lcore *lc, struct rte_mbuf **pkts, uint16_t n);
void ipl_inbound(struct ipl_lcore *lc, struct rte_mbuf **pkts, uint16_t n);

#endif /* IPL_H */
