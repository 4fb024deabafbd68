/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness: mip4_vpnout_command() (lib/vpnout.c), which reads
 * the `command` driver's status output.  Checks: UP only with a nonzero
 * address whose text begins the first line (after blanks); DOWN only for
 * an empty output or a lone end of line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "mip4/vpnout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	uint32_t vip = 1;
	enum mip4_vpnout r;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	r = mip4_vpnout_command(s, &vip);
	CHECK((r == MIP4_VPNOUT_UP) == (vip != 0));
	if (r == MIP4_VPNOUT_UP) {
		char t[24];
		const char *p = s + strspn(s, " \t");

		(void)snprintf(t, sizeof t, "%u.%u.%u.%u", vip >> 24,
			       (vip >> 16) & 0xff, (vip >> 8) & 0xff, vip & 0xff);
		CHECK(strncmp(p, t, strlen(t)) == 0);
	}
	if (r == MIP4_VPNOUT_DOWN)
		CHECK(strspn(s, " \t\r") == strcspn(s, "\n") &&
		      (s[strcspn(s, "\n")] == 0 || s[strcspn(s, "\n") + 1] == 0));
	free(s);
	return 0;
}
