/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/* Set-up and tear-down: the dynamic field and flag, the shared zone. */

#include <errno.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_memzone.h>

#include "mtag_priv.h"

RTE_LOG_REGISTER_DEFAULT(mtag_logtype, NOTICE);

int mtag_dynfield_offset = -1;
uint64_t mtag_dynflag_mask;
struct mtag_state mtag_state;

static const struct rte_mbuf_dynfield mtag_dynfield_desc = {
	.name = "mtag_dynfield_chain",
	.size = sizeof(struct mtag_chain),
	.align = __alignof__(struct mtag_chain),
};

static const struct rte_mbuf_dynflag mtag_dynflag_desc = {
	.name = "mtag_dynflag_present",
};

static int
mtag_register_dyn(void)
{
	int off, bit;

	/* Registration by name is idempotent and shared by all processes. */
	off = rte_mbuf_dynfield_register(&mtag_dynfield_desc);
	if (off < 0) {
		MTAG_LOG(ERR, "cannot register dynfield: %s", rte_strerror(rte_errno));
		return -rte_errno;
	}
	bit = rte_mbuf_dynflag_register(&mtag_dynflag_desc);
	if (bit < 0) {
		MTAG_LOG(ERR, "cannot register dynflag: %s", rte_strerror(rte_errno));
		return -rte_errno;
	}
	mtag_dynfield_offset = off;
	mtag_dynflag_mask = UINT64_C(1) << bit;
	return 0;
}

/* -EINVAL, with a log line naming the field, for a configuration that
 * cannot be had. */
static int
mtag_check_conf(const struct mtag_conf *conf)
{
	unsigned int i;

	if (conf == NULL)
		return 0;
	if (conf->pool_ops != NULL &&
	    (conf->pool_ops[0] == '\0' || strlen(conf->pool_ops) >= RTE_MEMPOOL_OPS_NAMESIZE)) {
		MTAG_LOG(ERR,
			 "bad configuration: pool_ops \"%s\" (NULL or a mempool driver's "
			 "name)",
			 conf->pool_ops);
		return -EINVAL;
	}
	if (conf->pool_size != 0 && conf->pool_size < 2) {
		MTAG_LOG(ERR, "bad configuration: pool_size %u (0 for the default, else >= 2)",
			 conf->pool_size);
		return -EINVAL;
	}
	for (i = 0; i < MTAG_CLASS_MAX; i++) {
		if (conf->class_len[i] > MTAG_LEN_MAX) {
			MTAG_LOG(ERR, "bad configuration: class_len[%u] %u > MTAG_LEN_MAX (%u)", i,
				 conf->class_len[i], MTAG_LEN_MAX);
			return -EINVAL;
		}
		if (i > 0 && conf->class_len[i] != 0 && conf->class_len[i - 1] == 0) {
			MTAG_LOG(ERR,
				 "bad configuration: class_len[%u] %u after a 0 (the list "
				 "ends at its first 0)",
				 i, conf->class_len[i]);
			return -EINVAL;
		}
		if (i > 0 && conf->class_len[i] != 0 &&
		    conf->class_len[i] <= conf->class_len[i - 1]) {
			MTAG_LOG(ERR,
				 "bad configuration: class_len[%u] %u not above class_len[%u] %u",
				 i, conf->class_len[i], i - 1, conf->class_len[i - 1]);
			return -EINVAL;
		}
	}
	return 0;
}

/* 0 when conf asks for what the library already has (NULL always does);
 * -EBUSY, with a log line naming the first field that differs, otherwise. */
static int
mtag_same_conf(const struct mtag_conf *conf)
{
	const struct mtag_shared *sh = mtag_state.shared;
	struct mtag_conf_eff want;
	unsigned int i;

	if (conf == NULL)
		return 0;
	mtag_conf_resolve(conf, &want);
	if (want.pool_size != sh->pool_size) {
		MTAG_LOG(ERR, "initialised already, with pool_size %u (asked %u)", sh->pool_size,
			 want.pool_size);
		return -EBUSY;
	}
	if (want.cache_size != sh->cache_size) {
		MTAG_LOG(ERR, "initialised already, with cache_size %u (asked %u)", sh->cache_size,
			 want.cache_size);
		return -EBUSY;
	}
	if (strcmp(want.pool_ops, sh->pool_ops) != 0) {
		MTAG_LOG(ERR, "initialised already, with pool_ops \"%s\" (asked \"%s\")",
			 sh->pool_ops, want.pool_ops);
		return -EBUSY;
	}
	for (i = 0; i < MTAG_CLASS_MAX; i++)
		if (want.class_len[i] != sh->class_len[i]) {
			MTAG_LOG(ERR, "initialised already, with class_len[%u] %u (asked %u)", i,
				 sh->class_len[i], want.class_len[i]);
			return -EBUSY;
		}
	return 0;
}

static int
mtag_init_primary(const struct mtag_conf *conf)
{
	const struct rte_memzone *mz;
	struct mtag_conf_eff eff;
	struct mtag_shared *sh;
	size_t size;
	int ret;

	mtag_conf_resolve(conf, &eff);
	size = sizeof(*sh) +
	       (size_t)MTAG_LCORE_SLOTS * eff.nb_classes * mtag_cache_bytes(eff.cache_size);
	mz = rte_memzone_lookup(MTAG_SHARED_MZ);
	if (mz != NULL && mz->len < size) {
		rte_memzone_free(mz);
		mz = NULL;
	}
	if (mz == NULL)
		mz = rte_memzone_reserve(MTAG_SHARED_MZ, size, SOCKET_ID_ANY, 0);
	if (mz == NULL) {
		MTAG_LOG(ERR, "cannot reserve %s (%zu KiB): %s", MTAG_SHARED_MZ, size / 1024,
			 rte_strerror(rte_errno));
		return -ENOMEM;
	}
	sh = mz->addr;
	memset(sh, 0, size);
	sh->nb_classes = eff.nb_classes;
	sh->pool_size = eff.pool_size;
	sh->cache_size = eff.cache_size;
	memcpy(sh->class_len, eff.class_len, sizeof(eff.class_len));
	memcpy(sh->pool_ops, eff.pool_ops, sizeof(eff.pool_ops));
	mtag_state.mz = mz;
	mtag_state.shared = sh;
	mtag_registry_init(sh);
	mtag_caches_init(sh);
	ret = mtag_pools_init();
	if (ret != 0) {
		rte_memzone_free(mz);
		memset(&mtag_state, 0, sizeof(mtag_state));
		return ret;
	}
	sh->magic = MTAG_SHARED_MAGIC;
	return 0;
}

static int
mtag_init_secondary(void)
{
	const struct rte_memzone *mz;
	int ret;

	mz = rte_memzone_lookup(MTAG_SHARED_MZ);
	if (mz == NULL || ((struct mtag_shared *)mz->addr)->magic != MTAG_SHARED_MAGIC) {
		MTAG_LOG(ERR, "primary process has not initialised mtag");
		return -ENOENT;
	}
	mtag_state.mz = mz;
	mtag_state.shared = mz->addr;
	ret = mtag_pools_init();
	if (ret != 0)
		memset(&mtag_state, 0, sizeof(mtag_state));
	return ret;
}

int
mtag_lib_init(const struct mtag_conf *conf)
{
	int ret;

	ret = mtag_check_conf(conf);
	if (ret != 0)
		return ret;
	if (mtag_state.shared != NULL)
		return mtag_same_conf(conf);
	ret = mtag_register_dyn();
	if (ret != 0)
		return ret;
	ret = mtag_lcores_callback();
	if (ret != 0)
		return ret;
	mtag_state.primary = rte_eal_process_type() == RTE_PROC_PRIMARY;
	ret = mtag_state.primary ? mtag_init_primary(conf) : mtag_init_secondary();
	if (ret != 0)
		return ret;
	mtag_lcores_init();
	MTAG_LOG(INFO, "%s: %u size classes up to %u bytes, %u tags each, cache %u",
		 mtag_state.primary ? "primary" : "secondary", mtag_state.shared->nb_classes,
		 mtag_state.max_len, mtag_state.shared->pool_size, mtag_state.shared->cache_size);
	return 0;
}

int
mtag_lib_fini(void)
{
	uint64_t in_use;

	if (mtag_state.shared == NULL)
		return -ENOENT;
	if (mtag_state.primary) {
		in_use = mtag_in_use();
		if (in_use != 0) {
			MTAG_LOG(ERR, "fini: %" PRIu64 " tags still in use", in_use);
			return -EBUSY;
		}
	}
	mtag_lcores_fini();
	if (mtag_state.primary) {
		mtag_state.shared->magic = 0;
		mtag_pools_fini();
		rte_memzone_free(mtag_state.mz);
	}
	/* The dynfield and dynflag stay registered (DPDK cannot unregister
	 * them) and mbufs keep their flag: the refusal above while tags are in
	 * use is what makes sure no chain outlives the pools. */
	memset(&mtag_state, 0, sizeof(mtag_state));
	memset(mtag_tables.type_known, 0, sizeof(mtag_tables.type_known));
	return 0;
}
