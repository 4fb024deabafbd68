/* SPDX-License-Identifier: BSD-2-Clause */
/* Mobility binding table: two chained hash tables and a timer wheel. */
#include "mip4/binding.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define WHEEL_BITS 12
#define WHEEL_SLOTS (1u << WHEEL_BITS) /* one-second slots: ~68 min */
#define WHEEL_MASK (WHEEL_SLOTS - 1)

struct mip4_btable {
	struct mip4_binding **by_addr;
	struct mip4_binding **by_nai;
	unsigned bits;	  /* both hash tables have 1 << bits buckets */
	size_t count;
	uint64_t cursor_s; /* wheel position: first second not yet done */
	bool cursor_set;
	struct mip4_binding *wheel[WHEEL_SLOTS];
};

/* Fibonacci hashing spreads consecutive home addresses evenly. */
static size_t addr_bucket(uint32_t a, unsigned bits)
{
	return (size_t)((a * 2654435769u) >> (32 - bits));
}

/* FNV-1a, 32 bit. */
static uint32_t nai_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++) {
		h ^= (uint8_t)s[i];
		h *= 16777619u;
	}
	return h;
}

static size_t nai_bucket(uint32_t h, unsigned bits)
{
	return (size_t)((h * 2654435769u) >> (32 - bits));
}

struct mip4_btable *mip4_btable_new(size_t hint)
{
	struct mip4_btable *t = calloc(1, sizeof *t);
	unsigned bits = 4;

	if (!t)
		return NULL;
	while (bits < 30 && ((size_t)1 << bits) < hint)
		bits++;
	t->bits = bits;
	t->by_addr = calloc((size_t)1 << bits, sizeof(struct mip4_binding *));
	t->by_nai = calloc((size_t)1 << bits, sizeof(struct mip4_binding *));
	if (!t->by_addr || !t->by_nai) {
		free(t->by_addr);
		free(t->by_nai);
		free(t);
		return NULL;
	}
	return t;
}

static void binding_free(struct mip4_binding *b)
{
	free(b->nai);
	free(b);
}

void mip4_btable_free(struct mip4_btable *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < ((size_t)1 << t->bits); i++) {
		struct mip4_binding *b = t->by_addr[i];

		while (b) {
			struct mip4_binding *next = b->addr_next;

			binding_free(b);
			b = next;
		}
	}
	free(t->by_addr);
	free(t->by_nai);
	free(t);
}

size_t mip4_btable_count(const struct mip4_btable *t)
{
	return t->count;
}

size_t mip4_btable_overhead(const struct mip4_btable *t)
{
	return sizeof *t + 2 * ((size_t)1 << t->bits) * sizeof(void *);
}

struct mip4_binding *mip4_btable_get(const struct mip4_btable *t,
				     uint32_t home_addr)
{
	struct mip4_binding *b = t->by_addr[addr_bucket(home_addr, t->bits)];

	while (b && b->home_addr != home_addr)
		b = b->addr_next;
	return b;
}

struct mip4_binding *mip4_btable_get_nai(const struct mip4_btable *t,
					 const char *nai, size_t len)
{
	uint32_t h = nai_hash(nai, len);
	struct mip4_binding *b = t->by_nai[nai_bucket(h, t->bits)];

	for (; b; b = b->nai_next)
		if (b->nai_hash == h && b->nai_len == len &&
		    memcmp(b->nai, nai, len) == 0)
			return b;
	return NULL;
}

/* Double both hash tables; on allocation failure keep the old ones (the
 * table still works, with longer chains). */
static void grow(struct mip4_btable *t)
{
	unsigned nbits = t->bits + 1;
	size_t n = (size_t)1 << t->bits;
	struct mip4_binding **a = calloc(n * 2, sizeof(struct mip4_binding *));
	struct mip4_binding **s = calloc(n * 2, sizeof(struct mip4_binding *));

	if (!a || !s) {
		free(a);
		free(s);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct mip4_binding *b = t->by_addr[i], *next;

		for (; b; b = next) {
			size_t k = addr_bucket(b->home_addr, nbits);

			next = b->addr_next;
			b->addr_next = a[k];
			a[k] = b;
		}
		for (b = t->by_nai[i]; b; b = next) {
			size_t k = nai_bucket(b->nai_hash, nbits);

			next = b->nai_next;
			b->nai_next = s[k];
			s[k] = b;
		}
	}
	free(t->by_addr);
	free(t->by_nai);
	t->by_addr = a;
	t->by_nai = s;
	t->bits = nbits;
}

static void wheel_link(struct mip4_btable *t, struct mip4_binding *b)
{
	uint64_t s = b->expires_ms / 1000;
	struct mip4_binding **slot;

	if (!t->cursor_set) {
		t->cursor_s = s;
		t->cursor_set = true;
	}
	if (s < t->cursor_s) /* already due: the next sweep's first slot */
		s = t->cursor_s;
	b->wheel_slot = (uint16_t)(s & WHEEL_MASK);
	slot = &t->wheel[b->wheel_slot];
	b->wheel_prev = NULL;
	b->wheel_next = *slot;
	if (*slot)
		(*slot)->wheel_prev = b;
	*slot = b;
}

static void wheel_unlink(struct mip4_btable *t, struct mip4_binding *b)
{
	if (b->wheel_prev)
		b->wheel_prev->wheel_next = b->wheel_next;
	else
		t->wheel[b->wheel_slot] = b->wheel_next;
	if (b->wheel_next)
		b->wheel_next->wheel_prev = b->wheel_prev;
	b->wheel_prev = b->wheel_next = NULL;
}

struct mip4_binding *mip4_btable_add(struct mip4_btable *t, uint32_t home_addr,
				     const char *nai, size_t nai_len,
				     uint64_t expires_ms)
{
	struct mip4_binding *b;
	size_t k;

	if (mip4_btable_get(t, home_addr) ||
	    (nai && nai_len && mip4_btable_get_nai(t, nai, nai_len))) {
		errno = EEXIST;
		return NULL;
	}
	if (nai_len > 255) {
		errno = EINVAL;
		return NULL;
	}
	b = calloc(1, sizeof *b);
	if (!b)
		return NULL;
	if (nai && nai_len) {
		b->nai = malloc(nai_len + 1);
		if (!b->nai) {
			free(b);
			return NULL;
		}
		memcpy(b->nai, nai, nai_len);
		b->nai[nai_len] = '\0';
		b->nai_len = (uint8_t)nai_len;
		b->nai_hash = nai_hash(nai, nai_len);
	}
	if (t->count >= ((size_t)1 << t->bits) && t->bits < 30)
		grow(t);
	b->home_addr = home_addr;
	b->expires_ms = expires_ms;
	k = addr_bucket(home_addr, t->bits);
	b->addr_next = t->by_addr[k];
	t->by_addr[k] = b;
	if (b->nai) {
		k = nai_bucket(b->nai_hash, t->bits);
		b->nai_next = t->by_nai[k];
		t->by_nai[k] = b;
	}
	wheel_link(t, b);
	t->count++;
	return b;
}

void mip4_btable_touch(struct mip4_btable *t, struct mip4_binding *b,
		       uint64_t expires_ms)
{
	wheel_unlink(t, b);
	b->expires_ms = expires_ms;
	wheel_link(t, b);
}

static void unlink_hashes(struct mip4_btable *t, struct mip4_binding *b)
{
	struct mip4_binding **pp = &t->by_addr[addr_bucket(b->home_addr, t->bits)];

	while (*pp && *pp != b)
		pp = &(*pp)->addr_next;
	if (*pp)
		*pp = b->addr_next;
	if (b->nai) {
		pp = &t->by_nai[nai_bucket(b->nai_hash, t->bits)];
		while (*pp && *pp != b)
			pp = &(*pp)->nai_next;
		if (*pp)
			*pp = b->nai_next;
	}
}

void mip4_btable_del(struct mip4_btable *t, struct mip4_binding *b)
{
	unlink_hashes(t, b);
	wheel_unlink(t, b);
	t->count--;
	binding_free(b);
}

size_t mip4_btable_expire(struct mip4_btable *t, uint64_t now_ms,
			  void (*expired)(void *ctx, const struct mip4_binding *b),
			  void *ctx)
{
	uint64_t now_s = now_ms / 1000;
	uint64_t steps;
	size_t n = 0;

	if (!t->cursor_set || now_s < t->cursor_s)
		return 0;
	steps = now_s - t->cursor_s + 1;
	if (steps > WHEEL_SLOTS)
		steps = WHEEL_SLOTS;
	for (uint64_t i = 0; i < steps; i++) {
		struct mip4_binding *b = t->wheel[(t->cursor_s + i) & WHEEL_MASK];

		while (b) {
			struct mip4_binding *next = b->wheel_next;

			if (b->expires_ms <= now_ms) {
				if (expired)
					expired(ctx, b);
				mip4_btable_del(t, b);
				n++;
			}
			b = next;
		}
	}
	/* The current second may still hold bindings due later in it. */
	t->cursor_s = now_s;
	return n;
}

int mip4_btable_foreach(const struct mip4_btable *t,
			int (*fn)(void *ctx, const struct mip4_binding *b),
			void *ctx)
{
	for (size_t i = 0; i < ((size_t)1 << t->bits); i++)
		for (const struct mip4_binding *b = t->by_addr[i]; b;
		     b = b->addr_next) {
			int rc = fn(ctx, b);

			if (rc)
				return rc;
		}
	return 0;
}
