/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/*
 * VLAN headers on the wire: parsed from untrusted frames (the fuzzer calls
 * vt_vlan_parse() directly), so every read is checked against the length.
 */

#include <errno.h>

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

/*
 * The headers of a frame from offset 12, appended to @p st. With
 * @p unknown_first the first one was written by the PMD (always 0x8100): its
 * TPID says nothing and is settled by the caller.
 */
static enum vt_frame_status
parse_hdrs(const uint8_t *frame, uint32_t len, uint16_t stpid, struct vt_vlan_stack *st,
	   int unknown_first)
{
	uint32_t off = MACS_LEN;
	int seen_ctag = 0;
	unsigned int i;

	for (i = 0; i < st->depth; i++)
		if (st->hdr[i].tpid == VT_TPID_CTAG)
			seen_ctag = 1;
	for (;;) {
		uint16_t et;

		if (len < off + 2)
			return VT_FRAME_RUNT;
		et = read_be16(frame + off);
		if (!vt_tpid_is_vlan(et))
			break;
		if (unknown_first) {
			/* Taken as a service tag until something follows it or not. */
			et = stpid;
			unknown_first = 0;
		} else if (et != VT_TPID_CTAG && et != stpid) {
			return VT_FRAME_BAD_TPID;
		}
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
vt_vlan_parse(const uint8_t *frame, uint32_t len, uint16_t stpid, struct vt_vlan_stack *st)
{
	return parse_hdrs(frame, len, stpid, st, 0);
}

enum vt_frame_status
vt_vlan_rx_slow(struct rte_mbuf *m, uint16_t stpid, unsigned int flags, struct vt_vlan_stack *st)
{
	const int blind = (flags & VT_RX_TPID_BLIND) != 0;
	enum vt_frame_status ret;
	int unknown_first = 0;
	unsigned int in_frame;

	st->depth = 0;
	st->hw = 0;
	st->prio = 0;
	if (m->ol_flags & RTE_MBUF_F_RX_QINQ_STRIPPED) {
		st->hdr[0].tpid = stpid;
		st->hdr[0].tci = m->vlan_tci_outer;
		st->hdr[1].tpid = VT_TPID_CTAG;
		st->hdr[1].tci = m->vlan_tci;
		st->depth = st->hw = 2;
	} else if (m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) {
		/* A blind port's header is settled below, as the PMD's own would be. */
		st->hdr[0].tpid = blind ? stpid : VT_TPID_CTAG;
		st->hdr[0].tci = m->vlan_tci;
		st->depth = st->hw = 1;
	} else if (blind && (m->ol_flags & RTE_MBUF_F_RX_VLAN)) {
		/* The PMD put the header back, as 0x8100 whatever it was. */
		unknown_first = 1;
	}
	ret = parse_hdrs(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m), stpid, st,
			 unknown_first);
	if (ret != VT_FRAME_OK)
		return ret;
	/* An outer header of unknown TPID alone is a customer tag. */
	if (blind && st->hw <= 1 && st->depth == 1 && (st->hw == 1 || unknown_first))
		st->hdr[0].tpid = VT_TPID_CTAG;
	in_frame = st->depth - st->hw;
	/* 802.1Q priority tag: no VLAN, only a PCP and DEI. */
	if (st->hdr[st->depth - 1].tpid == VT_TPID_CTAG &&
	    VT_TCI_VID(st->hdr[st->depth - 1].tci) == 0) {
		if (st->depth == 1)
			return VT_FRAME_UNTAGGED;
		st->prio = 1;
		st->prio_hdr = st->hdr[--st->depth];
	}
	if (in_frame > 0 && vt_vlan_strip(m, in_frame) != 0)
		return VT_FRAME_RUNT;
	m->ol_flags &= ~VT_RX_VLAN_FLAGS;
	return VT_FRAME_OK;
}

enum vt_frame_status
vt_vlan_access_rx_slow(struct rte_mbuf *m, unsigned int flags, struct vt_vlan_stack *st)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m);
	unsigned int in_frame = 0;
	uint16_t et;

	st->depth = 0;
	st->hw = 0;
	st->prio = 0;
	if (len < RTE_ETHER_HDR_LEN)
		return VT_FRAME_RUNT;
	et = read_be16(p + MACS_LEN);
	if (m->ol_flags & RTE_MBUF_F_RX_QINQ_STRIPPED)
		return VT_FRAME_TAGGED;
	if (m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) {
		st->prio_hdr.tpid = VT_TPID_CTAG;
		st->prio_hdr.tci = m->vlan_tci;
		st->hw = 1;
	} else if (vt_tpid_is_vlan(et)) {
		/* A header a blind PMD put back was 0x8100 or 0x88a8: either may be VID 0. */
		if (et != VT_TPID_CTAG &&
		    !((flags & VT_RX_TPID_BLIND) && (m->ol_flags & RTE_MBUF_F_RX_VLAN)))
			return VT_FRAME_TAGGED;
		if (len < RTE_ETHER_HDR_LEN + VLAN_LEN)
			return VT_FRAME_RUNT;
		st->prio_hdr.tpid = VT_TPID_CTAG;
		st->prio_hdr.tci = read_be16(p + MACS_LEN + 2);
		et = read_be16(p + MACS_LEN + VLAN_LEN);
		in_frame = 1;
	} else {
		return VT_FRAME_OK;
	}
	if (VT_TCI_VID(st->prio_hdr.tci) != 0 || vt_tpid_is_vlan(et))
		return VT_FRAME_TAGGED;
	st->prio = 1;
	if (in_frame > 0 && vt_vlan_strip(m, in_frame) != 0)
		return VT_FRAME_RUNT;
	m->ol_flags &= ~VT_RX_VLAN_FLAGS;
	return VT_FRAME_OK;
}

int
vt_vlan_strip(struct rte_mbuf *m, unsigned int n)
{
	uint8_t *p;

	if (rte_pktmbuf_data_len(m) < MACS_LEN + n * VLAN_LEN)
		return -EINVAL;
	p = rte_pktmbuf_mtod(m, uint8_t *);
	vt_move_macs(p + n * VLAN_LEN, p);
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
	vt_move_macs(p, p + n * VLAN_LEN);
	for (i = 0; i < n; i++) {
		write_be16(p + MACS_LEN + i * VLAN_LEN, hdr[i].tpid);
		write_be16(p + MACS_LEN + i * VLAN_LEN + 2, hdr[i].tci);
	}
	return 0;
}
