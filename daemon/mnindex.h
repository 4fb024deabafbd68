/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/mnindex.h - the home agent's index of its configured mobile nodes,
 * by home address or by NAI, for the lookup every request makes
 * (mip4_config_find_mn()): O(1) where a sorted array took O(log n) cache
 * misses (bench/README.md §2).
 *
 * Open addressing with linear probing, never more than half full, doubling
 * as it fills.  A slot is 4 bytes: the node's position in the caller's
 * array plus one (0: an empty slot) in the low 25 bits, and 7 bits of the
 * key's hash above them, so that a probe that meets another key seldom
 * reads that node.  8.4 to 16.8 bytes per node and index; nothing per node
 * besides.  The nodes stay where the caller keeps them (an array of struct
 * mip4_ha_mn, which may move between calls: positions, not pointers, are
 * stored); an index of NAIs reads theirs through mn[i].nai.
 */
#ifndef MIP4D_MNINDEX_H
#define MIP4D_MNINDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mip4/ha.h"

/* Positions 0 .. MNINDEX_MAX - 1 (the configuration allows 2^24 nodes). */
#define MNINDEX_MAX ((1u << 25) - 1)

struct mnindex {
	uint32_t *slot;
	uint32_t mask; /* slots - 1; 0 before the first add */
	uint32_t n;    /* nodes in it */
	bool by_nai;   /* keyed by NAI, else by home address */
};

/* An empty index (no allocation yet). */
void mnindex_init(struct mnindex *ix, bool by_nai);
void mnindex_free(struct mnindex *ix);

/* Room for n nodes without growing: 0, or -1 when out of memory. */
int mnindex_reserve(struct mnindex *ix, const struct mip4_ha_mn *mn, size_t n);

/*
 * Index mn[i] by its home address (which must not be 0) or its NAI (not
 * NULL).  0 when added; 1 when a node with that key is in already (*dup:
 * its position; mn[i] is not added); -1 when out of memory or i is beyond
 * MNINDEX_MAX.
 */
int mnindex_add(struct mnindex *ix, const struct mip4_ha_mn *mn, uint32_t i,
		uint32_t *dup);

/* The position of the node with that key, or -1. */
long mnindex_find_addr(const struct mnindex *ix, const struct mip4_ha_mn *mn,
		       uint32_t home_addr);
long mnindex_find_nai(const struct mnindex *ix, const struct mip4_ha_mn *mn,
		      const char *nai, size_t len);

/* Bytes the index holds. */
size_t mnindex_bytes(const struct mnindex *ix);

#endif
