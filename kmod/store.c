// SPDX-License-Identifier: GPL-2.0
/*
 * sliceguard policy store: object parsing and filling, policy containers,
 * integrity checks. See Documentation/policy-store.rst for the semantics and
 * the exact extack texts, which tests assert.
 */
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/ipv6.h>
#include <net/netlink.h>

#include "sliceguard-nl-gen.h"
#include "store.h"

const char * const slg_kind_names[SLG_N_KINDS] = {
	[SLG_SLICE]	= "slice",
	[SLG_APP]	= "app",
	[SLG_RULE]	= "rule",
	[SLG_UPLINK]	= "uplink",
};

static const size_t slg_obj_sizes[SLG_N_KINDS] = {
	[SLG_SLICE]	= sizeof(struct slg_slice),
	[SLG_APP]	= sizeof(struct slg_app),
	[SLG_RULE]	= sizeof(struct slg_rule),
	[SLG_UPLINK]	= sizeof(struct slg_uplink),
};

#define slg_slice_of(o)		container_of_const(o, struct slg_slice, obj)
#define slg_app_of(o)		container_of_const(o, struct slg_app, obj)
#define slg_rule_of(o)		container_of_const(o, struct slg_rule, obj)
#define slg_uplink_of(o)	container_of_const(o, struct slg_uplink, obj)

/* At commit there is no request: checks point extack at no attribute. */
static const struct slg_req_attrs slg_no_req_attrs;

/* A single-valued request attribute, or NULL at commit. */
static const struct nlattr *slg_req_attr(const struct slg_req_attrs *req,
					 int type)
{
	return req->info ? req->info->attrs[type] : NULL;
}

/*
 * Allocation failure injection, for tests (Debian's kernel has no
 * failslab): after N is written to debugfs sliceguard/fail_nth, the N-th
 * allocation the module makes fails, once, as fault-injection's fail-nth
 * does for a task. Every allocation of the module asks here first.
 */
atomic_t slg_fail_nth = ATOMIC_INIT(0);

bool slg_fail_alloc(void)
{
	return atomic_dec_if_positive(&slg_fail_nth) == 0;
}

/*
 * Store memory is charged to the writer's memory cgroup, like every
 * kernel object a user space request makes.
 */
static struct slg_obj *slg_obj_alloc(enum slg_kind kind)
{
	struct slg_obj *obj;

	obj = slg_fail_alloc() ? NULL : kzalloc(slg_obj_sizes[kind], GFP_KERNEL_ACCOUNT);
	if (!obj)
		return NULL;
	obj->kind = kind;
	atomic_long_inc(&slg_live_objects);
	return obj;
}

/**
 * slg_obj_free() - free a policy object
 * @obj: object no policy holds any more, or NULL
 */
void slg_obj_free(struct slg_obj *obj)
{
	if (!obj)
		return;
	kfree(obj);
	atomic_long_dec(&slg_live_objects);
}

/* Containers */

/**
 * slg_policy_alloc() - allocate an empty policy
 *
 * Return: the policy, or NULL when out of memory.
 */
struct slg_policy *slg_policy_alloc(void)
{
	struct slg_policy *pol;

	pol = slg_fail_alloc() ? NULL : kzalloc(sizeof(*pol), GFP_KERNEL_ACCOUNT);
	if (!pol)
		return NULL;
	xa_init(&pol->objs[SLG_SLICE]);
	xa_init(&pol->objs[SLG_APP]);
	/* rule-new without an id takes the lowest free id >= 1 */
	xa_init_flags(&pol->objs[SLG_RULE], XA_FLAGS_ALLOC1);
	return pol;
}

/**
 * slg_policy_holds() - whether a policy holds exactly this object
 * @pol: policy
 * @obj: object
 *
 * Return: true when @pol stores @obj itself (not merely one with its key).
 */
bool slg_policy_holds(struct slg_policy *pol, const struct slg_obj *obj)
{
	return slg_policy_find(pol, obj->kind, &obj->ident) == obj;
}

/**
 * slg_policy_free() - free a policy and the objects only it holds
 * @pol: policy to free
 * @keep: policy sharing objects with @pol, whose objects survive; or NULL
 */
void slg_policy_free(struct slg_policy *pol, struct slg_policy *keep)
{
	struct slg_obj *obj;
	unsigned long idx;
	unsigned int i;
	int kind;

	for (kind = 0; kind < SLG_N_ID_KINDS; kind++) {
		xa_for_each(&pol->objs[kind], idx, obj)
			if (!keep || !slg_policy_holds(keep, obj))
				slg_obj_free(obj);
		xa_destroy(&pol->objs[kind]);
	}
	for (i = 0; i < pol->n[SLG_UPLINK]; i++) {
		obj = &pol->uplinks[i]->obj;
		if (!keep || !slg_policy_holds(keep, obj))
			slg_obj_free(obj);
	}
	kfree(pol->uplinks);
	kfree(pol);
}

/**
 * slg_policy_clone() - copy a policy, sharing its objects
 * @src: policy to copy
 *
 * The copy holds the same objects as @src; writes to either store new
 * objects, so sharing is safe. Free the copy with slg_policy_free() keeping
 * the objects of whichever policy survives.
 *
 * Return: the copy, or NULL when out of memory.
 */
struct slg_policy *slg_policy_clone(struct slg_policy *src)
{
	struct slg_policy *dst;
	struct slg_obj *obj;
	unsigned long idx;
	int kind, err;

	dst = slg_policy_alloc();
	if (!dst)
		return NULL;
	for (kind = 0; kind < SLG_N_ID_KINDS; kind++) {
		xa_for_each(&src->objs[kind], idx, obj) {
			err = slg_fail_alloc() ? -ENOMEM :
			      xa_err(xa_store(&dst->objs[kind], idx, obj,
					      GFP_KERNEL_ACCOUNT));
			if (err)
				goto err_free;
		}
	}
	if (src->n[SLG_UPLINK]) {
		dst->uplinks = slg_fail_alloc() ? NULL :
			       kmemdup_array(src->uplinks, src->n[SLG_UPLINK],
					     sizeof(*src->uplinks),
					     GFP_KERNEL_ACCOUNT);
		if (!dst->uplinks)
			goto err_free;
	}
	memcpy(dst->n, src->n, sizeof(dst->n));
	return dst;

err_free:
	slg_policy_free(dst, src);
	return NULL;
}

/* Index of the uplink named @name, or of where it would be inserted. */
static unsigned int slg_uplink_pos(struct slg_policy *pol, const char *name,
				   bool *found)
{
	unsigned int lo = 0, hi = pol->n[SLG_UPLINK];

	*found = false;
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		int cmp = strcmp(name, pol->uplinks[mid]->obj.ident.name);

		if (!cmp) {
			*found = true;
			return mid;
		}
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/**
 * slg_policy_find() - look an object up by its key
 * @pol: policy
 * @kind: kind of object
 * @ident: its id, or for uplinks its name
 *
 * Return: the object, or NULL.
 */
struct slg_obj *slg_policy_find(struct slg_policy *pol, enum slg_kind kind,
				const struct slg_ident *ident)
{
	unsigned int pos;
	bool found;

	if (kind != SLG_UPLINK)
		return xa_load(&pol->objs[kind], ident->id);
	pos = slg_uplink_pos(pol, ident->name, &found);
	return found ? &pol->uplinks[pos]->obj : NULL;
}

/**
 * slg_policy_find_name() - look a slice or app up by name
 * @pol: policy
 * @kind: SLG_SLICE or SLG_APP
 * @name: name
 *
 * Return: the first object of @kind in key order named @name, or NULL.
 */
struct slg_obj *slg_policy_find_name(struct slg_policy *pol,
				     enum slg_kind kind, const char *name)
{
	struct slg_obj *obj;

	slg_policy_for_each(pol, kind, obj)
		if (!strcmp(obj->ident.name, name))
			return obj;
	return NULL;
}

/**
 * slg_policy_next() - walk a policy's objects of one kind in key order
 * @pol: policy
 * @kind: kind of object
 * @after: key of the previous object, which need not exist any more;
 *	NULL for the first object
 *
 * Return: the object following @after in key order, or NULL.
 */
struct slg_obj *slg_policy_next(struct slg_policy *pol, enum slg_kind kind,
				const struct slg_ident *after)
{
	unsigned long idx;
	unsigned int pos;
	bool found;

	if (kind != SLG_UPLINK) {
		idx = after ? (unsigned long)after->id + 1 : 0;
		return xa_find(&pol->objs[kind], &idx, ULONG_MAX, XA_PRESENT);
	}
	if (!after) {
		pos = 0;
	} else {
		pos = slg_uplink_pos(pol, after->name, &found);
		if (found)
			pos++;
	}
	return pos < pol->n[SLG_UPLINK] ? &pol->uplinks[pos]->obj : NULL;
}

/**
 * slg_policy_store() - store an object, replacing the one with its key
 * @pol: policy
 * @obj: new object
 *
 * Return: the replaced object (now the caller's), NULL if there was none,
 * or an ERR_PTR() when out of memory (then @pol is unchanged).
 */
struct slg_obj *slg_policy_store(struct slg_policy *pol, struct slg_obj *obj)
{
	struct slg_uplink **uplinks;
	struct slg_obj *old;
	unsigned int pos, n;
	bool found;

	if (obj->kind != SLG_UPLINK) {
		if (slg_fail_alloc())
			return ERR_PTR(-ENOMEM);
		old = xa_store(&pol->objs[obj->kind], obj->ident.id, obj,
			       GFP_KERNEL_ACCOUNT);
		if (xa_is_err(old))
			return ERR_PTR(xa_err(old));
		if (!old)
			pol->n[obj->kind]++;
		return old;
	}

	pos = slg_uplink_pos(pol, obj->ident.name, &found);
	if (found) {
		old = &pol->uplinks[pos]->obj;
		pol->uplinks[pos] = slg_uplink_of(obj);
		return old;
	}
	n = pol->n[SLG_UPLINK];
	uplinks = slg_fail_alloc() ? NULL :
		  krealloc_array(pol->uplinks, n + 1, sizeof(*uplinks),
				 GFP_KERNEL_ACCOUNT);
	if (!uplinks)
		return ERR_PTR(-ENOMEM);
	memmove(&uplinks[pos + 1], &uplinks[pos],
		(n - pos) * sizeof(*uplinks));
	uplinks[pos] = slg_uplink_of(obj);
	pol->uplinks = uplinks;
	pol->n[SLG_UPLINK]++;
	return NULL;
}

/**
 * slg_policy_store_new_rule() - store a rule under the lowest free id
 * @pol: policy
 * @obj: rule whose id is to be chosen; gets the id
 *
 * Return: 0, or -ENOMEM or -EBUSY (no free id).
 */
int slg_policy_store_new_rule(struct slg_policy *pol, struct slg_obj *obj)
{
	int err;
	u32 id;

	err = slg_fail_alloc() ? -ENOMEM :
	      xa_alloc(&pol->objs[SLG_RULE], &id, obj,
		       XA_LIMIT(1, SLICEGUARD_MAX_RULE_ID), GFP_KERNEL_ACCOUNT);
	if (err)
		return err;
	obj->ident.id = id;
	pol->n[SLG_RULE]++;
	return 0;
}

/**
 * slg_policy_erase() - remove an object from a policy
 * @pol: policy holding @obj
 * @obj: object, which the caller then owns
 */
void slg_policy_erase(struct slg_policy *pol, struct slg_obj *obj)
{
	unsigned int pos;
	bool found;

	if (obj->kind != SLG_UPLINK) {
		xa_erase(&pol->objs[obj->kind], obj->ident.id);
	} else {
		pos = slg_uplink_pos(pol, obj->ident.name, &found);
		memmove(&pol->uplinks[pos], &pol->uplinks[pos + 1],
			(pol->n[SLG_UPLINK] - pos - 1) * sizeof(*pol->uplinks));
	}
	pol->n[obj->kind]--;
}

/* Parsing */

static int slg_too_many(struct netlink_ext_ack *extack,
			const struct nlattr *attr, const char *what)
{
	NL_SET_ERR_MSG_ATTR_FMT(extack, attr, "too many %s", what);
	return -E2BIG;
}

static int slg_duplicate(struct netlink_ext_ack *extack,
			 const struct nlattr *attr, const char *what)
{
	NL_SET_ERR_MSG_ATTR_FMT(extack, attr, "duplicate %s", what);
	return -EINVAL;
}

static bool slg_prefix_has_host_bits(const struct slg_prefix *p)
{
	unsigned int i, bytes = p->v6 ? 16 : 4;

	for (i = 0; i < bytes; i++) {
		int bits = clamp_t(int, p->len - 8 * i, 0, 8);
		u8 mask = bits ? 0xff << (8 - bits) : 0;

		if (p->addr.s6_addr[i] & ~mask)
			return true;
	}
	return false;
}

static bool slg_prefix_equal(const struct slg_prefix *a,
			     const struct slg_prefix *b)
{
	return a->v6 == b->v6 && a->len == b->len &&
	       ipv6_addr_equal(&a->addr, &b->addr);
}

static bool slg_prefix_overlap(const struct slg_prefix *a,
			       const struct slg_prefix *b)
{
	return a->v6 == b->v6 &&
	       ipv6_prefix_equal(&a->addr, &b->addr, min(a->len, b->len));
}

static int slg_parse_prefix(const struct nlattr *nest, struct slg_prefix *p,
			    struct netlink_ext_ack *extack)
{
	struct nlattr *tb[SLICEGUARD_A_PREFIX_MAX + 1];
	const struct nlattr *addr;
	int err;

	err = nla_parse_nested(tb, SLICEGUARD_A_PREFIX_MAX, nest,
			       sliceguard_prefix_nl_policy, extack);
	if (err)
		return err;
	if (!tb[SLICEGUARD_A_PREFIX_ADDR4] == !tb[SLICEGUARD_A_PREFIX_ADDR6]) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "prefix needs exactly one of addr4 and addr6");
		return -EINVAL;
	}
	if (NL_REQ_ATTR_CHECK(extack, nest, tb, SLICEGUARD_A_PREFIX_LEN))
		return -EINVAL;

	memset(p, 0, sizeof(*p));
	p->len = nla_get_u8(tb[SLICEGUARD_A_PREFIX_LEN]);
	if (tb[SLICEGUARD_A_PREFIX_ADDR4]) {
		addr = tb[SLICEGUARD_A_PREFIX_ADDR4];
		p->addr.s6_addr32[0] = nla_get_in_addr(addr);
	} else {
		addr = tb[SLICEGUARD_A_PREFIX_ADDR6];
		p->addr = nla_get_in6_addr(addr);
		p->v6 = true;
	}
	if (p->len > (p->v6 ? 128 : 32)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SLICEGUARD_A_PREFIX_LEN],
				    "prefix length out of range");
		return -ERANGE;
	}
	if (slg_prefix_has_host_bits(p)) {
		NL_SET_ERR_MSG_ATTR(extack, addr, "prefix has host bits set");
		return -EINVAL;
	}
	/*
	 * IPv4 packets are matched by IPv4 prefixes: a prefix inside
	 * ::ffff:0:0/96 only ever matches IPv6 packets forged with a mapped
	 * address, which is never what the operator meant.
	 */
	if (p->v6 && p->len >= 96 && ipv6_addr_v4mapped(&p->addr)) {
		NL_SET_ERR_MSG_ATTR(extack, addr,
				    "IPv4-mapped IPv6 prefix never matches a packet; give the IPv4 prefix");
		return -EINVAL;
	}
	return 0;
}

static int slg_parse_range(const struct nlattr *nest, struct slg_range *r,
			   struct netlink_ext_ack *extack)
{
	struct nlattr *tb[SLICEGUARD_A_RANGE_MAX + 1];
	int err;

	err = nla_parse_nested(tb, SLICEGUARD_A_RANGE_MAX, nest,
			       sliceguard_range_nl_policy, extack);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(extack, nest, tb, SLICEGUARD_A_RANGE_FIRST) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, SLICEGUARD_A_RANGE_LAST))
		return -EINVAL;
	r->first = nla_get_u32(tb[SLICEGUARD_A_RANGE_FIRST]);
	r->last = nla_get_u32(tb[SLICEGUARD_A_RANGE_LAST]);
	if (r->first > r->last) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SLICEGUARD_A_RANGE_LAST],
				    "range first is above last");
		return -EINVAL;
	}
	return 0;
}

/* Protocol and destination port range shared by endpoints and rules. */
static int slg_parse_ports(const struct nlattr *proto_attr,
			   const struct nlattr *first_attr,
			   const struct nlattr *last_attr,
			   u8 *proto, u16 *first, u16 *last,
			   struct netlink_ext_ack *extack)
{
	*proto = proto_attr ? nla_get_u8(proto_attr) : 0;
	*first = first_attr ? nla_get_u16(first_attr) : 0;
	*last = last_attr ? nla_get_u16(last_attr) : U16_MAX;

	if (*first > *last) {
		NL_SET_ERR_MSG_ATTR(extack, last_attr,
				    "range first is above last");
		return -EINVAL;
	}
	if ((*first || *last != U16_MAX) && *proto != IPPROTO_TCP &&
	    *proto != IPPROTO_UDP && *proto != IPPROTO_SCTP) {
		NL_SET_ERR_MSG_ATTR(extack, *first ? first_attr : last_attr,
				    "ports need tcp, udp or sctp");
		return -EINVAL;
	}
	return 0;
}

static u64 slg_get_uint(const struct nlattr *attr)
{
	return attr ? nla_get_uint(attr) : 0;
}

static int slg_parse_slice(struct slg_slice *s, struct slg_req_attrs *req)
{
	const struct nlattr *head = genlmsg_data(req->info->genlhdr);
	struct netlink_ext_ack *extack = req->info->extack;
	int rem, err, len = genlmsg_len(req->info->genlhdr);
	struct nlattr **tb = req->info->attrs;
	const struct nlattr *a;
	unsigned int i;
	u16 vlan;
	u8 dscp;

	s->sst = nla_get_u8(tb[SLICEGUARD_A_SLICE_SST]);
	if (tb[SLICEGUARD_A_SLICE_SD]) {
		s->has_sd = true;
		s->sd = nla_get_u32(tb[SLICEGUARD_A_SLICE_SD]);
	}
	s->rate_bytes = slg_get_uint(tb[SLICEGUARD_A_SLICE_RATE_BYTES]);
	s->burst_bytes = slg_get_uint(tb[SLICEGUARD_A_SLICE_BURST_BYTES]);
	s->rate_packets = slg_get_uint(tb[SLICEGUARD_A_SLICE_RATE_PACKETS]);
	s->ue_rate_bytes = slg_get_uint(tb[SLICEGUARD_A_SLICE_UE_RATE_BYTES]);
	if (tb[SLICEGUARD_A_SLICE_MARK])
		s->mark = nla_get_u32(tb[SLICEGUARD_A_SLICE_MARK]);
	s->ue_to_ue = nla_get_flag(tb[SLICEGUARD_A_SLICE_UE_TO_UE]);

	nla_for_each_attr_type(a, SLICEGUARD_A_SLICE_UE_PREFIX, head, len, rem) {
		struct slg_prefix *p;

		if (s->n_ue_prefixes == SLICEGUARD_MAX_UE_PREFIXES)
			return slg_too_many(extack, a, "ue-prefix");
		p = &s->ue_prefixes[s->n_ue_prefixes];
		err = slg_parse_prefix(a, p, extack);
		if (err)
			return err;
		for (i = 0; i < s->n_ue_prefixes; i++) {
			if (slg_prefix_equal(&s->ue_prefixes[i], p))
				return slg_duplicate(extack, a, "ue-prefix");
			/* one would hide the other: say which is meant */
			if (slg_prefix_overlap(&s->ue_prefixes[i], p)) {
				NL_SET_ERR_MSG_ATTR(extack, a,
						    "ue-prefix overlaps another of the slice");
				return -EINVAL;
			}
		}
		req->ue_prefix[s->n_ue_prefixes++] = a;
	}

	nla_for_each_attr_type(a, SLICEGUARD_A_SLICE_VLAN, head, len, rem) {
		if (s->n_vlans == SLICEGUARD_MAX_VLANS)
			return slg_too_many(extack, a, "vlan");
		vlan = nla_get_u16(a);
		for (i = 0; i < s->n_vlans; i++)
			if (s->vlans[i] == vlan)
				return slg_duplicate(extack, a, "vlan");
		req->vlan[s->n_vlans] = a;
		s->vlans[s->n_vlans++] = vlan;
	}

	nla_for_each_attr_type(a, SLICEGUARD_A_SLICE_TEID_RANGE, head, len, rem) {
		struct slg_range *r;

		if (s->n_teid_ranges == SLICEGUARD_MAX_TEID_RANGES)
			return slg_too_many(extack, a, "teid-range");
		r = &s->teid_ranges[s->n_teid_ranges];
		err = slg_parse_range(a, r, extack);
		if (err)
			return err;
		for (i = 0; i < s->n_teid_ranges; i++) {
			if (s->teid_ranges[i].first == r->first &&
			    s->teid_ranges[i].last == r->last)
				return slg_duplicate(extack, a, "teid-range");
			if (s->teid_ranges[i].first <= r->last &&
			    r->first <= s->teid_ranges[i].last) {
				NL_SET_ERR_MSG_ATTR(extack, a,
						    "teid-range overlaps another of the slice");
				return -EINVAL;
			}
		}
		req->teid_range[s->n_teid_ranges++] = a;
	}

	nla_for_each_attr_type(a, SLICEGUARD_A_SLICE_DSCP, head, len, rem) {
		if (s->n_dscps == SLICEGUARD_MAX_DSCPS)
			return slg_too_many(extack, a, "dscp");
		dscp = nla_get_u8(a);
		for (i = 0; i < s->n_dscps; i++)
			if (s->dscps[i] == dscp)
				return slg_duplicate(extack, a, "dscp");
		req->dscp[s->n_dscps] = a;
		s->dscps[s->n_dscps++] = dscp;
	}
	return 0;
}

/*
 * An interface name as the kernel names devices (dev_valid_name()): not
 * empty, ".", "..", nor with '/', ':' or white space, which would not name
 * a device and, written to the kernel log, could split its lines.
 */
static int slg_parse_ifname(const struct nlattr *attr, char *name,
			    size_t size, struct netlink_ext_ack *extack)
{
	nla_strscpy(name, attr, size);
	if (!dev_valid_name(name)) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "invalid interface name");
		return -EINVAL;
	}
	return 0;
}

static int slg_parse_endpoint(const struct nlattr *nest,
			      struct slg_endpoint *ep,
			      struct netlink_ext_ack *extack)
{
	struct nlattr *tb[SLICEGUARD_A_ENDPOINT_MAX + 1];
	int err;

	err = nla_parse_nested(tb, SLICEGUARD_A_ENDPOINT_MAX, nest,
			       sliceguard_endpoint_nl_policy, extack);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(extack, nest, tb, SLICEGUARD_A_ENDPOINT_PREFIX))
		return -EINVAL;
	err = slg_parse_prefix(tb[SLICEGUARD_A_ENDPOINT_PREFIX], &ep->prefix,
			       extack);
	if (err)
		return err;
	return slg_parse_ports(tb[SLICEGUARD_A_ENDPOINT_PROTO],
			       tb[SLICEGUARD_A_ENDPOINT_PORT_FIRST],
			       tb[SLICEGUARD_A_ENDPOINT_PORT_LAST],
			       &ep->proto, &ep->port_first, &ep->port_last,
			       extack);
}

static int slg_parse_app(struct slg_app *app, struct slg_req_attrs *req)
{
	const struct nlattr *head = genlmsg_data(req->info->genlhdr);
	struct netlink_ext_ack *extack = req->info->extack;
	int rem, err, len = genlmsg_len(req->info->genlhdr);
	struct nlattr **tb = req->info->attrs;
	const struct nlattr *a;
	unsigned int i;
	u32 slice;

	nla_for_each_attr_type(a, SLICEGUARD_A_APP_SLICE, head, len, rem) {
		if (app->n_slices == SLICEGUARD_MAX_APP_SLICES)
			return slg_too_many(extack, a, "slice");
		slice = nla_get_u32(a);
		for (i = 0; i < app->n_slices; i++)
			if (app->slices[i] == slice)
				return slg_duplicate(extack, a, "slice");
		req->slice[app->n_slices] = a;
		app->slices[app->n_slices++] = slice;
	}

	nla_for_each_attr_type(a, SLICEGUARD_A_APP_ENDPOINT, head, len, rem) {
		struct slg_endpoint *ep;

		if (app->n_endpoints == SLICEGUARD_MAX_ENDPOINTS)
			return slg_too_many(extack, a, "endpoint");
		ep = &app->endpoints[app->n_endpoints];
		err = slg_parse_endpoint(a, ep, extack);
		if (err)
			return err;
		for (i = 0; i < app->n_endpoints; i++)
			if (!memcmp(&app->endpoints[i], ep, sizeof(*ep)))
				return slg_duplicate(extack, a, "endpoint");
		req->endpoint[app->n_endpoints++] = a;
	}

	if (tb[SLICEGUARD_A_APP_IFNAME]) {
		err = slg_parse_ifname(tb[SLICEGUARD_A_APP_IFNAME], app->ifname,
				       sizeof(app->ifname), extack);
		if (err)
			return err;
	}
	app->rate_bytes = slg_get_uint(tb[SLICEGUARD_A_APP_RATE_BYTES]);
	app->burst_bytes = slg_get_uint(tb[SLICEGUARD_A_APP_BURST_BYTES]);
	app->rate_packets = slg_get_uint(tb[SLICEGUARD_A_APP_RATE_PACKETS]);
	return 0;
}

/* Slices and apps are objects with an id; any and host name none. */
static bool slg_peer_has_id(u32 kind)
{
	return kind == SLICEGUARD_PEER_SLICE || kind == SLICEGUARD_PEER_APP;
}

static int slg_parse_rule(struct slg_rule *r, struct genl_info *info)
{
	struct nlattr **tb = info->attrs;

	if (GENL_REQ_ATTR_CHECK(info, SLICEGUARD_A_RULE_SRC_KIND))
		return -EINVAL;
	r->src_kind = nla_get_u32(tb[SLICEGUARD_A_RULE_SRC_KIND]);
	if (r->src_kind == SLICEGUARD_PEER_ANY) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[SLICEGUARD_A_RULE_SRC_KIND],
				    "src cannot be any");
		return -EINVAL;
	}
	if (slg_peer_has_id(r->src_kind)) {
		if (GENL_REQ_ATTR_CHECK(info, SLICEGUARD_A_RULE_SRC_ID))
			return -EINVAL;
		r->src_id = nla_get_u32(tb[SLICEGUARD_A_RULE_SRC_ID]);
	} else if (tb[SLICEGUARD_A_RULE_SRC_ID]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[SLICEGUARD_A_RULE_SRC_ID],
				    "src-id not allowed with src host");
		return -EINVAL;
	}
	if (GENL_REQ_ATTR_CHECK(info, SLICEGUARD_A_RULE_DST_KIND))
		return -EINVAL;
	r->dst_kind = nla_get_u32(tb[SLICEGUARD_A_RULE_DST_KIND]);
	/*
	 * The data path decides the host's own traffic only toward UEs and
	 * apps; what it sends anywhere else is the uplink's unsliced setting,
	 * so such a rule could never be enforced.
	 */
	if (r->src_kind == SLICEGUARD_PEER_HOST &&
	    r->dst_kind != SLICEGUARD_PEER_APP &&
	    r->dst_kind != SLICEGUARD_PEER_SLICE) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[SLICEGUARD_A_RULE_DST_KIND],
				    "src host only toward a slice or an app");
		return -EINVAL;
	}
	if (slg_peer_has_id(r->dst_kind)) {
		if (GENL_REQ_ATTR_CHECK(info, SLICEGUARD_A_RULE_DST_ID))
			return -EINVAL;
		r->dst_id = nla_get_u32(tb[SLICEGUARD_A_RULE_DST_ID]);
	} else if (tb[SLICEGUARD_A_RULE_DST_ID]) {
		NL_SET_ERR_MSG_ATTR_FMT(info->extack,
					tb[SLICEGUARD_A_RULE_DST_ID],
					"dst-id not allowed with dst %s",
					r->dst_kind == SLICEGUARD_PEER_ANY ?
					"any" : "host");
		return -EINVAL;
	}
	r->rate_bytes = slg_get_uint(tb[SLICEGUARD_A_RULE_RATE_BYTES]);
	r->burst_bytes = slg_get_uint(tb[SLICEGUARD_A_RULE_BURST_BYTES]);
	r->rate_packets = slg_get_uint(tb[SLICEGUARD_A_RULE_RATE_PACKETS]);
	return slg_parse_ports(tb[SLICEGUARD_A_RULE_PROTO],
			       tb[SLICEGUARD_A_RULE_PORT_FIRST],
			       tb[SLICEGUARD_A_RULE_PORT_LAST],
			       &r->proto, &r->port_first, &r->port_last,
			       info->extack);
}

static int slg_parse_uplink(struct slg_uplink *up, struct genl_info *info)
{
	struct nlattr **tb = info->attrs;

	if (tb[SLICEGUARD_A_UPLINK_MODE])
		up->mode = nla_get_u32(tb[SLICEGUARD_A_UPLINK_MODE]);
	if (tb[SLICEGUARD_A_UPLINK_UNSLICED])
		up->unsliced = nla_get_u32(tb[SLICEGUARD_A_UPLINK_UNSLICED]);
	return 0;
}

/* Attributes that every new/set request of a kind must carry. */
static const u16 slg_required_attrs[SLG_N_KINDS][4] = {
	[SLG_SLICE]	= { SLICEGUARD_A_SLICE_ID, SLICEGUARD_A_SLICE_NAME,
			    SLICEGUARD_A_SLICE_SST },
	[SLG_APP]	= { SLICEGUARD_A_APP_ID, SLICEGUARD_A_APP_NAME,
			    SLICEGUARD_A_APP_SLICE, SLICEGUARD_A_APP_ENDPOINT },
	[SLG_UPLINK]	= { SLICEGUARD_A_UPLINK_IFNAME },
};

/**
 * slg_obj_parse() - build an object from a new or set request
 * @kind: kind of object
 * @req: the request; filled with the attributes each value came from
 *
 * Checks everything that concerns the object alone (required attributes,
 * prefixes, ranges, counts, duplicates); checks against the rest of the
 * policy are slg_check_obj()'s. A rule without id gets id 0.
 *
 * Return: the new object, or an ERR_PTR() with extack set.
 */
struct slg_obj *slg_obj_parse(enum slg_kind kind, struct slg_req_attrs *req)
{
	struct genl_info *info = req->info;
	struct slg_obj *obj;
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(slg_required_attrs[kind]); i++)
		if (slg_required_attrs[kind][i] &&
		    GENL_REQ_ATTR_CHECK(info, slg_required_attrs[kind][i]))
			return ERR_PTR(-EINVAL);

	obj = slg_obj_alloc(kind);
	if (!obj)
		return ERR_PTR(-ENOMEM);

	switch (kind) {
	case SLG_SLICE:
		obj->ident.id = nla_get_u32(info->attrs[SLICEGUARD_A_SLICE_ID]);
		nla_strscpy(obj->ident.name,
			    info->attrs[SLICEGUARD_A_SLICE_NAME],
			    sizeof(obj->ident.name));
		err = slg_parse_slice(slg_slice_of(obj), req);
		break;
	case SLG_APP:
		obj->ident.id = nla_get_u32(info->attrs[SLICEGUARD_A_APP_ID]);
		nla_strscpy(obj->ident.name, info->attrs[SLICEGUARD_A_APP_NAME],
			    sizeof(obj->ident.name));
		err = slg_parse_app(slg_app_of(obj), req);
		break;
	case SLG_RULE:
		if (info->attrs[SLICEGUARD_A_RULE_ID])
			obj->ident.id =
				nla_get_u32(info->attrs[SLICEGUARD_A_RULE_ID]);
		err = slg_parse_rule(slg_rule_of(obj), info);
		break;
	default:
		err = slg_parse_ifname(info->attrs[SLICEGUARD_A_UPLINK_IFNAME],
				       obj->ident.name, sizeof(obj->ident.name),
				       info->extack);
		if (!err)
			err = slg_parse_uplink(slg_uplink_of(obj), info);
		break;
	}
	if (err) {
		slg_obj_free(obj);
		return ERR_PTR(err);
	}
	return obj;
}

/* Filling */

static int slg_put_prefix(struct sk_buff *skb, int type,
			  const struct slg_prefix *p)
{
	struct nlattr *nest;

	nest = nla_nest_start(skb, type);
	if (!nest)
		return -EMSGSIZE;
	if ((p->v6 ? nla_put_in6_addr(skb, SLICEGUARD_A_PREFIX_ADDR6, &p->addr) :
		     nla_put_in_addr(skb, SLICEGUARD_A_PREFIX_ADDR4,
				     p->addr.s6_addr32[0])) ||
	    nla_put_u8(skb, SLICEGUARD_A_PREFIX_LEN, p->len)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int slg_fill_slice(struct sk_buff *skb, const struct slg_slice *s)
{
	struct nlattr *nest;
	unsigned int i;

	if (nla_put_u8(skb, SLICEGUARD_A_SLICE_SST, s->sst) ||
	    (s->has_sd && nla_put_u32(skb, SLICEGUARD_A_SLICE_SD, s->sd)))
		return -EMSGSIZE;
	for (i = 0; i < s->n_ue_prefixes; i++)
		if (slg_put_prefix(skb, SLICEGUARD_A_SLICE_UE_PREFIX,
				   &s->ue_prefixes[i]))
			return -EMSGSIZE;
	for (i = 0; i < s->n_vlans; i++)
		if (nla_put_u16(skb, SLICEGUARD_A_SLICE_VLAN, s->vlans[i]))
			return -EMSGSIZE;
	for (i = 0; i < s->n_teid_ranges; i++) {
		nest = nla_nest_start(skb, SLICEGUARD_A_SLICE_TEID_RANGE);
		if (!nest ||
		    nla_put_u32(skb, SLICEGUARD_A_RANGE_FIRST,
				s->teid_ranges[i].first) ||
		    nla_put_u32(skb, SLICEGUARD_A_RANGE_LAST,
				s->teid_ranges[i].last))
			return -EMSGSIZE;
		nla_nest_end(skb, nest);
	}
	for (i = 0; i < s->n_dscps; i++)
		if (nla_put_u8(skb, SLICEGUARD_A_SLICE_DSCP, s->dscps[i]))
			return -EMSGSIZE;
	if (nla_put_uint(skb, SLICEGUARD_A_SLICE_RATE_BYTES, s->rate_bytes) ||
	    nla_put_uint(skb, SLICEGUARD_A_SLICE_BURST_BYTES, s->burst_bytes) ||
	    nla_put_uint(skb, SLICEGUARD_A_SLICE_RATE_PACKETS, s->rate_packets) ||
	    nla_put_uint(skb, SLICEGUARD_A_SLICE_UE_RATE_BYTES, s->ue_rate_bytes) ||
	    nla_put_u32(skb, SLICEGUARD_A_SLICE_MARK, s->mark) ||
	    (s->ue_to_ue && nla_put_flag(skb, SLICEGUARD_A_SLICE_UE_TO_UE)))
		return -EMSGSIZE;
	return 0;
}

static int slg_fill_app(struct sk_buff *skb, const struct slg_app *app)
{
	const struct slg_endpoint *ep;
	struct nlattr *nest;
	unsigned int i;

	for (i = 0; i < app->n_slices; i++)
		if (nla_put_u32(skb, SLICEGUARD_A_APP_SLICE, app->slices[i]))
			return -EMSGSIZE;
	for (i = 0; i < app->n_endpoints; i++) {
		ep = &app->endpoints[i];
		nest = nla_nest_start(skb, SLICEGUARD_A_APP_ENDPOINT);
		if (!nest ||
		    slg_put_prefix(skb, SLICEGUARD_A_ENDPOINT_PREFIX,
				   &ep->prefix) ||
		    nla_put_u8(skb, SLICEGUARD_A_ENDPOINT_PROTO, ep->proto) ||
		    nla_put_u16(skb, SLICEGUARD_A_ENDPOINT_PORT_FIRST,
				ep->port_first) ||
		    nla_put_u16(skb, SLICEGUARD_A_ENDPOINT_PORT_LAST,
				ep->port_last))
			return -EMSGSIZE;
		nla_nest_end(skb, nest);
	}
	if ((app->ifname[0] &&
	     nla_put_string(skb, SLICEGUARD_A_APP_IFNAME, app->ifname)) ||
	    nla_put_uint(skb, SLICEGUARD_A_APP_RATE_BYTES, app->rate_bytes) ||
	    nla_put_uint(skb, SLICEGUARD_A_APP_BURST_BYTES, app->burst_bytes) ||
	    nla_put_uint(skb, SLICEGUARD_A_APP_RATE_PACKETS, app->rate_packets))
		return -EMSGSIZE;
	return 0;
}

static int slg_fill_rule(struct sk_buff *skb, const struct slg_rule *r)
{
	if (nla_put_u32(skb, SLICEGUARD_A_RULE_SRC_KIND, r->src_kind) ||
	    (slg_peer_has_id(r->src_kind) &&
	     nla_put_u32(skb, SLICEGUARD_A_RULE_SRC_ID, r->src_id)) ||
	    nla_put_u32(skb, SLICEGUARD_A_RULE_DST_KIND, r->dst_kind) ||
	    (slg_peer_has_id(r->dst_kind) &&
	     nla_put_u32(skb, SLICEGUARD_A_RULE_DST_ID, r->dst_id)) ||
	    nla_put_u8(skb, SLICEGUARD_A_RULE_PROTO, r->proto) ||
	    nla_put_u16(skb, SLICEGUARD_A_RULE_PORT_FIRST, r->port_first) ||
	    nla_put_u16(skb, SLICEGUARD_A_RULE_PORT_LAST, r->port_last) ||
	    nla_put_uint(skb, SLICEGUARD_A_RULE_RATE_BYTES, r->rate_bytes) ||
	    nla_put_uint(skb, SLICEGUARD_A_RULE_BURST_BYTES, r->burst_bytes) ||
	    nla_put_uint(skb, SLICEGUARD_A_RULE_RATE_PACKETS, r->rate_packets))
		return -EMSGSIZE;
	return 0;
}

/* Attribute numbers that differ between the object attribute sets. */
static const u16 slg_generation_attr[SLG_N_KINDS] = {
	[SLG_SLICE]	= SLICEGUARD_A_SLICE_GENERATION,
	[SLG_APP]	= SLICEGUARD_A_APP_GENERATION,
	[SLG_RULE]	= SLICEGUARD_A_RULE_GENERATION,
	[SLG_UPLINK]	= SLICEGUARD_A_UPLINK_GENERATION,
};

static const u16 slg_change_attr[SLG_N_KINDS] = {
	[SLG_SLICE]	= SLICEGUARD_A_SLICE_CHANGE,
	[SLG_APP]	= SLICEGUARD_A_APP_CHANGE,
	[SLG_RULE]	= SLICEGUARD_A_RULE_CHANGE,
	[SLG_UPLINK]	= SLICEGUARD_A_UPLINK_CHANGE,
};

/* Largest attribute sizes of a filled object, for sizing messages. */
#define SLG_U8		nla_total_size(sizeof(u8))
#define SLG_U16		nla_total_size(sizeof(u16))
#define SLG_U32		nla_total_size(sizeof(u32))
#define SLG_UINT	nla_total_size(sizeof(u64))
#define SLG_NAME	nla_total_size(SLICEGUARD_NAME_MAX_LEN + 1)
#define SLG_IFNAME	nla_total_size(IFNAMSIZ)
#define SLG_PREFIX	(nla_total_size(0) + nla_total_size(sizeof(struct in6_addr)) + SLG_U8)
#define SLG_RANGE	(nla_total_size(0) + 2 * SLG_U32)
#define SLG_META	(SLG_UINT + SLG_U32)	/* generation, change */

/**
 * slg_obj_msg_size() - largest attributes slg_obj_fill() writes for a kind
 * @kind: object kind
 *
 * From the spec's limits, so replies and notifications are allocated for
 * what they can hold rather than NLMSG_GOODSIZE.
 *
 * Return: bytes of attributes.
 */
size_t slg_obj_msg_size(enum slg_kind kind)
{
	switch (kind) {
	case SLG_SLICE:
		return SLG_U32 + SLG_NAME + SLG_U8 + SLG_U32 +
		       SLICEGUARD_MAX_UE_PREFIXES * SLG_PREFIX +
		       SLICEGUARD_MAX_VLANS * SLG_U16 +
		       SLICEGUARD_MAX_TEID_RANGES * SLG_RANGE +
		       SLICEGUARD_MAX_DSCPS * SLG_U8 + 4 * SLG_UINT + SLG_U32 +
		       nla_total_size(0) + SLG_META;
	case SLG_APP:
		return SLG_U32 + SLG_NAME + SLICEGUARD_MAX_APP_SLICES * SLG_U32 +
		       SLICEGUARD_MAX_ENDPOINTS *
		       (nla_total_size(0) + SLG_PREFIX + SLG_U8 + 2 * SLG_U16) +
		       SLG_IFNAME + 3 * SLG_UINT + SLG_META;
	case SLG_RULE:
		return 5 * SLG_U32 + SLG_U8 + 2 * SLG_U16 + 3 * SLG_UINT + SLG_META;
	default:
		return SLG_IFNAME + 2 * SLG_U32 + SLG_META;
	}
}

/**
 * slg_obj_fill() - put an object's attributes into a message
 * @skb: message
 * @obj: object
 * @generation: generation to report
 * @change: enum sliceguard_change for notifications, -1 for replies
 *
 * Return: 0, or -EMSGSIZE.
 */
int slg_obj_fill(struct sk_buff *skb, const struct slg_obj *obj,
		 u64 generation, int change)
{
	const struct slg_uplink *up;
	bool err;

	switch (obj->kind) {
	case SLG_SLICE:
		err = nla_put_u32(skb, SLICEGUARD_A_SLICE_ID, obj->ident.id) ||
		      nla_put_string(skb, SLICEGUARD_A_SLICE_NAME,
				     obj->ident.name) ||
		      slg_fill_slice(skb, slg_slice_of(obj));
		break;
	case SLG_APP:
		err = nla_put_u32(skb, SLICEGUARD_A_APP_ID, obj->ident.id) ||
		      nla_put_string(skb, SLICEGUARD_A_APP_NAME,
				     obj->ident.name) ||
		      slg_fill_app(skb, slg_app_of(obj));
		break;
	case SLG_RULE:
		err = nla_put_u32(skb, SLICEGUARD_A_RULE_ID, obj->ident.id) ||
		      slg_fill_rule(skb, slg_rule_of(obj));
		break;
	default:
		up = slg_uplink_of(obj);
		err = nla_put_string(skb, SLICEGUARD_A_UPLINK_IFNAME,
				     obj->ident.name) ||
		      nla_put_u32(skb, SLICEGUARD_A_UPLINK_MODE, up->mode) ||
		      nla_put_u32(skb, SLICEGUARD_A_UPLINK_UNSLICED,
				  up->unsliced);
		break;
	}
	if (err ||
	    nla_put_uint(skb, slg_generation_attr[obj->kind], generation) ||
	    (change >= 0 &&
	     nla_put_u32(skb, slg_change_attr[obj->kind], change)))
		return -EMSGSIZE;
	return 0;
}

/* Integrity */

static const struct slg_slice *slg_find_slice(struct slg_policy *pol, u32 id)
{
	struct slg_ident ident = { .id = id };
	struct slg_obj *obj;

	obj = slg_policy_find(pol, SLG_SLICE, &ident);
	return obj ? slg_slice_of(obj) : NULL;
}

static const struct slg_app *slg_find_app(struct slg_policy *pol, u32 id)
{
	struct slg_ident ident = { .id = id };
	struct slg_obj *obj;

	obj = slg_policy_find(pol, SLG_APP, &ident);
	return obj ? slg_app_of(obj) : NULL;
}

static bool slg_app_serves(const struct slg_app *app, u32 slice)
{
	unsigned int i;

	for (i = 0; i < app->n_slices; i++)
		if (app->slices[i] == slice)
			return true;
	return false;
}

static bool slg_range_overlap(const struct slg_range *a,
			      const struct slg_range *b)
{
	return a->first <= b->last && b->first <= a->last;
}

/* Classifiers of @s that another slice @o claims already. */
static int slg_check_slice_pair(const struct slg_slice *s,
				const struct slg_slice *o,
				const struct slg_req_attrs *req,
				struct netlink_ext_ack *extack)
{
	const char *other = o->obj.ident.name;
	unsigned int i, j;

	for (i = 0; i < s->n_ue_prefixes; i++)
		for (j = 0; j < o->n_ue_prefixes; j++)
			if (slg_prefix_overlap(&s->ue_prefixes[i],
					       &o->ue_prefixes[j])) {
				NL_SET_ERR_MSG_ATTR_FMT(extack,
							req->ue_prefix[i],
							"ue-prefix overlaps slice %s",
							other);
				return -EEXIST;
			}
	for (i = 0; i < s->n_vlans; i++)
		for (j = 0; j < o->n_vlans; j++)
			if (s->vlans[i] == o->vlans[j]) {
				NL_SET_ERR_MSG_ATTR_FMT(extack,
							req->vlan[i],
							"vlan %u used by slice %s",
							s->vlans[i], other);
				return -EEXIST;
			}
	for (i = 0; i < s->n_teid_ranges; i++)
		for (j = 0; j < o->n_teid_ranges; j++)
			if (slg_range_overlap(&s->teid_ranges[i],
					      &o->teid_ranges[j])) {
				NL_SET_ERR_MSG_ATTR_FMT(extack,
							req->teid_range[i],
							"teid-range overlaps slice %s",
							other);
				return -EEXIST;
			}
	for (i = 0; i < s->n_dscps; i++)
		for (j = 0; j < o->n_dscps; j++)
			if (s->dscps[i] == o->dscps[j]) {
				NL_SET_ERR_MSG_ATTR_FMT(extack,
							req->dscp[i],
							"dscp %u used by slice %s",
							s->dscps[i], other);
				return -EEXIST;
			}
	return 0;
}

/*
 * A UE prefix and an app endpoint must not meet: the data path tells a UE
 * from an app by address, and an app inside a UE pool (or a pool inside an
 * app's prefix) would silently make those UEs the app. Exactly one of
 * @ue_attrs (checking @s) and @ep_attrs (checking @app) is the request's.
 */
static int slg_check_ues_apart(const struct slg_slice *s,
			       const struct slg_app *app,
			       const struct nlattr *const *ue_attrs,
			       const struct nlattr *const *ep_attrs,
			       struct netlink_ext_ack *extack)
{
	unsigned int i, j;

	for (i = 0; i < s->n_ue_prefixes; i++)
		for (j = 0; j < app->n_endpoints; j++) {
			if (!slg_prefix_overlap(&s->ue_prefixes[i],
						&app->endpoints[j].prefix))
				continue;
			if (ue_attrs)
				NL_SET_ERR_MSG_ATTR_FMT(extack, ue_attrs[i],
							"ue-prefix overlaps app %s",
							app->obj.ident.name);
			else
				NL_SET_ERR_MSG_ATTR_FMT(extack, ep_attrs[j],
							"endpoint overlaps slice %s",
							s->obj.ident.name);
			return -EEXIST;
		}
	return 0;
}

static int slg_check_slice(struct slg_policy *pol, const struct slg_slice *s,
			   const struct slg_req_attrs *req,
			   struct netlink_ext_ack *extack)
{
	struct slg_obj *o;
	int err;

	slg_policy_for_each(pol, SLG_SLICE, o) {
		if (o->ident.id != s->obj.ident.id &&
		    !strcmp(o->ident.name, s->obj.ident.name)) {
			NL_SET_ERR_MSG_ATTR(extack,
					    slg_req_attr(req, SLICEGUARD_A_SLICE_NAME),
					    "slice name in use");
			return -EEXIST;
		}
	}
	slg_policy_for_each(pol, SLG_SLICE, o) {
		if (o->ident.id == s->obj.ident.id)
			continue;
		err = slg_check_slice_pair(s, slg_slice_of(o), req, extack);
		if (err)
			return err;
	}
	slg_policy_for_each(pol, SLG_APP, o) {
		err = slg_check_ues_apart(s, slg_app_of(o), req->ue_prefix, NULL,
					  extack);
		if (err)
			return err;
	}
	return 0;
}

static int slg_check_app(struct slg_policy *pol, struct slg_policy *committed,
			 const struct slg_app *app,
			 const struct slg_req_attrs *req,
			 struct netlink_ext_ack *extack)
{
	const char *name = app->obj.ident.name;
	const struct slg_slice *slice;
	const struct slg_rule *rule;
	const struct slg_app *other;
	unsigned int i, j;
	struct slg_obj *o;

	slg_policy_for_each(pol, SLG_APP, o) {
		if (o->ident.id == app->obj.ident.id)
			continue;
		if (!strcmp(o->ident.name, name)) {
			NL_SET_ERR_MSG_ATTR(extack,
					    slg_req_attr(req, SLICEGUARD_A_APP_NAME),
					    "app name in use");
			return -EEXIST;
		}
	}

	for (i = 0; i < app->n_slices; i++) {
		if (slg_find_slice(pol, app->slices[i]))
			continue;
		/* At commit: the transaction deleted a slice still in use. */
		slice = committed ? slg_find_slice(committed, app->slices[i]) :
				    NULL;
		if (slice) {
			NL_SET_ERR_MSG_FMT(extack, "slice %s used by app %s",
					   slice->obj.ident.name, name);
			return -EBUSY;
		}
		NL_SET_ERR_MSG_ATTR_FMT(extack, req->slice[i],
					"slice %u not found", app->slices[i]);
		return -ENOENT;
	}

	slg_policy_for_each(pol, SLG_APP, o) {
		if (o->ident.id == app->obj.ident.id)
			continue;
		other = slg_app_of(o);
		for (i = 0; i < app->n_endpoints; i++)
			for (j = 0; j < other->n_endpoints; j++)
				if (slg_prefix_overlap(&app->endpoints[i].prefix,
						       &other->endpoints[j].prefix)) {
					NL_SET_ERR_MSG_ATTR_FMT(extack,
								req->endpoint[i],
								"endpoint overlaps app %s",
								o->ident.name);
					return -EEXIST;
				}
	}
	slg_policy_for_each(pol, SLG_SLICE, o) {
		int err = slg_check_ues_apart(slg_slice_of(o), app, NULL,
					      req->endpoint, extack);

		if (err)
			return err;
	}

	/*
	 * A single app-set must not strand the rules from the app towards
	 * slices it stops serving; at commit every rule is checked itself.
	 */
	if (!req->info)
		return 0;
	slg_policy_for_each(pol, SLG_RULE, o) {
		rule = slg_rule_of(o);
		if (rule->src_kind != SLICEGUARD_PEER_APP ||
		    rule->src_id != app->obj.ident.id ||
		    rule->dst_kind != SLICEGUARD_PEER_SLICE ||
		    slg_app_serves(app, rule->dst_id))
			continue;
		slice = slg_find_slice(pol, rule->dst_id);
		NL_SET_ERR_MSG_FMT(extack, "app %s does not serve slice %s",
				   name, slice ? slice->obj.ident.name : "");
		return -EINVAL;
	}
	return 0;
}

/* The object a rule's src or dst names, reported when missing. */
static int slg_check_peer(struct slg_policy *pol, struct slg_policy *committed,
			  const struct slg_rule *rule, bool src,
			  const struct nlattr *attr,
			  struct netlink_ext_ack *extack)
{
	u32 kind = src ? rule->src_kind : rule->dst_kind;
	u32 id = src ? rule->src_id : rule->dst_id;
	struct slg_ident ident = { .id = id };
	enum slg_kind obj_kind;
	struct slg_obj *gone;

	if (!slg_peer_has_id(kind))
		return 0;
	obj_kind = kind == SLICEGUARD_PEER_SLICE ? SLG_SLICE : SLG_APP;
	if (slg_policy_find(pol, obj_kind, &ident))
		return 0;
	/* At commit: the transaction deleted an object still in use. */
	gone = committed ? slg_policy_find(committed, obj_kind, &ident) : NULL;
	if (gone) {
		NL_SET_ERR_MSG_FMT(extack, "%s %s used by rule %u",
				   slg_kind_names[obj_kind], gone->ident.name,
				   rule->obj.ident.id);
		return -EBUSY;
	}
	NL_SET_ERR_MSG_ATTR_FMT(extack, attr, "%s %s %u not found",
				src ? "src" : "dst", slg_kind_names[obj_kind],
				id);
	return -ENOENT;
}

static bool slg_rule_same_flow(const struct slg_rule *a,
			       const struct slg_rule *b)
{
	return a->src_kind == b->src_kind && a->src_id == b->src_id &&
	       a->dst_kind == b->dst_kind && a->dst_id == b->dst_id &&
	       a->proto == b->proto && a->port_first == b->port_first &&
	       a->port_last == b->port_last;
}

/*
 * Whether a packet can pass both an endpoint of @app and @rule: the data
 * path first needs one of the app's endpoints to take the packet (proto 0
 * takes any; ports are the destination's), then the rule.
 */
static bool slg_rule_reaches_app(const struct slg_rule *rule,
				 const struct slg_app *app)
{
	unsigned int i;

	for (i = 0; i < app->n_endpoints; i++) {
		const struct slg_endpoint *ep = &app->endpoints[i];

		if (ep->proto && rule->proto && ep->proto != rule->proto)
			continue;
		if (ep->port_first <= rule->port_last &&
		    rule->port_first <= ep->port_last)
			return true;
	}
	return false;
}

static int slg_check_rule(struct slg_policy *pol, struct slg_policy *committed,
			  const struct slg_rule *rule,
			  const struct slg_req_attrs *req,
			  struct netlink_ext_ack *extack)
{
	const struct slg_slice *slice;
	const struct slg_app *app;
	struct slg_obj *o;
	int err;

	err = slg_check_peer(pol, committed, rule, true,
			     slg_req_attr(req, SLICEGUARD_A_RULE_SRC_ID), extack);
	if (err)
		return err;
	err = slg_check_peer(pol, committed, rule, false,
			     slg_req_attr(req, SLICEGUARD_A_RULE_DST_ID), extack);
	if (err)
		return err;

	if (rule->src_kind == SLICEGUARD_PEER_APP &&
	    rule->dst_kind == SLICEGUARD_PEER_SLICE) {
		app = slg_find_app(pol, rule->src_id);
		if (!slg_app_serves(app, rule->dst_id)) {
			slice = slg_find_slice(pol, rule->dst_id);
			NL_SET_ERR_MSG_ATTR_FMT(extack,
						slg_req_attr(req, SLICEGUARD_A_RULE_DST_ID),
						"app %s does not serve slice %s",
						app->obj.ident.name,
						slice->obj.ident.name);
			return -EINVAL;
		}
	}

	slg_policy_for_each(pol, SLG_RULE, o) {
		if (o->ident.id == rule->obj.ident.id)
			continue;
		if (slg_rule_same_flow(rule, slg_rule_of(o))) {
			NL_SET_ERR_MSG_FMT(extack, "duplicate of rule %u",
					   o->ident.id);
			return -EEXIST;
		}
	}

	/*
	 * Allowed, as the app's endpoints may change, but said: a warning
	 * in the ack (the extack message of a success).
	 */
	if (rule->dst_kind == SLICEGUARD_PEER_APP) {
		app = slg_find_app(pol, rule->dst_id);
		if (app && !slg_rule_reaches_app(rule, app))
			NL_SET_ERR_MSG_FMT(extack,
					   "rule never matches: no endpoint of app %s takes its protocol and ports",
					   app->obj.ident.name);
	}
	return 0;
}

/**
 * slg_check_obj() - check an object against the rest of a policy
 * @pol: policy the object is (about to be) part of; objects with the same
 *	key are ignored, as @obj replaces them
 * @committed: at commit, the committed policy (to tell a reference to an
 *	object the transaction deleted from one that never existed); NULL for
 *	a single change
 * @obj: object
 * @req: request @obj was parsed from
 * @extack: extack
 *
 * Return: 0, or the first violation's errno with extack set.
 */
int slg_check_obj(struct slg_policy *pol, struct slg_policy *committed,
		  const struct slg_obj *obj, const struct slg_req_attrs *req,
		  struct netlink_ext_ack *extack)
{
	switch (obj->kind) {
	case SLG_SLICE:
		return slg_check_slice(pol, slg_slice_of(obj), req, extack);
	case SLG_APP:
		return slg_check_app(pol, committed, slg_app_of(obj), req,
				     extack);
	case SLG_RULE:
		return slg_check_rule(pol, committed, slg_rule_of(obj), req,
				      extack);
	default:
		return 0;
	}
}

static bool slg_rule_uses(const struct slg_rule *rule, u32 peer, u32 id)
{
	return (rule->src_kind == peer && rule->src_id == id) ||
	       (rule->dst_kind == peer && rule->dst_id == id);
}

/**
 * slg_check_del() - check that deleting an object strands nothing
 * @pol: policy holding @obj
 * @obj: object to delete
 * @extack: extack, naming the first user found
 *
 * Return: 0, or -EBUSY.
 */
int slg_check_del(struct slg_policy *pol, const struct slg_obj *obj,
		  struct netlink_ext_ack *extack)
{
	u32 peer = obj->kind == SLG_SLICE ? SLICEGUARD_PEER_SLICE :
					    SLICEGUARD_PEER_APP;
	const char *kind = slg_kind_names[obj->kind];
	struct slg_obj *o;

	if (obj->kind != SLG_SLICE && obj->kind != SLG_APP)
		return 0;
	if (obj->kind == SLG_SLICE) {
		slg_policy_for_each(pol, SLG_APP, o) {
			if (slg_app_serves(slg_app_of(o), obj->ident.id)) {
				NL_SET_ERR_MSG_FMT(extack,
						   "slice %s used by app %s",
						   obj->ident.name,
						   o->ident.name);
				return -EBUSY;
			}
		}
	}
	slg_policy_for_each(pol, SLG_RULE, o) {
		if (slg_rule_uses(slg_rule_of(o), peer, obj->ident.id)) {
			NL_SET_ERR_MSG_FMT(extack, "%s %s used by rule %u",
					   kind, obj->ident.name, o->ident.id);
			return -EBUSY;
		}
	}
	return 0;
}

/**
 * slg_check_policy() - check a whole staged policy before it is committed
 * @staged: the transaction's policy
 * @committed: the policy it replaces
 * @extack: extack (pointing at no attribute)
 *
 * Return: 0, or the first violation's errno with extack set.
 */
int slg_check_policy(struct slg_policy *staged, struct slg_policy *committed,
		     struct netlink_ext_ack *extack)
{
	struct slg_obj *obj;
	int kind, err;

	for (kind = 0; kind < SLG_N_ID_KINDS; kind++) {
		slg_policy_for_each(staged, kind, obj) {
			err = slg_check_obj(staged, committed, obj,
					    &slg_no_req_attrs, extack);
			if (err)
				return err;
			/*
			 * Each check walks the other objects: a commit of
			 * 10,000 rules ran 23 s under emulation and tripped
			 * the soft-lockup watchdog. Let others run.
			 */
			cond_resched();
		}
	}
	return 0;
}
