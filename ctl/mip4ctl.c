/* SPDX-License-Identifier: BSD-2-Clause */
/* mip4ctl: command-line front end.  Subcommands dispatch from one table;
 * -s SOCKET and --json may come before the subcommand or after it. */
#include <stdio.h>
#include <string.h>

#include "mip4ctl.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

struct ctl_globals ctl_globals;

static const struct command commands[] = {
	{"decode", cmd_decode,
	 "decode FILE.pcap|-i IFACE [--json] [--sa SPI:HEXKEY[:ALG]]...  "
	 "print every Mobile IPv4 message"},
	{"status", cmd_status, "status [-s SOCKET] [--json]  roles, uptime, bindings"},
	{"bindings", cmd_bindings,
	 "bindings [-s SOCKET] [--json] [--home PREFIX] [--coa PREFIX] "
	 "[--nai PREFIX]  the home agent's mobility bindings"},
	{"visitors", cmd_visitors,
	 "visitors [-s SOCKET] [--json] [--home PREFIX] [--coa PREFIX] "
	 "[--nai PREFIX]  the foreign agent's visitor list"},
	{"counters", cmd_counters,
	 "counters [-s SOCKET] [--json]  every counter, drops by reason"},
	{"metrics", cmd_metrics,
	 "metrics [-s SOCKET] [--label NAME=VALUE]...  every counter and gauge, "
	 "Prometheus text format"},
	{"monitor", cmd_monitor,
	 "monitor [-s SOCKET] [--json] [--until EVENT] [--timeout S]  live events"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: mip4ctl [-s SOCKET] [--json] COMMAND [ARGS]\n\n"
		   "commands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %s\n", commands[i].help);
}

/* The options before the subcommand.  Returns the index of the
 * subcommand, 0 for --help, -1 on a usage error. */
static int parse_globals(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0)
			return i + 1 < argc ? i + 1 : -1;
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
			return 0;
		if (strcmp(a, "-j") == 0 || strcmp(a, "--json") == 0) {
			ctl_globals.json = true;
		} else if (strcmp(a, "-s") == 0 || strcmp(a, "--socket") == 0) {
			if (++i == argc) {
				fprintf(stderr, "mip4ctl: %s needs a socket path\n", a);
				return -1;
			}
			ctl_globals.sock = argv[i];
		} else if (strncmp(a, "--socket=", 9) == 0 && a[9]) {
			ctl_globals.sock = a + 9;
		} else if (strncmp(a, "-s", 2) == 0) {
			ctl_globals.sock = a + 2;
		} else {
			fprintf(stderr, "mip4ctl: unknown option '%s'\n", a);
			return -1;
		}
	}
	if (i == argc) {
		fprintf(stderr, "mip4ctl: no command\n");
		return -1;
	}
	return i;
}

int main(int argc, char **argv)
{
	int i = parse_globals(argc, argv);

	if (i <= 0) {
		usage(i == 0 ? stdout : stderr);
		return i == 0 ? 0 : 2;
	}
	for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++)
		if (strcmp(argv[i], commands[k].name) == 0)
			return commands[k].fn(argc - i, argv + i);
	fprintf(stderr, "mip4ctl: unknown command '%s'\n", argv[i]);
	usage(stderr);
	return 2;
}
