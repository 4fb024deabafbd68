/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mip4/ip.h - IPv4, UDP and ICMP header helpers for the codec, the decoder
 * tool and the user-space data plane.  Pure code.
 */
#ifndef MIP4_IP_H
#define MIP4_IP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MIP4_IPPROTO_ICMP 1
#define MIP4_IPPROTO_IPIP 4
#define MIP4_IPPROTO_UDP 17
#define MIP4_IPPROTO_ESP 50
#define MIP4_IPPROTO_GRE 47
#define MIP4_IPPROTO_MINENC 55

struct mip4_ip {
	uint8_t ihl;	  /* header length in bytes */
	uint8_t tos;
	uint16_t tot_len; /* from the header */
	uint16_t ident;
	uint16_t frag;	  /* flags + fragment offset */
	uint8_t ttl;
	uint8_t proto;
	uint32_t src, dst; /* host byte order */
	const uint8_t *payload;
	size_t payload_len; /* tot_len - ihl, bounded by the buffer */
	bool csum_ok;
};

enum mip4_ip_err {
	MIP4_IP_OK = 0,
	MIP4_IP_E_SHORT = -1,	/* shorter than the header */
	MIP4_IP_E_VERSION = -2, /* not IPv4 */
	MIP4_IP_E_IHL = -3,	/* header length < 20 or past the buffer */
	MIP4_IP_E_TOTLEN = -4,	/* total length < ihl or past the buffer */
};

/* Parse an IPv4 header.  Trailing bytes beyond tot_len (link padding) are
 * ignored.  Fragments parse; callers check frag. */
int mip4_ip_decode(const uint8_t *pkt, size_t len, struct mip4_ip *ip);
bool mip4_ip_is_fragment(const struct mip4_ip *ip);

/* Write a 20-byte IPv4 header (no options) with checksum.  DF is set when
 * df is true.  Returns 20, or 0 if cap < 20. */
size_t mip4_ip_put(uint8_t *out, size_t cap, uint32_t src, uint32_t dst,
		   uint8_t proto, uint8_t ttl, uint16_t ident, bool df,
		   size_t payload_len);

struct mip4_udp {
	uint16_t sport, dport, len, csum;
	const uint8_t *payload;
	size_t payload_len;
};
/* Parse a UDP header inside an IP payload; len field bounded by buffer. */
int mip4_udp_decode(const uint8_t *p, size_t len, struct mip4_udp *u);
/* UDP checksum with the IPv4 pseudo-header over hdr+payload (n bytes). */
uint16_t mip4_udp_csum(uint32_t src, uint32_t dst, const uint8_t *udp,
		       size_t n);
/* Write an 8-byte UDP header with checksum over the payload that follows
 * it in memory (udp[8..8+payload_len)). */
void mip4_udp_put(uint8_t *udp, uint32_t src, uint32_t dst, uint16_t sport,
		  uint16_t dport, size_t payload_len);

/* RFC 1071 Internet checksum (one's complement of the one's complement
 * sum).  Feeding a buffer that includes a correct checksum yields 0. */
uint16_t mip4_inet_csum(const void *data, size_t len);
/* Running sum, for pseudo-headers. */
uint32_t mip4_csum_add(uint32_t sum, const void *data, size_t len);
uint16_t mip4_csum_fold(uint32_t sum);

/* Dotted-quad formatting into a caller buffer (>= 16 bytes). */
const char *mip4_ntoa(uint32_t addr, char buf[16]);

/* "A.B.C.D" (a /32) or "A.B.C.D/LEN", decimal without leading zeros,
 * into *net and *mask (host byte order): 0; MIP4_PREFIX_HOST_BITS when
 * the address has bits set below the length (*net, *mask then give the
 * prefix it would be); MIP4_PREFIX_BAD when the text is neither. */
#define MIP4_PREFIX_BAD (-1)
#define MIP4_PREFIX_HOST_BITS (-2)
int mip4_prefix_parse(const char *s, uint32_t *net, uint32_t *mask);

#endif
