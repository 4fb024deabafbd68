/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for identification and replay protection (lib/replay.c),
 * RFC 5944 §5.7: NTP conversion, the home agent's timestamp and nonce
 * checks, reply identifications, and the mobile node's side.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mip4/replay.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* An NTP timestamp `s` seconds after Unix time 1e9 (2001-09-09). */
static uint64_t at(int64_t s, uint32_t frac)
{
	return mip4_ntp_from_unix(1000000000 + s, 0) | frac;
}

static struct mip4_sa sa_ts(uint32_t tolerance)
{
	struct mip4_sa sa;

	assert_int_equal(mip4_sa_init(&sa, 256, "key", 3), 0);
	sa.tolerance = tolerance;
	return sa;
}

static void test_ntp_conversion(void **state)
{
	static const struct {
		int64_t sec;
		uint32_t nsec;
		uint64_t ntp;
	} v[] = {
		{0, 0, 0x83aa7e8000000000ull}, /* 2208988800 s after 1900 */
		{0, 500000000, 0x83aa7e8080000000ull},
		{0, 250000000, 0x83aa7e8040000000ull},
		{0, 999999999, 0x83aa7e80fffffffbull}, /* floor(x * 2^32/1e9) */
		{1, 0, 0x83aa7e8100000000ull},
		{946684800, 0, 0xbc17c20000000000ull}, /* 2000-01-01 */
		{-2208988800, 0, 0},		       /* 1900-01-01 */
		{2085978495, 0, 0xffffffff00000000ull}, /* end of era 0 */
		{2085978496, 0, 0},		       /* era 1 wraps */
	};
	(void)state;
	for (size_t i = 0; i < N(v); i++) {
		assert_int_equal(mip4_ntp_from_unix(v[i].sec, v[i].nsec), v[i].ntp);
		if (v[i].sec < 2085978496)
			assert_int_equal(mip4_ntp_to_unix_sec(v[i].ntp), v[i].sec);
	}
	assert_int_equal(mip4_ntp_to_unix_sec(0x83aa7e80ffffffffull), 0);
	assert_int_equal(MIP4_NTP_UNIX_OFFSET, 0x83aa7e80u);
}

/* §5.7.1: the timestamp must be close enough to the HA's clock. */
static void test_timestamp_tolerance(void **state)
{
	static const struct {
		uint32_t tol;
		int64_t delta; /* id minus now, seconds */
		int want;
	} v[] = {
		{7, 0, MIP4_REPLAY_OK},		{7, 1, MIP4_REPLAY_OK},
		{7, -1, MIP4_REPLAY_OK},	{7, 7, MIP4_REPLAY_OK},
		{7, -7, MIP4_REPLAY_OK},	{7, 8, MIP4_REPLAY_OUT_OF_SYNC},
		{7, -8, MIP4_REPLAY_OUT_OF_SYNC}, {7, 3600, MIP4_REPLAY_OUT_OF_SYNC},
		{7, -3600, MIP4_REPLAY_OUT_OF_SYNC},
		{7, 0x7fffffff, MIP4_REPLAY_OUT_OF_SYNC},
		{7, -1000000000, MIP4_REPLAY_OUT_OF_SYNC},
		{60, 59, MIP4_REPLAY_OK},	{60, 60, MIP4_REPLAY_OK},
		{60, -60, MIP4_REPLAY_OK},	{60, 61, MIP4_REPLAY_OUT_OF_SYNC},
		{60, -61, MIP4_REPLAY_OUT_OF_SYNC}, {0, 0, MIP4_REPLAY_OK},
		{0, 1, MIP4_REPLAY_OUT_OF_SYNC}, {0, -1, MIP4_REPLAY_OUT_OF_SYNC},
	};
	struct mip4_replay_state st = {0};

	(void)state;
	for (size_t i = 0; i < N(v); i++) {
		struct mip4_sa sa = sa_ts(v[i].tol);
		uint64_t now = at(0, 0x12345678), id = at(v[i].delta, 0x9abc0000);
		int got = mip4_replay_check(&sa, &st, id, now);

		if (got != v[i].want)
			fail_msg("row %zu: tol %u delta %lld: %s, want %s", i,
				 v[i].tol, (long long)v[i].delta,
				 mip4_replay_verdict_str(got),
				 mip4_replay_verdict_str(v[i].want));
	}
}

/* §5.7.1: "greater than all previously accepted timestamps". */
static void test_timestamp_stale(void **state)
{
	struct mip4_sa sa = sa_ts(7);
	struct mip4_replay_state st = {0};
	uint64_t now = at(0, 0), id = at(0, 0x40000000);

	(void)state;
	assert_int_equal(mip4_replay_check(&sa, &st, id, now), MIP4_REPLAY_OK);
	mip4_replay_accept(&st, id);
	assert_true(st.have_last);
	assert_int_equal(st.last_id, id);
	assert_int_equal(mip4_replay_check(&sa, &st, id, now), MIP4_REPLAY_STALE);
	assert_int_equal(mip4_replay_check(&sa, &st, id - 1, now),
			 MIP4_REPLAY_STALE);
	assert_int_equal(mip4_replay_check(&sa, &st, at(-3, 0xffffffff), now),
			 MIP4_REPLAY_STALE);
	assert_int_equal(mip4_replay_check(&sa, &st, id + 1, now), MIP4_REPLAY_OK);
	assert_int_equal(mip4_replay_check(&sa, &st, at(5, 0), now),
			 MIP4_REPLAY_OK);
	/* mip4_replay_check() is read-only */
	assert_int_equal(st.last_id, id);
	assert_true(st.have_last);
	/* a later accept moves the bar */
	mip4_replay_accept(&st, at(5, 0));
	assert_int_equal(mip4_replay_check(&sa, &st, id + 1, now),
			 MIP4_REPLAY_STALE);
	assert_int_equal(mip4_replay_check(&sa, &st, at(5, 0), now),
			 MIP4_REPLAY_STALE);
	assert_int_equal(mip4_replay_check(&sa, &st, at(5, 1), now),
			 MIP4_REPLAY_OK);
}

/* The HA clock and the MN's ids cross the NTP era boundary (2036-02-07):
 * the tolerance check is modulo 2^32, and a fresh timestamp just after
 * the wrap is greater than one accepted just before it. */
static void test_timestamp_era_wrap(void **state)
{
	struct mip4_sa sa = sa_ts(7);
	struct mip4_replay_state st = {0};
	uint64_t before = 0xfffffffe00000000ull, after = 0x0000000200000000ull;

	(void)state;
	assert_int_equal(mip4_replay_check(&sa, &st, after, before),
			 MIP4_REPLAY_OK);
	assert_int_equal(mip4_replay_check(&sa, &st, before, after),
			 MIP4_REPLAY_OK);
	assert_int_equal(mip4_replay_check(&sa, &st, 0x0000001000000000ull,
					   before),
			 MIP4_REPLAY_OUT_OF_SYNC);
	mip4_replay_accept(&st, before);
	assert_int_equal(mip4_replay_check(&sa, &st, after, after),
			 MIP4_REPLAY_OK);
}

/* The MN side of the era boundary: the first id after the wrap carries
 * the time of day (small seconds), not the pre-wrap maximum plus one. */
static void test_mn_ids_era_wrap(void **state)
{
	struct mip4_mn_replay mn = {0};

	(void)state;
	assert_int_equal(mip4_mn_next_id(&mn, MIP4_REPLAY_TIMESTAMP,
					 0xffffffff80000000ull, 0) >> 32,
			 0xffffffff);
	assert_int_equal(mip4_mn_next_id(&mn, MIP4_REPLAY_TIMESTAMP,
					 0x0000000180000000ull, 0) >> 32,
			 1);
}

static void test_reply_id(void **state)
{
	struct mip4_sa sa = sa_ts(7);
	uint64_t req = 0x11111111aaaaaaaaull, now = 0x2222222233333333ull;

	(void)state;
	/* timestamps: accepted echoes the request, rejected (133) carries
	 * the request's low 32 bits and the HA clock's high 32 bits */
	assert_int_equal(mip4_replay_reply_id(&sa, req, true, now, 0), req);
	assert_int_equal(mip4_replay_reply_id(&sa, req, false, now, 0),
			 0x22222222aaaaaaaaull);
	/* nonces: always a new nonce above the request's low bits */
	sa.replay = MIP4_REPLAY_NONCE;
	assert_int_equal(mip4_replay_reply_id(&sa, req, true, now, 0xcafef00d),
			 0xcafef00daaaaaaaaull);
	assert_int_equal(mip4_replay_reply_id(&sa, req, false, now, 0x01020304),
			 0x01020304aaaaaaaaull);
}

/* §5.7.2 end to end: the first request has no nonce of the HA's and is
 * refused; the reply hands one out; the echo is accepted and the next
 * reply carries a new nonce that the MN adopts. */
static void test_nonce_method(void **state)
{
	struct mip4_sa sa = sa_ts(7);
	struct mip4_replay_state st = {0};
	struct mip4_mn_replay mn = {0};
	uint64_t now = at(0, 0), id, rep;

	(void)state;
	sa.replay = MIP4_REPLAY_NONCE;
	id = mip4_mn_next_id(&mn, MIP4_REPLAY_NONCE, now, 0x55555555);
	assert_int_equal(id, 0x0000000055555555ull);
	/* no nonce issued yet: even a zero high half is refused */
	assert_int_equal(mip4_replay_check(&sa, &st, id, now),
			 MIP4_REPLAY_BAD_NONCE);
	rep = mip4_replay_reply_id(&sa, id, false, now, 0xa1b2c3d4);
	st.nonce = 0xa1b2c3d4;
	st.have_nonce = true;
	assert_int_equal((uint32_t)rep, 0x55555555);
	/* a reply for another request is ignored */
	assert_false(mip4_mn_reply(&mn, MIP4_REPLAY_NONCE, id, rep ^ 1, 133, now));
	assert_int_equal(mn.ha_nonce, 0);
	assert_true(mip4_mn_reply(&mn, MIP4_REPLAY_NONCE, id, rep, 133, now));
	assert_int_equal(mn.ha_nonce, 0xa1b2c3d4);

	id = mip4_mn_next_id(&mn, MIP4_REPLAY_NONCE, now, 0x66666666);
	assert_int_equal(id >> 32, 0xa1b2c3d4);
	assert_int_equal(mip4_replay_check(&sa, &st, id, now), MIP4_REPLAY_OK);
	assert_int_equal(mip4_replay_check(&sa, &st, id ^ (1ull << 40), now),
			 MIP4_REPLAY_BAD_NONCE);
	rep = mip4_replay_reply_id(&sa, id, true, now, 0x0badcafe);
	assert_int_equal(rep, 0x0badcafe66666666ull);
	assert_true(mip4_mn_reply(&mn, MIP4_REPLAY_NONCE, id, rep, 0, now));
	assert_int_equal(mn.ha_nonce, 0x0badcafe);
	st.nonce = 0x0badcafe;
	/* the old nonce is no longer good */
	assert_int_equal(mip4_replay_check(&sa, &st, id, now),
			 MIP4_REPLAY_BAD_NONCE);
	/* the MN changes its low half even when its random source repeats */
	id = mip4_mn_next_id(&mn, MIP4_REPLAY_NONCE, now, 0x66666666);
	assert_int_equal(id >> 32, 0x0badcafe);
	assert_int_not_equal((uint32_t)id, 0x66666666);
}

/* §5.7.1: each id greater than the last, whatever the clock does. */
static void test_mn_ids_increase(void **state)
{
	static const struct {
		int64_t sec;
		uint32_t frac, rnd;
	} clk[] = {
		{0, 0x80000000, 0x1234}, {0, 0x80000000, 0x0000},
		{-10, 0, 0xffffffff},	 {-100, 0x10000, 0},
		{0, 0x7fff0000, 0},	 {1, 0, 0},
		{1, 0, 0},		 {-3600, 0xffff0000, 0xffff},
		{2, 0, 0xabcdef01},
	};
	struct mip4_mn_replay mn = {0};
	uint64_t last = 0;

	(void)state;
	for (size_t i = 0; i < N(clk); i++) {
		uint64_t now = at(clk[i].sec, clk[i].frac);
		uint64_t id = mip4_mn_next_id(&mn, MIP4_REPLAY_TIMESTAMP, now,
					      clk[i].rnd);

		if (id <= last)
			fail_msg("row %zu: id %llx not above %llx", i,
				 (unsigned long long)id, (unsigned long long)last);
		assert_int_equal(mn.last_id, id);
		last = id;
	}
	/* with a fresh state the id is the time of day: the seconds and
	 * the top of the fraction come from the clock, and the random
	 * input shows up below them */
	for (uint32_t rnd = 0; rnd < 4; rnd++) {
		uint64_t id;

		mn = (struct mip4_mn_replay){0};
		id = mip4_mn_next_id(&mn, MIP4_REPLAY_TIMESTAMP,
				     at(0, 0x87654321), rnd * 0x01010101u);
		assert_int_equal(id >> 32, at(0, 0) >> 32);
		assert_int_equal((id >> 24) & 0xff, 0x87);
		if (rnd)
			assert_int_not_equal(id, last);
		last = id;
	}
}

/* §5.7.1 resynchronisation from a 133 reply.  The MN is `skew` seconds
 * off the HA's clock. */
static void resync(int64_t skew)
{
	struct mip4_sa sa = sa_ts(7);
	struct mip4_replay_state st = {0};
	struct mip4_mn_replay mn = {0};
	uint64_t ha_now = at(0, 0x10000000), mn_now = at(skew, 0x10000000);
	uint64_t id, rep, id2;

	id = mip4_mn_next_id(&mn, MIP4_REPLAY_TIMESTAMP, mn_now, 0x4242);
	assert_int_equal(mip4_replay_check(&sa, &st, id, ha_now),
			 MIP4_REPLAY_OUT_OF_SYNC);
	rep = mip4_replay_reply_id(&sa, id, false, ha_now, 0);

	/* low 32 bits differ: not ours, ignored, nothing learnt */
	assert_false(mip4_mn_reply(&mn, MIP4_REPLAY_TIMESTAMP, id,
				   rep ^ 0x00010000, 133, mn_now));
	assert_int_equal(mn.offset, 0);
	assert_int_equal(mn.last_id, id);
	/* an accepted-style code does not move the clock either */
	assert_true(mip4_mn_reply(&mn, MIP4_REPLAY_TIMESTAMP, id, rep, 0,
				  mn_now));
	assert_int_equal(mn.offset, 0);

	assert_true(mip4_mn_reply(&mn, MIP4_REPLAY_TIMESTAMP, id, rep, 133,
				  mn_now));
	assert_int_equal(mn.offset, -skew);
	/* one second later on both clocks, the retry is accepted */
	id2 = mip4_mn_next_id(&mn, MIP4_REPLAY_TIMESTAMP,
			      mn_now + (1ull << 32), 0x4343);
	assert_int_equal(mip4_replay_check(&sa, &st, id2, ha_now + (1ull << 32)),
			 MIP4_REPLAY_OK);
	assert_int_equal(id2 >> 32, (ha_now >> 32) + 1);
	mip4_replay_accept(&st, id2);
	/* and the ids keep increasing afterwards */
	assert_true(mip4_mn_next_id(&mn, MIP4_REPLAY_TIMESTAMP,
				    mn_now + (1ull << 32), 0) > id2);
}

static void test_mn_resync_133(void **state)
{
	static const int64_t skews[] = {10800, -10800, 8, -8,
					34560000, -30, 1000000}; /* 3 h, 400 days */
	(void)state;
	for (size_t i = 0; i < N(skews); i++)
		resync(skews[i]);
}

/* Resynchronising right away, without the clock moving on: the MN that
 * was ahead must still produce an id the HA accepts. */
static void test_mn_resync_same_instant(void **state)
{
	struct mip4_sa sa = sa_ts(7);
	struct mip4_replay_state st = {0};
	struct mip4_mn_replay mn = {0};
	uint64_t ha_now = at(0, 0), mn_now = at(7200, 0);
	uint64_t id = mip4_mn_next_id(&mn, MIP4_REPLAY_TIMESTAMP, mn_now, 0);
	uint64_t rep = mip4_replay_reply_id(&sa, id, false, ha_now, 0);

	(void)state;
	assert_true(mip4_mn_reply(&mn, MIP4_REPLAY_TIMESTAMP, id, rep, 133,
				  mn_now));
	id = mip4_mn_next_id(&mn, MIP4_REPLAY_TIMESTAMP, mn_now, 0);
	assert_int_equal(mip4_replay_check(&sa, &st, id, ha_now), MIP4_REPLAY_OK);
}

static void test_verdict_strings(void **state)
{
	static const int v[] = {MIP4_REPLAY_OK, MIP4_REPLAY_STALE,
				MIP4_REPLAY_OUT_OF_SYNC, MIP4_REPLAY_BAD_NONCE};
	(void)state;
	for (size_t i = 0; i < N(v); i++) {
		assert_string_not_equal(mip4_replay_verdict_str(v[i]), "unknown");
		for (size_t k = 0; k < i; k++)
			assert_string_not_equal(mip4_replay_verdict_str(v[i]),
						mip4_replay_verdict_str(v[k]));
	}
	assert_string_equal(mip4_replay_verdict_str(99), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ntp_conversion),
		cmocka_unit_test(test_timestamp_tolerance),
		cmocka_unit_test(test_timestamp_stale),
		cmocka_unit_test(test_timestamp_era_wrap),
		cmocka_unit_test(test_mn_ids_era_wrap),
		cmocka_unit_test(test_reply_id),
		cmocka_unit_test(test_nonce_method),
		cmocka_unit_test(test_mn_ids_increase),
		cmocka_unit_test(test_mn_resync_133),
		cmocka_unit_test(test_mn_resync_same_instant),
		cmocka_unit_test(test_verdict_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
