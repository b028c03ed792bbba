// SPDX-License-Identifier: GPL-2.0
/*
 * sliceguard data path: slice and MEC-app isolation at XDP (uplinks) and
 * TC (app interfaces). Documentation/datapath.rst is the procedure this
 * file implements; section names there are quoted in comments here.
 *
 * Per-packet cost does not depend on the policy size: every policy lookup
 * is a hash, array or LPM lookup, and the only loops walk headers or one
 * app's endpoints, with fixed limits.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include <linux/sliceguard.h>

#include "sliceguard_dp.h"

#define ETH_P_IP	0x0800
#define ETH_P_ARP	0x0806
#define ETH_P_8021Q	0x8100
#define ETH_P_8021AD	0x88a8
#define ETH_P_IPV6	0x86dd

#define AF_INET		2
#define AF_INET6	10

#define IPPROTO_HOPOPTS	0
#define IPPROTO_ICMP	1
#define IPPROTO_TCP	6
#define IPPROTO_UDP	17
#define IPPROTO_ROUTING	43
#define IPPROTO_FRAGMENT 44
#define IPPROTO_AH	51
#define IPPROTO_ICMPV6	58
#define IPPROTO_DSTOPTS	60
#define IPPROTO_SCTP	132

#define TCP_FLAG_SYN	0x02
#define TCP_FLAG_ACK	0x10

#define ICMP_ECHOREPLY		0
#define ICMP_ECHO		8
#define ICMP_DEST_UNREACH	3
#define ICMP_TIME_EXCEEDED	11
#define ICMP_PARAMETERPROB	12
#define ICMPV6_DEST_UNREACH	1
#define ICMPV6_PARAMPROB	4
#define ICMPV6_ECHO_REQUEST	128
#define ICMPV6_ECHO_REPLY	129

#define GTPU_TYPE_GPDU	255

#define TC_PASS		(-1)	/* TC_ACT_UNSPEC / TCX_NEXT: let later filters run */
#define TC_DROP		2	/* TC_ACT_SHOT / TCX_DROP */

#define NSEC_PER_SEC	1000000000ULL

/*
 * Every loop is unrolled: 6.1's verifier refuses a loop whose back edge
 * is the fall-through of a call ("back-edge from insn"), and all bounds
 * here are small constants anyway.
 */

/* Deny events per second (and burst) per source slice. */
const volatile __u64 sg_event_rate = 100;

char LICENSE[] SEC("license") = "GPL";

/* ---- maps: global state ---- */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sg_config);
} sg_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, sg_inflight_t);
} sg_inflight SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SG_FLOW_ENTRIES);
	__type(key, struct sg_flow_key);
	__type(value, struct sg_flow_val);
} sg_flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SG_FRAG_ENTRIES);
	__type(key, struct sg_frag_key);
	__type(value, struct sg_frag_val);
} sg_frags SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SG_BUCKET_ENTRIES);
	__type(key, struct sg_bucket_key);
	__type(value, struct sg_bucket);
} sg_buckets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SG_R_MAX);
	__type(key, __u32);
	__type(value, struct sg_count);
} sg_reason_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, SG_MAX_SLICES);
	__type(key, __u32);
	__type(value, struct sg_obj_count);
} sg_slice_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, SG_MAX_APPS);
	__type(key, __u32);
	__type(value, struct sg_obj_count);
} sg_app_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, SG_MAX_RULES);
	__type(key, __u32);
	__type(value, struct sg_obj_count);
} sg_rule_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SG_EVENT_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} sg_event_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, SG_EVENT_RING_BYTES);
} sg_events SEC(".maps");

/*
 * The host's own addresses ("The host"): what its kernel delivers locally,
 * prefix -> ifindex (user/lib/host_prefixes.c). Not policy, so not per
 * slot: the loader keeps them in step with the kernel's routes.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, SG_HOST_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct sg_lpm4_key);
	__type(value, __u32);
} sg_host4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, SG_HOST_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct sg_lpm6_key);
	__type(value, __u32);
} sg_host6 SEC(".maps");

/* ---- maps: policy, one inner map per slot ("Atomic policy generations") ---- */

/*
 * Inner maps are described by sizes, not BTF types: clang emits only a
 * forward declaration for types reached through the outer map's template.
 */
#define SG_SLOT_MAP(name, inner_type, key_t, val_t, size, flags)	\
	struct name##_inner {						\
		__uint(type, inner_type);				\
		__uint(max_entries, size);				\
		__uint(map_flags, flags);				\
		__uint(key_size, sizeof(key_t));			\
		__uint(value_size, sizeof(val_t));			\
	};								\
	struct {							\
		__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);		\
		__uint(max_entries, 2);					\
		__type(key, __u32);					\
		__array(values, struct name##_inner);			\
	} name SEC(".maps")

SG_SLOT_MAP(sg_ifaces, BPF_MAP_TYPE_HASH, __u32, struct sg_iface, SG_MAX_IFACES, 0);
SG_SLOT_MAP(sg_slices, BPF_MAP_TYPE_HASH, __u32, struct sg_slice_cfg, SG_MAX_SLICES, 0);
SG_SLOT_MAP(sg_apps, BPF_MAP_TYPE_HASH, __u32, struct sg_app_cfg, SG_MAX_APPS, 0);
SG_SLOT_MAP(sg_rules, BPF_MAP_TYPE_HASH, __u32, struct sg_rule_cfg, SG_MAX_RULES, 0);
SG_SLOT_MAP(sg_rule_lpm, BPF_MAP_TYPE_LPM_TRIE, struct sg_rule_key, __u32,
	    SG_RULE_LPM_SIZE, BPF_F_NO_PREALLOC);
SG_SLOT_MAP(sg_ue4, BPF_MAP_TYPE_LPM_TRIE, struct sg_lpm4_key, __u32,
	    SG_UE_LPM_SIZE, BPF_F_NO_PREALLOC);
SG_SLOT_MAP(sg_ue6, BPF_MAP_TYPE_LPM_TRIE, struct sg_lpm6_key, __u32,
	    SG_UE_LPM_SIZE, BPF_F_NO_PREALLOC);
SG_SLOT_MAP(sg_ep4, BPF_MAP_TYPE_LPM_TRIE, struct sg_lpm4_key, __u32,
	    SG_EP_LPM_SIZE, BPF_F_NO_PREALLOC);
SG_SLOT_MAP(sg_ep6, BPF_MAP_TYPE_LPM_TRIE, struct sg_lpm6_key, __u32,
	    SG_EP_LPM_SIZE, BPF_F_NO_PREALLOC);
SG_SLOT_MAP(sg_teids, BPF_MAP_TYPE_LPM_TRIE, struct sg_teid_key, __u32,
	    SG_TEID_LPM_SIZE, BPF_F_NO_PREALLOC);
SG_SLOT_MAP(sg_vlans, BPF_MAP_TYPE_ARRAY, __u32, __u32, SG_VLAN_IDS, 0);
SG_SLOT_MAP(sg_dscps, BPF_MAP_TYPE_ARRAY, __u32, __u32, SG_DSCP_VALUES, 0);

/* ---- packet state ---- */

struct sg_pkt {
	__u8 family;		/* 0 until an IP header was parsed */
	__u8 proto;
	__u8 dscp;
	__u8 hop_limit;
	__u8 icmp_type;
	__u8 tcp_flags;
	__u8 has_vid;
	__u8 has_teid;
	__u8 is_frag;
	__u8 frag_first;
	__u8 frag_proto;	/* fragment key: IPv4 protocol, IPv6 fragment header's next */
	__u8 frag_hdr_seen;	/* IPv6: a fragment header was walked (atomic ones too) */
	__u16 vid;
	__u16 frag_off;		/* in 8-byte units */
	__u16 frag_data_off;	/* where the fragmentable part starts, from the frame start */
	__u16 l4_len;		/* transport header length */
	__u16 ip_len;		/* IPv4 total length; IPv6 40 + payload length */
	__u32 frag_id;
	__be32 teid;
	__be16 sport;		/* flow key ports; ICMP echo: the id */
	__be16 dport;
	__u16 rule_port;	/* destination port rules and endpoints see */
	__u16 l4_off;		/* transport header offset from the frame start */
	__u16 l4_room;		/* IP payload bytes from l4_off on */
	__u8 saddr[16];
	__u8 daddr[16];
};

struct sg_peer {
	__u32 kind;		/* enum sliceguard_peer */
	__u32 id;
};

struct sg_ctx {
	struct sg_pkt p;
	struct sg_peer src;
	struct sg_peer dst;
	__u64 len;		/* wire length, for byte counters and rates */
	__u64 now;
	__u64 generation;
	__u32 slot;
	__u32 ifindex;
	__u32 hook;		/* enum sg_hook */
	__u32 rule_id;
	__u32 slice_id;		/* the UE side's slice: counters, mark, rates */
	__u32 mark;
	__u32 src_slice, dst_slice, src_app, dst_app;
	__u32 iface_app;	/* app interfaces: the app behind it */
	__u32 in_ifindex;	/* app egress: where the packet entered the host, 0: local */
	struct sg_flow_key quote;	/* ICMP errors: the quoted packet; family 0: none */
	__u8 iface_mode;	/* uplinks: enum sliceguard_uplink_mode */
	__u8 iface_unsliced;	/* uplinks: enum sliceguard_unsliced */
	__u8 no_slice;		/* uplinks: of no slice, only stored flows may pass it */
	__u8 pad;
};

/*
 * The decision is split into global functions: the verifier checks each
 * once on its own instead of once per path through the parser, which keeps
 * every program far below the complexity limit.
 */
#define SG_GLOBAL __noinline

static __always_inline bool is_uplink_hook(const struct sg_ctx *c)
{
	return c->hook == SG_HOOK_UPLINK || c->hook == SG_HOOK_UPLINK_EGRESS;
}

/* Egress hooks see what the host routes or sends; nothing is policed there. */
static __always_inline bool is_egress_hook(const struct sg_ctx *c)
{
	return c->hook == SG_HOOK_APP_EGRESS || c->hook == SG_HOOK_UPLINK_EGRESS;
}

/* ---- parsing ("Parsing (both programs)") ---- */

/*
 * Headers are copied out with bpf_{xdp,skb}_load_bytes() at scalar offsets
 * rather than read through packet pointers: every bound is then one
 * comparison against a length the packet itself declared, and the
 * verifier does not have to track a packet range per header combination.
 * xdp is a constant in each caller.
 */
static __always_inline int load(void *ctx, int xdp, __u32 off, void *buf, __u32 len)
{
	off &= 0xffff;
	if (xdp)
		return bpf_xdp_load_bytes(ctx, off, buf, len);
	return bpf_skb_load_bytes(ctx, off, buf, len);
}

/*
 * Transport header at off with room bytes of IP payload (already checked
 * to be present). Sets ports, flags and l4_len. Returns -1 to go on, or a
 * reason.
 */
static __always_inline int parse_l4(void *ctx, int xdp, struct sg_pkt *p, __u32 off, __u32 room)
{
	__u8 h[20];
	__u32 need;

	p->l4_len = 0;
	p->l4_off = off;
	p->l4_room = room;
	if (p->is_frag && !p->frag_first)
		return -1;

	switch (p->proto) {
	case IPPROTO_TCP:
		if (room < 20 || load(ctx, xdp, off, h, 20))
			break;
		need = (h[12] >> 4) * 4;
		if (need < 20)
			return SG_R_MALFORMED;
		if (room < need)
			break;
		p->sport = *(__be16 *)&h[0];
		p->dport = *(__be16 *)&h[2];
		p->rule_port = bpf_ntohs(p->dport);
		p->tcp_flags = h[13];
		p->l4_len = need;
		return -1;
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
		/* UDP and the SCTP common header start with the two ports. */
		need = p->proto == IPPROTO_UDP ? 8 : 12;
		if (room < need || load(ctx, xdp, off, h, 4))
			break;
		p->sport = *(__be16 *)&h[0];
		p->dport = *(__be16 *)&h[2];
		p->rule_port = bpf_ntohs(p->dport);
		p->l4_len = need;
		return -1;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (room < 4 || load(ctx, xdp, off, h, 4))
			break;
		p->icmp_type = h[0];
		need = 4;
		if ((p->proto == IPPROTO_ICMP && (h[0] == ICMP_ECHO || h[0] == ICMP_ECHOREPLY)) ||
		    (p->proto == IPPROTO_ICMPV6 &&
		     (h[0] == ICMPV6_ECHO_REQUEST || h[0] == ICMPV6_ECHO_REPLY))) {
			need = 8;
			if (room < 8 || load(ctx, xdp, off + 4, h, 2))
				break;
			/* The echo id plays both ports of the flow key. */
			p->sport = *(__be16 *)&h[0];
			p->dport = p->sport;
		}
		p->l4_len = need;
		return -1;
	default:
		return -1;
	}
	/* The transport header is cut short. */
	return p->is_frag ? SG_R_FRAG_TINY : SG_R_MALFORMED;
}

/*
 * Walking the options of an IPv4 header: len bytes (at most 40) in b,
 * sized so that a load length the verifier of 6.1 can bound fits.
 */
struct sg_ipv4_opts {
	__u32 len;
	__u32 at;		/* offset of the next option */
	int reason;		/* -1 while no option routes by source */
	__u8 b[64];
};

/*
 * One option (RFC 791 3.1) per call, as a bpf_loop() callback: the
 * verifier checks it once instead of once per iteration. Loose or strict
 * source routing is SOURCE_ROUTE (the host would forward the packet to an
 * address nobody checked), an option that does not fit is MALFORMED.
 */
static long ipv4_option(__u32 index, void *data)
{
	struct sg_ipv4_opts *o = data;
	__u64 i = o->at, n = o->len;
	__u8 type, len;

	if (i >= n || i >= 40)
		return 1;
	type = o->b[i];
	if (type == 0)			/* end of option list */
		return 1;
	if (type == 1) {		/* no operation */
		o->at = i + 1;
		return 0;
	}
	if (type == 0x83 || type == 0x89) {	/* LSRR, SSRR */
		o->reason = SG_R_SOURCE_ROUTE;
		return 1;
	}
	if (i + 1 >= n || i + 1 >= 40)
		goto malformed;
	len = o->b[i + 1];
	if (len < 2 || i + len > n)
		goto malformed;
	o->at = i + len;
	return 0;
malformed:
	o->reason = SG_R_MALFORMED;
	return 1;
}

static __always_inline int parse_ipv4(void *ctx, int xdp, struct sg_pkt *p, __u32 off,
				      __u32 present)
{
	struct iphdr iph;
	__u32 hlen, tot;
	__u16 frag;

	if (present < sizeof(iph) || load(ctx, xdp, off, &iph, sizeof(iph)))
		return SG_R_MALFORMED;
	if (iph.version != 4 || iph.ihl < 5)
		return SG_R_MALFORMED;
	hlen = iph.ihl * 4;
	tot = bpf_ntohs(iph.tot_len);
	if (tot < hlen || tot > present)
		return SG_R_MALFORMED;
	if (hlen > sizeof(iph)) {
		struct sg_ipv4_opts o = { .len = hlen - sizeof(iph), .reason = -1 };

		/* hlen is 24..60: the masked length is the same, 1..64 to the verifier. */
		if (load(ctx, xdp, off + sizeof(iph), o.b, ((o.len - 1) & 63) + 1))
			return SG_R_MALFORMED;
		bpf_loop(40, ipv4_option, &o, 0);
		if (o.reason >= 0)
			return o.reason;
	}

	p->family = AF_INET;
	p->ip_len = tot;
	p->frag_data_off = off + hlen;
	p->proto = iph.protocol;
	p->dscp = iph.tos >> 2;
	p->hop_limit = iph.ttl;
	__builtin_memcpy(p->saddr, &iph.saddr, 4);
	__builtin_memcpy(p->daddr, &iph.daddr, 4);
	frag = bpf_ntohs(iph.frag_off);
	if (frag & 0x3fff) {	/* MF or an offset */
		p->is_frag = 1;
		p->frag_off = frag & 0x1fff;
		p->frag_first = p->frag_off == 0;
		p->frag_id = bpf_ntohs(iph.id);
		p->frag_proto = iph.protocol;
	}
	return parse_l4(ctx, xdp, p, off + hlen, tot - hlen);
}

static __always_inline int parse_ipv6(void *ctx, int xdp, struct sg_pkt *p, __u32 off,
				      __u32 present)
{
	struct ipv6hdr ip6;
	__u32 room;
	__u8 next;
	int i;

	if (present < sizeof(ip6) || load(ctx, xdp, off, &ip6, sizeof(ip6)))
		return SG_R_MALFORMED;
	if (ip6.version != 6)
		return SG_R_MALFORMED;
	room = bpf_ntohs(ip6.payload_len);
	if (room + sizeof(ip6) > present)
		return SG_R_MALFORMED;

	p->family = AF_INET6;
	p->ip_len = room + sizeof(ip6);
	p->dscp = ((ip6.priority << 4) | (ip6.flow_lbl[0] >> 4)) >> 2;
	p->hop_limit = ip6.hop_limit;
	__builtin_memcpy(p->saddr, &ip6.saddr, 16);
	__builtin_memcpy(p->daddr, &ip6.daddr, 16);
	next = ip6.nexthdr;
	off += sizeof(ip6);

	#pragma unroll
	for (i = 0; i <= SG_MAX_IPV6_EXTHDRS; i++) {
		__u8 h[8];
		__u32 hlen;

		if (next != IPPROTO_HOPOPTS && next != IPPROTO_ROUTING &&
		    next != IPPROTO_DSTOPTS && next != IPPROTO_FRAGMENT &&
		    next != IPPROTO_AH)
			break;
		if (i == SG_MAX_IPV6_EXTHDRS)
			return SG_R_EXTHDR_CHAIN;
		if (room < 8 || load(ctx, xdp, off, h, 8))
			return SG_R_MALFORMED;
		if (next == IPPROTO_FRAGMENT) {
			__u16 frag = bpf_ntohs(*(__be16 *)&h[2]);

			/* RFC 8200 4.1: at most one; a second one is an evasion. */
			if (p->frag_hdr_seen)
				return SG_R_MALFORMED;
			p->frag_hdr_seen = 1;
			p->frag_data_off = off + 8;
			hlen = 8;
			if (frag & 0xfff9) {	/* an offset or M */
				p->is_frag = 1;
				p->frag_off = frag >> 3;
				p->frag_first = p->frag_off == 0;
				p->frag_id = bpf_ntohl(*(__be32 *)&h[4]);
				p->frag_proto = h[0];
			}
		} else if (next == IPPROTO_AH) {
			hlen = (h[1] + 2) * 4;
		} else {
			hlen = (h[1] + 1) * 8;
		}
		if (hlen > room)
			return SG_R_MALFORMED;
		/*
		 * Segments left: the host would send the packet on to an
		 * address in the routing header, which nobody checked.
		 */
		if (next == IPPROTO_ROUTING && h[3])
			return SG_R_SOURCE_ROUTE;
		next = h[0];
		off += hlen;
		room -= hlen;
		/* What follows a non-first fragment header is payload. */
		if (p->is_frag && !p->frag_first)
			break;
	}
	p->proto = next;
	return parse_l4(ctx, xdp, p, off, room);
}

/*
 * Ethernet and at most one VLAN tag. Returns -1 with *family and *l3 (the
 * network header offset) set for IP, or a reason.
 */
static __always_inline int parse_eth(void *ctx, int xdp, struct sg_pkt *p, __u32 wire_len,
				     __u32 *family, __u32 *l3)
{
	__u8 h[18];
	__u16 proto;

	if (wire_len < 14 || load(ctx, xdp, 0, h, 14))
		return SG_R_MALFORMED;
	proto = bpf_ntohs(*(__be16 *)&h[12]);
	*l3 = 14;
	if (proto == ETH_P_8021Q || proto == ETH_P_8021AD) {
		if (wire_len < 18 || load(ctx, xdp, 14, h, 4))
			return SG_R_MALFORMED;
		p->vid = bpf_ntohs(*(__be16 *)&h[0]) & 0x0fff;
		/* VID 0 is a priority tag: the packet counts as untagged. */
		p->has_vid = p->vid != 0;
		proto = bpf_ntohs(*(__be16 *)&h[2]);
		*l3 = 18;
		if (proto == ETH_P_8021Q || proto == ETH_P_8021AD)
			return SG_R_VLAN_STACKED;
	}
	if (proto == ETH_P_IP) {
		*family = AF_INET;
		return -1;
	}
	if (proto == ETH_P_IPV6) {
		*family = AF_INET6;
		return -1;
	}
	if (proto == ETH_P_ARP)
		return SG_R_NON_IP;
	return SG_R_L3_UNKNOWN;
}

static __always_inline bool is_nd(const struct sg_pkt *p)
{
	return p->family == AF_INET6 && p->proto == IPPROTO_ICMPV6 && !p->is_frag &&
	       p->l4_len && p->icmp_type >= 133 && p->icmp_type <= 137 &&
	       p->hop_limit == 255;
}

/*
 * GTP-U at off, udp_room bytes of UDP payload. Returns -1 with the inner
 * packet parsed into p, or a reason.
 */
static __always_inline int parse_gtpu(void *ctx, int xdp, struct sg_pkt *p, __u32 off,
				      __u32 udp_room)
{
	__u32 end, used = 8;
	__u8 h[12], next = 0;
	int i;

	if (udp_room < 8 || load(ctx, xdp, off, h, 8))
		return SG_R_MALFORMED;
	if ((h[0] >> 5) != 1 || !(h[0] & 0x10))	/* version 1, PT 1 */
		return SG_R_MALFORMED;
	end = 8 + bpf_ntohs(*(__be16 *)&h[2]);
	if (end > udp_room)
		return SG_R_MALFORMED;
	if (h[1] != GTPU_TYPE_GPDU)
		return SG_R_GTP_CONTROL;
	p->teid = *(__be32 *)&h[4];
	p->has_teid = 1;
	if (h[0] & 0x07) {	/* E, S or PN: the optional 4-byte field */
		__u8 e_flag = h[0] & 0x04;

		if (end < 12 || load(ctx, xdp, off + 8, h, 4))
			return SG_R_MALFORMED;
		/* Its last byte is the type of the first extension header. */
		next = e_flag ? h[3] : 0;
		used = 12;
	}
	#pragma unroll
	for (i = 0; i <= SG_MAX_GTPU_EXTHDRS; i++) {
		__u32 elen;

		if (!next)
			break;
		if (i == SG_MAX_GTPU_EXTHDRS)
			return SG_R_EXTHDR_CHAIN;
		if (used + 4 > end || load(ctx, xdp, off + used, h, 1))
			return SG_R_MALFORMED;
		elen = h[0] * 4;
		if (!elen || used + elen > end || load(ctx, xdp, off + used + elen - 1, h, 1))
			return SG_R_MALFORMED;
		next = h[0];
		used += elen;
	}
	if (used >= end || load(ctx, xdp, off + used, h, 1))
		return SG_R_MALFORMED;
	if ((h[0] >> 4) == 4)
		return parse_ipv4(ctx, xdp, p, off + used, end - used);
	if ((h[0] >> 4) == 6)
		return parse_ipv6(ctx, xdp, p, off + used, end - used);
	return SG_R_MALFORMED;
}

/* ---- policy lookups ---- */

static __always_inline void *slot_map(void *outer, __u32 slot)
{
	return bpf_map_lookup_elem(outer, &slot);
}

/*
 * Look up by a copy of id on our own stack: before 6.3 a map key may not
 * point into a global function's pointer argument (struct sg_ctx).
 */
static __always_inline void *lookup_id(void *map, __u32 id)
{
	return bpf_map_lookup_elem(map, &id);
}

/* Id stored for the longest prefix holding addr in the slot's v4/v6 trie (0: none). */
static __always_inline __u32 lpm_id(struct sg_ctx *c, void *outer4, void *outer6,
				    const __u8 *addr)
{
	__u32 *id;

	if (c->p.family == AF_INET) {
		struct sg_lpm4_key k = { .prefixlen = 32 };
		void *m = slot_map(outer4, c->slot);

		if (!m)
			return 0;
		__builtin_memcpy(k.addr, addr, 4);
		id = bpf_map_lookup_elem(m, &k);
	} else {
		struct sg_lpm6_key k = { .prefixlen = 128 };
		void *m = slot_map(outer6, c->slot);

		if (!m)
			return 0;
		__builtin_memcpy(k.addr, addr, 16);
		id = bpf_map_lookup_elem(m, &k);
	}
	return id ? *id : 0;
}

/* Slice whose UE prefixes hold addr (0: none). */
static __always_inline __u32 ue_slice(struct sg_ctx *c, const __u8 *addr)
{
	return lpm_id(c, &sg_ue4, &sg_ue6, addr);
}

/* App whose endpoint prefixes hold addr (0: none). */
static __always_inline __u32 endpoint_app(struct sg_ctx *c, const __u8 *addr)
{
	return lpm_id(c, &sg_ep4, &sg_ep6, addr);
}

/* Whether addr is one of the host's own. */
static __always_inline bool host_addr(const struct sg_ctx *c, const __u8 *addr)
{
	if (c->p.family == AF_INET) {
		struct sg_lpm4_key k = { .prefixlen = 32 };

		__builtin_memcpy(k.addr, addr, 4);
		return bpf_map_lookup_elem(&sg_host4, &k);
	} else {
		struct sg_lpm6_key k = { .prefixlen = 128 };

		__builtin_memcpy(k.addr, addr, 16);
		return bpf_map_lookup_elem(&sg_host6, &k);
	}
}

/* Whether the first len bits of a and b agree. */
static __noinline bool prefix_match(const __u8 *a, const __u8 *b, __u32 len)
{
	int i;

	#pragma unroll
	for (i = 0; i < 16; i++) {
		__u32 bits;
		__u8 mask;

		if (len <= (__u32)i * 8)
			return true;
		bits = len - i * 8;
		mask = bits >= 8 ? 0xff : (__u8)(0xff << (8 - bits));
		if ((a[i] ^ b[i]) & mask)
			return false;
	}
	return true;
}

/* What sg_endpoint_match() asks of an endpoint besides holding the address. */
enum sg_ep_match {
	SG_EP_ADDR,	/* nothing */
	SG_EP_PORT,	/* the packet's proto and destination port ("Destination") */
	/*
	 * to be exactly the address, a /32 or /128: the policy names that very
	 * address, which then is the app's even where it is the host's (an app
	 * living in the host's network namespace)
	 */
	SG_EP_EXACT,
};

/*
 * Whether the packet's source (src_side) or destination address lies in one
 * of app_id's endpoint prefixes, as how (enum sg_ep_match) asks.
 */
SG_GLOBAL int sg_endpoint_match(struct sg_ctx *c, __u32 app_id, int src_side, int how)
{
	void *apps;
	struct sg_app_cfg *app;
	const __u8 *addr;
	__u32 full;
	int i;

	if (!c)
		return 0;
	apps = slot_map(&sg_apps, c->slot);
	if (!apps)
		return 0;
	app = bpf_map_lookup_elem(apps, &app_id);
	if (!app)
		return 0;
	addr = src_side ? c->p.saddr : c->p.daddr;
	full = c->p.family == AF_INET ? 32 : 128;
	#pragma unroll
	for (i = 0; i < SG_MAX_ENDPOINTS; i++) {
		const struct sg_endpoint_cfg *ep = &app->endpoints[i];

		if (i >= app->n_endpoints)
			break;
		if (ep->family != c->p.family)
			continue;
		if (how == SG_EP_PORT) {
			if (ep->proto && ep->proto != c->p.proto)
				continue;
			if (c->p.rule_port < ep->port_first || c->p.rule_port > ep->port_last)
				continue;
		}
		if (how == SG_EP_EXACT && ep->len != full)
			continue;
		if (prefix_match(ep->addr, addr, ep->len))
			return 1;
	}
	return 0;
}

/* "Decision" step 4: the rule allowing (src, dst, proto, port), 0: none. */
static __always_inline __u32 rule_lookup(struct sg_ctx *c)
{
	struct sg_rule_key k = {
		.prefixlen = SG_RULE_KEY_FIXED_BITS + 16,
		.src_kind = c->src.kind,
		.dst_kind = c->dst.kind,
		.src_id = bpf_htons(c->src.id),
		.dst_id = bpf_htons(c->dst.id),
		.proto = c->p.proto,
		.port = bpf_htons(c->p.rule_port),
	};
	void *m = slot_map(&sg_rule_lpm, c->slot);
	__u32 *id;

	if (!m)
		return 0;
	id = bpf_map_lookup_elem(m, &k);
	if (id)
		return *id;
	if (!k.proto)
		return 0;
	k.proto = 0;
	k.port = 0;
	id = bpf_map_lookup_elem(m, &k);
	return id ? *id : 0;
}

static __always_inline struct sg_rule_cfg *rule_cfg(struct sg_ctx *c, __u32 rule_id)
{
	void *m = slot_map(&sg_rules, c->slot);

	return m ? lookup_id(m, rule_id) : NULL;
}

static __always_inline bool same_match(const struct sg_rule_match *a,
				       const struct sg_rule_match *b)
{
	return a->src_kind == b->src_kind && a->src_id == b->src_id &&
	       a->dst_kind == b->dst_kind && a->dst_id == b->dst_id &&
	       a->proto == b->proto && a->port_first == b->port_first &&
	       a->port_last == b->port_last;
}

/* ---- flows ---- */

static __always_inline __u64 flow_timeout(__u8 proto)
{
	if (proto == IPPROTO_TCP)
		return SG_FLOW_TIMEOUT_TCP_NS;
	if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6)
		return SG_FLOW_TIMEOUT_ICMP_NS;
	return SG_FLOW_TIMEOUT_UDP_NS;
}

static __always_inline void flow_key(const struct sg_pkt *p, struct sg_flow_key *k, bool reverse)
{
	k->family = p->family;
	k->proto = p->proto;
	if (reverse) {
		k->sport = p->dport;
		k->dport = p->sport;
		__builtin_memcpy(k->saddr, p->daddr, 16);
		__builtin_memcpy(k->daddr, p->saddr, 16);
	} else {
		k->sport = p->sport;
		k->dport = p->dport;
		__builtin_memcpy(k->saddr, p->saddr, 16);
		__builtin_memcpy(k->daddr, p->daddr, 16);
	}
}

/* Egress hooks: the interface the packet entered the host on, NULL: none of ours. */
static __always_inline struct sg_iface *ingress_iface(struct sg_ctx *c)
{
	void *m = slot_map(&sg_ifaces, c->slot);

	if (!m || !c->in_ifindex)
		return NULL;
	return lookup_id(m, c->in_ifindex);
}

/* Egress hooks: the packet entered the host on an uplink or a VLAN device over one. */
static __always_inline bool entered_on_uplink(struct sg_ctx *c)
{
	struct sg_iface *in = ingress_iface(c);

	return in && (in->kind == SG_IFACE_UPLINK || in->kind == SG_IFACE_UPLINK_VLAN);
}

/*
 * Whether the packet's peer p (its source with is_src) is the stored peer
 * (kind, id). A slice without UE prefixes owns no addresses: by address its
 * UEs are external, so where peers are found by address (app hooks, uplink
 * egress) its stored peer takes an external packet peer, as a source at an
 * egress hook only when the packet entered on an uplink.
 */
static __always_inline bool peer_fits(struct sg_ctx *c, const struct sg_peer *p, __u8 kind,
				      __u32 id, bool is_src)
{
	struct sg_slice_cfg *s;
	void *m;

	if (p->kind == kind && p->id == id)
		return true;
	/* On an uplink the slice is classified, never guessed from an address. */
	if (p->kind != SLICEGUARD_PEER_ANY || kind != SLICEGUARD_PEER_SLICE ||
	    c->hook == SG_HOOK_UPLINK)
		return false;
	m = slot_map(&sg_slices, c->slot);
	s = m ? lookup_id(m, id) : NULL;
	if (!s || s->has_ue_prefixes)
		return false;
	return !is_src || entered_on_uplink(c);
}

/*
 * Whether stored peers are the packet's own ("Identity binding"): the same
 * source and destination, or with swapped, the other way round (a reply).
 * With any_src, only the destination counts: an ICMP error from a router
 * on the path.
 */
static __always_inline bool same_peers(struct sg_ctx *c, const struct sg_peers *s,
				       bool swapped, bool any_src)
{
	if (swapped)
		return peer_fits(c, &c->dst, s->src_kind, s->src_id, false) &&
		       (any_src || peer_fits(c, &c->src, s->dst_kind, s->dst_id, true));
	return (any_src || peer_fits(c, &c->src, s->src_kind, s->src_id, true)) &&
	       peer_fits(c, &c->dst, s->dst_kind, s->dst_id, false);
}

static __always_inline void store_peers(const struct sg_ctx *c, struct sg_peers *s)
{
	s->src_kind = c->src.kind;
	s->src_id = c->src.id;
	s->dst_kind = c->dst.kind;
	s->dst_id = c->dst.id;
}

/*
 * A live flow entry that counts for this packet: its rule still exists in
 * this generation (a rule of the same id with the same match; the id alone
 * is not enough, the policy store gives a removed rule's id to the next rule
 * added), and it was opened by the packet's own peers, swapped for a packet
 * travelling the flow's reverse way.
 */
static __always_inline struct sg_flow_val *flow_get(struct sg_ctx *c, struct sg_flow_key *k,
						    bool swapped, bool any_src)
{
	struct sg_flow_val *v;
	struct sg_rule_cfg *r;

	v = bpf_map_lookup_elem(&sg_flows, k);
	if (!v || v->expires_ns <= c->now)
		return NULL;
	r = rule_cfg(c, v->rule_id);
	if (!r || !same_match(&r->match, &v->match))
		return NULL;
	if (!same_peers(c, &v->peers, swapped, any_src))
		return NULL;
	return v;
}

static __always_inline struct sg_flow_val *flow_find(struct sg_ctx *c, bool reverse)
{
	struct sg_flow_key k = {};

	flow_key(&c->p, &k, reverse);
	return flow_get(c, &k, reverse, false);
}

/*
 * An ICMP error whose quoted packet belongs to a stored flow, in either
 * direction ("Decision" step 1). The key is copied to the stack: before 6.3
 * a map key may not point into a global function's pointer argument.
 */
static __always_inline struct sg_flow_val *flow_related(struct sg_ctx *c, bool *swapped)
{
	struct sg_flow_key k = c->quote;
	struct sg_flow_val *v;
	bool by_host;

	if (!k.family)
		return NULL;
	/*
	 * The host routes every flow that reaches an app: an error it sent
	 * itself (from one of its addresses, checked to be sent locally by
	 * entered_where_it_lives()) is a router's on the path, such as
	 * "fragmentation needed" toward the UE's uplink.
	 */
	by_host = is_egress_hook(c) && c->src.kind == SLICEGUARD_PEER_HOST;
	/*
	 * A UE or an app reports only about what was sent to itself: another
	 * UE of the same slice must not kill or shrink its neighbour's flows.
	 */
	if ((c->src.kind == SLICEGUARD_PEER_SLICE || c->src.kind == SLICEGUARD_PEER_APP) &&
	    __builtin_memcmp(c->p.saddr, c->quote.daddr, 16))
		return NULL;
	/*
	 * The quote is a packet its receiver sent: the error comes from the
	 * far end, against the flow's direction when the quote went with it.
	 */
	*swapped = true;
	v = flow_get(c, &k, true, by_host);
	if (v)
		return v;
	*swapped = false;
	k.sport = c->quote.dport;
	k.dport = c->quote.sport;
	__builtin_memcpy(k.saddr, c->quote.daddr, 16);
	__builtin_memcpy(k.daddr, c->quote.saddr, 16);
	return flow_get(c, &k, false, by_host);
}

static __always_inline bool reply_allowed(const struct sg_pkt *p)
{
	if (p->proto == IPPROTO_TCP)
		return !((p->tcp_flags & TCP_FLAG_SYN) && !(p->tcp_flags & TCP_FLAG_ACK));
	if (p->proto == IPPROTO_ICMP)
		return p->icmp_type == ICMP_ECHOREPLY;
	if (p->proto == IPPROTO_ICMPV6)
		return p->icmp_type == ICMPV6_ECHO_REPLY;
	return true;
}

/* ---- rate policing (GCRA: theoretical arrival time per bucket) ---- */

static __always_inline bool gcra(__u64 *tat_p, __u64 now, __u64 cost, __u64 rate, __u64 tau)
{
	__u64 inc, tat, start, next;
	int i;

	if (!rate)
		return true;
	inc = cost * NSEC_PER_SEC / rate;
	#pragma unroll
	for (i = 0; i < 4; i++) {
		tat = *(volatile __u64 *)tat_p;
		start = tat > now ? tat : now;
		next = start + inc;
		if (next - now > tau)
			return false;
		if (__sync_val_compare_and_swap(tat_p, tat, next) == tat)
			return true;
	}
	/* Four lost races in a row: the bucket is being hammered. */
	return false;
}

static __always_inline struct sg_bucket *bucket_get(struct sg_bucket_key *k)
{
	struct sg_bucket *b = bpf_map_lookup_elem(&sg_buckets, k);

	if (!b) {
		struct sg_bucket zero = {};

		bpf_map_update_elem(&sg_buckets, k, &zero, BPF_NOEXIST);
		b = bpf_map_lookup_elem(&sg_buckets, k);
	}
	return b;
}

/*
 * Police one object: bytes then packets. A bucket that cannot be created
 * (LRU map contention) fails closed: the packet is over the rate.
 */
static __always_inline bool police(struct sg_ctx *c, __u8 kind, __u32 id, const __u8 *addr,
				   __u64 rate_bytes, __u64 tau_bytes,
				   __u64 rate_packets, __u64 tau_packets)
{
	struct sg_bucket_key k = { .kind = kind, .id = id };
	struct sg_bucket *b;

	if (!rate_bytes && !rate_packets)
		return true;
	if (addr) {
		k.family = c->p.family;
		__builtin_memcpy(k.addr, addr, 16);
	}
	b = bucket_get(&k);
	if (!b)
		return false;
	if (!gcra(&b->tat_bytes, c->now, c->len, rate_bytes, tau_bytes))
		return false;
	return gcra(&b->tat_packets, c->now, 1, rate_packets, tau_packets);
}

/* "Decision" step 5, for sg_uplink and app ingress only. */
SG_GLOBAL int sg_police_all(struct sg_ctx *c)
{
	void *slices, *apps, *rules;
	struct sg_slice_cfg *s = NULL;
	struct sg_app_cfg *a;
	struct sg_rule_cfg *r;
	const __u8 *ue;
	bool ue_sends;

	if (!c)
		return SG_R_MALFORMED;
	slices = slot_map(&sg_slices, c->slot);
	apps = slot_map(&sg_apps, c->slot);
	rules = slot_map(&sg_rules, c->slot);
	if (!slices || !apps || !rules)
		return SG_R_NO_POLICY;
	if (c->slice_id)
		s = lookup_id(slices, c->slice_id);
	/*
	 * What only the sender owns comes first and what others share last
	 * (a bucket is charged even when a later one drops the packet): a
	 * sender over its own rate must not use up a slice's or an app's.
	 */
	ue_sends = c->src.kind == SLICEGUARD_PEER_SLICE;
	/* The UE side: the source if it is a UE, else the destination. */
	ue = ue_sends ? c->p.saddr : c->p.daddr;
	if (s && ue_sends &&
	    !police(c, SG_BUCKET_UE, c->slice_id, ue, s->ue_rate_bytes, NSEC_PER_SEC, 0, 0))
		return SG_R_RATE_UE;
	if (c->rule_id) {
		r = lookup_id(rules, c->rule_id);
		if (r && !police(c, SG_BUCKET_RULE, c->rule_id, NULL, r->rate_bytes,
				 r->tau_bytes_ns, r->rate_packets, NSEC_PER_SEC))
			return SG_R_RATE_RULE;
	}
	if (c->src_app) {
		a = lookup_id(apps, c->src_app);
		if (a && !police(c, SG_BUCKET_APP, c->src_app, NULL, a->rate_bytes,
				 a->tau_bytes_ns, a->rate_packets, NSEC_PER_SEC))
			return SG_R_RATE_APP;
	}
	if (s && !ue_sends &&
	    !police(c, SG_BUCKET_UE, c->slice_id, ue, s->ue_rate_bytes, NSEC_PER_SEC, 0, 0))
		return SG_R_RATE_UE;
	if (s && !police(c, SG_BUCKET_SLICE, c->slice_id, NULL, s->rate_bytes,
			 s->tau_bytes_ns, s->rate_packets, NSEC_PER_SEC))
		return SG_R_RATE_SLICE;
	if (c->dst_app && c->dst_app != c->src_app) {
		a = lookup_id(apps, c->dst_app);
		if (a && !police(c, SG_BUCKET_APP, c->dst_app, NULL, a->rate_bytes,
				 a->tau_bytes_ns, a->rate_packets, NSEC_PER_SEC))
			return SG_R_RATE_APP;
	}
	return -1;
}

/* ---- the decision ---- */

/*
 * Where a packet is coming from (src_side) or going to, by address ("Source
 * and destination"). The host's own addresses come before app endpoint and
 * UE prefixes holding them (the gateway address of an app's subnet is the
 * host's), except an app endpoint that is exactly that address.
 */
static __always_inline void peer_of(struct sg_ctx *c, int src_side, struct sg_peer *peer)
{
	const __u8 *addr = src_side ? c->p.saddr : c->p.daddr;
	__u32 id = endpoint_app(c, addr);

	if (host_addr(c, addr) && !(id && sg_endpoint_match(c, id, src_side, SG_EP_EXACT))) {
		peer->kind = SLICEGUARD_PEER_HOST;
		peer->id = 0;
		return;
	}
	if (id) {
		peer->kind = SLICEGUARD_PEER_APP;
		peer->id = id;
		return;
	}
	id = ue_slice(c, addr);
	if (id) {
		peer->kind = SLICEGUARD_PEER_SLICE;
		peer->id = id;
		return;
	}
	peer->kind = SLICEGUARD_PEER_ANY;
	peer->id = 0;
}

static __always_inline void note_peers(struct sg_ctx *c)
{
	if (c->src.kind == SLICEGUARD_PEER_SLICE)
		c->src_slice = c->src.id;
	else if (c->src.kind == SLICEGUARD_PEER_APP)
		c->src_app = c->src.id;
	if (c->dst.kind == SLICEGUARD_PEER_SLICE)
		c->dst_slice = c->dst.id;
	else if (c->dst.kind == SLICEGUARD_PEER_APP)
		c->dst_app = c->dst.id;
	c->slice_id = c->src_slice ? c->src_slice : c->dst_slice;
}

/*
 * A flow that counted through a slice without UE prefixes (peer_fits())
 * tells which slice the external-looking end is: its UE side from now on,
 * for rates, counters and the mark.
 */
static __always_inline void adopt_peers(struct sg_ctx *c, const struct sg_peers *s,
					bool swapped)
{
	struct sg_peer *src = swapped ? &c->dst : &c->src;
	struct sg_peer *dst = swapped ? &c->src : &c->dst;

	if (src->kind == SLICEGUARD_PEER_ANY && s->src_kind == SLICEGUARD_PEER_SLICE) {
		src->kind = s->src_kind;
		src->id = s->src_id;
	}
	if (dst->kind == SLICEGUARD_PEER_ANY && s->dst_kind == SLICEGUARD_PEER_SLICE) {
		dst->kind = s->dst_kind;
		dst->id = s->dst_id;
	}
	note_peers(c);
	/* The host's error about a UE's flow names no slice itself: the flow's counts. */
	if (!c->slice_id)
		c->slice_id = s->src_kind == SLICEGUARD_PEER_SLICE ? s->src_id :
			      s->dst_kind == SLICEGUARD_PEER_SLICE ? s->dst_id : 0;
}

/* "Decision": flow state, endpoint, intra-slice, rules, rates, new flow. */
SG_GLOBAL int sg_decide_flow(struct sg_ctx *c)
{
	struct sg_flow_val *f, *old;
	struct sg_flow_key k = {};
	struct sg_flow_val nf = {};
	struct sg_rule_cfg *r;
	bool police_here, swapped;
	int reason = -1;

	if (!c)
		return SG_R_MALFORMED;
	police_here = !is_egress_hook(c);

	/* Policed like its flow, but does not refresh it. */
	f = flow_related(c, &swapped);
	if (f) {
		adopt_peers(c, &f->peers, swapped);
		c->rule_id = f->rule_id;
		if (police_here)
			reason = sg_police_all(c);
		return reason >= 0 ? reason : SG_R_RELATED;
	}
	if (reply_allowed(&c->p)) {
		f = flow_find(c, true);
		if (f) {
			adopt_peers(c, &f->peers, true);
			c->rule_id = f->rule_id;
			if (police_here)
				reason = sg_police_all(c);
			if (reason >= 0)
				return reason;
			f->expires_ns = c->now + flow_timeout(c->p.proto);
			return SG_R_REPLY;
		}
	}
	f = flow_find(c, false);
	if (f) {
		adopt_peers(c, &f->peers, false);
		c->rule_id = f->rule_id;
		if (police_here)
			reason = sg_police_all(c);
		if (reason >= 0)
			return reason;
		f->expires_ns = c->now + flow_timeout(c->p.proto);
		return SG_R_FLOW;
	}
	if (c->no_slice)
		return SG_R_NO_SLICE;

	if (c->dst.kind == SLICEGUARD_PEER_APP && !sg_endpoint_match(c, c->dst.id, 0, SG_EP_PORT))
		return SG_R_NO_ENDPOINT;

	if (c->src.kind == SLICEGUARD_PEER_SLICE && c->dst.kind == SLICEGUARD_PEER_SLICE &&
	    c->src.id == c->dst.id) {
		void *slices = slot_map(&sg_slices, c->slot);
		struct sg_slice_cfg *s = slices ? lookup_id(slices, c->src.id) : NULL;

		if (!s || !s->ue_to_ue)
			return SG_R_NO_RULE;
		if (police_here)
			reason = sg_police_all(c);
		return reason >= 0 ? reason : SG_R_INTRA_SLICE;
	}

	/* Rules name slices, apps and the host as sources, never "any". */
	if (c->src.kind == SLICEGUARD_PEER_ANY)
		return SG_R_NO_RULE;
	c->rule_id = rule_lookup(c);
	r = rule_cfg(c, c->rule_id);
	if (!r)
		return SG_R_NO_RULE;
	if (police_here)
		reason = sg_police_all(c);
	if (reason >= 0)
		return reason;

	flow_key(&c->p, &k, false);
	/*
	 * A live entry that did not count for this packet is another
	 * identity's: it keeps its 5-tuple (first come, first served, as in
	 * conntrack), or that identity's flow could be taken over.
	 */
	old = bpf_map_lookup_elem(&sg_flows, &k);
	if (old && old->expires_ns > c->now) {
		struct sg_rule_cfg *held = rule_cfg(c, old->rule_id);

		if (held && same_match(&held->match, &old->match))
			return SG_R_FLOW_FULL;
	}
	nf.expires_ns = c->now + flow_timeout(c->p.proto);
	nf.rule_id = c->rule_id;
	nf.match = r->match;
	store_peers(c, &nf.peers);
	if (bpf_map_update_elem(&sg_flows, &k, &nf, BPF_ANY))
		return SG_R_FLOW_FULL;
	return SG_R_RULE;
}

static __always_inline int unsliced(const struct sg_ctx *c)
{
	return c->iface_unsliced == SLICEGUARD_UNSLICED_PASS ? SG_R_UNSLICED_PASS :
							       SG_R_NO_SLICE;
}

static __always_inline bool is_link_local6(const __u8 *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

static __always_inline bool is_unspecified6(const __u8 *a)
{
	static const __u8 zero[16];

	return !__builtin_memcmp(a, zero, 16);
}

/*
 * "Neighbour discovery": an ND message may pass as such only toward its
 * link (link-local, link-scope multicast) or the host side of it: on uplinks
 * and app ingress one of the host's own addresses, at app egress the
 * receiving app itself. Anywhere else it would be routed on with its payload.
 */
static __always_inline bool nd_passes(struct sg_ctx *c)
{
	const __u8 *dst = c->p.daddr;

	if (!is_nd(&c->p))
		return false;
	/* Link-scope multicast (ff02::/16): nothing routes it on. */
	if (is_link_local6(dst) || (dst[0] == 0xff && dst[1] == 0x02))
		return true;
	if (dst[0] == 0xff)
		return false;
	if (c->hook == SG_HOOK_APP_EGRESS)
		return sg_endpoint_match(c, c->iface_app, 0, SG_EP_ADDR);
	/*
	 * Forwarding lowers the hop limit: ND leaving an uplink is the host's
	 * own, toward its neighbours on the link.
	 */
	if (c->hook == SG_HOOK_UPLINK_EGRESS)
		return !c->in_ifindex;
	return c->dst.kind == SLICEGUARD_PEER_HOST;
}

/* A passing ND message from an address of the link itself, not of a UE or app. */
static __always_inline bool nd_from_link(struct sg_ctx *c)
{
	return is_link_local6(c->p.saddr) || is_unspecified6(c->p.saddr);
}

/*
 * "Slice classification (sg_uplink)". Returns -1 with c->src and c->dst
 * set, or the reason the packet ends with.
 */
static __always_inline int classify_uplink(struct sg_ctx *c)
{
	struct sg_pkt *p = &c->p;
	bool gtpu = c->iface_mode == SLICEGUARD_UPLINK_MODE_GTPU;
	__u32 by_teid = 0, by_vid = 0, by_src, by_dscp, slice, dscp = p->dscp, *id;
	struct sg_slice_cfg *s;
	bool nd;
	void *m;

	/*
	 * Apps live behind their own interfaces, never behind an uplink, and
	 * the host's own addresses never arrive from outside.
	 */
	if (endpoint_app(c, p->saddr) || host_addr(c, p->saddr))
		return SG_R_SPOOF;
	if (p->has_teid) {
		struct sg_teid_key k = { .prefixlen = 32, .teid = p->teid };

		m = slot_map(&sg_teids, c->slot);
		if (!m)
			return SG_R_NO_POLICY;
		id = bpf_map_lookup_elem(m, &k);
		by_teid = id ? *id : 0;
	}
	/* On a gtpu uplink the tag is the transport network's, not a slice's. */
	if (p->has_vid && !gtpu) {
		__u32 vid = p->vid;

		m = slot_map(&sg_vlans, c->slot);
		if (!m)
			return SG_R_NO_POLICY;
		id = bpf_map_lookup_elem(m, &vid);
		by_vid = id ? *id : 0;
	}
	by_src = ue_slice(c, p->saddr);
	m = slot_map(&sg_dscps, c->slot);
	if (!m)
		return SG_R_NO_POLICY;
	id = bpf_map_lookup_elem(m, &dscp);
	by_dscp = id ? *id : 0;
	peer_of(c, 0, &c->dst);
	nd = nd_passes(c);

	/* The sender picks its DSCP: it can contradict a slice, never select one. */
	slice = by_teid ? by_teid : by_vid ? by_vid : by_src;
	if (!slice) {
		if (nd)
			return SG_R_ND;
		/*
		 * Toward a UE or an app it is traffic from outside: only what
		 * stored flows allow (replies, related errors) may pass, even
		 * on an unsliced pass uplink.
		 */
		if (c->dst.kind == SLICEGUARD_PEER_SLICE || c->dst.kind == SLICEGUARD_PEER_APP) {
			c->src.kind = SLICEGUARD_PEER_ANY;
			c->src.id = 0;
			c->no_slice = 1;
			return -1;
		}
		return unsliced(c);
	}
	if ((by_teid && by_teid != slice) || (by_vid && by_vid != slice) ||
	    (by_src && by_src != slice) || (by_dscp && by_dscp != slice))
		return SG_R_SPOOF;
	m = slot_map(&sg_slices, c->slot);
	if (!m)
		return SG_R_NO_POLICY;
	s = bpf_map_lookup_elem(m, &slice);
	if (!s)
		return SG_R_SPOOF;
	if (s->has_ue_prefixes && !by_src && !(nd && nd_from_link(c)))
		return SG_R_SPOOF;
	/* "Strict binding": a slice's UEs speak only under its own tags. */
	if (gtpu ? s->has_teids && by_teid != slice : s->has_vlans && by_vid != slice)
		return SG_R_SPOOF;
	c->src.kind = SLICEGUARD_PEER_SLICE;
	c->src.id = slice;
	return nd ? SG_R_ND : -1;
}

/*
 * App egress: a slice's source entered the host on an uplink, an app's on
 * that app's interface, the host's was sent by the host ("Source and
 * destination"); where it entered is skb->ingress_ifindex, 0 for what the
 * host sends itself.
 */
static __always_inline bool entered_where_it_lives(struct sg_ctx *c)
{
	struct sg_iface *in;

	if (c->src.kind == SLICEGUARD_PEER_ANY)
		return true;
	if (c->src.kind == SLICEGUARD_PEER_HOST)
		return !c->in_ifindex;
	if (c->src.kind == SLICEGUARD_PEER_SLICE)
		return entered_on_uplink(c);
	in = ingress_iface(c);
	if (in && in->kind == SG_IFACE_APP && in->app_id == c->src.id)
		return true;
	/* An app at one of the host's addresses (see peer_of()) lives in the host. */
	return !c->in_ifindex && host_addr(c, c->p.saddr);
}

static __always_inline int classify_app(struct sg_ctx *c)
{
	bool nd;

	if (c->hook == SG_HOOK_APP_INGRESS) {
		c->src.kind = SLICEGUARD_PEER_APP;
		c->src.id = c->iface_app;
		peer_of(c, 0, &c->dst);
		nd = nd_passes(c);
		if (!sg_endpoint_match(c, c->iface_app, 1, SG_EP_ADDR) && !(nd && nd_from_link(c)))
			return SG_R_SPOOF;
		/*
		 * Even where an app's endpoint prefix holds the host's gateway
		 * address; only an endpoint that is exactly it makes it the app's.
		 */
		if (host_addr(c, c->p.saddr) && !sg_endpoint_match(c, c->iface_app, 1, SG_EP_EXACT))
			return SG_R_SPOOF;
	} else {
		c->dst.kind = SLICEGUARD_PEER_APP;
		c->dst.id = c->iface_app;
		peer_of(c, 1, &c->src);
		if (!entered_where_it_lives(c))
			return SG_R_SPOOF;
		nd = nd_passes(c);
	}
	return nd ? SG_R_ND : -1;
}

static __always_inline bool names_ue_or_app(const struct sg_peer *p)
{
	return p->kind == SLICEGUARD_PEER_SLICE || p->kind == SLICEGUARD_PEER_APP;
}

/*
 * "Uplink egress": what leaves an ip uplink, toward UEs or beyond. Both
 * ends are found by address; the source must have entered the host where it
 * lives, as at app egress.
 */
static __always_inline int classify_uplink_egress(struct sg_ctx *c)
{
	/* Tunnelled traffic is a UPF's: not attached there, of no slice if it is. */
	if (c->iface_mode == SLICEGUARD_UPLINK_MODE_GTPU)
		return unsliced(c);
	peer_of(c, 1, &c->src);
	peer_of(c, 0, &c->dst);
	if (!entered_where_it_lives(c))
		return SG_R_SPOOF;
	if (nd_passes(c))
		return SG_R_ND;
	/*
	 * Between the host or the outside and the outside: traffic of no
	 * slice, which the uplink's setting decides as it does inbound.
	 */
	if (!names_ue_or_app(&c->src) && !names_ue_or_app(&c->dst))
		return unsliced(c);
	return -1;
}

SG_GLOBAL int sg_classify(struct sg_ctx *c)
{
	if (!c)
		return SG_R_MALFORMED;
	if (c->hook == SG_HOOK_UPLINK)
		return classify_uplink(c);
	if (c->hook == SG_HOOK_UPLINK_EGRESS)
		return classify_uplink_egress(c);
	return classify_app(c);
}

static __always_inline void frag_key(const struct sg_ctx *c, struct sg_frag_key *k)
{
	k->family = c->p.family;
	k->proto = c->p.frag_proto;
	k->hook = c->hook;
	k->id = c->p.frag_id;
	k->ifindex = c->ifindex;
	__builtin_memcpy(k->saddr, c->p.saddr, 16);
	__builtin_memcpy(k->daddr, c->p.daddr, 16);
}

static __always_inline __u16 tag_vid(const struct sg_pkt *p)
{
	return p->has_vid ? p->vid : 0;
}

/*
 * Non-first fragment ("Fragments"): the verdict its first fragment got on
 * this interface and hook, if that was for the same identity and still
 * holds in this generation; policed like any passing packet.
 */
SG_GLOBAL int sg_frag_follow(struct sg_ctx *c)
{
	struct sg_frag_key k = {};
	struct sg_frag_val *v;
	struct sg_rule_cfg *r;
	int reason = -1;

	if (!c)
		return SG_R_MALFORMED;
	frag_key(c, &k);
	v = bpf_map_lookup_elem(&sg_frags, &k);
	if (!v || v->expires_ns <= c->now || !same_peers(c, &v->peers, false, false) ||
	    v->vid != tag_vid(&c->p) || v->has_teid != c->p.has_teid || v->teid != c->p.teid)
		return SG_R_FRAG_NO_FIRST;
	if (v->rule_id) {
		r = rule_cfg(c, v->rule_id);
		if (!r || !same_match(&r->match, &v->match))
			return SG_R_FRAG_NO_FIRST;
	} else {
		void *m = slot_map(&sg_slices, c->slot);
		struct sg_slice_cfg *s = m ? lookup_id(m, v->slice_id) : NULL;

		/* The only verdict without a rule that a fragment can carry. */
		if (v->reason != SG_R_INTRA_SLICE || !s || !s->ue_to_ue)
			return SG_R_FRAG_NO_FIRST;
	}
	if ((__u32)c->p.frag_off * 8 < v->l4_end)
		return SG_R_FRAG_OVERLAP;
	adopt_peers(c, &v->peers, false);
	c->rule_id = v->rule_id;
	if (!is_egress_hook(c))
		reason = sg_police_all(c);
	if (reason >= 0)
		return reason;
	c->mark = v->mark;
	return v->reason;
}

SG_GLOBAL int sg_frag_store(struct sg_ctx *c, int reason)
{
	struct sg_frag_key k = {};
	struct sg_frag_val v = {};
	struct sg_rule_cfg *r;

	if (!c)
		return 0;
	v.expires_ns = c->now + SG_FRAG_TIMEOUT_NS;
	v.slice_id = c->slice_id;
	v.mark = c->mark;
	v.app_id = c->src_app ? c->src_app : c->dst_app;
	v.rule_id = c->rule_id;
	v.teid = c->p.teid;
	v.vid = tag_vid(&c->p);
	v.has_teid = c->p.has_teid;
	v.l4_end = c->p.l4_off + c->p.l4_len - c->p.frag_data_off;
	v.reason = reason;
	r = c->rule_id ? rule_cfg(c, c->rule_id) : NULL;
	if (r)
		v.match = r->match;
	store_peers(c, &v.peers);
	frag_key(c, &k);
	bpf_map_update_elem(&sg_frags, &k, &v, BPF_ANY);
	return 0;
}

static __always_inline __u32 slice_mark(struct sg_ctx *c)
{
	void *m = slot_map(&sg_slices, c->slot);
	struct sg_slice_cfg *s;

	if (!c->slice_id || !m)
		return 0;
	s = lookup_id(m, c->slice_id);
	return s ? s->mark : 0;
}

/* Everything after parsing, in the active slot. */
SG_GLOBAL int sg_decide(struct sg_ctx *c)
{
	int reason;

	if (!c)
		return SG_R_MALFORMED;
	/* Every packet, fragments too, first proves who sends it. */
	reason = sg_classify(c);
	note_peers(c);
	if (reason >= 0)
		return reason;
	if (c->p.is_frag && !c->p.frag_first)
		return sg_frag_follow(c);

	reason = sg_decide_flow(c);
	if (reason < 0 || reason >= SG_R_MAX)
		reason = SG_R_MALFORMED;

	if (SG_PASS_REASONS & (1U << reason)) {
		c->mark = slice_mark(c);
		/* Only a pass is remembered: a dropped head must not sink the tail. */
		if (c->p.is_frag)
			sg_frag_store(c, reason);
	}
	return reason;
}

static __always_inline bool is_icmp_error(const struct sg_pkt *p)
{
	if (p->is_frag || !p->l4_len)
		return false;
	if (p->family == AF_INET && p->proto == IPPROTO_ICMP)
		return p->icmp_type == ICMP_DEST_UNREACH || p->icmp_type == ICMP_TIME_EXCEEDED ||
		       p->icmp_type == ICMP_PARAMETERPROB;
	if (p->family == AF_INET6 && p->proto == IPPROTO_ICMPV6)
		return p->icmp_type >= ICMPV6_DEST_UNREACH && p->icmp_type <= ICMPV6_PARAMPROB;
	return false;
}

/*
 * The packet an ICMP error quotes after its 8-byte header ("Decision" step
 * 1): an IP header of the error's family with no extension headers, then 8
 * transport bytes, all within the error's IP payload. Its source must be the
 * error's destination: the error is about a packet that destination sent.
 * Anything else leaves c->quote empty, and the error is decided like any
 * other packet.
 */
static __always_inline void parse_quote(void *ctx, int xdp, struct sg_ctx *c)
{
	struct sg_pkt *p = &c->p;
	struct sg_flow_key *q = &c->quote;
	__u32 off = p->l4_off + 8, room, hlen;
	__u8 h[40], proto;

	if (!is_icmp_error(p) || p->l4_room < 8)
		return;
	/* Routers quote no more than this (RFC 1812 4.3.2.3, RFC 4443 2.4). */
	if (p->ip_len > (p->family == AF_INET ? SG_ICMP_ERROR_MAX4 : SG_ICMP_ERROR_MAX6))
		return;
	room = p->l4_room - 8;
	if (p->family == AF_INET) {
		if (room < 20 || load(ctx, xdp, off, h, 20))
			return;
		hlen = (h[0] & 0x0f) * 4;
		/* A non-first fragment quotes no transport header. */
		if ((h[0] >> 4) != 4 || hlen < 20 || (bpf_ntohs(*(__be16 *)&h[6]) & 0x1fff))
			return;
		proto = h[9];
		__builtin_memcpy(q->saddr, &h[12], 4);
		__builtin_memcpy(q->daddr, &h[16], 4);
	} else {
		if (room < 40 || load(ctx, xdp, off, h, 40))
			return;
		hlen = 40;
		if ((h[0] >> 4) != 6)
			return;
		proto = h[6];
		__builtin_memcpy(q->saddr, &h[8], 16);
		__builtin_memcpy(q->daddr, &h[24], 16);
	}
	if (room < hlen + 8 || load(ctx, xdp, off + hlen, h, 8))
		goto none;
	if (proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP) {
		q->sport = *(__be16 *)&h[0];
		q->dport = *(__be16 *)&h[2];
	} else if ((proto == IPPROTO_ICMP && p->family == AF_INET &&
		    (h[0] == ICMP_ECHO || h[0] == ICMP_ECHOREPLY)) ||
		   (proto == IPPROTO_ICMPV6 && p->family == AF_INET6 &&
		    (h[0] == ICMPV6_ECHO_REQUEST || h[0] == ICMPV6_ECHO_REPLY))) {
		q->sport = *(__be16 *)&h[4];
		q->dport = q->sport;
	} else {
		goto none;
	}
	if (__builtin_memcmp(q->saddr, p->daddr, 16))
		goto none;
	q->family = p->family;
	q->proto = proto;
	return;
none:
	__builtin_memset(q, 0, sizeof(*q));
}

/* The interface and "Parsing (both programs)"; -1 when sg_decide() is next. */
static __always_inline int parse(void *ctx, int xdp, struct sg_ctx *c)
{
	struct sg_iface *iface;
	__u32 family = 0, l3 = 0, wire_len = c->len;
	void *m;
	int reason;

	m = slot_map(&sg_ifaces, c->slot);
	if (!m)
		return SG_R_NO_POLICY;
	iface = lookup_id(m, c->ifindex);
	if (!iface)
		return SG_R_NO_POLICY;
	/* One egress program: on an uplink it guards the way out toward UEs. */
	if (c->hook == SG_HOOK_APP_EGRESS && iface->kind == SG_IFACE_UPLINK)
		c->hook = SG_HOOK_UPLINK_EGRESS;
	if (iface->kind != (is_uplink_hook(c) ? SG_IFACE_UPLINK : SG_IFACE_APP))
		return SG_R_NO_POLICY;
	c->iface_app = iface->app_id;
	c->iface_mode = iface->mode;
	c->iface_unsliced = iface->unsliced;

	reason = parse_eth(ctx, xdp, &c->p, wire_len, &family, &l3);
	if (reason >= 0)
		return reason;
	if (family == AF_INET)
		reason = parse_ipv4(ctx, xdp, &c->p, l3, wire_len - l3);
	else
		reason = parse_ipv6(ctx, xdp, &c->p, l3, wire_len - l3);
	if (reason >= 0)
		return reason;

	if (c->hook == SG_HOOK_UPLINK && c->iface_mode == SLICEGUARD_UPLINK_MODE_GTPU) {
		struct sg_pkt *p = &c->p;
		__u32 off = p->l4_off, room = p->l4_room;
		__u16 vid = p->vid;
		__u8 has_vid = p->has_vid;

		if (p->is_frag)
			return SG_R_FRAG_OUTER;
		/*
		 * UEs, apps and the host never send the outer packet from
		 * outside: one claiming their address is a spoof, whatever it
		 * carries.
		 */
		if (ue_slice(c, p->saddr) || endpoint_app(c, p->saddr) || host_addr(c, p->saddr))
			return SG_R_SPOOF;
		/* Tunnel packets end at the UPF; one addressed past it would be routed on. */
		if (!host_addr(c, p->daddr) && (ue_slice(c, p->daddr) || endpoint_app(c, p->daddr)))
			return SG_R_NO_SLICE;
		if (p->proto != IPPROTO_UDP || p->dport != bpf_htons(SG_GTPU_PORT))
			return unsliced(c);
		/* From here on "the packet" is the inner one; the tag stays. */
		__builtin_memset(p, 0, sizeof(*p));
		p->vid = vid;
		p->has_vid = has_vid;
		reason = parse_gtpu(ctx, xdp, p, off + 8, room - 8);
		/* Tunnel management is of no slice: the uplink's setting decides. */
		if (reason == SG_R_GTP_CONTROL && unsliced(c) != SG_R_UNSLICED_PASS)
			return SG_R_NO_SLICE;
		if (reason >= 0)
			return reason;
	}
	parse_quote(ctx, xdp, c);
	return -1;
}

SG_GLOBAL int sg_parse_xdp(struct xdp_md *ctx, struct sg_ctx *c)
{
	if (!c)
		return SG_R_MALFORMED;
	return parse(ctx, 1, c);
}

SG_GLOBAL int sg_parse_skb(struct __sk_buff *skb, struct sg_ctx *c)
{
	if (!c)
		return SG_R_MALFORMED;
	return parse(skb, 0, c);
}

/* ---- accounting ---- */

static __always_inline void count_obj(void *map, __u32 id, bool pass, __u64 bytes)
{
	struct sg_obj_count *o;

	if (!id)
		return;
	o = lookup_id(map, id);
	if (!o) {
		struct sg_obj_count zero = {};
		__u32 key = id;

		bpf_map_update_elem(map, &key, &zero, BPF_NOEXIST);
		o = lookup_id(map, id);
		if (!o)
			return;
	}
	if (pass) {
		o->pass_packets++;
		o->pass_bytes += bytes;
	} else {
		o->drop_packets++;
		o->drop_bytes += bytes;
	}
}

static __always_inline void event_stat(__u32 which)
{
	__u64 *n = bpf_map_lookup_elem(&sg_event_stats, &which);

	if (n)
		(*n)++;
}

static __always_inline void emit_event(struct sg_ctx *c, int reason)
{
	struct sg_bucket_key k = { .kind = SG_BUCKET_EVENTS, .id = c->src_slice };
	struct sg_deny_event *e;
	struct sg_bucket *b;

	/*
	 * The sender's own budget: a noisy app must not hide another's
	 * events. A sender not established (a spoof, a drop before the
	 * source is known) spends the budget of the interface it came in on:
	 * neither the identity it claims nor one budget of every uplink.
	 */
	if (reason == SG_R_SPOOF || (!c->src_app && !c->src_slice)) {
		k.kind = SG_BUCKET_EVENTS_IFACE;
		k.id = is_egress_hook(c) ? c->in_ifindex : c->ifindex;
	} else if (c->src_app) {
		k.kind = SG_BUCKET_EVENTS_APP;
		k.id = c->src_app;
	}
	b = bucket_get(&k);
	if (b && !gcra(&b->tat_packets, c->now, 1, sg_event_rate, NSEC_PER_SEC)) {
		event_stat(SG_EVENTS_LOST_RATE);
		return;
	}
	e = bpf_ringbuf_reserve(&sg_events, sizeof(*e), 0);
	if (!e) {
		event_stat(SG_EVENTS_LOST_RING);
		return;
	}
	e->generation = c->generation;
	e->timestamp_ns = c->now;
	e->ifindex = c->ifindex;
	e->src_slice = c->src_slice;
	e->dst_slice = c->dst_slice;
	e->src_app = c->src_app;
	e->dst_app = c->dst_app;
	e->rule_id = c->rule_id;
	e->reason = reason;
	e->hook = c->hook;
	e->family = c->p.family;
	e->proto = c->p.proto;
	e->sport = c->p.sport;
	e->dport = c->p.dport;
	__builtin_memcpy(e->saddr, c->p.saddr, 16);
	__builtin_memcpy(e->daddr, c->p.daddr, 16);
	bpf_ringbuf_submit(e, 0);
	event_stat(SG_EVENTS_SENT);
}

SG_GLOBAL int sg_account(struct sg_ctx *c, int reason)
{
	struct sg_count *cnt;
	__u32 r = reason;
	bool pass;

	if (!c || reason < 0 || reason >= SG_R_MAX)
		return 0;
	pass = SG_PASS_REASONS & (1U << reason);
	cnt = bpf_map_lookup_elem(&sg_reason_stats, &r);

	if (cnt) {
		cnt->packets++;
		cnt->bytes += c->len;
	}
	count_obj(&sg_slice_stats, c->slice_id, pass, c->len);
	count_obj(&sg_app_stats, c->src_app ? c->src_app : c->dst_app, pass, c->len);
	count_obj(&sg_rule_stats, c->rule_id, pass, c->len);
	if (!pass)
		emit_event(c, reason);
	return 0;
}

/*
 * Enter the active slot: count ourselves in-flight on it, then check it is
 * still the active one, so that the loader, which flips the slot and then
 * waits for the old slot's in-flight count to reach zero, never rewrites a
 * slot a packet is being decided from. The atomic add is a full barrier.
 */
static __always_inline int slot_enter(struct sg_ctx *c)
{
	__u32 zero = 0;
	struct sg_config *cfg = bpf_map_lookup_elem(&sg_config, &zero);
	int i;

	if (!cfg || !cfg->applied)
		return SG_R_NO_POLICY;
	#pragma unroll
	for (i = 0; i < 3; i++) {
		__u32 slot = *(volatile __u32 *)&cfg->active_slot & 1;
		sg_inflight_t *n = bpf_map_lookup_elem(&sg_inflight, &slot);

		if (!n)
			return SG_R_NO_POLICY;
		__sync_fetch_and_add(n, 1);
		if ((*(volatile __u32 *)&cfg->active_slot & 1) == slot) {
			c->slot = slot;
			c->generation = cfg->generation[slot];
			return -1;
		}
		__sync_fetch_and_sub(n, 1);
	}
	return SG_R_POLICY_BUSY;
}

static __always_inline void slot_leave(struct sg_ctx *c)
{
	sg_inflight_t *n = bpf_map_lookup_elem(&sg_inflight, &c->slot);

	if (n)
		__sync_fetch_and_sub(n, 1);
}

static __always_inline int run(void *ctx, int xdp, struct sg_ctx *c)
{
	int reason;

	c->now = bpf_ktime_get_ns();
	reason = slot_enter(c);
	if (reason < 0) {
		if (xdp)
			reason = sg_parse_xdp(ctx, c);
		else
			reason = sg_parse_skb(ctx, c);
		if (reason < 0)
			reason = sg_decide(c);
		slot_leave(c);
	}
	if (reason < 0 || reason >= SG_R_MAX)
		reason = SG_R_MALFORMED;
	sg_account(c, reason);
	return reason;
}

SEC("xdp")
int sg_uplink(struct xdp_md *ctx)
{
	struct sg_ctx c = {};
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	int reason;

	c.hook = SG_HOOK_UPLINK;
	c.ifindex = ctx->ingress_ifindex;
	c.len = end - data;
	reason = run(ctx, 1, &c);
	if (!(SG_PASS_REASONS & (1U << reason)))
		return XDP_DROP;
	if (c.mark && !bpf_xdp_adjust_meta(ctx, -(int)sizeof(struct sg_xdp_meta))) {
		struct sg_xdp_meta *meta = (void *)(long)ctx->data_meta;

		if ((void *)(meta + 1) <= (void *)(long)ctx->data) {
			meta->mark = c.mark;
			meta->magic = SG_META_MAGIC;
		}
	}
	return XDP_PASS;
}

/* TC ingress companion of sg_uplink: XDP metadata -> skb->mark. */
SEC("tc")
int sg_uplink_mark(struct __sk_buff *skb)
{
	struct sg_xdp_meta *meta = (void *)(long)skb->data_meta;

	if ((void *)(meta + 1) <= (void *)(long)skb->data && meta->magic == SG_META_MAGIC)
		skb->mark = meta->mark;
	return TC_PASS;
}

static __always_inline int run_tc(struct __sk_buff *skb, __u32 hook)
{
	struct sg_ctx c = {};
	int reason;

	c.hook = hook;
	c.ifindex = skb->ifindex;
	/* parse() makes it SG_HOOK_UPLINK_EGRESS on an uplink. */
	if (hook == SG_HOOK_APP_EGRESS)
		c.in_ifindex = skb->ingress_ifindex;
	c.len = skb->len;
	reason = run(skb, 0, &c);
	if (!(SG_PASS_REASONS & (1U << reason)))
		return TC_DROP;
	if (c.mark)
		skb->mark = c.mark;
	return TC_PASS;
}

SEC("tc")
int sg_app_ingress(struct __sk_buff *skb)
{
	return run_tc(skb, SG_HOOK_APP_INGRESS);
}

/* App egress, or uplink egress: parse() tells them apart by the interface. */
SEC("tc")
int sg_egress(struct __sk_buff *skb)
{
	return run_tc(skb, SG_HOOK_APP_EGRESS);
}
