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

#include "mip4ctl.h"

#define CTL_VERSION 1
#define DEFAULT_SOCKET "/run/mip4d.sock"

struct conn {
	int fd;
	char buf[65536];
	size_t len;
};

static int conn_open(struct conn *c, const char *path)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};

	if (strlen(path) >= sizeof sun.sun_path) {
		fprintf(stderr, "mip4ctl: socket path too long\n");
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	c->len = 0;
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sun, sizeof sun) < 0) {
		fprintf(stderr, "mip4ctl: %s: %s (is mip4d running?)\n", path,
			strerror(errno));
		if (c->fd >= 0)
			close(c->fd);
		return -1;
	}
	return 0;
}

/* Next line into out (NUL-terminated, without the newline).  1 = line,
 * 0 = timeout, -1 = closed or error.  timeout_ms < 0 waits forever. */
static int conn_line(struct conn *c, char **out, int timeout_ms)
{
	for (;;) {
		char *nl = memchr(c->buf, '\n', c->len);
		struct pollfd p = {c->fd, POLLIN, 0};
		ssize_t n;

		if (nl) {
			size_t k = (size_t)(nl - c->buf);

			*out = malloc(k + 1);
			if (!*out)
				return -1;
			memcpy(*out, c->buf, k);
			(*out)[k] = '\0';
			memmove(c->buf, nl + 1, c->len - k - 1);
			c->len -= k + 1;
			return 1;
		}
		if (c->len == sizeof c->buf)
			return -1;
		if (poll(&p, 1, timeout_ms) == 0)
			return 0;
		n = read(c->fd, c->buf + c->len, sizeof c->buf - c->len);
		if (n <= 0)
			return -1;
		c->len += (size_t)n;
	}
}

static int request(struct conn *c, const char *cmd, json_object **result)
{
	char req[128], *line = NULL;
	json_object *o, *ok, *v;
	int n = snprintf(req, sizeof req, "{\"version\":%d,\"command\":\"%s\"}\n",
			 CTL_VERSION, cmd);

	if (write(c->fd, req, (size_t)n) != n || conn_line(c, &line, 5000) != 1) {
		fprintf(stderr, "mip4ctl: no answer from mip4d\n");
		free(line);
		return -1;
	}
	o = json_tokener_parse(line);
	free(line);
	if (!o || !json_object_object_get_ex(o, "ok", &ok)) {
		fprintf(stderr, "mip4ctl: garbled answer from mip4d\n");
		json_object_put(o);
		return -1;
	}
	if (!json_object_get_boolean(ok)) {
		fprintf(stderr, "mip4ctl: %s\n",
			json_object_object_get_ex(o, "error", &v)
				? json_object_get_string(v)
				: "request failed");
		json_object_put(o);
		return -1;
	}
	*result = json_object_object_get_ex(o, "result", &v) ? json_object_get(v)
							      : NULL;
	json_object_put(o);
	return 0;
}

struct opts {
	const char *sock;
	bool json;
	const char *until;
	double timeout;
};

static int parse_opts(int argc, char **argv, struct opts *o, bool monitor)
{
	static const struct option lo[] = {
		{"socket", required_argument, NULL, 's'},
		{"json", no_argument, NULL, 'j'},
		{"until", required_argument, NULL, 'u'},
		{"timeout", required_argument, NULL, 't'},
		{NULL, 0, NULL, 0},
	};
	int c;

	o->sock = getenv("MIP4D_SOCKET") ? getenv("MIP4D_SOCKET") : DEFAULT_SOCKET;
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
			if (!monitor)
				return -1;
			o->until = optarg;
			break;
		case 't':
			if (!monitor)
				return -1;
			o->timeout = atof(optarg);
			break;
		default:
			return -1;
		}
	}
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
	struct conn c;
	json_object *r = NULL;
	int rc;

	if (parse_opts(argc, argv, &o, false) < 0) {
		fprintf(stderr, "usage: mip4ctl %s [-s SOCKET] [--json]\n", cmd);
		return 2;
	}
	if (conn_open(&c, o.sock) < 0)
		return 1;
	rc = request(&c, cmd, &r);
	close(c.fd);
	if (rc < 0)
		return 1;
	print_result(cmd, r, o.json);
	json_object_put(r);
	return 0;
}

int cmd_status(int argc, char **argv)
{
	return simple(argc, argv, "status");
}

int cmd_bindings(int argc, char **argv)
{
	return simple(argc, argv, "bindings");
}

int cmd_visitors(int argc, char **argv)
{
	return simple(argc, argv, "visitors");
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
	json_object *r = NULL;
	double deadline;
	int rc = 1;

	if (parse_opts(argc, argv, &o, true) < 0) {
		fprintf(stderr, "usage: mip4ctl monitor [-s SOCKET] [--json] "
				"[--until EVENT] [--timeout SECONDS]\n");
		return 2;
	}
	if (conn_open(&c, o.sock) < 0)
		return 1;
	if (request(&c, "monitor", &r) < 0)
		goto out;
	json_object_put(r);
	setvbuf(stdout, NULL, _IOLBF, 0);
	deadline = o.timeout >= 0 ? now_s() + o.timeout : 0;
	for (;;) {
		char *line = NULL;
		json_object *ev, *name;
		int wait = -1, got;

		if (o.timeout >= 0) {
			double left = deadline - now_s();

			if (left <= 0)
				break;
			wait = (int)(left * 1000) + 1;
		}
		got = conn_line(&c, &line, wait);
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
	close(c.fd);
	return rc;
}
