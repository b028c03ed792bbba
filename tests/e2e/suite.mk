# SPDX-License-Identifier: GPL-2.0
# End-to-end data path test with real traffic in namespaces: on the host
# (no module needed) and in the VM (module loaded too).
E2E_DIR := $(BUILD)/tests/e2e

$(E2E_DIR)/sg-e2e-dp: tests/e2e/sg-e2e-dp.c bpf/sliceguard_dp.h $(SG_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -I$(CURDIR)/bpf -o $@ $< $(SG_LIB) $(SG_LIB_LDLIBS)

TEST_BINS += $(E2E_DIR)/sg-e2e-dp
HOST_SUITES += tests/e2e/dataplane.sh:240
VM_SUITES += tests/e2e/dataplane.sh:600
# Identity binding attacked with real traffic (issue 7).
HOST_SUITES += tests/e2e/attacks.sh:180
VM_SUITES += tests/e2e/attacks.sh:600
