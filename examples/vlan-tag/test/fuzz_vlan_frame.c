/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/*
 * Fuzz target: the vlan-tag example's frame paths. The first input byte
 * picks the service TPID (bits 0-1), what the port is said to have done
 * (bits 2-3: nothing, stripped one header, stripped two, put one back as
 * af_packet does without strip offload) and whether the port is TPID-blind
 * (bit 6); the next four give the port's TCIs; the rest is the frame.
 *   - vt_vlan_parse() on the bare bytes never reads past them;
 *   - vt_vlan_rx() on an mbuf either refuses and leaves the packet exactly
 *     as it was, or strips every header in the frame, clears the RX VLAN
 *     flags, and reports the stripped ones first;
 *   - putting back the headers that were in the frame with
 *     vt_vlan_insert() gives the original frame, byte for byte (but for
 *     the TPID of a header the PMD put back, which says nothing);
 *   - vt_vlan_access_rx() likewise refuses with the packet unchanged, or
 *     takes off at most a priority tag (VID 0) and nothing else.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include "fuzz_common.h"
#include "vlan.h"

#define RX_VLAN_FLAGS                                                                              \
	(RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED | RTE_MBUF_F_RX_QINQ |                   \
	 RTE_MBUF_F_RX_QINQ_STRIPPED)

static struct rte_mempool *mbuf_pool;

int
LLVMFuzzerInitialize(int *argc __rte_unused, char ***argv __rte_unused)
{
	mbuf_pool = fuzz_eal_init_pool("mtag-fuzz-vlan", "fuzz_vlan");
	return 0;
}

static int
fuzz_frame(const uint8_t *data, size_t size)
{
	static const uint16_t stpids[] = {VT_TPID_STAG, 0x9100, VT_TPID_CTAG, 0x88a8};
	const size_t max = RTE_MBUF_DEFAULT_DATAROOM;
	struct vt_vlan_stack st;
	enum vt_frame_status ret;
	const uint8_t *frame;
	uint16_t stpid, tci, tci_outer;
	struct mtag_vlan all[VT_VLAN_MAX + 1];
	unsigned int hw, i, mode, blind, n;
	struct rte_mbuf *m;
	uint64_t flags;
	uint8_t *copy;
	size_t len;

	if (size < 5)
		return TEST_SUCCESS; /* too short to say anything */
	stpid = stpids[data[0] & 3];
	mode = (data[0] >> 2) & 3;
	hw = mode == 3 ? 0 : mode;
	blind = (data[0] >> 6) & 1;
	tci = (uint16_t)(data[1] << 8 | data[2]);
	tci_outer = (uint16_t)(data[3] << 8 | data[4]);
	frame = data + 5;
	len = RTE_MIN(size - 5, max);

	/* The bare parser, on a buffer of exactly len bytes. */
	copy = malloc(len ? len : 1);
	memcpy(copy, frame, len);
	memset(&st, 0, sizeof(st));
	ret = vt_vlan_parse(copy, len, stpid, &st);
	TEST_ASSERT(!(ret > VT_FRAME_TOO_DEEP || st.depth > VT_VLAN_MAX),
		    "parse: status %d depth %u", ret, st.depth);
	free(copy);

	/* Through an mbuf, as on RX. */
	m = rte_pktmbuf_alloc(mbuf_pool);
	TEST_ASSERT(!(m == NULL), "mbuf pool empty: a leak");
	memcpy(rte_pktmbuf_append(m, len), frame, len);
	flags = mode == 2
			? RTE_MBUF_F_RX_QINQ_STRIPPED | RTE_MBUF_F_RX_VLAN_STRIPPED | RX_VLAN_FLAGS
		: mode == 1 ? RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED
		: mode == 3 ? RTE_MBUF_F_RX_VLAN
			    : 0;
	m->ol_flags |= flags;
	m->vlan_tci = tci;
	m->vlan_tci_outer = tci_outer;
	ret = vt_vlan_rx(m, stpid, blind ? VT_RX_TPID_BLIND : 0, &st);
	if (ret != VT_FRAME_OK) {
		TEST_ASSERT(!(rte_pktmbuf_data_len(m) != len ||
			      memcmp(rte_pktmbuf_mtod(m, uint8_t *), frame, len) != 0 ||
			      (m->ol_flags & RX_VLAN_FLAGS) != flags),
			    "refused (%d) but the packet changed", ret);
		rte_pktmbuf_free(m);
		return TEST_SUCCESS;
	}
	TEST_ASSERT(!(st.hw != hw || st.depth == 0 || st.depth + st.prio < hw ||
		      st.depth > VT_VLAN_MAX),
		    "hw %u (port stripped %u), depth %u", st.hw, hw, st.depth);
	TEST_ASSERT(!(st.prio &&
		      (st.prio_hdr.tpid != VT_TPID_CTAG || VT_TCI_VID(st.prio_hdr.tci) != 0)),
		    "priority tag %#x %#x", st.prio_hdr.tpid, st.prio_hdr.tci);
	TEST_ASSERT(!(m->ol_flags & RX_VLAN_FLAGS), "RX VLAN flags left set");
	TEST_ASSERT(!(hw == 1 && st.hdr[0].tci != tci), "stripped TCI %#x, port said %#x",
		    st.hdr[0].tci, tci);
	TEST_ASSERT(!(hw == 2 && (st.hdr[0].tci != tci_outer || st.hdr[1].tci != tci)),
		    "stripped TCIs %#x %#x", st.hdr[0].tci, st.hdr[1].tci);
	for (i = 0; i < st.depth; i++)
		TEST_ASSERT(!(!vt_tpid_is_vlan(st.hdr[i].tpid)), "header %u: TPID %#x", i,
			    st.hdr[i].tpid);
	/* The frame is untagged now... */
	{
		struct vt_vlan_stack again = {0};

		TEST_ASSERT(!(vt_vlan_parse(rte_pktmbuf_mtod(m, uint8_t *), rte_pktmbuf_data_len(m),
					    stpid, &again) != VT_FRAME_UNTAGGED &&
			      rte_pktmbuf_data_len(m) >= 14),
			    "still tagged after vt_vlan_rx");
	}
	/* ... and the headers that were in it go back where they were. */
	n = st.depth;
	memcpy(all, st.hdr, n * sizeof(all[0]));
	if (st.prio)
		all[n++] = st.prio_hdr;
	/* A header the PMD put back has the TPID the PMD wrote, not the one inferred. */
	if (mode == 3 && blind && n > 0 && len >= 14)
		all[0].tpid = (uint16_t)(frame[12] << 8 | frame[13]);
	TEST_ASSERT(!(vt_vlan_insert(m, all + hw, n - hw) != 0), "insert of %u headers failed",
		    n - hw);
	TEST_ASSERT(!(rte_pktmbuf_data_len(m) != len ||
		      memcmp(rte_pktmbuf_mtod(m, uint8_t *), frame, len) != 0),
		    "strip then insert did not give the frame back");
	rte_pktmbuf_free(m);

	/* The same bytes on an access port. */
	m = rte_pktmbuf_alloc(mbuf_pool);
	TEST_ASSERT(!(m == NULL), "mbuf pool empty: a leak");
	memcpy(rte_pktmbuf_append(m, len), frame, len);
	m->ol_flags |= flags;
	m->vlan_tci = tci;
	m->vlan_tci_outer = tci_outer;
	ret = vt_vlan_access_rx(m, blind ? VT_RX_TPID_BLIND : 0, &st);
	if (ret != VT_FRAME_OK) {
		TEST_ASSERT(!(ret != VT_FRAME_RUNT && ret != VT_FRAME_TAGGED), "access: status %d",
			    ret);
		TEST_ASSERT(!(rte_pktmbuf_data_len(m) != len ||
			      memcmp(rte_pktmbuf_mtod(m, uint8_t *), frame, len) != 0 ||
			      (m->ol_flags & RX_VLAN_FLAGS) != flags),
			    "access: refused (%d) but the packet changed", ret);
	} else {
		uint32_t cut = len - rte_pktmbuf_data_len(m);

		TEST_ASSERT(!(st.depth != 0 || (cut != 0 && cut != 4) || (cut == 4 && !st.prio) ||
			      (st.prio && VT_TCI_VID(st.prio_hdr.tci) != 0)),
			    "access: depth %u, %u bytes off, prio %u", st.depth, cut, st.prio);
		TEST_ASSERT(!(cut == 4 && (memcmp(rte_pktmbuf_mtod(m, uint8_t *), frame, 12) != 0 ||
					   memcmp(rte_pktmbuf_mtod(m, uint8_t *) + 12, frame + 16,
						  len - 16) != 0)),
			    "access: more than the priority tag taken off");
	}
	rte_pktmbuf_free(m);
	return TEST_SUCCESS;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A failure aborts (test_fail_abort) before it returns here. */
	return fuzz_frame(data, size) == TEST_SUCCESS ? 0 : -1;
}
