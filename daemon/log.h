/* SPDX-License-Identifier: BSD-2-Clause */
/* daemon/log.h - one logging API: syslog, or stderr in the foreground. */
#ifndef MIP4D_LOG_H
#define MIP4D_LOG_H

#include <stdbool.h>
#include <stdint.h>

/* to_stderr: lines on standard error (-d, -F), else syslog (facility
 * daemon); debug: log_debug() lines too. */
void log_init(bool to_stderr, bool debug);
/* What stderr lines start with ("mip4d", "mip4d[priv]"). */
void log_set_tag(const char *tag);
bool log_debug_enabled(void);
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * Per-reason rate limiting of messages that a packet can trigger (a send
 * that fails, a peer that misbehaves): at most LOG_RL_BURST in each
 * LOG_RL_WINDOW_MS; the first message after a window in which some were
 * suppressed says how many.  One struct log_rl per reason, zeroed, in the
 * state of whoever logs (BIRD's log_rl is the model).
 */
#define LOG_RL_BURST 5
#define LOG_RL_WINDOW_MS 10000
struct log_rl {
	uint64_t start_ms;
	unsigned n;
	uint64_t suppressed;
};
void log_rl_warnx(struct log_rl *rl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void log_rl_warn(struct log_rl *rl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Broken internal invariants only: never for bad input from the network
 * or a config file. */
void fatalx(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

#endif
