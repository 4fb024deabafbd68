/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mip4d.conf(5) parser: the shipped examples parse, print -> parse gives
 * the same configuration, every refusal names the right FILE:LINE, the
 * permission check, and lookups over 100k mobile nodes.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <cmocka.h>

/*
 * The parser lives in the daemon.  When the build links the mip4daemon
 * library it defines MIP4_DAEMON_LIB; otherwise (tests/CMakeLists.txt
 * links only libmip4) the parser's sources are compiled into this test.
 */
#ifdef MIP4_DAEMON_LIB
#include "config.h"
#else
/* NOLINTBEGIN(bugprone-suspicious-include) */
#include "../../daemon/config.c"
#include "../../daemon/config_block.c"
#include "../../daemon/config_index.c"
#include "../../daemon/config_lex.c"
#include "../../daemon/config_print.c"
/* NOLINTEND(bugprone-suspicious-include) */
#endif

/* The source tree: from the build, else from where this file lives. */
static const char *src_path(const char *rel, char *buf, size_t cap)
{
#ifdef MIP4_SOURCE_DIR
	snprintf(buf, cap, "%s/%s", MIP4_SOURCE_DIR, rel);
#else
	const char *me = __FILE__;
	const char *cut = strstr(me, "tests/unit/test_config.c");
	int n = cut ? (int)(cut - me) : 0;

	snprintf(buf, cap, "%.*s%s", n, me, rel);
#endif
	return buf;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static char *print_to_string(const struct mip4_config *c, unsigned flags)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	mip4_config_print_flags(c, f, flags);
	assert_int_equal(fclose(f), 0);
	return out;
}

static void assert_same_sa(const struct mip4_sa *a, const struct mip4_sa *b)
{
	assert_int_equal(a->spi, b->spi);
	assert_int_equal(a->alg, b->alg);
	assert_int_equal(a->key_len, b->key_len);
	assert_memory_equal(a->key, b->key, a->key_len);
	assert_int_equal(a->replay, b->replay);
	assert_int_equal(a->tolerance, b->tolerance);
}

static void assert_same_config(const struct mip4_config *a,
			       const struct mip4_config *b)
{
	const struct mip4_ha_cfg *x = &a->ha.cfg, *y = &b->ha.cfg;

	assert_string_equal(a->control_socket, b->control_socket);
	assert_string_equal(a->state_db, b->state_db);
	assert_int_equal(a->have_ha, b->have_ha);
	assert_int_equal(x->addr, y->addr);
	assert_int_equal(x->home.net, y->home.net);
	assert_int_equal(x->home.mask, y->home.mask);
	assert_int_equal(x->max_lifetime, y->max_lifetime);
	assert_int_equal(x->reverse_tunnel, y->reverse_tunnel);
	assert_int_equal(x->reverse_required, y->reverse_required);
	assert_int_equal(x->udp_tunnel, y->udp_tunnel);
	assert_int_equal(x->udp_force_ok, y->udp_force_ok);
	assert_int_equal(x->keepalive, y->keepalive);
	assert_int_equal(x->flavour, y->flavour);
	assert_int_equal(x->n_trusted, y->n_trusted);
	assert_memory_equal(x->trusted, y->trusted,
			    x->n_trusted * sizeof x->trusted[0]);
	assert_int_equal(x->n_inside, y->n_inside);
	assert_memory_equal(x->inside, y->inside,
			    x->n_inside * sizeof x->inside[0]);
	assert_int_equal(x->pool_first, y->pool_first);
	assert_int_equal(x->pool_last, y->pool_last);
	assert_string_equal(a->ha.tunnel_dev, b->ha.tunnel_dev);
	assert_string_equal(a->ha.home_if, b->ha.home_if);
	assert_int_equal(a->state_sync_full, b->state_sync_full);
	assert_int_equal(a->have_mn, b->have_mn);
	assert_int_equal(a->mn.cfg.home_addr, b->mn.cfg.home_addr);
	assert_string_equal(a->mn.cfg.nai, b->mn.cfg.nai);
	assert_int_equal(a->mn.cfg.ha_addr, b->mn.cfg.ha_addr);
	assert_int_equal(a->mn.cfg.lifetime, b->mn.cfg.lifetime);
	assert_int_equal(a->mn.cfg.reverse_tunnel, b->mn.cfg.reverse_tunnel);
	assert_int_equal(a->mn.cfg.udp, b->mn.cfg.udp);
	assert_int_equal(a->mn.home_net.net, b->mn.home_net.net);
	assert_int_equal(a->mn.home_net.mask, b->mn.home_net.mask);
	assert_int_equal(a->mn.n_if, b->mn.n_if);
	for (unsigned i = 0; i < a->mn.n_if; i++)
		assert_string_equal(a->mn.ifname[i], b->mn.ifname[i]);
	assert_string_equal(a->mn.tunnel_dev, b->mn.tunnel_dev);
	assert_int_equal(a->mn.route_all, b->mn.route_all);
	assert_int_equal(a->mn.prefer_fa, b->mn.prefer_fa);
	assert_int_equal(a->mn.n_routes, b->mn.n_routes);
	assert_memory_equal(a->mn.routes, b->mn.routes,
			    a->mn.n_routes * sizeof a->mn.routes[0]);
	if (a->have_mn)
		assert_same_sa(&a->mn.cfg.sa, &b->mn.cfg.sa);
	assert_int_equal(a->ha.n_mn, b->ha.n_mn);
	for (size_t i = 0; i < a->ha.n_mn; i++) {
		assert_int_equal(a->ha.mn[i].home_addr, b->ha.mn[i].home_addr);
		assert_true(!a->ha.mn[i].nai == !b->ha.mn[i].nai);
		if (a->ha.mn[i].nai)
			assert_string_equal(a->ha.mn[i].nai, b->ha.mn[i].nai);
		assert_same_sa(&a->ha.mn[i].sa, &b->ha.mn[i].sa);
	}
	assert_int_equal(a->ha.n_fa, b->ha.n_fa);
	for (size_t i = 0; i < a->ha.n_fa; i++) {
		assert_int_equal(a->ha.fa[i].addr, b->ha.fa[i].addr);
		assert_same_sa(&a->ha.fa[i].sa, &b->ha.fa[i].sa);
	}
}

/* print (keys shown) -> parse gives the same config and the same text. */
static void assert_roundtrip(const struct mip4_config *c)
{
	struct mip4_config c2;
	char err[256];
	char *t1 = print_to_string(c, MIP4_CONFIG_PRINT_KEYS), *t2;

	assert_int_equal(mip4_config_parse_buf("printed", t1, strlen(t1), &c2,
					       err, sizeof err),
			 0);
	assert_same_config(c, &c2);
	t2 = print_to_string(&c2, MIP4_CONFIG_PRINT_KEYS);
	assert_string_equal(t1, t2);
	free(t1);
	free(t2);
	mip4_config_free(&c2);
}

static void parse_example(const char *rel, struct mip4_config *c)
{
	char path[4096], err[256];
	size_t len;
	char *text = slurp(src_path(rel, path, sizeof path), &len);
	int rc = mip4_config_parse_buf(path, text, len, c, err, sizeof err);

	if (rc != 0)
		fail_msg("%s", err);
	free(text);
}

static void test_example_ha(void **state)
{
	struct mip4_config c;
	char *redacted;

	(void)state;
	parse_example("etc/mip4d-ha.conf", &c);
	assert_true(c.have_ha);
	assert_int_equal(c.ha.cfg.addr, 0x0a000001u);
	assert_int_equal(c.ha.cfg.home.net, 0x0a000000u);
	assert_int_equal(c.ha.cfg.home.mask, 0xffffff00u);
	assert_int_equal(c.ha.cfg.keepalive, 25);
	assert_int_equal(c.ha.cfg.pool_first, 0x0a0000c8u);
	assert_int_equal(c.ha.cfg.pool_last, 0x0a0000fau);
	assert_int_equal(c.ha.n_mn, 4);
	assert_int_equal(c.ha.n_fa, 1);
	assert_int_equal(c.ha.mn[0].sa.spi, 0x1000);
	assert_int_equal(c.ha.mn[0].sa.key_len, 16);
	assert_int_equal(c.ha.mn[0].sa.key[15], 0xff);
	assert_string_equal(c.ha.mn[2].nai, "bob@corp.example");
	assert_int_equal(c.ha.mn[2].sa.key_len, strlen("an example secret"));
	assert_int_equal(c.ha.mn[2].sa.replay, MIP4_REPLAY_NONCE);
	assert_int_equal(c.ha.mn[3].home_addr, 0x0a000066u);

	assert_ptr_equal(mip4_config_find_mn(&c, 0x0a000065u, NULL, 0),
			 &c.ha.mn[1]);
	assert_ptr_equal(mip4_config_find_mn(&c, 0, "bob@corp.example", 16),
			 &c.ha.mn[2]);
	assert_null(mip4_config_find_mn(&c, 0, "bob@corp.exampl", 15));
	assert_null(mip4_config_find_mn(&c, 0x0a000063u, NULL, 0));
	assert_ptr_equal(mip4_config_find_fa(&c, 0xc6336405u), &c.ha.fa[0]); /* 198.51.100.5 */
	assert_null(mip4_config_find_fa(&c, 0xc0000201u)); /* its link address */

	/* the default print hides keys */
	redacted = print_to_string(&c, 0);
	assert_null(strstr(redacted, "00112233"));
	assert_non_null(strstr(redacted, "key <redacted>"));
	free(redacted);
	assert_roundtrip(&c);
	mip4_config_free(&c);
}

static void test_example_mn(void **state)
{
	struct mip4_config c;

	(void)state;
	parse_example("etc/mip4d-mn.conf", &c);
	assert_true(c.have_mn);
	assert_false(c.have_ha);
	assert_int_equal(c.mn.cfg.home_addr, 0x0a000064);
	assert_int_equal(c.mn.cfg.ha_addr, 0x0a000001);
	assert_int_equal(c.mn.n_if, 1);
	assert_string_equal(c.mn.ifname[0], "wlan0");
	assert_true(c.mn.route_all);
	assert_int_equal(c.mn.cfg.sa.spi, 0x1000);
	assert_roundtrip(&c);
	mip4_config_free(&c);
}

static void test_example_fa(void **state)
{
	struct mip4_config c;
	char *t1, *t2;
	struct mip4_config c2;
	char err[256];

	(void)state;
	parse_example("etc/mip4d-fa.conf", &c);
	assert_true(c.have_fa);
	assert_false(c.have_ha);
	assert_string_equal(c.fa.ifname, "eth1");
	assert_string_equal(c.fa.tunnel_dev, "mip-fa0");
	assert_int_equal(c.fa.table, 434);
	assert_int_equal(c.fa.n_ha, 1);
	assert_int_equal(c.fa.n_mn, 1);
	/* print (keys shown) -> parse -> print is stable */
	t1 = print_to_string(&c, MIP4_CONFIG_PRINT_KEYS);
	assert_int_equal(mip4_config_parse_buf("printed", t1, strlen(t1), &c2,
					       err, sizeof err),
			 0);
	t2 = print_to_string(&c2, MIP4_CONFIG_PRINT_KEYS);
	assert_string_equal(t1, t2);
	free(t1);
	free(t2);
	mip4_config_free(&c2);
	mip4_config_free(&c);
}

static void test_example_iha(void **state)
{
	struct mip4_config c;

	(void)state;
	parse_example("etc/mip4d-iha.conf", &c);
	assert_int_equal(c.ha.cfg.flavour, MIP4_HA_INTERNAL);
	assert_int_equal(c.ha.cfg.n_trusted, 2);
	assert_int_equal(c.ha.cfg.trusted[1].net, 0xac100000u);
	assert_false(c.ha.cfg.udp_tunnel);
	assert_int_equal(c.ha.cfg.keepalive, MIP4_CONFIG_DEF_KEEPALIVE);
	assert_int_equal(c.ha.mn[1].sa.tolerance, 10);
	assert_roundtrip(&c);
	mip4_config_free(&c);
}

/* Every default, and that printing makes each explicit. */
static void test_max_simultaneous(void **state)
{
	static const char ok[] =
		"home-agent { address 10.0.0.1 max-simultaneous-bindings 2 }";
	static const char bad[] =
		"home-agent { address 10.0.0.1\n max-simultaneous-bindings 5 }";
	struct mip4_config c;
	char err[256];

	(void)state;
	assert_int_equal(mip4_config_parse_buf("m.conf", ok, strlen(ok), &c, err,
					       sizeof err),
			 0);
	assert_int_equal(c.ha.cfg.max_coa, 2);
	mip4_config_free(&c);
	assert_int_equal(mip4_config_parse_buf("m.conf", bad, strlen(bad), &c,
					       err, sizeof err),
			 -1);
	assert_non_null(strstr(err, "m.conf:2:"));
	mip4_config_free(&c);
}

/* state-etcd: its endpoints parsed, its defaults. */
static void test_etcd(void **state)
{
	static const char ok[] =
		"state-etcd { endpoints 10.0.0.1:2379,10.0.0.2:22379 }\n"
		"home-agent { address 10.0.0.1 }";
	struct mip4_config c;
	char err[256];

	(void)state;
	assert_int_equal(mip4_config_parse_buf("e.conf", ok, strlen(ok), &c, err,
					       sizeof err),
			 0);
	assert_true(c.have_etcd);
	assert_int_equal(c.etcd.n_ep, 2);
	assert_int_equal(c.etcd.ep_addr[1], 0x0a000002);
	assert_int_equal(c.etcd.ep_port[1], 22379);
	assert_string_equal(c.etcd.prefix, "/mip4d/");
	assert_int_equal(c.etcd.timeout_ms, 500);
	mip4_config_free(&c);
}

static void test_defaults(void **state)
{
	static const char text[] = "home-agent { address 10.0.0.1 }";
	struct mip4_config c;
	char err[256], *out;

	(void)state;
	assert_int_equal(mip4_config_parse_buf("d.conf", text, strlen(text),
					       &c, err, sizeof err),
			 0);
	assert_string_equal(c.control_socket, "/run/mip4d/mip4d.sock");
	assert_string_equal(c.state_db, "/var/lib/mip4d/bindings.db");
	assert_int_equal(c.ha.cfg.home.mask, 0);
	assert_int_equal(c.ha.cfg.max_lifetime, 600);
	assert_true(c.ha.cfg.reverse_tunnel);
	assert_true(c.ha.cfg.udp_tunnel);
	assert_false(c.ha.cfg.udp_force_ok);
	assert_int_equal(c.ha.cfg.keepalive, 110);
	assert_int_equal(c.ha.cfg.flavour, MIP4_HA_PLAIN);
	assert_int_equal(c.ha.cfg.pool_first, 0);
	assert_string_equal(c.ha.tunnel_dev, "mip-ha0");
	out = print_to_string(&c, 0);
	assert_string_equal(out,
			    "# mip4d configuration, every default explicit\n"
			    "control-socket \"/run/mip4d/mip4d.sock\"\n"
			    "state-db \"/var/lib/mip4d/bindings.db\"\n"
			    "state-sync normal\n"
			    "\n"
			    "home-agent {\n"
			    "\taddress 10.0.0.1\n"
			    "\thome-network none\n"
			    "\tmax-lifetime 600\n"
			    "\treverse-tunnel yes\n"
			    "\tudp-tunnel yes\n"
			    "\tudp-force no\n"
			    "\tkeepalive 110\n"
			    "\tmax-simultaneous-bindings 4\n"
			    "\tflavour plain\n"
			    "\tpool none\n"
			    "\tgre yes\n"
			    "\tminimal-encapsulation yes\n"
			    "\ttunnel-device \"mip-ha0\"\n"
			    "\tdata-plane userspace\n"
			    "\tbpf-root auto\n"
			    "\thome-interface none\n"
			    "}\n");
	free(out);
	assert_roundtrip(&c);
	mip4_config_free(&c);
}

/* Accepted odd spellings. */
static void test_accepted(void **state)
{
	static const char *const ok[] = {
		"home-agent{address 10.0.0.1}",
		"# c\nhome-agent { address \"10.0.0.1\" } # trailing",
		"home-agent { address 10.0.0.1 pool 10.0.0.5-10.0.0.9 }",
		"home-agent { address 10.0.0.1 pool 10.0.0.5- 10.0.0.9 }",
		"home-agent { address 10.0.0.1 flavor external inside 0.0.0.0/0 }",
		"home-agent { address 10.0.0.1 mobile-node 10.0.0.2 { spi 256 "
		"key \"q\\\"uote\\\\\" } }",
		"home-agent { address 10.0.0.1 mobile-node 10.0.0.2 { spi "
		"0xffffffff key hex:" /* 64 bytes */
		"000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f"
		"000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f"
		" } }",
		"home-agent { address 10.0.0.1 mobile-node 10.0.0.2 { spi 300 key "
		"0123456789012345678901234567890123456789012345678901234567890123 "
		"} }",
		"control-socket \"/tmp/a b.sock\"\nhome-agent { address 1.2.3.4 }",
		"state-sync full home-agent { address 10.0.0.1 home-interface eth0 }",
		"home-agent { address 10.0.0.1 reverse-tunnel required }",
		"mobile-node { home-address 10.0.0.100 home-agent 10.0.0.1 "
		"interface wlan0 security { spi 0x1000 key k } }",
		"mobile-node { home-address 0.0.0.0 nai \"mn@corp\" home-agent 10.0.0.1 "
		"home-network 10.0.0.0/24 lifetime 300 reverse-tunnel no udp-tunnel force "
		"interface e0 interface e1 tunnel-device m0 prefer-fa yes route 10.1.0.0/16 "
		"route 10.2.0.0/16 security { spi 0x1000 key k replay nonce } }",
		"home-agent { address 10.0.0.1 } mobile-node { home-address 10.9.0.1 "
		"home-agent 10.9.0.254 interface x udp-tunnel off security { spi 999 key k } }",
		"state-sync normal home-agent { address 10.0.0.1 home-interface none }",
		"metrics-listen 127.0.0.1:9641 home-agent { address 10.0.0.1 }",
		"metrics-listen 0.0.0.0:1 home-agent { address 10.0.0.1 }",
		"metrics-listen 10.0.0.1:9641 metrics-listen none "
		"home-agent { address 10.0.0.1 }",
	};

	(void)state;
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		struct mip4_config c;
		char err[256] = "";

		if (mip4_config_parse_buf("a.conf", ok[i], strlen(ok[i]), &c,
					  err, sizeof err) != 0)
			fail_msg("case %zu: %s", i, err);
		assert_roundtrip(&c);
		mip4_config_free(&c);
	}
}

struct bad_case {
	const char *text;
	const char *err; /* the whole message after "t.conf:" */
};

#define HA "home-agent {\naddress 10.0.0.1\n"
#define MN1 "mobile-node 10.0.0.100 { spi 0x1000 key k1 }\n"

static const struct bad_case bad_cases[] = {
	{"", "t.conf: no role configured (home-agent { ... }, foreign-agent { ... } or mobile-node { ... })"},
	{"mobile-node {\n}", "t.conf:1: mobile-node: no home-agent"},
	{"mobile-node { home-agent 10.0.0.1\n}",
	 "t.conf:1: mobile-node: no security { spi ... key ... }"},
	{"mobile-node { home-agent 10.0.0.1 security { spi 300 key k } }",
	 "t.conf:1: mobile-node: no home-address (or nai)"},
	{"mobile-node { home-agent 10.0.0.1 home-address 0.0.0.0 security { spi 300 key k } }",
	 "t.conf:1: mobile-node: home-address 0.0.0.0 needs an nai (RFC 2794)"},
	{"mobile-node { home-agent 10.0.0.1 home-address 10.0.0.9 security { spi 300 key k } }",
	 "t.conf:1: mobile-node: no interface"},
	{"mobile-node {\nudp-tunnel maybe }",
	 "t.conf:2: udp-tunnel: want auto, force or off, not 'maybe'"},
	{"mobile-node { home-agent 10.0.0.1 home-address 10.0.0.9 interface e0 "
	 "route all route 10.1.0.0/16 security { spi 300 key k } }",
	 "t.conf:1: mobile-node: route all and route PREFIX exclude each other"},
	{"mobile-node { home-agent 10.0.0.1 }\nmobile-node {",
	 "t.conf:1: mobile-node: no security { spi ... key ... }"},
	{"mobile-node {\nlifetime 0 }", "t.conf:2: lifetime: 0 out of range (1..65535)"},
	{"bogus 1\n", "t.conf:1: unknown keyword 'bogus'"},
	{"\n\nhome-agent { address 10.0.0.1 }\nhome-agent { address 10.0.0.2 }",
	 "t.conf:4: home-agent: declared twice"},
	{"foreign-agent {\n}", "t.conf:1: foreign-agent: no interface"},
	{"foreign-agent { interface eth1 }",
	 "t.conf:1: foreign-agent: no care-of-address"},
	{"foreign-agent { interface eth1 care-of-address 10.0.0.1\n"
	 "reverse-tunnel maybe }",
	 "t.conf:2: reverse-tunnel: 'maybe' is not yes, no or required"},
	{"foreign-agent { interface e care-of-address 10.0.0.1 }\n"
	 "foreign-agent { }", "t.conf:2: foreign-agent: only one such block"},
	{"{", "t.conf:1: unexpected '{'"},
	{"home-agent address", "t.conf:1: home-agent: expected '{', not "
			       "address"},
	{HA "frob 1\n}", "t.conf:3: home-agent: unknown option 'frob'"},
	{"home-agent {\n\n max-lifetime 5\n}", "t.conf:1: home-agent: no "
					       "address"},
	{HA, "t.conf:1: home-agent: unterminated block (no '}')"},
	{HA "mobile-node 10.0.0.5 {\nspi 300 key x\n",
	 "t.conf:3: mobile-node 10.0.0.5: unterminated block (no '}')"},
	{HA "tunnel-device \"mip\n}", "t.conf:3: unterminated string"},
	{HA "tunnel-device \"mip", "t.conf:3: unterminated string"},
	{HA "tunnel-device \"a\\qb\"}",
	 "t.conf:3: bad escape in string (only \\\" and \\\\)"},
	{HA "address 10.0.0.256\n}",
	 "t.conf:3: address: '10.0.0.256' is not an IPv4 address"},
	{HA "address 224.0.0.1\n}",
	 "t.conf:3: address: 224.0.0.1 is not a unicast address"},
	{HA "address\n}", "t.conf:3: address: missing argument before '}'"},
	{HA "home-network 10.0.0.1/24\n}",
	 "t.conf:3: home-network: 10.0.0.1/24 has host bits set (did you "
	 "mean 10.0.0.0/24?)"},
	{HA "home-network 10.0.0.0/33\n}",
	 "t.conf:3: home-network: 10.0.0.0/33: prefix length out of range "
	 "(0..32)"},
	{HA "home-network 10.0.0.0\n}",
	 "t.conf:3: home-network: '10.0.0.0' is not a prefix (like "
	 "10.0.0.0/24)"},
	{HA "max-lifetime 0\n}",
	 "t.conf:3: max-lifetime: 0 out of range (1..65535)"},
	{HA "max-lifetime 65536\n}",
	 "t.conf:3: max-lifetime: 65536 out of range (1..65535)"},
	{HA "max-lifetime 99999999999\n}",
	 "t.conf:3: max-lifetime: 99999999999 out of range (1..65535)"},
	{HA "keepalive -1\n}", "t.conf:3: keepalive: '-1' is not a number"},
	{HA "reverse-tunnel maybe\n}",
	 "t.conf:3: reverse-tunnel: 'maybe' is not yes or no"},
	{HA "flavour fancy\n}",
	 "t.conf:3: flavour: 'fancy' is not plain, internal or external"},
	{HA "\ntrusted 10.1.0.0/16\n}",
	 "t.conf:4: trusted: only for flavour internal (RFC 5265 §4.3), "
	 "this home agent is plain"},
	{HA "flavour internal\n}",
	 "t.conf:3: flavour internal: no trusted prefix (every request "
	 "would be dropped)"},
	{HA "flavour internal trusted 10.0.0.0/8\ninside 10.0.0.0/8\n}",
	 "t.conf:4: inside: only for flavour external (RFC 5265 §3.7), this "
	 "home agent is internal"},
	{HA "flavour internal\n"
	    "trusted 1.0.0.0/8 trusted 2.0.0.0/8 trusted 3.0.0.0/8\n"
	    "trusted 4.0.0.0/8 trusted 5.0.0.0/8 trusted 6.0.0.0/8\n"
	    "trusted 7.0.0.0/8 trusted 8.0.0.0/8 trusted 9.0.0.0/8\n"
	    "trusted 11.0.0.0/8 trusted 12.0.0.0/8 trusted 13.0.0.0/8\n"
	    "trusted 14.0.0.0/8 trusted 15.0.0.0/8 trusted 16.0.0.0/8\n"
	    "trusted 17.0.0.0/8\ntrusted 18.0.0.0/8\n}",
	 "t.conf:10: trusted: more than 16 prefixes"},
	{HA "pool 10.0.0.9 - 10.0.0.5\n}",
	 "t.conf:3: pool: last address before the first"},
	{HA "pool 10.0.0.5 to 10.0.0.9\n}",
	 "t.conf:3: pool: expected FIRST - LAST, not 'to'"},
	{HA "home-network 10.0.0.0/24\npool 10.0.1.5 - 10.0.1.9\n}",
	 "t.conf:1: pool: 10.0.1.5 - 10.0.1.9 is not inside home-network "
	 "10.0.0.0/24"},
	{HA "pool 10.0.0.1 - 10.0.0.9\n}",
	 "t.conf:1: pool: holds the home agent's own address 10.0.0.1"},
	{HA "pool 10.0.0.90 - 10.0.0.109\n" MN1 "}",
	 "t.conf:4: home address 10.0.0.100 lies in the pool"},
	{HA "tunnel-device abcdefghijklmnop\n}",
	 "t.conf:3: tunnel-device: name must be 1..15 bytes"},
	{HA "tunnel-device a/b\n}", "t.conf:3: tunnel-device: bad name 'a/b'"},
	{HA "home-interface a:b\n}", "t.conf:3: home-interface: bad name 'a:b'"},
	{"state-sync sometimes\n", "t.conf:1: state-sync: want normal or full, not 'sometimes'"},
	{"control-socket run/x.sock\n",
	 "t.conf:1: control-socket: 'run/x.sock' is not an absolute path"},
	{"control-socket /"
	 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	 "t.conf:1: control-socket: path longer than 107 bytes"},
	{HA "mobile-node 10.0.0.100 { key k1 }\n}",
	 "t.conf:3: mobile-node 10.0.0.100: no spi"},
	{HA "mobile-node 10.0.0.100 {\nspi 0x1000\n}\n}",
	 "t.conf:3: mobile-node 10.0.0.100: no key"},
	{HA "mobile-node 10.0.0.100 { spi 255 key k }\n}",
	 "t.conf:3: spi: 255 out of range (256..4294967295)"},
	{HA "mobile-node 10.0.0.100 { spi 0x100000000 key k }\n}",
	 "t.conf:3: spi: 0x100000000 out of range (256..4294967295)"},
	{HA "mobile-node 10.0.0.100 { spi 0x10g0 key k }\n}",
	 "t.conf:3: spi: '0x10g0' is not a number"},
	{HA "mobile-node 10.0.0.100 {\nspi 0x1000\nkey "
	    "01234567890123456789012345678901234567890123456789012345678901234"
	    "\n}\n}",
	 "t.conf:5: key: 65 bytes long; at most 64"},
	{HA "mobile-node 10.0.0.100 { spi 0x1000 key hex:"
	    "000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f"
	    "000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f"
	    "00 }\n}",
	 "t.conf:3: key: 65 bytes long; at most 64"},
	{HA "mobile-node 10.0.0.100 { spi 0x1000 key hex:abc }\n}",
	 "t.conf:3: key: hex key needs an even, non-zero number of digits"},
	{HA "mobile-node 10.0.0.100 { spi 0x1000 key hex:zz }\n}",
	 "t.conf:3: key: 'zz' is not hex"},
	{HA "mobile-node 10.0.0.100 { spi 0x1000 key \"\" }\n}",
	 "t.conf:3: key: empty"},
	{HA "mobile-node 10.0.0.100 { spi 0x1000 key <redacted> }\n}",
	 "t.conf:3: key: redacted (put the real key back, or print with "
	 "keys shown)"},
	{HA "mobile-node 10.0.0.100 { spi 0x1000 key k algorithm sha1 }\n}",
	 "t.conf:3: algorithm: 'sha1' is not hmac-md5 or keyed-md5"},
	{HA "mobile-node 10.0.0.100 { spi 0x1000 key k replay never }\n}",
	 "t.conf:3: replay: 'never' is not timestamp or nonce"},
	{HA "mobile-node 10.0.0.100 { spi 0x1000 key k tolerance 0 }\n}",
	 "t.conf:3: tolerance: 0 out of range (1..86400)"},
	{HA "mobile-node 10.0.0.100 { spi 0x1000 key k home-address "
	    "10.0.0.7 }\n}",
	 "t.conf:3: mobile-node 10.0.0.100: unknown option 'home-address'"},
	{HA "mobile-node 10.0.0.100 { spi 0x1000 key k { }\n}",
	 "t.conf:3: mobile-node 10.0.0.100: unexpected '{'"},
	{HA "mobile-node 10.0.0.1 { spi 0x1000 key k }\n}",
	 "t.conf:3: mobile-node: 10.0.0.1 is the home agent's own address"},
	{HA MN1 "mobile-node 10.0.0.101 { spi 0x1001 key k }\n" MN1 "}",
	 "t.conf:5: home address 10.0.0.100 already served by the "
	 "mobile-node on line 3"},
	{HA "mobile-node nai a@b { spi 0x1001 key k home-address 10.0.0.100 }"
	    "\n" MN1 "}",
	 "t.conf:4: home address 10.0.0.100 already served by the "
	 "mobile-node on line 3"},
	{HA "mobile-node nai a@b { spi 0x1001 key k }\n\n"
	    "mobile-node nai a@b { spi 0x1002 key k }\n}",
	 "t.conf:5: mobile-node nai a@b already declared on line 3"},
	{HA "mobile-node nai \"a b\" { spi 0x1001 key k }\n}",
	 "t.conf:3: mobile-node nai: byte 0x20 not allowed in an NAI"},
	{HA "mobile-node nai \"\" { spi 0x1001 key k }\n}",
	 "t.conf:3: mobile-node nai: must be 1..255 bytes"},
	{HA MN1 "mobile-node 10.0.0.101 { spi 4096 key k }\n}",
	 "t.conf:4: spi 0x1000 already used on line 3"},
	{HA MN1 "foreign-agent 192.0.2.1 { spi 0x1000 key k }\n}",
	 "t.conf:4: spi 0x1000 already used on line 3"},
	{HA "foreign-agent 192.0.2.1 { spi 0x2000 key k }\n"
	    "foreign-agent 192.0.2.1 { spi 0x2001 key k }\n}",
	 "t.conf:4: foreign-agent 192.0.2.1 already declared on line 3"},
	{HA "foreign-agent 192.0.2.1 { spi 0x2000 key k home-address "
	    "1.2.3.4 }\n}",
	 "t.conf:3: foreign-agent 192.0.2.1: unknown option 'home-address'"},
	{HA "foreign-agent nai x { }\n}",
	 "t.conf:3: foreign-agent: 'nai' is not an IPv4 address"},
	{"home-agent { address 10.0.0.1 }\x01",
	 "t.conf:1: unexpected control character 0x01"},
	{"metrics-listen\n127.0.0.1 home-agent { address 10.0.0.1 }",
	 "t.conf:2: metrics-listen: expected ADDRESS:PORT or none, not "
	 "'127.0.0.1'"},
	{"metrics-listen 127.0.0.1:0 home-agent { address 10.0.0.1 }",
	 "t.conf:1: metrics-listen: 0 out of range (1..65535)"},
	{"metrics-listen 127.0.0.1:65536 home-agent { address 10.0.0.1 }",
	 "t.conf:1: metrics-listen: 65536 out of range (1..65535)"},
	{"metrics-listen 224.0.0.1:80 home-agent { address 10.0.0.1 }",
	 "t.conf:1: metrics-listen: 224.0.0.1 is not a unicast address"},
	{"metrics-listen host:80 home-agent { address 10.0.0.1 }",
	 "t.conf:1: metrics-listen: 'host' is not an IPv4 address"},
	/* each typed handler's refusals, in every block */
#define FA "foreign-agent { interface e0 care-of-address 10.0.0.1\n"
	{FA "care-of-address 10.0.0.1 }",
	 "t.conf:2: care-of-address: 10.0.0.1 given twice"},
	{FA "care-of-address 10.0.0.2 care-of-address 10.0.0.3 "
	    "care-of-address 10.0.0.4 care-of-address 10.0.0.5 "
	    "care-of-address 10.0.0.6 care-of-address 10.0.0.7 "
	    "care-of-address 10.0.0.8\ncare-of-address 10.0.0.9 }",
	 "t.conf:3: care-of-address: more than 8"},
	{FA "route-table 254 }", "t.conf:2: route-table: 254 is a kernel table"},
	{FA "route-table 0xfffffff0 }",
	 "t.conf:2: route-table: 0xfffffff0 out of range (1..4294967039)"},
	{FA "advertise-interval 100 advertise-lifetime 50 }",
	 "t.conf:1: foreign-agent: advertise-lifetime 50 is shorter than "
	 "advertise-interval 100"},
	{FA "home-agent 10.0.0.1 { spi 300 key k } }",
	 "t.conf:2: home-agent: 10.0.0.1 is the foreign agent's own address"},
	{FA "mobile-node 10.0.0.9 { spi 300 key k }\n"
	    "mobile-node 10.0.0.9 { spi 301 key k } }",
	 "t.conf:3: mobile-node 10.0.0.9 already declared on line 2"},
	{FA "busy perhaps }", "t.conf:2: busy: 'perhaps' is not yes or no"},
	{FA "serve 10.0.0.0/16 serve 10.1.0.0/16 serve 10.2.0.0/16 "
	    "serve 10.3.0.0/16 serve 10.4.0.0/16 serve 10.5.0.0/16 "
	    "serve 10.6.0.0/16 serve 10.7.0.0/16 serve 10.8.0.0/16 "
	    "serve 10.9.0.0/16 serve 10.10.0.0/16 serve 10.11.0.0/16 "
	    "serve 10.12.0.0/16 serve 10.13.0.0/16 serve 10.14.0.0/16 "
	    "serve 10.15.0.0/16\nserve 10.16.0.0/16 }",
	 "t.conf:3: serve: more than 16 prefixes"},
	{"mobile-node { interface a interface b interface c interface d\n"
	 "interface e }", "t.conf:2: interface: more than 4"},
	{"mobile-node {\nnai \"\" }", "t.conf:2: nai: must be 1..255 bytes"},
	{"mobile-node { route 1.0.0.0/8 route 2.0.0.0/8 route 3.0.0.0/8 "
	 "route 4.0.0.0/8 route 5.0.0.0/8 route 6.0.0.0/8 route 7.0.0.0/8 "
	 "route 8.0.0.0/8 route 9.0.0.0/8 route 11.0.0.0/8 route 12.0.0.0/8 "
	 "route 13.0.0.0/8 route 14.0.0.0/8 route 15.0.0.0/8 "
	 "route 16.0.0.0/8 route 17.0.0.0/8\nroute 18.0.0.0/8 }",
	 "t.conf:2: route: more than 16 prefixes"},
	{"mobile-node { vpn {\nmode fast } }",
	 "t.conf:2: mode: want cvc, mc or naive, not 'fast'"},
	{"mobile-node { vpn {\nswanctl sbin/swanctl } }",
	 "t.conf:2: swanctl: 'sbin/swanctl' is not an absolute path"},
	{"mobile-node { vpn {\nswanctl-timeout 1 } }",
	 "t.conf:2: swanctl-timeout: 1 out of range (2..600)"},
	{"mobile-node { vpn {\nike \"\" } }",
	 "t.conf:2: ike: must be 1..63 bytes"},
	{"mobile-node {\nvpn { ike a child b } }",
	 "t.conf:2: vpn: no gateway (the VPN gateway's address)"},
	{"mobile-node {\nvpn { gateway 1.2.3.4 ike a } }",
	 "t.conf:2: vpn: ike NAME and child NAME (swanctl.conf's connection "
	 "and CHILD_SA) are required"},
	{"mobile-node { vpn { gateway 1.2.3.4 ike a child b mode naive }\n"
	 "vpn { } }", "t.conf:2: vpn: only one such block"},
	{"mobile-node { vpn {\ndriver ipsec } }",
	 "t.conf:2: driver: want strongswan, openvpn, openconnect, wireguard "
	 "or command, not 'ipsec'"},
	{"mobile-node { vpn { gateway 1.2.3.4 driver openvpn\n"
	 "management /run/ovpn.sock\nike a } }",
	 "t.conf:3: ike: not an option of driver openvpn"},
	{"mobile-node { vpn { gateway 1.2.3.4 ike a child b\n"
	 "management /run/ovpn.sock } }",
	 "t.conf:2: management: not an option of driver strongswan"},
	{"mobile-node {\nvpn { gateway 1.2.3.4 driver openvpn } }",
	 "t.conf:2: vpn: driver openvpn needs management PATH (the client's "
	 "management unix socket)"},
	{"mobile-node { vpn { gateway 1.2.3.4 driver openvpn management\n"
	 "/run/a-path-longer-than-a-unix-socket-address-may-be/"
	 "0123456789012345678901234567890123456789012345678901234567 } }",
	 "t.conf:2: management: path longer than 107 bytes"},
	{"mobile-node {\nvpn { gateway 1.2.3.4 driver openconnect "
	 "server https://1.2.3.4 } }",
	 "t.conf:2: vpn: driver openconnect needs server URL and "
	 "vpn-interface NAME"},
	{"mobile-node {\nvpn { gateway 1.2.3.4 driver wireguard } }",
	 "t.conf:2: vpn: driver wireguard needs client-config "
	 "/PATH/NAME.conf (wg-quick's file)"},
	{"mobile-node {\nvpn { gateway 1.2.3.4 driver wireguard "
	 "client-config /etc/wireguard/wg0 } }",
	 "t.conf:2: vpn: client-config must be /PATH/NAME.conf with NAME an "
	 "interface name (wg-quick's rule)"},
	{"mobile-node {\nvpn { gateway 1.2.3.4 driver wireguard "
	 "client-config /etc/wireguard/wg0.conf vpn-interface wg1 } }",
	 "t.conf:2: vpn: vpn-interface must be the name of client-config's "
	 "file without .conf"},
	{"mobile-node {\nvpn { gateway 1.2.3.4 driver command "
	 "up-command /bin/up down-command /bin/down } }",
	 "t.conf:2: vpn: driver command needs up-command, down-command and "
	 "status-command"},
	{"mobile-node {\nvpn { gateway 1.2.3.4 driver command "
	 "up-command /bin/up down-command \"vpn down\" "
	 "status-command /bin/st } }",
	 "t.conf:2: vpn: down-command: the program must be an absolute path"},
	{"mobile-node { vpn { gateway 1.2.3.4 ike a child b "
	 "external-home-agent { home-address 1.1.1.1 home-agent 2.2.2.2 "
	 "security { spi 300 key k } }\nexternal-home-agent { } } }",
	 "t.conf:2: vpn: only one external-home-agent"},
	{"mobile-node { vpn { gateway 1.2.3.4 ike a child b "
	 "external-home-agent {\ninterface e0 } } }",
	 "t.conf:2: external-home-agent: unknown option 'interface'"},
#define MNV "mobile-node\n{ home-agent 10.0.0.1 interface e0 security { " \
	    "spi 300 key k } vpn { gateway 1.2.3.4 ike a child b "
	{MNV "} home-address 10.0.0.9 }",
	 "t.conf:1: mobile-node: vpn mode cvc needs an external-home-agent "
	 "{ } block (RFC 5265 §2.3)"},
	{MNV "external-home-agent { home-address 1.1.1.1 home-agent 10.0.0.1 "
	     "security { spi 301 key k } } } home-address 10.0.0.9 }",
	 "t.conf:1: mobile-node: the external home agent, its home address "
	 "and tunnel device must differ from the inner ones (RFC 5265 §3.5)"},
	{MNV "mode mc } home-address 0.0.0.0 nai a@b }",
	 "t.conf:1: mobile-node: with a vpn block the home address must be "
	 "configured, not assigned"},
	{HA "udp-force 1 }", "t.conf:3: udp-force: '1' is not yes or no"},
	{"home-agent { address 10.0.0.1 } }", "t.conf:1: unexpected '}'"},
	{HA "\"home-network\" 10.0.0.0/8 }",
	 "t.conf:3: home-agent: unexpected home-network"},
	{HA "mobile-node 10.0.0.5 { spi 300 key k\nspi } }",
	 "t.conf:4: spi: missing argument before '}'"},
	{HA "mobile-node nai a@b { spi 300 key k\nhome-address 224.1.1.1 } }",
	 "t.conf:4: home-address: 224.1.1.1 is not a unicast address"},
	{HA "max-lifetime 0x }", "t.conf:3: max-lifetime: '0x' is not a number"},
	{HA "max-lifetime 42949672950x }",
	 "t.conf:3: max-lifetime: 42949672950x out of range (1..65535)"},
	{"state-db \"/a\x01" "b\"", "t.conf:1: control character 0x01 in string"},
	{"state-etcd {\nprefix /p/ }", "t.conf:1: state-etcd: no endpoints"},
	{"state-etcd { endpoints 10.0.0.1 }",
	 "t.conf:1: state-etcd: endpoint '10.0.0.1' is not A.B.C.D:PORT"},
	{"state-etcd { endpoints 10.0.0.1:0 }",
	 "t.conf:1: state-etcd: endpoint '10.0.0.1:0' is not A.B.C.D:PORT"},
	{"state-etcd { endpoints 10.0.0.1:2379,10.0.0.1:2379 }",
	 "t.conf:1: state-etcd: endpoint 10.0.0.1:2379 given twice"},
	{"state-etcd { endpoints 10.0.0.1:2379 prefix p/ }",
	 "t.conf:1: state-etcd: prefix 'p/' does not start with /"},
	{"state-etcd { endpoints 1.1.1.1:1,1.1.1.2:1,1.1.1.3:1,1.1.1.4:1,"
	 "1.1.1.5:1,1.1.1.6:1,1.1.1.7:1,1.1.1.8:1 }",
	 "t.conf:1: state-etcd: more than 7 endpoints"},
	{"state-etcd { endpoints 10.0.0.1:2379 timeout 10 }",
	 "t.conf:1: timeout: 10 out of range (50..60000)"},
	{"state-etcd { endpoints 10.0.0.1:2379 } state-etcd { endpoints "
	 "10.0.0.2:2379 }", "t.conf:1: state-etcd: declared twice"},
};

static void test_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		const struct bad_case *bc = &bad_cases[i];
		struct mip4_config c;
		char err[512] = "";
		int rc = mip4_config_parse_buf("t.conf", bc->text,
					       strlen(bc->text), &c, err,
					       sizeof err);

		if (rc != -1 || strcmp(err, bc->err) != 0)
			fail_msg("case %zu: rc %d\n got: %s\nwant: %s", i, rc,
				 err, bc->err);
		assert_int_equal(c.ha.n_mn, 0);
		assert_null(c.ha.mn);
		mip4_config_free(&c); /* harmless after a failure */
	}
}

/* A NUL inside the buffer is an error, and the parser never reads past
 * len: a buffer without a terminating NUL parses. */
static void test_buffer_bounds(void **state)
{
	static const char nul[] = "home-agent {\n address 10.0.0.1 }\0x";
	struct mip4_config c;
	char err[256], *exact;
	const char *good = "home-agent { address 10.0.0.1 }";
	size_t n = strlen(good);

	(void)state;
	assert_int_equal(mip4_config_parse_buf("t.conf", nul, sizeof nul - 1,
					       &c, err, sizeof err),
			 -1);
	assert_string_equal(err, "t.conf:2: NUL byte in the file");
	exact = malloc(n);
	assert_non_null(exact);
	memcpy(exact, good, n);
	assert_int_equal(mip4_config_parse_buf("t.conf", exact, n, &c, err,
					       sizeof err),
			 0);
	mip4_config_free(&c);
	free(exact);
	/* tiny and zero-sized error buffers are safe */
	assert_int_equal(mip4_config_parse_buf("t.conf", "x", 1, &c, err, 4),
			 -1);
	assert_string_equal(err, "t.c");
	assert_int_equal(mip4_config_parse_buf("t.conf", "x", 1, &c, NULL, 0),
			 -1);
}

static char *write_temp(const char *text, mode_t mode)
{
	char *path = strdup("/tmp/mip4d-test-config-XXXXXX");
	int fd;

	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
	return path;
}

static void test_file_permissions(void **state)
{
	char epath[4096], err[512], want[600];
	size_t len;
	char *text = slurp(src_path("etc/mip4d-ha.conf", epath, sizeof epath),
			   &len);
	const char *nokeys = "home-agent { address 10.0.0.1 }\n";
	struct mip4_config c;
	char *p;

	(void)state;
	/* keys, 0644: refused */
	p = write_temp(text, 0644);
	assert_int_equal(mip4_config_parse_file(p, &c, err, sizeof err), -1);
	snprintf(want, sizeof want,
		 "%s: keys in a file others can read (mode 0644); chmod 600 it",
		 p);
	assert_string_equal(err, want);
	assert_null(c.ha.mn);
	/* 0640 and 0602 too */
	assert_int_equal(chmod(p, 0640), 0);
	assert_int_equal(mip4_config_parse_file(p, &c, err, sizeof err), -1);
	assert_non_null(strstr(err, "(mode 0640)"));
	assert_int_equal(chmod(p, 0602), 0);
	assert_int_equal(mip4_config_parse_file(p, &c, err, sizeof err), -1);
	/* 0600 (and 0400): accepted */
	assert_int_equal(chmod(p, 0600), 0);
	if (mip4_config_parse_file(p, &c, err, sizeof err) != 0)
		fail_msg("%s", err);
	assert_int_equal(c.ha.n_mn, 4);
	mip4_config_free(&c);
	assert_int_equal(chmod(p, 0400), 0);
	assert_int_equal(mip4_config_parse_file(p, &c, err, sizeof err), 0);
	mip4_config_free(&c);
	unlink(p);
	free(p);

	/* no keys: any mode will do */
	p = write_temp(nokeys, 0644);
	assert_int_equal(mip4_config_parse_file(p, &c, err, sizeof err), 0);
	mip4_config_free(&c);
	unlink(p);

	/* errors from a file name the file */
	assert_int_equal(mip4_config_parse_file(p, &c, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s: No such file or directory", p);
	assert_string_equal(err, want);
	free(p);
	p = write_temp("home-agent {\n address 10.0.0.1\n frob\n}\n", 0600);
	assert_int_equal(mip4_config_parse_file(p, &c, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s:3: home-agent: unknown option 'frob'",
		 p);
	assert_string_equal(err, want);
	unlink(p);
	free(p);
	assert_int_equal(mip4_config_parse_file("/tmp", &c, err, sizeof err),
			 -1);
	assert_string_equal(err, "/tmp: not a regular file");
	free(text);
}

static void fifo_hung(int sig)
{
	static const char msg[] = "mip4_config_parse_file hung on a FIFO\n";

	(void)sig;
	(void)!write(STDERR_FILENO, msg, sizeof msg - 1);
	_exit(1);
}

/* A FIFO (issue #11 item 6) or a device at the path is refused at once,
 * not waited on in open() (an alarm fails the test instead of hanging). */
static void test_not_regular(void **state)
{
	char dir[] = "/tmp/mip4d-test-fifo-XXXXXX", path[64], err[256];
	char want[128];
	struct mip4_config c;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/mip4d.conf", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	signal(SIGALRM, fifo_hung);
	alarm(5);
	assert_int_equal(mip4_config_parse_file(path, &c, err, sizeof err), -1);
	alarm(0);
	snprintf(want, sizeof want, "%s: not a regular file", path);
	assert_string_equal(err, want);
	assert_false(c.have_ha || c.have_mn || c.have_fa);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
	assert_int_equal(mip4_config_parse_file("/dev/null", &c, err,
						sizeof err),
			 -1);
	assert_string_equal(err, "/dev/null: not a regular file");
}

/* 100k mobile nodes by address and NAI plus 1k FAs: parse, find each. */
static void test_many(void **state)
{
	enum { N = 100000, NFA = 1000 };
	size_t cap = (size_t)N * 160 + 4096, len = 0;
	char *text = malloc(cap), err[256], nai[64];
	struct mip4_config c;

	(void)state;
	assert_non_null(text);
	len += (size_t)snprintf(text + len, cap - len,
				"home-agent {\naddress 10.0.0.1\n");
	for (uint32_t i = 0; i < N; i++) {
		if (i % 2)
			len += (size_t)snprintf(
				text + len, cap - len,
				"mobile-node 11.%u.%u.%u { spi %u key hex:"
				"00112233445566778899aabbccddeeff }\n",
				i >> 16, (i >> 8) & 0xff, i & 0xff, 1000 + i);
		else
			len += (size_t)snprintf(
				text + len, cap - len,
				"mobile-node nai mn%u@corp.example { spi %u "
				"key k%u }\n",
				i, 1000 + i, i);
	}
	for (uint32_t i = 0; i < NFA; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"foreign-agent 192.0.%u.%u { spi %u "
					"key fa }\n",
					i / 200, i % 200 + 1, 1000000 + i);
	len += (size_t)snprintf(text + len, cap - len, "}\n");
	assert_true(len < cap);
	if (mip4_config_parse_buf("many.conf", text, len, &c, err,
				  sizeof err) != 0)
		fail_msg("%s", err);
	assert_int_equal(c.ha.n_mn, N);
	for (uint32_t i = 0; i < N; i++) {
		const struct mip4_ha_mn *mn;

		if (i % 2) {
			mn = mip4_config_find_mn(&c, 0x0b000000u | i, NULL, 0);
		} else {
			int n = snprintf(nai, sizeof nai, "mn%u@corp.example",
					 i);

			mn = mip4_config_find_mn(&c, 0, nai, (size_t)n);
		}
		assert_non_null(mn);
		assert_int_equal(mn->sa.spi, 1000 + i);
	}
	for (uint32_t i = 0; i < NFA; i++) {
		const struct mip4_ha_fa *fa = mip4_config_find_fa(
			&c, 0xc0000000u | (i / 200) << 8 | (i % 200 + 1));

		assert_non_null(fa);
		assert_int_equal(fa->sa.spi, 1000000 + i);
	}
	assert_null(mip4_config_find_mn(&c, 0x0b000000u, NULL, 0));
	assert_null(mip4_config_find_mn(&c, 0, "mn1@corp.example", 16));
	mip4_config_free(&c);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example_ha),
		cmocka_unit_test(test_example_iha),
		cmocka_unit_test(test_example_mn),
		cmocka_unit_test(test_example_fa),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_max_simultaneous),
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_buffer_bounds),
		cmocka_unit_test(test_file_permissions),
		cmocka_unit_test(test_not_regular),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_etcd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
