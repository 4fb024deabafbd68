/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/clock.h - time and randomness, in one small module so that the
 * roles can be run against a fake clock (tests/fakes/clock_fake.c).
 */
#ifndef MIP4D_CLOCK_H
#define MIP4D_CLOCK_H

#include <stdint.h>

struct event;

uint64_t mip4d_now_ms(void);  /* monotonic, milliseconds */
uint64_t mip4d_now_ntp(void); /* wall clock, NTP format */
int64_t mip4d_now_wall(void); /* Unix seconds */
uint32_t mip4d_random32(void);
/* (Re)arm a timer event for a monotonic deadline (ms); 0 disarms it. */
void mip4d_timer_at(struct event *ev, uint64_t deadline_ms);

#endif
