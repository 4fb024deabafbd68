/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/vpncmd.h - the VPN client's commands, built from the
 * configuration alone (never from a request): what PRIV_VPN_RUN runs.
 */
#ifndef MIP4D_VPNCMD_H
#define MIP4D_VPNCMD_H

#include "config.h"
#include "priv.h"

struct vpn_cmd {
	char *argv[16];
	char *envp[4];
	int argc;
	size_t used;
	char text[3 * MIP4_CONFIG_PATH_MAX + 512];
};

/* swanctl --initiate / --terminate / --list-sas for the vpn block.  0, or
 * -EINVAL for an unknown command. */
int vpn_cmd_build(const struct mip4_config_vpn *c, enum priv_vpn what,
		  struct vpn_cmd *out);
const char *vpn_cmd_name(enum priv_vpn what);

#endif
