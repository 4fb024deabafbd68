/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/config.c - mip4d.conf(5) parser and printer.
 *
 * A small tokenizer (words, "strings", braces, # comments; newlines are
 * plain white space so a block may sit on one line) feeds a recursive
 * descent parser driven by one context struct.  Each option keyword takes
 * a fixed number of arguments.  Whole-block checks (required options,
 * duplicates, pool overlap) run when a block closes or after the file,
 * using sorted indexes that the daemon then keeps for lookups.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "mip4/ip.h"

#define TOK_MAX (MIP4_CONFIG_PATH_MAX - 1)

enum tok {
	T_ERR = -1,
	T_EOF = 0,
	T_WORD,
	T_STRING,
	T_LBRACE,
	T_RBRACE,
};

struct parse {
	const char *name;
	const char *p, *end;
	unsigned line;
	char *err;
	size_t errlen;
	bool failed;

	/* the current token */
	enum tok kind;
	unsigned tok_line;
	size_t tok_len;
	char tok[TOK_MAX + 1];

	struct mip4_config *c;
};

__attribute__((format(printf, 3, 0))) static void
vperr(struct parse *ps, unsigned line, const char *fmt, va_list ap)
{
	int n;

	if (ps->failed)
		return;
	ps->failed = true;
	if (ps->errlen == 0)
		return;
	if (line)
		n = snprintf(ps->err, ps->errlen, "%s:%u: ", ps->name, line);
	else
		n = snprintf(ps->err, ps->errlen, "%s: ", ps->name);
	if (n < 0 || (size_t)n >= ps->errlen)
		return;
	(void)vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
}

/* Record the first error as "FILE:LINE: message"; always returns -1. */
__attribute__((format(printf, 3, 4))) static int
perr(struct parse *ps, unsigned line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vperr(ps, line, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- tokenizer ---------------------------------------------------- */

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' ||
	       ch == '\f' || ch == '\v';
}

static bool is_word_char(char ch)
{
	unsigned char u = (unsigned char)ch;

	return !is_space(ch) && u >= 0x20 && u != 0x7f && ch != '{' &&
	       ch != '}' && ch != '"' && ch != '#';
}

static int tok_put(struct parse *ps, char ch)
{
	if (ps->tok_len >= TOK_MAX)
		return perr(ps, ps->tok_line, "token longer than %d bytes",
			    TOK_MAX);
	ps->tok[ps->tok_len++] = ch;
	ps->tok[ps->tok_len] = '\0';
	return 0;
}

static enum tok lex_string(struct parse *ps)
{
	ps->p++; /* opening quote */
	for (;;) {
		char ch;

		if (ps->p == ps->end || *ps->p == '\n')
			return perr(ps, ps->tok_line, "unterminated string"),
			       T_ERR;
		ch = *ps->p++;
		if (ch == '"')
			return T_STRING;
		if (ch == '\\') {
			if (ps->p == ps->end || (*ps->p != '"' && *ps->p != '\\'))
				return perr(ps, ps->tok_line,
					    "bad escape in string (only \\\" "
					    "and \\\\)"),
				       T_ERR;
			ch = *ps->p++;
		} else if ((unsigned char)ch < 0x20 || ch == 0x7f) {
			return perr(ps, ps->line,
				    "control character 0x%02x in string",
				    (unsigned)(unsigned char)ch),
			       T_ERR;
		}
		if (tok_put(ps, ch) < 0)
			return T_ERR;
	}
}

static enum tok lex_next(struct parse *ps)
{
	ps->tok_len = 0;
	ps->tok[0] = '\0';
	for (;;) {
		if (ps->p == ps->end) {
			ps->tok_line = ps->line;
			return ps->kind = T_EOF;
		}
		if (*ps->p == '\n') {
			ps->line++;
			ps->p++;
		} else if (is_space(*ps->p)) {
			ps->p++;
		} else if (*ps->p == '#') {
			while (ps->p < ps->end && *ps->p != '\n')
				ps->p++;
		} else {
			break;
		}
	}
	ps->tok_line = ps->line;
	switch (*ps->p) {
	case '{':
		ps->p++;
		(void)tok_put(ps, '{');
		return ps->kind = T_LBRACE;
	case '}':
		ps->p++;
		(void)tok_put(ps, '}');
		return ps->kind = T_RBRACE;
	case '"':
		return ps->kind = lex_string(ps);
	default:
		break;
	}
	if (*ps->p == '\0')
		return perr(ps, ps->line, "NUL byte in the file"),
		       ps->kind = T_ERR;
	if (!is_word_char(*ps->p))
		return perr(ps, ps->line, "unexpected control character 0x%02x",
			    (unsigned)(unsigned char)*ps->p),
		       ps->kind = T_ERR;
	while (ps->p < ps->end && is_word_char(*ps->p))
		if (tok_put(ps, *ps->p++) < 0)
			return ps->kind = T_ERR;
	return ps->kind = T_WORD;
}

static const char *tok_desc(const struct parse *ps)
{
	switch (ps->kind) {
	case T_EOF: return "end of file";
	case T_LBRACE: return "'{'";
	case T_RBRACE: return "'}'";
	default: return ps->tok;
	}
}

/* The argument of option `opt`: a word or a string. */
static int arg(struct parse *ps, const char *opt)
{
	unsigned opt_line = ps->tok_line;
	enum tok t = lex_next(ps);

	if (t == T_ERR)
		return -1;
	if (t != T_WORD && t != T_STRING)
		return perr(ps, opt_line, "%s: missing argument before %s",
			    opt, tok_desc(ps));
	return 0;
}

static int expect_lbrace(struct parse *ps, const char *what)
{
	enum tok t = lex_next(ps);

	if (t == T_ERR)
		return -1;
	if (t != T_LBRACE)
		return perr(ps, ps->tok_line, "%s: expected '{', not %s", what,
			    tok_desc(ps));
	return 0;
}

/*
 * The next option word of a block opened at `line`: 1 with it in opt, 0 at
 * the closing brace, -1 (error recorded) otherwise.
 */
static int next_option(struct parse *ps, const char *who, unsigned line,
		       char *opt, size_t optlen)
{
	enum tok t = lex_next(ps);

	if (t == T_ERR)
		return -1;
	if (t == T_RBRACE)
		return 0;
	if (t == T_EOF)
		return perr(ps, line, "%s: unterminated block (no '}')", who);
	if (t != T_WORD || ps->tok_len >= optlen)
		return perr(ps, ps->tok_line, "%s: unexpected %s", who,
			    tok_desc(ps));
	memcpy(opt, ps->tok, ps->tok_len + 1);
	return 1;
}

/* ---- values ------------------------------------------------------- */

static int parse_u32(struct parse *ps, const char *opt, uint32_t lo,
		     uint32_t hi, uint32_t *out)
{
	const char *s = ps->tok;
	unsigned base = 10;
	uint64_t v = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (*s == '\0')
		goto bad;
	for (; *s; s++) {
		unsigned d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			goto bad;
		v = v * base + d;
		if (v > UINT32_MAX)
			return perr(ps, ps->tok_line,
				    "%s: %s out of range (%u..%u)", opt,
				    ps->tok, lo, hi);
	}
	if (v < lo || v > hi)
		return perr(ps, ps->tok_line, "%s: %s out of range (%u..%u)",
			    opt, ps->tok, lo, hi);
	*out = (uint32_t)v;
	return 0;
bad:
	return perr(ps, ps->tok_line, "%s: '%s' is not a number", opt,
		    ps->tok);
}

static int parse_yesno(struct parse *ps, const char *opt, bool *out)
{
	if (strcmp(ps->tok, "yes") == 0)
		*out = true;
	else if (strcmp(ps->tok, "no") == 0)
		*out = false;
	else
		return perr(ps, ps->tok_line, "%s: '%s' is not yes or no", opt,
			    ps->tok);
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

static bool is_unicast(uint32_t a)
{
	return a != 0 && a != 0xffffffffu && (a >> 28) != 0xe;
}

static int parse_addr(struct parse *ps, const char *opt, const char *s,
		      uint32_t *out)
{
	if (!addr_from(s, out))
		return perr(ps, ps->tok_line,
			    "%s: '%s' is not an IPv4 address", opt, s);
	if (!is_unicast(*out))
		return perr(ps, ps->tok_line,
			    "%s: %s is not a unicast address", opt, s);
	return 0;
}

static uint32_t mask_of(unsigned plen)
{
	return plen == 0 ? 0 : 0xffffffffu << (32 - plen);
}

static unsigned plen_of(uint32_t mask)
{
	unsigned n = 0;

	while (n < 32 && (mask & (0x80000000u >> n)))
		n++;
	return n;
}

static int parse_prefix(struct parse *ps, const char *opt,
			struct mip4_prefix *out)
{
	char buf[64], *slash;
	uint32_t a, plen = 0;
	const char *q;
	char nb[16];

	if (ps->tok_len >= sizeof buf)
		goto bad;
	memcpy(buf, ps->tok, ps->tok_len + 1);
	slash = strchr(buf, '/');
	if (!slash)
		goto bad;
	*slash = '\0';
	if (!addr_from(buf, &a))
		goto bad;
	q = slash + 1;
	if (*q < '0' || *q > '9' || strlen(q) > 2 || (q[0] == '0' && q[1]))
		goto bad;
	for (; *q; q++) {
		if (*q < '0' || *q > '9')
			goto bad;
		plen = plen * 10 + (uint32_t)(*q - '0');
	}
	if (plen > 32)
		return perr(ps, ps->tok_line,
			    "%s: %s: prefix length out of range (0..32)", opt,
			    ps->tok);
	out->mask = mask_of(plen);
	out->net = a & out->mask;
	if (out->net != a)
		return perr(ps, ps->tok_line,
			    "%s: %s has host bits set (did you mean %s/%u?)",
			    opt, ps->tok, mip4_ntoa(out->net, nb),
			    (unsigned)plen);
	return 0;
bad:
	return perr(ps, ps->tok_line,
		    "%s: '%s' is not a prefix (like 10.0.0.0/24)", opt,
		    ps->tok);
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* "hex:00112233..." or the bytes of the word/string themselves. */
static int parse_key(struct parse *ps, bool quoted, uint8_t *key,
		     size_t *key_len)
{
	size_t n;

	if (!quoted && strcmp(ps->tok, "<redacted>") == 0)
		return perr(ps, ps->tok_line,
			    "key: redacted (put the real key back, or print "
			    "with keys shown)");
	if (!quoted && strncmp(ps->tok, "hex:", 4) == 0) {
		const char *h = ps->tok + 4;
		size_t hl = ps->tok_len - 4;

		if (hl == 0 || hl % 2)
			return perr(ps, ps->tok_line,
				    "key: hex key needs an even, non-zero "
				    "number of digits");
		n = hl / 2;
		if (n > MIP4_KEY_MAX)
			return perr(ps, ps->tok_line,
				    "key: %zu bytes long; at most %d", n,
				    MIP4_KEY_MAX);
		for (size_t i = 0; i < n; i++) {
			int hi = hexval(h[2 * i]), lo = hexval(h[2 * i + 1]);

			if (hi < 0 || lo < 0)
				return perr(ps, ps->tok_line,
					    "key: '%c%c' is not hex",
					    h[2 * i], h[2 * i + 1]);
			key[i] = (uint8_t)(hi << 4 | lo);
		}
		*key_len = n;
		return 0;
	}
	n = ps->tok_len;
	if (n == 0)
		return perr(ps, ps->tok_line, "key: empty");
	if (n > MIP4_KEY_MAX)
		return perr(ps, ps->tok_line, "key: %zu bytes long; at most %d",
			    n, MIP4_KEY_MAX);
	memcpy(key, ps->tok, n);
	*key_len = n;
	return 0;
}

static int parse_path(struct parse *ps, const char *opt, char *out,
		      size_t cap)
{
	if (ps->tok[0] != '/')
		return perr(ps, ps->tok_line, "%s: '%s' is not an absolute path",
			    opt, ps->tok);
	if (ps->tok_len >= cap)
		return perr(ps, ps->tok_line,
			    "%s: path longer than %zu bytes", opt, cap - 1);
	memcpy(out, ps->tok, ps->tok_len + 1);
	return 0;
}

/* ---- growable arrays ---------------------------------------------- */

static int grow(struct parse *ps, void **arr, unsigned **lines, size_t n,
		size_t *cap, size_t elem, const char *what)
{
	size_t ncap;
	void *a;
	unsigned *l;

	if (n < *cap)
		return 0;
	if (n >= MIP4_CONFIG_ENTRIES_MAX)
		return perr(ps, ps->tok_line, "more than %u %s",
			    MIP4_CONFIG_ENTRIES_MAX, what);
	ncap = *cap ? *cap * 2 : 16;
	a = realloc(*arr, ncap * elem);
	if (!a)
		return perr(ps, ps->tok_line, "out of memory");
	*arr = a;
	l = realloc(*lines, ncap * sizeof **lines);
	if (!l)
		return perr(ps, ps->tok_line, "out of memory");
	*lines = l;
	*cap = ncap;
	return 0;
}

/* ---- security association blocks ------------------------------------ */

/* The body of a mobile-node or foreign-agent block, after its '{'.
 * `who` names the block in messages; home_addr is set by `home-address`
 * when allowed (NAI mobile nodes). */
static int parse_sa_block(struct parse *ps, const char *who, unsigned line,
			  struct mip4_sa *sa, uint32_t *home_addr)
{
	bool have_spi = false, have_key = false;
	uint32_t spi = 0, tol = MIP4_CONFIG_DEF_TOLERANCE;
	enum mip4_alg alg = MIP4_ALG_HMAC_MD5;
	enum mip4_replay_method replay = MIP4_REPLAY_TIMESTAMP;
	uint8_t key[MIP4_KEY_MAX];
	size_t key_len = 0;

	for (;;) {
		char opt[32];
		int more = next_option(ps, who, line, opt, sizeof opt);

		if (more < 0)
			return -1;
		if (!more)
			break;
		if (strcmp(opt, "spi") == 0) {
			/* RFC 5944 §1.6: SPIs 0-255 are reserved */
			if (arg(ps, opt) < 0 ||
			    parse_u32(ps, opt, 256, UINT32_MAX, &spi) < 0)
				return -1;
			have_spi = true;
		} else if (strcmp(opt, "key") == 0) {
			if (arg(ps, opt) < 0 ||
			    parse_key(ps, ps->kind == T_STRING, key,
				      &key_len) < 0)
				return -1;
			have_key = true;
		} else if (strcmp(opt, "algorithm") == 0) {
			if (arg(ps, opt) < 0)
				return -1;
			if (mip4_alg_parse(ps->tok, &alg) < 0)
				return perr(ps, ps->tok_line,
					    "algorithm: '%s' is not hmac-md5 "
					    "or keyed-md5",
					    ps->tok);
		} else if (strcmp(opt, "replay") == 0) {
			if (arg(ps, opt) < 0)
				return -1;
			if (strcmp(ps->tok, "timestamp") == 0)
				replay = MIP4_REPLAY_TIMESTAMP;
			else if (strcmp(ps->tok, "nonce") == 0)
				replay = MIP4_REPLAY_NONCE;
			else
				return perr(ps, ps->tok_line,
					    "replay: '%s' is not timestamp or "
					    "nonce",
					    ps->tok);
		} else if (strcmp(opt, "tolerance") == 0) {
			if (arg(ps, opt) < 0 ||
			    parse_u32(ps, opt, 1, 86400, &tol) < 0)
				return -1;
		} else if (home_addr && strcmp(opt, "home-address") == 0) {
			if (arg(ps, opt) < 0 ||
			    parse_addr(ps, opt, ps->tok, home_addr) < 0)
				return -1;
		} else {
			return perr(ps, ps->tok_line, "%s: unknown option '%s'",
				    who, opt);
		}
	}
	if (!have_spi)
		return perr(ps, line, "%s: no spi", who);
	if (!have_key)
		return perr(ps, line, "%s: no key", who);
	(void)mip4_sa_init(sa, spi, key, key_len);
	sa->alg = alg;
	sa->replay = replay;
	sa->tolerance = tol;
	return 0;
}

static int parse_mn(struct parse *ps, struct mip4_config_ha *h)
{
	unsigned line = ps->tok_line;
	struct mip4_ha_mn *mn;
	char who[300];
	uint32_t addr = 0;
	void *arr;
	int rc;
	char nai[MIP4_CONFIG_NAI_MAX + 1] = "";

	if (arg(ps, "mobile-node") < 0)
		return -1;
	if (ps->kind == T_WORD && strcmp(ps->tok, "nai") == 0) {
		if (arg(ps, "mobile-node nai") < 0)
			return -1;
		if (ps->tok_len == 0 || ps->tok_len > MIP4_CONFIG_NAI_MAX)
			return perr(ps, ps->tok_line,
				    "mobile-node nai: must be 1..%d bytes",
				    MIP4_CONFIG_NAI_MAX);
		for (size_t i = 0; i < ps->tok_len; i++) {
			unsigned char u = (unsigned char)ps->tok[i];

			/* RFC 4282 §2.1: no white space or controls */
			if (u <= 0x20 || u >= 0x7f)
				return perr(ps, ps->tok_line,
					    "mobile-node nai: byte 0x%02x not "
					    "allowed in an NAI",
					    u);
		}
		memcpy(nai, ps->tok, ps->tok_len + 1);
		(void)snprintf(who, sizeof who, "mobile-node nai %s", nai);
	} else {
		char nb[16];

		if (parse_addr(ps, "mobile-node", ps->tok, &addr) < 0)
			return -1;
		(void)snprintf(who, sizeof who, "mobile-node %s",
			       mip4_ntoa(addr, nb));
	}
	if (expect_lbrace(ps, who) < 0)
		return -1;
	arr = h->mn;
	rc = grow(ps, &arr, &h->mn_line, h->n_mn, &h->cap_mn, sizeof *h->mn,
		  "mobile nodes");
	h->mn = arr; /* moved even when the line array failed to grow */
	if (rc < 0)
		return -1;
	mn = &h->mn[h->n_mn];
	memset(mn, 0, sizeof *mn);
	if (parse_sa_block(ps, who, line, &mn->sa,
			   nai[0] ? &addr : NULL) < 0)
		return -1;
	mn->home_addr = addr;
	memcpy(mn->nai, nai, sizeof nai);
	h->mn_line[h->n_mn++] = line;
	return 0;
}

static int parse_fa(struct parse *ps, struct mip4_config_ha *h)
{
	unsigned line = ps->tok_line;
	struct mip4_ha_fa *fa;
	char who[64], nb[16];
	uint32_t addr = 0;
	void *arr;
	int rc;

	if (arg(ps, "foreign-agent") < 0 ||
	    parse_addr(ps, "foreign-agent", ps->tok, &addr) < 0)
		return -1;
	(void)snprintf(who, sizeof who, "foreign-agent %s",
		       mip4_ntoa(addr, nb));
	if (expect_lbrace(ps, who) < 0)
		return -1;
	arr = h->fa;
	rc = grow(ps, &arr, &h->fa_line, h->n_fa, &h->cap_fa, sizeof *h->fa,
		  "foreign agents");
	h->fa = arr;
	if (rc < 0)
		return -1;
	fa = &h->fa[h->n_fa];
	memset(fa, 0, sizeof *fa);
	if (parse_sa_block(ps, who, line, &fa->sa, NULL) < 0)
		return -1;
	fa->addr = addr;
	h->fa_line[h->n_fa++] = line;
	return 0;
}

/* ---- indexes and whole-block checks -------------------------------- */

static int ix_cmp(const void *a, const void *b)
{
	const struct mip4_config_ix *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int nai_cmp(const void *a, const void *b)
{
	const struct mip4_ha_mn *const *x = a, *const *y = b;
	int r = strcmp((*x)->nai, (*y)->nai);

	if (r)
		return r;
	return *x < *y ? -1 : *x > *y;
}

/* In a sorted index, the duplicate pair whose later entry comes first in
 * the file; false when keys are unique. */
static bool ix_first_dup(const struct mip4_config_ix *ix, size_t n,
			 size_t *first, size_t *second)
{
	bool found = false;

	for (size_t i = 1; i < n; i++) {
		if (ix[i].key != ix[i - 1].key)
			continue;
		if (!found || ix[i].idx < *second) {
			*first = ix[i - 1].idx;
			*second = ix[i].idx;
			found = true;
		}
	}
	return found;
}

static int build_indexes(struct parse *ps, struct mip4_config_ha *h)
{
	size_t n = 0, a = 0, b = 0;
	struct mip4_config_ix *spis;
	char nb[16];

	h->mn_by_addr = calloc(h->n_mn ? h->n_mn : 1, sizeof *h->mn_by_addr);
	h->mn_by_nai = calloc(h->n_mn ? h->n_mn : 1, sizeof(struct mip4_ha_mn *));
	h->fa_by_addr = calloc(h->n_fa ? h->n_fa : 1, sizeof *h->fa_by_addr);
	if (!h->mn_by_addr || !h->mn_by_nai || !h->fa_by_addr)
		return perr(ps, 0, "out of memory");

	for (size_t i = 0; i < h->n_mn; i++) {
		if (h->mn[i].home_addr) {
			h->mn_by_addr[n].key = h->mn[i].home_addr;
			h->mn_by_addr[n++].idx = (uint32_t)i;
		}
		if (h->mn[i].nai[0])
			h->mn_by_nai[h->n_mn_by_nai++] = &h->mn[i];
	}
	h->n_mn_by_addr = n;
	qsort(h->mn_by_addr, n, sizeof *h->mn_by_addr, ix_cmp);
	if (ix_first_dup(h->mn_by_addr, n, &a, &b))
		return perr(ps, h->mn_line[b],
			    "home address %s already served by the "
			    "mobile-node on line %u",
			    mip4_ntoa(h->mn[b].home_addr, nb), h->mn_line[a]);

	qsort(h->mn_by_nai, h->n_mn_by_nai, sizeof(struct mip4_ha_mn *),
	      nai_cmp);
	{
		bool found = false;

		for (size_t i = 1; i < h->n_mn_by_nai; i++) {
			size_t x = (size_t)(h->mn_by_nai[i - 1] - h->mn),
			       y = (size_t)(h->mn_by_nai[i] - h->mn);

			if (strcmp(h->mn[x].nai, h->mn[y].nai) != 0)
				continue;
			if (!found || y < b) {
				a = x;
				b = y;
				found = true;
			}
		}
		if (found)
			return perr(ps, h->mn_line[b],
				    "mobile-node nai %s already declared on "
				    "line %u",
				    h->mn[b].nai, h->mn_line[a]);
	}

	for (size_t i = 0; i < h->n_fa; i++) {
		h->fa_by_addr[i].key = h->fa[i].addr;
		h->fa_by_addr[i].idx = (uint32_t)i;
	}
	qsort(h->fa_by_addr, h->n_fa, sizeof *h->fa_by_addr, ix_cmp);
	if (ix_first_dup(h->fa_by_addr, h->n_fa, &a, &b))
		return perr(ps, h->fa_line[b],
			    "foreign-agent %s already declared on line %u",
			    mip4_ntoa(h->fa[b].addr, nb), h->fa_line[a]);

	/* SPIs are unique across every SA of this agent (one namespace
	 * makes a key mix-up between two peers impossible to configure).
	 * idx < n_mn: a mobile node; else a foreign agent. */
	spis = calloc(h->n_mn + h->n_fa + 1, sizeof *spis);
	if (!spis)
		return perr(ps, 0, "out of memory");
	for (size_t i = 0; i < h->n_mn; i++) {
		spis[i].key = h->mn[i].sa.spi;
		spis[i].idx = (uint32_t)i;
	}
	for (size_t i = 0; i < h->n_fa; i++) {
		spis[h->n_mn + i].key = h->fa[i].sa.spi;
		spis[h->n_mn + i].idx = (uint32_t)(h->n_mn + i);
	}
	n = h->n_mn + h->n_fa;
	qsort(spis, n, sizeof *spis, ix_cmp);
	{
		/* the duplicate whose later declaration is earliest */
		unsigned best = 0, other = 0;
		uint32_t spi = 0;

		for (size_t i = 1; i < n; i++) {
			unsigned l0, l1;

			if (spis[i].key != spis[i - 1].key)
				continue;
			l0 = spis[i - 1].idx < h->n_mn
				     ? h->mn_line[spis[i - 1].idx]
				     : h->fa_line[spis[i - 1].idx - h->n_mn];
			l1 = spis[i].idx < h->n_mn
				     ? h->mn_line[spis[i].idx]
				     : h->fa_line[spis[i].idx - h->n_mn];
			if (l1 < l0) {
				unsigned tmp = l0;

				l0 = l1;
				l1 = tmp;
			}
			if (!best || l1 < best) {
				best = l1;
				other = l0;
				spi = spis[i].key;
			}
		}
		free(spis);
		if (best)
			return perr(ps, best,
				    "spi 0x%x already used on line %u", spi,
				    other);
	}

	/* RFC 2794 assignment must not hand out a configured address. */
	if (h->cfg.pool_first) {
		for (size_t i = 0; i < h->n_mn_by_addr; i++) {
			const struct mip4_ha_mn *mn =
				&h->mn[h->mn_by_addr[i].idx];

			if (mn->home_addr >= h->cfg.pool_first &&
			    mn->home_addr <= h->cfg.pool_last)
				return perr(ps,
					    h->mn_line[h->mn_by_addr[i].idx],
					    "home address %s lies in the pool",
					    mip4_ntoa(mn->home_addr, nb));
		}
	}
	return 0;
}

/* ---- home-agent block ---------------------------------------------- */

static const char *flavour_str(enum mip4_ha_flavour f)
{
	switch (f) {
	case MIP4_HA_INTERNAL: return "internal";
	case MIP4_HA_EXTERNAL: return "external";
	default: return "plain";
	}
}

static int parse_pool(struct parse *ps, struct mip4_ha_cfg *cfg)
{
	char first[TOK_MAX + 1];
	char *dash;
	unsigned line;

	if (arg(ps, "pool") < 0)
		return -1;
	line = ps->tok_line;
	if (strcmp(ps->tok, "none") == 0) {
		cfg->pool_first = cfg->pool_last = 0;
		return 0;
	}
	memcpy(first, ps->tok, ps->tok_len + 1);
	dash = strchr(first, '-');
	if (dash && dash[1]) { /* "A-B" in one word */
		*dash = '\0';
		if (parse_addr(ps, "pool", first, &cfg->pool_first) < 0 ||
		    parse_addr(ps, "pool", dash + 1, &cfg->pool_last) < 0)
			return -1;
	} else {
		if (dash) /* "A- B" */
			*dash = '\0';
		else if (arg(ps, "pool") < 0)
			return -1;
		else if (strcmp(ps->tok, "-") != 0)
			return perr(ps, ps->tok_line,
				    "pool: expected FIRST - LAST, not '%s'",
				    ps->tok);
		if (parse_addr(ps, "pool", first, &cfg->pool_first) < 0 ||
		    arg(ps, "pool") < 0 ||
		    parse_addr(ps, "pool", ps->tok, &cfg->pool_last) < 0)
			return -1;
	}
	if (cfg->pool_last < cfg->pool_first)
		return perr(ps, line, "pool: last address before the first");
	return 0;
}

static int parse_prefix_list(struct parse *ps, const char *opt,
			     struct mip4_prefix *list, unsigned *n)
{
	if (arg(ps, opt) < 0)
		return -1;
	if (*n >= MIP4_HA_MAX_PREFIX)
		return perr(ps, ps->tok_line, "%s: more than %d prefixes", opt,
			    MIP4_HA_MAX_PREFIX);
	if (parse_prefix(ps, opt, &list[*n]) < 0)
		return -1;
	++*n;
	return 0;
}

static int parse_ifname(struct parse *ps, const char *opt, char *out)
{
	if (ps->tok_len == 0 || ps->tok_len >= MIP4_CONFIG_IFNAME_MAX)
		return perr(ps, ps->tok_line, "%s: name must be 1..%d bytes",
			    opt, MIP4_CONFIG_IFNAME_MAX - 1);
	if (strcmp(ps->tok, ".") == 0 || strcmp(ps->tok, "..") == 0)
		return perr(ps, ps->tok_line, "%s: bad name '%s'", opt,
			    ps->tok);
	for (size_t i = 0; i < ps->tok_len; i++) {
		unsigned char u = (unsigned char)ps->tok[i];

		/* what the kernel's dev_valid_name() refuses */
		if (u <= 0x20 || u >= 0x7f || u == '/' || u == ':')
			return perr(ps, ps->tok_line, "%s: bad name '%s'",
				    opt, ps->tok);
	}
	memcpy(out, ps->tok, ps->tok_len + 1);
	return 0;
}

static int parse_ha(struct parse *ps)
{
	struct mip4_config_ha *h = &ps->c->ha;
	struct mip4_ha_cfg *cfg = &h->cfg;
	unsigned line = ps->tok_line, trusted_line = 0, inside_line = 0;
	unsigned flavour_line = line;
	bool have_addr = false;
	uint32_t v = 0;
	char nb[16];

	if (ps->c->have_ha)
		return perr(ps, line, "home-agent: declared twice");
	ps->c->have_ha = true;
	if (expect_lbrace(ps, "home-agent") < 0)
		return -1;
	for (;;) {
		char opt[32];
		int more = next_option(ps, "home-agent", line, opt, sizeof opt);

		if (more < 0)
			return -1;
		if (!more)
			break;
		if (strcmp(opt, "address") == 0) {
			if (arg(ps, opt) < 0 ||
			    parse_addr(ps, opt, ps->tok, &cfg->addr) < 0)
				return -1;
			have_addr = true;
		} else if (strcmp(opt, "home-network") == 0) {
			if (arg(ps, opt) < 0)
				return -1;
			if (strcmp(ps->tok, "none") == 0)
				cfg->home.net = cfg->home.mask = 0;
			else if (parse_prefix(ps, opt, &cfg->home) < 0)
				return -1;
		} else if (strcmp(opt, "max-lifetime") == 0) {
			if (arg(ps, opt) < 0 ||
			    parse_u32(ps, opt, 1, 65535, &v) < 0)
				return -1;
			cfg->max_lifetime = (uint16_t)v;
		} else if (strcmp(opt, "reverse-tunnel") == 0) {
			if (arg(ps, opt) < 0)
				return -1;
			/* yes | no | required (RFC 3024 §4.3, code 138) */
			cfg->reverse_required = strcmp(ps->tok, "required") == 0;
			if (cfg->reverse_required)
				cfg->reverse_tunnel = true;
			else if (parse_yesno(ps, opt, &cfg->reverse_tunnel) < 0)
				return -1;
		} else if (strcmp(opt, "udp-tunnel") == 0) {
			if (arg(ps, opt) < 0 ||
			    parse_yesno(ps, opt, &cfg->udp_tunnel) < 0)
				return -1;
		} else if (strcmp(opt, "udp-force") == 0) {
			if (arg(ps, opt) < 0 ||
			    parse_yesno(ps, opt, &cfg->udp_force_ok) < 0)
				return -1;
		} else if (strcmp(opt, "keepalive") == 0) {
			if (arg(ps, opt) < 0 ||
			    parse_u32(ps, opt, 1, 65535, &v) < 0)
				return -1;
			cfg->keepalive = (uint16_t)v;
		} else if (strcmp(opt, "flavour") == 0 ||
			   strcmp(opt, "flavor") == 0) {
			if (arg(ps, opt) < 0)
				return -1;
			flavour_line = ps->tok_line;
			if (strcmp(ps->tok, "plain") == 0)
				cfg->flavour = MIP4_HA_PLAIN;
			else if (strcmp(ps->tok, "internal") == 0)
				cfg->flavour = MIP4_HA_INTERNAL;
			else if (strcmp(ps->tok, "external") == 0)
				cfg->flavour = MIP4_HA_EXTERNAL;
			else
				return perr(ps, ps->tok_line,
					    "flavour: '%s' is not plain, "
					    "internal or external",
					    ps->tok);
		} else if (strcmp(opt, "trusted") == 0) {
			if (!trusted_line)
				trusted_line = ps->tok_line;
			if (parse_prefix_list(ps, opt, cfg->trusted,
					      &cfg->n_trusted) < 0)
				return -1;
		} else if (strcmp(opt, "inside") == 0) {
			if (!inside_line)
				inside_line = ps->tok_line;
			if (parse_prefix_list(ps, opt, cfg->inside,
					      &cfg->n_inside) < 0)
				return -1;
		} else if (strcmp(opt, "pool") == 0) {
			if (parse_pool(ps, cfg) < 0)
				return -1;
		} else if (strcmp(opt, "max-simultaneous-bindings") == 0) {
			if (arg(ps, opt) < 0 ||
			    parse_u32(ps, opt, 1, MIP4_HA_MAX_COA, &v) < 0)
				return -1;
			cfg->max_coa = v;
		} else if (strcmp(opt, "tunnel-device") == 0) {
			if (arg(ps, opt) < 0 ||
			    parse_ifname(ps, opt, h->tunnel_dev) < 0)
				return -1;
		} else if (strcmp(opt, "home-interface") == 0) {
			/* physical home link: proxy and gratuitous ARP
			 * (RFC 5944 §4.6); "none" = virtual home network */
			if (arg(ps, opt) < 0)
				return -1;
			if (strcmp(ps->tok, "none") == 0)
				h->home_if[0] = '\0';
			else if (parse_ifname(ps, opt, h->home_if) < 0)
				return -1;
		} else if (strcmp(opt, "mobile-node") == 0) {
			if (parse_mn(ps, h) < 0)
				return -1;
		} else if (strcmp(opt, "foreign-agent") == 0) {
			if (parse_fa(ps, h) < 0)
				return -1;
		} else {
			return perr(ps, ps->tok_line,
				    "home-agent: unknown option '%s'", opt);
		}
	}

	if (!have_addr)
		return perr(ps, line, "home-agent: no address");
	if (cfg->n_trusted && cfg->flavour != MIP4_HA_INTERNAL)
		return perr(ps, trusted_line,
			    "trusted: only for flavour internal (RFC 5265 "
			    "§4.3), this home agent is %s",
			    flavour_str(cfg->flavour));
	if (cfg->flavour == MIP4_HA_INTERNAL && !cfg->n_trusted)
		return perr(ps, flavour_line,
			    "flavour internal: no trusted prefix (every "
			    "request would be dropped)");
	if (cfg->n_inside && cfg->flavour != MIP4_HA_EXTERNAL)
		return perr(ps, inside_line,
			    "inside: only for flavour external (RFC 5265 "
			    "§3.7), this home agent is %s",
			    flavour_str(cfg->flavour));
	if (cfg->pool_first && cfg->home.mask &&
	    ((cfg->pool_first & cfg->home.mask) != cfg->home.net ||
	     (cfg->pool_last & cfg->home.mask) != cfg->home.net)) {
		char nb2[16], nb3[16];

		return perr(ps, line,
			    "pool: %s - %s is not inside home-network %s/%u",
			    mip4_ntoa(cfg->pool_first, nb),
			    mip4_ntoa(cfg->pool_last, nb2),
			    mip4_ntoa(cfg->home.net, nb3),
			    plen_of(cfg->home.mask));
	}
	if (cfg->pool_first && cfg->addr >= cfg->pool_first &&
	    cfg->addr <= cfg->pool_last)
		return perr(ps, line,
			    "pool: holds the home agent's own address %s",
			    mip4_ntoa(cfg->addr, nb));
	for (size_t i = 0; i < h->n_mn; i++)
		if (h->mn[i].home_addr == cfg->addr)
			return perr(ps, h->mn_line[i],
				    "mobile-node: %s is the home agent's own "
				    "address",
				    mip4_ntoa(cfg->addr, nb));
	return build_indexes(ps, h);
}

/* ---- top level ----------------------------------------------------- */

/* mobile-node { ... }: one mobile node this box is (RFC 5944 §3.6). */
static int parse_vpn(struct parse *ps, unsigned line);

/*
 * The options of one Mobile IP layer: the mobile-node block itself, or
 * (outer) the external-home-agent block of its vpn block, which takes
 * the node's interfaces and has no vpn block of its own.
 */
static int parse_mn_layer(struct parse *ps, struct mip4_config_mnrole *r,
			  const char *who, unsigned line, bool outer)
{
	bool have_sa = false, have_ha = false, have_home = false;
	uint32_t v = 0;

	if (expect_lbrace(ps, who) < 0)
		return -1;
	for (;;) {
		char opt[32];
		int more = next_option(ps, who, line, opt, sizeof opt);

		if (more < 0)
			return -1;
		if (!more)
			break;
		if (strcmp(opt, "home-address") == 0) {
			if (arg(ps, opt) < 0)
				return -1;
			if (strcmp(ps->tok, "0.0.0.0") == 0)
				r->cfg.home_addr = 0; /* assigned (RFC 2794) */
			else if (parse_addr(ps, opt, ps->tok, &r->cfg.home_addr) < 0)
				return -1;
			have_home = true;
		} else if (strcmp(opt, "nai") == 0) {
			if (arg(ps, opt) < 0)
				return -1;
			if (ps->tok_len == 0 || ps->tok_len > MIP4_CONFIG_NAI_MAX)
				return perr(ps, ps->tok_line,
					    "nai: must be 1..%d bytes",
					    MIP4_CONFIG_NAI_MAX);
			memcpy(r->cfg.nai, ps->tok, ps->tok_len + 1);
		} else if (strcmp(opt, "home-agent") == 0) {
			if (arg(ps, opt) < 0 ||
			    parse_addr(ps, opt, ps->tok, &r->cfg.ha_addr) < 0)
				return -1;
			have_ha = true;
		} else if (strcmp(opt, "home-network") == 0) {
			if (arg(ps, opt) < 0 || parse_prefix(ps, opt, &r->home_net) < 0)
				return -1;
		} else if (strcmp(opt, "lifetime") == 0) {
			if (arg(ps, opt) < 0 || parse_u32(ps, opt, 1, 65535, &v) < 0)
				return -1;
			r->cfg.lifetime = (uint16_t)v;
		} else if (strcmp(opt, "reverse-tunnel") == 0) {
			if (arg(ps, opt) < 0 ||
			    parse_yesno(ps, opt, &r->cfg.reverse_tunnel) < 0)
				return -1;
		} else if (strcmp(opt, "udp-tunnel") == 0) {
			if (arg(ps, opt) < 0)
				return -1;
			if (strcmp(ps->tok, "auto") == 0)
				r->cfg.udp = MIP4_MN_UDP_AUTO;
			else if (strcmp(ps->tok, "force") == 0)
				r->cfg.udp = MIP4_MN_UDP_FORCE;
			else if (strcmp(ps->tok, "off") == 0)
				r->cfg.udp = MIP4_MN_UDP_OFF;
			else
				return perr(ps, ps->tok_line,
					    "udp-tunnel: want auto, force or "
					    "off, not '%s'",
					    ps->tok);
		} else if (strcmp(opt, "interface") == 0 && !outer) {
			if (r->n_if == MIP4_CONFIG_MN_IFACES)
				return perr(ps, ps->tok_line,
					    "interface: more than %d",
					    MIP4_CONFIG_MN_IFACES);
			if (arg(ps, opt) < 0 ||
			    parse_ifname(ps, opt, r->ifname[r->n_if]) < 0)
				return -1;
			r->n_if++;
		} else if (strcmp(opt, "tunnel-device") == 0) {
			if (arg(ps, opt) < 0 ||
			    parse_ifname(ps, opt, r->tunnel_dev) < 0)
				return -1;
		} else if (strcmp(opt, "prefer-fa") == 0) {
			if (arg(ps, opt) < 0 ||
			    parse_yesno(ps, opt, &r->prefer_fa) < 0)
				return -1;
		} else if (strcmp(opt, "route") == 0) {
			if (arg(ps, opt) < 0)
				return -1;
			if (strcmp(ps->tok, "all") == 0) {
				r->route_all = true;
			} else {
				if (r->n_routes == MIP4_CONFIG_MN_ROUTES)
					return perr(ps, ps->tok_line,
						    "route: more than %d "
						    "prefixes",
						    MIP4_CONFIG_MN_ROUTES);
				if (parse_prefix(ps, opt, &r->routes[r->n_routes]) < 0)
					return -1;
				r->n_routes++;
			}
		} else if (strcmp(opt, "security") == 0) {
			unsigned sline = ps->tok_line;

			if (expect_lbrace(ps, "security") < 0 ||
			    parse_sa_block(ps, "security", sline, &r->cfg.sa,
					   NULL) < 0)
				return -1;
			have_sa = true;
		} else if (strcmp(opt, "vpn") == 0 && !outer) {
			if (parse_vpn(ps, ps->tok_line) < 0)
				return -1;
		} else {
			return perr(ps, ps->tok_line, "%s: unknown option '%s'",
				    who, opt);
		}
	}
	if (!have_ha)
		return perr(ps, line, "%s: no home-agent", who);
	if (!have_sa)
		return perr(ps, line, "%s: no security { spi ... key ... }", who);
	if (!have_home && !r->cfg.nai[0])
		return perr(ps, line, "%s: no home-address (or nai)", who);
	if (!r->cfg.home_addr && !r->cfg.nai[0])
		return perr(ps, line,
			    "%s: home-address 0.0.0.0 needs an nai (RFC 2794)",
			    who);
	if (r->n_if == 0 && !outer)
		return perr(ps, line, "%s: no interface", who);
	if (r->route_all && r->n_routes)
		return perr(ps, line,
			    "%s: route all and route PREFIX exclude each other",
			    who);
	if (!r->route_all && !r->n_routes)
		r->route_all = true;
	return 0;
}

static int parse_mnrole(struct parse *ps)
{
	unsigned line = ps->tok_line;
	struct mip4_config_vpn *vpn = &ps->c->vpn;
	struct mip4_config_mnrole *r = &ps->c->mn;

	if (ps->c->have_mn)
		return perr(ps, line, "mobile-node: only one such block");
	ps->c->have_mn = true;
	if (parse_mn_layer(ps, r, "mobile-node", line, false) < 0)
		return -1;
	if (!ps->c->have_vpn)
		return 0;
	/* The outer layer moves with the node: same interfaces. */
	vpn->outer.n_if = r->n_if;
	memcpy(vpn->outer.ifname, r->ifname, sizeof r->ifname);
	vpn->outer.prefer_fa = vpn->outer.prefer_fa || r->prefer_fa;
	if (vpn->det.mode == MIP4_VMN_CVC && !vpn->have_outer)
		return perr(ps, line,
			    "mobile-node: vpn mode cvc needs an "
			    "external-home-agent { } block (RFC 5265 §2.3)");
	if (vpn->have_outer &&
	    (vpn->outer.cfg.ha_addr == r->cfg.ha_addr ||
	     strcmp(vpn->outer.tunnel_dev, r->tunnel_dev) == 0 ||
	     vpn->outer.cfg.home_addr == r->cfg.home_addr))
		return perr(ps, line,
			    "mobile-node: the external home agent, its home "
			    "address and tunnel device must differ from the "
			    "inner ones (RFC 5265 §3.5)");
	if (!r->cfg.home_addr)
		return perr(ps, line,
			    "mobile-node: with a vpn block the home address "
			    "must be configured, not assigned");
	return 0;
}

static int parse_name(struct parse *ps, const char *opt, char *out,
		      size_t cap)
{
	if (arg(ps, opt) < 0)
		return -1;
	if (ps->tok_len == 0 || ps->tok_len >= cap)
		return perr(ps, ps->tok_line, "%s: must be 1..%zu bytes", opt,
			    cap - 1);
	memcpy(out, ps->tok, ps->tok_len + 1);
	return 0;
}

/* vpn { ... } inside mobile-node (RFC 5265; mc and naive: baselines). */
static int parse_vpn(struct parse *ps, unsigned line)
{
	struct mip4_config_vpn *vpn = &ps->c->vpn;
	bool have_gw = false;
	uint32_t v = 0;

	if (ps->c->have_vpn)
		return perr(ps, line, "vpn: only one such block");
	ps->c->have_vpn = true;
	if (expect_lbrace(ps, "vpn") < 0)
		return -1;
	for (;;) {
		char opt[32];
		int more = next_option(ps, "vpn", line, opt, sizeof opt);

		if (more < 0)
			return -1;
		if (!more)
			break;
		if (strcmp(opt, "mode") == 0) {
			if (arg(ps, opt) < 0)
				return -1;
			if (strcmp(ps->tok, "cvc") == 0)
				vpn->det.mode = MIP4_VMN_CVC;
			else if (strcmp(ps->tok, "mc") == 0)
				vpn->det.mode = MIP4_VMN_MC;
			else if (strcmp(ps->tok, "naive") == 0)
				vpn->det.mode = MIP4_VMN_NAIVE;
			else
				return perr(ps, ps->tok_line,
					    "mode: want cvc, mc or naive, not "
					    "'%s'",
					    ps->tok);
		} else if (strcmp(opt, "gateway") == 0) {
			if (arg(ps, opt) < 0 ||
			    parse_addr(ps, opt, ps->tok, &vpn->gateway) < 0)
				return -1;
			have_gw = true;
		} else if (strcmp(opt, "swanctl") == 0) {
			if (arg(ps, opt) < 0 ||
			    parse_path(ps, opt, vpn->swanctl, sizeof vpn->swanctl) < 0)
				return -1;
		} else if (strcmp(opt, "strongswan-conf") == 0) {
			if (arg(ps, opt) < 0 ||
			    parse_path(ps, opt, vpn->strongswan_conf,
				       sizeof vpn->strongswan_conf) < 0)
				return -1;
		} else if (strcmp(opt, "vici") == 0) {
			if (arg(ps, opt) < 0 ||
			    parse_path(ps, opt, vpn->vici, sizeof vpn->vici) < 0)
				return -1;
		} else if (strcmp(opt, "ike") == 0) {
			if (parse_name(ps, opt, vpn->ike, sizeof vpn->ike) < 0)
				return -1;
		} else if (strcmp(opt, "child") == 0) {
			if (parse_name(ps, opt, vpn->child, sizeof vpn->child) < 0)
				return -1;
		} else if (strcmp(opt, "routing-table") == 0) {
			if (arg(ps, opt) < 0 ||
			    parse_u32(ps, opt, 1, 0xfffffffeu, &vpn->table) < 0)
				return -1;
		} else if (strcmp(opt, "swanctl-timeout") == 0) {
			if (arg(ps, opt) < 0 || parse_u32(ps, opt, 2, 600, &v) < 0)
				return -1;
			vpn->swanctl_timeout_ms = v * 1000;
		} else if (strcmp(opt, "t-monitor") == 0) {
			if (arg(ps, opt) < 0 || parse_u32(ps, opt, 5, 86400, &v) < 0)
				return -1;
			vpn->det.t_monitor_ms = v * 1000;
		} else if (strcmp(opt, "detect-period") == 0) {
			if (arg(ps, opt) < 0 || parse_u32(ps, opt, 0, 60000, &v) < 0)
				return -1;
			vpn->det.detect_ms = v;
		} else if (strcmp(opt, "detect-timeout") == 0) {
			if (arg(ps, opt) < 0 || parse_u32(ps, opt, 1, 60000, &v) < 0)
				return -1;
			vpn->det.nox_detect_ms = v;
		} else if (strcmp(opt, "probe-period") == 0) {
			if (arg(ps, opt) < 0 || parse_u32(ps, opt, 0, 600, &v) < 0)
				return -1;
			vpn->det.probe_ms = v * 1000;
		} else if (strcmp(opt, "external-home-agent") == 0) {
			if (vpn->have_outer)
				return perr(ps, ps->tok_line,
					    "vpn: only one external-home-agent");
			vpn->have_outer = true;
			if (parse_mn_layer(ps, &vpn->outer, "external-home-agent",
					   ps->tok_line, true) < 0)
				return -1;
		} else {
			return perr(ps, ps->tok_line, "vpn: unknown option '%s'",
				    opt);
		}
	}
	if (!have_gw)
		return perr(ps, line, "vpn: no gateway (the VPN gateway's address)");
	if (!vpn->ike[0] || !vpn->child[0])
		return perr(ps, line,
			    "vpn: ike NAME and child NAME (swanctl.conf's "
			    "connection and CHILD_SA) are required");
	return 0;
}

/* home-agent A { SA } or mobile-node A { SA } inside foreign-agent. */
static int parse_fa_sa(struct parse *ps, const char *kind,
		       struct mip4_config_fa_sa **list, unsigned **lines,
		       size_t *n, size_t *cap)
{
	unsigned line = ps->tok_line;
	char who[64], nb[16];
	uint32_t addr = 0;
	void *arr;
	int rc;

	if (arg(ps, kind) < 0 || parse_addr(ps, kind, ps->tok, &addr) < 0)
		return -1;
	(void)snprintf(who, sizeof who, "%s %s", kind, mip4_ntoa(addr, nb));
	for (size_t i = 0; i < *n; i++)
		if ((*list)[i].addr == addr)
			return perr(ps, line, "%s already declared on line %u",
				    who, (*lines)[i]);
	if (expect_lbrace(ps, who) < 0)
		return -1;
	arr = *list;
	rc = grow(ps, &arr, lines, *n, cap, sizeof **list, "associations");
	*list = arr;
	if (rc < 0)
		return -1;
	memset(&(*list)[*n], 0, sizeof **list);
	if (parse_sa_block(ps, who, line, &(*list)[*n].sa, NULL) < 0)
		return -1;
	(*list)[*n].addr = addr;
	(*lines)[(*n)++] = line;
	return 0;
}

/* foreign-agent { ... }: one foreign agent on one link (RFC 5944 §3.7). */
static int parse_farole(struct parse *ps)
{
	struct mip4_config_farole *r = &ps->c->fa;
	struct mip4_fa_cfg *cfg = &r->cfg;
	unsigned line = ps->tok_line;
	bool have_life = false;
	uint32_t v = 0;
	char nb[16];

	if (ps->c->have_fa)
		return perr(ps, line, "foreign-agent: only one such block");
	ps->c->have_fa = true;
	if (expect_lbrace(ps, "foreign-agent") < 0)
		return -1;
	for (;;) {
		char opt[32];
		int more = next_option(ps, "foreign-agent", line, opt, sizeof opt);

		if (more < 0)
			return -1;
		if (!more)
			break;
		if (strcmp(opt, "interface") == 0) {
			if (arg(ps, opt) < 0 ||
			    parse_ifname(ps, opt, r->ifname) < 0)
				return -1;
		} else if (strcmp(opt, "address") == 0) {
			if (arg(ps, opt) < 0)
				return -1;
			if (strcmp(ps->tok, "auto") == 0)
				cfg->addr = 0;
			else if (parse_addr(ps, opt, ps->tok, &cfg->addr) < 0)
				return -1;
		} else if (strcmp(opt, "care-of-address") == 0) {
			uint32_t a = 0;

			if (arg(ps, opt) < 0 || parse_addr(ps, opt, ps->tok, &a) < 0)
				return -1;
			for (unsigned i = 0; i < cfg->n_coa; i++)
				if (cfg->coa[i] == a)
					return perr(ps, ps->tok_line,
						    "care-of-address: %s given "
						    "twice",
						    ps->tok);
			if (cfg->n_coa == MIP4_FA_MAX_COA)
				return perr(ps, ps->tok_line,
					    "care-of-address: more than %d",
					    MIP4_FA_MAX_COA);
			cfg->coa[cfg->n_coa++] = a;
		} else if (strcmp(opt, "advertise-interval") == 0) {
			if (arg(ps, opt) < 0 ||
			    parse_u32(ps, opt, 0, 1800, &v) < 0)
				return -1;
			cfg->adv_interval_s = (uint16_t)v;
		} else if (strcmp(opt, "advertise-lifetime") == 0) {
			if (arg(ps, opt) < 0 ||
			    parse_u32(ps, opt, 1, 65535, &v) < 0)
				return -1;
			cfg->adv_lifetime_s = (uint16_t)v;
			have_life = true;
		} else if (strcmp(opt, "max-lifetime") == 0) {
			if (arg(ps, opt) < 0 ||
			    parse_u32(ps, opt, 1, 65535, &v) < 0)
				return -1;
			cfg->max_lifetime = (uint16_t)v;
		} else if (strcmp(opt, "reverse-tunnel") == 0) {
			if (arg(ps, opt) < 0)
				return -1;
			cfg->reverse_tunnel_required =
				strcmp(ps->tok, "required") == 0;
			if (cfg->reverse_tunnel_required ||
			    strcmp(ps->tok, "yes") == 0)
				cfg->reverse_tunnel = true;
			else if (strcmp(ps->tok, "no") == 0)
				cfg->reverse_tunnel = false;
			else
				return perr(ps, ps->tok_line,
					    "reverse-tunnel: '%s' is not yes, "
					    "no or required",
					    ps->tok);
		} else if (strcmp(opt, "encapsulating-delivery") == 0) {
			if (arg(ps, opt) < 0 ||
			    parse_yesno(ps, opt, &cfg->encap_delivery) < 0)
				return -1;
		} else if (strcmp(opt, "prefix-lengths") == 0) {
			if (arg(ps, opt) < 0 ||
			    parse_yesno(ps, opt, &cfg->adv_prefix_lengths) < 0)
				return -1;
		} else if (strcmp(opt, "busy") == 0) {
			if (arg(ps, opt) < 0 || parse_yesno(ps, opt, &cfg->busy) < 0)
				return -1;
		} else if (strcmp(opt, "serve") == 0) {
			if (arg(ps, opt) < 0)
				return -1;
			if (cfg->n_allowed == MIP4_FA_MAX_PREFIX)
				return perr(ps, ps->tok_line,
					    "serve: more than %d prefixes",
					    MIP4_FA_MAX_PREFIX);
			if (parse_prefix(ps, opt, &cfg->allowed[cfg->n_allowed]) < 0)
				return -1;
			cfg->n_allowed++;
		} else if (strcmp(opt, "max-visitors") == 0) {
			if (arg(ps, opt) < 0 ||
			    parse_u32(ps, opt, 1, 1u << 20, &v) < 0)
				return -1;
			cfg->max_visitors = v;
		} else if (strcmp(opt, "route-table") == 0) {
			if (arg(ps, opt) < 0 ||
			    parse_u32(ps, opt, 1, 0xfffffeffu, &r->table) < 0)
				return -1;
			if (r->table == 253 || r->table == 254 || r->table == 255)
				return perr(ps, ps->tok_line,
					    "route-table: %u is a kernel table",
					    r->table);
		} else if (strcmp(opt, "tunnel-device") == 0) {
			if (arg(ps, opt) < 0 ||
			    parse_ifname(ps, opt, r->tunnel_dev) < 0)
				return -1;
		} else if (strcmp(opt, "home-agent") == 0) {
			if (parse_fa_sa(ps, opt, &r->ha, &r->ha_line, &r->n_ha,
					&r->cap_ha) < 0)
				return -1;
		} else if (strcmp(opt, "mobile-node") == 0) {
			if (parse_fa_sa(ps, opt, &r->mn, &r->mn_line, &r->n_mn,
					&r->cap_mn) < 0)
				return -1;
		} else {
			return perr(ps, ps->tok_line,
				    "foreign-agent: unknown option '%s'", opt);
		}
	}
	if (!r->ifname[0])
		return perr(ps, line, "foreign-agent: no interface");
	if (!cfg->n_coa)
		return perr(ps, line, "foreign-agent: no care-of-address");
	if (!have_life)
		cfg->adv_lifetime_s =
			cfg->adv_interval_s ? (uint16_t)(cfg->adv_interval_s * 3)
					    : 1800;
	if (cfg->adv_interval_s && cfg->adv_lifetime_s < cfg->adv_interval_s)
		return perr(ps, line,
			    "foreign-agent: advertise-lifetime %u is shorter "
			    "than advertise-interval %u",
			    (unsigned)cfg->adv_lifetime_s,
			    (unsigned)cfg->adv_interval_s);
	for (size_t i = 0; i < r->n_ha; i++)
		for (unsigned k = 0; k < cfg->n_coa; k++)
			if (r->ha[i].addr == cfg->coa[k] ||
			    r->ha[i].addr == cfg->addr)
				return perr(ps, r->ha_line[i],
					    "home-agent: %s is the foreign "
					    "agent's own address",
					    mip4_ntoa(r->ha[i].addr, nb));
	return 0;
}

static void config_defaults(struct mip4_config *c)
{
	memset(c, 0, sizeof *c);
	memcpy(c->control_socket, MIP4_CONFIG_DEF_SOCKET,
	       sizeof MIP4_CONFIG_DEF_SOCKET);
	memcpy(c->state_db, MIP4_CONFIG_DEF_STATE_DB,
	       sizeof MIP4_CONFIG_DEF_STATE_DB);
	c->ha.cfg.max_lifetime = MIP4_CONFIG_DEF_LIFETIME;
	c->ha.cfg.reverse_tunnel = true;
	c->ha.cfg.udp_tunnel = true;
	c->ha.cfg.udp_force_ok = false;
	c->ha.cfg.keepalive = MIP4_CONFIG_DEF_KEEPALIVE;
	c->ha.cfg.flavour = MIP4_HA_PLAIN;
	memcpy(c->ha.tunnel_dev, MIP4_CONFIG_DEF_TUNDEV,
	       sizeof MIP4_CONFIG_DEF_TUNDEV);
	mip4_mn_cfg_defaults(&c->mn.cfg);
	mip4_vmn_cfg_defaults(&c->vpn.det);
	memcpy(c->vpn.swanctl, MIP4_CONFIG_DEF_SWANCTL,
	       sizeof MIP4_CONFIG_DEF_SWANCTL);
	c->vpn.table = MIP4_CONFIG_DEF_VPN_TABLE;
	c->vpn.swanctl_timeout_ms = MIP4_CONFIG_DEF_SWANCTL_TIMEOUT * 1000;
	mip4_mn_cfg_defaults(&c->vpn.outer.cfg);
	memcpy(c->vpn.outer.tunnel_dev, MIP4_CONFIG_DEF_X_TUNDEV,
	       sizeof MIP4_CONFIG_DEF_X_TUNDEV);
	memcpy(c->mn.tunnel_dev, MIP4_CONFIG_DEF_MN_TUNDEV,
	       sizeof MIP4_CONFIG_DEF_MN_TUNDEV);
	c->fa.cfg.adv_interval_s = MIP4_CONFIG_DEF_FA_ADV_INTERVAL;
	c->fa.cfg.max_lifetime = MIP4_CONFIG_DEF_LIFETIME;
	c->fa.cfg.reverse_tunnel = true;
	c->fa.cfg.encap_delivery = true;
	c->fa.table = MIP4_CONFIG_DEF_FA_TABLE;
	memcpy(c->fa.tunnel_dev, MIP4_CONFIG_DEF_FA_TUNDEV,
	       sizeof MIP4_CONFIG_DEF_FA_TUNDEV);
}

static int parse_top(struct parse *ps)
{
	for (;;) {
		enum tok t = lex_next(ps);

		if (t == T_ERR)
			return -1;
		if (t == T_EOF)
			break;
		if (t != T_WORD)
			return perr(ps, ps->tok_line, "unexpected %s",
				    tok_desc(ps));
		if (strcmp(ps->tok, "control-socket") == 0) {
			if (arg(ps, "control-socket") < 0 ||
			    parse_path(ps, "control-socket",
				       ps->c->control_socket,
				       sizeof ps->c->control_socket) < 0)
				return -1;
		} else if (strcmp(ps->tok, "state-db") == 0) {
			if (arg(ps, "state-db") < 0 ||
			    parse_path(ps, "state-db", ps->c->state_db,
				       sizeof ps->c->state_db) < 0)
				return -1;
		} else if (strcmp(ps->tok, "state-sync") == 0) {
			/* normal: survives kill -9; full: also power loss */
			if (arg(ps, "state-sync") < 0)
				return -1;
			if (strcmp(ps->tok, "full") == 0)
				ps->c->state_sync_full = true;
			else if (strcmp(ps->tok, "normal") == 0)
				ps->c->state_sync_full = false;
			else
				return perr(ps, ps->tok_line,
					    "state-sync: want normal or full, "
					    "not '%s'",
					    ps->tok);
		} else if (strcmp(ps->tok, "home-agent") == 0) {
			if (parse_ha(ps) < 0)
				return -1;
		} else if (strcmp(ps->tok, "mobile-node") == 0) {
			if (parse_mnrole(ps) < 0)
				return -1;
		} else if (strcmp(ps->tok, "foreign-agent") == 0) {
			if (parse_farole(ps) < 0)
				return -1;
		} else {
			return perr(ps, ps->tok_line, "unknown keyword '%s'",
				    ps->tok);
		}
	}
	if (!ps->c->have_ha && !ps->c->have_mn && !ps->c->have_fa)
		return perr(ps, 0, "no role configured (home-agent { ... }, "
				   "foreign-agent { ... } or mobile-node "
				   "{ ... })");
	return 0;
}

int mip4_config_parse_buf(const char *name, const char *text, size_t len,
			  struct mip4_config *out, char *err, size_t errlen)
{
	struct parse *ps;
	int rc;

	config_defaults(out);
	if (errlen)
		err[0] = '\0';
	ps = calloc(1, sizeof *ps);
	if (!ps) {
		if (errlen)
			(void)snprintf(err, errlen, "%s: out of memory", name);
		return -1;
	}
	if (!text) /* no arithmetic on a null pointer, even + 0 */
		len = 0;
	ps->name = name;
	ps->p = text ? text : "";
	ps->end = ps->p + len;
	ps->line = 1;
	ps->err = err;
	ps->errlen = errlen;
	ps->c = out;
	rc = parse_top(ps);
	free(ps);
	if (rc < 0) {
		mip4_config_free(out);
		return -1;
	}
	return 0;
}

static bool config_has_keys(const struct mip4_config *c)
{
	return (c->have_ha && (c->ha.n_mn || c->ha.n_fa)) || c->have_mn ||
	       (c->have_fa && (c->fa.n_mn || c->fa.n_ha));
}

int mip4_config_parse_file(const char *path, struct mip4_config *out,
			   char *err, size_t errlen)
{
	struct stat st;
	size_t len = 0, cap = 0;
	char *buf = NULL;
	int fd, rc;

	config_defaults(out);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		(void)snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		(void)snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		(void)snprintf(err, errlen, "%s: not a regular file", path);
		goto fail;
	}
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *nb;

			if (cap >= MIP4_CONFIG_FILE_MAX) {
				(void)snprintf(err, errlen,
					       "%s: larger than %u bytes", path,
					       MIP4_CONFIG_FILE_MAX);
				goto fail;
			}
			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap);
			if (!nb) {
				(void)snprintf(err, errlen, "%s: out of memory",
					       path);
				goto fail;
			}
			buf = nb;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			(void)snprintf(err, errlen, "%s: %s", path,
				       strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	(void)close(fd);
	rc = mip4_config_parse_buf(path, buf ? buf : "", len, out, err, errlen);
	free(buf);
	if (rc < 0)
		return -1;
	if (config_has_keys(out) && (st.st_mode & 077)) {
		(void)snprintf(err, errlen,
			       "%s: keys in a file others can read (mode "
			       "%04o); chmod 600 it",
			       path, (unsigned)(st.st_mode & 07777));
		mip4_config_free(out);
		return -1;
	}
	return 0;
fail:
	free(buf);
	if (fd >= 0)
		(void)close(fd);
	return -1;
}

void mip4_config_free(struct mip4_config *c)
{
	if (!c)
		return;
	/* keys do not outlive the config in freed memory */
	if (c->ha.mn)
		explicit_bzero(c->ha.mn, c->ha.cap_mn * sizeof *c->ha.mn);
	if (c->ha.fa)
		explicit_bzero(c->ha.fa, c->ha.cap_fa * sizeof *c->ha.fa);
	free(c->ha.mn);
	free(c->ha.mn_line);
	free(c->ha.fa);
	free(c->ha.fa_line);
	free(c->ha.mn_by_addr);
	free(c->ha.mn_by_nai);
	free(c->ha.fa_by_addr);
	if (c->fa.mn)
		explicit_bzero(c->fa.mn, c->fa.cap_mn * sizeof *c->fa.mn);
	if (c->fa.ha)
		explicit_bzero(c->fa.ha, c->fa.cap_ha * sizeof *c->fa.ha);
	free(c->fa.mn);
	free(c->fa.mn_line);
	free(c->fa.ha);
	free(c->fa.ha_line);
	explicit_bzero(&c->ha, sizeof c->ha);
	explicit_bzero(&c->mn, sizeof c->mn);
	explicit_bzero(&c->fa, sizeof c->fa);
	c->have_ha = false;
	c->have_mn = false;
	c->have_fa = false;
}

/* ---- lookups ------------------------------------------------------- */

static const struct mip4_config_ix *ix_find(const struct mip4_config_ix *ix,
					    size_t n, uint32_t key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ix[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && ix[lo].key == key ? &ix[lo] : NULL;
}

struct mip4_ha_mn *mip4_config_find_mn(const struct mip4_config *c,
				       uint32_t home_addr, const char *nai,
				       size_t nai_len)
{
	const struct mip4_config_ha *h = &c->ha;

	if (!c->have_ha)
		return NULL;
	if (nai_len) {
		size_t lo = 0, hi = h->n_mn_by_nai;

		if (nai_len > MIP4_CONFIG_NAI_MAX)
			return NULL;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			const char *s = h->mn_by_nai[mid]->nai;
			size_t sl = strlen(s);
			int r = memcmp(s, nai, sl < nai_len ? sl : nai_len);

			if (r == 0)
				r = sl < nai_len ? -1 : sl > nai_len;
			if (r == 0)
				return h->mn_by_nai[mid];
			if (r < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		return NULL;
	}
	if (home_addr == 0)
		return NULL;
	{
		const struct mip4_config_ix *e =
			ix_find(h->mn_by_addr, h->n_mn_by_addr, home_addr);

		return e ? &h->mn[e->idx] : NULL;
	}
}

const struct mip4_ha_fa *mip4_config_find_fa(const struct mip4_config *c,
					      uint32_t addr)
{
	const struct mip4_config_ix *e;

	if (!c->have_ha)
		return NULL;
	e = ix_find(c->ha.fa_by_addr, c->ha.n_fa, addr);
	return e ? &c->ha.fa[e->idx] : NULL;
}

/* Linear: a foreign agent shares SAs with few peers (most MNs use none). */
static const struct mip4_sa *fa_sa_find(const struct mip4_config_fa_sa *l,
					size_t n, uint32_t addr)
{
	for (size_t i = 0; i < n; i++)
		if (l[i].addr == addr)
			return &l[i].sa;
	return NULL;
}

const struct mip4_sa *mip4_config_fa_mn_sa(const struct mip4_config *c,
					   uint32_t home_addr)
{
	return c->have_fa ? fa_sa_find(c->fa.mn, c->fa.n_mn, home_addr) : NULL;
}

const struct mip4_sa *mip4_config_fa_ha_sa(const struct mip4_config *c,
					   uint32_t ha_addr)
{
	return c->have_fa ? fa_sa_find(c->fa.ha, c->fa.n_ha, ha_addr) : NULL;
}

/* ---- printing ------------------------------------------------------ */

static void print_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void print_prefix(FILE *f, const char *opt,
			 const struct mip4_prefix *p)
{
	char nb[16];

	fprintf(f, "\t%s %s/%u\n", opt, mip4_ntoa(p->net, nb),
		plen_of(p->mask));
}

static void print_sa(FILE *f, const struct mip4_sa *sa, unsigned flags)
{
	fprintf(f, " spi 0x%x key ", sa->spi);
	if (flags & MIP4_CONFIG_PRINT_KEYS) {
		fputs("hex:", f);
		for (size_t i = 0; i < sa->key_len; i++)
			fprintf(f, "%02x", sa->key[i]);
	} else {
		fputs("<redacted>", f);
	}
	fprintf(f, " algorithm %s replay %s tolerance %u }\n",
		mip4_alg_str(sa->alg),
		sa->replay == MIP4_REPLAY_NONCE ? "nonce" : "timestamp",
		(unsigned)sa->tolerance);
}

static void print_ha(const struct mip4_config *c, FILE *f, unsigned flags);
static void print_mnrole(const struct mip4_config *c, FILE *f,
			 unsigned flags);
static void print_farole(const struct mip4_config_farole *r, FILE *f,
			 unsigned flags);

void mip4_config_print_flags(const struct mip4_config *c, FILE *f,
			     unsigned flags)
{
	fputs("# mip4d configuration, every default explicit\n", f);
	fputs("control-socket ", f);
	print_str(f, c->control_socket);
	fputs("\nstate-db ", f);
	print_str(f, c->state_db);
	fprintf(f, "\nstate-sync %s\n", c->state_sync_full ? "full" : "normal");
	if (c->have_ha)
		print_ha(c, f, flags);
	if (c->have_fa)
		print_farole(&c->fa, f, flags);
	if (c->have_mn)
		print_mnrole(c, f, flags);
}

static void print_ha(const struct mip4_config *c, FILE *f, unsigned flags)
{
	const struct mip4_config_ha *h = &c->ha;
	const struct mip4_ha_cfg *cfg = &h->cfg;
	char nb[16];

	fputs("\nhome-agent {\n", f);
	fprintf(f, "\taddress %s\n", mip4_ntoa(cfg->addr, nb));
	if (cfg->home.mask)
		print_prefix(f, "home-network", &cfg->home);
	else
		fputs("\thome-network none\n", f);
	fprintf(f, "\tmax-lifetime %u\n", (unsigned)cfg->max_lifetime);
	fprintf(f, "\treverse-tunnel %s\n",
		cfg->reverse_required ? "required"
				      : cfg->reverse_tunnel ? "yes" : "no");
	fprintf(f, "\tudp-tunnel %s\n", cfg->udp_tunnel ? "yes" : "no");
	fprintf(f, "\tudp-force %s\n", cfg->udp_force_ok ? "yes" : "no");
	fprintf(f, "\tkeepalive %u\n", (unsigned)cfg->keepalive);
	fprintf(f, "\tmax-simultaneous-bindings %u\n",
		cfg->max_coa ? cfg->max_coa : MIP4_HA_MAX_COA);
	fprintf(f, "\tflavour %s\n", flavour_str(cfg->flavour));
	for (unsigned i = 0; i < cfg->n_trusted && i < MIP4_HA_MAX_PREFIX; i++)
		print_prefix(f, "trusted", &cfg->trusted[i]);
	for (unsigned i = 0; i < cfg->n_inside && i < MIP4_HA_MAX_PREFIX; i++)
		print_prefix(f, "inside", &cfg->inside[i]);
	if (cfg->pool_first) {
		char nb2[16];

		fprintf(f, "\tpool %s - %s\n", mip4_ntoa(cfg->pool_first, nb),
			mip4_ntoa(cfg->pool_last, nb2));
	} else
		fputs("\tpool none\n", f);
	fputs("\ttunnel-device ", f);
	print_str(f, h->tunnel_dev);
	fputs("\n\thome-interface ", f);
	if (h->home_if[0])
		print_str(f, h->home_if);
	else
		fputs("none", f);
	fputc('\n', f);
	for (size_t i = 0; i < h->n_mn; i++) {
		const struct mip4_ha_mn *mn = &h->mn[i];

		if (mn->nai[0]) {
			fputs("\tmobile-node nai ", f);
			print_str(f, mn->nai);
			fputs(" {", f);
			if (mn->home_addr)
				fprintf(f, " home-address %s",
					mip4_ntoa(mn->home_addr, nb));
		} else {
			fprintf(f, "\tmobile-node %s {",
				mip4_ntoa(mn->home_addr, nb));
		}
		print_sa(f, &mn->sa, flags);
	}
	for (size_t i = 0; i < h->n_fa; i++) {
		fprintf(f, "\tforeign-agent %s {", mip4_ntoa(h->fa[i].addr, nb));
		print_sa(f, &h->fa[i].sa, flags);
	}
	fputs("}\n", f);
}


/* One Mobile IP layer's options, indented by ind (see parse_mn_layer). */
static void print_mn_layer(const struct mip4_config_mnrole *r, FILE *f,
			   unsigned flags, const char *ind, bool outer)
{
	static const char *const udp[] = {"off", "auto", "force"};
	char nb[16];

	fprintf(f, "%shome-address %s\n", ind, mip4_ntoa(r->cfg.home_addr, nb));
	if (r->cfg.nai[0]) {
		fprintf(f, "%snai ", ind);
		print_str(f, r->cfg.nai);
		fputc('\n', f);
	}
	fprintf(f, "%shome-agent %s\n", ind, mip4_ntoa(r->cfg.ha_addr, nb));
	if (r->home_net.mask) {
		fputs(ind + 1, f);
		print_prefix(f, "home-network", &r->home_net);
	}
	fprintf(f, "%slifetime %u\n", ind, (unsigned)r->cfg.lifetime);
	fprintf(f, "%sreverse-tunnel %s\n", ind,
		r->cfg.reverse_tunnel ? "yes" : "no");
	fprintf(f, "%sudp-tunnel %s\n", ind, udp[r->cfg.udp]);
	for (unsigned i = 0; i < r->n_if && !outer; i++) {
		fprintf(f, "%sinterface ", ind);
		print_str(f, r->ifname[i]);
		fputc('\n', f);
	}
	fprintf(f, "%stunnel-device ", ind);
	print_str(f, r->tunnel_dev);
	fputc('\n', f);
	fprintf(f, "%sprefer-fa %s\n", ind, r->prefer_fa ? "yes" : "no");
	if (r->route_all)
		fprintf(f, "%sroute all\n", ind);
	for (unsigned i = 0; i < r->n_routes; i++) {
		fputs(ind + 1, f);
		print_prefix(f, "route", &r->routes[i]);
	}
	fprintf(f, "%ssecurity {", ind);
	print_sa(f, &r->cfg.sa, flags);
}

static void print_vpn(const struct mip4_config_vpn *v, FILE *f,
		      unsigned flags)
{
	char nb[16];

	fprintf(f, "\tvpn {\n\t\tmode %s\n", mip4_vmn_mode_str(v->det.mode));
	fprintf(f, "\t\tgateway %s\n\t\tswanctl ", mip4_ntoa(v->gateway, nb));
	print_str(f, v->swanctl);
	fputs("\n", f);
	if (v->strongswan_conf[0]) {
		fputs("\t\tstrongswan-conf ", f);
		print_str(f, v->strongswan_conf);
		fputs("\n", f);
	}
	if (v->vici[0]) {
		fputs("\t\tvici ", f);
		print_str(f, v->vici);
		fputs("\n", f);
	}
	fputs("\t\tike ", f);
	print_str(f, v->ike);
	fputs("\n\t\tchild ", f);
	print_str(f, v->child);
	fprintf(f, "\n\t\trouting-table %u\n", (unsigned)v->table);
	fprintf(f, "\t\tswanctl-timeout %u\n",
		(unsigned)(v->swanctl_timeout_ms / 1000));
	fprintf(f, "\t\tt-monitor %u\n", (unsigned)(v->det.t_monitor_ms / 1000));
	fprintf(f, "\t\tdetect-period %u\n", (unsigned)v->det.detect_ms);
	fprintf(f, "\t\tdetect-timeout %u\n", (unsigned)v->det.nox_detect_ms);
	fprintf(f, "\t\tprobe-period %u\n", (unsigned)(v->det.probe_ms / 1000));
	if (v->have_outer) {
		fputs("\t\texternal-home-agent {\n", f);
		print_mn_layer(&v->outer, f, flags, "\t\t\t", true);
		fputs("\t\t}\n", f);
	}
	fputs("\t}\n", f);
}

static void print_mnrole(const struct mip4_config *c, FILE *f, unsigned flags)
{
	fputs("\nmobile-node {\n", f);
	print_mn_layer(&c->mn, f, flags, "\t", false);
	if (c->have_vpn)
		print_vpn(&c->vpn, f, flags);
	fputs("}\n", f);
}

static void print_farole(const struct mip4_config_farole *r, FILE *f,
			 unsigned flags)
{
	const struct mip4_fa_cfg *cfg = &r->cfg;
	char nb[16];

	fputs("\nforeign-agent {\n\tinterface ", f);
	print_str(f, r->ifname);
	if (cfg->addr)
		fprintf(f, "\n\taddress %s\n", mip4_ntoa(cfg->addr, nb));
	else
		fputs("\n\taddress auto\n", f);
	for (unsigned i = 0; i < cfg->n_coa && i < MIP4_FA_MAX_COA; i++)
		fprintf(f, "\tcare-of-address %s\n", mip4_ntoa(cfg->coa[i], nb));
	fprintf(f, "\tadvertise-interval %u\n", (unsigned)cfg->adv_interval_s);
	fprintf(f, "\tadvertise-lifetime %u\n", (unsigned)cfg->adv_lifetime_s);
	fprintf(f, "\tmax-lifetime %u\n", (unsigned)cfg->max_lifetime);
	fprintf(f, "\treverse-tunnel %s\n",
		cfg->reverse_tunnel_required ? "required"
		: cfg->reverse_tunnel	     ? "yes"
					     : "no");
	fprintf(f, "\tencapsulating-delivery %s\n",
		cfg->encap_delivery ? "yes" : "no");
	fprintf(f, "\tprefix-lengths %s\n",
		cfg->adv_prefix_lengths ? "yes" : "no");
	fprintf(f, "\tbusy %s\n", cfg->busy ? "yes" : "no");
	for (unsigned i = 0; i < cfg->n_allowed && i < MIP4_FA_MAX_PREFIX; i++)
		print_prefix(f, "serve", &cfg->allowed[i]);
	fprintf(f, "\tmax-visitors %u\n",
		cfg->max_visitors ? cfg->max_visitors
				  : MIP4_FA_DEFAULT_MAX_VISITORS);
	fprintf(f, "\troute-table %u\n", (unsigned)r->table);
	fputs("\ttunnel-device ", f);
	print_str(f, r->tunnel_dev);
	fputc('\n', f);
	for (size_t i = 0; i < r->n_ha; i++) {
		fprintf(f, "\thome-agent %s {", mip4_ntoa(r->ha[i].addr, nb));
		print_sa(f, &r->ha[i].sa, flags);
	}
	for (size_t i = 0; i < r->n_mn; i++) {
		fprintf(f, "\tmobile-node %s {", mip4_ntoa(r->mn[i].addr, nb));
		print_sa(f, &r->mn[i].sa, flags);
	}
	fputs("}\n", f);
}

void mip4_config_print(const struct mip4_config *c, FILE *f)
{
	mip4_config_print_flags(c, f, 0);
}
