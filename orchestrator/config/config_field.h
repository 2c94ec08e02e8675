/* config_field.h - a config section declared as a table: one entry per
 * key with its type, where its value lands, its bounds, its default and
 * its help. The same tables drive the strict reader and the release of
 * what it read (config_field.c) and generate the field tables of
 * configs/schema.md and configs/campaign.schema.json (config_schema.c),
 * so none of them can drift from the others.
 *
 *   static const struct cfg_field schedule_fields[] = {
 *           CFG_F_INT("runs", struct config_schedule, runs, 1, 1000000,
 *                   .def = "10", .help = "runs in all"),
 *           CFG_F_END,
 *   };
 *   const struct cfg_table cfg_schedule_table = {
 *           .name = "schedule", .fields = schedule_fields,
 *   };
 *
 * Reading an object: its members in document order, each through its
 * field (a key not in the table is an error with a did-you-mean, or goes
 * to the table's other()); then the default of every absent field that
 * has one, read through the field as if it had been written (an absent
 * object gets the defaults of its table); then the required keys; then
 * the table's check(). So the first error reported is the first in the
 * file, and a field with a default is always set: nobody else needs to
 * know the default.
 *
 * Below the section tables (config_testbed.c, config_run.c) and above
 * config_value.h and config_select.h. For config*.c only.
 */
#ifndef CAMPAIGN_CONFIG_FIELD_H
#define CAMPAIGN_CONFIG_FIELD_H

#include <stddef.h>

#include "config_value.h"

enum cfg_type {
	CFG_END = 0,
	CFG_STRING,	/* char *: a non-empty string */
	CFG_TEXT,	/* char *: any string, "" too */
	CFG_WORD,	/* char *: 1..max_len characters of charset */
	CFG_GUEST_PATH,	/* char *: an absolute path ("/...") on the nodes */
	CFG_INT,	/* int in [min, max] */
	CFG_U64,	/* unsigned long long in [min, max], max <= LLONG_MAX */
	CFG_NUMBER,	/* double in [min, max] (min excluded: above_min) */
	CFG_DURATION,	/* double: seconds of "1h30m", bounded as a number */
	CFG_RANGE,	/* struct config_range: a number or [min, max] of them */
	CFG_ENUM,	/* int (or an enum): the index of the value in names */
	CFG_BOOL,	/* int: 1 for true, 0 for false */
	CFG_SELECT,	/* struct config_select: a node selector */
	CFG_JSON,	/* json_t *: any JSON value, a new reference */
	CFG_OBJECT,	/* the struct at offset, read through table */
	CFG_ARRAY,	/* new elements at offset, their count (int) at
			 * count_offset, each read through elem */
	CFG_MAP,	/* an object NAME -> element, stored as an array;
			 * NAME is a word, kept at name_offset of its element */
	CFG_CUSTOM,	/* read() and release() do it all; type_doc and
			 * schema describe it */
};

struct cfg_table;

struct cfg_field {
	const char *key;	/* NULL ends a table */
	enum cfg_type type;
	size_t offset;		/* of the value in the table's struct */
	int required;		/* the object must have the key */
	/* Numbers (CFG_INT, CFG_U64, CFG_NUMBER, CFG_DURATION, CFG_RANGE):
	 * every one has finite bounds. */
	double min, max;
	int above_min;		/* min itself is excluded */
	const char *unit;	/* what a number counts, for messages: "seconds" */
	/* CFG_WORD, and the names of a CFG_MAP: */
	size_t max_len;
	const char *charset;	/* the characters allowed */
	const char *charset_doc;	/* the same as a regex class: "[a-z0-9-]" */
	const char *const *names;	/* CFG_ENUM, NULL-terminated */
	const struct cfg_table *table;	/* CFG_OBJECT */
	/* CFG_ARRAY and CFG_MAP: */
	const struct cfg_field *elem;	/* one element, at offset 0 of it */
	size_t elem_size, count_offset, name_offset;
	int min_items, max_items;	/* max_items 0: no limit */
	const char *what;	/* an element, for messages: "node" */
	/* The default: JSON text read as if written when the key is absent.
	 * Or def_doc: what the docs say happens without the key. */
	const char *def, *def_doc;
	const char *help;	/* markdown, one paragraph: schema.md's notes
				 * and the JSON Schema's description */
	/* A reader of its own, instead of the type's (the type still says
	 * where the value lands, how it is released and documented). */
	int (*read)(struct cfg_ctx *x, const struct cfg_field *f, json_t *v,
		    void *obj);
	/* CFG_CUSTOM: frees what read() left in obj. */
	void (*release)(void *obj);
	/* Instead of the generated: the docs' type column, and the JSON
	 * Schema of the value as JSON text. */
	const char *type_doc, *schema;
};

struct cfg_table {
	const char *name;	/* schema.md's "<!-- fields: NAME -->"; NULL:
				 * documented where it is used */
	const struct cfg_field *fields;	/* ends with CFG_F_END */
	/* Optional, in the order they run on an object that is present: */
	int (*init)(struct cfg_ctx *x, json_t *v, void *obj);
	int (*other)(struct cfg_ctx *x, const char *key, json_t *v, void *obj);
	int (*check)(struct cfg_ctx *x, json_t *v, void *obj);
	/* Frees what the fields do not own (other()'s results). */
	void (*release)(void *obj);
	/* other()'s row in the docs, and the JSON Schema of its values. */
	const char *other_key_doc, *other_type_doc, *other_help, *other_schema;
	/* More JSON Schema keywords for the object, as JSON object text
	 * ({"oneOf": ...}): what only check() knows. */
	const char *schema;
};

/* The offset of field f of struct st, which must have C type ctype: a
 * mismatch is a compile-time warning (an error with -Werror). */
#define CFG_AT_(st, f, ctype) \
	(offsetof(st, f) + 0 * sizeof(1 ? &((st *)0)->f : (ctype *)0))
/* An int or an enum (the size of an int). */
#define CFG_AT_INT_(st, f) \
	(offsetof(st, f) + \
	 0 * sizeof(char[sizeof(((st *)0)->f) == sizeof(int) ? 1 : -1]))

#define CFG_F_STRING(k, st, f, ...) \
	{ .key = (k), .type = CFG_STRING, .offset = CFG_AT_(st, f, char *), \
	  __VA_ARGS__ }
#define CFG_F_TEXT(k, st, f, ...) \
	{ .key = (k), .type = CFG_TEXT, .offset = CFG_AT_(st, f, char *), \
	  __VA_ARGS__ }
#define CFG_F_WORD(k, st, f, len, set, setdoc, ...) \
	{ .key = (k), .type = CFG_WORD, .offset = CFG_AT_(st, f, char *), \
	  .max_len = (len), .charset = (set), .charset_doc = (setdoc), \
	  __VA_ARGS__ }
#define CFG_F_GUEST_PATH(k, st, f, ...) \
	{ .key = (k), .type = CFG_GUEST_PATH, \
	  .offset = CFG_AT_(st, f, char *), __VA_ARGS__ }
#define CFG_F_INT(k, st, f, lo, hi, ...) \
	{ .key = (k), .type = CFG_INT, .offset = CFG_AT_(st, f, int), \
	  .min = (lo), .max = (hi), __VA_ARGS__ }
#define CFG_F_U64(k, st, f, lo, hi, ...) \
	{ .key = (k), .type = CFG_U64, \
	  .offset = CFG_AT_(st, f, unsigned long long), \
	  .min = (lo), .max = (hi), __VA_ARGS__ }
#define CFG_F_NUMBER(k, st, f, lo, hi, ...) \
	{ .key = (k), .type = CFG_NUMBER, .offset = CFG_AT_(st, f, double), \
	  .min = (lo), .max = (hi), __VA_ARGS__ }
#define CFG_F_DURATION(k, st, f, lo, hi, ...) \
	{ .key = (k), .type = CFG_DURATION, .offset = CFG_AT_(st, f, double), \
	  .min = (lo), .max = (hi), __VA_ARGS__ }
#define CFG_F_RANGE(k, st, f, lo, hi, ...) \
	{ .key = (k), .type = CFG_RANGE, \
	  .offset = CFG_AT_(st, f, struct config_range), \
	  .min = (lo), .max = (hi), __VA_ARGS__ }
#define CFG_F_ENUM(k, st, f, nm, ...) \
	{ .key = (k), .type = CFG_ENUM, .offset = CFG_AT_INT_(st, f), \
	  .names = (nm), __VA_ARGS__ }
#define CFG_F_BOOL(k, st, f, ...) \
	{ .key = (k), .type = CFG_BOOL, .offset = CFG_AT_(st, f, int), \
	  __VA_ARGS__ }
#define CFG_F_SELECT(k, st, f, ...) \
	{ .key = (k), .type = CFG_SELECT, \
	  .offset = CFG_AT_(st, f, struct config_select), __VA_ARGS__ }
#define CFG_F_JSON(k, st, f, ...) \
	{ .key = (k), .type = CFG_JSON, .offset = CFG_AT_(st, f, json_t *), \
	  __VA_ARGS__ }
/* An object read into the struct at field f. */
#define CFG_F_OBJECT(k, st, f, tbl, ...) \
	{ .key = (k), .type = CFG_OBJECT, .offset = offsetof(st, f), \
	  .table = (tbl), __VA_ARGS__ }
/* An object whose keys land in the table's own struct. */
#define CFG_F_INLINE(k, tbl, ...) \
	{ .key = (k), .type = CFG_OBJECT, .offset = 0, .table = (tbl), \
	  __VA_ARGS__ }
#define CFG_F_ARRAY(k, st, f, nf, el, ...) \
	{ .key = (k), .type = CFG_ARRAY, .offset = offsetof(st, f), \
	  .count_offset = CFG_AT_(st, nf, int), .elem = (el), \
	  .elem_size = sizeof(*((st *)0)->f), __VA_ARGS__ }
#define CFG_F_MAP(k, st, f, nf, el, namef, len, set, setdoc, ...) \
	{ .key = (k), .type = CFG_MAP, .offset = offsetof(st, f), \
	  .count_offset = CFG_AT_(st, nf, int), .elem = (el), \
	  .elem_size = sizeof(*((st *)0)->f), \
	  .name_offset = CFG_AT_(__typeof__(*((st *)0)->f), namef, char *), \
	  .max_len = (len), .charset = (set), .charset_doc = (setdoc), \
	  __VA_ARGS__ }
#define CFG_F_CUSTOM(k, rd, rel, tdoc, sch, ...) \
	{ .key = (k), .type = CFG_CUSTOM, .read = (rd), .release = (rel), \
	  .type_doc = (tdoc), .schema = (sch), __VA_ARGS__ }
#define CFG_F_END { .key = NULL }

/* Read the object v at the current path into obj through t. */
int cfg_read_object(struct cfg_ctx *x, const struct cfg_table *t, json_t *v,
		    void *obj);
/* Read v as f's type says into f's place in obj, ignoring f->read: for
 * custom readers that add a check to the type's reading. */
int cfg_read_value(struct cfg_ctx *x, const struct cfg_field *f, json_t *v,
		   void *obj);
/* Free everything t's fields and t->release own in obj (partly read
 * objects too); the struct itself is the caller's. */
void cfg_release_object(const struct cfg_table *t, void *obj);

#endif
