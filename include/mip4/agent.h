/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mip4/agent.h - the mobile node's agent discovery (RFC 5944 §2.4).
 *
 * Pure: the caller feeds decoded agent advertisements (with the interface
 * and link-layer source they came from), link state and the time; the
 * table says which agent is current on each link, what happened (new
 * agent, move by algorithm 1 or 2, agent lost, agent rebooted) and when
 * to send an agent solicitation.  No sockets, no clock, no globals.
 *
 * Which agent is current on a link:
 *   1. our own home agent advertising H on the link (source = the
 *      configured HA address, or inside the home network) - at home;
 *   2. the current foreign agent while its advertisement is valid (sticky:
 *      B does not push a node off an agent it already uses);
 *   3. otherwise the first valid foreign agent (F, at least one care-of
 *      address) heard on the link that is not busy (B).
 * Algorithm 1 (§2.4.2.1): the current agent's ICMP lifetime runs out ->
 * EV_LOST, then EV_NEW if another valid agent remains.  Algorithm 2
 * (§2.4.2.2): an advertisement from another agent whose prefix (first
 * router address, or the source, under the prefix-lengths extension)
 * differs from the current agent's, both carrying the extension ->
 * EV_MOVED and the new agent becomes current.  Sequence numbers
 * (§2.4.4): from the current agent, a value below 256 after a higher one
 * -> EV_REBOOTED (register again); a lower value >= 256 is a rollover.
 *
 * Solicitations (§2.4, RFC 1256 §6.3.2 with the §2.4 exceptions): on a
 * link that comes up (or flaps) without a valid agent, a burst of three,
 * the first at once and the others at least 1 s apart (1.0-1.25 s, so
 * never more than one a second), then binary exponential back-off
 * (2, 4, 8 ... s, capped at sol_max_ms, at least a minute by default),
 * randomised to 75-100 % of the nominal interval (never under 1 s).  The
 * search runs only while the caller says the link has no other
 * care-of address (mip4_agent_link(..., has_coa)): §2.4 says to solicit
 * only when no care-of address has been determined by other means, so a
 * co-located address ends it (and a link that comes up with one does not
 * solicit at all).  An advertisement
 * that is overdue (nothing from the current agent for half its lifetime)
 * restarts the burst, since registering with an agent raises the rate
 * when the node next searches (§2.4).
 */
#ifndef MIP4_AGENT_H
#define MIP4_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mip4/ha.h"
#include "mip4/wire.h"

#define MIP4_AGENT_MAX 16	/* agents remembered over all links */
#define MIP4_AGENT_LINKS 8	/* links (interfaces) watched */
#define MIP4_AGENT_SOL_BURST 3	/* initial solicitations (MAX_SOLICITATIONS) */
#define MIP4_AGENT_OUT_EVENTS 8

struct mip4_agent_cfg {
	uint32_t ha_addr;		/* our home agent */
	struct mip4_prefix home_net;	/* mask 0: unknown */
	uint32_t sol_min_ms;		/* spacing of the burst (>= 1000) */
	uint32_t sol_max_ms;		/* back-off cap (default 60000) */
};
/* Defaults: 1 s, 60 s. */
void mip4_agent_cfg_defaults(struct mip4_agent_cfg *c);

/* One agent heard on one link. */
struct mip4_agent_entry {
	bool used;
	int ifindex;
	uint32_t addr;		/* IP source of its advertisements */
	uint8_t mac[6];		/* link-layer source (§3.6.1.1) */
	uint16_t flags;		/* MIP4_ADV_* */
	uint16_t seq;
	uint16_t reg_lifetime;	/* longest registration it accepts */
	uint16_t lifetime;	/* ICMP advertisement lifetime, s */
	unsigned n_coa;
	uint32_t coa[4];	/* the first care-of addresses */
	uint32_t router;	/* first router address (0: none) */
	bool has_prefix;	/* prefix-lengths extension present */
	uint8_t prefix_len;	/* of the first router address (or source) */
	bool home;		/* our home agent, H set */
	uint64_t heard_ms;	/* last advertisement */
	uint64_t expires_ms;	/* heard_ms + lifetime */
	bool overdue;		/* solicitation burst already restarted */
	uint64_t adverts;	/* advertisements received */
};

/* A watched link and its solicitation schedule. */
struct mip4_agent_link {
	bool used;
	int ifindex;
	bool up;
	bool has_coa;		/* another care-of address exists here */
	int cur;		/* index of the current agent, -1 none */
	unsigned sol_sent;	/* solicitations since the search began */
	uint32_t sol_ivl_ms;	/* nominal interval after the burst */
	uint64_t sol_next_ms;	/* 0: not soliciting */
	uint64_t sol_last_ms;	/* last one sent, 0 never */
};

enum mip4_agent_ev {
	MIP4_AGENT_EV_NEW = 1,	 /* an agent became current on a link
				  * that had none (or after EV_LOST) */
	MIP4_AGENT_EV_MOVED,	 /* algorithm 2: another prefix */
	MIP4_AGENT_EV_LOST,	 /* algorithm 1: current agent expired */
	MIP4_AGENT_EV_REBOOTED,	 /* §2.4.4: register again */
	MIP4_AGENT_EV_BUSY,	 /* the current agent's B bit changed */
	MIP4_AGENT_EV_SOLICIT,	 /* send an agent solicitation on ifindex */
};
const char *mip4_agent_ev_str(enum mip4_agent_ev e);

struct mip4_agent_out {
	unsigned n;
	struct {
		enum mip4_agent_ev ev;
		int ifindex;
		uint32_t agent; /* address of the agent concerned (0: none) */
	} ev[MIP4_AGENT_OUT_EVENTS];
};

enum mip4_agent_counter {
	MIP4_AGENT_ADVERTS,	   /* advertisements taken */
	MIP4_AGENT_DROP_NOT_AGENT, /* router advertisement without ext 16 */
	MIP4_AGENT_DROP_BAD,	   /* neither F nor H, F without a care-of */
	MIP4_AGENT_DROP_UNWATCHED, /* link not watched, or down */
	MIP4_AGENT_DROP_FULL,	   /* table full */
	MIP4_AGENT_WITHDRAWN,	   /* lifetime 0 advertisements */
	MIP4_AGENT_EXPIRED,
	MIP4_AGENT_SOLICITATIONS,
	MIP4_AGENT_MOVES_ALG1,
	MIP4_AGENT_MOVES_ALG2,
	MIP4_AGENT_REBOOTS,
	MIP4_AGENT_ROLLOVERS,
	MIP4_AGENT_NCOUNTERS
};
const char *mip4_agent_counter_name(enum mip4_agent_counter c);

struct mip4_agent {
	struct mip4_agent_cfg cfg;
	struct mip4_agent_entry e[MIP4_AGENT_MAX];
	struct mip4_agent_link link[MIP4_AGENT_LINKS];
	uint64_t counters[MIP4_AGENT_NCOUNTERS];
};

void mip4_agent_init(struct mip4_agent *a, const struct mip4_agent_cfg *cfg);

/* Clock and randomness for every call. */
struct mip4_agent_now {
	uint64_t ms;	 /* monotonic */
	uint32_t random; /* fresh per call */
};

/*
 * The state of a link, called whenever it may have changed (idempotent).
 * A link seen for the first time, or coming up, forgets what was heard
 * on it (it may be another network now) and starts soliciting.  Down: its
 * agents are forgotten (EV_LOST for the current one) and soliciting
 * stops.  has_coa: a co-located care-of address is in use on it (no
 * solicitations then, §2.4).  -1 if the table of links is full.
 */
int mip4_agent_link(struct mip4_agent *a, const struct mip4_agent_now *now,
		    int ifindex, bool up, bool has_coa,
		    struct mip4_agent_out *out);
/* Stop watching a link (no events). */
void mip4_agent_link_forget(struct mip4_agent *a, int ifindex);

/* A decoded ICMP type 9 from src (IP source) and mac on ifindex. */
void mip4_agent_input(struct mip4_agent *a, const struct mip4_agent_now *now,
		      int ifindex, uint32_t src, const uint8_t mac[6],
		      const struct mip4_adv *adv, struct mip4_agent_out *out);

/* Expiry, overdue advertisements and solicitations that are due. */
void mip4_agent_timer(struct mip4_agent *a, const struct mip4_agent_now *now,
		      struct mip4_agent_out *out);
/* When mip4_agent_timer() should run next (0: nothing scheduled). */
uint64_t mip4_agent_deadline(const struct mip4_agent *a);

/* The current agent on ifindex (valid at now), or NULL. */
const struct mip4_agent_entry *mip4_agent_current(const struct mip4_agent *a,
						  int ifindex);

/*
 * The attachment policy for one link (documented in mip4d.conf(5) and
 * mnrole.c):
 *   - our home agent advertising H, or home_addr_here (an address inside
 *     the home network on the link)                      -> home
 *   - a foreign agent (F) when R is set, or prefer_fa, or there is no
 *     co-located address                                  -> f
 *   - a co-located address (DHCP)                         -> c
 *   - nothing                                             -> detached
 * A busy agent (B) is kept only when it is the one the node already uses
 * (mip4_agent_current() handles that); R from an agent without F is
 * ignored (§2.1.1).
 */
enum mip4_agent_choice {
	MIP4_AGENT_CHOOSE_NONE = 0,
	MIP4_AGENT_CHOOSE_HOME,
	MIP4_AGENT_CHOOSE_FA,
	MIP4_AGENT_CHOOSE_COLOCATED,
};
enum mip4_agent_choice mip4_agent_choose(const struct mip4_agent_entry *cur,
					 bool home_addr_here,
					 bool colocated_ok, bool prefer_fa);

#endif
