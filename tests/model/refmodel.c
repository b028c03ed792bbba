// SPDX-License-Identifier: GPL-2.0
/*
 * Reference model of the sliceguard data path. It follows
 * Documentation/datapath.rst section by section ("Parsing N" and
 * "Decision N" name its steps) as issue 7 changes it ("Issue 7, N" names a
 * section of that change: every pass bound to the identity that was
 * checked); where the text leaves a choice open the model takes the
 * reading that drops more, and says so in a comment starting "Reading:".
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "refmodel.h"

#define ETH_HLEN		14
#define ETHERTYPE_IPV4		0x0800
#define ETHERTYPE_ARP		0x0806
#define ETHERTYPE_VLAN		0x8100
#define ETHERTYPE_QINQ		0x88a8
#define ETHERTYPE_IPV6		0x86dd

#define PROTO_HOPOPTS		0
#define PROTO_ICMP		1
#define PROTO_TCP		6
#define PROTO_UDP		17
#define PROTO_SCTP		132
#define PROTO_ROUTING		43
#define PROTO_FRAGMENT		44
#define PROTO_AH		51
#define PROTO_ICMPV6		58
#define PROTO_DSTOPTS		60

#define IPV6_MAX_EXTHDRS	6
#define GTPU_PORT		2152
#define GTPU_MAX_EXTHDRS	4
#define GTPU_G_PDU		255

#define NSEC_PER_SEC		1000000000ULL
#define FRAG_TIMEOUT_NS		(5 * NSEC_PER_SEC)

/* Issue 7, 5: the largest ICMP error that can be related to a flow. */
#define RELATED_MAX_IPV4	576
#define RELATED_MAX_IPV6	1280

/* What the parser learns about "the packet" (the inner one for GTP-U). */
struct pkt {
	/* outer Ethernet */
	bool has_vid;
	uint16_t vid;
	/* GTP-U */
	bool has_teid;
	uint32_t teid;
	/* IP */
	uint8_t family;			/* AF_INET or AF_INET6 */
	uint8_t src[16], dst[16];
	uint8_t dscp;
	uint8_t proto;
	uint8_t hop_limit;		/* IPv6 (the ND check) */
	uint32_t ip_len;		/* IPv4 total length, IPv6 40 + payload */
	/* fragments */
	bool frag, first_frag;
	uint32_t frag_id;
	/*
	 * Protocol of the fragment key: IPv4's protocol; for IPv6 the
	 * fragment header's next header, the only one every fragment of a
	 * datagram carries (extension headers may follow it in the first).
	 */
	uint8_t frag_proto;
	uint32_t frag_off;		/* bytes */
	/*
	 * First fragment: bytes from the start of the fragmentable part to
	 * the end of the transport header (RFC 1858; for IPv6 the extension
	 * headers after the fragment header count too, RFC 8200 4.5).
	 */
	uint32_t l4_end;
	/* transport */
	uint16_t sport, dport;		/* 0 for protocols without ports */
	uint16_t thlen;			/* transport header length */
	size_t l4_off, l4_len;		/* from the IP header; to its end */
	uint8_t tcp_flags;
	uint8_t icmp_type;
	bool icmp_echo_request, icmp_echo_reply;
	uint16_t icmp_id;
	/* An ICMP error's quoted packet, when Decision 1 can use it. */
	bool has_quote;
	uint8_t quote_proto;
	uint8_t quote_src[16], quote_dst[16];
	uint16_t quote_sport, quote_dport;
};

/* The two ends of a packet, as the policy names them, and the host. */
enum peer_kind { PEER_NONE, PEER_SLICE, PEER_APP, PEER_EXTERNAL, PEER_HOST };

struct peer {
	enum peer_kind kind;
	uint32_t id;		/* slice or app id, 0 for external and the host */
};

struct sg_ref_flow {
	uint8_t family, proto;
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	uint64_t expires;
	struct sg_rule rule;	/* the rule that allowed the flow, as it was */
	/* Issue 7, 5: who the packet that opened the flow was from and to. */
	struct peer src_peer, dst_peer;
};

/* Issue 7, 6: the verdict of a first fragment that passed. */
struct sg_ref_frag {
	/* key */
	uint8_t family, proto;
	uint8_t src[16], dst[16];
	uint32_t id;
	enum sg_ref_hook hook;
	uint32_t ifindex;
	/* value */
	enum sg_reason reason;
	uint32_t mark;
	struct sg_rule rule;	/* the rule of the verdict (id 0: none), as it was */
	struct peer src_peer, dst_peer;
	uint16_t vid;		/* 0: untagged */
	bool has_teid;
	uint32_t teid;
	uint32_t l4_end;
	uint64_t expires;
};

enum bucket_kind {
	BUCKET_UE, BUCKET_SLICE_BYTES, BUCKET_SLICE_PACKETS, BUCKET_APP_BYTES,
	BUCKET_APP_PACKETS, BUCKET_RULE_BYTES, BUCKET_RULE_PACKETS,
};

struct sg_ref_bucket {
	enum bucket_kind kind;
	uint32_t id;
	uint8_t addr[16];
	uint64_t tokens;
	uint64_t last_ns;
};

/* What the decision of a packet yields. */
struct decision {
	enum sg_reason reason;
	uint32_t mark;
	uint32_t rule;		/* a new flow's rule (rule_out) */
	/*
	 * What a passing first fragment stores: the rule that allowed the
	 * packet or the flow it belongs to (id 0: none) and its two ends.
	 */
	struct sg_rule via;
	struct peer ends[2];
};

void sg_ref_state_init(struct sg_ref_state *state)
{
	memset(state, 0, sizeof(*state));
}

void sg_ref_state_free(struct sg_ref_state *state)
{
	free(state->flows);
	free(state->frags);
	free(state->buckets);
	sg_ref_state_init(state);
}

static void *grow(void *array, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return array;
	*cap = *cap ? *cap * 2 : 64;
	array = realloc(array, *cap * elem);
	if (!array)
		abort();
	return array;
}

bool sg_ref_reason_passes(enum sg_reason reason)
{
	switch (reason) {
	case SG_R_NON_IP:
	case SG_R_ND:
	case SG_R_GTP_CONTROL:
	case SG_R_UNSLICED_PASS:
	case SG_R_REPLY:
	case SG_R_FLOW:
	case SG_R_INTRA_SLICE:
	case SG_R_RULE:
	case SG_R_FLOW_FULL:
	case SG_R_RELATED:
		return true;
	default:
		return false;
	}
}

const char *sg_ref_reason_name(enum sg_reason reason)
{
	static const char *const names[] = {
		[SG_R_NO_POLICY] = "NO_POLICY",
		[SG_R_NON_IP] = "NON_IP",
		[SG_R_ND] = "ND",
		[SG_R_L3_UNKNOWN] = "L3_UNKNOWN",
		[SG_R_VLAN_STACKED] = "VLAN_STACKED",
		[SG_R_MALFORMED] = "MALFORMED",
		[SG_R_EXTHDR_CHAIN] = "EXTHDR_CHAIN",
		[SG_R_FRAG_TINY] = "FRAG_TINY",
		[SG_R_FRAG_NO_FIRST] = "FRAG_NO_FIRST",
		[SG_R_FRAG_OVERLAP] = "FRAG_OVERLAP",
		[SG_R_FRAG_OUTER] = "FRAG_OUTER",
		[SG_R_POLICY_BUSY] = "POLICY_BUSY",
		[SG_R_GTP_CONTROL] = "GTP_CONTROL",
		[SG_R_NO_SLICE] = "NO_SLICE",
		[SG_R_UNSLICED_PASS] = "UNSLICED_PASS",
		[SG_R_SPOOF] = "SPOOF",
		[SG_R_NO_ENDPOINT] = "NO_ENDPOINT",
		[SG_R_REPLY] = "REPLY",
		[SG_R_FLOW] = "FLOW",
		[SG_R_INTRA_SLICE] = "INTRA_SLICE",
		[SG_R_NO_RULE] = "NO_RULE",
		[SG_R_RATE_UE] = "RATE_UE",
		[SG_R_RATE_SLICE] = "RATE_SLICE",
		[SG_R_RATE_APP] = "RATE_APP",
		[SG_R_RATE_RULE] = "RATE_RULE",
		[SG_R_RULE] = "RULE",
		[SG_R_FLOW_FULL] = "FLOW_FULL",
		[SG_R_RELATED] = "RELATED",
		[SG_R_SOURCE_ROUTE] = "SOURCE_ROUTE",
	};

	if ((unsigned int)reason < sizeof(names) / sizeof(names[0]) &&
	    names[reason])
		return names[reason];
	return "?";
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* ---- Parsing 3 and 4: IP and transport ---- */

static bool is_ipv6_exthdr(uint8_t nh)
{
	return nh == PROTO_HOPOPTS || nh == PROTO_ROUTING ||
	       nh == PROTO_DSTOPTS || nh == PROTO_FRAGMENT || nh == PROTO_AH;
}

/*
 * Parsing 4 on the transport header at @l4 with @avail bytes of IP payload.
 * Returns 0, or the reason when the header is not all there: FRAG_TINY for
 * a first fragment, MALFORMED otherwise.
 */
static bool is_icmp_error(const struct pkt *p)
{
	if (p->family == AF_INET && p->proto == PROTO_ICMP)
		return p->icmp_type == 3 || p->icmp_type == 11 ||
		       p->icmp_type == 12;
	if (p->family == AF_INET6 && p->proto == PROTO_ICMPV6)
		return p->icmp_type >= 1 && p->icmp_type <= 4;
	return false;
}

/*
 * Decision 1: the packet an unfragmented ICMP error quotes after its 8-byte
 * header at @q (@avail bytes of the error's IP payload left): an IP header
 * of the error's own version, for IPv6 with no extension headers, then 8
 * bytes of TCP, UDP, SCTP or an echo message of the error's ICMP version.
 * The quoted source must be the error's destination.
 */
static void parse_quote(struct pkt *p, const uint8_t *q, size_t avail)
{
	size_t hlen;
	const uint8_t *t;
	uint8_t proto;

	if (p->family == AF_INET) {
		if (avail < 20 || q[0] >> 4 != 4)
			return;
		hlen = (size_t)(q[0] & 0xf) * 4;
		if (hlen < 20 || (get16(q + 6) & 0x1fff))
			return;
		proto = q[9];
		memset(p->quote_src, 0, 16);
		memset(p->quote_dst, 0, 16);
		memcpy(p->quote_src, q + 12, 4);
		memcpy(p->quote_dst, q + 16, 4);
	} else {
		if (avail < 40 || q[0] >> 4 != 6)
			return;
		hlen = 40;
		proto = q[6];
		memcpy(p->quote_src, q + 8, 16);
		memcpy(p->quote_dst, q + 24, 16);
	}
	if (avail < hlen + 8)
		return;
	t = q + hlen;
	if (proto == PROTO_TCP || proto == PROTO_UDP || proto == PROTO_SCTP) {
		p->quote_sport = get16(t);
		p->quote_dport = get16(t + 2);
	} else if ((p->family == AF_INET && proto == PROTO_ICMP &&
		    (t[0] == 8 || t[0] == 0)) ||
		   (p->family == AF_INET6 && proto == PROTO_ICMPV6 &&
		    (t[0] == 128 || t[0] == 129))) {
		p->quote_sport = get16(t + 4);
		p->quote_dport = p->quote_sport;
	} else {
		return;
	}
	if (memcmp(p->quote_src, p->dst, 16))
		return;
	p->quote_proto = proto;
	p->has_quote = true;
}

static enum sg_reason parse_transport(struct pkt *p, const uint8_t *l4,
				      size_t avail)
{
	enum sg_reason truncated = p->first_frag ? SG_R_FRAG_TINY :
						   SG_R_MALFORMED;
	/*
	 * Reading: ICMP and ICMPv6 headers are required whatever the IP
	 * version carrying them (the stricter reading of Parsing 4).
	 */
	bool icmp = p->proto == PROTO_ICMP || p->proto == PROTO_ICMPV6;

	if (p->proto == PROTO_TCP) {
		size_t doff;

		if (avail < 20)
			return truncated;
		doff = (size_t)(l4[12] >> 4) * 4;
		if (doff < 20)
			return SG_R_MALFORMED;
		if (doff > avail)
			return truncated;
		p->sport = get16(l4);
		p->dport = get16(l4 + 2);
		p->tcp_flags = l4[13];
		p->thlen = doff;
	} else if (p->proto == PROTO_UDP || p->proto == PROTO_SCTP) {
		size_t need = p->proto == PROTO_UDP ? 8 : 12;

		if (avail < need)
			return truncated;
		p->sport = get16(l4);
		p->dport = get16(l4 + 2);
		p->thlen = need;
	} else if (icmp) {
		uint8_t type;

		if (avail < 4)
			return truncated;
		type = l4[0];
		p->icmp_type = type;
		p->thlen = 4;
		if (p->proto == PROTO_ICMP) {
			p->icmp_echo_request = type == 8;
			p->icmp_echo_reply = type == 0;
		} else {
			p->icmp_echo_request = type == 128;
			p->icmp_echo_reply = type == 129;
		}
		if (p->icmp_echo_request || p->icmp_echo_reply) {
			if (avail < 8)
				return truncated;
			p->icmp_id = get16(l4 + 4);
			p->thlen = 8;
		}
		if (!p->frag && is_icmp_error(p) && avail >= 8)
			parse_quote(p, l4 + 8, avail - 8);
	}
	return 0;
}

/*
 * Parsing 3 and 4 on an IP packet at @l3 (@len bytes present).
 */
/*
 * IPv4 options (RFC 791 3.1), in order: loose or strict source routing
 * (types 131, 137) is SOURCE_ROUTE, an option that does not fit is
 * MALFORMED; end of list (0) stops, no-operation (1) is one byte.
 */
static enum sg_reason ipv4_options(const uint8_t *o, size_t n)
{
	size_t i = 0;

	while (i < n) {
		if (o[i] == 0)
			break;
		if (o[i] == 1) {
			i++;
			continue;
		}
		if (o[i] == 131 || o[i] == 137)
			return SG_R_SOURCE_ROUTE;
		if (i + 1 >= n || o[i + 1] < 2 || i + o[i + 1] > n)
			return SG_R_MALFORMED;
		i += o[i + 1];
	}
	return 0;
}

static enum sg_reason parse_ip(struct pkt *p, const uint8_t *l3, size_t len)
{
	const uint8_t *l4;
	size_t end, off = 0, frag_end = 0;
	enum sg_reason r;

	if (len < 1)
		return SG_R_MALFORMED;
	if (l3[0] >> 4 == 4) {
		size_t ihl, tot;
		uint16_t frag;

		if (len < 20)
			return SG_R_MALFORMED;
		ihl = (size_t)(l3[0] & 0xf) * 4;
		tot = get16(l3 + 2);
		if (ihl < 20 || tot < ihl || tot > len)
			return SG_R_MALFORMED;
		r = ipv4_options(l3 + 20, ihl - 20);
		if (r)
			return r;
		p->family = AF_INET;
		p->ip_len = (uint32_t)tot;
		p->dscp = l3[1] >> 2;
		p->proto = l3[9];
		memset(p->src, 0, 16);
		memset(p->dst, 0, 16);
		memcpy(p->src, l3 + 12, 4);
		memcpy(p->dst, l3 + 16, 4);
		frag = get16(l3 + 6);
		p->frag_off = (uint32_t)(frag & 0x1fff) * 8;
		p->frag = (frag & 0x3fff) != 0;
		p->first_frag = p->frag && p->frag_off == 0;
		p->frag_id = get16(l3 + 4);
		p->frag_proto = p->proto;
		l4 = l3 + ihl;
		end = tot - ihl;
	} else if (l3[0] >> 4 == 6) {
		bool seen_frag = false;
		uint8_t nh;
		int n;

		if (len < 40 || 40 + (size_t)get16(l3 + 4) > len)
			return SG_R_MALFORMED;
		p->family = AF_INET6;
		p->ip_len = 40 + (uint32_t)get16(l3 + 4);
		p->dscp = (uint8_t)((get16(l3) >> 4) & 0xff) >> 2;
		p->hop_limit = l3[7];
		memcpy(p->src, l3 + 8, 16);
		memcpy(p->dst, l3 + 24, 16);
		end = get16(l3 + 4);
		l4 = l3 + 40;
		off = 0;
		nh = l3[6];
		for (n = 0; n < IPV6_MAX_EXTHDRS && is_ipv6_exthdr(nh); n++) {
			const uint8_t *h = l4 + off;
			size_t hlen;

			if (off + 8 > end)
				return SG_R_MALFORMED;
			if (nh == PROTO_FRAGMENT)
				hlen = 8;
			else if (nh == PROTO_AH)
				hlen = ((size_t)h[1] + 2) * 4;
			else
				hlen = ((size_t)h[1] + 1) * 8;
			if (off + hlen > end)
				return SG_R_MALFORMED;
			/* A routing header with segments left reroutes it. */
			if (nh == PROTO_ROUTING && h[3])
				return SG_R_SOURCE_ROUTE;
			if (nh == PROTO_FRAGMENT) {
				uint16_t fo = get16(h + 2);

				/*
				 * Issue 7, 6: one datagram is fragmented
				 * once; a second fragment header (an atomic
				 * one included) can only hide something.
				 */
				if (seen_frag)
					return SG_R_MALFORMED;
				seen_frag = true;
				p->frag_off = (uint32_t)(fo >> 3) * 8;
				/* An atomic fragment (offset 0, M clear) is whole. */
				p->frag = (fo & 0xfff9) != 0;
				p->first_frag = p->frag && p->frag_off == 0;
				p->frag_id = get32(h + 4);
				p->frag_proto = h[0];
				nh = h[0];
				off += hlen;
				frag_end = off;
				/*
				 * What follows a non-first fragment header is
				 * data: its next header is the protocol.
				 */
				if (p->frag && !p->first_frag)
					break;
				continue;
			}
			nh = h[0];
			off += hlen;
		}
		if (is_ipv6_exthdr(nh) && !(p->frag && !p->first_frag))
			return SG_R_EXTHDR_CHAIN;
		p->proto = nh;
		l4 += off;
		end -= off;
	} else {
		return SG_R_MALFORMED;
	}

	p->l4_off = (size_t)(l4 - l3);
	p->l4_len = end;
	if (p->frag && !p->first_frag)
		return 0;
	r = parse_transport(p, l4, end);
	/* IPv4: frag_end is 0, the fragmentable part starts at l4. */
	if (!r && p->first_frag)
		p->l4_end = (uint32_t)(off - frag_end) + p->thlen;
	return r;
}

/* ---- Lookups over struct sg_policy ---- */

static bool prefix_contains(const struct sg_prefix *pfx, uint8_t family,
			    const uint8_t *addr)
{
	unsigned int bits = pfx->len, i;

	if (pfx->family != family)
		return false;
	for (i = 0; i < bits / 8; i++)
		if (pfx->addr[i] != addr[i])
			return false;
	if (bits % 8) {
		uint8_t mask = (uint8_t)(0xff << (8 - bits % 8));

		if ((pfx->addr[i] & mask) != (addr[i] & mask))
			return false;
	}
	return true;
}

/* Longest match over every slice's UE prefixes; NULL when none. */
static const struct sg_slice *slice_by_ue(const struct sg_policy *policy,
					  uint8_t family, const uint8_t *addr)
{
	const struct sg_slice *best = NULL;
	int best_len = -1;
	unsigned int i, j;

	for (i = 0; i < policy->n_slices; i++) {
		const struct sg_slice *s = &policy->slices[i];

		for (j = 0; j < s->n_ue_prefixes; j++)
			if (prefix_contains(&s->ue_prefixes[j], family, addr) &&
			    s->ue_prefixes[j].len > best_len) {
				best = s;
				best_len = s->ue_prefixes[j].len;
			}
	}
	return best;
}

/* Longest match over every app's endpoint prefixes; NULL when none. */
static const struct sg_app *app_by_addr(const struct sg_policy *policy,
					uint8_t family, const uint8_t *addr)
{
	const struct sg_app *best = NULL;
	int best_len = -1;
	unsigned int i, j;

	for (i = 0; i < policy->n_apps; i++) {
		const struct sg_app *a = &policy->apps[i];

		for (j = 0; j < a->n_endpoints; j++)
			if (prefix_contains(&a->endpoints[j].prefix, family, addr) &&
			    a->endpoints[j].prefix.len > best_len) {
				best = a;
				best_len = a->endpoints[j].prefix.len;
			}
	}
	return best;
}

static const struct sg_slice *slice_by_vid(const struct sg_policy *policy,
					   uint16_t vid)
{
	unsigned int i, j;

	for (i = 0; i < policy->n_slices; i++)
		for (j = 0; j < policy->slices[i].n_vlans; j++)
			if (policy->slices[i].vlans[j] == vid)
				return &policy->slices[i];
	return NULL;
}

static const struct sg_slice *slice_by_teid(const struct sg_policy *policy,
					    uint32_t teid)
{
	unsigned int i, j;

	for (i = 0; i < policy->n_slices; i++)
		for (j = 0; j < policy->slices[i].n_teid_ranges; j++)
			if (teid >= policy->slices[i].teid_ranges[j].first &&
			    teid <= policy->slices[i].teid_ranges[j].last)
				return &policy->slices[i];
	return NULL;
}

static const struct sg_slice *slice_by_dscp(const struct sg_policy *policy,
					    uint8_t dscp)
{
	unsigned int i, j;

	for (i = 0; i < policy->n_slices; i++)
		for (j = 0; j < policy->slices[i].n_dscps; j++)
			if (policy->slices[i].dscps[j] == dscp)
				return &policy->slices[i];
	return NULL;
}

static const struct sg_rule *rule_by_id(const struct sg_policy *policy,
				       uint32_t id)
{
	unsigned int i;

	for (i = 0; i < policy->n_rules; i++)
		if (policy->rules[i].id == id)
			return &policy->rules[i];
	return NULL;
}

static bool endpoint_matches(const struct sg_app *app, const struct pkt *p,
			     bool by_dst)
{
	const uint8_t *addr = by_dst ? p->dst : p->src;
	uint16_t port = by_dst ? p->dport : p->sport;
	unsigned int i;

	for (i = 0; i < app->n_endpoints; i++) {
		const struct sg_endpoint *ep = &app->endpoints[i];

		if (!prefix_contains(&ep->prefix, p->family, addr))
			continue;
		if (!by_dst)
			return true;
		if (ep->proto && ep->proto != p->proto)
			continue;
		if (port >= ep->port_first && port <= ep->port_last)
			return true;
	}
	return false;
}

/* Whether addr is one of the host's own ("The host"). */
static bool host_holds(const struct sg_ref_ctx *where, uint8_t family,
		       const uint8_t *addr)
{
	size_t i;

	for (i = 0; i < where->n_host; i++)
		if (prefix_contains(&where->host[i].prefix, family, addr))
			return true;
	return false;
}

/*
 * Whether one of app's endpoints is exactly addr (a /32 or /128): an app
 * living in the host's network namespace, on one of the host's addresses.
 */
static bool app_is_exactly(const struct sg_app *app, uint8_t family,
			   const uint8_t *addr)
{
	unsigned int i;

	for (i = 0; i < app->n_endpoints; i++)
		if (app->endpoints[i].prefix.len == (family == AF_INET ? 32 : 128) &&
		    prefix_contains(&app->endpoints[i].prefix, family, addr))
			return true;
	return false;
}

/*
 * Who an address is ("Source and destination"): the host's, else an app
 * endpoint, else a UE of a slice, else external. The host comes first: its
 * gateway address inside an app's subnet or a UE pool is still the host;
 * only an app endpoint that is exactly the address makes it the app's.
 */
static struct peer peer_of(const struct sg_policy *policy,
			   const struct sg_ref_ctx *where, uint8_t family,
			   const uint8_t *addr)
{
	const struct sg_slice *s;
	const struct sg_app *a;

	a = app_by_addr(policy, family, addr);
	if (host_holds(where, family, addr) &&
	    !(a && app_is_exactly(a, family, addr)))
		return (struct peer){ PEER_HOST, 0 };
	if (a)
		return (struct peer){ PEER_APP, a->id };
	s = slice_by_ue(policy, family, addr);
	if (s)
		return (struct peer){ PEER_SLICE, s->id };
	return (struct peer){ PEER_EXTERNAL, 0 };
}

/*
 * Size of the block holding port when [first, last] is cut into maximal
 * aligned power-of-two blocks (port must lie in the range).
 */
static uint32_t port_block(uint32_t first, uint32_t last, uint32_t port)
{
	uint32_t start = first, size;

	for (;;) {
		size = 1;
		while (start % (size * 2) == 0 && start + size * 2 - 1 <= last &&
		       size < 65536)
			size *= 2;
		if (port < start + size)
			return size;
		start += size;
	}
}

/* The peer kind a rule names for a packet's end (enum sliceguard_peer). */
static uint32_t rule_kind(struct peer end)
{
	switch (end.kind) {
	case PEER_SLICE:
		return SLICEGUARD_PEER_SLICE;
	case PEER_APP:
		return SLICEGUARD_PEER_APP;
	case PEER_HOST:
		return SLICEGUARD_PEER_HOST;
	default:
		return SLICEGUARD_PEER_ANY;
	}
}

/*
 * Decision 5: the rule that allows src -> dst for this proto and dst port,
 * rules of the exact proto first, then proto 0. Among overlapping rules the
 * one owning the smallest block holding the port wins, the lowest id on a
 * tie. The source is a slice, an app or the host, never external.
 */
static const struct sg_rule *find_rule(const struct sg_policy *policy,
				       struct peer src, struct peer dst,
				       const struct pkt *p)
{
	uint32_t dst_kind = rule_kind(dst), src_kind = rule_kind(src);
	const struct sg_rule *found = NULL;
	uint32_t found_block = 0;
	int pass;
	unsigned int i;

	for (pass = 0; pass < 2 && !found; pass++) {
		uint8_t proto = pass == 0 ? p->proto : 0;

		if (pass == 1 && p->proto == 0)
			break;
		for (i = 0; i < policy->n_rules; i++) {
			const struct sg_rule *r = &policy->rules[i];
			uint32_t block;

			if (r->src_kind != src_kind || r->src_id != src.id ||
			    r->dst_kind != dst_kind || r->proto != proto)
				continue;
			/* any and the host name no object: id 0 */
			if (r->dst_id != dst.id)
				continue;
			if (p->dport < r->port_first || p->dport > r->port_last)
				continue;
			block = port_block(r->port_first, r->port_last, p->dport);
			if (!found || block < found_block ||
			    (block == found_block && r->id < found->id)) {
				found = r;
				found_block = block;
			}
		}
	}
	return found;
}

/* ---- State: flows, fragments, buckets ---- */

/*
 * The forward (or, with reverse, the reversed) 5-tuple of p. ICMP echo
 * messages use their id for both ports; other ICMP has ports 0.
 */
static void flow_key_of(const struct pkt *p, bool reverse, struct sg_ref_flow *k)
{
	memset(k, 0, sizeof(*k));
	k->family = p->family;
	k->proto = p->proto;
	memcpy(k->src, reverse ? p->dst : p->src, 16);
	memcpy(k->dst, reverse ? p->src : p->dst, 16);
	if (p->icmp_echo_request || p->icmp_echo_reply) {
		k->sport = p->icmp_id;
		k->dport = p->icmp_id;
	} else {
		k->sport = reverse ? p->dport : p->sport;
		k->dport = reverse ? p->sport : p->dport;
	}
}

/*
 * Whether the rule that allowed a flow exists in this generation: the same
 * id with the same match. The policy store reuses the ids of removed rules,
 * so an id alone does not say the rule is still there.
 */
static bool same_rule(const struct sg_policy *policy, const struct sg_rule *r)
{
	const struct sg_rule *now = rule_by_id(policy, r->id);

	return now && now->src_kind == r->src_kind && now->src_id == r->src_id &&
	       now->dst_kind == r->dst_kind && now->dst_id == r->dst_id &&
	       now->proto == r->proto && now->port_first == r->port_first &&
	       now->port_last == r->port_last;
}

/* A live entry for k whose rule still exists in this generation. */
static struct sg_ref_flow *flow_find(struct sg_ref_state *st,
				     const struct sg_policy *policy,
				     const struct sg_ref_flow *k, uint64_t now)
{
	size_t i;

	for (i = 0; i < st->n_flows; i++) {
		struct sg_ref_flow *f = &st->flows[i];

		if (f->family != k->family || f->proto != k->proto ||
		    f->sport != k->sport || f->dport != k->dport ||
		    memcmp(f->src, k->src, 16) || memcmp(f->dst, k->dst, 16))
			continue;
		if (f->expires <= now || !same_rule(policy, &f->rule))
			return NULL;
		return f;
	}
	return NULL;
}

static uint64_t flow_timeout(uint8_t proto)
{
	if (proto == PROTO_TCP)
		return 300 * NSEC_PER_SEC;
	if (proto == PROTO_ICMP || proto == PROTO_ICMPV6)
		return 10 * NSEC_PER_SEC;
	return 60 * NSEC_PER_SEC;
}

/* The egress hooks (sg_egress): sources checked by where they entered. */
static bool at_egress(const struct sg_ref_ctx *where)
{
	return where->hook == SG_REF_APP_EGRESS ||
	       where->hook == SG_REF_UPLINK_EGRESS;
}

static bool same_peer(struct peer a, struct peer b)
{
	return a.kind == b.kind && a.id == b.id;
}

/*
 * Whether the packet's end @got (its source with @is_src) is the stored end
 * @want. A slice without UE prefixes owns no addresses, so by address its
 * UEs are external: at the app hooks and at uplink egress (never at an
 * uplink's ingress, where the slice is classified) an external end stands
 * for such a slice; as the source at the egress hooks only when the
 * packet entered on an uplink.
 */
static bool peer_fits(const struct sg_policy *policy,
		      const struct sg_ref_ctx *where, struct peer want,
		      struct peer got, bool is_src)
{
	const struct sg_slice *s;

	if (same_peer(want, got))
		return true;
	if (where->hook == SG_REF_UPLINK || got.kind != PEER_EXTERNAL ||
	    want.kind != PEER_SLICE)
		return false;
	s = sg_policy_slice_by_id(policy, want.id);
	if (!s || s->n_ue_prefixes)
		return false;
	return !is_src || where->in_kind == SG_REF_IFACE_UPLINK;
}

/*
 * Issue 7, 5: an entry counts for a packet only when the packet is between
 * the same two ends as the packet that stored it: in the same direction
 * (@reverse false: FLOW) or the other way (@reverse true: REPLY).
 */
static bool ends_fit(const struct sg_policy *policy,
		     const struct sg_ref_ctx *where, struct peer src,
		     struct peer dst, const struct peer *ends, bool reverse)
{
	if (reverse)
		return peer_fits(policy, where, dst, ends[0], true) &&
		       peer_fits(policy, where, src, ends[1], false);
	return peer_fits(policy, where, src, ends[0], true) &&
	       peer_fits(policy, where, dst, ends[1], false);
}

/*
 * An external end that fitted a pool-less slice's stored end is that
 * slice from then on: the UE side for rates and the mark.
 */
static void adopt_ends(struct peer src, struct peer dst, struct peer *ends,
		       bool reverse)
{
	struct peer *s = reverse ? &ends[1] : &ends[0];
	struct peer *d = reverse ? &ends[0] : &ends[1];

	if (s->kind == PEER_EXTERNAL && src.kind == PEER_SLICE)
		*s = src;
	if (d->kind == PEER_EXTERNAL && dst.kind == PEER_SLICE)
		*d = dst;
}

static bool flow_fits(const struct sg_policy *policy,
		      const struct sg_ref_ctx *where,
		      const struct sg_ref_flow *f, const struct peer *ends,
		      bool reverse)
{
	return ends_fit(policy, where, f->src_peer, f->dst_peer, ends, reverse);
}

/*
 * An ICMP error the host sent itself (from one of its addresses;
 * identify() made sure it came from the host, ingress 0) at an egress
 * hook: the host routes every flow that reaches an app, so it is a router
 * on the path; only the receiving end must fit. "Uplink egress" 3 decides
 * as at app egress, so the same holds toward a UE.
 */
static bool error_fits(const struct sg_policy *policy,
		       const struct sg_ref_ctx *where,
		       const struct sg_ref_flow *f, const struct peer *ends,
		       bool reverse)
{
	if (at_egress(where) && ends[0].kind == PEER_HOST)
		return peer_fits(policy, where, reverse ? f->src_peer : f->dst_peer,
				 ends[1], false);
	return flow_fits(policy, where, f, ends, reverse);
}

/*
 * Decision 1: REPLY or FLOW with *flow set, or 0 when the packet is new. A
 * reply is the reverse of a stored flow; for TCP not a bare SYN, for ICMP
 * an echo reply to a stored echo request with the same id. An entry between
 * other ends is ignored as if absent (issue 7, 5). The caller polices and
 * then refreshes the entry.
 */
static enum sg_reason flow_lookup(struct sg_ref_state *st,
				  const struct sg_policy *policy,
				  const struct sg_ref_ctx *where,
				  const struct pkt *p, struct peer *ends,
				  uint64_t now, struct sg_ref_flow **flow)
{
	bool icmp = p->proto == PROTO_ICMP || p->proto == PROTO_ICMPV6;
	bool bare_syn = p->proto == PROTO_TCP &&
			(p->tcp_flags & 0x12) == 0x02;
	struct sg_ref_flow k;

	flow_key_of(p, true, &k);
	*flow = flow_find(st, policy, &k, now);
	if (*flow && !bare_syn && (!icmp || p->icmp_echo_reply) &&
	    flow_fits(policy, where, *flow, ends, true)) {
		adopt_ends((*flow)->src_peer, (*flow)->dst_peer, ends, true);
		return SG_R_REPLY;
	}
	flow_key_of(p, false, &k);
	*flow = flow_find(st, policy, &k, now);
	if (*flow && flow_fits(policy, where, *flow, ends, false)) {
		adopt_ends((*flow)->src_peer, (*flow)->dst_peer, ends, false);
		return SG_R_FLOW;
	}
	*flow = NULL;
	return 0;
}

/*
 * Decision 1 with issue 7, 5: the stored flow an ICMP error is about, or
 * NULL. The error must be small enough to be one (576 / 1280 bytes) and
 * come from the far end of the packet it quotes: a quote of the flow's
 * forward direction is answered by the flow's destination (toward its
 * source), a quote of the reply direction by the flow's source. A router
 * on the path has an address of no slice, no app and not the host's, so it
 * passes for the far end exactly where that end is external; the host is
 * the router on the path of every flow to an app (error_fits()). Unlike a
 * reply it does not refresh the entry.
 */
static struct sg_ref_flow *flow_related(struct sg_ref_state *st,
					const struct sg_policy *policy,
					const struct sg_ref_ctx *where,
					const struct pkt *p,
					struct peer *ends, uint64_t now)
{
	struct sg_ref_flow k = { 0 }, *f;

	if (!p->has_quote)
		return NULL;
	if (p->ip_len > (p->family == AF_INET ? RELATED_MAX_IPV4 :
						 RELATED_MAX_IPV6))
		return NULL;
	/*
	 * A UE or an app is the far end only at its own address: the quoted
	 * packet was sent to it. Routers (external addresses, the host)
	 * report from their own.
	 */
	if ((ends[0].kind == PEER_SLICE || ends[0].kind == PEER_APP) &&
	    memcmp(p->src, p->quote_dst, 16))
		return NULL;
	k.family = p->family;
	k.proto = p->quote_proto;
	memcpy(k.src, p->quote_src, 16);
	memcpy(k.dst, p->quote_dst, 16);
	k.sport = p->quote_sport;
	k.dport = p->quote_dport;
	f = flow_find(st, policy, &k, now);
	if (f && error_fits(policy, where, f, ends, true)) {
		adopt_ends(f->src_peer, f->dst_peer, ends, true);
		return f;
	}
	memcpy(k.src, p->quote_dst, 16);
	memcpy(k.dst, p->quote_src, 16);
	k.sport = p->quote_dport;
	k.dport = p->quote_sport;
	f = flow_find(st, policy, &k, now);
	if (f && error_fits(policy, where, f, ends, false)) {
		adopt_ends(f->src_peer, f->dst_peer, ends, false);
		return f;
	}
	return NULL;
}

/* Decision 7: store (or replace, same key) the entry of a new flow. */
static void flow_insert(struct sg_ref_state *st, const struct pkt *p,
			const struct sg_rule *rule, const struct peer *ends,
			uint64_t now)
{
	struct sg_ref_flow k, *f = NULL;
	size_t i;

	flow_key_of(p, false, &k);
	k.expires = now + flow_timeout(p->proto);
	k.rule = *rule;
	k.src_peer = ends[0];
	k.dst_peer = ends[1];
	for (i = 0; i < st->n_flows && !f; i++)
		if (st->flows[i].family == k.family &&
		    st->flows[i].proto == k.proto &&
		    st->flows[i].sport == k.sport &&
		    st->flows[i].dport == k.dport &&
		    !memcmp(st->flows[i].src, k.src, 16) &&
		    !memcmp(st->flows[i].dst, k.dst, 16))
			f = &st->flows[i];
	if (!f) {
		st->flows = grow(st->flows, &st->cap_flows, st->n_flows,
				 sizeof(k));
		f = &st->flows[st->n_flows++];
	}
	*f = k;
}

/*
 * Issue 7, 6: fragment verdicts are kept per hook and interface, so a
 * datagram is decided again wherever it crosses the data path.
 */
static struct sg_ref_frag *frag_find(struct sg_ref_state *st,
				     const struct sg_ref_ctx *where,
				     const struct pkt *p)
{
	size_t i;

	for (i = 0; i < st->n_frags; i++) {
		struct sg_ref_frag *f = &st->frags[i];

		if (f->family == p->family && f->proto == p->frag_proto &&
		    f->id == p->frag_id && !memcmp(f->src, p->src, 16) &&
		    !memcmp(f->dst, p->dst, 16) && f->hook == where->hook &&
		    f->ifindex == where->ifindex)
			return f;
	}
	return NULL;
}

/* A first fragment that passed stores its verdict and its identity. */
static void frag_store(struct sg_ref_state *st, const struct sg_ref_ctx *where,
		       const struct pkt *p, const struct decision *d)
{
	struct sg_ref_frag *f = frag_find(st, where, p);

	if (!f) {
		st->frags = grow(st->frags, &st->cap_frags, st->n_frags,
				 sizeof(*f));
		f = &st->frags[st->n_frags++];
	}
	memset(f, 0, sizeof(*f));
	f->family = p->family;
	f->proto = p->frag_proto;
	memcpy(f->src, p->src, 16);
	memcpy(f->dst, p->dst, 16);
	f->id = p->frag_id;
	f->hook = where->hook;
	f->ifindex = where->ifindex;
	f->reason = d->reason;
	f->mark = d->mark;
	f->rule = d->via;
	f->src_peer = d->ends[0];
	f->dst_peer = d->ends[1];
	f->vid = p->has_vid ? p->vid : 0;
	f->has_teid = p->has_teid;
	f->teid = p->has_teid ? p->teid : 0;
	f->l4_end = p->l4_end;
	f->expires = where->now_ns + FRAG_TIMEOUT_NS;
}

/*
 * Token bucket of @rate units per second, @burst deep (0: one second of
 * rate). Takes @cost and returns true, or returns false when short.
 */
static bool bucket_take(struct sg_ref_state *st, enum bucket_kind kind,
			uint32_t id, const uint8_t *addr, uint64_t rate,
			uint64_t burst, uint64_t cost, uint64_t now)
{
	struct sg_ref_bucket *b = NULL;
	size_t i;

	if (!rate)
		return true;
	if (!burst)
		burst = rate;
	for (i = 0; i < st->n_buckets; i++) {
		struct sg_ref_bucket *c = &st->buckets[i];

		if (c->kind == kind && c->id == id &&
		    (!addr || !memcmp(c->addr, addr, 16))) {
			b = c;
			break;
		}
	}
	if (!b) {
		st->buckets = grow(st->buckets, &st->cap_buckets,
				   st->n_buckets, sizeof(*b));
		b = &st->buckets[st->n_buckets++];
		memset(b, 0, sizeof(*b));
		b->kind = kind;
		b->id = id;
		if (addr)
			memcpy(b->addr, addr, 16);
		b->tokens = burst;
		b->last_ns = now;
	}
	if (now > b->last_ns) {
		unsigned __int128 add = (unsigned __int128)(now - b->last_ns) *
					rate / NSEC_PER_SEC;

		b->tokens = add + b->tokens > burst ? burst :
			    b->tokens + (uint64_t)add;
		b->last_ns = now;
	}
	if (b->tokens < cost)
		return false;
	b->tokens -= cost;
	return true;
}

/*
 * Decision 6: police a packet of @len bytes. @ue_slice is the slice whose UE
 * is an end of the packet (@ue its address), @src_app/@dst_app the apps at
 * either end, @rule the allowing rule (NULL for flow and intra-slice
 * packets).
 */
/* The byte and packet buckets of one slice, app or rule, bytes first. */
static bool take_rates(struct sg_ref_state *st, enum bucket_kind bytes_kind,
		       enum bucket_kind packets_kind, uint32_t id,
		       uint64_t rate_bytes, uint64_t burst_bytes,
		       uint64_t rate_packets, uint64_t len, uint64_t now)
{
	return bucket_take(st, bytes_kind, id, NULL, rate_bytes, burst_bytes,
			   len, now) &&
	       bucket_take(st, packets_kind, id, NULL, rate_packets, 0, 1, now);
}

static bool take_app(struct sg_ref_state *st, const struct sg_app *a,
		     uint64_t len, uint64_t now)
{
	return take_rates(st, BUCKET_APP_BYTES, BUCKET_APP_PACKETS, a->id,
			  a->rate_bytes, a->burst_bytes, a->rate_packets, len,
			  now);
}

static enum sg_reason police(struct sg_ref_state *st,
			     const struct sg_policy *policy,
			     const struct sg_slice *ue_slice, const uint8_t *ue,
			     const struct peer *ends, const struct sg_rule *rule,
			     uint64_t len, uint64_t now)
{
	/*
	 * What only the sender owns comes first and what others share last
	 * (a bucket is charged even when a later one drops the packet): a
	 * sender over its own rate must not use up a slice's or an app's.
	 */
	bool ue_sends = ends[0].kind == PEER_SLICE;

	if (ue_slice && ue_sends &&
	    !bucket_take(st, BUCKET_UE, ue_slice->id, ue,
			 ue_slice->ue_rate_bytes, 0, len, now))
		return SG_R_RATE_UE;
	if (rule &&
	    !take_rates(st, BUCKET_RULE_BYTES, BUCKET_RULE_PACKETS, rule->id,
			rule->rate_bytes, rule->burst_bytes, rule->rate_packets,
			len, now))
		return SG_R_RATE_RULE;
	if (ends[0].kind == PEER_APP &&
	    !take_app(st, sg_policy_app_by_id(policy, ends[0].id), len, now))
		return SG_R_RATE_APP;
	if (ue_slice && !ue_sends &&
	    !bucket_take(st, BUCKET_UE, ue_slice->id, ue,
			 ue_slice->ue_rate_bytes, 0, len, now))
		return SG_R_RATE_UE;
	if (ue_slice &&
	    !take_rates(st, BUCKET_SLICE_BYTES, BUCKET_SLICE_PACKETS,
			ue_slice->id, ue_slice->rate_bytes,
			ue_slice->burst_bytes, ue_slice->rate_packets, len, now))
		return SG_R_RATE_SLICE;
	if (ends[1].kind == PEER_APP &&
	    !(ends[0].kind == PEER_APP && ends[0].id == ends[1].id) &&
	    !take_app(st, sg_policy_app_by_id(policy, ends[1].id), len, now))
		return SG_R_RATE_APP;
	return 0;
}

/* ---- The decision ---- */

/* fe80::/10 */
static bool is_link_local(uint8_t family, const uint8_t *addr)
{
	return family == AF_INET6 && addr[0] == 0xfe && (addr[1] & 0xc0) == 0x80;
}

/* ff00::/8 */
static bool is_multicast(uint8_t family, const uint8_t *addr)
{
	return family == AF_INET6 && addr[0] == 0xff;
}

/* ff02::/16: multicast that no router forwards off the link. */
static bool is_link_multicast(uint8_t family, const uint8_t *addr)
{
	return is_multicast(family, addr) && addr[1] == 0x02;
}

/* :: */
static bool is_unspecified(uint8_t family, const uint8_t *addr)
{
	static const uint8_t zero[16];

	return family == AF_INET6 && !memcmp(addr, zero, 16);
}

/*
 * Parsing 5 with issue 7, 4: IPv6 neighbour discovery, whole packets only
 * (an atomic fragment is whole). It no longer passes while parsing: it
 * goes through the source checks like every packet first.
 */
static bool is_nd(const struct pkt *p)
{
	return p->family == AF_INET6 && p->proto == PROTO_ICMPV6 && !p->frag &&
	       p->icmp_type >= 133 && p->icmp_type <= 137 &&
	       p->hop_limit == 255;
}

/*
 * Issue 7, 1 and 3: ND from a link-local or the unspecified address is
 * how a host finds its neighbours before it has a UE or endpoint address;
 * only it is spared the source-prefix checks.
 */
static bool from_link(const struct pkt *p)
{
	return is_link_local(p->family, p->src) ||
	       is_unspecified(p->family, p->src);
}

/* Whether one of app's endpoint prefixes holds addr (any proto, port). */
static bool app_holds(const struct sg_app *app, uint8_t family,
		      const uint8_t *addr)
{
	unsigned int i;

	for (i = 0; i < app->n_endpoints; i++)
		if (prefix_contains(&app->endpoints[i].prefix, family, addr))
			return true;
	return false;
}

/*
 * Issue 7, 4 ("Neighbour discovery"): where ND may go without a rule: the
 * link (link-local, link-scope multicast) and, on the way in, the host (an
 * address whose peer is the host), which routes nothing on; on the way to
 * an app, only that app itself; on the way out of an uplink, any unicast
 * address when the host sent it ("Uplink egress" 1: its hop limit 255 says
 * nothing routed it; "Known limits": toward any unicast address).
 */
static bool nd_destination_ok(const struct sg_policy *policy,
			      const struct sg_ref_ctx *where,
			      const struct pkt *p)
{
	const struct sg_app *a;

	if (is_link_local(p->family, p->dst) ||
	    is_link_multicast(p->family, p->dst))
		return true;
	/* Wider scopes may be routed on, payload and all. */
	if (is_multicast(p->family, p->dst))
		return false;
	if (where->hook == SG_REF_UPLINK_EGRESS)
		return where->in_kind == SG_REF_IFACE_HOST;
	if (where->hook == SG_REF_APP_EGRESS) {
		a = sg_policy_app_by_id(policy, where->app_id);
		return a && app_holds(a, p->family, p->dst);
	}
	return peer_of(policy, where, p->family, p->dst).kind == PEER_HOST;
}

/*
 * Reading: the exception of issue 7, 1 step 5 and 3 for ND "whose source
 * is link-local or unspecified" holds only for ND that then passes (toward
 * its link or the host): a link-local source toward anything else would be
 * routed on and is an unchecked source like any other.
 */
static bool nd_anonymous(const struct sg_policy *policy,
			 const struct sg_ref_ctx *where, const struct pkt *p)
{
	return is_nd(p) && from_link(p) && nd_destination_ok(policy, where, p);
}

/*
 * Issue 7, 1 steps 1 to 6: the slice of an uplink packet. Returns 0 with
 * *slice set (NULL: no slice), or SPOOF. DSCP is the sender's choice: it
 * never names a slice, it can only contradict one. A slice that declares
 * VLANs (ip uplinks) or TEIDs (gtpu uplinks) is bound to them: its UE
 * pool is not a way around them.
 */
static enum sg_reason classify(const struct sg_policy *policy,
			       const struct sg_ref_ctx *where,
			       const struct pkt *p,
			       const struct sg_slice **slice)
{
	bool gtpu = where->mode == SLICEGUARD_UPLINK_MODE_GTPU;
	const struct sg_slice *by[4];	/* TEID, VID, source, DSCP */
	const struct sg_slice *s;
	unsigned int i;

	*slice = NULL;
	/*
	 * Step 1: apps are never behind uplinks, and the host's own
	 * addresses never arrive from outside.
	 */
	if (app_by_addr(policy, p->family, p->src) ||
	    host_holds(where, p->family, p->src))
		return SG_R_SPOOF;
	by[0] = gtpu && p->has_teid ? slice_by_teid(policy, p->teid) : NULL;
	/* On gtpu uplinks the tag belongs to the transport network. */
	by[1] = !gtpu && p->has_vid ? slice_by_vid(policy, p->vid) : NULL;
	by[2] = slice_by_ue(policy, p->family, p->src);
	by[3] = slice_by_dscp(policy, p->dscp);
	/* Step 2; step 3 (no slice) is the caller's. */
	s = by[0] ? by[0] : by[1] ? by[1] : by[2];
	*slice = s;
	if (!s)
		return 0;
	/* Step 4. */
	for (i = 0; i < 4; i++)
		if (by[i] && by[i] != s)
			return SG_R_SPOOF;
	/* Step 5. */
	if (s->n_ue_prefixes && !by[2] && !nd_anonymous(policy, where, p))
		return SG_R_SPOOF;
	/* Step 6: untagged, priority-tagged and unknown VIDs all count. */
	if (!gtpu && s->n_vlans && by[1] != s)
		return SG_R_SPOOF;
	if (gtpu && s->n_teid_ranges && by[0] != s)
		return SG_R_SPOOF;
	return 0;
}

/*
 * Issue 7, 3 and "Uplink egress": at the egress hooks a source is only
 * believed where it lives, by the interface it entered the host on: an
 * app's address on that app's interface (or from the host itself when it
 * is also one of the host's: an app in the host's network namespace), a
 * UE's on an uplink or a VLAN device over one, the host's from the host
 * itself (ingress 0); an external address anywhere.
 */
static bool entered_where_it_lives(const struct sg_ref_ctx *where,
				   const struct pkt *p, struct peer src)
{
	switch (src.kind) {
	case PEER_HOST:
		return where->in_kind == SG_REF_IFACE_HOST;
	case PEER_APP:
		if (where->in_kind == SG_REF_IFACE_HOST)
			return host_holds(where, p->family, p->src);
		return where->in_kind == SG_REF_IFACE_APP &&
		       where->in_app_id == src.id;
	case PEER_SLICE:
		return where->in_kind == SG_REF_IFACE_UPLINK;
	default:
		return true;
	}
}

/* A UE or an app: an end that makes a packet slice traffic. */
static bool owns_address(struct peer end)
{
	return end.kind == PEER_SLICE || end.kind == PEER_APP;
}

static enum sg_reason unsliced(const struct sg_ref_ctx *where)
{
	return where->unsliced == SLICEGUARD_UNSLICED_PASS ?
	       SG_R_UNSLICED_PASS : SG_R_NO_SLICE;
}

/*
 * The source checks every packet goes through before any state is looked
 * up for it (issue 7, 1 and 3), and the two ends it is decided for.
 * Returns 0 with ends[] (source, destination) set, or the reason the
 * packet ends with here. @nd: the packet is ND (never a fragment).
 */
static enum sg_reason identify(const struct sg_policy *policy,
			       const struct sg_ref_ctx *where,
			       const struct pkt *p, bool nd, struct peer *ends,
			       bool *flows_only)
{
	const struct sg_slice *s;
	const struct sg_app *a;
	enum sg_reason r;

	if (where->hook == SG_REF_UPLINK) {
		r = classify(policy, where, p, &s);
		if (r)
			return r;
		if (!s) {
			/* Issue 7, 1 step 3. */
			if (nd && nd_destination_ok(policy, where, p))
				return SG_R_ND;
			/*
			 * Toward a UE or an app it comes from outside: only
			 * stored flows may let it through, whatever the
			 * unsliced setting (nothing guards a UE's way out).
			 * Toward the host or beyond the setting decides.
			 */
			ends[1] = peer_of(policy, where, p->family, p->dst);
			if (owns_address(ends[1])) {
				ends[0] = (struct peer){ PEER_EXTERNAL, 0 };
				*flows_only = true;
				return 0;
			}
			return unsliced(where);
		}
		ends[0] = (struct peer){ PEER_SLICE, s->id };
		ends[1] = peer_of(policy, where, p->family, p->dst);
	} else if (where->hook == SG_REF_APP_INGRESS) {
		a = sg_policy_app_by_id(policy, where->app_id);
		/*
		 * The source check comes before flow state, so an app cannot
		 * pass as another app's reply traffic. The host's address is
		 * not the app's even inside the app's prefix (the gateway),
		 * unless one of the app's endpoints is exactly it.
		 */
		if (!a || (!app_holds(a, p->family, p->src) &&
			   !(nd && nd_anonymous(policy, where, p))))
			return SG_R_SPOOF;
		if (host_holds(where, p->family, p->src) &&
		    !app_is_exactly(a, p->family, p->src))
			return SG_R_SPOOF;
		ends[0] = (struct peer){ PEER_APP, a->id };
		ends[1] = peer_of(policy, where, p->family, p->dst);
	} else {
		/* The egress hooks: the source, and at an uplink both ends, by address. */
		ends[0] = peer_of(policy, where, p->family, p->src);
		ends[1] = where->hook == SG_REF_APP_EGRESS ?
			  (struct peer){ PEER_APP, where->app_id } :
			  peer_of(policy, where, p->family, p->dst);
		if (!entered_where_it_lives(where, p, ends[0]))
			return SG_R_SPOOF;
		if (where->hook == SG_REF_UPLINK_EGRESS) {
			/* "Uplink egress" 1: the host's own ND, toward its link. */
			if (nd && nd_destination_ok(policy, where, p))
				return SG_R_ND;
			/*
			 * 2: between the host or the outside and the outside
			 * is traffic of no slice, as it is inbound.
			 */
			if (!owns_address(ends[0]) && !owns_address(ends[1]))
				return unsliced(where);
		}
	}
	return 0;
}

/*
 * Decision 6 and 8: the UE side of a packet (its source if that is a
 * slice, else its destination if that is a slice), NULL when none; *ue
 * receives the UE's address.
 */
static const struct sg_slice *ue_side(const struct sg_policy *policy,
				      const struct pkt *p,
				      const struct peer *ends,
				      const uint8_t **ue)
{
	*ue = NULL;
	if (ends[0].kind == PEER_SLICE) {
		*ue = p->src;
		return sg_policy_slice_by_id(policy, ends[0].id);
	}
	if (ends[1].kind == PEER_SLICE) {
		*ue = p->dst;
		return sg_policy_slice_by_id(policy, ends[1].id);
	}
	return NULL;
}

/*
 * Decision 1 and 8: the mark of a packet of stored flow @f whose UE side
 * (after adopt_ends()) is @ue_slice. A packet that names no slice itself
 * (the host's error about a UE's flow) carries the flow's slice: its
 * source's if that is a slice, else its destination's.
 */
static uint32_t flow_mark(const struct sg_policy *policy,
			  const struct sg_slice *ue_slice,
			  const struct sg_ref_flow *f)
{
	if (!ue_slice && f->src_peer.kind == PEER_SLICE)
		ue_slice = sg_policy_slice_by_id(policy, f->src_peer.id);
	else if (!ue_slice && f->dst_peer.kind == PEER_SLICE)
		ue_slice = sg_policy_slice_by_id(policy, f->dst_peer.id);
	return ue_slice ? ue_slice->mark : 0;
}

/* Decide the parsed packet @p (a whole packet or a first fragment). */
static struct decision decide(const struct sg_policy *policy,
			      const struct sg_ref_ctx *where,
			      const struct pkt *p, size_t len,
			      struct sg_ref_state *st)
{
	struct decision d = { 0 };
	const struct sg_slice *ue_slice;
	/*
	 * Decision 6: packets are policed where they enter the host (uplink,
	 * app ingress), not again where they leave toward an app or out of
	 * an uplink.
	 */
	bool police_here = !at_egress(where);
	bool nd = is_nd(p);
	const struct sg_rule *rule = NULL;
	struct sg_ref_flow *flow, held;
	const uint8_t *ue;
	struct peer *ends = d.ends;	/* source, destination */
	const struct sg_app *dst_app;
	bool flows_only = false;
	enum sg_reason r;

	d.reason = identify(policy, where, p, nd, ends, &flows_only);
	if (d.reason)
		return d;
	/* Issue 7, 4 (1 step 7): ND, once its source is checked. No mark. */
	if (nd && nd_destination_ok(policy, where, p)) {
		d.reason = SG_R_ND;
		return d;
	}
	ue_slice = ue_side(policy, p, ends, &ue);
	/* Decision 8: the mark of the packet's slice (the UE end's slice). */
	if (ue_slice)
		d.mark = ue_slice->mark;

	/*
	 * Decision 1: flow state comes before the endpoint check, or replies
	 * to flows an app opened (toward its ephemeral port) could never
	 * pass. Issue 7, 5: errors, replies and later packets of a flow are
	 * all policed (with the flow's rule) before they pass, and only a
	 * pass refreshes the entry (an error never does).
	 */
	flow = flow_related(st, policy, where, p, ends, where->now_ns);
	if (flow) {
		ue_slice = ue_side(policy, p, ends, &ue);
		d.mark = flow_mark(policy, ue_slice, flow);
		d.via = flow->rule;
		if (police_here)
			d.reason = police(st, policy, ue_slice, ue, ends,
					  rule_by_id(policy, flow->rule.id), len,
					  where->now_ns);
		if (!d.reason)
			d.reason = SG_R_RELATED;
		return d;
	}
	r = flow_lookup(st, policy, where, p, ends, where->now_ns, &flow);
	if (r) {
		ue_slice = ue_side(policy, p, ends, &ue);
		d.mark = flow_mark(policy, ue_slice, flow);
		d.via = flow->rule;
		if (police_here)
			d.reason = police(st, policy, ue_slice, ue, ends,
					  rule_by_id(policy, flow->rule.id), len,
					  where->now_ns);
		if (!d.reason) {
			flow->expires = where->now_ns + flow_timeout(p->proto);
			d.reason = r;
		}
		return d;
	}
	if (flows_only) {
		d.reason = SG_R_NO_SLICE;
		return d;
	}

	dst_app = ends[1].kind == PEER_APP ?
		  sg_policy_app_by_id(policy, ends[1].id) : NULL;
	if (dst_app && !endpoint_matches(dst_app, p, true)) {
		d.reason = SG_R_NO_ENDPOINT;
		return d;
	}
	/* Decision 3. */
	if (ends[0].kind == PEER_SLICE && ends[1].kind == PEER_SLICE &&
	    ends[0].id == ends[1].id) {
		if (!ue_slice->ue_to_ue) {
			d.reason = SG_R_NO_RULE;
			return d;
		}
		if (police_here)
			d.reason = police(st, policy, ue_slice, ue, ends, NULL,
					  len, where->now_ns);
		if (!d.reason)
			d.reason = SG_R_INTRA_SLICE;
		return d;
	}
	/* Decision 4: the host as source (egress hooks) does have rules. */
	if (ends[0].kind == PEER_EXTERNAL) {
		d.reason = SG_R_NO_RULE;
		return d;
	}
	/* Decision 5. */
	rule = find_rule(policy, ends[0], ends[1], p);
	if (!rule) {
		d.reason = SG_R_NO_RULE;
		return d;
	}
	d.rule = rule->id;
	d.via = *rule;
	/* Decision 6. */
	if (police_here)
		d.reason = police(st, policy, ue_slice, ue, ends, rule, len,
				  where->now_ns);
	if (d.reason)
		return d;
	/*
	 * Decision 7: a live entry of the same key whose rule still holds is
	 * another identity's (it did not count above) and keeps the key.
	 */
	flow_key_of(p, false, &held);
	if (flow_find(st, policy, &held, where->now_ns)) {
		d.reason = SG_R_FLOW_FULL;
		return d;
	}
	flow_insert(st, p, rule, ends, where->now_ns);
	d.reason = SG_R_RULE;
	return d;
}

/*
 * GTP-U (Parsing 6): @g points at the UDP payload, @avail bytes. Returns 0
 * with the inner packet set for a G-PDU, GTP_CONTROL, or a drop reason.
 */
static enum sg_reason parse_gtpu(struct pkt *p, const uint8_t *g, size_t avail,
				 const uint8_t **inner, size_t *inner_len)
{
	size_t off = 8, end;
	uint8_t next;
	int n;

	if (avail < 8 || g[0] >> 5 != 1 || !(g[0] & 0x10))
		return SG_R_MALFORMED;
	end = 8 + (size_t)get16(g + 2);
	if (end > avail)
		return SG_R_MALFORMED;
	if (g[1] != GTPU_G_PDU)
		return SG_R_GTP_CONTROL;
	if (g[0] & 0x07) {
		if (end < 12)
			return SG_R_MALFORMED;
		off = 12;
		next = (g[0] & 0x04) ? g[11] : 0;
		for (n = 0; next; n++) {
			size_t hlen;

			if (n == GTPU_MAX_EXTHDRS)
				return SG_R_EXTHDR_CHAIN;
			if (off + 1 > end || g[off] == 0)
				return SG_R_MALFORMED;
			hlen = (size_t)g[off] * 4;
			if (off + hlen > end)
				return SG_R_MALFORMED;
			next = g[off + hlen - 1];
			off += hlen;
		}
	}
	p->has_teid = true;
	p->teid = get32(g + 4);
	*inner = g + off;
	*inner_len = end - off;
	return 0;
}

/*
 * Issue 7, 6: a non-first fragment is checked like any packet (its source
 * and, without ports, its two ends), then takes the verdict its first
 * fragment stored at this hook and interface, only when that was given to
 * the same identity (ends, VLAN, TEID) and still holds in this generation;
 * and it is policed like the packets of a flow.
 */
static struct decision frag_follow(const struct sg_policy *policy,
				   const struct sg_ref_ctx *where,
				   const struct pkt *p, size_t len,
				   struct sg_ref_state *st)
{
	struct decision d = { 0 };
	const struct sg_slice *ue_slice, *s;
	struct sg_ref_frag *f;
	const uint8_t *ue;

	bool flows_only = false;

	d.reason = identify(policy, where, p, false, d.ends, &flows_only);
	if (d.reason)
		return d;
	f = frag_find(st, where, p);
	if (!f || f->expires <= where->now_ns ||
	    !ends_fit(policy, where, f->src_peer, f->dst_peer, d.ends, false) ||
	    f->vid != (p->has_vid ? p->vid : 0) ||
	    f->has_teid != p->has_teid ||
	    f->teid != (p->has_teid ? p->teid : 0) ||
	    (f->rule.id && !same_rule(policy, &f->rule))) {
		d.reason = SG_R_FRAG_NO_FIRST;
		return d;
	}
	if (f->reason == SG_R_INTRA_SLICE) {
		s = sg_policy_slice_by_id(policy, d.ends[0].id);
		if (!s || !s->ue_to_ue) {
			d.reason = SG_R_FRAG_NO_FIRST;
			return d;
		}
	}
	if (p->frag_off < f->l4_end) {
		d.reason = SG_R_FRAG_OVERLAP;
		return d;
	}
	adopt_ends(f->src_peer, f->dst_peer, d.ends, false);
	if (!at_egress(where)) {
		ue_slice = ue_side(policy, p, d.ends, &ue);
		d.reason = police(st, policy, ue_slice, ue, d.ends,
				  f->rule.id ? rule_by_id(policy, f->rule.id) :
					       NULL,
				  len, where->now_ns);
		if (d.reason)
			return d;
	}
	d.reason = f->reason;
	d.mark = f->mark;
	d.rule = f->rule.id;
	return d;
}

/* Forget the outer IP header but keep what Ethernet said. */
static void reset_ip(struct pkt *p)
{
	bool has_vid = p->has_vid;
	uint16_t vid = p->vid;

	memset(p, 0, sizeof(*p));
	p->has_vid = has_vid;
	p->vid = vid;
}

enum sg_reason sg_ref_decide(const struct sg_policy *policy,
			     const struct sg_ref_ctx *where,
			     const uint8_t *pkt, size_t len,
			     struct sg_ref_state *state,
			     uint32_t *mark_out, uint32_t *rule_out)
{
	const uint8_t *l3 = pkt + ETH_HLEN;
	struct pkt p = { 0 };
	struct decision d = { 0 };
	uint16_t ethertype;
	enum sg_reason r;
	bool tunnelled;
	size_t l3len;

	*mark_out = 0;
	*rule_out = 0;
	if (!policy)
		return SG_R_NO_POLICY;

	/* Parsing 1: Ethernet and VLAN tags. */
	if (len < ETH_HLEN)
		return SG_R_MALFORMED;
	ethertype = get16(pkt + 12);
	if (ethertype == ETHERTYPE_VLAN || ethertype == ETHERTYPE_QINQ) {
		if (len < ETH_HLEN + 4)
			return SG_R_MALFORMED;
		p.vid = get16(pkt + 14) & 0x0fff;
		p.has_vid = p.vid != 0;
		ethertype = get16(pkt + 16);
		l3 += 4;
		if (ethertype == ETHERTYPE_VLAN || ethertype == ETHERTYPE_QINQ)
			return SG_R_VLAN_STACKED;
	}
	l3len = len - (size_t)(l3 - pkt);

	/* Parsing 2. */
	if (ethertype == ETHERTYPE_ARP)
		return SG_R_NON_IP;
	if (ethertype != ETHERTYPE_IPV4 && ethertype != ETHERTYPE_IPV6)
		return SG_R_L3_UNKNOWN;
	/*
	 * Reading: the ethertype names the IP version; a header of the other
	 * version behind it is malformed.
	 */
	if (l3len < 1 ||
	    (l3[0] >> 4) != (ethertype == ETHERTYPE_IPV4 ? 4 : 6))
		return SG_R_MALFORMED;

	/* Parsing 3 and 4 on the outer packet (issue 7, 4: ND is later). */
	r = parse_ip(&p, l3, l3len);
	if (r)
		return r;
	tunnelled = where->hook == SG_REF_UPLINK &&
		    where->mode == SLICEGUARD_UPLINK_MODE_GTPU;
	/*
	 * "Uplink egress": a gtpu uplink's way out carries a UPF's tunnels,
	 * whose inner packets are not decided there: every packet is of no
	 * slice. Reading: once parsed, fragments included, as no slice ends
	 * an uplink packet before its fragment state. Not the reading that
	 * drops more for ARP: Parsing 1-4 hold for every program, and on an
	 * uplink's ingress too ARP passes whatever the unsliced setting.
	 */
	if (where->hook == SG_REF_UPLINK_EGRESS &&
	    where->mode == SLICEGUARD_UPLINK_MODE_GTPU) {
		d.reason = unsliced(where);
		goto out;
	}

	/* Parsing 6 with issue 7, 2. */
	if (tunnelled) {
		const uint8_t *inner, *l4;
		size_t inner_len, l4_len;

		/* A fragmented outer packet cannot be decided. */
		if (p.frag)
			return SG_R_FRAG_OUTER;
		/*
		 * UEs and apps are never the tunnel's endpoints, and the
		 * host's addresses never arrive from outside: an outer source
		 * of theirs is forged, whatever the packet carries.
		 */
		if (slice_by_ue(policy, p.family, p.src) ||
		    app_by_addr(policy, p.family, p.src) ||
		    host_holds(where, p.family, p.src)) {
			d.reason = SG_R_SPOOF;
			goto out;
		}
		/*
		 * Tunnel packets end at the UPF: one addressed to a UE or an
		 * app would be routed on, not decapsulated. One of the host's
		 * addresses (a UPF's on the host, inside a pool or an app's
		 * subnet) is where tunnels end.
		 */
		if ((slice_by_ue(policy, p.family, p.dst) ||
		     app_by_addr(policy, p.family, p.dst)) &&
		    !host_holds(where, p.family, p.dst)) {
			d.reason = SG_R_NO_SLICE;
			goto out;
		}
		/*
		 * Reading: the outer packet is no slice's and is not checked
		 * as ND: an outer ND message that is not GTP-U takes the
		 * unsliced setting like any other (issue 7, 4: ND no longer
		 * passes while parsing; only the inner packet is checked).
		 */
		if (p.proto != PROTO_UDP || p.dport != GTPU_PORT) {
			d.reason = unsliced(where);
			goto out;
		}
		l4 = l3 + p.l4_off + 8;
		l4_len = p.l4_len - 8;
		reset_ip(&p);
		r = parse_gtpu(&p, l4, l4_len, &inner, &inner_len);
		/* A control message belongs to no slice. */
		if (r == SG_R_GTP_CONTROL) {
			d.reason = where->unsliced == SLICEGUARD_UNSLICED_PASS ?
				   SG_R_GTP_CONTROL : SG_R_NO_SLICE;
			goto out;
		}
		if (r)
			return r;
		/* The inner packet goes through Parsing 3 and 4. */
		r = parse_ip(&p, inner, inner_len);
		if (r)
			return r;
	}

	/* Parsing 7 with issue 7, 6. */
	if (p.frag && !p.first_frag) {
		d = frag_follow(policy, where, &p, len, state);
		goto out;
	}
	d = decide(policy, where, &p, len, state);
	/* Issue 7, 6: only a first fragment that passed stores its verdict. */
	if (p.first_frag && sg_ref_reason_passes(d.reason))
		frag_store(state, where, &p, &d);
out:
	*rule_out = d.rule;
	*mark_out = sg_ref_reason_passes(d.reason) ? d.mark : 0;
	return d.reason;
}
