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
#define MTAG_CACHE_MAX_SIZE 512

/* Per-lcore state, slot RTE_MAX_LCORE being the one all unregistered
 * threads share (no cache; counters written with atomics). */
#define MTAG_LCORE_SLOTS (RTE_MAX_LCORE + 1)

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
	/* Tags in use per type, per lcore slot. Tags with a FreeBSD cookie
	 * count under their type id modulo MTAG_TYPE_MAX; a tag freed on
	 * another lcore than its own makes a slot negative: only the sum over
	 * slots means anything. */
	int64_t type_in_use[MTAG_LCORE_SLOTS][MTAG_TYPE_MAX] __rte_cache_aligned;
	/* The caches, cache_bytes each, slot by slot, class by class
	 * (mtag_cache_of()). */
	size_t cache_bytes;
	uint8_t caches[] __rte_cache_aligned;
};

/* The inline paths index the caches' stack with len and take the tags
 * right after the cache's header (mtag_pvt.h (2), (3)). */
_Static_assert(offsetof(struct mtag_cache, objs) % sizeof(void *) == 0 &&
		       sizeof(struct mtag_cache) <= RTE_CACHE_LINE_SIZE,
	       "struct mtag_cache: its header and first tags in one line");
_Static_assert(MTAG_CACHE_MAX_SIZE <= UINT32_MAX / 2, "a cache's len and size fit uint32_t");

/* Lcore slot's cache of a class, in the shared zone. */
static inline struct mtag_cache *
mtag_cache_of(struct mtag_shared *sh, unsigned int slot, unsigned int cls)
{
	return (struct mtag_cache *)&sh
		->caches[(slot * (size_t)sh->nb_classes + cls) * sh->cache_bytes];
}

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

/* mtag_cache.c: the lcores' state and caches. mtag_lcore_gen changes with
 * every init and fini, which fill and empty every slot's state. */
extern uint64_t mtag_lcore_gen;
size_t mtag_cache_bytes(uint32_t cache_size);
void mtag_caches_init(struct mtag_shared *sh);
void mtag_lcores_init(void);
void mtag_lcores_fini(void);
void mtag_lcores_set_puts(void);
int mtag_lcores_callback(void);
struct mtag_lcore *mtag_lcore_bind(void);

/* The calling thread's state, bound to it at its first call after init or
 * after its lcore id changed (rte_thread_register/unregister). */
static __rte_always_inline struct mtag_lcore *
mtag_lcore_get(void)
{
	struct mtag_lcore *lc = RTE_PER_LCORE(mtag_lcore_self);

	if (likely(lc->gen == mtag_lcore_gen && lc->lcore_id == rte_lcore_id()))
		return lc;
	return mtag_lcore_bind();
}

/* n tags of class cls for the calling lcore, counted: where they lie. */
struct mtag **mtag_cache_take(struct mtag_lcore *lc, unsigned int cls, struct mtag **tags,
			      unsigned int n);
/* n tags of class cls, from pool mp, back to the calling lcore's cache or
 * to mp, counted; tags[] may be overwritten. */
void mtag_cache_give(struct mtag_lcore *lc, unsigned int cls, struct rte_mempool *mp,
		     struct mtag **tags, unsigned int n);

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
#else
#define MTAG_DEBUG_SITE() ((void)0)
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

/* Whether a type id is registered. The answer is remembered for the inline
 * get (mtag_tables.type_known): a type another process registered becomes
 * known to this one at its first out-of-line use. Written once, as the
 * lcores read it on every get. */
static inline bool
mtag_type_valid(uint16_t type)
{
	if (type >= MTAG_TYPE_MAX || mtag_state.shared->type_name[type][0] == '\0')
		return false;
	if (unlikely(!mtag_tables.type_known[type]))
		mtag_tables.type_known[type] = 1;
	return true;
}

/* Whether a get of len bytes of a type with a cookie is valid. */
static inline bool
mtag_args_valid(uint32_t cookie, uint16_t type, uint16_t len)
{
	if (unlikely(mtag_state.shared == NULL || len > mtag_state.max_len))
		return false;
	return cookie != MTAG_ABI_COMPAT || mtag_type_valid(type);
}

static inline void
mtag_count_type(const struct mtag_lcore *lc, uint16_t type, int64_t n)
{
	int64_t *counter = &lc->type_in_use[MTAG_TYPE_SLOT(type)];

	if (likely(!lc->shared))
		*counter += n;
	else
		__atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

/* A debug build marks each tag it hands out live, with where and when,
 * and each it takes back free. */
static inline void
mtag_debug_mark_live(struct mtag **tags, unsigned int n)
{
#ifdef MTAG_DEBUG
	for (unsigned int i = 0; i < n; i++) {
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

static inline void
mtag_debug_mark_free(struct mtag **tags, unsigned int n)
{
#ifdef MTAG_DEBUG
	for (unsigned int i = 0; i < n; i++)
		mtag_dbg(tags[i])->magic = MTAG_MAGIC_FREE;
#else
	RTE_SET_USED(tags);
	RTE_SET_USED(n);
#endif
}

/* mtag_pool.c */
void mtag_conf_resolve(const struct mtag_conf *conf, struct mtag_conf_eff *eff);
int mtag_pools_init(void);
void mtag_pools_fini(void);
/* Run the types' destructors and give the tags back; tags[] may be
 * overwritten. */
void mtag_tags_release(struct mtag **tags, unsigned int n);
/* Give tags back without destructors (their types' counts are the
 * caller's); tags[] may be overwritten. */
void mtag_tags_put(struct mtag_lcore *lc, struct mtag **tags, unsigned int n);
/* A copy of src with its copier run; NULL with *err = nomem when tags run out
 * or the copier's return. */
struct mtag *mtag_tag_copy(const struct mtag *src, int nomem, int *err);
uint64_t mtag_in_use(void);
int64_t mtag_type_in_use(uint16_t type);

/* mtag_chain.c */
uint64_t mtag_chain_summary(const struct mtag *t);
/* mtag_copy_chain() reporting tags running out as nomem. */
int mtag_chain_copy(struct rte_mbuf *to, const struct rte_mbuf *from, int nomem);

/* mtag_telemetry.c: one tag in mtag_dump()'s words, without the index
 * (type id and name, len, cookie, the predefined payloads decoded, the first
 * MTAG_TAG_TEXT_BYTES of the others in hex), cut to size; returns its length.
 * No text is longer than MTAG_TAG_TEXT_MAX - 1. */
#define MTAG_TAG_TEXT_BYTES 32
#define MTAG_TAG_TEXT_MAX 180 /* 72 for the header's words, 105 for the data's */
size_t mtag_tag_format(char *buf, size_t size, const struct mtag *t);

/* Writing text without snprintf(), for the words of tags: each writes at p
 * without a NUL and returns the end. The caller has the room. */
static inline char *
mtag_text_mem(char *p, const char *s, size_t len)
{
	memcpy(p, s, len);
	return p + len;
}

#define mtag_text_str(p, lit) mtag_text_mem((p), (lit), sizeof(lit) - 1)

/* v in decimal: at most 10 characters. */
static inline char *
mtag_text_u32(char *p, uint32_t v)
{
	char digits[10];
	unsigned int n = 0;

	/* Most numbers in tags are small: counts, indexes, lengths, ids. */
	if (v < 10) {
		*p = (char)('0' + v);
		return p + 1;
	}
	if (v < 100) {
		p[0] = (char)('0' + v / 10);
		p[1] = (char)('0' + v % 10);
		return p + 2;
	}
	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n > 0)
		*p++ = digits[--n];
	return p;
}

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
