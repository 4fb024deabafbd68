/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/reload.h - a reload (SIGHUP) that does not stop registrations.
 *
 * With a million mobile nodes, parsing the configuration takes over a
 * second, and the daemon used to parse it twice inside its event loops
 * (the privileged parent to check it, the engine to use it): requests
 * waited the whole time (issue #14: a 1.2 s pause at 1M nodes).  Now:
 *
 *   1. reload_parse_start(): a child process (a fork, which touches
 *      nothing the loop owns) parses the file and writes the result as an
 *      image (config_image.h) into an anonymous file; the loop that
 *      started it goes on and hears back when the child is done.
 *   2. reload_load_start(): the process that runs the roles reads the
 *      image in slices of about a millisecond, one per turn of its event
 *      loop, between receive batches, while the running configuration
 *      keeps answering; then the roles take the new one at once.
 *
 * Separated (privsep.h), step 1 runs in the parent, which keeps only the
 * fixed part for its policy and hands the image to the engine for step 2;
 * in one process, both run there.  Why not a thread in the engine: the
 * engine parses every packet under a seccomp filter that does not allow
 * thread creation, and the design keeps one event loop per process
 * (DESIGN §3a, STYLE).  Why not parse the text in slices: the parser is
 * recursive and both processes would parse; the image is read by
 * fixed-size records that any slice can stop between.
 */
#ifndef MIP4D_RELOAD_H
#define MIP4D_RELOAD_H

#include "config.h"

struct event_base;

/* The child's verdict: the image (a descriptor the callee owns, at its
 * start), or -1 and a message. */
typedef void (*reload_parsed_fn)(void *ctx, int image_fd, const char *err);

struct reload_parse;

/*
 * Parse path in a child process into an image; done is called from base's
 * loop once it has finished (never from inside this call).  0 with *out
 * (freed by the time done returns), or -1 with errno (nothing started).
 */
int reload_parse_start(struct event_base *base, const char *path,
		       reload_parsed_fn done, void *ctx,
		       struct reload_parse **out);
/* Stop it (at exit): the child killed and reaped, done never called. */
void reload_parse_abort(struct reload_parse *rp);

/* The image read: nc (the callee frees it, or keeps it) and the image's
 * descriptor (the callee's: hand it to reload_free_later()), or NULL, -1
 * and a message. */
typedef void (*reload_loaded_fn)(void *ctx, struct mip4_config *nc,
				 int image_fd, const char *err);

struct reload_load;

/*
 * Read the image at fd (taken over: closed at the end) in slices from
 * base's loop, carrying the replay state over from old, which must stay
 * in place until done is called (config_image.h).  0 with *out (freed by
 * the time done returns), or -1 with a message in err and fd closed.
 */
int reload_load_start(struct event_base *base, int fd, struct mip4_config *old,
		      reload_loaded_fn done, void *ctx, char *err,
		      size_t errlen, struct reload_load **out);
/* Stop it (at exit): what was read freed, old left as it was, done never
 * called. */
void reload_load_abort(struct reload_load *rl);

struct reload_free;

/*
 * What a reload leaves behind, let go of in slices from base's loop: the
 * configuration it replaced (old, or NULL), its mobile nodes' keys wiped
 * ~1 MB a turn, then freed; and the image it came in (image_fd, or -1),
 * shrunk 4 MB a turn, then closed.  At 1M nodes either at once stops the
 * loop for tens of milliseconds (a wipe of 120 MB; the kernel freeing a
 * 130 MB memfd's pages on its last close: 62-82 ms measured here).  *old
 * is taken over and cleared; when no slice can be scheduled all goes at
 * once.  *slot (NULL when none) is the one under way, finished first; it
 * is NULL again when done.
 */
void reload_free_later(struct event_base *base, struct mip4_config *old,
		       int image_fd, struct reload_free **slot);
/* Finish the one under way at once (at exit); NULL is a no-op. */
void reload_free_now(struct reload_free **slot);

#endif
