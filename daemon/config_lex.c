/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/config_lex.c - the tokens and values of mip4d.conf(5).
 *
 * The tokenizer reads words, "strings" (with \" and \\ only), braces and
 * # comments; newlines are plain white space.  The value parsers check
 * one token each (numbers, unicast addresses, prefixes without host bits,
 * keys, absolute paths, names, interface names) and say what is wrong with
 * it.  The first error is the one kept, as "FILE:LINE: message".
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"
#include "mip4/ip.h"

/* Record the first error as "FILE:LINE: message"; always returns -1. */
__attribute__((format(printf, 3, 4))) int
cfg_perr(struct parse *ps, unsigned line, const char *fmt, ...)
{
	int n;

	if (ps->failed || (ps->failed = true, ps->errlen == 0))
		return -1;
	n = line ? snprintf(ps->err, ps->errlen, "%s:%u: ", ps->name, line)
		 : snprintf(ps->err, ps->errlen, "%s: ", ps->name);
	if (n >= 0 && (size_t)n < ps->errlen) {
		va_list ap;

		va_start(ap, fmt);
		(void)vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* ---- tokenizer ---------------------------------------------------- */

static bool is_word_char(char ch)
{
	return (unsigned char)ch > 0x20 && ch != 0x7f && !strchr("{}\"#", ch);
}

static int tok_put(struct parse *ps, char ch)
{
	if (ps->tok_len >= TOK_MAX)
		return cfg_perr(ps, ps->tok_line, "token longer than %d bytes",
				TOK_MAX);
	ps->tok[ps->tok_len++] = ch;
	ps->tok[ps->tok_len] = '\0';
	return 0;
}

static enum tok lex_string(struct parse *ps)
{
	for (ps->p++;;) { /* past the opening quote */
		char ch;

		if (ps->p == ps->end || *ps->p == '\n')
			return cfg_perr(ps, ps->tok_line,
					"unterminated string"),
			       T_ERR;
		ch = *ps->p++;
		if (ch == '"')
			return T_STRING;
		if (ch == '\\' &&
		    (ps->p == ps->end || (*ps->p != '"' && *ps->p != '\\')))
			return cfg_perr(ps, ps->tok_line,
					"bad escape in string "
					"(only \\\" and \\\\)"),
			       T_ERR;
		if (ch == '\\')
			ch = *ps->p++;
		else if ((unsigned char)ch < 0x20 || ch == 0x7f)
			return cfg_perr(ps, ps->line,
					"control character 0x%02x in string",
					(unsigned)(unsigned char)ch),
			       T_ERR;
		if (tok_put(ps, ch) < 0)
			return T_ERR;
	}
}

/* Past white space and comments. */
static void lex_skip(struct parse *ps)
{
	for (; ps->p < ps->end; ps->p++) {
		if (*ps->p == '\n')
			ps->line++;
		else if (*ps->p == '#')
			while (ps->p + 1 < ps->end && ps->p[1] != '\n')
				ps->p++;
		else if (!strchr(" \t\r\f\v", *ps->p) || !*ps->p)
			return;
	}
}

static enum tok lex(struct parse *ps)
{
	ps->tok_len = 0;
	ps->tok[0] = '\0';
	lex_skip(ps);
	ps->tok_line = ps->line;
	if (ps->p == ps->end)
		return T_EOF;
	if (*ps->p == '{' || *ps->p == '}')
		return tok_put(ps, *ps->p), *ps->p++ == '{' ? T_LBRACE : T_RBRACE;
	if (*ps->p == '"')
		return lex_string(ps);
	if (*ps->p == '\0')
		return cfg_perr(ps, ps->line, "NUL byte in the file"), T_ERR;
	if (!is_word_char(*ps->p))
		return cfg_perr(ps, ps->line,
				"unexpected control character 0x%02x",
				(unsigned)(unsigned char)*ps->p),
		       T_ERR;
	while (ps->p < ps->end && is_word_char(*ps->p))
		if (tok_put(ps, *ps->p++) < 0)
			return T_ERR;
	return T_WORD;
}

static enum tok lex_next(struct parse *ps)
{
	return ps->kind = lex(ps);
}

static const char *tok_desc(const struct parse *ps)
{
	return ps->kind == T_EOF ? "end of file"
	       : ps->kind == T_LBRACE ? "'{'"
	       : ps->kind == T_RBRACE ? "'}'" : ps->tok;
}

/* The argument of option `opt`: a word or a string. */
int cfg_arg(struct parse *ps, const char *opt)
{
	unsigned opt_line = ps->tok_line;
	enum tok t = lex_next(ps);

	if (t != T_ERR && t != T_WORD && t != T_STRING)
		return cfg_perr(ps, opt_line, "%s: missing argument before %s",
				opt, tok_desc(ps));
	return t == T_ERR ? -1 : 0;
}

int cfg_expect_lbrace(struct parse *ps, const char *what)
{
	enum tok t = lex_next(ps);

	if (t != T_ERR && t != T_LBRACE)
		return cfg_perr(ps, ps->tok_line, "%s: expected '{', not %s",
				what, tok_desc(ps));
	return t == T_ERR ? -1 : 0;
}

/* The next option word of block `who` opened at `line` (who NULL: the top
 * level): 1 with it in ps->tok, 0 at the block's end, -1 on error. */
int cfg_next_option(struct parse *ps, const char *who, unsigned line)
{
	enum tok t = lex_next(ps);

	if (t == T_ERR)
		return -1;
	if (!who)
		return t == T_EOF    ? 0
		       : t == T_WORD ? 1
				     : cfg_perr(ps, ps->tok_line,
						"unexpected %s", tok_desc(ps));
	if (t == T_RBRACE)
		return 0;
	if (t == T_EOF)
		return cfg_perr(ps, line, "%s: unterminated block (no '}')",
				who);
	if (t != T_WORD || ps->tok_len >= OPT_MAX)
		return cfg_perr(ps, ps->tok_line, "%s: unexpected %s", who,
				tok_desc(ps));
	return 1;
}

/* ---- values ------------------------------------------------------- */

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = (char)(ch | 0x20);
	return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

int cfg_parse_u32(struct parse *ps, const char *opt, uint32_t lo,
		  uint32_t hi, uint32_t *out)
{
	bool hex = ps->tok[0] == '0' && (ps->tok[1] | 0x20) == 'x';
	const char *s = ps->tok + (hex ? 2 : 0), *s0 = s;
	uint64_t v = 0;

	/* digit by digit: too long is out of range before it is bad */
	for (int d; *s && v <= UINT32_MAX; s++) {
		d = hexval(*s);
		if (d < 0 || (!hex && d > 9))
			break;
		v = v * (hex ? 16 : 10) + (unsigned)d;
	}
	if (v <= UINT32_MAX && (*s || s == s0))
		return cfg_perr(ps, ps->tok_line, "%s: '%s' is not a number",
				opt, ps->tok);
	if (v < lo || v > hi)
		return cfg_perr(ps, ps->tok_line,
				"%s: %s out of range (%u..%u)", opt, ps->tok,
				lo, hi);
	*out = (uint32_t)v;
	return 0;
}

static bool addr_from(const char *s, uint32_t *out)
{
	struct in_addr in;

	if (inet_pton(AF_INET, s, &in) != 1)
		return false;
	*out = ntohl(in.s_addr);
	return true;
}

int cfg_parse_addr(struct parse *ps, const char *opt, const char *s,
		   uint32_t *out)
{
	if (!addr_from(s, out))
		return cfg_perr(ps, ps->tok_line,
				"%s: '%s' is not an IPv4 address", opt, s);
	if (*out == 0 || *out == 0xffffffffu || (*out >> 28) == 0xe)
		return cfg_perr(ps, ps->tok_line,
				"%s: %s is not a unicast address", opt, s);
	return 0;
}

unsigned cfg_plen_of(uint32_t mask)
{
	unsigned n = 0;

	while (n < 32 && (mask & (0x80000000u >> n)))
		n++;
	return n;
}

int cfg_parse_prefix(struct parse *ps, const char *opt,
		     struct mip4_prefix *out)
{
	const char *slash = memchr(ps->tok, '/', ps->tok_len), *q;
	char buf[64], nb[16];
	uint32_t a, plen;

	if (!slash || ps->tok_len >= sizeof buf)
		goto bad;
	memcpy(buf, ps->tok, (size_t)(slash - ps->tok));
	buf[slash - ps->tok] = '\0';
	q = slash + 1; /* one or two digits, no leading zero */
	if (!addr_from(buf, &a) || strspn(q, "0123456789") != strlen(q) ||
	    !*q || strlen(q) > 2 || (q[0] == '0' && q[1]))
		goto bad;
	plen = (uint32_t)strtoul(q, NULL, 10);
	if (plen > 32)
		return cfg_perr(ps, ps->tok_line,
				"%s: %s: prefix length out of range (0..32)",
				opt, ps->tok);
	out->mask = plen ? 0xffffffffu << (32 - plen) : 0;
	out->net = a & out->mask;
	if (out->net != a)
		return cfg_perr(ps, ps->tok_line,
				"%s: %s has host bits set (did you mean "
				"%s/%u?)",
				opt, ps->tok, mip4_ntoa(out->net, nb),
				(unsigned)plen);
	return 0;
bad:
	return cfg_perr(ps, ps->tok_line,
			"%s: '%s' is not a prefix (like 10.0.0.0/24)", opt,
			ps->tok);
}

static int key_hex(struct parse *ps, const char *h, size_t n, uint8_t *key,
		   size_t *key_len)
{
	for (size_t i = 0; i < n; i++) {
		int hi = hexval(h[2 * i]), lo = hexval(h[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return cfg_perr(ps, ps->tok_line,
					"key: '%c%c' is not hex", h[2 * i],
					h[2 * i + 1]);
		key[i] = (uint8_t)(hi << 4 | lo);
	}
	*key_len = n;
	return 0;
}

/* "hex:00112233..." or the bytes of the word/string themselves. */
int cfg_parse_key(struct parse *ps, bool quoted, uint8_t *key,
		  size_t *key_len)
{
	bool hex = !quoted && strncmp(ps->tok, "hex:", 4) == 0;
	const char *h = ps->tok + 4;
	size_t n = hex ? (ps->tok_len - 4) / 2 : ps->tok_len;

	if (!quoted && strcmp(ps->tok, "<redacted>") == 0)
		return cfg_perr(ps, ps->tok_line,
				"key: redacted (put the real key back, or "
				"print with keys shown)");
	if (hex && (ps->tok_len == 4 || ps->tok_len % 2))
		return cfg_perr(ps, ps->tok_line, "key: hex key needs an even, "
						  "non-zero number of digits");
	if (n == 0 || n > MIP4_KEY_MAX)
		return cfg_perr(ps, ps->tok_line,
				n ? "key: %zu bytes long; at most %d"
				  : "key: empty",
				n, MIP4_KEY_MAX);
	if (hex)
		return key_hex(ps, h, n, key, key_len);
	memcpy(key, ps->tok, n);
	*key_len = n;
	return 0;
}

int cfg_parse_path(struct parse *ps, const char *opt, char *out,
		   size_t cap)
{
	if (ps->tok[0] != '/')
		return cfg_perr(ps, ps->tok_line,
				"%s: '%s' is not an absolute path", opt,
				ps->tok);
	if (ps->tok_len >= cap)
		return cfg_perr(ps, ps->tok_line,
				"%s: path longer than %zu bytes", opt, cap - 1);
	memcpy(out, ps->tok, ps->tok_len + 1);
	return 0;
}

/* 1..cap-1 bytes; with `bad`, none of the bytes for which it is true. */
int cfg_parse_name(struct parse *ps, const char *opt, char *out,
		   size_t cap, bool (*bad)(unsigned char))
{
	if (ps->tok_len == 0 || ps->tok_len >= cap)
		return cfg_perr(ps, ps->tok_line, "%s: must be 1..%zu bytes",
				opt, cap - 1);
	for (size_t i = 0; bad && i < ps->tok_len; i++)
		if (bad((unsigned char)ps->tok[i]))
			return cfg_perr(ps, ps->tok_line,
					"%s: byte 0x%02x not allowed in an NAI",
					opt, (unsigned char)ps->tok[i]);
	memcpy(out, ps->tok, ps->tok_len + 1);
	return 0;
}

/* RFC 4282 §2.1: no white space or controls in an NAI */
bool cfg_nai_bad(unsigned char u)
{
	return u <= 0x20 || u >= 0x7f;
}

int cfg_parse_ifname(struct parse *ps, const char *opt, char *out)
{
	bool bad = strcmp(ps->tok, ".") == 0 || strcmp(ps->tok, "..") == 0;

	if (ps->tok_len == 0 || ps->tok_len >= MIP4_CONFIG_IFNAME_MAX)
		return cfg_perr(ps, ps->tok_line,
				"%s: name must be 1..%d bytes", opt,
				MIP4_CONFIG_IFNAME_MAX - 1);
	for (size_t i = 0; i < ps->tok_len; i++) /* as dev_valid_name() */
		bad = bad || cfg_nai_bad((unsigned char)ps->tok[i]) ||
		      ps->tok[i] == '/' || ps->tok[i] == ':';
	if (bad)
		return cfg_perr(ps, ps->tok_line, "%s: bad name '%s'", opt,
				ps->tok);
	memcpy(out, ps->tok, ps->tok_len + 1);
	return 0;
}
