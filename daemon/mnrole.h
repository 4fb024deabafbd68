/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/mnrole.h - one Mobile IP layer of a mobile node (mnrole.c), and
 * the RFC 5265 node built from two of them (vpnrole.c).
 *
 * The plain RFC 5944 node is one layer that decides its attachment from
 * its interfaces.  The RFC 5265 node runs an outer layer (x-MIP: x-HA,
 * x-HoA on its own TUN) and an inner one (i-MIP: i-HA, i-HoA), each with
 * its own firewall mark, routing table and rule priorities, and tells
 * them where to register from (mnrole_attach) and when to hold user data
 * back (mnrole_gate).
 */
#ifndef MIP4D_MNROLE_H
#define MIP4D_MNROLE_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "config.h"
#include "mip4/mn.h"

struct mip4d;
struct mnrole;

enum mnrole_note {
	MNROLE_SCAN, /* what the interfaces offer changed */
	MNROLE_REG,  /* the registration changed (mip4_mn events) */
};

struct mnrole_params {
	const struct mip4_config_mnrole *c;
	const char *tag;  /* "" for the plain node, " (x)" / " (i)" */
	const char *layer; /* NULL, or "x" / "i" in events */
	uint32_t mark;	  /* SO_MARK of our own outer packets */
	uint32_t table;	  /* the tunnel's routing table */
	uint32_t pref_mark;  /* rule: fwmark mark -> main (or mnrole_mark_table) */
	uint32_t pref_local; /* rule: main suppress_prefixlength 0; 0 = none */
	uint32_t pref_table; /* rule: -> table (from the home address only if
				from_home) */
	bool from_home;
	bool keep_routes;  /* away routes even while detached (never home) */
	bool anon_solicit; /* solicit from 0.0.0.0 (RFC 1256 §5.1): the
			      i-HoA must not show on an outside link */
	uint16_t udp_port; /* local registration port: 434, or 0 = any */
	uint32_t renew_max_ms;
	int mtu;	   /* TUN MTU, 0: 1500 minus the outer headers */
	void (*notify)(void *ctx, struct mnrole *r, enum mnrole_note what);
	void *ctx;
};

/* The plain node (mip4d.h: mnrole_start/stop/status/counters). */
struct mnrole *mnrole_new(struct mip4d *d, const struct mnrole_params *p);
/* Deregister if away (waits up to a second), take routes away, free. */
void mnrole_free(struct mnrole *r);

/* Register from at (NULL: from what the interfaces offer). */
void mnrole_attach(struct mnrole *r, const struct mip4_mn_attach *at);
void mnrole_gate(struct mnrole *r, bool gate);
/* Marked (outer) packets look up this table (0: main). */
void mnrole_mark_table(struct mnrole *r, uint32_t table);

const struct mip4_mn *mnrole_mn(const struct mnrole *r);
/* What the interfaces offer now (via an FA: its MAC in mac); false when
 * nothing was scanned yet. */
bool mnrole_scan(const struct mnrole *r, struct mip4_mn_attach *at,
		 uint32_t *gateway, int *ifindex, uint8_t mac[6]);
int mnrole_tun_ifindex(const struct mnrole *r);
/* The attachment registered from now (where, coa). */
enum mip4_mn_where mnrole_where(const struct mnrole *r);

/* The clock inputs of lib/mn.c, now. */
struct mip4_mn_now mnrole_now(void);

/* A registration request from o->src (IP_PKTINFO); to a foreign agent
 * with TTL 255 (RFC 3024 §4.2.1).  0 or -1 with errno. */
int mnrole_send_request(int fd, struct mip4_mn_out *o, bool to_fa);

json_object *mnrole_status_of(struct mnrole *r);
json_object *mnrole_counters_of(struct mnrole *r);

/* vpnrole.c: the RFC 5265 node (also the mc / naive baselines). */
int vpnrole_start(struct mip4d *d);
void vpnrole_stop(struct mip4d *d);
json_object *vpnrole_status(struct mip4d *d);
json_object *vpnrole_counters(struct mip4d *d);

#endif
