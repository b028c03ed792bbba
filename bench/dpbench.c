// SPDX-License-Identifier: GPL-2.0
/*
 * dpbench: per-packet cost of the sliceguard data path as the policy grows.
 *
 * For policies of 1, 64 and 1024 rules (slices and apps scaled along), each
 * typical packet runs through its program with BPF_PROG_TEST_RUN
 * (repeat=N); the kernel reports the mean time per run. The table shows
 * the nanoseconds and, per packet class, the ratio to the 1-rule policy:
 * the data path promises a cost that does not grow with the policy, so the
 * ratios should stay near 1. Only ratios within one run mean anything;
 * nothing here asserts a time.
 *
 *   dpbench [-n REPEAT] [-t TRIALS]     (root: needs CAP_BPF, CAP_NET_ADMIN)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "dp.h"

#define N_SIZES		3
static const unsigned int rule_counts[N_SIZES] = { 1, 64, 1024 };

enum hook { UPLINK, UPLINK_GTPU, APP_IN, APP_OUT, UPLINK_OUT };

/* Packet classes measured (build_classes()). */
#define N_CLASSES	8

struct pkt_class {
	const char *name;
	enum hook hook;
	uint8_t frame[256];
	size_t len;
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

static void eth(struct pkt_class *c, int vid)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 };

	put(c, macs, sizeof(macs));
	if (vid >= 0) {
		put16(c, 0x8100);
		put16(c, (uint16_t)vid);
	}
	put16(c, 0x0800);
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

static void tcp(struct pkt_class *c, uint16_t sport, uint16_t dport,
		uint8_t flags)
{
	put16(c, sport);
	put16(c, dport);
	put32(c, 1);
	put32(c, 0);
	put16(c, (uint16_t)(5 << 12 | flags));
	put16(c, 65535);
	put32(c, 0);
}

#define UE0	0x0a100002	/* 10.16.0.2, a UE of slice 0 */
#define APP0	0x0ac80000	/* 10.200.0.0, app 0 */
#define EXT	0xc6336401	/* 198.51.100.1 */

static void build_classes(struct pkt_class *c, unsigned int *n)
{
	unsigned int i = 0;

	c[i] = (struct pkt_class){ .name = "uplink: UE->app tcp, flow", .hook = UPLINK };
	eth(&c[i], 100);
	ipv4(&c[i], UE0, APP0, 6, 20);
	tcp(&c[i], 40000, 8080, 0x10);
	i++;

	c[i] = (struct pkt_class){ .name = "uplink: UE->app tcp, no rule", .hook = UPLINK };
	eth(&c[i], 100);
	ipv4(&c[i], UE0, APP0, 6, 20);
	tcp(&c[i], 40000, 7, 0x02);
	i++;

	/* Slice 0's VLAN, a source outside slice 0's pool. */
	c[i] = (struct pkt_class){ .name = "uplink: spoofed source", .hook = UPLINK };
	eth(&c[i], 100);
	ipv4(&c[i], UE0 + 0x10000, APP0, 6, 20);
	tcp(&c[i], 40000, 8080, 0x02);
	i++;

	c[i] = (struct pkt_class){ .name = "uplink gtpu: UE->app tcp, flow",
				   .hook = UPLINK_GTPU };
	eth(&c[i], -1);
	ipv4(&c[i], 0xc0000201, 0xc0000202, 17, 8 + 8 + 40);
	put16(&c[i], 2152);
	put16(&c[i], 2152);
	put16(&c[i], 8 + 8 + 40);
	put16(&c[i], 0);
	put16(&c[i], 0x30ff);		/* GTP-U v1, PT, G-PDU */
	put16(&c[i], 40);
	put32(&c[i], 0x1000);		/* TEID of slice 0 */
	ipv4(&c[i], UE0, APP0, 6, 20);
	tcp(&c[i], 40001, 8080, 0x10);
	i++;

	c[i] = (struct pkt_class){ .name = "app ingress: reply to UE", .hook = APP_IN };
	eth(&c[i], -1);
	ipv4(&c[i], APP0, UE0, 6, 20);
	tcp(&c[i], 8080, 40000, 0x12);
	i++;

	c[i] = (struct pkt_class){ .name = "app ingress: to external, no rule",
				   .hook = APP_IN };
	eth(&c[i], -1);
	ipv4(&c[i], APP0, EXT, 6, 20);
	tcp(&c[i], 40000, 443, 0x02);
	i++;

	c[i] = (struct pkt_class){ .name = "app egress: UE->app, flow", .hook = APP_OUT };
	eth(&c[i], -1);
	ipv4(&c[i], UE0, APP0, 6, 20);
	tcp(&c[i], 40000, 8080, 0x10);
	i++;

	/* The app's reply leaving the uplink toward the UE. */
	c[i] = (struct pkt_class){ .name = "uplink egress: app->UE, reply", .hook = UPLINK_OUT };
	eth(&c[i], -1);
	ipv4(&c[i], APP0, UE0, 6, 20);
	tcp(&c[i], 8080, 40000, 0x10);
	i++;
	*n = i;
}

/*
 * A policy of n_rules rules over min(64, n/16) slices and min(256, n/4)
 * apps. Slice 0 -> app 0 tcp/8080 is rule 1, the one the flows use; the
 * others fill the rule trie with ranges of several port blocks.
 */
static void build_policy(struct sg_policy *pol, unsigned int n_rules)
{
	unsigned int n_slices = n_rules / 16, n_apps = n_rules / 4, i;

	n_slices = n_slices < 1 ? 1 : n_slices > 64 ? 64 : n_slices;
	n_apps = n_apps < 1 ? 1 : n_apps > 256 ? 256 : n_apps;
	sg_policy_init(pol);
	pol->generation = 1;
	for (i = 0; i < n_slices; i++) {
		struct sg_slice *s = sg_policy_add_slice(pol);

		s->id = i + 1;
		snprintf(s->name, sizeof(s->name), "s%u", i);
		s->sst = 1;
		s->n_ue_prefixes = 1;
		s->ue_prefixes[0].family = AF_INET;
		s->ue_prefixes[0].len = 16;
		s->ue_prefixes[0].addr[0] = 10;
		s->ue_prefixes[0].addr[1] = (uint8_t)(16 + i);
		s->n_vlans = 1;
		s->vlans[0] = (uint16_t)(100 + i);
		s->n_teid_ranges = 1;
		s->teid_ranges[0].first = (i + 1) << 12;
		s->teid_ranges[0].last = ((i + 1) << 12) + 0xfff;
		s->mark = 0x100 + i;
	}
	for (i = 0; i < n_apps; i++) {
		struct sg_app *a = sg_policy_add_app(pol);

		a->id = i + 1;
		snprintf(a->name, sizeof(a->name), "a%u", i);
		a->n_slices = 1;
		a->slices[0] = pol->slices[i % n_slices].id;
		a->n_endpoints = 1;
		a->endpoints[0].prefix.family = AF_INET;
		a->endpoints[0].prefix.len = 32;
		a->endpoints[0].prefix.addr[0] = 10;
		a->endpoints[0].prefix.addr[1] = 200;
		a->endpoints[0].prefix.addr[2] = (uint8_t)(i / 256);
		a->endpoints[0].prefix.addr[3] = (uint8_t)(i % 256);
		a->endpoints[0].port_last = 65535;
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
		r->proto = 6;
		if (i == 0) {
			r->port_first = r->port_last = 8080;
		} else {
			/* distinct ranges of a few blocks each */
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

/*
 * One BPF_PROG_TEST_RUN of c's frame, repeated: *ns keeps the lowest mean
 * ns per run seen (first: the first trial).
 */
static int run_frame(int fd, const struct pkt_class *c, void *ctx, __u32 ctx_size,
		     unsigned int repeat, bool first, double *ns)
{
	uint8_t out[512];
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = c->frame,
		.data_size_in = (uint32_t)c->len,
		.data_out = out,
		.data_size_out = sizeof(out),
		.ctx_in = ctx,
		.ctx_size_in = ctx_size,
		.repeat = repeat,
	);

	if (bpf_prog_test_run_opts(fd, &opts))
		return -errno;
	if (first || opts.duration < *ns)
		*ns = opts.duration;
	return 0;
}

/* Mean ns per run of one packet class, best of trials, and its reason. */
static int measure(struct sg_dp *dp, const struct pkt_class *c,
		   unsigned int repeat, unsigned int trials, double *ns,
		   const char **reason)
{
	struct sg_count before[SG_R_MAX], after[SG_R_MAX];
	struct xdp_md xdp = { .data_end = (uint32_t)c->len };
	struct __sk_buff skb = { 0 };
	unsigned int t, r, best_r = 0;
	__u32 ctx_size;
	void *ctx;
	int fd, err;

	if (c->hook == UPLINK || c->hook == UPLINK_GTPU) {
		xdp.ingress_ifindex = if_nametoindex(c->hook == UPLINK ? "sgb-up0" : "sgb-up1");
		ctx = &xdp;
		ctx_size = sizeof(xdp);
		fd = sg_dp_prog_fd(dp, SG_DP_PROG_UPLINK);
	} else {
		skb.ifindex = if_nametoindex(c->hook == UPLINK_OUT ? "sgb-up0" : "sgb-app");
		/*
		 * What an app receives entered on the (ip) uplink; what leaves
		 * the uplink, on the app's interface.
		 */
		if (c->hook == APP_OUT)
			skb.ingress_ifindex = if_nametoindex("sgb-up0");
		else if (c->hook == UPLINK_OUT)
			skb.ingress_ifindex = if_nametoindex("sgb-app");
		ctx = &skb;
		ctx_size = sizeof(skb);
		fd = sg_dp_prog_fd(dp, c->hook == APP_IN ? SG_DP_PROG_APP_INGRESS :
							   SG_DP_PROG_EGRESS);
	}
	*ns = 0;
	for (t = 0; t < trials; t++) {
		sg_dp_reason_counts(dp, before);
		err = run_frame(fd, c, ctx, ctx_size, repeat, t == 0, ns);
		if (err)
			return err;
		sg_dp_reason_counts(dp, after);
		/* The reason most runs ended in. */
		for (r = 0; r < SG_R_MAX; r++)
			if (after[r].packets - before[r].packets >
			    after[best_r].packets - before[best_r].packets)
				best_r = r;
	}
	*reason = sg_reason_name(best_r);
	return 0;
}

static int make_ifaces(void)
{
	static const char *const names[] = { "sgb-up0", "sgb-up1", "sgb-app" };
	char cmd[128];
	unsigned int i;

	if (unshare(CLONE_NEWNET)) {
		perror("dpbench: unshare(CLONE_NEWNET)");
		return -1;
	}
	for (i = 0; i < 3; i++) {
		snprintf(cmd, sizeof(cmd),
			 "ip link add %s type veth peer name %sp && ip link set %s up",
			 names[i], names[i], names[i]);
		if (system(cmd))
			return -1;
	}
	return 0;
}

/*
 * The floor: a program that only returns pass (XDP_PASS, TC_ACT_UNSPEC),
 * run on the same frame the same way, best of trials: what
 * BPF_PROG_TEST_RUN itself costs per packet on this machine now.
 */
static int floor_ns(enum bpf_prog_type type, const struct pkt_class *c,
		    unsigned int repeat, unsigned int trials, double *ns)
{
	const struct bpf_insn pass[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0,
		  .imm = type == BPF_PROG_TYPE_XDP ? XDP_PASS : -1 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	unsigned int t;
	int fd, err = 0;

	fd = bpf_prog_load(type, "sg_floor", "GPL", pass, 2, NULL);
	if (fd < 0)
		return -errno;
	*ns = 0;
	for (t = 0; t < trials && !err; t++)
		err = run_frame(fd, c, NULL, 0, repeat, t == 0, ns);
	close(fd);
	return err;
}

int main(int argc, char **argv)
{
	unsigned int repeat = 200000, trials = 3, n_classes, s, i;
	double ns[N_CLASSES][N_SIZES];
	const char *reason[N_CLASSES][N_SIZES];
	struct pkt_class classes[N_CLASSES];
	struct sg_dp_opts opts = { 0 };
	struct sg_dp *dp;
	int opt, err;

	while ((opt = getopt(argc, argv, "n:t:")) != -1) {
		if (opt == 'n')
			repeat = (unsigned int)strtoul(optarg, NULL, 0);
		else if (opt == 't')
			trials = (unsigned int)strtoul(optarg, NULL, 0);
		else
			return fprintf(stderr, "usage: dpbench [-n REPEAT] [-t TRIALS]\n"), 2;
	}
	if (make_ifaces())
		return 1;
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
	build_classes(classes, &n_classes);

	for (s = 0; s < N_SIZES; s++) {
		struct sg_policy pol;

		build_policy(&pol, rule_counts[s]);
		err = sg_dp_apply(dp, &pol);
		if (!err)
			err = sg_dp_flush_state(dp);
		if (err) {
			fprintf(stderr, "dpbench: apply %u rules: %s (%s)\n",
				rule_counts[s], strerror(-err), sg_dp_errmsg(dp));
			return 1;
		}
		for (i = 0; i < n_classes; i++) {
			err = measure(dp, &classes[i], repeat, trials,
				      &ns[i][s], &reason[i][s]);
			if (err) {
				fprintf(stderr, "dpbench: %s: %s\n",
					classes[i].name, strerror(-err));
				return 1;
			}
		}
		printf("policy %4u rules, %2u slices, %3u apps applied\n",
		       rule_counts[s], pol.n_slices, pol.n_apps);
		sg_policy_free(&pol);
	}

	printf("\nns per packet (BPF_PROG_TEST_RUN, repeat %u, best of %u)\n\n",
	       repeat, trials);
	printf("%-36s %-14s %8s %8s %8s %10s\n", "packet", "reason",
	       "1 rule", "64", "1024", "1024 / 1");
	for (i = 0; i < n_classes; i++)
		printf("%-36s %-14s %8.0f %8.0f %8.0f %10.2f\n",
		       classes[i].name, reason[i][N_SIZES - 1] ?
		       reason[i][N_SIZES - 1] : "?",
		       ns[i][0], ns[i][1], ns[i][2],
		       ns[i][0] > 0 ? ns[i][2] / ns[i][0] : 0.0);

	for (i = 0; i < 2; i++) {
		enum bpf_prog_type type = i ? BPF_PROG_TYPE_SCHED_CLS : BPF_PROG_TYPE_XDP;
		double floor;

		err = floor_ns(type, &classes[0], repeat, trials, &floor);
		if (err) {
			fprintf(stderr, "dpbench: floor: %s\n", strerror(-err));
			return 1;
		}
		printf("%-36s %-14s %8.0f\n", i ? "floor: a TC program returning pass" :
			"floor: an XDP program returning pass", "-", floor);
	}
	sg_dp_close(dp);
	return 0;
}
