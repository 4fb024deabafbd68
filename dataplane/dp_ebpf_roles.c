/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dataplane/dp_ebpf_roles.c - the eBPF backend of the foreign agent and
 * the mobile node: the tc programs (bpf/mip4.bpf.c, roles FA and MN) in
 * front of the role's userspace backend (fa_user.c, mn_user.c), which
 * keeps its TUN, raw sockets and UDP input for whatever the programs
 * leave alone.  The home agent's is dp_ebpf.c.
 *
 * The map is a cache of the role's state: the FA keeps one entry per
 * visitor (dp_visitor_update / dp_visitor_remove, bpf_pack's
 * mip4_bpf_pack_visitor), the MN one for its home address while a
 * co-located tunnel is up (dp_set_tunnel; the care-of address also goes
 * into the configuration map, the decapsulation program's local
 * address).
 *
 * Lifetime: as the HA's, programs and maps pinned under
 * BPF_ROOT/mip4d/INSTANCE; close() detaches and unpins, release() only
 * closes descriptors (the engine after the split, the parent after a
 * crash).  The TUN is not made persistent: visitors re-register after a
 * restart and a mobile node re-registers too, so open() takes the pins
 * over and empties the map instead of reconciling it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bpf_load.h"
#include "bpf_maps.h"
#include "bpf_pack.h"
#include "dp_backend.h"
#include "mip4/binding.h"
#include "mip4/fa.h"
#include "mip4/wire.h"

#define MAX_OUTER 64
#define MN_MAX_ENTRIES 16 /* one home address; room to spare */

struct dp_front {
	struct dp base; /* first: a dp */
	struct dp *user; /* the role's userspace backend: the slow path */
	struct mip4_bpf_ld *ld; /* NULL when the maps came from a parent */
	struct mip4_bpf_maps *maps;
	enum dp_role role;
	uint32_t home;	    /* MN: the home address (the key) */
	uint16_t udp_port;  /* MN: our RFC 3519 port (host order) */
	uint64_t map_errors; /* map updates that failed */
};

static struct dp_front *front(struct dp *dp)
{
	return (struct dp_front *)dp;
}

static const struct dp_front *front_c(const struct dp *dp)
{
	return (const struct dp_front *)dp;
}

static void front_free(struct dp *dp, bool remove)
{
	struct dp_front *f = front(dp);

	mip4_bpf_load_close(f->ld, remove);
	mip4_bpf_maps_close(f->maps);
	dp_close(f->user);
	free(f);
}

static void front_close(struct dp *dp)
{
	front_free(dp, true);
}

static void front_release(struct dp *dp)
{
	front_free(dp, false);
}

/* The port udp_fd is bound to (host order), or fallback. */
static uint16_t bound_port(int fd, uint16_t fallback)
{
	struct sockaddr_in a = {0};
	socklen_t l = sizeof a;

	if (fd < 0 || getsockname(fd, (struct sockaddr *)&a, &l) < 0 ||
	    a.sin_family != AF_INET || !a.sin_port)
		return fallback;
	return ntohs(a.sin_port);
}

/* Whatever a run before this one left in the map (it is reused): out. */
static int map_empty(struct mip4_bpf_maps *m, size_t *removed)
{
	struct mip4_btable *none = mip4_btable_new(1);
	int r;

	if (!none)
		return -ENOMEM;
	r = mip4_bpf_maps_reconcile(m, none, NULL, removed);
	mip4_btable_free(none);
	return r;
}

int dp_ebpf_role_open(const struct dp_cfg *cfg, struct dp **out, char *why,
		      size_t wn)
{
	static const struct dp_ops *const user[] = {
		[DP_ROLE_FA] = &dp_fa_user_ops,
		[DP_ROLE_MN] = &dp_mn_user_ops,
	};
	struct mip4_bpf_load_cfg lc = {0};
	struct mip4_bpf_fds fds;
	struct dp_front *f;
	int outer[MAX_OUTER], r, n = 0;
	size_t removed = 0, l;

	if (!cfg || (cfg->role != DP_ROLE_FA && cfg->role != DP_ROLE_MN))
		return -EINVAL;
	f = calloc(1, sizeof *f);
	if (!f)
		return -ENOMEM;
	f->base.ops = &dp_ebpf_role_ops;
	f->role = cfg->role;
	f->home = cfg->home_addr;
	f->udp_port = bound_port(cfg->udp_fd, MIP4_PORT);
	r = user[cfg->role]->open(cfg, &f->user);
	if (r < 0) {
		snprintf(why, wn, "tunnel device %s: %s", cfg->tun_name,
			 strerror(-r));
		f->user = NULL;
		goto fail;
	}
	if (cfg->bpf_fds) {
		fds = *cfg->bpf_fds;
		snprintf(f->base.why, sizeof f->base.why,
			 "ebpf: maps from the privileged parent");
	} else {
		if (cfg->outer_ifs) {
			n = dp_ebpf_outer_ifindexes(cfg->outer_ifs, outer,
						    MAX_OUTER, why, wn);
			if (n < 0) {
				r = n;
				goto fail;
			}
		}
		lc.instance = cfg->instance ? cfg->instance : "mip4d";
		lc.bpf_root = cfg->bpf_root;
		lc.role = cfg->role == DP_ROLE_FA ? MIP4_BPF_ROLE_FA
						  : MIP4_BPF_ROLE_MN;
		lc.tun_ifindex = dp_tun_ifindex(f->user);
		lc.outer_ifindex = cfg->outer_ifs ? outer : NULL;
		lc.n_outer = (size_t)n;
		/* FA: its link address (encapsulating delivery); MN: the
		 * care-of address, set with the tunnel */
		lc.local_addr = cfg->role == DP_ROLE_FA ? cfg->link_addr : 0;
		lc.local_port = f->udp_port;
		lc.fwmark = cfg->role == DP_ROLE_MN ? cfg->fwmark : 0;
		lc.max_bindings = cfg->role == DP_ROLE_MN ? MN_MAX_ENTRIES
							  : cfg->max_bindings;
		r = mip4_bpf_load(&lc, &f->ld, why, wn);
		if (r < 0)
			goto fail;
		mip4_bpf_load_fds(f->ld, &fds);
		snprintf(f->base.why, sizeof f->base.why, "ebpf: %s",
			 mip4_bpf_load_info(f->ld));
	}
	r = mip4_bpf_maps_open(&fds, &f->maps);
	if (r < 0) {
		snprintf(why, wn, "map descriptors: %s", strerror(-r));
		goto fail;
	}
	r = map_empty(f->maps, &removed);
	if (r < 0) {
		snprintf(why, wn, "emptying the map: %s", strerror(-r));
		goto fail;
	}
	l = strlen(f->base.why);
	if (removed)
		snprintf(f->base.why + l, sizeof f->base.why - l,
			 "; %zu stale entries removed", removed);
	snprintf(why, wn, "%s", f->base.why);
	*out = &f->base;
	return 0;
fail:
	mip4_bpf_load_close(f->ld, f->ld && !mip4_bpf_load_took_over(f->ld));
	mip4_bpf_maps_close(f->maps);
	dp_close(f->user);
	free(f);
	return r;
}

static int front_open_ops(const struct dp_cfg *cfg, struct dp **out)
{
	char why[256];

	return dp_ebpf_role_open(cfg, out, why, sizeof why);
}

static int front_tun_fd(const struct dp *dp)
{
	return dp_tun_fd(front_c(dp)->user);
}

static int front_raw_fd(const struct dp *dp)
{
	return dp_raw_fd(front_c(dp)->user);
}

static int front_tun_ifindex(const struct dp *dp)
{
	return dp_tun_ifindex(front_c(dp)->user);
}

static int front_on_tun(struct dp *dp)
{
	return dp_on_tun(front(dp)->user);
}

static int front_on_raw(struct dp *dp)
{
	return dp_on_raw(front(dp)->user);
}

static int front_udp_input(struct dp *dp, uint32_t src, uint16_t sport,
			   const uint8_t *msg, size_t len)
{
	return dp_udp_input(front(dp)->user, src, sport, msg, len);
}

static int map_result(struct dp_front *f, int r)
{
	if (r < 0)
		f->map_errors++;
	return r;
}

/* ---- FA ---- */

static int front_visitor_update(struct dp *dp, const struct mip4_fa_visitor *v)
{
	struct dp_front *f = front(dp);
	struct mip4_bpf_binding b;
	int r = mip4_bpf_pack_visitor(&b, v);

	/* what cannot be packed stays on the userspace path */
	if (r < 0)
		return map_result(f, mip4_bpf_maps_del(f->maps, v->home_addr));
	return map_result(f, mip4_bpf_maps_put(f->maps, v->home_addr, &b));
}

static int front_visitor_remove(struct dp *dp, uint32_t home_addr)
{
	struct dp_front *f = front(dp);

	return map_result(f, mip4_bpf_maps_del(f->maps, home_addr));
}

/* ---- MN ---- */

static int bpf_encap_of_mode(enum mndp_mode mode)
{
	switch (mode) {
	case MNDP_IPIP:
		return MIP4_BPF_ENCAP_IPIP;
	case MNDP_UDP:
		return MIP4_BPF_ENCAP_UDP;
	case MNDP_GRE:
		return MIP4_BPF_ENCAP_GRE;
	case MNDP_MIN:
		return MIP4_BPF_ENCAP_MIN;
	default:
		return -1;
	}
}

static int front_set_tunnel(struct dp *dp, enum mndp_mode mode, uint32_t coa,
			    uint32_t ha)
{
	struct dp_front *f = front(dp);
	int encap = bpf_encap_of_mode(mode);
	struct mip4_bpf_peer p = {.expires_ms = UINT64_MAX, .peer = ha,
				  .port = MIP4_PORT};
	struct mip4_bpf_binding b;
	struct mip4_bpf_conf c;
	int r;

	/* the userspace path first: it gates or tunnels what the map does
	 * not hold, and holds the keepalive state */
	r = dp_set_tunnel(f->user, mode, coa, ha);
	if (r < 0)
		return r;
	/* out of the map before anything else changes: with the tunnel
	 * down (at home, via an FA) nothing may leave by the old one */
	r = mip4_bpf_maps_del(f->maps, f->home);
	if (r < 0 || encap < 0 || !coa || !ha)
		return map_result(f, r);
	r = mip4_bpf_maps_conf_get(f->maps, &c);
	if (r == 0) {
		c.local_addr = htonl(coa);
		r = mip4_bpf_maps_conf_set(f->maps, &c);
	}
	if (r < 0)
		return map_result(f, r);
	p.encap = (uint8_t)encap;
	r = mip4_bpf_pack(&b, coa, f->udp_port, &p, 1, MIP4_BPF_F_REVERSE);
	if (r < 0)
		return map_result(f, r);
	return map_result(f, mip4_bpf_maps_put(f->maps, f->home, &b));
}

static int front_send_keepalive(struct dp *dp)
{
	return dp_send_keepalive(front(dp)->user);
}

/* ---- counters ---- */

struct sum_ctx {
	void (*fn)(void *ctx, const char *name, uint64_t v);
	void *ctx;
	const uint64_t *k; /* the kernel's, NULL if unreadable */
};

/* The kernel's share of a userspace counter of the same meaning. */
static uint64_t kernel_share(const struct sum_ctx *s, const char *name)
{
	const uint64_t *k = s->k;

	if (!k)
		return 0;
	if (strcmp(name, "encap-tx") == 0)
		return k[MIP4_BPF_ENCAP_TX];
	if (strcmp(name, "decap-rx") == 0 || strcmp(name, "tun-tx") == 0)
		return k[MIP4_BPF_DECAP_IPIP] + k[MIP4_BPF_DECAP_GRE] +
		       k[MIP4_BPF_DECAP_MIN] + k[MIP4_BPF_DECAP_UDP];
	if (strcmp(name, "drop-spoofed") == 0 ||
	    strcmp(name, "drop-not-from-ha") == 0)
		return k[MIP4_BPF_DROP_SPOOFED];
	if (strcmp(name, "drop-not-reverse") == 0)
		return k[MIP4_BPF_DROP_NOT_REVERSE];
	if (strcmp(name, "drop-malformed") == 0)
		return k[MIP4_BPF_DROP_MALFORMED];
	if (strcmp(name, "drop-send-error") == 0)
		return k[MIP4_BPF_DROP_ADJUST] + k[MIP4_BPF_DROP_REDIRECT];
	return 0;
}

static void sum_one(void *ctx, const char *name, uint64_t v)
{
	struct sum_ctx *s = ctx;

	s->fn(s->ctx, name, v + kernel_share(s, name));
}

/* The userspace backend's counters with the kernel's share added (so
 * that the role's names mean the same with either backend), then every
 * kernel counter as bpf_NAME. */
static void front_foreach_counter(const struct dp *dp,
				  void (*fn)(void *ctx, const char *name,
					     uint64_t v),
				  void *ctx)
{
	const struct dp_front *f = front_c(dp);
	uint64_t k[MIP4_BPF_NCTR];
	struct sum_ctx s = {fn, ctx, NULL};
	bool have = mip4_bpf_maps_stats(f->maps, k) == 0;

	s.k = have ? k : NULL;
	dp_foreach_counter(f->user, sum_one, &s);
	for (unsigned int i = 0; have && i < MIP4_BPF_NCTR; i++) {
		char name[64];

		snprintf(name, sizeof name, "bpf_%s", mip4_bpf_ctr_name(i));
		fn(ctx, name, k[i]);
	}
	fn(ctx, "bpf_map_errors", f->map_errors);
}

const struct dp_ops dp_ebpf_role_ops = {
	.name = "ebpf",
	.open = front_open_ops,
	.close = front_close,
	.release = front_release,
	.tun_fd = front_tun_fd,
	.raw_fd = front_raw_fd,
	.tun_ifindex = front_tun_ifindex,
	.on_tun = front_on_tun,
	.on_raw = front_on_raw,
	.udp_input = front_udp_input,
	.foreach_counter = front_foreach_counter,
	.visitor_update = front_visitor_update,
	.visitor_remove = front_visitor_remove,
	.set_tunnel = front_set_tunnel,
	.send_keepalive = front_send_keepalive,
};
