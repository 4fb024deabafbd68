/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/config_image.h - a parsed configuration as bytes, so that a
 * reload (SIGHUP) parses the file once, in a process of its own, and the
 * process that answers registrations takes the result in slices between
 * receive batches instead of stopping for the parse (issue #14: with a
 * million mobile nodes the parse alone took over a second).
 *
 * The image is private to one build of mip4d: the process that writes it
 * and the one that reads it are the same program (a fork), so the structs
 * travel as they lie in memory, with their pointers left out and the
 * mobile nodes' NAIs as offsets into one block of text.  Reading still
 * checks every size, count, offset and key length, and refuses what does
 * not add up with a message (fuzz/fuzz_config_image.c).
 *
 * Reading in slices: mip4_config_load_begin() reads the fixed part,
 * mip4_config_load_step() takes up to `budget` records at a time and
 * builds the indexes as it goes, mip4_config_load_finish() hands the
 * configuration over.  Meanwhile the running configuration keeps serving
 * lookups; the replay state (RFC 5944 §5.7) of each node that stays is
 * carried over from it, and, for the nodes that the running one hands out
 * while the load goes on (mip4_config_find_mn() notes them), carried over
 * once more at the finish, so that no accepted identification is lost.
 */
#ifndef MIP4D_CONFIG_IMAGE_H
#define MIP4D_CONFIG_IMAGE_H

#include <stddef.h>

#include "config.h"

/* Write c's image to fd (from where it stands): 0, or -1 with errno. */
int mip4_config_image_write(const struct mip4_config *c, int fd);

struct mip4_config_loader;

/*
 * Start reading an image from fd (which the loader does not close).  old:
 * the configuration now in use, whose nodes' replay state is carried over
 * (NULL: none); it must stay in place, unmoved, until the loader is
 * finished or aborted.  0, or -1 with a message in err.
 */
int mip4_config_load_begin(int fd, struct mip4_config *old,
			   struct mip4_config_loader **out, char *err,
			   size_t errlen);

/* Read up to budget records: 1 while there is more, 0 when all is read,
 * -1 with a message in err (then abort). */
int mip4_config_load_step(struct mip4_config_loader *l, size_t budget,
			  char *err, size_t errlen);

/* After a step returned 0: the configuration into *out (free it with
 * mip4_config_free()), and the loader freed. */
void mip4_config_load_finish(struct mip4_config_loader *l,
			     struct mip4_config *out);

/* Give up: what was read is freed, old is left as it was.  NULL is a
 * no-op. */
void mip4_config_load_abort(struct mip4_config_loader *l);

/* Read only the fixed part of an image, without any peer (as
 * mip4_config_drop_peers() leaves a configuration): for the privileged
 * parent, whose policy needs nothing else.  0, or -1 with a message. */
int mip4_config_image_read_root(int fd, struct mip4_config *out, char *err,
				size_t errlen);

#endif
