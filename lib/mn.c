/* SPDX-License-Identifier: BSD-2-Clause */
/* Mobile node registration state machine, RFC 5944 §3.6. */
#include "mip4/mn.h"

#include <string.h>

#define RESYNC_MAX 3 /* consecutive 133s before backing off */
#define DEREG_TRIES 4

void mip4_mn_cfg_defaults(struct mip4_mn_cfg *c)
{
	memset(c, 0, sizeof *c);
	c->lifetime = 600;
	c->reverse_tunnel = true;
	c->udp = MIP4_MN_UDP_AUTO;
	c->retrans_min_ms = 1000;
	c->retrans_max_ms = 32000;
	c->renew_percent = 75;
}

const char *mip4_mn_where_str(enum mip4_mn_where w)
{
	switch (w) {
	case MIP4_MN_AT_HOME: return "home";
	case MIP4_MN_COLOCATED: return "c";
	case MIP4_MN_VIA_FA: return "f";
	default: return "detached";
	}
}

const char *mip4_mn_event_str(enum mip4_mn_event e)
{
	switch (e) {
	case MIP4_MN_EV_REGISTERED: return "registered";
	case MIP4_MN_EV_DEREGISTERED: return "deregistered";
	case MIP4_MN_EV_DENIED: return "registration-failed";
	case MIP4_MN_EV_RESYNC: return "resynchronised";
	case MIP4_MN_EV_EXPIRED: return "expired";
	case MIP4_MN_EV_GAVE_UP: return "deregistration-unanswered";
	default: return "unknown";
	}
}

static const char *const counter_names[MIP4_MN_NCOUNTERS] = {
	[MIP4_MN_RX] = "received",
	[MIP4_MN_REQUESTS] = "requests",
	[MIP4_MN_RETRANSMITS] = "retransmissions",
	[MIP4_MN_REPLIES] = "replies",
	[MIP4_MN_ACCEPTED] = "accepted",
	[MIP4_MN_DENIED] = "denied",
	[MIP4_MN_DROP_MALFORMED] = "drop-malformed",
	[MIP4_MN_DROP_UNEXPECTED] = "drop-unexpected",
	[MIP4_MN_DROP_ID] = "drop-id-mismatch",
	[MIP4_MN_DROP_AUTH] = "drop-auth",
};

const char *mip4_mn_counter_name(enum mip4_mn_counter c)
{
	return (unsigned)c < MIP4_MN_NCOUNTERS ? counter_names[c] : "unknown";
}

void mip4_mn_init(struct mip4_mn *mn, const struct mip4_mn_cfg *cfg)
{
	memset(mn, 0, sizeof *mn);
	mn->cfg = *cfg;
	if (mn->cfg.retrans_min_ms < 1000) /* §3.6.3: MUST NOT be < 1 s */
		mn->cfg.retrans_min_ms = 1000;
	if (mn->cfg.retrans_max_ms < mn->cfg.retrans_min_ms)
		mn->cfg.retrans_max_ms = mn->cfg.retrans_min_ms;
	if (mn->cfg.renew_percent < 10 || mn->cfg.renew_percent > 95)
		mn->cfg.renew_percent = 75;
	mn->home_addr = cfg->home_addr;
	mn->lifetime = cfg->lifetime;
}

static void event(struct mip4_mn_out *out, enum mip4_mn_event ev,
		  uint8_t code)
{
	if (out->n_ev < MIP4_MN_OUT_EVENTS) {
		out->ev[out->n_ev].ev = ev;
		out->ev[out->n_ev].code = code;
		out->n_ev++;
	}
}

static void emit(struct mip4_mn *mn, struct mip4_mn_out *out)
{
	memcpy(out->buf, mn->req, mn->req_len);
	out->len = mn->req_len;
	out->send = true;
	out->dport = MIP4_PORT;
	out->dst = mn->at.where == MIP4_MN_VIA_FA ? mn->at.fa_addr
						  : mn->cfg.ha_addr;
	/* Via an FA the MN has no address on the link but its home
	 * address (§3.6.1.1); co-located it sends from its care-of
	 * address; at home from the home address. */
	out->src = mn->at.where == MIP4_MN_COLOCATED ? mn->at.coa : mn->home_addr;
	/* §4.6: home again, the node announces its address before each
	 * (de)registration it sends, so the link learns it while the HA
	 * still answers for it */
	out->garp = mn->at.where == MIP4_MN_AT_HOME;
	mn->counters[MIP4_MN_REQUESTS]++;
}

/* Build and send a request for the current attachment. */
static void request(struct mip4_mn *mn, const struct mip4_mn_now *now,
		    bool dereg_all, struct mip4_mn_out *out)
{
	struct mip4_buf b;
	struct mip4_rrq q = {0};
	bool colocated = mn->at.where == MIP4_MN_COLOCATED;

	mn->dereg = dereg_all || mn->at.where == MIP4_MN_AT_HOME;
	q.flags = colocated ? MIP4_RRQ_D : 0;
	/* T only where the agent offers it (RFC 3024 §3.1: else 74) */
	if (mn->cfg.reverse_tunnel && !mn->dereg && !mn->at.no_reverse)
		q.flags |= MIP4_RRQ_T;
	q.lifetime = mn->dereg ? 0 : mn->lifetime;
	/* RFC 5944 §2.1.1: never more than the agent accepts */
	if (!mn->dereg && mn->at.max_lifetime && mn->at.max_lifetime != 0xffff &&
	    q.lifetime > mn->at.max_lifetime)
		q.lifetime = mn->at.max_lifetime;
	mn->req_lifetime = q.lifetime;
	q.home_addr = mn->home_addr;
	q.ha_addr = mn->cfg.ha_addr;
	/* Deregistering every binding: care-of address = home address. */
	q.coa = mn->dereg ? mn->home_addr : mn->at.coa;
	q.id = mip4_mn_next_id(&mn->replay, mn->cfg.sa.replay, now->ntp,
			       now->random);
	mip4_buf_init(&b, mn->req, sizeof mn->req);
	mip4_rrq_put(&b, &q);
	if (mn->cfg.nai[0])
		mip4_ext_put_nai(&b, mn->cfg.nai);
	if (colocated && !mn->dereg && mn->cfg.udp != MIP4_MN_UDP_OFF)
		mip4_ext_put_udp_req(&b, mn->cfg.udp == MIP4_MN_UDP_FORCE,
				     false, 0);
	mip4_auth_append(&b, MIP4_EXT_MN_HA, &mn->cfg.sa);
	if (b.overflow) /* cannot happen with a 255-byte NAI */
		return;
	mn->req_len = b.len;
	mn->sent_id = q.id;
	mn->pending = true;
	mn->tries = 1;
	mn->first_sent_ms = now->ms;
	mn->last_sent_ms = now->ms;
	mn->rto_ms = mn->cfg.retrans_min_ms;
	mn->deadline_ms = now->ms + mn->rto_ms;
	emit(mn, out);
}

static void renew_timer(struct mip4_mn *mn)
{
	uint64_t life = (uint64_t)mn->granted * 1000;

	if (mn->granted == 0xffff) { /* infinity: nothing to renew */
		mn->deadline_ms = mn->cfg.renew_max_ms
					  ? mn->first_sent_ms + mn->cfg.renew_max_ms
					  : 0;
		return;
	}
	mn->deadline_ms = mn->first_sent_ms + life * mn->cfg.renew_percent / 100;
	if (mn->cfg.renew_max_ms &&
	    mn->deadline_ms > mn->first_sent_ms + mn->cfg.renew_max_ms)
		mn->deadline_ms = mn->first_sent_ms + mn->cfg.renew_max_ms;
}

void mip4_mn_attach(struct mip4_mn *mn, const struct mip4_mn_now *now,
		    const struct mip4_mn_attach *at, struct mip4_mn_out *out)
{
	memset(out, 0, sizeof *out);
	mn->at = *at;
	mn->resyncs = 0;
	if (at->where == MIP4_MN_DETACHED) {
		/* keep the binding's state; nothing can be sent */
		mn->pending = false;
		mn->deadline_ms = mn->registered ? mn->expires_ms : 0;
		return;
	}
	request(mn, now, false, out);
}

void mip4_mn_shutdown(struct mip4_mn *mn, const struct mip4_mn_now *now,
		      struct mip4_mn_out *out)
{
	memset(out, 0, sizeof *out);
	if (mn->at.where == MIP4_MN_DETACHED ||
	    mn->at.where == MIP4_MN_AT_HOME || (!mn->registered && !mn->pending))
		return;
	request(mn, now, true, out);
	mn->deadline_ms = 0; /* no retransmission on the way out */
}

/* The TNC extension counts only where the MN-HA authenticator covers it
 * (RFC 5265 §3.2.3: inside means an authenticated i-HA reply with it). */
static bool tnc_authenticated(const struct mip4_msg *m)
{
	bool tnc = false;

	for (unsigned i = 0; i < m->n_ext; i++) {
		if (m->ext[i].type == MIP4_EXT_MN_HA)
			return tnc;
		if (m->ext[i].type == MIP4_EXT_TNC)
			tnc = true;
	}
	return false;
}

static void accepted(struct mip4_mn *mn, const struct mip4_msg *m,
		     const struct mip4_mn_now *now, struct mip4_mn_out *out)
{
	const struct mip4_ext *u = mip4_msg_find_ext(m, MIP4_EXT_UDP_TUN_REP, -1);
	uint16_t granted = m->u.rrp.lifetime;

	mn->pending = false;
	mn->resyncs = 0;
	mn->counters[MIP4_MN_ACCEPTED]++;
	if (mn->dereg || granted == 0) {
		mn->registered = false;
		mn->tnc = false;
		mn->deadline_ms = 0;
		event(out, MIP4_MN_EV_DEREGISTERED, m->u.rrp.code);
		return;
	}
	/* §3.4: never more than we asked for */
	if (granted > mn->lifetime)
		granted = mn->lifetime;
	if (!mn->home_addr)
		mn->home_addr = m->u.rrp.home_addr; /* RFC 2794 assignment */
	mn->registered = true;
	mn->granted = granted;
	mn->tnc = tnc_authenticated(m);
	mn->ok_ms = now->ms;
	mn->reg_coa = mn->at.coa;
	/* §3.6.2.2: the lifetime runs from when the request was sent */
	mn->expires_ms = granted == 0xffff
				 ? UINT64_MAX
				 : mn->first_sent_ms + (uint64_t)granted * 1000;
	/* Via an FA the UDP tunnel (if any) is the FA's, not ours. */
	mn->udp = mn->at.where == MIP4_MN_COLOCATED && u &&
		  u->u.udp_rep.code < 64;
	mn->keepalive = mn->udp ? u->u.udp_rep.keepalive : 0;
	renew_timer(mn);
	event(out, MIP4_MN_EV_REGISTERED, m->u.rrp.code);
}

static void back_off(struct mip4_mn *mn, const struct mip4_mn_now *now)
{
	/* §3.6.3: doubling, up to no more than the requested lifetime (a
	 * deregistration asks for 0: the configured cap alone) */
	uint64_t max = mn->cfg.retrans_max_ms;

	if (mn->req_lifetime && (uint64_t)mn->req_lifetime * 1000 < max)
		max = (uint64_t)mn->req_lifetime * 1000;
	if (max < mn->cfg.retrans_min_ms) /* §3.6.3: never under 1 s */
		max = mn->cfg.retrans_min_ms;
	mn->rto_ms = (uint64_t)mn->rto_ms * 2 > max ? (uint32_t)max
						     : mn->rto_ms * 2;
	mn->deadline_ms = now->ms + mn->rto_ms;
	/* notice the binding running out even while retransmitting */
	if (mn->registered && mn->expires_ms < mn->deadline_ms)
		mn->deadline_ms = mn->expires_ms;
}

void mip4_mn_input(struct mip4_mn *mn, const struct mip4_mn_now *now,
		   const uint8_t *buf, size_t len, struct mip4_mn_out *out)
{
	struct mip4_msg m;
	uint8_t code;
	bool from_ha;

	memset(out, 0, sizeof *out);
	mn->counters[MIP4_MN_RX]++;
	if (mip4_msg_decode(buf, len, &m) < 0) {
		mn->counters[MIP4_MN_DROP_MALFORMED]++;
		return;
	}
	if (m.type != MIP4_MSG_RRP || !mn->pending) {
		mn->counters[MIP4_MN_DROP_UNEXPECTED]++;
		return;
	}
	/* §3.6.2.1: low-order 32 bits must match the request in flight */
	if ((uint32_t)m.u.rrp.id != (uint32_t)mn->sent_id) {
		mn->counters[MIP4_MN_DROP_ID]++;
		return;
	}
	code = m.u.rrp.code;
	/* §3.4: 64..127 and 194 are the foreign agent's, which has no MN-HA */
	from_ha = (code < 64 || code >= 128) && code != MIP4_CODE_FA_INVALID_HA;
	/* §3.6.2.1 b: HA verdicts carry exactly one valid MN-HA */
	if (from_ha) {
		unsigned n = 0;

		for (unsigned i = 0; i < m.n_ext; i++)
			n += m.ext[i].type == MIP4_EXT_MN_HA;
		if (n != 1 || mip4_auth_verify_type(&mn->cfg.sa, &m,
						    MIP4_EXT_MN_HA) != MIP4_AUTH_OK) {
			mn->counters[MIP4_MN_DROP_AUTH]++;
			return;
		}
	}
	mn->counters[MIP4_MN_REPLIES]++;
	mn->last_code = code;
	if (from_ha)
		(void)mip4_mn_reply(&mn->replay, mn->cfg.sa.replay, mn->sent_id,
				    m.u.rrp.id, code, now->ntp);
	if (code <= 1) {
		accepted(mn, &m, now, out);
		return;
	}
	mn->counters[MIP4_MN_DENIED]++;
	switch (code) {
	case MIP4_CODE_HA_ID_MISMATCH:
		/* §3.6.2.3: resynchronised above; try again at once, but
		 * not forever. */
		if (++mn->resyncs <= RESYNC_MAX) {
			event(out, MIP4_MN_EV_RESYNC, code);
			request(mn, now, mn->dereg && mn->at.where != MIP4_MN_AT_HOME,
				out);
			return;
		}
		break;
	case MIP4_CODE_FA_LIFETIME:
		/* §3.6.2.3: the reply carries the FA's maximum */
		if (m.u.rrp.lifetime && m.u.rrp.lifetime < mn->lifetime) {
			mn->lifetime = m.u.rrp.lifetime;
			request(mn, now, false, out);
			return;
		}
		break;
	case MIP4_CODE_HA_UNKNOWN_HA:
		/* §3.6.2.3: the reply names the HA's unicast address */
		if (m.u.rrp.ha_addr && m.u.rrp.ha_addr != mn->cfg.ha_addr) {
			mn->cfg.ha_addr = m.u.rrp.ha_addr;
			request(mn, now, false, out);
			return;
		}
		break;
	default:
		break;
	}
	/* Not repairable here: report, and try again after a back-off
	 * (the operator may fix the HA, or we may move). */
	event(out, MIP4_MN_EV_DENIED, code);
	mn->pending = false;
	if (mn->at.where == MIP4_MN_AT_HOME) {
		mn->deadline_ms = 0;
		return;
	}
	back_off(mn, now);
}

void mip4_mn_timer(struct mip4_mn *mn, const struct mip4_mn_now *now,
		   struct mip4_mn_out *out)
{
	memset(out, 0, sizeof *out);
	if (!mn->deadline_ms || now->ms < mn->deadline_ms)
		return;
	if (mn->registered && now->ms >= mn->expires_ms) {
		mn->registered = false;
		mn->tnc = false;
		event(out, MIP4_MN_EV_EXPIRED, 0);
	}
	if (mn->at.where == MIP4_MN_DETACHED) {
		mn->deadline_ms = mn->registered ? mn->expires_ms : 0;
		return;
	}
	if (mn->pending) {
		if (mn->dereg && mn->tries >= DEREG_TRIES) {
			mn->pending = false;
			mn->deadline_ms = 0;
			event(out, MIP4_MN_EV_GAVE_UP, 0);
			return;
		}
		mn->counters[MIP4_MN_RETRANSMITS]++;
		if (mn->cfg.sa.replay == MIP4_REPLAY_TIMESTAMP) {
			/* §3.6.3: a new identification each time */
			uint64_t first = mn->first_sent_ms;
			unsigned tries = mn->tries;
			uint32_t rto = mn->rto_ms;

			request(mn, now, mn->dereg && mn->at.where != MIP4_MN_AT_HOME,
				out);
			mn->first_sent_ms = first;
			mn->tries = tries + 1;
			mn->rto_ms = rto;
		} else {
			/* nonces: the same request, unchanged */
			mn->tries++;
			emit(mn, out);
		}
		mn->last_sent_ms = now->ms;
		back_off(mn, now);
		return;
	}
	/* Renewal, or a retry after a denial. */
	request(mn, now, false, out);
}

/* ---- RFC 3519 keepalives (see mn.h) ---- */

void mip4_mn_ka_start(struct mip4_mn_ka *k, uint32_t interval_ms,
		      uint64_t now)
{
	memset(k, 0, sizeof *k);
	k->interval_ms = interval_ms;
	/* §4.9: the first at the earliest K after the registration */
	k->due_ms = interval_ms ? now + interval_ms : 0;
}

static uint32_t ka_wait(const struct mip4_mn_ka *k)
{
	return k->interval_ms < MIP4_MN_KA_WAIT_MS ? k->interval_ms
						   : MIP4_MN_KA_WAIT_MS;
}

enum mip4_mn_ka_act mip4_mn_ka_due(struct mip4_mn_ka *k, uint64_t now,
				   uint64_t replies)
{
	if (!k->interval_ms || now < k->due_ms)
		return MIP4_MN_KA_NONE;
	if (k->waiting && replies > k->replies) {
		/* answered: the next one a K after the last sent */
		k->waiting = false;
		k->unanswered = 0;
		k->due_ms = k->sent_ms + k->interval_ms;
		if (k->due_ms > now)
			return MIP4_MN_KA_NONE;
	} else if (k->waiting && ++k->unanswered >= MIP4_MN_KA_TRIES) {
		/* §4.10: the NAT mapping is gone; the caller registers
		 * again and starts over with the new binding */
		k->interval_ms = 0;
		k->due_ms = 0;
		return MIP4_MN_KA_REREGISTER;
	}
	k->waiting = true;
	k->replies = replies;
	k->sent_ms = now;
	k->due_ms = now + ka_wait(k);
	return MIP4_MN_KA_SEND;
}
