/* faults_params.c - a config's fault parameters against their specs, one
 * validator for both sides: the agent's specs come from its catalogue
 * (`campaign-agent list`), the hypervisor's from struct fault_param,
 * described in the same JSON shape. What passes here is what the agent
 * (or faults_hv.c) accepts when the fault is applied, except for open
 * string formats (addresses, paths, names), which only the agent checks,
 * and the agent's checks across parameters. */
#include "faults.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "nodevars.h"
#include "template.h"

#define LIST_ITEM_MAX 4095	/* the agent's limit for one list item */

static const char *const type_names[] = {
	[FAULT_PARAM_INTEGER] = "integer", [FAULT_PARAM_NUMBER] = "number",
	[FAULT_PARAM_BOOLEAN] = "boolean", [FAULT_PARAM_STRING] = "string",
	[FAULT_PARAM_ENUM] = "enum",
};

/* ---- describing this program's own parameters ---- */

static json_t *describe_param(const struct fault_param *p)
{
	json_t *d = json_object(), *def = p->def ? json_loads(p->def, JSON_DECODE_ANY, NULL) : NULL;

	json_object_set_new(d, "name", json_string(p->name));
	json_object_set_new(d, "type", json_string(type_names[p->type]));
	json_object_set_new(d, "required", json_false());
	json_object_set_new(d, "default", def ? def : json_null());
	switch (p->type) {
	case FAULT_PARAM_INTEGER:
		json_object_set_new(d, "min", json_integer((json_int_t)p->min));
		json_object_set_new(d, "max", json_integer((json_int_t)p->max));
		break;
	case FAULT_PARAM_NUMBER:
		json_object_set_new(d, "min", json_real(p->min));
		json_object_set_new(d, "max", json_real(p->max));
		break;
	case FAULT_PARAM_STRING:
		json_object_set_new(d, "min_length", json_integer((json_int_t)p->min));
		json_object_set_new(d, "max_length", json_integer((json_int_t)p->max));
		break;
	case FAULT_PARAM_ENUM: {
		json_t *c = json_array();

		for (const char *const *s = p->choices; *s; s++)
			json_array_append_new(c, json_string(*s));
		json_object_set_new(d, "choices", c);
		break;
	}
	case FAULT_PARAM_BOOLEAN:
		break;
	}
	json_object_set_new(d, "help", json_string(p->help));
	return d;
}

json_t *faults_params_describe(const struct fault_param *params)
{
	json_t *out = json_array();

	for (const struct fault_param *p = params; p && p->name; p++)
		json_array_append_new(out, describe_param(p));
	return out;
}

/* ---- checking values ---- */

struct check {
	const char *name;		/* the parameter */
	const json_t *spec;
	const struct config_testbed *ct;
	struct err *e;
};

/* v as a message shows it: JSON, at most 40 characters. */
static const char *shown(const json_t *v, char *out, size_t n)
{
	char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(10));

	if (!s)
		snprintf(out, n, "a value");
	else if (strlen(s) <= 40)
		snprintf(out, n, "%s", s);
	else
		snprintf(out, n, "%.37s...", s);
	free(s);
	return out;
}

static int want(const struct check *k, const char *what, const json_t *v)
{
	char got[64];

	return err_set(k->e, "parameter '%s' must be %s, got %s", k->name, what,
		       shown(v, got, sizeof(got)));
}

static const json_t *spec_get(const struct check *k, const char *key)
{
	return json_object_get(k->spec, key);
}

/* v within the spec's [lo_key, hi_key] (either may be absent or null). */
static int within(const struct check *k, double v, const char *lo_key,
		  const char *hi_key, const char *what)
{
	const json_t *lo = spec_get(k, lo_key), *hi = spec_get(k, hi_key);

	if ((json_is_number(lo) && v < json_number_value(lo)) ||
	    (json_is_number(hi) && v > json_number_value(hi)))
		return err_set(k->e, "parameter '%s' %s %g, outside [%g, %g]", k->name,
			       what, v, json_is_number(lo) ? json_number_value(lo) : -INFINITY,
			       json_is_number(hi) ? json_number_value(hi) : INFINITY);
	return 0;
}

/* s is one of the names of a format's closed set (the catalogue's
 * format_values), matched as the agent matches it. */
static int among_names(const json_t *values, const char *s)
{
	int nocase = json_is_true(json_object_get(values, "ignore_case"));
	const char *prefix = json_string_value(json_object_get(values, "prefix"));
	const json_t *name;
	size_t i;

	if (prefix && !(nocase ? strncasecmp(s, prefix, strlen(prefix))
			       : strncmp(s, prefix, strlen(prefix))))
		s += strlen(prefix);
	json_array_foreach(json_object_get(values, "names"), i, name)
		if (json_is_string(name) && !(nocase ? strcasecmp(s, json_string_value(name))
						     : strcmp(s, json_string_value(name))))
			return 1;
	return 0;
}

static int among_integers(const json_t *values, json_int_t n)
{
	const json_t *range = json_object_get(values, "integers"), *num;
	size_t i;

	if (json_array_size(range) == 2 &&
	    n >= json_integer_value(json_array_get(range, 0)) &&
	    n <= json_integer_value(json_array_get(range, 1)))
		return 1;
	json_array_foreach(json_object_get(values, "numbers"), i, num)
		if (json_integer_value(num) == n)
			return 1;
	return 0;
}

/* A string (or integer) value against the format's closed set, when it
 * has one; an open format is the agent's to check. */
static int check_format(const struct check *k, const json_t *v)
{
	const json_t *values = spec_get(k, "format_values");
	const char *help = json_string_value(spec_get(k, "format_help"));

	if (!json_is_object(values))
		return 0;
	if (json_is_integer(v) ? among_integers(values, json_integer_value(v))
			       : among_names(values, json_string_value(v)))
		return 0;
	return want(k, help ? help : "one of the format's values", v);
}

/* The literal a string stands for: "{{" is '{'. Returns 0, or 1 when it
 * has placeholders, checked for the target node: its value is known
 * only once expanded. */
static int literal(const struct check *k, const char *s, struct buf *out)
{
	struct err inner = { "" };

	if (!strchr(s, '{') && !strstr(s, "}}")) {
		buf_adds(out, s);
		return 0;
	}
	if (!template_has_placeholder(s)) {
		template_expand(s, NULL, NULL, 0, out, NULL);
		return 0;
	}
	if (nodevars_check_template(k->ct, NODEVARS_NODE, s, &inner) < 0)
		return err_set(k->e, "parameter '%s': %s", k->name, inner.msg);
	return 1;
}

static int check_string(const struct check *k, const json_t *v)
{
	int ints = json_is_true(spec_get(k, "format_integers"));
	struct buf s = BUF_INIT;
	json_t *lit;
	int r;

	if (json_is_integer(v) && ints)
		return check_format(k, v);
	if (!json_is_string(v))
		return want(k, ints ? "a string or an integer" : "a string", v);
	if ((r = literal(k, json_string_value(v), &s)) != 0) {
		buf_release(&s);
		return r < 0 ? -1 : 0;
	}
	lit = json_stringn(s.data, s.len);
	r = within(k, (double)s.len, "min_length", "max_length", "has a length of");
	if (r == 0)
		r = check_format(k, lit);
	json_decref(lit);
	buf_release(&s);
	return r;
}

/* A list reaches the agent as a string of items separated by commas or
 * blanks (a choice of lists is a choice of such strings). */
static int check_list(const struct check *k, const json_t *v)
{
	struct buf s = BUF_INIT;
	const char *p;
	size_t n = 0;
	int r;

	if (!json_is_string(v))
		return want(k, "a string of items separated by commas", v);
	if ((r = literal(k, json_string_value(v), &s)) != 0) {
		buf_release(&s);
		return r < 0 ? -1 : 0;
	}
	for (p = s.data + strspn(s.data, ", \t\n"); *p && r == 0; n++) {
		size_t len = strcspn(p, ", \t\n");
		json_t *item = json_stringn(p, len);

		if (len > LIST_ITEM_MAX)
			r = err_set(k->e, "parameter '%s': item %zu is longer than %d "
				    "characters", k->name, n, LIST_ITEM_MAX);
		else
			r = check_format(k, item);
		json_decref(item);
		p += len;
		p += strspn(p, ", \t\n");
	}
	if (r == 0)
		r = within(k, (double)n, "min_items", "max_items", "has a count of items of");
	buf_release(&s);
	return r;
}

static int check_enum(const struct check *k, const json_t *v)
{
	const json_t *choices = spec_get(k, "choices"), *c;
	char list[256] = "", got[64];
	size_t i;

	json_array_foreach((json_t *)choices, i, c) {
		if (json_is_string(v) && json_equal((json_t *)c, (json_t *)v))
			return 0;
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s\"%s\"",
			 i ? ", " : "", json_string_value(c));
	}
	return err_set(k->e, "parameter '%s' must be one of %s, got %s", k->name, list,
		       shown(v, got, sizeof(got)));
}

/* One value (a scalar, an end of a range or an element of a choice). */
static int check_one(const struct check *k, const json_t *v)
{
	const char *type = json_string_value(spec_get(k, "type"));

	if (!type)
		return 0;
	if (!strcmp(type, "integer")) {
		if (!json_is_integer(v))
			return want(k, "an integer", v);
		return within(k, (double)json_integer_value(v), "min", "max", "is");
	}
	if (!strcmp(type, "number")) {
		if (!json_is_number(v))
			return want(k, "a number", v);
		return within(k, json_number_value(v), "min", "max", "is");
	}
	if (!strcmp(type, "boolean"))
		return json_is_boolean(v) ? 0 : want(k, "true or false", v);
	if (!strcmp(type, "enum"))
		return check_enum(k, v);
	if (!strcmp(type, "string"))
		return check_string(k, v);
	if (!strcmp(type, "list"))
		return check_list(k, v);
	return 0;	/* a type newer than this program: the agent checks it */
}

/* A value as the config gives it: scalar, range or choice. */
static int check_value(const struct check *k, const json_t *v)
{
	const json_t *el;
	size_t i;

	if (!json_is_array(v))
		return check_one(k, v);
	json_array_foreach((json_t *)v, i, el)
		if (check_one(k, el) < 0)
			return -1;
	return 0;
}

/* ---- the entry ---- */

static const json_t *find_spec(const json_t *specs, const char *name)
{
	const json_t *spec;
	size_t i;

	json_array_foreach((json_t *)specs, i, spec) {
		const char *n = json_string_value(json_object_get(spec, "name"));

		if (n && !strcmp(n, name))
			return spec;
	}
	return NULL;
}

/* Each group of one_of: exactly one of its names given. */
static int check_one_of(const char *fault, const json_t *one_of, const json_t *params,
			const char **ret_key, struct err *e)
{
	const json_t *group, *name;
	size_t i, j;

	json_array_foreach((json_t *)one_of, i, group) {
		char list[256] = "";
		const char *second = NULL;
		int given = 0;

		json_array_foreach((json_t *)group, j, name) {
			const char *n = json_string_value(name);

			if (n && json_object_get(params, n) && given++ == 1)
				second = n;
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s'%s'",
				 !j ? "" : j + 1 == json_array_size(group) ? " or " : ", ",
				 n ? n : "?");
		}
		if (given == 1)
			continue;
		*ret_key = second ? second : "type";
		return err_set(e, "fault '%s' needs exactly one of %s, got %d", fault, list,
			       given);
	}
	return 0;
}

int faults_params_check(const char *fault, const json_t *specs,
			const json_t *one_of, const json_t *params,
			const struct config_testbed *ct, const char **ret_key,
			struct err *e)
{
	const json_t *spec, *v;
	const char *key;
	size_t i;

	json_object_foreach((json_t *)params, key, v) {
		struct check k = { key, find_spec(specs, key), ct, e };

		*ret_key = key;
		if (!k.spec)
			return err_set(e, "fault '%s' has no parameter '%s'", fault, key);
		if (check_value(&k, v) < 0)
			return -1;
	}
	json_array_foreach((json_t *)specs, i, spec) {
		key = json_string_value(json_object_get(spec, "name"));
		if (key && json_is_true(json_object_get(spec, "required")) &&
		    !json_object_get(params, key)) {
			*ret_key = "type";
			return err_set(e, "fault '%s' needs parameter '%s'", fault, key);
		}
	}
	return check_one_of(fault, one_of, params, ret_key, e);
}
