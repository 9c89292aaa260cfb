/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

#ifndef VT_PORT_H
#define VT_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mempool.h>

#include "fwd.h"

/**
 * Configure and start a port with one RX and one TX queue, the tag-stripping
 * TX callback installed. On the trunk, VLAN stripping and insertion are
 * offloaded to the port when it offers them and @p offload allows it.
 *
 * @param port
 *   Port id.
 * @param mp
 *   Mbuf pool for RX.
 * @param trunk
 *   Whether the port is the trunk.
 * @param offload
 *   Whether VLAN offloads may be used.
 * @param stpid
 *   TPID of service tags (hardware QinQ insertion).
 * @param ins
 *   Receives the insertion path chosen.
 * @return
 *   0, or a negative errno.
 */
int vt_port_init(uint16_t port, struct rte_mempool *mp, bool trunk, bool offload, uint16_t stpid,
		 enum vt_insert *ins);

/** Receive and free whatever the port still holds (before stop/close). */
void vt_port_drain(uint16_t port);

#endif /* VT_PORT_H */
