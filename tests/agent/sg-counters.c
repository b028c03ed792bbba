// SPDX-License-Identifier: GPL-2.0
/*
 * sg-counters [PIN_DIR]: print the pinned data path's per-reason counters
 * and active generation as one JSON object, for the agent tests and the
 * demo to check with jq:
 *   {"generation":N,"reasons":{"NO_RULE":{"packets":P,"bytes":B},...}}
 * It adopts the pinned instance and changes nothing; with nothing pinned it
 * fails rather than report the zeros of a fresh instance.
 */
#include <stdio.h>
#include <string.h>

#include "dp.h"

int main(int argc, char **argv)
{
	struct sg_dp_opts opts = {
		.pin_dir = argc > 1 ? argv[1] : SG_DP_DEFAULT_PIN_DIR,
	};
	struct sg_count counts[SG_R_MAX];
	struct sg_dp *dp;
	unsigned int r;
	int err;

	err = sg_dp_open(&opts, &dp);
	if (err) {
		fprintf(stderr, "sg-counters: %s: %s\n", opts.pin_dir, strerror(-err));
		return 1;
	}
	if (!sg_dp_adopted(dp)) {
		fprintf(stderr, "sg-counters: nothing pinned in %s\n", opts.pin_dir);
		sg_dp_close(dp);
		return 1;
	}
	err = sg_dp_reason_counts(dp, counts);
	if (err) {
		fprintf(stderr, "sg-counters: %s\n", sg_dp_errmsg(dp));
		sg_dp_close(dp);
		return 1;
	}
	printf("{\"generation\":%llu,\"reasons\":{",
	       (unsigned long long)sg_dp_generation(dp));
	for (r = 0; r < SG_R_MAX; r++)
		printf("%s\"%s\":{\"packets\":%llu,\"bytes\":%llu}", r ? "," : "",
		       sg_reason_name(r), (unsigned long long)counts[r].packets,
		       (unsigned long long)counts[r].bytes);
	printf("}}\n");
	sg_dp_close(dp);
	return 0;
}
