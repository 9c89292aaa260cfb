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

#include "conf.h"

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		fprintf(stderr, "ipl-conf: " __VA_ARGS__);                                         \
		fputc('\n', stderr);                                                               \
		abort();                                                                           \
	} while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static void
check_accepted(const struct ipl_conf *c)
{
	unsigned int i;

	if (c->nb_sp > IPL_MAX_SP || c->nb_routes > IPL_MAX_ROUTES)
		FAIL("%u policies, %u routes", c->nb_sp, c->nb_routes);
	for (i = 0; i < c->nb_sp; i++) {
		const struct ipl_sp_conf *sp = &c->sp[i];

		if (sp->src.len > 32 || sp->dst.len > 32)
			FAIL("policy %u: prefix length %u/%u", i, sp->src.len, sp->dst.len);
		if (sp->action == IPL_ACT_PROTECT &&
		    (sp->sa_id >= IPL_MAX_SA || !c->sa[sp->sa_id].used))
			FAIL("policy %u protects with SA %u, not configured", i, sp->sa_id);
	}
	for (i = 0; i < c->nb_routes; i++)
		if (c->route[i].dst.len > 32)
			FAIL("route %u: prefix length %u", i, c->route[i].dst.len);
	for (i = 0; i < IPL_MAX_SA; i++)
		if (c->sa[i].used &&
		    (c->sa[i].key_len > IPL_KEY_MAX || c->sa[i].auth_key_len > IPL_KEY_MAX))
			FAIL("SA %u: key lengths %u/%u", i, c->sa[i].key_len,
			     c->sa[i].auth_key_len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size ? size : 1);
	struct ipl_conf *c1 = malloc(sizeof(*c1)), *c2 = malloc(sizeof(*c2));
	char err1[160], err2[160];
	int r1, r2;

	if (text == NULL || c1 == NULL || c2 == NULL)
		abort();
	memcpy(text, data, size);
	memset(c1, 0, sizeof(*c1));
	memset(c2, 0xa5, sizeof(*c2));
	memset(err1, 0x5a, sizeof(err1));
	memset(err2, 0x5a, sizeof(err2));
	r1 = ipl_conf_parse(c1, text, size, err1, sizeof(err1));
	r2 = ipl_conf_parse(c2, text, size, err2, sizeof(err2));
	if (r1 != r2)
		FAIL("parsed twice: %d then %d", r1, r2);
	if (r1 == 0) {
		check_accepted(c1);
		/* The parser zeroes the result first, padding included. */
		if (memcmp(c1, c2, sizeof(*c1)) != 0)
			FAIL("parsed twice, two results");
	} else {
		if (r1 > 0)
			FAIL("positive return %d", r1);
		if (memchr(err1, '\0', sizeof(err1)) == NULL)
			FAIL("error message not terminated");
		if (strcmp(err1, err2) != 0)
			FAIL("two messages: '%s' / '%s'", err1, err2);
	}
	free(text);
	free(c1);
	free(c2);
	return 0;
}
