/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/garp.h - when to repeat gratuitous ARPs.
 *
 * RFC 5944 §4.6: broadcasts on a link are not reliable, so a gratuitous
 * ARP SHOULD be retransmitted a small number of times, in parallel with
 * the registration exchange.  This queue only says what is due when (pure:
 * time comes in); the caller sends.  An entry speaks either for us (the
 * home agent takes a home address over: our hardware address) or for the
 * node (it is home again: its own hardware address, which the caller
 * looks up when the entry is due).
 */
#ifndef MIP4D_GARP_H
#define MIP4D_GARP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GARP_SENDS 3		/* transmissions of each, in all */
#define GARP_INTERVAL_MS 1000	/* between them */
#define GARP_QUEUE_MAX 4096	/* pending repeats; more are counted */

struct garp_entry {
	uint64_t due_ms;
	uint32_t addr;	/* the home address announced */
	int ifindex;	/* the home link */
	bool for_node;	/* the node's hardware address, not ours */
	uint8_t left;	/* transmissions still to make */
};

struct garp_queue {
	struct garp_entry e[GARP_QUEUE_MAX];
	size_t n;
	uint64_t overflow; /* repeats not queued: the queue was full */
};

/*
 * Announce addr `sends` times (at most 255), the first at first_ms, then
 * every GARP_INTERVAL_MS.  Whatever was pending for addr is replaced: the newest
 * state of the binding is the one to announce.  False when the queue is
 * full (counted in overflow).
 */
bool garp_queue_add(struct garp_queue *q, int ifindex, uint32_t addr,
		    bool for_node, uint64_t first_ms, unsigned sends);
/* Forget what is pending for addr (the binding expired, say). */
void garp_queue_cancel(struct garp_queue *q, uint32_t addr);
/*
 * Up to max entries due at now, copied to out (each transmission once);
 * their next transmission is scheduled, or they leave the queue.
 * Returns how many.
 */
size_t garp_queue_due(struct garp_queue *q, uint64_t now, struct garp_entry *out,
		      size_t max);
/* The earliest due time, 0 when nothing is pending. */
uint64_t garp_queue_next(const struct garp_queue *q);

#endif
