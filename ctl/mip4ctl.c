/* SPDX-License-Identifier: BSD-2-Clause */
/* mip4ctl: command-line front end.  Subcommands dispatch from one table. */
#include <stdio.h>
#include <string.h>

#include "mip4ctl.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct command commands[] = {
	{"decode", cmd_decode,
	 "decode FILE.pcap|-i IFACE [--json] [--sa SPI:HEXKEY[:ALG]]...  "
	 "print every Mobile IPv4 message"},
	{"status", cmd_status, "status [-s SOCKET] [--json]  roles, uptime, bindings"},
	{"bindings", cmd_bindings,
	 "bindings [-s SOCKET] [--json]  the home agent's mobility bindings"},
	{"visitors", cmd_visitors,
	 "visitors [-s SOCKET] [--json]  the foreign agent's visitor list"},
	{"counters", cmd_counters,
	 "counters [-s SOCKET] [--json]  every counter, drops by reason"},
	{"monitor", cmd_monitor,
	 "monitor [-s SOCKET] [--json] [--until EVENT] [--timeout S]  live events"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: mip4ctl COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %s\n", commands[i].help);
}

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "mip4ctl: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
