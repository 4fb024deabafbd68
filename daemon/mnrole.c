/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The plain RFC 5944 mobile node role: one Mobile IP layer (mnlayer.c)
 * that decides its attachment from its interfaces.
 *
 *   pref 1000  fwmark MN_MARK  lookup main         (our outer packets)
 *   pref 1001  lookup main suppress_prefixlength 0 (the local link)
 *   pref 1002  lookup MN_TABLE                     (default dev mip0 src HoA)
 */
#include <stdlib.h>

#include "mip4/wire.h"
#include "mnlayer.h"
#include "priv_policy.h"
#include "role.h"

#define MN_MARK 0x4d49
#define MN_TABLE 0x4d49
#define PREF_MARK 1000
#define PREF_LOCAL 1001
#define PREF_TABLE 1002

static int mn_open(const struct role_env *env, void **state)
{
	struct mnlayer_params p = {
		.c = &env->conf->mn,
		.tag = "",
		.mark = MN_MARK,
		.table = MN_TABLE,
		.pref_mark = PREF_MARK,
		.pref_local = PREF_LOCAL,
		.pref_table = PREF_TABLE,
		.udp_port = MIP4_PORT,
	};
	struct mnlayer *r = mnlayer_new(env, &p);

	*state = r;
	return r ? 0 : -1;
}

static int mn_start(void *state)
{
	if (mnlayer_start(state) < 0)
		return -1;
	mnlayer_evaluate(state);
	return 0;
}

static void mn_stop(void *state)
{
	mnlayer_free(state);
}

/* The mobile-node block is read at start only: the running registration
 * keeps its parameters. */
static int mn_reload(void *state, struct mip4_config *nc)
{
	(void)state;
	(void)nc;
	return 0;
}

static json_object *mn_status(void *state)
{
	return mnlayer_status_of(state);
}

static void mn_counters(void *state, json_object *out)
{
	json_object_object_add(out, "mobile-node", mnlayer_counters_of(state));
}

/* Its TUN and links; its table and rules; host routes (the FA), the home
 * network and a default route on a home link known by advertisement;
 * gratuitous ARP for its home address. */
static void mn_allow(const struct mip4_config *c, struct priv_policy *pol)
{
	const struct mip4_config_mnrole *m = &c->mn;
	int plen = __builtin_popcount(m->home_net.mask);

	pol_dev(pol, m->tunnel_dev);
	for (unsigned i = 0; i < m->n_if; i++)
		pol_dev(pol, m->ifname[i]);
	pol_table(pol, MN_TABLE);
	pol_prio(pol, PREF_MARK);
	pol_prio(pol, PREF_LOCAL);
	pol_prio(pol, PREF_TABLE);
	pol_mark(pol, MN_MARK);
	pol_route(pol, 0, 0, 32, 32, "");
	if (m->home_net.mask) {
		pol_route(pol, m->home_net.net, m->home_net.mask, plen, plen, "");
		pol_route(pol, 0, 0, 0, 0, "");
	}
	pol_garp(pol, m->cfg.home_addr, 0xffffffffu, "");
	pol->neigh = true;
}

static bool mn_wanted(const struct mip4_config *c)
{
	return c->have_mn && !c->have_vpn;
}

const struct role_ops mnrole_ops = {
	.name = "mobile-node",
	.key = "mobile_node",
	.wanted = mn_wanted,
	.open = mn_open,
	.start = mn_start,
	.stop = mn_stop,
	.reload = mn_reload,
	.tick = NULL,
	.status = mn_status,
	.counters = mn_counters,
	.allow = mn_allow,
};
