/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mip4/replay.h - identification values and replay protection
 * (RFC 5944 §5.7).  Time comes in as an argument: no clock reads here.
 */
#ifndef MIP4_REPLAY_H
#define MIP4_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "mip4/auth.h"

/* Seconds between the NTP era (1900) and the Unix epoch (1970). */
#define MIP4_NTP_UNIX_OFFSET 2208988800u

/* NTP 64-bit timestamp from Unix time: seconds in the high 32 bits,
 * fraction in the low 32 bits. */
uint64_t mip4_ntp_from_unix(int64_t sec, uint32_t nsec);
/* The seconds part of an NTP timestamp as Unix seconds. */
int64_t mip4_ntp_to_unix_sec(uint64_t ntp);

/*
 * Home agent side: per-MN replay state, kept in the binding or in a
 * per-SA record so that a replay is caught even after deregistration.
 */
struct mip4_replay_state {
	uint64_t last_id;   /* highest accepted timestamp identification */
	uint32_t nonce;	    /* nonce method: what the MN must echo next */
	bool have_last;
	bool have_nonce;
};

enum mip4_replay_verdict {
	MIP4_REPLAY_OK = 0,
	MIP4_REPLAY_STALE = 1,	    /* not greater than an accepted one */
	MIP4_REPLAY_OUT_OF_SYNC = 2, /* outside the clock tolerance */
	MIP4_REPLAY_BAD_NONCE = 3,   /* high 32 bits are not our nonce */
};
const char *mip4_replay_verdict_str(enum mip4_replay_verdict v);

/*
 * Check a request's identification.  `now_ntp` is the home agent's current
 * time in NTP format.  Does not change state; on MIP4_REPLAY_OK the caller
 * commits with mip4_replay_accept() once the request is accepted.
 */
enum mip4_replay_verdict mip4_replay_check(const struct mip4_sa *sa,
					   const struct mip4_replay_state *st,
					   uint64_t id, uint64_t now_ntp);
void mip4_replay_accept(struct mip4_replay_state *st, uint64_t id);

/*
 * Identification for the reply.  Accepted timestamp: the request's id.
 * Rejected timestamp (code 133): low 32 bits from the request, high 32
 * from the HA's clock.  Nonce method: low 32 from the request, high 32 a
 * fresh nonce `new_nonce` (which the caller stores in st->nonce).
 */
uint64_t mip4_replay_reply_id(const struct mip4_sa *sa, uint64_t req_id,
			      bool accepted, uint64_t now_ntp,
			      uint32_t new_nonce);

/*
 * Mobile node side.  The MN keeps an offset between its clock and the
 * HA's learnt from a code 133 reply, the last id sent (timestamps must
 * increase) and the HA's nonce.
 */
struct mip4_mn_replay {
	int64_t offset;	 /* HA time minus MN time, seconds */
	uint64_t last_id;
	uint32_t ha_nonce;
};

/* Next identification.  `random32` supplies the low-order bits that the
 * clock cannot (the caller draws it from a good source). */
uint64_t mip4_mn_next_id(struct mip4_mn_replay *r,
			 enum mip4_replay_method method, uint64_t now_ntp,
			 uint32_t random32);

/*
 * A reply arrived for the request with id `sent_id`.  Returns false (and
 * changes nothing) when the low 32 bits differ: such a reply must be
 * ignored (RFC 5944 §3.6.2.1).  On an authenticated 133 with timestamps,
 * learns the clock offset from the high 32 bits; with nonces, stores the
 * HA's next nonce from any authenticated reply.
 */
bool mip4_mn_reply(struct mip4_mn_replay *r, enum mip4_replay_method method,
		   uint64_t sent_id, uint64_t reply_id, uint8_t code,
		   uint64_t now_ntp);

#endif
