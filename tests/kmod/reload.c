// SPDX-License-Identifier: GPL-2.0
/*
 * sliceguard.ko load/unload cycles with live state: every cycle inserts the
 * module, gives several network namespaces a policy (and one of them an
 * open transaction), and removes the module under them. Every tenth cycle
 * the namespaces die instead, and live_objects must drop back to 0. The
 * kernel log must stay free of warnings throughout.
 *
 * The module file is $SG_KMOD, else kmod/sliceguard.ko of the repository
 * this binary was built in; $SG_RELOAD_CYCLES overrides the 1000 cycles.
 * Runs as root in the test VM; the module is left loaded at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "sg_test_nl.h"

#define N_NETNS		3
#define DIE_EVERY	10
/* slice, app, rule and uplink in each namespace */
#define OBJS_PER_NETNS	4

static int module_path(char *path, size_t len)
{
	char exe[PATH_MAX];
	const char *env = getenv("SG_KMOD");
	ssize_t n;

	if (env && *env)
		return snprintf(path, len, "%s", env) >= (int)len ? -1 : 0;
	/* build/tests/kmod_reload -> the repository */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return -1;
	exe[n] = '\0';
	return snprintf(path, len, "%s/kmod/sliceguard.ko",
			dirname(dirname(dirname(exe)))) >= (int)len ? -1 : 0;
}

static int load(int ko_fd, const char *params)
{
	return syscall(SYS_finit_module, ko_fd, params, 0) ? -errno : 0;
}

static int unload(void)
{
	/* O_NONBLOCK: never wait for references; a held one is a failure */
	for (int i = 0; i < 100; i++) {
		if (!syscall(SYS_delete_module, "sliceguard", O_NONBLOCK))
			return 0;
		if (errno != EAGAIN && errno != EBUSY)
			return -errno;
		usleep(10000);
	}
	return -EBUSY;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long live_objects_until(long want, int timeout_ms)
{
	long v = sg_live_objects();

	for (int t = 0; v != want && t < timeout_ms; t += 10) {
		usleep(10000);
		v = sg_live_objects();
	}
	return v;
}

/* Gives the current netns one object of each kind; 0 or a negative errno. */
static int give_policy(struct sg_nl *nl, int i)
{
	struct sg_slice s = { .id = 1 + i, .sst = 1, .vlan = { 100 + i } };
	struct sg_app a = { .id = 1 + i, .slice = { 1 + i } };
	struct sg_rule r = { .src_kind = SLICEGUARD_PEER_APP, .src_id = 1 + i,
			     .dst_kind = SLICEGUARD_PEER_SLICE, .dst_id = 1 + i };
	struct sg_uplink u = { .ifname = "n6" };
	int err;

	snprintf(s.name, sizeof(s.name), "slice%d", i);
	snprintf(s.ue_prefix[0], SG_CIDR_LEN, "10.%d.0.0/16", i);
	snprintf(a.name, sizeof(a.name), "app%d", i);
	snprintf(a.ep[0].prefix, SG_CIDR_LEN, "192.168.%d.0/24", i);
	err = sg_do(nl, sg_slice_msg(nl, SLICEGUARD_CMD_SLICE_NEW, 0, &s));
	if (!err)
		err = sg_do(nl, sg_app_msg(nl, SLICEGUARD_CMD_APP_NEW, 0, &a));
	if (!err)
		err = sg_do(nl, sg_rule_msg(nl, SLICEGUARD_CMD_RULE_NEW, 0, &r));
	if (!err)
		err = sg_do(nl, sg_uplink_msg(nl, SLICEGUARD_CMD_UPLINK_NEW, 0, &u));
	return err;
}

FIXTURE(reload) {
	int ko_fd;
	int kmsg_fd;
	int home_ns;
	int ns[N_NETNS];
};

FIXTURE_SETUP(reload)
{
	char path[PATH_MAX];
	int err;

	ASSERT_EQ(0, module_path(path, sizeof(path)));
	self->ko_fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, self->ko_fd) TH_LOG("%s: %s", path, strerror(errno));
	self->kmsg_fd = sg_kmsg_open();
	ASSERT_LE(0, self->kmsg_fd);
	self->home_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, self->home_ns);
	for (int i = 0; i < N_NETNS; i++)
		self->ns[i] = -1;
	/* start from our own copy of the module, whatever was loaded */
	err = unload();
	ASSERT_TRUE(!err || err == -ENOENT) TH_LOG("rmmod: %s", strerror(-err));
}

FIXTURE_TEARDOWN(reload)
{
	char line[512];

	for (int i = 0; i < N_NETNS; i++)
		if (self->ns[i] >= 0)
			close(self->ns[i]);
	setns(self->home_ns, CLONE_NEWNET);
	/* leave the module loaded for whatever runs next */
	if (access("/sys/module/sliceguard", F_OK))
		load(self->ko_fd, "");
	EXPECT_EQ(0, sg_kmsg_complaint(self->kmsg_fd, line, sizeof(line)))
		TH_LOG("kernel log: %s", line);
	close(self->kmsg_fd);
	close(self->ko_fd);
	close(self->home_ns);
}

static int new_namespaces(int *ns)
{
	for (int i = 0; i < N_NETNS; i++) {
		if (unshare(CLONE_NEWNET))
			return -errno;
		ns[i] = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		if (ns[i] < 0)
			return -errno;
	}
	return 0;
}

TEST_F_TIMEOUT(reload, cycles_with_state_in_several_netns, 3600)
{
	long cycles = getenv("SG_RELOAD_CYCLES") ? atol(getenv("SG_RELOAD_CYCLES")) : 1000;
	double start = now();
	char line[512];

	ASSERT_LT(0, cycles);
	ASSERT_EQ(0, new_namespaces(self->ns));
	for (long c = 1; c <= cycles; c++) {
		struct sg_nl *tx_owner = NULL;
		int err;

		ASSERT_EQ(0, load(self->ko_fd, "")) TH_LOG("cycle %ld: insmod", c);
		ASSERT_EQ(0, sg_live_objects()) TH_LOG("cycle %ld", c);
		for (int i = 0; i < N_NETNS; i++) {
			struct sg_nl *nl;

			ASSERT_EQ(0, setns(self->ns[i], CLONE_NEWNET));
			nl = sg_open();
			ASSERT_NE(NULL, nl) TH_LOG("cycle %ld: family: %s", c, strerror(errno));
			err = give_policy(nl, i);
			ASSERT_EQ(0, err) TH_LOG("cycle %ld netns %d: %s \"%s\"", c, i,
						 strerror(-err), nl->ext.msg);
			sg_close(nl);
		}
		ASSERT_EQ(N_NETNS * OBJS_PER_NETNS, sg_live_objects())
			TH_LOG("cycle %ld", c);

		/* odd cycles unload under an open transaction with staged changes */
		if (c % 2) {
			tx_owner = sg_open();
			ASSERT_NE(NULL, tx_owner);
			ASSERT_EQ(0, sg_do(tx_owner, sg_msg(tx_owner, SLICEGUARD_CMD_TX_BEGIN, 0)));
			ASSERT_EQ(0, sg_do(tx_owner, sg_msg(tx_owner, SLICEGUARD_CMD_POLICY_FLUSH, 0)));
		}

		if (c % DIE_EVERY == 0) {
			/* the namespaces die under the loaded module */
			sg_close(tx_owner);
			tx_owner = NULL;
			ASSERT_EQ(0, setns(self->home_ns, CLONE_NEWNET));
			for (int i = 0; i < N_NETNS; i++) {
				close(self->ns[i]);
				self->ns[i] = -1;
			}
			EXPECT_EQ(0, live_objects_until(0, 20000)) TH_LOG("cycle %ld", c);
			ASSERT_EQ(0, new_namespaces(self->ns));
		}

		err = unload();
		ASSERT_EQ(0, err) TH_LOG("cycle %ld: rmmod: %s", c, strerror(-err));
		sg_close(tx_owner);
		if (c % 100 == 0) {
			ASSERT_EQ(0, sg_kmsg_complaint(self->kmsg_fd, line, sizeof(line)))
				TH_LOG("cycle %ld: kernel log: %s", c, line);
		}
	}
	TH_LOG("%ld cycles in %.1f s (%.1f ms per cycle)", cycles, now() - start,
	       (now() - start) * 1000 / cycles);
	ASSERT_EQ(0, setns(self->home_ns, CLONE_NEWNET));
	ASSERT_EQ(0, load(self->ko_fd, ""));
}

TEST_F(reload, insmod_parameters_set_the_limits)
{
	struct sg_slice s = { .sst = 1 };
	struct sg_nl *nl;

	ASSERT_EQ(0, load(self->ko_fd, "max_slices=2 max_uplinks=1"));
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	nl = sg_open();
	ASSERT_NE(NULL, nl);
	ASSERT_EQ(0, sg_do(nl, sg_msg(nl, SLICEGUARD_CMD_POLICY_GET, 0)));
	EXPECT_EQ(2, sg_get(&nl->reply, SLICEGUARD_A_POLICY_MAX_SLICES, 0));
	EXPECT_EQ(1, sg_get(&nl->reply, SLICEGUARD_A_POLICY_MAX_UPLINKS, 0));
	for (int i = 1; i <= 3; i++) {
		s.id = i;
		snprintf(s.name, sizeof(s.name), "s%d", i);
		EXPECT_EQ(i < 3 ? 0 : -ENOSPC,
			  sg_do(nl, sg_slice_msg(nl, SLICEGUARD_CMD_SLICE_NEW, 0, &s)));
	}
	EXPECT_STREQ("slice limit reached", nl->ext.msg);
	sg_close(nl);
	ASSERT_EQ(0, setns(self->home_ns, CLONE_NEWNET));
	EXPECT_EQ(0, live_objects_until(0, 20000));
	ASSERT_EQ(0, unload());
	ASSERT_EQ(0, load(self->ko_fd, ""));
}

TEST_HARNESS_MAIN
