/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/* Counters, and the telemetry commands /mtag/stats and /mtag/types. */

#include <errno.h>
#include <stdio.h>

#include <rte_telemetry.h>

#include "mtag_priv.h"

int
mtag_stats_get(struct mtag_stats *s)
{
	const struct mtag_shared *sh = mtag_state.shared;
	const struct mtag_lcore_stats *ls;
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
		for (i = 0; i < MTAG_STATS_SLOTS; i++) {
			ls = &sh->stats[i];
			cs->allocs += __atomic_load_n(&ls->allocs[c], __ATOMIC_RELAXED);
			cs->frees += __atomic_load_n(&ls->frees[c], __ATOMIC_RELAXED);
			cs->alloc_fails += __atomic_load_n(&ls->fails[c], __ATOMIC_RELAXED);
		}
		/* Counters are read one after the other while lcores run. */
		cs->in_use = cs->allocs > cs->frees ? cs->allocs - cs->frees : 0;
		s->allocs += cs->allocs;
		s->frees += cs->frees;
		s->alloc_fails += cs->alloc_fails;
		s->in_use += cs->in_use;
	}
	return 0;
}

static void
mtag_tel_counters(struct rte_tel_data *d, const struct mtag_class_stats *cs)
{
	mtag_tel_add_u64(d, "in_use", cs->in_use);
	mtag_tel_add_u64(d, "allocs", cs->allocs);
	mtag_tel_add_u64(d, "frees", cs->frees);
	mtag_tel_add_u64(d, "alloc_fails", cs->alloc_fails);
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
	total = (struct mtag_class_stats){s.in_use, s.allocs, s.frees, s.alloc_fails};
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
	unsigned int i;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	if (sh == NULL)
		return 0;
	for (i = 0; i < MTAG_TYPE_MAX; i++)
		if (sh->type_name[i][0] != '\0')
			rte_tel_data_add_dict_int(d, sh->type_name[i], i);
	return 0;
}

RTE_INIT(mtag_telemetry_init)
{
	rte_telemetry_register_cmd("/mtag/stats", mtag_tel_stats,
				   "Tag counters, total and per size class. No parameters.");
	rte_telemetry_register_cmd("/mtag/types", mtag_tel_types,
				   "Tag types: name to id. No parameters.");
}
