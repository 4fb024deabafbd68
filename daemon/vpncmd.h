/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/vpncmd.h - what each VPN driver does to bring its client up,
 * take it down and ask for its state, built from the configuration alone
 * (never from a request): what PRIV_VPN_RUN carries out (vpnjob.c), and
 * how the engine reads the result (vpn_cmd_result).
 *
 *   driver       up / down / status
 *   strongswan   swanctl --initiate / --terminate / --list-sas
 *   openvpn      management socket: "hold release" / "hold on" +
 *                "signal SIGUSR1" / "state"
 *   openconnect  openconnect --background ... (its --script hook records
 *                reason and inner address) / SIGTERM to its pid file /
 *                the record, while that pid is openconnect
 *   wireguard    wg-quick up / wg-quick down / wg show IF endpoints (the
 *                inner address is the interface's)
 *   command      the three configured commands
 */
#ifndef MIP4D_VPNCMD_H
#define MIP4D_VPNCMD_H

#include "config.h"
#include "priv.h"

enum vpn_cmd_kind {
	VPN_CMD_SPAWN = 0, /* argv, envp; output through a pipe */
	VPN_CMD_SPAWN_LOG, /* the same, output appended to `path`; done when
			      the command exits, whatever it left running */
	VPN_CMD_DIALOGUE,  /* unix stream socket `path`: write `send`, read
			      until `answers` answer lines (SUCCESS:, ERROR:,
			      END) */
	VPN_CMD_PID_STATUS, /* output: the file `record`; status 0 while the
			       pid in the file `path` is a `comm` process */
	VPN_CMD_PID_STOP,   /* SIGTERM to that process, done once it is gone */
};

#define VPN_CMD_ARGS 24

struct vpn_cmd {
	enum vpn_cmd_kind kind;
	char *argv[VPN_CMD_ARGS];
	char *envp[8];
	int argc;
	const char *path, *record, *comm, *send;
	unsigned answers;
	size_t used;
	char text[6 * MIP4_CONFIG_PATH_MAX + 3 * MIP4_CONFIG_CMD_MAX];
};

/* The job for `what` of the vpn block's driver: 0, or -EINVAL. */
int vpn_cmd_build(const struct mip4_config_vpn *c, enum priv_vpn what,
		  struct vpn_cmd *out);
const char *vpn_cmd_name(const struct mip4_config_vpn *c, enum priv_vpn what);
const char *vpn_driver_name(const struct mip4_config_vpn *c);

/* What a finished job says (the engine's reading of priv_vpn_done). */
enum vpn_result {
	VPN_RES_OK = 0,	   /* up/down: done; status: up (vip set) */
	VPN_RES_DOWN,	   /* status: the client says it is down */
	VPN_RES_FAILED,	   /* up/down failed; status: no answer (not running) */
	VPN_RES_KILLED,	   /* ran past the timeout */
	VPN_RES_GARBAGE,   /* status: not what this client prints */
	VPN_RES_NEED_ADDR, /* status up, the inner address is the interface's
			      (wireguard): the caller reads it */
};
const char *vpn_result_str(enum vpn_result r);

/* Read the result of `what`; *vip: the inner address when VPN_RES_OK. */
enum vpn_result vpn_cmd_result(const struct mip4_config_vpn *c,
			       enum priv_vpn what,
			       const struct priv_vpn_done *d, uint32_t *vip);

#endif
