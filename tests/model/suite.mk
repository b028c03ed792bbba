# SPDX-License-Identifier: GPL-2.0
# Reference model of the data path and the differential test against the
# BPF programs (host: BPF_PROG_TEST_RUN needs no module).
MODEL_DIR := $(BUILD)/tests/model
MODEL_CFLAGS := $(USER_CFLAGS) -I$(CURDIR)/bpf -I$(CURDIR)/tests/model \
	$(shell pkg-config --cflags libbpf 2>/dev/null)

$(MODEL_DIR)/differential: tests/model/differential.c tests/model/refmodel.c \
		tests/model/refmodel.h bpf/sliceguard_dp.h $(SG_LIB) | $(MODEL_DIR)
	$(CC) $(MODEL_CFLAGS) -o $@ tests/model/differential.c \
		tests/model/refmodel.c $(SG_LIB) $(SG_LIB_LDLIBS)

$(MODEL_DIR):
	mkdir -p $@

TEST_BINS += $(MODEL_DIR)/differential
HOST_SUITES += $(MODEL_DIR)/differential
