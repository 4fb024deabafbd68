/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/config_block.c - the block reader of mip4d.conf(5).
 *
 * A table lists a block's options: name, value type, where the value lives
 * in the block's struct (offset, size) and its bounds.  The reader takes
 * the options of one block in any order, finds each in the table, and
 * stores its value with the typed setter of its type (or the option's own
 * setter); a nested block is read the same way, then checked.  The peers
 * of the agents ("NAME ADDRESS { SA }") go into growable arrays.
 */
#include <stdlib.h>
#include <string.h>

#include "config_int.h"
#include "mip4/ip.h"

const struct words *cfg_words(const struct opt *o)
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

int cfg_set_value(struct parse *ps, const struct opt *o, void *base)
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
int cfg_block_parse(struct parse *ps, const struct opt *t, void *base,
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

/* ---- the NAIs of the mobile nodes --------------------------------- */

/* Chunks of NAIs, each NUL-terminated, one after the other: a node keeps
 * a pointer to its own, so chunks never move; a new one is started when
 * the last is full. */
#define TEXT_CHUNK 65536

struct mip4_config_text {
	struct mip4_config_text *next;
	size_t used, size;
	char buf[];
};

const char *cfg_text_keep(struct parse *ps, struct mip4_config_text **head,
			  const char *s)
{
	size_t len = strlen(s) + 1;
	struct mip4_config_text *t = *head;
	char *out;

	if (len > TEXT_CHUNK)
		return cfg_perr(ps, ps->tok_line, "name too long"), NULL;
	if (!t || t->size - t->used < len) {
		t = malloc(sizeof *t + TEXT_CHUNK);
		if (!t)
			return cfg_perr(ps, ps->tok_line, "out of memory"), NULL;
		t->next = *head;
		t->used = 0;
		t->size = TEXT_CHUNK;
		*head = t;
	}
	out = memcpy(t->buf + t->used, s, len);
	t->used += len;
	return out;
}

struct mip4_config_text *cfg_text_block(size_t size)
{
	struct mip4_config_text *t = malloc(sizeof *t + size);

	if (t) {
		t->next = NULL;
		t->used = t->size = size;
	}
	return t;
}

char *cfg_text_buf(struct mip4_config_text *t)
{
	return t->buf;
}

void cfg_text_free(struct mip4_config_text *t)
{
	while (t) {
		struct mip4_config_text *next = t->next;

		free(t);
		t = next;
	}
}

/* ---- peers -------------------------------------------------------- */

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

int cfg_set_peer(struct parse *ps, const struct opt *o, void *base)
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
	if (d->nai && nai[0]) {
		const char *kept = cfg_text_keep(
			ps, &((struct mip4_config_ha *)base)->nai_text, nai);

		if (!kept)
			return -1;
		((struct mip4_ha_mn *)(void *)e)->nai = kept;
	}
	lines[(*n)++] = line;
	return 0;
}

