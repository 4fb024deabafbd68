/* SPDX-License-Identifier: BSD-2-Clause */
/* The gratuitous ARP repeat schedule (daemon/garp.c, RFC 5944 §4.6). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "garp.h"

#define HOME1 0x0a4d0064u
#define HOME2 0x0a4d0065u

static struct garp_queue *q_new(void)
{
	struct garp_queue *q = calloc(1, sizeof *q);

	assert_non_null(q);
	return q;
}

/* GARP_SENDS transmissions, GARP_INTERVAL_MS apart, then nothing. */
static void test_repeats(void **state)
{
	struct garp_queue *q = q_new();
	struct garp_entry out[4];
	uint64_t t = 5000;
	unsigned sent = 0;

	(void)state;
	assert_true(garp_queue_add(q, 3, HOME1, true, t, GARP_SENDS));
	assert_int_equal(garp_queue_next(q), t);
	for (int step = 0; step < 10; step++, t += GARP_INTERVAL_MS / 2) {
		size_t n = garp_queue_due(q, t, out, 4);

		for (size_t i = 0; i < n; i++) {
			assert_int_equal(out[i].addr, HOME1);
			assert_int_equal(out[i].ifindex, 3);
			assert_true(out[i].for_node);
		}
		sent += (unsigned)n;
	}
	assert_int_equal(sent, GARP_SENDS);
	assert_int_equal(q->n, 0);
	assert_int_equal(garp_queue_next(q), 0);
	free(q);
}

/* Nothing before its time; each due entry once per call. */
static void test_not_early(void **state)
{
	struct garp_queue *q = q_new();
	struct garp_entry out[4];

	(void)state;
	garp_queue_add(q, 3, HOME1, false, 2000, 2);
	assert_int_equal(garp_queue_due(q, 1999, out, 4), 0);
	assert_int_equal(garp_queue_due(q, 2000, out, 4), 1);
	assert_false(out[0].for_node);
	assert_int_equal(garp_queue_due(q, 2000, out, 4), 0);
	assert_int_equal(garp_queue_next(q), 2000 + GARP_INTERVAL_MS);
	assert_int_equal(garp_queue_due(q, 3000, out, 4), 1);
	assert_int_equal(q->n, 0);
	free(q);
}

/* The newest state of a binding replaces what was pending for it; a
 * cancelled address is not announced; others are untouched. */
static void test_replace_and_cancel(void **state)
{
	struct garp_queue *q = q_new();
	struct garp_entry out[4];

	(void)state;
	garp_queue_add(q, 3, HOME1, false, 100, GARP_SENDS);
	garp_queue_add(q, 3, HOME2, false, 100, GARP_SENDS);
	garp_queue_add(q, 3, HOME1, true, 100, GARP_SENDS); /* home again */
	assert_int_equal(q->n, 2);
	assert_int_equal(garp_queue_due(q, 100, out, 4), 2);
	for (int i = 0; i < 2; i++)
		assert_true(out[i].addr == HOME2 || out[i].for_node);
	garp_queue_cancel(q, HOME2);
	assert_int_equal(q->n, 1);
	assert_int_equal(garp_queue_due(q, 1100, out, 4), 1);
	assert_int_equal(out[0].addr, HOME1);
	/* zero sends: only cancels */
	assert_true(garp_queue_add(q, 3, HOME1, false, 0, 0));
	assert_int_equal(q->n, 0);
	free(q);
}

/* A full queue refuses and counts; max bounds one call. */
static void test_full(void **state)
{
	struct garp_queue *q = q_new();
	struct garp_entry out[8];

	(void)state;
	for (uint32_t i = 0; i < GARP_QUEUE_MAX; i++)
		assert_true(garp_queue_add(q, 3, HOME1 + i, false, 10, 1));
	assert_false(garp_queue_add(q, 3, 0x0b000001u, false, 10, 1));
	assert_int_equal(q->overflow, 1);
	assert_int_equal(garp_queue_due(q, 10, out, 8), 8);
	assert_int_equal(q->n, GARP_QUEUE_MAX - 8);
	free(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_repeats),
		cmocka_unit_test(test_not_early),
		cmocka_unit_test(test_replace_and_cancel),
		cmocka_unit_test(test_full),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
