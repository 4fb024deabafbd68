/* SPDX-License-Identifier: BSD-2-Clause */
/* Registration authenticators, RFC 5944 §3.5.1 and §5.1. */
#include "mip4/auth.h"

#include <string.h>

#include <stdlib.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

struct mip4_auth_ctx {
	EVP_MAC *hmac;
	EVP_MAC_CTX *mac; /* HMAC with MD5, keyed anew each time */
	EVP_MD *md5;
	EVP_MD_CTX *md;	  /* keyed MD5 */
};

struct mip4_auth_ctx *mip4_auth_ctx_new(void)
{
	struct mip4_auth_ctx *c = calloc(1, sizeof *c);
	char digest[] = "MD5";
	OSSL_PARAM p[] = {OSSL_PARAM_construct_utf8_string(
				  OSSL_MAC_PARAM_DIGEST, digest, 0),
			  OSSL_PARAM_construct_end()};

	if (!c)
		return NULL;
	c->hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	c->mac = c->hmac ? EVP_MAC_CTX_new(c->hmac) : NULL;
	c->md5 = EVP_MD_fetch(NULL, "MD5", NULL);
	c->md = EVP_MD_CTX_new();
	if (!c->mac || !c->md5 || !c->md || !EVP_MAC_CTX_set_params(c->mac, p)) {
		mip4_auth_ctx_free(c);
		return NULL;
	}
	return c;
}

void mip4_auth_ctx_free(struct mip4_auth_ctx *c)
{
	if (!c)
		return;
	EVP_MAC_CTX_free(c->mac);
	EVP_MAC_free(c->hmac);
	EVP_MD_CTX_free(c->md);
	EVP_MD_free(c->md5);
	free(c);
}

int mip4_sa_init(struct mip4_sa *sa, uint32_t spi, const void *key,
		 size_t key_len)
{
	memset(sa, 0, sizeof *sa);
	if (key_len == 0 || key_len > MIP4_KEY_MAX)
		return -1;
	sa->spi = spi;
	sa->alg = MIP4_ALG_HMAC_MD5;
	memcpy(sa->key, key, key_len);
	sa->key_len = key_len;
	sa->replay = MIP4_REPLAY_TIMESTAMP;
	sa->tolerance = 7; /* RFC 5944 §5.7.1 default */
	return 0;
}

const char *mip4_alg_str(enum mip4_alg alg)
{
	switch (alg) {
	case MIP4_ALG_HMAC_MD5: return "hmac-md5";
	case MIP4_ALG_KEYED_MD5: return "keyed-md5";
	default: return "unknown";
	}
}

int mip4_alg_parse(const char *s, enum mip4_alg *alg)
{
	if (strcmp(s, "hmac-md5") == 0)
		*alg = MIP4_ALG_HMAC_MD5;
	else if (strcmp(s, "keyed-md5") == 0)
		*alg = MIP4_ALG_KEYED_MD5;
	else
		return -1;
	return 0;
}

const char *mip4_auth_result_str(enum mip4_auth_result r)
{
	switch (r) {
	case MIP4_AUTH_OK: return "ok";
	case MIP4_AUTH_BAD: return "bad";
	case MIP4_AUTH_MISSING: return "missing";
	case MIP4_AUTH_BAD_SPI: return "unknown-spi";
	case MIP4_AUTH_BAD_LEN: return "bad-length";
	case MIP4_AUTH_ERROR: return "error";
	default: return "unknown";
	}
}

/* Keyed MD5 in prefix+suffix mode: MD5(key || data || key). */
static int keyed_md5(struct mip4_auth_ctx *c, const struct mip4_sa *sa,
		     const uint8_t *data, size_t len,
		     uint8_t out[MIP4_MD5_LEN])
{
	EVP_MD_CTX *ctx = c ? c->md : EVP_MD_CTX_new();
	unsigned int n = 0;
	int ok;

	if (!ctx)
		return -1;
	ok = EVP_DigestInit_ex(ctx, c ? c->md5 : EVP_md5(), NULL) &&
	     EVP_DigestUpdate(ctx, sa->key, sa->key_len) &&
	     EVP_DigestUpdate(ctx, data, len) &&
	     EVP_DigestUpdate(ctx, sa->key, sa->key_len) &&
	     EVP_DigestFinal_ex(ctx, out, &n);
	if (!c)
		EVP_MD_CTX_free(ctx);
	return ok && n == MIP4_MD5_LEN ? 0 : -1;
}

static int hmac_md5(struct mip4_auth_ctx *c, const struct mip4_sa *sa,
		    const uint8_t *data, size_t len, uint8_t out[MIP4_MD5_LEN])
{
	unsigned int n = 0;
	size_t cn = 0;

	if (!c)
		return HMAC(EVP_md5(), sa->key, (int)sa->key_len, data, len,
			    out, &n) && n == MIP4_MD5_LEN
			       ? 0
			       : -1;
	return EVP_MAC_init(c->mac, sa->key, sa->key_len, NULL) &&
		       EVP_MAC_update(c->mac, data, len) &&
		       EVP_MAC_final(c->mac, out, &cn, MIP4_MD5_LEN) &&
		       cn == MIP4_MD5_LEN
		       ? 0
		       : -1;
}

int mip4_auth_compute_ctx(struct mip4_auth_ctx *c, const struct mip4_sa *sa,
			  const uint8_t *data, size_t len,
			  uint8_t out[MIP4_MD5_LEN])
{
	switch (sa->alg) {
	case MIP4_ALG_HMAC_MD5:
		return hmac_md5(c, sa, data, len, out);
	case MIP4_ALG_KEYED_MD5:
		return keyed_md5(c, sa, data, len, out);
	default:
		return -1;
	}
}

int mip4_auth_compute(const struct mip4_sa *sa, const uint8_t *data,
		      size_t len, uint8_t out[MIP4_MD5_LEN])
{
	return mip4_auth_compute_ctx(NULL, sa, data, len, out);
}

enum mip4_auth_result mip4_auth_verify(const struct mip4_sa *sa,
				       const struct mip4_msg *m,
				       const struct mip4_ext *ext)
{
	return mip4_auth_verify_ctx(NULL, sa, m, ext);
}

enum mip4_auth_result mip4_auth_verify_ctx(struct mip4_auth_ctx *c,
					   const struct mip4_sa *sa,
					   const struct mip4_msg *m,
					   const struct mip4_ext *ext)
{
	uint8_t want[MIP4_MD5_LEN];
	size_t covered;

	if (!ext)
		return MIP4_AUTH_MISSING;
	if (ext->u.auth.spi != sa->spi)
		return MIP4_AUTH_BAD_SPI;
	if (ext->u.auth.auth_len != MIP4_MD5_LEN)
		return MIP4_AUTH_BAD_LEN;
	/* Everything before the authenticator field itself. */
	covered = (size_t)(ext->u.auth.auth - m->buf);
	if (mip4_auth_compute_ctx(c, sa, m->buf, covered, want) < 0)
		return MIP4_AUTH_ERROR;
	return CRYPTO_memcmp(want, ext->u.auth.auth, MIP4_MD5_LEN) == 0
		       ? MIP4_AUTH_OK
		       : MIP4_AUTH_BAD;
}

enum mip4_auth_result mip4_auth_verify_type(const struct mip4_sa *sa,
					    const struct mip4_msg *m,
					    uint8_t type)
{
	return mip4_auth_verify(sa, m, mip4_msg_find_ext(m, type, -1));
}

static void append(struct mip4_auth_ctx *c, struct mip4_buf *b,
		   uint8_t *hdr, size_t hdr_len, const struct mip4_sa *sa)
{
	uint8_t *p = mip4_buf_put(b, hdr_len + MIP4_MD5_LEN);

	if (!p)
		return;
	memcpy(p, hdr, hdr_len);
	if (mip4_auth_compute_ctx(c, sa, b->p, b->len - MIP4_MD5_LEN,
				  p + hdr_len) < 0)
		b->overflow = true; /* signal failure: never send a bad MAC */
}

void mip4_auth_append_ctx(struct mip4_auth_ctx *c, struct mip4_buf *b,
			  uint8_t type, const struct mip4_sa *sa)
{
	uint8_t hdr[6];

	hdr[0] = type;
	hdr[1] = 4 + MIP4_MD5_LEN;
	mip4_put32(hdr + 2, sa->spi);
	append(c, b, hdr, sizeof hdr, sa);
}

void mip4_auth_append(struct mip4_buf *b, uint8_t type,
		      const struct mip4_sa *sa)
{
	mip4_auth_append_ctx(NULL, b, type, sa);
}

void mip4_auth_append_gen(struct mip4_buf *b, uint8_t subtype,
			  const struct mip4_sa *sa)
{
	uint8_t hdr[8];

	hdr[0] = MIP4_EXT_GEN_AUTH;
	hdr[1] = subtype;
	mip4_put16(hdr + 2, 4 + MIP4_MD5_LEN);
	mip4_put32(hdr + 4, sa->spi);
	append(NULL, b, hdr, sizeof hdr, sa);
}
