/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Home agent request processing.  One funnel, in the order RFC 5944
 * §3.8.2.1 gives: source policy -> decode -> authentication -> replay ->
 * request checks -> binding change -> reply.
 */
#include "mip4/ha.h"

#include <stdlib.h>
#include <string.h>

struct mip4_ha {
	struct mip4_ha_cfg cfg;
	mip4_ha_mn_lookup_fn mn_lookup;
	mip4_ha_fa_lookup_fn fa_lookup;
	void *ctx;
	struct mip4_btable *bt;
	uint32_t pool_next;
	uint64_t counters[MIP4_HA_NCOUNTERS];
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
	mip4_auth_append(&b, MIP4_EXT_MN_HA, &rc->mn->sa);
	if (udp_rep && rc->udp_from_fa)
		mip4_ext_put_udp_rep(&b, rc->udp_code, rc->udp_forced,
				     rc->udp_code < 64 ? ha->cfg.keepalive : 0);
	if (rc->fa)
		mip4_auth_append(&b, MIP4_EXT_FA_HA, &rc->fa->sa);
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
	int err;

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
	rc.home_addr = m.u.rrq.home_addr;
	/* Denials echo the request's low 32 identification bits (§5.7) and
	 * the HA's own clock (timestamps) or a fresh nonce above them. */
	rc.id = mip4_replay_reply_id(&rc.mn->sa, m.u.rrq.id, false,
				     rx->now_ntp, rx->random);
	if (mip4_auth_verify(&rc.mn->sa, &m, mnha) != MIP4_AUTH_OK) {
		/* A MAY: answer 131 with the MN's SA (DESIGN §7). */
		reply(ha, rx, res, &rc, MIP4_CODE_HA_MN_AUTH, MIP4_HA_REJ_AUTH);
		return;
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
	faha = mip4_msg_find_ext(&m, MIP4_EXT_FA_HA, -1);
	fa = ha->fa_lookup ? ha->fa_lookup(ha->ctx, rx->src) : NULL;
	if (!fa && faha) {
		res->fa_spi = faha->u.auth.spi; /* for the operator's log */
		return drop(ha, res, MIP4_HA_DROP_FA_HA_NO_SA);
	}
	if (fa && !dereg &&
	    mip4_auth_verify(&fa->sa, &m, faha) != MIP4_AUTH_OK) {
		reply(ha, rx, res, &rc, MIP4_CODE_HA_FA_AUTH,
		      MIP4_HA_REJ_FA_AUTH);
		return;
	}
	/* §3.8.3.3 e: our replies to that FA carry FA-HA (never on a
	 * deregistration, §3.5.4). */
	if (fa && !dereg)
		rc.fa = fa;

	/* 4. replay (§3.8.2.1 b, §5.7) */
	if (mip4_replay_check(&rc.mn->sa, &rc.mn->replay, m.u.rrq.id,
			      rx->now_ntp) != MIP4_REPLAY_OK) {
		reply(ha, rx, res, &rc, MIP4_CODE_HA_ID_MISMATCH,
		      MIP4_HA_REJ_ID);
		return;
	}

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
	/* We tunnel IP-in-IP (or IP-in-UDP): no minimal or GRE. */
	if (!use_udp && (m.u.rrq.flags & (MIP4_RRQ_M | MIP4_RRQ_G))) {
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
		.encap = use_udp ? MIP4_ENCAP_UDP : MIP4_ENCAP_IPIP,
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
