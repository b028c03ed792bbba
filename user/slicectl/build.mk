# SPDX-License-Identifier: GPL-2.0
SLICECTL_SRCS := user/slicectl/slicectl.c user/slicectl/print.c

$(BIN)/slicectl: $(SLICECTL_SRCS) $(wildcard user/slicectl/*.h) $(SG_LIB) user/user.mk
	@mkdir -p $(dir $@)
	$(CC) $(SG_LIB_CFLAGS) -o $@ $(SLICECTL_SRCS) $(SG_LIB) $(SG_LIB_LDLIBS)

USER_BINS += $(BIN)/slicectl
