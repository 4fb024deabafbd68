/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The foreign agent role behind its role_ops (daemon/farole.c), with the
 * fake clock, a fake privileged side (it records every request) and a
 * fake data plane, in a network namespace of the test's own:
 *
 *   test (mobile node)                         test (home agent)
 *   02:00:00:00:00:64, 10.1.0.100              198.51.100.3:434
 *        |  frames written / read                  |  UDP
 *   [ fa0: TAP 192.0.2.1/24 ] ---- farole ---- [ lo: care-of 198.51.100.1 ]
 *
 * (Not 127/8: the FA refuses a home agent there with 194.)
 *
 * What a user of the daemon relies on: an agent advertisement on the link
 * at the configured interval (RFC 5944 §2) and in answer to a
 * solicitation; a mobile node's request relayed to its home agent and the
 * reply relayed back (§3.7); the visitor's neighbour entry and route asked
 * of the privileged side before the reply reaches the node (§4.2.2: the FA
 * never ARPs for a visitor), and taken back on expiry or deregistration;
 * a 78 when the home agent stays silent; what the control socket shows.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "clock.h"
#include "nl.h"
#include "roletest.h"

extern const struct role_ops farole_ops;

#define HOME 0x0a010064u  /* 10.1.0.100 */
#define FA_ADDR 0xc0000201u /* 192.0.2.1 */
#define COA 0xc6336401u	  /* 198.51.100.1, on lo */
#define HA 0xc6336403u	  /* 198.51.100.3, on lo */
#define LO_IFINDEX 1
#define TABLE 434
#define ALL_SYSTEMS 0xe0000001u
#define ALL_ROUTERS 0xe0000002u

static const uint8_t mn_mac[6] = {0x02, 0, 0, 0, 0, 0x64};
static const uint8_t mn_key[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
				   0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
				   0xcc, 0xdd, 0xee, 0xff};
static const uint8_t fa_key[16] = {0x30, 0x31, 0x32, 0x33, 0x34, 0x35,
				   0x36, 0x37, 0x38, 0x39, 0x30, 0x31,
				   0x32, 0x33, 0x34, 0x3f};

struct world {
	struct rt_world rw; /* first: the fake privileged side's ctx */
	struct rt_link link;
	int ha; /* the home agent's socket, 198.51.100.3:434 */
	struct mip4_sa mn_sa, fa_sa;
	uint64_t id;
	/* when the route for HOME was asked (added or taken away): had
	 * a reply to the node left on the link already? */
	int reply_before_route_add, reply_before_route_del;
};

/* The privileged side is asked for something: note whether the reply to
 * the node is on the link already. */
static void on_submit(struct fake_priv *f, const struct priv_req *rq)
{
	struct world *w = f->ctx;
	int early;

	if ((rq->op != PRIV_ROUTE_ADD && rq->op != PRIV_ROUTE_DEL) ||
	    rq->dst != HOME)
		return;
	early = rt_link_count(&w->link, MIP4_IPPROTO_UDP, MIP4_PORT) > 0;
	if (rq->op == PRIV_ROUTE_ADD)
		w->reply_before_route_add = early;
	else
		w->reply_before_route_del = early;
}

static void start_role(struct world *w)
{
	char text[1024];

	snprintf(text, sizeof text,
		 "control-socket %s/s\n"
		 "foreign-agent {\n"
		 "\tinterface fa0\n\taddress 192.0.2.1\n"
		 "\tcare-of-address 198.51.100.1\n"
		 "\tadvertise-interval 1\n\tmax-lifetime 300\n"
		 "\treverse-tunnel yes\n\troute-table %u\n"
		 "\ttunnel-device fake-fa0\n"
		 "\thome-agent 198.51.100.3 { spi 0x3000 key "
		 "hex:3031323334353637383930313233343f }\n}\n",
		 w->rw.dir, TABLE);
	rt_start(&w->rw, &farole_ops, text);
}

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof *w);
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons(MIP4_PORT),
				.sin_addr.s_addr = htonl(HA)};
	int one = 1;

	assert_non_null(w);
	rt_init(&w->rw, "test_farole");
	w->rw.on_submit = on_submit;
	w->reply_before_route_add = w->reply_before_route_del = -1;
	assert_true(rt_link_open(&w->link, "fa0"));
	rt_link_addr(&w->link, FA_ADDR, 24);
	rt_link_up(&w->link, true);
	assert_int_equal(nl_addr_add(w->link.nl, LO_IFINDEX, COA, 32), 0);
	assert_int_equal(nl_addr_add(w->link.nl, LO_IFINDEX, HA, 32), 0);
	/* the FA listens on 0.0.0.0:434 with SO_REUSEADDR: the home agent's
	 * more specific socket shares the port */
	w->ha = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	assert_int_equal(setsockopt(w->ha, SOL_SOCKET, SO_REUSEADDR, &one,
				    sizeof one), 0);
	assert_int_equal(bind(w->ha, (struct sockaddr *)&a, sizeof a), 0);
	mip4_sa_init(&w->mn_sa, 0x100, mn_key, sizeof mn_key);
	mip4_sa_init(&w->fa_sa, 0x3000, fa_key, sizeof fa_key);
	start_role(w);
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;

	rt_stop(&w->rw);
	close(w->ha);
	rt_link_close(&w->link);
	rt_fini(&w->rw);
	free(w);
	return 0;
}

/* ---- the mobile node's and the home agent's side ---- */

/* The node sends q (a fresh identification) to the FA on the link, with
 * IP TTL ttl. */
static void mn_send(struct world *w, struct mip4_rrq *q, uint8_t ttl)
{
	uint8_t req[256];
	size_t n;

	w->id = mip4d_now_ntp() > w->id ? mip4d_now_ntp() : w->id + 1;
	q->id = w->id;
	n = rt_rrq(req, sizeof req, q, &w->mn_sa);
	rt_link_send_udp(&w->link, mn_mac, NULL, HOME, FA_ADDR, ttl, MIP4_PORT,
			 req, n);
}

/* The node sends a request for lifetime (T set) to the FA on the link. */
static void mn_request(struct world *w, uint16_t lifetime)
{
	struct mip4_rrq q = {.flags = MIP4_RRQ_T,
			     .lifetime = lifetime,
			     .home_addr = HOME,
			     .ha_addr = HA,
			     .coa = COA};

	/* RFC 3024 §4.2.1: TTL 255 with T */
	mn_send(w, &q, 255);
}

/* The home agent receives the relayed request: its length (0: none came
 * within 500 ms); from the care-of address. */
static size_t ha_receive(struct world *w, uint8_t *buf, size_t cap)
{
	struct sockaddr_in from;
	socklen_t fl = sizeof from;
	ssize_t n;

	if (!rt_wait_fd(&w->rw, w->ha, 500))
		return 0;
	n = recvfrom(w->ha, buf, cap, 0, (struct sockaddr *)&from, &fl);
	assert_true(n > 0);
	assert_int_equal(ntohl(from.sin_addr.s_addr), COA);
	assert_int_equal(ntohs(from.sin_port), MIP4_PORT);
	return (size_t)n;
}

/* The home agent answers req with code and lifetime, to the care-of
 * address. */
static void ha_reply(struct world *w, const uint8_t *req, size_t len,
		     uint8_t code, uint16_t lifetime)
{
	uint8_t rep[256];
	struct sockaddr_in to = {.sin_family = AF_INET,
				 .sin_port = htons(MIP4_PORT),
				 .sin_addr.s_addr = htonl(COA)};
	size_t n = rt_rrp(rep, sizeof rep, req, len, &w->mn_sa, &w->fa_sa,
			  code, lifetime);

	assert_int_equal(sendto(w->ha, rep, n, 0, (struct sockaddr *)&to,
				sizeof to), (ssize_t)n);
}

/* A code a foreign agent denies with (RFC 5944 §3.7.2, RFC 4433). */
static bool fa_code(uint8_t code)
{
	return (code >= 64 && code < 128) || code == 194;
}

/* The home agent sends r to the care-of address, MN-HA and then FA-HA
 * (made with the wrong key when bad_faha). */
static void ha_send(struct world *w, const struct mip4_rrp *r, bool bad_faha)
{
	uint8_t rep[256], other[16] = {0};
	struct sockaddr_in to = {.sin_family = AF_INET,
				 .sin_port = htons(MIP4_PORT),
				 .sin_addr.s_addr = htonl(COA)};
	struct mip4_sa bad;
	struct mip4_buf b;

	mip4_sa_init(&bad, w->fa_sa.spi, other, sizeof other);
	mip4_buf_init(&b, rep, sizeof rep);
	mip4_rrp_put(&b, r);
	mip4_auth_append(&b, MIP4_EXT_MN_HA, &w->mn_sa);
	mip4_auth_append(&b, MIP4_EXT_FA_HA, bad_faha ? &bad : &w->fa_sa);
	assert_false(b.overflow);
	assert_int_equal(sendto(w->ha, rep, b.len, 0, (struct sockaddr *)&to,
				sizeof to), (ssize_t)b.len);
}

/* The home agent sends len raw bytes to the care-of address. */
static void ha_send_raw(struct world *w, const uint8_t *msg, size_t len)
{
	struct sockaddr_in to = {.sin_family = AF_INET,
				 .sin_port = htons(MIP4_PORT),
				 .sin_addr.s_addr = htonl(COA)};

	assert_int_equal(sendto(w->ha, msg, len, 0, (struct sockaddr *)&to,
				sizeof to), (ssize_t)len);
}

/* The reply the node gets on the link: its code (-1: none within 500 ms),
 * to its MAC and home address, MN-HA intact. */
static int mn_reply(struct world *w, uint16_t *lifetime)
{
	struct rt_pkt p;
	struct mip4_msg m;

	if (!rt_link_wait(&w->rw, &w->link, MIP4_IPPROTO_UDP, MIP4_PORT, 500))
		return -1;
	assert_true(rt_link_take(&w->link, MIP4_IPPROTO_UDP, MIP4_PORT, &p));
	assert_memory_equal(p.dst_mac, mn_mac, 6);
	assert_memory_equal(p.src_mac, w->link.mac, 6);
	assert_int_equal(p.ip.dst, HOME);
	assert_int_equal(mip4_msg_decode(p.data, p.data_len, &m), MIP4_OK);
	assert_int_equal(m.type, MIP4_MSG_RRP);
	if (fa_code(m.u.rrp.code)) /* ours: no MN-HA key to make one */
		assert_null(mip4_msg_find_ext(&m, MIP4_EXT_MN_HA, -1));
	else
		assert_int_equal(mip4_auth_verify_type(&w->mn_sa, &m,
						       MIP4_EXT_MN_HA),
				 MIP4_AUTH_OK);
	/* the FA-HA extension is the FA's, consumed (§3.7.3.2) */
	assert_null(mip4_msg_find_ext(&m, MIP4_EXT_FA_HA, -1));
	if (lifetime)
		*lifetime = m.u.rrp.lifetime;
	return m.u.rrp.code;
}

/* A whole registration through the FA: the home agent's code. */
static int reg(struct world *w, uint16_t lifetime, uint8_t ha_code)
{
	uint8_t req[512];
	size_t n;

	mn_request(w, lifetime);
	n = ha_receive(w, req, sizeof req);
	assert_true(n > 0);
	ha_reply(w, req, n, ha_code, lifetime);
	return mn_reply(w, NULL);
}

static int64_t visitors(struct world *w)
{
	json_object *o = farole_ops.status(w->rw.state), *v;
	int64_t n = -1;

	if (json_object_object_get_ex(o, "visitors", &v))
		n = json_object_get_int64(v);
	json_object_put(o);
	return n;
}

/* ---- the tests ---- */

/* RFC 5944 §2: advertisements on the link, from the link address to all
 * systems with TTL 1, never further apart than the interval (1 s), the
 * sequence number counting, the care-of address and limits in them. */
static void test_advertisements_at_interval(void **state)
{
	struct world *w = *state;
	struct rt_pkt p;
	uint64_t last = 0;
	int seq = -1;
	unsigned n = 0;

	rt_link_forget(&w->link);
	for (int i = 0; i < 100; i++) { /* 10 s in steps of 100 ms */
		fake_run(w->rw.base, 100);
		rt_link_pump(&w->link);
	}
	while (rt_link_take(&w->link, MIP4_IPPROTO_ICMP, MIP4_ICMP_ADV, &p)) {
		struct mip4_adv a;

		assert_int_equal(p.ip.src, FA_ADDR);
		assert_int_equal(p.ip.dst, ALL_SYSTEMS);
		assert_int_equal(p.ip.ttl, 1);
		assert_int_equal(mip4_inet_csum(p.data, p.data_len), 0);
		assert_int_equal(mip4_adv_decode(p.data, p.data_len, &a),
				 MIP4_OK);
		assert_true(a.has_mobility);
		assert_true(a.flags & MIP4_ADV_F);
		assert_true(a.flags & MIP4_ADV_T);
		assert_int_equal(a.n_coa, 1);
		assert_int_equal(a.coa[0], COA);
		assert_int_equal(a.reg_lifetime, 300);
		assert_int_equal(a.lifetime, 3); /* 3 x interval */
		if (seq >= 0)
			assert_int_equal(a.seq, seq + 1);
		seq = a.seq;
		if (n++) {
			uint64_t d = p.at_ms - last;

			if (d > 1000 || d < 500)
				fail_msg("advertisement %u came %llu ms after "
					 "the one before",
					 n, (unsigned long long)d);
		}
		last = p.at_ms;
	}
	if (n < 10 || n > 20)
		fail_msg("%u advertisements in 10 s", n);
	assert_int_equal(rt_counter(&w->rw, "foreign-agent", "advertisements"),
			 n);
}

/* A solicitation (ICMP 10 to all routers) is answered by an
 * advertisement before the next one is due (§2.4). */
static void test_solicitation_answered(void **state)
{
	struct world *w = *state;
	static const uint8_t all_routers_mac[6] = {0x01, 0x00, 0x5e,
						   0x00, 0x00, 0x02};
	uint8_t sol[8];
	struct mip4_buf b;

	fake_run(w->rw.base, 3000); /* well after the last answer */
	for (int i = 0; i < 5; i++) {
		fake_run(w->rw.base, 100);
		rt_link_pump(&w->link);
	}
	rt_link_forget(&w->link); /* the next regular one is ~0.5 s away */
	mip4_buf_init(&b, sol, sizeof sol);
	mip4_sol_put(&b);
	rt_link_send_ip(&w->link, mn_mac, all_routers_mac, 0, ALL_ROUTERS,
			MIP4_IPPROTO_ICMP, 1, sol, b.len);
	assert_true(rt_link_wait(&w->rw, &w->link, MIP4_IPPROTO_ICMP,
				 MIP4_ICMP_ADV, 500));
	assert_int_equal(rt_counter(&w->rw, "foreign-agent", "solicitations-rx"),
			 1);
}

/*
 * §3.7: the request reaches the home agent unchanged through MN-HA, from
 * the care-of address, with an FA-HA authenticator; the reply reaches the
 * node on the link.  The visitor's neighbour entry (its MAC), its /32
 * route on the link and the reverse tunnel's rule were asked for before
 * the reply left.
 */
static void test_relay_and_visitor(void **state)
{
	struct world *w = *state;
	const struct fake_priv *f = w->rw.priv;
	uint8_t req[512];
	struct mip4_msg m, orig;
	uint8_t sent[256];
	struct mip4_rrq q = {.flags = MIP4_RRQ_T, .lifetime = 200,
			     .home_addr = HOME, .ha_addr = HA, .coa = COA};
	size_t n, sent_len;
	uint16_t life = 0;
	int i;

	w->id = q.id = mip4d_now_ntp();
	sent_len = rt_rrq(sent, sizeof sent, &q, &w->mn_sa);
	rt_link_send_udp(&w->link, mn_mac, NULL, HOME, FA_ADDR, 255, MIP4_PORT,
			 sent, sent_len);
	n = ha_receive(w, req, sizeof req);
	assert_true(n > sent_len);
	assert_memory_equal(req, sent, sent_len);
	assert_int_equal(mip4_msg_decode(req, n, &m), MIP4_OK);
	assert_int_equal(mip4_msg_decode(sent, sent_len, &orig), MIP4_OK);
	assert_int_equal(mip4_auth_verify_type(&w->fa_sa, &m, MIP4_EXT_FA_HA),
			 MIP4_AUTH_OK);
	/* nothing in the kernel for a request alone */
	assert_int_equal(fake_priv_count(f, PRIV_ROUTE_ADD, HOME), 0);
	assert_int_equal(visitors(w), 0);

	ha_reply(w, req, n, 0, 200);
	assert_int_equal(mn_reply(w, &life), 0);
	assert_int_equal(life, 200);
	assert_int_equal(w->reply_before_route_add, 0);
	i = fake_priv_find(f, 0, PRIV_ROUTE_ADD, HOME);
	assert_true(i >= 0);
	assert_int_equal(f->req[i].plen, 32);
	assert_int_equal(f->req[i].ifindex, w->link.ifindex);
	assert_int_equal(f->req[i].table, 0);
	i = fake_priv_find(f, 0, PRIV_NEIGH_ADD, HOME);
	assert_true(i >= 0);
	assert_memory_equal(f->req[i].mac, mn_mac, 6);
	assert_int_equal(f->req[i].ifindex, w->link.ifindex);
	/* RFC 3024 §5.1: the node's packets from the link into the TUN */
	i = fake_priv_find(f, 0, PRIV_RULE_IIF_ADD, 0);
	assert_true(i >= 0);
	assert_int_equal(f->req[i].src, HOME);
	assert_string_equal(f->req[i].iif, "fa0");
	assert_int_equal(f->req[i].table, TABLE);
	assert_int_equal(visitors(w), 1);
	assert_int_equal(rt_events_named(&w->rw, "visitor-added"), 1);
	/* a renewal changes nothing in the kernel */
	assert_int_equal(reg(w, 200, 0), 0);
	assert_int_equal(fake_priv_count(f, PRIV_ROUTE_ADD, HOME), 1);
	assert_int_equal(visitors(w), 1);
}

/* A visitor whose lifetime runs out loses its route, neighbour entry and
 * rule; not a moment before. */
static void test_visitor_expiry(void **state)
{
	struct world *w = *state;
	const struct fake_priv *f = w->rw.priv;

	assert_int_equal(reg(w, 5, 0), 0);
	assert_int_equal(visitors(w), 1);
	fake_run(w->rw.base, 4000);
	assert_int_equal(fake_priv_count(f, PRIV_ROUTE_DEL, HOME), 0);
	assert_int_equal(visitors(w), 1);
	fake_run(w->rw.base, 2000);
	assert_int_equal(fake_priv_count(f, PRIV_ROUTE_DEL, HOME), 1);
	assert_int_equal(fake_priv_count(f, PRIV_NEIGH_DEL, HOME), 1);
	assert_true(fake_priv_find(f, 0, PRIV_RULE_IIF_DEL, 0) >= 0);
	assert_int_equal(visitors(w), 0);
	assert_int_equal(rt_events_named(&w->rw, "visitor-removed"), 1);
	assert_int_equal(rt_counter(&w->rw, "foreign-agent", "visitors-expired"),
			 1);
}

/* A deregistration the home agent accepts removes the visitor, and its
 * route is gone before the node hears the reply. */
static void test_deregistration(void **state)
{
	struct world *w = *state;
	const struct fake_priv *f = w->rw.priv;

	assert_int_equal(reg(w, 200, 0), 0);
	assert_int_equal(reg(w, 0, 0), 0);
	assert_int_equal(fake_priv_count(f, PRIV_ROUTE_DEL, HOME), 1);
	assert_int_equal(fake_priv_count(f, PRIV_NEIGH_DEL, HOME), 1);
	assert_int_equal(w->reply_before_route_del, 0);
	assert_int_equal(visitors(w), 0);
	assert_int_equal(rt_counter(&w->rw, "foreign-agent",
				    "relayed-deregistered"), 1);
}

/* A denial from the home agent reaches the node and leaves nothing
 * behind. */
static void test_denial_no_visitor(void **state)
{
	struct world *w = *state;

	assert_int_equal(reg(w, 200, 129), 129);
	assert_int_equal(visitors(w), 0);
	assert_int_equal(fake_priv_count(w->rw.priv, PRIV_ROUTE_ADD, HOME), 0);
	assert_int_equal(fake_priv_count(w->rw.priv, PRIV_NEIGH_ADD, HOME), 0);
}

/* A home agent that never answers: after 7 s the node gets 78 from us
 * (§3.7.1), and the status names the silent agent. */
static void test_ha_silent(void **state)
{
	struct world *w = *state;
	uint8_t req[512];
	json_object *st, *v;

	mn_request(w, 200);
	assert_true(ha_receive(w, req, sizeof req) > 0);
	fake_run(w->rw.base, 6000);
	assert_int_equal(rt_link_count(&w->link, MIP4_IPPROTO_UDP, MIP4_PORT), 0);
	fake_run(w->rw.base, 2000);
	assert_int_equal(mn_reply(w, NULL), 78);
	st = farole_ops.status(w->rw.state);
	v = rt_member(st, "last_timeout_78", "home_agent");
	assert_non_null(v);
	assert_string_equal(json_object_get_string(v), "198.51.100.3");
	json_object_put(st);
	assert_int_equal(visitors(w), 0);
}

/* The FA denies on its own what it must not relay (RFC 5944 §3.7.2.1,
 * RFC 3024 §4.2.1): the code reaches the node (with the lifetime it would
 * grant for 69), the home agent hears nothing, nothing is asked of the
 * kernel, and each denial is counted under its reason. */
static void test_fa_denials(void **state)
{
	struct world *w = *state;
	static const struct {
		uint8_t flags;
		uint16_t lifetime;
		uint32_t coa, ha;
		uint8_t ttl;
		int code;
		const char *counter;
	} cases[] = {
		{MIP4_RRQ_T | MIP4_RRQ_D, 200, COA, HA, 255, 64,
		 "reject-64-colocated"},
		{MIP4_RRQ_T, 400, COA, HA, 255, 69, "reject-69-lifetime"},
		{MIP4_RRQ_T, 200, COA + 8, HA, 255, 77,
		 "reject-77-care-of-address"},
		{MIP4_RRQ_T, 200, COA, 0x7f000003u, 255, 194,
		 "reject-194-home-agent-address"},
		{MIP4_RRQ_T, 200, COA, 0xe0000005u, 255, 194,
		 "reject-194-home-agent-address"},
		{MIP4_RRQ_T, 200, COA, HA, 64, 76, "reject-76-too-distant"},
		{MIP4_RRQ_T | MIP4_RRQ_M, 200, COA, HA, 255, 72,
		 "reject-72-encapsulation"},
	};
	uint8_t buf[512];
	unsigned asked = w->rw.priv->n; /* (the start's) */

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct mip4_rrq q = {.flags = cases[i].flags,
				     .lifetime = cases[i].lifetime,
				     .home_addr = HOME,
				     .ha_addr = cases[i].ha,
				     .coa = cases[i].coa};
		int64_t before = rt_counter(&w->rw, "foreign-agent",
					    cases[i].counter);
		uint16_t life = 0;

		fake_advance(1100); /* past the per-MAC denial limit */
		mn_send(w, &q, cases[i].ttl);
		if (mn_reply(w, &life) != cases[i].code)
			fail_msg("case %zu: not denied with %d", i,
				 cases[i].code);
		if (cases[i].code == 69)
			assert_int_equal(life, 300);
		assert_int_equal(rt_counter(&w->rw, "foreign-agent",
					    cases[i].counter), before + 1);
	}
	assert_int_equal(recv(w->ha, buf, sizeof buf, MSG_DONTWAIT), -1);
	assert_int_equal(w->rw.priv->n, asked);
	assert_int_equal(visitors(w), 0);
	assert_int_equal(rt_events_named(&w->rw, "registration-denied"),
			 sizeof cases / sizeof cases[0]);
	assert_int_equal(rt_counter(&w->rw, "foreign-agent", "relayed-requests"),
			 0);
}

/* Denials to one MAC at most once a second (a node that loops on its
 * request must not make us flood the link); the next after a second. */
static void test_denials_rate_limited(void **state)
{
	struct world *w = *state;

	mn_request(w, 400);
	assert_int_equal(mn_reply(w, NULL), 69);
	mn_request(w, 400);
	assert_int_equal(mn_reply(w, NULL), -1);
	assert_int_equal(rt_counter(&w->rw, "foreign-agent",
				    "drop-denial-rate-limited"), 1);
	assert_int_equal(rt_counter(&w->rw, "foreign-agent",
				    "reject-69-lifetime"), 2);
	fake_advance(1100);
	mn_request(w, 400);
	assert_int_equal(mn_reply(w, NULL), 69);
}

/* Bad input from the link and from home agents is dropped and counted,
 * nothing is relayed or answered, and the FA serves the next node. */
static void test_bad_input_dropped(void **state)
{
	struct world *w = *state;
	uint8_t req[512], junk[8] = {MIP4_MSG_RRQ, 0, 0, 0, 0, 0, 0, 0};
	struct mip4_rrq q = {.flags = MIP4_RRQ_T, .lifetime = 200,
			     .home_addr = HOME, .ha_addr = HA, .coa = COA,
			     .id = 1};
	size_t n;

	/* from the link: a request cut short, a datagram that is not one */
	n = rt_rrq(req, sizeof req, &q, &w->mn_sa);
	rt_link_send_udp(&w->link, mn_mac, NULL, HOME, FA_ADDR, 255, MIP4_PORT,
			 req, 20);
	junk[0] = 99;
	rt_link_send_udp(&w->link, mn_mac, NULL, HOME, FA_ADDR, 255, MIP4_PORT,
			 junk, sizeof junk);
	/* the whole request, in an IP header whose checksum is wrong */
	w->link.bad_ip_csum = true;
	rt_link_send_udp(&w->link, mn_mac, NULL, HOME, FA_ADDR, 255, MIP4_PORT,
			 req, n);
	assert_int_equal(mn_reply(w, NULL), -1);
	assert_int_equal(rt_counter(&w->rw, "foreign-agent", "drop-truncated"),
			 1);
	assert_int_equal(rt_counter(&w->rw, "foreign-agent", "drop-not-request"),
			 1);
	assert_int_equal(rt_counter(&w->rw, "foreign-agent", "link-drop-bad-ip"),
			 1);
	assert_int_equal(recv(w->ha, req, sizeof req, MSG_DONTWAIT), -1);

	/* from a home agent: a reply nobody asked for, one byte, not a
	 * reply */
	ha_send(w, &(struct mip4_rrp){.code = 0, .lifetime = 200,
				      .home_addr = HOME, .ha_addr = HA,
				      .id = 7},
		false);
	ha_send_raw(w, junk, 1);
	junk[0] = MIP4_MSG_RRQ;
	ha_send_raw(w, junk, sizeof junk);
	assert_int_equal(mn_reply(w, NULL), -1);
	assert_int_equal(rt_counter(&w->rw, "foreign-agent",
				    "drop-no-pending-request"), 1);
	assert_int_equal(rt_counter(&w->rw, "foreign-agent", "drop-not-reply"),
			 2);

	/* a pending request: a reply with another identification is
	 * dropped, one whose FA-HA is wrong is denied with 68 */
	mn_request(w, 200);
	n = ha_receive(w, req, sizeof req);
	assert_true(n > 0);
	ha_send(w, &(struct mip4_rrp){.code = 0, .lifetime = 200,
				      .home_addr = HOME, .ha_addr = HA,
				      .id = w->id + 1},
		false);
	assert_int_equal(mn_reply(w, NULL), -1);
	assert_int_equal(rt_counter(&w->rw, "foreign-agent", "drop-id-mismatch"),
			 1);
	ha_send(w, &(struct mip4_rrp){.code = 0, .lifetime = 200,
				      .home_addr = HOME, .ha_addr = HA,
				      .id = w->id},
		true);
	assert_int_equal(mn_reply(w, NULL), 68);
	assert_int_equal(rt_counter(&w->rw, "foreign-agent",
				    "reject-68-fa-ha-auth"), 1);
	assert_int_equal(fake_priv_count(w->rw.priv, PRIV_ROUTE_ADD, HOME), 0);
	assert_int_equal(visitors(w), 0);

	/* and the FA still works */
	assert_int_equal(reg(w, 200, 0), 0);
	assert_int_equal(visitors(w), 1);
}

/* What the control socket shows: status, counters, the visitors
 * listing and its filters. */
static void test_status_and_listing(void **state)
{
	struct world *w = *state;
	struct list_filter all = {0};
	json_object *st, *l = NULL, *v;

	assert_int_equal(reg(w, 200, 0), 0);
	st = farole_ops.status(w->rw.state);
	assert_true(json_object_object_get_ex(st, "interface", &v));
	assert_string_equal(json_object_get_string(v), "fa0");
	assert_true(json_object_object_get_ex(st, "address", &v));
	assert_string_equal(json_object_get_string(v), "192.0.2.1");
	assert_true(json_object_object_get_ex(st, "pending", &v));
	assert_int_equal(json_object_get_int(v), 0);
	json_object_put(st);

	assert_int_equal(rt_listed(&w->rw, "bindings", &all, 100, NULL), -1);
	assert_int_equal(rt_listed(&w->rw, "visitors", &all, 100, &l), 1);
	assert_true(json_object_object_get_ex(l, "home_addr", &v));
	assert_string_equal(json_object_get_string(v), "10.1.0.100");
	assert_true(json_object_object_get_ex(l, "mac", &v));
	assert_string_equal(json_object_get_string(v), "02:00:00:00:00:64");
	assert_true(json_object_object_get_ex(l, "home_agent", &v));
	assert_string_equal(json_object_get_string(v), "198.51.100.3");
	assert_true(json_object_object_get_ex(l, "reverse_tunnel", &v));
	assert_string_equal(json_object_get_string(v), "direct");
	json_object_put(l);
	rt_check_filters(&w->rw, "visitors", HOME, COA);

	assert_int_equal(rt_counter(&w->rw, "foreign-agent", "relayed-requests"), 1);
	assert_int_equal(rt_counter(&w->rw, "foreign-agent", "relayed-accepted"), 1);
	assert_int_equal(rt_counter(&w->rw, "foreign-agent", "to-ha-tx"), 1);
	assert_int_equal(rt_counter(&w->rw, "foreign-agent", "to-mn-tx"), 1);
	assert_int_equal(rt_counter(&w->rw, "fa-dataplane", "tun-rx"), 0);
}

/* Stopping takes every visitor's state and the reverse tunnel's rules
 * away (visitors re-register after a restart, §3.7). */
static void test_stop_cleans_up(void **state)
{
	struct world *w = *state;
	const struct fake_priv *f = w->rw.priv;
	unsigned before;

	assert_int_equal(reg(w, 200, 0), 0);
	before = f->n;
	rt_stop_role(&w->rw);
	assert_true(fake_priv_find(f, before, PRIV_ROUTE_DEL, HOME) >= 0);
	assert_true(fake_priv_find(f, before, PRIV_NEIGH_DEL, HOME) >= 0);
	assert_true(fake_priv_find(f, before, PRIV_RULE_IIF_DEL, 0) >= 0);
	assert_true(fake_priv_find(f, before, PRIV_RULE_DEL, 0) >= 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_advertisements_at_interval,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_solicitation_answered, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_relay_and_visitor, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_visitor_expiry, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_deregistration, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_denial_no_visitor, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ha_silent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fa_denials, setup, teardown),
		cmocka_unit_test_setup_teardown(test_denials_rate_limited, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_input_dropped, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_status_and_listing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stop_cleans_up, setup,
						teardown),
	};

	if (!rt_own_netns_tap("test_farole"))
		return 77;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
