/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/config_print.c - mip4d.conf(5) printed back.
 *
 * The printer walks the tables the parser reads by, in the same grammar
 * and with every default explicit; keys are redacted unless asked for.
 * Options with a setter of their own have their printer here too.
 */
#include <stdio.h>
#include <string.h>

#include "config_int.h"
#include "mip4/ip.h"

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

/* ---- the options with a printer of their own ---------------------- */

void cfg_print_peers(const struct pr *p, const struct opt *o,
		     const void *base)
{
	const struct peers *d = o->aux;
	const char *arr;
	char nb[16];

	memcpy(&arr, cat(base, d->arr), sizeof arr);
	for (size_t i = 0; i < *(const size_t *)cat(base, d->n); i++) {
		const char *e = arr + i * d->elem;
		const char *nai =
			d->nai ? ((const struct mip4_ha_mn *)(const void *)e)->nai
			       : NULL;
		uint32_t a = get(e, sizeof a);

		if (nai) {
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

void cfg_print_pool(const struct pr *p, const struct opt *o,
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

void cfg_print_metrics(const struct pr *p, const struct opt *o,
		       const void *base)
{
	const struct mip4_config *c = base;
	char nb[16], line[32];

	if (!c->metrics_port)
		return;
	(void)snprintf(line, sizeof line, "%s:%u", mip4_ntoa(c->metrics_addr, nb),
		       (unsigned)c->metrics_port);
	print_line(p, o->name, line);
}

void cfg_print_route(const struct pr *p, const struct opt *o,
		     const void *base)
{
	if (((const struct mip4_config_mnrole *)base)->route_all)
		print_line(p, o->name, "all");
	print_list(p, o, base);
}

void cfg_print_security(const struct pr *p, const struct opt *o,
			const void *base)
{
	fprintf(p->f, "%s%s {", p->ind, o->name);
	print_sa(p->f, &((const struct mip4_config_mnrole *)base)->cfg.sa,
		 p->flags);
}

void cfg_print(const struct mip4_config *c, FILE *f, unsigned flags,
	       const struct opt *top)
{
	static const char tabs[] = "\t\t\t\t";
	const struct pr p = {f, flags, F_INNER, tabs + sizeof tabs - 1, c};

	fputs("# mip4d configuration, every default explicit\n", f);
	print_opts(&p, top, c);
}
