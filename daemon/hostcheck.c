/* SPDX-License-Identifier: BSD-2-Clause */
/* daemon/hostcheck.c - see hostcheck.h. */
#include "hostcheck.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

#include "mip4/ip.h"

static bool is_local(uint32_t addr)
{
	struct ifaddrs *ifa, *i;
	bool found = false;

	if (getifaddrs(&ifa) < 0)
		return true; /* cannot tell: say nothing */
	for (i = ifa; i && !found; i = i->ifa_next)
		found = i->ifa_addr && i->ifa_addr->sa_family == AF_INET &&
			ntohl(((const struct sockaddr_in *)(const void *)
				       i->ifa_addr)
				      ->sin_addr.s_addr) == addr;
	freeifaddrs(ifa);
	return found;
}

static unsigned check_if(const char *what, const char *name, FILE *out)
{
	if (!name[0] || if_nametoindex(name))
		return 0;
	fprintf(out, "mip4d: warning: %s %s: no such interface on this host "
		     "(yet)\n", what, name);
	return 1;
}

/* The directory of path exists, or its parent does (mip4d makes one
 * level, mode 0700). */
static unsigned check_dir(const char *what, const char *path, FILE *out)
{
	char dir[MIP4_CONFIG_PATH_MAX];
	char *slash;
	struct stat st;

	snprintf(dir, sizeof dir, "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (stat(dir, &st) == 0)
		return 0;
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (stat(dir, &st) == 0)
			return 0; /* one level: made at start */
		*slash = '/';
	}
	fprintf(out, "mip4d: warning: %s %s: its directory %s does not exist "
		     "and mip4d makes only the last level of it\n",
		what, path, dir);
	return 1;
}

static unsigned check_ha(const struct mip4_config_ha *h, const char *db,
			 FILE *out)
{
	unsigned n = check_dir("state-db", db, out);

	if (!is_local(h->cfg.addr)) {
		char a[16];

		fprintf(out, "mip4d: warning: home-agent address %s is on no "
			     "interface of this host (yet): port 434 cannot be "
			     "bound until it is\n",
			mip4_ntoa(h->cfg.addr, a));
		n++;
	}
	return n + check_if("home-interface", h->home_if, out);
}

unsigned hostcheck(const struct mip4_config *c, FILE *out)
{
	unsigned n = check_dir("control-socket", c->control_socket, out);

	if (c->have_ha)
		n += check_ha(&c->ha, c->state_db, out);
	if (c->have_fa)
		n += check_if("foreign-agent interface", c->fa.ifname, out);
	for (unsigned i = 0; c->have_mn && i < c->mn.n_if; i++)
		n += check_if("mobile-node interface", c->mn.ifname[i], out);
	return n;
}
