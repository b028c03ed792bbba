// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink client for the sliceguard.ko tests. libnl builds the requests and
 * resolves the family; replies, dumps, notifications and extended acks are
 * parsed here by hand so that nothing the kernel says is lost or reinterpreted.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>

#include "sg_test_nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

static void *xmalloc(size_t len)
{
	void *p = calloc(1, len ? len : 1);

	if (!p)
		abort();
	return p;
}

struct sg_nl *sg_open_at_port(uint32_t portid)
{
	struct sg_nl *nl = xmalloc(sizeof(*nl));
	int one = 1, err;

	errno = 0;
	nl->sk = nl_socket_alloc();
	if (nl->sk && portid)
		nl_socket_set_local_port(nl->sk, portid);
	if (!nl->sk || genl_connect(nl->sk))
		goto fail;
	nl_socket_enable_msg_peek(nl->sk);
	/* replies are matched to requests here, by sequence number */
	nl_socket_disable_seq_check(nl->sk);
	if (setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		       &one, sizeof(one)) ||
	    setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK,
		       &one, sizeof(one)))
		goto fail;
	nl->family = genl_ctrl_resolve(nl->sk, SLICEGUARD_FAMILY_NAME);
	nl->grp_config = genl_ctrl_resolve_grp(nl->sk, SLICEGUARD_FAMILY_NAME,
					       SLICEGUARD_MCGRP_CONFIG);
	if (nl->family < 0 || nl->grp_config < 0) {
		errno = ENOENT;
		goto fail;
	}
	nl->portid = nl_socket_get_local_port(nl->sk);
	return nl;
fail:
	err = errno ? errno : EIO;
	if (nl->sk)
		nl_socket_free(nl->sk);
	free(nl);
	errno = err;
	return NULL;
}

struct sg_nl *sg_open(void)
{
	return sg_open_at_port(0);
}

void sg_reply_free(struct sg_reply *r)
{
	free(r->attrs);
	memset(r, 0, sizeof(*r));
}

void sg_replies_free(struct sg_replies *rs)
{
	for (int i = 0; i < rs->n; i++)
		sg_reply_free(&rs->r[i]);
	free(rs->r);
	memset(rs, 0, sizeof(*rs));
}

void sg_close(struct sg_nl *nl)
{
	if (!nl)
		return;
	sg_reply_free(&nl->reply);
	sg_replies_free(&nl->dump);
	sg_replies_free(&nl->ntf);
	nl_socket_free(nl->sk);
	free(nl);
}

int sg_join_config(struct sg_nl *nl)
{
	int grp = nl->grp_config;

	if (setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK,
		       NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)))
		return -errno;
	return 0;
}

struct nl_msg *sg_msg(struct sg_nl *nl, uint8_t cmd, int flags)
{
	struct nl_msg *m = nlmsg_alloc_size(65536);

	if (!m || !genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
			       flags, cmd, SLICEGUARD_FAMILY_VERSION))
		abort();
	return m;
}

uint32_t sg_offset(struct nl_msg *m, const struct nlattr *nla)
{
	return (const char *)nla - (const char *)nlmsg_hdr(m);
}

uint32_t sg_put(struct nl_msg *m, int type, const void *data, int len)
{
	uint32_t off = NLMSG_ALIGN(nlmsg_hdr(m)->nlmsg_len);

	if (nla_put(m, type, len, data))
		abort();	/* a request larger than 64 KiB is a test bug */
	return off;
}

uint32_t sg_put_u8(struct nl_msg *m, int type, uint8_t v)
{
	return sg_put(m, type, &v, sizeof(v));
}

uint32_t sg_put_u16(struct nl_msg *m, int type, uint16_t v)
{
	return sg_put(m, type, &v, sizeof(v));
}

uint32_t sg_put_u32(struct nl_msg *m, int type, uint32_t v)
{
	return sg_put(m, type, &v, sizeof(v));
}

uint32_t sg_put_u64(struct nl_msg *m, int type, uint64_t v)
{
	return sg_put(m, type, &v, sizeof(v));
}

uint32_t sg_put_str(struct nl_msg *m, int type, const char *s)
{
	return sg_put(m, type, s, strlen(s) + 1);
}

struct nlattr *sg_nest(struct nl_msg *m, int type)
{
	struct nlattr *nest = nla_nest_start(m, type | NLA_F_NESTED);

	if (!nest)
		abort();
	return nest;
}

void sg_nest_end(struct nl_msg *m, struct nlattr *nest)
{
	nla_nest_end(m, nest);
}

uint32_t sg_put_prefix(struct nl_msg *m, int type, const char *cidr)
{
	char addr[SG_CIDR_LEN];
	unsigned char a6[16];
	struct nlattr *nest;
	struct in_addr a4;
	const char *slash;
	uint32_t off;

	slash = strchr(cidr, '/');
	if (!slash || (size_t)(slash - cidr) >= sizeof(addr))
		abort();
	memcpy(addr, cidr, slash - cidr);
	addr[slash - cidr] = '\0';
	nest = sg_nest(m, type);
	off = sg_offset(m, nest);
	if (inet_pton(AF_INET, addr, &a4) == 1)
		sg_put(m, SLICEGUARD_A_PREFIX_ADDR4, &a4, sizeof(a4));
	else if (inet_pton(AF_INET6, addr, a6) == 1)
		sg_put(m, SLICEGUARD_A_PREFIX_ADDR6, a6, sizeof(a6));
	else
		abort();
	sg_put_u8(m, SLICEGUARD_A_PREFIX_LEN, atoi(slash + 1));
	sg_nest_end(m, nest);
	return off;
}

uint32_t sg_put_range(struct nl_msg *m, int type, uint32_t first, uint32_t last)
{
	struct nlattr *nest = sg_nest(m, type);
	uint32_t off = sg_offset(m, nest);

	sg_put_u32(m, SLICEGUARD_A_RANGE_FIRST, first);
	sg_put_u32(m, SLICEGUARD_A_RANGE_LAST, last);
	sg_nest_end(m, nest);
	return off;
}

static void push_reply(struct sg_replies *rs, const struct nlmsghdr *h)
{
	const struct genlmsghdr *g = NLMSG_DATA(h);
	struct sg_reply *r;
	int len = h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;

	rs->r = realloc(rs->r, (rs->n + 1) * sizeof(*rs->r));
	if (!rs->r)
		abort();
	r = &rs->r[rs->n++];
	r->cmd = g->cmd;
	r->nlmsg_flags = h->nlmsg_flags;
	r->len = len > 0 ? len : 0;
	r->attrs = xmalloc(r->len);
	memcpy(r->attrs, (const char *)g + GENL_HDRLEN, r->len);
	if (h->nlmsg_flags & NLM_F_DUMP_INTR)
		rs->intr = true;
}

static void parse_ext_tlvs(struct sg_ext *ext, const void *tlvs, int len)
{
	const struct nlattr *nla;
	int rem;

	nla_for_each_attr(nla, (struct nlattr *)tlvs, len, rem) {
		switch (nla_type(nla)) {
		case NLMSGERR_ATTR_MSG:
			snprintf(ext->msg, sizeof(ext->msg), "%.*s",
				 nla_len(nla), (const char *)nla_data(nla));
			break;
		case NLMSGERR_ATTR_OFFS:
			ext->offs = nla_get_u32((struct nlattr *)nla);
			break;
		case NLMSGERR_ATTR_MISS_TYPE:
			ext->miss_type = nla_get_u32((struct nlattr *)nla);
			break;
		case NLMSGERR_ATTR_MISS_NEST:
			ext->miss_nest = nla_get_u32((struct nlattr *)nla);
			break;
		}
	}
}

static void parse_error(struct sg_ext *ext, const struct nlmsghdr *h)
{
	const struct nlmsgerr *e = NLMSG_DATA(h);
	const char *end = (const char *)h + h->nlmsg_len;
	const char *tlvs;

	memset(ext, 0, sizeof(*ext));
	ext->err = e->error;
	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	tlvs = (const char *)(e + 1);
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		tlvs += NLMSG_ALIGN(e->msg.nlmsg_len) - NLMSG_HDRLEN;
	if (tlvs < end)
		parse_ext_tlvs(ext, tlvs, end - tlvs);
}

static void parse_done(struct sg_ext *ext, const struct nlmsghdr *h)
{
	const char *end = (const char *)h + h->nlmsg_len;
	const char *p = NLMSG_DATA(h);

	memset(ext, 0, sizeof(*ext));
	if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(int)))
		ext->err = *(const int *)p;
	p += NLMSG_ALIGN(sizeof(int));
	if ((h->nlmsg_flags & NLM_F_ACK_TLVS) && p < end)
		parse_ext_tlvs(ext, p, end - p);
}

/*
 * Read one datagram; messages of sequence @seq go to @replies (dump parts or
 * the reply of a do), notifications (seq 0 from the kernel) to nl->ntf.
 * Returns 1 when the ack or the end of the dump arrived, 0 to read on, or a
 * negative errno if the socket failed.
 */
static int recv_one(struct sg_nl *nl, uint32_t seq, struct sg_replies *replies)
{
	struct sockaddr_nl peer;
	unsigned char *buf = NULL;
	struct nlmsghdr *h;
	int n, done = 0;

	n = nl_recv(nl->sk, &peer, &buf, NULL);
	if (n <= 0) {
		free(buf);
		return -EIO;
	}
	if (replies)
		replies->datagrams++;
	for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (unsigned int)n);
	     h = NLMSG_NEXT(h, n)) {
		if (h->nlmsg_seq == 0 && h->nlmsg_type == nl->family) {
			push_reply(&nl->ntf, h);
			continue;
		}
		if (h->nlmsg_seq != seq)
			continue;
		if (h->nlmsg_type == NLMSG_ERROR) {
			parse_error(&nl->ext, h);
			done = 1;
		} else if (h->nlmsg_type == NLMSG_DONE) {
			parse_done(&nl->ext, h);
			done = 1;
		} else if (h->nlmsg_type == nl->family && replies) {
			push_reply(replies, h);
		}
	}
	free(buf);
	return done;
}

static uint32_t send_msg(struct sg_nl *nl, struct nl_msg *m, int extra_flags)
{
	uint32_t seq;

	nlmsg_hdr(m)->nlmsg_flags |= extra_flags;
	nl_complete_msg(nl->sk, m);
	seq = nlmsg_hdr(m)->nlmsg_seq;
	if (nl_send(nl->sk, m) < 0)
		seq = 0;
	nlmsg_free(m);
	return seq;
}

int sg_do(struct sg_nl *nl, struct nl_msg *m)
{
	struct sg_replies rs = {};
	uint32_t seq;
	int ret;

	sg_reply_free(&nl->reply);
	memset(&nl->ext, 0, sizeof(nl->ext));
	seq = send_msg(nl, m, NLM_F_ACK);
	if (!seq)
		return -EIO;
	do {
		ret = recv_one(nl, seq, &rs);
	} while (ret == 0);
	if (rs.n) {
		nl->reply = rs.r[rs.n - 1];
		rs.r[rs.n - 1].attrs = NULL;
	}
	sg_replies_free(&rs);
	if (ret < 0)
		return ret;
	return nl->ext.err;
}

int sg_dump_start(struct sg_nl *nl, uint8_t cmd)
{
	sg_replies_free(&nl->dump);
	memset(&nl->ext, 0, sizeof(nl->ext));
	nl->dump_done = false;
	nl->dump_seq = send_msg(nl, sg_msg(nl, cmd, NLM_F_DUMP), 0);
	return nl->dump_seq ? 0 : -EIO;
}

int sg_dump_step(struct sg_nl *nl)
{
	int ret = recv_one(nl, nl->dump_seq, &nl->dump);

	if (ret > 0)
		nl->dump_done = true;
	return ret;
}

int sg_dump(struct sg_nl *nl, uint8_t cmd)
{
	int ret = sg_dump_start(nl, cmd);

	while (!ret)
		ret = sg_dump_step(nl);
	if (ret < 0)
		return ret;
	return nl->ext.err;
}

int sg_ntf_wait(struct sg_nl *nl, int timeout_ms)
{
	struct pollfd pfd = { .fd = nl_socket_get_fd(nl->sk), .events = POLLIN };
	int have = nl->ntf.n;

	while (nl->ntf.n == have) {
		if (poll(&pfd, 1, timeout_ms) <= 0)
			return -ETIMEDOUT;
		if (recv_one(nl, UINT32_MAX, NULL) < 0)
			return -EIO;
	}
	return 0;
}

int sg_ntf_pop(struct sg_nl *nl, struct sg_reply *out, int timeout_ms)
{
	if (!nl->ntf.n && sg_ntf_wait(nl, timeout_ms))
		return -ETIMEDOUT;
	*out = nl->ntf.r[0];
	memmove(&nl->ntf.r[0], &nl->ntf.r[1], (nl->ntf.n - 1) * sizeof(*out));
	nl->ntf.n--;
	return 0;
}

const struct nlattr *sg_attr(const struct sg_reply *r, int type)
{
	const struct nlattr *nla;
	int rem;

	nla_for_each_attr(nla, r->attrs, r->len, rem)
		if (nla_type(nla) == type)
			return nla;
	return NULL;
}

int sg_attr_count(const struct sg_reply *r, int type)
{
	const struct nlattr *nla;
	int rem, n = 0;

	nla_for_each_attr(nla, r->attrs, r->len, rem)
		n += nla_type(nla) == type;
	return n;
}

static uint64_t nla_uint(const struct nlattr *nla)
{
	const void *d = nla_data(nla);

	switch (nla_len(nla)) {
	case 1: return *(const uint8_t *)d;
	case 2: return *(const uint16_t *)d;
	case 4: return *(const uint32_t *)d;
	case 8: return *(const uint64_t *)d;
	}
	return UINT64_MAX;
}

uint64_t sg_get(const struct sg_reply *r, int type, uint64_t dflt)
{
	const struct nlattr *nla = sg_attr(r, type);

	return nla ? nla_uint(nla) : dflt;
}

static void put_endpoint(struct nl_msg *m, const struct sg_endpoint *ep)
{
	struct nlattr *nest = sg_nest(m, SLICEGUARD_A_APP_ENDPOINT);

	sg_put_prefix(m, SLICEGUARD_A_ENDPOINT_PREFIX, ep->prefix);
	if (ep->proto)
		sg_put_u8(m, SLICEGUARD_A_ENDPOINT_PROTO, ep->proto);
	if (ep->has_ports) {
		sg_put_u16(m, SLICEGUARD_A_ENDPOINT_PORT_FIRST, ep->port_first);
		sg_put_u16(m, SLICEGUARD_A_ENDPOINT_PORT_LAST, ep->port_last);
	}
	sg_nest_end(m, nest);
}

struct nl_msg *sg_slice_msg(struct sg_nl *nl, uint8_t cmd, int flags, const struct sg_slice *s)
{
	struct nl_msg *m = sg_msg(nl, cmd, flags);
	int i;

	if (s->id)
		sg_put_u32(m, SLICEGUARD_A_SLICE_ID, s->id);
	if (s->name[0])
		sg_put_str(m, SLICEGUARD_A_SLICE_NAME, s->name);
	sg_put_u8(m, SLICEGUARD_A_SLICE_SST, s->sst);
	if (s->has_sd)
		sg_put_u32(m, SLICEGUARD_A_SLICE_SD, s->sd);
	for (i = 0; s->ue_prefix[i][0]; i++)
		sg_put_prefix(m, SLICEGUARD_A_SLICE_UE_PREFIX, s->ue_prefix[i]);
	for (i = 0; s->vlan[i]; i++)
		sg_put_u16(m, SLICEGUARD_A_SLICE_VLAN, s->vlan[i]);
	for (i = 0; s->teid[i].first || s->teid[i].last; i++)
		sg_put_range(m, SLICEGUARD_A_SLICE_TEID_RANGE,
			     s->teid[i].first, s->teid[i].last);
	for (i = 0; i < s->n_dscp; i++)
		sg_put_u8(m, SLICEGUARD_A_SLICE_DSCP, s->dscp[i]);
	if (s->rate_bytes)
		sg_put_u64(m, SLICEGUARD_A_SLICE_RATE_BYTES, s->rate_bytes);
	if (s->burst_bytes)
		sg_put_u64(m, SLICEGUARD_A_SLICE_BURST_BYTES, s->burst_bytes);
	if (s->rate_packets)
		sg_put_u64(m, SLICEGUARD_A_SLICE_RATE_PACKETS, s->rate_packets);
	if (s->ue_rate_bytes)
		sg_put_u64(m, SLICEGUARD_A_SLICE_UE_RATE_BYTES, s->ue_rate_bytes);
	if (s->mark)
		sg_put_u32(m, SLICEGUARD_A_SLICE_MARK, s->mark);
	if (s->ue_to_ue)
		sg_put(m, SLICEGUARD_A_SLICE_UE_TO_UE, NULL, 0);	/* a flag */
	return m;
}

struct nl_msg *sg_app_msg(struct sg_nl *nl, uint8_t cmd, int flags, const struct sg_app *a)
{
	struct nl_msg *m = sg_msg(nl, cmd, flags);
	int i;

	if (a->id)
		sg_put_u32(m, SLICEGUARD_A_APP_ID, a->id);
	if (a->name[0])
		sg_put_str(m, SLICEGUARD_A_APP_NAME, a->name);
	for (i = 0; a->slice[i]; i++)
		sg_put_u32(m, SLICEGUARD_A_APP_SLICE, a->slice[i]);
	for (i = 0; a->ep[i].prefix[0]; i++)
		put_endpoint(m, &a->ep[i]);
	if (a->ifname[0])
		sg_put_str(m, SLICEGUARD_A_APP_IFNAME, a->ifname);
	if (a->rate_bytes)
		sg_put_u64(m, SLICEGUARD_A_APP_RATE_BYTES, a->rate_bytes);
	if (a->burst_bytes)
		sg_put_u64(m, SLICEGUARD_A_APP_BURST_BYTES, a->burst_bytes);
	if (a->rate_packets)
		sg_put_u64(m, SLICEGUARD_A_APP_RATE_PACKETS, a->rate_packets);
	return m;
}

/* Slices and apps are named by an id; any and host by none. */
static bool peer_has_id(uint32_t kind)
{
	return kind == SLICEGUARD_PEER_SLICE || kind == SLICEGUARD_PEER_APP;
}

struct nl_msg *sg_rule_msg(struct sg_nl *nl, uint8_t cmd, int flags, const struct sg_rule *r)
{
	struct nl_msg *m = sg_msg(nl, cmd, flags);

	if (r->id)
		sg_put_u32(m, SLICEGUARD_A_RULE_ID, r->id);
	sg_put_u32(m, SLICEGUARD_A_RULE_SRC_KIND, r->src_kind);
	if (peer_has_id(r->src_kind))
		sg_put_u32(m, SLICEGUARD_A_RULE_SRC_ID, r->src_id);
	sg_put_u32(m, SLICEGUARD_A_RULE_DST_KIND, r->dst_kind);
	if (peer_has_id(r->dst_kind))
		sg_put_u32(m, SLICEGUARD_A_RULE_DST_ID, r->dst_id);
	if (r->proto)
		sg_put_u8(m, SLICEGUARD_A_RULE_PROTO, r->proto);
	if (r->has_ports) {
		sg_put_u16(m, SLICEGUARD_A_RULE_PORT_FIRST, r->port_first);
		sg_put_u16(m, SLICEGUARD_A_RULE_PORT_LAST, r->port_last);
	}
	if (r->rate_bytes)
		sg_put_u64(m, SLICEGUARD_A_RULE_RATE_BYTES, r->rate_bytes);
	if (r->burst_bytes)
		sg_put_u64(m, SLICEGUARD_A_RULE_BURST_BYTES, r->burst_bytes);
	if (r->rate_packets)
		sg_put_u64(m, SLICEGUARD_A_RULE_RATE_PACKETS, r->rate_packets);
	return m;
}

struct nl_msg *sg_uplink_msg(struct sg_nl *nl, uint8_t cmd, int flags, const struct sg_uplink *u)
{
	struct nl_msg *m = sg_msg(nl, cmd, flags);

	sg_put_str(m, SLICEGUARD_A_UPLINK_IFNAME, u->ifname);
	sg_put_u32(m, SLICEGUARD_A_UPLINK_MODE, u->mode);
	sg_put_u32(m, SLICEGUARD_A_UPLINK_UNSLICED, u->unsliced);
	return m;
}

struct nl_msg *sg_key_msg(struct sg_nl *nl, uint8_t cmd, int key_type, uint32_t id)
{
	struct nl_msg *m = sg_msg(nl, cmd, 0);

	sg_put_u32(m, key_type, id);
	return m;
}

struct nl_msg *sg_name_msg(struct sg_nl *nl, uint8_t cmd, int key_type, const char *name)
{
	struct nl_msg *m = sg_msg(nl, cmd, 0);

	sg_put_str(m, key_type, name);
	return m;
}

static void fmt_prefix(const struct nlattr *nest, char *out)
{
	const struct nlattr *nla, *a4 = NULL, *a6 = NULL, *len = NULL;
	char addr[INET6_ADDRSTRLEN] = "?";
	int rem;

	nla_for_each_nested(nla, (struct nlattr *)nest, rem) {
		switch (nla_type(nla)) {
		case SLICEGUARD_A_PREFIX_ADDR4: a4 = nla; break;
		case SLICEGUARD_A_PREFIX_ADDR6: a6 = nla; break;
		case SLICEGUARD_A_PREFIX_LEN: len = nla; break;
		}
	}
	if (a4 && !a6 && nla_len(a4) == 4)
		inet_ntop(AF_INET, nla_data(a4), addr, sizeof(addr));
	else if (a6 && !a4 && nla_len(a6) == 16)
		inet_ntop(AF_INET6, nla_data(a6), addr, sizeof(addr));
	snprintf(out, SG_CIDR_LEN, "%s/%d", addr, len ? (int)nla_uint(len) : -1);
}

static void get_str(const struct sg_reply *r, int type, char *out, size_t len)
{
	const struct nlattr *nla = sg_attr(r, type);

	out[0] = '\0';
	if (nla)
		snprintf(out, len, "%.*s", nla_len(nla), (const char *)nla_data(nla));
}

void sg_slice_parse(const struct sg_reply *r, struct sg_slice *s)
{
	const struct nlattr *nla, *in;
	int rem, rem2, np = 0, nv = 0, nt = 0;

	memset(s, 0, sizeof(*s));
	s->id = sg_get(r, SLICEGUARD_A_SLICE_ID, 0);
	get_str(r, SLICEGUARD_A_SLICE_NAME, s->name, sizeof(s->name));
	s->sst = sg_get(r, SLICEGUARD_A_SLICE_SST, 0);
	s->has_sd = sg_attr(r, SLICEGUARD_A_SLICE_SD);
	s->sd = sg_get(r, SLICEGUARD_A_SLICE_SD, 0);
	nla_for_each_attr(nla, r->attrs, r->len, rem) {
		switch (nla_type(nla)) {
		case SLICEGUARD_A_SLICE_UE_PREFIX:
			if (np < SLICEGUARD_MAX_UE_PREFIXES)
				fmt_prefix(nla, s->ue_prefix[np++]);
			break;
		case SLICEGUARD_A_SLICE_VLAN:
			if (nv < SLICEGUARD_MAX_VLANS)
				s->vlan[nv++] = nla_uint(nla);
			break;
		case SLICEGUARD_A_SLICE_TEID_RANGE:
			if (nt >= SLICEGUARD_MAX_TEID_RANGES)
				break;
			nla_for_each_nested(in, (struct nlattr *)nla, rem2) {
				if (nla_type(in) == SLICEGUARD_A_RANGE_FIRST)
					s->teid[nt].first = nla_uint(in);
				if (nla_type(in) == SLICEGUARD_A_RANGE_LAST)
					s->teid[nt].last = nla_uint(in);
			}
			nt++;
			break;
		case SLICEGUARD_A_SLICE_DSCP:
			if (s->n_dscp < SLICEGUARD_MAX_DSCPS)
				s->dscp[s->n_dscp++] = nla_uint(nla);
			break;
		}
	}
	s->rate_bytes = sg_get(r, SLICEGUARD_A_SLICE_RATE_BYTES, 0);
	s->burst_bytes = sg_get(r, SLICEGUARD_A_SLICE_BURST_BYTES, 0);
	s->rate_packets = sg_get(r, SLICEGUARD_A_SLICE_RATE_PACKETS, 0);
	s->ue_rate_bytes = sg_get(r, SLICEGUARD_A_SLICE_UE_RATE_BYTES, 0);
	s->mark = sg_get(r, SLICEGUARD_A_SLICE_MARK, 0);
	s->ue_to_ue = sg_attr(r, SLICEGUARD_A_SLICE_UE_TO_UE) != NULL;
}

void sg_app_parse(const struct sg_reply *r, struct sg_app *a)
{
	const struct nlattr *nla, *in;
	int rem, rem2, ns = 0, ne = 0;

	memset(a, 0, sizeof(*a));
	a->id = sg_get(r, SLICEGUARD_A_APP_ID, 0);
	get_str(r, SLICEGUARD_A_APP_NAME, a->name, sizeof(a->name));
	get_str(r, SLICEGUARD_A_APP_IFNAME, a->ifname, sizeof(a->ifname));
	nla_for_each_attr(nla, r->attrs, r->len, rem) {
		struct sg_endpoint *ep;

		if (nla_type(nla) == SLICEGUARD_A_APP_SLICE && ns < SLICEGUARD_MAX_APP_SLICES)
			a->slice[ns++] = nla_uint(nla);
		if (nla_type(nla) != SLICEGUARD_A_APP_ENDPOINT || ne >= SLICEGUARD_MAX_ENDPOINTS)
			continue;
		ep = &a->ep[ne++];
		strcpy(ep->prefix, "none");
		ep->has_ports = true;
		ep->port_last = 65535;
		nla_for_each_nested(in, (struct nlattr *)nla, rem2) {
			switch (nla_type(in)) {
			case SLICEGUARD_A_ENDPOINT_PREFIX:
				fmt_prefix(in, ep->prefix);
				break;
			case SLICEGUARD_A_ENDPOINT_PROTO:
				ep->proto = nla_uint(in);
				break;
			case SLICEGUARD_A_ENDPOINT_PORT_FIRST:
				ep->port_first = nla_uint(in);
				break;
			case SLICEGUARD_A_ENDPOINT_PORT_LAST:
				ep->port_last = nla_uint(in);
				break;
			}
		}
	}
	a->rate_bytes = sg_get(r, SLICEGUARD_A_APP_RATE_BYTES, 0);
	a->burst_bytes = sg_get(r, SLICEGUARD_A_APP_BURST_BYTES, 0);
	a->rate_packets = sg_get(r, SLICEGUARD_A_APP_RATE_PACKETS, 0);
}

void sg_rule_parse(const struct sg_reply *r, struct sg_rule *rl)
{
	memset(rl, 0, sizeof(*rl));
	rl->id = sg_get(r, SLICEGUARD_A_RULE_ID, 0);
	rl->src_kind = sg_get(r, SLICEGUARD_A_RULE_SRC_KIND, UINT32_MAX);
	rl->src_id = sg_get(r, SLICEGUARD_A_RULE_SRC_ID, 0);
	rl->dst_kind = sg_get(r, SLICEGUARD_A_RULE_DST_KIND, UINT32_MAX);
	rl->dst_id = sg_get(r, SLICEGUARD_A_RULE_DST_ID, 0);
	rl->proto = sg_get(r, SLICEGUARD_A_RULE_PROTO, 0);
	rl->has_ports = true;
	rl->port_first = sg_get(r, SLICEGUARD_A_RULE_PORT_FIRST, 0);
	rl->port_last = sg_get(r, SLICEGUARD_A_RULE_PORT_LAST, 65535);
	rl->rate_bytes = sg_get(r, SLICEGUARD_A_RULE_RATE_BYTES, 0);
	rl->burst_bytes = sg_get(r, SLICEGUARD_A_RULE_BURST_BYTES, 0);
	rl->rate_packets = sg_get(r, SLICEGUARD_A_RULE_RATE_PACKETS, 0);
}

void sg_uplink_parse(const struct sg_reply *r, struct sg_uplink *u)
{
	memset(u, 0, sizeof(*u));
	get_str(r, SLICEGUARD_A_UPLINK_IFNAME, u->ifname, sizeof(u->ifname));
	u->mode = sg_get(r, SLICEGUARD_A_UPLINK_MODE, SLICEGUARD_UPLINK_MODE_IP);
	u->unsliced = sg_get(r, SLICEGUARD_A_UPLINK_UNSLICED, SLICEGUARD_UNSLICED_DROP);
}

/* Appends to a text buffer, never past its end. */
struct sg_text {
	char *buf;
	size_t len, used;
};

static void __attribute__((format(printf, 2, 3)))
text_add(struct sg_text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->used >= t->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->used, t->len - t->used, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->used += n;
}

char *sg_slice_fmt(const struct sg_slice *s, char *buf, size_t len)
{
	struct sg_text t = { buf, len, 0 };
	int i;

	buf[0] = '\0';
	text_add(&t, "slice id=%u name=%s sst=%u", s->id, s->name, s->sst);
	if (s->has_sd)
		text_add(&t, " sd=%u", s->sd);
	text_add(&t, " ue-prefix=");
	for (i = 0; s->ue_prefix[i][0]; i++)
		text_add(&t, "%s%s", i ? "," : "", s->ue_prefix[i]);
	text_add(&t, " vlan=");
	for (i = 0; s->vlan[i]; i++)
		text_add(&t, "%s%u", i ? "," : "", s->vlan[i]);
	text_add(&t, " teid=");
	for (i = 0; s->teid[i].first || s->teid[i].last; i++)
		text_add(&t, "%s%u-%u", i ? "," : "", s->teid[i].first, s->teid[i].last);
	text_add(&t, " dscp=");
	for (i = 0; i < s->n_dscp; i++)
		text_add(&t, "%s%u", i ? "," : "", s->dscp[i]);
	text_add(&t, " rate=%" PRIu64 "/%" PRIu64 "/%" PRIu64 " ue-rate=%" PRIu64
		 " mark=%u ue-to-ue=%u", s->rate_bytes, s->burst_bytes,
		 s->rate_packets, s->ue_rate_bytes, s->mark, s->ue_to_ue);
	return buf;
}

char *sg_app_fmt(const struct sg_app *a, char *buf, size_t len)
{
	struct sg_text t = { buf, len, 0 };
	int i;

	buf[0] = '\0';
	text_add(&t, "app id=%u name=%s slice=", a->id, a->name);
	for (i = 0; a->slice[i]; i++)
		text_add(&t, "%s%u", i ? "," : "", a->slice[i]);
	text_add(&t, " ep=");
	for (i = 0; a->ep[i].prefix[0]; i++) {
		const struct sg_endpoint *ep = &a->ep[i];

		text_add(&t, "%s%s:%u:%u-%u", i ? "," : "", ep->prefix, ep->proto,
			 ep->has_ports ? ep->port_first : 0,
			 ep->has_ports ? ep->port_last : 65535);
	}
	text_add(&t, " ifname=%s rate=%" PRIu64 "/%" PRIu64 "/%" PRIu64, a->ifname,
		 a->rate_bytes, a->burst_bytes, a->rate_packets);
	return buf;
}

char *sg_rule_fmt(const struct sg_rule *r, char *buf, size_t len)
{
	snprintf(buf, len, "rule id=%u src=%u:%u dst=%u:%u proto=%u ports=%u-%u rate=%"
		 PRIu64 "/%" PRIu64 "/%" PRIu64, r->id, r->src_kind,
		 peer_has_id(r->src_kind) ? r->src_id : 0,
		 r->dst_kind, peer_has_id(r->dst_kind) ? r->dst_id : 0,
		 r->proto, r->has_ports ? r->port_first : 0,
		 r->has_ports ? r->port_last : 65535,
		 r->rate_bytes, r->burst_bytes, r->rate_packets);
	return buf;
}

char *sg_uplink_fmt(const struct sg_uplink *u, char *buf, size_t len)
{
	snprintf(buf, len, "uplink ifname=%s mode=%u unsliced=%u", u->ifname,
		 u->mode, u->unsliced);
	return buf;
}

uint64_t sg_generation(struct sg_nl *nl)
{
	if (sg_do(nl, sg_msg(nl, SLICEGUARD_CMD_POLICY_GET, 0)))
		return UINT64_MAX;
	return sg_get(&nl->reply, SLICEGUARD_A_POLICY_GENERATION, UINT64_MAX);
}

char *sg_snapshot(struct sg_nl *nl)
{
	static const struct {
		uint8_t cmd;
		int gen_attr;
	} dumps[] = {
		{ SLICEGUARD_CMD_SLICE_GET, SLICEGUARD_A_SLICE_GENERATION },
		{ SLICEGUARD_CMD_APP_GET, SLICEGUARD_A_APP_GENERATION },
		{ SLICEGUARD_CMD_RULE_GET, SLICEGUARD_A_RULE_GENERATION },
		{ SLICEGUARD_CMD_UPLINK_GET, SLICEGUARD_A_UPLINK_GENERATION },
	};
	char *text = NULL, obj[4096];
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	const struct sg_reply *p;
	int a, i, err;

	if (!f)
		abort();
	err = sg_do(nl, sg_msg(nl, SLICEGUARD_CMD_POLICY_GET, 0));
	p = &nl->reply;
	fprintf(f, "policy-get: %d\n", err);
	for (a = SLICEGUARD_A_POLICY_GENERATION; !err && a <= SLICEGUARD_A_POLICY_MAX; a++)
		if (sg_attr(p, a))
			fprintf(f, " policy attr %d = %" PRIu64 "\n", a, sg_get(p, a, 0));
	for (i = 0; i < (int)(sizeof(dumps) / sizeof(dumps[0])); i++) {
		err = sg_dump(nl, dumps[i].cmd);
		fprintf(f, "dump %u: %d\n", dumps[i].cmd, err);
		for (a = 0; a < nl->dump.n; a++) {
			const struct sg_reply *r = &nl->dump.r[a];
			union {
				struct sg_slice s;
				struct sg_app a;
				struct sg_rule r;
				struct sg_uplink u;
			} o;

			switch (dumps[i].cmd) {
			case SLICEGUARD_CMD_SLICE_GET:
				sg_slice_parse(r, &o.s);
				sg_slice_fmt(&o.s, obj, sizeof(obj));
				break;
			case SLICEGUARD_CMD_APP_GET:
				sg_app_parse(r, &o.a);
				sg_app_fmt(&o.a, obj, sizeof(obj));
				break;
			case SLICEGUARD_CMD_RULE_GET:
				sg_rule_parse(r, &o.r);
				sg_rule_fmt(&o.r, obj, sizeof(obj));
				break;
			default:
				sg_uplink_parse(r, &o.u);
				sg_uplink_fmt(&o.u, obj, sizeof(obj));
				break;
			}
			fprintf(f, " %s gen=%" PRIu64 "\n", obj,
				sg_get(r, dumps[i].gen_attr, UINT64_MAX));
		}
	}
	fclose(f);
	return text;
}

static int param_path(const char *name, char *path, size_t len)
{
	return snprintf(path, len, "/sys/module/sliceguard/parameters/%s", name);
}

/* The number a sysfs or debugfs file holds; -1 on failure. */
static long read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

long sg_live_objects(void)
{
	return read_long("/sys/kernel/debug/sliceguard/live_objects");
}

#define FAIL_NTH "/sys/kernel/debug/sliceguard/fail_nth"

int sg_fail_nth_set(long n)
{
	FILE *f = fopen(FAIL_NTH, "w");
	int ok;

	if (!f)
		return -1;
	ok = fprintf(f, "%ld\n", n) > 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

long sg_fail_nth_left(void)
{
	return read_long(FAIL_NTH);
}

long sg_param_read(const char *name)
{
	char path[128];

	param_path(name, path, sizeof(path));
	return read_long(path);
}

int sg_param_write(const char *name, long value)
{
	char path[128];
	int ret;
	FILE *f;

	param_path(name, path, sizeof(path));
	f = fopen(path, "w");
	if (!f)
		return -errno;
	ret = fprintf(f, "%ld\n", value) < 0 ? -EIO : 0;
	if (fclose(f) && !ret)
		ret = -errno;
	return ret;
}

int sg_kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

int sg_kmsg_complaint(int fd, char *line, size_t len)
{
	static const char *const complaints[] = {
		"WARNING:", "BUG:", "kernel BUG", "Oops", "general protection",
		"refcount_t:", "list_add corruption", "list_del corruption",
		"UBSAN:", "use-after-free", "sleeping function called", "leaked",
	};
	char rec[8192];
	ssize_t n;

	while ((n = read(fd, rec, sizeof(rec) - 1)) != 0) {
		if (n < 0 && errno == EPIPE)
			continue;	/* records overwritten meanwhile */
		if (n < 0)
			break;
		rec[n] = '\0';
		for (size_t i = 0; i < sizeof(complaints) / sizeof(complaints[0]); i++) {
			if (strstr(rec, complaints[i])) {
				snprintf(line, len, "%.*s", (int)len - 1, rec);
				return 1;
			}
		}
	}
	return 0;
}
