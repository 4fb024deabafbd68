/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef MIP4CTL_H
#define MIP4CTL_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mip4/auth.h"
#include "mip4/wire.h"

#define MIP4CTL_MAX_SA 64

/* Keys given with --sa, looked up by SPI. */
struct sa_table {
	unsigned n;
	struct mip4_sa sa[MIP4CTL_MAX_SA];
};

int sa_table_add(struct sa_table *t, const char *spec, char *err,
		 size_t errlen);
const struct mip4_sa *sa_table_find(const struct sa_table *t, uint32_t spi);

/* JSON views of decoded messages (print.c). */
json_object *msg_to_json(const struct mip4_msg *m, const struct sa_table *t,
			 const char **verdict);
json_object *adv_to_json(const struct mip4_adv *a);
void json_render_text(json_object *o, int indent);

/* Options given before the subcommand, as ip(8) and wg(8) users type
 * them (mip4ctl.c); the same options after the subcommand win. */
struct ctl_globals {
	const char *sock; /* -s SOCKET / --socket SOCKET, or NULL */
	bool json;	  /* -j / --json */
};
extern struct ctl_globals ctl_globals;

/*
 * A control-socket answer, possibly in chunks (reply.c).  Each line is
 * {"version":1,"ok":true,"result":R} or {"ok":false,"error":"..."}; a
 * line with "more":true is followed by another, and the results of all
 * lines are joined: arrays appended, objects merged.  mip4d sends its
 * listings (bindings, visitors) that way, a step at a time, to a client
 * that says "more-ok"; the rest in one line.
 */
struct ctl_reply {
	json_object *result; /* the joined result (NULL until the first line) */
	bool done;
	/* When set, the entries of an answer that is a list go to item one
	 * by one as their lines come, and result stays an empty list: a
	 * listing of a million entries never sits whole in memory.  item
	 * returns -1 to stop (the answer is then in error). */
	int (*item)(void *ctx, json_object *entry);
	void *item_ctx;
	/* The request had a filter: every line must say "filtered": true
	 * (a daemon that does not know filters would list everything). */
	bool want_filtered;
};

/* Add one line (len bytes, no newline).  1: the answer is complete,
 * 0: more lines follow, -1: error (message in err). */
int ctl_reply_add(struct ctl_reply *r, const char *line, size_t len,
		  char *err, size_t errlen);
void ctl_reply_free(struct ctl_reply *r);

/* One command on the daemon's socket: *result gets the joined result.
 * 0 or -1 (message printed). */
int ctl_query(const char *sock, const char *cmd, json_object **result);
/* The same with a filter for a listing (a JSON object, or NULL) and an
 * answer r prepared by the caller (its item sink, if any); r->result is
 * the caller's to free, also after an error. */
int ctl_query_reply(const char *sock, const char *cmd, json_object *filter,
		    struct ctl_reply *r);
/* The socket to use: -s, else MIP4D_SOCKET, else the default. */
const char *ctl_socket_path(const char *given);

#include "metrics.h"

int cmd_decode(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_bindings(int argc, char **argv);
int cmd_visitors(int argc, char **argv);
int cmd_counters(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
int cmd_metrics(int argc, char **argv);

#endif
