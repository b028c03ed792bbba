// SPDX-License-Identifier: GPL-2.0
/*
 * Verifier matrix: load the data path object on the running kernel (all
 * programs must pass the verifier) and report, per program, the
 * instructions the verifier processed and the size of the translated
 * program. Run on the host, and in the VM on 6.12 and 6.1:
 *
 *   build/tests/bpf_verifier
 *   SG_VM_KERNEL=6.1.0-56-amd64 SG_VM_NOMOD=1 scripts/vm-run build/tests/bpf_verifier
 *
 * TAP: one result for the load, one per program.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dp.h"

static const char *const prog_names[SG_DP_PROG_MAX] = {
	[SG_DP_PROG_UPLINK] = "sg_uplink",
	[SG_DP_PROG_UPLINK_MARK] = "sg_uplink_mark",
	[SG_DP_PROG_APP_INGRESS] = "sg_app_ingress",
	[SG_DP_PROG_EGRESS] = "sg_egress",
};

/* Keep the verifier log of a failed load: that is the diagnosis. */
static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	fputs("# ", stdout);
	return vfprintf(stdout, fmt, ap);
}

int main(void)
{
	struct sg_dp *dp = NULL;
	struct utsname un;
	int failed = 0, i, err;

	uname(&un);
	libbpf_set_print(print_libbpf);
	printf("TAP version 13\n1..%d\n# kernel %s\n", 1 + SG_DP_PROG_MAX, un.release);
	err = sg_dp_open(NULL, &dp);
	if (err) {
		printf("not ok 1 load sliceguard.bpf.o: %s\n", strerror(-err));
		for (i = 0; i < SG_DP_PROG_MAX; i++)
			printf("not ok %d %s verified # not loaded\n", i + 2, prog_names[i]);
		return 1;
	}
	printf("ok 1 load sliceguard.bpf.o\n");
	for (i = 0; i < SG_DP_PROG_MAX; i++) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = sg_dp_prog_fd(dp, i);

		if (fd < 0 || bpf_prog_get_info_by_fd(fd, &info, &len)) {
			printf("not ok %d %s verified: no program info\n", i + 2, prog_names[i]);
			failed = 1;
			continue;
		}
		printf("# %s on %s: verified_insns %u xlated_insns %u jited_bytes %u\n",
		       prog_names[i], un.release, info.verified_insns, info.xlated_prog_len / 8,
		       info.jited_prog_len);
		printf("ok %d %s verified\n", i + 2, prog_names[i]);
	}
	sg_dp_close(dp);
	return failed;
}
