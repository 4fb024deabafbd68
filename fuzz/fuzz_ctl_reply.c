/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness: what mip4ctl does with the daemon's answers, in
 * ctl/reply.c (joining an answer that comes in parts) and ctl/metrics.c
 * (the Prometheus text built from the status and counters answers).
 * The input is a series of newline-separated answer lines.  Checks: the
 * joiner stops at the first error or at the last part and never goes
 * on; a joined result renders, and every line of the rendering is a
 * HELP or TYPE comment or a sample "name{labels} value" with a legal
 * metric name, each family announced once before its samples.
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_reply r = {0};
	char err[256];
	const char *p = (const char *)data, *end = p + size;
	int rc = 0;

	while (p < end && rc == 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		err[0] = '\0';
		rc = ctl_reply_add(&r, p, n, err, sizeof err);
		CHECK(rc >= -1 && rc <= 1);
		CHECK(rc != -1 || err[0] != '\0');
		CHECK(rc == 1 ? r.done : !r.done);
		p += n + (nl != NULL);
	}
	if (rc == 1) {
		/* a finished answer takes no more parts */
		CHECK(ctl_reply_add(&r, "{\"ok\":true}", 11, err, sizeof err) == -1);
		check_rendering(r.result);
	}
	ctl_reply_free(&r);
	return 0;
}
