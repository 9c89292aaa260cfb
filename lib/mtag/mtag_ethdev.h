/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

#ifndef MTAG_ETHDEV_H
#define MTAG_ETHDEV_H

/**
 * @file
 * mtag port helpers.
 */

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Drop every tag of the packets sent on a TX queue, before the PMD sees the
 * burst: PMDs free transmitted mbufs themselves, and nothing would free their
 * tags. Packets the PMD does not take are left untagged too. Consume
 * reminder tags before calling rte_eth_tx_burst().
 *
 * May be called any time after the queue is set up; needs DPDK built with
 * RTE_ETHDEV_RXTX_CALLBACKS (the default). A second call on the same queue
 * installs nothing more and returns 0.
 *
 * @param port
 *   Port id.
 * @param queue
 *   TX queue id.
 * @return
 *   0; -ENODEV for a bad port; -EINVAL for a bad queue; -ENOTSUP without
 *   ethdev callbacks; -ENOSPC past 1024 queues; -ENOENT before
 *   mtag_lib_init().
 */
int mtag_eth_tx_strip(uint16_t port, uint16_t queue);

/**
 * Remove the callback of mtag_eth_tx_strip() from a TX queue. As with
 * rte_eth_remove_tx_callback(), a thread may still be running it: do not
 * transmit tagged packets on the queue from then on unless they are freed
 * otherwise.
 *
 * @param port
 *   Port id.
 * @param queue
 *   TX queue id.
 * @return
 *   0; -ENOENT when the queue has no strip; -ENODEV for a bad port;
 *   -EINVAL for a bad queue.
 */
int mtag_eth_tx_strip_remove(uint16_t port, uint16_t queue);

#ifdef __cplusplus
}
#endif

#endif /* MTAG_ETHDEV_H */
