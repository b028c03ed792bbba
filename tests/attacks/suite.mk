# SPDX-License-Identifier: GPL-2.0
# Adversarial suite of the data path (issue 7): every known way of moving a
# packet across slices or apps past the programs, each with a positive
# control, as crafted packets through BPF_PROG_TEST_RUN on the host kernel
# and in the VM (no module needed).
ATTACK_CFLAGS := $(SG_LIB_CFLAGS) -Wno-unused-parameter -Wno-sign-compare -Wno-clobbered \
	-I$(KSRC)/tools/testing/selftests

$(BUILD)/tests/attacks: tests/attacks/attacks.c tests/lib/dp_harness.h $(SG_LIB) \
		$(KSRC)/.extracted-from
	@mkdir -p $(@D)
	$(CC) $(ATTACK_CFLAGS) -o $@ $< $(SG_LIB) $(SG_LIB_LDLIBS)

HOST_SUITES += $(BUILD)/tests/attacks
# One data path load for the suite (attacks.c): a few minutes under TCG.
VM_SUITES += $(BUILD)/tests/attacks:900
TEST_BINS += $(BUILD)/tests/attacks
