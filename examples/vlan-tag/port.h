/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

#ifndef VT_PORT_H
#define VT_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_mempool.h>

#include "fwd.h"

/** What vt_port_init() is asked for, and what it chose. */
struct vt_port_setup {
	bool trunk;	    /**< The port is the trunk. */
	bool offload;	    /**< VLAN offloads may be used. */
	uint16_t stpid;	    /**< TPID of service tags (hardware QinQ insertion). */
	uint16_t nb_queues; /**< RX and TX queues, one pair per forwarding lcore. */
	uint16_t mtu;	    /**< MTU to set; 0: keep the port's. */
	bool mtu_given;	    /**< @c mtu is from the configuration: failing to set it is an error. */
	/* Filled by vt_port_init(). */
	enum vt_insert ins;    /**< Insertion path chosen. */
	uint16_t mtu_out;      /**< MTU the forwarder enforces. */
	unsigned int rx_flags; /**< vt_vlan_rx() flags of the port. */
	bool mtu_failed;       /**< On failure: the MTU was refused. */
};

/**
 * Configure and start a port with @c nb_queues RX and TX queues (RSS over
 * the RX queues where the port has it), the tag-stripping TX callback on
 * every TX queue, and its MTU. On the trunk, VLAN stripping and insertion
 * are offloaded to the port when it offers them and @c offload allows it.
 *
 * @param port
 *   Port id.
 * @param mp
 *   Mbuf pool for RX.
 * @param s
 *   Request; receives the choices.
 * @param err
 *   On failure, the reason.
 * @param errlen
 *   Size of @p err.
 * @return
 *   0, or a negative errno: -ERANGE when the request cannot be met (queues,
 *   MTU), the reason in @p err; otherwise what failed is in @p err.
 */
int vt_port_init(uint16_t port, struct rte_mempool *mp, struct vt_port_setup *s, char *err,
		 size_t errlen);

/** Receive and free whatever the port's queues still hold (before stop/close). */
void vt_port_drain(uint16_t port, uint16_t nb_queues);

#endif /* VT_PORT_H */
