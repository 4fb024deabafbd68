/* SPDX-License-Identifier: BSD-2-Clause */
/* daemon/vpncmd.c - the VPN drivers' jobs and results (see vpncmd.h). */
#include "vpncmd.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "mip4/vpnmn.h"
#include "mip4/vpnout.h"

/* The openconnect driver's --script hook, run by openconnect through
 * /bin/sh -c: the user's script first, then one record of what openconnect
 * said (reason, device, inner address), replaced whole by a rename. */
#define OC_HOOK                                                            \
	"\"$MIP4D_VPN_SCRIPT\"; rc=$?; [ \"$rc\" = 0 ] || "                \
	"reason=\"script-failed-$reason\"; "                               \
	"printf 'reason=%s\\nTUNDEV=%s\\nINTERNAL_IP4_ADDRESS=%s\\n' "     \
	"\"$reason\" \"$TUNDEV\" \"$INTERNAL_IP4_ADDRESS\" "               \
	">\"$MIP4D_VPN_RECORD.new\" && "                                   \
	"mv -f \"$MIP4D_VPN_RECORD.new\" \"$MIP4D_VPN_RECORD\"; exit $rc"

#define PATH_ENV "PATH=/usr/sbin:/usr/bin:/sbin:/bin"

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

__attribute__((format(printf, 2, 3))) static char *pushf(struct vpn_cmd *c,
							  const char *fmt, ...)
{
	char buf[MIP4_CONFIG_PATH_MAX + 64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= sizeof buf ? NULL : push(c, buf);
}

static void arg(struct vpn_cmd *c, const char *s)
{
	char *p;

	if (!s || c->argc >= VPN_CMD_ARGS - 1)
		return;
	p = push(c, s);
	if (!p)
		return;
	c->argv[c->argc++] = p;
	c->argv[c->argc] = NULL;
}

static void env(struct vpn_cmd *c, const char *s)
{
	int n = 0;

	while (c->envp[n])
		n++;
	if (s && n < (int)(sizeof c->envp / sizeof c->envp[0]) - 1)
		c->envp[n] = push(c, s);
}

const char *vpn_driver_name(const struct mip4_config_vpn *c)
{
	static const char *const names[] = {"strongswan", "openvpn",
					    "openconnect", "wireguard",
					    "command"};

	return c->driver < 5 ? names[c->driver] : "unknown";
}

const char *vpn_cmd_name(const struct mip4_config_vpn *c, enum priv_vpn what)
{
	static const char *const swan[] = {"", "--initiate", "--terminate",
					   "--list-sas"};
	static const char *const generic[] = {"", "up", "down", "status"};

	if (what < PRIV_VPN_INITIATE || what > PRIV_VPN_LIST)
		return "unknown";
	return c->driver == MIP4_VPN_STRONGSWAN ? swan[what] : generic[what];
}

static void build_swanctl(const struct mip4_config_vpn *c, enum priv_vpn what,
			  struct vpn_cmd *out)
{
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
	default:
		arg(out, "--list-sas");
		arg(out, "--ike");
		arg(out, c->ike);
		arg(out, "--raw");
		break;
	}
	if (c->vici[0]) {
		arg(out, "--uri");
		arg(out, pushf(out, "unix://%s", c->vici));
	}
	if (c->strongswan_conf[0])
		env(out, pushf(out, "STRONGSWAN_CONF=%s", c->strongswan_conf));
}

/*
 * OpenVPN: the client runs with management-hold, so it waits for "hold
 * release" before it connects; "hold on" then SIGUSR1 makes it drop the
 * tunnel and wait again (it keeps running, as charon does).
 */
static void build_openvpn(const struct mip4_config_vpn *c, enum priv_vpn what,
			  struct vpn_cmd *out)
{
	out->kind = VPN_CMD_DIALOGUE;
	out->path = c->management;
	switch (what) {
	case PRIV_VPN_INITIATE:
		out->send = "hold release\n";
		out->answers = 1;
		break;
	case PRIV_VPN_TERMINATE:
		out->send = "hold on\nsignal SIGUSR1\n";
		out->answers = 2;
		break;
	default:
		out->send = "state\n";
		out->answers = 1;
		break;
	}
}

static void build_openconnect(const struct mip4_config_vpn *c,
			      enum priv_vpn what, struct vpn_cmd *out)
{
	const char *pid = pushf(out, "%s/openconnect.pid", c->state_dir);
	const char *rec = pushf(out, "%s/openconnect.env", c->state_dir);

	out->path = pid;
	out->record = rec;
	out->comm = "openconnect";
	switch (what) {
	case PRIV_VPN_INITIATE:
		/* --background: the command returns once connected (after
		 * the hook ran), its daemon keeps the tunnel */
		out->kind = VPN_CMD_SPAWN_LOG;
		out->path = pushf(out, "%s/openconnect.log", c->state_dir);
		arg(out, c->program);
		arg(out, "--background");
		arg(out, pushf(out, "--pid-file=%s", pid ? pid : ""));
		arg(out, pushf(out, "--interface=%s", c->vpn_if));
		arg(out, "--non-inter");
		arg(out, pushf(out, "--script=%s", OC_HOOK));
		if (c->client_config[0])
			arg(out, pushf(out, "--config=%s", c->client_config));
		arg(out, c->server);
		env(out, pushf(out, "MIP4D_VPN_RECORD=%s", rec ? rec : ""));
		env(out, pushf(out, "MIP4D_VPN_SCRIPT=%s", c->script));
		break;
	case PRIV_VPN_TERMINATE:
		out->kind = VPN_CMD_PID_STOP;
		break;
	default:
		out->kind = VPN_CMD_PID_STATUS;
		break;
	}
}

static void build_wireguard(const struct mip4_config_vpn *c,
			    enum priv_vpn what, struct vpn_cmd *out)
{
	switch (what) {
	case PRIV_VPN_INITIATE:
	case PRIV_VPN_TERMINATE:
		arg(out, c->program);
		arg(out, what == PRIV_VPN_INITIATE ? "up" : "down");
		arg(out, c->client_config);
		break;
	default:
		arg(out, c->wg);
		arg(out, "show");
		arg(out, c->vpn_if);
		arg(out, "endpoints");
		break;
	}
}

/* A configured command line: words separated by blanks, no shell. */
static void build_command(const struct mip4_config_vpn *c, enum priv_vpn what,
			  struct vpn_cmd *out)
{
	const char *line = what == PRIV_VPN_INITIATE	? c->up_cmd
			   : what == PRIV_VPN_TERMINATE ? c->down_cmd
							: c->status_cmd;
	char word[MIP4_CONFIG_CMD_MAX];

	while (*line) {
		size_t n = strcspn(line, " \t");

		if (n) {
			memcpy(word, line, n);
			word[n] = '\0';
			arg(out, word);
		}
		line += n;
		line += strspn(line, " \t");
	}
}

int vpn_cmd_build(const struct mip4_config_vpn *c, enum priv_vpn what,
		  struct vpn_cmd *out)
{
	memset(out, 0, sizeof *out);
	if (what < PRIV_VPN_INITIATE || what > PRIV_VPN_LIST)
		return -EINVAL;
	switch (c->driver) {
	case MIP4_VPN_STRONGSWAN: build_swanctl(c, what, out); break;
	case MIP4_VPN_OPENVPN: build_openvpn(c, what, out); break;
	case MIP4_VPN_OPENCONNECT: build_openconnect(c, what, out); break;
	case MIP4_VPN_WIREGUARD: build_wireguard(c, what, out); break;
	case MIP4_VPN_COMMAND: build_command(c, what, out); break;
	default: return -EINVAL;
	}
	env(out, PATH_ENV);
	if ((out->kind == VPN_CMD_SPAWN || out->kind == VPN_CMD_SPAWN_LOG) &&
	    (out->argc == 0 || out->argv[0][0] != '/'))
		return -EINVAL;
	if (out->kind != VPN_CMD_SPAWN && !out->path)
		return -EINVAL;
	return 0;
}

const char *vpn_result_str(enum vpn_result r)
{
	switch (r) {
	case VPN_RES_OK: return "ok";
	case VPN_RES_DOWN: return "down";
	case VPN_RES_FAILED: return "failed";
	case VPN_RES_KILLED: return "killed";
	case VPN_RES_GARBAGE: return "garbage";
	case VPN_RES_NEED_ADDR: return "up";
	default: return "?";
	}
}

static enum vpn_result from_out(enum mip4_vpnout r)
{
	return r == MIP4_VPNOUT_UP     ? VPN_RES_OK
	       : r == MIP4_VPNOUT_DOWN ? VPN_RES_DOWN
				       : VPN_RES_GARBAGE;
}

enum vpn_result vpn_cmd_result(const struct mip4_config_vpn *c,
			       enum priv_vpn what,
			       const struct priv_vpn_done *d, uint32_t *vip)
{
	const char *out = d->out ? d->out : "";
	bool exited0 = d->status >= 0 && WIFEXITED(d->status) &&
		       WEXITSTATUS(d->status) == 0;

	*vip = 0;
	if (d->killed)
		return VPN_RES_KILLED;
	if (what != PRIV_VPN_LIST) {
		/* OpenVPN: every command answered SUCCESS */
		if (exited0 && c->driver == MIP4_VPN_OPENVPN)
			return mip4_vpnout_openvpn_answers(out) ==
					       (what == PRIV_VPN_INITIATE ? 1 : 2)
				       ? VPN_RES_OK
				       : VPN_RES_FAILED;
		return exited0 ? VPN_RES_OK : VPN_RES_FAILED;
	}
	/* killed by another hand than ours: as good as our watchdog */
	if (d->status >= 0 && WIFSIGNALED(d->status))
		return VPN_RES_KILLED;
	if (d->status < 0)
		return VPN_RES_FAILED; /* no answer at all */
	switch (c->driver) {
	case MIP4_VPN_STRONGSWAN:
		/* an exit status other than 0 is an answer: no such SA */
		*vip = exited0 ? mip4_vmn_swanctl_vip(out) : 0;
		return *vip ? VPN_RES_OK : VPN_RES_DOWN;
	case MIP4_VPN_OPENVPN:
		return exited0 ? from_out(mip4_vpnout_openvpn_state(out, vip))
			       : VPN_RES_FAILED;
	case MIP4_VPN_OPENCONNECT:
		/* status 1: no openconnect process under the pid file */
		return exited0 ? from_out(mip4_vpnout_openconnect(out, vip, NULL))
			       : VPN_RES_DOWN;
	case MIP4_VPN_WIREGUARD: {
		enum mip4_vpnout r;

		/* wg exits 1 when there is no such interface */
		if (!exited0)
			return VPN_RES_DOWN;
		r = mip4_vpnout_wg_endpoints(out, c->gateway);
		return r == MIP4_VPNOUT_UP ? VPN_RES_NEED_ADDR : from_out(r);
	}
	default:
		return exited0 ? from_out(mip4_vpnout_command(out, vip))
			       : VPN_RES_DOWN;
	}
}
