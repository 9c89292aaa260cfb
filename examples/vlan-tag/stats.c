/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_telemetry.h>
#include <rte_version.h>

#include "stats.h"

/* 23.03 renamed rte_tel_data_add_dict_u64 (deprecated in 24.11, removed in
 * 25.11); 22.11 has only the old name. */
#if RTE_VERSION >= RTE_VERSION_NUM(23, 3, 0, 0)
#define vt_tel_add_u64 rte_tel_data_add_dict_uint
#else
#define vt_tel_add_u64 rte_tel_data_add_dict_u64
#endif

struct vt_lcore_stats vt_stats[RTE_MAX_LCORE];

const char *const vt_drop_names[VT_DROP_MAX] = {
	[VT_DROP_UNTAGGED] = "untagged", [VT_DROP_UNKNOWN_VLAN] = "unknown_vlan",
	[VT_DROP_RUNT] = "runt",	 [VT_DROP_BAD_TPID] = "bad_tpid",
	[VT_DROP_TOO_DEEP] = "too_deep", [VT_DROP_TAGGED_ACCESS] = "tagged_on_access",
	[VT_DROP_NO_TAG] = "no_tag",	 [VT_DROP_NO_ROOM] = "no_room",
	[VT_DROP_TX_FULL] = "tx_full",	 [VT_DROP_TOO_BIG] = "too_big",
};

void
vt_stats_sum(struct vt_lcore_stats *sum)
{
	unsigned int l, i, d, s;

	memset(sum, 0, sizeof(*sum));
	for (l = 0; l < RTE_MAX_LCORE; l++) {
		const struct vt_lcore_stats *ls = &vt_stats[l];

		for (i = 0; i < RTE_MAX_ETHPORTS; i++) {
			sum->port[i].rx += ls->port[i].rx;
			sum->port[i].tx += ls->port[i].tx;
			sum->port[i].hw_insert += ls->port[i].hw_insert;
			sum->port[i].sw_insert += ls->port[i].sw_insert;
			for (d = 0; d < VT_DROP_MAX; d++)
				sum->port[i].drop[d] += ls->port[i].drop[d];
		}
		for (i = 0; i < VT_MAX_PORTS; i++) {
			sum->vlan[i].to_access += ls->vlan[i].to_access;
			sum->vlan[i].to_trunk += ls->vlan[i].to_trunk;
		}
		for (s = 0; s < VT_STORE_MAX; s++) {
			for (d = 0; d < VT_DIR_MAX; d++) {
				sum->dir[s][d].pkts += ls->dir[s][d].pkts;
				sum->dir[s][d].cycles += ls->dir[s][d].cycles;
			}
		}
	}
}

static void
print_port(FILE *f, uint16_t port, const char *role, const struct vt_port_stats *ps)
{
	unsigned int d;

	fprintf(f, "port %u (%s): rx %" PRIu64 " tx %" PRIu64, port, role, ps->rx, ps->tx);
	if (ps->hw_insert != 0 || ps->sw_insert != 0)
		fprintf(f, " hw_insert %" PRIu64 " sw_insert %" PRIu64, ps->hw_insert,
			ps->sw_insert);
	for (d = 0; d < VT_DROP_MAX; d++)
		if (ps->drop[d] != 0)
			fprintf(f, " %s %" PRIu64, vt_drop_names[d], ps->drop[d]);
	fprintf(f, "\n");
}

void
vt_stats_print(FILE *f, const struct vt_conf *conf)
{
	static struct vt_lcore_stats sum;
	unsigned int i;

	vt_stats_sum(&sum);
	print_port(f, conf->trunk_port, "trunk", &sum.port[conf->trunk_port]);
	for (i = 0; i < conf->nb_access; i++) {
		const struct vt_access *a = &conf->access[i];
		char s[VT_VLAN_MAX * 5 + 1];

		print_port(f, a->port, "access", &sum.port[a->port]);
		fprintf(f, "vlan %s: to_access %" PRIu64 " to_trunk %" PRIu64 "\n",
			vt_conf_stack_str(a, s, sizeof(s)), sum.vlan[i].to_access,
			sum.vlan[i].to_trunk);
	}
	fflush(f);
}

static const struct vt_conf *tel_conf;

static int
telemetry_ports(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned int i;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_array(d, RTE_TEL_INT_VAL);
	rte_tel_data_add_array_int(d, tel_conf->trunk_port);
	for (i = 0; i < tel_conf->nb_access; i++)
		rte_tel_data_add_array_int(d, tel_conf->access[i].port);
	return 0;
}

static int
telemetry_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	/* Telemetry runs on its own thread: sum into its own copy. */
	static struct vt_lcore_stats sum;
	const struct vt_port_stats *ps;
	const struct vt_access *a;
	unsigned long port;
	char *end;
	unsigned int i;

	RTE_SET_USED(cmd);
	if (params == NULL || *params == '\0')
		return -EINVAL;
	port = strtoul(params, &end, 10);
	if (*end != '\0' || port >= RTE_MAX_ETHPORTS)
		return -EINVAL;
	a = vt_conf_access_of(tel_conf, (uint16_t)port);
	if (a == NULL && (int)port != tel_conf->trunk_port)
		return -EINVAL;
	vt_stats_sum(&sum);
	ps = &sum.port[port];
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "role", a == NULL ? "trunk" : "access");
	vt_tel_add_u64(d, "rx", ps->rx);
	vt_tel_add_u64(d, "tx", ps->tx);
	vt_tel_add_u64(d, "hw_insert", ps->hw_insert);
	vt_tel_add_u64(d, "sw_insert", ps->sw_insert);
	for (i = 0; i < VT_DROP_MAX; i++)
		vt_tel_add_u64(d, vt_drop_names[i], ps->drop[i]);
	if (a != NULL) {
		char s[VT_VLAN_MAX * 5 + 1];
		unsigned int idx = a - tel_conf->access;

		rte_tel_data_add_dict_string(d, "vlan", vt_conf_stack_str(a, s, sizeof(s)));
		vt_tel_add_u64(d, "to_access", sum.vlan[idx].to_access);
		vt_tel_add_u64(d, "to_trunk", sum.vlan[idx].to_trunk);
	}
	return 0;
}

int
vt_stats_telemetry_init(const struct vt_conf *conf)
{
	int ret;

	tel_conf = conf;
	ret = rte_telemetry_register_cmd("/vlan_tag/ports", telemetry_ports,
					 "Port ids, trunk first. No parameters");
	if (ret == 0)
		ret = rte_telemetry_register_cmd("/vlan_tag/stats", telemetry_stats,
						 "Counters of a port. Parameters: int port_id");
	return ret;
}
