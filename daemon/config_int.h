/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/config_int.h - what the files of the mip4d.conf(5) parser share;
 * not part of the daemon's interface (that is config.h).
 *
 *   config_lex.c    the tokenizer and the value parsers (numbers,
 *                   addresses, prefixes, keys, paths, names)
 *   config_block.c  the block reader: it reads a block's options as the
 *                   block's table (struct opt rows) says, and the peers
 *                   ("NAME ADDRESS { SA }") of the agents, and keeps the
 *                   mobile nodes' NAIs
 *   config_print.c  the printer, which walks the same tables
 *   config_index.c  the home agent's indexes and every lookup
 *   config.c        the tables, the checks run when a block closes, the
 *                   defaults, reading the file, the public entry points
 */
#ifndef MIP4D_CONFIG_INT_H
#define MIP4D_CONFIG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "config.h"

#define TOK_MAX (MIP4_CONFIG_PATH_MAX - 1)
#define OPT_MAX 32  /* an option word is shorter */
#define ROWS_MAX 32 /* options in one table */
#define ROWS_FIT(t)                                                        \
	_Static_assert(sizeof(t) / sizeof(t)[0] <= ROWS_MAX, #t " too long")

enum tok { T_ERR = -1, T_EOF, T_WORD, T_STRING, T_LBRACE, T_RBRACE };

struct parse {
	const char *name, *p, *end;
	unsigned line;
	char *err;
	size_t errlen;
	bool failed;
	enum tok kind; /* the current token */
	unsigned tok_line;
	size_t tok_len;
	char tok[TOK_MAX + 1];
	char opt[OPT_MAX]; /* the option being read, as written */
	unsigned ctx;	   /* F_INNER | F_NAI: what its block allows */
	struct mip4_config *c;
};

/* ---- option tables ------------------------------------------------ */

enum vtype {
	V_FN,	  /* a setter of its own */
	V_U32,	  /* lo..hi, stored times scale in size bytes */
	V_ENUM,	  /* one of the words of en (default: no, yes) */
	V_ADDR,	  /* unicast IPv4 address */
	V_ALIST,  /* addresses, each once; count at cnt */
	V_PREFIX, /* A.B.C.D/N without host bits */
	V_PLIST,  /* prefixes; count at cnt */
	V_PATH,	  /* absolute path */
	V_IFNAME, /* interface name */
	V_NAME,	  /* 1..size-1 bytes */
	V_IFLIST, /* interface names; count at cnt */
	V_KEY,	  /* SA key; its length at cnt */
	V_BLOCK,  /* NAME { the options of table aux }, once; cnt: have_ */
};

#define F_INNER 0x1 /* only in the mobile-node block, not in x-HA's */
#define F_NAI 0x2   /* only in the SA block of an NAI mobile node */
#define F_TRI 0x4   /* V_ENUM no|yes|required into two bools (off, cnt) */
#define F_ROOT 0x8  /* V_BLOCK: off and cnt are in struct mip4_config */

struct word {
	const char *w;
	unsigned v;
};

/* An enum's words and its refusal: pre 'WORD' post (pre NULL: "OPT: 'WORD'
 * is not yes or no"). */
struct words {
	const char *pre, *post;
	struct word w[6];
};

struct pr;
struct seen;
struct opt {
	const char *name, *alias;
	enum vtype type;
	unsigned flags;	       /* F_* */
	size_t off, size, cnt; /* the value in the block's struct; count */
	uint32_t lo, hi;       /* V_U32 bounds; V_BLOCK: lo = its F_INNER */
	uint32_t scale, def;   /* V_U32: stored = given * scale; 0 prints def */
	const char *zero;      /* the word for 0 or "" ("none", "auto") */
	const char *req;       /* required: "BLOCK: no REQ" when missing */
	const char *again;     /* V_BLOCK: the refusal of a second one */
	const struct words *en;
	const void *aux; /* a setter's data, or V_BLOCK's table */
	int (*set)(struct parse *ps, const struct opt *o, void *base);
	void (*print)(const struct pr *p, const struct opt *o,
		      const void *base);
	int (*check)(struct parse *ps, const struct opt *o, void *blk,
		     unsigned line, const struct seen *s); /* V_BLOCK end */
};

/* Where each option of a block was first seen, and its last argument. */
struct seen {
	unsigned first[ROWS_MAX], last[ROWS_MAX];
};

/*
 * Peers with an SA each, "NAME ADDRESS { SA }": the home agent's mobile
 * nodes (also "mobile-node nai NAI { SA }") and foreign agents, the foreign
 * agent's home agents and mobile nodes.  Growable arrays at offsets arr,
 * lines, n and cap of the block's struct; an element starts with the
 * peer's address.
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

/* The NAI s kept in the chunks at *head (the configuration's text): a
 * pointer that lives as long as the chunks, or NULL with the error
 * recorded.  cfg_text_free() frees the chunks. */
const char *cfg_text_keep(struct parse *ps, struct mip4_config_text **head,
			  const char *s);
void cfg_text_free(struct mip4_config_text *t);
/* One chunk of size bytes to fill (an image's NAIs), or NULL. */
struct mip4_config_text *cfg_text_block(size_t size);
char *cfg_text_buf(struct mip4_config_text *t);

/* A value of a block's struct, at an offset from its start. */
static inline void *at(void *base, size_t off)
{
	return (char *)base + off;
}

static inline const void *cat(const void *base, size_t off)
{
	return (const char *)base + off;
}

/* A number stored in size (1, 2 or 4) bytes. */
static inline void put(void *p, size_t size, uint32_t v)
{
	uint16_t v16 = (uint16_t)v;
	uint8_t v8 = (uint8_t)v;

	memcpy(p, size == 1 ? (void *)&v8 : size == 2 ? (void *)&v16 : &v,
	       size);
}

static inline uint32_t get(const void *p, size_t size)
{
	uint32_t v32 = 0;
	uint16_t v16 = 0;
	uint8_t v8 = 0;

	memcpy(size == 1 ? (void *)&v8 : size == 2 ? (void *)&v16 : &v32, p,
	       size);
	return size == 1 ? v8 : size == 2 ? v16 : v32;
}

/* ---- config_lex.c -------------------------------------------------- */

/* The first error, "FILE:LINE: message"; returns -1. */
__attribute__((format(printf, 3, 4))) int
cfg_perr(struct parse *ps, unsigned line, const char *fmt, ...);

/* The tokens that follow an option word (see config_lex.c). */
int cfg_arg(struct parse *ps, const char *opt);
int cfg_expect_lbrace(struct parse *ps, const char *what);
int cfg_next_option(struct parse *ps, const char *who, unsigned line);

/* The value in ps->tok (cfg_parse_addr: in s); `opt` names it in
 * messages.  0, or -1 with the error recorded. */
int cfg_parse_u32(struct parse *ps, const char *opt, uint32_t lo,
		  uint32_t hi, uint32_t *out);
int cfg_parse_addr(struct parse *ps, const char *opt, const char *s,
		   uint32_t *out);
int cfg_parse_prefix(struct parse *ps, const char *opt,
		     struct mip4_prefix *out);
int cfg_parse_key(struct parse *ps, bool quoted, uint8_t *key,
		  size_t *key_len);
int cfg_parse_path(struct parse *ps, const char *opt, char *out, size_t cap);
int cfg_parse_name(struct parse *ps, const char *opt, char *out, size_t cap,
		   bool (*bad)(unsigned char));
int cfg_parse_ifname(struct parse *ps, const char *opt, char *out);
bool cfg_nai_bad(unsigned char u);
unsigned cfg_plen_of(uint32_t mask);

/* ---- config_block.c ------------------------------------------------ */

/* A block's options as its table says (see config_block.c). */
int cfg_block_parse(struct parse *ps, const struct opt *t, void *base,
		    const char *who, unsigned line, unsigned ctx,
		    struct seen *s);
/* The value of option o from ps->tok, as its type says. */
int cfg_set_value(struct parse *ps, const struct opt *o, void *base);
/* The setter of a peer ("NAME ADDRESS { SA }"); o->aux: its struct peers. */
int cfg_set_peer(struct parse *ps, const struct opt *o, void *base);
/* The words of an enum option (default: no, yes). */
const struct words *cfg_words(const struct opt *o);

/* ---- config.c ------------------------------------------------------ */

/* The body of an SA block after its '{'. */
int cfg_parse_sa_block(struct parse *ps, const char *who, unsigned line,
		       struct mip4_sa *sa, uint32_t *home_addr);

/* ---- config_print.c ------------------------------------------------ */

/* c in the file grammar, from table top (flags: MIP4_CONFIG_PRINT_*). */
void cfg_print(const struct mip4_config *c, FILE *f, unsigned flags,
	       const struct opt *top);
/* The printers of the options with a setter of their own. */
void cfg_print_peers(const struct pr *p, const struct opt *o,
		     const void *base);
void cfg_print_pool(const struct pr *p, const struct opt *o,
		    const void *base);
void cfg_print_metrics(const struct pr *p, const struct opt *o,
		       const void *base);
void cfg_print_route(const struct pr *p, const struct opt *o,
		     const void *base);
void cfg_print_security(const struct pr *p, const struct opt *o,
			const void *base);

/* ---- config_index.c ------------------------------------------------ */

/* The home agent's sorted indexes (in h), and the refusal of a repeated
 * home address, NAI, foreign agent or SPI. */
int cfg_build_indexes(struct parse *ps, struct mip4_config_ha *h);
/* mip4_config_find_mn() without noting the node (config_image.c carries
 * state over with it): its position in c->ha.mn, or -1. */
long cfg_find_mn_pos(const struct mip4_config *c, uint32_t home_addr,
		     const char *nai, size_t nai_len);

#endif
