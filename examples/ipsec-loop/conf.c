/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/*
 * Configuration: the statements (port, sa, sp, route, loop) and the checks
 * across them. The grammar is in README.md; words are parser.c's. No DPDK
 * library call, only rte_common.h's macros, so that it can be fuzzed on a buffer.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "conf.h"
#include "parser.h"

static int
parse_dir(struct parser *p, const char *s, enum ipl_dir *d)
{
	if (s != NULL && strcmp(s, "out") == 0)
		*d = IPL_DIR_OUT;
	else if (s != NULL && strcmp(s, "in") == 0)
		*d = IPL_DIR_IN;
	else
		return parse_fail(p, "expected 'in' or 'out', got '%s'", s != NULL ? s : "");
	return 0;
}

/* The start of an 'sa' or 'sp' line: at least min words, out|in the second. */
static int
stmt_head(struct parser *p, int min, const char *usage, enum ipl_dir *d)
{
	if (p->n < min)
		return parse_fail(p, "usage: %s", usage);
	return parse_dir(p, p->w[1], d);
}

/* port <id> inside|outside [peer <mac>] [mtu <n>] [name <eal-device>] */
static int
stmt_port(struct parser *p)
{
	struct ipl_port_conf *pc;
	uint32_t id;
	int i;

	if (p->n < 3 || parse_u32(p->w[1], IPL_MAX_PORTS - 1, &id) != 0)
		return parse_fail(p,
				  "usage: port <0..%d> inside|outside [peer <mac>] [mtu <n>] "
				  "[name <device>]",
				  IPL_MAX_PORTS - 1);
	pc = &p->conf->port[id];
	if (pc->role != IPL_PORT_UNUSED)
		return parse_fail(p, "port %u declared twice", id);
	if (strcmp(p->w[2], "inside") == 0)
		pc->role = IPL_PORT_INSIDE;
	else if (strcmp(p->w[2], "outside") == 0)
		pc->role = IPL_PORT_OUTSIDE;
	else
		return parse_fail(p, "port role must be 'inside' or 'outside', got '%s'", p->w[2]);
	for (i = 3; i < p->n; i += 2) {
		uint32_t v;

		if (i + 1 >= p->n)
			return parse_fail(p, "'%s' needs a value", p->w[i]);
		if (strcmp(p->w[i], "peer") == 0) {
			if (pc->has_peer)
				return parse_fail(p, "'peer' given twice");
			if (parse_mac(p->w[i + 1], pc->peer_mac) != 0)
				return parse_fail(p, "bad MAC address '%s'", p->w[i + 1]);
			pc->has_peer = 1;
		} else if (strcmp(p->w[i], "name") == 0) {
			if (pc->name[0] != '\0')
				return parse_fail(p, "'name' given twice");
			if (strlen(p->w[i + 1]) >= sizeof(pc->name))
				return parse_fail(p, "device name longer than %zu characters",
						  sizeof(pc->name) - 1);
			strcpy(pc->name, p->w[i + 1]);
		} else if (strcmp(p->w[i], "mtu") == 0) {
			if (pc->mtu != 0)
				return parse_fail(p, "'mtu' given twice");
			if (parse_u32(p->w[i + 1], IPL_MTU_MAX, &v) != 0 || v < IPL_MTU_MIN)
				return parse_fail(p, "mtu must be %d..%d", IPL_MTU_MIN,
						  IPL_MTU_MAX);
			pc->mtu = (uint16_t)v;
		} else {
			return parse_fail(p, "unexpected '%s' in port", p->w[i]);
		}
	}
	if (pc->mtu == 0)
		pc->mtu = IPL_MTU_DEFAULT;
	return 0;
}

static int
sa_check_keys(struct parser *p, const struct ipl_sa_conf *sa)
{
	switch (sa->alg) {
	case IPL_ALG_AES128_GCM:
		if (sa->key_len != 16 || !sa->has_salt)
			return parse_fail(p, "aes-128-gcm needs a 16-byte key and a 4-byte salt");
		if (sa->auth_key_len != 0)
			return parse_fail(p, "aes-128-gcm takes no auth-key");
		break;
	case IPL_ALG_AES128_CBC_SHA256:
		if (sa->key_len != 16 || sa->auth_key_len != 32)
			return parse_fail(p, "aes-128-cbc-sha256 needs a 16-byte key and a 32-byte "
					     "auth-key");
		if (sa->has_salt)
			return parse_fail(p, "aes-128-cbc-sha256 takes no salt");
		break;
	case IPL_ALG_NULL:
		if (sa->key_len != 0 || sa->auth_key_len != 0 || sa->has_salt)
			return parse_fail(p, "null takes no key");
		break;
	}
	return 0;
}

/* The options of an 'sa' line, each at most once. */
enum sa_opt { OPT_KEY, OPT_AUTH_KEY, OPT_SALT, OPT_REPLAY, OPT_ESN, OPT_SEQ, OPT_DF, OPT_NATT };

/* sa out|in <id> spi <n> tunnel <src> <dst> <alg> [key <hex>] [salt <hex>]
 * [auth-key <hex>] [replay-window <n>] [esn] [seq <n>] [df copy|set|clear] [natt]
 */
static int
stmt_sa(struct parser *p)
{
	static const char *const opt_name[] = {"key", "auth-key", "salt", "replay-window",
					       "esn", "seq",	  "df",	  "natt"};
	struct ipl_sa_conf sa = {.line = p->line};
	unsigned int seen = 0, o;
	uint32_t id, v;
	int i, k, rc;

	rc = stmt_head(p, 9,
		       "sa out|in <id> spi <spi> tunnel <src> <dst> <algorithm> [key <hex>] ...",
		       &sa.dir);
	if (rc != 0)
		return rc;
	sa.replay_win = sa.dir == IPL_DIR_IN ? 64 : 0;
	if (parse_u32(p->w[2], IPL_MAX_SA - 1, &id) != 0)
		return parse_fail(p, "SA id must be 0..%d, got '%s'", IPL_MAX_SA - 1, p->w[2]);
	if (p->conf->sa[id].used)
		return parse_fail(p, "SA %u already defined on line %d", id, p->conf->sa[id].line);
	if (strcmp(p->w[3], "spi") != 0 || parse_u32(p->w[4], UINT32_MAX, &sa.spi) != 0 ||
	    sa.spi < 256)
		return parse_fail(p, "expected 'spi <256..4294967295>'");
	if (strcmp(p->w[5], "tunnel") != 0 || parse_addr(p->w[6], &sa.src) != 0 ||
	    parse_addr(p->w[7], &sa.dst) != 0)
		return parse_fail(p, "expected 'tunnel <src-ip> <dst-ip>'");
	if (sa.src.family != sa.dst.family)
		return parse_fail(p, "tunnel addresses of two families");
	if (strcmp(p->w[8], "aes-128-gcm") == 0)
		sa.alg = IPL_ALG_AES128_GCM;
	else if (strcmp(p->w[8], "aes-128-cbc-sha256") == 0)
		sa.alg = IPL_ALG_AES128_CBC_SHA256;
	else if (strcmp(p->w[8], "null") == 0)
		sa.alg = IPL_ALG_NULL;
	else
		return parse_fail(p,
				  "unknown algorithm '%s' (aes-128-gcm, aes-128-cbc-sha256, null)",
				  p->w[8]);
	for (i = 9; i < p->n; i += 2) {
		for (o = 0; o < RTE_DIM(opt_name); o++)
			if (strcmp(p->w[i], opt_name[o]) == 0)
				break;
		if (o == RTE_DIM(opt_name))
			return parse_fail(p, "unexpected '%s' in sa", p->w[i]);
		if (seen & (1u << o))
			return parse_fail(p, "'%s' given twice", opt_name[o]);
		seen |= 1u << o;
		if (o == OPT_ESN || o == OPT_NATT) {
			if (o == OPT_ESN)
				sa.esn = 1;
			else if (sa.src.family != IPL_AF_INET)
				return parse_fail(p, "natt needs an IPv4 tunnel");
			else
				sa.natt = 1;
			i--; /* a flag: no value */
			continue;
		}
		if (i + 1 >= p->n)
			return parse_fail(p, "'%s' needs a value", p->w[i]);
		switch (o) {
		case OPT_KEY:
			k = parse_hex(p->w[i + 1], sa.key, sizeof(sa.key));
			if (k <= 0)
				return parse_fail(p, "bad key '%s'", p->w[i + 1]);
			sa.key_len = (uint8_t)k;
			break;
		case OPT_AUTH_KEY:
			k = parse_hex(p->w[i + 1], sa.auth_key, sizeof(sa.auth_key));
			if (k <= 0)
				return parse_fail(p, "bad auth-key '%s'", p->w[i + 1]);
			sa.auth_key_len = (uint8_t)k;
			break;
		case OPT_SALT:
			if (parse_hex(p->w[i + 1], sa.salt, sizeof(sa.salt)) != 4)
				return parse_fail(p, "salt must be 4 bytes of hex, got '%s'",
						  p->w[i + 1]);
			sa.has_salt = 1;
			break;
		case OPT_REPLAY:
			if (sa.dir != IPL_DIR_IN)
				return parse_fail(p, "replay-window applies to inbound SAs only");
			if (parse_u32(p->w[i + 1], 4096, &v) != 0)
				return parse_fail(p, "replay-window must be 0..4096");
			sa.replay_win = v;
			break;
		case OPT_SEQ:
			if (parse_u64(p->w[i + 1], &sa.seq) != 0)
				return parse_fail(p, "bad sequence number '%s'", p->w[i + 1]);
			break;
		default: /* OPT_DF */
			if (sa.dir != IPL_DIR_OUT)
				return parse_fail(p, "df applies to outbound SAs only");
			if (strcmp(p->w[i + 1], "copy") == 0)
				sa.df = IPL_DF_COPY;
			else if (strcmp(p->w[i + 1], "set") == 0)
				sa.df = IPL_DF_SET;
			else if (strcmp(p->w[i + 1], "clear") == 0)
				sa.df = IPL_DF_CLEAR;
			else
				return parse_fail(p, "df must be copy, set or clear");
			break;
		}
	}
	if ((seen & (1u << OPT_SEQ)) && !sa.esn && sa.seq > UINT32_MAX)
		return parse_fail(p, "seq above 2^32 - 1 needs 'esn'");
	rc = sa_check_keys(p, &sa);
	if (rc != 0)
		return rc;
	sa.used = 1;
	p->conf->sa[id] = sa;
	return 0;
}

/* Room for one more element in a table of *cap (doubled when full). */
static int
grow(struct parser *p, void **tab, unsigned int *cap, unsigned int n, size_t size, unsigned int max)
{
	unsigned int ncap;
	void *t;

	(void)p;
	if (n < *cap)
		return 0;
	if (n >= max)
		return -1;
	ncap = *cap == 0 ? 16 : *cap * 2;
	if (ncap > max)
		ncap = max;
	t = realloc(*tab, (size_t)ncap * size);
	if (t == NULL)
		return -1;
	*tab = t;
	*cap = ncap;
	return 0;
}

/* sp out|in <src> <dst> [proto <p>] protect <sa> | bypass | discard */
static int
stmt_sp(struct parser *p)
{
	struct ipl_sp_conf sp = {.line = p->line};
	int i, rc;

	rc = stmt_head(p, 5,
		       "sp out|in <src/len> <dst/len> [proto <p>] protect <sa>|bypass|discard",
		       &sp.dir);
	if (rc != 0)
		return rc;
	if (parse_prefix(p->w[2], &sp.src) != 0)
		return parse_fail(p, "bad source prefix '%s'", p->w[2]);
	if (parse_prefix(p->w[3], &sp.dst) != 0)
		return parse_fail(p, "bad destination prefix '%s'", p->w[3]);
	if (sp.src.a.family != IPL_AF_ANY && sp.dst.a.family != IPL_AF_ANY &&
	    sp.src.a.family != sp.dst.a.family)
		return parse_fail(p, "source and destination of two families");
	i = 4;
	if (strcmp(p->w[i], "proto") == 0) {
		if (i + 1 >= p->n || parse_proto(p->w[i + 1], &sp.proto) != 0)
			return parse_fail(p, "bad protocol");
		i += 2;
	}
	if (i < p->n && strcmp(p->w[i], "protect") == 0 && i + 2 == p->n) {
		sp.action = IPL_ACT_PROTECT;
		if (parse_u32(p->w[i + 1], IPL_MAX_SA - 1, &sp.sa_id) != 0)
			return parse_fail(p, "bad SA id '%s'", p->w[i + 1]);
	} else if (i + 1 == p->n && strcmp(p->w[i], "bypass") == 0) {
		sp.action = IPL_ACT_BYPASS;
	} else if (i + 1 == p->n && strcmp(p->w[i], "discard") == 0) {
		sp.action = IPL_ACT_DISCARD;
	} else {
		return parse_fail(p, "expected 'protect <sa>', 'bypass' or 'discard' at the end");
	}
	if (grow(p, (void **)&p->conf->sp, &p->conf->sp_cap, p->conf->nb_sp, sizeof(sp),
		 IPL_MAX_SP) != 0)
		return parse_fail(p, "more than %u policies (or out of memory)", IPL_MAX_SP);
	p->conf->sp[p->conf->nb_sp++] = sp;
	return 0;
}

/* route <prefix> port <n> [mac <mac>] | route <prefix> outbound */
static int
stmt_route(struct parser *p)
{
	struct ipl_route_conf r = {.line = p->line};
	uint32_t v;

	if (p->n < 3 || parse_prefix(p->w[1], &r.dst) != 0)
		return parse_fail(p, "usage: route <prefix> port <n> [mac <mac>] | route <prefix> "
				     "outbound");
	if (p->n == 3 && strcmp(p->w[2], "outbound") == 0) {
		r.outbound = 1;
	} else if ((p->n == 4 || p->n == 6) && strcmp(p->w[2], "port") == 0) {
		if (parse_u32(p->w[3], IPL_MAX_PORTS - 1, &v) != 0)
			return parse_fail(p, "bad port '%s'", p->w[3]);
		r.port = (uint16_t)v;
		if (p->n == 6) {
			if (strcmp(p->w[4], "mac") != 0 || parse_mac(p->w[5], r.mac) != 0)
				return parse_fail(p, "expected 'mac <xx:xx:xx:xx:xx:xx>'");
			r.has_mac = 1;
		}
	} else {
		return parse_fail(p, "expected 'port <n> [mac <mac>]' or 'outbound'");
	}
	if (grow(p, (void **)&p->conf->route, &p->conf->route_cap, p->conf->nb_routes, sizeof(r),
		 IPL_MAX_ROUTES) != 0)
		return parse_fail(p, "more than %u routes (or out of memory)", IPL_MAX_ROUTES);
	p->conf->route[p->conf->nb_routes++] = r;
	return 0;
}

/* loop drop | loop port <n> */
static int
stmt_loop(struct parser *p)
{
	uint32_t v;

	if (p->n == 2 && strcmp(p->w[1], "drop") == 0) {
		p->conf->loop_action = IPL_LOOP_DROP;
	} else if (p->n == 3 && strcmp(p->w[1], "port") == 0 &&
		   parse_u32(p->w[2], IPL_MAX_PORTS - 1, &v) == 0) {
		p->conf->loop_action = IPL_LOOP_PORT;
		p->conf->loop_port = (uint16_t)v;
		p->conf->loop_line = p->line;
	} else {
		return parse_fail(p, "usage: loop drop | loop port <n>");
	}
	return 0;
}

static int
addr_cmp(const struct ipl_addr *a, const struct ipl_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (a->family == IPL_AF_INET)
		return a->v4 == b->v4 ? 0 : a->v4 < b->v4 ? -1 : 1;
	if (a->family == IPL_AF_INET6)
		return memcmp(a->v6, b->v6, 16);
	return 0;
}

static int
addr_eq(const struct ipl_addr *a, const struct ipl_addr *b)
{
	return addr_cmp(a, b) == 0;
}

static int
prefix_cmp(const struct ipl_prefix *a, const struct ipl_prefix *b)
{
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return addr_cmp(&a->a, &b->a);
}

static int
route_cmp(const void *x, const void *y)
{
	const struct ipl_route_conf *a = *(const struct ipl_route_conf *const *)x;
	const struct ipl_route_conf *b = *(const struct ipl_route_conf *const *)y;
	int d = prefix_cmp(&a->dst, &b->dst);

	if (d != 0)
		return d;
	return a->line - b->line;
}

/* The lookup tables (rte_lpm) hold one next hop per prefix: a prefix given twice is an
 * error, not a silent override. Sorted, so that 10^5 routes stay quick to check. */
static int
check_route_dups(struct parser *p)
{
	const struct ipl_conf *c = p->conf;
	const struct ipl_route_conf **v;
	unsigned int i;
	int rc = 0;

	if (c->nb_routes < 2)
		return 0;
	/* 'any' is the default route of both families: no other /0 beside it. */
	for (i = 0; i < c->nb_routes; i++) {
		const struct ipl_route_conf *r = &c->route[i];
		unsigned int j;

		if (r->dst.a.family != IPL_AF_ANY)
			continue;
		for (j = 0; j < c->nb_routes; j++) {
			if (j == i || c->route[j].dst.len != 0)
				continue;
			p->line = RTE_MAX(r->line, c->route[j].line);
			return parse_fail(p, "route prefix already given on line %d",
					  RTE_MIN(r->line, c->route[j].line));
		}
	}
	v = malloc(c->nb_routes * sizeof(*v));
	if (v == NULL)
		return parse_fail(p, "out of memory");
	for (i = 0; i < c->nb_routes; i++)
		v[i] = &c->route[i];
	qsort(v, c->nb_routes, sizeof(*v), route_cmp);
	for (i = 1; i < c->nb_routes && rc == 0; i++) {
		if (prefix_cmp(&v[i]->dst, &v[i - 1]->dst) != 0)
			continue;
		p->line = v[i]->line;
		rc = parse_fail(p, "route prefix already given on line %d", v[i - 1]->line);
	}
	free(v);
	return rc;
}

/* References may point forward, so they are checked once the file is read. */
static int
check_refs(struct parser *p)
{
	const struct ipl_conf *c = p->conf;
	unsigned int i;
	int rc;

	for (i = 0; i < c->nb_sp; i++) {
		const struct ipl_sp_conf *sp = &c->sp[i];
		struct ipl_sa_conf *sa = &p->conf->sa[sp->sa_id];
		uint8_t af;

		p->line = sp->line;
		if (sp->action != IPL_ACT_PROTECT)
			continue;
		if (!sa->used)
			return parse_fail(p, "policy names SA %u, which is not defined", sp->sa_id);
		if (sa->dir != sp->dir)
			return parse_fail(p, "policy 'sp %s' names SA %u, an %s SA",
					  sp->dir == IPL_DIR_OUT ? "out" : "in", sp->sa_id,
					  sa->dir == IPL_DIR_OUT ? "outbound" : "inbound");
		af = sp->src.a.family != IPL_AF_ANY ? sp->src.a.family : sp->dst.a.family;
		if (af == IPL_AF_ANY)
			continue;
		if (sa->inner != IPL_AF_ANY && sa->inner != af)
			return parse_fail(p,
					  "SA %u would carry IPv4 and IPv6: rte_ipsec gives an SA "
					  "one inner family, use one SA per family",
					  sp->sa_id);
		sa->inner = af;
	}
	for (i = 0; i < IPL_MAX_SA; i++)
		if (p->conf->sa[i].used && p->conf->sa[i].inner == IPL_AF_ANY)
			p->conf->sa[i].inner = IPL_AF_INET;
	for (i = 0; i < c->nb_routes; i++) {
		const struct ipl_route_conf *r = &c->route[i];

		p->line = r->line;
		if (!r->outbound && c->port[r->port].role == IPL_PORT_UNUSED)
			return parse_fail(p, "route to port %u, which is not declared", r->port);
	}
	rc = check_route_dups(p);
	if (rc != 0)
		return rc;
	for (i = 0; i < IPL_MAX_SA; i++) {
		char buf[64];

		if (!c->sa[i].used || c->sa[i].dir != IPL_DIR_OUT ||
		    ipl_conf_route(c, &c->sa[i].dst) != NULL)
			continue;
		p->line = c->sa[i].line;
		return parse_fail(p, "SA %u: no route to its tunnel destination %s", i,
				  ipl_addr_str(&c->sa[i].dst, buf, sizeof(buf)));
	}
	p->line = c->loop_line;
	if (c->loop_action == IPL_LOOP_PORT && c->port[c->loop_port].role == IPL_PORT_UNUSED)
		return parse_fail(p, "loop port %u is not declared", c->loop_port);
	for (i = 0; i < IPL_MAX_SA; i++) {
		unsigned int j;

		if (!c->sa[i].used || c->sa[i].dir != IPL_DIR_IN)
			continue;
		for (j = i + 1; j < IPL_MAX_SA; j++) {
			if (c->sa[j].used && c->sa[j].dir == IPL_DIR_IN &&
			    c->sa[j].spi == c->sa[i].spi && addr_eq(&c->sa[j].dst, &c->sa[i].dst)) {
				p->line = c->sa[j].line;
				return parse_fail(
					p, "inbound SA %u has the SPI and destination of SA %u", j,
					i);
			}
		}
	}
	return 0;
}

/* One statement, its words in p->w. */
static int
statement(struct parser *p)
{
	if (strcmp(p->w[0], "port") == 0)
		return stmt_port(p);
	if (strcmp(p->w[0], "sa") == 0)
		return stmt_sa(p);
	if (strcmp(p->w[0], "sp") == 0)
		return stmt_sp(p);
	if (strcmp(p->w[0], "route") == 0)
		return stmt_route(p);
	if (strcmp(p->w[0], "loop") == 0)
		return stmt_loop(p);
	return parse_fail(p, "unknown statement '%s' (port, sa, sp, route, loop)", p->w[0]);
}

int
ipl_conf_parse(struct ipl_conf *c, const char *buf, size_t len, char *err, size_t errlen)
{
	struct parser p = {.conf = c, .err = err, .errlen = errlen};
	int rc;

	if (c == NULL || (buf == NULL && len != 0))
		return -EINVAL;
	memset(c, 0, sizeof(*c));
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	rc = parse_text(&p, buf, len, statement);
	if (rc != 0)
		goto fail;
	rc = check_refs(&p);
	if (rc == 0)
		return 0;
fail:
	ipl_conf_free(c);
	return rc;
}

void
ipl_conf_free(struct ipl_conf *c)
{
	free(c->sp);
	free(c->route);
	c->sp = NULL;
	c->route = NULL;
	c->nb_sp = c->sp_cap = 0;
	c->nb_routes = c->route_cap = 0;
}

int
ipl_conf_load(struct ipl_conf *c, const char *path, char *err, size_t errlen)
{
	char *buf;
	long size;
	FILE *f;
	int rc;

	f = fopen(path, "r");
	if (f == NULL) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    size > (16 << 20)) {
		fclose(f);
		snprintf(err, errlen, "%s: cannot read (or larger than 16 MiB)", path);
		return -EINVAL;
	}
	buf = malloc((size_t)size + 1);
	if (buf == NULL) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	if (fread(buf, 1, (size_t)size, f) != (size_t)size) {
		free(buf);
		fclose(f);
		snprintf(err, errlen, "%s: read error", path);
		return -EIO;
	}
	fclose(f);
	rc = ipl_conf_parse(c, buf, (size_t)size, err, errlen);
	free(buf);
	/* The file's name before "line N: ...", as for the errors above. */
	if (rc != 0 && err != NULL && errlen > 0) {
		char tmp[256];

		snprintf(tmp, sizeof(tmp), "%s", err);
		snprintf(err, errlen, "%s: %s", path, tmp);
	}
	return rc;
}
