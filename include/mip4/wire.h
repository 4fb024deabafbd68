/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mip4/wire.h - Mobile IPv4 message codec (RFC 5944 and extensions).
 *
 * Pure code: no sockets, no clock, no globals.  Decoders borrow the
 * caller's buffer (decoded structures point into it) and bound every read
 * by the buffer's end.  Encoders append to a struct mip4_buf and record
 * overflow instead of writing past the end.
 */
#ifndef MIP4_WIRE_H
#define MIP4_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MIP4_PORT 434
/* The largest message a UDP datagram over IPv4 can carry (65535 minus the
 * IP and UDP headers); receive buffers take this much, so no registration
 * message is ever cut short. */
#define MIP4_MSG_MAX 65507

/* Message types on UDP port 434. */
enum mip4_msg_type {
	MIP4_MSG_RRQ = 1,	  /* registration request, RFC 5944 §3.3 */
	MIP4_MSG_RRP = 3,	  /* registration reply, RFC 5944 §3.4 */
	MIP4_MSG_TUNNEL_DATA = 4, /* RFC 3519 §3.3 */
	MIP4_MSG_REVOKE = 7,	  /* RFC 3543 §3.3 */
	MIP4_MSG_REVOKE_ACK = 15, /* RFC 3543 §3.4 */
};

/* Registration request flags (second octet), RFC 5944 §3.3. */
enum mip4_rrq_flag {
	MIP4_RRQ_S = 0x80, /* simultaneous bindings */
	MIP4_RRQ_B = 0x40, /* broadcast datagrams */
	MIP4_RRQ_D = 0x20, /* decapsulation by mobile node (co-located) */
	MIP4_RRQ_M = 0x10, /* minimal encapsulation */
	MIP4_RRQ_G = 0x08, /* GRE encapsulation */
	MIP4_RRQ_r = 0x04, /* reserved, sent as zero */
	MIP4_RRQ_T = 0x02, /* reverse tunnelling, RFC 3024 */
	MIP4_RRQ_x = 0x01, /* reserved, sent as zero */
};

/* Extension types in registration messages (port 434). */
enum mip4_ext_type {
	MIP4_EXT_PAD = 0,	      /* one-byte padding */
	MIP4_EXT_MN_HA = 32,	      /* RFC 5944 §3.5.2 */
	MIP4_EXT_MN_FA = 33,	      /* RFC 5944 §3.5.3 */
	MIP4_EXT_FA_HA = 34,	      /* RFC 5944 §3.5.4 */
	MIP4_EXT_GEN_AUTH = 36,	      /* RFC 4721 §5, long format */
	MIP4_EXT_CVSE = 38,	      /* RFC 3115, critical vendor specific, long */
	MIP4_EXT_UDP_TUN_REP = 44,    /* RFC 3519 §3.2 */
	MIP4_EXT_ENCAP_DELIVERY = 130,/* RFC 3024 §3.3 */
	MIP4_EXT_NAI = 131,	      /* RFC 2794 */
	MIP4_EXT_MN_FA_CHAL = 132,    /* RFC 4721 §4 */
	MIP4_EXT_NVSE = 134,	      /* RFC 3115, normal vendor specific */
	MIP4_EXT_REV_SUPPORT = 137,   /* RFC 3543 §3.2 */
	MIP4_EXT_DYN_HA = 139,	      /* RFC 4433 §3.4 */
	MIP4_EXT_UDP_TUN_REQ = 144,   /* RFC 3519 §3.1 */
	MIP4_EXT_MSG_STRING = 145,    /* RFC 4917 */
	MIP4_EXT_TNC = 149,	      /* RFC 5265 §3.4 */
};

/* Extension types in agent advertisements (ICMP router discovery). */
enum mip4_adv_ext_type {
	MIP4_AEXT_PAD = 0,
	MIP4_AEXT_MOBILITY = 16, /* RFC 5944 §2.1.1 */
	MIP4_AEXT_PREFIX_LEN = 19, /* RFC 5944 §2.1.2 */
	MIP4_AEXT_CHALLENGE = 24, /* RFC 4721 §2 */
};

/* Mobility agent advertisement flags, RFC 5944 §2.1.1 (16-bit field). */
enum mip4_adv_flag {
	MIP4_ADV_R = 0x8000,
	MIP4_ADV_B = 0x4000,
	MIP4_ADV_H = 0x2000,
	MIP4_ADV_F = 0x1000,
	MIP4_ADV_M = 0x0800,
	MIP4_ADV_G = 0x0400,
	MIP4_ADV_r = 0x0200,
	MIP4_ADV_T = 0x0100,
	MIP4_ADV_U = 0x0080, /* RFC 3519 */
	MIP4_ADV_X = 0x0040, /* RFC 3543 */
	MIP4_ADV_I = 0x0020, /* regional registration */
};

/* Registration reply codes, RFC 5944 §3.4 and the RFCs named. */
enum mip4_code {
	MIP4_CODE_ACCEPTED = 0,
	MIP4_CODE_ACCEPTED_NO_SIMUL = 1,
	/* denied by the foreign agent */
	MIP4_CODE_FA_UNSPECIFIED = 64,
	MIP4_CODE_FA_PROHIBITED = 65,
	MIP4_CODE_FA_RESOURCES = 66,
	MIP4_CODE_FA_MN_AUTH = 67,
	MIP4_CODE_FA_HA_AUTH = 68,
	MIP4_CODE_FA_LIFETIME = 69,
	MIP4_CODE_FA_POOR_REQUEST = 70,
	MIP4_CODE_FA_POOR_REPLY = 71,
	MIP4_CODE_FA_ENCAP = 72,
	MIP4_CODE_FA_VJ = 73,
	MIP4_CODE_FA_REVTUN_UNAVAIL = 74, /* RFC 3024 */
	MIP4_CODE_FA_REVTUN_MANDATORY = 75,
	MIP4_CODE_FA_TOO_DISTANT = 76,
	MIP4_CODE_FA_INVALID_COA = 77,
	MIP4_CODE_FA_TIMEOUT = 78,
	MIP4_CODE_FA_DELIVERY_STYLE = 79, /* RFC 3024 */
	MIP4_CODE_FA_HOME_NET_UNREACH = 80,
	MIP4_CODE_FA_HA_HOST_UNREACH = 81,
	MIP4_CODE_FA_HA_PORT_UNREACH = 82,
	MIP4_CODE_FA_HA_UNREACH = 88,
	MIP4_CODE_FA_INVALID_HA = 194,
	/* denied by the home agent */
	MIP4_CODE_HA_UNSPECIFIED = 128,
	MIP4_CODE_HA_PROHIBITED = 129,
	MIP4_CODE_HA_RESOURCES = 130,
	MIP4_CODE_HA_MN_AUTH = 131,
	MIP4_CODE_HA_FA_AUTH = 132,
	MIP4_CODE_HA_ID_MISMATCH = 133,
	MIP4_CODE_HA_POOR_REQUEST = 134,
	MIP4_CODE_HA_TOO_MANY = 135,
	MIP4_CODE_HA_UNKNOWN_HA = 136,
	MIP4_CODE_HA_REVTUN_UNAVAIL = 137, /* RFC 3024 */
	MIP4_CODE_HA_REVTUN_MANDATORY = 138,
	MIP4_CODE_HA_ENCAP = 139,
	MIP4_CODE_HA_UDP_ENCAP_UNAVAIL = 142, /* RFC 3519 §3.5 */
	MIP4_CODE_HA_REDIRECT = 143,	      /* RFC 4433 */
};

/* Decoder results.  Negative values are errors. */
enum mip4_err {
	MIP4_OK = 0,
	MIP4_E_TRUNCATED = -1,	   /* fixed part longer than the buffer */
	MIP4_E_TYPE = -2,	   /* unknown message type */
	MIP4_E_EXT_TRUNCATED = -3, /* an extension runs past the end */
	MIP4_E_EXT_LENGTH = -4,	   /* length field wrong for the type */
	MIP4_E_EXT_UNKNOWN = -5,   /* unknown non-skippable type 0..127 */
	MIP4_E_EXT_TOO_MANY = -6,  /* more than MIP4_MAX_EXT extensions */
	MIP4_E_ICMP = -7,	   /* not an agent advertisement/solicitation */
	MIP4_E_EXT_DUPLICATE = -8, /* an extension that may appear once did twice */
	MIP4_E_EXT_ORDER = -9,	   /* extension placement rule broken */
	MIP4_E_NOSPACE = -10,	   /* encoder: buffer too small */
};

const char *mip4_strerror(int err);
const char *mip4_code_str(unsigned code);
const char *mip4_msg_type_str(unsigned type);
const char *mip4_ext_type_str(unsigned type);

/*
 * Extensions a decoded message may hold; one-byte paddings are counted in
 * n_pad, not kept.  RFC 5944 sets no number; every extension defined for
 * registration messages may appear once but the vendor-specific ones
 * (RFC 3115) and unknown skippable types, so a real request carries well
 * under 16.  More fail with MIP4_E_EXT_TOO_MANY, which the agents count
 * under a name of its own (mip4d(8), LIMITS).
 */
#define MIP4_MAX_EXT 64
#define MIP4_RRQ_LEN 24
#define MIP4_RRP_LEN 20
#define MIP4_TUNNEL_DATA_LEN 4
#define MIP4_REVOKE_LEN 20
#define MIP4_REVOKE_ACK_LEN 12
#define MIP4_AUTH_SPI_LEN 4

/* One extension as found in a message.  Offsets are from the start of the
 * Mobile IP message (the UDP payload). */
struct mip4_ext {
	uint8_t type;
	uint8_t subtype;     /* short/long formats, else 0 */
	uint16_t off;	     /* first byte of the extension */
	uint16_t len;	     /* whole extension, header included */
	const uint8_t *data; /* after the header (and sub-type) */
	uint16_t data_len;
	bool skipped;	     /* unknown skippable type (128..255) */
	union {
		struct { /* 32, 33, 34 and 36 */
			uint32_t spi;
			const uint8_t *auth;
			uint16_t auth_len;
		} auth;
		struct { /* 144 */
			bool force, fa_required;
			uint8_t encap;
		} udp_req;
		struct { /* 44 */
			uint8_t code;
			bool forced;
			uint16_t keepalive;
		} udp_rep;
		struct { /* 137 */
			bool i_bit;
			uint32_t timestamp;
		} rev_support;
		struct { /* 139; subtype 1 requested, 2 redirected */
			uint32_t ha;
		} dyn_ha;
		struct { /* 38 (CVSE) and 134 (NVSE) */
			uint32_t vendor;
			uint16_t vtype;
			const uint8_t *value;
			uint16_t value_len;
		} vse;
	} u;
};

struct mip4_rrq {
	uint8_t flags;
	uint16_t lifetime;
	uint32_t home_addr; /* host byte order throughout */
	uint32_t ha_addr;
	uint32_t coa;
	uint64_t id;
};

struct mip4_rrp {
	uint8_t code;
	uint16_t lifetime;
	uint32_t home_addr;
	uint32_t ha_addr;
	uint64_t id;
};

struct mip4_tunnel_data {
	uint8_t next_header; /* IP protocol: 4 IPv4, 47 GRE, 55 minimal */
	uint16_t reserved;
	const uint8_t *payload;
	size_t payload_len;
};

struct mip4_revoke {
	bool a_bit, i_bit;
	uint32_t home_addr;
	uint32_t home_domain;
	uint32_t foreign_domain;
	uint32_t revocation_id;
};

struct mip4_revoke_ack {
	bool i_bit;
	uint32_t home_addr;
	uint32_t revocation_id;
};

struct mip4_msg {
	uint8_t type;
	union {
		struct mip4_rrq rrq;
		struct mip4_rrp rrp;
		struct mip4_tunnel_data td;
		struct mip4_revoke rev;
		struct mip4_revoke_ack rack;
	} u;
	const uint8_t *buf; /* the message as received */
	size_t len;
	unsigned n_ext;
	struct mip4_ext ext[MIP4_MAX_EXT];
	size_t n_pad; /* one-byte padding extensions (type 0), not in ext[] */
	/* When decoding fails on an extension, its index and offset. */
	int bad_ext_type;
	size_t bad_off;
};

/*
 * Decode one Mobile IP message (a UDP payload).  Walks every extension to
 * the end of the buffer: unknown types 128..255 are kept with skipped=true,
 * unknown types 0..127 fail with MIP4_E_EXT_UNKNOWN (RFC 5944 §1.8: the
 * whole message is discarded).  Tunnel data messages have no extensions.
 */
int mip4_msg_decode(const uint8_t *buf, size_t len, struct mip4_msg *m);

/* First extension of a type (and, if subtype >= 0, sub-type), or NULL. */
const struct mip4_ext *mip4_msg_find_ext(const struct mip4_msg *m, uint8_t type,
					 int subtype);
/* Index of that extension or -1. */
int mip4_msg_ext_index(const struct mip4_msg *m, uint8_t type);

/*
 * Placement rules a receiver checks on a request (RFC 5944 §3.6.1.3,
 * RFC 2794 §2, RFC 3519 §3.1, RFC 3024 §3.3): at most one of each
 * authentication extension; MN-FA and FA-HA follow MN-HA; NAI and UDP
 * tunnel request precede MN-HA; encapsulating delivery style follows
 * MN-HA, precedes MN-FA, and needs the T bit.  Returns MIP4_OK or
 * MIP4_E_EXT_DUPLICATE / MIP4_E_EXT_ORDER with m->bad_ext_type set.
 */
int mip4_rrq_check_order(struct mip4_msg *m);

/* ---- encoding ---- */

struct mip4_buf {
	uint8_t *p;
	size_t cap;
	size_t len;
	bool overflow;
};

void mip4_buf_init(struct mip4_buf *b, uint8_t *mem, size_t cap);
/* Reserve n bytes; returns NULL (and sets overflow) when they don't fit. */
uint8_t *mip4_buf_put(struct mip4_buf *b, size_t n);

void mip4_rrq_put(struct mip4_buf *b, const struct mip4_rrq *rrq);
void mip4_rrp_put(struct mip4_buf *b, const struct mip4_rrp *rrp);
void mip4_tunnel_data_put(struct mip4_buf *b, uint8_t next_header);
void mip4_revoke_put(struct mip4_buf *b, const struct mip4_revoke *r);
void mip4_revoke_ack_put(struct mip4_buf *b, const struct mip4_revoke_ack *r);

/* Simple TLV extension with raw data (NAI, challenge, ...). */
void mip4_ext_put_raw(struct mip4_buf *b, uint8_t type, const void *data,
		      size_t len);
/* Short format: type, length, sub-type, data. */
void mip4_ext_put_short(struct mip4_buf *b, uint8_t type, uint8_t subtype,
			const void *data, size_t len);
/* Long format: type, sub-type, 16-bit length, data. */
void mip4_ext_put_long(struct mip4_buf *b, uint8_t type, uint8_t subtype,
		       const void *data, size_t len);
void mip4_ext_put_pad(struct mip4_buf *b);
void mip4_ext_put_nai(struct mip4_buf *b, const char *nai);
void mip4_ext_put_udp_req(struct mip4_buf *b, bool force, bool fa_required,
			  uint8_t encap);
void mip4_ext_put_udp_rep(struct mip4_buf *b, uint8_t code, bool forced,
			  uint16_t keepalive);
void mip4_ext_put_encap_delivery(struct mip4_buf *b);
void mip4_ext_put_rev_support(struct mip4_buf *b, bool i_bit, uint32_t ts);
void mip4_ext_put_dyn_ha(struct mip4_buf *b, uint8_t subtype, uint32_t ha);
void mip4_ext_put_msg_string(struct mip4_buf *b, uint8_t subtype,
			     const char *text);
void mip4_ext_put_tnc(struct mip4_buf *b);
void mip4_ext_put_cvse(struct mip4_buf *b, uint32_t vendor, uint16_t vtype,
		       const void *value, size_t len);
void mip4_ext_put_nvse(struct mip4_buf *b, uint32_t vendor, uint16_t vtype,
		       const void *value, size_t len);

/* ---- agent discovery (ICMP 9 and 10), RFC 5944 §2 ---- */

#define MIP4_ICMP_ADV 9
#define MIP4_ICMP_SOL 10
#define MIP4_MAX_ROUTERS 16
#define MIP4_MAX_COA 16

struct mip4_adv {
	uint8_t code;	   /* 0, or 16: does not route common traffic */
	uint16_t checksum; /* as received */
	uint8_t num_addrs;
	uint8_t addr_entry_size;
	uint16_t lifetime;
	unsigned n_routers; /* router addresses kept (<= MIP4_MAX_ROUTERS) */
	struct {
		uint32_t addr;
		int32_t pref;
	} router[MIP4_MAX_ROUTERS];
	bool has_mobility;
	uint16_t seq;
	uint16_t reg_lifetime;
	uint16_t flags;
	unsigned n_coa;
	uint32_t coa[MIP4_MAX_COA];
	bool has_prefix_len;
	unsigned n_prefix_len;
	uint8_t prefix_len[MIP4_MAX_ROUTERS];
	const uint8_t *challenge; /* RFC 4721 ext 24, or NULL */
	uint8_t challenge_len;
	unsigned n_pad;
	unsigned n_skipped; /* unknown skippable extensions */
};

/* Decode an ICMP message (type 9) holding an agent advertisement.  A router
 * advertisement without the mobility extension decodes with
 * has_mobility=false.  The checksum is not verified here (see
 * mip4_inet_csum). */
int mip4_adv_decode(const uint8_t *icmp, size_t len, struct mip4_adv *a);
/* Encode an advertisement; computes the ICMP checksum.  Adds the
 * prefix-lengths extension when a->has_prefix_len, and one padding byte
 * when pad_to_even and the length is odd. */
void mip4_adv_put(struct mip4_buf *b, const struct mip4_adv *a,
		  bool pad_to_even);

/* Agent solicitation: ICMP type 10, code 0, 4 reserved bytes. */
int mip4_sol_decode(const uint8_t *icmp, size_t len);
void mip4_sol_put(struct mip4_buf *b);

/* ---- byte order helpers ---- */
uint16_t mip4_get16(const uint8_t *p);
uint32_t mip4_get32(const uint8_t *p);
uint64_t mip4_get64(const uint8_t *p);
void mip4_put16(uint8_t *p, uint16_t v);
void mip4_put32(uint8_t *p, uint32_t v);
void mip4_put64(uint8_t *p, uint64_t v);

#endif
