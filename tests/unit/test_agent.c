/* SPDX-License-Identifier: BSD-2-Clause */
/* Mobile node agent discovery (RFC 5944 §2.4) with a fake clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mip4/agent.h"
#include "mip4/wire.h"

#define HA_ADDR 0x0a010001u  /* 10.1.0.1 */
#define FA1 0x0a040001u	     /* 10.4.0.1 */
#define FA1_COA 0x0a040001u
#define FA2 0x0a050001u	     /* 10.5.0.1 */
#define FA2_COA 0x0a050002u
#define FA1B 0x0a040002u     /* a second FA on FA1's subnet */
#define IF1 3
#define IF2 4

static const uint8_t mac1[6] = {2, 0, 0, 0, 0, 1};

struct t {
	struct mip4_agent a;
	struct mip4_agent_now now;
	struct mip4_agent_out out;
};

static int setup(void **state)
{
	struct t *t = calloc(1, sizeof *t);
	struct mip4_agent_cfg c;

	mip4_agent_cfg_defaults(&c);
	c.ha_addr = HA_ADDR;
	c.home_net.net = 0x0a010000u;
	c.home_net.mask = 0xffffff00u;
	mip4_agent_init(&t->a, &c);
	t->now.ms = 100000;
	t->now.random = 0;
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static struct mip4_adv adv(uint16_t flags, uint32_t coa, uint16_t seq,
			   uint16_t life)
{
	struct mip4_adv v;

	memset(&v, 0, sizeof v);
	v.addr_entry_size = 2;
	v.lifetime = life;
	v.has_mobility = true;
	v.seq = seq;
	v.reg_lifetime = 300;
	v.flags = flags;
	if (coa) {
		v.n_coa = 1;
		v.coa[0] = coa;
	}
	return v;
}

static void with_prefix(struct mip4_adv *v, uint32_t router, uint8_t plen)
{
	v->num_addrs = 1;
	v->n_routers = 1;
	v->router[0].addr = router;
	v->has_prefix_len = true;
	v->n_prefix_len = 1;
	v->prefix_len[0] = plen;
}

static unsigned count(const struct mip4_agent_out *o, enum mip4_agent_ev ev)
{
	unsigned n = 0;

	for (unsigned i = 0; i < o->n; i++)
		n += o->ev[i].ev == ev;
	return n;
}

static void feed(struct t *t, int ifindex, uint32_t src,
		 const struct mip4_adv *v)
{
	mip4_agent_input(&t->a, &t->now, ifindex, src, mac1, v, &t->out);
}

static void tick(struct t *t)
{
	mip4_agent_timer(&t->a, &t->now, &t->out);
}

static void up(struct t *t, int ifindex, bool has_coa)
{
	assert_int_equal(mip4_agent_link(&t->a, &t->now, ifindex, true, has_coa,
					 &t->out), 0);
}

/* Run the clock to the next deadline; returns the step in ms. */
static uint64_t step(struct t *t)
{
	uint64_t d = mip4_agent_deadline(&t->a), s;

	assert_true(d != 0);
	assert_true(d >= t->now.ms);
	s = d - t->now.ms;
	t->now.ms = d;
	tick(t);
	return s;
}

/* Burst of three at >= 1 s, then doubling to the 60 s cap, randomised
 * to 75-100 % and never under 1 s. */
static void test_solicit_backoff(void **state)
{
	struct t *t = *state;
	uint64_t s, nominal = 2000;

	up(t, IF1, false);
	tick(t);
	assert_int_equal(count(&t->out, MIP4_AGENT_EV_SOLICIT), 1);
	assert_int_equal(t->out.ev[0].ifindex, IF1);
	for (int i = 0; i < 2; i++) {
		t->now.random = 0xffffffffu;
		s = step(t);
		assert_int_equal(count(&t->out, MIP4_AGENT_EV_SOLICIT), 1);
		assert_true(s >= 1000 && s <= 1250);
	}
	for (int i = 0; i < 10; i++) {
		t->now.random = (uint32_t)i * 7919u;
		s = step(t);
		assert_int_equal(count(&t->out, MIP4_AGENT_EV_SOLICIT), 1);
		assert_true(s <= nominal);
		assert_true(s >= nominal * 3 / 4);
		nominal = nominal * 2 > 60000 ? 60000 : nominal * 2;
	}
	assert_int_equal(nominal, 60000);
	assert_int_equal(t->a.counters[MIP4_AGENT_SOLICITATIONS], 13);
}

/* RFC 5944 §2.4: no solicitation while a co-located care-of address is
 * known; one that appears mid-search ends it, one that goes starts it. */
static void test_solicit_colocated(void **state)
{
	struct t *t = *state;

	up(t, IF1, true);
	tick(t);
	assert_int_equal(t->a.counters[MIP4_AGENT_SOLICITATIONS], 0);
	assert_int_equal(mip4_agent_deadline(&t->a), 0);
	/* losing the address starts the search */
	assert_int_equal(mip4_agent_link(&t->a, &t->now, IF1, true, false,
					 &t->out), 0);
	assert_true(mip4_agent_deadline(&t->a) >= t->now.ms + 1000);
	step(t);
	assert_int_equal(t->a.counters[MIP4_AGENT_SOLICITATIONS], 1);
	/* an address again (DHCP done) ends it before the burst is out */
	assert_int_equal(mip4_agent_link(&t->a, &t->now, IF1, true, true,
					 &t->out), 0);
	assert_int_equal(mip4_agent_deadline(&t->a), 0);
	t->now.ms += 120000;
	tick(t);
	assert_int_equal(t->a.counters[MIP4_AGENT_SOLICITATIONS], 1);
}

/* An advertisement ends the search and makes the agent current. */
static void test_new_agent(void **state)
{
	struct t *t = *state;
	struct mip4_adv v = adv(MIP4_ADV_F | MIP4_ADV_T, FA1_COA, 0, 30);
	const struct mip4_agent_entry *e;

	up(t, IF1, false);
	tick(t);
	feed(t, IF1, FA1, &v);
	assert_int_equal(t->out.n, 1);
	assert_int_equal(t->out.ev[0].ev, MIP4_AGENT_EV_NEW);
	assert_int_equal(t->out.ev[0].agent, FA1);
	e = mip4_agent_current(&t->a, IF1);
	assert_non_null(e);
	assert_int_equal(e->addr, FA1);
	assert_int_equal(e->coa[0], FA1_COA);
	assert_memory_equal(e->mac, mac1, 6);
	assert_false(e->home);
	/* no solicitation while it advertises: the next deadline is the
	 * overdue point (half the lifetime) */
	assert_int_equal(mip4_agent_deadline(&t->a), t->now.ms + 15000);
	assert_null(mip4_agent_current(&t->a, IF2));
}

/* Algorithm 1: the lifetime runs out. Overdue first restarts the burst. */
static void test_alg1_lost(void **state)
{
	struct t *t = *state;
	struct mip4_adv v = adv(MIP4_ADV_F, FA1_COA, 0, 30);
	uint64_t t0;

	up(t, IF1, false);
	feed(t, IF1, FA1, &v);
	t0 = t->now.ms;
	assert_int_equal(step(t), 15000); /* overdue: burst restarts */
	assert_int_equal(count(&t->out, MIP4_AGENT_EV_SOLICIT), 1);
	step(t);
	step(t);
	assert_int_equal(t->a.counters[MIP4_AGENT_SOLICITATIONS], 3);
	/* no more until it expires */
	assert_int_equal(mip4_agent_deadline(&t->a), t0 + 30000);
	step(t);
	assert_int_equal(t->out.ev[0].ev, MIP4_AGENT_EV_LOST);
	assert_int_equal(t->out.ev[0].agent, FA1);
	assert_null(mip4_agent_current(&t->a, IF1));
	assert_int_equal(t->a.counters[MIP4_AGENT_MOVES_ALG1], 1);
	/* and searches again at the burst rate, the first one at once */
	assert_int_equal(count(&t->out, MIP4_AGENT_EV_SOLICIT), 1);
	assert_true(mip4_agent_deadline(&t->a) <= t->now.ms + 1250);
}

/* Algorithm 1 with another valid agent: lost, then the other at once. */
static void test_alg1_other(void **state)
{
	struct t *t = *state;
	struct mip4_adv v1 = adv(MIP4_ADV_F, FA1_COA, 0, 10);
	struct mip4_adv v2 = adv(MIP4_ADV_F, FA2_COA, 0, 60);

	up(t, IF1, false);
	feed(t, IF1, FA1, &v1);
	feed(t, IF1, FA2, &v2);
	assert_int_equal(t->out.n, 0); /* no prefix extension: no move */
	t->now.ms += 10000;
	tick(t);
	assert_int_equal(t->out.n, 2);
	assert_int_equal(t->out.ev[0].ev, MIP4_AGENT_EV_LOST);
	assert_int_equal(t->out.ev[1].ev, MIP4_AGENT_EV_NEW);
	assert_int_equal(t->out.ev[1].agent, FA2);
	assert_int_equal(mip4_agent_current(&t->a, IF1)->addr, FA2);
}

/* Algorithm 2: both with prefix lengths, different prefixes. */
static void test_alg2_prefix(void **state)
{
	struct t *t = *state;
	struct mip4_adv v1 = adv(MIP4_ADV_F, FA1_COA, 0, 30);
	struct mip4_adv v1b = adv(MIP4_ADV_F, FA1B, 0, 30);
	struct mip4_adv v2 = adv(MIP4_ADV_F, FA2_COA, 0, 30);

	with_prefix(&v1, FA1, 24);
	with_prefix(&v1b, FA1B, 24);
	up(t, IF1, false);
	feed(t, IF1, FA1, &v1);
	/* same subnet: no move */
	feed(t, IF1, FA1B, &v1b);
	assert_int_equal(t->out.n, 0);
	/* the new one lacks the extension: algorithm 2 not used */
	feed(t, IF1, FA2, &v2);
	assert_int_equal(t->out.n, 0);
	assert_int_equal(mip4_agent_current(&t->a, IF1)->addr, FA1);
	with_prefix(&v2, FA2, 24);
	feed(t, IF1, FA2, &v2);
	assert_int_equal(t->out.n, 1);
	assert_int_equal(t->out.ev[0].ev, MIP4_AGENT_EV_MOVED);
	assert_int_equal(t->out.ev[0].agent, FA2);
	assert_int_equal(mip4_agent_current(&t->a, IF1)->addr, FA2);
	assert_int_equal(t->a.counters[MIP4_AGENT_MOVES_ALG2], 1);
}

/* §2.4.4: a drop below 256 is a reboot, 0xffff -> 256 a rollover. */
static void test_reboot_rollover(void **state)
{
	struct t *t = *state;
	struct mip4_adv v = adv(MIP4_ADV_F, FA1_COA, 300, 30);

	up(t, IF1, false);
	feed(t, IF1, FA1, &v);
	v.seq = 301;
	feed(t, IF1, FA1, &v);
	assert_int_equal(t->out.n, 0);
	v.seq = 0;
	feed(t, IF1, FA1, &v);
	assert_int_equal(t->out.n, 1);
	assert_int_equal(t->out.ev[0].ev, MIP4_AGENT_EV_REBOOTED);
	assert_int_equal(t->out.ev[0].agent, FA1);
	v.seq = 1;
	feed(t, IF1, FA1, &v);
	assert_int_equal(t->out.n, 0);
	v.seq = 0xffff;
	feed(t, IF1, FA1, &v);
	v.seq = 256;
	feed(t, IF1, FA1, &v);
	assert_int_equal(t->out.n, 0);
	assert_int_equal(t->a.counters[MIP4_AGENT_ROLLOVERS], 1);
	assert_int_equal(t->a.counters[MIP4_AGENT_REBOOTS], 1);
}

/* B: a busy agent is not chosen; the current one turning busy stays. */
static void test_busy(void **state)
{
	struct t *t = *state;
	struct mip4_adv vb = adv(MIP4_ADV_F | MIP4_ADV_B, FA2_COA, 0, 30);
	struct mip4_adv v = adv(MIP4_ADV_F, FA1_COA, 0, 30);

	up(t, IF1, false);
	feed(t, IF1, FA2, &vb);
	assert_int_equal(t->out.n, 0);
	assert_null(mip4_agent_current(&t->a, IF1));
	feed(t, IF1, FA1, &v);
	assert_int_equal(t->out.ev[0].ev, MIP4_AGENT_EV_NEW);
	v.flags |= MIP4_ADV_B;
	v.seq = 1;
	feed(t, IF1, FA1, &v);
	assert_int_equal(t->out.n, 1);
	assert_int_equal(t->out.ev[0].ev, MIP4_AGENT_EV_BUSY);
	assert_int_equal(mip4_agent_current(&t->a, IF1)->addr, FA1);
	assert_true(mip4_agent_current(&t->a, IF1)->flags & MIP4_ADV_B);
}

/* Our home agent with H: at home, and it wins over a foreign agent. */
static void test_home(void **state)
{
	struct t *t = *state;
	struct mip4_adv vf = adv(MIP4_ADV_F | MIP4_ADV_R, FA1_COA, 0, 30);
	struct mip4_adv vh = adv(MIP4_ADV_H, 0, 0, 30);
	struct mip4_adv vo = adv(MIP4_ADV_H, 0, 0, 30);
	const struct mip4_agent_entry *e;

	up(t, IF1, false);
	/* somebody else's home agent: remembered, never current */
	feed(t, IF1, 0x0a090001u, &vo);
	assert_int_equal(t->out.n, 0);
	assert_null(mip4_agent_current(&t->a, IF1));
	feed(t, IF1, FA1, &vf);
	assert_int_equal(t->out.ev[0].ev, MIP4_AGENT_EV_NEW);
	feed(t, IF1, HA_ADDR, &vh);
	assert_int_equal(t->out.n, 1);
	assert_int_equal(t->out.ev[0].ev, MIP4_AGENT_EV_MOVED);
	e = mip4_agent_current(&t->a, IF1);
	assert_true(e->home);
	assert_int_equal(mip4_agent_choose(e, false, true, false),
			 MIP4_AGENT_CHOOSE_HOME);
}

/* The attachment policy. */
static void test_choose(void **state)
{
	struct mip4_agent_entry fa = {0}, far = {0}, hom = {0};

	(void)state;
	fa.used = far.used = hom.used = true;
	fa.flags = MIP4_ADV_F;
	fa.n_coa = 1;
	far = fa;
	far.flags |= MIP4_ADV_R;
	hom.flags = MIP4_ADV_H;
	hom.home = true;
	assert_int_equal(mip4_agent_choose(NULL, false, false, false),
			 MIP4_AGENT_CHOOSE_NONE);
	assert_int_equal(mip4_agent_choose(NULL, false, true, true),
			 MIP4_AGENT_CHOOSE_COLOCATED);
	assert_int_equal(mip4_agent_choose(NULL, true, true, true),
			 MIP4_AGENT_CHOOSE_HOME);
	assert_int_equal(mip4_agent_choose(&hom, false, false, false),
			 MIP4_AGENT_CHOOSE_HOME);
	/* an FA without R: only when preferred or nothing else */
	assert_int_equal(mip4_agent_choose(&fa, false, true, false),
			 MIP4_AGENT_CHOOSE_COLOCATED);
	assert_int_equal(mip4_agent_choose(&fa, false, true, true),
			 MIP4_AGENT_CHOOSE_FA);
	assert_int_equal(mip4_agent_choose(&fa, false, false, false),
			 MIP4_AGENT_CHOOSE_FA);
	/* R: registration required even with a co-located address */
	assert_int_equal(mip4_agent_choose(&far, false, true, false),
			 MIP4_AGENT_CHOOSE_FA);
	/* home address on the link beats an FA with R */
	assert_int_equal(mip4_agent_choose(&far, true, true, false),
			 MIP4_AGENT_CHOOSE_HOME);
}

/* Link down: the current agent is lost; up again: forgotten, search. */
static void test_link_flap(void **state)
{
	struct t *t = *state;
	struct mip4_adv v = adv(MIP4_ADV_F, FA1_COA, 0, 30);

	up(t, IF1, false);
	feed(t, IF1, FA1, &v);
	assert_int_equal(mip4_agent_link(&t->a, &t->now, IF1, false, false,
					 &t->out), 0);
	assert_int_equal(t->out.n, 1);
	assert_int_equal(t->out.ev[0].ev, MIP4_AGENT_EV_LOST);
	assert_null(mip4_agent_current(&t->a, IF1));
	assert_int_equal(mip4_agent_deadline(&t->a), 0);
	/* advertisements on a down link are not taken */
	feed(t, IF1, FA1, &v);
	assert_int_equal(t->a.counters[MIP4_AGENT_DROP_UNWATCHED], 1);
	up(t, IF1, false);
	assert_int_equal(mip4_agent_deadline(&t->a), t->now.ms);
	/* repeated calls with the same state change nothing */
	up(t, IF1, false);
	tick(t);
	assert_int_equal(count(&t->out, MIP4_AGENT_EV_SOLICIT), 1);
	up(t, IF1, false);
	assert_true(mip4_agent_deadline(&t->a) >= t->now.ms + 1000);
}

/* Lifetime 0 withdraws the agent at once; bad advertisements are
 * dropped with a counter. */
static void test_withdraw_and_drops(void **state)
{
	struct t *t = *state;
	struct mip4_adv v = adv(MIP4_ADV_F, FA1_COA, 0, 30);
	struct mip4_adv bad;

	up(t, IF1, false);
	feed(t, IF1, FA1, &v);
	v.lifetime = 0;
	v.seq = 1;
	feed(t, IF1, FA1, &v);
	assert_int_equal(count(&t->out, MIP4_AGENT_EV_LOST), 1);
	assert_null(mip4_agent_current(&t->a, IF1));
	assert_int_equal(t->a.counters[MIP4_AGENT_WITHDRAWN], 1);

	bad = adv(MIP4_ADV_F, 0, 0, 30); /* F without a care-of address */
	feed(t, IF1, FA2, &bad);
	bad = adv(MIP4_ADV_R | MIP4_ADV_B, 0, 0, 30); /* neither F nor H */
	feed(t, IF1, FA2, &bad);
	assert_int_equal(t->a.counters[MIP4_AGENT_DROP_BAD], 2);
	bad = adv(MIP4_ADV_F, FA2_COA, 0, 30);
	bad.has_mobility = false; /* a plain router advertisement */
	feed(t, IF1, FA2, &bad);
	assert_int_equal(t->a.counters[MIP4_AGENT_DROP_NOT_AGENT], 1);
	feed(t, IF2, FA2, &v); /* unwatched link */
	assert_int_equal(t->a.counters[MIP4_AGENT_DROP_UNWATCHED], 1);
	assert_null(mip4_agent_current(&t->a, IF1));
}

/* A full table keeps working and refuses with a counter; expired
 * entries are reused. */
static void test_table_full(void **state)
{
	struct t *t = *state;

	up(t, IF1, false);
	for (uint32_t i = 0; i < MIP4_AGENT_MAX + 2; i++) {
		struct mip4_adv v = adv(MIP4_ADV_F | MIP4_ADV_B, 0x0a060000u + i,
					0, (uint16_t)(10 + i));

		feed(t, IF1, 0x0a060000u + i, &v);
	}
	assert_int_equal(t->a.counters[MIP4_AGENT_DROP_FULL], 2);
	t->now.ms += 11000;
	{
		struct mip4_adv v = adv(MIP4_ADV_F, FA1_COA, 0, 30);

		feed(t, IF1, FA1, &v);
		assert_int_equal(t->out.ev[0].ev, MIP4_AGENT_EV_NEW);
	}
	assert_int_equal(t->a.counters[MIP4_AGENT_SOLICITATIONS], 0);
	for (unsigned i = 0; i < MIP4_AGENT_LINKS - 1; i++)
		up(t, 100 + (int)i, false);
	assert_int_equal(mip4_agent_link(&t->a, &t->now, 99, true, false,
					 &t->out), -1);
}

/* Through the codec: an advertisement as the wire carries it. */
static void test_wire(void **state)
{
	struct t *t = *state;
	struct mip4_adv v = adv(MIP4_ADV_F | MIP4_ADV_R | MIP4_ADV_T, FA1_COA,
				7, 30), d;
	uint8_t buf[128];
	struct mip4_buf b;

	with_prefix(&v, FA1, 24);
	mip4_buf_init(&b, buf, sizeof buf);
	mip4_adv_put(&b, &v, true);
	assert_false(b.overflow);
	assert_int_equal(mip4_adv_decode(buf, b.len, &d), MIP4_OK);
	up(t, IF1, false);
	feed(t, IF1, FA1, &d);
	assert_int_equal(t->out.ev[0].ev, MIP4_AGENT_EV_NEW);
	assert_true(mip4_agent_current(&t->a, IF1)->flags & MIP4_ADV_R);
	assert_true(mip4_agent_current(&t->a, IF1)->has_prefix);
	assert_int_equal(mip4_agent_current(&t->a, IF1)->prefix_len, 24);
	assert_string_equal(mip4_agent_ev_str(MIP4_AGENT_EV_REBOOTED),
			    "agent-rebooted");
	assert_string_equal(mip4_agent_counter_name(MIP4_AGENT_NCOUNTERS),
			    "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_solicit_backoff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_solicit_colocated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_agent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alg1_lost, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alg1_other, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alg2_prefix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reboot_rollover, setup, teardown),
		cmocka_unit_test_setup_teardown(test_busy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_home, setup, teardown),
		cmocka_unit_test_setup_teardown(test_choose, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_flap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_withdraw_and_drops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wire, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
