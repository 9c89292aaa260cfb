/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/*
 * Configuration parser. One statement per line, words separated by blanks,
 * '#' starts a comment. The grammar is in README.md. Kept free of DPDK so
 * that it can be fuzzed on a buffer.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

#define LINE_MAX_LEN 512
#define WORDS_MAX 32

struct parser {
	struct ipl_conf *c;
	int line;
	char *w[WORDS_MAX];
	int n;
	char *err;
	size_t errlen;
};

static int
fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (p->err == NULL || p->errlen == 0)
		return -EINVAL;
	k = snprintf(p->err, p->errlen, "line %d: ", p->line);
	if (k < 0 || (size_t)k >= p->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(p->err + k, p->errlen - k, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int
parse_u32(const char *s, uint32_t max, uint32_t *v)
{
	unsigned long long x;
	char *end;

	if (s == NULL || *s == '\0' || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0' || x > max)
		return -1;
	*v = (uint32_t)x;
	return 0;
}

static int
parse_ip(const char *s, uint32_t *addr)
{
	uint32_t a = 0, v;
	int i;

	for (i = 0; i < 4; i++) {
		const char *start = s;

		v = 0;
		while (*s >= '0' && *s <= '9' && s - start < 3)
			v = v * 10 + (uint32_t)(*s++ - '0');
		if (s == start || v > 255)
			return -1;
		a = (a << 8) | v;
		if (i < 3 && *s++ != '.')
			return -1;
	}
	if (*s != '\0')
		return -1;
	*addr = a;
	return 0;
}

static int
parse_prefix(const char *s, struct ipl_prefix *p)
{
	char buf[32];
	char *slash;
	uint32_t len = 32, addr;

	if (strcmp(s, "any") == 0) {
		p->addr = 0;
		p->len = 0;
		return 0;
	}
	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash != NULL) {
		*slash = '\0';
		if (parse_u32(slash + 1, 32, &len) != 0)
			return -1;
	}
	if (parse_ip(buf, &addr) != 0)
		return -1;
	p->len = (uint8_t)len;
	p->addr = len == 0 ? 0 : addr & (UINT32_MAX << (32 - len));
	return 0;
}

static int
hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Hex string (optional 0x, optional ':' between bytes) into at most max bytes. */
static int
parse_hex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;
	int hi, lo;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	while (*s != '\0') {
		if (*s == ':') {
			s++;
			continue;
		}
		hi = hexval(s[0]);
		lo = hi < 0 ? -1 : hexval(s[1]);
		if (lo < 0 || n >= max)
			return -1;
		out[n++] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
	return (int)n;
}

static int
parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int i;

	if (strlen(s) != 17)
		return -1;
	for (i = 0; i < 6; i++) {
		int hi = hexval(s[3 * i]), lo = hexval(s[3 * i + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
			return -1;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static int
parse_dir(struct parser *p, const char *s, enum ipl_dir *d)
{
	if (s != NULL && strcmp(s, "out") == 0)
		*d = IPL_DIR_OUT;
	else if (s != NULL && strcmp(s, "in") == 0)
		*d = IPL_DIR_IN;
	else
		return fail(p, "expected 'in' or 'out', got '%s'", s != NULL ? s : "");
	return 0;
}

/* port <id> inside|outside [peer <mac>] */
static int
stmt_port(struct parser *p)
{
	struct ipl_port_conf *pc;
	uint32_t id;
	int i;

	if (p->n < 3 || parse_u32(p->w[1], IPL_MAX_PORTS - 1, &id) != 0)
		return fail(p, "usage: port <0..%d> inside|outside [peer <mac>]",
			    IPL_MAX_PORTS - 1);
	pc = &p->c->port[id];
	if (pc->role != IPL_PORT_UNUSED)
		return fail(p, "port %u declared twice", id);
	if (strcmp(p->w[2], "inside") == 0)
		pc->role = IPL_PORT_INSIDE;
	else if (strcmp(p->w[2], "outside") == 0)
		pc->role = IPL_PORT_OUTSIDE;
	else
		return fail(p, "port role must be 'inside' or 'outside', got '%s'", p->w[2]);
	for (i = 3; i < p->n; i += 2) {
		if (strcmp(p->w[i], "peer") != 0 || i + 1 >= p->n)
			return fail(p, "unexpected '%s' in port", p->w[i]);
		if (parse_mac(p->w[i + 1], pc->peer_mac) != 0)
			return fail(p, "bad MAC address '%s'", p->w[i + 1]);
		pc->has_peer = 1;
	}
	return 0;
}

static int
sa_check_keys(struct parser *p, const struct ipl_sa_conf *sa)
{
	switch (sa->alg) {
	case IPL_ALG_AES128_GCM:
		if (sa->key_len != 16 || !sa->has_salt)
			return fail(p, "aes-128-gcm needs a 16-byte key and a 4-byte salt");
		if (sa->auth_key_len != 0)
			return fail(p, "aes-128-gcm takes no auth-key");
		break;
	case IPL_ALG_AES128_CBC_SHA256:
		if (sa->key_len != 16 || sa->auth_key_len != 32)
			return fail(p, "aes-128-cbc-sha256 needs a 16-byte key and a 32-byte "
				       "auth-key");
		if (sa->has_salt)
			return fail(p, "aes-128-cbc-sha256 takes no salt");
		break;
	case IPL_ALG_NULL:
		if (sa->key_len != 0 || sa->auth_key_len != 0 || sa->has_salt)
			return fail(p, "null takes no key");
		break;
	}
	return 0;
}

/* sa out|in <id> spi <n> tunnel <src> <dst> <alg> [key <hex>] [salt <hex>]
 * [auth-key <hex>] [replay-window <n>]
 */
static int
stmt_sa(struct parser *p)
{
	struct ipl_sa_conf sa;
	uint32_t id, v;
	int i, k, rc;

	memset(&sa, 0, sizeof(sa));
	sa.line = p->line;
	sa.replay_win = 64;
	if (p->n < 9)
		return fail(p, "usage: sa out|in <id> spi <spi> tunnel <src> <dst> <algorithm> "
			       "[key <hex>] ...");
	rc = parse_dir(p, p->w[1], &sa.dir);
	if (rc != 0)
		return rc;
	if (parse_u32(p->w[2], IPL_MAX_SA - 1, &id) != 0)
		return fail(p, "SA id must be 0..%d, got '%s'", IPL_MAX_SA - 1, p->w[2]);
	if (p->c->sa[id].used)
		return fail(p, "SA %u already defined on line %d", id, p->c->sa[id].line);
	if (strcmp(p->w[3], "spi") != 0 || parse_u32(p->w[4], UINT32_MAX, &sa.spi) != 0 ||
	    sa.spi < 256)
		return fail(p, "expected 'spi <256..4294967295>'");
	if (strcmp(p->w[5], "tunnel") != 0 || parse_ip(p->w[6], &sa.src) != 0 ||
	    parse_ip(p->w[7], &sa.dst) != 0)
		return fail(p, "expected 'tunnel <src-ip> <dst-ip>'");
	if (strcmp(p->w[8], "aes-128-gcm") == 0)
		sa.alg = IPL_ALG_AES128_GCM;
	else if (strcmp(p->w[8], "aes-128-cbc-sha256") == 0)
		sa.alg = IPL_ALG_AES128_CBC_SHA256;
	else if (strcmp(p->w[8], "null") == 0)
		sa.alg = IPL_ALG_NULL;
	else
		return fail(p, "unknown algorithm '%s' (aes-128-gcm, aes-128-cbc-sha256, null)",
			    p->w[8]);
	for (i = 9; i < p->n; i += 2) {
		if (i + 1 >= p->n)
			return fail(p, "'%s' needs a value", p->w[i]);
		if (strcmp(p->w[i], "key") == 0) {
			k = parse_hex(p->w[i + 1], sa.key, sizeof(sa.key));
			if (k <= 0)
				return fail(p, "bad key '%s'", p->w[i + 1]);
			sa.key_len = (uint8_t)k;
		} else if (strcmp(p->w[i], "auth-key") == 0) {
			k = parse_hex(p->w[i + 1], sa.auth_key, sizeof(sa.auth_key));
			if (k <= 0)
				return fail(p, "bad auth-key '%s'", p->w[i + 1]);
			sa.auth_key_len = (uint8_t)k;
		} else if (strcmp(p->w[i], "salt") == 0) {
			if (parse_hex(p->w[i + 1], sa.salt, sizeof(sa.salt)) != 4)
				return fail(p, "salt must be 4 bytes of hex, got '%s'",
					    p->w[i + 1]);
			sa.has_salt = 1;
		} else if (strcmp(p->w[i], "replay-window") == 0) {
			if (parse_u32(p->w[i + 1], 4096, &v) != 0)
				return fail(p, "replay-window must be 0..4096");
			sa.replay_win = v;
		} else {
			return fail(p, "unexpected '%s' in sa", p->w[i]);
		}
	}
	rc = sa_check_keys(p, &sa);
	if (rc != 0)
		return rc;
	sa.used = 1;
	p->c->sa[id] = sa;
	return 0;
}

static int
parse_proto(const char *s, uint8_t *proto)
{
	uint32_t v;

	if (strcmp(s, "icmp") == 0)
		*proto = 1;
	else if (strcmp(s, "tcp") == 0)
		*proto = 6;
	else if (strcmp(s, "udp") == 0)
		*proto = 17;
	else if (strcmp(s, "esp") == 0)
		*proto = 50;
	else if (parse_u32(s, 255, &v) == 0)
		*proto = (uint8_t)v;
	else
		return -1;
	return 0;
}

/* sp out|in <src> <dst> [proto <p>] protect <sa> | bypass | discard */
static int
stmt_sp(struct parser *p)
{
	struct ipl_sp_conf sp;
	int i, rc;

	memset(&sp, 0, sizeof(sp));
	sp.line = p->line;
	if (p->c->nb_sp >= IPL_MAX_SP)
		return fail(p, "more than %d policies", IPL_MAX_SP);
	if (p->n < 5)
		return fail(p, "usage: sp out|in <src/len> <dst/len> [proto <p>] "
			       "protect <sa>|bypass|discard");
	rc = parse_dir(p, p->w[1], &sp.dir);
	if (rc != 0)
		return rc;
	if (parse_prefix(p->w[2], &sp.src) != 0)
		return fail(p, "bad source prefix '%s'", p->w[2]);
	if (parse_prefix(p->w[3], &sp.dst) != 0)
		return fail(p, "bad destination prefix '%s'", p->w[3]);
	i = 4;
	if (strcmp(p->w[i], "proto") == 0) {
		if (i + 1 >= p->n || parse_proto(p->w[i + 1], &sp.proto) != 0)
			return fail(p, "bad protocol");
		i += 2;
	}
	if (i < p->n && strcmp(p->w[i], "protect") == 0 && i + 2 == p->n) {
		sp.action = IPL_ACT_PROTECT;
		if (parse_u32(p->w[i + 1], IPL_MAX_SA - 1, &sp.sa_id) != 0)
			return fail(p, "bad SA id '%s'", p->w[i + 1]);
	} else if (i + 1 == p->n && strcmp(p->w[i], "bypass") == 0) {
		sp.action = IPL_ACT_BYPASS;
	} else if (i + 1 == p->n && strcmp(p->w[i], "discard") == 0) {
		sp.action = IPL_ACT_DISCARD;
	} else {
		return fail(p, "expected 'protect <sa>', 'bypass' or 'discard' at the end");
	}
	p->c->sp[p->c->nb_sp++] = sp;
	return 0;
}

/* route <prefix> port <n> [mac <mac>] | route <prefix> outbound */
static int
stmt_route(struct parser *p)
{
	struct ipl_route_conf r;
	uint32_t v;

	memset(&r, 0, sizeof(r));
	r.line = p->line;
	if (p->c->nb_routes >= IPL_MAX_ROUTES)
		return fail(p, "more than %d routes", IPL_MAX_ROUTES);
	if (p->n < 3 || parse_prefix(p->w[1], &r.dst) != 0)
		return fail(p, "usage: route <prefix> port <n> [mac <mac>] | route <prefix> "
			       "outbound");
	if (p->n == 3 && strcmp(p->w[2], "outbound") == 0) {
		r.outbound = 1;
	} else if ((p->n == 4 || p->n == 6) && strcmp(p->w[2], "port") == 0) {
		if (parse_u32(p->w[3], IPL_MAX_PORTS - 1, &v) != 0)
			return fail(p, "bad port '%s'", p->w[3]);
		r.port = (uint16_t)v;
		if (p->n == 6) {
			if (strcmp(p->w[4], "mac") != 0 || parse_mac(p->w[5], r.mac) != 0)
				return fail(p, "expected 'mac <xx:xx:xx:xx:xx:xx>'");
			r.has_mac = 1;
		}
	} else {
		return fail(p, "expected 'port <n> [mac <mac>]' or 'outbound'");
	}
	p->c->route[p->c->nb_routes++] = r;
	return 0;
}

/* loop drop | loop port <n> */
static int
stmt_loop(struct parser *p)
{
	uint32_t v;

	if (p->n == 2 && strcmp(p->w[1], "drop") == 0) {
		p->c->loop_action = IPL_LOOP_DROP;
	} else if (p->n == 3 && strcmp(p->w[1], "port") == 0 &&
		   parse_u32(p->w[2], IPL_MAX_PORTS - 1, &v) == 0) {
		p->c->loop_action = IPL_LOOP_PORT;
		p->c->loop_port = (uint16_t)v;
		p->c->loop_line = p->line;
	} else {
		return fail(p, "usage: loop drop | loop port <n>");
	}
	return 0;
}

/* References may point forward, so they are checked once the file is read. */
static int
check_refs(struct parser *p)
{
	const struct ipl_conf *c = p->c;
	unsigned int i;

	for (i = 0; i < c->nb_sp; i++) {
		const struct ipl_sp_conf *sp = &c->sp[i];

		p->line = sp->line;
		if (sp->action != IPL_ACT_PROTECT)
			continue;
		if (!c->sa[sp->sa_id].used)
			return fail(p, "policy names SA %u, which is not defined", sp->sa_id);
		if (c->sa[sp->sa_id].dir != sp->dir)
			return fail(p, "policy 'sp %s' names SA %u, an %s SA",
				    sp->dir == IPL_DIR_OUT ? "out" : "in", sp->sa_id,
				    c->sa[sp->sa_id].dir == IPL_DIR_OUT ? "outbound" : "inbound");
	}
	for (i = 0; i < c->nb_routes; i++) {
		const struct ipl_route_conf *r = &c->route[i];

		p->line = r->line;
		if (!r->outbound && c->port[r->port].role == IPL_PORT_UNUSED)
			return fail(p, "route to port %u, which is not declared", r->port);
	}
	p->line = c->loop_line;
	if (c->loop_action == IPL_LOOP_PORT && c->port[c->loop_port].role == IPL_PORT_UNUSED)
		return fail(p, "loop port %u is not declared", c->loop_port);
	for (i = 0; i < IPL_MAX_SA; i++) {
		unsigned int j;

		if (!c->sa[i].used || c->sa[i].dir != IPL_DIR_IN)
			continue;
		for (j = i + 1; j < IPL_MAX_SA; j++) {
			if (c->sa[j].used && c->sa[j].dir == IPL_DIR_IN &&
			    c->sa[j].spi == c->sa[i].spi && c->sa[j].dst == c->sa[i].dst) {
				p->line = c->sa[j].line;
				return fail(p, "inbound SA %u has the SPI and destination of SA %u",
					    j, i);
			}
		}
	}
	return 0;
}

static int
parse_line(struct parser *p, char *s)
{
	char *hash = strchr(s, '#');

	if (hash != NULL)
		*hash = '\0';
	p->n = 0;
	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\r')
			s++;
		if (*s == '\0')
			break;
		if (p->n == WORDS_MAX)
			return fail(p, "too many words");
		p->w[p->n++] = s;
		while (*s != '\0' && *s != ' ' && *s != '\t' && *s != '\r')
			s++;
		if (*s != '\0')
			*s++ = '\0';
	}
	if (p->n == 0)
		return 0;
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
	return fail(p, "unknown statement '%s' (port, sa, sp, route, loop)", p->w[0]);
}

int
ipl_conf_parse(struct ipl_conf *c, const char *buf, size_t len, char *err, size_t errlen)
{
	struct parser p = {.c = c, .err = err, .errlen = errlen};
	char line[LINE_MAX_LEN];
	size_t pos = 0;
	int rc;

	if (c == NULL || (buf == NULL && len != 0))
		return -EINVAL;
	memset(c, 0, sizeof(*c));
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	while (pos < len) {
		size_t end = pos;

		while (end < len && buf[end] != '\n')
			end++;
		p.line++;
		if (end - pos >= sizeof(line))
			return fail(&p, "line longer than %d characters", LINE_MAX_LEN - 1);
		if (memchr(buf + pos, '\0', end - pos) != NULL)
			return fail(&p, "NUL character");
		memcpy(line, buf + pos, end - pos);
		line[end - pos] = '\0';
		rc = parse_line(&p, line);
		if (rc != 0)
			return rc;
		pos = end + 1;
	}
	return check_refs(&p);
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
	    size > (1 << 20)) {
		fclose(f);
		snprintf(err, errlen, "%s: cannot read (or larger than 1 MiB)", path);
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
	return rc;
}
