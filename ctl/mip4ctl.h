/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef MIP4CTL_H
#define MIP4CTL_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

int cmd_decode(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_bindings(int argc, char **argv);
int cmd_visitors(int argc, char **argv);
int cmd_counters(int argc, char **argv);
int cmd_monitor(int argc, char **argv);

#endif
