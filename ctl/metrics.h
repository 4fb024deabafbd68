/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ctl/metrics.h - Prometheus text exposition of the daemon's status and
 * counters answers (metrics.c): used by `mip4ctl metrics` and by the
 * daemon's metrics-listen HTTP endpoint (daemon/metricsd.c).
 */
#ifndef MIP4_METRICS_H
#define MIP4_METRICS_H

#include <json-c/json.h>
#include <stdio.h>

/* Prometheus text exposition of a status and a counters answer
 * (metrics.c).  labels: extra "name=value" pairs put on every sample. */
#define METRICS_MAX_LABELS 8
int metrics_render(json_object *status, json_object *counters,
		   const char *const *labels, unsigned n_labels, FILE *out);
/* "mip4d_up 0" with its HELP and TYPE, for a daemon that did not answer. */
void metrics_render_down(const char *const *labels, unsigned n_labels,
			 FILE *out);
/* Checks a --label NAME=VALUE argument: 0 or -1 (message in err). */
int metrics_label_check(const char *spec, char *err, size_t errlen);

#endif
