/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

#ifndef IPL_PARSER_H
#define IPL_PARSER_H

/**
 * @file
 * dpdk-ipsec-loop configuration: the tokenizer and the parsers of single words,
 * which the statement parsers of conf.c call (as ipsec-secgw keeps parser.c apart from
 * each table's parse_*_tokens). libc and rte_common.h's macros only. The helpers have
 * the names of vlan-tag's conf.c: parse_fail(), parse_words(), parse_text(), then
 * statement() and one stmt_*() per keyword in conf.c.
 */

#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>

#include "conf.h"

#define PARSE_LINE_MAX 512
#define PARSE_WORDS_MAX 32

/** A configuration being parsed: the line at hand split into words. */
struct parser {
	struct ipl_conf *conf;
	int line;
	char *w[PARSE_WORDS_MAX];
	int n;
	char *err;
	size_t errlen;
};

/** "line N: " and the message into p->err; returns -EINVAL. */
int parse_fail(struct parser *p, const char *fmt, ...) __rte_format_printf(2, 3);
/** Split s (modified) into p->w[0 .. p->n), '#' to the end of the line a comment. */
int parse_words(struct parser *p, char *s);
/**
 * Each line of buf: split into words and, when it has some, handed to @p statement.
 * @return 0, or the first error (lines too long, NUL, too many words, a statement's).
 */
int parse_text(struct parser *p, const char *buf, size_t len, int (*statement)(struct parser *p));

/* Single words: 0, or -1 when s is not one. */
/** Decimal or 0x hex, no sign. */
int parse_u64(const char *s, uint64_t *v);
/** The same, at most max. */
int parse_u32(const char *s, uint32_t max, uint32_t *v);
/** a.b.c.d, or IPv6 (RFC 4291 text). */
int parse_addr(const char *s, struct ipl_addr *a);
/** addr/len or 'any'; host bits cleared. */
int parse_prefix(const char *s, struct ipl_prefix *p);
/** Hex digits (an optional 0x), at most max bytes; the number of bytes, or -1. */
int parse_hex(const char *s, uint8_t *out, size_t max);
/** aa:bb:cc:dd:ee:ff. */
int parse_mac(const char *s, uint8_t mac[6]);
/** icmp, icmp6, tcp, udp, esp or 0..255. */
int parse_proto(const char *s, uint8_t *proto);

#endif /* IPL_PARSER_H */
