/* SPDX-License-Identifier: BSD-2-Clause */
/* daemon/priv.c - the privileged requests: building and checking them. */
#include "priv.h"

#include <errno.h>
#include <string.h>

static const char *const op_names[PRIV_NOPS] = {
	[PRIV_ROUTE_ADD] = "route-add",
	[PRIV_ROUTE_DEL] = "route-del",
	[PRIV_ROUTE_FLUSH] = "route-flush",
	[PRIV_RULE_ADD] = "rule-add",
	[PRIV_RULE_DEL] = "rule-del",
	[PRIV_RULE_IIF_ADD] = "rule-iif-add",
	[PRIV_RULE_IIF_DEL] = "rule-iif-del",
	[PRIV_NEIGH_ADD] = "neigh-add",
	[PRIV_NEIGH_DEL] = "neigh-del",
	[PRIV_PROXY_ADD] = "proxy-add",
	[PRIV_PROXY_DEL] = "proxy-del",
	[PRIV_GARP] = "garp",
	[PRIV_VPN_RUN] = "vpn-run",
};

const char *priv_op_name(enum priv_op op)
{
	return op > 0 && op < PRIV_NOPS ? op_names[op] : "unknown";
}

/* The flags each request may carry. */
static const uint16_t op_flags[PRIV_NOPS] = {
	[PRIV_ROUTE_ADD] = PRIV_F_SRC | PRIV_F_VIA | PRIV_F_MTU | PRIV_F_UNREACH,
	[PRIV_RULE_ADD] = PRIV_F_FWMARK | PRIV_F_SUPPRESS | PRIV_F_FROM,
	[PRIV_NEIGH_ADD] = PRIV_F_MAC,
	[PRIV_GARP] = PRIV_F_MAC,
};

static bool needs_ifindex(enum priv_op op)
{
	/* (a route delete without one goes by destination: the policy
	 * decides; an unreachable route has none, below) */
	switch (op) {
	case PRIV_ROUTE_ADD:
	case PRIV_NEIGH_ADD:
	case PRIV_NEIGH_DEL:
	case PRIV_PROXY_ADD:
	case PRIV_PROXY_DEL:
	case PRIV_GARP:
		return true;
	default:
		return false;
	}
}

int priv_req_check(const struct priv_req *rq)
{
	enum priv_op op = (enum priv_op)rq->op;

	if (rq->op == 0 || rq->op >= PRIV_NOPS ||
	    (rq->flags & ~op_flags[op]) != 0)
		return -EINVAL;
	if (rq->flags & PRIV_F_UNREACH) {
		if (rq->ifindex != 0 || rq->table == 0 ||
		    (rq->flags & ~PRIV_F_UNREACH) != 0)
			return -EINVAL;
	} else if (needs_ifindex(op) && rq->ifindex <= 0) {
		return -EINVAL;
	}
	if (op == PRIV_ROUTE_DEL && rq->ifindex < 0)
		return -EINVAL;
	if (rq->plen < 0 || rq->plen > 32 || rq->suppress < 0 ||
	    rq->suppress > 32)
		return -EINVAL;
	if ((rq->flags & PRIV_F_MTU) && (rq->mtu < 68 || rq->mtu > 65535))
		return -EINVAL;
	if (op == PRIV_NEIGH_ADD && !(rq->flags & PRIV_F_MAC))
		return -EINVAL;
	if (op == PRIV_VPN_RUN &&
	    (rq->vpn < PRIV_VPN_INITIATE || rq->vpn > PRIV_VPN_LIST))
		return -EINVAL;
	if (memchr(rq->iif, '\0', sizeof rq->iif) == NULL)
		return -EINVAL;
	if ((op == PRIV_RULE_IIF_ADD || op == PRIV_RULE_IIF_DEL) && !rq->iif[0])
		return -EINVAL;
	return 0;
}

void priv_set_error_cb(struct priv *p, priv_error_fn fn, void *ctx)
{
	p->on_error = fn;
	p->error_ctx = ctx;
}

void priv_set_vpn_cb(struct priv *p, priv_vpn_fn fn, void *ctx)
{
	p->on_vpn = fn;
	p->vpn_ctx = ctx;
}

void priv_flush(struct priv *p)
{
	if (p->be->flush)
		p->be->flush(p);
}

void priv_free(struct priv *p)
{
	if (p)
		p->be->free(p);
}

static int submit(struct priv *p, struct priv_req *rq, bool async)
{
	int rc = priv_req_check(rq);

	if (rc < 0)
		return rc;
	p->requests++;
	return p->be->submit(p, rq, async);
}

static struct priv_req route(enum priv_op op, uint32_t dst, int plen,
			     int ifindex, uint32_t table)
{
	struct priv_req rq = {.op = (uint16_t)op,
			      .ifindex = ifindex,
			      .dst = dst,
			      .plen = plen,
			      .table = table};

	return rq;
}

int priv_route(struct priv *p, bool add, uint32_t dst, int plen, int ifindex,
	       uint32_t table, bool async)
{
	struct priv_req rq = route(add ? PRIV_ROUTE_ADD : PRIV_ROUTE_DEL, dst,
				   plen, ifindex, table);

	return submit(p, &rq, async);
}

int priv_route_add_src(struct priv *p, uint32_t dst, int plen, int ifindex,
		       uint32_t src, uint32_t table)
{
	struct priv_req rq = route(PRIV_ROUTE_ADD, dst, plen, ifindex, table);

	if (src) {
		rq.src = src;
		rq.flags |= PRIV_F_SRC;
	}
	return submit(p, &rq, false);
}

int priv_route_add_via(struct priv *p, uint32_t dst, int plen, uint32_t gw,
		       int ifindex, uint32_t src, uint32_t table, int mtu)
{
	struct priv_req rq = route(PRIV_ROUTE_ADD, dst, plen, ifindex, table);

	rq.gw = gw;
	rq.flags |= PRIV_F_VIA;
	if (src) {
		rq.src = src;
		rq.flags |= PRIV_F_SRC;
	}
	if (mtu > 0) {
		rq.mtu = mtu;
		rq.flags |= PRIV_F_MTU;
	}
	return submit(p, &rq, false);
}

int priv_route_flush(struct priv *p, uint32_t table)
{
	struct priv_req rq = {.op = PRIV_ROUTE_FLUSH, .table = table};

	return submit(p, &rq, false);
}

int priv_route_unreachable(struct priv *p, uint32_t dst, int plen,
			   uint32_t table)
{
	struct priv_req rq = route(PRIV_ROUTE_ADD, dst, plen, 0, table);

	rq.flags = PRIV_F_UNREACH;
	return submit(p, &rq, false);
}

int priv_rule_add(struct priv *p, uint32_t prio, uint32_t table,
		  uint32_t fwmark, int suppress_plen)
{
	struct priv_req rq = {.op = PRIV_RULE_ADD, .prio = prio, .table = table};

	if (fwmark) {
		rq.fwmark = fwmark;
		rq.flags |= PRIV_F_FWMARK;
	}
	if (suppress_plen >= 0) {
		rq.suppress = suppress_plen;
		rq.flags |= PRIV_F_SUPPRESS;
	}
	return submit(p, &rq, false);
}

int priv_rule_add_from(struct priv *p, uint32_t prio, uint32_t table,
		       uint32_t from)
{
	struct priv_req rq = {.op = PRIV_RULE_ADD,
			      .flags = PRIV_F_FROM,
			      .prio = prio,
			      .table = table,
			      .src = from};

	return submit(p, &rq, false);
}

int priv_rule_del(struct priv *p, uint32_t prio)
{
	struct priv_req rq = {.op = PRIV_RULE_DEL, .prio = prio};

	return submit(p, &rq, false);
}

int priv_rule_iif(struct priv *p, bool add, uint32_t prio, uint32_t table,
		  uint32_t from, const char *iif)
{
	struct priv_req rq = {.op = add ? PRIV_RULE_IIF_ADD : PRIV_RULE_IIF_DEL,
			      .prio = prio,
			      .table = table,
			      .src = from};
	size_t n = strlen(iif);

	if (n == 0 || n >= sizeof rq.iif)
		return -EINVAL;
	memcpy(rq.iif, iif, n + 1);
	return submit(p, &rq, false);
}

int priv_neigh_add(struct priv *p, int ifindex, uint32_t addr,
		   const uint8_t mac[6])
{
	struct priv_req rq = {.op = PRIV_NEIGH_ADD,
			      .flags = PRIV_F_MAC,
			      .ifindex = ifindex,
			      .dst = addr};

	memcpy(rq.mac, mac, 6);
	return submit(p, &rq, false);
}

int priv_neigh_del(struct priv *p, int ifindex, uint32_t addr)
{
	struct priv_req rq = {.op = PRIV_NEIGH_DEL, .ifindex = ifindex,
			      .dst = addr};

	return submit(p, &rq, false);
}

int priv_proxy(struct priv *p, bool add, int ifindex, uint32_t addr,
	       bool async)
{
	struct priv_req rq = {.op = add ? PRIV_PROXY_ADD : PRIV_PROXY_DEL,
			      .ifindex = ifindex,
			      .dst = addr};

	return submit(p, &rq, async);
}

int priv_garp(struct priv *p, int ifindex, uint32_t addr,
	      const uint8_t sha[6], bool async)
{
	struct priv_req rq = {.op = PRIV_GARP, .ifindex = ifindex, .dst = addr};

	if (sha) {
		memcpy(rq.mac, sha, 6);
		rq.flags |= PRIV_F_MAC;
	}
	return submit(p, &rq, async);
}

int priv_vpn_run(struct priv *p, enum priv_vpn what)
{
	struct priv_req rq = {.op = PRIV_VPN_RUN, .vpn = (uint32_t)what};

	return submit(p, &rq, true);
}
