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

/* Each byte's two hex digits. */
static const char mtag_hex_byte[256][2] = {
#define MTAG_HEX_ROW(h)                                                                            \
	{h, '0'}, {h, '1'}, {h, '2'}, {h, '3'}, {h, '4'}, {h, '5'}, {h, '6'}, {h, '7'}, {h, '8'},  \
		{h, '9'}, {h, 'a'}, {h, 'b'}, {h, 'c'}, {h, 'd'}, {h, 'e'},                        \
	{                                                                                          \
		h, 'f'                                                                             \
	}
	MTAG_HEX_ROW('0'), MTAG_HEX_ROW('1'), MTAG_HEX_ROW('2'), MTAG_HEX_ROW('3'),
	MTAG_HEX_ROW('4'), MTAG_HEX_ROW('5'), MTAG_HEX_ROW('6'), MTAG_HEX_ROW('7'),
	MTAG_HEX_ROW('8'), MTAG_HEX_ROW('9'), MTAG_HEX_ROW('a'), MTAG_HEX_ROW('b'),
	MTAG_HEX_ROW('c'), MTAG_HEX_ROW('d'), MTAG_HEX_ROW('e'), MTAG_HEX_ROW('f'),
#undef MTAG_HEX_ROW
};

/* The low nb_digits (an even number) hex digits of v, lower case, leading
 * zeros, a byte at a time. */
static inline char *
mtag_text_hex(char *p, uint32_t v, unsigned int nb_digits)
{
	unsigned int i;

	for (i = nb_digits; i > 0; i -= 2, v >>= 8)
		memcpy(p + i - 2, mtag_hex_byte[v & 0xff], 2);
	return p + nb_digits;
}

/* The words of a tag into p, which has MTAG_TAG_TEXT_MAX bytes; returns
 * the end (no NUL). Written out rather than with snprintf(): capture runs it
 * for every packet, and snprintf() costs about ten times more. */
static char *
mtag_tag_words(char *p, const struct mtag *t)
{
	const uint8_t *d = (const uint8_t *)(t + 1);
	const char *name = "?";
	struct mtag_ipsec ipsec;
	struct mtag_vlan vlan;
	unsigned int i, n;

	if (t->cookie == MTAG_ABI_COMPAT && mtag_state.shared != NULL && mtag_type_valid(t->type))
		name = mtag_state.shared->type_name[t->type];
	p = mtag_text_str(p, "type ");
	p = mtag_text_u32(p, t->type);
	p = mtag_text_str(p, " (");
	p = mtag_text_mem(p, name, strnlen(name, MTAG_TYPE_NAMESIZE - 1));
	p = mtag_text_str(p, ") len ");
	p = mtag_text_u32(p, t->len);
	p = mtag_text_str(p, " cookie ");
	p = mtag_text_u32(p, t->cookie);
	/* The payload of a predefined type decoded, or the first bytes in hex. */
	if (t->cookie == MTAG_ABI_COMPAT &&
	    (t->type == MTAG_TYPE_VLAN || t->type == MTAG_TYPE_VLAN_INSERT) &&
	    t->len >= sizeof(vlan)) {
		memcpy(&vlan, d, sizeof(vlan));
		p = mtag_text_str(p, " tpid 0x");
		p = mtag_text_hex(p, vlan.tpid, 4);
		p = mtag_text_str(p, " pcp ");
		p = mtag_text_u32(p, vlan.tci >> 13);
		p = mtag_text_str(p, " dei ");
		p = mtag_text_u32(p, (vlan.tci >> 12) & 1);
		p = mtag_text_str(p, " vid ");
		return mtag_text_u32(p, vlan.tci & 0xfff);
	}
	if (t->cookie == MTAG_ABI_COMPAT &&
	    (t->type == MTAG_TYPE_IPSEC_IN_DONE || t->type == MTAG_TYPE_IPSEC_OUT_DONE) &&
	    t->len >= sizeof(ipsec)) {
		memcpy(&ipsec, d, sizeof(ipsec));
		p = mtag_text_str(p, " sa ");
		p = mtag_text_u32(p, ipsec.sa_id);
		p = mtag_text_str(p, " spi 0x");
		return mtag_text_hex(p, ipsec.spi, 8);
	}
	if (t->len > 0)
		p = mtag_text_str(p, " data");
	n = RTE_MIN(t->len, MTAG_TAG_TEXT_BYTES);
	for (i = 0; i < n; i++, p += 3) {
		p[0] = ' ';
		mtag_text_hex(p + 1, d[i], 2);
	}
	if (t->len > MTAG_TAG_TEXT_BYTES)
		p = mtag_text_str(p, " ...");
	return p;
}

size_t
mtag_tag_format(char *buf, size_t size, const struct mtag *t)
{
	char text[MTAG_TAG_TEXT_MAX];
	size_t len;

	if (size >= MTAG_TAG_TEXT_MAX) {
		len = (size_t)(mtag_tag_words(buf, t) - buf);
		buf[len] = '\0';
		return len;
	}
	if (size == 0)
		return 0;
	len = RTE_MIN((size_t)(mtag_tag_words(text, t) - text), size - 1);
	memcpy(buf, text, len);
	buf[len] = '\0';
	return len;
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
