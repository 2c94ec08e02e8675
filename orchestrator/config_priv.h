/* config_priv.h - what the config*.c files share; not for other modules.
 *
 * A section is read by walking its JSON object through a table of
 * struct cfg_field, in document order. Readers keep the JSON path of the
 * value they read in x->path, so any cfg_fail*() names file, line and
 * path. Every int function returns 0, or -1 with x->e filled.
 */
#ifndef CAMPAIGN_CONFIG_PRIV_H
#define CAMPAIGN_CONFIG_PRIV_H

#include <math.h>
#include <stddef.h>

#include "buf.h"
#include "config.h"

#define CFG_MAX_NODES 16
#define CFG_MAX_PREFIX 24
#define CFG_DIGITS "0123456789"
#define CFG_LOWER "abcdefghijklmnopqrstuvwxyz"
#define CFG_UPPER "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

struct cfg_ctx {
	struct config *c;	/* being filled; c->path and c->pos name lines */
	struct buf path;	/* JSON path of the value being read */
	struct err *e;
};

/* A key of an object and how to read its value into obj. */
struct cfg_field {
	const char *key;
	int (*read)(struct cfg_ctx *x, json_t *v, void *obj);
};

/* Bounds of a number: lo, open (lo itself excluded), hi. */
struct cfg_bounds {
	double lo;
	int open;
	double hi;
};

#define CFG_POSITIVE ((struct cfg_bounds){ 0, 1, INFINITY })
#define CFG_NON_NEGATIVE ((struct cfg_bounds){ 0, 0, INFINITY })
/* Seconds and weights: converted to integers, so bounded. */
#define CFG_SECONDS ((struct cfg_bounds){ 0, 1, CONFIG_SECONDS_MAX })
#define CFG_SECONDS_OR_0 ((struct cfg_bounds){ 0, 0, CONFIG_SECONDS_MAX })
#define CFG_WEIGHT CFG_SECONDS

/* Errors about the value (cfg_fail) or the key (cfg_fail_key) at the
 * current path; cfg_fail_member about the member key of the object at
 * the current path. All return -1. */
int cfg_fail(struct cfg_ctx *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int cfg_fail_key(struct cfg_ctx *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int cfg_fail_member(struct cfg_ctx *x, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "expected WANT, got <v>". */
int cfg_fail_type(struct cfg_ctx *x, const json_t *v, const char *want);

void cfg_path_key(struct cfg_ctx *x, const char *key);
void cfg_path_index(struct cfg_ctx *x, size_t i);
void cfg_path_pop(struct cfg_ctx *x, size_t mark);
void cfg_path_set(struct cfg_ctx *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

int cfg_only_chars(const char *s, const char *set);

/* Typed values. Strings land in *dst as new strings; *dst must be NULL
 * (JSON_REJECT_DUPLICATES guarantees each key is read once). */
int cfg_want_string(struct cfg_ctx *x, const json_t *v, char **dst);
int cfg_want_word(struct cfg_ctx *x, const json_t *v, const char *set,
		  size_t max, const char *what, char **dst);
int cfg_want_llong(struct cfg_ctx *x, const json_t *v, long long lo,
		   long long hi, long long *dst);
int cfg_want_int(struct cfg_ctx *x, const json_t *v, int lo, int hi, int *dst);
int cfg_want_number(struct cfg_ctx *x, const json_t *v, struct cfg_bounds b,
		    double *dst);
/* A number, or [min, max] with both within b and min <= max. */
int cfg_want_range(struct cfg_ctx *x, const json_t *v, struct cfg_bounds b,
		   struct config_range *dst);
int cfg_is_range(const json_t *v);
int cfg_check_range_order(struct cfg_ctx *x, const json_t *v);
/* One of names (NULL-terminated); *dst is its index. */
int cfg_want_enum(struct cfg_ctx *x, const json_t *v,
		  const char *const *names, int *dst);

/* Read every member of v in document order through fields; an unknown
 * key is an error with a did-you-mean. */
int cfg_walk_object(struct cfg_ctx *x, json_t *v,
		    const struct cfg_field *fields, void *obj);
/* The object v at the current path must have key; why is appended. */
int cfg_require(struct cfg_ctx *x, const json_t *v, const char *key,
		const char *why);

/* Host paths, as new absolute strings in *ret. */
int cfg_resolve_recipe(struct cfg_ctx *x, const char *raw, char **ret);
int cfg_resolve_file(struct cfg_ctx *x, const char *raw, char **ret);

/* Node selectors: read now, resolved against the testbed later. */
int cfg_want_select(struct cfg_ctx *x, const json_t *v,
		    struct config_select *sel);
int cfg_resolve_select(struct cfg_ctx *x, const struct config_testbed *tb,
		       struct config_select *sel);
void cfg_select_release(struct config_select *sel);

/* Sections: obj is the struct config. */
int cfg_read_testbed(struct cfg_ctx *x, json_t *v, void *obj);
int cfg_read_workload(struct cfg_ctx *x, json_t *v, void *obj);
int cfg_read_probes(struct cfg_ctx *x, json_t *v, void *obj);
int cfg_read_faults(struct cfg_ctx *x, json_t *v, void *obj);
int cfg_read_schedule(struct cfg_ctx *x, json_t *v, void *obj);
int cfg_read_oracles(struct cfg_ctx *x, json_t *v, void *obj);
int cfg_read_logs(struct cfg_ctx *x, json_t *v, void *obj);

const struct config_node *cfg_find_node(const struct config_testbed *tb,
					const char *name);
int cfg_has_role(const struct config_testbed *tb, const char *role);

/* Second pass: every template's placeholders and braces
 * (config_templates.c). */
int cfg_check_templates(struct cfg_ctx *x);

/* Free what the sections own; take partly built sections. */
void cfg_testbed_release(struct config_testbed *tb);
void cfg_run_release(struct config *c);

#endif
