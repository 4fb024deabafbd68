/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dataplane/dp_backend.h - what every backend's handle starts with.
 * A backend embeds struct dp as its first member and casts back.
 */
#ifndef MIP4_DP_BACKEND_H
#define MIP4_DP_BACKEND_H

#include "dp.h"

struct dp {
	const struct dp_ops *ops;
};

#endif
