/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/*
 * Fuzz target: the ipsec-loop example's configuration parser
 * (ipl_conf_parse) on arbitrary text, in a buffer of exactly its length.
 * An accepted configuration must respect the table limits and reference
 * only SAs that exist; a refused one must come with a NUL-terminated
 * message; parsing twice gives the same answer. The policy and route tables
 * are allocated: the harness compares a digest of them (and frees them), so
 * that two parses can be compared byte for byte.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

#include "conf.h"

/* What the harness compares: the configuration without its pointers, and digests of the
 * tables they pointed to. */
struct flat {
	struct ipl_conf c;
	uint64_t sp_sum;
	uint64_t route_sum;
};

static uint64_t
digest(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	while (len-- > 0)
		h = (h ^ *b++) * 1099511628211ULL;
	return h;
}

static void
check_accepted(const struct ipl_conf *c)
{
	unsigned int i;

	if (c->nb_sp > IPL_MAX_SP || c->nb_routes > IPL_MAX_ROUTES || c->nb_sp > c->sp_cap ||
	    c->nb_routes > c->route_cap)
		FUZZ_FAIL("%u policies, %u routes", c->nb_sp, c->nb_routes);
	for (i = 0; i < c->nb_sp; i++) {
		const struct ipl_sp_conf *sp = &c->sp[i];

		if (sp->src.len > (sp->src.a.family == IPL_AF_INET6 ? 128 : 32) ||
		    sp->dst.len > (sp->dst.a.family == IPL_AF_INET6 ? 128 : 32))
			FUZZ_FAIL("policy %u: prefix length %u/%u", i, sp->src.len, sp->dst.len);
		if (sp->src.a.family != IPL_AF_ANY && sp->dst.a.family != IPL_AF_ANY &&
		    sp->src.a.family != sp->dst.a.family)
			FUZZ_FAIL("policy %u: two families", i);
		if (sp->action == IPL_ACT_PROTECT &&
		    (sp->sa_id >= IPL_MAX_SA || !c->sa[sp->sa_id].used))
			FUZZ_FAIL("policy %u protects with SA %u, not configured", i, sp->sa_id);
	}
	for (i = 0; i < c->nb_routes; i++)
		if (c->route[i].dst.len > (c->route[i].dst.a.family == IPL_AF_INET6 ? 128 : 32))
			FUZZ_FAIL("route %u: prefix length %u", i, c->route[i].dst.len);
	for (i = 0; i < IPL_MAX_SA; i++) {
		if (c->sa[i].used && c->sa[i].dir == IPL_DIR_OUT &&
		    ipl_conf_route(c, &c->sa[i].dst) == NULL)
			FUZZ_FAIL("outbound SA %u has no route to its tunnel destination", i);
		if (c->sa[i].used && c->sa[i].src.family != c->sa[i].dst.family)
			FUZZ_FAIL("SA %u: tunnel of two families", i);
	}
	for (i = 0; i < IPL_MAX_SA; i++)
		if (c->sa[i].used &&
		    (c->sa[i].key_len > IPL_KEY_MAX || c->sa[i].auth_key_len > IPL_KEY_MAX))
			FUZZ_FAIL("SA %u: key lengths %u/%u", i, c->sa[i].key_len,
				  c->sa[i].auth_key_len);
}

static int
parse(void *conf, const char *text, size_t len, char *err, size_t errlen)
{
	struct flat *f = conf;
	int rc = ipl_conf_parse(&f->c, text, len, err, errlen);

	if (rc != 0) {
		if (f->c.sp != NULL || f->c.route != NULL)
			FUZZ_FAIL("refused, tables left allocated");
		return rc;
	}
	check_accepted(&f->c);
	f->sp_sum = digest(f->c.sp, f->c.nb_sp * sizeof(f->c.sp[0]));
	f->route_sum = digest(f->c.route, f->c.nb_routes * sizeof(f->c.route[0]));
	ipl_conf_free(&f->c);
	return 0;
}

static int
check(const void *conf)
{
	(void)conf; /* checked in parse(), before the tables were freed */
	return TEST_SUCCESS;
}

FUZZ_CONF_TARGET(struct flat, 160, parse, check)
