// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the netlink codec (user/lib/policy_nl.c) without a
 * kernel: every object encoded by sg_nl_put_*() decodes back to itself with
 * sg_nl_parse(), defaults are left out of requests as the spec says, and
 * malformed messages are refused rather than half-read.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/genl/genl.h>

#include "kselftest_harness.h"
#include "policy_nl.h"
#include "policy_parse.h"

/* A made-up family id: the codec only copies it into the header. */
static struct sg_nl fake_nl = { .family = 0x42 };

static struct nlattr *find_attr(struct nl_msg *msg, int type)
{
	return nlmsg_find_attr(nlmsg_hdr(msg), GENL_HDRLEN, type);
}

static void fill_slice(struct sg_slice *s)
{
	memset(s, 0, sizeof(*s));
	s->id = 3;
	strcpy(s->name, "iot");
	s->sst = 3;
	s->has_sd = true;
	s->sd = 0x10;
	sg_parse_prefix("10.30.0.0/16", &s->ue_prefixes[s->n_ue_prefixes++]);
	sg_parse_prefix("2001:db8:30::/48", &s->ue_prefixes[s->n_ue_prefixes++]);
	s->vlans[s->n_vlans++] = 300;
	s->vlans[s->n_vlans++] = 301;
	s->teid_ranges[s->n_teid_ranges++] = (struct sg_range){ 100, 199 };
	s->teid_ranges[s->n_teid_ranges++] = (struct sg_range){ 500, 500 };
	s->dscps[s->n_dscps++] = 46;
	s->rate_bytes = 6250000;
	s->burst_bytes = 65536;
	s->rate_packets = 1000;
	s->ue_rate_bytes = 125000;
	s->mark = 0x20;
	s->ue_to_ue = true;
}

TEST(slice_round_trip)
{
	struct nl_msg *msg = sg_nl_msg(&fake_nl, SLICEGUARD_CMD_SLICE_NEW, 0);
	struct sg_nl_object obj;
	struct sg_slice s;

	ASSERT_NE(NULL, msg);
	fill_slice(&s);
	ASSERT_EQ(0, sg_nl_put_slice(msg, &s));
	EXPECT_EQ(0x42, nlmsg_hdr(msg)->nlmsg_type);
	ASSERT_EQ(0, sg_nl_parse(nlmsg_hdr(msg), &obj));
	EXPECT_EQ(SG_NL_SLICE, obj.kind);
	EXPECT_EQ(SLICEGUARD_CMD_SLICE_NEW, obj.cmd);
	EXPECT_FALSE(obj.has_generation);
	EXPECT_FALSE(obj.has_change);
	EXPECT_EQ(0, memcmp(&s, &obj.slice, sizeof(s)));
	nlmsg_free(msg);
}

/*
 * The wire types of issue 13: rates and generations are the spec's uint
 * (4 bytes when the value fits, 8 when not: never a pad attribute);
 * ue-to-ue is a flag (present, empty).
 */
TEST(uint_and_flag_on_the_wire)
{
	struct nl_msg *msg = sg_nl_msg(&fake_nl, SLICEGUARD_CMD_SLICE_NEW, 0);
	struct sg_nl_object obj;
	struct sg_slice s;
	struct nlattr *a;

	ASSERT_NE(NULL, msg);
	fill_slice(&s);
	s.burst_bytes = 5000000000ULL;
	ASSERT_EQ(0, sg_nl_put_slice(msg, &s));
	a = find_attr(msg, SLICEGUARD_A_SLICE_RATE_BYTES);
	ASSERT_NE(NULL, a);
	EXPECT_EQ(4, nla_len(a));
	a = find_attr(msg, SLICEGUARD_A_SLICE_BURST_BYTES);
	ASSERT_NE(NULL, a);
	EXPECT_EQ(8, nla_len(a));
	a = find_attr(msg, SLICEGUARD_A_SLICE_UE_TO_UE);
	ASSERT_NE(NULL, a);
	EXPECT_EQ(0, nla_len(a));
	ASSERT_EQ(0, sg_nl_parse(nlmsg_hdr(msg), &obj));
	EXPECT_EQ(5000000000ULL, obj.slice.burst_bytes);
	EXPECT_EQ(6250000, obj.slice.rate_bytes);
	EXPECT_TRUE(obj.slice.ue_to_ue);
	nlmsg_free(msg);
}

TEST(slice_defaults_left_out)
{
	struct nl_msg *msg = sg_nl_msg(&fake_nl, SLICEGUARD_CMD_SLICE_SET, 0);
	struct sg_nl_object obj;
	struct sg_slice s = { .id = 1, .name = "embb", .sst = 1 };

	ASSERT_NE(NULL, msg);
	ASSERT_EQ(0, sg_nl_put_slice(msg, &s));
	EXPECT_NE(NULL, find_attr(msg, SLICEGUARD_A_SLICE_SST));
	EXPECT_EQ(NULL, find_attr(msg, SLICEGUARD_A_SLICE_SD));
	EXPECT_EQ(NULL, find_attr(msg, SLICEGUARD_A_SLICE_RATE_BYTES));
	EXPECT_EQ(NULL, find_attr(msg, SLICEGUARD_A_SLICE_MARK));
	EXPECT_EQ(NULL, find_attr(msg, SLICEGUARD_A_SLICE_UE_TO_UE));
	EXPECT_EQ(NULL, find_attr(msg, SLICEGUARD_A_SLICE_GENERATION));
	ASSERT_EQ(0, sg_nl_parse(nlmsg_hdr(msg), &obj));
	EXPECT_EQ(0, memcmp(&s, &obj.slice, sizeof(s)));
	nlmsg_free(msg);
}

TEST(app_round_trip)
{
	struct nl_msg *msg = sg_nl_msg(&fake_nl, SLICEGUARD_CMD_APP_NEW, 0);
	struct sg_nl_object obj;
	int n = 0, with_proto = 0, with_ports = 0, rem;
	struct sg_app a;
	struct nlattr *ep;

	ASSERT_NE(NULL, msg);
	memset(&a, 0, sizeof(a));
	a.id = 7;
	strcpy(a.name, "telemetry");
	a.slices[a.n_slices++] = 3;
	a.slices[a.n_slices++] = 1;
	sg_parse_prefix("10.99.0.7", &a.endpoints[0].prefix);
	a.endpoints[0].proto = 6;
	a.endpoints[0].port_first = a.endpoints[0].port_last = 1883;
	sg_parse_prefix("2001:db8:99::/64", &a.endpoints[1].prefix);
	a.endpoints[1].port_last = 65535;
	a.n_endpoints = 2;
	strcpy(a.ifname, "veth-telem");
	a.rate_bytes = 1;
	a.burst_bytes = 2;
	a.rate_packets = 3;
	ASSERT_EQ(0, sg_nl_put_app(msg, &a));
	/* The second endpoint is "any protocol, any port": no such attributes. */
	nlmsg_for_each_attr(ep, nlmsg_hdr(msg), GENL_HDRLEN, rem) {
		if (nla_type(ep) != SLICEGUARD_A_APP_ENDPOINT)
			continue;
		with_proto += !!nla_find(nla_data(ep), nla_len(ep), SLICEGUARD_A_ENDPOINT_PROTO);
		with_ports += !!nla_find(nla_data(ep), nla_len(ep),
					 SLICEGUARD_A_ENDPOINT_PORT_FIRST);
		n++;
	}
	EXPECT_EQ(2, n);
	EXPECT_EQ(1, with_proto);
	EXPECT_EQ(1, with_ports);
	ASSERT_EQ(0, sg_nl_parse(nlmsg_hdr(msg), &obj));
	EXPECT_EQ(SG_NL_APP, obj.kind);
	EXPECT_EQ(0, memcmp(&a, &obj.app, sizeof(a)));
	nlmsg_free(msg);
}

TEST(rule_round_trip)
{
	struct nl_msg *msg = sg_nl_msg(&fake_nl, SLICEGUARD_CMD_RULE_NEW, 0);
	struct sg_nl_object obj;
	struct sg_rule r = {
		.src_kind = SLICEGUARD_PEER_APP, .src_id = 7,
		.dst_kind = SLICEGUARD_PEER_ANY, .port_last = 65535,
	};

	ASSERT_NE(NULL, msg);
	ASSERT_EQ(0, sg_nl_put_rule(msg, &r));
	/* No id: the kernel picks one. Destination any: no dst-id. */
	EXPECT_EQ(NULL, find_attr(msg, SLICEGUARD_A_RULE_ID));
	EXPECT_EQ(NULL, find_attr(msg, SLICEGUARD_A_RULE_DST_ID));
	EXPECT_EQ(NULL, find_attr(msg, SLICEGUARD_A_RULE_PORT_FIRST));
	EXPECT_EQ(NULL, find_attr(msg, SLICEGUARD_A_RULE_PROTO));
	ASSERT_EQ(0, sg_nl_parse(nlmsg_hdr(msg), &obj));
	EXPECT_EQ(SG_NL_RULE, obj.kind);
	EXPECT_EQ(0, memcmp(&r, &obj.rule, sizeof(r)));
	nlmsg_free(msg);

	msg = sg_nl_msg(&fake_nl, SLICEGUARD_CMD_RULE_SET, 0);
	ASSERT_NE(NULL, msg);
	r = (struct sg_rule){
		.id = 9, .src_kind = SLICEGUARD_PEER_SLICE, .src_id = 3,
		.dst_kind = SLICEGUARD_PEER_APP, .dst_id = 7, .proto = 17,
		.port_first = 1000, .port_last = 2000, .rate_bytes = 5,
	};
	ASSERT_EQ(0, sg_nl_put_rule(msg, &r));
	ASSERT_EQ(0, sg_nl_parse(nlmsg_hdr(msg), &obj));
	EXPECT_EQ(0, memcmp(&r, &obj.rule, sizeof(r)));
	nlmsg_free(msg);
}

/* The host names no object: neither src-id nor dst-id goes with it. */
TEST(rule_with_host_round_trip)
{
	struct nl_msg *msg = sg_nl_msg(&fake_nl, SLICEGUARD_CMD_RULE_NEW, 0);
	struct sg_nl_object obj;
	struct sg_rule r = {
		.src_kind = SLICEGUARD_PEER_HOST, .dst_kind = SLICEGUARD_PEER_APP,
		.dst_id = 7, .proto = 6, .port_first = 1883, .port_last = 1883,
	};

	ASSERT_NE(NULL, msg);
	ASSERT_EQ(0, sg_nl_put_rule(msg, &r));
	EXPECT_EQ(NULL, find_attr(msg, SLICEGUARD_A_RULE_SRC_ID));
	EXPECT_EQ(SLICEGUARD_PEER_HOST,
		  nla_get_u32(find_attr(msg, SLICEGUARD_A_RULE_SRC_KIND)));
	EXPECT_EQ(7, nla_get_u32(find_attr(msg, SLICEGUARD_A_RULE_DST_ID)));
	ASSERT_EQ(0, sg_nl_parse(nlmsg_hdr(msg), &obj));
	EXPECT_EQ(0, memcmp(&r, &obj.rule, sizeof(r)));
	nlmsg_free(msg);

	msg = sg_nl_msg(&fake_nl, SLICEGUARD_CMD_RULE_NEW, 0);
	ASSERT_NE(NULL, msg);
	r = (struct sg_rule){
		.src_kind = SLICEGUARD_PEER_SLICE, .src_id = 3,
		.dst_kind = SLICEGUARD_PEER_HOST, .port_last = 65535,
	};
	ASSERT_EQ(0, sg_nl_put_rule(msg, &r));
	EXPECT_EQ(3, nla_get_u32(find_attr(msg, SLICEGUARD_A_RULE_SRC_ID)));
	EXPECT_EQ(NULL, find_attr(msg, SLICEGUARD_A_RULE_DST_ID));
	ASSERT_EQ(0, sg_nl_parse(nlmsg_hdr(msg), &obj));
	EXPECT_EQ(0, memcmp(&r, &obj.rule, sizeof(r)));
	nlmsg_free(msg);
}

TEST(uplink_round_trip_and_keys)
{
	struct nl_msg *msg = sg_nl_msg(&fake_nl, SLICEGUARD_CMD_UPLINK_SET, 0);
	struct sg_uplink u = {
		.ifname = "eth1", .mode = SLICEGUARD_UPLINK_MODE_GTPU,
		.unsliced = SLICEGUARD_UNSLICED_PASS,
	};
	struct sg_nl_object obj;

	ASSERT_NE(NULL, msg);
	ASSERT_EQ(0, sg_nl_put_uplink(msg, &u));
	ASSERT_EQ(0, sg_nl_parse(nlmsg_hdr(msg), &obj));
	EXPECT_EQ(SG_NL_UPLINK, obj.kind);
	EXPECT_EQ(0, memcmp(&u, &obj.uplink, sizeof(u)));
	nlmsg_free(msg);

	msg = sg_nl_msg(&fake_nl, SLICEGUARD_CMD_SLICE_DEL, 0);
	ASSERT_NE(NULL, msg);
	ASSERT_EQ(0, sg_nl_put_key(msg, 0, "iot"));
	EXPECT_EQ(NULL, find_attr(msg, SLICEGUARD_A_SLICE_ID));
	EXPECT_STREQ("iot", nla_get_string(find_attr(msg, SLICEGUARD_A_SLICE_NAME)));
	nlmsg_free(msg);
	msg = sg_nl_msg(&fake_nl, SLICEGUARD_CMD_APP_DEL, 0);
	ASSERT_NE(NULL, msg);
	ASSERT_EQ(0, sg_nl_put_key(msg, 7, "ignored"));
	EXPECT_EQ(7, nla_get_u32(find_attr(msg, SLICEGUARD_A_APP_ID)));
	EXPECT_EQ(NULL, find_attr(msg, SLICEGUARD_A_APP_NAME));
	nlmsg_free(msg);
}

TEST(notification_meta)
{
	struct nl_msg *msg = sg_nl_msg(&fake_nl, SLICEGUARD_CMD_UPLINK_NTF, 0);
	struct sg_uplink u = { .ifname = "eth2" };
	struct sg_nl_object obj;

	ASSERT_NE(NULL, msg);
	ASSERT_EQ(0, sg_nl_put_uplink(msg, &u));
	ASSERT_EQ(0, nla_put_u64(msg, SLICEGUARD_A_UPLINK_GENERATION, 12));
	ASSERT_EQ(0, nla_put_u32(msg, SLICEGUARD_A_UPLINK_CHANGE, SLICEGUARD_CHANGE_DEL));
	ASSERT_EQ(0, sg_nl_parse(nlmsg_hdr(msg), &obj));
	EXPECT_TRUE(obj.has_generation);
	EXPECT_EQ(12, obj.generation);
	EXPECT_TRUE(obj.has_change);
	EXPECT_EQ(SLICEGUARD_CHANGE_DEL, obj.change);
	EXPECT_STREQ("eth2", obj.uplink.ifname);
	nlmsg_free(msg);

	msg = sg_nl_msg(&fake_nl, SLICEGUARD_CMD_COMMIT_NTF, 0);
	ASSERT_NE(NULL, msg);
	ASSERT_EQ(0, nla_put_u64(msg, SLICEGUARD_A_POLICY_GENERATION, 13));
	ASSERT_EQ(0, nla_put_u32(msg, SLICEGUARD_A_POLICY_CHANGES, 2));
	ASSERT_EQ(0, nla_put_u32(msg, SLICEGUARD_A_POLICY_PORTID, 4242));
	ASSERT_EQ(0, sg_nl_parse(nlmsg_hdr(msg), &obj));
	EXPECT_EQ(SG_NL_POLICY, obj.kind);
	EXPECT_EQ(13, obj.policy.generation);
	EXPECT_EQ(2, obj.policy.changes);
	EXPECT_EQ(4242, obj.policy.portid);
	EXPECT_FALSE(obj.policy.has_tx_portid);
	nlmsg_free(msg);
}

TEST(malformed_messages)
{
	struct sg_nl_object obj;
	struct nl_msg *msg;
	struct nlattr *nest;
	int i;

	/* A u32 attribute two bytes long. */
	msg = sg_nl_msg(&fake_nl, SLICEGUARD_CMD_SLICE_GET, 0);
	ASSERT_NE(NULL, msg);
	ASSERT_EQ(0, nla_put_u16(msg, SLICEGUARD_A_SLICE_ID, 3));
	EXPECT_EQ(-EPROTO, sg_nl_parse(nlmsg_hdr(msg), &obj));
	nlmsg_free(msg);

	/* More vlans than struct sg_slice holds. */
	msg = sg_nl_msg(&fake_nl, SLICEGUARD_CMD_SLICE_GET, 0);
	ASSERT_NE(NULL, msg);
	for (i = 0; i <= SLICEGUARD_MAX_VLANS; i++)
		ASSERT_EQ(0, nla_put_u16(msg, SLICEGUARD_A_SLICE_VLAN, i + 1));
	EXPECT_EQ(-E2BIG, sg_nl_parse(nlmsg_hdr(msg), &obj));
	nlmsg_free(msg);

	/* A prefix without its length. */
	msg = sg_nl_msg(&fake_nl, SLICEGUARD_CMD_SLICE_GET, 0);
	ASSERT_NE(NULL, msg);
	nest = nla_nest_start(msg, SLICEGUARD_A_SLICE_UE_PREFIX);
	ASSERT_EQ(0, nla_put_u32(msg, SLICEGUARD_A_PREFIX_ADDR4, htonl(0x0a000000)));
	nla_nest_end(msg, nest);
	EXPECT_EQ(-EPROTO, sg_nl_parse(nlmsg_hdr(msg), &obj));
	nlmsg_free(msg);

	/* A name that is not NUL terminated. */
	msg = sg_nl_msg(&fake_nl, SLICEGUARD_CMD_APP_GET, 0);
	ASSERT_NE(NULL, msg);
	ASSERT_EQ(0, nla_put(msg, SLICEGUARD_A_APP_NAME, 3, "abc"));
	EXPECT_EQ(-EPROTO, sg_nl_parse(nlmsg_hdr(msg), &obj));
	nlmsg_free(msg);

	/* A name longer than the spec allows. */
	msg = sg_nl_msg(&fake_nl, SLICEGUARD_CMD_APP_GET, 0);
	ASSERT_NE(NULL, msg);
	ASSERT_EQ(0, nla_put_string(msg, SLICEGUARD_A_APP_NAME,
				    "a-name-that-is-much-longer-than-31-bytes"));
	EXPECT_EQ(-EPROTO, sg_nl_parse(nlmsg_hdr(msg), &obj));
	nlmsg_free(msg);

	/* A command this codec does not know. */
	msg = sg_nl_msg(&fake_nl, SLICEGUARD_CMD_MAX + 1, 0);
	ASSERT_NE(NULL, msg);
	EXPECT_EQ(-EPROTO, sg_nl_parse(nlmsg_hdr(msg), &obj));
	nlmsg_free(msg);
}

TEST_HARNESS_MAIN
