/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

#ifndef MTAG_PRIV_H
#define MTAG_PRIV_H

/* Layout of the library's state: what processes share through a memzone,
 * what each process keeps for itself, and the tag pools' element layout. */

#include <stdbool.h>

#include <rte_common.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mempool.h>
#include <rte_spinlock.h>
#include <rte_version.h>

#include "mtag.h"

/* DPDK releases differ: one guard per difference, named for the release that
 * made it. 23.03 renamed rte_tel_data_add_dict_u64 (gone in 24.11's -Werror
 * build as deprecated, and removed in 25.11). */
#if RTE_VERSION >= RTE_VERSION_NUM(23, 3, 0, 0)
#define mtag_tel_add_u64 rte_tel_data_add_dict_uint
#else
#define mtag_tel_add_u64 rte_tel_data_add_dict_u64
#endif

extern int mtag_logtype;
#define MTAG_LOG(level, ...) \
	rte_log(RTE_LOG_##level, mtag_logtype, \
		RTE_FMT("mtag: " RTE_FMT_HEAD(__VA_ARGS__, ) "\n", RTE_FMT_TAIL(__VA_ARGS__, )))

#define MTAG_SHARED_MZ "mtag_shared"
#define MTAG_SHARED_MAGIC 0x6d746167u /* "mtag" */
#define MTAG_MAX_SOCKETS RTE_MAX_NUMA_NODES

#define MTAG_DEFAULT_POOL_SIZE 16383 /* 2^n - 1 fills the pool's ring exactly */
#define MTAG_DEFAULT_CACHE_SIZE 256

/* Counters of one lcore, written only by that lcore; the last slot is shared
 * by all non-EAL threads and written with atomics. */
struct mtag_lcore_stats {
	uint64_t allocs[MTAG_CLASS_MAX];
	uint64_t frees[MTAG_CLASS_MAX];
	uint64_t fails[MTAG_CLASS_MAX];
} __rte_cache_aligned;

#define MTAG_STATS_SLOTS (RTE_MAX_LCORE + 1)

/* One per application, in a memzone: every process agrees on it. */
struct mtag_shared {
	uint32_t magic;
	uint32_t nb_classes;
	uint32_t pool_size;
	uint32_t cache_size;
	uint16_t class_len[MTAG_CLASS_MAX];
	rte_spinlock_t lock; /* type registration */
	uint64_t debug_errors;
	char type_name[MTAG_TYPE_MAX][MTAG_TYPE_NAMESIZE]; /* "" = free id */
	struct mtag_lcore_stats stats[MTAG_STATS_SLOTS];
};

typedef void (*mtag_dtor_t)(struct mtag *t);
typedef int (*mtag_copier_t)(struct mtag *dst, const struct mtag *src);

/* One per process. */
struct mtag_state {
	struct mtag_shared *shared; /* NULL: not initialised */
	const struct rte_memzone *mz;
	bool primary;
	unsigned int default_socket;
	bool single_socket; /* pools on one socket only */
	uint16_t max_len;
	uint8_t class_of_len[MTAG_LEN_MAX + 1];
	struct rte_mempool *pool[MTAG_MAX_SOCKETS][MTAG_CLASS_MAX];
	bool have_dtor; /* any destructor set: checked once per freed tag */
	mtag_dtor_t dtor[MTAG_TYPE_MAX];
	mtag_copier_t copier[MTAG_TYPE_MAX];
};

extern struct mtag_state mtag_state;

/* Pool element: [debug prefix] struct mtag, data. */
#ifdef MTAG_DEBUG
struct mtag_debug_hdr {
	uint64_t magic;
	const struct rte_mbuf *owner; /* packet whose chain holds the tag */
};
#define MTAG_MAGIC_LIVE UINT64_C(0x6d7461676c697665)
#define MTAG_MAGIC_FREE UINT64_C(0x6d74616766726565)
#define MTAG_PREFIX sizeof(struct mtag_debug_hdr)
static inline struct mtag_debug_hdr *
mtag_dbg(const struct mtag *t)
{
	return (struct mtag_debug_hdr *)((uintptr_t)t - MTAG_PREFIX);
}
#else
#define MTAG_PREFIX 0
#endif

static inline void *
mtag_to_elt(struct mtag *t)
{
	return (char *)t - MTAG_PREFIX;
}

static inline struct mtag *
mtag_from_elt(void *elt)
{
	return (struct mtag *)((char *)elt + MTAG_PREFIX);
}

static inline bool
mtag_type_valid(uint16_t type)
{
	return type < MTAG_TYPE_MAX && mtag_state.shared->type_name[type][0] != '\0';
}

/* Counter slot of the calling thread. */
static inline struct mtag_lcore_stats *
mtag_stats_slot(unsigned int *shared_slot)
{
	unsigned int id = rte_lcore_id();

	*shared_slot = id >= RTE_MAX_LCORE;
	return &mtag_state.shared->stats[*shared_slot ? RTE_MAX_LCORE : id];
}

static inline void
mtag_count(uint64_t *counter, uint64_t n, unsigned int shared_slot)
{
	if (likely(!shared_slot))
		*counter += n;
	else
		__atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

/* mtag_pool.c */
int mtag_pools_init(const struct mtag_conf *conf);
int mtag_pools_attach(void);
void mtag_pools_fini(void);
int mtag_tags_get(unsigned int cls, struct mtag **tags, unsigned int n);
void mtag_tag_release(struct mtag *t);
void mtag_tags_release(struct mtag **tags, unsigned int n);
struct mtag *mtag_tag_copy(const struct mtag *src, int *err);
uint64_t mtag_in_use(void);

/* mtag_registry.c */
void mtag_registry_init(struct mtag_shared *sh);

/* mtag_debug.c: every check returns 0 when the operation may go on */
#ifdef MTAG_DEBUG
void mtag_debug_error(const char *what, const struct mtag *t, const struct rte_mbuf *m);
int mtag_debug_check_free(const struct mtag *t);
int mtag_debug_check_unlink(const struct rte_mbuf *m, const struct mtag *t);
void mtag_debug_set_owner(struct mtag *head, const struct rte_mbuf *m);
#endif

#endif /* MTAG_PRIV_H */
