// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the slicectl grammar (user/lib/policy_parse.c): words to
 * sg_command, commands applied to an in-memory policy, and whole policy
 * files, with the exact error texts users and the other tools rely on.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "policy_parse.h"

/* Parse a line given as one string; returns the parser's result. */
static int parse(const char *text, const struct sg_policy *names,
		 struct sg_command *cmd, char *err, size_t errlen)
{
	char line[SG_LINE_MAX], *argv[SG_ARGS_MAX];
	int argc;

	snprintf(line, sizeof(line), "%s", text);
	argc = sg_split_line(line, argv, SG_ARGS_MAX);
	if (argc < 0)
		return argc;
	err[0] = '\0';
	return sg_parse_command(argc, argv, names, cmd, err, errlen);
}

/* Parse and apply a line to policy. */
static int run(struct sg_policy *policy, const char *text, char *err, size_t errlen)
{
	struct sg_command cmd;
	int ret = parse(text, policy, &cmd, err, errlen);

	return ret ? ret : sg_policy_apply(policy, &cmd, err, errlen);
}

static char *write_file(const char *text)
{
	static char path[] = "/tmp/sg-parse-test.XXXXXX";
	static char buf[sizeof(path)];
	int fd;

	memcpy(buf, path, sizeof(path));
	fd = mkstemp(buf);
	if (fd < 0)
		return NULL;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		close(fd);
		return NULL;
	}
	close(fd);
	return buf;
}

TEST(split_line)
{
	char line[] = "  slice add\tiot id 3 # a comment";
	char blank[] = "   \t\n", comment[] = "# only a comment\n";
	char glued[] = "uplink add dev eth1#comment", *argv[8];
	char many[] = "a b";

	ASSERT_EQ(5, sg_split_line(line, argv, 8));
	EXPECT_STREQ("slice", argv[0]);
	EXPECT_STREQ("iot", argv[2]);
	EXPECT_STREQ("3", argv[4]);
	EXPECT_EQ(0, sg_split_line(blank, argv, 8));
	EXPECT_EQ(0, sg_split_line(comment, argv, 8));
	ASSERT_EQ(4, sg_split_line(glued, argv, 8));
	EXPECT_STREQ("eth1", argv[3]);
	EXPECT_EQ(-E2BIG, sg_split_line(many, argv, 1));
}

TEST(match_prefixes)
{
	static const char *const kws[] = { "ue", "ue-rate", "ue-to-ue", "rate", NULL };

	EXPECT_EQ(0, sg_match("ue", kws));
	EXPECT_EQ(1, sg_match("ue-r", kws));
	EXPECT_EQ(2, sg_match("ue-t", kws));
	EXPECT_EQ(3, sg_match("r", kws));
	EXPECT_EQ(-EINVAL, sg_match("ue-", kws));
	EXPECT_EQ(-ENOENT, sg_match("foo", kws));
	EXPECT_EQ(-ENOENT, sg_match("", kws));
}

TEST(rates_and_sizes)
{
	uint64_t v;

	ASSERT_EQ(0, sg_parse_rate("50mbit", &v));
	EXPECT_EQ(6250000, v);
	ASSERT_EQ(0, sg_parse_rate("1Mbit", &v));
	EXPECT_EQ(125000, v);
	ASSERT_EQ(0, sg_parse_rate("8bit", &v));
	EXPECT_EQ(1, v);
	ASSERT_EQ(0, sg_parse_rate("800", &v));
	EXPECT_EQ(100, v);
	ASSERT_EQ(0, sg_parse_rate("1gbit", &v));
	EXPECT_EQ(125000000, v);
	ASSERT_EQ(0, sg_parse_rate("2kbps", &v));
	EXPECT_EQ(2000, v);
	ASSERT_EQ(0, sg_parse_rate("3mbps", &v));
	EXPECT_EQ(3000000, v);
	ASSERT_EQ(0, sg_parse_rate("0", &v));
	EXPECT_EQ(0, v);
	EXPECT_EQ(-EINVAL, sg_parse_rate("5furlongs", &v));
	EXPECT_EQ(-EINVAL, sg_parse_rate("mbit", &v));
	EXPECT_EQ(-EINVAL, sg_parse_rate("-1mbit", &v));
	EXPECT_EQ(-EINVAL, sg_parse_rate("1e30tbps", &v));
	EXPECT_EQ(-ERANGE, sg_parse_rate("18446744073709551616bps", &v));
	EXPECT_EQ(-ERANGE, sg_parse_rate("200000000tbit", &v));

	/* Exact, never rounded: issue 13 found 7bit stored as 0 (unlimited). */
	EXPECT_EQ(-EDOM, sg_parse_rate("7bit", &v));
	EXPECT_EQ(-EDOM, sg_parse_rate("12bit", &v));
	EXPECT_EQ(-EDOM, sg_parse_rate("1.5kbit", &v));
	ASSERT_EQ(0, sg_parse_rate("1.6kbit", &v));
	EXPECT_EQ(200, v);
	ASSERT_EQ(0, sg_parse_rate("12.5mbit", &v));
	EXPECT_EQ(1562500, v);
	ASSERT_EQ(0, sg_parse_rate("1.5kbps", &v));
	EXPECT_EQ(1500, v);
	ASSERT_EQ(0, sg_parse_rate("18446744073709551615bps", &v));
	EXPECT_EQ(UINT64_MAX, v);
	/* decimal digits only: no hex floats, exponents, signs or bare dots */
	EXPECT_EQ(-EINVAL, sg_parse_rate("0x10mbit", &v));
	EXPECT_EQ(-EINVAL, sg_parse_rate("1e3mbit", &v));
	EXPECT_EQ(-EINVAL, sg_parse_rate("1.mbit", &v));
	EXPECT_EQ(-EINVAL, sg_parse_rate("1.2.3mbit", &v));
	EXPECT_EQ(-EINVAL, sg_parse_rate("+1mbit", &v));
	EXPECT_EQ(-EINVAL, sg_parse_rate("inf", &v));

	ASSERT_EQ(0, sg_parse_size("1500", &v));
	EXPECT_EQ(1500, v);
	ASSERT_EQ(0, sg_parse_size("32k", &v));
	EXPECT_EQ(32768, v);
	ASSERT_EQ(0, sg_parse_size("2mb", &v));
	EXPECT_EQ(2097152, v);
	EXPECT_EQ(-EINVAL, sg_parse_size("3q", &v));
	ASSERT_EQ(0, sg_parse_size("1.5k", &v));
	EXPECT_EQ(1536, v);
	EXPECT_EQ(-EDOM, sg_parse_size("0.1k", &v));
}

TEST(prefixes_ranges_protos)
{
	struct sg_prefix p;
	char buf[SG_PREFIX_STRLEN];
	uint32_t a, b;
	uint8_t proto;

	ASSERT_EQ(0, sg_parse_prefix("10.30.0.0/16", &p));
	EXPECT_EQ(AF_INET, p.family);
	EXPECT_EQ(16, p.len);
	EXPECT_EQ(10, p.addr[0]);
	EXPECT_EQ(30, p.addr[1]);
	ASSERT_EQ(0, sg_parse_prefix("10.99.0.7", &p));
	EXPECT_EQ(32, p.len);
	ASSERT_EQ(0, sg_parse_prefix("2001:db8::/32", &p));
	EXPECT_EQ(AF_INET6, p.family);
	sg_format_prefix(&p, buf, sizeof(buf));
	EXPECT_STREQ("2001:db8::/32", buf);
	EXPECT_EQ(-ERANGE, sg_parse_prefix("10.0.0.0/33", &p));
	EXPECT_EQ(-EINVAL, sg_parse_prefix("10.0.0/8", &p));
	EXPECT_EQ(-EINVAL, sg_parse_prefix("10.0.0.0/x", &p));

	ASSERT_EQ(0, sg_parse_range("1883", 65535, &a, &b));
	EXPECT_EQ(1883, a);
	EXPECT_EQ(1883, b);
	ASSERT_EQ(0, sg_parse_range("1000-2000", 65535, &a, &b));
	EXPECT_EQ(1000, a);
	EXPECT_EQ(2000, b);
	EXPECT_EQ(-ERANGE, sg_parse_range("2000-1000", 65535, &a, &b));
	EXPECT_EQ(-ERANGE, sg_parse_range("70000", 65535, &a, &b));
	EXPECT_EQ(-EINVAL, sg_parse_range("1-", 65535, &a, &b));

	ASSERT_EQ(0, sg_parse_proto("tcp", &proto));
	EXPECT_EQ(6, proto);
	ASSERT_EQ(0, sg_parse_proto("icmpv6", &proto));
	EXPECT_EQ(58, proto);
	ASSERT_EQ(0, sg_parse_proto("47", &proto));
	EXPECT_EQ(47, proto);
	EXPECT_EQ(-ERANGE, sg_parse_proto("256", &proto));
	EXPECT_EQ(-EINVAL, sg_parse_proto("tcpx", &proto));
	EXPECT_STREQ("udp", sg_proto_name(17));
	EXPECT_EQ(NULL, sg_proto_name(47));
}

TEST(slice_example)
{
	struct sg_command cmd;
	char err[256];
	const struct sg_slice *s = &cmd.slice;

	ASSERT_EQ(0, parse("slicectl slice add iot id 3 sst 3 sd 0x000010 ue 10.30.0.0/16 "
			   "vlan 300 rate 50mbit ue-rate 1mbit", NULL, &cmd, err, sizeof(err)));
	EXPECT_EQ(SG_OBJECT_SLICE, cmd.object);
	EXPECT_EQ(SG_VERB_ADD, cmd.verb);
	EXPECT_STREQ("iot", s->name);
	EXPECT_EQ(3, s->id);
	EXPECT_EQ(3, s->sst);
	EXPECT_TRUE(s->has_sd);
	EXPECT_EQ(0x10, s->sd);
	ASSERT_EQ(1, s->n_ue_prefixes);
	EXPECT_EQ(16, s->ue_prefixes[0].len);
	ASSERT_EQ(1, s->n_vlans);
	EXPECT_EQ(300, s->vlans[0]);
	EXPECT_EQ(6250000, s->rate_bytes);
	EXPECT_EQ(125000, s->ue_rate_bytes);
	EXPECT_FALSE(s->ue_to_ue);

	/* Never octal: a leading zero is still decimal; 0x is hexadecimal. */
	ASSERT_EQ(0, parse("slicectl slice add iot id 03 sst 3 vlan 0100 mark 010 sd 0x10",
			   NULL, &cmd, err, sizeof(err)));
	EXPECT_EQ(3, s->id);
	EXPECT_EQ(100, s->vlans[0]);
	EXPECT_EQ(10, s->mark);
	EXPECT_EQ(16, s->sd);

	ASSERT_EQ(0, parse("sl a urllc id 2 sst 2 teid 100-199 teid 500 dscp 46 dscp 34 "
			   "pps 1000 burst 64k mark 0x20 ue-to-ue on", NULL, &cmd, err,
			   sizeof(err)));
	EXPECT_FALSE(s->has_sd);
	ASSERT_EQ(2, s->n_teid_ranges);
	EXPECT_EQ(100, s->teid_ranges[0].first);
	EXPECT_EQ(199, s->teid_ranges[0].last);
	EXPECT_EQ(500, s->teid_ranges[1].first);
	EXPECT_EQ(500, s->teid_ranges[1].last);
	ASSERT_EQ(2, s->n_dscps);
	EXPECT_EQ(34, s->dscps[1]);
	EXPECT_EQ(1000, s->rate_packets);
	EXPECT_EQ(65536, s->burst_bytes);
	EXPECT_EQ(0x20, s->mark);
	EXPECT_TRUE(s->ue_to_ue);
}

TEST(app_and_rule_examples)
{
	struct sg_policy policy;
	struct sg_command cmd;
	char err[256];

	sg_policy_init(&policy);
	ASSERT_EQ(0, run(&policy, "slice add iot id 3 sst 3", err, sizeof(err)));
	ASSERT_EQ(0, run(&policy, "slice add embb id 1 sst 1", err, sizeof(err)));

	ASSERT_EQ(0, parse("app add telemetry id 7 slice iot addr 10.99.0.7 proto tcp "
			   "port 1883 dev veth-telem", &policy, &cmd, err, sizeof(err)));
	EXPECT_STREQ("telemetry", cmd.app.name);
	EXPECT_EQ(7, cmd.app.id);
	ASSERT_EQ(1, cmd.app.n_slices);
	EXPECT_EQ(3, cmd.app.slices[0]);
	ASSERT_EQ(1, cmd.app.n_endpoints);
	EXPECT_EQ(32, cmd.app.endpoints[0].prefix.len);
	EXPECT_EQ(6, cmd.app.endpoints[0].proto);
	EXPECT_EQ(1883, cmd.app.endpoints[0].port_first);
	EXPECT_EQ(1883, cmd.app.endpoints[0].port_last);
	EXPECT_STREQ("veth-telem", cmd.app.ifname);
	ASSERT_EQ(0, sg_policy_apply(&policy, &cmd, err, sizeof(err)));

	/* Several endpoints, proto/port bind to the addr before them. */
	ASSERT_EQ(0, parse("app add video id 8 slice 1 slice iot addr 10.99.1.0/24 "
			   "addr 2001:db8:1::/64 proto udp port 5000-5010 rate 1gbit",
			   &policy, &cmd, err, sizeof(err)));
	ASSERT_EQ(2, cmd.app.n_slices);
	EXPECT_EQ(1, cmd.app.slices[0]);
	EXPECT_EQ(3, cmd.app.slices[1]);
	ASSERT_EQ(2, cmd.app.n_endpoints);
	EXPECT_EQ(0, cmd.app.endpoints[0].proto);
	EXPECT_EQ(0, cmd.app.endpoints[0].port_first);
	EXPECT_EQ(65535, cmd.app.endpoints[0].port_last);
	EXPECT_EQ(17, cmd.app.endpoints[1].proto);
	EXPECT_EQ(5000, cmd.app.endpoints[1].port_first);
	EXPECT_EQ(5010, cmd.app.endpoints[1].port_last);
	EXPECT_EQ(125000000, cmd.app.rate_bytes);

	ASSERT_EQ(0, parse("rule add from slice iot to app telemetry proto tcp port 1883",
			   &policy, &cmd, err, sizeof(err)));
	EXPECT_EQ(0, cmd.rule.id);
	EXPECT_EQ(SLICEGUARD_PEER_SLICE, cmd.rule.src_kind);
	EXPECT_EQ(3, cmd.rule.src_id);
	EXPECT_EQ(SLICEGUARD_PEER_APP, cmd.rule.dst_kind);
	EXPECT_EQ(7, cmd.rule.dst_id);
	EXPECT_EQ(6, cmd.rule.proto);
	EXPECT_EQ(1883, cmd.rule.port_first);
	EXPECT_EQ(1883, cmd.rule.port_last);
	ASSERT_EQ(0, sg_policy_apply(&policy, &cmd, err, sizeof(err)));
	ASSERT_EQ(1, policy.n_rules);
	EXPECT_EQ(1, policy.rules[0].id);

	ASSERT_EQ(0, parse("rule add id 9 from app telemetry to any", &policy, &cmd, err,
			   sizeof(err)));
	EXPECT_EQ(9, cmd.rule.id);
	EXPECT_EQ(SLICEGUARD_PEER_ANY, cmd.rule.dst_kind);
	EXPECT_EQ(0, cmd.rule.dst_id);
	EXPECT_EQ(0, cmd.rule.proto);
	EXPECT_EQ(0, cmd.rule.port_first);
	EXPECT_EQ(65535, cmd.rule.port_last);

	/* The host is named by its kind alone, as source and as destination. */
	ASSERT_EQ(0, parse("rule add from host to app telemetry proto tcp port 1883",
			   &policy, &cmd, err, sizeof(err)));
	EXPECT_EQ(SLICEGUARD_PEER_HOST, cmd.rule.src_kind);
	EXPECT_EQ(0, cmd.rule.src_id);
	EXPECT_EQ(SLICEGUARD_PEER_APP, cmd.rule.dst_kind);
	EXPECT_EQ(7, cmd.rule.dst_id);
	ASSERT_EQ(0, parse("rule add from slice iot to host proto udp port 53", &policy,
			   &cmd, err, sizeof(err)));
	EXPECT_EQ(SLICEGUARD_PEER_SLICE, cmd.rule.src_kind);
	EXPECT_EQ(3, cmd.rule.src_id);
	EXPECT_EQ(SLICEGUARD_PEER_HOST, cmd.rule.dst_kind);
	EXPECT_EQ(0, cmd.rule.dst_id);
	ASSERT_EQ(0, parse("rule add from app 7 to h", &policy, &cmd, err, sizeof(err)));
	EXPECT_EQ(SLICEGUARD_PEER_APP, cmd.rule.src_kind);
	EXPECT_EQ(SLICEGUARD_PEER_HOST, cmd.rule.dst_kind);

	ASSERT_EQ(0, parse("uplink add dev eth1 mode ip unsliced drop", &policy, &cmd,
			   err, sizeof(err)));
	EXPECT_STREQ("eth1", cmd.uplink.ifname);
	EXPECT_EQ(SLICEGUARD_UPLINK_MODE_IP, cmd.uplink.mode);
	EXPECT_EQ(SLICEGUARD_UNSLICED_DROP, cmd.uplink.unsliced);
	ASSERT_EQ(0, parse("uplink replace dev n3 mode gtpu unsliced pass", &policy, &cmd,
			   err, sizeof(err)));
	EXPECT_EQ(SG_VERB_SET, cmd.verb);
	EXPECT_EQ(SLICEGUARD_UPLINK_MODE_GTPU, cmd.uplink.mode);
	EXPECT_EQ(SLICEGUARD_UNSLICED_PASS, cmd.uplink.unsliced);
	sg_policy_free(&policy);
}

TEST(del_keys)
{
	struct sg_command cmd;
	char err[256];

	ASSERT_EQ(0, parse("slice del iot", NULL, &cmd, err, sizeof(err)));
	EXPECT_EQ(SG_VERB_DEL, cmd.verb);
	EXPECT_STREQ("iot", cmd.slice.name);
	EXPECT_EQ(0, cmd.slice.id);
	ASSERT_EQ(0, parse("slice del 3", NULL, &cmd, err, sizeof(err)));
	EXPECT_EQ(3, cmd.slice.id);
	ASSERT_EQ(0, parse("slice del name 3", NULL, &cmd, err, sizeof(err)));
	EXPECT_STREQ("3", cmd.slice.name);
	EXPECT_EQ(0, cmd.slice.id);
	ASSERT_EQ(0, parse("app del id 7", NULL, &cmd, err, sizeof(err)));
	EXPECT_EQ(7, cmd.app.id);
	ASSERT_EQ(0, parse("rule del 4", NULL, &cmd, err, sizeof(err)));
	EXPECT_EQ(4, cmd.rule.id);
	ASSERT_EQ(0, parse("uplink del eth1", NULL, &cmd, err, sizeof(err)));
	EXPECT_STREQ("eth1", cmd.uplink.ifname);
	ASSERT_EQ(0, parse("uplink del dev eth2", NULL, &cmd, err, sizeof(err)));
	EXPECT_STREQ("eth2", cmd.uplink.ifname);

	EXPECT_EQ(-EINVAL, parse("rule del name x", NULL, &cmd, err, sizeof(err)));
	EXPECT_STREQ("unknown argument \"name\"", err);
	EXPECT_EQ(-EINVAL, parse("rule del x", NULL, &cmd, err, sizeof(err)));
	EXPECT_STREQ("invalid id \"x\"", err);
	EXPECT_EQ(-ERANGE, parse("slice del id 4096", NULL, &cmd, err, sizeof(err)));
	EXPECT_EQ(-EINVAL, parse("slice del", NULL, &cmd, err, sizeof(err)));
	EXPECT_STREQ("missing key", err);
	EXPECT_EQ(-EINVAL, parse("slice del iot extra", NULL, &cmd, err, sizeof(err)));
	EXPECT_STREQ("unknown argument \"extra\"", err);
}

/* Bad lines: errno and the message the user sees. */
struct bad_line {
	const char *line;
	int ret;
	const char *err;
};

static const struct bad_line bad_lines[] = {
	{ "slice add iot id 3 sst 3 foo 1", -EINVAL, "unknown argument \"foo\"" },
	{ "slice add iot id 3 sst 3 ue-", -EINVAL, "ambiguous argument \"ue-\"" },
	{ "slice add iot id 3 sst", -EINVAL, "missing value after \"sst\"" },
	{ "slice add iot sst 3", -EINVAL, "missing \"id\"" },
	{ "slice add iot id 3", -EINVAL, "missing \"sst\"" },
	{ "slice add iot id 0 sst 3", -ERANGE, "id \"0\" out of range" },
	{ "slice add iot id 4096 sst 3", -ERANGE, "id \"4096\" out of range" },
	{ "slice add iot id 3 sst 3 vlan 4095", -ERANGE, "vlan \"4095\" out of range" },
	{ "slice add iot id 3 sst 3 sd 0x1000000", -ERANGE, "sd \"0x1000000\" out of range" },
	{ "slice add iot id 3 sst 3 dscp 64", -ERANGE, "dscp \"64\" out of range" },
	{ "slice add iot id 3 sst 3 ue 10.0.0.0/33", -ERANGE, "ue \"10.0.0.0/33\" out of range" },
	{ "slice add iot id 3 sst 3 ue banana", -EINVAL, "invalid ue \"banana\"" },
	{ "slice add iot id 3 sst 3 teid 9-1", -ERANGE, "teid \"9-1\" out of range" },
	{ "slice add iot id 3 sst 3 rate 5parsecs", -EINVAL, "invalid rate \"5parsecs\"" },
	{ "slice add iot id 3 sst 3 ue-to-ue maybe", -EINVAL, "invalid ue-to-ue \"maybe\"" },
	{ "slice add iot id 3 sst 3 dscp 1 dscp 2 dscp 3 dscp 4 dscp 5 dscp 6 dscp 7 dscp 8 dscp 9",
	  -E2BIG, "too many dscp" },
	{ "slice add a-name-that-is-far-too-long-for-it id 3 sst 3", -EINVAL,
	  "invalid name \"a-name-that-is-far-too-long-for-it\"" },
	{ "app add t id 7 slice nosuch addr 10.0.0.1", -ENOENT, "slice \"nosuch\" not found" },
	{ "app add t id 7 slice 1 proto tcp addr 10.0.0.1", -EINVAL,
	  "\"proto\" needs a preceding \"addr\"" },
	{ "app add t id 7 addr 10.0.0.1", -EINVAL, "missing \"slice\"" },
	{ "app add t id 7 slice 1", -EINVAL, "missing \"addr\"" },
	{ "app add t id 7 slice 1 addr 10.0.0.1 dev a-very-long-ifname", -EINVAL,
	  "invalid dev \"a-very-long-ifname\"" },
	{ "rule add from slice 1", -EINVAL, "missing \"to\"" },
	{ "rule add to any", -EINVAL, "missing \"from\"" },
	{ "rule add from any to any", -EINVAL, "unknown argument \"any\"" },
	{ "rule add from host 3 to app 7", -EINVAL, "unknown argument \"3\"" },
	{ "rule add from slice 1 to host 1", -EINVAL, "unknown argument \"1\"" },
	{ "rule add from app nosuch to any", -ENOENT, "app \"nosuch\" not found" },
	{ "rule add from slice 1 to", -EINVAL, "missing value after \"to\"" },
	{ "rule set from slice 1 to any", -EINVAL, "missing \"id\"" },
	{ "uplink add mode ip", -EINVAL, "missing \"dev\"" },
	{ "uplink add dev eth0 mode ethernet", -EINVAL, "invalid mode \"ethernet\"" },
	/* values are spelled out; only keywords may be abbreviated */
	{ "uplink add dev eth0 mode g", -EINVAL, "invalid mode \"g\"" },
	{ "uplink add dev eth0 unsliced pas", -EINVAL, "invalid unsliced \"pas\"" },
	{ "slice add iot id 3 sst 3 ue-to-ue of", -EINVAL, "invalid ue-to-ue \"of\"" },
	{ "slice add iot id 3 sst 3 rate 7bit", -EINVAL,
	  "rate \"7bit\" is not a whole number of bytes (use a multiple of 8bit)" },
	{ "slice add iot id 3 sst 3 ue-rate 1.5kbit", -EINVAL,
	  "ue-rate \"1.5kbit\" is not a whole number of bytes (use a multiple of 8bit)" },
	{ "slice add iot id 3 sst 3 rate 0x10mbit", -EINVAL, "invalid rate \"0x10mbit\"" },
	{ "slice add iot id 3 sst 3 vlan 0x", -EINVAL, "invalid vlan \"0x\"" },
	{ "policy add", -EINVAL, "unknown argument \"policy\"" },
	{ "slice frobnicate", -EINVAL, "unknown argument \"frobnicate\"" },
	{ "slice", -EINVAL, "expected \"OBJECT add|set|del ...\"" },
};

TEST(syntax_errors)
{
	struct sg_command cmd;
	char err[256];
	size_t i;
	int ret;

	for (i = 0; i < sizeof(bad_lines) / sizeof(bad_lines[0]); i++) {
		ret = parse(bad_lines[i].line, NULL, &cmd, err, sizeof(err));
		if (ret != bad_lines[i].ret || strcmp(err, bad_lines[i].err))
			TH_LOG("line: %s", bad_lines[i].line);
		EXPECT_EQ(bad_lines[i].ret, ret);
		EXPECT_STREQ(bad_lines[i].err, err);
	}
}

/* Integrity in sg_policy_apply(): the policy store's rules and messages. */
static const struct bad_line bad_applies[] = {
	{ "slice add other id 3 sst 3", -EEXIST, "slice 3 exists (iot)" },
	{ "slice add iot2 id 4 sst 3 ue 10.30.1.0/24", -EEXIST, "ue-prefix overlaps slice iot" },
	{ "slice add iot2 id 4 sst 3 vlan 300", -EEXIST, "vlan 300 used by slice iot" },
	{ "slice add iot2 id 4 sst 3 teid 150-160", -EEXIST, "teid-range overlaps slice iot" },
	{ "slice add iot2 id 4 sst 3 dscp 10", -EEXIST, "dscp 10 used by slice iot" },
	{ "slice add iot id 4 sst 3", -EEXIST, "slice name in use" },
	{ "slice add iot2 id 4 sst 3 ue 10.31.0.1/16", -EINVAL, "prefix has host bits set" },
	{ "slice add iot2 id 4 sst 3 ue 10.40.0.0/16 ue 10.40.1.0/24", -EINVAL,
	  "ue-prefix overlaps another of the slice" },
	{ "slice add iot2 id 4 sst 3 teid 1000-2000 teid 1500-2500", -EINVAL,
	  "teid-range overlaps another of the slice" },
	/* an app inside a UE pool, or a pool around an app, would make UEs the app */
	{ "slice add iot2 id 4 sst 3 ue 10.99.0.0/16", -EEXIST, "ue-prefix overlaps app telemetry" },
	{ "slice set embb id 1 sst 1 ue 10.99.0.7/32", -EEXIST, "ue-prefix overlaps app telemetry" },
	{ "app add t2 id 8 slice 3 addr 10.30.7.7", -EEXIST, "endpoint overlaps slice iot" },
	{ "app add t2 id 8 slice 3 addr 10.16.0.0/12", -EEXIST, "endpoint overlaps slice iot" },
	{ "slice add iot2 id 4 sst 3 ue ::ffff:10.3.0.0/112", -EINVAL,
	  "IPv4-mapped IPv6 prefix never matches a packet; give the IPv4 prefix" },
	{ "slice add iot2 id 4 sst 3 vlan 5 vlan 5", -EINVAL, "duplicate vlan" },
	{ "slice add iot2 id 4 sst 3 teid 5-9 teid 5-9", -EINVAL, "duplicate teid-range" },
	{ "app add t2 id 8 slice 3 addr 10.98.0.1 proto udp addr 10.98.0.1 proto udp", -EINVAL,
	  "duplicate endpoint" },
	{ "slice set nosuch id 9 sst 3", -ENOENT, "slice not found" },
	{ "slice del nosuch", -ENOENT, "slice not found" },
	{ "slice del iot", -EBUSY, "slice iot used by app telemetry" },
	{ "app add t2 id 8 slice 9 addr 10.98.0.1", -ENOENT, "slice 9 not found" },
	{ "app add t2 id 8 slice 3 addr 10.99.0.0/24", -EEXIST, "endpoint overlaps app telemetry" },
	{ "app add t2 id 8 slice 3 addr 10.98.0.1 port 80", -EINVAL,
	  "ports need tcp, udp or sctp" },
	{ "app add t2 id 8 slice 3 slice iot addr 10.98.0.1", -EINVAL, "duplicate slice" },
	{ "app add telemetry id 8 slice 3 addr 10.98.0.1", -EEXIST, "app name in use" },
	{ "app del telemetry", -EBUSY, "app telemetry used by rule 1" },
	{ "rule add from slice iot to app telemetry proto tcp port 1883", -EEXIST,
	  "duplicate of rule 1" },
	{ "rule add from app telemetry to slice embb", -EINVAL,
	  "app telemetry does not serve slice embb" },
	{ "rule add from slice iot to app 99", -ENOENT, "dst app 99 not found" },
	{ "rule add from slice 5 to any", -ENOENT, "src slice 5 not found" },
	{ "rule add from slice iot to any port 80", -EINVAL, "ports need tcp, udp or sctp" },
	{ "rule add from host to any", -EINVAL, "src host only toward a slice or an app" },
	{ "rule add from host to host", -EINVAL, "src host only toward a slice or an app" },
	{ "rule add from host to app 99", -ENOENT, "dst app 99 not found" },
	{ "rule add from slice 5 to host", -ENOENT, "src slice 5 not found" },
	{ "rule add id 1 from slice iot to any", -EEXIST, "rule 1 exists" },
	{ "rule del 42", -ENOENT, "rule not found" },
	{ "uplink add dev eth1", -EEXIST, "uplink eth1 exists" },
	{ "uplink del eth9", -ENOENT, "uplink not found" },
};

TEST(apply_integrity)
{
	struct sg_policy policy;
	char err[256];
	size_t i;
	int ret;

	sg_policy_init(&policy);
	ASSERT_EQ(0, run(&policy, "slice add iot id 3 sst 3 ue 10.30.0.0/16 vlan 300 "
			 "teid 100-199 dscp 10", err, sizeof(err)));
	ASSERT_EQ(0, run(&policy, "slice add embb id 1 sst 1", err, sizeof(err)));
	ASSERT_EQ(0, run(&policy, "app add telemetry id 7 slice iot addr 10.99.0.7",
			 err, sizeof(err)));
	ASSERT_EQ(0, run(&policy, "rule add from slice iot to app telemetry proto tcp "
			 "port 1883", err, sizeof(err)));
	ASSERT_EQ(0, run(&policy, "uplink add dev eth1", err, sizeof(err)));

	for (i = 0; i < sizeof(bad_applies) / sizeof(bad_applies[0]); i++) {
		ret = run(&policy, bad_applies[i].line, err, sizeof(err));
		if (ret != bad_applies[i].ret || strcmp(err, bad_applies[i].err))
			TH_LOG("line: %s", bad_applies[i].line);
		EXPECT_EQ(bad_applies[i].ret, ret);
		EXPECT_STREQ(bad_applies[i].err, err);
	}
	/* Failures left the policy as it was. */
	EXPECT_EQ(2, policy.n_slices);
	EXPECT_EQ(1, policy.n_apps);
	EXPECT_EQ(1, policy.n_rules);
	EXPECT_EQ(1, policy.n_uplinks);

	/* Set replaces as a whole; del frees the key; the lowest free rule id. */
	ASSERT_EQ(0, run(&policy, "rule add from slice iot to any", err, sizeof(err)));
	EXPECT_EQ(2, policy.rules[1].id);
	ASSERT_EQ(0, run(&policy, "rule del 1", err, sizeof(err)));
	ASSERT_EQ(0, run(&policy, "rule add from slice embb to any", err, sizeof(err)));
	EXPECT_EQ(1, policy.rules[1].id);
	/*
	 * set changes what it names (a list as a whole) and keeps the rest;
	 * issue 13 saw "slice set embb id 1 sst 1 vlan 100" drop the UE
	 * prefixes. replace writes the whole object as given.
	 */
	ASSERT_EQ(0, run(&policy, "slice set iot vlan 301 vlan 302 rate 1mbit", err,
			 sizeof(err)));
	EXPECT_EQ(1, policy.slices[0].n_ue_prefixes);
	EXPECT_EQ(3, policy.slices[0].sst);
	EXPECT_EQ(1, policy.slices[0].n_teid_ranges);
	ASSERT_EQ(2, policy.slices[0].n_vlans);
	EXPECT_EQ(301, policy.slices[0].vlans[0]);
	EXPECT_EQ(302, policy.slices[0].vlans[1]);
	EXPECT_EQ(125000, policy.slices[0].rate_bytes);
	ASSERT_EQ(0, run(&policy, "slice set iot vlan 301", err, sizeof(err)));
	EXPECT_EQ(1, policy.slices[0].n_vlans);
	EXPECT_EQ(125000, policy.slices[0].rate_bytes);
	EXPECT_EQ(-ENOENT, run(&policy, "slice set nosuch vlan 9", err, sizeof(err)));
	EXPECT_STREQ("slice not found", err);
	EXPECT_EQ(-EINVAL, run(&policy, "rule set port 80", err, sizeof(err)));
	EXPECT_STREQ("missing \"id\"", err);
	ASSERT_EQ(0, run(&policy, "slice replace iot id 3 sst 3 vlan 301", err, sizeof(err)));
	EXPECT_EQ(0, policy.slices[0].n_ue_prefixes);
	EXPECT_EQ(0, policy.slices[0].rate_bytes);
	EXPECT_EQ(301, policy.slices[0].vlans[0]);
	ASSERT_EQ(0, run(&policy, "rule add id 7 from app telemetry to slice iot", err,
			 sizeof(err)));
	EXPECT_EQ(-EINVAL, run(&policy, "app set telemetry id 7 slice embb addr 10.99.0.7",
			       err, sizeof(err)));
	EXPECT_STREQ("app telemetry does not serve slice iot", err);
	ASSERT_EQ(0, run(&policy, "uplink set dev eth1 mode gtpu", err, sizeof(err)));
	EXPECT_EQ(SLICEGUARD_UPLINK_MODE_GTPU, policy.uplinks[0].mode);
	ASSERT_EQ(0, run(&policy, "uplink del eth1", err, sizeof(err)));
	EXPECT_EQ(0, policy.n_uplinks);
	EXPECT_EQ(-EBUSY, run(&policy, "slice del embb", err, sizeof(err)));
	EXPECT_STREQ("slice embb used by rule 1", err);
	sg_policy_free(&policy);
}

/* Rules with the host: what the module accepts and refuses, in its words. */
TEST(host_rules)
{
	struct sg_command cmd = { .object = SG_OBJECT_RULE, .verb = SG_VERB_ADD };
	struct sg_policy policy;
	char err[256];

	sg_policy_init(&policy);
	ASSERT_EQ(0, run(&policy, "slice add iot id 3 sst 3", err, sizeof(err)));
	ASSERT_EQ(0, run(&policy, "app add telemetry id 7 slice iot addr 10.99.0.7",
			 err, sizeof(err)));
	ASSERT_EQ(0, run(&policy, "rule add from slice iot to host proto udp port 53",
			 err, sizeof(err)));
	ASSERT_EQ(0, run(&policy, "rule add from app telemetry to host", err, sizeof(err)));
	ASSERT_EQ(0, run(&policy, "rule add from host to app telemetry proto tcp port 1883",
			 err, sizeof(err)));
	ASSERT_EQ(3, policy.n_rules);
	EXPECT_EQ(SLICEGUARD_PEER_HOST, policy.rules[0].dst_kind);
	EXPECT_EQ(SLICEGUARD_PEER_HOST, policy.rules[2].src_kind);
	EXPECT_EQ(0, policy.rules[2].src_id);

	EXPECT_EQ(-EEXIST, run(&policy, "rule add from host to app 7 proto tcp port 1883",
			       err, sizeof(err)));
	EXPECT_STREQ("duplicate of rule 3", err);
	EXPECT_EQ(-EEXIST, run(&policy, "rule add from slice 3 to host proto udp port 53",
			       err, sizeof(err)));
	EXPECT_STREQ("duplicate of rule 1", err);

	/* The host has no id; only a caller filling sg_rule itself can give one. */
	cmd.rule = (struct sg_rule){ .src_kind = SLICEGUARD_PEER_HOST, .src_id = 3,
				     .dst_kind = SLICEGUARD_PEER_APP, .dst_id = 7,
				     .port_last = 65535 };
	EXPECT_EQ(-EINVAL, sg_policy_apply(&policy, &cmd, err, sizeof(err)));
	EXPECT_STREQ("src-id not allowed with src host", err);
	cmd.rule = (struct sg_rule){ .src_kind = SLICEGUARD_PEER_SLICE, .src_id = 3,
				     .dst_kind = SLICEGUARD_PEER_HOST, .dst_id = 7,
				     .port_last = 65535 };
	EXPECT_EQ(-EINVAL, sg_policy_apply(&policy, &cmd, err, sizeof(err)));
	EXPECT_STREQ("dst-id not allowed with dst host", err);
	EXPECT_EQ(3, policy.n_rules);

	/* Rules with the host still hold their slice or app. */
	EXPECT_EQ(-EBUSY, run(&policy, "app del telemetry", err, sizeof(err)));
	EXPECT_STREQ("app telemetry used by rule 2", err);
	ASSERT_EQ(0, run(&policy, "rule del 2", err, sizeof(err)));
	EXPECT_EQ(-EBUSY, run(&policy, "app del telemetry", err, sizeof(err)));
	EXPECT_STREQ("app telemetry used by rule 3", err);
	sg_policy_free(&policy);
}

TEST(parse_file_good)
{
	struct sg_policy policy;
	char err[256] = "";
	char *path;

	path = write_file(
		"# demo policy\n"
		"\n"
		"slicectl slice add iot id 3 sst 3 sd 0x000010 ue 10.30.0.0/16 vlan 300 "
		"rate 50mbit ue-rate 1mbit\n"
		"slice add embb id 1 sst 1 ue 10.10.0.0/16   # trailing comment\n"
		"   app add telemetry id 7 slice iot addr 10.99.0.7 proto tcp port 1883 "
		"dev veth-telem\n"
		"rule add from slice iot to app telemetry proto tcp port 1883\n"
		"rule add from slice embb to any\n"
		"rule add from host to app telemetry proto tcp port 1883\n"
		"uplink add dev eth1 mode ip unsliced drop");
	ASSERT_NE(NULL, path);
	sg_policy_init(&policy);
	policy.generation = 42;
	EXPECT_EQ(0, sg_policy_parse_file(path, &policy, err, sizeof(err)));
	EXPECT_STREQ("", err);
	EXPECT_EQ(42, policy.generation);
	EXPECT_EQ(2, policy.n_slices);
	EXPECT_EQ(1, policy.n_apps);
	EXPECT_EQ(3, policy.n_rules);
	ASSERT_EQ(1, policy.n_uplinks);
	EXPECT_STREQ("eth1", policy.uplinks[0].ifname);
	EXPECT_EQ(2, policy.rules[1].id);
	EXPECT_EQ(SLICEGUARD_PEER_ANY, policy.rules[1].dst_kind);
	EXPECT_EQ(SLICEGUARD_PEER_HOST, policy.rules[2].src_kind);
	EXPECT_EQ(7, sg_policy_app_by_id(&policy, 7)->id);
	EXPECT_EQ(6250000, sg_policy_slice_by_id(&policy, 3)->rate_bytes);
	unlink(path);
	sg_policy_free(&policy);
}

TEST(parse_file_errors)
{
	static const struct {
		const char *text;
		int ret;
		const char *err;
	} files[] = {
		{ "slice add a id 1 sst 1\n\n# c\nslice add b id 2 sst 1 vlann 3\n",
		  -EINVAL, "line 4: unknown argument \"vlann\"" },
		{ "slice add a id 1 sst 1 vlan 7\nslice add b id 2 sst 1 vlan 7\n",
		  -EEXIST, "line 2: vlan 7 used by slice a" },
		{ "slice add a id 1 sst 1\nslice del a\n", -EINVAL,
		  "line 2: only add commands belong in a policy file" },
		{ "app add t id 1 slice a addr 10.0.0.1\n", -ENOENT,
		  "line 1: slice \"a\" not found" },
		{ "slice add a id 1 sst 1\nrule add from host to any\n", -EINVAL,
		  "line 2: src host only toward a slice or an app" },
	};
	struct sg_policy policy;
	char err[256], *path;
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		path = write_file(files[i].text);
		ASSERT_NE(NULL, path);
		sg_policy_init(&policy);
		EXPECT_EQ(files[i].ret, sg_policy_parse_file(path, &policy, err, sizeof(err)));
		EXPECT_STREQ(files[i].err, err);
		unlink(path);
		sg_policy_free(&policy);
	}
	sg_policy_init(&policy);
	EXPECT_EQ(-ENOENT, sg_policy_parse_file("/nonexistent/policy.sg", &policy, err,
						sizeof(err)));
	EXPECT_STREQ("/nonexistent/policy.sg: No such file or directory", err);
}

TEST_HARNESS_MAIN
