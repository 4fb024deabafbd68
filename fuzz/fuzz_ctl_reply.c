/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness: what mip4ctl does with the daemon's answers, in
 * ctl/reply.c (joining an answer that comes in parts) and ctl/metrics.c
 * (the Prometheus text built from the status and counters answers).
 * The input is a series of newline-separated answer lines.  Checks: the
 * joiner stops at the first error or at the last part and never goes
 * on; a joined result renders, and every line of the rendering is a
 * HELP or TYPE comment or a sample "name{labels} value" with a legal
 * metric name, each family announced once before its samples.  The same
 * lines fed to an item sink (how mip4ctl prints listings) end the same
 * way, the sink seeing every entry the joined list holds and the result
 * keeping none; asked for a filtered answer, the joiner takes the lines
 * only when each says so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "mip4ctl.h"


static bool name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       c == ':' || (!first && c >= '0' && c <= '9');
}

/* One line of the rendering. */
static void check_line(const char *l, size_t n)
{
	size_t i = 0;

	if (n >= 2 && l[0] == '#') {
		CHECK(strncmp(l, "# HELP mip4d_", 13) == 0 ||
		      strncmp(l, "# TYPE mip4d_", 13) == 0);
		return;
	}
	CHECK(n > 6 && strncmp(l, "mip4d_", 6) == 0);
	while (i < n && name_char(l[i], i == 0))
		i++;
	if (i < n && l[i] == '{') { /* name="value" pairs, exactly */
		do {
			size_t k = ++i;

			while (i < n && name_char(l[i], i == k) && l[i] != ':')
				i++;
			CHECK(i > k && i + 1 < n && l[i] == '=' && l[i + 1] == '"');
			for (i += 2; i < n && l[i] != '"'; i++)
				if (l[i] == '\\') {
					i++;
					CHECK(i < n && (l[i] == '\\' || l[i] == '"' ||
							l[i] == 'n'));
				}
			CHECK(i < n && l[i] == '"');
			i++;
		} while (i < n && l[i] == ',');
		CHECK(i < n && l[i] == '}');
		i++;
	}
	CHECK(i < n && l[i] == ' ');
	CHECK(i + 1 < n && memchr(l + i + 1, ' ', n - i - 1) == NULL);
}

static void check_rendering(json_object *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	const char *labels[] = {"site=fuzz"};

	CHECK(f != NULL);
	CHECK(metrics_render(r, r, labels, 1, f) == 0);
	CHECK(fclose(f) == 0);
	for (size_t off = 0; off < len;) {
		const char *nl = memchr(buf + off, '\n', len - off);

		CHECK(nl != NULL); /* every line ends */
		check_line(buf + off, (size_t)(nl - (buf + off)));
		off = (size_t)(nl - buf) + 1;
	}
	free(buf);
}

static int count_item(void *ctx, json_object *e)
{
	CHECK(e != NULL);
	(*(size_t *)ctx)++;
	return 0;
}

/* Feed the input's lines to r until it is complete or in error; the
 * last return of ctl_reply_add(), and how many lines it took. */
static int feed(struct ctl_reply *r, const uint8_t *data, size_t size,
		size_t *lines)
{
	const char *p = (const char *)data, *end = p + size;
	char err[256];
	int rc = 0;

	*lines = 0;
	while (p < end && rc == 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		err[0] = '\0';
		rc = ctl_reply_add(r, p, n, err, sizeof err);
		CHECK(rc >= -1 && rc <= 1);
		CHECK(rc != -1 || err[0] != '\0');
		CHECK(rc == 1 ? r->done : !r->done);
		p += n + (nl != NULL);
		(*lines)++;
	}
	return rc;
}

/* Each of the first n lines says "filtered". */
static bool all_say_filtered(const uint8_t *data, size_t size, size_t n)
{
	const char *p = (const char *)data, *end = p + size;

	for (size_t i = 0; i < n && p < end; i++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (!memmem(p, len, "\"filtered\"", 10))
			return false;
		p += len + (nl != NULL);
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_reply r = {0}, f = {.want_filtered = true};
	size_t items = 0, lines, slines, flines;
	struct ctl_reply s = {.item = count_item, .item_ctx = &items};
	char err[256];
	int rc = feed(&r, data, size, &lines);
	int src = feed(&s, data, size, &slines);
	int frc = feed(&f, data, size, &flines);

	if (rc == 1) {
		/* a finished answer takes no more parts */
		CHECK(ctl_reply_add(&r, "{\"ok\":true}", 11, err, sizeof err) == -1);
		check_rendering(r.result);
	}
	/* the sink ends where the joiner does; it saw the joined list */
	CHECK(src == rc && slines == lines);
	if (rc == 1 && json_object_is_type(r.result, json_type_array)) {
		CHECK(json_object_is_type(s.result, json_type_array));
		CHECK(json_object_array_length(s.result) == 0);
		CHECK(items == json_object_array_length(r.result));
	}
	/* filtered: taken only when every line says so */
	if (frc == 1)
		CHECK(rc == 1 && flines == lines &&
		      all_say_filtered(data, size, lines));
	ctl_reply_free(&r);
	ctl_reply_free(&s);
	ctl_reply_free(&f);
	return 0;
}
