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

#include <rte_mbuf.h>

#include <mtag.h>

#include "conf.h"

/** VLAN headers of a frame, outermost first. */
struct vt_vlan_stack {
	uint8_t depth;			   /**< Headers in @c hdr. */
	uint8_t hw;			   /**< Outer headers the port stripped (metadata). */
	struct mtag_vlan hdr[VT_VLAN_MAX]; /**< TPID and TCI, host byte order. */
};

/** What vt_vlan_parse() and vt_vlan_rx() found; the non-OK values are drop reasons. */
enum vt_frame_status {
	VT_FRAME_OK = 0,
	VT_FRAME_UNTAGGED, /**< No VLAN header. */
	VT_FRAME_RUNT,	   /**< Frame shorter than its Ethernet and VLAN headers. */
	VT_FRAME_BAD_TPID, /**< A TPID the trunk does not accept, or an S-tag inside a C-tag. */
	VT_FRAME_TOO_DEEP, /**< More than VT_VLAN_MAX headers. */
};

/** PCP, DEI and VID of a TCI. */
#define VT_TCI(pcp, dei, vid) ((uint16_t)(((pcp) << 13) | ((dei) << 12) | ((vid)&0xfff)))
/** VID of a TCI. */
#define VT_TCI_VID(tci) ((tci)&0xfff)

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
 * Take the VLAN headers off a received packet: those the port stripped
 * (RTE_MBUF_F_RX_VLAN_STRIPPED, RTE_MBUF_F_RX_QINQ_STRIPPED) and those still
 * in the frame. On success the frame is untagged and its RX VLAN flags
 * cleared; otherwise the packet is unchanged.
 *
 * A port that stripped one header does not say its TPID: it is taken as
 * @p stpid when more headers follow in the frame, 0x8100 otherwise.
 *
 * @param m
 *   Packet; the headers must lie in its first segment.
 * @param stpid
 *   TPID of service tags.
 * @param st
 *   Receives the headers, outermost first.
 * @return
 *   As vt_vlan_parse().
 */
enum vt_frame_status vt_vlan_rx(struct rte_mbuf *m, uint16_t stpid, struct vt_vlan_stack *st);

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

#endif /* VT_VLAN_H */
