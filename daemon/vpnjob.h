/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/vpnjob.h - carry out one VPN driver job (vpncmd.h) beside the
 * event loop: a command (runcmd.c), a dialogue on the client's control
 * socket, or a look at / a signal to the client's process by its pid file.
 * Each ends with one callback, after at most the timeout.
 */
#ifndef MIP4D_VPNJOB_H
#define MIP4D_VPNJOB_H

#include "runcmd.h"
#include "vpncmd.h"

struct vpnjob;

/* NULL with errno set when the job cannot start (program missing, socket
 * refused, out of memory): no callback then. */
struct vpnjob *vpnjob_start(struct event_base *base, const struct vpn_cmd *c,
			    uint32_t timeout_ms, size_t cap,
			    runcmd_done_fn done, void *ctx);
/* Stop it without a callback. */
void vpnjob_cancel(struct vpnjob *j);

#endif
