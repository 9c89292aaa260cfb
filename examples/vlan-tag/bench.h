/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

#ifndef VT_BENCH_H
#define VT_BENCH_H

/**
 * @file
 * Benchmark support: frames injected into a loopback trunk (net_ring), and
 * the per-direction rates of each VLAN store.
 */

#include <stdint.h>
#include <stdio.h>

#include <rte_mempool.h>

/**
 * Send @p n tagged frames of @p size bytes on the trunk, cycling over the
 * access ports' VLAN stacks. On a loopback port (net_ring) they come back on
 * RX and keep circulating between trunk and access ports.
 *
 * @return
 *   Frames sent, or a negative errno.
 */
int vt_bench_inject(struct rte_mempool *mp, unsigned int n, unsigned int size);

/** Remember the counters: the report covers what happens after this call. */
void vt_bench_start(void);

/**
 * Close a period of the benchmark (the store is about to switch): its rate
 * per direction becomes one sample of the store that ran.
 */
void vt_bench_period(void);

/**
 * Print Mpps per direction and store since vt_bench_start(): the median of
 * the periods (robust to the preemptions of a shared machine) and the total.
 *
 * @return
 *   0, or -1 when a store or direction has no data.
 */
int vt_bench_report(FILE *f);

#endif /* VT_BENCH_H */
