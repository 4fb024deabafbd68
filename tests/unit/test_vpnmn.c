/* SPDX-License-Identifier: BSD-2-Clause */
/* RFC 5265 secure inside detection (§3.2, §3.3) with a fake clock: the
 * contract is the comment in mip4/vpnmn.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mip4/vpnmn.h"

#define T0 1000000u
#define VIP 0x0a080001u
#define VIP2 0x0a080002u

static struct mip4_vmn_out want(const struct mip4_vmn *v, uint64_t now)
{
	struct mip4_vmn_out o;

	memset(&o, 0xa5, sizeof o); /* the call must fill every field */
	mip4_vmn_want(v, now, &o);
	return o;
}

static void setup_mode(struct mip4_vmn *v, enum mip4_vmn_mode mode,
		       uint32_t detect_ms)
{
	struct mip4_vmn_cfg c;

	mip4_vmn_cfg_defaults(&c);
	c.mode = mode;
	c.detect_ms = detect_ms;
	mip4_vmn_init(v, &c);
}

/* cvc, detect 0: link up at T0, x-HA answers, VPN up, i-MIP via VPN. */
static void cvc_outside_registered(struct mip4_vmn *v)
{
	setup_mode(v, MIP4_VMN_CVC, 0);
	mip4_vmn_link(v, T0, true);
	mip4_vmn_x(v, T0 + 100, true);
	assert_int_equal(v->state, MIP4_VMN_OUTSIDE);
	mip4_vmn_vpn(v, T0 + 200, VIP);
	mip4_vmn_inner(v, T0 + 300, MIP4_VMN_IN_VPN, true, false);
	assert_false(want(v, T0 + 300).gate);
}

/* cvc: link up at T0, the i-HA answers the probe with TNC at T0 + 50. */
static void cvc_inside(struct mip4_vmn *v)
{
	setup_mode(v, MIP4_VMN_CVC, 0);
	mip4_vmn_link(v, T0, true);
	mip4_vmn_probe(v, T0 + 50, true);
	assert_int_equal(v->state, MIP4_VMN_INSIDE);
}

static void test_strings(void **state)
{
	(void)state;
	assert_string_equal(mip4_vmn_mode_str(MIP4_VMN_CVC), "cvc");
	assert_string_equal(mip4_vmn_mode_str(MIP4_VMN_MC), "mc");
	assert_string_equal(mip4_vmn_mode_str(MIP4_VMN_NAIVE), "naive");
	assert_string_equal(mip4_vmn_mode_str((enum mip4_vmn_mode)42),
			    "unknown");
	assert_string_equal(mip4_vmn_state_str(MIP4_VMN_DETACHED), "detached");
	assert_string_equal(mip4_vmn_state_str(MIP4_VMN_DETECTING),
			    "detecting");
	assert_string_equal(mip4_vmn_state_str(MIP4_VMN_INSIDE), "inside");
	assert_string_equal(mip4_vmn_state_str(MIP4_VMN_OUTSIDE), "outside");
	assert_string_equal(mip4_vmn_state_str((enum mip4_vmn_state)42),
			    "unknown");
}

static void test_defaults(void **state)
{
	struct mip4_vmn_cfg c;

	(void)state;
	memset(&c, 0xff, sizeof c);
	mip4_vmn_cfg_defaults(&c);
	assert_int_equal(c.mode, MIP4_VMN_CVC);
	assert_int_equal(c.detect_ms, 0);
	assert_int_equal(c.nox_detect_ms, 1500);
	assert_int_equal(c.probe_ms, 10000);
	assert_int_equal(c.t_monitor_ms, 60000);
}

static void test_initial_detached(void **state)
{
	struct mip4_vmn v;
	struct mip4_vmn_out o;

	(void)state;
	memset(&v, 0x5a, sizeof v);
	setup_mode(&v, MIP4_VMN_CVC, 0);
	assert_int_equal(v.state, MIP4_VMN_DETACHED);
	assert_false(v.link);
	assert_false(v.x_ok);
	assert_false(v.i_ok);
	assert_false(v.vpn_up);
	o = want(&v, T0);
	assert_true(o.gate);
	assert_false(o.probe);
	assert_int_equal(o.inner, MIP4_VMN_IN_NONE);
	assert_int_equal(o.vpn, MIP4_VMN_VPN_KEEP);
	assert_false(o.restart_vpn);
	assert_int_equal(o.deadline_ms, 0);
	/* nothing happens on a timer without a link */
	mip4_vmn_timer(&v, T0 + 1000000);
	assert_int_equal(v.state, MIP4_VMN_DETACHED);
}

static void test_link_up_detecting(void **state)
{
	struct mip4_vmn v;
	struct mip4_vmn_out o;

	(void)state;
	setup_mode(&v, MIP4_VMN_CVC, 0);
	mip4_vmn_link(&v, T0, true);
	assert_int_equal(v.state, MIP4_VMN_DETECTING);
	assert_true(v.link);
	assert_int_equal(v.changes, 1);
	assert_int_equal(v.changed_ms, T0);
	o = want(&v, T0);
	assert_true(o.gate);
	assert_true(o.probe);
	assert_true(o.x_active);
	assert_int_equal(o.inner, MIP4_VMN_IN_NONE);
	assert_int_equal(o.vpn, MIP4_VMN_VPN_KEEP);
	assert_false(o.restart_vpn);
	/* cvc: only the x-HA's answer starts the clock; nothing to wait
	 * for until then, and no timeout decides anything */
	assert_int_equal(o.deadline_ms, 0);
	mip4_vmn_timer(&v, T0 + 3600000);
	assert_int_equal(v.state, MIP4_VMN_DETECTING);
	assert_true(want(&v, T0 + 3600000).gate);
}

/* detect_ms 0: the x-HA's answer alone means outside (§3.3). */
static void test_cvc_outside_at_once(void **state)
{
	struct mip4_vmn v;
	struct mip4_vmn_out o;

	(void)state;
	setup_mode(&v, MIP4_VMN_CVC, 0);
	mip4_vmn_link(&v, T0, true);
	mip4_vmn_x(&v, T0 + 100, true);
	assert_int_equal(v.state, MIP4_VMN_OUTSIDE);
	o = want(&v, T0 + 100);
	assert_int_equal(o.vpn, MIP4_VMN_VPN_UP);
	assert_true(o.x_active);
	assert_int_equal(o.inner, MIP4_VMN_IN_NONE); /* no VPN yet */
	assert_true(o.gate);
	assert_true(o.probe); /* a late i-HA answer still counts */
	/* the VPN comes up: i-MIP registers through it, data still held */
	mip4_vmn_vpn(&v, T0 + 200, VIP);
	assert_true(v.vpn_up);
	o = want(&v, T0 + 200);
	assert_int_equal(o.inner, MIP4_VMN_IN_VPN);
	assert_int_equal(o.vpn, MIP4_VMN_VPN_UP);
	assert_true(o.gate);
	/* a direct i-MIP registration does not open the gate outside */
	mip4_vmn_inner(&v, T0 + 250, MIP4_VMN_IN_DIRECT, true, false);
	assert_true(want(&v, T0 + 250).gate);
	/* via the VPN it does */
	mip4_vmn_inner(&v, T0 + 300, MIP4_VMN_IN_VPN, true, false);
	o = want(&v, T0 + 300);
	assert_false(o.gate);
	assert_int_equal(o.inner, MIP4_VMN_IN_VPN);
	assert_int_equal(o.vpn, MIP4_VMN_VPN_UP);
	/* the x-MIP binding is lost: held again, back when it returns */
	mip4_vmn_x(&v, T0 + 400, false);
	assert_int_equal(v.state, MIP4_VMN_OUTSIDE);
	assert_true(want(&v, T0 + 400).gate);
	mip4_vmn_x(&v, T0 + 500, true);
	assert_int_equal(v.state, MIP4_VMN_OUTSIDE);
	assert_false(want(&v, T0 + 500).gate);
	/* the i-MIP binding through the VPN is lost */
	mip4_vmn_inner(&v, T0 + 600, MIP4_VMN_IN_VPN, false, false);
	assert_true(want(&v, T0 + 600).gate);
	assert_int_equal(want(&v, T0 + 600).inner, MIP4_VMN_IN_VPN);
}

/* Outside: the direct i-HA attempt goes on for probe_ms after the change. */
static void test_outside_probe_window(void **state)
{
	struct mip4_vmn v;
	struct mip4_vmn_out o;

	(void)state;
	cvc_outside_registered(&v);
	o = want(&v, T0 + 300);
	assert_true(o.probe);
	assert_int_equal(o.deadline_ms, T0 + 10000);
	o = want(&v, T0 + 9999);
	assert_true(o.probe);
	o = want(&v, T0 + 10000);
	assert_false(o.probe);
	assert_int_equal(o.deadline_ms, 0);
	assert_false(o.gate);
	mip4_vmn_timer(&v, T0 + 10000);
	assert_int_equal(v.state, MIP4_VMN_OUTSIDE);
}

/* detect_ms > 0: after the x-HA answered, wait that long for the i-HA. */
static void test_cvc_detect_deadline(void **state)
{
	struct mip4_vmn v;
	struct mip4_vmn_out o;

	(void)state;
	setup_mode(&v, MIP4_VMN_CVC, 500);
	mip4_vmn_link(&v, T0, true);
	assert_int_equal(want(&v, T0).deadline_ms, 0);
	mip4_vmn_x(&v, T0 + 100, true);
	assert_int_equal(v.state, MIP4_VMN_DETECTING);
	o = want(&v, T0 + 100);
	assert_int_equal(o.deadline_ms, T0 + 600);
	assert_true(o.gate);
	assert_true(o.probe);
	assert_true(o.x_active);
	assert_int_equal(o.vpn, MIP4_VMN_VPN_KEEP);
	/* a second x answer does not push the deadline back */
	mip4_vmn_x(&v, T0 + 300, true);
	assert_int_equal(want(&v, T0 + 300).deadline_ms, T0 + 600);
	mip4_vmn_timer(&v, T0 + 599);
	assert_int_equal(v.state, MIP4_VMN_DETECTING);
	mip4_vmn_timer(&v, T0 + 600);
	assert_int_equal(v.state, MIP4_VMN_OUTSIDE);
	o = want(&v, T0 + 600);
	assert_int_equal(o.vpn, MIP4_VMN_VPN_UP);
	assert_true(o.gate);
}

/* The x binding lost before the deadline: no decision without it. */
static void test_cvc_deadline_needs_x(void **state)
{
	struct mip4_vmn v;

	(void)state;
	setup_mode(&v, MIP4_VMN_CVC, 500);
	mip4_vmn_link(&v, T0, true);
	mip4_vmn_x(&v, T0 + 100, true);
	mip4_vmn_x(&v, T0 + 200, false);
	mip4_vmn_timer(&v, T0 + 600);
	assert_int_equal(v.state, MIP4_VMN_DETECTING);
	assert_int_equal(want(&v, T0 + 600).deadline_ms, 0);
	/* x back: a fresh detection period from then */
	mip4_vmn_x(&v, T0 + 1000, true);
	assert_int_equal(want(&v, T0 + 1000).deadline_ms, T0 + 1500);
	mip4_vmn_timer(&v, T0 + 1499);
	assert_int_equal(v.state, MIP4_VMN_DETECTING);
	mip4_vmn_timer(&v, T0 + 1500);
	assert_int_equal(v.state, MIP4_VMN_OUTSIDE);
}

static void test_cvc_probe_before_deadline_inside(void **state)
{
	struct mip4_vmn v;
	struct mip4_vmn_out o;

	(void)state;
	setup_mode(&v, MIP4_VMN_CVC, 500);
	mip4_vmn_link(&v, T0, true);
	mip4_vmn_x(&v, T0 + 100, true);
	mip4_vmn_probe(&v, T0 + 300, true);
	assert_int_equal(v.state, MIP4_VMN_INSIDE);
	assert_int_equal(v.inside_ms, T0 + 300);
	o = want(&v, T0 + 300);
	assert_int_equal(o.inner, MIP4_VMN_IN_DIRECT);
	assert_int_equal(o.vpn, MIP4_VMN_VPN_DOWN);
	assert_false(o.x_active);
	assert_false(o.probe);
	assert_true(o.gate); /* until i-MIP registers directly */
	/* the old detection deadline decides nothing any more */
	mip4_vmn_timer(&v, T0 + 600);
	assert_int_equal(v.state, MIP4_VMN_INSIDE);
	/* the probe itself before any x answer also means inside */
	setup_mode(&v, MIP4_VMN_CVC, 500);
	mip4_vmn_link(&v, T0, true);
	mip4_vmn_probe(&v, T0 + 10, true);
	assert_int_equal(v.state, MIP4_VMN_INSIDE);
	/* an x answer afterwards changes nothing */
	mip4_vmn_x(&v, T0 + 20, true);
	assert_int_equal(v.state, MIP4_VMN_INSIDE);
	mip4_vmn_timer(&v, T0 + 520);
	assert_int_equal(v.state, MIP4_VMN_INSIDE);
}

/* §3.2.3: an i-HA answer without TNC never means inside. */
static void test_probe_without_tnc_never_inside(void **state)
{
	struct mip4_vmn v;

	(void)state;
	/* detect 0, the x-HA silent: a plain answer leaves detection on */
	setup_mode(&v, MIP4_VMN_CVC, 0);
	mip4_vmn_link(&v, T0, true);
	mip4_vmn_probe(&v, T0 + 10, false);
	assert_int_equal(v.state, MIP4_VMN_DETECTING);
	assert_true(want(&v, T0 + 10).gate);
	assert_true(want(&v, T0 + 10).probe);
	mip4_vmn_timer(&v, T0 + 100000);
	assert_int_equal(v.state, MIP4_VMN_DETECTING);
	/* detect 500: still outside at the deadline */
	setup_mode(&v, MIP4_VMN_CVC, 500);
	mip4_vmn_link(&v, T0, true);
	mip4_vmn_x(&v, T0 + 100, true);
	mip4_vmn_probe(&v, T0 + 200, false);
	assert_int_equal(v.state, MIP4_VMN_DETECTING);
	mip4_vmn_timer(&v, T0 + 600);
	assert_int_equal(v.state, MIP4_VMN_OUTSIDE);
	/* and a late one without TNC leaves it outside */
	mip4_vmn_probe(&v, T0 + 700, false);
	assert_int_equal(v.state, MIP4_VMN_OUTSIDE);
	assert_int_equal(want(&v, T0 + 700).vpn, MIP4_VMN_VPN_UP);
	/* mode mc: likewise */
	setup_mode(&v, MIP4_VMN_MC, 0);
	mip4_vmn_link(&v, T0, true);
	mip4_vmn_probe(&v, T0 + 10, false);
	assert_int_equal(v.state, MIP4_VMN_DETECTING);
	mip4_vmn_timer(&v, T0 + 1500);
	assert_int_equal(v.state, MIP4_VMN_OUTSIDE);
}

/* §3.3, last paragraph: a late i-HA answer with TNC means inside. */
static void test_late_probe_inside(void **state)
{
	struct mip4_vmn v;
	struct mip4_vmn_out o;

	(void)state;
	cvc_outside_registered(&v);
	mip4_vmn_probe(&v, T0 + 2000, true);
	assert_int_equal(v.state, MIP4_VMN_INSIDE);
	o = want(&v, T0 + 2000);
	assert_int_equal(o.vpn, MIP4_VMN_VPN_DOWN);
	assert_false(o.x_active);
	assert_int_equal(o.inner, MIP4_VMN_IN_DIRECT);
	assert_false(o.probe);
	/* the VPN binding does not let data through inside */
	assert_true(o.gate);
	assert_int_equal(o.deadline_ms, T0 + 2000 + 60000);
	/* the VPN goes down, i-MIP registers directly with TNC */
	mip4_vmn_vpn(&v, T0 + 2100, 0);
	assert_true(want(&v, T0 + 2100).gate);
	mip4_vmn_inner(&v, T0 + 2200, MIP4_VMN_IN_DIRECT, true, true);
	o = want(&v, T0 + 2200);
	assert_false(o.gate);
	assert_int_equal(o.inner, MIP4_VMN_IN_DIRECT);
	assert_int_equal(o.vpn, MIP4_VMN_VPN_DOWN);
	assert_int_equal(o.deadline_ms, T0 + 2200 + 60000);
}

/* Inside after outside, moving on before i-MIP registered directly:
 * the old binding through the VPN is not kept for the new detection. */
static void test_late_inside_then_move(void **state)
{
	struct mip4_vmn v;
	struct mip4_vmn_out o;

	(void)state;
	cvc_outside_registered(&v);
	mip4_vmn_probe(&v, T0 + 2000, true);
	assert_int_equal(v.state, MIP4_VMN_INSIDE);
	mip4_vmn_link(&v, T0 + 3000, true);
	assert_int_equal(v.state, MIP4_VMN_DETECTING);
	o = want(&v, T0 + 3000);
	assert_int_equal(o.inner, MIP4_VMN_IN_NONE);
	assert_true(o.gate);
	assert_false(o.restart_vpn);
	/* the x-HA answers: outside, the VPN is still there */
	mip4_vmn_x(&v, T0 + 3100, true);
	assert_int_equal(v.state, MIP4_VMN_OUTSIDE);
	o = want(&v, T0 + 3100);
	assert_int_equal(o.inner, MIP4_VMN_IN_VPN);
	assert_false(o.gate); /* the binding via the VPN never went away */
	/* the link lost while inside: the VPN binding is not kept either */
	cvc_outside_registered(&v);
	mip4_vmn_probe(&v, T0 + 2000, true);
	mip4_vmn_link(&v, T0 + 3000, false);
	assert_int_equal(v.state, MIP4_VMN_DETACHED);
	assert_int_equal(want(&v, T0 + 3000).inner, MIP4_VMN_IN_NONE);
}

/* A direct i-MIP binding made while detecting does not survive the
 * decision "outside": back inside, a fresh one is needed. */
static void test_direct_binding_void_outside(void **state)
{
	struct mip4_vmn v;

	(void)state;
	setup_mode(&v, MIP4_VMN_CVC, 500);
	mip4_vmn_link(&v, T0, true);
	mip4_vmn_inner(&v, T0 + 50, MIP4_VMN_IN_DIRECT, true, true);
	mip4_vmn_x(&v, T0 + 100, true);
	mip4_vmn_timer(&v, T0 + 600);
	assert_int_equal(v.state, MIP4_VMN_OUTSIDE);
	assert_false(v.i_ok);
	mip4_vmn_probe(&v, T0 + 700, true);
	assert_int_equal(v.state, MIP4_VMN_INSIDE);
	assert_true(want(&v, T0 + 700).gate);
}

static void test_inside_gate_until_direct(void **state)
{
	struct mip4_vmn v;
	struct mip4_vmn_out o;

	(void)state;
	cvc_inside(&v);
	o = want(&v, T0 + 50);
	assert_true(o.gate);
	assert_int_equal(o.inner, MIP4_VMN_IN_DIRECT);
	assert_int_equal(o.vpn, MIP4_VMN_VPN_DOWN);
	/* a registration through the VPN is not the inside one */
	mip4_vmn_vpn(&v, T0 + 60, VIP);
	mip4_vmn_inner(&v, T0 + 70, MIP4_VMN_IN_VPN, true, true);
	assert_int_equal(v.state, MIP4_VMN_INSIDE);
	assert_true(want(&v, T0 + 70).gate);
	mip4_vmn_inner(&v, T0 + 100, MIP4_VMN_IN_DIRECT, true, true);
	assert_int_equal(v.state, MIP4_VMN_INSIDE);
	o = want(&v, T0 + 100);
	assert_false(o.gate);
	assert_false(o.x_active);
	assert_false(o.probe);
	/* another probe answer inside changes nothing */
	mip4_vmn_probe(&v, T0 + 200, true);
	assert_int_equal(v.state, MIP4_VMN_INSIDE);
	assert_int_equal(v.inside_ms, T0 + 50);
	assert_false(want(&v, T0 + 200).gate);
}

/* §3.2.4: no fresh i-HA registration within T_MONITOR: gate, detect. */
static void test_t_monitor(void **state)
{
	struct mip4_vmn v;
	struct mip4_vmn_out o;
	const uint64_t reg = T0 + 1000;

	(void)state;
	cvc_inside(&v);
	mip4_vmn_inner(&v, reg, MIP4_VMN_IN_DIRECT, true, true);
	o = want(&v, reg);
	assert_false(o.gate);
	assert_int_equal(o.deadline_ms, reg + 60000);
	assert_false(want(&v, reg + 59999).gate);
	/* T_MONITOR passed: held back even before the timer runs */
	assert_true(want(&v, reg + 60000).gate);
	mip4_vmn_timer(&v, reg + 59999);
	assert_int_equal(v.state, MIP4_VMN_INSIDE);
	mip4_vmn_timer(&v, reg + 60000);
	assert_int_equal(v.state, MIP4_VMN_DETECTING);
	assert_false(v.i_ok); /* the direct binding is not trusted now */
	o = want(&v, reg + 60000);
	assert_true(o.gate);
	assert_true(o.probe);
	assert_true(o.x_active);
	assert_int_equal(o.inner, MIP4_VMN_IN_NONE);
	/* a probe answer with TNC: inside again, T_MONITOR from there */
	mip4_vmn_probe(&v, reg + 60100, true);
	assert_int_equal(v.state, MIP4_VMN_INSIDE);
	assert_int_equal(want(&v, reg + 60100).deadline_ms, reg + 120100);
	assert_true(want(&v, reg + 60100).gate);
}

/* Every re-registration restarts T_MONITOR. */
static void test_t_monitor_renewed(void **state)
{
	struct mip4_vmn v;
	const uint64_t reg = T0 + 1000;

	(void)state;
	cvc_inside(&v);
	mip4_vmn_inner(&v, reg, MIP4_VMN_IN_DIRECT, true, true);
	mip4_vmn_inner(&v, reg + 45000, MIP4_VMN_IN_DIRECT, true, true);
	assert_int_equal(want(&v, reg + 45000).deadline_ms, reg + 105000);
	mip4_vmn_timer(&v, reg + 60000);
	assert_int_equal(v.state, MIP4_VMN_INSIDE);
	assert_false(want(&v, reg + 104999).gate);
	assert_true(want(&v, reg + 105000).gate);
	mip4_vmn_timer(&v, reg + 105000);
	assert_int_equal(v.state, MIP4_VMN_DETECTING);
}

/* Inside without any direct registration: T_MONITOR runs from the
 * decision. */
static void test_t_monitor_no_registration(void **state)
{
	struct mip4_vmn v;

	(void)state;
	cvc_inside(&v);
	assert_int_equal(want(&v, T0 + 50).deadline_ms, T0 + 50 + 60000);
	mip4_vmn_timer(&v, T0 + 50 + 59999);
	assert_int_equal(v.state, MIP4_VMN_INSIDE);
	mip4_vmn_timer(&v, T0 + 50 + 60000);
	assert_int_equal(v.state, MIP4_VMN_DETECTING);
}

/* §3.3: the i-HA stops vouching for the link: detect again. */
static void test_inside_reregistration_without_tnc(void **state)
{
	struct mip4_vmn v;
	struct mip4_vmn_out o;

	(void)state;
	cvc_inside(&v);
	mip4_vmn_inner(&v, T0 + 100, MIP4_VMN_IN_DIRECT, true, true);
	assert_false(want(&v, T0 + 100).gate);
	mip4_vmn_inner(&v, T0 + 30000, MIP4_VMN_IN_DIRECT, true, false);
	assert_int_equal(v.state, MIP4_VMN_DETECTING);
	assert_false(v.i_ok);
	o = want(&v, T0 + 30000);
	assert_true(o.gate);
	assert_true(o.probe);
	assert_true(o.x_active);
	assert_int_equal(o.inner, MIP4_VMN_IN_NONE);
}

static void test_inside_registration_failure(void **state)
{
	struct mip4_vmn v;
	struct mip4_vmn_out o;

	(void)state;
	cvc_inside(&v);
	mip4_vmn_inner(&v, T0 + 100, MIP4_VMN_IN_DIRECT, true, true);
	mip4_vmn_inner(&v, T0 + 30000, MIP4_VMN_IN_DIRECT, false, false);
	assert_int_equal(v.state, MIP4_VMN_DETECTING);
	assert_false(v.i_ok);
	o = want(&v, T0 + 30000);
	assert_true(o.gate);
	assert_true(o.probe);
	/* the x-HA answers (detect 0): outside */
	mip4_vmn_x(&v, T0 + 30100, true);
	assert_int_equal(v.state, MIP4_VMN_OUTSIDE);
}

/* A move while outside: detection again, the i-MIP binding through the
 * VPN is kept; the data flows again as soon as x-MIP is back. */
static void test_outside_move(void **state)
{
	struct mip4_vmn v;
	struct mip4_vmn_out o;
	const uint64_t mv = T0 + 20000;

	(void)state;
	cvc_outside_registered(&v);
	mip4_vmn_link(&v, mv, true);
	assert_int_equal(v.state, MIP4_VMN_DETECTING);
	assert_int_equal(v.changes, 2);
	assert_false(v.x_ok);
	o = want(&v, mv);
	assert_int_equal(o.inner, MIP4_VMN_IN_VPN);
	assert_true(o.gate);
	assert_true(o.probe);
	assert_true(o.x_active);
	assert_false(o.restart_vpn); /* cvc: the VPN rides on x-MIP */
	mip4_vmn_x(&v, mv + 100, true);
	assert_int_equal(v.state, MIP4_VMN_OUTSIDE);
	o = want(&v, mv + 100);
	assert_false(o.gate); /* no new i-MIP registration needed */
	assert_int_equal(o.inner, MIP4_VMN_IN_VPN);
	assert_int_equal(o.vpn, MIP4_VMN_VPN_UP);
	/* the probe window restarts with the move */
	assert_int_equal(o.deadline_ms, mv + 10000);
}

/* A move while outside via a detached period keeps the VPN binding too. */
static void test_outside_detach_reattach(void **state)
{
	struct mip4_vmn v;
	struct mip4_vmn_out o;

	(void)state;
	cvc_outside_registered(&v);
	mip4_vmn_link(&v, T0 + 1000, false);
	assert_int_equal(want(&v, T0 + 1000).inner, MIP4_VMN_IN_VPN);
	mip4_vmn_link(&v, T0 + 2000, true);
	o = want(&v, T0 + 2000);
	assert_int_equal(o.inner, MIP4_VMN_IN_VPN);
	assert_true(o.gate);
	mip4_vmn_x(&v, T0 + 2100, true);
	assert_int_equal(v.state, MIP4_VMN_OUTSIDE);
	assert_false(want(&v, T0 + 2100).gate);
}

/* A move while inside: detection again, the direct binding is gone. */
static void test_inside_move(void **state)
{
	struct mip4_vmn v;
	struct mip4_vmn_out o;

	(void)state;
	cvc_inside(&v);
	mip4_vmn_inner(&v, T0 + 100, MIP4_VMN_IN_DIRECT, true, true);
	mip4_vmn_link(&v, T0 + 1000, true);
	assert_int_equal(v.state, MIP4_VMN_DETECTING);
	assert_false(v.i_ok);
	o = want(&v, T0 + 1000);
	assert_true(o.gate);
	assert_int_equal(o.inner, MIP4_VMN_IN_NONE);
	assert_true(o.probe);
}

static void test_link_down(void **state)
{
	struct mip4_vmn v;
	struct mip4_vmn_out o;

	(void)state;
	/* from outside */
	cvc_outside_registered(&v);
	mip4_vmn_link(&v, T0 + 1000, false);
	assert_int_equal(v.state, MIP4_VMN_DETACHED);
	assert_false(v.link);
	assert_false(v.x_ok);
	o = want(&v, T0 + 1000);
	assert_true(o.gate);
	assert_false(o.probe);
	assert_int_equal(o.vpn, MIP4_VMN_VPN_KEEP);
	assert_int_equal(o.deadline_ms, 0);
	/* nothing through a link we do not have */
	mip4_vmn_x(&v, T0 + 1100, true);
	assert_false(v.x_ok);
	mip4_vmn_probe(&v, T0 + 1200, true);
	assert_int_equal(v.state, MIP4_VMN_DETACHED);
	assert_true(want(&v, T0 + 1200).gate);
	/* from inside */
	cvc_inside(&v);
	mip4_vmn_inner(&v, T0 + 100, MIP4_VMN_IN_DIRECT, true, true);
	mip4_vmn_link(&v, T0 + 1000, false);
	assert_int_equal(v.state, MIP4_VMN_DETACHED);
	assert_false(v.i_ok);
	o = want(&v, T0 + 1000);
	assert_true(o.gate);
	assert_int_equal(o.inner, MIP4_VMN_IN_NONE);
	mip4_vmn_timer(&v, T0 + 1000000);
	assert_int_equal(v.state, MIP4_VMN_DETACHED);
	/* from detecting: the pending decision is dropped */
	setup_mode(&v, MIP4_VMN_CVC, 500);
	mip4_vmn_link(&v, T0, true);
	mip4_vmn_x(&v, T0 + 100, true);
	mip4_vmn_link(&v, T0 + 200, false);
	mip4_vmn_timer(&v, T0 + 600);
	assert_int_equal(v.state, MIP4_VMN_DETACHED);
	assert_int_equal(want(&v, T0 + 600).deadline_ms, 0);
}

/* RFC 5266 (mc): no x-HA; silence from the i-HA means outside. */
static void test_mc(void **state)
{
	struct mip4_vmn v;
	struct mip4_vmn_out o;

	(void)state;
	setup_mode(&v, MIP4_VMN_MC, 0);
	mip4_vmn_link(&v, T0, true);
	o = want(&v, T0);
	assert_int_equal(v.state, MIP4_VMN_DETECTING);
	assert_false(o.x_active);
	assert_true(o.probe);
	assert_true(o.gate); /* nothing registered via the VPN yet */
	assert_int_equal(o.deadline_ms, T0 + 1500);
	/* an x answer means nothing in this mode */
	mip4_vmn_x(&v, T0 + 10, true);
	assert_int_equal(v.state, MIP4_VMN_DETECTING);
	mip4_vmn_timer(&v, T0 + 1499);
	assert_int_equal(v.state, MIP4_VMN_DETECTING);
	mip4_vmn_timer(&v, T0 + 1500);
	assert_int_equal(v.state, MIP4_VMN_OUTSIDE);
	o = want(&v, T0 + 1500);
	assert_int_equal(o.vpn, MIP4_VMN_VPN_UP);
	assert_false(o.x_active);
	assert_true(o.gate);
	mip4_vmn_vpn(&v, T0 + 1600, VIP);
	assert_true(want(&v, T0 + 1600).gate);
	mip4_vmn_inner(&v, T0 + 1700, MIP4_VMN_IN_VPN, true, false);
	assert_false(want(&v, T0 + 1700).gate); /* no x-MIP needed */
	/* a move: detection again, the data keeps flowing in the VPN */
	mip4_vmn_link(&v, T0 + 5000, true);
	assert_int_equal(v.state, MIP4_VMN_DETECTING);
	o = want(&v, T0 + 5000);
	assert_false(o.gate);
	assert_int_equal(o.inner, MIP4_VMN_IN_VPN);
	assert_false(o.restart_vpn); /* MOBIKE keeps the SA */
	assert_int_equal(o.deadline_ms, T0 + 6500);
	mip4_vmn_timer(&v, T0 + 6500);
	assert_int_equal(v.state, MIP4_VMN_OUTSIDE);
	assert_false(want(&v, T0 + 6500).gate);
	/* the VPN drops during a later detection: held back */
	mip4_vmn_link(&v, T0 + 9000, true);
	mip4_vmn_vpn(&v, T0 + 9001, 0);
	assert_true(want(&v, T0 + 9001).gate);
	/* a TNC answer before the deadline: inside */
	mip4_vmn_probe(&v, T0 + 9100, true);
	assert_int_equal(v.state, MIP4_VMN_INSIDE);
	assert_int_equal(want(&v, T0 + 9100).vpn, MIP4_VMN_VPN_DOWN);
	mip4_vmn_timer(&v, T0 + 10500);
	assert_int_equal(v.state, MIP4_VMN_INSIDE);
}

/* RFC 4093 §4.1 (naive): a new IKE SA after every move while outside. */
static void test_naive_restart(void **state)
{
	struct mip4_vmn v;
	struct mip4_vmn_out o;

	(void)state;
	setup_mode(&v, MIP4_VMN_NAIVE, 0);
	mip4_vmn_link(&v, T0, true);
	assert_false(want(&v, T0).restart_vpn); /* first attachment */
	assert_false(want(&v, T0).x_active);
	assert_int_equal(want(&v, T0).deadline_ms, T0 + 1500);
	mip4_vmn_timer(&v, T0 + 1500);
	assert_int_equal(v.state, MIP4_VMN_OUTSIDE);
	mip4_vmn_vpn(&v, T0 + 1600, VIP);
	mip4_vmn_inner(&v, T0 + 1700, MIP4_VMN_IN_VPN, true, false);
	o = want(&v, T0 + 1700);
	assert_false(o.gate);
	assert_false(o.restart_vpn);
	/* a move while outside with the VPN up */
	mip4_vmn_link(&v, T0 + 5000, true);
	assert_int_equal(v.state, MIP4_VMN_DETECTING);
	o = want(&v, T0 + 5000);
	assert_true(o.restart_vpn);
	assert_true(want(&v, T0 + 5001).restart_vpn); /* a level */
	mip4_vmn_vpn_restarted(&v);
	assert_false(v.vpn_up);
	assert_false(v.i_ok);
	o = want(&v, T0 + 5100);
	assert_false(o.restart_vpn);
	assert_true(o.gate);
	mip4_vmn_timer(&v, T0 + 6500);
	assert_int_equal(v.state, MIP4_VMN_OUTSIDE);
	o = want(&v, T0 + 6500);
	assert_false(o.restart_vpn);
	assert_int_equal(o.vpn, MIP4_VMN_VPN_UP);
	assert_int_equal(o.inner, MIP4_VMN_IN_NONE); /* no VPN yet */
	assert_true(o.gate);
	mip4_vmn_vpn(&v, T0 + 6600, VIP2);
	o = want(&v, T0 + 6600);
	assert_int_equal(o.inner, MIP4_VMN_IN_VPN);
	assert_true(o.gate); /* i-MIP must register again */
	mip4_vmn_inner(&v, T0 + 6700, MIP4_VMN_IN_VPN, true, false);
	assert_false(want(&v, T0 + 6700).gate);
	/* a move while outside with the VPN down: nothing to restart */
	mip4_vmn_vpn(&v, T0 + 7000, 0);
	mip4_vmn_link(&v, T0 + 8000, true);
	assert_false(want(&v, T0 + 8000).restart_vpn);
}

/* Only naive restarts the VPN on a move. */
static void test_no_restart_other_modes(void **state)
{
	static const enum mip4_vmn_mode modes[] = {MIP4_VMN_CVC, MIP4_VMN_MC};
	struct mip4_vmn v;

	(void)state;
	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		setup_mode(&v, modes[i], 0);
		mip4_vmn_link(&v, T0, true);
		mip4_vmn_x(&v, T0 + 10, true);
		mip4_vmn_timer(&v, T0 + 1500);
		assert_int_equal(v.state, MIP4_VMN_OUTSIDE);
		mip4_vmn_vpn(&v, T0 + 1600, VIP);
		mip4_vmn_link(&v, T0 + 5000, true);
		assert_false(want(&v, T0 + 5000).restart_vpn);
		assert_false(v.restart_vpn);
	}
	/* naive, from inside with a VPN somehow up: not a move away */
	setup_mode(&v, MIP4_VMN_NAIVE, 0);
	mip4_vmn_link(&v, T0, true);
	mip4_vmn_probe(&v, T0 + 10, true);
	mip4_vmn_vpn(&v, T0 + 20, VIP);
	mip4_vmn_link(&v, T0 + 5000, true);
	assert_false(want(&v, T0 + 5000).restart_vpn);
}

/* A new VPN inner address: the i-MIP binding through the old one is void. */
static void test_vip_change(void **state)
{
	struct mip4_vmn v;
	struct mip4_vmn_out o;

	(void)state;
	cvc_outside_registered(&v);
	/* the same address again changes nothing */
	mip4_vmn_vpn(&v, T0 + 1000, VIP);
	assert_true(v.i_ok);
	assert_false(want(&v, T0 + 1000).gate);
	mip4_vmn_vpn(&v, T0 + 2000, VIP2);
	assert_false(v.i_ok);
	assert_int_equal(v.vip, VIP2);
	o = want(&v, T0 + 2000);
	assert_true(o.gate);
	assert_int_equal(o.inner, MIP4_VMN_IN_VPN);
	mip4_vmn_inner(&v, T0 + 2100, MIP4_VMN_IN_VPN, true, false);
	assert_false(want(&v, T0 + 2100).gate);
	/* the VPN goes down: nothing to register from */
	mip4_vmn_vpn(&v, T0 + 3000, 0);
	assert_false(v.vpn_up);
	o = want(&v, T0 + 3000);
	assert_true(o.gate);
	assert_int_equal(o.inner, MIP4_VMN_IN_NONE);
	assert_int_equal(o.vpn, MIP4_VMN_VPN_UP);
}

/* The VPN tunnel inner address from `swanctl --list-sas --raw` (a real
 * line from the lab, shortened, and its failure cases). */
static void test_swanctl_vip(void **state)
{
	static const char real[] =
		"list-sa event {vpn {uniqueid=9 version=2 state=ESTABLISHED "
		"local-host=192.168.3.174 local-port=4500 remote-host=198.51.100.2 "
		"local-vips=[10.10.200.1] child-sas {vpn-19 {name=vpn "
		"state=DELETED local-ts=[10.10.200.1/32]} vpn-20 {name=vpn "
		"state=INSTALLED local-ts=[10.10.200.1/32]}}}}\nlist-sas reply {}\n";
	char buf[512];

	(void)state;
	assert_int_equal(mip4_vmn_swanctl_vip(real), 0x0a0ac801u);
	assert_int_equal(mip4_vmn_swanctl_vip("list-sas reply {}\n"), 0);
	assert_int_equal(mip4_vmn_swanctl_vip(""), 0);
	/* not established, or no CHILD_SA installed */
	strcpy(buf, real);
	memcpy(strstr(buf, "ESTABLISHED"), "CONNECTING ", 11);
	assert_int_equal(mip4_vmn_swanctl_vip(buf), 0);
	strcpy(buf, real);
	memcpy(strstr(buf, "INSTALLED"), "REKEYING ", 9);
	assert_int_equal(mip4_vmn_swanctl_vip(buf), 0);
	/* no address, or not a plain dotted quad */
	assert_int_equal(mip4_vmn_swanctl_vip(
				 "state=ESTABLISHED local-vips=[] state=INSTALLED"),
			 0);
	assert_int_equal(mip4_vmn_swanctl_vip("state=ESTABLISHED "
					      "local-vips=[10.10.200.256] "
					      "state=INSTALLED"),
			 0);
	assert_int_equal(mip4_vmn_swanctl_vip("state=ESTABLISHED "
					      "local-vips=[10.010.200.1] "
					      "state=INSTALLED"),
			 0);
	assert_int_equal(mip4_vmn_swanctl_vip("state=ESTABLISHED "
					      "local-vips=[10.10.200] "
					      "state=INSTALLED"),
			 0);
	assert_int_equal(mip4_vmn_swanctl_vip("state=ESTABLISHED "
					      "local-vips=[fd00::1] "
					      "state=INSTALLED"),
			 0);
	/* the first of two */
	assert_int_equal(mip4_vmn_swanctl_vip("state=ESTABLISHED "
					      "local-vips=[10.10.200.7 10.10.200.8] "
					      "state=INSTALLED"),
			 0x0a0ac807u);
}

/* Once detection has said inside, a later detection on that link
 * (T_MONITOR ran out, or the inside re-registration failed, §3.2.4, §3.3)
 * does not fall back on the i-MIP binding made through the VPN while
 * outside: inside the VPN is taken down (§3.2.3), so that binding leads
 * nowhere.  Coming from outside, the same detection keeps it. */
static void test_inside_forgets_outside(void **state)
{
	struct mip4_vmn v;
	struct mip4_vmn_out o;

	(void)state;
	for (int how = 0; how < 2; how++) {
		cvc_outside_registered(&v);
		mip4_vmn_link(&v, T0 + 1000, true); /* a move while outside */
		assert_int_equal(want(&v, T0 + 1000).inner, MIP4_VMN_IN_VPN);
		mip4_vmn_probe(&v, T0 + 1100, true);
		assert_int_equal(v.state, MIP4_VMN_INSIDE);
		if (how == 0) /* no direct registration within T_MONITOR */
			mip4_vmn_timer(&v, T0 + 1100 + 60000);
		else /* the direct one is refused */
			mip4_vmn_inner(&v, T0 + 1200, MIP4_VMN_IN_DIRECT, false,
				       false);
		assert_int_equal(v.state, MIP4_VMN_DETECTING);
		o = want(&v, T0 + 1100 + 60000);
		assert_int_equal(o.inner, MIP4_VMN_IN_NONE);
		assert_true(o.gate);
		assert_true(o.probe);
	}
}

/* Inside, the VPN is taken down (§3.2.3); its going away does not void
 * the direct i-MIP registration, and user data keeps flowing. */
static void test_inside_vpn_down_keeps_direct(void **state)
{
	struct mip4_vmn v;

	(void)state;
	cvc_outside_registered(&v);
	mip4_vmn_probe(&v, T0 + 2000, true);
	mip4_vmn_inner(&v, T0 + 2100, MIP4_VMN_IN_DIRECT, true, true);
	assert_false(want(&v, T0 + 2100).gate);
	assert_int_equal(want(&v, T0 + 2100).vpn, MIP4_VMN_VPN_DOWN);
	mip4_vmn_vpn(&v, T0 + 2200, 0);
	assert_true(v.i_ok);
	assert_false(want(&v, T0 + 2200).gate);
	assert_int_equal(want(&v, T0 + 2200).inner, MIP4_VMN_IN_DIRECT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_initial_detached),
		cmocka_unit_test(test_link_up_detecting),
		cmocka_unit_test(test_cvc_outside_at_once),
		cmocka_unit_test(test_outside_probe_window),
		cmocka_unit_test(test_cvc_detect_deadline),
		cmocka_unit_test(test_cvc_deadline_needs_x),
		cmocka_unit_test(test_cvc_probe_before_deadline_inside),
		cmocka_unit_test(test_probe_without_tnc_never_inside),
		cmocka_unit_test(test_late_probe_inside),
		cmocka_unit_test(test_late_inside_then_move),
		cmocka_unit_test(test_direct_binding_void_outside),
		cmocka_unit_test(test_inside_gate_until_direct),
		cmocka_unit_test(test_t_monitor),
		cmocka_unit_test(test_t_monitor_renewed),
		cmocka_unit_test(test_t_monitor_no_registration),
		cmocka_unit_test(test_inside_reregistration_without_tnc),
		cmocka_unit_test(test_inside_registration_failure),
		cmocka_unit_test(test_outside_move),
		cmocka_unit_test(test_outside_detach_reattach),
		cmocka_unit_test(test_inside_move),
		cmocka_unit_test(test_link_down),
		cmocka_unit_test(test_mc),
		cmocka_unit_test(test_naive_restart),
		cmocka_unit_test(test_no_restart_other_modes),
		cmocka_unit_test(test_vip_change),
		cmocka_unit_test(test_swanctl_vip),
		cmocka_unit_test(test_inside_forgets_outside),
		cmocka_unit_test(test_inside_vpn_down_keeps_direct),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
