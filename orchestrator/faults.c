/* faults.c - look up, check and list fault types. */
#include "faults.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

#define MAX_AGENT_FAULTS 64

static struct fault_type agent_entries[MAX_AGENT_FAULTS];
static pthread_mutex_t entries_lock = PTHREAD_MUTEX_INITIALIZER;

static const json_t *agent_fault(const char *name)
{
	const json_t *cat = faults_agent_catalogue(NULL), *f;
	size_t i;

	json_array_foreach((json_t *)cat, i, f) {
		const char *n = json_string_value(json_object_get(f, "name"));

		if (n && !strcmp(n, name))
			return f;
	}
	return NULL;
}

const char *node_state_name(enum node_state s)
{
	switch (s) {
	case NODE_RUNNING: return "running";
	case NODE_PAUSED: return "paused";
	case NODE_DOWN: return "down";
	case NODE_BOOTING: return "booting";
	case NODE_LINK_DOWN: return "link-down";
	}
	return "?";
}

int node_state_reachable(enum node_state s)
{
	return s == NODE_RUNNING || s == NODE_LINK_DOWN;
}

const struct fault_type *faults_lookup(const char *name)
{
	const struct fault_type *found = NULL;
	const json_t *af;

	for (const struct fault_type *t = faults_hypervisor; t->name; t++)
		if (!strcmp(t->name, name))
			return t;
	af = agent_fault(name);
	if (!af)
		return NULL;
	pthread_mutex_lock(&entries_lock);
	for (int i = 0; i < MAX_AGENT_FAULTS && !found; i++) {
		struct fault_type *t = &agent_entries[i];

		if (t->name && !strcmp(t->name, name))
			found = t;
		else if (!t->name) {
			/* strings borrowed from the catalogue, which lives on */
			*t = (struct fault_type){
				json_string_value(json_object_get(af, "name")),
				FAULT_AGENT,
				json_string_value(json_object_get(af, "summary")),
				json_string_value(json_object_get(af, "undo")),
				NULL, faults_agent_apply, faults_agent_revert,
				NODE_RUNNING };
			found = t;
		}
	}
	pthread_mutex_unlock(&entries_lock);
	return found;
}

static int check_value(const json_t *spec, const json_t *v, struct err *e)
{
	const char *type = json_string_value(json_object_get(spec, "type"));
	const json_t *min = json_object_get(spec, "min"), *max = json_object_get(spec, "max");
	const char *name = json_string_value(json_object_get(spec, "name"));
	const json_t *choices = json_object_get(spec, "choices");

	if (json_is_array(choices)) {
		const json_t *c;
		size_t i;

		char list[256] = "";

		json_array_foreach((json_t *)choices, i, c) {
			if (json_is_string(v) && json_equal((json_t *)c, (json_t *)v))
				return 0;
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s\"%s\"",
				 i ? ", " : "", json_string_value(c));
		}
		return err_set(e, "parameter '%s' must be one of %s", name, list);
	}

	if (type && (!strcmp(type, "int") || !strcmp(type, "integer") ||
		     !strcmp(type, "number") || !strcmp(type, "double"))) {
		if (!json_is_number(v))
			return err_set(e, "parameter '%s' must be a number", name);
		double x = json_number_value(v);

		if ((json_is_number(min) && x < json_number_value(min)) ||
		    (json_is_number(max) && x > json_number_value(max)))
			return err_set(e, "parameter '%s' is %g, outside [%g, %g]", name,
				       x, json_number_value(min), json_number_value(max));
	}
	return 0;
}

/* params against specs, a JSON array of {name, type, min, max, ...}. */
static int check_params(const char *type, const json_t *specs,
			const json_t *params, const char **ret_key, struct err *e)
{
	const json_t *spec, *v;
	const char *key;
	size_t i;
	int known;

	json_object_foreach((json_t *)params, key, v) {
		const json_t *match = NULL;

		json_array_foreach(specs, i, spec)
			if (!strcmp(json_string_value(json_object_get(spec, "name")), key))
				match = spec;
		*ret_key = key;
		if (!match)
			return err_set(e, "fault '%s' has no parameter '%s'", type, key);
		/* a range or a choice: check each end or element */
		if (json_is_array(v)) {
			json_t *x;
			size_t k;

			json_array_foreach((json_t *)v, k, x)
				if (check_value(match, x, e) < 0)
					return -1;
		} else if (check_value(match, v, e) < 0)
			return -1;
	}
	json_array_foreach(specs, i, spec) {
		key = json_string_value(json_object_get(spec, "name"));
		known = json_object_get(params, key) != NULL;
		if (json_is_true(json_object_get(spec, "required")) && !known) {
			*ret_key = "type";
			return err_set(e, "fault '%s' needs parameter '%s'", type, key);
		}
	}
	return 0;
}

int faults_check(const struct config *c, const char *type, const json_t *params,
		 const char **ret_key, struct err *e)
{
	const json_t *af;

	(void)c;
	for (const struct fault_type *t = faults_hypervisor; t->name; t++)
		if (!strcmp(t->name, type)) {
			json_t *specs = json_loads(t->params_json, 0, NULL);
			int r = check_params(type, specs, params, ret_key, e);

			json_decref(specs);
			return r;
		}
	if (!faults_agent_catalogue(e))
		return -1;
	af = agent_fault(type);
	if (!af) {
		*ret_key = "type";
		return err_set(e, "unknown fault type '%s' (campaign faults lists them)",
			       type);
	}
	return check_params(type, json_object_get(af, "params"), params, ret_key, e);
}

json_t *faults_catalogue(struct err *e)
{
	json_t *out = json_array(), *f;
	const json_t *agent = faults_agent_catalogue(e);
	size_t i;

	for (const struct fault_type *t = faults_hypervisor; t->name; t++)
		json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:o, s:s}",
			"name", t->name, "side", "hypervisor", "summary", t->summary,
			"params", json_loads(t->params_json, 0, NULL), "undo", t->undo));
	if (!agent) {
		json_decref(out);
		return NULL;
	}
	json_array_foreach((json_t *)agent, i, f) {
		json_t *copy = json_deep_copy(f);

		json_object_set_new(copy, "side", json_string("agent"));
		json_array_append_new(out, copy);
	}
	return out;
}

void fault_applied_release(struct fault_applied *a)
{
	json_decref(a->evidence);
	free(a->undo_token);
	memset(a, 0, sizeof(*a));
}
