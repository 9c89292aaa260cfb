/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

#ifndef IPL_CONF_H
#define IPL_CONF_H

/**
 * @file
 * dpdk-ipsec-loop configuration: ports, SAs, security policies, routes.
 *
 * The parser depends on libc only, so that it can be fuzzed on a buffer
 * without EAL. Addresses are kept in host byte order.
 */

#include <stddef.h>
#include <stdint.h>

#define IPL_MAX_PORTS 16
#define IPL_MAX_SA 64
#define IPL_MAX_SP 256
#define IPL_MAX_ROUTES 256
#define IPL_KEY_MAX 32

enum ipl_dir { IPL_DIR_OUT = 0, IPL_DIR_IN = 1 };

enum ipl_alg {
	IPL_ALG_AES128_GCM,	   /**< RFC 4106, 16-byte ICV */
	IPL_ALG_AES128_CBC_SHA256, /**< RFC 3602 + RFC 4868 HMAC-SHA-256-128 */
	IPL_ALG_NULL,		   /**< RFC 2410, no ICV: benchmarks only */
};

enum ipl_role { IPL_PORT_UNUSED = 0, IPL_PORT_INSIDE, IPL_PORT_OUTSIDE };

enum ipl_action { IPL_ACT_PROTECT, IPL_ACT_BYPASS, IPL_ACT_DISCARD };

enum ipl_loop_action { IPL_LOOP_DROP = 0, IPL_LOOP_PORT };

struct ipl_prefix {
	uint32_t addr; /**< Host byte order, host bits cleared. */
	uint8_t len;
};

struct ipl_port_conf {
	enum ipl_role role;
	int has_peer;
	uint8_t peer_mac[6]; /**< Ethernet destination by default (else broadcast). */
};

struct ipl_sa_conf {
	int used;
	int line;
	enum ipl_dir dir;
	uint32_t spi;
	uint32_t src; /**< Tunnel source (outbound: ours; inbound: the peer's). */
	uint32_t dst; /**< Tunnel destination (inbound: ours). */
	enum ipl_alg alg;
	uint8_t key[IPL_KEY_MAX];
	uint8_t key_len;
	uint8_t auth_key[IPL_KEY_MAX];
	uint8_t auth_key_len;
	uint8_t salt[4];
	int has_salt;
	uint32_t replay_win; /**< Inbound anti-replay window; 0 disables it. */
};

struct ipl_sp_conf {
	int line;
	enum ipl_dir dir;
	struct ipl_prefix src;
	struct ipl_prefix dst;
	uint8_t proto; /**< IP protocol, 0 for any. */
	enum ipl_action action;
	uint32_t sa_id; /**< For IPL_ACT_PROTECT. */
};

struct ipl_route_conf {
	int line;
	struct ipl_prefix dst;
	int outbound; /**< Back into outbound IPsec processing instead of a port. */
	uint16_t port;
	int has_mac;
	uint8_t mac[6];
};

struct ipl_conf {
	struct ipl_port_conf port[IPL_MAX_PORTS];
	struct ipl_sa_conf sa[IPL_MAX_SA]; /**< Indexed by SA id. */
	struct ipl_sp_conf sp[IPL_MAX_SP]; /**< In file order: first match wins. */
	unsigned int nb_sp;
	struct ipl_route_conf route[IPL_MAX_ROUTES]; /**< Longest prefix wins. */
	unsigned int nb_routes;
	enum ipl_loop_action loop_action;
	uint16_t loop_port;
	int loop_line;
};

/**
 * Parse a configuration held in memory.
 *
 * @param c
 *   Filled on success (zeroed first).
 * @param buf
 *   Text, need not be NUL-terminated.
 * @param len
 *   Bytes in @p buf.
 * @param err
 *   On failure, "line N: what is wrong".
 * @param errlen
 *   Size of @p err.
 * @return
 *   0, or -EINVAL with @p err filled.
 */
int ipl_conf_parse(struct ipl_conf *c, const char *buf, size_t len, char *err, size_t errlen);

/**
 * Read and parse a configuration file.
 *
 * @return
 *   0, or a negative errno with @p err filled.
 */
int ipl_conf_load(struct ipl_conf *c, const char *path, char *err, size_t errlen);

/** Whether @p addr (host order) is inside @p p. */
static inline int
ipl_prefix_match(const struct ipl_prefix *p, uint32_t addr)
{
	uint32_t mask = p->len == 0 ? 0 : UINT32_MAX << (32 - p->len);

	return (addr & mask) == p->addr;
}

#endif /* IPL_CONF_H */
