/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/*
 * Fuzz target: the vlan-tag example's configuration parser (vt_conf_parse)
 * on arbitrary text. Besides memory safety (the input buffer is exactly its
 * length, not NUL-terminated), an accepted configuration must obey the
 * limits the parser promises (ports, depths, VID/PCP/DEI ranges), a refused
 * one must come with a NUL-terminated message, and parsing is
 * deterministic.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

#include "conf.h"

static int
check_accepted(const struct vt_conf *c)
{
	char buf[VT_VLAN_MAX * 5 + 1];
	unsigned int i, j;

	/* Port ids are checked against the ports present at start-up, not
	 * here: the parser takes 0-1023 ("bad port id ... (0-1023)"). */
	TEST_ASSERT(!(c->trunk_port < 0 || c->trunk_port > 1023), "trunk port %d", c->trunk_port);
	TEST_ASSERT(!(c->nb_access > VT_MAX_PORTS), "%u access ports", c->nb_access);
	for (i = 0; i < c->nb_access; i++) {
		const struct vt_access *a = &c->access[i];

		TEST_ASSERT(!(a->depth < 1 || a->depth > VT_VLAN_MAX || a->pcp > 7 || a->dei > 1),
			    "access %u: depth %u pcp %u dei %u", i, a->depth, a->pcp, a->dei);
		TEST_ASSERT(!((int)a->port == c->trunk_port || a->port > 1023),
			    "port %u is trunk and access", a->port);
		for (j = 0; j < a->depth; j++)
			TEST_ASSERT(!(a->vid[j] < 1 || a->vid[j] > 4094), "access %u: VID %u", i,
				    a->vid[j]);
		TEST_ASSERT(!(vt_conf_access_of(c, a->port) == NULL), "access port %u not found",
			    a->port);
		memset(buf, 0x5a, sizeof(buf));
		TEST_ASSERT(!(vt_conf_stack_str(a, buf, sizeof(buf)) == NULL ||
			      memchr(buf, '\0', sizeof(buf)) == NULL),
			    "stack string not terminated");
	}
	TEST_ASSERT(!(c->nb_port_opt > VT_MAX_PORTS + 1), "%u port lines", c->nb_port_opt);
	for (i = 0; i < c->nb_port_opt; i++) {
		const struct vt_port_opt *o = &c->port_opt[i];

		/* Every port line names a declared port, once, with an MTU in range. */
		TEST_ASSERT(
			!((int)o->port != c->trunk_port && vt_conf_access_of(c, o->port) == NULL),
			"port line for undeclared port %u", o->port);
		TEST_ASSERT(!(o->mtu < VT_MTU_MIN || vt_conf_port_opt(c, o->port) != o),
			    "port %u: mtu %u", o->port, o->mtu);
	}
	return TEST_SUCCESS;
}

static int
parse(void *conf, const char *text, size_t len, char *err, size_t errlen)
{
	return vt_conf_parse(text, len, conf, err, errlen);
}

static int
check(const void *conf)
{
	return check_accepted(conf);
}

FUZZ_CONF_TARGET(struct vt_conf, 128, parse, check)
