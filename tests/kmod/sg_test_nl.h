/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Netlink client for the sliceguard.ko tests: one socket per sg_nl, requests
 * built with libnl, replies and extended acks parsed here so that a test can
 * assert errno, extack message, attribute offset and missing-attribute type.
 */
#ifndef SG_TEST_NL_H
#define SG_TEST_NL_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>
#include <linux/sliceguard.h>

/* The extended ack of the last request (all zero after a success). */
struct sg_ext {
	int err;		/* 0 or a negative errno */
	char msg[256];		/* NLMSGERR_ATTR_MSG, "" when absent */
	uint32_t offs;		/* NLMSGERR_ATTR_OFFS, 0 when absent */
	uint32_t miss_type;	/* NLMSGERR_ATTR_MISS_TYPE, 0 when absent */
	uint32_t miss_nest;	/* NLMSGERR_ATTR_MISS_NEST, 0 when absent */
};

/* One received generic netlink message: command, flags and its attributes. */
struct sg_reply {
	uint8_t cmd;
	uint16_t nlmsg_flags;
	int len;		/* bytes of attributes */
	struct nlattr *attrs;	/* malloc'd copy */
};

struct sg_replies {
	int n;
	struct sg_reply *r;
	bool intr;		/* some part carried NLM_F_DUMP_INTR */
	int datagrams;		/* recvmsg calls the dump took */
};

struct sg_nl {
	struct nl_sock *sk;
	int family;
	int grp_config;
	uint32_t portid;
	struct sg_ext ext;	/* of the last do or dump request */
	struct sg_reply reply;	/* reply to the last do request, cmd 0 if none */
	struct sg_replies dump;	/* parts of the last dump */
	struct sg_replies ntf;	/* queued notifications (listener sockets) */
	bool dump_done;
	uint32_t dump_seq;
};

/* Open a socket in the caller's current network namespace; NULL + errno. */
struct sg_nl *sg_open(void);
/* The same, bound to port id @portid (0: the kernel picks one). */
struct sg_nl *sg_open_at_port(uint32_t portid);
void sg_close(struct sg_nl *nl);
/* Join the config multicast group: 0 or a negative errno. */
int sg_join_config(struct sg_nl *nl);

/* Request building; every sg_put_* returns the attribute's offset in the message. */
struct nl_msg *sg_msg(struct sg_nl *nl, uint8_t cmd, int flags);
uint32_t sg_put(struct nl_msg *m, int type, const void *data, int len);
uint32_t sg_put_u8(struct nl_msg *m, int type, uint8_t v);
uint32_t sg_put_u16(struct nl_msg *m, int type, uint16_t v);
uint32_t sg_put_u32(struct nl_msg *m, int type, uint32_t v);
uint32_t sg_put_u64(struct nl_msg *m, int type, uint64_t v);
uint32_t sg_put_str(struct nl_msg *m, int type, const char *s);
struct nlattr *sg_nest(struct nl_msg *m, int type);
void sg_nest_end(struct nl_msg *m, struct nlattr *nest);
uint32_t sg_offset(struct nl_msg *m, const struct nlattr *nla);
/* A prefix nest from "a.b.c.d/len" or "x::/len". */
uint32_t sg_put_prefix(struct nl_msg *m, int type, const char *cidr);
uint32_t sg_put_range(struct nl_msg *m, int type, uint32_t first, uint32_t last);

/*
 * Send, wait for the reply and the ack; frees @m. Returns 0 or the negative
 * errno from the kernel, with nl->ext and nl->reply filled in.
 */
int sg_do(struct sg_nl *nl, struct nl_msg *m);
/* Dump @cmd into nl->dump; returns 0 or a negative errno. */
int sg_dump(struct sg_nl *nl, uint8_t cmd);
/* The same in steps: start, then read one datagram per step until done. */
int sg_dump_start(struct sg_nl *nl, uint8_t cmd);
int sg_dump_step(struct sg_nl *nl);
/* Wait up to @timeout_ms for one more notification in nl->ntf; 0 or -ETIMEDOUT. */
int sg_ntf_wait(struct sg_nl *nl, int timeout_ms);
/* Take the oldest queued notification (caller frees with sg_reply_free). */
int sg_ntf_pop(struct sg_nl *nl, struct sg_reply *out, int timeout_ms);
void sg_reply_free(struct sg_reply *r);
void sg_replies_free(struct sg_replies *rs);

/* Attribute access on a received message. */
const struct nlattr *sg_attr(const struct sg_reply *r, int type);
int sg_attr_count(const struct sg_reply *r, int type);
/* Unsigned integer of any width; @dflt when the attribute is absent. */
uint64_t sg_get(const struct sg_reply *r, int type, uint64_t dflt);

/* Objects as the tests see them; parse fills every field (absent = default). */
#define SG_CIDR_LEN 48

struct sg_range {
	uint32_t first, last;
};

struct sg_slice {
	uint32_t id;
	char name[32];
	uint8_t sst;
	bool has_sd;
	uint32_t sd;
	char ue_prefix[SLICEGUARD_MAX_UE_PREFIXES + 1][SG_CIDR_LEN];	/* "" ends */
	uint16_t vlan[SLICEGUARD_MAX_VLANS + 1];			/* 0 ends */
	struct sg_range teid[SLICEGUARD_MAX_TEID_RANGES + 1];		/* 0-0 ends */
	int n_dscp;
	uint8_t dscp[SLICEGUARD_MAX_DSCPS];
	uint64_t rate_bytes, burst_bytes, rate_packets, ue_rate_bytes;
	uint32_t mark;
	uint8_t ue_to_ue;
};

struct sg_endpoint {
	char prefix[SG_CIDR_LEN];	/* "" ends a list */
	uint8_t proto;
	bool has_ports;			/* else absent: 0-65535 */
	uint16_t port_first, port_last;
};

struct sg_app {
	uint32_t id;
	char name[32];
	uint32_t slice[SLICEGUARD_MAX_APP_SLICES + 1];		/* 0 ends */
	struct sg_endpoint ep[SLICEGUARD_MAX_ENDPOINTS + 1];
	char ifname[16];
	uint64_t rate_bytes, burst_bytes, rate_packets;
};

struct sg_rule {
	uint32_t id;			/* 0: let the kernel choose */
	uint32_t src_kind, src_id, dst_kind, dst_id;
	uint8_t proto;
	bool has_ports;
	uint16_t port_first, port_last;
	uint64_t rate_bytes, burst_bytes, rate_packets;
};

struct sg_uplink {
	char ifname[16];
	uint32_t mode, unsliced;
};

/* Build a request carrying the whole object. */
struct nl_msg *sg_slice_msg(struct sg_nl *nl, uint8_t cmd, int flags, const struct sg_slice *s);
struct nl_msg *sg_app_msg(struct sg_nl *nl, uint8_t cmd, int flags, const struct sg_app *a);
struct nl_msg *sg_rule_msg(struct sg_nl *nl, uint8_t cmd, int flags, const struct sg_rule *r);
struct nl_msg *sg_uplink_msg(struct sg_nl *nl, uint8_t cmd, int flags, const struct sg_uplink *u);
/* Key-only requests (get/del). */
struct nl_msg *sg_key_msg(struct sg_nl *nl, uint8_t cmd, int key_type, uint32_t id);
struct nl_msg *sg_name_msg(struct sg_nl *nl, uint8_t cmd, int key_type, const char *name);

void sg_slice_parse(const struct sg_reply *r, struct sg_slice *s);
void sg_app_parse(const struct sg_reply *r, struct sg_app *a);
void sg_rule_parse(const struct sg_reply *r, struct sg_rule *rl);
void sg_uplink_parse(const struct sg_reply *r, struct sg_uplink *u);

/* Canonical one-line text of an object, into @buf; returns @buf. */
char *sg_slice_fmt(const struct sg_slice *s, char *buf, size_t len);
char *sg_app_fmt(const struct sg_app *a, char *buf, size_t len);
char *sg_rule_fmt(const struct sg_rule *r, char *buf, size_t len);
char *sg_uplink_fmt(const struct sg_uplink *u, char *buf, size_t len);

/*
 * The whole committed state as seen from @nl: policy-get and every dump,
 * as text (malloc'd). Two equal snapshots mean nothing changed.
 */
char *sg_snapshot(struct sg_nl *nl);
/* Generation of the policy (policy-get); UINT64_MAX on failure. */
uint64_t sg_generation(struct sg_nl *nl);

/* Module parameters under /sys/module/sliceguard/parameters; -1 on failure. */
long sg_param_read(const char *name);
/* The module's allocated objects over all namespaces (debugfs); -1 on failure. */
long sg_live_objects(void);
/*
 * The module's allocation failure injection (debugfs sliceguard/fail_nth):
 * set N (the N-th allocation from now fails), read what is left of it.
 */
int sg_fail_nth_set(long n);
long sg_fail_nth_left(void);
int sg_param_write(const char *name, long value);

/*
 * The kernel log from now on (/dev/kmsg at its end, non-blocking), and the
 * first warning, BUG, oops or corruption report in it since; 0 if none.
 */
int sg_kmsg_open(void);
int sg_kmsg_complaint(int fd, char *line, size_t len);

#endif /* SG_TEST_NL_H */
