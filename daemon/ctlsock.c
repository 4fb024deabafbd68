/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Control socket.  A client sends one JSON line
 *     {"version": 1, "command": "status"}
 * and gets one JSON line back,
 *     {"version": 1, "ok": true, "result": {...}}
 * or {"version": 1, "ok": false, "error": "..."}.
 * "monitor" answers ok and then streams one JSON event per line until the
 * client hangs up.  Commands: status, bindings, visitors, counters,
 * monitor.
 */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "clock.h"
#include "ctlsock.h"
#include "json.h"

#define CTL_MAX_CLIENTS 64
#define CTL_MAX_LINE 4096
/* A monitor client that stops reading loses events past this backlog
 * (counted) rather than growing the daemon's memory. */
#define CTL_MAX_BACKLOG (1u << 20)

struct client {
	struct ctlsock *cs;
	struct bufferevent *bev;
	bool monitor;
	bool closing;
};

struct ctlsock {
	struct event_base *base;
	const struct ctl_view *view;
	struct evconnlistener *lis;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct client *clients[CTL_MAX_CLIENTS];
	uint64_t events_dropped;
};

static const char *const dcounter_names[D_NCOUNTERS] = {
	[D_UDP_RX] = "udp-rx",
	[D_UDP_RX_ERR] = "udp-rx-error",
	[D_UDP_TX] = "udp-tx",
	[D_UDP_TX_ERR] = "udp-tx-error",
	[D_TUNNEL_DATA_RX] = "tunnel-data-rx",
	[D_ROUTE_ERR] = "route-error",
	[D_STORE_ERR] = "store-error",
	[D_RELOADS] = "reloads",
	[D_RELOAD_ERR] = "reload-error",
	[D_EXPIRED] = "expired",
	[D_GARP_TX] = "garp-tx",
	[D_GARP_NO_MAC] = "garp-no-mac",
};
_Static_assert(sizeof dcounter_names / sizeof dcounter_names[0] ==
		       D_NCOUNTERS,
	       "every daemon counter has a name");

const char *mip4d_counter_name(enum mip4d_counter c)
{
	return (unsigned)c < D_NCOUNTERS ? dcounter_names[c] : "unknown";
}

static void client_free(struct client *c)
{
	struct ctlsock *cs = c->cs;

	for (int i = 0; i < CTL_MAX_CLIENTS; i++)
		if (cs->clients[i] == c)
			cs->clients[i] = NULL;
	bufferevent_free(c->bev);
	free(c);
}

static void send_json(struct client *c, json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);

	bufferevent_write(c->bev, s, strlen(s));
	bufferevent_write(c->bev, "\n", 1);
}

static void reply(struct client *c, json_object *result, const char *error)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "version",
			       json_object_new_int(MIP4_CTL_VERSION));
	json_object_object_add(o, "ok", json_object_new_boolean(!error));
	if (error)
		json_object_object_add(o, "error", json_object_new_string(error));
	else
		json_object_object_add(o, "result", result);
	send_json(c, o);
	json_object_put(o);
}

static json_object *status(const struct ctl_view *v)
{
	json_object *o = json_object_new_object();
	json_object *roles = json_object_new_array();

	json_object_object_add(o, "pid", json_object_new_int(*v->pid));
	json_object_object_add(
		o, "uptime",
		json_object_new_int64((int64_t)((mip4d_now_ms() - v->started_ms) / 1000)));
	json_object_object_add(o, "config", json_object_new_string(v->conf_path));
	for (size_t i = 0; i < *v->n_roles; i++) {
		const struct role_inst *r = &v->roles[i];

		json_object_array_add(roles, json_object_new_string(r->ops->name));
		json_object_object_add(o, r->ops->key, r->ops->status(r->state));
	}
	json_object_object_add(o, "roles", roles);
	if (v->more_status)
		v->more_status(v->more_ctx, o);
	return o;
}

static json_object *counters(struct ctlsock *cs)
{
	const struct ctl_view *v = cs->view;
	json_object *o = json_object_new_object();
	json_object *dc = json_object_new_object();

	for (size_t i = 0; i < *v->n_roles; i++)
		v->roles[i].ops->counters(v->roles[i].state, o);
	for (int i = 0; i < D_NCOUNTERS; i++)
		jadd_int(dc, mip4d_counter_name((enum mip4d_counter)i),
			 (int64_t)v->counters[i]);
	jadd_int(dc, "monitor-events-dropped", (int64_t)cs->events_dropped);
	json_object_object_add(o, "daemon", dc);
	if (v->more_counters)
		v->more_counters(v->more_ctx, o);
	return o;
}

/* A listing one of the roles has ("bindings", "visitors"). */
static json_object *listing(const struct ctl_view *v, const char *what)
{
	for (size_t i = 0; i < *v->n_roles; i++) {
		json_object *l = v->roles[i].ops->list(v->roles[i].state, what);

		if (l)
			return l;
	}
	return NULL;
}

static void handle(struct client *c, const char *line)
{
	const struct ctl_view *v = c->cs->view;
	json_object *req = json_tokener_parse(line);
	json_object *ver, *cmd, *l;
	const char *name;

	if (!req || !json_object_is_type(req, json_type_object) ||
	    !json_object_object_get_ex(req, "version", &ver) ||
	    !json_object_object_get_ex(req, "command", &cmd) ||
	    !json_object_is_type(cmd, json_type_string)) {
		reply(c, NULL, "bad request: want {\"version\":1,\"command\":...}");
		goto out;
	}
	if (json_object_get_int(ver) != MIP4_CTL_VERSION) {
		reply(c, NULL, "unsupported protocol version");
		goto out;
	}
	name = json_object_get_string(cmd);
	if (strcmp(name, "status") == 0) {
		reply(c, status(v), NULL);
	} else if (strcmp(name, "counters") == 0) {
		reply(c, counters(c->cs), NULL);
	} else if (strcmp(name, "monitor") == 0) {
		c->monitor = true;
		reply(c, json_object_new_object(), NULL);
		goto out;
	} else if ((l = listing(v, name)) != NULL) {
		reply(c, l, NULL);
	} else {
		reply(c, NULL, "unknown command");
	}
	c->closing = true; /* one request per connection */
out:
	json_object_put(req);
}

static void on_read(struct bufferevent *bev, void *arg)
{
	struct client *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	char *line;
	size_t n;

	while (!c->closing &&
	       (line = evbuffer_readln(in, &n, EVBUFFER_EOL_LF)) != NULL) {
		if (!c->monitor)
			handle(c, line);
		free(line);
	}
	if (evbuffer_get_length(in) > CTL_MAX_LINE) {
		reply(c, NULL, "request too long");
		c->closing = true;
	}
	if (c->closing && evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		client_free(c);
}

static void on_write(struct bufferevent *bev, void *arg)
{
	struct client *c = arg;

	(void)bev;
	if (c->closing)
		client_free(c);
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		client_free(arg);
}

static void on_accept(struct evconnlistener *lis, evutil_socket_t fd,
		      struct sockaddr *sa, int len, void *arg)
{
	struct ctlsock *cs = arg;
	struct client *c;
	int slot = -1;

	(void)lis;
	(void)sa;
	(void)len;
	for (int i = 0; i < CTL_MAX_CLIENTS && slot < 0; i++)
		if (!cs->clients[i])
			slot = i;
	c = slot >= 0 ? calloc(1, sizeof *c) : NULL;
	if (!c) {
		close(fd);
		return;
	}
	c->cs = cs;
	c->bev = bufferevent_socket_new(cs->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (!c->bev) {
		close(fd);
		free(c);
		return;
	}
	cs->clients[slot] = c;
	bufferevent_setcb(c->bev, on_read, on_write, on_event, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

bool ctlsock_monitored(void *ctx)
{
	const struct ctlsock *cs = ctx;

	for (int i = 0; cs && i < CTL_MAX_CLIENTS; i++)
		if (cs->clients[i] && cs->clients[i]->monitor)
			return true;
	return false;
}

void ctlsock_emit(void *ctx, json_object *ev, bool routine)
{
	struct ctlsock *cs = ctx;
	struct timespec ts;
	const char *line;

	clock_gettime(CLOCK_REALTIME, &ts);
	json_object_object_add(ev, "time",
			       json_object_new_double((double)ts.tv_sec +
						      (double)ts.tv_nsec / 1e9));
	line = json_object_to_json_string_ext(ev, JSON_C_TO_STRING_PLAIN);
	if (routine)
		log_debug("%s", line);
	else
		log_info("%s", line);
	for (int i = 0; cs && i < CTL_MAX_CLIENTS; i++) {
		struct client *c = cs->clients[i];

		if (!c || !c->monitor)
			continue;
		if (evbuffer_get_length(bufferevent_get_output(c->bev)) >
		    CTL_MAX_BACKLOG) {
			cs->events_dropped++;
			continue;
		}
		send_json(c, ev);
	}
	json_object_put(ev);
}

int ctlsock_open(struct event_base *base, const char *path,
		 const struct ctl_view *view, struct ctlsock **out)
{
	struct ctlsock *cs = calloc(1, sizeof *cs);
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	mode_t old;
	int fd;

	if (!cs)
		return -1;
	cs->base = base;
	cs->view = view;
	if (strlen(path) >= sizeof sun.sun_path) {
		log_warnx("control socket path too long: %s", path);
		free(cs);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	memcpy(cs->path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_warn("control socket");
		free(cs);
		return -1;
	}
	/* its directory (/run/mip4d by default) when missing: owner and
	 * group, like the socket */
	{
		char dir[sizeof sun.sun_path];
		char *slash;

		memcpy(dir, path, strlen(path) + 1);
		slash = strrchr(dir, '/');
		if (slash && slash != dir) {
			*slash = '\0';
			if (mkdir(dir, 0750) < 0 && errno != EEXIST)
				log_warn("control socket directory %s", dir);
		}
	}
	(void)unlink(path);
	old = umask(0117); /* owner and group only: it shows keys' SPIs */
	if (bind(fd, (struct sockaddr *)&sun, sizeof sun) < 0 ||
	    listen(fd, 16) < 0) {
		umask(old);
		log_warn("control socket %s", path);
		close(fd);
		free(cs);
		return -1;
	}
	umask(old);
	cs->lis = evconnlistener_new(base, on_accept, cs,
				     LEV_OPT_CLOSE_ON_FREE, -1, fd);
	if (!cs->lis) {
		close(fd);
		free(cs);
		return -1;
	}
	*out = cs;
	return 0;
}

void ctlsock_close(struct ctlsock *cs)
{
	if (!cs)
		return;
	for (int i = 0; i < CTL_MAX_CLIENTS; i++)
		if (cs->clients[i])
			client_free(cs->clients[i]);
	evconnlistener_free(cs->lis);
	(void)unlink(cs->path);
	free(cs);
}
