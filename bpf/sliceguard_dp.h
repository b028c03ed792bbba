/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ABI between the sliceguard BPF programs (bpf/sliceguard.bpf.c) and user
 * space (user/lib/dp.c, tests): map keys and values, the deny event and the
 * reasons every packet ends in. Fixed-width types only; both sides include
 * this file, so a change here is a change on both sides at once.
 *
 * Multi-byte address, TEID and port fields are in network byte order; every
 * other field is in host byte order.
 */
#ifndef SLICEGUARD_DP_H
#define SLICEGUARD_DP_H

#ifdef __BPF__
/* vmlinux.h provides the kernel types */
#else
#include <linux/types.h>
#endif

/*
 * Map sizes. Per-object maps are sized by the module parameter defaults
 * (max_slices, max_apps, max_rules, max_uplinks); the compiler refuses a
 * policy that does not fit.
 */
#define SG_MAX_SLICES		64
#define SG_MAX_APPS		256
#define SG_MAX_RULES		1024
#define SG_MAX_UPLINKS		16
#define SG_MAX_UPLINK_VLANS	64	/* VLAN devices over one uplink */
#define SG_MAX_IFACES		(SG_MAX_UPLINKS * (1 + SG_MAX_UPLINK_VLANS) + SG_MAX_APPS)
#define SG_MAX_UE_PREFIXES	16	/* SLICEGUARD_MAX_UE_PREFIXES */
#define SG_MAX_VLANS		16	/* SLICEGUARD_MAX_VLANS */
#define SG_MAX_TEID_RANGES	16	/* SLICEGUARD_MAX_TEID_RANGES */
#define SG_MAX_ENDPOINTS	16	/* SLICEGUARD_MAX_ENDPOINTS */
/* A 32-bit range splits into at most 62 aligned power-of-two blocks. */
#define SG_TEID_BLOCKS		62
/* A 16-bit port range splits into at most 30 aligned blocks. */
#define SG_PORT_BLOCKS		30
#define SG_UE_LPM_SIZE		(SG_MAX_SLICES * SG_MAX_UE_PREFIXES)
#define SG_EP_LPM_SIZE		(SG_MAX_APPS * SG_MAX_ENDPOINTS)
#define SG_TEID_LPM_SIZE	(SG_MAX_SLICES * SG_MAX_TEID_RANGES * SG_TEID_BLOCKS)
#define SG_RULE_LPM_SIZE	(SG_MAX_RULES * SG_PORT_BLOCKS)
#define SG_VLAN_IDS		4096
#define SG_DSCP_VALUES		64
#define SG_FLOW_ENTRIES		65536
#define SG_FRAG_ENTRIES		8192
#define SG_BUCKET_ENTRIES	65536
#define SG_EVENT_RING_BYTES	(256 * 1024)
#define SG_HOST_PREFIXES	4096	/* per family: what the host delivers locally */

/* Parsing limits of Documentation/datapath.rst. */
#define SG_MAX_IPV6_EXTHDRS	6
#define SG_MAX_GTPU_EXTHDRS	4
#define SG_GTPU_PORT		2152
/* Largest ICMP error (whole IP packet) that can be RELATED to a flow. */
#define SG_ICMP_ERROR_MAX4	576
#define SG_ICMP_ERROR_MAX6	1280

#define SG_FLOW_TIMEOUT_TCP_NS	(300ULL * 1000000000ULL)
#define SG_FLOW_TIMEOUT_UDP_NS	(60ULL * 1000000000ULL)
#define SG_FLOW_TIMEOUT_ICMP_NS	(10ULL * 1000000000ULL)
#define SG_FRAG_TIMEOUT_NS	(5ULL * 1000000000ULL)

/*
 * The reason a packet was passed or dropped; exactly one per packet.
 * Documentation/datapath.rst says when each applies.
 */
enum sg_reason {
	SG_R_NO_POLICY,		/* drop: no generation applied, or iface not in it */
	SG_R_POLICY_BUSY,	/* drop: active slot kept changing under the packet */
	SG_R_MALFORMED,		/* drop */
	SG_R_L3_UNKNOWN,	/* drop */
	SG_R_NON_IP,		/* pass: ARP */
	SG_R_ND,		/* pass: IPv6 neighbour discovery */
	SG_R_VLAN_STACKED,	/* drop */
	SG_R_EXTHDR_CHAIN,	/* drop */
	SG_R_FRAG_TINY,		/* drop */
	SG_R_FRAG_NO_FIRST,	/* drop */
	SG_R_FRAG_OVERLAP,	/* drop */
	SG_R_FRAG_OUTER,	/* drop: fragmented GTP-U outer packet */
	SG_R_GTP_CONTROL,	/* pass */
	SG_R_NO_SLICE,		/* drop */
	SG_R_UNSLICED_PASS,	/* pass */
	SG_R_SPOOF,		/* drop */
	SG_R_NO_ENDPOINT,	/* drop */
	SG_R_REPLY,		/* pass */
	SG_R_FLOW,		/* pass */
	SG_R_INTRA_SLICE,	/* pass */
	SG_R_NO_RULE,		/* drop */
	SG_R_RATE_UE,		/* drop */
	SG_R_RATE_SLICE,	/* drop */
	SG_R_RATE_APP,		/* drop */
	SG_R_RATE_RULE,		/* drop */
	SG_R_RULE,		/* pass */
	SG_R_FLOW_FULL,		/* pass: allowed, but no flow entry could be stored */
	SG_R_RELATED,		/* pass: ICMP error quoting a packet of a stored flow */
	SG_R_SOURCE_ROUTE,	/* drop: IPv4 LSRR/SSRR, IPv6 routing header with segments left */
	SG_R_MAX,
};

/* Bit n set: reason n passes the packet. */
#define SG_PASS_REASONS							\
	((1U << SG_R_NON_IP) | (1U << SG_R_ND) | (1U << SG_R_GTP_CONTROL) |	\
	 (1U << SG_R_UNSLICED_PASS) | (1U << SG_R_REPLY) | (1U << SG_R_FLOW) |	\
	 (1U << SG_R_INTRA_SLICE) | (1U << SG_R_RULE) | (1U << SG_R_FLOW_FULL) |	\
	 (1U << SG_R_RELATED))

enum sg_hook {
	SG_HOOK_UPLINK,		/* XDP on an uplink */
	SG_HOOK_APP_INGRESS,	/* TC ingress of an app's host-side iface: app sends */
	SG_HOOK_APP_EGRESS,	/* TC egress of an app's host-side iface: app receives */
	SG_HOOK_UPLINK_EGRESS,	/* TC egress of an ip uplink: toward UEs and beyond */
};

/* Peer kinds are enum sliceguard_peer: 0 slice, 1 app, 2 any, 3 host. */

/* Slot configuration, one entry; written by the loader only. */
struct sg_config {
	__u32 active_slot;	/* 0 or 1 */
	__u32 applied;		/* 0 until the first generation is applied */
	__u64 generation[2];	/* policy generation held by each slot */
};

/* Per-CPU in-flight counter per slot (index = slot). */
typedef __u64 sg_inflight_t;

enum sg_iface_kind {
	SG_IFACE_UPLINK = 1,
	SG_IFACE_APP = 2,
	/*
	 * A VLAN device over an uplink: where the kernel hands the uplink's
	 * tagged traffic to the stack. No program runs on it; app egress
	 * counts what entered there as entered on the uplink.
	 */
	SG_IFACE_UPLINK_VLAN = 3,
};

/* sg_ifaces: ifindex -> what the interface is. */
struct sg_iface {
	__u8 kind;		/* enum sg_iface_kind */
	__u8 mode;		/* enum sliceguard_uplink_mode (uplinks) */
	__u8 unsliced;		/* enum sliceguard_unsliced (uplinks) */
	__u8 pad;
	__u32 app_id;		/* apps */
};

struct sg_lpm4_key {
	__u32 prefixlen;
	__u8 addr[4];
};

struct sg_lpm6_key {
	__u32 prefixlen;
	__u8 addr[16];
};

/* sg_teids: TEID ranges compiled to prefix blocks -> slice id. */
struct sg_teid_key {
	__u32 prefixlen;
	__be32 teid;
};

/*
 * sg_rule_lpm: a rule's (src, dst, proto) exactly (64 bits) plus the
 * leading bits of one aligned block of its destination port range.
 */
struct sg_rule_key {
	__u32 prefixlen;	/* 64 + bits of the port block (0..16) */
	__u8 src_kind;
	__u8 dst_kind;
	__be16 src_id;
	__be16 dst_id;		/* 0 for kind any */
	__u8 proto;		/* 0: the rule matches any protocol */
	__u8 pad;		/* always 0 */
	__be16 port;
};

#define SG_RULE_KEY_FIXED_BITS	64

/* sg_slices: slice id -> configuration. */
struct sg_slice_cfg {
	__u32 id;
	__u32 mark;
	__u8 ue_to_ue;
	__u8 has_ue_prefixes;
	__u8 has_vlans;		/* UE sources accepted only on these VLANs (ip uplinks) */
	__u8 has_teids;		/* UE sources accepted only under these TEIDs (gtpu) */
	__u8 pad[4];
	__u64 rate_bytes;	/* bytes per second, 0: unlimited */
	__u64 tau_bytes_ns;	/* burst as time: burst_bytes * 1e9 / rate_bytes */
	__u64 rate_packets;	/* packets per second, 0: unlimited */
	__u64 ue_rate_bytes;	/* per UE, bytes per second, 0: unlimited */
};

struct sg_endpoint_cfg {
	__u8 family;		/* AF_INET (2) or AF_INET6 (10) */
	__u8 len;
	__u8 proto;		/* 0: any */
	__u8 pad;
	__u16 port_first;
	__u16 port_last;
	__u8 addr[16];
};

/* sg_apps: app id -> configuration. */
struct sg_app_cfg {
	__u32 id;
	__u32 n_endpoints;
	__u64 rate_bytes;
	__u64 tau_bytes_ns;
	__u64 rate_packets;
	struct sg_endpoint_cfg endpoints[SG_MAX_ENDPOINTS];
};

/*
 * What a rule matches, as the policy store holds it: the identity of a rule
 * next to its id. The store hands out the lowest free rule id, so a removed
 * rule's id can come back on a different rule; a flow entry keeps the match
 * of the rule that allowed it and counts only while the rule of that id
 * still matches exactly this.
 */
struct sg_rule_match {
	__u8 src_kind;
	__u8 dst_kind;
	__u8 proto;		/* 0: any */
	__u8 pad;		/* always 0 */
	__u32 src_id;
	__u32 dst_id;		/* 0 for kind any */
	__u16 port_first;
	__u16 port_last;
};

/* sg_rules: rule id -> configuration. */
struct sg_rule_cfg {
	__u32 id;
	__u32 pad;
	__u64 rate_bytes;
	__u64 tau_bytes_ns;
	__u64 rate_packets;
	struct sg_rule_match match;
};

/*
 * The source and destination identity a decision was made for: peer kind
 * (enum sliceguard_peer) and slice or app id (0 for kind any).
 */
struct sg_peers {
	__u8 src_kind;
	__u8 dst_kind;
	__u16 pad;
	__u32 src_id;
	__u32 dst_id;
};

/* sg_flows (LRU): forward 5-tuple of an allowed flow. */
struct sg_flow_key {
	__u8 family;
	__u8 proto;
	__u16 pad;
	__be16 sport;		/* ICMP echo: the echo id */
	__be16 dport;		/* ICMP echo: the echo id */
	__u8 saddr[16];		/* IPv4 in the first 4 bytes, rest 0 */
	__u8 daddr[16];
};

struct sg_flow_val {
	__u64 expires_ns;
	__u32 rule_id;		/* the rule that allowed the flow */
	__u32 pad;
	struct sg_rule_match match;	/* and what that rule matched */
	struct sg_peers peers;	/* of the packet that opened the flow */
};

/*
 * sg_frags (LRU): verdict of a passed first fragment, per interface and
 * hook: a datagram is decided again at every hook it crosses.
 */
struct sg_frag_key {
	__u8 family;
	__u8 proto;
	__u8 hook;		/* enum sg_hook */
	__u8 pad;
	__u32 id;		/* IPv4: 16-bit id; IPv6: fragment header id */
	__u32 ifindex;
	__u8 saddr[16];
	__u8 daddr[16];
};

struct sg_frag_val {
	__u64 expires_ns;
	__u32 slice_id;
	__u32 mark;
	__u32 app_id;
	__u32 rule_id;
	struct sg_rule_match match;	/* of rule_id, as for flows */
	struct sg_peers peers;	/* the first fragment's identity */
	__be32 teid;		/* and its tags: TEID (gtpu) */
	__u16 vid;		/* and VLAN (0: untagged) */
	/* bytes from the start of the fragmentable part to the end of the
	 * transport header (RFC 1858, RFC 8200 4.5)
	 */
	__u16 l4_end;
	__u8 has_teid;
	__u8 reason;		/* enum sg_reason of the first fragment */
	__u8 pad[6];
};

enum sg_bucket_kind {
	SG_BUCKET_UE = 1,
	SG_BUCKET_SLICE,
	SG_BUCKET_APP,
	SG_BUCKET_RULE,
	SG_BUCKET_EVENTS,	/* deny events of one source slice (no source app) */
	SG_BUCKET_EVENTS_APP,	/* deny events of one source app */
	SG_BUCKET_EVENTS_IFACE,	/* deny events of no established sender, per interface */
};

/*
 * sg_buckets (LRU): token buckets kept as theoretical arrival times (GCRA):
 * a packet of cost c passes when max(tat, now) + c * 1e9 / rate - now <=
 * tau, and then moves tat there. Packet-rate and per-UE buckets hold one
 * second of rate (tau = 1e9 ns).
 */
struct sg_bucket_key {
	__u8 kind;		/* enum sg_bucket_kind */
	__u8 family;		/* UE buckets */
	__u16 pad;
	__u32 id;		/* slice, app or rule id */
	__u8 addr[16];		/* UE buckets: the UE address */
};

struct sg_bucket {
	__u64 tat_bytes;
	__u64 tat_packets;
};

/* sg_reason_stats (per CPU, index = enum sg_reason). */
struct sg_count {
	__u64 packets;
	__u64 bytes;
};

/* sg_slice_stats, sg_app_stats, sg_rule_stats (per CPU hash, key = id). */
struct sg_obj_count {
	__u64 pass_packets;
	__u64 pass_bytes;
	__u64 drop_packets;
	__u64 drop_bytes;
};

/* sg_event_stats (per CPU array). */
enum sg_event_stat {
	SG_EVENTS_SENT,
	SG_EVENTS_LOST_RATE,	/* over the source slice's event rate */
	SG_EVENTS_LOST_RING,	/* ring buffer full */
	SG_EVENT_STAT_MAX,
};

/* One deny event on the sg_events ring buffer. */
struct sg_deny_event {
	__u64 generation;
	__u64 timestamp_ns;	/* bpf_ktime_get_ns() */
	__u32 ifindex;
	__u32 src_slice;	/* 0: none */
	__u32 dst_slice;
	__u32 src_app;
	__u32 dst_app;
	__u32 rule_id;
	__u8 reason;		/* enum sg_reason */
	__u8 hook;		/* enum sg_hook */
	__u8 family;		/* 0 when the packet is not IP */
	__u8 proto;
	__be16 sport;
	__be16 dport;
	__u8 saddr[16];
	__u8 daddr[16];
};

/* XDP metadata sg_uplink leaves for sg_uplink_mark (TC ingress). */
#define SG_META_MAGIC	0x53474d4bU	/* "SGMK" */
struct sg_xdp_meta {
	__u32 mark;
	__u32 magic;
};

#endif /* SLICEGUARD_DP_H */
