/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mip4/mn.h - one mobile node registration instance (RFC 5944 §3.6).
 *
 * Pure: the caller reports attachments, replies and the time, and gets
 * back what to send and what happened.  One instance per Mobile IP layer,
 * so the RFC 5265 mobile node runs two (x-MIP and i-MIP) side by side.
 */
#ifndef MIP4_MN_H
#define MIP4_MN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mip4/auth.h"
#include "mip4/replay.h"
#include "mip4/wire.h"

enum mip4_mn_udp {
	MIP4_MN_UDP_OFF = 0,
	MIP4_MN_UDP_AUTO = 1,  /* ask; the HA tunnels in UDP if it sees a NAT */
	MIP4_MN_UDP_FORCE = 2, /* ask with F set (RFC 3519 §3.1) */
};

struct mip4_mn_cfg {
	uint32_t home_addr; /* 0 with an NAI: the HA assigns one (RFC 2794) */
	char nai[256];	    /* "" for none */
	uint32_t ha_addr;
	struct mip4_sa sa;
	uint16_t lifetime;	  /* requested, seconds */
	bool reverse_tunnel;	  /* T bit (RFC 3024) */
	enum mip4_mn_udp udp;
	uint32_t retrans_min_ms;  /* first timeout, >= 1000 (§3.6.3) */
	uint32_t retrans_max_ms;  /* cap of the doubling */
	unsigned renew_percent;	  /* re-register after this share of the
				     granted lifetime (default 75) */
	uint32_t renew_max_ms;	  /* and at least this often, 0 = no cap
				     (RFC 5265 §3.2.4: T_MONITOR - grace) */
};

/* Fill defaults: lifetime 600, T on, UDP auto, 1 s / 32 s, 75 %. */
void mip4_mn_cfg_defaults(struct mip4_mn_cfg *c);

enum mip4_mn_where {
	MIP4_MN_DETACHED = 0, /* no usable link */
	MIP4_MN_AT_HOME,      /* on the home link */
	MIP4_MN_COLOCATED,    /* foreign link, own care-of address (mode c) */
	MIP4_MN_VIA_FA,	      /* foreign link, foreign agent (mode f) */
};
const char *mip4_mn_where_str(enum mip4_mn_where w);

struct mip4_mn_attach {
	enum mip4_mn_where where;
	uint32_t coa;	  /* co-located address, or the FA's care-of address */
	uint32_t fa_addr; /* where requests go via an FA (its address) */
	bool no_reverse;  /* the FA does not offer reverse tunnelling (no T) */
	uint16_t max_lifetime; /* the agent's advertised maximum, 0 = none */
};

enum mip4_mn_event {
	MIP4_MN_EV_REGISTERED = 1, /* accepted (new or renewed) */
	MIP4_MN_EV_DEREGISTERED,   /* home again, binding gone */
	MIP4_MN_EV_DENIED,	   /* a denial we cannot repair ourselves */
	MIP4_MN_EV_RESYNC,	   /* 133: identification resynchronised */
	MIP4_MN_EV_EXPIRED,	   /* lifetime ran out unrenewed */
	MIP4_MN_EV_GAVE_UP,	   /* deregistration unanswered */
};
const char *mip4_mn_event_str(enum mip4_mn_event e);

#define MIP4_MN_OUT_EVENTS 4

/* What one call asks the caller to do. */
struct mip4_mn_out {
	bool send;
	bool garp;	/* before sending: a gratuitous ARP for the home
			   address, we are home again (RFC 5944 §4.6) */
	uint8_t buf[512];
	size_t len;
	uint32_t src, dst; /* IP addresses to send from and to */
	uint16_t dport;
	unsigned n_ev;
	struct {
		enum mip4_mn_event ev;
		uint8_t code;
	} ev[MIP4_MN_OUT_EVENTS];
};

enum mip4_mn_counter {
	MIP4_MN_RX,	      /* datagrams given to mip4_mn_input(): each is
				 a reply or exactly one drop below */
	MIP4_MN_REQUESTS,     /* requests sent, retransmissions included */
	MIP4_MN_RETRANSMITS,
	MIP4_MN_REPLIES,      /* valid replies */
	MIP4_MN_ACCEPTED,
	MIP4_MN_DENIED,
	MIP4_MN_DROP_MALFORMED,
	MIP4_MN_DROP_UNEXPECTED, /* no request pending, or not a reply */
	MIP4_MN_DROP_ID,	 /* low 32 bits differ (§3.6.2.1) */
	MIP4_MN_DROP_AUTH,	 /* MN-HA missing or bad (§3.6.2.1 b) */
	MIP4_MN_NCOUNTERS
};
const char *mip4_mn_counter_name(enum mip4_mn_counter c);

struct mip4_mn {
	struct mip4_mn_cfg cfg;
	struct mip4_mn_attach at;
	struct mip4_mn_replay replay;
	uint32_t home_addr;   /* configured or assigned */
	uint16_t lifetime;    /* what we ask for (69 may lower it) */
	/* the registration we hold */
	bool registered;
	bool tnc;	      /* its reply carried an authenticated Trusted
				 Networks Configured extension (RFC 5265
				 §3.4) */
	uint16_t granted;
	uint64_t expires_ms;
	bool udp;	      /* HA assented to UDP tunnelling */
	uint16_t keepalive;
	uint32_t reg_coa;     /* care-of address of the binding held */
	uint64_t ok_ms;	      /* when its reply arrived */
	/* the request in flight */
	bool pending;
	bool dereg;	      /* it is a deregistration */
	uint64_t sent_id;
	uint64_t first_sent_ms; /* of this attempt: lifetime base §3.6.2.2 */
	uint64_t last_sent_ms;
	uint32_t rto_ms;
	uint16_t req_lifetime; /* the lifetime it asks for */
	unsigned tries;
	unsigned resyncs;     /* consecutive 133s */
	uint8_t req[512];
	size_t req_len;
	uint64_t deadline_ms; /* next timer, 0 = none */
	uint8_t last_code;
	uint64_t counters[MIP4_MN_NCOUNTERS];
};

void mip4_mn_init(struct mip4_mn *mn, const struct mip4_mn_cfg *cfg);

/* Clock inputs for every call. */
struct mip4_mn_now {
	uint64_t ms;	/* monotonic */
	uint64_t ntp;	/* wall clock, NTP format */
	uint32_t random;
};

/* A new point of attachment (or the same one again after a link flap):
 * register from it, or deregister when at home. */
void mip4_mn_attach(struct mip4_mn *mn, const struct mip4_mn_now *now,
		    const struct mip4_mn_attach *at, struct mip4_mn_out *out);
/* A datagram that arrived on port 434 of our request's source. */
void mip4_mn_input(struct mip4_mn *mn, const struct mip4_mn_now *now,
		   const uint8_t *buf, size_t len, struct mip4_mn_out *out);
/* The deadline passed: retransmit, renew, or expire. */
void mip4_mn_timer(struct mip4_mn *mn, const struct mip4_mn_now *now,
		   struct mip4_mn_out *out);
/* Shutting down away from home: one deregistration of every binding
 * (lifetime 0, care-of address = home address, §3.6.1.2). */
void mip4_mn_shutdown(struct mip4_mn *mn, const struct mip4_mn_now *now,
		      struct mip4_mn_out *out);

/*
 * RFC 3519 §4.9, §4.10: two-way keepalives of a UDP-tunnelled binding.
 * One goes every granted keepalive interval K; a keepalive without an
 * echo reply within MIP4_MN_KA_WAIT_MS is sent again, and after
 * MIP4_MN_KA_TRIES unanswered in a row the NAT mapping is taken as lost:
 * the node re-registers, which gives the HA the new mapping.  Pure: the
 * caller counts echo replies and passes the count in.
 */
#define MIP4_MN_KA_WAIT_MS 2000
#define MIP4_MN_KA_TRIES 3

struct mip4_mn_ka {
	uint32_t interval_ms; /* K; 0: not running */
	uint64_t due_ms;      /* next call that does something */
	uint64_t sent_ms;     /* the last keepalive sent */
	uint64_t replies;     /* the caller's count when it was sent */
	unsigned unanswered;  /* in a row */
	bool waiting;	      /* for the reply to the last one */
};

enum mip4_mn_ka_act {
	MIP4_MN_KA_NONE,
	MIP4_MN_KA_SEND,       /* send a keepalive now */
	MIP4_MN_KA_REREGISTER, /* mapping lost: register again */
};

/* A binding with UDP tunnelling was (re)established at now: keepalives
 * every interval_ms from then on (0 stops them). */
void mip4_mn_ka_start(struct mip4_mn_ka *k, uint32_t interval_ms,
		      uint64_t now);
/* What to do at now, replies being the echo replies counted so far. */
enum mip4_mn_ka_act mip4_mn_ka_due(struct mip4_mn_ka *k, uint64_t now,
				   uint64_t replies);

#endif
