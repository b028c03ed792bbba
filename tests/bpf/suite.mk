# SPDX-License-Identifier: GPL-2.0
# The eBPF data path on the host kernel (BPF_PROG_TEST_RUN; no module needed):
#   bpf_dp_test    crafted packets through every program, compiler, pinning
#   bpf_verifier   the object loads on this kernel; verified insns per program
#   verifier-6.1.sh  bpf_verifier in a VM booting Debian 12's 6.1 kernel
# bpf_verifier also runs in the VM on 6.12 with the other VM suites.
BPF_TEST_CFLAGS := $(SG_LIB_CFLAGS) -Wno-unused-parameter -Wno-sign-compare -Wno-clobbered \
	-I$(KSRC)/tools/testing/selftests

$(BUILD)/tests/bpf_%: tests/bpf/%.c tests/lib/dp_harness.h $(SG_LIB) $(KSRC)/.extracted-from
	@mkdir -p $(@D)
	$(CC) $(BPF_TEST_CFLAGS) -o $@ $< $(SG_LIB) $(SG_LIB_LDLIBS) -lpthread

HOST_SUITES += $(BUILD)/tests/bpf_dp_test $(BUILD)/tests/bpf_verifier \
	$(CURDIR)/tests/bpf/verifier-6.1.sh
VM_SUITES += $(BUILD)/tests/bpf_verifier
TEST_BINS += $(BUILD)/tests/bpf_dp_test $(BUILD)/tests/bpf_verifier
