/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mip4/vpnmn.h - the RFC 5265 mobile node's decisions: secure inside
 * detection (§3.2, §3.3) and which layer carries the user's data.
 *
 * Pure: the daemon reports what happened (the link changed, the x-HA
 * answered, the i-HA answered a direct registration, the VPN came up) and
 * the time, and reads back what should be in place: where the i-MIP layer
 * registers from, whether the x-MIP layer is registered or deregistered,
 * whether a direct registration to the i-HA is being tried, whether the
 * VPN should be up, and whether user data is held back.  The outputs are
 * levels, not edges: the caller compares them with what it has in place.
 *
 *   DETACHED   no usable link: everything held back.
 *   DETECTING  the connection status changed (§3.2.2): user data held
 *              back; a direct registration to the i-HA and (mode cvc) one
 *              to the x-HA go out in parallel (§3.3).
 *   INSIDE     an authenticated i-HA reply with TNC came through this
 *              link (§3.2.3): i-MIP registers directly, x-MIP is
 *              deregistered, no VPN.  User data only while the last i-HA
 *              registration is younger than T_MONITOR (§3.2.4).
 *   OUTSIDE    the x-HA answered and the i-HA did not within the
 *              detection period (mode cvc), or nothing answered from the
 *              i-HA within it (modes mc, naive): the VPN comes up over
 *              x-MIP (cvc) or directly (mc, naive); i-MIP registers with
 *              the VPN tunnel inner address as its care-of address.  The
 *              direct i-HA attempt goes on for a while: a late answer
 *              with TNC still means inside (§3.3, last paragraph).
 */
#ifndef MIP4_VPNMN_H
#define MIP4_VPNMN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum mip4_vmn_mode {
	MIP4_VMN_CVC = 0, /* RFC 5265: x-MIP carries IPsec carries i-MIP */
	MIP4_VMN_MC,	  /* RFC 5266: MOBIKE keeps the VPN up, no x-HA */
	MIP4_VMN_NAIVE,	  /* RFC 4093 §4.1: new IKE SA after every move */
};
const char *mip4_vmn_mode_str(enum mip4_vmn_mode m);

enum mip4_vmn_state {
	MIP4_VMN_DETACHED = 0,
	MIP4_VMN_DETECTING,
	MIP4_VMN_INSIDE,
	MIP4_VMN_OUTSIDE,
};
const char *mip4_vmn_state_str(enum mip4_vmn_state s);

/* Where the i-MIP layer registers from. */
enum mip4_vmn_inner {
	MIP4_VMN_IN_NONE = 0, /* nowhere (held) */
	MIP4_VMN_IN_DIRECT,   /* the link's own attachment (modes c, f) */
	MIP4_VMN_IN_VPN,      /* the VPN tunnel inner address (co-located) */
};

enum mip4_vmn_vpn {
	MIP4_VMN_VPN_KEEP = 0, /* leave it as it is */
	MIP4_VMN_VPN_UP,
	MIP4_VMN_VPN_DOWN,
};

struct mip4_vmn_cfg {
	enum mip4_vmn_mode mode;
	uint32_t detect_ms;	/* after the x-HA answered, wait this long for
				   the i-HA (0: the firewall keeps the x-HA
				   out of reach from inside, §3.3) */
	uint32_t nox_detect_ms; /* modes mc/naive: outside when the i-HA has
				   not answered after this long */
	uint32_t probe_ms;	/* outside: keep trying the i-HA directly
				   this long after the status change */
	uint32_t t_monitor_ms;	/* §3.2.4, default 60 s */
};

/* Defaults: cvc, detect 0, nox-detect 1500 ms, probe 10 s, T_MONITOR 60 s. */
void mip4_vmn_cfg_defaults(struct mip4_vmn_cfg *c);

struct mip4_vmn {
	struct mip4_vmn_cfg cfg;
	enum mip4_vmn_state state;
	bool link;	     /* a usable physical attachment */
	uint64_t changed_ms; /* last connection status change */
	uint64_t changes;    /* how many */
	uint64_t detections; /* detection runs started (changes and
				T_MONITOR or failed re-registrations) */
	bool x_ok;	     /* x-MIP registered from the current link */
	bool vpn_up;
	uint32_t vip;	     /* VPN tunnel inner address */
	bool i_ok;	     /* i-MIP registered from its current source */
	enum mip4_vmn_inner i_src; /* where that registration was made */
	uint64_t i_ok_ms;    /* when (inside: T_MONITOR runs from here) */
	uint64_t inside_ms;  /* when detection last said inside */
	bool restart_vpn;    /* naive: a new IKE SA for this attachment */
	bool was_outside;    /* the state before the status change */
	uint64_t decide_ms;  /* DETECTING: go outside at this time (0 none) */
};

/* What should be in place now. */
struct mip4_vmn_out {
	enum mip4_vmn_inner inner;
	bool x_active;	/* x-MIP registers (else deregisters / stays off) */
	bool probe;	/* a direct registration to the i-HA is wanted */
	enum mip4_vmn_vpn vpn;
	bool restart_vpn; /* once: terminate and initiate (mode naive) */
	bool gate;	  /* hold user data back */
	uint64_t deadline_ms; /* call mip4_vmn_timer() then; 0 none */
};

void mip4_vmn_init(struct mip4_vmn *v, const struct mip4_vmn_cfg *cfg);

/* The connection status changed (§3.2.2): a new attachment (up) or none. */
void mip4_vmn_link(struct mip4_vmn *v, uint64_t now_ms, bool up);
/* x-MIP's registration from the current link was accepted (or lost). */
void mip4_vmn_x(struct mip4_vmn *v, uint64_t now_ms, bool registered);
/* A direct registration to the i-HA through the current link was
 * accepted; tnc: its authenticated reply carried the TNC extension. */
void mip4_vmn_probe(struct mip4_vmn *v, uint64_t now_ms, bool tnc);
/* The i-MIP layer's own registration from src was accepted (or lost):
 * inside, every acceptance restarts T_MONITOR, and one without TNC
 * restarts detection (§3.3: "if the re-registration fails"). */
void mip4_vmn_inner(struct mip4_vmn *v, uint64_t now_ms,
		    enum mip4_vmn_inner src, bool registered, bool tnc);
/* The VPN is up with this inner address, or down (vip 0). */
void mip4_vmn_vpn(struct mip4_vmn *v, uint64_t now_ms, uint32_t vip);
/* The caller did the one-shot VPN restart. */
void mip4_vmn_vpn_restarted(struct mip4_vmn *v);

void mip4_vmn_timer(struct mip4_vmn *v, uint64_t now_ms);

/*
 * The VPN tunnel inner address from the text of `swanctl --list-sas
 * --raw` (NUL-terminated): the first local-vips=[A.B.C.D ...] of an IKE SA
 * that is ESTABLISHED with a CHILD_SA INSTALLED; 0 when there is none or
 * the text does not say so plainly.
 */
uint32_t mip4_vmn_swanctl_vip(const char *out);

/* s[0..n) is exactly one dotted quad without leading zeros: 0 with *out
 * set, else -1. */
int mip4_vmn_dotted_quad(const char *s, size_t n, uint32_t *out);

/* What should be in place at now_ms. */
void mip4_vmn_want(const struct mip4_vmn *v, uint64_t now_ms,
		   struct mip4_vmn_out *out);

#endif
