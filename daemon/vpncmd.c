/* SPDX-License-Identifier: BSD-2-Clause */
/* daemon/vpncmd.c - swanctl command lines (see vpncmd.h). */
#include "vpncmd.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Strings copied into one buffer (posix_spawn wants char *). */
static char *push(struct vpn_cmd *c, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p;

	if (c->used + n > sizeof c->text)
		return NULL; /* cannot happen with the configured lengths */
	p = c->text + c->used;
	memcpy(p, s, n);
	c->used += n;
	return p;
}

static void arg(struct vpn_cmd *c, const char *s)
{
	char *p;

	if (c->argc >= (int)(sizeof c->argv / sizeof c->argv[0]) - 1)
		return;
	p = push(c, s);
	if (!p)
		return;
	c->argv[c->argc++] = p;
	c->argv[c->argc] = NULL;
}

const char *vpn_cmd_name(enum priv_vpn what)
{
	switch (what) {
	case PRIV_VPN_INITIATE: return "initiate";
	case PRIV_VPN_TERMINATE: return "terminate";
	case PRIV_VPN_LIST: return "list-sas";
	default: return "unknown";
	}
}

int vpn_cmd_build(const struct mip4_config_vpn *c, enum priv_vpn what,
		  struct vpn_cmd *out)
{
	char buf[MIP4_CONFIG_PATH_MAX + 32];
	int envc = 0;

	memset(out, 0, sizeof *out);
	arg(out, c->swanctl);
	switch (what) {
	case PRIV_VPN_INITIATE:
		arg(out, "--initiate");
		arg(out, "--child");
		arg(out, c->child);
		arg(out, "--ike");
		arg(out, c->ike);
		arg(out, "--timeout");
		arg(out, "20");
		break;
	case PRIV_VPN_TERMINATE:
		/* --force without --timeout: send the delete and do not wait
		 * for the answer; the peer is often out of reach by now (we
		 * moved), and its SA goes when ours comes back (unique =
		 * replace) or by dead peer detection */
		arg(out, "--terminate");
		arg(out, "--ike");
		arg(out, c->ike);
		arg(out, "--force");
		break;
	case PRIV_VPN_LIST:
		arg(out, "--list-sas");
		arg(out, "--ike");
		arg(out, c->ike);
		arg(out, "--raw");
		break;
	default:
		return -EINVAL;
	}
	if (c->vici[0]) {
		(void)snprintf(buf, sizeof buf, "unix://%s", c->vici);
		arg(out, "--uri");
		arg(out, buf);
	}
	if (c->strongswan_conf[0]) {
		(void)snprintf(buf, sizeof buf, "STRONGSWAN_CONF=%s",
			       c->strongswan_conf);
		out->envp[envc++] = push(out, buf);
	}
	out->envp[envc++] = push(out, "PATH=/usr/sbin:/usr/bin:/sbin:/bin");
	out->envp[envc] = NULL;
	return 0;
}
