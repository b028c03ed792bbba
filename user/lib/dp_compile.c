// SPDX-License-Identifier: GPL-2.0
/*
 * Policy compiler: struct sg_policy -> the entries of the per-slot policy
 * maps (Documentation/datapath.rst). A pure function of the policy and the
 * interface name resolver: same input, same entries in the same order.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <net/if.h>

#include "dp.h"
#include "dp_priv.h"

static void set_err(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!err || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

static const size_t key_sizes[SG_IMAP_MAX] = {
	[SG_IMAP_IFACES] = sizeof(__u32),
	[SG_IMAP_SLICES] = sizeof(__u32),
	[SG_IMAP_APPS] = sizeof(__u32),
	[SG_IMAP_RULES] = sizeof(__u32),
	[SG_IMAP_RULE_LPM] = sizeof(struct sg_rule_key),
	[SG_IMAP_UE4] = sizeof(struct sg_lpm4_key),
	[SG_IMAP_UE6] = sizeof(struct sg_lpm6_key),
	[SG_IMAP_EP4] = sizeof(struct sg_lpm4_key),
	[SG_IMAP_EP6] = sizeof(struct sg_lpm6_key),
	[SG_IMAP_TEIDS] = sizeof(struct sg_teid_key),
	[SG_IMAP_VLANS] = sizeof(__u32),
	[SG_IMAP_DSCPS] = sizeof(__u32),
};

static const size_t val_sizes[SG_IMAP_MAX] = {
	[SG_IMAP_IFACES] = sizeof(struct sg_iface),
	[SG_IMAP_SLICES] = sizeof(struct sg_slice_cfg),
	[SG_IMAP_APPS] = sizeof(struct sg_app_cfg),
	[SG_IMAP_RULES] = sizeof(struct sg_rule_cfg),
	[SG_IMAP_RULE_LPM] = sizeof(__u32),
	[SG_IMAP_UE4] = sizeof(__u32),
	[SG_IMAP_UE6] = sizeof(__u32),
	[SG_IMAP_EP4] = sizeof(__u32),
	[SG_IMAP_EP6] = sizeof(__u32),
	[SG_IMAP_TEIDS] = sizeof(__u32),
	[SG_IMAP_VLANS] = sizeof(__u32),
	[SG_IMAP_DSCPS] = sizeof(__u32),
};

const char *const sg_imap_names[SG_IMAP_MAX] = {
	[SG_IMAP_IFACES] = "sg_ifaces",
	[SG_IMAP_SLICES] = "sg_slices",
	[SG_IMAP_APPS] = "sg_apps",
	[SG_IMAP_RULES] = "sg_rules",
	[SG_IMAP_RULE_LPM] = "sg_rule_lpm",
	[SG_IMAP_UE4] = "sg_ue4",
	[SG_IMAP_UE6] = "sg_ue6",
	[SG_IMAP_EP4] = "sg_ep4",
	[SG_IMAP_EP6] = "sg_ep6",
	[SG_IMAP_TEIDS] = "sg_teids",
	[SG_IMAP_VLANS] = "sg_vlans",
	[SG_IMAP_DSCPS] = "sg_dscps",
};

const void *sg_image_entry(const struct sg_dp_image *image, enum sg_imap map, size_t i,
			   const void **val)
{
	const struct sg_image_map *m = &image->maps[map];
	const uint8_t *p = m->data + i * (m->key_size + m->val_size);

	*val = p + m->key_size;
	return p;
}

/* The value stored under key, or NULL. */
static void *find(struct sg_image_map *m, const void *key)
{
	size_t i, stride = m->key_size + m->val_size;

	for (i = 0; i < m->n; i++)
		if (!memcmp(m->data + i * stride, key, m->key_size))
			return m->data + i * stride + m->key_size;
	return NULL;
}

static int add(struct sg_image_map *m, const void *key, const void *val)
{
	size_t stride = m->key_size + m->val_size;

	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 16;
		uint8_t *data = realloc(m->data, cap * stride);

		if (!data)
			return -ENOMEM;
		m->data = data;
		m->cap = cap;
	}
	memcpy(m->data + m->n * stride, key, m->key_size);
	memcpy(m->data + m->n * stride + m->key_size, val, m->val_size);
	m->n++;
	return 0;
}

/* burst as the time the bucket takes to fill: burst * 1e9 / rate. */
static __u64 tau_ns(uint64_t rate, uint64_t burst)
{
	unsigned __int128 t;

	if (!rate || !burst)
		return 1000000000ULL;
	t = (unsigned __int128)burst * 1000000000ULL / rate;
	return t > UINT64_MAX ? UINT64_MAX : (__u64)t;
}

/*
 * Split [first, last] of a bits-wide space into aligned power-of-two
 * blocks, calling emit(value, prefix length) for each, lowest first.
 */
static int split_range(uint32_t first, uint32_t last, unsigned int bits,
		       int (*emit)(void *ctx, uint32_t value, unsigned int plen), void *ctx)
{
	uint64_t lo = first, hi = last;

	while (lo <= hi) {
		unsigned int k = 0;
		int err;

		/* The largest block aligned at lo that stays within hi. */
		while (k < bits && !(lo & ((1ULL << (k + 1)) - 1)) &&
		       lo + (1ULL << (k + 1)) - 1 <= hi)
			k++;
		err = emit(ctx, (uint32_t)lo, bits - k);
		if (err)
			return err;
		lo += 1ULL << k;
	}
	return 0;
}

struct teid_emit {
	struct sg_image_map *map;
	__u32 slice;
	char *err;
	size_t err_len;
};

static int emit_teid(void *ctx, uint32_t value, unsigned int plen)
{
	struct teid_emit *t = ctx;
	struct sg_teid_key k = { .prefixlen = plen, .teid = htonl(value) };

	if (find(t->map, &k)) {
		set_err(t->err, t->err_len, "slice %u: teid-range overlaps another", t->slice);
		return -EINVAL;
	}
	return add(t->map, &k, &t->slice);
}

struct rule_emit {
	struct sg_image_map *map;
	struct sg_rule_key key;
	__u32 rule;
};

static int emit_rule_block(void *ctx, uint32_t value, unsigned int plen)
{
	struct rule_emit *r = ctx;
	struct sg_rule_key k;

	memcpy(&k, &r->key, sizeof(k));
	k.prefixlen = SG_RULE_KEY_FIXED_BITS + plen;
	k.port = htons(value);
	/* Rules are compiled in id order: a block owned already stays. */
	if (find(r->map, &k))
		return 0;
	return add(r->map, &k, &r->rule);
}

static int add_prefix(struct sg_image_map *m4, struct sg_image_map *m6,
		      const struct sg_prefix *p, __u32 id, bool same_id_ok)
{
	struct sg_lpm4_key k4 = { .prefixlen = p->len };
	struct sg_lpm6_key k6 = { .prefixlen = p->len };
	struct sg_image_map *m;
	const void *key;
	__u32 *old;

	if (p->family == AF_INET && p->len <= 32) {
		memcpy(k4.addr, p->addr, 4);
		m = m4;
		key = &k4;
	} else if (p->family == AF_INET6 && p->len <= 128) {
		memcpy(k6.addr, p->addr, 16);
		m = m6;
		key = &k6;
	} else {
		return -EINVAL;
	}
	old = find(m, key);
	if (old)
		return *old == id && same_id_ok ? 0 : -EEXIST;
	return add(m, key, &id);
}

static unsigned int resolve(sg_dp_ifindex_fn fn, void *ctx, const char *ifname)
{
	if (!ifname[0])
		return 0;
	return fn(ifname, ctx);
}

static int add_iface(struct sg_image_map *m, __u32 ifindex, const struct sg_iface *iface,
		     const char *ifname, char *err, size_t err_len)
{
	if (find(m, &ifindex)) {
		set_err(err, err_len, "interface %s is used twice", ifname);
		return -EINVAL;
	}
	return add(m, &ifindex, iface);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether sysfs says that the network device name is a VLAN device. */
static bool is_vlan_dev(const char *name)
{
	char path[64 + IF_NAMESIZE], line[64];
	bool vlan = false;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/uevent", name);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!vlan && fgets(line, sizeof(line), f))
		vlan = !strcmp(line, "DEVTYPE=vlan\n");
	fclose(f);
	return vlan;
}

/*
 * The VLAN devices over an uplink (sysfs links upper_NAME in the uplink's
 * directory), in name order: the kernel hands the uplink's tagged traffic
 * to the stack through them, so app egress must know them as the uplink's.
 * A device the policy names itself keeps the role the policy gives it.
 */
static int compile_uplink_vlans(struct sg_dp_image *img, const char *uplink,
				sg_dp_ifindex_fn fn, void *ctx)
{
	struct sg_iface iface = { .kind = SG_IFACE_UPLINK_VLAN };
	char path[64 + IF_NAMESIZE], *names[SG_MAX_UPLINK_VLANS];
	unsigned int n = 0, i;
	struct dirent *de;
	int ret = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/sys/class/net/%s", uplink);
	dir = opendir(path);
	if (!dir)
		return 0;
	while ((de = readdir(dir)) && n < sizeof(names) / sizeof(names[0])) {
		if (strncmp(de->d_name, "upper_", 6) || !is_vlan_dev(de->d_name + 6))
			continue;
		names[n] = strdup(de->d_name + 6);
		if (!names[n]) {
			ret = -ENOMEM;
			break;
		}
		n++;
	}
	closedir(dir);
	qsort(names, n, sizeof(names[0]), cmp_name);
	for (i = 0; i < n; i++) {
		__u32 ifindex = ret ? 0 : resolve(fn, ctx, names[i]);

		if (ifindex && !find(&img->maps[SG_IMAP_IFACES], &ifindex))
			ret = add(&img->maps[SG_IMAP_IFACES], &ifindex, &iface);
		free(names[i]);
	}
	return ret;
}

static int compile_slice(struct sg_dp_image *img, const struct sg_slice *s, char *err,
			 size_t err_len)
{
	struct sg_slice_cfg cfg = {
		.id = s->id,
		.mark = s->mark,
		.ue_to_ue = s->ue_to_ue,
		.has_ue_prefixes = s->n_ue_prefixes > 0,
		.has_vlans = s->n_vlans > 0,
		.has_teids = s->n_teid_ranges > 0,
		.rate_bytes = s->rate_bytes,
		.tau_bytes_ns = tau_ns(s->rate_bytes, s->burst_bytes),
		.rate_packets = s->rate_packets,
		.ue_rate_bytes = s->ue_rate_bytes,
	};
	unsigned int i;
	int ret;

	if (!s->id || s->id > SLICEGUARD_MAX_SLICE_ID) {
		set_err(err, err_len, "slice id %u out of range", s->id);
		return -EINVAL;
	}
	if (find(&img->maps[SG_IMAP_SLICES], &s->id)) {
		set_err(err, err_len, "slice %u defined twice", s->id);
		return -EINVAL;
	}
	if (s->n_ue_prefixes > SG_MAX_UE_PREFIXES || s->n_vlans > SG_MAX_VLANS ||
	    s->n_teid_ranges > SG_MAX_TEID_RANGES || s->n_dscps > SLICEGUARD_MAX_DSCPS) {
		set_err(err, err_len, "slice %u: too many classifiers", s->id);
		return -E2BIG;
	}
	ret = add(&img->maps[SG_IMAP_SLICES], &s->id, &cfg);
	if (ret)
		return ret;

	for (i = 0; i < s->n_ue_prefixes; i++) {
		ret = add_prefix(&img->maps[SG_IMAP_UE4], &img->maps[SG_IMAP_UE6],
				 &s->ue_prefixes[i], s->id, false);
		if (ret) {
			set_err(err, err_len, "slice %u: ue-prefix %u %s", s->id, i,
				ret == -EEXIST ? "is used twice" : "is invalid");
			return -EINVAL;
		}
	}
	for (i = 0; i < s->n_vlans; i++) {
		__u32 vid = s->vlans[i];

		if (!vid || vid >= SG_VLAN_IDS - 1 || find(&img->maps[SG_IMAP_VLANS], &vid)) {
			set_err(err, err_len, "slice %u: vlan %u invalid or used twice", s->id,
				vid);
			return -EINVAL;
		}
		ret = add(&img->maps[SG_IMAP_VLANS], &vid, &s->id);
		if (ret)
			return ret;
	}
	for (i = 0; i < s->n_teid_ranges; i++) {
		struct teid_emit t = { &img->maps[SG_IMAP_TEIDS], s->id, err, err_len };

		if (s->teid_ranges[i].first > s->teid_ranges[i].last) {
			set_err(err, err_len, "slice %u: teid-range first is above last", s->id);
			return -EINVAL;
		}
		ret = split_range(s->teid_ranges[i].first, s->teid_ranges[i].last, 32,
				  emit_teid, &t);
		if (ret)
			return ret;
	}
	for (i = 0; i < s->n_dscps; i++) {
		__u32 dscp = s->dscps[i];

		if (dscp >= SG_DSCP_VALUES || find(&img->maps[SG_IMAP_DSCPS], &dscp)) {
			set_err(err, err_len, "slice %u: dscp %u invalid or used twice", s->id,
				dscp);
			return -EINVAL;
		}
		ret = add(&img->maps[SG_IMAP_DSCPS], &dscp, &s->id);
		if (ret)
			return ret;
	}
	return 0;
}

static int compile_app(struct sg_dp_image *img, const struct sg_app *a,
		       sg_dp_ifindex_fn resolve_fn, void *resolve_ctx, char *err, size_t err_len)
{
	struct sg_app_cfg cfg = {
		.id = a->id,
		.n_endpoints = a->n_endpoints,
		.rate_bytes = a->rate_bytes,
		.tau_bytes_ns = tau_ns(a->rate_bytes, a->burst_bytes),
		.rate_packets = a->rate_packets,
	};
	unsigned int i, ifindex;
	int ret;

	if (!a->id || a->id > SLICEGUARD_MAX_APP_ID) {
		set_err(err, err_len, "app id %u out of range", a->id);
		return -EINVAL;
	}
	if (find(&img->maps[SG_IMAP_APPS], &a->id)) {
		set_err(err, err_len, "app %u defined twice", a->id);
		return -EINVAL;
	}
	if (a->n_endpoints > SG_MAX_ENDPOINTS) {
		set_err(err, err_len, "app %u: too many endpoints", a->id);
		return -E2BIG;
	}
	for (i = 0; i < a->n_endpoints; i++) {
		const struct sg_endpoint *e = &a->endpoints[i];
		struct sg_endpoint_cfg *ec = &cfg.endpoints[i];

		if (e->port_first > e->port_last) {
			set_err(err, err_len, "app %u: endpoint %u: range first is above last",
				a->id, i);
			return -EINVAL;
		}
		ec->family = e->prefix.family;
		ec->len = e->prefix.len;
		ec->proto = e->proto;
		ec->port_first = e->port_first;
		ec->port_last = e->port_last;
		memcpy(ec->addr, e->prefix.addr, sizeof(ec->addr));
		ret = add_prefix(&img->maps[SG_IMAP_EP4], &img->maps[SG_IMAP_EP6], &e->prefix,
				 a->id, true);
		if (ret) {
			set_err(err, err_len, "app %u: endpoint %u %s", a->id, i,
				ret == -EEXIST ? "overlaps another app" : "is invalid");
			return -EINVAL;
		}
	}
	ret = add(&img->maps[SG_IMAP_APPS], &a->id, &cfg);
	if (ret)
		return ret;

	ifindex = resolve(resolve_fn, resolve_ctx, a->ifname);
	if (ifindex) {
		struct sg_iface iface = { .kind = SG_IFACE_APP, .app_id = a->id };

		return add_iface(&img->maps[SG_IMAP_IFACES], ifindex, &iface, a->ifname, err,
				 err_len);
	}
	return 0;
}

static bool peer_ok(uint32_t kind, uint32_t id, bool dst)
{
	switch (kind) {
	case SLICEGUARD_PEER_SLICE:
		return id && id <= SLICEGUARD_MAX_SLICE_ID;
	case SLICEGUARD_PEER_APP:
		return id && id <= SLICEGUARD_MAX_APP_ID;
	case SLICEGUARD_PEER_ANY:
		return dst && !id;
	case SLICEGUARD_PEER_HOST:
		return !id;
	}
	return false;
}

static int compile_rule(struct sg_dp_image *img, const struct sg_rule *r, char *err,
			size_t err_len)
{
	struct sg_rule_cfg cfg = {
		.id = r->id,
		.rate_bytes = r->rate_bytes,
		.tau_bytes_ns = tau_ns(r->rate_bytes, r->burst_bytes),
		.rate_packets = r->rate_packets,
		.match = {
			.src_kind = r->src_kind,
			.dst_kind = r->dst_kind,
			.proto = r->proto,
			.src_id = r->src_id,
			.dst_id = r->dst_id,
			.port_first = r->port_first,
			.port_last = r->port_last,
		},
	};
	struct rule_emit e;
	int ret;

	/* Keys are compared as bytes: no stray padding. */
	memset(&e, 0, sizeof(e));
	e.map = &img->maps[SG_IMAP_RULE_LPM];
	e.key.src_kind = r->src_kind;
	e.key.dst_kind = r->dst_kind;
	e.key.src_id = htons(r->src_id);
	e.key.dst_id = htons(r->dst_id);
	e.key.proto = r->proto;
	e.rule = r->id;

	if (!r->id) {
		set_err(err, err_len, "rule id 0");
		return -EINVAL;
	}
	if (find(&img->maps[SG_IMAP_RULES], &r->id)) {
		set_err(err, err_len, "rule %u defined twice", r->id);
		return -EINVAL;
	}
	if (!peer_ok(r->src_kind, r->src_id, false) || !peer_ok(r->dst_kind, r->dst_id, true)) {
		set_err(err, err_len, "rule %u: invalid src or dst", r->id);
		return -EINVAL;
	}
	if (r->port_first > r->port_last) {
		set_err(err, err_len, "rule %u: range first is above last", r->id);
		return -EINVAL;
	}
	/* Only TCP, UDP and SCTP have ports the data path can see. */
	if ((r->port_first != 0 || r->port_last != 65535) && r->proto != 6 && r->proto != 17 &&
	    r->proto != 132) {
		set_err(err, err_len, "rule %u: ports need tcp, udp or sctp", r->id);
		return -EINVAL;
	}
	ret = add(&img->maps[SG_IMAP_RULES], &r->id, &cfg);
	if (ret)
		return ret;
	return split_range(r->port_first, r->port_last, 16, emit_rule_block, &e);
}

static int cmp_rule_id(const void *a, const void *b)
{
	const struct sg_rule *x = *(const struct sg_rule *const *)a;
	const struct sg_rule *y = *(const struct sg_rule *const *)b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static unsigned int default_resolve(const char *ifname, void *ctx)
{
	(void)ctx;
	return if_nametoindex(ifname);
}

int sg_dp_compile(const struct sg_policy *policy, sg_dp_ifindex_fn resolve_fn,
		  void *resolve_ctx, struct sg_dp_image **image, char *err, size_t err_len)
{
	const struct sg_rule **rules = NULL;
	struct sg_dp_image *img;
	unsigned int i;
	int ret = 0;

	set_err(err, err_len, "%s", "");
	if (!resolve_fn)
		resolve_fn = default_resolve;
	if (policy->n_slices > SG_MAX_SLICES || policy->n_apps > SG_MAX_APPS ||
	    policy->n_rules > SG_MAX_RULES || policy->n_uplinks > SG_MAX_UPLINKS) {
		set_err(err, err_len,
			"policy exceeds the data path (%u slices, %u apps, %u rules, %u uplinks at most)",
			SG_MAX_SLICES, SG_MAX_APPS, SG_MAX_RULES, SG_MAX_UPLINKS);
		return -E2BIG;
	}
	img = calloc(1, sizeof(*img));
	if (!img)
		return -ENOMEM;
	img->generation = policy->generation;
	for (i = 0; i < SG_IMAP_MAX; i++) {
		img->maps[i].key_size = key_sizes[i];
		img->maps[i].val_size = val_sizes[i];
	}

	for (i = 0; i < policy->n_slices && !ret; i++)
		ret = compile_slice(img, &policy->slices[i], err, err_len);
	for (i = 0; i < policy->n_apps && !ret; i++)
		ret = compile_app(img, &policy->apps[i], resolve_fn, resolve_ctx, err, err_len);
	for (i = 0; i < policy->n_uplinks && !ret; i++) {
		const struct sg_uplink *u = &policy->uplinks[i];
		struct sg_iface iface = {
			.kind = SG_IFACE_UPLINK,
			.mode = u->mode,
			.unsliced = u->unsliced,
		};
		unsigned int ifindex = resolve(resolve_fn, resolve_ctx, u->ifname);

		if (u->mode > SLICEGUARD_UPLINK_MODE_GTPU ||
		    u->unsliced > SLICEGUARD_UNSLICED_PASS) {
			set_err(err, err_len, "uplink %s: invalid mode", u->ifname);
			ret = -EINVAL;
		} else if (ifindex) {
			ret = add_iface(&img->maps[SG_IMAP_IFACES], ifindex, &iface, u->ifname, err,
					err_len);
		}
	}
	/* After every named interface, which keep their roles. */
	for (i = 0; i < policy->n_uplinks && !ret; i++)
		ret = compile_uplink_vlans(img, policy->uplinks[i].ifname, resolve_fn, resolve_ctx);
	if (!ret && policy->n_rules) {
		rules = calloc(policy->n_rules, sizeof(*rules));
		if (!rules)
			ret = -ENOMEM;
		for (i = 0; i < policy->n_rules && !ret; i++)
			rules[i] = &policy->rules[i];
		if (!ret)
			qsort(rules, policy->n_rules, sizeof(*rules), cmp_rule_id);
		for (i = 0; i < policy->n_rules && !ret; i++)
			ret = compile_rule(img, rules[i], err, err_len);
		free(rules);
	}
	if (ret) {
		if (ret == -ENOMEM)
			set_err(err, err_len, "out of memory");
		sg_dp_image_free(img);
		return ret;
	}
	*image = img;
	return 0;
}

void sg_dp_image_free(struct sg_dp_image *image)
{
	unsigned int i;

	if (!image)
		return;
	for (i = 0; i < SG_IMAP_MAX; i++)
		free(image->maps[i].data);
	free(image);
}

size_t sg_dp_image_entries(const struct sg_dp_image *image)
{
	size_t n = 0;
	unsigned int i;

	for (i = 0; i < SG_IMAP_MAX; i++)
		n += image->maps[i].n;
	return n;
}

bool sg_dp_image_equal(const struct sg_dp_image *a, const struct sg_dp_image *b)
{
	unsigned int i;

	if (a->generation != b->generation)
		return false;
	for (i = 0; i < SG_IMAP_MAX; i++) {
		const struct sg_image_map *x = &a->maps[i], *y = &b->maps[i];

		if (x->n != y->n ||
		    (x->n && memcmp(x->data, y->data, x->n * (x->key_size + x->val_size))))
			return false;
	}
	return true;
}
