/* config_schema.c - the JSON Schema of a config and schema.md's field
 * tables, generated from the field tables the reader uses. */
#include "config_schema.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_field.h"
#include "config_select.h"

#define MAX_TABLES 32
#define MARKER "<!-- fields: "

/* Every table reachable from the top, each once, in the order met. */
struct tables {
	const struct cfg_table *t[MAX_TABLES];
	int n;
};

static void collect(struct tables *ts, const struct cfg_table *t)
{
	const struct cfg_field *f, *g;

	for (int i = 0; i < ts->n; i++)
		if (ts->t[i] == t)
			return;
	if (ts->n < MAX_TABLES)
		ts->t[ts->n++] = t;
	for (f = t->fields; f->key; f++) {
		g = f->type == CFG_ARRAY || f->type == CFG_MAP ? f->elem : f;
		if (g->type == CFG_OBJECT)
			collect(ts, g->table);
	}
}

/* ---- markdown ----------------------------------------------------------- */

static void add_cell(struct buf *out, const char *s)
{
	if (s && *s)
		buf_adds(out, " ");
	for (; s && *s; s++) {
		if (*s == '|')
			buf_addch(out, '\\');
		buf_addch(out, *s);
	}
	buf_adds(out, " |");
}

static void number_doc(const struct cfg_field *f, struct buf *b)
{
	char lo[32], hi[32];

	if (f->type == CFG_DURATION) {
		cfg_format_duration(f->min, lo, sizeof(lo));
		cfg_format_duration(f->max, hi, sizeof(hi));
	} else {
		cfg_format_number(f->min, lo, sizeof(lo));
		cfg_format_number(f->max, hi, sizeof(hi));
	}
	if (f->max >= (double)LLONG_MAX)
		buf_addf(b, " >= %s", lo);
	else if (f->above_min)
		buf_addf(b, " > %s and <= %s", lo, hi);
	else
		buf_addf(b, " %s..%s", lo, hi);
}

static void type_doc(const struct cfg_field *f, struct buf *b)
{
	const char *const *n;

	if (f->type_doc) {
		buf_adds(b, f->type_doc);
		return;
	}
	switch (f->type) {
	case CFG_STRING:
	case CFG_TEXT:
		buf_adds(b, "string");
		break;
	case CFG_WORD:
		buf_addf(b, "string, 1 to %zu characters of `%s`", f->max_len,
			 f->charset_doc);
		break;
	case CFG_GUEST_PATH:
		buf_adds(b, "absolute guest path");
		break;
	case CFG_INT:
	case CFG_U64:
		buf_adds(b, "integer");
		number_doc(f, b);
		break;
	case CFG_NUMBER:
	case CFG_RANGE:
		buf_adds(b, "number");
		number_doc(f, b);
		if (f->type == CFG_RANGE)
			buf_adds(b, ", or a range of them");
		break;
	case CFG_DURATION:
		buf_adds(b, "duration string");
		number_doc(f, b);
		break;
	case CFG_ENUM:
		for (n = f->names; *n; n++)
			buf_addf(b, "%s`\"%s\"`", n == f->names ? "" : " | ", *n);
		break;
	case CFG_BOOL:
		buf_adds(b, "boolean");
		break;
	case CFG_SELECT:
		buf_adds(b, "selector");
		break;
	case CFG_JSON:
		buf_adds(b, "any JSON");
		break;
	case CFG_OBJECT:
		buf_adds(b, "object");
		break;
	case CFG_ARRAY:
		if (f->max_items)
			buf_addf(b, "array of %d..%d %ss", f->min_items,
				 f->max_items, f->what);
		else
			buf_addf(b, "%s of %ss", f->min_items ? "non-empty array"
				 : "array", f->what);
		break;
	case CFG_MAP:
		buf_addf(b, "object of named %ss (names: 1 to %zu characters of `%s`)",
			 f->what, f->max_len, f->charset_doc);
		break;
	case CFG_CUSTOM:
	case CFG_END:
		break;
	}
}

/* row(ctx, r) for each row of t's documentation. */
static void table_rows(const struct cfg_table *t,
		       void (*row)(void *ctx, const struct config_doc_row *r),
		       void *ctx)
{
	struct buf key = BUF_INIT, type = BUF_INIT, def = BUF_INIT;
	const struct cfg_field *f;

	for (f = t->fields; f->key; f++) {
		buf_reset(&key);
		buf_reset(&type);
		buf_reset(&def);
		buf_addf(&key, "`%s`", f->key);
		type_doc(f, &type);
		if (f->required)
			buf_adds(&type, ", **required**");
		if (f->def)
			buf_addf(&def, "`%s`", f->def);
		else if (f->def_doc)
			buf_adds(&def, f->def_doc);
		row(ctx, &(struct config_doc_row){ key.data, type.data, def.data,
						   f->help });
	}
	if (t->other)
		row(ctx, &(struct config_doc_row){ t->other_key_doc,
			t->other_type_doc, "", t->other_help });
	buf_release(&key);
	buf_release(&type);
	buf_release(&def);
}

static void add_row(void *ctx, const struct config_doc_row *r)
{
	struct buf *out = ctx;

	buf_adds(out, "|");
	add_cell(out, r->key);
	add_cell(out, r->type);
	add_cell(out, r->def);
	add_cell(out, r->help);
	buf_adds(out, "\n");
}

static void table_markdown(const struct cfg_table *t, struct buf *out)
{
	buf_adds(out, "| key | type | default | notes |\n|---|---|---|---|\n");
	table_rows(t, add_row, out);
}

void config_schema_walk(const struct config_doc_visit *v)
{
	struct tables ts = { .n = 0 };

	collect(&ts, &config_table);
	for (int i = 0; i < ts.n; i++) {
		if (!ts.t[i]->name)
			continue;
		v->table(v->ctx, ts.t[i]->name, ts.t[i] == &config_table);
		table_rows(ts.t[i], v->row, v->ctx);
	}
}

static const struct cfg_table *find_table(const struct tables *ts,
					  const char *name, size_t len)
{
	for (int i = 0; i < ts->n; i++)
		if (ts->t[i]->name && strlen(ts->t[i]->name) == len &&
		    !strncmp(ts->t[i]->name, name, len))
			return ts->t[i];
	return NULL;
}

static int unknown_table(const struct tables *ts, const char *name,
			 size_t len, struct err *e)
{
	struct buf known = BUF_INIT;

	for (int i = 0; i < ts->n; i++)
		if (ts->t[i]->name)
			buf_addf(&known, "%s%s", known.len ? ", " : "",
				 ts->t[i]->name);
	err_set(e, "no field table '%.*s' (known: %s)", (int)len, name,
		known.data);
	buf_release(&known);
	return -1;
}

int config_schema_markdown(const char *doc, struct buf *out, struct err *e)
{
	struct tables ts = { .n = 0 };
	const struct cfg_table *t;
	const char *line = doc, *next, *name, *end;
	char marker[128];

	collect(&ts, &config_table);
	for (int i = 0; i < ts.n; i++) {
		if (!ts.t[i]->name)
			continue;
		snprintf(marker, sizeof(marker), MARKER "%s -->", ts.t[i]->name);
		if (!strstr(doc, marker))
			return err_set(e, "field table '%s' has no '%s' line",
				       ts.t[i]->name, marker);
	}
	while (*line) {
		next = strchr(line, '\n');
		next = next ? next + 1 : line + strlen(line);
		buf_add(out, line, (size_t)(next - line));
		if (strncmp(line, MARKER, strlen(MARKER))) {
			line = next;
			continue;
		}
		name = line + strlen(MARKER);
		end = strstr(name, " -->");
		if (!end || end > next)
			return err_set(e, "unterminated '%.*s'",
				       (int)(next - line - 1), line);
		if (!(t = find_table(&ts, name, (size_t)(end - name))))
			return unknown_table(&ts, name, (size_t)(end - name), e);
		table_markdown(t, out);
		for (line = next; *line == '|';) {
			next = strchr(line, '\n');
			line = next ? next + 1 : line + strlen(line);
		}
	}
	return 0;
}

/* ---- JSON Schema -------------------------------------------------------- */

static json_t *number(double d)
{
	if (d >= (double)LLONG_MAX)
		return json_integer(LLONG_MAX);
	if (d == floor(d) && fabs(d) < 9007199254740992.0)
		return json_integer((json_int_t)d);
	return json_real(d);
}

static json_t *parse(const char *text, const char *what, struct err *e)
{
	json_error_t je;
	json_t *v = json_loads(text, JSON_DECODE_ANY, &je);

	if (!v)
		err_set(e, "the schema of '%s' is not JSON: %s", what, je.text);
	return v;
}

/* The characters of a word or a map's names, as a pattern. */
static json_t *word(const struct cfg_field *f)
{
	char *pattern = xasprintf("^%s+$", f->charset_doc);
	json_t *s = json_pack("{s:s, s:i, s:i, s:s}", "type", "string",
			      "minLength", 1, "maxLength", (int)f->max_len,
			      "pattern", pattern);

	free(pattern);
	return s;
}

static json_t *bounded(const struct cfg_field *f, const char *type)
{
	json_t *s = json_pack("{s:s}", "type", type);

	json_object_set_new(s, f->above_min ? "exclusiveMinimum" : "minimum",
			    number(f->min));
	json_object_set_new(s, "maximum", number(f->max));
	return s;
}

/* d, h, m, s and ms in that order, each at most once, none empty. */
#define DURATION_PATTERN "^(?=[0-9])([0-9]+(\\.[0-9]+)?d)?([0-9]+(\\.[0-9]+)?h)?" \
	"([0-9]+(\\.[0-9]+)?m(?!s))?([0-9]+(\\.[0-9]+)?s)?([0-9]+(\\.[0-9]+)?ms)?$"

static json_t *object_schema(const struct cfg_table *t, struct err *e);

static json_t *typed(const struct cfg_field *f, struct err *e)
{
	json_t *s = NULL, *n;

	switch (f->type) {
	case CFG_STRING:
		return json_pack("{s:s, s:i}", "type", "string", "minLength", 1);
	case CFG_TEXT:
		return json_pack("{s:s}", "type", "string");
	case CFG_WORD:
		return word(f);
	case CFG_GUEST_PATH:
		return json_pack("{s:s, s:s}", "type", "string", "pattern", "^/");
	case CFG_INT:
	case CFG_U64:
		return bounded(f, "integer");
	case CFG_NUMBER:
		return bounded(f, "number");
	case CFG_DURATION:
		return json_pack("{s:s, s:s}", "type", "string", "pattern",
				 DURATION_PATTERN);
	case CFG_RANGE:
		n = bounded(f, "number");
		s = json_pack("{s:[O, {s:s, s:[O, O], s:i, s:i}]}", "anyOf", n,
			      "type", "array", "items", n, n, "minItems", 2,
			      "maxItems", 2);
		json_decref(n);
		return s;
	case CFG_ENUM:
		s = json_array();
		for (const char *const *name = f->names; *name; name++)
			json_array_append_new(s, json_string(*name));
		return json_pack("{s:o}", "enum", s);
	case CFG_BOOL:
		return json_pack("{s:s}", "type", "boolean");
	case CFG_SELECT:
		return parse(CFG_SELECTOR_SCHEMA, f->key, e);
	case CFG_JSON:
		return json_object();
	case CFG_OBJECT:
		return object_schema(f->table, e);
	case CFG_ARRAY:
	case CFG_MAP:
		break;
	case CFG_CUSTOM:
	case CFG_END:
		err_set(e, "field '%s' has no schema", f->key);
		return NULL;
	}
	if (!(n = f->elem->schema ? parse(f->elem->schema, f->key, e)
				  : typed(f->elem, e)))
		return NULL;
	if (f->type == CFG_MAP) {
		s = word(f);
		json_object_del(s, "type");
		return json_pack("{s:s, s:o, s:o}", "type", "object",
				 "propertyNames", s, "additionalProperties", n);
	}
	s = json_pack("{s:s, s:o}", "type", "array", "items", n);
	if (f->min_items)
		json_object_set_new(s, "minItems", json_integer(f->min_items));
	if (f->max_items)
		json_object_set_new(s, "maxItems", json_integer(f->max_items));
	return s;
}

/* The help, and for a value that is not a container its type, bounds
 * and default as schema.md says them. */
static char *description(const struct cfg_field *f)
{
	struct buf b = BUF_INIT;

	buf_adds(&b, f->help);
	if (f->type == CFG_OBJECT || f->type == CFG_ARRAY || f->type == CFG_MAP)
		return buf_detach(&b);
	buf_adds(&b, " (");
	type_doc(f, &b);
	if (f->def || f->def_doc)
		buf_addf(&b, "; default %s%s%s", f->def ? "`" : "",
			 f->def ? f->def : f->def_doc, f->def ? "`" : "");
	buf_adds(&b, ")");
	return buf_detach(&b);
}

static json_t *field_schema(const struct cfg_field *f, struct err *e)
{
	json_t *s = f->schema ? parse(f->schema, f->key, e) : typed(f, e);
	json_t *d;
	char *desc;

	if (!s)
		return NULL;
	desc = description(f);
	json_object_set_new(s, "description", json_string(desc));
	free(desc);
	if (f->def) {
		if (!(d = parse(f->def, f->key, e))) {
			json_decref(s);
			return NULL;
		}
		json_object_set_new(s, "default", d);
	}
	return s;
}

static json_t *object_schema(const struct cfg_table *t, struct err *e)
{
	json_t *s = json_pack("{s:s, s:{}}", "type", "object", "properties");
	json_t *props = json_object_get(s, "properties"), *req = json_array();
	json_t *v;
	const struct cfg_field *f;

	for (f = t->fields; f->key; f++) {
		if (!(v = field_schema(f, e)))
			goto fail;
		json_object_set_new(props, f->key, v);
		if (f->required)
			json_array_append_new(req, json_string(f->key));
	}
	if (json_array_size(req))
		json_object_set(s, "required", req);
	v = t->other ? parse(t->other_schema, t->other_key_doc, e)
		     : json_false();
	if (!v)
		goto fail;
	json_object_set_new(s, "additionalProperties", v);
	if (t->schema) {
		if (!(v = parse(t->schema, t->name ? t->name : "object", e)))
			goto fail;
		json_object_update(s, v);
		json_decref(v);
	}
	json_decref(req);
	return s;
fail:
	json_decref(req);
	json_decref(s);
	return NULL;
}

int config_schema_json(struct buf *out, struct err *e)
{
	json_t *root = json_pack("{s:s, s:s, s:s}",
				 "$schema", "http://json-schema.org/draft-07/schema#",
				 "title", "campaign config",
				 "description", "A campaign config (configs/schema.md). "
				 "Generated from the field tables of "
				 "orchestrator/config*.c by 'campaign schema'; do not "
				 "edit.");
	json_t *top = object_schema(&config_table, e);
	char *text;

	if (!top) {
		json_decref(root);
		return -1;
	}
	json_object_update(root, top);
	json_decref(top);
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (!text)
		return err_set(e, "cannot serialise the JSON Schema");
	buf_adds(out, text);
	buf_adds(out, "\n");
	free(text);
	return 0;
}
