/* SPDX-License-Identifier: BSD-2-Clause */
/* The home agent's index of configured mobile nodes (daemon/mnindex.h):
 * lookups by home address and by NAI, duplicates, growth, keys that share
 * a slot's hash bits, NAIs from the network with NUL bytes in them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mnindex.h"

static void test_addr(void **state)
{
	struct mip4_ha_mn mn[3] = {{.home_addr = 0x0a000001},
				   {.home_addr = 0x0a000002},
				   {.home_addr = 0x0a000001}};
	struct mnindex ix;
	uint32_t dup = 99;

	(void)state;
	mnindex_init(&ix, false);
	assert_int_equal(mnindex_find_addr(&ix, mn, 0x0a000001), -1);
	assert_int_equal(mnindex_add(&ix, mn, 0, &dup), 0);
	assert_int_equal(mnindex_add(&ix, mn, 1, &dup), 0);
	/* the third repeats the first: refused, the first one named */
	assert_int_equal(mnindex_add(&ix, mn, 2, &dup), 1);
	assert_int_equal(dup, 0);
	assert_int_equal(ix.n, 2);
	assert_int_equal(mnindex_find_addr(&ix, mn, 0x0a000001), 0);
	assert_int_equal(mnindex_find_addr(&ix, mn, 0x0a000002), 1);
	assert_int_equal(mnindex_find_addr(&ix, mn, 0x0a000003), -1);
	/* an index by address answers nothing by NAI */
	assert_int_equal(mnindex_find_nai(&ix, mn, "x", 1), -1);
	mnindex_free(&ix);
	assert_int_equal(mnindex_find_addr(&ix, mn, 0x0a000001), -1);
}

static void test_nai(void **state)
{
	struct mip4_ha_mn mn[4] = {{.nai = "alice@corp.example"},
				   {.nai = "bob@corp.example"},
				   {.nai = "alice@corp.example"},
				   {.nai = "alice@corp.exampl"}};
	struct mnindex ix;
	uint32_t dup = 99;

	(void)state;
	mnindex_init(&ix, true);
	assert_int_equal(mnindex_add(&ix, mn, 0, &dup), 0);
	assert_int_equal(mnindex_add(&ix, mn, 1, &dup), 0);
	assert_int_equal(mnindex_add(&ix, mn, 2, &dup), 1);
	assert_int_equal(dup, 0);
	/* a prefix of another NAI is a NAI of its own */
	assert_int_equal(mnindex_add(&ix, mn, 3, &dup), 0);
	assert_int_equal(mnindex_find_nai(&ix, mn, "alice@corp.example", 18), 0);
	assert_int_equal(mnindex_find_nai(&ix, mn, "bob@corp.example", 16), 1);
	assert_int_equal(mnindex_find_nai(&ix, mn, "alice@corp.exampl", 17), 3);
	/* the length decides, not a NUL: "bob@corp.example" plus a NUL
	 * byte, or cut short, is nobody */
	assert_int_equal(mnindex_find_nai(&ix, mn, "bob@corp.example\0", 17),
			 -1);
	assert_int_equal(mnindex_find_nai(&ix, mn, "bob@corp.exampl", 15), -1);
	assert_int_equal(mnindex_find_nai(&ix, mn, "alice\0corp.example", 18),
			 -1);
	assert_int_equal(mnindex_find_nai(&ix, mn, "", 0), -1);
	assert_int_equal(mnindex_find_addr(&ix, mn, 1), -1);
	mnindex_free(&ix);
}

/* From an empty table through many doublings (and the array the nodes
 * live in moving meanwhile, as the parser's does): every node found by its
 * key at every stage, no absent key found, the table at most half full. */
static void test_growth(void **state)
{
	enum { N = 200000 };
	struct mip4_ha_mn *mn = NULL;
	char (*nai)[24] = calloc(N, sizeof *nai);
	struct mnindex by_addr, by_nai;
	uint32_t dup, cap = 0;

	(void)state;
	assert_non_null(nai);
	mnindex_init(&by_addr, false);
	mnindex_init(&by_nai, true);
	for (uint32_t i = 0; i < N; i++) {
		if (i == cap) {
			/* doubling, as the parser does: the array moves (a
			 * realloc per node would copy terabytes under ASan) */
			struct mip4_ha_mn *m;

			cap = cap ? 2 * cap : 16;
			m = realloc(mn, cap * sizeof *mn);
			assert_non_null(m);
			mn = m;
		}
		memset(&mn[i], 0, sizeof mn[i]);
		mn[i].home_addr = 0x0a400000u + i;
		snprintf(nai[i], sizeof nai[i], "mn%u@corp", i);
		mn[i].nai = nai[i];
		assert_int_equal(mnindex_add(&by_addr, mn, i, &dup), 0);
		assert_int_equal(mnindex_add(&by_nai, mn, i, &dup), 0);
		assert_true(2 * (size_t)by_addr.n <= (size_t)by_addr.mask + 1);
		if ((i & (i + 1)) == 0 || i == N - 1) /* 0, 1, 3, 7 ... */
			for (uint32_t k = 0; k <= i; k++) {
				assert_int_equal(mnindex_find_addr(
							 &by_addr, mn,
							 0x0a400000u + k),
						 (long)k);
				assert_int_equal(mnindex_find_nai(&by_nai, mn,
								  nai[k],
								  strlen(nai[k])),
						 (long)k);
			}
	}
	assert_int_equal(by_addr.n, N);
	assert_int_equal(mnindex_find_addr(&by_addr, mn, 0x0a400000u + N), -1);
	assert_int_equal(mnindex_find_addr(&by_addr, mn, 0x0a3fffffu), -1);
	assert_int_equal(mnindex_find_nai(&by_nai, mn, "mn200000@corp", 13), -1);
	/* 4 bytes a slot, at most four slots a node once it has grown */
	assert_true(mnindex_bytes(&by_addr) <= 16 * (size_t)N);
	/* a repeat is still caught in a big table */
	mn[N - 1].home_addr = 0x0a400000u + 12345;
	assert_int_equal(mnindex_add(&by_addr, mn, N - 1, &dup), 1);
	assert_int_equal(dup, 12345);
	mnindex_free(&by_addr);
	mnindex_free(&by_nai);
	free(mn);
	free(nai);
}

/* Reserving first: no growth while adding that many, and the same
 * answers. */
static void test_reserve(void **state)
{
	enum { N = 1000 };
	struct mip4_ha_mn mn[N];
	struct mnindex ix;
	uint32_t *slot, dup;

	(void)state;
	memset(mn, 0, sizeof mn);
	mnindex_init(&ix, false);
	assert_int_equal(mnindex_reserve(&ix, mn, N), 0);
	slot = ix.slot;
	for (uint32_t i = 0; i < N; i++) {
		mn[i].home_addr = 0xc0a80000u + 7 * i + 1;
		assert_int_equal(mnindex_add(&ix, mn, i, &dup), 0);
	}
	assert_ptr_equal(ix.slot, slot);
	for (uint32_t i = 0; i < N; i++)
		assert_int_equal(mnindex_find_addr(&ix, mn, mn[i].home_addr),
				 (long)i);
	assert_int_equal(mnindex_reserve(&ix, mn, (size_t)MNINDEX_MAX + 1), -1);
	assert_int_equal(mnindex_add(&ix, mn, MNINDEX_MAX, &dup), -1);
	mnindex_free(&ix);
}

/*
 * Keys whose low bits are all equal, many of them: each found, by probing
 * past the others in its run (some of which carry the same 7 hash bits),
 * and a near miss found nowhere.
 */
static void test_collisions(void **state)
{
	enum { N = 5000 };
	struct mip4_ha_mn *mn = calloc(N, sizeof *mn);
	struct mnindex ix;
	uint32_t dup;

	(void)state;
	assert_non_null(mn);
	mnindex_init(&ix, false);
	for (uint32_t i = 0; i < N; i++) {
		/* 1 + multiples of 2^16: the low 16 bits all equal */
		mn[i].home_addr = (i + 1) << 16 | 1;
		assert_int_equal(mnindex_add(&ix, mn, i, &dup), 0);
	}
	for (uint32_t i = 0; i < N; i++) {
		assert_int_equal(mnindex_find_addr(&ix, mn, (i + 1) << 16 | 1),
				 (long)i);
		assert_int_equal(mnindex_find_addr(&ix, mn, (i + 1) << 16 | 2),
				 -1);
	}
	mnindex_free(&ix);
	free(mn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr),
		cmocka_unit_test(test_nai),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_reserve),
		cmocka_unit_test(test_collisions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
