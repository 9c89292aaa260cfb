/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

#ifndef MTAG_CAPTURE_H
#define MTAG_CAPTURE_H

/**
 * @file
 * mtag capture: packets with their tags, written to a pcapng file that
 * Wireshark and tshark open.
 *
 * Each packet goes into an enhanced packet block made by DPDK's rte_pcapng
 * (one interface block per port), and its tags into that block's comment,
 * on one line, newest first, in mtag_dump()'s words:
 *
 *     mtag: 2 tags; 0: type 12 (vlan_insert) len 4 cookie 0 tpid 0x8100 pcp 0 dei 0 vid 100;
 *     1: type 11 (vlan) len 4 cookie 0 tpid 0x8100 pcp 0 dei 0 vid 20
 *
 * (one line in the file). `tshark -r FILE -T fields -e frame.comment` lists
 * them. The lcores that call mtag_capture_burst() copy the packets into a
 * bounded ring and never wait for the disk: what does not fit is counted as
 * dropped. mtag_capture_flush(), or a thread of the library
 * (MTAG_CAPTURE_THREAD), writes the ring to the file.
 *
 * Off costs the caller one test of a pointer per burst: keep the capture in
 * a variable that is NULL while there is none, and call mtag_capture_burst()
 * unconditionally.
 */

#include <stdint.h>

#include <rte_common.h>
#include <rte_branch_prediction.h>
#include <rte_mbuf.h>
#include <rte_pcapng.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Which of the packets handed to mtag_capture_burst() a capture keeps. */
enum mtag_capture_filter {
	/** Every packet handed over: the application chooses by what it hands
	 *  (every packet at one point of its path, or only its drops). */
	MTAG_CAPTURE_ALL = 0,
	/** Only the packets carrying a tag of mtag_capture_conf.type (found as
	 *  mtag_find() finds it: cookie MTAG_ABI_COMPAT). */
	MTAG_CAPTURE_TYPE,
	/** Only the packets carrying at least one tag. */
	MTAG_CAPTURE_TAGGED,
};

/** Flag of mtag_capture_conf: a thread of the library writes the file. */
#define MTAG_CAPTURE_THREAD 0x1

/** Bytes of a packet kept by default (mtag_capture_conf.snaplen 0). */
#define MTAG_CAPTURE_SNAPLEN_DEFAULT 2048
/** Largest snap length. */
#define MTAG_CAPTURE_SNAPLEN_MAX 16384
/** Packets the ring holds by default (mtag_capture_conf.ring_size 0). */
#define MTAG_CAPTURE_RING_DEFAULT 1024
/** Largest ring. */
#define MTAG_CAPTURE_RING_MAX 65536
/**
 * Longest packet comment, in bytes, without a terminating NUL. A chain
 * whose words would be longer ends, after the last tag that fits, with
 * "; ... N more" (N tags left out); at least the 5 newest tags always fit.
 */
#define MTAG_CAPTURE_COMMENT_MAX 1023

/** Configuration of mtag_capture_open(); zero fields take defaults. */
struct mtag_capture_conf {
	enum mtag_capture_filter filter; /**< Which packets to keep. */
	uint16_t type;			 /**< Type of MTAG_CAPTURE_TYPE. */
	/** Bytes of each packet written, 1 to MTAG_CAPTURE_SNAPLEN_MAX
	 *  (0: MTAG_CAPTURE_SNAPLEN_DEFAULT); the block records the length
	 *  on the wire too. */
	uint32_t snaplen;
	/** Packets to capture, then stop (0: no limit). Packets dropped for
	 *  want of room do not count. */
	uint64_t limit;
	/** Packets the ring holds between the lcores and the writer, 2 to
	 *  MTAG_CAPTURE_RING_MAX (0: MTAG_CAPTURE_RING_DEFAULT). */
	uint32_t ring_size;
	uint32_t flags; /**< 0 or MTAG_CAPTURE_THREAD. */
};

/** Counters of a capture. */
struct mtag_capture_stats {
	/** Packets copied into the ring. */
	uint64_t captured;
	/** Packets the filter kept that found no room (ring full, or all the
	 *  ring's copies in use), counted, never waited for; and those
	 *  rte_pcapng_copy() refused (an empty packet, or one too short for
	 *  the VLAN header it puts back from the mbuf's offload fields). */
	uint64_t dropped;
	/** Packets written to the file. */
	uint64_t written;
	/** Packets taken from the ring after a write to the file failed. */
	uint64_t lost;
};

/** A capture, from mtag_capture_open(). */
struct mtag_capture;

/**
 * Open a capture file: write the pcapng section header and an interface
 * block for every port that exists now (their packets only can be
 * captured), make the ring and the copies' pool, and start the writing
 * thread when asked. Call after mtag_lib_init(), from a control thread.
 * At most 16 captures are open at a time in a process.
 *
 * @param path
 *   File to create (truncated if it exists).
 * @param conf
 *   Configuration; NULL for every packet with the defaults.
 * @return
 *   The capture; NULL with rte_errno = EINVAL (NULL @p path, a bad
 *   configuration, an unknown type), ENOENT (before mtag_lib_init()),
 *   ENOSPC (16 captures open), ENOMEM (no memory for the ring or the
 *   copies) or the errno of creating or writing the file (EACCES, ENOENT,
 *   ENOSPC, ...). Nothing is left behind on failure.
 */
struct mtag_capture *mtag_capture_open(const char *path, const struct mtag_capture_conf *conf);

/**
 * @internal Body of mtag_capture_burst() for a capture that is not NULL.
 *
 * @param cap
 *   Capture.
 * @param port
 *   Port.
 * @param queue
 *   Queue.
 * @param pkts
 *   Packets.
 * @param n
 *   Number of packets.
 * @param direction
 *   Direction.
 * @return
 *   As mtag_capture_burst().
 */
int __mtag_capture_burst(struct mtag_capture *cap, uint16_t port, uint16_t queue,
			 struct rte_mbuf **pkts, uint16_t n, enum rte_pcapng_direction direction);

/**
 * Capture packets of a burst: those the filter keeps are copied (up to the
 * snap length), with their tags in words, into the capture's ring. Never
 * waits: what does not fit is counted as dropped. The packets and their
 * tags are not changed. Safe from several lcores at once.
 *
 * @param cap
 *   Capture; NULL (no capture) returns 0 at the cost of one test.
 * @param port
 *   Port the packets came in on or go out of; it names the interface
 *   block. It must have existed when the capture was opened.
 * @param queue
 *   Queue, recorded in the block.
 * @param pkts
 *   Packets; NULL entries are skipped.
 * @param n
 *   Number of packets.
 * @param direction
 *   RTE_PCAPNG_DIRECTION_IN, _OUT or _UNKNOWN, recorded in the block.
 * @return
 *   Packets copied into the ring (0 when the filter kept none, the limit
 *   was reached or none fitted); -EINVAL for a port without an interface
 *   block, a NULL @p pkts or a handle that is no capture; -EBADF for a
 *   closed capture.
 */
static __rte_always_inline int
mtag_capture_burst(struct mtag_capture *cap, uint16_t port, uint16_t queue, struct rte_mbuf **pkts,
		   uint16_t n, enum rte_pcapng_direction direction)
{
	if (likely(cap == NULL))
		return 0;
	return __mtag_capture_burst(cap, port, queue, pkts, n, direction);
}

/**
 * Write what the ring holds to the file. Call it from a control thread
 * (a stats loop, say) when the capture has no thread of its own; with one,
 * it writes at once what is waiting. Either way one writer runs at a time.
 * After a write fails, nothing more is written: the ring is still emptied
 * (its packets counted as lost) and every call returns the error.
 *
 * @param cap
 *   Capture.
 * @return
 *   Packets written; -EINVAL for NULL or a handle that is no capture;
 *   -EBADF for a closed capture; the negative errno of the failed write
 *   (-ENOSPC, -EFBIG, -EIO, ...).
 */
int mtag_capture_flush(struct mtag_capture *cap);

/**
 * Read a capture's counters. They are also in telemetry, /mtag/capture.
 *
 * @param cap
 *   Capture.
 * @param stats
 *   Filled on success.
 * @return
 *   0; -EINVAL for a NULL argument or a handle that is no capture;
 *   -EBADF for a closed capture.
 */
int mtag_capture_stats_get(const struct mtag_capture *cap, struct mtag_capture_stats *stats);

/**
 * Close a capture: stop its thread, write what the ring holds, close the
 * file and free the ring and the copies. No lcore may be in
 * mtag_capture_burst() for it, or call it after (set the pointer they read
 * to NULL first, and wait for them to pass). The handle then gives -EBADF
 * until a later mtag_capture_open() takes its slot.
 *
 * @param cap
 *   Capture.
 * @return
 *   0; -EINVAL for NULL or a handle that is no capture; -EBADF for a
 *   closed capture; the negative errno of a failed write (the capture is
 *   closed and freed all the same).
 */
int mtag_capture_close(struct mtag_capture *cap);

#ifdef __cplusplus
}
#endif

#endif /* MTAG_CAPTURE_H */
