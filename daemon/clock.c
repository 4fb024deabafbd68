/* SPDX-License-Identifier: BSD-2-Clause */
/* daemon/clock.c - the system's clocks and getrandom (see clock.h). */
#include "clock.h"

#include <event2/event.h>
#include <sys/random.h>
#include <time.h>

#include "log.h"
#include "mip4/replay.h"

uint64_t mip4d_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void mip4d_timer_at(struct event *ev, uint64_t deadline_ms)
{
	uint64_t t = mip4d_now_ms();
	struct timeval tv;

	event_del(ev);
	if (!deadline_ms)
		return;
	t = deadline_ms > t ? deadline_ms - t : 0;
	tv.tv_sec = (time_t)(t / 1000);
	tv.tv_usec = (suseconds_t)(t % 1000) * 1000;
	event_add(ev, &tv);
}

uint64_t mip4d_now_ntp(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return mip4_ntp_from_unix(ts.tv_sec, (uint32_t)ts.tv_nsec);
}

int64_t mip4d_now_wall(void)
{
	return (int64_t)time(NULL);
}

uint32_t mip4d_random32(void)
{
	uint32_t r;

	if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r)
		fatalx("getrandom failed");
	return r;
}
