/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/mnlayer.h - one Mobile IP layer of a mobile node.  The plain
 * RFC 5944 node (mnrole.c) is one layer that decides its attachment from
 * its interfaces; the RFC 5265 node (vpnrole.c) is built from two.
 *  The RFC 5265 node runs an outer layer (x-MIP: x-HA,
 * x-HoA on its own TUN) and an inner one (i-MIP: i-HA, i-HoA), each with
 * its own firewall mark, routing table and rule priorities, and tells
 * them where to register from (mnlayer_attach) and when to hold user data
 * back (mnlayer_gate).
 */
#ifndef MIP4D_MNLAYER_H
#define MIP4D_MNLAYER_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "config.h"
#include "mip4/mn.h"

struct mnlayer;
struct role_env;

enum mnlayer_note {
	MNLAYER_SCAN, /* what the interfaces offer changed */
	MNLAYER_REG,  /* the registration changed (mip4_mn events) */
};

struct mnlayer_params {
	const struct mip4_config_mnrole *c;
	const char *tag;  /* "" for the plain node, " (x)" / " (i)" */
	const char *layer; /* NULL, or "x" / "i" in events */
	uint32_t mark;	  /* SO_MARK of our own outer packets */
	uint32_t table;	  /* the tunnel's routing table */
	uint32_t pref_mark;  /* rule: fwmark mark -> main (or mnlayer_mark_table) */
	uint32_t pref_local; /* rule: main suppress_prefixlength 0; 0 = none */
	uint32_t pref_table; /* rule: -> table (from the home address only if
				from_home) */
	bool from_home;
	/* An address the tunnel's table never carries (0: none): an
	 * unreachable route for it there, beside the routes into the tunnel,
	 * so that a lookup falling through to the table fails instead of
	 * taking the catch-all (RFC 5266 mode: the VPN gateway). */
	uint32_t exclude;
	bool keep_routes;  /* away routes even while detached (never home) */
	bool anon_solicit; /* solicit from 0.0.0.0 (RFC 1256 §5.1): the
			      i-HoA must not show on an outside link */
	uint16_t udp_port; /* local registration port: 434, or 0 = any */
	uint32_t renew_max_ms;
	int mtu;	   /* TUN MTU, 0: 1500 minus the outer headers */
	void (*notify)(void *ctx, struct mnlayer *r, enum mnlayer_note what);
	void *ctx;
};

/* As root: the layer's sockets and tunnel device; nothing sent, no
 * route touched.  NULL on failure (logged). */
struct mnlayer *mnlayer_new(const struct role_env *env,
			    const struct mnlayer_params *p);
/* Unprivileged: its rules, the interface monitor, timers.  0 or -1. */
int mnlayer_start(struct mnlayer *r);
/* Decide the attachment from the interfaces (after start). */
void mnlayer_evaluate(struct mnlayer *r);
/* Deregister if away (waits up to a second), take routes away, free. */
void mnlayer_free(struct mnlayer *r);

/* Register from at (NULL: from what the interfaces offer). */
void mnlayer_attach(struct mnlayer *r, const struct mip4_mn_attach *at);
void mnlayer_gate(struct mnlayer *r, bool gate);
/* Marked (outer) packets look up this table (0: main). */
void mnlayer_mark_table(struct mnlayer *r, uint32_t table);

const struct mip4_mn *mnlayer_mn(const struct mnlayer *r);
/* What the interfaces offer now (via an FA: its MAC in mac); false when
 * nothing was scanned yet. */
bool mnlayer_scan(const struct mnlayer *r, struct mip4_mn_attach *at,
		 uint32_t *gateway, int *ifindex, uint8_t mac[6]);
int mnlayer_tun_ifindex(const struct mnlayer *r);
/* The attachment registered from now (where, coa). */
enum mip4_mn_where mnlayer_where(const struct mnlayer *r);

/* The clock inputs of lib/mn.c, now. */
struct mip4_mn_now mnlayer_now(void);

/* A registration request from o->src (IP_PKTINFO); to a foreign agent
 * with TTL 255 (RFC 3024 §4.2.1).  0 or -1 with errno. */
int mnlayer_send_request(int fd, struct mip4_mn_out *o, bool to_fa);

json_object *mnlayer_status_of(struct mnlayer *r);
json_object *mnlayer_counters_of(struct mnlayer *r);

#endif
