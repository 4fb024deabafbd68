/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/sandbox.h - what the engine gives up: its user becomes a system
 * user, every capability goes, no new privileges, the file system shrinks
 * to the state directory (Landlock, where the kernel has it) and the
 * system calls to a short list (seccomp, libseccomp).
 */
#ifndef MIP4D_SANDBOX_H
#define MIP4D_SANDBOX_H

#include <stdbool.h>
#include <sys/types.h>

#define SANDBOX_USER "mip4d"	   /* created by the package */
#define SANDBOX_FALLBACK "nobody" /* when it does not exist */

struct sandbox_user {
	uid_t uid;
	gid_t gid;
	char name[32];
	bool tcp; /* may open TCP sockets too (the etcd store's client) */
};

/* The engine's user: SANDBOX_USER, else SANDBOX_FALLBACK (logged). */
int sandbox_user(struct sandbox_user *u);
/*
 * The state directory: created if missing (0700), given to the engine's
 * user, with the files already in it.  Refused (logged) when it is a
 * system directory or one the user could not reach.
 */
int sandbox_state_dir(const char *dir, const struct sandbox_user *u);
/* Become u with no capability, no_new_privs, Landlock on state_dir (NULL:
 * no file system at all; *landlock says whether the kernel had it),
 * then the seccomp filter.  0 or -1. */
int sandbox_enter(const struct sandbox_user *u, const char *state_dir,
		  bool *landlock);
/* The seccomp filter alone (tests); tcp: as struct sandbox_user's. */
int sandbox_seccomp(bool tcp);

#endif
