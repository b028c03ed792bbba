// SPDX-License-Identifier: GPL-2.0
/*
 * Differential test of the data path: random policies and random, then
 * mutated, packets go through the BPF programs (BPF_PROG_TEST_RUN on the
 * programs sg_dp_open() loaded and sg_dp_apply() programmed) and through
 * the reference model (refmodel.c); verdict, reason, mark and, for packets
 * a rule allows, the rule must agree for every packet. Rates are checked
 * with budgets spent within milliseconds, and a last part replays
 * conversations under a successor generation with flow state kept.
 *
 * Runs in a private network namespace with one veth per uplink and app, so
 * that the programs see real interface indexes. Packets an app receives
 * (app egress) and packets leaving on an uplink (uplink egress: sg_egress
 * on the uplink's interface, mostly the ip one) carry the interface they
 * entered the host on (skb->ingress_ifindex, issue 7): mostly where their
 * source lives, sometimes another uplink or app interface, 0 (sent by the
 * host) or an interface the policy does not name. Every policy comes with
 * random addresses of the host's own (the peer host: some outside
 * everything, some inside UE pools and app endpoints), written to the
 * data path with sg_dp_set_host_prefixes() and given to the model; the
 * branches they add, and those of uplink egress, must all be reached.
 *
 *   SG_DIFF_SEED=N      reproduce a run (the seed is printed)
 *   SG_DIFF_PACKETS=N   packets in the random part (default 120000)
 *   SG_DIFF_SHOW=N      disagreements shown in full (default 5)
 *
 * Output is TAP; the exit status is non-zero when a test failed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>

#include "dp.h"
#include "refmodel.h"

#define N_UPLINK_IFACES	2	/* sgd-up0 (ip), sgd-up1 (gtpu) */
#define MAX_GEN_APPS	6
#define MAX_PKT		1600
#define ROUND_PACKETS	2000	/* packets per random policy (an apply costs ~0.2 s) */
#define SHOW_MAX	5	/* disagreements printed (SG_DIFF_SHOW) */

/* ---- Random numbers (splitmix64: small, seedable, reproducible) ---- */

static uint64_t rng_state;

static uint64_t rnd64(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static uint32_t rnd(uint32_t n)
{
	return n ? (uint32_t)(rnd64() % n) : 0;
}

/* True with probability pct percent. */
static bool chance(unsigned int pct)
{
	return rnd(100) < pct;
}

/* ---- TAP ---- */

static int tap_n, tap_failed;
static uint64_t show_max = SHOW_MAX;

static void tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d ", ok ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!ok)
		tap_failed++;
}

/* ---- Random policies ---- */

static void set_prefix4(struct sg_prefix *p, uint8_t a, uint8_t b, uint8_t c,
			uint8_t d, uint8_t len)
{
	memset(p, 0, sizeof(*p));
	p->family = AF_INET;
	p->len = len;
	p->addr[0] = a;
	p->addr[1] = b;
	p->addr[2] = c;
	p->addr[3] = d;
}

static void set_prefix6(struct sg_prefix *p, uint16_t w0, uint16_t w3,
			uint16_t w4, uint16_t w6, uint8_t len)
{
	memset(p, 0, sizeof(*p));
	p->family = AF_INET6;
	p->len = len;
	p->addr[0] = w0 >> 8;
	p->addr[1] = w0 & 0xff;
	p->addr[6] = w3 >> 8;
	p->addr[7] = w3 & 0xff;
	p->addr[8] = w4 >> 8;
	p->addr[9] = w4 & 0xff;
	p->addr[12] = w6 >> 8;
	p->addr[13] = w6 & 0xff;
}

static void random_ports(uint8_t proto, uint16_t *first, uint16_t *last)
{
	static const uint16_t common[] = { 53, 80, 443, 1883, 5683, 8080 };

	*first = 0;
	*last = 65535;
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return;
	switch (rnd(4)) {
	case 0:
		return;
	case 1:
		*first = *last = common[rnd(6)];
		return;
	case 2:
		*first = common[rnd(6)];
		*last = *first + (uint16_t)rnd(300);
		return;
	default:
		*first = (uint16_t)rnd(65536);
		*last = *first + (uint16_t)rnd(65536 - *first);
	}
}

static uint8_t random_proto(void)
{
	static const uint8_t protos[] = {
		0, IPPROTO_TCP, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_UDP,
		IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_GRE,
	};

	return protos[rnd(sizeof(protos))];
}

static bool rule_exists(const struct sg_policy *pol, const struct sg_rule *r)
{
	unsigned int i;

	for (i = 0; i < pol->n_rules; i++) {
		const struct sg_rule *o = &pol->rules[i];

		if (o->src_kind == r->src_kind && o->src_id == r->src_id &&
		    o->dst_kind == r->dst_kind && o->dst_id == r->dst_id &&
		    o->proto == r->proto && o->port_first == r->port_first &&
		    o->port_last == r->port_last)
			return true;
	}
	return false;
}

static bool app_serves(const struct sg_app *a, uint32_t slice)
{
	unsigned int i;

	for (i = 0; i < a->n_slices; i++)
		if (a->slices[i] == slice)
			return true;
	return false;
}

/*
 * A rule between the policy's objects as the policy store accepts them:
 * app -> slice only to served slices, the host as destination from slices
 * and apps, as source toward apps and slices (never any or itself).
 */
static void random_rule(const struct sg_policy *pol, struct sg_rule *r)
{
	memset(r, 0, sizeof(*r));
	r->src_kind = chance(12) ? SLICEGUARD_PEER_HOST :
		      chance(50) ? SLICEGUARD_PEER_SLICE : SLICEGUARD_PEER_APP;
	if (r->src_kind == SLICEGUARD_PEER_SLICE)
		r->src_id = pol->slices[rnd(pol->n_slices)].id;
	else if (r->src_kind == SLICEGUARD_PEER_APP)
		r->src_id = pol->apps[rnd(pol->n_apps)].id;
	if (r->src_kind == SLICEGUARD_PEER_HOST)
		r->dst_kind = chance(50) ? SLICEGUARD_PEER_APP : SLICEGUARD_PEER_SLICE;
	else
		r->dst_kind = chance(20) ? SLICEGUARD_PEER_HOST : rnd(3);
	if (r->dst_kind == SLICEGUARD_PEER_SLICE) {
		if (r->src_kind == SLICEGUARD_PEER_APP) {
			const struct sg_app *a = sg_policy_app_by_id(pol, r->src_id);

			r->dst_id = a->slices[rnd(a->n_slices)];
		} else {
			r->dst_id = pol->slices[rnd(pol->n_slices)].id;
		}
	} else if (r->dst_kind == SLICEGUARD_PEER_APP) {
		r->dst_id = pol->apps[rnd(pol->n_apps)].id;
	}
	r->proto = random_proto();
	random_ports(r->proto, &r->port_first, &r->port_last);
}

/*
 * A policy the policy store would accept: classifiers of different slices
 * and endpoints of different apps never overlap (by construction of the
 * address plan), app -> slice rules only toward served slices. Rates are
 * off: the random part cannot control time; the rate test covers them.
 */
static void random_policy(struct sg_policy *pol)
{
	uint8_t dscp_pool[64];
	unsigned int n_slices = 1 + rnd(5), n_apps = 1 + rnd(MAX_GEN_APPS);
	unsigned int n_rules = rnd(24), i, j, k;
	uint32_t used_ids[8];

	for (i = 0; i < 64; i++)
		dscp_pool[i] = (uint8_t)i;
	for (i = 63; i > 0; i--) {
		j = rnd(i + 1);
		k = dscp_pool[i];
		dscp_pool[i] = dscp_pool[j];
		dscp_pool[j] = (uint8_t)k;
	}

	sg_policy_init(pol);
	pol->generation = 1;
	for (i = 0; i < n_slices; i++) {
		struct sg_slice *s = sg_policy_add_slice(pol);
		bool dup;

		do {
			s->id = 1 + rnd(4095);
			dup = false;
			for (j = 0; j < i; j++)
				dup |= used_ids[j] == s->id;
		} while (dup);
		used_ids[i] = s->id;
		snprintf(s->name, sizeof(s->name), "slice%u", i);
		s->sst = 1 + rnd(4);
		s->has_sd = chance(30);
		s->sd = rnd(1 << 24);
		for (j = rnd(4); j > 0; j--) {
			struct sg_prefix *p = &s->ue_prefixes[s->n_ue_prefixes++];

			if (chance(60))
				set_prefix4(p, 10, (uint8_t)(16 * i + j), 0, 0, 16);
			else if (chance(50))
				set_prefix4(p, 10, (uint8_t)(16 * i + j),
					    (uint8_t)rnd(256), 0, 24);
			else
				set_prefix6(p, 0xfd00, (uint16_t)i, (uint16_t)j,
					    0, 64);
		}
		/* A broad pool that covers the app addresses (app wins). */
		if (i == 0 && chance(20))
			set_prefix4(&s->ue_prefixes[s->n_ue_prefixes++], 10,
				    192, 0, 0, 10);
		for (j = rnd(3); j > 0; j--)
			s->vlans[s->n_vlans++] = (uint16_t)(100 * (i + 1) + j);
		for (j = rnd(3); j > 0; j--) {
			struct sg_range *t = &s->teid_ranges[s->n_teid_ranges++];

			/* 4096 apart: a slice's ranges never overlap. */
			t->first = (i + 1) << 20 | j << 12 | rnd(16);
			t->last = t->first + rnd(chance(50) ? 1 : 4000);
		}
		for (j = chance(30) ? 1 + rnd(2) : 0; j > 0; j--)
			s->dscps[s->n_dscps++] = dscp_pool[2 * i + j - 1];
		s->mark = chance(70) ? 0x100 + i : 0;
		s->ue_to_ue = chance(50);
	}
	for (i = 0; i < n_apps; i++) {
		struct sg_app *a = sg_policy_add_app(pol);

		a->id = 1 + i * 1000 + rnd(1000);
		snprintf(a->name, sizeof(a->name), "app%u", i);
		snprintf(a->ifname, sizeof(a->ifname), "sgd-app%u", i);
		for (j = 1 + rnd(3); j > 0; j--) {
			struct sg_endpoint *e = &a->endpoints[a->n_endpoints++];

			if (chance(70))
				set_prefix4(&e->prefix, 10, 200, (uint8_t)i,
					    (uint8_t)(16 * j + (chance(50) ? 1 : 0)),
					    0);
			else
				set_prefix6(&e->prefix, 0xfd99, (uint16_t)i,
					    (uint16_t)j, 0, 0);
			if (e->prefix.family == AF_INET)
				e->prefix.len = e->prefix.addr[3] & 1 ? 32 : 28;
			else
				e->prefix.len = chance(50) ? 128 : 112;
			if (e->prefix.family == AF_INET6 && e->prefix.len == 128)
				e->prefix.addr[15] = 1;
			e->proto = random_proto();
			if (e->proto == IPPROTO_GRE && chance(50))
				e->proto = 0;
			random_ports(e->proto, &e->port_first, &e->port_last);
		}
		for (j = 1 + rnd(3); j > 0 && a->n_slices < n_slices; j--) {
			uint32_t sid = pol->slices[rnd(n_slices)].id;

			if (!app_serves(a, sid))
				a->slices[a->n_slices++] = sid;
		}
	}
	for (i = 0; i < n_rules; i++) {
		struct sg_rule r, *nr;

		random_rule(pol, &r);
		if (rule_exists(pol, &r))
			continue;
		nr = sg_policy_add_rule(pol);
		*nr = r;
		nr->id = pol->n_rules;
	}
	for (i = 0; i < N_UPLINK_IFACES; i++) {
		struct sg_uplink *u = sg_policy_add_uplink(pol);

		snprintf(u->ifname, sizeof(u->ifname), "sgd-up%u", i);
		u->mode = i == 0 ? SLICEGUARD_UPLINK_MODE_IP :
				   SLICEGUARD_UPLINK_MODE_GTPU;
		u->unsliced = chance(50) ? SLICEGUARD_UNSLICED_PASS :
					   SLICEGUARD_UNSLICED_DROP;
	}
}

/* ---- Packets ---- */

struct buf {
	uint8_t d[MAX_PKT];
	size_t len;
};

static void put(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > MAX_PKT)
		n = MAX_PKT - b->len;
	memcpy(b->d + b->len, p, n);
	b->len += n;
}

static void put8(struct buf *b, uint8_t v)
{
	put(b, &v, 1);
}

static void put16(struct buf *b, uint16_t v)
{
	put8(b, v >> 8);
	put8(b, v & 0xff);
}

static void put32(struct buf *b, uint32_t v)
{
	put16(b, v >> 16);
	put16(b, v & 0xffff);
}

static void put_random(struct buf *b, size_t n)
{
	while (n--)
		put8(b, (uint8_t)rnd(256));
}

static void set16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* An address: family and 16 bytes (IPv4 in the first four). */
struct addr {
	uint8_t family;
	uint8_t a[16];
};

/* A random host inside prefix p. */
static struct addr addr_in(const struct sg_prefix *p)
{
	struct addr r = { .family = p->family };
	unsigned int bytes = p->family == AF_INET ? 4 : 16, i;

	for (i = 0; i < bytes; i++) {
		unsigned int keep = p->len > i * 8 ? p->len - i * 8 : 0;
		uint8_t mask = keep >= 8 ? 0xff : (uint8_t)(0xff00 >> keep);

		r.a[i] = (p->addr[i] & mask) | ((uint8_t)rnd(256) & ~mask);
	}
	return r;
}

static struct addr addr_external(uint8_t family)
{
	struct sg_prefix p;

	if (family == AF_INET)
		set_prefix4(&p, 198, 51, 100, 0, 24);
	else
		set_prefix6(&p, 0x2001, 0, 0, 0, 64);
	if (family == AF_INET6)
		p.addr[1] = 0x0d, p.addr[2] = 0x0b, p.addr[3] = 0x08;
	return addr_in(&p);
}

/* Whether prefix p holds address a. */
static bool prefix_holds(const struct sg_prefix *p, const struct addr *a)
{
	unsigned int bytes = p->family == AF_INET ? 4 : 16, k;

	if (p->family != a->family)
		return false;
	for (k = 0; k < bytes; k++) {
		unsigned int keep = p->len > k * 8 ? p->len - k * 8 : 0;
		uint8_t mask = keep >= 8 ? 0xff : (uint8_t)(0xff00 >> keep);

		if ((a->a[k] & mask) != (p->addr[k] & mask))
			return false;
	}
	return true;
}

/* ---- The host's own addresses ---- */

#define MAX_HOST_PREFIXES	32

/*
 * The host's own addresses (the peer host of Documentation/datapath.rst,
 * "The host") while a policy is active. Like the interfaces they belong to
 * the machine, not to a generation: apply() writes them to the data path
 * with sg_dp_set_host_prefixes(), check_packet() gives them to the model.
 */
static struct {
	struct sg_host_prefix p[MAX_HOST_PREFIXES];
	size_t n;
} host_addrs;

/* The host's prefix of length len around a random address of p. */
static void add_host_in(const struct sg_prefix *p, uint8_t len)
{
	struct sg_host_prefix *h;
	struct addr a = addr_in(p);
	unsigned int i;

	if (host_addrs.n == MAX_HOST_PREFIXES)
		return;
	h = &host_addrs.p[host_addrs.n++];
	memset(h, 0, sizeof(*h));
	h->prefix.family = p->family;
	h->prefix.len = len;
	/* As the local routing table has them: no bits past the length. */
	for (i = 0; i < 16; i++) {
		unsigned int keep = len > i * 8 ? len - i * 8 : 0;

		h->prefix.addr[i] = a.a[i] & (keep >= 8 ? 0xff : (uint8_t)(0xff00 >> keep));
	}
	h->ifindex = 1;
}

static void add_host_str(const char *addr, uint8_t len)
{
	struct sg_prefix p = { .family = strchr(addr, ':') ? AF_INET6 : AF_INET,
			       .len = len };

	inet_pton(p.family, addr, p.addr);
	add_host_in(&p, len);
}

static bool host_holds(const struct addr *a)
{
	size_t i;

	for (i = 0; i < host_addrs.n; i++)
		if (prefix_holds(&host_addrs.p[i].prefix, a))
			return true;
	return false;
}

/* A random address of one of the host's prefixes inside outer; false: none. */
static bool host_inside(const struct sg_prefix *outer, struct addr *out)
{
	size_t i, start = rnd((uint32_t)host_addrs.n);

	for (i = 0; i < host_addrs.n; i++) {
		const struct sg_prefix *h =
			&host_addrs.p[(start + i) % host_addrs.n].prefix;
		struct addr a = addr_in(h);

		if (h->len >= outer->len && prefix_holds(outer, &a)) {
			*out = a;
			return true;
		}
	}
	return false;
}

/*
 * The host's addresses for a policy: an address of its own outside
 * everything (mostly both versions), now and then the loopback ranges, a
 * link-local address, an AnyIP range over part of the external addresses;
 * gateway addresses inside UE pools (now and then a /20 of a /16 pool) and
 * inside app endpoints (a whole /32 or /128 endpoint now and then); rarely
 * a range over every IPv4 endpoint. Now and then none at all.
 */
static void random_host(const struct sg_policy *pol)
{
	struct sg_prefix p;
	unsigned int i;
	char a[INET6_ADDRSTRLEN];

	host_addrs.n = 0;
	if (chance(8))
		return;
	snprintf(a, sizeof(a), "192.0.2.%u", 1 + rnd(254));
	add_host_str(a, 32);
	if (chance(75)) {
		snprintf(a, sizeof(a), "2001:db8:ffff::%x", 1 + rnd(0xfffe));
		add_host_str(a, 128);
	}
	if (chance(30)) {
		add_host_str("127.0.0.0", 8);
		add_host_str("::1", 128);
	}
	if (chance(20))
		add_host_str("fe80::1", 128);
	if (chance(20))
		add_host_str("198.51.100.240", 28);
	if (chance(10)) {
		p.family = AF_INET6;
		p.len = 64;
		p.addr[0] = 0x20, p.addr[1] = 0x0d, p.addr[2] = 0x0b, p.addr[3] = 0x08;
		memset(p.addr + 4, 0, 12);
		add_host_in(&p, 68);
	}
	for (i = 0; i < pol->n_slices; i++) {
		const struct sg_slice *s = &pol->slices[i];
		const struct sg_prefix *u;

		if (!s->n_ue_prefixes || !chance(50))
			continue;
		u = &s->ue_prefixes[rnd(s->n_ue_prefixes)];
		add_host_in(u, u->family == AF_INET ? 32 : 128);
		if (u->family == AF_INET && u->len <= 16 && chance(15))
			add_host_in(u, 20);
	}
	for (i = 0; i < pol->n_apps; i++) {
		const struct sg_app *ap = &pol->apps[i];
		const struct sg_prefix *e =
			&ap->endpoints[rnd(ap->n_endpoints)].prefix;
		uint8_t full = e->family == AF_INET ? 32 : 128;

		if (chance(35) && (e->len < full || chance(30)))
			add_host_in(e, full);
	}
	if (chance(3))
		add_host_str("10.200.0.0", 16);
}

/* What the generator builds, before it becomes bytes. */
struct flowspec {
	struct addr src, dst;
	uint8_t proto;
	uint16_t sport, dport;
	uint8_t tcp_flags;
	uint8_t icmp_type;
	uint16_t icmp_id;
	uint8_t dscp;
	uint8_t hop_limit;
	/* L2 */
	int n_tags;		/* 0, 1, 2, 3 */
	uint16_t vid;
	uint16_t tpid;
	/* GTP-U */
	bool gtpu;
	uint32_t teid;
	uint8_t gtp_flags;	/* E/S/PN */
	uint8_t gtp_type;
	int gtp_ext;		/* extension headers */
	bool gtp_bad_ext_len;
	struct addr outer_src, outer_dst;
	/* IPv6 extension headers before the transport header */
	int n_ext;
	uint8_t ext[10];
	/* payload */
	size_t payload;
	/* ICMP errors: the quoted packet after the 8-byte ICMP header */
	const uint8_t *quote;
	size_t quote_len;
	size_t quote_pad;	/* bytes after the quote (oversized errors) */
};

/* Random address of the wanted sort, family fam. */
enum addr_sort { A_UE, A_APP, A_EXTERNAL, A_HOST, A_ANY };

static struct addr pick_addr(const struct sg_policy *pol, enum addr_sort sort,
			     uint8_t fam, uint32_t *slice_out)
{
	unsigned int tries;

	if (slice_out)
		*slice_out = 0;
	if (sort == A_ANY)
		sort = chance(10) ? A_HOST : rnd(3);
	if (sort == A_HOST) {
		size_t i, start = rnd((uint32_t)host_addrs.n);

		for (i = 0; i < host_addrs.n; i++) {
			const struct sg_prefix *p =
				&host_addrs.p[(start + i) % host_addrs.n].prefix;

			if (p->family == fam)
				return addr_in(p);
		}
	}
	for (tries = 0; tries < 8 && sort != A_HOST; tries++) {
		if (sort == A_UE && pol->n_slices) {
			const struct sg_slice *s = &pol->slices[rnd(pol->n_slices)];

			if (s->n_ue_prefixes) {
				const struct sg_prefix *p =
					&s->ue_prefixes[rnd(s->n_ue_prefixes)];

				if (p->family == fam) {
					if (slice_out)
						*slice_out = s->id;
					return addr_in(p);
				}
			}
		} else if (sort == A_APP && pol->n_apps) {
			const struct sg_app *a = &pol->apps[rnd(pol->n_apps)];
			const struct sg_endpoint *e =
				&a->endpoints[rnd(a->n_endpoints)];

			if (e->prefix.family == fam)
				return addr_in(&e->prefix);
		}
	}
	return addr_external(fam);
}

static struct addr app_addr(const struct sg_app *a, uint8_t fam,
			    const struct sg_endpoint **ep)
{
	unsigned int i, start = rnd(a->n_endpoints);

	for (i = 0; i < a->n_endpoints; i++) {
		const struct sg_endpoint *e =
			&a->endpoints[(start + i) % a->n_endpoints];

		if (e->prefix.family == fam) {
			*ep = e;
			return addr_in(&e->prefix);
		}
	}
	*ep = NULL;
	return addr_external(fam);
}

static uint16_t port_in(uint16_t first, uint16_t last)
{
	return (uint16_t)(first + rnd((uint32_t)last - first + 1));
}

/* A destination port that some rule or endpoint cares about, or random. */
static uint16_t pick_dport(const struct sg_policy *pol)
{
	if (pol->n_rules && chance(50)) {
		const struct sg_rule *r = &pol->rules[rnd(pol->n_rules)];

		return port_in(r->port_first, r->port_last);
	}
	if (pol->n_apps && chance(60)) {
		const struct sg_app *a = &pol->apps[rnd(pol->n_apps)];
		const struct sg_endpoint *e = &a->endpoints[rnd(a->n_endpoints)];

		return port_in(e->port_first, e->port_last);
	}
	return (uint16_t)rnd(65536);
}

static const struct sg_slice *slice_of_addr(const struct sg_policy *pol,
					    const struct addr *a)
{
	unsigned int i, j;

	for (i = 0; i < pol->n_slices; i++)
		for (j = 0; j < pol->slices[i].n_ue_prefixes; j++)
			if (prefix_holds(&pol->slices[i].ue_prefixes[j], a))
				return &pol->slices[i];
	return NULL;
}

/* Uplink decoration (VLAN, DSCP, TEID) for a packet from a UE of s. */
static void decorate_uplink(const struct sg_policy *pol, struct flowspec *f,
			    const struct sg_slice *s)
{
	const struct sg_slice *other = pol->n_slices ?
		&pol->slices[rnd(pol->n_slices)] : NULL;
	const struct sg_slice *tag = chance(85) ? s : other;

	f->n_tags = 0;
	if (tag && tag->n_vlans && chance(80)) {
		f->n_tags = 1;
		f->vid = tag->vlans[rnd(tag->n_vlans)];
	} else if (chance(10)) {
		f->n_tags = 1;
		f->vid = chance(50) ? 0 : (uint16_t)rnd(4096);
	}
	f->tpid = chance(90) ? 0x8100 : 0x88a8;
	tag = chance(85) ? s : other;
	if (tag && tag->n_dscps && chance(70))
		f->dscp = tag->dscps[rnd(tag->n_dscps)];
	else
		f->dscp = chance(70) ? 0 : (uint8_t)rnd(64);
	tag = chance(85) ? s : other;
	if (tag && tag->n_teid_ranges && chance(90)) {
		const struct sg_range *t =
			&tag->teid_ranges[rnd(tag->n_teid_ranges)];

		f->teid = t->first + rnd(t->last - t->first + 1);
	} else {
		f->teid = (uint32_t)rnd64();
	}
}

/* A DSCP no slice of the policy declares, or 0 when all are taken. */
static uint8_t free_dscp(const struct sg_policy *pol)
{
	unsigned int tries, i, j;

	for (tries = 0; tries < 16; tries++) {
		uint8_t d = tries ? (uint8_t)rnd(64) : 0;
		bool used = false;

		for (i = 0; i < pol->n_slices; i++)
			for (j = 0; j < pol->slices[i].n_dscps; j++)
				used |= pol->slices[i].dscps[j] == d;
		if (!used)
			return d;
	}
	return 0;
}

/* A TEID in none of the policy's ranges (they all lie below 1 << 24). */
static uint32_t unknown_teid(void)
{
	return 0xf0000000U | (uint32_t)rnd(1 << 24);
}

/*
 * Uplink decoration that names slice s and nothing else: its VLAN and
 * TEID when it declares them (issue 7, 1 step 6 binds it to them), its
 * DSCP or one of no slice. s NULL: nothing that names a slice.
 */
static void decorate_honest(const struct sg_policy *pol, struct flowspec *f,
			    const struct sg_slice *s)
{
	f->n_tags = 0;
	f->tpid = 0x8100;
	f->teid = unknown_teid();
	f->dscp = free_dscp(pol);
	if (!s)
		return;
	if (s->n_vlans) {
		f->n_tags = 1;
		f->vid = s->vlans[rnd(s->n_vlans)];
	}
	if (s->n_teid_ranges) {
		const struct sg_range *t = &s->teid_ranges[rnd(s->n_teid_ranges)];

		f->teid = t->first + rnd(t->last - t->first + 1);
	}
	if (s->n_dscps && chance(50))
		f->dscp = s->dscps[rnd(s->n_dscps)];
}

static void random_transport(const struct sg_policy *pol, struct flowspec *f)
{
	static const uint8_t tcp_flags[] = { 0x02, 0x12, 0x10, 0x18, 0x11, 0x04 };
	uint8_t icmp = f->src.family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;

	switch (rnd(10)) {
	case 0: case 1: case 2: case 3:
		f->proto = IPPROTO_TCP;
		break;
	case 4: case 5: case 6:
		f->proto = IPPROTO_UDP;
		break;
	case 7: case 8:
		f->proto = icmp;
		break;
	default:
		f->proto = chance(50) ? IPPROTO_GRE :
			   chance(50) ? IPPROTO_SCTP : (uint8_t)rnd(256);
	}
	f->sport = chance(70) ? (uint16_t)(32768 + rnd(28000)) :
				pick_dport(pol);
	f->dport = pick_dport(pol);
	f->tcp_flags = tcp_flags[rnd(sizeof(tcp_flags))];
	if (f->proto == icmp) {
		static const uint8_t t4[] = { 8, 8, 0, 3, 11 };
		static const uint8_t t6[] = { 128, 128, 129, 1, 135, 136, 133 };

		f->icmp_type = f->src.family == AF_INET ? t4[rnd(5)] : t6[rnd(7)];
		f->icmp_id = (uint16_t)rnd(8);
	}
	f->hop_limit = chance(80) ? 64 : 255;
	f->payload = chance(30) ? 0 : rnd(100);
}

/* The transport header and payload of f. */
static void build_l4(struct buf *b, const struct flowspec *f)
{
	if (f->proto == IPPROTO_TCP) {
		put16(b, f->sport);
		put16(b, f->dport);
		put32(b, (uint32_t)rnd64());
		put32(b, (uint32_t)rnd64());
		put8(b, 5 << 4);
		put8(b, f->tcp_flags);
		put16(b, 65535);
		put32(b, 0);
	} else if (f->proto == IPPROTO_UDP || f->proto == IPPROTO_SCTP) {
		put16(b, f->sport);
		put16(b, f->dport);
		put16(b, (uint16_t)(8 + f->payload));
		put16(b, 0);
	} else if ((f->proto == IPPROTO_ICMP && f->src.family == AF_INET) ||
		   (f->proto == IPPROTO_ICMPV6 && f->src.family == AF_INET6)) {
		if (f->quote) {
			/* type, code, checksum, then the MTU or unused */
			put8(b, f->icmp_type);
			put8(b, (uint8_t)rnd(6));
			put16(b, 0);
			put32(b, 1400);
			put(b, f->quote, f->quote_len);
			put_random(b, f->quote_pad);
			return;
		}
		put8(b, f->icmp_type);
		put8(b, 0);
		put16(b, 0);
		put16(b, f->icmp_id);
		put16(b, (uint16_t)rnd(65536));
	}
	put_random(b, f->payload);
}

static void build_ext(struct buf *b, uint8_t type, uint8_t next)
{
	unsigned int units = rnd(3), i;

	put8(b, next);
	if (type == IPPROTO_AH) {
		/* AH length counts 4-byte units minus 2; keep 8-aligned. */
		put8(b, (uint8_t)(2 * units + 1 + 0));
		put16(b, 0);
		for (i = 0; i < 2 * units + 1; i++)
			put32(b, (uint32_t)rnd64());
		return;
	}
	if (type == IPPROTO_FRAGMENT) {
		put8(b, 0);
		put16(b, 0);		/* atomic fragment: offset 0, M clear */
		put32(b, (uint32_t)rnd64());
		return;
	}
	put8(b, (uint8_t)units);
	put8(b, 1);			/* PadN */
	put8(b, (uint8_t)(4 + 8 * units));
	for (i = 0; i < 4 + 8 * units; i++)
		put8(b, 0);
}

/*
 * An IP header for f with protocol proto and dlen bytes following. For
 * IPv6, f's extension headers are included and proto follows them.
 */
static void build_ip_hdr(struct buf *b, const struct flowspec *f,
			 uint8_t proto, size_t dlen, uint16_t frag_field,
			 uint16_t id)
{
	if (f->src.family == AF_INET) {
		put8(b, 0x45);
		put8(b, (uint8_t)(f->dscp << 2));
		put16(b, (uint16_t)(20 + dlen));
		put16(b, id);
		put16(b, frag_field);
		put8(b, f->hop_limit);
		put8(b, proto);
		put16(b, 0);
		put(b, f->src.a, 4);
		put(b, f->dst.a, 4);
	} else {
		put32(b, 6U << 28 | (uint32_t)f->dscp << 22);
		put16(b, (uint16_t)dlen);
		put8(b, proto);
		put8(b, f->hop_limit);
		put(b, f->src.a, 16);
		put(b, f->dst.a, 16);
	}
}

/* Whole IP packet of f into b (no Ethernet). */
static void build_ip(struct buf *b, const struct flowspec *f)
{
	struct buf l4 = { .len = 0 }, ext = { .len = 0 };
	int i;

	build_l4(&l4, f);
	if (f->src.family == AF_INET6) {
		for (i = 0; i < f->n_ext; i++)
			build_ext(&ext, f->ext[i],
				  i + 1 < f->n_ext ? f->ext[i + 1] : f->proto);
		build_ip_hdr(b, f, f->n_ext ? f->ext[0] : f->proto,
			     ext.len + l4.len, 0, 0);
		put(b, ext.d, ext.len);
	} else {
		build_ip_hdr(b, f, f->proto, l4.len, chance(50) ? 0x4000 : 0,
			     (uint16_t)rnd(65536));
	}
	put(b, l4.d, l4.len);
}

static void build_eth(struct buf *b, const struct flowspec *f,
		      uint16_t ethertype)
{
	int i;

	put_random(b, 12);
	b->d[0] &= 0xfe;
	b->d[6] &= 0xfe;
	for (i = 0; i < f->n_tags; i++) {
		put16(b, i == 0 ? f->tpid : 0x8100);
		put16(b, (uint16_t)((rnd(8) << 13) | (i == 0 ? f->vid :
							rnd(4096))));
	}
	put16(b, ethertype);
}

/* GTP-U header (and extension headers) for an inner packet of ilen bytes. */
static void build_gtpu(struct buf *b, const struct flowspec *f, size_t ilen)
{
	struct buf opt = { .len = 0 };
	uint8_t flags = f->gtp_flags;
	int i;

	if (f->gtp_ext)
		flags |= 0x04;
	if (flags & 0x07) {
		put16(&opt, (uint16_t)rnd(65536));
		put8(&opt, 0);
		put8(&opt, f->gtp_ext ? 0x85 : 0);
		for (i = 0; i < f->gtp_ext; i++) {
			unsigned int units = 1 + rnd(2), k;

			put8(&opt, f->gtp_bad_ext_len && i == f->gtp_ext - 1 ?
				   0 : (uint8_t)units);
			for (k = 0; k < units * 4 - 2; k++)
				put8(&opt, (uint8_t)rnd(256));
			put8(&opt, i + 1 < f->gtp_ext ? 0x85 : 0);
		}
	}
	put8(b, 0x30 | flags);
	put8(b, f->gtp_type);
	put16(b, (uint16_t)(opt.len + ilen));
	put32(b, f->teid);
	put(b, opt.d, opt.len);
}

/* Wrap the IP packet ip into a frame for f: Ethernet [, outer IP/UDP/GTP-U]. */
static void wrap_frame(struct buf *b, const struct flowspec *f,
		       const struct buf *ip)
{
	if (f->gtpu) {
		struct buf g = { .len = 0 };
		struct flowspec o = *f;

		o.src = f->outer_src;
		o.dst = f->outer_dst;
		o.n_ext = 0;
		o.dscp = 0;
		o.hop_limit = 64;
		build_gtpu(&g, f, ip->len);
		build_eth(b, f, o.src.family == AF_INET ? 0x0800 : 0x86dd);
		build_ip_hdr(b, &o, IPPROTO_UDP, 8 + g.len + ip->len, 0,
			     (uint16_t)rnd(65536));
		put16(b, (uint16_t)(32768 + rnd(1000)));
		put16(b, chance(97) ? SG_GTPU_PORT : (uint16_t)rnd(65536));
		put16(b, (uint16_t)(8 + g.len + ip->len));
		put16(b, 0);
		put(b, g.d, g.len);
	} else {
		build_eth(b, f, f->src.family == AF_INET ? 0x0800 : 0x86dd);
	}
	put(b, ip->d, ip->len);
}

static void build_frame(struct buf *b, const struct flowspec *f)
{
	struct buf ip = { .len = 0 };

	build_ip(&ip, f);
	wrap_frame(b, f, &ip);
}

/* ---- Running a packet through both sides ---- */

struct hook {
	enum sg_ref_hook ref;
	int ifindex;
	uint32_t app_id;
	uint32_t mode, unsliced;
	/*
	 * Egress hooks: the interface the packet entered the host on
	 * (skb->ingress_ifindex; 0: the host sent it) and what the policy
	 * says it is.
	 */
	int in_ifindex;
	enum sg_ref_iface in_kind;
	uint32_t in_app;
};

/* sg_egress: at an app's interface or at an uplink's. */
static bool is_egress(enum sg_ref_hook h)
{
	return h == SG_REF_APP_EGRESS || h == SG_REF_UPLINK_EGRESS;
}

struct verdict {
	bool pass;
	unsigned int reason;
	uint32_t mark;
	uint32_t rule;		/* model only */
	int err;		/* BPF side: test run failed */
};

/* Disagreements by kind, to see at a glance what differs. */
struct mismatch_kind {
	enum sg_ref_hook hook;
	unsigned int model, bpf;
	uint64_t count;
};

#define MAX_KINDS	32

/*
 * What a generated packet does with the host's addresses (host_use()). An
 * address of the host that is exactly an app's /32 or /128 endpoint is
 * that app's (*_IS_APP; at app ingress only the sending app's counts).
 */
enum host_use {
	HOST_SRC = 1 << 0,		/* its source is the host */
	HOST_DST = 1 << 1,		/* its destination is the host */
	HOST_OUTER_SRC = 1 << 2,	/* the outer source of its GTP-U packet */
	/* That address of the host (the source's if both are) lies in ... */
	HOST_IN_POOL = 1 << 3,		/* ... a UE pool */
	HOST_IN_APP = 1 << 4,		/* ... an app's endpoint (app ingress: the sender's) */
	HOST_SRC_IS_APP = 1 << 5,
	HOST_DST_IS_APP = 1 << 6,
	HOST_ND = 1 << 7,		/* an ND message */
	HOST_ND_AWAY = 1 << 8,		/* ND to a unicast address not the host */
};

#define R(reason)	(1ULL << SG_R_##reason)

/*
 * The branches the host adds to the data path, each as the model's reason
 * for a generated packet that uses the host's addresses so: all must be
 * reached (test_host_coverage()).
 */
static const struct host_case {
	const char *what;
	enum sg_ref_hook hook;
	unsigned int use;	/* enum host_use: all of these */
	int from_host;		/* app egress: 1 sent by the host (ingress 0), 0 not, -1 any */
	uint64_t reasons;	/* R(): one of these */
	bool marked;		/* passed with a slice's mark */
} host_cases[] = {
	{ "the host's address as source",
	  SG_REF_UPLINK, HOST_SRC, -1, R(SPOOF), false },
	{ "the host's address in a UE pool as source",
	  SG_REF_UPLINK, HOST_SRC | HOST_IN_POOL, -1, R(SPOOF), false },
	{ "the host's address as outer GTP-U source",
	  SG_REF_UPLINK, HOST_OUTER_SRC, -1, R(SPOOF), false },
	{ "a slice to the host by a rule",
	  SG_REF_UPLINK, HOST_DST, -1, R(RULE), false },
	{ "a slice to the host's address in a UE pool by a rule",
	  SG_REF_UPLINK, HOST_DST | HOST_IN_POOL, -1, R(RULE), false },
	{ "a slice to the host's address in an app's endpoint by a rule",
	  SG_REF_UPLINK, HOST_DST | HOST_IN_APP, -1, R(RULE), false },
	{ "a slice to the host's address that is exactly an app's endpoint: the app's",
	  SG_REF_UPLINK, HOST_DST_IS_APP, -1, R(RULE) | R(NO_ENDPOINT), false },
	{ "a slice to the host, no rule",
	  SG_REF_UPLINK, HOST_DST, -1, R(NO_RULE), false },
	{ "a slice's flow to the host",
	  SG_REF_UPLINK, HOST_DST, -1, R(FLOW), false },
	{ "no slice to the host, unsliced pass",
	  SG_REF_UPLINK, HOST_DST, -1, R(UNSLICED_PASS), false },
	{ "no slice to the host, unsliced drop",
	  SG_REF_UPLINK, HOST_DST, -1, R(NO_SLICE), false },
	{ "ND to the host",
	  SG_REF_UPLINK, HOST_ND | HOST_DST, -1, R(ND), false },
	{ "ND to a unicast address not the host's",
	  SG_REF_UPLINK, HOST_ND_AWAY, -1, ~R(ND), false },
	{ "the host's address in the app's endpoint as source",
	  SG_REF_APP_INGRESS, HOST_SRC | HOST_IN_APP, -1, R(SPOOF), false },
	{ "the host's address that is exactly the app's endpoint as source",
	  SG_REF_APP_INGRESS, HOST_SRC_IS_APP, -1, ~R(SPOOF), false },
	{ "an app to the host by a rule",
	  SG_REF_APP_INGRESS, HOST_DST, -1, R(RULE), false },
	{ "an app to the host, no rule",
	  SG_REF_APP_INGRESS, HOST_DST, -1, R(NO_RULE), false },
	{ "an app's reply to the host",
	  SG_REF_APP_INGRESS, HOST_DST, -1, R(REPLY), false },
	{ "an app's error to the host about the host's flow",
	  SG_REF_APP_INGRESS, HOST_DST, -1, R(RELATED), false },
	{ "ND to the host",
	  SG_REF_APP_INGRESS, HOST_ND | HOST_DST, -1, R(ND), false },
	{ "ND to a unicast address not the host's",
	  SG_REF_APP_INGRESS, HOST_ND_AWAY, -1, ~R(ND), false },
	{ "the host to an app by a rule",
	  SG_REF_APP_EGRESS, HOST_SRC, 1, R(RULE), false },
	{ "the host to an app, no rule",
	  SG_REF_APP_EGRESS, HOST_SRC, 1, R(NO_RULE), false },
	{ "the host's reply to an app",
	  SG_REF_APP_EGRESS, HOST_SRC, 1, R(REPLY), false },
	{ "the host's address in a UE pool, sent by the host",
	  SG_REF_APP_EGRESS, HOST_SRC | HOST_IN_POOL, 1, ~R(SPOOF), false },
	{ "the host's address that is exactly an app's endpoint, sent by the host",
	  SG_REF_APP_EGRESS, HOST_SRC_IS_APP, 1, ~R(SPOOF), false },
	{ "the host's address entered on an interface",
	  SG_REF_APP_EGRESS, HOST_SRC, 0, R(SPOOF), false },
	{ "the host's error about an app's flow",
	  SG_REF_APP_EGRESS, HOST_SRC, 1, R(RELATED), false },
	{ "the host's error about a UE's flow, with its slice's mark",
	  SG_REF_APP_EGRESS, HOST_SRC, 1, R(RELATED), true },
	{ "ND from the host",
	  SG_REF_APP_EGRESS, HOST_ND | HOST_SRC, 1, R(ND), false },
};

#define N_HOST_CASES	(sizeof(host_cases) / sizeof(host_cases[0]))

/*
 * What a generated packet seen at uplink egress is (egress_use()): its
 * ends by address as "Source and destination" finds them, where it
 * entered the host, and what sort of packet it is.
 */
enum egress_use {
	EG_SRC_UE = 1 << 0,
	EG_SRC_APP = 1 << 1,
	EG_SRC_HOST = 1 << 2,
	EG_SRC_EXT = 1 << 3,
	EG_DST_UE = 1 << 4,
	EG_DST_APP = 1 << 5,
	EG_DST_HOST = 1 << 6,
	EG_DST_EXT = 1 << 7,
	EG_SRC_HOSTS_APP = 1 << 8,	/* an app's exact endpoint, also the host's */
	EG_IN_HOST = 1 << 9,		/* entered: the host sent it (0) */
	EG_IN_UPLINK = 1 << 10,		/* ... an uplink */
	EG_IN_OWN_APP = 1 << 11,	/* ... the interface of the source's app */
	EG_ND = 1 << 12,		/* an ND message ... */
	EG_ND_LINK = 1 << 13,		/* ... toward fe80::/10 or ff02::/16 */
	EG_ND_UNICAST = 1 << 14,	/* ... toward another unicast address */
	EG_ERROR = 1 << 15,		/* an ICMP error quoting a packet */
	EG_FRAG = 1 << 16,		/* a non-first fragment */
	EG_GTPU = 1 << 17,		/* on the gtpu uplink */
	EG_UNSLICED_PASS = 1 << 18,	/* the uplink's unsliced setting is pass */
};

#define PASSING	(R(RULE) | R(FLOW) | R(REPLY) | R(RELATED) | R(INTRA_SLICE))

/*
 * The branches of uplink egress ("Uplink egress"), each as the model's
 * reason for a generated packet of that sort: each must be reached at
 * least min times per 120000 packets of the random part (about a third of
 * the fewest seen over 25 seeds; test_uplink_egress_coverage()).
 */
static const struct egress_case {
	const char *what;
	unsigned int use;	/* enum egress_use: all of these */
	unsigned int none;	/* and none of these */
	uint64_t reasons;	/* R(): one of these */
	bool marked;		/* passed with a slice's mark */
	uint64_t min;		/* per 120000 packets, at least 1 */
} egress_cases[] = {
	{ "the gtpu uplink, unsliced drop: of no slice",
	  EG_GTPU, EG_UNSLICED_PASS, R(NO_SLICE), false, 400 },
	{ "the gtpu uplink, unsliced pass: of no slice",
	  EG_GTPU | EG_UNSLICED_PASS, 0, R(UNSLICED_PASS), false, 400 },
	{ "a UE's source entered on an uplink",
	  EG_SRC_UE | EG_IN_UPLINK, EG_GTPU, ~R(SPOOF), false, 1000 },
	{ "a UE's source entered elsewhere",
	  EG_SRC_UE, EG_IN_UPLINK | EG_GTPU, R(SPOOF), false, 150 },
	{ "an app's source entered on its interface",
	  EG_SRC_APP | EG_IN_OWN_APP, EG_GTPU, ~R(SPOOF), false, 1000 },
	{ "an app at one of the host's addresses, sent by the host",
	  EG_SRC_APP | EG_SRC_HOSTS_APP | EG_IN_HOST, EG_GTPU, ~R(SPOOF), false, 30 },
	{ "an app's source entered elsewhere",
	  EG_SRC_APP, EG_IN_OWN_APP | EG_SRC_HOSTS_APP | EG_GTPU, R(SPOOF), false, 200 },
	{ "the host's source sent by the host",
	  EG_SRC_HOST | EG_IN_HOST, EG_GTPU, ~R(SPOOF), false, 1000 },
	{ "the host's source entered on an interface",
	  EG_SRC_HOST, EG_IN_HOST | EG_GTPU, R(SPOOF), false, 150 },
	{ "ND from the host toward a unicast address",
	  EG_ND | EG_ND_UNICAST | EG_IN_HOST, EG_GTPU, R(ND), false, 40 },
	{ "ND toward its link, entered on an interface",
	  EG_ND | EG_ND_LINK, EG_IN_HOST | EG_GTPU, R(ND), false, 8 },
	{ "ND toward a unicast address, entered on an interface",
	  EG_ND | EG_ND_UNICAST, EG_IN_HOST | EG_GTPU, ~R(ND), false, 25 },
	{ "the host to the outside, unsliced pass",
	  EG_SRC_HOST | EG_DST_EXT | EG_IN_HOST | EG_UNSLICED_PASS, EG_GTPU,
	  R(UNSLICED_PASS), false, 120 },
	{ "the host to the outside, unsliced drop",
	  EG_SRC_HOST | EG_DST_EXT | EG_IN_HOST, EG_UNSLICED_PASS | EG_GTPU,
	  R(NO_SLICE), false, 150 },
	{ "the outside to the outside",
	  EG_SRC_EXT | EG_DST_EXT, EG_GTPU, R(NO_SLICE) | R(UNSLICED_PASS), false, 1000 },
	{ "the host to a UE by a rule from the host",
	  EG_SRC_HOST | EG_DST_UE | EG_IN_HOST, EG_GTPU, R(RULE), false, 60 },
	{ "the host to a UE by a rule, with the slice's mark",
	  EG_SRC_HOST | EG_DST_UE | EG_IN_HOST, EG_GTPU, R(RULE), true, 40 },
	{ "the host to a UE, no rule",
	  EG_SRC_HOST | EG_DST_UE | EG_IN_HOST, EG_GTPU, R(NO_RULE), false, 250 },
	{ "the host's flow to a UE",
	  EG_SRC_HOST | EG_DST_UE | EG_IN_HOST, EG_GTPU, R(FLOW), false, 25 },
	{ "the host's error about a UE's flow",
	  EG_SRC_HOST | EG_DST_UE | EG_IN_HOST | EG_ERROR, EG_GTPU, R(RELATED), false, 15 },
	{ "the host's error about a UE's flow, with the slice's mark",
	  EG_SRC_HOST | EG_DST_UE | EG_IN_HOST | EG_ERROR, EG_GTPU, R(RELATED), true, 10 },
	{ "the outside's error about a UE's flow",
	  EG_SRC_EXT | EG_DST_UE | EG_ERROR, EG_GTPU, R(RELATED), false, 3 },
	{ "the outside to a UE: no rule is from any",
	  EG_SRC_EXT | EG_DST_UE, EG_GTPU, R(NO_RULE), false, 400 },
	{ "the outside's reply to a UE's flow",
	  EG_SRC_EXT | EG_DST_UE, EG_GTPU, R(REPLY), false, 80 },
	{ "an app's flow to a UE, decided at its interface",
	  EG_SRC_APP | EG_DST_UE | EG_IN_OWN_APP, EG_GTPU, R(FLOW), false, 80 },
	{ "an app's reply to a UE",
	  EG_SRC_APP | EG_DST_UE, EG_GTPU, R(REPLY), false, 8 },
	{ "an app's error about a UE's flow",
	  EG_SRC_APP | EG_DST_UE | EG_ERROR, EG_GTPU, R(RELATED), false, 2 },
	{ "an app at one of the host's addresses to a UE",
	  EG_SRC_HOSTS_APP | EG_DST_UE | EG_IN_HOST, EG_GTPU,
	  R(RULE) | R(NO_RULE) | R(FLOW) | R(REPLY), false, 10 },
	{ "a UE to a UE of its slice, ue-to-ue",
	  EG_SRC_UE | EG_DST_UE, EG_GTPU, R(INTRA_SLICE), false, 100 },
	{ "a UE to a UE, no rule",
	  EG_SRC_UE | EG_DST_UE, EG_GTPU, R(NO_RULE), false, 200 },
	{ "a UE to a UE of another slice by a rule",
	  EG_SRC_UE | EG_DST_UE, EG_GTPU, R(RULE) | R(FLOW), false, 30 },
	{ "a UE's flow to the outside, on its way out",
	  EG_SRC_UE | EG_DST_EXT, EG_GTPU, R(FLOW), false, 100 },
	{ "toward an app outside its endpoints",
	  EG_DST_APP, EG_GTPU, R(NO_ENDPOINT), false, 40 },
	{ "an app's reply to a UE of a slice without UE prefixes",
	  EG_SRC_APP | EG_DST_EXT, EG_GTPU, R(REPLY), false, 1 },
	{ "a UE of a slice without UE prefixes in its flow, entered on an uplink",
	  EG_SRC_EXT, EG_GTPU, R(FLOW), false, 1 },
	{ "a non-first fragment of a passed first one",
	  EG_FRAG, EG_GTPU, PASSING, false, 35 },
	{ "a non-first fragment without a passed first one",
	  EG_FRAG, EG_GTPU, R(FRAG_NO_FIRST), false, 150 },
};

#define N_EGRESS_CASES	(sizeof(egress_cases) / sizeof(egress_cases[0]))

struct run {
	struct mismatch_kind kinds[MAX_KINDS];
	unsigned int n_kinds;
	struct sg_dp *dp;
	const struct sg_policy *pol;	/* NULL: nothing applied */
	struct sg_ref_state state;
	struct sg_count last[SG_R_MAX];
	uint64_t packets, disagreements;
	uint64_t unrunnable;	/* short frames TC test runs refuse */
	uint64_t apply_ns;	/* time spent in sg_dp_apply() */
	struct recording *rec;	/* when set, packets are recorded here */
	uint64_t seen[SG_R_MAX];
	uint64_t seen_at[4][SG_R_MAX];	/* by enum sg_ref_hook */
	uint64_t rules_checked;
	/* enum host_use of the next packet checked (0: unknown, mutated) */
	unsigned int host_use;
	uint64_t host_reached[N_HOST_CASES];
	/* enum egress_use of the next packet checked at uplink egress */
	unsigned int egress_use;
	uint64_t egress_reached[N_EGRESS_CASES];
	uint32_t last_mark;	/* the model's mark of the last packet checked */
};

static const char *hook_name(enum sg_ref_hook h)
{
	return h == SG_REF_UPLINK ? "uplink" :
	       h == SG_REF_APP_INGRESS ? "app-ingress" :
	       h == SG_REF_APP_EGRESS ? "app-egress" : "uplink-egress";
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* The reason whose counter moved since the last call, or -1. */
static int reason_moved(struct run *run)
{
	struct sg_count now[SG_R_MAX];
	int i, moved = -1, n = 0;

	if (sg_dp_reason_counts(run->dp, now))
		return -1;
	for (i = 0; i < SG_R_MAX; i++)
		if (now[i].packets != run->last[i].packets) {
			moved = i;
			n += (int)(now[i].packets - run->last[i].packets);
		}
	memcpy(run->last, now, sizeof(now));
	return n == 1 ? moved : -1;
}

static struct verdict run_bpf(struct run *run, const struct hook *h,
			      const uint8_t *pkt, size_t len)
{
	struct verdict v = { 0 };
	uint8_t out[MAX_PKT + 256];
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = pkt,
		.data_size_in = (uint32_t)len,
		.data_out = out,
		.data_size_out = sizeof(out),
		.repeat = 1,
	);
	int fd, r;

	if (h->ref == SG_REF_UPLINK) {
		struct xdp_md ctx = {
			.data_end = (uint32_t)len,
			.ingress_ifindex = (uint32_t)h->ifindex,
		};

		fd = sg_dp_prog_fd(run->dp, SG_DP_PROG_UPLINK);
		opts.ctx_in = &ctx;
		opts.ctx_size_in = sizeof(ctx);
		opts.ctx_out = &ctx;
		opts.ctx_size_out = sizeof(ctx);
		r = bpf_prog_test_run_opts(fd, &opts);
		if (r) {
			v.err = -errno;
			return v;
		}
		v.pass = opts.retval == XDP_PASS;
		/* Metadata sits in front of the packet in data_out. */
		if (ctx.data >= sizeof(struct sg_xdp_meta)) {
			struct sg_xdp_meta meta;

			memcpy(&meta, out + ctx.data - sizeof(meta), sizeof(meta));
			if (meta.magic == SG_META_MAGIC)
				v.mark = meta.mark;
		}
		if (opts.retval != XDP_PASS && opts.retval != XDP_DROP)
			v.err = -EPROTO;
	} else {
		/*
		 * skb->ingress_ifindex: what sg_egress checks sources
		 * against (at an app's and at an uplink's interface alike);
		 * at app ingress the app's own interface.
		 */
		struct __sk_buff ctx = {
			.ifindex = (uint32_t)h->ifindex,
			.ingress_ifindex = (uint32_t)(is_egress(h->ref) ?
						      h->in_ifindex : h->ifindex),
		};

		fd = sg_dp_prog_fd(run->dp, h->ref == SG_REF_APP_INGRESS ?
					    SG_DP_PROG_APP_INGRESS :
					    SG_DP_PROG_EGRESS);
		opts.ctx_in = &ctx;
		opts.ctx_size_in = sizeof(ctx);
		opts.ctx_out = &ctx;
		opts.ctx_size_out = sizeof(ctx);
		r = bpf_prog_test_run_opts(fd, &opts);
		if (r) {
			v.err = -errno;
			return v;
		}
		/* sg_app passes with TC_ACT_UNSPEC (TCX_NEXT): later filters run. */
		v.pass = (int)opts.retval == TC_ACT_UNSPEC;
		v.mark = ctx.mark;
		if ((int)opts.retval != TC_ACT_UNSPEC && opts.retval != TC_ACT_SHOT)
			v.err = -EPROTO;
	}
	r = reason_moved(run);
	v.reason = r < 0 ? SG_R_MAX : (unsigned int)r;
	return v;
}

static void hexdump(const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		printf("%s%02x", i % 32 == 0 ? "\n#   " : " ", p[i]);
	printf("\n");
}

static const char *rname(unsigned int r)
{
	const char *n = r < SG_R_MAX ? sg_ref_reason_name(r) : NULL;

	return n ? n : "(no single reason counted)";
}

static void note_kind(struct run *run, enum sg_ref_hook hook,
		      unsigned int model, unsigned int bpf)
{
	unsigned int i;

	for (i = 0; i < run->n_kinds; i++)
		if (run->kinds[i].hook == hook && run->kinds[i].model == model &&
		    run->kinds[i].bpf == bpf) {
			run->kinds[i].count++;
			return;
		}
	if (run->n_kinds < MAX_KINDS)
		run->kinds[run->n_kinds++] = (struct mismatch_kind){
			hook, model, bpf, 1,
		};
}

static void show_kinds(const struct run *run)
{
	unsigned int i;

	for (i = 0; i < run->n_kinds; i++)
		printf("#   %" PRIu64 " x at %s: model %s, bpf %s\n",
		       run->kinds[i].count, hook_name(run->kinds[i].hook),
		       rname(run->kinds[i].model), rname(run->kinds[i].bpf));
}

/* Packets and where they were seen, to be replayed under a new generation. */
struct recording {
	struct recorded {
		struct hook hook;
		size_t len;
		uint8_t pkt[MAX_PKT];
	} *pkts;
	size_t n, cap;
};

static void record(struct recording *rec, const struct hook *h,
		   const uint8_t *pkt, size_t len)
{
	if (rec->n == rec->cap) {
		rec->cap = rec->cap ? 2 * rec->cap : 256;
		rec->pkts = realloc(rec->pkts, rec->cap * sizeof(*rec->pkts));
		if (!rec->pkts)
			abort();
	}
	rec->pkts[rec->n].hook = *h;
	rec->pkts[rec->n].len = len;
	memcpy(rec->pkts[rec->n].pkt, pkt, len);
	rec->n++;
}

/* Count the host cases a packet used the host's addresses for reached. */
static void note_host_use(struct run *run, const struct hook *h,
			  unsigned int use, const struct verdict *m)
{
	bool from_host = h->ref == SG_REF_APP_EGRESS &&
			 h->in_kind == SG_REF_IFACE_HOST;
	unsigned int i;

	for (i = 0; i < N_HOST_CASES; i++) {
		const struct host_case *c = &host_cases[i];

		if (c->hook == h->ref && (use & c->use) == c->use &&
		    (c->from_host < 0 || c->from_host == from_host) &&
		    (c->reasons & 1ULL << m->reason) && (!c->marked || m->mark))
			run->host_reached[i]++;
	}
}

/* Count the uplink egress cases a packet of that sort reached. */
static void note_egress_use(struct run *run, unsigned int use,
			    const struct verdict *m)
{
	unsigned int i;

	for (i = 0; i < N_EGRESS_CASES; i++) {
		const struct egress_case *c = &egress_cases[i];

		if ((use & c->use) == c->use && !(use & c->none) &&
		    (c->reasons & 1ULL << m->reason) && (!c->marked || m->mark))
			run->egress_reached[i]++;
	}
}

/*
 * Run one packet through both; count and show a disagreement. Returns the
 * model's reason.
 */
static enum sg_reason check_packet(struct run *run, const struct hook *h,
				   const uint8_t *pkt, size_t len)
{
	struct sg_ref_ctx where = {
		.hook = h->ref, .ifindex = (uint32_t)h->ifindex,
		.mode = h->mode, .unsliced = h->unsliced, .app_id = h->app_id,
		.in_kind = is_egress(h->ref) ? h->in_kind : SG_REF_IFACE_NONE,
		.in_app_id = h->in_app,
		.host = host_addrs.p, .n_host = host_addrs.n,
	};
	struct sg_obj_count before = { 0 }, after = { 0 };
	unsigned int use = run->host_use, euse = run->egress_use;
	struct verdict b, m = { 0 };
	bool rule_ok = true;

	run->host_use = 0;
	run->egress_use = 0;

	if (run->rec)
		record(run->rec, h, pkt, len);
	where.now_ns = now_ns();
	m.reason = sg_ref_decide(run->pol, &where, pkt, len, &run->state,
				 &m.mark, &m.rule);
	m.pass = sg_ref_reason_passes(m.reason);
	run->last_mark = m.mark;
	if (m.reason == SG_R_RULE)
		sg_dp_rule_counts(run->dp, m.rule, &before);
	b = run_bpf(run, h, pkt, len);
	if (m.reason == SG_R_RULE) {
		sg_dp_rule_counts(run->dp, m.rule, &after);
		rule_ok = after.pass_packets == before.pass_packets + 1;
		run->rules_checked++;
	}
	/*
	 * BPF_PROG_TEST_RUN of a TC program refuses (EINVAL) a frame whose
	 * ethertype says IP but that is shorter than an IP header; the model
	 * must call such a frame MALFORMED, and there is nothing to compare.
	 */
	if (b.err == -EINVAL && h->ref != SG_REF_UPLINK &&
	    m.reason == SG_R_MALFORMED) {
		run->unrunnable++;
		return m.reason;
	}
	run->packets++;
	if (m.reason < SG_R_MAX) {
		run->seen[m.reason]++;
		run->seen_at[h->ref][m.reason]++;
		if (use)
			note_host_use(run, h, use, &m);
		if (euse && h->ref == SG_REF_UPLINK_EGRESS)
			note_egress_use(run, euse, &m);
	}
	if (!b.err && b.pass == m.pass && b.reason == m.reason &&
	    b.mark == m.mark && rule_ok)
		return m.reason;
	note_kind(run, h->ref, m.reason, b.reason);
	if (++run->disagreements > show_max)
		return m.reason;
	printf("# disagreement on packet %" PRIu64 " at %s ifindex %d (app %u, "
	       "mode %u, unsliced %u, entered at ifindex %d: %s %u), %zu bytes:",
	       run->packets, hook_name(h->ref), h->ifindex, h->app_id, h->mode,
	       h->unsliced, h->in_ifindex,
	       h->in_kind == SG_REF_IFACE_UPLINK ? "uplink" :
	       h->in_kind == SG_REF_IFACE_APP ? "app" :
	       h->in_kind == SG_REF_IFACE_HOST ? "host" : "none", h->in_app, len);
	hexdump(pkt, len);
	printf("#   bpf:   %s %s mark 0x%x%s%s\n", b.pass ? "pass" : "drop",
	       rname(b.reason), b.mark, b.err ? " test-run error: " : "",
	       b.err ? strerror(-b.err) : "");
	printf("#   model: %s %s mark 0x%x rule %u%s\n", m.pass ? "pass" : "drop",
	       rname(m.reason), m.mark, m.rule,
	       rule_ok ? "" : " (that rule's counter did not move)");
	return m.reason;
}

/* ---- Scenarios ---- */

struct hooks {
	/* sg_uplink, and sg_egress on the same interfaces */
	struct hook uplink[N_UPLINK_IFACES], uplink_out[N_UPLINK_IFACES];
	struct hook app_in[MAX_GEN_APPS], app_out[MAX_GEN_APPS];
	unsigned int n_apps;
	/* Interfaces the policy does not name: sgd-spare, unused sgd-appN. */
	int outside[MAX_GEN_APPS + 1];
	unsigned int n_outside;
};

/*
 * The way out of an uplink: mostly the ip uplink, where the agent attaches
 * sg_egress; now and then the gtpu one, where it does not (of no slice).
 */
static const struct hook *uplink_out(const struct hooks *hk)
{
	return &hk->uplink_out[chance(85) ? 0 : 1];
}

static const struct hook *random_hook(const struct hooks *hk)
{
	unsigned int r = rnd(20);

	if (r < 7 || !hk->n_apps)
		return &hk->uplink[chance(60) ? 0 : 1];
	if (r < 10)
		return uplink_out(hk);
	if (r < 15)
		return &hk->app_in[rnd(hk->n_apps)];
	return &hk->app_out[rnd(hk->n_apps)];
}

static int app_index_of(const struct sg_policy *pol, uint32_t id)
{
	unsigned int i;

	for (i = 0; i < pol->n_apps; i++)
		if (pol->apps[i].id == id)
			return (int)i;
	return 0;
}

/* The app owning address a (by endpoint prefix), or -1. */
static int app_of_addr(const struct sg_policy *pol, const struct addr *a)
{
	unsigned int i, j;

	for (i = 0; i < pol->n_apps; i++)
		for (j = 0; j < pol->apps[i].n_endpoints; j++)
			if (prefix_holds(&pol->apps[i].endpoints[j].prefix, a))
				return (int)i;
	return -1;
}

/* Whether a is exactly one of ap's /32 or /128 endpoints. */
static bool app_exactly(const struct sg_app *ap, const struct addr *a)
{
	uint8_t full = a->family == AF_INET ? 32 : 128;
	unsigned int i;

	for (i = 0; i < ap->n_endpoints; i++)
		if (ap->endpoints[i].prefix.len == full &&
		    prefix_holds(&ap->endpoints[i].prefix, a))
			return true;
	return false;
}

/*
 * The host_use bits of one end a of a packet at h: peer when a is the host
 * (with where it lies when within), is_app when a is the host's address
 * that is exactly an app's endpoint.
 */
static unsigned int host_end(const struct sg_policy *pol, const struct hook *h,
			     const struct addr *a, unsigned int peer,
			     unsigned int is_app, bool within)
{
	int ai = app_of_addr(pol, a);
	bool own = ai >= 0 && (h->ref != SG_REF_APP_INGRESS ||
			       pol->apps[ai].id == h->app_id);
	unsigned int use = peer;

	if (!host_holds(a))
		return 0;
	if (ai >= 0 && app_exactly(&pol->apps[ai], a))
		return own ? is_app : 0;
	if (within && slice_of_addr(pol, a))
		use |= HOST_IN_POOL;
	if (within && own)
		use |= HOST_IN_APP;
	return use;
}

/* enum host_use of f, built for hook h. */
static unsigned int host_use(const struct sg_policy *pol, const struct hook *h,
			     const struct flowspec *f)
{
	unsigned int use = host_end(pol, h, &f->src, HOST_SRC, HOST_SRC_IS_APP, true);

	use |= host_end(pol, h, &f->dst, HOST_DST, HOST_DST_IS_APP, !(use & HOST_SRC));
	if (f->gtpu && host_holds(&f->outer_src))
		use |= HOST_OUTER_SRC;
	if (f->src.family == AF_INET6 && f->proto == IPPROTO_ICMPV6 &&
	    f->icmp_type >= 133 && f->icmp_type <= 137 && f->hop_limit == 255) {
		use |= HOST_ND;
		/* not link-local (fe80::/10), not multicast */
		if (!(use & HOST_DST) &&
		    !(f->dst.a[0] == 0xfe && (f->dst.a[1] & 0xc0) == 0x80) &&
		    f->dst.a[0] != 0xff)
			use |= HOST_ND_AWAY;
	}
	return use;
}

/*
 * What address a is ("Source and destination"): the host's first, unless
 * an app's endpoint is exactly a; else an app's, a UE's or external.
 */
static enum addr_sort sort_of(const struct sg_policy *pol, const struct addr *a)
{
	int ai = app_of_addr(pol, a);

	if (host_holds(a) && !(ai >= 0 && app_exactly(&pol->apps[ai], a)))
		return A_HOST;
	if (ai >= 0)
		return A_APP;
	return slice_of_addr(pol, a) ? A_UE : A_EXTERNAL;
}

/* enum egress_use of f, seen at h (uplink egress). */
static unsigned int egress_use(const struct sg_policy *pol, const struct hook *h,
			       const struct flowspec *f)
{
	static const unsigned int src_bits[] = {
		[A_UE] = EG_SRC_UE, [A_APP] = EG_SRC_APP,
		[A_EXTERNAL] = EG_SRC_EXT, [A_HOST] = EG_SRC_HOST,
	};
	static const unsigned int dst_bits[] = {
		[A_UE] = EG_DST_UE, [A_APP] = EG_DST_APP,
		[A_EXTERNAL] = EG_DST_EXT, [A_HOST] = EG_DST_HOST,
	};
	enum addr_sort src = sort_of(pol, &f->src);
	unsigned int use = src_bits[src] | dst_bits[sort_of(pol, &f->dst)];
	int ai = app_of_addr(pol, &f->src);

	if (src == A_APP && host_holds(&f->src))
		use |= EG_SRC_HOSTS_APP;
	if (h->in_kind == SG_REF_IFACE_HOST)
		use |= EG_IN_HOST;
	else if (h->in_kind == SG_REF_IFACE_UPLINK)
		use |= EG_IN_UPLINK;
	else if (h->in_kind == SG_REF_IFACE_APP && ai >= 0 &&
		 pol->apps[ai].id == h->in_app)
		use |= EG_IN_OWN_APP;
	if (f->src.family == AF_INET6 && f->proto == IPPROTO_ICMPV6 &&
	    f->icmp_type >= 133 && f->icmp_type <= 137 && f->hop_limit == 255) {
		bool link = (f->dst.a[0] == 0xfe && (f->dst.a[1] & 0xc0) == 0x80) ||
			    (f->dst.a[0] == 0xff && f->dst.a[1] == 0x02);

		use |= EG_ND | (link ? EG_ND_LINK :
				f->dst.a[0] != 0xff ? EG_ND_UNICAST : 0);
	}
	if (f->quote)
		use |= EG_ERROR;
	if (h->mode == SLICEGUARD_UPLINK_MODE_GTPU)
		use |= EG_GTPU;
	if (h->unsliced == SLICEGUARD_UNSLICED_PASS)
		use |= EG_UNSLICED_PASS;
	return use;
}

/*
 * Make f's encapsulation fit hook h: GTP-U on gtpu uplinks (with outer
 * addresses of the transport network), none elsewhere, no VLAN tag at app
 * interfaces.
 */
static void fit_encap(const struct hook *h, struct flowspec *f)
{
	if (h->ref == SG_REF_UPLINK && h->mode == SLICEGUARD_UPLINK_MODE_GTPU) {
		if (!f->gtpu) {
			f->gtpu = true;
			f->outer_src = addr_external(AF_INET);
			f->outer_dst = addr_external(AF_INET);
			f->gtp_type = 255;
			f->gtp_flags = 0;
			f->gtp_ext = 0;
		}
		return;
	}
	f->gtpu = false;
	if (h->ref != SG_REF_UPLINK)
		f->n_tags = 0;
}

/* h, an egress hook, for a packet that entered at from (NULL: the host). */
static struct hook entered_at(const struct hook *h, const struct hook *from)
{
	struct hook e = *h;

	e.in_ifindex = from ? from->ifindex : 0;
	e.in_kind = !from ? SG_REF_IFACE_HOST :
		    from->ref == SG_REF_UPLINK ? SG_REF_IFACE_UPLINK :
						 SG_REF_IFACE_APP;
	e.in_app = from && from->ref != SG_REF_UPLINK ? from->app_id : 0;
	return e;
}

/*
 * h, an egress hook, for a packet that entered anywhere: an uplink, an
 * app's interface, the host itself (0), an interface outside the policy
 * (another veth, loopback, one that does not exist).
 */
static struct hook entered_anywhere(const struct hooks *hk,
				    const struct hook *h)
{
	struct hook e;

	switch (rnd(5)) {
	case 0:
		return entered_at(h, &hk->uplink[rnd(N_UPLINK_IFACES)]);
	case 1:
		if (hk->n_apps)
			return entered_at(h, &hk->app_in[rnd(hk->n_apps)]);
		return entered_at(h, NULL);
	case 2:
		return entered_at(h, NULL);
	default:
		e = entered_at(h, NULL);
		e.in_kind = SG_REF_IFACE_NONE;
		if (hk->n_outside && chance(70))
			e.in_ifindex = hk->outside[rnd(hk->n_outside)];
		else
			e.in_ifindex = chance(50) ? 1 : 0x7fff0000 + (int)rnd(1000);
		return e;
	}
}

/*
 * h for a packet from src: at the egress hooks, pct percent of the time
 * entered where src lives (the host itself for the host's, its app's
 * interface, an uplink for a UE), else anywhere. Other hooks are what
 * they are.
 */
static struct hook with_entry(const struct sg_policy *pol,
			      const struct hooks *hk, const struct hook *h,
			      const struct addr *src, unsigned int pct)
{
	int ai;

	if (!is_egress(h->ref))
		return *h;
	if (!chance(pct))
		return entered_anywhere(hk, h);
	/* The host's addresses come first: the gateway in an app's subnet too. */
	if (host_holds(src))
		return entered_at(h, NULL);
	ai = app_of_addr(pol, src);
	if (ai >= 0 && (unsigned int)ai < hk->n_apps)
		return entered_at(h, &hk->app_in[ai]);
	if (slice_of_addr(pol, src))
		return entered_at(h, &hk->uplink[rnd(N_UPLINK_IFACES)]);
	return entered_anywhere(hk, h);
}

/* A packet that makes sense at hook h, before any mutation. */
static void random_flow(const struct sg_policy *pol, const struct hook *h,
			struct flowspec *f)
{
	uint8_t fam = chance(70) ? AF_INET : AF_INET6;
	const struct sg_endpoint *ep = NULL;

	memset(f, 0, sizeof(*f));
	if (h->ref == SG_REF_UPLINK) {
		f->src = pick_addr(pol, chance(85) ? A_UE : A_ANY, fam, NULL);
		f->dst = pick_addr(pol, A_ANY, fam, NULL);
	} else if (h->ref == SG_REF_APP_INGRESS) {
		const struct sg_app *a = sg_policy_app_by_id(pol, h->app_id);
		struct addr gw;

		f->src = chance(85) ? app_addr(a, fam, &ep) :
				      pick_addr(pol, A_ANY, fam, NULL);
		/* The host's address inside the app's own endpoint (its gateway). */
		if (chance(5) && host_inside(&a->endpoints[rnd(a->n_endpoints)].prefix, &gw))
			f->src = gw;
		f->dst = pick_addr(pol, A_ANY, fam, NULL);
	} else if (h->ref == SG_REF_UPLINK_EGRESS) {
		/* Mostly toward UEs, which nothing else guards; from anyone. */
		f->dst = pick_addr(pol, chance(60) ? A_UE : A_ANY, fam, NULL);
		f->src = pick_addr(pol, chance(25) ? A_HOST : A_ANY, fam, NULL);
	} else {
		const struct sg_app *a = sg_policy_app_by_id(pol, h->app_id);

		f->dst = chance(85) ? app_addr(a, fam, &ep) :
				      pick_addr(pol, A_ANY, fam, NULL);
		f->src = pick_addr(pol, A_ANY, fam, NULL);
	}
	random_transport(pol, f);
	if (h->ref == SG_REF_APP_EGRESS && ep && chance(60)) {
		if (ep->proto)
			f->proto = ep->proto;
		f->dport = port_in(ep->port_first, ep->port_last);
	}
	if (f->src.family == AF_INET6 && chance(15)) {
		static const uint8_t types[] = {
			IPPROTO_HOPOPTS, IPPROTO_ROUTING, IPPROTO_DSTOPTS,
			IPPROTO_AH, IPPROTO_FRAGMENT,
		};
		int i;

		f->n_ext = 1 + (int)rnd(8);
		for (i = 0; i < f->n_ext; i++)
			f->ext[i] = types[rnd(5)];
	}
	if (h->ref == SG_REF_UPLINK)
		decorate_uplink(pol, f, slice_of_addr(pol, &f->src));
	else if (chance(5))
		f->n_tags = 1, f->vid = (uint16_t)rnd(4096), f->tpid = 0x8100;
	if (chance(4))
		f->n_tags = 2 + (int)rnd(2), f->tpid = chance(50) ? 0x88a8 : 0x8100;
	/*
	 * GTP-U on gtpu uplinks; on the way out of one half the time too (a
	 * UPF's tunnels, never decapsulated there).
	 */
	if (h->mode == SLICEGUARD_UPLINK_MODE_GTPU &&
	    ((h->ref == SG_REF_UPLINK && chance(95)) ||
	     (h->ref == SG_REF_UPLINK_EGRESS && chance(50)))) {
		static const uint8_t ctl[] = { 1, 2, 26, 254, 31 };

		f->gtpu = true;
		f->outer_src = addr_external(chance(85) ? AF_INET : AF_INET6);
		/* Issue 7, 2: a UE's, an app's or the host's address as the tunnel's. */
		if (chance(8))
			f->outer_src = pick_addr(pol, chance(40) ? A_UE :
						      chance(50) ? A_APP : A_HOST,
						 f->outer_src.family, NULL);
		/* The UPF's own address, now and then. */
		f->outer_dst = pick_addr(pol, chance(20) ? A_HOST : A_EXTERNAL,
					 f->outer_src.family, NULL);
		f->gtp_flags = chance(60) ? 0 : (uint8_t)rnd(4);
		f->gtp_ext = chance(80) ? 0 : (int)rnd(6);
		f->gtp_bad_ext_len = chance(5);
		f->gtp_type = chance(92) ? 255 : ctl[rnd(5)];
	}
}

/* Offset of the (outer) IP header in a frame built for f. */
static size_t ip_offset(const struct flowspec *f)
{
	return 14 + 4 * (size_t)f->n_tags;
}

/* Damage the frame the way a fuzzer or an attacker would. */
static void mutate(struct buf *b, const struct flowspec *f)
{
	size_t l3 = ip_offset(f);
	int n;

	switch (rnd(7)) {
	case 0:		/* byte flips, mostly in the headers */
		for (n = 1 + (int)rnd(3); n > 0; n--) {
			size_t span = b->len < 96 ? b->len : 96;
			size_t pos = chance(80) ? rnd((uint32_t)span) :
						  rnd((uint32_t)b->len);

			b->d[pos] ^= (uint8_t)(1 + rnd(255));
		}
		break;
	case 1:		/* truncation anywhere after Ethernet */
		if (b->len > 14)
			b->len = 14 + rnd((uint32_t)(b->len - 14));
		break;
	case 2:		/* IP length field lies */
		if (l3 + 6 > b->len)
			break;
		if (b->d[l3] >> 4 == 4)
			set16(b->d + l3 + 2, chance(50) ?
			      (uint16_t)(b->len - l3 + 1 + rnd(40)) :
			      (uint16_t)rnd(40));
		else
			set16(b->d + l3 + 4, chance(50) ?
			      (uint16_t)(b->len - l3 - 40 + 1 + rnd(40)) :
			      (uint16_t)rnd(40));
		break;
	case 3:		/* IPv4 IHL lies */
		if (l3 < b->len && b->d[l3] >> 4 == 4)
			b->d[l3] = (uint8_t)(0x40 | rnd(16));
		break;
	case 4:		/* an extra VLAN tag in front */
		if (b->len + 4 <= MAX_PKT) {
			memmove(b->d + 16, b->d + 12, b->len - 12);
			set16(b->d + 12, chance(50) ? 0x8100 : 0x88a8);
			set16(b->d + 14, (uint16_t)rnd(4096));
			b->len += 4;
		}
		break;
	case 5:		/* fragment bits of the outer IPv4 header */
		if (l3 + 8 <= b->len && b->d[l3] >> 4 == 4)
			set16(b->d + l3 + 6, (uint16_t)rnd(65536));
		break;
	default:	/* GTP-U length lies */
		if (f->gtpu) {
			size_t g = l3 + (f->outer_src.family == AF_INET ? 20 : 40) + 8;

			if (g + 4 <= b->len)
				set16(b->d + g + 2, (uint16_t)(chance(50) ?
				      rnd(16) : b->len - g - 8 + 1 + rnd(40)));
		}
		break;
	}
}

static void send_flow(struct run *run, const struct hook *h,
		      const struct flowspec *f, unsigned int mutate_pct)
{
	struct buf b = { .len = 0 };

	build_frame(&b, f);
	if (chance(mutate_pct)) {
		mutate(&b, f);
	} else {
		run->host_use = host_use(run->pol, h, f);
		if (h->ref == SG_REF_UPLINK_EGRESS)
			run->egress_use = egress_use(run->pol, h, f);
	}
	check_packet(run, h, b.d, b.len);
}

/* Non-IP frames: ARP, unknown ethertypes, VLAN stacks of non-IP. */
static void send_non_ip(struct run *run, const struct hook *h)
{
	static const uint16_t types[] = { 0x0806, 0x88cc, 0x8847, 0x0842, 0x9000 };
	struct flowspec f = { .tpid = 0x8100 };
	struct buf b = { .len = 0 };

	f.n_tags = chance(20) ? (int)rnd(3) : 0;
	f.vid = (uint16_t)rnd(4096);
	build_eth(&b, &f, types[rnd(5)]);
	put_random(&b, rnd(60));
	check_packet(run, h, b.d, b.len);
}

/*
 * Where a packet from src to dst is seen first: the host's toward an app at
 * that app's egress, toward anything else but itself mostly at an uplink's
 * egress, sent by the host (now and then claiming to come in on an
 * uplink); an app's at its ingress, else an uplink.
 */
static struct hook sender_hook(const struct run *run, const struct hooks *hk,
			       const struct addr *src, const struct addr *dst)
{
	int i;

	if (host_holds(src)) {
		i = app_of_addr(run->pol, dst);
		if (i >= 0)
			return entered_at(&hk->app_out[i], NULL);
		if (!host_holds(dst) && chance(85))
			return entered_at(uplink_out(hk), NULL);
	}
	i = app_of_addr(run->pol, src);
	if (i >= 0)
		return hk->app_in[i];
	return hk->uplink[chance(60) ? 0 : 1];
}

/*
 * Someone other than who e was meant to come from sends it: an app from its
 * own interface, or a UE of some slice or an outside address on an uplink
 * with the decoration of the slice it names. Returns the sender's hook.
 */
static const struct hook *other_sender(const struct run *run,
				       const struct hooks *hk,
				       struct flowspec *e)
{
	const struct sg_policy *pol = run->pol;
	const struct sg_slice *s;
	const struct hook *h;
	uint8_t fam = e->src.family;

	e->gtpu = false;
	e->n_tags = 0;
	if (hk->n_apps && chance(40)) {
		unsigned int i = rnd(hk->n_apps);
		const struct sg_endpoint *ep;
		struct addr a = app_addr(&pol->apps[i], fam, &ep);

		if (ep) {
			e->src = a;
			return &hk->app_in[i];
		}
	}
	e->src = pick_addr(pol, chance(70) ? A_UE : A_EXTERNAL, fam, NULL);
	h = &hk->uplink[rnd(N_UPLINK_IFACES)];
	s = slice_of_addr(pol, &e->src);
	decorate_honest(pol, e, s ? s : &pol->slices[rnd(pol->n_slices)]);
	fit_encap(h, e);
	return h;
}

/*
 * Where a packet to dst, seen at from (an uplink or an app's ingress),
 * leaves the host: the egress of the app dst belongs to, else mostly an
 * uplink's egress (toward a UE or beyond; the host's own addresses are
 * delivered locally, unseen); mostly entered through from, sometimes
 * through anything else. False: nowhere the data path sees it.
 */
static bool way_out(const struct run *run, const struct hooks *hk,
		    const struct hook *from, const struct addr *dst,
		    struct hook *out)
{
	int di = app_of_addr(run->pol, dst);
	const struct hook *to;

	if (di >= 0)
		to = &hk->app_out[di];
	else if (!host_holds(dst) && chance(70))
		to = uplink_out(hk);
	else
		return false;
	*out = chance(90) ? entered_at(to, from) : entered_anywhere(hk, to);
	return true;
}

/* f, sent at from, on its way out of the host (way_out()). */
static void deliver(struct run *run, const struct hooks *hk,
		    const struct hook *from, const struct flowspec *f)
{
	struct flowspec d = *f;
	struct hook eh;

	if (!way_out(run, hk, from, &f->dst, &eh))
		return;
	d.n_tags = 0;
	d.gtpu = false;
	send_flow(run, &eh, &d, 0);
}

/*
 * The 5-tuple of f (just sent at h, maybe stored as a flow) under another
 * identity (issue 7, 5): on an uplink with another slice's VLAN or TEID,
 * untagged, priority-tagged or an unknown VID; with f's decoration on the
 * other uplink or from an app's interface (an app's source on an uplink
 * when f came from an app); or delivered to an app through an interface
 * its source does not live behind, or out of an uplink so.
 */
static void send_impostor(struct run *run, const struct hooks *hk,
			  const struct hook *h, const struct flowspec *f0)
{
	const struct sg_policy *pol = run->pol;
	const struct sg_slice *o = &pol->slices[rnd(pol->n_slices)];
	struct flowspec f = *f0;
	struct hook ih = *h;
	int ai;

	switch (rnd(4)) {
	case 0:
		if (h->ref != SG_REF_UPLINK)
			ih = hk->uplink[rnd(N_UPLINK_IFACES)];
		decorate_honest(pol, &f, o);
		if (chance(30)) {
			f.n_tags = chance(30) ? 0 : 1;
			f.vid = chance(50) ? 0 : (uint16_t)(4000 + rnd(95));
		}
		if (chance(20))
			f.teid = unknown_teid();
		fit_encap(&ih, &f);
		break;
	case 1:
		if (h->ref == SG_REF_UPLINK && chance(60))
			ih = hk->uplink[h->ifindex == hk->uplink[0].ifindex ? 1 : 0];
		else if (h->ref != SG_REF_UPLINK && chance(50))
			ih = hk->uplink[rnd(N_UPLINK_IFACES)];
		else
			ih = hk->app_in[rnd(hk->n_apps)];
		if (ih.ref == SG_REF_UPLINK && h->ref != SG_REF_UPLINK)
			decorate_uplink(pol, &f, slice_of_addr(pol, &f.src));
		fit_encap(&ih, &f);
		break;
	default:
		ai = app_of_addr(pol, &f.dst);
		if ((ai < 0 || (unsigned int)ai >= hk->n_apps) && chance(50)) {
			ih = entered_anywhere(hk, uplink_out(hk));
		} else {
			if (ai < 0 || (unsigned int)ai >= hk->n_apps)
				ai = (int)rnd(hk->n_apps);
			ih = entered_anywhere(hk, &hk->app_out[ai]);
		}
		f.n_tags = 0;
		f.gtpu = false;
	}
	if (f.n_tags > 1)
		f.n_tags = 1;
	send_flow(run, &ih, &f, 0);
}

/*
 * An ICMP error about packet q (sent by q's source), built as e: mostly a
 * real error type quoting q's IP header and 8 or more transport bytes, sent
 * back to q's source; sometimes a truncated quote, a quote of another
 * packet (its source not the error's destination, or other ports), a
 * non-error type, or a fragment; sometimes sent by someone else than q's
 * far end (issue 7, 5), or padded up to or over the size an error may
 * have. Delivered on h and on its way out (way_out()). Toward an app often
 * sent by the host instead, a router on the path of every flow to an app:
 * from one of its addresses (now and then from another one), at the app's
 * egress, entered from the host itself (now and then elsewhere); toward
 * anything else but the host likewise at an uplink's egress.
 */
static void send_icmp_error(struct run *run, const struct hooks *hk,
			    const struct hook *h, struct flowspec e,
			    const struct flowspec *q)
{
	static const uint8_t t4[] = { 3, 11, 12, 3, 5, 0 };
	static const uint8_t t6[] = { 1, 2, 3, 4, 2, 128, 135 };
	struct flowspec qq = *q;
	struct buf qb = { .len = 0 }, b = { .len = 0 };
	size_t qhdr = q->src.family == AF_INET ? 20 : 40;
	bool v4 = e.src.family == AF_INET;
	struct hook eh;
	int ai;

	qq.n_ext = 0;
	if (chance(10)) {
		qq.sport ^= (uint16_t)(1 + rnd(65535));
		qq.icmp_id ^= (uint16_t)(1 + rnd(65535));
	}
	if (chance(10))
		qq.src = addr_external(qq.src.family);
	if (chance(10)) {
		/* The flow's packet the other way: not one the error's destination sent. */
		qq.src = q->dst;
		qq.dst = q->src;
		qq.sport = q->dport;
		qq.dport = q->sport;
	}
	build_ip(&qb, &qq);
	e.proto = v4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	e.icmp_type = v4 ? t4[rnd(chance(85) ? 3 : 6)] : t6[rnd(chance(85) ? 4 : 7)];
	e.quote = qb.d;
	/* Whole quotes when qb holds more than a header and 8 bytes. */
	e.quote_len = chance(85) && qb.len > qhdr + 8 ? qhdr + 8 + rnd(qb.len - qhdr - 7) :
							rnd(qhdr + 8);
	if (e.quote_len > qb.len)
		e.quote_len = qb.len;
	e.payload = 0;
	e.n_ext = 0;
	ai = app_of_addr(run->pol, &e.dst);
	if ((ai >= 0 || !host_holds(&e.dst)) && chance(40)) {
		const struct hook *to = ai >= 0 ? &hk->app_out[ai] : uplink_out(hk);

		e.src = pick_addr(run->pol, chance(85) ? A_HOST : A_EXTERNAL,
				  e.src.family, NULL);
		e.n_tags = 0;
		e.gtpu = false;
		eh = chance(85) ? entered_at(to, NULL) : entered_anywhere(hk, to);
		h = &eh;
	} else if (chance(20)) {
		e.src = addr_external(e.src.family);
	} else if (chance(12)) {
		h = other_sender(run, hk, &e);
	}
	if (chance(12)) {
		/* Issue 7, 5: errors around and over the size cap. */
		size_t cap = v4 ? 576 : 1280, total;
		size_t have = (v4 ? 20 : 40) + 8 + e.quote_len;

		total = chance(40) ? cap - rnd(4) : cap + 1 + rnd(chance(50) ? 4 : 200);
		e.quote_pad = total > have ? total - have : 0;
	}
	build_frame(&b, &e);
	run->host_use = host_use(run->pol, h, &e);
	if (h->ref == SG_REF_UPLINK_EGRESS)
		run->egress_use = egress_use(run->pol, h, &e);
	check_packet(run, h, b.d, b.len);
	if (!is_egress(h->ref) && way_out(run, hk, h, &e.dst, &eh)) {
		e.n_tags = 0;
		e.gtpu = false;
		b.len = 0;
		build_frame(&b, &e);
		run->host_use = host_use(run->pol, &eh, &e);
		if (eh.ref == SG_REF_UPLINK_EGRESS)
			run->egress_use = egress_use(run->pol, &eh, &e);
		check_packet(run, &eh, b.d, b.len);
	}
}

/*
 * A conversation: a packet, its delivery to the destination app, the
 * answer (sometimes a responder trying to open its own flow), the answer's
 * delivery, and the next packet of the flow.
 */
/*
 * A packet some rule of the policy allows, most of the time: from the
 * rule's source (a UE of its slice on an uplink, its app's interface, the
 * host at the destination app's egress or, toward a slice, at an uplink's
 * egress) to its destination, proto and a port of its range. *h receives
 * the hook.
 */
static bool rule_flow(const struct sg_policy *pol, const struct hooks *hk,
		      const struct hook **h, struct flowspec *f)
{
	const struct sg_rule *r;
	const struct sg_endpoint *ep = NULL;
	uint32_t unused;
	uint8_t fam;
	int i;

	if (!pol->n_rules)
		return false;
	r = &pol->rules[rnd(pol->n_rules)];
	memset(f, 0, sizeof(*f));
	fam = chance(75) ? AF_INET : AF_INET6;
	if (r->src_kind == SLICEGUARD_PEER_APP) {
		i = app_index_of(pol, r->src_id);
		*h = &hk->app_in[i];
		f->src = app_addr(&pol->apps[i], fam, &ep);
		if (!ep)
			return false;
	} else if (r->src_kind == SLICEGUARD_PEER_HOST) {
		/* Seen where it leaves the host toward the app or the slice. */
		*h = r->dst_kind == SLICEGUARD_PEER_APP ?
		     &hk->app_out[app_index_of(pol, r->dst_id)] : uplink_out(hk);
		f->src = pick_addr(pol, A_HOST, fam, NULL);
	} else {
		const struct sg_slice *s = sg_policy_slice_by_id(pol, r->src_id);
		unsigned int k;

		*h = &hk->uplink[chance(60) ? 0 : 1];
		f->src = addr_external(fam);
		for (k = 0; k < s->n_ue_prefixes; k++)
			if (s->ue_prefixes[k].family == fam)
				f->src = addr_in(&s->ue_prefixes[k]);
	}
	if (r->dst_kind == SLICEGUARD_PEER_APP) {
		i = app_index_of(pol, r->dst_id);
		f->dst = app_addr(&pol->apps[i], fam, &ep);
	} else if (r->dst_kind == SLICEGUARD_PEER_SLICE) {
		const struct sg_slice *s = sg_policy_slice_by_id(pol, r->dst_id);
		unsigned int k;

		ep = NULL;
		f->dst = addr_external(fam);
		for (k = 0; k < s->n_ue_prefixes; k++)
			if (s->ue_prefixes[k].family == fam)
				f->dst = addr_in(&s->ue_prefixes[k]);
	} else {
		ep = NULL;
		f->dst = pick_addr(pol, r->dst_kind == SLICEGUARD_PEER_HOST ?
					A_HOST : A_EXTERNAL, fam, &unused);
	}
	random_transport(pol, f);
	f->proto = r->proto ? r->proto : ep && ep->proto ? ep->proto : f->proto;
	if (f->proto == IPPROTO_ICMP || f->proto == IPPROTO_ICMPV6)
		f->icmp_type = f->proto == IPPROTO_ICMP ? 8 : 128;
	f->dport = ep && chance(50) ? port_in(ep->port_first, ep->port_last) :
				      port_in(r->port_first, r->port_last);
	f->hop_limit = 64;
	if ((*h)->ref == SG_REF_UPLINK) {
		const struct sg_slice *s = sg_policy_slice_by_id(pol, r->src_id);

		if (chance(80))
			decorate_honest(pol, f, s);
		else
			decorate_uplink(pol, f, s);
		if ((*h)->mode == SLICEGUARD_UPLINK_MODE_GTPU) {
			f->gtpu = true;
			f->outer_src = addr_external(AF_INET);
			f->outer_dst = addr_external(AF_INET);
			f->gtp_type = 255;
		}
	}
	return true;
}

static void send_conversation(struct run *run, const struct hooks *hk,
			      bool by_rule)
{
	const struct hook *h = random_hook(hk);
	struct flowspec f, r;
	struct hook hh, rh;

	if (!by_rule || !rule_flow(run->pol, hk, &h, &f))
		random_flow(run->pol, h, &f);
	f.n_tags = h->ref == SG_REF_UPLINK ? f.n_tags : 0;
	if (f.n_tags > 1)
		f.n_tags = 1;
	if (f.proto == IPPROTO_TCP)
		f.tcp_flags = 0x02;
	if (f.src.family == AF_INET && f.proto == IPPROTO_ICMP)
		f.icmp_type = 8;
	if (f.src.family == AF_INET6 && f.proto == IPPROTO_ICMPV6)
		f.icmp_type = 128;
	f.gtp_type = 255;
	f.gtp_ext = 0;
	f.n_ext = 0;
	hh = with_entry(run->pol, hk, h, &f.src, 85);
	send_flow(run, &hh, &f, 0);
	if (!is_egress(h->ref))
		deliver(run, hk, h, &f);
	if (chance(15))
		send_impostor(run, hk, &hh, &f);

	r = f;
	r.src = f.dst;
	r.dst = f.src;
	r.sport = f.dport;
	r.dport = f.sport;
	r.tcp_flags = chance(20) ? 0x02 : chance(50) ? 0x12 : 0x10;
	if (f.proto == IPPROTO_ICMP || f.proto == IPPROTO_ICMPV6)
		r.icmp_type = chance(80) ? (f.src.family == AF_INET ? 0 : 129) :
					   r.icmp_type;
	r.n_tags = 0;
	r.gtpu = false;
	rh = sender_hook(run, hk, &r.src, &r.dst);
	if (rh.ref == SG_REF_UPLINK) {
		const struct sg_slice *s = slice_of_addr(run->pol, &r.src);

		if (chance(80))
			decorate_honest(run->pol, &r, s);
		else
			decorate_uplink(run->pol, &r, s);
		r.n_tags = r.n_tags > 1 ? 1 : r.n_tags;
		if (rh.mode == SLICEGUARD_UPLINK_MODE_GTPU) {
			r.gtpu = true;
			r.outer_src = addr_external(AF_INET);
			r.outer_dst = addr_external(AF_INET);
			r.gtp_flags = 0;
		}
	}
	/* An error about f on its way back, or about r toward the other end. */
	if (chance(25))
		send_icmp_error(run, hk, &rh, r, &f);
	send_flow(run, &rh, &r, 0);
	if (chance(25))
		send_icmp_error(run, hk, &hh, f, &r);
	if (!is_egress(rh.ref))
		deliver(run, hk, &rh, &r);
	if (chance(10))
		send_impostor(run, hk, &rh, &r);
	if (chance(50)) {
		f.tcp_flags = 0x10;
		send_flow(run, &hh, &f, 0);
	}
}

/* f moved to hook h with another identity, for a non-first fragment. */
static struct hook other_identity(const struct run *run, const struct hooks *hk,
				  const struct hook *h, struct flowspec *f)
{
	const struct sg_policy *pol = run->pol;
	const struct sg_slice *o = &pol->slices[rnd(pol->n_slices)];
	struct hook oh = *h;

	/*
	 * Another slice without UE prefixes, when there is one: a source of
	 * no pool is then classified by the tags alone, as that slice.
	 */
	if (chance(50)) {
		unsigned int i, start = rnd(pol->n_slices);

		for (i = 0; i < pol->n_slices; i++) {
			const struct sg_slice *c =
				&pol->slices[(start + i) % pol->n_slices];

			if (!c->n_ue_prefixes && (c->n_vlans || c->n_teid_ranges)) {
				o = c;
				break;
			}
		}
	}
	switch (rnd(5)) {
	case 4:		/* the same app's interface, the other way */
		if (h->ref == SG_REF_APP_INGRESS) {
			oh = entered_at(&hk->app_out[app_index_of(pol, h->app_id)], h);
			break;
		}
		if (h->ref == SG_REF_APP_EGRESS) {
			oh = hk->app_in[app_index_of(pol, h->app_id)];
			break;
		}
		/* fall through */
	case 0:		/* another VLAN: another slice's, unknown, none */
		f->n_tags = chance(25) ? 0 : 1;
		f->tpid = 0x8100;
		f->vid = o->n_vlans && chance(60) ? o->vlans[rnd(o->n_vlans)] :
			 chance(30) ? 0 : (uint16_t)(4000 + rnd(95));
		break;
	case 1:		/* another TEID: another slice's or unknown */
		if (o->n_teid_ranges && chance(60))
			f->teid = o->teid_ranges[0].first;
		else
			f->teid = unknown_teid();
		if (o->n_vlans && chance(50)) {
			f->n_tags = 1;
			f->vid = o->vlans[0];
		}
		break;
	case 2:		/* another interface of the same kind */
		if (h->ref == SG_REF_UPLINK)
			oh = hk->uplink[h->ifindex == hk->uplink[0].ifindex ? 1 : 0];
		else if (h->ref == SG_REF_APP_INGRESS)
			oh = hk->app_in[rnd(hk->n_apps)];
		else if (h->ref == SG_REF_UPLINK_EGRESS)
			oh = with_entry(pol, hk, &hk->uplink_out[h->ifindex ==
					hk->uplink[0].ifindex ? 1 : 0], &f->src, 70);
		else
			oh = with_entry(pol, hk, &hk->app_out[rnd(hk->n_apps)],
					&f->src, 70);
		fit_encap(&oh, f);
		break;
	default:	/* egress hooks: entered elsewhere; else another hook */
		if (is_egress(h->ref))
			oh = entered_anywhere(hk, h);
		else
			oh = h->ref == SG_REF_UPLINK ?
			     hk->app_in[rnd(hk->n_apps)] :
			     hk->uplink[rnd(N_UPLINK_IFACES)];
		fit_encap(&oh, f);
	}
	return oh;
}

/* A fragment b of f at h; at uplink egress, of what sort (egress_use()). */
static void check_fragment(struct run *run, const struct hook *h,
			   const struct flowspec *f, const struct buf *b,
			   bool first)
{
	if (h->ref == SG_REF_UPLINK_EGRESS)
		run->egress_use = (egress_use(run->pol, h, f) |
				   (first ? 0 : EG_FRAG)) &
				  ~(EG_ND | EG_ND_LINK | EG_ND_UNICAST);
	check_packet(run, h, b->d, b->len);
}

/*
 * One datagram cut into fragments: sometimes with a tiny first fragment,
 * sometimes without it, an overlapping second one, or a stranger's
 * non-first fragment mixed in. Issue 7, 6: the datagram is often one a
 * rule allows (so that its first fragment passes and stores a verdict);
 * IPv6 fragments carry extension headers after the fragment header (part
 * of what a second fragment must not overlap), now and then a second
 * fragment header after or before it (an atomic one too); non-first
 * fragments come also under another VLAN, TEID, interface or entry. Now
 * and then each piece is seen again on its way out of the host (an app's
 * or an uplink's egress), where its state is kept apart.
 */
static void send_fragments(struct run *run, const struct hooks *hk)
{
	static const uint8_t after[] = {
		IPPROTO_DSTOPTS, IPPROTO_DSTOPTS, IPPROTO_ROUTING,
		IPPROTO_HOPOPTS, IPPROTO_AH, IPPROTO_FRAGMENT,
	};
	const struct hook *h0 = random_hook(hk);
	struct buf l4 = { .len = 0 }, body = { .len = 0 }, pre = { .len = 0 };
	uint32_t id = (uint32_t)rnd64();
	uint8_t first_nh, pre_type = 0;
	size_t cut, off;
	struct flowspec f, out;
	struct hook h, oh;
	bool v6, skip_first = chance(10), relay;
	int piece;

	if (!chance(50) || !rule_flow(run->pol, hk, &h0, &f))
		random_flow(run->pol, h0, &f);
	f.n_ext = 0;
	f.gtp_ext = 0;
	f.gtp_type = 255;
	if (h0->ref != SG_REF_UPLINK)
		f.n_tags = 0;
	if (f.n_tags > 1)
		f.n_tags = 1;
	f.payload = 8 + rnd(120);
	v6 = f.src.family == AF_INET6;
	if (f.proto != IPPROTO_TCP && f.proto != IPPROTO_UDP && chance(50))
		f.proto = IPPROTO_UDP;
	h = with_entry(run->pol, hk, h0, &f.src, 85);
	relay = !is_egress(h.ref) && chance(40) && way_out(run, hk, &h, &f.dst, &oh);
	out = f;
	out.n_tags = 0;
	out.gtpu = false;
	build_l4(&l4, &f);
	first_nh = f.proto;
	if (v6 && chance(30)) {
		uint8_t t0 = after[rnd(chance(80) ? 5 : 6)];
		uint8_t t1 = after[rnd(6)];

		first_nh = t0;
		if (chance(30)) {
			build_ext(&body, t0, t1);
			build_ext(&body, t1, f.proto);
		} else {
			build_ext(&body, t0, f.proto);
		}
	}
	put(&body, l4.d, l4.len);
	/*
	 * Before the fragment header: mostly nothing, now and then a
	 * destination options header or an atomic fragment header.
	 */
	if (v6 && chance(8)) {
		pre_type = chance(50) ? IPPROTO_FRAGMENT : IPPROTO_DSTOPTS;
		build_ext(&pre, pre_type, IPPROTO_FRAGMENT);
	}

	/* First cut: usually after the transport header, sometimes inside. */
	cut = chance(15) ? 8 : (8 * (1 + rnd((uint32_t)(body.len / 8))));
	if (cut >= body.len)
		cut = body.len > 8 ? 8 * ((body.len - 1) / 8) : 8;
	for (piece = 0, off = 0; off < body.len; piece++) {
		size_t end = piece == 0 ? cut : body.len;
		struct buf ip = { .len = 0 }, b = { .len = 0 };
		size_t real_off = off;
		bool more, other = false, real_too = false;
		struct flowspec pf = f;
		struct hook ph = h;

		if (end > body.len)
			end = body.len;
		/* A second fragment that overlaps the transport header. */
		if (piece == 1 && chance(10))
			real_off = 8;
		more = end < body.len;
		/*
		 * A non-first fragment under another identity, then mostly
		 * the real one too.
		 */
		if (piece > 0 && chance(20)) {
			ph = other_identity(run, hk, &h, &pf);
			other = true;
			real_too = chance(60);
		}
		if (!(piece == 0 && skip_first)) {
			if (!v6) {
				build_ip_hdr(&ip, &pf, f.proto, end - off,
					     (uint16_t)((more ? 0x2000 : 0) |
							real_off / 8), (uint16_t)id);
			} else {
				build_ip_hdr(&ip, &pf, pre.len ? pre_type :
								  IPPROTO_FRAGMENT,
					     pre.len + 8 + end - off, 0, 0);
				put(&ip, pre.d, pre.len);
				put8(&ip, first_nh);
				put8(&ip, 0);
				put16(&ip, (uint16_t)(real_off | (more ? 1 : 0)));
				put32(&ip, id);
			}
			put(&ip, body.d + off, end - off);
			wrap_frame(&b, &pf, &ip);
			check_fragment(run, &ph, &pf, &b, piece == 0);
			if (real_too) {
				b.len = 0;
				wrap_frame(&b, &f, &ip);
				check_fragment(run, &h, &f, &b, piece == 0);
			}
			if (relay && (!other || real_too)) {
				b.len = 0;
				wrap_frame(&b, &out, &ip);
				check_fragment(run, &oh, &out, &b, piece == 0);
			}
		}
		off = end;
		if (chance(10)) {
			/* A non-first fragment of an unknown datagram. */
			struct buf sip = { .len = 0 }, sb = { .len = 0 };

			if (!v6) {
				build_ip_hdr(&sip, &f, f.proto, 16,
					     (uint16_t)(1 + rnd(100)),
					     (uint16_t)(id + 1));
			} else {
				build_ip_hdr(&sip, &f, IPPROTO_FRAGMENT, 24, 0, 0);
				put8(&sip, f.proto);
				put8(&sip, 0);
				put16(&sip, (uint16_t)(8 * (1 + rnd(100))));
				put32(&sip, id + 1);
			}
			put_random(&sip, 16);
			wrap_frame(&sb, &f, &sip);
			check_fragment(run, &h, &f, &sb, false);
		}
	}
}

/*
 * An address of the link: @which 0 a link-local host (now and then a
 * site-local one, which is not), 1 the unspecified address, 2 all nodes or
 * a solicited-node group.
 */
static struct addr addr_link(int which)
{
	struct addr a = { .family = AF_INET6 };
	unsigned int i;

	switch (which) {
	case 0:		/* link-local (now and then site-local fec0::/10, which is not) */
		a.a[0] = 0xfe;
		a.a[1] = (chance(8) ? 0xc0 : 0x80) | (uint8_t)(chance(20) ? rnd(64) : 0);
		for (i = 8; i < 16; i++)
			a.a[i] = (uint8_t)rnd(256);
		break;
	case 1:		/* unspecified */
		break;
	default:	/* multicast: all nodes, or a solicited-node group */
		a.a[0] = 0xff;
		a.a[1] = 0x02;
		if (chance(50)) {
			a.a[15] = 1;
		} else {
			a.a[11] = 1;
			a.a[12] = 0xff;
			for (i = 13; i < 16; i++)
				a.a[i] = (uint8_t)rnd(256);
		}
	}
	return a;
}

/*
 * Neighbour discovery (issue 7, 4) at every hook, inside GTP-U on gtpu
 * uplinks: from a link-local, the unspecified, a UE's, an app's (the
 * sending app's own at its ingress, mostly), the host's or an outside
 * address, to a link-local, multicast, UE, app (the receiving app's own at
 * its egress, mostly), the host's or outside destination; decorated for
 * some slice on uplinks. On the way out of an uplink mostly the host's own
 * (sent by the host), also from elsewhere.
 * Now and then with a hop limit other than 255, a destination options
 * header or an atomic fragment header in front (still ND).
 */
static void send_nd(struct run *run, const struct hooks *hk)
{
	const struct sg_policy *pol = run->pol;
	const struct hook *h = random_hook(hk);
	const struct sg_endpoint *ep;
	const struct sg_slice *s;
	struct flowspec f;
	struct hook hh;
	struct addr a;

	memset(&f, 0, sizeof(f));
	f.proto = IPPROTO_ICMPV6;
	f.icmp_type = (uint8_t)(133 + rnd(5));
	f.hop_limit = chance(90) ? 255 : 64;
	f.payload = chance(50) ? 16 : rnd(24);
	switch (h->ref == SG_REF_UPLINK_EGRESS && chance(30) ? 6 : rnd(7)) {
	case 0:
	case 1:
		f.src = addr_link(0);
		break;
	case 2:
		f.src = addr_link(1);
		break;
	case 6:
		f.src = pick_addr(pol, A_HOST, AF_INET6, NULL);
		break;
	case 3:
		f.src = pick_addr(pol, A_UE, AF_INET6, NULL);
		break;
	case 4:
		f.src = pick_addr(pol, A_APP, AF_INET6, NULL);
		if (h->ref == SG_REF_APP_INGRESS && chance(70)) {
			a = app_addr(sg_policy_app_by_id(pol, h->app_id),
				     AF_INET6, &ep);
			if (ep)
				f.src = a;
		}
		break;
	default:
		f.src = addr_external(AF_INET6);
	}
	switch (rnd(7)) {
	case 0:
		f.dst = addr_link(0);
		break;
	case 1:
		f.dst = addr_link(2);
		break;
	case 6:
		f.dst = pick_addr(pol, A_HOST, AF_INET6, NULL);
		break;
	case 2:
		f.dst = pick_addr(pol, A_UE, AF_INET6, NULL);
		break;
	case 3:
		f.dst = pick_addr(pol, A_APP, AF_INET6, NULL);
		if (h->ref == SG_REF_APP_EGRESS && chance(70)) {
			a = app_addr(sg_policy_app_by_id(pol, h->app_id),
				     AF_INET6, &ep);
			if (ep)
				f.dst = a;
		}
		break;
	default:
		f.dst = addr_external(AF_INET6);
	}
	if (chance(10)) {
		f.n_ext = 1;
		f.ext[0] = chance(50) ? IPPROTO_FRAGMENT : IPPROTO_DSTOPTS;
	}
	if (h->ref == SG_REF_UPLINK) {
		s = slice_of_addr(pol, &f.src);
		if (!s || chance(20))
			s = &pol->slices[rnd(pol->n_slices)];
		if (chance(70))
			decorate_honest(pol, &f, s);
		else
			decorate_uplink(pol, &f, s);
		if (f.n_tags > 1)
			f.n_tags = 1;
		if (h->mode == SLICEGUARD_UPLINK_MODE_GTPU && chance(90))
			fit_encap(h, &f);
	}
	hh = h->ref == SG_REF_UPLINK_EGRESS && chance(40) ? entered_at(h, NULL) :
	     with_entry(pol, hk, h, &f.src, 80);
	send_flow(run, &hh, &f, 0);
}

/*
 * Slice classification with every classifier chosen (issue 7, 1): a source
 * in a slice's pool, another slice's, an app's or none; the slice's VLAN
 * (ip uplinks) or TEID (gtpu uplinks), another slice's, an unknown one,
 * a priority tag or none; the slice's DSCP, another's or one of no slice.
 * The rest is a random packet (often a rule's, so that what classifies can
 * pass), also outer packets that are GTP-U control messages.
 */
static void send_classify(struct run *run, const struct hooks *hk)
{
	const struct sg_policy *pol = run->pol;
	const struct sg_slice *s = &pol->slices[rnd(pol->n_slices)];
	const struct sg_slice *o = &pol->slices[rnd(pol->n_slices)];
	const struct hook *h = &hk->uplink[rnd(N_UPLINK_IFACES)];
	const struct sg_endpoint *ep;
	struct flowspec f;
	struct addr a;
	unsigned int k;

	if (!chance(50) || !rule_flow(pol, hk, &h, &f) || h->ref != SG_REF_UPLINK) {
		h = &hk->uplink[rnd(N_UPLINK_IFACES)];
		random_flow(pol, h, &f);
	}
	f.n_ext = 0;
	switch (rnd(5)) {
	case 0:
	case 1:
		for (k = 0; k < s->n_ue_prefixes; k++)
			if (s->ue_prefixes[k].family == f.src.family)
				f.src = addr_in(&s->ue_prefixes[k]);
		break;
	case 2:
		for (k = 0; k < o->n_ue_prefixes; k++)
			if (o->ue_prefixes[k].family == f.src.family)
				f.src = addr_in(&o->ue_prefixes[k]);
		break;
	case 3:
		a = app_addr(&pol->apps[rnd(pol->n_apps)], f.src.family, &ep);
		if (ep)
			f.src = a;
		break;
	default:
		f.src = addr_external(f.src.family);
	}
	decorate_honest(pol, &f, s);
	switch (rnd(6)) {
	case 0:
		if (o->n_vlans) {
			f.n_tags = 1;
			f.vid = o->vlans[rnd(o->n_vlans)];
		}
		break;
	case 1:
		f.n_tags = 1;
		f.vid = 0;
		break;
	case 2:
		f.n_tags = 1;
		f.vid = (uint16_t)(4000 + rnd(95));
		break;
	case 3:
		f.n_tags = 0;
		break;
	}
	switch (rnd(5)) {
	case 0:
		if (o->n_teid_ranges)
			f.teid = o->teid_ranges[rnd(o->n_teid_ranges)].last;
		break;
	case 1:
		f.teid = unknown_teid();
		break;
	}
	switch (rnd(4)) {
	case 0:
		if (s->n_dscps)
			f.dscp = s->dscps[rnd(s->n_dscps)];
		break;
	case 1:
		if (o->n_dscps)
			f.dscp = o->dscps[rnd(o->n_dscps)];
		break;
	}
	fit_encap(h, &f);
	if (f.gtpu && chance(10))
		f.gtp_type = chance(50) ? 1 : 26;
	send_flow(run, h, &f, 0);
	deliver(run, hk, h, &f);
}

static void random_round(struct run *run, const struct hooks *hk,
			 uint64_t packets)
{
	uint64_t end = run->packets + packets;

	while (run->packets < end) {
		unsigned int r = rnd(100);

		if (r < 28) {
			const struct hook *h = random_hook(hk);
			struct flowspec f;
			struct hook hh;

			random_flow(run->pol, h, &f);
			hh = with_entry(run->pol, hk, h, &f.src, 70);
			send_flow(run, &hh, &f, 30);
		} else if (r < 40) {
			send_conversation(run, hk, false);
		} else if (r < 66) {
			send_conversation(run, hk, true);
		} else if (r < 80) {
			send_fragments(run, hk);
		} else if (r < 87) {
			send_nd(run, hk);
		} else if (r < 95) {
			send_classify(run, hk);
		} else {
			send_non_ip(run, random_hook(hk));
		}
	}
}

/* ---- Setup and the tests ---- */

static int make_ifaces(void)
{
	char cmd[160];
	unsigned int i;

	if (unshare(CLONE_NEWNET)) {
		perror("unshare(CLONE_NEWNET)");
		return -1;
	}
	for (i = 0; i < N_UPLINK_IFACES + MAX_GEN_APPS + 1; i++) {
		char name[16];

		if (i < N_UPLINK_IFACES)
			snprintf(name, sizeof(name), "sgd-up%u", i);
		else if (i < N_UPLINK_IFACES + MAX_GEN_APPS)
			snprintf(name, sizeof(name), "sgd-app%u",
				 i - N_UPLINK_IFACES);
		else
			snprintf(name, sizeof(name), "sgd-spare");
		snprintf(cmd, sizeof(cmd),
			 "ip link add %s type veth peer name %sp && "
			 "ip link set %s up && ip link set %sp up",
			 name, name, name, name);
		if (system(cmd)) {
			fprintf(stderr, "failed: %s\n", cmd);
			return -1;
		}
	}
	return 0;
}

static void set_hooks(const struct sg_policy *pol, struct hooks *hk)
{
	unsigned int i;

	for (i = 0; i < N_UPLINK_IFACES; i++) {
		hk->uplink[i] = (struct hook){
			.ref = SG_REF_UPLINK,
			.ifindex = (int)if_nametoindex(pol->uplinks[i].ifname),
			.mode = pol->uplinks[i].mode,
			.unsliced = pol->uplinks[i].unsliced,
		};
		hk->uplink_out[i] = hk->uplink[i];
		hk->uplink_out[i].ref = SG_REF_UPLINK_EGRESS;
	}
	hk->n_apps = pol->n_apps;
	hk->n_outside = 0;
	hk->outside[hk->n_outside++] = (int)if_nametoindex("sgd-spare");
	for (i = 0; i < MAX_GEN_APPS; i++) {
		char name[16];
		bool used = false;
		unsigned int j;

		snprintf(name, sizeof(name), "sgd-app%u", i);
		for (j = 0; j < pol->n_apps; j++)
			used |= !strcmp(pol->apps[j].ifname, name);
		if (!used)
			hk->outside[hk->n_outside++] = (int)if_nametoindex(name);
	}
	for (i = 0; i < pol->n_apps; i++) {
		int ifindex = (int)if_nametoindex(pol->apps[i].ifname);

		hk->app_in[i] = (struct hook){
			.ref = SG_REF_APP_INGRESS, .ifindex = ifindex,
			.app_id = pol->apps[i].id,
		};
		hk->app_out[i] = hk->app_in[i];
		hk->app_out[i].ref = SG_REF_APP_EGRESS;
	}
}

/* pol and the host's addresses of the moment (host_addrs), no state. */
static int apply(struct run *run, const struct sg_policy *pol)
{
	uint64_t t0 = now_ns();
	int err = sg_dp_apply(run->dp, pol);

	run->apply_ns += now_ns() - t0;
	if (!err)
		err = sg_dp_flush_state(run->dp);
	if (!err)
		err = sg_dp_set_host_prefixes(run->dp, host_addrs.p, host_addrs.n);
	if (err) {
		printf("# sg_dp_apply: %s: %s\n", strerror(-err),
		       sg_dp_errmsg(run->dp));
		return err;
	}
	sg_ref_state_free(&run->state);
	sg_ref_state_init(&run->state);
	run->pol = pol;
	return 0;
}

/* Before any policy, every hook drops everything (NO_POLICY). */
static void test_no_policy(struct run *run)
{
	struct sg_policy pol;
	struct hooks hk;
	uint64_t before = run->disagreements;
	unsigned int i;

	/* A policy to generate packets from; nothing is applied. */
	random_policy(&pol);
	set_hooks(&pol, &hk);
	run->pol = NULL;
	for (i = 0; i < 200; i++) {
		const struct hook *h = random_hook(&hk);
		struct buf b = { .len = 0 };
		struct flowspec f;

		random_flow(&pol, h, &f);
		build_frame(&b, &f);
		check_packet(run, h, b.d, b.len);
	}
	tap(run->disagreements == before,
	    "no policy applied: 200 packets at every hook dropped NO_POLICY");
	sg_policy_free(&pol);
}

static void test_random(struct run *run, uint64_t packets, uint64_t seed)
{
	uint64_t before = run->disagreements, start = run->packets;
	unsigned int policies = 0;

	while (run->packets - start < packets) {
		struct sg_policy pol;
		struct hooks hk;

		random_policy(&pol);
		random_host(&pol);
		policies++;
		if (apply(run, &pol)) {
			run->disagreements++;
			sg_policy_free(&pol);
			break;
		}
		set_hooks(&pol, &hk);
		random_round(run, &hk, ROUND_PACKETS);
		run->pol = NULL;
		sg_policy_free(&pol);
	}
	printf("# %" PRIu64 " packets under %u random policies, %" PRIu64
	       " disagreements, %" PRIu64 " allowing rules checked, %"
	       PRIu64 " short frames the kernel would not test-run at TC\n",
	       run->packets - start, policies, run->disagreements - before,
	       run->rules_checked, run->unrunnable);
	printf("# %.1f s of it in sg_dp_apply()\n", run->apply_ns / 1e9);
	show_kinds(run);
	tap(run->disagreements == before && run->packets - start >= packets,
	    "differential: %" PRIu64 " packets, seed %" PRIu64,
	    run->packets - start, seed);
}

static void add_slice(struct sg_policy *pol, uint32_t id, uint8_t net,
		      uint64_t pps, uint64_t ue_bytes)
{
	struct sg_slice *s = sg_policy_add_slice(pol);

	s->id = id;
	snprintf(s->name, sizeof(s->name), "rate%u", id);
	s->sst = 1;
	s->n_ue_prefixes = 1;
	set_prefix4(&s->ue_prefixes[0], 10, net, 0, 0, 16);
	s->rate_packets = pps;
	s->ue_rate_bytes = ue_bytes;
	s->mark = id;
}

static void add_rule(struct sg_policy *pol, uint32_t slice, uint32_t app,
		     uint64_t pps)
{
	struct sg_rule *r = sg_policy_add_rule(pol);

	r->id = pol->n_rules;
	r->src_kind = SLICEGUARD_PEER_SLICE;
	r->src_id = slice;
	r->dst_kind = SLICEGUARD_PEER_APP;
	r->dst_id = app;
	r->proto = IPPROTO_UDP;
	r->port_last = 65535;
	r->rate_packets = pps;
}

/* n UDP datagrams of size bytes from src to dst at h, all compared. */
static void rate_burst(struct run *run, const struct hook *h, uint8_t src_net,
		       uint8_t src_host, uint8_t dst_app, bool reply,
		       unsigned int n, size_t payload)
{
	struct flowspec f = { 0 };
	unsigned int i;

	f.src.family = f.dst.family = AF_INET;
	f.src.a[0] = 10, f.src.a[1] = src_net, f.src.a[3] = src_host;
	f.dst.a[0] = 10, f.dst.a[1] = 200, f.dst.a[3] = dst_app;
	f.proto = IPPROTO_UDP;
	f.sport = 4000;
	f.dport = 5000;
	f.hop_limit = 64;
	f.payload = payload;
	if (reply) {
		struct addr t = f.src;

		f.src = f.dst;
		f.dst = t;
		f.sport = 5000;
		f.dport = 4000;
	}
	for (i = 0; i < n; i++) {
		struct buf b = { .len = 0 };

		build_frame(&b, &f);
		check_packet(run, h, b.d, b.len);
	}
}

/*
 * A UDP datagram from 10.net.0.host to app dst_app's 10.200.0.dst_app in
 * pieces fragments of 16 bytes, at h: every one after the first is
 * policed (issue 7, 6).
 */
static void rate_frags(struct run *run, const struct hook *h, uint8_t src_net,
		       uint8_t src_host, uint8_t dst_app, unsigned int pieces)
{
	struct flowspec f = { 0 };
	struct buf l4 = { .len = 0 };
	uint16_t id = (uint16_t)rnd(65536);
	unsigned int i;

	f.src.family = f.dst.family = AF_INET;
	f.src.a[0] = 10, f.src.a[1] = src_net, f.src.a[3] = src_host;
	f.dst.a[0] = 10, f.dst.a[1] = 200, f.dst.a[3] = dst_app;
	f.proto = IPPROTO_UDP;
	f.sport = 4001;
	f.dport = 5001;
	f.hop_limit = 64;
	f.payload = 16 * pieces - 8;
	build_l4(&l4, &f);
	for (i = 0; i < pieces; i++) {
		struct buf ip = { .len = 0 }, b = { .len = 0 };

		build_ip_hdr(&ip, &f, IPPROTO_UDP, 16,
			     (uint16_t)((i + 1 < pieces ? 0x2000 : 0) | 2 * i), id);
		put(&ip, l4.d + 16 * i, 16);
		wrap_frame(&b, &f, &ip);
		check_packet(run, h, b.d, b.len);
	}
}

/*
 * An ICMP error from app dst_app (its interface is h) to the UE
 * 10.net.0.host about the UE's datagram of rate_burst(): related, and
 * policed like the flow (issue 7, 5).
 */
static void rate_error(struct run *run, const struct hook *h, uint8_t src_net,
		       uint8_t src_host, uint8_t dst_app)
{
	struct flowspec q = { 0 }, e;
	struct buf qb = { .len = 0 }, b = { .len = 0 };

	q.src.family = q.dst.family = AF_INET;
	q.src.a[0] = 10, q.src.a[1] = src_net, q.src.a[3] = src_host;
	q.dst.a[0] = 10, q.dst.a[1] = 200, q.dst.a[3] = dst_app;
	q.proto = IPPROTO_UDP;
	q.sport = 4000;
	q.dport = 5000;
	q.hop_limit = 64;
	build_ip(&qb, &q);
	e = q;
	e.src = q.dst;
	e.dst = q.src;
	e.proto = IPPROTO_ICMP;
	e.icmp_type = 3;
	e.quote = qb.d;
	e.quote_len = qb.len;
	e.payload = 0;
	build_frame(&b, &e);
	check_packet(run, h, b.d, b.len);
}

/*
 * Rates, deterministically: budgets of a few packets spent within
 * milliseconds (refill is one packet per 200 ms or slower), so both sides
 * see the same bucket states. With a slice's budget spent, its packets
 * still pass both ways out of the host (app and uplink egress police
 * nothing).
 */
static void test_rates(struct run *run)
{
	uint64_t before = run->disagreements, packets = run->packets, unpoliced;
	struct sg_policy pol;
	struct hook egress[2];
	struct hooks hk;
	unsigned int i;

	sg_policy_init(&pol);
	pol.generation = 1;
	add_slice(&pol, 1, 1, 5, 0);		/* slice: 5 packets/s */
	add_slice(&pol, 2, 2, 0, 1000);		/* per UE: 1000 bytes/s */
	add_slice(&pol, 3, 3, 0, 0);
	for (i = 1; i <= 2; i++) {
		struct sg_app *a = sg_policy_add_app(&pol);

		a->id = i;
		snprintf(a->name, sizeof(a->name), "rate-app%u", i);
		snprintf(a->ifname, sizeof(a->ifname), "sgd-app%u", i - 1);
		a->n_slices = 3;
		a->slices[0] = 1, a->slices[1] = 2, a->slices[2] = 3;
		a->n_endpoints = 1;
		set_prefix4(&a->endpoints[0].prefix, 10, 200, 0, (uint8_t)i, 32);
		a->endpoints[0].port_last = 65535;
		a->rate_packets = i == 1 ? 4 : 0;	/* app 1: 4 packets/s */
	}
	add_rule(&pol, 1, 2, 0);
	add_rule(&pol, 2, 2, 0);
	add_rule(&pol, 3, 1, 0);
	add_rule(&pol, 3, 2, 3);		/* rule 4: 3 packets/s */
	for (i = 0; i < N_UPLINK_IFACES; i++) {
		struct sg_uplink *u = sg_policy_add_uplink(&pol);

		snprintf(u->ifname, sizeof(u->ifname), "sgd-up%u", i);
		u->mode = i ? SLICEGUARD_UPLINK_MODE_GTPU : SLICEGUARD_UPLINK_MODE_IP;
	}
	host_addrs.n = 0;
	if (apply(run, &pol)) {
		tap(false, "rate policing: policy applied");
		sg_policy_free(&pol);
		return;
	}
	set_hooks(&pol, &hk);
	rate_burst(run, &hk.uplink[0], 1, 5, 2, false, 8, 20);	/* RATE_SLICE */
	rate_burst(run, &hk.app_in[1], 1, 5, 2, true, 3, 20);	/* replies */
	rate_error(run, &hk.app_in[1], 1, 5, 2);		/* related */
	/* Both ways out, with slice 1's budget spent: never policed there. */
	egress[0] = entered_at(&hk.app_out[1], &hk.uplink[0]);
	egress[1] = entered_at(&hk.uplink_out[0], &hk.app_in[1]);
	unpoliced = run->seen_at[SG_REF_APP_EGRESS][SG_R_FLOW] +
		    run->seen_at[SG_REF_UPLINK_EGRESS][SG_R_REPLY];
	rate_burst(run, &egress[0], 1, 5, 2, false, 3, 20);	/* FLOW */
	rate_burst(run, &egress[1], 1, 5, 2, true, 3, 20);	/* REPLY */
	unpoliced = run->seen_at[SG_REF_APP_EGRESS][SG_R_FLOW] +
		    run->seen_at[SG_REF_UPLINK_EGRESS][SG_R_REPLY] - unpoliced;
	rate_burst(run, &hk.uplink[0], 2, 5, 2, false, 8, 158);	/* RATE_UE */
	rate_burst(run, &hk.uplink[0], 2, 6, 2, false, 8, 158);	/* other UE */
	rate_burst(run, &hk.uplink[0], 3, 5, 1, false, 7, 20);	/* RATE_APP */
	rate_frags(run, &hk.uplink[0], 3, 7, 2, 5);		/* fragments */
	rate_burst(run, &hk.uplink[0], 3, 6, 2, false, 6, 20);	/* RATE_RULE */
	run->pol = NULL;
	sg_policy_free(&pol);
	tap(run->disagreements == before &&
	    run->seen[SG_R_RATE_SLICE] && run->seen[SG_R_RATE_UE] &&
	    run->seen[SG_R_RATE_APP] && run->seen[SG_R_RATE_RULE] &&
	    unpoliced == 6,
	    "rate policing: %" PRIu64 " packets compared, RATE_UE/SLICE/APP/RULE each "
	    "reached, none at the egress hooks", run->packets - packets);
}

/* An interface the active policy does not name drops NO_POLICY. */
static void test_unknown_iface(struct run *run)
{
	struct hook h = { .ref = SG_REF_APP_INGRESS,
			  .ifindex = (int)if_nametoindex("sgd-spare") };
	struct flowspec f = { 0 };
	struct buf b = { .len = 0 };
	struct sg_policy pol;
	struct verdict v, u, e;

	random_policy(&pol);
	if (apply(run, &pol)) {
		tap(false, "interface outside the policy: policy applied");
		sg_policy_free(&pol);
		return;
	}
	f.src = addr_external(AF_INET);
	f.dst = addr_external(AF_INET);
	f.proto = IPPROTO_UDP;
	f.hop_limit = 64;
	build_frame(&b, &f);
	v = run_bpf(run, &h, b.d, b.len);
	h.ref = SG_REF_UPLINK;
	u = run_bpf(run, &h, b.d, b.len);
	h.ref = SG_REF_UPLINK_EGRESS;	/* sg_egress, sent by the host */
	e = run_bpf(run, &h, b.d, b.len);
	tap(!v.err && !v.pass && v.reason == SG_R_NO_POLICY &&
	    !u.err && !u.pass && u.reason == SG_R_NO_POLICY &&
	    !e.err && !e.pass && e.reason == SG_R_NO_POLICY,
	    "interface outside the policy drops NO_POLICY (app: %s, uplink: %s, "
	    "egress: %s)", rname(v.reason), rname(u.reason), rname(e.reason));
	run->pol = NULL;
	sg_policy_free(&pol);
}

/* One packet of test_identity: where, what, and the reason the spec says. */
struct id_case {
	const char *what;
	enum sg_ref_hook hook;
	int at;			/* uplink or app index */
	int entered;		/* app egress: -1 host, 0..1 uplink, 2.. app - 2 */
	/* 10.net.0.host; net 51: 198.51.100.host, outside every pool */
	uint8_t src_net, src_host, dst_net, dst_host;
	uint16_t vid;		/* 0xffff: untagged */
	uint8_t proto;
	uint16_t sport, dport;
	int error_about;	/* >= 0: an ICMP error quoting case n's packet */
	size_t pad;		/* bytes after the quote */
	enum sg_reason expect;
};

/*
 * A datagram from UE 10.3.0.5 to UE 10.3.0.6 of slice 3 (ue-to-ue, VLAN
 * 30) in three fragments; the third after a generation that turned
 * ue-to-ue off, with the state kept: the stored INTRA_SLICE verdict no
 * longer holds (issue 7, 6). Returns the number of reasons not as stated.
 */
static unsigned int intra_slice_fragments(struct run *run,
					  const struct sg_policy *pol,
					  const struct hooks *hk)
{
	static const enum sg_reason expect[] = {
		SG_R_INTRA_SLICE, SG_R_INTRA_SLICE, SG_R_FRAG_NO_FIRST,
	};
	struct flowspec f = { 0 };
	struct buf l4 = { .len = 0 };
	struct sg_policy next;
	unsigned int i, wrong = 0;

	f.src.family = f.dst.family = AF_INET;
	f.src.a[0] = 10, f.src.a[1] = 3, f.src.a[3] = 5;
	f.dst.a[0] = 10, f.dst.a[1] = 3, f.dst.a[3] = 6;
	f.proto = IPPROTO_UDP;
	f.sport = 4002;
	f.dport = 5002;
	f.hop_limit = 64;
	f.n_tags = 1;
	f.vid = 30;
	f.tpid = 0x8100;
	f.payload = 40;
	build_l4(&l4, &f);
	for (i = 0; i < 3; i++) {
		struct buf ip = { .len = 0 }, b = { .len = 0 };
		enum sg_reason got;

		if (i == 2) {
			unsigned int k;

			sg_policy_init(&next);
			next.generation = pol->generation + 1;
			for (k = 0; k < pol->n_slices; k++)
				*sg_policy_add_slice(&next) = pol->slices[k];
			for (k = 0; k < pol->n_apps; k++)
				*sg_policy_add_app(&next) = pol->apps[k];
			for (k = 0; k < pol->n_rules; k++)
				*sg_policy_add_rule(&next) = pol->rules[k];
			for (k = 0; k < pol->n_uplinks; k++)
				*sg_policy_add_uplink(&next) = pol->uplinks[k];
			next.slices[2].ue_to_ue = false;
			if (sg_dp_apply(run->dp, &next)) {
				sg_policy_free(&next);
				return wrong + 1;
			}
			run->pol = &next;
		}
		build_ip_hdr(&ip, &f, IPPROTO_UDP, 16,
			     (uint16_t)((i < 2 ? 0x2000 : 0) | 2 * i), 0x5347);
		put(&ip, l4.d + 16 * i, 16);
		wrap_frame(&b, &f, &ip);
		got = check_packet(run, &hk->uplink[0], b.d, b.len);
		if (got != expect[i]) {
			printf("# fragment %u of an intra-slice datagram: model %s, "
			       "spec %s\n", i, sg_ref_reason_name(got),
			       sg_ref_reason_name(expect[i]));
			wrong++;
		}
	}
	run->pol = pol;
	sg_policy_free(&next);
	return wrong;
}

/*
 * Issue 7 by example, each packet's reason stated: flows bound to their
 * peers (an entry of another identity is replaced by what a rule allows),
 * strict VLAN binding, app sources refused on uplinks, the app egress
 * ingress check, related errors from the far end only and no larger than
 * a router makes them, an intra-slice fragment verdict that no longer
 * holds. Model and BPF must agree with the stated reason.
 */
static void test_identity(struct run *run)
{
	static const struct id_case cases[] = {
		/* 0 */
		{ "slice 1 (VLAN 10, no pool) opens a flow",
		  SG_REF_UPLINK, 0, 0,
		  51, 7, 200, 1, 10, IPPROTO_UDP, 4000, 5000,
		  -1, 0, SG_R_RULE },
		/* 1 */
		{ "slice 2 (VLAN 20), same 5-tuple: its rule, but slice 1's flow keeps the entry",
		  SG_REF_UPLINK, 0, 0,
		  51, 7, 200, 1, 20, IPPROTO_UDP, 4000, 5000,
		  -1, 0, SG_R_FLOW_FULL },
		/* 2 */
		{ "slice 1 again: the entry is still its own",
		  SG_REF_UPLINK, 0, 0,
		  51, 7, 200, 1, 10, IPPROTO_UDP, 4000, 5000,
		  -1, 0, SG_R_FLOW },
		/* 3 */
		{ "slice 1, same 5-tuple: its flow",
		  SG_REF_UPLINK, 0, 0,
		  51, 7, 200, 1, 10, IPPROTO_UDP, 4000, 5000,
		  -1, 0, SG_R_FLOW },
		/* 4 */
		{ "UE of slice 3 on VLAN 30",
		  SG_REF_UPLINK, 0, 0,
		  3, 5, 200, 1, 30, IPPROTO_UDP, 4001, 5001,
		  -1, 0, SG_R_RULE },
		/* 5 */
		{ "delivered to app 1, entered on the uplink",
		  SG_REF_APP_EGRESS, 0, 0,
		  3, 5, 200, 1, 0xffff, IPPROTO_UDP, 4001, 5001,
		  -1, 0, SG_R_FLOW },
		/* 6 */
		{ "delivered to app 1, entered on app 2's interface",
		  SG_REF_APP_EGRESS, 0, 3,
		  3, 5, 200, 1, 0xffff, IPPROTO_UDP, 4001, 5001,
		  -1, 0, SG_R_SPOOF },
		/* 7 */
		{ "delivered to app 1, sent by the host",
		  SG_REF_APP_EGRESS, 0, -1,
		  3, 5, 200, 1, 0xffff, IPPROTO_UDP, 4001, 5001,
		  -1, 0, SG_R_SPOOF },
		/* 8 */
		{ "app 1 replies",
		  SG_REF_APP_INGRESS, 0, 0,
		  200, 1, 3, 5, 0xffff, IPPROTO_UDP, 5001, 4001,
		  -1, 0, SG_R_REPLY },
		/* 9 */
		{ "UE of slice 3 untagged",
		  SG_REF_UPLINK, 0, 0,
		  3, 5, 200, 1, 0xffff, IPPROTO_UDP, 4001, 5001,
		  -1, 0, SG_R_SPOOF },
		/* 10 */
		{ "UE of slice 3 priority-tagged",
		  SG_REF_UPLINK, 0, 0,
		  3, 5, 200, 1, 0, IPPROTO_UDP, 4001, 5001,
		  -1, 0, SG_R_SPOOF },
		/* 11 */
		{ "UE of slice 3 on an unknown VLAN",
		  SG_REF_UPLINK, 0, 0,
		  3, 5, 200, 1, 4000, IPPROTO_UDP, 4001, 5001,
		  -1, 0, SG_R_SPOOF },
		/* 12 */
		{ "app 2's address on the uplink, VLAN 30",
		  SG_REF_UPLINK, 0, 0,
		  200, 2, 200, 1, 30, IPPROTO_UDP, 4001, 5001,
		  -1, 0, SG_R_SPOOF },
		/* 13 */
		{ "error from app 1 about the UE's packet",
		  SG_REF_APP_INGRESS, 0, 0,
		  200, 1, 3, 5, 0xffff, IPPROTO_ICMP, 0, 0,
		  4, 0, SG_R_RELATED },
		/* 14 */
		{ "the same error from app 2",
		  SG_REF_APP_INGRESS, 1, 0,
		  200, 2, 3, 5, 0xffff, IPPROTO_ICMP, 0, 0,
		  4, 0, SG_R_NO_RULE },
		/* 15 */
		{ "error from app 1, 576 bytes",
		  SG_REF_APP_INGRESS, 0, 0,
		  200, 1, 3, 5, 0xffff, IPPROTO_ICMP, 0, 0,
		  4, 576 - 20 - 8 - 28, SG_R_RELATED },
		/* 16 */
		{ "error from app 1, 577 bytes",
		  SG_REF_APP_INGRESS, 0, 0,
		  200, 1, 3, 5, 0xffff, IPPROTO_ICMP, 0, 0,
		  4, 577 - 20 - 8 - 28, SG_R_NO_RULE },
	};
	uint64_t before = run->disagreements;
	unsigned int i, wrong = 0;
	struct sg_policy pol;
	struct hooks hk;

	sg_policy_init(&pol);
	pol.generation = 1;
	for (i = 1; i <= 3; i++) {
		struct sg_slice *s = sg_policy_add_slice(&pol);

		s->id = i;
		snprintf(s->name, sizeof(s->name), "id%u", i);
		s->sst = 1;
		s->vlans[s->n_vlans++] = (uint16_t)(10 * i);
		if (i == 3)
			set_prefix4(&s->ue_prefixes[s->n_ue_prefixes++], 10, 3, 0, 0, 16);
		s->mark = 0x10 + i;
		s->ue_to_ue = i == 3;
	}
	for (i = 1; i <= 2; i++) {
		struct sg_app *a = sg_policy_add_app(&pol);

		a->id = i;
		snprintf(a->name, sizeof(a->name), "id-app%u", i);
		snprintf(a->ifname, sizeof(a->ifname), "sgd-app%u", i - 1);
		a->n_slices = 3;
		a->slices[0] = 1, a->slices[1] = 2, a->slices[2] = 3;
		a->n_endpoints = 1;
		set_prefix4(&a->endpoints[0].prefix, 10, 200, 0, (uint8_t)i, 32);
		a->endpoints[0].port_last = 65535;
	}
	for (i = 1; i <= 3; i++) {
		struct sg_rule *r = sg_policy_add_rule(&pol);

		r->id = i;
		r->src_kind = SLICEGUARD_PEER_SLICE;
		r->src_id = i;
		r->dst_kind = SLICEGUARD_PEER_APP;
		r->dst_id = 1;
		r->proto = IPPROTO_UDP;
		r->port_last = 65535;
	}
	for (i = 0; i < N_UPLINK_IFACES; i++) {
		struct sg_uplink *u = sg_policy_add_uplink(&pol);

		snprintf(u->ifname, sizeof(u->ifname), "sgd-up%u", i);
		u->mode = i ? SLICEGUARD_UPLINK_MODE_GTPU : SLICEGUARD_UPLINK_MODE_IP;
	}
	host_addrs.n = 0;
	if (apply(run, &pol)) {
		tap(false, "identity binding by example: policy applied");
		sg_policy_free(&pol);
		return;
	}
	set_hooks(&pol, &hk);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct id_case *c = &cases[i];
		struct buf b = { .len = 0 }, qb = { .len = 0 };
		struct flowspec f = { 0 };
		struct hook h;
		enum sg_reason got;

		f.src.family = f.dst.family = AF_INET;
		f.src.a[0] = 10, f.src.a[1] = c->src_net, f.src.a[3] = c->src_host;
		f.dst.a[0] = 10, f.dst.a[1] = c->dst_net, f.dst.a[3] = c->dst_host;
		if (c->src_net == 51)	/* outside every pool */
			f.src.a[0] = 198, f.src.a[2] = 100;
		f.proto = c->proto;
		f.sport = c->sport;
		f.dport = c->dport;
		f.hop_limit = 64;
		f.n_tags = c->vid != 0xffff;
		f.vid = c->vid == 0xffff ? 0 : c->vid;
		f.tpid = 0x8100;
		if (c->error_about >= 0) {
			const struct id_case *q = &cases[c->error_about];
			struct flowspec qf = { 0 };

			qf.src.family = qf.dst.family = AF_INET;
			qf.src.a[0] = 10, qf.src.a[1] = q->src_net, qf.src.a[3] = q->src_host;
			qf.dst.a[0] = 10, qf.dst.a[1] = q->dst_net, qf.dst.a[3] = q->dst_host;
			qf.proto = q->proto;
			qf.sport = q->sport;
			qf.dport = q->dport;
			qf.hop_limit = 64;
			build_ip(&qb, &qf);
			f.icmp_type = 3;
			f.quote = qb.d;
			f.quote_len = qb.len;
			f.quote_pad = c->pad;
		}
		if (c->hook == SG_REF_UPLINK)
			h = hk.uplink[c->at];
		else if (c->hook == SG_REF_APP_INGRESS)
			h = hk.app_in[c->at];
		else
			h = entered_at(&hk.app_out[c->at],
				       c->entered < 0 ? NULL :
				       c->entered < 2 ? &hk.uplink[c->entered] :
							&hk.app_in[c->entered - 2]);
		build_frame(&b, &f);
		got = check_packet(run, &h, b.d, b.len);
		if (got != c->expect) {
			printf("# case %u (%s): model %s, spec %s\n", i, c->what,
			       sg_ref_reason_name(got), sg_ref_reason_name(c->expect));
			wrong++;
		}
	}
	wrong += intra_slice_fragments(run, &pol, &hk);
	run->pol = NULL;
	sg_policy_free(&pol);
	tap(!wrong && run->disagreements == before,
	    "identity binding by example: %zu packets, model and BPF as stated",
	    sizeof(cases) / sizeof(cases[0]) + 3);
}

/* One packet of test_host(): where, what, and the reason the spec says. */
struct host_example {
	const char *what;
	enum sg_ref_hook hook;
	int at;			/* uplink or app index */
	int entered;		/* app egress: -1 the host, 0..1 uplink, 2.. app - 2 */
	const char *src, *dst;
	uint16_t vid;		/* 0: untagged */
	uint8_t proto;
	uint16_t sport, dport;
	uint8_t flags;		/* TCP flags; ICMPv6 type */
	int error_about;	/* >= 0: an ICMP error quoting example n's packet */
	bool gave_up;		/* after the host gave up 192.0.2.1 */
	enum sg_reason expect;
	uint32_t mark;		/* expected with the reason */
};

static struct addr addr_of(const char *text)
{
	struct addr a = { .family = strchr(text, ':') ? AF_INET6 : AF_INET };

	inet_pton(a.family, text, a.a);
	return a;
}

static void example_spec(const struct host_example *c, struct flowspec *f)
{
	memset(f, 0, sizeof(*f));
	f->src = addr_of(c->src);
	f->dst = addr_of(c->dst);
	f->proto = c->proto;
	f->sport = c->sport;
	f->dport = c->dport;
	f->tcp_flags = c->flags;
	f->icmp_type = c->flags;
	f->hop_limit = c->proto == IPPROTO_ICMPV6 ? 255 : 64;
	f->n_tags = c->vid ? 1 : 0;
	f->vid = c->vid;
	f->tpid = 0x8100;
}

/*
 * The host as a peer by example, each packet's reason (and mark) stated:
 * rules naming the host (as destination from a slice and an app, as source
 * toward an app and a slice), its gateway addresses inside a UE pool and
 * an app's endpoint, an address of its own that is exactly an app's
 * endpoint (the app's, sending from the host), unsliced traffic toward it,
 * ND toward it and past it, its addresses where they do not belong
 * (uplinks, an app's interface, entered elsewhere), its errors about an
 * app's flow (with the flow's slice mark), the way out of an uplink
 * (toward UEs from the host, the outside and apps, its flows, replies and
 * errors; of no slice otherwise and on a gtpu uplink; the host's ND), and
 * a flow to an address the host gave up. Model and BPF must agree with the
 * stated reason.
 */
static void test_host(struct run *run)
{
	static const struct host_example cases[] = {
		/* 0 */
		{ "a UE to the host's DNS: the rule naming the host",
		  SG_REF_UPLINK, 0, 0, "10.1.0.5", "192.0.2.1", 10,
		  IPPROTO_UDP, 40000, 53, 0, -1, false, SG_R_RULE, 0x21 },
		/* 1 */
		{ "the same to another port: no rule",
		  SG_REF_UPLINK, 0, 0, "10.1.0.5", "192.0.2.1", 10,
		  IPPROTO_UDP, 40000, 54, 0, -1, false, SG_R_NO_RULE, 0 },
		/* 2 */
		{ "a UE to the gateway address in its own pool: the host, not ue-to-ue",
		  SG_REF_UPLINK, 0, 0, "10.1.0.5", "10.1.0.1", 10,
		  IPPROTO_UDP, 40000, 53, 0, -1, false, SG_R_RULE, 0x21 },
		/* 3 */
		{ "a UE to the gateway address in app 1's endpoint: the host, not app 1",
		  SG_REF_UPLINK, 0, 0, "10.1.0.5", "10.200.1.1", 10,
		  IPPROTO_UDP, 40000, 5000, 0, -1, false, SG_R_NO_RULE, 0 },
		/* 4 */
		{ "no slice to the host on an unsliced pass uplink",
		  SG_REF_UPLINK, 0, 0, "198.51.100.7", "192.0.2.1", 0,
		  IPPROTO_UDP, 40000, 53, 0, -1, false, SG_R_UNSLICED_PASS, 0 },
		/* 5 */
		{ "no slice to a UE on the same uplink: flows only",
		  SG_REF_UPLINK, 0, 0, "198.51.100.7", "10.1.0.5", 0,
		  IPPROTO_UDP, 40000, 53, 0, -1, false, SG_R_NO_SLICE, 0 },
		/* 6 */
		{ "the host's address arriving on an uplink",
		  SG_REF_UPLINK, 0, 0, "192.0.2.1", "10.200.1.5", 10,
		  IPPROTO_UDP, 40000, 5000, 0, -1, false, SG_R_SPOOF, 0 },
		/* 7 */
		{ "the gateway address in the UE pool arriving on an uplink",
		  SG_REF_UPLINK, 0, 0, "10.1.0.1", "10.200.1.5", 10,
		  IPPROTO_UDP, 40000, 5000, 0, -1, false, SG_R_SPOOF, 0 },
		/* 8 */
		{ "a UE's ND to the host",
		  SG_REF_UPLINK, 0, 0, "fd00:1::5", "2001:db8:ffff::1", 10,
		  IPPROTO_ICMPV6, 0, 0, 135, -1, false, SG_R_ND, 0 },
		/* 9 */
		{ "a UE's ND to an external address: decided by the rules",
		  SG_REF_UPLINK, 0, 0, "fd00:1::5", "2001:db8:1::9", 10,
		  IPPROTO_ICMPV6, 0, 0, 135, -1, false, SG_R_NO_RULE, 0 },
		/* 10 */
		{ "app 1 from the gateway address in its own endpoint",
		  SG_REF_APP_INGRESS, 0, 0, "10.200.1.1", "10.1.0.5", 0,
		  IPPROTO_UDP, 5000, 4000, 0, -1, false, SG_R_SPOOF, 0 },
		/* 11 */
		{ "app 1 to the host by a rule",
		  SG_REF_APP_INGRESS, 0, 0, "10.200.1.5", "192.0.2.1", 0,
		  IPPROTO_TCP, 40001, 443, 0x02, -1, false, SG_R_RULE, 0 },
		/* 12 */
		{ "the host's reply, sent by the host",
		  SG_REF_APP_EGRESS, 0, -1, "192.0.2.1", "10.200.1.5", 0,
		  IPPROTO_TCP, 443, 40001, 0x12, -1, false, SG_R_REPLY, 0 },
		/* 13 */
		{ "the host's reply entered on an uplink",
		  SG_REF_APP_EGRESS, 0, 0, "192.0.2.1", "10.200.1.5", 0,
		  IPPROTO_TCP, 443, 40001, 0x12, -1, false, SG_R_SPOOF, 0 },
		/* 14 */
		{ "the host to app 1 by a rule naming the host as source",
		  SG_REF_APP_EGRESS, 0, -1, "127.0.0.1", "10.200.1.5", 0,
		  IPPROTO_TCP, 40002, 8080, 0x02, -1, false, SG_R_RULE, 0 },
		/* 15 */
		{ "the host to app 1 on another port",
		  SG_REF_APP_EGRESS, 0, -1, "127.0.0.1", "10.200.1.5", 0,
		  IPPROTO_TCP, 40002, 8081, 0x02, -1, false, SG_R_NO_RULE, 0 },
		/* 16 */
		{ "an external address sent by the host: no rule is from any",
		  SG_REF_APP_EGRESS, 0, -1, "198.51.100.9", "10.200.1.5", 0,
		  IPPROTO_TCP, 40002, 8080, 0x02, -1, false, SG_R_NO_RULE, 0 },
		/* 17 */
		{ "app 1's error to the host about the host's packet",
		  SG_REF_APP_INGRESS, 0, 0, "10.200.1.5", "127.0.0.1", 0,
		  IPPROTO_ICMP, 0, 0, 0, 14, false, SG_R_RELATED, 0 },
		/* 18 */
		{ "a UE to app 1",
		  SG_REF_UPLINK, 0, 0, "10.1.0.5", "10.200.1.5", 10,
		  IPPROTO_UDP, 4000, 5000, 0, -1, false, SG_R_RULE, 0x21 },
		/* 19 */
		{ "app 1 replies",
		  SG_REF_APP_INGRESS, 0, 0, "10.200.1.5", "10.1.0.5", 0,
		  IPPROTO_UDP, 5000, 4000, 0, -1, false, SG_R_REPLY, 0x21 },
		/* 20 */
		{ "the host's error to app 1 about its reply: the flow's slice mark",
		  SG_REF_APP_EGRESS, 0, -1, "192.0.2.1", "10.200.1.5", 0,
		  IPPROTO_ICMP, 0, 0, 0, 19, false, SG_R_RELATED, 0x21 },
		/* 21 */
		{ "the same error entered on app 2's interface",
		  SG_REF_APP_EGRESS, 0, 3, "192.0.2.1", "10.200.1.5", 0,
		  IPPROTO_ICMP, 0, 0, 0, 19, false, SG_R_SPOOF, 0 },
		/* 22 */
		{ "the same error from an external address, sent by the host",
		  SG_REF_APP_EGRESS, 0, -1, "198.51.100.9", "10.200.1.5", 0,
		  IPPROTO_ICMP, 0, 0, 0, 19, false, SG_R_NO_RULE, 0 },
		/* 23 */
		{ "a UE to app 2's address, also the host's: exactly app 2's endpoint",
		  SG_REF_UPLINK, 0, 0, "10.1.0.5", "10.200.2.1", 10,
		  IPPROTO_UDP, 4001, 5000, 0, -1, false, SG_R_RULE, 0x21 },
		/* 24 */
		{ "the same to a port outside the endpoint: app 2's, not the host",
		  SG_REF_UPLINK, 0, 0, "10.1.0.5", "10.200.2.1", 10,
		  IPPROTO_UDP, 4001, 5001, 0, -1, false, SG_R_NO_ENDPOINT, 0 },
		/* 25 */
		{ "app 2 replies from its exact address",
		  SG_REF_APP_INGRESS, 1, 0, "10.200.2.1", "10.1.0.5", 0,
		  IPPROTO_UDP, 5000, 4001, 0, -1, false, SG_R_REPLY, 0x21 },
		/* 26 */
		{ "app 2 in the host's namespace sends from the host: no rule to app 1",
		  SG_REF_APP_EGRESS, 0, -1, "10.200.2.1", "10.200.1.5", 0,
		  IPPROTO_UDP, 5000, 5000, 0, -1, false, SG_R_NO_RULE, 0 },
		/* 27: uplink egress (uplink 0 ip, unsliced pass; 1 gtpu, drop) */
		{ "the host opens a flow to a UE by the rule from the host",
		  SG_REF_UPLINK_EGRESS, 0, -1, "192.0.2.1", "10.1.0.5", 0,
		  IPPROTO_TCP, 40010, 22, 0x02, -1, false, SG_R_RULE, 0x21 },
		/* 28 */
		{ "the UE answers on the uplink",
		  SG_REF_UPLINK, 0, 0, "10.1.0.5", "192.0.2.1", 10,
		  IPPROTO_TCP, 22, 40010, 0x12, -1, false, SG_R_REPLY, 0x21 },
		/* 29 */
		{ "the host's next packet: its flow",
		  SG_REF_UPLINK_EGRESS, 0, -1, "192.0.2.1", "10.1.0.5", 0,
		  IPPROTO_TCP, 40010, 22, 0x10, -1, false, SG_R_FLOW, 0x21 },
		/* 30 */
		{ "the same entered on app 1's interface: the host's address from outside",
		  SG_REF_UPLINK_EGRESS, 0, 2, "192.0.2.1", "10.1.0.5", 0,
		  IPPROTO_TCP, 40010, 22, 0x10, -1, false, SG_R_SPOOF, 0 },
		/* 31 */
		{ "the host to a UE on another port: no rule",
		  SG_REF_UPLINK_EGRESS, 0, -1, "192.0.2.1", "10.1.0.5", 0,
		  IPPROTO_TCP, 40011, 23, 0x02, -1, false, SG_R_NO_RULE, 0 },
		/* 32 */
		{ "an external address to a UE, entered on the uplink: no rule is from any",
		  SG_REF_UPLINK_EGRESS, 0, 0, "198.51.100.7", "10.1.0.5", 0,
		  IPPROTO_TCP, 40000, 22, 0x02, -1, false, SG_R_NO_RULE, 0 },
		/* 33 */
		{ "a UE to a web server outside by a rule",
		  SG_REF_UPLINK, 0, 0, "10.1.0.5", "198.51.100.80", 10,
		  IPPROTO_TCP, 40020, 443, 0x02, -1, false, SG_R_RULE, 0x21 },
		/* 34 */
		{ "the same on its way out of the uplink",
		  SG_REF_UPLINK_EGRESS, 0, 0, "10.1.0.5", "198.51.100.80", 0,
		  IPPROTO_TCP, 40020, 443, 0x10, -1, false, SG_R_FLOW, 0x21 },
		/* 35 */
		{ "the same sent by the host: a UE's address from the host",
		  SG_REF_UPLINK_EGRESS, 0, -1, "10.1.0.5", "198.51.100.80", 0,
		  IPPROTO_TCP, 40020, 443, 0x10, -1, false, SG_R_SPOOF, 0 },
		/* 36 */
		{ "the server's reply on the uplink: no slice, its flow",
		  SG_REF_UPLINK, 0, 0, "198.51.100.80", "10.1.0.5", 0,
		  IPPROTO_TCP, 443, 40020, 0x12, -1, false, SG_R_REPLY, 0x21 },
		/* 37 */
		{ "the reply on its way out, entered on the other uplink",
		  SG_REF_UPLINK_EGRESS, 0, 1, "198.51.100.80", "10.1.0.5", 0,
		  IPPROTO_TCP, 443, 40020, 0x12, -1, false, SG_R_REPLY, 0x21 },
		/* 38 */
		{ "the host's error to the UE about its packet to the server",
		  SG_REF_UPLINK_EGRESS, 0, -1, "192.0.2.1", "10.1.0.5", 0,
		  IPPROTO_ICMP, 0, 0, 0, 33, false, SG_R_RELATED, 0x21 },
		/* 39 */
		{ "a router's error to the UE about it, entered on the uplink",
		  SG_REF_UPLINK_EGRESS, 0, 0, "198.51.100.1", "10.1.0.5", 0,
		  IPPROTO_ICMP, 0, 0, 0, 33, false, SG_R_RELATED, 0x21 },
		/* 40 */
		{ "the host to the outside, unsliced pass",
		  SG_REF_UPLINK_EGRESS, 0, -1, "192.0.2.1", "198.51.100.9", 0,
		  IPPROTO_UDP, 40000, 53, 0, -1, false, SG_R_UNSLICED_PASS, 0 },
		/* 41 */
		{ "the host to the outside on the gtpu uplink: of no slice",
		  SG_REF_UPLINK_EGRESS, 1, -1, "192.0.2.1", "198.51.100.9", 0,
		  IPPROTO_UDP, 40000, 53, 0, -1, false, SG_R_NO_SLICE, 0 },
		/* 42 */
		{ "the UE's flow on the gtpu uplink's way out: of no slice",
		  SG_REF_UPLINK_EGRESS, 1, 0, "10.1.0.5", "198.51.100.80", 0,
		  IPPROTO_TCP, 40020, 443, 0x10, -1, false, SG_R_NO_SLICE, 0 },
		/* 43 */
		{ "the host's ND to a UE",
		  SG_REF_UPLINK_EGRESS, 0, -1, "2001:db8:ffff::1", "fd00:1::5", 0,
		  IPPROTO_ICMPV6, 0, 0, 135, -1, false, SG_R_ND, 0 },
		/* 44 */
		{ "ND to a UE entered on the uplink: decided by the rules",
		  SG_REF_UPLINK_EGRESS, 0, 0, "fe80::1", "fd00:1::5", 0,
		  IPPROTO_ICMPV6, 0, 0, 135, -1, false, SG_R_NO_RULE, 0 },
		/* 45 */
		{ "ND to all nodes entered on the uplink: its link",
		  SG_REF_UPLINK_EGRESS, 0, 0, "fe80::1", "ff02::1", 0,
		  IPPROTO_ICMPV6, 0, 0, 134, -1, false, SG_R_ND, 0 },
		/* 46 */
		{ "app 1's reply to the UE on its way out",
		  SG_REF_UPLINK_EGRESS, 0, 2, "10.200.1.5", "10.1.0.5", 0,
		  IPPROTO_UDP, 5000, 4000, 0, -1, false, SG_R_REPLY, 0x21 },
		/* 47 */
		{ "the same entered on the uplink: app 1's address from outside",
		  SG_REF_UPLINK_EGRESS, 0, 0, "10.200.1.5", "10.1.0.5", 0,
		  IPPROTO_UDP, 5000, 4000, 0, -1, false, SG_R_SPOOF, 0 },
		/* 48 */
		{ "app 2 in the host's namespace to a UE by a rule, sent by the host",
		  SG_REF_UPLINK_EGRESS, 0, -1, "10.200.2.1", "10.1.0.7", 0,
		  IPPROTO_UDP, 5000, 6000, 0, -1, false, SG_R_RULE, 0x21 },
		/* 49 */
		{ "the UE's DNS flow once 192.0.2.1 is no longer the host's",
		  SG_REF_UPLINK, 0, 0, "10.1.0.5", "192.0.2.1", 10,
		  IPPROTO_UDP, 40000, 53, 0, -1, true, SG_R_NO_RULE, 0 },
	};
	static const struct { const char *addr; uint8_t len; } host[] = {
		{ "10.1.0.1", 32 }, { "10.200.1.1", 32 }, { "10.200.2.1", 32 },
		{ "127.0.0.0", 8 }, { "2001:db8:ffff::1", 128 }, { "192.0.2.1", 32 },
	};
	static const struct { uint32_t src_kind, src_id, dst_kind, dst_id;
			      uint8_t proto; uint16_t first, last; } rules[] = {
		{ SLICEGUARD_PEER_SLICE, 1, SLICEGUARD_PEER_APP, 1, IPPROTO_UDP, 0, 65535 },
		{ SLICEGUARD_PEER_SLICE, 1, SLICEGUARD_PEER_HOST, 0, IPPROTO_UDP, 53, 53 },
		{ SLICEGUARD_PEER_APP, 1, SLICEGUARD_PEER_HOST, 0, IPPROTO_TCP, 443, 443 },
		{ SLICEGUARD_PEER_HOST, 0, SLICEGUARD_PEER_APP, 1, IPPROTO_TCP, 8080, 8080 },
		{ SLICEGUARD_PEER_SLICE, 1, SLICEGUARD_PEER_APP, 2, IPPROTO_UDP, 0, 65535 },
		{ SLICEGUARD_PEER_HOST, 0, SLICEGUARD_PEER_SLICE, 1, IPPROTO_TCP, 22, 22 },
		{ SLICEGUARD_PEER_SLICE, 1, SLICEGUARD_PEER_ANY, 0, IPPROTO_TCP, 443, 443 },
		{ SLICEGUARD_PEER_APP, 2, SLICEGUARD_PEER_SLICE, 1, IPPROTO_UDP, 0, 65535 },
	};
	uint64_t before = run->disagreements;
	unsigned int i, wrong = 0;
	struct sg_policy pol;
	struct sg_slice *s;
	struct hooks hk;

	sg_policy_init(&pol);
	pol.generation = 1;
	s = sg_policy_add_slice(&pol);
	s->id = 1;
	snprintf(s->name, sizeof(s->name), "host-embb");
	s->sst = 1;
	s->vlans[s->n_vlans++] = 10;
	set_prefix4(&s->ue_prefixes[s->n_ue_prefixes++], 10, 1, 0, 0, 16);
	set_prefix6(&s->ue_prefixes[s->n_ue_prefixes++], 0xfd00, 0, 0, 0, 64);
	s->ue_prefixes[1].addr[3] = 1;		/* fd00:1::/64 */
	s->mark = 0x21;
	for (i = 1; i <= 2; i++) {
		struct sg_app *a = sg_policy_add_app(&pol);

		a->id = i;
		snprintf(a->name, sizeof(a->name), "host-app%u", i);
		snprintf(a->ifname, sizeof(a->ifname), "sgd-app%u", i - 1);
		a->n_slices = 1;
		a->slices[0] = 1;
		a->n_endpoints = 1;
		/*
		 * app 1 10.200.1.0/28 (the host's gateway .1 in it), app 2
		 * 10.200.2.1 UDP 5000 (one of the host's addresses itself)
		 */
		set_prefix4(&a->endpoints[0].prefix, 10, 200, (uint8_t)i,
			    i == 1 ? 0 : 1, i == 1 ? 28 : 32);
		a->endpoints[0].proto = i == 1 ? 0 : IPPROTO_UDP;
		a->endpoints[0].port_first = i == 1 ? 0 : 5000;
		a->endpoints[0].port_last = i == 1 ? 65535 : 5000;
	}
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		struct sg_rule *r = sg_policy_add_rule(&pol);

		r->id = i + 1;
		r->src_kind = rules[i].src_kind;
		r->src_id = rules[i].src_id;
		r->dst_kind = rules[i].dst_kind;
		r->dst_id = rules[i].dst_id;
		r->proto = rules[i].proto;
		r->port_first = rules[i].first;
		r->port_last = rules[i].last;
	}
	for (i = 0; i < N_UPLINK_IFACES; i++) {
		struct sg_uplink *u = sg_policy_add_uplink(&pol);

		snprintf(u->ifname, sizeof(u->ifname), "sgd-up%u", i);
		u->mode = i ? SLICEGUARD_UPLINK_MODE_GTPU : SLICEGUARD_UPLINK_MODE_IP;
		u->unsliced = i ? SLICEGUARD_UNSLICED_DROP : SLICEGUARD_UNSLICED_PASS;
	}
	host_addrs.n = 0;
	for (i = 0; i < sizeof(host) / sizeof(host[0]); i++)
		add_host_str(host[i].addr, host[i].len);
	if (apply(run, &pol)) {
		tap(false, "the host by example: policy applied");
		sg_policy_free(&pol);
		return;
	}
	set_hooks(&pol, &hk);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct host_example *c = &cases[i];
		struct buf b = { .len = 0 }, qb = { .len = 0 };
		struct flowspec f, qf;
		enum sg_reason got;
		struct hook h;

		/* 192.0.2.1 is the last of the host's prefixes. */
		if (c->gave_up && host_addrs.n == sizeof(host) / sizeof(host[0])) {
			host_addrs.n--;
			if (sg_dp_set_host_prefixes(run->dp, host_addrs.p, host_addrs.n))
				wrong++;
		}
		example_spec(c, &f);
		if (c->error_about >= 0) {
			example_spec(&cases[c->error_about], &qf);
			build_ip(&qb, &qf);
			f.icmp_type = f.src.family == AF_INET ? 3 : 1;
			f.quote = qb.d;
			f.quote_len = qb.len;
		}
		if (c->hook == SG_REF_UPLINK)
			h = hk.uplink[c->at];
		else if (c->hook == SG_REF_APP_INGRESS)
			h = hk.app_in[c->at];
		else
			h = entered_at(c->hook == SG_REF_APP_EGRESS ?
				       &hk.app_out[c->at] : &hk.uplink_out[c->at],
				       c->entered < 0 ? NULL :
				       c->entered < 2 ? &hk.uplink[c->entered] :
							&hk.app_in[c->entered - 2]);
		build_frame(&b, &f);
		got = check_packet(run, &h, b.d, b.len);
		if (got != c->expect || run->last_mark != c->mark) {
			printf("# case %u (%s): model %s mark 0x%x, spec %s mark 0x%x\n",
			       i, c->what, sg_ref_reason_name(got), run->last_mark,
			       sg_ref_reason_name(c->expect), c->mark);
			wrong++;
		}
	}
	run->pol = NULL;
	sg_policy_free(&pol);
	tap(!wrong && run->disagreements == before,
	    "the host by example: %zu packets, model and BPF as stated",
	    sizeof(cases) / sizeof(cases[0]));
}

/* A copy of pol whose rules are partly removed, their ids given to new rules. */
static void successor_policy(const struct sg_policy *pol, struct sg_policy *next)
{
	unsigned int i;

	sg_policy_init(next);
	next->generation = pol->generation + 1;
	for (i = 0; i < pol->n_slices; i++) {
		struct sg_slice *s = sg_policy_add_slice(next);

		*s = pol->slices[i];
		/* Issue 7, 6: a stored INTRA_SLICE verdict must still hold. */
		if (chance(20))
			s->ue_to_ue = !s->ue_to_ue;
	}
	for (i = 0; i < pol->n_apps; i++)
		*sg_policy_add_app(next) = pol->apps[i];
	for (i = 0; i < pol->n_uplinks; i++)
		*sg_policy_add_uplink(next) = pol->uplinks[i];
	for (i = 0; i < pol->n_rules; i++) {
		struct sg_rule r = pol->rules[i];

		if (chance(40)) {
			/* removed; its id goes to another rule, or to none */
			if (chance(50))
				continue;
			random_rule(pol, &r);
			r.id = pol->rules[i].id;
			if (rule_exists(pol, &r) || rule_exists(next, &r))
				continue;
		}
		*sg_policy_add_rule(next) = r;
	}
}

/*
 * Policy replaced with flows in place: conversations and fragmented
 * datagrams under one generation, then the same packets again under a
 * successor that removed rules and handed their ids to new ones, and
 * turned some slices' ue-to-ue on or off; now and then the host's
 * addresses change too (they are not part of a generation). Flow and
 * fragment state are kept across the apply, as in production.
 */
static void test_generations(struct run *run, unsigned int rounds)
{
	uint64_t before = run->disagreements, packets = run->packets;
	struct recording rec = { 0 };
	unsigned int i, k;

	for (i = 0; i < rounds; i++) {
		struct sg_policy pol, next;
		struct hooks hk;
		size_t j;

		random_policy(&pol);
		random_host(&pol);
		if (apply(run, &pol)) {
			run->disagreements++;
			sg_policy_free(&pol);
			break;
		}
		set_hooks(&pol, &hk);
		rec.n = 0;
		run->rec = &rec;
		for (k = 0; k < 100; k++) {
			send_conversation(run, &hk, true);
			/* Fragment verdicts stored under the old rules. */
			if (k % 2 == 0)
				send_fragments(run, &hk);
		}
		run->rec = NULL;

		successor_policy(&pol, &next);
		if (chance(30))
			random_host(&next);
		if (sg_dp_apply(run->dp, &next) ||
		    sg_dp_set_host_prefixes(run->dp, host_addrs.p, host_addrs.n)) {
			run->disagreements++;
		} else {
			run->pol = &next;
			for (j = 0; j < rec.n; j++)
				check_packet(run, &rec.pkts[j].hook, rec.pkts[j].pkt,
					     rec.pkts[j].len);
		}
		run->pol = NULL;
		sg_policy_free(&next);
		sg_policy_free(&pol);
	}
	free(rec.pkts);
	if (run->disagreements != before) {
		printf("# disagreements so far, by kind:\n");
		show_kinds(run);
	}
	tap(run->disagreements == before,
	    "policy replaced under flows: %" PRIu64 " packets compared across %u "
	    "generation changes", run->packets - packets, rounds);
}

/* The random part must reach every reason it can (rates are off there). */
static void test_coverage(const struct run *run)
{
	unsigned int r, missing = 0;

	printf("# reasons reached:");
	for (r = 0; r < SG_R_MAX; r++)
		printf(" %s=%" PRIu64, sg_ref_reason_name(r), run->seen[r]);
	printf("\n");
	for (r = 0; r < SG_R_MAX; r++) {
		if (r == SG_R_POLICY_BUSY || r == SG_R_FLOW_FULL ||
		    r == SG_R_RATE_UE || r == SG_R_RATE_SLICE ||
		    r == SG_R_RATE_APP || r == SG_R_RATE_RULE)
			continue;
		if (!run->seen[r]) {
			printf("# never reached: %s\n", sg_ref_reason_name(r));
			missing++;
		}
	}
	tap(!missing, "differential reached every reason except rates, "
	    "POLICY_BUSY and FLOW_FULL");
}

/*
 * Issue 7 binds every pass to a checked identity at every hook: SPOOF and
 * ND must be reached at each of the four, and the identity-bound state
 * (flows and first fragments) must be reached passing and refusing.
 */
static void test_identity_coverage(const struct run *run)
{
	static const unsigned int per_hook[] = { SG_R_SPOOF, SG_R_ND };
	unsigned int h, i, missing = 0;

	for (h = 0; h < 4; h++) {
		printf("# at %s:", hook_name(h));
		for (i = 0; i < SG_R_MAX; i++)
			if (run->seen_at[h][i])
				printf(" %s=%" PRIu64, sg_ref_reason_name(i),
				       run->seen_at[h][i]);
		printf("\n");
		for (i = 0; i < sizeof(per_hook) / sizeof(per_hook[0]); i++)
			if (!run->seen_at[h][per_hook[i]]) {
				printf("# never reached at %s: %s\n", hook_name(h),
				       sg_ref_reason_name(per_hook[i]));
				missing++;
			}
	}
	tap(!missing, "SPOOF and ND reached at every hook");
}

/*
 * Every branch of uplink egress was reached often enough in the random
 * part of packets packets (egress_cases[]).
 */
static void test_uplink_egress_coverage(const struct run *run, uint64_t packets)
{
	unsigned int i, missing = 0;

	for (i = 0; i < N_EGRESS_CASES; i++) {
		const struct egress_case *c = &egress_cases[i];
		uint64_t need = c->min * packets / 120000;
		bool ok;

		need = need ? need : 1;
		ok = run->egress_reached[i] >= need;
		printf("# %s: %s (at least %" PRIu64 "): %" PRIu64 "\n",
		       ok ? "reached" : "not reached enough", c->what, need,
		       run->egress_reached[i]);
		missing += !ok;
	}
	tap(!missing, "uplink egress reached every branch of its own, often enough");
}

/* Every branch the host's addresses add was reached (host_cases[]). */
static void test_host_coverage(const struct run *run)
{
	unsigned int i, missing = 0;

	for (i = 0; i < N_HOST_CASES; i++) {
		printf("# %s: %s %s: %" PRIu64 "\n",
		       run->host_reached[i] ? "reached" : "never reached",
		       hook_name(host_cases[i].hook), host_cases[i].what,
		       run->host_reached[i]);
		missing += !run->host_reached[i];
	}
	tap(!missing, "the host's addresses reached every branch of theirs at every hook");
}

int main(void)
{
	const char *env_seed = getenv("SG_DIFF_SEED");
	const char *env_packets = getenv("SG_DIFF_PACKETS");
	uint64_t seed, packets = 120000;
	struct sg_dp_opts opts = { 0 };
	struct run run = { 0 };
	int err;

	seed = env_seed ? strtoull(env_seed, NULL, 0) :
			  (uint64_t)time(NULL) ^ (uint64_t)getpid() << 32;
	if (env_packets)
		packets = strtoull(env_packets, NULL, 0);
	if (getenv("SG_DIFF_SHOW"))
		show_max = strtoull(getenv("SG_DIFF_SHOW"), NULL, 0);
	rng_state = seed;
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# seed %" PRIu64 " (SG_DIFF_SEED=%" PRIu64 " reproduces this run)\n",
	       seed, seed);

	if (make_ifaces()) {
		tap(false, "setup: private netns with veths");
		return 1;
	}
	err = sg_dp_open(&opts, &run.dp);
	if (err) {
		tap(false, "setup: sg_dp_open: %s", strerror(-err));
		return 1;
	}
	sg_ref_state_init(&run.state);
	sg_dp_reason_counts(run.dp, run.last);

	test_no_policy(&run);
	test_unknown_iface(&run);
	test_random(&run, packets, seed);
	test_coverage(&run);
	test_identity_coverage(&run);
	test_host_coverage(&run);
	test_uplink_egress_coverage(&run, packets);
	test_rates(&run);
	test_identity(&run);
	test_host(&run);
	test_generations(&run, 10);

	sg_ref_state_free(&run.state);
	sg_dp_close(run.dp);
	return tap_failed ? 1 : 0;
}
