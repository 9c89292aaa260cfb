/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/* The type registry: predefined types, registration by name, bad names,
 * a full registry. */

#include <rte_string_fns.h>

#include "test.h"

static const struct {
	const char *macro;
	uint16_t id;
} predefined[] = {
	{"MTAG_TYPE_IPSEC_IN_DONE", MTAG_TYPE_IPSEC_IN_DONE},
	{"MTAG_TYPE_IPSEC_OUT_DONE", MTAG_TYPE_IPSEC_OUT_DONE},
	{"MTAG_TYPE_IPSEC_FLOWINFO", MTAG_TYPE_IPSEC_FLOWINFO},
	{"MTAG_TYPE_WIREGUARD", MTAG_TYPE_WIREGUARD},
	{"MTAG_TYPE_GRE", MTAG_TYPE_GRE},
	{"MTAG_TYPE_DLT", MTAG_TYPE_DLT},
	{"MTAG_TYPE_PF_DIVERT", MTAG_TYPE_PF_DIVERT},
	{"MTAG_TYPE_PF_REASSEMBLED", MTAG_TYPE_PF_REASSEMBLED},
	{"MTAG_TYPE_SRCROUTE", MTAG_TYPE_SRCROUTE},
	{"MTAG_TYPE_CARP_BAL_IP", MTAG_TYPE_CARP_BAL_IP},
	{"MTAG_TYPE_VLAN", MTAG_TYPE_VLAN},
	{"MTAG_TYPE_VLAN_INSERT", MTAG_TYPE_VLAN_INSERT},
};

static int
test_predefined(void)
{
	const char *name;
	unsigned int i, j;
	struct mtag *t;

	for (i = 0; i < RTE_DIM(predefined); i++) {
		uint16_t id = predefined[i].id;

		TEST_ASSERT(id < MTAG_TYPE_USER_BASE, "%s below the user base",
			    predefined[i].macro);
		for (j = 0; j < i; j++)
			TEST_ASSERT(predefined[j].id != id, "%s unique", predefined[i].macro);
		name = mtag_type_name(id);
		TEST_ASSERT_NOT_NULL(name, "%s has a name", predefined[i].macro);
		TEST_ASSERT(name[0] != '\0', "%s name not empty", predefined[i].macro);
		TEST_ASSERT_EQ(mtag_type_lookup(name), id, "lookup of %s", name);
		TEST_ASSERT_EQ(mtag_type_register(name), -EEXIST, "register predefined %s", name);
		/* A predefined type needs no registration to be used. */
		t = mtag_get(id, 8, 0);
		TEST_ASSERT_NOT_NULL(t, "get %s", name);
		TEST_ASSERT_EQ(t->type, id, "type");
		mtag_free(t);
	}
	return TEST_SUCCESS;
}

static int
test_register(void)
{
	char name[MTAG_TYPE_NAMESIZE];
	int a, b, a2;

	a = mtag_type_register("test_reg_a");
	b = mtag_type_register("test_reg_b");
	TEST_ASSERT(a >= MTAG_TYPE_USER_BASE && a < MTAG_TYPE_MAX, "id a %d", a);
	TEST_ASSERT(b >= MTAG_TYPE_USER_BASE && b < MTAG_TYPE_MAX, "id b %d", b);
	TEST_ASSERT(a != b, "two names, two ids");
	a2 = mtag_type_register("test_reg_a");
	TEST_ASSERT_EQ(a2, a, "same name, same id");
	TEST_ASSERT_EQ(mtag_type_lookup("test_reg_a"), a, "lookup a");
	TEST_ASSERT_EQ(mtag_type_lookup("test_reg_b"), b, "lookup b");
	TEST_ASSERT(strcmp(mtag_type_name(a), "test_reg_a") == 0, "name of a");
	TEST_ASSERT(strcmp(mtag_type_name(b), "test_reg_b") == 0, "name of b");

	/* The longest name fits, exactly. */
	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	a = mtag_type_register(name);
	TEST_ASSERT(a >= MTAG_TYPE_USER_BASE, "name of %zu chars: %d", strlen(name), a);
	TEST_ASSERT(strcmp(mtag_type_name(a), name) == 0, "long name kept whole");
	TEST_ASSERT_EQ(mtag_type_lookup(name), a, "lookup of the long name");
	/* Names differing only in their last character are two types. */
	name[sizeof(name) - 2] = 'y';
	b = mtag_type_register(name);
	TEST_ASSERT(b >= MTAG_TYPE_USER_BASE && b != a, "last char differs: %d vs %d", b, a);
	return TEST_SUCCESS;
}

static int
test_bad_names(void)
{
	char name[MTAG_TYPE_NAMESIZE + 8];
	struct mtag_stats st;
	int id;

	TEST_ASSERT_EQ(mtag_type_register(NULL), -EINVAL, "NULL name");
	TEST_ASSERT_EQ(mtag_type_register(""), -EINVAL, "empty name");
	memset(name, 'z', MTAG_TYPE_NAMESIZE);
	name[MTAG_TYPE_NAMESIZE] = '\0';
	TEST_ASSERT_EQ(mtag_type_register(name), -EINVAL, "name of %d chars", MTAG_TYPE_NAMESIZE);
	TEST_ASSERT_EQ(mtag_type_lookup(name), -ENOENT, "too long name not registered");
	/* Not truncated and registered under the prefix either. */
	name[MTAG_TYPE_NAMESIZE - 1] = '\0';
	TEST_ASSERT_EQ(mtag_type_lookup(name), -ENOENT, "no truncated registration");
	/* Only what telemetry can show as a key: letters, digits, '_', '/'. */
	TEST_ASSERT_EQ(mtag_type_register("my-type"), -EINVAL, "'-' in a name");
	TEST_ASSERT_EQ(mtag_type_register("sp ace"), -EINVAL, "' ' in a name");
	TEST_ASSERT_EQ(mtag_type_register("a\"b"), -EINVAL, "'\"' in a name");
	TEST_ASSERT_EQ(mtag_type_lookup("my-type"), -ENOENT, "refused name not registered");
	id = mtag_type_register("vendor/Type_9");
	TEST_ASSERT(id >= MTAG_TYPE_USER_BASE, "letters, digits, '_' and '/' accepted: %d", id);
	TEST_ASSERT_EQ(mtag_type_register("vlan"), -EEXIST, "predefined name");
	TEST_ASSERT_EQ(mtag_type_lookup(NULL), -EINVAL, "lookup NULL");
	TEST_ASSERT_EQ(mtag_type_lookup("no_such_type"), -ENOENT, "lookup unknown");
	TEST_ASSERT_EQ(mtag_type_lookup(""), -ENOENT, "lookup empty");

	rte_errno = 0;
	TEST_ASSERT_NULL(mtag_type_name(MTAG_TYPE_MAX), "name of MTAG_TYPE_MAX");
	TEST_ASSERT_EQ(rte_errno, ENOENT, "name of MTAG_TYPE_MAX");
	TEST_ASSERT_NULL(mtag_type_name(UINT16_MAX), "name of 65535");

	/* Find a free user id: everything about it must be refused. */
	for (id = MTAG_TYPE_MAX - 1; id >= MTAG_TYPE_USER_BASE; id--)
		if (mtag_type_name(id) == NULL)
			break;
	TEST_ASSERT(id >= MTAG_TYPE_USER_BASE, "some user id is free");
	rte_errno = 0;
	TEST_ASSERT_NULL(mtag_get(id, 4, 0), "get of unregistered type %d", id);
	TEST_ASSERT_EQ(rte_errno, EINVAL, "get of unregistered type");
	TEST_ASSERT_NULL(mtag_get(MTAG_TYPE_MAX, 4, 0), "get of MTAG_TYPE_MAX");
	TEST_ASSERT_NULL(mtag_get(UINT16_MAX, 4, 0), "get of 65535");
	TEST_ASSERT_EQ(mtag_type_set_destructor(id, NULL), -EINVAL, "dtor of unknown type");
	TEST_ASSERT_EQ(mtag_type_set_copier(id, NULL), -EINVAL, "copier of unknown type");
	TEST_ASSERT_EQ(mtag_type_set_destructor(UINT16_MAX, NULL), -EINVAL, "dtor of 65535");
	TEST_ASSERT_EQ(mtag_type_set_copier(MTAG_TYPE_MAX, NULL), -EINVAL, "copier of max");
	/* Ids that were never registered, or are out of range. */
	{
		static const uint16_t bad[] = {0, MTAG_TYPE_USER_BASE - 1, MTAG_TYPE_MAX - 1,
					       MTAG_TYPE_MAX, UINT16_MAX};
		unsigned int i;

		for (i = 0; i < RTE_DIM(bad); i++) {
			if (mtag_type_name(bad[i]) != NULL)
				continue; /* MTAG_TYPE_MAX - 1 once the registry is full */
			rte_errno = 0;
			TEST_ASSERT_NULL(mtag_get(bad[i], 4, 0), "get of type %u", bad[i]);
			TEST_ASSERT_EQ(rte_errno, EINVAL, "get of type %u", bad[i]);
			rte_errno = 0;
			TEST_ASSERT_NULL(mtag_type_name(bad[i]), "name of %u", bad[i]);
			TEST_ASSERT_EQ(rte_errno, ENOENT, "name of %u", bad[i]);
			TEST_ASSERT_EQ(mtag_type_set_destructor(bad[i], NULL), -EINVAL,
				       "dtor of %u", bad[i]);
			TEST_ASSERT_EQ(mtag_type_set_copier(bad[i], NULL), -EINVAL, "copier of %u",
				       bad[i]);
		}
	}
	TEST_ASSERT_EQ(mtag_stats_get(&st), 0, "stats");
	TEST_ASSERT_EQ(st.alloc_fails, 0, "a refused type is no pool failure");
	return TEST_SUCCESS;
}

static int
test_registry_full(void)
{
	static int ids[MTAG_TYPE_MAX];
	char name[MTAG_TYPE_NAMESIZE];
	unsigned int nb = 0, i, user = 0;
	int id, first_new = -1;

	for (i = MTAG_TYPE_USER_BASE; i < MTAG_TYPE_MAX; i++)
		user += mtag_type_name(i) != NULL;
	for (;;) {
		snprintf(name, sizeof(name), "full_%u", nb);
		id = mtag_type_register(name);
		if (id < 0)
			break;
		TEST_ASSERT(nb < RTE_DIM(ids), "registry never full");
		TEST_ASSERT(id >= MTAG_TYPE_USER_BASE && id < MTAG_TYPE_MAX, "id %d", id);
		ids[nb++] = id;
		if (first_new < 0)
			first_new = id;
	}
	TEST_ASSERT_EQ(id, -ENOSPC, "full registry");
	printf("    %u user types before, %u registered, full at %u\n", user, nb, user + nb);
	TEST_ASSERT(user + nb >= 256, "room for at least 256 user types, had %u", user + nb);
	for (i = 0; i < nb; i++) {
		snprintf(name, sizeof(name), "full_%u", i);
		TEST_ASSERT_EQ(mtag_type_lookup(name), ids[i], "lookup %s", name);
		/* Registering a known name still works when full. */
		TEST_ASSERT_EQ(mtag_type_register(name), ids[i], "re-register %s", name);
	}
	for (i = 1; i < nb; i++)
		TEST_ASSERT(ids[i] != ids[i - 1], "distinct ids");
	TEST_ASSERT_EQ(mtag_type_register("one_more"), -ENOSPC, "still full");
	TEST_ASSERT_EQ(mtag_type_lookup("one_more"), -ENOENT, "not registered");
	/* The predefined types are untouched by a full registry. */
	TEST_ASSERT_EQ(mtag_type_lookup("vlan"), MTAG_TYPE_VLAN, "predefined after full");
	/* Start the next cases with an empty registry. */
	TEST_RUN(test_lib_reinit(NULL));
	TEST_ASSERT_EQ(mtag_type_lookup("full_0"), -ENOENT, "registry reset");
	return TEST_SUCCESS;
}

static int
test_types_usable(void)
{
	struct mtag *t;
	int id;

	id = test_type_new("usable");
	TEST_ASSERT(id >= MTAG_TYPE_USER_BASE, "register: %d", id);
	t = mtag_get(id, 32, MTAG_ZERO);
	TEST_ASSERT_NOT_NULL(t, "get of a registered type");
	TEST_ASSERT_EQ(t->type, id, "type");
	TEST_ASSERT_EQ(t->len, 32, "len");
	TEST_ASSERT_EQ(t->cookie, MTAG_ABI_COMPAT, "cookie");
	mtag_free(t);
	return TEST_SUCCESS;
}

static const struct test_case types_cases[] = {
	{"predefined", test_predefined},     {"register", test_register},
	{"bad_names", test_bad_names},	     {"registry_full", test_registry_full},
	{"types_usable", test_types_usable}, {NULL, NULL},
};

static struct test_suite types_suite = {
	.name = "types",
	.cases = types_cases,
};

REGISTER_UNIT_TEST(types_suite);
