/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/*
 * Lookup tables, built from the configuration with DPDK's own libraries:
 *   - security policies: rte_acl, one context per direction and family; the
 *     file order is kept as the rule priority, so that the first policy that
 *     matches wins (RFC 4301 4.4.1), whatever the number of policies;
 *   - routes: rte_lpm (IPv4) and rte_lpm6 (IPv6), longest prefix (ipl.lpm4 and
 *     ipl.lpm6: the routing of a packet by them is inline in ipl.h);
 *   - inbound SAs by (SPI, our tunnel address): rte_hash, looked up in bulk;
 *     our tunnel addresses: rte_hash too.
 * IPv4 addresses live in the hash keys as IPv4-mapped IPv6 addresses
 * (::ffff:a.b.c.d), which are no valid tunnel endpoint of their own.
 */

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <rte_acl.h>
#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_ip.h>
#include <rte_jhash.h>
#include <rte_lcore.h>
#include <rte_lpm.h>
#include <rte_lpm6.h>
#include <rte_udp.h>

#include "ipl.h"

enum { ACL4_PROTO, ACL4_SRC, ACL4_DST, ACL4_NB };
enum { ACL6_PROTO, ACL6_SRC0, ACL6_DST0 = ACL6_SRC0 + 4, ACL6_NB = ACL6_DST0 + 4 };

RTE_ACL_RULE_DEF(acl4_rule, ACL4_NB);
RTE_ACL_RULE_DEF(acl6_rule, ACL6_NB);

/* rte_acl wants a one-byte first field, the others in groups of 4 bytes. Offsets are from
 * the start of the IP header. */
static const struct rte_acl_field_def acl4_defs[ACL4_NB] = {
	{.type = RTE_ACL_FIELD_TYPE_BITMASK,
	 .size = 1,
	 .field_index = ACL4_PROTO,
	 .input_index = 0,
	 .offset = offsetof(struct rte_ipv4_hdr, next_proto_id)},
	{.type = RTE_ACL_FIELD_TYPE_MASK,
	 .size = 4,
	 .field_index = ACL4_SRC,
	 .input_index = 1,
	 .offset = offsetof(struct rte_ipv4_hdr, src_addr)},
	{.type = RTE_ACL_FIELD_TYPE_MASK,
	 .size = 4,
	 .field_index = ACL4_DST,
	 .input_index = 2,
	 .offset = offsetof(struct rte_ipv4_hdr, dst_addr)},
};

#define ACL6_WORD(f, i, base)                                                                      \
	{                                                                                          \
		.type = RTE_ACL_FIELD_TYPE_MASK, .size = 4, .field_index = (f) + (i),              \
		.input_index = (f) + (i), .offset = (base) + 4 * (i)                               \
	}

static const struct rte_acl_field_def acl6_defs[ACL6_NB] = {
	{.type = RTE_ACL_FIELD_TYPE_BITMASK,
	 .size = 1,
	 .field_index = ACL6_PROTO,
	 .input_index = 0,
	 .offset = offsetof(struct rte_ipv6_hdr, proto)},
	ACL6_WORD(ACL6_SRC0, 0, offsetof(struct rte_ipv6_hdr, src_addr)),
	ACL6_WORD(ACL6_SRC0, 1, offsetof(struct rte_ipv6_hdr, src_addr)),
	ACL6_WORD(ACL6_SRC0, 2, offsetof(struct rte_ipv6_hdr, src_addr)),
	ACL6_WORD(ACL6_SRC0, 3, offsetof(struct rte_ipv6_hdr, src_addr)),
	ACL6_WORD(ACL6_DST0, 0, offsetof(struct rte_ipv6_hdr, dst_addr)),
	ACL6_WORD(ACL6_DST0, 1, offsetof(struct rte_ipv6_hdr, dst_addr)),
	ACL6_WORD(ACL6_DST0, 2, offsetof(struct rte_ipv6_hdr, dst_addr)),
	ACL6_WORD(ACL6_DST0, 3, offsetof(struct rte_ipv6_hdr, dst_addr)),
};

/** Hash key of an inbound SA: 20 bytes, no padding (rte_hash hashes them all). */
struct sa_key {
	uint32_t spi;	 /**< Host order. */
	uint8_t dst[16]; /**< Our tunnel address, IPv4-mapped for IPv4. */
};
_Static_assert(sizeof(struct sa_key) == 20, "struct sa_key has padding");

static struct {
	struct rte_acl_ctx *acl[2][2]; /**< [direction][0: IPv4, 1: IPv6]; NULL: no policy. */
	struct rte_hash *sa_hash;
	struct rte_hash *local_hash;
} tab;

static void
addr_key(const struct ipl_addr *a, uint8_t key[16])
{
	if (a->family == IPL_AF_INET6) {
		memcpy(key, a->v6, 16);
		return;
	}
	memset(key, 0, 10);
	key[10] = key[11] = 0xff;
	*(uint32_t *)(key + 12) = rte_cpu_to_be_32(a->v4);
}

/* Whether a policy's selectors admit family af (4 or 6). */
static bool
sp_family(const struct ipl_sp_conf *sp, uint8_t af)
{
	return (sp->src.a.family == IPL_AF_ANY || sp->src.a.family == af) &&
	       (sp->dst.a.family == IPL_AF_ANY || sp->dst.a.family == af);
}

/* Rule field of one 32-bit word of a prefix: the word's value and how many of its bits
 * the prefix covers. */
static void
acl_word(struct rte_acl_field *f, const struct ipl_prefix *p, unsigned int word)
{
	int bits = (int)p->len - 32 * (int)word;
	uint32_t v;

	if (p->a.family == IPL_AF_INET6)
		memcpy(&v, p->a.v6 + 4 * word, 4), v = rte_be_to_cpu_32(v);
	else
		v = p->a.v4;
	f->value.u32 = p->a.family == IPL_AF_ANY ? 0 : v;
	f->mask_range.u32 = bits < 0 ? 0 : bits > 32 ? 32 : (uint32_t)bits;
}

static int
acl_build(enum ipl_dir dir, uint8_t af)
{
	bool v6 = af == IPL_AF_INET6;
	unsigned int nb_fields = v6 ? ACL6_NB : ACL4_NB, i, w, nb = 0;
	struct rte_acl_param prm = {0};
	struct rte_acl_config cfg = {0};
	struct acl6_rule r;
	struct rte_acl_ctx *ctx;
	char name[RTE_ACL_NAMESIZE];
	int rc;

	for (i = 0; i < ipl.conf.nb_sp; i++)
		if (ipl.conf.sp[i].dir == dir && sp_family(&ipl.conf.sp[i], af))
			nb++;
	if (nb == 0)
		return 0;
	snprintf(name, sizeof(name), "ipl_sp%s%u", dir == IPL_DIR_OUT ? "out" : "in", af);
	prm.name = name;
	prm.socket_id = rte_socket_id();
	prm.rule_size = v6 ? RTE_ACL_RULE_SZ(ACL6_NB) : RTE_ACL_RULE_SZ(ACL4_NB);
	prm.max_rule_num = nb;
	ctx = rte_acl_create(&prm);
	if (ctx == NULL)
		return -rte_errno;
	tab.acl[dir][v6] = ctx;
	for (i = 0; i < ipl.conf.nb_sp; i++) {
		const struct ipl_sp_conf *sp = &ipl.conf.sp[i];

		if (sp->dir != dir || !sp_family(sp, af))
			continue;
		memset(&r, 0, sizeof(r));
		r.data.category_mask = 1;
		/* Higher wins in rte_acl: the file order, reversed. */
		r.data.priority = RTE_ACL_MAX_PRIORITY - (int32_t)i;
		r.data.userdata = i + 1; /* 0 is "no match" */
		r.field[0].value.u8 = sp->proto;
		r.field[0].mask_range.u8 = sp->proto == 0 ? 0 : 0xff;
		if (v6) {
			for (w = 0; w < 4; w++) {
				acl_word(&r.field[ACL6_SRC0 + w], &sp->src, w);
				acl_word(&r.field[ACL6_DST0 + w], &sp->dst, w);
			}
		} else {
			acl_word(&r.field[ACL4_SRC], &sp->src, 0);
			acl_word(&r.field[ACL4_DST], &sp->dst, 0);
		}
		rc = rte_acl_add_rules(ctx, (const struct rte_acl_rule *)&r, 1);
		if (rc != 0)
			return rc;
	}
	cfg.num_categories = 1;
	cfg.num_fields = nb_fields;
	memcpy(cfg.defs, v6 ? acl6_defs : acl4_defs, nb_fields * sizeof(cfg.defs[0]));
	return rte_acl_build(ctx, &cfg);
}

struct key6 {
	uint8_t a[16];
	uint8_t len;
};

static int
key6_cmp(const void *x, const void *y)
{
	return memcmp(((const struct key6 *)x)->a, ((const struct key6 *)y)->a, 16);
}

/*
 * tbl8s rte_lpm6 needs for the IPv6 routes: past its 24-bit first level, one per
 * distinct leading b bytes (b = 3 .. 15) among the routes longer than 8 b bits.
 */
static unsigned int
lpm6_tbl8s(void)
{
	struct key6 *k = malloc(ipl.conf.nb_routes * sizeof(*k) + 1);
	unsigned int i, n = 0, b, need = 0;
	int prev;

	if (k == NULL)
		return 0;
	for (i = 0; i < ipl.conf.nb_routes; i++) {
		const struct ipl_route_conf *r = &ipl.conf.route[i];

		if (r->dst.a.family != IPL_AF_INET6 || r->dst.len <= 24)
			continue;
		memcpy(k[n].a, r->dst.a.v6, 16);
		k[n++].len = r->dst.len;
	}
	qsort(k, n, sizeof(*k), key6_cmp);
	/* Sorted, a new prefix of b bytes starts where it differs from the one before. */
	for (b = 3; b < 16; b++) {
		for (i = 0, prev = -1; i < n; i++) {
			if (k[i].len <= 8 * b)
				continue;
			if (prev < 0 || memcmp(k[i].a, k[prev].a, b) != 0)
				need++;
			prev = (int)i;
		}
	}
	free(k);
	return need;
}

static int
routes_build(void)
{
	struct rte_lpm6_config c6 = {0};
	struct rte_lpm_config c4 = {0};
	unsigned int i, nb4 = 0, nb6 = 0, deep4 = 0;
	uint8_t key[16];
	int rc;

	for (i = 0; i < ipl.conf.nb_routes; i++) {
		const struct ipl_route_conf *r = &ipl.conf.route[i];

		if (r->dst.a.family != IPL_AF_INET6) {
			nb4++;
			deep4 += r->dst.len > 24;
		}
		if (r->dst.a.family != IPL_AF_INET)
			nb6++;
	}
	if (nb4 > 0) {
		/* A tbl8 per /24 that holds longer prefixes: at most one per such route. */
		c4.max_rules = nb4;
		c4.number_tbl8s = RTE_MAX(deep4, 256u);
		ipl.lpm4 = rte_lpm_create("ipl_routes", rte_socket_id(), &c4);
		if (ipl.lpm4 == NULL)
			return -rte_errno;
	}
	if (nb6 > 0) {
		c6.max_rules = nb6;
		c6.number_tbl8s = RTE_MAX(lpm6_tbl8s(), 256u);
		ipl.lpm6 = rte_lpm6_create("ipl_routes6", rte_socket_id(), &c6);
		if (ipl.lpm6 == NULL)
			return -rte_errno;
	}
	for (i = 0; i < ipl.conf.nb_routes; i++) {
		const struct ipl_route_conf *r = &ipl.conf.route[i];

		if (r->dst.a.family != IPL_AF_INET6) {
			rc = rte_lpm_add(ipl.lpm4, r->dst.a.v4, r->dst.len, i);
			if (rc != 0)
				goto fail;
		}
		if (r->dst.a.family != IPL_AF_INET) {
			memset(key, 0, sizeof(key));
			if (r->dst.a.family == IPL_AF_INET6)
				memcpy(key, r->dst.a.v6, 16);
			rc = rte_lpm6_add(ipl.lpm6, IPL_LPM6_KEY(key), r->dst.len, i);
			if (rc != 0)
				goto fail;
		}
	}
	return 0;
fail:
	printf("route on line %d: cannot add it to the table: %s\n", ipl.conf.route[i].line,
	       strerror(-rc));
	return rc;
}

static int
sa_build(void)
{
	struct rte_hash_parameters hp = {
		.entries = RTE_MAX(2 * ipl.nb_sa_in, 64u),
		.key_len = sizeof(struct sa_key),
		.hash_func = rte_jhash,
		.socket_id = (int)rte_socket_id(),
	};
	unsigned int i;
	int rc;

	hp.name = "ipl_sa_in";
	tab.sa_hash = rte_hash_create(&hp);
	hp.name = "ipl_local";
	hp.key_len = 16;
	tab.local_hash = rte_hash_create(&hp);
	if (tab.sa_hash == NULL || tab.local_hash == NULL)
		return -rte_errno;
	for (i = 0; i < ipl.nb_sa_in; i++) {
		const struct ipl_sa *sa = ipl.sa_in[i];
		struct sa_key k;

		memset(&k, 0, sizeof(k));
		k.spi = sa->spi;
		addr_key(&sa->local, k.dst);
		rc = rte_hash_add_key_data(tab.sa_hash, &k, (void *)(uintptr_t)sa);
		if (rc == 0)
			rc = rte_hash_add_key(tab.local_hash, k.dst) < 0 ? -ENOSPC : 0;
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
ipl_spd_init(void)
{
	int rc = 0, dir;

	for (dir = IPL_DIR_OUT; dir <= IPL_DIR_IN && rc == 0; dir++) {
		rc = acl_build(dir, IPL_AF_INET);
		if (rc == 0)
			rc = acl_build(dir, IPL_AF_INET6);
	}
	if (rc != 0) {
		printf("security policies: cannot build the rte_acl tables: %s\n", strerror(-rc));
		return rc;
	}
	rc = routes_build();
	if (rc == 0)
		rc = sa_build();
	return rc;
}

void
ipl_spd_fini(void)
{
	unsigned int d, f;

	for (d = 0; d < 2; d++)
		for (f = 0; f < 2; f++)
			rte_acl_free(tab.acl[d][f]);
	rte_lpm_free(ipl.lpm4);
	ipl.lpm4 = NULL;
	rte_lpm6_free(ipl.lpm6);
	ipl.lpm6 = NULL;
	rte_hash_free(tab.sa_hash);
	rte_hash_free(tab.local_hash);
	memset(&tab, 0, sizeof(tab));
}

/* An IPv6 fragment's selectors: its header with the upper-layer protocol of its fragment
 * header (each fragment meets the policy: no policy here names ports, RFC 4301 7.1). */
static const uint8_t *
frag6_selectors(const struct rte_mbuf *m, uint8_t *copy)
{
	const uint8_t *h = rte_pktmbuf_mtod(m, const uint8_t *);

	memcpy(copy, h, sizeof(struct rte_ipv6_hdr));
	if (rte_pktmbuf_data_len(m) > sizeof(struct rte_ipv6_hdr))
		copy[offsetof(struct rte_ipv6_hdr, proto)] = h[sizeof(struct rte_ipv6_hdr)];
	return copy;
}

void
ipl_spd_classify(enum ipl_dir dir, struct rte_mbuf **m, uint16_t n, const struct ipl_sp_conf **sp)
{
	const uint8_t *data[2][IPL_BURST];
	uint8_t frag6[IPL_BURST][sizeof(struct rte_ipv6_hdr)];
	uint32_t res[IPL_BURST];
	uint16_t idx[2][IPL_BURST], nb[2] = {0, 0}, i, f;
	unsigned int fams = 0;

	/* Most bursts are of one family: one rte_acl context, in order. */
	for (i = 0; i < n; i++) {
		const uint8_t *h = rte_pktmbuf_mtod(m[i], const uint8_t *);

		data[0][i] = h;
		fams |= (h[0] >> 4) == 6 ? (h[6] == IPPROTO_FRAGMENT ? 4u : 2u) : 1u;
	}
	if (likely(fams == 1 || fams == 2)) {
		struct rte_acl_ctx *ctx = tab.acl[dir][fams == 2];

		if (ctx == NULL) {
			for (i = 0; i < n; i++)
				sp[i] = NULL;
			return;
		}
		rte_acl_classify(ctx, data[0], res, n, 1);
		for (i = 0; i < n; i++)
			sp[i] = res[i] == 0 ? NULL : &ipl.conf.sp[res[i] - 1];
		return;
	}
	/* Mixed, or IPv6 fragments: split, classify, put back in order. */
	for (i = 0; i < n; i++) {
		const uint8_t *h = rte_pktmbuf_mtod(m[i], const uint8_t *);

		f = (h[0] >> 4) == 6;
		if (unlikely(f && h[6] == IPPROTO_FRAGMENT))
			h = frag6_selectors(m[i], frag6[i]);
		data[f][nb[f]] = h;
		idx[f][nb[f]++] = i;
	}
	for (f = 0; f < 2; f++) {
		if (nb[f] == 0)
			continue;
		if (tab.acl[dir][f] == NULL) {
			for (i = 0; i < nb[f]; i++)
				sp[idx[f][i]] = NULL;
			continue;
		}
		rte_acl_classify(tab.acl[dir][f], data[f], res, nb[f], 1);
		for (i = 0; i < nb[f]; i++)
			sp[idx[f][i]] = res[i] == 0 ? NULL : &ipl.conf.sp[res[i] - 1];
	}
}

bool
ipl_addr_is_local(uint8_t family, const uint8_t *addr)
{
	uint8_t key[16];

	if (family == IPL_AF_INET6)
		return rte_hash_lookup(tab.local_hash, addr) >= 0;
	memset(key, 0, 10);
	key[10] = key[11] = 0xff;
	memcpy(key + 12, addr, 4);
	return rte_hash_lookup(tab.local_hash, key) >= 0;
}

/* Key of an ESP packet: its SPI and destination; false if it has no room for the SPI. */
static bool
esp_key(const struct rte_mbuf *m, struct sa_key *k)
{
	const uint8_t *h = rte_pktmbuf_mtod(m, const uint8_t *);
	const unsigned int off = ipl_esp_offset(h);
	uint32_t spi;

	if ((h[0] >> 4) == 6) {
		memcpy(k->dst, IPL_IP6(((const struct rte_ipv6_hdr *)h)->dst_addr), 16);
	} else {
		memset(k->dst, 0, 10);
		k->dst[10] = k->dst[11] = 0xff;
		memcpy(k->dst + 12, &((const struct rte_ipv4_hdr *)h)->dst_addr, 4);
	}
	if (rte_pktmbuf_data_len(m) < off + 8)
		return false;
	memcpy(&spi, h + off, 4);
	k->spi = rte_be_to_cpu_32(spi);
	return true;
}

void
ipl_sa_inbound_bulk(struct ipl_lcore *lc, struct rte_mbuf **m, uint16_t n, const struct ipl_sa **sa,
		    enum ipl_esp_class *cls)
{
	struct sa_key keys[IPL_BURST];
	const void *kp[IPL_BURST];
	void *data[IPL_BURST];
	uint64_t hits = 0;
	uint16_t i, k = 0;
	uint16_t pos[IPL_BURST];

	for (i = 0; i < n; i++) {
		if (!esp_key(m[i], &keys[i])) {
			sa[i] = NULL;
			cls[i] = rte_hash_lookup(tab.local_hash, keys[i].dst) >= 0
					 ? IPL_ESP_SHORT
					 : IPL_ESP_TRANSIT;
			continue;
		}
		kp[k] = &keys[i];
		pos[k++] = i;
	}
	if (k == 0)
		return;
	rte_hash_lookup_bulk_data(tab.sa_hash, kp, k, &hits, data);
	for (i = 0; i < k; i++) {
		uint16_t j = pos[i];

		if (hits & (1ULL << i)) {
			sa[j] = data[i];
			cls[j] = IPL_ESP_SA;
			lc->sa_cache[sa[j]->spi & (IPL_SA_CACHE - 1)] = sa[j];
		} else {
			sa[j] = NULL;
			cls[j] = rte_hash_lookup(tab.local_hash, keys[j].dst) >= 0
					 ? IPL_ESP_UNKNOWN_SPI
					 : IPL_ESP_TRANSIT;
		}
	}
}
