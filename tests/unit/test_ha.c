/* SPDX-License-Identifier: BSD-2-Clause */
/* Home agent request processing, in process: every reply code path and
 * every drop counter (RFC 5944 §3.8, RFC 3519 §4.6, RFC 2794, RFC 5265). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mip4/ha.h"

#define HA 0x0a000001u	      /* 10.0.0.1 */
#define HOME 0x0a000064u      /* 10.0.0.100 */
#define COA 0xc0000205u	      /* 192.0.2.5 */
#define NAT_SRC 0xc6336401u   /* 198.51.100.1 */
#define FA_ADDR 0xc0000201u   /* 192.0.2.1 */
#define SPI 0x1000u
#define NOW_NTP (0xe0000000ull << 32)

struct world {
	struct mip4_ha_cfg cfg;
	struct mip4_ha_mn mn[3];
	struct mip4_ha_fa fa;
	bool have_fa;
	struct mip4_ha *ha;
	struct mip4_ha_result res;
	uint64_t now_ms;
	uint16_t sport; /* of the requests; 0 = 434 */
};

static struct mip4_ha_mn *mn_lookup(void *ctx, uint32_t home, const char *nai,
				    size_t len)
{
	struct world *w = ctx;

	for (int i = 0; i < 3; i++) {
		struct mip4_ha_mn *m = &w->mn[i];

		if (len ? (m->nai && strlen(m->nai) == len &&
			   memcmp(m->nai, nai, len) == 0)
			: (m->home_addr && m->home_addr == home))
			return m;
	}
	return NULL;
}

static const struct mip4_ha_fa *fa_lookup(void *ctx, uint32_t addr)
{
	struct world *w = ctx;

	return w->have_fa && addr == w->fa.addr ? &w->fa : NULL;
}

static const uint8_t key[16] = "0123456789abcdef";
static const uint8_t fakey[16] = "fa-ha-secret-key";

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof *w);

	w->cfg.addr = HA;
	w->cfg.home.net = 0x0a000000;
	w->cfg.home.mask = 0xffffff00;
	w->cfg.max_lifetime = 600;
	w->cfg.reverse_tunnel = true;
	w->cfg.udp_tunnel = true;
	w->cfg.keepalive = 25;
	w->cfg.pool_first = 0x0a0000c8; /* .200-.201 */
	w->cfg.pool_last = 0x0a0000c9;
	w->mn[0].home_addr = HOME;
	mip4_sa_init(&w->mn[0].sa, SPI, key, sizeof key);
	w->mn[1].nai = "bob@corp.example";
	mip4_sa_init(&w->mn[1].sa, SPI + 1, key, sizeof key);
	w->mn[2].nai = "carol@corp.example";
	mip4_sa_init(&w->mn[2].sa, SPI + 2, key, sizeof key);
	w->mn[2].sa.replay = MIP4_REPLAY_NONCE;
	w->fa.addr = FA_ADDR;
	mip4_sa_init(&w->fa.sa, 0x2000, fakey, sizeof fakey);
	w->now_ms = 1000000;
	w->ha = mip4_ha_new(&w->cfg, mn_lookup, fa_lookup, w, 16);
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

/* A request with knobs for the tests. */
struct req {
	uint8_t flags;
	uint16_t lifetime;
	uint32_t home, ha, coa;
	uint64_t id;
	const char *nai;
	int udp;	/* 0 none, 1 request, 2 forced */
	bool udp_after; /* UDP tunnel request after MN-HA (an FA's place) */
	uint8_t encap;
	const struct mip4_sa *sa; /* MN-HA */
	bool corrupt;	/* flip a bit of the authenticator */
	bool nai_after; /* NAI after MN-HA (poorly formed) */
	bool with_faha;
	const struct mip4_sa *fasa;
	bool no_auth;
	uint8_t extra_ext; /* append an extension of this type (0 = none) */
	const uint8_t *raw; /* bytes put as they are before MN-HA */
	size_t raw_len;
};

static size_t build(const struct req *r, uint8_t *out, size_t cap)
{
	struct mip4_buf b;
	struct mip4_rrq q = {r->flags, r->lifetime, r->home, r->ha, r->coa, r->id};

	mip4_buf_init(&b, out, cap);
	mip4_rrq_put(&b, &q);
	if (r->extra_ext)
		mip4_ext_put_raw(&b, r->extra_ext, "xy", 2);
	if (r->raw_len)
		memcpy(mip4_buf_put(&b, r->raw_len), r->raw, r->raw_len);
	if (r->nai && !r->nai_after)
		mip4_ext_put_nai(&b, r->nai);
	if (r->udp && !r->udp_after)
		mip4_ext_put_udp_req(&b, r->udp == 2, false, r->encap);
	if (!r->no_auth)
		mip4_auth_append(&b, MIP4_EXT_MN_HA, r->sa);
	if (r->udp && r->udp_after)
		mip4_ext_put_udp_req(&b, r->udp == 2, false, r->encap);
	if (r->nai && r->nai_after)
		mip4_ext_put_nai(&b, r->nai);
	if (r->with_faha)
		mip4_auth_append(&b, MIP4_EXT_FA_HA, r->fasa);
	if (r->corrupt)
		out[b.len - 1] ^= 1;
	assert_false(b.overflow);
	return b.len;
}

static struct req base(struct world *w)
{
	struct req r = {0};

	r.lifetime = 300;
	r.home = HOME;
	r.ha = HA;
	r.coa = COA;
	r.flags = MIP4_RRQ_D;
	r.id = NOW_NTP + 1;
	r.sa = &w->mn[0].sa;
	return r;
}

static void send_from(struct world *w, const struct req *r, uint32_t src,
		      uint32_t dst)
{
	static uint8_t pkt[8192];
	struct mip4_ha_rx rx = {0};

	rx.data = pkt;
	rx.len = build(r, pkt, sizeof pkt);
	rx.src = src;
	rx.dst = dst;
	rx.sport = w->sport ? w->sport : 434;
	rx.now_ms = w->now_ms;
	rx.now_ntp = NOW_NTP;
	rx.random = 0x5eed0000u + (uint32_t)w->now_ms;
	mip4_ha_input(w->ha, &rx, &w->res);
}

static void send(struct world *w, const struct req *r)
{
	send_from(w, r, r->coa, HA);
}

/* Decode the reply, check its MN-HA with sa, return it. */
static struct mip4_msg *reply_of(struct world *w, const struct mip4_sa *sa)
{
	static struct mip4_msg m;

	assert_true(w->res.send);
	assert_int_equal(mip4_msg_decode(w->res.reply, w->res.reply_len, &m), 0);
	assert_int_equal(m.type, MIP4_MSG_RRP);
	assert_int_equal(mip4_auth_verify_type(sa, &m, MIP4_EXT_MN_HA), MIP4_AUTH_OK);
	/* MN-HA is the last extension, but for what is the FA's (its UDP
	 * tunnel reply, FA-HA) */
	{
		unsigned last = m.n_ext - 1;

		if (m.ext[last].type == MIP4_EXT_FA_HA)
			last--;
		if (m.ext[last].type == MIP4_EXT_UDP_TUN_REP)
			last--;
		assert_int_equal(m.ext[last].type, MIP4_EXT_MN_HA);
	}
	return &m;
}

static uint64_t counter(struct world *w, enum mip4_ha_counter c)
{
	return mip4_ha_counters(w->ha)[c];
}

static void expect_code(struct world *w, const struct req *r, uint8_t code,
			enum mip4_ha_counter c)
{
	uint64_t before = counter(w, c);

	send(w, r);
	assert_int_equal(reply_of(w, r->sa)->u.rrp.code, code);
	assert_int_equal(w->res.counter, c);
	assert_int_equal(counter(w, c), before + 1);
}

static void expect_drop(struct world *w, const struct req *r, uint32_t src,
			enum mip4_ha_counter c)
{
	uint64_t before = counter(w, c);

	send_from(w, r, src, HA);
	assert_false(w->res.send);
	assert_int_equal(w->res.counter, c);
	assert_int_equal(counter(w, c), before + 1);
}

static void test_accept_update_dereg(void **state)
{
	struct world *w = *state;
	struct req r = base(w);
	struct mip4_msg *m;

	r.lifetime = 9000; /* clamped to 600 */
	send(w, &r);
	m = reply_of(w, r.sa);
	assert_int_equal(m->u.rrp.code, 0);
	assert_int_equal(m->u.rrp.lifetime, 600);
	assert_int_equal(m->u.rrp.id, r.id); /* accepted: id echoed */
	assert_int_equal(m->u.rrp.home_addr, HOME);
	assert_int_equal(m->u.rrp.ha_addr, HA);
	assert_null(mip4_msg_find_ext(m, MIP4_EXT_TNC, -1)); /* plain HA */
	assert_int_equal(w->res.change, MIP4_HA_BIND_ADDED);
	assert_int_equal(w->res.binding->coa, COA);
	assert_int_equal(w->res.binding->encap, MIP4_ENCAP_IPIP);
	assert_int_equal(w->res.reply_dst, COA);
	assert_non_null(mip4_btable_get(mip4_ha_bindings(w->ha), HOME));

	r.id++;
	r.coa = COA + 1;
	r.lifetime = 100;
	send(w, &r);
	assert_int_equal(reply_of(w, r.sa)->u.rrp.lifetime, 100);
	assert_int_equal(w->res.change, MIP4_HA_BIND_UPDATED);
	assert_int_equal(w->res.old_coa, COA);
	assert_int_equal(w->res.binding->coa, COA + 1);

	/* the binding expires after its lifetime */
	assert_int_equal(mip4_ha_expire(w->ha, w->now_ms + 99999, NULL, NULL), 0);
	assert_int_equal(mip4_ha_expire(w->ha, w->now_ms + 100000, NULL, NULL), 1);
	assert_null(mip4_btable_get(mip4_ha_bindings(w->ha), HOME));

	/* re-register, then deregister with lifetime 0 */
	r.id++;
	send(w, &r);
	assert_int_equal(w->res.change, MIP4_HA_BIND_ADDED);
	r.id++;
	r.lifetime = 0;
	send(w, &r);
	assert_int_equal(reply_of(w, r.sa)->u.rrp.code, 0);
	assert_int_equal(w->res.change, MIP4_HA_BIND_REMOVED);
	assert_int_equal(counter(w, MIP4_HA_DEREGISTERED), 1);
	assert_null(mip4_btable_get(mip4_ha_bindings(w->ha), HOME));
}

static struct mip4_binding *binding(struct world *w)
{
	return mip4_btable_get(mip4_ha_bindings(w->ha), HOME);
}

/* Care-of address i of HOME's binding. */
static struct mip4_coa coa_of(struct world *w, size_t i)
{
	struct mip4_coa c;

	assert_non_null(binding(w));
	assert_true(i < mip4_binding_ncoa(binding(w)));
	mip4_binding_coa(binding(w), i, &c);
	return c;
}

/* The next request of r's node, with S, for care-of address coa. */
static void simul(struct world *w, struct req *r, uint32_t coa,
		  uint16_t lifetime)
{
	r->id++;
	r->coa = coa;
	r->lifetime = lifetime;
	r->flags |= MIP4_RRQ_S;
	expect_code(w, r, MIP4_CODE_ACCEPTED,
		    lifetime ? MIP4_HA_ACCEPTED : MIP4_HA_DEREGISTERED);
}

/* RFC 5944 §3.8.2.2: S keeps the other care-of addresses, each with its
 * own lifetime and tunnel; S clear replaces them all; code 0 because we
 * support simultaneous bindings (code 1 only from one that does not). */
static void test_simultaneous_add_replace(void **state)
{
	struct world *w = *state;
	struct req r = base(w);
	struct mip4_coa c;

	expect_code(w, &r, MIP4_CODE_ACCEPTED, MIP4_HA_ACCEPTED);
	assert_int_equal(w->res.change, MIP4_HA_BIND_ADDED);
	simul(w, &r, COA + 1, 100);
	assert_int_equal(w->res.change, MIP4_HA_BIND_UPDATED);
	assert_int_equal(w->res.coa, COA + 1);
	assert_int_equal(w->res.old_coa, COA);
	assert_int_equal(w->res.old_ncoa, 1);
	assert_ptr_equal(w->res.binding, binding(w));
	assert_int_equal(mip4_binding_ncoa(binding(w)), 2);
	assert_int_equal(coa_of(w, 0).coa, COA);
	assert_int_equal(coa_of(w, 0).lifetime, 300);
	c = coa_of(w, 1);
	assert_int_equal(c.coa, COA + 1);
	assert_int_equal(c.lifetime, 100);
	assert_true(c.expires_ms == w->now_ms + 100000);
	assert_int_equal(c.encap, MIP4_ENCAP_IPIP);
	/* the first is untouched by the second */
	assert_true(coa_of(w, 0).expires_ms == w->now_ms + 300000);

	/* a third one arrives from behind a NAT with a UDP tunnel request:
	 * tunnel and peer are per care-of address */
	r.id++;
	r.coa = COA + 2;
	r.udp = 1;
	send_from(w, &r, NAT_SRC, HA);
	assert_int_equal(reply_of(w, r.sa)->u.rrp.code, 0);
	r.udp = 0;
	assert_int_equal(mip4_binding_ncoa(binding(w)), 3);
	c = coa_of(w, 2);
	assert_int_equal(c.coa, COA + 2);
	assert_int_equal(c.encap, MIP4_ENCAP_UDP);
	assert_int_equal(c.peer_addr, NAT_SRC);
	assert_int_equal(c.keepalive, 25);
	assert_int_equal(coa_of(w, 0).encap, MIP4_ENCAP_IPIP);

	/* renewing a registered one with S updates it in place */
	w->now_ms += 5000;
	simul(w, &r, COA + 1, 200);
	assert_int_equal(mip4_binding_ncoa(binding(w)), 3);
	assert_int_equal(coa_of(w, 1).lifetime, 200);
	assert_true(coa_of(w, 1).expires_ms == w->now_ms + 200000);

	/* S clear: every previous entry goes (§3.6.1.2) */
	r.id++;
	r.coa = COA + 7;
	r.flags &= (uint8_t)~MIP4_RRQ_S;
	expect_code(w, &r, MIP4_CODE_ACCEPTED, MIP4_HA_ACCEPTED);
	assert_int_equal(w->res.change, MIP4_HA_BIND_UPDATED);
	assert_int_equal(w->res.old_ncoa, 3);
	assert_int_equal(mip4_binding_ncoa(binding(w)), 1);
	assert_null(binding(w)->more);
	assert_int_equal(binding(w)->coa, COA + 7);
	assert_int_equal(mip4_binding_coa_find(binding(w), COA + 1), -1);
}

/* §3.8.2.2: lifetime 0 for one care-of address removes that entry only,
 * whatever S says; an address that is not registered changes nothing;
 * the last one takes the binding with it. */
static void test_simultaneous_dereg_one(void **state)
{
	struct world *w = *state;
	struct req r = base(w);

	expect_code(w, &r, MIP4_CODE_ACCEPTED, MIP4_HA_ACCEPTED);
	simul(w, &r, COA + 1, 300);
	simul(w, &r, COA + 2, 300);

	/* the first one goes: the next becomes the first */
	simul(w, &r, COA, 0);
	assert_int_equal(w->res.change, MIP4_HA_BIND_COA_REMOVED);
	assert_int_equal(w->res.coa, COA);
	assert_int_equal(mip4_binding_ncoa(binding(w)), 2);
	assert_int_equal(binding(w)->coa, COA + 1);
	assert_int_equal(coa_of(w, 1).coa, COA + 2);
	assert_int_equal(reply_of(w, r.sa)->u.rrp.lifetime, 0);

	/* without S too */
	r.id++;
	r.coa = COA + 2;
	r.lifetime = 0;
	r.flags &= (uint8_t)~MIP4_RRQ_S;
	expect_code(w, &r, MIP4_CODE_ACCEPTED, MIP4_HA_DEREGISTERED);
	assert_int_equal(w->res.change, MIP4_HA_BIND_COA_REMOVED);
	assert_int_equal(mip4_binding_ncoa(binding(w)), 1);
	assert_int_equal(binding(w)->coa, COA + 1);

	/* not registered: accepted, nothing removed */
	simul(w, &r, COA + 9, 0);
	assert_int_equal(w->res.change, MIP4_HA_NO_CHANGE);
	assert_int_equal(binding(w)->coa, COA + 1);

	/* the last one */
	simul(w, &r, COA + 1, 0);
	assert_int_equal(w->res.change, MIP4_HA_BIND_REMOVED);
	assert_int_equal(w->res.old_coa, COA + 1);
	assert_null(binding(w));
	assert_int_equal(counter(w, MIP4_HA_DEREGISTERED), 4);
}

/* §3.8.2.2: lifetime 0 with the home address as care-of address removes
 * every entry. */
static void test_simultaneous_dereg_all(void **state)
{
	struct world *w = *state;
	struct req r = base(w);

	expect_code(w, &r, MIP4_CODE_ACCEPTED, MIP4_HA_ACCEPTED);
	simul(w, &r, COA + 1, 300);
	simul(w, &r, COA + 2, 300);
	simul(w, &r, HOME, 0);
	assert_int_equal(w->res.change, MIP4_HA_BIND_REMOVED);
	assert_int_equal(w->res.old_coa, COA);
	assert_int_equal(w->res.old_ncoa, 3);
	assert_null(binding(w));
	assert_int_equal(mip4_btable_count(mip4_ha_bindings(w->ha)), 0);
}

struct expiries {
	size_t n, last;
	uint32_t coa[8];
};

static void on_expired(void *ctx, const struct mip4_binding *b,
		       const struct mip4_coa *c, bool last)
{
	struct expiries *e = ctx;

	assert_int_equal(b->home_addr, HOME);
	assert_true(e->n < 8);
	e->coa[e->n++] = c->coa;
	e->last += last;
	/* the binding no longer lists what expired, unless it is the last */
	if (!last)
		assert_int_equal(mip4_binding_coa_find(b, c->coa), -1);
}

/* §4.2.3: each care-of address expires on its own, the others stay; the
 * binding goes with the last. */
static void test_simultaneous_expiry(void **state)
{
	struct world *w = *state;
	struct req r = base(w);
	struct expiries e = {0};
	uint64_t t0 = w->now_ms;

	r.lifetime = 200;
	expect_code(w, &r, MIP4_CODE_ACCEPTED, MIP4_HA_ACCEPTED);
	simul(w, &r, COA + 1, 100);
	simul(w, &r, COA + 2, 300);
	/* the second (shortest) first */
	assert_int_equal(mip4_ha_expire(w->ha, t0 + 99999, on_expired, &e), 0);
	assert_int_equal(e.n, 0);
	assert_int_equal(mip4_ha_expire(w->ha, t0 + 100000, on_expired, &e), 0);
	assert_int_equal(e.n, 1);
	assert_int_equal(e.coa[0], COA + 1);
	assert_int_equal(mip4_binding_ncoa(binding(w)), 2);
	/* then the first: the third becomes the first */
	assert_int_equal(mip4_ha_expire(w->ha, t0 + 200000, on_expired, &e), 0);
	assert_int_equal(e.n, 2);
	assert_int_equal(e.coa[1], COA);
	assert_int_equal(mip4_binding_ncoa(binding(w)), 1);
	assert_int_equal(binding(w)->coa, COA + 2);
	assert_int_equal(e.last, 0);
	/* and the last takes the binding */
	assert_int_equal(mip4_ha_expire(w->ha, t0 + 299999, on_expired, &e), 0);
	assert_int_equal(mip4_ha_expire(w->ha, t0 + 300000, on_expired, &e), 1);
	assert_int_equal(e.n, 3);
	assert_int_equal(e.coa[2], COA + 2);
	assert_int_equal(e.last, 1);
	assert_null(binding(w));
}

/* §3.8.2.3: a bounded list; one more is refused with 135, the binding and
 * the replay state left as they were. */
static void test_simultaneous_full(void **state)
{
	struct world *w = *state;
	struct req r = base(w);
	uint8_t before;

	expect_code(w, &r, MIP4_CODE_ACCEPTED, MIP4_HA_ACCEPTED);
	for (uint32_t i = 1; i < MIP4_HA_MAX_COA; i++)
		simul(w, &r, COA + i, 300);
	assert_int_equal(mip4_binding_ncoa(binding(w)), MIP4_HA_MAX_COA);
	before = binding(w)->flags;

	r.id++;
	r.coa = COA + MIP4_HA_MAX_COA;
	r.flags |= MIP4_RRQ_B;
	expect_code(w, &r, MIP4_CODE_HA_TOO_MANY, MIP4_HA_REJ_TOO_MANY);
	assert_int_equal(reply_of(w, r.sa)->u.rrp.lifetime, 0);
	assert_int_equal(w->res.change, MIP4_HA_NO_CHANGE);
	assert_int_equal(mip4_binding_ncoa(binding(w)), MIP4_HA_MAX_COA);
	assert_int_equal(mip4_binding_coa_find(binding(w), r.coa), -1);
	assert_int_equal(binding(w)->flags, before);
	assert_string_equal(mip4_ha_counter_name(MIP4_HA_REJ_TOO_MANY),
			    "reject-135-too-many-bindings");

	/* renewing one that is registered is fine when full */
	r.coa = COA + 1;
	expect_code(w, &r, MIP4_CODE_ACCEPTED, MIP4_HA_ACCEPTED);
	assert_int_equal(mip4_binding_ncoa(binding(w)), MIP4_HA_MAX_COA);
	/* the refused identification was not consumed: the same one is
	 * accepted above; and without S the list starts over */
	r.id++;
	r.coa = COA + 50;
	r.flags &= (uint8_t)~MIP4_RRQ_S;
	expect_code(w, &r, MIP4_CODE_ACCEPTED, MIP4_HA_ACCEPTED);
	assert_int_equal(mip4_binding_ncoa(binding(w)), 1);
}

static void test_auth_failures(void **state)
{
	struct world *w = *state;
	struct req r = base(w);
	struct mip4_sa wrong;

	r.corrupt = true;
	expect_code(w, &r, MIP4_CODE_HA_MN_AUTH, MIP4_HA_REJ_AUTH);
	/* 131 keeps the low 32 bits of the identification */
	assert_int_equal((uint32_t)reply_of(w, r.sa)->u.rrp.id, (uint32_t)r.id);
	assert_null(mip4_btable_get(mip4_ha_bindings(w->ha), HOME));

	r = base(w);
	r.no_auth = true;
	expect_drop(w, &r, COA, MIP4_HA_DROP_NO_AUTH);

	r = base(w);
	mip4_sa_init(&wrong, 0x9999, key, sizeof key);
	r.sa = &wrong;
	expect_drop(w, &r, COA, MIP4_HA_DROP_UNKNOWN_SPI);

	r = base(w);
	r.home = HOME + 1; /* nobody's */
	expect_drop(w, &r, COA, MIP4_HA_DROP_UNKNOWN_MN);
}

static void test_replay(void **state)
{
	struct world *w = *state;
	struct req r = base(w);
	struct mip4_msg *m;

	send(w, &r);
	assert_int_equal(reply_of(w, r.sa)->u.rrp.code, 0);
	/* the same request again: stale */
	expect_code(w, &r, MIP4_CODE_HA_ID_MISMATCH, MIP4_HA_REJ_ID);
	m = reply_of(w, r.sa);
	assert_int_equal((uint32_t)m->u.rrp.id, (uint32_t)r.id);
	assert_int_equal(m->u.rrp.id >> 32, NOW_NTP >> 32); /* HA clock */
	/* a timestamp 8 s ahead of the HA clock: out of sync */
	r.id = NOW_NTP + (8ull << 32);
	expect_code(w, &r, MIP4_CODE_HA_ID_MISMATCH, MIP4_HA_REJ_ID);
	/* the binding was left alone by both */
	assert_non_null(mip4_btable_get(mip4_ha_bindings(w->ha), HOME));
}

static void test_nonce(void **state)
{
	struct world *w = *state;
	struct req r = base(w);
	struct mip4_msg *m;

	r.home = 0;
	r.nai = "carol@corp.example";
	r.sa = &w->mn[2].sa;
	r.id = 0x12345678;
	/* first contact: no nonce of ours yet */
	expect_code(w, &r, MIP4_CODE_HA_ID_MISMATCH, MIP4_HA_REJ_ID);
	m = reply_of(w, r.sa);
	r.id = (m->u.rrp.id & 0xffffffff00000000ull) | 0x9abc;
	w->now_ms++; /* the next reply draws a fresh nonce */
	send(w, &r);
	m = reply_of(w, r.sa);
	assert_int_equal(m->u.rrp.code, 0);
	assert_int_equal((uint32_t)m->u.rrp.id, 0x9abc);
	/* the old nonce is spent */
	w->now_ms++;
	expect_code(w, &r, MIP4_CODE_HA_ID_MISMATCH, MIP4_HA_REJ_ID);
}

static void test_nai_pool(void **state)
{
	struct world *w = *state;
	struct req r = base(w);
	struct mip4_msg *m;
	const struct mip4_ext *nai;
	uint32_t first;

	r.home = 0;
	r.nai = "bob@corp.example";
	r.sa = &w->mn[1].sa;
	send(w, &r);
	m = reply_of(w, r.sa);
	assert_int_equal(m->u.rrp.code, 0);
	first = m->u.rrp.home_addr;
	assert_int_equal(first, 0x0a0000c8);
	nai = mip4_msg_find_ext(m, MIP4_EXT_NAI, -1); /* RFC 2794 §3 */
	assert_non_null(nai);
	assert_memory_equal(nai->data, "bob@corp.example", 16);
	/* re-registration keeps the address */
	r.id++;
	send(w, &r);
	assert_int_equal(reply_of(w, r.sa)->u.rrp.home_addr, first);
	assert_ptr_equal(mip4_btable_get_nai(mip4_ha_bindings(w->ha),
					     "bob@corp.example", 16),
			 w->res.binding);
	/* 0.0.0.0 without NAI is poorly formed */
	r = base(w);
	r.home = 0;
	expect_drop(w, &r, COA, MIP4_HA_DROP_UNKNOWN_MN);
}

static void test_pool_exhausted(void **state)
{
	struct world *w = *state;
	struct req r = base(w);

	w->cfg.pool_last = w->cfg.pool_first; /* one address */
	mip4_ha_set_cfg(w->ha, &w->cfg);
	/* occupy it */
	assert_non_null(mip4_btable_add(mip4_ha_bindings(w->ha), w->cfg.pool_first,
					NULL, 0, w->now_ms + 100000));
	r.home = 0;
	r.nai = "bob@corp.example";
	r.sa = &w->mn[1].sa;
	expect_code(w, &r, MIP4_CODE_HA_RESOURCES, MIP4_HA_REJ_RESOURCES);
}

static void test_poorly_formed(void **state)
{
	struct world *w = *state;
	struct req r = base(w);

	r.home = 0;
	r.nai = "bob@corp.example";
	r.sa = &w->mn[1].sa;
	r.nai_after = true; /* NAI after MN-HA: RFC 2794 §2 */
	expect_code(w, &r, MIP4_CODE_HA_POOR_REQUEST, MIP4_HA_REJ_POOR);
}

static void test_unknown_ha_and_broadcast(void **state)
{
	struct world *w = *state;
	struct req r = base(w);

	r.ha = HA + 5;
	expect_code(w, &r, MIP4_CODE_HA_UNKNOWN_HA, MIP4_HA_REJ_UNKNOWN_HA);
	/* the reply names our unicast address */
	assert_int_equal(reply_of(w, r.sa)->u.rrp.ha_addr, HA);
	r = base(w);
	r.ha = 0x0a0000ff;
	send_from(w, &r, COA, 0x0a0000ff); /* subnet-directed broadcast */
	assert_int_equal(reply_of(w, r.sa)->u.rrp.code, MIP4_CODE_HA_UNKNOWN_HA);
}

/* GRE and minimal encapsulation when configured (RFC 5944 §4.1). */
static void test_gre_minimal(void **state)
{
	struct world *w = *state;
	struct req r;

	w->cfg.gre = w->cfg.minimal = true;
	mip4_ha_set_cfg(w->ha, &w->cfg);
	r = base(w);
	r.flags |= MIP4_RRQ_G;
	expect_code(w, &r, MIP4_CODE_ACCEPTED, MIP4_HA_ACCEPTED);
	assert_int_equal(mip4_btable_get(mip4_ha_bindings(w->ha), HOME)->encap,
			 MIP4_ENCAP_GRE);
	r.flags = MIP4_RRQ_D | MIP4_RRQ_M;
	r.id++;
	expect_code(w, &r, MIP4_CODE_ACCEPTED, MIP4_HA_ACCEPTED);
	assert_int_equal(mip4_btable_get(mip4_ha_bindings(w->ha), HOME)->encap,
			 MIP4_ENCAP_MIN);
	/* a move to IP-in-IP is no renewal in place; the next one is */
	r.flags = MIP4_RRQ_D;
	r.id++;
	expect_code(w, &r, MIP4_CODE_ACCEPTED, MIP4_HA_ACCEPTED);
	assert_false(w->res.renewal_only);
	assert_int_equal(mip4_btable_get(mip4_ha_bindings(w->ha), HOME)->encap,
			 MIP4_ENCAP_IPIP);
	r.id++;
	expect_code(w, &r, MIP4_CODE_ACCEPTED, MIP4_HA_ACCEPTED);
	assert_true(w->res.renewal_only);
	/* both bits: no single encapsulation */
	r.flags |= MIP4_RRQ_M | MIP4_RRQ_G;
	r.id++;
	expect_code(w, &r, MIP4_CODE_HA_ENCAP, MIP4_HA_REJ_ENCAP);
}

static void test_tunnel_options(void **state)
{
	struct world *w = *state;
	struct req r = base(w);

	r.flags |= MIP4_RRQ_G;
	expect_code(w, &r, MIP4_CODE_HA_ENCAP, MIP4_HA_REJ_ENCAP);
	r = base(w);
	r.flags |= MIP4_RRQ_M;
	expect_code(w, &r, MIP4_CODE_HA_ENCAP, MIP4_HA_REJ_ENCAP);

	w->cfg.reverse_tunnel = false;
	mip4_ha_set_cfg(w->ha, &w->cfg);
	r = base(w);
	r.flags |= MIP4_RRQ_T;
	expect_code(w, &r, MIP4_CODE_HA_REVTUN_UNAVAIL, MIP4_HA_REJ_REVTUN);

	/* reverse tunnelling required by policy: 138 without T (RFC 3024) */
	w->cfg.reverse_tunnel = true;
	w->cfg.reverse_required = true;
	mip4_ha_set_cfg(w->ha, &w->cfg);
	r = base(w);
	expect_code(w, &r, MIP4_CODE_HA_REVTUN_MANDATORY,
		    MIP4_HA_REJ_REVTUN_MANDATORY);
	r.flags |= MIP4_RRQ_T;
	expect_code(w, &r, MIP4_CODE_ACCEPTED, MIP4_HA_ACCEPTED);
	w->cfg.reverse_required = false;
	mip4_ha_set_cfg(w->ha, &w->cfg);

	/* reserved bits are ignored (DESIGN §7 choice) */
	r = base(w);
	r.id++; /* the accepted one above used base's identification */
	r.flags |= MIP4_RRQ_r | MIP4_RRQ_x;
	expect_code(w, &r, MIP4_CODE_ACCEPTED, MIP4_HA_ACCEPTED);
}

static void test_udp_tunnelling(void **state)
{
	struct world *w = *state;
	struct req r = base(w);
	const struct mip4_ext *u;
	struct mip4_msg *m;

	/* NAT: source differs from the CoA -> assent, effective CoA = source */
	r.udp = 1;
	send_from(w, &r, NAT_SRC, HA);
	m = reply_of(w, r.sa);
	assert_int_equal(m->u.rrp.code, 0);
	u = mip4_msg_find_ext(m, MIP4_EXT_UDP_TUN_REP, -1);
	assert_non_null(u);
	assert_int_equal(u->u.udp_rep.code, 0);
	assert_false(u->u.udp_rep.forced);
	assert_int_equal(u->u.udp_rep.keepalive, 25);
	assert_true(mip4_msg_ext_index(m, MIP4_EXT_UDP_TUN_REP) <
		    mip4_msg_ext_index(m, MIP4_EXT_MN_HA));
	assert_int_equal(w->res.binding->encap, MIP4_ENCAP_UDP);
	assert_int_equal(w->res.binding->coa, COA);	    /* as registered */
	assert_int_equal(w->res.binding->peer_addr, NAT_SRC); /* effective */
	assert_int_equal(w->res.reply_dst, NAT_SRC);

	/* no NAT, no F: accepted with a declining reply (§4.6) */
	r.id++;
	send(w, &r);
	m = reply_of(w, r.sa);
	assert_int_equal(m->u.rrp.code, 0);
	u = mip4_msg_find_ext(m, MIP4_EXT_UDP_TUN_REP, -1);
	assert_non_null(u);
	assert_true(u->u.udp_rep.code >= 64);
	assert_int_equal(w->res.binding->encap, MIP4_ENCAP_IPIP);

	/* F without a NAT, not permitted: 129 */
	r.id++;
	r.udp = 2;
	expect_code(w, &r, MIP4_CODE_HA_PROHIBITED, MIP4_HA_REJ_PROHIBITED);
	/* permitted: forced assent */
	w->cfg.udp_force_ok = true;
	mip4_ha_set_cfg(w->ha, &w->cfg);
	r.id++;
	send(w, &r);
	u = mip4_msg_find_ext(reply_of(w, r.sa), MIP4_EXT_UDP_TUN_REP, -1);
	assert_true(u->u.udp_rep.forced);
	assert_int_equal(w->res.binding->encap, MIP4_ENCAP_UDP);

	/* an encapsulation we can't put in UDP: 142 */
	r.id++;
	r.encap = 47;
	expect_code(w, &r, MIP4_CODE_HA_UDP_ENCAP_UNAVAIL, MIP4_HA_REJ_UDP_ENCAP);

	/* NAT traversal disabled: 129 (RFC 3519 §4.6.1) */
	w->cfg.udp_tunnel = false;
	mip4_ha_set_cfg(w->ha, &w->cfg);
	r = base(w);
	r.id = NOW_NTP + 100;
	r.udp = 1;
	send_from(w, &r, NAT_SRC, HA);
	assert_int_equal(reply_of(w, r.sa)->u.rrp.code, MIP4_CODE_HA_PROHIBITED);
}

/* No UDP tunnel reply in a denial: RFC 3519 §3.2.1 reserves codes 0-63
 * for "tunnelling will be done" (#11). */
static void expect_denial_without_udp_rep(struct world *w, struct req *r,
					  uint32_t src, uint8_t code,
					  enum mip4_ha_counter c)
{
	uint64_t before = counter(w, c);

	send_from(w, r, src, HA);
	assert_int_equal(reply_of(w, r->sa)->u.rrp.code, code);
	assert_int_equal(counter(w, c), before + 1);
	assert_null(mip4_msg_find_ext(reply_of(w, r->sa),
				      MIP4_EXT_UDP_TUN_REP, -1));
}

/*
 * RFC 3519 §4.6.1 and §3.1.5: the node's UDP Tunnel Request (before MN-HA)
 * needs D; one after MN-HA is the FA's and must come without D.  With D
 * set it would be a co-located node's request extended by anyone on the
 * path, outside the authenticator: it must not move the binding.
 */
static void test_udp_tunnel_d_bit(void **state)
{
	struct world *w = *state;
	struct req r = base(w);
	struct mip4_msg *m;
	const struct mip4_ext *u;

	/* the node's own request without D: 134, nothing bound */
	r.flags = MIP4_RRQ_T;
	r.udp = 1;
	expect_denial_without_udp_rep(w, &r, NAT_SRC, MIP4_CODE_HA_POOR_REQUEST,
				      MIP4_HA_REJ_POOR);
	assert_null(binding(w));

	/* a co-located node registers IP-in-IP from its care-of address */
	r = base(w);
	r.id++;
	expect_code(w, &r, MIP4_CODE_ACCEPTED, MIP4_HA_ACCEPTED);
	/* the same request replayed by someone on the path with a UDP
	 * tunnel request appended after MN-HA, from another address: 134,
	 * and the binding still points at the node's care-of address */
	r.id++;
	r.udp = 1;
	r.udp_after = true;
	expect_denial_without_udp_rep(w, &r, NAT_SRC, MIP4_CODE_HA_POOR_REQUEST,
				      MIP4_HA_REJ_POOR);
	assert_int_equal(binding(w)->peer_addr, COA);
	assert_int_equal(binding(w)->encap, MIP4_ENCAP_IPIP);

	/* a foreign agent's request (after MN-HA, D clear) behind a NAT:
	 * assented, the reply's tunnel reply after MN-HA, for the FA */
	r.flags = MIP4_RRQ_T;
	r.coa = FA_ADDR;
	r.id++;
	send_from(w, &r, NAT_SRC, HA);
	m = reply_of(w, r.sa);
	assert_int_equal(m->u.rrp.code, MIP4_CODE_ACCEPTED);
	u = mip4_msg_find_ext(m, MIP4_EXT_UDP_TUN_REP, -1);
	assert_non_null(u);
	assert_int_equal(u->u.udp_rep.code, 0);
	assert_true(mip4_msg_ext_index(m, MIP4_EXT_UDP_TUN_REP) >
		    mip4_msg_ext_index(m, MIP4_EXT_MN_HA));
	assert_int_equal(binding(w)->encap, MIP4_ENCAP_UDP);
}

/* Every denial of a request with a UDP tunnel request: no tunnel reply. */
static void test_udp_denials_without_tunnel_reply(void **state)
{
	struct world *w = *state;
	struct req r = base(w);

	r.udp = 1;
	/* 142: an encapsulation we cannot put in UDP */
	r.encap = 47;
	expect_denial_without_udp_rep(w, &r, NAT_SRC,
				      MIP4_CODE_HA_UDP_ENCAP_UNAVAIL,
				      MIP4_HA_REJ_UDP_ENCAP);
	/* 129: forced without a NAT, not permitted */
	r.encap = 0;
	r.udp = 2;
	r.id++;
	expect_denial_without_udp_rep(w, &r, COA, MIP4_CODE_HA_PROHIBITED,
				      MIP4_HA_REJ_PROHIBITED);
	/* 135: one simultaneous binding more than allowed */
	w->cfg.max_coa = 1;
	mip4_ha_set_cfg(w->ha, &w->cfg);
	r.udp = 1;
	r.id++;
	expect_code(w, &r, MIP4_CODE_ACCEPTED, MIP4_HA_ACCEPTED);
	r.flags |= MIP4_RRQ_S;
	r.coa = COA + 1;
	r.id++;
	expect_denial_without_udp_rep(w, &r, NAT_SRC, MIP4_CODE_HA_TOO_MANY,
				      MIP4_HA_REJ_TOO_MANY);
	/* 131: a bad authenticator */
	r.flags &= (uint8_t)~MIP4_RRQ_S;
	r.corrupt = true;
	r.id++;
	expect_denial_without_udp_rep(w, &r, NAT_SRC, MIP4_CODE_HA_MN_AUTH,
				      MIP4_HA_REJ_AUTH);
}

static void test_foreign_agent_auth(void **state)
{
	struct world *w = *state;
	struct req r = base(w);
	struct mip4_sa wrongfa;

	r.coa = FA_ADDR;
	r.flags = 0;
	/* from an FA we share an SA with: FA-HA required */
	w->have_fa = true;
	expect_code(w, &r, MIP4_CODE_HA_FA_AUTH, MIP4_HA_REJ_FA_AUTH);
	mip4_sa_init(&wrongfa, 0x2000, key, sizeof key);
	r.id++;
	r.with_faha = true;
	r.fasa = &wrongfa;
	expect_code(w, &r, MIP4_CODE_HA_FA_AUTH, MIP4_HA_REJ_FA_AUTH);
	r.id++;
	r.fasa = &w->fa.sa;
	expect_code(w, &r, MIP4_CODE_ACCEPTED, MIP4_HA_ACCEPTED);
	/* §3.8.3.3 e: the reply to that FA carries a valid FA-HA, last */
	{
		struct mip4_msg *m = reply_of(w, r.sa);

		assert_int_equal(m->ext[m->n_ext - 1].type, MIP4_EXT_FA_HA);
		assert_int_equal(mip4_auth_verify_type(&w->fa.sa, m, MIP4_EXT_FA_HA),
				 MIP4_AUTH_OK);
	}
	/* deregistration carries no FA-HA and must not be refused for it */
	r.id++;
	r.with_faha = false;
	r.lifetime = 0;
	expect_code(w, &r, MIP4_CODE_ACCEPTED, MIP4_HA_DEREGISTERED);
	/* FA-HA from a node we share no SA with: discarded (§3.8.2.1 d) */
	w->have_fa = false;
	r = base(w);
	r.coa = FA_ADDR;
	r.flags = 0;
	r.with_faha = true;
	r.fasa = &w->fa.sa;
	expect_drop(w, &r, FA_ADDR, MIP4_HA_DROP_FA_HA_NO_SA);
	/* the SPI it came with, for the operator's log (#11 item 5) */
	assert_int_equal(w->res.fa_spi, w->fa.sa.spi);
}

static void test_rfc5265_flavours(void **state)
{
	struct world *w = *state;
	struct req r = base(w);
	struct mip4_msg *m;

	w->cfg.flavour = MIP4_HA_INTERNAL;
	w->cfg.n_trusted = 1;
	w->cfg.trusted[0].net = 0xc0000200; /* 192.0.2.0/24 */
	w->cfg.trusted[0].mask = 0xffffff00;
	mip4_ha_set_cfg(w->ha, &w->cfg);
	/* untrusted source: no reply at all */
	expect_drop(w, &r, NAT_SRC, MIP4_HA_DROP_UNTRUSTED);
	/* trusted: TNC in the reply, before (so covered by) MN-HA */
	send(w, &r);
	m = reply_of(w, r.sa);
	assert_int_equal(m->u.rrp.code, 0);
	assert_non_null(mip4_msg_find_ext(m, MIP4_EXT_TNC, 0));
	assert_true(mip4_msg_ext_index(m, MIP4_EXT_TNC) <
		    mip4_msg_ext_index(m, MIP4_EXT_MN_HA));
	/* denials to a trusted source carry it too (DESIGN §7) */
	expect_code(w, &r, MIP4_CODE_HA_ID_MISMATCH, MIP4_HA_REJ_ID);
	assert_non_null(mip4_msg_find_ext(reply_of(w, r.sa), MIP4_EXT_TNC, 0));

	/* x-HA dropping requests from inside */
	w->cfg.flavour = MIP4_HA_EXTERNAL;
	w->cfg.n_inside = 1;
	w->cfg.inside[0] = w->cfg.trusted[0];
	mip4_ha_set_cfg(w->ha, &w->cfg);
	r.id++;
	expect_drop(w, &r, COA, MIP4_HA_DROP_INSIDE);
	send_from(w, &r, NAT_SRC, HA);
	assert_null(mip4_msg_find_ext(reply_of(w, r.sa), MIP4_EXT_TNC, -1));
}

/*
 * What a request may carry (#11): padding does not count against the
 * extension limit, a large request is processed whole, and one with more
 * than MIP4_MAX_EXT extensions is dropped under its own counter.
 */
static void test_limits(void **state)
{
	struct world *w = *state;
	struct req r = base(w);
	static uint8_t raw[4000];
	size_t n = 0;

	/* 2000 paddings and MIP4_MAX_EXT - 1 skippable extensions (MN-HA
	 * is the last one), 1,500 bytes of vendor data among them */
	for (int i = 0; i < 2000; i++)
		raw[n++] = MIP4_EXT_PAD;
	for (int i = 0; i < MIP4_MAX_EXT - 2; i++) {
		raw[n++] = 200;
		raw[n++] = 0;
	}
	raw[n++] = 201;
	raw[n++] = 250;
	n += 250;
	r.raw = raw;
	r.raw_len = n;
	expect_code(w, &r, MIP4_CODE_ACCEPTED, MIP4_HA_ACCEPTED);
	assert_true(n + MIP4_RRQ_LEN > 2048);
	/* one more extension: dropped, counted apart from malformed ones */
	raw[n++] = 200;
	raw[n++] = 0;
	r.raw_len = n;
	r.id++;
	expect_drop(w, &r, COA, MIP4_HA_DROP_TOO_MANY_EXT);
	assert_int_equal(counter(w, MIP4_HA_DROP_MALFORMED), 0);
	assert_string_equal(mip4_ha_counter_name(MIP4_HA_DROP_TOO_MANY_EXT),
			    "drop-too-many-extensions");
}

static void test_garbage(void **state)
{
	struct world *w = *state;
	struct req r = base(w);
	struct mip4_ha_rx rx = {0};
	uint8_t junk[64];

	/* unknown non-skippable extension: silently discarded (§1.8) */
	r.extra_ext = 77;
	expect_drop(w, &r, COA, MIP4_HA_DROP_UNKNOWN_EXT);
	/* unknown skippable: processed */
	r.extra_ext = 200;
	expect_code(w, &r, MIP4_CODE_ACCEPTED, MIP4_HA_ACCEPTED);

	/* truncated, wrong type, bad checksum */
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (uint8_t)(i * 37);
	junk[0] = MIP4_MSG_RRQ;
	rx.data = junk;
	rx.len = 10;
	rx.src = COA;
	rx.dst = HA;
	mip4_ha_input(w->ha, &rx, &w->res);
	assert_false(w->res.send);
	assert_int_equal(w->res.counter, MIP4_HA_DROP_MALFORMED);
	junk[0] = MIP4_MSG_RRP;
	rx.len = sizeof junk;
	mip4_ha_input(w->ha, &rx, &w->res);
	assert_int_equal(w->res.counter, MIP4_HA_DROP_NOT_RRQ);
	junk[0] = 99;
	mip4_ha_input(w->ha, &rx, &w->res);
	assert_int_equal(w->res.counter, MIP4_HA_DROP_NOT_RRQ);
	rx.csum_bad = true;
	mip4_ha_input(w->ha, &rx, &w->res);
	assert_int_equal(w->res.counter, MIP4_HA_DROP_CSUM);
	assert_int_equal(counter(w, MIP4_HA_DROP_NOT_RRQ), 2);

	/* a valid request after the garbage is still answered */
	r = base(w);
	r.id = NOW_NTP + 50;
	expect_code(w, &r, MIP4_CODE_ACCEPTED, MIP4_HA_ACCEPTED);
}

static void test_counter_names(void **state)
{
	(void)state;
	for (int c = 0; c < MIP4_HA_NCOUNTERS; c++)
		assert_non_null(mip4_ha_counter_name((enum mip4_ha_counter)c));
	assert_string_equal(mip4_ha_counter_name(MIP4_HA_NCOUNTERS), "unknown");
}

/* max-simultaneous-bindings: the configured bound, below the build's. */
static void test_simultaneous_configured_bound(void **state)
{
	struct world *w = *state;
	struct req r = base(w);

	mip4_ha_free(w->ha);
	w->cfg.max_coa = 2;
	w->ha = mip4_ha_new(&w->cfg, mn_lookup, fa_lookup, w, 16);
	expect_code(w, &r, MIP4_CODE_ACCEPTED, MIP4_HA_ACCEPTED);
	simul(w, &r, COA + 1, 300);
	assert_int_equal(mip4_binding_ncoa(binding(w)), 2);
	r.id++;
	r.coa = COA + 2;
	r.flags |= MIP4_RRQ_S;
	expect_code(w, &r, MIP4_CODE_HA_TOO_MANY, MIP4_HA_REJ_TOO_MANY);
	assert_int_equal(mip4_binding_ncoa(binding(w)), 2);
}

/* ---- flood resilience: the denial budgets (lib/ha.c, at the top) ---- */

/* bob's request: an NAI and a home address from the pool. */
static struct req bob(struct world *w)
{
	struct req r = base(w);

	r.home = 0;
	r.nai = "bob@corp.example";
	r.sa = &w->mn[1].sa;
	return r;
}

/* A request with a bad authenticator from src: answered 131 or not. */
static void bad_from(struct world *w, struct req *r, uint32_t src,
		     bool answered)
{
	bool corrupt = r->corrupt;

	r->corrupt = true;
	r->id++;
	if (answered) {
		send_from(w, r, src, HA);
		assert_int_equal(reply_of(w, r->sa)->u.rrp.code,
				 MIP4_CODE_HA_MN_AUTH);
		assert_int_equal(w->res.counter, MIP4_HA_REJ_AUTH);
	} else {
		expect_drop(w, r, src, MIP4_HA_DROP_UNVERIFIED_LIMITED);
	}
	r->corrupt = corrupt;
}

/* A node's budget: 4 a second, one back every 250 ms; spent, even a good
 * request from a source that is not its binding's goes unchecked. */
static void test_deny_budget_refill(void **state)
{
	struct world *w = *state;
	struct req r = base(w);

	for (int i = 0; i < MIP4_HA_DENY_PER_NODE; i++)
		bad_from(w, &r, COA, true);
	bad_from(w, &r, COA, false);
	r.id++;
	expect_drop(w, &r, COA, MIP4_HA_DROP_UNVERIFIED_LIMITED);
	assert_null(binding(w));
	w->now_ms += 1000 / MIP4_HA_DENY_PER_NODE - 1;
	bad_from(w, &r, COA, false);
	w->now_ms += 1;
	bad_from(w, &r, COA, true);
	bad_from(w, &r, COA, false);
	/* a second later the whole budget is back */
	w->now_ms += 1000;
	for (int i = 0; i < MIP4_HA_DENY_PER_NODE; i++)
		bad_from(w, &r, COA + 1 + (uint32_t)i, true);
	bad_from(w, &r, COA, false);
	/* and a good request from anywhere gets through once it is */
	w->now_ms += 1000;
	r.id++;
	expect_code(w, &r, MIP4_CODE_ACCEPTED, MIP4_HA_ACCEPTED);
}

/* Spent by a flood from elsewhere, the budget still lets the binding's own
 * source (address and port) renew; a node that moved waits for a token. */
static void test_deny_budget_registered_source(void **state)
{
	struct world *w = *state;
	struct req r = base(w);

	expect_code(w, &r, MIP4_CODE_ACCEPTED, MIP4_HA_ACCEPTED);
	for (int i = 0; i < MIP4_HA_DENY_PER_NODE; i++)
		bad_from(w, &r, NAT_SRC + (uint32_t)i, true);
	bad_from(w, &r, NAT_SRC + 99, false);
	r.id++;
	expect_code(w, &r, MIP4_CODE_ACCEPTED, MIP4_HA_ACCEPTED);
	/* its bad authenticator is checked, and not answered */
	r.id++;
	r.corrupt = true;
	expect_drop(w, &r, COA, MIP4_HA_DROP_131_LIMITED);
	/* its stale identification is not even checked */
	r.corrupt = false;
	r.id -= 2;
	expect_drop(w, &r, COA, MIP4_HA_DROP_UNVERIFIED_LIMITED);
	r.id += 2;
	/* the same address from another port is another source */
	w->sport = 4343;
	expect_drop(w, &r, COA, MIP4_HA_DROP_UNVERIFIED_LIMITED);
	w->sport = 0;
	/* moved to a new care-of address: locked out until a token is back */
	r.coa = COA + 1;
	expect_drop(w, &r, r.coa, MIP4_HA_DROP_UNVERIFIED_LIMITED);
	w->now_ms += 1000 / MIP4_HA_DENY_PER_NODE;
	expect_code(w, &r, MIP4_CODE_ACCEPTED, MIP4_HA_ACCEPTED);
	assert_int_equal(binding(w)->coa, COA + 1);
	/* ... and it is the registered source from then on (an acceptance
	 * takes no token: the flood finds one) */
	bad_from(w, &r, NAT_SRC, true);
	bad_from(w, &r, NAT_SRC, false);
	r.id++;
	expect_code(w, &r, MIP4_CODE_ACCEPTED, MIP4_HA_ACCEPTED);
}

/* The same for a node named by its NAI, whose binding is found by it. */
static void test_deny_budget_nai(void **state)
{
	struct world *w = *state;
	struct req r = bob(w);

	expect_code(w, &r, MIP4_CODE_ACCEPTED, MIP4_HA_ACCEPTED);
	for (int i = 0; i < MIP4_HA_DENY_PER_NODE; i++)
		bad_from(w, &r, NAT_SRC + (uint32_t)i, true);
	bad_from(w, &r, NAT_SRC, false);
	r.id++;
	expect_code(w, &r, MIP4_CODE_ACCEPTED, MIP4_HA_ACCEPTED);
	/* the other nodes' budgets are their own */
	r = base(w);
	bad_from(w, &r, NAT_SRC + 98, true);
}

/* The per-source and the HA-wide budgets (cfg.deny_*). */
static void test_deny_budget_source_and_total(void **state)
{
	struct world *w = *state;
	struct req r = base(w), b = bob(w);

	mip4_ha_free(w->ha);
	w->cfg.deny_per_source = 2;
	w->ha = mip4_ha_new(&w->cfg, mn_lookup, fa_lookup, w, 16);
	bad_from(w, &r, NAT_SRC, true);
	bad_from(w, &r, NAT_SRC, true);
	bad_from(w, &r, NAT_SRC, false);
	bad_from(w, &r, NAT_SRC + 1, true); /* the node still has room */
	w->now_ms += 500;
	bad_from(w, &r, NAT_SRC, true);

	mip4_ha_free(w->ha);
	w->cfg.deny_per_source = 1000;
	w->cfg.deny_per_node = 1000;
	w->cfg.deny_total = 3;
	w->ha = mip4_ha_new(&w->cfg, mn_lookup, fa_lookup, w, 16);
	for (uint32_t i = 0; i < 3; i++)
		bad_from(w, &r, NAT_SRC + i, true);
	bad_from(w, &r, NAT_SRC + 3, false);
	/* spent for every node */
	bad_from(w, &b, NAT_SRC + 4, false);
	w->now_ms += 334;
	bad_from(w, &b, NAT_SRC + 4, true);
}

/*
 * RFC 5944 §3.8.2.1 a: with a valid FA-HA authenticator the 131 is a MUST,
 * whatever the budget; over it, a request from that FA is authenticated
 * when its FA-HA authenticator (checked first) is valid.  132 and 133,
 * which a captured request played again provokes, are budgeted.
 */
static void test_deny_budget_foreign_agent(void **state)
{
	struct world *w = *state;
	struct req r = base(w), flood = base(w);
	struct mip4_sa wrong;

	w->have_fa = true;
	for (int i = 0; i < MIP4_HA_DENY_PER_NODE; i++)
		bad_from(w, &flood, NAT_SRC + (uint32_t)i, true);
	bad_from(w, &flood, NAT_SRC, false);
	r.coa = FA_ADDR;
	r.flags = 0;
	r.with_faha = true;
	r.fasa = &w->fa.sa;
	mip4_sa_init(&wrong, SPI, "not the node's key", 18);
	r.sa = &wrong;
	send(w, &r);
	assert_int_equal(reply_of(w, &w->mn[0].sa)->u.rrp.code,
			 MIP4_CODE_HA_MN_AUTH);
	assert_int_equal(w->res.counter, MIP4_HA_REJ_AUTH);
	/* a bad FA-HA authenticator: not worth the MN-HA's HMAC */
	r.sa = &w->mn[0].sa;
	r.fasa = &wrong;
	r.id++;
	expect_drop(w, &r, FA_ADDR, MIP4_HA_DROP_UNVERIFIED_LIMITED);
	/* a good one: a new visitor of that FA registers during the flood */
	r.fasa = &w->fa.sa;
	r.id++;
	expect_code(w, &r, MIP4_CODE_ACCEPTED, MIP4_HA_ACCEPTED);
	/* played again: no 133 */
	expect_drop(w, &r, FA_ADDR, MIP4_HA_DROP_133_LIMITED);
	/* without FA-HA, from the binding's own source: no 132 */
	r.with_faha = false;
	r.id++;
	expect_drop(w, &r, FA_ADDR, MIP4_HA_DROP_132_LIMITED);
	/* within the budget both are answered */
	w->now_ms += 1000;
	expect_code(w, &r, MIP4_CODE_HA_FA_AUTH, MIP4_HA_REJ_FA_AUTH);
	r.with_faha = true;
	r.id--;
	expect_code(w, &r, MIP4_CODE_HA_ID_MISMATCH, MIP4_HA_REJ_ID);
	/* and a bad MN-HA with a bad FA-HA is the MAY: budgeted (two
	 * denials of this second's four are left) */
	r.sa = &wrong;
	r.fasa = &wrong;
	for (int i = 0; i < 2; i++) {
		r.id++;
		send(w, &r);
		assert_int_equal(reply_of(w, &w->mn[0].sa)->u.rrp.code,
				 MIP4_CODE_HA_MN_AUTH);
	}
	send(w, &r);
	assert_false(w->res.send);
	assert_int_equal(w->res.counter, MIP4_HA_DROP_UNVERIFIED_LIMITED);
}

/* The budget's clock is rx->now_ms modulo 2^32: across the wrap, and after
 * a gap of weeks, it still reads right. */
static void test_deny_budget_clock_wrap(void **state)
{
	struct world *w = *state;
	struct req r = base(w);

	w->now_ms = (1ull << 32) - 100;
	for (int i = 0; i < MIP4_HA_DENY_PER_NODE; i++)
		bad_from(w, &r, COA, true);
	bad_from(w, &r, COA, false);
	w->now_ms += 1000 / MIP4_HA_DENY_PER_NODE; /* past the wrap */
	bad_from(w, &r, COA, true);
	bad_from(w, &r, COA, false);
	w->now_ms += 30ull * 24 * 3600 * 1000; /* 30 days later */
	for (int i = 0; i < MIP4_HA_DENY_PER_NODE; i++)
		bad_from(w, &r, COA, true);
	bad_from(w, &r, COA, false);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_accept_update_dereg), T(test_simultaneous_add_replace),
		T(test_simultaneous_dereg_one), T(test_simultaneous_dereg_all),
		T(test_simultaneous_expiry), T(test_simultaneous_full),
		T(test_simultaneous_configured_bound),
		T(test_auth_failures),	     T(test_replay),
		T(test_nonce),		     T(test_nai_pool),
		T(test_pool_exhausted),	     T(test_poorly_formed),
		T(test_unknown_ha_and_broadcast), T(test_gre_minimal),
		T(test_tunnel_options),
		T(test_udp_tunnelling), T(test_udp_tunnel_d_bit),
		T(test_udp_denials_without_tunnel_reply),	     T(test_foreign_agent_auth),
		T(test_rfc5265_flavours),    T(test_garbage), T(test_limits),
		T(test_deny_budget_refill), T(test_deny_budget_registered_source),
		T(test_deny_budget_nai), T(test_deny_budget_source_and_total),
		T(test_deny_budget_foreign_agent), T(test_deny_budget_clock_wrap),
		cmocka_unit_test(test_counter_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
