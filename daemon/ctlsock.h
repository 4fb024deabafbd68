/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/ctlsock.h - the control socket (protocol version
 * MIP4_CTL_VERSION): one JSON request per connection, one JSON answer,
 * or a stream of events for `monitor`.  It knows the roles only as the
 * table main.c hands it.
 */
#ifndef MIP4D_CTLSOCK_H
#define MIP4D_CTLSOCK_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "role.h"

#define MIP4_CTL_VERSION 1
/* The longest request line taken. */
#define CTL_MAX_LINE 4096
/* At most this many clients at once; when all are taken, a new one
 * takes the place of the oldest that has not completed its request, else
 * of the listing stalled longest (ctlsock.c). */
#define CTL_MAX_CLIENTS 64
/* A client is closed when it has not completed its request this many
 * seconds after connecting, or when an answer or a monitor's events stay
 * unread that long; a listing may wait for its reader. */
#define CTL_IDLE_TIMEOUT_S 10

struct event_base;
struct ctlsock;

/* What the control socket shows; main.c owns it, it stays valid. */
struct ctl_view {
	const struct role_inst *roles;
	const size_t *n_roles;
	const char *conf_path;
	const int *pid; /* the daemon's (the privileged parent's when split) */
	uint64_t started_ms;
	const uint64_t *counters; /* [D_NCOUNTERS] */
	/* More members for `status` and sections for `counters` (the
	 * privileged parent's), or NULL. */
	void (*more_status)(void *ctx, json_object *out);
	void (*more_counters)(void *ctx, json_object *out);
	void *more_ctx;
};

/* 0 or -1 (logged). */
int ctlsock_open(struct event_base *base, const char *path,
		 const struct ctl_view *view, struct ctlsock **out);
void ctlsock_close(struct ctlsock *cs);
/* The event sink of role_env: one line to every monitor client and to
 * the log (takes the reference to ev). */
void ctlsock_emit(void *cs, json_object *ev, bool routine);
bool ctlsock_monitored(void *cs);
/* The results of `status` and `counters` (new references), for the
 * metrics endpoint (metricsd.c). */
json_object *ctlsock_status(const struct ctlsock *cs);
json_object *ctlsock_counters(struct ctlsock *cs);

#endif
