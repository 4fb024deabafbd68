/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dataplane/dp.c - dispatch of the dp_* API to the backend's ops.
 * Only the userspace backend exists, so dp_open() always picks it.
 */
#include <stddef.h>

#include "dp_backend.h"

int dp_open(const struct dp_cfg *cfg, struct dp **out)
{
	return dp_user_ops.open(cfg, out);
}

void dp_close(struct dp *dp)
{
	if (dp)
		dp->ops->close(dp);
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

void dp_bind_update(struct dp *dp, const struct mip4_binding *b)
{
	if (dp->ops->bind_update)
		dp->ops->bind_update(dp, b);
}

const struct dp_stats *dp_stats(const struct dp *dp)
{
	return dp->ops->stats(dp);
}
