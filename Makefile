# SPDX-License-Identifier: GPL-2.0
#
# sliceguard: slice and MEC-app isolation for 5G edge nodes.
#
#   make              module, BPF programs and user tools
#   make check        every test suite (host and VM); ends "N passed, N failed"
#   make regen        regenerate uapi header and kernel policies from the spec
#   make check-regen  fail when the generated files drift from the spec
#   make checkpatch   kernel style check of the module
#   make bench        benchmarks beside xdp-filter and nftables; writes
#                     Documentation/performance.rst (bench/bench.mk)
#   make bench-quick  the benchmarks in their quick mode (shape, not times)
#   make demo         the whole system at work (in the VM where needed)
#   make install      module, slicectl, sliceguardd and the systemd unit

# Debian's 6.12 kernel from bookworm-backports is the default target.
KVER ?= $(shell ls -1 /lib/modules 2>/dev/null | grep -E '^6\.12\.' | sort -V | tail -n1)
KDIR ?= /lib/modules/$(KVER)/build

BUILD := $(CURDIR)/build
KSRC := $(BUILD)/ksrc
BIN := $(BUILD)/bin

CLANG ?= $(shell command -v clang-19 || command -v clang)
BPFTOOL ?= $(shell command -v bpftool || ls /usr/sbin/bpftool 2>/dev/null)

export KVER KDIR BUILD KSRC BIN CLANG BPFTOOL

.PHONY: all kmod user bpf install clean regen check-regen checkpatch ksrc check bench demo

all: kmod bpf user

$(KSRC)/.extracted-from ksrc:
	scripts/ksrc $(KSRC)

kmod:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

regen: $(KSRC)/.extracted-from
	scripts/ynl-regen $(KSRC) $(CURDIR)

check-regen: $(KSRC)/.extracted-from
	rm -rf $(BUILD)/regen
	scripts/ynl-regen $(KSRC) $(BUILD)/regen
	diff -u include/uapi/linux/sliceguard.h $(BUILD)/regen/include/uapi/linux/sliceguard.h
	diff -u kmod/sliceguard-nl-gen.h $(BUILD)/regen/kmod/sliceguard-nl-gen.h
	diff -u kmod/sliceguard-nl-gen.c $(BUILD)/regen/kmod/sliceguard-nl-gen.c
	@echo "check-regen: generated files match the spec"

# MACRO_ARG_REUSE: for_each-style iterators reuse their cursor argument by
# design, as list_for_each_entry() does.
checkpatch: $(KSRC)/.extracted-from
	$(KSRC)/scripts/checkpatch.pl --strict --no-tree --terse \
		--ignore FILE_PATH_CHANGES,MACRO_ARG_REUSE \
		-f $(filter-out kmod/sliceguard-nl-gen.% kmod/%.mod.c,$(wildcard kmod/*.c kmod/*.h))

PREFIX ?= /usr

# DESTDIR stages a package; without it this installs onto the running host.
install: all
	install -D -m 0755 $(BIN)/slicectl $(DESTDIR)$(PREFIX)/sbin/slicectl
	install -D -m 0755 $(BIN)/sliceguardd $(DESTDIR)$(PREFIX)/sbin/sliceguardd
	install -D -m 0644 dist/sliceguardd.service \
		$(DESTDIR)/lib/systemd/system/sliceguardd.service
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(DESTDIR) modules_install

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf $(BUILD)

include user/user.mk
include bpf/bpf.mk
include tests/tests.mk
include bench/bench.mk
