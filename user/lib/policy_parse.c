// SPDX-License-Identifier: GPL-2.0
/*
 * slicectl command grammar: words -> sg_command, sg_command -> sg_policy.
 * The same code serves the command line, -batch files and policy files, so
 * one object is spelled one way everywhere.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "policy_parse.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int fail(char *err, size_t errlen, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int errnum, const char *fmt, ...)
{
	va_list ap;

	if (errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -errnum;
}

int sg_match(const char *arg, const char *const *words)
{
	size_t len = strlen(arg);
	int i, found = -ENOENT;

	if (!len)
		return -ENOENT;
	for (i = 0; words[i]; i++) {
		if (!strcmp(arg, words[i]))
			return i;
		if (!strncmp(arg, words[i], len))
			found = found == -ENOENT ? i : -EINVAL;
	}
	return found;
}

int sg_split_line(char *line, char **argv, int max)
{
	int argc = 0;
	char *p = line;

	for (;;) {
		while (*p && isspace((unsigned char)*p))
			p++;
		if (!*p || *p == '#')
			break;
		if (argc == max)
			return -E2BIG;
		argv[argc++] = p;
		while (*p && !isspace((unsigned char)*p) && *p != '#')
			p++;
		if (*p == '#') {
			*p = '\0';
			break;
		}
		if (*p)
			*p++ = '\0';
	}
	return argc;
}

/* ---- values ---- */

/*
 * Whole-string unsigned number, at most max: decimal, or hexadecimal after
 * 0x. Never octal: "0100" is a hundred, as an operator reading it means.
 */
static int parse_u64(const char *arg, uint64_t max, uint64_t *val)
{
	bool hex = arg[0] == '0' && (arg[1] == 'x' || arg[1] == 'X');
	const char *digits = hex ? arg + 2 : arg;
	unsigned long long v;
	char *end;

	if (!(hex ? isxdigit((unsigned char)digits[0]) : isdigit((unsigned char)digits[0])))
		return -EINVAL;
	errno = 0;
	v = strtoull(digits, &end, hex ? 16 : 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v > max)
		return -ERANGE;
	*val = v;
	return 0;
}

int sg_parse_prefix(const char *arg, struct sg_prefix *prefix)
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash = strchr(arg, '/');
	size_t alen = slash ? (size_t)(slash - arg) : strlen(arg);
	uint64_t len;
	int max;

	if (alen >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, arg, alen);
	addr[alen] = '\0';
	memset(prefix, 0, sizeof(*prefix));
	if (inet_pton(AF_INET, addr, prefix->addr) == 1) {
		prefix->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, addr, prefix->addr) == 1) {
		prefix->family = AF_INET6;
		max = 128;
	} else {
		return -EINVAL;
	}
	if (!slash) {
		prefix->len = max;
		return 0;
	}
	if (parse_u64(slash + 1, UINT64_MAX, &len))
		return -EINVAL;
	if (len > (uint64_t)max)
		return -ERANGE;
	prefix->len = len;
	return 0;
}

int sg_parse_range(const char *arg, uint32_t max, uint32_t *first, uint32_t *last)
{
	char buf[32];
	const char *dash = strchr(arg, '-');
	uint64_t a, b;
	int ret;

	if (!dash) {
		ret = parse_u64(arg, max, &a);
		if (ret)
			return ret;
		*first = *last = a;
		return 0;
	}
	if ((size_t)(dash - arg) >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, arg, dash - arg);
	buf[dash - arg] = '\0';
	ret = parse_u64(buf, max, &a);
	if (!ret)
		ret = parse_u64(dash + 1, max, &b);
	if (ret)
		return ret;
	if (a > b)
		return -ERANGE;
	*first = a;
	*last = b;
	return 0;
}

/* A unit is num / den bytes: exact, so no value is rounded into another. */
struct unit {
	const char *name;
	uint64_t num, den;
};

#define BITS(n)	(n), 8
#define BYTES(n) (n), 1

/*
 * "<decimal>[.<decimal>]<unit>", with a unit from the table (a bare number
 * is in bare), exactly: a value that is not a whole number of bytes ("12bit",
 * "1.5kbit") is -EDOM, never rounded, and one beyond 64 bits -ERANGE. No
 * hex floats, exponents or signs: what is read is what was meant.
 */
static int parse_scaled(const char *arg, const struct unit *units, size_t n,
			const struct unit *bare, uint64_t *val)
{
	unsigned __int128 mant = 0, den = 1, v;
	const struct unit *u = bare;
	const char *p = arg;
	bool frac = false;
	size_t i;

	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p) || (*p == '.' && !frac); p++) {
		if (*p == '.') {
			frac = true;
			if (!isdigit((unsigned char)p[1]))
				return -EINVAL;
			continue;
		}
		if (mant > UINT64_MAX)
			return -ERANGE;
		mant = mant * 10 + (*p - '0');
		if (frac)
			den *= 10;
		if (den > UINT64_MAX)
			return -ERANGE;
	}
	if (*p) {
		for (i = 0; i < n; i++)
			if (!strcasecmp(p, units[i].name))
				break;
		if (i == n)
			return -EINVAL;
		u = &units[i];
	}
	den *= u->den;
	if (mant > UINT64_MAX)
		return -ERANGE;
	v = mant * u->num;
	if (v % den)
		return -EDOM;
	v /= den;
	if (v > UINT64_MAX)
		return -ERANGE;
	*val = (uint64_t)v;
	return 0;
}

int sg_parse_rate(const char *arg, uint64_t *bytes_per_sec)
{
	static const struct unit bare = { "", BITS(1) };
	static const struct unit units[] = {
		{ "bit", BITS(1) },		{ "kbit", BITS(1000) },
		{ "mbit", BITS(1000000) },	{ "gbit", BITS(1000000000) },
		{ "tbit", BITS(1000000000000ULL) },
		{ "kibit", BITS(1024) },	{ "mibit", BITS(1048576) },
		{ "gibit", BITS(1073741824) },
		{ "bps", BYTES(1) },		{ "kbps", BYTES(1000) },
		{ "mbps", BYTES(1000000) },	{ "gbps", BYTES(1000000000) },
		{ "tbps", BYTES(1000000000000ULL) },
		{ "kibps", BYTES(1024) },	{ "mibps", BYTES(1048576) },
		{ "gibps", BYTES(1073741824) },
	};

	return parse_scaled(arg, units, ARRAY_SIZE(units), &bare, bytes_per_sec);
}

int sg_parse_size(const char *arg, uint64_t *bytes)
{
	static const struct unit bare = { "", BYTES(1) };
	static const struct unit units[] = {
		{ "b", BYTES(1) },		{ "k", BYTES(1024) },
		{ "kb", BYTES(1024) },		{ "m", BYTES(1048576) },
		{ "mb", BYTES(1048576) },	{ "g", BYTES(1073741824) },
		{ "gb", BYTES(1073741824) },	{ "kbit", BITS(1024) },
		{ "mbit", BITS(1048576) },	{ "gbit", BITS(1073741824) },
	};

	return parse_scaled(arg, units, ARRAY_SIZE(units), &bare, bytes);
}

static const char *const proto_names[] = { "tcp", "udp", "icmp", "icmpv6", "sctp", NULL };
static const uint8_t proto_numbers[] = { 6, 17, 1, 58, 132 };

int sg_parse_proto(const char *arg, uint8_t *proto)
{
	uint64_t v;
	int i, ret;

	for (i = 0; proto_names[i]; i++) {
		if (!strcmp(arg, proto_names[i])) {
			*proto = proto_numbers[i];
			return 0;
		}
	}
	ret = parse_u64(arg, 255, &v);
	if (ret)
		return ret;
	*proto = v;
	return 0;
}

const char *sg_proto_name(uint8_t proto)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(proto_numbers); i++)
		if (proto_numbers[i] == proto)
			return proto_names[i];
	return NULL;
}

void sg_format_prefix(const struct sg_prefix *prefix, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN];

	if (!inet_ntop(prefix->family, prefix->addr, addr, sizeof(addr)))
		snprintf(addr, sizeof(addr), "?");
	snprintf(buf, len, "%s/%u", addr, prefix->len);
}

/* ---- command words ---- */

struct words {
	int argc;
	char **argv;
	int i;
	const struct sg_policy *names;
	char *err;
	size_t errlen;
	/*
	 * Parsing onto an existing object ("set"): nothing is required, and
	 * the first use of a repeatable keyword empties its list (bit per
	 * keyword index in @cleared).
	 */
	bool onto;
	unsigned int cleared;
};

/* Before adding to a list: "set" replaces the list it names, once. */
static void onto_list(struct words *w, int keyword, unsigned int *n)
{
	if (w->onto && !(w->cleared & (1u << keyword))) {
		*n = 0;
		w->cleared |= 1u << keyword;
	}
}

static const char *next_word(struct words *w)
{
	return w->i < w->argc ? w->argv[w->i++] : NULL;
}

/* The value after keyword kw, or NULL with an error set. */
static const char *value_of(struct words *w, const char *kw)
{
	const char *v = next_word(w);

	if (!v)
		fail(w->err, w->errlen, EINVAL, "missing value after \"%s\"", kw);
	return v;
}

static int bad_value(struct words *w, int ret, const char *kw, const char *arg)
{
	if (ret == -ERANGE)
		return fail(w->err, w->errlen, ERANGE, "%s \"%s\" out of range", kw, arg);
	if (ret == -EDOM)
		return fail(w->err, w->errlen, EINVAL,
			    "%s \"%s\" is not a whole number of bytes (use a multiple of 8bit)",
			    kw, arg);
	return fail(w->err, w->errlen, EINVAL, "invalid %s \"%s\"", kw, arg);
}

static int word_u64(struct words *w, const char *kw, uint64_t min, uint64_t max,
		    uint64_t *val)
{
	const char *arg = value_of(w, kw);
	int ret;

	if (!arg)
		return -EINVAL;
	ret = parse_u64(arg, max, val);
	if (!ret && *val < min)
		ret = -ERANGE;
	return ret ? bad_value(w, ret, kw, arg) : 0;
}

static int word_u32(struct words *w, const char *kw, uint32_t min, uint32_t max,
		    uint32_t *val)
{
	uint64_t v;
	int ret = word_u64(w, kw, min, max, &v);

	if (!ret)
		*val = v;
	return ret;
}

static int word_rate(struct words *w, const char *kw, uint64_t *val)
{
	const char *arg = value_of(w, kw);
	int ret;

	if (!arg)
		return -EINVAL;
	ret = sg_parse_rate(arg, val);
	return ret ? bad_value(w, ret, kw, arg) : 0;
}

static int word_size(struct words *w, const char *kw, uint64_t *val)
{
	const char *arg = value_of(w, kw);
	int ret;

	if (!arg)
		return -EINVAL;
	ret = sg_parse_size(arg, val);
	return ret ? bad_value(w, ret, kw, arg) : 0;
}

static int word_prefix(struct words *w, const char *kw, struct sg_prefix *prefix)
{
	const char *arg = value_of(w, kw);
	int ret;

	if (!arg)
		return -EINVAL;
	ret = sg_parse_prefix(arg, prefix);
	return ret ? bad_value(w, ret, kw, arg) : 0;
}

static int word_proto(struct words *w, const char *kw, uint8_t *proto)
{
	const char *arg = value_of(w, kw);
	int ret;

	if (!arg)
		return -EINVAL;
	ret = sg_parse_proto(arg, proto);
	return ret ? bad_value(w, ret, kw, arg) : 0;
}

static int word_ports(struct words *w, const char *kw, uint16_t *first, uint16_t *last)
{
	const char *arg = value_of(w, kw);
	uint32_t a, b;
	int ret;

	if (!arg)
		return -EINVAL;
	ret = sg_parse_range(arg, 65535, &a, &b);
	if (ret)
		return bad_value(w, ret, kw, arg);
	*first = a;
	*last = b;
	return 0;
}

static int word_name(struct words *w, const char *kw, char *name, size_t size)
{
	const char *arg = value_of(w, kw);

	if (!arg)
		return -EINVAL;
	if (!*arg || strlen(arg) >= size)
		return fail(w->err, w->errlen, EINVAL, "invalid %s \"%s\"", kw, arg);
	strcpy(name, arg);
	return 0;
}

/*
 * A value from a table, spelled out: keywords may be abbreviated as in
 * ip(8), values may not, so "unsliced pas" or "mode g" is an error rather
 * than a guess at what was meant.
 */
static int match_value(const char *arg, const char *const *values)
{
	int i;

	for (i = 0; values[i]; i++)
		if (!strcmp(arg, values[i]))
			return i;
	return -ENOENT;
}

/* Keyword of a table, with the usual "unknown argument" message. */
static int word_keyword(struct words *w, const char *const *table)
{
	const char *arg = w->argv[w->i];
	int k = sg_match(arg, table);

	if (k == -EINVAL)
		return fail(w->err, w->errlen, EINVAL, "ambiguous argument \"%s\"", arg);
	if (k < 0)
		return fail(w->err, w->errlen, EINVAL, "unknown argument \"%s\"", arg);
	w->i++;
	return k;
}

static bool is_number(const char *s)
{
	uint64_t v;

	return parse_u64(s, UINT64_MAX, &v) == 0;
}

/* A slice given by name (looked up in the names policy) or by id. */
static int word_slice_ref(struct words *w, const char *kw, uint32_t *id)
{
	const char *arg = value_of(w, kw);
	uint64_t v;
	unsigned int i;
	int ret;

	if (!arg)
		return -EINVAL;
	for (i = 0; w->names && i < w->names->n_slices; i++) {
		if (!strcmp(w->names->slices[i].name, arg)) {
			*id = w->names->slices[i].id;
			return 0;
		}
	}
	if (!is_number(arg))
		return fail(w->err, w->errlen, ENOENT, "slice \"%s\" not found", arg);
	ret = parse_u64(arg, SLICEGUARD_MAX_SLICE_ID, &v);
	if (ret || !v)
		return bad_value(w, -ERANGE, "slice", arg);
	*id = v;
	return 0;
}

static int word_app_ref(struct words *w, const char *kw, uint32_t *id)
{
	const char *arg = value_of(w, kw);
	uint64_t v;
	unsigned int i;
	int ret;

	if (!arg)
		return -EINVAL;
	for (i = 0; w->names && i < w->names->n_apps; i++) {
		if (!strcmp(w->names->apps[i].name, arg)) {
			*id = w->names->apps[i].id;
			return 0;
		}
	}
	if (!is_number(arg))
		return fail(w->err, w->errlen, ENOENT, "app \"%s\" not found", arg);
	ret = parse_u64(arg, SLICEGUARD_MAX_APP_ID, &v);
	if (ret || !v)
		return bad_value(w, -ERANGE, "app", arg);
	*id = v;
	return 0;
}

static int too_many(struct words *w, const char *what)
{
	return fail(w->err, w->errlen, E2BIG, "too many %s", what);
}

static int missing(struct words *w, const char *what)
{
	return fail(w->err, w->errlen, EINVAL, "missing \"%s\"", what);
}

/* ---- objects ---- */

static int parse_slice(struct words *w, struct sg_slice *s)
{
	static const char *const kws[] = {
		"id", "sst", "sd", "ue", "vlan", "teid", "dscp", "rate", "burst",
		"pps", "ue-rate", "mark", "ue-to-ue", NULL
	};
	enum { ID, SST, SD, UE, VLAN, TEID, DSCP, RATE, BURST, PPS, UE_RATE,
	       MARK, UE_TO_UE };
	static const char *const onoff[] = { "off", "on", NULL };
	bool have_sst = false;
	uint32_t v = 0;
	int k, ret;

	ret = word_name(w, "name", s->name, sizeof(s->name));
	if (ret)
		return ret;
	while (w->i < w->argc) {
		k = word_keyword(w, kws);
		if (k < 0)
			return k;
		switch (k) {
		case ID:
			ret = word_u32(w, "id", 1, SLICEGUARD_MAX_SLICE_ID, &s->id);
			break;
		case SST:
			ret = word_u32(w, "sst", 0, 255, &v);
			s->sst = v;
			have_sst = true;
			break;
		case SD:
			ret = word_u32(w, "sd", 0, 0xffffff, &s->sd);
			s->has_sd = true;
			break;
		case UE:
			onto_list(w, k, &s->n_ue_prefixes);
			if (s->n_ue_prefixes == SLICEGUARD_MAX_UE_PREFIXES)
				return too_many(w, "ue-prefix");
			ret = word_prefix(w, "ue", &s->ue_prefixes[s->n_ue_prefixes++]);
			break;
		case VLAN:
			onto_list(w, k, &s->n_vlans);
			if (s->n_vlans == SLICEGUARD_MAX_VLANS)
				return too_many(w, "vlan");
			ret = word_u32(w, "vlan", 1, 4094, &v);
			s->vlans[s->n_vlans++] = v;
			break;
		case TEID: {
			const char *arg = value_of(w, "teid");
			struct sg_range *r;

			if (!arg)
				return -EINVAL;
			onto_list(w, TEID, &s->n_teid_ranges);
			if (s->n_teid_ranges == SLICEGUARD_MAX_TEID_RANGES)
				return too_many(w, "teid-range");
			r = &s->teid_ranges[s->n_teid_ranges++];
			ret = sg_parse_range(arg, UINT32_MAX, &r->first, &r->last);
			if (ret)
				ret = bad_value(w, ret, "teid", arg);
			break;
		}
		case DSCP:
			onto_list(w, k, &s->n_dscps);
			if (s->n_dscps == SLICEGUARD_MAX_DSCPS)
				return too_many(w, "dscp");
			ret = word_u32(w, "dscp", 0, 63, &v);
			s->dscps[s->n_dscps++] = v;
			break;
		case RATE:
			ret = word_rate(w, "rate", &s->rate_bytes);
			break;
		case BURST:
			ret = word_size(w, "burst", &s->burst_bytes);
			break;
		case PPS:
			ret = word_u64(w, "pps", 0, UINT64_MAX, &s->rate_packets);
			break;
		case UE_RATE:
			ret = word_rate(w, "ue-rate", &s->ue_rate_bytes);
			break;
		case MARK:
			ret = word_u32(w, "mark", 0, UINT32_MAX, &s->mark);
			break;
		case UE_TO_UE: {
			const char *arg = value_of(w, "ue-to-ue");

			if (!arg)
				return -EINVAL;
			k = match_value(arg, onoff);
			if (k < 0)
				return bad_value(w, -EINVAL, "ue-to-ue", arg);
			s->ue_to_ue = k;
			break;
		}
		}
		if (ret)
			return ret;
	}
	if (w->onto)
		return 0;
	if (!s->id)
		return missing(w, "id");
	if (!have_sst)
		return missing(w, "sst");
	return 0;
}

static int parse_app(struct words *w, struct sg_app *a)
{
	static const char *const kws[] = {
		"id", "slice", "addr", "proto", "port", "dev", "rate", "burst",
		"pps", NULL
	};
	enum { ID, SLICE, ADDR, PROTO, PORT, DEV, RATE, BURST, PPS };
	struct sg_endpoint *ep = NULL;
	int k, ret;

	ret = word_name(w, "name", a->name, sizeof(a->name));
	if (ret)
		return ret;
	while (w->i < w->argc) {
		k = word_keyword(w, kws);
		if (k < 0)
			return k;
		switch (k) {
		case ID:
			ret = word_u32(w, "id", 1, SLICEGUARD_MAX_APP_ID, &a->id);
			break;
		case SLICE:
			onto_list(w, k, &a->n_slices);
			if (a->n_slices == SLICEGUARD_MAX_APP_SLICES)
				return too_many(w, "slice");
			ret = word_slice_ref(w, "slice", &a->slices[a->n_slices++]);
			break;
		case ADDR:
			onto_list(w, k, &a->n_endpoints);
			if (a->n_endpoints == SLICEGUARD_MAX_ENDPOINTS)
				return too_many(w, "endpoint");
			ep = &a->endpoints[a->n_endpoints++];
			memset(ep, 0, sizeof(*ep));
			ep->port_last = 65535;
			ret = word_prefix(w, "addr", &ep->prefix);
			break;
		case PROTO:
		case PORT:
			if (!ep)
				return fail(w->err, w->errlen, EINVAL,
					    "\"%s\" needs a preceding \"addr\"", kws[k]);
			if (k == PROTO)
				ret = word_proto(w, "proto", &ep->proto);
			else
				ret = word_ports(w, "port", &ep->port_first, &ep->port_last);
			break;
		case DEV:
			ret = word_name(w, "dev", a->ifname, sizeof(a->ifname));
			break;
		case RATE:
			ret = word_rate(w, "rate", &a->rate_bytes);
			break;
		case BURST:
			ret = word_size(w, "burst", &a->burst_bytes);
			break;
		case PPS:
			ret = word_u64(w, "pps", 0, UINT64_MAX, &a->rate_packets);
			break;
		}
		if (ret)
			return ret;
	}
	if (w->onto)
		return 0;
	if (!a->id)
		return missing(w, "id");
	if (!a->n_slices)
		return missing(w, "slice");
	if (!a->n_endpoints)
		return missing(w, "addr");
	return 0;
}

/*
 * "slice NAME|ID", "app NAME|ID", "host" and, as destination, "any". Which
 * combinations of source and destination are valid is check_rule()'s and
 * the module's to say, so that slicectl shows the module's message.
 */
static int parse_peer(struct words *w, bool dst, uint32_t *kind, uint32_t *id)
{
	static const char *const src_words[] = { "slice", "app", "host", NULL };
	static const uint32_t src_kinds[] = {
		SLICEGUARD_PEER_SLICE, SLICEGUARD_PEER_APP, SLICEGUARD_PEER_HOST
	};
	/* in the order of enum sliceguard_peer */
	static const char *const dst_words[] = { "slice", "app", "any", "host", NULL };
	int k;

	if (w->i == w->argc)
		return fail(w->err, w->errlen, EINVAL, "missing value after \"%s\"",
			    w->argv[w->i - 1]);
	k = word_keyword(w, dst ? dst_words : src_words);
	if (k < 0)
		return k;
	*kind = dst ? (uint32_t)k : src_kinds[k];
	switch (*kind) {
	case SLICEGUARD_PEER_SLICE:
		return word_slice_ref(w, "slice", id);
	case SLICEGUARD_PEER_APP:
		return word_app_ref(w, "app", id);
	default:
		*id = 0;
		return 0;
	}
}

static int parse_rule(struct words *w, struct sg_rule *r)
{
	static const char *const kws[] = {
		"id", "from", "to", "proto", "port", "rate", "burst", "pps", NULL
	};
	enum { ID, FROM, TO, PROTO, PORT, RATE, BURST, PPS };
	bool have_from = false, have_to = false;
	int k, ret;

	if (!w->onto)
		r->port_last = 65535;
	while (w->i < w->argc) {
		k = word_keyword(w, kws);
		if (k < 0)
			return k;
		switch (k) {
		case ID:
			ret = word_u32(w, "id", 1, SLICEGUARD_MAX_RULE_ID, &r->id);
			break;
		case FROM:
			ret = parse_peer(w, false, &r->src_kind, &r->src_id);
			have_from = true;
			break;
		case TO:
			ret = parse_peer(w, true, &r->dst_kind, &r->dst_id);
			have_to = true;
			break;
		case PROTO:
			ret = word_proto(w, "proto", &r->proto);
			break;
		case PORT:
			ret = word_ports(w, "port", &r->port_first, &r->port_last);
			break;
		case RATE:
			ret = word_rate(w, "rate", &r->rate_bytes);
			break;
		case BURST:
			ret = word_size(w, "burst", &r->burst_bytes);
			break;
		case PPS:
			ret = word_u64(w, "pps", 0, UINT64_MAX, &r->rate_packets);
			break;
		}
		if (ret)
			return ret;
	}
	if (w->onto)
		return 0;
	if (!have_from)
		return missing(w, "from");
	if (!have_to)
		return missing(w, "to");
	return 0;
}

static int parse_uplink(struct words *w, struct sg_uplink *u)
{
	static const char *const kws[] = { "dev", "mode", "unsliced", NULL };
	static const char *const modes[] = { "ip", "gtpu", NULL };
	static const char *const unsliced[] = { "drop", "pass", NULL };
	enum { DEV, MODE, UNSLICED };
	const char *arg;
	int k, v, ret = 0;

	while (w->i < w->argc) {
		k = word_keyword(w, kws);
		if (k < 0)
			return k;
		if (k == DEV) {
			ret = word_name(w, "dev", u->ifname, sizeof(u->ifname));
			if (ret)
				return ret;
			continue;
		}
		arg = value_of(w, kws[k]);
		if (!arg)
			return -EINVAL;
		v = match_value(arg, k == MODE ? modes : unsliced);
		if (v < 0)
			return bad_value(w, -EINVAL, kws[k], arg);
		if (k == MODE)
			u->mode = v;
		else
			u->unsliced = v;
	}
	if (!u->ifname[0])
		return missing(w, "dev");
	return 0;
}

static int parse_object(struct words *w, struct sg_command *cmd)
{
	switch (cmd->object) {
	case SG_OBJECT_SLICE:
		return parse_slice(w, &cmd->slice);
	case SG_OBJECT_APP:
		return parse_app(w, &cmd->app);
	case SG_OBJECT_RULE:
		return parse_rule(w, &cmd->rule);
	case SG_OBJECT_UPLINK:
		return parse_uplink(w, &cmd->uplink);
	}
	return fail(w->err, w->errlen, EINVAL, "unknown object");
}

/* The object of @names that @key names, copied into @cmd; -ENOENT if none. */
static int find_current(struct words *w, const struct sg_command *key,
			struct sg_command *cmd)
{
	static const char *const kinds[] = { "slice", "app", "rule", "uplink" };
	const struct sg_policy *p = w->names;
	unsigned int i;

	for (i = 0; p && cmd->object == SG_OBJECT_SLICE && i < p->n_slices; i++)
		if (!strcmp(p->slices[i].name, key->slice.name)) {
			cmd->slice = p->slices[i];
			return 0;
		}
	for (i = 0; p && cmd->object == SG_OBJECT_APP && i < p->n_apps; i++)
		if (!strcmp(p->apps[i].name, key->app.name)) {
			cmd->app = p->apps[i];
			return 0;
		}
	for (i = 0; p && cmd->object == SG_OBJECT_RULE && i < p->n_rules; i++)
		if (key->rule.id && p->rules[i].id == key->rule.id) {
			cmd->rule = p->rules[i];
			return 0;
		}
	for (i = 0; p && cmd->object == SG_OBJECT_UPLINK && i < p->n_uplinks; i++)
		if (!strcmp(p->uplinks[i].ifname, key->uplink.ifname)) {
			cmd->uplink = p->uplinks[i];
			return 0;
		}
	if (cmd->object == SG_OBJECT_RULE && !key->rule.id)
		return missing(w, "id");
	return fail(w->err, w->errlen, ENOENT, "%s not found", kinds[cmd->object]);
}

/*
 * "set" changes what its words name and keeps the rest, as ip link set
 * does: they are parsed onto the object as the current policy (@w->names)
 * has it, a repeatable keyword replacing its whole list ("vlan 200" leaves
 * one VLAN). The command carries the whole object, as "replace" would.
 */
static int parse_set(struct words *w, struct sg_command *cmd)
{
	struct sg_command key = { .object = cmd->object };
	int ret;

	/* First what the words name: a slice's or app's name, a rule's id, a dev. */
	w->onto = true;
	ret = parse_object(w, &key);
	if (!ret)
		ret = find_current(w, &key, cmd);
	if (ret)
		return ret;
	w->i = 0;
	w->cleared = 0;
	return parse_object(w, cmd);
}

/*
 * del keys: "NAME", "ID", "id ID" or "name NAME" for slices and apps;
 * "ID" or "id ID" for rules; "IFNAME" or "dev IFNAME" for uplinks.
 */
static int parse_key(struct words *w, enum sg_object object, struct sg_command *cmd)
{
	static const char *const kws[] = { "id", "name", "dev", NULL };
	enum { ID, NAME, DEV };
	uint32_t max_id, *id;
	char *name = NULL;
	size_t name_size = 0;
	const char *arg;
	uint64_t v;
	int k = -1, ret;

	switch (object) {
	case SG_OBJECT_SLICE:
		id = &cmd->slice.id;
		name = cmd->slice.name;
		name_size = sizeof(cmd->slice.name);
		max_id = SLICEGUARD_MAX_SLICE_ID;
		break;
	case SG_OBJECT_APP:
		id = &cmd->app.id;
		name = cmd->app.name;
		name_size = sizeof(cmd->app.name);
		max_id = SLICEGUARD_MAX_APP_ID;
		break;
	case SG_OBJECT_RULE:
		id = &cmd->rule.id;
		max_id = SLICEGUARD_MAX_RULE_ID;
		break;
	default:
		id = NULL;
		name = cmd->uplink.ifname;
		name_size = sizeof(cmd->uplink.ifname);
		max_id = 0;
		break;
	}
	if (w->i == w->argc)
		return fail(w->err, w->errlen, EINVAL, "missing key");
	if (w->i + 2 == w->argc && sg_match(w->argv[w->i], kws) >= 0) {
		k = word_keyword(w, kws);
		if ((k == ID && !id) || (k == NAME && (!id || !name)) ||
		    (k == DEV && id))
			return fail(w->err, w->errlen, EINVAL,
				    "unknown argument \"%s\"", w->argv[w->i - 1]);
	}
	arg = next_word(w);
	if (w->i != w->argc)
		return fail(w->err, w->errlen, EINVAL, "unknown argument \"%s\"",
			    w->argv[w->i]);
	if (k == ID || (k < 0 && id && (!name || is_number(arg)))) {
		ret = parse_u64(arg, max_id, &v);
		if (!ret && !v)
			ret = -ERANGE;
		if (ret)
			return bad_value(w, ret, "id", arg);
		*id = v;
		return 0;
	}
	if (!*arg || strlen(arg) >= name_size)
		return fail(w->err, w->errlen, EINVAL, "invalid name \"%s\"", arg);
	strcpy(name, arg);
	return 0;
}

int sg_parse_object_args(enum sg_object object, enum sg_verb verb, int argc,
			 char **argv, const struct sg_policy *names,
			 struct sg_command *cmd, char *err, size_t errlen)
{
	struct words w = {
		.argc = argc, .argv = argv, .names = names,
		.err = err, .errlen = errlen,
	};
	int ret;

	memset(cmd, 0, sizeof(*cmd));
	cmd->object = object;
	cmd->verb = verb == SG_VERB_REPLACE ? SG_VERB_SET : verb;
	if (verb == SG_VERB_DEL)
		return parse_key(&w, object, cmd);
	if (verb == SG_VERB_SET)
		return parse_set(&w, cmd);
	ret = parse_object(&w, cmd);
	if (!ret && verb == SG_VERB_REPLACE && object == SG_OBJECT_RULE && !cmd->rule.id)
		return missing(&w, "id");
	return ret;
}

static const char *const object_words[] = { "slice", "app", "rule", "uplink", NULL };
/* In the order of enum sg_verb. */
static const char *const verb_words[] = { "add", "set", "del", "replace", NULL };

int sg_parse_command(int argc, char **argv, const struct sg_policy *names,
		     struct sg_command *cmd, char *err, size_t errlen)
{
	int object, verb;

	if (argc && !strcmp(argv[0], "slicectl")) {
		argc--;
		argv++;
	}
	if (argc < 2)
		return fail(err, errlen, EINVAL, "expected \"OBJECT add|set|del ...\"");
	object = sg_match(argv[0], object_words);
	if (object < 0)
		return fail(err, errlen, EINVAL, "%s argument \"%s\"",
			    object == -EINVAL ? "ambiguous" : "unknown", argv[0]);
	verb = sg_match(argv[1], verb_words);
	if (verb < 0)
		return fail(err, errlen, EINVAL, "%s argument \"%s\"",
			    verb == -EINVAL ? "ambiguous" : "unknown", argv[1]);
	return sg_parse_object_args(object, verb, argc - 2, argv + 2, names, cmd,
				    err, errlen);
}

/* ---- applying to an in-memory policy ---- */

static bool prefix_overlap(const struct sg_prefix *a, const struct sg_prefix *b)
{
	unsigned int len = a->len < b->len ? a->len : b->len;
	unsigned int bytes = len / 8, bits = len % 8;

	if (a->family != b->family)
		return false;
	if (memcmp(a->addr, b->addr, bytes))
		return false;
	if (!bits)
		return true;
	return !((a->addr[bytes] ^ b->addr[bytes]) & (0xff << (8 - bits)));
}

static bool prefix_equal(const struct sg_prefix *a, const struct sg_prefix *b)
{
	return a->len == b->len && prefix_overlap(a, b);
}

/*
 * Inside ::ffff:0:0/96: IPv4 packets are matched by IPv4 prefixes, so such a
 * prefix only ever matches IPv6 packets forged with a mapped address.
 */
static bool is_v4mapped(const struct sg_prefix *p)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	return p->family == AF_INET6 && p->len >= 96 && !memcmp(p->addr, mapped, 12);
}

static int check_prefix(const struct sg_prefix *p, char *err, size_t errlen)
{
	unsigned int max = p->family == AF_INET ? 32 : 128, i;

	if (p->len > max)
		return fail(err, errlen, ERANGE, "prefix length out of range");
	for (i = p->len; i < max; i++)
		if (p->addr[i / 8] & (0x80 >> (i % 8)))
			return fail(err, errlen, EINVAL, "prefix has host bits set");
	if (is_v4mapped(p))
		return fail(err, errlen, EINVAL,
			    "IPv4-mapped IPv6 prefix never matches a packet; give the IPv4 prefix");
	return 0;
}

static bool has_ports(uint16_t first, uint16_t last)
{
	return first != 0 || last != 65535;
}

static int check_ports(uint8_t proto, uint16_t first, uint16_t last,
		       char *err, size_t errlen)
{
	if (first > last)
		return fail(err, errlen, EINVAL, "range first is above last");
	if (has_ports(first, last) && proto != 6 && proto != 17 && proto != 132)
		return fail(err, errlen, EINVAL, "ports need tcp, udp or sctp");
	return 0;
}

/* Validate slice s against itself and every other slice of the policy. */
static int check_slice(const struct sg_policy *p, const struct sg_slice *s,
		       char *err, size_t errlen)
{
	unsigned int i, j, k;
	int ret;

	for (i = 0; i < s->n_ue_prefixes; i++) {
		ret = check_prefix(&s->ue_prefixes[i], err, errlen);
		if (ret)
			return ret;
		for (j = 0; j < i; j++) {
			if (prefix_equal(&s->ue_prefixes[i], &s->ue_prefixes[j]))
				return fail(err, errlen, EINVAL, "duplicate ue-prefix");
			if (prefix_overlap(&s->ue_prefixes[i], &s->ue_prefixes[j]))
				return fail(err, errlen, EINVAL,
					    "ue-prefix overlaps another of the slice");
		}
	}
	for (i = 0; i < s->n_vlans; i++)
		for (j = 0; j < i; j++)
			if (s->vlans[i] == s->vlans[j])
				return fail(err, errlen, EINVAL, "duplicate vlan");
	for (i = 0; i < s->n_teid_ranges; i++) {
		if (s->teid_ranges[i].first > s->teid_ranges[i].last)
			return fail(err, errlen, EINVAL, "range first is above last");
		for (j = 0; j < i; j++) {
			if (s->teid_ranges[i].first == s->teid_ranges[j].first &&
			    s->teid_ranges[i].last == s->teid_ranges[j].last)
				return fail(err, errlen, EINVAL, "duplicate teid-range");
			if (s->teid_ranges[i].first <= s->teid_ranges[j].last &&
			    s->teid_ranges[j].first <= s->teid_ranges[i].last)
				return fail(err, errlen, EINVAL,
					    "teid-range overlaps another of the slice");
		}
	}
	for (i = 0; i < s->n_dscps; i++)
		for (j = 0; j < i; j++)
			if (s->dscps[i] == s->dscps[j])
				return fail(err, errlen, EINVAL, "duplicate dscp");

	for (k = 0; k < p->n_slices; k++) {
		const struct sg_slice *o = &p->slices[k];

		if (o->id == s->id)
			continue;
		if (!strcmp(o->name, s->name))
			return fail(err, errlen, EEXIST, "slice name in use");
		for (i = 0; i < s->n_ue_prefixes; i++)
			for (j = 0; j < o->n_ue_prefixes; j++)
				if (prefix_overlap(&s->ue_prefixes[i], &o->ue_prefixes[j]))
					return fail(err, errlen, EEXIST,
						    "ue-prefix overlaps slice %s", o->name);
		for (i = 0; i < s->n_vlans; i++)
			for (j = 0; j < o->n_vlans; j++)
				if (s->vlans[i] == o->vlans[j])
					return fail(err, errlen, EEXIST,
						    "vlan %u used by slice %s",
						    s->vlans[i], o->name);
		for (i = 0; i < s->n_teid_ranges; i++)
			for (j = 0; j < o->n_teid_ranges; j++)
				if (s->teid_ranges[i].first <= o->teid_ranges[j].last &&
				    o->teid_ranges[j].first <= s->teid_ranges[i].last)
					return fail(err, errlen, EEXIST,
						    "teid-range overlaps slice %s", o->name);
		for (i = 0; i < s->n_dscps; i++)
			for (j = 0; j < o->n_dscps; j++)
				if (s->dscps[i] == o->dscps[j])
					return fail(err, errlen, EEXIST,
						    "dscp %u used by slice %s",
						    s->dscps[i], o->name);
	}
	for (k = 0; k < p->n_apps; k++) {
		const struct sg_app *o = &p->apps[k];

		for (i = 0; i < s->n_ue_prefixes; i++)
			for (j = 0; j < o->n_endpoints; j++)
				if (prefix_overlap(&s->ue_prefixes[i], &o->endpoints[j].prefix))
					return fail(err, errlen, EEXIST,
						    "ue-prefix overlaps app %s", o->name);
	}
	return 0;
}

static int check_app(const struct sg_policy *p, const struct sg_app *a,
		     char *err, size_t errlen)
{
	unsigned int i, j, k;
	int ret;

	for (i = 0; i < a->n_slices; i++) {
		if (!sg_policy_slice_by_id(p, a->slices[i]))
			return fail(err, errlen, ENOENT, "slice %u not found", a->slices[i]);
		for (j = 0; j < i; j++)
			if (a->slices[i] == a->slices[j])
				return fail(err, errlen, EINVAL, "duplicate slice");
	}
	for (i = 0; i < a->n_endpoints; i++) {
		const struct sg_endpoint *e = &a->endpoints[i];

		ret = check_prefix(&e->prefix, err, errlen);
		if (!ret)
			ret = check_ports(e->proto, e->port_first, e->port_last, err, errlen);
		if (ret)
			return ret;
		for (j = 0; j < i; j++)
			if (prefix_equal(&e->prefix, &a->endpoints[j].prefix) &&
			    e->proto == a->endpoints[j].proto &&
			    e->port_first == a->endpoints[j].port_first &&
			    e->port_last == a->endpoints[j].port_last)
				return fail(err, errlen, EINVAL, "duplicate endpoint");
	}
	for (k = 0; k < p->n_apps; k++) {
		const struct sg_app *o = &p->apps[k];

		if (o->id == a->id)
			continue;
		if (!strcmp(o->name, a->name))
			return fail(err, errlen, EEXIST, "app name in use");
		for (i = 0; i < a->n_endpoints; i++)
			for (j = 0; j < o->n_endpoints; j++)
				if (prefix_overlap(&a->endpoints[i].prefix,
						   &o->endpoints[j].prefix))
					return fail(err, errlen, EEXIST,
						    "endpoint overlaps app %s", o->name);
	}
	/* The data path tells UEs from apps by address: they must not meet. */
	for (k = 0; k < p->n_slices; k++) {
		const struct sg_slice *o = &p->slices[k];

		for (i = 0; i < a->n_endpoints; i++)
			for (j = 0; j < o->n_ue_prefixes; j++)
				if (prefix_overlap(&a->endpoints[i].prefix, &o->ue_prefixes[j]))
					return fail(err, errlen, EEXIST,
						    "endpoint overlaps slice %s", o->name);
	}
	/* A set must not strand rules towards slices the app stops serving. */
	for (k = 0; k < p->n_rules; k++) {
		const struct sg_rule *r = &p->rules[k];

		if (r->src_kind != SLICEGUARD_PEER_APP || r->src_id != a->id ||
		    r->dst_kind != SLICEGUARD_PEER_SLICE)
			continue;
		for (i = 0; i < a->n_slices; i++)
			if (a->slices[i] == r->dst_id)
				break;
		if (i == a->n_slices)
			return fail(err, errlen, EINVAL, "app %s does not serve slice %s",
				    a->name, sg_policy_slice_by_id(p, r->dst_id)->name);
	}
	return 0;
}

static const char *const peer_words[] = { "slice", "app", "any", "host" };

static bool peer_exists(const struct sg_policy *p, uint32_t kind, uint32_t id)
{
	if (kind == SLICEGUARD_PEER_SLICE)
		return sg_policy_slice_by_id(p, id);
	return sg_policy_app_by_id(p, id);
}

/* The module's checks of a rule (kmod/store.c), with its messages. */
static int check_rule(const struct sg_policy *p, const struct sg_rule *r,
		      char *err, size_t errlen)
{
	const struct sg_app *app;
	unsigned int i;

	if (r->src_kind == SLICEGUARD_PEER_ANY)
		return fail(err, errlen, EINVAL, "src cannot be any");
	if (r->src_kind == SLICEGUARD_PEER_HOST && r->src_id)
		return fail(err, errlen, EINVAL, "src-id not allowed with src host");
	if (r->src_kind == SLICEGUARD_PEER_HOST && r->dst_kind != SLICEGUARD_PEER_APP &&
	    r->dst_kind != SLICEGUARD_PEER_SLICE)
		return fail(err, errlen, EINVAL, "src host only toward a slice or an app");
	if (!sg_peer_has_id(r->dst_kind) && r->dst_id)
		return fail(err, errlen, EINVAL, "dst-id not allowed with dst %s",
			    peer_words[r->dst_kind]);
	if (sg_peer_has_id(r->src_kind) && !peer_exists(p, r->src_kind, r->src_id))
		return fail(err, errlen, ENOENT, "src %s %u not found",
			    peer_words[r->src_kind], r->src_id);
	if (sg_peer_has_id(r->dst_kind) && !peer_exists(p, r->dst_kind, r->dst_id))
		return fail(err, errlen, ENOENT, "dst %s %u not found",
			    peer_words[r->dst_kind], r->dst_id);
	if (r->src_kind == SLICEGUARD_PEER_APP && r->dst_kind == SLICEGUARD_PEER_SLICE) {
		app = sg_policy_app_by_id(p, r->src_id);
		for (i = 0; i < app->n_slices; i++)
			if (app->slices[i] == r->dst_id)
				break;
		if (i == app->n_slices)
			return fail(err, errlen, EINVAL, "app %s does not serve slice %s",
				    app->name, sg_policy_slice_by_id(p, r->dst_id)->name);
	}
	if (check_ports(r->proto, r->port_first, r->port_last, err, errlen))
		return -EINVAL;
	for (i = 0; i < p->n_rules; i++) {
		const struct sg_rule *o = &p->rules[i];

		if (o->id != r->id && o->src_kind == r->src_kind &&
		    o->src_id == r->src_id && o->dst_kind == r->dst_kind &&
		    o->dst_id == r->dst_id && o->proto == r->proto &&
		    o->port_first == r->port_first && o->port_last == r->port_last)
			return fail(err, errlen, EEXIST, "duplicate of rule %u", o->id);
	}
	return 0;
}

static int slice_index(const struct sg_policy *p, uint32_t id, const char *name)
{
	unsigned int i;

	for (i = 0; i < p->n_slices; i++)
		if (id ? p->slices[i].id == id : !strcmp(p->slices[i].name, name))
			return i;
	return -1;
}

static int app_index(const struct sg_policy *p, uint32_t id, const char *name)
{
	unsigned int i;

	for (i = 0; i < p->n_apps; i++)
		if (id ? p->apps[i].id == id : !strcmp(p->apps[i].name, name))
			return i;
	return -1;
}

static int rule_index(const struct sg_policy *p, uint32_t id)
{
	unsigned int i;

	for (i = 0; i < p->n_rules; i++)
		if (p->rules[i].id == id)
			return i;
	return -1;
}

static int uplink_index(const struct sg_policy *p, const char *ifname)
{
	unsigned int i;

	for (i = 0; i < p->n_uplinks; i++)
		if (!strcmp(p->uplinks[i].ifname, ifname))
			return i;
	return -1;
}

/* Remove element idx of an array of n elements of size elem. */
static void remove_elem(void *array, unsigned int *n, unsigned int idx, size_t elem)
{
	char *base = array;

	memmove(base + idx * elem, base + (idx + 1) * elem, (*n - idx - 1) * elem);
	(*n)--;
}

/* Whether @r names the slice or app @kind/@id as its source or destination. */
static bool rule_refers(const struct sg_rule *r, uint32_t kind, uint32_t id)
{
	return (r->src_kind == kind && r->src_id == id) ||
	       (r->dst_kind == kind && r->dst_id == id);
}

static int apply_slice(struct sg_policy *p, const struct sg_command *cmd,
		       char *err, size_t errlen)
{
	const struct sg_slice *s = &cmd->slice;
	int idx = slice_index(p, s->id, s->name);
	struct sg_slice *dst;
	unsigned int i;
	int ret;

	if (cmd->verb == SG_VERB_DEL) {
		if (idx < 0)
			return fail(err, errlen, ENOENT, "slice not found");
		s = &p->slices[idx];
		for (i = 0; i < p->n_apps; i++) {
			const struct sg_app *a = &p->apps[i];
			unsigned int j;

			for (j = 0; j < a->n_slices; j++)
				if (a->slices[j] == s->id)
					return fail(err, errlen, EBUSY,
						    "slice %s used by app %s",
						    s->name, a->name);
		}
		for (i = 0; i < p->n_rules; i++) {
			const struct sg_rule *r = &p->rules[i];

			if (rule_refers(r, SLICEGUARD_PEER_SLICE, s->id))
				return fail(err, errlen, EBUSY, "slice %s used by rule %u",
					    s->name, r->id);
		}
		remove_elem(p->slices, &p->n_slices, idx, sizeof(*s));
		return 0;
	}
	if (cmd->verb == SG_VERB_ADD && idx >= 0)
		return fail(err, errlen, EEXIST, "slice %u exists (%s)", s->id,
			    p->slices[idx].name);
	if (cmd->verb == SG_VERB_SET && idx < 0)
		return fail(err, errlen, ENOENT, "slice not found");
	ret = check_slice(p, s, err, errlen);
	if (ret)
		return ret;
	dst = idx >= 0 ? &p->slices[idx] : sg_policy_add_slice(p);
	if (!dst)
		return fail(err, errlen, ENOMEM, "out of memory");
	*dst = *s;
	return 0;
}

static int apply_app(struct sg_policy *p, const struct sg_command *cmd,
		     char *err, size_t errlen)
{
	const struct sg_app *a = &cmd->app;
	int idx = app_index(p, a->id, a->name);
	struct sg_app *dst;
	unsigned int i;
	int ret;

	if (cmd->verb == SG_VERB_DEL) {
		if (idx < 0)
			return fail(err, errlen, ENOENT, "app not found");
		a = &p->apps[idx];
		for (i = 0; i < p->n_rules; i++) {
			const struct sg_rule *r = &p->rules[i];

			if (rule_refers(r, SLICEGUARD_PEER_APP, a->id))
				return fail(err, errlen, EBUSY, "app %s used by rule %u",
					    a->name, r->id);
		}
		remove_elem(p->apps, &p->n_apps, idx, sizeof(*a));
		return 0;
	}
	if (cmd->verb == SG_VERB_ADD && idx >= 0)
		return fail(err, errlen, EEXIST, "app %u exists (%s)", a->id,
			    p->apps[idx].name);
	if (cmd->verb == SG_VERB_SET && idx < 0)
		return fail(err, errlen, ENOENT, "app not found");
	ret = check_app(p, a, err, errlen);
	if (ret)
		return ret;
	dst = idx >= 0 ? &p->apps[idx] : sg_policy_add_app(p);
	if (!dst)
		return fail(err, errlen, ENOMEM, "out of memory");
	*dst = *a;
	return 0;
}

static int apply_rule(struct sg_policy *p, const struct sg_command *cmd,
		      char *err, size_t errlen)
{
	struct sg_rule r = cmd->rule;
	int idx = r.id ? rule_index(p, r.id) : -1;
	struct sg_rule *dst;
	int ret;

	if (cmd->verb == SG_VERB_DEL) {
		if (idx < 0)
			return fail(err, errlen, ENOENT, "rule not found");
		remove_elem(p->rules, &p->n_rules, idx, sizeof(r));
		return 0;
	}
	if (cmd->verb == SG_VERB_ADD && idx >= 0)
		return fail(err, errlen, EEXIST, "rule %u exists", r.id);
	if (cmd->verb == SG_VERB_SET && idx < 0)
		return fail(err, errlen, ENOENT, "rule not found");
	/* Like the kernel: the lowest free id when none was given. */
	if (!r.id)
		for (r.id = 1; rule_index(p, r.id) >= 0; r.id++)
			;
	ret = check_rule(p, &r, err, errlen);
	if (ret)
		return ret;
	dst = idx >= 0 ? &p->rules[idx] : sg_policy_add_rule(p);
	if (!dst)
		return fail(err, errlen, ENOMEM, "out of memory");
	*dst = r;
	return 0;
}

static int apply_uplink(struct sg_policy *p, const struct sg_command *cmd,
			char *err, size_t errlen)
{
	const struct sg_uplink *u = &cmd->uplink;
	int idx = uplink_index(p, u->ifname);
	struct sg_uplink *dst;

	if (cmd->verb != SG_VERB_ADD && idx < 0)
		return fail(err, errlen, ENOENT, "uplink not found");
	if (cmd->verb == SG_VERB_DEL) {
		remove_elem(p->uplinks, &p->n_uplinks, idx, sizeof(*u));
		return 0;
	}
	if (cmd->verb == SG_VERB_ADD && idx >= 0)
		return fail(err, errlen, EEXIST, "uplink %s exists", u->ifname);
	dst = idx >= 0 ? &p->uplinks[idx] : sg_policy_add_uplink(p);
	if (!dst)
		return fail(err, errlen, ENOMEM, "out of memory");
	*dst = *u;
	return 0;
}

int sg_policy_apply(struct sg_policy *policy, const struct sg_command *cmd,
		    char *err, size_t errlen)
{
	switch (cmd->object) {
	case SG_OBJECT_SLICE:
		return apply_slice(policy, cmd, err, errlen);
	case SG_OBJECT_APP:
		return apply_app(policy, cmd, err, errlen);
	case SG_OBJECT_RULE:
		return apply_rule(policy, cmd, err, errlen);
	case SG_OBJECT_UPLINK:
		return apply_uplink(policy, cmd, err, errlen);
	}
	return fail(err, errlen, EINVAL, "unknown object");
}

int sg_policy_parse_file(const char *path, struct sg_policy *policy,
			 char *err, size_t errlen)
{
	char line[SG_LINE_MAX], msg[256], *argv[SG_ARGS_MAX];
	struct sg_command cmd;
	unsigned int lineno = 0;
	int argc, ret = 0;
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return fail(err, errlen, errno, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			ret = fail(msg, sizeof(msg), E2BIG, "line too long");
			break;
		}
		argc = sg_split_line(line, argv, SG_ARGS_MAX);
		if (argc < 0) {
			ret = fail(msg, sizeof(msg), E2BIG, "too many words");
			break;
		}
		if (!argc)
			continue;
		ret = sg_parse_command(argc, argv, policy, &cmd, msg, sizeof(msg));
		if (!ret && cmd.verb != SG_VERB_ADD)
			ret = fail(msg, sizeof(msg), EINVAL,
				   "only add commands belong in a policy file");
		if (!ret)
			ret = sg_policy_apply(policy, &cmd, msg, sizeof(msg));
		if (ret)
			break;
	}
	if (!ret && ferror(f))
		ret = fail(msg, sizeof(msg), EIO, "read error");
	fclose(f);
	if (ret)
		fail(err, errlen, -ret, "line %u: %s", lineno, msg);
	return ret;
}
