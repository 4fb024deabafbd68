/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/privsep.h - privilege separation.
 *
 * mip4d started as root opens what needs root (role_ops.open: sockets,
 * TUN devices, the data plane), then forks:
 *
 *   parent (privileged, small)            engine (unprivileged)
 *   CAP_NET_ADMIN, CAP_NET_RAW, CAP_KILL  system user, no capability,
 *   routes, rules, neighbours, ARP,       seccomp, Landlock: parses every
 *   the VPN client's commands     <----   packet, runs the roles, the
 *   checked against the configuration     store and the control socket
 *                      SOCK_SEQPACKET socketpair, typed messages
 *
 * The parent keeps no file descriptor of the roles: it serves requests
 * (struct priv_req in a message), reloads on SIGHUP (the configuration
 * file is handed to the engine as a descriptor) and forwards SIGTERM.
 * When the engine ends, the parent ends too, with the engine's verdict:
 * status 0 after a clean shutdown, 1 when the engine died (a seccomp
 * violation, a crash), so that the supervisor restarts both; the bindings
 * come back from the store as after kill -9.
 */
#ifndef MIP4D_PRIVSEP_H
#define MIP4D_PRIVSEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "priv.h"
#include "priv_policy.h"

struct event_base;
struct mip4_config;

/* ---- the wire: one message per SOCK_SEQPACKET record ---- */

#define PS_MAGIC 0x4d345053u /* "M4PS" */

enum ps_type {
	PS_REQ = 1,	/* engine -> parent: struct priv_req */
	PS_REPLY,	/* parent -> engine: result of seq */
	PS_VPN_DONE,	/* parent -> engine: struct ps_vpn + output */
	PS_RELOAD,	/* parent -> engine: the configuration file as fd */
	PS_RELOAD_DONE, /* engine -> parent: result */
	PS_STATS,	/* engine -> parent: ask for the counters */
	PS_STATS_REPLY, /* parent -> engine: struct ps_stats */
	PS_HUP,		/* engine -> parent: SIGHUP came to the engine */
	PS_READY,	/* engine -> parent: started; body: status line */
	PS_NTYPES
};

struct ps_hdr {
	uint32_t magic;
	uint16_t type;
	uint16_t len;	/* of the body that follows */
	uint32_t seq;
	int32_t result;
};

struct ps_vpn {
	uint32_t vpn;
	int32_t status;
	uint32_t killed;
	uint32_t out_len; /* bytes that follow */
};

struct ps_stats {
	uint64_t requests, refused, failed, malformed;
};

#define PS_MSG_MAX (sizeof(struct ps_hdr) + sizeof(struct ps_vpn) + \
		    PRIV_VPN_OUT_MAX)

/* ---- the parent's side of one message (pure, fuzzed) ---- */

struct ps_parent;
typedef int (*ps_exec_fn)(void *ctx, const struct priv_req *rq);

/*
 * One message from the engine: checked (header, length, the request's
 * fields, the policy), carried out with exec, answered in reply (its
 * length in *reply_len, 0 when there is no answer).  Refusals and
 * malformed messages are logged and counted; nothing the engine sends
 * can make the parent act outside the policy or fail.
 */
void ps_parent_handle(struct ps_parent *p, const uint8_t *msg, size_t len,
		      uint8_t *reply, size_t *reply_len);

struct ps_parent *ps_parent_new(const struct priv_policy *pol,
				ps_exec_fn exec, void *exec_ctx,
				pol_ifname_fn ifname);
void ps_parent_set_policy(struct ps_parent *p, const struct priv_policy *pol);
const struct ps_stats *ps_parent_stats(const struct ps_parent *p);
void ps_parent_free(struct ps_parent *p);

/* The policy of a configuration: the union of its roles' (role.h). */
void privsep_policy(const struct mip4_config *c, struct priv_policy *pol);

/* ---- the split ---- */

struct privsep_info {
	bool on;		/* running separated */
	pid_t parent, engine;
	uid_t uid;
	char user[32];
	bool seccomp, landlock;
};

/* What the engine does on PS_RELOAD: read and apply the configuration
 * image (config_image.h) from fd; 0, or -1 to keep the old one, or 1 when
 * it takes a while: then privsep_reload_done() gives the verdict. */
typedef int (*ps_reload_fn)(void *ctx, int fd);

struct privsep_cfg {
	const char *conf_path;
	struct mip4_config *conf;
	const char *ctl_path;  /* unlinked by the parent at the end */
	const char *state_dir; /* the engine's only file system, or NULL */
	ps_reload_fn reload;
	void *reload_ctx;
	/* In the parent, once the engine has ended, before it exits (clean:
	 * the engine exited with status 0). */
	void (*engine_ended)(void *ctx, bool clean);
};

/*
 * Fork.  The parent never returns (it serves the engine and exits with
 * its verdict).  The engine returns its priv (requests to the parent),
 * having dropped every privilege; base is re-initialised for the child.
 * NULL when the split failed (before the fork: the caller stops).
 */
struct priv *privsep_split(struct event_base *base,
			   const struct privsep_cfg *cfg,
			   struct privsep_info *info);

/* The engine runs: the parent tells the service manager (READY=1 and the
 * status line; engine side). */
void privsep_ready(struct priv *p, const char *status);
/* SIGHUP came to the engine: ask the parent to reload (engine side). */
void privsep_hup(struct priv *p);
/* A reload that ps_reload_fn took (1) is done: rc 0 applied, -1 not
 * (engine side). */
void privsep_reload_done(struct priv *p, int rc);
/* The parent's counters, asked over the socketpair (engine side). */
int privsep_stats(struct priv *p, struct ps_stats *out);

#endif
