// SPDX-License-Identifier: GPL-2.0
/*
 * sliceguard generic netlink codec over libnl-genl-3. Attribute layout
 * follows Documentation/netlink/specs/sliceguard.yaml; decoding walks every
 * attribute in order so multi-attrs keep the kernel's order.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>

#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>

#include "policy_nl.h"

#define __maybe_unused __attribute__((unused))

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* libnl error codes carry no errno; keep the kernel's when there is one. */
static int nlerr_to_errno(int err)
{
	switch (-err) {
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	case NLE_PERM:
		return -EPERM;
	case NLE_DUMP_INTR:
		return -EINTR;
	case NLE_MSGSIZE:
		return -EMSGSIZE;
	case NLE_AGAIN:
		return -EAGAIN;
	case NLE_INTR:
		return -EINTR;
	default:
		return -EIO;
	}
}

int sg_nl_open(struct sg_nl *nl)
{
	int one = 1, ret;

	memset(nl, 0, sizeof(*nl));
	nl->sock = nl_socket_alloc();
	if (!nl->sock)
		return -ENOMEM;
	ret = genl_connect(nl->sock);
	if (ret < 0) {
		ret = nlerr_to_errno(ret);
		goto err;
	}
	/* Best effort: an old kernel without extack still works. */
	setsockopt(nl_socket_get_fd(nl->sock), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(nl->sock), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));
	nl->family = genl_ctrl_resolve(nl->sock, SLICEGUARD_FAMILY_NAME);
	if (nl->family < 0) {
		ret = nl->family == -NLE_OBJ_NOTFOUND ? -ENOENT : nlerr_to_errno(nl->family);
		goto err;
	}
	return 0;
err:
	nl_socket_free(nl->sock);
	nl->sock = NULL;
	return ret;
}

void sg_nl_close(struct sg_nl *nl)
{
	if (nl->sock)
		nl_socket_free(nl->sock);
	nl->sock = NULL;
}

int sg_nl_subscribe(struct sg_nl *nl)
{
	int grp, ret;

	grp = genl_ctrl_resolve_grp(nl->sock, SLICEGUARD_FAMILY_NAME,
				    SLICEGUARD_MCGRP_CONFIG);
	if (grp < 0)
		return nlerr_to_errno(grp);
	nl_socket_disable_seq_check(nl->sock);
	ret = nl_socket_add_membership(nl->sock, grp);
	if (ret < 0)
		return ret == -NLE_PERM || ret == -NLE_NOACCESS ? -EPERM : nlerr_to_errno(ret);
	return 0;
}

struct nl_msg *sg_nl_msg(struct sg_nl *nl, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, flags,
			 cmd, SLICEGUARD_FAMILY_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* ---- encoding ---- */

static int put_prefix(struct nl_msg *msg, int type, const struct sg_prefix *p)
{
	struct nlattr *nest = nla_nest_start(msg, type);

	if (!nest)
		return -EMSGSIZE;
	if (p->family == AF_INET) {
		if (nla_put(msg, SLICEGUARD_A_PREFIX_ADDR4, 4, p->addr))
			return -EMSGSIZE;
	} else if (nla_put(msg, SLICEGUARD_A_PREFIX_ADDR6, 16, p->addr)) {
		return -EMSGSIZE;
	}
	if (nla_put_u8(msg, SLICEGUARD_A_PREFIX_LEN, p->len))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/*
 * A uint attribute (the spec's type uint, the kernel's NLA_UINT): 4 bytes
 * when the value fits, else 8, as nla_put_uint() does, so no pad attribute
 * is ever needed.
 */
int sg_nla_put_uint(struct nl_msg *msg, int type, uint64_t value)
{
	uint32_t v32 = (uint32_t)value;

	if (v32 == value)
		return nla_put_u32(msg, type, v32);
	return nla_put_u64(msg, type, value);
}

uint64_t sg_nla_get_uint(const struct nlattr *nla)
{
	return nla_len(nla) == sizeof(uint32_t) ? nla_get_u32((struct nlattr *)nla) :
						  nla_get_u64((struct nlattr *)nla);
}

/* Rates: absent means 0 (unlimited), so only non-zero ones are sent. */
static int put_rates(struct nl_msg *msg, int rate_type, uint64_t rate,
		     uint64_t burst, uint64_t pps)
{
	if (rate && sg_nla_put_uint(msg, rate_type, rate))
		return -EMSGSIZE;
	if (burst && sg_nla_put_uint(msg, rate_type + 1, burst))
		return -EMSGSIZE;
	if (pps && sg_nla_put_uint(msg, rate_type + 2, pps))
		return -EMSGSIZE;
	return 0;
}

int sg_nl_put_slice(struct nl_msg *msg, const struct sg_slice *s)
{
	struct nlattr *nest;
	unsigned int i;

	if (nla_put_u32(msg, SLICEGUARD_A_SLICE_ID, s->id) ||
	    nla_put_string(msg, SLICEGUARD_A_SLICE_NAME, s->name) ||
	    nla_put_u8(msg, SLICEGUARD_A_SLICE_SST, s->sst))
		return -EMSGSIZE;
	if (s->has_sd && nla_put_u32(msg, SLICEGUARD_A_SLICE_SD, s->sd))
		return -EMSGSIZE;
	for (i = 0; i < s->n_ue_prefixes; i++)
		if (put_prefix(msg, SLICEGUARD_A_SLICE_UE_PREFIX, &s->ue_prefixes[i]))
			return -EMSGSIZE;
	for (i = 0; i < s->n_vlans; i++)
		if (nla_put_u16(msg, SLICEGUARD_A_SLICE_VLAN, s->vlans[i]))
			return -EMSGSIZE;
	for (i = 0; i < s->n_teid_ranges; i++) {
		nest = nla_nest_start(msg, SLICEGUARD_A_SLICE_TEID_RANGE);
		if (!nest ||
		    nla_put_u32(msg, SLICEGUARD_A_RANGE_FIRST, s->teid_ranges[i].first) ||
		    nla_put_u32(msg, SLICEGUARD_A_RANGE_LAST, s->teid_ranges[i].last))
			return -EMSGSIZE;
		nla_nest_end(msg, nest);
	}
	for (i = 0; i < s->n_dscps; i++)
		if (nla_put_u8(msg, SLICEGUARD_A_SLICE_DSCP, s->dscps[i]))
			return -EMSGSIZE;
	if (put_rates(msg, SLICEGUARD_A_SLICE_RATE_BYTES, s->rate_bytes,
		      s->burst_bytes, s->rate_packets))
		return -EMSGSIZE;
	if (s->ue_rate_bytes &&
	    sg_nla_put_uint(msg, SLICEGUARD_A_SLICE_UE_RATE_BYTES, s->ue_rate_bytes))
		return -EMSGSIZE;
	if (s->mark && nla_put_u32(msg, SLICEGUARD_A_SLICE_MARK, s->mark))
		return -EMSGSIZE;
	if (s->ue_to_ue && nla_put_flag(msg, SLICEGUARD_A_SLICE_UE_TO_UE))
		return -EMSGSIZE;
	return 0;
}

int sg_nl_put_app(struct nl_msg *msg, const struct sg_app *a)
{
	const struct sg_endpoint *e;
	struct nlattr *nest;
	unsigned int i;

	if (nla_put_u32(msg, SLICEGUARD_A_APP_ID, a->id) ||
	    nla_put_string(msg, SLICEGUARD_A_APP_NAME, a->name))
		return -EMSGSIZE;
	for (i = 0; i < a->n_slices; i++)
		if (nla_put_u32(msg, SLICEGUARD_A_APP_SLICE, a->slices[i]))
			return -EMSGSIZE;
	for (i = 0; i < a->n_endpoints; i++) {
		e = &a->endpoints[i];
		nest = nla_nest_start(msg, SLICEGUARD_A_APP_ENDPOINT);
		if (!nest || put_prefix(msg, SLICEGUARD_A_ENDPOINT_PREFIX, &e->prefix))
			return -EMSGSIZE;
		if (e->proto && nla_put_u8(msg, SLICEGUARD_A_ENDPOINT_PROTO, e->proto))
			return -EMSGSIZE;
		if (e->port_first != 0 || e->port_last != 65535) {
			if (nla_put_u16(msg, SLICEGUARD_A_ENDPOINT_PORT_FIRST, e->port_first) ||
			    nla_put_u16(msg, SLICEGUARD_A_ENDPOINT_PORT_LAST, e->port_last))
				return -EMSGSIZE;
		}
		nla_nest_end(msg, nest);
	}
	if (a->ifname[0] && nla_put_string(msg, SLICEGUARD_A_APP_IFNAME, a->ifname))
		return -EMSGSIZE;
	return put_rates(msg, SLICEGUARD_A_APP_RATE_BYTES, a->rate_bytes,
			 a->burst_bytes, a->rate_packets);
}

int sg_nl_put_rule(struct nl_msg *msg, const struct sg_rule *r)
{
	if (r->id && nla_put_u32(msg, SLICEGUARD_A_RULE_ID, r->id))
		return -EMSGSIZE;
	if (nla_put_u32(msg, SLICEGUARD_A_RULE_SRC_KIND, r->src_kind) ||
	    (sg_peer_has_id(r->src_kind) &&
	     nla_put_u32(msg, SLICEGUARD_A_RULE_SRC_ID, r->src_id)) ||
	    nla_put_u32(msg, SLICEGUARD_A_RULE_DST_KIND, r->dst_kind))
		return -EMSGSIZE;
	if (sg_peer_has_id(r->dst_kind) &&
	    nla_put_u32(msg, SLICEGUARD_A_RULE_DST_ID, r->dst_id))
		return -EMSGSIZE;
	if (r->proto && nla_put_u8(msg, SLICEGUARD_A_RULE_PROTO, r->proto))
		return -EMSGSIZE;
	if (r->port_first != 0 || r->port_last != 65535) {
		if (nla_put_u16(msg, SLICEGUARD_A_RULE_PORT_FIRST, r->port_first) ||
		    nla_put_u16(msg, SLICEGUARD_A_RULE_PORT_LAST, r->port_last))
			return -EMSGSIZE;
	}
	return put_rates(msg, SLICEGUARD_A_RULE_RATE_BYTES, r->rate_bytes,
			 r->burst_bytes, r->rate_packets);
}

int sg_nl_put_uplink(struct nl_msg *msg, const struct sg_uplink *u)
{
	if (nla_put_string(msg, SLICEGUARD_A_UPLINK_IFNAME, u->ifname) ||
	    nla_put_u32(msg, SLICEGUARD_A_UPLINK_MODE, u->mode) ||
	    nla_put_u32(msg, SLICEGUARD_A_UPLINK_UNSLICED, u->unsliced))
		return -EMSGSIZE;
	return 0;
}

int sg_nl_put_key(struct nl_msg *msg, uint32_t id, const char *name)
{
	/* Slice and app share the attribute numbers of id (1) and name (2). */
	if (id)
		return nla_put_u32(msg, SLICEGUARD_A_SLICE_ID, id) ? -EMSGSIZE : 0;
	return nla_put_string(msg, SLICEGUARD_A_SLICE_NAME, name) ? -EMSGSIZE : 0;
}

/* ---- decoding ---- */

/* Fixed-size attributes must have exactly their size. */
static bool len_ok(const struct nlattr *nla, int len)
{
	return nla_len(nla) == len;
}

static int get_string(const struct nlattr *nla, char *buf, size_t size)
{
	size_t len = nla_len(nla);
	const char *s = nla_data(nla);

	if (!len || s[len - 1] != '\0' || len > size)
		return -EPROTO;
	memcpy(buf, s, len);
	return 0;
}

static int get_prefix(struct nlattr *nest, struct sg_prefix *p)
{
	struct nlattr *nla;
	bool have_len = false;
	int rem;

	memset(p, 0, sizeof(*p));
	nla_for_each_nested(nla, nest, rem) {
		switch (nla_type(nla)) {
		case SLICEGUARD_A_PREFIX_ADDR4:
			if (!len_ok(nla, 4))
				return -EPROTO;
			p->family = AF_INET;
			memcpy(p->addr, nla_data(nla), 4);
			break;
		case SLICEGUARD_A_PREFIX_ADDR6:
			if (!len_ok(nla, 16))
				return -EPROTO;
			p->family = AF_INET6;
			memcpy(p->addr, nla_data(nla), 16);
			break;
		case SLICEGUARD_A_PREFIX_LEN:
			if (!len_ok(nla, 1))
				return -EPROTO;
			p->len = nla_get_u8(nla);
			have_len = true;
			break;
		}
	}
	return p->family && have_len ? 0 : -EPROTO;
}

/* Typed getters that check the attribute's length first. */
#define GET(nla, bits, dst)						\
	do {								\
		if (!len_ok(nla, (bits) / 8))				\
			return -EPROTO;					\
		(dst) = nla_get_u##bits(nla);				\
	} while (0)

/* A uint: 4 or 8 bytes. */
#define GET_UINT(nla, dst)						\
	do {								\
		if (!len_ok(nla, 4) && !len_ok(nla, 8))			\
			return -EPROTO;					\
		(dst) = sg_nla_get_uint(nla);				\
	} while (0)

static int meta_attr(struct sg_nl_object *obj, struct nlattr *nla, int gen_type)
{
	if (nla_type(nla) == gen_type) {
		GET_UINT(nla, obj->generation);
		obj->has_generation = true;
	} else if (nla_type(nla) == gen_type + 1) {
		GET(nla, 32, obj->change);
		obj->has_change = true;
	}
	return 0;
}

static int parse_slice(struct nlattr *attrs, int len, struct sg_nl_object *obj)
{
	struct sg_slice *s = &obj->slice;
	struct nlattr *nla, *sub;
	int rem, srem;

	nla_for_each_attr(nla, attrs, len, rem) {
		switch (nla_type(nla)) {
		case SLICEGUARD_A_SLICE_ID:
			GET(nla, 32, s->id);
			break;
		case SLICEGUARD_A_SLICE_NAME:
			if (get_string(nla, s->name, sizeof(s->name)))
				return -EPROTO;
			break;
		case SLICEGUARD_A_SLICE_SST:
			GET(nla, 8, s->sst);
			break;
		case SLICEGUARD_A_SLICE_SD:
			GET(nla, 32, s->sd);
			s->has_sd = true;
			break;
		case SLICEGUARD_A_SLICE_UE_PREFIX:
			if (s->n_ue_prefixes == SLICEGUARD_MAX_UE_PREFIXES)
				return -E2BIG;
			if (get_prefix(nla, &s->ue_prefixes[s->n_ue_prefixes++]))
				return -EPROTO;
			break;
		case SLICEGUARD_A_SLICE_VLAN:
			if (s->n_vlans == SLICEGUARD_MAX_VLANS)
				return -E2BIG;
			GET(nla, 16, s->vlans[s->n_vlans++]);
			break;
		case SLICEGUARD_A_SLICE_TEID_RANGE: {
			struct sg_range *r;

			if (s->n_teid_ranges == SLICEGUARD_MAX_TEID_RANGES)
				return -E2BIG;
			r = &s->teid_ranges[s->n_teid_ranges++];
			nla_for_each_nested(sub, nla, srem) {
				if (nla_type(sub) == SLICEGUARD_A_RANGE_FIRST)
					GET(sub, 32, r->first);
				else if (nla_type(sub) == SLICEGUARD_A_RANGE_LAST)
					GET(sub, 32, r->last);
			}
			break;
		}
		case SLICEGUARD_A_SLICE_DSCP:
			if (s->n_dscps == SLICEGUARD_MAX_DSCPS)
				return -E2BIG;
			GET(nla, 8, s->dscps[s->n_dscps++]);
			break;
		case SLICEGUARD_A_SLICE_RATE_BYTES:
			GET_UINT(nla, s->rate_bytes);
			break;
		case SLICEGUARD_A_SLICE_BURST_BYTES:
			GET_UINT(nla, s->burst_bytes);
			break;
		case SLICEGUARD_A_SLICE_RATE_PACKETS:
			GET_UINT(nla, s->rate_packets);
			break;
		case SLICEGUARD_A_SLICE_UE_RATE_BYTES:
			GET_UINT(nla, s->ue_rate_bytes);
			break;
		case SLICEGUARD_A_SLICE_MARK:
			GET(nla, 32, s->mark);
			break;
		case SLICEGUARD_A_SLICE_UE_TO_UE:
			if (!len_ok(nla, 0))
				return -EPROTO;
			s->ue_to_ue = true;
			break;
		default:
			if (meta_attr(obj, nla, SLICEGUARD_A_SLICE_GENERATION))
				return -EPROTO;
		}
	}
	return 0;
}

static int parse_endpoint(struct nlattr *nest, struct sg_endpoint *e)
{
	struct nlattr *nla;
	bool have_prefix = false;
	int rem;

	e->port_last = 65535;
	nla_for_each_nested(nla, nest, rem) {
		switch (nla_type(nla)) {
		case SLICEGUARD_A_ENDPOINT_PREFIX:
			if (get_prefix(nla, &e->prefix))
				return -EPROTO;
			have_prefix = true;
			break;
		case SLICEGUARD_A_ENDPOINT_PROTO:
			GET(nla, 8, e->proto);
			break;
		case SLICEGUARD_A_ENDPOINT_PORT_FIRST:
			GET(nla, 16, e->port_first);
			break;
		case SLICEGUARD_A_ENDPOINT_PORT_LAST:
			GET(nla, 16, e->port_last);
			break;
		}
	}
	return have_prefix ? 0 : -EPROTO;
}

static int parse_app(struct nlattr *attrs, int len, struct sg_nl_object *obj)
{
	struct sg_app *a = &obj->app;
	struct nlattr *nla;
	int rem;

	nla_for_each_attr(nla, attrs, len, rem) {
		switch (nla_type(nla)) {
		case SLICEGUARD_A_APP_ID:
			GET(nla, 32, a->id);
			break;
		case SLICEGUARD_A_APP_NAME:
			if (get_string(nla, a->name, sizeof(a->name)))
				return -EPROTO;
			break;
		case SLICEGUARD_A_APP_SLICE:
			if (a->n_slices == SLICEGUARD_MAX_APP_SLICES)
				return -E2BIG;
			GET(nla, 32, a->slices[a->n_slices++]);
			break;
		case SLICEGUARD_A_APP_ENDPOINT:
			if (a->n_endpoints == SLICEGUARD_MAX_ENDPOINTS)
				return -E2BIG;
			if (parse_endpoint(nla, &a->endpoints[a->n_endpoints++]))
				return -EPROTO;
			break;
		case SLICEGUARD_A_APP_IFNAME:
			if (get_string(nla, a->ifname, sizeof(a->ifname)))
				return -EPROTO;
			break;
		case SLICEGUARD_A_APP_RATE_BYTES:
			GET_UINT(nla, a->rate_bytes);
			break;
		case SLICEGUARD_A_APP_BURST_BYTES:
			GET_UINT(nla, a->burst_bytes);
			break;
		case SLICEGUARD_A_APP_RATE_PACKETS:
			GET_UINT(nla, a->rate_packets);
			break;
		default:
			if (meta_attr(obj, nla, SLICEGUARD_A_APP_GENERATION))
				return -EPROTO;
		}
	}
	return 0;
}

static int parse_rule(struct nlattr *attrs, int len, struct sg_nl_object *obj)
{
	struct sg_rule *r = &obj->rule;
	struct nlattr *nla;
	int rem;

	r->port_last = 65535;
	nla_for_each_attr(nla, attrs, len, rem) {
		switch (nla_type(nla)) {
		case SLICEGUARD_A_RULE_ID:
			GET(nla, 32, r->id);
			break;
		case SLICEGUARD_A_RULE_SRC_KIND:
			GET(nla, 32, r->src_kind);
			break;
		case SLICEGUARD_A_RULE_SRC_ID:
			GET(nla, 32, r->src_id);
			break;
		case SLICEGUARD_A_RULE_DST_KIND:
			GET(nla, 32, r->dst_kind);
			break;
		case SLICEGUARD_A_RULE_DST_ID:
			GET(nla, 32, r->dst_id);
			break;
		case SLICEGUARD_A_RULE_PROTO:
			GET(nla, 8, r->proto);
			break;
		case SLICEGUARD_A_RULE_PORT_FIRST:
			GET(nla, 16, r->port_first);
			break;
		case SLICEGUARD_A_RULE_PORT_LAST:
			GET(nla, 16, r->port_last);
			break;
		case SLICEGUARD_A_RULE_RATE_BYTES:
			GET_UINT(nla, r->rate_bytes);
			break;
		case SLICEGUARD_A_RULE_BURST_BYTES:
			GET_UINT(nla, r->burst_bytes);
			break;
		case SLICEGUARD_A_RULE_RATE_PACKETS:
			GET_UINT(nla, r->rate_packets);
			break;
		default:
			if (meta_attr(obj, nla, SLICEGUARD_A_RULE_GENERATION))
				return -EPROTO;
		}
	}
	return 0;
}

static int parse_uplink(struct nlattr *attrs, int len, struct sg_nl_object *obj)
{
	struct sg_uplink *u = &obj->uplink;
	struct nlattr *nla;
	int rem;

	nla_for_each_attr(nla, attrs, len, rem) {
		switch (nla_type(nla)) {
		case SLICEGUARD_A_UPLINK_IFNAME:
			if (get_string(nla, u->ifname, sizeof(u->ifname)))
				return -EPROTO;
			break;
		case SLICEGUARD_A_UPLINK_MODE:
			GET(nla, 32, u->mode);
			break;
		case SLICEGUARD_A_UPLINK_UNSLICED:
			GET(nla, 32, u->unsliced);
			break;
		default:
			if (meta_attr(obj, nla, SLICEGUARD_A_UPLINK_GENERATION))
				return -EPROTO;
		}
	}
	return 0;
}

static int parse_policy(struct nlattr *attrs, int len, struct sg_nl_object *obj)
{
	struct sg_policy_info *p = &obj->policy;
	struct nlattr *nla;
	int rem;

	nla_for_each_attr(nla, attrs, len, rem) {
		switch (nla_type(nla)) {
		case SLICEGUARD_A_POLICY_GENERATION:
			GET_UINT(nla, p->generation);
			obj->generation = p->generation;
			obj->has_generation = true;
			break;
		case SLICEGUARD_A_POLICY_TX_PORTID:
			GET(nla, 32, p->tx_portid);
			p->has_tx_portid = true;
			break;
		case SLICEGUARD_A_POLICY_CHANGES:
			GET(nla, 32, p->changes);
			break;
		case SLICEGUARD_A_POLICY_PORTID:
			GET(nla, 32, p->portid);
			break;
		case SLICEGUARD_A_POLICY_N_SLICES:
			GET(nla, 32, p->n_slices);
			break;
		case SLICEGUARD_A_POLICY_N_APPS:
			GET(nla, 32, p->n_apps);
			break;
		case SLICEGUARD_A_POLICY_N_RULES:
			GET(nla, 32, p->n_rules);
			break;
		case SLICEGUARD_A_POLICY_N_UPLINKS:
			GET(nla, 32, p->n_uplinks);
			break;
		case SLICEGUARD_A_POLICY_MAX_SLICES:
			GET(nla, 32, p->max_slices);
			break;
		case SLICEGUARD_A_POLICY_MAX_APPS:
			GET(nla, 32, p->max_apps);
			break;
		case SLICEGUARD_A_POLICY_MAX_RULES:
			GET(nla, 32, p->max_rules);
			break;
		case SLICEGUARD_A_POLICY_MAX_UPLINKS:
			GET(nla, 32, p->max_uplinks);
			break;
		}
	}
	return 0;
}

int sg_nl_parse(struct nlmsghdr *nlh, struct sg_nl_object *obj)
{
	struct genlmsghdr *gnlh;
	struct nlattr *attrs;
	int len;

	memset(obj, 0, sizeof(*obj));
	if (!genlmsg_valid_hdr(nlh, 0))
		return -EPROTO;
	gnlh = nlmsg_data(nlh);
	attrs = genlmsg_attrdata(gnlh, 0);
	len = genlmsg_attrlen(gnlh, 0);
	obj->cmd = gnlh->cmd;
	switch (gnlh->cmd) {
	case SLICEGUARD_CMD_SLICE_GET:
	case SLICEGUARD_CMD_SLICE_NEW:
	case SLICEGUARD_CMD_SLICE_SET:
	case SLICEGUARD_CMD_SLICE_NTF:
		obj->kind = SG_NL_SLICE;
		return parse_slice(attrs, len, obj);
	case SLICEGUARD_CMD_APP_GET:
	case SLICEGUARD_CMD_APP_NEW:
	case SLICEGUARD_CMD_APP_SET:
	case SLICEGUARD_CMD_APP_NTF:
		obj->kind = SG_NL_APP;
		return parse_app(attrs, len, obj);
	case SLICEGUARD_CMD_RULE_GET:
	case SLICEGUARD_CMD_RULE_NEW:
	case SLICEGUARD_CMD_RULE_SET:
	case SLICEGUARD_CMD_RULE_NTF:
		obj->kind = SG_NL_RULE;
		return parse_rule(attrs, len, obj);
	case SLICEGUARD_CMD_UPLINK_GET:
	case SLICEGUARD_CMD_UPLINK_NEW:
	case SLICEGUARD_CMD_UPLINK_SET:
	case SLICEGUARD_CMD_UPLINK_NTF:
		obj->kind = SG_NL_UPLINK;
		return parse_uplink(attrs, len, obj);
	case SLICEGUARD_CMD_TX_BEGIN:
	case SLICEGUARD_CMD_TX_COMMIT:
	case SLICEGUARD_CMD_POLICY_GET:
	case SLICEGUARD_CMD_POLICY_FLUSH:
	case SLICEGUARD_CMD_COMMIT_NTF:
		obj->kind = SG_NL_POLICY;
		return parse_policy(attrs, len, obj);
	}
	return -EPROTO;
}

/* ---- requests ---- */

struct request {
	struct sg_nl *nl;
	sg_nl_reply_fn reply;
	void *arg;
	int error;
	bool done, interrupted;
};

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct request *req = arg;
	int ret;

	if (!req->reply)
		return NL_OK;
	ret = req->reply(nlmsg_hdr(msg), req->arg);
	if (ret < 0) {
		req->error = ret;
		req->done = true;
		return NL_STOP;
	}
	return NL_OK;
}

/* Keep reading to the end of the dump, then report it as interrupted. */
static int on_dump_intr(struct nl_msg *msg __maybe_unused, void *arg)
{
	struct request *req = arg;

	req->interrupted = true;
	return NL_OK;
}

/* Keep the extack message; with NETLINK_CAP_ACK the request is not echoed. */
static void take_extack(struct sg_nl *nl, struct nlmsgerr *err)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)err - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t off = sizeof(*err);
	int len;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += err->msg.nlmsg_len - NLMSG_HDRLEN;
	len = (int)nlh->nlmsg_len - NLMSG_HDRLEN - (int)off;
	if (len <= 0)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)err + off),
		      len, NULL))
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		get_string(tb[NLMSGERR_ATTR_MSG], nl->extack, sizeof(nl->extack));
}

static int on_done(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct request *req = arg;
	int *status;

	/* An ack may carry a warning: the extack message of a success. */
	if (nlh->nlmsg_type == NLMSG_ERROR)
		take_extack(req->nl, nlmsg_data(nlh));
	/* A dump that failed part way ends in NLMSG_DONE carrying the errno. */
	if (nlh->nlmsg_type == NLMSG_DONE && nlmsg_datalen(nlh) >= (int)sizeof(int)) {
		status = nlmsg_data(nlh);
		if (*status < 0)
			req->error = *status;
	}
	req->done = true;
	return NL_STOP;
}

static int on_error(struct sockaddr_nl *nla __maybe_unused, struct nlmsgerr *err, void *arg)
{
	struct request *req = arg;

	req->error = err->error;
	req->done = true;
	if (err->error)
		take_extack(req->nl, err);
	return NL_STOP;
}

int sg_nl_request(struct sg_nl *nl, struct nl_msg *msg, sg_nl_reply_fn reply,
		  void *arg)
{
	struct request req = { .nl = nl, .reply = reply, .arg = arg };
	struct nl_cb *cb;
	int ret;

	nl->extack[0] = '\0';
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &req);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_done, &req);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_done, &req);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, on_dump_intr, &req);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &req);

	ret = nl_send_auto(nl->sock, msg);
	nlmsg_free(msg);
	if (ret < 0) {
		ret = nlerr_to_errno(ret);
		goto out;
	}
	while (!req.done) {
		ret = nl_recvmsgs(nl->sock, cb);
		if (ret < 0 && !req.done) {
			ret = nlerr_to_errno(ret);
			goto out;
		}
	}
	ret = req.error;
	if (!ret && req.interrupted)
		ret = -EINTR;
out:
	nl_cb_put(cb);
	return ret;
}

static int policy_reply(struct nlmsghdr *nlh, void *arg)
{
	struct sg_nl_object obj;
	int ret = sg_nl_parse(nlh, &obj);

	if (ret)
		return ret;
	if (obj.kind != SG_NL_POLICY)
		return -EPROTO;
	*(struct sg_policy_info *)arg = obj.policy;
	return 0;
}

int sg_nl_policy_get(struct sg_nl *nl, struct sg_policy_info *info)
{
	struct nl_msg *msg = sg_nl_msg(nl, SLICEGUARD_CMD_POLICY_GET, 0);

	if (!msg)
		return -ENOMEM;
	memset(info, 0, sizeof(*info));
	return sg_nl_request(nl, msg, policy_reply, info);
}

int sg_nl_tx(struct sg_nl *nl, uint8_t cmd, uint64_t *generation)
{
	struct nl_msg *msg = sg_nl_msg(nl, cmd, 0);
	struct sg_policy_info info = {};
	int ret;

	if (!msg)
		return -ENOMEM;
	ret = sg_nl_request(nl, msg, policy_reply, &info);
	if (!ret && generation)
		*generation = info.generation;
	return ret;
}

/* Append each dumped object to the policy. */
static int dump_reply(struct nlmsghdr *nlh, void *arg)
{
	struct sg_policy *policy = arg;
	struct sg_nl_object obj;
	int ret = sg_nl_parse(nlh, &obj);
	void *dst;

	if (ret)
		return ret;
	switch (obj.kind) {
	case SG_NL_SLICE:
		dst = sg_policy_add_slice(policy);
		if (dst)
			memcpy(dst, &obj.slice, sizeof(obj.slice));
		break;
	case SG_NL_APP:
		dst = sg_policy_add_app(policy);
		if (dst)
			memcpy(dst, &obj.app, sizeof(obj.app));
		break;
	case SG_NL_RULE:
		dst = sg_policy_add_rule(policy);
		if (dst)
			memcpy(dst, &obj.rule, sizeof(obj.rule));
		break;
	case SG_NL_UPLINK:
		dst = sg_policy_add_uplink(policy);
		if (dst)
			memcpy(dst, &obj.uplink, sizeof(obj.uplink));
		break;
	default:
		return -EPROTO;
	}
	return dst ? 0 : -ENOMEM;
}

#define SG_DUMP_TRIES 16

int sg_nl_dump_policy(struct sg_nl *nl, struct sg_policy *policy)
{
	static const uint8_t cmds[] = {
		SLICEGUARD_CMD_SLICE_GET, SLICEGUARD_CMD_APP_GET,
		SLICEGUARD_CMD_RULE_GET, SLICEGUARD_CMD_UPLINK_GET,
	};
	struct sg_policy_info before, after;
	struct nl_msg *msg;
	unsigned int i;
	int tries, ret;

	for (tries = 0; tries < SG_DUMP_TRIES; tries++) {
		sg_policy_free(policy);
		ret = sg_nl_policy_get(nl, &before);
		for (i = 0; !ret && i < sizeof(cmds); i++) {
			msg = sg_nl_msg(nl, cmds[i], NLM_F_DUMP);
			if (!msg)
				return -ENOMEM;
			ret = sg_nl_request(nl, msg, dump_reply, policy);
		}
		if (!ret)
			ret = sg_nl_policy_get(nl, &after);
		/*
		 * Each dump alone is consistent (NLM_F_DUMP_INTR); the same
		 * generation before and after makes the four of them one.
		 */
		if (!ret && before.generation == after.generation) {
			policy->generation = after.generation;
			return 0;
		}
		if (ret && ret != -EINTR)
			return ret;
	}
	sg_policy_free(policy);
	return -EAGAIN;
}

struct notification {
	sg_nl_reply_fn fn;
	void *arg;
	int error;
};

static int on_any_seq(struct nl_msg *msg __maybe_unused, void *arg __maybe_unused)
{
	return NL_OK;
}

static int on_notification(struct nl_msg *msg, void *arg)
{
	struct notification *n = arg;
	int ret = n->fn(nlmsg_hdr(msg), n->arg);

	if (ret < 0) {
		n->error = ret;
		return NL_STOP;
	}
	return NL_OK;
}

int sg_nl_recv(struct sg_nl *nl, sg_nl_reply_fn fn, void *arg)
{
	struct notification n = { .fn = fn, .arg = arg };
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int ret;

	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_notification, &n);
	/* Notifications carry sequence number 0, never the one we expect. */
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, on_any_seq, NULL);
	ret = nl_recvmsgs(nl->sock, cb);
	nl_cb_put(cb);
	if (n.error)
		return n.error;
	return ret < 0 ? nlerr_to_errno(ret) : 0;
}
