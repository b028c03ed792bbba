/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slicectl's one print layer: every field goes through one call that emits
 * it as text, as JSON (json-c), or both, so `-j` and text cannot disagree.
 * Modelled on iproute2's json_print.h.
 */
#ifndef SLICECTL_PRINT_H
#define SLICECTL_PRINT_H

#include <stdbool.h>
#include <stdint.h>

enum output {
	PRINT_ANY,	/* text with fmt, JSON under key */
	PRINT_TEXT,	/* text only */
	PRINT_JSON,	/* JSON only */
};

void print_init(bool json, bool pretty);
bool print_json(void);

/*
 * Containers. key is the member name inside an object, NULL inside an
 * array or at the top. Closing the top-level container emits it (JSON) or
 * ends the text line; a top-level array in text mode emits nothing itself.
 */
void print_open_object(const char *key);
void print_close_object(void);
void print_open_array(const char *key);
void print_close_array(void);
/* Drop whatever is open and unprinted, when a request fails half way. */
void print_discard(void);

/* fmt takes the value: a const char * for strings, a uint64_t otherwise. */
void print_string(enum output out, const char *key, const char *fmt, const char *val);
void print_uint(enum output out, const char *key, const char *fmt, uint64_t val);
/* Rates print as tc units in text (e.g. "50mbit"), bytes/s in JSON. */
void print_rate(enum output out, const char *key, const char *fmt, uint64_t bytes_per_sec);
/* Sizes print as tc units in text ("64k"), bytes in JSON. */
void print_size(enum output out, const char *key, const char *fmt, uint64_t bytes);

#endif /* SLICECTL_PRINT_H */
