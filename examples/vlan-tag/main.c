/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/*
 * dpdk-vlan-tag: a VLAN trunk/access forwarder on packet tags. VLANs taken
 * off trunk frames are recorded as MTAG_TYPE_VLAN tags; frames from access
 * ports carry MTAG_TYPE_VLAN_INSERT reminders that the trunk's TX stage
 * turns into headers, by the port or in software. See README.md.
 */

#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <mtag.h>

#include "bench.h"
#include "conf.h"
#include "fwd.h"
#include "port.h"
#include "stats.h"

#define MBUF_CACHE 256
#define RING_SIZE 4096
/* Descriptors of one RX and one TX queue (port.c asks for 1024 each), and slack. */
#define NB_MBUF_PER_QUEUE 2048
#define NB_MBUF_SLACK 1024
/* The library's default tag pool and per-lcore cache (mtag.h). */
#define TAG_POOL_DEFAULT 16383
#define TAG_CACHE_DEFAULT 256
/* Smallest pool the library takes. */
#define TAG_POOL_MIN 2

struct app_opts {
	const char *conf_file;
	unsigned int stats_period; /* seconds, 0: only at exit */
	bool pipeline;
	bool offload;
	enum vt_store store;
	unsigned int alternate_ms; /* benchmark: switch the store this often */
	unsigned int idle_exit_ms;
	unsigned int duration; /* seconds, 0: until a signal (--duration 0 is refused) */
	unsigned int inject;
	unsigned int pkt_size;
	const char *capture;   /* --capture FILE, or NULL */
	struct mtag_conf tags; /* zero: library defaults */
};

static void
usage(const char *prog)
{
	printf("Usage: %s [EAL options] -- -f CONFIG [options]\n"
	       "  -f, --config FILE     trunk and access ports (syntax in README.md)\n"
	       "  -T, --stats SECONDS   print statistics this often (default 10, 0: at exit)\n"
	       "  --pipeline            RX lcore -> ring -> TX lcore (needs 2 worker lcores);\n"
	       "                        otherwise every worker lcore forwards, one queue each\n"
	       "  --no-offload          VLAN strip and insert in software on every port\n"
	       "  --store tag|local     keep VLANs in tags (default) or in local variables\n"
	       "  --alternate MS        benchmark: switch store every MS ms, report both\n"
	       "  --inject N            send N tagged frames on the trunk at start (loopback\n"
	       "                        ports such as net_ring keep them circulating)\n"
	       "  --pkt-size BYTES      size of injected frames (default 64)\n"
	       "  --duration SECONDS    stop after this long (1-86400)\n"
	       "  --idle-exit MS        stop when nothing was received for MS ms\n"
	       "  --tag-pool N          tags per size class (at least 2; default: sized from\n"
	       "                        the rings, bursts and deepest VLAN stack)\n"
	       "  --tag-cache N         per-lcore tag cache (0: none)\n"
	       "  --dump-tags N         print the tags of the first N frames forwarded\n"
	       "                        (mtag_dump), before their TX stage\n"
	       "  --capture FILE        write frames about to leave, with their VLAN tags,\n"
	       "                        and dropped frames, with the reason, to FILE (pcapng)\n",
	       prog);
}

/* Decimal, min to max; the error names the option and the range. */
static int
parse_num(const char *opt, const char *s, unsigned long min, unsigned long max, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] < '0' || s[0] > '9' || v < min ||
	    v > max) {
		fprintf(stderr, "bad value for --%s: '%s' (%lu-%lu)\n", opt, s, min, max);
		return -1;
	}
	*out = (unsigned int)v;
	return 0;
}

static int
parse_args(int argc, char **argv, struct app_opts *o)
{
	enum {
		OPT_PIPELINE = 256,
		OPT_NO_OFFLOAD,
		OPT_STORE,
		OPT_ALTERNATE,
		OPT_INJECT,
		OPT_PKT_SIZE,
		OPT_DURATION,
		OPT_IDLE_EXIT,
		OPT_TAG_POOL,
		OPT_TAG_CACHE,
		OPT_DUMP_TAGS,
		OPT_CAPTURE,
	};
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'f'},
		{"stats", required_argument, NULL, 'T'},
		{"pipeline", no_argument, NULL, OPT_PIPELINE},
		{"no-offload", no_argument, NULL, OPT_NO_OFFLOAD},
		{"store", required_argument, NULL, OPT_STORE},
		{"alternate", required_argument, NULL, OPT_ALTERNATE},
		{"inject", required_argument, NULL, OPT_INJECT},
		{"pkt-size", required_argument, NULL, OPT_PKT_SIZE},
		{"duration", required_argument, NULL, OPT_DURATION},
		{"idle-exit", required_argument, NULL, OPT_IDLE_EXIT},
		{"tag-pool", required_argument, NULL, OPT_TAG_POOL},
		{"tag-cache", required_argument, NULL, OPT_TAG_CACHE},
		{"dump-tags", required_argument, NULL, OPT_DUMP_TAGS},
		{"capture", required_argument, NULL, OPT_CAPTURE},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int opt, bad = 0;

	*o = (struct app_opts){.stats_period = 10, .offload = true, .pkt_size = 64};
	while ((opt = getopt_long(argc, argv, "f:T:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			o->conf_file = optarg;
			break;
		case 'T':
			bad |= parse_num("stats", optarg, 0, 86400, &o->stats_period);
			break;
		case OPT_PIPELINE:
			o->pipeline = true;
			break;
		case OPT_NO_OFFLOAD:
			o->offload = false;
			break;
		case OPT_STORE:
			if (strcmp(optarg, "tag") == 0)
				o->store = VT_STORE_TAG;
			else if (strcmp(optarg, "local") == 0)
				o->store = VT_STORE_LOCAL;
			else
				bad = 1;
			if (bad)
				fprintf(stderr, "bad value for --store: '%s' (tag, local)\n",
					optarg);
			break;
		case OPT_ALTERNATE:
			bad |= parse_num("alternate", optarg, 1, 60000, &o->alternate_ms);
			break;
		case OPT_INJECT:
			bad |= parse_num("inject", optarg, 0, 1 << 20, &o->inject);
			break;
		case OPT_PKT_SIZE:
			bad |= parse_num("pkt-size", optarg, 64, 1500, &o->pkt_size);
			break;
		case OPT_DURATION:
			/* 0 would read as "no limit" to some and "stop now" to others. */
			bad |= parse_num("duration", optarg, 1, 86400, &o->duration);
			break;
		case OPT_IDLE_EXIT:
			bad |= parse_num("idle-exit", optarg, 1, 3600000, &o->idle_exit_ms);
			break;
		case OPT_TAG_POOL:
			bad |= parse_num("tag-pool", optarg, TAG_POOL_MIN, 1 << 24,
					 &o->tags.pool_size);
			break;
		case OPT_DUMP_TAGS: {
			unsigned int n;

			bad |= parse_num("dump-tags", optarg, 1, 1000000, &n);
			vt_dump_tags = n;
			break;
		}
		case OPT_CAPTURE:
			o->capture = optarg;
			break;
		case OPT_TAG_CACHE:
			/* The library reads 0 as its default and UINT32_MAX as no cache. */
			bad |= parse_num("tag-cache", optarg, 0, 512, &o->tags.cache_size);
			if (o->tags.cache_size == 0)
				o->tags.cache_size = UINT32_MAX;
			break;
		default:
			usage(argv[0]);
			return -1;
		}
		if (bad)
			return -1;
	}
	if (o->conf_file == NULL) {
		fprintf(stderr, "no configuration (-f FILE)\n");
		usage(argv[0]);
		return -1;
	}
	/* Local variables do not travel between lcores: only tags do. */
	if (o->pipeline && (o->store != VT_STORE_TAG || o->alternate_ms != 0)) {
		fprintf(stderr, "--pipeline works with --store tag only\n");
		return -1;
	}
	/* Refused before the configuration and the ports: nothing else is printed. */
	if (rte_lcore_count() < (o->pipeline ? 3u : 2u)) {
		fprintf(stderr,
			"%s needs %u worker lcores besides the main one (e.g. -l 0-%u); %u given\n",
			o->pipeline ? "--pipeline" : "forwarding", o->pipeline ? 2 : 1,
			o->pipeline ? 2 : 1, rte_lcore_count() - 1);
		return -1;
	}
	return 0;
}

/* SIGHUP (a closed terminal or session) ends the run as SIGTERM does: there is no
 * configuration to reload, and the statistics and the leak check still follow. */
static void
signal_handler(int signum)
{
	if (signum == SIGINT || signum == SIGTERM || signum == SIGHUP)
		vt_force_quit = true;
}

/*
 * --capture: a type per drop reason, "vt_drop/<reason>", that the forwarder
 * puts on a dropped frame before capturing it, and a capture of every frame
 * handed to it (the forwarder hands those about to leave and its drops),
 * written by the library's thread.
 */
static struct mtag_capture *
capture_open(const char *path)
{
	struct mtag_capture_conf cc = {.filter = MTAG_CAPTURE_ALL, .flags = MTAG_CAPTURE_THREAD};
	char name[MTAG_TYPE_NAMESIZE];
	struct mtag_capture *cap;
	unsigned int d;
	int type;

	for (d = 0; d < VT_DROP_MAX; d++) {
		snprintf(name, sizeof(name), "vt_drop/%s", vt_drop_names[d]);
		type = mtag_type_register(name);
		if (type < 0)
			rte_exit(EXIT_FAILURE, "type %s: %s\n", name, rte_strerror(-type));
		vt_drop_type[d] = (uint16_t)type;
	}
	cap = mtag_capture_open(path, &cc);
	if (cap == NULL)
		rte_exit(EXIT_FAILURE, "capture %s: %s\n", path, rte_strerror(rte_errno));
	printf("capture: %s (tshark -r %s -T fields -e frame.interface_id -e frame.comment)\n",
	       path, path);
	return cap;
}

static int
capture_close(struct mtag_capture *cap, const char *path)
{
	struct mtag_capture_stats cs = {0};
	int ret;

	mtag_capture_flush(cap);
	mtag_capture_stats_get(cap, &cs);
	ret = mtag_capture_close(cap);
	printf("capture %s: %" PRIu64 " frames written, %" PRIu64 " dropped (ring full)%s%s\n",
	       path, cs.written, cs.dropped, ret != 0 ? ", " : "", ret != 0 ? strerror(-ret) : "");
	return ret;
}

/* Every error names the file and the line that declared the port. */
static int
check_ports(const char *file, const struct vt_conf *c)
{
	unsigned int i;

	if (!rte_eth_dev_is_valid_port(c->trunk_port)) {
		fprintf(stderr, "%s: line %u: trunk port %d does not exist (%u ports)\n", file,
			c->trunk_line, c->trunk_port, rte_eth_dev_count_avail());
		return -1;
	}
	for (i = 0; i < c->nb_access; i++) {
		if (!rte_eth_dev_is_valid_port(c->access[i].port)) {
			fprintf(stderr, "%s: line %u: access port %u does not exist (%u ports)\n",
				file, c->access[i].line, c->access[i].port,
				rte_eth_dev_count_avail());
			return -1;
		}
	}
	return 0;
}

static int
launch(const struct app_opts *o)
{
	unsigned int lcore, q = 0;

	if (o->pipeline) {
		unsigned int rx_lcore = rte_get_next_lcore(-1, 1, 0);
		unsigned int tx_lcore = rte_get_next_lcore(rx_lcore, 1, 0);

		if (rte_eal_remote_launch(vt_lcore_pipeline_tx, NULL, tx_lcore) != 0)
			return -1;
		return rte_eal_remote_launch(vt_lcore_pipeline_rx, NULL, rx_lcore);
	}
	/* Queue q of every port on the q-th worker. */
	RTE_LCORE_FOREACH_WORKER(lcore)
	{
		if (rte_eal_remote_launch(vt_lcore_rtc, (void *)(uintptr_t)q, lcore) != 0)
			return -1;
		q++;
	}
	return 0;
}

/* --idle-exit: quit once no lcore has received anything for that long. */
static bool
idle(uint64_t now, uint64_t limit)
{
	unsigned int lcore;

	RTE_LCORE_FOREACH_WORKER(lcore)
	{
		if (now - __atomic_load_n(&vt_stats[lcore].last_rx, __ATOMIC_RELAXED) <= limit)
			return false;
	}
	return true;
}

/* Main lcore: statistics, the benchmark's store switching, the time limit. */
static void
supervise(const struct app_opts *o)
{
	uint64_t hz = rte_get_tsc_hz();
	uint64_t begin = rte_get_tsc_cycles();
	uint64_t next_stats = begin + o->stats_period * hz;
	uint64_t next_switch = begin + (uint64_t)o->alternate_ms * hz / 1000;
	uint64_t idle_limit = (uint64_t)o->idle_exit_ms * hz / 1000;
	bool bench_started = false;

	while (!vt_force_quit) {
		uint64_t now;

		rte_delay_us_sleep(10 * 1000);
		now = rte_get_tsc_cycles();
		if (o->duration != 0 && now - begin >= o->duration * hz)
			vt_force_quit = true;
		if (idle_limit != 0 && idle(rte_rdtsc(), idle_limit))
			vt_force_quit = true;
		if (o->stats_period != 0 && now >= next_stats) {
			vt_stats_print(stdout, &vt_fwd.conf);
			next_stats = now + o->stats_period * hz;
		}
		if (o->alternate_ms != 0 && now >= next_switch) {
			/* The first period warms caches and pools up; it is not counted. */
			if (!bench_started) {
				vt_bench_start();
				bench_started = true;
			} else {
				vt_bench_period();
			}
			vt_fwd.store = vt_fwd.store == VT_STORE_TAG ? VT_STORE_LOCAL : VT_STORE_TAG;
			next_switch = now + (uint64_t)o->alternate_ms * hz / 1000;
		}
	}
}

/* Everything allocated must be back: mbufs in their pool, tags in theirs. */
static int
check_leaks(struct rte_mempool *mp)
{
	struct mtag_stats ts;
	unsigned int mbufs = rte_mempool_in_use_count(mp);

	if (mtag_stats_get(&ts) != 0)
		return -1;
	printf("leaks: mbufs %u tags %" PRIu64 " (tags allocated %" PRIu64 ", failed %" PRIu64
	       ")\n",
	       mbufs, ts.in_use, ts.allocs, ts.alloc_fails);
	if (ts.in_use != 0)
		mtag_debug_dump_live(stdout); /* by type and site in a debug build */
	return mbufs == 0 && ts.in_use == 0 ? 0 : -1;
}

/*
 * Tags that can be on packets at once: what the pipeline's rings hold and,
 * per forwarding lcore, an RX burst and its output, each packet with its
 * deepest VLAN stack and a priority tag's record; and what every lcore's
 * tag cache may keep (up to its size).
 */
static uint32_t
tag_pool_size(const struct app_opts *o, unsigned int nb_ports, unsigned int depth)
{
	uint64_t workers = rte_lcore_count() - 1;
	uint64_t pkts = (o->pipeline ? (uint64_t)nb_ports * RING_SIZE : 0) + workers * 2 * VT_BURST;
	uint64_t cache = o->tags.cache_size == 0	    ? TAG_CACHE_DEFAULT
			 : o->tags.cache_size == UINT32_MAX ? 0
							    : o->tags.cache_size;
	uint64_t n = pkts * (depth + 1) + workers * cache;

	return (uint32_t)RTE_MIN(RTE_MAX(n, (uint64_t)TAG_POOL_DEFAULT), (uint64_t)1 << 24);
}

/* Set every port up (l2fwd's port_init() for each), with its MTU from the
 * configuration, and the TX rings of a pipeline: exits, naming the line of
 * the configuration, on a port that cannot have what it asks for. */
static void
vt_ports_init(const struct app_opts *o, const struct vt_conf *conf, struct rte_mempool *mp,
	      unsigned int depth)
{
	char err[512];
	unsigned int i;
	int ret;

	for (i = 0; i < vt_fwd.nb_ports; i++) {
		uint16_t port = vt_fwd.ports[i];
		const struct vt_port_opt *po = vt_conf_port_opt(conf, port);
		struct vt_port_setup ps = {
			.trunk = port == vt_fwd.trunk,
			.offload = o->offload,
			.stpid = conf->stpid,
			.nb_queues = vt_fwd.nb_queues,
		};
		char name[RTE_RING_NAMESIZE];

		if (po != NULL) {
			ps.mtu = po->mtu;
			ps.mtu_given = true;
		} else if (ps.trunk) {
			/* A full 1500-byte payload under the deepest stack configured. */
			ps.mtu = RTE_ETHER_MTU + 4 * depth;
		}
		ret = vt_port_init(port, mp, &ps, err, sizeof(err));
		if (ret != 0) {
			/* The line of the MTU refused, or of the port's declaration. */
			unsigned int line = ps.mtu_failed && po != NULL ? po->line
					    : ps.trunk			? conf->trunk_line
						       : vt_conf_access_of(conf, port)->line;

			if (ret == -ERANGE)
				rte_exit(EXIT_FAILURE, "%s: line %u: %s\n", o->conf_file, line,
					 err);
			rte_exit(EXIT_FAILURE, "%s: line %u: %s (%s)\n", o->conf_file, line, err,
				 rte_strerror(-ret));
		}
		vt_fwd.mtu[port] = ps.mtu_out;
		vt_fwd.rx_flags[port] = (uint8_t)ps.rx_flags;
		if (port == vt_fwd.trunk)
			vt_fwd.trunk_insert = ps.ins;
		if (o->pipeline) {
			snprintf(name, sizeof(name), "vt_tx_%u", port);
			vt_fwd.ring[port] = rte_ring_create(name, RING_SIZE, rte_socket_id(),
							    RING_F_SP_ENQ | RING_F_SC_DEQ);
			if (vt_fwd.ring[port] == NULL)
				rte_exit(EXIT_FAILURE, "cannot create ring %s\n", name);
		}
	}
}

/* Free what the TX rings and the ports still hold, then stop the ports. */
static void
vt_ports_close(void)
{
	unsigned int i;

	for (i = 0; i < vt_fwd.nb_ports; i++) {
		uint16_t port = vt_fwd.ports[i];
		void *pkt = NULL;

		if (vt_fwd.ring[port] != NULL) {
			while (rte_ring_dequeue(vt_fwd.ring[port], &pkt) == 0)
				mtag_pktmbuf_free(pkt);
			rte_ring_free(vt_fwd.ring[port]);
		}
		vt_port_drain(port, vt_fwd.nb_queues);
		rte_eth_dev_stop(port);
		rte_eth_dev_close(port);
	}
}

/* The mbuf pool: every queue's descriptors and a burst in hand, the
 * pipeline's rings, the lcores' caches, and the frames --inject sends. */
static struct rte_mempool *
mbuf_pool_create(const struct app_opts *o)
{
	unsigned int nb_mbufs;
	struct rte_mempool *mp;

	nb_mbufs = vt_fwd.nb_ports *
			   (vt_fwd.nb_queues * NB_MBUF_PER_QUEUE + (o->pipeline ? RING_SIZE : 0)) +
		   rte_lcore_count() * (MBUF_CACHE * 3 / 2 + 2 * VT_BURST) + NB_MBUF_SLACK +
		   o->inject;
	mp = rte_pktmbuf_pool_create("vt_mbufs", nb_mbufs, MBUF_CACHE, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     rte_socket_id());
	if (mp == NULL)
		rte_exit(EXIT_FAILURE, "cannot create mbuf pool: %s\n", rte_strerror(rte_errno));
	return mp;
}

int
main(int argc, char **argv)
{
	struct rte_mempool *mp;
	struct app_opts opts;
	struct vt_conf conf;
	unsigned int depth;
	char err[512];
	unsigned int i;
	int ret;

	signal(SIGINT, signal_handler);
	signal(SIGTERM, signal_handler);
	signal(SIGHUP, signal_handler);

	ret = rte_eal_init(argc, argv);
	if (ret < 0)
		rte_exit(EXIT_FAILURE, "EAL init failed: %s\n", rte_strerror(rte_errno));
	argc -= ret;
	argv += ret;
	if (parse_args(argc, argv, &opts) != 0)
		rte_exit(EXIT_FAILURE, "bad arguments\n");
	if (vt_conf_load(opts.conf_file, &conf, err, sizeof(err)) != 0)
		rte_exit(EXIT_FAILURE, "%s\n", err);
	if (check_ports(opts.conf_file, &conf) != 0)
		rte_exit(EXIT_FAILURE, "bad configuration\n");
	depth = vt_conf_max_depth(&conf);
	if (opts.tags.pool_size == 0)
		opts.tags.pool_size = tag_pool_size(&opts, conf.nb_access + 1, depth);
	ret = mtag_lib_init(&opts.tags);
	if (ret != 0)
		rte_exit(EXIT_FAILURE, "mtag_lib_init: %s\n", rte_strerror(-ret));
	printf("tag pool: %u tags per size class\n", opts.tags.pool_size);

	vt_fwd_init(&conf);
	vt_fwd.nb_queues = opts.pipeline ? 1 : (uint16_t)(rte_lcore_count() - 1);
	ret = vt_stats_telemetry_init(&vt_fwd.conf);
	if (ret != 0)
		printf("telemetry commands not registered: %s\n", rte_strerror(-ret));
	vt_fwd.store = opts.store;

	mp = mbuf_pool_create(&opts);

	vt_ports_init(&opts, &conf, mp, depth);
	if (opts.capture != NULL)
		vt_capture = capture_open(opts.capture);
	if (opts.inject != 0) {
		ret = vt_bench_inject(mp, opts.inject, opts.pkt_size);
		printf("injected %d frames on port %u\n", ret, vt_fwd.trunk);
	}

	/* --idle-exit counts from now. */
	RTE_LCORE_FOREACH_WORKER(i)
	vt_stats[i].last_rx = rte_rdtsc();
	if (launch(&opts) != 0) {
		vt_force_quit = true;
		ret = EXIT_FAILURE;
	} else {
		supervise(&opts);
		ret = EXIT_SUCCESS;
	}
	rte_eal_mp_wait_lcore();
	if (vt_capture != NULL && capture_close(vt_capture, opts.capture) != 0)
		ret = EXIT_FAILURE;
	vt_capture = NULL;

	vt_ports_close();
	printf("\nfinal statistics:\n");
	vt_stats_print(stdout, &conf);
	if (opts.alternate_ms != 0 && vt_bench_report(stdout) != 0)
		printf("bench: not enough data for both stores\n");
	if (check_leaks(mp) != 0)
		ret = EXIT_FAILURE;
	rte_mempool_free(mp);
	if (mtag_lib_fini() != 0)
		ret = EXIT_FAILURE;
	rte_eal_cleanup();
	return ret;
}
