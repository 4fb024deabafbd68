/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/metricsd.h - metrics-listen ADDR:PORT: the counters and status
 * of `mip4ctl metrics` served over HTTP (GET /metrics) with libevent's
 * evhttp, for a Prometheus server to scrape.
 */
#ifndef MIP4D_METRICSD_H
#define MIP4D_METRICSD_H

#include <stdint.h>

struct event_base;
struct ctlsock;
struct metricsd;

/* Listens on addr:port (addr 0: every address), answering from cs.
 * 0, or -1 (logged). */
int metricsd_open(struct event_base *base, uint32_t addr, uint16_t port,
		  struct ctlsock *cs, struct metricsd **out);
void metricsd_close(struct metricsd *m);

#endif
