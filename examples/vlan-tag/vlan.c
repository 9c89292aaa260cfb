/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/*
 * VLAN headers on the wire: parsed from untrusted frames (the fuzzer calls
 * vt_vlan_parse() directly), so every read is checked against the length.
 */

#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>

#include "vlan.h"

/* Destination and source MAC addresses: what stays in front of the VLAN headers. */
#define MACS_LEN (2 * RTE_ETHER_ADDR_LEN)
#define VLAN_LEN 4

static inline uint16_t
read_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void
write_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

enum vt_frame_status
vt_vlan_parse(const uint8_t *frame, uint32_t len, uint16_t stpid, struct vt_vlan_stack *st)
{
	/* A port that stripped two headers stripped an S-tag then a C-tag. */
	int seen_ctag = st->hw >= 2;
	uint32_t off = MACS_LEN;

	for (;;) {
		uint16_t et;

		if (len < off + 2)
			return VT_FRAME_RUNT;
		et = read_be16(frame + off);
		if (!vt_tpid_is_vlan(et))
			break;
		if (et != VT_TPID_CTAG && et != stpid)
			return VT_FRAME_BAD_TPID;
		/* 802.1ad: service tags go outside customer tags, never inside. */
		if (et != VT_TPID_CTAG && seen_ctag)
			return VT_FRAME_BAD_TPID;
		if (et == VT_TPID_CTAG)
			seen_ctag = 1;
		if (st->depth == VT_VLAN_MAX)
			return VT_FRAME_TOO_DEEP;
		if (len < off + VLAN_LEN + 2)
			return VT_FRAME_RUNT;
		st->hdr[st->depth].tpid = et;
		st->hdr[st->depth].tci = read_be16(frame + off + 2);
		st->depth++;
		off += VLAN_LEN;
	}
	return st->depth == 0 ? VT_FRAME_UNTAGGED : VT_FRAME_OK;
}

enum vt_frame_status
vt_vlan_rx(struct rte_mbuf *m, uint16_t stpid, struct vt_vlan_stack *st)
{
	enum vt_frame_status ret;

	st->depth = 0;
	st->hw = 0;
	if (m->ol_flags & RTE_MBUF_F_RX_QINQ_STRIPPED) {
		st->hdr[0].tpid = stpid;
		st->hdr[0].tci = m->vlan_tci_outer;
		st->hdr[1].tpid = VT_TPID_CTAG;
		st->hdr[1].tci = m->vlan_tci;
		st->depth = st->hw = 2;
	} else if (m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) {
		st->hdr[0].tpid = VT_TPID_CTAG;
		st->hdr[0].tci = m->vlan_tci;
		st->depth = st->hw = 1;
	}
	ret = vt_vlan_parse(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m), stpid,
			    st);
	if (ret != VT_FRAME_OK)
		return ret;
	if (st->hw == 1 && st->depth > 1)
		st->hdr[0].tpid = stpid;
	if (st->depth > st->hw && vt_vlan_strip(m, st->depth - st->hw) != 0)
		return VT_FRAME_RUNT;
	m->ol_flags &= ~(RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED | RTE_MBUF_F_RX_QINQ |
			 RTE_MBUF_F_RX_QINQ_STRIPPED);
	return VT_FRAME_OK;
}

int
vt_vlan_strip(struct rte_mbuf *m, unsigned int n)
{
	uint8_t *p;

	if (rte_pktmbuf_data_len(m) < MACS_LEN + n * VLAN_LEN)
		return -EINVAL;
	p = rte_pktmbuf_mtod(m, uint8_t *);
	memmove(p + n * VLAN_LEN, p, MACS_LEN);
	rte_pktmbuf_adj(m, n * VLAN_LEN);
	return 0;
}

int
vt_vlan_insert(struct rte_mbuf *m, const struct mtag_vlan *hdr, unsigned int n)
{
	unsigned int i;
	uint8_t *p;

	/* Writing into a shared buffer would change every other reference's frame. */
	if (rte_pktmbuf_data_len(m) < MACS_LEN || !RTE_MBUF_DIRECT(m) ||
	    rte_mbuf_refcnt_read(m) != 1)
		return -EINVAL;
	p = (uint8_t *)rte_pktmbuf_prepend(m, n * VLAN_LEN);
	if (p == NULL)
		return -ENOSPC;
	memmove(p, p + n * VLAN_LEN, MACS_LEN);
	for (i = 0; i < n; i++) {
		write_be16(p + MACS_LEN + i * VLAN_LEN, hdr[i].tpid);
		write_be16(p + MACS_LEN + i * VLAN_LEN + 2, hdr[i].tci);
	}
	return 0;
}
