/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Foreign agent: advertisements, request/reply relaying, pending and
 * visitor lists (RFC 5944 §2.3, §3.7, §4.2.2; RFC 3024; RFC 3519 §4.5;
 * RFC 2794 §3).  One funnel per direction: sanity -> decode -> MN-FA or
 * FA-HA authentication -> checks in the order RFC 3024 §4.2.1 gives ->
 * relay, with a named counter for every outcome.
 *
 * What of RFC 5944 §3.7 is not implemented, and why:
 *  - Co-located care-of addresses registering through us (D set, the 'R'
 *    bit): denied with 64 and R is never advertised.  Such MNs need no
 *    decapsulation from us, and relaying them well needs the RFC 3519 'R'
 *    flag handling; nobody in the RFC 5265 scenario asks for it.
 *  - Reserved bits r and x in a request: ignored, not refused with 70
 *    (§3.7.2.1 says reject, §3.3 says ignore; DESIGN §7 chose "ignore" for
 *    the HA and the FA follows so both agents judge a request alike).
 *  - Several pending requests for one home address (§3.7.3.1 NAI
 *    disambiguation): one pending request per home address (per NAI when
 *    it is 0); a newer request replaces the older, whose reply the MN would
 *    ignore anyway (§3.6.2.1: low 32 bits of the identification).
 *  - Minimal and GRE encapsulation (M, G): not offered, denied with 72.
 *    Revocation (X, RFC 3543), regional registration (I), RFC 4721
 *    challenges and AAA: not implemented; the extensions are stripped.
 *  - Serving as the MN's home agent when the Home Agent field is one of
 *    our addresses: handed back to the caller (counter to-local-home-agent)
 *    when 'H' is configured, for the daemon's mip4_ha_input; 194 otherwise.
 *    A Home Agent field of 0 / broadcast / multicast (RFC 4433 dynamic HA
 *    discovery) is denied with 194.
 *  - ICMP errors for relayed requests map to 80..88 only if the daemon
 *    passes the quoted request (mip4_fa_ha_unreachable); the library does
 *    not see ICMP itself.
 *  - Proxy/gratuitous ARP and the neighbour entry for a visitor (§4.2.2:
 *    never broadcast ARP for a visitor) are the daemon's: the visitor
 *    carries the MAC taken from the request.
 *  - A Registration Reply with lifetime 0 (denial, deregistration) is
 *    accepted without FA-HA even when we share an SA with the HA: §3.7.1
 *    requires the check "when the Registration Reply has nonzero
 *    Lifetime", and §3.5.4 forbids FA-HA on deregistrations.
 *
 * Pending timeout: 7 s, the figure of §3.7.1.  The MN's first
 * retransmission comes after >= 1 s and doubles (§3.6.3), so a relayed
 * request unanswered for 7 s has seen the MN give up on it at least twice;
 * each retransmission (a new request) restarts the entry's timer, so a
 * slow but working HA is not cut off, while a silent one yields a 78
 * well before the MN's maximum back-off.  A requested lifetime shorter
 * than that bounds the entry instead, silently (§3.7.2.2, §3.7).
 */
#include "mip4/fa.h"

#include <stdlib.h>
#include <string.h>

#define WHEEL_BITS 10
#define WHEEL_SLOTS (1u << WHEEL_BITS) /* one-second slots: ~17 min */
#define WHEEL_MASK (WHEEL_SLOTS - 1)
#define RATE_SLOTS 64u		       /* denial rate limiter, by MAC */
#define ALL_SYSTEMS 0xe0000001u	       /* 224.0.0.1 */
#define BROADCAST 0xffffffffu

/* A deadline in the timer wheel; owner is the pending or visitor entry. */
struct fa_timer {
	struct fa_timer *prev, *next;
	void *owner;
	uint64_t due_ms;
	uint16_t slot;
	bool linked;
	bool is_visitor;
};

struct fa_visitor {
	struct fa_timer tm;
	struct fa_visitor *hnext; /* hash chain, or free list */
	bool used;
	struct mip4_fa_visitor v;
};

/* A relayed request awaiting its reply (§3.7.1). */
struct fa_pending {
	struct fa_timer tm;
	struct fa_pending *hnext;
	bool used;
	uint32_t key;	    /* home address, or NAI hash when it is 0 */
	uint32_t home_addr; /* 0: keyed by NAI (RFC 2794 §3) */
	uint8_t nai_len;
	char nai[256];
	uint8_t mac[MIP4_MAC_LEN];
	uint32_t mn_src, mn_dst;
	uint16_t mn_port;
	uint64_t id;
	uint32_t ha, coa;
	uint16_t lifetime;
	uint8_t flags;
	bool encap_delivery;
	bool udp_requested; /* we added an RFC 3519 UDP tunnel request */
	bool lifetime_bound; /* deadline is the requested lifetime */
};

struct fa_rate {
	uint8_t mac[MIP4_MAC_LEN];
	bool used;
	uint64_t last_ms;
};

struct mip4_fa {
	struct mip4_fa_cfg cfg;
	mip4_fa_mn_sa_fn mn_sa;
	mip4_fa_ha_sa_fn ha_sa;
	void *ctx;
	unsigned max_pending, max_visitors;
	uint32_t pending_timeout_ms;
	/* visitors: pool, free list, hash by home address */
	struct fa_visitor *vpool, *vfree, **vbkt;
	unsigned vbits;
	size_t nvis;
	/* pending: pool, free list, hash by home address or NAI */
	struct fa_pending *ppool, *pfree, **pbkt;
	unsigned pbits;
	size_t npend;
	/* one timer wheel for both */
	struct fa_timer *wheel[WHEEL_SLOTS];
	uint64_t cursor_s;
	bool cursor_set;
	/* advertisements */
	uint16_t seq;
	bool adv_sent;
	uint64_t last_adv_ms, next_adv_ms;
	uint64_t last_sol_ms; /* last solicited answer (0: none yet) */
	uint32_t rng;
	struct fa_rate rate[RATE_SLOTS];
	uint64_t counters[MIP4_FA_NCOUNTERS];
	uint64_t codes[256];
};

static const char *const counter_names[MIP4_FA_NCOUNTERS] = {
	[MIP4_FA_RX_REQUESTS] = "requests",
	[MIP4_FA_RX_REPLIES] = "replies",
	[MIP4_FA_RELAYED_REQUESTS] = "relayed-requests",
	[MIP4_FA_RELAYED_ACCEPTS] = "relayed-accepted",
	[MIP4_FA_RELAYED_DEREG] = "relayed-deregistered",
	[MIP4_FA_RELAYED_DENIALS] = "relayed-denied",
	[MIP4_FA_VISITORS_EXPIRED] = "visitors-expired",
	[MIP4_FA_PENDING_EXPIRED] = "pending-lifetime-expired",
	[MIP4_FA_ADVERTISEMENTS] = "advertisements",
	[MIP4_FA_SOL_ANSWERED] = "solicitations-answered",
	[MIP4_FA_SOL_RATE_LIMITED] = "solicitations-deferred",
	[MIP4_FA_TO_LOCAL_HA] = "to-local-home-agent",
	[MIP4_FA_DROP_SOL] = "drop-bad-solicitation",
	[MIP4_FA_DROP_CSUM] = "drop-bad-checksum",
	[MIP4_FA_DROP_NOT_RRQ] = "drop-not-request",
	[MIP4_FA_DROP_TRUNCATED] = "drop-truncated",
	[MIP4_FA_DROP_UNKNOWN_EXT] = "drop-unknown-extension",
	[MIP4_FA_DROP_RATE_LIMIT] = "drop-denial-rate-limited",
	[MIP4_FA_DROP_TOO_BIG] = "drop-too-big",
	[MIP4_FA_DROP_NOT_RRP] = "drop-not-reply",
	[MIP4_FA_DROP_BAD_REPLY] = "drop-malformed-reply",
	[MIP4_FA_DROP_NO_PENDING] = "drop-no-pending-request",
	[MIP4_FA_DROP_ID] = "drop-id-mismatch",
	[MIP4_FA_DROP_ICMP] = "drop-icmp-unmatched",
	[MIP4_FA_REJ_COLOCATED] = "reject-64-colocated",
	[MIP4_FA_REJ_PROHIBITED] = "reject-65-prohibited",
	[MIP4_FA_REJ_PENDING_FULL] = "reject-66-pending-full",
	[MIP4_FA_REJ_VISITORS_FULL] = "reject-66-visitors-full",
	[MIP4_FA_REJ_MN_AUTH] = "reject-67-mn-fa-auth",
	[MIP4_FA_REJ_HA_AUTH] = "reject-68-fa-ha-auth",
	[MIP4_FA_REJ_LIFETIME] = "reject-69-lifetime",
	[MIP4_FA_REJ_MALFORMED] = "reject-70-malformed",
	[MIP4_FA_REJ_ORDER] = "reject-70-extension-order",
	[MIP4_FA_REJ_NO_MN_HA] = "reject-70-no-mn-ha",
	[MIP4_FA_REJ_NO_ID] = "reject-70-no-home-address-or-nai",
	[MIP4_FA_REJ_POOR_REPLY] = "reject-71-poorly-formed-reply",
	[MIP4_FA_REJ_ENCAP] = "reject-72-encapsulation",
	[MIP4_FA_REJ_REVTUN] = "reject-74-reverse-tunnel",
	[MIP4_FA_REJ_REVTUN_REQUIRED] = "reject-75-reverse-tunnel-required",
	[MIP4_FA_REJ_TOO_DISTANT] = "reject-76-too-distant",
	[MIP4_FA_REJ_COA] = "reject-77-care-of-address",
	[MIP4_FA_REJ_TIMEOUT] = "reject-78-timeout",
	[MIP4_FA_REJ_DELIVERY] = "reject-79-delivery-style",
	[MIP4_FA_REJ_HA_UNREACH] = "reject-8x-ha-unreachable",
	[MIP4_FA_REJ_MISSING_NAI] = "reject-97-missing-nai",
	[MIP4_FA_REJ_MISSING_HA] = "reject-98-missing-home-agent",
	[MIP4_FA_REJ_MISSING_HOME] = "reject-99-missing-home-address",
	[MIP4_FA_REJ_HA_ADDR] = "reject-194-home-agent-address",
};

const char *mip4_fa_counter_name(enum mip4_fa_counter c)
{
	return (unsigned)c < MIP4_FA_NCOUNTERS ? counter_names[c] : "unknown";
}

/* ---- hashing ---- */

static uint32_t fnv(const void *p, size_t n)
{
	const uint8_t *s = p;
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 16777619u;
	}
	return h;
}

/* Fibonacci hashing spreads consecutive home addresses evenly. */
static size_t bucket(uint32_t key, unsigned bits)
{
	return (size_t)((key * 2654435769u) >> (32 - bits));
}

static unsigned bits_for(unsigned n)
{
	unsigned bits = 4;

	while (bits < 24 && (1u << bits) < 2 * n)
		bits++;
	return bits;
}

/* ---- timer wheel ---- */

static void timer_unlink(struct mip4_fa *fa, struct fa_timer *t)
{
	if (!t->linked)
		return;
	if (t->prev)
		t->prev->next = t->next;
	else
		fa->wheel[t->slot] = t->next;
	if (t->next)
		t->next->prev = t->prev;
	t->prev = t->next = NULL;
	t->linked = false;
}

/* File t under its due second; UINT64_MAX (infinite lifetime) is never
 * filed.  Entries beyond the wheel's horizon stay in their slot and are
 * looked at once per lap. */
static void timer_set(struct mip4_fa *fa, struct fa_timer *t, uint64_t due_ms)
{
	uint64_t s = due_ms / 1000;
	struct fa_timer **slot;

	timer_unlink(fa, t);
	t->due_ms = due_ms;
	if (due_ms == UINT64_MAX)
		return;
	if (!fa->cursor_set) {
		fa->cursor_s = s;
		fa->cursor_set = true;
	}
	if (s < fa->cursor_s)
		s = fa->cursor_s;
	t->slot = (uint16_t)(s & WHEEL_MASK);
	slot = &fa->wheel[t->slot];
	t->prev = NULL;
	t->next = *slot;
	if (*slot)
		(*slot)->prev = t;
	*slot = t;
	t->linked = true;
}

/* ---- creation ---- */

static bool cfg_ok(const struct mip4_fa_cfg *cfg)
{
	return cfg->n_coa >= 1 && cfg->n_coa <= MIP4_FA_MAX_COA &&
	       cfg->n_allowed <= MIP4_FA_MAX_PREFIX && cfg->prefix_len <= 32;
}

struct mip4_fa *mip4_fa_new(const struct mip4_fa_cfg *cfg,
			    mip4_fa_mn_sa_fn mn_sa, mip4_fa_ha_sa_fn ha_sa,
			    void *ctx)
{
	struct mip4_fa *fa;

	if (!cfg_ok(cfg))
		return NULL;
	fa = calloc(1, sizeof *fa);
	if (!fa)
		return NULL;
	fa->cfg = *cfg;
	fa->mn_sa = mn_sa;
	fa->ha_sa = ha_sa;
	fa->ctx = ctx;
	fa->max_pending = cfg->max_pending ? cfg->max_pending
					   : MIP4_FA_DEFAULT_MAX_PENDING;
	fa->max_visitors = cfg->max_visitors ? cfg->max_visitors
					     : MIP4_FA_DEFAULT_MAX_VISITORS;
	fa->pending_timeout_ms = cfg->pending_timeout_ms
					 ? cfg->pending_timeout_ms
					 : MIP4_FA_PENDING_TIMEOUT_MS;
	fa->vbits = bits_for(fa->max_visitors);
	fa->pbits = bits_for(fa->max_pending);
	fa->vpool = calloc(fa->max_visitors, sizeof *fa->vpool);
	fa->ppool = calloc(fa->max_pending, sizeof *fa->ppool);
	fa->vbkt = calloc((size_t)1 << fa->vbits, sizeof(struct fa_visitor *));
	fa->pbkt = calloc((size_t)1 << fa->pbits, sizeof(struct fa_pending *));
	if (!fa->vpool || !fa->ppool || !fa->vbkt || !fa->pbkt) {
		mip4_fa_free(fa);
		return NULL;
	}
	for (unsigned i = fa->max_visitors; i-- > 0;) {
		fa->vpool[i].tm.owner = &fa->vpool[i];
		fa->vpool[i].tm.is_visitor = true;
		fa->vpool[i].hnext = fa->vfree;
		fa->vfree = &fa->vpool[i];
	}
	for (unsigned i = fa->max_pending; i-- > 0;) {
		fa->ppool[i].tm.owner = &fa->ppool[i];
		fa->ppool[i].hnext = fa->pfree;
		fa->pfree = &fa->ppool[i];
	}
	fa->rng = cfg->seed ? cfg->seed : 0x9e3779b9u;
	return fa;
}

void mip4_fa_free(struct mip4_fa *fa)
{
	if (!fa)
		return;
	free(fa->vpool);
	free(fa->ppool);
	free(fa->vbkt);
	free(fa->pbkt);
	free(fa);
}

int mip4_fa_set_cfg(struct mip4_fa *fa, const struct mip4_fa_cfg *cfg)
{
	if (!cfg_ok(cfg))
		return -1;
	fa->cfg = *cfg;
	if (cfg->pending_timeout_ms)
		fa->pending_timeout_ms = cfg->pending_timeout_ms;
	return 0;
}

const uint64_t *mip4_fa_counters(const struct mip4_fa *fa)
{
	return fa->counters;
}

const uint64_t *mip4_fa_reply_codes(const struct mip4_fa *fa)
{
	return fa->codes;
}

size_t mip4_fa_visitor_count(const struct mip4_fa *fa)
{
	return fa->nvis;
}

size_t mip4_fa_pending_count(const struct mip4_fa *fa)
{
	return fa->npend;
}

/* ---- addresses ---- */

static bool is_our_coa(const struct mip4_fa *fa, uint32_t a)
{
	for (unsigned i = 0; i < fa->cfg.n_coa; i++)
		if (fa->cfg.coa[i] == a)
			return true;
	return false;
}

static bool is_ours(const struct mip4_fa *fa, uint32_t a)
{
	return a == fa->cfg.addr || is_our_coa(fa, a);
}

static bool not_unicast(uint32_t a)
{
	return a == 0 || a == BROADCAST || (a >> 28) == 0xe ||
	       (a >> 24) == 127;
}

/* §3.7.2.3: reply from the address the MN sent to, unless it was a
 * multicast or broadcast one. */
static uint32_t reply_src(const struct mip4_fa *fa, uint32_t mn_dst)
{
	return not_unicast(mn_dst) ? fa->cfg.addr : mn_dst;
}

/* ---- visitors ---- */

static struct fa_visitor *visitor_find(const struct mip4_fa *fa, uint32_t home)
{
	struct fa_visitor *e = fa->vbkt[bucket(home, fa->vbits)];

	while (e && e->v.home_addr != home)
		e = e->hnext;
	return e;
}

const struct mip4_fa_visitor *mip4_fa_visitor_get(const struct mip4_fa *fa,
						  uint32_t home_addr)
{
	const struct fa_visitor *e = visitor_find(fa, home_addr);

	return e ? &e->v : NULL;
}

const struct mip4_fa_visitor *mip4_fa_reverse_lookup(const struct mip4_fa *fa,
						     uint32_t src,
						     const uint8_t *mac)
{
	const struct fa_visitor *e = visitor_find(fa, src);

	if (!e || e->v.delivery == MIP4_FA_DELIVERY_NONE ||
	    memcmp(e->v.mac, mac, MIP4_MAC_LEN) != 0)
		return NULL;
	return &e->v;
}

int mip4_fa_foreach_visitor(const struct mip4_fa *fa,
			    int (*fn)(void *ctx, const struct mip4_fa_visitor *v),
			    void *ctx)
{
	for (unsigned i = 0; i < fa->max_visitors; i++) {
		int r;

		if (!fa->vpool[i].used)
			continue;
		r = fn(ctx, &fa->vpool[i].v);
		if (r)
			return r;
	}
	return 0;
}

bool mip4_fa_visitor_walk(const struct mip4_fa *fa, uint64_t *pos, size_t max,
			  void (*fn)(void *ctx, const struct mip4_fa_visitor *v),
			  void *ctx)
{
	uint64_t i = *pos;

	for (; i < fa->max_visitors && max > 0; i++, max--)
		if (fa->vpool[i].used)
			fn(ctx, &fa->vpool[i].v);
	*pos = i;
	return i < fa->max_visitors;
}

static struct fa_visitor *visitor_add(struct mip4_fa *fa, uint32_t home)
{
	struct fa_visitor *e = fa->vfree;
	size_t k;

	if (!e)
		return NULL;
	fa->vfree = e->hnext;
	memset(&e->v, 0, sizeof e->v);
	e->used = true;
	e->v.home_addr = home;
	k = bucket(home, fa->vbits);
	e->hnext = fa->vbkt[k];
	fa->vbkt[k] = e;
	fa->nvis++;
	return e;
}

static void visitor_del(struct mip4_fa *fa, struct fa_visitor *e)
{
	struct fa_visitor **pp = &fa->vbkt[bucket(e->v.home_addr, fa->vbits)];

	while (*pp && *pp != e)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = e->hnext;
	timer_unlink(fa, &e->tm);
	e->used = false;
	e->hnext = fa->vfree;
	fa->vfree = e;
	fa->nvis--;
}

/* ---- pending requests ---- */

static struct fa_pending *pending_find(const struct mip4_fa *fa, uint32_t home,
				       const char *nai, size_t nai_len)
{
	struct fa_pending *p;
	uint32_t key;

	if (home)
		key = home;
	else if (nai)
		key = fnv(nai, nai_len);
	else
		return NULL;
	for (p = fa->pbkt[bucket(key, fa->pbits)]; p; p = p->hnext) {
		if (p->home_addr != home || p->key != key)
			continue;
		if (home || (p->nai_len == nai_len &&
			     memcmp(p->nai, nai, nai_len) == 0))
			return p;
	}
	return NULL;
}

static struct fa_pending *pending_add(struct mip4_fa *fa, uint32_t home,
				      const char *nai, size_t nai_len)
{
	struct fa_pending *p = fa->pfree;
	size_t k;

	if (!p)
		return NULL;
	fa->pfree = p->hnext;
	p->used = true;
	p->home_addr = home;
	p->key = home ? home : fnv(nai, nai_len);
	k = bucket(p->key, fa->pbits);
	p->hnext = fa->pbkt[k];
	fa->pbkt[k] = p;
	fa->npend++;
	return p;
}

static void pending_del(struct mip4_fa *fa, struct fa_pending *p)
{
	struct fa_pending **pp = &fa->pbkt[bucket(p->key, fa->pbits)];

	while (*pp && *pp != p)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = p->hnext;
	timer_unlink(fa, &p->tm);
	p->used = false;
	p->hnext = fa->pfree;
	fa->pfree = p;
	fa->npend--;
}

/* ---- replies to the mobile node ---- */

static const struct mip4_sa *mn_sa_lookup(const struct mip4_fa *fa,
					  uint32_t home, const char *nai,
					  size_t nai_len, uint32_t spi)
{
	return fa->mn_sa ? fa->mn_sa(fa->ctx, home, nai, nai_len, spi) : NULL;
}

/* Address a reply to the MN (§3.7.2.3) and count its code. */
static void to_mn(struct mip4_fa *fa, struct mip4_fa_out *out, uint32_t home,
		  uint32_t mn_dst, uint16_t mn_port, const uint8_t *mac,
		  uint8_t code, size_t len)
{
	out->send = true;
	out->to_mn = true;
	out->code = code;
	out->len = len;
	out->dst = home ? home : BROADCAST;
	out->src = reply_src(fa, mn_dst);
	out->sport = MIP4_PORT;
	out->dport = mn_port;
	memcpy(out->mac, mac, MIP4_MAC_LEN);
	fa->codes[code]++;
}

/* Build a denial of our own.  Home Address, Home Agent and Identification
 * come from the request (§3.7.2.3); the NAI too (RFC 2794), so an MN with
 * home address 0 recognises it; MN-FA when we share an SA (§3.7.1). */
static void deny_build(struct mip4_fa_out *out, const struct mip4_rrp *rrp,
		       const char *nai,
		       size_t nai_len, const struct mip4_sa *sa)
{
	struct mip4_buf b;

	mip4_buf_init(&b, out->buf, sizeof out->buf);
	mip4_rrp_put(&b, rrp);
	if (nai_len)
		mip4_ext_put_raw(&b, MIP4_EXT_NAI, nai, nai_len);
	if (sa)
		mip4_auth_append(&b, MIP4_EXT_MN_FA, sa);
	out->len = b.overflow ? 0 : b.len;
}

/* At most one denial per second to one mobile node (§3.7.2, RFC 3024
 * §4.2.1), keyed by its link-layer address in a small direct-mapped
 * table: a collision can only let an extra denial through. */
static bool denial_allowed(struct mip4_fa *fa, const uint8_t *mac,
			   uint64_t now_ms)
{
	struct fa_rate *r = &fa->rate[fnv(mac, MIP4_MAC_LEN) % RATE_SLOTS];

	if (r->used && memcmp(r->mac, mac, MIP4_MAC_LEN) == 0 &&
	    now_ms < r->last_ms + 1000)
		return false;
	r->used = true;
	memcpy(r->mac, mac, MIP4_MAC_LEN);
	r->last_ms = now_ms;
	return true;
}

static void drop(struct mip4_fa *fa, struct mip4_fa_out *out,
		 enum mip4_fa_counter c)
{
	fa->counters[c]++;
	out->counter = c;
	out->send = false;
}

/* Deny a request from the MN (it is not relayed). */
static void deny(struct mip4_fa *fa, const struct mip4_fa_rx *rx,
		 const struct mip4_rrq *q, const struct mip4_ext *nai,
		 const struct mip4_sa *sa, uint8_t code,
		 enum mip4_fa_counter c, struct mip4_fa_out *out)
{
	struct mip4_rrp rrp = {
		.code = code,
		.lifetime = code == MIP4_CODE_FA_LIFETIME ? fa->cfg.max_lifetime
							  : q->lifetime,
		.home_addr = q->home_addr,
		.ha_addr = q->ha_addr,
		.id = q->id,
	};

	fa->counters[c]++;
	out->counter = c;
	out->code = code;
	if (!denial_allowed(fa, rx->mac, rx->now_ms)) {
		fa->counters[MIP4_FA_DROP_RATE_LIMIT]++;
		return;
	}
	deny_build(out, &rrp, nai ? (const char *)nai->data : NULL,
		   nai ? nai->data_len : 0, sa);
	if (!out->len)
		return;
	to_mn(fa, out, q->home_addr, rx->dst, rx->sport, rx->mac, code,
	      out->len);
}

/* Deny on behalf of a pending request (68, 71, 78, 80..88) and forget it. */
static void deny_pending(struct mip4_fa *fa, struct fa_pending *p, uint8_t code,
			 enum mip4_fa_counter c, struct mip4_fa_out *out)
{
	struct mip4_rrp rrp = {
		.code = code,
		.lifetime = p->lifetime,
		.home_addr = p->home_addr,
		.ha_addr = p->ha,
		.id = p->id,
	};
	const struct mip4_sa *sa = mn_sa_lookup(fa, p->home_addr, p->nai,
						p->nai_len, 0);

	fa->counters[c]++;
	out->counter = c;
	out->code = code;
	out->ha = p->ha;
	deny_build(out, &rrp, p->nai, p->nai_len, sa);
	if (out->len)
		to_mn(fa, out, p->home_addr, p->mn_dst, p->mn_port, p->mac,
		      code, out->len);
	pending_del(fa, p);
}

/* ---- requests from mobile nodes (§3.7.2) ---- */

static unsigned ext_count(const struct mip4_msg *m, uint8_t type)
{
	unsigned n = 0;

	for (unsigned i = 0; i < m->n_ext; i++)
		n += m->ext[i].type == type;
	return n;
}

/* The last authorization-enabling extension: MN-HA, or the generalized
 * MN-AAA authentication (RFC 4721 sub-type 1).  Everything after it is
 * for us and is consumed (§3.7.2.2). */
static const struct mip4_ext *auth_end(const struct mip4_msg *m)
{
	const struct mip4_ext *last = NULL;

	for (unsigned i = 0; i < m->n_ext; i++)
		if (m->ext[i].type == MIP4_EXT_MN_HA ||
		    (m->ext[i].type == MIP4_EXT_GEN_AUTH &&
		     m->ext[i].subtype == 1))
			last = &m->ext[i];
	return last;
}

/* The checks of §3.7.2.1 and RFC 3024 §4.2.1 after authentication, in
 * RFC 3024's order for the reverse tunnel ones.  0 when the request may
 * be relayed. */
static uint8_t request_checks(const struct mip4_fa *fa,
			      const struct mip4_fa_rx *rx, struct mip4_msg *m,
			      const struct mip4_ext *nai,
			      enum mip4_fa_counter *c)
{
	const struct mip4_rrq *q = &m->u.rrq;
	bool dereg = q->lifetime == 0;
	bool t = q->flags & MIP4_RRQ_T;

#define REJECT(code, counter)                                                  \
	do {                                                                   \
		*c = (counter);                                                \
		return (code);                                                 \
	} while (0)
	if (mip4_rrq_check_order(m) != MIP4_OK)
		REJECT(MIP4_CODE_FA_POOR_REQUEST, MIP4_FA_REJ_ORDER);
	if (!auth_end(m))
		REJECT(MIP4_CODE_FA_POOR_REQUEST, MIP4_FA_REJ_NO_MN_HA);
	if (!q->home_addr && !nai)
		REJECT(MIP4_CODE_FA_POOR_REQUEST, MIP4_FA_REJ_NO_ID);
	if (q->flags & MIP4_RRQ_D)
		REJECT(MIP4_CODE_FA_UNSPECIFIED, MIP4_FA_REJ_COLOCATED);
	if (!dereg && !is_our_coa(fa, q->coa))
		REJECT(MIP4_CODE_FA_INVALID_COA, MIP4_FA_REJ_COA);
	if (not_unicast(q->ha_addr) || is_ours(fa, q->ha_addr))
		REJECT(MIP4_CODE_FA_INVALID_HA, MIP4_FA_REJ_HA_ADDR);
	if (fa->cfg.n_allowed && q->home_addr &&
	    !mip4_prefix_match(fa->cfg.allowed, fa->cfg.n_allowed,
			       q->home_addr))
		REJECT(MIP4_CODE_FA_PROHIBITED, MIP4_FA_REJ_PROHIBITED);
	if (!dereg && q->lifetime > fa->cfg.max_lifetime)
		REJECT(MIP4_CODE_FA_LIFETIME, MIP4_FA_REJ_LIFETIME);
	if (q->flags & (MIP4_RRQ_M | MIP4_RRQ_G))
		REJECT(MIP4_CODE_FA_ENCAP, MIP4_FA_REJ_ENCAP);
	if (mip4_msg_find_ext(m, MIP4_EXT_ENCAP_DELIVERY, -1) &&
	    !fa->cfg.encap_delivery)
		REJECT(MIP4_CODE_FA_DELIVERY_STYLE, MIP4_FA_REJ_DELIVERY);
	if (!dereg && !t && fa->cfg.reverse_tunnel_required)
		REJECT(MIP4_CODE_FA_REVTUN_MANDATORY,
		       MIP4_FA_REJ_REVTUN_REQUIRED);
	if (t && rx->ttl != 255)
		REJECT(MIP4_CODE_FA_TOO_DISTANT, MIP4_FA_REJ_TOO_DISTANT);
	if (t && !fa->cfg.reverse_tunnel)
		REJECT(MIP4_CODE_FA_REVTUN_UNAVAIL, MIP4_FA_REJ_REVTUN);
#undef REJECT
	return 0;
}

void mip4_fa_from_mn(struct mip4_fa *fa, const struct mip4_fa_rx *rx,
		     struct mip4_fa_out *out)
{
	struct mip4_msg m;
	const struct mip4_rrq *q = &m.u.rrq;
	const struct mip4_ext *nai, *mnfa, *end;
	const struct mip4_sa *mnsa = NULL, *hasa;
	const char *nai_s = NULL;
	size_t nai_len = 0;
	enum mip4_fa_counter c = MIP4_FA_RX_REQUESTS;
	struct fa_pending *p;
	struct mip4_buf b;
	uint8_t *dst, code;
	bool dereg, add_faha;
	uint64_t life_ms;
	int err;

	memset(out, 0, sizeof *out);
	fa->counters[MIP4_FA_RX_REQUESTS]++;

	/* 1. sanity (§3.7.2.1) and decode to the end (§1.8) */
	if (rx->csum_bad)
		return drop(fa, out, MIP4_FA_DROP_CSUM);
	if (rx->len < 1 || rx->data[0] != MIP4_MSG_RRQ)
		return drop(fa, out, MIP4_FA_DROP_NOT_RRQ);
	err = mip4_msg_decode(rx->data, rx->len, &m);
	if (err == MIP4_E_TRUNCATED)
		return drop(fa, out, MIP4_FA_DROP_TRUNCATED);
	if (err == MIP4_E_EXT_UNKNOWN)
		return drop(fa, out, MIP4_FA_DROP_UNKNOWN_EXT);
	if (err != MIP4_OK) /* the fixed part is decoded: say why */
		return deny(fa, rx, q, NULL, NULL, MIP4_CODE_FA_POOR_REQUEST,
			    MIP4_FA_REJ_MALFORMED, out);
	nai = mip4_msg_find_ext(&m, MIP4_EXT_NAI, -1);
	if (nai) {
		nai_s = (const char *)nai->data;
		nai_len = nai->data_len;
	}

	/* 2. MN-FA (§3.7.2.1): exactly one, valid, when we share an SA */
	mnfa = mip4_msg_find_ext(&m, MIP4_EXT_MN_FA, -1);
	mnsa = mn_sa_lookup(fa, q->home_addr, nai_s, nai_len,
			    mnfa ? mnfa->u.auth.spi : 0);
	if (mnsa && (!mnfa || ext_count(&m, MIP4_EXT_MN_FA) != 1 ||
		     mnfa->u.auth.spi != mnsa->spi ||
		     mip4_auth_verify(mnsa, &m, mnfa) != MIP4_AUTH_OK))
		return deny(fa, rx, q, nai, mnsa, MIP4_CODE_FA_MN_AUTH,
			    MIP4_FA_REJ_MN_AUTH, out);

	/* 3. request checks */
	code = request_checks(fa, rx, &m, nai, &c);
	if (code == MIP4_CODE_FA_INVALID_HA && is_ours(fa, q->ha_addr) &&
	    fa->cfg.home_agent)
		return drop(fa, out, MIP4_FA_TO_LOCAL_HA);
	if (code)
		return deny(fa, rx, q, nai, mnsa, code, c, out);
	dereg = q->lifetime == 0;
	p = pending_find(fa, q->home_addr, nai_s, nai_len);
	if (!p && fa->npend >= fa->max_pending)
		return deny(fa, rx, q, nai, mnsa, MIP4_CODE_FA_RESOURCES,
			    MIP4_FA_REJ_PENDING_FULL, out);
	if (!dereg && fa->nvis >= fa->max_visitors &&
	    !(q->home_addr && visitor_find(fa, q->home_addr)))
		return deny(fa, rx, q, nai, mnsa, MIP4_CODE_FA_RESOURCES,
			    MIP4_FA_REJ_VISITORS_FULL, out);

	/* 4. relay (§3.7.2.2): unchanged up to the authorization-enabling
	 * extension, ours after it: the RFC 3519 request (§4.5, before
	 * FA-HA), then FA-HA except on deregistration (§3.5.4). */
	end = auth_end(&m);
	mip4_buf_init(&b, out->buf, sizeof out->buf);
	dst = mip4_buf_put(&b, (size_t)end->off + end->len);
	if (dst)
		memcpy(dst, rx->data, (size_t)end->off + end->len);
	if (fa->cfg.udp_tunnel && !dereg)
		mip4_ext_put_udp_req(&b, fa->cfg.udp_force, false, 4);
	hasa = fa->ha_sa ? fa->ha_sa(fa->ctx, q->ha_addr) : NULL;
	add_faha = hasa && !dereg && is_our_coa(fa, q->coa);
	if (add_faha)
		mip4_auth_append(&b, MIP4_EXT_FA_HA, hasa);
	if (b.overflow)
		return drop(fa, out, MIP4_FA_DROP_TOO_BIG);

	/* 5. the pending entry (§3.7.1); a retransmission replaces it */
	if (!p) {
		p = pending_add(fa, q->home_addr, nai_s, nai_len);
		if (!p) /* cannot happen: checked above */
			return drop(fa, out, MIP4_FA_REJ_PENDING_FULL);
	}
	p->nai_len = (uint8_t)nai_len;
	if (nai_len)
		memcpy(p->nai, nai_s, nai_len);
	p->nai[nai_len] = '\0';
	memcpy(p->mac, rx->mac, MIP4_MAC_LEN);
	p->mn_src = rx->src;
	p->mn_dst = rx->dst;
	p->mn_port = rx->sport;
	p->id = q->id;
	p->ha = q->ha_addr;
	p->coa = q->coa;
	p->lifetime = q->lifetime;
	p->flags = q->flags;
	p->encap_delivery =
		mip4_msg_find_ext(&m, MIP4_EXT_ENCAP_DELIVERY, -1) != NULL;
	p->udp_requested = fa->cfg.udp_tunnel && !dereg;
	/* §3.7.2.2: the pending entry lives no longer than its lifetime */
	life_ms = (uint64_t)q->lifetime * 1000;
	p->lifetime_bound = !dereg && q->lifetime != 0xffff &&
			    life_ms < fa->pending_timeout_ms;
	timer_set(fa, &p->tm,
		  rx->now_ms + (p->lifetime_bound ? life_ms
						  : fa->pending_timeout_ms));

	fa->counters[MIP4_FA_RELAYED_REQUESTS]++;
	out->counter = MIP4_FA_RELAYED_REQUESTS;
	out->send = true;
	out->len = b.len;
	out->src = is_our_coa(fa, q->coa) ? q->coa : fa->cfg.coa[0];
	out->dst = q->ha_addr;
	out->sport = MIP4_PORT;
	out->dport = MIP4_PORT;
}

/* ---- replies from home agents (§3.7.3) ---- */

static void visitor_update(struct mip4_fa *fa, struct fa_pending *p,
			   const struct mip4_msg *m, uint64_t now_ms,
			   struct mip4_fa_out *out)
{
	const struct mip4_rrp *r = &m->u.rrp;
	const struct mip4_ext *u = mip4_msg_find_ext(m, MIP4_EXT_UDP_TUN_REP, -1);
	struct fa_visitor *e = visitor_find(fa, r->home_addr);
	struct mip4_fa_visitor *v;
	uint16_t life = r->lifetime;

	if (e) {
		out->old = e->v;
		out->change = MIP4_FA_VISITOR_UPDATED;
	} else {
		e = visitor_add(fa, r->home_addr);
		if (!e) /* cannot happen: the caller checked for room */
			return;
		out->change = MIP4_FA_VISITOR_ADDED;
	}
	v = &e->v;
	/* §3.7.3.2: never longer than asked for or than our maximum */
	if (life > p->lifetime)
		life = p->lifetime;
	if (life > fa->cfg.max_lifetime)
		life = fa->cfg.max_lifetime;
	memcpy(v->mac, p->mac, MIP4_MAC_LEN);
	v->ha_addr = r->ha_addr;
	v->coa = p->coa;
	v->mn_src = p->mn_src;
	v->mn_port = p->mn_port;
	v->lifetime = life;
	/* the lifetime runs from when we forward the reply (§3.7.3.2) */
	v->expires_ms = life == 0xffff ? UINT64_MAX
				       : now_ms + (uint64_t)life * 1000;
	v->id = p->id;
	v->flags = p->flags;
	v->delivery = !(p->flags & MIP4_RRQ_T) ? MIP4_FA_DELIVERY_NONE
		      : p->encap_delivery	 ? MIP4_FA_DELIVERY_ENCAP
						 : MIP4_FA_DELIVERY_DIRECT;
	/* RFC 3519: UDP only if we asked and the HA assented */
	if (p->udp_requested && u && u->u.udp_rep.code < 64) {
		v->encap = MIP4_ENCAP_UDP;
		v->keepalive = u->u.udp_rep.keepalive;
	} else {
		v->encap = MIP4_ENCAP_IPIP;
		v->keepalive = 0;
	}
	v->nai_len = p->nai_len;
	memcpy(v->nai, p->nai, sizeof v->nai);
	timer_set(fa, &e->tm, v->expires_ms);
	out->visitor = v;
}

void mip4_fa_from_ha(struct mip4_fa *fa, const struct mip4_fa_rx *rx,
		     struct mip4_fa_out *out)
{
	struct mip4_msg m;
	const struct mip4_rrp *r = &m.u.rrp;
	const struct mip4_ext *nai, *faha, *mnha;
	const struct mip4_sa *hasa, *mnsa;
	struct fa_pending *p = NULL;
	enum mip4_fa_counter c;
	struct mip4_buf b;
	uint8_t *dst, code;
	size_t cut;
	int err;

	memset(out, 0, sizeof *out);
	fa->counters[MIP4_FA_RX_REPLIES]++;
	if (rx->csum_bad)
		return drop(fa, out, MIP4_FA_DROP_CSUM);
	if (rx->len < 1 || rx->data[0] != MIP4_MSG_RRP)
		return drop(fa, out, MIP4_FA_DROP_NOT_RRP);
	err = mip4_msg_decode(rx->data, rx->len, &m);
	if (err == MIP4_E_TRUNCATED)
		return drop(fa, out, MIP4_FA_DROP_TRUNCATED);
	if (err == MIP4_E_EXT_UNKNOWN)
		return drop(fa, out, MIP4_FA_DROP_UNKNOWN_EXT);
	if (err != MIP4_OK) {
		/* 71 for a reply we can match on its fixed part, unless an
		 * FA-HA SA should have authenticated it: then an unverifiable
		 * datagram must not end the MN's registration attempt. */
		if (r->home_addr)
			p = pending_find(fa, r->home_addr, NULL, 0);
		if (!p || (uint32_t)p->id != (uint32_t)r->id ||
		    (fa->ha_sa && fa->ha_sa(fa->ctx, p->ha)))
			return drop(fa, out, MIP4_FA_DROP_BAD_REPLY);
		return deny_pending(fa, p, MIP4_CODE_FA_POOR_REPLY,
				    MIP4_FA_REJ_POOR_REPLY, out);
	}

	/* 1. the pending request: by NAI first (its home address may just
	 * have been assigned, RFC 2794 §3), then by home address */
	nai = mip4_msg_find_ext(&m, MIP4_EXT_NAI, -1);
	if (nai)
		p = pending_find(fa, 0, (const char *)nai->data, nai->data_len);
	if (!p && r->home_addr)
		p = pending_find(fa, r->home_addr, NULL, 0);
	if (!p)
		return drop(fa, out, MIP4_FA_DROP_NO_PENDING);
	if ((uint32_t)p->id != (uint32_t)r->id)
		return drop(fa, out, MIP4_FA_DROP_ID);

	/* 2. FA-HA (§3.7.3.1, §3.7.1): SA chosen by the Home Agent field */
	hasa = fa->ha_sa ? fa->ha_sa(fa->ctx, r->ha_addr) : NULL;
	faha = mip4_msg_find_ext(&m, MIP4_EXT_FA_HA, -1);
	if (hasa) {
		unsigned n = ext_count(&m, MIP4_EXT_FA_HA);

		if (n > 1 || (n == 0 && r->lifetime != 0) ||
		    (n == 1 && faha && (faha->u.auth.spi != hasa->spi ||
				mip4_auth_verify(hasa, &m, faha) !=
					MIP4_AUTH_OK)))
			return deny_pending(fa, p, MIP4_CODE_FA_HA_AUTH,
					    MIP4_FA_REJ_HA_AUTH, out);
	}

	/* 3. well formed for the MN: MN-HA present (§3.8.3.3 c); RFC 2794
	 * §3 NAI, home agent and home address */
	mnha = auth_end(&m);
	if (!mnha || mnha->type != MIP4_EXT_MN_HA)
		return deny_pending(fa, p, MIP4_CODE_FA_POOR_REPLY,
				    MIP4_FA_REJ_POOR_REPLY, out);
	code = r->code;
	c = code <= 1 ? (r->lifetime ? MIP4_FA_RELAYED_ACCEPTS
				     : MIP4_FA_RELAYED_DEREG)
		      : MIP4_FA_RELAYED_DENIALS;
	if (p->nai_len && !nai) {
		code = MIP4_CODE_FA_MISSING_NAI;
		c = MIP4_FA_REJ_MISSING_NAI;
	} else if (r->code <= 1 && !r->ha_addr) {
		code = MIP4_CODE_FA_MISSING_HA;
		c = MIP4_FA_REJ_MISSING_HA;
	} else if (r->code <= 1 && !r->home_addr) {
		code = MIP4_CODE_FA_MISSING_HOMEADDR;
		c = MIP4_FA_REJ_MISSING_HOME;
	}
	if (c == MIP4_FA_RELAYED_ACCEPTS && !visitor_find(fa, r->home_addr) &&
	    fa->nvis >= fa->max_visitors)
		return deny_pending(fa, p, MIP4_CODE_FA_RESOURCES,
				    MIP4_FA_REJ_VISITORS_FULL, out);

	/* 4. relay (§3.7.3.2): unchanged through MN-HA, what follows is
	 * ours (FA-HA, an RFC 3519 reply to our request) and consumed; the
	 * code changes only for RFC 2794's 97..99; MN-FA appended. */
	cut = (size_t)mnha->off + mnha->len;
	mip4_buf_init(&b, out->buf, sizeof out->buf);
	dst = mip4_buf_put(&b, cut);
	if (dst) {
		memcpy(dst, rx->data, cut);
		dst[1] = code;
	}
	mnsa = mn_sa_lookup(fa, p->home_addr, p->nai, p->nai_len, 0);
	if (mnsa)
		mip4_auth_append(&b, MIP4_EXT_MN_FA, mnsa);
	if (b.overflow)
		return drop(fa, out, MIP4_FA_DROP_TOO_BIG);

	/* 5. the visitor list: set on success, gone on deregistration,
	 * untouched by a denial (§3.7.2, §3.7.3.2) */
	if (c == MIP4_FA_RELAYED_ACCEPTS) {
		visitor_update(fa, p, &m, rx->now_ms, out);
	} else if (c == MIP4_FA_RELAYED_DEREG) {
		struct fa_visitor *e = visitor_find(fa, r->home_addr);

		/* a deregistration of another agent's care-of address
		 * leaves ours alone */
		if (e && (p->coa == e->v.coa || p->coa == p->home_addr ||
			  p->coa == r->home_addr)) {
			out->old = e->v;
			out->change = MIP4_FA_VISITOR_REMOVED;
			visitor_del(fa, e);
		}
	}
	fa->counters[c]++;
	out->counter = c;
	to_mn(fa, out, r->home_addr, p->mn_dst, p->mn_port, p->mac, code,
	      b.len);
	pending_del(fa, p);
}

void mip4_fa_ha_unreachable(struct mip4_fa *fa, uint64_t now_ms,
			    const uint8_t *quoted, size_t len, uint8_t code,
			    struct mip4_fa_out *out)
{
	struct fa_pending *p = NULL;
	struct mip4_msg m;
	uint32_t home;

	(void)now_ms;
	memset(out, 0, sizeof *out);
	if (len < MIP4_RRQ_LEN || quoted[0] != MIP4_MSG_RRQ)
		return drop(fa, out, MIP4_FA_DROP_ICMP);
	home = mip4_get32(quoted + 4);
	if (home) {
		p = pending_find(fa, home, NULL, 0);
	} else if (mip4_msg_decode(quoted, len, &m) == MIP4_OK) {
		const struct mip4_ext *nai =
			mip4_msg_find_ext(&m, MIP4_EXT_NAI, -1);

		if (nai)
			p = pending_find(fa, 0, (const char *)nai->data,
					 nai->data_len);
	}
	if (!p || (uint32_t)p->id != (uint32_t)mip4_get64(quoted + 16))
		return drop(fa, out, MIP4_FA_DROP_ICMP);
	if (code < 80 || code > 95)
		code = MIP4_CODE_FA_HA_UNREACH;
	deny_pending(fa, p, code, MIP4_FA_REJ_HA_UNREACH, out);
}

/* ---- timers ---- */

static void fire(struct mip4_fa *fa, struct fa_timer *t, struct mip4_fa_out *o)
{
	memset(o, 0, sizeof *o);
	if (t->is_visitor) {
		struct fa_visitor *e = t->owner;

		o->old = e->v;
		o->change = MIP4_FA_VISITOR_REMOVED;
		o->counter = MIP4_FA_VISITORS_EXPIRED;
		fa->counters[MIP4_FA_VISITORS_EXPIRED]++;
		visitor_del(fa, e);
		return;
	}
	{
		struct fa_pending *p = t->owner;

		if (p->lifetime_bound) {
			/* §3.7: no reply because a lifetime expired */
			o->counter = MIP4_FA_PENDING_EXPIRED;
			fa->counters[MIP4_FA_PENDING_EXPIRED]++;
			pending_del(fa, p);
			return;
		}
		deny_pending(fa, p, MIP4_CODE_FA_TIMEOUT, MIP4_FA_REJ_TIMEOUT,
			     o);
	}
}

size_t mip4_fa_expire(struct mip4_fa *fa, uint64_t now_ms,
		      void (*fn)(void *ctx, const struct mip4_fa_out *o),
		      void *ctx)
{
	uint64_t now_s = now_ms / 1000, s;
	struct mip4_fa_out *o;
	size_t n = 0;

	if (!fa->cursor_set || now_s < fa->cursor_s)
		return 0;
	o = malloc(sizeof *o);
	if (!o)
		return 0;
	s = fa->cursor_s;
	if (now_s - s >= WHEEL_SLOTS) /* a long pause: every slot once */
		s = now_s - WHEEL_SLOTS + 1;
	for (; s <= now_s; s++) {
		struct fa_timer *t = fa->wheel[s & WHEEL_MASK], *next;

		for (; t; t = next) {
			next = t->next;
			if (t->due_ms > now_ms)
				continue; /* a later lap, or later this second */
			fire(fa, t, o);
			n++;
			if (fn)
				fn(ctx, o);
		}
	}
	/* the current second is looked at again by the next sweep */
	fa->cursor_s = now_s;
	free(o);
	return n;
}

/* ---- advertisements (§2) ---- */

static uint32_t rng_next(struct mip4_fa *fa)
{
	uint32_t x = fa->rng; /* xorshift32 */

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	fa->rng = x;
	return x;
}

int mip4_fa_advertisement(struct mip4_fa *fa, uint64_t now_ms,
			  struct mip4_buf *b)
{
	struct mip4_adv a;
	const struct mip4_fa_cfg *cfg = &fa->cfg;
	uint64_t ival = (uint64_t)cfg->adv_interval_s * 1000;

	memset(&a, 0, sizeof a);
	a.code = cfg->adv_no_common ? 16 : 0;
	/* our own address only (§2.3.1); 1800 s is RFC 1256's default
	 * AdvertisementLifetime when we only answer solicitations */
	a.n_routers = 1;
	a.router[0].addr = cfg->addr;
	a.lifetime = cfg->adv_lifetime_s      ? cfg->adv_lifetime_s
		     : cfg->adv_interval_s ? (uint16_t)(cfg->adv_interval_s * 3u > 0xffffu
							   ? 0xffffu
							   : cfg->adv_interval_s * 3u)
					   : 1800;
	a.has_mobility = true;
	a.seq = fa->seq;
	a.reg_lifetime = cfg->max_lifetime;
	a.flags = MIP4_ADV_F;
	if (cfg->busy || fa->nvis >= fa->max_visitors)
		a.flags |= MIP4_ADV_B;
	if (cfg->home_agent)
		a.flags |= MIP4_ADV_H;
	if (cfg->reverse_tunnel)
		a.flags |= MIP4_ADV_T;
	if (cfg->udp_tunnel) /* RFC 3519 §3.4: only behind a NAT */
		a.flags |= MIP4_ADV_U;
	a.n_coa = cfg->n_coa;
	memcpy(a.coa, cfg->coa, cfg->n_coa * sizeof cfg->coa[0]);
	if (cfg->adv_prefix_lengths) {
		a.has_prefix_len = true;
		a.n_prefix_len = 1;
		a.prefix_len[0] = cfg->prefix_len;
	}
	mip4_adv_put(b, &a, false);
	if (b->overflow)
		return -1;
	/* §2.3.2: 0 first, then +1, and 0xffff is followed by 256 */
	fa->seq = fa->seq == 0xffff ? 256 : (uint16_t)(fa->seq + 1);
	fa->adv_sent = true;
	fa->last_adv_ms = now_ms;
	/* RFC 1256: uniformly between 3/4 and all of the interval */
	fa->next_adv_ms = ival ? now_ms + ival - rng_next(fa) % (ival / 4 + 1)
			       : 0;
	fa->counters[MIP4_FA_ADVERTISEMENTS]++;
	return 0;
}

uint64_t mip4_fa_next_adv(const struct mip4_fa *fa)
{
	if (!fa->adv_sent && fa->cfg.adv_interval_s)
		return 1; /* the first one: at once */
	return fa->next_adv_ms;
}

uint16_t mip4_fa_adv_seq(const struct mip4_fa *fa)
{
	return fa->seq;
}

enum mip4_fa_sol_action mip4_fa_solicitation(struct mip4_fa *fa,
					     uint64_t now_ms,
					     const uint8_t *icmp, size_t len,
					     uint32_t src, uint32_t *dst)
{
	if (mip4_sol_decode(icmp, len) != MIP4_OK) {
		fa->counters[MIP4_FA_DROP_SOL]++;
		return MIP4_FA_SOL_IGNORE;
	}
	/* §2.3: limit the multicast answers.  Periodic advertisements do
	 * not count against solicited ones: an MN that just arrived should
	 * not wait out the rest of the interval (up to 1 s per move). */
	if (fa->last_sol_ms && now_ms < fa->last_sol_ms + 1000) {
		uint64_t due = fa->last_sol_ms + 1000;

		if (!fa->next_adv_ms || fa->next_adv_ms > due)
			fa->next_adv_ms = due;
		fa->counters[MIP4_FA_SOL_RATE_LIMITED]++;
		return MIP4_FA_SOL_DEFERRED;
	}
	fa->counters[MIP4_FA_SOL_ANSWERED]++;
	fa->last_sol_ms = now_ms ? now_ms : 1;
	/* §2.1: unicast to the soliciting MN's (home) address when it has
	 * one, else to all systems */
	if (!not_unicast(src)) {
		*dst = src;
		return MIP4_FA_SOL_UNICAST;
	}
	*dst = ALL_SYSTEMS;
	return MIP4_FA_SOL_MULTICAST;
}
