/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/config.c - mip4d.conf(5) parser and printer.
 *
 * A small tokenizer (words, "strings", braces, # comments; newlines are
 * plain white space so a block may sit on one line) feeds one block reader
 * driven by tables.  Each block is a table of options: name, value type,
 * where the value lives in the block's struct (offset and size) and its
 * bounds.  Typed handlers read and print every kind of value; only options
 * with a shape of their own (pool, route, the SA blocks, nested blocks)
 * have a setter or printer of their own.  The printer walks the same
 * tables, so every option parsed is printed back, every default explicit.
 * Whole-block checks (required options, duplicates, pool overlap) run when
 * a block closes, using sorted indexes that the daemon then keeps.
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
#define OPT_MAX 32 /* an option word is shorter than this */
#define ROWS_MAX 24 /* options in one table */

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

	char opt[OPT_MAX]; /* the option being read, as written */
	unsigned ctx;	   /* F_INNER | F_NAI: what its block allows */
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

/* Past white space and comments to the next token's first byte. */
static void lex_skip(struct parse *ps)
{
	while (ps->p < ps->end) {
		if (*ps->p == '\n')
			ps->line++;
		else if (*ps->p == '#')
			while (ps->p + 1 < ps->end && ps->p[1] != '\n')
				ps->p++;
		else if (!is_space(*ps->p))
			return;
		ps->p++;
	}
}

static enum tok lex_next(struct parse *ps)
{
	ps->tok_len = 0;
	ps->tok[0] = '\0';
	lex_skip(ps);
	ps->tok_line = ps->line;
	if (ps->p == ps->end)
		return ps->kind = T_EOF;
	if (*ps->p == '{' || *ps->p == '}') {
		(void)tok_put(ps, *ps->p);
		return ps->kind = *ps->p++ == '{' ? T_LBRACE : T_RBRACE;
	}
	if (*ps->p == '"')
		return ps->kind = lex_string(ps);
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
 * The next option word of block `who` opened at `line` (who NULL: the top
 * level): 1 with it in ps->tok, 0 at the block's end, -1 on error.
 */
static int next_option(struct parse *ps, const char *who, unsigned line)
{
	enum tok t = lex_next(ps);

	if (t == T_ERR)
		return -1;
	if (!who && t == T_EOF)
		return 0;
	if (!who && t != T_WORD)
		return perr(ps, ps->tok_line, "unexpected %s", tok_desc(ps));
	if (!who)
		return 1;
	if (t == T_RBRACE)
		return 0;
	if (t == T_EOF)
		return perr(ps, line, "%s: unterminated block (no '}')", who);
	if (t != T_WORD || ps->tok_len >= OPT_MAX)
		return perr(ps, ps->tok_line, "%s: unexpected %s", who,
			    tok_desc(ps));
	return 1;
}

/* ---- values ------------------------------------------------------- */

static int hexval(char ch)
{
	const char *d = "0123456789abcdef", *p;

	p = ch ? strchr(d, ch >= 'A' && ch <= 'F' ? ch - 'A' + 'a' : ch)
	       : NULL;
	return p ? (int)(p - d) : -1;
}

static int parse_u32(struct parse *ps, const char *opt, uint32_t lo,
		     uint32_t hi, uint32_t *out)
{
	bool hex = ps->tok[0] == '0' && (ps->tok[1] | 0x20) == 'x';
	const char *s = ps->tok + (hex ? 2 : 0);
	uint64_t v = 0;
	int d;

	for (; *s && v <= UINT32_MAX; s++) {
		d = hexval(*s);
		if (d < 0 || (!hex && d > 9))
			return perr(ps, ps->tok_line, "%s: '%s' is not a number",
				    opt, ps->tok);
		v = v * (hex ? 16 : 10) + (unsigned)d;
	}
	if (s == ps->tok + (hex ? 2 : 0))
		return perr(ps, ps->tok_line, "%s: '%s' is not a number", opt,
			    ps->tok);
	if (v < lo || v > hi)
		return perr(ps, ps->tok_line, "%s: %s out of range (%u..%u)",
			    opt, ps->tok, lo, hi);
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

static int parse_addr(struct parse *ps, const char *opt, const char *s,
		      uint32_t *out)
{
	if (!addr_from(s, out))
		return perr(ps, ps->tok_line,
			    "%s: '%s' is not an IPv4 address", opt, s);
	if (*out == 0 || *out == 0xffffffffu || (*out >> 28) == 0xe)
		return perr(ps, ps->tok_line,
			    "%s: %s is not a unicast address", opt, s);
	return 0;
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
	char buf[64], nb[16], *q;
	uint32_t a, plen;

	q = memchr(ps->tok, '/', ps->tok_len);
	if (!q || ps->tok_len >= sizeof buf)
		goto bad;
	memcpy(buf, ps->tok, ps->tok_len + 1);
	q = buf + (q - ps->tok);
	*q++ = '\0';
	/* one or two digits, no leading zero */
	if (!addr_from(buf, &a) || *q < '0' || *q > '9' || strlen(q) > 2 ||
	    (q[0] == '0' && q[1]) || (q[1] && (q[1] < '0' || q[1] > '9')))
		goto bad;
	plen = (uint32_t)strtoul(q, NULL, 10);
	if (plen > 32)
		return perr(ps, ps->tok_line,
			    "%s: %s: prefix length out of range (0..32)", opt,
			    ps->tok);
	out->mask = plen ? 0xffffffffu << (32 - plen) : 0;
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

/* "hex:00112233..." or the bytes of the word/string themselves. */
static int parse_key(struct parse *ps, bool quoted, uint8_t *key,
		     size_t *key_len)
{
	bool hex = !quoted && strncmp(ps->tok, "hex:", 4) == 0;
	const char *h = ps->tok + 4;
	size_t n = hex ? (ps->tok_len - 4) / 2 : ps->tok_len;

	if (!quoted && strcmp(ps->tok, "<redacted>") == 0)
		return perr(ps, ps->tok_line,
			    "key: redacted (put the real key back, or print "
			    "with keys shown)");
	if (hex && (ps->tok_len == 4 || ps->tok_len % 2))
		return perr(ps, ps->tok_line,
			    "key: hex key needs an even, non-zero "
			    "number of digits");
	if (n == 0)
		return perr(ps, ps->tok_line, "key: empty");
	if (n > MIP4_KEY_MAX)
		return perr(ps, ps->tok_line, "key: %zu bytes long; at most %d",
			    n, MIP4_KEY_MAX);
	for (size_t i = 0; hex && i < n; i++) {
		int hi = hexval(h[2 * i]), lo = hexval(h[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return perr(ps, ps->tok_line, "key: '%c%c' is not hex",
				    h[2 * i], h[2 * i + 1]);
		key[i] = (uint8_t)(hi << 4 | lo);
	}
	if (!hex)
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

static int parse_ifname(struct parse *ps, const char *opt, char *out)
{
	if (ps->tok_len == 0 || ps->tok_len >= MIP4_CONFIG_IFNAME_MAX)
		return perr(ps, ps->tok_line, "%s: name must be 1..%d bytes",
			    opt, MIP4_CONFIG_IFNAME_MAX - 1);
	for (size_t i = 0; i < ps->tok_len; i++) {
		unsigned char u = (unsigned char)ps->tok[i];

		/* what the kernel's dev_valid_name() refuses */
		if (u <= 0x20 || u >= 0x7f || u == '/' || u == ':')
			return perr(ps, ps->tok_line, "%s: bad name '%s'",
				    opt, ps->tok);
	}
	if (strcmp(ps->tok, ".") == 0 || strcmp(ps->tok, "..") == 0)
		return perr(ps, ps->tok_line, "%s: bad name '%s'", opt,
			    ps->tok);
	memcpy(out, ps->tok, ps->tok_len + 1);
	return 0;
}

static int parse_name(struct parse *ps, const char *opt, char *out,
		      size_t cap)
{
	if (ps->tok_len == 0 || ps->tok_len >= cap)
		return perr(ps, ps->tok_line, "%s: must be 1..%zu bytes", opt,
			    cap - 1);
	memcpy(out, ps->tok, ps->tok_len + 1);
	return 0;
}

/* ---- option tables ------------------------------------------------ */

enum otype {
	V_FN,	  /* a setter of its own */
	V_U32,	  /* lo..hi, stored times scale in size bytes */
	V_ENUM,	  /* one of the words of en */
	V_ADDR,	  /* unicast IPv4 address */
	V_ALIST,  /* addresses, each once; count at cnt */
	V_PREFIX, /* A.B.C.D/N without host bits */
	V_PLIST,  /* prefixes; count at cnt */
	V_PATH,	  /* absolute path */
	V_IFNAME, /* interface name */
	V_IFLIST, /* interface names; count at cnt */
	V_NAME,	  /* 1..size-1 bytes */
	V_KEY,	  /* SA key; its length at cnt */
};

#define F_INNER 0x1 /* only in the mobile-node block, not in x-HA's */
#define F_NAI 0x2   /* only in the SA block of an NAI mobile node */
#define F_TRI 0x4   /* V_ENUM no|yes|required into two bools (off, cnt) */

struct word {
	const char *w;
	unsigned v;
};

/* The words of an V_ENUM and its refusal: pre 'WORD' post (pre NULL:
 * "OPT: 'WORD' is not yes or no"). */
struct words {
	const char *pre, *post;
	struct word w[4];
};

struct pr;
struct opt {
	const char *name, *alias;
	enum otype type;
	unsigned flags;	       /* F_* */
	size_t off, size, cnt; /* value in the block's struct; count */
	uint32_t lo, hi;       /* V_U32 bounds */
	uint32_t scale;	       /* V_U32: stored value = given * scale */
	uint32_t def;	       /* V_U32: printed in place of 0 */
	const char *zero;      /* the word for 0 or "" ("none", "auto") */
	const struct words *en;
	const void *aux;       /* a custom setter's data */
	int (*set)(struct parse *ps, const struct opt *o, void *base);
	void (*print)(const struct pr *p, const struct opt *o,
		      const void *base);
};

#define AT(T, f) .off = offsetof(T, f), .size = sizeof(((T *)0)->f)
#define CNT(T, f) .cnt = offsetof(T, f)
#define U32(T, f, l, h) .type = V_U32, AT(T, f), .lo = (l), .hi = (h)

static const struct words yes_no = {
	NULL, NULL, {{"no", 0}, {"yes", 1}, {NULL, 0}}};
static const struct words ha_reverse = {
	NULL, NULL, {{"no", 0}, {"yes", 1}, {"required", 2}, {NULL, 0}}};

/* Where the first and last use of each option of a block were. */
struct seen {
	unsigned first[ROWS_MAX]; /* line of the option word */
	unsigned last[ROWS_MAX];  /* line of its (last) argument */
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
	uint32_t v = 0;
	uint16_t v16;
	uint8_t v8;

	if (size == 1)
		return memcpy(&v8, p, 1), v8;
	if (size == 2)
		return memcpy(&v16, p, 2), v16;
	memcpy(&v, p, sizeof v);
	return v;
}

static const struct opt *opt_find(const struct opt *t, const char *w,
				  unsigned ctx)
{
	for (; t->name; t++)
		if ((strcmp(t->name, w) == 0 ||
		     (t->alias && strcmp(t->alias, w) == 0)) &&
		    !(t->flags & (F_INNER | F_NAI) & ~ctx))
			return t;
	return NULL;
}

/* The line where option `name` of table t was first seen (last: where
 * its last argument was), 0 if never. */
static unsigned seen_at(const struct seen *s, const struct opt *t,
			const char *name, bool last)
{
	for (size_t i = 0; t[i].name; i++)
		if (strcmp(t[i].name, name) == 0)
			return last ? s->last[i] : s->first[i];
	return 0;
}

static int set_enum(struct parse *ps, const struct opt *o, void *base)
{
	const struct words *en = o->en ? o->en : &yes_no;

	for (const struct word *w = en->w; w->w; w++) {
		if (strcmp(ps->tok, w->w) != 0)
			continue;
		if (o->flags & F_TRI)
			put(at(base, o->cnt), 1, w->v == 2);
		put(at(base, o->off), o->size, o->flags & F_TRI ? w->v != 0
								: w->v);
		return 0;
	}
	if (!en->pre)
		return perr(ps, ps->tok_line, "%s: '%s' is not yes or no",
			    ps->opt, ps->tok);
	return perr(ps, ps->tok_line, "%s'%s'%s", en->pre, ps->tok, en->post);
}

/* One more element of a list of o->size bytes of elem, count at o->cnt. */
static void *list_next(struct parse *ps, const struct opt *o, void *base,
		       size_t elem, const char *what)
{
	unsigned *n = at(base, o->cnt);

	if (*n >= o->size / elem)
		return perr(ps, ps->tok_line, "%s: more than %zu%s", ps->opt,
			    o->size / elem, what),
		       NULL;
	return (char *)at(base, o->off) + *n * elem;
}

static int set_alist(struct parse *ps, const struct opt *o, void *base)
{
	const uint32_t *l = at(base, o->off);
	unsigned *n = at(base, o->cnt);
	uint32_t a = 0;
	void *e;

	if (parse_addr(ps, ps->opt, ps->tok, &a) < 0)
		return -1;
	for (unsigned i = 0; i < *n; i++)
		if (l[i] == a)
			return perr(ps, ps->tok_line, "%s: %s given twice",
				    ps->opt, ps->tok);
	if (!(e = list_next(ps, o, base, sizeof a, "")))
		return -1;
	memcpy(e, &a, sizeof a);
	++*n;
	return 0;
}

static int set_value(struct parse *ps, const struct opt *o, void *base)
{
	void *p = at(base, o->off), *e;
	uint32_t v = 0;

	switch (o->type) {
	case V_U32:
		if (parse_u32(ps, ps->opt, o->lo, o->hi, &v) < 0)
			return -1;
		put(p, o->size, v * (o->scale ? o->scale : 1));
		return 0;
	case V_ENUM: return set_enum(ps, o, base);
	case V_ADDR: return parse_addr(ps, ps->opt, ps->tok, p);
	case V_ALIST: return set_alist(ps, o, base);
	case V_PREFIX: return parse_prefix(ps, ps->opt, p);
	case V_PLIST:
		if (!(e = list_next(ps, o, base, sizeof(struct mip4_prefix),
				    " prefixes")) ||
		    parse_prefix(ps, ps->opt, e) < 0)
			return -1;
		break;
	case V_PATH: return parse_path(ps, ps->opt, p, o->size);
	case V_IFNAME: return parse_ifname(ps, ps->opt, p);
	case V_IFLIST:
		/* the count is checked before the argument is read */
		if (!(e = list_next(ps, o, base, MIP4_CONFIG_IFNAME_MAX, "")) ||
		    arg(ps, ps->opt) < 0 || parse_ifname(ps, ps->opt, e) < 0)
			return -1;
		break;
	case V_NAME: return parse_name(ps, ps->opt, p, o->size);
	case V_KEY:
		return parse_key(ps, ps->kind == T_STRING, p,
				 at(base, o->cnt));
	default: return -1;
	}
	++*(unsigned *)at(base, o->cnt);
	return 0;
}

static int set_opt(struct parse *ps, const struct opt *o, void *base)
{
	if (o->set)
		return o->set(ps, o, base);
	if (o->type != V_IFLIST && arg(ps, ps->opt) < 0)
		return -1;
	if (o->zero && strcmp(ps->tok, o->zero) == 0) {
		memset(at(base, o->off), 0, o->size);
		return 0;
	}
	return set_value(ps, o, base);
}

/*
 * The options of one block, up to its '}' (who NULL: the top level, up to
 * the end of the file), into base as table t says.  s (if not NULL)
 * learns where each option was.
 */
static int block_parse(struct parse *ps, const struct opt *t, void *base,
		       const char *who, unsigned line, unsigned ctx,
		       struct seen *s)
{
	for (;;) {
		int more = next_option(ps, who, line);
		const struct opt *o;

		if (more <= 0)
			return more;
		o = opt_find(t, ps->tok, ctx);
		if (!o && !who)
			return perr(ps, ps->tok_line, "unknown keyword '%s'",
				    ps->tok);
		if (!o)
			return perr(ps, ps->tok_line, "%s: unknown option '%s'",
				    who, ps->tok);
		if (s && !s->first[o - t])
			s->first[o - t] = ps->tok_line;
		memcpy(ps->opt, ps->tok, ps->tok_len + 1);
		ps->ctx = ctx;
		if (set_opt(ps, o, base) < 0)
			return -1;
		if (s)
			s->last[o - t] = ps->tok_line;
	}
}

/* ---- printing ----------------------------------------------------- */

struct pr {
	FILE *f;
	unsigned flags;	 /* MIP4_CONFIG_PRINT_* */
	unsigned ctx;	 /* F_INNER: the rows printed */
	const char *ind; /* indentation of the rows */
	const struct mip4_config *c;
};

static const char tabs[] = "\t\t\t\t";

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

static void print_enum(const struct pr *p, const struct opt *o,
		       const void *base)
{
	const struct words *en = o->en ? o->en : &yes_no;
	uint32_t v = get(cat(base, o->off), o->size);
	const char *s = "unknown";

	if (o->flags & F_TRI)
		v = get(cat(base, o->cnt), 1) ? 2 : v != 0;
	for (const struct word *w = en->w; w->w; w++)
		if (w->v == v)
			s = w->w;
	print_line(p, o->name, s);
}

/* Each element of a list (count at o->cnt, at most what fits). */
static void print_list(const struct pr *p, const struct opt *o,
		       const void *base)
{
	unsigned n = *(const unsigned *)cat(base, o->cnt);
	const char *l = cat(base, o->off);
	char nb[16];

	for (unsigned i = 0; i < n; i++) {
		const struct mip4_prefix *pf = (const void *)l;
		uint32_t a;

		if (o->type == V_PLIST && i < o->size / sizeof *pf) {
			fprintf(p->f, "%s%s %s/%u\n", p->ind, o->name,
				mip4_ntoa(pf[i].net, nb), plen_of(pf[i].mask));
		} else if (o->type == V_ALIST && i < o->size / sizeof a) {
			memcpy(&a, l + i * sizeof a, sizeof a);
			print_line(p, o->name, mip4_ntoa(a, nb));
		} else if (o->type == V_IFLIST &&
			   i < o->size / MIP4_CONFIG_IFNAME_MAX) {
			fprintf(p->f, "%s%s ", p->ind, o->name);
			print_str(p->f, l + i * MIP4_CONFIG_IFNAME_MAX);
			fputc('\n', p->f);
		}
	}
}

/* A value of 0 or "": o->zero if it has one, else nothing. */
static bool print_zero(const struct pr *p, const struct opt *o,
		       const void *v)
{
	const struct mip4_prefix *pf = v;
	bool zero;

	if (o->type == V_ADDR)
		zero = get(v, o->size) == 0;
	else if (o->type == V_PREFIX)
		zero = pf->mask == 0;
	else
		zero = o->type >= V_PATH && o->type <= V_NAME &&
		       *(const char *)v == '\0';
	if (zero && o->zero)
		print_line(p, o->name, o->zero);
	return zero;
}

static void print_value(const struct pr *p, const struct opt *o,
			const void *base)
{
	const void *v = cat(base, o->off);
	const struct mip4_prefix *pf = v;
	uint32_t u = o->size <= 4 ? get(v, o->size) : 0;
	char nb[16];

	if (print_zero(p, o, v))
		return;
	switch (o->type) {
	case V_U32:
		fprintf(p->f, "%s%s %u\n", p->ind, o->name,
			(u ? u : o->def) / (o->scale ? o->scale : 1));
		break;
	case V_ENUM: print_enum(p, o, base); break;
	case V_ADDR: print_line(p, o->name, mip4_ntoa(u, nb)); break;
	case V_PREFIX:
		fprintf(p->f, "%s%s %s/%u\n", p->ind, o->name,
			mip4_ntoa(pf->net, nb), plen_of(pf->mask));
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
		if (t->flags & (F_INNER | F_NAI) & ~p->ctx)
			continue;
		if (t->print)
			t->print(p, t, base);
		else if (t->type != V_FN)
			print_value(p, t, base);
	}
}

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

/* ---- security associations ---------------------------------------- */

/* What an SA block fills: the SA, and an NAI mobile node's address. */
struct sa_block {
	struct mip4_sa sa;
	uint32_t home_addr;
};

static const struct words alg_words = {
	"algorithm: ", " is not hmac-md5 or keyed-md5",
	{{"hmac-md5", MIP4_ALG_HMAC_MD5}, {"keyed-md5", MIP4_ALG_KEYED_MD5},
	 {NULL, 0}}};
static const struct words replay_words = {
	"replay: ", " is not timestamp or nonce",
	{{"timestamp", MIP4_REPLAY_TIMESTAMP}, {"nonce", MIP4_REPLAY_NONCE},
	 {NULL, 0}}};

#define T struct sa_block
static const struct opt sa_opts[] = {
	/* RFC 5944 §1.6: SPIs 0-255 are reserved */
	{.name = "spi", U32(T, sa.spi, 256, UINT32_MAX)},
	{.name = "key", .type = V_KEY, AT(T, sa.key), CNT(T, sa.key_len)},
	{.name = "algorithm", .type = V_ENUM, AT(T, sa.alg), .en = &alg_words},
	{.name = "replay", .type = V_ENUM, AT(T, sa.replay),
	 .en = &replay_words},
	{.name = "tolerance", U32(T, sa.tolerance, 1, 86400)},
	{.name = "home-address", .type = V_ADDR, AT(T, home_addr),
	 .flags = F_NAI},
	{.name = NULL},
};
#undef T

/* The body of an SA block after its '{'.  `who` names the block in
 * messages; home_addr is set by `home-address` when allowed (NAI mobile
 * nodes). */
static int parse_sa_block(struct parse *ps, const char *who, unsigned line,
			  struct mip4_sa *sa, uint32_t *home_addr)
{
	struct sa_block b = {.sa = {.alg = MIP4_ALG_HMAC_MD5,
				    .replay = MIP4_REPLAY_TIMESTAMP,
				    .tolerance = MIP4_CONFIG_DEF_TOLERANCE}};
	struct seen s = {{0}, {0}};
	int rc = block_parse(ps, sa_opts, &b, who, line,
			     home_addr ? F_NAI : 0, &s);

	if (rc == 0 && !seen_at(&s, sa_opts, "spi", false))
		rc = perr(ps, line, "%s: no spi", who);
	if (rc == 0 && !seen_at(&s, sa_opts, "key", false))
		rc = perr(ps, line, "%s: no key", who);
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

/*
 * Peers with an SA each, as "NAME ADDRESS { SA }" in a block: the home
 * agent's mobile nodes (also "mobile-node nai NAI { SA }") and foreign
 * agents, the foreign agent's home agents and mobile nodes.  Growable
 * arrays at offsets arr, lines, n and cap of the block's struct; each
 * element starts with the peer's address.
 */
struct peers {
	size_t arr, lines, n, cap;
	size_t elem, sa; /* an element's size, its SA */
	bool nai;	 /* elements are struct mip4_ha_mn */
	bool dup_now;	 /* refuse a repeated address at once */
	const char *what;
};

_Static_assert(offsetof(struct mip4_ha_mn, home_addr) == 0 &&
		       offsetof(struct mip4_ha_fa, addr) == 0 &&
		       offsetof(struct mip4_config_fa_sa, addr) == 0,
	       "a peer's address comes first");

static int parse_nai(struct parse *ps, char *nai)
{
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
				    "mobile-node nai: byte 0x%02x not allowed "
				    "in an NAI",
				    u);
	}
	memcpy(nai, ps->tok, ps->tok_len + 1);
	return 0;
}

/* The peer's address (or NAI) and the name of its block in messages. */
static int peer_name(struct parse *ps, const struct opt *o, uint32_t *addr,
		     char *nai, char *who, size_t wlen)
{
	const struct peers *d = o->aux;
	char nb[16];

	if (arg(ps, o->name) < 0)
		return -1;
	if (d->nai && ps->kind == T_WORD && strcmp(ps->tok, "nai") == 0) {
		if (parse_nai(ps, nai) < 0)
			return -1;
		(void)snprintf(who, wlen, "%s nai %s", o->name, nai);
		return 0;
	}
	if (parse_addr(ps, o->name, ps->tok, addr) < 0)
		return -1;
	(void)snprintf(who, wlen, "%s %s", o->name, mip4_ntoa(*addr, nb));
	return 0;
}

static int set_peer(struct parse *ps, const struct opt *o, void *base)
{
	const struct peers *d = o->aux;
	unsigned line = ps->tok_line, *lines;
	size_t *n = at(base, d->n);
	char who[300], nai[MIP4_CONFIG_NAI_MAX + 1] = "", *e;
	uint32_t addr = 0, a;
	void *arr;
	int rc;

	if (peer_name(ps, o, &addr, nai, who, sizeof who) < 0)
		return -1;
	memcpy(&arr, at(base, d->arr), sizeof arr);
	memcpy(&lines, at(base, d->lines), sizeof lines);
	for (size_t i = 0; d->dup_now && i < *n; i++)
		if (memcpy(&a, (char *)arr + i * d->elem, sizeof a), a == addr)
			return perr(ps, line, "%s already declared on line %u",
				    who, lines[i]);
	if (expect_lbrace(ps, who) < 0)
		return -1;
	rc = grow(ps, &arr, &lines, *n, at(base, d->cap), d->elem, d->what);
	memcpy(at(base, d->arr), &arr, sizeof arr); /* moved even on failure */
	memcpy(at(base, d->lines), &lines, sizeof lines);
	if (rc < 0)
		return -1;
	e = (char *)arr + *n * d->elem;
	memset(e, 0, d->elem);
	if (parse_sa_block(ps, who, line, (struct mip4_sa *)(e + d->sa),
			   nai[0] ? &addr : NULL) < 0)
		return -1;
	memcpy(e, &addr, sizeof addr);
	if (d->nai)
		memcpy(((struct mip4_ha_mn *)(void *)e)->nai, nai, sizeof nai);
	lines[(*n)++] = line;
	return 0;
}

static void print_peers(const struct pr *p, const struct opt *o,
			const void *base)
{
	const struct peers *d = o->aux;
	size_t n = *(const size_t *)cat(base, d->n);
	const char *arr;
	char nb[16];

	memcpy(&arr, cat(base, d->arr), sizeof arr);
	for (size_t i = 0; i < n; i++) {
		const char *e = arr + i * d->elem;
		const char *nai = d->nai ? ((const struct mip4_ha_mn *)(const void *)e)->nai : "";
		uint32_t a;

		memcpy(&a, e, sizeof a);
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
		print_sa(p->f, (const struct mip4_sa *)(const void *)(e + d->sa),
			 p->flags);
	}
}

/* ---- home-agent block ---------------------------------------------- */

static int set_pool(struct parse *ps, const struct opt *o, void *base)
{
	struct mip4_ha_cfg *cfg = &((struct mip4_config_ha *)base)->cfg;
	char first[TOK_MAX + 1], *dash;
	unsigned line;

	(void)o;
	if (arg(ps, "pool") < 0)
		return -1;
	line = ps->tok_line;
	if (strcmp(ps->tok, "none") == 0) {
		cfg->pool_first = cfg->pool_last = 0;
		return 0;
	}
	memcpy(first, ps->tok, ps->tok_len + 1);
	dash = strchr(first, '-');
	if (dash) /* "A-B" in one word, or "A- B" */
		*dash++ = '\0';
	if (!dash && arg(ps, "pool") < 0)
		return -1;
	if (!dash && strcmp(ps->tok, "-") != 0)
		return perr(ps, ps->tok_line,
			    "pool: expected FIRST - LAST, not '%s'", ps->tok);
	if (parse_addr(ps, "pool", first, &cfg->pool_first) < 0)
		return -1;
	if ((!dash || !*dash) && arg(ps, "pool") < 0)
		return -1;
	if (parse_addr(ps, "pool", dash && *dash ? dash : ps->tok,
		       &cfg->pool_last) < 0)
		return -1;
	if (cfg->pool_last < cfg->pool_first)
		return perr(ps, line, "pool: last address before the first");
	return 0;
}

static void print_pool(const struct pr *p, const struct opt *o,
		       const void *base)
{
	const struct mip4_ha_cfg *cfg = &((const struct mip4_config_ha *)base)->cfg;
	char nb[16], nb2[16];

	if (!cfg->pool_first) {
		print_line(p, o->name, "none");
		return;
	}
	fprintf(p->f, "%spool %s - %s\n", p->ind,
		mip4_ntoa(cfg->pool_first, nb), mip4_ntoa(cfg->pool_last, nb2));
}

static const struct peers ha_mns = {
	offsetof(struct mip4_config_ha, mn),
	offsetof(struct mip4_config_ha, mn_line),
	offsetof(struct mip4_config_ha, n_mn),
	offsetof(struct mip4_config_ha, cap_mn),
	sizeof(struct mip4_ha_mn), offsetof(struct mip4_ha_mn, sa),
	true, false, "mobile nodes"};
static const struct peers ha_fas = {
	offsetof(struct mip4_config_ha, fa),
	offsetof(struct mip4_config_ha, fa_line),
	offsetof(struct mip4_config_ha, n_fa),
	offsetof(struct mip4_config_ha, cap_fa),
	sizeof(struct mip4_ha_fa), offsetof(struct mip4_ha_fa, sa),
	false, false, "foreign agents"};

static const struct words flavours = {
	"flavour: ", " is not plain, internal or external",
	{{"plain", MIP4_HA_PLAIN}, {"internal", MIP4_HA_INTERNAL},
	 {"external", MIP4_HA_EXTERNAL}, {NULL, 0}}};

#define T struct mip4_config_ha
static const struct opt ha_opts[] = {
	{.name = "address", .type = V_ADDR, AT(T, cfg.addr)},
	{.name = "home-network", .type = V_PREFIX, AT(T, cfg.home),
	 .zero = "none"},
	{.name = "max-lifetime", U32(T, cfg.max_lifetime, 1, 65535)},
	/* yes | no | required (RFC 3024 §4.3, code 138) */
	{.name = "reverse-tunnel", .type = V_ENUM, AT(T, cfg.reverse_tunnel),
	 CNT(T, cfg.reverse_required), .flags = F_TRI, .en = &ha_reverse},
	{.name = "udp-tunnel", .type = V_ENUM, AT(T, cfg.udp_tunnel)},
	{.name = "udp-force", .type = V_ENUM, AT(T, cfg.udp_force_ok)},
	{.name = "keepalive", U32(T, cfg.keepalive, 1, 65535)},
	{.name = "max-simultaneous-bindings",
	 U32(T, cfg.max_coa, 1, MIP4_HA_MAX_COA), .def = MIP4_HA_MAX_COA},
	{.name = "flavour", .alias = "flavor", .type = V_ENUM,
	 AT(T, cfg.flavour), .en = &flavours},
	{.name = "trusted", .type = V_PLIST, AT(T, cfg.trusted),
	 CNT(T, cfg.n_trusted)},
	{.name = "inside", .type = V_PLIST, AT(T, cfg.inside),
	 CNT(T, cfg.n_inside)},
	{.name = "pool", .set = set_pool, .print = print_pool},
	{.name = "tunnel-device", .type = V_IFNAME, AT(T, tunnel_dev)},
	/* physical home link: proxy and gratuitous ARP (RFC 5944 §4.6);
	 * "none" = virtual home network */
	{.name = "home-interface", .type = V_IFNAME, AT(T, home_if),
	 .zero = "none"},
	{.name = "mobile-node", .set = set_peer, .print = print_peers,
	 .aux = &ha_mns},
	{.name = "foreign-agent", .set = set_peer, .print = print_peers,
	 .aux = &ha_fas},
	{.name = NULL},
};
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

	if (r)
		return r;
	return *x < *y ? -1 : *x > *y;
}

/* An entry's rank in the file: its index, or (h) the line of mobile node
 * idx, or foreign agent idx - n_mn. */
static unsigned ix_rank(const struct mip4_config_ha *h, uint32_t idx)
{
	if (!h)
		return idx;
	return idx < h->n_mn ? h->mn_line[idx] : h->fa_line[idx - h->n_mn];
}

/* In a sorted index, the duplicate pair whose later entry comes first in
 * the file: false when keys are unique, else positions in *a (earlier)
 * and *b. */
static bool ix_first_dup(const struct mip4_config_ix *ix, size_t n,
			 const struct mip4_config_ha *h, size_t *a, size_t *b)
{
	bool found = false;

	for (size_t i = 1; i < n; i++) {
		size_t x = i - 1, y = i;

		if (ix[x].key != ix[y].key)
			continue;
		if (ix_rank(h, ix[y].idx) < ix_rank(h, ix[x].idx))
			x = i, y = i - 1;
		if (!found || ix_rank(h, ix[y].idx) < ix_rank(h, ix[*b].idx)) {
			*a = x;
			*b = y;
			found = true;
		}
	}
	return found;
}

/* Sorted by NAI: the duplicate whose later declaration comes first. */
static bool nai_first_dup(const struct mip4_config_ha *h, size_t *a,
			  size_t *b)
{
	bool found = false;

	for (size_t i = 1; i < h->n_mn_by_nai; i++) {
		size_t x = (size_t)(h->mn_by_nai[i - 1] - h->mn),
		       y = (size_t)(h->mn_by_nai[i] - h->mn);

		if (strcmp(h->mn[x].nai, h->mn[y].nai) == 0 &&
		    (!found || y < *b)) {
			*a = x;
			*b = y;
			found = true;
		}
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
		return perr(ps, 0, "out of memory");
	for (size_t i = 0; i < n; i++) {
		spis[i].key = i < h->n_mn ? h->mn[i].sa.spi
					  : h->fa[i - h->n_mn].sa.spi;
		spis[i].idx = (uint32_t)i;
	}
	qsort(spis, n, sizeof *spis, ix_cmp);
	if (ix_first_dup(spis, n, h, &a, &b))
		rc = perr(ps, ix_rank(h, spis[b].idx),
			  "spi 0x%x already used on line %u", spis[b].key,
			  ix_rank(h, spis[a].idx));
	free(spis);
	return rc;
}

static int build_indexes(struct parse *ps, struct mip4_config_ha *h)
{
	size_t n = 0, a = 0, b = 0;
	char nb[16];

	h->mn_by_addr = calloc(h->n_mn + 1, sizeof *h->mn_by_addr);
	h->mn_by_nai = calloc(h->n_mn + 1, sizeof(struct mip4_ha_mn *));
	h->fa_by_addr = calloc(h->n_fa + 1, sizeof *h->fa_by_addr);
	if (!h->mn_by_addr || !h->mn_by_nai || !h->fa_by_addr)
		return perr(ps, 0, "out of memory");
	for (size_t i = 0; i < h->n_mn; i++) {
		if (h->mn[i].home_addr)
			h->mn_by_addr[n++] = (struct mip4_config_ix){
				h->mn[i].home_addr, (uint32_t)i};
		if (h->mn[i].nai[0])
			h->mn_by_nai[h->n_mn_by_nai++] = &h->mn[i];
	}
	h->n_mn_by_addr = n;
	qsort(h->mn_by_addr, n, sizeof *h->mn_by_addr, ix_cmp);
	if (ix_first_dup(h->mn_by_addr, n, NULL, &a, &b))
		return perr(ps, h->mn_line[h->mn_by_addr[b].idx],
			    "home address %s already served by the "
			    "mobile-node on line %u",
			    mip4_ntoa(h->mn_by_addr[b].key, nb),
			    h->mn_line[h->mn_by_addr[a].idx]);
	qsort(h->mn_by_nai, h->n_mn_by_nai, sizeof(struct mip4_ha_mn *),
	      nai_cmp);
	if (nai_first_dup(h, &a, &b))
		return perr(ps, h->mn_line[b],
			    "mobile-node nai %s already declared on line %u",
			    h->mn[b].nai, h->mn_line[a]);
	for (size_t i = 0; i < h->n_fa; i++)
		h->fa_by_addr[i] = (struct mip4_config_ix){h->fa[i].addr,
							   (uint32_t)i};
	qsort(h->fa_by_addr, h->n_fa, sizeof *h->fa_by_addr, ix_cmp);
	if (ix_first_dup(h->fa_by_addr, h->n_fa, NULL, &a, &b))
		return perr(ps, h->fa_line[h->fa_by_addr[b].idx],
			    "foreign-agent %s already declared on line %u",
			    mip4_ntoa(h->fa_by_addr[b].key, nb),
			    h->fa_line[h->fa_by_addr[a].idx]);
	return check_spis(ps, h);
}

static int ha_check_pool(struct parse *ps, const struct mip4_config_ha *h,
			 unsigned line)
{
	const struct mip4_ha_cfg *cfg = &h->cfg;
	char nb[16], nb2[16], nb3[16];

	if (!cfg->pool_first)
		return 0;
	if (cfg->home.mask &&
	    ((cfg->pool_first & cfg->home.mask) != cfg->home.net ||
	     (cfg->pool_last & cfg->home.mask) != cfg->home.net))
		return perr(ps, line,
			    "pool: %s - %s is not inside home-network %s/%u",
			    mip4_ntoa(cfg->pool_first, nb),
			    mip4_ntoa(cfg->pool_last, nb2),
			    mip4_ntoa(cfg->home.net, nb3),
			    plen_of(cfg->home.mask));
	if (cfg->addr >= cfg->pool_first && cfg->addr <= cfg->pool_last)
		return perr(ps, line,
			    "pool: holds the home agent's own address %s",
			    mip4_ntoa(cfg->addr, nb));
	return 0;
}

static const char *flavour_str(enum mip4_ha_flavour f)
{
	return f == MIP4_HA_INTERNAL ? "internal"
	       : f == MIP4_HA_EXTERNAL ? "external" : "plain";
}

static int ha_check(struct parse *ps, struct mip4_config_ha *h,
		    unsigned line, const struct seen *s)
{
	const struct mip4_ha_cfg *cfg = &h->cfg;
	unsigned fl = seen_at(s, ha_opts, "flavour", true);
	char nb[16];

	if (!seen_at(s, ha_opts, "address", false))
		return perr(ps, line, "home-agent: no address");
	if (cfg->n_trusted && cfg->flavour != MIP4_HA_INTERNAL)
		return perr(ps, seen_at(s, ha_opts, "trusted", false),
			    "trusted: only for flavour internal (RFC 5265 "
			    "§4.3), this home agent is %s",
			    flavour_str(cfg->flavour));
	if (cfg->flavour == MIP4_HA_INTERNAL && !cfg->n_trusted)
		return perr(ps, fl ? fl : line,
			    "flavour internal: no trusted prefix (every "
			    "request would be dropped)");
	if (cfg->n_inside && cfg->flavour != MIP4_HA_EXTERNAL)
		return perr(ps, seen_at(s, ha_opts, "inside", false),
			    "inside: only for flavour external (RFC 5265 "
			    "§3.7), this home agent is %s",
			    flavour_str(cfg->flavour));
	if (ha_check_pool(ps, h, line) < 0)
		return -1;
	for (size_t i = 0; i < h->n_mn; i++)
		if (h->mn[i].home_addr == cfg->addr)
			return perr(ps, h->mn_line[i],
				    "mobile-node: %s is the home agent's own "
				    "address",
				    mip4_ntoa(cfg->addr, nb));
	if (build_indexes(ps, h) < 0)
		return -1;
	/* RFC 2794 assignment must not hand out a configured address. */
	for (size_t i = 0; cfg->pool_first && i < h->n_mn_by_addr; i++)
		if (h->mn_by_addr[i].key >= cfg->pool_first &&
		    h->mn_by_addr[i].key <= cfg->pool_last)
			return perr(ps, h->mn_line[h->mn_by_addr[i].idx],
				    "home address %s lies in the pool",
				    mip4_ntoa(h->mn_by_addr[i].key, nb));
	return 0;
}

static int set_ha(struct parse *ps, const struct opt *o, void *base)
{
	struct mip4_config *c = base;
	unsigned line = ps->tok_line;
	struct seen s = {{0}, {0}};

	(void)o;
	if (c->have_ha)
		return perr(ps, line, "home-agent: declared twice");
	c->have_ha = true;
	if (expect_lbrace(ps, "home-agent") < 0 ||
	    block_parse(ps, ha_opts, &c->ha, "home-agent", line, 0, &s) < 0)
		return -1;
	return ha_check(ps, &c->ha, line, &s);
}

/* ---- mobile-node block --------------------------------------------- */

static int set_route(struct parse *ps, const struct opt *o, void *base)
{
	if (arg(ps, ps->opt) < 0)
		return -1;
	if (strcmp(ps->tok, "all") != 0)
		return set_value(ps, o, base);
	((struct mip4_config_mnrole *)base)->route_all = true;
	return 0;
}

static void print_route(const struct pr *p, const struct opt *o,
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
	if (expect_lbrace(ps, "security") < 0)
		return -1;
	return parse_sa_block(ps, "security", line,
			      &((struct mip4_config_mnrole *)base)->cfg.sa,
			      NULL);
}

static void print_security(const struct pr *p, const struct opt *o,
			   const void *base)
{
	fprintf(p->f, "%s%s {", p->ind, o->name);
	print_sa(p->f, &((const struct mip4_config_mnrole *)base)->cfg.sa,
		 p->flags);
}

/* vpn { ... } inside mobile-node (RFC 5265; mc and naive: baselines). */
static int set_vpn(struct parse *ps, const struct opt *o, void *base);
static void print_vpn(const struct pr *p, const struct opt *o,
		      const void *base);

static const struct words udp_modes = {
	"udp-tunnel: want auto, force or off, not ", "",
	{{"off", MIP4_MN_UDP_OFF}, {"auto", MIP4_MN_UDP_AUTO},
	 {"force", MIP4_MN_UDP_FORCE}, {NULL, 0}}};

/*
 * The options of one Mobile IP layer: the mobile-node block itself, or
 * the external-home-agent block of its vpn block, which takes the node's
 * interfaces and has no vpn block of its own (the F_INNER options).
 */
#define T struct mip4_config_mnrole
static const struct opt mn_opts[] = {
	/* 0.0.0.0: assigned by the home agent (RFC 2794) */
	{.name = "home-address", .type = V_ADDR, AT(T, cfg.home_addr),
	 .zero = "0.0.0.0"},
	{.name = "nai", .type = V_NAME, AT(T, cfg.nai)},
	{.name = "home-agent", .type = V_ADDR, AT(T, cfg.ha_addr)},
	{.name = "home-network", .type = V_PREFIX, AT(T, home_net)},
	{.name = "lifetime", U32(T, cfg.lifetime, 1, 65535)},
	{.name = "reverse-tunnel", .type = V_ENUM, AT(T, cfg.reverse_tunnel)},
	{.name = "udp-tunnel", .type = V_ENUM, AT(T, cfg.udp),
	 .en = &udp_modes},
	{.name = "interface", .type = V_IFLIST, AT(T, ifname), CNT(T, n_if),
	 .flags = F_INNER},
	{.name = "tunnel-device", .type = V_IFNAME, AT(T, tunnel_dev)},
	{.name = "prefer-fa", .type = V_ENUM, AT(T, prefer_fa)},
	{.name = "route", .type = V_PLIST, AT(T, routes), CNT(T, n_routes),
	 .set = set_route, .print = print_route},
	{.name = "security", .set = set_security, .print = print_security},
	{.name = "vpn", .flags = F_INNER, .set = set_vpn, .print = print_vpn},
	{.name = NULL},
};
#undef T

static int parse_mn_layer(struct parse *ps, struct mip4_config_mnrole *r,
			  const char *who, unsigned line, unsigned ctx)
{
	struct seen s = {{0}, {0}};

	if (expect_lbrace(ps, who) < 0 ||
	    block_parse(ps, mn_opts, r, who, line, ctx, &s) < 0)
		return -1;
	if (!seen_at(&s, mn_opts, "home-agent", false))
		return perr(ps, line, "%s: no home-agent", who);
	if (!seen_at(&s, mn_opts, "security", false))
		return perr(ps, line, "%s: no security { spi ... key ... }",
			    who);
	if (!seen_at(&s, mn_opts, "home-address", false) && !r->cfg.nai[0])
		return perr(ps, line, "%s: no home-address (or nai)", who);
	if (!r->cfg.home_addr && !r->cfg.nai[0])
		return perr(ps, line,
			    "%s: home-address 0.0.0.0 needs an nai (RFC 2794)",
			    who);
	if (r->n_if == 0 && (ctx & F_INNER))
		return perr(ps, line, "%s: no interface", who);
	if (r->route_all && r->n_routes)
		return perr(ps, line,
			    "%s: route all and route PREFIX exclude each other",
			    who);
	r->route_all = r->route_all || !r->n_routes;
	return 0;
}

static int set_xha(struct parse *ps, const struct opt *o, void *base)
{
	struct mip4_config_vpn *v = base;

	(void)o;
	if (v->have_outer)
		return perr(ps, ps->tok_line,
			    "vpn: only one external-home-agent");
	v->have_outer = true;
	return parse_mn_layer(ps, &v->outer, "external-home-agent",
			      ps->tok_line, 0);
}

static void print_xha(const struct pr *p, const struct opt *o,
		      const void *base)
{
	const struct mip4_config_vpn *v = base;

	if (v->have_outer)
		print_block(p, o->name, mn_opts, &v->outer, 0);
}

static const struct words vpn_modes = {
	"mode: want cvc, mc or naive, not ", "",
	{{"cvc", MIP4_VMN_CVC}, {"mc", MIP4_VMN_MC},
	 {"naive", MIP4_VMN_NAIVE}, {NULL, 0}}};

#define T struct mip4_config_vpn
static const struct opt vpn_opts[] = {
	{.name = "mode", .type = V_ENUM, AT(T, det.mode), .en = &vpn_modes},
	{.name = "gateway", .type = V_ADDR, AT(T, gateway)},
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
	{.name = "external-home-agent", .set = set_xha, .print = print_xha},
	{.name = NULL},
};
#undef T

static int set_vpn(struct parse *ps, const struct opt *o, void *base)
{
	struct mip4_config_vpn *v = &ps->c->vpn;
	unsigned line = ps->tok_line;
	struct seen s = {{0}, {0}};

	(void)o;
	(void)base;
	if (ps->c->have_vpn)
		return perr(ps, line, "vpn: only one such block");
	ps->c->have_vpn = true;
	if (expect_lbrace(ps, "vpn") < 0 ||
	    block_parse(ps, vpn_opts, v, "vpn", line, 0, &s) < 0)
		return -1;
	if (!seen_at(&s, vpn_opts, "gateway", false))
		return perr(ps, line,
			    "vpn: no gateway (the VPN gateway's address)");
	if (!v->ike[0] || !v->child[0])
		return perr(ps, line,
			    "vpn: ike NAME and child NAME (swanctl.conf's "
			    "connection and CHILD_SA) are required");
	return 0;
}

static void print_vpn(const struct pr *p, const struct opt *o,
		      const void *base)
{
	(void)base;
	if (p->c->have_vpn)
		print_block(p, o->name, vpn_opts, &p->c->vpn, 0);
}

/* mobile-node { ... }: one mobile node this box is (RFC 5944 §3.6). */
static int set_mnrole(struct parse *ps, const struct opt *o, void *base)
{
	unsigned line = ps->tok_line;
	struct mip4_config_vpn *vpn = &ps->c->vpn;
	struct mip4_config_mnrole *r = &ps->c->mn;

	(void)o;
	(void)base;
	if (ps->c->have_mn)
		return perr(ps, line, "mobile-node: only one such block");
	ps->c->have_mn = true;
	if (parse_mn_layer(ps, r, "mobile-node", line, F_INNER) < 0)
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

/* ---- foreign-agent block ------------------------------------------- */

static int set_fa_table(struct parse *ps, const struct opt *o, void *base)
{
	uint32_t *t = at(base, o->off);

	if (arg(ps, ps->opt) < 0 || parse_u32(ps, ps->opt, o->lo, o->hi, t) < 0)
		return -1;
	if (*t == 253 || *t == 254 || *t == 255)
		return perr(ps, ps->tok_line,
			    "route-table: %u is a kernel table", *t);
	return 0;
}

static const struct peers fa_has = {
	offsetof(struct mip4_config_farole, ha),
	offsetof(struct mip4_config_farole, ha_line),
	offsetof(struct mip4_config_farole, n_ha),
	offsetof(struct mip4_config_farole, cap_ha),
	sizeof(struct mip4_config_fa_sa), offsetof(struct mip4_config_fa_sa, sa),
	false, true, "associations"};
static const struct peers fa_mns = {
	offsetof(struct mip4_config_farole, mn),
	offsetof(struct mip4_config_farole, mn_line),
	offsetof(struct mip4_config_farole, n_mn),
	offsetof(struct mip4_config_farole, cap_mn),
	sizeof(struct mip4_config_fa_sa), offsetof(struct mip4_config_fa_sa, sa),
	false, true, "associations"};
static const struct words fa_reverse = {
	"reverse-tunnel: ", " is not yes, no or required",
	{{"no", 0}, {"yes", 1}, {"required", 2}, {NULL, 0}}};

#define T struct mip4_config_farole
static const struct opt fa_opts[] = {
	{.name = "interface", .type = V_IFNAME, AT(T, ifname)},
	{.name = "address", .type = V_ADDR, AT(T, cfg.addr), .zero = "auto"},
	{.name = "care-of-address", .type = V_ALIST, AT(T, cfg.coa),
	 CNT(T, cfg.n_coa)},
	{.name = "advertise-interval", U32(T, cfg.adv_interval_s, 0, 1800)},
	{.name = "advertise-lifetime", U32(T, cfg.adv_lifetime_s, 1, 65535)},
	{.name = "max-lifetime", U32(T, cfg.max_lifetime, 1, 65535)},
	{.name = "reverse-tunnel", .type = V_ENUM, AT(T, cfg.reverse_tunnel),
	 CNT(T, cfg.reverse_tunnel_required), .flags = F_TRI,
	 .en = &fa_reverse},
	{.name = "encapsulating-delivery", .type = V_ENUM,
	 AT(T, cfg.encap_delivery)},
	{.name = "prefix-lengths", .type = V_ENUM,
	 AT(T, cfg.adv_prefix_lengths)},
	{.name = "busy", .type = V_ENUM, AT(T, cfg.busy)},
	{.name = "serve", .type = V_PLIST, AT(T, cfg.allowed),
	 CNT(T, cfg.n_allowed)},
	{.name = "max-visitors", U32(T, cfg.max_visitors, 1, 1u << 20),
	 .def = MIP4_FA_DEFAULT_MAX_VISITORS},
	{.name = "route-table", U32(T, table, 1, 0xfffffeffu),
	 .set = set_fa_table},
	{.name = "tunnel-device", .type = V_IFNAME, AT(T, tunnel_dev)},
	{.name = "home-agent", .set = set_peer, .print = print_peers,
	 .aux = &fa_has},
	{.name = "mobile-node", .set = set_peer, .print = print_peers,
	 .aux = &fa_mns},
	{.name = NULL},
};
#undef T

static int fa_check(struct parse *ps, struct mip4_config_farole *r,
		    unsigned line, const struct seen *s)
{
	struct mip4_fa_cfg *cfg = &r->cfg;
	char nb[16];

	if (!r->ifname[0])
		return perr(ps, line, "foreign-agent: no interface");
	if (!cfg->n_coa)
		return perr(ps, line, "foreign-agent: no care-of-address");
	if (!seen_at(s, fa_opts, "advertise-lifetime", false))
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

/* foreign-agent { ... }: one foreign agent on one link (RFC 5944 §3.7). */
static int set_farole(struct parse *ps, const struct opt *o, void *base)
{
	struct mip4_config *c = base;
	unsigned line = ps->tok_line;
	struct seen s = {{0}, {0}};

	(void)o;
	if (c->have_fa)
		return perr(ps, line, "foreign-agent: only one such block");
	c->have_fa = true;
	if (expect_lbrace(ps, "foreign-agent") < 0 ||
	    block_parse(ps, fa_opts, &c->fa, "foreign-agent", line, 0, &s) < 0)
		return -1;
	return fa_check(ps, &c->fa, line, &s);
}

/* ---- top level ----------------------------------------------------- */

static void print_role(const struct pr *p, const struct opt *o,
		       const void *base)
{
	const struct mip4_config *c = base;

	if (o->set == set_ha && c->have_ha)
		print_block(p, o->name, ha_opts, &c->ha, 0);
	else if (o->set == set_farole && c->have_fa)
		print_block(p, o->name, fa_opts, &c->fa, 0);
	else if (o->set == set_mnrole && c->have_mn)
		print_block(p, o->name, mn_opts, &c->mn, F_INNER);
}

/* normal: survives kill -9; full: also power loss */
static const struct words sync_modes = {
	"state-sync: want normal or full, not ", "",
	{{"normal", 0}, {"full", 1}, {NULL, 0}}};

#define T struct mip4_config
static const struct opt top_opts[] = {
	{.name = "control-socket", .type = V_PATH, AT(T, control_socket)},
	{.name = "state-db", .type = V_PATH, AT(T, state_db)},
	{.name = "state-sync", .type = V_ENUM, AT(T, state_sync_full),
	 .en = &sync_modes},
	{.name = "home-agent", .set = set_ha, .print = print_role},
	{.name = "foreign-agent", .set = set_farole, .print = print_role},
	{.name = "mobile-node", .set = set_mnrole, .print = print_role},
	{.name = NULL},
};
#undef T

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
	ps->name = name;
	ps->p = text ? text : "";
	ps->end = ps->p + (text ? len : 0); /* no arithmetic on NULL */
	ps->line = 1;
	ps->err = err;
	ps->errlen = errlen;
	ps->c = out;
	rc = block_parse(ps, top_opts, out, NULL, 0, 0, NULL);
	if (rc == 0 && !out->have_ha && !out->have_mn && !out->have_fa)
		rc = perr(ps, 0, "no role configured (home-agent { ... }, "
				 "foreign-agent { ... } or mobile-node "
				 "{ ... })");
	free(ps);
	if (rc < 0)
		mip4_config_free(out);
	return rc < 0 ? -1 : 0;
}

static bool config_has_keys(const struct mip4_config *c)
{
	return (c->have_ha && (c->ha.n_mn || c->ha.n_fa)) || c->have_mn ||
	       (c->have_fa && (c->fa.n_mn || c->fa.n_ha));
}

/* Read fd to its end into *buf (*len bytes); -1 with a message. */
static int read_all(int fd, const char *path, char **buf, size_t *len,
		    char *err, size_t errlen)
{
	size_t cap = 0;

	for (;;) {
		ssize_t n;

		if (*len == cap) {
			char *nb;

			if (cap >= MIP4_CONFIG_FILE_MAX)
				return snprintf(err, errlen,
						"%s: larger than %u bytes", path,
						MIP4_CONFIG_FILE_MAX),
				       -1;
			cap = cap ? cap * 2 : 65536;
			nb = realloc(*buf, cap);
			if (!nb)
				return snprintf(err, errlen, "%s: out of memory",
						path),
				       -1;
			*buf = nb;
		}
		n = read(fd, *buf + *len, cap - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return snprintf(err, errlen, "%s: %s", path,
					strerror(errno)),
			       -1;
		if (n == 0)
			return 0;
		*len += (size_t)n;
	}
}

int mip4_config_parse_file(const char *path, struct mip4_config *out,
			   char *err, size_t errlen)
{
	/* O_NONBLOCK: a FIFO (or a device) at path must not hang open(),
	 * on start or on a SIGHUP reload; anything but a regular file is
	 * refused below, and reading a regular file never blocks. */
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
	if (rc == 0 && config_has_keys(out) && (st.st_mode & 077)) {
		(void)snprintf(err, errlen,
			       "%s: keys in a file others can read (mode "
			       "%04o); chmod 600 it",
			       path, (unsigned)(st.st_mode & 07777));
		mip4_config_free(out);
		rc = -1;
	}
	return rc;
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

void mip4_config_print_flags(const struct mip4_config *c, FILE *f,
			     unsigned flags)
{
	const struct pr p = {f, flags, F_INNER, tabs + sizeof tabs - 1, c};

	fputs("# mip4d configuration, every default explicit\n", f);
	print_opts(&p, top_opts, c);
}

void mip4_config_print(const struct mip4_config *c, FILE *f)
{
	mip4_config_print_flags(c, f, 0);
}
