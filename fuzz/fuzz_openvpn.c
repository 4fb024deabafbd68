/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness: mip4_vpnout_openvpn_state() and
 * mip4_vpnout_openvpn_answers() (lib/vpnout.c), which read OpenVPN's
 * management interface answers.  Checks: UP only with a nonzero address
 * whose text follows a comma in the input, with ",CONNECTED," there, and only when an
 * "END" line is there; never an address otherwise; the answer count never
 * exceeds the number of "SUCCESS:" in the text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "mip4/vpnout.h"

static unsigned count(const char *s, const char *w)
{
	unsigned n = 0;

	for (const char *p = strstr(s, w); p; p = strstr(p + 1, w))
		n++;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	uint32_t vip = 1;
	enum mip4_vpnout r;
	int n;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	r = mip4_vpnout_openvpn_state(s, &vip);
	CHECK(r == MIP4_VPNOUT_UP || r == MIP4_VPNOUT_DOWN ||
	      r == MIP4_VPNOUT_GARBAGE);
	CHECK((r == MIP4_VPNOUT_UP) == (vip != 0));
	if (r == MIP4_VPNOUT_UP) {
		char t[40];

		CHECK(strstr(s, ",CONNECTED,") && strstr(s, "END"));
		snprintf(t, sizeof t, ",%u.%u.%u.%u", vip >> 24,
			 (vip >> 16) & 0xff, (vip >> 8) & 0xff, vip & 0xff);
		CHECK(strstr(s, t) != NULL);
	}
	if (r != MIP4_VPNOUT_GARBAGE)
		CHECK(strstr(s, "END") != NULL);
	n = mip4_vpnout_openvpn_answers(s);
	CHECK(n >= -1 && (n < 0 || (unsigned)n <= count(s, "SUCCESS:")));
	if (n < 0)
		CHECK(strstr(s, "ERROR:") != NULL);
	free(s);
	return 0;
}
