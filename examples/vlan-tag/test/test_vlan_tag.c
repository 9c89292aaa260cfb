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

/* Every vt_vlan_rx() result the unit tests compare. */
struct rx_result {
	enum vt_frame_status fs;
	struct vt_vlan_stack st;
	uint32_t len; /* frame length after */
};

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
	/* Port settings, before or after the port's declaration; "0" is a number. */
	ret = parse("port 1 mtu 9000\n\ntrunk 1 stpid 0x9100\naccess 0 vlan 5/6/7\nport 0 mtu 68\n",
		    &c, err, sizeof(err));
	CHECK(ret == 0 && c.trunk_line == 3 && c.stpid == 0x9100 && c.nb_port_opt == 2 &&
		      vt_conf_port_opt(&c, 1)->mtu == 9000 && vt_conf_port_opt(&c, 1)->line == 1 &&
		      vt_conf_port_opt(&c, 0)->mtu == 68 && vt_conf_port_opt(&c, 2) == NULL &&
		      vt_conf_max_depth(&c) == 3,
	      "port settings: %d %s", ret, err);
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
		/* Single-valued keywords once only. */
		{"trunk 0 stpid 0x88a8 stpid 0x9100\n", "line 1: 'stpid' given twice"},
		{"trunk 0\naccess 1 vlan 5 pcp 3 pcp 4\n", "line 2: 'pcp' given twice"},
		{"trunk 0\naccess 1 vlan 5 dei 0 dei 1\n", "line 2: 'dei' given twice"},
		/* Numbers one way: decimal without leading zeros, TPIDs 0x and 1-4 digits. */
		{"trunk 0\naccess 1 vlan 010\n", "line 2: bad VID '010' (1-4094)"},
		{"trunk 0\naccess 1 vlan 0x10\n", "line 2: bad VID '0x10' (1-4094)"},
		{"trunk 0\naccess 1 vlan +5\n", "line 2: bad VID '+5' (1-4094)"},
		{"trunk 00\n", "line 1: bad port id '00'"},
		{"trunk 0\naccess 1 vlan 5 pcp 07\n", "line 2: bad pcp '07' (0-7)"},
		{"trunk 0 stpid 34984\n", "line 1: bad stpid '34984'"},
		{"trunk 0 stpid 0x088a8\n", "line 1: bad stpid '0x088a8'"},
		{"trunk 0 stpid 0X88a8\n", "line 1: bad stpid '0X88a8'"},
		/* Port settings. */
		{"trunk 0\naccess 1 vlan 5\nport 7 mtu 1500\n",
		 "line 3: port 7 is neither the trunk nor an access port"},
		{"trunk 0\naccess 1 vlan 5\nport 1 mtu 1500 mtu 1600\n",
		 "line 3: 'mtu' given twice"},
		{"trunk 0\naccess 1 vlan 5\nport 1 mtu 67\n", "line 3: bad mtu '67' (68-65535)"},
		{"trunk 0\naccess 1 vlan 5\nport 1 mtu 01500\n", "line 3: bad mtu '01500'"},
		{"trunk 0\naccess 1 vlan 5\nport 1 mtu\n", "line 3: missing value after 'mtu'"},
		{"trunk 0\naccess 1 vlan 5\nport 1\n", "line 3: port 1: no setting (mtu)"},
		{"trunk 0\naccess 1 vlan 5\nport 1 speed 10\n",
		 "line 3: unknown port option 'speed'"},
		{"trunk 0\nport 1 mtu 1500\naccess 1 vlan 5\nport 1 mtu 1400\n",
		 "line 4: port 1 settings already given on line 2"},
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
	CHECK(vt_vlan_rx(m, 0x88a8, 0, &st) == VT_FRAME_OK && st.depth == 2 && st.hw == 0 &&
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

	/* A NIC stripped the outer header: NICs strip 0x8100 only. */
	len = build(inner, 1, 20);
	m = mbuf_of(mp, len);
	m->ol_flags |= RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED;
	m->vlan_tci = q[0].tci;
	CHECK(vt_vlan_rx(m, 0x88a8, 0, &st) == VT_FRAME_OK && st.depth == 2 && st.hw == 1 &&
		      st.hdr[0].tpid == 0x8100 && st.hdr[0].tci == q[0].tci &&
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
	CHECK(vt_vlan_rx(m, 0x88a8, 0, &st) == VT_FRAME_OK && st.depth == 1 &&
		      st.hdr[0].tpid == 0x8100 && st.hdr[0].tci == 77,
	      "hardware single strip");
	rte_pktmbuf_free(m);

	/* QinQ stripped by the port; an S-tag left in the frame is then inside a C-tag. */
	m = mbuf_of(mp, plain_len);
	memcpy(rte_pktmbuf_mtod(m, void *), plain, plain_len);
	m->ol_flags |= RTE_MBUF_F_RX_VLAN_STRIPPED | RTE_MBUF_F_RX_QINQ_STRIPPED;
	m->vlan_tci_outer = q[0].tci;
	m->vlan_tci = q[1].tci;
	CHECK(vt_vlan_rx(m, 0x88a8, 0, &st) == VT_FRAME_OK && st.depth == 2 && st.hw == 2 &&
		      st.hdr[0].tci == q[0].tci && st.hdr[1].tci == q[1].tci,
	      "hardware QinQ strip");
	rte_pktmbuf_free(m);
	{
		const struct mtag_vlan s[] = {{0x88a8, 5}};

		len = build(s, 1, 20);
		m = mbuf_of(mp, len);
		m->ol_flags |= RTE_MBUF_F_RX_VLAN_STRIPPED | RTE_MBUF_F_RX_QINQ_STRIPPED;
		CHECK(vt_vlan_rx(m, 0x88a8, 0, &st) == VT_FRAME_BAD_TPID &&
			      rte_pktmbuf_data_len(m) == len,
		      "S-tag under a stripped QinQ pair; frame unchanged");
		rte_pktmbuf_free(m);
	}
	/* Headers in the first segment only; a short first segment is a runt. */
	len = build(q, 2, 20);
	m = mbuf_of(mp, 14);
	CHECK(vt_vlan_rx(m, 0x88a8, 0, &st) == VT_FRAME_RUNT, "headers beyond first segment");
	rte_pktmbuf_free(m);
}

static struct rx_result
rx_of(struct rte_mempool *mp, const struct mtag_vlan *hdr, unsigned int n, uint64_t ol,
      uint16_t tci, unsigned int flags)
{
	struct rx_result r;
	struct rte_mbuf *m = mbuf_of(mp, build(hdr, n, 20));

	m->ol_flags |= ol;
	m->vlan_tci = tci;
	r.fs = vt_vlan_rx(m, 0x88a8, flags, &r.st);
	r.len = rte_pktmbuf_data_len(m);
	rte_pktmbuf_free(m);
	return r;
}

#define STRIPPED (RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED)

/* One verdict per frame, whoever took the outer header off. */
static void
test_one_verdict(struct rte_mempool *mp)
{
	const struct mtag_vlan c_s[] = {{0x8100, 100}, {0x88a8, 1}};
	const struct mtag_vlan s3[] = {{0x88a8, 10}, {0x88a8, 20}, {0x8100, 30}};
	/* What af_packet hands over without strip offload: the outer header as 0x8100. */
	const struct mtag_vlan s3_pmd[] = {{0x8100, 10}, {0x88a8, 20}, {0x8100, 30}};
	const struct mtag_vlan qq[] = {{0x88a8, 10}, {0x8100, 200}};
	struct rx_result sw, hw, r;

	/* [8100 100][88a8 1]: an S-tag inside a C-tag, in software and on a NIC. */
	sw = rx_of(mp, c_s, 2, 0, 0, 0);
	hw = rx_of(mp, c_s + 1, 1, STRIPPED, 100, 0);
	CHECK(sw.fs == VT_FRAME_BAD_TPID && hw.fs == VT_FRAME_BAD_TPID,
	      "C then S: software %d, hardware strip %d", sw.fs, hw.fs);
	/* 3-deep 802.1ad on af_packet: stripped, or put back as 0x8100, the same stack. */
	sw = rx_of(mp, s3, 3, 0, 0, VT_RX_TPID_BLIND);
	hw = rx_of(mp, s3 + 1, 2, STRIPPED, 10, VT_RX_TPID_BLIND);
	r = rx_of(mp, s3_pmd, 3, RTE_MBUF_F_RX_VLAN, 10, VT_RX_TPID_BLIND);
	CHECK(sw.fs == VT_FRAME_OK && hw.fs == VT_FRAME_OK && r.fs == VT_FRAME_OK &&
		      memcmp(sw.st.hdr, s3, sizeof(s3)) == 0 &&
		      memcmp(hw.st.hdr, s3, sizeof(s3)) == 0 &&
		      memcmp(r.st.hdr, s3, sizeof(s3)) == 0 && r.st.depth == 3 && r.st.hw == 0 &&
		      hw.st.hw == 1 && r.len == sw.len && hw.len == sw.len,
	      "3-deep 802.1ad: %d %d %d, depth %u %u", sw.fs, hw.fs, r.fs, hw.st.depth, r.st.depth);
	/* Without the blind flag the 0x8100 the PMD wrote is taken at its word. */
	r = rx_of(mp, s3_pmd, 3, RTE_MBUF_F_RX_VLAN, 10, 0);
	CHECK(r.fs == VT_FRAME_BAD_TPID, "exact port, C then S: %d", r.fs);
	/* QinQ on af_packet, both ways; and a single header put back stays a C-tag. */
	hw = rx_of(mp, qq + 1, 1, STRIPPED, 10, VT_RX_TPID_BLIND);
	r = rx_of(mp, (const struct mtag_vlan[]){{0x8100, 10}, {0x8100, 200}}, 2,
		  RTE_MBUF_F_RX_VLAN, 10, VT_RX_TPID_BLIND);
	CHECK(hw.fs == VT_FRAME_OK && r.fs == VT_FRAME_OK &&
		      memcmp(hw.st.hdr, qq, sizeof(qq)) == 0 &&
		      memcmp(r.st.hdr, qq, sizeof(qq)) == 0,
	      "QinQ on a blind port");
	r = rx_of(mp, (const struct mtag_vlan[]){{0x8100, 7}}, 1, RTE_MBUF_F_RX_VLAN, 7,
		  VT_RX_TPID_BLIND);
	CHECK(r.fs == VT_FRAME_OK && r.st.depth == 1 && r.st.hdr[0].tpid == 0x8100 &&
		      r.st.hdr[0].tci == 7,
	      "single header put back");
	/* Another TPID put back by a blind PMD is still checked after the first. */
	r = rx_of(mp, (const struct mtag_vlan[]){{0x8100, 7}, {0x9100, 8}}, 2, RTE_MBUF_F_RX_VLAN,
		  7, VT_RX_TPID_BLIND);
	CHECK(r.fs == VT_FRAME_BAD_TPID, "0x9100 under a put-back header: %d", r.fs);
}

/* 802.1Q priority tags: VID 0, a PCP and DEI but no VLAN. */
static void
test_priority(struct rte_mempool *mp)
{
	const struct mtag_vlan p[] = {{0x8100, VT_TCI(5, 1, 0)}};
	const struct mtag_vlan cp[] = {{0x8100, 100}, {0x8100, VT_TCI(5, 1, 0)}};
	const struct mtag_vlan sp[] = {{0x88a8, 10}, {0x88a8, VT_TCI(5, 1, 0)}};
	uint32_t plain_len = build(NULL, 0, 20);
	struct vt_vlan_stack st;
	struct rx_result r;
	struct rte_mbuf *m;

	/* Trunk: innermost priority tag. */
	r = rx_of(mp, cp, 2, 0, 0, 0);
	CHECK(r.fs == VT_FRAME_OK && r.st.depth == 1 && r.st.hdr[0].tci == 100 && r.st.prio &&
		      r.st.prio_hdr.tci == VT_TCI(5, 1, 0) && r.len == plain_len,
	      "trunk: C-VLAN 100 + priority tag: %d depth %u prio %u len %u", r.fs, r.st.depth,
	      r.st.prio, r.len);
	r = rx_of(mp, cp + 1, 1, STRIPPED, 100, 0);
	CHECK(r.fs == VT_FRAME_OK && r.st.depth == 1 && r.st.prio && r.len == plain_len,
	      "trunk: the same with the outer header stripped");
	/* Alone, it is an untagged frame; an S-tag with VID 0 is no priority tag. */
	r = rx_of(mp, p, 1, 0, 0, 0);
	CHECK(r.fs == VT_FRAME_UNTAGGED && r.len == plain_len + 4, "trunk: priority tag only");
	r = rx_of(mp, NULL, 0, STRIPPED, VT_TCI(5, 1, 0), 0);
	CHECK(r.fs == VT_FRAME_UNTAGGED, "trunk: stripped priority tag only");
	r = rx_of(mp, sp, 2, 0, 0, 0);
	CHECK(r.fs == VT_FRAME_OK && r.st.depth == 2 && !r.st.prio, "S-tag VID 0 is a VLAN stack");

	/* Access port: untagged, priority-tagged (in the frame or stripped), tagged. */
	m = mbuf_of(mp, build(NULL, 0, 20));
	CHECK(vt_vlan_access_rx(m, 0, &st) == VT_FRAME_OK && !st.prio &&
		      rte_pktmbuf_data_len(m) == plain_len,
	      "access: untagged");
	rte_pktmbuf_free(m);
	m = mbuf_of(mp, build(p, 1, 20));
	CHECK(vt_vlan_access_rx(m, 0, &st) == VT_FRAME_OK && st.prio &&
		      st.prio_hdr.tci == VT_TCI(5, 1, 0) && rte_pktmbuf_data_len(m) == plain_len,
	      "access: priority tag taken off");
	rte_pktmbuf_free(m);
	m = mbuf_of(mp, build(NULL, 0, 20));
	m->ol_flags |= STRIPPED;
	m->vlan_tci = VT_TCI(3, 0, 0);
	CHECK(vt_vlan_access_rx(m, 0, &st) == VT_FRAME_OK && st.prio &&
		      st.prio_hdr.tci == VT_TCI(3, 0, 0) && !(m->ol_flags & STRIPPED),
	      "access: priority tag stripped by the port");
	rte_pktmbuf_free(m);
	m = mbuf_of(mp, build(cp, 1, 20));
	CHECK(vt_vlan_access_rx(m, 0, &st) == VT_FRAME_TAGGED &&
		      rte_pktmbuf_data_len(m) == plain_len + 4,
	      "access: VLAN 100 is tagged, frame unchanged");
	rte_pktmbuf_free(m);
	m = mbuf_of(mp, build((const struct mtag_vlan[]){{0x8100, 0}, {0x8100, 100}}, 2, 20));
	CHECK(vt_vlan_access_rx(m, 0, &st) == VT_FRAME_TAGGED, "access: priority tag, then VLAN");
	rte_pktmbuf_free(m);
	m = mbuf_of(mp, build(sp + 1, 1, 20));
	CHECK(vt_vlan_access_rx(m, 0, &st) == VT_FRAME_TAGGED, "access: S-tag VID 0");
	rte_pktmbuf_free(m);
	m = mbuf_of(mp, build(sp + 1, 1, 20));
	m->ol_flags |= RTE_MBUF_F_RX_VLAN;
	CHECK(vt_vlan_access_rx(m, VT_RX_TPID_BLIND, &st) == VT_FRAME_OK && st.prio,
	      "access: a header a blind PMD put back, VID 0");
	rte_pktmbuf_free(m);
	build(p, 1, 20);
	m = mbuf_of(mp, 16);
	CHECK(vt_vlan_access_rx(m, 0, &st) == VT_FRAME_RUNT, "access: cut in the priority tag");
	rte_pktmbuf_free(m);
}

/* Insertion on TX is counted once: inserted by the port or software, or dropped. */
static void
test_tx(struct rte_mempool *mp)
{
	const struct mtag_vlan q[] = {{0x88a8, VT_TCI(5, 1, 10)}, {0x8100, VT_TCI(3, 0, 200)}};
	uint32_t plain_len = build(NULL, 0, 20);
	struct vt_port_stats ps;
	struct rte_mbuf *m;

	memset(&ps, 0, sizeof(ps));
	m = mbuf_of(mp, plain_len);
	rte_pktmbuf_prepend(m, rte_pktmbuf_headroom(m));
	CHECK(vt_vlan_tx(&ps, m, q, 2, VT_INSERT_SW, 0x88a8, 1500) == VT_DROP_NO_ROOM &&
		      ps.drop[VT_DROP_NO_ROOM] == 1 && ps.sw_insert == 0 && ps.hw_insert == 0,
	      "no headroom: counted once, as no_room (sw %lu)", (unsigned long)ps.sw_insert);
	rte_pktmbuf_free(m);

	memset(&ps, 0, sizeof(ps));
	m = mbuf_of(mp, plain_len);
	CHECK(vt_vlan_tx(&ps, m, q, 2, VT_INSERT_HW_VLAN, 0x88a8, 1500) == 0 && ps.sw_insert == 1 &&
		      rte_pktmbuf_data_len(m) == plain_len + 8,
	      "QinQ on a VLAN_INSERT port: software");
	CHECK(vt_vlan_tx(&ps, m, q + 1, 1, VT_INSERT_HW_VLAN, 0x88a8, 1500) == 0 &&
		      ps.hw_insert == 1 && (m->ol_flags & RTE_MBUF_F_TX_VLAN) &&
		      m->vlan_tci == q[1].tci,
	      "single C-tag through the port");
	rte_pktmbuf_free(m);

	/* MTU: the frame with its headers, less 14 bytes, may not exceed it. */
	memset(&ps, 0, sizeof(ps));
	m = mbuf_of(mp, plain_len);
	CHECK(vt_vlan_tx(&ps, m, q, 2, VT_INSERT_SW, 0x88a8, plain_len - 14 + 8) == 0 &&
		      ps.sw_insert == 1,
	      "exactly the MTU");
	rte_pktmbuf_free(m);
	m = mbuf_of(mp, plain_len);
	CHECK(vt_vlan_tx(&ps, m, q, 2, VT_INSERT_SW, 0x88a8, plain_len - 14 + 7) ==
			      VT_DROP_TOO_BIG &&
		      ps.drop[VT_DROP_TOO_BIG] == 1 && ps.sw_insert == 1 &&
		      rte_pktmbuf_data_len(m) == plain_len,
	      "one byte over the MTU: too_big, unchanged");
	CHECK(vt_vlan_tx(&ps, m, q + 1, 1, VT_INSERT_HW_VLAN, 0x88a8, plain_len - 14 + 3) ==
			      VT_DROP_TOO_BIG &&
		      ps.hw_insert == 0 && !(m->ol_flags & RTE_MBUF_F_TX_VLAN),
	      "hardware insertion counts the tag too");
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
	test_one_verdict(mp);
	test_priority(mp);
	test_tx(mp);

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
