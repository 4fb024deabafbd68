/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/ctlreq.h - a control-socket request line, read (no I/O here, so
 * the fuzzer drives it: fuzz/fuzz_ctl_request.c).
 *
 *     {"version": 1, "command": "bindings", "more-ok": true,
 *      "filter": {"home": "10.64.0.0/16", "coa": "192.0.2.7",
 *                 "nai": "alice"}}
 *
 * "more-ok" and "filter" are optional; the filter's members too.  A
 * filter is refused when it is not an object of those three strings:
 * an address or A.B.C.D/LEN prefix without host bits for home and coa,
 * 1 to 255 bytes without NUL for nai.
 */
#ifndef MIP4D_CTLREQ_H
#define MIP4D_CTLREQ_H

#include <stdbool.h>
#include <stddef.h>

#include "role.h"

#define CTLREQ_COMMAND_MAX 32

struct ctlreq {
	char command[CTLREQ_COMMAND_MAX]; /* 1..31 bytes, NUL-terminated */
	bool more_ok;	 /* the client joins an answer sent in parts */
	bool filtered;	 /* "filter" was given */
	struct list_filter filter; /* lets everything through unless given */
};

/* 0, or -1 with a message for the client in err (the request is then
 * answered with that error). */
int ctlreq_parse(const char *line, size_t len, struct ctlreq *rq, char *err,
		 size_t errlen);

#endif
