/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The slicectl command grammar for policy objects, shared by slicectl (command
 * line and -batch), sliceguardd's declarative mode and the tests: text in,
 * sg_* objects of policy.h out, no kernel involved. The grammar is documented
 * in Documentation/man/slicectl.8.rst.
 *
 * Names of slices and apps that commands refer to are resolved against a
 * struct sg_policy the caller supplies (the kernel's current policy, or the
 * policy being built from a file); numeric ids are taken as they are.
 */
#ifndef SLICEGUARD_POLICY_PARSE_H
#define SLICEGUARD_POLICY_PARSE_H

#include <stddef.h>
#include <stdint.h>
#include "policy.h"

enum sg_object {
	SG_OBJECT_SLICE,
	SG_OBJECT_APP,
	SG_OBJECT_RULE,
	SG_OBJECT_UPLINK,
};

/*
 * What a command does to the module: add (new), set (replace the whole
 * object), del. The parser also takes SG_VERB_REPLACE, "replace": the
 * whole object as given, a SG_VERB_SET command; its SG_VERB_SET, "set",
 * changes only what the words name on the object as the names policy has
 * it, and also makes a SG_VERB_SET command of the whole object.
 */
enum sg_verb {
	SG_VERB_ADD,
	SG_VERB_SET,
	SG_VERB_DEL,
	SG_VERB_REPLACE,
};

/*
 * One parsed add/set/del command. For add and set the object is complete.
 * For del only the key is filled: slice and app by id or, when the user gave
 * a name, by name with id 0; rule by id; uplink by ifname.
 */
struct sg_command {
	enum sg_object object;
	enum sg_verb verb;
	union {
		struct sg_slice slice;
		struct sg_app app;
		struct sg_rule rule;
		struct sg_uplink uplink;
	};
};

/* Longest line a policy file or -batch file may hold, and most words in it. */
#define SG_LINE_MAX	4096
#define SG_ARGS_MAX	256

/**
 * sg_match() - Match a possibly abbreviated word against a list of keywords.
 * @arg: the user's word
 * @words: keyword table, NULL terminated
 *
 * An exact match wins; otherwise @arg must be a prefix of exactly one keyword.
 *
 * Return: the keyword's index, -ENOENT if none matches, -EINVAL if @arg is
 * a prefix of several.
 */
int sg_match(const char *arg, const char *const *words);

/**
 * sg_split_line() - Split a line into words in place.
 * @line: the line; modified (NUL bytes written between words)
 * @argv: receives up to @max word pointers
 * @max: size of @argv
 *
 * Words are separated by blanks; '#' starts a comment up to the end of line.
 *
 * Return: number of words (0 for blank and comment lines), -E2BIG when more
 * than @max words.
 */
int sg_split_line(char *line, char **argv, int max);

/**
 * sg_parse_command() - Parse one add/set/del command.
 * @argc: number of words
 * @argv: "[slicectl] OBJECT VERB ARGS..."; objects and verbs may be abbreviated
 * @names: policy against which slice and app names are resolved
 * @cmd: receives the command
 * @err: receives a message on failure (e.g. `unknown argument "foo"`)
 * @errlen: size of @err
 *
 * Checks syntax, value ranges and required arguments, not the integrity of
 * the policy as a whole (that is the kernel's, or sg_policy_apply()'s, job).
 *
 * Return: 0, or -errno (-EINVAL syntax, -ERANGE value out of range, -E2BIG
 * too many of a repeatable argument, -ENOENT unknown slice or app name).
 */
int sg_parse_command(int argc, char **argv, const struct sg_policy *names,
		     struct sg_command *cmd, char *err, size_t errlen);

/**
 * sg_parse_object_args() - Parse the arguments after "OBJECT VERB".
 * @object: the object
 * @verb: the verb
 * @argc: number of words
 * @argv: the words after the verb
 * @names: policy against which slice and app names are resolved
 * @cmd: receives the command
 * @err: receives a message on failure
 * @errlen: size of @err
 *
 * For callers (slicectl) that have matched the object and verb themselves.
 *
 * Return: as sg_parse_command().
 */
int sg_parse_object_args(enum sg_object object, enum sg_verb verb, int argc,
			 char **argv, const struct sg_policy *names,
			 struct sg_command *cmd, char *err, size_t errlen);

/**
 * sg_policy_apply() - Apply a parsed command to an in-memory policy.
 * @policy: the policy
 * @cmd: the command
 * @err: receives a message on failure
 * @errlen: size of @err
 *
 * Follows the policy store's rules where no kernel is involved: add fails on
 * an existing key or name (-EEXIST), set and del on a missing key (-ENOENT),
 * references must exist (-ENOENT), del of a referenced object is -EBUSY, a
 * rule without an id gets the lowest free one. Classifier overlap between
 * slices and endpoint overlap between apps are checked too (-EEXIST).
 * Messages are those of Documentation/policy-store.rst.
 *
 * Return: 0 or -errno; on failure @policy is unchanged.
 */
int sg_policy_apply(struct sg_policy *policy, const struct sg_command *cmd,
		    char *err, size_t errlen);

/**
 * sg_policy_parse_file() - Build a policy from a file of add commands.
 * @path: the file
 * @policy: an initialised (normally empty) policy that receives the objects
 * @err: receives "line N: message" on failure
 * @errlen: size of @err
 *
 * Every non-blank, non-comment line is one "OBJECT add ..." command (a leading
 * "slicectl" is allowed), applied with sg_policy_apply(). The generation of
 * @policy is left as it was.
 *
 * Return: 0, or -errno of the first failing line (or of opening the file).
 * On failure @policy may hold the objects of the lines before.
 */
int sg_policy_parse_file(const char *path, struct sg_policy *policy,
			 char *err, size_t errlen);

/* Value parsers shared with slicectl; each returns 0 or -EINVAL/-ERANGE. */

/* "10.0.0.0/8", "2001:db8::/32"; an address without /len is a host prefix. */
int sg_parse_prefix(const char *arg, struct sg_prefix *prefix);
/* "N" or "N-M" into first/last; fails when first > last or M > max. */
int sg_parse_range(const char *arg, uint32_t max, uint32_t *first, uint32_t *last);
/*
 * tc units: bit, kbit, mbit, gbit, tbit; bps, kbps, mbps, gbps (bytes);
 * a bare number is bits per second. Result in bytes per second, exactly:
 * -EDOM for a value that is not a whole number of bytes per second ("12bit"),
 * -ERANGE beyond 64 bits, -EINVAL for anything but decimal digits with an
 * optional fraction and a unit.
 */
int sg_parse_rate(const char *arg, uint64_t *bytes_per_sec);
/* tc size units: b, k/kb, m/mb, g/gb (bytes; "kbit", "mbit" are bits); exact as rates. */
int sg_parse_size(const char *arg, uint64_t *bytes);
/* tcp, udp, icmp, icmpv6, sctp or a number 0-255. */
int sg_parse_proto(const char *arg, uint8_t *proto);

/* Text forms used by slicectl's output. */
#define SG_PREFIX_STRLEN	(46 + 4)
void sg_format_prefix(const struct sg_prefix *prefix, char *buf, size_t len);
/* Protocol name ("tcp") or NULL when it has none worth printing. */
const char *sg_proto_name(uint8_t proto);

#endif /* SLICEGUARD_POLICY_PARSE_H */
