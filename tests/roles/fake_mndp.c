/* SPDX-License-Identifier: BSD-2-Clause */
/* A mobile node data plane that is none (dataplane/mn.h, in place of
 * mn_user.c): no TUN, a descriptor that never fires; it remembers where
 * the node pointed its tunnel, and how many privileged requests had been
 * made by then. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fake.h"
#include "mn.h"

struct fake_mndp_tunnel fake_mndp[FAKE_MNDP_MAX];
const struct fake_priv *fake_mndp_priv;

struct mndp {
	int fds[2];
	struct mndp_stats st;
	struct fake_mndp_tunnel *t;
};

const struct fake_mndp_tunnel *fake_mndp_of(uint32_t home)
{
	for (unsigned i = 0; i < FAKE_MNDP_MAX; i++)
		if (fake_mndp[i].home == home)
			return &fake_mndp[i];
	return NULL;
}

int mndp_open(const struct mndp_cfg *cfg, struct mndp **out)
{
	struct mndp *m = calloc(1, sizeof *m);

	for (unsigned i = 0; m && i < FAKE_MNDP_MAX; i++)
		if (!fake_mndp[i].home) {
			m->t = &fake_mndp[i];
			break;
		}
	if (!m || !m->t || !cfg->home_addr || pipe(m->fds) < 0) {
		free(m);
		return -ENOMEM;
	}
	*m->t = (struct fake_mndp_tunnel){.home = cfg->home_addr,
					  .mode = MNDP_OFF};
	*out = m;
	return 0;
}

void mndp_close(struct mndp *m)
{
	if (!m)
		return;
	close(m->fds[0]);
	close(m->fds[1]);
	m->t->home = 0;
	free(m);
}

int mndp_tun_fd(const struct mndp *m) { return m->fds[0]; }
int mndp_raw_fd(const struct mndp *m) { return m->fds[0]; }
int mndp_tun_ifindex(const struct mndp *m) { (void)m; return FAKE_MN_TUN_IFINDEX; }
int mndp_on_tun(struct mndp *m) { (void)m; return 0; }
int mndp_on_raw(struct mndp *m) { (void)m; return 0; }

void mndp_set_tunnel(struct mndp *m, enum mndp_mode mode, uint32_t coa,
		     uint32_t ha)
{
	m->t->mode = coa && ha ? (int)mode : MNDP_OFF;
	m->t->coa = coa;
	m->t->ha = ha;
	m->t->sets++;
	m->t->priv_seen = fake_mndp_priv ? fake_mndp_priv->n : 0;
}

int mndp_udp_input(struct mndp *m, uint32_t src, const uint8_t *msg,
		   size_t len)
{
	(void)src;
	(void)msg;
	(void)len;
	m->st.decap_rx++;
	return 0;
}

int mndp_send_keepalive(struct mndp *m)
{
	m->t->keepalives++;
	return 0;
}

const struct mndp_stats *mndp_stats(const struct mndp *m)
{
	return &m->st;
}

const char *mndp_stat_name(size_t i)
{
	static char names[MNDP_NSTATS][16];

	snprintf(names[i % MNDP_NSTATS], sizeof names[0], "fake-%zu", i);
	return names[i % MNDP_NSTATS];
}

uint64_t mndp_stat(const struct mndp_stats *s, size_t i)
{
	return i == 0 ? s->decap_rx : 0;
}
