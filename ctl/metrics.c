/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mip4ctl metrics: the daemon's status and counters answers in the
 * Prometheus text exposition format (version 0.0.4), e.g. for
 * node_exporter's textfile collector.
 *
 * The mapping is mechanical, so that a counter or a status field the
 * daemon gains appears without a change here (docs/mip4ctl.8, METRICS):
 *
 *   counters answer, section S, key K, integer N  ->  a counter
 *     S names the role: home-agent ha, foreign-agent fa, mobile-node mn,
 *     daemon daemon, anything else itself; "dataplane" (the home agent's)
 *     and "X-dataplane" are role ha / X with names mip4d_dataplane_...
 *     drop-REASON          mip4d_[dataplane_]drops_total{role,reason}
 *     reject-CODE-REASON   mip4d_rejects_total{role,code,reason}
 *     K { "CODE": N ... }  mip4d_K_total{role,code}   (all keys numbers)
 *     inner / outer { }    the same inside, with layer="inner"|"outer"
 *     K { ... }            the same inside, names prefixed with K_
 *     K                    mip4d_[dataplane_]K_total{role}
 *   status answer                                ->  gauges
 *     mip4d_up 1; top-level numbers as mip4d_K (uptime in seconds);
 *     each role object (home_agent, foreign_agent, mobile_node) gives
 *     mip4d_K{role} per number or boolean (K_ms in seconds), and one
 *     mip4d_info{role,...} 1 whose labels are its strings and lists;
 *     inner / outer objects add layer=, other objects prefix K_.
 *     A status number that a counter also carries (mip4d_K_total) is
 *     left out.
 *
 * Names: "mip4d_" + the key with every character outside [a-z0-9_]
 * turned into '_'.  Families print in the order they first appear, each
 * once with its HELP and TYPE; a repeated sample (same name and labels)
 * is dropped.
 */
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

#define NAME_MAX_LEN 200
#define LABELS_MAX 24

struct family {
	char *name;
	const char *type;
	char *help;
};

struct sample {
	size_t fam;
	char *labels; /* name="value",... (escaped), or "" */
	char *value;
};

struct label {
	char name[NAME_MAX_LEN];
	const char *value;
	char *owned; /* value when it was built here (joined lists) */
};

struct metrics {
	struct family *fam;
	size_t nfam, capfam;
	struct sample *smp;
	size_t nsmp, capsmp;
	const char *const *extra; /* --label NAME=VALUE */
	unsigned nextra;
	bool oom;
};

/* ---- names, labels, escaping ---- */

/* dst = prefix + key + suffix, made a legal metric or label name. */
static void make_name(char *dst, size_t n, const char *prefix, const char *key,
		      const char *suffix)
{
	size_t k = 0;
	const char *parts[3] = {prefix, key, suffix};

	for (int p = 0; p < 3; p++)
		for (const char *s = parts[p]; s && *s && k + 1 < n; s++) {
			char c = *s;

			if (c >= 'A' && c <= 'Z')
				c = (char)(c - 'A' + 'a');
			if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			      c == '_'))
				c = '_';
			dst[k++] = c;
		}
	dst[k] = '\0';
}

/* Appends s to the growing string *buf escaped as a label value (\\, \",
 * \n) or, with help set, as HELP text (\\, \n). */
static bool put_escaped(char **buf, size_t *len, size_t *cap, const char *s,
			bool help)
{
	for (; *s; s++) {
		const char *rep = NULL;
		char one[2] = {*s, '\0'};

		if (*s == '\\')
			rep = "\\\\";
		else if (*s == '\n')
			rep = "\\n";
		else if (*s == '"' && !help)
			rep = "\\\"";
		else
			rep = one;
		for (; *rep; rep++) {
			if (*len + 2 > *cap) {
				size_t nc = *cap ? *cap * 2 : 64;
				char *b = realloc(*buf, nc);

				if (!b)
					return false;
				*buf = b;
				*cap = nc;
			}
			(*buf)[(*len)++] = *rep;
			(*buf)[*len] = '\0';
		}
	}
	if (!*buf) {
		*buf = calloc(1, 1);
		return *buf != NULL;
	}
	return true;
}

static char *escape(const char *s, bool help)
{
	char *b = NULL;
	size_t len = 0, cap = 0;

	if (!put_escaped(&b, &len, &cap, s, help)) {
		free(b);
		return NULL;
	}
	return b;
}

/* name="value",... from the labels and the --label extras. */
static char *labels_string(const struct metrics *m, const struct label *l,
			   size_t nl)
{
	char *b = calloc(1, 1);
	size_t len = 0, cap = b ? 1 : 0;

	for (size_t i = 0; b && i < nl + m->nextra; i++) {
		const char *name, *value;
		char nb[NAME_MAX_LEN];

		if (i < nl) {
			name = l[i].name;
			value = l[i].value;
		} else {
			const char *eq = strchr(m->extra[i - nl], '=');
			size_t k = (size_t)(eq - m->extra[i - nl]);

			memcpy(nb, m->extra[i - nl], k);
			nb[k] = '\0';
			name = nb;
			value = eq + 1;
		}
		if ((len && !put_escaped(&b, &len, &cap, ",", false)) ||
		    !put_escaped(&b, &len, &cap, name, false) ||
		    !put_escaped(&b, &len, &cap, "=\"", true) ||
		    !put_escaped(&b, &len, &cap, value, false) ||
		    !put_escaped(&b, &len, &cap, "\"", true)) {
			free(b);
			return NULL;
		}
	}
	return b;
}

static bool extra_has(const struct metrics *m, const char *name)
{
	size_t n = strlen(name);

	for (unsigned i = 0; i < m->nextra; i++)
		if (strncmp(m->extra[i], name, n) == 0 && m->extra[i][n] == '=')
			return true;
	return false;
}

/* ---- families and samples ---- */

static long family_find(const struct metrics *m, const char *name)
{
	for (size_t i = 0; i < m->nfam; i++)
		if (strcmp(m->fam[i].name, name) == 0)
			return (long)i;
	return -1;
}

static long family_get(struct metrics *m, const char *name, const char *type,
		       const char *help)
{
	long i = family_find(m, name);
	struct family *f;

	if (i >= 0)
		return strcmp(m->fam[i].type, type) == 0 ? i : -1;
	if (m->nfam == m->capfam) {
		size_t nc = m->capfam ? m->capfam * 2 : 32;
		struct family *nf = realloc(m->fam, nc * sizeof *nf);

		if (!nf) {
			m->oom = true;
			return -1;
		}
		m->fam = nf;
		m->capfam = nc;
	}
	f = &m->fam[m->nfam];
	f->name = strdup(name);
	f->type = type;
	f->help = escape(help, true);
	if (!f->name || !f->help) {
		free(f->name);
		free(f->help);
		m->oom = true;
		return -1;
	}
	return (long)m->nfam++;
}

static bool samples_room(struct metrics *m)
{
	size_t nc = m->capsmp ? m->capsmp * 2 : 64;
	struct sample *ns;

	if (m->nsmp < m->capsmp)
		return true;
	ns = realloc(m->smp, nc * sizeof *ns);
	if (!ns)
		return false;
	m->smp = ns;
	m->capsmp = nc;
	return true;
}

/* One sample; a repeat of a name and label set already there is dropped. */
static void sample(struct metrics *m, const char *name, const char *type,
		   const char *help, const struct label *l, size_t nl,
		   const char *value)
{
	long f = family_get(m, name, type, help);
	char *labels, *v;

	if (f < 0)
		return;
	labels = labels_string(m, l, nl);
	if (!labels) {
		m->oom = true;
		return;
	}
	for (size_t i = 0; i < m->nsmp; i++)
		if (m->smp[i].fam == (size_t)f &&
		    strcmp(m->smp[i].labels, labels) == 0) {
			free(labels);
			return;
		}
	v = strdup(value);
	if (!v || !samples_room(m)) {
		free(v);
		free(labels);
		m->oom = true;
		return;
	}
	m->smp[m->nsmp].fam = (size_t)f;
	m->smp[m->nsmp].labels = labels;
	m->smp[m->nsmp].value = v;
	m->nsmp++;
}

static void double_text(double d, char *out, size_t n)
{
	if (isnan(d))
		snprintf(out, n, "NaN");
	else if (isinf(d))
		snprintf(out, n, d > 0 ? "+Inf" : "-Inf");
	else
		snprintf(out, n, "%.17g", d);
}

/* A JSON number or boolean as a sample value; false if it is neither. */
static bool number_text(json_object *v, double scale, char *out, size_t n)
{
	switch (json_object_get_type(v)) {
	case json_type_boolean:
		snprintf(out, n, "%d", json_object_get_boolean(v) ? 1 : 0);
		return true;
	case json_type_int:
		if (scale == 1)
			snprintf(out, n, "%" PRId64, json_object_get_int64(v));
		else
			double_text((double)json_object_get_int64(v) * scale, out, n);
		return true;
	case json_type_double:
		double_text(json_object_get_double(v) * scale, out, n);
		return true;
	default:
		return false;
	}
}

static void label_set(struct label *l, const char *name, const char *value)
{
	/* a label name must not be empty, start with a digit or with __ */
	make_name(l->name, sizeof l->name, NULL, name, NULL);
	if (!l->name[0] || (l->name[0] >= '0' && l->name[0] <= '9') ||
	    strncmp(l->name, "__", 2) == 0)
		make_name(l->name, sizeof l->name, "k_", name, NULL);
	l->value = value;
	l->owned = NULL;
}

/* ---- the counters answer ---- */

static const char *role_alias(const char *section)
{
	static const char *const alias[][2] = {
		{"home-agent", "ha"},	 {"home_agent", "ha"},
		{"foreign-agent", "fa"}, {"foreign_agent", "fa"},
		{"mobile-node", "mn"},	 {"mobile_node", "mn"},
	};

	for (size_t i = 0; i < sizeof alias / sizeof alias[0]; i++)
		if (strcmp(section, alias[i][0]) == 0)
			return alias[i][1];
	return section;
}

static bool all_numeric_keys(json_object *o)
{
	bool any = false;

	json_object_object_foreach(o, k, v) {
		(void)v;
		if (!*k || strspn(k, "0123456789") != strlen(k))
			return false;
		any = true;
	}
	return any;
}

static bool is_layer(const char *k)
{
	return strcmp(k, "inner") == 0 || strcmp(k, "outer") == 0;
}

struct where {
	char role[NAME_MAX_LEN]; /* "" at the top level */
	const char *layer;	 /* inner, outer or NULL */
	bool dataplane;
	char prefix[NAME_MAX_LEN]; /* from enclosing objects, "" or "k_" */
};

/* The labels every sample of w carries: role, layer. */
static size_t where_labels(const struct where *w, struct label *l)
{
	size_t n = 0;

	if (w->role[0])
		label_set(&l[n++], "role", w->role);
	if (w->layer)
		label_set(&l[n++], "layer", w->layer);
	return n;
}

static void counter_key(struct metrics *m, const struct where *w,
			const char *k, json_object *v)
{
	struct label l[4];
	size_t nl = where_labels(w, l);
	const char *dp = w->dataplane ? "dataplane_" : "";
	char name[NAME_MAX_LEN], help[NAME_MAX_LEN * 2], val[64], pre[NAME_MAX_LEN];
	size_t code_len;

	if (!number_text(v, 1, val, sizeof val))
		return;
	make_name(pre, sizeof pre, "mip4d_", dp, w->prefix);
	if (strncmp(k, "drop-", 5) == 0 && k[5]) {
		make_name(name, sizeof name, pre, "drops", "_total");
		label_set(&l[nl++], "reason", k + 5);
		snprintf(help, sizeof help,
			 "Messages or packets dropped%s, by role and reason "
			 "(the drop-REASON counters of mip4ctl counters).",
			 w->dataplane ? " by the data plane" : "");
		sample(m, name, "counter", help, l, nl, val);
		return;
	}
	code_len = strncmp(k, "reject-", 7) == 0 ? strspn(k + 7, "0123456789x") : 0;
	if (code_len && k[7 + code_len] == '-' && k[8 + code_len]) {
		char code[16];

		snprintf(code, sizeof code, "%.*s", (int)(code_len < 15 ? code_len : 15),
			 k + 7);
		make_name(name, sizeof name, pre, "rejects", "_total");
		label_set(&l[nl++], "code", code);
		label_set(&l[nl++], "reason", k + 8 + code_len);
		sample(m, name, "counter",
		       "Registration requests refused, by role, reply code and "
		       "reason (the reject-CODE-REASON counters of mip4ctl "
		       "counters).",
		       l, nl, val);
		return;
	}
	make_name(name, sizeof name, pre, k, "_total");
	snprintf(help, sizeof help, "The %s counter of mip4ctl counters.", k);
	sample(m, name, "counter", help, l, nl, val);
}

static void counters_walk(struct metrics *m, const struct where *w,
			  json_object *o)
{
	json_object_object_foreach(o, k, v) {
		struct where in = *w;

		if (!json_object_is_type(v, json_type_object)) {
			counter_key(m, w, k, v);
			continue;
		}
		if (!w->role[0]) { /* a section names the role */
			size_t kl = strlen(k);

			if (strcmp(k, "dataplane") == 0) { /* the home agent's */
				snprintf(in.role, sizeof in.role, "ha");
				in.dataplane = true;
			} else if (kl > 10 && strcmp(k + kl - 10, "-dataplane") == 0) {
				char r[NAME_MAX_LEN];

				snprintf(r, sizeof r, "%.*s", (int)(kl - 10), k);
				snprintf(in.role, sizeof in.role, "%s", role_alias(r));
				in.dataplane = true;
			} else {
				snprintf(in.role, sizeof in.role, "%s", role_alias(k));
			}
			if (!in.role[0]) /* a section named "" or "-dataplane" */
				snprintf(in.role, sizeof in.role, "-");
			counters_walk(m, &in, v);
			continue;
		}
		if (all_numeric_keys(v)) {
			char name[NAME_MAX_LEN], help[NAME_MAX_LEN * 2];
			char pre[NAME_MAX_LEN];

			make_name(pre, sizeof pre, "mip4d_",
				  w->dataplane ? "dataplane_" : "", w->prefix);
			make_name(name, sizeof name, pre, k, "_total");
			snprintf(help, sizeof help,
				 "The %s counters of mip4ctl counters, by code.", k);
			json_object_object_foreach(v, code, n) {
				struct label l[4];
				size_t nl = where_labels(w, l);
				char val[64];

				if (!number_text(n, 1, val, sizeof val))
					continue;
				label_set(&l[nl++], "code", code);
				sample(m, name, "counter", help, l, nl, val);
			}
			continue;
		}
		if (is_layer(k) && !w->layer) {
			in.layer = k;
		} else {
			make_name(in.prefix, sizeof in.prefix, w->prefix, k, "_");
		}
		counters_walk(m, &in, v);
	}
}

/* ---- the status answer ---- */

struct info {
	struct label l[LABELS_MAX];
	size_t n;
};

static void info_add(struct metrics *m, struct info *inf, const char *prefix,
		     const char *k, json_object *v)
{
	char key[NAME_MAX_LEN];
	struct label *l;

	if (inf->n == LABELS_MAX)
		return;
	snprintf(key, sizeof key, "%s%s", prefix, k);
	l = &inf->l[inf->n];
	label_set(l, key, NULL);
	/* the fixed labels and --label extras win over a status field */
	if (strcmp(l->name, "role") == 0 || strcmp(l->name, "layer") == 0 ||
	    extra_has(m, l->name))
		return;
	for (size_t i = 0; i < inf->n; i++)
		if (strcmp(inf->l[i].name, l->name) == 0)
			return;
	if (json_object_is_type(v, json_type_string)) {
		l->value = json_object_get_string(v);
	} else { /* a list: its scalars joined with commas */
		char *b = calloc(1, 1);
		size_t len = 0, cap = b ? 1 : 0;

		for (size_t i = 0; b && i < json_object_array_length(v); i++) {
			json_object *e = json_object_array_get_idx(v, i);
			const char *s = json_object_get_string(e);

			if (json_object_is_type(e, json_type_object) ||
			    json_object_is_type(e, json_type_array))
				continue;
			if ((len && !put_escaped(&b, &len, &cap, ",", true)) ||
			    !put_escaped(&b, &len, &cap, s ? s : "", true)) {
				free(b);
				b = NULL;
			}
		}
		if (!b) {
			m->oom = true;
			return;
		}
		l->owned = b;
		l->value = b;
	}
	inf->n++;
}

static void gauge_key(struct metrics *m, const struct where *w, const char *k,
		      json_object *v)
{
	struct label l[4];
	size_t nl = where_labels(w, l);
	char name[NAME_MAX_LEN], total[NAME_MAX_LEN + 8], help[NAME_MAX_LEN * 2];
	char val[64], base[NAME_MAX_LEN];
	size_t kl = strlen(k);
	double scale = 1;

	snprintf(base, sizeof base, "%s", k);
	if (kl > 3 && strcmp(k + kl - 3, "_ms") == 0) {
		snprintf(base, sizeof base, "%.*s_seconds", (int)(kl - 3), k);
		scale = 0.001;
	} else if (strcmp(k, "uptime") == 0) {
		snprintf(base, sizeof base, "uptime_seconds");
	}
	if (!number_text(v, scale, val, sizeof val))
		return;
	make_name(name, sizeof name, "mip4d_", w->prefix, NULL);
	make_name(name, sizeof name, name, base, NULL);
	snprintf(total, sizeof total, "%s_total", name);
	if (family_find(m, total) >= 0)
		return; /* a counter carries it */
	snprintf(help, sizeof help, "The %s%s field of mip4ctl status.",
		 w->prefix, k);
	sample(m, name, "gauge", help, l, nl, val);
}

static void status_walk(struct metrics *m, const struct where *w,
			json_object *o, struct info *inf)
{
	json_object_object_foreach(o, k, v) {
		struct where in = *w;

		switch (json_object_get_type(v)) {
		case json_type_object:
			if (!w->role[0]) {
				snprintf(in.role, sizeof in.role, "%s",
					 *k ? role_alias(k) : "-");
			} else if (is_layer(k) && !w->layer) {
				in.layer = k;
			} else {
				make_name(in.prefix, sizeof in.prefix, w->prefix, k, "_");
				status_walk(m, &in, v, inf); /* same info */
				continue;
			}
			{
				struct info sub = {.n = 0};

				status_walk(m, &in, v, &sub);
				if (sub.n || !w->role[0]) {
					struct label l[LABELS_MAX + 4];
					size_t nl = where_labels(&in, l);

					for (size_t i = 0; i < sub.n && nl < LABELS_MAX + 4; i++)
						l[nl++] = sub.l[i];
					sample(m, "mip4d_info", "gauge",
					       "The text fields of mip4ctl status as "
					       "labels, per role and layer; the value is "
					       "always 1.",
					       l, nl, "1");
				}
				for (size_t i = 0; i < sub.n; i++)
					free(sub.l[i].owned);
			}
			break;
		case json_type_string:
		case json_type_array:
			info_add(m, inf, w->prefix, k, v);
			break;
		default:
			gauge_key(m, w, k, v);
			break;
		}
	}
}

/* ---- output ---- */

static void print_all(const struct metrics *m, FILE *out)
{
	for (size_t f = 0; f < m->nfam; f++) {
		fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", m->fam[f].name,
			m->fam[f].help, m->fam[f].name, m->fam[f].type);
		for (size_t i = 0; i < m->nsmp; i++) {
			const struct sample *s = &m->smp[i];

			if (s->fam != f)
				continue;
			if (s->labels[0])
				fprintf(out, "%s{%s} %s\n", m->fam[f].name, s->labels,
					s->value);
			else
				fprintf(out, "%s %s\n", m->fam[f].name, s->value);
		}
	}
}

static void metrics_free(struct metrics *m)
{
	for (size_t i = 0; i < m->nfam; i++) {
		free(m->fam[i].name);
		free(m->fam[i].help);
	}
	for (size_t i = 0; i < m->nsmp; i++) {
		free(m->smp[i].labels);
		free(m->smp[i].value);
	}
	free(m->fam);
	free(m->smp);
}

#define UP_HELP "1 when mip4d answered on its control socket, 0 when it did not."

int metrics_render(json_object *status, json_object *counters,
		   const char *const *labels, unsigned n_labels, FILE *out)
{
	struct metrics m = {.extra = labels, .nextra = n_labels};
	struct where top = {.layer = NULL};
	int rc = 0;

	sample(&m, "mip4d_up", "gauge", UP_HELP, NULL, 0, "1");
	if (counters && json_object_is_type(counters, json_type_object))
		counters_walk(&m, &top, counters);
	if (status && json_object_is_type(status, json_type_object)) {
		struct info inf = {.n = 0};

		status_walk(&m, &top, status, &inf);
		if (inf.n)
			sample(&m, "mip4d_info", "gauge",
			       "The text fields of mip4ctl status as labels, per "
			       "role and layer; the value is always 1.",
			       inf.l, inf.n, "1");
		for (size_t i = 0; i < inf.n; i++)
			free(inf.l[i].owned);
	}
	if (m.oom)
		rc = -1;
	else
		print_all(&m, out);
	metrics_free(&m);
	return rc;
}

void metrics_render_down(const char *const *labels, unsigned n_labels,
			 FILE *out)
{
	struct metrics m = {.extra = labels, .nextra = n_labels};

	sample(&m, "mip4d_up", "gauge", UP_HELP, NULL, 0, "0");
	print_all(&m, out);
	metrics_free(&m);
}

int metrics_label_check(const char *spec, char *err, size_t errlen)
{
	static const char *const reserved[] = {"role", "layer", "reason", "code"};
	const char *eq = strchr(spec, '=');
	size_t n = eq ? (size_t)(eq - spec) : 0;

	if (!eq || n == 0 || n >= NAME_MAX_LEN ||
	    strspn(spec, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789_") != n ||
	    (spec[0] >= '0' && spec[0] <= '9') || strncmp(spec, "__", 2) == 0) {
		snprintf(err, errlen,
			 "--label '%s': want NAME=VALUE, NAME of letters, digits "
			 "and _, not starting with a digit or __",
			 spec);
		return -1;
	}
	for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
		if (strlen(reserved[i]) == n && strncmp(spec, reserved[i], n) == 0) {
			snprintf(err, errlen, "--label %.*s: mip4ctl sets that label",
				 (int)n, spec);
			return -1;
		}
	return 0;
}
