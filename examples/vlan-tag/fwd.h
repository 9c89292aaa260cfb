/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

#ifndef VT_FWD_H
#define VT_FWD_H

/**
 * @file
 * The forwarder: trunk RX (strip, record tags), lookup by VLAN, access RX
 * (reminder tags), trunk TX (consume reminders). Run to completion on N
 * lcores, each with its own RX and TX queue of every port, or as a pipeline
 * of an RX lcore and a TX lcore joined by rings.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_ring.h>

#include <mtag.h>
#include <mtag_capture.h>

#include "conf.h"
#include "stats.h"
#include "vlan.h"

/** Packets per RX burst. */
#define VT_BURST 32

/** Forwarding state, read-only once the lcores run (except @c store). */
struct vt_fwd {
	struct vt_conf conf;
	uint16_t trunk;				  /**< Trunk port id. */
	enum vt_insert trunk_insert;		  /**< Insertion path of the trunk. */
	uint16_t nb_queues;			  /**< RX and TX queues per port. */
	uint16_t mtu[RTE_MAX_ETHPORTS];		  /**< MTU of each port. */
	uint8_t rx_flags[RTE_MAX_ETHPORTS];	  /**< vt_vlan_rx() flags of each port. */
	uint16_t ports[VT_MAX_PORTS + 1];	  /**< All ports, trunk first. */
	unsigned int nb_ports;			  /**< Entries in @c ports. */
	int16_t access_of_port[RTE_MAX_ETHPORTS]; /**< Index into conf.access, or -1. */
	int16_t access_of_vid[4096];		  /**< Access port of each single-tag VID, or -1. */
	/** Headers inserted towards the trunk for each access port, outermost first. */
	struct mtag_vlan insert_hdr[VT_MAX_PORTS][VT_VLAN_MAX];
	struct rte_ring *ring[RTE_MAX_ETHPORTS]; /**< Pipeline: packets for each TX port. */
	volatile enum vt_store store; /**< Tags or local variables; may change while running. */
};

extern struct vt_fwd vt_fwd;
/** Set by SIGINT/SIGTERM (or the idle timer): every loop returns. */
extern volatile bool vt_force_quit;
/** Set by the pipeline RX lcore when it has returned: the TX lcore drains and returns. */
extern volatile bool vt_rx_done;
/** --dump-tags: frames whose tags are still to be printed (mtag_dump()). */
extern uint64_t vt_dump_tags;
/**
 * --capture: frames about to leave, with their VLAN records and insert
 * reminders, and dropped frames, with a tag of type "vt_drop/<reason>"
 * (vt_drop_type[]) on top of theirs. NULL: no capture.
 */
extern struct mtag_capture *vt_capture;
/** --capture: the type that names each drop reason. */
extern uint16_t vt_drop_type[VT_DROP_MAX];

/**
 * Build the lookup tables from a configuration.
 *
 * @return
 *   0.
 */
int vt_fwd_init(const struct vt_conf *conf);

/**
 * lcore function: RX, forward and TX on all ports (run to completion).
 * @p arg is the queue index, (void *)(uintptr_t)q, 0 to nb_queues - 1.
 */
int vt_lcore_rtc(void *arg);
/** lcore function: RX and forward on all ports into the TX rings (pipeline). */
int vt_lcore_pipeline_rx(void *arg);
/** lcore function: TX stage of every port from its ring (pipeline). */
int vt_lcore_pipeline_tx(void *arg);

#endif /* VT_FWD_H */
