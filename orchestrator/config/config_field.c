/* config_field.c - objects read through field tables: every member in
 * document order, then defaults, required keys and the table's check;
 * and everything read released through the same tables. */
#include "config_field.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_select.h"

#define AT(obj, off) ((void *)((char *)(obj) + (off)))

static struct cfg_bounds bounds(const struct cfg_field *f)
{
	return (struct cfg_bounds){ f->min, f->above_min, f->max, f->unit };
}

/* ---- arrays and maps ---------------------------------------------------- */

static int read_elem(struct cfg_ctx *x, const struct cfg_field *el, json_t *v,
		     void *at)
{
	return el->read ? el->read(x, el, v, at) : cfg_read_value(x, el, v, at);
}

static int read_array(struct cfg_ctx *x, const struct cfg_field *f,
		      json_t *v, void *obj)
{
	size_t mark = x->path.len, i, n;
	char want[96];
	char *base;

	snprintf(want, sizeof(want), "%s array of %ss",
		 f->min_items > 0 && !f->max_items ? "a non-empty" : "an",
		 f->what);
	if (!json_is_array(v))
		return cfg_fail_type(x, v, want);
	n = json_array_size(v);
	if (f->max_items && (n < (size_t)f->min_items || n > (size_t)f->max_items))
		return cfg_fail(x, "expected %d to %d %ss, got %zu", f->min_items,
				f->max_items, f->what, n);
	if (n < (size_t)f->min_items)
		return cfg_fail_type(x, v, want);
	base = xcalloc(n, f->elem_size);
	*(void **)AT(obj, f->offset) = base;
	*(int *)AT(obj, f->count_offset) = (int)n;
	for (i = 0; i < n; i++) {
		cfg_path_index(x, i);
		if (read_elem(x, f->elem, json_array_get(v, i),
			      base + i * f->elem_size) < 0)
			return -1;
		cfg_path_pop(x, mark);
	}
	return 0;
}

static int read_map(struct cfg_ctx *x, const struct cfg_field *f, json_t *v,
		    void *obj)
{
	size_t mark = x->path.len, i = 0;
	char want[96], *base, *el;
	const char *key;
	json_t *val;

	snprintf(want, sizeof(want), "an object of named %ss", f->what);
	if (!json_is_object(v))
		return cfg_fail_type(x, v, want);
	base = xcalloc(json_object_size(v), f->elem_size);
	*(void **)AT(obj, f->offset) = base;
	*(int *)AT(obj, f->count_offset) = (int)json_object_size(v);
	json_object_foreach(v, key, val) {
		cfg_path_key(x, key);
		if (!*key || strlen(key) > f->max_len ||
		    !cfg_only_chars(key, f->charset))
			return cfg_fail_key(x, "invalid %s name: use 1 to %zu "
					    "characters of %s", f->what,
					    f->max_len, f->charset_doc);
		el = base + i++ * f->elem_size;
		*(char **)AT(el, f->name_offset) = xstrdup(key);
		if (read_elem(x, f->elem, val, el) < 0)
			return -1;
		cfg_path_pop(x, mark);
	}
	return 0;
}

/* ---- one value ---------------------------------------------------------- */

static int read_guest_path(struct cfg_ctx *x, const json_t *v, char **dst)
{
	if (!json_is_string(v) || json_string_value(v)[0] != '/')
		return cfg_fail_type(x, v, "an absolute guest path");
	*dst = xstrdup(json_string_value(v));
	return 0;
}

static int read_u64(struct cfg_ctx *x, const struct cfg_field *f,
		    const json_t *v, unsigned long long *dst)
{
	long long n;

	if (cfg_want_llong(x, v, (long long)f->min,
			   f->max >= (double)LLONG_MAX ? LLONG_MAX
						       : (long long)f->max,
			   &n) < 0)
		return -1;
	*dst = (unsigned long long)n;
	return 0;
}

int cfg_read_value(struct cfg_ctx *x, const struct cfg_field *f, json_t *v,
		   void *obj)
{
	void *at = AT(obj, f->offset);

	switch (f->type) {
	case CFG_STRING:
		return cfg_want_string(x, v, at);
	case CFG_TEXT:
		if (!json_is_string(v))
			return cfg_fail_type(x, v, "a string");
		*(char **)at = xstrdup(json_string_value(v));
		return 0;
	case CFG_WORD:
		return cfg_want_word(x, v, f->charset, f->max_len,
				     f->charset_doc, at);
	case CFG_GUEST_PATH:
		return read_guest_path(x, v, at);
	case CFG_INT:
		return cfg_want_int(x, v, (int)f->min, (int)f->max, at);
	case CFG_U64:
		return read_u64(x, f, v, at);
	case CFG_NUMBER:
		return cfg_want_number(x, v, bounds(f), at);
	case CFG_DURATION:
		return cfg_want_duration(x, v, bounds(f), at);
	case CFG_RANGE:
		return cfg_want_range(x, v, bounds(f), at);
	case CFG_ENUM:
		return cfg_want_enum(x, v, f->names, at);
	case CFG_BOOL:
		return cfg_want_bool(x, v, at);
	case CFG_SELECT:
		return cfg_want_select(x, v, at);
	case CFG_JSON:
		*(json_t **)at = json_incref(v);
		return 0;
	case CFG_OBJECT:
		return cfg_read_object(x, f->table, v, at);
	case CFG_ARRAY:
		return read_array(x, f, v, obj);
	case CFG_MAP:
		return read_map(x, f, v, obj);
	case CFG_CUSTOM:
	case CFG_END:
		break;
	}
	return cfg_fail(x, "field '%s' has no reader", f->key);
}

static int read_field(struct cfg_ctx *x, const struct cfg_field *f, json_t *v,
		      void *obj)
{
	return f->read ? f->read(x, f, v, obj) : cfg_read_value(x, f, v, obj);
}

/* ---- objects ------------------------------------------------------------ */

static int unknown_key(struct cfg_ctx *x, const char *key,
		       const struct cfg_field *fields)
{
	const char *cands[48];
	const char *hint;
	size_t n = 0;

	for (; fields[n].key && n < 48; n++)
		cands[n] = fields[n].key;
	hint = cfg_suggest(key, cands, n);
	if (hint)
		return cfg_fail_key(x, "unknown key (did you mean '%s'?)",
				    hint);
	return cfg_fail_key(x, "unknown key");
}

static int read_members(struct cfg_ctx *x, const struct cfg_table *t,
			json_t *v, void *obj)
{
	size_t mark = x->path.len;
	const struct cfg_field *f;
	const char *key;
	json_t *val;

	json_object_foreach(v, key, val) {
		cfg_path_key(x, key);
		for (f = t->fields; f->key && strcmp(f->key, key); f++)
			;
		if (!f->key && !t->other)
			return unknown_key(x, key, t->fields);
		if (f->key ? read_field(x, f, val, obj) < 0
			   : t->other(x, key, val, obj) < 0)
			return -1;
		cfg_path_pop(x, mark);
	}
	return 0;
}

static int defaults(struct cfg_ctx *x, const struct cfg_table *t,
		    const json_t *v, void *obj);

/* The default of f, read as if written at its key. */
static int read_default(struct cfg_ctx *x, const struct cfg_field *f,
			void *obj)
{
	json_error_t je;
	json_t *d;
	int r;

	if (f->type == CFG_OBJECT && !f->def)
		return defaults(x, f->table, NULL, AT(obj, f->offset));
	if (!f->def)
		return 0;
	d = json_loads(f->def, JSON_DECODE_ANY, &je);
	if (!d)
		return cfg_fail(x, "default '%s' of '%s' is not JSON: %s",
				f->def, f->key, je.text);
	r = read_field(x, f, d, obj);
	json_decref(d);
	return r;
}

/* Every absent field (all, when v is NULL) gets its default. */
static int defaults(struct cfg_ctx *x, const struct cfg_table *t,
		    const json_t *v, void *obj)
{
	size_t mark = x->path.len;
	const struct cfg_field *f;

	for (f = t->fields; f->key; f++) {
		if (v && json_object_get(v, f->key))
			continue;
		cfg_path_key(x, f->key);
		if (read_default(x, f, obj) < 0)
			return -1;
		cfg_path_pop(x, mark);
	}
	return 0;
}

int cfg_read_object(struct cfg_ctx *x, const struct cfg_table *t, json_t *v,
		    void *obj)
{
	const struct cfg_field *f;

	if (!json_is_object(v))
		return cfg_fail_type(x, v, "an object");
	if (t->init && t->init(x, v, obj) < 0)
		return -1;
	if (read_members(x, t, v, obj) < 0 || defaults(x, t, v, obj) < 0)
		return -1;
	for (f = t->fields; f->key; f++)
		if (f->required && cfg_require(x, v, f->key, NULL) < 0)
			return -1;
	return t->check ? t->check(x, v, obj) : 0;
}

/* ---- release ------------------------------------------------------------ */

/* Fields whose values are released alike: two fields of one kind at
 * one offset ("run" and "wait" both fill a step's command) own one
 * value. */
static int kind(enum cfg_type t)
{
	switch (t) {
	case CFG_STRING:
	case CFG_TEXT:
	case CFG_WORD:
	case CFG_GUEST_PATH:
		return CFG_STRING;
	default:
		return (int)t;
	}
}

static int released_before(const struct cfg_field *fields,
			   const struct cfg_field *f)
{
	const struct cfg_field *g;

	for (g = fields; g < f; g++)
		if (g->offset == f->offset && kind(g->type) == kind(f->type) &&
		    f->type != CFG_CUSTOM)
			return 1;
	return 0;
}

static void release_field(const struct cfg_field *f, void *obj);

static void release_items(const struct cfg_field *f, void *obj)
{
	char *base = *(char **)AT(obj, f->offset), *el;
	int i, n = *(int *)AT(obj, f->count_offset);

	for (i = 0; base && i < n; i++) {
		el = base + (size_t)i * f->elem_size;
		release_field(f->elem, el);
		if (f->type == CFG_MAP)
			free(*(char **)AT(el, f->name_offset));
	}
	free(base);
}

static void release_field(const struct cfg_field *f, void *obj)
{
	void *at = AT(obj, f->offset);

	switch (kind(f->type)) {
	case CFG_STRING:
		free(*(char **)at);
		break;
	case CFG_SELECT:
		cfg_select_release(at);
		break;
	case CFG_JSON:
		json_decref(*(json_t **)at);
		break;
	case CFG_OBJECT:
		cfg_release_object(f->table, at);
		break;
	case CFG_ARRAY:
	case CFG_MAP:
		release_items(f, obj);
		break;
	case CFG_CUSTOM:
		if (f->release)
			f->release(obj);
		break;
	default:
		break;
	}
}

void cfg_release_object(const struct cfg_table *t, void *obj)
{
	const struct cfg_field *f;

	for (f = t->fields; f->key; f++)
		if (!released_before(t->fields, f))
			release_field(f, obj);
	if (t->release)
		t->release(obj);
}
