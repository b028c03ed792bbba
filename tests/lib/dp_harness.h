/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the crafted-packet suites of the data path share (tests/bpf/dp_test.c,
 * tests/attacks/attacks.c): a packet builder, the policy every test starts
 * from, and a runner that puts one packet through a program with
 * BPF_PROG_TEST_RUN and checks its verdict, the one reason counter it must
 * bump and its mark (skb->mark from TC, XDP metadata from sg_uplink).
 *
 * Include after kselftest_harness.h. A fixture using the UPLINK/APP_IN/
 * APP_OUT macros has members "struct sg_dp *dp" and "int ifx[N_IFS]".
 *
 * Everything here is static inline: each suite uses a different subset, and
 * unused helpers must not warn.
 */
#ifndef SG_TESTS_DP_HARNESS_H
#define SG_TESTS_DP_HARNESS_H

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <netinet/in.h>

#include "dp.h"
#include "policy.h"

#define XDP_DROP_RET	1
#define XDP_PASS_RET	2
#define TC_PASS_RET	0xffffffffU	/* TC_ACT_UNSPEC */
#define TC_DROP_RET	2		/* TC_ACT_SHOT */

/*
 * Interfaces of the test namespace. std_policy() names the first six;
 * gtpp0 (a gtpu uplink with unsliced pass) is for tests that add it, and
 * spare0 is never in a policy: an interface that is neither uplink nor app
 * (a management veth) for app egress packets to have entered on.
 */
static const char *const ifnames[] = {
	"up0", "gtp0", "open0", "app1", "app2", "app3", "gtpp0", "spare0",
};

enum { UP0, GTP0, OPEN0, APP1, APP2, APP3, GTPP0, SPARE0, N_IFS };

/* App egress: the packet was sent by the host itself (ingress_ifindex 0). */
#define FROM_HOST	(-1)

static inline unsigned int test_resolve(const char *ifname, void *ctx)
{
	(void)ctx;
	return if_nametoindex(ifname);
}

/* ---- packet builder ---- */

struct pkt {
	uint8_t d[2048];
	size_t len;
	int n_ip, n_udp;
	size_t ip_off[3], udp_off[3];
	int ip_v6[3];
	long gtp_off;
};

static inline void pkt_init(struct pkt *p)
{
	memset(p, 0, sizeof(*p));
	p->gtp_off = -1;
}

static inline void put(struct pkt *p, const void *b, size_t n)
{
	memcpy(p->d + p->len, b, n);
	p->len += n;
}

static inline void put8(struct pkt *p, uint8_t v)
{
	put(p, &v, 1);
}

static inline void put16(struct pkt *p, uint16_t v)
{
	v = htons(v);
	put(p, &v, 2);
}

static inline void put32(struct pkt *p, uint32_t v)
{
	v = htonl(v);
	put(p, &v, 4);
}

static inline void zeros(struct pkt *p, size_t n)
{
	memset(p->d + p->len, 0, n);
	p->len += n;
}

static inline void eth(struct pkt *p, uint16_t type)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 };

	put(p, macs, 12);
	put16(p, type);
}

/* A VLAN tag (after eth() with a TPID as type): TCI, then the next type. */
static inline void tag(struct pkt *p, uint16_t vid, uint16_t next)
{
	put16(p, vid);
	put16(p, next);
}

/* Ethernet, with one 802.1Q tag when vid >= 0 (0: a priority tag). */
static inline void eth_vid(struct pkt *p, int vid, uint16_t type)
{
	if (vid >= 0) {
		eth(p, 0x8100);
		tag(p, vid, type);
	} else {
		eth(p, type);
	}
}

static inline void ip4(struct pkt *p, const char *src, const char *dst, uint8_t proto)
{
	struct in_addr a;

	p->ip_off[p->n_ip] = p->len;
	p->ip_v6[p->n_ip++] = 0;
	put8(p, 0x45);
	put8(p, 0);
	put16(p, 0);		/* total length: pkt_done() */
	put16(p, 0x1234);	/* id */
	put16(p, 0);		/* fragment */
	put8(p, 64);
	put8(p, proto);
	put16(p, 0);
	inet_pton(AF_INET, src, &a);
	put(p, &a, 4);
	inet_pton(AF_INET, dst, &a);
	put(p, &a, 4);
}

static inline void ip6(struct pkt *p, const char *src, const char *dst, uint8_t next)
{
	struct in6_addr a;

	p->ip_off[p->n_ip] = p->len;
	p->ip_v6[p->n_ip++] = 1;
	put32(p, 0x60000000);
	put16(p, 0);		/* payload length: pkt_done() */
	put8(p, next);
	put8(p, 64);
	inet_pton(AF_INET6, src, &a);
	put(p, &a, 16);
	inet_pton(AF_INET6, dst, &a);
	put(p, &a, 16);
}

/* An 8-byte IPv6 options/routing header. */
static inline void ext6(struct pkt *p, uint8_t next)
{
	put8(p, next);
	put8(p, 0);
	zeros(p, 6);
}

static inline void frag6(struct pkt *p, uint8_t next, uint16_t off8, int more, uint32_t id)
{
	put8(p, next);
	put8(p, 0);
	put16(p, (off8 << 3) | (more ? 1 : 0));
	put32(p, id);
}

static inline void tcp(struct pkt *p, uint16_t sport, uint16_t dport, uint8_t flags)
{
	put16(p, sport);
	put16(p, dport);
	put32(p, 1);
	put32(p, 0);
	put8(p, 5 << 4);
	put8(p, flags);
	put16(p, 512);
	put32(p, 0);
}

static inline void udp(struct pkt *p, uint16_t sport, uint16_t dport)
{
	p->udp_off[p->n_udp++] = p->len;
	put16(p, sport);
	put16(p, dport);
	put16(p, 0);		/* length: pkt_done() */
	put16(p, 0);
}

static inline void icmp(struct pkt *p, uint8_t type, uint16_t id)
{
	put8(p, type);
	put8(p, 0);
	put16(p, 0);
	put16(p, id);
	put16(p, 1);
}

/* GTP-U header; flags 0x30 is version 1, PT 1, no optional field. */
static inline void gtp(struct pkt *p, uint8_t flags, uint8_t type, uint32_t teid)
{
	p->gtp_off = p->len;
	put8(p, flags);
	put8(p, type);
	put16(p, 0);		/* length: pkt_done() */
	put32(p, teid);
}

/* Fill in every length field from where the packet now ends. */
static inline void pkt_done(struct pkt *p)
{
	int i;

	for (i = 0; i < p->n_ip; i++) {
		size_t off = p->ip_off[i];
		uint16_t v = p->ip_v6[i] ? htons(p->len - off - 40) : htons(p->len - off);

		memcpy(p->d + off + (p->ip_v6[i] ? 4 : 2), &v, 2);
	}
	for (i = 0; i < p->n_udp; i++) {
		uint16_t v = htons(p->len - p->udp_off[i]);

		memcpy(p->d + p->udp_off[i] + 4, &v, 2);
	}
	if (p->gtp_off >= 0) {
		uint16_t v = htons(p->len - p->gtp_off - 8);

		memcpy(p->d + p->gtp_off + 2, &v, 2);
	}
}

static inline void set16(struct pkt *p, size_t off, uint16_t v)
{
	v = htons(v);
	memcpy(p->d + off, &v, 2);
}

/* Frames used again and again. vid < 0: untagged. */
#define TCP_SYN	0x02
#define TCP_ACK	0x10

static inline void v4_tcp(struct pkt *p, int vid, const char *src, const char *dst,
			  uint16_t sport, uint16_t dport, uint8_t flags)
{
	pkt_init(p);
	eth_vid(p, vid, 0x0800);
	ip4(p, src, dst, 6);
	tcp(p, sport, dport, flags);
	pkt_done(p);
}

static inline void v4_udp(struct pkt *p, int vid, const char *src, const char *dst,
			  uint16_t sport, uint16_t dport, size_t payload)
{
	pkt_init(p);
	eth_vid(p, vid, 0x0800);
	ip4(p, src, dst, 17);
	udp(p, sport, dport);
	zeros(p, payload);
	pkt_done(p);
}

/*
 * An IPv4 fragment of a TCP datagram with IP id id at offset off8 (8-byte
 * units); with_tcp: the fragment starts with the TCP header (to dport).
 */
static inline void v4_frag(struct pkt *p, int vid, const char *src, const char *dst,
			   uint16_t id, uint16_t off8, int more, int with_tcp, uint16_t dport,
			   size_t payload)
{
	size_t ip;

	pkt_init(p);
	eth_vid(p, vid, 0x0800);
	ip = p->len;
	ip4(p, src, dst, 6);
	set16(p, ip + 4, id);
	set16(p, ip + 6, (more ? 0x2000 : 0) | off8);
	if (with_tcp)
		tcp(p, 40000, dport, TCP_SYN);
	zeros(p, payload);
	pkt_done(p);
}

/*
 * An ICMP error header (type, code, checksum, MTU or unused); the quoted
 * packet follows: ip4()/ip6() and 8 transport bytes.
 */
static inline void icmp_err(struct pkt *p, uint8_t type, uint8_t code, uint16_t mtu)
{
	put8(p, type);
	put8(p, code);
	put16(p, 0);
	put16(p, 0);
	put16(p, mtu);
}

/* The first 8 bytes of a TCP header, as an ICMP error quotes them. */
static inline void tcp8(struct pkt *p, uint16_t sport, uint16_t dport)
{
	put16(p, sport);
	put16(p, dport);
	put32(p, 1);
}

/* An IPv4 error from src to dst quoting qsrc:qsport -> qdst:qdport over TCP. */
static inline void v4_err(struct pkt *p, int vid, const char *src, const char *dst,
			  uint8_t type, uint8_t code, const char *qsrc, const char *qdst,
			  uint16_t qsport, uint16_t qdport)
{
	pkt_init(p);
	eth_vid(p, vid, 0x0800);
	ip4(p, src, dst, 1);
	icmp_err(p, type, code, 1400);
	ip4(p, qsrc, qdst, 6);
	tcp8(p, qsport, qdport);
	pkt_done(p);
}

/*
 * A GTP-U message from 192.168.50.1 to 192.168.50.2 (the UPF and this
 * host). n_ext PDU session container extension headers; an inner TCP SYN
 * inner_src -> video tcp/443 when inner_src is set.
 */
static inline void gtp_pkt(struct pkt *p, uint8_t flags, uint8_t type, uint32_t teid,
			   const char *inner_src, int n_ext)
{
	int i;

	pkt_init(p);
	eth(p, 0x0800);
	ip4(p, "192.168.50.1", "192.168.50.2", 17);
	udp(p, 2152, 2152);
	gtp(p, n_ext ? flags | 0x04 : flags, type, teid);
	if (n_ext) {
		put16(p, 0);		/* sequence number */
		put8(p, 0);		/* N-PDU */
		put8(p, 0x85);		/* PDU session container */
		for (i = 0; i < n_ext; i++) {
			put8(p, 1);	/* 4 bytes */
			put16(p, 0x0009);
			put8(p, i == n_ext - 1 ? 0 : 0x85);
		}
	}
	if (inner_src) {
		ip4(p, inner_src, "192.0.2.10", 6);
		tcp(p, 40000, 443, TCP_SYN);
	}
	pkt_done(p);
}

/* ---- the policy every test starts from ---- */

static inline void prefix(struct sg_prefix *pf, const char *addr, int len)
{
	memset(pf, 0, sizeof(*pf));
	pf->family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	pf->len = len;
	inet_pton(pf->family, addr, pf->addr);
}

static inline struct sg_slice *add_slice(struct sg_policy *pol, uint32_t id, const char *name,
					 const char *ue4, const char *ue6, uint16_t vlan,
					 uint32_t teid_first, uint32_t mark)
{
	struct sg_slice *s = sg_policy_add_slice(pol);

	s->id = id;
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->sst = id;
	prefix(&s->ue_prefixes[s->n_ue_prefixes++], ue4, 16);
	if (ue6)
		prefix(&s->ue_prefixes[s->n_ue_prefixes++], ue6, 64);
	s->vlans[s->n_vlans++] = vlan;
	s->teid_ranges[0].first = teid_first;
	s->teid_ranges[0].last = teid_first + 0xfff;
	s->n_teid_ranges = 1;
	s->mark = mark;
	return s;
}

static inline struct sg_app *add_app(struct sg_policy *pol, uint32_t id, const char *name,
				     uint32_t slice, const char *ifname)
{
	struct sg_app *a = sg_policy_add_app(pol);

	a->id = id;
	snprintf(a->name, sizeof(a->name), "%s", name);
	a->slices[a->n_slices++] = slice;
	snprintf(a->ifname, sizeof(a->ifname), "%s", ifname);
	return a;
}

static inline void add_endpoint(struct sg_app *a, const char *addr, int len, uint8_t proto,
				uint16_t first, uint16_t last)
{
	struct sg_endpoint *e = &a->endpoints[a->n_endpoints++];

	prefix(&e->prefix, addr, len);
	e->proto = proto;
	e->port_first = first;
	e->port_last = last;
}

static inline struct sg_rule *add_rule(struct sg_policy *pol, uint32_t id, uint32_t sk,
				       uint32_t si, uint32_t dk, uint32_t di, uint8_t proto,
				       uint16_t first, uint16_t last)
{
	struct sg_rule *r = sg_policy_add_rule(pol);

	r->id = id;
	r->src_kind = sk;
	r->src_id = si;
	r->dst_kind = dk;
	r->dst_id = di;
	r->proto = proto;
	r->port_first = first;
	r->port_last = last;
	return r;
}

static inline void add_uplink(struct sg_policy *pol, const char *ifname, uint32_t mode,
			      uint32_t unsliced)
{
	struct sg_uplink *u = sg_policy_add_uplink(pol);

	snprintf(u->ifname, sizeof(u->ifname), "%s", ifname);
	u->mode = mode;
	u->unsliced = unsliced;
}

#define SLICE SLICEGUARD_PEER_SLICE
#define APP SLICEGUARD_PEER_APP
#define ANY SLICEGUARD_PEER_ANY
#define HOST SLICEGUARD_PEER_HOST

/*
 * Slices: 1 embb (10.1/16, fd00:1::/64, VLAN 100, TEIDs 0x1000-0x1fff,
 * mark 0x101), 2 urllc (10.2/16, VLAN 200, TEIDs 0x2000-, DSCP 46, mark
 * 0x102, ue-to-ue), 3 miot (10.3/16, VLAN 300, TEIDs 0x3000-, mark 0x103).
 * Every slice declares a VLAN and TEIDs: on up0 its UEs must come tagged
 * with its VLAN, on gtp0 under its TEIDs.
 * Apps: 10 video (slice 1, 192.0.2.10 and 2001:db8::10 tcp/443, app1),
 * 11 plc (slice 2, 192.0.2.11 udp/5000-5010, app2), 12 telemetry (slices
 * 3 and 2, 192.0.2.12 any, app3).
 * Rules: 1 embb->video tcp/443, 2 urllc->plc udp/5000-5010, 3 miot->telemetry,
 * 4 video->any tcp/80, 5 plc->urllc udp/6000, 6 embb->any icmp,
 * 7 telemetry->plc udp/5005.
 * Uplinks: up0 (ip, unsliced drop), gtp0 (gtpu, unsliced drop), open0 (ip,
 * unsliced pass).
 */
static inline void std_policy(struct sg_policy *pol)
{
	struct sg_slice *s;
	struct sg_app *a;

	sg_policy_init(pol);
	pol->generation = 7;
	add_slice(pol, 1, "embb", "10.1.0.0", "fd00:1::", 100, 0x1000, 0x101);
	s = add_slice(pol, 2, "urllc", "10.2.0.0", NULL, 200, 0x2000, 0x102);
	s->dscps[s->n_dscps++] = 46;
	s->ue_to_ue = true;
	add_slice(pol, 3, "miot", "10.3.0.0", NULL, 300, 0x3000, 0x103);

	a = add_app(pol, 10, "video", 1, "app1");
	add_endpoint(a, "192.0.2.10", 32, 6, 443, 443);
	add_endpoint(a, "2001:db8::10", 128, 6, 443, 443);
	a = add_app(pol, 11, "plc", 2, "app2");
	add_endpoint(a, "192.0.2.11", 32, 17, 5000, 5010);
	a = add_app(pol, 12, "telemetry", 3, "app3");
	a->slices[a->n_slices++] = 2;
	add_endpoint(a, "192.0.2.12", 32, 0, 0, 65535);

	add_rule(pol, 1, SLICE, 1, APP, 10, 6, 443, 443);
	add_rule(pol, 2, SLICE, 2, APP, 11, 17, 5000, 5010);
	add_rule(pol, 3, SLICE, 3, APP, 12, 0, 0, 65535);
	add_rule(pol, 4, APP, 10, ANY, 0, 6, 80, 80);
	add_rule(pol, 5, APP, 11, SLICE, 2, 17, 6000, 6000);
	add_rule(pol, 6, SLICE, 1, ANY, 0, 1, 0, 65535);
	add_rule(pol, 7, APP, 12, APP, 11, 17, 5005, 5005);

	add_uplink(pol, "up0", SLICEGUARD_UPLINK_MODE_IP, SLICEGUARD_UNSLICED_DROP);
	add_uplink(pol, "gtp0", SLICEGUARD_UPLINK_MODE_GTPU, SLICEGUARD_UNSLICED_DROP);
	add_uplink(pol, "open0", SLICEGUARD_UPLINK_MODE_IP, SLICEGUARD_UNSLICED_PASS);
}

static inline int reapply(struct sg_dp *dp, struct sg_policy *pol)
{
	pol->generation++;
	return sg_dp_apply(dp, pol);
}

static inline struct sg_rule *rule_by_id(struct sg_policy *pol, uint32_t id)
{
	unsigned int i;

	for (i = 0; i < pol->n_rules; i++)
		if (pol->rules[i].id == id)
			return &pol->rules[i];
	return NULL;
}

/* ---- running packets ---- */

struct run_result {
	uint32_t retval;
	int reason;		/* the one reason counter that moved, -1: none or several */
	uint32_t mark;
};

/*
 * Run p through prog on ifindex. iif is the TC programs' skb->ingress_ifindex
 * (where the packet entered the host: app egress checks it); XDP ignores it.
 */
static inline int run_pkt(struct sg_dp *dp, enum sg_dp_prog prog, int ifindex, int iif,
			  const struct pkt *p, struct run_result *res)
{
	struct sg_count before[SG_R_MAX], after[SG_R_MAX];
	uint8_t out[2048 + 64];
	int i, err;

	res->retval = 0;
	res->reason = -1;
	res->mark = 0;
	err = sg_dp_reason_counts(dp, before);
	if (err)
		return err;
	if (prog == SG_DP_PROG_UPLINK) {
		struct xdp_md ctx_in = { .data_end = p->len, .ingress_ifindex = ifindex };
		struct xdp_md ctx_out = {};
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = p->d, .data_size_in = p->len,
			    .data_out = out, .data_size_out = sizeof(out),
			    .ctx_in = &ctx_in, .ctx_size_in = sizeof(ctx_in),
			    .ctx_out = &ctx_out, .ctx_size_out = sizeof(ctx_out));

		err = bpf_prog_test_run_opts(sg_dp_prog_fd(dp, prog), &o);
		if (err)
			return -errno;
		res->retval = o.retval;
		res->mark = 0;
		/* data_out starts at data_meta; ctx_out.data is the metadata size. */
		if (ctx_out.data >= sizeof(struct sg_xdp_meta)) {
			struct sg_xdp_meta meta;

			memcpy(&meta, out, sizeof(meta));
			if (meta.magic == SG_META_MAGIC)
				res->mark = meta.mark;
		}
	} else {
		struct __sk_buff ctx_in = { .ifindex = ifindex, .ingress_ifindex = iif };
		struct __sk_buff ctx_out = {};
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = p->d, .data_size_in = p->len,
			    .data_out = out, .data_size_out = sizeof(out),
			    .ctx_in = &ctx_in, .ctx_size_in = sizeof(ctx_in),
			    .ctx_out = &ctx_out, .ctx_size_out = sizeof(ctx_out));

		err = bpf_prog_test_run_opts(sg_dp_prog_fd(dp, prog), &o);
		if (err)
			return -errno;
		res->retval = o.retval;
		res->mark = ctx_out.mark;
	}
	err = sg_dp_reason_counts(dp, after);
	if (err)
		return err;
	res->reason = -1;
	for (i = 0; i < SG_R_MAX; i++) {
		uint64_t d = after[i].packets - before[i].packets;

		if (!d)
			continue;
		if (d != 1 || res->reason != -1) {
			res->reason = -1;
			break;
		}
		res->reason = i;
	}
	return 0;
}

static inline const char *name_of(int reason)
{
	const char *n = reason >= 0 ? sg_reason_name(reason) : NULL;

	return n ? n : "(no single reason)";
}

/*
 * Run one packet and check verdict, reason and mark. mark < 0: do not
 * check the mark.
 */
static inline int check_pkt(struct __test_metadata *_metadata, struct sg_dp *dp,
			    enum sg_dp_prog prog, int ifindex, int iif, const struct pkt *p,
			    int want, long long mark, const char *what)
{
	bool xdp = prog == SG_DP_PROG_UPLINK;
	uint32_t want_ret = sg_reason_passes(want) ? (xdp ? XDP_PASS_RET : TC_PASS_RET) :
						      (xdp ? XDP_DROP_RET : TC_DROP_RET);
	struct run_result r;
	int err = run_pkt(dp, prog, ifindex, iif, p, &r);

	if (err) {
		TH_LOG("%s: test run failed: %s", what, strerror(-err));
		return 0;
	}
	if (r.reason != want) {
		TH_LOG("%s: expected reason %s, got %s", what, name_of(want), name_of(r.reason));
		return 0;
	}
	if (r.retval != want_ret) {
		TH_LOG("%s: expected return %u (%s), got %u", what, want_ret,
		       sg_reason_passes(want) ? "pass" : "drop", r.retval);
		return 0;
	}
	if (mark >= 0 && r.mark != (uint32_t)mark) {
		TH_LOG("%s: expected mark %#llx, got %#x", what, mark, r.mark);
		return 0;
	}
	return 1;
}

/* A fresh network namespace with a veth pair per name of ifnames[]. */
static inline void make_netns(struct __test_metadata *_metadata, int *ifx)
{
	char cmd[256];
	int i;

	ASSERT_EQ(0, unshare(CLONE_NEWNET)) TH_LOG("unshare(CLONE_NEWNET): %s", strerror(errno));
	for (i = 0; i < N_IFS; i++) {
		/* The host kernel has veth but not necessarily dummy. */
		snprintf(cmd, sizeof(cmd),
			 "ip link add %s type veth peer name %sp && ip link set %s up",
			 ifnames[i], ifnames[i], ifnames[i]);
		ASSERT_EQ(0, system(cmd)) TH_LOG("%s failed", cmd);
		ifx[i] = if_nametoindex(ifnames[i]);
		ASSERT_NE(0, ifx[i]);
	}
}

/* ifindex an app egress packet entered on: an interface of ifx[], or FROM_HOST. */
#define IIF(from) ((from) == FROM_HOST ? 0 : self->ifx[from])

/*
 * The host's own addresses in every fixture: one outside everything, the
 * loopback ranges, the gateway address inside embb's UE pools and one
 * inside a prefix the attack suite gives telemetry as an endpoint.
 */
static const struct {
	const char *addr;
	int len;
} test_host_addrs[] = {
	{ "198.51.100.254", 32 }, { "2001:db8:ffff::fe", 128 },
	{ "127.0.0.0", 8 }, { "::1", 128 },
	{ "10.1.0.1", 32 }, { "fd00:1::1", 128 },
	{ "198.18.0.1", 32 },
};

static inline int set_test_host_addrs(struct sg_dp *dp)
{
	struct sg_host_prefix hp[sizeof(test_host_addrs) / sizeof(test_host_addrs[0])] = {};
	size_t i;

	for (i = 0; i < sizeof(hp) / sizeof(hp[0]); i++) {
		prefix(&hp[i].prefix, test_host_addrs[i].addr, test_host_addrs[i].len);
		hp[i].ifindex = 1;
	}
	return sg_dp_set_host_prefixes(dp, hp, i);
}

static int drop_event(void *ctx, const struct sg_deny_event *e)
{
	return 0;
}

/*
 * A data path as a test finds it: no flows, fragments, buckets or waiting
 * deny events (a data path shared by the tests of a suite keeps them), the
 * fixtures' host addresses, and the policy make_policy writes, applied.
 */
static inline void dp_fixture_start(struct __test_metadata *_metadata, struct sg_dp *dp,
				    struct sg_policy *pol, void (*make_policy)(struct sg_policy *pol))
{
	int err;

	ASSERT_EQ(0, sg_dp_flush_state(dp));
	while ((err = sg_dp_poll_events(dp, drop_event, NULL, 0)) > 0)
		;
	ASSERT_LE(0, err) TH_LOG("draining deny events: %s", strerror(-err));
	err = set_test_host_addrs(dp);
	ASSERT_EQ(0, err) TH_LOG("host addresses: %s", sg_dp_errmsg(dp));
	make_policy(pol);
	err = sg_dp_apply(dp, pol);
	ASSERT_EQ(0, err) TH_LOG("sg_dp_apply: %s (%s)", strerror(-err), sg_dp_errmsg(dp));
}

/*
 * What every fixture of these suites does first: a network namespace with
 * the test interfaces and a private data path, started as above.
 */
static inline void dp_fixture_open(struct __test_metadata *_metadata, struct sg_dp **dp,
				   struct sg_policy *pol, int *ifx,
				   void (*make_policy)(struct sg_policy *pol))
{
	struct sg_dp_opts opts = { .resolve_ifindex = test_resolve };
	int err;

	make_netns(_metadata, ifx);
	err = sg_dp_open(&opts, dp);
	ASSERT_EQ(0, err) TH_LOG("sg_dp_open: %s", strerror(-err));
	dp_fixture_start(_metadata, *dp, pol, make_policy);
}

#define UPLINK(ifi, pkt, reason, mark) \
	ASSERT_TRUE(check_pkt(_metadata, self->dp, SG_DP_PROG_UPLINK, self->ifx[ifi], 0, pkt, \
			      reason, mark, #pkt " on " #ifi))
#define APP_IN(ifi, pkt, reason, mark) \
	ASSERT_TRUE(check_pkt(_metadata, self->dp, SG_DP_PROG_APP_INGRESS, self->ifx[ifi], 0, \
			      pkt, reason, mark, #pkt " from " #ifi))
/* What app ifi receives, having entered the host on from. */
#define APP_OUT(ifi, from, pkt, reason, mark) \
	ASSERT_TRUE(check_pkt(_metadata, self->dp, SG_DP_PROG_EGRESS, self->ifx[ifi], \
			      IIF(from), pkt, reason, mark, #pkt " to " #ifi " via " #from))

#endif /* SG_TESTS_DP_HARNESS_H */
