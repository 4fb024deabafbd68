/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/hostcheck.h - what `mip4d -n` can check on this host beyond the
 * file itself: addresses that are not local, interfaces that do not
 * exist, a state directory that cannot be made.  Warnings, not errors:
 * an interface may come up, an address may be added, before the daemon
 * starts.
 */
#ifndef MIP4D_HOSTCHECK_H
#define MIP4D_HOSTCHECK_H

#include <stdio.h>

#include "config.h"

/* One "mip4d: warning: ..." line per problem on out; their number. */
unsigned hostcheck(const struct mip4_config *c, FILE *out);

#endif
