/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/*
 * Differential fuzz target: the input is a program of mtag API calls on a
 * handful of packets and loose ("held") tags. Every call is made on the real
 * library and on a reference model (an array of tags per packet, in plain
 * C); after every call the two must agree on every tag (pointer, type, len,
 * cookie, data, order), on mtag_find() for every type, on the counters of
 * mtag_stats_get() per size class, and on how often destructors ran.
 *
 * The pools are tiny, so exhaustion is frequent and exact: the model knows
 * when an allocation must fail and checks that it does.
 * Any disagreement aborts, which libFuzzer records as a crash.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_mempool.h>

#include <mtag.h>
#include <mtag_capture.h>

#include "fuzz_common.h"

#define NB_PKTS 6
#define NB_HELD 6
#define POOL_SIZE 6 /* tags per size class */
#define NB_CLASSES 3
#define MAX_LEN 64
#define MAX_CHAIN (POOL_SIZE * NB_CLASSES)
#define MAX_OPS 4096
#define PKT_DATA 32

static const uint16_t class_len[NB_CLASSES] = {8, 24, MAX_LEN};

/* Per-lcore cache of the tag pools: none by default; the api-cache target
 * builds with one. One lcore draws from its cache, then the ring, so the
 * pool still holds exactly POOL_SIZE tags and exhaustion stays exact. */
#ifndef FUZZ_CACHE
#define FUZZ_CACHE UINT32_MAX
#endif

struct ref_tag {
	struct mtag *real;
	uint32_t cookie;
	uint16_t type;
	uint16_t len;
	uint8_t data[MAX_LEN];
};

struct ref_pkt {
	struct rte_mbuf *m; /* NULL: free slot */
	unsigned int n;
	struct ref_tag tags[MAX_CHAIN]; /* newest first, as the chain */
};

struct ref_model {
	struct ref_pkt pkt[NB_PKTS];
	struct ref_tag held[NB_HELD];
	bool held_used[NB_HELD];
	uint64_t allocs[NB_CLASSES], frees[NB_CLASSES], fails[NB_CLASSES];
	uint64_t dtor_calls;
	uint64_t debug_errors;
	uint8_t fill; /* data pattern of the next non-zeroed tag */
};

/* Captures to /dev/null, one per filter, with rings small enough to fill. */
#define NB_CAPS 3
#define CAP_RING 8
struct ref_cap {
	struct mtag_capture *cap;
	enum mtag_capture_filter filter;
	uint64_t in_ring, captured, dropped, written;
};
static struct ref_cap caps[NB_CAPS];

static struct rte_mempool *mbuf_pool;
static int type_a, type_b, type_c;
static uint16_t types[10];
static uint64_t dtor_calls;
static struct ref_model M;
/* The operation running, named in a failure's message. */
#define cur_op test_fail_context

/* --------------------------------------------------------- input reading */

struct cursor {
	const uint8_t *d;
	size_t n, i;
};

static uint8_t
u8(struct cursor *c)
{
	return c->i < c->n ? c->d[c->i++] : 0;
}

static uint16_t
pick_type(struct cursor *c)
{
	return types[u8(c) % RTE_DIM(types)];
}

static uint32_t
pick_cookie(struct cursor *c)
{
	static const uint32_t cookies[] = {MTAG_ABI_COMPAT, MTAG_ABI_COMPAT, 1, 0xdeadbeef};

	return cookies[u8(c) % RTE_DIM(cookies)];
}

static uint16_t
pick_len(struct cursor *c)
{
	uint8_t b = u8(c);

	/* Mostly valid lengths, sometimes just over a class or the maximum. */
	if (b >= 250)
		return (uint16_t[]){MAX_LEN + 1, 256, 4097, 65535, 9, 25}[b - 250];
	return b % (MAX_LEN + 4);
}

/* ------------------------------------------------------------ the model */

static int
class_of(uint16_t len)
{
	int c;

	for (c = 0; c < NB_CLASSES; c++)
		if (len <= class_len[c])
			return c;
	return -1;
}

static uint64_t
model_in_use(int c)
{
	return M.allocs[c] - M.frees[c];
}

/* Call before the call under test: mtag_type_name() sets rte_errno. */
static bool
model_type_valid(uint32_t cookie, uint16_t type)
{
	if (cookie != MTAG_ABI_COMPAT)
		return true;
	return type < MTAG_TYPE_MAX && mtag_type_name(type) != NULL;
}

static bool
has_dtor(const struct ref_tag *t)
{
	return t->cookie == MTAG_ABI_COMPAT &&
	       (t->type == MTAG_TYPE_VLAN || t->type == type_a || t->type == type_b);
}

/* Account for the library freeing one tag (destructor first). */
static void
model_release(const struct ref_tag *t)
{
	if (has_dtor(t))
		M.dtor_calls++;
	M.frees[class_of(t->len)]++;
}

static void
model_release_chain(struct ref_pkt *p)
{
	unsigned int i;

	for (i = 0; i < p->n; i++)
		model_release(&p->tags[i]);
	p->n = 0;
}

/* The copier of type_b: refuses data starting 0xEE, else bumps data[1] (a
 * reference count, say). The model applies the same rule. */
static int
copier_b(struct mtag *dst, const struct mtag *src)
{
	const uint8_t *s = (const uint8_t *)(src + 1);

	if (src->len > 0 && s[0] == 0xEE)
		return -EPERM;
	if (src->len >= 2)
		((uint8_t *)mtag_data(dst))[1] = s[1] + 1;
	return 0;
}

static void
dtor_count(struct mtag *t)
{
	(void)t;
	dtor_calls++;
}

/*
 * Model of copying @n tags (mtag_tag_copy one after the other, rolled back
 * on the first failure). Fills @out; returns 0, -ENOBUFS or -EPERM.
 */
static int
model_copy_tags(const struct ref_tag *src, unsigned int n, struct ref_tag *out)
{
	unsigned int i, j;
	int c;

	for (i = 0; i < n; i++) {
		c = class_of(src[i].len);
		if (model_in_use(c) >= POOL_SIZE) {
			M.fails[c]++;
			for (j = 0; j < i; j++)
				model_release(&out[j]);
			return -ENOBUFS;
		}
		M.allocs[c]++;
		out[i] = src[i];
		out[i].real = NULL;
		if (src[i].cookie == MTAG_ABI_COMPAT && src[i].type == type_b) {
			if (src[i].len > 0 && src[i].data[0] == 0xEE) {
				M.frees[c]++; /* the failed copy: no destructor */
				for (j = 0; j < i; j++)
					model_release(&out[j]);
				return -EPERM;
			}
			if (src[i].len >= 2)
				out[i].data[1] = src[i].data[1] + 1;
		}
	}
	return 0;
}

/* Take the real pointers of a chain the library built (copies). */
static void
adopt_real(struct ref_pkt *p)
{
	struct mtag *t = mtag_first(p->m);
	unsigned int i;

	for (i = 0; i < p->n && t != NULL; i++, t = mtag_next(p->m, t))
		p->tags[i].real = t;
}

static int
free_held_slot(void)
{
	int h;

	for (h = 0; h < NB_HELD; h++)
		if (!M.held_used[h])
			return h;
	return -1;
}

static int
free_pkt_slot(void)
{
	int p;

	for (p = 0; p < NB_PKTS; p++)
		if (M.pkt[p].m == NULL)
			return p;
	return -1;
}

/* Give a fresh tag a data pattern (its data is undefined without MTAG_ZERO). */
static int
fill_tag(struct ref_tag *r, struct mtag *t, int flags)
{
	uint16_t i;

	r->real = t;
	r->cookie = t->cookie;
	r->type = t->type;
	r->len = t->len;
	for (i = 0; i < t->len; i++) {
		if (flags & MTAG_ZERO) {
			TEST_ASSERT(((uint8_t *)mtag_data(t))[i] == 0, "MTAG_ZERO byte %u not zero",
				    i);
			r->data[i] = 0;
		} else {
			r->data[i] = (uint8_t)(M.fill + i * 7);
			((uint8_t *)mtag_data(t))[i] = r->data[i];
		}
	}
	M.fill += 13;
	return TEST_SUCCESS;
}

/* ------------------------------------------------------- the comparison */

static int
check_tag(const struct ref_tag *r, const struct mtag *t, const char *where, unsigned int i)
{
	TEST_ASSERT(t == r->real, "%s[%u]: tag %p, model %p", where, i, (const void *)t,
		    (const void *)r->real);
	TEST_ASSERT(t->type == r->type && t->len == r->len && t->cookie == r->cookie,
		    "%s[%u]: header %u/%u/%u, model %u/%u/%u", where, i, t->type, t->len, t->cookie,
		    r->type, r->len, r->cookie);
	TEST_ASSERT(memcmp(t + 1, r->data, r->len) == 0, "%s[%u]: data differs", where, i);
	return TEST_SUCCESS;
}

static struct mtag *
model_find(const struct ref_pkt *p, uint32_t cookie, uint16_t type, int after)
{
	unsigned int i;

	for (i = after + 1; i < p->n; i++)
		if (p->tags[i].type == type && p->tags[i].cookie == cookie)
			return p->tags[i].real;
	return NULL;
}

static int
check_stats(void)
{
	struct mtag_stats s;
	int c;

	TEST_ASSERT(mtag_stats_get(&s) == 0, "stats_get");
	TEST_ASSERT(s.nb_classes == NB_CLASSES, "nb_classes %u", s.nb_classes);
	for (c = 0; c < NB_CLASSES; c++) {
		TEST_ASSERT(s.cls[c].allocs == M.allocs[c],
			    "class %d allocs %" PRIu64 ", model %" PRIu64, c, s.cls[c].allocs,
			    M.allocs[c]);
		TEST_ASSERT(s.cls[c].frees == M.frees[c],
			    "class %d frees %" PRIu64 ", model %" PRIu64, c, s.cls[c].frees,
			    M.frees[c]);
		TEST_ASSERT(s.cls[c].alloc_fails == M.fails[c],
			    "class %d fails %" PRIu64 ", model %" PRIu64, c, s.cls[c].alloc_fails,
			    M.fails[c]);
		TEST_ASSERT(s.cls[c].in_use == model_in_use(c), "class %d in_use", c);
	}
	TEST_ASSERT(s.debug_errors == M.debug_errors, "debug_errors %" PRIu64, s.debug_errors);
	TEST_ASSERT(dtor_calls == M.dtor_calls, "destructor ran %" PRIu64 " times, model %" PRIu64,
		    dtor_calls, M.dtor_calls);
	return TEST_SUCCESS;
}

static int
check_all(void)
{
	const struct mtag *seen[MAX_CHAIN + NB_HELD];
	unsigned int nseen = 0, i, j, k;
	const struct mtag *t;
	int p, h;

	for (p = 0; p < NB_PKTS; p++) {
		const struct ref_pkt *rp = &M.pkt[p];

		if (rp->m == NULL)
			continue;
		t = mtag_first(rp->m);
		for (i = 0; i < rp->n; i++, t = mtag_next(rp->m, t)) {
			TEST_ASSERT(t != NULL, "pkt %d: chain ends at %u, model has %u", p, i,
				    rp->n);
			TEST_RUN(check_tag(&rp->tags[i], t, "pkt", i));
			TEST_ASSERT(nseen < RTE_DIM(seen), "more tags than the pools hold");
			seen[nseen++] = t;
		}
		TEST_ASSERT(t == NULL, "pkt %d: chain longer than model's %u", p, rp->n);
		/* The summary must let every present type be found. */
		for (k = 0; k < RTE_DIM(types); k++)
			TEST_ASSERT(mtag_find(rp->m, types[k], NULL) ==
					    model_find(rp, MTAG_ABI_COMPAT, types[k], -1),
				    "pkt %d: mtag_find(type %u)", p, types[k]);
	}
	for (h = 0; h < NB_HELD; h++) {
		if (!M.held_used[h])
			continue;
		TEST_RUN(check_tag(&M.held[h], M.held[h].real, "held", h));
		TEST_ASSERT(M.held[h].real->next == NULL, "held tag %d has a next", h);
		TEST_ASSERT(nseen < RTE_DIM(seen), "more tags than the pools hold");
		seen[nseen++] = M.held[h].real;
	}
	for (i = 0; i < nseen; i++)
		for (j = i + 1; j < nseen; j++)
			TEST_ASSERT(seen[i] != seen[j], "tag %p owned twice",
				    (const void *)seen[i]);
	TEST_RUN(check_stats());
	return TEST_SUCCESS;
}

/* ---------------------------------------------------------- operations */

static int
op_pkt_alloc(struct cursor *c)
{
	int p = u8(c) % NB_PKTS;
	struct rte_mbuf *m;

	if (M.pkt[p].m != NULL)
		return TEST_SUCCESS;
	m = rte_pktmbuf_alloc(mbuf_pool);
	TEST_ASSERT(m != NULL, "mbuf pool empty");
	TEST_ASSERT(mtag_first(m) == NULL, "fresh mbuf reads as tagged");
	memset(rte_pktmbuf_append(m, PKT_DATA), p, PKT_DATA);
	M.pkt[p].m = m;
	M.pkt[p].n = 0;
	return TEST_SUCCESS;
}

/* mtag_get or mtag_alloc into a free held slot. */
static int
op_get(struct cursor *c, bool with_cookie)
{
	uint32_t cookie = with_cookie ? pick_cookie(c) : MTAG_ABI_COMPAT;
	uint16_t type = pick_type(c), len = pick_len(c);
	int flags = u8(c) & 1 ? MTAG_ZERO : 0;
	int h = free_held_slot(), cls = class_of(len);
	bool valid = cls >= 0 && model_type_valid(cookie, type);
	struct mtag *t;

	if (h < 0)
		return TEST_SUCCESS;
	rte_errno = 0;
	t = with_cookie ? mtag_alloc(cookie, type, len, flags) : mtag_get(type, len, flags);
	if (!valid) {
		TEST_ASSERT(t == NULL && rte_errno == EINVAL, "type %u len %u accepted", type, len);
		return TEST_SUCCESS;
	}
	if (model_in_use(cls) >= POOL_SIZE) {
		M.fails[cls]++;
		TEST_ASSERT(t == NULL && rte_errno == ENOMEM, "allocation from an empty pool");
		return TEST_SUCCESS;
	}
	TEST_ASSERT(t != NULL, "allocation failed: %s", rte_strerror(rte_errno));
	TEST_ASSERT(t->next == NULL && t->type == type && t->len == len && t->cookie == cookie,
		    "fresh tag header");
	M.allocs[cls]++;
	M.held_used[h] = true;
	TEST_RUN(fill_tag(&M.held[h], t, flags));
	return TEST_SUCCESS;
}

static int
op_get_bulk(struct cursor *c)
{
	unsigned int n = u8(c) % 5, i, got, nfree = 0;
	uint16_t type = pick_type(c), len = pick_len(c);
	int flags = u8(c) & 1 ? MTAG_ZERO : 0;
	int cls = class_of(len);
	bool valid = cls >= 0 && model_type_valid(MTAG_ABI_COMPAT, type);
	struct mtag *tags[5];

	for (i = 0; i < NB_HELD; i++)
		nfree += !M.held_used[i];
	if (n > nfree)
		return TEST_SUCCESS;
	rte_errno = 0;
	got = mtag_get_bulk(type, len, flags, tags, n);
	if (!valid) {
		TEST_ASSERT(got == 0 && rte_errno == EINVAL,
			    "bulk: bad type %u len %u accepted (n %u got %u errno %d)", type, len,
			    n, got, rte_errno);
		return TEST_SUCCESS;
	}
	if (n == 0) {
		TEST_ASSERT(got == 0, "bulk of 0 gave %u", got);
		return TEST_SUCCESS;
	}
	if (model_in_use(cls) + n > POOL_SIZE) {
		M.fails[cls] += n; /* counted as asked for and not had */
		TEST_ASSERT(got == 0 && rte_errno == ENOMEM, "bulk: all or nothing broken (%u)",
			    got);
		return TEST_SUCCESS;
	}
	TEST_ASSERT(got == n, "bulk gave %u of %u", got, n);
	M.allocs[cls] += n;
	for (i = 0; i < n; i++) {
		int h = free_held_slot();

		M.held_used[h] = true;
		TEST_RUN(fill_tag(&M.held[h], tags[i], flags));
	}
	return TEST_SUCCESS;
}

static void
op_free_held(struct cursor *c)
{
	int h = u8(c) % NB_HELD;

	if (!M.held_used[h]) {
		mtag_free(NULL);
		return;
	}
	mtag_free(M.held[h].real);
	model_release(&M.held[h]);
	M.held_used[h] = false;
}

static int
op_copy(struct cursor *c)
{
	int h = u8(c) % NB_HELD, d = free_held_slot();
	struct ref_tag out;
	struct mtag *t;
	int ret;

	if (!M.held_used[h] || d < 0)
		return TEST_SUCCESS;
	rte_errno = 0;
	t = mtag_copy(M.held[h].real, 0);
	ret = model_copy_tags(&M.held[h], 1, &out);
	if (ret != 0) {
		TEST_ASSERT(t == NULL && rte_errno == (ret == -ENOBUFS ? ENOMEM : -ret),
			    "copy should fail with %d (rte_errno %d)", ret, rte_errno);
		return TEST_SUCCESS;
	}
	TEST_ASSERT(t != NULL && t->next == NULL, "copy failed: %s", rte_strerror(rte_errno));
	out.real = t;
	M.held[d] = out;
	M.held_used[d] = true;
	return TEST_SUCCESS;
}

static void
model_prepend(struct ref_pkt *p, const struct ref_tag *t)
{
	memmove(&p->tags[1], &p->tags[0], p->n * sizeof(p->tags[0]));
	p->tags[0] = *t;
	p->n++;
}

/* mtag_add: a new tag first on a packet, or NULL and the packet as it was. */
static int
op_add(struct cursor *c)
{
	int p = u8(c) % (NB_PKTS + 1); /* NB_PKTS: a NULL packet */
	uint16_t type = pick_type(c), len = pick_len(c);
	int flags = u8(c) & 1 ? MTAG_ZERO : 0;
	int cls = class_of(len);
	bool valid = cls >= 0 && model_type_valid(MTAG_ABI_COMPAT, type);
	struct rte_mbuf *m = p < NB_PKTS ? M.pkt[p].m : NULL;
	struct ref_tag r;
	void *d;

	if (p < NB_PKTS && m == NULL)
		return TEST_SUCCESS;
	rte_errno = 0;
	d = mtag_add(m, type, len, flags);
	if (m == NULL || !valid) {
		TEST_ASSERT(d == NULL && rte_errno == EINVAL,
			    "add: bad packet, type %u or len %u taken", type, len);
		return TEST_SUCCESS;
	}
	if (model_in_use(cls) >= POOL_SIZE) {
		M.fails[cls]++;
		TEST_ASSERT(d == NULL && rte_errno == ENOMEM, "add from an empty pool");
		return TEST_SUCCESS;
	}
	TEST_ASSERT(d != NULL && mtag_data(mtag_first(m)) == d, "add: %s", rte_strerror(rte_errno));
	M.allocs[cls]++;
	TEST_RUN(fill_tag(&r, mtag_first(m), flags));
	model_prepend(&M.pkt[p], &r);
	return TEST_SUCCESS;
}

/* mtag_add_burst: n packets (repeats allowed) each get a new first tag, or
 * none does. */
static int
op_add_burst(struct cursor *c)
{
	unsigned int n = u8(c) % 6, i, got;
	uint16_t type = pick_type(c), len = pick_len(c);
	int flags = u8(c) & 1 ? MTAG_ZERO : 0;
	int cls = class_of(len), ps[5];
	bool valid = cls >= 0 && model_type_valid(MTAG_ABI_COMPAT, type), null_pkt = false;
	struct rte_mbuf *pkts[5];
	struct ref_tag r;
	void *data[5];

	for (i = 0; i < n; i++) {
		ps[i] = u8(c) % (NB_PKTS + 1); /* NB_PKTS: a NULL packet */
		if (ps[i] < NB_PKTS && M.pkt[ps[i]].m == NULL)
			return TEST_SUCCESS;
		pkts[i] = ps[i] < NB_PKTS ? M.pkt[ps[i]].m : NULL;
		null_pkt |= pkts[i] == NULL;
	}
	rte_errno = 0;
	got = mtag_add_burst(pkts, n, type, len, flags, data);
	if (!valid || (null_pkt && n > 0)) {
		TEST_ASSERT(got == 0 && rte_errno == EINVAL, "add_burst: bad input taken (got %u)",
			    got);
		return TEST_SUCCESS; /* the comparison after the op checks that no packet changed */
	}
	if (n == 0) {
		TEST_ASSERT(got == 0, "add_burst of 0 gave %u", got);
		return TEST_SUCCESS;
	}
	if (model_in_use(cls) + n > POOL_SIZE) {
		M.fails[cls] += n;
		TEST_ASSERT(got == 0 && rte_errno == ENOMEM,
			    "add_burst: all or nothing broken (%u)", got);
		return TEST_SUCCESS;
	}
	TEST_ASSERT(got == n, "add_burst gave %u of %u: %s", got, n, rte_strerror(rte_errno));
	M.allocs[cls] += n;
	/* In packet order: a packet named twice has the later tag first. */
	for (i = 0; i < n; i++) {
		const struct mtag *t = (const struct mtag *)data[i] - 1;

		TEST_ASSERT(t->type == type && t->len == len && t->cookie == MTAG_ABI_COMPAT,
			    "add_burst: header of tag %u", i);
		TEST_RUN(fill_tag(&r, (struct mtag *)(uintptr_t)t, flags));
		model_prepend(&M.pkt[ps[i]], &r);
	}
	for (i = 0; i < n; i++) {
		bool later = false;

		for (unsigned int j = i + 1; j < n; j++)
			later |= ps[j] == ps[i];
		TEST_ASSERT(later || mtag_first(pkts[i]) == (const struct mtag *)data[i] - 1,
			    "add_burst: data[%u] is not first on its packet", i);
	}
	return TEST_SUCCESS;
}

static void
op_prepend(struct cursor *c)
{
	int h = u8(c) % NB_HELD, p = u8(c) % NB_PKTS;

	if (!M.held_used[h] || M.pkt[p].m == NULL)
		return;
	mtag_prepend(M.pkt[p].m, M.held[h].real);
	model_prepend(&M.pkt[p], &M.held[h]);
	M.held_used[h] = false;
}

static void
op_prepend_burst(struct cursor *c)
{
	struct rte_mbuf *pkts[4];
	struct mtag *tags[4];
	int hs[4], ps[4];
	unsigned int n = u8(c) % 5, i, j;

	for (i = 0; i < n; i++) {
		hs[i] = u8(c) % (NB_HELD + 1); /* NB_HELD: a NULL tag, skipped */
		ps[i] = u8(c) % NB_PKTS;
		if (M.pkt[ps[i]].m == NULL)
			return;
		if (hs[i] < NB_HELD && !M.held_used[hs[i]])
			return;
		for (j = 0; j < i; j++)
			if (hs[i] < NB_HELD && hs[i] == hs[j])
				return;
		pkts[i] = M.pkt[ps[i]].m;
		tags[i] = hs[i] < NB_HELD ? M.held[hs[i]].real : NULL;
	}
	mtag_prepend_burst(pkts, tags, n);
	for (i = 0; i < n; i++) {
		if (hs[i] == NB_HELD)
			continue;
		model_prepend(&M.pkt[ps[i]], &M.held[hs[i]]);
		M.held_used[hs[i]] = false;
	}
}

/* Position on a chain: -1 (NULL start) or an index below n. */
static int
pick_pos(struct cursor *c, const struct ref_pkt *p)
{
	return (int)(u8(c) % (p->n + 1)) - 1;
}

static int
op_find(struct cursor *c, bool locate)
{
	const struct ref_pkt *p = &M.pkt[u8(c) % NB_PKTS];
	uint32_t cookie = locate ? pick_cookie(c) : MTAG_ABI_COMPAT;
	uint16_t type = pick_type(c);
	int pos;
	const struct mtag *start;
	struct mtag *got;

	if (p->m == NULL)
		return TEST_SUCCESS;
	pos = pick_pos(c, p);
	start = pos < 0 ? NULL : p->tags[pos].real;
	got = locate ? mtag_locate(p->m, cookie, type, start) : mtag_find(p->m, type, start);
	TEST_ASSERT(got == model_find(p, cookie, type, pos), "find cookie %u type %u after %d",
		    cookie, type, pos);
	return TEST_SUCCESS;
}

static int
op_find_burst(struct cursor *c)
{
	struct rte_mbuf *pkts[NB_PKTS];
	struct mtag *out[NB_PKTS];
	const struct ref_pkt *rp[NB_PKTS];
	uint16_t type = pick_type(c), n = 0, found = 0, got, i;
	int p;

	for (p = 0; p < NB_PKTS; p++)
		if (M.pkt[p].m != NULL) {
			rp[n] = &M.pkt[p];
			pkts[n++] = M.pkt[p].m;
		}
	got = mtag_find_burst(pkts, n, type, out);
	for (i = 0; i < n; i++) {
		struct mtag *want = model_find(rp[i], MTAG_ABI_COMPAT, type, -1);

		TEST_ASSERT(out[i] == want, "find_burst[%u] type %u", i, type);
		found += want != NULL;
	}
	TEST_ASSERT(got == found, "find_burst found %u, model %u", got, found);
	return TEST_SUCCESS;
}

/* Remove the tag at position k from the model's chain into *out. */
static void
model_take(struct ref_pkt *p, unsigned int k, struct ref_tag *out)
{
	*out = p->tags[k];
	memmove(&p->tags[k], &p->tags[k + 1], (p->n - k - 1) * sizeof(p->tags[0]));
	p->n--;
}

static int
op_unlink(struct cursor *c, bool del)
{
	struct ref_pkt *p = &M.pkt[u8(c) % NB_PKTS];
	unsigned int k = u8(c);
	struct ref_tag t;
	int h = free_held_slot();

	if (p->m == NULL)
		return TEST_SUCCESS;
	if (p->n == 0) {
		/* Nothing to remove: NULL and an untagged packet are no-ops. */
		del ? mtag_delete(p->m, NULL) : mtag_unlink(p->m, NULL);
		return TEST_SUCCESS;
	}
	if (!del && h < 0)
		return TEST_SUCCESS;
	k %= p->n;
	model_take(p, k, &t);
	if (del) {
		mtag_delete(p->m, t.real);
		model_release(&t);
	} else {
		mtag_unlink(p->m, t.real);
		TEST_ASSERT(t.real->next == NULL, "unlinked tag still points into the chain");
		M.held[h] = t;
		M.held_used[h] = true;
	}
	return TEST_SUCCESS;
}

#ifndef MTAG_DEBUG
/* Removing a tag from a packet that does not hold it must change nothing
 * (a debug build refuses it loudly instead: see the debug suite). */
static void
op_unlink_foreign(struct cursor *c)
{
	struct ref_pkt *p = &M.pkt[u8(c) % NB_PKTS];
	int h = u8(c) % NB_HELD;
	bool del = u8(c) & 1;

	if (p->m == NULL || !M.held_used[h])
		return;
	del ? mtag_delete(p->m, M.held[h].real) : mtag_unlink(p->m, M.held[h].real);
}
#endif

static void
op_delete_chain(struct cursor *c, bool burst)
{
	struct rte_mbuf *pkts[NB_PKTS];
	uint8_t mask = u8(c);
	uint16_t n = 0;
	int p;

	for (p = 0; p < NB_PKTS; p++) {
		if (M.pkt[p].m == NULL || !(mask & (1 << p)))
			continue;
		if (!burst)
			mtag_delete_chain(M.pkt[p].m);
		pkts[n++] = M.pkt[p].m;
		model_release_chain(&M.pkt[p]);
	}
	if (burst)
		mtag_delete_chain_burst(pkts, n);
}

static int
op_copy_chain(struct cursor *c)
{
	struct ref_pkt *to = &M.pkt[u8(c) % NB_PKTS], *from = &M.pkt[u8(c) % NB_PKTS];
	struct ref_tag out[MAX_CHAIN];
	int ret, want;

	if (to->m == NULL || from->m == NULL)
		return TEST_SUCCESS;
	ret = mtag_copy_chain(to->m, from->m);
	if (to == from) {
		TEST_ASSERT(ret == 0, "copy_chain onto itself: %d", ret);
		return TEST_SUCCESS;
	}
	want = model_copy_tags(from->tags, from->n, out);
	TEST_ASSERT(ret == want, "copy_chain returned %d, model %d", ret, want);
	if (want != 0)
		return TEST_SUCCESS; /* 'to' must be exactly as it was: check_all() sees */
	model_release_chain(to);
	memcpy(to->tags, out, from->n * sizeof(out[0]));
	to->n = from->n;
	adopt_real(to);
	return TEST_SUCCESS;
}

static void
op_move(struct cursor *c)
{
	struct ref_pkt *to = &M.pkt[u8(c) % NB_PKTS], *from = &M.pkt[u8(c) % NB_PKTS];

	if (to->m == NULL || from->m == NULL)
		return;
	mtag_move(to->m, from->m);
	if (to == from)
		return;
	model_release_chain(to);
	memcpy(to->tags, from->tags, from->n * sizeof(from->tags[0]));
	to->n = from->n;
	from->n = 0;
}

/* mtag_pktmbuf_clone or mtag_pktmbuf_copy into a free packet slot. */
static int
op_dup(struct cursor *c, bool clone)
{
	struct ref_pkt *src = &M.pkt[u8(c) % NB_PKTS];
	struct ref_tag out[MAX_CHAIN];
	struct rte_mbuf *m;
	int d = free_pkt_slot(), want;

	if (src->m == NULL || d < 0)
		return TEST_SUCCESS;
	rte_errno = 0;
	m = clone ? mtag_pktmbuf_clone(src->m, mbuf_pool)
		  : mtag_pktmbuf_copy(src->m, mbuf_pool, 0, UINT32_MAX);
	want = model_copy_tags(src->tags, src->n, out);
	if (want != 0) {
		/* Tags ran out: ENOMEM; a copier refused: its own error. */
		TEST_ASSERT(m == NULL && rte_errno == (want == -ENOBUFS ? ENOMEM : -want),
			    "dup should fail (%d), rte_errno %d", want, rte_errno);
		return TEST_SUCCESS;
	}
	TEST_ASSERT(m != NULL, "dup failed: %s", rte_strerror(rte_errno));
	TEST_ASSERT(rte_pktmbuf_pkt_len(m) == PKT_DATA, "dup length %u", rte_pktmbuf_pkt_len(m));
	M.pkt[d].m = m;
	memcpy(M.pkt[d].tags, out, src->n * sizeof(out[0]));
	M.pkt[d].n = src->n;
	adopt_real(&M.pkt[d]);
	return TEST_SUCCESS;
}

static void
op_pkt_free(struct cursor *c, bool bulk)
{
	struct rte_mbuf *pkts[NB_PKTS + 1];
	uint8_t mask = bulk ? u8(c) : 1 << (u8(c) % NB_PKTS);
	unsigned int n = 0;
	int p;

	for (p = 0; p < NB_PKTS; p++) {
		if (M.pkt[p].m == NULL || !(mask & (1 << p)))
			continue;
		pkts[n++] = M.pkt[p].m;
		model_release_chain(&M.pkt[p]);
		M.pkt[p].m = NULL;
	}
	if (bulk) {
		pkts[n++] = NULL; /* NULL entries are skipped */
		mtag_pktmbuf_free_bulk(pkts, n);
	} else if (n == 1) {
		mtag_pktmbuf_free(pkts[0]);
	}
}

static void
op_write(struct cursor *c)
{
	struct ref_pkt *p = &M.pkt[u8(c) % NB_PKTS];
	unsigned int k = u8(c), off = u8(c);
	uint8_t v = u8(c) & 1 ? 0xEE : u8(c);
	struct ref_tag *r;

	if (p->m == NULL || p->n == 0)
		return;
	r = &p->tags[k % p->n];
	if (r->len == 0)
		return;
	off = off & 1 ? 0 : off % r->len; /* byte 0 decides type_b's copier */
	r->data[off] = v;
	((uint8_t *)mtag_data(r->real))[off] = v;
}

/* NULL for a packet or a tag: queries give NULL, int calls -EINVAL, void
 * calls nothing; check_all() then sees that nothing moved. */
static int
op_nulls(struct cursor *c)
{
	struct ref_pkt *p = &M.pkt[u8(c) % NB_PKTS];
	struct mtag *out[1];
	struct mtag *t = NULL;

	if (p->m != NULL && p->n > 0)
		t = p->tags[0].real;
	TEST_ASSERT(mtag_first(NULL) == NULL, "first(NULL)");
	TEST_ASSERT(mtag_next(NULL, NULL) == NULL, "next(NULL)");
	TEST_ASSERT(mtag_find(NULL, types[0], NULL) == NULL, "find(NULL)");
	TEST_ASSERT(mtag_locate(NULL, 0, types[0], NULL) == NULL, "locate(NULL)");
	mtag_prepend(NULL, NULL);
	mtag_prepend(p->m, NULL);
	mtag_unlink(NULL, t);
	mtag_delete(NULL, t);
	mtag_delete_chain(NULL);
	mtag_move(NULL, p->m);
	mtag_move(p->m, NULL);
	mtag_free(NULL);
	TEST_ASSERT(mtag_copy_chain(NULL, p->m) == -EINVAL, "copy_chain(NULL, m)");
	TEST_ASSERT(mtag_copy_chain(p->m, NULL) == -EINVAL, "copy_chain(m, NULL)");
	rte_errno = 0;
	TEST_ASSERT(mtag_copy(NULL, 0) == NULL && rte_errno == EINVAL, "copy(NULL)");
	TEST_ASSERT(mtag_get_bulk(types[0], 1, 0, NULL, 1) == 0 && rte_errno == EINVAL,
		    "bulk NULL");
	mtag_prepend_burst(NULL, NULL, 4);
	TEST_ASSERT(mtag_find_burst(NULL, 4, types[0], out) == 0, "find_burst(NULL)");
	mtag_delete_chain_burst(NULL, 4);
	mtag_pktmbuf_free(NULL);
	mtag_pktmbuf_free_bulk(NULL, 3);
	rte_errno = 0;
	TEST_ASSERT(mtag_pktmbuf_clone(NULL, mbuf_pool) == NULL && rte_errno == EINVAL,
		    "clone(NULL)");
	if (p->m != NULL) {
		rte_errno = 0;
		TEST_ASSERT(mtag_pktmbuf_clone(p->m, NULL) == NULL && rte_errno == EINVAL,
			    "clone(m, NULL)");
		rte_errno = 0;
		TEST_ASSERT(mtag_pktmbuf_copy(p->m, NULL, 0, 1) == NULL && rte_errno == EINVAL,
			    "copy(m, NULL)");
	}
	return TEST_SUCCESS;
}

/* A burst of the packets (some slots empty) handed to a capture, or its
 * ring written out: the filter keeps what the model says, the ring takes
 * what fits, the rest is counted as dropped; no tag moves (check_all()). */
static int
op_capture(struct cursor *c)
{
	struct ref_cap *rc = &caps[u8(c) % NB_CAPS];
	struct rte_mbuf *pkts[NB_PKTS];
	struct mtag_capture_stats st;
	unsigned int i, kept = 0, fit;
	uint8_t mask = u8(c);
	int ret;

	if (mask & 0x80) {
		ret = mtag_capture_flush(rc->cap);
		TEST_ASSERT(ret == (int)rc->in_ring, "flush wrote %d, ring had %" PRIu64, ret,
			    rc->in_ring);
		rc->written += rc->in_ring;
		rc->in_ring = 0;
	} else {
		for (i = 0; i < NB_PKTS; i++) {
			pkts[i] = mask & (1u << i) ? M.pkt[i].m : NULL;
			if (pkts[i] == NULL)
				continue;
			if (rc->filter == MTAG_CAPTURE_ALL ||
			    (rc->filter == MTAG_CAPTURE_TAGGED && M.pkt[i].n > 0) ||
			    (rc->filter == MTAG_CAPTURE_TYPE &&
			     model_find(&M.pkt[i], MTAG_ABI_COMPAT, (uint16_t)type_a, -1) != NULL))
				kept++;
		}
		fit = RTE_MIN(kept, CAP_RING - rc->in_ring);
		ret = mtag_capture_burst(rc->cap, 0, 0, pkts, NB_PKTS, RTE_PCAPNG_DIRECTION_IN);
		TEST_ASSERT(ret == (int)fit, "filter %d: %d captured, model %u of %u kept",
			    rc->filter, ret, fit, kept);
		rc->in_ring += fit;
		rc->captured += fit;
		rc->dropped += kept - fit;
	}
	TEST_ASSERT(mtag_capture_stats_get(rc->cap, &st) == 0, "capture stats");
	TEST_ASSERT(st.captured == rc->captured && st.dropped == rc->dropped &&
			    st.written == rc->written && st.lost == 0,
		    "capture stats %" PRIu64 "/%" PRIu64 "/%" PRIu64 ", model %" PRIu64 "/%" PRIu64
		    "/%" PRIu64,
		    st.captured, st.dropped, st.written, rc->captured, rc->dropped, rc->written);
	return TEST_SUCCESS;
}

enum {
	OP_PKT_ALLOC,
	OP_GET,
	OP_ALLOC,
	OP_GET_BULK,
	OP_FREE,
	OP_COPY,
	OP_PREPEND,
	OP_PREPEND_BURST,
	OP_FIND,
	OP_LOCATE,
	OP_FIND_BURST,
	OP_UNLINK,
	OP_DELETE,
	OP_UNLINK_FOREIGN,
	OP_DELETE_CHAIN,
	OP_DELETE_CHAIN_BURST,
	OP_COPY_CHAIN,
	OP_MOVE,
	OP_CLONE,
	OP_PKT_COPY,
	OP_PKT_FREE,
	OP_PKT_FREE_BULK,
	OP_WRITE,
	OP_NULLS,
	OP_ADD,
	OP_ADD_BURST,
	OP_CAPTURE,
	NB_OPS
};

static const char *const op_names[NB_OPS] = {
	"pkt_alloc",	"get",
	"alloc",	"get_bulk",
	"free",		"copy",
	"prepend",	"prepend_burst",
	"find",		"locate",
	"find_burst",	"unlink",
	"delete",	"unlink_foreign",
	"delete_chain", "delete_chain_burst",
	"copy_chain",	"move",
	"clone",	"pkt_copy",
	"pkt_free",	"pkt_free_bulk",
	"write",	"nulls",
	"add",		"add_burst",
	"capture",
};

static uint64_t op_runs[NB_OPS];

static int
run_op(struct cursor *c, unsigned int op)
{
	cur_op = op_names[op];
	op_runs[op]++;
	switch (op) {
	case OP_PKT_ALLOC:
		TEST_RUN(op_pkt_alloc(c));
		break;
	case OP_GET:
		TEST_RUN(op_get(c, false));
		break;
	case OP_ALLOC:
		TEST_RUN(op_get(c, true));
		break;
	case OP_GET_BULK:
		TEST_RUN(op_get_bulk(c));
		break;
	case OP_FREE:
		op_free_held(c);
		break;
	case OP_COPY:
		TEST_RUN(op_copy(c));
		break;
	case OP_PREPEND:
		op_prepend(c);
		break;
	case OP_PREPEND_BURST:
		op_prepend_burst(c);
		break;
	case OP_FIND:
		TEST_RUN(op_find(c, false));
		break;
	case OP_LOCATE:
		TEST_RUN(op_find(c, true));
		break;
	case OP_FIND_BURST:
		TEST_RUN(op_find_burst(c));
		break;
	case OP_UNLINK:
		TEST_RUN(op_unlink(c, false));
		break;
	case OP_DELETE:
		TEST_RUN(op_unlink(c, true));
		break;
#ifndef MTAG_DEBUG
	case OP_UNLINK_FOREIGN:
		op_unlink_foreign(c);
		break;
#endif
	case OP_DELETE_CHAIN:
		op_delete_chain(c, false);
		break;
	case OP_DELETE_CHAIN_BURST:
		op_delete_chain(c, true);
		break;
	case OP_COPY_CHAIN:
		TEST_RUN(op_copy_chain(c));
		break;
	case OP_MOVE:
		op_move(c);
		break;
	case OP_CLONE:
		TEST_RUN(op_dup(c, true));
		break;
	case OP_PKT_COPY:
		TEST_RUN(op_dup(c, false));
		break;
	case OP_PKT_FREE:
		op_pkt_free(c, false);
		break;
	case OP_PKT_FREE_BULK:
		op_pkt_free(c, true);
		break;
	case OP_WRITE:
		op_write(c);
		break;
	case OP_ADD:
		TEST_RUN(op_add(c));
		break;
	case OP_ADD_BURST:
		TEST_RUN(op_add_burst(c));
		break;
	case OP_NULLS:
		TEST_RUN(op_nulls(c));
		break;
	case OP_CAPTURE:
		TEST_RUN(op_capture(c));
		break;
	default:
		break;
	}
	return TEST_SUCCESS;
}

/* ------------------------------------------------------------ harness */

void fuzz_report(void);

/* Called by the replay driver: what the inputs made the library do. */
void
fuzz_report(void)
{
	struct mtag_stats s;
	unsigned int i;

	mtag_stats_get(&s);
	printf("api: tags allocated %" PRIu64 ", failed allocations %" PRIu64
	       ", destructor calls %" PRIu64 "\nops:",
	       s.allocs, s.alloc_fails, dtor_calls);
	for (i = 0; i < NB_OPS; i++)
		printf(" %s=%" PRIu64, op_names[i], op_runs[i]);
	printf("\n");
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct mtag_conf conf = {
		.pool_size = POOL_SIZE,
		.cache_size = FUZZ_CACHE,
	};
	unsigned int i;

	(void)argc;
	(void)argv;
	fuzz_eal_init("mtag-fuzz-api");
	for (i = 0; i < NB_CLASSES; i++)
		conf.class_len[i] = class_len[i];
	if (mtag_lib_init(&conf) != 0) {
		fprintf(stderr, "mtag_lib_init failed\n");
		exit(1);
	}
	mbuf_pool = rte_pktmbuf_pool_create("fuzz_mbufs", 63, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					    SOCKET_ID_ANY);
	type_a = mtag_type_register("fuzz_a");
	type_b = mtag_type_register("fuzz_b");
	type_c = mtag_type_register("fuzz_c");
	if (mbuf_pool == NULL || type_a < 0 || type_b < 0 || type_c < 0) {
		fprintf(stderr, "set-up failed\n");
		exit(1);
	}
	/* Registered types, predefined ones, one sharing a summary bit with
	 * another (x and x + 64), unknown ones and out-of-range ones. */
	types[0] = MTAG_TYPE_IPSEC_IN_DONE;
	types[1] = MTAG_TYPE_VLAN;
	types[2] = type_a;
	types[3] = type_b;
	types[4] = type_c;
	types[5] = MTAG_TYPE_VLAN + 64;
	types[6] = 0;
	types[7] = MTAG_TYPE_MAX - 1;
	types[8] = MTAG_TYPE_MAX;
	types[9] = UINT16_MAX;
	mtag_type_set_destructor(MTAG_TYPE_VLAN, dtor_count);
	mtag_type_set_destructor(type_a, dtor_count);
	mtag_type_set_destructor(type_b, dtor_count);
	mtag_type_set_copier(type_b, copier_b);
	for (i = 0; i < NB_CAPS; i++) {
		struct mtag_capture_conf cc = {
			.filter = (enum mtag_capture_filter)i,
			.type = (uint16_t)type_a,
			.ring_size = CAP_RING,
		};

		caps[i].filter = cc.filter;
		caps[i].cap = mtag_capture_open("/dev/null", &cc);
		if (caps[i].cap == NULL) {
			fprintf(stderr, "capture: %s\n", rte_strerror(rte_errno));
			exit(1);
		}
	}
	return 0;
}

static int
fuzz_one(const uint8_t *data, size_t size)
{
	struct cursor c = {.d = data, .n = size};
	struct mtag_stats s;
	/* A third of the opcodes make tags, so that chains grow and the
	 * pools run dry within short inputs. */
	static const uint8_t grow_ops[] = {
		OP_GET,	    OP_ALLOC,	   OP_GET_BULK, OP_PREPEND,  OP_PREPEND_BURST,
		OP_COPY,    OP_COPY_CHAIN, OP_CLONE,	OP_PKT_COPY, OP_PKT_ALLOC,
		OP_PREPEND, OP_ADD,	   OP_ADD_BURST};
	unsigned int nops = 0;
	uint8_t b;
	int p, h;

	memset(&M, 0, sizeof(M));
	cur_op = "start";
	TEST_ASSERT(mtag_stats_get(&s) == 0 && s.in_use == 0, "tags in use before the input");
	for (p = 0; p < NB_CLASSES; p++) {
		M.allocs[p] = s.cls[p].allocs;
		M.frees[p] = s.cls[p].frees;
		M.fails[p] = s.cls[p].alloc_fails;
	}
	M.debug_errors = s.debug_errors;
	M.dtor_calls = dtor_calls;
	/* Two packets to start with, so that short inputs do something. */
	TEST_RUN(op_pkt_alloc(&(struct cursor){.d = (const uint8_t[]){0}, .n = 1}));
	TEST_RUN(op_pkt_alloc(&(struct cursor){.d = (const uint8_t[]){1}, .n = 1}));
	while (c.i < c.n && nops++ < MAX_OPS) {
		b = u8(&c);
		TEST_RUN(run_op(&c, b < 160 ? b % NB_OPS : grow_ops[b % RTE_DIM(grow_ops)]));
		TEST_RUN(check_all());
	}
	cur_op = "cleanup";
	for (h = 0; h < NB_HELD; h++)
		if (M.held_used[h]) {
			mtag_free(M.held[h].real);
			model_release(&M.held[h]);
			M.held_used[h] = false;
		}
	for (p = 0; p < NB_PKTS; p++)
		if (M.pkt[p].m != NULL) {
			mtag_pktmbuf_free(M.pkt[p].m);
			model_release_chain(&M.pkt[p]);
			M.pkt[p].m = NULL;
		}
	TEST_RUN(check_stats());
	TEST_ASSERT(mtag_stats_get(&s) == 0 && s.in_use == 0, "%" PRIu64 " tags leaked", s.in_use);
	TEST_ASSERT(rte_mempool_avail_count(mbuf_pool) == mbuf_pool->size, "%u mbufs leaked",
		    mbuf_pool->size - rte_mempool_avail_count(mbuf_pool));
	return TEST_SUCCESS;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A divergence aborts (test_fail_abort) before it returns here. */
	return fuzz_one(data, size) == TEST_SUCCESS ? 0 : -1;
}
