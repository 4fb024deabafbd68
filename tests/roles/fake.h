/* SPDX-License-Identifier: BSD-2-Clause */
/* The fakes the role tests link in place of the clock, the data planes
 * and the privileged side. */
#ifndef MIP4_TEST_FAKE_H
#define MIP4_TEST_FAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "priv.h"

struct event_base;

/* The clock (fake_clock.c). */
extern uint64_t fake_ms;
/* Move the clock; nothing fires. */
void fake_advance(uint64_t ms);
/* Move the clock by ms in steps: each timer armed with mip4d_timer_at
 * fires at its deadline, the periodic ones every 100 ms, and the loop
 * runs (without waiting) after each step. */
void fake_run(struct event_base *base, uint64_t ms);
/* Run what is ready in the loop, without waiting. */
void fake_loop(struct event_base *base);
/* Forget the armed timers (their role was stopped: its events are
 * freed). */
void fake_timers_forget(void);

/* The home agent's data plane: no device, an ifindex to route into,
 * counts. */
#define FAKE_TUN_IFINDEX 4242
extern unsigned fake_dp_opened, fake_dp_udp_input;

/* The foreign agent's data plane (fake_fadp.c). */
#define FAKE_FA_TUN_IFINDEX 4343
extern unsigned fake_fadp_opened;

/* The mobile node's data planes (fake_mndp.c), one per home address
 * (the RFC 5265 node has two): where the tunnel points, and how many
 * privileged requests had been made when it was last pointed there. */
#define FAKE_MN_TUN_IFINDEX 4444
#define FAKE_MNDP_MAX 2
struct fake_mndp_tunnel {
	uint32_t home; /* 0: slot free */
	int mode;      /* enum mndp_mode */
	uint32_t coa, ha;
	unsigned sets;	     /* mndp_set_tunnel calls */
	unsigned priv_seen;  /* fake_mndp_priv->n at the last one */
	unsigned keepalives; /* mndp_send_keepalive calls */
};
extern struct fake_mndp_tunnel fake_mndp[FAKE_MNDP_MAX];
extern const struct fake_priv *fake_mndp_priv; /* set by the test */
const struct fake_mndp_tunnel *fake_mndp_of(uint32_t home);

/* The privileged side: every request, in order, with whether a flush
 * had collected it, and hooks run at each request and each flush. */
#define FAKE_PRIV_MAX 256
struct fake_priv {
	struct priv p;
	struct priv_req req[FAKE_PRIV_MAX];
	bool async[FAKE_PRIV_MAX];
	unsigned n, flushed, flushes;
	int fail_op; /* answer -EIO to this op, 0: none */
	void (*on_flush)(struct fake_priv *f);
	void (*on_submit)(struct fake_priv *f, const struct priv_req *rq);
	void *ctx; /* the hooks' */
};
struct fake_priv *fake_priv_new(void);
/* How many requests of op for dst/plen were made. */
unsigned fake_priv_count(const struct fake_priv *f, enum priv_op op,
			 uint32_t dst);
/* The index of the first request of op for dst at or after from, or -1. */
int fake_priv_find(const struct fake_priv *f, unsigned from, enum priv_op op,
		   uint32_t dst);

#endif
