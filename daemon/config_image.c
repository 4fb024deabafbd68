/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/config_image.c - a parsed configuration as bytes, read back in
 * slices (config_image.h).
 *
 * The image, in this order:
 *
 *   struct img_hdr     magic, version, this build's struct sizes, counts,
 *                      the fixed part's SHA-256
 *   struct mip4_config the fixed part, its pointers cleared
 *   NAI text           every mobile node's NAI, NUL-terminated, end to end
 *   ha.mn              per node: struct mip4_ha_mn (nai cleared), then a
 *                      uint32_t: its NAI's offset in the text + 1, or 0
 *   ha.fa, fa.mn, fa.ha  the other peers, as they are (no pointers)
 *
 * A pointer added to struct mip4_config (or to what it holds inline) must
 * be cleared in clear_pointers() and its data added here, or the reader
 * would take a pointer of the writer's; test_config_image's round trip
 * prints every option of a configuration written and read back.
 */
#include "config_image.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_int.h"

#define IMG_MAGIC "mip4img"
#define IMG_VERSION 1
#define WBUF 65536

struct img_hdr {
	char magic[8];
	uint32_t version;
	uint32_t sz_config, sz_mn, sz_fa, sz_fa_sa;
	uint32_t pad;
	uint64_t n_ha_mn, n_ha_fa, n_fa_mn, n_fa_ha;
	uint64_t nai_bytes;
	/* SHA-256 of the fixed part: checked before any of its fields is
	 * looked at (its booleans and enums could not be checked one by one
	 * without reading an invalid value first) */
	uint8_t root_digest[32];
};
/* test_config_image and fuzz_config_image find the records after it */
_Static_assert(sizeof(struct img_hdr) == 104, "image header size");

/* The digest of the fixed part as it lies in the image. */
static int root_digest(const struct mip4_config *root, uint8_t out[32])
{
	unsigned int len = 0;

	return EVP_Digest(root, sizeof *root, out, &len, EVP_sha256(), NULL) ==
			       1 &&
		       len == 32
		       ? 0
		       : -1;
}

/* What may not travel: the pointers, and what is rebuilt on arrival. */
static void clear_pointers(struct mip4_config *c)
{
	c->touch = NULL;
	c->ha.mn = NULL;
	c->ha.mn_line = NULL;
	c->ha.fa = NULL;
	c->ha.fa_line = NULL;
	c->ha.nai_text = NULL;
	memset(&c->ha.mn_by_addr, 0, sizeof c->ha.mn_by_addr);
	memset(&c->ha.mn_by_nai, 0, sizeof c->ha.mn_by_nai);
	c->ha.fa_by_addr = NULL;
	c->fa.mn = NULL;
	c->fa.mn_line = NULL;
	c->fa.ha = NULL;
	c->fa.ha_line = NULL;
	c->ha.n_mn = c->ha.cap_mn = c->ha.n_fa = c->ha.cap_fa = 0;
	c->fa.n_mn = c->fa.cap_mn = c->fa.n_ha = c->fa.cap_ha = 0;
}

/* ---- writing -------------------------------------------------------- */

struct wr {
	int fd;
	size_t n;
	int err;
	uint8_t buf[WBUF];
};

static void wr_flush(struct wr *w)
{
	size_t off = 0;

	while (!w->err && off < w->n) {
		ssize_t k = write(w->fd, w->buf + off, w->n - off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			w->err = k < 0 ? errno : EIO;
		else
			off += (size_t)k;
	}
	w->n = 0;
}

static void wr(struct wr *w, const void *p, size_t len)
{
	const uint8_t *s = p;

	while (len && !w->err) {
		size_t k = WBUF - w->n < len ? WBUF - w->n : len;

		memcpy(w->buf + w->n, s, k);
		w->n += k;
		s += k;
		len -= k;
		if (w->n == WBUF)
			wr_flush(w);
	}
}

int mip4_config_image_write(const struct mip4_config *c, int fd)
{
	struct wr *w = calloc(1, sizeof *w);
	struct mip4_config root = *c;
	struct img_hdr h = {.version = IMG_VERSION,
			    .sz_config = sizeof(struct mip4_config),
			    .sz_mn = sizeof(struct mip4_ha_mn),
			    .sz_fa = sizeof(struct mip4_ha_fa),
			    .sz_fa_sa = sizeof(struct mip4_config_fa_sa),
			    .n_ha_mn = c->ha.n_mn,
			    .n_ha_fa = c->ha.n_fa,
			    .n_fa_mn = c->fa.n_mn,
			    .n_fa_ha = c->fa.n_ha};
	uint64_t off = 1;
	int err;

	if (!w)
		return -1;
	w->fd = fd;
	memcpy(h.magic, IMG_MAGIC, sizeof h.magic);
	for (size_t i = 0; i < c->ha.n_mn; i++)
		if (c->ha.mn[i].nai)
			h.nai_bytes += strlen(c->ha.mn[i].nai) + 1;
	clear_pointers(&root);
	if (root_digest(&root, h.root_digest) < 0) {
		free(w);
		errno = EIO;
		return -1;
	}
	wr(w, &h, sizeof h);
	wr(w, &root, sizeof root);
	for (size_t i = 0; i < c->ha.n_mn; i++)
		if (c->ha.mn[i].nai)
			wr(w, c->ha.mn[i].nai, strlen(c->ha.mn[i].nai) + 1);
	for (size_t i = 0; i < c->ha.n_mn; i++) {
		struct mip4_ha_mn m = c->ha.mn[i];
		uint32_t o = 0;

		if (m.nai) {
			o = (uint32_t)off;
			off += strlen(m.nai) + 1;
		}
		m.nai = NULL;
		wr(w, &m, sizeof m);
		wr(w, &o, sizeof o);
	}
	wr(w, c->ha.fa, c->ha.n_fa * sizeof *c->ha.fa);
	wr(w, c->fa.mn, c->fa.n_mn * sizeof *c->fa.mn);
	wr(w, c->fa.ha, c->fa.n_ha * sizeof *c->fa.ha);
	wr_flush(w);
	err = w->err;
	explicit_bzero(w, sizeof *w); /* keys went through it */
	free(w);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

/* ---- reading -------------------------------------------------------- */

enum phase { P_NAI, P_HA_MN, P_HA_FA, P_FA_MN, P_FA_HA, P_DONE };

struct mip4_config_loader {
	int fd;
	struct mip4_config nc;
	struct mip4_config *old;
	struct mip4_config_touch touch;
	struct img_hdr h;
	enum phase phase;
	uint64_t done;	/* of the phase: bytes of text, or records */
	char *text;	/* the NAIs (nc.ha.nai_text's buffer) */
	uint8_t *rec;	/* a step's records */
	size_t rec_cap;
};

__attribute__((format(printf, 3, 4))) static int
lerr(char *err, size_t errlen, const char *fmt, ...)
{
	if (errlen) {
		va_list ap;

		va_start(ap, fmt);
		(void)vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Exactly n bytes, or -1 (a short image is a bad one). */
static int read_full(int fd, void *p, size_t n)
{
	uint8_t *d = p;

	while (n) {
		ssize_t k = read(fd, d, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			if (k == 0)
				errno = EPROTO;
			return -1;
		}
		d += k;
		n -= (size_t)k;
	}
	return 0;
}

/* Inline strings end inside their arrays. */
static void terminate(char *s, size_t size)
{
	s[size - 1] = '\0';
}

/* The fixed part read from an image: its counts within their arrays, its
 * strings terminated.  0, or -1 with a message. */
static int root_sane(struct mip4_config *c, char *err, size_t errlen)
{
	const struct mip4_config_ha *ha = &c->ha;
	struct mip4_config_mnrole *mns[] = {&c->mn, &c->vpn.outer};

	terminate(c->control_socket, sizeof c->control_socket);
	terminate(c->state_db, sizeof c->state_db);
	terminate(c->ha.tunnel_dev, sizeof c->ha.tunnel_dev);
	terminate(c->ha.home_if, sizeof c->ha.home_if);
	terminate(c->mn.tunnel_dev, sizeof c->mn.tunnel_dev);
	terminate(c->mn.cfg.nai, sizeof c->mn.cfg.nai);
	terminate(c->vpn.outer.tunnel_dev, sizeof c->vpn.outer.tunnel_dev);
	terminate(c->vpn.outer.cfg.nai, sizeof c->vpn.outer.cfg.nai);
	terminate(c->vpn.swanctl, sizeof c->vpn.swanctl);
	terminate(c->vpn.strongswan_conf, sizeof c->vpn.strongswan_conf);
	terminate(c->vpn.vici, sizeof c->vpn.vici);
	terminate(c->vpn.ike, sizeof c->vpn.ike);
	terminate(c->vpn.child, sizeof c->vpn.child);
	terminate(c->ha.bpf_root, sizeof c->ha.bpf_root);
	terminate(c->vpn.management, sizeof c->vpn.management);
	terminate(c->vpn.program, sizeof c->vpn.program);
	terminate(c->vpn.wg, sizeof c->vpn.wg);
	terminate(c->vpn.client_config, sizeof c->vpn.client_config);
	terminate(c->vpn.server, sizeof c->vpn.server);
	terminate(c->vpn.script, sizeof c->vpn.script);
	terminate(c->vpn.state_dir, sizeof c->vpn.state_dir);
	terminate(c->vpn.vpn_if, sizeof c->vpn.vpn_if);
	terminate(c->vpn.up_cmd, sizeof c->vpn.up_cmd);
	terminate(c->vpn.down_cmd, sizeof c->vpn.down_cmd);
	terminate(c->vpn.status_cmd, sizeof c->vpn.status_cmd);
	terminate(c->etcd.endpoints, sizeof c->etcd.endpoints);
	terminate(c->etcd.prefix, sizeof c->etcd.prefix);
	terminate(c->etcd.name, sizeof c->etcd.name);
	terminate(c->fa.ifname, sizeof c->fa.ifname);
	terminate(c->fa.tunnel_dev, sizeof c->fa.tunnel_dev);
	terminate(c->fa.bpf_root, sizeof c->fa.bpf_root);
	for (size_t i = 0; i < 2; i++) {
		struct mip4_config_mnrole *m = mns[i];

		terminate(m->bpf_root, sizeof m->bpf_root);
		if (m->data_plane > MIP4_CONFIG_DP_USERSPACE)
			return lerr(err, errlen, "image: a mobile-node block "
						 "out of bounds");

		for (size_t k = 0; k < MIP4_CONFIG_MN_IFACES; k++)
			terminate(m->ifname[k], sizeof m->ifname[k]);
		if (m->n_if > MIP4_CONFIG_MN_IFACES ||
		    m->n_routes > MIP4_CONFIG_MN_ROUTES ||
		    m->cfg.sa.key_len > MIP4_KEY_MAX)
			return lerr(err, errlen, "image: a mobile-node block "
						 "out of bounds");
	}
	if (ha->cfg.n_trusted > MIP4_HA_MAX_PREFIX ||
	    ha->cfg.n_inside > MIP4_HA_MAX_PREFIX ||
	    c->fa.cfg.n_coa > MIP4_FA_MAX_COA ||
	    c->fa.cfg.n_allowed > MIP4_FA_MAX_PREFIX ||
	    c->etcd.n_ep > MIP4_CONFIG_ETCD_EP_MAX)
		return lerr(err, errlen, "image: a list out of bounds");
	if (c->ha.data_plane > MIP4_CONFIG_DP_USERSPACE ||
	    c->fa.data_plane > MIP4_CONFIG_DP_USERSPACE ||
	    c->vpn.driver > MIP4_VPN_COMMAND)
		return lerr(err, errlen, "image: an option out of range");
	return 0;
}

static int read_root(int fd, struct img_hdr *h, struct mip4_config *c,
		     char *err, size_t errlen)
{
	struct stat st;
	uint8_t digest[32];

	memset(c, 0, sizeof *c);
	if (read_full(fd, h, sizeof *h) < 0)
		return lerr(err, errlen, "image: %s", strerror(errno));
	if (memcmp(h->magic, IMG_MAGIC, sizeof h->magic) != 0 ||
	    h->version != IMG_VERSION)
		return lerr(err, errlen, "image: not a configuration image");
	if (h->sz_config != sizeof(struct mip4_config) ||
	    h->sz_mn != sizeof(struct mip4_ha_mn) ||
	    h->sz_fa != sizeof(struct mip4_ha_fa) ||
	    h->sz_fa_sa != sizeof(struct mip4_config_fa_sa))
		return lerr(err, errlen, "image: written by another build");
	if (h->n_ha_mn > MIP4_CONFIG_ENTRIES_MAX ||
	    h->n_ha_fa > MIP4_CONFIG_ENTRIES_MAX ||
	    h->n_fa_mn > MIP4_CONFIG_ENTRIES_MAX ||
	    h->n_fa_ha > MIP4_CONFIG_ENTRIES_MAX ||
	    h->nai_bytes > h->n_ha_mn * (MIP4_CONFIG_NAI_MAX + 1))
		return lerr(err, errlen, "image: counts out of bounds");
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size != sizeof *h + sizeof *c + h->nai_bytes +
					    h->n_ha_mn * (h->sz_mn + 4u) +
					    h->n_ha_fa * h->sz_fa +
					    (h->n_fa_mn + h->n_fa_ha) * h->sz_fa_sa)
		/* before anything is allocated for what is not there */
		return lerr(err, errlen, "image: its size is not what its "
					 "counts say");
	if (read_full(fd, c, sizeof *c) < 0) {
		memset(c, 0, sizeof *c);
		return lerr(err, errlen, "image: %s", strerror(errno));
	}
	if (root_digest(c, digest) < 0 ||
	    CRYPTO_memcmp(digest, h->root_digest, sizeof digest) != 0) {
		memset(c, 0, sizeof *c);
		return lerr(err, errlen, "image: its fixed part is damaged");
	}
	clear_pointers(c);
	if ((!c->have_ha && (h->n_ha_mn || h->n_ha_fa)) ||
	    (!c->have_fa && (h->n_fa_mn || h->n_fa_ha))) {
		memset(c, 0, sizeof *c);
		return lerr(err, errlen, "image: peers of a role it has not");
	}
	if (root_sane(c, err, errlen) < 0) {
		memset(c, 0, sizeof *c);
		return -1;
	}
	return 0;
}

int mip4_config_image_read_root(int fd, struct mip4_config *out, char *err,
				size_t errlen)
{
	struct img_hdr h;

	return read_root(fd, &h, out, err, errlen);
}

/* An array of n elements of size elem, zeroed (n may be 0). */
static void *alloc_array(uint64_t n, size_t elem)
{
	return calloc(n ? (size_t)n : 1, elem);
}

int mip4_config_load_begin(int fd, struct mip4_config *old,
			   struct mip4_config_loader **out, char *err,
			   size_t errlen)
{
	struct mip4_config_loader *l = calloc(1, sizeof *l);
	struct mip4_config *c;

	*out = NULL;
	if (!l)
		return lerr(err, errlen, "out of memory");
	c = &l->nc;
	l->fd = fd;
	if (read_root(fd, &l->h, c, err, errlen) < 0) {
		free(l);
		return -1;
	}
	mnindex_init(&c->ha.mn_by_addr, false);
	mnindex_init(&c->ha.mn_by_nai, true);
	c->ha.mn = alloc_array(l->h.n_ha_mn, sizeof *c->ha.mn);
	c->ha.fa = alloc_array(l->h.n_ha_fa, sizeof *c->ha.fa);
	c->fa.mn = alloc_array(l->h.n_fa_mn, sizeof *c->fa.mn);
	c->fa.ha = alloc_array(l->h.n_fa_ha, sizeof *c->fa.ha);
	c->ha.cap_mn = l->h.n_ha_mn ? (size_t)l->h.n_ha_mn : 1;
	c->ha.cap_fa = l->h.n_ha_fa ? (size_t)l->h.n_ha_fa : 1;
	c->fa.cap_mn = l->h.n_fa_mn ? (size_t)l->h.n_fa_mn : 1;
	c->fa.cap_ha = l->h.n_fa_ha ? (size_t)l->h.n_fa_ha : 1;
	if (l->h.nai_bytes) {
		c->ha.nai_text = cfg_text_block((size_t)l->h.nai_bytes);
		l->text = c->ha.nai_text ? cfg_text_buf(c->ha.nai_text) : NULL;
	}
	if (!c->ha.mn || !c->ha.fa || !c->fa.mn || !c->fa.ha ||
	    (l->h.nai_bytes && !l->text)) {
		mip4_config_load_abort(l);
		return lerr(err, errlen, "out of memory");
	}
	l->old = old;
	if (old)
		old->touch = &l->touch;
	l->phase = P_NAI;
	*out = l;
	return 0;
}

/* The state of old's node for new node m (by the key requests use). */
static void carry(const struct mip4_config *old, struct mip4_ha_mn *m)
{
	long i;

	if (!old)
		return;
	i = cfg_find_mn_pos(old, m->home_addr, m->nai,
			    m->nai ? strlen(m->nai) : 0);
	if (i >= 0)
		m->replay = old->ha.mn[i].replay;
}

static bool sa_sane(const struct mip4_sa *sa)
{
	return sa->key_len >= 1 && sa->key_len <= MIP4_KEY_MAX;
}

/* n mobile-node records (and their NAI offsets) into nc.ha.mn. */
static int take_mns(struct mip4_config_loader *l, size_t n, char *err,
		    size_t errlen)
{
	struct mip4_config *c = &l->nc;
	const size_t rec = sizeof(struct mip4_ha_mn) + sizeof(uint32_t);

	if (read_full(l->fd, l->rec, n * rec) < 0)
		return lerr(err, errlen, "image: %s", strerror(errno));
	for (size_t k = 0; k < n; k++) {
		size_t i = c->ha.n_mn;
		struct mip4_ha_mn *m = &c->ha.mn[i];
		uint32_t off, dup;
		int rc = 0;

		memcpy(m, l->rec + k * rec, sizeof *m);
		memcpy(&off, l->rec + k * rec + sizeof *m, sizeof off);
		m->nai = NULL;
		if (off) {
			const char *s = l->text + off - 1;

			if (off > l->h.nai_bytes ||
			    strnlen(s, (size_t)l->h.nai_bytes - (off - 1)) ==
				    (size_t)l->h.nai_bytes - (off - 1) ||
			    !*s || strlen(s) > MIP4_CONFIG_NAI_MAX)
				return lerr(err, errlen,
					    "image: mobile node %zu: bad NAI", i);
			m->nai = s;
		}
		if (!sa_sane(&m->sa) || (!m->nai && !m->home_addr))
			return lerr(err, errlen, "image: mobile node %zu: bad "
						 "entry", i);
		c->ha.n_mn++;
		if (m->home_addr)
			rc = mnindex_add(&c->ha.mn_by_addr, c->ha.mn,
					 (uint32_t)i, &dup);
		if (rc == 0 && m->nai)
			rc = mnindex_add(&c->ha.mn_by_nai, c->ha.mn,
					 (uint32_t)i, &dup);
		if (rc != 0)
			return lerr(err, errlen, rc < 0 ? "out of memory"
							: "image: mobile node "
							  "%zu repeats another",
				    i);
		memset(&m->replay, 0, sizeof m->replay);
		m->deny_full = 0;
		carry(l->old, m);
	}
	return 0;
}

/* n records of elem bytes into arr at *count, each with an SA at sa_off. */
static int take_peers(struct mip4_config_loader *l, void *arr, size_t *count,
		      size_t n, size_t elem, size_t sa_off, char *err,
		      size_t errlen)
{
	uint8_t *dst = (uint8_t *)arr + *count * elem;

	if (read_full(l->fd, dst, n * elem) < 0)
		return lerr(err, errlen, "image: %s", strerror(errno));
	for (size_t k = 0; k < n; k++)
		if (!sa_sane((const struct mip4_sa *)(const void *)(dst + k * elem +
								    sa_off)))
			return lerr(err, errlen, "image: a peer's key is out "
						 "of bounds");
	*count += n;
	return 0;
}

/* The foreign agents' sorted index, as the parser builds it. */
static int fa_ix_cmp(const void *a, const void *b)
{
	const struct mip4_config_ix *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int build_fa_index(struct mip4_config *c, char *err, size_t errlen)
{
	c->ha.fa_by_addr = calloc(c->ha.n_fa + 1, sizeof *c->ha.fa_by_addr);
	if (!c->ha.fa_by_addr)
		return lerr(err, errlen, "out of memory");
	for (size_t i = 0; i < c->ha.n_fa; i++)
		c->ha.fa_by_addr[i] =
			(struct mip4_config_ix){c->ha.fa[i].addr, (uint32_t)i};
	qsort(c->ha.fa_by_addr, c->ha.n_fa, sizeof *c->ha.fa_by_addr,
	      fa_ix_cmp);
	return 0;
}

int mip4_config_load_step(struct mip4_config_loader *l, size_t budget,
			  char *err, size_t errlen)
{
	struct mip4_config *c = &l->nc;
	const size_t rec = sizeof(struct mip4_ha_mn) + sizeof(uint32_t);
	uint64_t left;
	size_t n;

	if (!budget)
		budget = 1;
	switch (l->phase) {
	case P_NAI:
		/* text goes by the record's worth of bytes */
		left = l->h.nai_bytes - l->done;
		n = left < budget * rec ? (size_t)left : budget * rec;
		if (n && read_full(l->fd, l->text + l->done, n) < 0)
			return lerr(err, errlen, "image: %s", strerror(errno));
		l->done += n;
		if (l->done == l->h.nai_bytes) {
			if (l->h.nai_bytes && l->text[l->h.nai_bytes - 1])
				return lerr(err, errlen, "image: bad NAI text");
			l->phase = P_HA_MN;
			l->done = 0;
			if (mnindex_reserve(&c->ha.mn_by_addr, c->ha.mn,
					    (size_t)l->h.n_ha_mn) < 0)
				return lerr(err, errlen, "out of memory");
		}
		return 1;
	case P_HA_MN:
		left = l->h.n_ha_mn - c->ha.n_mn;
		n = left < budget ? (size_t)left : budget;
		if (n > l->rec_cap) {
			uint8_t *r = realloc(l->rec, n * rec);

			if (!r)
				return lerr(err, errlen, "out of memory");
			l->rec = r;
			l->rec_cap = n;
		}
		if (n && take_mns(l, n, err, errlen) < 0)
			return -1;
		if (c->ha.n_mn == l->h.n_ha_mn)
			l->phase = P_HA_FA;
		return 1;
	case P_HA_FA:
		/* the other peers are few: all at once */
		if (take_peers(l, c->ha.fa, &c->ha.n_fa, (size_t)l->h.n_ha_fa,
			       sizeof *c->ha.fa,
			       offsetof(struct mip4_ha_fa, sa), err,
			       errlen) < 0 ||
		    build_fa_index(c, err, errlen) < 0)
			return -1;
		l->phase = P_FA_MN;
		return 1;
	case P_FA_MN:
		if (take_peers(l, c->fa.mn, &c->fa.n_mn, (size_t)l->h.n_fa_mn,
			       sizeof *c->fa.mn,
			       offsetof(struct mip4_config_fa_sa, sa), err,
			       errlen) < 0)
			return -1;
		l->phase = P_FA_HA;
		return 1;
	case P_FA_HA:
		if (take_peers(l, c->fa.ha, &c->fa.n_ha, (size_t)l->h.n_fa_ha,
			       sizeof *c->fa.ha,
			       offsetof(struct mip4_config_fa_sa, sa), err,
			       errlen) < 0)
			return -1;
		l->phase = P_DONE;
		return 0;
	default:
		return 0;
	}
}

/* Stop noting, and free the notes. */
static void untouch(struct mip4_config_loader *l)
{
	if (l->old)
		l->old->touch = NULL;
	free(l->touch.idx);
	memset(&l->touch, 0, sizeof l->touch);
}

void mip4_config_load_finish(struct mip4_config_loader *l,
			     struct mip4_config *out)
{
	struct mip4_config *c = &l->nc;
	const struct mip4_config *old = l->old;

	/* What the running configuration handed out during the load may
	 * have accepted a newer identification since it was carried. */
	if (old && l->touch.overflow) {
		for (size_t i = 0; i < c->ha.n_mn; i++)
			carry(old, &c->ha.mn[i]);
	} else if (old) {
		for (size_t k = 0; k < l->touch.n; k++) {
			const struct mip4_ha_mn *o = &old->ha.mn[l->touch.idx[k]];
			long i = cfg_find_mn_pos(c, o->home_addr, o->nai,
						 o->nai ? strlen(o->nai) : 0);

			if (i >= 0)
				c->ha.mn[i].replay = o->replay;
		}
	}
	untouch(l);
	*out = *c;
	free(l->rec);
	free(l);
}

void mip4_config_load_abort(struct mip4_config_loader *l)
{
	if (!l)
		return;
	untouch(l);
	mip4_config_free(&l->nc);
	free(l->rec);
	free(l);
}
