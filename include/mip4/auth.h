/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mip4/auth.h - registration authenticators (RFC 5944 §3.5.1, §5.1) and
 * mobility security associations.  HMAC-MD5 and keyed MD5 come from
 * OpenSSL libcrypto.
 */
#ifndef MIP4_AUTH_H
#define MIP4_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mip4/wire.h"

#define MIP4_MD5_LEN 16
#define MIP4_KEY_MAX 64

enum mip4_alg {
	MIP4_ALG_HMAC_MD5 = 1,	/* default, RFC 2104 */
	MIP4_ALG_KEYED_MD5 = 2, /* MD5(key || data || key), for compatibility */
};

enum mip4_replay_method {
	MIP4_REPLAY_TIMESTAMP = 1, /* RFC 5944 §5.7.1 (mandatory) */
	MIP4_REPLAY_NONCE = 2,	   /* RFC 5944 §5.7.2 */
};

/* A mobility security association. */
struct mip4_sa {
	uint32_t spi;
	enum mip4_alg alg;
	uint8_t key[MIP4_KEY_MAX];
	size_t key_len;
	enum mip4_replay_method replay;
	uint32_t tolerance; /* timestamp tolerance in seconds (default 7) */
};

/* Fill an SA with defaults (HMAC-MD5, timestamps, 7 s).  Returns -1 if the
 * key is empty or longer than MIP4_KEY_MAX. */
int mip4_sa_init(struct mip4_sa *sa, uint32_t spi, const void *key,
		 size_t key_len);
const char *mip4_alg_str(enum mip4_alg alg);
/* Parse "hmac-md5" / "keyed-md5"; -1 if unknown. */
int mip4_alg_parse(const char *s, enum mip4_alg *alg);

/* Compute the 16-byte authenticator over data[0..len) with sa's
 * algorithm.  Returns 0, or -1 if libcrypto fails. */
int mip4_auth_compute(const struct mip4_sa *sa, const uint8_t *data,
		      size_t len, uint8_t out[MIP4_MD5_LEN]);

/*
 * libcrypto's algorithms fetched once and a context kept, for whoever
 * computes many authenticators (a home agent: two per registration).
 * Without one each authenticator fetches HMAC and MD5 anew and builds and
 * frees a context (the one-shot HMAC()), about three times the cost of the
 * hashing itself.  The *_ctx functions below take one, or NULL for the
 * one-shot way; both give the same bytes.  Not for two threads at once.
 * NULL when out of memory or when libcrypto has no HMAC-MD5.
 */
struct mip4_auth_ctx;
struct mip4_auth_ctx *mip4_auth_ctx_new(void);
void mip4_auth_ctx_free(struct mip4_auth_ctx *c);
int mip4_auth_compute_ctx(struct mip4_auth_ctx *c, const struct mip4_sa *sa,
			  const uint8_t *data, size_t len,
			  uint8_t out[MIP4_MD5_LEN]);

enum mip4_auth_result {
	MIP4_AUTH_OK = 0,
	MIP4_AUTH_BAD = 1,	/* authenticator does not match */
	MIP4_AUTH_MISSING = 2,	/* no such extension */
	MIP4_AUTH_BAD_SPI = 3,	/* SPI differs from the SA's */
	MIP4_AUTH_BAD_LEN = 4,	/* authenticator length is not 16 */
	MIP4_AUTH_ERROR = 5,	/* libcrypto failure */
};
const char *mip4_auth_result_str(enum mip4_auth_result r);

/*
 * Verify one authentication extension of a decoded message (types 32, 33,
 * 34, or 36).  Coverage per RFC 5944 §3.5.1 / RFC 4721 §6: the message and
 * every prior extension, plus this extension's header and SPI.  The
 * comparison is constant-time.
 */
enum mip4_auth_result mip4_auth_verify(const struct mip4_sa *sa,
				       const struct mip4_msg *m,
				       const struct mip4_ext *ext);

enum mip4_auth_result mip4_auth_verify_ctx(struct mip4_auth_ctx *c,
					   const struct mip4_sa *sa,
					   const struct mip4_msg *m,
					   const struct mip4_ext *ext);

/* Find the first extension of `type` in m and verify it. */
enum mip4_auth_result mip4_auth_verify_type(const struct mip4_sa *sa,
					    const struct mip4_msg *m,
					    uint8_t type);

/*
 * Append an authentication extension (32, 33 or 34) to a message being
 * built in b, computing the authenticator over everything already in b.
 */
void mip4_auth_append(struct mip4_buf *b, uint8_t type,
		      const struct mip4_sa *sa);
void mip4_auth_append_ctx(struct mip4_auth_ctx *c, struct mip4_buf *b,
			  uint8_t type, const struct mip4_sa *sa);
/* Same for the generalized extension 36 with a sub-type (1 = MN-AAA). */
void mip4_auth_append_gen(struct mip4_buf *b, uint8_t subtype,
			  const struct mip4_sa *sa);

#endif
