/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/*
 * Multi-process: a primary tags packets and passes them through an rte_ring
 * to a secondary process (this program again, started by the primary),
 * which
 *   - finds the primary's type by name, with the same id;
 *   - reads every tag (type, length, data) and frees the packets;
 *   - registers a new type name (it gets an id in the shared registry, and
 *     the primary sees it) and registers the primary's name again (it gets
 *     the primary's id back);
 *   - tags packets of its own and sends them back on a second ring.
 * The primary then frees those, and sees the shared counters fall to zero
 * in use.
 *
 * Needs hugepages (secondary processes cannot attach to --no-huge memory):
 * a hugetlbfs mount given by MTAG_HUGE_DIR, or any mounted one, with free
 * pages. Without them the test exits 77 (skip). Each process uses its own
 * lcore: DPDK requires distinct lcores across processes (per-lcore mempool
 * caches live in shared memory).
 */

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_memzone.h>
#include <rte_ring.h>

#include <mtag.h>

#include "test.h"

#define NB_PKTS 512
#define NB_BACK 128
#define RING_TO "mtag_mp_to_secondary"
#define RING_BACK "mtag_mp_to_primary"
#define POOL "mtag_mp_mbufs"
#define MZ "mtag_mp_result"
#define TEST_LEN 40

/* Shared between the two processes. */
struct mp_result {
	int primary_type;    /* id the primary registered */
	int secondary_type;  /* id the secondary got for a new name */
	int secondary_again; /* id the secondary got for the primary's name */
	uint32_t secondary_tags_read;
	uint32_t secondary_bad;
};

static uint8_t
pattern(uint32_t seq, uint16_t type, unsigned int i)
{
	return (uint8_t)(seq * 7 + type + i);
}

static void
tag_pkt(struct rte_mbuf *m, uint32_t seq, uint16_t type)
{
	struct mtag *t = mtag_get(type, TEST_LEN, 0), *v;
	struct mtag_vlan *vl;
	unsigned int i;

	*(uint32_t *)rte_pktmbuf_append(m, sizeof(uint32_t)) = seq;
	if (t != NULL) {
		for (i = 0; i < TEST_LEN; i++)
			((uint8_t *)mtag_data(t))[i] = pattern(seq, type, i);
		mtag_prepend(m, t);
	}
	v = mtag_get(MTAG_TYPE_VLAN, sizeof(*vl), 0);
	if (v != NULL) {
		vl = mtag_data(v);
		vl->tpid = 0x8100;
		vl->tci = seq & 0xfff;
		mtag_prepend(m, v);
	}
}

/* Check a packet tagged by tag_pkt(); returns the tags read, or -1. */
static int
check_pkt(struct rte_mbuf *m, uint16_t type)
{
	uint32_t seq = *rte_pktmbuf_mtod(m, uint32_t *);
	struct mtag *t = mtag_find(m, type, NULL), *v = mtag_find(m, MTAG_TYPE_VLAN, NULL);
	const struct mtag_vlan *vl;
	unsigned int i;

	if (t == NULL || v == NULL || t->len != TEST_LEN || mtag_first(m) != v)
		return -1;
	for (i = 0; i < TEST_LEN; i++)
		if (((uint8_t *)mtag_data(t))[i] != pattern(seq, type, i))
			return -1;
	vl = mtag_data(v);
	if (vl->tpid != 0x8100 || vl->tci != (seq & 0xfff))
		return -1;
	return 2;
}

static int
secondary(void)
{
	const struct rte_memzone *mz = rte_memzone_lookup(MZ);
	struct rte_ring *to = rte_ring_lookup(RING_TO), *back = rte_ring_lookup(RING_BACK);
	struct rte_mempool *mp = rte_mempool_lookup(POOL);
	struct rte_mbuf *pkts[32];
	struct mp_result *r;
	unsigned int n, i;
	int ret;

	TEST_ASSERT(mz != NULL && to != NULL && back != NULL && mp != NULL,
		    "secondary: the primary's objects not found");
	r = mz->addr;
	ret = mtag_lib_init(NULL);
	TEST_ASSERT(ret == 0, "secondary init: %d", ret);
	TEST_ASSERT(mtag_type_lookup("mp_primary") == r->primary_type, "type id differs: %d vs %d",
		    mtag_type_lookup("mp_primary"), r->primary_type);
	while ((n = rte_ring_dequeue_burst(to, (void **)pkts, RTE_DIM(pkts), NULL)) > 0) {
		for (i = 0; i < n; i++) {
			ret = check_pkt(pkts[i], r->primary_type);
			if (ret < 0)
				r->secondary_bad++;
			else
				r->secondary_tags_read += ret;
		}
		mtag_pktmbuf_free_bulk(pkts, n);
	}
	r->secondary_type = mtag_type_register("mp_secondary");
	r->secondary_again = mtag_type_register("mp_primary");
	TEST_ASSERT(r->secondary_type >= MTAG_TYPE_USER_BASE, "secondary register: %d",
		    r->secondary_type);
	for (i = 0; i < NB_BACK; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(mp);

		if (m == NULL)
			break;
		tag_pkt(m, 100000 + i, r->secondary_type);
		if (rte_ring_enqueue(back, m) != 0) {
			mtag_pktmbuf_free(m);
			break;
		}
	}
	TEST_ASSERT(i == NB_BACK, "secondary sent %u packets", i);
	TEST_ASSERT_EQ(mtag_lib_fini(), 0, "secondary fini");
	return TEST_SUCCESS;
}

static int
run_secondary(const char *prefix, const char *huge_dir)
{
	char pfx[128], hd[600];
	pid_t pid;
	int status;

	snprintf(pfx, sizeof(pfx), "--file-prefix=%s", prefix);
	snprintf(hd, sizeof(hd), "--huge-dir=%s", huge_dir);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execl("/proc/self/exe", "mtag-mp", "--proc-type=secondary", "-l", "1", "--no-pci",
		      pfx, hd, "--log-level=lib.eal:error", NULL);
		perror("execl");
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* A hugetlbfs mount with free pages, or NULL. */
static const char *
find_huge_dir(void)
{
	static char dir[512];
	char line[1024], dev[256], mnt[512], fs[64];
	long free_pages = 0;
	const char *env = getenv("MTAG_HUGE_DIR");
	FILE *f = fopen("/proc/meminfo", "r");

	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		sscanf(line, "HugePages_Free: %ld", &free_pages);
	if (f != NULL)
		fclose(f);
	if (free_pages < 16)
		return NULL;
	if (env != NULL)
		return env;
	f = fopen("/proc/mounts", "r");
	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "%255s %511s %63s", dev, mnt, fs) == 3 &&
		    strcmp(fs, "hugetlbfs") == 0) {
			snprintf(dir, sizeof(dir), "%s", mnt);
			fclose(f);
			return dir;
		}
	if (f != NULL)
		fclose(f);
	return NULL;
}

/* The primary's side, once EAL is up. */
static int
primary(const char *prefix, const char *huge_dir)
{
	struct rte_mbuf *pkts[32];
	const struct rte_memzone *mz;
	struct rte_ring *to, *back;
	struct rte_mempool *mp;
	struct mp_result *r;
	struct mtag_stats s;
	unsigned int i, n, back_read = 0, back_bad = 0;
	int ret;

	TEST_ASSERT_EQ(mtag_lib_init(&(struct mtag_conf){.pool_size = 2047}), 0, "init");
	mz = rte_memzone_reserve(MZ, sizeof(*r), SOCKET_ID_ANY, 0);
	to = rte_ring_create(RING_TO, 1024, SOCKET_ID_ANY, 0);
	back = rte_ring_create(RING_BACK, 1024, SOCKET_ID_ANY, 0);
	mp = rte_pktmbuf_pool_create(POOL, 2047, 32, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	TEST_ASSERT(mz != NULL && to != NULL && back != NULL && mp != NULL, "set-up: %s",
		    rte_strerror(rte_errno));
	r = mz->addr;
	memset(r, 0, sizeof(*r));
	r->primary_type = mtag_type_register("mp_primary");
	TEST_ASSERT(r->primary_type >= MTAG_TYPE_USER_BASE, "register");

	for (i = 0; i < NB_PKTS; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(mp);

		if (m == NULL)
			break;
		tag_pkt(m, i, r->primary_type);
		if (rte_ring_enqueue(to, m) != 0) {
			mtag_pktmbuf_free(m);
			break;
		}
	}
	TEST_ASSERT(i == NB_PKTS, "queued %u packets", i);
	mtag_stats_get(&s);
	TEST_ASSERT(s.in_use == 2 * NB_PKTS, "%" PRIu64 " tags in use before the secondary",
		    s.in_use);

	ret = run_secondary(prefix, huge_dir);
	TEST_ASSERT(ret == 0, "secondary exited %d", ret);
	TEST_ASSERT(r->secondary_tags_read == 2 * NB_PKTS && r->secondary_bad == 0,
		    "secondary read %u tags, %u bad packets", r->secondary_tags_read,
		    r->secondary_bad);
	/* Names are shared: the secondary's new type is known here, and the
	 * primary's name gave the secondary the primary's id. */
	TEST_ASSERT(r->secondary_type >= MTAG_TYPE_USER_BASE &&
			    r->secondary_type != r->primary_type,
		    "secondary type %d", r->secondary_type);
	TEST_ASSERT(mtag_type_lookup("mp_secondary") == r->secondary_type,
		    "primary sees %d, not %d", mtag_type_lookup("mp_secondary"), r->secondary_type);
	TEST_ASSERT(r->secondary_again == r->primary_type, "same name, id %d vs %d",
		    r->secondary_again, r->primary_type);

	mtag_stats_get(&s);
	TEST_ASSERT(s.in_use == 2 * NB_BACK, "%" PRIu64 " tags in use after the secondary, not %u",
		    s.in_use, 2 * NB_BACK);
	/* The secondary's fini gave its lcore's cached tags back: the rest
	 * are on this lcore's cache, the pools' rings, or in use. */
	for (i = 0; i < s.nb_classes; i++) {
		const struct mtag_cache *c = RTE_PER_LCORE(mtag_lcore_self)->cache[i];
		char name[RTE_MEMPOOL_NAMESIZE];
		struct rte_mempool *tp;

		snprintf(name, sizeof(name), "mtag_s0_c%u", i);
		tp = rte_mempool_lookup(name);
		TEST_ASSERT(s.cls[i].cached == c->len, "class %u: %" PRIu64 " cached, %u here", i,
			    s.cls[i].cached, c->len);
		TEST_ASSERT(tp == NULL || rte_mempool_avail_count(tp) + c->len + s.cls[i].in_use ==
						  tp->size,
			    "class %u: tags missing from pool %s", i, name);
	}
	while ((n = rte_ring_dequeue_burst(back, (void **)pkts, RTE_DIM(pkts), NULL)) > 0) {
		for (i = 0; i < n; i++) {
			ret = check_pkt(pkts[i], r->secondary_type);
			if (ret < 0)
				back_bad++;
			else
				back_read += ret;
		}
		mtag_pktmbuf_free_bulk(pkts, n);
	}
	TEST_ASSERT(back_read == 2 * NB_BACK && back_bad == 0, "primary read %u tags back, %u bad",
		    back_read, back_bad);
	mtag_stats_get(&s);
	printf("mp: %" PRIu64 " tags allocated across both processes, %" PRIu64 " freed, %" PRIu64
	       " in use; secondary type id %d\n",
	       s.allocs, s.frees, s.in_use, r->secondary_type);
	TEST_ASSERT(s.in_use == 0 && s.allocs == 2 * (NB_PKTS + NB_BACK), "counters");
	TEST_ASSERT(rte_mempool_avail_count(mp) == mp->size, "mbufs leaked");
	TEST_ASSERT(mtag_lib_fini() == 0, "fini");
	rte_ring_free(to);
	rte_ring_free(back);
	rte_mempool_free(mp);
	rte_memzone_free(mz);
	return TEST_SUCCESS;
}

int
main(int argc, char **argv)
{
	char prefix[64], pfx[128], hd[600];
	char *eal[] = {argv[0],
		       (char *)(uintptr_t) "--proc-type=primary",
		       (char *)(uintptr_t) "-l",
		       (char *)(uintptr_t) "0",
		       (char *)(uintptr_t) "--no-pci",
		       pfx,
		       hd,
		       (char *)(uintptr_t) "--log-level=lib.eal:error",
		       NULL};
	const char *huge_dir;
	int ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && strcmp(argv[1], "--proc-type=secondary") == 0) {
		if (rte_eal_init(argc, argv) < 0) {
			printf("secondary EAL: %s\n", rte_strerror(rte_errno));
			return 1;
		}
		ret = secondary();
		rte_eal_cleanup();
		printf("mp secondary: %s\n", ret == TEST_SUCCESS ? "ok" : "FAILED");
		return ret == TEST_SUCCESS ? 0 : 1;
	}
	huge_dir = find_huge_dir();
	if (huge_dir == NULL) {
		printf("mp: no hugetlbfs mount with free pages (devtools/test.d/hardening-mp.sh "
		       "sets one up as root): skipped\n");
		return TEST_SKIPPED;
	}
	/* Hugepages, so not test_eal_init()'s set; its runtime directory,
	 * inherited by the secondary. */
	if (test_runtime_dir() != 0)
		return 1;
	snprintf(prefix, sizeof(prefix), "mtagmp%d", (int)getpid());
	snprintf(pfx, sizeof(pfx), "--file-prefix=%s", prefix);
	snprintf(hd, sizeof(hd), "--huge-dir=%s", huge_dir);
	if (rte_eal_init(RTE_DIM(eal) - 1, eal) < 0) {
		printf("mp: primary EAL failed with hugepages (%s): skipped\n",
		       rte_strerror(rte_errno));
		return TEST_SKIPPED;
	}
	ret = primary(prefix, huge_dir);
	rte_eal_cleanup();
	printf("mp: %s\n", ret == TEST_SUCCESS ? "ok" : "FAILED");
	return ret == TEST_SUCCESS ? 0 : 1;
}
