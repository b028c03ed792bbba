// SPDX-License-Identifier: GPL-2.0
/*
 * Data path loader: loads or adopts bpf/sliceguard.bpf.c, attaches it,
 * writes compiled policy generations into the inactive slot and flips.
 */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include "dp.h"
#include "dp_priv.h"
#include "sliceguard.skel.h"

/* Our own tc filter on kernels without TCX: 'S' 'G'. */
#define SG_TC_HANDLE	0x5347
#define SG_TC_PRIO	0x5347

/* How long sg_dp_apply() waits for the previous slot to drain. */
#define SG_DRAIN_TIMEOUT_MS	2000

enum sg_hookpoint {
	SG_AT_XDP,
	SG_AT_INGRESS,
	SG_AT_EGRESS,
	SG_AT_MAX,
};

static const char *const hook_names[SG_AT_MAX] = { "xdp", "ingress", "egress" };

/* Shape of a slot's inner map; libbpf frees its template at load. */
struct sg_inner_shape {
	enum bpf_map_type type;
	__u32 key_size, value_size, max_entries, flags;
};

/* A link of an unpinned instance: the fd is the attachment. */
struct sg_link {
	int ifindex;
	enum sg_hookpoint at;
	int fd;
};

struct sg_dp {
	/*
	 * Loaded, or only opened: an adopted instance takes the pinned maps
	 * into the unloaded object (bpf_map__reuse_fd()) and its programs
	 * from their pins.
	 */
	struct sliceguard *skel;
	bool loaded;
	int prog_fds[SG_DP_PROG_MAX];
	struct sg_link *links;
	unsigned int n_links;
	struct sg_inner_shape inner[SG_IMAP_MAX];
	char *pin_dir;
	bool adopted;
	bool pinned;
	sg_dp_ifindex_fn resolve;
	void *resolve_ctx;
	struct ring_buffer *events;
	sg_dp_event_fn event_fn;
	void *event_ctx;
	char errmsg[256];
};

static int fail(struct sg_dp *dp, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dp->errmsg, sizeof(dp->errmsg), fmt, ap);
	va_end(ap);
	return err;
}

const char *sg_dp_errmsg(const struct sg_dp *dp)
{
	return dp->errmsg;
}

bool sg_dp_adopted(const struct sg_dp *dp)
{
	return dp->adopted;
}

static struct bpf_map *imap_outer(struct sg_dp *dp, enum sg_imap m)
{
	return bpf_object__find_map_by_name(dp->skel->obj, sg_imap_names[m]);
}

static const char *const prog_names[SG_DP_PROG_MAX] = {
	[SG_DP_PROG_UPLINK] = "sg_uplink",
	[SG_DP_PROG_UPLINK_MARK] = "sg_uplink_mark",
	[SG_DP_PROG_APP_INGRESS] = "sg_app_ingress",
	[SG_DP_PROG_EGRESS] = "sg_egress",
};

static bool is_pinnable(const struct bpf_map *map)
{
	/* .rodata belongs to one load; everything else is shared state. */
	return !strchr(bpf_map__name(map), '.');
}

static int pin_path(const struct sg_dp *dp, char *buf, size_t len, const char *fmt, ...)
{
	char name[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	n = snprintf(buf, len, "%s/%s", dp->pin_dir, name);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/*
 * Take the pinned map into the unloaded object if it has the definition this
 * build compiled; *why says what differs otherwise.
 */
static int adopt_map(struct sg_dp *dp, struct bpf_map *map, char *why, size_t len)
{
	struct bpf_map_info info = {};
	__u32 info_len = sizeof(info);
	char path[PATH_MAX];
	int fd, err;

	err = pin_path(dp, path, sizeof(path), "%s", bpf_map__name(map));
	if (err)
		return err;
	fd = bpf_obj_get(path);
	if (fd < 0) {
		err = -errno;
		snprintf(why, len, "map %s: %s", bpf_map__name(map), strerror(-err));
		return err;
	}
	if (bpf_map_get_info_by_fd(fd, &info, &info_len)) {
		err = -errno;
		snprintf(why, len, "map %s: %s", bpf_map__name(map), strerror(-err));
		goto out;
	}
	if (info.type != bpf_map__type(map) || info.key_size != bpf_map__key_size(map) ||
	    info.value_size != bpf_map__value_size(map) ||
	    info.max_entries != bpf_map__max_entries(map) ||
	    info.map_flags != bpf_map__map_flags(map)) {
		snprintf(why, len,
			 "map %s is type %u key %u value %u entries %u flags %#x, this build has %u %u %u %u %#x",
			 bpf_map__name(map), info.type, info.key_size, info.value_size,
			 info.max_entries, info.map_flags, bpf_map__type(map),
			 bpf_map__key_size(map), bpf_map__value_size(map),
			 bpf_map__max_entries(map), bpf_map__map_flags(map));
		err = -EPROTO;
		goto out;
	}
	err = bpf_map__reuse_fd(map, fd);
	if (err)
		snprintf(why, len, "map %s: %s", bpf_map__name(map), strerror(-err));
out:
	close(fd);
	return err;
}

/* The pinned program prog, if it is one of this build's type and name. */
static int adopt_prog(struct sg_dp *dp, const struct bpf_program *prog, char *why, size_t len)
{
	struct bpf_prog_info info = {};
	__u32 info_len = sizeof(info);
	const char *name = bpf_program__name(prog);
	char path[PATH_MAX];
	int fd, err;

	err = pin_path(dp, path, sizeof(path), "prog_%s", name);
	if (err)
		return err;
	fd = bpf_obj_get(path);
	if (fd < 0) {
		err = -errno;
		snprintf(why, len, "program %s: %s", name, strerror(-err));
		return err;
	}
	if (bpf_prog_get_info_by_fd(fd, &info, &info_len)) {
		err = -errno;
		snprintf(why, len, "program %s: %s", name, strerror(-err));
		close(fd);
		return err;
	}
	/* The kernel keeps BPF_OBJ_NAME_LEN - 1 characters of the name. */
	if (info.type != bpf_program__type(prog) ||
	    strncmp(info.name, name, sizeof(info.name) - 1)) {
		snprintf(why, len, "program %s is %s of type %u, this build has type %u", name,
			 info.name, info.type, bpf_program__type(prog));
		close(fd);
		return -EPROTO;
	}
	return fd;
}

/*
 * Adopt the pinned instance without loading: every map and program this
 * build has must be pinned with the same definition. On failure *why says
 * what is missing or differs and the object may hold some reused maps.
 */
static int adopt_pinned(struct sg_dp *dp, char *why, size_t len)
{
	struct bpf_program *prog;
	struct bpf_map *map;
	int err, fd, p;

	bpf_object__for_each_map(map, dp->skel->obj) {
		if (!is_pinnable(map))
			continue;
		err = adopt_map(dp, map, why, len);
		if (err)
			return err;
	}
	bpf_object__for_each_program(prog, dp->skel->obj) {
		fd = adopt_prog(dp, prog, why, len);
		if (fd < 0)
			return fd;
		for (p = 0; p < SG_DP_PROG_MAX; p++)
			if (!strcmp(bpf_program__name(prog), prog_names[p]))
				break;
		if (p == SG_DP_PROG_MAX) {
			close(fd);
			continue;
		}
		dp->prog_fds[p] = fd;
	}
	for (p = 0; p < SG_DP_PROG_MAX; p++)
		if (dp->prog_fds[p] < 0) {
			snprintf(why, len, "this build has no program %s", prog_names[p]);
			return -ENOENT;
		}
	return 0;
}

static void close_prog_fds(struct sg_dp *dp)
{
	int p;

	for (p = 0; p < SG_DP_PROG_MAX; p++) {
		if (!dp->loaded && dp->prog_fds[p] >= 0)
			close(dp->prog_fds[p]);
		dp->prog_fds[p] = -1;
	}
}

/* Load, reusing the pinned maps when adopting (libbpf checks their shape). */
static int load(struct sg_dp *dp)
{
	struct bpf_map *map;
	char path[PATH_MAX];
	int err, p;

	if (dp->adopted) {
		bpf_object__for_each_map(map, dp->skel->obj) {
			if (!is_pinnable(map))
				continue;
			err = pin_path(dp, path, sizeof(path), "%s", bpf_map__name(map));
			if (!err)
				err = bpf_map__set_pin_path(map, path);
			if (err)
				return err;
		}
	}
	err = sliceguard__load(dp->skel);
	if (err)
		return err;
	dp->loaded = true;
	for (p = 0; p < SG_DP_PROG_MAX; p++) {
		struct bpf_program *prog;

		prog = bpf_object__find_program_by_name(dp->skel->obj, prog_names[p]);
		dp->prog_fds[p] = prog ? bpf_program__fd(prog) : -ENOENT;
		if (dp->prog_fds[p] < 0)
			return -ENOENT;
	}
	return 0;
}

int sg_dp_open(const struct sg_dp_opts *opts, struct sg_dp **out)
{
	char path[PATH_MAX], why[200];
	struct sg_dp *dp;
	int err, m, p;

	dp = calloc(1, sizeof(*dp));
	if (!dp)
		return -ENOMEM;
	for (p = 0; p < SG_DP_PROG_MAX; p++)
		dp->prog_fds[p] = -1;
	if (opts) {
		dp->resolve = opts->resolve_ifindex;
		dp->resolve_ctx = opts->resolve_ctx;
	}
	if (opts && opts->pin_dir) {
		dp->pin_dir = strdup(opts->pin_dir);
		if (!dp->pin_dir) {
			free(dp);
			return -ENOMEM;
		}
	}
	dp->skel = sliceguard__open();
	if (!dp->skel) {
		err = -errno;
		goto err_free;
	}
	for (m = 0; m < SG_IMAP_MAX; m++) {
		const struct bpf_map *tmpl = bpf_map__inner_map(imap_outer(dp, m));

		if (!tmpl) {
			err = -ENOENT;
			goto err_destroy;
		}
		dp->inner[m].type = bpf_map__type(tmpl);
		dp->inner[m].key_size = bpf_map__key_size(tmpl);
		dp->inner[m].value_size = bpf_map__value_size(tmpl);
		dp->inner[m].max_entries = bpf_map__max_entries(tmpl);
		dp->inner[m].flags = bpf_map__map_flags(tmpl);
	}
	if (dp->pin_dir) {
		err = pin_path(dp, path, sizeof(path), "sg_config");
		if (err)
			goto err_destroy;
		dp->adopted = access(path, F_OK) == 0;
	}
	if (dp->adopted) {
		dp->pinned = true;
		err = adopt_pinned(dp, why, sizeof(why));
		if (!err) {
			*out = dp;
			return 0;
		}
		/*
		 * Never a mix of pinned and fresh maps: start over from a clean
		 * object and let the load reuse the pins or refuse them.
		 */
		close_prog_fds(dp);
		sliceguard__destroy(dp->skel);
		dp->skel = sliceguard__open();
		if (!dp->skel) {
			err = -errno;
			goto err_free;
		}
		snprintf(dp->errmsg, sizeof(dp->errmsg),
			 "pinned instance not adoptable as is: %s", why);
	}
	err = load(dp);
	if (err)
		goto err_destroy;
	*out = dp;
	return 0;

err_destroy:
	sliceguard__destroy(dp->skel);
err_free:
	free(dp->pin_dir);
	free(dp);
	return err < 0 ? err : -EINVAL;
}

bool sg_dp_loaded(const struct sg_dp *dp)
{
	return dp->loaded;
}

void sg_dp_close(struct sg_dp *dp)
{
	if (!dp)
		return;
	while (dp->n_links)
		close(dp->links[--dp->n_links].fd);
	free(dp->links);
	ring_buffer__free(dp->events);
	close_prog_fds(dp);
	sliceguard__destroy(dp->skel);
	free(dp->pin_dir);
	free(dp);
}

int sg_dp_prog_fd(const struct sg_dp *dp, enum sg_dp_prog prog)
{
	return prog < SG_DP_PROG_MAX ? dp->prog_fds[prog] : -EINVAL;
}

static int read_config(struct sg_dp *dp, struct sg_config *cfg)
{
	__u32 zero = 0;

	if (bpf_map_lookup_elem(bpf_map__fd(dp->skel->maps.sg_config), &zero, cfg))
		return -errno;
	return 0;
}

uint64_t sg_dp_generation(const struct sg_dp *dp)
{
	struct sg_config cfg;

	if (read_config((struct sg_dp *)dp, &cfg) || !cfg.applied)
		return 0;
	return cfg.generation[cfg.active_slot & 1];
}

/* Packets being decided from slot right now, over all CPUs. */
static int inflight(struct sg_dp *dp, __u32 slot, uint64_t *total)
{
	int ncpu = libbpf_num_possible_cpus();
	sg_inflight_t *vals;
	int i, err = 0;

	if (ncpu < 0)
		return ncpu;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	if (bpf_map_lookup_elem(bpf_map__fd(dp->skel->maps.sg_inflight), &slot, vals))
		err = -errno;
	*total = 0;
	for (i = 0; i < ncpu && !err; i++)
		*total += vals[i];
	free(vals);
	return err;
}

static int wait_drained(struct sg_dp *dp, __u32 slot)
{
	struct timespec pause = { .tv_nsec = 1000000 };
	uint64_t n;
	int i, err;

	for (i = 0; i < SG_DRAIN_TIMEOUT_MS; i++) {
		err = inflight(dp, slot, &n);
		if (err)
			return fail(dp, err, "reading in-flight counters: %s", strerror(-err));
		if (!n)
			return 0;
		nanosleep(&pause, NULL);
	}
	return fail(dp, -ETIMEDOUT, "slot %u did not drain (%llu packets in flight)", slot,
		    (unsigned long long)n);
}

/*
 * Make every program that may have read the old active slot finish: an
 * update of an ARRAY_OF_MAPS waits for an RCU grace period
 * (maybe_wait_bpf_programs()), and XDP and TC programs run under RCU. The
 * slot's own inner map is put back, so nothing changes for readers.
 */
static int sync_programs(struct sg_dp *dp, __u32 slot)
{
	int outer = bpf_map__fd(imap_outer(dp, SG_IMAP_IFACES));
	__u32 id;
	int fd, err = 0;

	if (bpf_map_lookup_elem(outer, &slot, &id))
		return errno == ENOENT ? 0 : -errno;
	fd = bpf_map_get_fd_by_id(id);
	if (fd < 0)
		return -errno;
	if (bpf_map_update_elem(outer, &slot, &fd, BPF_ANY))
		err = -errno;
	close(fd);
	return err;
}

/* A new inner map shaped like the outer map's template, filled from the image. */
static int make_inner(struct sg_dp *dp, const struct sg_dp_image *img, enum sg_imap m)
{
	const struct sg_inner_shape *shape = &dp->inner[m];
	LIBBPF_OPTS(bpf_map_create_opts, copts, .map_flags = shape->flags);
	const struct sg_image_map *im = &img->maps[m];
	size_t i;
	int fd;

	fd = bpf_map_create(shape->type, NULL, shape->key_size, shape->value_size,
			    shape->max_entries, &copts);
	if (fd < 0)
		return fail(dp, -errno, "creating %s: %s", sg_imap_names[m], strerror(errno));
	for (i = 0; i < im->n; i++) {
		const void *key, *val;

		key = sg_image_entry(img, m, i, &val);
		if (bpf_map_update_elem(fd, key, val, BPF_ANY)) {
			int err = -errno;

			close(fd);
			return fail(dp, err, "filling %s: %s", sg_imap_names[m], strerror(-err));
		}
	}
	return fd;
}

/* Drop counters of objects the new generation no longer has. */
static void prune_stats(struct bpf_map *map, const struct sg_image_map *objs)
{
	int fd = bpf_map__fd(map);
	__u32 key, next;
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		size_t i, stride = objs->key_size + objs->val_size;
		bool keep = false;

		for (i = 0; i < objs->n && !keep; i++)
			keep = !memcmp(objs->data + i * stride, &next, sizeof(next));
		if (!keep && !bpf_map_delete_elem(fd, &next))
			continue;	/* restart after next: it is gone */
		key = next;
		prev = &key;
	}
}

int sg_dp_apply(struct sg_dp *dp, const struct sg_policy *policy)
{
	struct sg_dp_image *img;
	struct sg_config cfg;
	__u32 zero = 0, slot, old;
	int cfg_fd = bpf_map__fd(dp->skel->maps.sg_config);
	bool was_applied;
	int err, m;

	dp->errmsg[0] = 0;
	err = sg_dp_compile(policy, dp->resolve, dp->resolve_ctx, &img, dp->errmsg,
			    sizeof(dp->errmsg));
	if (err)
		return err;
	err = read_config(dp, &cfg);
	if (err) {
		fail(dp, err, "reading sg_config: %s", strerror(-err));
		goto out;
	}
	old = cfg.active_slot & 1;
	was_applied = cfg.applied;
	slot = was_applied ? !old : 0;

	/* Packets that raced with the previous flip may still be there. */
	err = wait_drained(dp, slot);
	if (err)
		goto out;
	for (m = 0; m < SG_IMAP_MAX; m++) {
		int fd = make_inner(dp, img, m);

		if (fd < 0) {
			err = fd;
			goto out;
		}
		if (bpf_map_update_elem(bpf_map__fd(imap_outer(dp, m)), &slot, &fd, BPF_ANY))
			err = fail(dp, -errno, "installing %s: %s", sg_imap_names[m],
				   strerror(errno));
		close(fd);
		if (err)
			goto out;
	}

	/*
	 * Generation first, then the flip: a reader never pairs a slot with
	 * another slot's generation.
	 */
	cfg.generation[slot] = policy->generation;
	if (bpf_map_update_elem(cfg_fd, &zero, &cfg, BPF_ANY)) {
		err = fail(dp, -errno, "writing sg_config: %s", strerror(errno));
		goto out;
	}
	cfg.active_slot = slot;
	cfg.applied = 1;
	if (bpf_map_update_elem(cfg_fd, &zero, &cfg, BPF_ANY)) {
		err = fail(dp, -errno, "writing sg_config: %s", strerror(errno));
		goto out;
	}

	if (was_applied) {
		err = sync_programs(dp, old);
		if (err) {
			fail(dp, err, "waiting for programs: %s", strerror(-err));
			goto out;
		}
		err = wait_drained(dp, old);
		if (err)
			goto out;
	}
	prune_stats(dp->skel->maps.sg_slice_stats, &img->maps[SG_IMAP_SLICES]);
	prune_stats(dp->skel->maps.sg_app_stats, &img->maps[SG_IMAP_APPS]);
	prune_stats(dp->skel->maps.sg_rule_stats, &img->maps[SG_IMAP_RULES]);
out:
	sg_dp_image_free(img);
	return err;
}

/* ---- attaching ---- */

static int link_fd_of(struct sg_dp *dp, int ifindex, enum sg_hookpoint at, bool *pinned)
{
	char path[PATH_MAX];
	int fd;

	*pinned = false;
	if (!dp->pin_dir || pin_path(dp, path, sizeof(path), "link_%d_%s", ifindex,
				     hook_names[at]))
		return -ENOENT;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	*pinned = true;
	return fd;
}

/*
 * Pinned instance: pin the link so it outlives this process. Otherwise
 * keep its fd: the attachment lasts until sg_dp_detach() or sg_dp_close().
 */
static int keep_link(struct sg_dp *dp, int fd, int ifindex, enum sg_hookpoint at)
{
	char path[PATH_MAX];
	int err;

	if (!dp->pinned) {
		struct sg_link *links = realloc(dp->links, (dp->n_links + 1) * sizeof(*links));

		if (!links) {
			close(fd);
			return fail(dp, -ENOMEM, "out of memory");
		}
		dp->links = links;
		dp->links[dp->n_links++] = (struct sg_link){ ifindex, at, fd };
		return 0;
	}
	err = pin_path(dp, path, sizeof(path), "link_%d_%s", ifindex, hook_names[at]);
	if (err)
		return err;
	unlink(path);
	if (bpf_obj_pin(fd, path))
		return fail(dp, -errno, "pinning %s: %s", path, strerror(errno));
	close(fd);
	return 0;
}

/*
 * have_clsact: an earlier call made the clsact qdisc already (creating it
 * again works but makes the kernel complain).
 */
static int attach_tc(struct sg_dp *dp, int prog_fd, int ifindex, enum sg_hookpoint at,
		     bool have_clsact)
{
	enum bpf_attach_type type = at == SG_AT_INGRESS ? BPF_TCX_INGRESS : BPF_TCX_EGRESS;
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = at == SG_AT_INGRESS ? BPF_TC_INGRESS : BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, tc, .handle = SG_TC_HANDLE, .priority = SG_TC_PRIO,
		    .prog_fd = prog_fd, .flags = BPF_TC_F_REPLACE);
	int fd, err;

	fd = bpf_link_create(prog_fd, ifindex, type, NULL);
	if (fd >= 0)
		return keep_link(dp, fd, ifindex, at);
	if (errno != EINVAL && errno != EOPNOTSUPP)
		return fail(dp, -errno, "tcx attach to ifindex %d: %s", ifindex, strerror(errno));

	/*
	 * No TCX (before 6.6): our own cls_bpf filter on clsact, next to
	 * whatever other filters are there.
	 */
	err = have_clsact ? 0 : bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST)
		return fail(dp, err, "clsact on ifindex %d: %s", ifindex, strerror(-err));
	err = bpf_tc_attach(&hook, &tc);
	if (err)
		return fail(dp, err, "tc attach to ifindex %d: %s", ifindex, strerror(-err));
	return 0;
}

int sg_dp_attach_uplink(struct sg_dp *dp, int ifindex)
{
	int fd, err;

	fd = bpf_link_create(sg_dp_prog_fd(dp, SG_DP_PROG_UPLINK), ifindex, BPF_XDP, NULL);
	if (fd < 0)
		return fail(dp, -errno, "xdp attach to ifindex %d: %s", ifindex, strerror(errno));
	err = keep_link(dp, fd, ifindex, SG_AT_XDP);
	if (err)
		return err;
	return attach_tc(dp, sg_dp_prog_fd(dp, SG_DP_PROG_UPLINK_MARK), ifindex, SG_AT_INGRESS,
			 false);
}

int sg_dp_attach_uplink_egress(struct sg_dp *dp, int ifindex)
{
	return attach_tc(dp, sg_dp_prog_fd(dp, SG_DP_PROG_EGRESS), ifindex, SG_AT_EGRESS,
			 true);
}

int sg_dp_attach_app(struct sg_dp *dp, int ifindex)
{
	int err;

	err = attach_tc(dp, sg_dp_prog_fd(dp, SG_DP_PROG_APP_INGRESS), ifindex, SG_AT_INGRESS,
			false);
	if (err)
		return err;
	return attach_tc(dp, sg_dp_prog_fd(dp, SG_DP_PROG_EGRESS), ifindex, SG_AT_EGRESS,
			 true);
}

int sg_dp_detach(struct sg_dp *dp, int ifindex)
{
	bool linked = false;
	enum sg_hookpoint at;
	unsigned int i;
	int err = 0;

	for (i = 0; i < dp->n_links;) {
		if (dp->links[i].ifindex != ifindex) {
			i++;
			continue;
		}
		if (bpf_link_detach(dp->links[i].fd) && !err)
			err = fail(dp, -errno, "detaching link: %s", strerror(errno));
		close(dp->links[i].fd);
		dp->links[i] = dp->links[--dp->n_links];
		linked = true;
	}
	for (at = 0; at < SG_AT_MAX; at++) {
		char path[PATH_MAX];
		bool pinned;
		int fd = link_fd_of(dp, ifindex, at, &pinned);

		if (fd >= 0) {
			/* Links mean TCX: no clsact filter of ours to remove. */
			linked = true;
			if (bpf_link_detach(fd) && !err)
				err = fail(dp, -errno, "detaching link: %s", strerror(errno));
			close(fd);
			if (pinned && !pin_path(dp, path, sizeof(path), "link_%d_%s", ifindex,
						hook_names[at]))
				unlink(path);
		}
		if (at != SG_AT_XDP && !linked) {
			LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
				    .attach_point = at == SG_AT_INGRESS ? BPF_TC_INGRESS :
									  BPF_TC_EGRESS);
			LIBBPF_OPTS(bpf_tc_opts, tc, .handle = SG_TC_HANDLE,
				    .priority = SG_TC_PRIO);

			/* Only our own filter; ENOENT: there was none. */
			bpf_tc_detach(&hook, &tc);
		}
	}
	return err;
}

/* ---- pinning ---- */

int sg_dp_pin(struct sg_dp *dp)
{
	struct bpf_program *prog;
	struct bpf_map *map;
	char path[PATH_MAX];
	int err;

	if (!dp->pin_dir)
		return fail(dp, -EINVAL, "no pin directory");
	/* Adopted without loading: everything came from these pins. */
	if (dp->adopted && !dp->loaded)
		return 0;
	if (mkdir(dp->pin_dir, 0700) && errno != EEXIST)
		return fail(dp, -errno, "mkdir %s: %s", dp->pin_dir, strerror(errno));
	bpf_object__for_each_map(map, dp->skel->obj) {
		if (!is_pinnable(map) || bpf_map__is_pinned(map))
			continue;
		err = pin_path(dp, path, sizeof(path), "%s", bpf_map__name(map));
		if (!err)
			err = bpf_map__pin(map, path);
		if (err)
			return fail(dp, err, "pinning %s: %s", path, strerror(-err));
	}
	bpf_object__for_each_program(prog, dp->skel->obj) {
		err = pin_path(dp, path, sizeof(path), "prog_%s", bpf_program__name(prog));
		if (err)
			return err;
		unlink(path);
		err = bpf_program__pin(prog, path);
		if (err)
			return fail(dp, err, "pinning %s: %s", path, strerror(-err));
	}
	dp->pinned = true;
	return 0;
}

int sg_dp_unpin(struct sg_dp *dp)
{
	struct dirent *de;
	char path[PATH_MAX];
	DIR *dir;

	if (!dp->pin_dir)
		return fail(dp, -EINVAL, "no pin directory");
	dir = opendir(dp->pin_dir);
	if (!dir)
		return errno == ENOENT ? 0 : fail(dp, -errno, "%s: %s", dp->pin_dir,
						   strerror(errno));
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		if (!pin_path(dp, path, sizeof(path), "%s", de->d_name))
			unlink(path);
	}
	closedir(dir);
	rmdir(dp->pin_dir);
	dp->pinned = false;
	return 0;
}

/* ---- state and counters ---- */

static void clear_map(struct bpf_map *map)
{
	int fd = bpf_map__fd(map);
	uint8_t key[64];

	while (!bpf_map_get_next_key(fd, NULL, key))
		if (bpf_map_delete_elem(fd, key))
			break;
}

int sg_dp_flush_state(struct sg_dp *dp)
{
	clear_map(dp->skel->maps.sg_flows);
	clear_map(dp->skel->maps.sg_frags);
	clear_map(dp->skel->maps.sg_buckets);
	return 0;
}

/* ---- the host's own addresses ---- */

union sg_host_key {
	struct sg_lpm4_key k4;
	struct sg_lpm6_key k6;
};

static void host_key(const struct sg_prefix *p, union sg_host_key *k)
{
	memset(k, 0, sizeof(*k));
	if (p->family == AF_INET) {
		k->k4.prefixlen = p->len;
		memcpy(k->k4.addr, p->addr, 4);
	} else {
		k->k6.prefixlen = p->len;
		memcpy(k->k6.addr, p->addr, 16);
	}
}

static int cmp_host_key(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(union sg_host_key));
}

/* Sorted, distinct keys of family's prefixes into *keys (free()d by the caller). */
static int host_keys(const struct sg_host_prefix *prefixes, size_t n, int family,
		     union sg_host_key **keys, size_t *n_keys)
{
	union sg_host_key *k = calloc(n ? n : 1, sizeof(*k));
	size_t i, m = 0;

	if (!k)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		if (prefixes[i].prefix.family == family)
			host_key(&prefixes[i].prefix, &k[m++]);
	qsort(k, m, sizeof(*k), cmp_host_key);
	for (i = 0, n = 0; i < m; i++)
		if (!n || cmp_host_key(&k[n - 1], &k[i]))
			k[n++] = k[i];
	*keys = k;
	*n_keys = n;
	return 0;
}

/*
 * Stale keys first, then the new ones: a key that stays is never touched,
 * and the map never holds more than the larger of the old and new sets.
 */
static int host_family_set(struct sg_dp *dp, struct bpf_map *map, int family,
			   const struct sg_host_prefix *prefixes, size_t n,
			   const union sg_host_key *keys, size_t n_keys)
{
	union sg_host_key k, next;
	int fd = bpf_map__fd(map);
	bool more;
	size_t i;

	memset(&next, 0, sizeof(next));
	/* Deleting the current key would lose the walk: step first. */
	more = !bpf_map_get_next_key(fd, NULL, &next);
	while (more) {
		k = next;
		more = !bpf_map_get_next_key(fd, &k, &next);
		if (!bsearch(&k, keys, n_keys, sizeof(k), cmp_host_key))
			bpf_map_delete_elem(fd, &k);
	}
	for (i = 0; i < n; i++) {
		if (prefixes[i].prefix.family != family)
			continue;
		host_key(&prefixes[i].prefix, &k);
		if (bpf_map_update_elem(fd, &k, &prefixes[i].ifindex, BPF_ANY))
			return fail(dp, -errno, "host address map: %s", strerror(errno));
	}
	return 0;
}

int sg_dp_set_host_prefixes(struct sg_dp *dp, const struct sg_host_prefix *prefixes, size_t n)
{
	union sg_host_key *k4 = NULL, *k6 = NULL;
	size_t i, n4 = 0, n6 = 0;
	int err;

	for (i = 0; i < n; i++) {
		const struct sg_prefix *p = &prefixes[i].prefix;

		if (!(p->family == AF_INET && p->len <= 32) &&
		    !(p->family == AF_INET6 && p->len <= 128))
			return fail(dp, -EINVAL, "host prefix %zu: bad family or length", i);
	}
	err = host_keys(prefixes, n, AF_INET, &k4, &n4);
	if (!err)
		err = host_keys(prefixes, n, AF_INET6, &k6, &n6);
	if (!err && (n4 > SG_HOST_PREFIXES || n6 > SG_HOST_PREFIXES))
		err = fail(dp, -E2BIG, "%zu IPv4 and %zu IPv6 host prefixes, at most %d each",
			   n4, n6, SG_HOST_PREFIXES);
	if (!err)
		err = host_family_set(dp, dp->skel->maps.sg_host4, AF_INET, prefixes, n, k4, n4);
	if (!err)
		err = host_family_set(dp, dp->skel->maps.sg_host6, AF_INET6, prefixes, n, k6, n6);
	free(k4);
	free(k6);
	return err;
}

int sg_dp_sync_host(struct sg_dp *dp, size_t *n_out)
{
	struct sg_host_prefix *prefixes = NULL;
	size_t n = 0;
	int err;

	err = sg_host_prefixes_read(&prefixes, &n);
	if (err)
		return fail(dp, err, "cannot read the host's addresses: %s", strerror(-err));
	err = sg_dp_set_host_prefixes(dp, prefixes, n);
	free(prefixes);
	if (!err && n_out)
		*n_out = n;
	return err;
}

/* Sum a per-CPU value of n u64 fields. */
static int percpu_sum(struct bpf_map *map, const void *key, uint64_t *out, size_t n)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *vals;
	size_t i;
	int c, err = 0;

	if (ncpu < 0)
		return ncpu;
	vals = calloc((size_t)ncpu * n, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	memset(out, 0, n * sizeof(*out));
	if (bpf_map_lookup_elem(bpf_map__fd(map), key, vals)) {
		err = -errno;
	} else {
		for (c = 0; c < ncpu; c++)
			for (i = 0; i < n; i++)
				out[i] += vals[c * n + i];
	}
	free(vals);
	return err;
}

int sg_dp_reason_counts(struct sg_dp *dp, struct sg_count counts[SG_R_MAX])
{
	__u32 r;
	int err;

	for (r = 0; r < SG_R_MAX; r++) {
		err = percpu_sum(dp->skel->maps.sg_reason_stats, &r, (uint64_t *)&counts[r], 2);
		if (err)
			return err;
	}
	return 0;
}

static int obj_counts(struct bpf_map *map, uint32_t id, struct sg_obj_count *count)
{
	int err = percpu_sum(map, &id, (uint64_t *)count, 4);

	if (err == -ENOENT) {
		memset(count, 0, sizeof(*count));
		return 0;
	}
	return err;
}

int sg_dp_slice_counts(struct sg_dp *dp, uint32_t id, struct sg_obj_count *count)
{
	return obj_counts(dp->skel->maps.sg_slice_stats, id, count);
}

int sg_dp_app_counts(struct sg_dp *dp, uint32_t id, struct sg_obj_count *count)
{
	return obj_counts(dp->skel->maps.sg_app_stats, id, count);
}

int sg_dp_rule_counts(struct sg_dp *dp, uint32_t id, struct sg_obj_count *count)
{
	return obj_counts(dp->skel->maps.sg_rule_stats, id, count);
}

int sg_dp_event_stats(struct sg_dp *dp, uint64_t stats[SG_EVENT_STAT_MAX])
{
	__u32 i;
	int err;

	for (i = 0; i < SG_EVENT_STAT_MAX; i++) {
		err = percpu_sum(dp->skel->maps.sg_event_stats, &i, &stats[i], 1);
		if (err)
			return err;
	}
	return 0;
}

/* ---- events ---- */

static int on_event(void *ctx, void *data, size_t size)
{
	struct sg_dp *dp = ctx;

	if (size < sizeof(struct sg_deny_event) || !dp->event_fn)
		return 0;
	return dp->event_fn(dp->event_ctx, data);
}

static int events_open(struct sg_dp *dp)
{
	if (dp->events)
		return 0;
	dp->events = ring_buffer__new(bpf_map__fd(dp->skel->maps.sg_events), on_event, dp,
				      NULL);
	if (!dp->events)
		return fail(dp, -errno, "ring buffer: %s", strerror(errno));
	return 0;
}

int sg_dp_poll_events(struct sg_dp *dp, sg_dp_event_fn fn, void *ctx, int timeout_ms)
{
	int err = events_open(dp);

	if (err)
		return err;
	dp->event_fn = fn;
	dp->event_ctx = ctx;
	err = ring_buffer__poll(dp->events, timeout_ms);
	dp->event_fn = NULL;
	return err;
}

int sg_dp_events_fd(struct sg_dp *dp)
{
	int err = events_open(dp);

	return err ? err : ring_buffer__epoll_fd(dp->events);
}

/* ---- reasons ---- */

static const char *const reason_names[SG_R_MAX] = {
	[SG_R_NO_POLICY] = "NO_POLICY",
	[SG_R_POLICY_BUSY] = "POLICY_BUSY",
	[SG_R_MALFORMED] = "MALFORMED",
	[SG_R_L3_UNKNOWN] = "L3_UNKNOWN",
	[SG_R_NON_IP] = "NON_IP",
	[SG_R_ND] = "ND",
	[SG_R_VLAN_STACKED] = "VLAN_STACKED",
	[SG_R_EXTHDR_CHAIN] = "EXTHDR_CHAIN",
	[SG_R_FRAG_TINY] = "FRAG_TINY",
	[SG_R_FRAG_NO_FIRST] = "FRAG_NO_FIRST",
	[SG_R_FRAG_OVERLAP] = "FRAG_OVERLAP",
	[SG_R_FRAG_OUTER] = "FRAG_OUTER",
	[SG_R_GTP_CONTROL] = "GTP_CONTROL",
	[SG_R_NO_SLICE] = "NO_SLICE",
	[SG_R_UNSLICED_PASS] = "UNSLICED_PASS",
	[SG_R_SPOOF] = "SPOOF",
	[SG_R_NO_ENDPOINT] = "NO_ENDPOINT",
	[SG_R_REPLY] = "REPLY",
	[SG_R_FLOW] = "FLOW",
	[SG_R_INTRA_SLICE] = "INTRA_SLICE",
	[SG_R_NO_RULE] = "NO_RULE",
	[SG_R_RATE_UE] = "RATE_UE",
	[SG_R_RATE_SLICE] = "RATE_SLICE",
	[SG_R_RATE_APP] = "RATE_APP",
	[SG_R_RATE_RULE] = "RATE_RULE",
	[SG_R_RULE] = "RULE",
	[SG_R_FLOW_FULL] = "FLOW_FULL",
	[SG_R_RELATED] = "RELATED",
	[SG_R_SOURCE_ROUTE] = "SOURCE_ROUTE",
};

const char *sg_reason_name(unsigned int reason)
{
	return reason < SG_R_MAX ? reason_names[reason] : NULL;
}

bool sg_reason_passes(unsigned int reason)
{
	return reason < SG_R_MAX && (SG_PASS_REASONS & (1U << reason));
}
