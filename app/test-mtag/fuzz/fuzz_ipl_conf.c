/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/*
 * Fuzz target: the ipsec-loop example's configuration parser
 * (ipl_conf_parse) on arbitrary text, in a buffer of exactly its length.
 * An accepted configuration must respect the table limits and reference
 * only SAs that exist; a refused one must come with a NUL-terminated
 * message; parsing twice gives the same answer.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

#include "conf.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	test_fail_abort = true;
	return 0;
}

static int
check_accepted(const struct ipl_conf *c)
{
	unsigned int i;

	TEST_ASSERT(!(c->nb_sp > IPL_MAX_SP || c->nb_routes > IPL_MAX_ROUTES),
		    "%u policies, %u routes", c->nb_sp, c->nb_routes);
	for (i = 0; i < c->nb_sp; i++) {
		const struct ipl_sp_conf *sp = &c->sp[i];

		TEST_ASSERT(!(sp->src.len > 32 || sp->dst.len > 32),
			    "policy %u: prefix length %u/%u", i, sp->src.len, sp->dst.len);
		TEST_ASSERT(!(sp->action == IPL_ACT_PROTECT &&
			      (sp->sa_id >= IPL_MAX_SA || !c->sa[sp->sa_id].used)),
			    "policy %u protects with SA %u, not configured", i, sp->sa_id);
	}
	for (i = 0; i < c->nb_routes; i++)
		TEST_ASSERT(!(c->route[i].dst.len > 32), "route %u: prefix length %u", i,
			    c->route[i].dst.len);
	for (i = 0; i < IPL_MAX_SA; i++)
		TEST_ASSERT(!(c->sa[i].used && (c->sa[i].key_len > IPL_KEY_MAX ||
						c->sa[i].auth_key_len > IPL_KEY_MAX)),
			    "SA %u: key lengths %u/%u", i, c->sa[i].key_len, c->sa[i].auth_key_len);
	return TEST_SUCCESS;
}

static int
parse(void *conf, const char *text, size_t len, char *err, size_t errlen)
{
	return ipl_conf_parse(conf, text, len, err, errlen);
}

static int
check(const void *conf)
{
	return check_accepted(conf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_conf_parse_twice(data, size, sizeof(struct ipl_conf), 160, parse, check);
}
