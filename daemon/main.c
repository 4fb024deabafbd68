/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mip4d: the Mobile IPv4 daemon.  One event loop (libevent), no threads;
 * roles are enabled by the configuration and walked from one table
 * (roles.c, role.h).
 *
 *   mip4d [-dn] [-f FILE] [-s SOCKET]
 */
#include <cap-ng.h>
#include <systemd/sd-daemon.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "ctlsock.h"
#include "hostcheck.h"
#include "json.h"
#include "log.h"
#include "metricsd.h"
#include "mip4/ip.h"
#include "priv.h"
#include "privsep.h"
#include "reload.h"
#include "role.h"

#define DEFAULT_CONF "/etc/mip4d/mip4d.conf"
#define MAX_ROLES 8

struct mip4d {
	struct event_base *base;
	const char *conf_path;
	bool debug;
	bool to_stderr; /* -d or -F; else syslog */
	struct mip4_config conf;
	struct metricsd *metrics; /* metrics-listen, or NULL */
	struct role_env env;
	struct role_inst roles[MAX_ROLES];
	size_t n_roles;
	struct priv *priv;
	struct ctlsock *ctl;
	struct ctl_view view;
	struct event *ev_tick, *ev_hup, *ev_term, *ev_int;
	struct privsep_info ps;
	int pid; /* the main process: the parent's when split */
	bool reloading; /* a reload is being parsed or loaded */
	struct reload_parse *parsing; /* one process: the file being parsed */
	struct reload_load *loading;  /* its image being read */
	struct reload_free *old_conf; /* the one it replaced, being wiped */
	int image_fd;		      /* the image of the one being applied */
	char state_dir[MIP4_CONFIG_PATH_MAX];
	uint64_t counters[D_NCOUNTERS];
};

static void usage(void)
{
	fprintf(stderr, "usage: mip4d [-dFn] [-f FILE] [-s SOCKET]\n"
			"  -d         log to stderr, with debug messages\n"
			"  -F         log to stderr (default: syslog)\n"
			"  -n         check the configuration, print it, exit\n"
			"  -f FILE    configuration (default " DEFAULT_CONF ")\n"
			"  -s SOCKET  control socket (overrides the file)\n");
	exit(2);
}

/*
 * Keep only what running needs: CAP_NET_ADMIN (routes, neighbours, links)
 * and CAP_NET_RAW (packet sockets for gratuitous ARP).  Sockets, the TUN
 * device and the state database are open by then.
 */
static int drop_privileges(void)
{
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_updatev(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED,
			  CAP_NET_ADMIN, CAP_NET_RAW, -1) < 0 ||
	    capng_apply(CAPNG_SELECT_BOTH) < 0) {
		log_warnx("cannot drop capabilities");
		return -1;
	}
	return 0;
}

/* A privileged request that was not waited for failed. */
static void on_priv_error(void *ctx, const struct priv_req *rq, int err)
{
	struct mip4d *d = ctx;
	char a[16];

	d->counters[D_ROUTE_ERR]++;
	log_warnx("%s %s/%d: %s", priv_op_name((enum priv_op)rq->op),
		  mip4_ntoa(rq->dst, a), rq->plen, strerror(-err));
}

/* The engine's only file system: the store's directory, when a role uses
 * the store (the home agent). */
static const char *state_dir(struct mip4d *d)
{
	char *slash;

	if (!d->conf.have_ha)
		return NULL;
	snprintf(d->state_dir, sizeof d->state_dir, "%s", d->conf.state_db);
	slash = strrchr(d->state_dir, '/');
	if (!slash)
		return NULL; /* relative: refused by the sandbox below */
	*slash = '\0';
	return d->state_dir[0] ? d->state_dir : "/";
}

/* `mip4ctl status`: how the processes are split. */
static void privsep_status(void *ctx, json_object *o)
{
	struct mip4d *d = ctx;
	json_object *ps = json_object_new_object();

	json_object_object_add(ps, "on", json_object_new_boolean(d->ps.on));
	if (d->ps.on) {
		jadd_int(ps, "parent", d->ps.parent);
		jadd_int(ps, "engine", d->ps.engine);
		jadd_str(ps, "user", d->ps.user);
		json_object_object_add(ps, "seccomp",
				       json_object_new_boolean(d->ps.seccomp));
		json_object_object_add(ps, "landlock",
				       json_object_new_boolean(d->ps.landlock));
	}
	json_object_object_add(o, "privsep", ps);
}

/* `mip4ctl counters`: the privileged side's. */
static void privsep_counters(void *ctx, json_object *o)
{
	struct mip4d *d = ctx;
	json_object *ps = json_object_new_object();
	struct ps_stats st;

	jadd_int(ps, "requests", (int64_t)d->priv->requests);
	jadd_int(ps, "failed", (int64_t)d->priv->failed);
	jadd_int(ps, "refused", (int64_t)d->priv->refused);
	if (d->ps.on && privsep_stats(d->priv, &st) == 0) {
		jadd_int(ps, "parent-requests", (int64_t)st.requests);
		jadd_int(ps, "parent-refused", (int64_t)st.refused);
		jadd_int(ps, "parent-failed", (int64_t)st.failed);
		jadd_int(ps, "parent-malformed", (int64_t)st.malformed);
	}
	json_object_object_add(o, "privsep", ps);
}

/* One line for systemctl status: each role and its headline figure. */
static void status_line(struct mip4d *d, char *out, size_t cap)
{
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < d->n_roles && n < cap; i++) {
		json_object *st = d->roles[i].ops->status(d->roles[i].state);
		json_object *v;
		const char *what = NULL;

		if (json_object_object_get_ex(st, "bindings", &v))
			what = "bindings";
		else if (json_object_object_get_ex(st, "visitors", &v))
			what = "visitors";
		else if (json_object_object_get_ex(st, "mode", &v))
			what = "mode";
		n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? "; " : "",
				      d->roles[i].ops->name);
		if (what && n < cap)
			n += (size_t)snprintf(out + n, cap - n, " (%s %s)", what,
					      json_object_get_string(v));
		json_object_put(st);
	}
}

/* Tell the service manager (sd_notify; nothing without NOTIFY_SOCKET):
 * ready once the sockets are bound, the state restored and the data plane
 * in place.  Separated, the parent is the main process: it says it. */
static void notify_ready(struct mip4d *d)
{
	char line[256];

	status_line(d, line, sizeof line);
	if (d->ps.on)
		privsep_ready(d->priv, line);
	else
		(void)sd_notifyf(0, "READY=1\nSTATUS=%s", line);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct mip4d *d = arg;

	(void)fd;
	(void)what;
	for (size_t i = 0; i < d->n_roles; i++)
		if (d->roles[i].ops->tick)
			d->roles[i].ops->tick(d->roles[i].state);
}

static void emit_simple(struct mip4d *d, const char *name)
{
	json_object *ev = json_object_new_object();

	jadd_str(ev, "event", name);
	role_event(&d->env, ev);
}

/*
 * A new configuration for the roles that run.  Each takes what can change
 * (keys, limits, policy) or refuses; the set of roles stays.  Takes nc.
 */
static int reload_conf(struct mip4d *d, struct mip4_config *nc)
{
	for (size_t i = 0; mip4d_roles[i]; i++) {
		bool runs = false;

		for (size_t k = 0; k < d->n_roles; k++)
			runs |= d->roles[k].ops == mip4d_roles[i];
		if (mip4d_roles[i]->wanted(nc) != runs) {
			log_warnx("reload refused: roles cannot be added or "
				  "removed at run time");
			goto refuse;
		}
	}
	for (size_t i = 0; i < d->n_roles; i++)
		if (d->roles[i].ops->reload(d->roles[i].state, nc) < 0) {
			log_warnx("reload refused by the %s",
				  d->roles[i].ops->name);
			goto refuse;
		}
	if (nc->have_mn) {
		/* the running registration keeps its parameters */
		log_info("reload: the mobile-node block is read at start only");
		nc->mn = d->conf.mn;
		nc->have_vpn = d->conf.have_vpn;
		nc->vpn = d->conf.vpn;
	}
	/* keep the control socket, metrics and store the daemon runs with */
	memcpy(nc->control_socket, d->conf.control_socket,
	       sizeof nc->control_socket);
	nc->metrics_addr = d->conf.metrics_addr;
	nc->metrics_port = d->conf.metrics_port;
	reload_free_later(d->base, &d->conf, d->image_fd, &d->old_conf);
	d->image_fd = -1;
	d->conf = *nc;
	d->counters[D_RELOADS]++;
	emit_simple(d, "reloaded");
	if (!d->ps.on) /* separated: the parent says it */
		(void)sd_notify(0, "READY=1");
	return 0;
refuse:
	d->counters[D_RELOAD_ERR]++;
	mip4_config_free(nc);
	return -1;
}

/* A reload's image read (reload.h): the roles take it, or not. */
static void reload_loaded(void *ctx, struct mip4_config *nc, int image_fd,
			  const char *err)
{
	struct mip4d *d = ctx;
	int rc = -1;

	d->reloading = false;
	d->loading = NULL;
	d->image_fd = image_fd; /* let go of with the old configuration */
	if (!nc) {
		d->counters[D_RELOAD_ERR]++;
		log_warnx("reload refused, keeping the running configuration: %s",
			  err);
	} else {
		uint64_t t0 = mip4d_now_ms();

		rc = reload_conf(d, nc);
		log_info("reload: %s in %llu ms", rc == 0 ? "applied" : "refused",
			 (unsigned long long)(mip4d_now_ms() - t0));
	}
	if (d->image_fd >= 0) /* refused */
		reload_free_later(d->base, NULL, d->image_fd, &d->old_conf);
	d->image_fd = -1;
	if (d->ps.on)
		privsep_reload_done(d->priv, rc);
	else if (rc < 0)
		(void)sd_notify(0, "READY=1");
}

/* Read the image at fd in slices (taken over); false when it could not
 * start (then counted and logged). */
static bool reload_load(struct mip4d *d, int fd)
{
	char err[256];

	if (reload_load_start(d->base, fd, &d->conf, reload_loaded, d, err,
			      sizeof err, &d->loading) < 0) {
		d->counters[D_RELOAD_ERR]++;
		log_warnx("reload refused: %s", err);
		return false;
	}
	d->reloading = true;
	return true;
}

/* One process: the child parsed the file (reload.h). */
static void hup_parsed(void *ctx, int fd, const char *err)
{
	struct mip4d *d = ctx;

	d->reloading = false;
	d->parsing = NULL;
	if (fd < 0) {
		d->counters[D_RELOAD_ERR]++;
		log_warnx("reload refused, keeping the running configuration: %s",
			  err);
		return;
	}
	(void)sd_notify(0, "RELOADING=1");
	if (!reload_load(d, fd))
		(void)sd_notify(0, "READY=1");
}

/* SIGHUP, one process: parse the file again in a child, then load it. */
static void on_hup(evutil_socket_t fd, short what, void *arg)
{
	struct mip4d *d = arg;

	(void)fd;
	(void)what;
	if (d->ps.on) {
		/* the parent parses the file and hands it to engine_reload */
		privsep_hup(d->priv);
		return;
	}
	if (d->reloading) {
		log_warnx("reload: the previous one is still being applied");
		return;
	}
	if (reload_parse_start(d->base, d->conf_path, hup_parsed, d,
			       &d->parsing) < 0) {
		d->counters[D_RELOAD_ERR]++;
		log_warn("reload: cannot start parsing %s", d->conf_path);
		return;
	}
	d->reloading = true;
}

/* SIGHUP, separated: the parent parsed the file and hands over its image;
 * 1: being loaded (the answer goes with privsep_reload_done()). */
static int engine_reload(void *ctx, int fd)
{
	struct mip4d *d = ctx;
	int own;

	if (d->reloading) {
		log_warnx("reload: the previous one is still being applied");
		return -1;
	}
	own = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (own < 0) {
		d->counters[D_RELOAD_ERR]++;
		log_warn("reload");
		return -1;
	}
	return reload_load(d, own) ? 1 : -1;
}

static void on_term(evutil_socket_t fd, short what, void *arg)
{
	struct mip4d *d = arg;

	(void)fd;
	(void)what;
	log_info("shutting down");
	if (!d->ps.on) /* separated: the parent says it */
		(void)sd_notify(0, "STOPPING=1");
	event_base_loopexit(d->base, NULL);
}

/* Open every role the configuration asks for (as root). */
static int roles_open(struct mip4d *d)
{
	for (size_t i = 0; mip4d_roles[i]; i++) {
		const struct role_ops *ops = mip4d_roles[i];
		struct role_inst *r;

		if (!ops->wanted(&d->conf))
			continue;
		if (d->n_roles == MAX_ROLES)
			fatalx("too many roles");
		r = &d->roles[d->n_roles++];
		r->ops = ops;
		if (ops->open(&d->env, &r->state) < 0)
			return -1;
	}
	return 0;
}

static int roles_start(struct mip4d *d)
{
	for (size_t i = 0; i < d->n_roles; i++)
		if (d->roles[i].ops->start(d->roles[i].state) < 0)
			return -1;
	return 0;
}

/* In reverse: a mobile node leaves before the agents it may use. */
static void roles_stop(struct mip4d *d)
{
	while (d->n_roles > 0) {
		struct role_inst *r = &d->roles[--d->n_roles];

		r->ops->stop(r->state);
	}
}

/* The privileged parent, the engine gone: each role's release. */
static void roles_release(void *ctx, bool clean)
{
	struct mip4d *d = ctx;

	for (size_t i = d->n_roles; i-- > 0;)
		if (d->roles[i].ops->release)
			d->roles[i].ops->release(d->roles[i].state, clean);
}

static void signals_start(struct mip4d *d)
{
	struct timeval sec = {1, 0};

	d->ev_tick = event_new(d->base, -1, EV_PERSIST, on_tick, d);
	d->ev_hup = evsignal_new(d->base, SIGHUP, on_hup, d);
	d->ev_term = evsignal_new(d->base, SIGTERM, on_term, d);
	d->ev_int = evsignal_new(d->base, SIGINT, on_term, d);
	if (!d->ev_tick || !d->ev_hup || !d->ev_term || !d->ev_int ||
	    event_add(d->ev_tick, &sec) < 0 || event_add(d->ev_hup, NULL) < 0 ||
	    event_add(d->ev_term, NULL) < 0 || event_add(d->ev_int, NULL) < 0)
		fatalx("cannot set up timers and signals");
}

static void signals_stop(struct mip4d *d)
{
	struct event *evs[] = {d->ev_tick, d->ev_hup, d->ev_term, d->ev_int};

	for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++)
		if (evs[i])
			event_free(evs[i]);
}

int main(int argc, char **argv)
{
	static struct mip4d d;
	const char *sock = NULL;
	bool check = false;
	char err[512];
	int opt, rc = 1;

	d.conf_path = DEFAULT_CONF;
	d.image_fd = -1;
	while ((opt = getopt(argc, argv, "dFnf:s:h")) != -1) {
		switch (opt) {
		case 'd':
			d.debug = d.to_stderr = true;
			break;
		case 'F':
			d.to_stderr = true;
			break;
		case 'n':
			check = true;
			break;
		case 'f':
			d.conf_path = optarg;
			break;
		case 's':
			sock = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	/* -n talks to the one who runs it; the daemon to syslog unless told */
	log_init(d.to_stderr || check, d.debug);
	if (mip4_config_parse_file(d.conf_path, &d.conf, err, sizeof err) < 0) {
		fprintf(stderr, "mip4d: %s\n", err);
		return 1;
	}
	if (check) {
		unsigned w;

		mip4_config_print(&d.conf, stdout);
		w = hostcheck(&d.conf, stderr);
		if (w)
			fprintf(stderr, "mip4d: configuration OK, %u warning%s "
					"about this host\n", w, w > 1 ? "s" : "");
		else
			fprintf(stderr, "mip4d: configuration OK\n");
		mip4_config_free(&d.conf);
		return 0;
	}
	if (!d.conf.have_ha && !d.conf.have_mn && !d.conf.have_fa) {
		fprintf(stderr, "mip4d: %s: no role configured\n", d.conf_path);
		mip4_config_free(&d.conf);
		return 1;
	}
	if (sock)
		snprintf(d.conf.control_socket, sizeof d.conf.control_socket,
			 "%s", sock);
	signal(SIGPIPE, SIG_IGN);
	d.pid = (int)getpid();
	d.base = event_base_new();
	if (!d.base)
		fatalx("event_base_new failed");
	d.view = (struct ctl_view){
		.roles = d.roles,
		.n_roles = &d.n_roles,
		.conf_path = d.conf_path,
		.pid = &d.pid,
		.started_ms = mip4d_now_ms(),
		.counters = d.counters,
		.more_status = privsep_status,
		.more_counters = privsep_counters,
		.more_ctx = &d,
	};
	if (ctlsock_open(d.base, d.conf.control_socket, &d.view, &d.ctl) < 0)
		goto out;
	if (d.conf.metrics_port &&
	    metricsd_open(d.base, d.conf.metrics_addr, d.conf.metrics_port,
			  d.ctl, &d.metrics) < 0)
		goto out;
	d.env = (struct role_env){
		.base = d.base,
		.conf = &d.conf,
		.priv = NULL, /* none while the roles open */
		.emit = ctlsock_emit,
		.monitored = ctlsock_monitored,
		.ctx = d.ctl,
		.counters = d.counters,
	};
	if (roles_open(&d) < 0)
		goto out;
	capng_get_caps_process();
	if (geteuid() == 0 ||
	    capng_have_capabilities(CAPNG_SELECT_CAPS) != CAPNG_NONE) {
		/* the engine runs from here on, the parent never returns */
		struct privsep_cfg pc = {
			.conf_path = d.conf_path,
			.conf = &d.conf,
			.ctl_path = d.conf.control_socket,
			.state_dir = state_dir(&d),
			.reload = engine_reload,
			.reload_ctx = &d,
			.engine_ended = roles_release,
		};

		d.priv = privsep_split(d.base, &pc, &d.ps);
	} else {
		log_info("started with no privilege: one process");
		d.priv = priv_direct_new(d.base, &d.conf);
		if (d.priv && drop_privileges() < 0)
			goto out;
	}
	if (!d.priv)
		goto out;
	d.env.priv = d.priv;
	priv_set_error_cb(d.priv, on_priv_error, &d);
	if (roles_start(&d) < 0)
		goto out;
	signals_start(&d);
	log_info("running, control socket %s", d.conf.control_socket);
	emit_simple(&d, "started");
	notify_ready(&d);
	event_base_dispatch(d.base);
	rc = 0;
out:
	roles_stop(&d);
	metricsd_close(d.metrics);
	ctlsock_close(d.ctl);
	priv_free(d.priv);
	signals_stop(&d);
	reload_parse_abort(d.parsing);
	reload_load_abort(d.loading);
	reload_free_now(&d.old_conf);
	event_base_free(d.base);
	mip4_config_free(&d.conf);
	return rc;
}
