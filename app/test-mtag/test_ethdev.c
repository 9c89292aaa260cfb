/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/* Ports: tagged packets sent through net_ring (loops TX queue i back to RX
 * queue i) and net_null (frees what it sends) with mtag_eth_tx_strip():
 * nothing leaks, RX gives untagged packets, bad ports and queues fail. */

#include <rte_ethdev.h>

#include <mtag_ethdev.h>

#include "test.h"

#define BURST 32
#define NB_Q 2
#define STRIP_Q 0 /* queue with the strip callback */
#define PLAIN_Q 1 /* queue without */

static uint16_t ring_port = RTE_MAX_ETHPORTS, null_port = RTE_MAX_ETHPORTS;

static int
port_start(const char *name, uint16_t *port)
{
	struct rte_eth_conf conf = {0};
	uint16_t q;

	if (rte_eth_dev_get_port_by_name(name, port) != 0)
		return -ENODEV;
	if (rte_eth_dev_configure(*port, NB_Q, NB_Q, &conf) != 0)
		return -EIO;
	for (q = 0; q < NB_Q; q++) {
		if (rte_eth_rx_queue_setup(*port, q, 256, rte_eth_dev_socket_id(*port), NULL,
					   test_mbuf_pool()) != 0)
			return -EIO;
		if (rte_eth_tx_queue_setup(*port, q, 256, rte_eth_dev_socket_id(*port), NULL) != 0)
			return -EIO;
	}
	if (rte_eth_dev_start(*port) != 0)
		return -EIO;
	return mtag_eth_tx_strip(*port, STRIP_Q);
}

static int
eth_setup(void)
{
	int ret;

	ret = port_start("net_ring0", &ring_port);
	if (ret == -ENODEV)
		TEST_SKIP("no net_ring0 (run without EAL arguments, or add --vdev=net_ring0)");
	if (ret != 0) {
		printf("net_ring0: %s\n", strerror(-ret));
		return TEST_FAILED;
	}
	ret = port_start("net_null0", &null_port);
	if (ret == -ENODEV)
		TEST_SKIP("no net_null0 (run without EAL arguments, or add --vdev=net_null0)");
	if (ret != 0) {
		printf("net_null0: %s\n", strerror(-ret));
		return TEST_FAILED;
	}
	return TEST_SUCCESS;
}

static void
eth_teardown(void)
{
	if (ring_port < RTE_MAX_ETHPORTS) {
		rte_eth_dev_stop(ring_port);
		rte_eth_dev_close(ring_port);
	}
	if (null_port < RTE_MAX_ETHPORTS) {
		rte_eth_dev_stop(null_port);
		rte_eth_dev_close(null_port);
	}
}

/* @n packets with a sequence number in their payload and two tags each. */
static int
make_tagged(struct rte_mbuf **pkts, unsigned int n, uint32_t seq0)
{
	unsigned int i;

	TEST_ASSERT_EQ(rte_pktmbuf_alloc_bulk(test_mbuf_pool(), pkts, n), 0, "mbufs");
	for (i = 0; i < n; i++) {
		struct mtag *a = mtag_get(MTAG_TYPE_VLAN_INSERT, 4, MTAG_ZERO);
		struct mtag *b = mtag_get(MTAG_TYPE_IPSEC_OUT_DONE, 8, MTAG_ZERO);
		uint32_t *p = (uint32_t *)rte_pktmbuf_append(pkts[i], 60);

		TEST_ASSERT(a != NULL && b != NULL && p != NULL, "tags");
		*p = seq0 + i;
		mtag_prepend(pkts[i], a);
		mtag_prepend(pkts[i], b);
	}
	return TEST_SUCCESS;
}

/* Receive exactly @n packets from a net_ring queue. */
static unsigned int
rx_all(uint16_t port, uint16_t q, struct rte_mbuf **pkts, unsigned int n)
{
	unsigned int got = 0, k, idle = 0;

	while (got < n && idle < 100) {
		k = rte_eth_rx_burst(port, q, pkts + got, RTE_MIN(n - got, 512u));
		got += k;
		idle = k == 0 ? idle + 1 : 0;
	}
	return got;
}

static int
test_ring_strip(void)
{
	struct rte_mbuf *pkts[BURST], *rx[BURST];
	unsigned int i, sent, got;

	TEST_RUN(make_tagged(pkts, BURST, 100));
	TEST_ASSERT_EQ(test_tags_in_use(), 2 * BURST, "tagged");
	sent = rte_eth_tx_burst(ring_port, STRIP_Q, pkts, BURST);
	TEST_ASSERT_EQ(sent, BURST, "all sent");
	/* The callback freed the tags before the PMD took the packets. */
	TEST_ASSERT_EQ(test_tags_in_use(), 0, "tags freed on TX");
	got = rx_all(ring_port, STRIP_Q, rx, BURST);
	TEST_ASSERT_EQ(got, BURST, "looped back");
	for (i = 0; i < got; i++) {
		TEST_ASSERT_NULL(mtag_first(rx[i]), "received packet %u untagged", i);
		TEST_ASSERT_EQ(*rte_pktmbuf_mtod(rx[i], uint32_t *), 100 + i, "payload, order");
	}
	rte_pktmbuf_free_bulk(rx, got);
	return TEST_SUCCESS;
}

static int
test_ring_plain_queue(void)
{
	struct rte_mbuf *pkts[BURST], *rx[BURST];
	unsigned int i, got;
	struct mtag *t;

	/* The callback is per queue: on the other one the chains travel with
	 * the mbufs (a ring PMD hands the same mbufs over). */
	TEST_RUN(make_tagged(pkts, BURST, 200));
	TEST_ASSERT_EQ(rte_eth_tx_burst(ring_port, PLAIN_Q, pkts, BURST), BURST, "sent");
	TEST_ASSERT_EQ(test_tags_in_use(), 2 * BURST, "tags kept without the strip");
	got = rx_all(ring_port, PLAIN_Q, rx, BURST);
	TEST_ASSERT_EQ(got, BURST, "looped back");
	for (i = 0; i < got; i++) {
		t = mtag_find(rx[i], MTAG_TYPE_VLAN_INSERT, NULL);
		TEST_ASSERT_NOT_NULL(t, "packet %u still tagged", i);
	}
	mtag_pktmbuf_free_bulk(rx, got);
	return TEST_SUCCESS;
}

static int
test_ring_partial_tx(void)
{
	static struct rte_mbuf *pkts[BURST], *rx[2048];
	unsigned int sent = 0, k = BURST, i, got, rounds = 0;

	/* Fill the ring until the PMD refuses part of a burst: the refused
	 * packets come back untagged too, and can be freed with plain
	 * rte_pktmbuf_free without a leak. */
	while (k == BURST && rounds++ < 64) {
		TEST_RUN(make_tagged(pkts, BURST, sent));
		k = rte_eth_tx_burst(ring_port, STRIP_Q, pkts, BURST);
		sent += k;
	}
	TEST_ASSERT(k < BURST, "the ring filled up after %u packets", sent);
	for (i = k; i < BURST; i++)
		TEST_ASSERT_NULL(mtag_first(pkts[i]), "refused packet %u untagged", i);
	TEST_ASSERT_EQ(test_tags_in_use(), 0, "no tag in use");
	rte_pktmbuf_free_bulk(pkts + k, BURST - k);
	got = rx_all(ring_port, STRIP_Q, rx, sent);
	TEST_ASSERT_EQ(got, sent, "everything sent comes back");
	for (i = 0; i < got; i++)
		TEST_ASSERT_NULL(mtag_first(rx[i]), "untagged");
	rte_pktmbuf_free_bulk(rx, got);
	printf("    ring took %u packets, refused %u\n", sent, BURST - k);
	return TEST_SUCCESS;
}

static int
test_null_port(void)
{
	struct rte_mbuf *pkts[BURST];
	unsigned int i, r, sent, got;

	/* net_null frees what it sends: with the strip nothing leaks (the
	 * harness checks the mbufs, we the tags). */
	for (r = 0; r < 8; r++) {
		TEST_RUN(make_tagged(pkts, BURST, r * BURST));
		sent = rte_eth_tx_burst(null_port, STRIP_Q, pkts, BURST);
		TEST_ASSERT_EQ(sent, BURST, "null port takes all");
		TEST_ASSERT_EQ(test_tags_in_use(), 0, "tags freed, round %u", r);
	}
	/* PMD RX hands out packets that read as untagged with no init. */
	got = rte_eth_rx_burst(null_port, STRIP_Q, pkts, BURST);
	TEST_ASSERT(got > 0, "net_null receives");
	for (i = 0; i < got; i++)
		TEST_ASSERT_NULL(mtag_first(pkts[i]), "RX packet %u untagged", i);
	/* Tag them on RX, strip on TX: the forwarding pattern. */
	for (i = 0; i < got; i++)
		mtag_prepend(pkts[i], mtag_get(MTAG_TYPE_VLAN, 4, MTAG_ZERO));
	TEST_ASSERT_EQ(test_tags_in_use(), got, "tagged on RX");
	TEST_ASSERT_EQ(rte_eth_tx_burst(null_port, STRIP_Q, pkts, got), got, "forwarded");
	TEST_ASSERT_EQ(test_tags_in_use(), 0, "stripped on TX");
	return TEST_SUCCESS;
}

static int
test_strip_errors(void)
{
	struct rte_eth_dev_info info;
	uint16_t unused;

	TEST_ASSERT_EQ(mtag_eth_tx_strip(RTE_MAX_ETHPORTS, 0), -ENODEV, "port out of range");
	TEST_ASSERT_EQ(mtag_eth_tx_strip(UINT16_MAX, 0), -ENODEV, "port 65535");
	for (unused = 0; unused < RTE_MAX_ETHPORTS; unused++)
		if (!rte_eth_dev_is_valid_port(unused))
			break;
	TEST_ASSERT(unused < RTE_MAX_ETHPORTS, "a free port id");
	TEST_ASSERT_EQ(mtag_eth_tx_strip(unused, 0), -ENODEV, "unused port %u", unused);
	TEST_ASSERT_EQ(rte_eth_dev_info_get(ring_port, &info), 0, "info");
	TEST_ASSERT_EQ(mtag_eth_tx_strip(ring_port, info.nb_tx_queues), -EINVAL, "queue %u of %u",
		       info.nb_tx_queues, info.nb_tx_queues);
	TEST_ASSERT_EQ(mtag_eth_tx_strip(null_port, UINT16_MAX), -EINVAL, "queue 65535");
	return TEST_SUCCESS;
}

/* A second mtag_eth_tx_strip() installs nothing: one remove takes the strip
 * away for good, and tags then survive TX (net_ring hands the same mbufs
 * back). */
static int
test_strip_twice_and_remove(void)
{
	struct rte_mbuf *pkts[BURST], *rx[BURST];
	unsigned int got;

	TEST_ASSERT_EQ(mtag_eth_tx_strip(ring_port, STRIP_Q), 0, "second strip: 0");
	TEST_ASSERT_EQ(mtag_eth_tx_strip(ring_port, STRIP_Q), 0, "third strip: 0");
	TEST_ASSERT_EQ(mtag_eth_tx_strip_remove(ring_port, STRIP_Q), 0, "remove");
	TEST_RUN(make_tagged(pkts, BURST, 500));
	TEST_ASSERT_EQ(rte_eth_tx_burst(ring_port, STRIP_Q, pkts, BURST), BURST, "sent");
	TEST_ASSERT_EQ(test_tags_in_use(), 2 * BURST, "no strip left after one remove");
	got = rx_all(ring_port, STRIP_Q, rx, BURST);
	TEST_ASSERT_EQ(got, BURST, "looped back");
	TEST_ASSERT_EQ(test_chain_len(rx[0]), 2, "still tagged");
	mtag_pktmbuf_free_bulk(rx, got);
	TEST_ASSERT_EQ(mtag_eth_tx_strip_remove(ring_port, STRIP_Q), -ENOENT, "nothing to remove");
	TEST_ASSERT_EQ(mtag_eth_tx_strip_remove(ring_port, STRIP_Q + 1), -ENOENT, "never had one");
	TEST_ASSERT_EQ(mtag_eth_tx_strip_remove(UINT16_MAX, 0), -ENODEV, "bad port");
	TEST_ASSERT_EQ(mtag_eth_tx_strip(ring_port, STRIP_Q), 0, "strip again");
	TEST_RUN(test_ring_strip());
	return TEST_SUCCESS;
}

/* The guide's sizing model: with the TX strip, only the burst in hand
 * carries tags (the descriptor rings hold untagged mbufs), so a
 * run-to-completion forwarder never has more than B x T in use. */
static int
test_in_flight(void)
{
	const unsigned int b = 32, t = 2, seed = 256;
	struct rte_mbuf *pkts[256];
	void *data[32];
	uint64_t peak = 0, in_use;
	unsigned int i, n, sent, fwd = 0;

	TEST_ASSERT_EQ(rte_pktmbuf_alloc_bulk(test_mbuf_pool(), pkts, seed), 0, "mbufs");
	for (i = 0; i < seed; i++)
		rte_pktmbuf_append(pkts[i], 60);
	TEST_ASSERT_EQ(rte_eth_tx_burst(ring_port, STRIP_Q, pkts, seed), seed, "seeded");
	for (i = 0; i < 2000; i++) {
		n = rte_eth_rx_burst(ring_port, STRIP_Q, pkts, b);
		if (n == 0)
			continue;
		TEST_ASSERT_EQ(mtag_add_burst(pkts, n, MTAG_TYPE_VLAN, 4, 0, data), n, "record");
		TEST_ASSERT_EQ(mtag_add_burst(pkts, n, MTAG_TYPE_IPSEC_IN_DONE, 8, 0, data), n,
			       "record");
		in_use = test_tags_in_use();
		peak = RTE_MAX(peak, in_use);
		sent = rte_eth_tx_burst(ring_port, STRIP_Q, pkts, n);
		mtag_pktmbuf_free_bulk(pkts + sent, n - sent);
		fwd += sent;
	}
	TEST_ASSERT(fwd > 1000 * b, "forwarded %u", fwd);
	TEST_ASSERT_EQ(peak, (uint64_t)b * t, "peak in use = B x T");
	TEST_ASSERT_EQ(test_tags_in_use(), 0, "none after the strip");
	n = rx_all(ring_port, STRIP_Q, pkts, seed);
	TEST_ASSERT_EQ(n, seed, "every packet back");
	rte_pktmbuf_free_bulk(pkts, n);
	return TEST_SUCCESS;
}

static const struct test_case ethdev_cases[] = {
	{"in_flight", test_in_flight},
	{"strip_twice_and_remove", test_strip_twice_and_remove},
	{"ring_strip", test_ring_strip},
	{"ring_plain_queue", test_ring_plain_queue},
	{"ring_partial_tx", test_ring_partial_tx},
	{"null_port", test_null_port},
	{"strip_errors", test_strip_errors},
	{NULL, NULL},
};

static struct test_suite ethdev_suite = {
	.name = "ethdev",
	.setup = eth_setup,
	.teardown = eth_teardown,
	.cases = ethdev_cases,
};

REGISTER_UNIT_TEST(ethdev_suite);
