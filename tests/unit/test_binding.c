/* SPDX-License-Identifier: BSD-2-Clause */
/* Binding table: lookups by address and NAI, growth, timer-wheel expiry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mip4/binding.h"

static void count_cb(void *ctx, const struct mip4_binding *b)
{
	(void)b;
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_get_del),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_expiry_exact),
		cmocka_unit_test(test_expiry_long_and_touch),
		cmocka_unit_test(test_expiry_jump),
		cmocka_unit_test(test_foreach),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
