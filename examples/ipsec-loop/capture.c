/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/*
 * --capture FILE: every packet dropped as a loop or by the inbound policy,
 * written to a pcapng file with its tags in the comment (the IPSEC_OUT_DONE
 * records that caught the loop, the IPSEC_IN_DONE records the policy read),
 * under a tag of type "ipl_drop/<reason>" that names the verdict. The lcores
 * hand the packets over at the drop points (ipl_capture_drop()); the
 * library's thread writes the file. Packets are IP from RX on: each gets an
 * Ethernet header back (the port's MAC as source) for the capture, as the
 * file's interfaces are Ethernet; they are dropped after, so nothing else
 * sees it.
 */

#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ether.h>

#include "ipl.h"

struct mtag_capture *ipl_capture;
static uint16_t ipl_capture_type[IPL_CAP_MAX];
static const char *const ipl_capture_names[IPL_CAP_MAX] = {
	[IPL_CAP_LOOP] = "ipl_drop/loop",
	[IPL_CAP_UNPROTECTED] = "ipl_drop/unprotected",
	[IPL_CAP_WRONG_SA] = "ipl_drop/wrong_sa",
};

int
ipl_capture_open(const char *path, uint64_t limit)
{
	struct mtag_capture_conf cc = {
		.filter = MTAG_CAPTURE_ALL,
		.limit = limit,
		.flags = MTAG_CAPTURE_THREAD,
	};
	unsigned int i;
	int type;

	for (i = 0; i < IPL_CAP_MAX; i++) {
		type = mtag_type_register(ipl_capture_names[i]);
		if (type < 0)
			return type;
		ipl_capture_type[i] = (uint16_t)type;
	}
	ipl_capture = mtag_capture_open(path, &cc);
	if (ipl_capture == NULL)
		return -rte_errno;
	printf("capture: %s, packets dropped as loops or by inbound policy\n", path);
	return 0;
}

int
ipl_capture_close(void)
{
	struct mtag_capture_stats cs = {0};
	int ret;

	if (ipl_capture == NULL)
		return 0;
	mtag_capture_flush(ipl_capture);
	mtag_capture_stats_get(ipl_capture, &cs);
	ret = mtag_capture_close(ipl_capture);
	ipl_capture = NULL;
	printf("capture: %" PRIu64 " packets written, %" PRIu64 " dropped (ring full)\n",
	       cs.written, cs.dropped);
	return ret;
}

void
ipl_capture_drop(const struct ipl_lcore *lc, struct rte_mbuf *m, enum ipl_cap_reason why)
{
	struct rte_ether_hdr *eth;

	eth = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, sizeof(*eth));
	if (eth != NULL) {
		memset(&eth->dst_addr, 0, sizeof(eth->dst_addr));
		rte_ether_addr_copy(&ipl.port_mac[m->port], &eth->src_addr);
		eth->ether_type = rte_cpu_to_be_16((*(const uint8_t *)(eth + 1) >> 4) == 6
							   ? RTE_ETHER_TYPE_IPV6
							   : RTE_ETHER_TYPE_IPV4);
	}
	/* Without a tag left in the pool the packet goes without its verdict. */
	mtag_add(m, ipl_capture_type[why], 0, 0);
	mtag_capture_burst(ipl_capture, m->port, lc->qid, &m, 1, RTE_PCAPNG_DIRECTION_IN);
}
