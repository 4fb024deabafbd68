/* SPDX-License-Identifier: BSD-2-Clause */
/* daemon/roles.c - the table of roles (role.h). */
#include "role.h"

extern const struct role_ops harole_ops, farole_ops, mnrole_ops, vpnrole_ops;

/* The home and foreign agents first: a mobile node in the same process
 * (RFC 4093 §2.3/§2.5 combined boxes) registers with them once they run. */
const struct role_ops *const mip4d_roles[] = {
	&harole_ops, &farole_ops, &mnrole_ops, &vpnrole_ops, NULL,
};
