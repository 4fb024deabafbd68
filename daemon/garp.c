/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/garp.c - the repeat schedule of gratuitous ARPs (see garp.h).
 * A short array scanned linearly: entries live three seconds, and only
 * bindings that appear or leave the home link add one.
 */
#include "garp.h"

static void remove_at(struct garp_queue *q, size_t i)
{
	q->e[i] = q->e[--q->n];
}

void garp_queue_cancel(struct garp_queue *q, uint32_t addr)
{
	for (size_t i = 0; i < q->n;)
		if (q->e[i].addr == addr)
			remove_at(q, i);
		else
			i++;
}

bool garp_queue_add(struct garp_queue *q, int ifindex, uint32_t addr,
		    bool for_node, uint64_t first_ms, unsigned sends)
{
	garp_queue_cancel(q, addr);
	if (!sends)
		return true;
	if (q->n == GARP_QUEUE_MAX) {
		q->overflow++;
		return false;
	}
	q->e[q->n++] = (struct garp_entry){
		.due_ms = first_ms,
		.addr = addr,
		.ifindex = ifindex,
		.for_node = for_node,
		.left = (uint8_t)(sends > 255 ? 255 : sends),
	};
	return true;
}

size_t garp_queue_due(struct garp_queue *q, uint64_t now, struct garp_entry *out,
		      size_t max)
{
	size_t k = 0;

	for (size_t i = 0; i < q->n && k < max;) {
		struct garp_entry *e = &q->e[i];

		if (e->due_ms > now) {
			i++;
			continue;
		}
		out[k++] = *e;
		if (--e->left == 0) {
			remove_at(q, i);
			continue;
		}
		e->due_ms = now + GARP_INTERVAL_MS;
		i++;
	}
	return k;
}

uint64_t garp_queue_next(const struct garp_queue *q)
{
	uint64_t next = 0;

	for (size_t i = 0; i < q->n; i++)
		if (!next || q->e[i].due_ms < next)
			next = q->e[i].due_ms;
	return next;
}
