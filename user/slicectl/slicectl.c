// SPDX-License-Identifier: GPL-2.0
/*
 * slicectl - configure the sliceguard policy store of a network namespace.
 *
 *   slicectl [-j] [-p] [-n NETNS] [-batch FILE] OBJECT { COMMAND | help }
 *
 * A thin client of the sliceguard generic netlink family: the grammar is
 * user/lib/policy_parse.c, the wire format user/lib/policy_nl.c, the output
 * print.c. Documentation/man/slicectl.8.rst is the manual.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netlink/netlink.h>
#include <netlink/genl/genl.h>

#include "policy_nl.h"
#include "policy_parse.h"
#include "print.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define __maybe_unused __attribute__((unused))

static struct {
	struct sg_nl nl;
	bool nl_open;
	/* -batch: the policy as staged so far, for names and early checks */
	struct sg_policy *batch;
	unsigned int lineno;
	bool export_text;	/* print objects as "OBJECT add ..." lines */
} ctx;

static const char *const change_names[] = { "new", "set", "del" };
static const char *const peer_names[] = { "slice", "app", "any", "host" };
static const char *const mode_names[] = { "ip", "gtpu" };
static const char *const unsliced_names[] = { "drop", "pass" };

static int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print "Error: ..." (naming the -batch line) and return the exit status. */
static int error(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("Error: ", stderr);
	if (ctx.lineno)
		fprintf(stderr, "line %u: ", ctx.lineno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

/*
 * A request that succeeded with a message: the module's warning (a rule
 * that can never match), on stderr like iproute2's.
 */
static void nl_warning(void)
{
	if (!ctx.nl.extack[0])
		return;
	fflush(stdout);
	fputs("Warning: ", stderr);
	if (ctx.lineno)
		fprintf(stderr, "line %u: ", ctx.lineno);
	fprintf(stderr, "%s\n", ctx.nl.extack);
}

/* A failed request: the kernel's extack message, else strerror. */
static int nl_error(int ret)
{
	if (ctx.nl.extack[0])
		return error("%s", ctx.nl.extack);
	return error("%s", strerror(-ret));
}

static const char *enum_name(const char *const *names, size_t n, uint32_t v)
{
	return v < n ? names[v] : "unknown";
}

static int open_nl(void)
{
	int ret;

	if (ctx.nl_open)
		return 0;
	ret = sg_nl_open(&ctx.nl);
	if (ret == -ENOENT)
		return error("sliceguard netlink family not found (module not loaded?)");
	if (ret)
		return error("cannot open netlink socket: %s", strerror(-ret));
	ctx.nl_open = true;
	return 0;
}

/* ---- output of objects ---- */

static void print_head(const char *object)
{
	print_string(PRINT_TEXT, NULL, ctx.export_text ? "%s add " : "%s ", object);
}

static void print_meta(const struct sg_nl_object *meta)
{
	if (!meta)
		return;
	if (meta->has_change)
		print_string(PRINT_JSON, "change", NULL,
			     enum_name(change_names, ARRAY_SIZE(change_names), meta->change));
	if (meta->has_generation)
		print_uint(PRINT_ANY, "generation", "generation %" PRIu64 " ",
			   meta->generation);
}

static void print_rates(uint64_t rate, uint64_t burst, uint64_t pps)
{
	print_rate(rate ? PRINT_ANY : PRINT_JSON, "rate-bytes", "rate %s ", rate);
	print_size(burst ? PRINT_ANY : PRINT_JSON, "burst-bytes", "burst %s ", burst);
	print_uint(pps ? PRINT_ANY : PRINT_JSON, "rate-packets", "pps %" PRIu64 " ", pps);
}

static void print_prefix(const char *key, const char *fmt, const struct sg_prefix *p)
{
	char buf[SG_PREFIX_STRLEN];

	sg_format_prefix(p, buf, sizeof(buf));
	print_string(PRINT_ANY, key, fmt, buf);
}

static void print_ports(uint16_t first, uint16_t last)
{
	print_uint(PRINT_JSON, "port-first", NULL, first);
	print_uint(PRINT_JSON, "port-last", NULL, last);
	if (first == 0 && last == 65535)
		return;
	print_uint(PRINT_TEXT, NULL, "port %" PRIu64, first);
	if (first != last)
		print_uint(PRINT_TEXT, NULL, "-%" PRIu64, last);
	print_string(PRINT_TEXT, NULL, " ", "");
}

static void print_proto(uint8_t proto)
{
	const char *name = sg_proto_name(proto);

	print_uint(PRINT_JSON, "proto", NULL, proto);
	if (!proto)
		return;
	if (name)
		print_string(PRINT_TEXT, NULL, "proto %s ", name);
	else
		print_uint(PRINT_TEXT, NULL, "proto %" PRIu64 " ", proto);
}

static void print_slice(const char *key, const struct sg_slice *s,
		const struct sg_nl_object *meta)
{
	unsigned int i;

	print_open_object(key);
	print_head("slice");
	print_string(PRINT_ANY, "name", "%s ", s->name);
	print_uint(PRINT_ANY, "id", "id %" PRIu64 " ", s->id);
	print_uint(PRINT_ANY, "sst", "sst %" PRIu64 " ", s->sst);
	if (s->has_sd)
		print_uint(PRINT_ANY, "sd", "sd 0x%06" PRIx64 " ", s->sd);
	print_open_array("ue-prefix");
	for (i = 0; i < s->n_ue_prefixes; i++)
		print_prefix(NULL, "ue %s ", &s->ue_prefixes[i]);
	print_close_array();
	print_open_array("vlan");
	for (i = 0; i < s->n_vlans; i++)
		print_uint(PRINT_ANY, NULL, "vlan %" PRIu64 " ", s->vlans[i]);
	print_close_array();
	print_open_array("teid-range");
	for (i = 0; i < s->n_teid_ranges; i++) {
		const struct sg_range *r = &s->teid_ranges[i];

		print_open_object(NULL);
		print_uint(PRINT_ANY, "first", "teid %" PRIu64, r->first);
		print_uint(PRINT_ANY, "last", r->first == r->last ? " " : "-%" PRIu64 " ",
			   r->last);
		print_close_object();
	}
	print_close_array();
	print_open_array("dscp");
	for (i = 0; i < s->n_dscps; i++)
		print_uint(PRINT_ANY, NULL, "dscp %" PRIu64 " ", s->dscps[i]);
	print_close_array();
	print_rates(s->rate_bytes, s->burst_bytes, s->rate_packets);
	print_rate(s->ue_rate_bytes ? PRINT_ANY : PRINT_JSON, "ue-rate-bytes",
		   "ue-rate %s ", s->ue_rate_bytes);
	print_uint(s->mark ? PRINT_ANY : PRINT_JSON, "mark", "mark 0x%" PRIx64 " ", s->mark);
	print_uint(PRINT_JSON, "ue-to-ue", NULL, s->ue_to_ue);
	if (s->ue_to_ue)
		print_string(PRINT_TEXT, NULL, "ue-to-ue %s ", "on");
	print_meta(meta);
	print_close_object();
}

static void print_app(const char *key, const struct sg_app *a,
		const struct sg_nl_object *meta)
{
	unsigned int i;

	print_open_object(key);
	print_head("app");
	print_string(PRINT_ANY, "name", "%s ", a->name);
	print_uint(PRINT_ANY, "id", "id %" PRIu64 " ", a->id);
	print_open_array("slice");
	for (i = 0; i < a->n_slices; i++)
		print_uint(PRINT_ANY, NULL, "slice %" PRIu64 " ", a->slices[i]);
	print_close_array();
	print_open_array("endpoint");
	for (i = 0; i < a->n_endpoints; i++) {
		const struct sg_endpoint *e = &a->endpoints[i];

		print_open_object(NULL);
		print_prefix("prefix", "addr %s ", &e->prefix);
		print_proto(e->proto);
		print_ports(e->port_first, e->port_last);
		print_close_object();
	}
	print_close_array();
	if (a->ifname[0])
		print_string(PRINT_ANY, "ifname", "dev %s ", a->ifname);
	print_rates(a->rate_bytes, a->burst_bytes, a->rate_packets);
	print_meta(meta);
	print_close_object();
}

static void print_rule(const char *key, const struct sg_rule *r,
		const struct sg_nl_object *meta)
{
	print_open_object(key);
	print_head("rule");
	print_uint(PRINT_ANY, "id", "id %" PRIu64 " ", r->id);
	print_string(PRINT_ANY, "src-kind", "from %s ",
		     enum_name(peer_names, ARRAY_SIZE(peer_names), r->src_kind));
	if (sg_peer_has_id(r->src_kind))
		print_uint(PRINT_ANY, "src-id", "%" PRIu64 " ", r->src_id);
	print_string(PRINT_ANY, "dst-kind", "to %s ",
		     enum_name(peer_names, ARRAY_SIZE(peer_names), r->dst_kind));
	if (sg_peer_has_id(r->dst_kind))
		print_uint(PRINT_ANY, "dst-id", "%" PRIu64 " ", r->dst_id);
	print_proto(r->proto);
	print_ports(r->port_first, r->port_last);
	print_rates(r->rate_bytes, r->burst_bytes, r->rate_packets);
	print_meta(meta);
	print_close_object();
}

static void print_uplink(const char *key, const struct sg_uplink *u,
		const struct sg_nl_object *meta)
{
	print_open_object(key);
	print_head("uplink");
	print_string(PRINT_ANY, "ifname", "dev %s ", u->ifname);
	print_string(PRINT_ANY, "mode", "mode %s ",
		     enum_name(mode_names, ARRAY_SIZE(mode_names), u->mode));
	print_string(PRINT_ANY, "unsliced", "unsliced %s ",
		     enum_name(unsliced_names, ARRAY_SIZE(unsliced_names), u->unsliced));
	print_meta(meta);
	print_close_object();
}

static void print_nl_object(const char *key, const struct sg_nl_object *obj)
{
	switch (obj->kind) {
	case SG_NL_SLICE:
		print_slice(key, &obj->slice, obj);
		break;
	case SG_NL_APP:
		print_app(key, &obj->app, obj);
		break;
	case SG_NL_RULE:
		print_rule(key, &obj->rule, obj);
		break;
	case SG_NL_UPLINK:
		print_uplink(key, &obj->uplink, obj);
		break;
	case SG_NL_POLICY:
		break;
	}
}

static int show_reply(struct nlmsghdr *nlh, void *arg __maybe_unused)
{
	struct sg_nl_object obj;
	int ret = sg_nl_parse(nlh, &obj);

	if (ret)
		return ret;
	print_nl_object(NULL, &obj);
	return 0;
}

/* ---- help ---- */

static const char *const object_words[] = {
	"slice", "app", "rule", "uplink", "policy", "monitor", "help", NULL
};
enum { OBJ_SLICE, OBJ_APP, OBJ_RULE, OBJ_UPLINK, OBJ_POLICY, OBJ_MONITOR, OBJ_HELP };

static const char *const usage_text[] = {
	[OBJ_SLICE] =
	"       slicectl slice { add | replace } NAME id ID sst SST [ sd SD ]\n"
	"                [ ue PREFIX ]... [ vlan VID ]... [ teid TEID[-TEID] ]...\n"
	"                [ dscp DSCP ]... [ rate RATE ] [ burst SIZE ] [ pps PPS ]\n"
	"                [ ue-rate RATE ] [ mark MARK ] [ ue-to-ue { on | off } ]\n"
	"       slicectl slice set NAME [ the same arguments, changing only those ]\n"
	"       slicectl slice del { NAME | ID | id ID | name NAME }\n"
	"       slicectl slice show [ NAME | ID | id ID | name NAME ]\n",
	[OBJ_APP] =
	"       slicectl app { add | replace } NAME id ID slice { NAME | ID }...\n"
	"                addr PREFIX [ proto PROTO ] [ port PORT[-PORT] ]...\n"
	"                [ dev IFNAME ] [ rate RATE ] [ burst SIZE ] [ pps PPS ]\n"
	"       slicectl app set NAME [ the same arguments, changing only those ]\n"
	"       slicectl app del { NAME | ID | id ID | name NAME }\n"
	"       slicectl app show [ NAME | ID | id ID | name NAME ]\n",
	[OBJ_RULE] =
	"       slicectl rule { add | replace } [ id ID ]\n"
	"                from { slice { NAME | ID } | app { NAME | ID } | host }\n"
	"                to { slice { NAME | ID } | app { NAME | ID } | any | host }\n"
	"                [ proto PROTO ] [ port PORT[-PORT] ]\n"
	"                [ rate RATE ] [ burst SIZE ] [ pps PPS ]\n"
	"       slicectl rule set id ID [ the same arguments, changing only those ]\n"
	"       slicectl rule del { ID | id ID }\n"
	"       slicectl rule show [ ID | id ID ]\n",
	[OBJ_UPLINK] =
	"       slicectl uplink { add | set | replace } dev IFNAME [ mode { ip | gtpu } ]\n"
	"                [ unsliced { drop | pass } ]\n"
	"       slicectl uplink del { IFNAME | dev IFNAME }\n"
	"       slicectl uplink show [ IFNAME | dev IFNAME ]\n",
	[OBJ_POLICY] =
	"       slicectl policy { show | flush | export }\n",
	[OBJ_MONITOR] =
	"       slicectl monitor\n",
};

static int usage(int object, FILE *f)
{
	size_t i;

	fprintf(f, "Usage: slicectl [ OPTIONS ] OBJECT { COMMAND | help }\n");
	if (object >= 0 && object < OBJ_HELP) {
		fputs(usage_text[object], f);
	} else {
		fprintf(f, "       slicectl [ OPTIONS ] -batch FILE\n"
			"where  OBJECT := { slice | app | rule | uplink | policy | monitor }\n"
			"       OPTIONS := { -j[son] | -p[retty] | -n[etns] NETNS | -V[ersion] }\n");
		for (i = 0; i < OBJ_HELP; i++)
			fputs(usage_text[i], f);
	}
	fprintf(f, "RATE := NUMBER{bit|kbit|mbit|gbit|bps|kbps|mbps|gbps}"
		"  SIZE := NUMBER{b|k|m}  PROTO := { tcp | udp | icmp | icmpv6 | N }\n");
	return f == stdout ? 0 : 1;
}

/* ---- object commands ---- */

/* The first four in the order of enum sg_verb. */
static const char *const verb_words[] = {
	"add", "set", "del", "replace", "show", "list", "help", NULL
};
enum { VERB_ADD, VERB_SET, VERB_DEL, VERB_REPLACE, VERB_SHOW, VERB_LIST, VERB_HELP };

/* Netlink command per object, indexed by enum sg_verb, then the get. */
#define NL_GET 3
static const uint8_t nl_cmds[][4] = {
	[OBJ_SLICE] = { SLICEGUARD_CMD_SLICE_NEW, SLICEGUARD_CMD_SLICE_SET,
			SLICEGUARD_CMD_SLICE_DEL, SLICEGUARD_CMD_SLICE_GET },
	[OBJ_APP] = { SLICEGUARD_CMD_APP_NEW, SLICEGUARD_CMD_APP_SET,
		      SLICEGUARD_CMD_APP_DEL, SLICEGUARD_CMD_APP_GET },
	[OBJ_RULE] = { SLICEGUARD_CMD_RULE_NEW, SLICEGUARD_CMD_RULE_SET,
		       SLICEGUARD_CMD_RULE_DEL, SLICEGUARD_CMD_RULE_GET },
	[OBJ_UPLINK] = { SLICEGUARD_CMD_UPLINK_NEW, SLICEGUARD_CMD_UPLINK_SET,
			 SLICEGUARD_CMD_UPLINK_DEL, SLICEGUARD_CMD_UPLINK_GET },
};

/* Put the key of a parsed del/show command. */
static int put_key(struct nl_msg *msg, const struct sg_command *cmd)
{
	switch (cmd->object) {
	case SG_OBJECT_SLICE:
		return sg_nl_put_key(msg, cmd->slice.id, cmd->slice.name);
	case SG_OBJECT_APP:
		return sg_nl_put_key(msg, cmd->app.id, cmd->app.name);
	case SG_OBJECT_RULE:
		return nla_put_u32(msg, SLICEGUARD_A_RULE_ID, cmd->rule.id) ? -EMSGSIZE : 0;
	case SG_OBJECT_UPLINK:
		return nla_put_string(msg, SLICEGUARD_A_UPLINK_IFNAME, cmd->uplink.ifname) ?
		       -EMSGSIZE : 0;
	}
	return -EINVAL;
}

static int put_object(struct nl_msg *msg, const struct sg_command *cmd)
{
	switch (cmd->object) {
	case SG_OBJECT_SLICE:
		return sg_nl_put_slice(msg, &cmd->slice);
	case SG_OBJECT_APP:
		return sg_nl_put_app(msg, &cmd->app);
	case SG_OBJECT_RULE:
		return sg_nl_put_rule(msg, &cmd->rule);
	case SG_OBJECT_UPLINK:
		return sg_nl_put_uplink(msg, &cmd->uplink);
	}
	return -EINVAL;
}

/* Send one parsed add/set/del to the kernel. */
/*
 * With -j, add and set print what the module stored, as show would: a
 * script learns the id the kernel picked for a rule. Text output stays
 * silent, like ip(8); inside -batch nothing is stored until the commit.
 */
static int send_command(const struct sg_command *cmd)
{
	bool echo = print_json() && !ctx.batch && cmd->verb != SG_VERB_DEL;
	struct nl_msg *msg;
	int ret;

	msg = sg_nl_msg(&ctx.nl, nl_cmds[cmd->object][cmd->verb], 0);
	if (!msg)
		return error("out of memory");
	ret = cmd->verb == SG_VERB_DEL ? put_key(msg, cmd) : put_object(msg, cmd);
	if (ret) {
		nlmsg_free(msg);
		return error("request too large");
	}
	if (echo)
		print_open_array(NULL);
	ret = sg_nl_request(&ctx.nl, msg, echo ? show_reply : NULL, NULL);
	if (ret) {
		if (echo)
			print_discard();
		return nl_error(ret);
	}
	if (echo)
		print_close_array();
	nl_warning();
	return 0;
}

/*
 * A partial set outside -batch: the object is read and written back in one
 * transaction, so no other writer's change between the two is lost.
 */
static int do_partial_set(int object, int argc, char **argv)
{
	struct sg_command cmd;
	struct sg_policy cur;
	char err[256];
	int ret;

	ret = open_nl();
	if (ret)
		return ret;
	ret = sg_nl_tx(&ctx.nl, SLICEGUARD_CMD_TX_BEGIN, NULL);
	if (ret)
		return nl_error(ret);
	sg_policy_init(&cur);
	ret = sg_nl_dump_policy(&ctx.nl, &cur);
	if (ret) {
		ret = nl_error(ret);
		goto abort;
	}
	ret = sg_parse_object_args(object, SG_VERB_SET, argc, argv, &cur, &cmd,
				   err, sizeof(err));
	if (ret) {
		ret = error("%s", err);
		goto abort;
	}
	ret = send_command(&cmd);
	if (ret)
		goto abort;
	sg_policy_free(&cur);
	ret = sg_nl_tx(&ctx.nl, SLICEGUARD_CMD_TX_COMMIT, NULL);
	return ret ? nl_error(ret) : 0;
abort:
	sg_policy_free(&cur);
	sg_nl_tx(&ctx.nl, SLICEGUARD_CMD_TX_ABORT, NULL);
	return ret;
}

static int do_change(int object, int verb, int argc, char **argv)
{
	struct sg_policy names, *resolve = ctx.batch;
	struct sg_command cmd;
	char err[256];
	int ret;

	if (verb == SG_VERB_SET && !ctx.batch)
		return do_partial_set(object, argc, argv);
	sg_policy_init(&names);
	/* Names of slices and apps are resolved against the kernel's policy. */
	if (!resolve && verb != SG_VERB_DEL &&
	    (object == OBJ_APP || object == OBJ_RULE)) {
		ret = open_nl();
		if (ret)
			return ret;
		ret = sg_nl_dump_policy(&ctx.nl, &names);
		if (ret)
			return nl_error(ret);
		resolve = &names;
	}
	ret = sg_parse_object_args(object, verb, argc, argv, resolve, &cmd,
				   err, sizeof(err));
	sg_policy_free(&names);
	if (ret)
		return error("%s", err);
	/* In a batch, catch integrity errors at their line, not at commit. */
	if (ctx.batch && sg_policy_apply(ctx.batch, &cmd, err, sizeof(err)))
		return error("%s", err);
	ret = open_nl();
	return ret ? ret : send_command(&cmd);
}

static int do_show(int object, int argc, char **argv)
{
	struct sg_command cmd;
	struct nl_msg *msg;
	char err[256];
	int ret;

	if (argc) {
		ret = sg_parse_object_args(object, SG_VERB_DEL, argc, argv, NULL, &cmd,
					   err, sizeof(err));
		if (ret)
			return error("%s", err);
	}
	ret = open_nl();
	if (ret)
		return ret;
	msg = sg_nl_msg(&ctx.nl, nl_cmds[object][NL_GET], argc ? 0 : NLM_F_DUMP);
	if (!msg)
		return error("out of memory");
	if (argc && put_key(msg, &cmd)) {
		nlmsg_free(msg);
		return error("request too large");
	}
	print_open_array(NULL);
	ret = sg_nl_request(&ctx.nl, msg, show_reply, NULL);
	if (ret) {
		print_discard();
		return nl_error(ret);
	}
	print_close_array();
	return 0;
}

static int do_object(int object, int argc, char **argv)
{
	int verb = VERB_SHOW;

	if (argc)
		verb = sg_match(argv[0], verb_words);
	if (verb == -EINVAL)
		return error("ambiguous argument \"%s\"", argv[0]);
	if (verb < 0)
		return error("unknown argument \"%s\"", argv[0]);
	if (verb == VERB_HELP)
		return usage(object, stdout);
	if (verb == VERB_SHOW || verb == VERB_LIST)
		return do_show(object, argc ? argc - 1 : 0, argv + 1);
	return do_change(object, verb, argc - 1, argv + 1);
}

/* ---- policy ---- */

static void print_policy_objects(const struct sg_policy *p)
{
	unsigned int i;

	print_open_array("slices");
	for (i = 0; i < p->n_slices; i++)
		print_slice(NULL, &p->slices[i], NULL);
	print_close_array();
	print_open_array("apps");
	for (i = 0; i < p->n_apps; i++)
		print_app(NULL, &p->apps[i], NULL);
	print_close_array();
	print_open_array("rules");
	for (i = 0; i < p->n_rules; i++)
		print_rule(NULL, &p->rules[i], NULL);
	print_close_array();
	print_open_array("uplinks");
	for (i = 0; i < p->n_uplinks; i++)
		print_uplink(NULL, &p->uplinks[i], NULL);
	print_close_array();
}

/*
 * export: JSON of the whole policy, or in text the slicectl commands that
 * recreate it (a -batch file), one consistent generation either way.
 */
static int policy_export(void)
{
	struct sg_policy policy;
	int ret;

	sg_policy_init(&policy);
	ret = sg_nl_dump_policy(&ctx.nl, &policy);
	if (ret)
		return nl_error(ret);
	if (print_json()) {
		print_open_object(NULL);
		print_uint(PRINT_JSON, "generation", NULL, policy.generation);
		print_policy_objects(&policy);
		print_close_object();
	} else {
		printf("# sliceguard policy, generation %" PRIu64 "\n", policy.generation);
		ctx.export_text = true;
		print_open_array(NULL);
		print_policy_objects(&policy);
		print_close_array();
		ctx.export_text = false;
	}
	sg_policy_free(&policy);
	return 0;
}

static void print_policy_info(const struct sg_policy_info *info)
{
	print_uint(PRINT_ANY, "generation", "generation %" PRIu64 " ", info->generation);
	if (info->has_tx_portid)
		print_uint(PRINT_ANY, "tx-portid", "transaction-port %" PRIu64 " ",
			   info->tx_portid);
	print_uint(PRINT_ANY, "n-slices", "slices %" PRIu64, info->n_slices);
	print_uint(PRINT_ANY, "max-slices", "/%" PRIu64 " ", info->max_slices);
	print_uint(PRINT_ANY, "n-apps", "apps %" PRIu64, info->n_apps);
	print_uint(PRINT_ANY, "max-apps", "/%" PRIu64 " ", info->max_apps);
	print_uint(PRINT_ANY, "n-rules", "rules %" PRIu64, info->n_rules);
	print_uint(PRINT_ANY, "max-rules", "/%" PRIu64 " ", info->max_rules);
	print_uint(PRINT_ANY, "n-uplinks", "uplinks %" PRIu64, info->n_uplinks);
	print_uint(PRINT_ANY, "max-uplinks", "/%" PRIu64 " ", info->max_uplinks);
}

#define SHOW_TRIES 16

/* Everything: the store's state and every object, of one generation. */
static int policy_show(void)
{
	struct sg_policy_info info;
	struct sg_policy policy;
	int tries, ret;

	sg_policy_init(&policy);
	for (tries = 0; tries < SHOW_TRIES; tries++) {
		ret = sg_nl_dump_policy(&ctx.nl, &policy);
		if (!ret)
			ret = sg_nl_policy_get(&ctx.nl, &info);
		if (ret || info.generation == policy.generation)
			break;
	}
	if (!ret && tries == SHOW_TRIES)
		ret = -EAGAIN;
	if (ret) {
		sg_policy_free(&policy);
		return nl_error(ret);
	}
	print_open_object(NULL);
	print_policy_info(&info);
	if (print_json())
		print_policy_objects(&policy);
	print_close_object();
	/* In text, the objects follow the summary line, one per line. */
	if (!print_json()) {
		print_open_array(NULL);
		print_policy_objects(&policy);
		print_close_array();
	}
	sg_policy_free(&policy);
	return 0;
}

/*
 * Inside -batch, flush deletes every staged object one by one (rules first,
 * then what they referenced), so "flush, then add the new policy" commits
 * as one generation with no moment of an empty policy.
 */
static int batch_flush(void)
{
	struct sg_policy *p = ctx.batch;
	struct sg_command cmd = { .verb = SG_VERB_DEL };
	char err[256];
	int ret = 0;

	while (!ret && p->n_rules) {
		cmd.object = SG_OBJECT_RULE;
		cmd.rule = p->rules[p->n_rules - 1];
		ret = send_command(&cmd);
		if (!ret)
			ret = sg_policy_apply(p, &cmd, err, sizeof(err));
	}
	while (!ret && p->n_apps) {
		cmd.object = SG_OBJECT_APP;
		cmd.app = p->apps[p->n_apps - 1];
		ret = send_command(&cmd);
		if (!ret)
			ret = sg_policy_apply(p, &cmd, err, sizeof(err));
	}
	while (!ret && p->n_slices) {
		cmd.object = SG_OBJECT_SLICE;
		cmd.slice = p->slices[p->n_slices - 1];
		ret = send_command(&cmd);
		if (!ret)
			ret = sg_policy_apply(p, &cmd, err, sizeof(err));
	}
	while (!ret && p->n_uplinks) {
		cmd.object = SG_OBJECT_UPLINK;
		cmd.uplink = p->uplinks[p->n_uplinks - 1];
		ret = send_command(&cmd);
		if (!ret)
			ret = sg_policy_apply(p, &cmd, err, sizeof(err));
	}
	return ret > 0 ? ret : ret < 0 ? error("%s", err) : 0;
}

static int do_policy(int argc, char **argv)
{
	static const char *const words[] = { "show", "flush", "export", "help", NULL };
	enum { SHOW, FLUSH, EXPORT, HELP };
	uint64_t gen;
	int cmd = SHOW, ret;

	if (argc) {
		cmd = sg_match(argv[0], words);
		if (cmd < 0)
			return error("%s argument \"%s\"",
				     cmd == -EINVAL ? "ambiguous" : "unknown", argv[0]);
		if (argc > 1)
			return error("unknown argument \"%s\"", argv[1]);
	}
	if (cmd == HELP)
		return usage(OBJ_POLICY, stdout);
	ret = open_nl();
	if (ret)
		return ret;
	switch (cmd) {
	case SHOW:
		return policy_show();
	case EXPORT:
		return policy_export();
	default:
		if (ctx.batch)
			return batch_flush();
		ret = sg_nl_tx(&ctx.nl, SLICEGUARD_CMD_POLICY_FLUSH, &gen);
		return ret ? nl_error(ret) : 0;
	}
}

/* ---- monitor ---- */

static int monitor_event(struct nlmsghdr *nlh, void *arg __maybe_unused)
{
	static const char *const kinds[] = { "slice", "app", "rule", "uplink" };
	struct sg_nl_object obj;

	/* Skip what this version does not know rather than stop listening. */
	if (sg_nl_parse(nlh, &obj))
		return 0;
	print_open_object(NULL);
	if (obj.kind == SG_NL_POLICY) {
		print_open_object("commit");
		print_string(PRINT_TEXT, NULL, "%s", "[commit] ");
		print_uint(PRINT_ANY, "generation", "generation %" PRIu64 " ",
			   obj.policy.generation);
		print_uint(PRINT_ANY, "changes", "changes %" PRIu64 " ", obj.policy.changes);
		print_uint(PRINT_ANY, "portid", "portid %" PRIu64 " ", obj.policy.portid);
		print_close_object();
	} else {
		print_string(PRINT_TEXT, NULL, "[%s] ",
			     enum_name(change_names, ARRAY_SIZE(change_names), obj.change));
		print_nl_object(kinds[obj.kind], &obj);
	}
	print_close_object();
	return 0;
}

static int do_monitor(int argc, char **argv)
{
	int ret;

	if (argc && sg_match(argv[0], object_words) == OBJ_HELP)
		return usage(OBJ_MONITOR, stdout);
	if (argc)
		return error("unknown argument \"%s\"", argv[0]);
	if (ctx.batch)
		return error("monitor cannot run in a batch");
	ret = open_nl();
	if (ret)
		return ret;
	ret = sg_nl_subscribe(&ctx.nl);
	if (ret)
		return error("cannot join the config group: %s", strerror(-ret));
	for (;;) {
		ret = sg_nl_recv(&ctx.nl, monitor_event, NULL);
		if (ret && ret != -EINTR)
			return error("receive: %s", strerror(-ret));
	}
}

static int do_command(int argc, char **argv)
{
	int object;

	if (!argc)
		return usage(-1, stderr);
	object = sg_match(argv[0], object_words);
	if (object == -EINVAL)
		return error("ambiguous argument \"%s\"", argv[0]);
	if (object < 0)
		return error("unknown argument \"%s\"", argv[0]);
	switch (object) {
	case OBJ_POLICY:
		return do_policy(argc - 1, argv + 1);
	case OBJ_MONITOR:
		return do_monitor(argc - 1, argv + 1);
	case OBJ_HELP:
		return usage(-1, stdout);
	default:
		return do_object(object, argc - 1, argv + 1);
	}
}

/* ---- batch ---- */

static int do_batch(const char *path)
{
	char line[SG_LINE_MAX], *argv[SG_ARGS_MAX];
	struct sg_policy staged;
	unsigned int lineno = 0;
	int argc, ret;
	FILE *f;

	f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!f)
		return error("%s: %s", path, strerror(errno));
	ret = open_nl();
	if (ret)
		goto out_file;
	ret = sg_nl_tx(&ctx.nl, SLICEGUARD_CMD_TX_BEGIN, NULL);
	if (ret) {
		ret = nl_error(ret);
		goto out_file;
	}
	/* The transaction's copy, read back once: names and checks per line. */
	sg_policy_init(&staged);
	ret = sg_nl_dump_policy(&ctx.nl, &staged);
	if (ret) {
		ret = nl_error(ret);
		goto out_abort;
	}
	ctx.batch = &staged;
	while (fgets(line, sizeof(line), f)) {
		ctx.lineno = ++lineno;
		if (!strchr(line, '\n') && !feof(f)) {
			ret = error("line too long");
			goto out_abort;
		}
		argc = sg_split_line(line, argv, SG_ARGS_MAX);
		if (argc < 0) {
			ret = error("too many words");
			goto out_abort;
		}
		if (argc && !strcmp(argv[0], "slicectl")) {
			argc--;
			memmove(argv, argv + 1, argc * sizeof(argv[0]));
		}
		if (!argc)
			continue;
		ret = do_command(argc, argv);
		if (ret)
			goto out_abort;
	}
	ctx.lineno = 0;
	ret = sg_nl_tx(&ctx.nl, SLICEGUARD_CMD_TX_COMMIT, NULL);
	if (ret)
		ret = error("commit: %s", ctx.nl.extack[0] ? ctx.nl.extack : strerror(-ret));
	goto out_policy;
out_abort:
	/* Closing the socket would abort too; say it explicitly. */
	sg_nl_tx(&ctx.nl, SLICEGUARD_CMD_TX_ABORT, NULL);
out_policy:
	ctx.batch = NULL;
	sg_policy_free(&staged);
out_file:
	if (f != stdin)
		fclose(f);
	return ret;
}

/* ---- main ---- */

static int enter_netns(const char *name)
{
	char path[256];
	int fd;

	if (strchr(name, '/') || snprintf(path, sizeof(path), "/run/netns/%s", name) >=
	    (int)sizeof(path))
		return error("invalid netns name \"%s\"", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return error("cannot open netns \"%s\": %s", name, strerror(errno));
	if (setns(fd, CLONE_NEWNET)) {
		close(fd);
		return error("cannot enter netns \"%s\": %s", name, strerror(errno));
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const opts[] = {
		"-json", "-pretty", "-netns", "-batch", "-help", "-Version", "-version", NULL
	};
	enum { OPT_JSON, OPT_PRETTY, OPT_NETNS, OPT_BATCH, OPT_HELP, OPT_VERSION,
	       OPT_VERSION_LONG };
	const char *batch = NULL, *netns = NULL;
	bool json = false, pretty = false;
	int opt, ret;

	for (argc--, argv++; argc && argv[0][0] == '-'; argc--, argv++) {
		const char *arg = argv[0];

		/* "--json" as well as "-json", like iproute2 */
		if (arg[1] == '-')
			arg++;
		opt = sg_match(arg, opts);
		if (opt < 0 || !arg[1])
			return error("%s argument \"%s\"",
				     opt == -EINVAL ? "ambiguous" : "unknown", argv[0]);
		switch (opt) {
		case OPT_JSON:
			json = true;
			break;
		case OPT_PRETTY:
			pretty = true;
			break;
		case OPT_NETNS:
		case OPT_BATCH:
			if (argc < 2)
				return error("missing value after \"%s\"", argv[0]);
			argc--;
			argv++;
			if (opt == OPT_NETNS)
				netns = argv[0];
			else
				batch = argv[0];
			break;
		case OPT_HELP:
			return usage(-1, stdout);
		case OPT_VERSION:
		case OPT_VERSION_LONG:
			printf("slicectl (sliceguard) %s\n", SG_VERSION);
			return 0;
		}
	}
	print_init(json, pretty);
	if (netns) {
		ret = enter_netns(netns);
		if (ret)
			return ret;
	}
	if (batch) {
		if (argc)
			return error("unknown argument \"%s\"", argv[0]);
		ret = do_batch(batch);
	} else {
		ret = do_command(argc, argv);
	}
	if (ctx.nl_open)
		sg_nl_close(&ctx.nl);
	return ret;
}
