/* SPDX-License-Identifier: BSD-2-Clause */
/* Mobile node registration state machine with a fake clock, exchanging
 * real messages with libmip4's home agent (RFC 5944 §3.6). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mip4/ha.h"
#include "mip4/mn.h"

#define HA_ADDR 0x0a000001u
#define HOME 0x0a000064u
#define COA 0xc0000205u
#define NAT 0xc6336401u
#define FA 0xc0000201u
#define T0_NTP (0xe0000000ull << 32)

static const uint8_t key[16] = "0123456789abcdef";

struct world {
	struct mip4_ha_mn hamn;
	struct mip4_ha_cfg hcfg;
	struct mip4_ha *ha;
	struct mip4_mn mn;
	struct mip4_mn_cfg cfg;
	struct mip4_mn_now now;
	int64_t mn_clock_skew_s; /* MN clock minus HA clock */
	uint32_t seen_src;	 /* what the HA sees as source (NAT) */
};

static struct mip4_ha_mn *lookup(void *ctx, uint32_t home, const char *nai,
				 size_t len)
{
	struct world *w = ctx;

	(void)nai;
	(void)len;
	return (home == HOME || (len && home == 0)) ? &w->hamn : NULL;
}

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof *w);

	mip4_sa_init(&w->hamn.sa, 0x1000, key, sizeof key);
	w->hamn.home_addr = HOME;
	w->hcfg.addr = HA_ADDR;
	w->hcfg.max_lifetime = 300;
	w->hcfg.reverse_tunnel = true;
	w->hcfg.udp_tunnel = true;
	w->hcfg.keepalive = 20;
	w->ha = mip4_ha_new(&w->hcfg, lookup, NULL, w, 4);
	mip4_mn_cfg_defaults(&w->cfg);
	w->cfg.home_addr = HOME;
	w->cfg.ha_addr = HA_ADDR;
	mip4_sa_init(&w->cfg.sa, 0x1000, key, sizeof key);
	mip4_mn_init(&w->mn, &w->cfg);
	w->now.ms = 1000000;
	w->now.ntp = T0_NTP;
	w->now.random = 7;
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;

	mip4_ha_free(w->ha);
	free(w);
	return 0;
}

static void advance(struct world *w, uint64_t ms)
{
	w->now.ms += ms;
	w->now.ntp += (ms / 1000) << 32;
	w->now.random++;
}

/* MN clock as the MN sees it. */
static struct mip4_mn_now mn_now(const struct world *w)
{
	struct mip4_mn_now n = w->now;

	n.ntp = (uint64_t)((int64_t)(n.ntp >> 32) + w->mn_clock_skew_s) << 32 |
		(n.ntp & 0xffffffffu);
	return n;
}

/* Deliver the MN's request to the HA and the HA's reply back. */
static void exchange(struct world *w, const struct mip4_mn_out *req,
		     struct mip4_mn_out *out)
{
	struct mip4_ha_result res;
	struct mip4_ha_rx rx = {0};
	struct mip4_mn_now n = mn_now(w);

	assert_true(req->send);
	assert_int_equal(req->dst, HA_ADDR);
	assert_int_equal(req->dport, 434);
	rx.data = req->buf;
	rx.len = req->len;
	rx.src = w->seen_src ? w->seen_src : req->src;
	rx.dst = HA_ADDR;
	rx.sport = 434;
	rx.now_ms = w->now.ms;
	rx.now_ntp = w->now.ntp;
	rx.random = w->now.random;
	mip4_ha_input(w->ha, &rx, &res);
	assert_true(res.send);
	mip4_mn_input(&w->mn, &n, res.reply, res.reply_len, out);
}

static bool has_event(const struct mip4_mn_out *o, enum mip4_mn_event ev)
{
	for (unsigned i = 0; i < o->n_ev; i++)
		if (o->ev[i].ev == ev)
			return true;
	return false;
}

static void attach(struct world *w, enum mip4_mn_where where, uint32_t coa,
		   struct mip4_mn_out *out)
{
	struct mip4_mn_attach at = {.where = where, .coa = coa,
				    .fa_addr = where == MIP4_MN_VIA_FA ? FA : 0};
	struct mip4_mn_now n = mn_now(w);

	mip4_mn_attach(&w->mn, &n, &at, out);
}

static void test_register_renew(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out req, out;
	struct mip4_msg m;
	uint64_t sent = w->now.ms;

	attach(w, MIP4_MN_COLOCATED, COA, &req);
	assert_int_equal(req.src, COA);
	assert_int_equal(mip4_msg_decode(req.buf, req.len, &m), 0);
	assert_int_equal(m.u.rrq.flags, MIP4_RRQ_D | MIP4_RRQ_T);
	assert_int_equal(m.u.rrq.coa, COA);
	assert_int_equal(m.u.rrq.lifetime, 600);
	assert_non_null(mip4_msg_find_ext(&m, MIP4_EXT_UDP_TUN_REQ, -1));
	advance(w, 40); /* the reply takes 40 ms */
	exchange(w, &req, &out);
	assert_true(has_event(&out, MIP4_MN_EV_REGISTERED));
	assert_true(w->mn.registered);
	assert_int_equal(w->mn.granted, 300); /* HA clamps 600 to 300 */
	/* lifetime counted from the send (§3.6.2.2); renewal at 75 % */
	assert_int_equal(w->mn.expires_ms, sent + 300000);
	assert_int_equal(w->mn.deadline_ms, sent + 225000);
	assert_false(w->mn.udp); /* no NAT: HA declined UDP */
	/* nothing before the deadline */
	advance(w, 224000);
	mip4_mn_timer(&w->mn, &w->now, &out);
	assert_false(out.send);
	advance(w, 1000);
	mip4_mn_timer(&w->mn, &w->now, &out);
	assert_true(out.send);
	exchange(w, &out, &req);
	assert_true(has_event(&req, MIP4_MN_EV_REGISTERED));
	assert_int_equal(w->mn.counters[MIP4_MN_ACCEPTED], 2);
}

/* §3.6.3: at least 1 s, doubling, capped; new identification each time
 * with timestamps. */
static void test_backoff_timestamps(void **state)
{
	struct world *w = *state;
	static const uint32_t gaps[] = {1000, 2000, 4000, 8000, 16000, 32000, 32000};
	struct mip4_mn_out out;
	uint64_t last_id;

	attach(w, MIP4_MN_COLOCATED, COA, &out);
	last_id = w->mn.sent_id;
	for (size_t i = 0; i < sizeof gaps / sizeof gaps[0]; i++) {
		assert_int_equal(w->mn.deadline_ms, w->now.ms + gaps[i]);
		advance(w, gaps[i] - 1);
		mip4_mn_timer(&w->mn, &w->now, &out);
		assert_false(out.send);
		advance(w, 1);
		mip4_mn_timer(&w->mn, &w->now, &out);
		assert_true(out.send);
		assert_true(w->mn.sent_id > last_id);
		last_id = w->mn.sent_id;
	}
	assert_int_equal(w->mn.counters[MIP4_MN_RETRANSMITS], 7);
	/* the last one is answered */
	exchange(w, &out, &out);
	assert_true(w->mn.registered);
}

/* With nonces the unanswered request goes out unchanged (§3.6.3). */
static void test_backoff_nonce(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out first, out;

	w->cfg.sa.replay = MIP4_REPLAY_NONCE;
	mip4_mn_init(&w->mn, &w->cfg);
	attach(w, MIP4_MN_COLOCATED, COA, &first);
	advance(w, 1000);
	mip4_mn_timer(&w->mn, &w->now, &out);
	assert_true(out.send);
	assert_int_equal(out.len, first.len);
	assert_memory_equal(out.buf, first.buf, out.len);
}

/* 133 with the HA's clock: the MN resynchronises and is accepted. */
static void test_resync(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out req, out;

	w->mn_clock_skew_s = (int64_t)3 * 3600; /* MN three hours ahead */
	attach(w, MIP4_MN_COLOCATED, COA, &req);
	exchange(w, &req, &out);
	assert_true(has_event(&out, MIP4_MN_EV_RESYNC));
	assert_true(out.send); /* retried at once */
	exchange(w, &out, &req);
	assert_true(has_event(&req, MIP4_MN_EV_REGISTERED));
	/* and keeps working afterwards, on its own (skewed) clock */
	advance(w, 225000);
	{
		struct mip4_mn_now n = mn_now(w);

		mip4_mn_timer(&w->mn, &n, &out);
	}
	exchange(w, &out, &req);
	assert_true(has_event(&req, MIP4_MN_EV_REGISTERED));
}

static void test_denied_backs_off(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out req, out;

	/* the HA has another key: 131 */
	mip4_sa_init(&w->hamn.sa, 0x1000, "another key 1234", 16);
	attach(w, MIP4_MN_COLOCATED, COA, &req);
	/* a 131 is authenticated with the HA's key, which the MN can't
	 * verify: silently dropped (§3.6.2.1 b) */
	exchange(w, &req, &out);
	assert_int_equal(out.n_ev, 0);
	assert_int_equal(w->mn.counters[MIP4_MN_DROP_AUTH], 1);
	assert_true(w->mn.pending);

	/* reverse tunnelling refused: 137, reported, retried after back-off */
	mip4_sa_init(&w->hamn.sa, 0x1000, key, sizeof key);
	w->hcfg.reverse_tunnel = false;
	mip4_ha_set_cfg(w->ha, &w->hcfg);
	advance(w, 1000);
	mip4_mn_timer(&w->mn, &w->now, &req);
	exchange(w, &req, &out);
	assert_true(has_event(&out, MIP4_MN_EV_DENIED));
	assert_int_equal(out.ev[0].code, MIP4_CODE_HA_REVTUN_UNAVAIL);
	assert_false(w->mn.pending);
	assert_int_equal(w->mn.deadline_ms, w->now.ms + 4000);
}

static void test_reply_checks(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out req, out;
	struct mip4_ha_result res;
	struct mip4_ha_rx rx = {0};
	uint8_t copy[512];

	attach(w, MIP4_MN_COLOCATED, COA, &req);
	rx.data = req.buf;
	rx.len = req.len;
	rx.src = COA;
	rx.dst = HA_ADDR;
	rx.sport = 434;
	rx.now_ms = w->now.ms;
	rx.now_ntp = w->now.ntp;
	mip4_ha_input(w->ha, &rx, &res);
	/* identification low bits changed: ignored */
	memcpy(copy, res.reply, res.reply_len);
	copy[19] ^= 1;
	mip4_mn_input(&w->mn, &w->now, copy, res.reply_len, &out);
	assert_int_equal(w->mn.counters[MIP4_MN_DROP_ID], 1);
	/* authenticator damaged: ignored */
	memcpy(copy, res.reply, res.reply_len);
	copy[res.reply_len - 1] ^= 1;
	mip4_mn_input(&w->mn, &w->now, copy, res.reply_len, &out);
	assert_int_equal(w->mn.counters[MIP4_MN_DROP_AUTH], 1);
	/* truncated: malformed */
	mip4_mn_input(&w->mn, &w->now, res.reply, 10, &out);
	assert_int_equal(w->mn.counters[MIP4_MN_DROP_MALFORMED], 1);
	assert_false(w->mn.registered);
	/* the genuine one */
	mip4_mn_input(&w->mn, &w->now, res.reply, res.reply_len, &out);
	assert_true(w->mn.registered);
	/* a duplicate of it: nothing pending any more */
	mip4_mn_input(&w->mn, &w->now, res.reply, res.reply_len, &out);
	assert_int_equal(w->mn.counters[MIP4_MN_DROP_UNEXPECTED], 1);
}

/* Foreign agent denials repaired by the MN: 69 lowers the lifetime. */
static void test_fa_lifetime(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out req, out;
	struct mip4_msg m;
	uint8_t rep[64];
	struct mip4_buf b;
	struct mip4_rrp r = {0};

	attach(w, MIP4_MN_VIA_FA, FA, &req);
	assert_int_equal(req.dst, FA);
	assert_int_equal(req.src, HOME);
	assert_int_equal(mip4_msg_decode(req.buf, req.len, &m), 0);
	assert_int_equal(m.u.rrq.flags & MIP4_RRQ_D, 0);
	assert_null(mip4_msg_find_ext(&m, MIP4_EXT_UDP_TUN_REQ, -1));
	r.code = MIP4_CODE_FA_LIFETIME;
	r.lifetime = 120;
	r.home_addr = HOME;
	r.ha_addr = HA_ADDR;
	r.id = m.u.rrq.id;
	mip4_buf_init(&b, rep, sizeof rep);
	mip4_rrp_put(&b, &r);
	mip4_mn_input(&w->mn, &w->now, rep, b.len, &out);
	assert_true(out.send);
	assert_int_equal(mip4_msg_decode(out.buf, out.len, &m), 0);
	assert_int_equal(m.u.rrq.lifetime, 120);
}

/* The agent's advertisement bounds what we ask for: no T without the
 * FA's T flag, no more lifetime than its registration lifetime. */
static void test_agent_limits(void **state)
{
	struct world *w = *state;
	struct mip4_mn_attach at = {MIP4_MN_VIA_FA, FA, FA, true, 120};
	struct mip4_mn_out out;
	struct mip4_msg m;

	mip4_mn_attach(&w->mn, &w->now, &at, &out);
	assert_int_equal(mip4_msg_decode(out.buf, out.len, &m), 0);
	assert_int_equal(m.u.rrq.flags & MIP4_RRQ_T, 0);
	assert_int_equal(m.u.rrq.lifetime, 120);
	at.no_reverse = false;
	at.max_lifetime = 0xffff; /* infinity: our own 600 */
	mip4_mn_attach(&w->mn, &w->now, &at, &out);
	assert_int_equal(mip4_msg_decode(out.buf, out.len, &m), 0);
	assert_int_equal(m.u.rrq.flags & MIP4_RRQ_T, MIP4_RRQ_T);
	assert_int_equal(m.u.rrq.lifetime, 600);
}

static void test_home_and_expiry(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out req, out;
	struct mip4_msg m;

	attach(w, MIP4_MN_COLOCATED, COA, &req);
	exchange(w, &req, &out);
	assert_true(w->mn.registered);
	/* lose the link: no renewal possible, the binding expires */
	attach(w, MIP4_MN_DETACHED, 0, &out);
	assert_false(out.send);
	advance(w, 299999);
	mip4_mn_timer(&w->mn, &w->now, &out);
	assert_int_equal(out.n_ev, 0);
	advance(w, 1);
	mip4_mn_timer(&w->mn, &w->now, &out);
	assert_true(has_event(&out, MIP4_MN_EV_EXPIRED));
	assert_false(w->mn.registered);

	/* register again, then come home: deregistration (§3.6.1.2) */
	attach(w, MIP4_MN_COLOCATED, COA + 1, &req);
	exchange(w, &req, &out);
	assert_true(w->mn.registered);
	assert_false(req.garp); /* away: never */
	attach(w, MIP4_MN_AT_HOME, 0, &req);
	assert_int_equal(req.src, HOME);
	/* §4.6: the gratuitous ARP goes out before the deregistration */
	assert_true(req.garp);
	assert_true(req.send);
	assert_int_equal(mip4_msg_decode(req.buf, req.len, &m), 0);
	assert_int_equal(m.u.rrq.lifetime, 0);
	assert_int_equal(m.u.rrq.coa, HOME);
	exchange(w, &req, &out);
	assert_true(has_event(&out, MIP4_MN_EV_DEREGISTERED));
	assert_false(w->mn.registered);
	assert_null(mip4_btable_get(mip4_ha_bindings(w->ha), HOME));
}

/* RFC 5944 §4.6: every (re)transmission of the deregistration from home
 * is preceded by a gratuitous ARP, and one that is refused had its ARP
 * sent all the same (it went out first). */
static void test_home_garp_before_dereg(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out req, out;

	attach(w, MIP4_MN_COLOCATED, COA, &req);
	exchange(w, &req, &out);
	attach(w, MIP4_MN_AT_HOME, 0, &req);
	assert_true(req.garp && req.send);
	advance(w, 1000); /* unanswered: retransmitted, with its ARP */
	mip4_mn_timer(&w->mn, &w->now, &out);
	assert_true(out.send && out.garp);
	/* after the deregistration nothing more to announce */
	exchange(w, &out, &out);
	assert_true(has_event(&out, MIP4_MN_EV_DEREGISTERED));
	assert_false(out.send || out.garp);
}

/* Every datagram given to the node is a reply or exactly one drop (#11:
 * drops counted nowhere looked like replies never sent). */
static void test_received_accounting(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out req, out;
	const uint64_t *c = w->mn.counters;
	uint8_t junk[40] = {MIP4_MSG_RRP};
	struct mip4_buf b;
	uint8_t bad[64];
	struct mip4_rrp rrp = {.code = 0, .home_addr = HOME, .ha_addr = HA_ADDR};
	struct mip4_mn_now n = mn_now(w);

	mip4_mn_input(&w->mn, &n, junk, 10, &out);	/* malformed */
	mip4_mn_input(&w->mn, &n, junk, sizeof junk, &out); /* none pending */
	attach(w, MIP4_MN_COLOCATED, COA, &req);
	rrp.id = w->mn.sent_id + (1ull << 32) + 1;	/* wrong low bits */
	mip4_buf_init(&b, bad, sizeof bad);
	mip4_rrp_put(&b, &rrp);
	mip4_mn_input(&w->mn, &n, bad, b.len, &out);
	rrp.id = w->mn.sent_id;			/* no MN-HA */
	mip4_buf_init(&b, bad, sizeof bad);
	mip4_rrp_put(&b, &rrp);
	mip4_mn_input(&w->mn, &n, bad, b.len, &out);
	exchange(w, &req, &out);			/* the real one */
	assert_int_equal(c[MIP4_MN_RX], 5);
	assert_int_equal(c[MIP4_MN_DROP_MALFORMED], 1);
	assert_int_equal(c[MIP4_MN_DROP_UNEXPECTED], 1);
	assert_int_equal(c[MIP4_MN_DROP_ID], 1);
	assert_int_equal(c[MIP4_MN_DROP_AUTH], 1);
	assert_int_equal(c[MIP4_MN_REPLIES], 1);
	assert_int_equal(c[MIP4_MN_RX],
			 c[MIP4_MN_REPLIES] + c[MIP4_MN_DROP_MALFORMED] +
				 c[MIP4_MN_DROP_UNEXPECTED] + c[MIP4_MN_DROP_ID] +
				 c[MIP4_MN_DROP_AUTH]);
	/* names are one each */
	for (int i = 0; i < MIP4_MN_NCOUNTERS; i++)
		for (int j = i + 1; j < MIP4_MN_NCOUNTERS; j++)
			assert_string_not_equal(
				mip4_mn_counter_name((enum mip4_mn_counter)i),
				mip4_mn_counter_name((enum mip4_mn_counter)j));
}

/* §3.6.3: the back-off stops at the requested lifetime when that is
 * shorter than the configured cap (32 s). */
static void test_backoff_capped_by_lifetime(void **state)
{
	struct world *w = *state;
	static const uint32_t gaps[] = {1000, 2000, 4000, 5000, 5000};
	struct mip4_mn_out out;

	w->cfg.lifetime = 5;
	mip4_mn_init(&w->mn, &w->cfg);
	attach(w, MIP4_MN_COLOCATED, COA, &out);
	for (size_t i = 0; i < sizeof gaps / sizeof gaps[0]; i++) {
		assert_int_equal(w->mn.deadline_ms, w->now.ms + gaps[i]);
		advance(w, gaps[i]);
		mip4_mn_timer(&w->mn, &w->now, &out);
		assert_true(out.send);
	}
	/* a lifetime under a second still keeps the 1 s minimum */
	w->cfg.lifetime = 1;
	mip4_mn_init(&w->mn, &w->cfg);
	attach(w, MIP4_MN_COLOCATED, COA, &out);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(w->mn.deadline_ms, w->now.ms + 1000);
		advance(w, 1000);
		mip4_mn_timer(&w->mn, &w->now, &out);
	}
}

/* RFC 3519 §4.9/§4.10: a keepalive every K; an unanswered one goes again
 * after MIP4_MN_KA_WAIT_MS; MIP4_MN_KA_TRIES unanswered: re-register. */
static void test_keepalive_loss(void **state)
{
	struct mip4_mn_ka k;
	uint64_t t = 50000, replies = 0;

	(void)state;
	mip4_mn_ka_start(&k, 20000, t);
	assert_int_equal(mip4_mn_ka_due(&k, t + 19999, replies), MIP4_MN_KA_NONE);
	t += 20000;
	assert_int_equal(mip4_mn_ka_due(&k, t, replies), MIP4_MN_KA_SEND);
	/* answered: nothing until K after that one */
	replies++;
	t += MIP4_MN_KA_WAIT_MS;
	assert_int_equal(mip4_mn_ka_due(&k, t, replies), MIP4_MN_KA_NONE);
	assert_int_equal(k.due_ms, t - MIP4_MN_KA_WAIT_MS + 20000);
	t = k.due_ms;
	assert_int_equal(mip4_mn_ka_due(&k, t, replies), MIP4_MN_KA_SEND);
	/* now the replies stop: retries, then a re-registration */
	for (int i = 1; i < MIP4_MN_KA_TRIES; i++) {
		assert_int_equal(mip4_mn_ka_due(&k, t + MIP4_MN_KA_WAIT_MS - 1,
						replies),
				 MIP4_MN_KA_NONE);
		t += MIP4_MN_KA_WAIT_MS;
		assert_int_equal(mip4_mn_ka_due(&k, t, replies), MIP4_MN_KA_SEND);
	}
	t += MIP4_MN_KA_WAIT_MS;
	assert_int_equal(mip4_mn_ka_due(&k, t, replies), MIP4_MN_KA_REREGISTER);
	assert_int_equal(mip4_mn_ka_due(&k, t + 100000, replies), MIP4_MN_KA_NONE);
	/* one late answer among the retries is enough */
	mip4_mn_ka_start(&k, 20000, t);
	t += 20000;
	assert_int_equal(mip4_mn_ka_due(&k, t, replies), MIP4_MN_KA_SEND);
	t += MIP4_MN_KA_WAIT_MS;
	assert_int_equal(mip4_mn_ka_due(&k, t, replies), MIP4_MN_KA_SEND);
	replies++;
	t += MIP4_MN_KA_WAIT_MS;
	assert_int_equal(mip4_mn_ka_due(&k, t, replies), MIP4_MN_KA_NONE);
	assert_int_equal(k.unanswered, 0);
}

static void test_udp_behind_nat(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out req, out;

	w->seen_src = NAT; /* the HA sees the NAT's address */
	attach(w, MIP4_MN_COLOCATED, COA, &req);
	exchange(w, &req, &out);
	assert_true(w->mn.registered);
	assert_true(w->mn.udp);
	assert_int_equal(w->mn.keepalive, 20);
}

static void test_nai_assignment(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out req, out;

	w->cfg.home_addr = 0;
	strcpy(w->cfg.nai, "mn@corp");
	w->hamn.home_addr = 0;
	w->hamn.nai = "mn@corp";
	w->hcfg.pool_first = w->hcfg.pool_last = 0x0a0000c8;
	mip4_ha_set_cfg(w->ha, &w->hcfg);
	mip4_mn_init(&w->mn, &w->cfg);
	attach(w, MIP4_MN_COLOCATED, COA, &req);
	exchange(w, &req, &out);
	assert_true(w->mn.registered);
	assert_int_equal(w->mn.home_addr, 0x0a0000c8);
}

static void test_shutdown_deregisters(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out req, out;
	struct mip4_msg m;

	attach(w, MIP4_MN_COLOCATED, COA, &req);
	exchange(w, &req, &out);
	mip4_mn_shutdown(&w->mn, &w->now, &req);
	assert_true(req.send);
	assert_int_equal(req.src, COA);
	assert_int_equal(mip4_msg_decode(req.buf, req.len, &m), 0);
	assert_int_equal(m.u.rrq.lifetime, 0);
	assert_int_equal(m.u.rrq.coa, HOME);
	exchange(w, &req, &out);
	assert_true(has_event(&out, MIP4_MN_EV_DEREGISTERED));
	assert_null(mip4_btable_get(mip4_ha_bindings(w->ha), HOME));
}

/* Where a hand-built reply carries the TNC extension (RFC 5265 §3.4). */
enum tnc_at { TNC_NONE, TNC_BEFORE_AUTH, TNC_AFTER_AUTH };

/* A reply built by hand, as a home agent (or someone on the path) might
 * send it in answer to the request in req. */
struct reply {
	uint8_t code;
	uint16_t lifetime;
	uint32_t home_addr;   /* 0: HOME */
	uint32_t ha_addr;     /* 0: HA_ADDR (unless no_ha_addr) */
	bool no_ha_addr;      /* Home Agent field 0 */
	uint64_t id_xor;      /* bits flipped in the request's identification */
	enum tnc_at tnc;
	bool udp_rep;	      /* an RFC 3519 UDP Tunnel Reply (assent) */
	bool no_mn_ha;	      /* as a foreign agent's denial: no MN-HA */
	bool two_mn_ha;	      /* a second, valid, MN-HA after the first */
};

static size_t build_reply(const struct world *w, const struct mip4_mn_out *req,
			  const struct reply *s, uint8_t *buf, size_t cap)
{
	struct mip4_msg q;
	struct mip4_buf b;
	struct mip4_rrp r = {0};

	assert_true(req->send);
	assert_int_equal(mip4_msg_decode(req->buf, req->len, &q), 0);
	assert_int_equal(q.type, MIP4_MSG_RRQ);
	r.code = s->code;
	r.lifetime = s->lifetime;
	r.home_addr = s->home_addr ? s->home_addr : HOME;
	r.ha_addr = s->no_ha_addr ? 0 : s->ha_addr ? s->ha_addr : HA_ADDR;
	r.id = q.u.rrq.id ^ s->id_xor;
	mip4_buf_init(&b, buf, cap);
	mip4_rrp_put(&b, &r);
	if (s->udp_rep)
		mip4_ext_put_udp_rep(&b, 0, false, 20);
	if (s->tnc == TNC_BEFORE_AUTH)
		mip4_ext_put_tnc(&b);
	if (!s->no_mn_ha)
		mip4_auth_append(&b, MIP4_EXT_MN_HA, &w->cfg.sa);
	if (s->two_mn_ha)
		mip4_auth_append(&b, MIP4_EXT_MN_HA, &w->cfg.sa);
	if (s->tnc == TNC_AFTER_AUTH)
		mip4_ext_put_tnc(&b);
	assert_false(b.overflow);
	return b.len;
}

/* Feed the MN a hand-built reply to req. */
static void answer(struct world *w, const struct mip4_mn_out *req,
		   const struct reply *s, struct mip4_mn_out *out)
{
	uint8_t rep[256];
	size_t len = build_reply(w, req, s, rep, sizeof rep);
	struct mip4_mn_now n = mn_now(w);

	mip4_mn_input(&w->mn, &n, rep, len, out);
}

/* Answer the request in req ourselves: accepted, `lifetime`, signed with
 * the MN-HA key, TNC where asked. */
static size_t signed_reply(const struct world *w, const struct mip4_mn_out *req,
			   uint16_t lifetime, enum tnc_at tnc, uint8_t *buf,
			   size_t cap)
{
	struct reply s = {.lifetime = lifetime, .tnc = tnc};

	return build_reply(w, req, &s, buf, cap);
}

static void reply_with(struct world *w, const struct mip4_mn_out *req,
		       uint16_t lifetime, enum tnc_at tnc,
		       struct mip4_mn_out *out)
{
	struct reply s = {.lifetime = lifetime, .tnc = tnc};

	answer(w, req, &s, out);
}

/* RFC 5265 i-HA: the TNC extension it puts before MN-HA is seen. */
static void test_tnc_from_internal_ha(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out req, out;

	w->hcfg.flavour = MIP4_HA_INTERNAL;
	w->hcfg.n_trusted = 1;
	w->hcfg.trusted[0].net = COA & 0xffffff00u;
	w->hcfg.trusted[0].mask = 0xffffff00u;
	mip4_ha_set_cfg(w->ha, &w->hcfg);
	attach(w, MIP4_MN_COLOCATED, COA, &req);
	assert_false(w->mn.tnc);
	advance(w, 40);
	exchange(w, &req, &out);
	assert_true(has_event(&out, MIP4_MN_EV_REGISTERED));
	assert_true(w->mn.tnc);
	assert_int_equal(w->mn.ok_ms, w->now.ms); /* the reply's time */
	/* the same HA turned plain: the renewal has no TNC */
	w->hcfg.flavour = MIP4_HA_PLAIN;
	mip4_ha_set_cfg(w->ha, &w->hcfg);
	advance(w, 225000 - 40);
	mip4_mn_timer(&w->mn, &w->now, &req);
	assert_true(req.send);
	advance(w, 70);
	exchange(w, &req, &out);
	assert_true(has_event(&out, MIP4_MN_EV_REGISTERED));
	assert_false(w->mn.tnc);
	assert_int_equal(w->mn.ok_ms, w->now.ms);
}

static void test_tnc_placement(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out req, out;

	/* before MN-HA: covered by the authenticator */
	attach(w, MIP4_MN_COLOCATED, COA, &req);
	advance(w, 25);
	reply_with(w, &req, 300, TNC_BEFORE_AUTH, &out);
	assert_true(has_event(&out, MIP4_MN_EV_REGISTERED));
	assert_true(w->mn.registered);
	assert_true(w->mn.tnc);
	assert_int_equal(w->mn.ok_ms, w->now.ms);
	/* after MN-HA: anyone on the path could have added it */
	advance(w, 1000);
	attach(w, MIP4_MN_COLOCATED, COA + 1, &req);
	advance(w, 25);
	reply_with(w, &req, 300, TNC_AFTER_AUTH, &out);
	assert_true(has_event(&out, MIP4_MN_EV_REGISTERED));
	assert_true(w->mn.registered);
	assert_false(w->mn.tnc);
	assert_int_equal(w->mn.ok_ms, w->now.ms);
	/* TNC again, then none at all */
	attach(w, MIP4_MN_COLOCATED, COA, &req);
	reply_with(w, &req, 300, TNC_BEFORE_AUTH, &out);
	assert_true(w->mn.tnc);
	attach(w, MIP4_MN_COLOCATED, COA + 1, &req);
	reply_with(w, &req, 300, TNC_NONE, &out);
	assert_true(w->mn.registered);
	assert_false(w->mn.tnc);
}

/* A reply whose TNC was put in front after signing fails authentication
 * and changes nothing. */
static void test_tnc_forged(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out req, out;
	uint8_t rep[256], forged[256];
	size_t len, hdr = 20; /* the fixed reply */

	attach(w, MIP4_MN_COLOCATED, COA, &req);
	reply_with(w, &req, 300, TNC_NONE, &out);
	assert_false(w->mn.tnc);
	attach(w, MIP4_MN_COLOCATED, COA, &req);
	len = signed_reply(w, &req, 300, TNC_NONE, rep, sizeof rep);
	memcpy(forged, rep, hdr);
	forged[hdr] = MIP4_EXT_TNC; /* type, length 2, sub-type, reserved */
	forged[hdr + 1] = 2;
	forged[hdr + 2] = 0;
	forged[hdr + 3] = 0;
	memcpy(forged + hdr + 4, rep + hdr, len - hdr);
	mip4_mn_input(&w->mn, &w->now, forged, len + 4, &out);
	assert_int_equal(w->mn.counters[MIP4_MN_DROP_AUTH], 1);
	assert_false(w->mn.tnc);
	assert_true(w->mn.pending);
}

static void test_tnc_cleared_on_dereg(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out req, out;

	attach(w, MIP4_MN_COLOCATED, COA, &req);
	reply_with(w, &req, 300, TNC_BEFORE_AUTH, &out);
	assert_true(w->mn.tnc);
	attach(w, MIP4_MN_AT_HOME, 0, &req);
	reply_with(w, &req, 0, TNC_BEFORE_AUTH, &out);
	assert_true(has_event(&out, MIP4_MN_EV_DEREGISTERED));
	assert_false(w->mn.registered);
	assert_false(w->mn.tnc);
	/* and by the real HA's deregistration too */
	attach(w, MIP4_MN_COLOCATED, COA, &req);
	reply_with(w, &req, 300, TNC_BEFORE_AUTH, &out);
	assert_true(w->mn.tnc);
	mip4_mn_shutdown(&w->mn, &w->now, &req);
	exchange(w, &req, &out);
	assert_true(has_event(&out, MIP4_MN_EV_DEREGISTERED));
	assert_false(w->mn.tnc);
}

static void test_tnc_cleared_on_expiry(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out req, out;

	attach(w, MIP4_MN_COLOCATED, COA, &req);
	reply_with(w, &req, 300, TNC_BEFORE_AUTH, &out);
	assert_true(w->mn.tnc);
	attach(w, MIP4_MN_DETACHED, 0, &out);
	advance(w, 299999);
	mip4_mn_timer(&w->mn, &w->now, &out);
	assert_true(w->mn.tnc);
	advance(w, 1);
	mip4_mn_timer(&w->mn, &w->now, &out);
	assert_true(has_event(&out, MIP4_MN_EV_EXPIRED));
	assert_false(w->mn.registered);
	assert_false(w->mn.tnc);
}

/* RFC 5265 §3.2.4: renew at least every renew_max_ms. */
static void test_renew_max(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out req, out;
	uint64_t sent;

	/* shorter than 75 % of 300 s: it wins, counted from the send */
	w->cfg.renew_max_ms = 50000;
	mip4_mn_init(&w->mn, &w->cfg);
	sent = w->now.ms;
	attach(w, MIP4_MN_COLOCATED, COA, &req);
	advance(w, 40);
	exchange(w, &req, &out);
	assert_true(w->mn.registered);
	assert_int_equal(w->mn.granted, 300);
	assert_int_equal(w->mn.expires_ms, sent + 300000);
	assert_int_equal(w->mn.deadline_ms, sent + 50000);
	advance(w, 50000 - 40 - 1);
	mip4_mn_timer(&w->mn, &w->now, &out);
	assert_false(out.send);
	advance(w, 1);
	mip4_mn_timer(&w->mn, &w->now, &req);
	assert_true(req.send);
	sent = w->now.ms;
	exchange(w, &req, &out);
	assert_true(has_event(&out, MIP4_MN_EV_REGISTERED));
	assert_int_equal(w->mn.deadline_ms, sent + 50000);

	/* longer than 75 %: no effect */
	advance(w, 5000); /* a fresh timestamp for the new MN */
	w->cfg.renew_max_ms = 250000;
	mip4_mn_init(&w->mn, &w->cfg);
	sent = w->now.ms;
	attach(w, MIP4_MN_COLOCATED, COA, &req);
	exchange(w, &req, &out);
	assert_int_equal(w->mn.deadline_ms, sent + 225000);

	/* 0: no cap */
	advance(w, 5000); /* a fresh timestamp for the new MN */
	w->cfg.renew_max_ms = 0;
	mip4_mn_init(&w->mn, &w->cfg);
	sent = w->now.ms;
	attach(w, MIP4_MN_COLOCATED, COA, &req);
	exchange(w, &req, &out);
	assert_int_equal(w->mn.deadline_ms, sent + 225000);
}

/* The cap counts from the first transmission, across retransmissions. */
static void test_renew_max_after_retransmit(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out req, out;
	uint64_t sent;

	w->cfg.renew_max_ms = 50000;
	mip4_mn_init(&w->mn, &w->cfg);
	sent = w->now.ms;
	attach(w, MIP4_MN_COLOCATED, COA, &req);
	advance(w, 1000);
	mip4_mn_timer(&w->mn, &w->now, &req); /* first one lost */
	assert_true(req.send);
	exchange(w, &req, &out);
	assert_true(w->mn.registered);
	assert_int_equal(w->mn.deadline_ms, sent + 50000);
	/* and with lifetime infinity */
	advance(w, 5000); /* a fresh timestamp for the new MN */
	w->cfg.lifetime = 0xffff;
	mip4_mn_init(&w->mn, &w->cfg);
	sent = w->now.ms;
	attach(w, MIP4_MN_COLOCATED, COA, &req);
	advance(w, 1000);
	mip4_mn_timer(&w->mn, &w->now, &req);
	assert_true(req.send);
	reply_with(w, &req, 0xffff, TNC_NONE, &out);
	assert_true(w->mn.registered);
	assert_int_equal(w->mn.granted, 0xffff);
	assert_int_equal(w->mn.deadline_ms, sent + 50000);
}

/* Lifetime infinity: nothing to renew, unless renew_max_ms asks. */
static void test_renew_max_infinite(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out req, out;
	uint64_t sent;

	w->cfg.lifetime = 0xffff;
	mip4_mn_init(&w->mn, &w->cfg);
	attach(w, MIP4_MN_COLOCATED, COA, &req);
	reply_with(w, &req, 0xffff, TNC_NONE, &out);
	assert_true(w->mn.registered);
	assert_int_equal(w->mn.granted, 0xffff);
	assert_int_equal(w->mn.deadline_ms, 0);

	w->cfg.renew_max_ms = 50000;
	mip4_mn_init(&w->mn, &w->cfg);
	sent = w->now.ms;
	attach(w, MIP4_MN_COLOCATED, COA, &req);
	advance(w, 30);
	reply_with(w, &req, 0xffff, TNC_BEFORE_AUTH, &out);
	assert_true(w->mn.registered);
	assert_true(w->mn.tnc);
	assert_int_equal(w->mn.granted, 0xffff);
	assert_int_equal(w->mn.deadline_ms, sent + 50000);
	advance(w, 50000 - 30 - 1);
	mip4_mn_timer(&w->mn, &w->now, &out);
	assert_false(out.send);
	advance(w, 1);
	mip4_mn_timer(&w->mn, &w->now, &req);
	assert_true(req.send);
	assert_int_equal(out.n_ev, 0); /* not expired */
	assert_true(w->mn.registered);
	sent = w->now.ms;
	reply_with(w, &req, 0xffff, TNC_BEFORE_AUTH, &out);
	assert_true(has_event(&out, MIP4_MN_EV_REGISTERED));
	assert_int_equal(w->mn.deadline_ms, sent + 50000);
}

/* RFC 5944 §3.6.2.1 b: a reply from the home agent carries exactly one
 * MN-HA.  With two, whatever follows the first valid one is not covered
 * by it: such a reply is dropped, and the genuine one still counts. */
static void test_reply_two_mn_ha(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out req, out;
	struct reply two = {.lifetime = 300, .two_mn_ha = true};
	struct reply one = {.lifetime = 300};

	attach(w, MIP4_MN_COLOCATED, COA, &req);
	answer(w, &req, &two, &out);
	assert_int_equal(out.n_ev, 0);
	assert_int_equal(w->mn.counters[MIP4_MN_DROP_AUTH], 1);
	assert_false(w->mn.registered);
	assert_true(w->mn.pending);
	answer(w, &req, &one, &out);
	assert_true(has_event(&out, MIP4_MN_EV_REGISTERED));
	assert_true(w->mn.registered);
}

/* §3.6.2.1: a reply answers the request in flight only if all the
 * low-order 32 bits of its identification match; one that differs in bit
 * 16 or 31 answers some other request.  The high 32 bits may differ (the
 * home agent's part with timestamps, §5.7). */
static void test_reply_id_low_32_bits(void **state)
{
	struct world *w = *state;
	static const uint64_t flips[] = {1ull << 16, 1ull << 31};
	struct mip4_mn_out req, out;
	struct reply s = {.lifetime = 300};

	attach(w, MIP4_MN_COLOCATED, COA, &req);
	for (size_t i = 0; i < sizeof flips / sizeof flips[0]; i++) {
		s.id_xor = flips[i];
		answer(w, &req, &s, &out);
		assert_int_equal(out.n_ev, 0);
		assert_int_equal(w->mn.counters[MIP4_MN_DROP_ID], i + 1);
		assert_false(w->mn.registered);
	}
	s.id_xor = 1ull << 32;
	answer(w, &req, &s, &out);
	assert_true(has_event(&out, MIP4_MN_EV_REGISTERED));
	assert_int_equal(w->mn.counters[MIP4_MN_DROP_ID], 2);
}

/* §3.6.2.1 b: a denial from the home agent (128 and up) counts only with
 * a valid MN-HA; otherwise anyone could stop the node with a 128, or send
 * it to another home agent with a 136. */
static void test_unauthenticated_ha_denial(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out req, out;
	struct reply s = {.code = MIP4_CODE_HA_UNSPECIFIED, .no_mn_ha = true};

	attach(w, MIP4_MN_COLOCATED, COA, &req);
	answer(w, &req, &s, &out);
	assert_int_equal(out.n_ev, 0);
	assert_false(out.send);
	assert_int_equal(w->mn.counters[MIP4_MN_DROP_AUTH], 1);
	assert_true(w->mn.pending);
	s.code = MIP4_CODE_HA_UNKNOWN_HA;
	s.ha_addr = HA_ADDR + 1;
	answer(w, &req, &s, &out);
	assert_int_equal(out.n_ev, 0);
	assert_false(out.send);
	assert_int_equal(w->mn.counters[MIP4_MN_DROP_AUTH], 2);
	assert_int_equal(w->mn.cfg.ha_addr, HA_ADDR);
	/* the same denial authenticated: reported */
	s.code = MIP4_CODE_HA_UNSPECIFIED;
	s.ha_addr = 0;
	s.no_mn_ha = false;
	answer(w, &req, &s, &out);
	assert_true(has_event(&out, MIP4_MN_EV_DENIED));
	assert_int_equal(out.ev[0].code, MIP4_CODE_HA_UNSPECIFIED);
	assert_false(w->mn.pending);
}

/* RFC 5944 §3.4 lists 194 (invalid home agent address) among the foreign
 * agent's denials: the FA cannot make an MN-HA, so the node takes it
 * without one, like 64..127, and reports it. */
static void test_fa_denial_194(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out req, out;
	struct reply s = {.code = MIP4_CODE_FA_INVALID_HA, .no_mn_ha = true};

	attach(w, MIP4_MN_VIA_FA, FA, &req);
	answer(w, &req, &s, &out);
	assert_int_equal(w->mn.counters[MIP4_MN_DROP_AUTH], 0);
	assert_true(has_event(&out, MIP4_MN_EV_DENIED));
	assert_int_equal(out.ev[0].code, MIP4_CODE_FA_INVALID_HA);
	assert_false(w->mn.pending);
	assert_false(w->mn.registered);
}

/* RFC 5944 §3.4: code 1, "registration accepted, but simultaneous mobility
 * bindings unsupported", is an acceptance like 0; and a code-1 answer to
 * a deregistration deregisters. */
static void test_code_1_accepted(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out req, out;
	struct reply s = {.code = MIP4_CODE_ACCEPTED_NO_SIMUL, .lifetime = 300};
	uint64_t sent = w->now.ms;

	attach(w, MIP4_MN_COLOCATED, COA, &req);
	advance(w, 40);
	answer(w, &req, &s, &out);
	assert_true(has_event(&out, MIP4_MN_EV_REGISTERED));
	assert_int_equal(out.ev[0].code, MIP4_CODE_ACCEPTED_NO_SIMUL);
	assert_true(w->mn.registered);
	assert_false(w->mn.pending);
	assert_int_equal(w->mn.counters[MIP4_MN_ACCEPTED], 1);
	assert_int_equal(w->mn.counters[MIP4_MN_DENIED], 0);
	assert_int_equal(w->mn.expires_ms, sent + 300000);
	assert_int_equal(w->mn.deadline_ms, sent + 225000);
	attach(w, MIP4_MN_AT_HOME, 0, &req);
	s.lifetime = 0;
	answer(w, &req, &s, &out);
	assert_true(has_event(&out, MIP4_MN_EV_DEREGISTERED));
	assert_false(w->mn.registered);
}

/* §3.4: "If the Lifetime received in the Registration Reply is greater
 * than that in the Registration Request, the Lifetime in the Request MUST
 * be used."  The node renews and expires on what it asked for. */
static void test_lifetime_never_above_request(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out req, out;
	struct reply s = {.lifetime = 900}; /* we ask 600 */
	uint64_t sent = w->now.ms;

	attach(w, MIP4_MN_COLOCATED, COA, &req);
	advance(w, 40);
	answer(w, &req, &s, &out);
	assert_true(has_event(&out, MIP4_MN_EV_REGISTERED));
	assert_int_equal(w->mn.granted, 600);
	assert_int_equal(w->mn.expires_ms, sent + 600000);
	assert_int_equal(w->mn.deadline_ms, sent + 450000);
	/* without a link to renew on, it is gone after 600 s, not 900 */
	attach(w, MIP4_MN_DETACHED, 0, &out);
	w->now.ms = sent + 600000;
	mip4_mn_timer(&w->mn, &w->now, &out);
	assert_true(has_event(&out, MIP4_MN_EV_EXPIRED));
	assert_false(w->mn.registered);
}

/* §3.4: an accepted reply with lifetime 0 means "deregistered", even when
 * it answers a registration: the node does not believe itself bound. */
static void test_accepted_lifetime_zero(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out req, out;
	struct reply s = {.lifetime = 0};

	attach(w, MIP4_MN_COLOCATED, COA, &req);
	answer(w, &req, &s, &out);
	assert_false(has_event(&out, MIP4_MN_EV_REGISTERED));
	assert_true(has_event(&out, MIP4_MN_EV_DEREGISTERED));
	assert_false(w->mn.registered);
}

/* §3.6.2.3: a 69 carries the foreign agent's maximum lifetime, and the
 * node retries at once with it only when that is less than it asked for:
 * the same lifetime again would only be refused again, and 0 would turn
 * the retry into a deregistration.  Both are reported as denials. */
static void test_fa_lifetime_unrepairable(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out req, out;
	struct mip4_msg m;
	struct reply s = {.code = MIP4_CODE_FA_LIFETIME, .lifetime = 600,
			  .no_mn_ha = true};

	attach(w, MIP4_MN_VIA_FA, FA, &req);
	answer(w, &req, &s, &out);
	assert_false(out.send);
	assert_true(has_event(&out, MIP4_MN_EV_DENIED));
	assert_int_equal(out.ev[0].code, MIP4_CODE_FA_LIFETIME);
	/* the retry after the back-off asks 600 again; this 69 says 0 */
	assert_true(w->mn.deadline_ms > w->now.ms);
	advance(w, w->mn.deadline_ms - w->now.ms);
	mip4_mn_timer(&w->mn, &w->now, &req);
	assert_true(req.send);
	assert_int_equal(mip4_msg_decode(req.buf, req.len, &m), 0);
	assert_int_equal(m.u.rrq.lifetime, 600);
	s.lifetime = 0;
	answer(w, &req, &s, &out);
	assert_false(out.send);
	assert_true(has_event(&out, MIP4_MN_EV_DENIED));
	assert_true(w->mn.deadline_ms > w->now.ms);
	advance(w, w->mn.deadline_ms - w->now.ms);
	mip4_mn_timer(&w->mn, &w->now, &req);
	assert_true(req.send);
	assert_int_equal(mip4_msg_decode(req.buf, req.len, &m), 0);
	assert_int_equal(m.u.rrq.lifetime, 600);
}

/* §3.6.2.3, code 136: the reply names the home agent's unicast address
 * and the node tries that one at once; a 136 naming the agent it already
 * asked, or none, repairs nothing and is reported. */
static void test_unknown_ha_redirect(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out req, out;
	struct mip4_msg m;
	struct reply s = {.code = MIP4_CODE_HA_UNKNOWN_HA,
			  .ha_addr = HA_ADDR + 1};

	attach(w, MIP4_MN_COLOCATED, COA, &req);
	answer(w, &req, &s, &out);
	assert_true(out.send);
	assert_int_equal(out.dst, HA_ADDR + 1);
	assert_int_equal(mip4_msg_decode(out.buf, out.len, &m), 0);
	assert_int_equal(m.u.rrq.ha_addr, HA_ADDR + 1);
	/* the new one answers 136 naming itself */
	req = out;
	answer(w, &req, &s, &out);
	assert_false(out.send);
	assert_true(has_event(&out, MIP4_MN_EV_DENIED));
	assert_int_equal(out.ev[0].code, MIP4_CODE_HA_UNKNOWN_HA);
	/* a 136 naming no address */
	mip4_mn_init(&w->mn, &w->cfg);
	attach(w, MIP4_MN_COLOCATED, COA, &req);
	s.no_ha_addr = true;
	answer(w, &req, &s, &out);
	assert_false(out.send);
	assert_true(has_event(&out, MIP4_MN_EV_DENIED));
	assert_int_equal(w->mn.cfg.ha_addr, HA_ADDR);
}

/* §3.6.2.3: after a 133 the node resynchronises and retries at once, but
 * only three times in a row; a fourth 133 is reported and the node backs
 * off instead of flooding a home agent that keeps refusing. */
static void test_resync_limited(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out req, out;
	struct reply s = {.code = MIP4_CODE_HA_ID_MISMATCH};

	attach(w, MIP4_MN_COLOCATED, COA, &req);
	for (int i = 0; i < 3; i++) {
		answer(w, &req, &s, &out);
		assert_true(has_event(&out, MIP4_MN_EV_RESYNC));
		assert_true(out.send);
		req = out;
	}
	answer(w, &req, &s, &out);
	assert_false(has_event(&out, MIP4_MN_EV_RESYNC));
	assert_true(has_event(&out, MIP4_MN_EV_DENIED));
	assert_false(out.send);
	assert_false(w->mn.pending);
}

/* Via a foreign agent the UDP tunnel, if any, ends at the agent (RFC 3519
 * §4.5): a UDP Tunnel Reply in the answer does not make the node
 * encapsulate in UDP itself.  Co-located, the same reply does. */
static void test_udp_reply_via_fa_ignored(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out req, out;
	struct reply s = {.lifetime = 300, .udp_rep = true};

	attach(w, MIP4_MN_VIA_FA, FA, &req);
	answer(w, &req, &s, &out);
	assert_true(has_event(&out, MIP4_MN_EV_REGISTERED));
	assert_false(w->mn.udp);
	assert_int_equal(w->mn.keepalive, 0);
	attach(w, MIP4_MN_COLOCATED, COA, &req);
	answer(w, &req, &s, &out);
	assert_true(has_event(&out, MIP4_MN_EV_REGISTERED));
	assert_true(w->mn.udp);
	assert_int_equal(w->mn.keepalive, 20);
}

/* A configured home address is the node's own: a reply naming another
 * (RFC 2794 assigns one only to a node that asked with 0) does not
 * replace it, and the next request still carries it. */
static void test_home_address_kept(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out req, out;
	struct mip4_msg m;
	struct reply s = {.lifetime = 300, .home_addr = HOME + 1};

	attach(w, MIP4_MN_COLOCATED, COA, &req);
	answer(w, &req, &s, &out);
	assert_true(w->mn.registered);
	assert_int_equal(w->mn.home_addr, HOME);
	advance(w, 1000);
	attach(w, MIP4_MN_COLOCATED, COA + 1, &req);
	assert_int_equal(mip4_msg_decode(req.buf, req.len, &m), 0);
	assert_int_equal(m.u.rrq.home_addr, HOME);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_register_renew), T(test_backoff_timestamps),
		T(test_backoff_nonce),	T(test_resync),
		T(test_denied_backs_off), T(test_reply_checks),
		T(test_fa_lifetime),	T(test_agent_limits),
		T(test_home_and_expiry), T(test_home_garp_before_dereg),
		T(test_received_accounting), T(test_backoff_capped_by_lifetime),
		T(test_keepalive_loss),
		T(test_udp_behind_nat), T(test_nai_assignment),
		T(test_shutdown_deregisters),
		T(test_tnc_from_internal_ha), T(test_tnc_placement),
		T(test_tnc_forged), T(test_tnc_cleared_on_dereg),
		T(test_tnc_cleared_on_expiry), T(test_renew_max),
		T(test_renew_max_after_retransmit),
		T(test_renew_max_infinite),
		T(test_reply_two_mn_ha), T(test_reply_id_low_32_bits),
		T(test_unauthenticated_ha_denial), T(test_fa_denial_194),
		T(test_code_1_accepted), T(test_lifetime_never_above_request),
		T(test_accepted_lifetime_zero),
		T(test_fa_lifetime_unrepairable), T(test_unknown_ha_redirect),
		T(test_resync_limited), T(test_udp_reply_via_fa_ignored),
		T(test_home_address_kept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
