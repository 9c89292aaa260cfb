/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

#ifndef MTAG_H
#define MTAG_H

/**
 * @file
 * mtag: packet tags for DPDK mbufs.
 *
 * A tag is a small typed record attached to a packet: a *record* of work
 * already done to it (decrypted under SA 7) or a *reminder* of work still to
 * do (insert VLAN 100 on TX). The API follows OpenBSD's m_tag_get(9), with
 * FreeBSD's cookies (mbuf_tags(9)) as an option.
 *
 * Tags hang off one mbuf dynamic field ("mtag_dynfield_chain") that is valid
 * only while the dynamic flag "mtag_dynflag_present" is set in ol_flags. PMD
 * RX and rte_pktmbuf_reset() rewrite ol_flags, so a fresh mbuf reads as
 * untagged without any per-packet initialisation. Tag memory comes from
 * per-socket rte_mempools with per-lcore caches.
 *
 * DPDK calls nothing when an mbuf is freed: free tagged packets with
 * mtag_pktmbuf_free(), or let mtag_eth_tx_strip() drop tags before a PMD
 * transmits (and later frees) them.
 *
 * Errors are reported as in DPDK: a negative errno value, or NULL with
 * rte_errno set. Every function accepts NULL for an mbuf or a tag: queries
 * return NULL, int functions return -EINVAL, void functions do nothing.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include "mtag_build_config.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A packet tag: a 16-byte header followed by @c len bytes of data. */
struct mtag {
	struct mtag *next; /**< Next (older) tag on the chain, or NULL. */
	uint16_t type;	   /**< Type id: predefined or from mtag_type_register(). */
	uint16_t len;	   /**< Bytes of data after the header (read only). */
	uint32_t cookie;   /**< Module cookie (FreeBSD); MTAG_ABI_COMPAT for mtag_get(). */
};

/** Cookie of every tag made by mtag_get(), and the only one mtag_find() matches. */
#define MTAG_ABI_COMPAT 0

/** Flag of mtag_get() and friends: zero-fill the data (otherwise undefined, as in BSD). */
#define MTAG_ZERO 0x1

/**
 * @name Predefined tag types (OpenBSD's set, plus VLAN).
 * @{
 */
#define MTAG_TYPE_IPSEC_IN_DONE 1  /**< Record: decrypted under an SA (struct mtag_ipsec). */
#define MTAG_TYPE_IPSEC_OUT_DONE 2 /**< Record: encrypted under an SA (struct mtag_ipsec). */
#define MTAG_TYPE_IPSEC_FLOWINFO 3 /**< IPsec flow of an output packet (uint32_t). */
#define MTAG_TYPE_WIREGUARD 4	   /**< Record: processed by a WireGuard peer (loops). */
#define MTAG_TYPE_GRE 5		   /**< Record: processed by a GRE interface (loops). */
#define MTAG_TYPE_DLT 6		   /**< Packet injected; data link type (uint32_t). */
#define MTAG_TYPE_PF_DIVERT 7	   /**< Packet diverted by a filter. */
#define MTAG_TYPE_PF_REASSEMBLED 8 /**< Packet reassembled from fragments. */
#define MTAG_TYPE_SRCROUTE 9	   /**< Source route of a received packet. */
#define MTAG_TYPE_CARP_BAL_IP 10   /**< Unicast L3 in L2 multicast (no data). */
#define MTAG_TYPE_VLAN 11	   /**< Record: VLAN header removed on RX (struct mtag_vlan). */
#define MTAG_TYPE_VLAN_INSERT 12   /**< Reminder: insert this VLAN on TX (struct mtag_vlan). */
#define MTAG_TYPE_USER_BASE 64	   /**< First id handed out by mtag_type_register(). */
#define MTAG_TYPE_MAX 512	   /**< Type ids are below this value. */
/** @} */

/** Longest type name, terminating NUL included. */
#define MTAG_TYPE_NAMESIZE 32

/** Data of MTAG_TYPE_VLAN and MTAG_TYPE_VLAN_INSERT tags (host byte order). */
struct mtag_vlan {
	uint16_t tpid; /**< 0x8100, 0x88a8, ... */
	uint16_t tci;  /**< PCP (3 bits), DEI (1 bit), VID (12 bits). */
};

/** Data of MTAG_TYPE_IPSEC_IN_DONE and MTAG_TYPE_IPSEC_OUT_DONE tags. */
struct mtag_ipsec {
	uint32_t sa_id; /**< Application's SA index. */
	uint32_t spi;	/**< SPI, host byte order. */
};

/** Most size classes a configuration may have. */
#define MTAG_CLASS_MAX 8
/** Largest payload a size class may have. */
#define MTAG_LEN_MAX 4096

/** Library configuration for mtag_lib_init(); zero fields take defaults. */
struct mtag_conf {
	/** Tags per size class and NUMA socket, fixed at init (0: 16383). */
	uint32_t pool_size;
	/** Per-lcore cache of each pool (0: 256; UINT32_MAX: no cache). */
	uint32_t cache_size;
	/**
	 * Payload bytes of each size class, ascending, 0-terminated
	 * (all 0: 16, 64, 256). The last one is the largest @c len allowed.
	 */
	uint16_t class_len[MTAG_CLASS_MAX];
	/**
	 * Mempool driver of the tag pools (NULL: DPDK's default, normally
	 * "ring_mp_mc"). Threads that may be preempted while they hold the
	 * pool's ring (unregistered threads, tiny caches, more threads than
	 * CPUs) stall the others on the default lock-free ring; "ring_mt_rts"
	 * or "ring_mt_hts" bound that wait (see the guide, "Sizing the pools").
	 */
	const char *pool_ops;
};

/** Counters of one size class, or of all of them. */
struct mtag_class_stats {
	uint64_t in_use;      /**< Tags allocated and not yet freed. */
	uint64_t allocs;      /**< Tags allocated. */
	uint64_t frees;	      /**< Tags freed. */
	uint64_t alloc_fails; /**< Tags asked for and not had (pool empty). */
	uint64_t cached;      /**< Free tags held in the lcores' caches. */
};

/** Statistics of mtag_stats_get(). */
struct mtag_stats {
	uint64_t in_use;		    /**< Tags allocated and not yet freed, all pools. */
	uint64_t allocs;		    /**< Tags allocated, all pools. */
	uint64_t frees;			    /**< Tags freed, all pools. */
	uint64_t alloc_fails;		    /**< Tags asked for and not had, all pools. */
	uint64_t debug_errors;		    /**< Misuses caught by a -Dmtag_debug=true build. */
	uint64_t cached;		    /**< Free tags held in the lcores' caches, all pools. */
	uint32_t nb_classes;		    /**< Entries used in @c class_len and @c cls. */
	uint16_t class_len[MTAG_CLASS_MAX]; /**< Payload size of each class. */
	struct mtag_class_stats cls[MTAG_CLASS_MAX]; /**< The same counters per class. */
};

/* ----------------------------------------------------------------- setup */

/**
 * Initialise the library: register the dynamic field and flag, create the
 * tag pools (primary process) or find them (secondary process). Call after
 * rte_eal_init(). Calling it again is harmless and returns 0.
 *
 * @param conf
 *   Configuration; NULL for defaults.
 * @return
 *   0 on success; -EINVAL for a bad configuration; -ENOMEM when pools or the
 *   shared zone cannot be created; -ENOENT in a secondary process when the
 *   primary has not initialised the library.
 */
int mtag_lib_init(const struct mtag_conf *conf);

/**
 * Free the pools and shared state (primary) or detach from them (secondary).
 *
 * @return
 *   0 on success; -EBUSY while tags are in use (nothing is freed);
 *   -ENOENT when the library is not initialised.
 */
int mtag_lib_fini(void);

/* ----------------------------------------------------------------- types */

/**
 * Register a tag type by name. The same name gives the same id in every
 * process of the application, primary or secondary.
 *
 * @param name
 *   1 to MTAG_TYPE_NAMESIZE - 1 letters, digits, '_' or '/' (the characters
 *   telemetry accepts, so that /mtag/types lists every type).
 * @return
 *   The id (>= MTAG_TYPE_USER_BASE); -EINVAL for a bad name; -EEXIST for the
 *   name of a predefined type; -ENOSPC when the registry is full; -ENOENT
 *   before mtag_lib_init().
 */
int mtag_type_register(const char *name);

/**
 * Find a type by name (predefined or registered).
 *
 * @param name
 *   Type name.
 * @return
 *   The id; -ENOENT if no such type; -EINVAL for a NULL name.
 */
int mtag_type_lookup(const char *name);

/**
 * Name of a type.
 *
 * @param type
 *   Type id.
 * @return
 *   The name, or NULL with rte_errno = ENOENT for an unknown type.
 */
const char *mtag_type_name(uint16_t type);

/**
 * Set the function called just before any tag of @p type is freed (copies
 * included, and copies rolled back by a failed mtag_copy_chain()). It lets a
 * tag that holds a reference drop it. Per process. Set it before the lcores
 * handle tags of the type: one freeing tags while it is set may free a few
 * of them without it.
 *
 * @param type
 *   Type id (predefined or registered).
 * @param fn
 *   Destructor, or NULL to clear it.
 * @return
 *   0; -EINVAL for an unknown type.
 */
int mtag_type_set_destructor(uint16_t type, void (*fn)(struct mtag *t));

/**
 * Set the function called after a tag of @p type was copied (mtag_copy(),
 * mtag_copy_chain(), mtag_pktmbuf_clone(), mtag_pktmbuf_copy()), so that a
 * copy holding a reference can take its own. A negative return fails that
 * copy; the copy is then freed without its destructor. Per process.
 *
 * @param type
 *   Type id (predefined or registered).
 * @param fn
 *   Copier, or NULL to clear it.
 * @return
 *   0; -EINVAL for an unknown type.
 */
int mtag_type_set_copier(uint16_t type, int (*fn)(struct mtag *dst, const struct mtag *src));

/* ------------------------------------------------------------------ tags */

/**
 * Allocate a tag with a FreeBSD cookie (m_tag_alloc()).
 *
 * @param cookie
 *   Module cookie; MTAG_ABI_COMPAT for an OpenBSD-style tag.
 * @param type
 *   Type id. With a cookie other than MTAG_ABI_COMPAT the type is the
 *   module's own and need not be registered.
 * @param len
 *   Bytes of data.
 * @param flags
 *   0 or MTAG_ZERO.
 * @return
 *   As mtag_get().
 */
struct mtag *mtag_alloc(uint32_t cookie, uint16_t type, uint16_t len, int flags);

#include "mtag_core.h"
#include "mtag_pvt.h"

/**
 * Allocate a tag with cookie MTAG_ABI_COMPAT, from the pool of the calling
 * lcore's socket. The tag is not on any chain.
 *
 * @param type
 *   Type id (predefined or registered).
 * @param len
 *   Bytes of data, up to the largest size class (256 by default).
 * @param flags
 *   0 or MTAG_ZERO.
 * @return
 *   The tag; NULL with rte_errno = EINVAL (unknown type, @p len too large,
 *   before init) or ENOMEM (pool exhausted).
 */
static __rte_always_inline struct mtag *
mtag_get(uint16_t type, uint16_t len, int flags)
{
	return __mtag_do_get(type, len, flags);
}

/**
 * Free a tag that is on no chain. Its type's destructor runs first.
 *
 * @param t
 *   Tag, or NULL.
 */
void mtag_free(struct mtag *t);

/**
 * Make an unlinked copy of a tag (header and data), then run the type's
 * copier.
 *
 * @param t
 *   Tag to copy.
 * @param flags
 *   Reserved, 0.
 * @return
 *   The copy; NULL with rte_errno = EINVAL (NULL @p t), ENOMEM (pool
 *   exhausted) or the copier's error.
 */
struct mtag *mtag_copy(const struct mtag *t, int flags);

/**
 * Pointer to a tag's data.
 *
 * @param t
 *   Tag.
 * @return
 *   The @c len bytes that follow the header.
 */
static __rte_always_inline void *
mtag_data(struct mtag *t)
{
	return (void *)(t + 1);
}

/**
 * Make a packet untagged without freeing anything. Never needed after PMD RX
 * or rte_pktmbuf_alloc(); use it on an mbuf whose dynamic fields were copied
 * from another one.
 *
 * @param m
 *   First mbuf of the packet.
 */
static inline void
mtag_init(struct rte_mbuf *m)
{
	if (m != NULL)
		m->ol_flags &= ~mtag_dynflag_mask;
}

/**
 * First (newest) tag of a packet.
 *
 * @param m
 *   First mbuf of the packet.
 * @return
 *   The tag, or NULL.
 */
static __rte_always_inline struct mtag *
mtag_first(const struct rte_mbuf *m)
{
	if (m == NULL || !mtag_is_tagged(m))
		return NULL;
#ifdef MTAG_DEBUG
	if (mtag_debug_check_chain(m) != 0)
		return NULL;
#endif
	return mtag_chain_of(m)->head;
}

/**
 * Tag after @p t on a packet's chain.
 *
 * @param m
 *   First mbuf of the packet.
 * @param t
 *   A tag on @p m.
 * @return
 *   The next tag; NULL at the end of the chain or when @p m or @p t is NULL.
 */
static __rte_always_inline struct mtag *
mtag_next(const struct rte_mbuf *m, const struct mtag *t)
{
	return m != NULL && t != NULL ? t->next : NULL;
}

/**
 * Find a tag by cookie and type (FreeBSD's m_tag_locate()).
 *
 * @param m
 *   First mbuf of the packet.
 * @param cookie
 *   Module cookie.
 * @param type
 *   Type id.
 * @param start
 *   Search after this tag; NULL to search from the newest.
 * @return
 *   The first matching tag after @p start, or NULL.
 */
static __rte_always_inline struct mtag *
mtag_locate(const struct rte_mbuf *m, uint32_t cookie, uint16_t type, const struct mtag *start)
{
	return __mtag_locate(m, cookie, type, start, mtag_dynflag_mask, mtag_dynfield_offset,
			     false);
}

/**
 * Find a tag of @p type among the tags with cookie MTAG_ABI_COMPAT
 * (OpenBSD's m_tag_find()). Duplicates of a type are legal: pass the last
 * one found as @p start to find the next.
 *
 * @param m
 *   First mbuf of the packet.
 * @param type
 *   Type id.
 * @param start
 *   Search after this tag; NULL to search from the newest.
 * @return
 *   The tag, or NULL.
 */
static __rte_always_inline struct mtag *
mtag_find(const struct rte_mbuf *m, uint16_t type, const struct mtag *start)
{
	return mtag_locate(m, MTAG_ABI_COMPAT, type, start);
}

/**
 * Attach a tag at the head of a packet's chain: mtag_first() returns it.
 * The packet owns the tag from then on.
 *
 * @param m
 *   First mbuf of the packet.
 * @param t
 *   A tag on no chain.
 */
static __rte_always_inline void
mtag_prepend(struct rte_mbuf *m, struct mtag *t)
{
	__mtag_prepend(m, t, mtag_dynflag_mask, mtag_dynfield_offset);
}

/**
 * Remove a tag from a packet's chain without freeing it.
 *
 * @param m
 *   First mbuf of the packet.
 * @param t
 *   A tag on @p m. If it is not, nothing happens (a -Dmtag_debug=true
 *   build logs and counts it as a misuse).
 */
void mtag_unlink(struct rte_mbuf *m, struct mtag *t);

/**
 * Remove a tag from a packet's chain and free it.
 *
 * @param m
 *   First mbuf of the packet.
 * @param t
 *   A tag on @p m. If it is not, nothing happens (a -Dmtag_debug=true
 *   build logs and counts it as a misuse).
 */
void mtag_delete(struct rte_mbuf *m, struct mtag *t);

/**
 * Free every tag of a packet; the packet is untagged after.
 *
 * @param m
 *   First mbuf of the packet.
 */
static __rte_always_inline void
mtag_delete_chain(struct rte_mbuf *m)
{
	__mtag_do_delete_chain(m);
}

/**
 * Give @p to copies of all of @p from's tags, in the same order, replacing
 * its own. Transactional: on failure @p to is left exactly as it was and
 * nothing is leaked.
 *
 * @param to
 *   Destination packet.
 * @param from
 *   Source packet.
 * @return
 *   0; -EINVAL for a NULL argument; -ENOBUFS when tags run out; a copier's
 *   negative return.
 */
int mtag_copy_chain(struct rte_mbuf *to, const struct rte_mbuf *from);

/**
 * Move all tags of @p from to @p to (M_MOVE_PKTHDR): @p to's own tags are
 * freed, @p from is untagged after.
 *
 * @param to
 *   Destination packet.
 * @param from
 *   Source packet.
 */
void mtag_move(struct rte_mbuf *to, struct rte_mbuf *from);

/* ----------------------------------------------------------- burst forms */

/**
 * Allocate @p n tags, all or nothing.
 *
 * @param type
 *   Type id.
 * @param len
 *   Bytes of data of each tag.
 * @param flags
 *   0 or MTAG_ZERO.
 * @param tags
 *   Array of at least @p n entries, filled on success.
 * @param n
 *   Number of tags.
 * @return
 *   @p n; 0 with rte_errno = EINVAL or ENOMEM (nothing allocated).
 */
unsigned int mtag_get_bulk(uint16_t type, uint16_t len, int flags, struct mtag **tags,
			   unsigned int n);

/**
 * Prepend @c tags[i] to @c pkts[i] for i < @p n. NULL entries are skipped.
 *
 * @param pkts
 *   Packets.
 * @param tags
 *   Tags on no chain.
 * @param n
 *   Number of packets.
 */
void mtag_prepend_burst(struct rte_mbuf **pkts, struct mtag **tags, uint16_t n);

/**
 * Find the first tag of @p type on each packet.
 *
 * @param pkts
 *   Packets.
 * @param n
 *   Number of packets.
 * @param type
 *   Type id.
 * @param out
 *   @c out[i] is set to the first tag of @p type on @c pkts[i], or NULL.
 * @return
 *   How many packets have one.
 */
uint16_t mtag_find_burst(struct rte_mbuf **pkts, uint16_t n, uint16_t type, struct mtag **out);

/**
 * Free every tag of each packet.
 *
 * @param pkts
 *   Packets; NULL entries are skipped.
 * @param n
 *   Number of packets.
 */
static __rte_always_inline void
mtag_delete_chain_burst(struct rte_mbuf **pkts, uint16_t n)
{
	__mtag_do_delete_chain_burst(pkts, n, true);
}

/* ----------------------------------------------------------- fused forms */

/**
 * Allocate a tag and prepend it to a packet (mtag_get() + mtag_prepend()),
 * the common case of tagging on RX.
 *
 * @param m
 *   First mbuf of the packet.
 * @param type
 *   Type id (predefined or registered).
 * @param len
 *   Bytes of data.
 * @param flags
 *   0 or MTAG_ZERO.
 * @return
 *   The new tag's data (the tag is now first on @p m); NULL with rte_errno =
 *   EINVAL (NULL @p m, unknown type, @p len too large, before init) or ENOMEM
 *   (pool exhausted), and @p m unchanged.
 */
static __rte_always_inline void *
mtag_add(struct rte_mbuf *m, uint16_t type, uint16_t len, int flags)
{
	return __mtag_do_add(m, type, len, flags);
}

/**
 * Allocate a tag for each packet of a burst and prepend it, all or nothing
 * (mtag_get_bulk() + mtag_prepend_burst() in one pass).
 *
 * @param pkts
 *   Packets (first mbufs); none may be NULL.
 * @param n
 *   Number of packets.
 * @param type
 *   Type id (predefined or registered).
 * @param len
 *   Bytes of data of each tag.
 * @param flags
 *   0 or MTAG_ZERO.
 * @param data
 *   Array of at least @p n entries: @c data[i] is set to the data of the tag
 *   now first on @c pkts[i].
 * @return
 *   @p n; 0 with rte_errno = EINVAL (NULL array or packet, unknown type,
 *   @p len too large, before init) or ENOMEM (pool exhausted), and no packet
 *   changed.
 */
static __rte_always_inline unsigned int
mtag_add_burst(struct rte_mbuf **pkts, uint16_t n, uint16_t type, uint16_t len, int flags,
	       void **data)
{
	return __mtag_do_add_burst(pkts, n, type, len, flags, data);
}

/* ------------------------------------------------------ packet lifecycle */

/**
 * Free a packet's tags, then the packet (rte_pktmbuf_free()).
 *
 * @param m
 *   Packet, or NULL.
 */
void mtag_pktmbuf_free(struct rte_mbuf *m);

/**
 * Free the tags, then the packets (rte_pktmbuf_free_bulk()).
 *
 * @param pkts
 *   Packets; NULL entries are skipped.
 * @param n
 *   Number of packets.
 */
void mtag_pktmbuf_free_bulk(struct rte_mbuf **pkts, unsigned int n);

/**
 * Clone a packet (rte_pktmbuf_clone()) with its own copies of the tags.
 *
 * @param m
 *   Packet.
 * @param mp
 *   Pool of the indirect mbufs.
 * @return
 *   The clone; NULL with rte_errno = EINVAL (NULL argument, before
 *   mtag_lib_init()), ENOMEM (mbufs or tags ran out) or a copier's error;
 *   nothing is leaked.
 */
struct rte_mbuf *mtag_pktmbuf_clone(struct rte_mbuf *m, struct rte_mempool *mp);

/**
 * Copy a packet (rte_pktmbuf_copy()) with its own copies of the tags.
 *
 * @param m
 *   Packet.
 * @param mp
 *   Pool of the new mbufs.
 * @param off
 *   Offset of the data to copy.
 * @param len
 *   Bytes to copy (UINT32_MAX: to the end).
 * @return
 *   The copy; NULL with rte_errno = EINVAL (NULL argument, @p off past the
 *   data, before mtag_lib_init()), ENOMEM (mbufs or tags ran out) or a
 *   copier's error; nothing is leaked.
 */
struct rte_mbuf *mtag_pktmbuf_copy(const struct rte_mbuf *m, struct rte_mempool *mp, uint32_t off,
				   uint32_t len);

/* --------------------------------------------------------- observability */

/**
 * Read the counters, summed over all pools and lcores (and processes).
 *
 * @param s
 *   Filled on success.
 * @return
 *   0; -EINVAL for NULL; -ENOENT before mtag_lib_init().
 */
int mtag_stats_get(struct mtag_stats *s);

/**
 * Print a packet's tags, newest first, in the manner of rte_pktmbuf_dump():
 * type id and name, len, cookie, and the data: decoded for the predefined
 * VLAN (tpid, PCP, DEI, VID) and IPsec (SA id, SPI) types, the first 32
 * bytes in hex for the others.
 *
 * @param f
 *   Stream to print to.
 * @param m
 *   First mbuf of the packet.
 */
void mtag_dump(FILE *f, const struct rte_mbuf *m);

/**
 * List the live tags (allocated and not freed) grouped by type and
 * allocation site (the application's call that made them, as
 * "function+offset" where the symbol is known), with counts and the oldest
 * one's age in TSC cycles. Telemetry /mtag/leaks gives the same. Needs a
 * -Dmtag_debug=true build, where each tag records its site; it walks every
 * pool, so it is for a leak hunt, not the fast path.
 *
 * @param f
 *   Stream to print to.
 * @return
 *   The number of live tags; -ENOTSUP in a release build; -EINVAL for a
 *   NULL stream; -ENOENT before mtag_lib_init().
 */
int mtag_debug_dump_live(FILE *f);

/**
 * Bytes of pool memory one tag of a size class costs: the object with its
 * mempool header, and its slot in the pool's ring. Fixed costs per pool
 * (the per-lcore cache arrays) are not included.
 *
 * @param class_idx
 *   Size class index, below mtag_stats.nb_classes.
 * @return
 *   Bytes per tag; -EINVAL for a bad index; -ENOENT before init.
 */
int mtag_pool_bytes_per_tag(unsigned int class_idx);

#ifdef __cplusplus
}
#endif

#endif /* MTAG_H */
