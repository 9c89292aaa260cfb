/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

#ifndef MTAG_CORE_H
#define MTAG_CORE_H

/**
 * @file
 * mtag internals that are public only because the inline functions of
 * mtag.h (their bodies are in mtag_pvt.h) use them: the chain's layout in
 * the mbuf, and the per-lcore tag caches. They are part of the ABI, as
 * ethdev's rte_eth_fp_ops is, but not of the API. Include mtag.h, not this
 * file.
 */

#ifndef MTAG_H
#error "include mtag.h, not mtag_core.h"
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** @internal The mbuf dynamic field "mtag_dynfield_chain". */
struct mtag_chain {
	struct mtag *head; /**< Newest tag. */
	uint64_t summary;  /**< Bit (type % 64) set for every type on the chain. */
};

/** @internal Offset of struct mtag_chain in the mbuf; -1 before mtag_lib_init(). */
extern int mtag_dynfield_offset;
/** @internal ol_flags bit saying the chain field is valid; 0 before mtag_lib_init(). */
extern uint64_t mtag_dynflag_mask;

/**
 * @internal One lcore's cache of free tags of one size class: a stack that
 * mtag owns, filled from and drained to the class's pool in bulk by the
 * library (mtag_cache.c), with the lcore's counters of the class beside
 * it. The caches live in memory every process of the application shares,
 * one per lcore id and class, as rte_mempool's do.
 */
struct mtag_cache {
	uint32_t len;	     /**< Tags on the stack: objs[0] to objs[len - 1], the newest last. */
	uint32_t size;	     /**< Room for tags; 0 where the inline paths must not go. */
	uint64_t allocs;     /**< Tags this lcore had of the class. */
	uint64_t frees;	     /**< Tags it gave back. */
	uint64_t fails;	     /**< Tags it asked for and did not have. */
	struct mtag *objs[]; /**< The stack, @c size entries. */
};

/**
 * @internal The calling lcore's state, which the inline fast path reads
 * through one per-thread pointer, as rte_eth_rx_burst() reads
 * rte_eth_fp_ops; the library's own paths use the same struct. Nothing the
 * inline path reads is ever NULL: a cache it must not use is an empty one
 * with no room.
 */
struct mtag_lcore {
	/** The lcore's counters of tags in use, per type (MTAG_TYPE_SLOT()). */
	int64_t *type_in_use;
	/**
	 * Per size class, the lcore's cache. The entry at MTAG_CLASS_MAX, the
	 * class of a len no class holds, is the empty cache.
	 */
	struct mtag_cache *cache[MTAG_CLASS_MAX + 1];
	/**
	 * Per size class, the cache a tag may go back to with no destructor
	 * to run and no pool to look up: the lcore's own, or the empty cache
	 * where a destructor is set or the pools are on several sockets.
	 */
	struct mtag_cache *put[MTAG_CLASS_MAX + 1];
	/** mtag_lcore_gen when this state was filled; 0: never. */
	uint64_t gen;
	/** The lcore id it serves; LCORE_ID_ANY for unregistered threads. */
	unsigned int lcore_id;
	/** Shared by unregistered threads: counters are written with atomics. */
	bool shared;
	/** A thread of this process has used it: its fini gives the caches back. */
	bool used;
	/** The pools of the thread's socket, which the caches draw from. */
	struct rte_mempool *pool[MTAG_CLASS_MAX];
} __rte_cache_aligned;

/** @internal The calling thread's struct mtag_lcore; never NULL. */
RTE_DECLARE_PER_LCORE(struct mtag_lcore *, mtag_lcore_self);

/** @internal What the inline paths look up by a tag's len and type. */
struct mtag_tables {
	/** Size class of each len; MTAG_CLASS_MAX where no class holds it. */
	uint8_t class_of_len[UINT16_MAX + 1];
	/** Non-zero for a type id this process knows is registered. */
	uint8_t type_known[UINT16_MAX + 1];
};

/** @internal Filled by mtag_lib_init() and as types become known. */
extern struct mtag_tables mtag_tables;

/** @internal Index of a type's counter of tags in use; any uint16_t maps to one. */
#define MTAG_TYPE_SLOT(type) ((type) & (MTAG_TYPE_MAX - 1))

/** @internal Summary bit of a type. */
#define MTAG_SUMMARY_BIT(type) (UINT64_C(1) << ((type)&63))

/**
 * @internal The out-of-line body of mtag_add(), for every case.
 *
 * @param m
 *   First mbuf of the packet.
 * @param type
 *   Type id.
 * @param len
 *   Bytes of data.
 * @param flags
 *   Flags of mtag_add().
 * @return
 *   As mtag_add().
 */
void *__mtag_add(struct rte_mbuf *m, uint16_t type, uint16_t len, int flags);

/**
 * @internal The out-of-line body of mtag_delete_chain(), for every case.
 *
 * @param m
 *   First mbuf of the packet.
 */
void __mtag_delete_chain(struct rte_mbuf *m);

/**
 * @internal The out-of-line body of mtag_delete_chain_burst(), for every
 * case.
 *
 * @param pkts
 *   Packets.
 * @param n
 *   Number of packets.
 */
void __mtag_delete_chain_burst(struct rte_mbuf **pkts, uint16_t n);

/**
 * @internal The out-of-line body of mtag_add_burst(), for every case.
 *
 * @param pkts
 *   Packets.
 * @param n
 *   Number of packets.
 * @param type
 *   Type id.
 * @param len
 *   Bytes of data of each tag.
 * @param flags
 *   Flags of mtag_add_burst().
 * @param data
 *   Array of @p n entries for the tags' data.
 * @return
 *   As mtag_add_burst().
 */
unsigned int __mtag_add_burst(struct rte_mbuf **pkts, uint16_t n, uint16_t type, uint16_t len,
			      int flags, void **data);

/**
 * @internal The inline mtag_add_burst() met a NULL packet at index @p i,
 * having taken @p n tags off @p cache: the packets before it lose their new
 * tag, and the tags go back onto @p cache, uncounted.
 *
 * @param cache
 *   The cache the tags were taken from; they lie above its len.
 * @param pkts
 *   Packets.
 * @param i
 *   Index of the NULL packet.
 * @param n
 *   Number of packets, and of tags taken.
 * @param type
 *   Type id.
 * @return
 *   0, with rte_errno = EINVAL.
 */
unsigned int __mtag_add_burst_refused(struct mtag_cache *cache, struct rte_mbuf **pkts,
				      unsigned int i, unsigned int n, uint16_t type);

#ifdef MTAG_DEBUG
/** @internal Debug build: check a prepend; 0 when it may go on. */
int mtag_debug_check_prepend(const struct rte_mbuf *m, const struct mtag *t);
/** @internal Debug build: check that m's chain belongs to m; 0 when it does. */
int mtag_debug_check_chain(const struct rte_mbuf *m);
#endif

#ifdef __cplusplus
}
#endif

#endif /* MTAG_CORE_H */
