/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/*
 * Unit tests of dpdk-vlan-tag's parsers: the configuration (good files,
 * every error and its line), VLAN stack parsing, stripping (by the port,
 * through the mbuf metadata, and in software) and insertion.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_mbuf.h>

#include <mtag.h>

#include "conf.h"
#include "vlan.h"

static int failures;
static int checks;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		checks++;                                                                          \
		if (!(cond)) {                                                                     \
			failures++;                                                                \
			printf("FAIL %s:%d: ", __func__, __LINE__);                                \
			printf(__VA_ARGS__);                                                       \
			printf("\n");                                                              \
		}                                                                                  \
	} while (0)

static int
parse(const char *text, struct vt_conf *c, char *err, size_t errlen)
{
	return vt_conf_parse(text, strlen(text), c, err, errlen);
}

static void
test_conf_good(void)
{
	const char *text = "# comment\n"
			   "\n"
			   "  trunk 3 stpid 0x9100   # trailing comment\r\n"
			   "access 0 vlan 100\n"
			   "access\t1 vlan 200 svlan 10 pcp 5 dei 1\n"
			   "access 2 pcp 7 vlan 10/20/30\n"
			   "access 4 vlan 4094"; /* no final newline */
	struct vt_conf c;
	char err[128], s[64];
	int ret;

	ret = parse(text, &c, err, sizeof(err));
	CHECK(ret == 0, "parse: %d %s", ret, err);
	CHECK(c.trunk_port == 3 && c.stpid == 0x9100, "trunk %d stpid %x", c.trunk_port, c.stpid);
	CHECK(c.nb_access == 4, "nb_access %u", c.nb_access);
	CHECK(c.access[0].port == 0 && c.access[0].depth == 1 && c.access[0].vid[0] == 100 &&
		      c.access[0].line == 4,
	      "access 0");
	CHECK(c.access[1].depth == 2 && c.access[1].vid[0] == 10 && c.access[1].vid[1] == 200 &&
		      c.access[1].pcp == 5 && c.access[1].dei == 1,
	      "svlan goes outside");
	CHECK(strcmp(vt_conf_stack_str(&c.access[2], s, sizeof(s)), "10/20/30") == 0 &&
		      c.access[2].pcp == 7,
	      "stack %s", s);
	CHECK(vt_conf_access_of(&c, 4) == &c.access[3] && vt_conf_access_of(&c, 3) == NULL,
	      "access_of");

	/* The length bounds the text: what follows is not read. */
	ret = vt_conf_parse("trunk 0\naccess 1 vlan 5\nbogus", 24, &c, err, sizeof(err));
	CHECK(ret == 0 && c.nb_access == 1, "length-bounded parse: %d %s", ret, err);
	/* Default S-tag TPID. */
	ret = parse("trunk 0\naccess 1 vlan 5 svlan 6\n", &c, NULL, 0);
	CHECK(ret == 0 && c.stpid == VT_TPID_STAG, "default stpid %x", c.stpid);
}

static void
test_conf_errors(void)
{
	static const struct {
		const char *text;
		const char *err;
	} cases[] = {
		{"", "no trunk port declared"},
		{"trunk 0\n", "no access port declared"},
		{"access 1 vlan 5\n", "no trunk port declared"},
		{"trunk 0\nfoo 1\n", "line 2: unknown keyword 'foo'"},
		{"trunk\n", "line 1: missing port id"},
		{"trunk x1\n", "line 1: bad port id 'x1'"},
		{"trunk -1\n", "line 1: bad port id '-1'"},
		{"trunk 99999999999999999999\n", "line 1: bad port id"},
		{"trunk 0\ntrunk 1\n", "line 2: second trunk (the first is on line 1)"},
		{"trunk 0 stpid 0x1234\n", "line 1: bad stpid '0x1234'"},
		{"trunk 0 stpid\n", "line 1: missing value after 'stpid'"},
		{"trunk 0 speed 10\n", "line 1: unknown trunk option 'speed'"},
		{"trunk 0\naccess 0 vlan 5\n",
		 "line 2: port 0 already declared as trunk on line 1"},
		{"trunk 0\naccess 1 vlan 5\naccess 1 vlan 6\n",
		 "line 3: port 1 already declared on line 2"},
		{"trunk 0\naccess 1\n", "line 2: access port 1 has no 'vlan'"},
		{"trunk 0\naccess 1 vlan 0\n", "line 2: bad VID '0' (1-4094)"},
		{"trunk 0\naccess 1 vlan 4095\n", "line 2: bad VID '4095' (1-4094)"},
		{"trunk 0\naccess 1 vlan 10/\n", "line 2: bad VLAN stack '10/'"},
		{"trunk 0\naccess 1 vlan 10//2\n", "line 2: bad VLAN stack '10//2'"},
		{"trunk 0\naccess 1 vlan 1/2/3/4/5/6/7/8/9\n", "line 2: VLAN stack deeper than 8"},
		{"trunk 0\naccess 1 vlan 1/2/3/4/5/6/7/8 svlan 9\n", "line 2: VLAN stack deeper"},
		{"trunk 0\naccess 1 vlan 5 vlan 6\n", "line 2: 'vlan' given twice"},
		{"trunk 0\naccess 1 vlan 5 svlan 6 svlan 7\n", "line 2: 'svlan' given twice"},
		{"trunk 0\naccess 1 vlan 5 pcp 8\n", "line 2: bad pcp '8' (0-7)"},
		{"trunk 0\naccess 1 vlan 5 dei 2\n", "line 2: bad dei '2' (0 or 1)"},
		{"trunk 0\naccess 1 vlan 5 pcp\n", "line 2: missing value after 'pcp'"},
		{"trunk 0\naccess 1 vlan 5 colour red\n", "line 2: unknown access option 'colour'"},
		{"trunk 0\naccess 1 vlan 200 svlan 10\n\naccess 2 vlan 10/200\n",
		 "line 4: VLAN 10/200 already mapped to port 1 on line 2"},
		{"trunk 0\naccess 1 vlan 5 a b c d e f g h i j k l m n\n",
		 "line 2: more than 16 words"},
	};
	struct vt_conf c;
	char err[160];
	unsigned int i;

	for (i = 0; i < RTE_DIM(cases); i++) {
		int ret = parse(cases[i].text, &c, err, sizeof(err));

		CHECK(ret == -EINVAL && strncmp(err, cases[i].err, strlen(cases[i].err)) == 0,
		      "case %u: ret %d, error '%s', expected '%s'", i, ret, err, cases[i].err);
	}

	/* Bytes no text editor writes. */
	{
		static const char nul[] = "trunk 0\naccess 1 vlan\0 5\n";
		char longline[VT_LINE_MAX + 20];
		int ret;

		ret = vt_conf_parse(nul, sizeof(nul) - 1, &c, err, sizeof(err));
		CHECK(ret == -EINVAL && strcmp(err, "line 2: NUL byte in line") == 0, "NUL: %s",
		      err);
		memset(longline, ' ', sizeof(longline));
		memcpy(longline, "trunk 0\n", 8);
		ret = vt_conf_parse(longline, sizeof(longline), &c, err, sizeof(err));
		CHECK(ret == -EINVAL && strncmp(err, "line 2: line longer than", 24) == 0,
		      "long line: %s", err);
		/* A tiny error buffer is filled and terminated, never overrun. */
		memset(err, 'x', sizeof(err));
		ret = parse("bogus\n", &c, err, 8);
		CHECK(ret == -EINVAL && strlen(err) == 7 && err[8] == 'x', "short err: %s", err);
		ret = vt_conf_parse(NULL, 0, &c, err, sizeof(err));
		CHECK(ret == -EINVAL, "empty buffer");
	}
}

static uint8_t frame[64];

/* A frame with MACs, the given headers and IPv4 EtherType; returns its length. */
static uint32_t
build(const struct mtag_vlan *hdr, unsigned int n, uint32_t payload)
{
	uint32_t off = 12;
	unsigned int i;

	for (i = 0; i < 12; i++)
		frame[i] = (uint8_t)(0xa0 + i);
	for (i = 0; i < n; i++) {
		frame[off++] = hdr[i].tpid >> 8;
		frame[off++] = hdr[i].tpid & 0xff;
		frame[off++] = hdr[i].tci >> 8;
		frame[off++] = hdr[i].tci & 0xff;
	}
	frame[off++] = 0x08;
	frame[off++] = 0x00;
	for (i = 0; i < payload && off < sizeof(frame); i++)
		frame[off++] = (uint8_t)i;
	return off;
}

static void
test_parse(void)
{
	const struct mtag_vlan q[] = {{0x88a8, VT_TCI(5, 1, 10)}, {0x8100, VT_TCI(0, 0, 200)}};
	struct vt_vlan_stack st;
	uint32_t len;

	memset(&st, 0, sizeof(st));
	len = build(q, 2, 10);
	CHECK(vt_vlan_parse(frame, len, 0x88a8, &st) == VT_FRAME_OK && st.depth == 2 &&
		      st.hdr[0].tpid == 0x88a8 && st.hdr[0].tci == VT_TCI(5, 1, 10) &&
		      st.hdr[1].tci == 200,
	      "QinQ");
	memset(&st, 0, sizeof(st));
	CHECK(vt_vlan_parse(frame, len, 0x9100, &st) == VT_FRAME_BAD_TPID, "S-TPID not accepted");
	/* Every truncation of a tagged frame's headers is a runt, never a read past the end. */
	for (uint32_t l = 0; l < 12 + 2 * 4 + 2; l++) {
		memset(&st, 0, sizeof(st));
		CHECK(vt_vlan_parse(frame, l, 0x88a8, &st) == VT_FRAME_RUNT, "cut at %u", l);
	}
	memset(&st, 0, sizeof(st));
	len = build(NULL, 0, 10);
	CHECK(vt_vlan_parse(frame, len, 0x88a8, &st) == VT_FRAME_UNTAGGED, "untagged");
	{
		const struct mtag_vlan bad[] = {{0x8100, 100}, {0x88a8, 5}};
		struct mtag_vlan deep[VT_VLAN_MAX + 1];
		unsigned int i;

		memset(&st, 0, sizeof(st));
		len = build(bad, 2, 0);
		CHECK(vt_vlan_parse(frame, len, 0x88a8, &st) == VT_FRAME_BAD_TPID, "S inside C");
		for (i = 0; i < RTE_DIM(deep); i++)
			deep[i] = (struct mtag_vlan){0x88a8, (uint16_t)(i + 1)};
		memset(&st, 0, sizeof(st));
		len = build(deep, RTE_DIM(deep), 0);
		CHECK(vt_vlan_parse(frame, len, 0x88a8, &st) == VT_FRAME_TOO_DEEP, "too deep");
		memset(&st, 0, sizeof(st));
		len = build(deep, VT_VLAN_MAX, 0);
		CHECK(vt_vlan_parse(frame, len, 0x88a8, &st) == VT_FRAME_OK &&
			      st.depth == VT_VLAN_MAX,
		      "VT_VLAN_MAX deep");
	}
}

static struct rte_mbuf *
mbuf_of(struct rte_mempool *mp, uint32_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);

	if (m != NULL)
		memcpy(rte_pktmbuf_append(m, len), frame, len);
	return m;
}

static void
test_mbuf(struct rte_mempool *mp)
{
	const struct mtag_vlan q[] = {{0x88a8, VT_TCI(5, 1, 10)}, {0x8100, VT_TCI(3, 0, 200)}};
	const struct mtag_vlan inner[] = {{0x8100, VT_TCI(3, 0, 200)}};
	struct vt_vlan_stack st;
	uint8_t plain[64];
	uint32_t len, plain_len;
	struct rte_mbuf *m, *c;

	plain_len = build(NULL, 0, 20);
	memcpy(plain, frame, plain_len);

	/* Software: insert two headers, take them off again. */
	m = mbuf_of(mp, plain_len);
	CHECK(vt_vlan_insert(m, q, 2) == 0, "insert");
	len = build(q, 2, 20);
	CHECK(rte_pktmbuf_data_len(m) == len &&
		      memcmp(rte_pktmbuf_mtod(m, void *), frame, len) == 0,
	      "inserted frame");
	CHECK(vt_vlan_rx(m, 0x88a8, &st) == VT_FRAME_OK && st.depth == 2 && st.hw == 0 &&
		      st.hdr[0].tci == q[0].tci && st.hdr[1].tci == q[1].tci,
	      "software strip");
	CHECK(rte_pktmbuf_data_len(m) == plain_len &&
		      memcmp(rte_pktmbuf_mtod(m, void *), plain, plain_len) == 0,
	      "stripped frame is the original");

	/* A shared buffer is not written to. */
	c = rte_pktmbuf_clone(m, mp);
	CHECK(vt_vlan_insert(m, q, 2) == -EINVAL, "insert into shared mbuf");
	rte_pktmbuf_free(c);
	/* No headroom. */
	rte_pktmbuf_prepend(m, rte_pktmbuf_headroom(m));
	CHECK(vt_vlan_insert(m, q, 1) == -ENOSPC, "insert without headroom");
	rte_pktmbuf_free(m);

	/* The port stripped the outer header (AF_PACKET, NICs): its TPID is the S-TPID. */
	len = build(inner, 1, 20);
	m = mbuf_of(mp, len);
	m->ol_flags |= RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED;
	m->vlan_tci = q[0].tci;
	CHECK(vt_vlan_rx(m, 0x88a8, &st) == VT_FRAME_OK && st.depth == 2 && st.hw == 1 &&
		      st.hdr[0].tpid == 0x88a8 && st.hdr[0].tci == q[0].tci &&
		      st.hdr[1].tpid == 0x8100 && st.hdr[1].tci == q[1].tci,
	      "hardware outer strip");
	CHECK(!(m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) &&
		      rte_pktmbuf_data_len(m) == plain_len &&
		      memcmp(rte_pktmbuf_mtod(m, void *), plain, plain_len) == 0,
	      "flags cleared, frame untagged");
	rte_pktmbuf_free(m);

	/* A single stripped header with nothing after it is a C-tag. */
	m = mbuf_of(mp, plain_len);
	memcpy(rte_pktmbuf_mtod(m, void *), plain, plain_len);
	m->ol_flags |= RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED;
	m->vlan_tci = 77;
	CHECK(vt_vlan_rx(m, 0x88a8, &st) == VT_FRAME_OK && st.depth == 1 &&
		      st.hdr[0].tpid == 0x8100 && st.hdr[0].tci == 77,
	      "hardware single strip");
	rte_pktmbuf_free(m);

	/* QinQ stripped by the port; an S-tag left in the frame is then inside a C-tag. */
	m = mbuf_of(mp, plain_len);
	memcpy(rte_pktmbuf_mtod(m, void *), plain, plain_len);
	m->ol_flags |= RTE_MBUF_F_RX_VLAN_STRIPPED | RTE_MBUF_F_RX_QINQ_STRIPPED;
	m->vlan_tci_outer = q[0].tci;
	m->vlan_tci = q[1].tci;
	CHECK(vt_vlan_rx(m, 0x88a8, &st) == VT_FRAME_OK && st.depth == 2 && st.hw == 2 &&
		      st.hdr[0].tci == q[0].tci && st.hdr[1].tci == q[1].tci,
	      "hardware QinQ strip");
	rte_pktmbuf_free(m);
	{
		const struct mtag_vlan s[] = {{0x88a8, 5}};

		len = build(s, 1, 20);
		m = mbuf_of(mp, len);
		m->ol_flags |= RTE_MBUF_F_RX_VLAN_STRIPPED | RTE_MBUF_F_RX_QINQ_STRIPPED;
		CHECK(vt_vlan_rx(m, 0x88a8, &st) == VT_FRAME_BAD_TPID &&
			      rte_pktmbuf_data_len(m) == len,
		      "S-tag under a stripped QinQ pair; frame unchanged");
		rte_pktmbuf_free(m);
	}
	/* Headers in the first segment only; a short first segment is a runt. */
	len = build(q, 2, 20);
	m = mbuf_of(mp, 14);
	CHECK(vt_vlan_rx(m, 0x88a8, &st) == VT_FRAME_RUNT, "headers beyond first segment");
	rte_pktmbuf_free(m);
}

int
main(int argc, char **argv)
{
	char dir[] = "/tmp/vt-unit-XXXXXX";
	char prefix[64];
	char *eal[] = {argv[0],	   "--no-huge",	  "-m",	  "256",
		       "--no-pci", "--no-shconf", prefix, "--log-level=lib.eal:error"};
	struct rte_mempool *mp;
	struct mtag_stats ts;

	RTE_SET_USED(argc);
	/* A private runtime directory: several EAL processes share this machine. */
	if (mkdtemp(dir) == NULL || setenv("RUNTIME_DIRECTORY", dir, 1) != 0)
		return 1;
	snprintf(prefix, sizeof(prefix), "--file-prefix=vtunit%d", getpid());
	if (rte_eal_init(RTE_DIM(eal), eal) < 0) {
		printf("EAL init failed\n");
		return 1;
	}
	if (mtag_lib_init(NULL) != 0)
		return 1;
	mp = rte_pktmbuf_pool_create("vt_unit", 256, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     rte_socket_id());
	if (mp == NULL)
		return 1;

	test_conf_good();
	test_conf_errors();
	test_parse();
	test_mbuf(mp);

	CHECK(rte_mempool_in_use_count(mp) == 0, "mbufs in use %u", rte_mempool_in_use_count(mp));
	CHECK(mtag_stats_get(&ts) == 0 && ts.in_use == 0, "tags in use");
	printf("vlan-tag unit: %d checks, %d failed\n", checks, failures);
	fflush(stdout);
	rte_mempool_free(mp);
	mtag_lib_fini();
	rte_eal_cleanup();
	rmdir(dir);
	return failures != 0;
}
