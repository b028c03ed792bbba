# SPDX-License-Identifier: GPL-2.0
# Benchmarks. `make bench` prints the per-packet cost of the data path for
# policies of 1, 64 and 1024 rules, beside the floor (an XDP and a TC program
# that only pass) measured in the same run (bench/dpbench.c); root is needed.
BENCH_DIR := $(BUILD)/bench

$(BENCH_DIR)/dpbench: bench/dpbench.c bpf/sliceguard_dp.h $(SG_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -I$(CURDIR)/bpf $(shell pkg-config --cflags libbpf 2>/dev/null) \
		-o $@ $< $(SG_LIB) $(SG_LIB_LDLIBS)

bench: $(BENCH_DIR)/dpbench
	$(BENCH_DIR)/dpbench

# ---- ctlbench: control-plane helper of bench/control.sh (run in the VM) ----
$(BENCH_DIR)/ctlbench: bench/ctlbench.c bpf/sliceguard_dp.h $(SG_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(SG_LIB_CFLAGS) -o $@ $< $(SG_LIB) $(SG_LIB_LDLIBS)
