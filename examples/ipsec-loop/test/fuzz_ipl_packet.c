/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/*
 * Fuzz target: the ipsec-loop example's receive path (ipl_rx_prepare and
 * ipl_ip_check), then its policy and route lookups, on arbitrary frames.
 * The first input byte says whether the frame is split over two segments
 * (and where) and whether it carries a tag; the rest is the frame.
 *   - a frame is either dropped (freed, its tags too, and a drop counter
 *     moves) or accepted as an IPv4 packet (or fragment) without options,
 *     with a valid checksum, trimmed to its IP length;
 *   - the lookup tables (rte_acl policies, rte_lpm routes) give what a linear
 *     scan of the configuration gives: the first matching policy, the longest
 *     matching prefix;
 *   - an accepted untagged fragment goes through the reassembly (frag.c, rte_ip_frag, a
 *     table of 4 packets): what comes out whole is one contiguous segment whose IP
 *     length is its length; the table is emptied after each input;
 *   - nothing leaks: every mbuf and tag is back in its pool after each input.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
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
				    "sp out 10.1.2.0/24 10.2.0.0/16 discard\n"
				    "sp out any 10.0.0.0/8 proto udp discard\n"
				    "sp out 10.0.0.0/8 any proto 1 bypass\n"
				    "sp out any any bypass\n"
				    "sp in 10.2.0.0/16 10.1.0.0/16 discard\n"
				    "sp in 192.0.0.0/3 any proto tcp bypass\n"
				    "sp in 0.0.0.0/1 128.0.0.0/1 discard\n"
				    "route 192.0.2.2/32 port 1\n"
				    "route 10.1.0.0/16 port 0\n"
				    "route 10.1.0.128/25 port 1\n"
				    "route 10.1.0.129/32 port 0\n"
				    "route 10.0.0.0/8 outbound\n"
				    "route 0.0.0.0/1 port 1\n"
				    "sp out fd01::/16 fd02::/32 protect 3\n"
				    "sp out fd01:0:0:1::/64 any discard\n"
				    "sp out any fd02::/16 proto udp bypass\n"
				    "sp in fd00::/8 fd01::/64 proto 58 bypass\n"
				    "sp in any any discard\n"
				    "sa out 3 spi 1003 tunnel 2001:db8::1 2001:db8::2 null\n"
				    "route 2001:db8::/32 port 1\n"
				    "route 2001:db8:0:1::/64 port 0\n"
				    "route fd00::/8 port 0\n"
				    "route fd01:0:0:0:8000::/65 outbound\n";

static struct rte_mempool *mbuf_pool;

/* The reference: RFC 4301's ordered SPD, scanned. */
static const struct ipl_sp_conf *
spd_linear(enum ipl_dir dir, const struct rte_ipv4_hdr *ip)
{
	struct ipl_addr src = {.family = IPL_AF_INET, .v4 = rte_be_to_cpu_32(ip->src_addr)};
	struct ipl_addr dst = {.family = IPL_AF_INET, .v4 = rte_be_to_cpu_32(ip->dst_addr)};
	uint8_t proto = ip->next_proto_id;
	unsigned int i;

	if ((ip->version_ihl >> 4) == 6) {
		const struct rte_ipv6_hdr *ip6 = (const void *)ip;

		src.family = dst.family = IPL_AF_INET6;
		memcpy(src.v6, IPL_IP6(ip6->src_addr), 16);
		memcpy(dst.v6, IPL_IP6(ip6->dst_addr), 16);
		proto = ip6->proto;
	}
	for (i = 0; i < ipl.conf.nb_sp; i++) {
		const struct ipl_sp_conf *sp = &ipl.conf.sp[i];

		if (sp->dir == dir && ipl_prefix_match(&sp->src, &src) &&
		    ipl_prefix_match(&sp->dst, &dst) && (sp->proto == 0 || sp->proto == proto))
			return sp;
	}
	return NULL;
}
static uint64_t nb_accepted, nb_dropped;

void fuzz_report(void);

/* Called by the replay driver. */
void
fuzz_report(void)
{
	printf("ipl-packet: %" PRIu64 " frames accepted, %" PRIu64 " dropped\n", nb_accepted,
	       nb_dropped);
}

int
LLVMFuzzerInitialize(int *argc __rte_unused, char ***argv __rte_unused)
{
	static const struct rte_mbuf_dynfield scratch = {
		.name = "fuzz_ipl_scratch",
		.size = sizeof(struct ipl_scratch),
		.align = __alignof__(struct ipl_scratch),
	};
	char err[160];

	mbuf_pool = fuzz_eal_init_pool("mtag-fuzz-ipl", "fuzz_ipl");
	ipl_scratch_offset = rte_mbuf_dynfield_register(&scratch);
	if (ipl_scratch_offset < 0 || mtag_lib_init(NULL) != 0)
		exit(1);
	if (ipl_conf_parse(&ipl.conf, ipl_fuzz_conf, sizeof(ipl_fuzz_conf) - 1, err, sizeof(err)) !=
	    0) {
		fprintf(stderr, "configuration: %s\n", err);
		exit(1);
	}
	if (ipl_spd_init() != 0)
		exit(1);
	ipl.mbuf_pool = mbuf_pool;
	ipl.nb_lcores = 1;
	ipl.reassemble = true;
	ipl.frag_table = 4;
	ipl.frag_ttl_ms = 1000;
	if (ipl_frag_init() != 0)
		exit(1);
	return 0;
}

/* An accepted untagged fragment into the reassembly: a whole packet out is contiguous and
 * as long as its IP header says. */
static void
check_reassembly(struct rte_mbuf *m)
{
	struct ipl_lcore *lc = &ipl.lc[0];
	struct rte_mbuf *r = ipl_reassemble(lc, m, rte_get_timer_cycles());
	const struct rte_ipv4_hdr *ip;
	uint32_t tot;

	ipl_frag_burst_end(lc);
	if (r == NULL)
		return;
	ip = rte_pktmbuf_mtod(r, const struct rte_ipv4_hdr *);
	tot = (ip->version_ihl >> 4) == 6
		      ? sizeof(struct rte_ipv6_hdr) +
				rte_be_to_cpu_16(((const struct rte_ipv6_hdr *)ip)->payload_len)
		      : rte_be_to_cpu_16(ip->total_length);
	if (r->nb_segs != 1 || tot != rte_pktmbuf_pkt_len(r) ||
	    ((ip->version_ihl >> 4) == 4 && rte_raw_cksum(ip, sizeof(*ip)) != 0xffff))
		FUZZ_FAIL("reassembled: %u segments, IP length %u, packet %u", r->nb_segs, tot,
			  rte_pktmbuf_pkt_len(r));
	mtag_pktmbuf_free(r);
}

/* The fragments the table still holds are freed with it: a new one for the next input. */
static void
reassembly_reset(void)
{
	struct ipl_lcore *lc = &ipl.lc[0];

	rte_ip_frag_table_destroy(lc->frag_tbl);
	lc->frag_tbl =
		rte_ip_frag_table_create(2, 8, ipl.frag_table, rte_get_timer_hz(), rte_socket_id());
	if (lc->frag_tbl == NULL)
		FUZZ_FAIL("reassembly table");
}

static void
check_accepted_lookups(struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	struct ipl_addr dst = {.family = IPL_AF_INET, .v4 = rte_be_to_cpu_32(ip->dst_addr)};
	const struct ipl_sp_conf *sp;
	const struct ipl_route_conf *r;
	int dir;

	for (dir = IPL_DIR_OUT; dir <= IPL_DIR_IN; dir++) {
		ipl_spd_classify(dir, &m, 1, &sp);
		if (sp != spd_linear(dir, ip))
			FUZZ_FAIL("rte_acl policy %ld, first match %ld",
				  sp ? (long)(sp - ipl.conf.sp) : -1L,
				  spd_linear(dir, ip) ? (long)(spd_linear(dir, ip) - ipl.conf.sp)
						      : -1L);
	}
	r = ipl_route_lookup4(dst.v4);
	if (r != ipl_conf_route(&ipl.conf, &dst))
		FUZZ_FAIL("rte_lpm route differs from the longest prefix");
}

static void
check_accepted(struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);

	if (rte_pktmbuf_data_len(m) >= sizeof(struct rte_ipv6_hdr) && (ip->version_ihl >> 4) == 6) {
		const struct rte_ipv6_hdr *ip6 = (const struct rte_ipv6_hdr *)ip;

		/* IPv6: no extension header but for a fragment header right after it. */
		if (sizeof(*ip6) + rte_be_to_cpu_16(ip6->payload_len) != rte_pktmbuf_pkt_len(m) ||
		    m->l3_len != sizeof(*ip6) || ipl_scratch(m)->passes != 0)
			FUZZ_FAIL("IPv6 accepted with length %u, packet %u",
				  (unsigned int)rte_be_to_cpu_16(ip6->payload_len),
				  rte_pktmbuf_pkt_len(m));
		return;
	}
	if (rte_pktmbuf_data_len(m) < sizeof(*ip) || ip->version_ihl != 0x45)
		FUZZ_FAIL("accepted a packet that is not plain IPv4");
	if (rte_be_to_cpu_16(ip->total_length) != rte_pktmbuf_pkt_len(m))
		FUZZ_FAIL("IP length %u, packet %u", rte_be_to_cpu_16(ip->total_length),
			  rte_pktmbuf_pkt_len(m));
	if (rte_raw_cksum(ip, sizeof(*ip)) != 0xffff)
		FUZZ_FAIL("accepted a bad checksum");
	if (m->l3_len != sizeof(*ip) || ipl_scratch(m)->orig_len != rte_pktmbuf_pkt_len(m) ||
	    ipl_scratch(m)->passes != 0)
		FUZZ_FAIL("metadata not set");
	check_accepted_lookups(m);
}

/* A packet holding one zeroed header of len bytes, for the lookups. */
static void *
lookup_pkt(struct rte_mbuf **m, uint16_t len)
{
	void *hdr;

	*m = rte_pktmbuf_alloc(mbuf_pool);
	if (*m == NULL)
		FUZZ_FAIL("mbuf pool empty: a leak");
	hdr = rte_pktmbuf_append(*m, len);
	if (hdr == NULL)
		FUZZ_FAIL("no room for a header");
	memset(hdr, 0, len);
	return hdr;
}

/* The same for IPv6: rte_acl over the 9 fields of an IPv6 selector, rte_lpm6. */
static void
check_lookups6(const uint8_t *data, size_t size)
{
	static const uint8_t protos[4] = {58, 6, 17, 50};
	static const uint8_t near[4][4] = {{0xfd, 0x01, 0, 0},
					   {0xfd, 0x02, 0, 0},
					   {0x20, 0x01, 0x0d, 0xb8},
					   {0xfd, 0x01, 0, 0}};
	struct ipl_addr dst = {.family = IPL_AF_INET6};
	const struct ipl_sp_conf *sp, *ref;
	struct rte_ipv6_hdr *ip6;
	struct rte_mbuf *m;
	uint8_t sel[34] = {0};
	int dir;

	memcpy(sel, data, RTE_MIN(size, sizeof(sel)));
	ip6 = lookup_pkt(&m, sizeof(*ip6));
	ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
	memcpy(IPL_IP6(ip6->src_addr), sel + 2, 16);
	memcpy(IPL_IP6(ip6->dst_addr), sel + 18, 16);
	/* Near the configured prefixes more often than not: the first bytes, and a 1 in
	 * fd01:0:0:1::/64 or fd01::8000:0:0:0/65 now and then. */
	if (sel[0] & 1)
		memcpy(IPL_IP6(ip6->src_addr), near[sel[1] & 3], 4);
	if (sel[0] & 2)
		memcpy(IPL_IP6(ip6->dst_addr), near[(sel[1] >> 2) & 3], 4);
	if (sel[0] & 8)
		IPL_IP6(ip6->src_addr)[7] = 1;
	if (sel[0] & 16)
		IPL_IP6(ip6->dst_addr)[8] = 0x80;
	ip6->proto = sel[0] & 4 ? protos[sel[1] >> 6] : sel[33];
	for (dir = IPL_DIR_OUT; dir <= IPL_DIR_IN; dir++) {
		ipl_spd_classify(dir, &m, 1, &sp);
		ref = spd_linear(dir, (const struct rte_ipv4_hdr *)ip6);
		if (sp != ref)
			FUZZ_FAIL("IPv6: rte_acl policy %ld, first match %ld",
				  sp ? (long)(sp - ipl.conf.sp) : -1L,
				  ref ? (long)(ref - ipl.conf.sp) : -1L);
	}
	memcpy(dst.v6, IPL_IP6(ip6->dst_addr), 16);
	if (ipl_route_lookup6(IPL_IP6(ip6->dst_addr)) != ipl_conf_route(&ipl.conf, &dst))
		FUZZ_FAIL("rte_lpm6 route differs from the longest prefix");
	rte_pktmbuf_free(m);
}

/* The lookups on selectors taken from the input itself, valid packet or not: most inputs
 * are dropped at the door, the tables should see them all. */
static void
check_lookups(const uint8_t *data, size_t size)
{
	static const uint8_t protos[4] = {1, 6, 17, 50};
	struct rte_ipv4_hdr *ip;
	struct rte_mbuf *m;
	uint8_t sel[9] = {0};

	memcpy(sel, data, RTE_MIN(size, sizeof(sel)));
	ip = lookup_pkt(&m, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	/* Addresses near the configured prefixes more often than not. */
	ip->src_addr = rte_cpu_to_be_32((sel[0] & 1 ? 0x0a000000 : (uint32_t)sel[1] << 24) |
					(uint32_t)sel[2] << 16 | (uint32_t)sel[3] << 8 | sel[4]);
	ip->dst_addr = rte_cpu_to_be_32((sel[0] & 2 ? 0x0a000000 : (uint32_t)sel[5] << 24) |
					(uint32_t)sel[6] << 16 | (uint32_t)sel[7] << 8 | sel[1]);
	ip->next_proto_id = sel[0] & 4 ? protos[sel[8] & 3] : sel[8];
	check_accepted_lookups(m);
	rte_pktmbuf_free(m);
	check_lookups6(data, size);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipl_stats st, st0;
	struct rte_mbuf *m, *seg;
	struct mtag_stats ts;
	size_t len, first;
	uint16_t n;
	uint8_t mode;

	if (size < 1)
		return 0;
	check_lookups(data, size);
	mode = data[0];
	data++;
	len = RTE_MIN(size - 1, (size_t)RTE_MBUF_DEFAULT_DATAROOM);
	/* Two segments when asked: the split lands anywhere, headers included. */
	first = (mode & 1) ? RTE_MIN(len, (size_t)(mode >> 2)) : len;
	m = rte_pktmbuf_alloc(mbuf_pool);
	if (m == NULL)
		FUZZ_FAIL("mbuf pool empty: a leak");
	memcpy(rte_pktmbuf_append(m, first), data, first);
	if (first < len) {
		seg = rte_pktmbuf_alloc(mbuf_pool);
		if (seg == NULL)
			FUZZ_FAIL("mbuf pool empty: a leak");
		memcpy(rte_pktmbuf_append(seg, len - first), data + first, len - first);
		if (rte_pktmbuf_chain(m, seg) != 0)
			FUZZ_FAIL("chain");
	}
	if (mode & 2)
		mtag_prepend(m, mtag_get(MTAG_TYPE_IPSEC_IN_DONE, sizeof(struct mtag_ipsec), 0));

	memset(&st, 0, sizeof(st));
	memset(&st0, 0, sizeof(st0));
	n = ipl_rx_prepare(&m, 1, &st, mode & 4);
	if (n == 1) {
		check_accepted(m);
		nb_accepted++;
		if (ipl_is_fragment(m) && !(mode & 2)) {
			check_reassembly(m);
			reassembly_reset();
		} else {
			mtag_pktmbuf_free(m);
		}
	} else if (n != 0) {
		FUZZ_FAIL("rx_prepare returned %u of 1", n);
	} else if (memcmp(&st, &st0, sizeof(st)) == 0) {
		FUZZ_FAIL("dropped without counting why");
	} else {
		nb_dropped++;
	}
	if (rte_mempool_avail_count(mbuf_pool) != mbuf_pool->size)
		FUZZ_FAIL("%u mbufs leaked", mbuf_pool->size - rte_mempool_avail_count(mbuf_pool));
	if (mtag_stats_get(&ts) != 0 || ts.in_use != 0)
		FUZZ_FAIL("%" PRIu64 " tags leaked", ts.in_use);
	return 0;
}
