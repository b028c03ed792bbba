# SPDX-License-Identifier: GPL-2.0
# Test suites: each directory under tests/ brings a suite.mk that appends to
#   HOST_SUITES  executables run on the host kernel
#   VM_SUITES    executables run inside the VM (scripts/vm-run) with the module
#   TEST_BINS    what must be built before either runs
# Every suite prints TAP on stdout and exits non-zero when a test failed.
# A suite entry may carry its timeout in seconds, PATH:SECONDS (default 300);
# one that runs out is killed and counted as failed.
#
#   make check       build everything, run the host suites, then all VM
#                    suites in one VM boot; last line "N passed, N failed,
#                    N skipped"; logs in build/test-logs/
#   make check-host  only the host suites
#   make check-vm    only the VM suites
HOST_SUITES :=
VM_SUITES :=
TEST_BINS :=
include $(sort $(wildcard tests/*/suite.mk))

.PHONY: check check-host check-vm

check: all $(TEST_BINS)
	tests/lib/check --host $(HOST_SUITES) --vm $(VM_SUITES)

check-host: all $(TEST_BINS)
	tests/lib/check --host $(HOST_SUITES)

check-vm: all $(TEST_BINS)
	tests/lib/check --vm $(VM_SUITES)
