/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/metricsd.c - the metrics endpoint.  The page is what `mip4ctl
 * metrics` prints (ctl/metrics.c renders both), built from the same
 * status and counters the control socket answers, so the two can never
 * disagree on a name.
 *
 * Only GET /metrics is served; any other path gets 404, any other method
 * evhttp's refusal.  Requests carry no body, headers are capped and a
 * connection idle for METRICS_TIMEOUT_S is closed.  libevent 2.1's evhttp
 * has no cap on connections: mip4d.conf(5) says to listen on a loopback
 * or management address.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctlsock.h"
#include "log.h"
#include "metrics.h"
#include "metricsd.h"

#define METRICS_TIMEOUT_S 10
#define METRICS_MAX_HEADERS 8192

struct metricsd {
	struct evhttp *http;
	struct ctlsock *cs;
	struct log_rl rl;
};

static void send_text(struct evhttp_request *req, int code,
		      const char *reason, const char *text, size_t len)
{
	struct evbuffer *body = evbuffer_new();

	evhttp_add_header(evhttp_request_get_output_headers(req),
			  "Content-Type",
			  code == 200 ? "text/plain; version=0.0.4; charset=utf-8"
				      : "text/plain; charset=utf-8");
	if (!body || evbuffer_add(body, text, len) < 0) {
		evbuffer_free(body);
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	evhttp_send_reply(req, code, reason, body);
	evbuffer_free(body);
}

static void on_request(struct evhttp_request *req, void *arg)
{
	struct metricsd *m = arg;
	const struct evhttp_uri *u = evhttp_request_get_evhttp_uri(req);
	const char *path = u ? evhttp_uri_get_path(u) : NULL;
	json_object *status, *counters;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	if (!path || strcmp(path, "/metrics") != 0) {
		static const char nf[] = "not found: the metrics are at /metrics\n";

		send_text(req, HTTP_NOTFOUND, "Not Found", nf, sizeof nf - 1);
		return;
	}
	f = open_memstream(&text, &len);
	if (!f) {
		log_rl_warn(&m->rl, "metrics: open_memstream");
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	status = ctlsock_status(m->cs);
	counters = ctlsock_counters(m->cs);
	rc = metrics_render(status, counters, NULL, 0, f);
	json_object_put(status);
	json_object_put(counters);
	if (fclose(f) != 0 || rc < 0) {
		log_rl_warnx(&m->rl, "metrics: out of memory rendering the page");
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
	} else {
		send_text(req, 200, "OK", text, len);
	}
	free(text);
}

int metricsd_open(struct event_base *base, uint32_t addr, uint16_t port,
		  struct ctlsock *cs, struct metricsd **out)
{
	struct metricsd *m = calloc(1, sizeof *m);
	struct in_addr ia = {.s_addr = htonl(addr)};
	char as[INET_ADDRSTRLEN];

	*out = NULL;
	if (!m || !(m->http = evhttp_new(base))) {
		log_warnx("metrics-listen: out of memory");
		free(m);
		return -1;
	}
	m->cs = cs;
	inet_ntop(AF_INET, &ia, as, sizeof as);
	evhttp_set_allowed_methods(m->http, EVHTTP_REQ_GET);
	evhttp_set_max_headers_size(m->http, METRICS_MAX_HEADERS);
	evhttp_set_max_body_size(m->http, 0);
	evhttp_set_timeout(m->http, METRICS_TIMEOUT_S);
	evhttp_set_gencb(m->http, on_request, m);
	errno = 0;
	if (!evhttp_bind_socket_with_handle(m->http, as, port)) {
		log_warnx("metrics-listen %s:%u: cannot listen%s%s", as,
			  (unsigned)port, errno ? ": " : "",
			  errno ? strerror(errno) : "");
		evhttp_free(m->http);
		free(m);
		return -1;
	}
	log_info("metrics on http://%s:%u/metrics", as, (unsigned)port);
	*out = m;
	return 0;
}

void metricsd_close(struct metricsd *m)
{
	if (!m)
		return;
	evhttp_free(m->http);
	free(m);
}
