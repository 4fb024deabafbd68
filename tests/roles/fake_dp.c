/* SPDX-License-Identifier: BSD-2-Clause */
/* A home agent data plane that is none (dataplane/dp.h, in place of
 * dp.c and its backends): descriptors that never fire, counters. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "dp.h"
#include "fake.h"

unsigned fake_dp_opened, fake_dp_udp_input;

struct dp {
	int fds[2];
	struct dp_stats st;
};

int dp_open(const struct dp_cfg *cfg, struct dp **out)
{
	struct dp *d = calloc(1, sizeof *d);

	(void)cfg;
	if (!d || pipe(d->fds) < 0) {
		free(d);
		return -1;
	}
	fake_dp_opened++;
	*out = d;
	return 0;
}

void dp_close(struct dp *d)
{
	if (!d)
		return;
	close(d->fds[0]);
	close(d->fds[1]);
	free(d);
}

int dp_tun_fd(const struct dp *d) { return d->fds[0]; }
int dp_raw_fd(const struct dp *d) { return d->fds[0]; }
int dp_tun_ifindex(const struct dp *d) { (void)d; return FAKE_TUN_IFINDEX; }
int dp_on_tun(struct dp *d) { (void)d; return 0; }
int dp_on_raw(struct dp *d) { (void)d; return 0; }

int dp_udp_input(struct dp *d, uint32_t src, uint16_t sport,
		 const uint8_t *msg, size_t len)
{
	(void)src;
	(void)sport;
	(void)msg;
	(void)len;
	d->st.udp_rx++;
	fake_dp_udp_input++;
	return 0;
}

int dp_bind_update(struct dp *d, const struct mip4_binding *b)
{
	(void)d;
	(void)b;
	return 0;
}

const struct dp_stats *dp_stats(const struct dp *d)
{
	return &d->st;
}

int dp_open_why(const struct dp_cfg *cfg, struct dp **out, char *why,
		size_t why_len)
{
	snprintf(why, why_len, "fake");
	return dp_open(cfg, out);
}

void dp_release(struct dp *d)
{
	dp_close(d);
}

const char *dp_backend_name(const struct dp *d)
{
	(void)d;
	return "fake";
}

int dp_bind_remove(struct dp *d, uint32_t home_addr)
{
	(void)d;
	(void)home_addr;
	return 0;
}

int dp_sync(struct dp *d)
{
	(void)d;
	return 0;
}

void dp_foreach_counter(const struct dp *d,
			void (*fn)(void *ctx, const char *name, uint64_t v),
			void *ctx)
{
	(void)d;
	fn(ctx, "fake", 0);
}

void dp_bind_counters(const struct dp *d, const struct mip4_binding *b,
		      struct dp_bind_counters *out)
{
	(void)d;
	out->pkts_to_mn = b->pkts_to_mn;
	out->bytes_to_mn = b->bytes_to_mn;
	out->pkts_from_mn = b->pkts_from_mn;
	out->bytes_from_mn = b->bytes_from_mn;
}
