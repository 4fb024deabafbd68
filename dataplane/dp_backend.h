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
	char why[320]; /* dp_backend_why(), filled by dp_open() */
};

/* The eBPF backend's open with the reason of a failure (dp.c uses it for
 * auto; dp_ebpf_ops.open is this without the reason).  On success *out
 * is an eBPF dp whose why says what was loaded or taken over. */
int dp_ebpf_open(const struct dp_cfg *cfg, struct dp **out, char *why,
		 size_t why_len);

/* The same for the foreign agent and the mobile node (dp_ebpf_roles.c). */
int dp_ebpf_role_open(const struct dp_cfg *cfg, struct dp **out, char *why,
		      size_t why_len);

/* Interface names (NULL-ended) to at most max indexes in out: the count,
 * or -errno with the reason in why. */
int dp_ebpf_outer_ifindexes(const char *const *names, int *out, int max,
			    char *why, size_t wn);

#endif
