/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

#ifndef VT_VLAN_H
#define VT_VLAN_H

/**
 * @file
 * VLAN header parsing, stripping and insertion on frames and mbufs. Nothing
 * here knows about tags: the forwarder decides where the VLANs are kept.
 */

#include <stdint.h>
#include <string.h>

#include <rte_mbuf.h>

#include <mtag.h>

#include "conf.h"
#include "stats.h"

/** VLAN headers of a frame, outermost first. */
struct vt_vlan_stack {
	uint8_t depth;			   /**< Headers in @c hdr (a priority tag excluded). */
	uint8_t hw;			   /**< Outer headers the port stripped (metadata). */
	uint8_t prio;			   /**< 1: the innermost header was a priority tag. */
	struct mtag_vlan prio_hdr;	   /**< That priority tag (VID 0): its PCP and DEI. */
	struct mtag_vlan hdr[VT_VLAN_MAX]; /**< TPID and TCI, host byte order. */
};

/**
 * vt_vlan_rx() flag: the port takes 802.1Q and 802.1ad outer headers off
 * alike and does not say which TPID it took (the kernel under af_packet);
 * when it puts the header back (no strip offload) it writes 0x8100. The
 * outer TPID is then inferred: the service TPID when more headers follow,
 * 0x8100 otherwise. Without the flag a port that strips one header is
 * taken to strip 0x8100 only, as NICs do.
 */
#define VT_RX_TPID_BLIND 1u

/** How VLAN headers reach the wire on a port, chosen at start-up. */
enum vt_insert {
	VT_INSERT_SW,	   /**< Software insertion. */
	VT_INSERT_HW_VLAN, /**< RTE_ETH_TX_OFFLOAD_VLAN_INSERT (single 802.1Q tags). */
	VT_INSERT_HW_QINQ, /**< RTE_ETH_TX_OFFLOAD_QINQ_INSERT as well (S-tag + C-tag). */
};

/** What vt_vlan_parse() and vt_vlan_rx() found; the non-OK values are drop reasons. */
enum vt_frame_status {
	VT_FRAME_OK = 0,
	VT_FRAME_UNTAGGED, /**< No VLAN header. */
	VT_FRAME_RUNT,	   /**< Frame shorter than its Ethernet and VLAN headers. */
	VT_FRAME_BAD_TPID, /**< A TPID the trunk does not accept, or an S-tag inside a C-tag. */
	VT_FRAME_TOO_DEEP, /**< More than VT_VLAN_MAX headers. */
	VT_FRAME_TAGGED,   /**< vt_vlan_access_rx(): a VLAN header other than a priority tag. */
};

/** PCP, DEI and VID of a TCI. */
#define VT_TCI(pcp, dei, vid) ((uint16_t)(((pcp) << 13) | ((dei) << 12) | ((vid)&0xfff)))
/** VID of a TCI. */
#define VT_TCI_VID(tci) ((tci)&0xfff)
/** PCP and DEI bits of a TCI. */
#define VT_TCI_PRIO(tci) ((tci)&0xf000)

/**
 * Whether an EtherType is one of the VLAN TPIDs in use (802.1Q, 802.1ad and
 * the pre-standard 0x9100/0x9200/0x9300).
 */
static inline int
vt_tpid_is_vlan(uint16_t et)
{
	return et == 0x8100 || et == 0x88a8 || et == 0x9100 || et == 0x9200 || et == 0x9300;
}

/**
 * Parse the VLAN headers of a contiguous frame, appending them to @p st
 * (which may already hold headers the port stripped).
 *
 * @param frame
 *   Frame, from the destination MAC address.
 * @param len
 *   Bytes readable at @p frame.
 * @param stpid
 *   TPID of service tags accepted besides 0x8100.
 * @param st
 *   Stack to append to; @c depth grows by the headers found in the frame.
 * @return
 *   VT_FRAME_OK, or why the frame is to be dropped. VT_FRAME_UNTAGGED only
 *   when @p st is empty and the frame has no VLAN header.
 */
enum vt_frame_status vt_vlan_parse(const uint8_t *frame, uint32_t len, uint16_t stpid,
				   struct vt_vlan_stack *st);

/**
 * Take the VLAN headers off a packet received on the trunk: those the port
 * stripped (RTE_MBUF_F_RX_VLAN_STRIPPED, RTE_MBUF_F_RX_QINQ_STRIPPED) and
 * those still in the frame. On success the frame is untagged and its RX
 * VLAN flags cleared; otherwise the packet is unchanged.
 *
 * A port that stripped one header does not say its TPID: 0x8100 (what NICs
 * strip), or with VT_RX_TPID_BLIND inferred as described there. An
 * innermost 0x8100 header with VID 0 is a priority tag (IEEE 802.1Q): it
 * is taken off and returned in @c prio_hdr, not counted in @c depth; a frame
 * with nothing else is VT_FRAME_UNTAGGED.
 *
 * @param m
 *   Packet; the headers must lie in its first segment.
 * @param stpid
 *   TPID of service tags.
 * @param flags
 *   0 or VT_RX_TPID_BLIND.
 * @param st
 *   Receives the headers, outermost first.
 * @return
 *   As vt_vlan_parse().
 */
static __rte_always_inline enum vt_frame_status
vt_vlan_rx(struct rte_mbuf *m, uint16_t stpid, unsigned int flags, struct vt_vlan_stack *st);

/** vt_vlan_rx() for any frame but one with a single 802.1Q header in it. */
enum vt_frame_status vt_vlan_rx_slow(struct rte_mbuf *m, uint16_t stpid, unsigned int flags,
				     struct vt_vlan_stack *st);

/** The RX VLAN flags of an mbuf. */
#define VT_RX_VLAN_FLAGS                                                                           \
	(RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED | RTE_MBUF_F_RX_QINQ |                   \
	 RTE_MBUF_F_RX_QINQ_STRIPPED)

/*
 * Write a header in one 4-byte store: records copy headers whole, and a
 * load of two narrower stores is not forwarded from them (a stall).
 */
static __rte_always_inline void
vt_vlan_hdr_set(struct mtag_vlan *h, uint16_t tpid, uint16_t tci)
{
	uint32_t w = RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN ? (uint32_t)tci << 16 | tpid
							 : (uint32_t)tpid << 16 | tci;

	RTE_BUILD_BUG_ON(sizeof(*h) != sizeof(w));
	memcpy(h, &w, sizeof(w));
}

/*
 * Move the 12 bytes of MAC addresses at @p from to @p to, which may overlap
 * them (stripping or inserting headers): both loads first, so a fixed size
 * without a call to memmove().
 */
static __rte_always_inline void
vt_move_macs(uint8_t *to, const uint8_t *from)
{
	uint64_t a;
	uint32_t b;

	memcpy(&a, from, sizeof(a));
	memcpy(&b, from + sizeof(a), sizeof(b));
	memcpy(to, &a, sizeof(a));
	memcpy(to + sizeof(a), &b, sizeof(b));
}

static __rte_always_inline enum vt_frame_status
vt_vlan_rx(struct rte_mbuf *m, uint16_t stpid, unsigned int flags, struct vt_vlan_stack *st)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	uint16_t tci;

	/* The common frame, one 802.1Q header with a VID and nothing stripped, inline. */
	if (likely(!(m->ol_flags & VT_RX_VLAN_FLAGS) && rte_pktmbuf_data_len(m) >= 18 &&
		   p[12] == 0x81 && p[13] == 0 &&
		   !vt_tpid_is_vlan((uint16_t)(p[16] << 8 | p[17])))) {
		tci = (uint16_t)(p[14] << 8 | p[15]);
		if (likely(VT_TCI_VID(tci) != 0)) {
			st->depth = 1;
			st->hw = 0;
			st->prio = 0;
			vt_vlan_hdr_set(&st->hdr[0], VT_TPID_CTAG, tci);
			vt_move_macs(p + 4, p);
			rte_pktmbuf_adj(m, 4);
			return VT_FRAME_OK;
		}
	}
	return vt_vlan_rx_slow(m, stpid, flags, st);
}

/** vt_vlan_access_rx() for any frame but a plainly untagged one. */
enum vt_frame_status vt_vlan_access_rx_slow(struct rte_mbuf *m, unsigned int flags,
					    struct vt_vlan_stack *st);

/**
 * Check a packet received on an access port: untagged, or priority-tagged
 * (one 0x8100 header with VID 0, in the frame or stripped by the port),
 * which is taken off and returned in @c prio_hdr. On success the frame is
 * untagged and its RX VLAN flags cleared; otherwise it is unchanged.
 *
 * @param m
 *   Packet.
 * @param flags
 *   0 or VT_RX_TPID_BLIND (a header the PMD put back may be any TPID).
 * @param st
 *   Receives @c prio and @c prio_hdr; @c depth is 0.
 * @return
 *   VT_FRAME_OK; VT_FRAME_RUNT for a frame shorter than its headers;
 *   VT_FRAME_TAGGED for any other VLAN header.
 */
static __rte_always_inline enum vt_frame_status
vt_vlan_access_rx(struct rte_mbuf *m, unsigned int flags, struct vt_vlan_stack *st)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);

	if (likely(!(m->ol_flags & VT_RX_VLAN_FLAGS) && rte_pktmbuf_data_len(m) >= 14 &&
		   !vt_tpid_is_vlan((uint16_t)(p[12] << 8 | p[13])))) {
		st->depth = 0;
		st->hw = 0;
		st->prio = 0;
		return VT_FRAME_OK;
	}
	return vt_vlan_access_rx_slow(m, flags, st);
}

/**
 * Remove @p n VLAN headers that follow the MAC addresses of a frame.
 *
 * @return
 *   0; -EINVAL when the first segment is too short.
 */
int vt_vlan_strip(struct rte_mbuf *m, unsigned int n);

/**
 * Insert VLAN headers after the MAC addresses, @p hdr[0] outermost.
 *
 * @param m
 *   Packet: a direct, unshared mbuf with 4 * @p n bytes of headroom.
 * @param hdr
 *   Headers, host byte order.
 * @param n
 *   Number of headers.
 * @return
 *   0; -EINVAL for a frame shorter than 12 bytes or a shared mbuf; -ENOSPC
 *   without headroom.
 */
int vt_vlan_insert(struct rte_mbuf *m, const struct mtag_vlan *hdr, unsigned int n);

/**
 * Put VLAN headers on a packet about to leave by a port: through the port
 * (@p ins) when it can take them, in software otherwise, and count it once
 * in @p ps: @c hw_insert, @c sw_insert, or as the drop reason.
 *
 * @param ps
 *   Counters of the TX port.
 * @param m
 *   Packet.
 * @param hdr
 *   Headers, outermost first.
 * @param n
 *   Number of headers, 1 or more.
 * @param ins
 *   What the port can insert.
 * @param stpid
 *   TPID the port's hardware QinQ insertion writes outside.
 * @param mtu
 *   MTU of the port: the frame with its headers, less the 14-byte Ethernet
 *   header, may not exceed it.
 * @return
 *   0: the packet may go (unchanged if the port inserts); VT_DROP_TOO_BIG
 *   or VT_DROP_NO_ROOM (the packet unchanged, counted, for the caller to
 *   free).
 */
static inline int
vt_vlan_tx(struct vt_port_stats *ps, struct rte_mbuf *m, const struct mtag_vlan *hdr,
	   unsigned int n, enum vt_insert ins, uint16_t stpid, uint16_t mtu)
{
	/* The NIC would drop it without a word; here it is counted. */
	if (unlikely(rte_pktmbuf_pkt_len(m) + n * 4 > (uint32_t)mtu + 14)) {
		ps->drop[VT_DROP_TOO_BIG]++;
		return VT_DROP_TOO_BIG;
	}
	if (ins != VT_INSERT_SW && n == 1 && hdr[0].tpid == VT_TPID_CTAG) {
		m->vlan_tci = hdr[0].tci;
		m->ol_flags |= RTE_MBUF_F_TX_VLAN;
		ps->hw_insert++;
		return 0;
	}
	if (ins == VT_INSERT_HW_QINQ && n == 2 && hdr[0].tpid == stpid &&
	    hdr[1].tpid == VT_TPID_CTAG) {
		m->vlan_tci_outer = hdr[0].tci;
		m->vlan_tci = hdr[1].tci;
		m->ol_flags |= RTE_MBUF_F_TX_QINQ | RTE_MBUF_F_TX_VLAN;
		ps->hw_insert++;
		return 0;
	}
	if (unlikely(vt_vlan_insert(m, hdr, n) != 0)) {
		ps->drop[VT_DROP_NO_ROOM]++;
		return VT_DROP_NO_ROOM;
	}
	ps->sw_insert++;
	return 0;
}

#endif /* VT_VLAN_H */
