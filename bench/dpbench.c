// SPDX-License-Identifier: GPL-2.0
/*
 * dpbench: per-packet cost of the sliceguard data path beside xdp-filter
 * and the floor, as the policy grows.
 *
 * Every packet class runs through its program with BPF_PROG_TEST_RUN: the
 * kernel runs the program on the frame as it would on a received one, minus
 * the driver. Three systems, in one run:
 * - sliceguard's programs (sg_uplink, sg_app, sg_egress), programmed by the
 *   user library the agent uses;
 * - xdp-filter from Debian's xdp-tools, loaded by its own CLI with every
 *   feature on as an allow list (policy deny), run through libxdp's
 *   dispatcher as the kernel runs it, on the packets its model can decide;
 * - the floor: programs that only pass, run the same way, which is what
 *   BPF_PROG_TEST_RUN itself costs on this machine now.
 * Policies of 1, 100, 1,024, 10,000 and 100,000 rules; a size a system
 * cannot hold is reported as not reachable, with the reason.
 *
 * Two methods (each row says which):
 * - repeat: one frame, REPEAT runs in one call, the kernel's mean ns per
 *   run. A flow is decided once and then found, so this is the cost of
 *   established flows, and of what is decided anew every time (denials,
 *   spoofs, policing).
 * - single: REPEAT / 50 calls of one run each, every one a 5-tuple not seen
 *   before; the median of the per-call times. For new flows, beside the
 *   floor measured the same way.
 * Each value is the median of TRIALS trials; the spread is (max - min) /
 * median. Only ratios within one run mean anything; nothing here asserts a
 * time. Every row is checked to end in the verdict it is named for.
 *
 *   dpbench [-q] [-n REPEAT] [-t TRIALS] [-o FILE.json]
 *
 * -q: quick (sizes 1 and 100, REPEAT 100000, 1 trial): proves the
 * benchmark works, says nothing about times. Root (CAP_BPF, CAP_NET_ADMIN,
 * CAP_SYS_ADMIN): it works in its own network and mount namespaces with a
 * private bpffs, so nothing it loads or pins outlives it, and it never
 * meets another instance of xdp-filter.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>
#include <linux/bpf.h>

#include "dp.h"

static const unsigned int sizes[] = { 1, 100, 1024, 10000, 100000 };
#define N_SIZES		(sizeof(sizes) / sizeof(sizes[0]))
#define MAX_TRIALS	15

enum hook { UPLINK, UPLINK_GTPU, APP_IN, APP_OUT, UPLINK_OUT };
enum method { REPEAT, SINGLE };
enum system { SYS_SG, SYS_XDPF, SYS_FLOOR, N_SYSTEMS };

static const char *const system_names[N_SYSTEMS] = {
	"sliceguard", "xdp-filter", "floor",
};

struct pkt_class {
	const char *name;
	enum hook hook;
	enum method method;
	int sg_reason;		/* the verdict sliceguard must reach */
	bool policed;		/* under the policy whose rule 1 has a rate */
	/* xdp-filter: its verdict, or why it cannot decide this packet */
	int xdpf_verdict;
	const char *xdpf_na;
	/* where the 16-bit source port sits, for SINGLE's new 5-tuples */
	size_t sport_at;
	uint8_t frame[1536];
	size_t len;
};

/* The packet classes, in the order of the report's rows (build_classes()). */
enum {
	C_V4_FLOW, C_V4_FLOW_BIG, C_V6_FLOW, C_NEW, C_DENIED, C_SPOOF, C_GTPU,
	C_POLICED, C_APP_REPLY, C_APP_DENIED, C_APP_OUT, C_UP_OUT, N_CLASSES
};

static void put(struct pkt_class *c, const void *p, size_t n)
{
	memcpy(c->frame + c->len, p, n);
	c->len += n;
}

static void put16(struct pkt_class *c, uint16_t v)
{
	v = htons(v);
	put(c, &v, 2);
}

static void put32(struct pkt_class *c, uint32_t v)
{
	v = htonl(v);
	put(c, &v, 4);
}

static void eth(struct pkt_class *c, int vid, uint16_t proto)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 };

	put(c, macs, sizeof(macs));
	if (vid >= 0) {
		put16(c, 0x8100);
		put16(c, (uint16_t)vid);
	}
	put16(c, proto);
}

static void ipv4(struct pkt_class *c, uint32_t src, uint32_t dst, uint8_t proto,
		 uint16_t payload)
{
	put16(c, 0x4500);
	put16(c, (uint16_t)(20 + payload));
	put32(c, 0x12344000);
	put16(c, (uint16_t)(64 << 8 | proto));
	put16(c, 0);
	put32(c, src);
	put32(c, dst);
}

/* fd00:<hi>::<lo> */
static void put_ip6(struct pkt_class *c, uint16_t hi, uint16_t lo)
{
	uint8_t a[16] = { 0xfd, 0x00, hi >> 8, hi & 0xff };

	a[14] = lo >> 8;
	a[15] = lo & 0xff;
	put(c, a, sizeof(a));
}

static void ipv6(struct pkt_class *c, uint16_t src_hi, uint16_t src_lo,
		 uint16_t dst_hi, uint16_t dst_lo, uint8_t proto, uint16_t payload)
{
	put32(c, 0x60000000);
	put16(c, payload);
	put16(c, (uint16_t)(proto << 8 | 64));
	put_ip6(c, src_hi, src_lo);
	put_ip6(c, dst_hi, dst_lo);
}

static void tcp(struct pkt_class *c, uint16_t sport, uint16_t dport,
		uint8_t flags)
{
	c->sport_at = c->len;
	put16(c, sport);
	put16(c, dport);
	put32(c, 1);
	put32(c, 0);
	put16(c, (uint16_t)(5 << 12 | flags));
	put16(c, 65535);
	put32(c, 0);
}

static void udp(struct pkt_class *c, uint16_t sport, uint16_t dport, uint16_t payload)
{
	c->sport_at = c->len;
	put16(c, sport);
	put16(c, dport);
	put16(c, (uint16_t)(8 + payload));
	put16(c, 0);
	while (payload--)
		put(c, "", 1);
}

#define UE0	0x0a100002	/* 10.16.0.2, a UE of slice 0 */
#define APP0	0x0ac80000	/* 10.200.0.0, app 0 */
#define EXT	0xc6336401	/* 198.51.100.1, no app's */
#define UE6_HI	0x10		/* fd00:10::/48, slice 0's IPv6 UEs */
#define APP6_HI	0xc8		/* fd00:c8::<i>, app i's IPv6 address */
#define SLICE0_VLAN 100
#define TCP_SYN	0x02
#define TCP_ACK	0x10
#define XDPF_NO_TUNNEL "does not look inside GTP-U"

static void build_classes(struct pkt_class *c)
{
	unsigned int i;

	i = C_V4_FLOW;
	c[i] = (struct pkt_class){ .name = "uplink: IPv4/UDP UE->app, established flow",
				   .hook = UPLINK, .sg_reason = SG_R_FLOW,
				   .xdpf_verdict = XDP_PASS };
	eth(&c[i], SLICE0_VLAN, 0x0800);
	ipv4(&c[i], UE0, APP0, 17, 8 + 18);
	udp(&c[i], 40000, 5000, 18);

	/* The same flow at the largest Ethernet frame: what a byte costs. */
	i = C_V4_FLOW_BIG;
	c[i] = (struct pkt_class){ .name = "uplink: IPv4/UDP UE->app, established flow, 1518 bytes",
				   .hook = UPLINK, .sg_reason = SG_R_FLOW,
				   .xdpf_verdict = XDP_PASS };
	eth(&c[i], SLICE0_VLAN, 0x0800);
	ipv4(&c[i], UE0, APP0, 17, 1500 - 20);
	udp(&c[i], 40000, 5000, 1500 - 28);

	i = C_V6_FLOW;
	c[i] = (struct pkt_class){ .name = "uplink: IPv6/TCP UE->app, established flow",
				   .hook = UPLINK, .sg_reason = SG_R_FLOW,
				   .xdpf_verdict = XDP_PASS };
	eth(&c[i], SLICE0_VLAN, 0x86dd);
	ipv6(&c[i], UE6_HI, 2, APP6_HI, 0, 6, 20);
	tcp(&c[i], 40000, 8080, TCP_ACK);

	i = C_NEW;
	c[i] = (struct pkt_class){ .name = "uplink: IPv4/TCP UE->app, new allowed flow",
				   .hook = UPLINK, .method = SINGLE, .sg_reason = SG_R_RULE,
				   .xdpf_verdict = XDP_PASS };
	eth(&c[i], SLICE0_VLAN, 0x0800);
	ipv4(&c[i], UE0, APP0, 6, 20);
	tcp(&c[i], 1024, 8080, TCP_SYN);

	i = C_DENIED;
	c[i] = (struct pkt_class){ .name = "uplink: IPv4/TCP UE->unlisted address, denied",
				   .hook = UPLINK, .sg_reason = SG_R_NO_RULE,
				   .xdpf_verdict = XDP_DROP };
	eth(&c[i], SLICE0_VLAN, 0x0800);
	ipv4(&c[i], UE0, EXT, 6, 20);
	tcp(&c[i], 40000, 443, TCP_SYN);

	/* Slice 0's VLAN, a source outside slice 0's pool. */
	i = C_SPOOF;
	c[i] = (struct pkt_class){ .name = "uplink: IPv4/TCP spoofed source",
				   .hook = UPLINK, .sg_reason = SG_R_SPOOF,
				   .xdpf_na = "has no source bound to a VLAN or a UE pool" };
	eth(&c[i], SLICE0_VLAN, 0x0800);
	ipv4(&c[i], UE0 + 0x10000, APP0, 6, 20);
	tcp(&c[i], 40000, 8080, TCP_SYN);

	i = C_GTPU;
	c[i] = (struct pkt_class){ .name = "uplink: GTP-U UE->app, established flow",
				   .hook = UPLINK_GTPU, .sg_reason = SG_R_FLOW,
				   .xdpf_na = XDPF_NO_TUNNEL };
	eth(&c[i], -1, 0x0800);
	ipv4(&c[i], 0xc0000201, 0xc0000202, 17, 8 + 8 + 40);
	put16(&c[i], 2152);
	put16(&c[i], 2152);
	put16(&c[i], 8 + 8 + 40);
	put16(&c[i], 0);
	put16(&c[i], 0x30ff);		/* GTP-U v1, PT, G-PDU */
	put16(&c[i], 40);
	put32(&c[i], 0x1000);		/* TEID of slice 0 */
	ipv4(&c[i], UE0, APP0, 6, 20);
	tcp(&c[i], 40001, 8080, TCP_ACK);

	/* Rule 1 with a rate of one packet per second: all but the first few. */
	i = C_POLICED;
	c[i] = (struct pkt_class){ .name = "uplink: IPv4/UDP UE->app, over the rule's rate",
				   .hook = UPLINK, .policed = true, .sg_reason = SG_R_RATE_RULE,
				   .xdpf_na = "has no rates" };
	eth(&c[i], SLICE0_VLAN, 0x0800);
	ipv4(&c[i], UE0, APP0, 17, 8 + 18);
	udp(&c[i], 40000, 5000, 18);

	i = C_APP_REPLY;
	c[i] = (struct pkt_class){ .name = "app ingress: IPv4/UDP reply to a UE",
				   .hook = APP_IN, .sg_reason = SG_R_REPLY,
				   .xdpf_na = "is XDP only; the app hooks are TC" };
	eth(&c[i], -1, 0x0800);
	ipv4(&c[i], APP0, UE0, 17, 8 + 18);
	udp(&c[i], 5000, 40000, 18);

	i = C_APP_DENIED;
	c[i] = (struct pkt_class){ .name = "app ingress: IPv4/TCP to an unlisted address, denied",
				   .hook = APP_IN, .sg_reason = SG_R_NO_RULE,
				   .xdpf_na = "is XDP only; the app hooks are TC" };
	eth(&c[i], -1, 0x0800);
	ipv4(&c[i], APP0, EXT, 6, 20);
	tcp(&c[i], 40000, 443, TCP_SYN);

	i = C_APP_OUT;
	c[i] = (struct pkt_class){ .name = "app egress: IPv4/UDP UE->app, established flow",
				   .hook = APP_OUT, .sg_reason = SG_R_FLOW,
				   .xdpf_na = "is XDP only; the app hooks are TC" };
	eth(&c[i], -1, 0x0800);
	ipv4(&c[i], UE0, APP0, 17, 8 + 18);
	udp(&c[i], 40000, 5000, 18);

	/* The app's reply leaving the uplink toward the UE. */
	i = C_UP_OUT;
	c[i] = (struct pkt_class){ .name = "uplink egress: IPv4/UDP app->UE, reply",
				   .hook = UPLINK_OUT, .sg_reason = SG_R_REPLY,
				   .xdpf_na = "is XDP only; uplink egress is TC" };
	eth(&c[i], -1, 0x0800);
	ipv4(&c[i], APP0, UE0, 17, 8 + 18);
	udp(&c[i], 5000, 40000, 18);
}

/* Whether sliceguard's data path holds a policy of n rules, and if not why. */
static const char *sg_unreachable(unsigned int n)
{
	return n > SG_MAX_RULES ?
		"the data path holds 1,024 rules (SG_MAX_RULES, fixed at compile time)" : NULL;
}

/*
 * A policy of n_rules rules over min(64, n/16) slices and min(256, n/4)
 * apps. Rule 1, slice 0 -> app 0, any protocol, is the one the flows use
 * (rate-limited to a packet a second when policed); the others fill the
 * rule trie with ranges of several port blocks between other pairs.
 */
static void build_policy(struct sg_policy *pol, unsigned int n_rules, bool policed)
{
	unsigned int n_slices = n_rules / 16, n_apps = n_rules / 4, i;
	static uint64_t generation;

	n_slices = n_slices < 1 ? 1 : n_slices > SG_MAX_SLICES ? SG_MAX_SLICES : n_slices;
	n_apps = n_apps < 1 ? 1 : n_apps > SG_MAX_APPS ? SG_MAX_APPS : n_apps;
	sg_policy_init(pol);
	pol->generation = ++generation;
	for (i = 0; i < n_slices; i++) {
		struct sg_slice *s = sg_policy_add_slice(pol);

		s->id = i + 1;
		snprintf(s->name, sizeof(s->name), "s%u", i);
		s->sst = 1;
		s->n_ue_prefixes = 2;
		s->ue_prefixes[0].family = AF_INET;
		s->ue_prefixes[0].len = 16;
		s->ue_prefixes[0].addr[0] = 10;
		s->ue_prefixes[0].addr[1] = (uint8_t)(16 + i);
		s->ue_prefixes[1].family = AF_INET6;
		s->ue_prefixes[1].len = 48;
		s->ue_prefixes[1].addr[0] = 0xfd;
		s->ue_prefixes[1].addr[3] = (uint8_t)(UE6_HI + i);
		s->n_vlans = 1;
		s->vlans[0] = (uint16_t)(SLICE0_VLAN + i);
		s->n_teid_ranges = 1;
		s->teid_ranges[0].first = (i + 1) << 12;
		s->teid_ranges[0].last = ((i + 1) << 12) + 0xfff;
		s->mark = 0x100 + i;
	}
	for (i = 0; i < n_apps; i++) {
		struct sg_app *a = sg_policy_add_app(pol);
		unsigned int e;

		a->id = i + 1;
		snprintf(a->name, sizeof(a->name), "a%u", i);
		a->n_slices = 1;
		a->slices[0] = pol->slices[i % n_slices].id;
		a->n_endpoints = 2;
		for (e = 0; e < 2; e++) {
			struct sg_prefix *p = &a->endpoints[e].prefix;

			p->family = e ? AF_INET6 : AF_INET;
			p->len = e ? 128 : 32;
			if (e) {
				p->addr[0] = 0xfd;
				p->addr[3] = APP6_HI;
				p->addr[14] = (uint8_t)(i / 256);
				p->addr[15] = (uint8_t)(i % 256);
			} else {
				p->addr[0] = 10;
				p->addr[1] = 200;
				p->addr[2] = (uint8_t)(i / 256);
				p->addr[3] = (uint8_t)(i % 256);
			}
			a->endpoints[e].port_last = 65535;
		}
		if (i == 0)
			snprintf(a->ifname, sizeof(a->ifname), "sgb-app");
	}
	for (i = 0; i < n_rules; i++) {
		struct sg_rule *r = sg_policy_add_rule(pol);

		r->id = i + 1;
		r->src_kind = SLICEGUARD_PEER_SLICE;
		r->src_id = pol->slices[i % n_slices].id;
		r->dst_kind = SLICEGUARD_PEER_APP;
		r->dst_id = pol->apps[(i / n_slices) % n_apps].id;
		if (i == 0) {
			r->port_last = 65535;
			if (policed)
				r->rate_packets = 1;
		} else {
			/* distinct ranges of a few blocks each */
			r->proto = 6;
			r->port_first = (uint16_t)(10000 + 37 * i);
			r->port_last = (uint16_t)(r->port_first + 1 + i % 29);
		}
	}
	for (i = 0; i < 2; i++) {
		struct sg_uplink *u = sg_policy_add_uplink(pol);

		snprintf(u->ifname, sizeof(u->ifname), "sgb-up%u", i);
		u->mode = i ? SLICEGUARD_UPLINK_MODE_GTPU : SLICEGUARD_UPLINK_MODE_IP;
		u->unsliced = SLICEGUARD_UNSLICED_DROP;
	}
}

/* ---- measuring ---- */

struct prog {
	int fd;
	void *ctx;
	__u32 ctx_size;
	struct xdp_md xdp;
	struct __sk_buff skb;
};

static void prog_ctx(struct prog *p, enum bpf_prog_type type, int ifindex, int in_ifindex)
{
	memset(&p->xdp, 0, sizeof(p->xdp));
	memset(&p->skb, 0, sizeof(p->skb));
	if (type == BPF_PROG_TYPE_XDP) {
		p->xdp.ingress_ifindex = ifindex;
		p->ctx = &p->xdp;
		p->ctx_size = sizeof(p->xdp);
	} else {
		p->skb.ifindex = ifindex;
		p->skb.ingress_ifindex = in_ifindex;
		p->ctx = &p->skb;
		p->ctx_size = sizeof(p->skb);
	}
	/* The floor runs without a context, as it reads none. */
	if (!ifindex)
		p->ctx = NULL, p->ctx_size = 0;
}

/* One BPF_PROG_TEST_RUN call: the mean ns per run, and the last verdict. */
static int run(struct prog *p, const uint8_t *frame, size_t len, unsigned int repeat,
	       double *ns, __u32 *retval)
{
	uint8_t out[2048];
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = frame,
		.data_size_in = (uint32_t)len,
		.data_out = out,
		.data_size_out = sizeof(out),
		.repeat = repeat,
	);

	if (p->xdp.data_end || p->ctx == &p->xdp)
		p->xdp.data_end = (uint32_t)len;
	opts.ctx_in = p->ctx;
	opts.ctx_size_in = p->ctx_size;
	if (bpf_prog_test_run_opts(p->fd, &opts))
		return -errno;
	*ns = opts.duration;
	*retval = opts.retval;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* A new source port per SINGLE call: 60,000 5-tuples before one repeats. */
static uint16_t next_sport(void)
{
	static unsigned int n;

	return (uint16_t)(1024 + n++ % 60000);
}

/*
 * One trial of c on p: the mean ns per run (REPEAT) or the median of the
 * one-run calls (SINGLE), and the verdict of the last run.
 */
static int trial(struct prog *p, struct pkt_class *c, unsigned int repeat, double *ns,
		 __u32 *retval)
{
	unsigned int calls = repeat / 50, k;
	double *one;
	int err = 0;

	if (c->method == REPEAT)
		return run(p, c->frame, c->len, repeat, ns, retval);
	one = calloc(calls, sizeof(*one));
	if (!one)
		return -ENOMEM;
	for (k = 0; k < calls && !err; k++) {
		uint16_t sport = htons(next_sport());

		memcpy(c->frame + c->sport_at, &sport, 2);
		err = run(p, c->frame, c->len, 1, &one[k], retval);
	}
	*ns = median(one, calls);
	free(one);
	return err;
}

struct cell {
	bool measured;
	const char *not_reachable;	/* why, when it is not */
	double median, spread;
	const char *verdict;
};

static void cell_of(struct cell *cell, double *trials, unsigned int n, const char *verdict)
{
	double lo = trials[0], hi = trials[0];
	unsigned int t;

	for (t = 1; t < n; t++) {
		lo = trials[t] < lo ? trials[t] : lo;
		hi = trials[t] > hi ? trials[t] : hi;
	}
	cell->measured = true;
	cell->median = median(trials, n);
	cell->spread = cell->median > 0 ? (hi - lo) / cell->median : 0;
	cell->verdict = verdict;
}

/* The reason most runs of the trial ended in (counters summed over CPUs). */
static unsigned int top_reason(const struct sg_count *before, const struct sg_count *after)
{
	unsigned int r, best = 0;

	for (r = 0; r < SG_R_MAX; r++)
		if (after[r].packets - before[r].packets >
		    after[best].packets - before[best].packets)
			best = r;
	return best;
}

static int measure_sg(struct sg_dp *dp, struct pkt_class *c, unsigned int repeat,
		      unsigned int trials, struct cell *cell)
{
	struct sg_count before[SG_R_MAX], after[SG_R_MAX];
	double ns[MAX_TRIALS];
	unsigned int t, reason = 0;
	struct prog p;
	__u32 retval;
	int err;

	if (c->hook == UPLINK || c->hook == UPLINK_GTPU) {
		prog_ctx(&p, BPF_PROG_TYPE_XDP,
			 if_nametoindex(c->hook == UPLINK ? "sgb-up0" : "sgb-up1"), 0);
		p.fd = sg_dp_prog_fd(dp, SG_DP_PROG_UPLINK);
	} else {
		/*
		 * What an app receives entered on the (ip) uplink; what leaves
		 * the uplink, on the app's interface.
		 */
		prog_ctx(&p, BPF_PROG_TYPE_SCHED_CLS,
			 if_nametoindex(c->hook == UPLINK_OUT ? "sgb-up0" : "sgb-app"),
			 c->hook == APP_OUT ? if_nametoindex("sgb-up0") :
			 c->hook == UPLINK_OUT ? if_nametoindex("sgb-app") : 0);
		p.fd = sg_dp_prog_fd(dp, c->hook == APP_IN ? SG_DP_PROG_APP_INGRESS :
							      SG_DP_PROG_EGRESS);
	}
	for (t = 0; t < trials; t++) {
		sg_dp_reason_counts(dp, before);
		err = trial(&p, c, repeat, &ns[t], &retval);
		if (err)
			return err;
		sg_dp_reason_counts(dp, after);
		reason = top_reason(before, after);
		if ((int)reason != c->sg_reason) {
			fprintf(stderr, "dpbench: %s: sliceguard decided %s, not %s\n",
				c->name, sg_reason_name(reason), sg_reason_name(c->sg_reason));
			return -EPROTO;
		}
	}
	cell_of(cell, ns, trials, sg_reason_name(reason));
	return 0;
}

static const char *xdp_verdict_name(__u32 v)
{
	return v == XDP_PASS ? "pass" : v == XDP_DROP ? "drop" : "other";
}

static int measure_prog(struct prog *p, struct pkt_class *c, unsigned int repeat,
			unsigned int trials, int want, struct cell *cell)
{
	double ns[MAX_TRIALS];
	unsigned int t;
	__u32 retval;
	int err;

	for (t = 0; t < trials; t++) {
		err = trial(p, c, repeat, &ns[t], &retval);
		if (err)
			return err;
		if (want >= 0 && retval != (__u32)want) {
			fprintf(stderr, "dpbench: %s: verdict %u, not %d\n", c->name, retval, want);
			return -EPROTO;
		}
	}
	cell_of(cell, ns, trials, xdp_verdict_name(retval));
	return 0;
}

/* ---- the namespaces and xdp-filter ---- */

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int ret;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	ret = system(cmd);
	if (ret)
		fprintf(stderr, "dpbench: `%s` failed (%d)\n", cmd, ret);
	return ret ? -1 : 0;
}

/*
 * A network namespace of our own for the veths, and a mount namespace with
 * a private bpffs on /sys/fs/bpf, where xdp-filter (which always pins
 * there) and libxdp keep their pins: they vanish with us.
 */
static int make_namespaces(void)
{
	static const char *const names[] = { "sgb-up0", "sgb-up1", "sgb-app", "sgb-xf" };
	unsigned int i;

	if (unshare(CLONE_NEWNET | CLONE_NEWNS)) {
		perror("dpbench: unshare");
		return -1;
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("bpf", "/sys/fs/bpf", "bpf", 0, NULL)) {
		perror("dpbench: private bpffs on /sys/fs/bpf");
		return -1;
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (sh("ip link add %s type veth peer name %sp && ip link set %s up && "
		       "ip link set %sp up", names[i], names[i], names[i], names[i]))
			return -1;
	return 0;
}

struct xdpf {
	int prog_fd;
	int map_fd[2];		/* filter_ipv4, filter_ipv6 */
	__u32 max_entries;
	unsigned int n;		/* allowed destinations per family so far */
	uint64_t *dst_value;	/* per CPU: what its CLI stores for "-m dst" */
	int ncpus;
	char version[64];
};

static void xdpf_key(int family, unsigned int i, uint8_t *key)
{
	memset(key, 0, 16);
	if (family == AF_INET) {
		key[0] = 10, key[1] = 200, key[2] = (uint8_t)(i / 256), key[3] = (uint8_t)(i % 256);
	} else {
		key[0] = 0xfd, key[3] = APP6_HI;
		key[14] = (uint8_t)(i / 256), key[15] = (uint8_t)(i % 256);
	}
}

/*
 * xdp-filter loaded by its CLI on sgb-xf, every feature on, policy deny:
 * a packet passes when one of its addresses, ports or MACs is listed. App
 * 0's addresses are listed by the CLI; the value it stored is what the
 * rest of each size's destinations get, written into its maps directly
 * (one CLI call per entry would take minutes at 10,000).
 */
static int xdpf_open(struct xdpf *x)
{
	static const char *const maps[2] = { "filter_ipv4", "filter_ipv6" };
	struct bpf_map_info info = { 0 };
	__u32 info_len = sizeof(info), prog_id = 0;
	uint8_t key[16];
	unsigned int m;
	FILE *f;

	if (sh("xdp-filter load -p deny -f all sgb-xf") ||
	    sh("xdp-filter ip -m dst 10.200.0.0 && xdp-filter ip -m dst fd00:c8::") ||
	    bpf_xdp_query_id(if_nametoindex("sgb-xf"), 0, &prog_id))
		return -1;
	x->prog_fd = bpf_prog_get_fd_by_id(prog_id);
	x->ncpus = libbpf_num_possible_cpus();
	x->dst_value = calloc(x->ncpus, sizeof(uint64_t));
	if (x->prog_fd < 0 || x->ncpus <= 0 || !x->dst_value)
		return -1;
	for (m = 0; m < 2; m++) {
		char path[64];

		snprintf(path, sizeof(path), "/sys/fs/bpf/xdp-filter/%s", maps[m]);
		x->map_fd[m] = bpf_obj_get(path);
		if (x->map_fd[m] < 0) {
			fprintf(stderr, "dpbench: %s: %s\n", path, strerror(errno));
			return -1;
		}
	}
	if (bpf_map_get_info_by_fd(x->map_fd[0], &info, &info_len))
		return -1;
	x->max_entries = info.max_entries;
	xdpf_key(AF_INET, 0, key);
	if (bpf_map_lookup_elem(x->map_fd[0], key, x->dst_value)) {
		fprintf(stderr, "dpbench: xdp-filter did not store 10.200.0.0\n");
		return -1;
	}
	x->n = 1;
	f = popen("xdp-filter load --version 2>&1", "r");
	if (f) {
		if (!fgets(x->version, sizeof(x->version), f))
			x->version[0] = 0;
		x->version[strcspn(x->version, "\n")] = 0;
		pclose(f);
	}
	return 0;
}

static const char *xdpf_unreachable(const struct xdpf *x, unsigned int n)
{
	static char why[96];

	snprintf(why, sizeof(why), "its address maps hold %u entries", x->max_entries);
	return n > x->max_entries ? why : NULL;
}

/* App i's IPv4 and IPv6 addresses listed as destinations, for i < n. */
static int xdpf_grow(struct xdpf *x, unsigned int n)
{
	uint8_t key[16];
	unsigned int m;

	for (; x->n < n; x->n++)
		for (m = 0; m < 2; m++) {
			xdpf_key(m ? AF_INET6 : AF_INET, x->n, key);
			if (bpf_map_update_elem(x->map_fd[m], key, x->dst_value, BPF_NOEXIST))
				return -errno;
		}
	return 0;
}

/* ---- results ---- */

struct results {
	struct cell cell[N_CLASSES][N_SYSTEMS][N_SIZES];
	struct cell floor[3];		/* XDP, TC (repeat); XDP (single) */
	unsigned int n_sizes, repeat, trials;
	const char *xdpf_version;
};

static const char *const floor_names[3] = {
	"floor: an XDP program returning pass",
	"floor: a TC program returning pass",
	"floor: an XDP program returning pass, one run per call",
};

static json_object *cell_json(const struct cell *c)
{
	if (c->measured)
		return json_object_new_double(c->median);
	return json_object_new_string(c->not_reachable ? "not reachable" : "-");
}

static void row(json_object *rows, const char *packet, const char *system,
		enum method method, const struct cell *cells, unsigned int n_sizes,
		json_object *spread_rows)
{
	json_object *r = json_object_new_array(), *sr = json_object_new_array();
	const char *verdict = NULL;
	unsigned int s, last = 0;

	json_object_array_add(r, json_object_new_string(packet));
	json_object_array_add(r, json_object_new_string(system));
	json_object_array_add(r, json_object_new_string(method == SINGLE ? "single" : "repeat"));
	for (s = 0; s < n_sizes; s++)
		if (cells[s].measured) {
			verdict = cells[s].verdict;
			last = s;
		}
	json_object_array_add(r, json_object_new_string(verdict ? verdict : "-"));
	json_object_array_add(sr, json_object_new_string(packet));
	json_object_array_add(sr, json_object_new_string(system));
	for (s = 0; s < n_sizes; s++) {
		json_object_array_add(r, cell_json(&cells[s]));
		json_object_array_add(sr, cells[s].measured ?
				      json_object_new_double(cells[s].spread * 100) :
				      json_object_new_string("-"));
	}
	/* How the cost grew from 1 rule to the largest size measured. */
	json_object_array_add(r, cells[0].measured && last && cells[0].median > 0 ?
			      json_object_new_double(cells[last].median / cells[0].median) :
			      json_object_new_string("-"));
	json_object_array_add(rows, r);
	json_object_array_add(spread_rows, sr);
}

static json_object *columns(const char *const *head, unsigned int n_head, unsigned int n_sizes,
			    const char *tail)
{
	json_object *c = json_object_new_array();
	unsigned int i;
	char buf[32];

	for (i = 0; i < n_head; i++)
		json_object_array_add(c, json_object_new_string(head[i]));
	for (i = 0; i < n_sizes; i++) {
		snprintf(buf, sizeof(buf), "%u rule%s", sizes[i], sizes[i] == 1 ? "" : "s");
		json_object_array_add(c, json_object_new_string(buf));
	}
	if (tail)
		json_object_array_add(c, json_object_new_string(tail));
	return c;
}

static json_object *table(const char *title, json_object *cols, json_object *rows)
{
	json_object *t = json_object_new_object();

	json_object_object_add(t, "title", json_object_new_string(title));
	json_object_object_add(t, "columns", cols);
	json_object_object_add(t, "rows", rows);
	return t;
}

static json_object *line(const char *name, const struct cell *cells, unsigned int n_sizes)
{
	json_object *l = json_object_new_object(), *pts = json_object_new_array();
	unsigned int s;

	for (s = 0; s < n_sizes; s++) {
		json_object *pt;

		if (!cells[s].measured)
			continue;
		pt = json_object_new_array();
		json_object_array_add(pt, json_object_new_int64(sizes[s]));
		json_object_array_add(pt, json_object_new_double(cells[s].median));
		json_object_array_add(pts, pt);
	}
	json_object_object_add(l, "name", json_object_new_string(name));
	json_object_object_add(l, "points", pts);
	return l;
}

/*
 * The targets of the fast-path issue, from this run's numbers: sliceguard
 * at most k times xdp-filter on the same packet at 1 rule, and the cost at
 * the largest size within 10% of 1 rule.
 */
static void targets(json_object *out, const struct results *res, const struct pkt_class *cl)
{
	static const struct {
		unsigned int cls;	/* sliceguard's class */
		unsigned int against;	/* xdp-filter's */
		double max;
		const char *what;
	} t[] = {
		{ C_V4_FLOW, C_V4_FLOW, 2.0, "uplink IPv4 established flow <= 2x xdp-filter" },
		{ C_V6_FLOW, C_V6_FLOW, 2.0, "uplink IPv6 established flow <= 2x xdp-filter" },
		{ C_NEW, C_NEW, 4.0, "uplink new allowed flow <= 4x xdp-filter" },
		{ C_DENIED, C_DENIED, 4.0, "uplink denied flow <= 4x xdp-filter" },
		{ C_GTPU, C_V4_FLOW, 2.5, "uplink GTP-U flow <= 2.5x xdp-filter (its IPv4 flow)" },
	};
	json_object *arr = json_object_new_array();
	unsigned int i, c, s;
	char value[96];

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const struct cell *a = &res->cell[t[i].cls][SYS_SG][0];
		const struct cell *b = &res->cell[t[i].against][SYS_XDPF][0];
		json_object *o = json_object_new_object();
		double ratio = a->median / b->median;

		snprintf(value, sizeof(value), "%.1fx (%.0f vs %.0f ns, 1 rule)",
			 ratio, a->median, b->median);
		json_object_object_add(o, "target", json_object_new_string(t[i].what));
		json_object_object_add(o, "value", json_object_new_string(value));
		json_object_object_add(o, "met", json_object_new_boolean(ratio <= t[i].max));
		json_object_array_add(arr, o);
	}
	for (c = 0; c < N_CLASSES; c++) {
		const struct cell *cells = res->cell[c][SYS_SG];
		json_object *o = json_object_new_object();
		unsigned int last = 0;
		char what[160];

		for (s = 1; s < res->n_sizes; s++)
			if (cells[s].measured)
				last = s;
		snprintf(what, sizeof(what), "%s: cost at 100,000 rules within 10%% of 1 rule",
			 cl[c].name);
		json_object_object_add(o, "target", json_object_new_string(what));
		if (res->n_sizes < N_SIZES || last < N_SIZES - 1) {
			snprintf(value, sizeof(value),
				 "100,000 rules not reachable; %.2fx at %u rules",
				 cells[last].median / cells[0].median, sizes[last]);
			json_object_object_add(o, "met", json_object_new_boolean(false));
		} else {
			snprintf(value, sizeof(value), "%.2fx",
				 cells[last].median / cells[0].median);
			json_object_object_add(o, "met", json_object_new_boolean(
				cells[last].median <= 1.1 * cells[0].median));
		}
		json_object_object_add(o, "value", json_object_new_string(value));
		json_object_array_add(arr, o);
	}
	json_object_object_add(out, "targets", arr);
}

static json_object *strings(const char *const *s)
{
	json_object *a = json_object_new_array();

	for (; *s; s++)
		json_object_array_add(a, json_object_new_string(*s));
	return a;
}

static int write_json(const char *path, const struct results *res, const struct pkt_class *cl,
		      const char *cmdline)
{
	static const char *const head[] = { "packet", "system", "method", "verdict" };
	static const char *const shead[] = { "packet", "system" };
	json_object *out = json_object_new_object(), *tables = json_object_new_array();
	json_object *rows = json_object_new_array(), *srows = json_object_new_array();
	json_object *series = json_object_new_object(), *lines = json_object_new_array();
	json_object *cmds = json_object_new_array(), *notes;
	struct cell floors[3][N_SIZES];
	char method[1024], xdpf_note[512] = "";
	unsigned int c, s, f;
	int err;

	for (c = 0; c < N_CLASSES; c++) {
		row(rows, cl[c].name, system_names[SYS_SG], cl[c].method,
		    res->cell[c][SYS_SG], res->n_sizes, srows);
		if (cl[c].xdpf_na) {
			size_t n = strlen(xdpf_note);

			snprintf(xdpf_note + n, sizeof(xdpf_note) - n, "%s%s (xdp-filter %s)",
				 n ? "; " : "", cl[c].name, cl[c].xdpf_na);
		} else {
			row(rows, cl[c].name, system_names[SYS_XDPF], cl[c].method,
			    res->cell[c][SYS_XDPF], res->n_sizes, srows);
		}
	}
	/* The floor does not depend on the policy: the same value in every column. */
	for (f = 0; f < 3; f++) {
		for (s = 0; s < res->n_sizes; s++)
			floors[f][s] = res->floor[f];
		row(rows, floor_names[f], system_names[SYS_FLOOR], f == 2 ? SINGLE : REPEAT,
		    floors[f], res->n_sizes, srows);
	}
	json_object_array_add(tables, table("ns per packet (median of the trials)",
					    columns(head, 4, res->n_sizes, "largest / 1 rule"),
					    rows));
	json_object_array_add(tables, table("spread of the trials, % of the median",
					    columns(shead, 2, res->n_sizes, NULL), srows));
	json_object_array_add(lines, line("sliceguard, established IPv4 flow", res->cell[C_V4_FLOW][SYS_SG],
					  res->n_sizes));
	json_object_array_add(lines, line("sliceguard, new allowed flow", res->cell[C_NEW][SYS_SG],
					  res->n_sizes));
	json_object_array_add(lines, line("sliceguard, denied flow", res->cell[C_DENIED][SYS_SG],
					  res->n_sizes));
	json_object_array_add(lines, line("xdp-filter, established IPv4 flow",
					  res->cell[C_V4_FLOW][SYS_XDPF], res->n_sizes));
	json_object_array_add(lines, line("xdp-filter, denied flow", res->cell[C_DENIED][SYS_XDPF],
					  res->n_sizes));
	json_object_array_add(lines, line("floor (XDP)", floors[0], res->n_sizes));
	json_object_object_add(series, "xlabel", json_object_new_string("rules"));
	json_object_object_add(series, "ylabel", json_object_new_string("ns per packet"));
	json_object_object_add(series, "lines", lines);

	snprintf(method, sizeof(method),
		 "BPF_PROG_TEST_RUN of every packet class on its program: repeat rows run one "
		 "frame %u times in one call (the kernel's mean per run); single rows make %u "
		 "calls of one run each, every one a new 5-tuple, and take the median call. "
		 "Each value is the median of %u trials. sliceguard runs the programs the agent "
		 "attaches, programmed by its user library; xdp-filter (%s) is loaded by its own "
		 "CLI with every feature on as an allow list and runs through libxdp's dispatcher, "
		 "with app i's IPv4 and IPv6 addresses listed as allowed destinations for every "
		 "rule i (it cannot bind a destination to a source or a port). Every row is "
		 "checked to end in the verdict shown.",
		 res->repeat, res->repeat / 50, res->trials,
		 res->xdpf_version ? res->xdpf_version : "version unknown");
	json_object_object_add(out, "component", json_object_new_string("dataplane"));
	json_object_object_add(out, "title",
			       json_object_new_string("Per-packet cost (BPF_PROG_TEST_RUN)"));
	json_object_object_add(out, "method", json_object_new_string(method));
	json_object_array_add(cmds, json_object_new_string(cmdline));
	json_object_object_add(out, "commands", cmds);
	json_object_object_add(out, "tables", tables);
	json_object_object_add(out, "series", series);
	targets(out, res, cl);
	{
		const char *const n[] = {
			"Sizes beyond 1,024 rules are not reachable for sliceguard: the data path's "
			"maps are sized at compile time (SG_MAX_RULES 1,024, 64 slices, 256 apps).",
			"xdp-filter holds at most as many addresses per family as its maps allow "
			"(10,000 in xdp-tools 1.3); larger sizes are not reachable for it.",
			xdpf_note[0] ? xdpf_note : "xdp-filter decides every class.",
			"nftables cannot run under BPF_PROG_TEST_RUN: it is compared by throughput "
			"(the throughput section).",
			"Per byte: the 1518-byte frame of a flow is decided from its headers like "
			"the 60-byte one; what a byte costs on a real interface (copying, "
			"checksums, the stack) is outside the program, and the throughput section "
			"measures it.",
			"Each policy has the stated number of rules; rule 1 (slice 0 -> app 0, any "
			"protocol) carries the flows, and for the policed row the same policy is "
			"applied again with rule 1 limited to one packet a second.",
			NULL,
		};
		notes = strings(n);
	}
	json_object_object_add(out, "notes", notes);
	err = json_object_to_file_ext(path, out, JSON_C_TO_STRING_PRETTY |
				      JSON_C_TO_STRING_NOSLASHESCAPE) ? -EIO : 0;
	json_object_put(out);
	return err;
}

static void print_row(const char *name, const char *system, const struct cell *cells,
		      unsigned int n_sizes)
{
	unsigned int s;

	printf("%-58s %-10s", name, system);
	for (s = 0; s < n_sizes; s++)
		if (cells[s].measured)
			printf(" %8.0f", cells[s].median);
		else
			printf(" %8s", cells[s].not_reachable ? "n/r" : "-");
	printf("\n");
}

static int floors(struct results *res, struct pkt_class *cl)
{
	unsigned int f;

	for (f = 0; f < 3; f++) {
		enum bpf_prog_type type = f == 1 ? BPF_PROG_TYPE_SCHED_CLS : BPF_PROG_TYPE_XDP;
		const struct bpf_insn pass[] = {
			{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0,
			  .imm = type == BPF_PROG_TYPE_XDP ? XDP_PASS : -1 },
			{ .code = BPF_JMP | BPF_EXIT },
		};
		struct pkt_class c = cl[f == 2 ? C_NEW : C_V4_FLOW];
		struct prog p;
		int err;

		prog_ctx(&p, type, 0, 0);
		p.fd = bpf_prog_load(type, "sg_floor", "GPL", pass, 2, NULL);
		if (p.fd < 0)
			return -errno;
		c.method = f == 2 ? SINGLE : REPEAT;
		err = measure_prog(&p, &c, res->repeat, res->trials, -1, &res->floor[f]);
		close(p.fd);
		if (err)
			return err;
	}
	return 0;
}

static int apply(struct sg_dp *dp, unsigned int n, bool policed)
{
	struct sg_policy pol;
	int err;

	build_policy(&pol, n, policed);
	err = sg_dp_apply(dp, &pol);
	if (!err)
		err = sg_dp_flush_state(dp);
	if (err)
		fprintf(stderr, "dpbench: apply %u rules: %s (%s)\n", n, strerror(-err),
			sg_dp_errmsg(dp));
	sg_policy_free(&pol);
	return err;
}

static int run_size(struct sg_dp *dp, struct xdpf *x, struct pkt_class *cl,
		    struct results *res, unsigned int s)
{
	const char *sg_why = sg_unreachable(sizes[s]), *xdpf_why = xdpf_unreachable(x, sizes[s]);
	unsigned int c;
	int err;

	if (!sg_why && (err = apply(dp, sizes[s], false)))
		return err;
	if (!xdpf_why && (err = xdpf_grow(x, sizes[s])))
		return err;
	for (c = 0; c < N_CLASSES; c++) {
		struct cell *sg = &res->cell[c][SYS_SG][s], *xf = &res->cell[c][SYS_XDPF][s];
		struct prog p;

		sg->not_reachable = sg_why;
		if (!sg_why && !cl[c].policed &&
		    (err = measure_sg(dp, &cl[c], res->repeat, res->trials, sg)))
			return err;
		if (cl[c].xdpf_na)
			continue;
		xf->not_reachable = xdpf_why;
		if (xdpf_why)
			continue;
		prog_ctx(&p, BPF_PROG_TYPE_XDP, if_nametoindex("sgb-xf"), 0);
		p.fd = x->prog_fd;
		err = measure_prog(&p, &cl[c], res->repeat, res->trials, cl[c].xdpf_verdict, xf);
		if (err)
			return err;
	}
	if (sg_why)
		return 0;
	/* The policed class under the same policy with rule 1 rate-limited. */
	err = apply(dp, sizes[s], true);
	for (c = 0; c < N_CLASSES && !err; c++)
		if (cl[c].policed)
			err = measure_sg(dp, &cl[c], res->repeat, res->trials,
					 &res->cell[c][SYS_SG][s]);
	return err;
}

int main(int argc, char **argv)
{
	const char *out = NULL;
	static struct results res = { .n_sizes = N_SIZES, .repeat = 1000000, .trials = 3 };
	static struct pkt_class classes[N_CLASSES];
	struct sg_dp_opts opts = { 0 };
	struct xdpf x = { 0 };
	char cmdline[256] = "dpbench";
	unsigned int s, c;
	struct sg_dp *dp;
	int opt, err, i;

	for (i = 1; i < argc; i++) {
		size_t n = strlen(cmdline);

		snprintf(cmdline + n, sizeof(cmdline) - n, " %s", argv[i]);
	}
	while ((opt = getopt(argc, argv, "qn:t:o:")) != -1) {
		if (opt == 'q') {
			res.n_sizes = 2;
			res.repeat = 100000;
			res.trials = 1;
		} else if (opt == 'n') {
			res.repeat = (unsigned int)strtoul(optarg, NULL, 10);
		} else if (opt == 't') {
			res.trials = (unsigned int)strtoul(optarg, NULL, 10);
		} else if (opt == 'o') {
			out = optarg;
		} else {
			fprintf(stderr, "usage: dpbench [-q] [-n REPEAT] [-t TRIALS] [-o FILE.json]\n");
			return 2;
		}
	}
	if (res.repeat < 50 || !res.trials || res.trials > MAX_TRIALS) {
		fprintf(stderr, "dpbench: REPEAT >= 50, 1 <= TRIALS <= %d\n", MAX_TRIALS);
		return 2;
	}
	if (make_namespaces() || xdpf_open(&x))
		return 1;
	res.xdpf_version = x.version;
	err = sg_dp_open(&opts, &dp);
	if (err) {
		fprintf(stderr, "dpbench: sg_dp_open: %s\n", strerror(-err));
		return 1;
	}
	/* The host's addresses as the agent keeps them: peer_of() looks them up. */
	err = sg_dp_sync_host(dp, NULL);
	if (err) {
		fprintf(stderr, "dpbench: %s\n", sg_dp_errmsg(dp));
		return 1;
	}
	build_classes(classes);
	err = floors(&res, classes);
	for (s = 0; s < res.n_sizes && !err; s++)
		err = run_size(dp, &x, classes, &res, s);
	if (err) {
		fprintf(stderr, "dpbench: %s\n", strerror(-err));
		return 1;
	}

	printf("ns per packet (BPF_PROG_TEST_RUN, repeat %u, median of %u; n/r: not reachable)\n\n",
	       res.repeat, res.trials);
	printf("%-58s %-10s", "packet", "system");
	for (s = 0; s < res.n_sizes; s++)
		printf(" %8u", sizes[s]);
	printf("\n");
	for (c = 0; c < N_CLASSES; c++) {
		print_row(classes[c].name, "sliceguard", res.cell[c][SYS_SG], res.n_sizes);
		if (!classes[c].xdpf_na)
			print_row("", "xdp-filter", res.cell[c][SYS_XDPF], res.n_sizes);
	}
	for (c = 0; c < 3; c++)
		print_row(floor_names[c], "floor", &res.floor[c], 1);
	if (out && (err = write_json(out, &res, classes, cmdline))) {
		fprintf(stderr, "dpbench: %s: %s\n", out, strerror(-err));
		return 1;
	}
	sg_dp_close(dp);
	return 0;
}
