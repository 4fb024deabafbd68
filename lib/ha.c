/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Home agent request processing.  One funnel, in the order RFC 5944
 * §3.8.2.1 gives: source policy -> decode -> authentication -> replay ->
 * request checks -> binding change -> reply.
 *
 * Flood resilience (issue #14).  A request with a wrong authenticator
 * costs its sender one datagram, from any source address it likes; it
 * costs us an HMAC, and a second HMAC and a reply if we answer it.  At
 * the rate one host can send them, the home agent falls behind, its
 * socket queue overflows, and real renewals are lost with the flood.  So:
 *
 * - The denials anyone can provoke without a key are budgeted: 131 (bad
 *   MN-HA authenticator), 132 (bad or missing FA-HA) and 133 (stale
 *   identification: a captured request played again).  Each one sent
 *   takes a token from three buckets: the mobile node's, the source
 *   address's and the home agent's (cfg.deny_*: 4, 16 and 1000 a second
 *   by default).  With one of them empty it is not sent and is counted as
 *   drop-13x-rate-limited.  RFC 5944 §3.8.2.1 makes the 131 a MAY when
 *   the request has no valid FA-HA authenticator, 132 and 133 SHOULDs;
 *   a 131 to a request whose FA-HA authenticator is valid is a MUST and
 *   is always sent (that FA is authenticated: not a spoofer).
 * - While a bucket is empty, no denial will be sent, so the only outcome
 *   worth an HMAC is an acceptance.  A request is then authenticated only
 *   if it comes from the address and port its node's binding was
 *   registered from and its identification passes the replay check, or
 *   if it comes from a foreign agent we share an SA with and its FA-HA
 *   authenticator (checked first) is valid; anything else is dropped
 *   before the HMAC (drop-unverified-rate-limited).  A spoofed flood
 *   then costs a decode and two table lookups per packet, and the
 *   renewals of registered nodes keep going through it.
 *
 * What that costs: while a flood keeps a bucket empty, a node cannot
 * register from a new address (it moved, or it has no binding yet) unless
 * its request is one of the few the bucket admits, about the budget's
 * rate over the flood's per attempt; the bucket refills within a second
 * of the flood's end and the next attempt goes through.  Whoever knows a
 * binding's source address and port (someone on its path) still gets an
 * HMAC computed per packet, and no reply.  The per-source bucket buys
 * nothing against random spoofed sources (each is new); it keeps one
 * host that cannot spoof (ingress filtering) or one misconfigured node
 * from spending the budget that every node's new registrations share.
 * Sources share DENY_SLOTS slots, a newcomer takes over its slot: random
 * sources can evict a real one and let the per-source limit leak, never
 * block more than it should.
 */
#include "mip4/ha.h"

#include <stdlib.h>
#include <string.h>

#define DENY_SLOTS 1024u /* per-source denial budgets, direct-mapped */
#define DENY_MAX 1000u	 /* budgets in whole milliseconds per token */

struct deny_src {
	uint32_t addr;
	uint32_t full; /* see budget_ahead() */
};

struct mip4_ha {
	struct mip4_ha_cfg cfg;
	mip4_ha_mn_lookup_fn mn_lookup;
	mip4_ha_fa_lookup_fn fa_lookup;
	void *ctx;
	struct mip4_btable *bt;
	struct mip4_auth_ctx *auth; /* NULL: the one-shot way (auth.h) */
	uint32_t pool_next;
	uint32_t deny_full; /* the HA-wide denial budget */
	uint64_t counters[MIP4_HA_NCOUNTERS];
	struct deny_src deny_src[DENY_SLOTS];
};

static const char *const counter_names[MIP4_HA_NCOUNTERS] = {
	[MIP4_HA_RX] = "requests",
	[MIP4_HA_ACCEPTED] = "accepted",
	[MIP4_HA_DEREGISTERED] = "deregistered",
	[MIP4_HA_DROP_CSUM] = "drop-bad-checksum",
	[MIP4_HA_DROP_UNTRUSTED] = "drop-untrusted-source",
	[MIP4_HA_DROP_INSIDE] = "drop-inside-source",
	[MIP4_HA_DROP_NOT_RRQ] = "drop-not-request",
	[MIP4_HA_DROP_MALFORMED] = "drop-malformed",
	[MIP4_HA_DROP_TOO_MANY_EXT] = "drop-too-many-extensions",
	[MIP4_HA_DROP_UNKNOWN_EXT] = "drop-unknown-extension",
	[MIP4_HA_DROP_NO_AUTH] = "drop-no-mn-ha-auth",
	[MIP4_HA_DROP_UNKNOWN_MN] = "drop-unknown-mn",
	[MIP4_HA_DROP_UNKNOWN_SPI] = "drop-unknown-spi",
	[MIP4_HA_DROP_FA_HA_NO_SA] = "drop-fa-ha-without-sa",
	[MIP4_HA_REJ_AUTH] = "reject-131-mn-auth",
	[MIP4_HA_REJ_FA_AUTH] = "reject-132-fa-auth",
	[MIP4_HA_REJ_ID] = "reject-133-identification",
	[MIP4_HA_REJ_POOR] = "reject-134-poorly-formed",
	[MIP4_HA_REJ_UNKNOWN_HA] = "reject-136-unknown-ha",
	[MIP4_HA_REJ_REVTUN] = "reject-137-reverse-tunnel",
	[MIP4_HA_REJ_REVTUN_MANDATORY] = "reject-138-reverse-tunnel-mandatory",
	[MIP4_HA_REJ_ENCAP] = "reject-139-encapsulation",
	[MIP4_HA_REJ_UDP_ENCAP] = "reject-142-udp-encapsulation",
	[MIP4_HA_REJ_PROHIBITED] = "reject-129-prohibited",
	[MIP4_HA_REJ_RESOURCES] = "reject-130-resources",
	[MIP4_HA_REJ_TOO_MANY] = "reject-135-too-many-bindings",
	[MIP4_HA_REJ_NOT_STORED] = "reject-130-not-stored",
	[MIP4_HA_DROP_UNVERIFIED_LIMITED] = "drop-unverified-rate-limited",
	[MIP4_HA_DROP_131_LIMITED] = "drop-131-rate-limited",
	[MIP4_HA_DROP_132_LIMITED] = "drop-132-rate-limited",
	[MIP4_HA_DROP_133_LIMITED] = "drop-133-rate-limited",
};

_Static_assert(MIP4_HA_MAX_COA >= 1 && MIP4_HA_MAX_COA <= 255,
	       "a binding counts its care-of addresses in a byte");

const char *mip4_ha_counter_name(enum mip4_ha_counter c)
{
	return (unsigned)c < MIP4_HA_NCOUNTERS ? counter_names[c] : "unknown";
}

bool mip4_prefix_match(const struct mip4_prefix *p, unsigned n, uint32_t a)
{
	for (unsigned i = 0; i < n; i++)
		if ((a & p[i].mask) == p[i].net)
			return true;
	return false;
}

struct mip4_ha *mip4_ha_new(const struct mip4_ha_cfg *cfg,
			    mip4_ha_mn_lookup_fn mn_lookup,
			    mip4_ha_fa_lookup_fn fa_lookup, void *ctx,
			    size_t hint)
{
	struct mip4_ha *ha = calloc(1, sizeof *ha);

	if (!ha)
		return NULL;
	ha->bt = mip4_btable_new(hint);
	if (!ha->bt) {
		free(ha);
		return NULL;
	}
	ha->auth = mip4_auth_ctx_new();
	ha->cfg = *cfg;
	ha->mn_lookup = mn_lookup;
	ha->fa_lookup = fa_lookup;
	ha->ctx = ctx;
	ha->pool_next = cfg->pool_first;
	return ha;
}

void mip4_ha_free(struct mip4_ha *ha)
{
	if (!ha)
		return;
	mip4_btable_free(ha->bt);
	mip4_auth_ctx_free(ha->auth);
	free(ha);
}

void mip4_ha_set_cfg(struct mip4_ha *ha, const struct mip4_ha_cfg *cfg)
{
	ha->cfg = *cfg;
	if (ha->pool_next < cfg->pool_first || ha->pool_next > cfg->pool_last)
		ha->pool_next = cfg->pool_first;
}

struct mip4_btable *mip4_ha_bindings(struct mip4_ha *ha)
{
	return ha->bt;
}

const uint64_t *mip4_ha_counters(const struct mip4_ha *ha)
{
	return ha->counters;
}

size_t mip4_ha_expire(struct mip4_ha *ha, uint64_t now_ms,
		      mip4_btable_expired_fn expired, void *ctx)
{
	return mip4_btable_expire(ha->bt, now_ms, expired, ctx);
}

/* Everything the reply needs, gathered while the request is processed. */
struct reply_ctx {
	const struct mip4_msg *req;
	struct mip4_ha_mn *mn;
	const struct mip4_ext *nai;
	uint32_t home_addr;
	uint64_t id;
	uint16_t lifetime;
	bool udp_reply;
	bool udp_from_fa; /* the FA added the request: reply after MN-HA */
	uint8_t udp_code;
	bool udp_forced;
	const struct mip4_ha_fa *fa; /* FA-HA association, when we share one */
};

static void drop(struct mip4_ha *ha, struct mip4_ha_result *res,
		 enum mip4_ha_counter c)
{
	ha->counters[c]++;
	res->counter = c;
	res->send = false;
}

/*
 * A token bucket of `rate` denials a second, `rate` at most at once, in 32
 * bits: the moment it is full again (ms modulo 2^32, from rx->now_ms).  A
 * denial moves that moment 1000/rate ms later; one fits while the moment
 * is at most 1000 - 1000/rate ms ahead of now.  A moment in the past is a
 * full bucket; one more than a second ahead cannot be (a denial never puts
 * it further), so it is one from long ago read across the wrap: full too.
 * 0 is a bucket never used (a used one that lands on 0 reads full: one
 * more burst, once in 49 days).
 */
static uint32_t budget_ahead(uint32_t full, uint32_t now)
{
	int32_t d = (int32_t)(full - now);

	return full && d > 0 && d <= (int32_t)DENY_MAX ? (uint32_t)d : 0;
}

static bool budget_room(uint32_t full, uint32_t now, unsigned rate)
{
	unsigned step = DENY_MAX / rate;

	return budget_ahead(full, now) + step <= step * rate;
}

static void budget_take(uint32_t *full, uint32_t now, unsigned rate)
{
	*full = now + budget_ahead(*full, now) + DENY_MAX / rate;
}

static unsigned budget_rate(uint16_t v, unsigned def)
{
	return v == 0 ? def : v > DENY_MAX ? DENY_MAX : v;
}

static struct deny_src *deny_slot(struct mip4_ha *ha, uint32_t src)
{
	return &ha->deny_src[(src * 0x9e3779b1u) >> 22]; /* Fibonacci hash */
}

_Static_assert(DENY_SLOTS == 1u << (32 - 22), "deny_slot() shifts by 22");

/* Is there room for one more denial to mn from src, now? */
static bool deny_room(struct mip4_ha *ha, const struct mip4_ha_mn *mn,
		      uint32_t src, uint32_t now)
{
	const struct mip4_ha_cfg *c = &ha->cfg;
	const struct deny_src *s = deny_slot(ha, src);

	return budget_room(mn->deny_full, now,
			   budget_rate(c->deny_per_node, MIP4_HA_DENY_PER_NODE)) &&
	       (s->addr != src ||
		budget_room(s->full, now, budget_rate(c->deny_per_source,
						      MIP4_HA_DENY_PER_SOURCE))) &&
	       budget_room(ha->deny_full, now,
			   budget_rate(c->deny_total, MIP4_HA_DENY_TOTAL));
}

/* Take a token from each of the three buckets, if each has one. */
static bool deny_take(struct mip4_ha *ha, struct mip4_ha_mn *mn, uint32_t src,
		      uint32_t now)
{
	const struct mip4_ha_cfg *c = &ha->cfg;
	struct deny_src *s = deny_slot(ha, src);

	if (!deny_room(ha, mn, src, now))
		return false;
	if (s->addr != src)
		*s = (struct deny_src){.addr = src, .full = now};
	budget_take(&mn->deny_full, now,
		    budget_rate(c->deny_per_node, MIP4_HA_DENY_PER_NODE));
	budget_take(&s->full, now,
		    budget_rate(c->deny_per_source, MIP4_HA_DENY_PER_SOURCE));
	budget_take(&ha->deny_full, now,
		    budget_rate(c->deny_total, MIP4_HA_DENY_TOTAL));
	return true;
}

/*
 * Build the reply.  Extension order (RFC 5944 §3.8.3.3): NAI (RFC 2794
 * §3), the MN's UDP tunnel reply (RFC 3519 §3.2), TNC (RFC 5265 §3.4,
 * before MN-HA so that it is authenticated: DESIGN §7), MN-HA; then what
 * is the FA's: its UDP tunnel reply, and FA-HA when we share an SA.
 */
static void reply(struct mip4_ha *ha, const struct mip4_ha_rx *rx,
		  struct mip4_ha_result *res, const struct reply_ctx *rc,
		  uint8_t code, enum mip4_ha_counter c)
{
	struct mip4_buf b;
	struct mip4_rrp rrp = {
		.code = code,
		.lifetime = code <= 1 ? rc->lifetime : 0,
		.home_addr = rc->home_addr,
		.ha_addr = ha->cfg.addr,
		.id = rc->id,
	};
	/* RFC 3519 §3.2.1, §4.6: a UDP Tunnel Reply answers a request that
	 * is accepted; codes 0-63 mean "tunnelling will be done", which a
	 * denial cannot promise.  Denials carry none. */
	bool udp_rep = rc->udp_reply && code <= MIP4_CODE_ACCEPTED_NO_SIMUL;

	ha->counters[c]++;
	res->counter = c;
	res->code = code;
	mip4_buf_init(&b, res->reply, sizeof res->reply);
	mip4_rrp_put(&b, &rrp);
	if (rc->nai)
		mip4_ext_put_raw(&b, MIP4_EXT_NAI, rc->nai->data,
				 rc->nai->data_len);
	if (udp_rep && !rc->udp_from_fa)
		mip4_ext_put_udp_rep(&b, rc->udp_code, rc->udp_forced,
				     rc->udp_code < 64 ? ha->cfg.keepalive : 0);
	if (ha->cfg.flavour == MIP4_HA_INTERNAL)
		mip4_ext_put_tnc(&b);
	mip4_auth_append_ctx(ha->auth, &b, MIP4_EXT_MN_HA, &rc->mn->sa);
	if (udp_rep && rc->udp_from_fa)
		mip4_ext_put_udp_rep(&b, rc->udp_code, rc->udp_forced,
				     rc->udp_code < 64 ? ha->cfg.keepalive : 0);
	if (rc->fa)
		mip4_auth_append_ctx(ha->auth, &b, MIP4_EXT_FA_HA,
				     &rc->fa->sa);
	if (b.overflow) {
		res->send = false;
		return;
	}
	/* Nonces: every authenticated reply issues the next one (§5.7.2). */
	if (rc->mn->sa.replay == MIP4_REPLAY_NONCE) {
		rc->mn->replay.nonce = (uint32_t)(rc->id >> 32);
		rc->mn->replay.have_nonce = true;
	}
	res->send = true;
	res->reply_len = b.len;
	res->reply_dst = rx->src;
	res->reply_dport = rx->sport;
}

/* A denial anyone can provoke without a key (131, 132, 133): sent while
 * the budgets allow, else dropped and counted as `limited`. */
static void deny(struct mip4_ha *ha, const struct mip4_ha_rx *rx,
		 struct mip4_ha_result *res, const struct reply_ctx *rc,
		 uint8_t code, enum mip4_ha_counter c,
		 enum mip4_ha_counter limited)
{
	if (!deny_take(ha, rc->mn, rx->src, (uint32_t)rx->now_ms))
		return drop(ha, res, limited);
	reply(ha, rx, res, rc, code, c);
}

/* Does the request come from the address and port one of its node's
 * care-of addresses was registered from?  The node is the NAI's when the
 * request has one, else the home address's (as mn_lookup finds it). */
static bool from_registered_source(const struct mip4_ha *ha,
				   const struct mip4_msg *m,
				   const struct mip4_ext *nai,
				   const struct mip4_ha_rx *rx)
{
	const struct mip4_binding *b =
		nai ? mip4_btable_get_nai(ha->bt, (const char *)nai->data,
					  nai->data_len)
		    : mip4_btable_get(ha->bt, m->u.rrq.home_addr);
	struct mip4_coa c;

	for (size_t i = 0; b && i < mip4_binding_ncoa(b); i++) {
		mip4_binding_coa(b, i, &c);
		if (c.peer_addr == rx->src && c.peer_port == rx->sport)
			return true;
	}
	return false;
}

/* Is the request's FA-HA authenticator valid?  Computed once: *known is
 * -1 until then. */
static bool faha_valid(const struct mip4_ha_fa *fa, const struct mip4_msg *m,
		       const struct mip4_ext *faha, int *known)
{
	if (*known < 0)
		*known = fa && faha &&
			 mip4_auth_verify(&fa->sa, m, faha) == MIP4_AUTH_OK;
	return *known > 0;
}

/* RFC 2794: a home address for an NAI-identified MN. */
static uint32_t assign_home(struct mip4_ha *ha, const struct mip4_ha_mn *mn,
			    const struct mip4_ext *nai)
{
	const struct mip4_binding *b;
	uint32_t n;

	if (mn->home_addr)
		return mn->home_addr;
	b = mip4_btable_get_nai(ha->bt, (const char *)nai->data, nai->data_len);
	if (b)
		return b->home_addr;
	if (!ha->cfg.pool_first || ha->cfg.pool_last < ha->cfg.pool_first)
		return 0;
	/* Next free address after the last one handed out. */
	n = ha->cfg.pool_last - ha->cfg.pool_first + 1;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t a = ha->pool_next;

		ha->pool_next = a >= ha->cfg.pool_last ? ha->cfg.pool_first
						       : a + 1;
		if (!mip4_btable_get(ha->bt, a))
			return a;
	}
	return 0;
}

/* RFC 3519 §4.6: decide UDP tunnelling.  Returns a reply code to deny
 * with, or 0. */
static uint8_t udp_decide(const struct mip4_ha *ha, const struct mip4_ha_rx *rx,
			  const struct mip4_msg *m, struct reply_ctx *rc,
			  bool *use_udp)
{
	const struct mip4_ext *u = mip4_msg_find_ext(m, MIP4_EXT_UDP_TUN_REQ, -1);
	bool nat = rx->src != m->u.rrq.coa;
	bool from_fa, decap_by_mn;

	*use_udp = false;
	if (!u)
		return 0;
	/* §4.6.1, §3.1.5: the mobile node's request (before MN-HA) comes
	 * with D set, a foreign agent's (after MN-HA) without.  A request
	 * after MN-HA is not covered by the node's authenticator: with D
	 * set, anyone on the path could have appended it to a co-located
	 * node's registration to move its binding to a "NAT" address. */
	from_fa = mip4_msg_ext_index(m, MIP4_EXT_UDP_TUN_REQ) >
		  mip4_msg_ext_index(m, MIP4_EXT_MN_HA);
	decap_by_mn = (m->u.rrq.flags & MIP4_RRQ_D) != 0;
	if (from_fa == decap_by_mn)
		return MIP4_CODE_HA_POOR_REQUEST;
	if (!ha->cfg.udp_tunnel)
		return (nat || u->u.udp_req.force) ? MIP4_CODE_HA_PROHIBITED : 0;
	rc->udp_reply = true;
	rc->udp_from_fa = from_fa;
	if (!nat && !u->u.udp_req.force) {
		rc->udp_code = 64; /* declined: no NAT in the way */
		return 0;
	}
	if (!nat && !ha->cfg.udp_force_ok)
		return MIP4_CODE_HA_PROHIBITED;
	/* We tunnel IPv4 in UDP only (encapsulation 0 = default, 4 = IP). */
	if ((u->u.udp_req.encap != 0 && u->u.udp_req.encap != 4) ||
	    (m->u.rrq.flags & (MIP4_RRQ_M | MIP4_RRQ_G)))
		return MIP4_CODE_HA_UDP_ENCAP_UNAVAIL;
	rc->udp_code = 0;
	rc->udp_forced = !nat;
	*use_udp = true;
	return 0;
}

/* The request is accepted: its identification becomes the latest. */
static void accept_request(struct reply_ctx *rc, const struct mip4_msg *m,
			   const struct mip4_ha_rx *rx, struct mip4_ha_result *res)
{
	rc->id = mip4_replay_reply_id(&rc->mn->sa, m->u.rrq.id, true,
				      rx->now_ntp, rx->random);
	mip4_replay_accept(&rc->mn->replay, m->u.rrq.id);
	res->spi = rc->mn->sa.spi;
	res->accepted_id = m->u.rrq.id;
}

/*
 * RFC 5944 §3.8.2.2: lifetime 0 with the home address as care-of address
 * deletes every entry of the mobile node's binding list; with another
 * care-of address only that entry, whatever the S bit, and the others stay
 * active.  (A request naming the home address as care-of address with a
 * non-zero lifetime says the node is home: all go too.)  Deregistering an
 * address that is not registered changes nothing and is still accepted.
 */
static void deregister(struct mip4_ha *ha, struct mip4_binding *b,
		       const struct mip4_msg *m, uint32_t home,
		       struct mip4_ha_result *res)
{
	bool all = m->u.rrq.coa == m->u.rrq.home_addr || m->u.rrq.coa == home;
	int i;

	if (!b)
		return;
	i = all ? 0 : mip4_binding_coa_find(b, m->u.rrq.coa);
	if (i < 0)
		return;
	if (all || mip4_binding_ncoa(b) == 1) {
		mip4_btable_del(ha->bt, b);
		res->change = MIP4_HA_BIND_REMOVED;
		return;
	}
	(void)mip4_btable_coa_del(ha->bt, b, (size_t)i);
	res->binding = b;
	res->change = MIP4_HA_BIND_COA_REMOVED;
}

/* The request's NAI and mobile node into rc. */
static struct mip4_ha_mn *find_mn(struct mip4_ha *ha, const struct mip4_msg *m,
				  struct reply_ctx *rc)
{
	rc->req = m;
	rc->nai = mip4_msg_find_ext(m, MIP4_EXT_NAI, -1);
	rc->mn = ha->mn_lookup(ha->ctx, m->u.rrq.home_addr,
			       rc->nai ? (const char *)rc->nai->data : NULL,
			       rc->nai ? rc->nai->data_len : 0);
	return rc->mn;
}

/* Whether a request is a deregistration (§3.8.2.2). */
static bool is_dereg(const struct mip4_msg *m)
{
	return m->u.rrq.lifetime == 0 || m->u.rrq.coa == m->u.rrq.home_addr;
}

/* The M or G bit names an encapsulation we are configured for. */
static bool encap_ok(const struct mip4_ha_cfg *cfg, uint8_t flags)
{
	bool m = flags & MIP4_RRQ_M, g = flags & MIP4_RRQ_G;

	return m != g && ((m && cfg->minimal) || (g && cfg->gre));
}

/* The tunnel a request asks for. */
static uint8_t encap_of(uint8_t flags, bool use_udp)
{
	if (use_udp)
		return MIP4_ENCAP_UDP;
	if (flags & MIP4_RRQ_G)
		return MIP4_ENCAP_GRE;
	if (flags & MIP4_RRQ_M)
		return MIP4_ENCAP_MIN;
	return MIP4_ENCAP_IPIP;
}

static bool is_broadcast(const struct mip4_ha_cfg *cfg, uint32_t dst)
{
	return dst == 0xffffffffu ||
	       (cfg->home.mask && dst == (cfg->home.net | ~cfg->home.mask));
}

void mip4_ha_input(struct mip4_ha *ha, const struct mip4_ha_rx *rx,
		   struct mip4_ha_result *res)
{
	struct mip4_msg m;
	struct reply_ctx rc;
	const struct mip4_ext *mnha, *faha;
	const struct mip4_ha_fa *fa;
	struct mip4_binding *b;
	struct mip4_coa c;
	bool dereg, keep, use_udp;
	uint8_t code;
	int err, fa_ok = -1;

	memset(res, 0, sizeof *res);
	memset(&rc, 0, sizeof rc);
	ha->counters[MIP4_HA_RX]++;

	/* 1. source policy (RFC 5944 §3.8.2.1, RFC 5265 §4.3, §3.7) */
	if (rx->csum_bad)
		return drop(ha, res, MIP4_HA_DROP_CSUM);
	if (ha->cfg.flavour == MIP4_HA_INTERNAL &&
	    !mip4_prefix_match(ha->cfg.trusted, ha->cfg.n_trusted, rx->src))
		return drop(ha, res, MIP4_HA_DROP_UNTRUSTED);
	if (ha->cfg.flavour == MIP4_HA_EXTERNAL &&
	    mip4_prefix_match(ha->cfg.inside, ha->cfg.n_inside, rx->src))
		return drop(ha, res, MIP4_HA_DROP_INSIDE);

	/* 2. decode: every extension to the end (RFC 5944 §1.8) */
	if (rx->len < 1 || rx->data[0] != MIP4_MSG_RRQ)
		return drop(ha, res, MIP4_HA_DROP_NOT_RRQ);
	err = mip4_msg_decode(rx->data, rx->len, &m);
	if (err == MIP4_E_EXT_UNKNOWN)
		return drop(ha, res, MIP4_HA_DROP_UNKNOWN_EXT);
	if (err == MIP4_E_EXT_TOO_MANY)
		return drop(ha, res, MIP4_HA_DROP_TOO_MANY_EXT);
	if (err != MIP4_OK)
		return drop(ha, res, MIP4_HA_DROP_MALFORMED);
	res->home_addr = m.u.rrq.home_addr;

	/* 3. authentication (§3.8.2.1 a) */
	mnha = mip4_msg_find_ext(&m, MIP4_EXT_MN_HA, -1);
	if (!mnha)
		return drop(ha, res, MIP4_HA_DROP_NO_AUTH);
	if (!find_mn(ha, &m, &rc))
		return drop(ha, res, MIP4_HA_DROP_UNKNOWN_MN);
	if (mnha->u.auth.spi != rc.mn->sa.spi)
		return drop(ha, res, MIP4_HA_DROP_UNKNOWN_SPI);
	faha = mip4_msg_find_ext(&m, MIP4_EXT_FA_HA, -1);
	fa = ha->fa_lookup ? ha->fa_lookup(ha->ctx, rx->src) : NULL;
	/* A denial budget is spent: only what may be accepted is worth an
	 * HMAC (the comment at the top of this file). */
	if (!deny_room(ha, rc.mn, rx->src, (uint32_t)rx->now_ms) &&
	    !(fa && faha ? faha_valid(fa, &m, faha, &fa_ok)
			 : from_registered_source(ha, &m, rc.nai, rx) &&
				   mip4_replay_check(&rc.mn->sa, &rc.mn->replay,
						     m.u.rrq.id, rx->now_ntp) ==
					   MIP4_REPLAY_OK))
		return drop(ha, res, MIP4_HA_DROP_UNVERIFIED_LIMITED);
	rc.home_addr = m.u.rrq.home_addr;
	/* Denials echo the request's low 32 identification bits (§5.7) and
	 * the HA's own clock (timestamps) or a fresh nonce above them. */
	rc.id = mip4_replay_reply_id(&rc.mn->sa, m.u.rrq.id, false,
				     rx->now_ntp, rx->random);
	if (mip4_auth_verify_ctx(ha->auth, &rc.mn->sa, &m, mnha) !=
	    MIP4_AUTH_OK) {
		/* 131 with the MN's SA (DESIGN §7): a MUST when a valid FA-HA
		 * authenticator vouches for the request, else a MAY, within
		 * the budget. */
		if (faha_valid(fa, &m, faha, &fa_ok))
			return reply(ha, rx, res, &rc, MIP4_CODE_HA_MN_AUTH,
				     MIP4_HA_REJ_AUTH);
		return deny(ha, rx, res, &rc, MIP4_CODE_HA_MN_AUTH,
			    MIP4_HA_REJ_AUTH, MIP4_HA_DROP_131_LIMITED);
	}
	/* placement rules: only once the sender is known to be the MN */
	if (mip4_rrq_check_order(&m) != MIP4_OK) {
		reply(ha, rx, res, &rc, MIP4_CODE_HA_POOR_REQUEST,
		      MIP4_HA_REJ_POOR);
		return;
	}

	/* FA-HA (§3.8.2.1 c, d): required from an FA we share an SA with,
	 * except on deregistration; refused from any other. */
	dereg = is_dereg(&m);
	if (!fa && faha) {
		res->fa_spi = faha->u.auth.spi; /* for the operator's log */
		return drop(ha, res, MIP4_HA_DROP_FA_HA_NO_SA);
	}
	/* (a replayed request from a spoofed FA address provokes it) */
	if (fa && !dereg && !faha_valid(fa, &m, faha, &fa_ok))
		return deny(ha, rx, res, &rc, MIP4_CODE_HA_FA_AUTH,
			    MIP4_HA_REJ_FA_AUTH, MIP4_HA_DROP_132_LIMITED);
	/* §3.8.3.3 e: our replies to that FA carry FA-HA (never on a
	 * deregistration, §3.5.4). */
	if (fa && !dereg)
		rc.fa = fa;

	/* 4. replay (§3.8.2.1 b, §5.7); a captured request played again
	 * provokes a 133, so it is budgeted too */
	if (mip4_replay_check(&rc.mn->sa, &rc.mn->replay, m.u.rrq.id,
			      rx->now_ntp) != MIP4_REPLAY_OK)
		return deny(ha, rx, res, &rc, MIP4_CODE_HA_ID_MISMATCH,
			    MIP4_HA_REJ_ID, MIP4_HA_DROP_133_LIMITED);

	/* 5. request checks (§3.8.2.1, §3.8.2.3) */
	if (is_broadcast(&ha->cfg, rx->dst) || m.u.rrq.ha_addr != ha->cfg.addr) {
		reply(ha, rx, res, &rc, MIP4_CODE_HA_UNKNOWN_HA,
		      MIP4_HA_REJ_UNKNOWN_HA);
		return;
	}
	/* Reserved bits r and x: sent as zero, ignored on reception (§3.3;
	 * DESIGN §7 records the choice). */
	if ((m.u.rrq.flags & MIP4_RRQ_T) && !ha->cfg.reverse_tunnel) {
		reply(ha, rx, res, &rc, MIP4_CODE_HA_REVTUN_UNAVAIL,
		      MIP4_HA_REJ_REVTUN);
		return;
	}
	/* RFC 3024 §4.3: policy may insist on reverse tunnelling */
	if (!(m.u.rrq.flags & MIP4_RRQ_T) && ha->cfg.reverse_required &&
	    !dereg) {
		reply(ha, rx, res, &rc, MIP4_CODE_HA_REVTUN_MANDATORY,
		      MIP4_HA_REJ_REVTUN_MANDATORY);
		return;
	}
	code = udp_decide(ha, rx, &m, &rc, &use_udp);
	if (code) {
		reply(ha, rx, res, &rc, code,
		      code == MIP4_CODE_HA_PROHIBITED ? MIP4_HA_REJ_PROHIBITED
		      : code == MIP4_CODE_HA_POOR_REQUEST
			      ? MIP4_HA_REJ_POOR
			      : MIP4_HA_REJ_UDP_ENCAP);
		return;
	}
	/* IP-in-IP always (§4.1 MUST); GRE and minimal encapsulation, a
	 * MAY, when configured, else 139.  Both M and G at once name no
	 * single encapsulation: 139 too (RFC 5944 is silent on it). */
	if (!use_udp && (m.u.rrq.flags & (MIP4_RRQ_M | MIP4_RRQ_G)) &&
	    !encap_ok(&ha->cfg, m.u.rrq.flags)) {
		reply(ha, rx, res, &rc, MIP4_CODE_HA_ENCAP, MIP4_HA_REJ_ENCAP);
		return;
	}
	if (rc.home_addr == 0) {
		if (!rc.nai) {
			reply(ha, rx, res, &rc, MIP4_CODE_HA_POOR_REQUEST,
			      MIP4_HA_REJ_POOR);
			return;
		}
		rc.home_addr = assign_home(ha, rc.mn, rc.nai);
		if (!rc.home_addr) {
			reply(ha, rx, res, &rc, MIP4_CODE_HA_RESOURCES,
			      MIP4_HA_REJ_RESOURCES);
			return;
		}
	} else if (rc.mn->home_addr && rc.home_addr != rc.mn->home_addr) {
		reply(ha, rx, res, &rc, MIP4_CODE_HA_PROHIBITED,
		      MIP4_HA_REJ_PROHIBITED);
		return;
	}

	/* 6. the binding change (§3.8.2.2); replay state is committed only
	 * with an acceptance */
	rc.lifetime = m.u.rrq.lifetime < ha->cfg.max_lifetime
			      ? m.u.rrq.lifetime
			      : ha->cfg.max_lifetime;
	res->home_addr = rc.home_addr;
	res->coa = m.u.rrq.coa;
	b = mip4_btable_get(ha->bt, rc.home_addr);
	if (b) {
		res->old_coa = b->coa;
		res->old_ncoa = (uint8_t)mip4_binding_ncoa(b);
	}
	if (dereg) {
		deregister(ha, b, &m, rc.home_addr, res);
		accept_request(&rc, &m, rx, res);
		rc.lifetime = 0;
		reply(ha, rx, res, &rc, MIP4_CODE_ACCEPTED,
		      MIP4_HA_DEREGISTERED);
		return;
	}
	keep = (m.u.rrq.flags & MIP4_RRQ_S) != 0;
	/* §3.8.2.3: a home agent may limit simultaneous registrations */
	if (b && keep && mip4_binding_coa_find(b, m.u.rrq.coa) < 0 &&
	    mip4_binding_ncoa(b) >= (ha->cfg.max_coa && ha->cfg.max_coa < MIP4_HA_MAX_COA
					     ? ha->cfg.max_coa
					     : MIP4_HA_MAX_COA)) {
		reply(ha, rx, res, &rc, MIP4_CODE_HA_TOO_MANY,
		      MIP4_HA_REJ_TOO_MANY);
		return;
	}
	if (!b) {
		b = mip4_btable_add(ha->bt, rc.home_addr,
				    rc.nai ? (const char *)rc.nai->data : NULL,
				    rc.nai ? rc.nai->data_len : 0, 0);
		if (!b) {
			reply(ha, rx, res, &rc, MIP4_CODE_HA_RESOURCES,
			      MIP4_HA_REJ_RESOURCES);
			return;
		}
		res->change = MIP4_HA_BIND_ADDED;
	} else {
		res->change = MIP4_HA_BIND_UPDATED;
	}
	/* RFC 3519 §4.6: behind a NAT the effective care-of address is the
	 * request's source: the data plane sends UDP tunnels to peer_addr
	 * and port; coa keeps what the MN registered, for operators. */
	c = (struct mip4_coa){
		.expires_ms = rx->now_ms + (uint64_t)rc.lifetime * 1000,
		.coa = m.u.rrq.coa,
		.peer_addr = rx->src,
		.peer_port = rx->sport,
		.lifetime = rc.lifetime,
		.keepalive = use_udp ? ha->cfg.keepalive : 0,
		.encap = encap_of(m.u.rrq.flags, use_udp),
	};
	/* S set: keep the other care-of addresses; clear: replace them
	 * all (§3.8.2.2).  Only adding one allocates; a fresh binding takes
	 * it as its first, which cannot fail. */
	/* a renewal in place changes nothing but the expiry */
	res->renewal_only = res->change == MIP4_HA_BIND_UPDATED &&
			    res->old_ncoa == 1 && b->coa == c.coa &&
			    b->peer_addr == c.peer_addr &&
			    b->peer_port == c.peer_port && b->encap == c.encap &&
			    b->keepalive == c.keepalive &&
			    b->flags == m.u.rrq.flags &&
			    b->spi == rc.mn->sa.spi;
	if (mip4_btable_coa_put(ha->bt, b, &c, keep) < 0) {
		res->change = MIP4_HA_NO_CHANGE;
		res->renewal_only = false;
		reply(ha, rx, res, &rc, MIP4_CODE_HA_RESOURCES,
		      MIP4_HA_REJ_RESOURCES);
		return;
	}
	b->flags = m.u.rrq.flags;
	b->spi = rc.mn->sa.spi;
	b->last_id = m.u.rrq.id;
	res->binding = b;
	accept_request(&rc, &m, rx, res);
	/* Code 0: we support simultaneous bindings (§3.8.2.2, §3.8.3.2). */
	reply(ha, rx, res, &rc, MIP4_CODE_ACCEPTED, MIP4_HA_ACCEPTED);
}

void mip4_ha_refuse(struct mip4_ha *ha, const struct mip4_ha_rx *rx,
		    struct mip4_ha_result *res)
{
	struct mip4_msg m;
	struct reply_ctx rc;
	const struct mip4_ha_fa *fa;

	if (!res->send || res->code > MIP4_CODE_ACCEPTED_NO_SIMUL)
		return;
	memset(&rc, 0, sizeof rc);
	/* it decoded and its node was found a moment ago */
	if (mip4_msg_decode(rx->data, rx->len, &m) != MIP4_OK ||
	    !find_mn(ha, &m, &rc)) {
		res->send = false;
		return;
	}
	ha->counters[res->counter]--;
	rc.home_addr = m.u.rrq.home_addr;
	rc.id = mip4_replay_reply_id(&rc.mn->sa, m.u.rrq.id, false,
				     rx->now_ntp, rx->random);
	fa = ha->fa_lookup ? ha->fa_lookup(ha->ctx, rx->src) : NULL;
	if (fa && !is_dereg(&m))
		rc.fa = fa;
	reply(ha, rx, res, &rc, MIP4_CODE_HA_RESOURCES, MIP4_HA_REJ_NOT_STORED);
	res->renewal_only = false;
}
