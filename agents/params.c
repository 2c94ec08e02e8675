/* params.c - strict validation of fault parameters against their specs,
 * and the descriptions that `list` prints. Pure: no system calls. */
#include "fault.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const type_names[] = {
	[PARAM_INT] = "integer", [PARAM_NUM] = "number", [PARAM_BOOL] = "boolean",
	[PARAM_STR] = "string", [PARAM_ENUM] = "enum", [PARAM_LIST] = "list",
};

static const struct param_spec *spec_find(const struct param_spec *specs,
					  const char *name)
{
	for (const struct param_spec *p = specs; p->name; p++)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}

static int enum_error(const struct param_spec *p, struct agent_err *e)
{
	char list[400] = "";

	for (const char *const *c = p->choices; *c; c++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s'%s'",
			 list[0] ? ", " : "", *c);
	return agent_err_set(e, "must be one of %s", list);
}

/* A string checked for length and format; *ret new reference. */
static int check_string(const struct param_spec *p, json_t *v, json_t **ret,
			struct agent_err *e)
{
	if (json_is_integer(v) && p->format && p->format->accepts_int)
		return p->format->check(v, ret, e);
	if (!json_is_string(v))
		return agent_err_set(e, "must be a string%s",
				     p->format && p->format->accepts_int ? " or an integer" : "");
	size_t len = json_string_length(v);

	if ((long long)len < p->imin || (long long)len > p->imax)
		return agent_err_set(e, "length %zu is out of range [%lld, %lld]",
				     len, p->imin, p->imax);
	if (strlen(json_string_value(v)) != len)
		return agent_err_set(e, "must not contain NUL");
	if (p->format)
		return p->format->check(v, ret, e);
	*ret = json_incref(v);
	return 0;
}

/* "a,b c" -> ["a", "b", "c"] (new reference); commas and blanks
 * separate, empty items are dropped. */
static json_t *split_list(const char *s)
{
	json_t *out = json_array();

	while (*s) {
		size_t n = strcspn(s, ", \t\n");

		if (n)
			json_array_append_new(out, json_stringn(s, n));
		s += n;
		s += strspn(s, ", \t\n");
	}
	return out;
}

static int check_value(const struct param_spec *p, json_t *v, json_t **ret,
		       struct agent_err *e)
{
	switch (p->type) {
	case PARAM_INT: {
		if (!json_is_integer(v))
			return agent_err_set(e, "must be an integer");
		long long n = json_integer_value(v);

		if (n < p->imin || n > p->imax)
			return agent_err_set(e, "%lld is out of range [%lld, %lld]",
					     n, p->imin, p->imax);
		*ret = json_integer(n);
		return 0;
	}
	case PARAM_NUM: {
		if (!json_is_number(v))
			return agent_err_set(e, "must be a number");
		double d = json_number_value(v);

		if (!isfinite(d) || d < p->nmin || d > p->nmax)
			return agent_err_set(e, "%g is out of range [%g, %g]", d,
					     p->nmin, p->nmax);
		*ret = json_real(d);
		return 0;
	}
	case PARAM_BOOL:
		if (!json_is_boolean(v))
			return agent_err_set(e, "must be true or false");
		*ret = json_incref(v);
		return 0;
	case PARAM_STR:
		return check_string(p, v, ret, e);
	case PARAM_ENUM:
		if (json_is_string(v))
			for (const char *const *c = p->choices; *c; c++)
				if (!strcmp(*c, json_string_value(v))) {
					*ret = json_string(*c);
					return 0;
				}
		return enum_error(p, e);
	case PARAM_LIST: {
		json_t *split = NULL;

		if (json_is_string(v))	/* "a,b c": what a config template gives */
			v = split = split_list(json_string_value(v));
		if (!json_is_array(v))
			return agent_err_set(e, "must be a list");
		size_t n = json_array_size(v), i;
		json_t *out, *item, *norm;

		if ((long long)n < p->imin || (long long)n > p->imax) {
			json_decref(split);
			return agent_err_set(e, "%zu items is out of range [%lld, %lld]",
					     n, p->imin, p->imax);
		}
		out = json_array();
		json_array_foreach(v, i, item) {
			struct param_spec elem = { .name = p->name, .type = PARAM_STR,
						   .imin = 1, .imax = 4095, .format = p->format };

			if (check_string(&elem, item, &norm, e) < 0) {
				json_decref(out);
				json_decref(split);
				return agent_err_prefix(e, "item %zu", i);
			}
			json_array_append_new(out, norm);
		}
		json_decref(split);
		*ret = out;
		return 0;
	}
	}
	return agent_err_set(e, "has an unknown type");
}

/* The default of p as JSON (new reference), or NULL. */
static json_t *default_value(const struct param_spec *p)
{
	if (!p->def)
		return NULL;
	switch (p->type) {
	case PARAM_INT:
		return json_integer(strtoll(p->def, NULL, 0));
	case PARAM_NUM:
		return json_real(strtod(p->def, NULL));
	case PARAM_BOOL:
		return json_boolean(!strcmp(p->def, "true"));
	case PARAM_STR:
	case PARAM_ENUM:
		return json_string(p->def);
	case PARAM_LIST:
		return NULL;
	}
	return NULL;
}

static int check_one_of(const char *const *one_of, const char *what, json_t *given,
			struct agent_err *e)
{
	for (const char *const *g = one_of; g && *g; g++) {
		char names[256], *save = NULL, *tok, list[300] = "";
		int count = 0;

		snprintf(names, sizeof(names), "%s", *g);
		for (tok = strtok_r(names, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
			count += given && json_object_get(given, tok) != NULL;
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s'%s'",
				 list[0] ? ", " : "", tok);
		}
		if (count != 1)
			return agent_err_set(e, "%s needs exactly one of %s, got %d", what,
					     list, count);
	}
	return 0;
}

int params_validate(const struct param_spec *specs, const char *const *one_of,
		    const char *what, json_t *given, json_t **ret, struct agent_err *e)
{
	const char *key;
	json_t *value, *out, *norm;

	if (given && !json_is_object(given))
		return agent_err_set(e, "parameters of %s must be an object", what);
	json_object_foreach(given, key, value)
		if (!spec_find(specs, key))
			return agent_err_set(e, "unknown parameter '%s' for %s", key, what);
	out = json_object();
	for (const struct param_spec *p = specs; p->name; p++) {
		value = given ? json_object_get(given, p->name) : NULL;
		if (!value) {
			if (p->required) {
				json_decref(out);
				return agent_err_set(e, "%s needs parameter '%s'", what, p->name);
			}
			if ((norm = default_value(p)))
				json_object_set_new(out, p->name, norm);
			continue;
		}
		if (check_value(p, value, &norm, e) < 0) {
			json_decref(out);
			return agent_err_prefix(e, "parameter '%s' of %s", p->name, what);
		}
		json_object_set_new(out, p->name, norm);
	}
	if (check_one_of(one_of, what, given, e) < 0) {
		json_decref(out);
		return -1;
	}
	*ret = out;
	return 0;
}

int params_normalize(const struct fault *f, json_t *given, json_t **ret,
		     struct agent_err *e)
{
	char what[128];

	snprintf(what, sizeof(what), "fault '%s'", f->name);
	if (params_validate(f->params, f->one_of, what, given, ret, e) < 0)
		return -1;
	if (f->check && f->check(*ret, e) < 0) {
		json_decref(*ret);
		*ret = NULL;
		return agent_err_prefix(e, "%s", what);
	}
	return 0;
}

static json_t *describe_param(const struct param_spec *p)
{
	json_t *d = json_object(), *def = default_value(p);

	json_object_set_new(d, "name", json_string(p->name));
	json_object_set_new(d, "type", json_string(type_names[p->type]));
	json_object_set_new(d, "required", json_boolean(p->required));
	json_object_set_new(d, "default", def ? def : json_null());
	switch (p->type) {
	case PARAM_INT:
		json_object_set_new(d, "min", json_integer(p->imin));
		json_object_set_new(d, "max", json_integer(p->imax));
		break;
	case PARAM_NUM:
		json_object_set_new(d, "min", json_real(p->nmin));
		json_object_set_new(d, "max", json_real(p->nmax));
		break;
	case PARAM_STR:
		json_object_set_new(d, "min_length", json_integer(p->imin));
		json_object_set_new(d, "max_length", json_integer(p->imax));
		break;
	case PARAM_LIST:
		json_object_set_new(d, "min_items", json_integer(p->imin));
		json_object_set_new(d, "max_items", json_integer(p->imax));
		break;
	case PARAM_ENUM: {
		json_t *c = json_array();

		for (const char *const *s = p->choices; *s; s++)
			json_array_append_new(c, json_string(*s));
		json_object_set_new(d, "choices", c);
		break;
	}
	case PARAM_BOOL:
		break;
	}
	if (p->format) {
		json_object_set_new(d, "format", json_string(p->format->name));
		json_object_set_new(d, "format_help", json_string(p->format->help));
		json_object_set_new(d, "format_integers", json_boolean(p->format->accepts_int));
		if (p->format->values)
			json_object_set_new(d, "format_values", p->format->values());
	}
	json_object_set_new(d, "help", json_string(p->help));
	return d;
}

json_t *fault_describe(const struct fault *f)
{
	json_t *d = json_object(), *params = json_array(), *groups = json_array();
	int duration = 0;

	for (const struct param_spec *p = f->params; p->name; p++) {
		json_array_append_new(params, describe_param(p));
		duration |= !strcmp(p->name, "duration_s");
	}
	for (const char *const *g = f->one_of; g && *g; g++) {
		json_t *group = json_array();
		const char *s = *g;

		while (*s) {
			size_t n = strcspn(s, "|");

			json_array_append_new(group, json_stringn(s, n));
			s += n + (s[n] == '|');
		}
		json_array_append_new(groups, group);
	}
	json_object_set_new(d, "name", json_string(f->name));
	json_object_set_new(d, "side", json_string("agent"));
	json_object_set_new(d, "summary", json_string(f->summary));
	json_object_set_new(d, "undo", json_string(f->undo_help));
	json_object_set_new(d, "timed", json_boolean(duration));
	json_object_set_new(d, "helper", json_boolean(f->helper != NULL));
	json_object_set_new(d, "params", params);
	json_object_set_new(d, "one_of", groups);
	return d;
}

long long param_int(json_t *params, const char *name, long long dflt)
{
	json_t *v = params ? json_object_get(params, name) : NULL;

	return json_is_integer(v) ? json_integer_value(v) : dflt;
}

double param_num(json_t *params, const char *name, double dflt)
{
	json_t *v = params ? json_object_get(params, name) : NULL;

	return json_is_number(v) ? json_number_value(v) : dflt;
}

int param_bool(json_t *params, const char *name)
{
	return params && json_is_true(json_object_get(params, name));
}

const char *param_str(json_t *params, const char *name)
{
	return params ? json_string_value(json_object_get(params, name)) : NULL;
}

int params_check_defaults(const struct fault *f, struct agent_err *e)
{
	for (const struct param_spec *p = f->params; p->name; p++) {
		json_t *def = default_value(p), *norm = NULL;
		int rc;

		if (!def)
			continue;
		rc = check_value(p, def, &norm, e);
		json_decref(def);
		json_decref(norm);
		if (rc < 0)
			return agent_err_prefix(e, "default of '%s' of fault '%s'", p->name,
						f->name);
	}
	return 0;
}
