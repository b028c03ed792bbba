# SPDX-License-Identifier: GPL-2.0
# User-space tools: each directory under user/ brings its own fragment.
# Fragments add their binaries to USER_BINS; `make user` builds them all.
USER_BINS :=
# The release both tools report (--version): its one place.
SG_VERSION := 0.2.0
USER_CFLAGS := -O2 -g -Wall -Wextra -Werror=implicit-function-declaration \
	-I$(CURDIR)/include/uapi -I$(CURDIR)/user/lib -D_GNU_SOURCE \
	-DSG_VERSION='"$(SG_VERSION)"'
include $(sort $(wildcard user/*/build.mk))
user: $(USER_BINS)
