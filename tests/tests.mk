# SPDX-License-Identifier: GPL-2.0
# Test suites: each directory under tests/ brings a suite.mk that appends to
#   HOST_SUITES  executables run on the host kernel
#   VM_SUITES    executables run inside the VM (scripts/vm-run) with the module
#   TEST_BINS    what must be built before either runs
# Every suite prints TAP on stdout and exits non-zero when a test failed.
HOST_SUITES :=
VM_SUITES :=
TEST_BINS :=
include $(sort $(wildcard tests/*/suite.mk))
