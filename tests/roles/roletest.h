/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the role tests share: a network namespace of the test's own, a
 * world to run one role in (its configuration, the fake privileged side,
 * the event loop, the events it emitted), links the test plays the other
 * end of (TAP devices: what the role sends on them is read back, frames
 * from "the link" are written in), and the Mobile IP peers' side built
 * with libmip4 (requests and replies, authenticated).
 */
#ifndef MIP4_TEST_ROLETEST_H
#define MIP4_TEST_ROLETEST_H

#include <json-c/json.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "fake.h"
#include "mip4/auth.h"
#include "mip4/ip.h"
#include "mip4/wire.h"
#include "role.h"

/* Namespaces of our own (network, with lo up, and mounts), as root or
 * through a user namespace; false when this system gives none. */
bool rt_own_netns(void);
/* The same, and a TAP device can be made there; if not, says that test
 * name skips (false). */
bool rt_own_netns_tap(const char *name);

/* ---- one role, its configuration and its surroundings ---- */

#define RT_EVENTS 256

struct rt_world {
	char dir[64];
	struct mip4_config conf;
	struct role_env env;
	struct event_base *base;
	struct fake_priv *priv;
	const struct role_ops *ops;
	void *state; /* the role's; NULL when stopped */
	uint64_t counters[D_NCOUNTERS];
	char events[RT_EVENTS][96]; /* names, in order */
	unsigned n_events;
	/* Hooks given to each new fake privileged side (ctx: this world),
	 * and one called with every event the role emits. */
	void (*on_flush)(struct fake_priv *f);
	void (*on_submit)(struct fake_priv *f, const struct priv_req *rq);
	void (*on_event)(struct rt_world *w, const char *name, json_object *ev);
};

/* A scratch directory /tmp/NAME.XXXXXX and an event loop. */
void rt_init(struct rt_world *w, const char *name);
/* rt_stop; free the loop; remove the directory. */
void rt_fini(struct rt_world *w);
/* Parse text as the configuration, give the role a new fake privileged
 * side and open and start it (each step must succeed). */
void rt_start(struct rt_world *w, const struct role_ops *ops,
	      const char *text);
/* Stop the role, keep the privileged side (to read what it was asked). */
void rt_stop_role(struct rt_world *w);
/* Stop the role if it runs, free the privileged side and the
 * configuration. */
void rt_stop(struct rt_world *w);
unsigned rt_events_named(const struct rt_world *w, const char *name);
/* A listing (what: "bindings", "visitors") through f in steps of max:
 * how many entries it shows, -1 when the role has no such listing; the
 * last entry in *last (a reference) when last is not NULL. */
int rt_listed(struct rt_world *w, const char *what,
	      const struct list_filter *f, size_t max, json_object **last);
/* The listing what holds exactly one entry, for home address home and
 * care-of address coa: each filter that matches it (home /16, coa /32)
 * shows it, each that does not (another /16, coa + 1, an NAI) hides it;
 * in steps of one entry too. */
void rt_check_filters(struct rt_world *w, const char *what, uint32_t home,
		      uint32_t coa);
/* o[sect][k], or NULL. */
json_object *rt_member(json_object *o, const char *sect, const char *k);
/* One counter of the role's counters (section sect), -1 if absent. */
int64_t rt_counter(struct rt_world *w, const char *sect, const char *k);
/* Run the loop (without waiting) until fd is readable, at most ms
 * milliseconds of real time; true if it is. */
bool rt_wait_fd(struct rt_world *w, int fd, int ms);

/* ---- a link the test is the other end of (a TAP device) ---- */

#define RT_FRAME_MAX 1600
#define RT_LINK_HELD 256

/* An IPv4 packet read from a link, decoded. */
struct rt_pkt {
	uint8_t b[RT_FRAME_MAX];
	size_t len;
	uint8_t dst_mac[6], src_mac[6];
	struct mip4_ip ip;
	uint16_t sport, dport; /* UDP */
	const uint8_t *data;   /* the UDP payload or the ICMP message */
	size_t data_len;
	uint64_t at_ms;	       /* fake clock when it was read */
};

struct rt_link {
	int fd, ifindex;
	char name[IFNAMSIZ];
	uint8_t mac[6];
	struct nl *nl;
	/* the next frame written gets a wrong IP header checksum */
	bool bad_ip_csum;
	/* IPv4 frames read and not yet taken, oldest first */
	unsigned n;
	struct rt_held {
		size_t len;
		uint64_t at_ms;
		uint8_t b[RT_FRAME_MAX];
	} held[RT_LINK_HELD];
};

/* Create the TAP name (down); false when the system cannot. */
bool rt_link_open(struct rt_link *l, const char *name);
void rt_link_close(struct rt_link *l);
void rt_link_up(struct rt_link *l, bool up);
void rt_link_addr(struct rt_link *l, uint32_t addr, int plen);
/* A permanent neighbour entry (so the kernel never ARPs on the link). */
void rt_link_neigh(struct rt_link *l, uint32_t addr, const uint8_t mac[6]);
/* A default route via gw, and gw's neighbour entry. */
void rt_link_gateway(struct rt_link *l, uint32_t gw, const uint8_t mac[6]);
/* Read every frame waiting on the link (IPv4 ones are held). */
void rt_link_pump(struct rt_link *l);
/* Take the oldest held packet of IP protocol proto and, for UDP, to port
 * what (for ICMP: of type what); false if there is none. */
bool rt_link_take(struct rt_link *l, uint8_t proto, uint16_t what,
		  struct rt_pkt *p);
/* How many such packets are held. */
unsigned rt_link_count(struct rt_link *l, uint8_t proto, uint16_t what);
void rt_link_forget(struct rt_link *l);
/* Write an IPv4 frame (proto, payload) from src_mac to the link's own
 * address (or to dst_mac when not NULL), as if it came from the wire. */
void rt_link_send_ip(struct rt_link *l, const uint8_t src_mac[6],
		     const uint8_t *dst_mac, uint32_t src, uint32_t dst,
		     uint8_t proto, uint8_t ttl, const uint8_t *payload,
		     size_t len);
/* The same with a UDP header (port to port), checksummed. */
void rt_link_send_udp(struct rt_link *l, const uint8_t src_mac[6],
		      const uint8_t *dst_mac, uint32_t src, uint32_t dst,
		      uint8_t ttl, uint16_t port, const uint8_t *msg,
		      size_t len);
/* Run the world's loop until a packet of proto/what shows on the link, at
 * most ms of real time. */
bool rt_link_wait(struct rt_world *w, struct rt_link *l, uint8_t proto,
		  uint16_t what, int ms);

/* ---- the Mobile IP peers' side ---- */

/* A registration request for q authenticated with sa (MN-HA); length. */
size_t rt_rrq(uint8_t *buf, size_t cap, const struct mip4_rrq *q,
	      const struct mip4_sa *sa);
/* A home agent's reply to the request req (whose MN-HA must verify with
 * mn_sa; a relayed one's FA-HA with fa_sa, when not NULL): code, lifetime
 * at most the requested, MN-HA and then FA-HA when fa_sa; its length. */
size_t rt_rrp(uint8_t *buf, size_t cap, const uint8_t *req, size_t req_len,
	      const struct mip4_sa *mn_sa, const struct mip4_sa *fa_sa,
	      uint8_t code, uint16_t lifetime);

#endif
