/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/*
 * dpdk-ipsec-loop: an RFC 4303 ESP tunnel forwarder (rte_ipsec over a
 * lookaside crypto device) that records its work on each packet with mtag
 * tags, catches IPsec processing loops with MTAG_TYPE_IPSEC_OUT_DONE and
 * enforces inbound policy with MTAG_TYPE_IPSEC_IN_DONE.
 *
 * main: parse args, init EAL and mtag, crypto, ports, launch the lcores,
 * print stats, clean up and check that nothing leaked.
 *
 * Exit status, as DPDK's examples exit: rte_exit(EXIT_FAILURE) on a fatal error
 * before the forwarding starts; after it, the clean-up and the leak check
 * (EXIT_FAILURE: a tag or an mbuf still in use).
 */

#include <getopt.h>
#include <time.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include "ipl.h"

#define MBUF_CACHE 256
/* PMDs that keep mbufs of their own (net_pcap's infinite_rx copies its whole file, net_ring
 * holds what was sent) need some beyond what the descriptors take. */
#define NB_MBUF_MIN 8191

struct ipl_app ipl;
int ipl_scratch_offset = -1;

volatile bool ipl_force_quit;
static const char *conf_path;
static const char *stats_file;
static const char *capture_path;   /* --capture */
static uint64_t capture_limit;	   /* --capture-limit, 0: none */
static double duration;		   /* seconds, 0 = until a signal */
static unsigned int interval = 10; /* seconds between stats, 0 = at exit only */
static unsigned int nb_mbufs;	   /* 0: derived from ports, queues and descriptors */
static unsigned int nb_tags;	   /* 0: as many as mbufs */

/* SIGHUP too: a closed terminal or session ends the run as SIGTERM does, with the stats
 * and the leak check (there is no configuration to reload). */
static void
signal_handler(int sig)
{
	if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP)
		ipl_force_quit = true;
}

static void
usage(const char *prog)
{
	printf("usage: %s [EAL options] -- -f CONFIG [options]\n"
	       "       %s --check-config CONFIG\n"
	       "  -f, --config FILE      ports, SAs, policies, routes (see README.md)\n"
	       "  --no-loop-detect       do not check IPSEC_OUT_DONE tags (shows the loops)\n"
	       "  --bench-no-tags        benchmark baseline: no IPsec tags, no loop detection,\n"
	       "                         'protect' inbound policies NOT enforced (insecure)\n"
	       "  --max-passes N         hard limit on passes through a stage (default %u)\n"
	       "  --stats-interval S     print stats every S seconds, 0: at exit (default 10)\n"
	       "  --duration S           stop after S seconds (default: at SIGINT, SIGTERM, "
	       "SIGHUP)\n"
	       "  --stats-file FILE      write the final counters as JSON\n"
	       "  --mbufs N              mbuf pool size (default: from ports, queues, lcores)\n"
	       "  --tags N               tags per size class (default: as many as mbufs)\n"
	       "  --crypto-ops N         crypto op pool size (default %u)\n"
	       "  --no-fragment          drop what exceeds a port's MTU, never fragment it\n"
	       "  --no-reassemble        drop the fragments addressed to our tunnel endpoints\n"
	       "  --frag-table N         packets reassembled at a time per lcore (default %u)\n"
	       "  --frag-ttl MS          how long fragments wait for the rest (default %u)\n"
	       "  --capture FILE         write packets dropped as loops or by inbound policy,\n"
	       "                         with their tags, to FILE (pcapng)\n"
	       "  --capture-limit N      at most N packets in it (default: no limit)\n",
	       prog, prog, IPL_PASSES_DEFAULT, IPL_COPS_DEFAULT, IPL_FRAG_TABLE_DEFAULT,
	       IPL_FRAG_TTL_MS_DEFAULT);
}

/* The number an option gives, in [min, max] (min >= 0); -1 when it is none. */
static long
opt_num(const char *arg, long min, long max)
{
	char *end;
	long v = strtol(arg, &end, 10);

	return *end == '\0' && v >= min && v <= max ? v : -1;
}

static int
parse_args(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'f'},
		{"no-loop-detect", no_argument, NULL, 'L'},
		{"bench-no-tags", no_argument, NULL, 'T'},
		{"max-passes", required_argument, NULL, 'P'},
		{"stats-interval", required_argument, NULL, 'I'},
		{"duration", required_argument, NULL, 'D'},
		{"stats-file", required_argument, NULL, 'S'},
		{"mbufs", required_argument, NULL, 'M'},
		{"tags", required_argument, NULL, 'G'},
		{"crypto-ops", required_argument, NULL, 'C'},
		{"no-fragment", no_argument, NULL, 'F'},
		{"no-reassemble", no_argument, NULL, 'R'},
		{"frag-table", required_argument, NULL, 'B'},
		{"frag-ttl", required_argument, NULL, 'E'},
		{"capture", required_argument, NULL, 'W'},
		{"capture-limit", required_argument, NULL, 'N'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char *end;
	long v;
	int c;

	ipl.loop_detect = true;
	ipl.max_passes = IPL_PASSES_DEFAULT;
	ipl.nb_cops = IPL_COPS_DEFAULT;
	ipl.fragment = true;
	ipl.reassemble = true;
	ipl.frag_table = IPL_FRAG_TABLE_DEFAULT;
	ipl.frag_ttl_ms = IPL_FRAG_TTL_MS_DEFAULT;
	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			conf_path = optarg;
			break;
		case 'L':
			ipl.loop_detect = false;
			break;
		case 'T':
			ipl.no_tags = true;
			ipl.loop_detect = false;
			break;
		case 'P':
			v = opt_num(optarg, 1, IPL_PASSES_MAX);
			if (v < 0)
				return -1;
			ipl.max_passes = v;
			break;
		case 'I':
			v = opt_num(optarg, 0, LONG_MAX);
			if (v < 0)
				return -1;
			interval = v;
			break;
		case 'D':
			duration = strtod(optarg, &end);
			if (*end != '\0' || duration < 0)
				return -1;
			break;
		case 'S':
			stats_file = optarg;
			break;
		case 'F':
			ipl.fragment = false;
			break;
		case 'R':
			ipl.reassemble = false;
			break;
		case 'B':
		case 'E':
			v = opt_num(optarg, 1, c == 'B' ? 1L << 20 : 3600000L);
			if (v < 0)
				return -1;
			*(c == 'B' ? &ipl.frag_table : &ipl.frag_ttl_ms) = v;
			break;
		case 'W':
			capture_path = optarg;
			break;
		case 'N':
			v = opt_num(optarg, 1, LONG_MAX);
			if (v < 0)
				return -1;
			capture_limit = v;
			break;
		case 'M':
		case 'G':
		case 'C':
			v = opt_num(optarg, 1, 1L << 30);
			if (v < 0)
				return -1;
			*(c == 'M' ? &nb_mbufs : c == 'G' ? &nb_tags : &ipl.nb_cops) = v;
			break;
		default:
			return -1;
		}
	}
	return conf_path != NULL ? 0 : -1;
}

static int
lcore_main(void *arg)
{
	struct ipl_lcore *lc = arg;
	struct rte_mbuf *pkts[IPL_BURST];
	uint16_t ports[IPL_MAX_PORTS], nb_ports = 0, i, n;
	bool main_lcore = rte_lcore_id() == rte_get_main_lcore();
	uint64_t hz = rte_get_timer_hz(), start = rte_get_timer_cycles();
	uint64_t next_print = start + interval * hz;
	uint64_t end = start + (uint64_t)(duration * hz);
	uint64_t next_expire = start + hz / 10;
	unsigned int polls = 0;
	struct ipl_stats sum;
	struct timespec cpu0, cpu1;

	/* Thread CPU time too: on a shared machine wall-clock rates mostly measure the
	 * neighbours. */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu0);
	for (i = 0; i < IPL_MAX_PORTS; i++)
		if (ipl.conf.port[i].role != IPL_PORT_UNUSED)
			ports[nb_ports++] = i;

	while (!ipl_force_quit) {
		for (i = 0; i < nb_ports; i++) {
			uint16_t p = ports[i];

			n = rte_eth_rx_burst(p, lc->qid, pkts, IPL_BURST);
			if (n == 0)
				continue;
			lc->st.port[p].rx += n;
			/* Forwarded into the tunnel, a packet from inside counts a hop. */
			if (ipl.conf.port[p].role == IPL_PORT_INSIDE)
				ipl_outbound(lc, pkts, ipl_rx_prepare(pkts, n, &lc->st, true));
			else
				ipl_inbound(lc, pkts, ipl_rx_prepare(pkts, n, &lc->st, false));
		}
		/* What the crypto devices finished, of this round's bursts and earlier ones. */
		ipl_crypto_poll(lc);
		ipl_tx_flush(lc);
		/* Fragments that waited too long go, with no new one to find them (10 Hz). */
		if (unlikely(++polls % 1024 == 0) && lc->frag_tbl != NULL) {
			uint64_t now = rte_get_timer_cycles();

			if (now >= next_expire) {
				ipl_frag_expire(lc, now);
				next_expire = now + hz / 10;
			}
		}
		if (!main_lcore)
			continue;
		/* The main lcore forwards too, and keeps time. */
		if (duration > 0 || interval > 0) {
			uint64_t now = rte_get_timer_cycles();

			if (duration > 0 && now >= end)
				ipl_force_quit = true;
			if (interval > 0 && now >= next_print) {
				ipl_stats_sum(&sum);
				ipl_stats_print(stdout, &sum);
				next_print = now + interval * hz;
			}
		}
	}
	ipl_crypto_finish(lc);
	ipl_tx_flush(lc);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu1);
	lc->cpu_s = (cpu1.tv_sec - cpu0.tv_sec) + (cpu1.tv_nsec - cpu0.tv_nsec) * 1e-9;
	lc->wall_s = (double)(rte_get_timer_cycles() - start) / hz;
	return 0;
}

/* Whole frames of the largest MTU in one segment, with room for a few tunnels' growth. */
static uint16_t
mbuf_buf_size(void)
{
	unsigned int mtu = ipl_ports_max_mtu();

	if (mtu <= IPL_MTU_DEFAULT)
		return RTE_MBUF_DEFAULT_BUF_SIZE;
	return RTE_PKTMBUF_HEADROOM + RTE_ETHER_HDR_LEN + mtu + 512;
}

/* Pools, mtag, crypto, tables, ports: any failure is fatal (rte_exit()), the
 * lcores not started yet. The modules print what failed and why. */
static void
app_init(void)
{
	static const struct rte_mbuf_dynfield scratch = {
		.name = "ipsec_loop_scratch",
		.size = sizeof(struct ipl_scratch),
		.align = __alignof__(struct ipl_scratch),
	};
	struct mtag_conf tconf = {0};
	unsigned int lcore, idx = 0;
	int rc;

	RTE_LCORE_FOREACH(lcore)
	{
		ipl.lc[idx].qid = idx;
		/* Identifications of their own: every lcore counts apart. */
		ipl.lc[idx].ip_id = idx;
		ipl.lc[idx].ip6_id = idx;
		idx++;
	}
	ipl.nb_lcores = idx;
	if (nb_mbufs == 0)
		nb_mbufs = RTE_MAX(ipl_mbufs_needed(ipl.nb_lcores), (unsigned int)NB_MBUF_MIN);
	/* A tag lives on a packet being processed; TX strips them: one per mbuf is ample. */
	if (nb_tags == 0)
		nb_tags = nb_mbufs;
	printf("pools: %u mbufs, %u tags per size class%s\n", nb_mbufs, nb_tags,
	       nb_tags < IPL_BURST ? " (fewer than a burst)" : "");
	ipl_scratch_offset = rte_mbuf_dynfield_register(&scratch);
	if (ipl_scratch_offset < 0)
		rte_exit(EXIT_FAILURE, "mbuf dynfield %s: %s\n", scratch.name,
			 rte_strerror(rte_errno));
	tconf.pool_size = nb_tags;
	rc = mtag_lib_init(&tconf);
	if (rc != 0)
		rte_exit(EXIT_FAILURE, "mtag_lib_init: %s\n", rte_strerror(-rc));
	ipl.mbuf_pool = rte_pktmbuf_pool_create("ipl_mbuf", nb_mbufs,
						RTE_MIN((unsigned int)MBUF_CACHE, nb_mbufs / 4), 0,
						mbuf_buf_size(), rte_socket_id());
	if (ipl.mbuf_pool == NULL)
		rte_exit(EXIT_FAILURE, "cannot create mbuf pool: %s\n", rte_strerror(rte_errno));
	rc = ipl_frag_init();
	if (rc != 0)
		rte_exit(EXIT_FAILURE, "reassembly tables: %s\n", rte_strerror(-rc));
	rc = ipl_crypto_init(ipl.nb_lcores);
	if (rc != 0)
		rte_exit(EXIT_FAILURE, "crypto: %s\n", rte_strerror(-rc));
	rc = ipl_spd_init();
	if (rc != 0)
		rte_exit(EXIT_FAILURE, "policies and routes: %s\n", rte_strerror(-rc));
	ipl_ports_print();
	rc = ipl_ports_init(ipl.nb_lcores);
	if (rc != 0)
		rte_exit(EXIT_FAILURE, "ports: %s\n", rte_strerror(-rc));
	if (ipl_stats_telemetry_init() != 0)
		printf("telemetry: /ipsec_loop/stats not registered\n");
}

/* Everything returned and freed: 0, else EXIT_FAILURE (a leak). */
static int
app_fini(void)
{
	struct mtag_stats ts = {0};
	struct ipl_stats sum;
	uint64_t mbufs;
	int rc = 0;

	ipl_stats_sum(&sum);
	ipl_ports_fini();
	ipl_crypto_fini();
	ipl_frag_fini();
	ipl_spd_fini();
	mtag_stats_get(&ts);
	mbufs = ipl.mbuf_pool != NULL ? rte_mempool_in_use_count(ipl.mbuf_pool) : 0;
	mbufs += ipl.big_pool != NULL ? rte_mempool_in_use_count(ipl.big_pool) : 0;
	ipl_stats_print(stdout, &sum);
	printf("leak check: tags in use %" PRIu64 ", mbufs in use %" PRIu64 "\n", ts.in_use, mbufs);
	if (stats_file != NULL && ipl_stats_write_json(stats_file, &sum, ts.in_use, mbufs) != 0)
		printf("cannot write %s\n", stats_file);
	if (ts.in_use != 0)
		mtag_debug_dump_live(stdout); /* by type and site in a debug build */
	if (ts.in_use != 0 || mbufs != 0)
		rc = EXIT_FAILURE;
	rte_mempool_free(ipl.mbuf_pool);
	ipl_frag_pool_free();
	if (rc == 0)
		mtag_lib_fini();
	return rc;
}

/* --check-config FILE: parse only, no EAL. */
static int
check_config(const char *path)
{
	struct ipl_conf *c = calloc(1, sizeof(*c));
	char err[512];
	int rc;

	if (c == NULL)
		return 1;
	rc = ipl_conf_load(c, path, err, sizeof(err));
	if (rc != 0)
		printf("%s\n", err);
	else
		printf("%s: OK (%u policies, %u routes)\n", path, c->nb_sp, c->nb_routes);
	ipl_conf_free(c);
	free(c);
	return rc != 0 ? 1 : 0;
}

int
main(int argc, char **argv)
{
	char err[512];
	unsigned int lcore, idx;
	int rc, ret;

	/* Stats and the start-up line reach log files (and test scripts) as printed. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && strcmp(argv[1], "--check-config") == 0)
		return check_config(argv[2]);

	rc = rte_eal_init(argc, argv);
	if (rc < 0)
		rte_exit(EXIT_FAILURE, "EAL init failed: %s\n", rte_strerror(rte_errno));
	argc -= rc;
	argv += rc;
	if (parse_args(argc, argv) != 0) {
		usage("dpdk-ipsec-loop");
		rte_exit(EXIT_FAILURE, "bad arguments\n");
	}
	rc = ipl_conf_load(&ipl.conf, conf_path, err, sizeof(err));
	if (rc != 0)
		rte_exit(EXIT_FAILURE, "%s\n", err);
	signal(SIGINT, signal_handler);
	signal(SIGTERM, signal_handler);
	signal(SIGHUP, signal_handler);

	app_init();
	if (capture_path != NULL) {
		rc = ipl_capture_open(capture_path, capture_limit);
		if (rc != 0)
			rte_exit(EXIT_FAILURE, "capture %s: %s\n", capture_path, rte_strerror(-rc));
	}
	printf("dpdk-ipsec-loop: %u lcores, loop detection %s%s\n", ipl.nb_lcores,
	       ipl.loop_detect ? "on" : "off", ipl.no_tags ? ", no tags (benchmark baseline)" : "");
	idx = 1;
	RTE_LCORE_FOREACH_WORKER(lcore)
	{
		rte_eal_remote_launch(lcore_main, &ipl.lc[idx], lcore);
		idx++;
	}
	lcore_main(&ipl.lc[0]);
	rte_eal_mp_wait_lcore();

	/* The forwarding is over: everything back, checked, freed (no rte_exit() here). */
	rc = ipl_capture_close();
	ret = app_fini();
	if (rc != 0 && ret == 0)
		ret = EXIT_FAILURE;
	ipl_conf_free(&ipl.conf);
	rte_eal_cleanup();
	return ret;
}
