/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/* Capture: what mtag_capture_burst() is handed comes out in a pcapng file,
 * read back here block by block (the test's own reader, and tshark where
 * it is installed): each kept packet once, its bytes as they were up to the
 * snap length, its port and direction, and its tags in a comment of
 * mtag_dump()'s words. A full ring drops and counts; the limit stops; bad
 * arguments and failing writes give an error and lose no tag and no mbuf. */

#define _GNU_SOURCE
#include <dirent.h>
#include <sched.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mempool.h>

#include <mtag_capture.h>

#include "test.h"

#define CAP_PKTS_MAX 128
#define CAP_DATA_MAX 8192

/* One enhanced packet block as read back. */
struct cap_pkt {
	uint32_t ifid, cap_len, orig_len, flags;
	bool has_flags;
	uint8_t data[CAP_DATA_MAX];
	char comment[MTAG_CAPTURE_COMMENT_MAX + 2];
	unsigned int nb_comments;
};

static struct cap_pkt got[CAP_PKTS_MAX];
static unsigned int nb_got, nb_ifaces;
static char dir[64], path[128];
static uint16_t port_a, port_b; /* net_ring0, net_null0 */

static int
cap_setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/mtag-capture-XXXXXX");
	TEST_ASSERT(mkdtemp(dir) != NULL, "mkdtemp");
	snprintf(path, sizeof(path), "%s/cap.pcapng", dir);
	TEST_ASSERT(rte_eth_dev_get_port_by_name("net_ring0", &port_a) == 0, "net_ring0");
	TEST_ASSERT(rte_eth_dev_get_port_by_name("net_null0", &port_b) == 0, "net_null0");
	return TEST_SUCCESS;
}

static void
cap_teardown(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char f[512];

	while (d != NULL && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(f, sizeof(f), "%s/%s", dir, e->d_name);
		unlink(f);
	}
	if (d != NULL)
		closedir(d);
	rmdir(dir);
}

/* ---------------------------------------------------------- pcapng reader */

static uint32_t
rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint16_t
rd16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* The options of an enhanced packet block, from off to end. */
static int
read_epb_options(const uint8_t *b, size_t off, size_t end, struct cap_pkt *p)
{
	uint16_t code, len;

	while (off + 4 <= end) {
		code = rd16(b + off);
		len = rd16(b + off + 2);
		off += 4;
		TEST_ASSERT(off + len <= end, "option %u of %u bytes past its block", code, len);
		if (code == 0)
			break;
		if (code == 1) { /* opt_comment */
			TEST_ASSERT(len <= MTAG_CAPTURE_COMMENT_MAX, "comment of %u bytes", len);
			memcpy(p->comment, b + off, len);
			p->comment[len] = '\0';
			p->nb_comments++;
		} else if (code == 2 && len == 4) { /* epb_flags */
			p->flags = rd32(b + off);
			p->has_flags = true;
		}
		off += RTE_ALIGN(len, 4);
	}
	return TEST_SUCCESS;
}

/* Read a whole capture file into got[]: every block well formed. */
static int
read_capture(const char *file)
{
	static uint8_t b[CAP_PKTS_MAX * (CAP_DATA_MAX + 2048)];
	size_t size, off = 0;
	uint32_t type, len;
	struct cap_pkt *p;
	FILE *f;

	nb_got = 0;
	nb_ifaces = 0;
	f = fopen(file, "rb");
	TEST_ASSERT_NOT_NULL(f, "open %s", file);
	size = fread(b, 1, sizeof(b), f);
	fclose(f);
	TEST_ASSERT(size >= 28 && rd32(b) == 0x0a0d0d0a, "a section header first");
	TEST_ASSERT_EQ(rd32(b + 8), 0x1a2b3c4d, "byte order magic");
	while (off < size) {
		TEST_ASSERT(off + 12 <= size, "block header at %zu cut", off);
		type = rd32(b + off);
		len = rd32(b + off + 4);
		TEST_ASSERT(len >= 12 && len % 4 == 0 && off + len <= size,
			    "block at %zu: length %u (file %zu)", off, len, size);
		TEST_ASSERT_EQ(rd32(b + off + len - 4), len, "block at %zu: closing length", off);
		if (type == 1) {
			nb_ifaces++;
		} else if (type == 6) {
			TEST_ASSERT(nb_got < CAP_PKTS_MAX, "more blocks than the test reads");
			p = &got[nb_got++];
			memset(p, 0, sizeof(*p));
			p->ifid = rd32(b + off + 8);
			p->cap_len = rd32(b + off + 20);
			p->orig_len = rd32(b + off + 24);
			TEST_ASSERT(p->cap_len <= CAP_DATA_MAX && 28 + p->cap_len + 4 <= len,
				    "packet %u: captured length %u", nb_got, p->cap_len);
			memcpy(p->data, b + off + 28, p->cap_len);
			TEST_RUN(read_epb_options(b, off + 28 + RTE_ALIGN(p->cap_len, 4),
						  off + len - 4, p));
		}
		off += len;
	}
	return TEST_SUCCESS;
}

/* ------------------------------------------------------------- packets */

/* A packet of len bytes (several segments past one mbuf's room), byte i
 * being seed + i. */
static struct rte_mbuf *
make_pkt(unsigned int len, uint8_t seed)
{
	struct rte_mbuf *m = NULL, *seg;
	unsigned int done = 0, n, i;
	uint8_t *d;

	while (done < len || m == NULL) {
		seg = rte_pktmbuf_alloc(test_mbuf_pool());
		if (seg == NULL)
			goto fail;
		n = RTE_MIN(len - done, (unsigned int)rte_pktmbuf_tailroom(seg));
		d = (uint8_t *)rte_pktmbuf_append(seg, n);
		for (i = 0; i < n; i++)
			d[i] = (uint8_t)(seed + done + i);
		done += n;
		if (m == NULL)
			m = seg;
		else if (rte_pktmbuf_chain(m, seg) != 0) {
			rte_pktmbuf_free(seg);
			goto fail;
		}
	}
	return m;
fail:
	rte_pktmbuf_free(m);
	return NULL;
}

static int
pkt_bytes_match(const struct rte_mbuf *m, const struct cap_pkt *p, unsigned int snaplen)
{
	uint8_t buf[CAP_DATA_MAX];
	unsigned int want = RTE_MIN(rte_pktmbuf_pkt_len(m), snaplen);
	const void *d;

	TEST_ASSERT_EQ(p->orig_len, rte_pktmbuf_pkt_len(m), "length on the wire");
	TEST_ASSERT_EQ(p->cap_len, want, "captured length (snaplen %u)", snaplen);
	d = rte_pktmbuf_read(m, 0, want, buf);
	TEST_ASSERT(d != NULL && memcmp(d, p->data, want) == 0, "bytes as they were");
	return TEST_SUCCESS;
}

static int
add_vlan(struct rte_mbuf *m, uint16_t type, uint16_t tpid, uint16_t tci)
{
	struct mtag_vlan *v = mtag_add(m, type, sizeof(*v), 0);

	TEST_ASSERT_NOT_NULL(v, "vlan tag");
	*v = (struct mtag_vlan){.tpid = tpid, .tci = tci};
	return TEST_SUCCESS;
}

static int
add_ipsec(struct rte_mbuf *m, uint16_t type, uint32_t sa, uint32_t spi)
{
	struct mtag_ipsec *s = mtag_add(m, type, sizeof(*s), 0);

	TEST_ASSERT_NOT_NULL(s, "ipsec tag");
	*s = (struct mtag_ipsec){.sa_id = sa, .spi = spi};
	return TEST_SUCCESS;
}

static int
add_bytes(struct rte_mbuf *m, uint16_t type, uint16_t len, uint8_t seed)
{
	uint8_t *d = mtag_add(m, type, len, 0);
	unsigned int i;

	TEST_ASSERT_NOT_NULL(d, "tag of %u bytes", len);
	for (i = 0; i < len; i++)
		d[i] = (uint8_t)(seed + i);
	return TEST_SUCCESS;
}

static void
free_pkts(struct rte_mbuf **pkts, unsigned int n)
{
	mtag_pktmbuf_free_bulk(pkts, n);
	memset(pkts, 0, n * sizeof(*pkts));
}

/* The copies' pool of every capture is back to full. */
static int
copies_all_back(void)
{
	char name[RTE_MEMPOOL_NAMESIZE];
	struct rte_mempool *mp;
	unsigned int s;

	for (s = 0; s < 16; s++) {
		snprintf(name, sizeof(name), "mtag_cap%u", s);
		mp = rte_mempool_lookup(name);
		if (mp != NULL)
			TEST_ASSERT_EQ(rte_mempool_in_use_count(mp), 0, "copies of %s out", name);
	}
	return TEST_SUCCESS;
}

/* ------------------------------------------------------------- the cases */

/* Each packet once, in order, with its port, direction, bytes and tags in
 * mtag_dump()'s words, newest first. */
static int
test_words(void)
{
	struct mtag_capture_stats st;
	struct rte_mbuf *pkts[4];
	struct mtag_capture *cap;
	char want[256];
	int user, i;

	user = test_type_new("cap_user");
	TEST_ASSERT(user > 0, "type");
	for (i = 0; i < 4; i++)
		TEST_ASSERT_NOT_NULL(pkts[i] = make_pkt(60 + i * 7, (uint8_t)(i * 16)), "packet");
	TEST_RUN(add_vlan(pkts[1], MTAG_TYPE_VLAN, 0x8100, (3 << 13) | 100));
	TEST_RUN(add_vlan(pkts[1], MTAG_TYPE_VLAN_INSERT, 0x88a8, (1 << 12) | 4094));
	TEST_RUN(add_ipsec(pkts[2], MTAG_TYPE_IPSEC_IN_DONE, 7, 0x1001));
	TEST_RUN(add_bytes(pkts[3], (uint16_t)user, 3, 0xa0));
	TEST_RUN(add_ipsec(pkts[3], MTAG_TYPE_IPSEC_OUT_DONE, 4000000000u, 0xdeadbeef));

	cap = mtag_capture_open(path, NULL);
	TEST_ASSERT_NOT_NULL(cap, "open: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(mtag_capture_burst(cap, port_a, 0, pkts, 2, RTE_PCAPNG_DIRECTION_IN), 2,
		       "burst in");
	TEST_ASSERT_EQ(mtag_capture_burst(cap, port_b, 3, pkts + 2, 2, RTE_PCAPNG_DIRECTION_OUT), 2,
		       "burst out");
	TEST_ASSERT_EQ(mtag_capture_flush(cap), 4, "flush");
	TEST_ASSERT_EQ(mtag_capture_stats_get(cap, &st), 0, "stats");
	TEST_ASSERT(st.captured == 4 && st.written == 4 && st.dropped == 0 && st.lost == 0,
		    "stats %" PRIu64 "/%" PRIu64 "/%" PRIu64 "/%" PRIu64, st.captured, st.written,
		    st.dropped, st.lost);
	TEST_ASSERT_EQ(mtag_capture_close(cap), 0, "close");

	TEST_RUN(read_capture(path));
	TEST_ASSERT_EQ(nb_got, 4, "blocks");
	TEST_ASSERT_EQ(nb_ifaces, rte_eth_dev_count_avail(), "an interface block per port");
	for (i = 0; i < 4; i++) {
		TEST_RUN(pkt_bytes_match(pkts[i], &got[i], MTAG_CAPTURE_SNAPLEN_DEFAULT));
		TEST_ASSERT_EQ(got[i].nb_comments, 1, "packet %d: one comment", i);
		TEST_ASSERT(got[i].has_flags && (got[i].flags & 3) == (i < 2 ? 1u : 2u),
			    "packet %d: direction", i);
	}
	/* Interfaces are numbered in port order, every port present. */
	TEST_ASSERT_EQ(got[0].ifid, port_a, "port of the first burst");
	TEST_ASSERT_EQ(got[2].ifid, port_b, "port of the second burst");
	TEST_ASSERT(strcmp(got[0].comment, "mtag: 0 tags") == 0, "untagged: %s", got[0].comment);
	TEST_ASSERT(strcmp(got[1].comment,
			   "mtag: 2 tags; 0: type 12 (vlan_insert) len 4 cookie 0 tpid 0x88a8 pcp "
			   "0 dei 1 vid 4094; 1: type 11 (vlan) len 4 cookie 0 tpid 0x8100 pcp 3 "
			   "dei 0 vid 100") == 0,
		    "vlan: %s", got[1].comment);
	TEST_ASSERT(strcmp(got[2].comment, "mtag: 1 tag; 0: type 1 (ipsec_in_done) len 8 cookie 0 "
					   "sa 7 spi 0x00001001") == 0,
		    "ipsec: %s", got[2].comment);
	snprintf(want, sizeof(want),
		 "mtag: 2 tags; 0: type 2 (ipsec_out_done) len 8 cookie 0 sa 4000000000 spi "
		 "0xdeadbeef; 1: type %d (%s) len 3 cookie 0 data a0 a1 a2",
		 user, mtag_type_name((uint16_t)user));
	TEST_ASSERT(strcmp(got[3].comment, want) == 0, "user type: %s", got[3].comment);
	/* The packets keep their tags. */
	TEST_ASSERT(test_chain_len(pkts[1]) == 2 && test_chain_len(pkts[3]) == 2, "tags kept");
	TEST_ASSERT_EQ(test_tags_in_use(), 5, "no tag copied or freed");
	free_pkts(pkts, 4);
	return copies_all_back();
}

/* The filters: a type, any tag, every packet. */
static int
test_filters(void)
{
	static const enum mtag_capture_filter filters[] = {MTAG_CAPTURE_TYPE, MTAG_CAPTURE_TAGGED,
							   MTAG_CAPTURE_ALL};
	static const unsigned int kept[][4] = {{1, 3}, {1, 2, 3}, {0, 1, 2, 3}};
	struct mtag_capture_conf conf = {.type = MTAG_TYPE_GRE};
	struct rte_mbuf *pkts[5] = {NULL};
	struct mtag_capture *cap;
	unsigned int f, i, nb_kept;

	for (i = 0; i < 4; i++)
		TEST_ASSERT_NOT_NULL(pkts[i] = make_pkt(64, (uint8_t)i), "packet");
	TEST_RUN(add_bytes(pkts[1], MTAG_TYPE_GRE, 0, 0));
	TEST_RUN(add_bytes(pkts[2], MTAG_TYPE_DLT, 4, 0));
	TEST_RUN(add_bytes(pkts[3], MTAG_TYPE_GRE, 0, 0));
	TEST_RUN(add_bytes(pkts[3], MTAG_TYPE_DLT, 4, 0));
	/* pkts[4] is NULL: skipped by every filter. */
	for (f = 0; f < RTE_DIM(filters); f++) {
		conf.filter = filters[f];
		nb_kept = filters[f] == MTAG_CAPTURE_ALL      ? 4
			  : filters[f] == MTAG_CAPTURE_TAGGED ? 3
							      : 2;
		cap = mtag_capture_open(path, &conf);
		TEST_ASSERT_NOT_NULL(cap, "open filter %d", filters[f]);
		TEST_ASSERT_EQ(
			mtag_capture_burst(cap, port_a, 0, pkts, 5, RTE_PCAPNG_DIRECTION_UNKNOWN),
			nb_kept, "filter %d", filters[f]);
		TEST_ASSERT_EQ(mtag_capture_close(cap), 0, "close");
		TEST_RUN(read_capture(path));
		TEST_ASSERT_EQ(nb_got, nb_kept, "filter %d: blocks", filters[f]);
		for (i = 0; i < nb_kept; i++)
			TEST_RUN(pkt_bytes_match(pkts[kept[f][i]], &got[i], 2048));
	}
	free_pkts(pkts, 4);
	return copies_all_back();
}

/* Long packets are cut at the snap length, whole below it; the length on
 * the wire is kept. */
static int
test_snaplen(void)
{
	static const unsigned int lens[] = {1, 99, 100, 101, 3000, 6000};
	struct mtag_capture_conf conf = {.snaplen = 100};
	struct rte_mbuf *pkts[RTE_DIM(lens)];
	struct mtag_capture *cap;
	unsigned int i, s;

	for (s = 0; s < 2; s++) {
		for (i = 0; i < RTE_DIM(lens); i++)
			TEST_ASSERT_NOT_NULL(pkts[i] = make_pkt(lens[i], (uint8_t)(i * 3)),
					     "packet of %u", lens[i]);
		TEST_RUN(add_bytes(pkts[5], MTAG_TYPE_DLT, 4, 1));
		cap = mtag_capture_open(path, &conf);
		TEST_ASSERT_NOT_NULL(cap, "open, snaplen %u", conf.snaplen);
		TEST_ASSERT_EQ(mtag_capture_burst(cap, port_a, 0, pkts, RTE_DIM(lens),
						  RTE_PCAPNG_DIRECTION_IN),
			       RTE_DIM(lens), "burst");
		TEST_ASSERT_EQ(mtag_capture_close(cap), 0, "close");
		TEST_RUN(read_capture(path));
		TEST_ASSERT_EQ(nb_got, RTE_DIM(lens), "blocks");
		for (i = 0; i < RTE_DIM(lens); i++)
			TEST_RUN(pkt_bytes_match(pkts[i], &got[i], conf.snaplen));
		TEST_ASSERT(strstr(got[5].comment, "type 6 (dlt) len 4") != NULL, "comment");
		free_pkts(pkts, RTE_DIM(lens));
		conf.snaplen = MTAG_CAPTURE_SNAPLEN_MAX; /* then all of it */
	}
	return copies_all_back();
}

/* The limit: that many packets, whatever the bursts; then nothing. */
static int
test_limit(void)
{
	struct mtag_capture_conf conf = {.limit = 5};
	struct mtag_capture_stats st;
	struct rte_mbuf *pkts[3];
	struct mtag_capture *cap;
	unsigned int i;

	for (i = 0; i < 3; i++)
		TEST_ASSERT_NOT_NULL(pkts[i] = make_pkt(64, (uint8_t)i), "packet");
	cap = mtag_capture_open(path, &conf);
	TEST_ASSERT_NOT_NULL(cap, "open");
	TEST_ASSERT_EQ(mtag_capture_burst(cap, port_a, 0, pkts, 3, RTE_PCAPNG_DIRECTION_IN), 3,
		       "first burst");
	TEST_ASSERT_EQ(mtag_capture_burst(cap, port_a, 0, pkts, 3, RTE_PCAPNG_DIRECTION_IN), 2,
		       "second burst: to the limit");
	TEST_ASSERT_EQ(mtag_capture_burst(cap, port_a, 0, pkts, 3, RTE_PCAPNG_DIRECTION_IN), 0,
		       "past the limit");
	TEST_ASSERT_EQ(mtag_capture_stats_get(cap, &st), 0, "stats");
	TEST_ASSERT(st.captured == 5 && st.dropped == 0, "captured %" PRIu64, st.captured);
	TEST_ASSERT_EQ(mtag_capture_close(cap), 0, "close");
	TEST_RUN(read_capture(path));
	TEST_ASSERT_EQ(nb_got, 5, "blocks");
	TEST_RUN(pkt_bytes_match(pkts[1], &got[4], 2048));
	free_pkts(pkts, 3);
	return copies_all_back();
}

/* A ring nobody empties: it takes what fits and counts the rest as
 * dropped, at once; the packets keep their tags; what was taken is written
 * whole; no copy is left out of its pool. With a limit, drops do not count
 * toward it. */
static int
test_ring_full(void)
{
	struct mtag_capture_conf conf = {.ring_size = 8, .limit = 30};
	struct rte_mbuf *pkts[32];
	struct mtag_capture_stats st;
	struct mtag_capture *cap;
	unsigned int i;

	for (i = 0; i < 32; i++) {
		TEST_ASSERT_NOT_NULL(pkts[i] = make_pkt(200, (uint8_t)i), "packet");
		TEST_RUN(add_ipsec(pkts[i], MTAG_TYPE_IPSEC_IN_DONE, i, i));
	}
	cap = mtag_capture_open(path, &conf);
	TEST_ASSERT_NOT_NULL(cap, "open");
	TEST_ASSERT_EQ(mtag_capture_burst(cap, port_a, 0, pkts, 32, RTE_PCAPNG_DIRECTION_IN), 8,
		       "what the ring holds");
	TEST_ASSERT_EQ(mtag_capture_burst(cap, port_a, 0, pkts, 32, RTE_PCAPNG_DIRECTION_IN), 0,
		       "ring full");
	TEST_ASSERT_EQ(mtag_capture_stats_get(cap, &st), 0, "stats");
	/* 30 of 32 under the limit, 8 taken: 22 dropped, then 22 more. */
	TEST_ASSERT(st.captured == 8 && st.dropped == 22 + 22,
		    "captured %" PRIu64 " dropped %" PRIu64, st.captured, st.dropped);
	TEST_ASSERT_EQ(test_tags_in_use(), 32, "tags untouched");
	for (i = 0; i < 32; i++)
		TEST_ASSERT(test_chain_len(pkts[i]) == 1, "packet %u keeps its tag", i);
	TEST_ASSERT_EQ(mtag_capture_flush(cap), 8, "flush");
	/* Room again; the limit has 22 left. */
	TEST_ASSERT_EQ(mtag_capture_burst(cap, port_a, 0, pkts + 8, 4, RTE_PCAPNG_DIRECTION_IN), 4,
		       "after the flush");
	TEST_ASSERT_EQ(mtag_capture_close(cap), 0, "close");
	TEST_RUN(read_capture(path));
	TEST_ASSERT_EQ(nb_got, 12, "blocks");
	for (i = 0; i < 12; i++) {
		TEST_RUN(pkt_bytes_match(pkts[i], &got[i], 2048));
		TEST_ASSERT(strstr(got[i].comment, "(ipsec_in_done)") != NULL, "comment");
	}
	free_pkts(pkts, 32);
	return copies_all_back();
}

/* A long chain ends with what was left out, within the documented length;
 * the newest five are always there; large payloads give 32 bytes of hex. */
static int
test_long_chain(void)
{
	struct rte_mbuf *pkts[2];
	struct mtag_capture *cap;
	char want[128];
	unsigned int i;

	TEST_ASSERT_NOT_NULL(pkts[0] = make_pkt(64, 0), "packet");
	TEST_ASSERT_NOT_NULL(pkts[1] = make_pkt(64, 0), "packet");
	for (i = 0; i < 40; i++)
		TEST_RUN(add_bytes(pkts[0], MTAG_TYPE_SRCROUTE, 256, (uint8_t)i));
	for (i = 0; i < 5; i++)
		TEST_RUN(add_bytes(pkts[1], MTAG_TYPE_SRCROUTE, 256, (uint8_t)i));
	cap = mtag_capture_open(path, NULL);
	TEST_ASSERT_NOT_NULL(cap, "open");
	TEST_ASSERT_EQ(mtag_capture_burst(cap, port_a, 0, pkts, 2, RTE_PCAPNG_DIRECTION_IN), 2,
		       "burst");
	TEST_ASSERT_EQ(mtag_capture_close(cap), 0, "close");
	TEST_RUN(read_capture(path));
	TEST_ASSERT_EQ(nb_got, 2, "blocks");
	TEST_ASSERT(strlen(got[0].comment) <= MTAG_CAPTURE_COMMENT_MAX, "within the limit");
	TEST_ASSERT(strncmp(got[0].comment,
			    "mtag: 40 tags; 0: type 9 (srcroute) len 256 cookie 0 "
			    "data 27 28 29",
			    66) == 0,
		    "newest first: %.80s", got[0].comment);
	TEST_ASSERT(strstr(got[0].comment, " 46 ...; 1: type 9") != NULL, "32 bytes, then ...");
	TEST_ASSERT(strstr(got[0].comment, "; 4: type 9") != NULL, "five tags at least");
	snprintf(want, sizeof(want), " more");
	TEST_ASSERT(strstr(got[0].comment, "; ... ") != NULL &&
			    strcmp(got[0].comment + strlen(got[0].comment) - 5, want) == 0,
		    "ends with what was left out: %s",
		    got[0].comment + strlen(got[0].comment) - 20);
	/* Five tags: all there, nothing left out. */
	TEST_ASSERT(strstr(got[1].comment, "; 4: type 9") != NULL &&
			    strstr(got[1].comment, "more") == NULL,
		    "five whole: %s", got[1].comment);
	free_pkts(pkts, 2);
	return copies_all_back();
}

/* Bad arguments: an error code, nothing lost. */
static int
test_bad_args(void)
{
	struct mtag_capture_conf conf = {0};
	struct mtag_capture_stats st;
	struct rte_mbuf *pkts[1];
	struct mtag_capture *cap;
	char p[160];

	TEST_ASSERT_NOT_NULL(pkts[0] = make_pkt(64, 0), "packet");
	TEST_RUN(add_bytes(pkts[0], MTAG_TYPE_DLT, 4, 0));

	rte_errno = 0;
	TEST_ASSERT_NULL(mtag_capture_open(NULL, NULL), "NULL path");
	TEST_ASSERT_EQ(rte_errno, EINVAL, "NULL path");
	conf.filter = (enum mtag_capture_filter)7;
	TEST_ASSERT(mtag_capture_open(path, &conf) == NULL && rte_errno == EINVAL, "filter");
	conf = (struct mtag_capture_conf){.filter = MTAG_CAPTURE_TYPE, .type = 300};
	TEST_ASSERT(mtag_capture_open(path, &conf) == NULL && rte_errno == EINVAL, "type");
	conf = (struct mtag_capture_conf){.snaplen = MTAG_CAPTURE_SNAPLEN_MAX + 1};
	TEST_ASSERT(mtag_capture_open(path, &conf) == NULL && rte_errno == EINVAL, "snaplen");
	conf = (struct mtag_capture_conf){.ring_size = 1};
	TEST_ASSERT(mtag_capture_open(path, &conf) == NULL && rte_errno == EINVAL, "ring");
	conf = (struct mtag_capture_conf){.flags = 0x10};
	TEST_ASSERT(mtag_capture_open(path, &conf) == NULL && rte_errno == EINVAL, "flags");
	snprintf(p, sizeof(p), "%s/no/such/dir.pcapng", dir);
	TEST_ASSERT(mtag_capture_open(p, NULL) == NULL && rte_errno == ENOENT, "no dir: %d",
		    rte_errno);
	TEST_ASSERT(mtag_capture_open(dir, NULL) == NULL && rte_errno == EISDIR, "a dir: %d",
		    rte_errno);
	/* The section header cannot be written. */
	if (access("/dev/full", W_OK) == 0)
		TEST_ASSERT(mtag_capture_open("/dev/full", NULL) == NULL && rte_errno == ENOSPC,
			    "/dev/full: %d", rte_errno);

	cap = mtag_capture_open(path, NULL);
	TEST_ASSERT_NOT_NULL(cap, "open");
	TEST_ASSERT_EQ(mtag_capture_burst(NULL, port_a, 0, pkts, 1, RTE_PCAPNG_DIRECTION_IN), 0,
		       "no capture");
	TEST_ASSERT_EQ(mtag_capture_burst(cap, port_a, 0, NULL, 1, RTE_PCAPNG_DIRECTION_IN),
		       -EINVAL, "NULL packets");
	TEST_ASSERT_EQ(
		mtag_capture_burst(cap, RTE_MAX_ETHPORTS, 0, pkts, 1, RTE_PCAPNG_DIRECTION_IN),
		-EINVAL, "port past the last");
	TEST_ASSERT_EQ(
		mtag_capture_burst(cap, RTE_MAX_ETHPORTS - 1, 0, pkts, 1, RTE_PCAPNG_DIRECTION_IN),
		-EINVAL, "port not in the file");
	TEST_ASSERT_EQ(mtag_capture_burst((struct mtag_capture *)(uintptr_t)&conf, port_a, 0, pkts,
					  1, RTE_PCAPNG_DIRECTION_IN),
		       -EINVAL, "not a capture");
	TEST_ASSERT_EQ(mtag_capture_burst((struct mtag_capture *)((uintptr_t)cap + 8), port_a, 0,
					  pkts, 1, RTE_PCAPNG_DIRECTION_IN),
		       -EINVAL, "inside a capture");
	TEST_ASSERT_EQ(mtag_capture_flush(NULL), -EINVAL, "flush NULL");
	TEST_ASSERT_EQ(mtag_capture_close(NULL), -EINVAL, "close NULL");
	TEST_ASSERT_EQ(mtag_capture_stats_get(NULL, &st), -EINVAL, "stats NULL");
	TEST_ASSERT_EQ(mtag_capture_stats_get(cap, NULL), -EINVAL, "stats to NULL");
	TEST_ASSERT_EQ(mtag_capture_burst(cap, port_a, 0, pkts, 1, RTE_PCAPNG_DIRECTION_IN), 1,
		       "a good burst after the bad ones");
	TEST_ASSERT_EQ(mtag_capture_close(cap), 0, "close");
	/* Closed. */
	TEST_ASSERT_EQ(mtag_capture_burst(cap, port_a, 0, pkts, 1, RTE_PCAPNG_DIRECTION_IN), -EBADF,
		       "burst closed");
	TEST_ASSERT_EQ(mtag_capture_flush(cap), -EBADF, "flush closed");
	TEST_ASSERT_EQ(mtag_capture_stats_get(cap, &st), -EBADF, "stats closed");
	TEST_ASSERT_EQ(mtag_capture_close(cap), -EBADF, "close closed");
	TEST_RUN(read_capture(path));
	TEST_ASSERT_EQ(nb_got, 1, "the good burst only");
	TEST_ASSERT(test_chain_len(pkts[0]) == 1 && test_tags_in_use() == 1, "tag kept");
	free_pkts(pkts, 1);
	return copies_all_back();
}

/* Sixteen captures at once, not seventeen; a closed handle stays closed
 * until its slot is taken again, the slot closed longest ago first. */
static int
test_slots(void)
{
	struct mtag_capture *caps[16], *first;
	unsigned int i, lo = 0, hi = 0, mid;
	char p[160];

	for (i = 0; i < 16; i++) {
		snprintf(p, sizeof(p), "%s/slot%u.pcapng", dir, i);
		caps[i] = mtag_capture_open(p, NULL);
		TEST_ASSERT_NOT_NULL(caps[i], "capture %u: %s", i, rte_strerror(rte_errno));
	}
	rte_errno = 0;
	TEST_ASSERT(mtag_capture_open(path, NULL) == NULL && rte_errno == ENOSPC, "seventeenth");
	/* Close three, none of them the first or the last slot closed: the
	 * one closed first is taken first. */
	for (i = 0; i < 16; i++) {
		lo = caps[i] < caps[lo] ? i : lo;
		hi = caps[i] > caps[hi] ? i : hi;
	}
	mid = lo != 0 && hi != 0 ? 0 : lo != 1 && hi != 1 ? 1 : 2;
	first = caps[mid];
	TEST_ASSERT_EQ(mtag_capture_close(caps[mid]), 0, "close one");
	TEST_ASSERT_EQ(mtag_capture_close(caps[lo]), 0, "close the lowest");
	TEST_ASSERT_EQ(mtag_capture_close(caps[hi]), 0, "close the highest");
	caps[mid] = mtag_capture_open(path, NULL);
	TEST_ASSERT(caps[mid] == first, "the slot closed longest ago goes first");
	TEST_ASSERT_EQ(mtag_capture_flush(caps[lo]), -EBADF, "the others are still closed");
	TEST_ASSERT_EQ(mtag_capture_flush(caps[hi]), -EBADF, "the others are still closed");
	for (i = 0; i < 16; i++)
		if (i != lo && i != hi)
			TEST_ASSERT_EQ(mtag_capture_close(caps[i]), 0, "close %u", i);
	return copies_all_back();
}

/* A write that fails (the file size limit, as a full disk would): the
 * error comes back from flush and close, what could not be written is
 * counted as lost, nothing is leaked. */
static int
test_write_fails(void)
{
	struct rlimit old, lim;
	struct stat sb, sb2;
	struct mtag_capture_stats st;
	struct rte_mbuf *pkts[8];
	struct mtag_capture *cap;
	int ret = 0, rounds;
	unsigned int i;

	for (i = 0; i < 8; i++) {
		TEST_ASSERT_NOT_NULL(pkts[i] = make_pkt(1000, (uint8_t)i), "packet");
		TEST_RUN(add_vlan(pkts[i], MTAG_TYPE_VLAN, 0x8100, (uint16_t)i));
	}
	cap = mtag_capture_open(path, NULL);
	TEST_ASSERT_NOT_NULL(cap, "open");
	TEST_ASSERT(getrlimit(RLIMIT_FSIZE, &old) == 0, "getrlimit");
	lim = old;
	lim.rlim_cur = 16384;
	signal(SIGXFSZ, SIG_IGN);
	TEST_ASSERT(setrlimit(RLIMIT_FSIZE, &lim) == 0, "setrlimit");
	for (rounds = 0; rounds < 10 && ret >= 0; rounds++) {
		mtag_capture_burst(cap, port_a, 0, pkts, 8, RTE_PCAPNG_DIRECTION_IN);
		ret = mtag_capture_flush(cap);
	}
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, SIG_DFL);
	TEST_ASSERT_EQ(ret, -EFBIG, "flush fails");
	TEST_ASSERT(stat(path, &sb) == 0, "stat");
	/* The disk has room again: nothing more is written all the same. */
	TEST_ASSERT_EQ(mtag_capture_burst(cap, port_a, 0, pkts, 8, RTE_PCAPNG_DIRECTION_IN), 8,
		       "the lcores still copy");
	TEST_ASSERT_EQ(mtag_capture_flush(cap), -EFBIG, "and it keeps failing");
	TEST_ASSERT_EQ(mtag_capture_burst(cap, port_a, 0, pkts, 8, RTE_PCAPNG_DIRECTION_IN), 8,
		       "the lcores still copy");
	TEST_ASSERT_EQ(mtag_capture_stats_get(cap, &st), 0, "stats");
	TEST_ASSERT_EQ(mtag_capture_close(cap), -EFBIG, "close reports it");
	TEST_ASSERT(stat(path, &sb2) == 0 && sb2.st_size == sb.st_size,
		    "file grew after the error");
	TEST_ASSERT(sb.st_size <= 16384, "file of %lld bytes", (long long)sb.st_size);
	TEST_ASSERT(st.lost >= 16 && st.written + st.lost + 8 == st.captured,
		    "written %" PRIu64 " lost %" PRIu64 " captured %" PRIu64, st.written, st.lost,
		    st.captured);
	TEST_ASSERT_EQ(test_tags_in_use(), 8, "tags untouched");
	free_pkts(pkts, 8);
	return copies_all_back();
}

/* CPUs of the capture's writing thread (named "mtag-cap<slot>"); 0 when
 * none was found. */
static int
writer_cpus(cpu_set_t *set)
{
	DIR *d = opendir("/proc/self/task");
	char f[300], comm[32];
	struct dirent *e;
	int found = 0;
	FILE *c;

	while (d != NULL && !found && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(f, sizeof(f), "/proc/self/task/%s/comm", e->d_name);
		c = fopen(f, "r");
		if (c == NULL)
			continue;
		if (fgets(comm, sizeof(comm), c) != NULL && strncmp(comm, "mtag-cap", 8) == 0)
			found = sched_getaffinity(atoi(e->d_name), sizeof(*set), set) == 0;
		fclose(c);
	}
	if (d != NULL)
		closedir(d);
	return found;
}

/* A capture with its own thread writes without being asked. */
static int
test_thread(void)
{
	struct mtag_capture_conf conf = {.flags = MTAG_CAPTURE_THREAD, .ring_size = 64};
	struct mtag_capture_stats st = {0};
	struct rte_mbuf *pkts[16];
	cpu_set_t cpus, main_cpus;
	struct mtag_capture *cap;
	uint64_t deadline, sent = 0;
	unsigned int i, r;
	int named;

	for (i = 0; i < 16; i++) {
		TEST_ASSERT_NOT_NULL(pkts[i] = make_pkt(128, (uint8_t)i), "packet");
		TEST_RUN(add_ipsec(pkts[i], MTAG_TYPE_IPSEC_OUT_DONE, i, 0));
	}
	cap = mtag_capture_open(path, &conf);
	TEST_ASSERT_NOT_NULL(cap, "open");
	/* Not on the calling lcore's CPU alone, behind its busy loop (asserted
	 * once the capture is closed). */
	main_cpus = rte_lcore_cpuset(rte_lcore_id());
	for (r = 0; r < 1000 && !(named = writer_cpus(&cpus)); r++)
		rte_delay_us_sleep(1000); /* it names itself when it runs */
	for (r = 0; r < 6; r++) {
		sent += (uint64_t)mtag_capture_burst(cap, port_b, 0, pkts, 16,
						     RTE_PCAPNG_DIRECTION_OUT);
		rte_delay_us_sleep(2000);
	}
	deadline = rte_get_timer_cycles() + 5 * rte_get_timer_hz();
	do {
		TEST_ASSERT_EQ(mtag_capture_stats_get(cap, &st), 0, "stats");
		if (st.written == st.captured)
			break;
		rte_delay_us_sleep(1000);
	} while (rte_get_timer_cycles() < deadline);
	/* A ring of 64 emptied every millisecond or so: most bursts fit. */
	TEST_ASSERT(st.captured == sent && st.written == sent && sent > 64,
		    "written %" PRIu64 " of %" PRIu64, st.written, sent);
	TEST_ASSERT_EQ(mtag_capture_close(cap), 0, "close");
	TEST_ASSERT(named, "the writing thread, by name");
	TEST_ASSERT(sysconf(_SC_NPROCESSORS_ONLN) == 1 || !CPU_EQUAL(&cpus, &main_cpus),
		    "writer on the main lcore's CPUs only");
	TEST_RUN(read_capture(path));
	TEST_ASSERT_EQ(nb_got, sent, "blocks");
	TEST_ASSERT(strstr(got[nb_got - 1].comment, "(ipsec_out_done)") != NULL, "comment");
	free_pkts(pkts, 16);
	return copies_all_back();
}

/* Read a classic pcap file (what tshark converted the capture to) into
 * got[]: lengths and bytes only. */
static int
read_pcap(const char *file)
{
	uint8_t hdr[24], rec[16];
	struct cap_pkt *p;
	FILE *f;

	nb_got = 0;
	f = fopen(file, "rb");
	TEST_ASSERT_NOT_NULL(f, "open %s", file);
	TEST_ASSERT(fread(hdr, 1, sizeof(hdr), f) == sizeof(hdr), "pcap header");
	while (fread(rec, 1, sizeof(rec), f) == sizeof(rec) && nb_got < CAP_PKTS_MAX) {
		p = &got[nb_got++];
		p->cap_len = rd32(rec + 8);
		p->orig_len = rd32(rec + 12);
		if (p->cap_len > CAP_DATA_MAX || fread(p->data, 1, p->cap_len, f) != p->cap_len)
			break;
	}
	fclose(f);
	return TEST_SUCCESS;
}

/* tshark, an independent reader, opens the file: each packet's comment
 * names exactly the tags put on it, its bytes are those captured, the
 * snap length is kept. */
static int
test_tshark(void)
{
	struct mtag_capture_conf conf = {.snaplen = 200};
	char cmd[512], line[MTAG_CAPTURE_COMMENT_MAX + 128], want[512], pcap[160];
	struct rte_mbuf *pkts[4];
	struct mtag_capture *cap;
	unsigned int i, n = 0;
	FILE *f;
	int user;

	if (system("tshark --version >/dev/null 2>&1") != 0)
		TEST_SKIP("no tshark (devtools/packages/base.txt)");
	user = test_type_new("cap_tshark");
	TEST_ASSERT(user > 0, "type");
	for (i = 0; i < 4; i++)
		TEST_ASSERT_NOT_NULL(pkts[i] = make_pkt(i == 3 ? 700 : 64 + i, (uint8_t)(i * 50)),
				     "packet");
	TEST_RUN(add_vlan(pkts[0], MTAG_TYPE_VLAN, 0x8100, 100));
	TEST_RUN(add_vlan(pkts[0], MTAG_TYPE_VLAN_INSERT, 0x8100, 200));
	TEST_RUN(add_ipsec(pkts[1], MTAG_TYPE_IPSEC_IN_DONE, 7, 0x1001));
	TEST_RUN(add_ipsec(pkts[1], MTAG_TYPE_IPSEC_OUT_DONE, 9, 0x2002));
	TEST_RUN(add_bytes(pkts[3], (uint16_t)user, 2, 0xf0));
	cap = mtag_capture_open(path, &conf);
	TEST_ASSERT_NOT_NULL(cap, "open");
	TEST_ASSERT_EQ(mtag_capture_burst(cap, port_b, 1, pkts, 4, RTE_PCAPNG_DIRECTION_IN), 4,
		       "burst");
	TEST_ASSERT_EQ(mtag_capture_close(cap), 0, "close");

	snprintf(cmd, sizeof(cmd),
		 "tshark -r %s -T fields -E separator=/t -e frame.interface_name -e frame.len "
		 "-e frame.cap_len -e frame.comment 2>/dev/null",
		 path);
	f = popen(cmd, "r");
	TEST_ASSERT_NOT_NULL(f, "tshark");
	while (fgets(line, sizeof(line), f) != NULL && n < 4) {
		line[strcspn(line, "\n")] = '\0';
		switch (n) {
		case 0:
			snprintf(
				want, sizeof(want),
				"dpdk:%u\t64\t64\tmtag: 2 tags; 0: type 12 (vlan_insert) len 4 "
				"cookie 0 tpid 0x8100 pcp 0 dei 0 vid 200; 1: type 11 (vlan) len 4 "
				"cookie 0 tpid 0x8100 pcp 0 dei 0 vid 100",
				port_b);
			break;
		case 1:
			snprintf(want, sizeof(want),
				 "dpdk:%u\t65\t65\tmtag: 2 tags; 0: type 2 (ipsec_out_done) len 8 "
				 "cookie 0 sa 9 spi 0x00002002; 1: type 1 (ipsec_in_done) len 8 "
				 "cookie 0 sa 7 spi 0x00001001",
				 port_b);
			break;
		case 2:
			snprintf(want, sizeof(want), "dpdk:%u\t66\t66\tmtag: 0 tags", port_b);
			break;
		default:
			snprintf(want, sizeof(want),
				 "dpdk:%u\t700\t200\tmtag: 1 tag; 0: type %d (%s) len 2 cookie 0 "
				 "data f0 f1",
				 port_b, user, mtag_type_name((uint16_t)user));
		}
		if (strcmp(line, want) != 0)
			break;
		n++;
	}
	pclose(f);
	TEST_ASSERT_EQ(n, 4, "tshark's line %u:\n      %s\n    expected\n      %s", n, line, want);

	/* The bytes, as tshark reads them. */
	snprintf(pcap, sizeof(pcap), "%s/cap.pcap", dir);
	snprintf(cmd, sizeof(cmd), "tshark -r %s -F pcap -w %s 2>/dev/null", path, pcap);
	TEST_ASSERT_EQ(system(cmd), 0, "%s", cmd);
	TEST_RUN(read_pcap(pcap));
	TEST_ASSERT_EQ(nb_got, 4, "packets in tshark's copy");
	for (i = 0; i < 4; i++)
		TEST_RUN(pkt_bytes_match(pkts[i], &got[i], conf.snaplen));
	free_pkts(pkts, 4);
	return copies_all_back();
}

static const struct test_case capture_cases[] = {
	{"words", test_words},
	{"filters", test_filters},
	{"snaplen", test_snaplen},
	{"limit", test_limit},
	{"ring_full", test_ring_full},
	{"long_chain", test_long_chain},
	{"bad_args", test_bad_args},
	{"slots", test_slots},
	{"write_fails", test_write_fails},
	{"thread", test_thread},
	{"tshark", test_tshark},
	{NULL, NULL},
};

static struct test_suite capture_suite = {
	.name = "capture",
	.setup = cap_setup,
	.teardown = cap_teardown,
	.cases = capture_cases,
};

REGISTER_UNIT_TEST(capture_suite);
