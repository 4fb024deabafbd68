/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dataplane/dp_ebpf.c - the eBPF data plane backend: the tc programs
 * (bpf/mip4.bpf.c) as a fast path in front of the userspace backend.
 *
 * It owns a userspace backend (dp_user.c) for everything the programs
 * leave alone, so the TUN, the raw sockets and the UDP input work as
 * before and the daemon polls the same descriptors.  On top of it: the
 * loader (bpf_load.c, privileged) unless the maps come from a privileged
 * parent (cfg->bpf_fds), and the map half (bpf_maps.c) that writes
 * bindings and reads counters.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "bpf_load.h"
#include "bpf_maps.h"
#include "bpf_pack.h"
#include "dp_backend.h"
#include "mip4/ip.h"
#include "mip4/wire.h"

#define MAX_OUTER 64

struct dp_ebpf {
	struct dp base;		  /* first: dp_ebpf is a dp */
	struct dp *user;	  /* the slow path */
	struct mip4_bpf_ld *ld;	  /* NULL when the maps came from a parent */
	struct mip4_bpf_maps *maps;
	struct mip4_btable *bindings;
	struct dp_stats *sum;	  /* user's + the kernel's, for dp_stats() */
	uint64_t map_errors;	  /* map updates that failed */
	uint64_t map_full;	  /* bindings left to user space: no room */
};

static struct dp_ebpf *dp_ebpf(struct dp *dp)
{
	return (struct dp_ebpf *)dp;
}

static const struct dp_ebpf *dp_ebpf_c(const struct dp *dp)
{
	return (const struct dp_ebpf *)dp;
}

/* The TUN outlives the process (kill -9) with its filter and routes, so
 * the kernel keeps forwarding; or not (clean close). */
static int tun_persist(const struct dp *user, int on)
{
	return ioctl(dp_tun_fd(user), TUNSETPERSIST, (unsigned long)on) < 0
		       ? -errno
		       : 0;
}

static void dp_ebpf_free(struct dp *dp, bool remove)
{
	struct dp_ebpf *e = dp_ebpf(dp);

	if (e->user && remove)
		(void)tun_persist(e->user, 0);
	mip4_bpf_load_close(e->ld, remove);
	mip4_bpf_maps_close(e->maps);
	dp_close(e->user); /* the TUN goes with its descriptor, unless it
			    * stays persistent */
	free(e->sum);
	free(e);
}

static void dp_ebpf_close(struct dp *dp)
{
	dp_ebpf_free(dp, true);
}

static void dp_ebpf_release(struct dp *dp)
{
	dp_ebpf_free(dp, false);
}

/* Interface names to indexes; the count, or -errno. */
static int outer_ifindexes(const char *const *names, int *out, char *why,
			   size_t wn)
{
	int n = 0;

	for (; names && *names; names++) {
		unsigned int i = if_nametoindex(*names);

		if (!i) {
			snprintf(why, wn, "outer interface %s: %s", *names,
				 strerror(errno));
			return -ENODEV;
		}
		if (n == MAX_OUTER)
			return -E2BIG;
		out[n++] = (int)i;
	}
	return n;
}

int dp_ebpf_open(const struct dp_cfg *cfg, struct dp **out, char *why,
		 size_t wn)
{
	struct mip4_bpf_load_cfg lc = {0};
	struct mip4_bpf_fds fds;
	struct dp_ebpf *e;
	int outer[MAX_OUTER], r, n = 0;
	size_t put = 0, removed = 0, l;

	if (!cfg || !cfg->bindings)
		return -EINVAL;
	e = calloc(1, sizeof *e);
	if (!e)
		return -ENOMEM;
	e->base.ops = &dp_ebpf_ops;
	e->bindings = cfg->bindings;
	e->sum = calloc(1, sizeof *e->sum);
	if (!e->sum) {
		r = -ENOMEM;
		goto fail;
	}
	r = dp_user_ops.open(cfg, &e->user);
	if (r < 0) {
		snprintf(why, wn, "tunnel device %s: %s", cfg->tun_name,
			 strerror(-r));
		e->user = NULL;
		goto fail;
	}
	if (cfg->bpf_fds) {
		fds = *cfg->bpf_fds;
		snprintf(e->base.why, sizeof e->base.why,
			 "ebpf: maps from the privileged parent");
	} else {
		if (cfg->outer_ifs) {
			n = outer_ifindexes(cfg->outer_ifs, outer, why, wn);
			if (n < 0) {
				r = n;
				goto fail;
			}
		}
		lc.instance = cfg->instance ? cfg->instance : "mip4d";
		lc.bpf_root = cfg->bpf_root;
		lc.role = MIP4_BPF_ROLE_HA;
		lc.tun_ifindex = dp_tun_ifindex(e->user);
		lc.outer_ifindex = cfg->outer_ifs ? outer : NULL;
		lc.n_outer = (size_t)n;
		lc.local_addr = cfg->local_addr;
		lc.local_port = MIP4_PORT;
		lc.max_bindings = cfg->max_bindings;
		r = mip4_bpf_load(&lc, &e->ld, why, wn);
		if (r < 0)
			goto fail;
		mip4_bpf_load_fds(e->ld, &fds);
		snprintf(e->base.why, sizeof e->base.why, "ebpf: %s",
			 mip4_bpf_load_info(e->ld));
	}
	r = mip4_bpf_maps_open(&fds, &e->maps);
	if (r < 0) {
		snprintf(why, wn, "map descriptors: %s", strerror(-r));
		goto fail;
	}
	r = tun_persist(e->user, 1);
	if (r < 0) {
		snprintf(why, wn, "TUNSETPERSIST: %s", strerror(-r));
		goto fail;
	}
	/* restored bindings in, whatever a dead run left out */
	r = mip4_bpf_maps_reconcile(e->maps, e->bindings, &put, &removed);
	if (r < 0) {
		snprintf(why, wn, "reconciling the binding map: %s",
			 strerror(-r));
		goto fail;
	}
	l = strlen(e->base.why);
	snprintf(e->base.why + l, sizeof e->base.why - l,
		 "; map reconciled: %zu bindings, %zu stale removed", put,
		 removed);
	snprintf(why, wn, "%s", e->base.why);
	*out = &e->base;
	return 0;
fail:
	/* a takeover that failed leaves the previous programs forwarding */
	if (e->ld)
		mip4_bpf_load_close(e->ld, !mip4_bpf_load_took_over(e->ld));
	e->ld = NULL;
	mip4_bpf_maps_close(e->maps);
	e->maps = NULL;
	if (e->user) {
		(void)tun_persist(e->user, 0);
		dp_close(e->user);
	}
	free(e->sum);
	free(e);
	return r;
}

static int dp_ebpf_open_ops(const struct dp_cfg *cfg, struct dp **out)
{
	char why[256];

	return dp_ebpf_open(cfg, out, why, sizeof why);
}

static int dp_ebpf_tun_fd(const struct dp *dp)
{
	return dp_tun_fd(dp_ebpf_c(dp)->user);
}

static int dp_ebpf_raw_fd(const struct dp *dp)
{
	return dp_raw_fd(dp_ebpf_c(dp)->user);
}

static int dp_ebpf_tun_ifindex(const struct dp *dp)
{
	return dp_tun_ifindex(dp_ebpf_c(dp)->user);
}

static int dp_ebpf_on_tun(struct dp *dp)
{
	return dp_on_tun(dp_ebpf(dp)->user);
}

static int dp_ebpf_on_raw(struct dp *dp)
{
	return dp_on_raw(dp_ebpf(dp)->user);
}

static int dp_ebpf_bind_update(struct dp *dp, const struct mip4_binding *b)
{
	struct dp_ebpf *e = dp_ebpf(dp);
	int r = mip4_bpf_maps_bind(e->maps, b);

	/* too many care-of addresses, no kernel support for the
	 * encapsulation, or the map is full: the userspace path has it (the
	 * entry is not in the map), that is no error */
	if (r == -E2BIG || r == -EINVAL || r == -ENOSPC) {
		if (r != -EINVAL)
			e->map_full++;
		return 0;
	}
	if (r < 0)
		e->map_errors++;
	return r;
}

static int dp_ebpf_bind_remove(struct dp *dp, uint32_t home_addr)
{
	struct dp_ebpf *e = dp_ebpf(dp);
	int r = mip4_bpf_maps_del(e->maps, home_addr);

	if (r < 0)
		e->map_errors++;
	return r;
}

static int dp_ebpf_sync(struct dp *dp)
{
	struct dp_ebpf *e = dp_ebpf(dp);
	int r = mip4_bpf_maps_reconcile(e->maps, e->bindings, NULL, NULL);

	if (r < 0)
		e->map_errors++;
	return r;
}

static int dp_ebpf_udp_input(struct dp *dp, uint32_t src, uint16_t sport,
			     const uint8_t *msg, size_t len)
{
	struct dp_ebpf *e = dp_ebpf(dp);
	struct mip4_binding *b;
	struct mip4_ip ip;
	int r = dp_udp_input(e->user, src, sport, msg, len);

	/* What the program leaves to the socket from a binding's address
	 * is the first packet from a new NAT port (RFC 3519 §4.11) or the
	 * keepalive that binds a half-bound one: the userspace path learnt
	 * the port, the map must follow. */
	if (r == 0 && len > MIP4_TUNNEL_DATA_LEN &&
	    mip4_ip_decode(msg + MIP4_TUNNEL_DATA_LEN,
			   len - MIP4_TUNNEL_DATA_LEN, &ip) == MIP4_IP_OK &&
	    (b = mip4_btable_get(e->bindings, ip.src)) != NULL)
		(void)dp_ebpf_bind_update(dp, b);
	return r;
}

static const struct dp_stats *dp_ebpf_stats(const struct dp *dp)
{
	const struct dp_ebpf *e = dp_ebpf_c(dp);
	uint64_t k[MIP4_BPF_NCTR];
	struct dp_stats *s = e->sum;

	*s = *dp_stats(e->user);
	if (mip4_bpf_maps_stats(e->maps, k) < 0)
		return s;
	s->encap_tx += k[MIP4_BPF_ENCAP_TX];
	s->decap_rx += k[MIP4_BPF_DECAP_IPIP] + k[MIP4_BPF_DECAP_GRE] +
		       k[MIP4_BPF_DECAP_MIN];
	s->udp_rx += k[MIP4_BPF_DECAP_UDP];
	s->tun_tx += k[MIP4_BPF_DECAP_IPIP] + k[MIP4_BPF_DECAP_GRE] +
		     k[MIP4_BPF_DECAP_MIN] + k[MIP4_BPF_DECAP_UDP];
	s->drop_spoofed += k[MIP4_BPF_DROP_SPOOFED];
	s->drop_not_reverse += k[MIP4_BPF_DROP_NOT_REVERSE];
	s->drop_malformed += k[MIP4_BPF_DROP_MALFORMED];
	s->drop_send_error += k[MIP4_BPF_DROP_ADJUST] +
			      k[MIP4_BPF_DROP_REDIRECT];
	return s;
}

static void dp_ebpf_bind_counters(const struct dp *dp,
				  const struct mip4_binding *b,
				  struct dp_bind_counters *add)
{
	struct mip4_bpf_bcount c;

	if (mip4_bpf_maps_bcount(dp_ebpf_c(dp)->maps, b->home_addr, &c) < 0)
		return;
	add->pkts_to_mn += c.pkts_out;
	add->bytes_to_mn += c.bytes_out;
	add->pkts_from_mn += c.pkts_in;
	add->bytes_from_mn += c.bytes_in;
}

static void dp_ebpf_foreach_counter(const struct dp *dp,
				    void (*fn)(void *ctx, const char *name,
					       uint64_t v),
				    void *ctx)
{
	const struct dp_ebpf *e = dp_ebpf_c(dp);
	uint64_t k[MIP4_BPF_NCTR];

	if (mip4_bpf_maps_stats(e->maps, k) == 0)
		for (unsigned int i = 0; i < MIP4_BPF_NCTR; i++) {
			char name[64];

			snprintf(name, sizeof name, "bpf_%s",
				 mip4_bpf_ctr_name(i));
			fn(ctx, name, k[i]);
		}
	fn(ctx, "bpf_map_errors", e->map_errors);
	fn(ctx, "bpf_map_full", e->map_full);
}

const struct dp_ops dp_ebpf_ops = {
	.name = "ebpf",
	.open = dp_ebpf_open_ops,
	.close = dp_ebpf_close,
	.release = dp_ebpf_release,
	.tun_fd = dp_ebpf_tun_fd,
	.raw_fd = dp_ebpf_raw_fd,
	.tun_ifindex = dp_ebpf_tun_ifindex,
	.on_tun = dp_ebpf_on_tun,
	.on_raw = dp_ebpf_on_raw,
	.udp_input = dp_ebpf_udp_input,
	.bind_update = dp_ebpf_bind_update,
	.bind_remove = dp_ebpf_bind_remove,
	.sync = dp_ebpf_sync,
	.stats = dp_ebpf_stats,
	.bind_counters = dp_ebpf_bind_counters,
	.foreach_counter = dp_ebpf_foreach_counter,
};
