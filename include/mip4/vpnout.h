/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mip4/vpnout.h - what the VPN clients print, read by the RFC 5265 mobile
 * node's VPN drivers: is the tunnel up, and with which inner address.
 *
 * Pure: each function reads a NUL-terminated text that the daemon
 * collected from the client (a command's output, a control socket's
 * answer, a hook's record) and says UP (with the inner address), DOWN, or
 * GARBAGE when the text is not what that client prints.  Nothing here
 * trusts a length or a field count.
 */
#ifndef MIP4_VPNOUT_H
#define MIP4_VPNOUT_H

#include <stdint.h>

enum mip4_vpnout {
	MIP4_VPNOUT_GARBAGE = -1, /* not what the client prints */
	MIP4_VPNOUT_DOWN = 0,
	MIP4_VPNOUT_UP = 1,
};
const char *mip4_vpnout_str(enum mip4_vpnout r);

/*
 * OpenVPN's management interface, the answer to `state`: notifications
 * (">...") are skipped; the state line "TIME,STATE,DESC,LOCAL_IP,..." must
 * be followed by "END".  UP with LOCAL_IP (the tunnel inner address) when
 * STATE is CONNECTED; DOWN for any other state word.
 */
enum mip4_vpnout mip4_vpnout_openvpn_state(const char *out, uint32_t *vip);

/* OpenVPN's management interface, the answers to n commands: the number
 * of "SUCCESS:" answers, or -1 at the first "ERROR:" answer. */
int mip4_vpnout_openvpn_answers(const char *out);

/*
 * `wg show IF endpoints`: one "PUBLIC-KEY<TAB>ENDPOINT" line per peer,
 * ENDPOINT "A.B.C.D:PORT" or "(none)".  UP when a peer's endpoint is the
 * gateway (the inner address is not WireGuard's: it is on the interface);
 * DOWN when none is.
 */
enum mip4_vpnout mip4_vpnout_wg_endpoints(const char *out, uint32_t gateway);

/*
 * The record that the openconnect driver's --script hook writes, one
 * "NAME=VALUE" a line: reason (openconnect's), TUNDEV and
 * INTERNAL_IP4_ADDRESS.  UP with the address after reason connect or
 * reconnect; DOWN after pre-init, attempt-reconnect or disconnect.  The
 * tunnel device goes to tundev (16 bytes, "" when absent) when not NULL.
 */
enum mip4_vpnout mip4_vpnout_openconnect(const char *out, uint32_t *vip,
					 char tundev[16]);

/* The `command` driver's status command: its first line is the inner
 * address (A.B.C.D, optionally /LEN, blanks around it allowed): UP; no
 * output at all: DOWN. */
enum mip4_vpnout mip4_vpnout_command(const char *out, uint32_t *vip);

#endif
