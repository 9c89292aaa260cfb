/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/* Observability: counters, mtag_dump() and the words it uses for a tag
 * (mtag_tag_format(), which capture writes into packet comments too), and
 * the telemetry commands /mtag/stats and /mtag/types (tags in use per type). */

#include <errno.h>
#include <stdio.h>

#include <rte_telemetry.h>

#include "mtag_priv.h"

int
mtag_stats_get(struct mtag_stats *s)
{
	struct mtag_shared *sh = mtag_state.shared;
	const struct mtag_cache *lc;
	struct mtag_class_stats *cs;
	unsigned int i, c;

	if (s == NULL)
		return -EINVAL;
	if (sh == NULL)
		return -ENOENT;
	memset(s, 0, sizeof(*s));
	s->nb_classes = sh->nb_classes;
	s->debug_errors = __atomic_load_n(&sh->debug_errors, __ATOMIC_RELAXED);
	for (c = 0; c < sh->nb_classes; c++) {
		s->class_len[c] = sh->class_len[c];
		cs = &s->cls[c];
		for (i = 0; i < MTAG_LCORE_SLOTS; i++) {
			lc = mtag_cache_of(sh, i, c);
			cs->allocs += __atomic_load_n(&lc->allocs, __ATOMIC_RELAXED);
			cs->frees += __atomic_load_n(&lc->frees, __ATOMIC_RELAXED);
			cs->alloc_fails += __atomic_load_n(&lc->fails, __ATOMIC_RELAXED);
			cs->cached += __atomic_load_n(&lc->len, __ATOMIC_RELAXED);
		}
		/* Counters are read one after the other while lcores run. */
		cs->in_use = cs->allocs > cs->frees ? cs->allocs - cs->frees : 0;
		s->allocs += cs->allocs;
		s->frees += cs->frees;
		s->alloc_fails += cs->alloc_fails;
		s->cached += cs->cached;
		s->in_use += cs->in_use;
	}
	return 0;
}

/* The end of a text of n bytes after snprintf() added len to it, cut at
 * size (snprintf's own cut). */
static inline size_t
mtag_text_end(size_t n, int len, size_t size)
{
	return len < 0 ? n : RTE_MIN(n + (size_t)len, size - 1);
}

/* Append to buf, of size bytes, holding a text of n bytes. */
#define mtag_text_add(buf, size, n, ...)                                                           \
	((n) = mtag_text_end((n), snprintf((buf) + (n), (size) - (n), __VA_ARGS__), (size)))

size_t
mtag_tag_format(char *buf, size_t size, const struct mtag *t)
{
	const uint8_t *d = (const uint8_t *)(t + 1);
	const char *name = NULL;
	struct mtag_ipsec ipsec;
	struct mtag_vlan vlan;
	unsigned int i;
	size_t n = 0;

	if (size == 0)
		return 0;
	buf[0] = '\0';
	if (t->cookie == MTAG_ABI_COMPAT && mtag_state.shared != NULL && mtag_type_valid(t->type))
		name = mtag_state.shared->type_name[t->type];
	mtag_text_add(buf, size, n, "type %u (%s) len %u cookie %u", t->type,
		      name != NULL ? name : "?", t->len, t->cookie);
	/* The payload of a predefined type decoded, or the first bytes in hex. */
	if (t->cookie == MTAG_ABI_COMPAT &&
	    (t->type == MTAG_TYPE_VLAN || t->type == MTAG_TYPE_VLAN_INSERT) &&
	    t->len >= sizeof(vlan)) {
		memcpy(&vlan, d, sizeof(vlan));
		mtag_text_add(buf, size, n, " tpid 0x%04x pcp %u dei %u vid %u", vlan.tpid,
			      vlan.tci >> 13, (vlan.tci >> 12) & 1, vlan.tci & 0xfff);
		return n;
	}
	if (t->cookie == MTAG_ABI_COMPAT &&
	    (t->type == MTAG_TYPE_IPSEC_IN_DONE || t->type == MTAG_TYPE_IPSEC_OUT_DONE) &&
	    t->len >= sizeof(ipsec)) {
		memcpy(&ipsec, d, sizeof(ipsec));
		mtag_text_add(buf, size, n, " sa %u spi 0x%08x", ipsec.sa_id, ipsec.spi);
		return n;
	}
	if (t->len > 0)
		mtag_text_add(buf, size, n, " data");
	for (i = 0; i < t->len && i < MTAG_TAG_TEXT_BYTES; i++)
		mtag_text_add(buf, size, n, " %02x", d[i]);
	if (t->len > MTAG_TAG_TEXT_BYTES)
		mtag_text_add(buf, size, n, " ...");
	return n;
}

void
mtag_dump(FILE *f, const struct rte_mbuf *m)
{
	char text[MTAG_TAG_TEXT_MAX];
	const struct mtag *t;
	unsigned int n = 0;

	if (f == NULL || m == NULL)
		return;
	for (t = mtag_first(m); t != NULL; t = t->next)
		n++;
	fprintf(f, "mtag: mbuf %p, %u tag%s\n", (const void *)m, n, n == 1 ? "" : "s");
	for (t = mtag_first(m), n = 0; t != NULL; t = t->next, n++) {
		mtag_tag_format(text, sizeof(text), t);
		fprintf(f, "  %u: %s\n", n, text);
	}
}

static void
mtag_tel_counters(struct rte_tel_data *d, const struct mtag_class_stats *cs)
{
	mtag_tel_add_u64(d, "in_use", cs->in_use);
	mtag_tel_add_u64(d, "allocs", cs->allocs);
	mtag_tel_add_u64(d, "frees", cs->frees);
	mtag_tel_add_u64(d, "alloc_fails", cs->alloc_fails);
	mtag_tel_add_u64(d, "cached", cs->cached);
}

static int
mtag_tel_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct mtag_class_stats total;
	struct rte_tel_data *cd;
	struct mtag_stats s;
	char name[32];
	unsigned int c;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	if (mtag_stats_get(&s) != 0) {
		rte_tel_data_add_dict_int(d, "initialized", 0);
		return 0;
	}
	rte_tel_data_add_dict_int(d, "initialized", 1);
	total = (struct mtag_class_stats){s.in_use, s.allocs, s.frees, s.alloc_fails, s.cached};
	mtag_tel_counters(d, &total);
	mtag_tel_add_u64(d, "debug_errors", s.debug_errors);
	for (c = 0; c < s.nb_classes; c++) {
		cd = rte_tel_data_alloc();
		if (cd == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(cd);
		mtag_tel_add_u64(cd, "len", s.class_len[c]);
		mtag_tel_add_u64(cd, "bytes_per_tag", mtag_pool_bytes_per_tag(c));
		mtag_tel_counters(cd, &s.cls[c]);
		snprintf(name, sizeof(name), "class%u", c);
		rte_tel_data_add_dict_container(d, name, cd, 0);
	}
	return 0;
}

static int
mtag_tel_types(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct mtag_shared *sh = mtag_state.shared;
	struct rte_tel_data *td;
	unsigned int i;
	int64_t n;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	if (sh == NULL)
		return 0;
	for (i = 0; i < MTAG_TYPE_MAX; i++) {
		if (sh->type_name[i][0] == '\0')
			continue;
		td = rte_tel_data_alloc();
		if (td == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(td);
		rte_tel_data_add_dict_int(td, "id", (int)i);
		/* Counters are read one after the other while lcores run. */
		n = mtag_type_in_use(i);
		mtag_tel_add_u64(td, "in_use", n > 0 ? (uint64_t)n : 0);
		rte_tel_data_add_dict_container(d, sh->type_name[i], td, 0);
	}
	return 0;
}

RTE_INIT(mtag_telemetry_init)
{
	rte_telemetry_register_cmd("/mtag/stats", mtag_tel_stats,
				   "Tag counters, total and per size class. No parameters.");
	rte_telemetry_register_cmd("/mtag/types", mtag_tel_types,
				   "Tag types: name to id and tags in use. No parameters.");
}
