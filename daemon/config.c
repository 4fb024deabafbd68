/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/config.c - mip4d.conf(5): the grammar, and the entry points.
 *
 * Each block of the file has a table of its options (struct opt rows:
 * name, value type, where the value lives in the block's struct and its
 * bounds), read by config_block.c and printed back by config_print.c.
 * Here are the tables, the few setters of options with a shape of their
 * own (pool, route, route-table, SA blocks), the whole-block checks run
 * when a block closes, the defaults, reading the file, and freeing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_int.h"
#include "mip4/ip.h"

/* ---- option tables ------------------------------------------------ */

#define AT(T, f) .off = offsetof(T, f), .size = sizeof(((T *)0)->f)
#define CNT(T, f) .cnt = offsetof(T, f)
#define U32(T, f, l, h) .type = V_U32, AT(T, f), .lo = (l), .hi = (h)
#define ENUM(T, f, e) .type = V_ENUM, AT(T, f), .en = (e)
#define BLOCK(T, f, have, t) .type = V_BLOCK, AT(T, f), CNT(T, have), .aux = (t)
#define PEERS(T, a, E, nai, dup, what)                                       \
	{offsetof(T, a), offsetof(T, a##_line), offsetof(T, n_##a),          \
	 offsetof(T, cap_##a), sizeof(E), offsetof(E, sa), nai, dup, what}

static const struct words ha_reverse = {
	NULL, NULL, {{"no", 0}, {"yes", 1}, {"required", 2}}};

/* The line where option `name` of t was first seen (last: its last
 * argument), 0 if never. */
static unsigned seen_at(const struct seen *s, const struct opt *t,
			const char *name, bool last)
{
	for (size_t i = 0; t[i].name; i++)
		if (strcmp(t[i].name, name) == 0)
			return last ? s->last[i] : s->first[i];
	return 0;
}

/* ---- security associations ---------------------------------------- */

/* What an SA block fills: the SA, and an NAI mobile node's address. */
struct sa_block {
	struct mip4_sa sa;
	uint32_t home_addr;
};

static const struct words alg_words = {
	"algorithm: ", " is not hmac-md5 or keyed-md5",
	{{"hmac-md5", MIP4_ALG_HMAC_MD5}, {"keyed-md5", MIP4_ALG_KEYED_MD5}}};
static const struct words replay_words = {
	"replay: ", " is not timestamp or nonce",
	{{"timestamp", MIP4_REPLAY_TIMESTAMP}, {"nonce", MIP4_REPLAY_NONCE}}};

#define T struct sa_block
static const struct opt sa_opts[] = {
	/* RFC 5944 §1.6: SPIs 0-255 are reserved */
	{.name = "spi", U32(T, sa.spi, 256, UINT32_MAX), .req = "spi"},
	{.name = "key", .type = V_KEY, AT(T, sa.key), CNT(T, sa.key_len),
	 .req = "key"},
	{.name = "algorithm", ENUM(T, sa.alg, &alg_words)},
	{.name = "replay", ENUM(T, sa.replay, &replay_words)},
	{.name = "tolerance", U32(T, sa.tolerance, 1, 86400)},
	{.name = "home-address", .type = V_ADDR, AT(T, home_addr),
	 .flags = F_NAI},
	{.name = NULL},
};
ROWS_FIT(sa_opts);
#undef T

/* The body of an SA block after its '{'; `who` names the block in
 * messages; home_addr, when not NULL, may be set (NAI mobile nodes). */
int cfg_parse_sa_block(struct parse *ps, const char *who, unsigned line,
		       struct mip4_sa *sa, uint32_t *home_addr)
{
	struct sa_block b = {.sa = {.alg = MIP4_ALG_HMAC_MD5,
				    .replay = MIP4_REPLAY_TIMESTAMP,
				    .tolerance = MIP4_CONFIG_DEF_TOLERANCE}};
	struct seen s = {{0}, {0}};
	int rc = cfg_block_parse(ps, sa_opts, &b, who, line,
				 home_addr ? F_NAI : 0, &s);

	if (rc == 0) {
		(void)mip4_sa_init(sa, b.sa.spi, b.sa.key, b.sa.key_len);
		sa->alg = b.sa.alg;
		sa->replay = b.sa.replay;
		sa->tolerance = b.sa.tolerance;
		if (home_addr)
			*home_addr = b.home_addr;
	}
	explicit_bzero(&b, sizeof b);
	return rc;
}

/* ---- home-agent block ---------------------------------------------- */

/* pool FIRST - LAST (also FIRST-LAST, FIRST- LAST) | none */
static int set_pool(struct parse *ps, const struct opt *o, void *base)
{
	struct mip4_ha_cfg *cfg = &((struct mip4_config_ha *)base)->cfg;
	char first[TOK_MAX + 1], *last;
	unsigned line;

	(void)o;
	if (cfg_arg(ps, "pool") < 0)
		return -1;
	line = ps->tok_line;
	if (strcmp(ps->tok, "none") == 0) {
		cfg->pool_first = cfg->pool_last = 0;
		return 0;
	}
	memcpy(first, ps->tok, ps->tok_len + 1);
	if ((last = strchr(first, '-')))
		*last++ = '\0';
	else if (cfg_arg(ps, "pool") < 0)
		return -1;
	else if (strcmp(ps->tok, "-") != 0)
		return cfg_perr(ps, ps->tok_line,
				"pool: expected FIRST - LAST, not '%s'",
				ps->tok);
	last = last && *last ? last : NULL; /* LAST in this word */
	if (cfg_parse_addr(ps, "pool", first, &cfg->pool_first) < 0 ||
	    (!last && cfg_arg(ps, "pool") < 0) ||
	    cfg_parse_addr(ps, "pool", last ? last : ps->tok,
			   &cfg->pool_last) < 0)
		return -1;
	if (cfg->pool_last < cfg->pool_first)
		return cfg_perr(ps, line,
				"pool: last address before the first");
	return 0;
}

static const struct peers ha_mns = PEERS(struct mip4_config_ha, mn,
	struct mip4_ha_mn, true, false, "mobile nodes");
static const struct peers ha_fas = PEERS(struct mip4_config_ha, fa,
	struct mip4_ha_fa, false, false, "foreign agents");
static const struct words flavours = {
	"flavour: ", " is not plain, internal or external",
	{{"plain", MIP4_HA_PLAIN}, {"internal", MIP4_HA_INTERNAL},
	 {"external", MIP4_HA_EXTERNAL}}};

static const struct words dp_modes = {
	"data-plane: ", " is not auto, ebpf or userspace",
	{{"auto", MIP4_CONFIG_DP_AUTO}, {"ebpf", MIP4_CONFIG_DP_EBPF},
	 {"userspace", MIP4_CONFIG_DP_USERSPACE}}};

#define T struct mip4_config_ha
static const struct opt ha_opts[] = {
	{.name = "address", .type = V_ADDR, AT(T, cfg.addr), .req = "address"},
	{.name = "home-network", .type = V_PREFIX, AT(T, cfg.home),
	 .zero = "none"},
	{.name = "max-lifetime", U32(T, cfg.max_lifetime, 1, 65535)},
	/* yes | no | required (RFC 3024 §4.3, code 138) */
	{.name = "reverse-tunnel", ENUM(T, cfg.reverse_tunnel, &ha_reverse),
	 CNT(T, cfg.reverse_required), .flags = F_TRI},
	{.name = "udp-tunnel", ENUM(T, cfg.udp_tunnel, NULL)},
	{.name = "udp-force", ENUM(T, cfg.udp_force_ok, NULL)},
	{.name = "keepalive", U32(T, cfg.keepalive, 1, 65535)},
	{.name = "max-simultaneous-bindings",
	 U32(T, cfg.max_coa, 1, MIP4_HA_MAX_COA), .def = MIP4_HA_MAX_COA},
	{.name = "flavour", .alias = "flavor",
	 ENUM(T, cfg.flavour, &flavours)},
	{.name = "trusted", .type = V_PLIST, AT(T, cfg.trusted),
	 CNT(T, cfg.n_trusted)},
	{.name = "inside", .type = V_PLIST, AT(T, cfg.inside),
	 CNT(T, cfg.n_inside)},
	{.name = "pool", .set = set_pool, .print = cfg_print_pool},
	/* M and G bits (RFC 5944 §3.8.2.1, code 139 when refused) */
	{.name = "gre", ENUM(T, cfg.gre, NULL)},
	{.name = "minimal-encapsulation", ENUM(T, cfg.minimal, NULL)},
	{.name = "tunnel-device", .type = V_IFNAME, AT(T, tunnel_dev)},
	{.name = "data-plane", ENUM(T, data_plane, &dp_modes)},
	{.name = "bpf-root", .type = V_PATH, AT(T, bpf_root), .zero = "auto"},
	/* physical home link: proxy and gratuitous ARP (RFC 5944 §4.6) */
	{.name = "home-interface", .type = V_IFNAME, AT(T, home_if),
	 .zero = "none"},
	{.name = "mobile-node", .set = cfg_set_peer, .print = cfg_print_peers,
	 .aux = &ha_mns},
	{.name = "foreign-agent", .set = cfg_set_peer, .print = cfg_print_peers,
	 .aux = &ha_fas},
	{.name = NULL},
};
ROWS_FIT(ha_opts);
#undef T

static const char *flavour_str(enum mip4_ha_flavour f)
{
	return f == MIP4_HA_INTERNAL ? "internal"
	       : f == MIP4_HA_EXTERNAL ? "external" : "plain";
}

/* The pool and the mobile nodes against the home agent's own address. */
static int ha_check_addrs(struct parse *ps, const struct mip4_config_ha *h,
			  unsigned line)
{
	const struct mip4_ha_cfg *cfg = &h->cfg;
	char nb[16];

	if (cfg->pool_first && cfg->home.mask &&
	    ((cfg->pool_first & cfg->home.mask) != cfg->home.net ||
	     (cfg->pool_last & cfg->home.mask) != cfg->home.net)) {
		char nb2[16], nb3[16];

		return cfg_perr(ps, line,
				"pool: %s - %s is not inside home-network "
				"%s/%u",
				mip4_ntoa(cfg->pool_first, nb),
				mip4_ntoa(cfg->pool_last, nb2),
				mip4_ntoa(cfg->home.net, nb3),
				cfg_plen_of(cfg->home.mask));
	}
	if (cfg->pool_first && cfg->addr >= cfg->pool_first &&
	    cfg->addr <= cfg->pool_last)
		return cfg_perr(ps, line,
				"pool: holds the home agent's own address %s",
				mip4_ntoa(cfg->addr, nb));
	for (size_t i = 0; i < h->n_mn; i++)
		if (h->mn[i].home_addr == cfg->addr)
			return cfg_perr(ps, h->mn_line[i],
					"mobile-node: %s is the home agent's "
					"own address",
					mip4_ntoa(cfg->addr, nb));
	return 0;
}

static int ha_check(struct parse *ps, const struct opt *o, void *blk,
		    unsigned line, const struct seen *s)
{
	struct mip4_config_ha *h = blk;
	const struct mip4_ha_cfg *cfg = &h->cfg;
	unsigned fl = seen_at(s, ha_opts, "flavour", true);
	size_t bad = h->n_mn;

	(void)o;
	if (cfg->n_trusted && cfg->flavour != MIP4_HA_INTERNAL)
		return cfg_perr(ps, seen_at(s, ha_opts, "trusted", false),
				"trusted: only for flavour internal (RFC 5265 "
				"§4.3), this home agent is %s",
				flavour_str(cfg->flavour));
	if (cfg->flavour == MIP4_HA_INTERNAL && !cfg->n_trusted)
		return cfg_perr(ps, fl ? fl : line,
				"flavour internal: no trusted prefix (every "
				"request would be dropped)");
	if (cfg->n_inside && cfg->flavour != MIP4_HA_EXTERNAL)
		return cfg_perr(ps, seen_at(s, ha_opts, "inside", false),
				"inside: only for flavour external (RFC 5265 "
				"§3.7), this home agent is %s",
				flavour_str(cfg->flavour));
	if (ha_check_addrs(ps, h, line) < 0 || cfg_build_indexes(ps, h) < 0)
		return -1;
	/* RFC 2794 assignment must not hand out a configured address (the
	 * lowest such address is named). */
	for (size_t i = 0; cfg->pool_first && i < h->n_mn; i++) {
		uint32_t a = h->mn[i].home_addr;

		if (a && a >= cfg->pool_first && a <= cfg->pool_last &&
		    (bad == h->n_mn || a < h->mn[bad].home_addr))
			bad = i;
	}
	if (bad < h->n_mn) {
		char nb[16];

		return cfg_perr(ps, h->mn_line[bad],
				"home address %s lies in the pool",
				mip4_ntoa(h->mn[bad].home_addr, nb));
	}
	return 0;
}

/* ---- mobile-node block --------------------------------------------- */

/* route all | route PREFIX (more than once) */
static int set_route(struct parse *ps, const struct opt *o, void *base)
{
	if (cfg_arg(ps, ps->opt) < 0)
		return -1;
	if (strcmp(ps->tok, "all") != 0)
		return cfg_set_value(ps, o, base);
	((struct mip4_config_mnrole *)base)->route_all = true;
	return 0;
}

static int set_security(struct parse *ps, const struct opt *o, void *base)
{
	unsigned line = ps->tok_line;

	(void)o;
	if (cfg_expect_lbrace(ps, "security") < 0)
		return -1;
	return cfg_parse_sa_block(ps, "security", line,
				  &((struct mip4_config_mnrole *)base)->cfg.sa,
				  NULL);
}

static int mn_check(struct parse *ps, const struct opt *o, void *blk,
		    unsigned line, const struct seen *s);
static int vpn_check(struct parse *ps, const struct opt *o, void *blk,
		     unsigned line, const struct seen *s);
#define VPN_ROWS 27 /* vpn_opts, declared before mn_opts needs it */
static const struct opt vpn_opts[VPN_ROWS];

static const struct words udp_modes = {
	"udp-tunnel: want auto, force or off, not ", "",
	{{"off", MIP4_MN_UDP_OFF}, {"auto", MIP4_MN_UDP_AUTO},
	 {"force", MIP4_MN_UDP_FORCE}}};

/*
 * One Mobile IP layer: the mobile-node block itself, or the
 * external-home-agent block of its vpn block, which takes the node's
 * interfaces and has no vpn block of its own (the F_INNER options).
 */
#define T struct mip4_config_mnrole
static const struct opt mn_opts[] = {
	/* 0.0.0.0: assigned by the home agent (RFC 2794) */
	{.name = "home-address", .type = V_ADDR, AT(T, cfg.home_addr),
	 .zero = "0.0.0.0"},
	{.name = "nai", .type = V_NAME, AT(T, cfg.nai)},
	{.name = "home-agent", .type = V_ADDR, AT(T, cfg.ha_addr),
	 .req = "home-agent"},
	{.name = "home-network", .type = V_PREFIX, AT(T, home_net)},
	{.name = "lifetime", U32(T, cfg.lifetime, 1, 65535)},
	{.name = "reverse-tunnel", ENUM(T, cfg.reverse_tunnel, NULL)},
	{.name = "udp-tunnel", ENUM(T, cfg.udp, &udp_modes)},
	{.name = "interface", .type = V_IFLIST, AT(T, ifname), CNT(T, n_if),
	 .flags = F_INNER},
	{.name = "tunnel-device", .type = V_IFNAME, AT(T, tunnel_dev)},
	{.name = "data-plane", ENUM(T, data_plane, &dp_modes)},
	{.name = "bpf-root", .type = V_PATH, AT(T, bpf_root), .zero = "auto"},
	{.name = "prefer-fa", ENUM(T, prefer_fa, NULL)},
	{.name = "route", .type = V_PLIST, AT(T, routes), CNT(T, n_routes),
	 .set = set_route, .print = cfg_print_route},
	{.name = "security", .set = set_security, .print = cfg_print_security,
	 .req = "security { spi ... key ... }"},
	{.name = "vpn", BLOCK(struct mip4_config, vpn, have_vpn, vpn_opts),
	 .flags = F_INNER | F_ROOT, .check = vpn_check,
	 .again = "vpn: only one such block"},
	{.name = NULL},
};
ROWS_FIT(mn_opts);
#undef T

static const struct words vpn_modes = {
	"mode: want cvc, mc or naive, not ", "",
	{{"cvc", MIP4_VMN_CVC}, {"mc", MIP4_VMN_MC},
	 {"naive", MIP4_VMN_NAIVE}}};

static const struct words vpn_drivers = {
	"driver: want strongswan, openvpn, openconnect, wireguard or command, "
	"not ", "",
	{{"strongswan", MIP4_VPN_STRONGSWAN}, {"openvpn", MIP4_VPN_OPENVPN},
	 {"openconnect", MIP4_VPN_OPENCONNECT},
	 {"wireguard", MIP4_VPN_WIREGUARD}, {"command", MIP4_VPN_COMMAND}}};

#define T struct mip4_config_vpn
static const struct opt vpn_opts[VPN_ROWS] = {
	{.name = "mode", ENUM(T, det.mode, &vpn_modes)},
	{.name = "gateway", .type = V_ADDR, AT(T, gateway),
	 .req = "gateway (the VPN gateway's address)"},
	{.name = "driver", ENUM(T, driver, &vpn_drivers)},
	{.name = "management", .type = V_PATH, AT(T, management)},
	{.name = "program", .type = V_PATH, AT(T, program)},
	{.name = "wg", .type = V_PATH, AT(T, wg)},
	{.name = "client-config", .type = V_PATH, AT(T, client_config)},
	{.name = "server", .type = V_NAME, AT(T, server)},
	{.name = "script", .type = V_PATH, AT(T, script)},
	{.name = "state-dir", .type = V_PATH, AT(T, state_dir)},
	{.name = "vpn-interface", .type = V_IFNAME, AT(T, vpn_if)},
	{.name = "up-command", .type = V_NAME, AT(T, up_cmd)},
	{.name = "down-command", .type = V_NAME, AT(T, down_cmd)},
	{.name = "status-command", .type = V_NAME, AT(T, status_cmd)},
	{.name = "swanctl", .type = V_PATH, AT(T, swanctl)},
	{.name = "strongswan-conf", .type = V_PATH, AT(T, strongswan_conf)},
	{.name = "vici", .type = V_PATH, AT(T, vici)},
	{.name = "ike", .type = V_NAME, AT(T, ike)},
	{.name = "child", .type = V_NAME, AT(T, child)},
	{.name = "routing-table", U32(T, table, 1, 0xfffffffeu)},
	{.name = "swanctl-timeout", .alias = "command-timeout",
	 U32(T, swanctl_timeout_ms, 2, 600),
	 .scale = 1000},
	{.name = "t-monitor", U32(T, det.t_monitor_ms, 5, 86400),
	 .scale = 1000},
	{.name = "detect-period", U32(T, det.detect_ms, 0, 60000)},
	{.name = "detect-timeout", U32(T, det.nox_detect_ms, 1, 60000)},
	{.name = "probe-period", U32(T, det.probe_ms, 0, 600), .scale = 1000},
	{.name = "external-home-agent",
	 BLOCK(T, outer, have_outer, mn_opts), .check = mn_check,
	 .again = "vpn: only one external-home-agent"},
	{.name = NULL},
};
#undef T

static void default_str(char *dst, size_t cap, const char *def)
{
	if (!dst[0])
		(void)snprintf(dst, cap, "%s", def);
}

/* Which driver each driver-specific option belongs to (bit per driver). */
static const struct {
	const char *name;
	unsigned drivers;
} vpn_opt_drivers[] = {
	{"swanctl", 1u << MIP4_VPN_STRONGSWAN},
	{"strongswan-conf", 1u << MIP4_VPN_STRONGSWAN},
	{"vici", 1u << MIP4_VPN_STRONGSWAN},
	{"ike", 1u << MIP4_VPN_STRONGSWAN},
	{"child", 1u << MIP4_VPN_STRONGSWAN},
	{"management", 1u << MIP4_VPN_OPENVPN},
	{"program", 1u << MIP4_VPN_OPENCONNECT | 1u << MIP4_VPN_WIREGUARD},
	{"wg", 1u << MIP4_VPN_WIREGUARD},
	{"client-config", 1u << MIP4_VPN_OPENCONNECT | 1u << MIP4_VPN_WIREGUARD},
	{"server", 1u << MIP4_VPN_OPENCONNECT},
	{"script", 1u << MIP4_VPN_OPENCONNECT},
	{"state-dir", 1u << MIP4_VPN_OPENCONNECT},
	{"vpn-interface", 1u << MIP4_VPN_OPENCONNECT | 1u << MIP4_VPN_WIREGUARD},
	{"up-command", 1u << MIP4_VPN_COMMAND},
	{"down-command", 1u << MIP4_VPN_COMMAND},
	{"status-command", 1u << MIP4_VPN_COMMAND},
};

/* An option of another driver is refused; strongSwan's default swanctl
 * path goes when another driver is chosen. */
static int vpn_driver_options(struct parse *ps, struct mip4_config_vpn *v,
			      unsigned line, const struct seen *s)
{
	static const char *const names[] = {"strongswan", "openvpn",
					    "openconnect", "wireguard",
					    "command"};

	for (size_t i = 0; i < sizeof vpn_opt_drivers / sizeof vpn_opt_drivers[0];
	     i++) {
		unsigned where = seen_at(s, vpn_opts, vpn_opt_drivers[i].name,
					 false);

		if (where && !(vpn_opt_drivers[i].drivers & 1u << v->driver))
			return cfg_perr(ps, where, "%s: not an option of driver %s",
				    vpn_opt_drivers[i].name, names[v->driver]);
	}
	if (v->driver != MIP4_VPN_STRONGSWAN)
		v->swanctl[0] = '\0';
	(void)line;
	return 0;
}

/* wg-quick names the interface after its file: NAME.conf. */
static int vpn_check_wg(struct parse *ps, struct mip4_config_vpn *v,
			unsigned line)
{
	const char *base = strrchr(v->client_config, '/');
	size_t n;

	if (!v->client_config[0])
		return cfg_perr(ps, line,
			    "vpn: driver wireguard needs client-config "
			    "/PATH/NAME.conf (wg-quick's file)");
	base = base ? base + 1 : v->client_config;
	n = strlen(base);
	if (n <= 5 || strcmp(base + n - 5, ".conf") != 0 ||
	    n - 5 >= MIP4_CONFIG_IFNAME_MAX)
		return cfg_perr(ps, line,
			    "vpn: client-config must be /PATH/NAME.conf with "
			    "NAME an interface name (wg-quick's rule)");
	if (v->vpn_if[0] && (strlen(v->vpn_if) != n - 5 ||
			     strncmp(v->vpn_if, base, n - 5) != 0))
		return cfg_perr(ps, line,
			    "vpn: vpn-interface must be the name of "
			    "client-config's file without .conf");
	memcpy(v->vpn_if, base, n - 5);
	v->vpn_if[n - 5] = '\0';
	default_str(v->program, sizeof v->program, MIP4_CONFIG_DEF_WG_QUICK);
	default_str(v->wg, sizeof v->wg, MIP4_CONFIG_DEF_WG);
	return 0;
}

/* up, down and status: each a program's absolute path, then arguments. */
static int vpn_check_commands(struct parse *ps, struct mip4_config_vpn *v,
			      unsigned line)
{
	const char *cmds[] = {v->up_cmd, v->down_cmd, v->status_cmd};
	static const char *const names[] = {"up-command", "down-command",
					    "status-command"};

	for (int i = 0; i < 3; i++) {
		if (!cmds[i][0])
			return cfg_perr(ps, line,
				    "vpn: driver command needs up-command, "
				    "down-command and status-command");
		if (cmds[i][0] != '/')
			return cfg_perr(ps, line,
				    "vpn: %s: the program must be an absolute "
				    "path", names[i]);
	}
	return 0;
}

static int vpn_check(struct parse *ps, const struct opt *o, void *blk,
		     unsigned line, const struct seen *s)
{
	struct mip4_config_vpn *v = blk;

	(void)o;
	if (vpn_driver_options(ps, v, line, s) < 0)
		return -1;
	switch (v->driver) {
	case MIP4_VPN_STRONGSWAN:
		if (!v->ike[0] || !v->child[0])
			return cfg_perr(ps, line,
				    "vpn: ike NAME and child NAME (swanctl.conf's "
				    "connection and CHILD_SA) are required");
		return 0;
	case MIP4_VPN_OPENVPN:
		if (!v->management[0])
			return cfg_perr(ps, line,
				    "vpn: driver openvpn needs management PATH "
				    "(the client's management unix socket)");
		return 0;
	case MIP4_VPN_OPENCONNECT:
		if (!v->server[0] || !v->vpn_if[0])
			return cfg_perr(ps, line,
				    "vpn: driver openconnect needs server URL "
				    "and vpn-interface NAME");
		default_str(v->program, sizeof v->program,
			    MIP4_CONFIG_DEF_OPENCONNECT);
		default_str(v->script, sizeof v->script,
			    MIP4_CONFIG_DEF_VPNC_SCRIPT);
		default_str(v->state_dir, sizeof v->state_dir,
			    MIP4_CONFIG_DEF_VPN_STATE_DIR);
		return 0;
	case MIP4_VPN_WIREGUARD:
		return vpn_check_wg(ps, v, line);
	default:
		return vpn_check_commands(ps, v, line);
	}
}

/* The mobile node with a vpn block (RFC 5265): its outer layer. */
static int mn_check_vpn(struct parse *ps, struct mip4_config_mnrole *r,
			unsigned line)
{
	struct mip4_config_vpn *vpn = &ps->c->vpn;

	/* The outer layer moves with the node: same interfaces. */
	vpn->outer.n_if = r->n_if;
	memcpy(vpn->outer.ifname, r->ifname, sizeof r->ifname);
	vpn->outer.prefer_fa = vpn->outer.prefer_fa || r->prefer_fa;
	if (vpn->det.mode == MIP4_VMN_CVC && !vpn->have_outer)
		return cfg_perr(ps, line,
				"mobile-node: vpn mode cvc needs an "
				"external-home-agent { } block (RFC 5265 "
				"§2.3)");
	if (vpn->have_outer &&
	    (vpn->outer.cfg.ha_addr == r->cfg.ha_addr ||
	     strcmp(vpn->outer.tunnel_dev, r->tunnel_dev) == 0 ||
	     vpn->outer.cfg.home_addr == r->cfg.home_addr))
		return cfg_perr(ps, line,
				"mobile-node: the external home agent, its "
				"home address and tunnel device must differ "
				"from the inner ones (RFC 5265 §3.5)");
	if (!r->cfg.home_addr)
		return cfg_perr(ps, line,
				"mobile-node: with a vpn block the home "
				"address must be configured, not assigned");
	return 0;
}

static int mn_check(struct parse *ps, const struct opt *o, void *blk,
		    unsigned line, const struct seen *s)
{
	struct mip4_config_mnrole *r = blk;
	const char *who = o->name;

	if (!seen_at(s, mn_opts, "home-address", false) && !r->cfg.nai[0])
		return cfg_perr(ps, line, "%s: no home-address (or nai)", who);
	if (!r->cfg.home_addr && !r->cfg.nai[0])
		return cfg_perr(ps, line,
				"%s: home-address 0.0.0.0 needs an nai (RFC "
				"2794)",
				who);
	if (r->n_if == 0 && (o->lo & F_INNER))
		return cfg_perr(ps, line, "%s: no interface", who);
	if (r->route_all && r->n_routes)
		return cfg_perr(ps, line,
				"%s: route all and route PREFIX exclude each "
				"other",
				who);
	r->route_all = r->route_all || !r->n_routes;
	return (o->lo & F_INNER) && ps->c->have_vpn
		       ? mn_check_vpn(ps, r, line) : 0;
}

/* ---- foreign-agent block ------------------------------------------- */

static int set_fa_table(struct parse *ps, const struct opt *o, void *base)
{
	uint32_t *t = at(base, o->off);

	if (cfg_arg(ps, ps->opt) < 0 ||
	    cfg_parse_u32(ps, ps->opt, o->lo, o->hi, t) < 0)
		return -1;
	if (*t == 253 || *t == 254 || *t == 255)
		return cfg_perr(ps, ps->tok_line,
				"route-table: %u is a kernel table", *t);
	return 0;
}

static const struct peers fa_has = PEERS(struct mip4_config_farole, ha,
	struct mip4_config_fa_sa, false, true, "associations");
static const struct peers fa_mns = PEERS(struct mip4_config_farole, mn,
	struct mip4_config_fa_sa, false, true, "associations");
static const struct words fa_reverse = {
	"reverse-tunnel: ", " is not yes, no or required",
	{{"no", 0}, {"yes", 1}, {"required", 2}}};

#define T struct mip4_config_farole
static const struct opt fa_opts[] = {
	{.name = "interface", .type = V_IFNAME, AT(T, ifname),
	 .req = "interface"},
	{.name = "address", .type = V_ADDR, AT(T, cfg.addr), .zero = "auto"},
	{.name = "care-of-address", .type = V_ALIST, AT(T, cfg.coa),
	 CNT(T, cfg.n_coa), .req = "care-of-address"},
	{.name = "advertise-interval", U32(T, cfg.adv_interval_s, 0, 1800)},
	{.name = "advertise-lifetime", U32(T, cfg.adv_lifetime_s, 1, 65535)},
	{.name = "max-lifetime", U32(T, cfg.max_lifetime, 1, 65535)},
	{.name = "reverse-tunnel", ENUM(T, cfg.reverse_tunnel, &fa_reverse),
	 CNT(T, cfg.reverse_tunnel_required), .flags = F_TRI},
	{.name = "encapsulating-delivery", ENUM(T, cfg.encap_delivery, NULL)},
	{.name = "prefix-lengths", ENUM(T, cfg.adv_prefix_lengths, NULL)},
	{.name = "busy", ENUM(T, cfg.busy, NULL)},
	{.name = "serve", .type = V_PLIST, AT(T, cfg.allowed),
	 CNT(T, cfg.n_allowed)},
	{.name = "max-visitors", U32(T, cfg.max_visitors, 1, 1u << 20),
	 .def = MIP4_FA_DEFAULT_MAX_VISITORS},
	{.name = "route-table", U32(T, table, 1, 0xfffffeffu),
	 .set = set_fa_table},
	{.name = "tunnel-device", .type = V_IFNAME, AT(T, tunnel_dev)},
	{.name = "data-plane", ENUM(T, data_plane, &dp_modes)},
	{.name = "bpf-root", .type = V_PATH, AT(T, bpf_root), .zero = "auto"},
	{.name = "home-agent", .set = cfg_set_peer, .print = cfg_print_peers,
	 .aux = &fa_has},
	{.name = "mobile-node", .set = cfg_set_peer, .print = cfg_print_peers,
	 .aux = &fa_mns},
	{.name = NULL},
};
ROWS_FIT(fa_opts);
#undef T

static int fa_check(struct parse *ps, const struct opt *o, void *blk,
		    unsigned line, const struct seen *s)
{
	struct mip4_config_farole *r = blk;
	struct mip4_fa_cfg *cfg = &r->cfg;
	char nb[16];

	(void)o;
	if (!seen_at(s, fa_opts, "advertise-lifetime", false))
		cfg->adv_lifetime_s = cfg->adv_interval_s
					      ? (uint16_t)(cfg->adv_interval_s * 3)
					      : 1800;
	if (cfg->adv_interval_s && cfg->adv_lifetime_s < cfg->adv_interval_s)
		return cfg_perr(ps, line,
				"foreign-agent: advertise-lifetime %u is "
				"shorter than advertise-interval %u",
				(unsigned)cfg->adv_lifetime_s,
				(unsigned)cfg->adv_interval_s);
	for (size_t i = 0; i < r->n_ha; i++)
		for (unsigned k = 0; k < cfg->n_coa; k++)
			if (r->ha[i].addr == cfg->coa[k] ||
			    r->ha[i].addr == cfg->addr)
				return cfg_perr(ps, r->ha_line[i],
						"home-agent: %s is the foreign "
						"agent's own address",
						mip4_ntoa(r->ha[i].addr, nb));
	return 0;
}

/* ---- top level ----------------------------------------------------- */

/* metrics-listen ADDR:PORT | none; ADDR 0.0.0.0 is every address */
static int set_metrics(struct parse *ps, const struct opt *o, void *base)
{
	struct mip4_config *c = base;
	char addr[TOK_MAX + 1], *colon;
	uint32_t port;

	if (cfg_arg(ps, o->name) < 0)
		return -1;
	if (strcmp(ps->tok, "none") == 0) {
		c->metrics_addr = 0;
		c->metrics_port = 0;
		return 0;
	}
	memcpy(addr, ps->tok, ps->tok_len + 1);
	colon = strrchr(addr, ':');
	if (!colon)
		return cfg_perr(ps, ps->tok_line,
				"%s: expected ADDRESS:PORT or none, not '%s'",
				o->name, ps->tok);
	*colon = '\0';
	/* the port is the token's tail: parse it from there */
	memmove(ps->tok, colon + 1, strlen(colon + 1) + 1);
	ps->tok_len = strlen(ps->tok);
	if (cfg_parse_u32(ps, o->name, 1, 65535, &port) < 0)
		return -1;
	c->metrics_port = (uint16_t)port;
	if (strcmp(addr, "0.0.0.0") == 0) {
		c->metrics_addr = 0;
		return 0;
	}
	return cfg_parse_addr(ps, o->name, addr, &c->metrics_addr);
}

/* normal: survives kill -9; full: also power loss */
static const struct words sync_modes = {
	"state-sync: want normal or full, not ", "",
	{{"normal", 0}, {"full", 1}}};

/* "A.B.C.D:PORT" separated by commas; each member once. */
static int etcd_check(struct parse *ps, const struct opt *o, void *blk,
		      unsigned line, const struct seen *s)
{
	struct mip4_config_etcd *e = blk;
	char buf[sizeof e->endpoints], *save = NULL;

	(void)o;
	(void)s;
	memcpy(buf, e->endpoints, sizeof buf);
	e->n_ep = 0;
	for (char *t = strtok_r(buf, ",", &save); t;
	     t = strtok_r(NULL, ",", &save)) {
		char *colon = strrchr(t, ':'), *end = NULL;
		unsigned long port = 0;
		struct in_addr a;

		if (colon) {
			*colon = '\0';
			port = strtoul(colon + 1, &end, 10);
		}
		if (!colon || !end || *end || end == colon + 1 || port == 0 ||
		    port > 65535 || inet_pton(AF_INET, t, &a) != 1)
			return cfg_perr(ps, line,
					"state-etcd: endpoint '%s%s%s' is not "
					"A.B.C.D:PORT", t, colon ? ":" : "",
					colon ? colon + 1 : "");
		if (e->n_ep == MIP4_CONFIG_ETCD_EP_MAX)
			return cfg_perr(ps, line,
					"state-etcd: more than %d endpoints",
					MIP4_CONFIG_ETCD_EP_MAX);
		e->ep_addr[e->n_ep] = ntohl(a.s_addr);
		e->ep_port[e->n_ep] = (uint16_t)port;
		for (unsigned i = 0; i < e->n_ep; i++)
			if (e->ep_addr[i] == e->ep_addr[e->n_ep] &&
			    e->ep_port[i] == e->ep_port[e->n_ep])
				return cfg_perr(ps, line,
						"state-etcd: endpoint %s:%lu "
						"given twice", t, port);
		e->n_ep++;
	}
	if (e->n_ep == 0)
		return cfg_perr(ps, line, "state-etcd: no endpoints");
	if (e->prefix[0] != '/')
		return cfg_perr(ps, line,
				"state-etcd: prefix '%s' does not start with /",
				e->prefix);
	return 0;
}

#define T struct mip4_config_etcd
static const struct opt etcd_opts[] = {
	{.name = "endpoints", .type = V_NAME, AT(T, endpoints),
	 .req = "endpoints"},
	{.name = "prefix", .type = V_NAME, AT(T, prefix)},
	{.name = "timeout", U32(T, timeout_ms, 50, 60000),
	 .def = MIP4_CONFIG_DEF_ETCD_TIMEOUT},
	{.name = "name", .type = V_NAME, AT(T, name), .zero = "none"},
	{.name = "lease", U32(T, lease_s, 2, 3600),
	 .def = MIP4_CONFIG_DEF_ETCD_LEASE},
	{.name = NULL},
};
ROWS_FIT(etcd_opts);
#undef T

#define T struct mip4_config
static const struct opt top_opts[] = {
	{.name = "control-socket", .type = V_PATH, AT(T, control_socket)},
	{.name = "state-db", .type = V_PATH, AT(T, state_db)},
	{.name = "state-sync", ENUM(T, state_sync_full, &sync_modes)},
	{.name = "metrics-listen", .set = set_metrics,
	 .print = cfg_print_metrics},
	{.name = "state-etcd", BLOCK(T, etcd, have_etcd, etcd_opts),
	 .check = etcd_check, .again = "state-etcd: declared twice"},
	{.name = "home-agent", BLOCK(T, ha, have_ha, ha_opts),
	 .check = ha_check, .again = "home-agent: declared twice"},
	{.name = "foreign-agent", BLOCK(T, fa, have_fa, fa_opts),
	 .check = fa_check, .again = "foreign-agent: only one such block"},
	{.name = "mobile-node", BLOCK(T, mn, have_mn, mn_opts),
	 .lo = F_INNER, .check = mn_check,
	 .again = "mobile-node: only one such block"},
	{.name = NULL},
};
ROWS_FIT(top_opts);
#undef T

static void config_defaults(struct mip4_config *c)
{
	static const struct mip4_config_ha ha = {
		.cfg = {.max_lifetime = MIP4_CONFIG_DEF_LIFETIME,
			.reverse_tunnel = true,
			.udp_tunnel = true,
			.gre = true,
			.minimal = true,
			.keepalive = MIP4_CONFIG_DEF_KEEPALIVE,
			.flavour = MIP4_HA_PLAIN},
		.tunnel_dev = MIP4_CONFIG_DEF_TUNDEV,
		/* userspace until this suite's foreign agent and mobile node
		 * read tunnels in the kernel: behind a NIC with GRO on, their
		 * raw sockets read the eBPF data plane's segments merged again
		 * and no TCP reaches the node (mip4d.conf(5), data-plane) */
		.data_plane = MIP4_CONFIG_DP_USERSPACE};
	static const struct mip4_config_farole fa = {
		.cfg = {.adv_interval_s = MIP4_CONFIG_DEF_FA_ADV_INTERVAL,
			.max_lifetime = MIP4_CONFIG_DEF_LIFETIME,
			.reverse_tunnel = true,
			.encap_delivery = true},
		.table = MIP4_CONFIG_DEF_FA_TABLE,
		.tunnel_dev = MIP4_CONFIG_DEF_FA_TUNDEV,
		.data_plane = MIP4_CONFIG_DP_USERSPACE};

	memset(c, 0, sizeof *c);
	(void)snprintf(c->control_socket, sizeof c->control_socket, "%s",
		       MIP4_CONFIG_DEF_SOCKET);
	(void)snprintf(c->state_db, sizeof c->state_db, "%s",
		       MIP4_CONFIG_DEF_STATE_DB);
	(void)snprintf(c->etcd.prefix, sizeof c->etcd.prefix, "%s",
		       MIP4_CONFIG_DEF_ETCD_PREFIX);
	c->etcd.timeout_ms = MIP4_CONFIG_DEF_ETCD_TIMEOUT;
	c->etcd.lease_s = MIP4_CONFIG_DEF_ETCD_LEASE;
	c->ha = ha;
	c->fa = fa;
	mip4_mn_cfg_defaults(&c->mn.cfg);
	(void)snprintf(c->mn.tunnel_dev, sizeof c->mn.tunnel_dev, "%s",
		       MIP4_CONFIG_DEF_MN_TUNDEV);
	c->mn.data_plane = MIP4_CONFIG_DP_USERSPACE;
	mip4_vmn_cfg_defaults(&c->vpn.det);
	(void)snprintf(c->vpn.swanctl, sizeof c->vpn.swanctl, "%s",
		       MIP4_CONFIG_DEF_SWANCTL);
	c->vpn.table = MIP4_CONFIG_DEF_VPN_TABLE;
	c->vpn.swanctl_timeout_ms = MIP4_CONFIG_DEF_SWANCTL_TIMEOUT * 1000;
	mip4_mn_cfg_defaults(&c->vpn.outer.cfg);
	(void)snprintf(c->vpn.outer.tunnel_dev, sizeof c->vpn.outer.tunnel_dev,
		       "%s", MIP4_CONFIG_DEF_X_TUNDEV);
	c->vpn.outer.data_plane = MIP4_CONFIG_DP_USERSPACE;
}

int mip4_config_parse_buf(const char *name, const char *text, size_t len,
			  struct mip4_config *out, char *err, size_t errlen)
{
	struct parse *ps = calloc(1, sizeof *ps);
	struct seen s = {{0}, {0}};
	int rc;

	config_defaults(out);
	if (errlen)
		err[0] = '\0';
	if (!ps && errlen)
		(void)snprintf(err, errlen, "%s: out of memory", name);
	if (!ps)
		return -1;
	ps->name = name;
	ps->p = text ? text : "";
	ps->end = ps->p + (text ? len : 0); /* no arithmetic on NULL */
	ps->line = 1;
	ps->err = err;
	ps->errlen = errlen;
	ps->c = out;
	rc = cfg_block_parse(ps, top_opts, out, NULL, 0, F_INNER, &s);
	if (rc == 0 && !out->have_ha && !out->have_mn && !out->have_fa)
		rc = cfg_perr(ps, 0, "no role configured (home-agent { ... }, "
				     "foreign-agent { ... } or mobile-node "
				     "{ ... })");
	free(ps);
	if (rc < 0) {
		mip4_config_free(out);
		return -1;
	}
	/* the lines served the messages; 4 bytes a node that no one reads
	 * once the file is accepted */
	free(out->ha.mn_line);
	out->ha.mn_line = NULL;
	return 0;
}

static bool has_keys(const struct mip4_config *c)
{
	return (c->have_ha && (c->ha.n_mn || c->ha.n_fa)) || c->have_mn ||
	       (c->have_fa && (c->fa.n_mn || c->fa.n_ha));
}

/* Read fd to its end into *buf (*len bytes); -1 with a message. */
static int read_all(int fd, const char *path, char **buf, size_t *len,
		    char *err, size_t errlen)
{
	size_t cap = 0;
	ssize_t n = 1;
	char *nb;

	while (n != 0) {
		if (*len == cap && cap >= MIP4_CONFIG_FILE_MAX)
			return snprintf(err, errlen, "%s: larger than %u bytes",
					path, MIP4_CONFIG_FILE_MAX),
			       -1;
		if (*len == cap) {
			if (!(nb = realloc(*buf, cap ? cap * 2 : 65536)))
				return snprintf(err, errlen,
						"%s: out of memory", path),
				       -1;
			*buf = nb;
			cap = cap ? cap * 2 : 65536;
		}
		n = read(fd, *buf + *len, cap - *len);
		if (n < 0 && errno != EINTR)
			return snprintf(err, errlen, "%s: %s", path,
					strerror(errno)),
			       -1;
		*len += n > 0 ? (size_t)n : 0;
	}
	return 0;
}

int mip4_config_parse_file(const char *path, struct mip4_config *out,
			   char *err, size_t errlen)
{
	/* O_NONBLOCK: a FIFO (or a device) at path must not hang open(), on
	 * start or on a SIGHUP reload; all but a regular file is refused
	 * below, and reading a regular file never blocks. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st = {0};
	size_t len = 0;
	char *buf = NULL;
	int rc = -1;

	config_defaults(out);
	if (fd < 0 || fstat(fd, &st) < 0)
		(void)snprintf(err, errlen, "%s: %s", path, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		(void)snprintf(err, errlen, "%s: not a regular file", path);
	else if (read_all(fd, path, &buf, &len, err, errlen) == 0)
		rc = mip4_config_parse_buf(path, buf ? buf : "", len, out, err,
					   errlen);
	if (fd >= 0)
		(void)close(fd);
	free(buf);
	if (rc == 0 && (st.st_mode & 077) && has_keys(out)) {
		(void)snprintf(err, errlen, "%s: keys in a file others can read "
					    "(mode %04o); chmod 600 it",
			       path, (unsigned)(st.st_mode & 07777));
		mip4_config_free(out);
		rc = -1;
	}
	return rc;
}

/* The list of n elem-sized entries at *arr, wiped (keys) and freed. */
static void free_list(void *arr, size_t n, size_t elem)
{
	if (arr)
		explicit_bzero(arr, n * elem);
	free(arr);
}

void mip4_config_free(struct mip4_config *c)
{
	if (!c)
		return;
	/* keys do not outlive the config in freed memory */
	free_list(c->ha.mn, c->ha.cap_mn, sizeof *c->ha.mn);
	free_list(c->ha.fa, c->ha.cap_fa, sizeof *c->ha.fa);
	free_list(c->fa.mn, c->fa.cap_mn, sizeof *c->fa.mn);
	free_list(c->fa.ha, c->fa.cap_ha, sizeof *c->fa.ha);
	free(c->ha.mn_line);
	free(c->ha.fa_line);
	mnindex_free(&c->ha.mn_by_addr);
	mnindex_free(&c->ha.mn_by_nai);
	cfg_text_free(c->ha.nai_text);
	free(c->ha.fa_by_addr);
	free(c->fa.mn_line);
	free(c->fa.ha_line);
	explicit_bzero(&c->ha, sizeof c->ha);
	explicit_bzero(&c->mn, sizeof c->mn);
	explicit_bzero(&c->fa, sizeof c->fa);
	c->have_ha = c->have_mn = c->have_fa = false;
}

void mip4_config_drop_peers(struct mip4_config *c)
{
	/* Not wiped: right after a fork these pages are the engine's too,
	 * and writing them would copy them all first. */
	free(c->ha.mn);
	free(c->ha.fa);
	free(c->fa.mn);
	free(c->fa.ha);
	free(c->ha.mn_line);
	free(c->ha.fa_line);
	free(c->fa.mn_line);
	free(c->fa.ha_line);
	free(c->ha.fa_by_addr);
	mnindex_free(&c->ha.mn_by_addr);
	mnindex_free(&c->ha.mn_by_nai);
	cfg_text_free(c->ha.nai_text);
	c->ha.mn = NULL;
	c->ha.fa = NULL;
	c->fa.mn = NULL;
	c->fa.ha = NULL;
	c->ha.mn_line = c->ha.fa_line = c->fa.mn_line = c->fa.ha_line = NULL;
	c->ha.fa_by_addr = NULL;
	c->ha.nai_text = NULL;
	c->ha.n_mn = c->ha.cap_mn = c->ha.n_fa = c->ha.cap_fa = 0;
	c->fa.n_mn = c->fa.cap_mn = c->fa.n_ha = c->fa.cap_ha = 0;
}

void mip4_config_print_flags(const struct mip4_config *c, FILE *f,
			     unsigned flags)
{
	cfg_print(c, f, flags, top_opts);
}

void mip4_config_print(const struct mip4_config *c, FILE *f)
{
	mip4_config_print_flags(c, f, 0);
}
