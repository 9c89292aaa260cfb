/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/* Tag memory: one rte_mempool per (NUMA socket, size class), with per-lcore
 * caches, so that get and put on the owning lcore take no lock and no atomic.
 * A tag goes back to the pool it came from (rte_mempool_from_obj), so tags
 * may be freed on any lcore or thread. */

#include <errno.h>
#include <stdio.h>

#include <rte_errno.h>

#include "mtag_priv.h"

static const uint16_t mtag_default_class_len[] = {16, 64, 256};

static void
mtag_pool_name(char *buf, size_t sz, unsigned int socket, unsigned int cls)
{
	snprintf(buf, sz, "mtag_s%u_c%u", socket, cls);
}

/* Sockets that have an lcore, the only ones that allocate tags. */
static void
mtag_sockets_used(bool used[MTAG_MAX_SOCKETS])
{
	unsigned int lcore, s;

	memset(used, 0, sizeof(bool) * MTAG_MAX_SOCKETS);
	RTE_LCORE_FOREACH(lcore)
	{
		s = rte_lcore_to_socket_id(lcore);
		used[s < MTAG_MAX_SOCKETS ? s : 0] = true;
	}
	s = rte_socket_id();
	used[s < MTAG_MAX_SOCKETS ? s : 0] = true;
}

static void
mtag_class_table(void)
{
	const struct mtag_shared *sh = mtag_state.shared;
	unsigned int len, cls = 0;

	mtag_state.max_len = sh->class_len[sh->nb_classes - 1];
	for (len = 0; len <= UINT16_MAX; len++) {
		while (cls < sh->nb_classes && len > sh->class_len[cls])
			cls++;
		mtag_class_of_len[len] = cls < sh->nb_classes ? cls : MTAG_CLASS_MAX;
	}
}

/* rte_mempool_create() with the configured mempool driver. */
static struct rte_mempool *
mtag_mempool_create(const char *name, unsigned int elt, int socket, unsigned int flags)
{
	const struct mtag_shared *sh = mtag_state.shared;
	struct rte_mempool *mp;
	int ret;

	if (sh->pool_ops[0] == '\0')
		return rte_mempool_create(name, sh->pool_size, elt, sh->cache_size, 0, NULL, NULL,
					  NULL, NULL, socket, flags);
	mp = rte_mempool_create_empty(name, sh->pool_size, elt, sh->cache_size, 0, socket, flags);
	if (mp == NULL)
		return NULL;
	ret = rte_mempool_set_ops_byname(mp, sh->pool_ops, NULL);
	if (ret != 0) {
		MTAG_LOG(ERR, "pool %s: no mempool driver \"%s\"", name, sh->pool_ops);
		rte_mempool_free(mp);
		rte_errno = EINVAL;
		return NULL;
	}
	ret = rte_mempool_populate_default(mp);
	if (ret < 0 || (unsigned int)ret != sh->pool_size) {
		rte_mempool_free(mp);
		rte_errno = ret < 0 ? -ret : ENOMEM;
		return NULL;
	}
	return mp;
}

static struct rte_mempool *
mtag_pool_create(unsigned int socket, unsigned int cls)
{
	const struct mtag_shared *sh = mtag_state.shared;
	char name[RTE_MEMPOOL_NAMESIZE];
	unsigned int elt = MTAG_PREFIX + sizeof(struct mtag) + sh->class_len[cls];
	struct rte_mempool *mp;

	/* Tags never reach a device: no IOVA, and 8-byte alignment is enough,
	 * which keeps a 16-byte-payload tag at 56 bytes with its header. */
	mtag_pool_name(name, sizeof(name), socket, cls);
	mp = mtag_mempool_create(name, elt, (int)socket,
				 RTE_MEMPOOL_F_NO_IOVA_CONTIG | RTE_MEMPOOL_F_NO_CACHE_ALIGN);
	if (mp == NULL && rte_errno == ENOMEM) {
		/* Tags on another socket cost every access a remote line. */
		MTAG_LOG(NOTICE, "pool %s: no memory on socket %u, taking any socket's", name,
			 socket);
		mp = mtag_mempool_create(name, elt, SOCKET_ID_ANY,
					 RTE_MEMPOOL_F_NO_IOVA_CONTIG |
						 RTE_MEMPOOL_F_NO_CACHE_ALIGN);
	}
	if (mp == NULL)
		MTAG_LOG(ERR,
			 "cannot create pool %s: %u tags of %u bytes (%" PRIu64 " KiB) with a "
			 "cache of %u per lcore: %s",
			 name, sh->pool_size, elt, (uint64_t)sh->pool_size * elt / 1024,
			 sh->cache_size,
			 rte_errno == ENOENT || rte_errno == 0
				 ? "no memory for its ring or objects (EAL memory too small?)"
				 : rte_strerror(rte_errno));
	return mp;
}

/* The effective configuration of conf (NULL: defaults) in sh's fields. */
void
mtag_conf_resolve(const struct mtag_conf *conf, struct mtag_conf_eff *sh)
{
	unsigned int i;
	uint32_t cache;

	memset(sh->class_len, 0, sizeof(sh->class_len));
	memset(sh->pool_ops, 0, sizeof(sh->pool_ops));
	if (conf != NULL && conf->pool_ops != NULL)
		strlcpy(sh->pool_ops, conf->pool_ops, sizeof(sh->pool_ops));

	if (conf != NULL && conf->class_len[0] != 0) {
		for (i = 0; i < MTAG_CLASS_MAX && conf->class_len[i] != 0; i++)
			sh->class_len[i] = conf->class_len[i];
	} else {
		for (i = 0; i < RTE_DIM(mtag_default_class_len); i++)
			sh->class_len[i] = mtag_default_class_len[i];
	}
	sh->nb_classes = i;
	sh->pool_size =
		conf != NULL && conf->pool_size != 0 ? conf->pool_size : MTAG_DEFAULT_POOL_SIZE;
	cache = conf != NULL && conf->cache_size != 0 ? conf->cache_size : MTAG_DEFAULT_CACHE_SIZE;
	if (cache == UINT32_MAX)
		cache = 0;
	/* rte_mempool refuses a cache that could hold most of the pool. */
	cache = RTE_MIN(cache, (uint32_t)RTE_MEMPOOL_CACHE_MAX_SIZE);
	cache = RTE_MIN(cache, (uint32_t)(sh->pool_size / 1.5));
	sh->cache_size = cache;
}

int
mtag_pools_init(const struct mtag_conf *conf)
{
	bool used[MTAG_MAX_SOCKETS];
	unsigned int s, c, first = MTAG_MAX_SOCKETS, nb_sockets = 0;
	struct mtag_conf_eff eff;

	mtag_conf_resolve(conf, &eff);
	mtag_state.shared->nb_classes = eff.nb_classes;
	mtag_state.shared->pool_size = eff.pool_size;
	mtag_state.shared->cache_size = eff.cache_size;
	memcpy(mtag_state.shared->class_len, eff.class_len, sizeof(eff.class_len));
	memcpy(mtag_state.shared->pool_ops, eff.pool_ops, sizeof(eff.pool_ops));
	mtag_class_table();
	mtag_sockets_used(used);
	for (s = 0; s < MTAG_MAX_SOCKETS; s++) {
		if (!used[s])
			continue;
		for (c = 0; c < mtag_state.shared->nb_classes; c++) {
			mtag_state.pool[s][c] = mtag_pool_create(s, c);
			if (mtag_state.pool[s][c] == NULL) {
				int err = rte_errno == EINVAL ? -EINVAL : -ENOMEM;

				mtag_pools_fini();
				return err;
			}
		}
		if (first == MTAG_MAX_SOCKETS)
			first = s;
		nb_sockets++;
	}
	mtag_state.default_socket = first;
	mtag_state.single_socket = nb_sockets == 1;
	return 0;
}

int
mtag_pools_attach(void)
{
	char name[RTE_MEMPOOL_NAMESIZE];
	unsigned int s, c, first = MTAG_MAX_SOCKETS, nb_sockets = 0;

	mtag_class_table();
	for (s = 0; s < MTAG_MAX_SOCKETS; s++) {
		for (c = 0; c < mtag_state.shared->nb_classes; c++) {
			mtag_pool_name(name, sizeof(name), s, c);
			mtag_state.pool[s][c] = rte_mempool_lookup(name);
		}
		if (mtag_state.pool[s][0] == NULL)
			continue;
		if (first == MTAG_MAX_SOCKETS)
			first = s;
		nb_sockets++;
	}
	if (first == MTAG_MAX_SOCKETS) {
		MTAG_LOG(ERR, "no tag pools found");
		return -ENOENT;
	}
	mtag_state.default_socket = first;
	mtag_state.single_socket = nb_sockets == 1;
	return 0;
}

void
mtag_pools_fini(void)
{
	unsigned int s, c;

	for (s = 0; s < MTAG_MAX_SOCKETS; s++)
		for (c = 0; c < MTAG_CLASS_MAX; c++) {
			rte_mempool_free(mtag_state.pool[s][c]);
			mtag_state.pool[s][c] = NULL;
		}
}

uint64_t mtag_gen;
RTE_DEFINE_PER_LCORE(struct mtag_thread, mtag_thread);
uint8_t mtag_class_of_len[UINT16_MAX + 1];
uint8_t mtag_type_known[UINT16_MAX + 1];

/* The cache of struct mtag_fp where the inline path must not go: nothing
 * to take, no room to put. */
static struct rte_mempool_cache mtag_cache_none;
static struct mtag_fp mtag_fp_none = {
	.get = {[0 ... MTAG_CLASS_MAX] = &mtag_cache_none},
	.put = {[0 ... MTAG_CLASS_MAX] = &mtag_cache_none},
};
static struct mtag_fp mtag_fp[RTE_MAX_LCORE];
RTE_DEFINE_PER_LCORE(struct mtag_fp *, mtag_lcore_fp) = &mtag_fp_none;

/* Only the caches are replaced, one pointer store each: an lcore reading its
 * view meanwhile sees its own cache or the empty one, never a NULL. */
void
mtag_views_reset(void)
{
	struct rte_mempool_cache *const none = &mtag_cache_none;
	unsigned int lcore, c;

	for (lcore = 0; lcore < RTE_MAX_LCORE; lcore++)
		for (c = 0; c <= MTAG_CLASS_MAX; c++) {
			__atomic_store_n(&mtag_fp[lcore].get[c], none, __ATOMIC_RELAXED);
			__atomic_store_n(&mtag_fp[lcore].put[c], none, __ATOMIC_RELAXED);
		}
	mtag_gen++;
}

/* A thread giving up its lcore id (rte_thread_unregister()) may not use
 * that lcore's caches any more; called on that thread. */
static void
mtag_lcore_uninit(unsigned int lcore_id, void *arg)
{
	RTE_SET_USED(lcore_id);
	RTE_SET_USED(arg);
	RTE_PER_LCORE(mtag_lcore_fp) = &mtag_fp_none;
}

int
mtag_views_init(void)
{
	static void *handle; /* once per process, kept: fini leaves no view */

	if (handle == NULL)
		handle = rte_lcore_callback_register("mtag", NULL, mtag_lcore_uninit, NULL);
	return handle != NULL ? 0 : -ENOMEM;
}

/* The inline fast paths' view of the calling thread's lcore, from its own
 * view: the same caches (none in a debug build, which checks every tag),
 * puts only where the thread's may go straight onto the cache. */
static struct mtag_fp *
mtag_fp_fill(const struct mtag_thread *th)
{
	struct mtag_fp *fp = &mtag_fp[th->lcore];
	unsigned int c;

	*fp = mtag_fp_none;
	for (c = 0; c < MTAG_CLASS_MAX; c++) {
		if (th->cache[c] == NULL)
			continue;
		if (!MTAG_DEBUG_BUILD)
			fp->get[c] = th->cache[c];
		if (th->fast_put)
			fp->put[c] = th->cache[c];
	}
	fp->allocs = th->st->allocs;
	fp->frees = th->st->frees;
	fp->type_in_use = th->st->type_in_use;
	return fp;
}

/* Pools of the calling thread's socket; non-EAL threads and sockets without
 * pools use the first socket that has them. */
struct mtag_thread *
mtag_thread_refresh(void)
{
	struct mtag_thread *th = &RTE_PER_LCORE(mtag_thread);
	unsigned int s = rte_socket_id(), lcore = rte_lcore_id(), c;

	if (s >= MTAG_MAX_SOCKETS || mtag_state.pool[s][0] == NULL)
		s = mtag_state.default_socket;
	th->lcore = lcore;
	th->shared_slot = lcore >= RTE_MAX_LCORE;
	th->st = &mtag_state.shared->stats[th->shared_slot ? RTE_MAX_LCORE : lcore];
	for (c = 0; c < MTAG_CLASS_MAX; c++) {
		th->pool[c] = mtag_state.pool[s][c];
		th->cache[c] = th->pool[c] != NULL && MTAG_CACHE_DIRECT
				       ? rte_mempool_default_cache(th->pool[c], lcore)
				       : NULL;
	}
	th->fast_put = !MTAG_DEBUG_BUILD && th->cache[0] != NULL && mtag_state.single_socket &&
		       !mtag_state.have_dtor;
	th->gen = mtag_gen;
	RTE_PER_LCORE(mtag_lcore_fp) = th->shared_slot ? &mtag_fp_none : mtag_fp_fill(th);
	return th;
}

/* Pool a tag came from. With pools on one socket only, its length says it,
 * without reading the mempool header in front of the tag. */
static inline struct rte_mempool *
mtag_pool_of_tag(struct mtag *t)
{
	if (likely(mtag_state.single_socket))
		return mtag_state.pool[mtag_state.default_socket][mtag_class_of_len[t->len]];
	return rte_mempool_from_obj(mtag_to_elt(t));
}

/* Whether tag t goes back to pool mp of size class cls. */
static inline bool
mtag_tag_in_pool(struct mtag *t, const struct rte_mempool *mp, unsigned int cls)
{
	if (likely(mtag_state.single_socket))
		return mtag_class_of_len[t->len] == cls;
	return rte_mempool_from_obj(mtag_to_elt(t)) == mp;
}

/* n tags of class cls through the public mempool call (which refills the
 * cache from the ring, or takes from the ring without a cache). */
int
mtag_tags_get(struct mtag_thread *th, unsigned int cls, struct mtag **tags, unsigned int n)
{
	struct rte_mempool *mp = th->pool[cls];

	if (unlikely(rte_mempool_generic_get(mp, (void **)tags, n,
					     rte_mempool_default_cache(mp, th->lcore)) != 0)) {
		mtag_count(&th->st->fails[cls], n, th->shared_slot);
		return -ENOMEM;
	}
	mtag_count(&th->st->allocs[cls], n, th->shared_slot);
	mtag_debug_mark_live(tags, n);
	return 0;
}

/* One tag straight from the calling lcore's cache, the common case; an
 * empty cache or a thread without one takes the public call. */
static __rte_always_inline struct mtag *
mtag_tag_get1(struct mtag_thread *th, unsigned int cls)
{
	struct rte_mempool_cache *cache = th->cache[cls];
	struct mtag *t;

	if (unlikely(cache == NULL || cache->len == 0))
		return mtag_tags_get(th, cls, &t, 1) == 0 ? t : NULL;
	t = cache->objs[--cache->len];
	th->st->allocs[cls]++; /* a thread with a cache has its own slot */
	mtag_debug_mark_live(&t, 1);
	return t;
}

/* Back to its pool, no destructor: into the calling lcore's cache while it
 * has room (as rte_mempool_put() would, without inlining its flush). */
static void
mtag_tag_put(struct mtag *t)
{
	struct mtag_thread *th = mtag_thread_self();
	unsigned int cls = mtag_class_of_len[t->len];
	struct rte_mempool_cache *cache = th->cache[cls];
	void *elt = mtag_to_elt(t);

#ifdef MTAG_DEBUG
	mtag_dbg(t)->magic = MTAG_MAGIC_FREE;
#endif
	mtag_count_type(th, t->type, -1);
	if (likely(cache != NULL && cache->len < cache->flushthresh) &&
	    likely(mtag_state.single_socket || rte_mempool_from_obj(elt) == th->pool[cls])) {
		cache->objs[cache->len++] = elt;
		th->st->frees[cls]++;
		return;
	}
	mtag_count(&th->st->frees[cls], 1, th->shared_slot);
	rte_mempool_put(mtag_pool_of_tag(t), elt);
}

static inline void
mtag_tag_dtor(struct mtag *t)
{
	if (unlikely(mtag_state.have_dtor) && t->cookie == MTAG_ABI_COMPAT) {
		mtag_dtor_t fn = mtag_state.dtor[t->type];

		if (fn != NULL)
			fn(t);
	}
}

void
mtag_tag_release(struct mtag *t)
{
	mtag_tag_dtor(t);
	mtag_tag_put(t);
}

void
mtag_tags_release(struct mtag **tags, unsigned int n)
{
	struct mtag_thread *th = mtag_thread_self();
	unsigned int i;

	for (i = 0; i < n; i++) {
		mtag_tag_dtor(tags[i]);
		mtag_count_type(th, tags[i]->type, -1);
	}
	mtag_tags_put(tags, n);
}

void
mtag_tags_put(struct mtag **tags, unsigned int n)
{
	/* Without the debug prefix a tag is its pool element; with it, elements
	 * overwrite their tags in place (tags[] is the caller's scratch). */
	void **elts = (void **)tags;
	struct mtag_thread *th = mtag_thread_self();
	struct rte_mempool *mp;
	unsigned int start, i, cls;

	/* Each run of tags from one pool goes back in one call, and is counted
	 * once: per-tag puts serialise on the cache length and the counter. */
	for (start = 0; start < n; start = i) {
		mp = mtag_pool_of_tag(tags[start]);
		cls = mtag_class_of_len[tags[start]->len];
		for (i = start + 1; i < n; i++)
			if (!mtag_tag_in_pool(tags[i], mp, cls))
				break;
#ifdef MTAG_DEBUG
		for (unsigned int j = start; j < i; j++) {
			mtag_dbg(tags[j])->magic = MTAG_MAGIC_FREE;
			elts[j] = mtag_to_elt(tags[j]);
		}
#endif
		mtag_count(&th->st->frees[cls], i - start, th->shared_slot);
		rte_mempool_put_bulk(mp, elts + start, i - start);
	}
}

/* The general path of a one-tag allocation: any thread, any build. */
static __rte_noinline struct mtag *
mtag_alloc_slow(uint32_t cookie, uint16_t type, uint16_t len, int flags)
{
	struct mtag_thread *th;
	struct mtag *t;

	if (unlikely(!mtag_args_valid(cookie, type, len))) {
		rte_errno = EINVAL;
		return NULL;
	}
	th = mtag_thread_self();
	t = mtag_tag_get1(th, mtag_class_of_len[len]);
	if (unlikely(t == NULL)) {
		rte_errno = ENOMEM;
		return NULL;
	}
	mtag_hdr_init(t, __mtag_hdr_word(cookie, type, len), flags);
	mtag_count_type(th, type, 1);
	return t;
}

/* The fast path of a one-tag allocation: a release build, a thread whose
 * view of the pools is current and whose cache has a tag, no MTAG_ZERO.
 * NULL when it does not apply. It makes no call, so that its callers need
 * not save registers. */
static __rte_always_inline struct mtag *
mtag_alloc_fast(uint32_t cookie, uint16_t type, uint16_t len, int flags)
{
	struct rte_mempool_cache *cache;
	struct mtag_thread *th;
	unsigned int cls;
	struct mtag *t;

	if (MTAG_DEBUG_BUILD)
		return NULL;
	th = &RTE_PER_LCORE(mtag_thread);
	if (unlikely(flags != 0 || !mtag_args_valid(cookie, type, len) || th->gen != mtag_gen ||
		     th->lcore != rte_lcore_id()))
		return NULL;
	cls = mtag_class_of_len[len];
	cache = th->cache[cls];
	if (unlikely(cache == NULL || cache->len == 0))
		return NULL;
	t = cache->objs[--cache->len];
	th->st->allocs[cls]++;
	th->st->type_in_use[MTAG_TYPE_SLOT(type)]++;
	mtag_hdr_init(t, __mtag_hdr_word(cookie, type, len), 0);
	return t;
}

struct mtag *
mtag_alloc(uint32_t cookie, uint16_t type, uint16_t len, int flags)
{
	struct mtag *t = mtag_alloc_fast(cookie, type, len, flags);

	MTAG_DEBUG_SITE();
	return likely(t != NULL) ? t : mtag_alloc_slow(cookie, type, len, flags);
}

/* The inline mtag_get() has tried its fast path, the same as
 * mtag_alloc_fast()'s: what comes here takes the general one. */
struct mtag *
__mtag_get(uint16_t type, uint16_t len, int flags)
{
	MTAG_DEBUG_SITE();
	return mtag_alloc_slow(MTAG_ABI_COMPAT, type, len, flags);
}

/* The scalar fused form lives with the allocator it uses; the burst one is
 * in mtag_burst.c. The inline mtag_add() has tried the fast path. */
void *
__mtag_add(struct rte_mbuf *m, uint16_t type, uint16_t len, int flags)
{
	struct mtag *t;

	MTAG_DEBUG_SITE();
	if (unlikely(m == NULL)) {
		rte_errno = EINVAL;
		return NULL;
	}
#ifdef MTAG_DEBUG
	if (mtag_debug_check_chain(m) != 0) {
		rte_errno = EINVAL;
		return NULL;
	}
#endif
	t = mtag_alloc_slow(MTAG_ABI_COMPAT, type, len, flags);
	if (unlikely(t == NULL))
		return NULL;
	__mtag_prepend(m, t, mtag_dynflag_mask, mtag_dynfield_offset);
	return t + 1;
}

/* Header of each of n new tags, taken from src (which may be the top of
 * the cache) into tags. The index runs from -n up to 0, as in mtag_burst.c. */
static __rte_always_inline void
mtag_tags_take(struct mtag **tags, struct mtag **src, unsigned int n, uint64_t hdr, int flags)
{
	struct mtag **const tags_end = tags + n, **const src_end = src + n;
	const __mtag_head16_t head = {0, hdr};
	struct mtag *t;
	intptr_t i;

	for (i = -(intptr_t)n; i != 0; i++) {
		t = src_end[i];
		tags_end[i] = t; /* out of the cache before anything else uses it */
		__mtag_head_init(t, head);
		if (unlikely(flags & MTAG_ZERO))
			memset(t + 1, 0, t->len);
	}
}

static __rte_noinline unsigned int
mtag_get_bulk_slow(uint16_t type, uint16_t len, int flags, struct mtag **tags, unsigned int n)
{
	struct mtag_thread *th;
	struct mtag **src;

	if (unlikely(tags == NULL || !mtag_args_valid(MTAG_ABI_COMPAT, type, len))) {
		rte_errno = EINVAL;
		return 0;
	}
	if (n == 0)
		return 0;
	th = mtag_thread_self();
	src = mtag_tags_borrow(th, mtag_class_of_len[len], tags, n);
	if (unlikely(src == NULL)) {
		rte_errno = ENOMEM;
		return 0;
	}
	mtag_tags_take(tags, src, n, __mtag_hdr_word(MTAG_ABI_COMPAT, type, len), flags);
	mtag_count_type(th, type, n);
	return n;
}

/* The common case on the lcore's cache (__mtag_take()); no MTAG_ZERO, whose
 * memset() calls would cost every call saved registers. */
unsigned int
mtag_get_bulk(uint16_t type, uint16_t len, int flags, struct mtag **tags, unsigned int n)
{
	struct rte_mempool_cache *cache;

	MTAG_DEBUG_SITE();
	if (unlikely(flags != 0 || tags == NULL))
		return mtag_get_bulk_slow(type, len, flags, tags, n);
	cache = __mtag_take(type, len, n);
	if (unlikely(cache == NULL))
		return mtag_get_bulk_slow(type, len, flags, tags, n);
	mtag_tags_take(tags, (struct mtag **)&cache->objs[cache->len], n,
		       __mtag_hdr_word(MTAG_ABI_COMPAT, type, len), 0);
	return n;
}

void
mtag_free(struct mtag *t)
{
	if (t == NULL || mtag_state.shared == NULL)
		return;
	if (likely(__mtag_put(t)))
		return;
#ifdef MTAG_DEBUG
	if (mtag_debug_check_free(t) != 0)
		return;
#endif
	mtag_tag_release(t);
}

/* Copy of one tag with the copier run; NULL and *err set on failure. */
struct mtag *
mtag_tag_copy(const struct mtag *src, int nomem, int *err)
{
	struct mtag_thread *th = mtag_thread_self();
	struct mtag *t;
	mtag_copier_t fn;
	int ret;

	t = mtag_tag_get1(th, mtag_class_of_len[src->len]);
	if (unlikely(t == NULL)) {
		*err = nomem;
		return NULL;
	}
	memcpy(t, src, sizeof(*t) + src->len);
	t->next = NULL;
	mtag_count_type(th, t->type, 1);
	fn = src->cookie == MTAG_ABI_COMPAT ? mtag_state.copier[src->type] : NULL;
	if (fn != NULL) {
		ret = fn(t, src);
		if (ret < 0) {
			/* The copy holds no reference: no destructor. */
			mtag_tag_put(t);
			*err = ret;
			return NULL;
		}
	}
	return t;
}

struct mtag *
mtag_copy(const struct mtag *t, int flags)
{
	struct mtag *c;
	int err;

	RTE_SET_USED(flags);
	MTAG_DEBUG_SITE();
	if (t == NULL || mtag_state.shared == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	c = mtag_tag_copy(t, -ENOMEM, &err);
	if (c == NULL)
		rte_errno = -err;
	return c;
}

uint64_t
mtag_in_use(void)
{
	const struct mtag_shared *sh = mtag_state.shared;
	uint64_t allocs = 0, frees = 0;
	unsigned int i, c;

	for (i = 0; i < MTAG_STATS_SLOTS; i++)
		for (c = 0; c < sh->nb_classes; c++) {
			allocs += __atomic_load_n(&sh->stats[i].allocs[c], __ATOMIC_RELAXED);
			frees += __atomic_load_n(&sh->stats[i].frees[c], __ATOMIC_RELAXED);
		}
	return allocs - frees;
}

int64_t
mtag_type_in_use(uint16_t type)
{
	const struct mtag_shared *sh = mtag_state.shared;
	int64_t n = 0;
	unsigned int i;

	for (i = 0; i < MTAG_STATS_SLOTS; i++)
		n += __atomic_load_n(&sh->stats[i].type_in_use[MTAG_TYPE_SLOT(type)],
				     __ATOMIC_RELAXED);
	return n;
}

int
mtag_pool_bytes_per_tag(unsigned int class_idx)
{
	struct rte_mempool_objsz sz;
	struct rte_mempool *mp;
	unsigned int elt;

	if (mtag_state.shared == NULL)
		return -ENOENT;
	if (class_idx >= mtag_state.shared->nb_classes)
		return -EINVAL;
	mp = mtag_state.pool[mtag_state.default_socket][class_idx];
	elt = MTAG_PREFIX + sizeof(struct mtag) + mtag_state.shared->class_len[class_idx];
	rte_mempool_calc_obj_size(elt, mp->flags, &sz);
	/* Each object has a slot in the ring that holds the free ones; the
	 * ring is the next power of two above the pool size. */
	return (int)(sz.total_size + sizeof(void *) * rte_align32pow2(mp->size + 1) / mp->size);
}
