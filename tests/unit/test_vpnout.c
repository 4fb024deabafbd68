/* SPDX-License-Identifier: BSD-2-Clause */
/* What the VPN clients print (lib/vpnout.c): real outputs of OpenVPN
 * 2.6's management interface, wg 1.0, the openconnect hook record and the
 * command driver's status, and broken ones; the contract is the comment
 * in mip4/vpnout.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mip4/vpnout.h"

#define A(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))
#define GW A(198, 51, 100, 2)
#define KEY1 "hM0kFBCZdVm5YpJR2R2LzXYkSMUXS4nkBzdB3eW7S2A="
#define KEY2 "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="

static void test_openvpn_state(void **state)
{
	uint32_t v = 1;

	(void)state;
	/* as OpenVPN 2.6.14 answers, with the greeting and a notification */
	assert_int_equal(mip4_vpnout_openvpn_state(
		">INFO:OpenVPN Management Interface Version 5 -- type 'help' for more info\r\n"
		">HOLD:Waiting for hold release:0\r\n"
		"1733620000,CONNECTED,SUCCESS,10.10.200.2,198.51.100.2,1194,,\r\n"
		"END\r\n", &v), MIP4_VPNOUT_UP);
	assert_int_equal(v, A(10, 10, 200, 2));
	assert_int_equal(mip4_vpnout_openvpn_state(
		"1733620000,WAIT,,,,,,\nEND\n", &v), MIP4_VPNOUT_DOWN);
	assert_int_equal(v, 0);
	assert_int_equal(mip4_vpnout_openvpn_state(
		"1733620000,RECONNECTING,ping-restart,,,,,\nEND\n", &v),
		MIP4_VPNOUT_DOWN);
	/* no END: the answer was cut */
	assert_int_equal(mip4_vpnout_openvpn_state(
		"1733620000,CONNECTED,SUCCESS,10.10.200.2,198.51.100.2,1194,,\n",
		&v), MIP4_VPNOUT_GARBAGE);
	assert_int_equal(mip4_vpnout_openvpn_state("", &v), MIP4_VPNOUT_GARBAGE);
	assert_int_equal(mip4_vpnout_openvpn_state("END\n", &v),
			 MIP4_VPNOUT_GARBAGE);
	assert_int_equal(mip4_vpnout_openvpn_state(
		"ERROR: unknown command, enter 'help' for more options\nEND\n", &v),
		MIP4_VPNOUT_GARBAGE);
	/* connected without an address, or with a bad one */
	assert_int_equal(mip4_vpnout_openvpn_state(
		"1,CONNECTED,SUCCESS,,198.51.100.2,1194,,\nEND\n", &v),
		MIP4_VPNOUT_GARBAGE);
	assert_int_equal(mip4_vpnout_openvpn_state(
		"1,CONNECTED,SUCCESS,10.10.200.256,x\nEND\n", &v),
		MIP4_VPNOUT_GARBAGE);
	assert_int_equal(v, 0);
	assert_int_equal(mip4_vpnout_openvpn_state("1,CONNECTED\nEND\n", &v),
			 MIP4_VPNOUT_GARBAGE);
	assert_int_equal(mip4_vpnout_openvpn_state("1,connected,x,1.2.3.4\nEND\n",
						   &v), MIP4_VPNOUT_GARBAGE);
	/* two state lines: not an answer to one `state` */
	assert_int_equal(mip4_vpnout_openvpn_state(
		"1,WAIT,,,\n1,CONNECTED,SUCCESS,10.0.0.1,1.1.1.1\nEND\n", &v),
		MIP4_VPNOUT_GARBAGE);
}

static void test_openvpn_answers(void **state)
{
	(void)state;
	assert_int_equal(mip4_vpnout_openvpn_answers(
		">INFO:OpenVPN Management Interface Version 5\r\n"
		"SUCCESS: hold flag set to ON\r\n"
		"SUCCESS: signal SIGUSR1 thrown\r\n"), 2);
	assert_int_equal(mip4_vpnout_openvpn_answers(
		"SUCCESS: hold release succeeded\n"), 1);
	assert_int_equal(mip4_vpnout_openvpn_answers(
		"SUCCESS: x\nERROR: signal 'X' is not a known signal type\n"), -1);
	assert_int_equal(mip4_vpnout_openvpn_answers("garbage\n"), 0);
	assert_int_equal(mip4_vpnout_openvpn_answers(""), 0);
}

static void test_wg_endpoints(void **state)
{
	(void)state;
	assert_int_equal(mip4_vpnout_wg_endpoints(KEY1 "\t198.51.100.2:51820\n",
						  GW), MIP4_VPNOUT_UP);
	assert_int_equal(mip4_vpnout_wg_endpoints(
		KEY2 "\t(none)\n" KEY1 "\t198.51.100.2:51820\n", GW),
		MIP4_VPNOUT_UP);
	/* another gateway, no endpoint, no peer */
	assert_int_equal(mip4_vpnout_wg_endpoints(KEY1 "\t198.51.100.3:51820\n",
						  GW), MIP4_VPNOUT_DOWN);
	assert_int_equal(mip4_vpnout_wg_endpoints(KEY1 "\t(none)\n", GW),
			 MIP4_VPNOUT_DOWN);
	assert_int_equal(mip4_vpnout_wg_endpoints("", GW), MIP4_VPNOUT_DOWN);
	/* what wg says when there is no such interface (exit status 1) */
	assert_int_equal(mip4_vpnout_wg_endpoints(
		"Unable to access interface: No such device\n", GW),
		MIP4_VPNOUT_GARBAGE);
	assert_int_equal(mip4_vpnout_wg_endpoints(KEY1 "\t198.51.100.2\n", GW),
			 MIP4_VPNOUT_GARBAGE);
	assert_int_equal(mip4_vpnout_wg_endpoints(KEY1 "\t198.51.100.2:0\n", GW),
			 MIP4_VPNOUT_GARBAGE);
	assert_int_equal(mip4_vpnout_wg_endpoints(
		KEY1 "\t198.51.100.2:65536\n", GW), MIP4_VPNOUT_GARBAGE);
	assert_int_equal(mip4_vpnout_wg_endpoints(
		KEY1 "\t198.51.100.2:51820\textra\n", GW), MIP4_VPNOUT_GARBAGE);
	assert_int_equal(mip4_vpnout_wg_endpoints(
		"short=\t198.51.100.2:51820\n", GW), MIP4_VPNOUT_GARBAGE);
	/* the dump format carries the private key: not this parser's */
	assert_int_equal(mip4_vpnout_wg_endpoints(
		KEY1 "\t" KEY2 "\t51820\toff\n", GW), MIP4_VPNOUT_GARBAGE);
}

static void test_openconnect(void **state)
{
	uint32_t v;
	char dev[16];

	(void)state;
	assert_int_equal(mip4_vpnout_openconnect(
		"reason=connect\nTUNDEV=oc-mn\nINTERNAL_IP4_ADDRESS=10.10.200.7\n"
		"VPNPID=4242\n", &v, dev), MIP4_VPNOUT_UP);
	assert_int_equal(v, A(10, 10, 200, 7));
	assert_string_equal(dev, "oc-mn");
	assert_int_equal(mip4_vpnout_openconnect(
		"reason=reconnect\nINTERNAL_IP4_ADDRESS=10.10.200.7\n", &v, NULL),
		MIP4_VPNOUT_UP);
	assert_int_equal(mip4_vpnout_openconnect(
		"reason=disconnect\nTUNDEV=oc-mn\nINTERNAL_IP4_ADDRESS=10.10.200.7\n",
		&v, dev), MIP4_VPNOUT_DOWN);
	assert_int_equal(v, 0);
	assert_int_equal(mip4_vpnout_openconnect("reason=attempt-reconnect\n",
						 &v, dev), MIP4_VPNOUT_DOWN);
	assert_int_equal(mip4_vpnout_openconnect("reason=pre-init\n", &v, dev),
			 MIP4_VPNOUT_DOWN);
	/* connected without an inner address */
	assert_int_equal(mip4_vpnout_openconnect("reason=connect\nTUNDEV=x\n",
						 &v, dev), MIP4_VPNOUT_GARBAGE);
	assert_int_equal(mip4_vpnout_openconnect(
		"reason=connect\nINTERNAL_IP4_ADDRESS=\n", &v, dev),
		MIP4_VPNOUT_GARBAGE);
	assert_int_equal(mip4_vpnout_openconnect("", &v, dev),
			 MIP4_VPNOUT_GARBAGE);
	assert_int_equal(mip4_vpnout_openconnect("reason=dance\n", &v, dev),
			 MIP4_VPNOUT_GARBAGE);
	assert_int_equal(mip4_vpnout_openconnect(
		"reason=connect\ngarbage\nINTERNAL_IP4_ADDRESS=10.0.0.1\n", &v, dev),
		MIP4_VPNOUT_GARBAGE);
	/* a device name too long for an interface is not taken */
	assert_int_equal(mip4_vpnout_openconnect(
		"reason=connect\nTUNDEV=0123456789abcdef\n"
		"INTERNAL_IP4_ADDRESS=10.0.0.1\n", &v, dev), MIP4_VPNOUT_UP);
	assert_string_equal(dev, "");
}

static void test_command(void **state)
{
	uint32_t v;

	(void)state;
	assert_int_equal(mip4_vpnout_command("10.10.200.9\n", &v), MIP4_VPNOUT_UP);
	assert_int_equal(v, A(10, 10, 200, 9));
	assert_int_equal(mip4_vpnout_command(" 10.10.200.9/32 \r\nmore\n", &v),
			 MIP4_VPNOUT_UP);
	assert_int_equal(mip4_vpnout_command("10.10.200.9", &v), MIP4_VPNOUT_UP);
	assert_int_equal(mip4_vpnout_command("", &v), MIP4_VPNOUT_DOWN);
	assert_int_equal(mip4_vpnout_command("\n", &v), MIP4_VPNOUT_DOWN);
	assert_int_equal(mip4_vpnout_command("up\n", &v), MIP4_VPNOUT_GARBAGE);
	assert_int_equal(mip4_vpnout_command("\n10.0.0.1\n", &v),
			 MIP4_VPNOUT_GARBAGE);
	assert_int_equal(mip4_vpnout_command("10.0.0.1/33\n", &v),
			 MIP4_VPNOUT_GARBAGE);
	assert_int_equal(mip4_vpnout_command("10.0.0.1/\n", &v),
			 MIP4_VPNOUT_GARBAGE);
	assert_int_equal(mip4_vpnout_command("010.0.0.1\n", &v),
			 MIP4_VPNOUT_GARBAGE);
	assert_int_equal(mip4_vpnout_command("0.0.0.0\n", &v),
			 MIP4_VPNOUT_GARBAGE);
	assert_int_equal(v, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_openvpn_state),
		cmocka_unit_test(test_openvpn_answers),
		cmocka_unit_test(test_wg_endpoints),
		cmocka_unit_test(test_openconnect),
		cmocka_unit_test(test_command),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
