/* SPDX-License-Identifier: BSD-2-Clause */
/* daemon/mip4d.h - the daemon's shared context. */
#ifndef MIP4D_H
#define MIP4D_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "mip4/ha.h"

struct event_base;
struct event;
struct dp;
struct nl;
struct store;
struct ctlsock;
struct mnrole;
struct vpnrole;
struct farole;
struct garp_queue;

/* Daemon-level counters (the roles keep their own). */
enum mip4d_counter {
	D_UDP_RX,
	D_UDP_RX_ERR,
	D_UDP_TX,
	D_UDP_TX_ERR,
	D_TUNNEL_DATA_RX,
	D_ROUTE_ERR,
	D_STORE_ERR,
	D_RELOADS,
	D_RELOAD_ERR,
	D_EXPIRED,
	D_GARP_TX,	/* gratuitous ARPs sent (RFC 5944 §4.6) */
	D_GARP_NO_MAC,	/* one for a node back home, its address unknown */
	D_NCOUNTERS
};

struct mip4d {
	struct event_base *base;
	const char *conf_path;
	bool debug;
	struct mip4_config conf;
	struct mip4_ha *ha;
	struct dp *dp;
	struct nl *nl;
	struct store *store;
	int udp_fd;
	int tun_ifindex;
	int home_ifindex; /* physical home link, or 0 */
	struct garp_queue *garp; /* repeats on the home link */
	bool *fa_warned; /* per foreign-agent entry: misplaced SA logged */
	struct event *ev_udp, *ev_tun, *ev_raw, *ev_tick;
	struct event *ev_hup, *ev_term, *ev_int;
	struct ctlsock *ctl;
	struct mnrole *mnr; /* mobile-node role (RFC 5265: its i-MIP), or NULL */
	struct vpnrole *vpr; /* RFC 5265 mobile node, or NULL */
	struct farole *far; /* foreign-agent role, or NULL */
	uint64_t started_ms;
	uint64_t counters[D_NCOUNTERS];
};

const char *mip4d_counter_name(enum mip4d_counter c);

/* Clocks. */
uint64_t mip4d_now_ms(void);   /* monotonic */
uint64_t mip4d_now_ntp(void);  /* wall clock, NTP format */
/* (Re)arm a timer event for a monotonic deadline (ms); 0 disarms it. */
struct event;
void mip4d_timer_at(struct event *ev, uint64_t deadline_ms);
int64_t mip4d_now_wall(void);  /* Unix seconds */
uint32_t mip4d_random32(void);

/* harole.c: the home agent role. */
int harole_start(struct mip4d *d);
void harole_stop(struct mip4d *d);
void harole_tick(struct mip4d *d);
int harole_reload(struct mip4d *d, struct mip4_config *newconf);
json_object *harole_status(struct mip4d *d);
json_object *harole_bindings(struct mip4d *d);
json_object *harole_counters(struct mip4d *d);

/* mnrole.c: the mobile node role. */
int mnrole_start(struct mip4d *d);
void mnrole_stop(struct mip4d *d);
json_object *mnrole_status(struct mip4d *d);
json_object *mnrole_counters(struct mip4d *d);

/* farole.c: the foreign agent role. */
int farole_start(struct mip4d *d);
void farole_stop(struct mip4d *d);
int farole_reload(struct mip4d *d, struct mip4_config *newconf);
json_object *farole_status(struct mip4d *d);
json_object *farole_visitors(struct mip4d *d);
json_object *farole_counters(struct mip4d *d);

/* ctlsock.c: control socket (protocol version MIP4_CTL_VERSION). */
#define MIP4_CTL_VERSION 1
int ctlsock_open(struct mip4d *d, const char *path);
void ctlsock_close(struct mip4d *d);
/* One-line event to every `monitor` client and to the log.  Takes the
 * reference to ev. */
void ctlsock_event(struct mip4d *d, json_object *ev);
/* The same for routine events (renewals): logged only with -d. */
void ctlsock_event_routine(struct mip4d *d, json_object *ev);
/* Is any client following events (mip4ctl monitor)? */
bool ctlsock_monitored(const struct mip4d *d);
/* Members of a JSON object: a string, an integer, a dotted address. */
void jadd_str(json_object *o, const char *k, const char *v);
void jadd_int(json_object *o, const char *k, int64_t v);
void jadd_addr(json_object *o, const char *k, uint32_t a);

#endif
