/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/*
 * The configuration's tokenizer and word parsers: lines split into words
 * ('#' starts a comment), numbers, addresses, prefixes, keys, MAC
 * addresses, protocols; errors naming the line. The statements are conf.c's.
 * No DPDK library call, as in conf.c, so that both can be fuzzed on a buffer.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"

int
parse_fail(struct parser *p, const char *fmt, ...)
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

int
parse_u64(const char *s, uint64_t *v)
{
	unsigned long long x;
	char *end;

	if (s == NULL || *s == '\0' || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0')
		return -1;
	*v = x;
	return 0;
}

int
parse_u32(const char *s, uint32_t max, uint32_t *v)
{
	uint64_t x;

	if (parse_u64(s, &x) != 0 || x > max)
		return -1;
	*v = (uint32_t)x;
	return 0;
}

static int
parse_ip4(const char *s, uint32_t *addr)
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

/* a.b.c.d or an IPv6 address (RFC 4291 text forms, as inet_pton reads them). */
int
parse_addr(const char *s, struct ipl_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (strchr(s, ':') == NULL) {
		a->family = IPL_AF_INET;
		return parse_ip4(s, &a->v4);
	}
	if (strlen(s) >= INET6_ADDRSTRLEN || inet_pton(AF_INET6, s, a->v6) != 1)
		return -1;
	a->family = IPL_AF_INET6;
	return 0;
}

/* Clear the bits of a past len. */
static void
addr_mask(struct ipl_addr *a, unsigned int len)
{
	unsigned int i;

	if (a->family == IPL_AF_INET) {
		a->v4 = len == 0 ? 0 : a->v4 & (UINT32_MAX << (32 - len));
		return;
	}
	for (i = 0; i < 16; i++) {
		unsigned int bits = len > 8 * i ? len - 8 * i : 0;

		if (bits < 8)
			a->v6[i] &= (uint8_t)(0xff00 >> bits);
	}
}

int
parse_prefix(const char *s, struct ipl_prefix *p)
{
	char buf[64];
	char *slash;
	uint32_t len;

	memset(p, 0, sizeof(*p));
	if (strcmp(s, "any") == 0)
		return 0; /* IPL_AF_ANY, length 0 */
	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash != NULL)
		*slash = '\0';
	if (parse_addr(buf, &p->a) != 0)
		return -1;
	len = p->a.family == IPL_AF_INET ? 32 : 128;
	if (slash != NULL && parse_u32(slash + 1, len, &len) != 0)
		return -1;
	p->len = (uint8_t)len;
	addr_mask(&p->a, len);
	return 0;
}

int
ipl_prefix_match(const struct ipl_prefix *p, const struct ipl_addr *addr)
{
	struct ipl_addr a;

	if (p->a.family == IPL_AF_ANY)
		return 1;
	if (p->a.family != addr->family)
		return 0;
	a = *addr;
	addr_mask(&a, p->len);
	if (a.family == IPL_AF_INET)
		return a.v4 == p->a.v4;
	return memcmp(a.v6, p->a.v6, 16) == 0;
}

const struct ipl_route_conf *
ipl_conf_route(const struct ipl_conf *c, const struct ipl_addr *dst)
{
	const struct ipl_route_conf *best = NULL;
	unsigned int i;

	for (i = 0; i < c->nb_routes; i++) {
		const struct ipl_route_conf *r = &c->route[i];

		if (ipl_prefix_match(&r->dst, dst) && (best == NULL || r->dst.len > best->dst.len))
			best = r;
	}
	return best;
}

const char *
ipl_addr_str(const struct ipl_addr *a, char *buf, size_t len)
{
	uint32_t v = a->v4;

	if (a->family == IPL_AF_INET6) {
		if (inet_ntop(AF_INET6, a->v6, buf, len) == NULL)
			snprintf(buf, len, "?");
	} else {
		snprintf(buf, len, "%u.%u.%u.%u", v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff,
			 v & 0xff);
	}
	return buf;
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
int
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

int
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

int
parse_proto(const char *s, uint8_t *proto)
{
	uint32_t v;

	if (strcmp(s, "icmp") == 0)
		*proto = 1;
	else if (strcmp(s, "icmp6") == 0)
		*proto = 58;
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

int
parse_words(struct parser *p, char *s)
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
		if (p->n == PARSE_WORDS_MAX)
			return parse_fail(p, "too many words");
		p->w[p->n++] = s;
		while (*s != '\0' && *s != ' ' && *s != '\t' && *s != '\r')
			s++;
		if (*s != '\0')
			*s++ = '\0';
	}
	return 0;
}

int
parse_text(struct parser *p, const char *buf, size_t len, int (*statement)(struct parser *p))
{
	char line[PARSE_LINE_MAX];
	size_t pos = 0;
	int rc;

	while (pos < len) {
		size_t end = pos;

		while (end < len && buf[end] != '\n')
			end++;
		p->line++;
		if (end - pos >= sizeof(line))
			return parse_fail(p, "line longer than %d characters", PARSE_LINE_MAX - 1);
		if (memchr(buf + pos, '\0', end - pos) != NULL)
			return parse_fail(p, "NUL character");
		memcpy(line, buf + pos, end - pos);
		line[end - pos] = '\0';
		rc = parse_words(p, line);
		if (rc == 0 && p->n > 0)
			rc = statement(p);
		if (rc != 0)
			return rc;
		pos = end + 1;
	}
	return 0;
}
