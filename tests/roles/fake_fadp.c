/* SPDX-License-Identifier: BSD-2-Clause */
/* A foreign agent data plane that is none (dataplane/fa.h, in place of
 * fa_user.c): a descriptor that never fires, an ifindex to route into,
 * counters that stay 0. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "fa.h"
#include "fake.h"

unsigned fake_fadp_opened;

struct fadp {
	int fds[2];
	struct fadp_stats st;
};

int fadp_open(const struct fadp_cfg *cfg, struct fadp **out)
{
	struct fadp *f = calloc(1, sizeof *f);

	if (!f || !cfg->fa || pipe(f->fds) < 0) {
		free(f);
		return -ENOMEM;
	}
	fake_fadp_opened++;
	*out = f;
	return 0;
}

void fadp_close(struct fadp *f)
{
	if (!f)
		return;
	close(f->fds[0]);
	close(f->fds[1]);
	free(f);
}

int fadp_tun_fd(const struct fadp *f) { return f->fds[0]; }
int fadp_raw_fd(const struct fadp *f) { return f->fds[0]; }
int fadp_tun_ifindex(const struct fadp *f) { (void)f; return FAKE_FA_TUN_IFINDEX; }
int fadp_on_tun(struct fadp *f) { (void)f; return 0; }
int fadp_on_raw(struct fadp *f) { (void)f; return 0; }

const struct fadp_stats *fadp_stats(const struct fadp *f)
{
	return &f->st;
}
