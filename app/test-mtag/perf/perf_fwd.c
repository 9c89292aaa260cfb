/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/* testpmd io-style forwarding: receive a burst on one port, send it on
 * another, (a) untouched, (b) with one tag added on RX (mtag_add_burst),
 * found, and dropped by mtag_eth_tx_strip() on TX, (c) the same with four
 * tags, (d) with 16 bytes written into a dynfield of the benchmark's own on
 * RX and read before TX: the floor of any per-packet metadata, as it pays
 * for the mbuf's second cache line that net_null and net_ring never touch.
 * The fwd_work bodies add ~100 cycles of per-packet work (parse, MAC swap,
 * TTL and IPv4 checksum, a flow hash, a checksum over the frame) to (a), (b)
 * and (d), as a NIC forwarder would do.
 *
 * The capture bodies are (b) with mtag_capture_burst() before TX: off (the
 * capture pointer NULL, as a forwarder has it until capture is turned on),
 * every packet, and a type filter that one packet of each burst passes (a
 * second tag on it); the on bodies write the ring to /dev/null after each
 * burst, so that their figure includes the writer's work.
 *
 * Untagged runs use a port pair without the strip callback, so that they do
 * not pay for it. net_null ports: null0 -> null1 plain, null2 -> null3 with
 * strip (RX allocates, TX frees). net_ring ports loop onto themselves
 * (ring0 plain, ring1 with strip), seeded with packets once. */

#include <errno.h>
#include <stdio.h>

#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_jhash.h>
#include <rte_mbuf_dyn.h>

#include <mtag_capture.h>
#include <mtag_ethdev.h>

#include "perf_priv.h"

#define PERF_FWD_DESC 1024
#define PERF_FWD_SEED 512

enum perf_fwd_pair { FWD_NULL_PLAIN, FWD_NULL_STRIP, FWD_RING_PLAIN, FWD_RING_STRIP, FWD_PAIRS };

static const char *const perf_fwd_names[FWD_PAIRS][2] = {
	[FWD_NULL_PLAIN] = {"net_null0", "net_null1"},
	[FWD_NULL_STRIP] = {"net_null2", "net_null3"},
	[FWD_RING_PLAIN] = {"net_ring0", "net_ring0"},
	[FWD_RING_STRIP] = {"net_ring1", "net_ring1"},
};

static struct {
	bool ok;
	uint16_t rx, tx;
} perf_fwd[FWD_PAIRS];

static bool perf_port_started[RTE_MAX_ETHPORTS];

enum perf_fwd_mode { FWD_NONE = 0, FWD_1_TAG = 1, FWD_4_TAGS = 4, FWD_RAW = 8 };
#define PERF_FWD_WORK 0x100    /* arg flag: per-packet work */
#define PERF_FWD_CAP_OFF 0x200 /* arg flag: mtag_capture_burst(), capture off */
#define PERF_FWD_CAP_ALL 0x400 /* ... capture of every packet */
#define PERF_FWD_CAP_1IN 0x800 /* ... capture of one packet per burst */
#define PERF_FWD_CAP (PERF_FWD_CAP_OFF | PERF_FWD_CAP_ALL | PERF_FWD_CAP_1IN)

/* The capture of the capture bodies; NULL while off, as in a forwarder. */
static struct mtag_capture *perf_fwd_cap;

static int
perf_port_start(uint16_t port)
{
	static const struct rte_eth_conf conf;
	int ret;

	/* A ring port is both halves of its pair. */
	if (perf_port_started[port])
		return 0;
	ret = rte_eth_dev_configure(port, 1, 1, &conf);
	if (ret == 0)
		ret = rte_eth_rx_queue_setup(port, 0, PERF_FWD_DESC, rte_eth_dev_socket_id(port),
					     NULL, perf_env.mbuf_pool);
	if (ret == 0)
		ret = rte_eth_tx_queue_setup(port, 0, PERF_FWD_DESC, rte_eth_dev_socket_id(port),
					     NULL);
	if (ret == 0)
		ret = rte_eth_dev_start(port);
	perf_port_started[port] = ret == 0;
	return ret;
}

/* Put packets in a ring port's loop. */
static int
perf_ring_seed(uint16_t port)
{
	struct rte_mbuf *pkts[PERF_FWD_SEED];
	uint16_t sent;

	if (rte_pktmbuf_alloc_bulk(perf_env.mbuf_pool, pkts, PERF_FWD_SEED) != 0)
		return -ENOMEM;
	sent = rte_eth_tx_burst(port, 0, pkts, PERF_FWD_SEED);
	if (sent < PERF_FWD_SEED)
		rte_pktmbuf_free_bulk(pkts + sent, PERF_FWD_SEED - sent);
	return sent > 0 ? 0 : -ENOSPC;
}

static int
perf_fwd_init(void)
{
	unsigned int p;
	uint16_t rx, tx;
	int ret;

	for (p = 0; p < FWD_PAIRS; p++) {
		if (rte_eth_dev_get_port_by_name(perf_fwd_names[p][0], &rx) != 0 ||
		    rte_eth_dev_get_port_by_name(perf_fwd_names[p][1], &tx) != 0)
			continue;
		ret = perf_port_start(rx);
		if (ret == 0 && tx != rx)
			ret = perf_port_start(tx);
		if (ret == 0 && (p == FWD_NULL_STRIP || p == FWD_RING_STRIP))
			ret = mtag_eth_tx_strip(tx, 0);
		if (ret == 0 && (p == FWD_RING_PLAIN || p == FWD_RING_STRIP))
			ret = perf_ring_seed(tx);
		if (ret != 0) {
			fprintf(stderr, "perf: ports %s -> %s: %s\n", perf_fwd_names[p][0],
				perf_fwd_names[p][1], rte_strerror(-ret));
			return ret;
		}
		perf_fwd[p].ok = true;
		perf_fwd[p].rx = rx;
		perf_fwd[p].tx = tx;
	}
	return 0;
}

static void
perf_fwd_fini(void)
{
	struct rte_mbuf *pkts[PERF_BURST_MAX];
	unsigned int p;
	uint16_t n, port;

	for (p = 0; p < FWD_PAIRS; p++) {
		if (!perf_fwd[p].ok)
			continue;
		do {
			n = rte_eth_rx_burst(perf_fwd[p].rx, 0, pkts, PERF_BURST_MAX);
			mtag_pktmbuf_free_bulk(pkts, n);
		} while (n > 0 && p >= FWD_RING_PLAIN);
		perf_fwd[p].ok = false;
	}
	RTE_ETH_FOREACH_DEV(port)
	{
		if (perf_port_started[port])
			rte_eth_dev_stop(port);
		perf_port_started[port] = false;
	}
}

/* arg: pair * 16 + mode, | PERF_FWD_WORK */
static int
perf_fwd_setup(struct perf_ctx *c)
{
	if (!perf_fwd[(c->body->arg & 0xff) / 16].ok) {
		perf_set_skip((c->body->arg & 0xff) / 16 < FWD_RING_PLAIN
				      ? "needs --vdev net_null0 .. net_null3"
				      : "needs --vdev net_ring0 --vdev net_ring1");
		return -ENODEV;
	}
	return 0;
}

static int
perf_fwd_cap_setup(struct perf_ctx *c)
{
	struct mtag_capture_conf conf = {.filter = MTAG_CAPTURE_ALL};
	int ret = perf_fwd_setup(c);

	if (ret != 0 || (c->body->arg & PERF_FWD_CAP_OFF))
		return ret;
	if (c->body->arg & PERF_FWD_CAP_1IN) {
		conf.filter = MTAG_CAPTURE_TYPE;
		conf.type = perf_env.type[1];
	}
	perf_fwd_cap = mtag_capture_open("/dev/null", &conf);
	if (perf_fwd_cap == NULL) {
		perf_set_skip("cannot open a capture to /dev/null");
		return -rte_errno;
	}
	return 0;
}

static void
perf_fwd_cap_teardown(struct perf_ctx *c)
{
	RTE_SET_USED(c);
	if (perf_fwd_cap != NULL)
		mtag_capture_close(perf_fwd_cap);
	perf_fwd_cap = NULL;
}

/* What a small IPv4 forwarder does to each packet, ~100 core cycles: its
 * result goes into the frame so that none of it can be left out. */
static inline void
perf_fwd_work(struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_ether_addr tmp;
	uint32_t h;

	tmp = eth->src_addr;
	eth->src_addr = eth->dst_addr;
	eth->dst_addr = tmp;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->time_to_live--;
	h = rte_jhash(&ip->src_addr, 8, ip->next_proto_id);
	ip->packet_id = (uint16_t)h;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	ip->fragment_offset = rte_raw_cksum(eth, rte_pktmbuf_data_len(m));
}

static uint64_t
perf_fwd_run(struct perf_ctx *c, uint64_t iters)
{
	const unsigned int pair = (c->body->arg & 0xff) / 16, mode = c->body->arg % 16;
	const bool work = c->body->arg & PERF_FWD_WORK;
	const unsigned int cap = c->body->arg & PERF_FWD_CAP;
	const uint16_t rx = perf_fwd[pair].rx, tx = perf_fwd[pair].tx;
	const int raw = perf_env.spare_off;
	struct rte_mbuf **pkts = c->pkts_v;
	uint64_t t0, t1, it, hits = 0, fwd = 0;
	struct perf_spare *meta;
	uint16_t nb, sent, i;
	unsigned int k;

	t0 = rte_rdtsc();
	for (it = 0; it < iters; it++) {
		nb = rte_eth_rx_burst(rx, 0, pkts, c->burst);
		if (nb == 0)
			continue;
		if (mode == FWD_1_TAG) {
			mtag_add_burst(pkts, nb, perf_env.type[0], PERF_TAG_LEN, 0, c->data);
			if (cap & PERF_FWD_CAP_1IN)
				mtag_add(pkts[0], perf_env.type[1], PERF_TAG_LEN, 0);
		} else if (mode == FWD_4_TAGS) {
			for (k = 0; k < mode; k++)
				if (mtag_add_burst(pkts, nb, perf_env.type[k], PERF_TAG_LEN, 0,
						   c->data) != nb)
					break;
		} else if (mode == FWD_RAW) {
			for (i = 0; i < nb; i++) {
				meta = RTE_MBUF_DYNFIELD(pkts[i], raw, struct perf_spare *);
				meta->a = perf_env.type[0];
				meta->b = (uintptr_t)pkts[i];
			}
		}
		if (work)
			for (i = 0; i < nb; i++)
				perf_fwd_work(pkts[i]);
		if (mode == FWD_RAW) {
			for (i = 0; i < nb; i++) {
				meta = RTE_MBUF_DYNFIELD(pkts[i], raw, struct perf_spare *);
				hits += meta->a == perf_env.type[0];
			}
		} else if (mode != FWD_NONE) {
			hits += mtag_find_burst(pkts, nb, perf_env.type[0], (struct mtag **)c->out);
		}
		if (cap) {
			mtag_capture_burst(perf_fwd_cap, tx, 0, pkts, nb, RTE_PCAPNG_DIRECTION_OUT);
			if (cap != PERF_FWD_CAP_OFF)
				mtag_capture_flush(perf_fwd_cap);
		}
		sent = rte_eth_tx_burst(tx, 0, pkts, nb);
		if (unlikely(sent < nb))
			mtag_pktmbuf_free_bulk(pkts + sent, nb - sent);
		fwd += sent;
	}
	t1 = rte_rdtsc();
	c->pkts += fwd;
	c->hits += hits;
	return t1 - t0;
}

#define PERF_FWD_BODY(id, nm, cmt, a, exp)                                                         \
	static const struct perf_body id = {                                                       \
		.name = nm,                                                                        \
		.comment = cmt,                                                                    \
		.flags = 0,                                                                        \
		.expect = exp,                                                                     \
		.arg = a,                                                                          \
		.setup = perf_fwd_setup,                                                           \
		.run = perf_fwd_run,                                                               \
	}

PERF_FWD_BODY(b_null0, "fwd_null/no_tags", "net_null RX -> TX, untouched",
	      FWD_NULL_PLAIN * 16 + FWD_NONE, PERF_HITS_ANY);
PERF_FWD_BODY(b_nullr, "fwd_null/raw_dynfield", "net_null, 16 bytes in a dynfield on RX, read",
	      FWD_NULL_PLAIN * 16 + FWD_RAW, PERF_HITS_ALL);
PERF_FWD_BODY(b_null1, "fwd_null/1_tag", "net_null, 1 tag on RX, found, stripped on TX",
	      FWD_NULL_STRIP * 16 + FWD_1_TAG, PERF_HITS_ALL);
PERF_FWD_BODY(b_null4, "fwd_null/4_tags", "net_null, 4 tags on RX, one found, stripped",
	      FWD_NULL_STRIP * 16 + FWD_4_TAGS, PERF_HITS_ALL);
PERF_FWD_BODY(b_ring0, "fwd_ring/no_tags", "net_ring loop, untouched",
	      FWD_RING_PLAIN * 16 + FWD_NONE, PERF_HITS_ANY);
PERF_FWD_BODY(b_ringr, "fwd_ring/raw_dynfield", "net_ring loop, 16 bytes in a dynfield, read",
	      FWD_RING_PLAIN * 16 + FWD_RAW, PERF_HITS_ALL);
PERF_FWD_BODY(b_ring1, "fwd_ring/1_tag", "net_ring loop, 1 tag on RX, found, stripped",
	      FWD_RING_STRIP * 16 + FWD_1_TAG, PERF_HITS_ALL);
PERF_FWD_BODY(b_ring4, "fwd_ring/4_tags", "net_ring loop, 4 tags on RX, one found, stripped",
	      FWD_RING_STRIP * 16 + FWD_4_TAGS, PERF_HITS_ALL);
PERF_FWD_BODY(b_work0, "fwd_work/no_tags", "net_null with ~100 cycles of work per packet",
	      PERF_FWD_WORK | (FWD_NULL_PLAIN * 16 + FWD_NONE), PERF_HITS_ANY);
PERF_FWD_BODY(b_workr, "fwd_work/raw_dynfield", "the same, 16 bytes in a dynfield",
	      PERF_FWD_WORK | (FWD_NULL_PLAIN * 16 + FWD_RAW), PERF_HITS_ALL);
PERF_FWD_BODY(b_work1, "fwd_work/1_tag", "the same, 1 tag on RX, found, stripped on TX",
	      PERF_FWD_WORK | (FWD_NULL_STRIP * 16 + FWD_1_TAG), PERF_HITS_ALL);

#define PERF_FWD_CAP_BODY(id, nm, cmt, a)                                                          \
	static const struct perf_body id = {                                                       \
		.name = nm,                                                                        \
		.comment = cmt,                                                                    \
		.flags = 0,                                                                        \
		.expect = PERF_HITS_ALL,                                                           \
		.arg = a,                                                                          \
		.setup = perf_fwd_cap_setup,                                                       \
		.run = perf_fwd_run,                                                               \
		.teardown = perf_fwd_cap_teardown,                                                 \
	}

PERF_FWD_CAP_BODY(b_cap_off, "fwd_null/1_tag_capture_off",
		  "1_tag with mtag_capture_burst() before TX, the capture NULL",
		  PERF_FWD_CAP_OFF | (FWD_NULL_STRIP * 16 + FWD_1_TAG));
PERF_FWD_CAP_BODY(b_cap_all, "fwd_null/1_tag_capture_all",
		  "1_tag, every packet captured, written to /dev/null each burst",
		  PERF_FWD_CAP_ALL | (FWD_NULL_STRIP * 16 + FWD_1_TAG));
PERF_FWD_CAP_BODY(b_cap_1in, "fwd_null/1_tag_capture_1in32",
		  "1_tag, a second type on 1 packet per burst, captured by a type filter",
		  PERF_FWD_CAP_1IN | (FWD_NULL_STRIP * 16 + FWD_1_TAG));

static const struct perf_body *const perf_bodies_fwd[] = {
	&b_null0, &b_nullr, &b_null1, &b_null4,	  &b_ring0,   &b_ringr,	  &b_ring1, &b_ring4,
	&b_work0, &b_workr, &b_work1, &b_cap_off, &b_cap_all, &b_cap_1in, NULL,
};

const struct perf_group perf_group_fwd = {
	.bodies = perf_bodies_fwd,
	.init = perf_fwd_init,
	.fini = perf_fwd_fini,
};
