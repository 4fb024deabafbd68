/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/priv.h - the operations that need privilege, behind one
 * interface.
 *
 * The network-facing engine holds no privilege (privsep.c): routes, rules,
 * neighbour and proxy entries, gratuitous ARPs and the VPN client's
 * commands are asked of the privileged parent, one typed request each.
 * The same requests are carried out directly when the daemon runs as one
 * process (not started as root, or in unit tests with a recording fake).
 * A role never knows which.
 *
 * Every request is one fixed-size struct priv_req: the wire format of the
 * socketpair too (privsep.c), checked field by field on arrival
 * (priv_req_check) and against the configuration (priv_policy.c) before
 * the parent acts on it.
 */
#ifndef MIP4D_PRIV_H
#define MIP4D_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum priv_op {
	PRIV_ROUTE_ADD = 1, /* dst/plen dev ifindex [src] [via gw] [mtu], table */
	PRIV_ROUTE_DEL,	    /* dst/plen dev ifindex, table */
	PRIV_ROUTE_FLUSH,   /* every route of table */
	PRIV_RULE_ADD,	    /* prio -> table [fwmark] [suppress] [from] */
	PRIV_RULE_DEL,	    /* every rule at prio */
	PRIV_RULE_IIF_ADD,  /* prio: from src/32 iif IFNAME -> table */
	PRIV_RULE_IIF_DEL,
	PRIV_NEIGH_ADD,	    /* ifindex addr lladdr, permanent */
	PRIV_NEIGH_DEL,
	PRIV_PROXY_ADD,	    /* proxy ARP entry: ifindex addr */
	PRIV_PROXY_DEL,
	PRIV_GARP,	    /* gratuitous ARP: ifindex addr [sender lladdr] */
	PRIV_VPN_RUN,	    /* the VPN client's command `vpn` (async) */
	PRIV_NOPS
};
const char *priv_op_name(enum priv_op op);

/* What PRIV_VPN_RUN runs (the arguments come from the configuration the
 * parent holds, never from the request). */
enum priv_vpn {
	PRIV_VPN_INITIATE = 1,
	PRIV_VPN_TERMINATE,
	PRIV_VPN_LIST,
};

#define PRIV_F_SRC 0x01	     /* src is the preferred source */
#define PRIV_F_VIA 0x02	     /* gw is the next hop (onlink) */
#define PRIV_F_MTU 0x04	     /* mtu metric */
#define PRIV_F_MAC 0x08	     /* mac is set */
#define PRIV_F_FWMARK 0x10   /* rule: fwmark */
#define PRIV_F_SUPPRESS 0x20 /* rule: suppress_prefixlength */
#define PRIV_F_FROM 0x40     /* rule: from src/32 */
#define PRIV_F_UNREACH 0x80  /* route: type unreachable, no device */
#define PRIV_F_ALL 0xff

#define PRIV_IFNAME_MAX 16

struct priv_req {
	uint16_t op;	/* enum priv_op */
	uint16_t flags; /* PRIV_F_* */
	int32_t ifindex;
	uint32_t dst, src, gw;
	uint32_t table, prio, fwmark;
	int32_t plen;	   /* 0..32 */
	int32_t suppress;  /* suppress_prefixlength, 0..32 */
	int32_t mtu;	   /* 68..65535 */
	uint32_t vpn;	   /* enum priv_vpn */
	uint8_t mac[6];
	char iif[PRIV_IFNAME_MAX]; /* NUL-terminated */
};

/*
 * Is rq well formed (known op, flags that op allows, fields in range, the
 * interface name terminated)?  0 or -EINVAL.  Checked by both sides.
 */
int priv_req_check(const struct priv_req *rq);

/* The result of PRIV_VPN_RUN, delivered later. */
struct priv_vpn_done {
	uint32_t vpn;	 /* enum priv_vpn */
	int32_t status;	 /* waitpid status; -1: could not be run */
	bool killed;	 /* ran past the timeout and was killed */
	size_t out_len;
	const char *out; /* stdout + stderr, NUL-terminated, at most
			    PRIV_VPN_OUT_MAX - 1 bytes kept */
};
#define PRIV_VPN_OUT_MAX 16384

/* A backend: direct (priv_direct.c), the engine's end of the socketpair
 * (privsep.c), or a test's fake. */
struct priv;
struct priv_backend {
	/* Carry out rq; 0 or -errno.  With async set the caller does not
	 * wait: the result comes to the error callback (priv_set_error_cb)
	 * by priv_flush() at the latest. */
	int (*submit)(struct priv *p, const struct priv_req *rq, bool async);
	/* Wait for every async request. */
	void (*flush)(struct priv *p);
	void (*free)(struct priv *p);
};

typedef void (*priv_error_fn)(void *ctx, const struct priv_req *rq, int err);
typedef void (*priv_vpn_fn)(void *ctx, const struct priv_vpn_done *d);

struct priv {
	const struct priv_backend *be;
	priv_error_fn on_error;
	void *error_ctx;
	priv_vpn_fn on_vpn;
	void *vpn_ctx;
	uint64_t requests, refused, failed;
};

/* Where failed async requests are reported (one callback per daemon). */
void priv_set_error_cb(struct priv *p, priv_error_fn fn, void *ctx);
/* Where PRIV_VPN_RUN results go. */
void priv_set_vpn_cb(struct priv *p, priv_vpn_fn fn, void *ctx);
void priv_flush(struct priv *p);
void priv_free(struct priv *p);

/* The requests, one call each: 0 or -errno (the *_async ones: 0 when
 * sent; a failure comes to the error callback). */
/* dst/plen dev ifindex in table (0: main), added (replacing) or gone */
int priv_route(struct priv *p, bool add, uint32_t dst, int plen, int ifindex,
	       uint32_t table, bool async);
int priv_route_add_src(struct priv *p, uint32_t dst, int plen, int ifindex,
		       uint32_t src, uint32_t table);
int priv_route_add_via(struct priv *p, uint32_t dst, int plen, uint32_t gw,
		       int ifindex, uint32_t src, uint32_t table, int mtu);
int priv_route_flush(struct priv *p, uint32_t table);
/* dst/plen unreachable in table (one of ours, never main) */
int priv_route_unreachable(struct priv *p, uint32_t dst, int plen,
			   uint32_t table);
int priv_rule_add(struct priv *p, uint32_t prio, uint32_t table,
		  uint32_t fwmark, int suppress_plen);
int priv_rule_add_from(struct priv *p, uint32_t prio, uint32_t table,
		       uint32_t from);
int priv_rule_del(struct priv *p, uint32_t prio);
int priv_rule_iif(struct priv *p, bool add, uint32_t prio, uint32_t table,
		  uint32_t from, const char *iif);
int priv_neigh_add(struct priv *p, int ifindex, uint32_t addr,
		   const uint8_t mac[6]);
int priv_neigh_del(struct priv *p, int ifindex, uint32_t addr);
int priv_proxy(struct priv *p, bool add, int ifindex, uint32_t addr,
	       bool async);
int priv_garp(struct priv *p, int ifindex, uint32_t addr,
	      const uint8_t sha[6], bool async);
/* Start the VPN client's command; its result comes to the VPN callback. */
int priv_vpn_run(struct priv *p, enum priv_vpn what);

/* ---- the direct backend (priv_direct.c) ---- */

struct event_base;
struct mip4_config;
/*
 * Requests carried out in this process with rtnetlink (sys/nl.h) and
 * posix_spawn.  conf is read for the VPN commands; policy, when set,
 * checks each request first (the privileged parent does: privsep.c).
 * NULL when out of memory or netlink cannot be opened.
 */
struct priv *priv_direct_new(struct event_base *base,
			     const struct mip4_config *conf);
/* The direct executor as a function: what the parent runs per request. */
int priv_direct_exec(struct priv *p, const struct priv_req *rq);

#endif
