/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dataplane/dp.c - the choice of backend (dp_open) and the dispatch of
 * the dp_* API to the backend's ops.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "bpf_load.h"
#include "dp_backend.h"

/* What an earlier eBPF run of this instance left (a daemon switched to
 * userspace, or auto falling back) would forward from a stale map: off
 * with it.  Appends what was done to why. */
static void ebpf_leftovers(const struct dp_cfg *cfg, char *why, size_t n)
{
	const char *inst = cfg->instance ? cfg->instance : "mip4d";
	int r = mip4_bpf_unload(cfg->bpf_root, inst, MIP4_BPF_ROLE_HA);
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

int dp_open_why(const struct dp_cfg *cfg, struct dp **out, char *why,
		size_t why_len)
{
	char reason[sizeof((struct dp *)0)->why] = "";
	int r;

	if (!cfg)
		return -EINVAL;
	if (cfg->backend == DP_BACKEND_EBPF || cfg->backend == DP_BACKEND_AUTO) {
		r = dp_ebpf_open(cfg, out, reason, sizeof reason);
		if (r == 0 || cfg->backend == DP_BACKEND_EBPF) {
			if (why && why_len)
				snprintf(why, why_len, "%s", reason);
			return r;
		}
	}
	r = dp_user_ops.open(cfg, out);
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
	return dp->ops->udp_input(dp, src, sport, msg, len);
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
	return dp->ops->stats(dp);
}
