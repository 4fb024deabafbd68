/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/role.h - what every role offers the daemon (struct role_ops) and
 * what the daemon offers every role (struct role_env).
 *
 * main.c and the control socket walk the table of roles (roles.c) and
 * never name one; a role never names another role, the control socket or
 * main.c.  Everything a role needs from outside comes through its
 * role_env: the event loop, the configuration, the privileged operations
 * (priv.h), the event stream and the daemon-wide counters.
 *
 * Life of a role, in the order main.c calls:
 *   open    as root, before privileges are dropped: sockets, devices, the
 *           data plane; nothing that reads state or talks to the network
 *   start   unprivileged: restore state, arm timers, start listening
 *   tick    once a second
 *   reload  SIGHUP: take what can change from the new configuration
 *   stop    undo start and open, free everything (also after a failed
 *           open or start)
 *   release in the privileged parent, once the engine has ended (its copy
 *           of the state from before the split): tear down what only
 *           privileges can (clean: the engine exited with status 0), or
 *           leave it for the next start to take over (it died)
 */
#ifndef MIP4D_ROLE_H
#define MIP4D_ROLE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"

struct event_base;
struct priv;
struct priv_policy;

/* Daemon-level counters, shared by the roles (each keeps its own too). */
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
	D_GARP_TX,     /* gratuitous ARPs sent (RFC 5944 §4.6) */
	D_GARP_NO_MAC, /* one for a node back home, its address unknown */
	D_NCOUNTERS
};
const char *mip4d_counter_name(enum mip4d_counter c);

struct role_env {
	struct event_base *base;
	/* The running configuration; SIGHUP replaces what it holds, the
	 * pointer stays. */
	struct mip4_config *conf;
	struct priv *priv;
	/* One-line event to every `monitor` client and to the log (takes
	 * the reference to ev); routine events (renewals) are logged only
	 * with -d. */
	void (*emit)(void *ctx, json_object *ev, bool routine);
	/* Is anyone following events (mip4ctl monitor)? */
	bool (*monitored)(void *ctx);
	void *ctx;
	uint64_t *counters; /* [D_NCOUNTERS] */
};

/*
 * What a listing is narrowed to (mip4ctl bindings --home, --coa, --nai):
 * an entry shows when its home address lies in home_net/home_mask, one of
 * its care-of addresses in coa_net/coa_mask, and its NAI starts with the
 * nai_len bytes of nai.  0.0.0.0/0 and nai_len 0 let anything through;
 * with nai_len > 0 an entry without an NAI does not show.
 */
struct list_filter {
	uint32_t home_net, home_mask;
	uint32_t coa_net, coa_mask;
	size_t nai_len;
	char nai[256];
};
bool list_filter_home(const struct list_filter *f, uint32_t a);
bool list_filter_coa(const struct list_filter *f, uint32_t a);
bool list_filter_nai(const struct list_filter *f, const char *nai);

/* Shorthands for the event stream. */
void role_event(const struct role_env *env, json_object *ev);
void role_event_routine(const struct role_env *env, json_object *ev);
bool role_monitored(const struct role_env *env);

struct role_ops {
	const char *name; /* "home-agent": in status "roles" */
	const char *key;  /* "home_agent": its object in status */
	/* Does the configuration ask for this role? */
	bool (*wanted)(const struct mip4_config *c);
	int (*open)(const struct role_env *env, void **state);
	int (*start)(void *state);
	void (*stop)(void *state);
	/* 0, or -1 to refuse the new configuration (the old one stays).
	 * May adjust nc to what stays as it was (resolved at start). */
	int (*reload)(void *state, struct mip4_config *nc);
	void (*tick)(void *state); /* NULL: none */
	json_object *(*status)(void *state);
	/* Add its counters to out, one object per section. */
	void (*counters)(void *state, json_object *out);
	/*
	 * One step of a listing by name ("bindings", "visitors"): appends to
	 * out (a JSON array) the entries that f lets through among about max
	 * more, from *cursor on (0 at the start), and moves *cursor past
	 * them.  1: more may follow; 0: the listing is complete; -1: the
	 * role has no such listing (NULL: the role has no listing at all).
	 * The control socket streams a listing this way, one bounded step
	 * per turn of the event loop, so it never holds it whole; an entry
	 * present for the whole listing is shown exactly once.
	 */
	int (*list_page)(void *state, const char *what,
			 const struct list_filter *f, uint64_t *cursor,
			 size_t max, json_object *out);
	/* What the role may ask of the privileged parent, from the
	 * configuration alone (priv_policy.h). */
	void (*allow)(const struct mip4_config *c, struct priv_policy *pol);
	void (*release)(void *state, bool clean); /* NULL: nothing to do */
};

/* Every role, in the order they start (NULL-terminated; roles.c). */
extern const struct role_ops *const mip4d_roles[];

/* A role that runs, and its state. */
struct role_inst {
	const struct role_ops *ops;
	void *state;
};

#endif
