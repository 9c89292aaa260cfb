/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/* Telemetry: a client on <runtime dir>/dpdk_telemetry.v2, as
 * dpdk-telemetry.py is, reads /mtag/stats and /mtag/types and finds the
 * numbers and names the library has. */

#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_eal.h>

#include <rte_ethdev.h>

#include <mtag_capture.h>

#include "test.h"

#define REPLY_MAX 65536

static int sock = -1;
static char reply[REPLY_MAX];

static int
tel_setup(void)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	ssize_t n;

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/dpdk_telemetry.v2",
		 rte_eal_get_runtime_dir());
	sock = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (sock < 0) {
		perror("socket");
		return TEST_FAILED;
	}
	if (connect(sock, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		close(sock);
		sock = -1;
		TEST_SKIP("no telemetry socket at %s (EAL run with --no-telemetry?)",
			  addr.sun_path);
	}
	/* The server greets every client with its version and limits. */
	n = read(sock, reply, sizeof(reply) - 1);
	if (n <= 0) {
		printf("no greeting from the telemetry server\n");
		return TEST_FAILED;
	}
	reply[n] = '\0';
	if (strstr(reply, "\"version\"") == NULL) {
		printf("unexpected greeting: %s\n", reply);
		return TEST_FAILED;
	}
	return TEST_SUCCESS;
}

static void
tel_teardown(void)
{
	if (sock >= 0)
		close(sock);
	sock = -1;
}

/* Send a command, read the whole JSON answer into reply. */
static int
query(const char *cmd)
{
	ssize_t n;

	TEST_ASSERT(write(sock, cmd, strlen(cmd)) == (ssize_t)strlen(cmd), "send %s", cmd);
	n = read(sock, reply, sizeof(reply) - 1);
	TEST_ASSERT(n > 0, "answer to %s", cmd);
	reply[n] = '\0';
	/* {"<cmd>":{...}} */
	TEST_ASSERT(reply[0] == '{' && strncmp(reply + 2, cmd, strlen(cmd)) == 0,
		    "answer names the command: %.80s", reply);
	return TEST_SUCCESS;
}

/* The object that follows "key": in @json, bounded to its braces. */
static const char *
json_object(const char *json, const char *key, char *buf, size_t size)
{
	char pat[64];
	const char *p, *q;
	int depth = 0;

	snprintf(pat, sizeof(pat), "\"%s\":{", key);
	p = strstr(json, pat);
	if (p == NULL)
		return NULL;
	p += strlen(pat) - 1;
	for (q = p; *q != '\0'; q++) {
		depth += *q == '{';
		depth -= *q == '}';
		if (depth == 0)
			break;
	}
	if (*q == '\0' || (size_t)(q - p + 1) >= size)
		return NULL;
	memcpy(buf, p, q - p + 1);
	buf[q - p + 1] = '\0';
	return buf;
}

/* The number after "key": at the top level of the object @json (nested
 * objects skipped), or -1. */
static long long
json_number(const char *json, const char *key)
{
	char pat[64];
	const char *p;
	size_t len;
	int depth = 0;

	len = snprintf(pat, sizeof(pat), "\"%s\":", key);
	for (p = json; *p != '\0'; p++) {
		depth += *p == '{';
		depth -= *p == '}';
		if (depth == 1 && strncmp(p, pat, len) == 0)
			return strtoll(p + len, NULL, 10);
	}
	return -1;
}

static int
check_stats(void)
{
	char top[REPLY_MAX], cls[1024], name[16];
	struct mtag_stats st;
	unsigned int c;

	TEST_ASSERT_EQ(mtag_stats_get(&st), 0, "stats");
	TEST_RUN(query("/mtag/stats"));
	TEST_ASSERT_NOT_NULL(json_object(reply, "/mtag/stats", top, sizeof(top)), "%s", reply);
	TEST_ASSERT_EQ(json_number(top, "initialized"), 1, "initialized");
	TEST_ASSERT_EQ(json_number(top, "in_use"), st.in_use, "in_use");
	TEST_ASSERT_EQ(json_number(top, "allocs"), st.allocs, "allocs");
	TEST_ASSERT_EQ(json_number(top, "frees"), st.frees, "frees");
	TEST_ASSERT_EQ(json_number(top, "alloc_fails"), st.alloc_fails, "alloc_fails");
	TEST_ASSERT_EQ(json_number(top, "cached"), st.cached, "cached");
	for (c = 0; c < st.nb_classes; c++) {
		snprintf(name, sizeof(name), "class%u", c);
		TEST_ASSERT_NOT_NULL(json_object(top, name, cls, sizeof(cls)), "%s", name);
		TEST_ASSERT_EQ(json_number(cls, "len"), st.class_len[c], "%s len", name);
		TEST_ASSERT_EQ(json_number(cls, "in_use"), st.cls[c].in_use, "%s in_use", name);
		TEST_ASSERT_EQ(json_number(cls, "allocs"), st.cls[c].allocs, "%s allocs", name);
		TEST_ASSERT_EQ(json_number(cls, "cached"), st.cls[c].cached, "%s cached", name);
		TEST_ASSERT_EQ(json_number(cls, "bytes_per_tag"), mtag_pool_bytes_per_tag(c),
			       "%s bytes_per_tag", name);
	}
	snprintf(name, sizeof(name), "class%u", st.nb_classes);
	TEST_ASSERT_NULL(json_object(top, name, cls, sizeof(cls)), "no extra class");
	return TEST_SUCCESS;
}

static int
test_stats(void)
{
	struct mtag *small[5], *big[3];
	struct mtag_stats st;
	char top[REPLY_MAX], cls[1024], name[16];
	unsigned int i, last;

	TEST_RUN(check_stats());
	TEST_ASSERT_EQ(mtag_stats_get(&st), 0, "stats");
	last = st.nb_classes - 1;
	for (i = 0; i < RTE_DIM(small); i++)
		TEST_ASSERT_NOT_NULL(small[i] = mtag_get(MTAG_TYPE_GRE, 1, 0), "small");
	for (i = 0; i < RTE_DIM(big); i++)
		TEST_ASSERT_NOT_NULL(big[i] = mtag_get(MTAG_TYPE_GRE, st.class_len[last], 0),
				     "big");
	rte_errno = 0;
	TEST_ASSERT_NULL(mtag_get(MTAG_TYPE_GRE, st.class_len[last] + 1, 0), "too big");
	TEST_RUN(check_stats());
	/* And the figures themselves, not only their agreement. */
	TEST_ASSERT_EQ(json_number(json_object(reply, "/mtag/stats", top, sizeof(top)), "in_use"),
		       8, "8 tags in use");
	TEST_ASSERT_NOT_NULL(json_object(top, "class0", cls, sizeof(cls)), "class0");
	TEST_ASSERT_EQ(json_number(cls, "in_use"), 5, "5 small");
	snprintf(name, sizeof(name), "class%u", last);
	TEST_ASSERT_NOT_NULL(json_object(top, name, cls, sizeof(cls)), "last class");
	TEST_ASSERT_EQ(json_number(cls, "in_use"), 3, "3 big");
	for (i = 0; i < RTE_DIM(small); i++)
		mtag_free(small[i]);
	for (i = 0; i < RTE_DIM(big); i++)
		mtag_free(big[i]);
	TEST_RUN(check_stats());
	TEST_ASSERT_EQ(json_number(json_object(reply, "/mtag/stats", top, sizeof(top)), "in_use"),
		       0, "none in use");
	return TEST_SUCCESS;
}

static int
test_types(void)
{
	char top[REPLY_MAX], key[MTAG_TYPE_NAMESIZE + 4], entry[256];
	const char *name;
	unsigned int id, nb = 0;
	int user;

	user = test_type_new("tel");
	TEST_ASSERT(user >= MTAG_TYPE_USER_BASE, "register");
	TEST_RUN(query("/mtag/types"));
	TEST_ASSERT_NOT_NULL(json_object(reply, "/mtag/types", top, sizeof(top)), "%s", reply);
	/* Every type the library knows, under its name, with its id and the
	 * tags of it in use (none here). */
	for (id = 0; id < MTAG_TYPE_MAX; id++) {
		name = mtag_type_name(id);
		if (name == NULL)
			continue;
		nb++;
		snprintf(key, sizeof(key), "%s", name);
		TEST_ASSERT_NOT_NULL(json_object(top, key, entry, sizeof(entry)), "type %s", name);
		TEST_ASSERT_EQ(json_number(entry, "id"), id, "type %s", name);
		TEST_ASSERT_EQ(json_number(entry, "in_use"), 0, "type %s in use", name);
	}
	TEST_ASSERT(nb >= 13, "12 predefined types and ours, had %u", nb);
	TEST_ASSERT_NOT_NULL(json_object(top, mtag_type_name(user), entry, sizeof(entry)), "ours");
	TEST_ASSERT_EQ(json_number(entry, "id"), user, "our type");
	TEST_ASSERT_NULL(json_object(top, "no_such_type", entry, sizeof(entry)),
			 "nothing invented");
	return TEST_SUCCESS;
}

/* A leak names its type: tags left on packets show under their type in
 * /mtag/types, freed on one lcore or another. The burst free meets the
 * second type halfway (packet 4), where its fast path hands over. */
static int
test_types_in_use(void)
{
	char top[REPLY_MAX], entry[256];
	struct rte_mbuf *pkts[8];
	void *data[8];
	int user;

	user = test_type_new("leaky");
	TEST_ASSERT(user >= MTAG_TYPE_USER_BASE, "register");
	TEST_ASSERT_EQ(rte_pktmbuf_alloc_bulk(test_mbuf_pool(), pkts, 8), 0, "mbufs");
	TEST_ASSERT_EQ(mtag_add_burst(pkts, 8, user, 4, 0, data), 8, "add_burst");
	TEST_ASSERT_NOT_NULL(mtag_add(pkts[4], MTAG_TYPE_GRE, 4, 0), "add");
	TEST_ASSERT_NOT_NULL(mtag_add(pkts[1], MTAG_TYPE_GRE, 4, 0), "add");
	mtag_delete(pkts[1], mtag_first(pkts[1]));
	TEST_RUN(query("/mtag/types"));
	TEST_ASSERT_NOT_NULL(json_object(reply, "/mtag/types", top, sizeof(top)), "%s", reply);
	TEST_ASSERT_NOT_NULL(json_object(top, mtag_type_name(user), entry, sizeof(entry)), "ours");
	TEST_ASSERT_EQ(json_number(entry, "in_use"), 8, "8 of ours in use: %s", entry);
	TEST_ASSERT_NOT_NULL(json_object(top, "gre", entry, sizeof(entry)), "gre");
	TEST_ASSERT_EQ(json_number(entry, "in_use"), 1, "1 GRE in use: %s", entry);
	mtag_pktmbuf_free_bulk(pkts, 8);
	TEST_RUN(query("/mtag/types"));
	TEST_ASSERT_NOT_NULL(json_object(reply, "/mtag/types", top, sizeof(top)), "%s", reply);
	TEST_ASSERT_NOT_NULL(json_object(top, mtag_type_name(user), entry, sizeof(entry)), "ours");
	TEST_ASSERT_EQ(json_number(entry, "in_use"), 0, "freed: %s", entry);
	TEST_ASSERT_NOT_NULL(json_object(top, "gre", entry, sizeof(entry)), "gre");
	TEST_ASSERT_EQ(json_number(entry, "in_use"), 0, "GRE freed: %s", entry);
	return TEST_SUCCESS;
}

/* mtag_dump(): newest first, names, the predefined payloads decoded. */
static int
test_dump(void)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(test_mbuf_pool());
	struct mtag_vlan *v;
	struct mtag_ipsec *sa;
	uint8_t *raw;
	char *text = NULL;
	size_t size = 0;
	FILE *f;

	TEST_ASSERT_NOT_NULL(m, "mbuf");
	f = open_memstream(&text, &size);
	TEST_ASSERT_NOT_NULL(f, "memstream");
	mtag_dump(f, m);
	fflush(f);
	TEST_ASSERT_NOT_NULL(strstr(text, "0 tags"), "untagged: %s", text);
	v = mtag_add(m, MTAG_TYPE_VLAN, sizeof(*v), 0);
	sa = mtag_add(m, MTAG_TYPE_IPSEC_IN_DONE, sizeof(*sa), 0);
	raw = mtag_add(m, MTAG_TYPE_GRE, 3, 0);
	TEST_ASSERT(v != NULL && sa != NULL && raw != NULL, "tags");
	*v = (struct mtag_vlan){.tpid = 0x88a8, .tci = (5 << 13) | (1 << 12) | 100};
	*sa = (struct mtag_ipsec){.sa_id = 7, .spi = 0x1001};
	memcpy(raw, "\xde\xad\x01", 3);
	rewind(f);
	mtag_dump(f, m);
	fputc('\0', f);
	fflush(f);
	TEST_ASSERT_NOT_NULL(strstr(text, "3 tags"), "%s", text);
	TEST_ASSERT_NOT_NULL(strstr(text, "0: type 5 (gre) len 3 cookie 0 data de ad 01"), "%s",
			     text);
	TEST_ASSERT_NOT_NULL(strstr(text, "1: type 1 (ipsec_in_done) len 8 cookie 0 sa 7 spi "
					  "0x00001001"),
			     "%s", text);
	TEST_ASSERT_NOT_NULL(strstr(text, "2: type 11 (vlan) len 4 cookie 0 tpid 0x88a8 pcp 5 dei "
					  "1 vid 100"),
			     "%s", text);
	TEST_ASSERT(strstr(text, "0: type 5") < strstr(text, "2: type 11"), "newest first");
	fclose(f);
	free(text);
	mtag_dump(NULL, m); /* no stream: nothing */
	mtag_dump(stdout, NULL);
	mtag_pktmbuf_free(m);
	return TEST_SUCCESS;
}

/* Two allocation sites, each one call in a loop the compiler cannot unroll. */
static __rte_noinline void
leak_site_a(uint16_t type, struct mtag **t, volatile unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		t[i] = mtag_get(type, 4, 0);
}

static __rte_noinline void
leak_site_b(uint16_t type, struct mtag **t, volatile unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		t[i] = mtag_get(type, 8, 0); /* not the same code: gcc would fold the two */
}

/* Debug build: live tags grouped by type and allocation site, by
 * mtag_debug_dump_live() and /mtag/leaks. A release build says it cannot. */
static int
test_leaks_by_site(void)
{
	char top[REPLY_MAX], *text = NULL;
	struct mtag *a[3], *b[5];
	unsigned int i, groups = 0;
	size_t size = 0;
	const char *p;
	FILE *f;
	int user, ret;

	f = open_memstream(&text, &size);
	TEST_ASSERT_NOT_NULL(f, "memstream");
#ifndef MTAG_DEBUG
	TEST_ASSERT_EQ(mtag_debug_dump_live(f), -ENOTSUP, "release build");
	fclose(f);
	free(text);
	TEST_RUN(query("/mtag/leaks"));
	TEST_ASSERT_NULL(strstr(reply, "\"live\""), "no /mtag/leaks data: %s", reply);
	return TEST_SUCCESS;
#endif
	user = test_type_new("site");
	TEST_ASSERT(user >= MTAG_TYPE_USER_BASE, "register");
	leak_site_a(user, a, 3);
	leak_site_b(user, b, 5);
	ret = mtag_debug_dump_live(f);
	fflush(f);
	TEST_ASSERT_EQ(ret, 8, "8 live: %s", text);
	TEST_ASSERT_NOT_NULL(strstr(text, "3 x type"), "group of 3: %s", text);
	TEST_ASSERT_NOT_NULL(strstr(text, "5 x type"), "group of 5: %s", text);
	TEST_RUN(query("/mtag/leaks"));
	TEST_ASSERT_NOT_NULL(json_object(reply, "/mtag/leaks", top, sizeof(top)), "%s", reply);
	TEST_ASSERT_EQ(json_number(top, "live"), 8, "live: %s", top);
	for (p = top; (p = strstr(p, "\"count\":")) != NULL; p++)
		groups++;
	TEST_ASSERT_EQ(groups, 2, "two sites: %s", top);
	TEST_ASSERT_NOT_NULL(strstr(top, "oldest_age_tsc"), "ages: %s", top);
	for (i = 0; i < 3; i++)
		mtag_free(a[i]);
	for (i = 0; i < 5; i++)
		mtag_free(b[i]);
	rewind(f);
	TEST_ASSERT_EQ(mtag_debug_dump_live(f), 0, "none live");
	fclose(f);
	free(text);
	return TEST_SUCCESS;
}

/* /mtag/capture: each open capture's file and counters. */
static int
test_capture(void)
{
	struct mtag_capture_conf conf = {.ring_size = 2};
	struct rte_mbuf *pkts[3];
	struct mtag_capture *cap;
	char top[REPLY_MAX], entry[1024], name[16];
	const char *key;
	uint16_t port;
	int i;

	TEST_ASSERT(rte_eth_dev_get_port_by_name("net_null0", &port) == 0, "net_null0");
	TEST_ASSERT(rte_pktmbuf_alloc_bulk(test_mbuf_pool(), pkts, 3) == 0, "mbufs");
	for (i = 0; i < 3; i++)
		TEST_ASSERT_NOT_NULL(rte_pktmbuf_append(pkts[i], 60), "data");
	cap = mtag_capture_open("/dev/null", &conf);
	TEST_ASSERT_NOT_NULL(cap, "open");
	TEST_ASSERT_EQ(mtag_capture_burst(cap, port, 0, pkts, 3, RTE_PCAPNG_DIRECTION_IN), 2,
		       "burst");
	TEST_ASSERT_EQ(mtag_capture_flush(cap), 2, "flush");
	TEST_RUN(query("/mtag/capture"));
	TEST_ASSERT_EQ(mtag_capture_close(cap), 0, "close");
	rte_pktmbuf_free_bulk(pkts, 3);
	TEST_ASSERT_NOT_NULL(json_object(reply, "/mtag/capture", top, sizeof(top)), "%s", reply);
	TEST_ASSERT_NOT_NULL(strstr(top, "\"path\":\"/dev/null\""), "%s", top);
	key = strstr(top, "\"capture");
	TEST_ASSERT(key != NULL && sscanf(key + 1, "%15[^\"]", name) == 1, "%s", top);
	TEST_ASSERT_NOT_NULL(json_object(top, name, entry, sizeof(entry)), "%s", top);
	TEST_ASSERT_EQ(json_number(entry, "captured"), 2, "%s", entry);
	TEST_ASSERT_EQ(json_number(entry, "dropped"), 1, "%s", entry);
	TEST_ASSERT_EQ(json_number(entry, "written"), 2, "%s", entry);
	TEST_ASSERT_EQ(json_number(entry, "lost"), 0, "%s", entry);
	/* Closed: no longer listed. */
	TEST_RUN(query("/mtag/capture"));
	TEST_ASSERT(strstr(reply, "/dev/null") == NULL, "%s", reply);
	return TEST_SUCCESS;
}

static int
test_listed(void)
{
	/* The commands are listed for dpdk-telemetry.py's completion. */
	TEST_RUN(query("/"));
	TEST_ASSERT_NOT_NULL(strstr(reply, "\"/mtag/stats\""), "/mtag/stats listed");
	TEST_ASSERT_NOT_NULL(strstr(reply, "\"/mtag/types\""), "/mtag/types listed");
	return TEST_SUCCESS;
}

/* Before init (here after fini) the commands answer, with nothing in them. */
static int
test_uninitialised(void)
{
	char top[REPLY_MAX];

	TEST_ASSERT_EQ(mtag_lib_fini(), 0, "fini");
	TEST_RUN(query("/mtag/stats"));
	TEST_ASSERT_NOT_NULL(json_object(reply, "/mtag/stats", top, sizeof(top)), "%s", reply);
	TEST_ASSERT_EQ(json_number(top, "initialized"), 0, "not initialised");
	TEST_ASSERT_EQ(json_number(top, "in_use"), -1, "no counters");
	TEST_RUN(query("/mtag/types"));
	TEST_ASSERT_NULL(strstr(reply, "\"gre\""), "no types: %s", reply);
	TEST_ASSERT_EQ(mtag_lib_init(NULL), 0, "init");
	TEST_RUN(query("/mtag/types"));
	TEST_ASSERT_NOT_NULL(strstr(reply, "\"gre\""), "types back: %s", reply);
	return TEST_SUCCESS;
}

static const struct test_case telemetry_cases[] = {
	{"stats", test_stats},
	{"types", test_types},
	{"types_in_use", test_types_in_use},
	{"dump", test_dump},
	{"leaks_by_site", test_leaks_by_site},
	{"capture", test_capture},
	{"listed", test_listed},
	{"uninitialised", test_uninitialised},
	{NULL, NULL},
};

static struct test_suite telemetry_suite = {
	.name = "telemetry",
	.setup = tel_setup,
	.teardown = tel_teardown,
	.cases = telemetry_cases,
};

REGISTER_UNIT_TEST(telemetry_suite);
