/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/*
 * Security policy database, SA lookup by SPI and routes. Linear scans: the
 * example's tables are a handful of entries, and first-match order (SPD) is
 * what RFC 4301 asks for; a real gateway would use rte_acl and rte_lpm.
 */

#include <rte_byteorder.h>
#include <rte_ip.h>

#include "ipl.h"

const struct ipl_sp_conf *
ipl_spd_lookup(enum ipl_dir dir, const struct rte_ipv4_hdr *ip)
{
	uint32_t src = rte_be_to_cpu_32(ip->src_addr);
	uint32_t dst = rte_be_to_cpu_32(ip->dst_addr);
	unsigned int i;

	for (i = 0; i < ipl.conf.nb_sp; i++) {
		const struct ipl_sp_conf *sp = &ipl.conf.sp[i];

		if (sp->dir == dir && ipl_prefix_match(&sp->src, src) &&
		    ipl_prefix_match(&sp->dst, dst) &&
		    (sp->proto == 0 || sp->proto == ip->next_proto_id))
			return sp;
	}
	return NULL;
}

const struct ipl_route_conf *
ipl_route_lookup(uint32_t dst)
{
	const struct ipl_route_conf *best = NULL;
	unsigned int i;

	for (i = 0; i < ipl.conf.nb_routes; i++) {
		const struct ipl_route_conf *r = &ipl.conf.route[i];

		if (ipl_prefix_match(&r->dst, dst) && (best == NULL || r->dst.len > best->dst.len))
			best = r;
	}
	return best;
}

const struct ipl_sa *
ipl_sa_inbound(uint32_t spi, uint32_t dst)
{
	unsigned int i;

	for (i = 0; i < ipl.nb_sa_in; i++) {
		const struct ipl_sa *sa = ipl.sa_in[i];

		if (sa->spi == spi && sa->local == dst)
			return sa;
	}
	return NULL;
}

bool
ipl_is_local(uint32_t dst)
{
	unsigned int i;

	for (i = 0; i < ipl.nb_sa_in; i++)
		if (ipl.sa_in[i]->local == dst)
			return true;
	return false;
}
