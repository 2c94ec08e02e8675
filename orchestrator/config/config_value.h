/* config_value.h - reading one value of a config: errors that name the
 * file, line and JSON path, did-you-mean, and the typed values the field
 * tables are built from (config_field.h). The bottom of the config
 * module: it calls nothing of the files above it. For config*.c only.
 *
 * Readers keep the JSON path of the value they read in x->path, so any
 * cfg_fail*() names file, line and path. Every int function returns 0,
 * or -1 with x->e filled.
 */
#ifndef CAMPAIGN_CONFIG_VALUE_H
#define CAMPAIGN_CONFIG_VALUE_H

#include <math.h>
#include <stddef.h>

#include "buf.h"
#include "config_types.h"
#include "err.h"

#define CFG_DIGITS "0123456789"
#define CFG_LOWER "abcdefghijklmnopqrstuvwxyz"
#define CFG_UPPER "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

struct cfg_ctx {
	struct config *c;	/* being filled; c->path and c->pos name lines */
	struct buf path;	/* JSON path of the value being read */
	struct err *e;
};

/* Bounds of a number: lo (excluded when open) to hi; unit, when not
 * NULL, names what is counted in messages ("seconds"). */
struct cfg_bounds {
	double lo;
	int open;
	double hi;
	const char *unit;
};

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

/* The candidate (of n) closest to got, if close enough to be a typo;
 * NULL otherwise. Borrowed from cands. */
const char *cfg_suggest(const char *got, const char *const *cands, size_t n);

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
/* A duration string ("1h30m", config_parse_duration) within b, in
 * seconds. */
int cfg_want_duration(struct cfg_ctx *x, const json_t *v, struct cfg_bounds b,
		      double *dst);
/* One of names (NULL-terminated); *dst is its index. */
int cfg_want_enum(struct cfg_ctx *x, const json_t *v,
		  const char *const *names, int *dst);

/* true or false; *dst is 1 or 0. */
int cfg_want_bool(struct cfg_ctx *x, const json_t *v, int *dst);

/* The object v at the current path must have key; why is appended. */
int cfg_require(struct cfg_ctx *x, const json_t *v, const char *key,
		const char *why);

/* A number as messages and docs write it: integers without a fraction
 * or exponent (86400, 1000000), others as %g. */
void cfg_format_number(double d, char *out, size_t n);
/* Seconds as a duration string in the largest units: 604800 is "7d",
 * 5400 "1h30m". */
void cfg_format_duration(double seconds, char *out, size_t n);

#endif
