/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness: mip4_vpnout_openconnect() (lib/vpnout.c), which
 * reads the record of the openconnect driver's --script hook.  Checks: UP
 * only with a nonzero address whose text follows "INTERNAL_IP4_ADDRESS="
 * in the input and only after "reason=connect" or "reason=reconnect"; the
 * tunnel device is always a terminated string that stands in the input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "mip4/vpnout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), dev[16];
	uint32_t vip = 1;
	enum mip4_vpnout r;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	memset(dev, 'x', sizeof dev);
	r = mip4_vpnout_openconnect(s, &vip, dev);
	CHECK(memchr(dev, 0, sizeof dev) != NULL);
	if (dev[0]) {
		char t[32];

		(void)snprintf(t, sizeof t, "TUNDEV=%s", dev);
		CHECK(strstr(s, t) != NULL);
	}
	CHECK((r == MIP4_VPNOUT_UP) == (vip != 0));
	if (r == MIP4_VPNOUT_UP) {
		char t[48];

		(void)snprintf(t, sizeof t, "INTERNAL_IP4_ADDRESS=%u.%u.%u.%u",
			       vip >> 24, (vip >> 16) & 0xff, (vip >> 8) & 0xff,
			       vip & 0xff);
		CHECK(strstr(s, t) != NULL);
		CHECK(strstr(s, "reason=connect") || strstr(s, "reason=reconnect"));
	}
	free(s);
	return 0;
}
