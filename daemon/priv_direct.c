/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/priv_direct.c - the privileged requests carried out in this
 * process: rtnetlink for the kernel's tables, the VPN driver's jobs
 * (vpnjob.c) for the VPN client.  The daemon's backend when it runs as one process, and what the
 * privileged parent runs once a request has passed its checks.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "nl.h"
#include "priv.h"
#include "vpnjob.h"

struct priv_direct {
	struct priv p; /* first: the handle */
	struct event_base *base;
	const struct mip4_config *conf;
	struct nl *nl;
	struct vpnjob *vpn;
	enum priv_vpn vpn_what;
};

static struct priv_direct *direct_of(struct priv *p)
{
	return (struct priv_direct *)p;
}

static void vpn_done(void *ctx, int status, bool killed, const char *out,
		     size_t len)
{
	struct priv_direct *d = ctx;
	struct priv_vpn_done r = {.vpn = (uint32_t)d->vpn_what,
				  .status = status,
				  .killed = killed,
				  .out = out,
				  .out_len = len};

	d->vpn = NULL;
	if (d->p.on_vpn)
		d->p.on_vpn(d->p.vpn_ctx, &r);
}

static int vpn_run(struct priv_direct *d, enum priv_vpn what)
{
	static struct vpn_cmd cmd; /* large; one job at a time */
	int rc;

	if (!d->conf || !d->conf->have_vpn)
		return -EPERM;
	if (d->vpn)
		return -EBUSY; /* one command at a time */
	rc = vpn_cmd_build(&d->conf->vpn, what, &cmd);
	if (rc < 0)
		return rc;
	d->vpn_what = what;
	d->vpn = vpnjob_start(d->base, &cmd, d->conf->vpn.swanctl_timeout_ms,
			      PRIV_VPN_OUT_MAX, vpn_done, d);
	return d->vpn ? 0 : -errno;
}

int priv_direct_exec(struct priv *p, const struct priv_req *rq)
{
	struct priv_direct *d = direct_of(p);
	const uint32_t src = rq->flags & PRIV_F_SRC ? rq->src : 0;

	switch ((enum priv_op)rq->op) {
	case PRIV_ROUTE_ADD:
		if (rq->flags & PRIV_F_UNREACH)
			return nl_route_add_unreachable(d->nl, rq->dst,
							rq->plen, rq->table);
		if (rq->flags & PRIV_F_VIA)
			return rq->flags & PRIV_F_MTU
				       ? nl_route_add_via_mtu(d->nl, rq->dst,
							      rq->plen, rq->gw,
							      rq->ifindex, src,
							      rq->table, rq->mtu)
				       : nl_route_add_via(d->nl, rq->dst,
							  rq->plen, rq->gw,
							  rq->ifindex, src,
							  rq->table);
		if (src)
			return nl_route_add_src(d->nl, rq->dst, rq->plen,
						rq->ifindex, src, rq->table);
		return nl_route_add(d->nl, rq->dst, rq->plen, rq->ifindex,
				    rq->table);
	case PRIV_ROUTE_DEL:
		return nl_route_del(d->nl, rq->dst, rq->plen, rq->ifindex,
				    rq->table);
	case PRIV_ROUTE_FLUSH:
		return nl_route_flush_table(d->nl, rq->table);
	case PRIV_RULE_ADD:
		if (rq->flags & PRIV_F_FROM)
			return nl_rule_add_from(d->nl, rq->prio, rq->table,
						rq->src);
		return nl_rule_add(d->nl, rq->prio, rq->table,
				   rq->flags & PRIV_F_FWMARK ? rq->fwmark : 0,
				   rq->flags & PRIV_F_SUPPRESS ? rq->suppress
							       : -1);
	case PRIV_RULE_DEL:
		return nl_rule_del(d->nl, rq->prio);
	case PRIV_RULE_IIF_ADD:
	case PRIV_RULE_IIF_DEL:
		return nl_rule_iif(d->nl, rq->op == PRIV_RULE_IIF_ADD, rq->prio,
				   rq->table, rq->src, rq->iif);
	case PRIV_NEIGH_ADD:
		return nl_neigh_add(d->nl, rq->ifindex, rq->dst, rq->mac);
	case PRIV_NEIGH_DEL:
		return nl_neigh_del(d->nl, rq->ifindex, rq->dst);
	case PRIV_PROXY_ADD:
		return nl_neigh_proxy_add(d->nl, rq->ifindex, rq->dst);
	case PRIV_PROXY_DEL:
		return nl_neigh_proxy_del(d->nl, rq->ifindex, rq->dst);
	case PRIV_GARP:
		return nl_garp_send_as(d->nl, rq->ifindex, rq->dst,
				       rq->flags & PRIV_F_MAC ? rq->mac : NULL);
	case PRIV_VPN_RUN:
		return vpn_run(d, (enum priv_vpn)rq->vpn);
	default:
		return -EINVAL;
	}
}

static int direct_submit(struct priv *p, const struct priv_req *rq,
			 bool async)
{
	int rc = priv_direct_exec(p, rq);

	if (rc < 0) {
		p->failed++;
		/* an async caller hears of it through the callback */
		if (async && p->on_error)
			p->on_error(p->error_ctx, rq, rc);
	}
	return async ? 0 : rc;
}

static void direct_free(struct priv *p)
{
	struct priv_direct *d = direct_of(p);

	vpnjob_cancel(d->vpn);
	nl_close(d->nl);
	free(d);
}

static const struct priv_backend direct_backend = {
	.submit = direct_submit,
	.flush = NULL,
	.free = direct_free,
};

struct priv *priv_direct_new(struct event_base *base,
			     const struct mip4_config *conf)
{
	struct priv_direct *d = calloc(1, sizeof *d);
	int rc;

	if (!d)
		return NULL;
	rc = nl_open(&d->nl);
	if (rc < 0) {
		log_warnx("netlink: %s", strerror(-rc));
		free(d);
		return NULL;
	}
	d->p.be = &direct_backend;
	d->base = base;
	d->conf = conf;
	return &d->p;
}
