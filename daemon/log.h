/* SPDX-License-Identifier: BSD-2-Clause */
/* daemon/log.h - one logging API: syslog, or stderr in the foreground. */
#ifndef MIP4D_LOG_H
#define MIP4D_LOG_H

#include <stdbool.h>

void log_init(bool foreground, bool debug);
/* What stderr lines start with ("mip4d", "mip4d[priv]"). */
void log_set_tag(const char *tag);
bool log_debug_enabled(void);
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Broken internal invariants only: never for bad input from the network
 * or a config file. */
void fatalx(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

#endif
