/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/priv_policy.h - what the privileged parent lets the engine do.
 *
 * Each role says, from the configuration alone, which devices, routing
 * tables, route destinations, rule priorities, marks and addresses it
 * needs (role_ops.allow); the parent checks every request against the
 * union before it acts.  A request outside it is refused with EPERM,
 * logged and counted: a compromised engine can steer only the traffic the
 * configuration already gives it.
 */
#ifndef MIP4D_PRIV_POLICY_H
#define MIP4D_PRIV_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "priv.h"

#define POL_MAX 32

/* Routes in the main table: destinations inside net/mask with a prefix
 * length in [min_plen, max_plen], out of dev ("" = any policy device). */
struct pol_route {
	uint32_t net, mask;
	int min_plen, max_plen;
	char dev[PRIV_IFNAME_MAX];
};

/* Addresses that may be announced or proxied on dev. */
struct pol_addr {
	uint32_t net, mask;
	char dev[PRIV_IFNAME_MAX];
};

struct priv_policy {
	char dev[POL_MAX][PRIV_IFNAME_MAX]; /* every device of ours */
	unsigned n_dev;
	uint32_t table[POL_MAX];	/* our own tables: any route there */
	unsigned n_table;
	struct pol_route route[POL_MAX]; /* what may go into main */
	unsigned n_route;
	uint32_t prio[POL_MAX];	/* rule priorities */
	unsigned n_prio;
	uint32_t rule_table[POL_MAX]; /* rules may point there (and main) */
	unsigned n_rule_table;
	uint32_t mark[POL_MAX];
	unsigned n_mark;
	struct pol_addr proxy[POL_MAX]; /* proxy ARP entries */
	unsigned n_proxy;
	struct pol_addr garp[POL_MAX];	/* gratuitous ARP */
	unsigned n_garp;
	bool neigh;			/* permanent neighbour entries on our
					   devices */
	bool vpn;			/* the VPN client's commands */
};

/* Adding to a policy (silently capped at POL_MAX each). */
void pol_dev(struct priv_policy *p, const char *name);
void pol_table(struct priv_policy *p, uint32_t table);
void pol_route(struct priv_policy *p, uint32_t net, uint32_t mask,
	       int min_plen, int max_plen, const char *dev);
void pol_prio(struct priv_policy *p, uint32_t prio);
void pol_rule_table(struct priv_policy *p, uint32_t table);
void pol_mark(struct priv_policy *p, uint32_t mark);
void pol_proxy(struct priv_policy *p, uint32_t net, uint32_t mask,
	       const char *dev);
void pol_garp(struct priv_policy *p, uint32_t net, uint32_t mask,
	      const char *dev);

/* The name of an interface index, for the checks (injected so that the
 * checks can be tested without interfaces).  0 or -1. */
typedef int (*pol_ifname_fn)(int ifindex, char name[PRIV_IFNAME_MAX]);

/*
 * 0 when rq is allowed; -EPERM with *why set to a short reason when not.
 * rq must have passed priv_req_check().
 */
int priv_policy_check(const struct priv_policy *p, const struct priv_req *rq,
		      pol_ifname_fn ifname, const char **why);

#endif
