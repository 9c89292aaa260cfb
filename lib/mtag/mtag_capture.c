/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/* Capture: packets with their tags to pcapng, through DPDK's rte_pcapng.
 *
 * The lcores' side (__mtag_capture_burst()) filters a burst, writes each
 * kept packet's tags in mtag_dump()'s words, has rte_pcapng_copy() make the
 * packet's block in an mbuf of the capture's own pool, and puts the blocks
 * on a multi-producer ring: a full ring or an empty pool drops, counted.
 * The writer's side (mtag_capture_flush(), or the capture's thread) takes
 * them off the ring and writes them with rte_pcapng_write_packets().
 *
 * Captures live in a table of this process, so that a closed one is still
 * recognised as such; a new capture takes the slot closed longest ago. */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ring.h>
#include <rte_spinlock.h>
#include <rte_telemetry.h>

#include "mtag_capture.h"
#include "mtag_priv.h"

#define MTAG_CAPTURE_MAX 16
/* Packets per pass of the burst and of the writer. */
#define MTAG_CAPTURE_BURST 32
/* Bounds of a comment's parts: "mtag: <N> tags" first, "; <index>: "
 * before each tag's words, "; ... <N> more" at the end. */
#define MTAG_CAPTURE_HEAD_LEN 24
#define MTAG_CAPTURE_INDEX_LEN 16
#define MTAG_CAPTURE_MORE_LEN 24
#define MTAG_CAPTURE_COMMENT_BUF                                                                   \
	(MTAG_CAPTURE_COMMENT_MAX + MTAG_CAPTURE_INDEX_LEN + MTAG_TAG_TEXT_MAX)
/* How long the writing thread sleeps when the ring is empty. */
#define MTAG_CAPTURE_THREAD_NS 1000000

enum mtag_capture_state { MTAG_CAPTURE_FREE, MTAG_CAPTURE_OPEN, MTAG_CAPTURE_CLOSED };

struct mtag_capture {
	/* What the lcores read on every burst. */
	uint64_t limit;
	struct rte_mempool *mp;
	struct rte_ring *ring;
	enum mtag_capture_state state;
	enum mtag_capture_filter filter;
	uint32_t snaplen;
	uint32_t ring_size;
	uint16_t type;
	bool has_thread; /* the writer's, here to fill a hole */
	bool stop;
	bool in_file[RTE_MAX_ETHPORTS]; /* the port has an interface block */
	/* Read by telemetry only: it keeps the lines above off the counters. */
	char path[256];

	/* The lcores' counters, one atomic add per burst. */
	uint64_t taken; /* toward the limit */
	uint64_t captured;
	uint64_t dropped;

	/* The writer's side. */
	rte_pcapng_t *pcapng;
	pthread_t thread;
	uint64_t written;
	uint64_t lost;
	uint64_t closed_seq; /* when it was closed: the oldest slot goes first */
	rte_spinlock_t write_lock;
	int error; /* of the first failed write, sticky */
};

static struct mtag_capture mtag_captures[MTAG_CAPTURE_MAX];
static rte_spinlock_t mtag_captures_lock = RTE_SPINLOCK_INITIALIZER;
static uint64_t mtag_captures_seq;

/* ------------------------------------------------ DPDK's rte_pcapng, by release
 * rte_pcapng changed between the releases mtag supports; these wrappers are
 * the only code that knows. Checked against the sources of 22.11, 23.03,
 * 23.11, 24.11, 25.11 and 26.07. */

#if RTE_VERSION < RTE_VERSION_NUM(23, 3, 0, 0)
/* 22.11: rte_pcapng_copy() takes a timestamp and no comment, and
 * rte_pcapng_fdopen() writes an interface block for every port itself. The
 * comment goes into the block rte_pcapng_copy() made: an option after its
 * others, before the block's closing length, where 23.03 puts it. The block
 * is one segment (the pool's mbufs hold a whole one), as 22.11's
 * rte_pcapng_write_packets() wants. */
#define MTAG_PCAPNG_OPT_COMMENT 1

static int
mtag_pcapng_add_comment(struct rte_mbuf *mc, const char *comment, size_t len)
{
	uint16_t optlen = RTE_ALIGN(4 + len, 4), hdr[2] = {MTAG_PCAPNG_OPT_COMMENT, len};
	uint32_t block_len;
	uint8_t *opt;

	if (mc->nb_segs != 1 || rte_pktmbuf_append(mc, optlen) == NULL)
		return -ENOSPC;
	/* Block type, then block length; the length closes the block too. */
	memcpy(&block_len, rte_pktmbuf_mtod_offset(mc, uint8_t *, 4), sizeof(block_len));
	opt = rte_pktmbuf_mtod_offset(mc, uint8_t *, block_len - sizeof(block_len));
	memcpy(opt, hdr, sizeof(hdr));
	memcpy(opt + sizeof(hdr), comment, len);
	memset(opt + sizeof(hdr) + len, 0, optlen - sizeof(hdr) - len);
	block_len += optlen;
	memcpy(rte_pktmbuf_mtod_offset(mc, uint8_t *, 4), &block_len, sizeof(block_len));
	memcpy(opt + optlen, &block_len, sizeof(block_len));
	return 0;
}

static struct rte_mbuf *
mtag_pcapng_copy(uint16_t port, uint16_t queue, const struct rte_mbuf *m, struct rte_mempool *mp,
		 uint32_t snaplen, enum rte_pcapng_direction dir, const char *comment, size_t len)
{
	struct rte_mbuf *mc;

	mc = rte_pcapng_copy(port, queue, m, mp, snaplen, rte_get_tsc_cycles(), dir);
	if (mc != NULL && mtag_pcapng_add_comment(mc, comment, len) != 0) {
		rte_pktmbuf_free(mc);
		return NULL;
	}
	return mc;
}

static int
mtag_pcapng_add_port(rte_pcapng_t *pc, uint16_t port)
{
	RTE_SET_USED(pc);
	RTE_SET_USED(port);
	return 0;
}
#else
static struct rte_mbuf *
mtag_pcapng_copy(uint16_t port, uint16_t queue, const struct rte_mbuf *m, struct rte_mempool *mp,
		 uint32_t snaplen, enum rte_pcapng_direction dir, const char *comment, size_t len)
{
	RTE_SET_USED(len);
#if RTE_VERSION < RTE_VERSION_NUM(23, 11, 0, 0)
	/* 23.03, 23.07: a timestamp argument, gone in 23.11. */
	return rte_pcapng_copy(port, queue, m, mp, snaplen, rte_get_tsc_cycles(), dir, comment);
#else
	return rte_pcapng_copy(port, queue, m, mp, snaplen, dir, comment);
#endif
}

static int
mtag_pcapng_add_port(rte_pcapng_t *pc, uint16_t port)
{
#if RTE_VERSION < RTE_VERSION_NUM(25, 11, 0, 0)
	return rte_pcapng_add_interface(pc, port, NULL, NULL, NULL);
#else
	/* 25.11 added the link type: Ethernet (LINKTYPE_ETHERNET). */
	return rte_pcapng_add_interface(pc, port, 1, NULL, NULL, NULL);
#endif
}
#endif

/* ------------------------------------------------------------- the comment */

/* A packet's tags on one line, newest first, in mtag_dump()'s words, at
 * most MTAG_CAPTURE_COMMENT_MAX bytes, into buf of MTAG_CAPTURE_COMMENT_BUF
 * (a tag is written before it is known to fit); returns its length. */
static size_t
mtag_capture_comment(const struct rte_mbuf *m, char *buf)
{
	const struct mtag *t;
	unsigned int nb = 0, i;
	char *p = buf, *start;

	/* The 5 newest tags always fit (mtag_capture.h). */
	RTE_BUILD_BUG_ON(MTAG_CAPTURE_HEAD_LEN +
				 5 * (MTAG_CAPTURE_INDEX_LEN + MTAG_TAG_TEXT_MAX - 1) +
				 MTAG_CAPTURE_MORE_LEN >
			 MTAG_CAPTURE_COMMENT_MAX);
	for (t = mtag_first(m); t != NULL; t = t->next)
		nb++;
	p = mtag_text_str(p, "mtag: ");
	p = mtag_text_u32(p, nb);
	p = nb == 1 ? mtag_text_str(p, " tag") : mtag_text_str(p, " tags");
	for (t = mtag_first(m), i = 0; t != NULL; t = t->next, i++) {
		start = p;
		p = mtag_text_str(p, "; ");
		p = mtag_text_u32(p, i);
		p = mtag_text_str(p, ": ");
		p += mtag_tag_format(p, MTAG_TAG_TEXT_MAX, t);
		/* Keep this tag if it leaves room for the note of those left
		 * out, when more follow. */
		if ((size_t)(p - buf) + (t->next != NULL ? MTAG_CAPTURE_MORE_LEN : 0) >
		    MTAG_CAPTURE_COMMENT_MAX) {
			p = mtag_text_str(start, "; ... ");
			p = mtag_text_u32(p, nb - i);
			p = mtag_text_str(p, " more");
			break;
		}
	}
	*p = '\0';
	return (size_t)(p - buf);
}

/* ------------------------------------------------------------- the lcores */

static inline int
mtag_capture_check(const struct mtag_capture *cap)
{
	if (cap < &mtag_captures[0] || cap >= &mtag_captures[MTAG_CAPTURE_MAX] ||
	    ((uintptr_t)cap - (uintptr_t)mtag_captures) % sizeof(*cap) != 0 ||
	    cap->state == MTAG_CAPTURE_FREE)
		return -EINVAL;
	return cap->state == MTAG_CAPTURE_OPEN ? 0 : -EBADF;
}

/* How many of n packets the limit lets through, taken toward it. */
static inline unsigned int
mtag_capture_take(struct mtag_capture *cap, unsigned int n)
{
	uint64_t old, want;

	if (cap->limit == 0)
		return n;
	old = __atomic_load_n(&cap->taken, __ATOMIC_RELAXED);
	do {
		if (old >= cap->limit)
			return 0;
		want = RTE_MIN((uint64_t)n, cap->limit - old);
	} while (!__atomic_compare_exchange_n(&cap->taken, &old, old + want, false,
					      __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	return (unsigned int)want;
}

/* Kept packets of pkts[*i...] into sel, up to MTAG_CAPTURE_BURST. */
static inline unsigned int
mtag_capture_select(const struct mtag_capture *cap, struct rte_mbuf **pkts, uint16_t n,
		    unsigned int *i, struct rte_mbuf **sel)
{
	unsigned int k = 0;
	struct rte_mbuf *m;

	for (; *i < n && k < MTAG_CAPTURE_BURST; (*i)++) {
		m = pkts[*i];
		if (m == NULL)
			continue;
		if (cap->filter == MTAG_CAPTURE_TYPE && mtag_find(m, cap->type, NULL) == NULL)
			continue;
		if (cap->filter == MTAG_CAPTURE_TAGGED && mtag_first(m) == NULL)
			continue;
		sel[k++] = m;
	}
	return k;
}

int
__mtag_capture_burst(struct mtag_capture *cap, uint16_t port, uint16_t queue,
		     struct rte_mbuf **pkts, uint16_t n, enum rte_pcapng_direction direction)
{
	/* Set in full for clang-tidy, which cannot follow what is set. */
	struct rte_mbuf *sel[MTAG_CAPTURE_BURST], *copies[MTAG_CAPTURE_BURST] = {NULL};
	char comment[MTAG_CAPTURE_COMMENT_BUF];
	unsigned int i = 0, j, k, want, taken, room, c, e;
	uint64_t captured = 0, dropped = 0;
	size_t len;
	int ret;

	ret = mtag_capture_check(cap);
	if (unlikely(ret != 0))
		return ret;
	if (unlikely(pkts == NULL || port >= RTE_MAX_ETHPORTS || !cap->in_file[port]))
		return -EINVAL;
	while (i < n) {
		want = mtag_capture_select(cap, pkts, n, &i, sel);
		if (want == 0)
			continue;
		taken = mtag_capture_take(cap, want);
		if (taken == 0)
			break; /* the limit is reached */
		k = taken;
		/* No copy for what the ring cannot take. */
		room = rte_ring_free_count(cap->ring);
		if (k > room) {
			dropped += k - room;
			k = room;
		}
		for (j = 0, c = 0; j < k; j++) {
			len = mtag_capture_comment(sel[j], comment);
			copies[c] = mtag_pcapng_copy(port, queue, sel[j], cap->mp, cap->snaplen,
						     direction, comment, len);
			if (unlikely(copies[c] == NULL))
				continue;
			/* The copy has the packet's dynamic fields: not its tags. */
			mtag_init(copies[c]);
			c++;
		}
		e = rte_ring_mp_enqueue_burst(cap->ring, (void **)copies, c, NULL);
		if (unlikely(e < c))
			rte_pktmbuf_free_bulk(copies + e, c - e);
		dropped += k - e;
		captured += e;
		/* Dropped packets do not count toward the limit. */
		if (cap->limit != 0 && taken > e)
			__atomic_fetch_sub(&cap->taken, (uint64_t)(taken - e), __ATOMIC_RELAXED);
	}
	if (captured != 0)
		__atomic_fetch_add(&cap->captured, captured, __ATOMIC_RELAXED);
	if (dropped != 0)
		__atomic_fetch_add(&cap->dropped, dropped, __ATOMIC_RELAXED);
	return (int)captured;
}

/* ------------------------------------------------------------- the writer */

/* Empty the ring into the file, with the write lock held; returns the
 * packets written or the error of a failed write. */
static int
mtag_capture_drain(struct mtag_capture *cap)
{
	struct rte_mbuf *pkts[MTAG_CAPTURE_BURST];
	unsigned int n;
	int written = 0;

	while ((n = rte_ring_sc_dequeue_burst(cap->ring, (void **)pkts, RTE_DIM(pkts), NULL)) > 0) {
		if (cap->error == 0 && rte_pcapng_write_packets(cap->pcapng, pkts, n) < 0) {
			cap->error = rte_errno > 0 ? -rte_errno : -EIO;
			MTAG_LOG(ERR, "capture %s: write failed, nothing more is written: %s",
				 cap->path, rte_strerror(-cap->error));
		}
		/* rte_pcapng_write_packets() frees nothing, whatever its
		 * documentation says (22.11 to 26.07). */
		rte_pktmbuf_free_bulk(pkts, n);
		if (cap->error != 0) {
			__atomic_fetch_add(&cap->lost, n, __ATOMIC_RELAXED);
			continue;
		}
		__atomic_fetch_add(&cap->written, n, __ATOMIC_RELAXED);
		written += (int)n;
	}
	return cap->error != 0 ? cap->error : written;
}

int
mtag_capture_flush(struct mtag_capture *cap)
{
	int ret;

	ret = mtag_capture_check(cap);
	if (ret != 0)
		return ret;
	rte_spinlock_lock(&cap->write_lock);
	ret = mtag_capture_drain(cap);
	rte_spinlock_unlock(&cap->write_lock);
	return ret;
}

static void *
mtag_capture_thread(void *arg)
{
	const struct timespec pause = {.tv_nsec = MTAG_CAPTURE_THREAD_NS};
	struct mtag_capture *cap = arg;
	char name[16];

	/* Named from inside: its creator may not know its id yet (Valgrind). */
	snprintf(name, sizeof(name), "mtag-cap%u", (unsigned int)(cap - mtag_captures));
	pthread_setname_np(pthread_self(), name);

	while (!__atomic_load_n(&cap->stop, __ATOMIC_ACQUIRE)) {
		if (rte_ring_empty(cap->ring)) {
			nanosleep(&pause, NULL);
			continue;
		}
		rte_spinlock_lock(&cap->write_lock);
		mtag_capture_drain(cap);
		rte_spinlock_unlock(&cap->write_lock);
	}
	return NULL;
}

/* Start the writing thread on the CPUs no lcore runs on, as DPDK's control
 * threads do (or on any CPU when the lcores have them all), not on the
 * calling lcore's: it would wait there behind a busy-polling loop. */
static int
mtag_capture_thread_start(struct mtag_capture *cap)
{
	long nb_cpus = sysconf(_SC_NPROCESSORS_ONLN);
	rte_cpuset_t cpus, all, lcore_cpus;
	unsigned int lcore;
	pthread_attr_t attr;
	int cpu, ret;

	CPU_ZERO(&cpus);
	for (cpu = 0; cpu < nb_cpus && cpu < CPU_SETSIZE; cpu++)
		CPU_SET(cpu, &cpus);
	all = cpus;
	RTE_LCORE_FOREACH(lcore)
	{
		lcore_cpus = rte_lcore_cpuset(lcore);
		for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
			if (CPU_ISSET(cpu, &lcore_cpus))
				CPU_CLR(cpu, &cpus);
	}
	if (CPU_COUNT(&cpus) == 0)
		cpus = all;
	ret = pthread_attr_init(&attr);
	if (ret != 0)
		return -ret;
	pthread_attr_setaffinity_np(&attr, sizeof(cpus), &cpus);
	ret = pthread_create(&cap->thread, &attr, mtag_capture_thread, cap);
	if (ret != 0) /* CPUs this process may not use: the default affinity then */
		ret = pthread_create(&cap->thread, NULL, mtag_capture_thread, cap);
	pthread_attr_destroy(&attr);
	if (ret != 0)
		return -ret;
	return 0;
}

/* ------------------------------------------------------- open and close */

static int
mtag_capture_conf_check(const struct mtag_capture_conf *conf)
{
	if (conf->filter != MTAG_CAPTURE_ALL && conf->filter != MTAG_CAPTURE_TYPE &&
	    conf->filter != MTAG_CAPTURE_TAGGED) {
		MTAG_LOG(ERR, "capture: unknown filter %d", (int)conf->filter);
		return -EINVAL;
	}
	if (conf->filter == MTAG_CAPTURE_TYPE && !mtag_type_valid(conf->type)) {
		MTAG_LOG(ERR, "capture: unknown type %u", conf->type);
		return -EINVAL;
	}
	if (conf->snaplen > MTAG_CAPTURE_SNAPLEN_MAX || conf->ring_size == 1 ||
	    conf->ring_size > MTAG_CAPTURE_RING_MAX || (conf->flags & ~MTAG_CAPTURE_THREAD) != 0) {
		MTAG_LOG(ERR, "capture: snaplen %u (at most %u), ring_size %u (2 to %u), flags %#x",
			 conf->snaplen, MTAG_CAPTURE_SNAPLEN_MAX, conf->ring_size,
			 MTAG_CAPTURE_RING_MAX, conf->flags);
		return -EINVAL;
	}
	return 0;
}

/* A free slot, or the one closed longest ago; NULL when all are open. */
static struct mtag_capture *
mtag_capture_slot(void)
{
	struct mtag_capture *best = NULL, *cap;

	for (cap = mtag_captures; cap < &mtag_captures[MTAG_CAPTURE_MAX]; cap++) {
		if (cap->state == MTAG_CAPTURE_FREE)
			return cap;
		if (cap->state == MTAG_CAPTURE_CLOSED &&
		    (best == NULL || cap->closed_seq < best->closed_seq))
			best = cap;
	}
	return best;
}

/* Free what a capture holds; the slot is then closed. */
static void
mtag_capture_release(struct mtag_capture *cap, int fd)
{
	if (cap->pcapng != NULL)
		rte_pcapng_close(cap->pcapng); /* closes the file */
	else if (fd >= 0)
		close(fd);
	rte_ring_free(cap->ring);
	rte_mempool_free(cap->mp);
	cap->pcapng = NULL;
	cap->ring = NULL;
	cap->mp = NULL;
	rte_spinlock_lock(&mtag_captures_lock);
	cap->closed_seq = ++mtag_captures_seq;
	cap->state = MTAG_CAPTURE_CLOSED;
	rte_spinlock_unlock(&mtag_captures_lock);
}

/* The pool, ring, file and thread of a capture being opened. */
static int
mtag_capture_start(struct mtag_capture *cap, const char *path, int *fd)
{
	char name[RTE_MEMZONE_NAMESIZE];
	unsigned int nb, data_room;
	uint16_t port;
	int ret;

	/* One capture per slot at a time: the slot names its ring and pool. */
	snprintf(name, sizeof(name), "mtag_cap%u", (unsigned int)(cap - mtag_captures));
	cap->ring = rte_ring_create(name, cap->ring_size, SOCKET_ID_ANY,
				    RING_F_SC_DEQ | RING_F_EXACT_SZ);
	if (cap->ring == NULL)
		return -rte_errno;
	/* A block in one mbuf: the packet cut to snaplen, rte_pcapng's
	 * options (room for all of them, RSS hash included) and ours. */
	data_room = rte_pcapng_mbuf_size(cap->snaplen) + 64 + 4 + MTAG_CAPTURE_COMMENT_MAX + 1;
	/* Every slot of the ring, the writer's burst, what the lcores'
	 * caches may hold. */
	nb = cap->ring_size + MTAG_CAPTURE_BURST + rte_lcore_count() * MTAG_CAPTURE_BURST * 3 / 2;
	cap->mp =
		rte_pktmbuf_pool_create(name, nb, MTAG_CAPTURE_BURST, 0, data_room, SOCKET_ID_ANY);
	if (cap->mp == NULL)
		return -rte_errno;
	*fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (*fd < 0)
		return -errno;
	errno = 0;
	cap->pcapng = rte_pcapng_fdopen(*fd, NULL, NULL, "mtag " MTAG_VERSION, NULL);
	if (cap->pcapng == NULL)
		return errno != 0 ? -errno : -EIO;
	RTE_ETH_FOREACH_DEV(port)
	{
		errno = 0;
		if (mtag_pcapng_add_port(cap->pcapng, port) < 0)
			return errno != 0 ? -errno : -EIO;
		cap->in_file[port] = true;
	}
	if (cap->has_thread) {
		ret = mtag_capture_thread_start(cap);
		if (ret != 0) {
			cap->has_thread = false;
			return ret;
		}
	}
	return 0;
}

struct mtag_capture *
mtag_capture_open(const char *path, const struct mtag_capture_conf *conf)
{
	static const struct mtag_capture_conf defaults;
	struct mtag_capture *cap;
	int fd = -1, ret;

	if (conf == NULL)
		conf = &defaults;
	if (path == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	if (mtag_state.shared == NULL) {
		rte_errno = ENOENT;
		return NULL;
	}
	ret = mtag_capture_conf_check(conf);
	if (ret != 0) {
		rte_errno = -ret;
		return NULL;
	}
	rte_spinlock_lock(&mtag_captures_lock);
	cap = mtag_capture_slot();
	if (cap != NULL)
		cap->state = MTAG_CAPTURE_CLOSED; /* taken: neither free nor open */
	rte_spinlock_unlock(&mtag_captures_lock);
	if (cap == NULL) {
		MTAG_LOG(ERR, "capture %s: %u captures open already", path, MTAG_CAPTURE_MAX);
		rte_errno = ENOSPC;
		return NULL;
	}
	*cap = (struct mtag_capture){.state = MTAG_CAPTURE_CLOSED};
	cap->filter = conf->filter;
	cap->type = conf->type;
	cap->snaplen = conf->snaplen != 0 ? conf->snaplen : MTAG_CAPTURE_SNAPLEN_DEFAULT;
	cap->limit = conf->limit;
	cap->ring_size = conf->ring_size != 0 ? conf->ring_size : MTAG_CAPTURE_RING_DEFAULT;
	cap->has_thread = conf->flags & MTAG_CAPTURE_THREAD;
	rte_spinlock_init(&cap->write_lock);
	snprintf(cap->path, sizeof(cap->path), "%s", path);
	ret = mtag_capture_start(cap, path, &fd);
	if (ret != 0) {
		MTAG_LOG(ERR, "capture %s: %s", path, rte_strerror(-ret));
		mtag_capture_release(cap, fd);
		if (fd >= 0)
			unlink(path);
		rte_errno = -ret;
		return NULL;
	}
	__atomic_store_n(&cap->state, MTAG_CAPTURE_OPEN, __ATOMIC_RELEASE);
	return cap;
}

int
mtag_capture_close(struct mtag_capture *cap)
{
	int ret;

	ret = mtag_capture_check(cap);
	if (ret != 0)
		return ret;
	if (cap->has_thread) {
		__atomic_store_n(&cap->stop, true, __ATOMIC_RELEASE);
		pthread_join(cap->thread, NULL);
	}
	ret = mtag_capture_flush(cap);
	mtag_capture_release(cap, -1);
	return ret < 0 ? ret : 0;
}

int
mtag_capture_stats_get(const struct mtag_capture *cap, struct mtag_capture_stats *stats)
{
	int ret;

	if (stats == NULL)
		return -EINVAL;
	ret = mtag_capture_check(cap);
	if (ret != 0)
		return ret;
	stats->captured = __atomic_load_n(&cap->captured, __ATOMIC_RELAXED);
	stats->dropped = __atomic_load_n(&cap->dropped, __ATOMIC_RELAXED);
	stats->written = __atomic_load_n(&cap->written, __ATOMIC_RELAXED);
	stats->lost = __atomic_load_n(&cap->lost, __ATOMIC_RELAXED);
	return 0;
}

/* ------------------------------------------------------------- telemetry */

static int
mtag_tel_capture(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct mtag_capture_stats st;
	struct rte_tel_data *cd;
	struct mtag_capture *cap;
	char name[32];

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	for (cap = mtag_captures; cap < &mtag_captures[MTAG_CAPTURE_MAX]; cap++) {
		if (mtag_capture_stats_get(cap, &st) != 0)
			continue;
		cd = rte_tel_data_alloc();
		if (cd == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(cd);
		rte_tel_data_add_dict_string(cd, "path", cap->path);
		mtag_tel_add_u64(cd, "captured", st.captured);
		mtag_tel_add_u64(cd, "dropped", st.dropped);
		mtag_tel_add_u64(cd, "written", st.written);
		mtag_tel_add_u64(cd, "lost", st.lost);
		snprintf(name, sizeof(name), "capture%u", (unsigned int)(cap - mtag_captures));
		rte_tel_data_add_dict_container(d, name, cd, 0);
	}
	return 0;
}

RTE_INIT(mtag_capture_telemetry_init)
{
	rte_telemetry_register_cmd("/mtag/capture", mtag_tel_capture,
				   "Open captures: path, captured, dropped, written, lost. No "
				   "parameters.");
}
