/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Control socket.  A client sends one JSON line (daemon/ctlreq.h)
 *     {"version": 1, "command": "status"}
 * and gets one JSON line back,
 *     {"version": 1, "ok": true, "result": {...}}
 * or {"version": 1, "ok": false, "error": "..."}.
 * "monitor" answers ok and then streams one JSON event per line until the
 * client hangs up.  Commands: status, counters, monitor, and the roles'
 * listings (bindings, visitors).
 *
 * A listing may hold a million entries: it is streamed, one step of the
 * role's list_page at a time, the next step only once the client has
 * read what came before (the output drained below CTL_LOW_WATER) or, when
 * a step found nothing to send, at the next turn of the event loop.  So
 * the daemon never holds a listing whole and goes back to its other
 * sockets after every step.  A client that said "more-ok" gets each step
 * as an answer line of its own with "more": true, the last without;
 * another client gets the one line it expects, written a step at a time.
 *
 * Slots: CTL_MAX_CLIENTS clients; a client that has not completed its
 * request within CTL_IDLE_TIMEOUT_S, or leaves an answer or a monitor's
 * events unread that long, is closed.  A listing may wait as long as its
 * reader likes (mip4ctl bindings | less: it costs the daemon one step),
 * but when every slot is taken, the oldest client still waiting for its
 * request makes room for a new one, else the listing that has not moved
 * for the longest, at least CTL_IDLE_TIMEOUT_S.
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
#include "ctlreq.h"
#include "ctlsock.h"
#include "json.h"

/* A monitor client that stops reading loses events past this backlog
 * (counted) rather than growing the daemon's memory. */
#define CTL_MAX_BACKLOG (1u << 20)
/* A listing step looks at this many entries at most (about 100 KiB of
 * bindings, a millisecond or two of work) ... */
#define CTL_PAGE 256
/* ... and the next one comes once less than this waits to be sent. */
#define CTL_LOW_WATER ((size_t)64 * 1024)

enum client_state {
	C_REQUEST, /* waiting for its request line */
	C_LISTING, /* being sent a listing */
	C_MONITOR, /* following events */
	C_CLOSING, /* answered: closed once the answer is out */
};

struct client {
	struct ctlsock *cs;
	struct bufferevent *bev;
	struct event *step;	/* the next listing step, at the next turn */
	uint64_t serial;	/* order of arrival */
	uint64_t since_ms;	/* connected */
	uint64_t moved_ms;	/* its output last drained, or filled from empty */
	enum client_state state;
	bool listing;		/* it is, or was, being sent a listing */
	/* the listing being sent */
	size_t role;
	char what[CTLREQ_COMMAND_MAX];
	struct list_filter filter;
	bool filtered, more_ok, any_sent;
	uint64_t cursor;
};

struct ctlsock {
	struct event_base *base;
	const struct ctl_view *view;
	struct evconnlistener *lis;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct client *clients[CTL_MAX_CLIENTS];
	struct event *sweep; /* once a second: the idle timeout */
	uint64_t serial;
	uint64_t events_dropped;
	uint64_t timeouts, evicted, refused, listings;
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

static void on_output(struct evbuffer *buf, const struct evbuffer_cb_info *info,
		      void *arg);

static void client_free(struct client *c)
{
	struct ctlsock *cs = c->cs;

	for (int i = 0; i < CTL_MAX_CLIENTS; i++)
		if (cs->clients[i] == c)
			cs->clients[i] = NULL;
	if (c->step)
		event_free(c->step);
	if (c->bev) {
		evbuffer_remove_cb(bufferevent_get_output(c->bev), on_output, c);
		bufferevent_free(c->bev);
	}
	free(c);
}

static size_t queued(const struct client *c)
{
	return evbuffer_get_length(bufferevent_get_output(c->bev));
}

/* Closes a client whose answer is out; true when it is gone. */
static bool close_if_done(struct client *c)
{
	if (c->state != C_CLOSING || queued(c) > 0)
		return false;
	client_free(c);
	return true;
}

static void send_json(struct client *c, json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);

	bufferevent_write(c->bev, s, strlen(s));
	bufferevent_write(c->bev, "\n", 1);
}

/* The head of an answer, {"version":1,"ok":...: the members an answer
 * line starts with, in the order json-c writes them back. */
static json_object *answer_head(bool ok)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "version",
			       json_object_new_int(MIP4_CTL_VERSION));
	json_object_object_add(o, "ok", json_object_new_boolean(ok));
	return o;
}

static void reply(struct client *c, json_object *result, const char *error)
{
	json_object *o = answer_head(!error);

	if (error)
		json_object_object_add(o, "error", json_object_new_string(error));
	else
		json_object_object_add(o, "result", result);
	send_json(c, o);
	json_object_put(o);
}

json_object *ctlsock_status(const struct ctlsock *cs)
{
	const struct ctl_view *v = cs->view;
	json_object *o = json_object_new_object();
	json_object *roles = json_object_new_array();
	json_object *ctl = json_object_new_object();
	int64_t n = 0, listing = 0, monitor = 0, bytes = 0;

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
	/* the control socket itself; this client is one of them */
	for (int i = 0; i < CTL_MAX_CLIENTS; i++) {
		const struct client *c = cs->clients[i];

		if (!c)
			continue;
		n++;
		listing += c->state == C_LISTING;
		monitor += c->state == C_MONITOR;
		bytes += (int64_t)queued(c);
	}
	jadd_int(ctl, "clients", n);
	jadd_int(ctl, "listings", listing);
	jadd_int(ctl, "monitors", monitor);
	jadd_int(ctl, "queued_bytes", bytes);
	json_object_object_add(o, "control", ctl);
	if (v->more_status)
		v->more_status(v->more_ctx, o);
	return o;
}

json_object *ctlsock_counters(struct ctlsock *cs)
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
	jadd_int(dc, "control-listings", (int64_t)cs->listings);
	jadd_int(dc, "control-timeouts", (int64_t)cs->timeouts);
	jadd_int(dc, "control-evicted", (int64_t)cs->evicted);
	jadd_int(dc, "control-refused", (int64_t)cs->refused);
	json_object_object_add(o, "daemon", dc);
	if (v->more_counters)
		v->more_counters(v->more_ctx, o);
	return o;
}

/*
 * Send the entries of one step (arr); last: the listing is complete.
 * To a client that joins parts, each step with entries is a line of its
 * own ("more": true but for the last); to another, the entries go into
 * the one answer line opened by listing_start().
 */
static void listing_send(struct client *c, json_object *arr, bool last)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);
	size_t n = json_object_array_length(arr);

	if (c->more_ok) {
		json_object *o;

		if (n == 0 && !last)
			return;
		o = answer_head(true);
		if (!last)
			json_object_object_add(o, "more", json_object_new_boolean(true));
		if (c->filtered)
			json_object_object_add(o, "filtered",
					       json_object_new_boolean(true));
		json_object_object_add(o, "result", json_object_get(arr));
		send_json(c, o);
		json_object_put(o);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const char *s = json_object_to_json_string_ext(
			json_object_array_get_idx(arr, i), JSON_C_TO_STRING_PLAIN);

		if (c->any_sent)
			evbuffer_add(out, ",", 1);
		evbuffer_add(out, s, strlen(s));
		c->any_sent = true;
	}
	if (last)
		evbuffer_add(out, "]}\n", 3);
}

/* When a step sent nothing, no write callback will come: the next turn
 * of the event loop takes the next step (after the loop's other
 * events, a zero timeout being handled after the poll). */
static void step_later(struct client *c)
{
	static const struct timeval zero = {0, 0};

	if (queued(c) == 0)
		event_add(c->step, &zero);
}

/* One step of the listing, then the next one armed or the client left
 * to drain.  False when the client is gone. */
static bool listing_step(struct client *c)
{
	const struct role_inst *r = &c->cs->view->roles[c->role];
	json_object *arr = json_object_new_array();
	int rc = r->ops->list_page(r->state, c->what, &c->filter, &c->cursor,
				   CTL_PAGE, arr);

	listing_send(c, arr, rc <= 0);
	json_object_put(arr);
	if (rc <= 0) {
		c->state = C_CLOSING;
		return !close_if_done(c);
	}
	step_later(c);
	return true;
}

static void on_step(evutil_socket_t fd, short what, void *arg)
{
	struct client *c = arg;

	(void)fd;
	(void)what;
	if (c->state == C_LISTING && queued(c) <= CTL_LOW_WATER)
		(void)listing_step(c);
}

/* A listing the roles have ("bindings", "visitors"): its first step.
 * False when no role has it. */
static bool listing_start(struct client *c, const struct ctlreq *rq)
{
	const struct ctl_view *v = c->cs->view;

	for (size_t i = 0; i < *v->n_roles; i++) {
		const struct role_inst *r = &v->roles[i];
		json_object *arr;
		uint64_t cursor = 0;
		int rc;

		if (!r->ops->list_page)
			continue;
		arr = json_object_new_array();
		rc = r->ops->list_page(r->state, rq->command, &rq->filter,
				       &cursor, CTL_PAGE, arr);
		if (rc < 0) {
			json_object_put(arr);
			continue;
		}
		c->role = i;
		memcpy(c->what, rq->command, sizeof c->what);
		c->filter = rq->filter;
		c->filtered = rq->filtered;
		c->more_ok = rq->more_ok;
		c->cursor = cursor;
		c->state = C_LISTING;
		c->listing = true;
		c->cs->listings++;
		if (!c->more_ok) {
			struct evbuffer *out = bufferevent_get_output(c->bev);
			static const char head[] = "{\"version\":1,\"ok\":true,";

			_Static_assert(MIP4_CTL_VERSION == 1, "head names the version");
			evbuffer_add(out, head, sizeof head - 1);
			if (c->filtered)
				evbuffer_add_printf(out, "\"filtered\":true,");
			evbuffer_add_printf(out, "\"result\":[");
		}
		listing_send(c, arr, rc == 0);
		json_object_put(arr);
		if (rc == 0)
			c->state = C_CLOSING;
		else
			step_later(c);
		return true;
	}
	return false;
}

static void handle(struct client *c, const char *line, size_t len)
{
	struct ctlreq rq;
	char err[256];

	c->state = C_CLOSING; /* one request per connection */
	if (ctlreq_parse(line, len, &rq, err, sizeof err) < 0) {
		reply(c, NULL, err);
	} else if (rq.filtered && (strcmp(rq.command, "status") == 0 ||
				   strcmp(rq.command, "counters") == 0 ||
				   strcmp(rq.command, "monitor") == 0)) {
		reply(c, NULL, "a filter applies to listings only");
	} else if (strcmp(rq.command, "status") == 0) {
		reply(c, ctlsock_status(c->cs), NULL);
	} else if (strcmp(rq.command, "counters") == 0) {
		reply(c, ctlsock_counters(c->cs), NULL);
	} else if (strcmp(rq.command, "monitor") == 0) {
		c->state = C_MONITOR;
		reply(c, json_object_new_object(), NULL);
	} else if (!listing_start(c, &rq)) {
		reply(c, NULL, "unknown command");
	}
}

static void on_read(struct bufferevent *bev, void *arg)
{
	struct client *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	char *line;
	size_t n;

	if (c->state == C_REQUEST &&
	    (line = evbuffer_readln(in, &n, EVBUFFER_EOL_LF)) != NULL) {
		handle(c, line, n);
		free(line);
	}
	if (c->state != C_REQUEST) {
		/* one request per connection: what follows is not read */
		evbuffer_drain(in, evbuffer_get_length(in));
	} else if (evbuffer_get_length(in) > CTL_MAX_LINE) {
		reply(c, NULL, "request too long");
		c->state = C_CLOSING;
	}
	(void)close_if_done(c);
}

static void on_write(struct bufferevent *bev, void *arg)
{
	struct client *c = arg;

	(void)bev;
	if (c->state == C_LISTING)
		(void)listing_step(c);
	else
		(void)close_if_done(c);
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
	struct client *c = arg;

	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		client_free(c);
}

/* What a client is sent moves: drained, or put into an empty buffer (the
 * clock of the idle timeout starts). */
static void on_output(struct evbuffer *buf, const struct evbuffer_cb_info *info,
		      void *arg)
{
	struct client *c = arg;

	(void)buf;
	if (info->n_deleted || (info->n_added && info->orig_size == 0))
		c->moved_ms = mip4d_now_ms();
}

/* What it is sent has not moved for CTL_IDLE_TIMEOUT_S. */
static bool stalled(const struct client *c, uint64_t now)
{
	return queued(c) > 0 && now - c->moved_ms >= (uint64_t)CTL_IDLE_TIMEOUT_S * 1000;
}

/* The idle timeout, once a second: a client that has not completed its
 * request, or leaves an answer or a monitor's events unread, that long.
 * A listing's reader may pause as long as it likes (slot_for_new). */
static void on_sweep(evutil_socket_t fd, short what, void *arg)
{
	struct ctlsock *cs = arg;
	uint64_t now = mip4d_now_ms();

	(void)fd;
	(void)what;
	for (int i = 0; i < CTL_MAX_CLIENTS; i++) {
		struct client *c = cs->clients[i];

		if (c && (c->state == C_REQUEST
				  ? now - c->since_ms >= (uint64_t)CTL_IDLE_TIMEOUT_S * 1000
				  : !c->listing && stalled(c, now))) {
			cs->timeouts++;
			client_free(c);
		}
	}
}

/* A slot for a new client: a free one, else that of the oldest client
 * still waiting for its request, else that of the listing stalled the
 * longest (the client goes), else -1. */
static int slot_for_new(struct ctlsock *cs)
{
	uint64_t now = mip4d_now_ms();
	int waiting = -1, stuck = -1;

	for (int i = 0; i < CTL_MAX_CLIENTS; i++) {
		const struct client *c = cs->clients[i];

		if (!c)
			return i;
		if (c->state == C_REQUEST &&
		    (waiting < 0 || c->serial < cs->clients[waiting]->serial))
			waiting = i;
		if (c->listing && stalled(c, now) &&
		    (stuck < 0 || c->moved_ms < cs->clients[stuck]->moved_ms))
			stuck = i;
	}
	if (waiting < 0)
		waiting = stuck;
	if (waiting >= 0) {
		cs->evicted++;
		client_free(cs->clients[waiting]);
	}
	return waiting;
}

static void on_accept(struct evconnlistener *lis, evutil_socket_t fd,
		      struct sockaddr *sa, int len, void *arg)
{
	struct ctlsock *cs = arg;
	struct client *c;
	int slot = slot_for_new(cs);

	(void)lis;
	(void)sa;
	(void)len;
	if (slot < 0)
		cs->refused++;
	c = slot >= 0 ? calloc(1, sizeof *c) : NULL;
	if (!c) {
		close(fd);
		return;
	}
	c->cs = cs;
	c->serial = ++cs->serial;
	c->bev = bufferevent_socket_new(cs->base, fd, BEV_OPT_CLOSE_ON_FREE);
	c->since_ms = mip4d_now_ms();
	c->moved_ms = c->since_ms;
	c->step = evtimer_new(cs->base, on_step, c);
	if (!c->bev || !c->step ||
	    !evbuffer_add_cb(bufferevent_get_output(c->bev), on_output, c)) {
		if (!c->bev)
			close(fd);
		client_free(c);
		return;
	}
	cs->clients[slot] = c;
	bufferevent_setcb(c->bev, on_read, on_write, on_event, c);
	bufferevent_setwatermark(c->bev, EV_WRITE, CTL_LOW_WATER, 0);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

bool ctlsock_monitored(void *ctx)
{
	const struct ctlsock *cs = ctx;

	for (int i = 0; cs && i < CTL_MAX_CLIENTS; i++)
		if (cs->clients[i] && cs->clients[i]->state == C_MONITOR)
			return true;
	return false;
}

void ctlsock_emit(void *ctx, json_object *ev, bool routine)
{
	struct ctlsock *cs = ctx;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	json_object_object_add(ev, "time",
			       json_object_new_double((double)ts.tv_sec +
						      (double)ts.tv_nsec / 1e9));
	/* monitor clients get JSON, the log key=value fields */
	if (!routine || log_debug_enabled()) {
		char line[1024];

		json_kv_line(ev, line, sizeof line);
		if (routine)
			log_debug("%s", line);
		else
			log_info("%s", line);
	}
	for (int i = 0; cs && i < CTL_MAX_CLIENTS; i++) {
		struct client *c = cs->clients[i];

		if (!c || c->state != C_MONITOR)
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

/* Does a process listen on this socket?  (A stale file left by a daemon
 * that died refuses the connection: that one may go.) */
static bool socket_live(const struct sockaddr_un *sun)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool live;

	if (fd < 0)
		return false;
	live = connect(fd, (const struct sockaddr *)sun, sizeof *sun) == 0;
	close(fd);
	return live;
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
	if (socket_live(&sun)) {
		log_warnx("control socket %s: another mip4d answers there; stop "
			  "it first, or give this one its own control-socket",
			  path);
		close(fd);
		free(cs);
		return -1;
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
	cs->sweep = event_new(base, -1, EV_PERSIST, on_sweep, cs);
	if (!cs->lis || !cs->sweep) {
		if (cs->lis)
			evconnlistener_free(cs->lis);
		else
			close(fd);
		if (cs->sweep)
			event_free(cs->sweep);
		free(cs);
		return -1;
	}
	{
		static const struct timeval second = {1, 0};

		event_add(cs->sweep, &second);
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
	event_free(cs->sweep);
	(void)unlink(cs->path);
	free(cs);
}
