/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/config.c - mip4d.conf(5) parser and printer.
 *
 * A small tokenizer (words, "strings", braces, # comments; newlines are
 * plain white space) feeds one block reader driven by tables.  A table
 * lists a block's options: name, value type, where the value lives in the
 * block's struct (offset, size) and its bounds.  Typed handlers read and
 * print each kind of value; only options with a shape of their own (pool,
 * route, SA blocks, peers) have their own setter and printer.  The printer
 * walks the same tables, every default explicit.  Whole-block checks run
 * when a block closes, using sorted indexes that the daemon then keeps.
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
#define OPT_MAX 32  /* an option word is shorter */
#define ROWS_MAX 24 /* options in one table */
#define ROWS_FIT(t)                                                        \
	_Static_assert(sizeof(t) / sizeof(t)[0] <= ROWS_MAX, #t " too long")

enum tok { T_ERR = -1, T_EOF, T_WORD, T_STRING, T_LBRACE, T_RBRACE };

struct parse {
	const char *name, *p, *end;
	unsigned line;
	char *err;
	size_t errlen;
	bool failed;
	enum tok kind; /* the current token */
	unsigned tok_line;
	size_t tok_len;
	char tok[TOK_MAX + 1];
	char opt[OPT_MAX]; /* the option being read, as written */
	unsigned ctx;	   /* F_INNER | F_NAI: what its block allows */
	struct mip4_config *c;
};

/* Record the first error as "FILE:LINE: message"; always returns -1. */
__attribute__((format(printf, 3, 4))) static int
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
static int cfg_arg(struct parse *ps, const char *opt)
{
	unsigned opt_line = ps->tok_line;
	enum tok t = lex_next(ps);

	if (t != T_ERR && t != T_WORD && t != T_STRING)
		return cfg_perr(ps, opt_line, "%s: missing argument before %s",
				opt, tok_desc(ps));
	return t == T_ERR ? -1 : 0;
}

static int cfg_expect_lbrace(struct parse *ps, const char *what)
{
	enum tok t = lex_next(ps);

	if (t != T_ERR && t != T_LBRACE)
		return cfg_perr(ps, ps->tok_line, "%s: expected '{', not %s",
				what, tok_desc(ps));
	return t == T_ERR ? -1 : 0;
}

/* The next option word of block `who` opened at `line` (who NULL: the top
 * level): 1 with it in ps->tok, 0 at the block's end, -1 on error. */
static int cfg_next_option(struct parse *ps, const char *who, unsigned line)
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

static int cfg_parse_u32(struct parse *ps, const char *opt, uint32_t lo,
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

static int cfg_parse_addr(struct parse *ps, const char *opt, const char *s,
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

static unsigned cfg_plen_of(uint32_t mask)
{
	unsigned n = 0;

	while (n < 32 && (mask & (0x80000000u >> n)))
		n++;
	return n;
}

static int cfg_parse_prefix(struct parse *ps, const char *opt,
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
static int cfg_parse_key(struct parse *ps, bool quoted, uint8_t *key,
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

static int cfg_parse_path(struct parse *ps, const char *opt, char *out,
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
static int cfg_parse_name(struct parse *ps, const char *opt, char *out,
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
static bool cfg_nai_bad(unsigned char u)
{
	return u <= 0x20 || u >= 0x7f;
}

static int cfg_parse_ifname(struct parse *ps, const char *opt, char *out)
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

/* ---- option tables ------------------------------------------------ */

enum vtype {
	V_FN,	  /* a setter of its own */
	V_U32,	  /* lo..hi, stored times scale in size bytes */
	V_ENUM,	  /* one of the words of en (default: no, yes) */
	V_ADDR,	  /* unicast IPv4 address */
	V_ALIST,  /* addresses, each once; count at cnt */
	V_PREFIX, /* A.B.C.D/N without host bits */
	V_PLIST,  /* prefixes; count at cnt */
	V_PATH,	  /* absolute path */
	V_IFNAME, /* interface name */
	V_NAME,	  /* 1..size-1 bytes */
	V_IFLIST, /* interface names; count at cnt */
	V_KEY,	  /* SA key; its length at cnt */
	V_BLOCK,  /* NAME { the options of table aux }, once; cnt: have_ */
};

#define F_INNER 0x1 /* only in the mobile-node block, not in x-HA's */
#define F_NAI 0x2   /* only in the SA block of an NAI mobile node */
#define F_TRI 0x4   /* V_ENUM no|yes|required into two bools (off, cnt) */
#define F_ROOT 0x8  /* V_BLOCK: off and cnt are in struct mip4_config */

struct word {
	const char *w;
	unsigned v;
};

/* An enum's words and its refusal: pre 'WORD' post (pre NULL: "OPT: 'WORD'
 * is not yes or no"). */
struct words {
	const char *pre, *post;
	struct word w[4];
};

struct pr;
struct seen;
struct opt {
	const char *name, *alias;
	enum vtype type;
	unsigned flags;	       /* F_* */
	size_t off, size, cnt; /* the value in the block's struct; count */
	uint32_t lo, hi;       /* V_U32 bounds; V_BLOCK: lo = its F_INNER */
	uint32_t scale, def;   /* V_U32: stored = given * scale; 0 prints def */
	const char *zero;      /* the word for 0 or "" ("none", "auto") */
	const char *req;       /* required: "BLOCK: no REQ" when missing */
	const char *again;     /* V_BLOCK: the refusal of a second one */
	const struct words *en;
	const void *aux; /* a setter's data, or V_BLOCK's table */
	int (*set)(struct parse *ps, const struct opt *o, void *base);
	void (*print)(const struct pr *p, const struct opt *o,
		      const void *base);
	int (*check)(struct parse *ps, const struct opt *o, void *blk,
		     unsigned line, const struct seen *s); /* V_BLOCK end */
};

#define AT(T, f) .off = offsetof(T, f), .size = sizeof(((T *)0)->f)
#define CNT(T, f) .cnt = offsetof(T, f)
#define U32(T, f, l, h) .type = V_U32, AT(T, f), .lo = (l), .hi = (h)
#define ENUM(T, f, e) .type = V_ENUM, AT(T, f), .en = (e)
#define BLOCK(T, f, have, t) .type = V_BLOCK, AT(T, f), CNT(T, have), .aux = (t)

static const struct words ha_reverse = {
	NULL, NULL, {{"no", 0}, {"yes", 1}, {"required", 2}}};

/* Where each option of a block was first seen, and its last argument. */
struct seen {
	unsigned first[ROWS_MAX], last[ROWS_MAX];
};

static void *at(void *base, size_t off)
{
	return (char *)base + off;
}

static const void *cat(const void *base, size_t off)
{
	return (const char *)base + off;
}

static void put(void *p, size_t size, uint32_t v)
{
	uint16_t v16 = (uint16_t)v;
	uint8_t v8 = (uint8_t)v;

	memcpy(p, size == 1 ? (void *)&v8 : size == 2 ? (void *)&v16 : &v,
	       size);
}

static uint32_t get(const void *p, size_t size)
{
	uint32_t v32 = 0;
	uint16_t v16 = 0;
	uint8_t v8 = 0;

	memcpy(size == 1 ? (void *)&v8 : size == 2 ? (void *)&v16 : &v32, p,
	       size);
	return size == 1 ? v8 : size == 2 ? v16 : v32;
}

/* The line where option `name` of t was first seen (last: its last
 * argument), 0 if never. */
static unsigned seen_at(const struct seen *s, const struct opt *t,
			const char *name, bool last)
{
	for (size_t i = 0; t[i].name; i++)
		if (strcmp(t[i].name, name) == 0)
			return last ? s->last[i] : s->first[i];
	return 0;
}

/* The words of an enum option (default: no, yes). */
static const struct words *cfg_words(const struct opt *o)
{
	static const struct words yes_no = {
		NULL, NULL, {{"no", 0}, {"yes", 1}}};

	return o->en ? o->en : &yes_no;
}

static int set_enum(struct parse *ps, const struct opt *o, void *base)
{
	const struct words *en = cfg_words(o);

	for (const struct word *w = en->w; w->w; w++) {
		if (strcmp(ps->tok, w->w) != 0)
			continue;
		if (o->flags & F_TRI)
			put(at(base, o->cnt), 1, w->v == 2);
		put(at(base, o->off), o->size,
		    o->flags & F_TRI ? w->v != 0 : w->v);
		return 0;
	}
	if (!en->pre)
		return cfg_perr(ps, ps->tok_line, "%s: '%s' is not yes or no",
				ps->opt, ps->tok);
	return cfg_perr(ps, ps->tok_line, "%s'%s'%s", en->pre, ps->tok,
			en->post);
}

/* Room for one more elem-sized element of list o, or NULL. */
static void *list_next(struct parse *ps, const struct opt *o, void *base,
		       size_t elem, const char *what)
{
	unsigned n = *(unsigned *)at(base, o->cnt);

	if (n < o->size / elem)
		return (char *)at(base, o->off) + n * elem;
	return cfg_perr(ps, ps->tok_line, "%s: more than %zu%s", ps->opt,
			o->size / elem, what),
	       NULL;
}

static int cfg_block_parse(struct parse *ps, const struct opt *t, void *base,
			   const char *who, unsigned line, unsigned ctx,
			   struct seen *s);

/* NAME { ... }: once, then its table's options, then its check. */
static int set_block(struct parse *ps, const struct opt *o, void *base)
{
	void *root = o->flags & F_ROOT ? (void *)ps->c : base;
	unsigned line = ps->tok_line;
	struct seen s = {{0}, {0}};

	if (*(bool *)at(root, o->cnt))
		return cfg_perr(ps, line, "%s", o->again);
	*(bool *)at(root, o->cnt) = true;
	if (cfg_expect_lbrace(ps, o->name) < 0 ||
	    cfg_block_parse(ps, o->aux, at(root, o->off), o->name, line, o->lo,
			    &s) < 0)
		return -1;
	return o->check(ps, o, at(root, o->off), line, &s);
}

/* One more element of a list.  Refusals keep their old order: an address
 * is read and checked for a repeat before the count, a prefix after it,
 * and an interface name's count before its argument is read at all. */
static int set_list(struct parse *ps, const struct opt *o, void *base)
{
	uint32_t *l = at(base, o->off), a = 0;
	unsigned *n = at(base, o->cnt);
	void *e;

	if (o->type == V_ALIST) {
		if (cfg_parse_addr(ps, ps->opt, ps->tok, &a) < 0)
			return -1;
		for (unsigned i = 0; i < *n; i++)
			if (get(l + i, sizeof a) == a)
				return cfg_perr(ps, ps->tok_line,
						"%s: %s given twice", ps->opt,
						ps->tok);
		if (!(e = list_next(ps, o, base, sizeof a, "")))
			return -1;
		put(e, sizeof a, a);
	} else if (o->type == V_PLIST) {
		if (!(e = list_next(ps, o, base, sizeof(struct mip4_prefix),
				    " prefixes")) ||
		    cfg_parse_prefix(ps, ps->opt, e) < 0)
			return -1;
	} else if (!(e = list_next(ps, o, base, MIP4_CONFIG_IFNAME_MAX, "")) ||
		   cfg_arg(ps, ps->opt) < 0 ||
		   cfg_parse_ifname(ps, ps->opt, e) < 0) {
		return -1;
	}
	++*n;
	return 0;
}

static int cfg_set_value(struct parse *ps, const struct opt *o, void *base)
{
	void *p = at(base, o->off);
	uint32_t v = 0;

	switch (o->type) {
	case V_U32:
		if (cfg_parse_u32(ps, ps->opt, o->lo, o->hi, &v) < 0)
			return -1;
		put(p, o->size, v * (o->scale ? o->scale : 1));
		return 0;
	case V_ENUM: return set_enum(ps, o, base);
	case V_ADDR: return cfg_parse_addr(ps, ps->opt, ps->tok, p);
	case V_PREFIX: return cfg_parse_prefix(ps, ps->opt, p);
	case V_PATH: return cfg_parse_path(ps, ps->opt, p, o->size);
	case V_IFNAME: return cfg_parse_ifname(ps, ps->opt, p);
	case V_NAME: return cfg_parse_name(ps, ps->opt, p, o->size, NULL);
	case V_KEY:
		return cfg_parse_key(ps, ps->kind == T_STRING, p,
				     at(base, o->cnt));
	case V_BLOCK: return set_block(ps, o, base);
	default: return set_list(ps, o, base);
	}
}

/* The row of table t for option word w (allowed in ctx), or its end. */
static const struct opt *opt_find(const struct opt *t, const char *w,
				  unsigned ctx)
{
	for (; t->name; t++)
		if (!(t->flags & (F_INNER | F_NAI) & ~ctx) &&
		    (strcmp(t->name, w) == 0 ||
		     (t->alias && strcmp(t->alias, w) == 0)))
			break;
	return t;
}

/* One option: its argument (unless its setter reads it), then its value
 * (the zero word clears it). */
static int set_opt(struct parse *ps, const struct opt *o, void *base)
{
	if (o->set)
		return o->set(ps, o, base);
	if (o->type == V_BLOCK || o->type == V_IFLIST)
		return cfg_set_value(ps, o, base);
	if (cfg_arg(ps, ps->opt) < 0)
		return -1;
	if (o->zero && strcmp(ps->tok, o->zero) == 0)
		return memset(at(base, o->off), 0, o->size), 0;
	return cfg_set_value(ps, o, base);
}

/*
 * The options of one block, up to its '}' (who NULL: the top level, up to
 * the end of the file), into base as table t says; options marked F_INNER
 * or F_NAI only where ctx has that bit.
 */
static int cfg_block_parse(struct parse *ps, const struct opt *t, void *base,
			   const char *who, unsigned line, unsigned ctx,
			   struct seen *s)
{
	int more;

	while ((more = cfg_next_option(ps, who, line)) > 0) {
		const struct opt *o = opt_find(t, ps->tok, ctx);
		size_t i = (size_t)(o - t);

		if (!o->name && who)
			return cfg_perr(ps, ps->tok_line,
					"%s: unknown option '%s'", who,
					ps->tok);
		if (!o->name)
			return cfg_perr(ps, ps->tok_line,
					"unknown keyword '%s'", ps->tok);
		s->first[i] = s->first[i] ? s->first[i] : ps->tok_line;
		memcpy(ps->opt, ps->tok, ps->tok_len + 1);
		ps->ctx = ctx;
		if (set_opt(ps, o, base) < 0)
			return -1;
		s->last[i] = ps->tok_line;
	}
	for (size_t i = 0; more == 0 && t[i].name; i++)
		if (t[i].req && !s->first[i])
			return cfg_perr(ps, line, "%s: no %s", who, t[i].req);
	return more;
}

/* ---- printing ----------------------------------------------------- */

struct pr {
	FILE *f;
	unsigned flags;	 /* MIP4_CONFIG_PRINT_* */
	unsigned ctx;	 /* F_INNER: the rows printed */
	const char *ind; /* indentation of the rows */
	const struct mip4_config *c;
};

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

static void print_line(const struct pr *p, const char *name, const char *v)
{
	fprintf(p->f, "%s%s %s\n", p->ind, name, v);
}

static void print_sa(FILE *f, const struct mip4_sa *sa, unsigned flags)
{
	fprintf(f, " spi 0x%x key %s", sa->spi,
		flags & MIP4_CONFIG_PRINT_KEYS ? "hex:" : "<redacted>");
	for (size_t i = 0; flags & MIP4_CONFIG_PRINT_KEYS && i < sa->key_len;
	     i++)
		fprintf(f, "%02x", sa->key[i]);
	fprintf(f, " algorithm %s replay %s tolerance %u }\n",
		mip4_alg_str(sa->alg),
		sa->replay == MIP4_REPLAY_NONCE ? "nonce" : "timestamp",
		(unsigned)sa->tolerance);
}

static void print_opts(const struct pr *p, const struct opt *t,
		       const void *base);

/* NAME { rows of t, one tab deeper } (top-level blocks after a blank line). */
static void print_block(const struct pr *p, const char *name,
			const struct opt *t, const void *base, unsigned ctx)
{
	struct pr in = *p;

	in.ind = p->ind - 1;
	in.ctx = ctx;
	fprintf(p->f, "%s%s%s {\n", *p->ind ? "" : "\n", p->ind, name);
	print_opts(&in, t, base);
	fprintf(p->f, "%s}\n", p->ind);
}

/* Each element of a list (at most what fits). */
static void print_list(const struct pr *p, const struct opt *o,
		       const void *base)
{
	unsigned n = *(const unsigned *)cat(base, o->cnt);
	const struct mip4_prefix *pf = cat(base, o->off);
	const char *l = cat(base, o->off);
	char nb[16];

	for (size_t i = 0; o->type == V_PLIST && i < n &&
			     i < o->size / sizeof *pf; i++)
		fprintf(p->f, "%s%s %s/%u\n", p->ind, o->name,
			mip4_ntoa(pf[i].net, nb), cfg_plen_of(pf[i].mask));
	for (size_t i = 0; o->type == V_ALIST && i < n &&
			     i < o->size / sizeof(uint32_t); i++)
		print_line(p, o->name,
			   mip4_ntoa(get(l + 4 * i, sizeof(uint32_t)), nb));
	for (size_t i = 0; o->type == V_IFLIST && i < n &&
			     i < o->size / MIP4_CONFIG_IFNAME_MAX; i++) {
		fprintf(p->f, "%s%s ", p->ind, o->name);
		print_str(p->f, l + i * MIP4_CONFIG_IFNAME_MAX);
		fputc('\n', p->f);
	}
}

static void print_enum(const struct pr *p, const struct opt *o,
		       const void *base, uint32_t v)
{
	const struct words *en = cfg_words(o);
	const char *w = "unknown";

	if (o->flags & F_TRI)
		v = get(cat(base, o->cnt), 1) ? 2 : v != 0;
	for (const struct word *x = en->w; x->w; x++)
		w = x->v == v ? x->w : w;
	print_line(p, o->name, w);
}

/* A value of 0 or "" (printed as the zero word, or not at all). */
static bool is_zero(const struct opt *o, const void *v)
{
	if (o->type == V_ADDR)
		return get(v, o->size) == 0;
	if (o->type == V_PREFIX)
		return ((const struct mip4_prefix *)v)->mask == 0;
	return o->type >= V_PATH && o->type <= V_NAME && !*(const char *)v;
}

static void print_value(const struct pr *p, const struct opt *o,
			const void *base)
{
	const void *v = cat(base, o->off);
	const struct mip4_prefix *pf = v;
	uint32_t u = o->size <= 4 ? get(v, o->size) : 0;
	char nb[16];

	switch (is_zero(o, v) ? V_FN : o->type) {
	case V_FN:
		if (o->zero)
			print_line(p, o->name, o->zero);
		break;
	case V_U32:
		fprintf(p->f, "%s%s %u\n", p->ind, o->name,
			(u ? u : o->def) / (o->scale ? o->scale : 1));
		break;
	case V_ENUM: print_enum(p, o, base, u); break;
	case V_ADDR: print_line(p, o->name, mip4_ntoa(u, nb)); break;
	case V_PREFIX:
		fprintf(p->f, "%s%s %s/%u\n", p->ind, o->name,
			mip4_ntoa(pf->net, nb), cfg_plen_of(pf->mask));
		break;
	case V_PATH:
	case V_IFNAME:
	case V_NAME:
		fprintf(p->f, "%s%s ", p->ind, o->name);
		print_str(p->f, v);
		fputc('\n', p->f);
		break;
	default: print_list(p, o, base); break;
	}
}

static void print_opts(const struct pr *p, const struct opt *t,
		       const void *base)
{
	for (; t->name; t++) {
		const void *root = t->flags & F_ROOT ? (const void *)p->c : base;

		if (t->flags & (F_INNER | F_NAI) & ~p->ctx)
			continue;
		if (t->print)
			t->print(p, t, base);
		else if (t->type == V_BLOCK && *(const bool *)cat(root, t->cnt))
			print_block(p, t->name, t->aux, cat(root, t->off),
				    t->lo);
		else if (t->type != V_FN && t->type != V_BLOCK)
			print_value(p, t, base);
	}
}

/* c in the file grammar, from table top (flags: MIP4_CONFIG_PRINT_*). */
static void cfg_print(const struct mip4_config *c, FILE *f, unsigned flags,
		      const struct opt *top)
{
	static const char tabs[] = "\t\t\t\t";
	const struct pr p = {f, flags, F_INNER, tabs + sizeof tabs - 1, c};

	fputs("# mip4d configuration, every default explicit\n", f);
	print_opts(&p, top, c);
}

/* ---- security associations ---------------------------------------- */

/* What an SA block fills: the SA, and an NAI mobile node's address. */
struct sa_block {
	struct mip4_sa sa;
	uint32_t home_addr;
};

static const struct words alg_words = {
	"algorithm: ", " is not hmac-md5 or keyed-md5",
	{{"hmac-md5", MIP4_ALG_HMAC_MD5}, {"keyed-md5", MIP4_ALG_KEYED_MD5}}};
static const struct words replay_words = {
	"replay: ", " is not timestamp or nonce",
	{{"timestamp", MIP4_REPLAY_TIMESTAMP}, {"nonce", MIP4_REPLAY_NONCE}}};

#define T struct sa_block
static const struct opt sa_opts[] = {
	/* RFC 5944 §1.6: SPIs 0-255 are reserved */
	{.name = "spi", U32(T, sa.spi, 256, UINT32_MAX), .req = "spi"},
	{.name = "key", .type = V_KEY, AT(T, sa.key), CNT(T, sa.key_len),
	 .req = "key"},
	{.name = "algorithm", ENUM(T, sa.alg, &alg_words)},
	{.name = "replay", ENUM(T, sa.replay, &replay_words)},
	{.name = "tolerance", U32(T, sa.tolerance, 1, 86400)},
	{.name = "home-address", .type = V_ADDR, AT(T, home_addr),
	 .flags = F_NAI},
	{.name = NULL},
};
ROWS_FIT(sa_opts);
#undef T

/* The body of an SA block after its '{'; `who` names the block in
 * messages; home_addr, when not NULL, may be set (NAI mobile nodes). */
static int cfg_parse_sa_block(struct parse *ps, const char *who, unsigned line,
			      struct mip4_sa *sa, uint32_t *home_addr)
{
	struct sa_block b = {.sa = {.alg = MIP4_ALG_HMAC_MD5,
				    .replay = MIP4_REPLAY_TIMESTAMP,
				    .tolerance = MIP4_CONFIG_DEF_TOLERANCE}};
	struct seen s = {{0}, {0}};
	int rc = cfg_block_parse(ps, sa_opts, &b, who, line,
				 home_addr ? F_NAI : 0, &s);

	if (rc == 0) {
		(void)mip4_sa_init(sa, b.sa.spi, b.sa.key, b.sa.key_len);
		sa->alg = b.sa.alg;
		sa->replay = b.sa.replay;
		sa->tolerance = b.sa.tolerance;
		if (home_addr)
			*home_addr = b.home_addr;
	}
	explicit_bzero(&b, sizeof b);
	return rc;
}

static int grow(struct parse *ps, void **arr, unsigned **lines, size_t n,
		size_t *cap, size_t elem, const char *what)
{
	size_t ncap = *cap ? *cap * 2 : 16;
	void *a;

	if (n < *cap)
		return 0;
	if (n >= MIP4_CONFIG_ENTRIES_MAX)
		return cfg_perr(ps, ps->tok_line, "more than %u %s",
				MIP4_CONFIG_ENTRIES_MAX, what);
	if (!(a = realloc(*arr, ncap * elem)))
		return cfg_perr(ps, ps->tok_line, "out of memory");
	*arr = a;
	if (!(a = realloc(*lines, ncap * sizeof **lines)))
		return cfg_perr(ps, ps->tok_line, "out of memory");
	*lines = a;
	*cap = ncap;
	return 0;
}

/*
 * Peers with an SA each, "NAME ADDRESS { SA }": the home agent's mobile
 * nodes (also "mobile-node nai NAI { SA }") and foreign agents, the foreign
 * agent's home agents and mobile nodes.  Growable arrays at offsets arr,
 * lines, n and cap of the block's struct; an element starts with the
 * peer's address.
 */
struct peers {
	size_t arr, lines, n, cap;
	size_t elem, sa; /* an element's size, its SA */
	bool nai;	 /* elements are struct mip4_ha_mn */
	bool dup_now;	 /* refuse a repeated address at once */
	const char *what;
};

#define PEERS(T, a, E, nai, dup, what)                                       \
	{offsetof(T, a), offsetof(T, a##_line), offsetof(T, n_##a),          \
	 offsetof(T, cap_##a), sizeof(E), offsetof(E, sa), nai, dup, what}

_Static_assert(offsetof(struct mip4_ha_mn, home_addr) == 0 &&
		       offsetof(struct mip4_ha_fa, addr) == 0 &&
		       offsetof(struct mip4_config_fa_sa, addr) == 0,
	       "a peer's address comes first");

/* The peer's address or NAI, and its block's name for messages. */
static int peer_name(struct parse *ps, const struct opt *o, uint32_t *addr,
		     char *nai, char *who, size_t wlen)
{
	char nb[16];

	if (cfg_arg(ps, o->name) < 0)
		return -1;
	if (((const struct peers *)o->aux)->nai && ps->kind == T_WORD &&
	    strcmp(ps->tok, "nai") == 0) {
		if (cfg_arg(ps, "mobile-node nai") < 0 ||
		    cfg_parse_name(ps, "mobile-node nai", nai,
				   MIP4_CONFIG_NAI_MAX + 1, cfg_nai_bad) < 0)
			return -1;
		return snprintf(who, wlen, "%s nai %s", o->name, nai), 0;
	}
	if (cfg_parse_addr(ps, o->name, ps->tok, addr) < 0)
		return -1;
	return snprintf(who, wlen, "%s %s", o->name, mip4_ntoa(*addr, nb)), 0;
}

static int cfg_set_peer(struct parse *ps, const struct opt *o, void *base)
{
	const struct peers *d = o->aux;
	unsigned line = ps->tok_line, *lines;
	size_t *n = at(base, d->n);
	char who[300], nai[MIP4_CONFIG_NAI_MAX + 1] = "", *e;
	uint32_t addr = 0;
	void *arr;
	int rc;

	if (peer_name(ps, o, &addr, nai, who, sizeof who) < 0)
		return -1;
	memcpy(&arr, at(base, d->arr), sizeof arr);
	memcpy(&lines, at(base, d->lines), sizeof lines);
	for (size_t i = 0; d->dup_now && i < *n; i++)
		if (get((char *)arr + i * d->elem, sizeof addr) == addr)
			return cfg_perr(ps, line,
					"%s already declared on line %u", who,
					lines[i]);
	if (cfg_expect_lbrace(ps, who) < 0)
		return -1;
	rc = grow(ps, &arr, &lines, *n, at(base, d->cap), d->elem, d->what);
	memcpy(at(base, d->arr), &arr, sizeof arr); /* moved even on failure */
	memcpy(at(base, d->lines), &lines, sizeof lines);
	if (rc < 0)
		return -1;
	e = memset((char *)arr + *n * d->elem, 0, d->elem);
	if (cfg_parse_sa_block(ps, who, line, (struct mip4_sa *)(e + d->sa),
			       nai[0] ? &addr : NULL) < 0)
		return -1;
	put(e, sizeof addr, addr);
	if (d->nai)
		memcpy(((struct mip4_ha_mn *)(void *)e)->nai, nai, sizeof nai);
	lines[(*n)++] = line;
	return 0;
}

static void cfg_print_peers(const struct pr *p, const struct opt *o,
			    const void *base)
{
	const struct peers *d = o->aux;
	const char *arr;
	char nb[16];

	memcpy(&arr, cat(base, d->arr), sizeof arr);
	for (size_t i = 0; i < *(const size_t *)cat(base, d->n); i++) {
		const char *e = arr + i * d->elem;
		const char *nai = d->nai ? e + offsetof(struct mip4_ha_mn, nai)
					 : "";
		uint32_t a = get(e, sizeof a);

		if (nai[0]) {
			fprintf(p->f, "%s%s nai ", p->ind, o->name);
			print_str(p->f, nai);
			fputs(" {", p->f);
			if (a)
				fprintf(p->f, " home-address %s",
					mip4_ntoa(a, nb));
		} else {
			fprintf(p->f, "%s%s %s {", p->ind, o->name,
				mip4_ntoa(a, nb));
		}
		print_sa(p->f, (const void *)(e + d->sa), p->flags);
	}
}

/* ---- home-agent block ---------------------------------------------- */

/* pool FIRST - LAST (also FIRST-LAST, FIRST- LAST) | none */
static int set_pool(struct parse *ps, const struct opt *o, void *base)
{
	struct mip4_ha_cfg *cfg = &((struct mip4_config_ha *)base)->cfg;
	char first[TOK_MAX + 1], *last;
	unsigned line;

	(void)o;
	if (cfg_arg(ps, "pool") < 0)
		return -1;
	line = ps->tok_line;
	if (strcmp(ps->tok, "none") == 0) {
		cfg->pool_first = cfg->pool_last = 0;
		return 0;
	}
	memcpy(first, ps->tok, ps->tok_len + 1);
	if ((last = strchr(first, '-')))
		*last++ = '\0';
	else if (cfg_arg(ps, "pool") < 0)
		return -1;
	else if (strcmp(ps->tok, "-") != 0)
		return cfg_perr(ps, ps->tok_line,
				"pool: expected FIRST - LAST, not '%s'",
				ps->tok);
	last = last && *last ? last : NULL; /* LAST in this word */
	if (cfg_parse_addr(ps, "pool", first, &cfg->pool_first) < 0 ||
	    (!last && cfg_arg(ps, "pool") < 0) ||
	    cfg_parse_addr(ps, "pool", last ? last : ps->tok,
			   &cfg->pool_last) < 0)
		return -1;
	if (cfg->pool_last < cfg->pool_first)
		return cfg_perr(ps, line,
				"pool: last address before the first");
	return 0;
}

static void cfg_print_pool(const struct pr *p, const struct opt *o,
			   const void *base)
{
	const struct mip4_ha_cfg *cfg =
		&((const struct mip4_config_ha *)base)->cfg;
	char nb[16], nb2[16], range[40];

	(void)snprintf(range, sizeof range, "%s - %s",
		       mip4_ntoa(cfg->pool_first, nb),
		       mip4_ntoa(cfg->pool_last, nb2));
	print_line(p, o->name, cfg->pool_first ? range : "none");
}

static const struct peers ha_mns = PEERS(struct mip4_config_ha, mn,
	struct mip4_ha_mn, true, false, "mobile nodes");
static const struct peers ha_fas = PEERS(struct mip4_config_ha, fa,
	struct mip4_ha_fa, false, false, "foreign agents");
static const struct words flavours = {
	"flavour: ", " is not plain, internal or external",
	{{"plain", MIP4_HA_PLAIN}, {"internal", MIP4_HA_INTERNAL},
	 {"external", MIP4_HA_EXTERNAL}}};

#define T struct mip4_config_ha
static const struct opt ha_opts[] = {
	{.name = "address", .type = V_ADDR, AT(T, cfg.addr), .req = "address"},
	{.name = "home-network", .type = V_PREFIX, AT(T, cfg.home),
	 .zero = "none"},
	{.name = "max-lifetime", U32(T, cfg.max_lifetime, 1, 65535)},
	/* yes | no | required (RFC 3024 §4.3, code 138) */
	{.name = "reverse-tunnel", ENUM(T, cfg.reverse_tunnel, &ha_reverse),
	 CNT(T, cfg.reverse_required), .flags = F_TRI},
	{.name = "udp-tunnel", ENUM(T, cfg.udp_tunnel, NULL)},
	{.name = "udp-force", ENUM(T, cfg.udp_force_ok, NULL)},
	{.name = "keepalive", U32(T, cfg.keepalive, 1, 65535)},
	{.name = "max-simultaneous-bindings",
	 U32(T, cfg.max_coa, 1, MIP4_HA_MAX_COA), .def = MIP4_HA_MAX_COA},
	{.name = "flavour", .alias = "flavor",
	 ENUM(T, cfg.flavour, &flavours)},
	{.name = "trusted", .type = V_PLIST, AT(T, cfg.trusted),
	 CNT(T, cfg.n_trusted)},
	{.name = "inside", .type = V_PLIST, AT(T, cfg.inside),
	 CNT(T, cfg.n_inside)},
	{.name = "pool", .set = set_pool, .print = cfg_print_pool},
	{.name = "tunnel-device", .type = V_IFNAME, AT(T, tunnel_dev)},
	/* physical home link: proxy and gratuitous ARP (RFC 5944 §4.6) */
	{.name = "home-interface", .type = V_IFNAME, AT(T, home_if),
	 .zero = "none"},
	{.name = "mobile-node", .set = cfg_set_peer, .print = cfg_print_peers,
	 .aux = &ha_mns},
	{.name = "foreign-agent", .set = cfg_set_peer, .print = cfg_print_peers,
	 .aux = &ha_fas},
	{.name = NULL},
};
ROWS_FIT(ha_opts);
#undef T

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

	return r ? r : *x < *y ? -1 : *x > *y;
}

/* An entry's place in the file: its index, or (h) the line of mobile node
 * idx, or of foreign agent idx - n_mn. */
static unsigned ix_rank(const struct mip4_config_ha *h, uint32_t idx)
{
	if (!h)
		return idx;
	return idx < h->n_mn ? h->mn_line[idx] : h->fa_line[idx - h->n_mn];
}

/* In a sorted index, the duplicate pair whose later entry comes first in
 * the file: false when keys are unique, else its positions in *a (the
 * earlier) and *b. */
static bool ix_first_dup(const struct mip4_config_ix *ix, size_t n,
			 const struct mip4_config_ha *h, size_t *a, size_t *b)
{
	bool found = false;

	for (size_t i = 1; i < n; i++) {
		bool swap = ix_rank(h, ix[i].idx) < ix_rank(h, ix[i - 1].idx);
		size_t x = swap ? i : i - 1, y = swap ? i - 1 : i;

		if (ix[x].key == ix[y].key &&
		    (!found || ix_rank(h, ix[y].idx) < ix_rank(h, ix[*b].idx)))
			*a = x, *b = y, found = true;
	}
	return found;
}

/* SPIs are unique across every SA of this agent (one namespace makes a
 * key mix-up between two peers impossible to configure). */
static int check_spis(struct parse *ps, const struct mip4_config_ha *h)
{
	size_t n = h->n_mn + h->n_fa, a = 0, b = 0;
	struct mip4_config_ix *spis = calloc(n + 1, sizeof *spis);
	int rc = 0;

	if (!spis)
		return cfg_perr(ps, 0, "out of memory");
	for (size_t i = 0; i < n; i++)
		spis[i] = (struct mip4_config_ix){
			i < h->n_mn ? h->mn[i].sa.spi : h->fa[i - h->n_mn].sa.spi,
			(uint32_t)i};
	qsort(spis, n, sizeof *spis, ix_cmp);
	if (ix_first_dup(spis, n, h, &a, &b))
		rc = cfg_perr(ps, ix_rank(h, spis[b].idx),
			      "spi 0x%x already used on line %u", spis[b].key,
			      ix_rank(h, spis[a].idx));
	free(spis);
	return rc;
}

static int cfg_build_indexes(struct parse *ps, struct mip4_config_ha *h)
{
	struct mip4_config_ix *ma, *fa;
	size_t a = 0, b = 0;
	char nb[16];

	ma = h->mn_by_addr = calloc(h->n_mn + 1, sizeof *h->mn_by_addr);
	h->mn_by_nai = calloc(h->n_mn + 1, sizeof(struct mip4_ha_mn *));
	fa = h->fa_by_addr = calloc(h->n_fa + 1, sizeof *h->fa_by_addr);
	if (!ma || !h->mn_by_nai || !fa)
		return cfg_perr(ps, 0, "out of memory");
	for (size_t i = 0; i < h->n_mn; i++) {
		if (h->mn[i].home_addr)
			ma[h->n_mn_by_addr++] = (struct mip4_config_ix){
				h->mn[i].home_addr, (uint32_t)i};
		if (h->mn[i].nai[0])
			h->mn_by_nai[h->n_mn_by_nai++] = &h->mn[i];
	}
	qsort(ma, h->n_mn_by_addr, sizeof *ma, ix_cmp);
	if (ix_first_dup(ma, h->n_mn_by_addr, NULL, &a, &b))
		return cfg_perr(ps, h->mn_line[ma[b].idx],
				"home address %s already served by the "
				"mobile-node on line %u",
				mip4_ntoa(ma[b].key, nb),
				h->mn_line[ma[a].idx]);
	qsort(h->mn_by_nai, h->n_mn_by_nai, sizeof(struct mip4_ha_mn *),
	      nai_cmp);
	for (size_t i = 1; i < h->n_mn_by_nai; i++) { /* first repeat */
		size_t x = (size_t)(h->mn_by_nai[i - 1] - h->mn),
		       y = (size_t)(h->mn_by_nai[i] - h->mn);

		if (strcmp(h->mn[x].nai, h->mn[y].nai) == 0 && (!a || y < b))
			a = x + 1, b = y;
	}
	if (a)
		return cfg_perr(ps, h->mn_line[b],
				"mobile-node nai %s already declared on "
				"line %u",
				h->mn[b].nai, h->mn_line[a - 1]);
	for (size_t i = 0; i < h->n_fa; i++)
		fa[i] = (struct mip4_config_ix){h->fa[i].addr, (uint32_t)i};
	qsort(fa, h->n_fa, sizeof *fa, ix_cmp);
	if (ix_first_dup(fa, h->n_fa, NULL, &a, &b))
		return cfg_perr(ps, h->fa_line[fa[b].idx],
				"foreign-agent %s already declared on line %u",
				mip4_ntoa(fa[b].key, nb),
				h->fa_line[fa[a].idx]);
	return check_spis(ps, h);
}

static const char *flavour_str(enum mip4_ha_flavour f)
{
	return f == MIP4_HA_INTERNAL ? "internal"
	       : f == MIP4_HA_EXTERNAL ? "external" : "plain";
}

/* The pool and the mobile nodes against the home agent's own address. */
static int ha_check_addrs(struct parse *ps, const struct mip4_config_ha *h,
			  unsigned line)
{
	const struct mip4_ha_cfg *cfg = &h->cfg;
	char nb[16];

	if (cfg->pool_first && cfg->home.mask &&
	    ((cfg->pool_first & cfg->home.mask) != cfg->home.net ||
	     (cfg->pool_last & cfg->home.mask) != cfg->home.net)) {
		char nb2[16], nb3[16];

		return cfg_perr(ps, line,
				"pool: %s - %s is not inside home-network "
				"%s/%u",
				mip4_ntoa(cfg->pool_first, nb),
				mip4_ntoa(cfg->pool_last, nb2),
				mip4_ntoa(cfg->home.net, nb3),
				cfg_plen_of(cfg->home.mask));
	}
	if (cfg->pool_first && cfg->addr >= cfg->pool_first &&
	    cfg->addr <= cfg->pool_last)
		return cfg_perr(ps, line,
				"pool: holds the home agent's own address %s",
				mip4_ntoa(cfg->addr, nb));
	for (size_t i = 0; i < h->n_mn; i++)
		if (h->mn[i].home_addr == cfg->addr)
			return cfg_perr(ps, h->mn_line[i],
					"mobile-node: %s is the home agent's "
					"own address",
					mip4_ntoa(cfg->addr, nb));
	return 0;
}

static int ha_check(struct parse *ps, const struct opt *o, void *blk,
		    unsigned line, const struct seen *s)
{
	struct mip4_config_ha *h = blk;
	const struct mip4_ha_cfg *cfg = &h->cfg;
	unsigned fl = seen_at(s, ha_opts, "flavour", true);
	char nb[16];

	(void)o;
	if (cfg->n_trusted && cfg->flavour != MIP4_HA_INTERNAL)
		return cfg_perr(ps, seen_at(s, ha_opts, "trusted", false),
				"trusted: only for flavour internal (RFC 5265 "
				"§4.3), this home agent is %s",
				flavour_str(cfg->flavour));
	if (cfg->flavour == MIP4_HA_INTERNAL && !cfg->n_trusted)
		return cfg_perr(ps, fl ? fl : line,
				"flavour internal: no trusted prefix (every "
				"request would be dropped)");
	if (cfg->n_inside && cfg->flavour != MIP4_HA_EXTERNAL)
		return cfg_perr(ps, seen_at(s, ha_opts, "inside", false),
				"inside: only for flavour external (RFC 5265 "
				"§3.7), this home agent is %s",
				flavour_str(cfg->flavour));
	if (ha_check_addrs(ps, h, line) < 0 || cfg_build_indexes(ps, h) < 0)
		return -1;
	/* RFC 2794 assignment must not hand out a configured address. */
	for (size_t i = 0; cfg->pool_first && i < h->n_mn_by_addr; i++)
		if (h->mn_by_addr[i].key >= cfg->pool_first &&
		    h->mn_by_addr[i].key <= cfg->pool_last)
			return cfg_perr(ps, h->mn_line[h->mn_by_addr[i].idx],
					"home address %s lies in the pool",
					mip4_ntoa(h->mn_by_addr[i].key, nb));
	return 0;
}

/* ---- mobile-node block --------------------------------------------- */

/* route all | route PREFIX (more than once) */
static int set_route(struct parse *ps, const struct opt *o, void *base)
{
	if (cfg_arg(ps, ps->opt) < 0)
		return -1;
	if (strcmp(ps->tok, "all") != 0)
		return cfg_set_value(ps, o, base);
	((struct mip4_config_mnrole *)base)->route_all = true;
	return 0;
}

static void cfg_print_route(const struct pr *p, const struct opt *o,
			    const void *base)
{
	if (((const struct mip4_config_mnrole *)base)->route_all)
		print_line(p, o->name, "all");
	print_list(p, o, base);
}

static int set_security(struct parse *ps, const struct opt *o, void *base)
{
	unsigned line = ps->tok_line;

	(void)o;
	if (cfg_expect_lbrace(ps, "security") < 0)
		return -1;
	return cfg_parse_sa_block(ps, "security", line,
				  &((struct mip4_config_mnrole *)base)->cfg.sa,
				  NULL);
}

static void cfg_print_security(const struct pr *p, const struct opt *o,
			       const void *base)
{
	fprintf(p->f, "%s%s {", p->ind, o->name);
	print_sa(p->f, &((const struct mip4_config_mnrole *)base)->cfg.sa,
		 p->flags);
}

static int mn_check(struct parse *ps, const struct opt *o, void *blk,
		    unsigned line, const struct seen *s);
static int vpn_check(struct parse *ps, const struct opt *o, void *blk,
		     unsigned line, const struct seen *s);
#define VPN_ROWS 15 /* vpn_opts, declared before mn_opts needs it */
static const struct opt vpn_opts[VPN_ROWS];

static const struct words udp_modes = {
	"udp-tunnel: want auto, force or off, not ", "",
	{{"off", MIP4_MN_UDP_OFF}, {"auto", MIP4_MN_UDP_AUTO},
	 {"force", MIP4_MN_UDP_FORCE}}};

/*
 * One Mobile IP layer: the mobile-node block itself, or the
 * external-home-agent block of its vpn block, which takes the node's
 * interfaces and has no vpn block of its own (the F_INNER options).
 */
#define T struct mip4_config_mnrole
static const struct opt mn_opts[] = {
	/* 0.0.0.0: assigned by the home agent (RFC 2794) */
	{.name = "home-address", .type = V_ADDR, AT(T, cfg.home_addr),
	 .zero = "0.0.0.0"},
	{.name = "nai", .type = V_NAME, AT(T, cfg.nai)},
	{.name = "home-agent", .type = V_ADDR, AT(T, cfg.ha_addr),
	 .req = "home-agent"},
	{.name = "home-network", .type = V_PREFIX, AT(T, home_net)},
	{.name = "lifetime", U32(T, cfg.lifetime, 1, 65535)},
	{.name = "reverse-tunnel", ENUM(T, cfg.reverse_tunnel, NULL)},
	{.name = "udp-tunnel", ENUM(T, cfg.udp, &udp_modes)},
	{.name = "interface", .type = V_IFLIST, AT(T, ifname), CNT(T, n_if),
	 .flags = F_INNER},
	{.name = "tunnel-device", .type = V_IFNAME, AT(T, tunnel_dev)},
	{.name = "prefer-fa", ENUM(T, prefer_fa, NULL)},
	{.name = "route", .type = V_PLIST, AT(T, routes), CNT(T, n_routes),
	 .set = set_route, .print = cfg_print_route},
	{.name = "security", .set = set_security, .print = cfg_print_security,
	 .req = "security { spi ... key ... }"},
	{.name = "vpn", BLOCK(struct mip4_config, vpn, have_vpn, vpn_opts),
	 .flags = F_INNER | F_ROOT, .check = vpn_check,
	 .again = "vpn: only one such block"},
	{.name = NULL},
};
ROWS_FIT(mn_opts);
#undef T

static const struct words vpn_modes = {
	"mode: want cvc, mc or naive, not ", "",
	{{"cvc", MIP4_VMN_CVC}, {"mc", MIP4_VMN_MC},
	 {"naive", MIP4_VMN_NAIVE}}};

#define T struct mip4_config_vpn
static const struct opt vpn_opts[VPN_ROWS] = {
	{.name = "mode", ENUM(T, det.mode, &vpn_modes)},
	{.name = "gateway", .type = V_ADDR, AT(T, gateway),
	 .req = "gateway (the VPN gateway's address)"},
	{.name = "swanctl", .type = V_PATH, AT(T, swanctl)},
	{.name = "strongswan-conf", .type = V_PATH, AT(T, strongswan_conf)},
	{.name = "vici", .type = V_PATH, AT(T, vici)},
	{.name = "ike", .type = V_NAME, AT(T, ike)},
	{.name = "child", .type = V_NAME, AT(T, child)},
	{.name = "routing-table", U32(T, table, 1, 0xfffffffeu)},
	{.name = "swanctl-timeout", U32(T, swanctl_timeout_ms, 2, 600),
	 .scale = 1000},
	{.name = "t-monitor", U32(T, det.t_monitor_ms, 5, 86400),
	 .scale = 1000},
	{.name = "detect-period", U32(T, det.detect_ms, 0, 60000)},
	{.name = "detect-timeout", U32(T, det.nox_detect_ms, 1, 60000)},
	{.name = "probe-period", U32(T, det.probe_ms, 0, 600), .scale = 1000},
	{.name = "external-home-agent",
	 BLOCK(T, outer, have_outer, mn_opts), .check = mn_check,
	 .again = "vpn: only one external-home-agent"},
	{.name = NULL},
};
#undef T

static int vpn_check(struct parse *ps, const struct opt *o, void *blk,
		     unsigned line, const struct seen *s)
{
	const struct mip4_config_vpn *v = blk;

	(void)o;
	(void)s;
	if (!v->ike[0] || !v->child[0])
		return cfg_perr(ps, line,
				"vpn: ike NAME and child NAME (swanctl.conf's "
				"connection and CHILD_SA) are required");
	return 0;
}

/* The mobile node with a vpn block (RFC 5265): its outer layer. */
static int mn_check_vpn(struct parse *ps, struct mip4_config_mnrole *r,
			unsigned line)
{
	struct mip4_config_vpn *vpn = &ps->c->vpn;

	/* The outer layer moves with the node: same interfaces. */
	vpn->outer.n_if = r->n_if;
	memcpy(vpn->outer.ifname, r->ifname, sizeof r->ifname);
	vpn->outer.prefer_fa = vpn->outer.prefer_fa || r->prefer_fa;
	if (vpn->det.mode == MIP4_VMN_CVC && !vpn->have_outer)
		return cfg_perr(ps, line,
				"mobile-node: vpn mode cvc needs an "
				"external-home-agent { } block (RFC 5265 "
				"§2.3)");
	if (vpn->have_outer &&
	    (vpn->outer.cfg.ha_addr == r->cfg.ha_addr ||
	     strcmp(vpn->outer.tunnel_dev, r->tunnel_dev) == 0 ||
	     vpn->outer.cfg.home_addr == r->cfg.home_addr))
		return cfg_perr(ps, line,
				"mobile-node: the external home agent, its "
				"home address and tunnel device must differ "
				"from the inner ones (RFC 5265 §3.5)");
	if (!r->cfg.home_addr)
		return cfg_perr(ps, line,
				"mobile-node: with a vpn block the home "
				"address must be configured, not assigned");
	return 0;
}

static int mn_check(struct parse *ps, const struct opt *o, void *blk,
		    unsigned line, const struct seen *s)
{
	struct mip4_config_mnrole *r = blk;
	const char *who = o->name;

	if (!seen_at(s, mn_opts, "home-address", false) && !r->cfg.nai[0])
		return cfg_perr(ps, line, "%s: no home-address (or nai)", who);
	if (!r->cfg.home_addr && !r->cfg.nai[0])
		return cfg_perr(ps, line,
				"%s: home-address 0.0.0.0 needs an nai (RFC "
				"2794)",
				who);
	if (r->n_if == 0 && (o->lo & F_INNER))
		return cfg_perr(ps, line, "%s: no interface", who);
	if (r->route_all && r->n_routes)
		return cfg_perr(ps, line,
				"%s: route all and route PREFIX exclude each "
				"other",
				who);
	r->route_all = r->route_all || !r->n_routes;
	return (o->lo & F_INNER) && ps->c->have_vpn
		       ? mn_check_vpn(ps, r, line) : 0;
}

/* ---- foreign-agent block ------------------------------------------- */

static int set_fa_table(struct parse *ps, const struct opt *o, void *base)
{
	uint32_t *t = at(base, o->off);

	if (cfg_arg(ps, ps->opt) < 0 ||
	    cfg_parse_u32(ps, ps->opt, o->lo, o->hi, t) < 0)
		return -1;
	if (*t == 253 || *t == 254 || *t == 255)
		return cfg_perr(ps, ps->tok_line,
				"route-table: %u is a kernel table", *t);
	return 0;
}

static const struct peers fa_has = PEERS(struct mip4_config_farole, ha,
	struct mip4_config_fa_sa, false, true, "associations");
static const struct peers fa_mns = PEERS(struct mip4_config_farole, mn,
	struct mip4_config_fa_sa, false, true, "associations");
static const struct words fa_reverse = {
	"reverse-tunnel: ", " is not yes, no or required",
	{{"no", 0}, {"yes", 1}, {"required", 2}}};

#define T struct mip4_config_farole
static const struct opt fa_opts[] = {
	{.name = "interface", .type = V_IFNAME, AT(T, ifname),
	 .req = "interface"},
	{.name = "address", .type = V_ADDR, AT(T, cfg.addr), .zero = "auto"},
	{.name = "care-of-address", .type = V_ALIST, AT(T, cfg.coa),
	 CNT(T, cfg.n_coa), .req = "care-of-address"},
	{.name = "advertise-interval", U32(T, cfg.adv_interval_s, 0, 1800)},
	{.name = "advertise-lifetime", U32(T, cfg.adv_lifetime_s, 1, 65535)},
	{.name = "max-lifetime", U32(T, cfg.max_lifetime, 1, 65535)},
	{.name = "reverse-tunnel", ENUM(T, cfg.reverse_tunnel, &fa_reverse),
	 CNT(T, cfg.reverse_tunnel_required), .flags = F_TRI},
	{.name = "encapsulating-delivery", ENUM(T, cfg.encap_delivery, NULL)},
	{.name = "prefix-lengths", ENUM(T, cfg.adv_prefix_lengths, NULL)},
	{.name = "busy", ENUM(T, cfg.busy, NULL)},
	{.name = "serve", .type = V_PLIST, AT(T, cfg.allowed),
	 CNT(T, cfg.n_allowed)},
	{.name = "max-visitors", U32(T, cfg.max_visitors, 1, 1u << 20),
	 .def = MIP4_FA_DEFAULT_MAX_VISITORS},
	{.name = "route-table", U32(T, table, 1, 0xfffffeffu),
	 .set = set_fa_table},
	{.name = "tunnel-device", .type = V_IFNAME, AT(T, tunnel_dev)},
	{.name = "home-agent", .set = cfg_set_peer, .print = cfg_print_peers,
	 .aux = &fa_has},
	{.name = "mobile-node", .set = cfg_set_peer, .print = cfg_print_peers,
	 .aux = &fa_mns},
	{.name = NULL},
};
ROWS_FIT(fa_opts);
#undef T

static int fa_check(struct parse *ps, const struct opt *o, void *blk,
		    unsigned line, const struct seen *s)
{
	struct mip4_config_farole *r = blk;
	struct mip4_fa_cfg *cfg = &r->cfg;
	char nb[16];

	(void)o;
	if (!seen_at(s, fa_opts, "advertise-lifetime", false))
		cfg->adv_lifetime_s = cfg->adv_interval_s
					      ? (uint16_t)(cfg->adv_interval_s * 3)
					      : 1800;
	if (cfg->adv_interval_s && cfg->adv_lifetime_s < cfg->adv_interval_s)
		return cfg_perr(ps, line,
				"foreign-agent: advertise-lifetime %u is "
				"shorter than advertise-interval %u",
				(unsigned)cfg->adv_lifetime_s,
				(unsigned)cfg->adv_interval_s);
	for (size_t i = 0; i < r->n_ha; i++)
		for (unsigned k = 0; k < cfg->n_coa; k++)
			if (r->ha[i].addr == cfg->coa[k] ||
			    r->ha[i].addr == cfg->addr)
				return cfg_perr(ps, r->ha_line[i],
						"home-agent: %s is the foreign "
						"agent's own address",
						mip4_ntoa(r->ha[i].addr, nb));
	return 0;
}

/* ---- top level ----------------------------------------------------- */

/* normal: survives kill -9; full: also power loss */
static const struct words sync_modes = {
	"state-sync: want normal or full, not ", "",
	{{"normal", 0}, {"full", 1}}};

#define T struct mip4_config
static const struct opt top_opts[] = {
	{.name = "control-socket", .type = V_PATH, AT(T, control_socket)},
	{.name = "state-db", .type = V_PATH, AT(T, state_db)},
	{.name = "state-sync", ENUM(T, state_sync_full, &sync_modes)},
	{.name = "home-agent", BLOCK(T, ha, have_ha, ha_opts),
	 .check = ha_check, .again = "home-agent: declared twice"},
	{.name = "foreign-agent", BLOCK(T, fa, have_fa, fa_opts),
	 .check = fa_check, .again = "foreign-agent: only one such block"},
	{.name = "mobile-node", BLOCK(T, mn, have_mn, mn_opts),
	 .lo = F_INNER, .check = mn_check,
	 .again = "mobile-node: only one such block"},
	{.name = NULL},
};
ROWS_FIT(top_opts);
#undef T

static void config_defaults(struct mip4_config *c)
{
	static const struct mip4_config_ha ha = {
		.cfg = {.max_lifetime = MIP4_CONFIG_DEF_LIFETIME,
			.reverse_tunnel = true,
			.udp_tunnel = true,
			.keepalive = MIP4_CONFIG_DEF_KEEPALIVE,
			.flavour = MIP4_HA_PLAIN},
		.tunnel_dev = MIP4_CONFIG_DEF_TUNDEV};
	static const struct mip4_config_farole fa = {
		.cfg = {.adv_interval_s = MIP4_CONFIG_DEF_FA_ADV_INTERVAL,
			.max_lifetime = MIP4_CONFIG_DEF_LIFETIME,
			.reverse_tunnel = true,
			.encap_delivery = true},
		.table = MIP4_CONFIG_DEF_FA_TABLE,
		.tunnel_dev = MIP4_CONFIG_DEF_FA_TUNDEV};

	memset(c, 0, sizeof *c);
	(void)snprintf(c->control_socket, sizeof c->control_socket, "%s",
		       MIP4_CONFIG_DEF_SOCKET);
	(void)snprintf(c->state_db, sizeof c->state_db, "%s",
		       MIP4_CONFIG_DEF_STATE_DB);
	c->ha = ha;
	c->fa = fa;
	mip4_mn_cfg_defaults(&c->mn.cfg);
	(void)snprintf(c->mn.tunnel_dev, sizeof c->mn.tunnel_dev, "%s",
		       MIP4_CONFIG_DEF_MN_TUNDEV);
	mip4_vmn_cfg_defaults(&c->vpn.det);
	(void)snprintf(c->vpn.swanctl, sizeof c->vpn.swanctl, "%s",
		       MIP4_CONFIG_DEF_SWANCTL);
	c->vpn.table = MIP4_CONFIG_DEF_VPN_TABLE;
	c->vpn.swanctl_timeout_ms = MIP4_CONFIG_DEF_SWANCTL_TIMEOUT * 1000;
	mip4_mn_cfg_defaults(&c->vpn.outer.cfg);
	(void)snprintf(c->vpn.outer.tunnel_dev, sizeof c->vpn.outer.tunnel_dev,
		       "%s", MIP4_CONFIG_DEF_X_TUNDEV);
}

int mip4_config_parse_buf(const char *name, const char *text, size_t len,
			  struct mip4_config *out, char *err, size_t errlen)
{
	struct parse *ps = calloc(1, sizeof *ps);
	struct seen s = {{0}, {0}};
	int rc;

	config_defaults(out);
	if (errlen)
		err[0] = '\0';
	if (!ps && errlen)
		(void)snprintf(err, errlen, "%s: out of memory", name);
	if (!ps)
		return -1;
	ps->name = name;
	ps->p = text ? text : "";
	ps->end = ps->p + (text ? len : 0); /* no arithmetic on NULL */
	ps->line = 1;
	ps->err = err;
	ps->errlen = errlen;
	ps->c = out;
	rc = cfg_block_parse(ps, top_opts, out, NULL, 0, F_INNER, &s);
	if (rc == 0 && !out->have_ha && !out->have_mn && !out->have_fa)
		rc = cfg_perr(ps, 0, "no role configured (home-agent { ... }, "
				     "foreign-agent { ... } or mobile-node "
				     "{ ... })");
	free(ps);
	if (rc < 0)
		mip4_config_free(out);
	return rc < 0 ? -1 : 0;
}

static bool has_keys(const struct mip4_config *c)
{
	return (c->have_ha && (c->ha.n_mn || c->ha.n_fa)) || c->have_mn ||
	       (c->have_fa && (c->fa.n_mn || c->fa.n_ha));
}

/* Read fd to its end into *buf (*len bytes); -1 with a message. */
static int read_all(int fd, const char *path, char **buf, size_t *len,
		    char *err, size_t errlen)
{
	size_t cap = 0;
	ssize_t n = 1;
	char *nb;

	while (n != 0) {
		if (*len == cap && cap >= MIP4_CONFIG_FILE_MAX)
			return snprintf(err, errlen, "%s: larger than %u bytes",
					path, MIP4_CONFIG_FILE_MAX),
			       -1;
		if (*len == cap) {
			if (!(nb = realloc(*buf, cap ? cap * 2 : 65536)))
				return snprintf(err, errlen,
						"%s: out of memory", path),
				       -1;
			*buf = nb;
			cap = cap ? cap * 2 : 65536;
		}
		n = read(fd, *buf + *len, cap - *len);
		if (n < 0 && errno != EINTR)
			return snprintf(err, errlen, "%s: %s", path,
					strerror(errno)),
			       -1;
		*len += n > 0 ? (size_t)n : 0;
	}
	return 0;
}

int mip4_config_parse_file(const char *path, struct mip4_config *out,
			   char *err, size_t errlen)
{
	/* O_NONBLOCK: a FIFO (or a device) at path must not hang open(), on
	 * start or on a SIGHUP reload; all but a regular file is refused
	 * below, and reading a regular file never blocks. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st = {0};
	size_t len = 0;
	char *buf = NULL;
	int rc = -1;

	config_defaults(out);
	if (fd < 0 || fstat(fd, &st) < 0)
		(void)snprintf(err, errlen, "%s: %s", path, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		(void)snprintf(err, errlen, "%s: not a regular file", path);
	else if (read_all(fd, path, &buf, &len, err, errlen) == 0)
		rc = mip4_config_parse_buf(path, buf ? buf : "", len, out, err,
					   errlen);
	if (fd >= 0)
		(void)close(fd);
	free(buf);
	if (rc == 0 && (st.st_mode & 077) && has_keys(out)) {
		(void)snprintf(err, errlen, "%s: keys in a file others can read "
					    "(mode %04o); chmod 600 it",
			       path, (unsigned)(st.st_mode & 07777));
		mip4_config_free(out);
		rc = -1;
	}
	return rc;
}

/* The list of n elem-sized entries at *arr, wiped (keys) and freed. */
static void free_list(void *arr, size_t n, size_t elem)
{
	if (arr)
		explicit_bzero(arr, n * elem);
	free(arr);
}

void mip4_config_free(struct mip4_config *c)
{
	if (!c)
		return;
	/* keys do not outlive the config in freed memory */
	free_list(c->ha.mn, c->ha.cap_mn, sizeof *c->ha.mn);
	free_list(c->ha.fa, c->ha.cap_fa, sizeof *c->ha.fa);
	free_list(c->fa.mn, c->fa.cap_mn, sizeof *c->fa.mn);
	free_list(c->fa.ha, c->fa.cap_ha, sizeof *c->fa.ha);
	free(c->ha.mn_line);
	free(c->ha.fa_line);
	free(c->ha.mn_by_addr);
	free(c->ha.mn_by_nai);
	free(c->ha.fa_by_addr);
	free(c->fa.mn_line);
	free(c->fa.ha_line);
	explicit_bzero(&c->ha, sizeof c->ha);
	explicit_bzero(&c->mn, sizeof c->mn);
	explicit_bzero(&c->fa, sizeof c->fa);
	c->have_ha = c->have_mn = c->have_fa = false;
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

struct nai_key {
	const char *s;
	size_t len;
};

/* An NAI of len bytes against a mobile node's, like strcmp. */
static int nai_key_cmp(const void *key, const void *elem)
{
	const struct nai_key *k = key;
	const char *s = (*(const struct mip4_ha_mn *const *)elem)->nai;
	size_t sl = strlen(s);
	int r = memcmp(k->s, s, sl < k->len ? sl : k->len);

	return r ? r : k->len < sl ? -1 : k->len > sl;
}

struct mip4_ha_mn *mip4_config_find_mn(const struct mip4_config *c,
				       uint32_t home_addr, const char *nai,
				       size_t nai_len)
{
	const struct mip4_config_ha *h = &c->ha;
	const struct nai_key key = {nai, nai_len};
	const struct mip4_config_ix *e;

	if (!c->have_ha || nai_len > MIP4_CONFIG_NAI_MAX ||
	    (!nai_len && !home_addr))
		return NULL;
	if (nai_len) {
		struct mip4_ha_mn *const *m =
			bsearch(&key, h->mn_by_nai, h->n_mn_by_nai,
				sizeof(struct mip4_ha_mn *), nai_key_cmp);

		return m ? *m : NULL;
	}
	e = ix_find(h->mn_by_addr, h->n_mn_by_addr, home_addr);
	return e ? &h->mn[e->idx] : NULL;
}

const struct mip4_ha_fa *mip4_config_find_fa(const struct mip4_config *c,
					      uint32_t addr)
{
	const struct mip4_config_ix *e =
		c->have_ha ? ix_find(c->ha.fa_by_addr, c->ha.n_fa, addr) : NULL;

	return e ? &c->ha.fa[e->idx] : NULL;
}

/* Linear: a foreign agent shares SAs with few peers (most MNs use none). */
static const struct mip4_sa *fa_sa_find(const struct mip4_config *c,
					const struct mip4_config_fa_sa *l,
					size_t n, uint32_t addr)
{
	for (size_t i = 0; c->have_fa && i < n; i++)
		if (l[i].addr == addr)
			return &l[i].sa;
	return NULL;
}

const struct mip4_sa *mip4_config_fa_mn_sa(const struct mip4_config *c,
					   uint32_t home_addr)
{
	return fa_sa_find(c, c->fa.mn, c->fa.n_mn, home_addr);
}

const struct mip4_sa *mip4_config_fa_ha_sa(const struct mip4_config *c,
					   uint32_t ha_addr)
{
	return fa_sa_find(c, c->fa.ha, c->fa.n_ha, ha_addr);
}

void mip4_config_print_flags(const struct mip4_config *c, FILE *f,
			     unsigned flags)
{
	cfg_print(c, f, flags, top_opts);
}

void mip4_config_print(const struct mip4_config *c, FILE *f)
{
	mip4_config_print_flags(c, f, 0);
}
