/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/*
 * Counters: each lcore writes its own, readers sum them (a torn read of a
 * 64-bit counter cannot happen on the 64-bit targets DPDK supports).
 */

#include <inttypes.h>
#include <string.h>

#include <rte_lcore.h>
#include <rte_telemetry.h>
#include <rte_version.h>

#include "ipl.h"

/* 23.03 renamed rte_tel_data_add_dict_u64 (deprecated in 24.11, removed in
 * 25.11); 22.11 has only the old name. */
#if RTE_VERSION >= RTE_VERSION_NUM(23, 3, 0, 0)
#define ipl_tel_add_u64 rte_tel_data_add_dict_uint
#else
#define ipl_tel_add_u64 rte_tel_data_add_dict_u64
#endif

static const char *const counter_names[] = {
#define IPL_NAME(n) #n,
	IPL_COUNTERS(IPL_NAME)
#undef IPL_NAME
};

#define NB_COUNTERS RTE_DIM(counter_names)

static uint64_t *
counter(struct ipl_stats *s, unsigned int i)
{
	return (uint64_t *)s + i; /* the counters are the leading uint64_t fields */
}

void
ipl_stats_sum(struct ipl_stats *sum)
{
	unsigned int l, i, p;
	uint64_t growth = 0;

	memset(sum, 0, sizeof(*sum));
	for (l = 0; l < ipl.nb_lcores; l++) {
		struct ipl_stats *s = &ipl.lc[l].st;

		for (i = 0; i < NB_COUNTERS; i++)
			*counter(sum, i) += *counter(s, i);
		growth = RTE_MAX(growth, s->max_growth);
		for (i = 0; i < IPL_HIST; i++)
			sum->enc_hist[i] += s->enc_hist[i];
		for (p = 0; p < IPL_MAX_PORTS; p++) {
			sum->port[p].rx += s->port[p].rx;
			sum->port[p].tx += s->port[p].tx;
			sum->port[p].tx_drop += s->port[p].tx_drop;
		}
		for (i = 0; i < IPL_MAX_SA; i++) {
			sum->sa[i].pkts += s->sa[i].pkts;
			sum->sa[i].bytes += s->sa[i].bytes;
			sum->sa[i].icv_fail += s->sa[i].icv_fail;
			sum->sa[i].replay += s->sa[i].replay;
			sum->sa[i].errors += s->sa[i].errors;
			sum->sa[i].crypto_errors += s->sa[i].crypto_errors;
		}
	}
	sum->max_growth = growth; /* a maximum, not a sum */
}

void
ipl_stats_print(FILE *f, const struct ipl_stats *s)
{
	unsigned int i, p;

	fprintf(f, "== ipsec-loop stats (loop detection %s, pass limit %u)\n",
		ipl.loop_detect ? "on" : "OFF", ipl.max_passes);
	fprintf(f,
		"packets encrypted %" PRIu64 ", decrypted %" PRIu64 ", loops caught %" PRIu64
		", pass limit hit %" PRIu64 "\n",
		s->encrypted, s->decrypted, s->loops, s->loop_limit);
	fprintf(f,
		"policy drops: unprotected %" PRIu64 ", wrong SA %" PRIu64 ", discard %" PRIu64
		", no policy %" PRIu64 "\n",
		s->policy_unprotected, s->policy_wrong_sa, s->policy_discard, s->no_policy);
	fprintf(f,
		"malformed: non-IP %" PRIu64 ", IP options %" PRIu64 ", fragments %" PRIu64
		", bad checksum %" PRIu64 ", truncated %" PRIu64 ", bad ESP length %" PRIu64
		", unknown SPI %" PRIu64 ", wrong tunnel source %" PRIu64 "\n",
		s->non_ip, s->ip_options, s->fragment, s->bad_csum, s->truncated, s->esp_bad_len,
		s->unknown_spi, s->bad_tunnel_src);
	fprintf(f,
		"ESP: ICV failures %" PRIu64 ", replays %" PRIu64 ", other errors %" PRIu64
		"; crypto device: errors %" PRIu64 ", queue full %" PRIu64
		", given up at exit %" PRIu64 "\n",
		s->icv_fail, s->replay, s->ipsec_error, s->crypto_error, s->crypto_busy,
		s->crypto_timeout);
	fprintf(f,
		"no route %" PRIu64 ", wrong family for the SA %" PRIu64 ", TTL exceeded %" PRIu64
		", ECN CE over not-ECT %" PRIu64 ", too big %" PRIu64 " (ICMP sent %" PRIu64
		"), out of memory %" PRIu64 ", no tag %" PRIu64 ", no crypto op %" PRIu64 "\n",
		s->no_route, s->sa_family, s->ttl_exceeded, s->ecn_drop, s->too_big,
		s->icmp_too_big, s->no_mem, s->no_tag, s->no_crypto_op);
	fprintf(f, "times encrypted per packet leaving outbound:");
	for (i = 0; i < IPL_HIST; i++)
		if (s->enc_hist[i] != 0)
			fprintf(f, " %ux:%" PRIu64, i, s->enc_hist[i]);
	fprintf(f, "; largest growth %" PRIu64 " bytes\n", s->max_growth);
	for (p = 0; p < IPL_MAX_PORTS; p++)
		if (ipl.conf.port[p].role != IPL_PORT_UNUSED)
			fprintf(f,
				"port %u (%s): rx %" PRIu64 " tx %" PRIu64 " tx dropped %" PRIu64
				"\n",
				p, ipl.conf.port[p].role == IPL_PORT_INSIDE ? "inside" : "outside",
				s->port[p].rx, s->port[p].tx, s->port[p].tx_drop);
	for (i = 0; i < IPL_MAX_SA; i++)
		if (ipl.conf.sa[i].used)
			fprintf(f,
				"SA %u (%s, spi %u): packets %" PRIu64 " bytes %" PRIu64
				" ICV failures %" PRIu64 " replays %" PRIu64 " errors %" PRIu64
				" crypto errors %" PRIu64 "\n",
				i, ipl.conf.sa[i].dir == IPL_DIR_OUT ? "out" : "in",
				ipl.conf.sa[i].spi, s->sa[i].pkts, s->sa[i].bytes,
				s->sa[i].icv_fail, s->sa[i].replay, s->sa[i].errors,
				s->sa[i].crypto_errors);
	fflush(f);
}

int
ipl_stats_write_json(const char *path, const struct ipl_stats *s, uint64_t tags_in_use,
		     uint64_t mbufs_in_use)
{
	struct ipl_stats copy = *s;
	unsigned int i, p;
	double cpu, wall;
	const char *sep = "";
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -errno;
	fprintf(f, "{\n");
	for (i = 0; i < NB_COUNTERS; i++)
		fprintf(f, "  \"%s\": %" PRIu64 ",\n", counter_names[i], *counter(&copy, i));
	fprintf(f, "  \"tags_in_use\": %" PRIu64 ",\n  \"mbufs_in_use\": %" PRIu64 ",\n",
		tags_in_use, mbufs_in_use);
	for (i = 0, cpu = 0, wall = 0; i < ipl.nb_lcores; i++) {
		cpu += ipl.lc[i].cpu_s;
		wall = RTE_MAX(wall, ipl.lc[i].wall_s);
	}
	fprintf(f, "  \"lcore_cpu_s\": %.6f,\n  \"wall_s\": %.6f,\n", cpu, wall);
	fprintf(f, "  \"enc_hist\": [");
	for (i = 0; i < IPL_HIST; i++)
		fprintf(f, "%s%" PRIu64, i ? ", " : "", s->enc_hist[i]);
	fprintf(f, "],\n  \"port\": {");
	for (p = 0; p < IPL_MAX_PORTS; p++) {
		if (ipl.conf.port[p].role == IPL_PORT_UNUSED)
			continue;
		fprintf(f,
			"%s\"%u\": {\"rx\": %" PRIu64 ", \"tx\": %" PRIu64 ", \"tx_drop\": %" PRIu64
			"}",
			sep, p, s->port[p].rx, s->port[p].tx, s->port[p].tx_drop);
		sep = ", ";
	}
	fprintf(f, "},\n  \"sa\": {");
	sep = "";
	for (i = 0; i < IPL_MAX_SA; i++) {
		if (!ipl.conf.sa[i].used)
			continue;
		fprintf(f,
			"%s\"%u\": {\"pkts\": %" PRIu64 ", \"bytes\": %" PRIu64
			", \"icv_fail\": %" PRIu64 ", \"replay\": %" PRIu64 ", \"errors\": %" PRIu64
			", \"crypto_errors\": %" PRIu64 "}",
			sep, i, s->sa[i].pkts, s->sa[i].bytes, s->sa[i].icv_fail, s->sa[i].replay,
			s->sa[i].errors, s->sa[i].crypto_errors);
		sep = ", ";
	}
	fprintf(f, "}\n}\n");
	return fclose(f) == 0 ? 0 : -errno;
}

static int
telemetry_stats(const char *cmd __rte_unused, const char *params __rte_unused,
		struct rte_tel_data *d)
{
	struct ipl_stats s;
	unsigned int i;

	ipl_stats_sum(&s);
	rte_tel_data_start_dict(d);
	for (i = 0; i < NB_COUNTERS; i++)
		ipl_tel_add_u64(d, counter_names[i], *counter(&s, i));
	return 0;
}

int
ipl_stats_telemetry_init(void)
{
	return rte_telemetry_register_cmd("/ipsec_loop/stats", telemetry_stats,
					  "ipsec-loop counters, summed over lcores. No parameters");
}
