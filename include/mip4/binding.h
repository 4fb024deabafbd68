/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mip4/binding.h - the home agent's mobility binding table.
 *
 * O(1) average lookup, insert and delete by home address and by NAI
 * (chained hash tables that double when full), and O(1) amortised expiry
 * through a timer wheel of one-second slots: a binding whose expiry lies
 * beyond the wheel's horizon is re-filed when its slot comes round, so
 * each costs O(1) per horizon crossed.  Pure code: time comes in as
 * milliseconds of a monotonic clock the caller reads.
 */
#ifndef MIP4_BINDING_H
#define MIP4_BINDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum mip4_encap {
	MIP4_ENCAP_IPIP = 0, /* RFC 2003 */
	MIP4_ENCAP_UDP = 1,  /* RFC 3519 type 4 */
};

struct mip4_binding {
	/* table links: owned by the table */
	struct mip4_binding *addr_next, *nai_next;
	struct mip4_binding *wheel_prev, *wheel_next;
	uint64_t expires_ms;
	/* registration state */
	uint64_t last_id;    /* last accepted identification */
	uint32_t home_addr;  /* host byte order */
	uint32_t coa;
	uint32_t peer_addr;  /* source the request came from (NAT aware) */
	uint16_t peer_port;
	uint16_t lifetime;   /* granted, seconds */
	uint16_t keepalive;  /* RFC 3519 keepalive interval granted */
	uint8_t flags;	     /* request flags (S B D M G T) */
	uint8_t encap;	     /* enum mip4_encap */
	uint32_t spi;	     /* SA that authenticated it */
	uint32_t nai_hash;
	uint8_t nai_len;
	uint16_t wheel_slot; /* owned by the table */
	char *nai;	     /* NUL-terminated, or NULL */
	/* per-binding data plane counters */
	uint64_t pkts_to_mn, bytes_to_mn, pkts_from_mn, bytes_from_mn;
};

struct mip4_btable;

/* A table sized for about `hint` bindings (it grows as needed).  NULL when
 * out of memory. */
struct mip4_btable *mip4_btable_new(size_t hint);
/* Frees the table and every binding in it. */
void mip4_btable_free(struct mip4_btable *t);
size_t mip4_btable_count(const struct mip4_btable *t);
/* Bytes the table uses for its own arrays (not counting bindings). */
size_t mip4_btable_overhead(const struct mip4_btable *t);

struct mip4_binding *mip4_btable_get(const struct mip4_btable *t,
				     uint32_t home_addr);
struct mip4_binding *mip4_btable_get_nai(const struct mip4_btable *t,
					 const char *nai, size_t len);

/*
 * Create a binding for home_addr (and optionally an NAI), expiring at
 * expires_ms.  Returns NULL if one exists for that address already (the
 * caller updates it instead), if the NAI is in use, or on allocation
 * failure (errno ENOMEM).
 */
struct mip4_binding *mip4_btable_add(struct mip4_btable *t, uint32_t home_addr,
				     const char *nai, size_t nai_len,
				     uint64_t expires_ms);
/* Move a binding's expiry. */
void mip4_btable_touch(struct mip4_btable *t, struct mip4_binding *b,
		       uint64_t expires_ms);
/* Unlink and free a binding. */
void mip4_btable_del(struct mip4_btable *t, struct mip4_binding *b);

/*
 * Remove every binding whose expiry is <= now_ms, calling `expired` for
 * each just before it is freed (it must not touch the table).  Returns how
 * many expired.  Cost: the wheel slots passed since the last call plus the
 * bindings found in them.
 */
size_t mip4_btable_expire(struct mip4_btable *t, uint64_t now_ms,
			  void (*expired)(void *ctx, const struct mip4_binding *b),
			  void *ctx);

/* Visit every binding (order unspecified); stop early when fn returns
 * non-zero, and return that value. */
int mip4_btable_foreach(const struct mip4_btable *t,
			int (*fn)(void *ctx, const struct mip4_binding *b),
			void *ctx);

#endif
