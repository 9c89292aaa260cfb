/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

#ifndef MTAG_PRIV_H
#define MTAG_PRIV_H

/* Layout of the library's state: what processes share through a memzone,
 * what each process keeps for itself, what each thread caches, and the tag
 * pools' element layout.
 *
 * Pool verbs: get = take tags from a pool; put = give them back, no
 * destructor; release = run the type's destructor, then put. */

#include <stdbool.h>

#include <rte_common.h>
#include <rte_cycles.h>
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
#define MTAG_LOG(level, ...)                                                                       \
	rte_log(RTE_LOG_##level, mtag_logtype,                                                     \
		RTE_FMT("mtag: " RTE_FMT_HEAD(__VA_ARGS__, ) "\n", RTE_FMT_TAIL(__VA_ARGS__, )))

#define MTAG_SHARED_MZ "mtag_shared"
#define MTAG_SHARED_MAGIC 0x6d746167u /* "mtag" */
#define MTAG_MAX_SOCKETS RTE_MAX_NUMA_NODES

#define MTAG_DEFAULT_POOL_SIZE 16383 /* 2^n - 1 fills the pool's ring exactly */
#define MTAG_DEFAULT_CACHE_SIZE 256

/* The fast paths use an lcore's mempool cache directly (objs[], len,
 * flushthresh), as rte_mempool_generic_get/put do inline, without their
 * refill and flush code: a get pops from the top while len > 0, a put pushes
 * while len < flushthresh, anything else goes through the public calls.
 * Checked against DPDK 22.11, 23.11, 24.11 and 25.11, whose caches behave so;
 * with any other DPDK mtag uses the public calls only. The unit test
 * burst.mempool_cache_consistent fails when a DPDK behaves otherwise. */
#if RTE_VERSION >= RTE_VERSION_NUM(22, 11, 0, 0) && RTE_VERSION < RTE_VERSION_NUM(26, 0, 0, 0)
#define MTAG_CACHE_DIRECT 1
#else
#define MTAG_CACHE_DIRECT 0
#endif

/* In-use counters by type (MTAG_TYPE_SLOT(), mtag_core.h): tags with a
 * FreeBSD cookie count under their type id modulo MTAG_TYPE_MAX. */

/* Counters of one lcore, written only by that lcore; the last slot is shared
 * by all non-EAL threads and written with atomics. A tag freed on another
 * lcore than its own makes type_in_use negative there: only the sum over
 * slots means anything. */
struct mtag_lcore_stats {
	uint64_t allocs[MTAG_CLASS_MAX];
	uint64_t frees[MTAG_CLASS_MAX];
	uint64_t fails[MTAG_CLASS_MAX];
	int64_t type_in_use[MTAG_TYPE_MAX];
} __rte_cache_aligned;

#define MTAG_STATS_SLOTS (RTE_MAX_LCORE + 1)

/* What a struct mtag_conf comes to, defaults filled in. */
struct mtag_conf_eff {
	uint32_t nb_classes;
	uint32_t pool_size;
	uint32_t cache_size;
	uint16_t class_len[MTAG_CLASS_MAX];
	char pool_ops[RTE_MEMPOOL_OPS_NAMESIZE]; /* "": DPDK's default */
};

/* One per application, in a memzone: every process agrees on it. */
struct mtag_shared {
	uint32_t magic;
	uint32_t nb_classes;
	uint32_t pool_size;
	uint32_t cache_size;
	uint16_t class_len[MTAG_CLASS_MAX];
	char pool_ops[RTE_MEMPOOL_OPS_NAMESIZE]; /* "": DPDK's default */
	rte_spinlock_t lock;			 /* type registration */
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
	struct rte_mempool *pool[MTAG_MAX_SOCKETS][MTAG_CLASS_MAX];
	bool have_dtor; /* any destructor set: checked once per freed tag */
	mtag_dtor_t dtor[MTAG_TYPE_MAX];
	mtag_copier_t copier[MTAG_TYPE_MAX];
};

extern struct mtag_state mtag_state;

/* Bumped by every mtag_lib_init(), never reset: a thread's cached view of
 * the pools (struct mtag_thread) is stale when its gen differs. */
extern uint64_t mtag_gen;

/* The calling thread's pools, their caches and its counter slot, found once
 * per thread: rte_socket_id() and rte_mempool_default_cache() cost too much
 * for every tag. Filled again after mtag_lib_init(), or when the thread's
 * lcore id changes (rte_thread_register/unregister). */
struct mtag_thread {
	uint64_t gen;		  /* mtag_gen it was filled for; 0: never */
	unsigned int lcore;	  /* rte_lcore_id() it was filled for */
	unsigned int shared_slot; /* st is the non-EAL slot: count with atomics */
	/* Puts may go straight onto the cache: the thread has one, the pools
	 * are on one socket (a tag's class names its pool), no destructor is
	 * set, and this is not a debug build. */
	bool fast_put;
	struct mtag_lcore_stats *st;
	struct rte_mempool *pool[MTAG_CLASS_MAX];
	/* NULL for every class when the thread has no cache (an unregistered
	 * non-EAL thread, or cache_size UINT32_MAX). */
	struct rte_mempool_cache *cache[MTAG_CLASS_MAX];
};

RTE_DECLARE_PER_LCORE(struct mtag_thread, mtag_thread);
struct mtag_thread *mtag_thread_refresh(void);
/* Every thread's view and every lcore's struct mtag_fp are stale: after
 * init, fini, or a change of whether puts may skip destructors. */
void mtag_views_reset(void);
/* Once per process, before any view is filled: a thread that gives up its
 * lcore id leaves that lcore's struct mtag_fp. */
int mtag_views_init(void);

static __rte_always_inline struct mtag_thread *
mtag_thread_self(void)
{
	struct mtag_thread *th = &RTE_PER_LCORE(mtag_thread);

	if (likely(th->gen == mtag_gen && th->lcore == rte_lcore_id()))
		return th;
	return mtag_thread_refresh();
}

/* Pool element: [debug prefix] struct mtag, data. */
#ifdef MTAG_DEBUG
struct mtag_debug_hdr {
	uint64_t magic;
	const struct rte_mbuf *owner; /* packet whose chain holds the tag */
	const void *site;	      /* where the application allocated it */
	uint64_t tsc;		      /* when (rte_rdtsc()) */
};

/* The allocation site of the public call under way on this thread: the
 * application's return address, set on entry by MTAG_DEBUG_SITE(). */
RTE_DECLARE_PER_LCORE(const void *, mtag_debug_site);
#define MTAG_DEBUG_SITE() (RTE_PER_LCORE(mtag_debug_site) = __builtin_return_address(0))
#define MTAG_MAGIC_LIVE UINT64_C(0x6d7461676c697665)
#define MTAG_MAGIC_FREE UINT64_C(0x6d74616766726565)
#define MTAG_PREFIX sizeof(struct mtag_debug_hdr)
static inline struct mtag_debug_hdr *
mtag_dbg(const struct mtag *t)
{
	return (struct mtag_debug_hdr *)((uintptr_t)t - MTAG_PREFIX);
}
#define MTAG_DEBUG_BUILD 1
#else
#define MTAG_DEBUG_SITE() ((void)0)
#define MTAG_PREFIX 0
#define MTAG_DEBUG_BUILD 0
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

/* Whether a type id is registered. The answer is remembered for the inline
 * get (mtag_type_known): a type another process registered becomes known
 * to this one at its first out-of-line use. Written once, as the lcores
 * read it on every get. */
static inline bool
mtag_type_valid(uint16_t type)
{
	if (type >= MTAG_TYPE_MAX || mtag_state.shared->type_name[type][0] == '\0')
		return false;
	if (unlikely(!mtag_type_known[type]))
		mtag_type_known[type] = 1;
	return true;
}

static inline void
mtag_count(uint64_t *counter, uint64_t n, unsigned int shared_slot)
{
	if (likely(!shared_slot))
		*counter += n;
	else
		__atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

static inline void
mtag_count_type(struct mtag_thread *th, uint16_t type, int64_t n)
{
	int64_t *counter = &th->st->type_in_use[MTAG_TYPE_SLOT(type)];

	if (likely(!th->shared_slot))
		*counter += n;
	else
		__atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

static inline void
mtag_hdr_init(struct mtag *t, uint64_t hdr, int flags)
{
	t->next = NULL;
	memcpy(&t->type, &hdr, sizeof(hdr));
	if (unlikely(flags & MTAG_ZERO))
		memset(t + 1, 0, t->len);
}

static inline void
mtag_debug_mark_live(struct mtag **tags, unsigned int n)
{
#ifdef MTAG_DEBUG
	for (unsigned int i = 0; i < n; i++) {
		tags[i] = mtag_from_elt(tags[i]);
		mtag_dbg(tags[i])->magic = MTAG_MAGIC_LIVE;
		mtag_dbg(tags[i])->owner = NULL;
		mtag_dbg(tags[i])->site = RTE_PER_LCORE(mtag_debug_site);
		mtag_dbg(tags[i])->tsc = rte_rdtsc();
	}
#else
	RTE_SET_USED(tags);
	RTE_SET_USED(n);
#endif
}

/* mtag_pool.c */
void mtag_conf_resolve(const struct mtag_conf *conf, struct mtag_conf_eff *eff);
int mtag_pools_init(const struct mtag_conf *conf);
int mtag_pools_attach(void);
void mtag_pools_fini(void);
int mtag_tags_get(struct mtag_thread *th, unsigned int cls, struct mtag **tags, unsigned int n);
void mtag_tag_release(struct mtag *t);
void mtag_tags_release(struct mtag **tags, unsigned int n);
void mtag_tags_put(struct mtag **tags, unsigned int n);
/* A copy of src with its copier run; NULL with *err = nomem when tags run out
 * or the copier's return. */
struct mtag *mtag_tag_copy(const struct mtag *src, int nomem, int *err);
uint64_t mtag_in_use(void);
int64_t mtag_type_in_use(uint16_t type);

/* n tags of class cls, counted, where they are: on the top of the calling
 * lcore's cache, which gives them up (the caller uses them before its next
 * get or put on this thread), or else copied into tags[] by the public
 * mempool call. NULL when the pool has too few. */
static __rte_always_inline struct mtag **
mtag_tags_borrow(struct mtag_thread *th, unsigned int cls, struct mtag **tags, unsigned int n)
{
	struct rte_mempool_cache *cache;

	/* The debug build marks tags live on the way out: the public path (a
	 * test of its own, or the cache would be read for nothing). */
	if (MTAG_DEBUG_BUILD)
		return mtag_tags_get(th, cls, tags, n) == 0 ? tags : NULL;
	cache = th->cache[cls];
	if (unlikely(cache == NULL || cache->len < n))
		return mtag_tags_get(th, cls, tags, n) == 0 ? tags : NULL;
	cache->len -= n;
	th->st->allocs[cls] += n; /* a thread with a cache has its own slot */
	return (struct mtag **)&cache->objs[cache->len];
}

/* Whether a get of len bytes of a type with a cookie is valid. */
static inline bool
mtag_args_valid(uint32_t cookie, uint16_t type, uint16_t len)
{
	if (unlikely(mtag_state.shared == NULL || len > mtag_state.max_len))
		return false;
	return cookie != MTAG_ABI_COMPAT || mtag_type_valid(type);
}

/* mtag_chain.c */
uint64_t mtag_chain_summary(const struct mtag *t);
/* mtag_copy_chain() reporting tags running out as nomem. */
int mtag_chain_copy(struct rte_mbuf *to, const struct rte_mbuf *from, int nomem);
void mtag_delete_chain_burst_slow(struct rte_mbuf **pkts, uint16_t n);

/* mtag_registry.c */
void mtag_registry_init(struct mtag_shared *sh);

/* mtag_debug.c: every check returns 0 when the operation may go on */
#ifdef MTAG_DEBUG
void mtag_debug_error(const char *what, const struct mtag *t, const struct rte_mbuf *m);
int mtag_debug_check_free(const struct mtag *t);
int mtag_debug_check_unlink(const struct rte_mbuf *m, const struct mtag *t);
void mtag_debug_set_owner(struct mtag *head, const struct rte_mbuf *m);
#define mtag_debug_refused(m) (mtag_debug_check_chain(m) != 0)
#else
#define mtag_debug_refused(m) false
#endif

#endif /* MTAG_PRIV_H */
