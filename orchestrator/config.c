/* config.c - read a campaign config strictly.
 *
 * Two passes. The first walks the JSON tree in document order with one
 * table of keys per object, so the first error reported is the first in
 * the file. The second checks what crosses sections (node selectors,
 * fault targets, the derived prefix) once everything is known. Every
 * error carries "FILE:LINE: PATH"; lines come from jsonpos.
 */
#include "config.h"

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

#include "buf.h"
#include "jsonpos.h"

#define MAX_FILE_BYTES (4 << 20)
#define MAX_NODES 16
#define MAX_PREFIX 24
#define DIGITS "0123456789"
#define LOWER "abcdefghijklmnopqrstuvwxyz"
#define UPPER "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

struct ctx {
	struct config *c;
	struct buf path;	/* JSON path of the value being read */
	struct err *e;
};

/* ---- errors ---------------------------------------------------------- */

static int fail_line(struct ctx *x, int line, const char *path,
		     const char *fmt, va_list ap)
{
	char msg[768];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (line <= 0)
		line = 1;
	if (*path)
		return err_set(x->e, "%s:%d: %s: %s", x->c->path, line, path, msg);
	return err_set(x->e, "%s:%d: %s", x->c->path, line, msg);
}

/* Report a problem with the value at the current path. */
static int fail(struct ctx *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int fail(struct ctx *x, const char *fmt, ...)
{
	va_list ap;
	int line = jsonpos_value_line(x->c->pos, x->path.data);

	va_start(ap, fmt);
	fail_line(x, line, x->path.data, fmt, ap);
	va_end(ap);
	return -1;
}

/* Report a problem with the key of the member at the current path. */
static int fail_key(struct ctx *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int fail_key(struct ctx *x, const char *fmt, ...)
{
	va_list ap;
	int line = jsonpos_key_line(x->c->pos, x->path.data);

	va_start(ap, fmt);
	fail_line(x, line, x->path.data, fmt, ap);
	va_end(ap);
	return -1;
}

static void path_key(struct ctx *x, const char *key)
{
	jsonpos_path_key(&x->path, key);
}

static void path_index(struct ctx *x, size_t i)
{
	jsonpos_path_index(&x->path, i);
}

static void path_pop(struct ctx *x, size_t mark)
{
	x->path.len = mark;
	if (x->path.cap)
		x->path.data[mark] = '\0';
}

/* Set the current path to the given string (second pass). */
static void path_set(struct ctx *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void path_set(struct ctx *x, const char *fmt, ...)
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

static int fail_type(struct ctx *x, const json_t *v, const char *want)
{
	char got[64];

	return fail(x, "expected %s, got %s", want, describe(v, got, sizeof(got)));
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
		else if (strlen(got) >= 3 && !strncmp(got, cands[i], strlen(got)))
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

static int only_chars(const char *s, const char *set)
{
	return strspn(s, set) == strlen(s);
}

/* A non-empty string; *dst must be NULL (each key is read once). */
static int want_string(struct ctx *x, const json_t *v, char **dst)
{
	if (!json_is_string(v) || !json_string_length(v))
		return fail_type(x, v, "a non-empty string");
	*dst = xstrdup(json_string_value(v));
	return 0;
}

/* A string of 1..max characters from set; what names them for errors. */
static int want_word(struct ctx *x, const json_t *v, const char *set,
		     size_t max, const char *what, char **dst)
{
	char want[96];

	snprintf(want, sizeof(want), "1 to %zu characters of %s", max, what);
	if (!json_is_string(v) || !json_string_length(v) ||
	    json_string_length(v) > max || !only_chars(json_string_value(v), set))
		return fail_type(x, v, want);
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

static int want_llong(struct ctx *x, const json_t *v, long long lo,
		      long long hi, long long *dst)
{
	char want[64];

	if (!json_is_integer(v) || json_integer_value(v) < lo ||
	    json_integer_value(v) > hi) {
		int_phrase(lo, hi, want, sizeof(want));
		return fail_type(x, v, want);
	}
	*dst = json_integer_value(v);
	return 0;
}

static int want_int(struct ctx *x, const json_t *v, int lo, int hi, int *dst)
{
	long long n;

	if (want_llong(x, v, lo, hi, &n) < 0)
		return -1;
	*dst = (int)n;
	return 0;
}

/* Bounds of a number: lo, open (lo itself excluded), hi. */
struct bounds {
	double lo;
	int open;
	double hi;
};

static const struct bounds POSITIVE = { 0, 1, INFINITY };
static const struct bounds NON_NEGATIVE = { 0, 0, INFINITY };

static int in_bounds(const json_t *v, struct bounds b)
{
	double d;

	if (!json_is_number(v))
		return 0;
	d = json_number_value(v);
	return (b.open ? d > b.lo : d >= b.lo) && d <= b.hi;
}

static void number_phrase(struct bounds b, char *out, size_t n)
{
	if (b.lo == 0 && b.open && isinf(b.hi))
		snprintf(out, n, "a positive number");
	else if (b.lo == 0 && isinf(b.hi))
		snprintf(out, n, "a non-negative number");
	else
		snprintf(out, n, "a number between %g and %g", b.lo, b.hi);
}

static int want_number(struct ctx *x, const json_t *v, struct bounds b,
		       double *dst)
{
	char want[64];

	if (!in_bounds(v, b)) {
		number_phrase(b, want, sizeof(want));
		return fail_type(x, v, want);
	}
	*dst = json_number_value(v);
	return 0;
}

static int is_range(const json_t *v)
{
	return json_is_array(v) && json_array_size(v) == 2 &&
	       json_is_number(json_array_get(v, 0)) &&
	       json_is_number(json_array_get(v, 1));
}

static int check_range_order(struct ctx *x, const json_t *v)
{
	double lo = json_number_value(json_array_get(v, 0));
	double hi = json_number_value(json_array_get(v, 1));

	if (lo > hi)
		return fail(x, "invalid range [%g, %g]: minimum is greater "
			    "than maximum", lo, hi);
	return 0;
}

/* A number or a range [min, max], each within b. */
static int want_range(struct ctx *x, const json_t *v, struct bounds b,
		      struct config_range *dst)
{
	char want[160], num[64];

	if (is_range(v) && in_bounds(json_array_get(v, 0), b) &&
	    in_bounds(json_array_get(v, 1), b)) {
		if (check_range_order(x, v) < 0)
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
	return fail_type(x, v, want);
}

/* One of names (NULL-terminated); *dst is its index. */
static int want_enum(struct ctx *x, const json_t *v,
		     const char *const *names, int *dst)
{
	char want[160], got[64];
	const char *hint;
	size_t n, i, len = 0;

	for (n = 0; names[n]; n++)
		if (json_is_string(v) && !strcmp(json_string_value(v), names[n])) {
			*dst = (int)n;
			return 0;
		}
	for (i = 0; i < n; i++)
		len += snprintf(want + len, sizeof(want) - len, "%s'%s'",
				i == 0 ? "" : i + 1 == n ? " or " : ", ", names[i]);
	describe(v, got, sizeof(got));
	hint = json_is_string(v) ? suggest(json_string_value(v), names, n) : NULL;
	if (hint)
		return fail(x, "expected %s, got %s (did you mean '%s'?)", want,
			    got, hint);
	return fail(x, "expected %s, got %s", want, got);
}

/* ---- objects ------------------------------------------------------------ */

/* A key of an object and how to read its value into obj. */
struct field {
	const char *key;
	int (*read)(struct ctx *x, json_t *v, void *obj);
};

static int unknown_key(struct ctx *x, const char *key,
		       const struct field *fields)
{
	const char *cands[32];
	const char *hint;
	size_t n = 0;

	for (; fields[n].key && n < 32; n++)
		cands[n] = fields[n].key;
	hint = suggest(key, cands, n);
	if (hint)
		return fail_key(x, "unknown key (did you mean '%s'?)", hint);
	return fail_key(x, "unknown key");
}

/* Read every member of v in document order through fields. */
static int walk_object(struct ctx *x, json_t *v, const struct field *fields,
		       void *obj)
{
	size_t mark = x->path.len;
	const struct field *f;
	const char *key;
	json_t *val;

	if (!json_is_object(v))
		return fail_type(x, v, "an object");
	json_object_foreach(v, key, val) {
		path_key(x, key);
		for (f = fields; f->key && strcmp(f->key, key); f++)
			;
		if (!f->key)
			return unknown_key(x, key, fields);
		if (f->read(x, val, obj) < 0)
			return -1;
		path_pop(x, mark);
	}
	return 0;
}

/* After walk_object: the object at the current path must have key. */
static int require(struct ctx *x, const json_t *v, const char *key,
		   const char *why)
{
	if (json_object_get(v, key))
		return 0;
	return fail(x, "missing required key '%s'%s", key, why ? why : "");
}

/* Point the current path at a member that is present but not allowed. */
static int fail_member(struct ctx *x, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail_member(struct ctx *x, const char *key, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	path_key(x, key);
	return fail_key(x, "%s", msg);
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
static int resolve_recipe(struct ctx *x, const char *raw, char **ret)
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
		fail(x, "no such directory '%s'", raw);
	else if (!abs)
		fail(x, "no such directory '%s' (looked in '%s', the current "
		     "directory and '%s')", raw, dir, CAMPAIGN_SOURCE_DIR);
	else if (stat(abs, &st) < 0 || !S_ISDIR(st.st_mode))
		fail(x, "'%s' is not a directory", abs);
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
static int resolve_file(struct ctx *x, const char *raw, char **ret)
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
		fail(x, "cannot find '%s': %s", joined, strerror(errno));
		free(joined);
		return -1;
	}
	free(joined);
	if (stat(abs, &st) < 0 || !S_ISREG(st.st_mode)) {
		fail(x, "'%s' is not a regular file", abs);
		free(abs);
		return -1;
	}
	*ret = abs;
	return 0;
}

/* ---- testbed ------------------------------------------------------------ */

static const struct config_node *find_node(const struct config_testbed *tb,
					   const char *name)
{
	int i;

	for (i = 0; i < tb->n_nodes; i++)
		if (tb->nodes[i].name && !strcmp(tb->nodes[i].name, name))
			return &tb->nodes[i];
	return NULL;
}

static int has_role(const struct config_testbed *tb, const char *role)
{
	int i;

	for (i = 0; i < tb->n_nodes; i++)
		if (tb->nodes[i].role && !strcmp(tb->nodes[i].role, role))
			return 1;
	return 0;
}

static int read_ssh_host(struct ctx *x, json_t *v, void *obj)
{
	return want_string(x, v, &((struct config_ssh *)obj)->host);
}

static int read_ssh_port(struct ctx *x, json_t *v, void *obj)
{
	return want_int(x, v, 1, 65535, &((struct config_ssh *)obj)->port);
}

static int read_ssh_user(struct ctx *x, json_t *v, void *obj)
{
	return want_string(x, v, &((struct config_ssh *)obj)->user);
}

static int read_ssh_key(struct ctx *x, json_t *v, void *obj)
{
	if (!json_is_string(v) || !json_string_length(v))
		return fail_type(x, v, "a non-empty string");
	return resolve_file(x, json_string_value(v),
			    &((struct config_ssh *)obj)->key);
}

/* "TYPE BASE64 [comment]" with an ssh-* or ecdsa-* type. */
static int host_key_ok(const char *s)
{
	const char *sp = strchr(s, ' '), *b64, *end;
	size_t n, pad = 0;

	if (!sp || !(strncmp(s, "ssh-", 4) == 0 || strncmp(s, "ecdsa-", 6) == 0))
		return 0;
	for (const char *p = s; p < sp; p++)
		if (!strchr(LOWER DIGITS "-@.", *p))
			return 0;
	b64 = sp + 1;
	end = strchr(b64, ' ');
	n = end ? (size_t)(end - b64) : strlen(b64);
	while (n > pad && b64[n - 1 - pad] == '=')
		pad++;
	if (n < 16 || n % 4 || pad > 2)
		return 0;
	for (size_t i = 0; i < n - pad; i++)
		if (!strchr(UPPER LOWER DIGITS "+/", b64[i]) || !b64[i])
			return 0;
	return 1;
}

static int read_ssh_host_key(struct ctx *x, json_t *v, void *obj)
{
	if (!json_is_string(v) || !host_key_ok(json_string_value(v)))
		return fail_type(x, v, "a public host key like "
				 "\"ssh-ed25519 AAAA...\"");
	((struct config_ssh *)obj)->host_key = xstrdup(json_string_value(v));
	return 0;
}

static const struct field ssh_fields[] = {
	{ "host", read_ssh_host },
	{ "port", read_ssh_port },
	{ "user", read_ssh_user },
	{ "key", read_ssh_key },
	{ "host_key", read_ssh_host_key },
	{ NULL, NULL },
};

static int read_node_name(struct ctx *x, json_t *v, void *obj)
{
	return want_word(x, v, LOWER DIGITS "-", 16, "[a-z0-9-]",
			 &((struct config_node *)obj)->name);
}

static int read_node_role(struct ctx *x, json_t *v, void *obj)
{
	struct config_node *n = obj;

	if (want_word(x, v, LOWER UPPER DIGITS "._-", 32, "[A-Za-z0-9._-]",
		      &n->role) < 0)
		return -1;
	if (!strcmp(n->role, "all") || !strcmp(n->role, "any"))
		return fail(x, "'%s' cannot be a role: it selects every node",
			    n->role);
	return 0;
}

static int read_node_memory(struct ctx *x, json_t *v, void *obj)
{
	return want_int(x, v, 32, 65536, &((struct config_node *)obj)->memory_mib);
}

static int read_node_domain(struct ctx *x, json_t *v, void *obj)
{
	return want_string(x, v, &((struct config_node *)obj)->domain);
}

/* Required keys are checked with the node: ssh is not allowed at all
 * without 'domain', which may come later in the node. */
static int read_node_ssh(struct ctx *x, json_t *v, void *obj)
{
	return walk_object(x, v, ssh_fields, &((struct config_node *)obj)->ssh);
}

static int require_ssh(struct ctx *x, json_t *ssh)
{
	size_t mark = x->path.len;
	const struct field *f;

	path_key(x, "ssh");
	for (f = ssh_fields; f->key; f++)
		if (require(x, ssh, f->key, NULL) < 0)
			return -1;
	path_pop(x, mark);
	return 0;
}

static const struct field node_fields[] = {
	{ "name", read_node_name },
	{ "role", read_node_role },
	{ "memory_mib", read_node_memory },
	{ "domain", read_node_domain },
	{ "ssh", read_node_ssh },
	{ NULL, NULL },
};

/* Node i against itself and nodes 0..i-1 (already complete). */
static int check_node(struct ctx *x, json_t *v, struct config_testbed *tb,
		      int i)
{
	struct config_node *n = &tb->nodes[i];
	int j;

	if (require(x, v, "name", NULL) < 0)
		return -1;
	if (n->domain && (require(x, v, "ssh", " (a node with 'domain' needs "
				  "it)") < 0 ||
			  require_ssh(x, json_object_get(v, "ssh")) < 0))
		return -1;
	if (!n->domain && json_object_get(v, "ssh"))
		return fail_member(x, "ssh", "allowed only with 'domain' (the "
				   "testbed sets up ssh for the nodes it creates)");
	for (j = 0; j < i; j++) {
		if (!strcmp(tb->nodes[j].name, n->name))
			return fail_member(x, "name", "duplicate node name '%s'",
					   n->name);
		if (n->domain && tb->nodes[j].domain &&
		    !strcmp(tb->nodes[j].domain, n->domain))
			return fail_member(x, "domain", "domain '%s' is also "
					   "node '%s'", n->domain,
					   tb->nodes[j].name);
	}
	if (!n->role)
		n->role = xstrdup("member");
	return 0;
}

static int read_nodes(struct ctx *x, json_t *v, void *obj)
{
	struct config_testbed *tb = obj;
	size_t mark = x->path.len, i, n;

	if (!json_is_array(v))
		return fail_type(x, v, "an array of nodes");
	n = json_array_size(v);
	if (n < 1 || n > MAX_NODES)
		return fail(x, "expected 1 to %d nodes, got %zu", MAX_NODES, n);
	tb->nodes = xcalloc(n, sizeof(*tb->nodes));
	tb->n_nodes = (int)n;
	for (i = 0; i < n; i++) {
		json_t *nv = json_array_get(v, i);

		path_index(x, i);
		if (walk_object(x, nv, node_fields, &tb->nodes[i]) < 0 ||
		    check_node(x, nv, tb, (int)i) < 0)
			return -1;
		path_pop(x, mark);
	}
	return 0;
}

static int read_uri(struct ctx *x, json_t *v, void *obj)
{
	return want_string(x, v, &((struct config_testbed *)obj)->uri);
}

static int read_accel(struct ctx *x, json_t *v, void *obj)
{
	static const char *const names[] = { "auto", "kvm", "tcg", NULL };
	int i;

	if (want_enum(x, v, names, &i) < 0)
		return -1;
	((struct config_testbed *)obj)->accel = (enum accel)i;
	return 0;
}

static int read_image(struct ctx *x, json_t *v, void *obj)
{
	if (!json_is_string(v) || !json_string_length(v))
		return fail_type(x, v, "a non-empty string");
	return resolve_recipe(x, json_string_value(v),
			      &((struct config_testbed *)obj)->image);
}

static int read_prefix(struct ctx *x, json_t *v, void *obj)
{
	return want_word(x, v, LOWER DIGITS "-", MAX_PREFIX, "[a-z0-9-]",
			 &((struct config_testbed *)obj)->prefix);
}

static int read_memory(struct ctx *x, json_t *v, void *obj)
{
	return want_int(x, v, 32, 65536,
			&((struct config_testbed *)obj)->memory_mib);
}

static int read_vcpus(struct ctx *x, json_t *v, void *obj)
{
	return want_int(x, v, 1, 64, &((struct config_testbed *)obj)->vcpus);
}

static int read_port_base(struct ctx *x, json_t *v, void *obj)
{
	return want_int(x, v, 1024, 65000,
			&((struct config_testbed *)obj)->ssh_port_base);
}

static int read_boot_timeout(struct ctx *x, json_t *v, void *obj)
{
	return want_int(x, v, 1, 3600,
			&((struct config_testbed *)obj)->boot_timeout_s);
}

static int read_ready_timeout(struct ctx *x, json_t *v, void *obj)
{
	return want_int(x, v, 1, 3600,
			&((struct config_testbed *)obj)->ready_timeout_s);
}

static int read_net_type(struct ctx *x, json_t *v, void *obj)
{
	static const char *const names[] = { "vde", "libvirt", NULL };
	int i;

	if (want_enum(x, v, names, &i) < 0)
		return -1;
	((struct config_testbed *)obj)->net = (enum net_type)i;
	return 0;
}

static int read_libvirt_network(struct ctx *x, json_t *v, void *obj)
{
	return want_string(x, v, &((struct config_testbed *)obj)->libvirt_network);
}

/* "a.b.c.d/len" with 8 <= len <= 28; fills the address and length. */
static int parse_subnet(const char *s, unsigned *ret_addr, int *ret_len)
{
	unsigned addr = 0, part;
	int i, digits;

	for (i = 0; i < 5; i++) {
		part = 0;
		for (digits = 0; *s >= '0' && *s <= '9' && digits < 4; digits++)
			part = part * 10 + (unsigned)(*s++ - '0');
		if (!digits || digits > 3 || part > 255)
			return -1;
		if (i < 4)
			addr = addr << 8 | part;
		if (i < 3 && *s++ != '.')
			return -1;
		if (i == 3 && *s++ != '/')
			return -1;
		if (i == 4 && *s)
			return -1;
		if (i == 4)
			*ret_len = (int)part;
	}
	*ret_addr = addr;
	return 0;
}

static int read_subnet(struct ctx *x, json_t *v, void *obj)
{
	const char *s = json_is_string(v) ? json_string_value(v) : "";
	unsigned addr, mask;
	int len;

	if (parse_subnet(s, &addr, &len) < 0)
		return fail_type(x, v, "an IPv4 subnet like \"10.99.0.0/24\"");
	if (len < 8 || len > 28)
		return fail(x, "prefix length /%d out of range: use /8 to /28",
			    len);
	mask = len ? ~0u << (32 - len) : 0;
	if (addr & ~mask)
		return fail(x, "host bits set in '%s' (did you mean "
			    "'%u.%u.%u.%u/%d'?)", s, (addr & mask) >> 24,
			    (addr & mask) >> 16 & 255, (addr & mask) >> 8 & 255,
			    addr & mask & 255, len);
	((struct config_testbed *)obj)->subnet = xstrdup(s);
	return 0;
}

static const struct field network_fields[] = {
	{ "type", read_net_type },
	{ "libvirt_network", read_libvirt_network },
	{ "subnet", read_subnet },
	{ NULL, NULL },
};

static int read_network(struct ctx *x, json_t *v, void *obj)
{
	struct config_testbed *tb = obj;

	if (walk_object(x, v, network_fields, tb) < 0)
		return -1;
	if (tb->net != NET_LIBVIRT && json_object_get(v, "libvirt_network"))
		return fail_member(x, "libvirt_network", "allowed only with "
				   "type 'libvirt'");
	return 0;
}

static const struct field testbed_fields[] = {
	{ "uri", read_uri },
	{ "accel", read_accel },
	{ "image", read_image },
	{ "prefix", read_prefix },
	{ "memory_mib", read_memory },
	{ "vcpus", read_vcpus },
	{ "network", read_network },
	{ "ssh_port_base", read_port_base },
	{ "boot_timeout_s", read_boot_timeout },
	{ "ready_timeout_s", read_ready_timeout },
	{ "nodes", read_nodes },
	{ NULL, NULL },
};

/* Node i gets host .(11+i): the subnet must hold them below broadcast. */
static int check_subnet_room(struct ctx *x, const struct config_testbed *tb)
{
	unsigned addr;
	int len;
	long size;

	if (parse_subnet(tb->subnet, &addr, &len) < 0)
		return 0;
	size = 1L << (32 - len);
	if (11 + tb->n_nodes <= size - 2)
		return 0;
	path_key(x, "network");
	path_key(x, "subnet");
	return fail(x, "subnet '%s' has no room for %d nodes (node i is "
		    "host .%d+i)", tb->subnet, tb->n_nodes, 11);
}

static int check_roles(struct ctx *x, const struct config_testbed *tb)
{
	size_t mark = x->path.len;
	int i;

	for (i = 0; i < tb->n_nodes; i++) {
		if (!find_node(tb, tb->nodes[i].role))
			continue;
		path_key(x, "nodes");
		path_index(x, (size_t)i);
		path_key(x, "role");
		return fail(x, "role '%s' is also a node name",
			    tb->nodes[i].role);
	}
	path_pop(x, mark);
	return 0;
}

static int read_testbed(struct ctx *x, json_t *v, void *obj)
{
	struct config_testbed *tb = &((struct config *)obj)->testbed;
	int all_domains = 1, i;
	size_t mark = x->path.len;

	if (walk_object(x, v, testbed_fields, tb) < 0 ||
	    require(x, v, "nodes", NULL) < 0 || check_roles(x, tb) < 0)
		return -1;
	for (i = 0; i < tb->n_nodes; i++)
		all_domains &= tb->nodes[i].domain != NULL;
	if (!all_domains && require(x, v, "image", " (only a testbed of "
				    "existing domains can do without)") < 0)
		return -1;
	if (!tb->uri)
		tb->uri = xstrdup("qemu:///system");
	if (!tb->subnet)
		tb->subnet = xstrdup("10.99.0.0/24");
	if (tb->net == NET_LIBVIRT && !tb->libvirt_network)
		tb->libvirt_network = xstrdup("default");
	if (check_subnet_room(x, tb) < 0)
		return -1;
	path_pop(x, mark);
	return 0;
}

/* ---- node selectors ------------------------------------------------------ */

/* "all", a role or a node name, or a list of node names; resolved
 * against the testbed in the second pass. */
static int want_select(struct ctx *x, const json_t *v,
		       struct config_select *sel)
{
	size_t mark = x->path.len, i, j, n;
	const json_t *el;

	if (json_is_string(v) && json_string_length(v)) {
		sel->spec = xstrdup(json_string_value(v));
		return 0;
	}
	if (!json_is_array(v) || !json_array_size(v))
		return fail_type(x, v, "\"all\", a role, a node name or a "
				 "non-empty list of node names");
	n = json_array_size(v);
	sel->names = xcalloc(n, sizeof(*sel->names));
	sel->n_names = (int)n;
	for (i = 0; i < n; i++) {
		el = json_array_get(v, i);
		path_index(x, i);
		if (!json_is_string(el) || !json_string_length(el))
			return fail_type(x, el, "a node name");
		for (j = 0; j < i; j++)
			if (!strcmp(sel->names[j], json_string_value(el)))
				return fail(x, "node '%s' is listed twice",
					    sel->names[j]);
		sel->names[i] = xstrdup(json_string_value(el));
		path_pop(x, mark);
	}
	return 0;
}

static int resolve_select(struct ctx *x, const struct config_testbed *tb,
			  struct config_select *sel)
{
	int i, n = 0, all;

	if (!sel->spec) {
		for (i = 0; i < sel->n_names; i++)
			if (!find_node(tb, sel->names[i])) {
				path_index(x, (size_t)i);
				return fail(x, "no node named '%s'",
					    sel->names[i]);
			}
		return 0;
	}
	all = !strcmp(sel->spec, "all");
	if (!all && !find_node(tb, sel->spec) && !has_role(tb, sel->spec))
		return fail(x, "no node or role named '%s'", sel->spec);
	sel->names = xcalloc((size_t)tb->n_nodes, sizeof(*sel->names));
	for (i = 0; i < tb->n_nodes; i++)
		if (all || !strcmp(tb->nodes[i].name, sel->spec) ||
		    !strcmp(tb->nodes[i].role, sel->spec))
			sel->names[n++] = xstrdup(tb->nodes[i].name);
	sel->n_names = n;
	return 0;
}

static void select_release(struct config_select *sel)
{
	int i;

	for (i = 0; i < sel->n_names; i++)
		free(sel->names[i]);
	free(sel->names);
	free(sel->spec);
}

/* ---- workload ------------------------------------------------------------ */

static int read_wl_start(struct ctx *x, json_t *v, void *obj)
{
	return want_string(x, v, &((struct config_workload *)obj)->start);
}

static int read_wl_where(struct ctx *x, json_t *v, void *obj)
{
	static const char *const names[] = { "controller", "node", NULL };
	int i;

	if (want_enum(x, v, names, &i) < 0)
		return -1;
	((struct config_workload *)obj)->where = (enum config_where)i;
	return 0;
}

static int read_wl_node(struct ctx *x, json_t *v, void *obj)
{
	return want_select(x, v, &((struct config_workload *)obj)->node);
}

static int read_wl_warmup(struct ctx *x, json_t *v, void *obj)
{
	return want_number(x, v, NON_NEGATIVE,
			   &((struct config_workload *)obj)->warmup_s);
}

static int read_wl_stop(struct ctx *x, json_t *v, void *obj)
{
	return want_string(x, v, &((struct config_workload *)obj)->stop);
}

static int read_wl_stop_timeout(struct ctx *x, json_t *v, void *obj)
{
	return want_number(x, v, POSITIVE,
			   &((struct config_workload *)obj)->stop_timeout_s);
}

static const struct field workload_fields[] = {
	{ "start", read_wl_start },
	{ "where", read_wl_where },
	{ "node", read_wl_node },
	{ "warmup_s", read_wl_warmup },
	{ "stop", read_wl_stop },
	{ "stop_timeout_s", read_wl_stop_timeout },
	{ NULL, NULL },
};

static int read_workload(struct ctx *x, json_t *v, void *obj)
{
	struct config_workload *w = &((struct config *)obj)->workload;

	if (walk_object(x, v, workload_fields, w) < 0 ||
	    require(x, v, "start", NULL) < 0)
		return -1;
	if (w->where == CONFIG_ON_NODE)
		return require(x, v, "node", " (where is 'node')");
	if (json_object_get(v, "node"))
		return fail_member(x, "node", "allowed only with where 'node'");
	return 0;
}

/* ---- probes -------------------------------------------------------------- */

static int read_probe_target(struct ctx *x, const json_t *v,
			     struct config_probe *p,
			     enum config_probe_kind kind)
{
	const char *s;

	if (p->target)
		return fail_key(x, "expected exactly one of 'http' and 'ssh'");
	p->kind = kind;
	if (kind == CONFIG_PROBE_SSH)
		return want_string(x, v, &p->target);
	s = json_is_string(v) ? json_string_value(v) : "";
	if (strncmp(s, "http://", 7) && strncmp(s, "https://", 8))
		return fail_type(x, v, "an http:// or https:// URL template");
	p->target = xstrdup(s);
	return 0;
}

static int read_probe_http(struct ctx *x, json_t *v, void *obj)
{
	return read_probe_target(x, v, obj, CONFIG_PROBE_HTTP);
}

static int read_probe_ssh(struct ctx *x, json_t *v, void *obj)
{
	return read_probe_target(x, v, obj, CONFIG_PROBE_SSH);
}

static int read_probe_nodes(struct ctx *x, json_t *v, void *obj)
{
	return want_select(x, v, &((struct config_probe *)obj)->nodes);
}

static int read_probe_status(struct ctx *x, json_t *v, void *obj)
{
	return want_int(x, v, 100, 599,
			&((struct config_probe *)obj)->expect_status);
}

static int read_probe_body(struct ctx *x, json_t *v, void *obj)
{
	return want_string(x, v, &((struct config_probe *)obj)->expect_body);
}

static int read_json_path(struct ctx *x, json_t *v, void *obj)
{
	const char *s = json_is_string(v) ? json_string_value(v) : "";

	if (!*s || *s == '.' || s[strlen(s) - 1] == '.' || strstr(s, ".."))
		return fail_type(x, v, "a path of dot-separated keys like "
				 "\"a.b.0\"");
	((struct config_probe *)obj)->expect_json_path = xstrdup(s);
	return 0;
}

static int read_json_equals(struct ctx *x, json_t *v, void *obj)
{
	(void)x;
	((struct config_probe *)obj)->expect_json_equals = json_incref(v);
	return 0;
}

static const struct field expect_json_fields[] = {
	{ "path", read_json_path },
	{ "equals", read_json_equals },
	{ NULL, NULL },
};

static int read_probe_json(struct ctx *x, json_t *v, void *obj)
{
	if (walk_object(x, v, expect_json_fields, obj) < 0 ||
	    require(x, v, "path", NULL) < 0 || require(x, v, "equals", NULL) < 0)
		return -1;
	return 0;
}

static int read_probe_exit(struct ctx *x, json_t *v, void *obj)
{
	return want_int(x, v, 0, 255, &((struct config_probe *)obj)->expect_exit);
}

static int read_probe_output(struct ctx *x, json_t *v, void *obj)
{
	return want_string(x, v, &((struct config_probe *)obj)->expect_output);
}

static int read_probe_every(struct ctx *x, json_t *v, void *obj)
{
	return want_int(x, v, 50, 600000, &((struct config_probe *)obj)->every_ms);
}

static int read_probe_timeout(struct ctx *x, json_t *v, void *obj)
{
	return want_int(x, v, 10, 600000,
			&((struct config_probe *)obj)->timeout_ms);
}

static const struct field probe_fields[] = {
	{ "http", read_probe_http },
	{ "ssh", read_probe_ssh },
	{ "nodes", read_probe_nodes },
	{ "expect_status", read_probe_status },
	{ "expect_body", read_probe_body },
	{ "expect_json", read_probe_json },
	{ "expect_exit", read_probe_exit },
	{ "expect_output", read_probe_output },
	{ "every_ms", read_probe_every },
	{ "timeout_ms", read_probe_timeout },
	{ NULL, NULL },
};

/* Keys that belong to one kind of probe only. */
static int check_probe_keys(struct ctx *x, json_t *v,
			    const struct config_probe *p)
{
	static const char *const http_only[] = { "expect_status",
		"expect_body", "expect_json", NULL };
	static const char *const ssh_only[] = { "expect_exit",
		"expect_output", NULL };
	const char *const *wrong = p->kind == CONFIG_PROBE_HTTP ? ssh_only
								 : http_only;
	const char *key, *const *w;
	json_t *val;

	json_object_foreach(v, key, val)
		for (w = wrong; *w; w++)
			if (!strcmp(*w, key))
				return fail_member(x, key, "allowed only in %s "
						   "probes", p->kind ==
						   CONFIG_PROBE_HTTP ? "ssh"
						   : "http");
	return 0;
}

static int read_probe(struct ctx *x, const char *name, json_t *v,
		      struct config_probe *p)
{
	p->every_ms = 500;
	p->timeout_ms = 1000;
	p->expect_status = 200;
	if (!*name || strlen(name) > 32 ||
	    !only_chars(name, LOWER UPPER DIGITS "_-"))
		return fail_key(x, "invalid probe name: use 1 to 32 "
				"characters of [A-Za-z0-9_-]");
	p->name = xstrdup(name);
	if (walk_object(x, v, probe_fields, p) < 0)
		return -1;
	if (!p->target)
		return fail(x, "missing required key 'http' or 'ssh'");
	if (check_probe_keys(x, v, p) < 0)
		return -1;
	if (!p->nodes.spec && !p->nodes.n_names)
		p->nodes.spec = xstrdup("all");
	return 0;
}

static int read_probes(struct ctx *x, json_t *v, void *obj)
{
	struct config *c = obj;
	size_t mark = x->path.len, i = 0;
	const char *key;
	json_t *pv;

	if (!json_is_object(v))
		return fail_type(x, v, "an object of named probes");
	c->probes = xcalloc(json_object_size(v), sizeof(*c->probes));
	c->n_probes = (int)json_object_size(v);
	json_object_foreach(v, key, pv) {
		path_key(x, key);
		if (read_probe(x, key, pv, &c->probes[i++]) < 0)
			return -1;
		path_pop(x, mark);
	}
	return 0;
}

/* ---- faults and oracles ------------------------------------------------- */

static int want_type(struct ctx *x, const json_t *v, char **dst)
{
	return want_word(x, v, LOWER DIGITS "-", 64, "[a-z0-9-]", dst);
}

/* A fault parameter: number, string, bool or a range [min, max]. */
static int check_fault_param(struct ctx *x, const json_t *v)
{
	if (json_is_number(v) || json_is_string(v) || json_is_boolean(v))
		return 0;
	if (is_range(v))
		return check_range_order(x, v);
	return fail_type(x, v, "a number, string, boolean or range [min, max]");
}

static int read_fault_member(struct ctx *x, const char *key, json_t *v,
			     struct config_fault *f)
{
	if (!strcmp(key, "type"))
		return want_type(x, v, &f->type);
	if (!strcmp(key, "weight"))
		return want_number(x, v, POSITIVE, &f->weight);
	if (!strcmp(key, "target"))
		return want_string(x, v, &f->target);
	if (!strcmp(key, "duration_s")) {
		f->has_duration = 1;
		return want_range(x, v, POSITIVE, &f->duration_s);
	}
	if (check_fault_param(x, v) < 0)
		return -1;
	json_object_set(f->params, key, v);
	return 0;
}

static int read_fault(struct ctx *x, json_t *v, struct config_fault *f)
{
	size_t mark = x->path.len;
	const char *key;
	json_t *val;

	f->weight = 1;
	f->params = json_object();
	if (!json_is_object(v))
		return fail_type(x, v, "an object");
	json_object_foreach(v, key, val) {
		path_key(x, key);
		if (read_fault_member(x, key, val, f) < 0)
			return -1;
		path_pop(x, mark);
	}
	if (require(x, v, "type", NULL) < 0)
		return -1;
	if (!f->target)
		f->target = xstrdup("any");
	return 0;
}

static int read_faults(struct ctx *x, json_t *v, void *obj)
{
	struct config *c = obj;
	size_t mark = x->path.len, i, n;

	if (!json_is_array(v) || !json_array_size(v))
		return fail_type(x, v, "a non-empty array of faults");
	n = json_array_size(v);
	c->faults = xcalloc(n, sizeof(*c->faults));
	c->n_faults = (int)n;
	for (i = 0; i < n; i++) {
		path_index(x, i);
		if (read_fault(x, json_array_get(v, i), &c->faults[i]) < 0)
			return -1;
		path_pop(x, mark);
	}
	return 0;
}

static int read_oracle(struct ctx *x, json_t *v, struct config_oracle *o)
{
	size_t mark = x->path.len;
	const char *key;
	json_t *val;

	o->params = json_object();
	if (!json_is_object(v))
		return fail_type(x, v, "an object");
	json_object_foreach(v, key, val) {
		if (strcmp(key, "type")) {
			json_object_set(o->params, key, val);
			continue;
		}
		path_key(x, key);
		if (want_type(x, val, &o->type) < 0)
			return -1;
		path_pop(x, mark);
	}
	return require(x, v, "type", NULL);
}

static int read_oracles(struct ctx *x, json_t *v, void *obj)
{
	struct config *c = obj;
	size_t mark = x->path.len, i, n;

	if (!json_is_array(v) || !json_array_size(v))
		return fail_type(x, v, "a non-empty array of oracles");
	n = json_array_size(v);
	c->oracles = xcalloc(n, sizeof(*c->oracles));
	c->n_oracles = (int)n;
	for (i = 0; i < n; i++) {
		path_index(x, i);
		if (read_oracle(x, json_array_get(v, i), &c->oracles[i]) < 0)
			return -1;
		path_pop(x, mark);
	}
	return 0;
}

/* ---- schedule and logs ------------------------------------------------- */

static int read_runs(struct ctx *x, json_t *v, void *obj)
{
	return want_int(x, v, 1, INT_MAX, &((struct config_schedule *)obj)->runs);
}

static int read_budget(struct ctx *x, json_t *v, void *obj)
{
	double s;

	if (!json_is_string(v) ||
	    config_parse_duration(json_string_value(v), &s) < 0 || s <= 0)
		return fail_type(x, v, "a duration like \"8h\", \"90m\" or "
				 "\"1h30m\"");
	((struct config_schedule *)obj)->budget_s = s;
	return 0;
}

static int read_faults_per_run(struct ctx *x, json_t *v, void *obj)
{
	return want_int(x, v, 1, 8,
			&((struct config_schedule *)obj)->faults_per_run);
}

static int read_inject_at(struct ctx *x, json_t *v, void *obj)
{
	return want_range(x, v, NON_NEGATIVE,
			  &((struct config_schedule *)obj)->inject_at_s);
}

static int read_observe(struct ctx *x, json_t *v, void *obj)
{
	return want_number(x, v, POSITIVE,
			   &((struct config_schedule *)obj)->observe_s);
}

static int read_retries(struct ctx *x, json_t *v, void *obj)
{
	return want_int(x, v, 0, 100,
			&((struct config_schedule *)obj)->max_infra_retries);
}

static const struct field schedule_fields[] = {
	{ "runs", read_runs },
	{ "budget", read_budget },
	{ "faults_per_run", read_faults_per_run },
	{ "inject_at_s", read_inject_at },
	{ "observe_s", read_observe },
	{ "max_infra_retries", read_retries },
	{ NULL, NULL },
};

static int read_schedule(struct ctx *x, json_t *v, void *obj)
{
	return walk_object(x, v, schedule_fields,
			   &((struct config *)obj)->schedule);
}

static int read_log_paths(struct ctx *x, json_t *v, void *obj)
{
	struct config_logs *l = obj;
	size_t mark = x->path.len, i, n;
	const json_t *el;

	if (!json_is_array(v))
		return fail_type(x, v, "an array of guest paths");
	n = json_array_size(v);
	l->paths = xcalloc(n, sizeof(*l->paths));
	l->n_paths = (int)n;
	for (i = 0; i < n; i++) {
		el = json_array_get(v, i);
		path_index(x, i);
		if (!json_is_string(el) || json_string_value(el)[0] != '/')
			return fail_type(x, el, "an absolute path");
		l->paths[i] = xstrdup(json_string_value(el));
		path_pop(x, mark);
	}
	return 0;
}

static int read_log_max(struct ctx *x, json_t *v, void *obj)
{
	return want_int(x, v, 1, 1 << 30, &((struct config_logs *)obj)->max_bytes);
}

static const struct field logs_fields[] = {
	{ "paths", read_log_paths },
	{ "max_bytes", read_log_max },
	{ NULL, NULL },
};

static int read_logs(struct ctx *x, json_t *v, void *obj)
{
	return walk_object(x, v, logs_fields, &((struct config *)obj)->logs);
}

/* ---- top level ---------------------------------------------------------- */

static int read_name(struct ctx *x, json_t *v, void *obj)
{
	return want_word(x, v, UPPER LOWER DIGITS "._-", 40, "[A-Za-z0-9._-]",
			 &((struct config *)obj)->name);
}

static int read_description(struct ctx *x, json_t *v, void *obj)
{
	if (!json_is_string(v))
		return fail_type(x, v, "a string");
	((struct config *)obj)->description = xstrdup(json_string_value(v));
	return 0;
}

static int read_seed(struct ctx *x, json_t *v, void *obj)
{
	long long seed;

	if (want_llong(x, v, 0, LLONG_MAX, &seed) < 0)
		return -1;
	((struct config *)obj)->seed = (unsigned long long)seed;
	return 0;
}

static int read_mode(struct ctx *x, json_t *v, void *obj)
{
	static const char *const names[] = { "isolated", "continuous", NULL };
	int i;

	if (want_enum(x, v, names, &i) < 0)
		return -1;
	((struct config *)obj)->mode = (enum config_mode)i;
	return 0;
}

static const struct field top_fields[] = {
	{ "name", read_name },
	{ "description", read_description },
	{ "seed", read_seed },
	{ "mode", read_mode },
	{ "testbed", read_testbed },
	{ "workload", read_workload },
	{ "probes", read_probes },
	{ "faults", read_faults },
	{ "schedule", read_schedule },
	{ "oracles", read_oracles },
	{ "logs", read_logs },
	{ NULL, NULL },
};

static void set_defaults(struct config *c)
{
	c->seed = 1;
	c->mode = CONFIG_ISOLATED;
	c->testbed.accel = ACCEL_AUTO;
	c->testbed.vcpus = 1;
	c->testbed.net = NET_VDE;
	c->testbed.boot_timeout_s = 120;
	c->testbed.ready_timeout_s = 30;
	c->workload.where = CONFIG_ON_CONTROLLER;
	c->workload.stop_timeout_s = 10;
	c->schedule.runs = 10;
	c->schedule.faults_per_run = 1;
	c->schedule.inject_at_s.min = 1;
	c->schedule.inject_at_s.max = 3;
	c->schedule.observe_s = 10;
	c->schedule.max_infra_retries = 3;
	c->logs.max_bytes = 65536;
}

/* ---- second pass: what crosses sections --------------------------------- */

static int derive_prefix(struct ctx *x)
{
	struct config_testbed *tb = &x->c->testbed;
	char *p;

	if (tb->prefix)
		return 0;
	tb->prefix = xasprintf("cmp-%s", x->c->name);
	for (p = tb->prefix; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
		else if (*p == '.' || *p == '_')
			*p = '-';
	if (strlen(tb->prefix) <= MAX_PREFIX)
		return 0;
	path_set(x, "name");
	return fail(x, "derived testbed prefix '%s' is longer than %d "
		    "characters (set 'testbed.prefix')", tb->prefix, MAX_PREFIX);
}

static int check_fault_targets(struct ctx *x)
{
	const struct config_testbed *tb = &x->c->testbed;
	const char *t;
	int i;

	for (i = 0; i < x->c->n_faults; i++) {
		t = x->c->faults[i].target;
		if (!strcmp(t, "any") || !strcmp(t, "leader") ||
		    !strcmp(t, "primary") || find_node(tb, t) || has_role(tb, t))
			continue;
		path_set(x, "faults[%d].target", i);
		return fail(x, "no node or role named '%s' (and not 'any', "
			    "'leader' or 'primary')", t);
	}
	return 0;
}

static int cross_check(struct ctx *x)
{
	struct config *c = x->c;
	int i;

	if (derive_prefix(x) < 0)
		return -1;
	if (c->workload.where == CONFIG_ON_NODE) {
		path_set(x, "workload.node");
		if (resolve_select(x, &c->testbed, &c->workload.node) < 0)
			return -1;
	}
	for (i = 0; i < c->n_probes; i++) {
		buf_reset(&x->path);
		path_key(x, "probes");
		path_key(x, c->probes[i].name);
		path_key(x, "nodes");
		if (resolve_select(x, &c->testbed, &c->probes[i].nodes) < 0)
			return -1;
	}
	return check_fault_targets(x);
}

/* ---- load and free ------------------------------------------------------ */

static int read_text(const char *path, char **ret, size_t *ret_len,
		     struct err *e)
{
	struct buf b = BUF_INIT;
	char chunk[8192];
	size_t n;
	FILE *f = fopen(path, "rbe");

	if (!f)
		return err_errno(e, errno, "cannot open '%s'", path);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		buf_add(&b, chunk, n);
		if (b.len > MAX_FILE_BYTES)
			break;
	}
	if (ferror(f) || b.len > MAX_FILE_BYTES) {
		int saved = errno;

		fclose(f);
		buf_release(&b);
		if (saved && b.len <= MAX_FILE_BYTES)
			return err_errno(e, saved, "cannot read '%s'", path);
		return err_set(e, "cannot read '%s': larger than %d bytes",
			       path, MAX_FILE_BYTES);
	}
	fclose(f);
	*ret_len = b.len;
	*ret = buf_detach(&b);
	return 0;
}

static int load_tree(struct ctx *x, json_t *root)
{
	if (!json_is_object(root))
		return fail_type(x, root, "an object at the top level");
	if (walk_object(x, root, top_fields, x->c) < 0 ||
	    require(x, root, "name", NULL) < 0 ||
	    require(x, root, "testbed", NULL) < 0)
		return -1;
	return cross_check(x);
}

int config_load(const char *path, struct config **ret, struct err *e)
{
	struct ctx x = { NULL, BUF_INIT, e };
	struct config *c = xcalloc(1, sizeof(*c));
	json_t *root = NULL;
	json_error_t je;
	char *text = NULL;
	size_t len;
	int r = -1;

	c->path = xstrdup(path);
	set_defaults(c);
	x.c = c;
	if (read_text(path, &text, &len, e) < 0)
		goto out;
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		err_set(e, "%s:%d:%d: %s", path, je.line, je.column, je.text);
		goto out;
	}
	if (jsonpos_scan(text, len, &c->pos, e) < 0) {
		err_prefix(e, "%s", path);
		goto out;
	}
	if (load_tree(&x, root) < 0)
		goto out;
	c->canonical = json_dumps(root, JSON_SORT_KEYS | JSON_COMPACT);
	if (!c->canonical) {
		err_set(e, "%s: cannot serialise the config", path);
		goto out;
	}
	*ret = c;
	c = NULL;
	r = 0;
out:
	config_free(c);
	json_decref(root);
	buf_release(&x.path);
	free(text);
	return r;
}

static void ssh_release(struct config_ssh *s)
{
	free(s->host);
	free(s->user);
	free(s->key);
	free(s->host_key);
}

static void testbed_release(struct config_testbed *tb)
{
	int i;

	for (i = 0; tb->nodes && i < tb->n_nodes; i++) {
		free(tb->nodes[i].name);
		free(tb->nodes[i].role);
		free(tb->nodes[i].domain);
		ssh_release(&tb->nodes[i].ssh);
	}
	free(tb->nodes);
	free(tb->uri);
	free(tb->image);
	free(tb->prefix);
	free(tb->libvirt_network);
	free(tb->subnet);
}

static void probe_release(struct config_probe *p)
{
	free(p->name);
	free(p->target);
	select_release(&p->nodes);
	free(p->expect_body);
	free(p->expect_json_path);
	json_decref(p->expect_json_equals);
	free(p->expect_output);
}

void config_free(struct config *c)
{
	int i;

	if (!c)
		return;
	testbed_release(&c->testbed);
	free(c->workload.start);
	free(c->workload.stop);
	select_release(&c->workload.node);
	for (i = 0; c->probes && i < c->n_probes; i++)
		probe_release(&c->probes[i]);
	free(c->probes);
	for (i = 0; c->faults && i < c->n_faults; i++) {
		free(c->faults[i].type);
		free(c->faults[i].target);
		json_decref(c->faults[i].params);
	}
	free(c->faults);
	for (i = 0; c->oracles && i < c->n_oracles; i++) {
		free(c->oracles[i].type);
		json_decref(c->oracles[i].params);
	}
	free(c->oracles);
	for (i = 0; c->logs.paths && i < c->logs.n_paths; i++)
		free(c->logs.paths[i]);
	free(c->logs.paths);
	free(c->canonical);
	jsonpos_free(c->pos);
	free(c->path);
	free(c->name);
	free(c->description);
	free(c);
}

const struct config_node *config_node(const struct config *c,
				      const char *name)
{
	return c ? find_node(&c->testbed, name) : NULL;
}

const struct config_probe *config_probe(const struct config *c,
					const char *name)
{
	int i;

	for (i = 0; c && i < c->n_probes; i++)
		if (!strcmp(c->probes[i].name, name))
			return &c->probes[i];
	return NULL;
}

/* ---- registry checks ---------------------------------------------------- */

static int check_entry(const struct config *c, const char *section, int i,
		       const char *type, const json_t *params,
		       config_check_fn check, struct err *e)
{
	struct buf path = BUF_INIT;
	const char *key = NULL;
	struct err inner = { "" };
	int line;

	if (check(c, type, params, &key, &inner) == 0)
		return 0;
	buf_addf(&path, "%s[%d]", section, i);
	line = jsonpos_value_line(c->pos, path.data);
	if (key) {
		size_t mark = path.len;
		int key_line;

		jsonpos_path_key(&path, key);
		key_line = jsonpos_key_line(c->pos, path.data);
		if (key_line)
			line = key_line;
		else
			path.data[path.len = mark] = '\0';
	}
	err_set(e, "%s:%d: %s: %s", c->path, line > 0 ? line : 1, path.data,
		inner.msg);
	buf_release(&path);
	return -1;
}

int config_check_faults(const struct config *c, config_check_fn check,
			struct err *e)
{
	int i;

	for (i = 0; i < c->n_faults; i++)
		if (check_entry(c, "faults", i, c->faults[i].type,
				c->faults[i].params, check, e) < 0)
			return -1;
	return 0;
}

int config_check_oracles(const struct config *c, config_check_fn check,
			 struct err *e)
{
	int i;

	for (i = 0; i < c->n_oracles; i++)
		if (check_entry(c, "oracles", i, c->oracles[i].type,
				c->oracles[i].params, check, e) < 0)
			return -1;
	return 0;
}

/* ---- durations ---------------------------------------------------------- */

int config_parse_duration(const char *s, double *ret_seconds)
{
	static const struct {
		const char *unit;
		double seconds;
	} units[] = {
		{ "d", 86400 }, { "h", 3600 }, { "ms", 0.001 }, { "m", 60 },
		{ "s", 1 },
	};
	/* Order of units in a duration: d h m s ms. */
	static const int rank[] = { 0, 1, 4, 2, 3 };
	double total = 0, v;
	int last = -1, u;
	const char *start;
	char num[32];

	if (!s || !*s)
		return -1;
	while (*s) {
		start = s;
		s += strspn(s, DIGITS);
		if (s == start)
			return -1;
		if (*s == '.') {
			s++;
			if (!strspn(s, DIGITS))
				return -1;
			s += strspn(s, DIGITS);
		}
		if ((size_t)(s - start) >= sizeof(num))
			return -1;
		snprintf(num, sizeof(num), "%.*s", (int)(s - start), start);
		v = strtod(num, NULL);
		for (u = 0; u < 5; u++)
			if (!strncmp(s, units[u].unit, strlen(units[u].unit)))
				break;
		if (u == 5 || rank[u] <= last)
			return -1;
		last = rank[u];
		s += strlen(units[u].unit);
		total += v * units[u].seconds;
	}
	if (!isfinite(total))
		return -1;
	*ret_seconds = total;
	return 0;
}
