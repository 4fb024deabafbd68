/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The mobile node role behind its role_ops (daemon/mnrole.c, mnlayer.c),
 * with the fake clock, a fake privileged side (it records every request)
 * and a fake data plane (it records where the tunnel points), in a
 * network namespace of the test's own.  The test plays the links' far
 * ends: routers, the home agent behind them, a foreign agent.
 *
 *                          mnrole (home 10.1.0.100)
 *                          /                      \
 *   [ wlan0: TAP 192.0.2.10/24 ]         [ wlan1: TAP 203.0.113.10/24,
 *     router 192.0.2.1                     router 203.0.113.1;
 *          |                               or the home link 10.1.0.100/24,
 *          |                               router 10.1.0.1; or an FA ]
 *     test: home agent 198.51.100.3 (frames read and written on the links)
 *
 * What a user relies on: a registration from the co-located care-of
 * address (RFC 5944 §3.6), the tunnel pointed only at a binding the home
 * agent accepted, renewed before it runs out; retransmissions that back
 * off (§3.6.3); a move re-registers from the new address; at home, a
 * deregistration and the away routes gone (§3.6.1.2); denials reported
 * and retried, 133 resynchronised (§3.6.2.3); replies that do not belong
 * dropped and counted; agent solicitation and registration through a
 * foreign agent (§2.4, §3.6.1.1); a deregistration when it stops away.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "clock.h"
#include "mn.h"
#include "mnlayer.h"
#include "nl.h"
#include "roletest.h"

extern const struct role_ops mnrole_ops;

#define HOME 0x0a010064u  /* 10.1.0.100 */
#define HOME_GW 0x0a010001u /* 10.1.0.1 */
#define HA 0xc6336403u	  /* 198.51.100.3 */
#define COA_A 0xc000020au /* 192.0.2.10 */
#define GW_A 0xc0000201u  /* 192.0.2.1 */
#define COA_B 0xcb00710au /* 203.0.113.10 */
#define GW_B 0xcb007101u  /* 203.0.113.1 */
#define FA_ADDR 0xcb007101u /* 203.0.113.1: the FA on wlan1 */
#define FA_COA 0xcb007101u
#define ALL_ROUTERS 0xe0000002u
#define ALL_SYSTEMS 0xe0000001u
/* mnrole.c's table and rule priorities */
#define MN_TABLE 0x4d49
#define PREF_LOCAL 1001
#define PREF_TABLE 1002

static const uint8_t gw_mac[6] = {0x02, 0, 0, 0, 0, 0x01};
static const uint8_t key[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
				0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
				0xcc, 0xdd, 0xee, 0xff};

struct world {
	struct rt_world rw; /* first: the fake privileged side's ctx */
	struct rt_link a, b;
	struct mip4_sa sa;
};

/* A mobile-node block for home address home (10.1.0.x), SPI spi and the
 * key whose last byte is key_last. */
static void mn_conf(char *text, size_t cap, const char *dir, uint32_t home,
		    uint32_t spi, uint8_t key_last)
{
	snprintf(text, cap,
		 "control-socket %s/s\n"
		 "mobile-node {\n"
		 "\thome-address 10.1.0.%u\n\thome-agent 198.51.100.3\n"
		 "\thome-network 10.1.0.0/24\n\tlifetime 120\n"
		 "\treverse-tunnel yes\n\tudp-tunnel off\n"
		 "\tinterface wlan0\n\tinterface wlan1\n"
		 "\ttunnel-device fake-mip0\n"
		 "\troute all\n"
		 "\tsecurity {\n\t\tspi 0x%x\n\t\tkey "
		 "hex:00112233445566778899aabbccddee%02x\n"
		 "\t\treplay timestamp\n\t}\n}\n",
		 dir, (unsigned)(home & 0xff), (unsigned)spi, key_last);
}

static void start_role(struct world *w)
{
	char text[1024];

	mn_conf(text, sizeof text, w->rw.dir, HOME, 0x1000, 0xff);
	rt_start(&w->rw, &mnrole_ops, text);
	fake_mndp_priv = w->rw.priv;
}

/* A foreign link: up, the address, a router as default route. */
static void link_foreign(struct rt_link *l, uint32_t addr, uint32_t gw)
{
	rt_link_up(l, true);
	rt_link_addr(l, addr, 24);
	rt_link_gateway(l, gw, gw_mac);
}

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof *w);

	assert_non_null(w);
	rt_init(&w->rw, "test_mnrole");
	assert_true(rt_link_open(&w->a, "wlan0"));
	assert_true(rt_link_open(&w->b, "wlan1"));
	mip4_sa_init(&w->sa, 0x1000, key, sizeof key);
	w->sa.replay = MIP4_REPLAY_TIMESTAMP;
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;

	/* (links down first: a deregistration on the way out finds no
	 * route and waits for nothing) */
	rt_link_close(&w->a);
	rt_link_close(&w->b);
	rt_stop(&w->rw);
	fake_mndp_priv = NULL;
	rt_fini(&w->rw);
	free(w);
	return 0;
}

/* ---- the far ends ---- */

/* Run the loop a little (real time), for what the role reads. */
static void settle(struct world *w)
{
	for (int i = 0; i < 20; i++) {
		fake_loop(w->rw.base);
		(void)poll(NULL, 0, 1);
	}
}

/* The next registration request on link l, within 500 ms of real time
 * (the fake clock stands still): the packet in p, the message in m, its
 * MN-HA verified. */
static bool ha_take(struct world *w, struct rt_link *l, struct rt_pkt *p,
		    struct mip4_msg *m)
{
	if (!rt_link_wait(&w->rw, l, MIP4_IPPROTO_UDP, MIP4_PORT, 500))
		return false;
	assert_true(rt_link_take(l, MIP4_IPPROTO_UDP, MIP4_PORT, p));
	assert_int_equal(mip4_msg_decode(p->data, p->data_len, m), MIP4_OK);
	assert_int_equal(m->type, MIP4_MSG_RRQ);
	assert_int_equal(mip4_auth_verify_type(&w->sa, m, MIP4_EXT_MN_HA),
			 MIP4_AUTH_OK);
	return true;
}

/* The reply to request m (which came in p) with code, lifetime and
 * identification id, MN-HA made with sa (NULL: none, as a foreign agent
 * denies), from src on link l to where the request came from. */
static void reply_id(struct world *w, struct rt_link *l,
		     const struct rt_pkt *p, const struct mip4_msg *m,
		     uint32_t src, uint8_t code, uint16_t lifetime, uint64_t id,
		     const struct mip4_sa *sa)
{
	uint8_t rep[256];
	struct mip4_buf b;
	struct mip4_rrp r = {.code = code,
			     .lifetime = lifetime,
			     .home_addr = m->u.rrq.home_addr,
			     .ha_addr = m->u.rrq.ha_addr,
			     .id = id};

	mip4_buf_init(&b, rep, sizeof rep);
	mip4_rrp_put(&b, &r);
	if (sa)
		mip4_auth_append(&b, MIP4_EXT_MN_HA, sa);
	assert_false(b.overflow);
	rt_link_send_udp(l, gw_mac, NULL, src, p->ip.src, 64, p->sport, rep,
			 b.len);
	settle(w);
}

/* The home agent's answer to request m. */
static void ha_answer(struct world *w, struct rt_link *l,
		      const struct rt_pkt *p, const struct mip4_msg *m,
		      uint8_t code, uint16_t lifetime)
{
	reply_id(w, l, p, m, HA, code, lifetime, m->u.rrq.id, &w->sa);
}

static bool status_bool(struct world *w, const char *k)
{
	json_object *o = mnrole_ops.status(w->rw.state), *v;
	bool b = json_object_object_get_ex(o, k, &v) &&
		 json_object_get_boolean(v);

	json_object_put(o);
	return b;
}

static int64_t counter(struct world *w, const char *k)
{
	return rt_counter(&w->rw, "mobile-node", k);
}

/* How many rules at prio were asked for (op). */
static unsigned rules(const struct fake_priv *f, enum priv_op op,
		      uint32_t prio)
{
	unsigned n = 0;

	for (unsigned i = 0; i < f->n; i++)
		n += f->req[i].op == op && f->req[i].prio == prio;
	return n;
}

/* Registered from link a (192.0.2.10), lifetime granted: the request,
 * the acceptance. */
static void register_a(struct world *w, uint16_t granted)
{
	struct rt_pkt p;
	struct mip4_msg m;

	link_foreign(&w->a, COA_A, GW_A);
	start_role(w);
	assert_true(ha_take(w, &w->a, &p, &m));
	ha_answer(w, &w->a, &p, &m, 0, granted);
	assert_true(status_bool(w, "registered"));
}

/* ---- the tests ---- */

/*
 * §3.6: from a co-located address, a request to the home agent from that
 * address (T asked for, the care-of address in it); the tunnel stays off
 * until the acceptance, then points from that address to the HA; the
 * away routes (the table into the TUN, its rule) are asked for; the
 * binding is renewed at 75 % of the granted lifetime.
 */
static void test_register_colocated(void **state)
{
	struct world *w = *state;
	const struct fake_mndp_tunnel *t;
	struct rt_pkt p;
	struct mip4_msg m;
	uint64_t sent;
	int i;

	link_foreign(&w->a, COA_A, GW_A);
	start_role(w);
	assert_true(ha_take(w, &w->a, &p, &m));
	sent = p.at_ms;
	assert_int_equal(p.ip.src, COA_A);
	assert_int_equal(p.ip.dst, HA);
	assert_int_equal(m.u.rrq.coa, COA_A);
	assert_int_equal(m.u.rrq.home_addr, HOME);
	assert_int_equal(m.u.rrq.ha_addr, HA);
	assert_int_equal(m.u.rrq.lifetime, 120);
	assert_true(m.u.rrq.flags & MIP4_RRQ_T);
	assert_true(m.u.rrq.flags & MIP4_RRQ_D);
	assert_int_equal(rt_events_named(&w->rw, "moved"), 1);
	/* not before the HA said yes */
	t = fake_mndp_of(HOME);
	assert_non_null(t);
	assert_int_equal(t->mode, MNDP_OFF);
	assert_false(status_bool(w, "registered"));
	assert_true(rules(w->rw.priv, PRIV_RULE_ADD, PREF_LOCAL) >= 1);
	assert_true(rules(w->rw.priv, PRIV_RULE_ADD, PREF_TABLE) >= 1);
	i = fake_priv_find(w->rw.priv, 0, PRIV_ROUTE_ADD, 0);
	assert_true(i >= 0); /* route all: the default route into the TUN */
	assert_int_equal(w->rw.priv->req[i].ifindex, FAKE_MN_TUN_IFINDEX);
	assert_int_equal(w->rw.priv->req[i].table, MN_TABLE);
	assert_int_equal(w->rw.priv->req[i].src, HOME);

	ha_answer(w, &w->a, &p, &m, 0, 100);
	assert_true(status_bool(w, "registered"));
	assert_int_equal(rt_events_named(&w->rw, "registered"), 1);
	assert_int_equal(t->mode, MNDP_IPIP);
	assert_int_equal(t->coa, COA_A);
	assert_int_equal(t->ha, HA);

	/* the renewal: at 75 s, not before */
	rt_link_forget(&w->a);
	fake_run(w->rw.base, 74000 - (fake_ms - sent));
	assert_int_equal(rt_link_count(&w->a, MIP4_IPPROTO_UDP, MIP4_PORT), 0);
	fake_run(w->rw.base, 1100);
	assert_true(ha_take(w, &w->a, &p, &m));
	assert_int_equal(m.u.rrq.coa, COA_A);
	assert_int_equal(m.u.rrq.lifetime, 120);
	/* the tunnel is not taken away while the renewal is out */
	assert_int_equal(t->mode, MNDP_IPIP);
	ha_answer(w, &w->a, &p, &m, 0, 100);
	assert_int_equal(rt_events_named(&w->rw, "registered"), 2);
}

/* §3.6.3: unanswered, the request goes again after 1 s, then 2, 4, 8,
 * 16 and 32 s (the cap), each time with a new identification. */
static void test_retransmission_backoff(void **state)
{
	struct world *w = *state;
	uint64_t at[8], id[8];
	unsigned n = 0;

	link_foreign(&w->a, COA_A, GW_A);
	start_role(w);
	for (int step = 0; step < 1000 && n < 8; step++) { /* 100 s */
		struct rt_pkt p;
		struct mip4_msg m;

		while (n < 8 && rt_link_take(&w->a, MIP4_IPPROTO_UDP, MIP4_PORT,
					     &p)) {
			assert_int_equal(mip4_msg_decode(p.data, p.data_len, &m),
					 MIP4_OK);
			at[n] = p.at_ms;
			id[n++] = m.u.rrq.id;
		}
		fake_run(w->rw.base, 100);
	}
	assert_int_equal(n, 8);
	for (unsigned i = 1; i < n; i++) {
		uint64_t want = (1000u << (i - 1)) < 32000 ? 1000u << (i - 1)
							   : 32000;
		uint64_t gap = at[i] - at[i - 1];

		if (gap + 100 < want || gap > want + 100)
			fail_msg("retransmission %u came %llu ms after the one "
				 "before, want %llu",
				 i, (unsigned long long)gap,
				 (unsigned long long)want);
		assert_true(id[i] != id[i - 1]);
	}
	assert_int_equal(counter(w, "retransmissions"), 7);
	assert_false(status_bool(w, "registered"));
}

/*
 * A move: the first interface loses its link, the second has an address
 * and a router.  The tunnel is off at once (never from a care-of address
 * we left), a request goes from the new address, the tunnel follows the
 * acceptance.
 */
static void test_move_reregisters(void **state)
{
	struct world *w = *state;
	const struct fake_mndp_tunnel *t;
	struct rt_pkt p;
	struct mip4_msg m;

	register_a(w, 100);
	t = fake_mndp_of(HOME);
	assert_int_equal(t->coa, COA_A);
	rt_link_up(&w->a, false);
	link_foreign(&w->b, COA_B, GW_B);
	assert_true(ha_take(w, &w->b, &p, &m));
	assert_int_equal(p.ip.src, COA_B);
	assert_int_equal(m.u.rrq.coa, COA_B);
	assert_int_equal(t->mode, MNDP_OFF);
	assert_true(rt_events_named(&w->rw, "moved") >= 2);
	ha_answer(w, &w->b, &p, &m, 0, 100);
	assert_int_equal(t->mode, MNDP_IPIP);
	assert_int_equal(t->coa, COA_B);
	assert_int_equal(rt_events_named(&w->rw, "registered"), 2);
}

/*
 * Home again (§3.6.1.2): an address of the home network on a link: a
 * deregistration (lifetime 0, care-of address = home address) from the
 * home address, a gratuitous ARP for it (§4.6), the away rule and table
 * taken back, the tunnel off.
 */
static void test_home_deregisters(void **state)
{
	struct world *w = *state;
	const struct fake_mndp_tunnel *t;
	const struct fake_priv *f;
	struct rt_pkt p;
	struct mip4_msg m;

	register_a(w, 100);
	f = w->rw.priv;
	t = fake_mndp_of(HOME);
	rt_link_up(&w->a, false);
	link_foreign(&w->b, HOME, HOME_GW);
	assert_true(ha_take(w, &w->b, &p, &m));
	assert_int_equal(p.ip.src, HOME);
	assert_int_equal(m.u.rrq.lifetime, 0);
	assert_int_equal(m.u.rrq.coa, HOME);
	assert_int_equal(t->mode, MNDP_OFF);
	assert_int_equal(rules(f, PRIV_RULE_DEL, PREF_TABLE) >= 1, true);
	assert_true(fake_priv_count(f, PRIV_GARP, HOME) >= 1);
	ha_answer(w, &w->b, &p, &m, 0, 0);
	assert_int_equal(rt_events_named(&w->rw, "deregistered"), 1);
	assert_false(status_bool(w, "registered"));
}

/*
 * Denials: one the node cannot repair (131) is reported and tried again
 * after a back-off of 2 s; a 133 resynchronises the identification to
 * the home agent's clock and goes again at once (§3.6.2.3).
 */
static void test_denials(void **state)
{
	struct world *w = *state;
	struct rt_pkt p;
	struct mip4_msg m;
	uint64_t denied_at, ha_id;

	link_foreign(&w->a, COA_A, GW_A);
	start_role(w);
	assert_true(ha_take(w, &w->a, &p, &m));
	ha_answer(w, &w->a, &p, &m, 131, 0);
	denied_at = fake_ms;
	assert_int_equal(rt_events_named(&w->rw, "registration-failed"), 1);
	assert_int_equal(counter(w, "denied"), 1);
	assert_false(status_bool(w, "registered"));
	assert_int_equal(fake_mndp_of(HOME)->mode, MNDP_OFF);
	fake_run(w->rw.base, 1900);
	assert_int_equal(rt_link_count(&w->a, MIP4_IPPROTO_UDP, MIP4_PORT), 0);
	fake_run(w->rw.base, 200);
	assert_true(ha_take(w, &w->a, &p, &m));
	assert_true(p.at_ms - denied_at >= 2000);

	/* the HA's clock is an hour ahead: 133 with its time, our low half */
	ha_id = ((m.u.rrq.id >> 32) + 3600) << 32 | (m.u.rrq.id & 0xffffffffu);
	reply_id(w, &w->a, &p, &m, HA, 133, 0, ha_id, &w->sa);
	assert_int_equal(rt_events_named(&w->rw, "resynchronised"), 1);
	assert_true(ha_take(w, &w->a, &p, &m));
	if ((m.u.rrq.id >> 32) < (ha_id >> 32) ||
	    (m.u.rrq.id >> 32) > (ha_id >> 32) + 2)
		fail_msg("identification not taken from the HA's clock");
	ha_answer(w, &w->a, &p, &m, 0, 100);
	assert_true(status_bool(w, "registered"));
}

/* Replies that are not for the request in flight are dropped and
 * counted (§3.6.2.1): another identification, a wrong MN-HA, garbage;
 * the right one still registers. */
static void test_bad_replies_dropped(void **state)
{
	struct world *w = *state;
	struct mip4_sa bad;
	uint8_t other[16] = {1};
	uint8_t junk[3] = {MIP4_MSG_RRP, 0, 0};
	struct rt_pkt p;
	struct mip4_msg m;

	mip4_sa_init(&bad, 0x1000, other, sizeof other);
	link_foreign(&w->a, COA_A, GW_A);
	start_role(w);
	assert_true(ha_take(w, &w->a, &p, &m));
	reply_id(w, &w->a, &p, &m, HA, 0, 100, m.u.rrq.id + 1, &w->sa);
	reply_id(w, &w->a, &p, &m, HA, 0, 100, m.u.rrq.id, &bad);
	reply_id(w, &w->a, &p, &m, HA, 0, 100, m.u.rrq.id, NULL);
	rt_link_send_udp(&w->a, gw_mac, NULL, HA, COA_A, 64, MIP4_PORT, junk,
			 sizeof junk);
	settle(w);
	assert_false(status_bool(w, "registered"));
	assert_int_equal(counter(w, "drop-id-mismatch"), 1);
	assert_int_equal(counter(w, "drop-auth"), 2);
	assert_int_equal(counter(w, "drop-malformed"), 1);
	assert_int_equal(rt_events_named(&w->rw, "registered"), 0);
	ha_answer(w, &w->a, &p, &m, 0, 100);
	assert_true(status_bool(w, "registered"));
	/* a second answer to a request no longer in flight */
	ha_answer(w, &w->a, &p, &m, 0, 100);
	assert_int_equal(counter(w, "drop-unexpected"), 1);
}

/* An advertisement from the foreign agent on link l: F and T, its
 * care-of address, registrations up to 300 s, the advertisement good for
 * 3 s. */
static void fa_advertise(struct rt_link *l, uint16_t seq)
{
	static const uint8_t all_systems_mac[6] = {0x01, 0x00, 0x5e,
						   0x00, 0x00, 0x01};
	uint8_t icmp[64];
	struct mip4_buf b;
	struct mip4_adv a = {.lifetime = 3,
			     .n_routers = 1,
			     .has_mobility = true,
			     .seq = seq,
			     .reg_lifetime = 300,
			     .flags = MIP4_ADV_F | MIP4_ADV_T,
			     .n_coa = 1};

	a.router[0].addr = FA_ADDR;
	a.coa[0] = FA_COA;
	mip4_buf_init(&b, icmp, sizeof icmp);
	mip4_adv_put(&b, &a, false);
	assert_false(b.overflow);
	rt_link_send_ip(l, gw_mac, all_systems_mac, FA_ADDR, ALL_SYSTEMS,
			MIP4_IPPROTO_ICMP, 1, icmp, b.len);
}

/* The first request of op for dst with gateway gw in table, or -1. */
static int find_via(const struct fake_priv *f, enum priv_op op, uint32_t dst,
		    uint32_t gw, uint32_t table)
{
	for (unsigned i = 0; i < f->n; i++)
		if (f->req[i].op == op && f->req[i].dst == dst &&
		    f->req[i].gw == gw && f->req[i].table == table)
			return (int)i;
	return -1;
}

/*
 * Agent discovery and mode f (§2.4, §3.6.1.1, RFC 3024 §4.2.1): on a link
 * without an address the node solicits (to all routers, TTL 1, from
 * 0.0.0.0: its home address must not show on a foreign link); an FA's
 * advertisement makes it register through that FA: the FA's neighbour
 * entry (its MAC from the advertisement) and host route asked for, the
 * request to the FA's MAC from the home address with TTL 255 and the
 * FA's care-of address.  The FA's 69 with its maximum is taken (§3.6.2.3),
 * an acceptance relayed by the FA sends the chosen traffic via the FA
 * (the FA tunnels: our data plane stays off).  Advertisements that stop
 * lose the agent.
 */
static void test_solicit_and_fa(void **state)
{
	struct world *w = *state;
	const struct fake_priv *f;
	static const uint8_t all_routers_mac[6] = {0x01, 0x00, 0x5e,
						   0x00, 0x00, 0x02};
	struct rt_pkt p;
	struct mip4_msg m;
	json_object *st, *v;
	int i, steps;

	/* what the privileged side would do for mode f (the fake does
	 * nothing): the home address on the TUN (here lo), the FA's route */
	assert_int_equal(nl_addr_add(w->b.nl, 1, HOME, 32), 0);
	rt_link_up(&w->b, true);
	assert_int_equal(nl_route_add(w->b.nl, FA_ADDR, 32, w->b.ifindex, 0),
			 0);
	rt_link_neigh(&w->b, FA_ADDR, gw_mac);
	start_role(w);
	f = w->rw.priv;
	for (steps = 0; steps < 50; steps++) { /* 5 s */
		if (rt_link_count(&w->b, MIP4_IPPROTO_ICMP, MIP4_ICMP_SOL))
			break;
		fake_run(w->rw.base, 100);
	}
	assert_true(rt_link_take(&w->b, MIP4_IPPROTO_ICMP, MIP4_ICMP_SOL, &p));
	assert_int_equal(p.ip.src, 0);
	assert_int_equal(p.ip.dst, ALL_ROUTERS);
	assert_int_equal(p.ip.ttl, 1);
	assert_memory_equal(p.dst_mac, all_routers_mac, 6);
	assert_int_equal(mip4_sol_decode(p.data, p.data_len), MIP4_OK);
	assert_true(counter(w, "agent-solicitations-sent") >= 1);

	fa_advertise(&w->b, 0);
	assert_true(ha_take(w, &w->b, &p, &m));
	assert_memory_equal(p.dst_mac, gw_mac, 6);
	assert_int_equal(p.ip.src, HOME);
	assert_int_equal(p.ip.dst, FA_ADDR);
	assert_int_equal(p.ip.ttl, 255);
	assert_int_equal(m.u.rrq.coa, FA_COA);
	assert_false(m.u.rrq.flags & MIP4_RRQ_D);
	assert_true(m.u.rrq.flags & MIP4_RRQ_T);
	assert_int_equal(m.u.rrq.lifetime, 120);
	i = fake_priv_find(f, 0, PRIV_NEIGH_ADD, FA_ADDR);
	assert_true(i >= 0);
	assert_memory_equal(f->req[i].mac, gw_mac, 6);
	assert_int_equal(f->req[i].ifindex, w->b.ifindex);
	i = fake_priv_find(f, 0, PRIV_ROUTE_ADD, FA_ADDR);
	assert_true(i >= 0);
	assert_int_equal(f->req[i].plen, 32);
	assert_int_equal(f->req[i].src, HOME);

	/* the FA's own denial: no MN-HA, its maximum lifetime */
	reply_id(w, &w->b, &p, &m, FA_ADDR, 69, 60, m.u.rrq.id, NULL);
	assert_true(ha_take(w, &w->b, &p, &m));
	assert_int_equal(m.u.rrq.lifetime, 60);
	/* relayed acceptance */
	reply_id(w, &w->b, &p, &m, FA_ADDR, 0, 60, m.u.rrq.id, &w->sa);
	assert_true(status_bool(w, "registered"));
	st = mnrole_ops.status(w->rw.state);
	assert_true(json_object_object_get_ex(st, "mode", &v));
	assert_string_equal(json_object_get_string(v), "f");
	assert_true(json_object_object_get_ex(st, "agent", &v));
	assert_string_equal(json_object_get_string(v), "203.0.113.1");
	json_object_put(st);
	assert_int_equal(fake_mndp_of(HOME)->mode, MNDP_OFF);
	assert_true(find_via(f, PRIV_ROUTE_ADD, 0, FA_ADDR, MN_TABLE) >= 0);

	/* silence: after the advertisement's 3 s the agent is gone */
	assert_int_equal(rt_events_named(&w->rw, "agent-lost"), 0);
	fake_run(w->rw.base, 3500);
	assert_int_equal(rt_events_named(&w->rw, "agent-lost"), 1);
}

/*
 * Two mobile node layers in one process, as the RFC 5265 node runs them
 * (x and i): the role, and a second layer with its own home address, key
 * and port, registering at the same moment from the same link.  Both
 * replies wait at once; each layer takes its own and holds its own
 * binding and tunnel.  (What this cannot show: a receive buffer shared
 * between them, since the loop runs one callback at a time.)
 */
static void test_two_layers(void **state)
{
	struct world *w = *state;
	static const uint8_t key2[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
					 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
					 0xcc, 0xdd, 0xee, 0x02};
	struct mnlayer_params lp = {.tag = " (2)",
				    .layer = "2",
				    .mark = 0x4d4a,
				    .table = 0x4d4a,
				    .pref_mark = 2000,
				    .pref_table = 2002,
				    .udp_port = 4341};
	char text[1024], err[256];
	struct mip4_config c2;
	struct mip4_sa sa2;
	struct mnlayer *l2;
	struct rt_pkt p[2];
	struct mip4_msg m[2];
	json_object *o, *v;
	unsigned seen = 0;

	mip4_sa_init(&sa2, 0x1001, key2, sizeof key2);
	sa2.replay = MIP4_REPLAY_TIMESTAMP;
	mn_conf(text, sizeof text, w->rw.dir, HOME + 1, 0x1001, 0x02);
	assert_int_equal(mip4_config_parse_buf("t2", text, strlen(text), &c2,
					       err, sizeof err), 0);
	lp.c = &c2.mn;
	link_foreign(&w->a, COA_A, GW_A);
	start_role(w);
	l2 = mnlayer_new(&w->rw.env, &lp);
	assert_non_null(l2);
	assert_int_equal(mnlayer_start(l2), 0);
	mnlayer_evaluate(l2);

	/* one request from each, each signed with its own key */
	while (seen != 3 &&
	       rt_link_wait(&w->rw, &w->a, MIP4_IPPROTO_UDP, MIP4_PORT, 500)) {
		struct rt_pkt q;
		struct mip4_msg n;
		unsigned k;

		assert_true(rt_link_take(&w->a, MIP4_IPPROTO_UDP, MIP4_PORT, &q));
		k = q.sport == MIP4_PORT ? 0 : 1;
		p[k] = q;
		assert_int_equal(mip4_msg_decode(p[k].data, p[k].data_len, &n),
				 MIP4_OK);
		m[k] = n;
		assert_int_equal(m[k].u.rrq.home_addr, k ? HOME + 1 : HOME);
		assert_int_equal(mip4_auth_verify_type(k ? &sa2 : &w->sa, &m[k],
						       MIP4_EXT_MN_HA),
				 MIP4_AUTH_OK);
		seen |= 1u << k;
	}
	assert_int_equal(seen, 3);
	assert_int_equal(p[1].sport, 4341);
	/* both answers on the link before either layer reads */
	reply_id(w, &w->a, &p[1], &m[1], HA, 0, 90, m[1].u.rrq.id, &sa2);
	reply_id(w, &w->a, &p[0], &m[0], HA, 0, 100, m[0].u.rrq.id, &w->sa);
	assert_true(status_bool(w, "registered"));
	o = mnlayer_status_of(l2);
	assert_true(json_object_object_get_ex(o, "registered", &v));
	assert_true(json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(o, "lifetime", &v));
	assert_int_equal(json_object_get_int(v), 90);
	json_object_put(o);
	assert_int_equal(fake_mndp_of(HOME)->mode, MNDP_IPIP);
	assert_int_equal(fake_mndp_of(HOME + 1)->mode, MNDP_IPIP);
	assert_int_equal(counter(w, "accepted"), 1);
	assert_int_equal(counter(w, "drop-id-mismatch") + counter(w, "drop-auth"),
			 0);
	o = mnlayer_counters_of(l2);
	assert_true(json_object_object_get_ex(o, "accepted", &v));
	assert_int_equal(json_object_get_int(v), 1);
	assert_true(json_object_object_get_ex(o, "drop-auth", &v));
	assert_int_equal(json_object_get_int(v), 0);
	json_object_put(o);

	rt_link_up(&w->a, false);
	mnlayer_free(l2);
	mip4_config_free(&c2);
}

/* Stopped while away: a deregistration leaves (§3.6.1.2: the node should
 * deregister when it can), and the away rule goes. */
static void test_stop_deregisters(void **state)
{
	struct world *w = *state;
	struct rt_pkt p;
	struct mip4_msg m;

	register_a(w, 100);
	rt_link_forget(&w->a);
	rt_stop_role(&w->rw); /* waits up to 1 s for the answer */
	assert_true(rt_link_take(&w->a, MIP4_IPPROTO_UDP, MIP4_PORT, &p));
	assert_int_equal(mip4_msg_decode(p.data, p.data_len, &m), MIP4_OK);
	assert_int_equal(m.u.rrq.lifetime, 0);
	assert_int_equal(rules(w->rw.priv, PRIV_RULE_DEL, PREF_TABLE) >= 1,
			 true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_register_colocated, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_retransmission_backoff,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_move_reregisters, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_home_deregisters, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_denials, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_replies_dropped, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_solicit_and_fa, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stop_deregisters, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_two_layers, setup,
						teardown),
	};

	if (!rt_own_netns_tap("test_mnrole"))
		return 77;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
