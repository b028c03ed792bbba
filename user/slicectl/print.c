// SPDX-License-Identifier: GPL-2.0
/*
 * Text goes to a line buffer that is written when the top-level object
 * closes (trailing blank trimmed); JSON is built as a json-c tree and written
 * when the top-level container closes, so one JSON document (or one per
 * monitor event) is one line unless -p.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "print.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_DEPTH 8

static bool json;
static int json_flags = JSON_C_TO_STRING_PLAIN;
static struct json_object *stack[MAX_DEPTH];
static bool is_object[MAX_DEPTH];
static int depth;
static char line[8192];
static size_t line_len;

void print_init(bool use_json, bool pretty)
{
	json = use_json;
	json_flags = pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED :
			      JSON_C_TO_STRING_PLAIN;
	json_flags |= JSON_C_TO_STRING_NOSLASHESCAPE;
}

bool print_json(void)
{
	return json;
}

static void text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void text(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line + line_len, sizeof(line) - line_len, fmt, ap);
	va_end(ap);
	if (n > 0)
		line_len += (size_t)n < sizeof(line) - line_len ? (size_t)n :
			    sizeof(line) - line_len - 1;
}

static void text_flush(void)
{
	while (line_len && line[line_len - 1] == ' ')
		line_len--;
	if (line_len)
		printf("%.*s\n", (int)line_len, line);
	line_len = 0;
	fflush(stdout);
}

/* Add value under key to the innermost container (or make it the root). */
static void json_add(const char *key, struct json_object *val)
{
	struct json_object *top = depth ? stack[depth - 1] : NULL;

	if (!top)
		return;
	if (json_object_is_type(top, json_type_array))
		json_object_array_add(top, val);
	else
		json_object_object_add(top, key, val);
}

static void open_container(const char *key, struct json_object *c, bool object)
{
	if (depth == MAX_DEPTH)
		abort();
	if (json)
		json_add(key, c);
	stack[depth] = c;
	is_object[depth++] = object;
}

/* A text line is one object that no other object encloses. */
static bool outermost_object(void)
{
	int i;

	if (!is_object[depth])
		return false;
	for (i = 0; i < depth; i++)
		if (is_object[i])
			return false;
	return true;
}

static void close_container(void)
{
	if (!depth)
		return;
	depth--;
	if (!json) {
		if (outermost_object())
			text_flush();
		return;
	}
	if (!depth) {
		printf("%s\n", json_object_to_json_string_ext(stack[0], json_flags));
		fflush(stdout);
		json_object_put(stack[0]);
	}
}

void print_discard(void)
{
	if (json && depth)
		json_object_put(stack[0]);
	depth = 0;
	line_len = 0;
}

void print_open_object(const char *key)
{
	open_container(key, json ? json_object_new_object() : NULL, true);
}

void print_close_object(void)
{
	close_container();
}

void print_open_array(const char *key)
{
	open_container(key, json ? json_object_new_array() : NULL, false);
}

void print_close_array(void)
{
	close_container();
}

void print_string(enum output out, const char *key, const char *fmt, const char *val)
{
	if (json && out != PRINT_TEXT)
		json_add(key, json_object_new_string(val));
	else if (!json && out != PRINT_JSON && fmt)
		text(fmt, val);
}

void print_uint(enum output out, const char *key, const char *fmt, uint64_t val)
{
	if (json && out != PRINT_TEXT)
		json_add(key, json_object_new_uint64(val));
	else if (!json && out != PRINT_JSON && fmt)
		text(fmt, val);
}

/* The largest tc unit that represents the rate exactly, so text re-parses. */
void print_rate(enum output out, const char *key, const char *fmt, uint64_t bytes)
{
	static const struct {
		const char *unit;
		uint64_t bits;
	} units[] = {
		{ "tbit", 1000000000000ULL }, { "gbit", 1000000000 },
		{ "mbit", 1000000 }, { "kbit", 1000 },
	};
	char buf[32];
	uint64_t bits;
	size_t i;

	if (json || out == PRINT_JSON) {
		print_uint(out, key, NULL, bytes);
		return;
	}
	if (bytes > UINT64_MAX / 8) {
		snprintf(buf, sizeof(buf), "%" PRIu64 "bps", bytes);
	} else {
		bits = bytes * 8;
		for (i = 0; i < ARRAY_SIZE(units); i++)
			if (bits && bits % units[i].bits == 0)
				break;
		if (i < ARRAY_SIZE(units))
			snprintf(buf, sizeof(buf), "%" PRIu64 "%s",
				 bits / units[i].bits, units[i].unit);
		else
			snprintf(buf, sizeof(buf), "%" PRIu64 "bit", bits);
	}
	print_string(out, key, fmt, buf);
}

void print_size(enum output out, const char *key, const char *fmt, uint64_t bytes)
{
	char buf[32];

	if (json || out == PRINT_JSON) {
		print_uint(out, key, NULL, bytes);
		return;
	}
	if (bytes && bytes % 1048576 == 0)
		snprintf(buf, sizeof(buf), "%" PRIu64 "m", bytes / 1048576);
	else if (bytes && bytes % 1024 == 0)
		snprintf(buf, sizeof(buf), "%" PRIu64 "k", bytes / 1024);
	else
		snprintf(buf, sizeof(buf), "%" PRIu64, bytes);
	print_string(out, key, fmt, buf);
}
