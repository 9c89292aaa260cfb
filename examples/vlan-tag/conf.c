/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/*
 * Configuration parser. It works on a buffer of untrusted bytes (the fuzzer
 * feeds it directly): every word is bounded, every number checked, and a
 * failure names the line and the problem. The helpers have the names of
 * ipsec-loop's parser.c: parse_fail(), parse_words(), parse_text(), then
 * statement() and one stmt_*() per keyword.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "conf.h"

#define PARSE_WORDS_MAX 16

/* Highest port id accepted; DPDK's own limit is checked later by main. */
#define PORT_ID_MAX 1023

/* A configuration being parsed: the line at hand split into words. */
struct parser {
	struct vt_conf *conf;
	unsigned int line;
	unsigned int trunk_line;
	char *w[PARSE_WORDS_MAX];
	unsigned int n;
	char *err;
	size_t errlen;
};

/* "line N: " (from the first line on) and the message into p->err; returns -EINVAL. */
static int __rte_format_printf(2, 3) parse_fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (p->err == NULL || p->errlen == 0)
		return -EINVAL;
	if (p->line > 0)
		n = snprintf(p->err, p->errlen, "line %u: ", p->line);
	if (n >= 0 && (size_t)n < p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->errlen - n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/*
 * Numbers are written one way each: decimal without leading zeros ("0",
 * "100"; "010", "+1", "0x10" are refused), TPIDs hexadecimal with "0x" and
 * one to four digits ("0x88a8"). No sign, no blanks.
 */
static int
parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	const char *c;

	if (s[0] == '\0' || (s[0] == '0' && s[1] != '\0'))
		return -1;
	for (c = s; *c != '\0'; c++) {
		if (*c < '0' || *c > '9')
			return -1;
		v = v * 10 + (unsigned long)(*c - '0');
		if (v > max)
			return -1;
	}
	*out = v;
	return 0;
}

static int
parse_hex16(const char *s, unsigned long *out)
{
	unsigned long v = 0;
	int digits = 0;

	if (s[0] != '0' || s[1] != 'x')
		return -1;
	for (s += 2; *s != '\0'; s++) {
		int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return -1;
		if (++digits > 4)
			return -1;
		v = v * 16 + (unsigned long)d;
	}
	if (digits == 0)
		return -1;
	*out = v;
	return 0;
}

static int
parse_port(struct parser *p, const char *s, uint16_t *port)
{
	unsigned long v;
	unsigned int i;

	if (s == NULL)
		return parse_fail(p, "missing port id");
	if (parse_uint(s, PORT_ID_MAX, &v) != 0)
		return parse_fail(p, "bad port id '%.32s' (0-%d)", s, PORT_ID_MAX);
	if (p->conf->trunk_port == (int)v)
		return parse_fail(p, "port %lu already declared as trunk on line %u", v,
				  p->trunk_line);
	for (i = 0; i < p->conf->nb_access; i++)
		if (p->conf->access[i].port == v)
			return parse_fail(p, "port %lu already declared on line %u", v,
					  p->conf->access[i].line);
	*port = (uint16_t)v;
	return 0;
}

static int
parse_vid(struct parser *p, const char *s, uint16_t *vid)
{
	unsigned long v;

	/* 0 means priority-tagged and 4095 is reserved: neither names a VLAN. */
	if (parse_uint(s, 4094, &v) != 0 || v == 0)
		return parse_fail(p, "bad VID '%.32s' (1-4094)", s);
	*vid = (uint16_t)v;
	return 0;
}

/* trunk <port> [stpid <tpid>] */
static int
stmt_trunk(struct parser *p)
{
	struct vt_conf *c = p->conf;
	unsigned long v;
	int stpid_seen = 0;
	uint16_t port;
	unsigned int i;
	int ret;

	if (c->trunk_port >= 0)
		return parse_fail(p,
				  "second trunk (the first is on line %u); one trunk is supported",
				  p->trunk_line);
	ret = parse_port(p, p->n > 1 ? p->w[1] : NULL, &port);
	if (ret != 0)
		return ret;
	for (i = 2; i < p->n; i += 2) {
		if (strcmp(p->w[i], "stpid") != 0)
			return parse_fail(p, "unknown trunk option '%.32s'", p->w[i]);
		if (i + 1 >= p->n)
			return parse_fail(p, "missing value after 'stpid'");
		if (stpid_seen++)
			return parse_fail(p, "'stpid' given twice");
		if (parse_hex16(p->w[i + 1], &v) != 0 ||
		    (v != VT_TPID_STAG && v != VT_TPID_CTAG && v != 0x9100 && v != 0x9200 &&
		     v != 0x9300))
			return parse_fail(
				p, "bad stpid '%.32s' (0x88a8, 0x8100, 0x9100, 0x9200, 0x9300)",
				p->w[i + 1]);
		c->stpid = (uint16_t)v;
	}
	c->trunk_port = port;
	c->trunk_line = p->line;
	p->trunk_line = p->line;
	return 0;
}

/* "10/200/300": outermost first. */
static int
parse_stack(struct parser *p, char *s, struct vt_access *a)
{
	char *save = NULL;
	char *vid;
	int ret;

	if (a->depth != 0)
		return parse_fail(p, "'vlan' given twice");
	if (s[0] == '/' || s[strlen(s) - 1] == '/' || strstr(s, "//") != NULL)
		return parse_fail(p, "bad VLAN stack '%.32s'", s);
	for (vid = strtok_r(s, "/", &save); vid != NULL; vid = strtok_r(NULL, "/", &save)) {
		if (a->depth == VT_VLAN_MAX)
			return parse_fail(p, "VLAN stack deeper than %d", VT_VLAN_MAX);
		ret = parse_vid(p, vid, &a->vid[a->depth]);
		if (ret != 0)
			return ret;
		a->depth++;
	}
	return 0;
}

static int
same_stack(const struct vt_access *a, const struct vt_access *b)
{
	return a->depth == b->depth && memcmp(a->vid, b->vid, a->depth * sizeof(a->vid[0])) == 0;
}

/* access <port> vlan <vid>[/<vid>...] [svlan <vid>] [pcp <0-7>] [dei <0|1>] */
static int
stmt_access(struct parser *p)
{
	struct vt_conf *c = p->conf;
	struct vt_access a;
	unsigned long v = 0;
	uint16_t svid = 0;
	int pcp_seen = 0, dei_seen = 0;
	unsigned int i;
	int ret;

	if (c->nb_access == VT_MAX_PORTS)
		return parse_fail(p, "more than %d access ports", VT_MAX_PORTS);
	memset(&a, 0, sizeof(a));
	a.line = p->line;
	ret = parse_port(p, p->n > 1 ? p->w[1] : NULL, &a.port);
	if (ret != 0)
		return ret;
	for (i = 2; i < p->n; i += 2) {
		const char *key = p->w[i];

		ret = 0;
		if (i + 1 >= p->n)
			return parse_fail(p, "missing value after '%.32s'", key);
		if (strcmp(key, "vlan") == 0) {
			ret = parse_stack(p, p->w[i + 1], &a);
		} else if (strcmp(key, "svlan") == 0) {
			ret = svid != 0 ? parse_fail(p, "'svlan' given twice")
					: parse_vid(p, p->w[i + 1], &svid);
		} else if (strcmp(key, "pcp") == 0) {
			if (pcp_seen++)
				ret = parse_fail(p, "'pcp' given twice");
			else if (parse_uint(p->w[i + 1], 7, &v) != 0)
				ret = parse_fail(p, "bad pcp '%.32s' (0-7)", p->w[i + 1]);
			else
				a.pcp = (uint8_t)v;
		} else if (strcmp(key, "dei") == 0) {
			if (dei_seen++)
				ret = parse_fail(p, "'dei' given twice");
			else if (parse_uint(p->w[i + 1], 1, &v) != 0)
				ret = parse_fail(p, "bad dei '%.32s' (0 or 1)", p->w[i + 1]);
			else
				a.dei = (uint8_t)v;
		} else {
			ret = parse_fail(p, "unknown access option '%.32s'", key);
		}
		if (ret != 0)
			return ret;
	}
	if (a.depth == 0)
		return parse_fail(p, "access port %u has no 'vlan'", a.port);
	if (svid != 0) {
		/* The service VLAN goes outside the customer stack. */
		if (a.depth == VT_VLAN_MAX)
			return parse_fail(p, "VLAN stack deeper than %d", VT_VLAN_MAX);
		memmove(&a.vid[1], &a.vid[0], a.depth * sizeof(a.vid[0]));
		a.vid[0] = svid;
		a.depth++;
	}
	for (i = 0; i < c->nb_access; i++) {
		if (same_stack(&c->access[i], &a)) {
			char s[VT_VLAN_MAX * 5 + 1];

			return parse_fail(p, "VLAN %s already mapped to port %u on line %u",
					  vt_conf_stack_str(&a, s, sizeof(s)), c->access[i].port,
					  c->access[i].line);
		}
	}
	c->access[c->nb_access++] = a;
	return 0;
}

/* port <id> mtu <n>: the port is declared as trunk or access anywhere in the file. */
static int
stmt_port(struct parser *p)
{
	struct vt_conf *c = p->conf;
	struct vt_port_opt o = {.line = p->line};
	unsigned long v;
	unsigned int i;
	int mtu_seen = 0;

	if (p->n < 2)
		return parse_fail(p, "missing port id");
	if (parse_uint(p->w[1], PORT_ID_MAX, &v) != 0)
		return parse_fail(p, "bad port id '%.32s' (0-%d)", p->w[1], PORT_ID_MAX);
	o.port = (uint16_t)v;
	for (i = 0; i < c->nb_port_opt; i++)
		if (c->port_opt[i].port == o.port)
			return parse_fail(p, "port %u settings already given on line %u", o.port,
					  c->port_opt[i].line);
	if (c->nb_port_opt == RTE_DIM(c->port_opt))
		return parse_fail(p, "more than %d port lines", (int)RTE_DIM(c->port_opt));
	for (i = 2; i < p->n; i += 2) {
		if (strcmp(p->w[i], "mtu") != 0)
			return parse_fail(p, "unknown port option '%.32s'", p->w[i]);
		if (i + 1 >= p->n)
			return parse_fail(p, "missing value after 'mtu'");
		if (mtu_seen++)
			return parse_fail(p, "'mtu' given twice");
		if (parse_uint(p->w[i + 1], VT_MTU_MAX, &v) != 0 || v < VT_MTU_MIN)
			return parse_fail(p, "bad mtu '%.32s' (%d-%d)", p->w[i + 1], VT_MTU_MIN,
					  VT_MTU_MAX);
		o.mtu = (uint16_t)v;
	}
	if (!mtu_seen)
		return parse_fail(p, "port %u: no setting (mtu)", o.port);
	c->port_opt[c->nb_port_opt++] = o;
	return 0;
}

/* Split line (modified) into p->w[0 .. p->n), '#' to the end of the line a comment. */
static int
parse_words(struct parser *p, char *line)
{
	char *save = NULL;
	char *s;

	s = strchr(line, '#');
	if (s != NULL)
		*s = '\0';
	p->n = 0;
	for (s = strtok_r(line, " \t\r", &save); s != NULL; s = strtok_r(NULL, " \t\r", &save)) {
		if (p->n == PARSE_WORDS_MAX)
			return parse_fail(p, "more than %d words", PARSE_WORDS_MAX);
		p->w[p->n++] = s;
	}
	return 0;
}

/* One statement, its words in p->w. */
static int
statement(struct parser *p)
{
	if (strcmp(p->w[0], "trunk") == 0)
		return stmt_trunk(p);
	if (strcmp(p->w[0], "access") == 0)
		return stmt_access(p);
	if (strcmp(p->w[0], "port") == 0)
		return stmt_port(p);
	return parse_fail(p, "unknown keyword '%.32s' (trunk, access, port)", p->w[0]);
}

/* Each line of buf: split into words and, when it has some, handed to statement(). */
static int
parse_text(struct parser *p, const char *buf, size_t len)
{
	char line[VT_LINE_MAX + 1];
	size_t pos = 0;
	int ret;

	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl != NULL ? (size_t)(nl - buf) : len;
		size_t n = end - pos;

		p->line++;
		if (n > VT_LINE_MAX)
			return parse_fail(p, "line longer than %d characters", VT_LINE_MAX);
		memcpy(line, buf + pos, n);
		line[n] = '\0';
		if (strlen(line) != n)
			return parse_fail(p, "NUL byte in line");
		ret = parse_words(p, line);
		if (ret == 0 && p->n > 0)
			ret = statement(p);
		if (ret != 0)
			return ret;
		pos = end + 1;
	}
	return 0;
}

int
vt_conf_parse(const char *buf, size_t len, struct vt_conf *conf, char *err, size_t errlen)
{
	struct parser p = {.conf = conf, .err = err, .errlen = errlen};
	unsigned int i;
	int ret;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (conf == NULL || (buf == NULL && len > 0))
		return parse_fail(&p, "no configuration");
	memset(conf, 0, sizeof(*conf));
	conf->trunk_port = -1;
	conf->stpid = VT_TPID_STAG;

	ret = parse_text(&p, buf, len);
	if (ret != 0)
		return ret;
	p.line = 0;
	if (conf->trunk_port < 0)
		return parse_fail(&p, "no trunk port declared");
	if (conf->nb_access == 0)
		return parse_fail(&p, "no access port declared");
	for (i = 0; i < conf->nb_port_opt; i++) {
		const struct vt_port_opt *o = &conf->port_opt[i];

		p.line = o->line;
		if ((int)o->port != conf->trunk_port && vt_conf_access_of(conf, o->port) == NULL)
			return parse_fail(&p, "port %u is neither the trunk nor an access port",
					  o->port);
	}
	return 0;
}

int
vt_conf_load(const char *path, struct vt_conf *conf, char *err, size_t errlen)
{
	/* Far more than any sensible configuration of VT_MAX_PORTS lines. */
	static char buf[VT_CONF_FILE_MAX];
	size_t len;
	FILE *f;
	int ret;

	f = fopen(path, "r");
	if (f == NULL) {
		ret = -errno;
		if (err != NULL)
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return ret;
	}
	len = fread(buf, 1, sizeof(buf), f);
	ret = ferror(f) ? -EIO : 0;
	if (ret == 0 && !feof(f))
		ret = -EFBIG;
	fclose(f);
	if (ret != 0) {
		if (err != NULL)
			snprintf(err, errlen, "%s: %s", path,
				 ret == -EFBIG ? "file larger than 64 KiB" : "read error");
		return ret;
	}
	ret = vt_conf_parse(buf, len, conf, err, errlen);
	if (ret != 0 && err != NULL) {
		char tmp[256];

		snprintf(tmp, sizeof(tmp), "%s", err);
		snprintf(err, errlen, "%s: %s", path, tmp);
	}
	return ret;
}

const struct vt_access *
vt_conf_access_of(const struct vt_conf *conf, uint16_t port)
{
	unsigned int i;

	for (i = 0; i < conf->nb_access; i++)
		if (conf->access[i].port == port)
			return &conf->access[i];
	return NULL;
}

const struct vt_port_opt *
vt_conf_port_opt(const struct vt_conf *conf, uint16_t port)
{
	unsigned int i;

	for (i = 0; i < conf->nb_port_opt; i++)
		if (conf->port_opt[i].port == port)
			return &conf->port_opt[i];
	return NULL;
}

unsigned int
vt_conf_max_depth(const struct vt_conf *conf)
{
	unsigned int i, d = 0;

	for (i = 0; i < conf->nb_access; i++)
		d = RTE_MAX(d, (unsigned int)conf->access[i].depth);
	return d;
}

char *
vt_conf_stack_str(const struct vt_access *a, char *buf, size_t size)
{
	size_t n = 0;
	unsigned int i;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < a->depth && n < size; i++) {
		int w = snprintf(buf + n, size - n, "%s%u", i ? "/" : "", a->vid[i]);

		if (w < 0)
			break;
		n += (size_t)w;
	}
	return buf;
}
