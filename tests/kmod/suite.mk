# SPDX-License-Identifier: GPL-2.0
# sliceguard.ko control-plane tests (kselftest harness, run in the VM):
#   kmod_netlink  every op of the generic netlink family, good and bad input,
#                 notifications, transactions, namespaces, races, audit
#   kmod_reload   load/unload cycles with live state (timed on its own)
KMOD_TEST_CFLAGS := -O2 -g -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare -Wno-clobbered -D_GNU_SOURCE \
	-I$(CURDIR)/include/uapi -I$(KSRC)/tools/testing/selftests \
	$(shell pkg-config --cflags libnl-genl-3.0)
KMOD_TEST_LDLIBS := $(shell pkg-config --libs libnl-genl-3.0) -lpthread
KMOD_TEST_HDRS := tests/kmod/sg_test_nl.h include/uapi/linux/sliceguard.h

$(BUILD)/tests/kmod_%: tests/kmod/%.c tests/kmod/sg_test_nl.c $(KMOD_TEST_HDRS) \
		$(KSRC)/.extracted-from
	@mkdir -p $(@D)
	$(CC) $(KMOD_TEST_CFLAGS) -o $@ $< tests/kmod/sg_test_nl.c $(KMOD_TEST_LDLIBS)

TEST_BINS += $(BUILD)/tests/kmod_netlink $(BUILD)/tests/kmod_reload
# the reload suite runs 1000 load/unload cycles, about 4 minutes under TCG
VM_SUITES += $(BUILD)/tests/kmod_netlink:600 $(BUILD)/tests/kmod_reload:1200
