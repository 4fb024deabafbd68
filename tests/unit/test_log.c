/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The daemon's log lines (daemon/log.c, daemon/json.c): events as
 * key=value fields that a line-oriented reader can split back, and the
 * per-reason rate limiter (5 per window, then a count of what it held
 * back).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "json.h"
#include "log.h"

static void test_kv_line(void **state)
{
	json_object *o = json_object_new_object();
	json_object *a = json_object_new_array();
	char line[256];

	(void)state;
	jadd_str(o, "event", "registered");
	jadd_addr(o, "home_addr", 0x0a010064);
	jadd_int(o, "lifetime", 600);
	jadd_str(o, "reason", "a b=\"c\"\\");
	jadd_str(o, "empty", "");
	json_object_array_add(a, json_object_new_int(1));
	json_object_array_add(a, json_object_new_string("x y"));
	json_object_object_add(o, "list", a);
	json_kv_line(o, line, sizeof line);
	assert_string_equal(line,
			    "event=registered home_addr=10.1.0.100 lifetime=600 "
			    "reason=\"a b=\\\"c\\\"\\\\\" empty=\"\" "
			    "list=\"[1,\\\"x y\\\"]\"");
	/* truncated, still terminated */
	json_kv_line(o, line, 12);
	assert_string_equal(line, "event=regis");
	json_object_put(o);
}

/* stderr into a pipe while fn runs; what came out in out. */
static void capture(void (*fn)(void *), void *ctx, char *out, size_t len)
{
	int p[2], saved = dup(2);
	ssize_t n;

	assert_int_equal(pipe(p), 0);
	fflush(stderr);
	dup2(p[1], 2);
	close(p[1]);
	fn(ctx);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = read(p[0], out, len - 1);
	out[n > 0 ? n : 0] = '\0';
	close(p[0]);
}

static void twenty(void *ctx)
{
	for (int i = 0; i < 20; i++)
		log_rl_warnx(ctx, "send failed %d", i);
}

static void one_more(void *ctx)
{
	log_rl_warnx(ctx, "send failed again");
}

static unsigned lines(const char *s, const char *what)
{
	unsigned n = 0;

	for (const char *p = s; (p = strstr(p, what)); p++)
		n++;
	return n;
}

static void test_rate_limit(void **state)
{
	struct log_rl rl = {0};
	char out[4096];

	(void)state;
	log_init(true, false);
	capture(twenty, &rl, out, sizeof out);
	assert_int_equal(lines(out, "send failed"), LOG_RL_BURST);
	assert_non_null(strstr(out, "send failed 4"));
	assert_null(strstr(out, "send failed 5"));
	/* the window passes: the count of what was held back, then it */
	rl.start_ms -= LOG_RL_WINDOW_MS;
	capture(one_more, &rl, out, sizeof out);
	assert_non_null(strstr(out, "(15 similar messages suppressed"));
	assert_non_null(strstr(out, "send failed again"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kv_line),
		cmocka_unit_test(test_rate_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
