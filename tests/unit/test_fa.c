/* SPDX-License-Identifier: BSD-2-Clause */
/* Foreign agent exchanges in one process with a fake clock: the mobile
 * node FSM (lib/mn.c, mode f) <-> lib/fa.c <-> the home agent (lib/ha.c),
 * every FA reply code, MN-FA and FA-HA, timers, advertisements. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mip4/fa.h"
#include "mip4/ha.h"
#include "mip4/ip.h"
#include "mip4/mn.h"
#include "fa.h" /* dataplane: fadp_decide_* */

#define HA_ADDR 0x0a000001u
#define HOME 0x0a000064u
#define HOME2 0x0a000065u
#define FA_ADDR 0xc0000201u /* the FA on the MNs' link */
#define COA 0xc6336401u	    /* its care-of addresses */
#define COA2 0xc6336402u
#define OTHER_COA 0xcb007101u
#define NAT_ADDR 0xcb0071feu
#define POOL0 0x0a0000c8u
#define T0_NTP (0xe0000000ull << 32)
#define NAI "mn@example.com"

static const uint8_t key[16] = "0123456789abcdef";
static const uint8_t fakey[16] = "fa-ha-secret-key";
static const uint8_t mfkey[16] = "mn-fa-secret-key";
static const uint8_t MAC1[6] = {0x02, 0, 0, 0, 0, 0x01};
static const uint8_t MAC2[6] = {0x02, 0, 0, 0, 0, 0x02};

struct world {
	/* home agent */
	struct mip4_ha_mn hamn;
	struct mip4_ha_cfg hcfg;
	struct mip4_ha *ha;
	struct mip4_ha_fa hafa;
	bool ha_has_fa_sa;
	bool ha_reply_faha; /* stand in for §3.8.3.3 e, see faha_reply() */
	struct mip4_sa reply_sa; /* ... with this SA */
	uint32_t seen_src;  /* FA's source as the HA sees it (NAT) */
	/* foreign agent */
	struct mip4_fa_cfg fcfg;
	struct mip4_fa *fa;
	struct mip4_sa fa_mnsa, fa_hasa;
	bool fa_has_mn_sa, fa_has_ha_sa;
	uint8_t ttl;
	/* mobile node */
	struct mip4_mn mn;
	struct mip4_mn_cfg mcfg;
	struct mip4_mn_now now;
	bool mn_mnfa;	/* MN appends MN-FA (mn.c does not) */
	struct mip4_sa mn_fasa;
	bool mn_eds;	/* MN appends extension 130 */
	/* timer events */
	unsigned n_ev;
	struct mip4_fa_out ev[4];
};

static struct mip4_ha_mn *ha_mn(void *ctx, uint32_t home, const char *nai,
				size_t len)
{
	struct world *w = ctx;

	(void)nai;
	return (len || home == HOME) ? &w->hamn : NULL;
}

static const struct mip4_ha_fa *ha_fa(void *ctx, uint32_t addr)
{
	struct world *w = ctx;

	return w->ha_has_fa_sa && (addr == COA || addr == NAT_ADDR) ? &w->hafa
								     : NULL;
}

static const struct mip4_sa *fa_mn(void *ctx, uint32_t home, const char *nai,
				   size_t len, uint32_t spi)
{
	struct world *w = ctx;

	(void)nai;
	(void)spi;
	return w->fa_has_mn_sa && (home == HOME || len) ? &w->fa_mnsa : NULL;
}

static const struct mip4_sa *fa_ha(void *ctx, uint32_t addr)
{
	struct world *w = ctx;

	return w->fa_has_ha_sa && addr == HA_ADDR ? &w->fa_hasa : NULL;
}

static void new_fa(struct world *w)
{
	mip4_fa_free(w->fa);
	w->fa = mip4_fa_new(&w->fcfg, fa_mn, fa_ha, w);
	assert_non_null(w->fa);
}

static void new_mn(struct world *w)
{
	mip4_mn_init(&w->mn, &w->mcfg);
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
	w->hcfg.pool_first = POOL0;
	w->hcfg.pool_last = POOL0 + 7;
	w->ha = mip4_ha_new(&w->hcfg, ha_mn, ha_fa, w, 4);
	w->hafa.addr = COA;
	mip4_sa_init(&w->hafa.sa, 0x2000, fakey, sizeof fakey);
	mip4_sa_init(&w->fa_hasa, 0x2000, fakey, sizeof fakey);
	mip4_sa_init(&w->reply_sa, 0x2000, fakey, sizeof fakey);
	mip4_sa_init(&w->fa_mnsa, 0x3000, mfkey, sizeof mfkey);
	mip4_sa_init(&w->mn_fasa, 0x3000, mfkey, sizeof mfkey);

	w->fcfg.addr = FA_ADDR;
	w->fcfg.prefix_len = 24;
	w->fcfg.n_coa = 2;
	w->fcfg.coa[0] = COA;
	w->fcfg.coa[1] = COA2;
	w->fcfg.adv_interval_s = 3;
	w->fcfg.max_lifetime = 1800;
	w->fcfg.reverse_tunnel = true;
	w->fcfg.encap_delivery = true;
	w->fcfg.seed = 1;
	new_fa(w);
	w->ttl = 255;

	mip4_mn_cfg_defaults(&w->mcfg);
	w->mcfg.home_addr = HOME;
	w->mcfg.ha_addr = HA_ADDR;
	mip4_sa_init(&w->mcfg.sa, 0x1000, key, sizeof key);
	new_mn(w);
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
	mip4_fa_free(w->fa);
	free(w);
	return 0;
}

static void advance(struct world *w, uint64_t ms)
{
	w->now.ms += ms;
	w->now.ntp += (ms / 1000) << 32;
	w->now.random++;
}

static uint64_t counter(const struct world *w, enum mip4_fa_counter c)
{
	return mip4_fa_counters(w->fa)[c];
}

static bool has_event(const struct mip4_mn_out *o, enum mip4_mn_event ev,
		      uint8_t code)
{
	for (unsigned i = 0; i < o->n_ev; i++)
		if (o->ev[i].ev == ev && o->ev[i].code == code)
			return true;
	return false;
}

/* ---- moving datagrams ---- */

/* Datagram from the MN (mn.c output, or raw) into the FA. */
static void fa_rx_mn(struct world *w, const uint8_t *buf, size_t len,
		     uint32_t src, const uint8_t *mac, struct mip4_fa_out *fo)
{
	struct mip4_fa_rx rx = {0};

	rx.data = buf;
	rx.len = len;
	rx.src = src;
	rx.dst = FA_ADDR;
	rx.sport = 434;
	rx.ttl = w->ttl;
	memcpy(rx.mac, mac, 6);
	rx.now_ms = w->now.ms;
	mip4_fa_from_mn(w->fa, &rx, fo);
}

/* mn.c's request, with what mn.c does not add: extension 130 and
 * MN-FA after MN-HA (RFC 3024 §3.3, RFC 5944 §3.6.1.3). */
static void mn_to_fa(struct world *w, const struct mip4_mn_out *req,
		     struct mip4_fa_out *fo)
{
	uint8_t buf[600];
	struct mip4_buf b;

	assert_true(req->send);
	assert_int_equal(req->dst, FA_ADDR);
	memcpy(buf, req->buf, req->len);
	mip4_buf_init(&b, buf, sizeof buf);
	b.len = req->len;
	if (w->mn_eds)
		mip4_ext_put_encap_delivery(&b);
	if (w->mn_mnfa)
		mip4_auth_append(&b, MIP4_EXT_MN_FA, &w->mn_fasa);
	assert_false(b.overflow);
	fa_rx_mn(w, buf, b.len, req->src, MAC1, fo);
}

/* The HA's reply as the test wants it: lib/ha.c appends FA-HA when it
 * shares an SA with the FA (§3.8.3.3 e); take that off and put on one made
 * with reply_sa (or none), so that the FA's check is exercised both ways
 * (a missing FA-HA, a wrong one, a right one). */
static size_t faha_reply(struct world *w, uint8_t *buf, size_t len,
			 size_t cap)
{
	struct mip4_buf b;
	struct mip4_msg m;

	if (mip4_msg_decode(buf, len, &m) == MIP4_OK && m.n_ext &&
	    m.ext[m.n_ext - 1].type == MIP4_EXT_FA_HA)
		len = m.ext[m.n_ext - 1].off;
	if (!w->ha_reply_faha)
		return len;
	mip4_buf_init(&b, buf, cap);
	b.len = len;
	mip4_auth_append(&b, MIP4_EXT_FA_HA, &w->reply_sa);
	return b.len;
}

/* Reply from the HA (raw) into the FA. */
static void fa_rx_ha(struct world *w, const uint8_t *buf, size_t len,
		     struct mip4_fa_out *back)
{
	struct mip4_fa_rx rx = {0};

	rx.data = buf;
	rx.len = len;
	rx.src = HA_ADDR;
	rx.dst = COA;
	rx.sport = 434;
	rx.now_ms = w->now.ms;
	mip4_fa_from_ha(w->fa, &rx, back);
}

/* The FA's relayed request into the HA, its reply back into the FA. */
static void via_ha(struct world *w, const struct mip4_fa_out *fo,
		   struct mip4_ha_result *res, struct mip4_fa_out *back)
{
	struct mip4_ha_rx rx = {0};
	uint8_t buf[MIP4_HA_REPLY_MAX + 64];
	size_t len;

	assert_true(fo->send);
	assert_false(fo->to_mn);
	assert_int_equal(fo->dst, HA_ADDR);
	assert_int_equal(fo->dport, 434);
	rx.data = fo->buf;
	rx.len = fo->len;
	rx.src = w->seen_src ? w->seen_src : fo->src;
	rx.dst = fo->dst;
	rx.sport = fo->sport;
	rx.now_ms = w->now.ms;
	rx.now_ntp = w->now.ntp;
	rx.random = w->now.random;
	mip4_ha_input(w->ha, &rx, res);
	assert_true(res->send);
	memcpy(buf, res->reply, res->reply_len);
	len = faha_reply(w, buf, res->reply_len, sizeof buf);
	fa_rx_ha(w, buf, len, back);
}

/* The FA's message into the MN: addressed as §3.7.2.3 says. */
static void fa_to_mn(struct world *w, const struct mip4_fa_out *back,
		     uint32_t home, struct mip4_mn_out *mo)
{
	assert_true(back->send);
	assert_true(back->to_mn);
	assert_int_equal(back->dst, home);
	assert_int_equal(back->src, FA_ADDR);
	assert_int_equal(back->sport, 434);
	assert_int_equal(back->dport, 434);
	assert_memory_equal(back->mac, MAC1, 6);
	mip4_mn_input(&w->mn, &w->now, back->buf, back->len, mo);
}

static void attach_coa(struct world *w, uint32_t coa, struct mip4_mn_out *req)
{
	struct mip4_mn_attach at = {.where = MIP4_MN_VIA_FA, .coa = coa, .fa_addr = FA_ADDR};

	mip4_mn_attach(&w->mn, &w->now, &at, req);
	assert_true(req->send);
	assert_int_equal(req->src, w->mn.home_addr);
}

/* A whole registration MN -> FA -> HA -> FA -> MN. */
static void register_via_fa(struct world *w, struct mip4_mn_out *mo)
{
	struct mip4_mn_out req;
	struct mip4_fa_out fo, back;
	struct mip4_ha_result res;

	attach_coa(w, COA, &req);
	mn_to_fa(w, &req, &fo);
	via_ha(w, &fo, &res, &back);
	fa_to_mn(w, &back, w->mn.home_addr ? w->mn.home_addr : res.home_addr,
		 mo);
}

/* A request the MN's FSM would not send: flags, extensions chosen. */
struct rawq {
	uint8_t flags;
	uint16_t lifetime;
	uint32_t home, ha, coa;
	const char *nai;
	bool nai_after_mnha; /* misplaced (RFC 2794 §2) */
	bool no_mnha;
	uint8_t extra_type;  /* an extension after MN-HA (0: none) */
	bool bad_ext_len;    /* an extension running past the end */
	bool eds, mnfa;
	bool mnfa2;	     /* a second MN-FA after the first */
};

static size_t raw_rrq(const struct rawq *r, uint64_t id, uint8_t *buf,
		      size_t cap)
{
	struct mip4_sa sa, fsa;
	struct mip4_buf b;
	struct mip4_rrq q = {r->flags, r->lifetime, r->home, r->ha, r->coa,
			     id};

	mip4_sa_init(&sa, 0x1000, key, sizeof key);
	mip4_sa_init(&fsa, 0x3000, mfkey, sizeof mfkey);
	mip4_buf_init(&b, buf, cap);
	mip4_rrq_put(&b, &q);
	if (r->nai && !r->nai_after_mnha)
		mip4_ext_put_nai(&b, r->nai);
	if (!r->no_mnha)
		mip4_auth_append(&b, MIP4_EXT_MN_HA, &sa);
	if (r->nai && r->nai_after_mnha)
		mip4_ext_put_nai(&b, r->nai);
	if (r->extra_type) {
		uint8_t v[2] = {1, 2};

		mip4_ext_put_raw(&b, r->extra_type, v, sizeof v);
	}
	if (r->eds)
		mip4_ext_put_encap_delivery(&b);
	if (r->mnfa)
		mip4_auth_append(&b, MIP4_EXT_MN_FA, &fsa);
	if (r->mnfa2)
		mip4_auth_append(&b, MIP4_EXT_MN_FA, &fsa);
	if (r->bad_ext_len) {
		uint8_t *p = mip4_buf_put(&b, 3);

		p[0] = 140; /* skippable type, length beyond the end */
		p[1] = 40;
		p[2] = 0;
	}
	assert_false(b.overflow);
	return b.len;
}

static struct rawq good_q(void)
{
	struct rawq r = {MIP4_RRQ_T, 600, HOME, HA_ADDR, COA, NULL, false,
			 false, 0, false, false, false, false};

	return r;
}

/* Send a raw request; expect a denial with `code` from the FA. */
static void expect_denial(struct world *w, const struct rawq *r, uint8_t code,
			  enum mip4_fa_counter c)
{
	uint8_t buf[600];
	struct mip4_fa_out fo;
	struct mip4_msg m;
	uint64_t before = counter(w, c);
	size_t npend = mip4_fa_pending_count(w->fa);
	uint64_t id = 0x1122334455667788ull + w->now.ms;
	size_t len = raw_rrq(r, id, buf, sizeof buf);

	advance(w, 1000); /* past the per-MN denial rate limit */
	fa_rx_mn(w, buf, len, r->home, MAC1, &fo);
	assert_true(fo.send);
	assert_true(fo.to_mn);
	assert_int_equal(fo.code, code);
	assert_int_equal(fo.counter, c);
	assert_int_equal(counter(w, c), before + 1);
	assert_int_equal(mip4_msg_decode(fo.buf, fo.len, &m), MIP4_OK);
	assert_int_equal(m.type, MIP4_MSG_RRP);
	assert_int_equal(m.u.rrp.code, code);
	/* §3.7.2.3: fields copied from the request */
	assert_int_equal(m.u.rrp.home_addr, r->home);
	assert_int_equal(m.u.rrp.ha_addr, r->ha);
	assert_true(m.u.rrp.id == id);
	assert_int_equal(fo.dst, r->home ? r->home : 0xffffffffu);
	assert_int_equal(fo.dport, 434);
	assert_memory_equal(fo.mac, MAC1, 6);
	assert_int_equal(mip4_fa_pending_count(w->fa), npend);
}

static void collect(void *ctx, const struct mip4_fa_out *o)
{
	struct world *w = ctx;

	if (w->n_ev < 4)
		w->ev[w->n_ev++] = *o;
}

static void sweep(struct world *w)
{
	w->n_ev = 0;
	mip4_fa_expire(w->fa, w->now.ms, collect, w);
}

/* ---- tests ---- */

static void test_register_end_to_end(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out req, mo;
	struct mip4_fa_out fo, back;
	struct mip4_ha_result res;
	const struct mip4_fa_visitor *v;
	struct mip4_binding *b;
	struct mip4_msg m;

	attach_coa(w, COA, &req);
	mn_to_fa(w, &req, &fo);
	/* §3.7.2.2: from the care-of address, to the HA's port 434, the
	 * MN's bytes unchanged */
	assert_true(fo.send);
	assert_int_equal(fo.src, COA);
	assert_int_equal(fo.dst, HA_ADDR);
	assert_int_equal(fo.len, req.len);
	assert_memory_equal(fo.buf, req.buf, req.len);
	assert_int_equal(mip4_fa_pending_count(w->fa), 1);
	assert_null(mip4_fa_visitor_get(w->fa, HOME));

	via_ha(w, &fo, &res, &back);
	b = mip4_btable_get(mip4_ha_bindings(w->ha), HOME);
	assert_non_null(b);
	assert_int_equal(b->coa, COA);
	assert_int_equal(b->peer_addr, COA);
	assert_int_equal(b->encap, MIP4_ENCAP_IPIP);
	assert_int_equal(back.counter, MIP4_FA_RELAYED_ACCEPTS);
	assert_int_equal(back.change, MIP4_FA_VISITOR_ADDED);
	assert_int_equal(mip4_msg_decode(back.buf, back.len, &m), MIP4_OK);
	assert_null(mip4_msg_find_ext(&m, MIP4_EXT_FA_HA, -1));
	fa_to_mn(w, &back, HOME, &mo);
	assert_true(has_event(&mo, MIP4_MN_EV_REGISTERED, 0));
	assert_true(w->mn.registered);

	v = mip4_fa_visitor_get(w->fa, HOME);
	assert_non_null(v);
	assert_ptr_equal(v, back.visitor);
	assert_memory_equal(v->mac, MAC1, 6);
	assert_int_equal(v->ha_addr, HA_ADDR);
	assert_int_equal(v->coa, COA);
	assert_int_equal(v->lifetime, 300); /* min(HA's 300, asked 600) */
	assert_true(v->expires_ms == w->now.ms + 300000);
	assert_int_equal(v->delivery, MIP4_FA_DELIVERY_DIRECT);
	assert_int_equal(v->encap, MIP4_ENCAP_IPIP);
	assert_int_equal(mip4_fa_pending_count(w->fa), 0);
	assert_int_equal(mip4_fa_visitor_count(w->fa), 1);
	/* data plane lookups */
	assert_ptr_equal(mip4_fa_reverse_lookup(w->fa, HOME, MAC1), v);
	assert_null(mip4_fa_reverse_lookup(w->fa, HOME, MAC2));
	assert_null(mip4_fa_reverse_lookup(w->fa, HOME2, MAC1));
	assert_int_equal(mip4_fa_reply_codes(w->fa)[0], 1);

	/* renewal updates the same visitor */
	advance(w, 100000);
	register_via_fa(w, &mo);
	assert_true(has_event(&mo, MIP4_MN_EV_REGISTERED, 0));
	assert_int_equal(mip4_fa_visitor_count(w->fa), 1);
	assert_true(mip4_fa_visitor_get(w->fa, HOME)->expires_ms ==
		    w->now.ms + 300000);
	assert_int_equal(counter(w, MIP4_FA_RELAYED_ACCEPTS), 2);
}

static void test_reverse_tunnel(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out mo;
	struct rawq r = good_q();

	/* T off: registered, but no reverse tunnel for it */
	w->mcfg.reverse_tunnel = false;
	new_mn(w);
	register_via_fa(w, &mo);
	assert_true(has_event(&mo, MIP4_MN_EV_REGISTERED, 0));
	assert_int_equal(mip4_fa_visitor_get(w->fa, HOME)->delivery,
			 MIP4_FA_DELIVERY_NONE);
	assert_null(mip4_fa_reverse_lookup(w->fa, HOME, MAC1));

	/* 75: reverse tunnel mandatory here */
	w->fcfg.reverse_tunnel_required = true;
	assert_int_equal(mip4_fa_set_cfg(w->fa, &w->fcfg), 0);
	r.flags = 0;
	expect_denial(w, &r, MIP4_CODE_FA_REVTUN_MANDATORY,
		      MIP4_FA_REJ_REVTUN_REQUIRED);
	/* 74: we offer none */
	w->fcfg.reverse_tunnel_required = false;
	w->fcfg.reverse_tunnel = false;
	assert_int_equal(mip4_fa_set_cfg(w->fa, &w->fcfg), 0);
	r.flags = MIP4_RRQ_T;
	expect_denial(w, &r, MIP4_CODE_FA_REVTUN_UNAVAIL, MIP4_FA_REJ_REVTUN);
	/* 76: TTL not 255 (RFC 3024 §4.2.1), checked before 74 */
	w->ttl = 64;
	expect_denial(w, &r, MIP4_CODE_FA_TOO_DISTANT, MIP4_FA_REJ_TOO_DISTANT);
	/* the visitor was not touched by any of it */
	assert_int_equal(mip4_fa_visitor_get(w->fa, HOME)->delivery,
			 MIP4_FA_DELIVERY_NONE);
}

static void test_encap_delivery(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out req, mo;
	struct mip4_fa_out fo, back;
	struct mip4_ha_result res;
	struct mip4_msg m;
	struct rawq r = good_q();

	w->mn_eds = true;
	attach_coa(w, COA, &req);
	mn_to_fa(w, &req, &fo);
	/* RFC 3024 §3.3: consumed, never relayed */
	assert_int_equal(mip4_msg_decode(fo.buf, fo.len, &m), MIP4_OK);
	assert_null(mip4_msg_find_ext(&m, MIP4_EXT_ENCAP_DELIVERY, -1));
	assert_int_equal(fo.len, req.len);
	via_ha(w, &fo, &res, &back);
	fa_to_mn(w, &back, HOME, &mo);
	assert_true(has_event(&mo, MIP4_MN_EV_REGISTERED, 0));
	assert_int_equal(mip4_fa_visitor_get(w->fa, HOME)->delivery,
			 MIP4_FA_DELIVERY_ENCAP);

	/* 79 when we do not support it */
	w->fcfg.encap_delivery = false;
	assert_int_equal(mip4_fa_set_cfg(w->fa, &w->fcfg), 0);
	r.eds = true;
	expect_denial(w, &r, MIP4_CODE_FA_DELIVERY_STYLE, MIP4_FA_REJ_DELIVERY);
	/* 130 without T breaks RFC 3024 §3.3: 70 */
	r.flags = 0;
	expect_denial(w, &r, MIP4_CODE_FA_POOR_REQUEST, MIP4_FA_REJ_ORDER);
}

/* IP-in-IP: outer src -> dst around an inner src -> dst with 8 bytes. */
static size_t ipip(uint8_t *buf, uint32_t osrc, uint32_t odst, uint32_t isrc,
		   uint32_t idst)
{
	memset(buf, 0, 48);
	(void)mip4_ip_put(buf, 48, osrc, odst, MIP4_IPPROTO_IPIP, 64, 1, false,
			  28);
	(void)mip4_ip_put(buf + 20, 28, isrc, idst, 17, 64, 2, false, 8);
	return 48;
}

/* The data plane's decisions when the care-of address is also the FA's
 * address on the visitors' link: a tunnel from the home agent is for the
 * visitor (RFC 5944 §4.2.2), IP-in-IP from the visitor itself is
 * encapsulating delivery (RFC 3024 §5.2), anything else is dropped. */
static void test_dp_coa_is_link_address(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out mo;
	struct fadp_verdict v;
	uint8_t pkt[48];

	register_via_fa(w, &mo);
	assert_true(has_event(&mo, MIP4_MN_EV_REGISTERED, 0));
	/* HA -> CoA (== the link address) for the visitor */
	fadp_decide_ipip(w->fa, COA, pkt, ipip(pkt, HA_ADDR, COA, 0x08080808u, HOME),
			 &v);
	assert_int_equal(v.act, FADP_TO_TUN);
	/* the same from someone else than the visitor's HA */
	fadp_decide_ipip(w->fa, COA, pkt,
			 ipip(pkt, OTHER_COA, COA, 0x08080808u, HOME), &v);
	assert_int_equal(v.act, FADP_DROP_SPOOFED);
	/* for no visitor */
	fadp_decide_ipip(w->fa, COA, pkt,
			 ipip(pkt, HA_ADDR, COA, 0x08080808u, HOME2), &v);
	assert_int_equal(v.act, FADP_DROP_NO_VISITOR);
	/* from the visitor to the link address: encapsulating delivery,
	 * which this visitor did not ask for (T without E) */
	fadp_decide_ipip(w->fa, COA, pkt, ipip(pkt, HOME, COA, HOME, 0x08080808u),
			 &v);
	assert_int_equal(v.act, FADP_DROP_NOT_REVERSE);
	/* ... with a spoofed inner source */
	fadp_decide_ipip(w->fa, COA, pkt,
			 ipip(pkt, HOME, COA, 0x01020304u, 0x08080808u), &v);
	assert_int_equal(v.act, FADP_DROP_SPOOFED);
}

static void test_lifetime_69(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out req, mo, mo2;
	struct mip4_fa_out fo, back;
	struct mip4_ha_result res;
	struct mip4_msg m;

	w->fcfg.max_lifetime = 200;
	new_fa(w);
	attach_coa(w, COA, &req);
	mn_to_fa(w, &req, &fo);
	assert_true(fo.to_mn);
	assert_int_equal(fo.code, MIP4_CODE_FA_LIFETIME);
	assert_int_equal(mip4_msg_decode(fo.buf, fo.len, &m), MIP4_OK);
	assert_int_equal(m.u.rrp.lifetime, 200); /* our maximum, §3.7.2.3 */
	assert_int_equal(counter(w, MIP4_FA_REJ_LIFETIME), 1);
	/* the MN retries at once with 200 (§3.6.2.3) and gets through */
	fa_to_mn(w, &fo, HOME, &mo);
	assert_true(mo.send);
	mn_to_fa(w, &mo, &fo);
	assert_false(fo.to_mn);
	via_ha(w, &fo, &res, &back);
	fa_to_mn(w, &back, HOME, &mo2);
	assert_true(has_event(&mo2, MIP4_MN_EV_REGISTERED, 0));
	assert_int_equal(mip4_fa_visitor_get(w->fa, HOME)->lifetime, 200);
}

static void test_request_denials(void **state)
{
	struct world *w = *state;
	struct rawq r;

	/* 77: not one of our care-of addresses */
	r = good_q();
	r.coa = OTHER_COA;
	expect_denial(w, &r, MIP4_CODE_FA_INVALID_COA, MIP4_FA_REJ_COA);
	/* ... but the second one is */
	r.coa = COA2;
	{
		uint8_t buf[600];
		struct mip4_fa_out fo;
		size_t len = raw_rrq(&r, 42, buf, sizeof buf);

		fa_rx_mn(w, buf, len, HOME, MAC1, &fo);
		assert_true(fo.send);
		assert_false(fo.to_mn);
		assert_int_equal(fo.src, COA2);
	}
	/* 194: the HA address is ours, or no unicast address */
	r = good_q();
	r.ha = FA_ADDR;
	expect_denial(w, &r, MIP4_CODE_FA_INVALID_HA, MIP4_FA_REJ_HA_ADDR);
	r.ha = 0xffffffffu;
	expect_denial(w, &r, MIP4_CODE_FA_INVALID_HA, MIP4_FA_REJ_HA_ADDR);
	/* 72: minimal or GRE encapsulation */
	r = good_q();
	r.flags |= MIP4_RRQ_M;
	expect_denial(w, &r, MIP4_CODE_FA_ENCAP, MIP4_FA_REJ_ENCAP);
	r.flags = MIP4_RRQ_T | MIP4_RRQ_G;
	expect_denial(w, &r, MIP4_CODE_FA_ENCAP, MIP4_FA_REJ_ENCAP);
	/* 64: co-located care-of address through us */
	r = good_q();
	r.flags |= MIP4_RRQ_D;
	r.coa = OTHER_COA;
	expect_denial(w, &r, MIP4_CODE_FA_UNSPECIFIED, MIP4_FA_REJ_COLOCATED);
	/* 70: extension decode error, misplaced NAI, no MN-HA, no identity */
	r = good_q();
	r.bad_ext_len = true;
	expect_denial(w, &r, MIP4_CODE_FA_POOR_REQUEST, MIP4_FA_REJ_MALFORMED);
	r = good_q();
	r.nai = NAI;
	r.nai_after_mnha = true;
	expect_denial(w, &r, MIP4_CODE_FA_POOR_REQUEST, MIP4_FA_REJ_ORDER);
	r = good_q();
	r.no_mnha = true;
	expect_denial(w, &r, MIP4_CODE_FA_POOR_REQUEST, MIP4_FA_REJ_NO_MN_HA);
	r = good_q();
	r.home = 0;
	expect_denial(w, &r, MIP4_CODE_FA_POOR_REQUEST, MIP4_FA_REJ_NO_ID);
	/* 65: not a home network we serve */
	w->fcfg.n_allowed = 1;
	w->fcfg.allowed[0].net = 0x0a010000u;
	w->fcfg.allowed[0].mask = 0xffff0000u;
	assert_int_equal(mip4_fa_set_cfg(w->fa, &w->fcfg), 0);
	r = good_q();
	expect_denial(w, &r, MIP4_CODE_FA_PROHIBITED, MIP4_FA_REJ_PROHIBITED);
	/* every denial so far was counted under its code */
	assert_int_equal(mip4_fa_reply_codes(w->fa)[MIP4_CODE_FA_POOR_REQUEST],
			 4);
	assert_int_equal(mip4_fa_reply_codes(w->fa)[MIP4_CODE_FA_INVALID_HA], 2);
}

static void test_silent_drops(void **state)
{
	struct world *w = *state;
	uint8_t buf[600];
	struct mip4_fa_out fo;
	struct mip4_fa_rx rx = {0};
	struct mip4_msg m;
	struct rawq r = good_q();
	size_t len;

	/* unknown non-skippable extension: whole message dropped (§1.8) */
	r.extra_type = 100;
	len = raw_rrq(&r, 1, buf, sizeof buf);
	fa_rx_mn(w, buf, len, HOME, MAC1, &fo);
	assert_false(fo.send);
	assert_int_equal(fo.counter, MIP4_FA_DROP_UNKNOWN_EXT);
	/* unknown skippable one after MN-HA: relayed without it */
	r.extra_type = 200;
	len = raw_rrq(&r, 2, buf, sizeof buf);
	fa_rx_mn(w, buf, len, HOME, MAC1, &fo);
	assert_true(fo.send);
	assert_false(fo.to_mn);
	assert_int_equal(mip4_msg_decode(fo.buf, fo.len, &m), MIP4_OK);
	assert_int_equal(m.n_ext, 1);
	assert_int_equal(m.ext[0].type, MIP4_EXT_MN_HA);
	/* bad checksum, truncated, not a request */
	rx.data = buf;
	rx.len = len;
	rx.csum_bad = true;
	rx.ttl = 255;
	mip4_fa_from_mn(w->fa, &rx, &fo);
	assert_false(fo.send);
	assert_int_equal(fo.counter, MIP4_FA_DROP_CSUM);
	rx.csum_bad = false;
	rx.len = 20;
	mip4_fa_from_mn(w->fa, &rx, &fo);
	assert_int_equal(fo.counter, MIP4_FA_DROP_TRUNCATED);
	buf[0] = MIP4_MSG_RRP;
	rx.len = len;
	mip4_fa_from_mn(w->fa, &rx, &fo);
	assert_int_equal(fo.counter, MIP4_FA_DROP_NOT_RRQ);
	assert_false(fo.send);
	/* a second denial to one MN within a second is not sent */
	r = good_q();
	r.coa = OTHER_COA;
	len = raw_rrq(&r, 3, buf, sizeof buf);
	advance(w, 5000);
	fa_rx_mn(w, buf, len, HOME, MAC1, &fo);
	assert_true(fo.send);
	advance(w, 500);
	fa_rx_mn(w, buf, len, HOME, MAC1, &fo);
	assert_false(fo.send);
	assert_int_equal(counter(w, MIP4_FA_DROP_RATE_LIMIT), 1);
	/* ... while another MN is still answered */
	fa_rx_mn(w, buf, len, HOME, MAC2, &fo);
	assert_true(fo.send);
	assert_memory_equal(fo.mac, MAC2, 6);
	advance(w, 600);
	fa_rx_mn(w, buf, len, HOME, MAC1, &fo);
	assert_true(fo.send);
}

static void test_tables_full_66(void **state)
{
	struct world *w = *state;
	uint8_t buf[600];
	struct mip4_fa_out fo;
	struct mip4_mn_out mo;
	struct rawq r = good_q();
	size_t len;

	w->fcfg.max_pending = 1;
	w->fcfg.max_visitors = 1;
	new_fa(w);
	/* one pending (HOME2, never answered) fills the pending list */
	r.home = HOME2;
	len = raw_rrq(&r, 9, buf, sizeof buf);
	fa_rx_mn(w, buf, len, HOME2, MAC2, &fo);
	assert_false(fo.to_mn);
	assert_true(fo.send);
	/* a retransmission from the same MN replaces it */
	len = raw_rrq(&r, 10, buf, sizeof buf);
	fa_rx_mn(w, buf, len, HOME2, MAC2, &fo);
	assert_false(fo.to_mn);
	assert_int_equal(mip4_fa_pending_count(w->fa), 1);
	r.home = HOME;
	expect_denial(w, &r, MIP4_CODE_FA_RESOURCES, MIP4_FA_REJ_PENDING_FULL);
	/* the pending one times out; HOME registers and fills the list */
	advance(w, 8000);
	sweep(w);
	assert_int_equal(mip4_fa_pending_count(w->fa), 0);
	register_via_fa(w, &mo);
	assert_true(has_event(&mo, MIP4_MN_EV_REGISTERED, 0));
	/* busy: B advertised, and a new MN gets 66 */
	{
		uint8_t ab[128];
		struct mip4_buf b;
		struct mip4_adv a;

		mip4_buf_init(&b, ab, sizeof ab);
		assert_int_equal(mip4_fa_advertisement(w->fa, w->now.ms, &b), 0);
		assert_int_equal(mip4_adv_decode(ab, b.len, &a), MIP4_OK);
		assert_true(a.flags & MIP4_ADV_B);
	}
	r.home = HOME2;
	expect_denial(w, &r, MIP4_CODE_FA_RESOURCES, MIP4_FA_REJ_VISITORS_FULL);
	/* ... while the visitor itself may renew */
	advance(w, 1000);
	register_via_fa(w, &mo);
	assert_true(has_event(&mo, MIP4_MN_EV_REGISTERED, 0));
}

static void test_mn_fa_auth(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out req, mo;
	struct mip4_fa_out fo, back;
	struct mip4_ha_result res;
	struct mip4_msg m;

	/* both sides have the SA: the relayed request loses MN-FA, the
	 * reply gains one the MN can verify */
	w->fa_has_mn_sa = true;
	w->mn_mnfa = true;
	attach_coa(w, COA, &req);
	mn_to_fa(w, &req, &fo);
	assert_false(fo.to_mn);
	assert_int_equal(mip4_msg_decode(fo.buf, fo.len, &m), MIP4_OK);
	assert_null(mip4_msg_find_ext(&m, MIP4_EXT_MN_FA, -1));
	via_ha(w, &fo, &res, &back);
	assert_int_equal(mip4_msg_decode(back.buf, back.len, &m), MIP4_OK);
	assert_int_equal(mip4_auth_verify_type(&w->mn_fasa, &m, MIP4_EXT_MN_FA),
			 MIP4_AUTH_OK);
	fa_to_mn(w, &back, HOME, &mo);
	assert_true(has_event(&mo, MIP4_MN_EV_REGISTERED, 0));

	/* MN-FA missing: 67, itself authenticated with the SA */
	w->mn_mnfa = false;
	advance(w, 2000);
	attach_coa(w, COA, &req);
	mn_to_fa(w, &req, &fo);
	assert_true(fo.to_mn);
	assert_int_equal(fo.code, MIP4_CODE_FA_MN_AUTH);
	assert_int_equal(mip4_msg_decode(fo.buf, fo.len, &m), MIP4_OK);
	assert_int_equal(mip4_auth_verify_type(&w->mn_fasa, &m, MIP4_EXT_MN_FA),
			 MIP4_AUTH_OK);
	fa_to_mn(w, &fo, HOME, &mo);
	assert_true(has_event(&mo, MIP4_MN_EV_DENIED, MIP4_CODE_FA_MN_AUTH));
	/* wrong key: 67 */
	w->mn_mnfa = true;
	mip4_sa_init(&w->mn_fasa, 0x3000, key, sizeof key);
	advance(w, 2000);
	attach_coa(w, COA, &req);
	mn_to_fa(w, &req, &fo);
	assert_int_equal(fo.code, MIP4_CODE_FA_MN_AUTH);
	/* wrong SPI: 67 */
	mip4_sa_init(&w->mn_fasa, 0x3001, mfkey, sizeof mfkey);
	advance(w, 2000);
	attach_coa(w, COA, &req);
	mn_to_fa(w, &req, &fo);
	assert_int_equal(fo.code, MIP4_CODE_FA_MN_AUTH);
	assert_int_equal(counter(w, MIP4_FA_REJ_MN_AUTH), 3);
	/* and the visitor registered first is untouched */
	assert_non_null(mip4_fa_visitor_get(w->fa, HOME));
}

static void test_fa_ha_auth(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out req, mo;
	struct mip4_fa_out fo, back;
	struct mip4_ha_result res;
	struct mip4_msg m;

	w->fa_has_ha_sa = true;
	w->ha_has_fa_sa = true;
	w->ha_reply_faha = true;
	attach_coa(w, COA, &req);
	mn_to_fa(w, &req, &fo);
	/* FA-HA appended after MN-HA, and valid */
	assert_int_equal(mip4_msg_decode(fo.buf, fo.len, &m), MIP4_OK);
	assert_int_equal(m.ext[m.n_ext - 1].type, MIP4_EXT_FA_HA);
	assert_int_equal(mip4_auth_verify_type(&w->fa_hasa, &m, MIP4_EXT_FA_HA),
			 MIP4_AUTH_OK);
	via_ha(w, &fo, &res, &back);
	assert_int_equal(res.code, 0); /* the HA verified it */
	/* the reply's FA-HA was checked and removed */
	assert_int_equal(mip4_msg_decode(back.buf, back.len, &m), MIP4_OK);
	assert_null(mip4_msg_find_ext(&m, MIP4_EXT_FA_HA, -1));
	fa_to_mn(w, &back, HOME, &mo);
	assert_true(has_event(&mo, MIP4_MN_EV_REGISTERED, 0));

	/* a reply with a lifetime and no FA-HA: 68 to the MN, no visitor
	 * change */
	w->ha_reply_faha = false;
	advance(w, 10000);
	attach_coa(w, COA, &req);
	mn_to_fa(w, &req, &fo);
	via_ha(w, &fo, &res, &back);
	assert_int_equal(back.code, MIP4_CODE_FA_HA_AUTH);
	assert_int_equal(back.change, MIP4_FA_NO_CHANGE);
	assert_int_equal(mip4_fa_pending_count(w->fa), 0);
	fa_to_mn(w, &back, HOME, &mo);
	assert_true(has_event(&mo, MIP4_MN_EV_DENIED, MIP4_CODE_FA_HA_AUTH));
	/* a reply with a bad FA-HA: 68 although the HA accepted */
	mip4_sa_init(&w->reply_sa, 0x2000, key, sizeof key);
	w->ha_reply_faha = true;
	advance(w, 10000);
	attach_coa(w, COA, &req);
	mn_to_fa(w, &req, &fo);
	via_ha(w, &fo, &res, &back);
	assert_int_equal(res.code, 0);
	assert_int_equal(back.code, MIP4_CODE_FA_HA_AUTH);
	assert_int_equal(back.change, MIP4_FA_NO_CHANGE);
	/* our FA-HA is wrong (keys differ): the HA refuses with 132 */
	mip4_sa_init(&w->fa_hasa, 0x2000, key, sizeof key);
	/* HA rejects our FA-HA with 132 and no FA-HA: relayed (§3.7.1
	 * checks replies with a lifetime only) */
	w->ha_reply_faha = false;
	advance(w, 10000);
	attach_coa(w, COA, &req);
	mn_to_fa(w, &req, &fo);
	via_ha(w, &fo, &res, &back);
	assert_int_equal(res.code, MIP4_CODE_HA_FA_AUTH);
	assert_int_equal(back.code, MIP4_CODE_HA_FA_AUTH);
	assert_int_equal(back.counter, MIP4_FA_RELAYED_DENIALS);
	fa_to_mn(w, &back, HOME, &mo);
	assert_true(has_event(&mo, MIP4_MN_EV_DENIED, MIP4_CODE_HA_FA_AUTH));
	assert_int_equal(counter(w, MIP4_FA_REJ_HA_AUTH), 2);
	/* denials left the visitor of the first registration alone */
	assert_non_null(mip4_fa_visitor_get(w->fa, HOME));
}

static void test_pending_timeout_78(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out req, mo;
	struct mip4_fa_out fo;
	struct mip4_msg m;

	attach_coa(w, COA, &req);
	mn_to_fa(w, &req, &fo);
	assert_int_equal(mip4_fa_pending_count(w->fa), 1);
	advance(w, 6000);
	sweep(w);
	assert_int_equal(w->n_ev, 0);
	advance(w, 1000);
	sweep(w);
	assert_int_equal(w->n_ev, 1);
	assert_int_equal(w->ev[0].code, MIP4_CODE_FA_TIMEOUT);
	assert_int_equal(w->ev[0].counter, MIP4_FA_REJ_TIMEOUT);
	assert_int_equal(mip4_fa_pending_count(w->fa), 0);
	assert_int_equal(mip4_msg_decode(w->ev[0].buf, w->ev[0].len, &m),
			 MIP4_OK);
	assert_true(m.u.rrp.id == w->mn.sent_id);
	fa_to_mn(w, &w->ev[0], HOME, &mo);
	assert_true(has_event(&mo, MIP4_MN_EV_DENIED, MIP4_CODE_FA_TIMEOUT));

	/* a requested lifetime shorter than the timeout bounds the entry,
	 * and its end is silent (§3.7) */
	w->mcfg.lifetime = 3;
	new_mn(w);
	attach_coa(w, COA, &req);
	mn_to_fa(w, &req, &fo);
	assert_false(fo.to_mn);
	advance(w, 3000);
	sweep(w);
	assert_int_equal(w->n_ev, 1);
	assert_false(w->ev[0].send);
	assert_int_equal(w->ev[0].counter, MIP4_FA_PENDING_EXPIRED);
	assert_int_equal(mip4_fa_pending_count(w->fa), 0);
	assert_int_equal(counter(w, MIP4_FA_REJ_TIMEOUT), 1);
}

static void test_visitor_expiry(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out mo;

	register_via_fa(w, &mo);
	assert_non_null(mip4_fa_visitor_get(w->fa, HOME));
	advance(w, 299000);
	sweep(w);
	assert_int_equal(w->n_ev, 0);
	assert_non_null(mip4_fa_visitor_get(w->fa, HOME));
	advance(w, 1000);
	sweep(w);
	assert_int_equal(w->n_ev, 1);
	assert_int_equal(w->ev[0].change, MIP4_FA_VISITOR_REMOVED);
	assert_int_equal(w->ev[0].old.home_addr, HOME);
	assert_memory_equal(w->ev[0].old.mac, MAC1, 6);
	assert_false(w->ev[0].send); /* §3.7: no message on expiry */
	assert_null(mip4_fa_visitor_get(w->fa, HOME));
	assert_int_equal(mip4_fa_visitor_count(w->fa), 0);
	assert_int_equal(counter(w, MIP4_FA_VISITORS_EXPIRED), 1);
	/* a long pause past the wheel's horizon still expires */
	register_via_fa(w, &mo);
	advance(w, 5000000);
	sweep(w);
	assert_int_equal(w->n_ev, 1);
	assert_null(mip4_fa_visitor_get(w->fa, HOME));
}

static void walk_count(void *ctx, const struct mip4_fa_visitor *v)
{
	(void)v;
	(*(unsigned *)ctx)++;
}

/* The visitor list in steps: each step looks at `max` pool entries at
 * most; the one visitor shows up once in all. */
static void test_visitor_walk(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out mo;
	unsigned seen = 0, steps = 0;
	uint64_t pos = 0;

	register_via_fa(w, &mo);
	while (mip4_fa_visitor_walk(w->fa, &pos, 100, walk_count, &seen))
		steps++;
	assert_int_equal(seen, 1);
	assert_int_equal(steps, (MIP4_FA_DEFAULT_MAX_VISITORS - 1) / 100);
	assert_int_equal(pos, MIP4_FA_DEFAULT_MAX_VISITORS);
	assert_false(mip4_fa_visitor_walk(w->fa, &pos, 100, walk_count, &seen));
	assert_int_equal(seen, 1);
}

static void test_deregistration(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out req, mo;
	struct mip4_fa_out fo, back;
	struct mip4_ha_result res;
	struct mip4_msg m;

	w->fa_has_ha_sa = true;
	w->ha_has_fa_sa = true;
	w->ha_reply_faha = true;
	register_via_fa(w, &mo);
	assert_non_null(mip4_fa_visitor_get(w->fa, HOME));
	advance(w, 10000);
	mip4_mn_shutdown(&w->mn, &w->now, &req);
	mn_to_fa(w, &req, &fo);
	/* care-of address = home address, lifetime 0: relayed from our
	 * first care-of address without FA-HA (§3.5.4) */
	assert_false(fo.to_mn);
	assert_int_equal(fo.src, COA);
	assert_int_equal(mip4_msg_decode(fo.buf, fo.len, &m), MIP4_OK);
	assert_null(mip4_msg_find_ext(&m, MIP4_EXT_FA_HA, -1));
	w->ha_reply_faha = false; /* lifetime 0 reply: none needed */
	via_ha(w, &fo, &res, &back);
	assert_int_equal(res.change, MIP4_HA_BIND_REMOVED);
	assert_int_equal(back.counter, MIP4_FA_RELAYED_DEREG);
	assert_int_equal(back.change, MIP4_FA_VISITOR_REMOVED);
	assert_int_equal(back.old.home_addr, HOME);
	assert_null(mip4_fa_visitor_get(w->fa, HOME));
	fa_to_mn(w, &back, HOME, &mo);
	assert_true(has_event(&mo, MIP4_MN_EV_DEREGISTERED, 0));
}

static void test_ha_denial_keeps_visitor(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out mo;
	uint64_t exp;

	register_via_fa(w, &mo);
	exp = mip4_fa_visitor_get(w->fa, HOME)->expires_ms;
	w->hcfg.reverse_tunnel = false;
	mip4_ha_set_cfg(w->ha, &w->hcfg);
	advance(w, 10000);
	register_via_fa(w, &mo);
	assert_true(has_event(&mo, MIP4_MN_EV_DENIED,
			      MIP4_CODE_HA_REVTUN_UNAVAIL));
	/* §3.7.2: a denial leaves the visitor as it was */
	assert_non_null(mip4_fa_visitor_get(w->fa, HOME));
	assert_true(mip4_fa_visitor_get(w->fa, HOME)->expires_ms == exp);
	assert_int_equal(mip4_fa_pending_count(w->fa), 0);
	assert_int_equal(counter(w, MIP4_FA_RELAYED_DENIALS), 1);
	assert_int_equal(mip4_fa_reply_codes(w->fa)[MIP4_CODE_HA_REVTUN_UNAVAIL],
			 1);
}

static void test_nai_home_zero(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out req, mo;
	struct mip4_fa_out fo, back;
	struct mip4_ha_result res;
	const struct mip4_fa_visitor *v;

	w->hamn.home_addr = 0;
	w->hamn.nai = NAI;
	w->mcfg.home_addr = 0;
	strcpy(w->mcfg.nai, NAI);
	new_mn(w);
	attach_coa(w, COA, &req);
	assert_int_equal(req.src, 0);
	mn_to_fa(w, &req, &fo);
	assert_false(fo.to_mn); /* no 96: we key pending requests by NAI */
	assert_int_equal(mip4_fa_pending_count(w->fa), 1);
	via_ha(w, &fo, &res, &back);
	assert_int_equal(res.home_addr, POOL0);
	/* to the address the HA assigned, at the MN's MAC */
	fa_to_mn(w, &back, POOL0, &mo);
	assert_true(has_event(&mo, MIP4_MN_EV_REGISTERED, 0));
	assert_int_equal(w->mn.home_addr, POOL0);
	v = mip4_fa_visitor_get(w->fa, POOL0);
	assert_non_null(v);
	assert_string_equal(v->nai, NAI);
	assert_int_equal(mip4_fa_pending_count(w->fa), 0);
	/* renewal, now with the assigned address */
	advance(w, 100000);
	register_via_fa(w, &mo);
	assert_true(has_event(&mo, MIP4_MN_EV_REGISTERED, 0));
	assert_int_equal(mip4_fa_visitor_count(w->fa), 1);
}

/* A reply built by hand, authenticated with the MN-HA key. */
static size_t raw_rrp(uint8_t code, uint16_t life, uint32_t home, uint32_t ha,
		      uint64_t id, const char *nai, bool mnha, bool bad_ext,
		      uint8_t *buf, size_t cap)
{
	struct mip4_sa sa;
	struct mip4_buf b;
	struct mip4_rrp p = {code, life, home, ha, id};

	mip4_sa_init(&sa, 0x1000, key, sizeof key);
	mip4_buf_init(&b, buf, cap);
	mip4_rrp_put(&b, &p);
	if (nai)
		mip4_ext_put_nai(&b, nai);
	if (mnha)
		mip4_auth_append(&b, MIP4_EXT_MN_HA, &sa);
	if (bad_ext) {
		uint8_t *q = mip4_buf_put(&b, 2);

		q[0] = 150;
		q[1] = 30;
	}
	return b.len;
}

/* Relay one raw request so that a pending entry exists. */
static void pend(struct world *w, uint32_t home, const char *nai, uint64_t id)
{
	uint8_t buf[600];
	struct mip4_fa_out fo;
	struct rawq r = good_q();
	size_t len;

	r.home = home;
	r.nai = nai;
	r.lifetime = 100;
	len = raw_rrq(&r, id, buf, sizeof buf);
	fa_rx_mn(w, buf, len, home, MAC1, &fo);
	assert_true(fo.send);
	assert_false(fo.to_mn);
}

static void test_reply_checks(void **state)
{
	struct world *w = *state;
	uint8_t buf[600];
	struct mip4_fa_out back;
	size_t len;

	/* no pending request, or another identification: dropped */
	len = raw_rrp(0, 100, HOME, HA_ADDR, 5, NULL, true, false, buf,
		      sizeof buf);
	fa_rx_ha(w, buf, len, &back);
	assert_false(back.send);
	assert_int_equal(back.counter, MIP4_FA_DROP_NO_PENDING);
	pend(w, HOME, NULL, 0x100000005ull);
	len = raw_rrp(0, 100, HOME, HA_ADDR, 6, NULL, true, false, buf,
		      sizeof buf);
	fa_rx_ha(w, buf, len, &back);
	assert_false(back.send);
	assert_int_equal(back.counter, MIP4_FA_DROP_ID);
	/* low 32 bits are what count (the HA's may differ in the high) */
	len = raw_rrp(0, 100, HOME, HA_ADDR, 0x900000005ull, NULL, true,
		      false, buf, sizeof buf);
	fa_rx_ha(w, buf, len, &back);
	assert_true(back.send);
	assert_int_equal(back.code, 0);
	assert_non_null(mip4_fa_visitor_get(w->fa, HOME));
	/* 71: a malformed reply, and one without MN-HA */
	pend(w, HOME, NULL, 7);
	len = raw_rrp(0, 100, HOME, HA_ADDR, 7, NULL, true, true, buf,
		      sizeof buf);
	fa_rx_ha(w, buf, len, &back);
	assert_true(back.send);
	assert_int_equal(back.code, MIP4_CODE_FA_POOR_REPLY);
	assert_int_equal(back.counter, MIP4_FA_REJ_POOR_REPLY);
	pend(w, HOME, NULL, 8);
	len = raw_rrp(0, 100, HOME, HA_ADDR, 8, NULL, false, false, buf,
		      sizeof buf);
	fa_rx_ha(w, buf, len, &back);
	assert_int_equal(back.code, MIP4_CODE_FA_POOR_REPLY);
	assert_int_equal(counter(w, MIP4_FA_REJ_POOR_REPLY), 2);
	/* ... but with an FA-HA SA an unverifiable one is only dropped */
	w->fa_has_ha_sa = true;
	pend(w, HOME, NULL, 9);
	len = raw_rrp(0, 100, HOME, HA_ADDR, 9, NULL, true, true, buf,
		      sizeof buf);
	fa_rx_ha(w, buf, len, &back);
	assert_false(back.send);
	assert_int_equal(back.counter, MIP4_FA_DROP_BAD_REPLY);
	assert_int_equal(mip4_fa_pending_count(w->fa), 1);
	w->fa_has_ha_sa = false;
	/* RFC 2794 §3: 97 no NAI in the reply, 98 no HA, 99 no home */
	mip4_fa_free(w->fa);
	w->fa = mip4_fa_new(&w->fcfg, fa_mn, fa_ha, w);
	pend(w, 0, NAI, 10);
	len = raw_rrp(0, 100, POOL0, HA_ADDR, 10, NULL, true, false, buf,
		      sizeof buf);
	fa_rx_ha(w, buf, len, &back); /* matched by... nothing: no NAI */
	assert_false(back.send);
	pend(w, HOME, NAI, 11);
	len = raw_rrp(0, 100, HOME, HA_ADDR, 11, NULL, true, false, buf,
		      sizeof buf);
	fa_rx_ha(w, buf, len, &back);
	assert_true(back.send);
	assert_int_equal(back.code, MIP4_CODE_FA_MISSING_NAI);
	assert_int_equal(back.buf[1], MIP4_CODE_FA_MISSING_NAI);
	assert_null(mip4_fa_visitor_get(w->fa, HOME));
	pend(w, 0, NAI, 12);
	len = raw_rrp(0, 100, 0, HA_ADDR, 12, NAI, true, false, buf,
		      sizeof buf);
	fa_rx_ha(w, buf, len, &back);
	assert_int_equal(back.code, MIP4_CODE_FA_MISSING_HOMEADDR);
	assert_int_equal(back.dst, 0xffffffffu); /* §3.7.2.3 */
	pend(w, 0, NAI, 13);
	len = raw_rrp(0, 100, POOL0, 0, 13, NAI, true, false, buf, sizeof buf);
	fa_rx_ha(w, buf, len, &back);
	assert_int_equal(back.code, MIP4_CODE_FA_MISSING_HA);
	assert_int_equal(mip4_fa_visitor_count(w->fa), 0);
	/* bad checksum, not a reply */
	{
		struct mip4_fa_rx rx = {0};

		rx.data = buf;
		rx.len = len;
		rx.csum_bad = true;
		mip4_fa_from_ha(w->fa, &rx, &back);
		assert_int_equal(back.counter, MIP4_FA_DROP_CSUM);
		rx.csum_bad = false;
		buf[0] = MIP4_MSG_RRQ;
		mip4_fa_from_ha(w->fa, &rx, &back);
		assert_int_equal(back.counter, MIP4_FA_DROP_NOT_RRP);
	}
}

static void test_ha_unreachable(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out req, mo;
	struct mip4_fa_out fo, back;

	attach_coa(w, COA, &req);
	mn_to_fa(w, &req, &fo);
	/* an ICMP error quoting another request: nothing */
	fo.buf[20] ^= 1;
	mip4_fa_ha_unreachable(w->fa, w->now.ms, fo.buf, fo.len, 81, &back);
	assert_false(back.send);
	assert_int_equal(back.counter, MIP4_FA_DROP_ICMP);
	fo.buf[20] ^= 1;
	mip4_fa_ha_unreachable(w->fa, w->now.ms, fo.buf, 24, 81, &back);
	assert_int_equal(back.code, 81);
	assert_int_equal(mip4_fa_pending_count(w->fa), 0);
	fa_to_mn(w, &back, HOME, &mo);
	assert_true(has_event(&mo, MIP4_MN_EV_DENIED, 81));
}

static void test_udp_tunnel_behind_nat(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out mo;
	struct mip4_binding *b;
	const struct mip4_fa_visitor *v;

	/* our HA accepts an FA-added UDP tunnel request only before an
	 * FA-HA extension (wire.c's order check), so share an SA */
	w->fa_has_ha_sa = true;
	w->ha_has_fa_sa = true;
	w->ha_reply_faha = true;
	w->fcfg.udp_tunnel = true;
	new_fa(w);
	w->seen_src = NAT_ADDR;
	register_via_fa(w, &mo);
	assert_true(has_event(&mo, MIP4_MN_EV_REGISTERED, 0));
	b = mip4_btable_get(mip4_ha_bindings(w->ha), HOME);
	assert_non_null(b);
	assert_int_equal(b->encap, MIP4_ENCAP_UDP);
	assert_int_equal(b->peer_addr, NAT_ADDR);
	v = mip4_fa_visitor_get(w->fa, HOME);
	assert_int_equal(v->encap, MIP4_ENCAP_UDP);
	assert_int_equal(v->keepalive, 20);
	/* no NAT: the HA declines, IP in IP */
	w->seen_src = 0;
	advance(w, 10000);
	register_via_fa(w, &mo);
	assert_true(has_event(&mo, MIP4_MN_EV_REGISTERED, 0));
	assert_int_equal(mip4_fa_visitor_get(w->fa, HOME)->encap,
			 MIP4_ENCAP_IPIP);
}

static void test_local_ha(void **state)
{
	struct world *w = *state;
	uint8_t buf[600];
	struct mip4_fa_out fo;
	struct rawq r = good_q();
	size_t len;

	w->fcfg.home_agent = true;
	assert_int_equal(mip4_fa_set_cfg(w->fa, &w->fcfg), 0);
	r.ha = FA_ADDR;
	len = raw_rrq(&r, 1, buf, sizeof buf);
	fa_rx_mn(w, buf, len, HOME, MAC1, &fo);
	assert_false(fo.send);
	assert_int_equal(fo.counter, MIP4_FA_TO_LOCAL_HA);
	assert_int_equal(mip4_fa_pending_count(w->fa), 0);
}

static void test_advertisements(void **state)
{
	struct world *w = *state;
	uint8_t ab[128];
	struct mip4_buf b;
	struct mip4_adv a;
	uint64_t t = w->now.ms;

	w->fcfg.adv_prefix_lengths = true;
	w->fcfg.udp_tunnel = true;
	new_fa(w);
	assert_int_equal(mip4_fa_next_adv(w->fa), 1); /* first: at once */
	mip4_buf_init(&b, ab, sizeof ab);
	assert_int_equal(mip4_fa_advertisement(w->fa, t, &b), 0);
	assert_int_equal(mip4_adv_decode(ab, b.len, &a), MIP4_OK);
	assert_int_equal(mip4_inet_csum(ab, b.len), 0);
	assert_true(a.has_mobility);
	assert_int_equal(a.seq, 0); /* §2.3.2: first is 0 */
	assert_int_equal(a.lifetime, 9);
	assert_int_equal(a.reg_lifetime, 1800);
	assert_int_equal(a.flags, MIP4_ADV_F | MIP4_ADV_T | MIP4_ADV_U);
	assert_int_equal(a.n_coa, 2);
	assert_int_equal(a.coa[0], COA);
	assert_int_equal(a.coa[1], COA2);
	assert_int_equal(a.n_routers, 1);
	assert_int_equal(a.router[0].addr, FA_ADDR);
	assert_true(a.has_prefix_len);
	assert_int_equal(a.prefix_len[0], 24);
	/* next within [3/4, 1] of the interval */
	assert_true(mip4_fa_next_adv(w->fa) >= t + 2250);
	assert_true(mip4_fa_next_adv(w->fa) <= t + 3000);
	/* sequence numbers: 0xffff is followed by 256 */
	for (unsigned i = 1; i <= 0xffff; i++) {
		mip4_buf_init(&b, ab, sizeof ab);
		assert_int_equal(mip4_fa_advertisement(w->fa, t, &b), 0);
	}
	assert_int_equal(mip4_adv_decode(ab, b.len, &a), MIP4_OK);
	assert_int_equal(a.seq, 0xffff);
	mip4_buf_init(&b, ab, sizeof ab);
	assert_int_equal(mip4_fa_advertisement(w->fa, t, &b), 0);
	assert_int_equal(mip4_adv_decode(ab, b.len, &a), MIP4_OK);
	assert_int_equal(a.seq, 256);
	assert_int_equal(mip4_fa_adv_seq(w->fa), 257);
	/* too small a buffer */
	mip4_buf_init(&b, ab, 10);
	assert_int_equal(mip4_fa_advertisement(w->fa, t, &b), -1);
	assert_int_equal(mip4_fa_adv_seq(w->fa), 257);
}

static void test_solicitations(void **state)
{
	struct world *w = *state;
	uint8_t sol[8], ab[128];
	struct mip4_buf b;
	uint32_t dst = 0;
	uint64_t t = w->now.ms;

	w->fcfg.adv_interval_s = 0; /* answer solicitations only */
	new_fa(w);
	assert_int_equal(mip4_fa_next_adv(w->fa), 0);
	mip4_buf_init(&b, sol, sizeof sol);
	mip4_sol_put(&b);
	/* from a home address: unicast to it */
	assert_int_equal(mip4_fa_solicitation(w->fa, t, sol, 8, HOME, &dst),
			 MIP4_FA_SOL_UNICAST);
	assert_int_equal(dst, HOME);
	mip4_buf_init(&b, ab, sizeof ab);
	assert_int_equal(mip4_fa_advertisement(w->fa, t, &b), 0);
	/* another within the second: deferred to a multicast 1 s later */
	assert_int_equal(mip4_fa_solicitation(w->fa, t + 400, sol, 8, 0, &dst),
			 MIP4_FA_SOL_DEFERRED);
	assert_true(mip4_fa_next_adv(w->fa) == t + 1000);
	mip4_buf_init(&b, ab, sizeof ab);
	assert_int_equal(mip4_fa_advertisement(w->fa, t + 1000, &b), 0);
	assert_int_equal(mip4_fa_next_adv(w->fa), 0);
	/* from 0.0.0.0 after the second: multicast to 224.0.0.1 */
	assert_int_equal(mip4_fa_solicitation(w->fa, t + 2000, sol, 8, 0, &dst),
			 MIP4_FA_SOL_MULTICAST);
	assert_int_equal(dst, 0xe0000001u);
	/* malformed */
	sol[1] = 1;
	assert_int_equal(mip4_fa_solicitation(w->fa, t + 5000, sol, 8, 0, &dst),
			 MIP4_FA_SOL_IGNORE);
	assert_int_equal(counter(w, MIP4_FA_DROP_SOL), 1);
	assert_int_equal(counter(w, MIP4_FA_SOL_RATE_LIMITED), 1);
	assert_int_equal(counter(w, MIP4_FA_SOL_ANSWERED), 2);
}

/* A periodic advertisement does not hold back the answer to a node that
 * just arrived and solicits (it would wait out the interval). */
static void test_solicitation_after_periodic(void **state)
{
	struct world *w = *state;
	uint8_t sol[8], ab[128];
	struct mip4_buf b;
	uint32_t dst = 0;
	uint64_t t = w->now.ms;

	w->fcfg.adv_interval_s = 1;
	new_fa(w);
	mip4_buf_init(&b, ab, sizeof ab);
	assert_int_equal(mip4_fa_advertisement(w->fa, t, &b), 0);
	mip4_buf_init(&b, sol, sizeof sol);
	mip4_sol_put(&b);
	assert_int_equal(mip4_fa_solicitation(w->fa, t + 100, sol, 8, 0, &dst),
			 MIP4_FA_SOL_MULTICAST);
	/* but a second solicited answer within the second is deferred */
	assert_int_equal(mip4_fa_solicitation(w->fa, t + 300, sol, 8, 0, &dst),
			 MIP4_FA_SOL_DEFERRED);
}

static void test_counter_names(void **state)
{
	(void)state;
	for (unsigned i = 0; i < MIP4_FA_NCOUNTERS; i++) {
		const char *n = mip4_fa_counter_name((enum mip4_fa_counter)i);

		assert_non_null(n);
		assert_string_not_equal(n, "unknown");
		for (unsigned j = 0; j < i; j++)
			assert_string_not_equal(
				n, mip4_fa_counter_name((enum mip4_fa_counter)j));
	}
	assert_string_equal(mip4_fa_counter_name(MIP4_FA_NCOUNTERS), "unknown");
}

static void test_bad_config(void **state)
{
	struct mip4_fa_cfg c = {0};

	(void)state;
	assert_null(mip4_fa_new(&c, NULL, NULL, NULL)); /* no care-of */
	c.n_coa = MIP4_FA_MAX_COA + 1;
	assert_null(mip4_fa_new(&c, NULL, NULL, NULL));
}

/* The home agent's reply to the pending request `id` of `home`, made by
 * hand (MN-HA only), into the FA. */
static void ha_reply(struct world *w, uint8_t code, uint16_t life,
		     uint32_t home, uint32_t ha, uint64_t id,
		     struct mip4_fa_out *back)
{
	uint8_t buf[600];
	size_t len = raw_rrp(code, life, home, ha, id, NULL, true, false, buf,
			     sizeof buf);

	fa_rx_ha(w, buf, len, back);
}

/* Carry on writing the message of len bytes in buf. */
static struct mip4_buf resume(uint8_t *buf, size_t len, size_t cap)
{
	struct mip4_buf b;

	mip4_buf_init(&b, buf, cap);
	b.len = len;
	return b;
}

/* Send a raw request; expect it relayed to its home agent. */
static void expect_relayed(struct world *w, const struct rawq *r, uint64_t id)
{
	uint8_t buf[600];
	struct mip4_fa_out fo;
	size_t len = raw_rrq(r, id, buf, sizeof buf);

	fa_rx_mn(w, buf, len, r->home, MAC1, &fo);
	assert_true(fo.send);
	assert_false(fo.to_mn);
	assert_int_equal(fo.dst, r->ha);
}

/* §3.7.2.1: sharing an SA with the MN, "exactly one" MN-FA: a request
 * with two valid ones is refused with 67 and not relayed. */
static void test_two_mn_fa(void **state)
{
	struct world *w = *state;
	struct rawq r = good_q();

	w->fa_has_mn_sa = true;
	r.mnfa = true;
	expect_relayed(w, &r, 1); /* one */
	r.mnfa2 = true;
	expect_denial(w, &r, MIP4_CODE_FA_MN_AUTH, MIP4_FA_REJ_MN_AUTH);
}

/* Code 69 is for a lifetime above our maximum: exactly the maximum is
 * relayed, one second more is refused. */
static void test_lifetime_69_boundary(void **state)
{
	struct world *w = *state;
	struct rawq r = good_q();

	w->fcfg.max_lifetime = 200;
	new_fa(w);
	r.lifetime = 200;
	expect_relayed(w, &r, 1);
	r.lifetime = 201;
	expect_denial(w, &r, MIP4_CODE_FA_LIFETIME, MIP4_FA_REJ_LIFETIME);
}

/* §3.7.3.1: a reply whose identification differs from the pending
 * request's in any of the low-order 32 bits (here bit 16, bit 31) is not
 * its answer: silently dropped, the request stays pending. */
static void test_reply_id_low_32_bits(void **state)
{
	struct world *w = *state;
	static const uint64_t flips[] = {1ull << 16, 1ull << 31};
	const uint64_t id = 0x100000005ull;
	uint8_t buf[600];
	struct mip4_fa_out back;
	size_t len;

	pend(w, HOME, NULL, id);
	for (size_t i = 0; i < sizeof flips / sizeof flips[0]; i++) {
		ha_reply(w, 0, 100, HOME, HA_ADDR, id ^ flips[i], &back);
		assert_false(back.send);
		assert_int_equal(back.counter, MIP4_FA_DROP_ID);
		assert_int_equal(mip4_fa_pending_count(w->fa), 1);
		assert_null(mip4_fa_visitor_get(w->fa, HOME));
	}
	ha_reply(w, 0, 100, HOME, HA_ADDR, id, &back);
	assert_true(back.send);
	assert_int_equal(back.counter, MIP4_FA_RELAYED_ACCEPTS);
	/* a malformed reply earns the MN a 71 only if it is the answer */
	pend(w, HOME, NULL, id);
	len = raw_rrp(0, 100, HOME, HA_ADDR, id ^ (1ull << 16), NULL, true,
		      true, buf, sizeof buf);
	fa_rx_ha(w, buf, len, &back);
	assert_false(back.send);
	assert_int_equal(back.counter, MIP4_FA_DROP_BAD_REPLY);
	assert_int_equal(mip4_fa_pending_count(w->fa), 1);
	len = raw_rrp(0, 100, HOME, HA_ADDR, id, NULL, true, true, buf,
		      sizeof buf);
	fa_rx_ha(w, buf, len, &back);
	assert_true(back.send);
	assert_int_equal(back.code, MIP4_CODE_FA_POOR_REPLY);
}

/* §3.7.3.1: sharing an SA with the HA, "exactly one" FA-HA: a reply with
 * two valid ones is refused, 68 to the MN, no visitor. */
static void test_two_fa_ha(void **state)
{
	struct world *w = *state;
	uint8_t buf[600];
	struct mip4_fa_out back;
	struct mip4_buf b;
	size_t len;

	w->fa_has_ha_sa = true;
	pend(w, HOME, NULL, 21);
	len = raw_rrp(0, 100, HOME, HA_ADDR, 21, NULL, true, false, buf,
		      sizeof buf);
	b = resume(buf, len, sizeof buf);
	mip4_auth_append(&b, MIP4_EXT_FA_HA, &w->fa_hasa);
	mip4_auth_append(&b, MIP4_EXT_FA_HA, &w->fa_hasa);
	assert_false(b.overflow);
	fa_rx_ha(w, buf, b.len, &back);
	assert_true(back.send);
	assert_int_equal(back.code, MIP4_CODE_FA_HA_AUTH);
	assert_int_equal(back.counter, MIP4_FA_REJ_HA_AUTH);
	assert_null(mip4_fa_visitor_get(w->fa, HOME));
	assert_int_equal(mip4_fa_pending_count(w->fa), 0);
	/* with one: accepted */
	pend(w, HOME, NULL, 22);
	len = raw_rrp(0, 100, HOME, HA_ADDR, 22, NULL, true, false, buf,
		      sizeof buf);
	b = resume(buf, len, sizeof buf);
	mip4_auth_append(&b, MIP4_EXT_FA_HA, &w->fa_hasa);
	fa_rx_ha(w, buf, b.len, &back);
	assert_int_equal(back.counter, MIP4_FA_RELAYED_ACCEPTS);
	assert_non_null(mip4_fa_visitor_get(w->fa, HOME));
}

/* RFC 5944 §3.4: code 1, "registration accepted, but simultaneous
 * mobility bindings unsupported", is an acceptance.  The FA relays it as
 * one and keeps a visitor entry (§3.7.3.2), the MN registers; and RFC
 * 2794 §3's checks (98 no home agent, 99 no home address) apply to it as
 * to code 0. */
static void test_code_1_accepted(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out req, mo;
	struct mip4_fa_out fo, back;
	const struct mip4_fa_visitor *v;
	struct mip4_msg m;
	uint8_t buf[600];
	size_t len;

	attach_coa(w, COA, &req);
	mn_to_fa(w, &req, &fo);
	assert_false(fo.to_mn);
	assert_int_equal(mip4_msg_decode(fo.buf, fo.len, &m), MIP4_OK);
	ha_reply(w, MIP4_CODE_ACCEPTED_NO_SIMUL, 300, HOME, HA_ADDR, m.u.rrq.id,
		 &back);
	assert_int_equal(back.code, MIP4_CODE_ACCEPTED_NO_SIMUL);
	assert_int_equal(back.counter, MIP4_FA_RELAYED_ACCEPTS);
	assert_int_equal(back.change, MIP4_FA_VISITOR_ADDED);
	v = mip4_fa_visitor_get(w->fa, HOME);
	assert_non_null(v);
	assert_int_equal(v->lifetime, 300);
	assert_int_equal(mip4_fa_reply_codes(w->fa)[MIP4_CODE_ACCEPTED_NO_SIMUL],
			 1);
	fa_to_mn(w, &back, HOME, &mo);
	assert_true(has_event(&mo, MIP4_MN_EV_REGISTERED,
			      MIP4_CODE_ACCEPTED_NO_SIMUL));
	assert_true(w->mn.registered);
	/* 98: accepted without a home agent address */
	pend(w, HOME2, NULL, 31);
	len = raw_rrp(MIP4_CODE_ACCEPTED_NO_SIMUL, 100, HOME2, 0, 31, NULL,
		      true, false, buf, sizeof buf);
	fa_rx_ha(w, buf, len, &back);
	assert_int_equal(back.code, MIP4_CODE_FA_MISSING_HA);
	assert_null(mip4_fa_visitor_get(w->fa, HOME2));
	/* 99: accepted without a home address */
	pend(w, 0, NAI, 32);
	len = raw_rrp(MIP4_CODE_ACCEPTED_NO_SIMUL, 100, 0, HA_ADDR, 32, NAI,
		      true, false, buf, sizeof buf);
	fa_rx_ha(w, buf, len, &back);
	assert_int_equal(back.code, MIP4_CODE_FA_MISSING_HOMEADDR);
	assert_int_equal(mip4_fa_visitor_count(w->fa), 1);
}

/* §3.4 and §3.7.3.2: the visitor entry lives the least of what the HA
 * granted, what the MN asked and our maximum.  An HA granting more than
 * asked does not stretch it, nor does a grant above a maximum that was
 * lowered (configuration reload) while the request was pending.  The
 * reply goes to the MN as the HA made it: the FA may not change it up
 * through MN-HA, and the MN applies §3.4 itself. */
static void test_visitor_lifetime_capped(void **state)
{
	struct world *w = *state;
	const struct mip4_fa_visitor *v;
	struct mip4_fa_out back;
	struct mip4_msg m;

	pend(w, HOME, NULL, 41); /* asks 100 s */
	ha_reply(w, 0, 300, HOME, HA_ADDR, 41, &back);
	assert_int_equal(back.counter, MIP4_FA_RELAYED_ACCEPTS);
	v = mip4_fa_visitor_get(w->fa, HOME);
	assert_non_null(v);
	assert_int_equal(v->lifetime, 100);
	assert_true(v->expires_ms == w->now.ms + 100000);
	assert_int_equal(mip4_msg_decode(back.buf, back.len, &m), MIP4_OK);
	assert_int_equal(m.u.rrp.lifetime, 300);
	advance(w, 99000);
	sweep(w);
	assert_int_equal(w->n_ev, 0);
	advance(w, 1000);
	sweep(w);
	assert_int_equal(w->n_ev, 1);
	assert_null(mip4_fa_visitor_get(w->fa, HOME));
	/* the maximum lowered to 50 s while a request for 100 s waits */
	pend(w, HOME, NULL, 42);
	w->fcfg.max_lifetime = 50;
	assert_int_equal(mip4_fa_set_cfg(w->fa, &w->fcfg), 0);
	ha_reply(w, 0, 100, HOME, HA_ADDR, 42, &back);
	assert_int_equal(back.counter, MIP4_FA_RELAYED_ACCEPTS);
	v = mip4_fa_visitor_get(w->fa, HOME);
	assert_non_null(v);
	assert_int_equal(v->lifetime, 50);
	assert_true(v->expires_ms == w->now.ms + 50000);
}

/* Room for one visitor and two requests relayed while it was free: the
 * first acceptance takes the place; the HA's acceptance of the second
 * becomes a 66 for its MN (we could not serve it) and no visitor. */
static void test_visitors_full_at_reply(void **state)
{
	struct world *w = *state;
	struct mip4_fa_out back;
	struct mip4_msg m;

	w->fcfg.max_visitors = 1;
	new_fa(w);
	pend(w, HOME, NULL, 51);
	pend(w, HOME2, NULL, 52);
	ha_reply(w, 0, 100, HOME, HA_ADDR, 51, &back);
	assert_int_equal(back.counter, MIP4_FA_RELAYED_ACCEPTS);
	ha_reply(w, 0, 100, HOME2, HA_ADDR, 52, &back);
	assert_true(back.send);
	assert_int_equal(back.dst, HOME2);
	assert_int_equal(back.code, MIP4_CODE_FA_RESOURCES);
	assert_int_equal(back.counter, MIP4_FA_REJ_VISITORS_FULL);
	assert_int_equal(mip4_msg_decode(back.buf, back.len, &m), MIP4_OK);
	assert_int_equal(m.u.rrp.code, MIP4_CODE_FA_RESOURCES);
	assert_null(mip4_fa_visitor_get(w->fa, HOME2));
	assert_int_equal(mip4_fa_visitor_count(w->fa), 1);
	assert_int_equal(mip4_fa_pending_count(w->fa), 0);
}

/* A mobile node may deregister one care-of address and keep its other
 * bindings (RFC 5944 §3.6.1.2), and an FA relays a deregistration even of
 * a care-of address it does not own (§3.8.2.2).  Our visitor entry goes
 * only when the deregistration is for our care-of address, or for all
 * of them (care-of = home address, test_deregistration). */
static void test_deregistration_other_coa(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out mo;
	struct mip4_fa_out back;
	struct rawq r = good_q();
	uint64_t exp;

	register_via_fa(w, &mo);
	exp = mip4_fa_visitor_get(w->fa, HOME)->expires_ms;
	advance(w, 1000);
	r.lifetime = 0;
	r.coa = OTHER_COA;
	expect_relayed(w, &r, 61);
	ha_reply(w, 0, 0, HOME, HA_ADDR, 61, &back);
	assert_true(back.send);
	assert_int_equal(back.counter, MIP4_FA_RELAYED_DEREG);
	assert_int_equal(back.change, MIP4_FA_NO_CHANGE);
	assert_non_null(mip4_fa_visitor_get(w->fa, HOME));
	assert_true(mip4_fa_visitor_get(w->fa, HOME)->expires_ms == exp);
	/* the same for our care-of address: the visitor goes */
	r.coa = COA;
	expect_relayed(w, &r, 62);
	ha_reply(w, 0, 0, HOME, HA_ADDR, 62, &back);
	assert_int_equal(back.counter, MIP4_FA_RELAYED_DEREG);
	assert_int_equal(back.change, MIP4_FA_VISITOR_REMOVED);
	assert_null(mip4_fa_visitor_get(w->fa, HOME));
}

/* RFC 3519 §4.5: the FA's UDP tunnel is the answer to its own request; a
 * UDP Tunnel Reply from an HA it asked nothing of leaves the visitor on IP
 * in IP. */
static void test_udp_reply_not_asked(void **state)
{
	struct world *w = *state;
	const struct mip4_fa_visitor *v;
	struct mip4_fa_out back;
	struct mip4_buf b;
	uint8_t buf[600];
	size_t len;

	assert_false(w->fcfg.udp_tunnel);
	pend(w, HOME, NULL, 71);
	len = raw_rrp(0, 100, HOME, HA_ADDR, 71, NULL, true, false, buf,
		      sizeof buf);
	b = resume(buf, len, sizeof buf);
	mip4_ext_put_udp_rep(&b, 0, false, 20);
	assert_false(b.overflow);
	fa_rx_ha(w, buf, b.len, &back);
	assert_int_equal(back.counter, MIP4_FA_RELAYED_ACCEPTS);
	v = mip4_fa_visitor_get(w->fa, HOME);
	assert_non_null(v);
	assert_int_equal(v->encap, MIP4_ENCAP_IPIP);
	assert_int_equal(v->keepalive, 0);
}

/* Our own 194 (RFC 5944 §3.7.2.1: the Home Agent field is one of our
 * addresses) reaches the mobile node's state machine as the denial it is:
 * an FA has no MN-HA to put on it. */
static void test_invalid_ha_194_reaches_mn(void **state)
{
	struct world *w = *state;
	struct mip4_mn_out req, mo;
	struct mip4_fa_out fo;

	w->mcfg.ha_addr = FA_ADDR;
	new_mn(w);
	attach_coa(w, COA, &req);
	mn_to_fa(w, &req, &fo);
	assert_true(fo.to_mn);
	assert_int_equal(fo.code, MIP4_CODE_FA_INVALID_HA);
	fa_to_mn(w, &fo, HOME, &mo);
	assert_true(has_event(&mo, MIP4_MN_EV_DENIED, MIP4_CODE_FA_INVALID_HA));
	assert_false(w->mn.pending);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_register_end_to_end),
		T(test_reverse_tunnel),
		T(test_encap_delivery),
		T(test_dp_coa_is_link_address),
		T(test_lifetime_69),
		T(test_request_denials),
		T(test_silent_drops),
		T(test_tables_full_66),
		T(test_mn_fa_auth),
		T(test_fa_ha_auth),
		T(test_pending_timeout_78),
		T(test_visitor_expiry),
		T(test_visitor_walk),
		T(test_deregistration),
		T(test_ha_denial_keeps_visitor),
		T(test_nai_home_zero),
		T(test_reply_checks),
		T(test_ha_unreachable),
		T(test_udp_tunnel_behind_nat),
		T(test_local_ha),
		T(test_advertisements),
		T(test_solicitations),
		T(test_solicitation_after_periodic),
		T(test_two_mn_fa),
		T(test_lifetime_69_boundary),
		T(test_reply_id_low_32_bits),
		T(test_two_fa_ha),
		T(test_code_1_accepted),
		T(test_visitor_lifetime_capped),
		T(test_visitors_full_at_reply),
		T(test_deregistration_other_coa),
		T(test_udp_reply_not_asked),
		T(test_invalid_ha_194_reaches_mn),
		cmocka_unit_test(test_counter_names),
		cmocka_unit_test(test_bad_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
