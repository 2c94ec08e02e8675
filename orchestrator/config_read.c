/* config_read.c - the readers every config section is built from: errors
 * with file, line and path, did-you-mean, typed values, objects walked
 * through key tables, host paths and node selectors. */
#include "config_priv.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

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
static const char *suggest(const char *got, const char *const *cands, size_t n)
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
	long long n;

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

static void number_phrase(struct cfg_bounds b, char *out, size_t n)
{
	if (b.lo == 0 && b.open && isinf(b.hi))
		snprintf(out, n, "a positive number");
	else if (b.lo == 0 && isinf(b.hi))
		snprintf(out, n, "a non-negative number");
	else if (b.lo == 0 && b.open)
		snprintf(out, n, "a positive number up to %g", b.hi);
	else if (b.lo == 0)
		snprintf(out, n, "a non-negative number up to %g", b.hi);
	else
		snprintf(out, n, "a number between %g and %g", b.lo, b.hi);
}

int cfg_want_number(struct cfg_ctx *x, const json_t *v, struct cfg_bounds b,
		    double *dst)
{
	char want[64];

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
	char want[160], num[64];

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
	hint = json_is_string(v) ? suggest(json_string_value(v), names, n)
				 : NULL;
	if (hint)
		return cfg_fail(x, "expected %s, got %s (did you mean '%s'?)",
				want, got, hint);
	return cfg_fail(x, "expected %s, got %s", want, got);
}

/* ---- objects ------------------------------------------------------------ */

static int unknown_key(struct cfg_ctx *x, const char *key,
		       const struct cfg_field *fields)
{
	const char *cands[32];
	const char *hint;
	size_t n = 0;

	for (; fields[n].key && n < 32; n++)
		cands[n] = fields[n].key;
	hint = suggest(key, cands, n);
	if (hint)
		return cfg_fail_key(x, "unknown key (did you mean '%s'?)",
				    hint);
	return cfg_fail_key(x, "unknown key");
}

/* Read every member of v in document order through fields. */
int cfg_walk_object(struct cfg_ctx *x, json_t *v,
		    const struct cfg_field *fields, void *obj)
{
	size_t mark = x->path.len;
	const struct cfg_field *f;
	const char *key;
	json_t *val;

	if (!json_is_object(v))
		return cfg_fail_type(x, v, "an object");
	json_object_foreach(v, key, val) {
		cfg_path_key(x, key);
		for (f = fields; f->key && strcmp(f->key, key); f++)
			;
		if (!f->key)
			return unknown_key(x, key, fields);
		if (f->read(x, val, obj) < 0)
			return -1;
		cfg_path_pop(x, mark);
	}
	return 0;
}

/* After walk_object: the object at the current path must have key. */
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

/* ---- paths on the host ------------------------------------------------- */

static char *config_dir(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xasprintf("%.*s", (int)(slash - path), path);
}

/* The recipe directory: relative paths are tried against the config's
 * directory, the current directory and the source tree, in that order. */
int cfg_resolve_recipe(struct cfg_ctx *x, const char *raw, char **ret)
{
	char *dir = config_dir(x->c->path), *cand[3], *abs = NULL;
	int n = 0, i, r = -1;
	struct stat st;

	if (raw[0] == '/') {
		cand[n++] = xstrdup(raw);
	} else {
		cand[n++] = xasprintf("%s/%s", dir, raw);
		cand[n++] = xstrdup(raw);
		cand[n++] = xasprintf("%s/%s", CAMPAIGN_SOURCE_DIR, raw);
	}
	for (i = 0; i < n && !abs; i++)
		abs = realpath(cand[i], NULL);
	if (!abs && raw[0] == '/')
		cfg_fail(x, "no such directory '%s'", raw);
	else if (!abs)
		cfg_fail(x,
			 "no such directory '%s' (looked in '%s', the current "
			 "directory and '%s')",
			 raw, dir, CAMPAIGN_SOURCE_DIR);
	else if (stat(abs, &st) < 0 || !S_ISDIR(st.st_mode))
		cfg_fail(x, "'%s' is not a directory", abs);
	else
		r = 0;
	if (r == 0)
		*ret = abs;
	else
		free(abs);
	for (i = 0; i < n; i++)
		free(cand[i]);
	free(dir);
	return r;
}

/* A file named relative to the config's directory, or "~/..." */
int cfg_resolve_file(struct cfg_ctx *x, const char *raw, char **ret)
{
	const char *home = getenv("HOME");
	char *dir, *joined, *abs;
	struct stat st;

	if (raw[0] == '/') {
		joined = xstrdup(raw);
	} else if (!strncmp(raw, "~/", 2) && home) {
		joined = xasprintf("%s/%s", home, raw + 2);
	} else {
		dir = config_dir(x->c->path);
		joined = xasprintf("%s/%s", dir, raw);
		free(dir);
	}
	abs = realpath(joined, NULL);
	if (!abs) {
		cfg_fail(x, "cannot find '%s': %s", joined, strerror(errno));
		free(joined);
		return -1;
	}
	free(joined);
	if (stat(abs, &st) < 0 || !S_ISREG(st.st_mode)) {
		cfg_fail(x, "'%s' is not a regular file", abs);
		free(abs);
		return -1;
	}
	*ret = abs;
	return 0;
}

/* ---- node selectors ------------------------------------------------------ */

/* "all", a role or a node name, or a list of node names; resolved
 * against the testbed in the second pass. */
int cfg_want_select(struct cfg_ctx *x, const json_t *v,
		    struct config_select *sel)
{
	size_t mark = x->path.len, i, j, n;
	const json_t *el;

	if (json_is_string(v) && json_string_length(v)) {
		sel->spec = xstrdup(json_string_value(v));
		return 0;
	}
	if (!json_is_array(v) || !json_array_size(v))
		return cfg_fail_type(x, v, "\"all\", a role, a node name or a "
				     "non-empty list of node names");
	n = json_array_size(v);
	sel->names = xcalloc(n, sizeof(*sel->names));
	sel->n_names = (int)n;
	for (i = 0; i < n; i++) {
		el = json_array_get(v, i);
		cfg_path_index(x, i);
		if (!json_is_string(el) || !json_string_length(el))
			return cfg_fail_type(x, el, "a node name");
		for (j = 0; j < i; j++)
			if (!strcmp(sel->names[j], json_string_value(el)))
				return cfg_fail(x, "node '%s' is listed twice",
						sel->names[j]);
		sel->names[i] = xstrdup(json_string_value(el));
		cfg_path_pop(x, mark);
	}
	return 0;
}

int cfg_resolve_select(struct cfg_ctx *x, const struct config_testbed *tb,
		       struct config_select *sel)
{
	int i, n = 0, all;

	if (!sel->spec) {
		for (i = 0; i < sel->n_names; i++)
			if (!cfg_find_node(tb, sel->names[i])) {
				cfg_path_index(x, (size_t)i);
				return cfg_fail(x, "no node named '%s'",
						sel->names[i]);
			}
		return 0;
	}
	all = !strcmp(sel->spec, "all");
	if (!all && !cfg_find_node(tb, sel->spec) &&
	    !cfg_has_role(tb, sel->spec))
		return cfg_fail(x, "no node or role named '%s'", sel->spec);
	sel->names = xcalloc((size_t)tb->n_nodes, sizeof(*sel->names));
	for (i = 0; i < tb->n_nodes; i++)
		if (all || !strcmp(tb->nodes[i].name, sel->spec) ||
		    !strcmp(tb->nodes[i].role, sel->spec))
			sel->names[n++] = xstrdup(tb->nodes[i].name);
	sel->n_names = n;
	return 0;
}

void cfg_select_release(struct config_select *sel)
{
	int i;

	for (i = 0; i < sel->n_names; i++)
		free(sel->names[i]);
	free(sel->names);
	free(sel->spec);
}
