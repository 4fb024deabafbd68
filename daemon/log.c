/* SPDX-License-Identifier: BSD-2-Clause */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

/* The logger is process-wide state by nature: how to log is decided
 * once at start, the rest of the daemon only calls log_*(). */
static bool log_stderr = true;
static bool log_verbose;
static char log_tag[16] = "mip4d";

bool log_debug_enabled(void)
{
	return log_verbose;
}

void log_set_tag(const char *tag)
{
	(void)snprintf(log_tag, sizeof log_tag, "%s", tag);
}

void log_init(bool to_stderr, bool debug)
{
	log_stderr = to_stderr;
	log_verbose = debug;
	if (!to_stderr)
		openlog("mip4d", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

__attribute__((format(printf, 2, 0))) static void
vlog(int pri, const char *fmt, va_list ap)
{
	if (pri == LOG_DEBUG && !log_verbose)
		return;
	if (log_stderr) {
		struct timespec ts;
		struct tm tm;
		char when[32] = "";

		clock_gettime(CLOCK_REALTIME, &ts);
		if (localtime_r(&ts.tv_sec, &tm))
			strftime(when, sizeof when, "%H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ld %s: ", when, ts.tv_nsec / 1000000,
			log_tag);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	} else {
		vsyslog(pri, fmt, ap);
	}
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

void log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap);
	va_end(ap);
}

/* The message, then the system's word for errno as it was (saved). */
__attribute__((format(printf, 2, 0))) static void
vlog_errno(int saved, const char *fmt, va_list ap)
{
	char buf[512];

	vsnprintf(buf, sizeof buf, fmt, ap);
	log_warnx("%s: %s", buf, strerror(saved));
}

void log_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog_errno(saved, fmt, ap);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

void fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}

/* May this message go out?  Says first how many were held back. */
static bool rl_pass(struct log_rl *rl)
{
	struct timespec ts;
	uint64_t now;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	if (rl->start_ms == 0 || now - rl->start_ms >= LOG_RL_WINDOW_MS) {
		if (rl->suppressed)
			log_warnx("(%llu similar messages suppressed in the last "
				  "%llu s)",
				  (unsigned long long)rl->suppressed,
				  (unsigned long long)((now - rl->start_ms) /
						       1000));
		rl->start_ms = now;
		rl->n = 0;
		rl->suppressed = 0;
	}
	if (rl->n >= LOG_RL_BURST) {
		rl->suppressed++;
		return false;
	}
	rl->n++;
	return true;
}

void log_rl_warnx(struct log_rl *rl, const char *fmt, ...)
{
	va_list ap;

	if (!rl_pass(rl))
		return;
	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void log_rl_warn(struct log_rl *rl, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	if (!rl_pass(rl))
		return;
	va_start(ap, fmt);
	vlog_errno(saved, fmt, ap);
	va_end(ap);
}
