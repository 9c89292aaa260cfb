/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/*
 * tag-demo: the smallest forwarder that uses tags.
 *
 *   wire -> port 0 RX --(tag "rx_meta" on RX)--> stage --(find tag)--> port 1 TX (tags stripped)
 *
 * With two net_ring vdevs (each TX loops back to its own RX) the demo makes
 * its own traffic: it sends packets into port 0, forwards them to port 1, and
 * reads port 1 back to check that every packet left untagged.
 *
 *   dpdk-tag-demo <EAL args> [-- --capture FILE]
 *
 * --capture writes every packet sent on port 1 to FILE (pcapng) with its tag
 * in the comment: tshark -r FILE -T fields -e frame.number -e frame.comment
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include <mtag.h>
#include <mtag_capture.h>
#include <mtag_ethdev.h>

#define BURST 32
#define NB_PKTS 1024
#define NB_MBUFS 4095

struct rx_meta {
	uint16_t port;
	uint32_t seq;
	uint64_t tsc;
};

struct demo_counts {
	uint64_t sent, attached, found, forwarded, untagged_out, tagged_out;
};

static int
port_init(uint16_t port, struct rte_mempool *mp)
{
	struct rte_eth_conf conf = {0};
	int ret;

	ret = rte_eth_dev_configure(port, 1, 1, &conf);
	if (ret == 0)
		ret = rte_eth_rx_queue_setup(port, 0, 512, rte_eth_dev_socket_id(port), NULL, mp);
	if (ret == 0)
		ret = rte_eth_tx_queue_setup(port, 0, 512, rte_eth_dev_socket_id(port), NULL);
	/* Tags are process-local metadata: drop them before the PMD owns the
	 * packets, or the PMD's free after transmit would leak them. */
	if (ret == 0)
		ret = mtag_eth_tx_strip(port, 0);
	if (ret == 0)
		ret = rte_eth_dev_start(port);
	return ret;
}

/* Generated traffic: a burst of small frames sent into port 0's wire. */
static void
inject(uint16_t port, struct rte_mempool *mp, struct demo_counts *c)
{
	struct rte_mbuf *pkts[BURST];
	unsigned int i, n;

	n = RTE_MIN((uint64_t)BURST, NB_PKTS - c->sent);
	if (n == 0 || rte_pktmbuf_alloc_bulk(mp, pkts, n) != 0)
		return;
	for (i = 0; i < n; i++)
		memset(rte_pktmbuf_append(pkts[i], 64), 0xab, 64);
	i = rte_eth_tx_burst(port, 0, pkts, n);
	rte_pktmbuf_free_bulk(pkts + i, n - i);
	c->sent += i;
}

/* RX on port 0: record where and when each packet came in. */
static uint16_t
rx_and_tag(uint16_t port, uint16_t type, struct rte_mbuf **pkts, struct demo_counts *c)
{
	struct mtag *tags[BURST];
	struct rx_meta *meta;
	uint16_t i, n;

	n = rte_eth_rx_burst(port, 0, pkts, BURST);
	if (n == 0)
		return 0;
	if (mtag_get_bulk(type, sizeof(*meta), 0, tags, n) != n) {
		printf("tag pool empty: %s\n", rte_strerror(rte_errno));
		return n; /* forwarded untagged */
	}
	for (i = 0; i < n; i++) {
		meta = mtag_data(tags[i]);
		*meta = (struct rx_meta){.port = port, .seq = c->attached + i, .tsc = rte_rdtsc()};
	}
	mtag_prepend_burst(pkts, tags, n);
	c->attached += n;
	return n;
}

/* A later stage reads the record back. */
static void
stage(uint16_t type, struct rte_mbuf **pkts, uint16_t n, struct demo_counts *c)
{
	struct mtag *found[BURST];
	uint16_t i;

	c->found += mtag_find_burst(pkts, n, type, found);
	for (i = 0; i < n; i++)
		if (found[i] != NULL && ((struct rx_meta *)mtag_data(found[i]))->seq < 3) {
			const struct rx_meta *m = mtag_data(found[i]);

			printf("  packet %" PRIu32 ": tag '%s' says rx port %u, %" PRIu64
			       " cycles ago\n",
			       m->seq, mtag_type_name(found[i]->type), m->port,
			       rte_rdtsc() - m->tsc);
		}
}

/* What left port 1 comes back on its RX: it must carry no tag. */
static void
check_wire(uint16_t port, struct demo_counts *c)
{
	struct rte_mbuf *pkts[BURST];
	uint16_t i, n;

	while ((n = rte_eth_rx_burst(port, 0, pkts, BURST)) > 0) {
		for (i = 0; i < n; i++) {
			if (mtag_first(pkts[i]) == NULL)
				c->untagged_out++;
			else
				c->tagged_out++;
		}
		mtag_pktmbuf_free_bulk(pkts, n);
	}
}

int
main(int argc, char **argv)
{
	struct mtag_capture *cap = NULL; /* NULL: no capture, one test per burst */
	struct rte_mbuf *pkts[BURST];
	struct demo_counts c = {0};
	struct rte_mempool *mp;
	struct mtag_stats st;
	uint64_t deadline;
	uint16_t n, sent;
	int type, ret, cap_ret = 0;

	ret = rte_eal_init(argc, argv);
	if (ret < 0)
		rte_exit(EXIT_FAILURE, "EAL init failed: %s\n", rte_strerror(rte_errno));
	argc -= ret;
	argv += ret;
	if (argc != 1 && (argc != 3 || strcmp(argv[1], "--capture") != 0))
		rte_exit(EXIT_FAILURE, "usage: dpdk-tag-demo <EAL args> [-- --capture FILE]\n");
	if (rte_eth_dev_count_avail() < 2)
		rte_exit(EXIT_FAILURE, "need two ports (e.g. --vdev net_ring0 --vdev net_ring1)\n");
	ret = mtag_lib_init(NULL);
	if (ret != 0)
		rte_exit(EXIT_FAILURE, "mtag_lib_init: %s\n", rte_strerror(-ret));
	type = mtag_type_register("rx_meta");
	if (type < 0)
		rte_exit(EXIT_FAILURE, "mtag_type_register: %s\n", rte_strerror(-type));
	mp = rte_pktmbuf_pool_create("demo_mbufs", NB_MBUFS, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     rte_socket_id());
	if (mp == NULL)
		rte_exit(EXIT_FAILURE, "cannot create mbuf pool: %s\n", rte_strerror(rte_errno));
	if (port_init(0, mp) != 0 || port_init(1, mp) != 0)
		rte_exit(EXIT_FAILURE, "port init failed\n");
	if (argc == 3) {
		cap = mtag_capture_open(argv[2], NULL); /* every packet handed over */
		if (cap == NULL)
			rte_exit(EXIT_FAILURE, "capture %s: %s\n", argv[2],
				 rte_strerror(rte_errno));
	}

	printf("tag-demo: type 'rx_meta' = %d, %zu-byte tags\n", type, sizeof(struct rx_meta));
	deadline = rte_get_timer_cycles() + 2 * rte_get_timer_hz();
	while ((c.sent < NB_PKTS || c.untagged_out + c.tagged_out < c.sent) &&
	       rte_get_timer_cycles() < deadline) {
		inject(0, mp, &c);
		n = rx_and_tag(0, type, pkts, &c);
		stage(type, pkts, n, &c);
		mtag_capture_burst(cap, 1, 0, pkts, n, RTE_PCAPNG_DIRECTION_OUT);
		sent = rte_eth_tx_burst(1, 0, pkts, n);
		mtag_pktmbuf_free_bulk(pkts + sent, n - sent);
		c.forwarded += sent;
		check_wire(1, &c);
		if (cap != NULL)
			mtag_capture_flush(cap); /* this loop is the demo's control thread too */
	}
	check_wire(1, &c);
	if (cap != NULL) {
		struct mtag_capture_stats cs = {0};

		cap_ret = mtag_capture_flush(cap);
		mtag_capture_stats_get(cap, &cs);
		if (mtag_capture_close(cap) != 0 || cap_ret < 0 || cs.written != cs.captured)
			cap_ret = -EIO;
		printf("capture %s: %" PRIu64 " packets written, %" PRIu64 " dropped\n", argv[2],
		       cs.written, cs.dropped);
	}

	mtag_stats_get(&st);
	printf("sent %" PRIu64 ", tags attached %" PRIu64 ", found %" PRIu64 ", forwarded %" PRIu64
	       "\n",
	       c.sent, c.attached, c.found, c.forwarded);
	printf("on the wire after port 1: %" PRIu64 " untagged, %" PRIu64 " tagged\n",
	       c.untagged_out, c.tagged_out);
	printf("tags allocated %" PRIu64 ", freed %" PRIu64 ", in use %" PRIu64 "\n", st.allocs,
	       st.frees, st.in_use);

	rte_eth_dev_stop(0);
	rte_eth_dev_stop(1);
	ret = c.sent == NB_PKTS && c.found == c.sent && c.untagged_out == c.sent &&
			      c.tagged_out == 0 && st.in_use == 0 && cap_ret >= 0
		      ? EXIT_SUCCESS
		      : EXIT_FAILURE;
	printf("%s\n", ret == EXIT_SUCCESS ? "OK: every tag found, stripped before TX, none left"
					   : "FAILED");
	mtag_lib_fini();
	rte_eal_cleanup();
	return ret;
}
