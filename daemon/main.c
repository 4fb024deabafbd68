/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mip4d: the Mobile IPv4 daemon.  One process, one event loop (libevent),
 * no threads; roles are enabled by the configuration.
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
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "mip4/replay.h"
#include "mip4d.h"

#define DEFAULT_CONF "/etc/mip4d.conf"

uint64_t mip4d_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void mip4d_timer_at(struct event *ev, uint64_t deadline_ms)
{
	uint64_t t = mip4d_now_ms();
	struct timeval tv;

	event_del(ev);
	if (!deadline_ms)
		return;
	t = deadline_ms > t ? deadline_ms - t : 0;
	tv.tv_sec = (time_t)(t / 1000);
	tv.tv_usec = (suseconds_t)(t % 1000) * 1000;
	event_add(ev, &tv);
}

uint64_t mip4d_now_ntp(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return mip4_ntp_from_unix(ts.tv_sec, (uint32_t)ts.tv_nsec);
}

int64_t mip4d_now_wall(void)
{
	return (int64_t)time(NULL);
}

uint32_t mip4d_random32(void)
{
	uint32_t r;

	if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r)
		fatalx("getrandom failed");
	return r;
}

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

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	harole_tick(arg);
}

static void on_hup(evutil_socket_t fd, short what, void *arg)
{
	struct mip4d *d = arg;
	struct mip4_config nc;
	char err[512];
	json_object *ev;

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
	if (nc.have_ha != d->conf.have_ha || nc.have_mn != d->conf.have_mn ||
	    nc.have_fa != d->conf.have_fa ||
	    (nc.have_ha && harole_reload(d, &nc) < 0) ||
	    (nc.have_fa && farole_reload(d, &nc) < 0)) {
		d->counters[D_RELOAD_ERR]++;
		log_warnx("reload refused: roles cannot be added or removed at "
			  "run time");
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
	ev = json_object_new_object();
	json_object_object_add(ev, "event", json_object_new_string("reloaded"));
	ctlsock_event(d, ev);
}

static void on_term(evutil_socket_t fd, short what, void *arg)
{
	struct mip4d *d = arg;

	(void)fd;
	(void)what;
	log_info("shutting down");
	event_base_loopexit(d->base, NULL);
}

int main(int argc, char **argv)
{
	static struct mip4d d;
	const char *sock = NULL;
	bool check = false;
	char err[512];
	struct timeval sec = {1, 0};
	int opt, rc = 1;

	d.conf_path = DEFAULT_CONF;
	d.udp_fd = -1;
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
	d.started_ms = mip4d_now_ms();
	d.base = event_base_new();
	if (!d.base)
		fatalx("event_base_new failed");
	if (ctlsock_open(&d, d.conf.control_socket) < 0 ||
	    (d.conf.have_ha && harole_start(&d) < 0) ||
	    (d.conf.have_fa && farole_start(&d) < 0) ||
	    (d.conf.have_mn && mnrole_start(&d) < 0))
		goto out;
	if (drop_privileges() < 0)
		goto out;
	d.ev_tick = event_new(d.base, -1, EV_PERSIST, on_tick, &d);
	d.ev_hup = evsignal_new(d.base, SIGHUP, on_hup, &d);
	d.ev_term = evsignal_new(d.base, SIGTERM, on_term, &d);
	d.ev_int = evsignal_new(d.base, SIGINT, on_term, &d);
	if (!d.ev_tick || !d.ev_hup || !d.ev_term || !d.ev_int ||
	    event_add(d.ev_tick, &sec) < 0 || event_add(d.ev_hup, NULL) < 0 ||
	    event_add(d.ev_term, NULL) < 0 || event_add(d.ev_int, NULL) < 0)
		fatalx("cannot set up timers and signals");
	log_info("running, control socket %s", d.conf.control_socket);
	{
		json_object *ev = json_object_new_object();

		json_object_object_add(ev, "event", json_object_new_string("started"));
		ctlsock_event(&d, ev);
	}
	event_base_dispatch(d.base);
	rc = 0;
out:
	mnrole_stop(&d);
	farole_stop(&d);
	harole_stop(&d);
	ctlsock_close(&d);
	if (d.ev_tick)
		event_free(d.ev_tick);
	if (d.ev_hup)
		event_free(d.ev_hup);
	if (d.ev_term)
		event_free(d.ev_term);
	if (d.ev_int)
		event_free(d.ev_int);
	event_base_free(d.base);
	mip4_config_free(&d.conf);
	return rc;
}
