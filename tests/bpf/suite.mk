# SPDX-License-Identifier: GPL-2.0
# The eBPF data path on the host kernel (BPF_PROG_TEST_RUN; no module needed):
#   bpf_dp_test    crafted packets through every program, compiler, pinning
#   bpf_verifier   the object loads on this kernel; verified insns per program
# bpf_verifier also runs in the VM (6.12) and, by hand or from CI, on 6.1:
#   SG_VM_KERNEL=<6.1 version> SG_VM_NOMOD=1 scripts/vm-run build/tests/bpf_verifier
BPF_TEST_CFLAGS := $(SG_LIB_CFLAGS) -Wno-unused-parameter -Wno-sign-compare -Wno-clobbered \
	-I$(KSRC)/tools/testing/selftests

$(BUILD)/tests/bpf_%: tests/bpf/%.c $(SG_LIB) $(KSRC)/.extracted-from
	@mkdir -p $(@D)
	$(CC) $(BPF_TEST_CFLAGS) -o $@ $< $(SG_LIB) $(SG_LIB_LDLIBS) -lpthread

HOST_SUITES += $(BUILD)/tests/bpf_dp_test $(BUILD)/tests/bpf_verifier
VM_SUITES += $(BUILD)/tests/bpf_verifier
TEST_BINS += $(BUILD)/tests/bpf_dp_test $(BUILD)/tests/bpf_verifier
