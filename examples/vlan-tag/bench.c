/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_ip.h>

#include <mtag.h>

#include "bench.h"
#include "fwd.h"
#include "vlan.h"

static struct vt_lcore_stats start;

static struct rte_mbuf *
make_frame(struct rte_mempool *mp, const struct mtag_vlan *hdr, unsigned int depth,
	   unsigned int size)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	unsigned int hlen = RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr);
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	char *p;

	if (m == NULL)
		return NULL;
	/* Build the untagged frame, then tag it as a trunk peer would. */
	p = rte_pktmbuf_append(m, RTE_MAX(size - depth * 4, hlen));
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(p, 0, rte_pktmbuf_data_len(m));
	eth = (struct rte_ether_hdr *)p;
	eth->dst_addr.addr_bytes[0] = 0x02;
	eth->dst_addr.addr_bytes[5] = 0x02;
	eth->src_addr.addr_bytes[0] = 0x02;
	eth->src_addr.addr_bytes[5] = 0x01;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->total_length = rte_cpu_to_be_16(rte_pktmbuf_data_len(m) - RTE_ETHER_HDR_LEN);
	ip->src_addr = rte_cpu_to_be_32(RTE_IPV4(198, 18, 0, 1));
	ip->dst_addr = rte_cpu_to_be_32(RTE_IPV4(198, 18, 0, 2));
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	if (vt_vlan_insert(m, hdr, depth) != 0) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	return m;
}

int
vt_bench_inject(struct rte_mempool *mp, unsigned int n, unsigned int size)
{
	const struct vt_conf *c = &vt_fwd.conf;
	unsigned int i, sent = 0;

	for (i = 0; i < n; i++) {
		unsigned int a = i % c->nb_access;
		struct rte_mbuf *m = make_frame(mp, vt_fwd.insert_hdr[a], c->access[a].depth, size);

		if (m == NULL)
			return sent > 0 ? (int)sent : -ENOMEM;
		/* Spread over the queues: with net_ring each loops back to its own lcore. */
		if (rte_eth_tx_burst(vt_fwd.trunk, (uint16_t)(i % vt_fwd.nb_queues), &m, 1) != 1) {
			rte_pktmbuf_free(m);
			break;
		}
		sent++;
	}
	return (int)sent;
}

/* A period's rate counts when the store ran for most of it. */
#define MIN_SAMPLE_PKTS 10000
#define MAX_SAMPLES 4096

static struct vt_lcore_stats prev;
static double samples[VT_STORE_MAX][VT_DIR_MAX][MAX_SAMPLES];
static unsigned int nb_samples[VT_STORE_MAX][VT_DIR_MAX];

void
vt_bench_start(void)
{
	vt_stats_sum(&start);
	prev = start;
}

void
vt_bench_period(void)
{
	static struct vt_lcore_stats now;
	double hz = (double)rte_get_tsc_hz();
	unsigned int s, d;

	vt_stats_sum(&now);
	for (s = 0; s < VT_STORE_MAX; s++) {
		for (d = 0; d < VT_DIR_MAX; d++) {
			uint64_t p = now.dir[s][d].pkts - prev.dir[s][d].pkts;
			uint64_t c = now.dir[s][d].cycles - prev.dir[s][d].cycles;
			unsigned int *n = &nb_samples[s][d];

			if (p >= MIN_SAMPLE_PKTS && c != 0 && *n < MAX_SAMPLES)
				samples[s][d][(*n)++] = p * hz / c / 1e6;
		}
	}
	prev = now;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(double *v, unsigned int n)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int
vt_bench_report(FILE *f)
{
	static const char *const store_names[] = {"tag", "local"};
	static const char *const dir_names[] = {"trunk->access", "access->trunk"};
	static struct vt_lcore_stats now;
	double med[VT_STORE_MAX][VT_DIR_MAX] = {{0}};
	double hz = (double)rte_get_tsc_hz();
	unsigned int s, d;
	int ret = 0;

	vt_stats_sum(&now);
	/* Cycles are summed over the lcores: pkts * hz / cycles is the rate of one lcore. */
	fprintf(f, "bench: %u forwarding lcore%s, rates per lcore\n", vt_fwd.nb_queues,
		vt_fwd.nb_queues > 1 ? "s" : "");
	for (s = 0; s < VT_STORE_MAX; s++) {
		for (d = 0; d < VT_DIR_MAX; d++) {
			uint64_t p = now.dir[s][d].pkts - start.dir[s][d].pkts;
			uint64_t c = now.dir[s][d].cycles - start.dir[s][d].cycles;
			unsigned int n = nb_samples[s][d];

			if (p == 0 || c == 0)
				continue;
			med[s][d] = median(samples[s][d], n);
			fprintf(f,
				"bench: store %s %s: %" PRIu64 " pkts, %.1f cycles/pkt, %.2f Mpps, "
				"median of %u periods %.2f Mpps\n",
				store_names[s], dir_names[d], p, (double)c / p, p * hz / c / 1e6, n,
				med[s][d]);
		}
	}
	for (d = 0; d < VT_DIR_MAX; d++) {
		if (med[VT_STORE_TAG][d] == 0 || med[VT_STORE_LOCAL][d] == 0) {
			ret = -1;
			continue;
		}
		fprintf(f, "bench: %s: tags cost %.1f%% (median tag %.2f Mpps, local %.2f Mpps)\n",
			dir_names[d], 100.0 * (1.0 - med[VT_STORE_TAG][d] / med[VT_STORE_LOCAL][d]),
			med[VT_STORE_TAG][d], med[VT_STORE_LOCAL][d]);
	}
	fflush(f);
	return ret;
}
