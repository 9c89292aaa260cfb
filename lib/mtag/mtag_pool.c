/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/* Tag memory: one rte_mempool per (NUMA socket, size class), behind the
 * lcores' own caches (mtag_cache.c), so that get and put on the owning lcore
 * take no lock and no atomic; and the general bodies of getting, freeing
 * and copying tags. A tag goes back to the pool it came from, so tags may
 * be freed on any lcore or thread. */

#include <errno.h>
#include <stdio.h>

#include <rte_errno.h>

#include "mtag_priv.h"

static const uint16_t mtag_default_class_len[] = {16, 64, 256};

static void
mtag_class_table(void)
{
	const struct mtag_shared *sh = mtag_state.shared;
	unsigned int len, cls = 0;

	mtag_state.max_len = sh->class_len[sh->nb_classes - 1];
	for (len = 0; len <= UINT16_MAX; len++) {
		while (cls < sh->nb_classes && len > sh->class_len[cls])
			cls++;
		mtag_tables.class_of_len[len] = cls < sh->nb_classes ? cls : MTAG_CLASS_MAX;
	}
}

/* A pool of tags of class cls on a socket, with the configured mempool
 * driver (rte_mempool_create()'s own by default) and no mempool cache: the
 * lcores' caches are mtag's. Tags never reach a device: no IOVA, and
 * 8-byte alignment is enough, which keeps a 16-byte-payload tag at 56
 * bytes with its header. */
static struct rte_mempool *
mtag_mempool_create(const char *name, unsigned int cls, int socket)
{
	const struct mtag_shared *sh = mtag_state.shared;
	const unsigned int elt = MTAG_PREFIX + sizeof(struct mtag) + sh->class_len[cls];
	struct rte_mempool *mp;
	int ret;

	mp = rte_mempool_create_empty(name, sh->pool_size, elt, 0, 0, socket,
				      RTE_MEMPOOL_F_NO_IOVA_CONTIG | RTE_MEMPOOL_F_NO_CACHE_ALIGN);
	if (mp == NULL)
		return NULL;
	ret = rte_mempool_set_ops_byname(mp, sh->pool_ops[0] ? sh->pool_ops : "ring_mp_mc", NULL);
	if (ret != 0) {
		MTAG_LOG(ERR, "pool %s: no mempool driver \"%s\"", name, sh->pool_ops);
		ret = -EINVAL;
	} else {
		ret = rte_mempool_populate_default(mp);
		if (ret >= 0 && (unsigned int)ret != sh->pool_size)
			ret = -ENOMEM;
	}
	if (ret < 0) {
		rte_mempool_free(mp);
		rte_errno = -ret;
		return NULL;
	}
	return mp;
}

/* The pool of class cls on a socket, created (primary) or found. */
static struct rte_mempool *
mtag_pool_open(unsigned int socket, unsigned int cls)
{
	const struct mtag_shared *sh = mtag_state.shared;
	char name[RTE_MEMPOOL_NAMESIZE];
	struct rte_mempool *mp;

	snprintf(name, sizeof(name), "mtag_s%u_c%u", socket, cls);
	if (!mtag_state.primary)
		return rte_mempool_lookup(name);
	mp = mtag_mempool_create(name, cls, (int)socket);
	if (mp == NULL && rte_errno == ENOMEM) {
		/* Tags on another socket cost every access a remote line. */
		MTAG_LOG(NOTICE, "pool %s: no memory on socket %u, taking any socket's", name,
			 socket);
		mp = mtag_mempool_create(name, cls, SOCKET_ID_ANY);
	}
	if (mp == NULL)
		MTAG_LOG(ERR, "cannot create pool %s: %u tags of %u bytes: %s", name, sh->pool_size,
			 (unsigned int)(MTAG_PREFIX + sizeof(struct mtag)) + sh->class_len[cls],
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
	/* No lcore's cache holds most of the pool (as rte_mempool's rule). */
	cache = RTE_MIN(cache, (uint32_t)MTAG_CACHE_MAX_SIZE);
	cache = RTE_MIN(cache, (uint32_t)(sh->pool_size / 1.5));
	sh->cache_size = cache;
}

/* The pools of every socket that has an lcore (the only ones that allocate
 * tags) or, in a secondary process, every socket the primary made them on. */
int
mtag_pools_init(void)
{
	unsigned int s, c, lcore, first = MTAG_MAX_SOCKETS, nb_sockets = 0;
	bool used[MTAG_MAX_SOCKETS] = {false};

	mtag_class_table();
	RTE_LCORE_FOREACH(lcore)
	used[RTE_MIN(rte_lcore_to_socket_id(lcore), MTAG_MAX_SOCKETS - 1u)] = true;
	used[RTE_MIN(rte_socket_id(), MTAG_MAX_SOCKETS - 1u)] = true;
	for (s = 0; s < MTAG_MAX_SOCKETS; s++) {
		if (mtag_state.primary && !used[s])
			continue;
		for (c = 0; c < mtag_state.shared->nb_classes; c++) {
			mtag_state.pool[s][c] = mtag_pool_open(s, c);
			if (mtag_state.pool[s][c] == NULL && mtag_state.primary) {
				mtag_pools_fini();
				return rte_errno == EINVAL ? -EINVAL : -ENOMEM;
			}
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

struct mtag_tables mtag_tables;

/* Pool a tag came from. With pools on one socket only, its length says it,
 * without reading the mempool header in front of the tag. */
static inline struct rte_mempool *
mtag_pool_of_tag(struct mtag *t)
{
	if (likely(mtag_state.single_socket))
		return mtag_state.pool[mtag_state.default_socket][mtag_tables.class_of_len[t->len]];
	return rte_mempool_from_obj(mtag_to_elt(t));
}

/* Whether tag t goes back to pool mp of size class cls. */
static inline bool
mtag_tag_in_pool(struct mtag *t, const struct rte_mempool *mp, unsigned int cls)
{
	if (likely(mtag_state.single_socket))
		return mtag_tables.class_of_len[t->len] == cls;
	return rte_mempool_from_obj(mtag_to_elt(t)) == mp;
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
mtag_tags_put(struct mtag_lcore *lc, struct mtag **tags, unsigned int n)
{
	struct rte_mempool *mp;
	unsigned int start, i, cls;

	/* Each run of tags from one pool goes back in one call. */
	for (start = 0; start < n; start = i) {
		mp = mtag_pool_of_tag(tags[start]);
		cls = mtag_tables.class_of_len[tags[start]->len];
		for (i = start + 1; i < n; i++)
			if (!mtag_tag_in_pool(tags[i], mp, cls))
				break;
		mtag_cache_give(lc, cls, mp, tags + start, i - start);
	}
}

void
mtag_tags_release(struct mtag **tags, unsigned int n)
{
	struct mtag_lcore *lc = mtag_lcore_get();
	unsigned int start, i;

	for (i = 0; i < n; i++)
		mtag_tag_dtor(tags[i]);
	/* Counted by runs of one type: a counter written per tag would wait
	 * for its own previous write. */
	for (start = 0; start < n; start = i) {
		for (i = start + 1; i < n; i++)
			if (tags[i]->type != tags[start]->type)
				break;
		mtag_count_type(lc, tags[start]->type, -(int64_t)(i - start));
	}
	mtag_tags_put(lc, tags, n);
}

/* Headers of n new tags, taken from src (which may be the top of the
 * cache) into tags. The index runs from -n up to 0, as in mtag_pvt.h. */
static __rte_always_inline void
mtag_tags_init(struct mtag **tags, struct mtag **src, unsigned int n, uint64_t hdr, int flags)
{
	struct mtag **const tags_end = tags + n, **const src_end = src + n;
	const __mtag_head16_t head = {0, hdr};
	struct mtag *t;
	intptr_t i;

	for (i = -(intptr_t)n; i != 0; i++) {
		t = src_end[i];
		tags_end[i] = t;
		__mtag_head_init(t, head);
		if (unlikely(flags & MTAG_ZERO))
			memset(t + 1, 0, t->len);
	}
}

/* n new tags into tags[], counted under their type: the general body of
 * every allocation. */
static __rte_noinline unsigned int
mtag_tags_new(uint32_t cookie, uint16_t type, uint16_t len, int flags, struct mtag **tags,
	      unsigned int n)
{
	struct mtag_lcore *lc;
	struct mtag **src;

	if (unlikely(tags == NULL || !mtag_args_valid(cookie, type, len))) {
		rte_errno = EINVAL;
		return 0;
	}
	if (n == 0)
		return 0;
	lc = mtag_lcore_get();
	src = mtag_cache_take(lc, mtag_tables.class_of_len[len], tags, n);
	if (unlikely(src == NULL)) {
		rte_errno = ENOMEM;
		return 0;
	}
	mtag_tags_init(tags, src, n, __mtag_hdr_word(cookie, type, len), flags);
	mtag_count_type(lc, type, n);
	return n;
}

/* Also the out-of-line body of the inline mtag_get(), which has tried the
 * lcore's cache. */
struct mtag *
mtag_alloc(uint32_t cookie, uint16_t type, uint16_t len, int flags)
{
	struct mtag *t;

	MTAG_DEBUG_SITE();
	return mtag_tags_new(cookie, type, len, flags, &t, 1) == 1 ? t : NULL;
}

/* The scalar fused form lives with the allocator it uses; the burst one is
 * in mtag_burst.c. The inline mtag_add() has tried the lcore's cache. */
void *
__mtag_add(struct rte_mbuf *m, uint16_t type, uint16_t len, int flags)
{
	struct mtag *t;

	MTAG_DEBUG_SITE();
	if (unlikely(m == NULL || mtag_debug_refused(m))) {
		rte_errno = EINVAL;
		return NULL;
	}
	if (mtag_tags_new(MTAG_ABI_COMPAT, type, len, flags, &t, 1) != 1)
		return NULL;
	__mtag_prepend(m, t, mtag_dynflag_mask, mtag_dynfield_offset);
	return t + 1;
}

/* The common case off the lcore's cache, without a call; no MTAG_ZERO,
 * whose memset() calls would cost every call saved registers. */
unsigned int
mtag_get_bulk(uint16_t type, uint16_t len, int flags, struct mtag **tags, unsigned int n)
{
	struct mtag_cache *c;

	MTAG_DEBUG_SITE();
	if (unlikely(flags != 0 || tags == NULL))
		return mtag_tags_new(MTAG_ABI_COMPAT, type, len, flags, tags, n);
	c = __mtag_take(type, len, n);
	if (unlikely(c == NULL))
		return mtag_tags_new(MTAG_ABI_COMPAT, type, len, flags, tags, n);
	mtag_tags_init(tags, &c->objs[c->len], n, __mtag_hdr_word(MTAG_ABI_COMPAT, type, len), 0);
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
	mtag_tags_release(&t, 1);
}

/* Copy of one tag with the copier run; NULL and *err set on failure. */
struct mtag *
mtag_tag_copy(const struct mtag *src, int nomem, int *err)
{
	struct mtag_lcore *lc = mtag_lcore_get();
	struct mtag *t, **got;
	mtag_copier_t fn;
	int ret;

	got = mtag_cache_take(lc, mtag_tables.class_of_len[src->len], &t, 1);
	if (unlikely(got == NULL)) {
		*err = nomem;
		return NULL;
	}
	t = *got;
	memcpy(t, src, sizeof(*t) + src->len);
	t->next = NULL;
	fn = src->cookie == MTAG_ABI_COMPAT ? mtag_state.copier[src->type] : NULL;
	if (fn != NULL) {
		ret = fn(t, src);
		if (ret < 0) {
			/* The copy holds no reference: no destructor. */
			mtag_tags_put(lc, &t, 1);
			*err = ret;
			return NULL;
		}
	}
	mtag_count_type(lc, t->type, 1);
	return t;
}

struct mtag *
mtag_copy(const struct mtag *t, int flags)
{
	struct mtag *c;
	int err = -ENOMEM;

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
	struct mtag_shared *sh = mtag_state.shared;
	const struct mtag_cache *c;
	uint64_t allocs = 0, frees = 0;
	unsigned int slot, cls;

	for (slot = 0; slot < MTAG_LCORE_SLOTS; slot++)
		for (cls = 0; cls < sh->nb_classes; cls++) {
			c = mtag_cache_of(sh, slot, cls);
			allocs += __atomic_load_n(&c->allocs, __ATOMIC_RELAXED);
			frees += __atomic_load_n(&c->frees, __ATOMIC_RELAXED);
		}
	return allocs - frees;
}

int64_t
mtag_type_in_use(uint16_t type)
{
	const struct mtag_shared *sh = mtag_state.shared;
	int64_t n = 0;
	unsigned int slot;

	for (slot = 0; slot < MTAG_LCORE_SLOTS; slot++)
		n += __atomic_load_n(&sh->type_in_use[slot][MTAG_TYPE_SLOT(type)],
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
