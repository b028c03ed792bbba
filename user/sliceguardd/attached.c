// SPDX-License-Identifier: GPL-2.0
/*
 * What the kernel says is attached to an interface. A restarted agent does
 * not know what its predecessor attached; asking the kernel (rather than
 * trusting pin names) also sees attachments whose pins were lost.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "agent.h"

static bool prog_is(__u32 id, const char *name)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	bool same;
	int fd;

	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return false;
	same = !bpf_prog_get_info_by_fd(fd, &info, &len) &&
	       !strncmp(info.name, name, sizeof(info.name));
	close(fd);
	return same;
}

static bool tcx_has(int ifindex, enum bpf_attach_type type, const char *name)
{
	__u32 ids[64];
	LIBBPF_OPTS(bpf_prog_query_opts, q, .prog_ids = ids, .count = 64);
	__u32 i;

	if (bpf_prog_query_opts(ifindex, type, &q))
		return false;
	for (i = 0; i < q.count; i++)
		if (prog_is(ids[i], name))
			return true;
	return false;
}

/*
 * Whether the programs of an uplink (XDP sg_uplink) or of an app interface
 * (TCX sg_app_ingress) are attached to ifindex.
 */
bool attached_in_kernel(int ifindex, enum attach_kind kind)
{
	__u32 id = 0;

	if (kind == ATTACH_UPLINK)
		return !bpf_xdp_query_id(ifindex, 0, &id) && id &&
		       prog_is(id, "sg_uplink");
	return tcx_has(ifindex, BPF_TCX_INGRESS, "sg_app_ingress");
}

/* Whether the TCX egress program (app or ip uplink) is attached to ifindex. */
bool egress_attached_in_kernel(int ifindex)
{
	return tcx_has(ifindex, BPF_TCX_EGRESS, "sg_egress");
}

/* Whether any sliceguard program is attached to ifindex. */
bool any_attached_in_kernel(int ifindex)
{
	return attached_in_kernel(ifindex, ATTACH_UPLINK) ||
	       attached_in_kernel(ifindex, ATTACH_APP) ||
	       tcx_has(ifindex, BPF_TCX_INGRESS, "sg_uplink_mark") ||
	       egress_attached_in_kernel(ifindex);
}
