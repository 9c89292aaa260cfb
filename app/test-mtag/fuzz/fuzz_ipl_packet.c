/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/*
 * Fuzz target: the ipsec-loop example's receive path (ipl_rx_prepare and
 * ipl_ip_check), then its policy and route lookups, on arbitrary frames.
 * The first input byte says whether the frame is split over two segments
 * (and where) and whether it carries a tag; the rest is the frame.
 *   - a frame is either dropped (freed, its tags too, and a drop counter
 *     moves) or accepted as a whole IPv4 packet without options or
 *     fragments, with a valid checksum, trimmed to its IP length;
 *   - lookups return entries of the configuration or nothing;
 *   - nothing leaks: every mbuf and tag is back in its pool after each input.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include <mtag.h>

#include "fuzz_common.h"
#include "ipl.h"

/* The example's globals live in its main.c, which has its own main(). */
struct ipl_app ipl;
int ipl_scratch_offset = -1;

static const char ipl_fuzz_conf[] = "port 0 inside\n"
				    "port 1 outside\n"
				    "sa out 1 spi 1001 tunnel 192.0.2.1 192.0.2.2 aes-128-gcm "
				    "key 2b7e151628aed2a6abf7158809cf4f3c salt deadbeef\n"
				    "sp out 10.1.0.0/16 10.2.0.0/16 protect 1\n"
				    "sp out any any bypass\n"
				    "sp in 10.2.0.0/16 10.1.0.0/16 discard\n"
				    "route 192.0.2.2/32 port 1\n"
				    "route 10.1.0.0/16 port 0\n"
				    "route 10.0.0.0/8 outbound\n";

static struct rte_mempool *mbuf_pool;
static uint64_t nb_accepted, nb_dropped;

void fuzz_report(void);

/* Called by the replay driver. */
void
fuzz_report(void)
{
	printf("ipl-packet: %" PRIu64 " frames accepted, %" PRIu64 " dropped\n", nb_accepted,
	       nb_dropped);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const struct rte_mbuf_dynfield scratch = {
		.name = "fuzz_ipl_scratch",
		.size = sizeof(struct ipl_scratch),
		.align = __alignof__(struct ipl_scratch),
	};
	char err[160];

	(void)argc;
	(void)argv;
	fuzz_eal_init("mtag-fuzz-ipl");
	mbuf_pool = rte_pktmbuf_pool_create("fuzz_ipl", 15, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					    SOCKET_ID_ANY);
	ipl_scratch_offset = rte_mbuf_dynfield_register(&scratch);
	if (mbuf_pool == NULL || ipl_scratch_offset < 0 || mtag_lib_init(NULL) != 0)
		exit(1);
	if (ipl_conf_parse(&ipl.conf, ipl_fuzz_conf, sizeof(ipl_fuzz_conf) - 1, err, sizeof(err)) !=
	    0) {
		fprintf(stderr, "configuration: %s\n", err);
		exit(1);
	}
	ipl.mbuf_pool = mbuf_pool;
	return 0;
}

static int
check_accepted(struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	const struct ipl_sp_conf *sp;
	const struct ipl_route_conf *r;
	int dir;

	TEST_ASSERT(!(rte_pktmbuf_data_len(m) < sizeof(*ip) || ip->version_ihl != 0x45),
		    "accepted a packet that is not plain IPv4");
	TEST_ASSERT(!(rte_be_to_cpu_16(ip->total_length) != rte_pktmbuf_pkt_len(m)),
		    "IP length %u, packet %u", rte_be_to_cpu_16(ip->total_length),
		    rte_pktmbuf_pkt_len(m));
	TEST_ASSERT(!(rte_raw_cksum(ip, sizeof(*ip)) != 0xffff), "accepted a bad checksum");
	TEST_ASSERT(!(ip->fragment_offset &
		      rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)),
		    "accepted a fragment");
	TEST_ASSERT(!(m->l3_len != sizeof(*ip) ||
		      ipl_scratch(m)->orig_len != rte_pktmbuf_pkt_len(m) ||
		      ipl_scratch(m)->passes != 0),
		    "metadata not set");
	for (dir = IPL_DIR_OUT; dir <= IPL_DIR_IN; dir++) {
		sp = ipl_spd_lookup(dir, ip);
		TEST_ASSERT(
			!(sp != NULL && (sp < ipl.conf.sp || sp >= ipl.conf.sp + ipl.conf.nb_sp)),
			"policy outside the table");
	}
	r = ipl_route_lookup(rte_be_to_cpu_32(ip->dst_addr));
	TEST_ASSERT(
		!(r != NULL && (r < ipl.conf.route || r >= ipl.conf.route + ipl.conf.nb_routes)),
		"route outside the table");
	return TEST_SUCCESS;
}

static int
fuzz_packet(const uint8_t *data, size_t size)
{
	struct ipl_stats st, st0;
	struct rte_mbuf *m, *seg;
	struct mtag_stats ts;
	size_t len, first;
	uint16_t n;
	uint8_t mode;

	if (size < 1)
		return TEST_SUCCESS;
	mode = data[0];
	data++;
	len = RTE_MIN(size - 1, (size_t)RTE_MBUF_DEFAULT_DATAROOM);
	/* Two segments when asked: the split lands anywhere, headers included. */
	first = (mode & 1) ? RTE_MIN(len, (size_t)(mode >> 2)) : len;
	m = rte_pktmbuf_alloc(mbuf_pool);
	TEST_ASSERT(!(m == NULL), "mbuf pool empty: a leak");
	memcpy(rte_pktmbuf_append(m, first), data, first);
	if (first < len) {
		seg = rte_pktmbuf_alloc(mbuf_pool);
		TEST_ASSERT(!(seg == NULL), "mbuf pool empty: a leak");
		memcpy(rte_pktmbuf_append(seg, len - first), data + first, len - first);
		TEST_ASSERT(!(rte_pktmbuf_chain(m, seg) != 0), "chain");
	}
	if (mode & 2)
		mtag_prepend(m, mtag_get(MTAG_TYPE_IPSEC_IN_DONE, sizeof(struct mtag_ipsec), 0));

	memset(&st, 0, sizeof(st));
	memset(&st0, 0, sizeof(st0));
	n = ipl_rx_prepare(&m, 1, &st);
	if (n == 1) {
		TEST_RUN(check_accepted(m));
		mtag_pktmbuf_free(m);
		nb_accepted++;
	} else {
		TEST_ASSERT_EQ(n, 0, "rx_prepare returned %u of 1", n);
		TEST_ASSERT(memcmp(&st, &st0, sizeof(st)) != 0, "dropped without counting why");
		nb_dropped++;
	}
	TEST_ASSERT(!(rte_mempool_avail_count(mbuf_pool) != mbuf_pool->size), "%u mbufs leaked",
		    mbuf_pool->size - rte_mempool_avail_count(mbuf_pool));
	TEST_ASSERT(!(mtag_stats_get(&ts) != 0 || ts.in_use != 0), "%" PRIu64 " tags leaked",
		    ts.in_use);
	return TEST_SUCCESS;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A failure aborts (test_fail_abort) before it returns here. */
	return fuzz_packet(data, size) == TEST_SUCCESS ? 0 : -1;
}
