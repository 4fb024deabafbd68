/* SPDX-License-Identifier: BSD-2-Clause */
/* Binding table: lookups by address and NAI, growth, timer-wheel expiry,
 * the care-of address list of simultaneous bindings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mip4/binding.h"

static void count_cb(void *ctx, const struct mip4_binding *b,
		     const struct mip4_coa *c, bool last)
{
	(void)b;
	(void)c;
	if (last)
		(*(size_t *)ctx)++;
}

static void test_add_get_del(void **state)
{
	struct mip4_btable *t = mip4_btable_new(4);
	struct mip4_binding *b;

	(void)state;
	assert_non_null(t);
	b = mip4_btable_add(t, 0x0a000001, "alice@example.net", 17, 5000);
	assert_non_null(b);
	assert_ptr_equal(mip4_btable_get(t, 0x0a000001), b);
	assert_ptr_equal(mip4_btable_get_nai(t, "alice@example.net", 17), b);
	assert_string_equal(b->nai, "alice@example.net");
	assert_null(mip4_btable_get(t, 0x0a000002));
	assert_null(mip4_btable_get_nai(t, "alice@example.ne", 16));
	/* duplicates refused: same address, or same NAI */
	assert_null(mip4_btable_add(t, 0x0a000001, NULL, 0, 5000));
	assert_null(mip4_btable_add(t, 0x0a000003, "alice@example.net", 17, 5000));
	assert_int_equal(mip4_btable_count(t), 1);
	mip4_btable_del(t, b);
	assert_null(mip4_btable_get(t, 0x0a000001));
	assert_null(mip4_btable_get_nai(t, "alice@example.net", 17));
	assert_int_equal(mip4_btable_count(t), 0);
	mip4_btable_free(t);
}

/* Bindings come from slabs (lib/binding.c): across several slabs, a
 * deleted binding's memory is handed to the next one added, zeroed, and
 * every binding stays whole and reachable. */
static void test_slab_reuse(void **state)
{
	enum { N = 2000 };
	struct mip4_btable *t = mip4_btable_new(16);
	struct mip4_binding *old[N];

	(void)state;
	for (uint32_t i = 0; i < N; i++) {
		old[i] = mip4_btable_add(t, 0x0a000000 + i, NULL, 0, 1000 + i);
		assert_non_null(old[i]);
		old[i]->coa = 0xc0000000 + i;
	}
	for (uint32_t i = 0; i < N; i += 2)
		mip4_btable_del(t, old[i]);
	for (uint32_t i = 0; i < N / 2; i++) {
		char nai[16];
		int n = snprintf(nai, sizeof nai, "n%u@y", i);
		struct mip4_binding *b = mip4_btable_add(t, 0x0b000000 + i, nai,
							 (size_t)n, 5000);
		bool reused = false;

		assert_non_null(b);
		for (uint32_t k = 0; k < N && !reused; k += 2)
			reused = old[k] == b;
		assert_true(reused);
		assert_int_equal(b->coa, 0); /* zeroed */
		assert_null(b->more);
	}
	assert_int_equal(mip4_btable_count(t), N);
	for (uint32_t i = 1; i < N; i += 2) {
		assert_ptr_equal(mip4_btable_get(t, 0x0a000000 + i), old[i]);
		assert_int_equal(old[i]->coa, 0xc0000000 + i);
	}
	for (uint32_t i = 0; i < N / 2; i++)
		assert_non_null(mip4_btable_get(t, 0x0b000000 + i));
	assert_null(mip4_btable_get(t, 0x0a000000));
	mip4_btable_free(t);
}

/* Many bindings force several doublings; all stay reachable both ways. */
static void test_growth(void **state)
{
	enum { N = 50000 };
	struct mip4_btable *t = mip4_btable_new(1);
	char nai[32];

	(void)state;
	for (uint32_t i = 0; i < N; i++) {
		int n = snprintf(nai, sizeof nai, "mn%u@corp", i);

		assert_non_null(mip4_btable_add(t, 0x0a000000 + i, nai, (size_t)n,
						1000 * (i % 100 + 1)));
	}
	assert_int_equal(mip4_btable_count(t), N);
	for (uint32_t i = 0; i < N; i += 7) {
		int n = snprintf(nai, sizeof nai, "mn%u@corp", i);
		struct mip4_binding *b = mip4_btable_get(t, 0x0a000000 + i);

		assert_non_null(b);
		assert_ptr_equal(mip4_btable_get_nai(t, nai, (size_t)n), b);
	}
	/* the arrays stay within a small constant per binding */
	assert_true(mip4_btable_overhead(t) < (size_t)N * 2 * 2 * sizeof(void *) + 65536);
	mip4_btable_free(t);
}

static void test_expiry_exact(void **state)
{
	struct mip4_btable *t = mip4_btable_new(8);
	size_t n = 0;

	(void)state;
	mip4_btable_add(t, 1, NULL, 0, 10500);
	mip4_btable_add(t, 2, NULL, 0, 10900);
	mip4_btable_add(t, 3, NULL, 0, 20000);
	assert_int_equal(mip4_btable_expire(t, 10000, count_cb, &n), 0);
	/* 10.499 s: nothing; 10.5 s: binding 1 only (same slot as 2) */
	assert_int_equal(mip4_btable_expire(t, 10499, count_cb, &n), 0);
	assert_int_equal(mip4_btable_expire(t, 10500, count_cb, &n), 1);
	assert_null(mip4_btable_get(t, 1));
	assert_non_null(mip4_btable_get(t, 2));
	assert_int_equal(mip4_btable_expire(t, 10900, count_cb, &n), 1);
	assert_int_equal(mip4_btable_expire(t, 19999, count_cb, &n), 0);
	assert_int_equal(mip4_btable_expire(t, 20000, count_cb, &n), 1);
	assert_int_equal(n, 3);
	assert_int_equal(mip4_btable_count(t), 0);
	mip4_btable_free(t);
}

/* Lifetimes beyond the wheel horizon (4096 s) and re-registration
 * (touch) that moves an expiry later or earlier. */
static void test_expiry_long_and_touch(void **state)
{
	struct mip4_btable *t = mip4_btable_new(8);
	struct mip4_binding *a, *b;
	size_t n = 0;

	(void)state;
	a = mip4_btable_add(t, 1, NULL, 0, 1000);
	b = mip4_btable_add(t, 2, NULL, 0, 1000 + 65534000ull); /* max lifetime */
	mip4_btable_touch(t, a, 1000 + 6000000); /* 6000 s: beyond horizon */
	for (uint64_t now = 1000; now < 1000 + 6000000; now += 997000)
		assert_int_equal(mip4_btable_expire(t, now, count_cb, &n), 0);
	assert_int_equal(mip4_btable_expire(t, 1000 + 6000000, count_cb, &n), 1);
	assert_null(mip4_btable_get(t, 1));
	/* move b earlier, to a time already past: next sweep takes it */
	mip4_btable_touch(t, b, 500);
	assert_int_equal(mip4_btable_expire(t, 1000 + 6000001, count_cb, &n), 1);
	assert_int_equal(mip4_btable_count(t), 0);
	mip4_btable_free(t);
}

/* Bindings restored at start arrive in any order: a shorter one added
 * after a longer one still expires on time (the wheel's cursor follows
 * the earliest until the first sweep). */
static void test_expiry_added_out_of_order(void **state)
{
	struct mip4_btable *t = mip4_btable_new(8);
	size_t n = 0;

	(void)state;
	mip4_btable_add(t, 1, NULL, 0, 300000);
	mip4_btable_add(t, 2, NULL, 0, 10000);
	assert_int_equal(mip4_btable_expire(t, 9999, count_cb, &n), 0);
	assert_int_equal(mip4_btable_expire(t, 10000, count_cb, &n), 1);
	assert_null(mip4_btable_get(t, 2));
	/* after a sweep, an expiry already past is due at the next one */
	mip4_btable_add(t, 3, NULL, 0, 5000);
	assert_int_equal(mip4_btable_expire(t, 10001, count_cb, &n), 1);
	assert_null(mip4_btable_get(t, 3));
	assert_int_equal(mip4_btable_expire(t, 300000, count_cb, &n), 1);
	assert_int_equal(n, 3);
	mip4_btable_free(t);
}

/* A big clock jump sweeps the whole wheel once and expires everything due. */
static void test_expiry_jump(void **state)
{
	struct mip4_btable *t = mip4_btable_new(8);
	size_t n = 0;

	(void)state;
	for (uint32_t i = 0; i < 1000; i++)
		mip4_btable_add(t, i + 1, NULL, 0, 1000ull * (i * 13 % 9000 + 1));
	assert_int_equal(mip4_btable_expire(t, 100000000, count_cb, &n), 1000);
	assert_int_equal(mip4_btable_count(t), 0);
	mip4_btable_free(t);
}

static struct mip4_coa mkcoa(uint32_t coa, uint64_t expires_ms)
{
	struct mip4_coa c = {.coa = coa, .peer_addr = coa, .lifetime = 9,
			     .expires_ms = expires_ms};

	return c;
}

/* One care-of address costs nothing beyond the binding; more are
 * allocated on demand and freed when they go. */
static void test_coa_list(void **state)
{
	struct mip4_btable *t = mip4_btable_new(4);
	struct mip4_binding *b = mip4_btable_add(t, 7, NULL, 0, 0);
	struct mip4_coa c;

	(void)state;
	assert_true(sizeof(struct mip4_binding) <= 128);
	assert_non_null(b);
	/* a fresh binding takes the first care-of address in place */
	c = mkcoa(100, 5000);
	assert_int_equal(mip4_btable_coa_put(t, b, &c, true), 0);
	assert_int_equal(b->coa, 100);
	assert_null(b->more);
	assert_int_equal(mip4_binding_ncoa(b), 1);
	/* the same address again: updated, not added */
	c.lifetime = 33;
	assert_int_equal(mip4_btable_coa_put(t, b, &c, true), 0);
	assert_int_equal(b->lifetime, 33);
	assert_null(b->more);
	/* two more */
	c = mkcoa(200, 6000);
	assert_int_equal(mip4_btable_coa_put(t, b, &c, true), 1);
	c = mkcoa(300, 7000);
	c.encap = MIP4_ENCAP_UDP;
	assert_int_equal(mip4_btable_coa_put(t, b, &c, true), 2);
	assert_int_equal(mip4_binding_ncoa(b), 3);
	assert_int_equal(mip4_binding_coa_find(b, 300), 2);
	assert_int_equal(mip4_binding_coa_find(b, 400), -1);
	mip4_binding_coa(b, 2, &c);
	assert_int_equal(c.coa, 300);
	assert_int_equal(c.encap, MIP4_ENCAP_UDP);
	assert_true(c.expires_ms == 7000);
	mip4_binding_set_peer_port(b, 2, 4444);
	mip4_binding_coa(b, 2, &c);
	assert_int_equal(c.peer_port, 4444);
	assert_int_equal(b->peer_port, 0);
	/* out of range: nothing */
	assert_false(mip4_btable_coa_del(t, b, 3));
	/* the middle one */
	assert_true(mip4_btable_coa_del(t, b, 1));
	assert_int_equal(mip4_binding_ncoa(b), 2);
	assert_int_equal(mip4_binding_coa_find(b, 300), 1);
	/* the first: the next one moves up, with its own fields */
	assert_true(mip4_btable_coa_del(t, b, 0));
	assert_int_equal(mip4_binding_ncoa(b), 1);
	assert_null(b->more);
	assert_int_equal(b->coa, 300);
	assert_int_equal(b->encap, MIP4_ENCAP_UDP);
	assert_int_equal(b->peer_port, 4444);
	assert_true(b->expires_ms == 7000);
	/* the only one stays: the binding is deleted instead */
	assert_false(mip4_btable_coa_del(t, b, 0));
	assert_int_equal(b->coa, 300);
	/* replacing drops every other */
	c = mkcoa(500, 8000);
	assert_int_equal(mip4_btable_coa_put(t, b, &c, true), 1);
	c = mkcoa(600, 9000);
	assert_int_equal(mip4_btable_coa_put(t, b, &c, false), 0);
	assert_int_equal(mip4_binding_ncoa(b), 1);
	assert_null(b->more);
	assert_int_equal(b->coa, 600);
	/* a binding freed with further care-of addresses (ASan: no leak) */
	c = mkcoa(700, 9000);
	assert_int_equal(mip4_btable_coa_put(t, b, &c, true), 1);
	mip4_btable_free(t);
}

struct coa_log {
	size_t n, last;
	uint32_t coa[8];
};

static void log_cb(void *ctx, const struct mip4_binding *b,
		   const struct mip4_coa *c, bool last)
{
	struct coa_log *l = ctx;

	(void)b;
	assert_true(l->n < 8);
	l->coa[l->n++] = c->coa;
	l->last += last;
}

/* The wheel files a binding at its earliest care-of address expiry; each
 * expires on its own, also beyond the wheel's horizon. */
static void test_coa_expiry(void **state)
{
	struct mip4_btable *t = mip4_btable_new(4);
	struct mip4_binding *a = mip4_btable_add(t, 1, NULL, 0, 50000);
	struct mip4_binding *b = mip4_btable_add(t, 2, NULL, 0, 10000);
	struct coa_log l = {0};
	struct mip4_coa c;

	(void)state;
	a->coa = 10;
	b->coa = 20;
	c = mkcoa(11, 20000); /* earlier than a's first */
	assert_int_equal(mip4_btable_coa_put(t, a, &c, true), 1);
	c = mkcoa(12, 9000000); /* 9000 s: beyond the horizon */
	assert_int_equal(mip4_btable_coa_put(t, a, &c, true), 2);
	c = mkcoa(21, 10000); /* due with b's first */
	assert_int_equal(mip4_btable_coa_put(t, b, &c, true), 1);

	/* 10 s: both of b's at once, b goes */
	assert_int_equal(mip4_btable_expire(t, 10000, log_cb, &l), 1);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.last, 1);
	assert_null(mip4_btable_get(t, 2));
	/* 20 s: a's second only */
	assert_int_equal(mip4_btable_expire(t, 19999, log_cb, &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(mip4_btable_expire(t, 20000, log_cb, &l), 0);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.coa[2], 11);
	assert_int_equal(mip4_binding_ncoa(a), 2);
	/* 50 s: a's first; the far one becomes the first */
	assert_int_equal(mip4_btable_expire(t, 50000, log_cb, &l), 0);
	assert_int_equal(l.n, 4);
	assert_int_equal(l.coa[3], 10);
	assert_int_equal(a->coa, 12);
	assert_null(a->more);
	/* laps of the wheel pass it by until it is due */
	for (uint64_t now = 50000; now < 9000000; now += 1000000)
		assert_int_equal(mip4_btable_expire(t, now, log_cb, &l), 0);
	assert_int_equal(mip4_btable_expire(t, 9000000, log_cb, &l), 1);
	assert_int_equal(l.n, 5);
	assert_int_equal(l.coa[4], 12);
	assert_int_equal(l.last, 2);
	assert_int_equal(mip4_btable_count(t), 0);
	mip4_btable_free(t);
}

/* An NAI is a string: one with a NUL inside is refused (the table finds
 * NAIs by their text). */
static void test_nai_with_nul(void **state)
{
	struct mip4_btable *t = mip4_btable_new(4);

	(void)state;
	assert_null(mip4_btable_add(t, 1, "ab\0cd", 5, 1000));
	assert_int_equal(mip4_btable_count(t), 0);
	assert_non_null(mip4_btable_add(t, 1, "ab", 2, 1000));
	assert_null(mip4_btable_get_nai(t, "ab\0cd", 5));
	assert_null(mip4_btable_get_nai(t, "a", 1));
	assert_non_null(mip4_btable_get_nai(t, "ab", 2));
	mip4_btable_free(t);
}

static int visit(void *ctx, const struct mip4_binding *b)
{
	(*(uint64_t *)ctx) += b->home_addr;
	return 0;
}

static void test_foreach(void **state)
{
	struct mip4_btable *t = mip4_btable_new(2);
	uint64_t sum = 0;

	(void)state;
	for (uint32_t i = 1; i <= 100; i++)
		mip4_btable_add(t, i, NULL, 0, 1000);
	assert_int_equal(mip4_btable_foreach(t, visit, &sum), 0);
	assert_int_equal(sum, 5050);
	mip4_btable_free(t);
}

/* Marks each home address 10.0.x.y it is shown in seen[] (a count). */
static void walk_mark(void *ctx, const struct mip4_binding *b)
{
	unsigned char *seen = ctx;

	seen[b->home_addr & 0xffff]++;
}

/* A walk in small steps while the table grows under it (several
 * doublings) and loses bindings: every binding there from start to end
 * is shown exactly once, none twice; each step is bounded. */
static void test_walk_while_changing(void **state)
{
	enum { FIRST = 3000, MORE = 20000 };
	static unsigned char seen[1 << 16];
	struct mip4_btable *t = mip4_btable_new(1);
	uint64_t pos = 0;
	uint32_t added = 0, steps = 0;
	bool more = true;

	(void)state;
	memset(seen, 0, sizeof seen);
	for (uint32_t i = 0; i < FIRST; i++)
		assert_non_null(mip4_btable_add(t, 0x0a000000 + i, NULL, 0, 1000));
	while (more) {
		uint64_t before = pos;

		more = mip4_btable_walk(t, &pos, 7, walk_mark, seen);
		assert_true(pos > before);
		steps++;
		/* between steps: 3 new bindings and, every 5th step, the
		 * loss of one of the first ones with an even index */
		for (int k = 0; k < 3 && added < MORE; k++, added++)
			assert_non_null(mip4_btable_add(t, 0x0a000000 + FIRST + added,
							NULL, 0, 1000));
		if (steps % 5 == 0 && steps / 5 * 2 < FIRST)
			mip4_btable_del(t, mip4_btable_get(t, 0x0a000000 + steps / 5 * 2));
	}
	assert_true(mip4_btable_count(t) > FIRST); /* it did grow */
	for (uint32_t i = 0; i < FIRST + added; i++) {
		bool removed = i % 2 == 0 && i / 2 >= 1 && i / 2 <= steps / 5 &&
			       i < FIRST;

		assert_true(seen[i] <= 1);
		if (i < FIRST && !removed)
			assert_int_equal(seen[i], 1);
	}
	/* the last step said so; a walk from the end shows nothing */
	assert_false(mip4_btable_walk(t, &pos, 7, walk_mark, seen));
	mip4_btable_free(t);
}

/* A whole walk in one step of any size, and over an empty table. */
static void test_walk_bounds(void **state)
{
	static unsigned char seen[1 << 16];
	struct mip4_btable *t = mip4_btable_new(16);
	uint64_t pos = 0;
	size_t steps = 0;

	(void)state;
	memset(seen, 0, sizeof seen);
	assert_false(mip4_btable_walk(t, &pos, SIZE_MAX, walk_mark, seen));
	pos = 0;
	while (mip4_btable_walk(t, &pos, 1, walk_mark, seen))
		steps++;
	assert_int_equal(steps, 15); /* one empty bucket per step, 16 buckets */
	for (uint32_t i = 0; i < 100; i++)
		mip4_btable_add(t, 0x0a000000 + i, NULL, 0, 1000);
	pos = 0;
	assert_false(mip4_btable_walk(t, &pos, SIZE_MAX, walk_mark, seen));
	for (uint32_t i = 0; i < 100; i++)
		assert_int_equal(seen[i], 1);
	mip4_btable_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_get_del),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_slab_reuse),
		cmocka_unit_test(test_expiry_exact),
		cmocka_unit_test(test_expiry_long_and_touch),
		cmocka_unit_test(test_expiry_added_out_of_order),
		cmocka_unit_test(test_expiry_jump),
		cmocka_unit_test(test_foreach),
		cmocka_unit_test(test_coa_list),
		cmocka_unit_test(test_coa_expiry),
		cmocka_unit_test(test_nai_with_nul),
		cmocka_unit_test(test_walk_while_changing),
		cmocka_unit_test(test_walk_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
