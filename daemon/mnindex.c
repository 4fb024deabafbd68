/* SPDX-License-Identifier: BSD-2-Clause */
/* daemon/mnindex.c - configured mobile nodes by address or NAI (mnindex.h). */
#include "mnindex.h"

#include <stdlib.h>
#include <string.h>

#define POS_BITS 25
#define POS_MASK ((1u << POS_BITS) - 1)
#define MIN_SLOTS 16u

/* splitmix64's finaliser: every bit of the key moves every bit of the
 * hash, so that consecutive home addresses spread. */
static uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint64_t hash_addr(uint32_t a)
{
	return mix(a);
}

/* FNV-1a, 64 bit, then mixed (its low bits alone spread poorly). */
static uint64_t hash_nai(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++) {
		h ^= (uint8_t)s[i];
		h *= 0x100000001b3ull;
	}
	return mix(h);
}

static uint64_t hash_of(const struct mnindex *ix, const struct mip4_ha_mn *m)
{
	return ix->by_nai ? hash_nai(m->nai, strlen(m->nai))
			  : hash_addr(m->home_addr);
}

/* The 7 bits kept in a slot beside the position. */
static uint32_t tag_of(uint64_t h)
{
	return (uint32_t)(h >> 57) << POS_BITS;
}

void mnindex_init(struct mnindex *ix, bool by_nai)
{
	memset(ix, 0, sizeof *ix);
	ix->by_nai = by_nai;
}

void mnindex_free(struct mnindex *ix)
{
	free(ix->slot);
	ix->slot = NULL;
	ix->mask = 0;
	ix->n = 0;
}

/* Put position i (hash h) in the first free slot from its own. */
static void place(uint32_t *slot, uint32_t mask, uint64_t h, uint32_t i)
{
	uint32_t p = (uint32_t)h & mask;

	while (slot[p])
		p = (p + 1) & mask;
	slot[p] = tag_of(h) | (i + 1);
}

/* Move to a table of `slots` slots (a power of two). */
static int resize(struct mnindex *ix, const struct mip4_ha_mn *mn,
		  uint32_t slots)
{
	uint32_t *s = calloc(slots, sizeof *s);

	if (!s)
		return -1;
	for (uint32_t k = 0; ix->slot && k <= ix->mask; k++) {
		uint32_t v = ix->slot[k];

		if (v)
			place(s, slots - 1, hash_of(ix, &mn[(v & POS_MASK) - 1]),
			      (v & POS_MASK) - 1);
	}
	free(ix->slot);
	ix->slot = s;
	ix->mask = slots - 1;
	return 0;
}

int mnindex_reserve(struct mnindex *ix, const struct mip4_ha_mn *mn, size_t n)
{
	uint32_t slots = ix->slot ? ix->mask + 1 : MIN_SLOTS;

	if (n > MNINDEX_MAX)
		return -1;
	while ((size_t)slots < 2 * n)
		slots *= 2;
	return ix->slot && slots == ix->mask + 1 ? 0 : resize(ix, mn, slots);
}

/* The slot of the node with key (h, match), or of the empty slot where it
 * would go. */
static uint32_t probe(const struct mnindex *ix, uint64_t h,
		      const struct mip4_ha_mn *mn,
		      bool (*match)(const struct mip4_ha_mn *m, const void *key,
				    size_t len),
		      const void *key, size_t len)
{
	uint32_t p = (uint32_t)h & ix->mask, tag = tag_of(h);

	for (;; p = (p + 1) & ix->mask) {
		uint32_t v = ix->slot[p];

		if (!v || ((v & ~POS_MASK) == tag &&
			   match(&mn[(v & POS_MASK) - 1], key, len)))
			return p;
	}
}

static bool match_addr(const struct mip4_ha_mn *m, const void *key, size_t len)
{
	(void)len;
	return m->home_addr == *(const uint32_t *)key;
}

/* A NAI from the network may hold NUL bytes: it matches a configured one
 * (NUL-terminated, without any) only when both have the same length. */
static bool match_nai(const struct mip4_ha_mn *m, const void *key, size_t len)
{
	return m->nai && strnlen(m->nai, len + 1) == len &&
	       memcmp(m->nai, key, len) == 0;
}

int mnindex_add(struct mnindex *ix, const struct mip4_ha_mn *mn, uint32_t i,
		uint32_t *dup)
{
	const struct mip4_ha_mn *m = &mn[i];
	uint64_t h;
	uint32_t p, v;

	if (i >= MNINDEX_MAX)
		return -1;
	/* never more than half full */
	if ((!ix->slot || 2 * ((size_t)ix->n + 1) > (size_t)ix->mask + 1) &&
	    mnindex_reserve(ix, mn, (size_t)ix->n + 1) < 0)
		return -1;
	h = hash_of(ix, m);
	p = ix->by_nai ? probe(ix, h, mn, match_nai, m->nai, strlen(m->nai))
		       : probe(ix, h, mn, match_addr, &m->home_addr, 0);
	v = ix->slot[p];
	if (v) {
		*dup = (v & POS_MASK) - 1;
		return 1;
	}
	ix->slot[p] = tag_of(h) | (i + 1);
	ix->n++;
	return 0;
}

long mnindex_find_addr(const struct mnindex *ix, const struct mip4_ha_mn *mn,
		       uint32_t home_addr)
{
	uint32_t v;

	if (!ix->slot || ix->by_nai)
		return -1;
	v = ix->slot[probe(ix, hash_addr(home_addr), mn, match_addr,
			   &home_addr, 0)];
	return v ? (long)(v & POS_MASK) - 1 : -1;
}

long mnindex_find_nai(const struct mnindex *ix, const struct mip4_ha_mn *mn,
		      const char *nai, size_t len)
{
	uint32_t v;

	if (!ix->slot || !ix->by_nai)
		return -1;
	v = ix->slot[probe(ix, hash_nai(nai, len), mn, match_nai, nai, len)];
	return v ? (long)(v & POS_MASK) - 1 : -1;
}

size_t mnindex_bytes(const struct mnindex *ix)
{
	return ix->slot ? ((size_t)ix->mask + 1) * sizeof *ix->slot : 0;
}
