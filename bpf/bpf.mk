# SPDX-License-Identifier: GPL-2.0
# The data path object and its skeleton:
#   build/bpf/vmlinux.h         from the running kernel's BTF (types only:
#                               the programs use uapi layouts, no CO-RE)
#   build/bpf/sliceguard.bpf.o  clang -target bpf, linked by bpftool
#   build/bpf/sliceguard.skel.h what user/lib/dp.c embeds
BPF_OUT := $(BUILD)/bpf
BPF_OBJ := $(BPF_OUT)/sliceguard.bpf.o
BPF_SKEL := $(BPF_OUT)/sliceguard.skel.h
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Werror \
	-I$(BPF_OUT) -I$(CURDIR)/bpf -I$(CURDIR)/include/uapi

bpf: $(BPF_SKEL)

$(BPF_OUT)/vmlinux.h: | $(BPF_OUT)
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp
	mv $@.tmp $@

$(BPF_OUT)/sliceguard.tmp.o: bpf/sliceguard.bpf.c bpf/sliceguard_dp.h $(BPF_OUT)/vmlinux.h
	$(CLANG) $(BPF_CFLAGS) -c -o $@ $<

$(BPF_OBJ): $(BPF_OUT)/sliceguard.tmp.o
	$(BPFTOOL) gen object $@ $<

$(BPF_SKEL): $(BPF_OBJ)
	$(BPFTOOL) gen skeleton $< name sliceguard > $@.tmp
	mv $@.tmp $@

$(BPF_OUT):
	mkdir -p $@

# The loader embeds the object through its skeleton.
$(BUILD)/lib/dp.o: $(BPF_SKEL)
