/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/etcdhttp.c - a blocking POST to etcd's JSON gateway (etcdhttp.h).
 */
#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "etcdhttp.h"

#define MEMBERS_MAX 8

struct member {
	char host[16];
	char hostport[24];
	uint16_t port;
	struct evhttp_connection *conn; /* lazily, kept alive */
};

struct etcd_http {
	struct event_base *base;
	struct member m[MEMBERS_MAX];
	unsigned n, cur;
	struct timeval tv;
	int answered; /* the member that answered last, or -1 */
};

/* One request's outcome, filled by done(). */
struct call {
	struct event_base *base;
	bool done;
	int status; /* 0: no answer */
	char *body;
	size_t len;
};

struct etcd_http *etcd_http_new(const uint32_t *addr, const uint16_t *port,
				unsigned n, unsigned timeout_ms)
{
	struct etcd_http *c;

	if (n == 0 || n > MEMBERS_MAX || !(c = calloc(1, sizeof *c)))
		return NULL;
	if (!(c->base = event_base_new())) {
		free(c);
		return NULL;
	}
	for (unsigned i = 0; i < n; i++) {
		struct in_addr a = {htonl(addr[i])};

		inet_ntop(AF_INET, &a, c->m[i].host, sizeof c->m[i].host);
		c->m[i].port = port[i];
		snprintf(c->m[i].hostport, sizeof c->m[i].hostport, "%s:%u",
			 c->m[i].host, port[i]);
	}
	c->n = n;
	c->tv.tv_sec = timeout_ms / 1000;
	c->tv.tv_usec = (suseconds_t)(timeout_ms % 1000) * 1000;
	c->answered = -1;
	return c;
}

void etcd_http_free(struct etcd_http *c)
{
	if (!c)
		return;
	for (unsigned i = 0; i < c->n; i++)
		if (c->m[i].conn)
			evhttp_connection_free(c->m[i].conn);
	event_base_free(c->base);
	free(c);
}

static void done(struct evhttp_request *req, void *arg)
{
	struct call *k = arg;
	struct evbuffer *in;
	size_t len;

	k->done = true;
	event_base_loopbreak(k->base);
	if (!req || (k->status = evhttp_request_get_response_code(req)) == 0)
		return;
	in = evhttp_request_get_input_buffer(req);
	len = evbuffer_get_length(in);
	if (!(k->body = malloc(len + 1)))
		return;
	k->len = (size_t)evbuffer_remove(in, k->body, len);
	if (k->len > len) /* -1 */
		k->len = 0;
	k->body[k->len] = '\0';
}

/* One try on member i: 0 with the call filled (any status), -1 when the
 * request could not even be made. */
static int try_member(struct etcd_http *c, unsigned i, const char *path,
		      const char *body, size_t len, struct call *k)
{
	struct member *m = &c->m[i];
	struct evhttp_request *req;
	struct evkeyvalq *h;

	if (!m->conn) {
		m->conn = evhttp_connection_base_new(c->base, NULL, m->host,
						     m->port);
		if (!m->conn)
			return -1;
		evhttp_connection_set_timeout_tv(m->conn, &c->tv);
	}
	if (!(req = evhttp_request_new(done, k)))
		return -1;
	h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Host", m->hostport);
	evhttp_add_header(h, "Content-Type", "application/json");
	evbuffer_add(evhttp_request_get_output_buffer(req), body, len);
	/* on failure libevent has freed the request */
	if (evhttp_make_request(m->conn, req, EVHTTP_REQ_POST, path) < 0)
		return -1;
	while (!k->done)
		if (event_base_dispatch(c->base) < 0)
			break;
	return 0;
}

int etcd_http_post(struct etcd_http *c, const char *path, const char *body,
		   size_t len, char **out, size_t *outlen, char *err,
		   size_t errlen)
{
	snprintf(err, errlen, "etcd: no member answered");
	for (unsigned t = 0; t < c->n; t++) {
		unsigned i = (c->cur + t) % c->n;
		struct call k = {.base = c->base};

		if (try_member(c, i, path, body, len, &k) < 0 ||
		    k.status == 0) {
			free(k.body);
			snprintf(err, errlen,
				 "etcd: %s: no answer within %ld ms",
				 c->m[i].hostport,
				 (long)(c->tv.tv_sec * 1000 +
					c->tv.tv_usec / 1000));
			/* start afresh with this one next time */
			if (c->m[i].conn) {
				evhttp_connection_free(c->m[i].conn);
				c->m[i].conn = NULL;
			}
			continue;
		}
		c->cur = i;
		c->answered = (int)i;
		if (k.status == 200 && k.body) {
			*out = k.body;
			*outlen = k.len;
			return 0;
		}
		snprintf(err, errlen, "etcd: %s: HTTP %d: %.200s",
			 c->m[i].hostport, k.status, k.body ? k.body : "");
		free(k.body);
		/* an etcd that answers with an error (no leader, request
		 * timed out) may be cut off from the others: try the next */
		c->cur = (i + 1) % c->n;
	}
	return -1;
}

const char *etcd_http_member(const struct etcd_http *c)
{
	return c->answered < 0 ? "" : c->m[c->answered].hostport;
}
