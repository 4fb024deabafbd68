/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness: mip4_vmn_swanctl_vip() (lib/vpnmn.c), which reads
 * the VPN tunnel inner address out of `swanctl --list-sas --raw`.  The
 * input, NUL-terminated, is that text.  Checks: an address is only found
 * where the text says ESTABLISHED, INSTALLED and local-vips=[...], and
 * the text of the address found parses back to it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "mip4/vpnmn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	uint32_t vip;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	vip = mip4_vmn_swanctl_vip(s);
	if (vip) {
		char dotted[32];
		const char *p = strstr(s, "local-vips=[");

		CHECK(strstr(s, "state=ESTABLISHED") && strstr(s, "state=INSTALLED"));
		CHECK(p != NULL);
		(void)snprintf(dotted, sizeof dotted, "%u.%u.%u.%u", vip >> 24,
			       (vip >> 16) & 0xff, (vip >> 8) & 0xff, vip & 0xff);
		CHECK(strncmp(p + strlen("local-vips=["), dotted, strlen(dotted)) == 0);
	}
	free(s);
	return 0;
}
