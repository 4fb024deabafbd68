/* SPDX-License-Identifier: BSD-2-Clause */
/* Shared bits of the libFuzzer harnesses. */
#ifndef MIP4_FUZZ_H
#define MIP4_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* The libFuzzer entry point (declared for -Wmissing-prototypes). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken invariant is a crash: libFuzzer saves the input. */
#define CHECK(cond)                       \
	do {                              \
		if (!(cond))              \
			__builtin_trap(); \
	} while (0)

/* p[0..n) lies inside base[0..len). */
#define INSIDE(p, n, base, len)                                        \
	((const uint8_t *)(p) >= (const uint8_t *)(base) &&            \
	 (size_t)((const uint8_t *)(p) - (const uint8_t *)(base)) <= (len) && \
	 (size_t)(n) <= (len) - (size_t)((const uint8_t *)(p) -        \
					(const uint8_t *)(base)))

#endif
