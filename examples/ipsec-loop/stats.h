/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

#ifndef IPL_STATS_H
#define IPL_STATS_H

#include <stdint.h>
#include <stdio.h>

#include "conf.h"

#define IPL_HIST 17 /* encryptions per packet: 0 .. IPL_PASSES_MAX */

struct ipl_port_stats {
	uint64_t rx;
	uint64_t tx;
	uint64_t tx_drop;
};

struct ipl_sa_stats {
	uint64_t pkts;
	uint64_t bytes;
	uint64_t icv_fail;
	uint64_t replay; /**< Refused by the anti-replay window. */
	uint64_t errors; /**< Other rte_ipsec refusals: bad trailer after a good ICV, sequence
			  *   numbers used up. */
	uint64_t crypto_errors; /**< Ops the crypto device failed (not authentication). */
};

/*
 * Counters of one lcore; every field is a uint64_t so that the totals can be
 * summed and printed by walking the X-macro below.
 */
#define IPL_COUNTERS(X)                                                                            \
	X(encrypted)                                                                               \
	X(decrypted)                                                                               \
	X(loops)                                                                                   \
	X(loop_limit)                                                                              \
	X(policy_unprotected)                                                                      \
	X(policy_wrong_sa)                                                                         \
	X(policy_discard)                                                                          \
	X(no_policy)                                                                               \
	X(no_route)                                                                                \
	X(sa_family)                                                                               \
	X(ttl_exceeded)                                                                            \
	X(too_big)                                                                                 \
	X(icmp_too_big)                                                                            \
	X(ecn_drop)                                                                                \
	X(non_ip)                                                                                  \
	X(ip_options)                                                                              \
	X(fragment)                                                                                \
	X(reassembled)                                                                             \
	X(frag_timeout)                                                                            \
	X(frag_table_full)                                                                         \
	X(frag_bad)                                                                                \
	X(fragmented)                                                                              \
	X(bad_csum)                                                                                \
	X(truncated)                                                                               \
	X(esp_bad_len)                                                                             \
	X(unknown_spi)                                                                             \
	X(bad_tunnel_src)                                                                          \
	X(icv_fail)                                                                                \
	X(crypto_error)                                                                            \
	X(replay)                                                                                  \
	X(ipsec_error)                                                                             \
	X(no_mem)                                                                                  \
	X(no_tag)                                                                                  \
	X(no_crypto_op)                                                                            \
	X(crypto_busy)                                                                             \
	X(crypto_timeout)                                                                          \
	X(max_growth)

struct ipl_stats {
#define IPL_FIELD(n) uint64_t n;
	IPL_COUNTERS(IPL_FIELD)
#undef IPL_FIELD
	uint64_t enc_hist[IPL_HIST]; /**< Packets leaving outbound, by times encrypted. */
	struct ipl_port_stats port[IPL_MAX_PORTS];
	struct ipl_sa_stats sa[IPL_MAX_SA];
};

/** Sum every lcore's counters into @p sum (max_growth is a maximum). */
void ipl_stats_sum(struct ipl_stats *sum);
/** Human-readable report. */
void ipl_stats_print(FILE *f, const struct ipl_stats *s);
/** Machine-readable report (JSON), for the tests. */
int ipl_stats_write_json(const char *path, const struct ipl_stats *s, uint64_t tags_in_use,
			 uint64_t mbufs_in_use);
/** /ipsec_loop/stats over telemetry. */
int ipl_stats_telemetry_init(void);

#endif /* IPL_STATS_H */
