/* SPDX-License-Identifier: BSD-2-Clause */
/* The fakes the role tests link in place of the clock, the data plane and
 * the privileged side. */
#ifndef MIP4_TEST_FAKE_H
#define MIP4_TEST_FAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "priv.h"

extern uint64_t fake_ms;
void fake_advance(uint64_t ms);

/* The data plane: no device, an ifindex to route into, counts. */
#define FAKE_TUN_IFINDEX 4242
extern unsigned fake_dp_opened, fake_dp_udp_input;

/* The privileged side: every request, in order, with whether a flush
 * had collected it, and a hook run at each flush. */
#define FAKE_PRIV_MAX 256
struct fake_priv {
	struct priv p;
	struct priv_req req[FAKE_PRIV_MAX];
	bool async[FAKE_PRIV_MAX];
	unsigned n, flushed, flushes;
	int fail_op; /* answer -EIO to this op, 0: none */
	void (*on_flush)(struct fake_priv *f);
};
struct fake_priv *fake_priv_new(void);
/* How many requests of op for dst/plen were made. */
unsigned fake_priv_count(const struct fake_priv *f, enum priv_op op,
			 uint32_t dst);

#endif
