/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mip4/fa.h - foreign agent protocol logic (RFC 5944 §2, §3.7, §4.2.2;
 * RFC 3024 reverse tunnelling; RFC 3519 §4.5; RFC 2794 §3).
 *
 * Pure, like the home agent (mip4/ha.h): a datagram and the time come in,
 * what to send, to whom, and the visitor list change come out.  The daemon
 * owns the sockets, the clock, ARP/neighbour entries and the data plane.
 * Tables are sized once at creation (no allocation afterwards); lookups by
 * home address are O(1); pending and visitor entries expire from one timer
 * wheel swept by mip4_fa_expire().
 */
#ifndef MIP4_FA_H
#define MIP4_FA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mip4/auth.h"
#include "mip4/binding.h"
#include "mip4/ha.h"
#include "mip4/wire.h"

#define MIP4_FA_MAX_COA 8
#define MIP4_FA_MAX_PREFIX 16
#define MIP4_FA_MSG_MAX 1500
#define MIP4_MAC_LEN 6
/* RFC 5944 §3.7.1: "MAY delete any pending Registration Request after
 * the request has been pending for more than 7 seconds". */
#define MIP4_FA_PENDING_TIMEOUT_MS 7000u
#define MIP4_FA_DEFAULT_MAX_PENDING 64u
#define MIP4_FA_DEFAULT_MAX_VISITORS 1024u

/* RFC 2794 §5 reply codes (the FA side). */
enum {
	MIP4_CODE_FA_NONZERO_HOMEADDR = 96,
	MIP4_CODE_FA_MISSING_NAI = 97,
	MIP4_CODE_FA_MISSING_HA = 98,
	MIP4_CODE_FA_MISSING_HOMEADDR = 99,
};

/* Reverse tunnel delivery style, RFC 3024 §5. */
enum mip4_fa_delivery {
	MIP4_FA_DELIVERY_NONE = 0,   /* no reverse tunnel (T clear) */
	MIP4_FA_DELIVERY_DIRECT = 1, /* §5.1 */
	MIP4_FA_DELIVERY_ENCAP = 2,  /* §5.2, extension 130 */
};

struct mip4_fa_cfg {
	uint32_t addr;	/* our address on the mobile nodes' link */
	uint8_t prefix_len; /* of addr, for the prefix-lengths extension */
	unsigned n_coa;
	uint32_t coa[MIP4_FA_MAX_COA]; /* advertised care-of addresses */
	/* advertisements (RFC 5944 §2.1) */
	uint16_t adv_interval_s; /* 0: only in answer to solicitations */
	uint16_t adv_lifetime_s; /* ICMP lifetime; 0: 3 x interval */
	bool adv_no_common;	 /* ICMP code 16: we route only for MNs */
	bool adv_prefix_lengths; /* extension 19 (all agents on a link alike) */
	bool home_agent;	 /* H: a home agent serves this link too */
	bool busy;		 /* B by configuration (also set when full) */
	uint32_t seed;		 /* randomness for advertisement jitter */
	/* registrations */
	uint16_t max_lifetime;	 /* also advertised; 0xffff = infinity */
	bool reverse_tunnel;	 /* T: we tunnel MNs' packets to the HA */
	bool reverse_tunnel_required; /* 75 without T (RFC 3024 §4.2.1) */
	bool encap_delivery;	 /* accept extension 130 (else 79) */
	bool udp_tunnel;	 /* U: behind a NAT, ask the HA for RFC 3519
				    UDP tunnelling (RFC 3519 §4.5) */
	bool udp_force;		 /* ... with F set */
	/* home addresses we serve; none = any (else 65) */
	unsigned n_allowed;
	struct mip4_prefix allowed[MIP4_FA_MAX_PREFIX];
	unsigned max_pending;	 /* 0: MIP4_FA_DEFAULT_MAX_PENDING */
	unsigned max_visitors;	 /* 0: MIP4_FA_DEFAULT_MAX_VISITORS */
	uint32_t pending_timeout_ms; /* 0: MIP4_FA_PENDING_TIMEOUT_MS */
};

/* Every outcome has a counter; names in mip4_fa_counter_name(). */
enum mip4_fa_counter {
	MIP4_FA_RX_REQUESTS,	 /* requests from mobile nodes */
	MIP4_FA_RX_REPLIES,	 /* replies from home agents */
	MIP4_FA_RELAYED_REQUESTS,
	MIP4_FA_RELAYED_ACCEPTS, /* 0/1 with a lifetime: visitor set */
	MIP4_FA_RELAYED_DEREG,	 /* 0/1 with lifetime 0: visitor gone */
	MIP4_FA_RELAYED_DENIALS, /* HA denials passed on */
	MIP4_FA_VISITORS_EXPIRED,
	MIP4_FA_PENDING_EXPIRED, /* ran past the requested lifetime */
	MIP4_FA_ADVERTISEMENTS,
	MIP4_FA_SOL_ANSWERED,
	MIP4_FA_SOL_RATE_LIMITED, /* within 1 s of the last advertisement */
	MIP4_FA_TO_LOCAL_HA,	 /* HA address is ours and H is set */
	MIP4_FA_DROP_SOL,	 /* malformed solicitation */
	MIP4_FA_DROP_CSUM,	 /* bad UDP checksum (§3.7.2.1, §3.7.3.1) */
	MIP4_FA_DROP_NOT_RRQ,
	MIP4_FA_DROP_TRUNCATED,	 /* shorter than the fixed part */
	MIP4_FA_DROP_UNKNOWN_EXT, /* non-skippable unknown (§1.8) */
	MIP4_FA_DROP_RATE_LIMIT, /* 2nd denial to one MN within 1 s */
	MIP4_FA_DROP_TOO_BIG,	 /* would not fit MIP4_FA_MSG_MAX */
	MIP4_FA_DROP_NOT_RRP,
	MIP4_FA_DROP_BAD_REPLY,	 /* malformed reply matching nothing */
	MIP4_FA_DROP_NO_PENDING, /* reply for no pending request */
	MIP4_FA_DROP_ID,	 /* low 32 identification bits differ */
	MIP4_FA_DROP_ICMP,	 /* ICMP error matching no pending request */
	MIP4_FA_REJ_COLOCATED,	 /* 64: D set, co-located via FA */
	MIP4_FA_REJ_PROHIBITED,	 /* 65: home address not served */
	MIP4_FA_REJ_PENDING_FULL, /* 66 */
	MIP4_FA_REJ_VISITORS_FULL, /* 66 */
	MIP4_FA_REJ_MN_AUTH,	 /* 67 */
	MIP4_FA_REJ_HA_AUTH,	 /* 68 */
	MIP4_FA_REJ_LIFETIME,	 /* 69 */
	MIP4_FA_REJ_MALFORMED,	 /* 70: extension decode error */
	MIP4_FA_REJ_ORDER,	 /* 70: placement rules */
	MIP4_FA_REJ_NO_MN_HA,	 /* 70: no authorization-enabling ext */
	MIP4_FA_REJ_NO_ID,	 /* 70: home address 0 and no NAI */
	MIP4_FA_REJ_POOR_REPLY,	 /* 71 */
	MIP4_FA_REJ_ENCAP,	 /* 72: M or G */
	MIP4_FA_REJ_REVTUN,	 /* 74 */
	MIP4_FA_REJ_REVTUN_REQUIRED, /* 75 */
	MIP4_FA_REJ_TOO_DISTANT, /* 76: TTL != 255 */
	MIP4_FA_REJ_COA,	 /* 77 */
	MIP4_FA_REJ_TIMEOUT,	 /* 78 */
	MIP4_FA_REJ_DELIVERY,	 /* 79 */
	MIP4_FA_REJ_HA_UNREACH,	 /* 80..88 from an ICMP error */
	MIP4_FA_REJ_MISSING_NAI, /* 97 */
	MIP4_FA_REJ_MISSING_HA,	 /* 98 */
	MIP4_FA_REJ_MISSING_HOME, /* 99 */
	MIP4_FA_REJ_HA_ADDR,	 /* 194 */
	MIP4_FA_NCOUNTERS
};
const char *mip4_fa_counter_name(enum mip4_fa_counter c);

/* A mobile node on our link with a registration in force. */
struct mip4_fa_visitor {
	uint32_t home_addr;
	uint8_t mac[MIP4_MAC_LEN]; /* link-layer address to deliver to */
	uint32_t ha_addr;	   /* where its reverse tunnel goes */
	uint32_t coa;		   /* our care-of address it registered */
	uint32_t mn_src;	   /* IP source of its request */
	uint16_t mn_port;	   /* UDP source port of its request */
	uint16_t lifetime;	   /* granted: min(reply, requested, max) */
	uint64_t expires_ms;	   /* UINT64_MAX: infinite lifetime */
	uint64_t id;		   /* identification of the registration */
	uint8_t flags;		   /* request flags (S B D M G T) */
	uint8_t delivery;	   /* enum mip4_fa_delivery */
	uint8_t encap;		   /* enum mip4_encap, HA <-> FA tunnel */
	uint16_t keepalive;	   /* RFC 3519 interval when encap is UDP */
	uint8_t nai_len;
	char nai[256];		   /* NUL-terminated, "" when none */
};

struct mip4_fa;

/* The SA we share with a mobile node, by home address or (when nai_len
 * is non-zero) NAI; spi is the MN-FA extension's SPI or 0 when there is
 * none.  Returning an SA makes MN-FA authentication mandatory for that
 * mobile node (RFC 5944 §3.7.2.1). */
typedef const struct mip4_sa *(*mip4_fa_mn_sa_fn)(void *ctx, uint32_t home_addr,
						   const char *nai,
						   size_t nai_len, uint32_t spi);
/* The SA we share with a home agent, by its address (§3.5.4). */
typedef const struct mip4_sa *(*mip4_fa_ha_sa_fn)(void *ctx, uint32_t ha_addr);

/* NULL when the configuration is unusable (no care-of address) or out of
 * memory.  Either lookup may be NULL (no associations of that kind). */
struct mip4_fa *mip4_fa_new(const struct mip4_fa_cfg *cfg,
			    mip4_fa_mn_sa_fn mn_sa, mip4_fa_ha_sa_fn ha_sa,
			    void *ctx);
void mip4_fa_free(struct mip4_fa *fa);
/* Replace the configuration (SIGHUP) keeping every entry.  The table
 * sizes stay those given at creation.  -1 if unusable. */
int mip4_fa_set_cfg(struct mip4_fa *fa, const struct mip4_fa_cfg *cfg);
const uint64_t *mip4_fa_counters(const struct mip4_fa *fa);
/* Replies sent to mobile nodes, by code (ours and relayed). */
const uint64_t *mip4_fa_reply_codes(const struct mip4_fa *fa);

/* ---- advertisements and solicitations (RFC 5944 §2) ---- */

/*
 * Build the next agent advertisement (the ICMP message; the caller sends
 * it with IP TTL 1, RFC 5944 §2.1) and note it as sent at now_ms.
 * Sequence numbers start at 0 and run 0xffff -> 256 (§2.3.2).  Returns 0,
 * or -1 if b is too small.
 */
int mip4_fa_advertisement(struct mip4_fa *fa, uint64_t now_ms,
			  struct mip4_buf *b);
/* When the next multicast advertisement is due (0: none scheduled). */
uint64_t mip4_fa_next_adv(const struct mip4_fa *fa);
/* The sequence number the next advertisement will carry. */
uint16_t mip4_fa_adv_seq(const struct mip4_fa *fa);

enum mip4_fa_sol_action {
	MIP4_FA_SOL_IGNORE = 0,	  /* malformed: dropped and counted */
	MIP4_FA_SOL_UNICAST,	  /* answer now to *dst, link dst = its MAC */
	MIP4_FA_SOL_MULTICAST,	  /* answer now to 224.0.0.1 */
	MIP4_FA_SOL_DEFERRED,	  /* rate limit: next multicast brought
				     forward to 1 s after the last one */
};
/*
 * A solicitation (ICMP 10) from src arrived.  At most one advertisement
 * per second per link answers solicitations (RFC 5944 §2.3 "MUST limit
 * the rate"); a solicitation inside that second is served by the next
 * multicast advertisement, brought forward (see mip4_fa_next_adv).  The
 * caller builds the answer with mip4_fa_advertisement().
 */
enum mip4_fa_sol_action mip4_fa_solicitation(struct mip4_fa *fa,
					     uint64_t now_ms,
					     const uint8_t *icmp, size_t len,
					     uint32_t src, uint32_t *dst);

/* ---- registration relaying (RFC 5944 §3.7) ---- */

struct mip4_fa_rx {
	const uint8_t *data; /* UDP payload */
	size_t len;
	uint32_t src, dst;   /* IP addresses */
	uint16_t sport;
	uint8_t ttl;	     /* IP TTL: 255 from an MN (RFC 3024 §4.2.1) */
	uint8_t mac[MIP4_MAC_LEN]; /* link-layer source (from an MN) */
	bool csum_bad;
	uint64_t now_ms;     /* monotonic */
};

enum mip4_fa_change {
	MIP4_FA_NO_CHANGE = 0,
	MIP4_FA_VISITOR_ADDED,
	MIP4_FA_VISITOR_UPDATED,
	MIP4_FA_VISITOR_REMOVED,
};

/* What one event asks the caller to do. */
struct mip4_fa_out {
	bool send;
	bool to_mn;	/* to a mobile node on the link (else to an HA) */
	enum mip4_fa_counter counter;
	uint8_t code;	/* reply code sent to the MN (when to_mn) */
	uint32_t ha;	/* the home agent of the request a denial answers
			   (78, 80..88: the one that did not answer) */
	uint8_t buf[MIP4_FA_MSG_MAX];
	size_t len;
	uint32_t src, dst;
	uint16_t sport, dport;
	uint8_t mac[MIP4_MAC_LEN]; /* link-layer destination when to_mn:
				      never ARP for a visitor (§4.2.2) */
	enum mip4_fa_change change;
	const struct mip4_fa_visitor *visitor; /* after add/update; valid
						  until the next call */
	struct mip4_fa_visitor old;	       /* before update/removal */
};

/* A registration request from a mobile node (UDP port 434 on the link). */
void mip4_fa_from_mn(struct mip4_fa *fa, const struct mip4_fa_rx *rx,
		     struct mip4_fa_out *out);
/* A registration reply from a home agent (to our port 434). */
void mip4_fa_from_ha(struct mip4_fa *fa, const struct mip4_fa_rx *rx,
		     struct mip4_fa_out *out);
/*
 * An ICMP error answered a relayed request (§3.7.3): quoted is the UDP
 * payload quoted in it (at least the 24-byte fixed part), code one of
 * 80 (home network), 81 (HA host), 82 (HA port) or 88 (HA unreachable).
 * Tells the mobile node with that code and forgets the pending request.
 */
void mip4_fa_ha_unreachable(struct mip4_fa *fa, uint64_t now_ms,
			    const uint8_t *quoted, size_t len, uint8_t code,
			    struct mip4_fa_out *out);

/*
 * Timers: pending requests older than the pending timeout are answered
 * with 78 (or dropped silently once their requested lifetime ran out:
 * §3.7 forbids replies because a lifetime expired); visitors whose
 * lifetime ran out are removed.  `fn` is called once per event with what
 * to send / what changed.  Returns the number of events.  One sweep a
 * second is enough: entries are filed in one-second slots.
 */
size_t mip4_fa_expire(struct mip4_fa *fa, uint64_t now_ms,
		      void (*fn)(void *ctx, const struct mip4_fa_out *o),
		      void *ctx);

/* ---- visitor list (data plane and mip4ctl) ---- */

size_t mip4_fa_visitor_count(const struct mip4_fa *fa);
size_t mip4_fa_pending_count(const struct mip4_fa *fa);
/* Delivery of a packet decapsulated from an HA: its inner destination. */
const struct mip4_fa_visitor *mip4_fa_visitor_get(const struct mip4_fa *fa,
						  uint32_t home_addr);
/* Reverse tunnelling (RFC 3024 §5): a packet from the link with IP source
 * src and link-layer source mac; the visitor to tunnel it for (to its
 * ha_addr from its coa), or NULL if src is no visitor with a reverse
 * tunnel or the MAC differs. */
const struct mip4_fa_visitor *mip4_fa_reverse_lookup(const struct mip4_fa *fa,
						     uint32_t src,
						     const uint8_t *mac);
/* Visit every visitor; stop when fn returns non-zero and return that. */
int mip4_fa_foreach_visitor(const struct mip4_fa *fa,
			    int (*fn)(void *ctx, const struct mip4_fa_visitor *v),
			    void *ctx);
/* The same in steps (long listings streamed to mip4ctl): the visitors in
 * at most max entries of the pool from position *pos on (start at 0),
 * *pos moved past them; true while more may follow.  A visitor there for
 * the whole walk is visited exactly once. */
bool mip4_fa_visitor_walk(const struct mip4_fa *fa, uint64_t *pos, size_t max,
			  void (*fn)(void *ctx, const struct mip4_fa_visitor *v),
			  void *ctx);

#endif
