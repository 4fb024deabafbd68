/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/config_index.c - the home agent's indexes, and the lookups.
 *
 * When a home-agent block closes, its mobile nodes are hashed by home
 * address and by NAI (mnindex.h: O(1) lookups, one per request) and its
 * foreign agents sorted by address (O(log n)); building them finds
 * repeated addresses, NAIs and SPIs, reported on the later line.  A foreign
 * agent's few SAs are searched linearly.
 */
#include <stdlib.h>
#include <string.h>

#include "config_int.h"
#include "mip4/ip.h"

static int ix_cmp(const void *a, const void *b)
{
	const struct mip4_config_ix *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
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

/* The mobile nodes into the index ix (by address or by NAI), in file
 * order, so that the first repeat met is the one whose later entry comes
 * first in the file: false with *a (the earlier) and *b set, or true.
 * *oom: out of memory. */
static bool mn_index_unique(struct mnindex *ix, const struct mip4_config_ha *h,
			    size_t *a, size_t *b, bool *oom)
{
	for (size_t i = 0; i < h->n_mn; i++) {
		uint32_t dup = 0;
		int rc;

		if (ix->by_nai ? !h->mn[i].nai : !h->mn[i].home_addr)
			continue;
		rc = mnindex_add(ix, h->mn, (uint32_t)i, &dup);
		if (rc < 0) {
			*oom = true;
			return false;
		}
		if (rc == 1) {
			*a = dup, *b = i;
			return false;
		}
	}
	return true;
}

int cfg_build_indexes(struct parse *ps, struct mip4_config_ha *h)
{
	struct mip4_config_ix *fa;
	size_t a = 0, b = 0, n_nai = 0, n_addr = 0;
	bool oom = false;
	char nb[16];

	mnindex_init(&h->mn_by_addr, false);
	mnindex_init(&h->mn_by_nai, true);
	for (size_t i = 0; i < h->n_mn; i++) {
		n_nai += h->mn[i].nai != NULL;
		n_addr += h->mn[i].home_addr != 0;
	}
	fa = h->fa_by_addr = calloc(h->n_fa + 1, sizeof *h->fa_by_addr);
	if (!fa ||
	    (n_addr && mnindex_reserve(&h->mn_by_addr, h->mn, n_addr) < 0) ||
	    (n_nai && mnindex_reserve(&h->mn_by_nai, h->mn, n_nai) < 0))
		return cfg_perr(ps, 0, "out of memory");
	if (!mn_index_unique(&h->mn_by_addr, h, &a, &b, &oom))
		return oom ? cfg_perr(ps, 0, "out of memory")
			   : cfg_perr(ps, h->mn_line[b],
				      "home address %s already served by the "
				      "mobile-node on line %u",
				      mip4_ntoa(h->mn[b].home_addr, nb),
				      h->mn_line[a]);
	if (!mn_index_unique(&h->mn_by_nai, h, &a, &b, &oom))
		return oom ? cfg_perr(ps, 0, "out of memory")
			   : cfg_perr(ps, h->mn_line[b],
				      "mobile-node nai %s already declared on "
				      "line %u",
				      h->mn[b].nai, h->mn_line[a]);
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

long cfg_find_mn_pos(const struct mip4_config *c, uint32_t home_addr,
		     const char *nai, size_t nai_len)
{
	const struct mip4_config_ha *h = &c->ha;

	if (!c->have_ha || nai_len > MIP4_CONFIG_NAI_MAX ||
	    (!nai_len && !home_addr))
		return -1;
	return nai_len ? mnindex_find_nai(&h->mn_by_nai, h->mn, nai, nai_len)
		       : mnindex_find_addr(&h->mn_by_addr, h->mn, home_addr);
}

/* Past this many notes a load carries every node over again at its end
 * (16 MiB of notes; at 100k requests a second, 40 s of loading). */
#define TOUCH_MAX (1u << 22)

static void touch(struct mip4_config_touch *t, uint32_t i)
{
	if (t->overflow)
		return;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024;
		uint32_t *a = cap <= TOUCH_MAX
				      ? realloc(t->idx, cap * sizeof *a)
				      : NULL;

		if (!a) {
			t->overflow = true;
			return;
		}
		t->idx = a;
		t->cap = cap;
	}
	t->idx[t->n++] = i;
}

struct mip4_ha_mn *mip4_config_find_mn(const struct mip4_config *c,
				       uint32_t home_addr, const char *nai,
				       size_t nai_len)
{
	long i = cfg_find_mn_pos(c, home_addr, nai, nai_len);

	if (i < 0)
		return NULL;
	if (c->touch)
		touch(c->touch, (uint32_t)i);
	return &c->ha.mn[i];
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

