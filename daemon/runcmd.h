/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/runcmd.h - run a command without blocking the event loop: its
 * standard output and error are collected, it is killed if it runs past a
 * timeout, and one callback reports how it ended.
 */
#ifndef MIP4D_RUNCMD_H
#define MIP4D_RUNCMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;
struct runcmd;

/* status: as waitpid() gives it, or -1 when the command could not be
 * started; out: what it printed (NUL-terminated, at most cap - 1 bytes
 * kept). */
typedef void (*runcmd_done_fn)(void *ctx, int status, bool killed,
			      const char *out, size_t len);

/*
 * Start argv[0] (an absolute path) with envp, stdin from /dev/null.
 * After timeout_ms it gets SIGKILL.  The callback runs from the event loop
 * once the command has ended, then it is freed.  NULL with errno
 * set when it cannot be started (no callback then).
 */
struct runcmd *runcmd_start(struct event_base *base, char *const argv[],
			char *const envp[], uint32_t timeout_ms, size_t cap,
			runcmd_done_fn done, void *ctx);
/*
 * The same, but the command's output is appended to the file log_path
 * (made 0600 if missing) instead of a pipe, and it is over when the command
 * itself exits, whatever it left running (a client that goes into the
 * background keeps no pipe of ours open).  The callback gets what the
 * command appended.  log_path NULL: runcmd_start().
 */
struct runcmd *runcmd_start_log(struct event_base *base, char *const argv[],
			char *const envp[], const char *log_path,
			uint32_t timeout_ms, size_t cap,
			runcmd_done_fn done, void *ctx);
/* Kill it (SIGTERM), reap it and free it; no callback. */
void runcmd_cancel(struct runcmd *s);

#endif
