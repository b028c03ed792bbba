// SPDX-License-Identifier: GPL-2.0
/*
 * sg-counters [PIN_DIR]: print the pinned data path's active generation and
 * per-reason counters as one JSON object, for the agent tests and the demo
 * to check with jq:
 *   {"generation":N,"reasons":{"NO_RULE":{"packets":P,"bytes":B},...}}
 * "generation" is null while no generation is applied.
 *
 * It reads the pinned maps sg_config and sg_reason_stats (bpf/sliceguard_dp.h)
 * directly rather than through sg_dp_open(), which loads the whole BPF
 * object: far too slow to poll under software emulation.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dp.h"

static int map_fd(const char *dir, const char *name)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		fprintf(stderr, "sg-counters: %s: %s\n", path, strerror(errno));
	return fd;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : SG_DP_DEFAULT_PIN_DIR;
	int ncpu = libbpf_num_possible_cpus();
	struct sg_config cfg;
	struct sg_count *per_cpu;
	int cfg_fd, stats_fd;
	__u32 key = 0, r;

	cfg_fd = map_fd(dir, "sg_config");
	stats_fd = map_fd(dir, "sg_reason_stats");
	if (cfg_fd < 0 || stats_fd < 0 || ncpu <= 0)
		return 1;
	per_cpu = calloc(ncpu, sizeof(*per_cpu));
	if (!per_cpu || bpf_map_lookup_elem(cfg_fd, &key, &cfg)) {
		fprintf(stderr, "sg-counters: sg_config: %s\n", strerror(errno));
		return 1;
	}
	if (cfg.applied)
		printf("{\"generation\":%llu,\"reasons\":{",
		       (unsigned long long)cfg.generation[cfg.active_slot & 1]);
	else
		printf("{\"generation\":null,\"reasons\":{");
	for (r = 0; r < SG_R_MAX; r++) {
		unsigned long long packets = 0, bytes = 0;
		int cpu;

		if (bpf_map_lookup_elem(stats_fd, &r, per_cpu)) {
			fprintf(stderr, "sg-counters: sg_reason_stats: %s\n", strerror(errno));
			return 1;
		}
		for (cpu = 0; cpu < ncpu; cpu++) {
			packets += per_cpu[cpu].packets;
			bytes += per_cpu[cpu].bytes;
		}
		printf("%s\"%s\":{\"packets\":%llu,\"bytes\":%llu}", r ? "," : "",
		       sg_reason_name(r), packets, bytes);
	}
	printf("}}\n");
	return 0;
}
