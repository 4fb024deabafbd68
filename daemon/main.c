/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mip4d: the Mobile IPv4 daemon.  One event loop (libevent), no threads;
 * roles are enabled by the configuration and walked from one table
 * (roles.c, role.h).
 *
 *   mip4d [-dn] [-f FILE] [-s SOCKET]
 */
#include <cap-ng.h>
#include <errno.h>
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "ctlsock.h"
#include "json.h"
#include "log.h"
#include "mip4/ip.h"
#include "priv.h"
#include "role.h"

#define DEFAULT_CONF "/etc/mip4d.conf"
#define MAX_ROLES 8

struct mip4d {
	struct event_base *base;
	const char *conf_path;
	bool debug;
	struct mip4_config conf;
	struct role_env env;
	struct role_inst roles[MAX_ROLES];
	size_t n_roles;
	struct priv *priv;
	struct ctlsock *ctl;
	struct ctl_view view;
	struct event *ev_tick, *ev_hup, *ev_term, *ev_int;
	uint64_t counters[D_NCOUNTERS];
};

static void usage(void)
{
	fprintf(stderr, "usage: mip4d [-dn] [-f FILE] [-s SOCKET]\n"
			"  -d         stay in the foreground, log to stderr, debug\n"
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
 * SIGHUP: a new configuration for the roles that run.  Each takes what
 * can change (keys, limits, policy) or refuses; the set of roles stays.
 */
static void on_hup(evutil_socket_t fd, short what, void *arg)
{
	struct mip4d *d = arg;
	struct mip4_config nc;
	char err[512];

	(void)fd;
	(void)what;
	memset(&nc, 0, sizeof nc);
	if (mip4_config_parse_file(d->conf_path, &nc, err, sizeof err) < 0) {
		d->counters[D_RELOAD_ERR]++;
		log_warnx("reload refused, keeping the running configuration: %s",
			  err);
		mip4_config_free(&nc);
		return;
	}
	for (size_t i = 0; mip4d_roles[i]; i++) {
		bool runs = false;

		for (size_t k = 0; k < d->n_roles; k++)
			runs |= d->roles[k].ops == mip4d_roles[i];
		if (mip4d_roles[i]->wanted(&nc) != runs) {
			d->counters[D_RELOAD_ERR]++;
			log_warnx("reload refused: roles cannot be added or "
				  "removed at run time");
			mip4_config_free(&nc);
			return;
		}
	}
	for (size_t i = 0; i < d->n_roles; i++)
		if (d->roles[i].ops->reload(d->roles[i].state, &nc) < 0) {
			d->counters[D_RELOAD_ERR]++;
			log_warnx("reload refused by the %s",
				  d->roles[i].ops->name);
			mip4_config_free(&nc);
			return;
		}
	if (nc.have_mn) {
		/* the running registration keeps its parameters */
		log_info("reload: the mobile-node block is read at start only");
		nc.mn = d->conf.mn;
		nc.have_vpn = d->conf.have_vpn;
		nc.vpn = d->conf.vpn;
	}
	/* keep the control socket path the daemon is listening on */
	memcpy(nc.control_socket, d->conf.control_socket,
	       sizeof nc.control_socket);
	mip4_config_free(&d->conf);
	d->conf = nc;
	d->counters[D_RELOADS]++;
	emit_simple(d, "reloaded");
}

static void on_term(evutil_socket_t fd, short what, void *arg)
{
	struct mip4d *d = arg;

	(void)fd;
	(void)what;
	log_info("shutting down");
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
	while ((opt = getopt(argc, argv, "dnf:s:h")) != -1) {
		switch (opt) {
		case 'd':
			d.debug = true;
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
	log_init(true, d.debug);
	if (mip4_config_parse_file(d.conf_path, &d.conf, err, sizeof err) < 0) {
		fprintf(stderr, "mip4d: %s\n", err);
		return 1;
	}
	if (check) {
		mip4_config_print(&d.conf, stdout);
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
	d.base = event_base_new();
	if (!d.base)
		fatalx("event_base_new failed");
	d.priv = priv_direct_new(d.base, &d.conf);
	if (!d.priv)
		goto out;
	priv_set_error_cb(d.priv, on_priv_error, &d);
	d.view = (struct ctl_view){
		.roles = d.roles,
		.n_roles = &d.n_roles,
		.conf_path = d.conf_path,
		.started_ms = mip4d_now_ms(),
		.counters = d.counters,
	};
	if (ctlsock_open(d.base, d.conf.control_socket, &d.view, &d.ctl) < 0)
		goto out;
	d.env = (struct role_env){
		.base = d.base,
		.conf = &d.conf,
		.priv = d.priv,
		.emit = ctlsock_emit,
		.monitored = ctlsock_monitored,
		.ctx = d.ctl,
		.counters = d.counters,
	};
	if (roles_open(&d) < 0 || drop_privileges() < 0 || roles_start(&d) < 0)
		goto out;
	signals_start(&d);
	log_info("running, control socket %s", d.conf.control_socket);
	emit_simple(&d, "started");
	event_base_dispatch(d.base);
	rc = 0;
out:
	roles_stop(&d);
	ctlsock_close(d.ctl);
	priv_free(d.priv);
	signals_stop(&d);
	event_base_free(d.base);
	mip4_config_free(&d.conf);
	return rc;
}
