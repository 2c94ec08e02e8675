/* config_value.c - the values every config field is read as: errors
 * with file, line and path, did-you-mean, typed and bounded values. */
#include "config_value.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_duration.h"
#include "jsonpos.h"

/* ---- errors ---------------------------------------------------------- */

static int fail_line(struct cfg_ctx *x, int line, const char *path,
		     const char *fmt, va_list ap)
{
	char msg[768];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (line <= 0)
		line = 1;
	if (*path)
		return err_set(x->e, "%s:%d: %s: %s", x->c->path, line, path,
			       msg);
	return err_set(x->e, "%s:%d: %s", x->c->path, line, msg);
}

/* Report a problem with the value at the current path. */
int cfg_fail(struct cfg_ctx *x, const char *fmt, ...)
{
	va_list ap;
	int line = jsonpos_value_line(x->c->pos, x->path.data);

	va_start(ap, fmt);
	fail_line(x, line, x->path.data, fmt, ap);
	va_end(ap);
	return -1;
}

/* Report a problem with the key of the member at the current path. */
int cfg_fail_key(struct cfg_ctx *x, const char *fmt, ...)
{
	va_list ap;
	int line = jsonpos_key_line(x->c->pos, x->path.data);

	va_start(ap, fmt);
	fail_line(x, line, x->path.data, fmt, ap);
	va_end(ap);
	return -1;
}

void cfg_path_key(struct cfg_ctx *x, const char *key)
{
	jsonpos_path_key(&x->path, key);
}

void cfg_path_index(struct cfg_ctx *x, size_t i)
{
	jsonpos_path_index(&x->path, i);
}

void cfg_path_pop(struct cfg_ctx *x, size_t mark)
{
	x->path.len = mark;
	if (x->path.cap)
		x->path.data[mark] = '\0';
}

/* Set the current path to the given string (second pass). */
void cfg_path_set(struct cfg_ctx *x, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	buf_reset(&x->path);
	buf_adds(&x->path, tmp);
}

/* A short rendering of v for "got ...": JSON up to 40 characters. */
static const char *describe(const json_t *v, char *out, size_t n)
{
	char *s = NULL;

	if (json_is_object(v))
		snprintf(out, n, "an object");
	else if (!(s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT |
				  JSON_REAL_PRECISION(10))))
		snprintf(out, n, "a value");
	else if (strlen(s) <= 40)
		snprintf(out, n, "%s", s);
	else if (json_is_array(v))
		snprintf(out, n, "an array");
	else
		snprintf(out, n, "%.37s...", s);
	free(s);
	return out;
}

int cfg_fail_type(struct cfg_ctx *x, const json_t *v, const char *want)
{
	char got[64];

	return cfg_fail(x, "expected %s, got %s", want,
			describe(v, got, sizeof(got)));
}

/* ---- did you mean ----------------------------------------------------- */

/* Optimal string alignment distance: a swap of neighbours costs 1. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, d[33][33], best;

	if (la > 32 || lb > 32)
		return SIZE_MAX;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[la][lb];
}

/* The candidate closest to got, if it is close enough to be a typo. */
const char *cfg_suggest(const char *got, const char *const *cands, size_t n)
{
	const char *best = NULL;
	size_t i, d, best_d = SIZE_MAX;

	for (i = 0; i < n; i++) {
		d = edit_distance(got, cands[i]);
		if (!strcasecmp(got, cands[i]))
			d = 0;
		else if (strlen(got) >= 3 &&
			 !strncmp(got, cands[i], strlen(got)))
			d = 1;
		if (d > 2 || (d == 2 && strlen(cands[i]) < 5))
			continue;
		if (d < best_d) {
			best = cands[i];
			best_d = d;
		}
	}
	return best;
}

/* ---- values ----------------------------------------------------------- */

int cfg_only_chars(const char *s, const char *set)
{
	return strspn(s, set) == strlen(s);
}

/* A non-empty string; *dst must be NULL (each key is read once). */
int cfg_want_string(struct cfg_ctx *x, const json_t *v, char **dst)
{
	if (!json_is_string(v) || !json_string_length(v))
		return cfg_fail_type(x, v, "a non-empty string");
	*dst = xstrdup(json_string_value(v));
	return 0;
}

/* A string of 1..max characters from set; what names them for errors. */
int cfg_want_word(struct cfg_ctx *x, const json_t *v, const char *set,
		  size_t max, const char *what, char **dst)
{
	char want[96];

	snprintf(want, sizeof(want), "1 to %zu characters of %s", max, what);
	if (!json_is_string(v) || !json_string_length(v) ||
	    json_string_length(v) > max ||
	    !cfg_only_chars(json_string_value(v), set))
		return cfg_fail_type(x, v, want);
	*dst = xstrdup(json_string_value(v));
	return 0;
}

static void int_phrase(long long lo, long long hi, char *out, size_t n)
{
	if (lo == 1 && hi == INT_MAX)
		snprintf(out, n, "a positive integer");
	else if (lo == 0 && (hi == INT_MAX || hi == LLONG_MAX))
		snprintf(out, n, "a non-negative integer");
	else
		snprintf(out, n, "an integer between %lld and %lld", lo, hi);
}

int cfg_want_llong(struct cfg_ctx *x, const json_t *v, long long lo,
		   long long hi, long long *dst)
{
	char want[64];

	if (!json_is_integer(v) || json_integer_value(v) < lo ||
	    json_integer_value(v) > hi) {
		int_phrase(lo, hi, want, sizeof(want));
		return cfg_fail_type(x, v, want);
	}
	*dst = json_integer_value(v);
	return 0;
}

int cfg_want_int(struct cfg_ctx *x, const json_t *v, int lo, int hi, int *dst)
{
	long long n = 0;	/* set on success; 0 quiets -O2's maybe-uninitialized */

	if (cfg_want_llong(x, v, lo, hi, &n) < 0)
		return -1;
	*dst = (int)n;
	return 0;
}

static int in_bounds(const json_t *v, struct cfg_bounds b)
{
	double d;

	if (!json_is_number(v))
		return 0;
	d = json_number_value(v);
	return (b.open ? d > b.lo : d >= b.lo) && d <= b.hi;
}

void cfg_format_number(double d, char *out, size_t n)
{
	if (d == floor(d) && fabs(d) < 1e15)
		snprintf(out, n, "%.0f", d);
	else
		snprintf(out, n, "%g", d);
}

static void number_phrase(struct cfg_bounds b, char *out, size_t n)
{
	char lo[32], hi[32], what[32];

	cfg_format_number(b.lo, lo, sizeof(lo));
	cfg_format_number(b.hi, hi, sizeof(hi));
	snprintf(what, sizeof(what), "a number%s%s", b.unit ? " of " : "",
		 b.unit ? b.unit : "");
	if (b.lo == 0 && b.open && isinf(b.hi))
		snprintf(out, n, "a positive number");
	else if (b.lo == 0 && isinf(b.hi))
		snprintf(out, n, "a non-negative number");
	else if (b.open)
		snprintf(out, n, "%s greater than %s and at most %s", what, lo, hi);
	else
		snprintf(out, n, "%s between %s and %s", what, lo, hi);
}

int cfg_want_number(struct cfg_ctx *x, const json_t *v, struct cfg_bounds b,
		    double *dst)
{
	char want[96];

	if (!in_bounds(v, b)) {
		number_phrase(b, want, sizeof(want));
		return cfg_fail_type(x, v, want);
	}
	*dst = json_number_value(v);
	return 0;
}

int cfg_is_range(const json_t *v)
{
	return json_is_array(v) && json_array_size(v) == 2 &&
	       json_is_number(json_array_get(v, 0)) &&
	       json_is_number(json_array_get(v, 1));
}

int cfg_check_range_order(struct cfg_ctx *x, const json_t *v)
{
	double lo = json_number_value(json_array_get(v, 0));
	double hi = json_number_value(json_array_get(v, 1));

	if (lo > hi)
		return cfg_fail(x, "invalid range [%g, %g]: minimum is greater "
				"than maximum", lo, hi);
	return 0;
}

/* A number or a range [min, max], each within b. */
int cfg_want_range(struct cfg_ctx *x, const json_t *v, struct cfg_bounds b,
		   struct config_range *dst)
{
	char want[192], num[96];

	if (cfg_is_range(v) && in_bounds(json_array_get(v, 0), b) &&
	    in_bounds(json_array_get(v, 1), b)) {
		if (cfg_check_range_order(x, v) < 0)
			return -1;
		dst->min = json_number_value(json_array_get(v, 0));
		dst->max = json_number_value(json_array_get(v, 1));
		return 0;
	}
	if (in_bounds(v, b)) {
		dst->min = dst->max = json_number_value(v);
		return 0;
	}
	number_phrase(b, num, sizeof(num));
	snprintf(want, sizeof(want), "%s or a range [min, max] of them", num);
	return cfg_fail_type(x, v, want);
}

/* One of names (NULL-terminated); *dst is its index. */
int cfg_want_enum(struct cfg_ctx *x, const json_t *v,
		  const char *const *names, int *dst)
{
	char want[160], got[64];
	const char *hint, *sep;
	size_t n, i, len = 0;

	for (n = 0; names[n]; n++)
		if (json_is_string(v) &&
		    !strcmp(json_string_value(v), names[n])) {
			*dst = (int)n;
			return 0;
		}
	for (i = 0; i < n; i++) {
		sep = i == 0 ? "" : i + 1 == n ? " or " : ", ";
		len += snprintf(want + len, sizeof(want) - len, "%s'%s'", sep,
				names[i]);
	}
	describe(v, got, sizeof(got));
	hint = json_is_string(v) ? cfg_suggest(json_string_value(v), names, n)
				 : NULL;
	if (hint)
		return cfg_fail(x, "expected %s, got %s (did you mean '%s'?)",
				want, got, hint);
	return cfg_fail(x, "expected %s, got %s", want, got);
}


void cfg_format_duration(double seconds, char *out, size_t n)
{
	static const struct {
		const char *unit;
		long long ms;
	} units[] = {
		{ "d", 86400000 }, { "h", 3600000 }, { "m", 60000 },
		{ "s", 1000 }, { "ms", 1 },
	};
	long long left = llround(seconds * 1000);
	size_t len = 0, u;

	out[0] = '\0';
	for (u = 0; u < sizeof(units) / sizeof(units[0]) && len < n; u++) {
		if (left < units[u].ms)
			continue;
		len += snprintf(out + len, n - len, "%lld%s",
				left / units[u].ms, units[u].unit);
		left %= units[u].ms;
	}
	if (!len)
		snprintf(out, n, "0s");
}

int cfg_want_duration(struct cfg_ctx *x, const json_t *v, struct cfg_bounds b,
		      double *dst)
{
	char lo[32], hi[32], got[64];
	double s;

	if (!json_is_string(v) ||
	    config_parse_duration(json_string_value(v), &s) < 0)
		return cfg_fail_type(x, v, "a duration like \"8h\", \"90m\" or "
				     "\"1h30m\"");
	if ((b.open ? s > b.lo : s >= b.lo) && s <= b.hi) {
		*dst = s;
		return 0;
	}
	cfg_format_duration(b.lo, lo, sizeof(lo));
	cfg_format_duration(b.hi, hi, sizeof(hi));
	return cfg_fail(x, "expected a duration %s %s%s %s, got %s",
			b.open ? "greater than" : "between", lo,
			b.open ? " and at most" : " and", hi,
			describe(v, got, sizeof(got)));
}

int cfg_want_bool(struct cfg_ctx *x, const json_t *v, int *dst)
{
	if (!json_is_boolean(v))
		return cfg_fail_type(x, v, "true or false");
	*dst = json_is_true(v);
	return 0;
}

/* After reading an object: the object at the current path must have key. */
int cfg_require(struct cfg_ctx *x, const json_t *v, const char *key,
		const char *why)
{
	if (json_object_get(v, key))
		return 0;
	return cfg_fail(x, "missing required key '%s'%s", key, why ? why : "");
}

/* Point the current path at a member that is present but not allowed. */
int cfg_fail_member(struct cfg_ctx *x, const char *key, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cfg_path_key(x, key);
	return cfg_fail_key(x, "%s", msg);
}
