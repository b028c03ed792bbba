// SPDX-License-Identifier: GPL-2.0
/*
 * ctlbench: control-plane benchmarks of sliceguard (run by bench/control.sh
 * inside the test VM, where the module is loaded).
 *
 *   ctlbench gen   -k KIND -n N [-S SLICES] [-A APPS] [-u UE_PREFIXES]
 *	print N objects of KIND (slice, app, rule) as slicectl batch lines
 *   ctlbench add   -k KIND -n N [-S SLICES] [-A APPS] [-u UE_PREFIXES] [-x]
 *	send the same N objects through the netlink API in one transaction,
 *	one new-request per object, and commit it (-x: abort instead); print
 *	{"kind","n","add_s","commit_s","generation"} as JSON
 *   ctlbench churn -c CHANGES -i UPLINK -S SLICES -A APPS -r BASE_RULES [-g GAP_MS]
 *	add and delete one rule per transaction, CHANGES times, against a
 *	running agent; after each commit returns, poll until the pinned data
 *	path enforces it; print latency statistics as JSON
 *   ctlbench flows -n N -i UPLINK
 *	open N distinct UE flows through the pinned sg_uplink program
 *	(BPF_PROG_TEST_RUN); print how many entries sg_flows holds
 *
 * Every object is a function of its index, so gen and add describe the same
 * policy: slice i has UE prefixes 10.A.B.0/24 (A.B = (i - 1) * 16 + p), app
 * j serves slice (j - 1) % SLICES + 1 and has the endpoint 172.16.J.K/32
 * (J.K = j), rule k (1-based) allows udp to one port from slice
 * (k - 1) % SLICES + 1 to app ((k - 1) / SLICES) % APPS + 1; the port
 * makes each rule unique.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "dp.h"
#include "policy_nl.h"

enum kind { SLICE, APP, RULE };

struct opts {
	enum kind kind;
	unsigned int n, slices, apps, ue_prefixes, base_rules, changes, gap_ms;
	const char *uplink;
	bool abort;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fill_slice(struct sg_slice *s, unsigned int i, unsigned int n_ue)
{
	unsigned int p, k;

	memset(s, 0, sizeof(*s));
	s->id = i;
	snprintf(s->name, sizeof(s->name), "s%u", i);
	s->sst = 1;
	s->n_ue_prefixes = n_ue;
	for (p = 0; p < n_ue; p++) {
		k = (i - 1) * SLICEGUARD_MAX_UE_PREFIXES + p;
		s->ue_prefixes[p].family = AF_INET;
		s->ue_prefixes[p].len = 24;
		s->ue_prefixes[p].addr[0] = 10;
		s->ue_prefixes[p].addr[1] = (uint8_t)(k >> 8);
		s->ue_prefixes[p].addr[2] = (uint8_t)k;
	}
}

static void fill_app(struct sg_app *a, unsigned int j, unsigned int n_slices)
{
	memset(a, 0, sizeof(*a));
	a->id = j;
	snprintf(a->name, sizeof(a->name), "a%u", j);
	a->n_slices = 1;
	a->slices[0] = (j - 1) % n_slices + 1;
	a->n_endpoints = 1;
	a->endpoints[0].prefix.family = AF_INET;
	a->endpoints[0].prefix.len = 32;
	a->endpoints[0].prefix.addr[0] = 172;
	a->endpoints[0].prefix.addr[1] = 16;
	a->endpoints[0].prefix.addr[2] = (uint8_t)(j >> 8);
	a->endpoints[0].prefix.addr[3] = (uint8_t)j;
	a->endpoints[0].port_last = 65535;
}

static void fill_rule(struct sg_rule *r, unsigned int k, unsigned int n_slices,
		      unsigned int n_apps)
{
	memset(r, 0, sizeof(*r));
	r->id = k;
	r->src_kind = SLICEGUARD_PEER_SLICE;
	r->src_id = (k - 1) % n_slices + 1;
	r->dst_kind = SLICEGUARD_PEER_APP;
	r->dst_id = (k - 1) / n_slices % n_apps + 1;
	r->proto = IPPROTO_UDP;
	r->port_first = (uint16_t)(1 + (k - 1) / (n_slices * n_apps));
	r->port_last = r->port_first;
}

/* ---- gen ---- */

static int do_gen(const struct opts *o)
{
	struct sg_slice s;
	struct sg_app a;
	struct sg_rule r;
	unsigned int i, p;
	const uint8_t *b;

	for (i = 1; i <= o->n; i++) {
		switch (o->kind) {
		case SLICE:
			fill_slice(&s, i, o->ue_prefixes);
			printf("slice add %s id %u sst %u", s.name, s.id, s.sst);
			for (p = 0; p < s.n_ue_prefixes; p++) {
				b = s.ue_prefixes[p].addr;
				printf(" ue %u.%u.%u.%u/%u", b[0], b[1], b[2], b[3],
				       s.ue_prefixes[p].len);
			}
			break;
		case APP:
			fill_app(&a, i, o->slices);
			b = a.endpoints[0].prefix.addr;
			printf("app add %s id %u slice %u addr %u.%u.%u.%u/32",
			       a.name, a.id, a.slices[0], b[0], b[1], b[2], b[3]);
			break;
		case RULE:
			fill_rule(&r, i, o->slices, o->apps);
			printf("rule add id %u from slice %u to app %u proto udp port %u",
			       r.id, r.src_id, r.dst_id, r.port_first);
			break;
		}
		putchar('\n');
	}
	return ferror(stdout) ? 1 : 0;
}

/* ---- add ---- */

static int nl_fail(struct sg_nl *nl, const char *what, int err)
{
	fprintf(stderr, "ctlbench: %s: %s%s%s\n", what, strerror(-err),
		nl->extack[0] ? ": " : "", nl->extack);
	return 1;
}

/* One new-request for object i of o->kind, waiting for the kernel's ack. */
static int add_one(struct sg_nl *nl, const struct opts *o, unsigned int i)
{
	static const uint8_t cmds[] = {
		[SLICE] = SLICEGUARD_CMD_SLICE_NEW,
		[APP] = SLICEGUARD_CMD_APP_NEW,
		[RULE] = SLICEGUARD_CMD_RULE_NEW,
	};
	struct nl_msg *msg = sg_nl_msg(nl, cmds[o->kind], 0);
	struct sg_slice s;
	struct sg_app a;
	struct sg_rule r;
	int err;

	if (!msg)
		return -ENOMEM;
	switch (o->kind) {
	case SLICE:
		fill_slice(&s, i, o->ue_prefixes);
		err = sg_nl_put_slice(msg, &s);
		break;
	case APP:
		fill_app(&a, i, o->slices);
		err = sg_nl_put_app(msg, &a);
		break;
	default:
		fill_rule(&r, i, o->slices, o->apps);
		err = sg_nl_put_rule(msg, &r);
		break;
	}
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return sg_nl_request(nl, msg, NULL, NULL);
}

static int do_add(const struct opts *o)
{
	static const char *const names[] = { "slice", "app", "rule" };
	double t0, t1, t2;
	uint64_t gen = 0;
	struct sg_nl nl;
	unsigned int i;
	int err;

	err = sg_nl_open(&nl);
	if (err)
		return nl_fail(&nl, "open", err);
	err = sg_nl_tx(&nl, SLICEGUARD_CMD_TX_BEGIN, NULL);
	if (err)
		return nl_fail(&nl, "tx-begin", err);
	t0 = now_s();
	for (i = 1; i <= o->n; i++) {
		err = add_one(&nl, o, i);
		if (err) {
			fprintf(stderr, "ctlbench: %s %u of %u:", names[o->kind], i, o->n);
			return nl_fail(&nl, "new", err);
		}
	}
	t1 = now_s();
	err = sg_nl_tx(&nl, o->abort ? SLICEGUARD_CMD_TX_ABORT : SLICEGUARD_CMD_TX_COMMIT,
		       &gen);
	t2 = now_s();
	if (err)
		return nl_fail(&nl, o->abort ? "tx-abort" : "tx-commit", err);
	sg_nl_close(&nl);
	printf("{\"kind\":\"%s\",\"n\":%u,\"add_s\":%.6f,\"%s_s\":%.6f,\"generation\":%llu}\n",
	       names[o->kind], o->n, t1 - t0, o->abort ? "abort" : "commit", t2 - t1,
	       (unsigned long long)gen);
	return 0;
}

/* ---- probes through the pinned uplink program ---- */

struct probe {
	int prog_fd, cfg_fd;
	unsigned int ifindex;
	uint8_t frame[64];
	uint32_t len;
};

static int pinned_fd(const char *name)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", SG_DP_DEFAULT_PIN_DIR, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		fprintf(stderr, "ctlbench: %s: %s\n", path, strerror(errno));
	return fd;
}

static int probe_open(struct probe *p, const char *uplink)
{
	p->ifindex = if_nametoindex(uplink);
	if (!p->ifindex) {
		fprintf(stderr, "ctlbench: %s: %s\n", uplink, strerror(errno));
		return -1;
	}
	p->prog_fd = pinned_fd("prog_sg_uplink");
	p->cfg_fd = pinned_fd("sg_config");
	return p->prog_fd < 0 || p->cfg_fd < 0 ? -1 : 0;
}

/*
 * An untagged UDP datagram from UE ue (10.0.0.ue, slice 1) to app 1
 * (172.16.0.1) as it arrives on the uplink. The checksums stay 0: the data
 * path does not verify them.
 */
static void probe_frame(struct probe *p, uint8_t ue, uint16_t sport, uint16_t dport)
{
	static const uint8_t l2[14] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00 };
	static const uint8_t ip[20] = {
		0x45, 0, 0, 28, 0x12, 0x34, 0x40, 0, 64, IPPROTO_UDP, 0, 0,
		10, 0, 0, 0, 172, 16, 0, 1,
	};
	uint8_t *u = p->frame + sizeof(l2) + sizeof(ip);

	memcpy(p->frame, l2, sizeof(l2));
	memcpy(p->frame + sizeof(l2), ip, sizeof(ip));
	p->frame[sizeof(l2) + 15] = ue;
	u[0] = (uint8_t)(sport >> 8);
	u[1] = (uint8_t)sport;
	u[2] = (uint8_t)(dport >> 8);
	u[3] = (uint8_t)dport;
	u[4] = 0;
	u[5] = 8;
	u[6] = 0;
	u[7] = 0;
	p->len = sizeof(l2) + sizeof(ip) + 8;
}

/* XDP verdict of the current frame, or -errno. */
static int probe_run(struct probe *p)
{
	struct xdp_md ctx = { .data_end = p->len, .ingress_ifindex = p->ifindex };
	uint8_t out[128];
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = p->frame,
		.data_size_in = p->len,
		.data_out = out,
		.data_size_out = sizeof(out),
		.ctx_in = &ctx,
		.ctx_size_in = sizeof(ctx),
		.repeat = 1,
	);

	if (bpf_prog_test_run_opts(p->prog_fd, &opts))
		return -errno;
	return (int)opts.retval;
}

/* Generation the data path enforces (sg_config), 0 before the first apply. */
static uint64_t dp_generation(struct probe *p)
{
	struct sg_config cfg;
	__u32 key = 0;

	if (bpf_map_lookup_elem(p->cfg_fd, &key, &cfg) || !cfg.applied)
		return 0;
	return cfg.generation[cfg.active_slot & 1];
}

/* ---- churn ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted v[n]. */
static double pct(const double *v, unsigned int n, double q)
{
	unsigned int rank = (unsigned int)(q * n + 0.999999);

	return v[rank ? rank - 1 : 0];
}

static void print_stats(const char *name, double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	printf("\"%s\":{\"n\":%u", name, n);
	if (n)
		printf(",\"min_ms\":%.3f,\"median_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f",
		       v[0] * 1e3, pct(v, n, 0.5) * 1e3, pct(v, n, 0.99) * 1e3, v[n - 1] * 1e3);
	printf("}");
}

/* Poll every 200 us: often enough for ms latencies, leaves the agent a CPU. */
#define POLL_NS		200000
#define POLL_LIMIT_S	60.0

static int do_churn(const struct opts *o)
{
	const struct timespec poll = { .tv_nsec = POLL_NS };
	const struct timespec gap = {
		.tv_sec = o->gap_ms / 1000,
		.tv_nsec = (long)(o->gap_ms % 1000) * 1000000,
	};
	unsigned int i, n_gen = 0, n_verdict = 0, early = 0, missed = 0;
	double *lat_gen, *lat_verdict;
	struct sg_rule rule;
	struct probe p;
	struct sg_nl nl;
	int err;

	lat_gen = calloc(o->changes, sizeof(double));
	lat_verdict = calloc(o->changes, sizeof(double));
	if (!lat_gen || !lat_verdict || probe_open(&p, o->uplink))
		return 1;
	err = sg_nl_open(&nl);
	if (err)
		return nl_fail(&nl, "open", err);
	/* Slice 1 -> app 1 udp/65535: no base rule has that port. */
	memset(&rule, 0, sizeof(rule));
	rule.id = o->base_rules + 1;
	rule.src_kind = SLICEGUARD_PEER_SLICE;
	rule.src_id = 1;
	rule.dst_kind = SLICEGUARD_PEER_APP;
	rule.dst_id = 1;
	rule.proto = IPPROTO_UDP;
	rule.port_first = 65535;
	rule.port_last = 65535;

	for (i = 0; i < o->changes; i++) {
		bool add = !(i & 1), gen_seen = false, verdict_seen = false;
		int want = add ? XDP_PASS : XDP_DROP;
		double t0, t;
		uint64_t gen;
		struct nl_msg *msg;

		err = sg_nl_tx(&nl, SLICEGUARD_CMD_TX_BEGIN, NULL);
		if (err)
			return nl_fail(&nl, "tx-begin", err);
		msg = sg_nl_msg(&nl, add ? SLICEGUARD_CMD_RULE_NEW : SLICEGUARD_CMD_RULE_DEL, 0);
		if (!msg)
			return 1;
		if (add)
			err = sg_nl_put_rule(msg, &rule);
		else
			err = nla_put_u32(msg, SLICEGUARD_A_RULE_ID, rule.id);
		if (err) {
			nlmsg_free(msg);
			return 1;
		}
		err = sg_nl_request(&nl, msg, NULL, NULL);
		if (err)
			return nl_fail(&nl, add ? "rule-new" : "rule-del", err);
		err = sg_nl_tx(&nl, SLICEGUARD_CMD_TX_COMMIT, &gen);
		t0 = now_s();
		if (err)
			return nl_fail(&nl, "tx-commit", err);

		/* A fresh source port per change: no flow entry of an earlier probe. */
		probe_frame(&p, 2, (uint16_t)(1024 + i), 65535);
		for (t = t0; !(gen_seen && verdict_seen); t = now_s()) {
			if (t - t0 > POLL_LIMIT_S) {
				missed++;
				break;
			}
			if (!gen_seen && dp_generation(&p) >= gen) {
				gen_seen = true;
				lat_gen[n_gen++] = now_s() - t0;
			}
			if (!verdict_seen) {
				err = probe_run(&p);
				if (err < 0) {
					fprintf(stderr, "ctlbench: test run: %s\n", strerror(-err));
					return 1;
				}
				if (err == want) {
					verdict_seen = true;
					lat_verdict[n_verdict++] = now_s() - t0;
					/* Enforced before the first look: not a latency. */
					early += t == t0;
				}
			}
			if (!(gen_seen && verdict_seen))
				nanosleep(&poll, NULL);
		}
		nanosleep(&gap, NULL);
	}
	sg_nl_close(&nl);

	printf("{\"changes\":%u,\"base_rules\":%u,\"poll_us\":%u,\"gap_ms\":%u,"
	       "\"missed\":%u,\"verdict_at_first_probe\":%u,",
	       o->changes, o->base_rules, POLL_NS / 1000, o->gap_ms, missed, early);
	print_stats("generation", lat_gen, n_gen);
	printf(",");
	print_stats("verdict", lat_verdict, n_verdict);
	printf("}\n");
	return 0;
}

/* ---- flows ---- */

static int do_flows(const struct opts *o)
{
	struct sg_flow_key key, next;
	unsigned int i, passed = 0, entries = 0;
	struct probe p;
	int flows_fd, v;
	void *prev = NULL;

	if (probe_open(&p, o->uplink))
		return 1;
	flows_fd = pinned_fd("sg_flows");
	if (flows_fd < 0)
		return 1;
	/* Rule 1 allows slice 1 -> app 1 udp/1; UEs 10.0.0.1-254, sports from 1024. */
	for (i = 0; i < o->n; i++) {
		probe_frame(&p, (uint8_t)(1 + i % 254), (uint16_t)(1024 + i / 254), 1);
		v = probe_run(&p);
		if (v < 0) {
			fprintf(stderr, "ctlbench: test run: %s\n", strerror(-v));
			return 1;
		}
		passed += v == XDP_PASS;
	}
	while (!bpf_map_get_next_key(flows_fd, prev, &next)) {
		entries++;
		key = next;
		prev = &key;
	}
	printf("{\"sent\":%u,\"passed\":%u,\"flow_entries\":%u}\n", o->n, passed, entries);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: ctlbench gen|add -k slice|app|rule -n N [-S SLICES] [-A APPS] [-u UE] [-x]\n"
		"       ctlbench churn -c CHANGES -i UPLINK -S SLICES -A APPS -r BASE_RULES [-g GAP_MS]\n"
		"       ctlbench flows -n N -i UPLINK\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct opts o = { .slices = 1, .apps = 1, .ue_prefixes = 1 };
	const char *cmd;
	int opt;

	if (argc < 2)
		usage();
	cmd = argv[1];
	argv++;
	argc--;
	while ((opt = getopt(argc, argv, "k:n:S:A:u:r:c:g:i:x")) != -1) {
		switch (opt) {
		case 'k':
			if (!strcmp(optarg, "slice"))
				o.kind = SLICE;
			else if (!strcmp(optarg, "app"))
				o.kind = APP;
			else if (!strcmp(optarg, "rule"))
				o.kind = RULE;
			else
				usage();
			break;
		case 'n':
			o.n = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'S':
			o.slices = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'A':
			o.apps = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'u':
			o.ue_prefixes = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'r':
			o.base_rules = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'c':
			o.changes = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'g':
			o.gap_ms = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'i':
			o.uplink = optarg;
			break;
		case 'x':
			o.abort = true;
			break;
		default:
			usage();
		}
	}
	if (!o.slices || !o.apps || o.ue_prefixes > SLICEGUARD_MAX_UE_PREFIXES)
		usage();
	if ((!strcmp(cmd, "gen") || !strcmp(cmd, "add")) &&
	    ((o.kind == SLICE && (o.n > 4095 || o.n * SLICEGUARD_MAX_UE_PREFIXES > 65536)) ||
	    (o.kind == APP && o.n > 65535) ||
	     (o.kind == RULE && o.n / (o.slices * o.apps) >= 65535))) {
		fprintf(stderr, "ctlbench: sizes out of range\n");
		return 2;
	}
	if (!strcmp(cmd, "gen"))
		return do_gen(&o);
	if (!strcmp(cmd, "add"))
		return do_add(&o);
	if (!strcmp(cmd, "churn") && o.changes && o.uplink)
		return do_churn(&o);
	if (!strcmp(cmd, "flows") && o.uplink)
		return do_flows(&o);
	usage();
	return 2;
}
