// SPDX-License-Identifier: GPL-2.0
/*
 * Adversarial suite of the data path (issue 7, "isolation without
 * exemptions"): every door a reviewer found for moving a packet across
 * slices or apps past sg_uplink and sg_app, as a crafted packet through
 * BPF_PROG_TEST_RUN, IPv4 and IPv6, plain and in GTP-U, on uplinks and on
 * app hooks.
 *
 * Each test is named after the class of ../shared/threat-model.md it
 * covers: r1_ cross-slice lateral movement (risk 1), r2_ cross-app lateral
 * movement (risk 2), r4_ rate policing (risk 4), r7_ monitoring (risk 7),
 * followed by the attack case (frag, nd, gtpu, vlan, spoof...). Each one
 * also has a positive control: the same method, with the identity right,
 * delivers. Without it a test could pass only because the packet was
 * malformed.
 *
 * Every test runs in its own network namespace and data path instance
 * (FIXTURE_SETUP), so state (flows, fragments, buckets) never leaks
 * between tests.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "../lib/dp_harness.h"

/*
 * std_policy() (tests/lib/dp_harness.h), and:
 * - IPv6 for every slice and app: urllc fd00:2::/64, miot fd00:3::/64,
 *   plc 2001:db8::11 udp/5000-5010, telemetry 2001:db8::12 any;
 * - slice 4 fixed (VLAN 400 only, no UE pool, mark 0x104) and slice 5 guest
 *   (VLAN 500 only, mark 0x105): classified by VLAN alone, for flows whose
 *   addresses say nothing about the slice;
 * - slice 6 flat (10.6/16 only, mark 0x106): no VLAN, no TEID, bound by its
 *   pool alone;
 * - slice 7 dscp (DSCP 10 only, mark 0x107): the sender chooses DSCP, so it
 *   must never select this slice;
 * - telemetry serves slices 4-7 as well; rules 9 fixed->telemetry,
 *   10 flat->telemetry, 11 dscp->telemetry (all any proto);
 * - gtpp0: a gtpu uplink with unsliced pass.
 */
static void attack_policy(struct sg_policy *pol)
{
	static const struct {
		uint32_t id;
		const char *name, *pool;
		int vlan, dscp;
		uint32_t mark;
	} extra[] = {
		{ 4, "fixed", NULL, 400, -1, 0x104 },
		{ 5, "guest", NULL, 500, -1, 0x105 },
		{ 6, "flat", "10.6.0.0", -1, -1, 0x106 },
		{ 7, "dscp", NULL, -1, 10, 0x107 },
	};
	struct sg_slice *s;
	struct sg_app *tele;
	unsigned int i;

	std_policy(pol);
	s = &pol->slices[1];
	prefix(&s->ue_prefixes[s->n_ue_prefixes++], "fd00:2::", 64);
	s = &pol->slices[2];
	prefix(&s->ue_prefixes[s->n_ue_prefixes++], "fd00:3::", 64);
	add_endpoint(&pol->apps[1], "2001:db8::11", 128, 17, 5000, 5010);
	add_endpoint(&pol->apps[2], "2001:db8::12", 128, 0, 0, 65535);
	/* Holds the host's 198.18.0.1, as an app subnet holds its gateway. */
	add_endpoint(&pol->apps[2], "198.18.0.0", 24, 0, 0, 65535);

	for (i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		s = sg_policy_add_slice(pol);
		s->id = extra[i].id;
		snprintf(s->name, sizeof(s->name), "%s", extra[i].name);
		s->sst = 1;
		s->has_sd = true;
		s->sd = extra[i].id;
		if (extra[i].pool)
			prefix(&s->ue_prefixes[s->n_ue_prefixes++], extra[i].pool, 16);
		if (extra[i].vlan >= 0)
			s->vlans[s->n_vlans++] = extra[i].vlan;
		if (extra[i].dscp >= 0)
			s->dscps[s->n_dscps++] = extra[i].dscp;
		s->mark = extra[i].mark;
	}
	/* sg_policy_add_slice() may move the array: look the app up after. */
	tele = &pol->apps[2];
	for (i = 4; i <= 7; i++)
		tele->slices[tele->n_slices++] = i;
	add_rule(pol, 9, SLICE, 4, APP, 12, 0, 0, 65535);
	add_rule(pol, 10, SLICE, 6, APP, 12, 0, 0, 65535);
	add_rule(pol, 11, SLICE, 7, APP, 12, 0, 0, 65535);
	add_uplink(pol, "gtpp0", SLICEGUARD_UPLINK_MODE_GTPU, SLICEGUARD_UNSLICED_PASS);
}

/*
 * One data path for the whole suite, loaded before the harness forks its
 * tests, which inherit it: loading (verifying three programs of some 60k
 * instructions each) takes most of a minute in the emulated VM this suite
 * also runs in. Each test starts it afresh (dp_fixture_start()).
 */
static struct sg_dp *suite_dp;
static int suite_dp_err;

static void __attribute__((constructor)) suite_dp_load(void)
{
	struct sg_dp_opts opts = { .resolve_ifindex = test_resolve };

	suite_dp_err = sg_dp_open(&opts, &suite_dp);
}

FIXTURE(atk) {
	struct sg_dp *dp;
	struct sg_policy pol;
	int ifx[N_IFS];
};

FIXTURE_SETUP(atk)
{
	make_netns(_metadata, self->ifx);
	ASSERT_EQ(0, suite_dp_err) TH_LOG("sg_dp_open: %s", strerror(-suite_dp_err));
	self->dp = suite_dp;
	dp_fixture_start(_metadata, self->dp, &self->pol, attack_policy);
}

FIXTURE_TEARDOWN(atk)
{
	sg_policy_free(&self->pol);
}

/* ---- builders of this suite ---- */

static int is_v6(const char *addr)
{
	return strchr(addr, ':') != NULL;
}

/* An IP header of src's family carrying proto. */
static void ip46(struct pkt *p, const char *src, const char *dst, uint8_t proto)
{
	if (is_v6(src))
		ip6(p, src, dst, proto);
	else
		ip4(p, src, dst, proto);
}

/* A TCP segment of either family, vid < 0 untagged. */
static void tcp46(struct pkt *p, int vid, const char *src, const char *dst, uint16_t sport,
		  uint16_t dport, uint8_t flags)
{
	pkt_init(p);
	eth_vid(p, vid, is_v6(src) ? 0x86dd : 0x0800);
	ip46(p, src, dst, 6);
	tcp(p, sport, dport, flags);
	pkt_done(p);
}

static void udp46(struct pkt *p, int vid, const char *src, const char *dst, uint16_t sport,
		  uint16_t dport)
{
	pkt_init(p);
	eth_vid(p, vid, is_v6(src) ? 0x86dd : 0x0800);
	ip46(p, src, dst, 17);
	udp(p, sport, dport);
	zeros(p, 16);
	pkt_done(p);
}

/* Set the DSCP of the last IP header added. */
static void set_dscp(struct pkt *p, uint8_t dscp)
{
	size_t off = p->ip_off[p->n_ip - 1];

	if (p->ip_v6[p->n_ip - 1]) {
		/* Traffic class straddles the first two bytes. */
		p->d[off] = 0x60 | (dscp >> 2);
		p->d[off + 1] = (p->d[off + 1] & 0x0f) | ((dscp & 3) << 6);
	} else {
		p->d[off + 1] = dscp << 2;
	}
}

/*
 * The outer part of a G-PDU (or another GTP-U message of type type) from
 * outer_src to this host, under teid; the caller adds the inner packet and
 * calls pkt_done().
 */
static void gtpu_begin(struct pkt *p, int vid, const char *outer_src, uint8_t type,
		       uint32_t teid)
{
	pkt_init(p);
	eth_vid(p, vid, is_v6(outer_src) ? 0x86dd : 0x0800);
	ip46(p, outer_src, is_v6(outer_src) ? "2001:db8:5::2" : "192.168.50.2", 17);
	udp(p, 2152, 2152);
	gtp(p, 0x30, type, teid);
}

/*
 * pkt_done() fills the length of the last GTP-U header only: the outer
 * one of a G-PDU carrying GTP-U, at off, is set here.
 */
static void gtp_len_fix(struct pkt *p, size_t off)
{
	set16(p, off + 2, p->len - off - 8);
}

/* A G-PDU from the UPF under teid carrying a TCP SYN src -> dst. */
static void gtpu_tcp(struct pkt *p, uint32_t teid, const char *src, const char *dst,
		     uint16_t sport, uint16_t dport)
{
	gtpu_begin(p, -1, "192.168.50.1", 255, teid);
	ip46(p, src, dst, 6);
	tcp(p, sport, dport, TCP_SYN);
	pkt_done(p);
}

/* An ND message (hop limit 255) of type type, with payload bytes after it. */
static void nd_add(struct pkt *p, uint8_t type, const char *src, const char *dst, size_t payload)
{
	ip6(p, src, dst, 58);
	p->d[p->ip_off[p->n_ip - 1] + 7] = 255;
	put8(p, type);
	put8(p, 0);
	put16(p, 0);
	put32(p, 0);
	zeros(p, payload);
}

static void nd(struct pkt *p, int vid, uint8_t type, const char *src, const char *dst,
	       size_t payload)
{
	pkt_init(p);
	eth_vid(p, vid, 0x86dd);
	nd_add(p, type, src, dst, payload);
	pkt_done(p);
}

#define ND_RS	133
#define ND_NS	135
#define ND_NA	136

/*
 * An ICMP error src -> dst quoting the TCP packet qsrc:qsport -> qdst:qdport,
 * padded so that the error's IP packet is ip_len bytes (0: no padding).
 */
static void err_add(struct pkt *p, const char *src, const char *dst, const char *qsrc,
		    const char *qdst, uint16_t qsport, uint16_t qdport, size_t ip_len)
{
	size_t ip_off = p->len;

	if (is_v6(src)) {
		ip6(p, src, dst, 58);
		icmp_err(p, 1, 4, 0);	/* port unreachable */
	} else {
		ip4(p, src, dst, 1);
		icmp_err(p, 3, 3, 0);
	}
	ip46(p, qsrc, qdst, 6);
	tcp8(p, qsport, qdport);
	if (ip_len > p->len - ip_off)
		zeros(p, ip_len - (p->len - ip_off));
	/* Only the outermost lengths are filled by pkt_done(): fix the quote's. */
	p->n_ip--;
}

static void err46(struct pkt *p, int vid, const char *src, const char *dst, const char *qsrc,
		  const char *qdst, uint16_t qsport, uint16_t qdport, size_t ip_len)
{
	pkt_init(p);
	eth_vid(p, vid, is_v6(src) ? 0x86dd : 0x0800);
	err_add(p, src, dst, qsrc, qdst, qsport, qdport, ip_len);
	pkt_done(p);
}

/*
 * An IP fragment of a TCP datagram with id id at offset off8 (8-byte
 * units), IPv4 or IPv6 by src. For IPv6 with ext_bytes, destination
 * options (ext_bytes long) begin the fragmentable part (RFC 8200): the
 * fragment header's next header is 60 in every fragment of the datagram
 * (it is part of the fragment key), and the first fragment carries them.
 * with_tcp: the fragment carries the TCP header.
 */
static void frag_add(struct pkt *p, const char *src, const char *dst, uint32_t id,
		     uint16_t off8, int more, size_t ext_bytes, int with_tcp, uint16_t dport,
		     size_t payload)
{
	if (is_v6(src)) {
		ip6(p, src, dst, 44);
		frag6(p, ext_bytes ? 60 : 6, off8, more, id);
		if (ext_bytes && !off8) {
			put8(p, 6);
			put8(p, ext_bytes / 8 - 1);
			zeros(p, ext_bytes - 2);
		}
	} else {
		size_t ip = p->len;

		ip4(p, src, dst, 6);
		set16(p, ip + 4, id);
		set16(p, ip + 6, (more ? 0x2000 : 0) | off8);
	}
	if (with_tcp)
		tcp(p, 40000, dport, TCP_SYN);
	zeros(p, payload);
}

static void frag46(struct pkt *p, int vid, const char *src, const char *dst, uint32_t id,
		   uint16_t off8, int more, int with_tcp, uint16_t dport, size_t payload)
{
	pkt_init(p);
	eth_vid(p, vid, is_v6(src) ? 0x86dd : 0x0800);
	frag_add(p, src, dst, id, off8, more, 0, with_tcp, dport, payload);
	pkt_done(p);
}

/* The same, inside a G-PDU under teid with an outer VLAN outer_vid. */
static void gtpu_frag(struct pkt *p, int outer_vid, uint32_t teid, const char *src,
		      const char *dst, uint32_t id, uint16_t off8, int more, int with_tcp,
		      uint16_t dport, size_t payload)
{
	gtpu_begin(p, outer_vid, "192.168.50.1", 255, teid);
	frag_add(p, src, dst, id, off8, more, 0, with_tcp, dport, payload);
	pkt_done(p);
}

/* Remove rule id from the policy. */
static void drop_rule(struct sg_policy *pol, uint32_t id)
{
	unsigned int i;

	for (i = 0; i < pol->n_rules; i++)
		if (pol->rules[i].id == id)
			pol->rules[i] = pol->rules[--pol->n_rules];
}

/* Both families of each attack: the UE and app addresses of each. */
struct fam {
	const char *ue1, *ue1b, *ue2, *video, *plc, *tele, *web;
};

static const struct fam fams[2] = {
	{ "10.1.0.5", "10.1.0.9", "10.2.0.7", "192.0.2.10", "192.0.2.11", "192.0.2.12",
	  "203.0.113.5" },
	{ "fd00:1::5", "fd00:1::9", "fd00:2::7", "2001:db8::10", "2001:db8::11",
	  "2001:db8::12", "2001:db8:abcd::80" },
};

/* ---- ICMP errors about another's flow ---- */

/*
 * r1, Fragments/ICMP: a UE of urllc sends video an error "about" embb's
 * flow (quoting video's reply to the embb UE). Only the far end of the
 * quoted packet (the embb UE) may: on the uplink, in GTP-U and at video's
 * egress.
 */
TEST_F(atk, r1_icmp_error_from_other_slice_ue)
{
	struct pkt syn, attack, genuine;
	int f;

	for (f = 0; f < 2; f++) {
		const struct fam *a = &fams[f];

		tcp46(&syn, 100, a->ue1, a->video, 40010, 443, TCP_SYN);
		UPLINK(UP0, &syn, SG_R_RULE, 0x101);

		/* Not related, it is decided as ICMP to video: tcp/443 only. */
		err46(&attack, 200, a->ue2, a->video, a->video, a->ue1, 443, 40010, 0);
		UPLINK(UP0, &attack, SG_R_NO_ENDPOINT, 0);
		APP_OUT(APP1, UP0, &attack, SG_R_NO_ENDPOINT, 0);
		/* Positive: the flow's far end. */
		err46(&genuine, 100, a->ue1, a->video, a->video, a->ue1, 443, 40010, 0);
		UPLINK(UP0, &genuine, SG_R_RELATED, 0x101);
		APP_OUT(APP1, UP0, &genuine, SG_R_RELATED, 0x101);

		/* The same in GTP-U, under urllc's TEID, then embb's. */
		gtpu_begin(&attack, -1, "192.168.50.1", 255, 0x2001);
		err_add(&attack, a->ue2, a->video, a->video, a->ue1, 443, 40010, 0);
		pkt_done(&attack);
		UPLINK(GTP0, &attack, SG_R_NO_ENDPOINT, 0);
		gtpu_begin(&genuine, -1, "192.168.50.1", 255, 0x1001);
		err_add(&genuine, a->ue1, a->video, a->video, a->ue1, 443, 40010, 0);
		pkt_done(&genuine);
		UPLINK(GTP0, &genuine, SG_R_RELATED, 0x101);
	}
}

/*
 * r2: telemetry sends embb's UE an error about the UE's flow to video
 * (quoting the UE's packet to video); only video may. Also telemetry's
 * error to video about video's reply.
 */
TEST_F(atk, r2_icmp_error_from_other_app)
{
	struct pkt syn, attack, genuine;
	int f;

	for (f = 0; f < 2; f++) {
		const struct fam *a = &fams[f];

		tcp46(&syn, 100, a->ue1, a->video, 40011, 443, TCP_SYN);
		UPLINK(UP0, &syn, SG_R_RULE, 0x101);

		err46(&attack, -1, a->tele, a->ue1, a->ue1, a->video, 40011, 443, 0);
		APP_IN(APP3, &attack, SG_R_NO_RULE, 0);
		err46(&genuine, -1, a->video, a->ue1, a->ue1, a->video, 40011, 443, 0);
		APP_IN(APP1, &genuine, SG_R_RELATED, 0x101);

		/* telemetry to video, entering on its own interface. */
		err46(&attack, -1, a->tele, a->video, a->video, a->ue1, 443, 40011, 0);
		APP_OUT(APP1, APP3, &attack, SG_R_NO_ENDPOINT, 0);
		/* ... and from telemetry's interface with the UE's address. */
		err46(&attack, -1, a->ue1, a->video, a->video, a->ue1, 443, 40011, 0);
		APP_IN(APP3, &attack, SG_R_SPOOF, 0);
		APP_OUT(APP1, APP3, &attack, SG_R_SPOOF, 0);
		APP_OUT(APP1, UP0, &attack, SG_R_RELATED, 0x101);
	}
}

/*
 * r1, ICMP errors: another UE of the same slice (same VLAN, same peer)
 * sends video "port unreachable" about its neighbour's flow: a UE is the
 * far end only at its own address. Positive control: the neighbour itself.
 */
TEST_F(atk, r1_icmp_error_from_same_slice_neighbour)
{
	struct pkt syn, err;
	int f;

	for (f = 0; f < 2; f++) {
		const struct fam *a = &fams[f];

		tcp46(&syn, 100, a->ue1, a->video, 40013, 443, TCP_SYN);
		UPLINK(UP0, &syn, SG_R_RULE, 0x101);
		err46(&err, 100, a->ue1b, a->video, a->video, a->ue1, 443, 40013, 0);
		UPLINK(UP0, &err, SG_R_NO_ENDPOINT, 0);
		err46(&err, 100, a->ue1, a->video, a->video, a->ue1, 443, 40013, 0);
		UPLINK(UP0, &err, SG_R_RELATED, 0x101);
	}
}

/*
 * r1, ICMP errors: the host routes every flow that reaches an app, so an
 * error it sends itself (ingress 0: "fragmentation needed" for a UE's
 * uplink with a smaller MTU) is a router's on the path and passes RELATED
 * (positive control). The same error entering from a management veth, or
 * the host's error to another app than the flow's, does not.
 */
TEST_F(atk, r1_icmp_error_from_the_host_as_router)
{
	struct pkt syn, err;
	int f;

	for (f = 0; f < 2; f++) {
		const struct fam *a = &fams[f];
		const char *host = f ? "2001:db8:ffff::fe" : "198.51.100.254";

		tcp46(&syn, 100, a->ue1, a->video, 40012, 443, TCP_SYN);
		UPLINK(UP0, &syn, SG_R_RULE, 0x101);
		/* About video's reply toward the UE. */
		err46(&err, -1, host, a->video, a->video, a->ue1, 443, 40012, 0);
		APP_OUT(APP1, FROM_HOST, &err, SG_R_RELATED, 0x101);
		/* The host's address entering on an interface is a spoof. */
		APP_OUT(APP1, SPARE0, &err, SG_R_SPOOF, 0);
		err46(&err, -1, host, a->tele, a->video, a->ue1, 443, 40012, 0);
		APP_OUT(APP3, FROM_HOST, &err, SG_R_NO_RULE, 0);
	}
}

/*
 * r1: an error from the right sender but larger than a router quotes
 * (576 bytes IPv4, 1280 IPv6) is not related: the quote is no excuse for
 * carrying a payload. Plain and in GTP-U (the inner packet's size counts).
 */
TEST_F(atk, r1_icmp_error_oversized)
{
	static const size_t cap[2] = { 576, 1280 };
	struct pkt syn, e;
	int f;

	for (f = 0; f < 2; f++) {
		const struct fam *a = &fams[f];

		tcp46(&syn, 100, a->ue1, a->video, 40012, 443, TCP_SYN);
		UPLINK(UP0, &syn, SG_R_RULE, 0x101);

		err46(&e, 100, a->ue1, a->video, a->video, a->ue1, 443, 40012, cap[f] + 1);
		UPLINK(UP0, &e, SG_R_NO_ENDPOINT, 0);
		err46(&e, 100, a->ue1, a->video, a->video, a->ue1, 443, 40012, cap[f]);
		UPLINK(UP0, &e, SG_R_RELATED, 0x101);

		gtpu_begin(&e, -1, "192.168.50.1", 255, 0x1001);
		err_add(&e, a->ue1, a->video, a->video, a->ue1, 443, 40012, cap[f] + 1);
		pkt_done(&e);
		UPLINK(GTP0, &e, SG_R_NO_ENDPOINT, 0);
		gtpu_begin(&e, -1, "192.168.50.1", 255, 0x1001);
		err_add(&e, a->ue1, a->video, a->video, a->ue1, 443, 40012, cap[f]);
		pkt_done(&e);
		UPLINK(GTP0, &e, SG_R_RELATED, 0x101);

		/* At app ingress too: video's error to the UE. */
		err46(&e, -1, a->video, a->ue1, a->ue1, a->video, 40012, 443, cap[f] + 1);
		APP_IN(APP1, &e, SG_R_NO_RULE, 0);
		err46(&e, -1, a->video, a->ue1, a->ue1, a->video, 40012, 443, cap[f]);
		APP_IN(APP1, &e, SG_R_RELATED, 0x101);
	}
}

/*
 * r4: the far end's errors pass RELATED but are policed like the flow,
 * with the flow's rule: rule 1 allows 2 packets per second.
 */
TEST_F(atk, r4_icmp_errors_are_policed)
{
	struct pkt syn, e;

	rule_by_id(&self->pol, 1)->rate_packets = 2;
	ASSERT_EQ(0, reapply(self->dp, &self->pol));
	tcp46(&syn, 100, "10.1.0.5", "192.0.2.10", 40013, 443, TCP_SYN);
	err46(&e, 100, "10.1.0.5", "192.0.2.10", "192.0.2.10", "10.1.0.5", 443, 40013, 0);
	UPLINK(UP0, &syn, SG_R_RULE, 0x101);
	UPLINK(UP0, &e, SG_R_RELATED, 0x101);
	UPLINK(UP0, &e, SG_R_RATE_RULE, 0);
	/* From the app side, on app ingress. */
	err46(&e, -1, "192.0.2.10", "10.1.0.5", "10.1.0.5", "192.0.2.10", 40013, 443, 0);
	APP_IN(APP1, &e, SG_R_RATE_RULE, 0);
}

/*
 * r4: replies are policed (uplink and app ingress) with the flow's rule:
 * a reply flood cannot outrun the rule's rate. Rule 1 (UE -> video) and
 * rule 5 (plc -> urllc UEs, replies on the uplink) allow 2 packets/s.
 */
TEST_F(atk, r4_reply_flood_is_policed)
{
	struct pkt syn, synack, out, back;

	rule_by_id(&self->pol, 1)->rate_packets = 2;
	rule_by_id(&self->pol, 5)->rate_packets = 2;
	ASSERT_EQ(0, reapply(self->dp, &self->pol));

	tcp46(&syn, 100, "fd00:1::5", "2001:db8::10", 40014, 443, TCP_SYN);
	tcp46(&synack, -1, "2001:db8::10", "fd00:1::5", 443, 40014, TCP_SYN | TCP_ACK);
	UPLINK(UP0, &syn, SG_R_RULE, 0x101);
	APP_IN(APP1, &synack, SG_R_REPLY, 0x101);
	APP_IN(APP1, &synack, SG_R_RATE_RULE, 0);

	udp46(&out, -1, "192.0.2.11", "10.2.0.7", 5001, 6000);
	udp46(&back, 200, "10.2.0.7", "192.0.2.11", 6000, 5001);
	APP_IN(APP2, &out, SG_R_RULE, 0x102);
	UPLINK(UP0, &back, SG_R_REPLY, 0x102);
	UPLINK(UP0, &back, SG_R_RATE_RULE, 0);
}

/* ---- fragments ---- */

/*
 * r1, Fragments: the tail of embb's datagram under another VLAN (urllc's,
 * one of no slice, a priority tag, none) is classified like any packet,
 * and drops; under VLAN 100 it takes the first fragment's verdict.
 */
TEST_F(atk, r1_frag_tail_under_other_vlan)
{
	static const int vids[] = { 200, 999, 0, -1 };
	struct pkt first, tail;
	unsigned int i;
	int f;

	for (f = 0; f < 2; f++) {
		const struct fam *a = &fams[f];

		frag46(&first, 100, a->ue1, a->video, 21, 0, 1, 1, 443, 200);
		UPLINK(UP0, &first, SG_R_RULE, 0x101);
		for (i = 0; i < sizeof(vids) / sizeof(vids[0]); i++) {
			frag46(&tail, vids[i], a->ue1, a->video, 21, 40, 0, 0, 0, 100);
			UPLINK(UP0, &tail, SG_R_SPOOF, 0);
		}
		frag46(&tail, 100, a->ue1, a->video, 21, 40, 0, 0, 0, 100);
		UPLINK(UP0, &tail, SG_R_RULE, 0x101);
	}
}

/*
 * r1, Fragments/GTP-U: the tail of embb's datagram under urllc's TEID,
 * an unknown TEID, another TEID of embb's, or the right TEID with another
 * outer VLAN. The last two classify as embb but are not the identity the
 * first fragment was decided for (the stored TEID and VLAN must match).
 */
TEST_F(atk, r1_frag_tail_under_other_teid)
{
	struct pkt first, tail;
	int f;

	for (f = 0; f < 2; f++) {
		const struct fam *a = &fams[f];

		gtpu_frag(&first, -1, 0x1001, a->ue1, a->video, 22, 0, 1, 1, 443, 200);
		UPLINK(GTP0, &first, SG_R_RULE, 0x101);
		gtpu_frag(&tail, -1, 0x2001, a->ue1, a->video, 22, 40, 0, 0, 0, 100);
		UPLINK(GTP0, &tail, SG_R_SPOOF, 0);
		gtpu_frag(&tail, -1, 0x9999, a->ue1, a->video, 22, 40, 0, 0, 0, 100);
		UPLINK(GTP0, &tail, SG_R_SPOOF, 0);
		gtpu_frag(&tail, -1, 0x1002, a->ue1, a->video, 22, 40, 0, 0, 0, 100);
		UPLINK(GTP0, &tail, SG_R_FRAG_NO_FIRST, 0);
		gtpu_frag(&tail, 42, 0x1001, a->ue1, a->video, 22, 40, 0, 0, 0, 100);
		UPLINK(GTP0, &tail, SG_R_FRAG_NO_FIRST, 0);
		gtpu_frag(&tail, -1, 0x1001, a->ue1, a->video, 22, 40, 0, 0, 0, 100);
		UPLINK(GTP0, &tail, SG_R_RULE, 0x101);
	}
}

/*
 * r2, Fragments: plc sends the tail of a datagram of video's (video's
 * address, the key of video's stored first fragment): app ingress checks
 * its source like any packet's.
 */
TEST_F(atk, r2_frag_tail_from_spoofing_app)
{
	struct pkt first, tail;
	int f;

	for (f = 0; f < 2; f++) {
		const struct fam *a = &fams[f];

		frag46(&first, -1, a->video, a->web, 23, 0, 1, 1, 80, 200);
		frag46(&tail, -1, a->video, a->web, 23, 40, 0, 0, 0, 100);
		APP_IN(APP1, &first, SG_R_RULE, 0);
		APP_IN(APP2, &tail, SG_R_SPOOF, 0);
		APP_IN(APP3, &tail, SG_R_SPOOF, 0);
		APP_IN(APP1, &tail, SG_R_RULE, 0);
	}
}

/*
 * r1/r2, Fragments: a verdict holds for the interface and hook it was made
 * on. The tail on another uplink, at another hook, or at app egress having
 * entered where the UE does not live does not take it.
 */
TEST_F(atk, r1_frag_tail_on_other_interface)
{
	struct pkt first, tail, first2, tail2;
	int f;

	for (f = 0; f < 2; f++) {
		const struct fam *a = &fams[f];

		frag46(&first, 100, a->ue1, a->video, 24, 0, 1, 1, 443, 200);
		frag46(&tail, 100, a->ue1, a->video, 24, 40, 0, 0, 0, 100);
		UPLINK(UP0, &first, SG_R_RULE, 0x101);
		UPLINK(OPEN0, &tail, SG_R_FRAG_NO_FIRST, 0);
		/* The first fragment never reached video's egress. */
		APP_OUT(APP1, UP0, &tail, SG_R_FRAG_NO_FIRST, 0);
		UPLINK(UP0, &tail, SG_R_RULE, 0x101);

		frag46(&first2, 100, a->ue1, a->video, 25, 0, 1, 1, 443, 200);
		frag46(&tail2, 100, a->ue1, a->video, 25, 40, 0, 0, 0, 100);
		UPLINK(UP0, &first2, SG_R_FLOW, 0x101);
		APP_OUT(APP1, UP0, &first2, SG_R_FLOW, 0x101);
		APP_OUT(APP1, FROM_HOST, &tail2, SG_R_SPOOF, 0);
		APP_OUT(APP1, SPARE0, &tail2, SG_R_SPOOF, 0);
		APP_OUT(APP1, APP3, &tail2, SG_R_SPOOF, 0);
		APP_OUT(APP1, UP0, &tail2, SG_R_FLOW, 0x101);
	}
}

/*
 * r1, Fragments: a spoofed first fragment with the key of a genuine
 * datagram (urllc's VLAN, embb's source), or one that the rules deny,
 * drops and stores nothing: the genuine tail still passes (no cross-slice
 * denial of service).
 */
TEST_F(atk, r1_frag_spoofed_first_cannot_kill_genuine_tail)
{
	struct pkt first, spoofed, denied, tail;
	int f;

	for (f = 0; f < 2; f++) {
		const struct fam *a = &fams[f];

		frag46(&first, 100, a->ue1, a->video, 26, 0, 1, 1, 443, 200);
		frag46(&spoofed, 200, a->ue1, a->video, 26, 0, 1, 1, 443, 200);
		frag46(&denied, 100, a->ue1, a->video, 26, 0, 1, 1, 80, 200);
		frag46(&tail, 100, a->ue1, a->video, 26, 40, 0, 0, 0, 100);
		UPLINK(UP0, &first, SG_R_RULE, 0x101);
		UPLINK(UP0, &spoofed, SG_R_SPOOF, 0);
		UPLINK(UP0, &tail, SG_R_RULE, 0x101);
		UPLINK(UP0, &denied, SG_R_NO_ENDPOINT, 0);
		UPLINK(UP0, &tail, SG_R_RULE, 0x101);
	}
}

/*
 * r1, Fragments: a stored verdict counts only while its rule does: removed,
 * or its id handed to a rule of another match, the tail has no first
 * fragment. Positive: the rule kept (a rate change) keeps the verdict.
 * The same for ue-to-ue (INTRA_SLICE).
 */
TEST_F(atk, r1_frag_entry_ends_with_its_rule)
{
	struct pkt first, tail, intra_first, intra_tail;
	struct sg_rule *r;

	frag46(&first, 100, "10.1.0.5", "192.0.2.10", 27, 0, 1, 1, 443, 200);
	frag46(&tail, 100, "10.1.0.5", "192.0.2.10", 27, 40, 0, 0, 0, 100);
	UPLINK(UP0, &first, SG_R_RULE, 0x101);
	rule_by_id(&self->pol, 1)->rate_packets = 1000;
	ASSERT_EQ(0, reapply(self->dp, &self->pol));
	UPLINK(UP0, &tail, SG_R_RULE, 0x101);
	/* Rule 1 now matches udp: another rule under the old id. */
	r = rule_by_id(&self->pol, 1);
	r->proto = 17;
	ASSERT_EQ(0, reapply(self->dp, &self->pol));
	UPLINK(UP0, &tail, SG_R_FRAG_NO_FIRST, 0);
	r = rule_by_id(&self->pol, 1);
	r->proto = 6;
	ASSERT_EQ(0, reapply(self->dp, &self->pol));
	UPLINK(UP0, &first, SG_R_FLOW, 0x101);
	drop_rule(&self->pol, 1);
	ASSERT_EQ(0, reapply(self->dp, &self->pol));
	UPLINK(UP0, &tail, SG_R_FRAG_NO_FIRST, 0);

	frag46(&intra_first, 200, "10.2.0.7", "10.2.0.8", 28, 0, 1, 1, 80, 200);
	frag46(&intra_tail, 200, "10.2.0.7", "10.2.0.8", 28, 40, 0, 0, 0, 100);
	UPLINK(UP0, &intra_first, SG_R_INTRA_SLICE, 0x102);
	UPLINK(UP0, &intra_tail, SG_R_INTRA_SLICE, 0x102);
	self->pol.slices[1].ue_to_ue = false;
	ASSERT_EQ(0, reapply(self->dp, &self->pol));
	UPLINK(UP0, &intra_tail, SG_R_FRAG_NO_FIRST, 0);
}

/*
 * r1, Fragments/IPv6 extension headers: destination options after the
 * fragment header belong to the fragmentable part, so the transport header
 * of the first fragment ends 16 + 20 bytes in. A tail at offset 32 would
 * overwrite its ports (RFC 1858, RFC 8200 4.5). IPv4: a 40-byte TCP header
 * (options) is covered whole.
 */
TEST_F(atk, r1_frag_overlap_behind_extension_headers)
{
	struct pkt first, tail;
	uint16_t off;

	pkt_init(&first);
	eth_vid(&first, 100, 0x86dd);
	frag_add(&first, "fd00:1::5", "2001:db8::10", 29, 0, 1, 16, 1, 443, 200);
	pkt_done(&first);
	UPLINK(UP0, &first, SG_R_RULE, 0x101);
	for (off = 1; off <= 5; off++) {
		pkt_init(&tail);
		eth_vid(&tail, 100, 0x86dd);
		frag_add(&tail, "fd00:1::5", "2001:db8::10", 29, off, 0, 16, 0, 0, 64);
		pkt_done(&tail);
		UPLINK(UP0, &tail, off * 8 < 36 ? SG_R_FRAG_OVERLAP : SG_R_RULE,
		       off * 8 < 36 ? 0 : 0x101);
	}

	frag46(&first, 100, "10.1.0.5", "192.0.2.10", 29, 0, 1, 1, 443, 200);
	/* TCP data offset 10: 20 bytes of options, which were zeros of the payload. */
	first.d[18 + 20 + 12] = 10 << 4;
	UPLINK(UP0, &first, SG_R_RULE, 0x101);
	for (off = 2; off <= 5; off++) {
		frag46(&tail, 100, "10.1.0.5", "192.0.2.10", 29, off, 0, 0, 0, 64);
		UPLINK(UP0, &tail, off * 8 < 40 ? SG_R_FRAG_OVERLAP : SG_R_RULE,
		       off * 8 < 40 ? 0 : 0x101);
	}
}

/*
 * r1, IPv6 extension headers/Fragments: a second fragment header in one
 * chain, also after an atomic fragment header, is malformed: two
 * reassembly layers could each see a different datagram.
 */
TEST_F(atk, r1_frag_multiple_fragment_headers)
{
	struct pkt p;

	/* atomic, then a first fragment */
	pkt_init(&p);
	eth_vid(&p, 100, 0x86dd);
	ip6(&p, "fd00:1::5", "2001:db8::10", 44);
	frag6(&p, 44, 0, 0, 30);
	frag6(&p, 6, 0, 1, 31);
	tcp(&p, 40000, 443, TCP_SYN);
	pkt_done(&p);
	UPLINK(UP0, &p, SG_R_MALFORMED, 0);
	/* a first fragment, then another fragment header */
	pkt_init(&p);
	eth_vid(&p, 100, 0x86dd);
	ip6(&p, "fd00:1::5", "2001:db8::10", 44);
	frag6(&p, 44, 0, 1, 32);
	frag6(&p, 6, 0, 0, 33);
	tcp(&p, 40000, 443, TCP_SYN);
	pkt_done(&p);
	UPLINK(UP0, &p, SG_R_MALFORMED, 0);
	/* a first fragment, destination options, another fragment header */
	pkt_init(&p);
	eth_vid(&p, 100, 0x86dd);
	ip6(&p, "fd00:1::5", "2001:db8::10", 44);
	frag6(&p, 60, 0, 1, 34);
	ext6(&p, 44);
	frag6(&p, 6, 0, 0, 35);
	tcp(&p, 40000, 443, TCP_SYN);
	pkt_done(&p);
	UPLINK(UP0, &p, SG_R_MALFORMED, 0);
	/* Inside GTP-U as well. */
	gtpu_begin(&p, -1, "192.168.50.1", 255, 0x1001);
	ip6(&p, "fd00:1::5", "2001:db8::10", 44);
	frag6(&p, 44, 0, 0, 36);
	frag6(&p, 6, 0, 1, 37);
	tcp(&p, 40000, 443, TCP_SYN);
	pkt_done(&p);
	UPLINK(GTP0, &p, SG_R_MALFORMED, 0);
	/* Positive: one fragment header, behind other extension headers. */
	pkt_init(&p);
	eth_vid(&p, 100, 0x86dd);
	ip6(&p, "fd00:1::5", "2001:db8::10", 0);
	ext6(&p, 44);
	frag6(&p, 6, 0, 1, 38);
	tcp(&p, 40000, 443, TCP_SYN);
	pkt_done(&p);
	UPLINK(UP0, &p, SG_R_RULE, 0x101);
}

/*
 * r1, Fragments: an atomic fragment (offset 0, M 0) is a whole packet,
 * decided as such; it stores no fragment verdict, so a tail sent under its
 * id has no first fragment.
 */
TEST_F(atk, r1_frag_atomic_is_decided_whole)
{
	struct pkt ok, denied, tail;

	pkt_init(&ok);
	eth_vid(&ok, 100, 0x86dd);
	ip6(&ok, "fd00:1::5", "2001:db8::10", 44);
	frag6(&ok, 6, 0, 0, 40);
	tcp(&ok, 40000, 443, TCP_SYN);
	pkt_done(&ok);
	pkt_init(&denied);
	eth_vid(&denied, 100, 0x86dd);
	ip6(&denied, "fd00:1::5", "2001:db8::10", 44);
	frag6(&denied, 6, 0, 0, 41);
	tcp(&denied, 40000, 80, TCP_SYN);
	pkt_done(&denied);
	frag46(&tail, 100, "fd00:1::5", "2001:db8::10", 40, 40, 0, 0, 0, 100);
	UPLINK(UP0, &denied, SG_R_NO_ENDPOINT, 0);
	UPLINK(UP0, &ok, SG_R_RULE, 0x101);
	UPLINK(UP0, &tail, SG_R_FRAG_NO_FIRST, 0);
}

/*
 * r1, Fragments: a first fragment without the whole transport header
 * (RFC 1858 tiny fragments), also when IPv6 extension headers after the
 * fragment header push it into the next fragment; its tail finds nothing.
 */
TEST_F(atk, r1_frag_tiny_first_fragments)
{
	struct pkt p, tail;

	frag46(&p, 100, "10.1.0.5", "192.0.2.10", 42, 0, 1, 0, 0, 8);
	UPLINK(UP0, &p, SG_R_FRAG_TINY, 0);
	/* fragment header, destination options, no TCP in this fragment */
	pkt_init(&p);
	eth_vid(&p, 100, 0x86dd);
	frag_add(&p, "fd00:1::5", "2001:db8::10", 43, 0, 1, 64, 0, 0, 0);
	pkt_done(&p);
	UPLINK(UP0, &p, SG_R_FRAG_TINY, 0);
	pkt_init(&tail);
	eth_vid(&tail, 100, 0x86dd);
	frag_add(&tail, "fd00:1::5", "2001:db8::10", 43, 8, 0, 64, 0, 0, 100);
	pkt_done(&tail);
	UPLINK(UP0, &tail, SG_R_FRAG_NO_FIRST, 0);
	/* ... with 12 bytes of TCP */
	pkt_init(&p);
	eth_vid(&p, 100, 0x86dd);
	frag_add(&p, "fd00:1::5", "2001:db8::10", 44, 0, 1, 8, 0, 0, 12);
	pkt_done(&p);
	UPLINK(UP0, &p, SG_R_FRAG_TINY, 0);
	/* Positive: the whole TCP header after the options. */
	pkt_init(&p);
	eth_vid(&p, 100, 0x86dd);
	frag_add(&p, "fd00:1::5", "2001:db8::10", 45, 0, 1, 64, 1, 443, 0);
	pkt_done(&p);
	UPLINK(UP0, &p, SG_R_RULE, 0x101);
}

/* r4, Fragments: a datagram's tails are rate policed like its first fragment. */
TEST_F(atk, r4_frag_tails_are_policed)
{
	struct pkt first, tail, tail2;

	rule_by_id(&self->pol, 1)->rate_packets = 2;
	ASSERT_EQ(0, reapply(self->dp, &self->pol));
	frag46(&first, 100, "10.1.0.5", "192.0.2.10", 46, 0, 1, 1, 443, 200);
	frag46(&tail, 100, "10.1.0.5", "192.0.2.10", 46, 40, 1, 0, 0, 100);
	frag46(&tail2, 100, "10.1.0.5", "192.0.2.10", 46, 80, 0, 0, 0, 100);
	UPLINK(UP0, &first, SG_R_RULE, 0x101);
	UPLINK(UP0, &tail, SG_R_RULE, 0x101);
	UPLINK(UP0, &tail2, SG_R_RATE_RULE, 0);
}

/* ---- neighbour discovery ---- */

/*
 * r1, ND: a neighbour solicitation (hop limit 255) with a payload, sent to
 * a UE of urllc rather than to the link: decided like any ICMPv6 packet,
 * so it drops. Positive: ND to link-local, multicast or the host passes
 * ND, unmarked.
 */
TEST_F(atk, r1_nd_payload_to_other_slice_ue)
{
	struct pkt p;

	nd(&p, 100, ND_NS, "fd00:1::5", "fd00:2::7", 200);
	UPLINK(UP0, &p, SG_R_NO_RULE, 0);
	nd(&p, 100, ND_NA, "fd00:1::5", "fd00:1::9", 200);
	UPLINK(UP0, &p, SG_R_NO_RULE, 0);
	nd(&p, 100, ND_NS, "fd00:1::5", "ff02::1:ff00:7", 24);
	UPLINK(UP0, &p, SG_R_ND, 0);
	nd(&p, 100, ND_NS, "fd00:1::5", "fe80::7", 24);
	UPLINK(UP0, &p, SG_R_ND, 0);
	nd(&p, 100, ND_NS, "fd00:1::5", "2001:db8:ffff::fe", 24);
	UPLINK(UP0, &p, SG_R_ND, 0);
	/* Toward an address beyond the host it would be routed on. */
	nd(&p, 100, ND_NS, "fd00:1::5", "2001:db8:abcd::80", 24);
	UPLINK(UP0, &p, SG_R_NO_RULE, 0);
	nd(&p, 100, ND_RS, "fe80::1", "ff02::2", 0);
	UPLINK(UP0, &p, SG_R_ND, 0);
}

/* r1, ND/GTP-U: the same inside a G-PDU: the inner packet is checked. */
TEST_F(atk, r1_nd_payload_to_other_slice_ue_in_gtpu)
{
	struct pkt p;

	gtpu_begin(&p, -1, "192.168.50.1", 255, 0x1001);
	nd_add(&p, ND_NS, "fd00:1::5", "fd00:2::7", 200);
	pkt_done(&p);
	UPLINK(GTP0, &p, SG_R_NO_RULE, 0);
	gtpu_begin(&p, -1, "192.168.50.1", 255, 0x1001);
	nd_add(&p, ND_NS, "fd00:2::7", "ff02::1:ff00:5", 0);
	pkt_done(&p);
	UPLINK(GTP0, &p, SG_R_SPOOF, 0);
	gtpu_begin(&p, -1, "192.168.50.1", 255, 0x1001);
	nd_add(&p, ND_NS, "fd00:1::5", "ff02::1:ff00:7", 24);
	pkt_done(&p);
	UPLINK(GTP0, &p, SG_R_ND, 0);
	gtpu_begin(&p, -1, "192.168.50.1", 255, 0x1001);
	nd_add(&p, ND_RS, "fe80::1", "ff02::2", 0);
	pkt_done(&p);
	UPLINK(GTP0, &p, SG_R_ND, 0);
}

/*
 * r2, ND: an app sends ND with a payload to a UE (telemetry to an embb
 * UE, video to a UE of the slice it serves): no rule. At app egress, ND
 * reaches the app only for its own addresses, the link or multicast.
 */
TEST_F(atk, r2_nd_payload_between_app_and_ue)
{
	struct pkt p;

	nd(&p, -1, ND_NA, "2001:db8::12", "fd00:1::5", 200);
	APP_IN(APP3, &p, SG_R_NO_RULE, 0);
	nd(&p, -1, ND_NA, "2001:db8::10", "fd00:1::5", 200);
	APP_IN(APP1, &p, SG_R_NO_RULE, 0);
	nd(&p, -1, ND_NA, "2001:db8::10", "ff02::1", 24);
	APP_IN(APP1, &p, SG_R_ND, 0);
	nd(&p, -1, ND_NA, "2001:db8::10", "fe80::1", 24);
	APP_IN(APP1, &p, SG_R_ND, 0);

	/* Not video's address: to video it is ICMPv6 for no endpoint. */
	nd(&p, -1, ND_NS, "fe80::1", "fd00:1::5", 200);
	APP_OUT(APP1, UP0, &p, SG_R_NO_ENDPOINT, 0);
	nd(&p, -1, ND_NS, "fe80::1", "2001:db8::12", 200);
	APP_OUT(APP1, UP0, &p, SG_R_NO_ENDPOINT, 0);
	nd(&p, -1, ND_NS, "fe80::1", "2001:db8::10", 24);
	APP_OUT(APP1, UP0, &p, SG_R_ND, 0);
	nd(&p, -1, ND_NS, "fe80::1", "ff02::1:ff00:10", 24);
	APP_OUT(APP1, UP0, &p, SG_R_ND, 0);
}

/*
 * r1/r2, ND, source spoofing: ND no longer passes before the source
 * checks. Another slice's pool, a pooled source without its VLAN, an app's
 * address or a global address outside the pool on a slice's VLAN, on the
 * uplink; another address than the app's own at app ingress; a UE's
 * address at app egress having entered from the host itself.
 */
TEST_F(atk, r1_nd_spoofed_source)
{
	struct pkt p;

	nd(&p, 100, ND_NS, "fd00:2::7", "ff02::1:ff00:5", 0);
	UPLINK(UP0, &p, SG_R_SPOOF, 0);
	nd(&p, -1, ND_NS, "fd00:1::5", "ff02::1:ff00:9", 0);
	UPLINK(UP0, &p, SG_R_SPOOF, 0);
	nd(&p, -1, ND_NS, "2001:db8::10", "ff02::1:ff00:9", 0);
	UPLINK(UP0, &p, SG_R_SPOOF, 0);
	UPLINK(OPEN0, &p, SG_R_SPOOF, 0);
	nd(&p, 100, ND_NS, "2001:db8:ffff::9", "ff02::1:ff00:9", 0);
	UPLINK(UP0, &p, SG_R_SPOOF, 0);
	nd(&p, -1, ND_NA, "fd00:1::5", "ff02::1", 0);
	APP_IN(APP1, &p, SG_R_SPOOF, 0);
	nd(&p, -1, ND_NA, "2001:db8::12", "ff02::1", 0);
	APP_IN(APP1, &p, SG_R_SPOOF, 0);
	nd(&p, -1, ND_NA, "fd00:1::5", "ff02::1", 0);
	APP_OUT(APP1, FROM_HOST, &p, SG_R_SPOOF, 0);
	APP_OUT(APP1, APP3, &p, SG_R_SPOOF, 0);

	/* Positive: each with the identity right. */
	APP_OUT(APP1, UP0, &p, SG_R_ND, 0);
	nd(&p, 100, ND_NS, "fd00:1::5", "ff02::1:ff00:9", 0);
	UPLINK(UP0, &p, SG_R_ND, 0);
	/* Duplicate address detection: from the unspecified address. */
	nd(&p, 100, ND_NS, "::", "ff02::1:ff00:9", 0);
	UPLINK(UP0, &p, SG_R_ND, 0);
	nd(&p, -1, ND_NA, "2001:db8::10", "ff02::1", 0);
	APP_IN(APP1, &p, SG_R_ND, 0);
	nd(&p, -1, ND_NS, "::", "ff02::1:ff00:10", 0);
	APP_IN(APP1, &p, SG_R_ND, 0);
}

/* ---- stored flows and sources ---- */

/*
 * r1: a flow of slice fixed (VLAN 400; its UE's address is in no pool)
 * ridden by a host on guest's VLAN 500 with the same 5-tuple: the entry
 * holds the identity it was decided for, and guest has no rule.
 */
TEST_F(atk, r1_flow_ridden_from_other_vlan)
{
	struct pkt syn, ack, ride;

	tcp46(&syn, 400, "198.51.100.7", "192.0.2.12", 40020, 8080, TCP_SYN);
	tcp46(&ack, 400, "198.51.100.7", "192.0.2.12", 40020, 8080, TCP_ACK);
	tcp46(&ride, 500, "198.51.100.7", "192.0.2.12", 40020, 8080, TCP_ACK);
	UPLINK(UP0, &syn, SG_R_RULE, 0x104);
	UPLINK(UP0, &ride, SG_R_NO_RULE, 0);
	UPLINK(UP0, &ack, SG_R_FLOW, 0x104);
	/*
	 * On a VLAN of no slice it has no slice at all, and does not ride the
	 * flow of the slice whose UE has its (pool-less) address.
	 */
	tcp46(&ride, 999, "198.51.100.7", "192.0.2.12", 40020, 8080, TCP_ACK);
	UPLINK(UP0, &ride, SG_R_NO_SLICE, 0);
	UPLINK(OPEN0, &ride, SG_R_NO_SLICE, 0);
}

/*
 * r1: when a rule allows another identity with a live flow's 5-tuple (a UE
 * of guest, VLAN 500, with the address of fixed's UE, VLAN 400; neither
 * slice has UE prefixes), it passes by its rule without an entry
 * (FLOW_FULL): it neither rides nor takes over the first flow, whose
 * replies still pass. Positive control: once the first entry's rule is
 * gone, the other identity's flow is stored.
 */
TEST_F(atk, r1_flow_entry_kept_from_other_identity)
{
	struct pkt a4, a5, reply;

	add_rule(&self->pol, 12, SLICE, 5, APP, 12, 6, 8080, 8080);
	ASSERT_EQ(0, reapply(self->dp, &self->pol));
	tcp46(&a4, 400, "198.51.100.8", "192.0.2.12", 40021, 8080, TCP_ACK);
	tcp46(&a5, 500, "198.51.100.8", "192.0.2.12", 40021, 8080, TCP_ACK);
	tcp46(&reply, -1, "192.0.2.12", "198.51.100.8", 8080, 40021, TCP_ACK);
	UPLINK(UP0, &a4, SG_R_RULE, 0x104);
	UPLINK(UP0, &a4, SG_R_FLOW, 0x104);
	UPLINK(UP0, &a5, SG_R_FLOW_FULL, 0x105);
	UPLINK(UP0, &a5, SG_R_FLOW_FULL, 0x105);
	APP_IN(APP3, &reply, SG_R_REPLY, 0x104);
	UPLINK(UP0, &a4, SG_R_FLOW, 0x104);

	drop_rule(&self->pol, 9);
	ASSERT_EQ(0, reapply(self->dp, &self->pol));
	UPLINK(UP0, &a5, SG_R_RULE, 0x105);
	UPLINK(UP0, &a5, SG_R_FLOW, 0x105);
	APP_IN(APP3, &reply, SG_R_REPLY, 0x105);
}

/*
 * r2: video's flow to a web server, and a packet with its 5-tuple (video's
 * address as source) arriving on an uplink: apps are never behind uplinks.
 * Also a plain app source on every kind of uplink.
 */
TEST_F(atk, r2_app_source_on_uplink)
{
	struct pkt out, ride, p;
	int f;

	for (f = 0; f < 2; f++) {
		const struct fam *a = &fams[f];

		tcp46(&out, -1, a->video, a->web, 41000, 80, TCP_SYN);
		tcp46(&ride, -1, a->video, a->web, 41000, 80, TCP_ACK);
		APP_IN(APP1, &out, SG_R_RULE, 0);
		UPLINK(OPEN0, &ride, SG_R_SPOOF, 0);
		UPLINK(UP0, &ride, SG_R_SPOOF, 0);
		tcp46(&ride, 100, a->video, a->web, 41000, 80, TCP_ACK);
		UPLINK(UP0, &ride, SG_R_SPOOF, 0);
		tcp46(&ride, -1, a->video, a->web, 41000, 80, TCP_ACK);
		APP_IN(APP1, &ride, SG_R_FLOW, 0);

		udp46(&p, 200, a->plc, a->tele, 5005, 3000);
		UPLINK(UP0, &p, SG_R_SPOOF, 0);
		udp46(&p, -1, a->plc, a->tele, 5005, 3000);
		UPLINK(OPEN0, &p, SG_R_SPOOF, 0);
		gtpu_tcp(&p, 0x1001, a->video, a->tele, 443, 8080);
		UPLINK(GTP0, &p, SG_R_SPOOF, 0);
		UPLINK(GTPP0, &p, SG_R_SPOOF, 0);
		/*
		 * Positive: an outside source on the open uplink passes toward
		 * the host or beyond; toward an app only stored flows pass it.
		 */
		udp46(&p, -1, f ? "2001:db8:ffff::9" : "198.51.100.9", a->web, 5005, 3000);
		UPLINK(OPEN0, &p, SG_R_UNSLICED_PASS, 0);
		UPLINK(UP0, &p, SG_R_NO_SLICE, 0);
		udp46(&p, -1, f ? "2001:db8:ffff::9" : "198.51.100.9", a->tele, 5005, 3000);
		UPLINK(OPEN0, &p, SG_R_NO_SLICE, 0);
	}
}

/*
 * r1: a UE's source reaches an app only having entered on an uplink: not
 * from the host itself (ingress 0), a management veth, another app's or
 * the app's own interface. Positive: any uplink.
 */
TEST_F(atk, r1_app_egress_ue_source_from_non_uplink)
{
	static const int bad[] = { FROM_HOST, SPARE0, APP3, APP1, APP2 };
	static const int good[] = { UP0, GTP0, OPEN0, GTPP0 };
	struct pkt syn, ack;
	unsigned int i;
	int f;

	for (f = 0; f < 2; f++) {
		const struct fam *a = &fams[f];

		tcp46(&syn, 100, a->ue1, a->video, 40030, 443, TCP_SYN);
		tcp46(&ack, -1, a->ue1, a->video, 40030, 443, TCP_ACK);
		UPLINK(UP0, &syn, SG_R_RULE, 0x101);
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			ASSERT_TRUE(check_pkt(_metadata, self->dp, SG_DP_PROG_EGRESS,
					      self->ifx[APP1], IIF(bad[i]), &ack, SG_R_SPOOF, 0,
					      "UE source from a non-uplink"));
		for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
			ASSERT_TRUE(check_pkt(_metadata, self->dp, SG_DP_PROG_EGRESS,
					      self->ifx[APP1], IIF(good[i]), &ack, SG_R_FLOW, 0x101,
					      "UE source from an uplink"));
	}
}

/*
 * r2: an app's source reaches another app only from that app's interface
 * (telemetry -> plc, rule 7). Positive: from telemetry's interface; an
 * external source is bound to no interface.
 */
TEST_F(atk, r2_app_egress_app_source_from_other_interface)
{
	static const int bad[] = { FROM_HOST, SPARE0, APP1, APP2, UP0, OPEN0 };
	struct pkt p, web_reply;
	unsigned int i;
	int f;

	for (f = 0; f < 2; f++) {
		const struct fam *a = &fams[f];

		udp46(&p, -1, a->tele, a->plc, 3000, 5005);
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			ASSERT_TRUE(check_pkt(_metadata, self->dp, SG_DP_PROG_EGRESS,
					      self->ifx[APP2], IIF(bad[i]), &p, SG_R_SPOOF, 0,
					      "app source from another interface"));
		APP_OUT(APP2, APP3, &p, SG_R_RULE, 0);
		APP_OUT(APP2, APP3, &p, SG_R_FLOW, 0);

		tcp46(&p, -1, a->video, a->web, 41001, 80, TCP_SYN);
		tcp46(&web_reply, -1, a->web, a->video, 80, 41001, TCP_SYN | TCP_ACK);
		APP_IN(APP1, &p, SG_R_RULE, 0);
		APP_OUT(APP1, FROM_HOST, &web_reply, SG_R_REPLY, 0);
		APP_OUT(APP1, OPEN0, &web_reply, SG_R_REPLY, 0);
	}
}

/* ---- the host ---- */

/* What leaves uplink ifi, having entered the host on from. */
#define UP_OUT(ifi, from, pkt, reason, mark) \
	ASSERT_TRUE(check_pkt(_metadata, self->dp, SG_DP_PROG_EGRESS, self->ifx[ifi], \
			      IIF(from), pkt, reason, mark, #pkt " out of " #ifi " via " #from))

/*
 * r1/r2, the host: a rule toward "any" does not reach the host's own
 * addresses (one outside everything, the gateway address inside embb's UE
 * pool, one inside telemetry's endpoint prefix): only a rule naming the
 * host does. Positive: the same packets toward an external address pass
 * with the "any" rule, and toward the host once a host rule exists.
 */
TEST_F(atk, r1_r2_the_host_is_not_any)
{
	struct pkt p, reply;
	int f;

	add_rule(&self->pol, 20, SLICE, 1, ANY, 0, 17, 53, 53);
	add_rule(&self->pol, 21, SLICE, 3, APP, 12, 17, 53, 53);
	ASSERT_EQ(0, reapply(self->dp, &self->pol));
	for (f = 0; f < 2; f++) {
		const struct fam *a = &fams[f];
		const char *host = f ? "2001:db8:ffff::fe" : "198.51.100.254";
		const char *gw = f ? "fd00:1::1" : "10.1.0.1";

		udp46(&p, 100, a->ue1, a->web, 40100, 53);
		UPLINK(UP0, &p, SG_R_RULE, 0x101);
		udp46(&p, 100, a->ue1, host, 40100, 53);
		UPLINK(UP0, &p, SG_R_NO_RULE, 0);
		udp46(&p, 100, a->ue1, gw, 40100, 53);
		UPLINK(UP0, &p, SG_R_NO_RULE, 0);
		tcp46(&p, -1, a->video, a->web, 41100, 80, TCP_SYN);
		APP_IN(APP1, &p, SG_R_RULE, 0);
		tcp46(&p, -1, a->video, host, 41100, 80, TCP_SYN);
		APP_IN(APP1, &p, SG_R_NO_RULE, 0);
	}
	udp46(&p, 300, "10.3.0.5", "198.18.0.5", 40100, 53);
	UPLINK(UP0, &p, SG_R_RULE, 0x103);
	udp46(&p, 300, "10.3.0.5", "198.18.0.1", 40100, 53);
	UPLINK(UP0, &p, SG_R_NO_RULE, 0);

	add_rule(&self->pol, 22, SLICE, 1, HOST, 0, 17, 53, 53);
	add_rule(&self->pol, 23, APP, 10, HOST, 0, 6, 80, 80);
	add_rule(&self->pol, 24, SLICE, 3, HOST, 0, 17, 53, 53);
	ASSERT_EQ(0, reapply(self->dp, &self->pol));
	for (f = 0; f < 2; f++) {
		const struct fam *a = &fams[f];
		const char *host = f ? "2001:db8:ffff::fe" : "198.51.100.254";
		const char *gw = f ? "fd00:1::1" : "10.1.0.1";

		udp46(&p, 100, a->ue1, host, 40101, 53);
		UPLINK(UP0, &p, SG_R_RULE, 0x101);
		udp46(&p, 100, a->ue1, gw, 40101, 53);
		UPLINK(UP0, &p, SG_R_RULE, 0x101);
		tcp46(&p, -1, a->video, host, 41101, 80, TCP_SYN);
		APP_IN(APP1, &p, SG_R_RULE, 0);
		/* The host answers from itself; the same entering on a veth is a spoof. */
		tcp46(&reply, -1, host, a->video, 80, 41101, TCP_SYN | TCP_ACK);
		APP_OUT(APP1, SPARE0, &reply, SG_R_SPOOF, 0);
		APP_OUT(APP1, FROM_HOST, &reply, SG_R_REPLY, 0);
	}
	udp46(&p, 300, "10.3.0.5", "198.18.0.1", 40101, 53);
	UPLINK(UP0, &p, SG_R_RULE, 0x103);
}

/*
 * r1/r2, the host: an app endpoint that is exactly one of the host's
 * addresses (an app living in the host's network namespace) makes that
 * address the app's, for every port; a prefix holding it does not (above).
 */
TEST_F(atk, r1_r2_an_app_at_the_hosts_address)
{
	struct pkt p;

	udp46(&p, 200, "10.2.0.7", "198.51.100.254", 40300, 5005);
	UPLINK(UP0, &p, SG_R_NO_RULE, 0);
	add_endpoint(&self->pol.apps[1], "198.51.100.254", 32, 17, 5000, 5010);
	ASSERT_EQ(0, reapply(self->dp, &self->pol));
	UPLINK(UP0, &p, SG_R_RULE, 0x102);
	udp46(&p, 200, "10.2.0.7", "198.51.100.254", 40300, 53);
	UPLINK(UP0, &p, SG_R_NO_ENDPOINT, 0);
	/* plc's interface may send from it; telemetry's may not. */
	udp46(&p, -1, "198.51.100.254", "10.2.0.7", 5005, 6000);
	APP_IN(APP2, &p, SG_R_RULE, 0x102);
	APP_IN(APP3, &p, SG_R_SPOOF, 0);
	/* An app in the host's namespace sends from the host itself. */
	udp46(&p, -1, "198.51.100.254", "10.2.0.7", 5006, 6000);
	UP_OUT(UP0, FROM_HOST, &p, SG_R_RULE, 0x102);
	UP_OUT(UP0, SPARE0, &p, SG_R_SPOOF, 0);
}

/*
 * r1/r2, the host's addresses as the kernel has them: every address it
 * delivers locally is the host, not only its unicast ones: subnet
 * broadcast, the limited broadcast, multicast, IPv6 subnet-router anycast.
 * With a rule to any, none is reached. Positive: an external address is.
 */
TEST_F(atk, r1_host_addresses_read_from_the_kernel)
{
	static const char *const v4[] = {
		"10.77.0.1", "10.77.0.255", "255.255.255.255", "224.0.0.251", "127.0.0.1",
	};
	static const char *const v6[] = { "2001:db8:77::1", "2001:db8:77::", "ff02::1:2", "::1" };
	struct pkt p;
	unsigned int i;

	ASSERT_EQ(0, system("ip link set lo up && sysctl -qw net.ipv6.conf.all.forwarding=1 && "
			    "ip addr add 10.77.0.1/24 dev spare0 && "
			    "ip addr add 2001:db8:77::1/64 dev spare0 nodad"));
	ASSERT_EQ(0, sg_dp_sync_host(self->dp, NULL)) TH_LOG("%s", sg_dp_errmsg(self->dp));
	add_rule(&self->pol, 20, SLICE, 1, ANY, 0, 17, 0, 65535);
	ASSERT_EQ(0, reapply(self->dp, &self->pol));

	udp46(&p, 100, "10.1.0.5", "203.0.113.5", 40400, 53);
	UPLINK(UP0, &p, SG_R_RULE, 0x101);
	udp46(&p, 100, "fd00:1::5", "2001:db8:abcd::80", 40400, 53);
	UPLINK(UP0, &p, SG_R_RULE, 0x101);
	for (i = 0; i < sizeof(v4) / sizeof(v4[0]); i++) {
		udp46(&p, 100, "10.1.0.5", v4[i], 40401, 53);
		ASSERT_TRUE(check_pkt(_metadata, self->dp, SG_DP_PROG_UPLINK, self->ifx[UP0], 0, &p,
				      SG_R_NO_RULE, 0, v4[i]));
	}
	for (i = 0; i < sizeof(v6) / sizeof(v6[0]); i++) {
		udp46(&p, 100, "fd00:1::5", v6[i], 40401, 53);
		ASSERT_TRUE(check_pkt(_metadata, self->dp, SG_DP_PROG_UPLINK, self->ifx[UP0], 0, &p,
				      SG_R_NO_RULE, 0, v6[i]));
	}
}

/*
 * The host's address maps follow the kernel as a whole: an old set replaced
 * by a new one of the same size holds only the new one (stale entries go
 * first, so a large change never overflows), duplicates count once, and a
 * set beyond the capacity is refused without changing anything.
 */
TEST_F(atk, r1_host_address_map_replaced_whole)
{
	const size_t n = 3000;
	struct sg_host_prefix *hp = calloc(SG_HOST_PREFIXES + 1, sizeof(*hp));
	struct pkt p;
	size_t i;

	ASSERT_NE(NULL, hp);
	add_rule(&self->pol, 20, SLICE, 1, ANY, 0, 17, 0, 65535);
	ASSERT_EQ(0, reapply(self->dp, &self->pol));
	for (i = 0; i < n; i++) {
		char a[32];

		snprintf(a, sizeof(a), "100.64.%zu.%zu", i / 256, i % 256);
		prefix(&hp[i].prefix, a, 32);
	}
	ASSERT_EQ(0, sg_dp_set_host_prefixes(self->dp, hp, n)) TH_LOG("%s", sg_dp_errmsg(self->dp));
	udp46(&p, 100, "10.1.0.5", "100.64.0.7", 40500, 53);
	UPLINK(UP0, &p, SG_R_NO_RULE, 0);
	for (i = 0; i < n; i++)
		hp[i].prefix.addr[1] = 65;	/* 100.65.x.y: all new */
	ASSERT_EQ(0, sg_dp_set_host_prefixes(self->dp, hp, n)) TH_LOG("%s", sg_dp_errmsg(self->dp));
	UPLINK(UP0, &p, SG_R_RULE, 0x101);
	udp46(&p, 100, "10.1.0.5", "100.65.0.7", 40501, 53);
	UPLINK(UP0, &p, SG_R_NO_RULE, 0);

	for (i = 0; i <= SG_HOST_PREFIXES; i++)
		prefix(&hp[i].prefix, "fe80::ecee:eeff:feee:eeee", 128);
	ASSERT_EQ(0, sg_dp_set_host_prefixes(self->dp, hp, SG_HOST_PREFIXES + 1))
		TH_LOG("%s", sg_dp_errmsg(self->dp));
	/* Duplicates count once; the set is the whole truth: 100.65/16 is gone. */
	UPLINK(UP0, &p, SG_R_RULE, 0x101);

	for (i = 0; i <= SG_HOST_PREFIXES; i++) {
		char a[32];

		snprintf(a, sizeof(a), "100.66.%zu.%zu", i / 256, i % 256);
		prefix(&hp[i].prefix, a, 32);
	}
	ASSERT_EQ(-E2BIG, sg_dp_set_host_prefixes(self->dp, hp, SG_HOST_PREFIXES + 1));
	udp46(&p, 100, "10.1.0.5", "100.66.0.7", 40502, 53);
	UPLINK(UP0, &p, SG_R_RULE, 0x101);
	free(hp);
}

/*
 * r1/r2, the host, source spoofing: the host's addresses never arrive from
 * outside (on an uplink, as a GTP-U outer or inner source) and are no
 * app's, even inside the app's endpoint prefix. Positive: the genuine
 * sources next to them.
 */
TEST_F(atk, r1_r2_host_source_spoofed)
{
	struct pkt p;
	int f;

	for (f = 0; f < 2; f++) {
		const struct fam *a = &fams[f];
		const char *host = f ? "2001:db8:ffff::fe" : "198.51.100.254";
		const char *gw = f ? "fd00:1::1" : "10.1.0.1";

		tcp46(&p, 100, host, a->video, 40102, 443, TCP_SYN);
		UPLINK(UP0, &p, SG_R_SPOOF, 0);
		UPLINK(OPEN0, &p, SG_R_SPOOF, 0);
		tcp46(&p, 100, gw, a->video, 40102, 443, TCP_SYN);
		UPLINK(UP0, &p, SG_R_SPOOF, 0);
		tcp46(&p, 100, a->ue1, a->video, 40102, 443, TCP_SYN);
		UPLINK(UP0, &p, SG_R_RULE, 0x101);

		gtpu_begin(&p, -1, "192.168.50.1", 255, 0x1001);
		ip46(&p, gw, a->video, 6);
		tcp(&p, 40103, 443, TCP_SYN);
		pkt_done(&p);
		UPLINK(GTP0, &p, SG_R_SPOOF, 0);
		gtpu_begin(&p, -1, host, 255, 0x1001);
		ip46(&p, a->ue1, a->video, 6);
		tcp(&p, 40103, 443, TCP_SYN);
		pkt_done(&p);
		UPLINK(GTP0, &p, SG_R_SPOOF, 0);
		gtpu_begin(&p, -1, "192.168.50.1", 255, 0x1001);
		ip46(&p, a->ue1, a->video, 6);
		tcp(&p, 40103, 443, TCP_SYN);
		pkt_done(&p);
		UPLINK(GTP0, &p, SG_R_RULE, 0x101);
	}
	udp46(&p, -1, "198.18.0.1", "192.0.2.11", 3000, 5005);
	APP_IN(APP3, &p, SG_R_SPOOF, 0);
	udp46(&p, -1, "198.18.0.5", "192.0.2.11", 3000, 5005);
	APP_IN(APP3, &p, SG_R_RULE, 0);
}

/*
 * r2, the host: what the host sends an app needs a rule from the host, and
 * only the host sends from its addresses. Positive: with the rule, the
 * app's answer passes as a reply.
 */
TEST_F(atk, r2_host_to_app_needs_a_rule)
{
	struct pkt p, reply;
	int f;

	for (f = 0; f < 2; f++) {
		const struct fam *a = &fams[f];
		const char *host = f ? "2001:db8:ffff::fe" : "198.51.100.254";

		tcp46(&p, -1, host, a->video, 42000 + f, 443, TCP_SYN);
		APP_OUT(APP1, FROM_HOST, &p, SG_R_NO_RULE, 0);
	}
	add_rule(&self->pol, 20, HOST, 0, APP, 10, 6, 443, 443);
	ASSERT_EQ(0, reapply(self->dp, &self->pol));
	for (f = 0; f < 2; f++) {
		const struct fam *a = &fams[f];
		const char *host = f ? "2001:db8:ffff::fe" : "198.51.100.254";

		tcp46(&p, -1, host, a->video, 42010 + f, 443, TCP_SYN);
		APP_OUT(APP1, SPARE0, &p, SG_R_SPOOF, 0);
		APP_OUT(APP1, UP0, &p, SG_R_SPOOF, 0);
		APP_OUT(APP1, FROM_HOST, &p, SG_R_RULE, 0);
		tcp46(&reply, -1, a->video, host, 443, 42010 + f, TCP_SYN | TCP_ACK);
		APP_IN(APP1, &reply, SG_R_REPLY, 0);
		/* The rule names video only. */
		udp46(&p, -1, host, a->plc, 42020 + f, 5005);
		APP_OUT(APP2, FROM_HOST, &p, SG_R_NO_RULE, 0);
	}
}

/* ---- the way out toward UEs (uplink egress) ---- */

static void echo4(struct pkt *p, int vid, const char *src, const char *dst, uint8_t type)
{
	pkt_init(p);
	eth_vid(p, vid, 0x0800);
	ip4(p, src, dst, 1);
	icmp(p, type, 0x4343);
	pkt_done(p);
}

/*
 * r1/r2: a management veth (an interface the policy does not name: an
 * undeclared workload) opens nothing toward UEs, and claims no UE's or
 * app's source on the way out. Positive: the reply of a UE's own flow to
 * an external address passes whichever way it comes back; an app's flow
 * decided at its interface passes on its way out.
 */
TEST_F(atk, r1_r2_uplink_egress_from_an_undeclared_interface)
{
	struct pkt p;
	int f;

	echo4(&p, 100, "10.1.0.5", "203.0.113.5", 8);
	UPLINK(UP0, &p, SG_R_RULE, 0x101);
	echo4(&p, -1, "203.0.113.5", "10.1.0.5", 0);
	UP_OUT(UP0, SPARE0, &p, SG_R_REPLY, 0x101);
	/* Not an echo reply: no flow lets the outsider's request in. */
	echo4(&p, -1, "203.0.113.5", "10.1.0.5", 8);
	UP_OUT(UP0, SPARE0, &p, SG_R_NO_RULE, 0);
	for (f = 0; f < 2; f++) {
		const struct fam *a = &fams[f];

		udp46(&p, -1, a->web, a->ue1, 4000, 6000);
		UP_OUT(UP0, SPARE0, &p, SG_R_NO_RULE, 0);
		/* UE and app sources live behind the uplink and the app's interface. */
		udp46(&p, -1, a->ue1b, a->ue1, 4000, 6000);
		UP_OUT(UP0, SPARE0, &p, SG_R_SPOOF, 0);
		udp46(&p, -1, a->plc, a->ue2, 5000, 6000);
		UP_OUT(UP0, SPARE0, &p, SG_R_SPOOF, 0);
		UP_OUT(UP0, APP1, &p, SG_R_SPOOF, 0);
	}
	/* plc -> urllc UEs udp/6000 (rule 5): decided at plc's interface, again here. */
	udp46(&p, -1, "192.0.2.11", "10.2.0.7", 5000, 6000);
	APP_IN(APP2, &p, SG_R_RULE, 0x102);
	UP_OUT(UP0, APP2, &p, SG_R_FLOW, 0x102);
	/* The UE's way: a UE of embb hairpinned to another UE of embb needs ue-to-ue. */
	udp46(&p, 100, "10.1.0.9", "10.1.0.5", 4000, 6000);
	UP_OUT(UP0, UP0, &p, SG_R_NO_RULE, 0);
}

/*
 * r1/r3, the host: what the host sends a UE needs a rule from the host
 * (its own address, sent by itself); the UE's answer then passes as a
 * reply. The host's own traffic to the outside is traffic of no slice:
 * the uplink's unsliced setting. Its errors about a UE's flow (a router on
 * the path) pass RELATED.
 */
TEST_F(atk, r1_uplink_egress_the_host_toward_ues)
{
	struct pkt p, reply;
	int f;

	for (f = 0; f < 2; f++) {
		const struct fam *a = &fams[f];
		const char *host = f ? "2001:db8:ffff::fe" : "198.51.100.254";

		udp46(&p, -1, host, a->ue1, 5353, 6000);
		UP_OUT(UP0, FROM_HOST, &p, SG_R_NO_RULE, 0);
		udp46(&p, -1, host, a->web, 5353, 6000);
		UP_OUT(UP0, FROM_HOST, &p, SG_R_NO_SLICE, 0);
		UP_OUT(OPEN0, FROM_HOST, &p, SG_R_UNSLICED_PASS, 0);
	}
	add_rule(&self->pol, 20, HOST, 0, SLICE, 1, 17, 6000, 6000);
	ASSERT_EQ(0, reapply(self->dp, &self->pol));
	for (f = 0; f < 2; f++) {
		const struct fam *a = &fams[f];
		const char *host = f ? "2001:db8:ffff::fe" : "198.51.100.254";

		udp46(&p, -1, host, a->ue1, 5354, 6000);
		UP_OUT(UP0, SPARE0, &p, SG_R_SPOOF, 0);
		UP_OUT(UP0, UP0, &p, SG_R_SPOOF, 0);
		UP_OUT(UP0, FROM_HOST, &p, SG_R_RULE, 0x101);
		udp46(&reply, 100, a->ue1, host, 6000, 5354);
		UPLINK(UP0, &reply, SG_R_REPLY, 0x101);
		/* The rule names embb only. */
		udp46(&p, -1, host, a->ue2, 5354, 6000);
		UP_OUT(UP0, FROM_HOST, &p, SG_R_NO_RULE, 0);

		/* The host's "port unreachable" about the UE's flow to video. */
		tcp46(&p, 100, a->ue1, a->video, 40200, 443, TCP_SYN);
		UPLINK(UP0, &p, SG_R_RULE, 0x101);
		err46(&p, -1, host, a->ue1, a->ue1, a->video, 40200, 443, 0);
		UP_OUT(UP0, FROM_HOST, &p, SG_R_RELATED, 0x101);
	}
}

/*
 * r1, ND: ND leaving an uplink is the host's own (forwarding lowers the
 * hop limit below 255); toward a UE's address it passes only when the host
 * sent it. A gtpu uplink's egress carries a UPF's tunnels: the program is
 * not attached there, and where it is, it fails closed.
 */
TEST_F(atk, r1_uplink_egress_nd_and_gtpu)
{
	struct pkt p;

	nd(&p, -1, ND_NS, "fe80::1", "fd00:1::5", 24);
	UP_OUT(UP0, FROM_HOST, &p, SG_R_ND, 0);
	UP_OUT(UP0, SPARE0, &p, SG_R_NO_RULE, 0);
	nd(&p, -1, ND_NS, "2001:db8:ffff::fe", "ff02::1:ff00:5", 24);
	UP_OUT(UP0, FROM_HOST, &p, SG_R_ND, 0);
	udp46(&p, -1, "192.0.2.11", "10.2.0.7", 5000, 6000);
	UP_OUT(GTP0, APP2, &p, SG_R_NO_SLICE, 0);
	UP_OUT(GTPP0, APP2, &p, SG_R_UNSLICED_PASS, 0);
}

/* ---- classification ---- */

/*
 * r1, VLAN tricks: a pooled source of embb (which declares VLAN 100)
 * untagged, priority-tagged, on a VLAN of no slice, also on an unsliced
 * pass uplink. Positive: on VLAN 100; a slice without VLANs (flat) is
 * bound by its pool alone.
 */
TEST_F(atk, r1_vlan_untagged_prio_unknown_vid)
{
	static const int vids[] = { -1, 0, 999 };
	struct pkt p;
	unsigned int i;
	int f;

	for (f = 0; f < 2; f++) {
		const struct fam *a = &fams[f];

		for (i = 0; i < sizeof(vids) / sizeof(vids[0]); i++) {
			tcp46(&p, vids[i], a->ue1, a->video, 40040 + i, 443, TCP_SYN);
			UPLINK(UP0, &p, SG_R_SPOOF, 0);
			UPLINK(OPEN0, &p, SG_R_SPOOF, 0);
			/* Not even to a destination its slice may reach. */
			tcp46(&p, vids[i], a->ue1, a->ue1b, 40040 + i, 443, TCP_SYN);
			UPLINK(UP0, &p, SG_R_SPOOF, 0);
		}
		tcp46(&p, 100, a->ue1, a->video, 40043, 443, TCP_SYN);
		UPLINK(UP0, &p, SG_R_RULE, 0x101);
	}
	for (i = 0; i < sizeof(vids) / sizeof(vids[0]); i++) {
		tcp46(&p, vids[i], "10.6.0.5", "192.0.2.12", 40050 + i, 8080, TCP_SYN);
		UPLINK(UP0, &p, SG_R_RULE, 0x106);
	}
}

/*
 * r1, GTP-U: a pooled source of embb (which declares TEIDs) under a TEID
 * of no slice. Positive: embb's TEID, whatever the outer VLAN (it belongs
 * to the transport network); a slice without TEIDs (flat) is bound by its
 * pool alone.
 */
TEST_F(atk, r1_gtpu_unknown_teid_pooled_source)
{
	struct pkt p;
	int f;

	for (f = 0; f < 2; f++) {
		const struct fam *a = &fams[f];

		gtpu_tcp(&p, 0x9999, a->ue1, a->video, 40060, 443);
		UPLINK(GTP0, &p, SG_R_SPOOF, 0);
		UPLINK(GTPP0, &p, SG_R_SPOOF, 0);
		gtpu_tcp(&p, 0x1001, a->ue1, a->video, 40060, 443);
		UPLINK(GTP0, &p, SG_R_RULE, 0x101);
		gtpu_begin(&p, 200, "192.168.50.1", 255, 0x1001);
		ip46(&p, a->ue1, a->video, 6);
		tcp(&p, 40061, 443, TCP_SYN);
		pkt_done(&p);
		UPLINK(GTP0, &p, SG_R_RULE, 0x101);
	}
	gtpu_tcp(&p, 0x9999, "10.6.0.5", "192.0.2.12", 40062, 8080);
	UPLINK(GTP0, &p, SG_R_RULE, 0x106);
}

/*
 * r1: DSCP is chosen by the sender: it never selects a slice (dscp, which
 * has nothing else, cannot be entered), it can only contradict one.
 * Positive: urllc's own DSCP on urllc's VLAN.
 */
TEST_F(atk, r1_dscp_cannot_choose_slice)
{
	struct pkt p;
	int f;

	for (f = 0; f < 2; f++) {
		const char *src = f ? "2001:db8:ffff::9" : "198.51.100.9";
		const char *tele = fams[f].tele;

		pkt_init(&p);
		eth_vid(&p, -1, f ? 0x86dd : 0x0800);
		ip46(&p, src, tele, 6);
		set_dscp(&p, 10);
		tcp(&p, 40070, 8080, TCP_SYN);
		pkt_done(&p);
		UPLINK(UP0, &p, SG_R_NO_SLICE, 0);
		UPLINK(OPEN0, &p, SG_R_NO_SLICE, 0);

		gtpu_begin(&p, -1, "192.168.50.1", 255, 0x9999);
		ip46(&p, src, tele, 6);
		set_dscp(&p, 10);
		tcp(&p, 40070, 8080, TCP_SYN);
		pkt_done(&p);
		UPLINK(GTP0, &p, SG_R_NO_SLICE, 0);
	}
	pkt_init(&p);
	eth_vid(&p, 100, 0x0800);
	ip4(&p, "10.1.0.5", "192.0.2.10", 6);
	set_dscp(&p, 46);
	tcp(&p, 40071, 443, TCP_SYN);
	pkt_done(&p);
	UPLINK(UP0, &p, SG_R_SPOOF, 0);
	pkt_init(&p);
	eth_vid(&p, 200, 0x0800);
	ip4(&p, "10.2.0.5", "192.0.2.11", 17);
	set_dscp(&p, 46);
	udp(&p, 40072, 5000);
	pkt_done(&p);
	UPLINK(UP0, &p, SG_R_RULE, 0x102);
}

/* ---- GTP-U ---- */

/*
 * r1, GTP-U: messages other than a G-PDU (echo, error indication, end
 * marker) belong to no slice: an unsliced drop uplink drops them.
 * Positive: an unsliced pass gtpu uplink passes them GTP_CONTROL.
 */
TEST_F(atk, r1_gtpu_control_on_unsliced_drop)
{
	static const uint8_t types[] = { 1, 2, 26, 254 };
	struct pkt p;
	unsigned int i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		gtpu_begin(&p, -1, "192.168.50.1", types[i], types[i] == 254 ? 0x1001 : 0);
		zeros(&p, 4);
		pkt_done(&p);
		UPLINK(GTP0, &p, SG_R_NO_SLICE, 0);
		UPLINK(GTPP0, &p, SG_R_GTP_CONTROL, 0);
	}
}

/*
 * r1, GTP-U extension headers: a chain longer than walked, a zero-length
 * header (which would never advance), one running past the message.
 * Positive: the longest chain walked.
 */
TEST_F(atk, r1_gtpu_exthdr_loops)
{
	struct pkt p;

	gtp_pkt(&p, 0x30, 255, 0x1001, "10.1.0.5", SG_MAX_GTPU_EXTHDRS);
	UPLINK(GTP0, &p, SG_R_RULE, 0x101);
	gtp_pkt(&p, 0x30, 255, 0x1001, "10.1.0.5", SG_MAX_GTPU_EXTHDRS + 1);
	UPLINK(GTP0, &p, SG_R_EXTHDR_CHAIN, 0);
	gtp_pkt(&p, 0x30, 255, 0x1001, "10.1.0.5", 40);
	UPLINK(GTP0, &p, SG_R_EXTHDR_CHAIN, 0);
	gtp_pkt(&p, 0x30, 255, 0x1001, "10.1.0.5", 3);
	p.d[p.gtp_off + 12] = 0;		/* the first: length 0 */
	UPLINK(GTP0, &p, SG_R_MALFORMED, 0);
	gtp_pkt(&p, 0x30, 255, 0x1001, "10.1.0.5", 3);
	p.d[p.gtp_off + 12 + 8] = 0;		/* the third */
	UPLINK(GTP0, &p, SG_R_MALFORMED, 0);
	gtp_pkt(&p, 0x30, 255, 0x1001, "10.1.0.5", 1);
	p.d[p.gtp_off + 12] = 200;		/* 800 bytes, past the message */
	UPLINK(GTP0, &p, SG_R_MALFORMED, 0);
}

/*
 * r1, GTP-U tunnelled control traffic: a G-PDU whose inner packet is
 * GTP-U (to port 2152) is decided as the inner UDP packet it is, never
 * decapsulated again nor taken for control traffic. Positive: miot may
 * send telemetry anything, GTP-U looking payloads included.
 */
TEST_F(atk, r1_gtpu_tunnelled_control)
{
	struct pkt p;
	size_t outer;

	/* embb UE -> the UPF: an echo request inside a G-PDU */
	gtpu_begin(&p, -1, "192.168.50.1", 255, 0x1001);
	ip4(&p, "10.1.0.5", "192.168.50.2", 17);
	udp(&p, 2152, 2152);
	put8(&p, 0x32);
	put8(&p, 1);
	put16(&p, 4);
	put32(&p, 0);
	zeros(&p, 4);
	pkt_done(&p);
	UPLINK(GTP0, &p, SG_R_NO_RULE, 0);
	UPLINK(GTPP0, &p, SG_R_NO_RULE, 0);
	/* embb UE -> telemetry: a G-PDU of miot's inside embb's */
	gtpu_begin(&p, -1, "192.168.50.1", 255, 0x1001);
	outer = p.gtp_off;
	ip4(&p, "10.1.0.5", "192.0.2.12", 17);
	udp(&p, 2152, 2152);
	gtp(&p, 0x30, 255, 0x3001);
	ip4(&p, "10.3.0.4", "192.0.2.12", 6);
	tcp(&p, 40080, 8080, TCP_SYN);
	pkt_done(&p);
	gtp_len_fix(&p, outer);
	UPLINK(GTP0, &p, SG_R_NO_RULE, 0);
	/* Positive: the same carried by miot. */
	gtpu_begin(&p, -1, "192.168.50.1", 255, 0x3001);
	outer = p.gtp_off;
	ip4(&p, "10.3.0.4", "192.0.2.12", 17);
	udp(&p, 2152, 2152);
	gtp(&p, 0x30, 255, 0x3001);
	ip4(&p, "10.3.0.4", "192.0.2.12", 6);
	tcp(&p, 40080, 8080, TCP_SYN);
	pkt_done(&p);
	gtp_len_fix(&p, outer);
	UPLINK(GTP0, &p, SG_R_RULE, 0x103);
}

/*
 * r1/r2, GTP-U: the outer source of anything on a gtpu uplink is the UPF
 * (transport network); a UE's or an app's address there is a spoof,
 * whatever the message. Positive: the UPF's address.
 */
TEST_F(atk, r1_gtpu_outer_source_in_pool)
{
	static const char *const outer[] = { "10.2.0.5", "192.0.2.11", "10.6.0.5", "fd00:1::5",
					     "2001:db8::12" };
	struct pkt p;
	unsigned int i;

	for (i = 0; i < sizeof(outer) / sizeof(outer[0]); i++) {
		gtpu_begin(&p, -1, outer[i], 255, 0x1001);
		ip4(&p, "10.1.0.5", "192.0.2.10", 6);
		tcp(&p, 40090, 443, TCP_SYN);
		pkt_done(&p);
		UPLINK(GTP0, &p, SG_R_SPOOF, 0);
		gtpu_begin(&p, -1, outer[i], 1, 0);
		zeros(&p, 4);
		pkt_done(&p);
		UPLINK(GTPP0, &p, SG_R_SPOOF, 0);
		udp46(&p, -1, outer[i], is_v6(outer[i]) ? "2001:db8:5::2" : "192.168.50.2", 53, 53);
		UPLINK(GTPP0, &p, SG_R_SPOOF, 0);
	}
	gtpu_begin(&p, -1, "192.168.50.1", 255, 0x1001);
	ip4(&p, "10.1.0.5", "192.0.2.10", 6);
	tcp(&p, 40090, 443, TCP_SYN);
	pkt_done(&p);
	UPLINK(GTP0, &p, SG_R_RULE, 0x101);
	gtpu_begin(&p, -1, "2001:db8:5::1", 255, 0x1001);
	ip6(&p, "fd00:1::5", "2001:db8::10", 6);
	tcp(&p, 40091, 443, TCP_SYN);
	pkt_done(&p);
	UPLINK(GTP0, &p, SG_R_RULE, 0x101);
	udp46(&p, -1, "192.168.50.1", "192.168.50.2", 53, 53);
	UPLINK(GTPP0, &p, SG_R_UNSLICED_PASS, 0);
}

/* ---- deny events ---- */

struct app_events {
	int ifindex;		/* count events of this interface */
	int n, other;
};

static int count_event(void *ctx, const struct sg_deny_event *e)
{
	struct app_events *s = ctx;

	if ((int)e->ifindex == s->ifindex)
		s->n++;
	else
		s->other++;
	return 0;
}

static void drain_events(struct sg_dp *dp, struct app_events *s)
{
	while (sg_dp_poll_events(dp, count_event, s, 0) > 0)
		;
}

/*
 * Floods with one packet until one of them is lost to the event rate: the
 * positive control of every budget test. A budget refills one event every
 * 10 ms, so on a slow machine (a VM on a busy host) a refill can land
 * between any two packets of a flood of fixed length; the one lost here
 * says the budget is empty now, just before the victim's packet is sent.
 */
#define FLOOD_UNTIL_RATE_LOST(send, what)					\
	do {									\
		uint64_t was[SG_EVENT_STAT_MAX], is[SG_EVENT_STAT_MAX];		\
		bool lost = false;						\
		int n;								\
										\
		for (n = 0; n < 1000 && !lost; n++) {				\
			ASSERT_EQ(0, sg_dp_event_stats(self->dp, was));		\
			send;							\
			ASSERT_EQ(0, sg_dp_event_stats(self->dp, is));		\
			lost = is[SG_EVENTS_LOST_RATE] == was[SG_EVENTS_LOST_RATE] + 1; \
		}								\
		ASSERT_TRUE(lost) TH_LOG("%s did not run out of events", what);	\
	} while (0)

/* One deny event of the victim's is sent: the budget it spends is its own. */
#define VICTIM_EVENT_SENT(send, what)						\
	do {									\
		uint64_t was[SG_EVENT_STAT_MAX], is[SG_EVENT_STAT_MAX];		\
										\
		ASSERT_EQ(0, sg_dp_event_stats(self->dp, was));			\
		send;								\
		ASSERT_EQ(0, sg_dp_event_stats(self->dp, is));			\
		ASSERT_EQ(was[SG_EVENTS_SENT] + 1, is[SG_EVENTS_SENT])		\
			TH_LOG("%s was not sent", what);			\
	} while (0)

/*
 * r7: deny events are rate limited per source app: telemetry flooding
 * drops (denied flows, then spoofs) uses up its own budget only; plc's
 * next deny event, a spoof included, is still sent. Positive control: the
 * flood did run out of budget.
 */
TEST_F(atk, r7_deny_events_budget_per_app)
{
	struct app_events seen = { .ifindex = self->ifx[APP2] };
	struct pkt flood, spoof, plc_denied, plc_spoof;
	int round;

	v4_tcp(&flood, -1, "192.0.2.12", "192.0.2.10", 50000, 443, TCP_SYN);
	v4_tcp(&spoof, -1, "192.0.2.11", "192.0.2.10", 50000, 443, TCP_SYN);
	v4_tcp(&plc_denied, -1, "192.0.2.11", "192.0.2.10", 50001, 443, TCP_SYN);
	v4_tcp(&plc_spoof, -1, "192.0.2.12", "192.0.2.10", 50001, 443, TCP_SYN);

	for (round = 0; round < 2; round++) {
		const struct pkt *noise = round ? &spoof : &flood;
		const struct pkt *victim = round ? &plc_spoof : &plc_denied;
		int reason = round ? SG_R_SPOOF : SG_R_NO_RULE;

		FLOOD_UNTIL_RATE_LOST(APP_IN(APP3, noise, reason, 0), "telemetry's flood");
		drain_events(self->dp, &seen);
		seen.n = 0;
		VICTIM_EVENT_SENT(APP_IN(APP2, victim, reason, 0), "plc's deny event");
		drain_events(self->dp, &seen);
		ASSERT_EQ(1, seen.n) TH_LOG("round %d", round);
	}
}

/*
 * r7: a spoofer spends the deny-event budget of the interface it came in
 * on: a flood of spoofs on up0 leaves open0's spoof events alone, and a
 * flood claiming plc's address from a management veth (app egress) leaves
 * plc's own events alone. Positive control: each flood ran out of budget.
 */
TEST_F(atk, r7_deny_events_budget_of_spoofers)
{
	struct pkt up_spoof, claim_plc, plc_denied;

	v4_tcp(&up_spoof, 100, "192.0.2.11", "192.0.2.10", 50100, 443, TCP_SYN);
	v4_udp(&claim_plc, -1, "192.0.2.11", "192.0.2.12", 5005, 7000, 0);
	v4_tcp(&plc_denied, -1, "192.0.2.11", "192.0.2.10", 50101, 443, TCP_SYN);

	FLOOD_UNTIL_RATE_LOST(UPLINK(UP0, &up_spoof, SG_R_SPOOF, 0), "up0's flood");
	VICTIM_EVENT_SENT(UPLINK(OPEN0, &up_spoof, SG_R_SPOOF, 0), "open0's spoof event");

	FLOOD_UNTIL_RATE_LOST(APP_OUT(APP3, SPARE0, &claim_plc, SG_R_SPOOF, 0), "the veth's flood");
	VICTIM_EVENT_SENT(APP_IN(APP2, &plc_denied, SG_R_NO_RULE, 0), "plc's own deny event");
}

/* ---- What a slice's UEs are when their addresses say nothing ---- */

/*
 * r1, VLAN tricks: slice fixed (VLAN 400, no UE pool) owns no addresses, so
 * at the app hooks its UE is "external" by address. Its flow still works
 * both ways (positive control: the app's reply passes REPLY, the forward
 * packet passes FLOW at app egress when it entered on an uplink), but the
 * same forward packet entering from anywhere else does not ride the flow,
 * and on an uplink the VLAN, not the address, decides.
 */
TEST_F(atk, r1_poolless_slice_flow_bound_to_uplink)
{
	struct pkt syn, ack, reply;

	tcp46(&syn, 400, "198.51.100.7", "192.0.2.12", 40030, 8080, TCP_SYN);
	tcp46(&ack, -1, "198.51.100.7", "192.0.2.12", 40030, 8080, TCP_ACK);
	tcp46(&reply, -1, "192.0.2.12", "198.51.100.7", 8080, 40030, TCP_SYN | TCP_ACK);
	UPLINK(UP0, &syn, SG_R_RULE, 0x104);
	APP_OUT(APP3, UP0, &ack, SG_R_FLOW, 0x104);
	APP_IN(APP3, &reply, SG_R_REPLY, 0x104);
	/* The same packet from a management veth, the host or another app. */
	APP_OUT(APP3, SPARE0, &ack, SG_R_NO_RULE, -1);
	APP_OUT(APP3, FROM_HOST, &ack, SG_R_NO_RULE, -1);
	APP_OUT(APP3, APP1, &ack, SG_R_NO_RULE, -1);
	/* Untagged on the uplink it is of no slice, whatever its address. */
	UPLINK(UP0, &ack, SG_R_NO_SLICE, 0);
}

/*
 * r1, cross-slice: traffic of no slice on an "unsliced pass" uplink passes
 * toward the host or beyond only; toward a UE (which no program guards on
 * its way out) or an app it passes only as a reply of a stored flow.
 * Positive control: the reply of an embb UE's ICMP echo to the outside.
 */
TEST_F(atk, r1_unsliced_pass_never_reaches_ues)
{
	struct pkt p;

	v4_udp(&p, -1, "198.51.100.9", "10.1.0.5", 4000, 6000, 0);
	UPLINK(OPEN0, &p, SG_R_NO_SLICE, 0);
	v4_udp(&p, -1, "198.51.100.9", "203.0.113.5", 4000, 6000, 0);
	UPLINK(OPEN0, &p, SG_R_UNSLICED_PASS, 0);

	pkt_init(&p);
	eth_vid(&p, 100, 0x0800);
	ip4(&p, "10.1.0.5", "198.51.100.9", 1);
	icmp(&p, 8, 0x4242);
	pkt_done(&p);
	UPLINK(UP0, &p, SG_R_RULE, 0x101);
	pkt_init(&p);
	eth_vid(&p, -1, 0x0800);
	ip4(&p, "198.51.100.9", "10.1.0.5", 1);
	icmp(&p, 0, 0x4242);
	pkt_done(&p);
	UPLINK(OPEN0, &p, SG_R_REPLY, 0x101);
	/* Not an echo reply: no flow lets an outsider's request in. */
	pkt_init(&p);
	eth_vid(&p, -1, 0x0800);
	ip4(&p, "198.51.100.9", "10.1.0.5", 1);
	icmp(&p, 8, 0x4242);
	pkt_done(&p);
	UPLINK(OPEN0, &p, SG_R_NO_SLICE, 0);
}

/*
 * r1, GTP-U: a tunnel packet addressed to a UE or an app is not for the UPF;
 * passed, the host would route it on, payload and all. Positive control:
 * the same G-PDU to the UPF's address.
 */
TEST_F(atk, r1_gtpu_outer_destination_past_the_upf)
{
	static const char *const past[] = { "10.1.0.5", "192.0.2.12" };
	struct pkt p;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		pkt_init(&p);
		eth_vid(&p, -1, 0x0800);
		ip4(&p, "192.168.50.1", past[i], 17);
		udp(&p, 2152, 2152);
		gtp(&p, 0x30, 255, 0x1001);
		ip4(&p, "10.1.0.5", "192.0.2.10", 6);
		tcp(&p, 40080, 443, TCP_SYN);
		pkt_done(&p);
		UPLINK(GTP0, &p, SG_R_NO_SLICE, 0);
		UPLINK(GTPP0, &p, SG_R_NO_SLICE, 0);
	}
	gtpu_tcp(&p, 0x1001, "10.1.0.5", "192.0.2.10", 40080, 443);
	UPLINK(GTP0, &p, SG_R_RULE, 0x101);
}

/*
 * r1, ND: only link-scope multicast (ff02::/16) stays on the link; site or
 * global scope multicast (ff05::, ff0e::) may be routed on, so an ND
 * message there is decided like any ICMPv6 packet.
 */
TEST_F(atk, r1_nd_to_routable_multicast)
{
	struct pkt p;

	nd(&p, 100, ND_NS, "fe80::1", "ff02::1:ff00:5", 0);
	UPLINK(UP0, &p, SG_R_ND, 0);
	nd(&p, 100, ND_NS, "fe80::1", "ff05::1:3", 64);
	UPLINK(UP0, &p, SG_R_SPOOF, 0);
	nd(&p, 100, ND_NS, "fd00:1::5", "ff0e::1", 64);
	UPLINK(UP0, &p, SG_R_NO_RULE, 0);
}

/* ---- Source routing: a destination nobody checked ---- */

/* An IPv4 TCP SYN 10.1.0.5 -> video:443 on VLAN 100 with 8 option bytes. */
static void v4_opts(struct pkt *p, const uint8_t opts[8], uint16_t sport)
{
	pkt_init(p);
	eth_vid(p, 100, 0x0800);
	ip4(p, "10.1.0.5", "192.0.2.10", 6);
	p->d[18] = 0x47;	/* IHL 7: 8 option bytes */
	put(p, opts, 8);
	tcp(p, sport, 443, TCP_SYN);
	pkt_done(p);
}

/* An IPv6 TCP SYN embb UE -> video:443 on VLAN 100 behind a routing header. */
static void v6_rh(struct pkt *p, uint8_t segments_left, uint16_t sport)
{
	pkt_init(p);
	eth_vid(p, 100, 0x86dd);
	ip6(p, "fd00:1::5", "2001:db8::10", 43);
	put8(p, 6);		/* next: TCP */
	put8(p, 2);		/* 24 bytes: one address */
	put8(p, 4);		/* type 4 (SRH) */
	put8(p, segments_left);
	zeros(p, 4);
	put(p, (const uint8_t[16]){ 0xfd, 0, 0, 2, [15] = 7 }, 16);	/* a urllc UE */
	tcp(p, sport, 443, TCP_SYN);
	pkt_done(p);
}

/*
 * r1, cross-slice: a packet addressed to an allowed app that names another
 * destination in an IPv4 loose/strict source route option or an IPv6
 * routing header with segments left would be forwarded by the host (where
 * accept_source_route or seg6_enabled is on) to an address no rule was
 * asked about. Positive controls: record route and no-operation options,
 * and a routing header with no segments left, pass by the rule.
 */
TEST_F(atk, r1_source_routed_past_the_rules)
{
	static const uint8_t lsrr[8] = { 1, 0x83, 7, 4, 10, 2, 0, 7 };
	static const uint8_t ssrr[8] = { 0x89, 7, 4, 10, 2, 0, 7, 0 };
	static const uint8_t rr[8] = { 1, 7, 7, 4, 0, 0, 0, 0 };
	static const uint8_t overrun[8] = { 1, 7, 9, 4, 0, 0, 0, 0 };
	struct pkt p;

	v4_opts(&p, lsrr, 41000);
	UPLINK(UP0, &p, SG_R_SOURCE_ROUTE, 0);
	v4_opts(&p, ssrr, 41001);
	UPLINK(UP0, &p, SG_R_SOURCE_ROUTE, 0);
	v4_opts(&p, overrun, 41002);
	UPLINK(UP0, &p, SG_R_MALFORMED, 0);
	v4_opts(&p, rr, 41003);
	UPLINK(UP0, &p, SG_R_RULE, 0x101);

	v6_rh(&p, 1, 41004);
	UPLINK(UP0, &p, SG_R_SOURCE_ROUTE, 0);
	v6_rh(&p, 0, 41005);
	UPLINK(UP0, &p, SG_R_RULE, 0x101);
}

/* ---- Shared rate buckets ---- */

/*
 * r4, flood: a UE of miot floods telemetry far beyond its rule's rate.
 * Its packets drop at their own rule's bucket before they reach the
 * buckets others share (telemetry's app rate), so a UE of another slice
 * still reaches telemetry (positive control) instead of dropping RATE_APP.
 */
TEST_F(atk, r4_rule_flood_spares_shared_buckets)
{
	struct sg_app *tele = NULL;
	struct pkt p;
	unsigned int i;

	for (i = 0; i < self->pol.n_apps; i++)
		if (self->pol.apps[i].id == 12)
			tele = &self->pol.apps[i];
	ASSERT_NE(NULL, tele);
	tele->rate_packets = 50;
	rule_by_id(&self->pol, 3)->rate_packets = 5;
	ASSERT_EQ(0, reapply(self->dp, &self->pol));

	for (i = 0; i < 5; i++) {
		v4_udp(&p, 300, "10.3.0.5", "192.0.2.12", 20000 + i, 5683, 0);
		UPLINK(UP0, &p, SG_R_RULE, 0x103);
	}
	for (i = 5; i < 200; i++) {
		v4_udp(&p, 300, "10.3.0.5", "192.0.2.12", 20000 + i, 5683, 0);
		UPLINK(UP0, &p, SG_R_RATE_RULE, 0);
	}
	v4_udp(&p, -1, "10.6.0.5", "192.0.2.12", 30000, 5683, 0);
	UPLINK(UP0, &p, SG_R_RULE, 0x106);
}

TEST_HARNESS_MAIN
