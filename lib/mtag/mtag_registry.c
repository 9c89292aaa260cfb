/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/* Tag types by name. Names live in the shared zone, so that every process
 * gets the same id for a name; destructors and copiers are pointers to code
 * and stay in a per-process table. */

#include <ctype.h>
#include <errno.h>

#include <rte_errno.h>

#include "mtag_priv.h"

static const char *const mtag_predefined[MTAG_TYPE_USER_BASE] = {
	[MTAG_TYPE_IPSEC_IN_DONE] = "ipsec_in_done",
	[MTAG_TYPE_IPSEC_OUT_DONE] = "ipsec_out_done",
	[MTAG_TYPE_IPSEC_FLOWINFO] = "ipsec_flowinfo",
	[MTAG_TYPE_WIREGUARD] = "wireguard",
	[MTAG_TYPE_GRE] = "gre",
	[MTAG_TYPE_DLT] = "dlt",
	[MTAG_TYPE_PF_DIVERT] = "pf_divert",
	[MTAG_TYPE_PF_REASSEMBLED] = "pf_reassembled",
	[MTAG_TYPE_SRCROUTE] = "srcroute",
	[MTAG_TYPE_CARP_BAL_IP] = "carp_bal_ip",
	[MTAG_TYPE_VLAN] = "vlan",
	[MTAG_TYPE_VLAN_INSERT] = "vlan_insert",
};

void
mtag_registry_init(struct mtag_shared *sh)
{
	unsigned int i;

	rte_spinlock_init(&sh->lock);
	for (i = 0; i < MTAG_TYPE_USER_BASE; i++)
		if (mtag_predefined[i] != NULL)
			strlcpy(sh->type_name[i], mtag_predefined[i], MTAG_TYPE_NAMESIZE);
}

/* Letters, digits, '_' and '/': what telemetry accepts as a key, so that
 * /mtag/types can list every type. */
static int
mtag_name_check(const char *name)
{
	size_t len, i;

	if (name == NULL)
		return -EINVAL;
	len = strnlen(name, MTAG_TYPE_NAMESIZE);
	if (len == 0 || len == MTAG_TYPE_NAMESIZE)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '_' && name[i] != '/')
			return -EINVAL;
	return 0;
}

/* Id of a name, or -ENOENT; the caller holds the lock or accepts a race
 * with a concurrent registration of the same name. */
static int
mtag_name_find(const struct mtag_shared *sh, const char *name)
{
	unsigned int i;

	/* A free id has an empty name: "" names no type. */
	if (name[0] == '\0')
		return -ENOENT;
	for (i = 0; i < MTAG_TYPE_MAX; i++)
		if (strncmp(sh->type_name[i], name, MTAG_TYPE_NAMESIZE) == 0)
			return (int)i;
	return -ENOENT;
}

int
mtag_type_register(const char *name)
{
	struct mtag_shared *sh = mtag_state.shared;
	unsigned int i;
	int id;

	if (mtag_name_check(name) != 0)
		return -EINVAL;
	if (sh == NULL)
		return -ENOENT;
	rte_spinlock_lock(&sh->lock);
	id = mtag_name_find(sh, name);
	if (id >= 0 && id < MTAG_TYPE_USER_BASE) {
		id = -EEXIST;
	} else if (id < 0) {
		id = -ENOSPC;
		for (i = MTAG_TYPE_USER_BASE; i < MTAG_TYPE_MAX; i++)
			if (sh->type_name[i][0] == '\0') {
				strlcpy(sh->type_name[i], name, MTAG_TYPE_NAMESIZE);
				id = (int)i;
				break;
			}
	}
	rte_spinlock_unlock(&sh->lock);
	if (id == -ENOSPC)
		MTAG_LOG(ERR, "type registry full, cannot register '%s'", name);
	return id;
}

int
mtag_type_lookup(const char *name)
{
	if (name == NULL)
		return -EINVAL;
	if (mtag_state.shared == NULL)
		return -ENOENT;
	return mtag_name_find(mtag_state.shared, name);
}

const char *
mtag_type_name(uint16_t type)
{
	if (mtag_state.shared == NULL || !mtag_type_valid(type)) {
		rte_errno = ENOENT;
		return NULL;
	}
	return mtag_state.shared->type_name[type];
}

int
mtag_type_set_destructor(uint16_t type, void (*fn)(struct mtag *t))
{
	unsigned int i;

	if (mtag_state.shared == NULL || !mtag_type_valid(type))
		return -EINVAL;
	mtag_state.dtor[type] = fn;
	mtag_state.have_dtor = false;
	for (i = 0; i < MTAG_TYPE_MAX; i++)
		if (mtag_state.dtor[i] != NULL)
			mtag_state.have_dtor = true;
	mtag_lcores_set_puts();
	return 0;
}

int
mtag_type_set_copier(uint16_t type, int (*fn)(struct mtag *dst, const struct mtag *src))
{
	if (mtag_state.shared == NULL || !mtag_type_valid(type))
		return -EINVAL;
	mtag_state.copier[type] = fn;
	return 0;
}
