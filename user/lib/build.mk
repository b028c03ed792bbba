# SPDX-License-Identifier: GPL-2.0
# libsliceguard.a: code shared by slicectl, sliceguardd and the tests.
# Every user/lib/*.c is part of it; a binary links only what it uses.
SG_LIB := $(BUILD)/lib/libsliceguard.a
SG_LIB_SRCS := $(sort $(wildcard user/lib/*.c))
SG_LIB_OBJS := $(patsubst user/lib/%.c,$(BUILD)/lib/%.o,$(SG_LIB_SRCS))
SG_LIB_CFLAGS := $(USER_CFLAGS) $(shell pkg-config --cflags libnl-genl-3.0 libbpf json-c 2>/dev/null) \
	-I$(BUILD)/bpf -I$(CURDIR)/bpf
SG_LIB_LDLIBS := $(shell pkg-config --libs libnl-genl-3.0 libbpf json-c 2>/dev/null) -lelf -lz

$(BUILD)/lib/%.o: user/lib/%.c $(wildcard user/lib/*.h) | $(BUILD)/lib
	$(CC) $(SG_LIB_CFLAGS) -c -o $@ $<

$(SG_LIB): $(SG_LIB_OBJS)
	$(AR) rcs $@ $^

$(BUILD)/lib:
	mkdir -p $@
