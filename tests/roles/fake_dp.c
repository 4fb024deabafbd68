/* SPDX-License-Identifier: BSD-2-Clause */
/* A data plane that is none, for each role (dataplane/dp.h, in place of
 * dp.c and its backends): descriptors that never fire, an ifindex per
 * role to route into, counters; the mobile node's remembers where the
 * node pointed its tunnel, and how many privileged requests had been made
 * by then. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dp.h"
#include "fake.h"

unsigned fake_dp_opened, fake_dp_udp_input, fake_fadp_opened;
struct fake_mndp_tunnel fake_mndp[FAKE_MNDP_MAX];
const struct fake_priv *fake_mndp_priv;

struct dp {
	enum dp_role role;
	int fds[2];
	struct dp_stats st;
	struct fake_mndp_tunnel *t; /* the mobile node's */
};

const struct fake_mndp_tunnel *fake_mndp_of(uint32_t home)
{
	for (unsigned i = 0; i < FAKE_MNDP_MAX; i++)
		if (fake_mndp[i].home == home)
			return &fake_mndp[i];
	return NULL;
}

int dp_open(const struct dp_cfg *cfg, struct dp **out)
{
	struct dp *d = calloc(1, sizeof *d);

	if (!d)
		return -ENOMEM;
	d->role = cfg->role;
	if (d->role == DP_ROLE_MN)
		for (unsigned i = 0; i < FAKE_MNDP_MAX && !d->t; i++)
			if (!fake_mndp[i].home)
				d->t = &fake_mndp[i];
	if ((d->role == DP_ROLE_FA && !cfg->fa) ||
	    (d->role == DP_ROLE_MN && (!d->t || !cfg->home_addr)) ||
	    pipe(d->fds) < 0) {
		free(d);
		return -ENOMEM;
	}
	if (d->t)
		*d->t = (struct fake_mndp_tunnel){.home = cfg->home_addr,
						  .mode = MNDP_OFF};
	if (d->role == DP_ROLE_FA)
		fake_fadp_opened++;
	else if (d->role == DP_ROLE_HA)
		fake_dp_opened++;
	*out = d;
	return 0;
}

int dp_open_why(const struct dp_cfg *cfg, struct dp **out, char *why,
		size_t why_len)
{
	snprintf(why, why_len, "fake");
	return dp_open(cfg, out);
}

void dp_close(struct dp *d)
{
	if (!d)
		return;
	close(d->fds[0]);
	close(d->fds[1]);
	if (d->t)
		d->t->home = 0;
	free(d);
}

void dp_release(struct dp *d)
{
	dp_close(d);
}

void dp_end(struct dp **d, bool clean)
{
	(void)clean;
	dp_close(*d);
	*d = NULL;
}

int dp_tun_fd(const struct dp *d) { return d->fds[0]; }
int dp_raw_fd(const struct dp *d) { return d->fds[0]; }
int dp_on_tun(struct dp *d) { (void)d; return 0; }
int dp_on_raw(struct dp *d) { (void)d; return 0; }

int dp_tun_ifindex(const struct dp *d)
{
	switch (d->role) {
	case DP_ROLE_FA: return FAKE_FA_TUN_IFINDEX;
	case DP_ROLE_MN: return FAKE_MN_TUN_IFINDEX;
	default: return FAKE_TUN_IFINDEX;
	}
}

int dp_udp_input(struct dp *d, uint32_t src, uint16_t sport,
		 const uint8_t *msg, size_t len)
{
	(void)src;
	(void)sport;
	(void)msg;
	(void)len;
	d->st.udp_rx++;
	if (d->role == DP_ROLE_HA)
		fake_dp_udp_input++;
	return 0;
}

const struct dp_stats *dp_stats(const struct dp *d)
{
	return &d->st;
}

const char *dp_backend_name(const struct dp *d)
{
	(void)d;
	return "fake";
}

const char *dp_backend_why(const struct dp *d)
{
	(void)d;
	return "fake";
}

int dp_bind_update(struct dp *d, const struct mip4_binding *b)
{
	(void)d;
	(void)b;
	return 0;
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
	/* the names the userspace backends give */
	fn(ctx, "tun-rx", d->st.tun_rx);
	fn(ctx, "tun-tx", d->st.tun_tx);
	fn(ctx, "encap-tx", d->st.encap_tx);
	fn(ctx, "decap-rx", d->st.decap_rx);
	fn(ctx, "udp-rx", d->st.udp_rx);
}

uint64_t dp_counter(const struct dp *d, const char *name)
{
	return strcmp(name, "udp-rx") == 0 ? d->st.udp_rx : 0;
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

int dp_visitor_update(struct dp *d, const struct mip4_fa_visitor *v)
{
	(void)d;
	(void)v;
	return 0;
}

int dp_visitor_remove(struct dp *d, uint32_t home_addr)
{
	(void)d;
	(void)home_addr;
	return 0;
}

int dp_set_tunnel(struct dp *d, enum mndp_mode mode, uint32_t coa,
		  uint32_t ha)
{
	if (!d->t)
		return -EINVAL;
	d->t->mode = coa && ha ? (int)mode : MNDP_OFF;
	d->t->coa = coa;
	d->t->ha = ha;
	d->t->sets++;
	d->t->priv_seen = fake_mndp_priv ? fake_mndp_priv->n : 0;
	return 0;
}

int dp_send_keepalive(struct dp *d)
{
	if (d->t)
		d->t->keepalives++;
	return 0;
}

void dp_instance_name(const char *tun, char *out, size_t n)
{
	snprintf(out, n, "%s-fake", tun);
}
