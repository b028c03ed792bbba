// SPDX-License-Identifier: GPL-2.0
/*
 * Data path unit tests: crafted packets through BPF_PROG_TEST_RUN on the
 * host kernel, one test per packet class or attack case of
 * /work/shared/threat-model.md. Each packet is checked for its verdict,
 * the one reason counter it must bump, and its mark (skb->mark from TC,
 * XDP metadata from sg_uplink).
 *
 * Every test runs in its own network namespace with veth interfaces that
 * stand for the uplinks and app interfaces, and its own data path instance.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <netinet/in.h>

#include "kselftest_harness.h"
#include "dp.h"
#include "policy.h"
#include "../lib/dp_harness.h"

/* For compiler tests: no interface exists. */
static unsigned int no_ifaces(const char *ifname, void *ctx)
{
	(void)ifname;
	(void)ctx;
	return 0;
}

FIXTURE(dp) {
	struct sg_dp *dp;
	struct sg_policy pol;
	int ifx[N_IFS];
};

FIXTURE_SETUP(dp)
{
	dp_fixture_open(_metadata, &self->dp, &self->pol, self->ifx, std_policy);
}

FIXTURE_TEARDOWN(dp)
{
	sg_dp_close(self->dp);
	sg_policy_free(&self->pol);
}

/* ---- L2 ---- */

TEST_F(dp, vlan_classifies_and_marks)
{
	struct pkt tagged, untagged, prio;

	v4_tcp(&tagged, 100, "10.1.0.5", "192.0.2.10", 40000, 443, TCP_SYN);
	v4_tcp(&untagged, -1, "10.1.0.6", "192.0.2.10", 40000, 443, TCP_SYN);
	/* VID 0 is a priority tag: untagged. */
	v4_tcp(&prio, 0, "10.1.0.7", "192.0.2.10", 40000, 443, TCP_SYN);
	UPLINK(UP0, &tagged, SG_R_RULE, 0x101);
	/*
	 * embb declares VLAN 100: on an ip uplink its UEs come only on that
	 * VLAN (issue 7, strict binding), so a pooled source without it is
	 * a spoof.
	 */
	UPLINK(UP0, &untagged, SG_R_SPOOF, 0);
	UPLINK(UP0, &prio, SG_R_SPOOF, 0);
}

TEST_F(dp, qinq_is_dropped)
{
	struct pkt ad, qq;

	pkt_init(&ad);
	eth(&ad, 0x88a8);
	tag(&ad, 100, 0x8100);
	tag(&ad, 200, 0x0800);
	ip4(&ad, "10.2.0.5", "192.0.2.11", 17);
	udp(&ad, 1000, 5000);
	pkt_done(&ad);
	pkt_init(&qq);
	eth(&qq, 0x8100);
	tag(&qq, 0, 0x8100);
	tag(&qq, 200, 0x0800);
	ip4(&qq, "10.2.0.5", "192.0.2.11", 17);
	udp(&qq, 1000, 5000);
	pkt_done(&qq);
	UPLINK(UP0, &ad, SG_R_VLAN_STACKED, 0);
	UPLINK(UP0, &qq, SG_R_VLAN_STACKED, 0);
}

TEST_F(dp, non_ip)
{
	struct pkt arp, lldp;

	pkt_init(&arp);
	eth(&arp, 0x0806);
	zeros(&arp, 28);
	pkt_init(&lldp);
	eth(&lldp, 0x88cc);
	zeros(&lldp, 40);
	UPLINK(UP0, &arp, SG_R_NON_IP, 0);
	APP_IN(APP1, &arp, SG_R_NON_IP, 0);
	UPLINK(UP0, &lldp, SG_R_L3_UNKNOWN, 0);
}

TEST_F(dp, neighbour_discovery)
{
	struct pkt rs, rs_hop64;

	pkt_init(&rs);
	eth(&rs, 0x86dd);
	ip6(&rs, "fe80::1", "ff02::2", 58);
	rs.d[rs.ip_off[0] + 7] = 255;
	icmp(&rs, 133, 0);
	pkt_done(&rs);
	rs_hop64 = rs;
	rs_hop64.d[rs.ip_off[0] + 7] = 64;
	UPLINK(UP0, &rs, SG_R_ND, 0);
	APP_IN(APP1, &rs, SG_R_ND, 0);
	/* Not ND without hop limit 255: an ordinary, unsliced packet. */
	UPLINK(UP0, &rs_hop64, SG_R_NO_SLICE, 0);
}

/* ---- slices ---- */

TEST_F(dp, cross_slice_is_denied)
{
	struct pkt to_app, to_ue, same_slice, intra;

	/* UE of embb to the app of urllc, and to a UE of urllc. */
	pkt_init(&to_app);
	eth_vid(&to_app, 100, 0x0800);
	ip4(&to_app, "10.1.0.5", "192.0.2.11", 17);
	udp(&to_app, 1000, 5000);
	pkt_done(&to_app);
	v4_tcp(&to_ue, 100, "10.1.0.5", "10.2.0.7", 40000, 80, TCP_SYN);
	/* embb has no ue-to-ue; urllc has. */
	v4_tcp(&same_slice, 100, "10.1.0.5", "10.1.0.9", 40000, 80, TCP_SYN);
	v4_tcp(&intra, 200, "10.2.0.7", "10.2.0.8", 40000, 80, TCP_SYN);
	UPLINK(UP0, &to_app, SG_R_NO_RULE, 0);
	UPLINK(UP0, &to_ue, SG_R_NO_RULE, 0);
	UPLINK(UP0, &same_slice, SG_R_NO_RULE, 0);
	UPLINK(UP0, &intra, SG_R_INTRA_SLICE, 0x102);
}

TEST_F(dp, spoofed_sources)
{
	struct pkt vlan_vs_src, pool_miss, dscp_vs_src, nowhere, unknown_vid;

	/* embb's VLAN, urllc's source. */
	v4_tcp(&vlan_vs_src, 100, "10.2.0.7", "192.0.2.10", 40000, 443, TCP_SYN);
	/* urllc's VLAN, a source in no pool. */
	v4_tcp(&pool_miss, 200, "10.9.9.9", "192.0.2.11", 40000, 443, TCP_SYN);
	/* urllc's DSCP, embb's source and VLAN. */
	v4_tcp(&dscp_vs_src, 100, "10.1.0.5", "192.0.2.10", 40000, 443, TCP_SYN);
	dscp_vs_src.d[18 + 1] = 46 << 2;
	v4_tcp(&nowhere, -1, "198.51.100.1", "192.0.2.10", 40000, 443, TCP_SYN);
	/*
	 * A VID no slice has classifies nothing, but embb's UEs come only on
	 * VLAN 100: another network's VLAN of the same trunk is a spoof.
	 */
	v4_tcp(&unknown_vid, 999, "10.1.0.5", "192.0.2.10", 40000, 443, TCP_SYN);
	UPLINK(UP0, &vlan_vs_src, SG_R_SPOOF, 0);
	UPLINK(UP0, &pool_miss, SG_R_SPOOF, 0);
	UPLINK(UP0, &dscp_vs_src, SG_R_SPOOF, 0);
	UPLINK(UP0, &nowhere, SG_R_NO_SLICE, 0);
	UPLINK(UP0, &unknown_vid, SG_R_SPOOF, 0);
}

TEST_F(dp, unsliced_pass_uplink)
{
	struct pkt nowhere;

	/* Unsliced traffic passes toward the host or beyond, never to an app. */
	v4_tcp(&nowhere, -1, "198.51.100.1", "203.0.113.5", 40000, 443, TCP_SYN);
	UPLINK(OPEN0, &nowhere, SG_R_UNSLICED_PASS, 0);
	v4_tcp(&nowhere, -1, "198.51.100.1", "192.0.2.10", 40000, 443, TCP_SYN);
	UPLINK(OPEN0, &nowhere, SG_R_NO_SLICE, 0);
}

TEST_F(dp, endpoints_and_external)
{
	struct pkt wrong_port, ping, ext_tcp, v6;

	v4_tcp(&wrong_port, 100, "10.1.0.5", "192.0.2.10", 40000, 80, TCP_SYN);
	pkt_init(&ping);
	eth_vid(&ping, 100, 0x0800);
	ip4(&ping, "10.1.0.5", "8.8.8.8", 1);
	icmp(&ping, 8, 77);
	pkt_done(&ping);
	v4_tcp(&ext_tcp, 100, "10.1.0.5", "8.8.8.8", 40000, 80, TCP_SYN);
	pkt_init(&v6);
	eth_vid(&v6, 100, 0x86dd);
	ip6(&v6, "fd00:1::5", "2001:db8::10", 6);
	tcp(&v6, 40000, 443, TCP_SYN);
	pkt_done(&v6);
	UPLINK(UP0, &wrong_port, SG_R_NO_ENDPOINT, 0);
	UPLINK(UP0, &ping, SG_R_RULE, 0x101);
	UPLINK(UP0, &ext_tcp, SG_R_NO_RULE, 0);
	UPLINK(UP0, &v6, SG_R_RULE, 0x101);
}

TEST_F(dp, ipv6_end_to_end)
{
	struct pkt syn, synack, echo, inner6;

	pkt_init(&syn);
	eth_vid(&syn, 100, 0x86dd);
	ip6(&syn, "fd00:1::7", "2001:db8::10", 6);
	tcp(&syn, 41000, 443, TCP_SYN);
	pkt_done(&syn);
	pkt_init(&synack);
	eth(&synack, 0x86dd);
	ip6(&synack, "2001:db8::10", "fd00:1::7", 6);
	tcp(&synack, 443, 41000, TCP_SYN | TCP_ACK);
	pkt_done(&synack);
	/* ICMPv6 echo to the outside: embb's icmp rule is IPv4's protocol 1. */
	pkt_init(&echo);
	eth_vid(&echo, 100, 0x86dd);
	ip6(&echo, "fd00:1::7", "2001:4860::8888", 58);
	icmp(&echo, 128, 3);
	pkt_done(&echo);
	/* GTP-U carrying IPv6. */
	pkt_init(&inner6);
	eth(&inner6, 0x0800);
	ip4(&inner6, "192.168.50.1", "192.168.50.2", 17);
	udp(&inner6, 2152, 2152);
	gtp(&inner6, 0x30, 255, 0x1003);
	ip6(&inner6, "fd00:1::8", "2001:db8::10", 6);
	tcp(&inner6, 41001, 443, TCP_SYN);
	pkt_done(&inner6);

	UPLINK(UP0, &syn, SG_R_RULE, 0x101);
	APP_OUT(APP1, UP0, &syn, SG_R_FLOW, 0x101);
	APP_IN(APP1, &synack, SG_R_REPLY, 0x101);
	UPLINK(UP0, &echo, SG_R_NO_RULE, 0);
	UPLINK(GTP0, &inner6, SG_R_RULE, 0x101);
}

TEST_F(dp, sctp_ports_and_single_88a8_tag)
{
	struct pkt sctp_ok, sctp_port, ad;

	/* urllc -> plc over SCTP: rule 2 is UDP only. */
	self->pol.rules[1].proto = 132;
	self->pol.apps[1].endpoints[0].proto = 0;
	self->pol.apps[1].endpoints[0].port_first = 0;
	self->pol.apps[1].endpoints[0].port_last = 65535;
	ASSERT_EQ(0, reapply(self->dp, &self->pol));
	pkt_init(&sctp_ok);
	eth_vid(&sctp_ok, 200, 0x0800);
	ip4(&sctp_ok, "10.2.0.5", "192.0.2.11", 132);
	put16(&sctp_ok, 7000);
	put16(&sctp_ok, 5003);
	zeros(&sctp_ok, 8);
	pkt_done(&sctp_ok);
	sctp_port = sctp_ok;
	set16(&sctp_port, 18 + 20 + 2, 5011);
	/* One 802.1ad tag is one tag. */
	pkt_init(&ad);
	eth(&ad, 0x88a8);
	tag(&ad, 200, 0x0800);
	ip4(&ad, "10.2.0.6", "192.0.2.11", 132);
	put16(&ad, 7000);
	put16(&ad, 5004);
	zeros(&ad, 8);
	pkt_done(&ad);
	UPLINK(UP0, &sctp_ok, SG_R_RULE, 0x102);
	UPLINK(UP0, &sctp_port, SG_R_NO_RULE, 0);
	UPLINK(UP0, &ad, SG_R_RULE, 0x102);
}

/* ---- malformed IPv4 and transport ---- */

TEST_F(dp, truncated_at_every_boundary)
{
	struct pkt full, cut;
	/*
	 * Tag missing, in the tag, in IPv4, in TCP. (Frames shorter than an
	 * Ethernet header never reach the programs: test_run refuses them
	 * as the stack does.)
	 */
	static const size_t cuts[] = { 14, 16, 18 + 10, 18 + 20 + 10 };
	unsigned int i;

	v4_tcp(&full, 100, "10.1.0.5", "192.0.2.10", 40000, 443, TCP_SYN);
	for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		cut = full;
		cut.len = cuts[i];
		/* Keep the IP length honest where there is one. */
		if (cuts[i] >= 18 + 4)
			set16(&cut, 18 + 2, cuts[i] - 18);
		UPLINK(UP0, &cut, SG_R_MALFORMED, 0);
	}
}

TEST_F(dp, bad_ipv4_headers)
{
	struct pkt base, p;

	v4_tcp(&base, -1, "10.1.0.5", "192.0.2.10", 40000, 443, TCP_SYN);
	p = base;
	p.d[14] = 0x44;		/* IHL 4 */
	UPLINK(UP0, &p, SG_R_MALFORMED, 0);
	p = base;
	p.d[14] = 0x55;		/* version 5 */
	UPLINK(UP0, &p, SG_R_MALFORMED, 0);
	p = base;
	set16(&p, 14 + 2, base.len - 14 + 1);	/* longer than the packet */
	UPLINK(UP0, &p, SG_R_MALFORMED, 0);
	p = base;
	set16(&p, 14 + 2, 19);	/* shorter than its header */
	UPLINK(UP0, &p, SG_R_MALFORMED, 0);
	p = base;
	p.d[14 + 20 + 12] = 4 << 4;	/* TCP data offset 4 */
	UPLINK(UP0, &p, SG_R_MALFORMED, 0);
}

TEST_F(dp, ipv4_options_are_skipped)
{
	struct pkt p;

	pkt_init(&p);
	eth_vid(&p, 100, 0x0800);
	ip4(&p, "10.1.0.5", "192.0.2.10", 6);
	p.d[18] = 0x46;
	put32(&p, 0x01010101);	/* four NOPs */
	tcp(&p, 40000, 443, TCP_SYN);
	pkt_done(&p);
	UPLINK(UP0, &p, SG_R_RULE, 0x101);
}

TEST_F(dp, truncated_transport)
{
	struct pkt tcp_cut, udp_cut, echo_cut;

	pkt_init(&tcp_cut);
	eth(&tcp_cut, 0x0800);
	ip4(&tcp_cut, "10.1.0.5", "192.0.2.10", 6);
	zeros(&tcp_cut, 10);
	pkt_done(&tcp_cut);
	pkt_init(&udp_cut);
	eth(&udp_cut, 0x0800);
	ip4(&udp_cut, "10.2.0.5", "192.0.2.11", 17);
	zeros(&udp_cut, 4);
	pkt_done(&udp_cut);
	pkt_init(&echo_cut);
	eth(&echo_cut, 0x0800);
	ip4(&echo_cut, "10.1.0.5", "8.8.8.8", 1);
	put8(&echo_cut, 8);
	zeros(&echo_cut, 5);
	pkt_done(&echo_cut);
	UPLINK(UP0, &tcp_cut, SG_R_MALFORMED, 0);
	UPLINK(UP0, &udp_cut, SG_R_MALFORMED, 0);
	UPLINK(UP0, &echo_cut, SG_R_MALFORMED, 0);
}

/* ---- IPv6 extension headers ---- */

static void v6_chain(struct pkt *p, int n_ext)
{
	int i;

	pkt_init(p);
	eth_vid(p, 100, 0x86dd);
	ip6(p, "fd00:1::5", "2001:db8::10", n_ext ? 0 : 6);
	for (i = 0; i < n_ext; i++)
		ext6(p, i == n_ext - 1 ? 6 : 60);
	tcp(p, 40000, 443, TCP_SYN);
	pkt_done(p);
}

TEST_F(dp, ipv6_extension_chains)
{
	struct pkt three, six, seven, past, cut_hdr, long_plen;

	/* hop-by-hop, routing, destination options, then TCP */
	pkt_init(&three);
	eth_vid(&three, 100, 0x86dd);
	ip6(&three, "fd00:1::5", "2001:db8::10", 0);
	ext6(&three, 43);
	ext6(&three, 60);
	ext6(&three, 6);
	tcp(&three, 40000, 443, TCP_SYN);
	pkt_done(&three);
	v6_chain(&six, 6);
	v6_chain(&seven, 7);
	/* An option header claiming more than the packet holds. */
	v6_chain(&past, 1);
	past.d[18 + 40 + 1] = 200;
	pkt_init(&cut_hdr);
	eth(&cut_hdr, 0x86dd);
	zeros(&cut_hdr, 30);
	v6_chain(&long_plen, 0);
	set16(&long_plen, 18 + 4, long_plen.len - 18 - 40 + 1);
	UPLINK(UP0, &three, SG_R_RULE, 0x101);
	/* The same 5-tuple as the first: it found the flow behind 6 headers. */
	UPLINK(UP0, &six, SG_R_FLOW, 0x101);
	UPLINK(UP0, &seven, SG_R_EXTHDR_CHAIN, 0);
	UPLINK(UP0, &past, SG_R_MALFORMED, 0);
	UPLINK(UP0, &cut_hdr, SG_R_MALFORMED, 0);
	UPLINK(UP0, &long_plen, SG_R_MALFORMED, 0);
}

/* ---- fragments ---- */

TEST_F(dp, ipv4_fragments)
{
	struct pkt first, second, foreign, orphan, tiny, overlap, bad_first, bad_follow;

	v4_frag(&first, 100, "10.1.0.5", "192.0.2.10", 1, 0, 1, 1, 443, 1000);
	v4_frag(&second, 100, "10.1.0.5", "192.0.2.10", 1, 129, 0, 0, 0, 200);
	/* A non-first fragment of another datagram. */
	v4_frag(&foreign, 100, "10.1.0.5", "192.0.2.10", 2, 129, 0, 0, 0, 200);
	v4_frag(&orphan, 100, "10.1.0.8", "192.0.2.10", 3, 50, 1, 0, 0, 200);
	/* A first fragment with 8 bytes of the TCP header. */
	v4_frag(&tiny, 100, "10.1.0.5", "192.0.2.10", 4, 0, 1, 0, 0, 8);
	/* Offset 8 bytes: inside the first fragment's 20-byte TCP header. */
	v4_frag(&overlap, 100, "10.1.0.5", "192.0.2.10", 1, 1, 1, 0, 0, 64);
	/*
	 * A denied first fragment takes its followers with it: it stores
	 * nothing (only passes are stored), so they have no first fragment.
	 */
	v4_frag(&bad_first, 100, "10.1.0.5", "192.0.2.10", 5, 0, 1, 1, 80, 100);
	v4_frag(&bad_follow, 100, "10.1.0.5", "192.0.2.10", 5, 15, 0, 0, 0, 100);
	UPLINK(UP0, &first, SG_R_RULE, 0x101);
	UPLINK(UP0, &second, SG_R_RULE, 0x101);
	UPLINK(UP0, &foreign, SG_R_FRAG_NO_FIRST, 0);
	UPLINK(UP0, &orphan, SG_R_FRAG_NO_FIRST, 0);
	UPLINK(UP0, &tiny, SG_R_FRAG_TINY, 0);
	UPLINK(UP0, &overlap, SG_R_FRAG_OVERLAP, 0);
	UPLINK(UP0, &bad_first, SG_R_NO_ENDPOINT, 0);
	UPLINK(UP0, &bad_follow, SG_R_FRAG_NO_FIRST, 0);
}

TEST_F(dp, ipv6_fragments)
{
	struct pkt first, second, orphan;

	pkt_init(&first);
	eth_vid(&first, 100, 0x86dd);
	ip6(&first, "fd00:1::5", "2001:db8::10", 44);
	frag6(&first, 6, 0, 1, 0xabcd);
	tcp(&first, 40000, 443, TCP_SYN);
	zeros(&first, 1000);
	pkt_done(&first);
	pkt_init(&second);
	eth_vid(&second, 100, 0x86dd);
	ip6(&second, "fd00:1::5", "2001:db8::10", 44);
	frag6(&second, 6, 127, 0, 0xabcd);
	zeros(&second, 100);
	pkt_done(&second);
	orphan = second;
	orphan.d[18 + 40 + 7] ^= 1;	/* another id */
	UPLINK(UP0, &first, SG_R_RULE, 0x101);
	UPLINK(UP0, &second, SG_R_RULE, 0x101);
	UPLINK(UP0, &orphan, SG_R_FRAG_NO_FIRST, 0);
}

/* ---- flows: replies vs responder-initiated ---- */

TEST_F(dp, replies_and_responder_flows)
{
	struct pkt syn, synack, resp_syn, ack;

	v4_tcp(&syn, 100, "10.1.0.5", "192.0.2.10", 40001, 443, TCP_SYN);
	v4_tcp(&synack, -1, "192.0.2.10", "10.1.0.5", 443, 40001, TCP_SYN | TCP_ACK);
	/* The responder opening a connection back over the same ports. */
	v4_tcp(&resp_syn, -1, "192.0.2.10", "10.1.0.5", 443, 40001, TCP_SYN);
	v4_tcp(&ack, 100, "10.1.0.5", "192.0.2.10", 40001, 443, TCP_ACK);

	/* An app's address on an uplink: apps are never behind uplinks. */
	UPLINK(UP0, &synack, SG_R_SPOOF, 0);
	APP_IN(APP1, &synack, SG_R_NO_RULE, 0);	/* no flow yet */
	UPLINK(UP0, &syn, SG_R_RULE, 0x101);
	APP_OUT(APP1, UP0, &syn, SG_R_FLOW, 0x101);
	APP_IN(APP1, &synack, SG_R_REPLY, 0x101);
	APP_IN(APP1, &resp_syn, SG_R_NO_RULE, 0);
	UPLINK(UP0, &ack, SG_R_FLOW, 0x101);
}

TEST_F(dp, echo_replies_only_for_requests)
{
	struct pkt req, reply, back_req;

	pkt_init(&req);
	eth_vid(&req, 300, 0x0800);
	ip4(&req, "10.3.0.4", "192.0.2.12", 1);
	icmp(&req, 8, 99);
	pkt_done(&req);
	pkt_init(&reply);
	eth(&reply, 0x0800);
	ip4(&reply, "192.0.2.12", "10.3.0.4", 1);
	icmp(&reply, 0, 99);
	pkt_done(&reply);
	/* The responder sending a request of its own with the same id. */
	back_req = reply;
	back_req.d[14 + 20] = 8;
	APP_IN(APP3, &reply, SG_R_NO_RULE, 0);
	UPLINK(UP0, &req, SG_R_RULE, 0x103);
	APP_IN(APP3, &reply, SG_R_REPLY, 0x103);
	APP_IN(APP3, &back_req, SG_R_NO_RULE, 0);
}

/* ---- apps ---- */

TEST_F(dp, east_west_default_deny)
{
	struct pkt video_to_plc, spoof, tele_to_plc, tele_wrong_port, plc_reply;

	v4_udp(&video_to_plc, -1, "192.0.2.10", "192.0.2.11", 3000, 5000, 10);
	v4_udp(&spoof, -1, "192.0.2.11", "10.2.0.7", 5000, 6000, 10);
	v4_udp(&tele_to_plc, -1, "192.0.2.12", "192.0.2.11", 3000, 5005, 10);
	v4_udp(&tele_wrong_port, -1, "192.0.2.12", "192.0.2.11", 3000, 5006, 10);
	v4_udp(&plc_reply, -1, "192.0.2.11", "192.0.2.12", 5005, 3000, 10);
	APP_IN(APP1, &video_to_plc, SG_R_NO_RULE, 0);
	APP_IN(APP1, &spoof, SG_R_SPOOF, 0);	/* video using plc's address */
	APP_IN(APP3, &tele_wrong_port, SG_R_NO_RULE, 0);
	APP_IN(APP3, &tele_to_plc, SG_R_RULE, 0);
	APP_OUT(APP2, APP3, &tele_to_plc, SG_R_FLOW, 0);
	APP_IN(APP2, &plc_reply, SG_R_REPLY, 0);
}

TEST_F(dp, app_scanning_the_host)
{
	static const char *const dsts[] = { "192.0.2.10", "192.0.2.11", "192.0.2.12" };
	struct pkt p;
	unsigned int i;
	int port;

	/* video probing every other app on a spread of ports */
	for (i = 0; i < 3; i++) {
		for (port = 1; port < 65536; port += 9973) {
			v4_tcp(&p, -1, "192.0.2.10", dsts[i], 50000, port, TCP_SYN);
			/* Only telemetry listens on every port. */
			APP_IN(APP1, &p, i == 2 ? SG_R_NO_RULE : SG_R_NO_ENDPOINT, 0);
		}
	}
}

TEST_F(dp, app_to_ue)
{
	struct pkt plc_to_urllc, video_to_miot, video_to_web, ext_to_video, web_reply;

	v4_udp(&plc_to_urllc, -1, "192.0.2.11", "10.2.0.7", 5001, 6000, 10);
	/* video does not serve miot: no rule can exist, none matches. */
	v4_tcp(&video_to_miot, -1, "192.0.2.10", "10.3.0.4", 443, 7000, TCP_SYN);
	v4_tcp(&video_to_web, -1, "192.0.2.10", "203.0.113.5", 41000, 80, TCP_SYN);
	v4_tcp(&ext_to_video, -1, "203.0.113.9", "192.0.2.10", 41000, 443, TCP_SYN);
	v4_tcp(&web_reply, -1, "203.0.113.5", "192.0.2.10", 80, 41000, TCP_SYN | TCP_ACK);
	APP_IN(APP2, &plc_to_urllc, SG_R_RULE, 0x102);
	APP_IN(APP1, &video_to_miot, SG_R_NO_RULE, 0);
	APP_IN(APP1, &video_to_web, SG_R_RULE, 0);
	APP_OUT(APP1, UP0, &ext_to_video, SG_R_NO_RULE, 0);
	APP_OUT(APP1, UP0, &web_reply, SG_R_REPLY, 0);
}

/* ---- GTP-U ---- */

TEST_F(dp, gtpu)
{
	struct pkt ok, foreign_teid, foreign_src, ext1, ext5, zero_len, echo, cut, v2, not_gtp,
		ue_not_gtp, outer_frag, inner_cut;

	/* A gtpu uplink with unsliced pass, for GTP-U control messages. */
	add_uplink(&self->pol, "gtpp0", SLICEGUARD_UPLINK_MODE_GTPU, SLICEGUARD_UNSLICED_PASS);
	ASSERT_EQ(0, reapply(self->dp, &self->pol));

	gtp_pkt(&ok, 0x30, 255, 0x1001, "10.1.0.5", 0);
	gtp_pkt(&foreign_teid, 0x30, 255, 0x2001, "10.1.0.5", 0);
	gtp_pkt(&foreign_src, 0x30, 255, 0x1001, "10.2.0.7", 0);
	gtp_pkt(&ext1, 0x30, 255, 0x1002, "10.1.0.5", 1);
	gtp_pkt(&ext5, 0x30, 255, 0x1002, "10.1.0.5", 5);
	gtp_pkt(&zero_len, 0x30, 255, 0x1002, "10.1.0.5", 1);
	zero_len.d[zero_len.gtp_off + 12] = 0;
	gtp_pkt(&echo, 0x32, 1, 0, NULL, 0);
	zeros(&echo, 4);
	pkt_done(&echo);
	gtp_pkt(&cut, 0x30, 255, 0x1001, NULL, 0);
	cut.len -= 2;
	set16(&cut, 14 + 2, cut.len - 14);
	set16(&cut, 14 + 20 + 4, cut.len - 14 - 20);
	gtp_pkt(&v2, 0x50, 255, 0x1001, "10.1.0.5", 0);
	v4_udp(&not_gtp, -1, "192.168.50.1", "192.0.2.11", 2152, 2153, 10);
	/* The same with a UE's address as the outer source. */
	v4_udp(&ue_not_gtp, -1, "10.1.0.5", "192.0.2.11", 2152, 2153, 10);
	gtp_pkt(&outer_frag, 0x30, 255, 0x1001, "10.1.0.5", 0);
	set16(&outer_frag, 14 + 6, 0x2000);
	gtp_pkt(&inner_cut, 0x30, 255, 0x1001, "10.1.0.5", 0);
	inner_cut.d[inner_cut.gtp_off + 8] = 0x44;	/* inner IHL 4 */

	UPLINK(GTP0, &ok, SG_R_RULE, 0x101);
	UPLINK(GTP0, &foreign_teid, SG_R_SPOOF, 0);
	UPLINK(GTP0, &foreign_src, SG_R_SPOOF, 0);
	UPLINK(GTP0, &ext1, SG_R_FLOW, 0x101);	/* same inner 5-tuple as ok */
	UPLINK(GTP0, &ext5, SG_R_EXTHDR_CHAIN, 0);
	UPLINK(GTP0, &zero_len, SG_R_MALFORMED, 0);
	/*
	 * A message other than a G-PDU belongs to no slice: the uplink's
	 * unsliced setting decides it.
	 */
	UPLINK(GTP0, &echo, SG_R_NO_SLICE, 0);
	UPLINK(GTPP0, &echo, SG_R_GTP_CONTROL, 0);
	UPLINK(GTP0, &cut, SG_R_MALFORMED, 0);
	UPLINK(GTP0, &v2, SG_R_MALFORMED, 0);
	UPLINK(GTP0, &not_gtp, SG_R_NO_SLICE, 0);
	/* UEs are never outer sources of a gtpu uplink. */
	UPLINK(GTP0, &ue_not_gtp, SG_R_SPOOF, 0);
	UPLINK(GTP0, &outer_frag, SG_R_FRAG_OUTER, 0);
	UPLINK(GTP0, &inner_cut, SG_R_MALFORMED, 0);
}

/* ---- ICMP errors about stored flows ---- */

TEST_F(dp, icmp_errors_of_allowed_flows)
{
	struct pkt syn, frag_needed, unknown, not_ours, cut, app_unreach, ue_unreach, gtp_err,
		redirect;

	/*
	 * telemetry (any proto and port, so nothing is NO_ENDPOINT) opens
	 * tcp/80 to the outside; a router says the path MTU is lower.
	 */
	add_rule(&self->pol, 8, APP, 12, ANY, 0, 6, 80, 80);
	ASSERT_EQ(0, reapply(self->dp, &self->pol));
	v4_tcp(&syn, -1, "192.0.2.12", "198.51.100.7", 41000, 80, TCP_SYN);
	v4_err(&frag_needed, -1, "203.0.113.1", "192.0.2.12", 3, 4, "192.0.2.12",
	       "198.51.100.7", 41000, 80);
	v4_err(&unknown, -1, "203.0.113.1", "192.0.2.12", 3, 4, "192.0.2.12",
	       "198.51.100.7", 41001, 80);
	/* The quoted packet was not sent by the error's destination. */
	v4_err(&not_ours, -1, "203.0.113.1", "192.0.2.12", 3, 4, "198.51.100.7",
	       "192.0.2.12", 80, 41000);
	/* Cut inside the quoted transport bytes. */
	v4_err(&cut, -1, "203.0.113.1", "192.0.2.12", 3, 4, "192.0.2.12", "198.51.100.7",
	       41000, 80);
	cut.len -= 2;
	set16(&cut, 14 + 2, cut.len - 14);
	/* Redirect (5) is not an error about the flow. */
	v4_err(&redirect, -1, "203.0.113.1", "192.0.2.12", 5, 1, "192.0.2.12",
	       "198.51.100.7", 41000, 80);

	APP_OUT(APP3, UP0, &frag_needed, SG_R_NO_RULE, 0);	/* no flow yet */
	APP_IN(APP3, &syn, SG_R_RULE, 0);
	APP_OUT(APP3, UP0, &frag_needed, SG_R_RELATED, 0);
	APP_OUT(APP3, UP0, &frag_needed, SG_R_RELATED, 0);	/* it opened no flow */
	APP_OUT(APP3, UP0, &unknown, SG_R_NO_RULE, 0);
	APP_OUT(APP3, UP0, &not_ours, SG_R_NO_RULE, 0);
	APP_OUT(APP3, UP0, &cut, SG_R_NO_RULE, 0);
	APP_OUT(APP3, UP0, &redirect, SG_R_NO_RULE, 0);

	/*
	 * A UE's flow to video (rule 1): video answers a packet of it with
	 * port unreachable (the forward direction quoted), the UE answers
	 * video's reply with one (the reverse direction quoted), plain and in
	 * GTP-U. An ICMP error to video is otherwise NO_ENDPOINT (tcp/443).
	 */
	v4_tcp(&syn, 100, "10.1.0.5", "192.0.2.10", 40010, 443, TCP_SYN);
	v4_err(&app_unreach, -1, "192.0.2.10", "10.1.0.5", 3, 3, "10.1.0.5", "192.0.2.10",
	       40010, 443);
	v4_err(&ue_unreach, 100, "10.1.0.5", "192.0.2.10", 3, 3, "192.0.2.10", "10.1.0.5",
	       443, 40010);
	pkt_init(&gtp_err);
	eth(&gtp_err, 0x0800);
	ip4(&gtp_err, "192.168.50.1", "192.168.50.2", 17);
	udp(&gtp_err, 2152, 2152);
	gtp(&gtp_err, 0x30, 255, 0x1001);
	ip4(&gtp_err, "10.1.0.5", "192.0.2.10", 1);
	icmp_err(&gtp_err, 11, 0, 0);
	ip4(&gtp_err, "192.0.2.10", "10.1.0.5", 6);
	tcp8(&gtp_err, 443, 40010);
	pkt_done(&gtp_err);

	UPLINK(UP0, &ue_unreach, SG_R_NO_ENDPOINT, 0);
	APP_IN(APP1, &app_unreach, SG_R_NO_RULE, 0);
	UPLINK(UP0, &syn, SG_R_RULE, 0x101);
	APP_IN(APP1, &app_unreach, SG_R_RELATED, 0x101);
	UPLINK(UP0, &ue_unreach, SG_R_RELATED, 0x101);
	UPLINK(GTP0, &gtp_err, SG_R_RELATED, 0x101);
}

TEST_F(dp, icmpv6_packet_too_big)
{
	struct pkt syn, web, ptb, ptb_web, unknown, truncated;

	pkt_init(&syn);
	eth_vid(&syn, 100, 0x86dd);
	ip6(&syn, "fd00:1::7", "2001:db8::10", 6);
	tcp(&syn, 41000, 443, TCP_SYN);
	pkt_done(&syn);
	/* video's own flow to a web server outside (rule 4). */
	pkt_init(&web);
	eth(&web, 0x86dd);
	ip6(&web, "2001:db8::10", "2001:db8:abcd::80", 6);
	tcp(&web, 41001, 80, TCP_SYN);
	pkt_done(&web);
	/* A router tells video its replies to the UE are too big. */
	pkt_init(&ptb);
	eth(&ptb, 0x86dd);
	ip6(&ptb, "2001:db8:ffff::1", "2001:db8::10", 58);
	icmp_err(&ptb, 2, 0, 1280);
	ip6(&ptb, "2001:db8::10", "fd00:1::7", 6);
	tcp8(&ptb, 443, 41000);
	pkt_done(&ptb);
	/* ... and its packets to the web server. */
	pkt_init(&ptb_web);
	eth(&ptb_web, 0x86dd);
	ip6(&ptb_web, "2001:db8:ffff::1", "2001:db8::10", 58);
	icmp_err(&ptb_web, 2, 0, 1280);
	ip6(&ptb_web, "2001:db8::10", "2001:db8:abcd::80", 6);
	tcp8(&ptb_web, 41001, 80);
	pkt_done(&ptb_web);
	unknown = ptb_web;
	unknown.d[unknown.len - 7] ^= 1;	/* another port of video's */
	/* The quoted IPv6 header, cut short. */
	truncated = ptb_web;
	truncated.len -= 20;
	set16(&truncated, 14 + 4, truncated.len - 14 - 40);

	/* Not related, an error is decided like any packet: video takes tcp/443 only. */
	APP_OUT(APP1, UP0, &ptb_web, SG_R_NO_ENDPOINT, 0);
	UPLINK(UP0, &syn, SG_R_RULE, 0x101);
	APP_IN(APP1, &web, SG_R_RULE, 0);
	APP_OUT(APP1, UP0, &ptb_web, SG_R_RELATED, 0);
	/*
	 * A router counts as the far end only of a flow whose far end is
	 * external; between a UE and an app the error must come from one of
	 * them (issue 7), so the router's error about the UE's flow is not
	 * related.
	 */
	APP_OUT(APP1, UP0, &ptb, SG_R_NO_ENDPOINT, 0);
	APP_OUT(APP1, UP0, &unknown, SG_R_NO_ENDPOINT, 0);
	APP_OUT(APP1, UP0, &truncated, SG_R_NO_ENDPOINT, 0);
}

/* ---- rates ---- */

TEST_F(dp, ue_rate)
{
	struct pkt big, other_ue;

	self->pol.slices[2].ue_rate_bytes = 1000;
	ASSERT_EQ(0, reapply(self->dp, &self->pol));
	v4_udp(&big, 300, "10.3.0.4", "192.0.2.12", 1000, 9000, 560);
	v4_udp(&other_ue, 300, "10.3.0.5", "192.0.2.12", 1000, 9000, 560);
	UPLINK(UP0, &big, SG_R_RULE, 0x103);
	UPLINK(UP0, &big, SG_R_RATE_UE, 0);
	/* Another UE of the same slice has its own budget. */
	UPLINK(UP0, &other_ue, SG_R_RULE, 0x103);
}

TEST_F(dp, slice_rate_protects_other_slices)
{
	struct pkt p, embb;
	char src[32];
	int i;

	self->pol.slices[2].rate_packets = 5;
	ASSERT_EQ(0, reapply(self->dp, &self->pol));
	for (i = 0; i < 6; i++) {
		snprintf(src, sizeof(src), "10.3.1.%d", i + 1);
		v4_udp(&p, 300, src, "192.0.2.12", 1000, 9000, 50);
		UPLINK(UP0, &p, i < 5 ? SG_R_RULE : SG_R_RATE_SLICE, i < 5 ? 0x103 : 0);
	}
	v4_tcp(&embb, 100, "10.1.0.5", "192.0.2.10", 40000, 443, TCP_SYN);
	UPLINK(UP0, &embb, SG_R_RULE, 0x101);
}

TEST_F(dp, app_and_rule_rates)
{
	struct pkt p, ping;
	char src[32];
	int i;

	self->pol.apps[1].rate_packets = 3;	/* plc */
	self->pol.rules[5].rate_packets = 2;	/* embb -> any icmp */
	ASSERT_EQ(0, reapply(self->dp, &self->pol));
	for (i = 0; i < 4; i++) {
		snprintf(src, sizeof(src), "10.2.1.%d", i + 1);
		v4_udp(&p, 200, src, "192.0.2.11", 1000, 5000, 20);
		UPLINK(UP0, &p, i < 3 ? SG_R_RULE : SG_R_RATE_APP, -1);
	}
	pkt_init(&ping);
	eth_vid(&ping, 100, 0x0800);
	ip4(&ping, "10.1.0.5", "8.8.8.8", 1);
	icmp(&ping, 8, 5);
	pkt_done(&ping);
	UPLINK(UP0, &ping, SG_R_RULE, 0x101);
	UPLINK(UP0, &ping, SG_R_FLOW, 0x101);
	UPLINK(UP0, &ping, SG_R_RATE_RULE, 0);
}

/* ---- policy generations ---- */

TEST_F(dp, removed_rule_ends_its_flows)
{
	struct pkt syn, ack;
	unsigned int i;

	v4_tcp(&syn, 100, "10.1.0.5", "192.0.2.10", 40002, 443, TCP_SYN);
	v4_tcp(&ack, 100, "10.1.0.5", "192.0.2.10", 40002, 443, TCP_ACK);
	UPLINK(UP0, &syn, SG_R_RULE, 0x101);
	UPLINK(UP0, &ack, SG_R_FLOW, 0x101);
	for (i = 0; i < self->pol.n_rules; i++)
		if (self->pol.rules[i].id == 1)
			self->pol.rules[i] = self->pol.rules[--self->pol.n_rules];
	ASSERT_EQ(0, reapply(self->dp, &self->pol));
	ASSERT_EQ(self->pol.generation, sg_dp_generation(self->dp));
	UPLINK(UP0, &ack, SG_R_NO_RULE, 0);
}

/*
 * The policy store gives a removed rule's id to the next rule added: a flow
 * of the old rule 3 (miot->telemetry, any proto) must not live on under a
 * new rule 3 that matches something else.
 */
TEST_F(dp, reused_rule_id_ends_the_old_rules_flows)
{
	struct pkt syn, synack, ack, urllc_syn;
	struct sg_rule *r;

	v4_tcp(&syn, 300, "10.3.0.5", "192.0.2.12", 40010, 8080, TCP_SYN);
	v4_tcp(&synack, -1, "192.0.2.12", "10.3.0.5", 8080, 40010, TCP_SYN | TCP_ACK);
	v4_tcp(&ack, 300, "10.3.0.5", "192.0.2.12", 40010, 8080, TCP_ACK);
	v4_tcp(&urllc_syn, 200, "10.2.0.5", "192.0.2.12", 40011, 8080, TCP_SYN);
	UPLINK(UP0, &syn, SG_R_RULE, 0x103);
	APP_IN(APP3, &synack, SG_R_REPLY, 0x103);
	UPLINK(UP0, &ack, SG_R_FLOW, 0x103);
	UPLINK(UP0, &urllc_syn, SG_R_NO_RULE, 0);

	/* Rule 3 removed, and its id handed to urllc->telemetry. */
	r = rule_by_id(&self->pol, 3);
	ASSERT_NE(NULL, r);
	r->src_id = 2;
	ASSERT_EQ(0, reapply(self->dp, &self->pol));
	UPLINK(UP0, &ack, SG_R_NO_RULE, 0);
	APP_IN(APP3, &synack, SG_R_NO_RULE, 0);
	UPLINK(UP0, &urllc_syn, SG_R_RULE, 0x102);
}

/* A new rule 3 differing only in proto: the old flow is new to it. */
TEST_F(dp, reused_rule_id_with_another_proto_decides_anew)
{
	struct pkt syn, synack, ack;
	struct sg_rule *r;

	v4_tcp(&syn, 300, "10.3.0.5", "192.0.2.12", 40012, 8080, TCP_SYN);
	v4_tcp(&synack, -1, "192.0.2.12", "10.3.0.5", 8080, 40012, TCP_SYN | TCP_ACK);
	v4_tcp(&ack, 300, "10.3.0.5", "192.0.2.12", 40012, 8080, TCP_ACK);
	UPLINK(UP0, &syn, SG_R_RULE, 0x103);

	r = rule_by_id(&self->pol, 3);
	ASSERT_NE(NULL, r);
	r->proto = 6;
	ASSERT_EQ(0, reapply(self->dp, &self->pol));
	/* No reply before the new rule has allowed the flow again. */
	APP_IN(APP3, &synack, SG_R_NO_RULE, 0);
	UPLINK(UP0, &ack, SG_R_RULE, 0x103);
	APP_IN(APP3, &synack, SG_R_REPLY, 0x103);
	UPLINK(UP0, &ack, SG_R_FLOW, 0x103);
}

/* Rule 3 kept with the same match (its rate may change): its flows stay. */
TEST_F(dp, unchanged_rule_keeps_its_flows_across_generations)
{
	struct pkt syn, synack, ack;
	struct sg_rule *r;
	int i;

	v4_tcp(&syn, 300, "10.3.0.5", "192.0.2.12", 40013, 8080, TCP_SYN);
	v4_tcp(&synack, -1, "192.0.2.12", "10.3.0.5", 8080, 40013, TCP_SYN | TCP_ACK);
	v4_tcp(&ack, 300, "10.3.0.5", "192.0.2.12", 40013, 8080, TCP_ACK);
	UPLINK(UP0, &syn, SG_R_RULE, 0x103);
	/* Both slots, and a rate change on the rule in between. */
	for (i = 0; i < 3; i++) {
		if (i == 1) {
			r = rule_by_id(&self->pol, 3);
			ASSERT_NE(NULL, r);
			r->rate_packets = 1000000;
		}
		ASSERT_EQ(0, reapply(self->dp, &self->pol));
		APP_IN(APP3, &synack, SG_R_REPLY, 0x103);
		UPLINK(UP0, &ack, SG_R_FLOW, 0x103);
	}
}

TEST_F(dp, generations_alternate_slots)
{
	struct pkt p;
	int i;

	v4_tcp(&p, 100, "10.1.0.5", "192.0.2.10", 40003, 443, TCP_SYN);
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, reapply(self->dp, &self->pol));
		ASSERT_EQ(self->pol.generation, sg_dp_generation(self->dp));
		ASSERT_EQ(0, sg_dp_flush_state(self->dp));
		UPLINK(UP0, &p, SG_R_RULE, 0x101);
	}
}

/*
 * "Policy replaced under traffic: no packet sees a mix of old and new
 * policy." Generation A allows embb->video with mark 0x101; generation B
 * drops the rule and marks embb 0x201. A packet decided from a mix would
 * pass RULE with mark 0x201 (rule from A, slice from B) or the like.
 */
struct flipper {
	struct sg_dp *dp;
	struct sg_policy *a, *b;
	volatile int stop;
	int applies, err;
};

static void *flip_generations(void *arg)
{
	struct flipper *f = arg;

	while (!f->stop && !f->err) {
		struct sg_policy *p = f->applies % 2 ? f->a : f->b;

		p->generation = 100 + f->applies;
		f->err = sg_dp_apply(f->dp, p);
		f->applies++;
	}
	return NULL;
}

TEST_F(dp, generation_swap_under_traffic)
{
	struct sg_policy b;
	struct flipper f = { .dp = self->dp, .a = &self->pol, .b = &b };
	unsigned int i, seen_a = 0, seen_b = 0;
	struct run_result r;
	pthread_t thread;
	struct pkt p;

	std_policy(&b);
	b.slices[0].mark = 0x201;
	b.rules[0] = b.rules[--b.n_rules];	/* rule 1 gone */
	ASSERT_EQ(0, pthread_create(&thread, NULL, flip_generations, &f));
	for (i = 0; i < 20000 && (f.applies < 20 || !seen_a || !seen_b); i++) {
		/* A new flow every time: the decision is the rule's, not a flow's. */
		v4_tcp(&p, 100, "10.1.0.5", "192.0.2.10", 1024 + i % 60000, 443, TCP_SYN);
		ASSERT_EQ(0, run_pkt(self->dp, SG_DP_PROG_UPLINK, self->ifx[UP0], 0, &p, &r));
		if (r.reason == SG_R_RULE && r.mark == 0x101 && r.retval == XDP_PASS_RET)
			seen_a++;
		else if (r.reason == SG_R_NO_RULE && r.mark == 0 && r.retval == XDP_DROP_RET)
			seen_b++;
		else
			ASSERT_TRUE(0) TH_LOG("packet %u: %s mark %#x: a mix of generations", i,
					      name_of(r.reason), r.mark);
	}
	f.stop = 1;
	pthread_join(thread, NULL);
	ASSERT_EQ(0, f.err) TH_LOG("apply: %s", sg_dp_errmsg(self->dp));
	TH_LOG("%u packets, %d generations: %u decided by A, %u by B", i, f.applies, seen_a,
	       seen_b);
	ASSERT_LT(0, seen_a);
	ASSERT_LT(0, seen_b);
	sg_policy_free(&b);
}

TEST(no_policy_drops_everything)
{
	struct sg_dp_opts opts = { .resolve_ifindex = test_resolve };
	struct sg_policy pol;
	struct run_result r;
	struct sg_dp *dp;
	struct pkt p;
	int ifx[N_IFS];

	make_netns(_metadata, ifx);
	ASSERT_EQ(0, sg_dp_open(&opts, &dp));
	v4_tcp(&p, 100, "10.1.0.5", "192.0.2.10", 40000, 443, TCP_SYN);
	ASSERT_TRUE(check_pkt(_metadata, dp, SG_DP_PROG_UPLINK, ifx[UP0], 0, &p, SG_R_NO_POLICY, 0,
			      "before the first generation"));
	ASSERT_TRUE(check_pkt(_metadata, dp, SG_DP_PROG_APP_INGRESS, ifx[APP1], 0, &p,
			      SG_R_NO_POLICY, 0, "app before the first generation"));
	std_policy(&pol);
	ASSERT_EQ(0, sg_dp_apply(dp, &pol));
	/* An interface the generation does not name. */
	ASSERT_EQ(0, run_pkt(dp, SG_DP_PROG_UPLINK, 1, 0, &p, &r));
	ASSERT_EQ(SG_R_NO_POLICY, r.reason);
	ASSERT_TRUE(check_pkt(_metadata, dp, SG_DP_PROG_APP_INGRESS, ifx[UP0], 0, &p,
			      SG_R_NO_POLICY, 0, "app program on an uplink"));
	sg_policy_free(&pol);
	sg_dp_close(dp);
}

/* ---- counters and events ---- */

struct seen_events {
	int n;
	struct sg_deny_event last;
};

static int on_event(void *ctx, const struct sg_deny_event *e)
{
	struct seen_events *s = ctx;

	s->n++;
	s->last = *e;
	return 0;
}

TEST_F(dp, counters_and_deny_events)
{
	struct seen_events seen = {};
	struct sg_obj_count sc, rc, ac;
	uint64_t stats[SG_EVENT_STAT_MAX];
	struct timespec t0, t1;
	uint64_t elapsed_ns;
	struct pkt ok, spoof;
	int i, n;

	v4_tcp(&ok, 100, "10.1.0.5", "192.0.2.10", 40000, 443, TCP_SYN);
	v4_tcp(&spoof, 100, "10.2.0.7", "192.0.2.10", 40000, 443, TCP_SYN);
	UPLINK(UP0, &ok, SG_R_RULE, 0x101);
	/* bpf_ktime_get_ns() is CLOCK_MONOTONIC. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	UPLINK(UP0, &spoof, SG_R_SPOOF, 0);
	ASSERT_EQ(0, sg_dp_slice_counts(self->dp, 1, &sc));
	ASSERT_EQ(1, sc.pass_packets);
	ASSERT_EQ(ok.len, sc.pass_bytes);
	ASSERT_EQ(0, sg_dp_rule_counts(self->dp, 1, &rc));
	ASSERT_EQ(1, rc.pass_packets);
	ASSERT_EQ(0, sg_dp_app_counts(self->dp, 10, &ac));
	ASSERT_EQ(1, ac.pass_packets);

	n = sg_dp_poll_events(self->dp, on_event, &seen, 100);
	ASSERT_EQ(1, n);
	ASSERT_EQ(SG_R_SPOOF, seen.last.reason);
	ASSERT_EQ(SG_HOOK_UPLINK, seen.last.hook);
	ASSERT_EQ(7, seen.last.generation);
	ASSERT_EQ(self->ifx[UP0], seen.last.ifindex);
	ASSERT_EQ(AF_INET, seen.last.family);
	ASSERT_EQ(6, seen.last.proto);
	ASSERT_EQ(htons(443), seen.last.dport);

	/* A flood of drops: events are rate-limited, the rest counted lost. */
	for (i = 0; i < 150; i++)
		UPLINK(UP0, &spoof, SG_R_SPOOF, 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	elapsed_ns = (t1.tv_sec - t0.tv_sec) * 1000000000ULL + t1.tv_nsec - t0.tv_nsec;
	ASSERT_EQ(0, sg_dp_event_stats(self->dp, stats));
	ASSERT_EQ(151, stats[SG_EVENTS_SENT] + stats[SG_EVENTS_LOST_RATE]);
	ASSERT_LT(0, stats[SG_EVENTS_LOST_RATE]);
	/*
	 * 100 events/s with one second of burst: 101 at once, then one per
	 * 10 ms for as long as the flood took on a slow or loaded machine.
	 */
	ASSERT_GE(101 + elapsed_ns / 10000000, stats[SG_EVENTS_SENT]);
}

/* ---- compiler (nothing loaded) ---- */

TEST(compile_is_deterministic)
{
	struct sg_dp_image *a, *b;
	struct sg_policy pol;
	char err[256];

	std_policy(&pol);
	ASSERT_EQ(0, sg_dp_compile(&pol, no_ifaces, NULL, &a, err, sizeof(err)));
	ASSERT_EQ(0, sg_dp_compile(&pol, no_ifaces, NULL, &b, err, sizeof(err)));
	ASSERT_TRUE(sg_dp_image_equal(a, b));
	/* 3 slices, 3 apps, 7 rules, 4 UE prefixes, 3 VLANs, 3 TEID blocks,
	 * 1 DSCP, 3 IPv4 + 1 IPv6 endpoints, and rule blocks: 443, 5000-5010
	 * (5000/13, 5008/15, 5010/16), any, 80, 6000, any, 5005. */
	ASSERT_EQ(3 + 3 + 7 + 4 + 3 + 3 + 1 + 4 + (1 + 3 + 1 + 1 + 1 + 1 + 1),
		  sg_dp_image_entries(a));
	sg_dp_image_free(a);
	sg_dp_image_free(b);
	sg_policy_free(&pol);
}

TEST(compile_refuses_what_it_cannot_represent)
{
	struct sg_dp_image *img = NULL;
	struct sg_policy pol;
	char err[256];
	int i;

	std_policy(&pol);
	pol.rules[2].port_first = 10;	/* proto 0 with ports */
	ASSERT_EQ(-EINVAL, sg_dp_compile(&pol, no_ifaces, NULL, &img, err, sizeof(err)));
	ASSERT_STREQ("rule 3: ports need tcp, udp or sctp", err);
	sg_policy_free(&pol);

	std_policy(&pol);
	for (i = 0; i < SG_MAX_SLICES; i++)
		sg_policy_add_slice(&pol)->id = 100 + i;
	ASSERT_EQ(-E2BIG, sg_dp_compile(&pol, no_ifaces, NULL, &img, err, sizeof(err)));
	sg_policy_free(&pol);

	std_policy(&pol);
	pol.slices[1].vlans[0] = 100;	/* embb's VLAN again */
	ASSERT_EQ(-EINVAL, sg_dp_compile(&pol, no_ifaces, NULL, &img, err, sizeof(err)));
	sg_policy_free(&pol);
}

TEST(teid_ranges_split_into_blocks)
{
	struct sg_dp_image *img;
	struct sg_policy pol;
	struct sg_slice *s;
	char err[256];

	sg_policy_init(&pol);
	s = sg_policy_add_slice(&pol);
	s->id = 1;
	/* 1-6: 1/32, 2/31, 4/31, 6/32; 0x10000000-0x1fffffff: one /4 block */
	s->teid_ranges[0].first = 1;
	s->teid_ranges[0].last = 6;
	s->teid_ranges[1].first = 0x10000000;
	s->teid_ranges[1].last = 0x1fffffff;
	s->n_teid_ranges = 2;
	ASSERT_EQ(0, sg_dp_compile(&pol, no_ifaces, NULL, &img, err, sizeof(err)));
	ASSERT_EQ(1 + 4 + 1, sg_dp_image_entries(img));
	sg_dp_image_free(img);
	sg_policy_free(&pol);
}

/* ---- attach and pinning on real interfaces ---- */

TEST(attach_pin_adopt_detach)
{
	struct sg_dp_opts opts = { .resolve_ifindex = test_resolve };
	char dir[] = "/tmp/sg-bpffs-XXXXXX", pins[64];
	struct sg_dp *dp, *dp2;
	struct sg_policy pol;
	int ifx[N_IFS];

	make_netns(_metadata, ifx);
	ASSERT_EQ(0, unshare(CLONE_NEWNS));
	ASSERT_EQ(0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	ASSERT_NE(NULL, mkdtemp(dir));
	ASSERT_EQ(0, mount("bpf", dir, "bpf", 0, NULL)) TH_LOG("mount bpffs: %s", strerror(errno));
	snprintf(pins, sizeof(pins), "%s/sliceguard", dir);
	opts.pin_dir = pins;

	ASSERT_EQ(0, sg_dp_open(&opts, &dp));
	ASSERT_FALSE(sg_dp_adopted(dp));
	ASSERT_EQ(0, sg_dp_pin(dp));
	std_policy(&pol);
	ASSERT_EQ(0, sg_dp_apply(dp, &pol)) TH_LOG("%s", sg_dp_errmsg(dp));
	ASSERT_EQ(0, sg_dp_attach_uplink(dp, ifx[UP0])) TH_LOG("%s", sg_dp_errmsg(dp));
	ASSERT_EQ(0, sg_dp_attach_app(dp, ifx[APP1])) TH_LOG("%s", sg_dp_errmsg(dp));
	sg_dp_close(dp);

	/* A later process adopts the pinned state: same generation, and the
	 * links survived the first one. */
	ASSERT_EQ(0, sg_dp_open(&opts, &dp2));
	ASSERT_TRUE(sg_dp_adopted(dp2));
	ASSERT_EQ(7, sg_dp_generation(dp2));
	ASSERT_EQ(0, system("ip -d link show up0 | grep -q 'prog/xdp'"));
	pol.generation = 8;
	ASSERT_EQ(0, sg_dp_apply(dp2, &pol)) TH_LOG("%s", sg_dp_errmsg(dp2));
	ASSERT_EQ(8, sg_dp_generation(dp2));
	ASSERT_EQ(0, sg_dp_detach(dp2, ifx[UP0])) TH_LOG("%s", sg_dp_errmsg(dp2));
	ASSERT_EQ(0, sg_dp_detach(dp2, ifx[APP1])) TH_LOG("%s", sg_dp_errmsg(dp2));
	ASSERT_NE(0, system("ip -d link show up0 | grep -q 'prog/xdp'"));
	ASSERT_EQ(0, sg_dp_unpin(dp2));
	sg_dp_close(dp2);
	sg_policy_free(&pol);
	umount(dir);
	rmdir(dir);
}

static uint32_t prog_id(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	return bpf_prog_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/* Programs named name in the whole system. */
static int progs_named(const char *name)
{
	__u32 id = 0;
	int n = 0;

	while (!bpf_prog_get_next_id(id, &id)) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0)
			continue;
		if (!bpf_prog_get_info_by_fd(fd, &info, &len) && !strcmp(info.name, name))
			n++;
		close(fd);
	}
	return n;
}

/*
 * A complete pinned instance is adopted without loading: the same program
 * ids, no new programs, and everything works through it. An incomplete one
 * is loaded against its maps; maps of another shape are refused.
 */
TEST(adopt_without_loading)
{
	struct sg_dp_opts opts = { .resolve_ifindex = test_resolve };
	char dir[] = "/tmp/sg-bpffs-XXXXXX", pins[64], path[128];
	uint32_t ids[SG_DP_PROG_MAX];
	struct sg_dp *dp;
	struct sg_policy pol;
	struct pkt intra;
	int ifx[N_IFS], p, n_progs, fd;

	make_netns(_metadata, ifx);
	ASSERT_EQ(0, unshare(CLONE_NEWNS));
	ASSERT_EQ(0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	ASSERT_NE(NULL, mkdtemp(dir));
	ASSERT_EQ(0, mount("bpf", dir, "bpf", 0, NULL)) TH_LOG("mount bpffs: %s", strerror(errno));
	snprintf(pins, sizeof(pins), "%s/sliceguard", dir);
	opts.pin_dir = pins;

	ASSERT_EQ(0, sg_dp_open(&opts, &dp));
	ASSERT_TRUE(sg_dp_loaded(dp));
	ASSERT_EQ(0, sg_dp_pin(dp)) TH_LOG("%s", sg_dp_errmsg(dp));
	std_policy(&pol);
	ASSERT_EQ(0, sg_dp_apply(dp, &pol)) TH_LOG("%s", sg_dp_errmsg(dp));
	ASSERT_EQ(0, sg_dp_attach_uplink(dp, ifx[UP0])) TH_LOG("%s", sg_dp_errmsg(dp));
	for (p = 0; p < SG_DP_PROG_MAX; p++) {
		ids[p] = prog_id(sg_dp_prog_fd(dp, p));
		ASSERT_NE(0, ids[p]);
	}
	sg_dp_close(dp);
	n_progs = progs_named("sg_uplink");

	ASSERT_EQ(0, sg_dp_open(&opts, &dp));
	ASSERT_TRUE(sg_dp_adopted(dp));
	ASSERT_FALSE(sg_dp_loaded(dp)) TH_LOG("%s", sg_dp_errmsg(dp));
	ASSERT_EQ(n_progs, progs_named("sg_uplink"));
	for (p = 0; p < SG_DP_PROG_MAX; p++)
		ASSERT_EQ(ids[p], prog_id(sg_dp_prog_fd(dp, p)));
	ASSERT_EQ(7, sg_dp_generation(dp));
	/* Pinning again is a no-op: everything came from the pins. */
	ASSERT_EQ(0, sg_dp_pin(dp)) TH_LOG("%s", sg_dp_errmsg(dp));

	/* A new generation through the adopted maps decides packets. */
	v4_tcp(&intra, 200, "10.2.0.7", "10.2.0.8", 40000, 80, TCP_SYN);
	ASSERT_TRUE(check_pkt(_metadata, dp, SG_DP_PROG_UPLINK, ifx[UP0], 0, &intra,
			      SG_R_INTRA_SLICE, 0x102, "intra-slice, generation 7"));
	pol.slices[1].mark = 0x1ff;
	pol.generation = 8;
	ASSERT_EQ(0, sg_dp_apply(dp, &pol)) TH_LOG("%s", sg_dp_errmsg(dp));
	ASSERT_EQ(8, sg_dp_generation(dp));
	ASSERT_TRUE(check_pkt(_metadata, dp, SG_DP_PROG_UPLINK, ifx[UP0], 0, &intra,
			      SG_R_INTRA_SLICE, 0x1ff, "intra-slice, generation 8"));
	pol.slices[1].ue_to_ue = false;
	pol.generation = 9;
	ASSERT_EQ(0, sg_dp_apply(dp, &pol)) TH_LOG("%s", sg_dp_errmsg(dp));
	ASSERT_EQ(0, sg_dp_flush_state(dp));
	ASSERT_TRUE(check_pkt(_metadata, dp, SG_DP_PROG_UPLINK, ifx[UP0], 0, &intra,
			      SG_R_NO_RULE, 0, "intra-slice, generation 9"));

	/* New attachments use the pinned programs, and are pinned. */
	ASSERT_EQ(0, sg_dp_attach_app(dp, ifx[APP1])) TH_LOG("%s", sg_dp_errmsg(dp));
	snprintf(path, sizeof(path), "%s/link_%d_egress", pins, ifx[APP1]);
	ASSERT_EQ(0, access(path, F_OK));
	ASSERT_EQ(0, sg_dp_detach(dp, ifx[APP1])) TH_LOG("%s", sg_dp_errmsg(dp));
	ASSERT_NE(0, access(path, F_OK));
	ASSERT_EQ(n_progs, progs_named("sg_uplink"));
	sg_dp_close(dp);

	/* Incomplete: a program pin is missing. The maps are still adopted. */
	snprintf(path, sizeof(path), "%s/prog_sg_egress", pins);
	ASSERT_EQ(0, unlink(path));
	ASSERT_EQ(0, sg_dp_open(&opts, &dp));
	ASSERT_TRUE(sg_dp_adopted(dp));
	ASSERT_TRUE(sg_dp_loaded(dp));
	ASSERT_NE(NULL, strstr(sg_dp_errmsg(dp), "sg_egress")) TH_LOG("%s", sg_dp_errmsg(dp));
	ASSERT_NE(ids[SG_DP_PROG_UPLINK], prog_id(sg_dp_prog_fd(dp, SG_DP_PROG_UPLINK)));
	ASSERT_EQ(9, sg_dp_generation(dp));
	sg_dp_close(dp);

	/* A map of another shape: neither adopted as is nor reused by a load. */
	snprintf(path, sizeof(path), "%s/sg_frags", pins);
	ASSERT_EQ(0, unlink(path));
	fd = bpf_map_create(BPF_MAP_TYPE_HASH, "sg_frags", 4, 4, 1, NULL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, bpf_obj_pin(fd, path));
	close(fd);
	ASSERT_NE(0, sg_dp_open(&opts, &dp));

	sg_policy_free(&pol);
	umount(dir);
	rmdir(dir);
}

/* ---- real traffic: the mark travels XDP metadata -> TC -> the stack ---- */

static uint16_t ip_csum(const uint8_t *h, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i < len; i += 2)
		sum += (h[i] << 8) | h[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

static int hwaddr(const char *ifname, uint8_t mac[6])
{
	struct ifreq ifr = {};
	int fd = socket(AF_INET, SOCK_DGRAM, 0), err;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	err = ioctl(fd, SIOCGIFHWADDR, &ifr);
	close(fd);
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return err;
}

/* Send UE 10.1.0.5 -> 10.9.0.2 udp/5000 into up0 from its peer; received? */
static int ue_datagram_arrives(int tx, int rx, const uint8_t dst_mac[6], int peer_ifindex)
{
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_ifindex = peer_ifindex,
				  .sll_halen = 6 };
	struct pkt p;
	char buf[16];
	uint16_t csum;

	v4_udp(&p, -1, "10.1.0.5", "10.9.0.2", 4000, 5000, 2);
	memcpy(p.d, dst_mac, 6);
	csum = htons(ip_csum(p.d + 14, 20));
	memcpy(p.d + 14 + 10, &csum, 2);
	memcpy(to.sll_addr, dst_mac, 6);
	if (sendto(tx, p.d, p.len, 0, (struct sockaddr *)&to, sizeof(to)) != (ssize_t)p.len)
		return -1;
	return recv(rx, buf, sizeof(buf), 0) > 0;
}

TEST(uplink_mark_reaches_the_stack)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(5000) };
	struct timeval tmo = { .tv_sec = 1 };
	struct sg_count before[SG_R_MAX], after[SG_R_MAX];
	struct sg_policy pol;
	struct sg_app *a;
	struct sg_dp *dp;
	uint8_t mac[6];
	int ifx[N_IFS], tx, rx;

	make_netns(_metadata, ifx);
	/* Marked packets for 10.9.0.2 are routed into a blackhole. */
	ASSERT_EQ(0, system("ip addr add 10.9.0.2/24 dev up0 && ip link set up0p up && "
			    "ip route add 10.1.0.0/16 dev up0 && "
			    "ip rule add pref 10 fwmark 0x101 lookup 100 && "
			    "ip route add blackhole 10.9.0.2 table 100 && "
			    "ip rule add pref 100 lookup local && ip rule del pref 0 lookup local"));
	ASSERT_EQ(0, hwaddr("up0", mac));
	rx = socket(AF_INET, SOCK_DGRAM, 0);
	inet_pton(AF_INET, "10.9.0.2", &addr.sin_addr);
	ASSERT_EQ(0, bind(rx, (struct sockaddr *)&addr, sizeof(addr)));
	ASSERT_EQ(0, setsockopt(rx, SOL_SOCKET, SO_RCVTIMEO, &tmo, sizeof(tmo)));
	tx = socket(AF_PACKET, SOCK_RAW, 0);
	ASSERT_LE(0, tx);

	sg_policy_init(&pol);
	pol.generation = 1;
	/*
	 * No VLAN: the frames sent below are untagged, and a slice with a
	 * VLAN accepts its UEs only on it.
	 */
	add_slice(&pol, 1, "embb", "10.1.0.0", NULL, 100, 0x1000, 0)->n_vlans = 0;
	a = add_app(&pol, 10, "sink", 1, "");
	add_endpoint(a, "10.9.0.2", 32, 17, 5000, 5000);
	add_rule(&pol, 1, SLICE, 1, APP, 10, 17, 5000, 5000);
	add_uplink(&pol, "up0", SLICEGUARD_UPLINK_MODE_IP, SLICEGUARD_UNSLICED_DROP);
	ASSERT_EQ(0, sg_dp_open(NULL, &dp));
	ASSERT_EQ(0, sg_dp_apply(dp, &pol)) TH_LOG("%s", sg_dp_errmsg(dp));
	ASSERT_EQ(0, sg_dp_attach_uplink(dp, ifx[UP0])) TH_LOG("%s", sg_dp_errmsg(dp));

	/* Slice mark 0: the packet is delivered. */
	ASSERT_EQ(0, sg_dp_reason_counts(dp, before));
	ASSERT_EQ(1, ue_datagram_arrives(tx, rx, mac, if_nametoindex("up0p")));
	ASSERT_EQ(0, sg_dp_reason_counts(dp, after));
	ASSERT_EQ(before[SG_R_RULE].packets + 1, after[SG_R_RULE].packets);

	/* Slice mark 0x101: XDP passes it, and the stack sees the mark. */
	pol.slices[0].mark = 0x101;
	pol.generation = 2;
	ASSERT_EQ(0, sg_dp_apply(dp, &pol)) TH_LOG("%s", sg_dp_errmsg(dp));
	ASSERT_EQ(0, sg_dp_reason_counts(dp, before));
	ASSERT_EQ(0, ue_datagram_arrives(tx, rx, mac, if_nametoindex("up0p")));
	ASSERT_EQ(0, sg_dp_reason_counts(dp, after));
	ASSERT_EQ(before[SG_R_FLOW].packets + 1, after[SG_R_FLOW].packets);

	close(tx);
	close(rx);
	ASSERT_EQ(0, sg_dp_detach(dp, ifx[UP0])) TH_LOG("%s", sg_dp_errmsg(dp));
	ASSERT_NE(0, system("ip -d link show up0 | grep -q 'prog/xdp'"));
	sg_dp_close(dp);
	sg_policy_free(&pol);
}

TEST_HARNESS_MAIN
