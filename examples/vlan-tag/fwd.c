/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/*
 * The packet path. Trunk RX takes the VLAN headers off and records each one
 * as an MTAG_TYPE_VLAN tag; the lookup reads those records. Access RX leaves
 * an MTAG_TYPE_VLAN_INSERT reminder per header to insert; the trunk's TX
 * stage consumes the reminders just before the PMD. With the store set to
 * VT_STORE_LOCAL the same path keeps the VLANs in local variables instead:
 * the benchmark's baseline.
 *
 * Tags left on packets going to a port (the records, on access ports) are
 * dropped by the mtag_eth_tx_strip() callback installed on every TX queue.
 */

#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_lcore.h>
#include <rte_prefetch.h>

#include "fwd.h"
#include "vlan.h"

struct vt_fwd vt_fwd;
volatile bool vt_force_quit;
volatile bool vt_rx_done;
struct mtag_capture *vt_capture;
uint16_t vt_drop_type[VT_DROP_MAX];

/* Busy time of a burst beyond which the benchmark ignores it (about 20 us). */
#define VT_BURST_CYCLES_MAX 50000

/* Packets of one RX burst bound for one TX port. */
struct out_buf {
	uint16_t n;
	struct rte_mbuf *pkts[VT_BURST];
	/* VT_STORE_LOCAL: the access port each packet came from, i.e. its VLANs. */
	int16_t acc[VT_BURST];
	/* VT_STORE_LOCAL: PCP and DEI of a priority tag, | PRIO_SET; 0: none. */
	uint16_t prio[VT_BURST];
};

/* With the PCP/DEI bits of a TCI, marks a priority tag (its VID bits are 0). */
#define PRIO_SET 1

struct lcore_ctx {
	struct vt_lcore_stats *st;
	struct out_buf out[RTE_MAX_ETHPORTS];
	uint16_t queue; /* RX and TX queue of this lcore on every port */
	bool pipeline;
};

static struct lcore_ctx lcore_ctx[RTE_MAX_LCORE];

int
vt_fwd_init(const struct vt_conf *conf)
{
	unsigned int i, d;

	vt_fwd.conf = *conf;
	vt_fwd.trunk = (uint16_t)conf->trunk_port;
	vt_fwd.nb_ports = 0;
	vt_fwd.ports[vt_fwd.nb_ports++] = vt_fwd.trunk;
	for (i = 0; i < RTE_DIM(vt_fwd.access_of_port); i++)
		vt_fwd.access_of_port[i] = -1;
	for (i = 0; i < RTE_DIM(vt_fwd.access_of_vid); i++)
		vt_fwd.access_of_vid[i] = -1;
	for (i = 0; i < conf->nb_access; i++) {
		const struct vt_access *a = &conf->access[i];

		vt_fwd.ports[vt_fwd.nb_ports++] = a->port;
		vt_fwd.access_of_port[a->port] = (int16_t)i;
		if (a->depth == 1)
			vt_fwd.access_of_vid[a->vid[0]] = (int16_t)i;
		/* Service tags outside, one customer tag innermost. */
		for (d = 0; d < a->depth; d++) {
			vt_fwd.insert_hdr[i][d].tpid =
				d + 1 < a->depth ? conf->stpid : VT_TPID_CTAG;
			vt_fwd.insert_hdr[i][d].tci = VT_TCI(a->pcp, a->dei, a->vid[d]);
		}
	}
	return 0;
}

/* Access port of a VLAN stack given innermost first (the order of a tag chain). */
static inline int
lookup(const uint16_t *vid_inner_first, unsigned int n)
{
	unsigned int i, k;

	if (n == 1)
		return vt_fwd.access_of_vid[vid_inner_first[0]];
	for (i = 0; i < vt_fwd.conf.nb_access; i++) {
		const struct vt_access *a = &vt_fwd.conf.access[i];

		if (a->depth != n)
			continue;
		for (k = 0; k < n; k++)
			if (a->vid[k] != vid_inner_first[n - 1 - k])
				break;
		if (k == n)
			return (int)i;
	}
	return -1;
}

/* Access port of a packet, read from its MTAG_TYPE_VLAN records. */
static inline int
lookup_tags(const struct rte_mbuf *m)
{
	uint16_t vid[VT_VLAN_MAX];
	unsigned int n = 0;
	bool newest = true;
	struct mtag *t;

	/* Every VLAN record, newest (innermost) first, in one loop over the chain. */
	for (t = mtag_first(m); t != NULL; t = mtag_next(m, t)) {
		uint16_t v;

		if (t->type != MTAG_TYPE_VLAN || t->cookie != MTAG_ABI_COMPAT)
			continue;
		/* VID 0 in the newest record is a priority tag's (record_prio()), which names no
		 * VLAN; further out it is a VLAN header's, looked up as --store local does. */
		v = VT_TCI_VID(((const struct mtag_vlan *)mtag_data(t))->tci);
		if (v == 0 && newest) {
			newest = false;
			continue;
		}
		newest = false;
		if (n == VT_VLAN_MAX)
			return -1;
		vid[n++] = v;
	}
	return n == 0 ? -1 : lookup(vid, n);
}

/* --capture: dropped frames, each with a tag that names the reason on top
 * of the tags it has (when the pool is dry, without it). */
static __rte_noinline void
capture_drops(const struct lcore_ctx *lc, struct rte_mbuf **pkts, uint16_t n, uint16_t port,
	      enum vt_drop why, enum rte_pcapng_direction dir)
{
	uint16_t i;

	for (i = 0; i < n; i++)
		mtag_add(pkts[i], vt_drop_type[why], 0, 0);
	mtag_capture_burst(vt_capture, port, lc->queue, pkts, n, dir);
}

static inline void
drop(struct lcore_ctx *lc, struct rte_mbuf *m, uint16_t port, enum vt_drop why)
{
	lc->st->port[port].drop[why]++;
	if (unlikely(vt_capture != NULL))
		capture_drops(lc, &m, 1, port, why, RTE_PCAPNG_DIRECTION_IN);
	mtag_pktmbuf_free(m);
}

/* Frames a TX queue or ring did not take. */
static inline void
drop_tx(struct lcore_ctx *lc, struct rte_mbuf **pkts, uint16_t n, uint16_t port)
{
	lc->st->port[port].drop[VT_DROP_TX_FULL] += n;
	if (unlikely(vt_capture != NULL))
		capture_drops(lc, pkts, n, port, VT_DROP_TX_FULL, RTE_PCAPNG_DIRECTION_OUT);
	mtag_pktmbuf_free_bulk(pkts, n);
}

static const enum vt_drop frame_drop[] = {
	[VT_FRAME_UNTAGGED] = VT_DROP_UNTAGGED,	   [VT_FRAME_RUNT] = VT_DROP_RUNT,
	[VT_FRAME_BAD_TPID] = VT_DROP_BAD_TPID,	   [VT_FRAME_TOO_DEEP] = VT_DROP_TOO_DEEP,
	[VT_FRAME_TAGGED] = VT_DROP_TAGGED_ACCESS,
};

static inline const struct mtag_vlan *
vlan_of(struct mtag *t)
{
	return (const struct mtag_vlan *)mtag_data(t);
}

/* Prepend one VLAN record or reminder to a packet. */
static inline int
add_vlan(struct rte_mbuf *m, uint16_t type, const struct mtag_vlan *v)
{
	struct mtag_vlan *d = mtag_add(m, type, sizeof(*d), 0);

	if (unlikely(d == NULL))
		return -1;
	*d = *v;
	return 0;
}

/* Record of a priority tag (VID 0): its PCP and DEI, for whoever sends the frame on. */
static inline int
record_prio(struct rte_mbuf *m, const struct mtag_vlan *prio)
{
	return add_vlan(m, MTAG_TYPE_VLAN, prio);
}

/* Frames longer than the TX port's MTU would be dropped by the NIC unseen. */
static inline int
too_big(const struct rte_mbuf *m, uint16_t port)
{
	return rte_pktmbuf_pkt_len(m) > (uint32_t)vt_fwd.mtu[port] + RTE_ETHER_HDR_LEN;
}

/*
 * Record a packet's VLANs as tags, outermost first, so that the newest tag
 * (mtag_first) is the innermost VLAN, as when each layer strips its own.
 * @p outer is a tag taken for the outermost header, or NULL.
 */
static inline int
record_vlans(struct rte_mbuf *m, const struct vt_vlan_stack *vs, struct mtag *outer)
{
	unsigned int d = 0;

	if (outer != NULL) {
		*(struct mtag_vlan *)mtag_data(outer) = vs->hdr[d++];
		mtag_prepend(m, outer);
	}
	for (; d < vs->depth; d++)
		if (unlikely(add_vlan(m, MTAG_TYPE_VLAN, &vs->hdr[d]) != 0))
			return -1;
	return 0;
}

static __rte_always_inline void
trunk_rx(struct lcore_ctx *lc, struct rte_mbuf **pkts, uint16_t nb, enum vt_store store)
{
	const uint16_t trunk = vt_fwd.trunk;
	const uint16_t stpid = vt_fwd.conf.stpid;
	const unsigned int rx_flags = vt_fwd.rx_flags[trunk];
	struct mtag *outer[VT_BURST];
	unsigned int have = 0;
	uint16_t i;

	/*
	 * One bulk get takes the outer header's record of every packet (most
	 * have one header); each goes on its packet in the loop, which has the
	 * mbuf at hand. The bulk touches only the tags: mtag_add_burst() here,
	 * a pass over the mbufs before the loop's own, cost 16-20 cycles per
	 * packet more (README, "Where the cycles go").
	 */
	if (store == VT_STORE_TAG)
		have = mtag_get_bulk(MTAG_TYPE_VLAN, sizeof(struct mtag_vlan), 0, outer, nb);
	for (i = 0; i < nb; i++) {
		struct rte_mbuf *m = pkts[i];
		struct mtag *t = have ? outer[i] : NULL;
		struct vt_vlan_stack vs;
		enum vt_frame_status fs;
		struct out_buf *o;
		uint16_t port;
		int idx;

		fs = vt_vlan_rx(m, stpid, rx_flags, &vs);
		if (unlikely(fs != VT_FRAME_OK)) {
			mtag_free(t);
			drop(lc, m, trunk, frame_drop[fs]);
			continue;
		}
		if (store == VT_STORE_TAG) {
			/* On failure the tags already prepended go with the packet. */
			if (unlikely(record_vlans(m, &vs, t) != 0 ||
				     (vs.prio && record_prio(m, &vs.prio_hdr) != 0))) {
				drop(lc, m, trunk, VT_DROP_NO_TAG);
				continue;
			}
			idx = lookup_tags(m);
		} else {
			uint16_t vid[VT_VLAN_MAX];
			unsigned int d;

			for (d = 0; d < vs.depth; d++)
				vid[d] = VT_TCI_VID(vs.hdr[vs.depth - 1 - d].tci);
			idx = lookup(vid, vs.depth);
		}
		if (unlikely(idx < 0)) {
			drop(lc, m, trunk, VT_DROP_UNKNOWN_VLAN);
			continue;
		}
		/* Counted as sent to the port, as to_trunk is: a frame too big for it is then
		 * counted on the port, as the trunk's TX stage counts its own. */
		lc->st->vlan[idx].to_access++;
		port = vt_fwd.conf.access[idx].port;
		if (unlikely(too_big(m, port))) {
			drop(lc, m, port, VT_DROP_TOO_BIG);
			continue;
		}
		o = &lc->out[port];
		o->pkts[o->n++] = m;
	}
}

static __rte_always_inline void
access_rx(struct lcore_ctx *lc, uint16_t port, struct rte_mbuf **pkts, uint16_t nb,
	  enum vt_store store)
{
	const int idx = vt_fwd.access_of_port[port];
	const struct mtag_vlan *hdr = vt_fwd.insert_hdr[idx];
	const unsigned int depth = vt_fwd.conf.access[idx].depth;
	const unsigned int rx_flags = vt_fwd.rx_flags[port];
	struct out_buf *o = &lc->out[vt_fwd.trunk];
	struct mtag *rem[VT_BURST * VT_VLAN_MAX];
	unsigned int have = 0;
	uint16_t i;

	/*
	 * The reminders of the whole burst in one bulk get, put on in the loop
	 * (as in trunk_rx()); without the bulk, packet by packet.
	 */
	if (store == VT_STORE_TAG)
		have = mtag_get_bulk(MTAG_TYPE_VLAN_INSERT, sizeof(struct mtag_vlan), 0, rem,
				     nb * depth);
	for (i = 0; i < nb; i++) {
		struct rte_mbuf *m = pkts[i];
		struct mtag **r = have ? &rem[i * depth] : NULL;
		struct vt_vlan_stack vs;
		enum vt_frame_status fs;
		unsigned int d;

		/* Untagged, or priority-tagged: a PCP and DEI but no VLAN (802.1Q). */
		fs = vt_vlan_access_rx(m, rx_flags, &vs);
		if (unlikely(fs != VT_FRAME_OK)) {
			for (d = 0; r != NULL && d < depth; d++)
				mtag_free(r[d]);
			drop(lc, m, port, frame_drop[fs]);
			continue;
		}
		if (store == VT_STORE_TAG) {
			for (d = 0; r != NULL && d < depth; d++) {
				*(struct mtag_vlan *)mtag_data(r[d]) = hdr[d];
				mtag_prepend(m, r[d]);
			}
			for (; d < depth; d++)
				if (unlikely(add_vlan(m, MTAG_TYPE_VLAN_INSERT, &hdr[d]) != 0))
					break;
			/* The trunk's TX stage gives the headers the priority tag's PCP and DEI. */
			if (unlikely(d < depth || (vs.prio && record_prio(m, &vs.prio_hdr) != 0))) {
				drop(lc, m, port, VT_DROP_NO_TAG);
				continue;
			}
		}
		lc->st->vlan[idx].to_trunk++;
		o->acc[o->n] = (int16_t)idx;
		o->prio[o->n] = vs.prio ? VT_TCI_PRIO(vs.prio_hdr.tci) | PRIO_SET : 0;
		o->pkts[o->n++] = m;
	}
}

/* Consume the VLAN_INSERT reminders of the packets bound for the trunk. */
static __rte_always_inline uint16_t
trunk_tx_stage(struct lcore_ctx *lc, struct out_buf *o, enum vt_store store)
{
	uint16_t i, k = 0;

	for (i = 0; i < o->n; i++) {
		struct rte_mbuf *m = o->pkts[i];
		struct mtag_vlan buf[VT_VLAN_MAX];
		const struct mtag_vlan *hdr;
		uint16_t prio = 0;
		unsigned int n, d;
		int why;

		if (store == VT_STORE_TAG) {
			struct mtag_vlan inner_first[VT_VLAN_MAX];
			struct mtag *t;

			n = 0;
			for (t = mtag_first(m); t != NULL; t = mtag_next(m, t)) {
				if (t->cookie != MTAG_ABI_COMPAT)
					continue;
				if (t->type == MTAG_TYPE_VLAN_INSERT && n < VT_VLAN_MAX)
					inner_first[n++] = *(const struct mtag_vlan *)mtag_data(t);
				else if (t->type == MTAG_TYPE_VLAN &&
					 VT_TCI_VID(vlan_of(t)->tci) == 0)
					prio = VT_TCI_PRIO(vlan_of(t)->tci) | PRIO_SET;
			}
			for (d = 0; d < n; d++)
				buf[d] = inner_first[n - 1 - d];
			hdr = buf;
		} else {
			hdr = vt_fwd.insert_hdr[o->acc[i]];
			n = vt_fwd.conf.access[o->acc[i]].depth;
			prio = o->prio[i];
			if (unlikely(prio != 0)) {
				memcpy(buf, hdr, n * sizeof(buf[0]));
				hdr = buf;
			}
		}
		if (unlikely(n == 0)) {
			drop(lc, m, vt_fwd.trunk, VT_DROP_NO_TAG);
			continue;
		}
		/* A priority-tagged frame keeps its PCP and DEI on every header. */
		if (unlikely(prio != 0))
			for (d = 0; d < n; d++)
				buf[d].tci = VT_TCI_VID(buf[d].tci) | VT_TCI_PRIO(prio);
		/* Counted there: inserted, too big or no room. */
		why = vt_vlan_tx(&lc->st->port[vt_fwd.trunk], m, hdr, n, vt_fwd.trunk_insert,
				 vt_fwd.conf.stpid, vt_fwd.mtu[vt_fwd.trunk]);
		if (unlikely(why != 0)) {
			if (unlikely(vt_capture != NULL))
				capture_drops(lc, &m, 1, vt_fwd.trunk, (enum vt_drop)why,
					      RTE_PCAPNG_DIRECTION_OUT);
			mtag_pktmbuf_free(m);
			continue;
		}
		o->pkts[k++] = m;
	}
	/* The reminders are done with; the packet leaves the application. */
	if (store == VT_STORE_TAG)
		mtag_delete_chain_burst(o->pkts, k);
	return k;
}

static inline void
tx_port(struct lcore_ctx *lc, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t sent = rte_eth_tx_burst(port, lc->queue, pkts, n);

	lc->st->port[port].tx += sent;
	if (unlikely(sent < n))
		drop_tx(lc, &pkts[sent], n - sent, port);
}

uint64_t vt_dump_tags;

/* --dump-tags: print the tags of frames about to leave, while any are left
 * to print (lcores take turns through the atomic count). */
static __rte_noinline void
dump_tags(struct rte_mbuf **pkts, uint16_t n, uint16_t port)
{
	uint16_t i;

	for (i = 0; i < n; i++) {
		if (__atomic_load_n(&vt_dump_tags, __ATOMIC_RELAXED) == 0 ||
		    __atomic_fetch_sub(&vt_dump_tags, 1, __ATOMIC_RELAXED) == 0)
			return;
		printf("frame for port %u: ", port);
		mtag_dump(stdout, pkts[i]);
	}
}

/* Send what one RX burst produced: to the ports, or to the TX lcore's rings. */
static __rte_always_inline void
flush(struct lcore_ctx *lc, enum vt_store store)
{
	unsigned int i;

	for (i = 0; i < vt_fwd.nb_ports; i++) {
		uint16_t port = vt_fwd.ports[i];
		struct out_buf *o = &lc->out[port];
		uint16_t n = o->n;

		if (n == 0)
			continue;
		o->n = 0;
		if (unlikely(vt_dump_tags != 0))
			dump_tags(o->pkts, n, port);
		/* Reminders still on: the trunk's TX stage has not run. */
		mtag_capture_burst(vt_capture, port, lc->queue, o->pkts, n,
				   RTE_PCAPNG_DIRECTION_OUT);
		if (lc->pipeline) {
			unsigned int q = rte_ring_sp_enqueue_burst(vt_fwd.ring[port],
								   (void **)o->pkts, n, NULL);

			if (unlikely(q < n))
				drop_tx(lc, &o->pkts[q], n - q, port);
			continue;
		}
		if (port == vt_fwd.trunk) {
			o->n = n;
			n = trunk_tx_stage(lc, o, store);
			o->n = 0;
		}
		tx_port(lc, port, o->pkts, n);
	}
}

static __rte_always_inline void
prefetch_chain_fields(struct rte_mbuf **pkts, uint16_t nb)
{
	uint16_t i;

	for (i = 0; i < nb; i++)
		rte_mbuf_prefetch_part2(pkts[i]);
}

/* One pass over every port; returns the packets received. */
static __rte_always_inline unsigned int
poll_ports(struct lcore_ctx *lc, enum vt_store store)
{
	struct rte_mbuf *pkts[VT_BURST];
	unsigned int i, total = 0;

	for (i = 0; i < vt_fwd.nb_ports; i++) {
		uint16_t port = vt_fwd.ports[i];
		enum vt_dir dir = i == 0 ? VT_DIR_TRUNK_TO_ACCESS : VT_DIR_ACCESS_TO_TRUNK;
		uint64_t t0 = rte_rdtsc();
		uint16_t nb = rte_eth_rx_burst(port, lc->queue, pkts, VT_BURST);

		if (nb == 0)
			continue;
		lc->st->port[port].rx += nb;
		/* Tags hang off the mbuf's second cache line, which RX does not touch. */
		if (store == VT_STORE_TAG)
			prefetch_chain_fields(pkts, nb);
		if (dir == VT_DIR_TRUNK_TO_ACCESS)
			trunk_rx(lc, pkts, nb, store);
		else
			access_rx(lc, port, pkts, nb, store);
		flush(lc, store);
		total += nb;
		/* A burst this long was preempted (shared cores): it says nothing of our cost. */
		t0 = rte_rdtsc() - t0;
		if (likely(t0 < VT_BURST_CYCLES_MAX)) {
			lc->st->dir[store][dir].pkts += nb;
			lc->st->dir[store][dir].cycles += t0;
		}
	}
	return total;
}

static struct lcore_ctx *
ctx_init(bool pipeline, uint16_t queue)
{
	unsigned int lcore = rte_lcore_id();
	struct lcore_ctx *lc = &lcore_ctx[lcore];

	memset(lc, 0, sizeof(*lc));
	lc->st = &vt_stats[lcore];
	lc->pipeline = pipeline;
	lc->queue = queue;
	return lc;
}

static int
rx_loop(bool pipeline, uint16_t queue)
{
	struct lcore_ctx *lc = ctx_init(pipeline, queue);

	RTE_LOG(NOTICE, USER1, "lcore %u: %s on %u ports, queue %u\n", rte_lcore_id(),
		pipeline ? "pipeline RX" : "forwarding", vt_fwd.nb_ports, queue);
	while (!vt_force_quit) {
		unsigned int got;

		/* Two copies of the loop, so that the benchmark compares like with like. */
		if (vt_fwd.store == VT_STORE_TAG)
			got = poll_ports(lc, VT_STORE_TAG);
		else
			got = poll_ports(lc, VT_STORE_LOCAL);
		/* For --idle-exit, which the main lcore watches over all lcores. */
		if (got != 0)
			__atomic_store_n(&lc->st->last_rx, rte_rdtsc(), __ATOMIC_RELAXED);
	}
	/* Release: the TX lcore that sees the flag also sees every enqueued packet. */
	__atomic_store_n(&vt_rx_done, true, __ATOMIC_RELEASE);
	return 0;
}

int
vt_lcore_rtc(void *arg)
{
	return rx_loop(false, (uint16_t)(uintptr_t)arg);
}

int
vt_lcore_pipeline_rx(void *arg)
{
	RTE_SET_USED(arg);
	return rx_loop(true, 0);
}

int
vt_lcore_pipeline_tx(void *arg)
{
	struct lcore_ctx *lc = ctx_init(true, 0);
	struct out_buf o;

	RTE_SET_USED(arg);
	RTE_LOG(NOTICE, USER1, "lcore %u: pipeline TX on %u ports\n", rte_lcore_id(),
		vt_fwd.nb_ports);
	for (;;) {
		/* Read before draining: once RX is done, an empty pass means all is sent. */
		bool last = __atomic_load_n(&vt_rx_done, __ATOMIC_ACQUIRE);
		unsigned int i, moved = 0;

		for (i = 0; i < vt_fwd.nb_ports; i++) {
			uint16_t port = vt_fwd.ports[i];
			uint16_t n;

			n = rte_ring_sc_dequeue_burst(vt_fwd.ring[port], (void **)o.pkts, VT_BURST,
						      NULL);
			if (n == 0)
				continue;
			moved += n;
			o.n = n;
			if (port == vt_fwd.trunk)
				n = trunk_tx_stage(lc, &o, VT_STORE_TAG);
			tx_port(lc, port, o.pkts, n);
		}
		if (last && moved == 0)
			break;
	}
	return 0;
}
