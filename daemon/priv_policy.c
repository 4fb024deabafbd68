/* SPDX-License-Identifier: BSD-2-Clause */
/* daemon/priv_policy.c - the parent's checks (see priv_policy.h). */
#include "priv_policy.h"

#include <errno.h>
#include <string.h>

static void name_put(char dst[PRIV_IFNAME_MAX], const char *src)
{
	size_t n = src ? strlen(src) : 0;

	if (n >= PRIV_IFNAME_MAX)
		n = PRIV_IFNAME_MAX - 1;
	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
}

void pol_dev(struct priv_policy *p, const char *name)
{
	if (!name || !name[0] || p->n_dev == POL_MAX)
		return;
	for (unsigned i = 0; i < p->n_dev; i++)
		if (strcmp(p->dev[i], name) == 0)
			return;
	name_put(p->dev[p->n_dev++], name);
}

static void add_u32(uint32_t *arr, unsigned *n, uint32_t v)
{
	for (unsigned i = 0; i < *n; i++)
		if (arr[i] == v)
			return;
	if (*n < POL_MAX)
		arr[(*n)++] = v;
}

void pol_table(struct priv_policy *p, uint32_t table)
{
	add_u32(p->table, &p->n_table, table);
}

void pol_prio(struct priv_policy *p, uint32_t prio)
{
	add_u32(p->prio, &p->n_prio, prio);
}

void pol_rule_table(struct priv_policy *p, uint32_t table)
{
	add_u32(p->rule_table, &p->n_rule_table, table);
}

void pol_mark(struct priv_policy *p, uint32_t mark)
{
	add_u32(p->mark, &p->n_mark, mark);
}

void pol_route(struct priv_policy *p, uint32_t net, uint32_t mask,
	       int min_plen, int max_plen, const char *dev)
{
	struct pol_route *r;

	if (p->n_route == POL_MAX)
		return;
	r = &p->route[p->n_route++];
	r->net = net & mask;
	r->mask = mask;
	r->min_plen = min_plen;
	r->max_plen = max_plen;
	name_put(r->dev, dev);
}

static void pol_addr_add(struct pol_addr *arr, unsigned *n, uint32_t net,
			 uint32_t mask, const char *dev)
{
	if (*n == POL_MAX)
		return;
	arr[*n].net = net & mask;
	arr[*n].mask = mask;
	name_put(arr[*n].dev, dev);
	(*n)++;
}

void pol_proxy(struct priv_policy *p, uint32_t net, uint32_t mask,
	       const char *dev)
{
	pol_addr_add(p->proxy, &p->n_proxy, net, mask, dev);
}

void pol_garp(struct priv_policy *p, uint32_t net, uint32_t mask,
	      const char *dev)
{
	pol_addr_add(p->garp, &p->n_garp, net, mask, dev);
}

static bool has_u32(const uint32_t *arr, unsigned n, uint32_t v)
{
	for (unsigned i = 0; i < n; i++)
		if (arr[i] == v)
			return true;
	return false;
}

/* The request's device, if it is one of ours: its name in name. */
static bool our_dev(const struct priv_policy *p, int ifindex,
		    pol_ifname_fn ifname, char name[PRIV_IFNAME_MAX])
{
	if (ifindex <= 0 || ifname(ifindex, name) < 0)
		return false;
	for (unsigned i = 0; i < p->n_dev; i++)
		if (strcmp(p->dev[i], name) == 0)
			return true;
	return false;
}

static bool addr_ok(const struct pol_addr *arr, unsigned n, uint32_t a,
		    const char *dev)
{
	for (unsigned i = 0; i < n; i++)
		if ((a & arr[i].mask) == arr[i].net &&
		    (!arr[i].dev[0] || strcmp(arr[i].dev, dev) == 0))
			return true;
	return false;
}

#define MAIN_TABLE 254u

static bool main_route_ok(const struct priv_policy *p, uint32_t dst, int plen,
			  const char *dev)
{
	for (unsigned i = 0; i < p->n_route; i++) {
		const struct pol_route *r = &p->route[i];

		if ((dst & r->mask) == r->net && plen >= r->min_plen &&
		    plen <= r->max_plen &&
		    (!r->dev[0] || strcmp(r->dev, dev) == 0))
			return true;
	}
	return false;
}

static int check_route(const struct priv_policy *p, const struct priv_req *rq,
		       pol_ifname_fn ifname, const char **why)
{
	char dev[PRIV_IFNAME_MAX];
	uint32_t table = rq->table ? rq->table : MAIN_TABLE;
	bool dev_ok = our_dev(p, rq->ifindex, ifname, dev);

	/* a delete by destination alone (ifindex 0) is the kernel's to
	 * match: allowed where an add would be, with any of our devices;
	 * an unreachable route has no device, and only our tables may
	 * hold one (below: never main) */
	if ((rq->op == PRIV_ROUTE_DEL && rq->ifindex == 0) ||
	    (rq->flags & PRIV_F_UNREACH)) {
		dev_ok = true;
		dev[0] = '\0';
	}
	if (!dev_ok) {
		*why = "a device that is not ours";
		return -EPERM;
	}
	if (table != MAIN_TABLE) {
		if (has_u32(p->table, p->n_table, table))
			return 0;
		*why = "a routing table that is not ours";
		return -EPERM;
	}
	if (rq->flags & PRIV_F_UNREACH) {
		*why = "an unreachable route in the main table";
		return -EPERM;
	}
	if (!main_route_ok(p, rq->dst, rq->plen, dev)) {
		*why = "a destination outside what the configuration routes";
		return -EPERM;
	}
	return 0;
}

static int check_rule(const struct priv_policy *p, const struct priv_req *rq,
		      pol_ifname_fn ifname, const char **why)
{
	(void)ifname;
	if (!has_u32(p->prio, p->n_prio, rq->prio)) {
		*why = "a rule priority that is not ours";
		return -EPERM;
	}
	if (rq->op == PRIV_RULE_DEL)
		return 0;
	if (rq->table && rq->table != MAIN_TABLE &&
	    !has_u32(p->rule_table, p->n_rule_table, rq->table) &&
	    !has_u32(p->table, p->n_table, rq->table)) {
		*why = "a rule to a table that is not ours";
		return -EPERM;
	}
	if ((rq->flags & PRIV_F_FWMARK) &&
	    !has_u32(p->mark, p->n_mark, rq->fwmark)) {
		*why = "a mark that is not ours";
		return -EPERM;
	}
	if (rq->op == PRIV_RULE_IIF_ADD || rq->op == PRIV_RULE_IIF_DEL) {
		for (unsigned i = 0; i < p->n_dev; i++)
			if (strcmp(p->dev[i], rq->iif) == 0)
				return 0;
		*why = "an input interface that is not ours";
		return -EPERM;
	}
	return 0;
}

int priv_policy_check(const struct priv_policy *p, const struct priv_req *rq,
		      pol_ifname_fn ifname, const char **why)
{
	char dev[PRIV_IFNAME_MAX];

	*why = "";
	switch ((enum priv_op)rq->op) {
	case PRIV_ROUTE_ADD:
	case PRIV_ROUTE_DEL:
		return check_route(p, rq, ifname, why);
	case PRIV_ROUTE_FLUSH:
		if (rq->table != MAIN_TABLE &&
		    has_u32(p->table, p->n_table, rq->table))
			return 0;
		*why = "flushing a table that is not ours";
		return -EPERM;
	case PRIV_RULE_ADD:
	case PRIV_RULE_DEL:
	case PRIV_RULE_IIF_ADD:
	case PRIV_RULE_IIF_DEL:
		return check_rule(p, rq, ifname, why);
	case PRIV_NEIGH_ADD:
	case PRIV_NEIGH_DEL:
		if (p->neigh && our_dev(p, rq->ifindex, ifname, dev))
			return 0;
		*why = "a neighbour entry on a device that is not ours";
		return -EPERM;
	case PRIV_PROXY_ADD:
	case PRIV_PROXY_DEL:
		if (our_dev(p, rq->ifindex, ifname, dev) &&
		    addr_ok(p->proxy, p->n_proxy, rq->dst, dev))
			return 0;
		*why = "a proxy entry for an address that is not served here";
		return -EPERM;
	case PRIV_GARP:
		if (our_dev(p, rq->ifindex, ifname, dev) &&
		    addr_ok(p->garp, p->n_garp, rq->dst, dev))
			return 0;
		*why = "announcing an address that is not served here";
		return -EPERM;
	case PRIV_VPN_RUN:
		if (p->vpn)
			return 0;
		*why = "no VPN is configured";
		return -EPERM;
	default:
		*why = "unknown request";
		return -EPERM;
	}
}
