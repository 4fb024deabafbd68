/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mip4/ha.h - home agent registration processing (RFC 5944 §3.8, RFC 3519
 * §4.6, RFC 2794, RFC 3024, RFC 5265 §4.3).
 *
 * Pure: a request and the time come in, a verdict, a reply to send and a
 * binding change come out.  The daemon owns the sockets, the clock and the
 * data plane.  Every request that is not answered with success has a named
 * counter.
 */
#ifndef MIP4_HA_H
#define MIP4_HA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mip4/auth.h"
#include "mip4/binding.h"
#include "mip4/replay.h"
#include "mip4/wire.h"

/* One mobile node the home agent serves: 120 bytes, however long its NAI
 * (which its owner keeps elsewhere, and only when there is one). */
struct mip4_ha_mn {
	uint32_t home_addr; /* 0: assigned from the pool (NAI) */
	uint32_t deny_full; /* its denial budget (lib/ha.c); starts 0 */
	const char *nai;    /* NULL when identified by address only */
	struct mip4_sa sa;
	struct mip4_replay_state replay; /* survives deregistration */
};

/* A foreign agent the home agent shares an FA-HA association with. */
struct mip4_ha_fa {
	uint32_t addr;
	struct mip4_sa sa;
};

struct mip4_prefix {
	uint32_t net, mask;
};

#define MIP4_HA_MAX_PREFIX 16

/*
 * Care-of addresses one mobile node may hold at once with the S bit
 * (simultaneous bindings, RFC 5944 §3.6.1.2); one more is refused with
 * code 135 (§3.8.2.3).  Each costs 24 bytes, allocated only when a node
 * registers more than one.  A compile-time bound (not a configuration
 * option yet).
 */
#define MIP4_HA_MAX_COA 4

enum mip4_ha_flavour {
	MIP4_HA_PLAIN = 0,
	MIP4_HA_INTERNAL = 1, /* RFC 5265 i-HA: trusted sources, TNC */
	MIP4_HA_EXTERNAL = 2, /* RFC 5265 x-HA */
};

struct mip4_ha_cfg {
	uint32_t addr;		 /* our unicast address */
	struct mip4_prefix home; /* home network (broadcast check, 136) */
	uint16_t max_lifetime;
	bool reverse_tunnel;	 /* accept T (RFC 3024) */
	bool reverse_required;	 /* refuse requests without T (code 138) */
	bool udp_tunnel;	 /* RFC 3519 NAT traversal permitted */
	bool gre;		 /* G bit: GRE (RFC 2784) accepted */
	bool minimal;		 /* M bit: minimal encapsulation (RFC 2004) */
	bool udp_force_ok;	 /* honour F without a NAT */
	uint16_t keepalive;	 /* RFC 3519 keepalive interval to grant */
	enum mip4_ha_flavour flavour;
	/* i-HA: requests from outside these are dropped silently (§4.3) */
	unsigned n_trusted;
	struct mip4_prefix trusted[MIP4_HA_MAX_PREFIX];
	/* x-HA: optionally drop requests from these inside prefixes (§3.7) */
	unsigned n_inside;
	struct mip4_prefix inside[MIP4_HA_MAX_PREFIX];
	/* RFC 2794 home address pool, inclusive, 0/0 = none */
	uint32_t pool_first, pool_last;
	/* care-of addresses per node (§3.8.2.3), 1..MIP4_HA_MAX_COA;
	 * 0 = MIP4_HA_MAX_COA */
	unsigned max_coa;
	/* Denial budgets (flood resilience, lib/ha.c): the denials anyone
	 * can provoke without a key (131, 132, 133) sent per second, per
	 * mobile node, per source address and in all; 1..1000, 0 = the
	 * MIP4_HA_DENY_* default. */
	uint16_t deny_per_node, deny_per_source, deny_total;
};

#define MIP4_HA_DENY_PER_NODE 4
#define MIP4_HA_DENY_PER_SOURCE 16
#define MIP4_HA_DENY_TOTAL 1000

/* Why a request was not accepted.  Names in mip4_ha_counter_name(). */
enum mip4_ha_counter {
	MIP4_HA_RX,		/* requests seen */
	MIP4_HA_ACCEPTED,	/* registrations accepted */
	MIP4_HA_DEREGISTERED,	/* deregistrations accepted */
	MIP4_HA_DROP_CSUM,	/* bad UDP checksum */
	MIP4_HA_DROP_UNTRUSTED, /* i-HA: source not trusted */
	MIP4_HA_DROP_INSIDE,	/* x-HA: source inside */
	MIP4_HA_DROP_NOT_RRQ,	/* not a registration request */
	MIP4_HA_DROP_MALFORMED, /* truncated / bad extension lengths */
	MIP4_HA_DROP_TOO_MANY_EXT, /* more than MIP4_MAX_EXT extensions */
	MIP4_HA_DROP_UNKNOWN_EXT, /* non-skippable extension we don't know */
	MIP4_HA_DROP_NO_AUTH,	/* no MN-HA extension */
	MIP4_HA_DROP_UNKNOWN_MN, /* no SA for this home address / NAI */
	MIP4_HA_DROP_UNKNOWN_SPI, /* SPI not the MN's */
	MIP4_HA_DROP_FA_HA_NO_SA, /* FA-HA present, no FA association */
	MIP4_HA_REJ_AUTH,	/* 131 */
	MIP4_HA_REJ_FA_AUTH,	/* 132 */
	MIP4_HA_REJ_ID,		/* 133 */
	MIP4_HA_REJ_POOR,	/* 134 */
	MIP4_HA_REJ_UNKNOWN_HA, /* 136 */
	MIP4_HA_REJ_REVTUN,	/* 137 */
	MIP4_HA_REJ_REVTUN_MANDATORY, /* 138 */
	MIP4_HA_REJ_ENCAP,	/* 139 */
	MIP4_HA_REJ_UDP_ENCAP,	/* 142 */
	MIP4_HA_REJ_PROHIBITED, /* 129 */
	MIP4_HA_REJ_RESOURCES,	/* 130 */
	MIP4_HA_REJ_TOO_MANY,	/* 135: cfg.max_coa care-of addresses */
	MIP4_HA_REJ_NOT_STORED, /* 130: accepted, but the daemon could not
				 * store it (mip4_ha_refuse()) */
	/* flood resilience: a denial budget is spent (lib/ha.c) */
	MIP4_HA_DROP_UNVERIFIED_LIMITED, /* dropped before the HMAC */
	MIP4_HA_DROP_131_LIMITED, /* bad MN-HA, no 131 sent */
	MIP4_HA_DROP_132_LIMITED, /* bad or missing FA-HA, no 132 sent */
	MIP4_HA_DROP_133_LIMITED, /* bad identification, no 133 sent */
	MIP4_HA_NCOUNTERS
};
const char *mip4_ha_counter_name(enum mip4_ha_counter c);

struct mip4_ha;

/* Find the MN for a request: by NAI when nai_len > 0, else by address. */
typedef struct mip4_ha_mn *(*mip4_ha_mn_lookup_fn)(void *ctx,
						    uint32_t home_addr,
						    const char *nai,
						    size_t nai_len);
typedef const struct mip4_ha_fa *(*mip4_ha_fa_lookup_fn)(void *ctx,
							  uint32_t addr);

struct mip4_ha *mip4_ha_new(const struct mip4_ha_cfg *cfg,
			    mip4_ha_mn_lookup_fn mn_lookup,
			    mip4_ha_fa_lookup_fn fa_lookup, void *ctx,
			    size_t hint);
void mip4_ha_free(struct mip4_ha *ha);
/* Replace the configuration (SIGHUP) keeping every binding. */
void mip4_ha_set_cfg(struct mip4_ha *ha, const struct mip4_ha_cfg *cfg);
struct mip4_btable *mip4_ha_bindings(struct mip4_ha *ha);
const uint64_t *mip4_ha_counters(const struct mip4_ha *ha);

/* A received request and the moment it arrived. */
struct mip4_ha_rx {
	const uint8_t *data;
	size_t len;
	uint32_t src, dst; /* IP source and destination */
	uint16_t sport;
	bool csum_bad;
	uint64_t now_ms;  /* monotonic */
	uint64_t now_ntp; /* wall clock, NTP format */
	uint32_t random;  /* fresh random bits (nonces) */
};

enum mip4_ha_change {
	MIP4_HA_NO_CHANGE = 0,
	MIP4_HA_BIND_ADDED,	  /* new binding with care-of address coa */
	MIP4_HA_BIND_UPDATED,	  /* coa registered (added, renewed or, S
				   * clear, replacing all others) */
	MIP4_HA_BIND_REMOVED,	  /* the binding and all its care-of
				   * addresses went */
	MIP4_HA_BIND_COA_REMOVED, /* coa went, the binding keeps others */
};

#define MIP4_HA_REPLY_MAX 512

struct mip4_ha_result {
	/* the binding after the change (NULL when removed or none) */
	struct mip4_binding *binding;
	size_t reply_len;
	/* on acceptance: the identification now the latest, and its SA
	 * (replay state to persist) */
	uint64_t accepted_id;
	enum mip4_ha_counter counter;
	enum mip4_ha_change change;
	uint32_t reply_dst;	/* = request source (RFC 5944 §3.8.3.1) */
	uint32_t home_addr;	/* of the binding concerned */
	uint32_t coa;		/* the care-of address (de)registered */
	uint32_t old_coa;	/* first care-of address before the change */
	uint32_t spi;
	uint32_t fa_spi;	/* drop-fa-ha-without-sa: the SPI of the
				 * FA-HA extension we had no SA for */
	uint16_t reply_dport;
	uint8_t old_ncoa;	/* care-of addresses before the change */
	/* BIND_UPDATED that only moved the expiry of the binding's only
	 * care-of address: same address, peer address and port, flags,
	 * encapsulation, keepalive and SA as before (a renewal in place) */
	bool renewal_only;
	bool send;		/* a reply is to be sent */
	uint8_t code;
	uint8_t reply[MIP4_HA_REPLY_MAX];
};

void mip4_ha_input(struct mip4_ha *ha, const struct mip4_ha_rx *rx,
		   struct mip4_ha_result *res);

/*
 * Take back an acceptance (code 0 or 1) that mip4_ha_input() gave for rx
 * (the same request, its data untouched) because the daemon could not make
 * the binding durable: res's reply becomes an authenticated denial with
 * code 130, "insufficient resources" (RFC 5944 §3.8.3.2), and the request
 * moves from its counter to MIP4_HA_REJ_NOT_STORED.  The binding table is
 * the caller's to put back.  The identification stays accepted (replay
 * state only moves forward).  Anything else in res is left alone.
 */
void mip4_ha_refuse(struct mip4_ha *ha, const struct mip4_ha_rx *rx,
		    struct mip4_ha_result *res);

/* Expire care-of addresses, and bindings left without one (RFC 5944
 * §4.2.3); calls back for each care-of address (mip4_btable_expire()). */
size_t mip4_ha_expire(struct mip4_ha *ha, uint64_t now_ms,
		      mip4_btable_expired_fn expired, void *ctx);

bool mip4_prefix_match(const struct mip4_prefix *p, unsigned n, uint32_t a);

#endif
