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
/** SA ids are 0 .. IPL_MAX_SA - 1 (an index: counters per SA live in every lcore). */
#define IPL_MAX_SA 1024
/** Policies and routes: as many as memory holds, up to these (rte_acl, rte_lpm limits). */
#define IPL_MAX_SP (1u << 20)
#define IPL_MAX_ROUTES (1u << 20)
#define IPL_KEY_MAX 32
#define IPL_MTU_DEFAULT 1500
#define IPL_MTU_MIN 68 /* RFC 791; ports check theirs at start-up */
#define IPL_MTU_MAX 9600

/** Address families (prefix 'any' is both). */
#define IPL_AF_ANY 0
#define IPL_AF_INET 4
#define IPL_AF_INET6 6

enum ipl_dir { IPL_DIR_OUT = 0, IPL_DIR_IN = 1 };

enum ipl_alg {
	IPL_ALG_AES128_GCM,	   /**< RFC 4106, 16-byte ICV */
	IPL_ALG_AES128_CBC_SHA256, /**< RFC 3602 + RFC 4868 HMAC-SHA-256-128 */
	IPL_ALG_NULL,		   /**< RFC 2410, no ICV: benchmarks only */
};

enum ipl_role { IPL_PORT_UNUSED = 0, IPL_PORT_INSIDE, IPL_PORT_OUTSIDE };

enum ipl_action { IPL_ACT_PROTECT, IPL_ACT_BYPASS, IPL_ACT_DISCARD };

enum ipl_loop_action { IPL_LOOP_DROP = 0, IPL_LOOP_PORT };

/** Outer IPv4 DF bit of an outbound SA (RFC 4301 8.1): copied from the inner header
 * (the default; an inner IPv6 packet counts as DF), always set, always clear. */
enum ipl_df { IPL_DF_COPY = 0, IPL_DF_SET, IPL_DF_CLEAR };

/** An IPv4 or IPv6 address. */
struct ipl_addr {
	uint8_t family; /**< IPL_AF_INET or IPL_AF_INET6 (IPL_AF_ANY in a prefix 'any'). */
	union {
		uint32_t v4;	/**< Host byte order. */
		uint8_t v6[16]; /**< Network byte order. */
	};
};

struct ipl_prefix {
	struct ipl_addr a; /**< Host bits cleared. */
	uint8_t len;	   /**< 0..32 or 0..128. */
};

struct ipl_port_conf {
	enum ipl_role role;
	int has_peer;
	uint8_t peer_mac[6]; /**< Ethernet destination by default (else broadcast). */
	uint16_t mtu;	     /**< IP MTU; 0: IPL_MTU_DEFAULT. */
	char name[64];	     /**< EAL device name the port must be ("" any). */
};

struct ipl_sa_conf {
	int used;
	int line;
	enum ipl_dir dir;
	uint32_t spi;
	struct ipl_addr src; /**< Tunnel source (outbound: ours; inbound: the peer's). */
	struct ipl_addr dst; /**< Tunnel destination (inbound: ours); same family as src. */
	enum ipl_alg alg;
	uint8_t key[IPL_KEY_MAX];
	uint8_t key_len;
	uint8_t auth_key[IPL_KEY_MAX];
	uint8_t auth_key_len;
	uint8_t salt[4];
	int has_salt;
	uint32_t replay_win; /**< Inbound anti-replay window; 0 disables it. */
	int esn;	     /**< 64-bit sequence numbers (RFC 4303 2.2.1). */
	uint64_t seq;	/**< Outbound: first number sent (0: 1); inbound: highest already seen. */
	enum ipl_df df; /**< Outbound: the outer IPv4 DF bit. */
	int natt;	/**< UDP encapsulation, RFC 3948 (ports 4500), IPv4 tunnels. */
	uint8_t inner;	/**< Family of what it carries, from its policies (IPv4 if they
			 *   do not say): rte_ipsec gives an SA one. */
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
	struct ipl_sp_conf *sp;		   /**< In file order: first match wins (malloc'd). */
	unsigned int nb_sp;
	unsigned int sp_cap;
	struct ipl_route_conf *route; /**< Longest prefix wins; no prefix twice (malloc'd). */
	unsigned int nb_routes;
	unsigned int route_cap;
	enum ipl_loop_action loop_action;
	uint16_t loop_port;
	int loop_line;
};

/**
 * Parse a configuration held in memory.
 *
 * @param c
 *   Filled on success (zeroed first, so it must not hold a parsed configuration:
 *   ipl_conf_free() that first). On failure nothing is left allocated.
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
 *   0, or a negative errno with @p err filled: "FILE: what is wrong", for
 *   ipl_conf_parse()'s errors "FILE: line N: what is wrong".
 */
int ipl_conf_load(struct ipl_conf *c, const char *path, char *err, size_t errlen);

/** Free what ipl_conf_parse() allocated; @p c may then be parsed into again. */
void ipl_conf_free(struct ipl_conf *c);

/**
 * Whether @p addr is inside @p p ('any' holds every address of both families).
 * The reference the lookup tables are tested against; the packet path uses those.
 */
int ipl_prefix_match(const struct ipl_prefix *p, const struct ipl_addr *addr);

/** The route ipl_conf_parse() would pick for @p dst (longest prefix), or NULL. */
const struct ipl_route_conf *ipl_conf_route(const struct ipl_conf *c, const struct ipl_addr *dst);

/** Text form of @p a into @p buf (INET6_ADDRSTRLEN bytes are enough). */
const char *ipl_addr_str(const struct ipl_addr *a, char *buf, size_t len);

#endif /* IPL_CONF_H */
