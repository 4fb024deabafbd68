/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness: mip4_vpnout_wg_endpoints() (lib/vpnout.c), which
 * reads `wg show IF endpoints`.  The first 4 bytes are the gateway's
 * address, the rest (NUL-terminated) the text.  Checks: UP only when the
 * gateway's address followed by ':' stands in the text after a tab; a
 * gateway of 0 is never found.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "mip4/vpnout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t gw;
	char *s;
	enum mip4_vpnout r;

	if (size < 4)
		return 0;
	gw = (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 |
	     (uint32_t)data[2] << 8 | data[3];
	s = malloc(size - 3);
	if (!s)
		return 0;
	memcpy(s, data + 4, size - 4);
	s[size - 4] = 0;
	r = mip4_vpnout_wg_endpoints(s, gw);
	CHECK(r == MIP4_VPNOUT_UP || r == MIP4_VPNOUT_DOWN ||
	      r == MIP4_VPNOUT_GARBAGE);
	if (r == MIP4_VPNOUT_UP) {
		char t[40];

		CHECK(gw != 0);
		(void)snprintf(t, sizeof t, "\t%u.%u.%u.%u:", gw >> 24,
			       (gw >> 16) & 0xff, (gw >> 8) & 0xff, gw & 0xff);
		CHECK(strstr(s, t) != NULL);
	}
	CHECK(mip4_vpnout_wg_endpoints(s, 0) != MIP4_VPNOUT_UP);
	free(s);
	return 0;
}
