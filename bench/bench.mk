# SPDX-License-Identifier: GPL-2.0
# Benchmarks (issue 9), root; never part of judging a test:
#   make bench        every part, then Documentation/performance.rst and its
#                     plots from the results (bench/report.py)
#   make bench-quick  every part in its quick mode, results checked for the
#                     report's shape and rendered under build/bench/quick/
# The parts: per-packet cost beside xdp-filter and the floor
# (bench/dpbench.c, host), throughput beside nftables and xdp-filter on a
# veth pair (bench/throughput.sh, host), control plane and memory
# (bench/control.sh with bench/ctlbench.c, in the VM: bench/control-run.sh).
BENCH_DIR := $(BUILD)/bench
BENCH_BINS := $(BENCH_DIR)/dpbench $(BENCH_DIR)/ctlbench $(BUILD)/tests/sg-counters \
	$(BUILD)/tests/e2e/sg-e2e-dp

$(BENCH_DIR)/dpbench: bench/dpbench.c bpf/sliceguard_dp.h $(SG_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -I$(CURDIR)/bpf $(shell pkg-config --cflags libbpf 2>/dev/null) \
		-o $@ $< $(SG_LIB) $(SG_LIB_LDLIBS)

# The control-plane helper of bench/control.sh (run in the VM).
$(BENCH_DIR)/ctlbench: bench/ctlbench.c bpf/sliceguard_dp.h $(SG_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(SG_LIB_CFLAGS) -o $@ $< $(SG_LIB) $(SG_LIB_LDLIBS)

# bench_run DIR, QUICK-ARG: every part's results into DIR.
define bench_run
	rm -rf $(1) && mkdir -p $(1)
	$(BENCH_DIR)/dpbench $(2) -o $(1)/dp.json
	SG_BENCH_OUT=$(1) bench/throughput.sh $(if $(2),--quick)
	SG_BENCH_OUT=$(1) bench/control-run.sh $(if $(2),--quick)
endef

.PHONY: bench bench-quick
bench: all $(BENCH_BINS)
	$(call bench_run,$(BENCH_DIR)/results,)
	bench/report.py $(BENCH_DIR)/results

bench-quick: all $(BENCH_BINS)
	$(call bench_run,$(BENCH_DIR)/quick,-q)
	bench/report.py $(BENCH_DIR)/quick --check
	bench/report.py $(BENCH_DIR)/quick --rst $(BENCH_DIR)/quick/performance.rst \
		--images $(BENCH_DIR)/quick/images
