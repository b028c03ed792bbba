/* SPDX-License-Identifier: GPL-2.0 */
/* Internals shared by the data path loader (dp.c) and compiler (dp_compile.c). */
#ifndef SLICEGUARD_DP_PRIV_H
#define SLICEGUARD_DP_PRIV_H

#include <stddef.h>
#include <stdint.h>

/* The per-slot policy maps, in the order sg_dp_apply() writes them. */
enum sg_imap {
	SG_IMAP_IFACES,
	SG_IMAP_SLICES,
	SG_IMAP_APPS,
	SG_IMAP_RULES,
	SG_IMAP_RULE_LPM,
	SG_IMAP_UE4,
	SG_IMAP_UE6,
	SG_IMAP_EP4,
	SG_IMAP_EP6,
	SG_IMAP_TEIDS,
	SG_IMAP_VLANS,
	SG_IMAP_DSCPS,
	SG_IMAP_MAX,
};

/* BPF map names of the outer (ARRAY_OF_MAPS) maps. */
extern const char *const sg_imap_names[SG_IMAP_MAX];

/* Entries of one map: n (key, value) pairs back to back. */
struct sg_image_map {
	size_t n, cap;
	size_t key_size, val_size;
	uint8_t *data;
};

struct sg_dp_image {
	uint64_t generation;
	struct sg_image_map maps[SG_IMAP_MAX];
};

/* Key of entry i of map; *val is set to its value. */
const void *sg_image_entry(const struct sg_dp_image *image, enum sg_imap map, size_t i,
			   const void **val);

#endif /* SLICEGUARD_DP_PRIV_H */
