/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/*
 * A program outside the mtag tree, built only against an installed libmtag
 * (pkg-config libmtag), as a user's program would be: a packaging smoke
 * test. It calls every function of the API once, with just enough checking
 * to see each one link and run (a header, export or packaging mistake shows
 * up here, not in a user's build). What the functions do is the unit
 * suites' business (app/test-mtag); this program cannot use their harness,
 * as it is built from a copy of test/install alone.
 *
 * Usage: mtag-outside <EAL args, with --vdev net_null0>
 * Prints "outside: N passed, N failed"; exits 0 only when nothing failed.
 * With MTAG_OUTSIDE_HOLD=<path> it waits, one tag in use, until <path>
 * exists, so that a script can read its telemetry meanwhile.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_mempool.h>

#include <mtag.h>
#include <mtag_capture.h>
#include <mtag_ethdev.h>

static unsigned int passed, failed;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (cond) {                                                                        \
			passed++;                                                                  \
		} else {                                                                           \
			failed++;                                                                  \
			printf("FAIL %s:%d: %s (rte_errno %d)\n", __func__, __LINE__, #cond,       \
			       rte_errno);                                                         \
		}                                                                                  \
	} while (0)

_Static_assert(sizeof(struct mtag) == 16, "the tag header is 16 bytes");

#define BURST 4
#define POOL_SIZE 63 /* tags per size class: small, to see one allocation fail */

static struct rte_mempool *mbufs;
static unsigned int dtor_calls, copier_calls;

static uint64_t
tags_in_use(void)
{
	struct mtag_stats s;

	return mtag_stats_get(&s) == 0 ? s.in_use : UINT64_MAX;
}

static void
ref_destructor(struct mtag *t)
{
	RTE_SET_USED(t);
	dtor_calls++;
}

static int
ref_copier(struct mtag *dst, const struct mtag *src)
{
	RTE_SET_USED(dst);
	RTE_SET_USED(src);
	copier_calls++;
	return 0;
}

/* Registry, callbacks, single tags. */
static void
smoke_types_and_tags(void)
{
	struct mtag *t, *c;
	int type;

	type = mtag_type_register("outside_ref");
	CHECK(type >= MTAG_TYPE_USER_BASE);
	CHECK(mtag_type_lookup("outside_ref") == type);
	CHECK(strcmp(mtag_type_name((uint16_t)type), "outside_ref") == 0);
	CHECK(mtag_type_set_destructor((uint16_t)type, ref_destructor) == 0);
	CHECK(mtag_type_set_copier((uint16_t)type, ref_copier) == 0);

	t = mtag_get((uint16_t)type, 8, MTAG_ZERO);
	CHECK(t != NULL && mtag_data(t) == (void *)(t + 1));
	c = mtag_copy(t, 0);
	CHECK(c != NULL && copier_calls == 1);
	mtag_free(c);
	mtag_free(t);
	CHECK(dtor_calls == 2);
	t = mtag_alloc(0xc0ffee, 7, 8, 0);
	CHECK(t != NULL && t->cookie == 0xc0ffee);
	mtag_free(t);
	CHECK(mtag_type_set_destructor((uint16_t)type, NULL) == 0);
	CHECK(mtag_type_set_copier((uint16_t)type, NULL) == 0);
}

/* Chains on packets, and the packet functions that keep them right. */
static void
smoke_chains(void)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mbufs), *to = rte_pktmbuf_alloc(mbufs), *dup;
	struct mtag *a, *b;
	FILE *f;

	CHECK(m != NULL && to != NULL);
	if (m == NULL || to == NULL)
		return;
	mtag_init(to);
	rte_pktmbuf_append(m, 64);
	a = mtag_get(MTAG_TYPE_VLAN, sizeof(struct mtag_vlan), MTAG_ZERO);
	b = mtag_alloc(0xc0ffee, MTAG_TYPE_GRE, 4, MTAG_ZERO);
	CHECK(a != NULL && b != NULL);
	mtag_prepend(m, a);
	mtag_prepend(m, b);
	CHECK(mtag_first(m) == b && mtag_next(m, b) == a);
	CHECK(mtag_find(m, MTAG_TYPE_VLAN, NULL) == a);
	CHECK(mtag_locate(m, 0xc0ffee, MTAG_TYPE_GRE, NULL) == b);
	CHECK(mtag_add(m, MTAG_TYPE_DLT, 4, MTAG_ZERO) != NULL);
	f = fopen("/dev/null", "w");
	CHECK(f != NULL);
	if (f != NULL) {
		int live;

		mtag_dump(f, m);
		live = mtag_debug_dump_live(f); /* a count in a debug build */
		CHECK(live == -ENOTSUP || live == (int)tags_in_use());
		fclose(f);
	}

	CHECK(mtag_copy_chain(to, m) == 0 && mtag_find(to, MTAG_TYPE_VLAN, NULL) != NULL);
	mtag_delete_chain(to);
	CHECK(mtag_first(to) == NULL);
	dup = mtag_pktmbuf_clone(m, mbufs);
	CHECK(dup != NULL && mtag_first(dup) != mtag_first(m));
	mtag_pktmbuf_free(dup);
	dup = mtag_pktmbuf_copy(m, mbufs, 0, UINT32_MAX);
	CHECK(dup != NULL && mtag_find(dup, MTAG_TYPE_VLAN, NULL) != NULL);
	mtag_pktmbuf_free(dup);

	mtag_unlink(m, a);
	mtag_free(a);
	mtag_delete(m, b);
	mtag_move(to, m);
	CHECK(mtag_first(m) == NULL && mtag_find(to, MTAG_TYPE_DLT, NULL) != NULL);
	mtag_pktmbuf_free(m);
	mtag_pktmbuf_free(to);
	CHECK(tags_in_use() == 0);
}

/* The burst forms, and one allocation that fails (telemetry shows it). */
static void
smoke_bursts(void)
{
	struct mtag *tags[POOL_SIZE + 1], *out[BURST];
	struct rte_mbuf *pkts[BURST];
	void *data[BURST];
	unsigned int n = 0;

	CHECK(rte_pktmbuf_alloc_bulk(mbufs, pkts, BURST) == 0);
	CHECK(mtag_get_bulk(MTAG_TYPE_VLAN_INSERT, sizeof(struct mtag_vlan), 0, tags, BURST) ==
	      BURST);
	mtag_prepend_burst(pkts, tags, BURST);
	CHECK(mtag_find_burst(pkts, BURST, MTAG_TYPE_VLAN_INSERT, out) == BURST &&
	      out[0] == tags[0]);
	mtag_delete_chain_burst(pkts, BURST);
	CHECK(mtag_add_burst(pkts, BURST, MTAG_TYPE_VLAN, sizeof(struct mtag_vlan), 0, data) ==
	      BURST);
	mtag_pktmbuf_free_bulk(pkts, BURST);
	CHECK(tags_in_use() == 0);

	while (n < RTE_DIM(tags) && (tags[n] = mtag_get(MTAG_TYPE_GRE, 8, 0)) != NULL)
		n++;
	CHECK(n < RTE_DIM(tags) && rte_errno == ENOMEM);
	while (n > 0)
		mtag_free(tags[--n]);
}

/* A capture of a tagged burst to a file. */
static void
smoke_capture(void)
{
	struct mtag_capture_conf conf = {.filter = MTAG_CAPTURE_TAGGED, .snaplen = 128};
	char path[] = "/tmp/mtag-outside-XXXXXX";
	struct mtag_capture_stats st;
	struct rte_mbuf *pkts[BURST];
	struct mtag_capture *cap;
	unsigned int i;
	int fd;

	fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	close(fd);
	cap = mtag_capture_open(path, &conf);
	CHECK(cap != NULL);
	CHECK(rte_pktmbuf_alloc_bulk(mbufs, pkts, BURST) == 0);
	for (i = 0; i < BURST; i++) {
		rte_pktmbuf_append(pkts[i], 60);
		if (i % 2 == 0)
			mtag_add(pkts[i], MTAG_TYPE_VLAN, sizeof(struct mtag_vlan), MTAG_ZERO);
	}
	CHECK(mtag_capture_burst(cap, 0, 0, pkts, BURST, RTE_PCAPNG_DIRECTION_IN) == BURST / 2);
	CHECK(mtag_capture_flush(cap) == BURST / 2);
	CHECK(mtag_capture_stats_get(cap, &st) == 0 && st.written == BURST / 2);
	CHECK(mtag_capture_close(cap) == 0);
	mtag_pktmbuf_free_bulk(pkts, BURST);
	unlink(path);
}

/* The TX strip on a port that frees what it sends. */
static void
smoke_ethdev(void)
{
	struct rte_eth_conf conf;
	struct rte_mbuf *pkts[BURST];
	uint16_t port, sent;
	unsigned int i;

	if (rte_eth_dev_get_port_by_name("net_null0", &port) != 0) {
		printf("FAIL: no port net_null0: run with --vdev net_null0\n");
		failed++;
		return;
	}
	memset(&conf, 0, sizeof(conf));
	CHECK(rte_eth_dev_configure(port, 1, 1, &conf) == 0);
	CHECK(rte_eth_rx_queue_setup(port, 0, 128, rte_socket_id(), NULL, mbufs) == 0);
	CHECK(rte_eth_tx_queue_setup(port, 0, 128, rte_socket_id(), NULL) == 0);
	CHECK(mtag_eth_tx_strip(port, 0) == 0);
	CHECK(mtag_eth_tx_strip_remove(port, 0) == 0);
	CHECK(mtag_eth_tx_strip(port, 0) == 0);
	CHECK(rte_eth_dev_start(port) == 0);
	CHECK(rte_pktmbuf_alloc_bulk(mbufs, pkts, BURST) == 0);
	for (i = 0; i < BURST; i++) {
		rte_pktmbuf_append(pkts[i], 60);
		mtag_add(pkts[i], MTAG_TYPE_IPSEC_OUT_DONE, sizeof(struct mtag_ipsec), 0);
	}
	sent = rte_eth_tx_burst(port, 0, pkts, BURST);
	mtag_pktmbuf_free_bulk(pkts + sent, BURST - sent);
	CHECK(sent > 0 && tags_in_use() == 0);
	CHECK(rte_eth_dev_stop(port) == 0);
	CHECK(rte_eth_dev_close(port) == 0);
}

static void
hold_for_telemetry(void)
{
	const char *path = getenv("MTAG_OUTSIDE_HOLD");
	unsigned int i;

	if (path == NULL)
		return;
	printf("outside: holding until %s exists\n", path);
	fflush(stdout);
	for (i = 0; i < 600 && access(path, F_OK) != 0; i++)
		usleep(100 * 1000);
}

int
main(int argc, char **argv)
{
	struct mtag_conf conf = {.pool_size = POOL_SIZE, .cache_size = 8};
	struct mtag_stats s;
	struct mtag *t;

	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "outside: cannot init EAL\n");
		printf("outside: 0 passed, 1 failed\n");
		return 1;
	}
	mbufs = rte_pktmbuf_pool_create("outside_mbufs", 255, 32, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					(int)rte_socket_id());
	CHECK(mbufs != NULL);
	if (mbufs == NULL)
		goto done;

	CHECK(mtag_lib_init(&conf) == 0);
	smoke_types_and_tags();
	smoke_chains();
	smoke_bursts();
	smoke_capture();
	smoke_ethdev();

	CHECK(mtag_stats_get(&s) == 0 && s.allocs == s.frees && s.alloc_fails > 0);
	CHECK(s.debug_errors == 0); /* a -Dmtag_debug=true library found no misuse */
	CHECK(mtag_pool_bytes_per_tag(0) > (int)sizeof(struct mtag));
	printf("outside: %u size classes, %d bytes of pool per tag of the first\n", s.nb_classes,
	       mtag_pool_bytes_per_tag(0));

	/* One tag in use while a script reads the telemetry. */
	t = mtag_get(MTAG_TYPE_GRE, 0, 0);
	CHECK(t != NULL);
	hold_for_telemetry();
	mtag_free(t);
	CHECK(mtag_lib_fini() == 0);
	rte_mempool_free(mbufs);
done:
	rte_eal_cleanup();
	printf("outside: %u passed, %u failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
