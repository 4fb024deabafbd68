/* SPDX-License-Identifier: BSD-2-Clause */
/* RFC 5265 secure inside detection (§3.2, §3.3); see mip4/vpnmn.h. */
#include "mip4/vpnmn.h"

#include <string.h>

const char *mip4_vmn_mode_str(enum mip4_vmn_mode m)
{
	switch (m) {
	case MIP4_VMN_CVC: return "cvc";
	case MIP4_VMN_MC: return "mc";
	case MIP4_VMN_NAIVE: return "naive";
	default: return "unknown";
	}
}

const char *mip4_vmn_state_str(enum mip4_vmn_state s)
{
	switch (s) {
	case MIP4_VMN_DETACHED: return "detached";
	case MIP4_VMN_DETECTING: return "detecting";
	case MIP4_VMN_INSIDE: return "inside";
	case MIP4_VMN_OUTSIDE: return "outside";
	default: return "unknown";
	}
}

void mip4_vmn_cfg_defaults(struct mip4_vmn_cfg *c)
{
	memset(c, 0, sizeof *c);
	c->mode = MIP4_VMN_CVC;
	c->detect_ms = 0;
	c->nox_detect_ms = 1500;
	c->probe_ms = 10000;
	c->t_monitor_ms = 60000;
}

void mip4_vmn_init(struct mip4_vmn *v, const struct mip4_vmn_cfg *cfg)
{
	memset(v, 0, sizeof *v);
	v->cfg = *cfg;
	v->state = MIP4_VMN_DETACHED;
}

static uint64_t monitor_base(const struct mip4_vmn *v);

/* Start (or restart) detection on the current link. */
static void detect(struct mip4_vmn *v, uint64_t now_ms)
{
	v->state = MIP4_VMN_DETECTING;
	v->detections++;
	v->x_ok = false;
	/* Without an x-HA only silence from the i-HA says "outside". */
	v->decide_ms = v->cfg.mode == MIP4_VMN_CVC
			       ? 0
			       : now_ms + (v->cfg.nox_detect_ms ? v->cfg.nox_detect_ms : 1);
	if (v->i_src == MIP4_VMN_IN_DIRECT)
		v->i_ok = false; /* a direct binding is this link's only */
}

static void go_outside(struct mip4_vmn *v)
{
	v->state = MIP4_VMN_OUTSIDE;
	v->decide_ms = 0;
	if (v->i_src == MIP4_VMN_IN_DIRECT)
		v->i_ok = false;
}

void mip4_vmn_link(struct mip4_vmn *v, uint64_t now_ms, bool up)
{
	v->was_outside = v->state == MIP4_VMN_OUTSIDE ||
			 (v->state != MIP4_VMN_INSIDE && v->was_outside);
	v->changes++;
	v->changed_ms = now_ms;
	v->link = up;
	if (!up) {
		v->state = MIP4_VMN_DETACHED;
		v->x_ok = false;
		v->decide_ms = 0;
		if (v->i_src == MIP4_VMN_IN_DIRECT)
			v->i_ok = false;
		return;
	}
	detect(v, now_ms);
	/* RFC 4093 §4.1: the plain VPN client re-establishes after every
	 * move away from the intranet, whatever detection says later. */
	if (v->cfg.mode == MIP4_VMN_NAIVE && v->was_outside && v->vpn_up)
		v->restart_vpn = true;
}

void mip4_vmn_x(struct mip4_vmn *v, uint64_t now_ms, bool registered)
{
	if (!registered) {
		v->x_ok = false;
		return;
	}
	if (!v->link || v->cfg.mode != MIP4_VMN_CVC)
		return;
	v->x_ok = true;
	if (v->state != MIP4_VMN_DETECTING)
		return;
	if (v->cfg.detect_ms == 0)
		go_outside(v);
	else if (!v->decide_ms)
		v->decide_ms = now_ms + v->cfg.detect_ms;
}

void mip4_vmn_probe(struct mip4_vmn *v, uint64_t now_ms, bool tnc)
{
	/* §3.2.3: inside only on an authenticated reply with TNC; any other
	 * answer (a plain HA, an impostor without the key cannot even get
	 * this far) leaves detection where it is. */
	if (!v->link || !tnc)
		return;
	if (v->state != MIP4_VMN_INSIDE)
		v->inside_ms = now_ms;
	v->state = MIP4_VMN_INSIDE;
	v->decide_ms = 0;
	v->was_outside = false;
}

void mip4_vmn_inner(struct mip4_vmn *v, uint64_t now_ms,
		    enum mip4_vmn_inner src, bool registered, bool tnc)
{
	bool direct_inside = v->state == MIP4_VMN_INSIDE &&
			     src == MIP4_VMN_IN_DIRECT;

	if (!registered) {
		if (src == v->i_src)
			v->i_ok = false;
		/* §3.3: a failed re-registration inside restarts detection */
		if (direct_inside)
			detect(v, now_ms);
		return;
	}
	if (direct_inside && !tnc) {
		/* the i-HA no longer vouches for this link */
		v->i_ok = false;
		detect(v, now_ms);
		return;
	}
	v->i_ok = true;
	v->i_src = src;
	v->i_ok_ms = now_ms;
}

void mip4_vmn_vpn(struct mip4_vmn *v, uint64_t now_ms, uint32_t vip)
{
	(void)now_ms;
	if (vip != v->vip && v->i_src == MIP4_VMN_IN_VPN)
		v->i_ok = false; /* registered from an address we lost */
	v->vip = vip;
	v->vpn_up = vip != 0;
}

void mip4_vmn_vpn_restarted(struct mip4_vmn *v)
{
	v->restart_vpn = false;
	v->vpn_up = false;
	v->vip = 0;
	if (v->i_src == MIP4_VMN_IN_VPN)
		v->i_ok = false;
}

void mip4_vmn_timer(struct mip4_vmn *v, uint64_t now_ms)
{
	if (v->state == MIP4_VMN_DETECTING && v->decide_ms &&
	    now_ms >= v->decide_ms) {
		if (v->cfg.mode != MIP4_VMN_CVC || v->x_ok)
			go_outside(v);
		else
			v->decide_ms = 0;
	}
	/* §3.2.4: no fresh i-HA registration within T_MONITOR: detect again */
	if (v->state == MIP4_VMN_INSIDE &&
	    now_ms >= monitor_base(v) + v->cfg.t_monitor_ms)
		detect(v, now_ms);
}

/* Inside, T_MONITOR runs from the last direct i-HA registration, or from
 * the decision if i-MIP has not registered yet. */
static uint64_t monitor_base(const struct mip4_vmn *v)
{
	return v->i_ok && v->i_src == MIP4_VMN_IN_DIRECT &&
			       v->i_ok_ms > v->inside_ms
		       ? v->i_ok_ms
		       : v->inside_ms;
}

static void earliest(uint64_t *d, uint64_t t)
{
	if (t && (!*d || t < *d))
		*d = t;
}

void mip4_vmn_want(const struct mip4_vmn *v, uint64_t now_ms,
		   struct mip4_vmn_out *out)
{
	bool cvc = v->cfg.mode == MIP4_VMN_CVC;
	bool vpn_path = v->i_ok && v->i_src == MIP4_VMN_IN_VPN;

	memset(out, 0, sizeof *out);
	out->restart_vpn = v->restart_vpn;
	out->x_active = cvc && v->state != MIP4_VMN_INSIDE;
	switch (v->state) {
	case MIP4_VMN_DETACHED:
		out->inner = v->i_src == MIP4_VMN_IN_VPN && v->was_outside
				     ? MIP4_VMN_IN_VPN
				     : MIP4_VMN_IN_NONE;
		out->gate = true;
		break;
	case MIP4_VMN_DETECTING:
		/* Keep the binding through the VPN (no new request when
		 * detection ends outside again); hold the data (§3.2.2).
		 * Without an x-HA (mc, naive) the data stays inside ESP, so
		 * those baselines keep it flowing while the i-HA is asked. */
		out->inner = v->i_src == MIP4_VMN_IN_VPN && v->was_outside
				     ? MIP4_VMN_IN_VPN
				     : MIP4_VMN_IN_NONE;
		out->probe = true;
		out->gate = cvc || !(vpn_path && v->vpn_up);
		earliest(&out->deadline_ms, v->decide_ms);
		break;
	case MIP4_VMN_INSIDE:
		out->inner = MIP4_VMN_IN_DIRECT;
		out->vpn = MIP4_VMN_VPN_DOWN;
		out->gate = !(v->i_ok && v->i_src == MIP4_VMN_IN_DIRECT &&
			      now_ms < v->i_ok_ms + v->cfg.t_monitor_ms);
		earliest(&out->deadline_ms,
			 monitor_base(v) + v->cfg.t_monitor_ms);
		break;
	case MIP4_VMN_OUTSIDE:
		out->inner = v->vpn_up ? MIP4_VMN_IN_VPN : MIP4_VMN_IN_NONE;
		out->vpn = MIP4_VMN_VPN_UP;
		out->probe = now_ms < v->changed_ms + v->cfg.probe_ms;
		if (out->probe)
			earliest(&out->deadline_ms,
				 v->changed_ms + v->cfg.probe_ms);
		out->gate = !(vpn_path && v->vpn_up && (!cvc || v->x_ok));
		break;
	}
}

/* One dotted quad, exactly (no inet_pton: this library opens nothing and
 * includes no socket headers). */
int mip4_vmn_dotted_quad(const char *s, size_t n, uint32_t *out)
{
	uint32_t a = 0;
	unsigned parts = 0, v = 0, digits = 0;

	for (size_t i = 0; i <= n; i++) {
		char c = '.'; /* after the last part */

		if (i < n)
			c = s[i];

		if (c >= '0' && c <= '9') {
			if (digits && v == 0)
				return -1; /* leading zero */
			v = v * 10 + (unsigned)(c - '0');
			if (++digits > 3 || v > 255)
				return -1;
		} else if (c == '.' && digits) {
			a = a << 8 | v;
			parts++;
			v = 0;
			digits = 0;
		} else {
			return -1;
		}
	}
	if (parts != 4)
		return -1;
	*out = a;
	return 0;
}

uint32_t mip4_vmn_swanctl_vip(const char *out)
{
	static const char key[] = "local-vips=[";
	const char *p = strstr(out, key);
	uint32_t vip = 0;
	size_t n;

	if (!p || !strstr(out, "state=ESTABLISHED") ||
	    !strstr(out, "state=INSTALLED"))
		return 0;
	p += sizeof key - 1;
	n = strcspn(p, " ]");
	if (n < 7 || n > 15 || mip4_vmn_dotted_quad(p, n, &vip) < 0)
		return 0;
	return vip;
}
