/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/*
 * Crypto device faults for the ipsec-loop tests, loaded with LD_PRELOAD: it
 * takes the place of rte_cryptodev_start() and, once the device is started,
 * of the PMD's enqueue and dequeue in rte_crypto_fp_ops (the table the inline
 * rte_cryptodev_enqueue_burst() / _dequeue_burst() call through, 22.11 to
 * 26.07). Faults, from the environment, counted over every device and queue:
 *   IPL_FAULT_ENQ_STOP=N     after N ops taken, the device takes no more;
 *   IPL_FAULT_DEQ_HOLD=N,MS  after N ops returned, the device keeps what it
 *                            finishes for MS milliseconds, then returns it;
 *   IPL_FAULT_ERROR_EVERY=N  every Nth op returned has failed in the device
 *                            (RTE_CRYPTO_OP_STATUS_ERROR).
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <rte_common.h>
#include <rte_cryptodev.h>

#define HOLD_MAX 8192

static struct {
	enqueue_pkt_burst_t enq[RTE_CRYPTO_MAX_DEVS];
	dequeue_pkt_burst_t deq[RTE_CRYPTO_MAX_DEVS];
	void *qp[RTE_CRYPTO_MAX_DEVS]; /* dev of a queue pair, found by pointer */
	unsigned long enq_stop, hold_after, hold_ms, error_every;
	unsigned long taken, returned;
	double hold_until; /* 0: not holding yet */
	struct rte_crypto_op *held[HOLD_MAX];
	unsigned int nb_held, held_next;
	int on;
} f;

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

/* The device whose PMD owns queue pair qp (tests use one queue pair per device). */
static unsigned int
dev_of(void *qp)
{
	unsigned int d;

	for (d = 0; d < RTE_CRYPTO_MAX_DEVS; d++)
		if (f.qp[d] == qp)
			return d;
	return 0;
}

static uint16_t
fault_enq(void *qp, struct rte_crypto_op **ops, uint16_t n)
{
	uint16_t k;

	if (f.enq_stop != 0) {
		if (f.taken >= f.enq_stop)
			return 0;
		n = RTE_MIN(n, (uint16_t)RTE_MIN(f.enq_stop - f.taken, 65535ul));
	}
	k = f.enq[dev_of(qp)](qp, ops, n);
	f.taken += k;
	return k;
}

static uint16_t
fault_deq(void *qp, struct rte_crypto_op **ops, uint16_t n)
{
	uint16_t k = 0, i;

	if (f.hold_ms != 0 && f.returned >= f.hold_after) {
		/* Holding: take what the PMD finished, give nothing until the time is up. */
		if (f.hold_until == 0)
			f.hold_until = now_ms() + f.hold_ms;
		f.nb_held += f.deq[dev_of(qp)](qp, f.held + f.nb_held,
					       RTE_MIN(n, (uint16_t)(HOLD_MAX - f.nb_held)));
		if (now_ms() < f.hold_until)
			return 0;
		while (k < n && f.held_next < f.nb_held)
			ops[k++] = f.held[f.held_next++];
		if (f.held_next == f.nb_held) {
			/* Given back: the device works again. */
			f.nb_held = f.held_next = 0;
			f.hold_ms = 0;
		}
	} else {
		k = f.deq[dev_of(qp)](qp, ops, n);
	}
	for (i = 0; i < k; i++)
		if (f.error_every != 0 && (f.returned + i + 1) % f.error_every == 0)
			ops[i]->status = RTE_CRYPTO_OP_STATUS_ERROR;
	f.returned += k;
	return k;
}

int
rte_cryptodev_start(uint8_t dev_id)
{
	static int (*real)(uint8_t);
	const char *e;
	int rc;

	if (real == NULL)
		real = (int (*)(uint8_t))dlsym(RTLD_NEXT, "rte_cryptodev_start");
	rc = real(dev_id);
	if (rc != 0 || dev_id >= RTE_CRYPTO_MAX_DEVS)
		return rc;
	if (!f.on) {
		f.on = 1;
		e = getenv("IPL_FAULT_ENQ_STOP");
		f.enq_stop = e != NULL ? strtoul(e, NULL, 0) : 0;
		e = getenv("IPL_FAULT_DEQ_HOLD");
		if (e != NULL && sscanf(e, "%lu,%lu", &f.hold_after, &f.hold_ms) != 2)
			f.hold_ms = 0;
		e = getenv("IPL_FAULT_ERROR_EVERY");
		f.error_every = e != NULL ? strtoul(e, NULL, 0) : 0;
		fprintf(stderr,
			"fault_cdev: enqueue stop %lu, hold after %lu for %lu ms, error every "
			"%lu\n",
			f.enq_stop, f.hold_after, f.hold_ms, f.error_every);
	}
	f.enq[dev_id] = rte_crypto_fp_ops[dev_id].enqueue_burst;
	f.deq[dev_id] = rte_crypto_fp_ops[dev_id].dequeue_burst;
	f.qp[dev_id] = rte_crypto_fp_ops[dev_id].qp.data[0];
	rte_crypto_fp_ops[dev_id].enqueue_burst = fault_enq;
	rte_crypto_fp_ops[dev_id].dequeue_burst = fault_deq;
	return rc;
}
