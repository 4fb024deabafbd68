/* SPDX-License-Identifier: BSD-2-Clause */
/* Identification and replay protection, RFC 5944 §5.7. */
#include "mip4/replay.h"

uint64_t mip4_ntp_from_unix(int64_t sec, uint32_t nsec)
{
	uint64_t s = (uint64_t)(sec + MIP4_NTP_UNIX_OFFSET) & 0xffffffffu;
	/* fraction = nsec * 2^32 / 1e9 */
	uint64_t frac = ((uint64_t)nsec << 32) / 1000000000u;

	return s << 32 | (frac & 0xffffffffu);
}

int64_t mip4_ntp_to_unix_sec(uint64_t ntp)
{
	return (int64_t)(ntp >> 32) - (int64_t)MIP4_NTP_UNIX_OFFSET;
}

const char *mip4_replay_verdict_str(enum mip4_replay_verdict v)
{
	switch (v) {
	case MIP4_REPLAY_OK: return "ok";
	case MIP4_REPLAY_STALE: return "stale";
	case MIP4_REPLAY_OUT_OF_SYNC: return "out-of-sync";
	case MIP4_REPLAY_BAD_NONCE: return "bad-nonce";
	default: return "unknown";
	}
}

/* Difference in whole seconds between two NTP timestamps' seconds fields,
 * taken modulo 2^32 so that the 2036 era wrap does not matter. */
static int64_t ntp_sec_diff(uint64_t a, uint64_t b)
{
	return (int64_t)(int32_t)((uint32_t)(a >> 32) - (uint32_t)(b >> 32));
}

enum mip4_replay_verdict mip4_replay_check(const struct mip4_sa *sa,
					   const struct mip4_replay_state *st,
					   uint64_t id, uint64_t now_ntp)
{
	if (sa->replay == MIP4_REPLAY_NONCE) {
		/* The first request of a context carries no nonce of ours:
		 * it is answered with 133 and a nonce to echo. */
		if (!st->have_nonce || (uint32_t)(id >> 32) != st->nonce)
			return MIP4_REPLAY_BAD_NONCE;
		return MIP4_REPLAY_OK;
	}
	{
		int64_t d = ntp_sec_diff(id, now_ntp);

		if (d > (int64_t)sa->tolerance || d < -(int64_t)sa->tolerance)
			return MIP4_REPLAY_OUT_OF_SYNC;
	}
	/* §5.7.1: strictly greater than every accepted timestamp, compared
	 * as serial numbers so that the 2036 NTP era wrap is harmless. */
	if (st->have_last && (int64_t)(id - st->last_id) <= 0)
		return MIP4_REPLAY_STALE;
	return MIP4_REPLAY_OK;
}

void mip4_replay_accept(struct mip4_replay_state *st, uint64_t id)
{
	st->last_id = id;
	st->have_last = true;
}

uint64_t mip4_replay_reply_id(const struct mip4_sa *sa, uint64_t req_id,
			      bool accepted, uint64_t now_ntp,
			      uint32_t new_nonce)
{
	uint64_t low = req_id & 0xffffffffu;

	if (sa->replay == MIP4_REPLAY_NONCE)
		return (uint64_t)new_nonce << 32 | low;
	if (accepted)
		return req_id;
	return (now_ntp & 0xffffffff00000000u) | low;
}

uint64_t mip4_mn_next_id(struct mip4_mn_replay *r,
			 enum mip4_replay_method method, uint64_t now_ntp,
			 uint32_t random32)
{
	uint64_t id;

	if (method == MIP4_REPLAY_NONCE) {
		id = (uint64_t)r->ha_nonce << 32 | random32;
		/* low half must differ from the last one sent */
		if ((uint32_t)id == (uint32_t)r->last_id)
			id ^= 1;
	} else {
		/* HA time = our time + offset; keep the sub-second bits of
		 * our clock and use randomness below them. */
		uint64_t sec = (uint32_t)((int64_t)(now_ntp >> 32) + r->offset);

		id = sec << 32 | ((now_ntp & 0xffff0000u) | (random32 & 0xffffu));
		/* §5.7.1: strictly increasing (serial order, era-safe) */
		if (r->last_id && (int64_t)(id - r->last_id) <= 0)
			id = r->last_id + 1;
	}
	r->last_id = id;
	return id;
}

bool mip4_mn_reply(struct mip4_mn_replay *r, enum mip4_replay_method method,
		   uint64_t sent_id, uint64_t reply_id, uint8_t code,
		   uint64_t now_ntp)
{
	if ((uint32_t)sent_id != (uint32_t)reply_id)
		return false;
	if (method == MIP4_REPLAY_NONCE) {
		r->ha_nonce = (uint32_t)(reply_id >> 32);
	} else if (code == 133) {
		/* The HA put its own clock in the high 32 bits. */
		r->offset = ntp_sec_diff(reply_id, now_ntp);
		/* Our next id must exceed the HA's view, not our stale one. */
		if ((int64_t)(r->last_id - (reply_id & 0xffffffff00000000u)) > 0)
			r->last_id = reply_id & 0xffffffff00000000u;
	}
	return true;
}
