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

int faults_check(const struct config *c, const char *type, const json_t *params,
		 const char **ret_key, struct err *e)
{
	const json_t *af;

	for (const struct fault_type *t = faults_hypervisor; t->name; t++)
		if (!strcmp(t->name, type)) {
			json_t *specs = faults_params_describe(t->params);
			int r = faults_params_check(type, specs, NULL, params, &c->testbed,
						    ret_key, e);

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
	return faults_params_check(type, json_object_get(af, "params"),
				   json_object_get(af, "one_of"), params, &c->testbed,
				   ret_key, e);
}

json_t *faults_catalogue(struct err *e)
{
	json_t *out = json_array(), *f;
	const json_t *agent = faults_agent_catalogue(e);
	size_t i;

	for (const struct fault_type *t = faults_hypervisor; t->name; t++)
		json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:o, s:s}",
			"name", t->name, "side", "hypervisor", "summary", t->summary,
			"params", faults_params_describe(t->params), "undo", t->undo));
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
