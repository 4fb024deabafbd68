/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A clock the test moves (daemon/clock.h linked in place of clock.c).
 * Timers still run on libevent's own clock: tests call the roles' tick
 * themselves after moving this one.
 */
#include "clock.h"

#include <event2/event.h>

#include "fake.h"
#include "mip4/replay.h"

uint64_t fake_ms = 1000000;
int64_t fake_wall = 1800000000;
uint32_t fake_rand = 0x5eed;

uint64_t mip4d_now_ms(void)
{
	return fake_ms;
}

uint64_t mip4d_now_ntp(void)
{
	return mip4_ntp_from_unix(fake_wall + (int64_t)(fake_ms / 1000),
				  (uint32_t)(fake_ms % 1000) * 1000000u);
}

int64_t mip4d_now_wall(void)
{
	return fake_wall + (int64_t)(fake_ms / 1000);
}

uint32_t mip4d_random32(void)
{
	return fake_rand = fake_rand * 1103515245u + 12345u;
}

void mip4d_timer_at(struct event *ev, uint64_t deadline_ms)
{
	struct timeval tv = {0, 0};

	event_del(ev);
	if (!deadline_ms)
		return;
	if (deadline_ms > fake_ms) {
		uint64_t t = deadline_ms - fake_ms;

		tv.tv_sec = (time_t)(t / 1000);
		tv.tv_usec = (suseconds_t)(t % 1000) * 1000;
	}
	event_add(ev, &tv);
}

void fake_advance(uint64_t ms)
{
	fake_ms += ms;
}
