/* SPDX-License-Identifier: BSD-2-Clause */
/* lib/vpnout.c - reading what VPN clients print (see mip4/vpnout.h). */
#include "mip4/vpnout.h"

#include <stdbool.h>
#include <string.h>

#include "mip4/vpnmn.h"

const char *mip4_vpnout_str(enum mip4_vpnout r)
{
	switch (r) {
	case MIP4_VPNOUT_UP: return "up";
	case MIP4_VPNOUT_DOWN: return "down";
	default: return "garbage";
	}
}

/* The line at *p (without its end of line) into [*s, *s + *n); *p moves
 * past it.  false at the end of the text. */
static bool next_line(const char **p, const char **s, size_t *n)
{
	size_t k;

	if (!**p)
		return false;
	k = strcspn(*p, "\n");
	*s = *p;
	*n = k;
	if (k && (*p)[k - 1] == '\r')
		(*n)--;
	*p += k + ((*p)[k] == '\n');
	return true;
}

static bool starts(const char *s, size_t n, const char *w)
{
	size_t k = strlen(w);

	return n >= k && memcmp(s, w, k) == 0;
}

static bool is_line(const char *s, size_t n, const char *w)
{
	return n == strlen(w) && memcmp(s, w, n) == 0;
}

/* Field i (0-based) of s[0..n) split at sep, into [*f, *f + *fn). */
static bool field(const char *s, size_t n, char sep, unsigned i,
		  const char **f, size_t *fn)
{
	size_t a = 0;

	for (;;) {
		size_t b = a;

		while (b < n && s[b] != sep)
			b++;
		if (i == 0) {
			*f = s + a;
			*fn = b - a;
			return true;
		}
		if (b >= n)
			return false;
		a = b + 1;
		i--;
	}
}

/* An OpenVPN state word: capitals and '_' only. */
static bool state_word(const char *s, size_t n)
{
	if (n == 0 || n > 32)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || s[i] == '_'))
			return false;
	return true;
}

enum mip4_vpnout mip4_vpnout_openvpn_state(const char *out, uint32_t *vip)
{
	const char *p = out, *s, *st = NULL, *f;
	size_t n, stn = 0, fn;
	bool ended = false;

	*vip = 0;
	while (next_line(&p, &s, &n)) {
		if (n && s[0] == '>')
			continue; /* a real-time notification */
		if (is_line(s, n, "END")) {
			ended = true;
			break;
		}
		if (starts(s, n, "ERROR:") || st)
			return MIP4_VPNOUT_GARBAGE;
		st = s;
		stn = n;
	}
	if (!ended || !st || !field(st, stn, ',', 1, &f, &fn) ||
	    !state_word(f, fn))
		return MIP4_VPNOUT_GARBAGE;
	if (!is_line(f, fn, "CONNECTED"))
		return MIP4_VPNOUT_DOWN;
	if (!field(st, stn, ',', 3, &f, &fn) ||
	    mip4_vmn_dotted_quad(f, fn, vip) < 0 || *vip == 0) {
		*vip = 0;
		return MIP4_VPNOUT_GARBAGE;
	}
	return MIP4_VPNOUT_UP;
}

int mip4_vpnout_openvpn_answers(const char *out)
{
	const char *p = out, *s;
	size_t n;
	int ok = 0;

	while (next_line(&p, &s, &n)) {
		if (starts(s, n, "ERROR:"))
			return -1;
		if (starts(s, n, "SUCCESS:"))
			ok++;
	}
	return ok;
}

/* "A.B.C.D:PORT" */
static bool endpoint(const char *s, size_t n, uint32_t *addr)
{
	size_t c = 0;
	unsigned port = 0;

	while (c < n && s[c] != ':')
		c++;
	if (c == n || c + 1 == n || n - c - 1 > 5 ||
	    mip4_vmn_dotted_quad(s, c, addr) < 0)
		return false;
	for (size_t i = c + 1; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		port = port * 10 + (unsigned)(s[i] - '0');
	}
	return port > 0 && port < 65536;
}

/* A WireGuard public key as wg prints it: 44 bytes of base64, '=' last. */
static bool wg_key(const char *s, size_t n)
{
	if (n != 44 || s[43] != '=')
		return false;
	for (size_t i = 0; i < 43; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '+' || c == '/'))
			return false;
	}
	return true;
}

enum mip4_vpnout mip4_vpnout_wg_endpoints(const char *out, uint32_t gateway)
{
	const char *p = out, *s, *f;
	size_t n, fn;
	bool found = false;

	while (next_line(&p, &s, &n)) {
		uint32_t a;

		if (n == 0)
			continue;
		if (!field(s, n, '\t', 0, &f, &fn) || !wg_key(f, fn) ||
		    !field(s, n, '\t', 1, &f, &fn) || field(s, n, '\t', 2, &f, &fn))
			return MIP4_VPNOUT_GARBAGE;
		(void)field(s, n, '\t', 1, &f, &fn);
		if (is_line(f, fn, "(none)"))
			continue;
		if (!endpoint(f, fn, &a))
			return MIP4_VPNOUT_GARBAGE;
		found = found || (gateway && a == gateway);
	}
	return found ? MIP4_VPNOUT_UP : MIP4_VPNOUT_DOWN;
}

enum mip4_vpnout mip4_vpnout_openconnect(const char *out, uint32_t *vip,
					 char tundev[16])
{
	const char *p = out, *s, *reason = NULL, *addr = NULL;
	size_t n, rn = 0, an = 0;

	*vip = 0;
	if (tundev)
		tundev[0] = '\0';
	while (next_line(&p, &s, &n)) {
		const char *eq = memchr(s, '=', n);
		size_t k;

		if (n == 0)
			continue;
		if (!eq)
			return MIP4_VPNOUT_GARBAGE;
		k = (size_t)(eq - s) + 1;
		if (is_line(s, k, "reason=")) {
			reason = s + k;
			rn = n - k;
		} else if (is_line(s, k, "INTERNAL_IP4_ADDRESS=")) {
			addr = s + k;
			an = n - k;
		} else if (is_line(s, k, "TUNDEV=") && tundev && n - k < 16) {
			memcpy(tundev, s + k, n - k);
			tundev[n - k] = '\0';
		}
	}
	if (!reason)
		return MIP4_VPNOUT_GARBAGE;
	if (is_line(reason, rn, "connect") || is_line(reason, rn, "reconnect")) {
		if (!addr || mip4_vmn_dotted_quad(addr, an, vip) < 0 ||
		    *vip == 0) {
			*vip = 0;
			return MIP4_VPNOUT_GARBAGE;
		}
		return MIP4_VPNOUT_UP;
	}
	if (is_line(reason, rn, "pre-init") ||
	    is_line(reason, rn, "attempt-reconnect") ||
	    is_line(reason, rn, "disconnect"))
		return MIP4_VPNOUT_DOWN;
	return MIP4_VPNOUT_GARBAGE;
}

enum mip4_vpnout mip4_vpnout_command(const char *out, uint32_t *vip)
{
	const char *p = out, *s;
	size_t n;

	*vip = 0;
	if (!next_line(&p, &s, &n))
		return MIP4_VPNOUT_DOWN;
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0 && !*p)
		return MIP4_VPNOUT_DOWN;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '/')
			continue;
		unsigned len = 0;

		if (i + 1 == n || n - i - 1 > 2)
			return MIP4_VPNOUT_GARBAGE;
		for (size_t j = i + 1; j < n; j++) {
			if (s[j] < '0' || s[j] > '9')
				return MIP4_VPNOUT_GARBAGE;
			len = len * 10 + (unsigned)(s[j] - '0');
		}
		if (len > 32)
			return MIP4_VPNOUT_GARBAGE;
		n = i;
		break;
	}
	if (mip4_vmn_dotted_quad(s, n, vip) < 0 || *vip == 0) {
		*vip = 0;
		return MIP4_VPNOUT_GARBAGE;
	}
	return MIP4_VPNOUT_UP;
}
