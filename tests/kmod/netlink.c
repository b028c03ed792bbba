// SPDX-License-Identifier: GPL-2.0
/*
 * sliceguard.ko control plane against Documentation/policy-store.rst:
 * every op of the generic netlink family with good and bad input, extack
 * text and offsets, notifications, transactions, network and user
 * namespaces, capabilities, limits, concurrent writers and the audit log.
 *
 * Every test runs in a network namespace of its own (the harness forks each
 * test; FIXTURE_SETUP unshares), so each starts from an empty store at
 * generation 0 and nothing a test leaves behind reaches another.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/netlink.h>
#include <poll.h>

#include "kselftest_harness.h"
#include "sg_test_nl.h"

#define SG_NTF_TIMEOUT_MS	2000

/* The policy every "policy" fixture starts from. */
static const struct sg_slice embb = {
	.id = 1, .name = "embb", .sst = 1,
	.ue_prefix = { "10.1.0.0/16", "2001:db8:1::/48" },
	.vlan = { 100, 101 }, .teid = { { 100, 199 } },
	.n_dscp = 1, .dscp = { 10 },
	.rate_bytes = 125000000, .burst_bytes = 1000000,
};

static const struct sg_slice iot = {
	.id = 2, .name = "iot", .sst = 3, .has_sd = true, .sd = 0x000102,
	.ue_prefix = { "10.2.0.0/16" }, .vlan = { 300 },
	.teid = { { 1000, 1999 } },
	.rate_packets = 1000, .ue_rate_bytes = 12500,
};

static const struct sg_slice urllc = {
	.id = 3, .name = "urllc", .sst = 2,
	.ue_prefix = { "10.3.0.0/16" }, .n_dscp = 1, .dscp = { 46 },
	.mark = 0x30, .ue_to_ue = 1,
};

static const struct sg_slice v2x = {
	.id = 6, .name = "v2x", .sst = 4, .ue_prefix = { "10.6.0.0/16" },
};

static const struct sg_app telemetry = {
	.id = 10, .name = "telemetry", .slice = { 2 },
	.ep = { { .prefix = "192.168.10.0/24", .proto = 17, .has_ports = true,
		  .port_first = 5683, .port_last = 5684 } },
	.ifname = "veth-tel", .rate_bytes = 1000000, .burst_bytes = 64000,
};

static const struct sg_app video = {
	.id = 11, .name = "video", .slice = { 1, 3 },
	.ep = { { .prefix = "192.168.11.0/24", .proto = 6, .has_ports = true,
		  .port_first = 443, .port_last = 443 },
		{ .prefix = "2001:db8:11::/64" } },
};

/* video may talk to telemetry's CoAP port: telemetry is used by rule 3 only. */
static const struct sg_rule rule3 = {
	.id = 3, .src_kind = SLICEGUARD_PEER_APP, .src_id = 11,
	.dst_kind = SLICEGUARD_PEER_APP, .dst_id = 10, .proto = 17,
	.has_ports = true, .port_first = 5683, .port_last = 5683,
};

static const struct sg_rule rule4 = {
	.id = 4, .src_kind = SLICEGUARD_PEER_APP, .src_id = 11,
	.dst_kind = SLICEGUARD_PEER_SLICE, .dst_id = 3, .proto = 6,
	.has_ports = true, .port_first = 8000, .port_last = 8100,
	.rate_bytes = 500000,
};

/* v2x is served by no app and used by rule 5 only. */
static const struct sg_rule rule5 = {
	.id = 5, .src_kind = SLICEGUARD_PEER_SLICE, .src_id = 6,
	.dst_kind = SLICEGUARD_PEER_ANY,
};

static const struct sg_uplink n6 = { .ifname = "n6", .mode = SLICEGUARD_UPLINK_MODE_IP };
static const struct sg_uplink n3 = {
	.ifname = "n3", .mode = SLICEGUARD_UPLINK_MODE_GTPU,
	.unsliced = SLICEGUARD_UNSLICED_PASS,
};

#define POPULATED_GEN 11

/* Canonical text of objects, for comparisons that print what differs. */
static char *text_slot(void)
{
	static char bufs[8][4096];
	static int next;

	return bufs[next++ % 8];
}

static char *slice_text(const struct sg_slice *s)
{
	return sg_slice_fmt(s, text_slot(), 4096);
}

static char *app_text(const struct sg_app *a)
{
	return sg_app_fmt(a, text_slot(), 4096);
}

static char *rule_text(const struct sg_rule *r)
{
	return sg_rule_fmt(r, text_slot(), 4096);
}

static char *uplink_text(const struct sg_uplink *u)
{
	return sg_uplink_fmt(u, text_slot(), 4096);
}

static char *reply_text(const struct sg_reply *r, uint8_t cmd)
{
	union {
		struct sg_slice s;
		struct sg_app a;
		struct sg_rule r;
		struct sg_uplink u;
	} o;

	switch (cmd) {
	case SLICEGUARD_CMD_SLICE_GET: case SLICEGUARD_CMD_SLICE_NEW:
	case SLICEGUARD_CMD_SLICE_SET: case SLICEGUARD_CMD_SLICE_NTF:
		sg_slice_parse(r, &o.s);
		return slice_text(&o.s);
	case SLICEGUARD_CMD_APP_GET: case SLICEGUARD_CMD_APP_NEW:
	case SLICEGUARD_CMD_APP_SET: case SLICEGUARD_CMD_APP_NTF:
		sg_app_parse(r, &o.a);
		return app_text(&o.a);
	case SLICEGUARD_CMD_RULE_GET: case SLICEGUARD_CMD_RULE_NEW:
	case SLICEGUARD_CMD_RULE_SET: case SLICEGUARD_CMD_RULE_NTF:
		sg_rule_parse(r, &o.r);
		return rule_text(&o.r);
	default:
		sg_uplink_parse(r, &o.u);
		return uplink_text(&o.u);
	}
}

/* A request that must succeed; the log shows the kernel's reason if not. */
#define ASSERT_DO(nl, m) do {						\
	int __e = sg_do((nl), (m));					\
	if (__e)							\
		TH_LOG("request failed: %s, extack \"%s\" offs %u",	\
		       strerror(-__e), (nl)->ext.msg, (nl)->ext.offs);	\
	ASSERT_EQ(0, __e);						\
} while (0)

/*
 * A request that must fail with @e and extack text @text, the extack
 * pointing where @offs_ok (an expression over __x.offs) says, and that
 * must leave the committed state exactly as it was.
 */
#define __EXPECT_REJECT(nl, m, e, text, offs_ok) do {			\
	char *__before = sg_snapshot(nl);				\
	int __r = sg_do((nl), (m));					\
	struct sg_ext __x = (nl)->ext;					\
	char *__after = sg_snapshot(nl);				\
	EXPECT_EQ(-(e), __r) {						\
		TH_LOG("got %s, extack \"%s\"", strerror(-__r), __x.msg); \
	}								\
	EXPECT_STREQ(text, __x.msg);					\
	EXPECT_TRUE(offs_ok) {						\
		TH_LOG("extack offset %u", __x.offs);			\
	}								\
	EXPECT_STREQ(__before, __after);				\
	free(__before);							\
	free(__after);							\
} while (0)

#define EXPECT_REJECT(nl, m, e, text, at) \
	__EXPECT_REJECT(nl, m, e, text, __x.offs == (uint32_t)(at))
/* Either the nest or the attribute inside it is "the offending one". */
#define EXPECT_REJECT_IN(nl, m, e, text, nest, inner) \
	__EXPECT_REJECT(nl, m, e, text, \
			__x.offs == (uint32_t)(nest) || __x.offs == (uint32_t)(inner))

/* A required attribute is missing: EINVAL with its type (and its nest). */
#define EXPECT_MISSING(nl, m, type, nest_offs) do {			\
	char *__before = sg_snapshot(nl);				\
	int __r = sg_do((nl), (m));					\
	struct sg_ext __x = (nl)->ext;					\
	char *__after = sg_snapshot(nl);				\
	EXPECT_EQ(-EINVAL, __r);					\
	EXPECT_EQ((uint32_t)(type), __x.miss_type) {			\
		TH_LOG("extack \"%s\" offs %u", __x.msg, __x.offs);	\
	}								\
	EXPECT_EQ((uint32_t)(nest_offs), __x.miss_nest);		\
	EXPECT_STREQ(__before, __after);				\
	free(__before);							\
	free(__after);							\
} while (0)

/* The first attribute after the generic netlink header. */
#define FIRST_ATTR_OFFS (NLMSG_HDRLEN + GENL_HDRLEN)

static struct nl_msg *slice_new(struct sg_nl *nl, const struct sg_slice *s)
{
	return sg_slice_msg(nl, SLICEGUARD_CMD_SLICE_NEW, 0, s);
}

static struct nl_msg *app_new(struct sg_nl *nl, const struct sg_app *a)
{
	return sg_app_msg(nl, SLICEGUARD_CMD_APP_NEW, 0, a);
}

static struct nl_msg *rule_new(struct sg_nl *nl, const struct sg_rule *r)
{
	return sg_rule_msg(nl, SLICEGUARD_CMD_RULE_NEW, 0, r);
}

static struct nl_msg *uplink_new(struct sg_nl *nl, const struct sg_uplink *u)
{
	return sg_uplink_msg(nl, SLICEGUARD_CMD_UPLINK_NEW, 0, u);
}

static uint64_t policy_attr(struct sg_nl *nl, int type)
{
	if (sg_do(nl, sg_msg(nl, SLICEGUARD_CMD_POLICY_GET, 0)))
		return UINT64_MAX;
	return sg_get(&nl->reply, type, UINT64_MAX);
}

static int populate(struct __test_metadata *_metadata, struct sg_nl *nl)
{
	ASSERT_DO(nl, slice_new(nl, &embb));
	ASSERT_DO(nl, slice_new(nl, &iot));
	ASSERT_DO(nl, slice_new(nl, &urllc));
	ASSERT_DO(nl, slice_new(nl, &v2x));
	ASSERT_DO(nl, app_new(nl, &telemetry));
	ASSERT_DO(nl, app_new(nl, &video));
	ASSERT_DO(nl, rule_new(nl, &rule3));
	ASSERT_DO(nl, rule_new(nl, &rule4));
	ASSERT_DO(nl, rule_new(nl, &rule5));
	ASSERT_DO(nl, uplink_new(nl, &n6));
	ASSERT_DO(nl, uplink_new(nl, &n3));
	ASSERT_EQ(POPULATED_GEN, sg_generation(nl));
	return 0;
}

enum { NTF_GEN, NTF_CHANGE };

/* The generation and change attributes of an object notification. */
static int ntf_attr(uint8_t cmd, int which)
{
	switch (cmd) {
	case SLICEGUARD_CMD_SLICE_NTF:
		return which == NTF_GEN ? SLICEGUARD_A_SLICE_GENERATION : SLICEGUARD_A_SLICE_CHANGE;
	case SLICEGUARD_CMD_APP_NTF:
		return which == NTF_GEN ? SLICEGUARD_A_APP_GENERATION : SLICEGUARD_A_APP_CHANGE;
	case SLICEGUARD_CMD_RULE_NTF:
		return which == NTF_GEN ? SLICEGUARD_A_RULE_GENERATION : SLICEGUARD_A_RULE_CHANGE;
	case SLICEGUARD_CMD_UPLINK_NTF:
		return which == NTF_GEN ? SLICEGUARD_A_UPLINK_GENERATION : SLICEGUARD_A_UPLINK_CHANGE;
	}
	return 0;
}

static long live_objects_settled(long want, int timeout_ms)
{
	long v = sg_live_objects();

	/* Namespaces of earlier tests are torn down asynchronously. */
	for (int t = 0; v != want && t < timeout_ms; t += 20) {
		usleep(20000);
		v = sg_live_objects();
	}
	return v;
}

/*
 * Objects outside this test's netns: earlier VM suites may leave policy in
 * the initial netns, and earlier tests' namespaces die asynchronously, so
 * wait until the count has held still for two seconds (bounded).
 */
static long live_objects_elsewhere(void)
{
	long v = sg_live_objects(), prev = -1;

	for (int t = 0; t < 30000; t += 2000) {
		if (v == prev)
			break;
		prev = v;
		usleep(2000000);
		v = sg_live_objects();
	}
	return v;
}

static uint32_t netns_inum(void)
{
	struct stat st;

	return stat("/proc/self/ns/net", &st) ? 0 : st.st_ino;
}

/* Kernel log lines since @fd was opened, each followed by '\n'. */
static char *kmsg_lines(int fd)
{
	char rec[8192], *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	ssize_t n;

	fputc('\n', f);
	for (;;) {
		char *msg, *end;

		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten records */
		if (n <= 0)
			break;
		rec[n] = '\0';
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		msg++;
		end = strchr(msg, '\n');
		if (end)
			*end = '\0';
		fprintf(f, "%s\n", msg);
	}
	fclose(f);
	return text;
}

static int count_occurrences(const char *text, const char *what)
{
	int n = 0;

	while ((text = strstr(text, what))) {
		n++;
		text++;
	}
	return n;
}

/* Nothing a test did may make the kernel complain. */
#define EXPECT_QUIET_KERNEL(fd) do {					\
	char __line[512];						\
	EXPECT_EQ(0, sg_kmsg_complaint(fd, __line, sizeof(__line))) {	\
		TH_LOG("kernel log: %s", __line);			\
	}								\
	close(fd);							\
} while (0)

/* ---------------------------------------------------------------------- */

FIXTURE(store) {
	int kmsg;		/* kernel log since setup */
	struct sg_nl *nl;	/* the writer */
	struct sg_nl *mon;	/* a listener on the config group */
};

FIXTURE_SETUP(store)
{
	self->kmsg = sg_kmsg_open();
	ASSERT_LE(0, self->kmsg);
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	self->nl = sg_open();
	ASSERT_NE(NULL, self->nl) TH_LOG("family sliceguard: %s (module loaded?)",
					 strerror(errno));
	self->mon = sg_open();
	ASSERT_NE(NULL, self->mon);
	ASSERT_EQ(0, sg_join_config(self->mon));
}

FIXTURE_TEARDOWN(store)
{
	EXPECT_QUIET_KERNEL(self->kmsg);
	sg_close(self->mon);
	sg_close(self->nl);
}

FIXTURE(policy) {
	int kmsg;		/* kernel log since setup */
	struct sg_nl *nl;
	struct sg_nl *mon;
};

FIXTURE_SETUP(policy)
{
	struct sg_reply r;

	self->kmsg = sg_kmsg_open();
	ASSERT_LE(0, self->kmsg);
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	self->nl = sg_open();
	ASSERT_NE(NULL, self->nl) TH_LOG("family sliceguard: %s (module loaded?)",
					 strerror(errno));
	populate(_metadata, self->nl);
	self->mon = sg_open();
	ASSERT_NE(NULL, self->mon);
	ASSERT_EQ(0, sg_join_config(self->mon));
	/* Joined after populating: nothing may be queued. */
	ASSERT_EQ(-ETIMEDOUT, sg_ntf_pop(self->mon, &r, 0));
}

FIXTURE_TEARDOWN(policy)
{
	EXPECT_QUIET_KERNEL(self->kmsg);
	sg_close(self->mon);
	sg_close(self->nl);
}

/* Happy paths ---------------------------------------------------------- */

TEST_F(store, new_netns_starts_empty_at_generation_0)
{
	struct sg_nl *nl = self->nl;
	const struct sg_reply *p = &nl->reply;

	ASSERT_DO(nl, sg_msg(nl, SLICEGUARD_CMD_POLICY_GET, 0));
	EXPECT_EQ(0, sg_get(p, SLICEGUARD_A_POLICY_GENERATION, UINT64_MAX));
	EXPECT_EQ(NULL, sg_attr(p, SLICEGUARD_A_POLICY_TX_PORTID));
	EXPECT_EQ(0, sg_get(p, SLICEGUARD_A_POLICY_N_SLICES, UINT64_MAX));
	EXPECT_EQ(0, sg_get(p, SLICEGUARD_A_POLICY_N_APPS, UINT64_MAX));
	EXPECT_EQ(0, sg_get(p, SLICEGUARD_A_POLICY_N_RULES, UINT64_MAX));
	EXPECT_EQ(0, sg_get(p, SLICEGUARD_A_POLICY_N_UPLINKS, UINT64_MAX));
	EXPECT_EQ(64, sg_get(p, SLICEGUARD_A_POLICY_MAX_SLICES, 0));
	EXPECT_EQ(256, sg_get(p, SLICEGUARD_A_POLICY_MAX_APPS, 0));
	EXPECT_EQ(1024, sg_get(p, SLICEGUARD_A_POLICY_MAX_RULES, 0));
	EXPECT_EQ(16, sg_get(p, SLICEGUARD_A_POLICY_MAX_UPLINKS, 0));
	for (uint8_t cmd = SLICEGUARD_CMD_SLICE_GET; cmd <= SLICEGUARD_CMD_UPLINK_GET; cmd += 4) {
		EXPECT_EQ(0, sg_dump(nl, cmd));
		EXPECT_EQ(0, nl->dump.n);
	}
}

TEST_F(store, slice_new_get_dump_set_del)
{
	struct sg_nl *nl = self->nl;
	struct sg_slice small = { .id = 2, .name = "iot2", .sst = 3,
				  .vlan = { 301 } };

	ASSERT_DO(nl, slice_new(nl, &iot));
	EXPECT_EQ(SLICEGUARD_CMD_SLICE_NEW, nl->reply.cmd);
	EXPECT_STREQ(slice_text(&iot), reply_text(&nl->reply, SLICEGUARD_CMD_SLICE_GET));
	EXPECT_EQ(1, sg_get(&nl->reply, SLICEGUARD_A_SLICE_GENERATION, 0));
	EXPECT_EQ(1, sg_generation(nl));
	EXPECT_EQ(1, policy_attr(nl, SLICEGUARD_A_POLICY_N_SLICES));

	ASSERT_DO(nl, sg_key_msg(nl, SLICEGUARD_CMD_SLICE_GET, SLICEGUARD_A_SLICE_ID, 2));
	EXPECT_STREQ(slice_text(&iot), reply_text(&nl->reply, SLICEGUARD_CMD_SLICE_GET));
	EXPECT_EQ(1, sg_get(&nl->reply, SLICEGUARD_A_SLICE_GENERATION, 0));
	ASSERT_DO(nl, sg_name_msg(nl, SLICEGUARD_CMD_SLICE_GET, SLICEGUARD_A_SLICE_NAME, "iot"));
	EXPECT_STREQ(slice_text(&iot), reply_text(&nl->reply, SLICEGUARD_CMD_SLICE_GET));

	ASSERT_EQ(0, sg_dump(nl, SLICEGUARD_CMD_SLICE_GET));
	ASSERT_EQ(1, nl->dump.n);
	EXPECT_STREQ(slice_text(&iot), reply_text(&nl->dump.r[0], SLICEGUARD_CMD_SLICE_GET));

	/* set replaces the whole object: sd, prefixes, teid and rates go. */
	ASSERT_DO(nl, sg_slice_msg(nl, SLICEGUARD_CMD_SLICE_SET, 0, &small));
	EXPECT_STREQ(slice_text(&small), reply_text(&nl->reply, SLICEGUARD_CMD_SLICE_GET));
	EXPECT_EQ(NULL, sg_attr(&nl->reply, SLICEGUARD_A_SLICE_SD));
	EXPECT_EQ(2, sg_get(&nl->reply, SLICEGUARD_A_SLICE_GENERATION, 0));
	ASSERT_DO(nl, sg_key_msg(nl, SLICEGUARD_CMD_SLICE_GET, SLICEGUARD_A_SLICE_ID, 2));
	EXPECT_STREQ(slice_text(&small), reply_text(&nl->reply, SLICEGUARD_CMD_SLICE_GET));

	/* new never replaces: that is what set is for. */
	EXPECT_REJECT(nl, slice_new(nl, &iot), EEXIST, "slice 2 exists (iot2)", FIRST_ATTR_OFFS);
	ASSERT_DO(nl, sg_slice_msg(nl, SLICEGUARD_CMD_SLICE_SET, 0, &iot));
	EXPECT_STREQ(slice_text(&iot), reply_text(&nl->reply, SLICEGUARD_CMD_SLICE_GET));
	EXPECT_EQ(3, sg_get(&nl->reply, SLICEGUARD_A_SLICE_GENERATION, 0));
	EXPECT_EQ(1, policy_attr(nl, SLICEGUARD_A_POLICY_N_SLICES));

	ASSERT_DO(nl, sg_name_msg(nl, SLICEGUARD_CMD_SLICE_DEL, SLICEGUARD_A_SLICE_NAME, "iot"));
	EXPECT_EQ(4, sg_generation(nl));
	EXPECT_EQ(0, policy_attr(nl, SLICEGUARD_A_POLICY_N_SLICES));
	EXPECT_EQ(-ENOENT, sg_do(nl, sg_key_msg(nl, SLICEGUARD_CMD_SLICE_GET,
						SLICEGUARD_A_SLICE_ID, 2)));
	EXPECT_STREQ("slice not found", nl->ext.msg);

	/* del by id as well as by name */
	ASSERT_DO(nl, slice_new(nl, &urllc));
	ASSERT_DO(nl, sg_key_msg(nl, SLICEGUARD_CMD_SLICE_DEL, SLICEGUARD_A_SLICE_ID, 3));
	EXPECT_EQ(6, sg_generation(nl));
}

TEST_F(store, slice_optional_attributes_default)
{
	struct sg_nl *nl = self->nl;
	struct nl_msg *m = sg_msg(nl, SLICEGUARD_CMD_SLICE_NEW, 0);
	const struct sg_reply *r = &nl->reply;

	sg_put_u32(m, SLICEGUARD_A_SLICE_ID, 7);
	sg_put_str(m, SLICEGUARD_A_SLICE_NAME, "bare");
	sg_put_u8(m, SLICEGUARD_A_SLICE_SST, 1);
	ASSERT_DO(nl, m);
	EXPECT_EQ(NULL, sg_attr(r, SLICEGUARD_A_SLICE_SD));
	EXPECT_EQ(0, sg_get(r, SLICEGUARD_A_SLICE_RATE_BYTES, 0));
	EXPECT_EQ(0, sg_get(r, SLICEGUARD_A_SLICE_RATE_PACKETS, 0));
	EXPECT_EQ(0, sg_get(r, SLICEGUARD_A_SLICE_UE_RATE_BYTES, 0));
	EXPECT_EQ(0, sg_get(r, SLICEGUARD_A_SLICE_MARK, 0));
	EXPECT_EQ(NULL, sg_attr(r, SLICEGUARD_A_SLICE_UE_TO_UE));
	EXPECT_EQ(0, sg_attr_count(r, SLICEGUARD_A_SLICE_VLAN));
	/* sd 0 is a value, not "no SD": it must be reported back. */
	m = sg_msg(nl, SLICEGUARD_CMD_SLICE_SET, 0);
	sg_put_u32(m, SLICEGUARD_A_SLICE_ID, 7);
	sg_put_str(m, SLICEGUARD_A_SLICE_NAME, "bare");
	sg_put_u8(m, SLICEGUARD_A_SLICE_SST, 1);
	sg_put_u32(m, SLICEGUARD_A_SLICE_SD, 0);
	ASSERT_DO(nl, m);
	EXPECT_NE(NULL, sg_attr(r, SLICEGUARD_A_SLICE_SD));
	EXPECT_EQ(0, sg_get(r, SLICEGUARD_A_SLICE_SD, 1));
}

TEST_F(store, dump_walks_slices_in_key_order_across_parts)
{
	struct sg_nl *nl = self->nl, *reader;
	int max = policy_attr(nl, SLICEGUARD_A_POLICY_MAX_SLICES);
	int n = max < 64 ? max : 64;
	struct sg_slice s;
	int i, j;

	/* Big slices, created in descending id order. */
	for (i = n; i >= 1; i--) {
		memset(&s, 0, sizeof(s));
		s.id = i;
		snprintf(s.name, sizeof(s.name), "slice-%d", i);
		s.sst = 1;
		for (j = 0; j < SLICEGUARD_MAX_UE_PREFIXES; j++)
			snprintf(s.ue_prefix[j], SG_CIDR_LEN, "10.%d.%d.0/24", i, j);
		for (j = 0; j < SLICEGUARD_MAX_VLANS; j++)
			s.vlan[j] = i * SLICEGUARD_MAX_VLANS + j;
		for (j = 0; j < SLICEGUARD_MAX_TEID_RANGES; j++)
			s.teid[j] = (struct sg_range){ i * 1000 + j * 10, i * 1000 + j * 10 + 9 };
		ASSERT_DO(nl, slice_new(nl, &s));
	}
	ASSERT_EQ(0, sg_dump(nl, SLICEGUARD_CMD_SLICE_GET));
	ASSERT_EQ(n, nl->dump.n);
	EXPECT_GT(nl->dump.datagrams, 1) TH_LOG("dump fit one part; cursor untested");
	EXPECT_FALSE(nl->dump.intr);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(i + 1, sg_get(&nl->dump.r[i], SLICEGUARD_A_SLICE_ID, 0));
		EXPECT_EQ(SLICEGUARD_MAX_UE_PREFIXES,
			  sg_attr_count(&nl->dump.r[i], SLICEGUARD_A_SLICE_UE_PREFIX));
		EXPECT_EQ(0, nl->dump.r[i].nlmsg_flags & NLM_F_DUMP_INTR);
	}

	/* A commit between two parts of a dump flags it NLM_F_DUMP_INTR. */
	{
		struct sg_nl *other = sg_open();

		ASSERT_NE(NULL, other);
		ASSERT_EQ(0, sg_dump_start(nl, SLICEGUARD_CMD_SLICE_GET));
		ASSERT_EQ(0, sg_dump_step(nl));
		ASSERT_DO(other, sg_key_msg(other, SLICEGUARD_CMD_SLICE_DEL,
					    SLICEGUARD_A_SLICE_ID, n));
		while (!nl->dump_done)
			ASSERT_LE(0, sg_dump_step(nl));
		EXPECT_TRUE(nl->dump.intr);
		EXPECT_EQ(0, nl->ext.err);
		sg_close(other);
	}

	/* so is the transaction owner's dump of its staged copy */
	ASSERT_DO(nl, sg_msg(nl, SLICEGUARD_CMD_TX_BEGIN, 0));
	ASSERT_EQ(0, sg_dump_start(nl, SLICEGUARD_CMD_SLICE_GET));
	ASSERT_EQ(0, sg_dump_step(nl));
	EXPECT_FALSE(nl->dump.intr);
	ASSERT_DO(nl, sg_key_msg(nl, SLICEGUARD_CMD_SLICE_DEL, SLICEGUARD_A_SLICE_ID, n - 1));
	while (!nl->dump_done)
		ASSERT_LE(0, sg_dump_step(nl));
	EXPECT_TRUE(nl->dump.intr);

	/*
	 * Each view has its sequence: the owner's staged writes do not
	 * interrupt another reader's dump of the committed policy (issue 13:
	 * a busy transaction made other readers restart forever), while the
	 * owner's abort, which switches its own view, does interrupt its dump.
	 */
	reader = sg_open();
	ASSERT_NE(NULL, reader);
	ASSERT_EQ(0, sg_dump_start(reader, SLICEGUARD_CMD_SLICE_GET));
	ASSERT_EQ(0, sg_dump_step(reader));
	ASSERT_DO(nl, sg_key_msg(nl, SLICEGUARD_CMD_SLICE_DEL, SLICEGUARD_A_SLICE_ID, n - 2));
	while (!reader->dump_done)
		ASSERT_LE(0, sg_dump_step(reader));
	EXPECT_FALSE(reader->dump.intr);
	EXPECT_EQ(n - 1, reader->dump.n);
	sg_close(reader);
	ASSERT_EQ(0, sg_dump_start(nl, SLICEGUARD_CMD_SLICE_GET));
	ASSERT_EQ(0, sg_dump_step(nl));
	ASSERT_DO(nl, sg_msg(nl, SLICEGUARD_CMD_TX_ABORT, 0));
	while (!nl->dump_done)
		ASSERT_LE(0, sg_dump_step(nl));
	EXPECT_TRUE(nl->dump.intr);
}

TEST_F(policy, app_new_get_dump_set_del)
{
	struct sg_nl *nl = self->nl;
	struct sg_app cam = {
		.id = 12, .name = "camera", .slice = { 2, 1 },
		.ep = { { .prefix = "192.168.12.0/24", .proto = 132, .has_ports = true,
			  .port_first = 36412, .port_last = 36412 },
			{ .prefix = "2001:db8:12::/64", .proto = 6 } },
		.ifname = "veth-cam", .rate_bytes = 10, .burst_bytes = 20, .rate_packets = 30,
	};
	struct sg_app cam2 = { .id = 12, .name = "camera2", .slice = { 3 },
			       .ep = { { .prefix = "192.168.13.1/32" } } };

	ASSERT_DO(nl, app_new(nl, &cam));
	EXPECT_EQ(SLICEGUARD_CMD_APP_NEW, nl->reply.cmd);
	EXPECT_STREQ(app_text(&cam), reply_text(&nl->reply, SLICEGUARD_CMD_APP_GET));
	EXPECT_EQ(POPULATED_GEN + 1, sg_get(&nl->reply, SLICEGUARD_A_APP_GENERATION, 0));
	ASSERT_DO(nl, sg_key_msg(nl, SLICEGUARD_CMD_APP_GET, SLICEGUARD_A_APP_ID, 12));
	EXPECT_STREQ(app_text(&cam), reply_text(&nl->reply, SLICEGUARD_CMD_APP_GET));
	ASSERT_DO(nl, sg_name_msg(nl, SLICEGUARD_CMD_APP_GET, SLICEGUARD_A_APP_NAME, "camera"));
	EXPECT_STREQ(app_text(&cam), reply_text(&nl->reply, SLICEGUARD_CMD_APP_GET));

	ASSERT_EQ(0, sg_dump(nl, SLICEGUARD_CMD_APP_GET));
	ASSERT_EQ(3, nl->dump.n);
	EXPECT_STREQ(app_text(&telemetry), reply_text(&nl->dump.r[0], SLICEGUARD_CMD_APP_GET));
	EXPECT_STREQ(app_text(&video), reply_text(&nl->dump.r[1], SLICEGUARD_CMD_APP_GET));
	EXPECT_STREQ(app_text(&cam), reply_text(&nl->dump.r[2], SLICEGUARD_CMD_APP_GET));

	ASSERT_DO(nl, sg_app_msg(nl, SLICEGUARD_CMD_APP_SET, 0, &cam2));
	EXPECT_STREQ(app_text(&cam2), reply_text(&nl->reply, SLICEGUARD_CMD_APP_GET));
	EXPECT_EQ(POPULATED_GEN + 2, sg_get(&nl->reply, SLICEGUARD_A_APP_GENERATION, 0));
	EXPECT_EQ(-ENOENT, sg_do(nl, sg_name_msg(nl, SLICEGUARD_CMD_APP_GET,
						 SLICEGUARD_A_APP_NAME, "camera")));
	ASSERT_DO(nl, sg_app_msg(nl, SLICEGUARD_CMD_APP_SET, 0, &cam));
	EXPECT_STREQ(app_text(&cam), reply_text(&nl->reply, SLICEGUARD_CMD_APP_GET));
	EXPECT_EQ(3, policy_attr(nl, SLICEGUARD_A_POLICY_N_APPS));

	ASSERT_DO(nl, sg_name_msg(nl, SLICEGUARD_CMD_APP_DEL, SLICEGUARD_A_APP_NAME, "camera"));
	EXPECT_EQ(POPULATED_GEN + 4, sg_generation(nl));
	EXPECT_EQ(2, policy_attr(nl, SLICEGUARD_A_POLICY_N_APPS));
	/* once its rule is gone, telemetry can go, by id */
	ASSERT_DO(nl, sg_key_msg(nl, SLICEGUARD_CMD_RULE_DEL, SLICEGUARD_A_RULE_ID, 3));
	ASSERT_DO(nl, sg_key_msg(nl, SLICEGUARD_CMD_APP_DEL, SLICEGUARD_A_APP_ID, 10));
	EXPECT_EQ(-ENOENT, sg_do(nl, sg_key_msg(nl, SLICEGUARD_CMD_APP_GET,
						SLICEGUARD_A_APP_ID, 10)));
	EXPECT_STREQ("app not found", nl->ext.msg);
}

TEST_F(policy, rule_new_picks_lowest_free_id_get_dump_set_del)
{
	struct sg_nl *nl = self->nl;
	struct sg_rule r = { .src_kind = SLICEGUARD_PEER_SLICE, .src_id = 1,
			     .dst_kind = SLICEGUARD_PEER_APP, .dst_id = 11, .proto = 6,
			     .has_ports = true, .port_first = 443, .port_last = 443,
			     .rate_bytes = 1, .burst_bytes = 2, .rate_packets = 3 };
	struct sg_rule r2 = { .src_kind = SLICEGUARD_PEER_SLICE, .src_id = 3,
			      .dst_kind = SLICEGUARD_PEER_ANY, .proto = 1 };
	struct sg_rule want;

	/* 3, 4, 5 are taken: the kernel picks 1, then 2, then 6. */
	ASSERT_DO(nl, rule_new(nl, &r));
	want = r;
	want.id = 1;
	EXPECT_EQ(SLICEGUARD_CMD_RULE_NEW, nl->reply.cmd);
	EXPECT_STREQ(rule_text(&want), reply_text(&nl->reply, SLICEGUARD_CMD_RULE_GET));
	EXPECT_EQ(POPULATED_GEN + 1, sg_get(&nl->reply, SLICEGUARD_A_RULE_GENERATION, 0));
	ASSERT_DO(nl, rule_new(nl, &r2));
	EXPECT_EQ(2, sg_get(&nl->reply, SLICEGUARD_A_RULE_ID, 0));
	r2.proto = 58;
	ASSERT_DO(nl, rule_new(nl, &r2));
	EXPECT_EQ(6, sg_get(&nl->reply, SLICEGUARD_A_RULE_ID, 0));
	/* dst any: no dst-id reported (or 0), absent ports read as 0-65535 */
	EXPECT_EQ(0, sg_get(&nl->reply, SLICEGUARD_A_RULE_DST_ID, 0));
	EXPECT_EQ(0, sg_get(&nl->reply, SLICEGUARD_A_RULE_PORT_FIRST, 0));
	EXPECT_EQ(65535, sg_get(&nl->reply, SLICEGUARD_A_RULE_PORT_LAST, 65535));

	ASSERT_DO(nl, sg_key_msg(nl, SLICEGUARD_CMD_RULE_GET, SLICEGUARD_A_RULE_ID, 1));
	EXPECT_STREQ(rule_text(&want), reply_text(&nl->reply, SLICEGUARD_CMD_RULE_GET));
	ASSERT_EQ(0, sg_dump(nl, SLICEGUARD_CMD_RULE_GET));
	ASSERT_EQ(6, nl->dump.n);
	for (int i = 0; i < 6; i++)
		EXPECT_EQ(i + 1, sg_get(&nl->dump.r[i], SLICEGUARD_A_RULE_ID, 0));
	EXPECT_STREQ(rule_text(&rule4), reply_text(&nl->dump.r[3], SLICEGUARD_CMD_RULE_GET));

	want.proto = 17;
	want.port_first = 53;
	want.port_last = 53;
	ASSERT_DO(nl, sg_rule_msg(nl, SLICEGUARD_CMD_RULE_SET, 0, &want));
	EXPECT_STREQ(rule_text(&want), reply_text(&nl->reply, SLICEGUARD_CMD_RULE_GET));
	EXPECT_EQ(POPULATED_GEN + 4, sg_get(&nl->reply, SLICEGUARD_A_RULE_GENERATION, 0));

	/* an explicit id is honoured */
	want.id = 100;
	want.proto = 132;
	ASSERT_DO(nl, rule_new(nl, &want));
	EXPECT_EQ(100, sg_get(&nl->reply, SLICEGUARD_A_RULE_ID, 0));

	ASSERT_DO(nl, sg_key_msg(nl, SLICEGUARD_CMD_RULE_DEL, SLICEGUARD_A_RULE_ID, 1));
	EXPECT_EQ(-ENOENT, sg_do(nl, sg_key_msg(nl, SLICEGUARD_CMD_RULE_GET,
						SLICEGUARD_A_RULE_ID, 1)));
	EXPECT_STREQ("rule not found", nl->ext.msg);
	EXPECT_EQ(6, policy_attr(nl, SLICEGUARD_A_POLICY_N_RULES));
	/* the freed id is the lowest free one again */
	r.proto = 17;
	ASSERT_DO(nl, rule_new(nl, &r));
	EXPECT_EQ(1, sg_get(&nl->reply, SLICEGUARD_A_RULE_ID, 0));
}

TEST_F(store, uplink_new_get_dump_set_del)
{
	struct sg_nl *nl = self->nl;
	struct nl_msg *m;
	struct sg_uplink want = { .ifname = "eth-n6" };	/* ip, drop */

	m = sg_msg(nl, SLICEGUARD_CMD_UPLINK_NEW, 0);
	sg_put_str(m, SLICEGUARD_A_UPLINK_IFNAME, "eth-n6");
	ASSERT_DO(nl, m);
	EXPECT_EQ(SLICEGUARD_CMD_UPLINK_NEW, nl->reply.cmd);
	EXPECT_STREQ(uplink_text(&want), reply_text(&nl->reply, SLICEGUARD_CMD_UPLINK_GET));
	EXPECT_EQ(1, sg_get(&nl->reply, SLICEGUARD_A_UPLINK_GENERATION, 0));
	ASSERT_DO(nl, uplink_new(nl, &n3));
	EXPECT_STREQ(uplink_text(&n3), reply_text(&nl->reply, SLICEGUARD_CMD_UPLINK_GET));

	ASSERT_DO(nl, sg_name_msg(nl, SLICEGUARD_CMD_UPLINK_GET, SLICEGUARD_A_UPLINK_IFNAME, "n3"));
	EXPECT_STREQ(uplink_text(&n3), reply_text(&nl->reply, SLICEGUARD_CMD_UPLINK_GET));
	ASSERT_EQ(0, sg_dump(nl, SLICEGUARD_CMD_UPLINK_GET));
	ASSERT_EQ(2, nl->dump.n);
	/* keyed by name: "eth-n6" sorts before "n3" */
	EXPECT_STREQ(uplink_text(&want), reply_text(&nl->dump.r[0], SLICEGUARD_CMD_UPLINK_GET));
	EXPECT_STREQ(uplink_text(&n3), reply_text(&nl->dump.r[1], SLICEGUARD_CMD_UPLINK_GET));

	want.mode = SLICEGUARD_UPLINK_MODE_GTPU;
	ASSERT_DO(nl, sg_uplink_msg(nl, SLICEGUARD_CMD_UPLINK_SET, 0, &want));
	EXPECT_STREQ(uplink_text(&want), reply_text(&nl->reply, SLICEGUARD_CMD_UPLINK_GET));
	EXPECT_EQ(3, sg_get(&nl->reply, SLICEGUARD_A_UPLINK_GENERATION, 0));

	ASSERT_DO(nl, sg_name_msg(nl, SLICEGUARD_CMD_UPLINK_DEL, SLICEGUARD_A_UPLINK_IFNAME, "n3"));
	EXPECT_EQ(4, sg_generation(nl));
	EXPECT_EQ(1, policy_attr(nl, SLICEGUARD_A_POLICY_N_UPLINKS));
	EXPECT_EQ(-ENOENT, sg_do(nl, sg_name_msg(nl, SLICEGUARD_CMD_UPLINK_GET,
						 SLICEGUARD_A_UPLINK_IFNAME, "n3")));
	EXPECT_STREQ("uplink not found", nl->ext.msg);
}

static int flush_rank(uint8_t ntf_cmd)
{
	switch (ntf_cmd) {
	case SLICEGUARD_CMD_RULE_NTF: return 0;
	case SLICEGUARD_CMD_APP_NTF: return 1;
	case SLICEGUARD_CMD_SLICE_NTF: return 2;
	default: return 3;
	}
}

TEST_F(policy, policy_get_counts_and_flush_is_one_generation)
{
	struct sg_nl *nl = self->nl;
	uint8_t last_cmd = SLICEGUARD_CMD_RULE_NTF;
	struct sg_reply r;
	int n[4] = {};

	ASSERT_DO(nl, sg_msg(nl, SLICEGUARD_CMD_POLICY_GET, 0));
	EXPECT_EQ(POPULATED_GEN, sg_get(&nl->reply, SLICEGUARD_A_POLICY_GENERATION, 0));
	EXPECT_EQ(4, sg_get(&nl->reply, SLICEGUARD_A_POLICY_N_SLICES, 0));
	EXPECT_EQ(2, sg_get(&nl->reply, SLICEGUARD_A_POLICY_N_APPS, 0));
	EXPECT_EQ(3, sg_get(&nl->reply, SLICEGUARD_A_POLICY_N_RULES, 0));
	EXPECT_EQ(2, sg_get(&nl->reply, SLICEGUARD_A_POLICY_N_UPLINKS, 0));

	ASSERT_DO(nl, sg_msg(nl, SLICEGUARD_CMD_POLICY_FLUSH, 0));
	EXPECT_EQ(POPULATED_GEN + 1, sg_get(&nl->reply, SLICEGUARD_A_POLICY_GENERATION, 0));
	ASSERT_DO(nl, sg_msg(nl, SLICEGUARD_CMD_POLICY_GET, 0));
	EXPECT_EQ(POPULATED_GEN + 1, sg_get(&nl->reply, SLICEGUARD_A_POLICY_GENERATION, 0));
	EXPECT_EQ(0, sg_get(&nl->reply, SLICEGUARD_A_POLICY_N_SLICES, 1));
	EXPECT_EQ(0, sg_get(&nl->reply, SLICEGUARD_A_POLICY_N_APPS, 1));
	EXPECT_EQ(0, sg_get(&nl->reply, SLICEGUARD_A_POLICY_N_RULES, 1));
	EXPECT_EQ(0, sg_get(&nl->reply, SLICEGUARD_A_POLICY_N_UPLINKS, 1));

	/* 11 del notifications of one generation, then one commit-ntf */
	for (int i = 0; i < POPULATED_GEN; i++) {
		ASSERT_EQ(0, sg_ntf_pop(self->mon, &r, SG_NTF_TIMEOUT_MS));
		ASSERT_LE(SLICEGUARD_CMD_SLICE_NTF, r.cmd);
		ASSERT_GE(SLICEGUARD_CMD_UPLINK_NTF, r.cmd);
		n[r.cmd - SLICEGUARD_CMD_SLICE_NTF]++;
		/* rules first, then apps, slices and uplinks */
		EXPECT_LE(flush_rank(last_cmd), flush_rank(r.cmd));
		last_cmd = r.cmd;
		EXPECT_EQ(SLICEGUARD_CHANGE_DEL, sg_get(&r, ntf_attr(r.cmd, NTF_CHANGE), 99));
		EXPECT_EQ(POPULATED_GEN + 1, sg_get(&r, ntf_attr(r.cmd, NTF_GEN), 0));
		sg_reply_free(&r);
	}
	EXPECT_EQ(4, n[0]);
	EXPECT_EQ(2, n[1]);
	EXPECT_EQ(3, n[2]);
	EXPECT_EQ(2, n[3]);
	ASSERT_EQ(0, sg_ntf_pop(self->mon, &r, SG_NTF_TIMEOUT_MS));
	EXPECT_EQ(SLICEGUARD_CMD_COMMIT_NTF, r.cmd);
	EXPECT_EQ(POPULATED_GEN + 1, sg_get(&r, SLICEGUARD_A_POLICY_GENERATION, 0));
	EXPECT_EQ(POPULATED_GEN, sg_get(&r, SLICEGUARD_A_POLICY_CHANGES, 0));
	EXPECT_EQ(nl->portid, sg_get(&r, SLICEGUARD_A_POLICY_PORTID, 0));
	sg_reply_free(&r);
}

/* Policy-level rejections (netlink core), every op ------------------------ */

enum base_req {
	SLICE_NEW, SLICE_SET, SLICE_GET, SLICE_DEL,
	APP_NEW, APP_SET, APP_GET, APP_DEL,
	RULE_NEW, RULE_SET, RULE_GET, RULE_DEL,
	UPLINK_NEW, UPLINK_SET, UPLINK_GET, UPLINK_DEL,
};

/* A request the populated policy would accept, for each op. */
static struct nl_msg *valid_request(struct sg_nl *nl, enum base_req b)
{
	static const struct sg_slice mmtc = { .id = 7, .name = "mmtc", .sst = 3,
					      .ue_prefix = { "10.7.0.0/16" } };
	static const struct sg_app cam = { .id = 12, .name = "camera", .slice = { 1 },
					   .ep = { { .prefix = "192.168.12.0/24" } } };
	static const struct sg_rule r = { .id = 8, .src_kind = SLICEGUARD_PEER_SLICE,
					  .src_id = 1, .dst_kind = SLICEGUARD_PEER_APP,
					  .dst_id = 11, .proto = 6 };
	static const struct sg_uplink up = { .ifname = "n6b" };

	switch (b) {
	case SLICE_NEW: return slice_new(nl, &mmtc);
	case SLICE_SET: return sg_slice_msg(nl, SLICEGUARD_CMD_SLICE_SET, 0, &embb);
	case SLICE_GET: return sg_key_msg(nl, SLICEGUARD_CMD_SLICE_GET, SLICEGUARD_A_SLICE_ID, 1);
	case SLICE_DEL: return sg_key_msg(nl, SLICEGUARD_CMD_SLICE_DEL, SLICEGUARD_A_SLICE_ID, 3);
	case APP_NEW: return app_new(nl, &cam);
	case APP_SET: return sg_app_msg(nl, SLICEGUARD_CMD_APP_SET, 0, &video);
	case APP_GET: return sg_key_msg(nl, SLICEGUARD_CMD_APP_GET, SLICEGUARD_A_APP_ID, 10);
	case APP_DEL: return sg_key_msg(nl, SLICEGUARD_CMD_APP_DEL, SLICEGUARD_A_APP_ID, 10);
	case RULE_NEW: return rule_new(nl, &r);
	case RULE_SET: return sg_rule_msg(nl, SLICEGUARD_CMD_RULE_SET, 0, &rule4);
	case RULE_GET: return sg_key_msg(nl, SLICEGUARD_CMD_RULE_GET, SLICEGUARD_A_RULE_ID, 3);
	case RULE_DEL: return sg_key_msg(nl, SLICEGUARD_CMD_RULE_DEL, SLICEGUARD_A_RULE_ID, 5);
	case UPLINK_NEW: return uplink_new(nl, &up);
	case UPLINK_SET: return sg_uplink_msg(nl, SLICEGUARD_CMD_UPLINK_SET, 0, &n3);
	case UPLINK_GET: return sg_name_msg(nl, SLICEGUARD_CMD_UPLINK_GET,
					    SLICEGUARD_A_UPLINK_IFNAME, "n6");
	case UPLINK_DEL: return sg_name_msg(nl, SLICEGUARD_CMD_UPLINK_DEL,
					    SLICEGUARD_A_UPLINK_IFNAME, "n6");
	}
	return NULL;
}

FIXTURE(bad_attr) {
	int kmsg;		/* kernel log since setup */
	struct sg_nl *nl;
};

/*
 * One bad attribute appended to a valid request. With @wrap it goes inside
 * a nest of that type that is otherwise valid; with @wrap and no @type the
 * nest itself is bad (sent without NLA_F_NESTED).
 */
FIXTURE_VARIANT(bad_attr) {
	enum base_req base;
	int wrap;
	int type;
	const void *data;
	int len;
	int err;
	const char *msg;
};

#define U8(v)	.data = (const uint8_t[]){ v }, .len = 1
#define U16(v)	.data = (const uint16_t[]){ v }, .len = 2
#define U32(v)	.data = (const uint32_t[]){ v }, .len = 4
#define U64(v)	.data = (const uint64_t[]){ v }, .len = 8
#define STR(s)	.data = s, .len = sizeof(s)
#define RAW(s)	.data = s, .len = sizeof(s) - 1
#define NAME32	"abcdefghijklmnopqrstuvwxyz012345"
#define IFNAME16 "abcdefghijklmnop"

#define UNKNOWN		.err = EINVAL, .msg = "Unknown attribute type"
#define BAD_LEN		.err = EINVAL, .msg = "invalid attribute length"
#define OUT_OF_RANGE	.err = ERANGE, .msg = "integer out of range"
#define FAILS_POLICY	.err = EINVAL, .msg = "Attribute failed policy validation"
#define NOT_NESTED	.err = EINVAL, .msg = "NLA_F_NESTED is missing"
#define BAD_IFNAME	.err = EINVAL, .msg = "invalid interface name"

#define BAD(name, ...) FIXTURE_VARIANT_ADD(bad_attr, name) { __VA_ARGS__ }

/* generation is a reply-only attribute: unknown in every request */
BAD(slice_new_generation_unknown, .base = SLICE_NEW, .type = SLICEGUARD_A_SLICE_GENERATION, U64(1), UNKNOWN);
BAD(slice_new_id_as_u16, .base = SLICE_NEW, .type = SLICEGUARD_A_SLICE_ID, U16(7), BAD_LEN);
BAD(slice_new_id_0, .base = SLICE_NEW, .type = SLICEGUARD_A_SLICE_ID, U32(0), OUT_OF_RANGE);
BAD(slice_new_id_4096, .base = SLICE_NEW, .type = SLICEGUARD_A_SLICE_ID, U32(4096), OUT_OF_RANGE);
BAD(slice_new_name_32_chars, .base = SLICE_NEW, .type = SLICEGUARD_A_SLICE_NAME, STR(NAME32), FAILS_POLICY);
BAD(slice_new_name_without_nul, .base = SLICE_NEW, .type = SLICEGUARD_A_SLICE_NAME, RAW("mmtc"), FAILS_POLICY);
BAD(slice_new_sst_as_u32, .base = SLICE_NEW, .type = SLICEGUARD_A_SLICE_SST, U32(1), BAD_LEN);
BAD(slice_new_sd_25_bits, .base = SLICE_NEW, .type = SLICEGUARD_A_SLICE_SD, U32(0x1000000), OUT_OF_RANGE);
BAD(slice_new_vlan_0, .base = SLICE_NEW, .type = SLICEGUARD_A_SLICE_VLAN, U16(0), OUT_OF_RANGE);
BAD(slice_new_vlan_4095, .base = SLICE_NEW, .type = SLICEGUARD_A_SLICE_VLAN, U16(4095), OUT_OF_RANGE);
BAD(slice_new_vlan_as_u32, .base = SLICE_NEW, .type = SLICEGUARD_A_SLICE_VLAN, U32(7), BAD_LEN);
BAD(slice_new_dscp_64, .base = SLICE_NEW, .type = SLICEGUARD_A_SLICE_DSCP, U8(64), OUT_OF_RANGE);
/* ue-to-ue is a flag: it carries no value */
BAD(slice_new_ue_to_ue_with_value, .base = SLICE_NEW, .type = SLICEGUARD_A_SLICE_UE_TO_UE, U8(1),
    .err = ERANGE, .msg = "Attribute failed policy validation");
/* rates are uint: 4 or 8 bytes */
BAD(slice_new_rate_as_u16, .base = SLICE_NEW, .type = SLICEGUARD_A_SLICE_RATE_BYTES, U16(1), BAD_LEN);
BAD(slice_new_mark_as_u64, .base = SLICE_NEW, .type = SLICEGUARD_A_SLICE_MARK, U64(1), BAD_LEN);
BAD(slice_new_ue_prefix_not_nested, .base = SLICE_NEW, .wrap = SLICEGUARD_A_SLICE_UE_PREFIX, NOT_NESTED);
BAD(slice_new_prefix_len_129, .base = SLICE_NEW, .wrap = SLICEGUARD_A_SLICE_UE_PREFIX,
    .type = SLICEGUARD_A_PREFIX_LEN, U8(129), OUT_OF_RANGE);
BAD(slice_new_prefix_addr6_15_bytes, .base = SLICE_NEW, .wrap = SLICEGUARD_A_SLICE_UE_PREFIX,
    .type = SLICEGUARD_A_PREFIX_ADDR6, RAW("0123456789abcde"),
    .err = ERANGE, .msg = "binary attribute size out of range");
BAD(slice_new_prefix_unknown, .base = SLICE_NEW, .wrap = SLICEGUARD_A_SLICE_UE_PREFIX,
    .type = SLICEGUARD_A_PREFIX_LEN + 1, U8(1), UNKNOWN);
BAD(slice_new_teid_range_not_nested, .base = SLICE_NEW, .wrap = SLICEGUARD_A_SLICE_TEID_RANGE, NOT_NESTED);
BAD(slice_new_teid_last_as_u16, .base = SLICE_NEW, .wrap = SLICEGUARD_A_SLICE_TEID_RANGE,
    .type = SLICEGUARD_A_RANGE_LAST, U16(9), BAD_LEN);
BAD(slice_set_generation_unknown, .base = SLICE_SET, .type = SLICEGUARD_A_SLICE_GENERATION, U64(1), UNKNOWN);
BAD(slice_set_id_4096, .base = SLICE_SET, .type = SLICEGUARD_A_SLICE_ID, U32(4096), OUT_OF_RANGE);
BAD(slice_set_name_32_chars, .base = SLICE_SET, .type = SLICEGUARD_A_SLICE_NAME, STR(NAME32), FAILS_POLICY);
BAD(slice_get_sst_unknown, .base = SLICE_GET, .type = SLICEGUARD_A_SLICE_SST, U8(1), UNKNOWN);
BAD(slice_get_id_0, .base = SLICE_GET, .type = SLICEGUARD_A_SLICE_ID, U32(0), OUT_OF_RANGE);
BAD(slice_get_name_32_chars, .base = SLICE_GET, .type = SLICEGUARD_A_SLICE_NAME, STR(NAME32), FAILS_POLICY);
BAD(slice_del_sst_unknown, .base = SLICE_DEL, .type = SLICEGUARD_A_SLICE_SST, U8(1), UNKNOWN);
BAD(slice_del_id_as_u64, .base = SLICE_DEL, .type = SLICEGUARD_A_SLICE_ID, U64(3), BAD_LEN);

BAD(app_new_generation_unknown, .base = APP_NEW, .type = SLICEGUARD_A_APP_GENERATION, U64(1), UNKNOWN);
BAD(app_new_id_0, .base = APP_NEW, .type = SLICEGUARD_A_APP_ID, U32(0), OUT_OF_RANGE);
BAD(app_new_id_65536, .base = APP_NEW, .type = SLICEGUARD_A_APP_ID, U32(65536), OUT_OF_RANGE);
BAD(app_new_name_32_chars, .base = APP_NEW, .type = SLICEGUARD_A_APP_NAME, STR(NAME32), FAILS_POLICY);
BAD(app_new_slice_0, .base = APP_NEW, .type = SLICEGUARD_A_APP_SLICE, U32(0), OUT_OF_RANGE);
BAD(app_new_slice_4096, .base = APP_NEW, .type = SLICEGUARD_A_APP_SLICE, U32(4096), OUT_OF_RANGE);
BAD(app_new_ifname_16_chars, .base = APP_NEW, .type = SLICEGUARD_A_APP_IFNAME, STR(IFNAME16), FAILS_POLICY);
/* names the kernel would not give a device: they split log lines, too */
BAD(app_new_ifname_dotdot, .base = APP_NEW, .type = SLICEGUARD_A_APP_IFNAME, STR(".."), BAD_IFNAME);
BAD(app_new_ifname_newline, .base = APP_NEW, .type = SLICEGUARD_A_APP_IFNAME, STR("v\nx"), BAD_IFNAME);
BAD(app_new_endpoint_not_nested, .base = APP_NEW, .wrap = SLICEGUARD_A_APP_ENDPOINT, NOT_NESTED);
BAD(app_new_endpoint_proto_as_u16, .base = APP_NEW, .wrap = SLICEGUARD_A_APP_ENDPOINT,
    .type = SLICEGUARD_A_ENDPOINT_PROTO, U16(6), BAD_LEN);
BAD(app_new_endpoint_port_as_u32, .base = APP_NEW, .wrap = SLICEGUARD_A_APP_ENDPOINT,
    .type = SLICEGUARD_A_ENDPOINT_PORT_FIRST, U32(80), BAD_LEN);
BAD(app_new_endpoint_unknown, .base = APP_NEW, .wrap = SLICEGUARD_A_APP_ENDPOINT,
    .type = SLICEGUARD_A_ENDPOINT_PORT_LAST + 1, U8(1), UNKNOWN);
BAD(app_set_generation_unknown, .base = APP_SET, .type = SLICEGUARD_A_APP_GENERATION, U64(1), UNKNOWN);
BAD(app_set_id_as_u16, .base = APP_SET, .type = SLICEGUARD_A_APP_ID, U16(11), BAD_LEN);
BAD(app_get_slice_unknown, .base = APP_GET, .type = SLICEGUARD_A_APP_SLICE, U32(1), UNKNOWN);
BAD(app_get_id_65536, .base = APP_GET, .type = SLICEGUARD_A_APP_ID, U32(65536), OUT_OF_RANGE);
BAD(app_del_slice_unknown, .base = APP_DEL, .type = SLICEGUARD_A_APP_SLICE, U32(1), UNKNOWN);
BAD(app_del_name_32_chars, .base = APP_DEL, .type = SLICEGUARD_A_APP_NAME, STR(NAME32), FAILS_POLICY);

BAD(rule_new_generation_unknown, .base = RULE_NEW, .type = SLICEGUARD_A_RULE_GENERATION, U64(1), UNKNOWN);
BAD(rule_new_id_0, .base = RULE_NEW, .type = SLICEGUARD_A_RULE_ID, U32(0), OUT_OF_RANGE);
/* ids are bounded: a sparse id set costs index nodes */
BAD(rule_new_id_past_max, .base = RULE_NEW, .type = SLICEGUARD_A_RULE_ID,
    U32(SLICEGUARD_MAX_RULE_ID + 1), OUT_OF_RANGE);
BAD(rule_new_id_u32_max, .base = RULE_NEW, .type = SLICEGUARD_A_RULE_ID, U32(4294967295u), OUT_OF_RANGE);
BAD(rule_new_src_kind_4, .base = RULE_NEW, .type = SLICEGUARD_A_RULE_SRC_KIND, U32(4), OUT_OF_RANGE);
BAD(rule_new_dst_kind_4, .base = RULE_NEW, .type = SLICEGUARD_A_RULE_DST_KIND, U32(4), OUT_OF_RANGE);
BAD(rule_new_proto_as_u32, .base = RULE_NEW, .type = SLICEGUARD_A_RULE_PROTO, U32(6), BAD_LEN);
BAD(rule_new_port_as_u8, .base = RULE_NEW, .type = SLICEGUARD_A_RULE_PORT_LAST, U8(80), BAD_LEN);
BAD(rule_set_generation_unknown, .base = RULE_SET, .type = SLICEGUARD_A_RULE_GENERATION, U64(1), UNKNOWN);
BAD(rule_set_src_id_as_u16, .base = RULE_SET, .type = SLICEGUARD_A_RULE_SRC_ID, U16(1), BAD_LEN);
BAD(rule_get_src_kind_unknown, .base = RULE_GET, .type = SLICEGUARD_A_RULE_SRC_KIND, U32(0), UNKNOWN);
BAD(rule_get_id_0, .base = RULE_GET, .type = SLICEGUARD_A_RULE_ID, U32(0), OUT_OF_RANGE);
BAD(rule_del_src_kind_unknown, .base = RULE_DEL, .type = SLICEGUARD_A_RULE_SRC_KIND, U32(0), UNKNOWN);
BAD(rule_del_id_as_u16, .base = RULE_DEL, .type = SLICEGUARD_A_RULE_ID, U16(5), BAD_LEN);

BAD(uplink_new_generation_unknown, .base = UPLINK_NEW, .type = SLICEGUARD_A_UPLINK_GENERATION, U64(1), UNKNOWN);
BAD(uplink_new_ifname_16_chars, .base = UPLINK_NEW, .type = SLICEGUARD_A_UPLINK_IFNAME, STR(IFNAME16), FAILS_POLICY);
BAD(uplink_new_ifname_empty, .base = UPLINK_NEW, .type = SLICEGUARD_A_UPLINK_IFNAME, STR(""), BAD_IFNAME);
BAD(uplink_new_ifname_slash, .base = UPLINK_NEW, .type = SLICEGUARD_A_UPLINK_IFNAME, STR("n/6"), BAD_IFNAME);
BAD(uplink_new_ifname_space, .base = UPLINK_NEW, .type = SLICEGUARD_A_UPLINK_IFNAME, STR("n 6"), BAD_IFNAME);
BAD(uplink_new_mode_2, .base = UPLINK_NEW, .type = SLICEGUARD_A_UPLINK_MODE, U32(2), OUT_OF_RANGE);
BAD(uplink_new_unsliced_2, .base = UPLINK_NEW, .type = SLICEGUARD_A_UPLINK_UNSLICED, U32(2), OUT_OF_RANGE);
BAD(uplink_new_mode_as_u8, .base = UPLINK_NEW, .type = SLICEGUARD_A_UPLINK_MODE, U8(1), BAD_LEN);
BAD(uplink_set_generation_unknown, .base = UPLINK_SET, .type = SLICEGUARD_A_UPLINK_GENERATION, U64(1), UNKNOWN);
BAD(uplink_set_ifname_16_chars, .base = UPLINK_SET, .type = SLICEGUARD_A_UPLINK_IFNAME, STR(IFNAME16), FAILS_POLICY);
BAD(uplink_get_mode_unknown, .base = UPLINK_GET, .type = SLICEGUARD_A_UPLINK_MODE, U32(0), UNKNOWN);
BAD(uplink_get_ifname_without_nul, .base = UPLINK_GET, .type = SLICEGUARD_A_UPLINK_IFNAME, RAW("n6"), FAILS_POLICY);
BAD(uplink_del_mode_unknown, .base = UPLINK_DEL, .type = SLICEGUARD_A_UPLINK_MODE, U32(0), UNKNOWN);
BAD(uplink_del_ifname_16_chars, .base = UPLINK_DEL, .type = SLICEGUARD_A_UPLINK_IFNAME, STR(IFNAME16), FAILS_POLICY);

FIXTURE_SETUP(bad_attr)
{
	self->kmsg = sg_kmsg_open();
	ASSERT_LE(0, self->kmsg);
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	self->nl = sg_open();
	ASSERT_NE(NULL, self->nl);
	populate(_metadata, self->nl);
}

FIXTURE_TEARDOWN(bad_attr)
{
	EXPECT_QUIET_KERNEL(self->kmsg);
	sg_close(self->nl);
}

TEST_F(bad_attr, rejected_by_policy_and_nothing_changes)
{
	struct nl_msg *m = valid_request(self->nl, variant->base);
	uint32_t offs;

	if (!variant->wrap) {
		offs = sg_put(m, variant->type, variant->data, variant->len);
	} else {
		struct nlattr *nest = sg_nest(m, variant->wrap);

		switch (variant->wrap) {
		case SLICEGUARD_A_SLICE_UE_PREFIX:
			sg_put_u32(m, SLICEGUARD_A_PREFIX_ADDR4, htonl(0x0a090000));
			sg_put_u8(m, SLICEGUARD_A_PREFIX_LEN, 16);
			break;
		case SLICEGUARD_A_SLICE_TEID_RANGE:
			sg_put_u32(m, SLICEGUARD_A_RANGE_FIRST, 5000);
			sg_put_u32(m, SLICEGUARD_A_RANGE_LAST, 5001);
			break;
		case SLICEGUARD_A_APP_ENDPOINT:
			sg_put_prefix(m, SLICEGUARD_A_ENDPOINT_PREFIX, "192.168.99.0/24");
			break;
		}
		if (variant->type) {
			offs = sg_put(m, variant->type, variant->data, variant->len);
		} else {
			/* a valid nest, but without NLA_F_NESTED */
			offs = sg_offset(m, nest);
			nest->nla_type &= ~NLA_F_NESTED;
		}
		sg_nest_end(m, nest);
	}
	EXPECT_REJECT(self->nl, m, variant->err, variant->msg, offs);
}

/* Missing required attributes ------------------------------------------- */

TEST_F(policy, missing_required_attributes)
{
	struct sg_nl *nl = self->nl;
	struct nlattr *nest;
	struct nl_msg *m;
	uint32_t off;

	/* slice: id, name, sst */
	m = sg_msg(nl, SLICEGUARD_CMD_SLICE_NEW, 0);
	sg_put_str(m, SLICEGUARD_A_SLICE_NAME, "mmtc");
	sg_put_u8(m, SLICEGUARD_A_SLICE_SST, 3);
	EXPECT_MISSING(nl, m, SLICEGUARD_A_SLICE_ID, 0);
	m = sg_msg(nl, SLICEGUARD_CMD_SLICE_NEW, 0);
	sg_put_u32(m, SLICEGUARD_A_SLICE_ID, 7);
	sg_put_u8(m, SLICEGUARD_A_SLICE_SST, 3);
	EXPECT_MISSING(nl, m, SLICEGUARD_A_SLICE_NAME, 0);
	m = sg_msg(nl, SLICEGUARD_CMD_SLICE_SET, 0);
	sg_put_u32(m, SLICEGUARD_A_SLICE_ID, 1);
	sg_put_str(m, SLICEGUARD_A_SLICE_NAME, "embb");
	EXPECT_MISSING(nl, m, SLICEGUARD_A_SLICE_SST, 0);

	/* prefix len inside a ue-prefix; teid range last */
	m = sg_msg(nl, SLICEGUARD_CMD_SLICE_NEW, 0);
	sg_put_u32(m, SLICEGUARD_A_SLICE_ID, 7);
	sg_put_str(m, SLICEGUARD_A_SLICE_NAME, "mmtc");
	sg_put_u8(m, SLICEGUARD_A_SLICE_SST, 3);
	nest = sg_nest(m, SLICEGUARD_A_SLICE_UE_PREFIX);
	off = sg_offset(m, nest);
	sg_put_u32(m, SLICEGUARD_A_PREFIX_ADDR4, htonl(0x0a070000));
	sg_nest_end(m, nest);
	EXPECT_MISSING(nl, m, SLICEGUARD_A_PREFIX_LEN, off);
	m = sg_msg(nl, SLICEGUARD_CMD_SLICE_NEW, 0);
	sg_put_u32(m, SLICEGUARD_A_SLICE_ID, 7);
	sg_put_str(m, SLICEGUARD_A_SLICE_NAME, "mmtc");
	sg_put_u8(m, SLICEGUARD_A_SLICE_SST, 3);
	nest = sg_nest(m, SLICEGUARD_A_SLICE_TEID_RANGE);
	off = sg_offset(m, nest);
	sg_put_u32(m, SLICEGUARD_A_RANGE_FIRST, 7000);
	sg_nest_end(m, nest);
	EXPECT_MISSING(nl, m, SLICEGUARD_A_RANGE_LAST, off);

	/* app: id, name, a slice, an endpoint, the endpoint's prefix */
	m = sg_msg(nl, SLICEGUARD_CMD_APP_NEW, 0);
	sg_put_str(m, SLICEGUARD_A_APP_NAME, "camera");
	sg_put_u32(m, SLICEGUARD_A_APP_SLICE, 1);
	nest = sg_nest(m, SLICEGUARD_A_APP_ENDPOINT);
	sg_put_prefix(m, SLICEGUARD_A_ENDPOINT_PREFIX, "192.168.12.0/24");
	sg_nest_end(m, nest);
	EXPECT_MISSING(nl, m, SLICEGUARD_A_APP_ID, 0);
	m = sg_msg(nl, SLICEGUARD_CMD_APP_NEW, 0);
	sg_put_u32(m, SLICEGUARD_A_APP_ID, 12);
	sg_put_str(m, SLICEGUARD_A_APP_NAME, "camera");
	nest = sg_nest(m, SLICEGUARD_A_APP_ENDPOINT);
	sg_put_prefix(m, SLICEGUARD_A_ENDPOINT_PREFIX, "192.168.12.0/24");
	sg_nest_end(m, nest);
	EXPECT_MISSING(nl, m, SLICEGUARD_A_APP_SLICE, 0);
	m = sg_msg(nl, SLICEGUARD_CMD_APP_NEW, 0);
	sg_put_u32(m, SLICEGUARD_A_APP_ID, 12);
	sg_put_str(m, SLICEGUARD_A_APP_NAME, "camera");
	sg_put_u32(m, SLICEGUARD_A_APP_SLICE, 1);
	EXPECT_MISSING(nl, m, SLICEGUARD_A_APP_ENDPOINT, 0);
	m = sg_msg(nl, SLICEGUARD_CMD_APP_SET, 0);
	sg_put_u32(m, SLICEGUARD_A_APP_ID, 11);
	sg_put_str(m, SLICEGUARD_A_APP_NAME, "video");
	sg_put_u32(m, SLICEGUARD_A_APP_SLICE, 1);
	nest = sg_nest(m, SLICEGUARD_A_APP_ENDPOINT);
	off = sg_offset(m, nest);
	sg_put_u8(m, SLICEGUARD_A_ENDPOINT_PROTO, 6);
	sg_nest_end(m, nest);
	EXPECT_MISSING(nl, m, SLICEGUARD_A_ENDPOINT_PREFIX, off);

	/* rule: src-kind, src-id, dst-kind, dst-id (any and host: see host_peer) */
	m = sg_msg(nl, SLICEGUARD_CMD_RULE_NEW, 0);
	sg_put_u32(m, SLICEGUARD_A_RULE_SRC_ID, 1);
	sg_put_u32(m, SLICEGUARD_A_RULE_DST_KIND, SLICEGUARD_PEER_ANY);
	EXPECT_MISSING(nl, m, SLICEGUARD_A_RULE_SRC_KIND, 0);
	m = sg_msg(nl, SLICEGUARD_CMD_RULE_NEW, 0);
	sg_put_u32(m, SLICEGUARD_A_RULE_SRC_KIND, SLICEGUARD_PEER_SLICE);
	sg_put_u32(m, SLICEGUARD_A_RULE_DST_KIND, SLICEGUARD_PEER_ANY);
	EXPECT_MISSING(nl, m, SLICEGUARD_A_RULE_SRC_ID, 0);
	m = sg_msg(nl, SLICEGUARD_CMD_RULE_NEW, 0);
	sg_put_u32(m, SLICEGUARD_A_RULE_SRC_KIND, SLICEGUARD_PEER_SLICE);
	sg_put_u32(m, SLICEGUARD_A_RULE_SRC_ID, 1);
	EXPECT_MISSING(nl, m, SLICEGUARD_A_RULE_DST_KIND, 0);
	m = sg_msg(nl, SLICEGUARD_CMD_RULE_NEW, 0);
	sg_put_u32(m, SLICEGUARD_A_RULE_SRC_KIND, SLICEGUARD_PEER_SLICE);
	sg_put_u32(m, SLICEGUARD_A_RULE_SRC_ID, 1);
	sg_put_u32(m, SLICEGUARD_A_RULE_DST_KIND, SLICEGUARD_PEER_APP);
	EXPECT_MISSING(nl, m, SLICEGUARD_A_RULE_DST_ID, 0);
	/* rule-set names its rule */
	m = sg_msg(nl, SLICEGUARD_CMD_RULE_SET, 0);
	sg_put_u32(m, SLICEGUARD_A_RULE_SRC_KIND, SLICEGUARD_PEER_SLICE);
	sg_put_u32(m, SLICEGUARD_A_RULE_SRC_ID, 6);
	sg_put_u32(m, SLICEGUARD_A_RULE_DST_KIND, SLICEGUARD_PEER_ANY);
	EXPECT_MISSING(nl, m, SLICEGUARD_A_RULE_ID, 0);

	/* uplink: ifname */
	m = sg_msg(nl, SLICEGUARD_CMD_UPLINK_NEW, 0);
	sg_put_u32(m, SLICEGUARD_A_UPLINK_MODE, SLICEGUARD_UPLINK_MODE_IP);
	EXPECT_MISSING(nl, m, SLICEGUARD_A_UPLINK_IFNAME, 0);
	m = sg_msg(nl, SLICEGUARD_CMD_UPLINK_SET, 0);
	sg_put_u32(m, SLICEGUARD_A_UPLINK_MODE, SLICEGUARD_UPLINK_MODE_IP);
	EXPECT_MISSING(nl, m, SLICEGUARD_A_UPLINK_IFNAME, 0);
}

/*
 * get/del without a key: slices and apps (two keys) say "id or name
 * required"; for rules and uplinks (one key) the key is a missing attribute.
 */
TEST_F(policy, get_and_del_without_a_key)
{
	static const struct {
		uint8_t cmd;
		int key;
	} ops[] = {
		{ SLICEGUARD_CMD_SLICE_GET, 0 }, { SLICEGUARD_CMD_SLICE_DEL, 0 },
		{ SLICEGUARD_CMD_APP_GET, 0 }, { SLICEGUARD_CMD_APP_DEL, 0 },
		{ SLICEGUARD_CMD_RULE_GET, SLICEGUARD_A_RULE_ID },
		{ SLICEGUARD_CMD_RULE_DEL, SLICEGUARD_A_RULE_ID },
		{ SLICEGUARD_CMD_UPLINK_GET, SLICEGUARD_A_UPLINK_IFNAME },
		{ SLICEGUARD_CMD_UPLINK_DEL, SLICEGUARD_A_UPLINK_IFNAME },
	};
	struct sg_nl *nl = self->nl;

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (!ops[i].key) {
			EXPECT_REJECT(nl, sg_msg(nl, ops[i].cmd, 0), EINVAL,
				      "id or name required", 0);
			continue;
		}
		EXPECT_MISSING(nl, sg_msg(nl, ops[i].cmd, 0), ops[i].key, 0);
	}
	EXPECT_EQ(POPULATED_GEN, sg_generation(nl));
}

TEST_F(policy, id_and_name_must_name_the_same_object)
{
	struct sg_nl *nl = self->nl;
	struct nl_msg *m;

	m = sg_key_msg(nl, SLICEGUARD_CMD_SLICE_GET, SLICEGUARD_A_SLICE_ID, 1);
	sg_put_str(m, SLICEGUARD_A_SLICE_NAME, "embb");
	ASSERT_DO(nl, m);
	EXPECT_STREQ(slice_text(&embb), reply_text(&nl->reply, SLICEGUARD_CMD_SLICE_GET));

	m = sg_key_msg(nl, SLICEGUARD_CMD_SLICE_DEL, SLICEGUARD_A_SLICE_ID, 3);
	sg_put_str(m, SLICEGUARD_A_SLICE_NAME, "embb");
	__EXPECT_REJECT(nl, m, ENOENT, "slice not found", true);
	m = sg_key_msg(nl, SLICEGUARD_CMD_APP_GET, SLICEGUARD_A_APP_ID, 10);
	sg_put_str(m, SLICEGUARD_A_APP_NAME, "video");
	__EXPECT_REJECT(nl, m, ENOENT, "app not found", true);
}

/* Handler-level rejections (Documentation/policy-store.rst table) -------- */

/* slice-new of "mmtc" (id 7) with no classifier yet: tests add one. */
static struct nl_msg *mmtc_msg(struct sg_nl *nl)
{
	struct nl_msg *m = sg_msg(nl, SLICEGUARD_CMD_SLICE_NEW, 0);

	sg_put_u32(m, SLICEGUARD_A_SLICE_ID, 7);
	sg_put_str(m, SLICEGUARD_A_SLICE_NAME, "mmtc");
	sg_put_u8(m, SLICEGUARD_A_SLICE_SST, 3);
	return m;
}

/* app-new of "camera" (id 12) serving embb, no endpoint yet. */
static struct nl_msg *camera_msg(struct sg_nl *nl)
{
	struct nl_msg *m = sg_msg(nl, SLICEGUARD_CMD_APP_NEW, 0);

	sg_put_u32(m, SLICEGUARD_A_APP_ID, 12);
	sg_put_str(m, SLICEGUARD_A_APP_NAME, "camera");
	sg_put_u32(m, SLICEGUARD_A_APP_SLICE, 1);
	return m;
}

/* An endpoint nest; returns its offset, the prefix's in *prefix_offs. */
static uint32_t put_endpoint(struct nl_msg *m, const char *cidr, uint8_t proto,
			     int first, int last, uint32_t *prefix_offs)
{
	struct nlattr *nest = sg_nest(m, SLICEGUARD_A_APP_ENDPOINT);
	uint32_t p = sg_put_prefix(m, SLICEGUARD_A_ENDPOINT_PREFIX, cidr);

	if (prefix_offs)
		*prefix_offs = p;
	if (proto)
		sg_put_u8(m, SLICEGUARD_A_ENDPOINT_PROTO, proto);
	if (first >= 0)
		sg_put_u16(m, SLICEGUARD_A_ENDPOINT_PORT_FIRST, first);
	if (last >= 0)
		sg_put_u16(m, SLICEGUARD_A_ENDPOINT_PORT_LAST, last);
	sg_nest_end(m, nest);
	return sg_offset(m, nest);
}

/*
 * Offsets inside an endpoint nest built by put_endpoint() with a proto:
 * nest header, IPv4 prefix nest (4 + 8 + 8), proto (8), port-first (8).
 */
#define EP_PORT_FIRST	(NLA_HDRLEN + 20 + 8)
#define EP_PORT_LAST	(EP_PORT_FIRST + 8)

struct rule_offs {
	uint32_t src_kind, src_id, dst_kind, dst_id;
};

/* A rule-new with the ids as given; a negative id leaves the attribute out. */
static struct nl_msg *rule_msg(struct sg_nl *nl, uint32_t sk, int64_t si,
			       uint32_t dk, int64_t di, struct rule_offs *o)
{
	struct nl_msg *m = sg_msg(nl, SLICEGUARD_CMD_RULE_NEW, 0);

	o->src_kind = sg_put_u32(m, SLICEGUARD_A_RULE_SRC_KIND, sk);
	o->src_id = si >= 0 ? sg_put_u32(m, SLICEGUARD_A_RULE_SRC_ID, si) : 0;
	o->dst_kind = sg_put_u32(m, SLICEGUARD_A_RULE_DST_KIND, dk);
	o->dst_id = di >= 0 ? sg_put_u32(m, SLICEGUARD_A_RULE_DST_ID, di) : 0;
	return m;
}

TEST_F(policy, not_found)
{
	struct sg_nl *nl = self->nl;
	struct sg_slice s9 = { .id = 9, .name = "nine", .sst = 1 };
	struct sg_app a99 = { .id = 99, .name = "a99", .slice = { 1 },
			      .ep = { { .prefix = "192.168.99.0/24" } } };
	struct sg_rule r99 = rule5;
	struct sg_uplink nope = { .ifname = "nope" };

	r99.id = 99;
	EXPECT_REJECT(nl, sg_key_msg(nl, SLICEGUARD_CMD_SLICE_GET, SLICEGUARD_A_SLICE_ID, 9),
		      ENOENT, "slice not found", FIRST_ATTR_OFFS);
	EXPECT_REJECT(nl, sg_name_msg(nl, SLICEGUARD_CMD_SLICE_GET, SLICEGUARD_A_SLICE_NAME, "nine"),
		      ENOENT, "slice not found", FIRST_ATTR_OFFS);
	EXPECT_REJECT(nl, sg_key_msg(nl, SLICEGUARD_CMD_SLICE_DEL, SLICEGUARD_A_SLICE_ID, 9),
		      ENOENT, "slice not found", FIRST_ATTR_OFFS);
	EXPECT_REJECT(nl, sg_slice_msg(nl, SLICEGUARD_CMD_SLICE_SET, 0, &s9),
		      ENOENT, "slice not found", FIRST_ATTR_OFFS);
	EXPECT_REJECT(nl, sg_key_msg(nl, SLICEGUARD_CMD_APP_GET, SLICEGUARD_A_APP_ID, 99),
		      ENOENT, "app not found", FIRST_ATTR_OFFS);
	EXPECT_REJECT(nl, sg_name_msg(nl, SLICEGUARD_CMD_APP_DEL, SLICEGUARD_A_APP_NAME, "a99"),
		      ENOENT, "app not found", FIRST_ATTR_OFFS);
	EXPECT_REJECT(nl, sg_app_msg(nl, SLICEGUARD_CMD_APP_SET, 0, &a99),
		      ENOENT, "app not found", FIRST_ATTR_OFFS);
	EXPECT_REJECT(nl, sg_key_msg(nl, SLICEGUARD_CMD_RULE_GET, SLICEGUARD_A_RULE_ID, 99),
		      ENOENT, "rule not found", FIRST_ATTR_OFFS);
	EXPECT_REJECT(nl, sg_key_msg(nl, SLICEGUARD_CMD_RULE_DEL, SLICEGUARD_A_RULE_ID, 99),
		      ENOENT, "rule not found", FIRST_ATTR_OFFS);
	EXPECT_REJECT(nl, sg_rule_msg(nl, SLICEGUARD_CMD_RULE_SET, 0, &r99),
		      ENOENT, "rule not found", FIRST_ATTR_OFFS);
	EXPECT_REJECT(nl, sg_name_msg(nl, SLICEGUARD_CMD_UPLINK_GET, SLICEGUARD_A_UPLINK_IFNAME, "nope"),
		      ENOENT, "uplink not found", FIRST_ATTR_OFFS);
	EXPECT_REJECT(nl, sg_name_msg(nl, SLICEGUARD_CMD_UPLINK_DEL, SLICEGUARD_A_UPLINK_IFNAME, "nope"),
		      ENOENT, "uplink not found", FIRST_ATTR_OFFS);
	EXPECT_REJECT(nl, sg_uplink_msg(nl, SLICEGUARD_CMD_UPLINK_SET, 0, &nope),
		      ENOENT, "uplink not found", FIRST_ATTR_OFFS);
}

/* *-new creates exclusively: an existing key fails, whatever the op's flags. */
TEST_F(policy, new_on_existing_key_fails_eexist)
{
	struct sg_nl *nl = self->nl;
	struct sg_slice mmtc = { .id = 7, .name = "mmtc", .sst = 3 };

	EXPECT_REJECT(nl, slice_new(nl, &embb), EEXIST, "slice 1 exists (embb)", FIRST_ATTR_OFFS);
	EXPECT_REJECT(nl, app_new(nl, &telemetry), EEXIST, "app 10 exists (telemetry)",
		      FIRST_ATTR_OFFS);
	EXPECT_REJECT(nl, rule_new(nl, &rule3), EEXIST, "rule 3 exists", FIRST_ATTR_OFFS);
	EXPECT_REJECT(nl, uplink_new(nl, &n6), EEXIST, "uplink n6 exists", FIRST_ATTR_OFFS);
	/* the message names the object that holds the key, not the request's */
	mmtc.id = 1;
	EXPECT_REJECT(nl, slice_new(nl, &mmtc), EEXIST, "slice 1 exists (embb)", FIRST_ATTR_OFFS);
	mmtc.id = 7;
	/* NLM_F_ECHO is the one request modifier genetlink lets through */
	EXPECT_REJECT(nl, sg_slice_msg(nl, SLICEGUARD_CMD_SLICE_NEW, NLM_F_ECHO, &embb),
		      EEXIST, "slice 1 exists (embb)", FIRST_ATTR_OFFS);
	ASSERT_DO(nl, slice_new(nl, &mmtc));

	/* inside a transaction too, at once, against the staged copy */
	mmtc.id = 8;
	strcpy(mmtc.name, "mmtc8");
	ASSERT_DO(nl, sg_msg(nl, SLICEGUARD_CMD_TX_BEGIN, 0));
	ASSERT_DO(nl, slice_new(nl, &mmtc));
	EXPECT_EQ(-EEXIST, sg_do(nl, slice_new(nl, &mmtc)));
	EXPECT_STREQ("slice 8 exists (mmtc8)", nl->ext.msg);
	EXPECT_EQ(FIRST_ATTR_OFFS, nl->ext.offs);
	EXPECT_EQ(-EEXIST, sg_do(nl, uplink_new(nl, &n6)));
	EXPECT_STREQ("uplink n6 exists", nl->ext.msg);
	EXPECT_EQ(FIRST_ATTR_OFFS, nl->ext.offs);
	ASSERT_DO(nl, sg_msg(nl, SLICEGUARD_CMD_TX_ABORT, 0));
}

/*
 * The family keeps genetlink's strict header checks: NLM_F_EXCL and the
 * other new-request modifiers alias get modifiers (NLM_F_MATCH...) and a
 * non-zero reserved byte may mean something one day, so the core refuses
 * both before any handler runs, for a key that exists or not.
 */
TEST_F(policy, core_rejects_modifier_flags_and_reserved_byte)
{
	static const int modifiers[] = {
		NLM_F_EXCL, NLM_F_CREATE, NLM_F_REPLACE, NLM_F_APPEND,
		NLM_F_CREATE | NLM_F_EXCL,
	};
	struct sg_nl *nl = self->nl;
	struct sg_slice mmtc = { .id = 7, .name = "mmtc", .sst = 3 };
	struct genlmsghdr *genl;
	struct nl_msg *m;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(modifiers); i++) {
		EXPECT_REJECT(nl, sg_slice_msg(nl, SLICEGUARD_CMD_SLICE_NEW, modifiers[i], &mmtc),
			      EINVAL, "ambiguous or reserved bits set in nlmsg_flags", 0);
		EXPECT_REJECT(nl, sg_slice_msg(nl, SLICEGUARD_CMD_SLICE_NEW, modifiers[i], &embb),
			      EINVAL, "ambiguous or reserved bits set in nlmsg_flags", 0);
		EXPECT_REJECT(nl, sg_slice_msg(nl, SLICEGUARD_CMD_SLICE_SET, modifiers[i], &embb),
			      EINVAL, "ambiguous or reserved bits set in nlmsg_flags", 0);
	}
	EXPECT_REJECT(nl, sg_app_msg(nl, SLICEGUARD_CMD_APP_NEW, NLM_F_EXCL, &telemetry),
		      EINVAL, "ambiguous or reserved bits set in nlmsg_flags", 0);
	EXPECT_REJECT(nl, sg_rule_msg(nl, SLICEGUARD_CMD_RULE_NEW, NLM_F_EXCL, &rule3),
		      EINVAL, "ambiguous or reserved bits set in nlmsg_flags", 0);
	EXPECT_REJECT(nl, sg_uplink_msg(nl, SLICEGUARD_CMD_UPLINK_NEW, NLM_F_EXCL, &n6),
		      EINVAL, "ambiguous or reserved bits set in nlmsg_flags", 0);
	EXPECT_REJECT(nl, sg_msg(nl, SLICEGUARD_CMD_POLICY_FLUSH, NLM_F_EXCL),
		      EINVAL, "ambiguous or reserved bits set in nlmsg_flags", 0);

	m = sg_slice_msg(nl, SLICEGUARD_CMD_SLICE_NEW, 0, &mmtc);
	genl = nlmsg_data(nlmsg_hdr(m));
	genl->reserved = 1;
	EXPECT_REJECT(nl, m, EINVAL, "genlmsghdr.reserved field is not 0", 0);
	m = sg_msg(nl, SLICEGUARD_CMD_POLICY_FLUSH, 0);
	genl = nlmsg_data(nlmsg_hdr(m));
	genl->reserved = 1;
	EXPECT_REJECT(nl, m, EINVAL, "genlmsghdr.reserved field is not 0", 0);

	/* inside a transaction, nothing gets staged either */
	ASSERT_DO(nl, sg_msg(nl, SLICEGUARD_CMD_TX_BEGIN, 0));
	EXPECT_EQ(-EINVAL, sg_do(nl, sg_slice_msg(nl, SLICEGUARD_CMD_SLICE_NEW, NLM_F_EXCL, &mmtc)));
	EXPECT_STREQ("ambiguous or reserved bits set in nlmsg_flags", nl->ext.msg);
	EXPECT_EQ(-ENOENT, sg_do(nl, sg_key_msg(nl, SLICEGUARD_CMD_SLICE_GET,
						SLICEGUARD_A_SLICE_ID, mmtc.id)));
	ASSERT_DO(nl, sg_msg(nl, SLICEGUARD_CMD_TX_ABORT, 0));
}

TEST_F(policy, names_in_use)
{
	struct sg_nl *nl = self->nl;
	struct sg_slice renamed = embb;
	struct nl_msg *m;
	uint32_t off;

	m = sg_msg(nl, SLICEGUARD_CMD_SLICE_NEW, 0);
	sg_put_u32(m, SLICEGUARD_A_SLICE_ID, 7);
	off = sg_put_str(m, SLICEGUARD_A_SLICE_NAME, "iot");
	sg_put_u8(m, SLICEGUARD_A_SLICE_SST, 3);
	EXPECT_REJECT(nl, m, EEXIST, "slice name in use", off);
	strcpy(renamed.name, "iot");
	EXPECT_REJECT(nl, sg_slice_msg(nl, SLICEGUARD_CMD_SLICE_SET, 0, &renamed),
		      EEXIST, "slice name in use", FIRST_ATTR_OFFS + 8);

	m = sg_msg(nl, SLICEGUARD_CMD_APP_NEW, 0);
	sg_put_u32(m, SLICEGUARD_A_APP_ID, 12);
	off = sg_put_str(m, SLICEGUARD_A_APP_NAME, "video");
	sg_put_u32(m, SLICEGUARD_A_APP_SLICE, 1);
	put_endpoint(m, "192.168.12.0/24", 0, -1, -1, NULL);
	EXPECT_REJECT(nl, m, EEXIST, "app name in use", off);

	/* replacing an object by itself conflicts with nothing */
	ASSERT_DO(nl, sg_slice_msg(nl, SLICEGUARD_CMD_SLICE_SET, 0, &iot));
	EXPECT_STREQ(slice_text(&iot), reply_text(&nl->reply, SLICEGUARD_CMD_SLICE_GET));
	ASSERT_DO(nl, sg_app_msg(nl, SLICEGUARD_CMD_APP_SET, 0, &telemetry));
	ASSERT_DO(nl, sg_rule_msg(nl, SLICEGUARD_CMD_RULE_SET, 0, &rule3));
}

TEST_F(policy, bad_prefixes)
{
	struct sg_nl *nl = self->nl;
	struct nlattr *nest;
	struct nl_msg *m;
	uint32_t off, in, p;

	m = mmtc_msg(nl);
	nest = sg_nest(m, SLICEGUARD_A_SLICE_UE_PREFIX);
	off = sg_offset(m, nest);
	sg_put_u8(m, SLICEGUARD_A_PREFIX_LEN, 16);
	sg_nest_end(m, nest);
	EXPECT_REJECT(nl, m, EINVAL, "prefix needs exactly one of addr4 and addr6", off);

	m = mmtc_msg(nl);
	nest = sg_nest(m, SLICEGUARD_A_SLICE_UE_PREFIX);
	off = sg_offset(m, nest);
	sg_put_u32(m, SLICEGUARD_A_PREFIX_ADDR4, htonl(0x0a070000));
	in = sg_put(m, SLICEGUARD_A_PREFIX_ADDR6, "\x20\x01\x0d\xb8\0\x07\0\0\0\0\0\0\0\0\0\0", 16);
	sg_put_u8(m, SLICEGUARD_A_PREFIX_LEN, 16);
	sg_nest_end(m, nest);
	EXPECT_REJECT(nl, m, EINVAL, "prefix needs exactly one of addr4 and addr6", off);

	m = mmtc_msg(nl);
	nest = sg_nest(m, SLICEGUARD_A_SLICE_UE_PREFIX);
	off = sg_offset(m, nest);
	sg_put_u32(m, SLICEGUARD_A_PREFIX_ADDR4, htonl(0x0a070000));
	in = sg_put_u8(m, SLICEGUARD_A_PREFIX_LEN, 33);
	sg_nest_end(m, nest);
	EXPECT_REJECT_IN(nl, m, ERANGE, "prefix length out of range", off, in);

	m = mmtc_msg(nl);
	nest = sg_nest(m, SLICEGUARD_A_SLICE_UE_PREFIX);
	off = sg_offset(m, nest);
	in = sg_put_u32(m, SLICEGUARD_A_PREFIX_ADDR4, htonl(0x0a070001));
	sg_put_u8(m, SLICEGUARD_A_PREFIX_LEN, 16);
	sg_nest_end(m, nest);
	EXPECT_REJECT(nl, m, EINVAL, "prefix has host bits set", in);

	m = mmtc_msg(nl);
	nest = sg_nest(m, SLICEGUARD_A_SLICE_UE_PREFIX);
	off = sg_offset(m, nest);
	in = sg_put(m, SLICEGUARD_A_PREFIX_ADDR6, "\x20\x01\x0d\xb8\0\x07\0\0\0\0\0\0\0\0\0\1", 16);
	sg_put_u8(m, SLICEGUARD_A_PREFIX_LEN, 64);
	sg_nest_end(m, nest);
	EXPECT_REJECT(nl, m, EINVAL, "prefix has host bits set", in);

	/* ::ffff:10.3.0.0/112 only ever matches IPv6 packets forged with it */
	m = mmtc_msg(nl);
	nest = sg_nest(m, SLICEGUARD_A_SLICE_UE_PREFIX);
	in = sg_put(m, SLICEGUARD_A_PREFIX_ADDR6, "\0\0\0\0\0\0\0\0\0\0\xff\xff\x0a\x03\0\0", 16);
	sg_put_u8(m, SLICEGUARD_A_PREFIX_LEN, 112);
	sg_nest_end(m, nest);
	EXPECT_REJECT(nl, m, EINVAL,
		      "IPv4-mapped IPv6 prefix never matches a packet; give the IPv4 prefix", in);

	/* the same checks on an app endpoint's prefix */
	m = camera_msg(nl);
	put_endpoint(m, "192.168.12.1/24", 0, -1, -1, &p);
	EXPECT_REJECT(nl, m, EINVAL, "prefix has host bits set", p + NLA_HDRLEN);

	/* and the edges that are fine: /0, /32, /128, a /96 that is not the mapped block */
	m = mmtc_msg(nl);
	sg_put_prefix(m, SLICEGUARD_A_SLICE_UE_PREFIX, "10.7.0.1/32");
	sg_put_prefix(m, SLICEGUARD_A_SLICE_UE_PREFIX, "2001:db8:7::1/128");
	sg_put_prefix(m, SLICEGUARD_A_SLICE_UE_PREFIX, "64:ff9b::/96");
	ASSERT_DO(nl, m);
	EXPECT_EQ(3, sg_attr_count(&nl->reply, SLICEGUARD_A_SLICE_UE_PREFIX));
}

TEST_F(policy, bad_ranges_and_ports)
{
	struct sg_nl *nl = self->nl;
	struct rule_offs ro;
	struct nlattr *nest;
	struct nl_msg *m;
	uint32_t off, f, l;

	m = mmtc_msg(nl);
	nest = sg_nest(m, SLICEGUARD_A_SLICE_TEID_RANGE);
	off = sg_offset(m, nest);
	f = sg_put_u32(m, SLICEGUARD_A_RANGE_FIRST, 7001);
	l = sg_put_u32(m, SLICEGUARD_A_RANGE_LAST, 7000);
	sg_nest_end(m, nest);
	EXPECT_REJECT(nl, m, EINVAL, "range first is above last", l);

	m = camera_msg(nl);
	off = put_endpoint(m, "192.168.12.0/24", 6, 90, 80, NULL);
	/* endpoint nest: prefix nest (24 bytes), proto, port-first, port-last */
	EXPECT_REJECT(nl, m, EINVAL, "range first is above last", off + EP_PORT_LAST);

	m = rule_msg(nl, SLICEGUARD_PEER_SLICE, 1, SLICEGUARD_PEER_ANY, -1, &ro);
	sg_put_u8(m, SLICEGUARD_A_RULE_PROTO, 17);
	f = sg_put_u16(m, SLICEGUARD_A_RULE_PORT_FIRST, 90);
	l = sg_put_u16(m, SLICEGUARD_A_RULE_PORT_LAST, 80);
	EXPECT_REJECT(nl, m, EINVAL, "range first is above last", l);

	/* ports need tcp, udp or sctp */
	m = camera_msg(nl);
	off = put_endpoint(m, "192.168.12.0/24", 1, 80, 80, NULL);
	EXPECT_REJECT(nl, m, EINVAL, "ports need tcp, udp or sctp", off + EP_PORT_FIRST);
	m = camera_msg(nl);
	off = put_endpoint(m, "192.168.12.0/24", 0, 80, -1, NULL);
	/* no proto attribute: port-first follows the prefix directly */
	EXPECT_REJECT(nl, m, EINVAL, "ports need tcp, udp or sctp", off + EP_PORT_FIRST - 8);
	m = rule_msg(nl, SLICEGUARD_PEER_SLICE, 1, SLICEGUARD_PEER_ANY, -1, &ro);
	f = sg_put_u16(m, SLICEGUARD_A_RULE_PORT_FIRST, 53);
	l = sg_put_u16(m, SLICEGUARD_A_RULE_PORT_LAST, 53);
	EXPECT_REJECT(nl, m, EINVAL, "ports need tcp, udp or sctp", f);
	m = rule_msg(nl, SLICEGUARD_PEER_SLICE, 1, SLICEGUARD_PEER_ANY, -1, &ro);
	sg_put_u8(m, SLICEGUARD_A_RULE_PROTO, 58);
	l = sg_put_u16(m, SLICEGUARD_A_RULE_PORT_LAST, 1000);
	EXPECT_REJECT(nl, m, EINVAL, "ports need tcp, udp or sctp", l);

	/* the full range is "no ports": fine with any protocol */
	m = camera_msg(nl);
	put_endpoint(m, "192.168.12.0/24", 1, 0, 65535, NULL);
	ASSERT_DO(nl, m);
	/* sctp takes ports */
	m = rule_msg(nl, SLICEGUARD_PEER_SLICE, 1, SLICEGUARD_PEER_ANY, -1, &ro);
	sg_put_u8(m, SLICEGUARD_A_RULE_PROTO, 132);
	sg_put_u16(m, SLICEGUARD_A_RULE_PORT_FIRST, 38412);
	sg_put_u16(m, SLICEGUARD_A_RULE_PORT_LAST, 38412);
	ASSERT_DO(nl, m);
}

TEST_F(policy, too_many_classifiers)
{
	struct sg_nl *nl = self->nl;
	struct nl_msg *m;
	char cidr[SG_CIDR_LEN];
	uint32_t off = 0;
	int i;

	m = mmtc_msg(nl);
	for (i = 0; i <= SLICEGUARD_MAX_UE_PREFIXES; i++) {
		snprintf(cidr, sizeof(cidr), "10.70.%d.0/24", i);
		off = sg_put_prefix(m, SLICEGUARD_A_SLICE_UE_PREFIX, cidr);
	}
	__EXPECT_REJECT(nl, m, E2BIG, "too many ue-prefix", __x.offs == off);

	m = mmtc_msg(nl);
	for (i = 0; i <= SLICEGUARD_MAX_VLANS; i++)
		off = sg_put_u16(m, SLICEGUARD_A_SLICE_VLAN, 2000 + i);
	__EXPECT_REJECT(nl, m, E2BIG, "too many vlan", __x.offs == off);

	m = mmtc_msg(nl);
	for (i = 0; i <= SLICEGUARD_MAX_TEID_RANGES; i++)
		off = sg_put_range(m, SLICEGUARD_A_SLICE_TEID_RANGE, 70000 + i * 10, 70000 + i * 10 + 9);
	__EXPECT_REJECT(nl, m, E2BIG, "too many teid-range", __x.offs == off);

	m = mmtc_msg(nl);
	for (i = 0; i <= SLICEGUARD_MAX_DSCPS; i++)
		off = sg_put_u8(m, SLICEGUARD_A_SLICE_DSCP, i);
	__EXPECT_REJECT(nl, m, E2BIG, "too many dscp", __x.offs == off);

	m = camera_msg(nl);
	for (i = 0; i <= SLICEGUARD_MAX_ENDPOINTS; i++) {
		snprintf(cidr, sizeof(cidr), "192.168.70.%d/32", i);
		off = put_endpoint(m, cidr, 0, -1, -1, NULL);
	}
	__EXPECT_REJECT(nl, m, E2BIG, "too many endpoint", __x.offs == off);

	/* nine existing slices, so only the count can be wrong */
	for (i = 20; i < 20 + SLICEGUARD_MAX_APP_SLICES + 1; i++) {
		struct sg_slice s = { .id = i, .sst = 1 };

		snprintf(s.name, sizeof(s.name), "s%d", i);
		ASSERT_DO(nl, slice_new(nl, &s));
	}
	m = sg_msg(nl, SLICEGUARD_CMD_APP_NEW, 0);
	sg_put_u32(m, SLICEGUARD_A_APP_ID, 12);
	sg_put_str(m, SLICEGUARD_A_APP_NAME, "camera");
	for (i = 20; i < 20 + SLICEGUARD_MAX_APP_SLICES + 1; i++)
		off = sg_put_u32(m, SLICEGUARD_A_APP_SLICE, i);
	put_endpoint(m, "192.168.12.0/24", 0, -1, -1, NULL);
	__EXPECT_REJECT(nl, m, E2BIG, "too many slice", __x.offs == off);

	/* exactly the maximum is fine */
	m = mmtc_msg(nl);
	for (i = 0; i < SLICEGUARD_MAX_VLANS; i++)
		sg_put_u16(m, SLICEGUARD_A_SLICE_VLAN, 2000 + i);
	for (i = 0; i < SLICEGUARD_MAX_DSCPS; i++)
		sg_put_u8(m, SLICEGUARD_A_SLICE_DSCP, i);
	ASSERT_DO(nl, m);
	EXPECT_EQ(SLICEGUARD_MAX_VLANS, sg_attr_count(&nl->reply, SLICEGUARD_A_SLICE_VLAN));
	EXPECT_EQ(SLICEGUARD_MAX_DSCPS, sg_attr_count(&nl->reply, SLICEGUARD_A_SLICE_DSCP));
}

TEST_F(policy, duplicate_classifiers_in_one_object)
{
	struct sg_nl *nl = self->nl;
	struct nl_msg *m;
	uint32_t off;

	m = mmtc_msg(nl);
	sg_put_u16(m, SLICEGUARD_A_SLICE_VLAN, 2000);
	off = sg_put_u16(m, SLICEGUARD_A_SLICE_VLAN, 2000);
	EXPECT_REJECT(nl, m, EINVAL, "duplicate vlan", off);

	m = mmtc_msg(nl);
	sg_put_u8(m, SLICEGUARD_A_SLICE_DSCP, 20);
	off = sg_put_u8(m, SLICEGUARD_A_SLICE_DSCP, 20);
	EXPECT_REJECT(nl, m, EINVAL, "duplicate dscp", off);

	m = mmtc_msg(nl);
	sg_put_prefix(m, SLICEGUARD_A_SLICE_UE_PREFIX, "10.7.0.0/16");
	off = sg_put_prefix(m, SLICEGUARD_A_SLICE_UE_PREFIX, "10.7.0.0/16");
	EXPECT_REJECT(nl, m, EINVAL, "duplicate ue-prefix", off);

	m = mmtc_msg(nl);
	sg_put_range(m, SLICEGUARD_A_SLICE_TEID_RANGE, 7000, 7999);
	off = sg_put_range(m, SLICEGUARD_A_SLICE_TEID_RANGE, 7000, 7999);
	EXPECT_REJECT(nl, m, EINVAL, "duplicate teid-range", off);

	/* not identical, but one would hide the other */
	m = mmtc_msg(nl);
	sg_put_prefix(m, SLICEGUARD_A_SLICE_UE_PREFIX, "10.7.0.0/16");
	off = sg_put_prefix(m, SLICEGUARD_A_SLICE_UE_PREFIX, "10.7.1.0/24");
	EXPECT_REJECT(nl, m, EINVAL, "ue-prefix overlaps another of the slice", off);

	m = mmtc_msg(nl);
	sg_put_range(m, SLICEGUARD_A_SLICE_TEID_RANGE, 7000, 7999);
	off = sg_put_range(m, SLICEGUARD_A_SLICE_TEID_RANGE, 7999, 8500);
	EXPECT_REJECT(nl, m, EINVAL, "teid-range overlaps another of the slice", off);

	m = camera_msg(nl);
	off = sg_put_u32(m, SLICEGUARD_A_APP_SLICE, 1);
	put_endpoint(m, "192.168.12.0/24", 0, -1, -1, NULL);
	EXPECT_REJECT(nl, m, EINVAL, "duplicate slice", off);
}

TEST_F(policy, classifier_overlaps_another_slice)
{
	struct sg_nl *nl = self->nl;
	struct nl_msg *m;
	uint32_t off;

	m = mmtc_msg(nl);
	off = sg_put_u16(m, SLICEGUARD_A_SLICE_VLAN, 300);
	EXPECT_REJECT(nl, m, EEXIST, "vlan 300 used by slice iot", off);

	m = mmtc_msg(nl);
	off = sg_put_prefix(m, SLICEGUARD_A_SLICE_UE_PREFIX, "10.2.128.0/17");
	EXPECT_REJECT(nl, m, EEXIST, "ue-prefix overlaps slice iot", off);

	m = mmtc_msg(nl);
	sg_put_prefix(m, SLICEGUARD_A_SLICE_UE_PREFIX, "10.7.0.0/16");
	off = sg_put_prefix(m, SLICEGUARD_A_SLICE_UE_PREFIX, "2001:db8::/32");
	EXPECT_REJECT(nl, m, EEXIST, "ue-prefix overlaps slice embb", off);

	m = mmtc_msg(nl);
	off = sg_put_range(m, SLICEGUARD_A_SLICE_TEID_RANGE, 1500, 2500);
	EXPECT_REJECT(nl, m, EEXIST, "teid-range overlaps slice iot", off);

	m = mmtc_msg(nl);
	off = sg_put_range(m, SLICEGUARD_A_SLICE_TEID_RANGE, 0, 100);
	EXPECT_REJECT(nl, m, EEXIST, "teid-range overlaps slice embb", off);

	m = mmtc_msg(nl);
	off = sg_put_u8(m, SLICEGUARD_A_SLICE_DSCP, 46);
	EXPECT_REJECT(nl, m, EEXIST, "dscp 46 used by slice urllc", off);

	/* a UE pool around an app's address would make the app a UE */
	m = mmtc_msg(nl);
	off = sg_put_prefix(m, SLICEGUARD_A_SLICE_UE_PREFIX, "192.168.10.0/25");
	EXPECT_REJECT(nl, m, EEXIST, "ue-prefix overlaps app telemetry", off);

	/* set of an existing slice is checked against the others too */
	m = sg_msg(nl, SLICEGUARD_CMD_SLICE_SET, 0);
	sg_put_u32(m, SLICEGUARD_A_SLICE_ID, 1);
	sg_put_str(m, SLICEGUARD_A_SLICE_NAME, "embb");
	sg_put_u8(m, SLICEGUARD_A_SLICE_SST, 1);
	off = sg_put_u16(m, SLICEGUARD_A_SLICE_VLAN, 300);
	EXPECT_REJECT(nl, m, EEXIST, "vlan 300 used by slice iot", off);

	/* adjacent, not overlapping */
	m = mmtc_msg(nl);
	sg_put_prefix(m, SLICEGUARD_A_SLICE_UE_PREFIX, "10.0.0.0/16");
	sg_put_range(m, SLICEGUARD_A_SLICE_TEID_RANGE, 2000, 2999);
	sg_put_range(m, SLICEGUARD_A_SLICE_TEID_RANGE, 200, 999);
	ASSERT_DO(nl, m);
}

TEST_F(policy, dangling_references)
{
	struct sg_nl *nl = self->nl;
	struct rule_offs ro;
	struct nl_msg *m;
	uint32_t off;

	m = sg_msg(nl, SLICEGUARD_CMD_APP_NEW, 0);
	sg_put_u32(m, SLICEGUARD_A_APP_ID, 12);
	sg_put_str(m, SLICEGUARD_A_APP_NAME, "camera");
	sg_put_u32(m, SLICEGUARD_A_APP_SLICE, 1);
	off = sg_put_u32(m, SLICEGUARD_A_APP_SLICE, 9);
	put_endpoint(m, "192.168.12.0/24", 0, -1, -1, NULL);
	EXPECT_REJECT(nl, m, ENOENT, "slice 9 not found", off);

	m = rule_msg(nl, SLICEGUARD_PEER_APP, 9, SLICEGUARD_PEER_ANY, -1, &ro);
	EXPECT_REJECT(nl, m, ENOENT, "src app 9 not found", ro.src_id);
	m = rule_msg(nl, SLICEGUARD_PEER_SLICE, 1, SLICEGUARD_PEER_SLICE, 4, &ro);
	EXPECT_REJECT(nl, m, ENOENT, "dst slice 4 not found", ro.dst_id);
	m = rule_msg(nl, SLICEGUARD_PEER_SLICE, 1, SLICEGUARD_PEER_APP, 4, &ro);
	EXPECT_REJECT(nl, m, ENOENT, "dst app 4 not found", ro.dst_id);
	m = rule_msg(nl, SLICEGUARD_PEER_SLICE, 4, SLICEGUARD_PEER_ANY, -1, &ro);
	EXPECT_REJECT(nl, m, ENOENT, "src slice 4 not found", ro.src_id);

	m = rule_msg(nl, SLICEGUARD_PEER_ANY, 0, SLICEGUARD_PEER_ANY, -1, &ro);
	EXPECT_REJECT(nl, m, EINVAL, "src cannot be any", ro.src_kind);
	m = rule_msg(nl, SLICEGUARD_PEER_SLICE, 1, SLICEGUARD_PEER_ANY, 1, &ro);
	EXPECT_REJECT(nl, m, EINVAL, "dst-id not allowed with dst any", ro.dst_id);
}

TEST_F(policy, app_integrity)
{
	struct sg_nl *nl = self->nl;
	struct rule_offs ro;
	struct nl_msg *m;
	uint32_t off, p;

	m = camera_msg(nl);
	off = put_endpoint(m, "192.168.10.128/25", 0, -1, -1, &p);
	EXPECT_REJECT_IN(nl, m, EEXIST, "endpoint overlaps app telemetry", off, p);
	m = camera_msg(nl);
	off = put_endpoint(m, "2001:db8:11:0:8000::/65", 6, 80, 80, &p);
	EXPECT_REJECT_IN(nl, m, EEXIST, "endpoint overlaps app video", off, p);

	/* an app inside a UE pool would make those UEs the app */
	m = camera_msg(nl);
	off = put_endpoint(m, "10.2.7.0/24", 0, -1, -1, &p);
	EXPECT_REJECT_IN(nl, m, EEXIST, "endpoint overlaps slice iot", off, p);
	m = camera_msg(nl);
	off = put_endpoint(m, "2001:db8:1:5::/64", 0, -1, -1, &p);
	EXPECT_REJECT_IN(nl, m, EEXIST, "endpoint overlaps slice embb", off, p);

	m = rule_msg(nl, SLICEGUARD_PEER_APP, 10, SLICEGUARD_PEER_SLICE, 1, &ro);
	EXPECT_REJECT(nl, m, EINVAL, "app telemetry does not serve slice embb", ro.dst_id);

	/*
	 * A rule no endpoint of its app takes can never match: stored (the
	 * app may change), with a warning in the ack. telemetry takes udp
	 * 5683-5684 only.
	 */
	m = rule_msg(nl, SLICEGUARD_PEER_SLICE, 2, SLICEGUARD_PEER_APP, 10, &ro);
	sg_put_u8(m, SLICEGUARD_A_RULE_PROTO, 6);
	ASSERT_DO(nl, m);
	EXPECT_STREQ("rule never matches: no endpoint of app telemetry takes its protocol and ports",
		     nl->ext.msg);
	m = rule_msg(nl, SLICEGUARD_PEER_SLICE, 2, SLICEGUARD_PEER_APP, 10, &ro);
	sg_put_u8(m, SLICEGUARD_A_RULE_PROTO, 17);
	sg_put_u16(m, SLICEGUARD_A_RULE_PORT_FIRST, 6000);
	sg_put_u16(m, SLICEGUARD_A_RULE_PORT_LAST, 6001);
	ASSERT_DO(nl, m);
	EXPECT_STREQ("rule never matches: no endpoint of app telemetry takes its protocol and ports",
		     nl->ext.msg);
	/* positive control: one port inside the endpoint's range, no warning */
	m = rule_msg(nl, SLICEGUARD_PEER_SLICE, 2, SLICEGUARD_PEER_APP, 10, &ro);
	sg_put_u8(m, SLICEGUARD_A_RULE_PROTO, 17);
	sg_put_u16(m, SLICEGUARD_A_RULE_PORT_FIRST, 5684);
	sg_put_u16(m, SLICEGUARD_A_RULE_PORT_LAST, 6000);
	ASSERT_DO(nl, m);
	EXPECT_STREQ("", nl->ext.msg);

	/* the same tuple as rule 3 under another id */
	m = rule_msg(nl, SLICEGUARD_PEER_APP, 11, SLICEGUARD_PEER_APP, 10, &ro);
	sg_put_u8(m, SLICEGUARD_A_RULE_PROTO, 17);
	sg_put_u16(m, SLICEGUARD_A_RULE_PORT_FIRST, 5683);
	sg_put_u16(m, SLICEGUARD_A_RULE_PORT_LAST, 5683);
	EXPECT_REJECT(nl, m, EEXIST, "duplicate of rule 3", 0);
	/* a different port range is another rule */
	m = rule_msg(nl, SLICEGUARD_PEER_APP, 11, SLICEGUARD_PEER_APP, 10, &ro);
	sg_put_u8(m, SLICEGUARD_A_RULE_PROTO, 17);
	sg_put_u16(m, SLICEGUARD_A_RULE_PORT_FIRST, 5683);
	sg_put_u16(m, SLICEGUARD_A_RULE_PORT_LAST, 5684);
	ASSERT_DO(nl, m);
}

TEST_F(policy, delete_while_referenced)
{
	struct sg_nl *nl = self->nl;

	__EXPECT_REJECT(nl, sg_key_msg(nl, SLICEGUARD_CMD_SLICE_DEL, SLICEGUARD_A_SLICE_ID, 2),
		      EBUSY, "slice iot used by app telemetry", __x.offs == FIRST_ATTR_OFFS);
	__EXPECT_REJECT(nl, sg_name_msg(nl, SLICEGUARD_CMD_SLICE_DEL, SLICEGUARD_A_SLICE_NAME, "iot"),
		      EBUSY, "slice iot used by app telemetry", __x.offs == FIRST_ATTR_OFFS);
	__EXPECT_REJECT(nl, sg_key_msg(nl, SLICEGUARD_CMD_SLICE_DEL, SLICEGUARD_A_SLICE_ID, 6),
		      EBUSY, "slice v2x used by rule 5", __x.offs == FIRST_ATTR_OFFS);
	__EXPECT_REJECT(nl, sg_key_msg(nl, SLICEGUARD_CMD_APP_DEL, SLICEGUARD_A_APP_ID, 10),
		      EBUSY, "app telemetry used by rule 3", __x.offs == FIRST_ATTR_OFFS);
	__EXPECT_REJECT(nl, sg_name_msg(nl, SLICEGUARD_CMD_APP_DEL, SLICEGUARD_A_APP_NAME, "telemetry"),
		      EBUSY, "app telemetry used by rule 3", __x.offs == FIRST_ATTR_OFFS);
	/* in dependency order everything goes */
	ASSERT_DO(nl, sg_key_msg(nl, SLICEGUARD_CMD_RULE_DEL, SLICEGUARD_A_RULE_ID, 3));
	ASSERT_DO(nl, sg_key_msg(nl, SLICEGUARD_CMD_APP_DEL, SLICEGUARD_A_APP_ID, 10));
	ASSERT_DO(nl, sg_key_msg(nl, SLICEGUARD_CMD_SLICE_DEL, SLICEGUARD_A_SLICE_ID, 2));
	ASSERT_DO(nl, sg_key_msg(nl, SLICEGUARD_CMD_RULE_DEL, SLICEGUARD_A_RULE_ID, 5));
	ASSERT_DO(nl, sg_key_msg(nl, SLICEGUARD_CMD_SLICE_DEL, SLICEGUARD_A_SLICE_ID, 6));
	EXPECT_EQ(POPULATED_GEN + 5, sg_generation(nl));
}

/* Notifications ------------------------------------------------------------ */

/*
 * Pop the next notification: an object one of @cmd with @change, the
 * generation @gen and the object text @text.
 */
#define EXPECT_OBJ_NTF(mon, ntf_cmd, change, gen, text) do {		\
	struct sg_reply __n;						\
	ASSERT_EQ(0, sg_ntf_pop((mon), &__n, SG_NTF_TIMEOUT_MS));	\
	EXPECT_EQ(ntf_cmd, __n.cmd);					\
	EXPECT_EQ(change, sg_get(&__n, ntf_attr(__n.cmd, NTF_CHANGE), 99)); \
	EXPECT_EQ(gen, sg_get(&__n, ntf_attr(__n.cmd, NTF_GEN), 0));	\
	EXPECT_STREQ(text, reply_text(&__n, __n.cmd));			\
	sg_reply_free(&__n);						\
} while (0)

#define EXPECT_COMMIT_NTF(mon, gen, changes, portid) do {		\
	struct sg_reply __n;						\
	ASSERT_EQ(0, sg_ntf_pop((mon), &__n, SG_NTF_TIMEOUT_MS));	\
	EXPECT_EQ(SLICEGUARD_CMD_COMMIT_NTF, __n.cmd);			\
	EXPECT_EQ(gen, sg_get(&__n, SLICEGUARD_A_POLICY_GENERATION, 0)); \
	EXPECT_EQ(changes, sg_get(&__n, SLICEGUARD_A_POLICY_CHANGES, 0)); \
	EXPECT_EQ(portid, sg_get(&__n, SLICEGUARD_A_POLICY_PORTID, 0));	\
	sg_reply_free(&__n);						\
} while (0)

#define EXPECT_NO_NTF(mon) do {						\
	struct sg_reply __n;						\
	EXPECT_EQ(-ETIMEDOUT, sg_ntf_pop((mon), &__n, 300)) {		\
		TH_LOG("unexpected notification cmd %u", __n.cmd);	\
		sg_reply_free(&__n);					\
	}								\
} while (0)

/*
 * The object notifications of one commit, in any order: the doc fixes only
 * that they all come before the commit-ntf.
 */
struct want_ntf {
	uint8_t cmd;
	uint32_t change;
	const char *text;
};

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *sorted_lines(char **lines, int n)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	qsort(lines, n, sizeof(*lines), cmp_line);
	for (int i = 0; i < n; i++) {
		fprintf(f, "%s\n", lines[i]);
		free(lines[i]);
	}
	fclose(f);
	return text;
}

static char *want_ntf_text(const struct want_ntf *w, int n, uint64_t gen)
{
	char *lines[16];

	for (int i = 0; i < n; i++)
		if (asprintf(&lines[i], "cmd=%u change=%u gen=%" PRIu64 " %s",
			     w[i].cmd, w[i].change, gen, w[i].text) < 0)
			abort();
	return sorted_lines(lines, n);
}

static char *pop_ntf_text(struct sg_nl *mon, int n)
{
	char *lines[16];
	struct sg_reply r;

	for (int i = 0; i < n; i++) {
		if (sg_ntf_pop(mon, &r, SG_NTF_TIMEOUT_MS)) {
			lines[i] = strdup("(no notification)");
			continue;
		}
		if (asprintf(&lines[i], "cmd=%u change=%" PRIu64 " gen=%" PRIu64 " %s", r.cmd,
			     sg_get(&r, ntf_attr(r.cmd, NTF_CHANGE), 99),
			     sg_get(&r, ntf_attr(r.cmd, NTF_GEN), 0),
			     r.cmd == SLICEGUARD_CMD_COMMIT_NTF ? "commit" :
			     reply_text(&r, r.cmd)) < 0)
			abort();
		sg_reply_free(&r);
	}
	return sorted_lines(lines, n);
}

#define EXPECT_NTF_SET(mon, want, gen) do {				\
	int __n = sizeof(want) / sizeof((want)[0]);			\
	char *__w = want_ntf_text(want, __n, gen);			\
	char *__s = pop_ntf_text(mon, __n);				\
	EXPECT_STREQ(__w, __s);						\
	free(__w);							\
	free(__s);							\
} while (0)

TEST_F(store, every_committed_change_is_notified)
{
	struct sg_nl *nl = self->nl, *mon = self->mon;
	struct sg_slice s2 = iot;
	struct sg_app a = { .id = 12, .name = "camera", .slice = { 2 },
			    .ep = { { .prefix = "192.168.12.0/24" } } };
	struct sg_rule r = { .id = 1, .src_kind = SLICEGUARD_PEER_SLICE, .src_id = 2,
			     .dst_kind = SLICEGUARD_PEER_APP, .dst_id = 12 };
	struct sg_uplink u = n3;
	uint32_t me = nl->portid;

	ASSERT_DO(nl, slice_new(nl, &iot));
	EXPECT_OBJ_NTF(mon, SLICEGUARD_CMD_SLICE_NTF, SLICEGUARD_CHANGE_NEW, 1, slice_text(&iot));
	EXPECT_COMMIT_NTF(mon, 1, 1, me);
	s2.mark = 7;
	ASSERT_DO(nl, sg_slice_msg(nl, SLICEGUARD_CMD_SLICE_SET, 0, &s2));
	EXPECT_OBJ_NTF(mon, SLICEGUARD_CMD_SLICE_NTF, SLICEGUARD_CHANGE_SET, 2, slice_text(&s2));
	EXPECT_COMMIT_NTF(mon, 2, 1, me);
	/* a new refused for its existing key announces nothing */
	EXPECT_EQ(-EEXIST, sg_do(nl, slice_new(nl, &iot)));
	EXPECT_NO_NTF(mon);
	ASSERT_DO(nl, sg_slice_msg(nl, SLICEGUARD_CMD_SLICE_SET, 0, &iot));
	EXPECT_OBJ_NTF(mon, SLICEGUARD_CMD_SLICE_NTF, SLICEGUARD_CHANGE_SET, 3, slice_text(&iot));
	EXPECT_COMMIT_NTF(mon, 3, 1, me);

	ASSERT_DO(nl, app_new(nl, &a));
	EXPECT_OBJ_NTF(mon, SLICEGUARD_CMD_APP_NTF, SLICEGUARD_CHANGE_NEW, 4, app_text(&a));
	EXPECT_COMMIT_NTF(mon, 4, 1, me);
	a.rate_bytes = 99;
	ASSERT_DO(nl, sg_app_msg(nl, SLICEGUARD_CMD_APP_SET, 0, &a));
	EXPECT_OBJ_NTF(mon, SLICEGUARD_CMD_APP_NTF, SLICEGUARD_CHANGE_SET, 5, app_text(&a));
	EXPECT_COMMIT_NTF(mon, 5, 1, me);

	ASSERT_DO(nl, rule_new(nl, &r));
	EXPECT_OBJ_NTF(mon, SLICEGUARD_CMD_RULE_NTF, SLICEGUARD_CHANGE_NEW, 6, rule_text(&r));
	EXPECT_COMMIT_NTF(mon, 6, 1, me);
	r.proto = 6;
	ASSERT_DO(nl, sg_rule_msg(nl, SLICEGUARD_CMD_RULE_SET, 0, &r));
	EXPECT_OBJ_NTF(mon, SLICEGUARD_CMD_RULE_NTF, SLICEGUARD_CHANGE_SET, 7, rule_text(&r));
	EXPECT_COMMIT_NTF(mon, 7, 1, me);

	ASSERT_DO(nl, uplink_new(nl, &u));
	EXPECT_OBJ_NTF(mon, SLICEGUARD_CMD_UPLINK_NTF, SLICEGUARD_CHANGE_NEW, 8, uplink_text(&u));
	EXPECT_COMMIT_NTF(mon, 8, 1, me);
	u.unsliced = SLICEGUARD_UNSLICED_DROP;
	ASSERT_DO(nl, sg_uplink_msg(nl, SLICEGUARD_CMD_UPLINK_SET, 0, &u));
	EXPECT_OBJ_NTF(mon, SLICEGUARD_CMD_UPLINK_NTF, SLICEGUARD_CHANGE_SET, 9, uplink_text(&u));
	EXPECT_COMMIT_NTF(mon, 9, 1, me);

	/* del carries the attributes the object had */
	ASSERT_DO(nl, sg_name_msg(nl, SLICEGUARD_CMD_UPLINK_DEL, SLICEGUARD_A_UPLINK_IFNAME, "n3"));
	EXPECT_OBJ_NTF(mon, SLICEGUARD_CMD_UPLINK_NTF, SLICEGUARD_CHANGE_DEL, 10, uplink_text(&u));
	EXPECT_COMMIT_NTF(mon, 10, 1, me);
	ASSERT_DO(nl, sg_key_msg(nl, SLICEGUARD_CMD_RULE_DEL, SLICEGUARD_A_RULE_ID, 1));
	EXPECT_OBJ_NTF(mon, SLICEGUARD_CMD_RULE_NTF, SLICEGUARD_CHANGE_DEL, 11, rule_text(&r));
	EXPECT_COMMIT_NTF(mon, 11, 1, me);
	ASSERT_DO(nl, sg_key_msg(nl, SLICEGUARD_CMD_APP_DEL, SLICEGUARD_A_APP_ID, 12));
	EXPECT_OBJ_NTF(mon, SLICEGUARD_CMD_APP_NTF, SLICEGUARD_CHANGE_DEL, 12, app_text(&a));
	EXPECT_COMMIT_NTF(mon, 12, 1, me);
	ASSERT_DO(nl, sg_key_msg(nl, SLICEGUARD_CMD_SLICE_DEL, SLICEGUARD_A_SLICE_ID, 2));
	EXPECT_OBJ_NTF(mon, SLICEGUARD_CMD_SLICE_NTF, SLICEGUARD_CHANGE_DEL, 13, slice_text(&iot));
	EXPECT_COMMIT_NTF(mon, 13, 1, me);
	EXPECT_NO_NTF(mon);
}

/* Pop whatever notifications are queued. */
static void drain(struct sg_nl *mon)
{
	struct sg_reply r;

	while (!sg_ntf_pop(mon, &r, 50))
		sg_reply_free(&r);
}

/*
 * Replies and notifications are sized from the spec's limits, not
 * NLMSG_GOODSIZE (issue 13): the largest slice and app there can be still
 * fit every message that carries them: the op's reply, a get, a dump and
 * the notification.
 */
TEST_F(store, the_largest_objects_fit_every_message)
{
	struct sg_nl *nl = self->nl, *mon = self->mon;
	struct sg_slice big = { .id = 1, .name = "abcdefghijklmnopqrstuvwxyz01234",
				.sst = 255, .has_sd = true, .sd = 0xffffff,
				.rate_bytes = UINT64_MAX, .burst_bytes = UINT64_MAX - 1,
				.rate_packets = UINT64_MAX - 2, .ue_rate_bytes = UINT64_MAX - 3,
				.mark = UINT32_MAX, .ue_to_ue = 1 };
	struct sg_app app = { .id = 65535, .name = "zyxwvutsrqponmlkjihgfedcba98765",
			      .ifname = "veth-0123456789", .rate_bytes = UINT64_MAX,
			      .burst_bytes = UINT64_MAX, .rate_packets = UINT64_MAX };
	struct sg_slice small = { .sst = 1 };
	char want[4096];
	int i;

	for (i = 0; i < SLICEGUARD_MAX_UE_PREFIXES; i++)
		snprintf(big.ue_prefix[i], SG_CIDR_LEN, "2001:db8:%x::/48", i + 1);
	for (i = 0; i < SLICEGUARD_MAX_VLANS; i++)
		big.vlan[i] = 4000 + i;
	for (i = 0; i < SLICEGUARD_MAX_TEID_RANGES; i++)
		big.teid[i] = (struct sg_range){ 0xfff00000u + 16 * i, 0xfff00000u + 16 * i + 15 };
	big.n_dscp = SLICEGUARD_MAX_DSCPS;
	for (i = 0; i < SLICEGUARD_MAX_DSCPS; i++)
		big.dscp[i] = 56 + i;
	ASSERT_DO(nl, slice_new(nl, &big));
	snprintf(want, sizeof(want), "%s", slice_text(&big));
	EXPECT_STREQ(want, reply_text(&nl->reply, SLICEGUARD_CMD_SLICE_GET));
	EXPECT_OBJ_NTF(mon, SLICEGUARD_CMD_SLICE_NTF, SLICEGUARD_CHANGE_NEW, 1, want);
	EXPECT_COMMIT_NTF(mon, 1, 1, nl->portid);
	ASSERT_DO(nl, sg_key_msg(nl, SLICEGUARD_CMD_SLICE_GET, SLICEGUARD_A_SLICE_ID, 1));
	EXPECT_STREQ(want, reply_text(&nl->reply, SLICEGUARD_CMD_SLICE_GET));

	for (i = 0; i < SLICEGUARD_MAX_APP_SLICES; i++) {
		if (i) {
			small.id = i + 1;
			snprintf(small.name, sizeof(small.name), "s%d", i + 1);
			ASSERT_DO(nl, slice_new(nl, &small));
		}
		app.slice[i] = i + 1;
	}
	for (i = 0; i < SLICEGUARD_MAX_ENDPOINTS; i++) {
		snprintf(app.ep[i].prefix, SG_CIDR_LEN, "2001:db9:%x::1/128", i + 1);
		app.ep[i].proto = 132;
		app.ep[i].has_ports = true;
		app.ep[i].port_first = 65000;
		app.ep[i].port_last = 65535;
	}
	drain(mon);
	ASSERT_DO(nl, app_new(nl, &app));
	snprintf(want, sizeof(want), "%s", app_text(&app));
	EXPECT_STREQ(want, reply_text(&nl->reply, SLICEGUARD_CMD_APP_GET));
	EXPECT_OBJ_NTF(mon, SLICEGUARD_CMD_APP_NTF, SLICEGUARD_CHANGE_NEW, 9, want);
	ASSERT_EQ(0, sg_dump(nl, SLICEGUARD_CMD_APP_GET));
	ASSERT_EQ(1, nl->dump.n);
	EXPECT_STREQ(want, reply_text(&nl->dump.r[0], SLICEGUARD_CMD_APP_GET));
}

/*
 * NLM_F_ECHO is honoured as rtnetlink does: the sender, in no group, gets
 * the notifications of its own generation, and listeners still get theirs.
 * Without the flag (positive control) it gets none.
 */
TEST_F(store, echo_gives_the_sender_its_notifications)
{
	struct sg_nl *nl = self->nl, *mon = self->mon;
	struct sg_slice urllc2 = urllc;
	uint32_t me = nl->portid;

	ASSERT_DO(nl, slice_new(nl, &iot));
	EXPECT_NO_NTF(nl);
	EXPECT_OBJ_NTF(mon, SLICEGUARD_CMD_SLICE_NTF, SLICEGUARD_CHANGE_NEW, 1, slice_text(&iot));
	EXPECT_COMMIT_NTF(mon, 1, 1, me);

	ASSERT_DO(nl, sg_slice_msg(nl, SLICEGUARD_CMD_SLICE_NEW, NLM_F_ECHO, &embb));
	EXPECT_OBJ_NTF(nl, SLICEGUARD_CMD_SLICE_NTF, SLICEGUARD_CHANGE_NEW, 2, slice_text(&embb));
	EXPECT_COMMIT_NTF(nl, 2, 1, me);
	EXPECT_NO_NTF(nl);
	EXPECT_OBJ_NTF(mon, SLICEGUARD_CMD_SLICE_NTF, SLICEGUARD_CHANGE_NEW, 2, slice_text(&embb));
	EXPECT_COMMIT_NTF(mon, 2, 1, me);

	/* a transaction's echo is on its commit: all of the generation */
	ASSERT_DO(nl, sg_msg(nl, SLICEGUARD_CMD_TX_BEGIN, 0));
	ASSERT_DO(nl, slice_new(nl, &urllc));
	urllc2.mark = 9;
	ASSERT_DO(nl, sg_slice_msg(nl, SLICEGUARD_CMD_SLICE_SET, 0, &urllc2));
	EXPECT_NO_NTF(nl);
	ASSERT_DO(nl, sg_msg(nl, SLICEGUARD_CMD_TX_COMMIT, NLM_F_ECHO));
	EXPECT_OBJ_NTF(nl, SLICEGUARD_CMD_SLICE_NTF, SLICEGUARD_CHANGE_NEW, 3, slice_text(&urllc2));
	EXPECT_COMMIT_NTF(nl, 3, 1, me);
	EXPECT_OBJ_NTF(mon, SLICEGUARD_CMD_SLICE_NTF, SLICEGUARD_CHANGE_NEW, 3, slice_text(&urllc2));
	EXPECT_COMMIT_NTF(mon, 3, 1, me);

	/* a refused op echoes nothing */
	EXPECT_EQ(-EEXIST, sg_do(nl, sg_slice_msg(nl, SLICEGUARD_CMD_SLICE_NEW, NLM_F_ECHO, &embb)));
	EXPECT_NO_NTF(nl);
	EXPECT_NO_NTF(mon);
}

/*
 * The host as a peer: a destination of slices and apps, a source only
 * toward an app (the one place the data path sees it send), never with an
 * id, in requests as in replies, dumps and notifications.
 */
TEST_F(policy, host_peer)
{
	struct sg_nl *nl = self->nl, *mon = self->mon;
	struct sg_rule to_host = {
		.src_kind = SLICEGUARD_PEER_SLICE, .src_id = 1,
		.dst_kind = SLICEGUARD_PEER_HOST, .proto = 17,
		.has_ports = true, .port_first = 53, .port_last = 53,
	};
	struct sg_rule app_to_host = {
		.src_kind = SLICEGUARD_PEER_APP, .src_id = 10,
		.dst_kind = SLICEGUARD_PEER_HOST,
	};
	struct sg_rule from_host = {
		.src_kind = SLICEGUARD_PEER_HOST, .dst_kind = SLICEGUARD_PEER_APP,
		.dst_id = 11, .proto = 6,
		.has_ports = true, .port_first = 443, .port_last = 443,
	};
	struct sg_rule host_to_slice = {
		.src_kind = SLICEGUARD_PEER_HOST, .dst_kind = SLICEGUARD_PEER_SLICE,
		.dst_id = 1, .proto = 17,
		.has_ports = true, .port_first = 5353, .port_last = 5353,
	};
	struct sg_rule want[4] = { to_host, app_to_host, from_host, host_to_slice };
	/* 3, 4, 5 are taken: the kernel picks 1, 2, 6 and 7 */
	const uint32_t ids[4] = { 1, 2, 6, 7 }, dump_idx[4] = { 0, 1, 5, 6 };
	struct rule_offs ro;
	struct sg_reply n;
	struct nl_msg *m;
	int i;

	for (i = 0; i < 4; i++) {
		ASSERT_DO(nl, rule_new(nl, &want[i]));
		want[i].id = ids[i];
		EXPECT_STREQ(rule_text(&want[i]),
			     reply_text(&nl->reply, SLICEGUARD_CMD_RULE_GET));
		EXPECT_EQ(want[i].src_kind,
			  sg_get(&nl->reply, SLICEGUARD_A_RULE_SRC_KIND, 99));
		EXPECT_EQ(want[i].dst_kind,
			  sg_get(&nl->reply, SLICEGUARD_A_RULE_DST_KIND, 99));
		/* ids only for slices and apps */
		EXPECT_EQ(want[i].src_kind == SLICEGUARD_PEER_HOST,
			  !sg_attr(&nl->reply, SLICEGUARD_A_RULE_SRC_ID));
		EXPECT_EQ(want[i].dst_kind == SLICEGUARD_PEER_HOST,
			  !sg_attr(&nl->reply, SLICEGUARD_A_RULE_DST_ID));

		ASSERT_EQ(0, sg_ntf_pop(mon, &n, SG_NTF_TIMEOUT_MS));
		EXPECT_EQ(SLICEGUARD_CMD_RULE_NTF, n.cmd);
		EXPECT_STREQ(rule_text(&want[i]), reply_text(&n, n.cmd));
		EXPECT_EQ(want[i].src_kind == SLICEGUARD_PEER_HOST,
			  !sg_attr(&n, SLICEGUARD_A_RULE_SRC_ID));
		EXPECT_EQ(want[i].dst_kind == SLICEGUARD_PEER_HOST,
			  !sg_attr(&n, SLICEGUARD_A_RULE_DST_ID));
		sg_reply_free(&n);
		EXPECT_COMMIT_NTF(mon, POPULATED_GEN + 1 + i, 1, nl->portid);
	}

	ASSERT_EQ(0, sg_dump(nl, SLICEGUARD_CMD_RULE_GET));
	ASSERT_EQ(7, nl->dump.n);
	for (i = 0; i < 4; i++) {
		const struct sg_reply *r = &nl->dump.r[dump_idx[i]];

		EXPECT_STREQ(rule_text(&want[i]), reply_text(r, SLICEGUARD_CMD_RULE_GET));
		EXPECT_EQ(want[i].src_kind == SLICEGUARD_PEER_HOST,
			  !sg_attr(r, SLICEGUARD_A_RULE_SRC_ID));
		EXPECT_EQ(want[i].dst_kind == SLICEGUARD_PEER_HOST,
			  !sg_attr(r, SLICEGUARD_A_RULE_DST_ID));
	}

	/* the host only sends toward a slice or an app */
	m = rule_msg(nl, SLICEGUARD_PEER_HOST, -1, SLICEGUARD_PEER_ANY, -1, &ro);
	EXPECT_REJECT(nl, m, EINVAL, "src host only toward a slice or an app", ro.dst_kind);
	m = rule_msg(nl, SLICEGUARD_PEER_HOST, -1, SLICEGUARD_PEER_HOST, -1, &ro);
	EXPECT_REJECT(nl, m, EINVAL, "src host only toward a slice or an app", ro.dst_kind);
	/* the host has no id, not even 0 */
	m = rule_msg(nl, SLICEGUARD_PEER_HOST, 11, SLICEGUARD_PEER_APP, 10, &ro);
	EXPECT_REJECT(nl, m, EINVAL, "src-id not allowed with src host", ro.src_id);
	m = rule_msg(nl, SLICEGUARD_PEER_HOST, 0, SLICEGUARD_PEER_APP, 10, &ro);
	EXPECT_REJECT(nl, m, EINVAL, "src-id not allowed with src host", ro.src_id);
	m = rule_msg(nl, SLICEGUARD_PEER_SLICE, 3, SLICEGUARD_PEER_HOST, 1, &ro);
	EXPECT_REJECT(nl, m, EINVAL, "dst-id not allowed with dst host", ro.dst_id);
	m = rule_msg(nl, SLICEGUARD_PEER_APP, 11, SLICEGUARD_PEER_HOST, 0, &ro);
	EXPECT_REJECT(nl, m, EINVAL, "dst-id not allowed with dst host", ro.dst_id);
	/* slices and apps still need theirs */
	m = rule_msg(nl, SLICEGUARD_PEER_APP, -1, SLICEGUARD_PEER_HOST, -1, &ro);
	EXPECT_MISSING(nl, m, SLICEGUARD_A_RULE_SRC_ID, 0);
	m = rule_msg(nl, SLICEGUARD_PEER_HOST, -1, SLICEGUARD_PEER_APP, -1, &ro);
	EXPECT_MISSING(nl, m, SLICEGUARD_A_RULE_DST_ID, 0);
	m = rule_msg(nl, SLICEGUARD_PEER_HOST, -1, SLICEGUARD_PEER_APP, 12, &ro);
	EXPECT_REJECT(nl, m, ENOENT, "dst app 12 not found", ro.dst_id);
	/* the same flow is a duplicate, with or without ids */
	EXPECT_REJECT(nl, rule_new(nl, &from_host), EEXIST, "duplicate of rule 6", 0);
	EXPECT_REJECT(nl, rule_new(nl, &to_host), EEXIST, "duplicate of rule 1", 0);
	EXPECT_NO_NTF(mon);
	EXPECT_EQ(7, policy_attr(nl, SLICEGUARD_A_POLICY_N_RULES));
	EXPECT_EQ(POPULATED_GEN + 4, sg_generation(nl));

	/* a rule with the host still holds its slice or app */
	ASSERT_DO(nl, sg_key_msg(nl, SLICEGUARD_CMD_RULE_DEL, SLICEGUARD_A_RULE_ID, 3));
	__EXPECT_REJECT(nl, sg_key_msg(nl, SLICEGUARD_CMD_APP_DEL, SLICEGUARD_A_APP_ID, 10),
			EBUSY, "app telemetry used by rule 2", __x.offs == FIRST_ATTR_OFFS);
}

TEST_F(policy, nothing_is_notified_for_failed_ops_or_reads)
{
	struct sg_nl *nl = self->nl, *mon = self->mon;
	struct sg_uplink u = { .ifname = "n9" };
	struct nl_msg *m;

	m = mmtc_msg(nl);
	sg_put_u16(m, SLICEGUARD_A_SLICE_VLAN, 300);
	EXPECT_EQ(-EEXIST, sg_do(nl, m));
	EXPECT_EQ(-EBUSY, sg_do(nl, sg_key_msg(nl, SLICEGUARD_CMD_SLICE_DEL,
					       SLICEGUARD_A_SLICE_ID, 2)));
	EXPECT_EQ(-ENOENT, sg_do(nl, sg_key_msg(nl, SLICEGUARD_CMD_RULE_DEL,
						SLICEGUARD_A_RULE_ID, 99)));
	EXPECT_EQ(-EINVAL, sg_do(nl, sg_msg(nl, SLICEGUARD_CMD_SLICE_NEW, 0)));
	EXPECT_EQ(0, sg_do(nl, sg_key_msg(nl, SLICEGUARD_CMD_SLICE_GET,
					  SLICEGUARD_A_SLICE_ID, 1)));
	EXPECT_EQ(0, sg_dump(nl, SLICEGUARD_CMD_APP_GET));
	EXPECT_EQ(0, sg_do(nl, sg_msg(nl, SLICEGUARD_CMD_POLICY_GET, 0)));
	/* the first notification after all that is the next good write */
	ASSERT_DO(nl, uplink_new(nl, &u));
	EXPECT_OBJ_NTF(mon, SLICEGUARD_CMD_UPLINK_NTF, SLICEGUARD_CHANGE_NEW,
		       POPULATED_GEN + 1, uplink_text(&u));
	EXPECT_COMMIT_NTF(mon, POPULATED_GEN + 1, 1, nl->portid);
	EXPECT_NO_NTF(mon);
}

/* Transactions ------------------------------------------------------------- */

TEST_F(policy, transaction_is_staged_private_and_atomic)
{
	struct sg_nl *nl = self->nl, *other = sg_open(), *mon = self->mon;
	struct sg_slice mmtc = { .id = 7, .name = "mmtc", .sst = 3, .vlan = { 700 } };
	struct sg_uplink u = { .ifname = "n9" };
	char *committed, *seen, text[64];

	ASSERT_NE(NULL, other);
	ASSERT_DO(nl, sg_msg(nl, SLICEGUARD_CMD_TX_BEGIN, 0));
	EXPECT_EQ(POPULATED_GEN, sg_get(&nl->reply, SLICEGUARD_A_POLICY_GENERATION, 0));
	committed = sg_snapshot(other);
	EXPECT_EQ(nl->portid, policy_attr(other, SLICEGUARD_A_POLICY_TX_PORTID));

	/* staged writes reply with the generation they will commit in */
	ASSERT_DO(nl, slice_new(nl, &mmtc));
	EXPECT_EQ(POPULATED_GEN + 1, sg_get(&nl->reply, SLICEGUARD_A_SLICE_GENERATION, 0));
	ASSERT_DO(nl, sg_key_msg(nl, SLICEGUARD_CMD_RULE_DEL, SLICEGUARD_A_RULE_ID, 5));
	ASSERT_DO(nl, uplink_new(nl, &u));
	EXPECT_EQ(POPULATED_GEN + 1, sg_get(&nl->reply, SLICEGUARD_A_UPLINK_GENERATION, 0));

	/* the owner reads its staged copy ... */
	ASSERT_DO(nl, sg_key_msg(nl, SLICEGUARD_CMD_SLICE_GET, SLICEGUARD_A_SLICE_ID, 7));
	EXPECT_EQ(-ENOENT, sg_do(nl, sg_key_msg(nl, SLICEGUARD_CMD_RULE_GET,
						SLICEGUARD_A_RULE_ID, 5)));
	ASSERT_EQ(0, sg_dump(nl, SLICEGUARD_CMD_SLICE_GET));
	EXPECT_EQ(5, nl->dump.n);
	EXPECT_EQ(5, policy_attr(nl, SLICEGUARD_A_POLICY_N_SLICES));
	EXPECT_EQ(2, policy_attr(nl, SLICEGUARD_A_POLICY_N_RULES));
	EXPECT_EQ(4, policy_attr(other, SLICEGUARD_A_POLICY_N_SLICES));
	/* ... everyone else the committed policy, and nothing is announced */
	seen = sg_snapshot(other);
	EXPECT_STREQ(committed, seen);
	free(seen);
	EXPECT_NO_NTF(mon);

	/* other sockets cannot write or open a transaction of their own */
	snprintf(text, sizeof(text), "transaction open by port %u", nl->portid);
	EXPECT_REJECT(other, slice_new(other, &mmtc), EBUSY, text, 0);
	EXPECT_REJECT(other, sg_key_msg(other, SLICEGUARD_CMD_RULE_DEL, SLICEGUARD_A_RULE_ID, 3),
		      EBUSY, text, 0);
	EXPECT_REJECT(other, sg_msg(other, SLICEGUARD_CMD_POLICY_FLUSH, 0), EBUSY, text, 0);
	EXPECT_REJECT(other, sg_msg(other, SLICEGUARD_CMD_TX_BEGIN, 0), EBUSY, text, 0);
	EXPECT_REJECT(nl, sg_msg(nl, SLICEGUARD_CMD_TX_BEGIN, 0), EBUSY, text, 0);
	EXPECT_REJECT(other, sg_msg(other, SLICEGUARD_CMD_TX_COMMIT, 0), ENOENT,
		      "no transaction open", 0);
	EXPECT_REJECT(other, sg_msg(other, SLICEGUARD_CMD_TX_ABORT, 0), ENOENT,
		      "no transaction open", 0);

	ASSERT_DO(nl, sg_msg(nl, SLICEGUARD_CMD_TX_COMMIT, 0));
	EXPECT_EQ(POPULATED_GEN + 1, sg_get(&nl->reply, SLICEGUARD_A_POLICY_GENERATION, 0));
	EXPECT_EQ(POPULATED_GEN + 1, sg_generation(other));
	EXPECT_EQ(NULL, (sg_do(other, sg_msg(other, SLICEGUARD_CMD_POLICY_GET, 0)),
			 sg_attr(&other->reply, SLICEGUARD_A_POLICY_TX_PORTID)));
	ASSERT_DO(other, sg_key_msg(other, SLICEGUARD_CMD_SLICE_GET, SLICEGUARD_A_SLICE_ID, 7));
	EXPECT_STREQ(slice_text(&mmtc), reply_text(&other->reply, SLICEGUARD_CMD_SLICE_GET));
	EXPECT_EQ(POPULATED_GEN + 1, sg_get(&other->reply, SLICEGUARD_A_SLICE_GENERATION, 0));
	EXPECT_EQ(-ENOENT, sg_do(other, sg_key_msg(other, SLICEGUARD_CMD_RULE_GET,
						   SLICEGUARD_A_RULE_ID, 5)));

	/* three changes of one generation, then one commit-ntf */
	/* in the order the objects were first written */
	EXPECT_OBJ_NTF(mon, SLICEGUARD_CMD_SLICE_NTF, SLICEGUARD_CHANGE_NEW,
		       POPULATED_GEN + 1, slice_text(&mmtc));
	EXPECT_OBJ_NTF(mon, SLICEGUARD_CMD_RULE_NTF, SLICEGUARD_CHANGE_DEL,
		       POPULATED_GEN + 1, rule_text(&rule5));
	EXPECT_OBJ_NTF(mon, SLICEGUARD_CMD_UPLINK_NTF, SLICEGUARD_CHANGE_NEW,
		       POPULATED_GEN + 1, uplink_text(&u));
	EXPECT_COMMIT_NTF(mon, POPULATED_GEN + 1, 3, nl->portid);
	EXPECT_NO_NTF(mon);

	/* after the commit anyone may write again */
	ASSERT_DO(other, sg_key_msg(other, SLICEGUARD_CMD_SLICE_DEL, SLICEGUARD_A_SLICE_ID, 7));
	EXPECT_EQ(POPULATED_GEN + 2, sg_generation(nl));
	free(committed);
	sg_close(other);
}

TEST_F(policy, transaction_checks_integrity_only_at_commit)
{
	struct sg_nl *nl = self->nl, *mon = self->mon;
	struct sg_app cam = { .id = 12, .name = "camera", .slice = { 7 },
			      .ep = { { .prefix = "192.168.12.0/24" } } };
	struct sg_slice mmtc = { .id = 7, .name = "mmtc", .sst = 3 };
	struct want_ntf want[] = {
		{ SLICEGUARD_CMD_APP_NTF, SLICEGUARD_CHANGE_NEW, app_text(&cam) },
		{ SLICEGUARD_CMD_SLICE_NTF, SLICEGUARD_CHANGE_NEW, slice_text(&mmtc) },
	};

	/* an app may be staged before its slice */
	ASSERT_DO(nl, sg_msg(nl, SLICEGUARD_CMD_TX_BEGIN, 0));
	ASSERT_DO(nl, app_new(nl, &cam));
	ASSERT_DO(nl, slice_new(nl, &mmtc));
	ASSERT_DO(nl, sg_msg(nl, SLICEGUARD_CMD_TX_COMMIT, 0));
	EXPECT_EQ(POPULATED_GEN + 1, sg_generation(nl));
	EXPECT_EQ(3, policy_attr(nl, SLICEGUARD_A_POLICY_N_APPS));
	EXPECT_NTF_SET(mon, want, POPULATED_GEN + 1);
	EXPECT_COMMIT_NTF(mon, POPULATED_GEN + 1, 2, nl->portid);

	/* a slice may go while an app uses it, if the app goes too */
	ASSERT_DO(nl, sg_msg(nl, SLICEGUARD_CMD_TX_BEGIN, 0));
	ASSERT_DO(nl, sg_key_msg(nl, SLICEGUARD_CMD_SLICE_DEL, SLICEGUARD_A_SLICE_ID, 7));
	ASSERT_DO(nl, sg_key_msg(nl, SLICEGUARD_CMD_APP_DEL, SLICEGUARD_A_APP_ID, 12));
	ASSERT_DO(nl, sg_msg(nl, SLICEGUARD_CMD_TX_COMMIT, 0));
	EXPECT_EQ(POPULATED_GEN + 2, sg_generation(nl));
	EXPECT_OBJ_NTF(mon, SLICEGUARD_CMD_SLICE_NTF, SLICEGUARD_CHANGE_DEL,
		       POPULATED_GEN + 2, slice_text(&mmtc));
	EXPECT_OBJ_NTF(mon, SLICEGUARD_CMD_APP_NTF, SLICEGUARD_CHANGE_DEL,
		       POPULATED_GEN + 2, app_text(&cam));
	EXPECT_COMMIT_NTF(mon, POPULATED_GEN + 2, 2, nl->portid);
}

TEST_F(policy, transaction_announces_net_changes_only)
{
	struct sg_nl *nl = self->nl, *mon = self->mon;
	struct sg_slice mmtc = { .id = 7, .name = "mmtc", .sst = 3 };
	struct sg_slice embb2 = embb;
	struct sg_uplink u = { .ifname = "n9" };

	embb2.mark = 9;
	ASSERT_DO(nl, sg_msg(nl, SLICEGUARD_CMD_TX_BEGIN, 0));
	/* created and deleted again: nothing to announce */
	ASSERT_DO(nl, slice_new(nl, &mmtc));
	ASSERT_DO(nl, sg_key_msg(nl, SLICEGUARD_CMD_SLICE_DEL, SLICEGUARD_A_SLICE_ID, 7));
	/* deleted and created again: a set */
	ASSERT_DO(nl, sg_key_msg(nl, SLICEGUARD_CMD_SLICE_DEL, SLICEGUARD_A_SLICE_ID, embb.id));
	ASSERT_DO(nl, slice_new(nl, &embb2));
	/* written twice: one announcement of the final state */
	ASSERT_DO(nl, uplink_new(nl, &u));
	u.mode = SLICEGUARD_UPLINK_MODE_GTPU;
	ASSERT_DO(nl, sg_uplink_msg(nl, SLICEGUARD_CMD_UPLINK_SET, 0, &u));
	ASSERT_DO(nl, sg_msg(nl, SLICEGUARD_CMD_TX_COMMIT, 0));
	EXPECT_OBJ_NTF(mon, SLICEGUARD_CMD_SLICE_NTF, SLICEGUARD_CHANGE_SET,
		       POPULATED_GEN + 1, slice_text(&embb2));
	EXPECT_OBJ_NTF(mon, SLICEGUARD_CMD_UPLINK_NTF, SLICEGUARD_CHANGE_NEW,
		       POPULATED_GEN + 1, uplink_text(&u));
	EXPECT_COMMIT_NTF(mon, POPULATED_GEN + 1, 2, nl->portid);
	EXPECT_NO_NTF(mon);

	/* an empty commit and an empty flush are generations too */
	ASSERT_DO(nl, sg_msg(nl, SLICEGUARD_CMD_TX_BEGIN, 0));
	ASSERT_DO(nl, sg_msg(nl, SLICEGUARD_CMD_TX_COMMIT, 0));
	EXPECT_EQ(POPULATED_GEN + 2, sg_get(&nl->reply, SLICEGUARD_A_POLICY_GENERATION, 0));
	EXPECT_COMMIT_NTF(mon, POPULATED_GEN + 2, 0, nl->portid);
	ASSERT_DO(nl, sg_msg(nl, SLICEGUARD_CMD_POLICY_FLUSH, 0));
	EXPECT_EQ(POPULATED_GEN + 3, sg_generation(nl));
	ASSERT_DO(nl, sg_msg(nl, SLICEGUARD_CMD_POLICY_FLUSH, 0));
	EXPECT_EQ(POPULATED_GEN + 4, sg_generation(nl));
}

TEST_F(policy, failed_commit_applies_nothing)
{
	struct sg_nl *nl = self->nl, *mon = self->mon;
	struct sg_app cam = { .id = 12, .name = "camera", .slice = { 9 },
			      .ep = { { .prefix = "192.168.12.0/24" } } };
	struct sg_slice mmtc = { .id = 7, .name = "mmtc", .sst = 3 };
	char *before = sg_snapshot(nl), *after;
	struct rule_offs ro;
	struct nl_msg *m;

	ASSERT_DO(nl, sg_msg(nl, SLICEGUARD_CMD_TX_BEGIN, 0));
	ASSERT_DO(nl, slice_new(nl, &mmtc));
	ASSERT_DO(nl, app_new(nl, &cam));	/* slice 9 never comes */
	EXPECT_EQ(-ENOENT, sg_do(nl, sg_msg(nl, SLICEGUARD_CMD_TX_COMMIT, 0)));
	EXPECT_STREQ("slice 9 not found", nl->ext.msg);
	EXPECT_EQ(0, nl->ext.offs);
	/* the transaction is gone and nothing changed */
	EXPECT_EQ(-ENOENT, sg_do(nl, sg_msg(nl, SLICEGUARD_CMD_TX_ABORT, 0)));
	EXPECT_STREQ("no transaction open", nl->ext.msg);
	after = sg_snapshot(nl);
	EXPECT_STREQ(before, after);
	free(after);

	ASSERT_DO(nl, sg_msg(nl, SLICEGUARD_CMD_TX_BEGIN, 0));
	/* deleting a used slice is only an error once committed, too */
	ASSERT_DO(nl, sg_key_msg(nl, SLICEGUARD_CMD_SLICE_DEL, SLICEGUARD_A_SLICE_ID, 2));
	ASSERT_DO(nl, slice_new(nl, &mmtc));
	EXPECT_EQ(-EBUSY, sg_do(nl, sg_msg(nl, SLICEGUARD_CMD_TX_COMMIT, 0)));
	EXPECT_STREQ("slice iot used by app telemetry", nl->ext.msg);
	after = sg_snapshot(nl);
	EXPECT_STREQ(before, after);
	free(after);

	/* classifier clashes between slices wait for the commit as well */
	ASSERT_DO(nl, sg_msg(nl, SLICEGUARD_CMD_TX_BEGIN, 0));
	m = mmtc_msg(nl);
	sg_put_u16(m, SLICEGUARD_A_SLICE_VLAN, 300);
	ASSERT_DO(nl, m);
	EXPECT_EQ(-EEXIST, sg_do(nl, sg_msg(nl, SLICEGUARD_CMD_TX_COMMIT, 0)));
	EXPECT_TRUE(!strcmp(nl->ext.msg, "vlan 300 used by slice iot") ||
		    !strcmp(nl->ext.msg, "vlan 300 used by slice mmtc")) {
		TH_LOG("extack \"%s\"", nl->ext.msg);
	}
	EXPECT_EQ(0, nl->ext.offs);

	/* and UE pools against app endpoints */
	ASSERT_DO(nl, sg_msg(nl, SLICEGUARD_CMD_TX_BEGIN, 0));
	m = mmtc_msg(nl);
	sg_put_prefix(m, SLICEGUARD_A_SLICE_UE_PREFIX, "192.168.12.0/24");
	ASSERT_DO(nl, m);
	cam.slice[0] = 1;
	ASSERT_DO(nl, app_new(nl, &cam));
	EXPECT_EQ(-EEXIST, sg_do(nl, sg_msg(nl, SLICEGUARD_CMD_TX_COMMIT, 0)));
	EXPECT_TRUE(!strcmp(nl->ext.msg, "ue-prefix overlaps app camera") ||
		    !strcmp(nl->ext.msg, "endpoint overlaps slice mmtc")) {
		TH_LOG("extack \"%s\"", nl->ext.msg);
	}
	EXPECT_EQ(0, nl->ext.offs);

	/* and so does "an app opens flows only toward slices it serves" */
	ASSERT_DO(nl, sg_msg(nl, SLICEGUARD_CMD_TX_BEGIN, 0));
	ASSERT_DO(nl, rule_msg(nl, SLICEGUARD_PEER_APP, 10, SLICEGUARD_PEER_SLICE, 1, &ro));
	EXPECT_EQ(-EINVAL, sg_do(nl, sg_msg(nl, SLICEGUARD_CMD_TX_COMMIT, 0)));
	EXPECT_STREQ("app telemetry does not serve slice embb", nl->ext.msg);
	EXPECT_EQ(0, nl->ext.offs);
	after = sg_snapshot(nl);
	EXPECT_STREQ(before, after);
	free(after);
	EXPECT_NO_NTF(mon);
	free(before);
}

TEST_F(policy, abort_and_abandon_drop_the_staged_copy)
{
	struct sg_nl *nl = self->nl, *owner, *mon = self->mon;
	struct sg_slice mmtc = { .id = 7, .name = "mmtc", .sst = 3 };
	char *before = sg_snapshot(nl), *after;

	ASSERT_DO(nl, sg_msg(nl, SLICEGUARD_CMD_TX_BEGIN, 0));
	ASSERT_DO(nl, slice_new(nl, &mmtc));
	ASSERT_DO(nl, sg_msg(nl, SLICEGUARD_CMD_POLICY_FLUSH, 0));
	ASSERT_DO(nl, sg_msg(nl, SLICEGUARD_CMD_TX_ABORT, 0));
	after = sg_snapshot(nl);
	EXPECT_STREQ(before, after);
	free(after);

	/* a socket closed with its transaction open aborts it */
	owner = sg_open();
	ASSERT_NE(NULL, owner);
	ASSERT_DO(owner, sg_msg(owner, SLICEGUARD_CMD_TX_BEGIN, 0));
	ASSERT_DO(owner, slice_new(owner, &mmtc));
	ASSERT_DO(owner, sg_key_msg(owner, SLICEGUARD_CMD_RULE_DEL, SLICEGUARD_A_RULE_ID, 3));
	EXPECT_EQ(-EBUSY, sg_do(nl, sg_msg(nl, SLICEGUARD_CMD_TX_BEGIN, 0)));
	sg_close(owner);
	EXPECT_EQ(NULL, (sg_do(nl, sg_msg(nl, SLICEGUARD_CMD_POLICY_GET, 0)),
			 sg_attr(&nl->reply, SLICEGUARD_A_POLICY_TX_PORTID)));
	after = sg_snapshot(nl);
	EXPECT_STREQ(before, after);
	free(after);
	/* and a new transaction can begin */
	ASSERT_DO(nl, sg_msg(nl, SLICEGUARD_CMD_TX_BEGIN, 0));
	ASSERT_DO(nl, sg_msg(nl, SLICEGUARD_CMD_TX_ABORT, 0));
	EXPECT_EQ(POPULATED_GEN, sg_generation(nl));
	EXPECT_NO_NTF(mon);
	free(before);
}

/*
 * A transaction belongs to the socket, not to its port id: a new socket
 * bound to the port id of one that closed with a transaction open owns
 * nothing (the id is free before the old socket's release is done).
 */
TEST_F(policy, a_reused_port_id_owns_no_transaction)
{
	struct sg_nl *nl = self->nl, *owner, *heir;
	struct sg_slice mmtc = { .id = 7, .name = "mmtc", .sst = 3 };
	char *before = sg_snapshot(nl), *after;
	uint32_t port;

	owner = sg_open();
	ASSERT_NE(NULL, owner);
	port = owner->portid;
	ASSERT_DO(owner, sg_msg(owner, SLICEGUARD_CMD_TX_BEGIN, 0));
	ASSERT_DO(owner, slice_new(owner, &mmtc));
	sg_close(owner);
	heir = sg_open_at_port(port);
	ASSERT_NE(NULL, heir) TH_LOG("bind to port %u: %s", port, strerror(errno));
	ASSERT_EQ(port, heir->portid);
	EXPECT_EQ(-ENOENT, sg_do(heir, sg_msg(heir, SLICEGUARD_CMD_TX_COMMIT, 0)));
	EXPECT_STREQ("no transaction open", heir->ext.msg);
	after = sg_snapshot(nl);
	EXPECT_STREQ(before, after);
	free(after);
	/* positive control: its own transaction is its own */
	ASSERT_DO(heir, sg_msg(heir, SLICEGUARD_CMD_TX_BEGIN, 0));
	ASSERT_DO(heir, sg_msg(heir, SLICEGUARD_CMD_TX_COMMIT, 0));
	sg_close(heir);
	free(before);
}

/*
 * A stopped owner cannot block every writer forever: a transaction idle
 * for tx_idle_ms is aborted when another writer needs the store. Positive
 * control: within the idle time the writer is refused.
 */
TEST_F(policy, an_idle_transaction_gives_way)
{
	struct sg_nl *nl = self->nl, *owner;
	struct sg_slice mmtc = { .id = 7, .name = "mmtc", .sst = 3 };
	struct sg_slice v2x2 = { .id = 8, .name = "v2x2", .sst = 4 };
	long idle = sg_param_read("tx_idle_ms");

	ASSERT_LT(0, idle);
	ASSERT_EQ(0, sg_param_write("tx_idle_ms", 400));
	owner = sg_open();
	ASSERT_NE(NULL, owner);
	ASSERT_DO(owner, sg_msg(owner, SLICEGUARD_CMD_TX_BEGIN, 0));
	ASSERT_DO(owner, slice_new(owner, &mmtc));
	EXPECT_EQ(-EBUSY, sg_do(nl, slice_new(nl, &v2x2)));
	usleep(250000);
	/* the owner's write keeps it alive */
	ASSERT_DO(owner, sg_key_msg(owner, SLICEGUARD_CMD_RULE_DEL, SLICEGUARD_A_RULE_ID, 3));
	usleep(250000);
	EXPECT_EQ(-EBUSY, sg_do(nl, slice_new(nl, &v2x2)));
	usleep(500000);
	ASSERT_DO(nl, slice_new(nl, &v2x2));
	EXPECT_EQ(-ENOENT, sg_do(owner, sg_msg(owner, SLICEGUARD_CMD_TX_COMMIT, 0)));
	EXPECT_EQ(-ENOENT, sg_do(nl, sg_key_msg(nl, SLICEGUARD_CMD_SLICE_GET,
						SLICEGUARD_A_SLICE_ID, 7)));
	ASSERT_DO(nl, sg_key_msg(nl, SLICEGUARD_CMD_RULE_GET, SLICEGUARD_A_RULE_ID, 3));
	sg_close(owner);
	EXPECT_EQ(0, sg_param_write("tx_idle_ms", idle));
}

/* Allocation failures ------------------------------------------------------ */

static const struct sg_slice big_mmtc = {
	.id = 7, .name = "mmtc", .sst = 3,
	.ue_prefix = { "10.70.0.0/24", "10.70.1.0/24", "10.70.2.0/24", "2001:db8:70::/48" },
	.vlan = { 700, 701 }, .rate_bytes = 1000,
};

static const struct sg_uplink n9 = { .ifname = "n9", .mode = SLICEGUARD_UPLINK_MODE_GTPU };

static int op_slice_new(struct sg_nl *nl)
{
	return sg_do(nl, slice_new(nl, &big_mmtc));
}

static void undo_slice_new(struct sg_nl *nl)
{
	sg_do(nl, sg_key_msg(nl, SLICEGUARD_CMD_SLICE_DEL, SLICEGUARD_A_SLICE_ID, 7));
}

static int op_tx(struct sg_nl *nl)
{
	int err = sg_do(nl, sg_msg(nl, SLICEGUARD_CMD_TX_BEGIN, 0));

	if (!err)
		err = sg_do(nl, slice_new(nl, &big_mmtc));
	if (!err)
		err = sg_do(nl, sg_key_msg(nl, SLICEGUARD_CMD_RULE_DEL, SLICEGUARD_A_RULE_ID, 3));
	if (!err)
		err = sg_do(nl, uplink_new(nl, &n9));
	if (!err)
		err = sg_do(nl, sg_msg(nl, SLICEGUARD_CMD_TX_COMMIT, 0));
	if (err)
		sg_do(nl, sg_msg(nl, SLICEGUARD_CMD_TX_ABORT, 0));
	return err;
}

static void undo_tx(struct sg_nl *nl)
{
	undo_slice_new(nl);
	sg_do(nl, rule_new(nl, &rule3));
	sg_do(nl, sg_name_msg(nl, SLICEGUARD_CMD_UPLINK_DEL, SLICEGUARD_A_UPLINK_IFNAME, "n9"));
}

static int op_flush(struct sg_nl *nl)
{
	return sg_do(nl, sg_msg(nl, SLICEGUARD_CMD_POLICY_FLUSH, 0));
}

/*
 * Each allocation of an op made to fail in turn (the module's fail_nth, as
 * Debian's kernel has no failslab): the op fails with ENOMEM and changes
 * nothing, neither the store nor its generation, and tells listeners
 * nothing; or the allocation was a notification's, the op succeeds and
 * listeners are told to resync. Once N passes the op's allocations, the op
 * succeeds untouched: the positive control. Issue 13 found tx-begin,
 * tx-commit and policy-flush changing the store and then failing to
 * allocate their reply.
 */
TEST_F(policy, every_failed_allocation_changes_nothing)
{
	static const struct {
		const char *name;
		int (*op)(struct sg_nl *nl);
		void (*undo)(struct sg_nl *nl);
	} ops[] = {
		{ "slice-new", op_slice_new, undo_slice_new },
		{ "a transaction", op_tx, undo_tx },
		{ "policy-flush", op_flush, NULL },	/* last: not undone */
	};
	struct sg_nl *nl = self->nl, *mon = self->mon;
	unsigned int i;
	int n, err;

	if (sg_fail_nth_set(0))
		SKIP(return, "no sliceguard/fail_nth in debugfs");
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		bool done = false;

		for (n = 1; n <= 200 && !done; n++) {
			char *before = sg_snapshot(nl), *after;
			uint64_t gen = sg_generation(nl);
			long left;

			ASSERT_EQ(0, sg_fail_nth_set(n));
			err = ops[i].op(nl);
			left = sg_fail_nth_left();
			ASSERT_EQ(0, sg_fail_nth_set(0));
			after = sg_snapshot(nl);
			if (err) {
				EXPECT_EQ(-ENOMEM, err) TH_LOG("%s, allocation %d", ops[i].name, n);
				EXPECT_STREQ(before, after) TH_LOG("%s, allocation %d", ops[i].name, n);
				EXPECT_EQ(gen, sg_generation(nl));
				EXPECT_NO_NTF(mon);
			} else {
				/* done: the op ran out of allocations before the n-th */
				done = left > 0;
				EXPECT_STRNE(before, after) TH_LOG("%s changed nothing", ops[i].name);
				EXPECT_EQ(gen + 1, sg_generation(nl));
				drain(mon);
				if (ops[i].undo)
					ops[i].undo(nl);
				drain(mon);
			}
			free(before);
			free(after);
		}
		EXPECT_TRUE(done) TH_LOG("%s: more than 200 allocations", ops[i].name);
		TH_LOG("%s: %d allocations, each failed once", ops[i].name, n - 2);
	}
}

/* Namespaces and permissions ---------------------------------------------- */

TEST_F(policy, other_netns_sees_nothing_and_is_independent)
{
	struct sg_nl *a = self->nl, *mon_a = self->mon, *b, *mon_b;
	char *a_before = sg_snapshot(a), *a_after;
	int ns_a = open("/proc/self/ns/net", O_RDONLY);

	ASSERT_LE(0, ns_a);
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	b = sg_open();
	ASSERT_NE(NULL, b);
	mon_b = sg_open();
	ASSERT_NE(NULL, mon_b);
	ASSERT_EQ(0, sg_join_config(mon_b));

	EXPECT_EQ(0, sg_generation(b));
	for (uint8_t cmd = SLICEGUARD_CMD_SLICE_GET; cmd <= SLICEGUARD_CMD_UPLINK_GET; cmd += 4) {
		EXPECT_EQ(0, sg_dump(b, cmd));
		EXPECT_EQ(0, b->dump.n);
	}
	EXPECT_EQ(-ENOENT, sg_do(b, sg_key_msg(b, SLICEGUARD_CMD_SLICE_GET,
					       SLICEGUARD_A_SLICE_ID, 1)));
	EXPECT_EQ(-ENOENT, sg_do(b, sg_name_msg(b, SLICEGUARD_CMD_UPLINK_GET,
						SLICEGUARD_A_UPLINK_IFNAME, "n6")));

	/* the same keys, names and classifiers are free in B */
	ASSERT_DO(b, slice_new(b, &embb));
	EXPECT_EQ(1, sg_get(&b->reply, SLICEGUARD_A_SLICE_GENERATION, 0));
	ASSERT_DO(b, slice_new(b, &iot));
	ASSERT_DO(b, app_new(b, &telemetry));
	/* B's transaction does not block A */
	ASSERT_DO(b, sg_msg(b, SLICEGUARD_CMD_TX_BEGIN, 0));
	EXPECT_OBJ_NTF(mon_b, SLICEGUARD_CMD_SLICE_NTF, SLICEGUARD_CHANGE_NEW, 1, slice_text(&embb));
	EXPECT_COMMIT_NTF(mon_b, 1, 1, b->portid);

	a_after = sg_snapshot(a);
	EXPECT_STREQ(a_before, a_after);
	free(a_after);
	EXPECT_NO_NTF(mon_a);
	ASSERT_DO(a, sg_key_msg(a, SLICEGUARD_CMD_RULE_DEL, SLICEGUARD_A_RULE_ID, 5));
	EXPECT_EQ(POPULATED_GEN + 1, sg_generation(a));
	EXPECT_EQ(3, sg_generation(b));
	ASSERT_DO(b, sg_msg(b, SLICEGUARD_CMD_TX_ABORT, 0));

	/* a socket keeps the netns it was opened in */
	ASSERT_EQ(0, setns(ns_a, CLONE_NEWNET));
	EXPECT_EQ(3, sg_generation(b));
	EXPECT_EQ(POPULATED_GEN + 1, sg_generation(a));
	close(ns_a);
	sg_close(mon_b);
	sg_close(b);
	free(a_before);
}

static int drop_cap_net_admin(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[CAP_NET_ADMIN / 32].effective &= ~(1u << (CAP_NET_ADMIN % 32));
	d[CAP_NET_ADMIN / 32].permitted &= ~(1u << (CAP_NET_ADMIN % 32));
	d[CAP_NET_ADMIN / 32].inheritable &= ~(1u << (CAP_NET_ADMIN % 32));
	return syscall(SYS_capset, &h, d);
}

/* Child side: every op must be refused; returns the number of surprises. */
static int expect_eperm_everywhere(struct sg_nl *nl)
{
	static const struct sg_slice s = { .id = 7, .name = "mmtc", .sst = 3 };
	static const uint8_t dumps[] = { SLICEGUARD_CMD_SLICE_GET, SLICEGUARD_CMD_APP_GET,
					 SLICEGUARD_CMD_RULE_GET, SLICEGUARD_CMD_UPLINK_GET };
	struct {
		const char *what;
		struct nl_msg *m;
	} ops[] = {
		{ "slice-get", sg_key_msg(nl, SLICEGUARD_CMD_SLICE_GET, SLICEGUARD_A_SLICE_ID, 1) },
		{ "slice-new", slice_new(nl, &s) },
		{ "slice-del", sg_key_msg(nl, SLICEGUARD_CMD_SLICE_DEL, SLICEGUARD_A_SLICE_ID, 3) },
		{ "app-get", sg_key_msg(nl, SLICEGUARD_CMD_APP_GET, SLICEGUARD_A_APP_ID, 10) },
		{ "rule-del", sg_key_msg(nl, SLICEGUARD_CMD_RULE_DEL, SLICEGUARD_A_RULE_ID, 5) },
		{ "uplink-get", sg_name_msg(nl, SLICEGUARD_CMD_UPLINK_GET, SLICEGUARD_A_UPLINK_IFNAME, "n6") },
		{ "tx-begin", sg_msg(nl, SLICEGUARD_CMD_TX_BEGIN, 0) },
		{ "policy-get", sg_msg(nl, SLICEGUARD_CMD_POLICY_GET, 0) },
		{ "policy-flush", sg_msg(nl, SLICEGUARD_CMD_POLICY_FLUSH, 0) },
	};
	int bad = 0, r;

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		r = sg_do(nl, ops[i].m);
		if (r != -EPERM) {
			fprintf(stderr, "# %s without CAP_NET_ADMIN: %d, want %d\n",
				ops[i].what, r, -EPERM);
			bad++;
		}
	}
	for (size_t i = 0; i < sizeof(dumps); i++) {
		r = sg_dump(nl, dumps[i]);
		if (r != -EPERM || nl->dump.n) {
			fprintf(stderr, "# dump %u without CAP_NET_ADMIN: %d, %d objects\n",
				dumps[i], r, nl->dump.n);
			bad++;
		}
	}
	r = sg_join_config(nl);
	if (r != -EPERM) {
		fprintf(stderr, "# joining config without CAP_NET_ADMIN: %d\n", r);
		bad++;
	}
	return bad;
}

static int wait_child(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST_F(policy, without_cap_net_admin_everything_is_eperm)
{
	char *before = sg_snapshot(self->nl), *after;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (!pid) {
		struct sg_nl *nl;

		if (drop_cap_net_admin())
			_exit(100);
		nl = sg_open();	/* resolving the family needs no privilege */
		if (!nl)
			_exit(101);
		_exit(expect_eperm_everywhere(nl));
	}
	EXPECT_EQ(0, wait_child(pid));
	after = sg_snapshot(self->nl);
	EXPECT_STREQ(before, after);
	free(before);
	free(after);
}

static int write_at(int dir, const char *path, const char *text)
{
	int fd = openat(dir, path, O_WRONLY), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	close(fd);
	return ok ? 0 : -1;
}

/* What only CAP_NET_ADMIN over the current netns allows. */
static int set_lo_up(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r = -1;

	if (fd < 0)
		return -1;
	if (!ioctl(fd, SIOCGIFFLAGS, &ifr)) {
		ifr.ifr_flags |= IFF_UP;
		r = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return r;
}

/*
 * An unprivileged user owns a user namespace and a netns in it: it has
 * CAP_NET_ADMIN there, but the store needs it in the initial user
 * namespace (admin-perm), so every op, reads included, is refused in its
 * own netns as in the netns it came from.
 */
static int userns_child(void)
{
	static const struct sg_slice s = { .id = 1, .name = "embb", .sst = 1 };
	struct sg_nl *outer, *own;
	int r;

	int proc_self = open("/proc/self", O_DIRECTORY | O_RDONLY);
	struct stat here, init_root;

	/*
	 * CLONE_NEWUSER is refused inside a chroot, and the test VM runs the
	 * tests chrooted into the host's /: this child steps out to init's
	 * root, the root of the mount namespace, while it is still root.
	 * Init's root need not have /proc: keep ours open.
	 */
	if (proc_self < 0)
		return 108;
	if (!stat("/", &here) && !stat("/proc/1/root/", &init_root) &&
	    (here.st_dev != init_root.st_dev || here.st_ino != init_root.st_ino) &&
	    (chroot("/proc/1/root") || chdir("/")))
		return 109;
	if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
	    setresuid(65534, 65534, 65534))
		return 110;
	prctl(PR_SET_DUMPABLE, 1);
	outer = sg_open();
	if (!outer)
		return 111;
	r = sg_do(outer, sg_msg(outer, SLICEGUARD_CMD_POLICY_GET, 0));
	if (r != -EPERM) {
		fprintf(stderr, "# nobody in the test netns: policy-get %d\n", r);
		return 112;
	}
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET)) {
		fprintf(stderr, "# unshare user+net as nobody: %s\n", strerror(errno));
		return 113;
	}
	/* gaining capabilities in the new namespace made us undumpable */
	prctl(PR_SET_DUMPABLE, 1);
	if (write_at(proc_self, "setgroups", "deny") ||
	    write_at(proc_self, "uid_map", "0 65534 1") ||
	    write_at(proc_self, "gid_map", "0 65534 1")) {
		fprintf(stderr, "# id maps of the new user namespace: %s\n", strerror(errno));
		return 114;
	}
	/* Positive control: it does have CAP_NET_ADMIN over its own netns. */
	if (set_lo_up()) {
		fprintf(stderr, "# owner setting lo up in its own netns: %s\n", strerror(errno));
		return 120;
	}
	own = sg_open();
	if (!own)
		return 115;
	r = sg_do(own, sg_msg(own, SLICEGUARD_CMD_POLICY_GET, 0));
	if (r != -EPERM) {
		fprintf(stderr, "# owner policy-get in its own netns: %d\n", r);
		return 116;
	}
	r = sg_do(own, slice_new(own, &s));
	if (r != -EPERM) {
		fprintf(stderr, "# owner slice-new in its own netns: %d \"%s\"\n", r, own->ext.msg);
		return 117;
	}
	r = sg_do(own, sg_msg(own, SLICEGUARD_CMD_TX_BEGIN, 0));
	if (r != -EPERM) {
		fprintf(stderr, "# owner tx-begin in its own netns: %d\n", r);
		return 118;
	}
	r = sg_dump(own, SLICEGUARD_CMD_SLICE_GET);
	if (r != -EPERM) {
		fprintf(stderr, "# owner slice dump in its own netns: %d\n", r);
		return 119;
	}
	r = sg_do(outer, sg_msg(outer, SLICEGUARD_CMD_POLICY_GET, 0));
	if (r != -EPERM) {
		fprintf(stderr, "# userns root on the outer netns: policy-get %d\n", r);
		return 121;
	}
	return 0;
}

TEST_F(policy, userns_owner_is_refused_even_in_its_own_netns)
{
	char *before = sg_snapshot(self->nl), *after, *log;
	int kmsg = sg_kmsg_open();
	long clone_ok = 1;
	FILE *f = fopen("/proc/sys/kernel/unprivileged_userns_clone", "r");
	pid_t pid;

	if (f) {
		if (fscanf(f, "%ld", &clone_ok) != 1)
			clone_ok = 1;
		fclose(f);
	}
	if (!clone_ok)
		SKIP(return, "kernel.unprivileged_userns_clone is 0");
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(userns_child());
	EXPECT_EQ(0, wait_child(pid));
	/* nothing was committed, so nothing was audited */
	ASSERT_LE(0, kmsg);
	usleep(100000);
	log = kmsg_lines(kmsg);
	close(kmsg);
	EXPECT_EQ(NULL, strstr(log, "sliceguard: commit")) {
		TH_LOG("kernel log:%s", log);
	}
	free(log);
	after = sg_snapshot(self->nl);
	EXPECT_STREQ(before, after);
	free(before);
	free(after);
}

/* Limits ------------------------------------------------------------------- */

TEST_F_TIMEOUT(store, per_netns_limits_are_enospc, 600)
{
	struct sg_nl *nl = self->nl;
	long max_s = policy_attr(nl, SLICEGUARD_A_POLICY_MAX_SLICES);
	long max_a = policy_attr(nl, SLICEGUARD_A_POLICY_MAX_APPS);
	long max_r = policy_attr(nl, SLICEGUARD_A_POLICY_MAX_RULES);
	long max_u = policy_attr(nl, SLICEGUARD_A_POLICY_MAX_UPLINKS);
	struct sg_slice s = { .sst = 1 };
	struct sg_app a = { .slice = { 1 } };
	struct sg_rule r = { .src_kind = SLICEGUARD_PEER_SLICE, .src_id = 1,
			     .dst_kind = SLICEGUARD_PEER_ANY, .proto = 17, .has_ports = true };
	struct sg_uplink u = {};
	long i;

	/* policy-get reports the module parameters */
	EXPECT_EQ(sg_param_read("max_slices"), max_s);
	EXPECT_EQ(sg_param_read("max_apps"), max_a);
	EXPECT_EQ(sg_param_read("max_rules"), max_r);
	EXPECT_EQ(sg_param_read("max_uplinks"), max_u);
	ASSERT_LT(0, max_s);
	ASSERT_GE(4095, max_s);
	ASSERT_GE(65535, max_a);
	ASSERT_GE(65535, max_r);

	for (i = 1; i <= max_s; i++) {
		s.id = i;
		snprintf(s.name, sizeof(s.name), "s%ld", i);
		ASSERT_DO(nl, slice_new(nl, &s));
	}
	s.id = max_s + 1;
	snprintf(s.name, sizeof(s.name), "s%u", s.id);
	__EXPECT_REJECT(nl, slice_new(nl, &s), ENOSPC, "slice limit reached", !__x.offs);
	/* replacing at the limit adds nothing; a new of a used key is no limit case */
	s.id = 1;
	strcpy(s.name, "s1");
	s.mark = 1;
	ASSERT_DO(nl, sg_slice_msg(nl, SLICEGUARD_CMD_SLICE_SET, 0, &s));
	EXPECT_REJECT(nl, slice_new(nl, &s), EEXIST, "slice 1 exists (s1)", FIRST_ATTR_OFFS);

	for (i = 1; i <= max_a; i++) {
		a.id = i;
		snprintf(a.name, sizeof(a.name), "a%ld", i);
		snprintf(a.ep[0].prefix, SG_CIDR_LEN, "10.%ld.%ld.%ld/32",
			 100 + i / 65536, i / 256 % 256, i % 256);
		ASSERT_DO(nl, app_new(nl, &a));
	}
	a.id = max_a + 1;
	snprintf(a.name, sizeof(a.name), "a%u", a.id);
	strcpy(a.ep[0].prefix, "192.168.0.1/32");
	__EXPECT_REJECT(nl, app_new(nl, &a), ENOSPC, "app limit reached", !__x.offs);

	for (i = 1; i <= max_r; i++) {
		r.port_first = r.port_last = i;
		ASSERT_DO(nl, rule_new(nl, &r));
	}
	r.port_first = r.port_last = max_r + 1;
	__EXPECT_REJECT(nl, rule_new(nl, &r), ENOSPC, "rule limit reached", !__x.offs);

	for (i = 1; i <= max_u; i++) {
		snprintf(u.ifname, sizeof(u.ifname), "up%d", (int)i);
		ASSERT_DO(nl, uplink_new(nl, &u));
	}
	snprintf(u.ifname, sizeof(u.ifname), "up%d", (int)max_u + 1);
	__EXPECT_REJECT(nl, uplink_new(nl, &u), ENOSPC, "uplink limit reached", !__x.offs);

	/* the limit holds inside a transaction too (checked at commit at the latest) */
	ASSERT_DO(nl, sg_msg(nl, SLICEGUARD_CMD_TX_BEGIN, 0));
	i = sg_do(nl, uplink_new(nl, &u));
	if (!i) {
		i = sg_do(nl, sg_msg(nl, SLICEGUARD_CMD_TX_COMMIT, 0));
		EXPECT_STREQ("uplink limit reached", nl->ext.msg);
	} else {
		EXPECT_STREQ("uplink limit reached", nl->ext.msg);
		ASSERT_DO(nl, sg_msg(nl, SLICEGUARD_CMD_TX_ABORT, 0));
	}
	EXPECT_EQ(-ENOSPC, i);
	EXPECT_EQ(max_u, policy_attr(nl, SLICEGUARD_A_POLICY_N_UPLINKS));

	/* flush frees the room */
	ASSERT_DO(nl, sg_msg(nl, SLICEGUARD_CMD_POLICY_FLUSH, 0));
	ASSERT_DO(nl, uplink_new(nl, &u));
}

TEST_F(store, limits_follow_writable_module_parameters)
{
	struct sg_nl *nl = self->nl;
	struct sg_slice s = { .sst = 1 };
	long old = sg_param_read("max_slices");

	ASSERT_LT(0, old);
	if (access("/sys/module/sliceguard/parameters/max_slices", W_OK))
		SKIP(return, "max_slices is read-only; limits_are_enospc covers the default");
	ASSERT_EQ(0, sg_param_write("max_slices", 2));
	EXPECT_EQ(2, policy_attr(nl, SLICEGUARD_A_POLICY_MAX_SLICES));
	for (int i = 1; i <= 3; i++) {
		s.id = i;
		snprintf(s.name, sizeof(s.name), "s%d", i);
		if (i < 3) {
			EXPECT_EQ(0, sg_do(nl, slice_new(nl, &s)));
		} else {
			__EXPECT_REJECT(nl, slice_new(nl, &s), ENOSPC, "slice limit reached", !__x.offs);
		}
	}
	/* below the current count: what exists stays and can be replaced */
	ASSERT_EQ(0, sg_param_write("max_slices", 1));
	EXPECT_EQ(2, policy_attr(nl, SLICEGUARD_A_POLICY_N_SLICES));
	s.id = 2;
	strcpy(s.name, "s2");
	s.mark = 5;
	EXPECT_EQ(0, sg_do(nl, sg_slice_msg(nl, SLICEGUARD_CMD_SLICE_SET, 0, &s)));
	s.id = 3;
	strcpy(s.name, "s3");
	EXPECT_REJECT(nl, slice_new(nl, &s), ENOSPC, "slice limit reached", 0);
	ASSERT_EQ(0, sg_param_write("max_slices", old));
	EXPECT_EQ(old, policy_attr(nl, SLICEGUARD_A_POLICY_MAX_SLICES));
	EXPECT_EQ(0, sg_do(nl, slice_new(nl, &s)));
}

/* Concurrent writers ------------------------------------------------------- */

#define RACE_THREADS	4
#define RACE_OPS	250

struct racer {
	struct sg_nl *nl;
	unsigned int seed;
	int ok;			/* successful writes */
	int unexpected;		/* errors other than EEXIST, ENOENT, EBUSY */
	int not_increasing;	/* a reply generation not above the last one seen */
	int n_gens;
	uint64_t gens[RACE_OPS];
	char first_error[320];
};

/*
 * Slices 1-6 fight over four VLANs, apps 1-3 over the slices, rules 1-8
 * over the apps; adds and deletes of the same keys from every thread.
 */
static void *race(void *arg)
{
	struct racer *rc = arg;
	struct sg_nl *nl = rc->nl;
	uint64_t last = 0;

	for (int i = 0; i < RACE_OPS; i++) {
		unsigned int r = rand_r(&rc->seed);
		unsigned int id = 1 + (r >> 8) % 6;
		struct nl_msg *m;
		int gen_attr = 0, err;

		switch (r % 6) {
		case 0: {
			struct sg_slice s = { .id = id, .sst = 1 };

			snprintf(s.name, sizeof(s.name), "s%u", id);
			s.vlan[0] = 100 + (r >> 16) % 4;
			m = slice_new(nl, &s);
			gen_attr = SLICEGUARD_A_SLICE_GENERATION;
			break;
		}
		case 1:
			m = sg_key_msg(nl, SLICEGUARD_CMD_SLICE_DEL, SLICEGUARD_A_SLICE_ID, id);
			break;
		case 2: {
			struct sg_app a = { .id = 1 + id % 3 };

			snprintf(a.name, sizeof(a.name), "a%u", a.id);
			a.slice[0] = 1 + (r >> 16) % 6;
			snprintf(a.ep[0].prefix, SG_CIDR_LEN, "10.77.%u.0/24", a.id);
			m = sg_app_msg(nl, SLICEGUARD_CMD_APP_NEW, 0, &a);
			gen_attr = SLICEGUARD_A_APP_GENERATION;
			break;
		}
		case 3:
			m = sg_key_msg(nl, SLICEGUARD_CMD_APP_DEL, SLICEGUARD_A_APP_ID, 1 + id % 3);
			break;
		case 4: {
			struct sg_rule rl = { .id = 1 + (r >> 16) % 8,
					      .src_kind = SLICEGUARD_PEER_APP,
					      .src_id = 1 + id % 3,
					      .dst_kind = SLICEGUARD_PEER_ANY, .proto = 6,
					      .has_ports = true };

			rl.port_first = rl.port_last = 1 + (r >> 20) % 3;
			m = rule_new(nl, &rl);
			gen_attr = SLICEGUARD_A_RULE_GENERATION;
			break;
		}
		default:
			m = sg_key_msg(nl, SLICEGUARD_CMD_RULE_DEL, SLICEGUARD_A_RULE_ID,
				       1 + (r >> 16) % 8);
			break;
		}
		err = sg_do(nl, m);
		if (!err) {
			rc->ok++;
			if (gen_attr) {
				uint64_t g = sg_get(&nl->reply, gen_attr, 0);

				if (g <= last)
					rc->not_increasing++;
				last = g;
				rc->gens[rc->n_gens++] = g;
			}
		} else if (err != -EEXIST && err != -ENOENT && err != -EBUSY) {
			if (!rc->unexpected++)
				snprintf(rc->first_error, sizeof(rc->first_error),
					 "op %u: %s \"%s\"", r % 6, strerror(-err), nl->ext.msg);
		}
	}
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

TEST_F_TIMEOUT(store, racing_writers_leave_a_consistent_store, 600)
{
	struct racer rc[RACE_THREADS] = {};
	pthread_t th[RACE_THREADS];
	struct sg_nl *nl = self->nl;
	uint64_t all[RACE_THREADS * RACE_OPS];
	int n_all = 0, total_ok = 0, n_objects = 0;
	struct sg_slice slices[8];
	struct sg_app apps[4];
	int ns = 0, na = 0, i, j;
	long elsewhere;

	ASSERT_EQ(0, policy_attr(nl, SLICEGUARD_A_POLICY_N_SLICES));
	elsewhere = live_objects_elsewhere();
	for (i = 0; i < RACE_THREADS; i++) {
		rc[i].nl = sg_open();
		ASSERT_NE(NULL, rc[i].nl);
		rc[i].seed = 0x5eed + i * 7919;
	}
	for (i = 0; i < RACE_THREADS; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, race, &rc[i]));
	for (i = 0; i < RACE_THREADS; i++)
		ASSERT_EQ(0, pthread_join(th[i], NULL));

	for (i = 0; i < RACE_THREADS; i++) {
		EXPECT_EQ(0, rc[i].unexpected) TH_LOG("thread %d: %s", i, rc[i].first_error);
		EXPECT_EQ(0, rc[i].not_increasing);
		total_ok += rc[i].ok;
		memcpy(&all[n_all], rc[i].gens, rc[i].n_gens * sizeof(all[0]));
		n_all += rc[i].n_gens;
		sg_close(rc[i].nl);
	}
	TH_LOG("%d successful writes", total_ok);
	EXPECT_LT(20, total_ok);
	/* every successful write was its own generation */
	EXPECT_EQ((uint64_t)total_ok, sg_generation(nl));
	qsort(all, n_all, sizeof(all[0]), cmp_u64);
	for (i = 1; i < n_all; i++)
		EXPECT_NE(all[i - 1], all[i]);

	/* the final state is consistent with itself and with the counts */
	ASSERT_EQ(0, sg_dump(nl, SLICEGUARD_CMD_SLICE_GET));
	ASSERT_GE(6, nl->dump.n);
	for (i = 0; i < nl->dump.n; i++)
		sg_slice_parse(&nl->dump.r[i], &slices[ns++]);
	ASSERT_EQ(0, sg_dump(nl, SLICEGUARD_CMD_APP_GET));
	ASSERT_GE(3, nl->dump.n);
	for (i = 0; i < nl->dump.n; i++)
		sg_app_parse(&nl->dump.r[i], &apps[na++]);
	for (i = 0; i < ns; i++)
		for (j = i + 1; j < ns; j++)
			EXPECT_NE(slices[i].vlan[0], slices[j].vlan[0]);
	for (i = 0; i < na; i++) {
		bool found = false;

		for (j = 0; j < ns; j++)
			found |= slices[j].id == apps[i].slice[0];
		EXPECT_TRUE(found) TH_LOG("app %u serves missing slice %u",
					  apps[i].id, apps[i].slice[0]);
	}
	ASSERT_EQ(0, sg_dump(nl, SLICEGUARD_CMD_RULE_GET));
	for (i = 0; i < nl->dump.n; i++) {
		struct sg_rule rl;
		bool found = false;

		sg_rule_parse(&nl->dump.r[i], &rl);
		for (j = 0; j < na; j++)
			found |= apps[j].id == rl.src_id;
		EXPECT_TRUE(found) TH_LOG("rule %u from missing app %u", rl.id, rl.src_id);
	}
	n_objects = ns + na + nl->dump.n;
	EXPECT_EQ(ns, policy_attr(nl, SLICEGUARD_A_POLICY_N_SLICES));
	EXPECT_EQ(na, policy_attr(nl, SLICEGUARD_A_POLICY_N_APPS));
	EXPECT_EQ(nl->dump.n, policy_attr(nl, SLICEGUARD_A_POLICY_N_RULES));
	/* nothing leaked or double-counted beyond what this netns holds */
	EXPECT_EQ(elsewhere + n_objects,
		  live_objects_settled(elsewhere + n_objects, 10000));
}

/* Audit -------------------------------------------------------------------- */

#define EXPECT_LOGGED(log, fmt, ...) do {				\
	char __want[256];						\
	snprintf(__want, sizeof(__want), fmt, ##__VA_ARGS__);		\
	EXPECT_NE(NULL, strstr(log, __want)) {				\
		TH_LOG("missing \"%s\" in:%s", __want, log);		\
	}								\
} while (0)

/* The kernel log line's rate limit (5 s) lets a test's first lines through. */
#define LOG_RATELIMIT_US	5200000

TEST_F(store, committed_changes_are_logged_once_per_generation)
{
	struct sg_nl *nl = self->nl;
	struct sg_uplink u = { .ifname = "n6" };
	uint32_t ns = netns_inum();
	int pid = getpid(), fd;
	char *log, prefix[64];

	usleep(LOG_RATELIMIT_US);
	fd = sg_kmsg_open();
	ASSERT_LE(0, fd) TH_LOG("/dev/kmsg: %s", strerror(errno));
	ASSERT_DO(nl, slice_new(nl, &iot));
	ASSERT_DO(nl, sg_slice_msg(nl, SLICEGUARD_CMD_SLICE_SET, 0, &iot));
	ASSERT_DO(nl, sg_msg(nl, SLICEGUARD_CMD_TX_BEGIN, 0));
	ASSERT_DO(nl, uplink_new(nl, &u));
	ASSERT_DO(nl, sg_key_msg(nl, SLICEGUARD_CMD_SLICE_DEL, SLICEGUARD_A_SLICE_ID, 2));
	ASSERT_DO(nl, sg_msg(nl, SLICEGUARD_CMD_TX_COMMIT, 0));
	/* failed and aborted changes are not logged */
	EXPECT_EQ(-ENOENT, sg_do(nl, sg_key_msg(nl, SLICEGUARD_CMD_SLICE_DEL,
						SLICEGUARD_A_SLICE_ID, 2)));
	ASSERT_DO(nl, sg_msg(nl, SLICEGUARD_CMD_TX_BEGIN, 0));
	ASSERT_DO(nl, slice_new(nl, &embb));
	ASSERT_DO(nl, sg_msg(nl, SLICEGUARD_CMD_TX_ABORT, 0));
	ASSERT_DO(nl, sg_msg(nl, SLICEGUARD_CMD_POLICY_FLUSH, 0));
	usleep(100000);

	log = kmsg_lines(fd);
	close(fd);
#define COMMIT "sliceguard: commit netns=%u gen=%d changes=%d op=%s pid=%d uid=0\n"
	EXPECT_LOGGED(log, COMMIT, ns, 1, 1, "slice-new", pid);
	EXPECT_LOGGED(log, COMMIT, ns, 2, 1, "slice-set", pid);
	EXPECT_LOGGED(log, COMMIT, ns, 3, 2, "tx-commit", pid);
	EXPECT_LOGGED(log, COMMIT, ns, 4, 1, "policy-flush", pid);
#undef COMMIT
	/* one line per generation, none per object */
	snprintf(prefix, sizeof(prefix), "sliceguard: commit netns=%u ", ns);
	EXPECT_EQ(4, count_occurrences(log, prefix)) TH_LOG("kernel log:%s", log);
	free(log);
}

/*
 * Issue 13 saw a user make 12,146 writes in 3 s, a log line each, which
 * rotated the boot log out of the printk ring. The line is rate limited:
 * a flood of commits leaves a few lines (positive control: not none).
 */
TEST_F(store, a_flood_of_commits_cannot_flood_the_kernel_log)
{
	struct sg_nl *nl = self->nl;
	struct sg_slice s = iot;
	char *log, prefix[64];
	int fd, i, lines;

	usleep(LOG_RATELIMIT_US);
	fd = sg_kmsg_open();
	ASSERT_LE(0, fd);
	ASSERT_DO(nl, slice_new(nl, &s));
	for (i = 0; i < 2000; i++) {
		s.mark = i;
		ASSERT_DO(nl, sg_slice_msg(nl, SLICEGUARD_CMD_SLICE_SET, 0, &s));
	}
	usleep(100000);
	log = kmsg_lines(fd);
	close(fd);
	snprintf(prefix, sizeof(prefix), "sliceguard: commit netns=%u ", netns_inum());
	lines = count_occurrences(log, prefix);
	EXPECT_LE(1, lines);
	/* 10 a 5 s window: the flood takes far less than a minute */
	EXPECT_GE(120, lines) TH_LOG("%d log lines for 2001 commits", lines);
	free(log);
}

/*
 * The audit subsystem's record, read as auditd's multicast readers do
 * (AUDIT_NLGRP_READLOG), with audit enabled for the test and restored.
 * Its sockets live in the initial netns, where kauditd multicasts.
 */
struct audit_socks {
	int cmd, log;
	uint32_t was_enabled;
};

static int audit_request(int fd, uint16_t type, const void *data, size_t len,
			 void *reply, size_t reply_len)
{
	struct {
		struct nlmsghdr h;
		char data[512];
	} req = { .h = { .nlmsg_len = NLMSG_LENGTH(len), .nlmsg_type = type,
			 .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK, .nlmsg_seq = 1 } };
	char buf[8192];

	memcpy(req.data, data, len);
	if (send(fd, &req, req.h.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h = (struct nlmsghdr *)buf;

		if (n < 0)
			return -errno;
		for (; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_ERROR) {
				int err = ((struct nlmsgerr *)NLMSG_DATA(h))->error;

				if (err || !reply)
					return err;
			} else if (reply && h->nlmsg_type == type) {
				memcpy(reply, NLMSG_DATA(h), reply_len);
				return 0;
			}
		}
	}
}

static int audit_open(struct audit_socks *a)
{
	struct sockaddr_nl log_addr = { .nl_family = AF_NETLINK,
					.nl_groups = 1 << (AUDIT_NLGRP_READLOG - 1) };
	int here = open("/proc/self/ns/net", O_RDONLY), init = open("/proc/1/ns/net", O_RDONLY);
	struct audit_status st = { 0 };
	int err = -1;

	if (here < 0 || init < 0 || setns(init, CLONE_NEWNET))
		goto out;
	a->cmd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	a->log = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	if (setns(here, CLONE_NEWNET) || a->cmd < 0 || a->log < 0 ||
	    bind(a->log, (struct sockaddr *)&log_addr, sizeof(log_addr)))
		goto out;
	err = audit_request(a->cmd, AUDIT_GET, NULL, 0, &st, sizeof(st));
	if (err)
		goto out;
	a->was_enabled = st.enabled;
	st = (struct audit_status){ .mask = AUDIT_STATUS_ENABLED, .enabled = 1 };
	err = audit_request(a->cmd, AUDIT_SET, &st, sizeof(st), NULL, 0);
out:
	close(here);
	close(init);
	return err;
}

static void audit_close(struct audit_socks *a)
{
	struct audit_status st = { .mask = AUDIT_STATUS_ENABLED, .enabled = a->was_enabled };

	audit_request(a->cmd, AUDIT_SET, &st, sizeof(st), NULL, 0);
	close(a->cmd);
	close(a->log);
}

/* The next AUDIT_NETFILTER_CFG record of sliceguard for netns @ns, or NULL. */
static char *audit_next(struct audit_socks *a, uint32_t ns)
{
	char want[64], buf[8192];

	snprintf(want, sizeof(want), " netns=%u ", ns);
	for (;;) {
		struct pollfd p = { .fd = a->log, .events = POLLIN };
		struct nlmsghdr *h = (struct nlmsghdr *)buf;
		ssize_t n;

		if (poll(&p, 1, 3000) != 1)
			return NULL;
		n = recv(a->log, buf, sizeof(buf) - 1, 0);
		if (n < (ssize_t)NLMSG_HDRLEN)
			return NULL;
		buf[n] = '\0';
		if (h->nlmsg_type == AUDIT_NETFILTER_CFG &&
		    strstr((char *)NLMSG_DATA(h), "table=sliceguard ") &&
		    strstr((char *)NLMSG_DATA(h), want))
			return strdup((char *)NLMSG_DATA(h));
	}
}

TEST_F(store, every_committed_generation_is_one_audit_record)
{
	struct sg_nl *nl = self->nl;
	struct ucred forged = { .pid = getpid(), .uid = 4242, .gid = 4242 };
	uint32_t ns = netns_inum();
	struct audit_socks a;
	char who[64], *rec;
	struct nl_msg *m;
	int err = audit_open(&a);

	if (err == -EPERM || err == -ECONNREFUSED)
		SKIP(return, "audit cannot be enabled here: %s", strerror(-err));
	ASSERT_EQ(0, err) TH_LOG("audit: %s", strerror(-err));
	snprintf(who, sizeof(who), " pid=%d auid=", getpid());

	ASSERT_DO(nl, slice_new(nl, &iot));
	rec = audit_next(&a, ns);
	ASSERT_NE(NULL, rec);
	EXPECT_NE(NULL, strstr(rec, "table=sliceguard family=0 entries=1 op=slice-new "
				    "generation=1 ")) TH_LOG("%s", rec);
	EXPECT_NE(NULL, strstr(rec, who)) TH_LOG("%s", rec);
	EXPECT_NE(NULL, strstr(rec, " uid=0 ")) TH_LOG("%s", rec);
	free(rec);

	/* a transaction is one record, however many objects it changed */
	ASSERT_DO(nl, sg_msg(nl, SLICEGUARD_CMD_TX_BEGIN, 0));
	ASSERT_DO(nl, slice_new(nl, &embb));
	ASSERT_DO(nl, slice_new(nl, &urllc));
	ASSERT_DO(nl, sg_msg(nl, SLICEGUARD_CMD_TX_COMMIT, 0));
	rec = audit_next(&a, ns);
	ASSERT_NE(NULL, rec);
	EXPECT_NE(NULL, strstr(rec, "entries=2 op=tx-commit generation=2 ")) TH_LOG("%s", rec);
	free(rec);

	/*
	 * SCM_CREDENTIALS lets a sender (root here) claim another uid; the
	 * record names the task that sent the request all the same.
	 */
	m = sg_key_msg(nl, SLICEGUARD_CMD_SLICE_DEL, SLICEGUARD_A_SLICE_ID, 3);
	nlmsg_set_creds(m, &forged);
	ASSERT_DO(nl, m);
	rec = audit_next(&a, ns);
	ASSERT_NE(NULL, rec);
	EXPECT_NE(NULL, strstr(rec, "entries=1 op=slice-del generation=3 ")) TH_LOG("%s", rec);
	EXPECT_NE(NULL, strstr(rec, " uid=0 ")) TH_LOG("%s", rec);
	EXPECT_EQ(NULL, strstr(rec, "4242")) TH_LOG("%s", rec);
	free(rec);

	/* a refused write is no generation and no record */
	EXPECT_EQ(-EEXIST, sg_do(nl, slice_new(nl, &iot)));
	ASSERT_DO(nl, sg_msg(nl, SLICEGUARD_CMD_POLICY_FLUSH, 0));
	rec = audit_next(&a, ns);
	ASSERT_NE(NULL, rec);
	EXPECT_NE(NULL, strstr(rec, "op=policy-flush generation=4 ")) TH_LOG("%s", rec);
	free(rec);
	audit_close(&a);
}

TEST_HARNESS_MAIN
