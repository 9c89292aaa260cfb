/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/* Checks of a -Dmtag_debug=true build: every tag carries a magic, the
 * packet that owns it, and where and when it was allocated. A misuse is
 * logged, counted in mtag_stats.debug_errors, and the operation is refused.
 * Live tags can be listed by type and allocation site. */

#define _GNU_SOURCE /* dladdr() */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_cycles.h>
#include <rte_telemetry.h>

#include "mtag_priv.h"

#ifdef MTAG_DEBUG

void
mtag_debug_error(const char *what, const struct mtag *t, const struct rte_mbuf *m)
{
	__atomic_fetch_add(&mtag_state.shared->debug_errors, 1, __ATOMIC_RELAXED);
	MTAG_LOG(ERR, "DEBUG CHECK FAILED: %s (tag %p, mbuf %p)", what, (const void *)t,
		 (const void *)m);
}

static int
mtag_debug_check_live(const struct mtag *t, const struct rte_mbuf *m)
{
	uint64_t magic = mtag_dbg(t)->magic;

	if (magic == MTAG_MAGIC_LIVE)
		return 0;
	mtag_debug_error(magic == MTAG_MAGIC_FREE ? "use of a freed tag (double free?)"
						  : "not a tag (bad magic)",
			 t, m);
	return -1;
}

int
mtag_debug_check_free(const struct mtag *t)
{
	if (mtag_debug_check_live(t, NULL) != 0)
		return -1;
	if (mtag_dbg(t)->owner != NULL) {
		mtag_debug_error("mtag_free of a tag still on a chain", t, mtag_dbg(t)->owner);
		return -1;
	}
	return 0;
}

int
mtag_debug_check_prepend(const struct rte_mbuf *m, const struct mtag *t)
{
	if (mtag_debug_check_live(t, m) != 0)
		return -1;
	if (mtag_dbg(t)->owner != NULL) {
		mtag_debug_error(mtag_dbg(t)->owner == m ? "tag prepended twice to one packet"
							 : "tag on two chains",
				 t, m);
		return -1;
	}
	if (mtag_debug_check_chain(m) != 0)
		return -1;
	mtag_dbg(t)->owner = m;
	return 0;
}

int
mtag_debug_check_chain(const struct rte_mbuf *m)
{
	const struct mtag *head;

	if (!mtag_is_tagged(m))
		return 0;
	head = mtag_chain_of(m)->head;
	if (mtag_debug_check_live(head, m) != 0)
		return -1;
	if (mtag_dbg(head)->owner != m) {
		mtag_debug_error("chain belongs to another packet (plain rte_pktmbuf_clone/copy?)",
				 head, m);
		return -1;
	}
	return 0;
}

int
mtag_debug_check_unlink(const struct rte_mbuf *m, const struct mtag *t)
{
	if (mtag_debug_check_live(t, m) != 0)
		return -1;
	if (mtag_dbg(t)->owner != m) {
		mtag_debug_error("tag deleted or unlinked from a packet that does not own it", t,
				 m);
		return -1;
	}
	return mtag_debug_check_chain(m);
}

void
mtag_debug_set_owner(struct mtag *head, const struct rte_mbuf *m)
{
	for (; head != NULL; head = head->next)
		mtag_dbg(head)->owner = m;
}

#endif /* MTAG_DEBUG */

/* Live tags by type and allocation site: every pool's objects are walked
 * (rte_mempool_obj_iter) and those marked live are grouped. Nothing is kept
 * per tag beyond its debug header, so the walk costs nothing until asked. */

#define MTAG_LEAK_GROUPS 128

struct mtag_leak_group {
	uint16_t type;
	uint32_t cookie;
	const void *site;
	uint64_t count;
	uint64_t oldest_tsc;
};

struct mtag_leak_walk {
	struct mtag_leak_group g[MTAG_LEAK_GROUPS];
	unsigned int nb;
	uint64_t live, ungrouped;
};

#ifdef MTAG_DEBUG
RTE_DEFINE_PER_LCORE(const void *, mtag_debug_site);

static void
mtag_leak_obj(struct rte_mempool *mp, void *arg, void *elt, unsigned int idx)
{
	struct mtag_leak_walk *w = arg;
	const struct mtag *t = mtag_from_elt(elt);
	const struct mtag_debug_hdr *h = elt;
	unsigned int i;

	RTE_SET_USED(mp);
	RTE_SET_USED(idx);
	if (h->magic != MTAG_MAGIC_LIVE)
		return;
	w->live++;
	for (i = 0; i < w->nb; i++)
		if (w->g[i].type == t->type && w->g[i].cookie == t->cookie &&
		    w->g[i].site == h->site)
			break;
	if (i == w->nb) {
		if (w->nb == MTAG_LEAK_GROUPS) {
			w->ungrouped++;
			return;
		}
		w->g[w->nb++] = (struct mtag_leak_group){.type = t->type,
							 .cookie = t->cookie,
							 .site = h->site,
							 .oldest_tsc = h->tsc};
	}
	w->g[i].count++;
	if (h->tsc < w->g[i].oldest_tsc)
		w->g[i].oldest_tsc = h->tsc;
}

static void
mtag_leak_collect(struct mtag_leak_walk *w)
{
	unsigned int s, c;

	memset(w, 0, sizeof(*w));
	for (s = 0; s < MTAG_MAX_SOCKETS; s++)
		for (c = 0; c < MTAG_CLASS_MAX; c++)
			if (mtag_state.pool[s][c] != NULL)
				rte_mempool_obj_iter(mtag_state.pool[s][c], mtag_leak_obj, w);
}

/* "function+0xoff (object)" of a code address, or its hex value. */
static void
mtag_site_name(const void *site, char *buf, size_t size)
{
	Dl_info info;

	if (site != NULL && dladdr(site, &info) != 0 && info.dli_sname != NULL)
		snprintf(buf, size, "%s+0x%tx", info.dli_sname,
			 (const char *)site - (const char *)info.dli_saddr);
	else
		snprintf(buf, size, "%p", site);
}

static const char *
mtag_leak_type_name(const struct mtag_leak_group *g)
{
	const char *name = g->cookie == MTAG_ABI_COMPAT && mtag_type_valid(g->type)
				   ? mtag_state.shared->type_name[g->type]
				   : NULL;

	return name != NULL ? name : "?";
}
#endif /* MTAG_DEBUG */

int
mtag_debug_dump_live(FILE *f)
{
#ifdef MTAG_DEBUG
	struct mtag_leak_walk *w;
	uint64_t now = rte_rdtsc();
	char site[128];
	unsigned int i;

	if (f == NULL)
		return -EINVAL;
	if (mtag_state.shared == NULL)
		return -ENOENT;
	w = malloc(sizeof(*w));
	if (w == NULL)
		return -ENOMEM;
	mtag_leak_collect(w);
	fprintf(f, "mtag: %" PRIu64 " live tags in %u groups (type, allocation site)\n", w->live,
		w->nb);
	for (i = 0; i < w->nb; i++) {
		mtag_site_name(w->g[i].site, site, sizeof(site));
		fprintf(f,
			"  %" PRIu64 " x type %u (%s) cookie %u from %s, oldest %" PRIu64
			" TSC cycles old\n",
			w->g[i].count, w->g[i].type, mtag_leak_type_name(&w->g[i]), w->g[i].cookie,
			site, now - w->g[i].oldest_tsc);
	}
	if (w->ungrouped > 0)
		fprintf(f, "  %" PRIu64 " more in groups past the first %u\n", w->ungrouped,
			MTAG_LEAK_GROUPS);
	i = (unsigned int)RTE_MIN(w->live, (uint64_t)INT32_MAX);
	free(w);
	return (int)i;
#else
	if (f != NULL)
		fprintf(f, "mtag: live tags by site need a -Dmtag_debug=true build\n");
	return -ENOTSUP;
#endif
}

#ifdef MTAG_DEBUG
static int
mtag_tel_leaks(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct mtag_leak_walk *w;
	struct rte_tel_data *gd;
	uint64_t now = rte_rdtsc();
	char site[128], key[32];
	unsigned int i;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	if (mtag_state.shared == NULL)
		return 0;
	w = malloc(sizeof(*w));
	if (w == NULL)
		return -ENOMEM;
	mtag_leak_collect(w);
	mtag_tel_add_u64(d, "live", w->live);
	mtag_tel_add_u64(d, "ungrouped", w->ungrouped);
	for (i = 0; i < w->nb && i < RTE_TEL_MAX_DICT_ENTRIES - 2; i++) {
		gd = rte_tel_data_alloc();
		if (gd == NULL)
			break;
		rte_tel_data_start_dict(gd);
		rte_tel_data_add_dict_string(gd, "type", mtag_leak_type_name(&w->g[i]));
		rte_tel_data_add_dict_int(gd, "type_id", w->g[i].type);
		mtag_tel_add_u64(gd, "cookie", w->g[i].cookie);
		mtag_site_name(w->g[i].site, site, sizeof(site));
		rte_tel_data_add_dict_string(gd, "site", site);
		mtag_tel_add_u64(gd, "count", w->g[i].count);
		mtag_tel_add_u64(gd, "oldest_age_tsc", now - w->g[i].oldest_tsc);
		snprintf(key, sizeof(key), "group%u", i);
		rte_tel_data_add_dict_container(d, key, gd, 0);
	}
	free(w);
	return 0;
}

RTE_INIT(mtag_debug_telemetry_init)
{
	rte_telemetry_register_cmd(
		"/mtag/leaks", mtag_tel_leaks,
		"Debug build: live tags by type and allocation site, with counts "
		"and the oldest age in TSC cycles. No parameters.");
}
#endif
