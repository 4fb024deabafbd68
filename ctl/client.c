/* SPDX-License-Identifier: BSD-2-Clause */
/* mip4ctl's control-socket commands: status, bindings, visitors, counters,
 * monitor.
 * One JSON request line out, JSON lines back (daemon/ctlsock.c). */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "mip4/ip.h"
#include "mip4ctl.h"

#define CTL_VERSION 1
/* The daemon's default, where the packaged service puts it too. */
#define DEFAULT_SOCKET "/run/mip4d/mip4d.sock"
/* The reply buffer starts here and doubles up to REPLY_MAX: an answer
 * line longer than that is refused rather than eating the memory. */
#define REPLY_START ((size_t)64 * 1024)
#define REPLY_MAX ((size_t)1024 * 1024 * 1024)
/* How long to wait for each line of an answer. */
#define REPLY_WAIT_MS 5000

enum { LINE_OK = 1, LINE_TIMEOUT = 0, LINE_CLOSED = -1, LINE_TOO_LONG = -2,
       LINE_NOMEM = -3 };

struct conn {
	int fd;
	char *buf;
	size_t len, cap;
	size_t scanned; /* buf[0..scanned) holds no newline */
};

const char *ctl_socket_path(const char *given)
{
	const char *env = getenv("MIP4D_SOCKET");

	if (given)
		return given;
	if (env && *env)
		return env;
	return DEFAULT_SOCKET;
}

static int conn_open(struct conn *c, const char *path)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};

	memset(c, 0, sizeof *c);
	c->fd = -1;
	if (strlen(path) >= sizeof sun.sun_path) {
		fprintf(stderr, "mip4ctl: socket path too long\n");
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sun, sizeof sun) < 0) {
		fprintf(stderr, "mip4ctl: %s: %s (is mip4d running?)\n", path,
			strerror(errno));
		if (c->fd >= 0)
			close(c->fd);
		c->fd = -1;
		return -1;
	}
	return 0;
}

static void conn_close(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	memset(c, 0, sizeof *c);
	c->fd = -1;
}

/* Make room for more input: double the buffer up to REPLY_MAX. */
static int conn_grow(struct conn *c)
{
	size_t cap;
	char *b;

	if (c->len < c->cap)
		return LINE_OK;
	if (c->cap >= REPLY_MAX)
		return LINE_TOO_LONG;
	cap = c->cap ? c->cap * 2 : REPLY_START;
	if (cap > REPLY_MAX)
		cap = REPLY_MAX;
	b = realloc(c->buf, cap);
	if (!b)
		return LINE_NOMEM;
	c->buf = b;
	c->cap = cap;
	return LINE_OK;
}

/* Next line, of any length up to REPLY_MAX, into *out (malloc'd,
 * NUL-terminated, without the newline; *outlen its length).  timeout_ms
 * < 0 waits forever.  Returns one of LINE_*. */
static int conn_line(struct conn *c, char **out, size_t *outlen, int timeout_ms)
{
	for (;;) {
		char *nl = c->len > c->scanned
				   ? memchr(c->buf + c->scanned, '\n', c->len - c->scanned)
				   : NULL;
		struct pollfd p = {c->fd, POLLIN, 0};
		ssize_t n;
		int rc;

		if (nl) {
			size_t k = (size_t)(nl - c->buf);

			*out = malloc(k + 1);
			if (!*out)
				return LINE_NOMEM;
			memcpy(*out, c->buf, k);
			(*out)[k] = '\0';
			*outlen = k;
			memmove(c->buf, nl + 1, c->len - k - 1);
			c->len -= k + 1;
			c->scanned = 0;
			return LINE_OK;
		}
		c->scanned = c->len;
		rc = conn_grow(c);
		if (rc != LINE_OK)
			return rc;
		rc = poll(&p, 1, timeout_ms);
		if (rc == 0)
			return LINE_TIMEOUT;
		if (rc < 0 && errno != EINTR)
			return LINE_CLOSED;
		if (rc < 0)
			continue;
		n = read(c->fd, c->buf + c->len, c->cap - c->len);
		if (n <= 0)
			return LINE_CLOSED;
		c->len += (size_t)n;
	}
}

static const char *line_error(int rc)
{
	switch (rc) {
	case LINE_TIMEOUT:
		return "no answer from mip4d (timed out)";
	case LINE_TOO_LONG:
		return "answer from mip4d longer than 1 GiB, refused";
	case LINE_NOMEM:
		return "out of memory reading mip4d's answer";
	default:
		return "no answer from mip4d (connection closed)";
	}
}

/* Send one command (with a listing's filter, or NULL) and read its
 * answer into r, in one line or in parts (the client says it can join
 * parts with "more-ok"). */
static int request(struct conn *c, const char *cmd, json_object *filter,
		   struct ctl_reply *r)
{
	json_object *req = json_object_new_object();
	char err[512];
	const char *s;
	size_t n;
	bool sent;

	json_object_object_add(req, "version", json_object_new_int(CTL_VERSION));
	json_object_object_add(req, "command", json_object_new_string(cmd));
	json_object_object_add(req, "more-ok", json_object_new_boolean(true));
	if (filter)
		json_object_object_add(req, "filter", json_object_get(filter));
	s = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	n = strlen(s);
	sent = write(c->fd, s, n) == (ssize_t)n && write(c->fd, "\n", 1) == 1;
	json_object_put(req);
	if (!sent) {
		fprintf(stderr, "mip4ctl: cannot send the request to mip4d\n");
		return -1;
	}
	r->want_filtered = filter != NULL;
	for (;;) {
		char *line = NULL;
		size_t len = 0;
		int rc = conn_line(c, &line, &len, REPLY_WAIT_MS);

		if (rc != LINE_OK) {
			fprintf(stderr, "mip4ctl: %s\n", line_error(rc));
			return -1;
		}
		rc = ctl_reply_add(r, line, len, err, sizeof err);
		free(line);
		if (rc < 0) {
			fprintf(stderr, "mip4ctl: %s\n", err);
			return -1;
		}
		if (rc == 1)
			return 0;
	}
}

int ctl_query_reply(const char *sock, const char *cmd, json_object *filter,
		    struct ctl_reply *r)
{
	struct conn c;
	int rc;

	if (conn_open(&c, sock) < 0)
		return -1;
	rc = request(&c, cmd, filter, r);
	conn_close(&c);
	return rc;
}

int ctl_query(const char *sock, const char *cmd, json_object **result)
{
	struct ctl_reply r = {0};
	int rc = ctl_query_reply(sock, cmd, NULL, &r);

	*result = NULL;
	if (rc < 0)
		ctl_reply_free(&r);
	else
		*result = r.result;
	return rc;
}

struct opts {
	const char *sock;
	bool json;
	const char *until;
	double timeout;
	json_object *filter; /* --home, --coa, --nai of a listing */
};

enum opt_kind { OPT_SIMPLE, OPT_MONITOR, OPT_LISTING };

/* --home/--coa PREFIX or --nai PREFIX into the filter: 0, or -1 with a
 * message. */
static int filter_add(struct opts *o, const char *key, const char *arg)
{
	uint32_t net, mask;

	if (strcmp(key, "nai") == 0) {
		size_t n = strlen(arg);

		if (n == 0 || n > 255) {
			fprintf(stderr, "mip4ctl: --nai wants 1 to 255 bytes\n");
			return -1;
		}
	} else {
		int rc = mip4_prefix_parse(arg, &net, &mask);

		if (rc == MIP4_PREFIX_HOST_BITS) {
			char nb[16];

			fprintf(stderr, "mip4ctl: --%s %s has host bits set (did "
					"you mean %s/%d?)\n",
				key, arg, mip4_ntoa(net, nb),
				__builtin_popcount(mask));
			return -1;
		}
		if (rc < 0) {
			fprintf(stderr, "mip4ctl: --%s wants an address or a "
					"prefix like 10.64.0.0/16, not '%s'\n",
				key, arg);
			return -1;
		}
	}
	if (!o->filter)
		o->filter = json_object_new_object();
	json_object_object_add(o->filter, key, json_object_new_string(arg));
	return 0;
}

static int parse_opts(int argc, char **argv, struct opts *o,
		      enum opt_kind kind)
{
	static const struct option lo[] = {
		{"socket", required_argument, NULL, 's'},
		{"json", no_argument, NULL, 'j'},
		{"until", required_argument, NULL, 'u'},
		{"timeout", required_argument, NULL, 't'},
		{"home", required_argument, NULL, 'H'},
		{"coa", required_argument, NULL, 'C'},
		{"nai", required_argument, NULL, 'N'},
		{NULL, 0, NULL, 0},
	};
	int c;

	o->sock = ctl_globals.sock;
	o->json = ctl_globals.json;
	o->timeout = -1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "s:j", lo, NULL)) != -1) {
		switch (c) {
		case 's':
			o->sock = optarg;
			break;
		case 'j':
			o->json = true;
			break;
		case 'u':
			if (kind != OPT_MONITOR)
				return -1;
			o->until = optarg;
			break;
		case 't':
			if (kind != OPT_MONITOR)
				return -1;
			o->timeout = atof(optarg);
			break;
		case 'H':
		case 'C':
		case 'N':
			if (kind != OPT_LISTING ||
			    filter_add(o, c == 'H' ? "home" : c == 'C' ? "coa" : "nai",
				       optarg) < 0)
				return -1;
			break;
		default:
			return -1;
		}
	}
	o->sock = ctl_socket_path(o->sock);
	return optind == argc ? 0 : -1;
}

static void print_result(const char *cmd, json_object *r, bool json)
{
	if (json) {
		puts(json_object_to_json_string_ext(r, JSON_C_TO_STRING_PLAIN));
		return;
	}
	if (json_object_is_type(r, json_type_array)) {
		size_t n = json_object_array_length(r);

		printf("%zu %s\n", n, cmd);
		for (size_t i = 0; i < n; i++)
			json_render_text(json_object_array_get_idx(r, i), 2);
		return;
	}
	/* objects of objects (counters, status): one section per line */
	{
		struct json_object_iterator it = json_object_iter_begin(r);
		struct json_object_iterator end = json_object_iter_end(r);
		json_object *top = json_object_new_object();

		for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
			json_object *v = json_object_iter_peek_value(&it);

			if (json_object_is_type(v, json_type_object)) {
				printf("%s:\n", json_object_iter_peek_name(&it));
				json_render_text(v, 2);
			} else {
				json_object_object_add(top, json_object_iter_peek_name(&it),
						       json_object_get(v));
			}
		}
		if (json_object_object_length(top))
			json_render_text(top, 0);
		json_object_put(top);
	}
}

static int simple(int argc, char **argv, const char *cmd)
{
	struct opts o = {0};
	json_object *r = NULL;

	if (parse_opts(argc, argv, &o, OPT_SIMPLE) < 0) {
		fprintf(stderr, "usage: mip4ctl %s [-s SOCKET] [--json]\n", cmd);
		return 2;
	}
	if (ctl_query(o.sock, cmd, &r) < 0)
		return 1;
	print_result(cmd, r, o.json);
	json_object_put(r);
	return 0;
}

/* A listing printed entry by entry as its parts come: the same text as
 * print_result() would give for the whole list (with --json, the one
 * line of a JSON array; else each entry, then the count). */
struct list_printer {
	bool json;
	size_t n;
};

static int list_item(void *ctx, json_object *e)
{
	struct list_printer *p = ctx;

	if (p->json) {
		fputs(p->n ? "," : "[", stdout);
		fputs(json_object_to_json_string_ext(e, JSON_C_TO_STRING_PLAIN),
		      stdout);
	} else {
		json_render_text(e, 2);
	}
	p->n++;
	return ferror(stdout) ? -1 : 0;
}

static int listing(int argc, char **argv, const char *cmd)
{
	struct opts o = {0};
	struct list_printer p = {0};
	struct ctl_reply r = {.item = list_item, .item_ctx = &p};
	int rc = 1;

	if (parse_opts(argc, argv, &o, OPT_LISTING) < 0) {
		fprintf(stderr, "usage: mip4ctl %s [-s SOCKET] [--json] "
				"[--home PREFIX] [--coa PREFIX] [--nai PREFIX]\n",
			cmd);
		json_object_put(o.filter);
		return 2;
	}
	p.json = o.json;
	if (ctl_query_reply(o.sock, cmd, o.filter, &r) == 0) {
		if (!json_object_is_type(r.result, json_type_array))
			print_result(cmd, r.result, o.json);
		else if (o.json)
			puts(p.n ? "]" : "[]");
		else
			printf("%zu %s\n", p.n, cmd);
		rc = 0;
	} else if (p.n && o.json) {
		putchar('\n'); /* the array is cut short: end its line */
	}
	ctl_reply_free(&r);
	json_object_put(o.filter);
	return fflush(stdout) == 0 ? rc : 1;
}

int cmd_status(int argc, char **argv)
{
	return simple(argc, argv, "status");
}

int cmd_bindings(int argc, char **argv)
{
	return listing(argc, argv, "bindings");
}

int cmd_visitors(int argc, char **argv)
{
	return listing(argc, argv, "visitors");
}

int cmd_counters(int argc, char **argv)
{
	return simple(argc, argv, "counters");
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Stream events; with --until EVENT stop (status 0) at the first such
 * event, and with --timeout give up (status 1). */
int cmd_monitor(int argc, char **argv)
{
	struct opts o = {0};
	struct conn c;
	struct ctl_reply r = {0};
	double deadline;
	int rc = 1;

	if (parse_opts(argc, argv, &o, OPT_MONITOR) < 0) {
		fprintf(stderr, "usage: mip4ctl monitor [-s SOCKET] [--json] "
				"[--until EVENT] [--timeout SECONDS]\n");
		return 2;
	}
	if (conn_open(&c, o.sock) < 0)
		return 1;
	rc = request(&c, "monitor", NULL, &r);
	ctl_reply_free(&r);
	if (rc < 0) {
		rc = 1;
		goto out;
	}
	rc = 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	deadline = o.timeout >= 0 ? now_s() + o.timeout : 0;
	for (;;) {
		char *line = NULL;
		size_t len = 0;
		json_object *ev, *name;
		int wait = -1, got;

		if (o.timeout >= 0) {
			double left = deadline - now_s();

			if (left <= 0)
				break;
			wait = (int)(left * 1000) + 1;
		}
		got = conn_line(&c, &line, &len, wait);
		if (got <= 0)
			break;
		ev = json_tokener_parse(line);
		free(line);
		if (!ev)
			continue;
		{
			char evname[64] = "";
			bool stop;

			if (json_object_object_get_ex(ev, "event", &name))
				snprintf(evname, sizeof evname, "%s",
					 json_object_get_string(name));
			stop = o.until && strcmp(evname, o.until) == 0;
			if (o.json) {
				puts(json_object_to_json_string_ext(
					ev, JSON_C_TO_STRING_PLAIN));
			} else if (evname[0]) {
				printf("%s ", evname);
				json_object_object_del(ev, "event");
				json_render_text(ev, 0);
			}
			json_object_put(ev);
			if (stop) {
				rc = 0;
				break;
			}
		}
	}
	if (!o.until && o.timeout >= 0)
		rc = 0;
out:
	conn_close(&c);
	return rc;
}

/* mip4ctl metrics [-s SOCKET] [--label NAME=VALUE]...: exit 0 with the
 * metrics, or 1 with "mip4d_up 0" when the daemon did not answer. */
int cmd_metrics(int argc, char **argv)
{
	static const struct option lo[] = {
		{"socket", required_argument, NULL, 's'},
		{"label", required_argument, NULL, 'l'},
		{NULL, 0, NULL, 0},
	};
	const char *labels[METRICS_MAX_LABELS];
	const char *sock = ctl_globals.sock;
	json_object *status = NULL, *counters = NULL;
	unsigned n = 0;
	char err[256];
	int c, rc = 1;

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:l:", lo, NULL)) != -1) {
		switch (c) {
		case 's':
			sock = optarg;
			break;
		case 'l':
			if (n == METRICS_MAX_LABELS) {
				fprintf(stderr, "mip4ctl metrics: at most %d --label\n",
					METRICS_MAX_LABELS);
				return 2;
			}
			if (metrics_label_check(optarg, err, sizeof err) < 0) {
				fprintf(stderr, "mip4ctl metrics: %s\n", err);
				return 2;
			}
			for (unsigned i = 0; i < n; i++)
				if (strncmp(labels[i], optarg,
					    (size_t)(strchr(optarg, '=') - optarg) + 1) == 0) {
					fprintf(stderr, "mip4ctl metrics: --label "
							"%s given twice\n", optarg);
					return 2;
				}
			labels[n++] = optarg;
			break;
		default:
			n = METRICS_MAX_LABELS + 1;
			break;
		}
		if (n > METRICS_MAX_LABELS)
			break;
	}
	if (n > METRICS_MAX_LABELS || optind != argc) {
		fprintf(stderr, "usage: mip4ctl metrics [-s SOCKET] "
				"[--label NAME=VALUE]...\n");
		return 2;
	}
	sock = ctl_socket_path(sock);
	if (ctl_query(sock, "status", &status) < 0 ||
	    ctl_query(sock, "counters", &counters) < 0) {
		metrics_render_down(labels, n, stdout);
	} else if (metrics_render(status, counters, labels, n, stdout) < 0) {
		fprintf(stderr, "mip4ctl metrics: out of memory\n");
	} else {
		rc = 0;
	}
	json_object_put(status);
	json_object_put(counters);
	return fflush(stdout) == 0 ? rc : 1;
}
