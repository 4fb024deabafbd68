/* SPDX-License-Identifier: BSD-2-Clause */
/* Mobile node agent discovery and move detection, RFC 5944 §2.4. */
#include "mip4/agent.h"

#include <string.h>

void mip4_agent_cfg_defaults(struct mip4_agent_cfg *c)
{
	memset(c, 0, sizeof *c);
	c->sol_min_ms = 1000;
	c->sol_max_ms = 60000;
}

const char *mip4_agent_ev_str(enum mip4_agent_ev e)
{
	switch (e) {
	case MIP4_AGENT_EV_NEW: return "agent-new";
	case MIP4_AGENT_EV_MOVED: return "agent-moved";
	case MIP4_AGENT_EV_LOST: return "agent-lost";
	case MIP4_AGENT_EV_REBOOTED: return "agent-rebooted";
	case MIP4_AGENT_EV_BUSY: return "agent-busy";
	case MIP4_AGENT_EV_SOLICIT: return "solicit";
	default: return "unknown";
	}
}

static const char *const counter_names[MIP4_AGENT_NCOUNTERS] = {
	[MIP4_AGENT_ADVERTS] = "advertisements",
	[MIP4_AGENT_DROP_NOT_AGENT] = "drop-not-agent",
	[MIP4_AGENT_DROP_BAD] = "drop-bad-flags",
	[MIP4_AGENT_DROP_UNWATCHED] = "drop-unwatched-link",
	[MIP4_AGENT_DROP_FULL] = "drop-table-full",
	[MIP4_AGENT_WITHDRAWN] = "withdrawn",
	[MIP4_AGENT_EXPIRED] = "expired",
	[MIP4_AGENT_SOLICITATIONS] = "solicitations",
	[MIP4_AGENT_MOVES_ALG1] = "moves-lifetime",
	[MIP4_AGENT_MOVES_ALG2] = "moves-prefix",
	[MIP4_AGENT_REBOOTS] = "agent-reboots",
	[MIP4_AGENT_ROLLOVERS] = "seq-rollovers",
};

const char *mip4_agent_counter_name(enum mip4_agent_counter c)
{
	return (unsigned)c < MIP4_AGENT_NCOUNTERS ? counter_names[c] : "unknown";
}

void mip4_agent_init(struct mip4_agent *a, const struct mip4_agent_cfg *cfg)
{
	memset(a, 0, sizeof *a);
	a->cfg = *cfg;
	if (a->cfg.sol_min_ms < 1000) /* §2.4: at most one a second */
		a->cfg.sol_min_ms = 1000;
	if (a->cfg.sol_max_ms < a->cfg.sol_min_ms)
		a->cfg.sol_max_ms = a->cfg.sol_min_ms;
	for (unsigned i = 0; i < MIP4_AGENT_LINKS; i++)
		a->link[i].cur = -1;
}

static void event(struct mip4_agent_out *out, enum mip4_agent_ev ev,
		  int ifindex, uint32_t agent)
{
	if (out->n < MIP4_AGENT_OUT_EVENTS) {
		out->ev[out->n].ev = ev;
		out->ev[out->n].ifindex = ifindex;
		out->ev[out->n].agent = agent;
		out->n++;
	}
}

static struct mip4_agent_link *find_link(struct mip4_agent *a, int ifindex)
{
	for (unsigned i = 0; i < MIP4_AGENT_LINKS; i++)
		if (a->link[i].used && a->link[i].ifindex == ifindex)
			return &a->link[i];
	return NULL;
}

static void forget_entries(struct mip4_agent *a, int ifindex)
{
	for (unsigned i = 0; i < MIP4_AGENT_MAX; i++)
		if (a->e[i].used && a->e[i].ifindex == ifindex)
			memset(&a->e[i], 0, sizeof a->e[i]);
}

/* An entry may be current: our home agent, or a foreign agent with a
 * care-of address that takes new registrations (busy only when sticky). */
static bool eligible(const struct mip4_agent_entry *e, bool sticky)
{
	if (e->home)
		return true;
	if (!(e->flags & MIP4_ADV_F) || e->n_coa == 0)
		return false;
	return sticky || !(e->flags & MIP4_ADV_B);
}

/* The best agent on a link: our home agent first, then the first valid
 * foreign agent that is not busy. */
static int select_agent(const struct mip4_agent *a, int ifindex, uint64_t now)
{
	int fa = -1;

	for (unsigned i = 0; i < MIP4_AGENT_MAX; i++) {
		const struct mip4_agent_entry *e = &a->e[i];

		if (!e->used || e->ifindex != ifindex || e->expires_ms <= now ||
		    !eligible(e, false))
			continue;
		if (e->home)
			return (int)i;
		if (fa < 0)
			fa = (int)i;
	}
	return fa;
}

static void sol_start(struct mip4_agent_link *l, uint64_t now)
{
	l->sol_sent = 0;
	l->sol_ivl_ms = 0;
	l->sol_next_ms = now ? now : 1;
}

/* After a solicitation: the next one, or none. */
static void sol_schedule(const struct mip4_agent *a, struct mip4_agent_link *l,
			 uint64_t now, uint32_t rnd)
{
	uint32_t min = a->cfg.sol_min_ms, ivl;

	if (l->sol_sent < MIP4_AGENT_SOL_BURST) {
		l->sol_next_ms = now + min + rnd % (min / 4 + 1);
		return;
	}
	/* §2.4: SHOULD solicit only without another care-of address; an
	 * overdue agent gets the burst only (it is back or expires). */
	if (l->has_coa || l->cur >= 0) {
		l->sol_next_ms = 0;
		return;
	}
	/* Binary exponential back-off, randomised to 75-100 % of the
	 * nominal value (RFC 1256 §6.3.2 asks for randomisation). */
	ivl = l->sol_ivl_ms ? l->sol_ivl_ms * 2 : min * 2;
	if (ivl > a->cfg.sol_max_ms || ivl < l->sol_ivl_ms)
		ivl = a->cfg.sol_max_ms;
	l->sol_ivl_ms = ivl;
	ivl -= rnd % (ivl / 4 + 1);
	if (ivl < min)
		ivl = min;
	l->sol_next_ms = now + ivl;
}

/* A link's current agent goes: tell, and take the next one or search. */
static void lose_current(struct mip4_agent *a, struct mip4_agent_link *l,
			 uint64_t now, uint32_t agent,
			 struct mip4_agent_out *out)
{
	int next;

	l->cur = -1;
	a->counters[MIP4_AGENT_MOVES_ALG1]++;
	event(out, MIP4_AGENT_EV_LOST, l->ifindex, agent);
	next = select_agent(a, l->ifindex, now);
	if (next >= 0) {
		/* §2.4.2.1: MAY register at once with another valid agent */
		l->cur = next;
		event(out, MIP4_AGENT_EV_NEW, l->ifindex, a->e[next].addr);
		return;
	}
	/* After losing an agent: searching again at the burst rate. */
	if (l->up)
		sol_start(l, now);
}

int mip4_agent_link(struct mip4_agent *a, const struct mip4_agent_now *now,
		    int ifindex, bool up, bool has_coa,
		    struct mip4_agent_out *out)
{
	struct mip4_agent_link *l = find_link(a, ifindex);

	memset(out, 0, sizeof *out);
	if (!l) {
		for (unsigned i = 0; i < MIP4_AGENT_LINKS && !l; i++)
			if (!a->link[i].used)
				l = &a->link[i];
		if (!l)
			return -1;
		memset(l, 0, sizeof *l);
		l->used = true;
		l->ifindex = ifindex;
		l->cur = -1;
		forget_entries(a, ifindex);
	}
	if (up && !l->up) {
		/* Came up: possibly another network. */
		forget_entries(a, ifindex);
		l->cur = -1;
		l->up = true;
		l->has_coa = has_coa;
		/* §2.4: solicit only when no care-of address is known */
		if (!has_coa)
			sol_start(l, now->ms);
		return 0;
	}
	if (!up && l->up) {
		uint32_t agent = l->cur >= 0 ? a->e[l->cur].addr : 0;

		l->up = false;
		l->sol_next_ms = 0;
		if (l->cur >= 0) {
			l->cur = -1;
			a->counters[MIP4_AGENT_MOVES_ALG1]++;
			event(out, MIP4_AGENT_EV_LOST, ifindex, agent);
		}
		forget_entries(a, ifindex);
		l->has_coa = has_coa;
		return 0;
	}
	if (up && l->has_coa != has_coa) {
		l->has_coa = has_coa;
		/* A care-of address appeared: the search for one ends (an
		 * overdue current agent keeps its burst); it went: search. */
		if (has_coa && l->cur < 0)
			l->sol_next_ms = 0;
		else if (!has_coa && l->cur < 0 && !l->sol_next_ms)
			sol_schedule(a, l, now->ms, now->random);
	}
	l->has_coa = has_coa;
	return 0;
}

void mip4_agent_link_forget(struct mip4_agent *a, int ifindex)
{
	struct mip4_agent_link *l = find_link(a, ifindex);

	forget_entries(a, ifindex);
	if (l) {
		memset(l, 0, sizeof *l);
		l->cur = -1;
	}
}

/* The network prefix of an agent under algorithm 2, or false if unknown. */
static bool agent_prefix(const struct mip4_agent_entry *e, uint32_t *net)
{
	uint32_t base = e->router ? e->router : e->addr, mask;

	if (!e->has_prefix || e->prefix_len > 32)
		return false;
	mask = e->prefix_len ? ~0u << (32 - e->prefix_len) : 0;
	*net = base & mask;
	return true;
}

static struct mip4_agent_entry *entry_for(struct mip4_agent *a, int ifindex,
					  uint32_t src, uint64_t now)
{
	struct mip4_agent_entry *free_e = NULL;

	for (unsigned i = 0; i < MIP4_AGENT_MAX; i++) {
		struct mip4_agent_entry *e = &a->e[i];

		if (e->used && e->ifindex == ifindex && e->addr == src)
			return e;
	}
	for (unsigned i = 0; i < MIP4_AGENT_MAX && !free_e; i++) {
		struct mip4_agent_entry *e = &a->e[i];
		bool is_cur = false;

		for (unsigned k = 0; k < MIP4_AGENT_LINKS; k++)
			is_cur |= a->link[k].used && a->link[k].cur == (int)i;
		/* free, or expired and not somebody's current agent (the
		 * timer reports those) */
		if (!e->used || (e->expires_ms <= now && !is_cur))
			free_e = e;
	}
	return free_e;
}

static void timer_run(struct mip4_agent *a, const struct mip4_agent_now *now,
		      struct mip4_agent_out *out);

void mip4_agent_input(struct mip4_agent *a, const struct mip4_agent_now *now,
		      int ifindex, uint32_t src, const uint8_t mac[6],
		      const struct mip4_adv *adv, struct mip4_agent_out *out)
{
	struct mip4_agent_link *l = find_link(a, ifindex);
	struct mip4_agent_entry *e;
	uint16_t flags = adv->flags;
	int idx;
	bool fresh;

	memset(out, 0, sizeof *out);
	if (!l || !l->up) {
		a->counters[MIP4_AGENT_DROP_UNWATCHED]++;
		return;
	}
	if (!adv->has_mobility) {
		a->counters[MIP4_AGENT_DROP_NOT_AGENT]++;
		return;
	}
	/* §2.1.1: F needs a care-of address; B and R mean nothing
	 * without F.  An agent that is also H keeps its H role. */
	if ((flags & MIP4_ADV_F) && adv->n_coa == 0)
		flags &= (uint16_t)~MIP4_ADV_F;
	if (!(flags & MIP4_ADV_F))
		flags &= (uint16_t)~(MIP4_ADV_B | MIP4_ADV_R);
	if (!(flags & (MIP4_ADV_F | MIP4_ADV_H))) {
		a->counters[MIP4_AGENT_DROP_BAD]++;
		return;
	}
	e = entry_for(a, ifindex, src, now->ms);
	if (!e) {
		a->counters[MIP4_AGENT_DROP_FULL]++;
		return;
	}
	idx = (int)(e - a->e);
	fresh = !e->used;
	a->counters[MIP4_AGENT_ADVERTS]++;
	if (adv->lifetime == 0) {
		/* Withdrawn: gone now, reported like an expiry. */
		a->counters[MIP4_AGENT_WITHDRAWN]++;
		if (fresh)
			return;
		e->expires_ms = now->ms;
		timer_run(a, now, out);
		return;
	}
	if (!fresh && l->cur == idx) {
		/* §2.4.4: below 256 after a higher value is a reboot;
		 * otherwise a rollover (0xffff -> 256). */
		if (adv->seq < e->seq) {
			if (adv->seq < 256) {
				a->counters[MIP4_AGENT_REBOOTS]++;
				event(out, MIP4_AGENT_EV_REBOOTED, ifindex, src);
			} else {
				a->counters[MIP4_AGENT_ROLLOVERS]++;
			}
		}
		if ((e->flags ^ flags) & MIP4_ADV_B)
			event(out, MIP4_AGENT_EV_BUSY, ifindex, src);
	}
	if (fresh) {
		memset(e, 0, sizeof *e);
		e->used = true;
		e->ifindex = ifindex;
		e->addr = src;
	}
	if (mac)
		memcpy(e->mac, mac, sizeof e->mac);
	e->flags = flags;
	e->seq = adv->seq;
	e->reg_lifetime = adv->reg_lifetime;
	e->lifetime = adv->lifetime;
	e->n_coa = adv->n_coa < 4 ? adv->n_coa : 4;
	memcpy(e->coa, adv->coa, e->n_coa * sizeof e->coa[0]);
	e->router = adv->n_routers ? adv->router[0].addr : 0;
	e->has_prefix = adv->has_prefix_len && adv->n_prefix_len > 0 &&
			adv->n_routers > 0;
	e->prefix_len = e->has_prefix ? adv->prefix_len[0] : 0;
	e->home = (flags & MIP4_ADV_H) &&
		  (src == a->cfg.ha_addr ||
		   (a->cfg.home_net.mask &&
		    (src & a->cfg.home_net.mask) == a->cfg.home_net.net));
	e->heard_ms = now->ms;
	e->expires_ms = now->ms + (uint64_t)adv->lifetime * 1000;
	e->overdue = false;
	e->adverts++;

	if (l->cur < 0) {
		if (eligible(e, false)) {
			l->cur = idx;
			l->sol_next_ms = 0;
			event(out, MIP4_AGENT_EV_NEW, ifindex, src);
		}
		return;
	}
	if (l->cur == idx) {
		l->sol_next_ms = 0; /* heard again: an overdue search ends */
		return;
	}
	{
		const struct mip4_agent_entry *c = &a->e[l->cur];
		uint32_t pc, pn;

		/* Home again: our home agent wins over any foreign agent. */
		if (e->home && !c->home) {
			l->cur = idx;
			event(out, MIP4_AGENT_EV_MOVED, ifindex, src);
			return;
		}
		/* Algorithm 2: both carry prefix lengths and they differ. */
		if (!c->home && eligible(e, false) && agent_prefix(c, &pc) &&
		    agent_prefix(e, &pn) && pc != pn) {
			a->counters[MIP4_AGENT_MOVES_ALG2]++;
			l->cur = idx;
			event(out, MIP4_AGENT_EV_MOVED, ifindex, src);
		}
	}
}

/* The timer's work, appending to out. */
static void timer_run(struct mip4_agent *a, const struct mip4_agent_now *now,
		      struct mip4_agent_out *out)
{
	for (unsigned i = 0; i < MIP4_AGENT_MAX; i++) {
		struct mip4_agent_entry *e = &a->e[i];
		struct mip4_agent_link *l;
		uint32_t addr = e->addr;

		if (!e->used)
			continue;
		l = find_link(a, e->ifindex);
		if (e->expires_ms <= now->ms) {
			a->counters[MIP4_AGENT_EXPIRED]++;
			memset(e, 0, sizeof *e);
			if (l && l->cur == (int)i)
				lose_current(a, l, now->ms, addr, out);
			continue;
		}
		/* Overdue: nothing from the current agent for half its
		 * lifetime (advertisements come every third of it). */
		if (l && l->cur == (int)i && !e->overdue &&
		    now->ms >= e->heard_ms + (uint64_t)e->lifetime * 500) {
			e->overdue = true;
			sol_start(l, now->ms);
		}
	}
	for (unsigned i = 0; i < MIP4_AGENT_LINKS; i++) {
		struct mip4_agent_link *l = &a->link[i];

		if (!l->used || !l->up || !l->sol_next_ms ||
		    now->ms < l->sol_next_ms)
			continue;
		if (l->cur >= 0 && !a->e[l->cur].overdue) {
			l->sol_next_ms = 0;
			continue;
		}
		/* Overdue searches stay in the burst: the agent is
		 * either back soon or expires (then the search goes on). */
		if (l->cur >= 0 && l->sol_sent >= MIP4_AGENT_SOL_BURST) {
			l->sol_next_ms = 0;
			continue;
		}
		a->counters[MIP4_AGENT_SOLICITATIONS]++;
		event(out, MIP4_AGENT_EV_SOLICIT, l->ifindex, 0);
		l->sol_sent++;
		l->sol_last_ms = now->ms;
		sol_schedule(a, l, now->ms, now->random);
	}
}

void mip4_agent_timer(struct mip4_agent *a, const struct mip4_agent_now *now,
		      struct mip4_agent_out *out)
{
	memset(out, 0, sizeof *out);
	timer_run(a, now, out);
}

uint64_t mip4_agent_deadline(const struct mip4_agent *a)
{
	uint64_t t = 0;

	for (unsigned i = 0; i < MIP4_AGENT_MAX; i++) {
		const struct mip4_agent_entry *e = &a->e[i];
		const struct mip4_agent_link *l;
		uint64_t d = e->expires_ms;

		if (!e->used)
			continue;
		l = NULL;
		for (unsigned k = 0; k < MIP4_AGENT_LINKS && !l; k++)
			if (a->link[k].used && a->link[k].cur == (int)i)
				l = &a->link[k];
		if (l && !e->overdue) {
			uint64_t od = e->heard_ms + (uint64_t)e->lifetime * 500;

			if (od < d)
				d = od;
		}
		if (!t || d < t)
			t = d;
	}
	for (unsigned i = 0; i < MIP4_AGENT_LINKS; i++) {
		const struct mip4_agent_link *l = &a->link[i];

		if (l->used && l->up && l->sol_next_ms &&
		    (!t || l->sol_next_ms < t))
			t = l->sol_next_ms;
	}
	return t;
}

const struct mip4_agent_entry *mip4_agent_current(const struct mip4_agent *a,
						  int ifindex)
{
	for (unsigned i = 0; i < MIP4_AGENT_LINKS; i++) {
		const struct mip4_agent_link *l = &a->link[i];

		if (l->used && l->ifindex == ifindex)
			return l->up && l->cur >= 0 ? &a->e[l->cur] : NULL;
	}
	return NULL;
}

enum mip4_agent_choice mip4_agent_choose(const struct mip4_agent_entry *cur,
					 bool home_addr_here,
					 bool colocated_ok, bool prefer_fa)
{
	if (home_addr_here || (cur && cur->home))
		return MIP4_AGENT_CHOOSE_HOME;
	if (cur && (cur->flags & MIP4_ADV_F) && cur->n_coa &&
	    ((cur->flags & MIP4_ADV_R) || prefer_fa || !colocated_ok))
		return MIP4_AGENT_CHOOSE_FA;
	if (colocated_ok)
		return MIP4_AGENT_CHOOSE_COLOCATED;
	return MIP4_AGENT_CHOOSE_NONE;
}
