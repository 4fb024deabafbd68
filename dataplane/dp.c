/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dataplane/dp.c - the choice of backend (dp_open) and the dispatch of
 * the dp_* API to the backend's ops.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "bpf_load.h"
#include "dp_backend.h"

/* What an earlier eBPF run of this instance left (a daemon switched to
 * userspace, or auto falling back) would forward from a stale map: off
 * with it.  Appends what was done to why. */
static void ebpf_leftovers(const struct dp_cfg *cfg, char *why, size_t n)
{
	const char *inst = cfg->instance ? cfg->instance : "mip4d";
	static const enum mip4_bpf_role role[] = {
		[DP_ROLE_HA] = MIP4_BPF_ROLE_HA,
		[DP_ROLE_FA] = MIP4_BPF_ROLE_FA,
		[DP_ROLE_MN] = MIP4_BPF_ROLE_MN,
	};
	int r = mip4_bpf_unload(cfg->bpf_root, inst, role[cfg->role]);
	size_t l = strlen(why);

	if (r == 1)
		snprintf(why + l, n - l,
			 "; removed the eBPF data plane an earlier run left");
	else if (r < 0 && r != -EBUSY)
		snprintf(why + l, n - l,
			 "; could not remove an earlier run's eBPF data plane: "
			 "%s",
			 strerror(-r));
}

/* The role's eBPF backend, with the reason of a failure. */
static int ebpf_open(const struct dp_cfg *cfg, struct dp **out, char *why,
		     size_t why_len)
{
	if (cfg->role == DP_ROLE_HA)
		return dp_ebpf_open(cfg, out, why, why_len);
	return dp_ebpf_role_open(cfg, out, why, why_len);
}

int dp_open_why(const struct dp_cfg *cfg, struct dp **out, char *why,
		size_t why_len)
{
	static const struct dp_ops *const user[] = {
		[DP_ROLE_HA] = &dp_user_ops,
		[DP_ROLE_FA] = &dp_fa_user_ops,
		[DP_ROLE_MN] = &dp_mn_user_ops,
	};
	char reason[256] = ""; /* leaves room in why for the prefix */
	int r;

	if (!cfg || (unsigned)cfg->role > DP_ROLE_MN)
		return -EINVAL;
	if (cfg->backend == DP_BACKEND_EBPF || cfg->backend == DP_BACKEND_AUTO) {
		r = ebpf_open(cfg, out, reason, sizeof reason);
		if (r == 0 || cfg->backend == DP_BACKEND_EBPF) {
			if (why && why_len)
				snprintf(why, why_len, "%s", reason);
			return r;
		}
	}
	r = user[cfg->role]->open(cfg, out);
	if (r < 0)
		return r;
	if (cfg->backend == DP_BACKEND_AUTO)
		snprintf((*out)->why, sizeof (*out)->why,
			 "userspace: eBPF not available: %s", reason);
	else
		snprintf((*out)->why, sizeof (*out)->why,
			 "userspace: configured");
	if (!cfg->bpf_fds)
		ebpf_leftovers(cfg, (*out)->why, sizeof (*out)->why);
	if (why && why_len)
		snprintf(why, why_len, "%s", (*out)->why);
	return 0;
}

int dp_open(const struct dp_cfg *cfg, struct dp **out)
{
	return dp_open_why(cfg, out, NULL, 0);
}

void dp_close(struct dp *dp)
{
	if (dp)
		dp->ops->close(dp);
}

void dp_release(struct dp *dp)
{
	if (!dp)
		return;
	if (dp->ops->release)
		dp->ops->release(dp);
	else
		dp->ops->close(dp);
}

void dp_end(struct dp **dp, bool clean)
{
	if (clean)
		dp_close(*dp);
	else
		dp_release(*dp);
	*dp = NULL;
}

const char *dp_backend_name(const struct dp *dp)
{
	return dp->ops->name;
}

const char *dp_backend_why(const struct dp *dp)
{
	return dp->why;
}

int dp_tun_fd(const struct dp *dp)
{
	return dp->ops->tun_fd(dp);
}

int dp_raw_fd(const struct dp *dp)
{
	return dp->ops->raw_fd(dp);
}

int dp_tun_ifindex(const struct dp *dp)
{
	return dp->ops->tun_ifindex(dp);
}

int dp_on_tun(struct dp *dp)
{
	return dp->ops->on_tun(dp);
}

int dp_on_raw(struct dp *dp)
{
	return dp->ops->on_raw(dp);
}

int dp_udp_input(struct dp *dp, uint32_t src, uint16_t sport,
		 const uint8_t *msg, size_t len)
{
	return dp->ops->udp_input ? dp->ops->udp_input(dp, src, sport, msg, len)
				  : -EOPNOTSUPP;
}

int dp_bind_update(struct dp *dp, const struct mip4_binding *b)
{
	return dp->ops->bind_update ? dp->ops->bind_update(dp, b) : 0;
}

int dp_bind_remove(struct dp *dp, uint32_t home_addr)
{
	return dp->ops->bind_remove ? dp->ops->bind_remove(dp, home_addr) : 0;
}

int dp_sync(struct dp *dp)
{
	return dp->ops->sync ? dp->ops->sync(dp) : 0;
}

void dp_bind_counters(const struct dp *dp, const struct mip4_binding *b,
		      struct dp_bind_counters *out)
{
	*out = (struct dp_bind_counters){b->pkts_to_mn, b->bytes_to_mn,
					 b->pkts_from_mn, b->bytes_from_mn};
	if (dp->ops->bind_counters)
		dp->ops->bind_counters(dp, b, out);
}

void dp_foreach_counter(const struct dp *dp,
			void (*fn)(void *ctx, const char *name, uint64_t v),
			void *ctx)
{
	if (dp->ops->foreach_counter)
		dp->ops->foreach_counter(dp, fn, ctx);
}

const struct dp_stats *dp_stats(const struct dp *dp)
{
	static const struct dp_stats none; /* FA, MN: dp_foreach_counter */

	return dp->ops->stats ? dp->ops->stats(dp) : &none;
}

struct counter_find {
	const char *name;
	uint64_t v;
};

static void counter_find(void *ctx, const char *name, uint64_t v)
{
	struct counter_find *f = ctx;

	if (strcmp(name, f->name) == 0)
		f->v = v;
}

uint64_t dp_counter(const struct dp *dp, const char *name)
{
	struct counter_find f = {name, 0};

	dp_foreach_counter(dp, counter_find, &f);
	return f.v;
}

int dp_visitor_update(struct dp *dp, const struct mip4_fa_visitor *v)
{
	return dp->ops->visitor_update ? dp->ops->visitor_update(dp, v) : 0;
}

int dp_visitor_remove(struct dp *dp, uint32_t home_addr)
{
	return dp->ops->visitor_remove ? dp->ops->visitor_remove(dp, home_addr)
				       : 0;
}

int dp_set_tunnel(struct dp *dp, enum mndp_mode mode, uint32_t coa,
		  uint32_t ha)
{
	return dp->ops->set_tunnel ? dp->ops->set_tunnel(dp, mode, coa, ha)
				   : -EOPNOTSUPP;
}

int dp_send_keepalive(struct dp *dp)
{
	return dp->ops->send_keepalive ? dp->ops->send_keepalive(dp)
				       : -EOPNOTSUPP;
}

void dp_instance_name(const char *tun, char *out, size_t n)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st) < 0)
		st.st_ino = 0;
	snprintf(out, n, "%.15s-%llu", tun, (unsigned long long)st.st_ino);
}
