/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

#ifndef VT_STATS_H
#define VT_STATS_H

/**
 * @file
 * Counters per port, per VLAN (access port) and per forwarding direction.
 * Each lcore writes its own copy; readers add them up.
 */

#include <stdint.h>
#include <stdio.h>

#include <rte_common.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "conf.h"

/** Why a packet was dropped. */
enum vt_drop {
	VT_DROP_UNTAGGED,      /**< Untagged frame on the trunk. */
	VT_DROP_UNKNOWN_VLAN,  /**< VLAN stack mapped to no access port. */
	VT_DROP_RUNT,	       /**< Frame shorter than its headers. */
	VT_DROP_BAD_TPID,      /**< TPID not accepted, or S-tag inside a C-tag. */
	VT_DROP_TOO_DEEP,      /**< More VLAN headers than VT_VLAN_MAX. */
	VT_DROP_TAGGED_ACCESS, /**< VLAN-tagged frame on an access port. */
	VT_DROP_NO_TAG,	       /**< No tag could be allocated. */
	VT_DROP_NO_ROOM,       /**< No headroom or shared mbuf for VLAN insertion. */
	VT_DROP_TX_FULL,       /**< TX queue or pipeline ring full. */
	VT_DROP_TOO_BIG,       /**< Longer than the TX port's MTU (with its VLAN headers). */
	VT_DROP_MAX
};

/** Forwarding directions, for the benchmark. */
enum vt_dir { VT_DIR_TRUNK_TO_ACCESS, VT_DIR_ACCESS_TO_TRUNK, VT_DIR_MAX };

/** Where VLANs are kept between RX and TX; see README.md. */
enum vt_store { VT_STORE_TAG, VT_STORE_LOCAL, VT_STORE_MAX };

/** Counters of one port. */
struct vt_port_stats {
	uint64_t rx;		    /**< Packets received. */
	uint64_t tx;		    /**< Packets the PMD took. */
	uint64_t hw_insert;	    /**< Packets whose VLANs the port inserts (TX offload). */
	uint64_t sw_insert;	    /**< Packets whose VLANs were inserted in software. */
	uint64_t drop[VT_DROP_MAX]; /**< Packets dropped, by reason (counted on the RX port,
				       except VT_DROP_TX_FULL, VT_DROP_NO_ROOM and
				       VT_DROP_TOO_BIG: TX port). */
};

/** Counters of one access port's VLAN stack. */
struct vt_vlan_stats {
	uint64_t to_access; /**< Packets from the trunk forwarded to the access port (TX drops in).
			     */
	uint64_t
		to_trunk; /**< Packets from the access port forwarded to the trunk (TX drops in). */
};

/** Busy time of one direction (bursts with packets, not preempted). */
struct vt_dir_stats {
	uint64_t pkts;	 /**< Packets received. */
	uint64_t cycles; /**< TSC cycles from RX to TX of those bursts. */
};

/** All counters one lcore writes. */
struct vt_lcore_stats {
	struct vt_port_stats port[RTE_MAX_ETHPORTS];
	struct vt_vlan_stats vlan[VT_MAX_PORTS];
	struct vt_dir_stats dir[VT_STORE_MAX][VT_DIR_MAX];
	uint64_t last_rx; /**< TSC of the last burst received (--idle-exit); not summed. */
} __rte_cache_aligned;

/** Per-lcore counters. */
extern struct vt_lcore_stats vt_stats[RTE_MAX_LCORE];

/** Names of the drop reasons, as printed. */
extern const char *const vt_drop_names[VT_DROP_MAX];

/** Sum of all lcores' counters into @p sum. */
void vt_stats_sum(struct vt_lcore_stats *sum);

/**
 * Register the telemetry commands /vlan_tag/ports (port ids, trunk first)
 * and /vlan_tag/stats,<port> (the port's counters, with its VLAN's for an
 * access port).
 *
 * @param conf
 *   Configuration; must outlive the application's use of telemetry.
 * @return
 *   0, or a negative errno.
 */
int vt_stats_telemetry_init(const struct vt_conf *conf);

/** Print port and VLAN counters. */
void vt_stats_print(FILE *f, const struct vt_conf *conf);

#endif /* VT_STATS_H */
