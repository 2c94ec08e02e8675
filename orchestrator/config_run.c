/* config_run.c - the sections that shape a run: workload, probes,
 * faults, schedule, oracles and logs. */
#include "config_priv.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* ---- workload ------------------------------------------------------------ */

static int read_wl_start(struct cfg_ctx *x, json_t *v, void *obj)
{
	return cfg_want_string(x, v, &((struct config_workload *)obj)->start);
}

static int read_wl_where(struct cfg_ctx *x, json_t *v, void *obj)
{
	static const char *const names[] = { "controller", "node", NULL };
	int i;

	if (cfg_want_enum(x, v, names, &i) < 0)
		return -1;
	((struct config_workload *)obj)->where = (enum config_where)i;
	return 0;
}

static int read_wl_node(struct cfg_ctx *x, json_t *v, void *obj)
{
	return cfg_want_select(x, v, &((struct config_workload *)obj)->node);
}

static int read_wl_warmup(struct cfg_ctx *x, json_t *v, void *obj)
{
	return cfg_want_number(x, v, CFG_SECONDS_OR_0,
			       &((struct config_workload *)obj)->warmup_s);
}

static int read_wl_stop(struct cfg_ctx *x, json_t *v, void *obj)
{
	return cfg_want_string(x, v, &((struct config_workload *)obj)->stop);
}

static int read_wl_stop_timeout(struct cfg_ctx *x, json_t *v, void *obj)
{
	struct config_workload *w = obj;

	return cfg_want_number(x, v, CFG_SECONDS, &w->stop_timeout_s);
}

static int read_wl_leader(struct cfg_ctx *x, json_t *v, void *obj)
{
	return cfg_want_string(x, v, &((struct config_workload *)obj)->leader);
}

static const struct cfg_field workload_fields[] = {
	{ "leader", read_wl_leader },
	{ "start", read_wl_start },
	{ "where", read_wl_where },
	{ "node", read_wl_node },
	{ "warmup_s", read_wl_warmup },
	{ "stop", read_wl_stop },
	{ "stop_timeout_s", read_wl_stop_timeout },
	{ NULL, NULL },
};

int cfg_read_workload(struct cfg_ctx *x, json_t *v, void *obj)
{
	struct config_workload *w = &((struct config *)obj)->workload;

	if (cfg_walk_object(x, v, workload_fields, w) < 0 ||
	    cfg_require(x, v, "start", NULL) < 0)
		return -1;
	if (w->where == CONFIG_ON_NODE)
		return cfg_require(x, v, "node", " (where is 'node')");
	if (json_object_get(v, "node"))
		return cfg_fail_member(x, "node",
				       "allowed only with where 'node'");
	return 0;
}

/* ---- probes -------------------------------------------------------------- */

static int read_probe_target(struct cfg_ctx *x, const json_t *v,
			     struct config_probe *p,
			     enum config_probe_kind kind)
{
	const char *s;

	if (p->target)
		return cfg_fail_key(x,
				    "expected exactly one of 'http' and 'ssh'");
	p->kind = kind;
	if (kind == CONFIG_PROBE_SSH)
		return cfg_want_string(x, v, &p->target);
	s = json_is_string(v) ? json_string_value(v) : "";
	if (strncmp(s, "http://", 7) && strncmp(s, "https://", 8))
		return cfg_fail_type(x, v,
				     "an http:// or https:// URL template");
	p->target = xstrdup(s);
	return 0;
}

static int read_probe_http(struct cfg_ctx *x, json_t *v, void *obj)
{
	return read_probe_target(x, v, obj, CONFIG_PROBE_HTTP);
}

static int read_probe_ssh(struct cfg_ctx *x, json_t *v, void *obj)
{
	return read_probe_target(x, v, obj, CONFIG_PROBE_SSH);
}

static int read_probe_nodes(struct cfg_ctx *x, json_t *v, void *obj)
{
	return cfg_want_select(x, v, &((struct config_probe *)obj)->nodes);
}

static int read_probe_status(struct cfg_ctx *x, json_t *v, void *obj)
{
	return cfg_want_int(x, v, 100, 599,
			    &((struct config_probe *)obj)->expect_status);
}

static int read_probe_body(struct cfg_ctx *x, json_t *v, void *obj)
{
	return cfg_want_string(x, v,
			       &((struct config_probe *)obj)->expect_body);
}

static int read_json_path(struct cfg_ctx *x, json_t *v, void *obj)
{
	const char *s = json_is_string(v) ? json_string_value(v) : "";

	if (!*s || *s == '.' || s[strlen(s) - 1] == '.' || strstr(s, ".."))
		return cfg_fail_type(x, v, "a path of dot-separated keys like "
				     "\"a.b.0\"");
	((struct config_probe *)obj)->expect_json_path = xstrdup(s);
	return 0;
}

static int read_json_equals(struct cfg_ctx *x, json_t *v, void *obj)
{
	(void)x;
	((struct config_probe *)obj)->expect_json_equals = json_incref(v);
	return 0;
}

static const struct cfg_field expect_json_fields[] = {
	{ "path", read_json_path },
	{ "equals", read_json_equals },
	{ NULL, NULL },
};

static int read_probe_json(struct cfg_ctx *x, json_t *v, void *obj)
{
	if (cfg_walk_object(x, v, expect_json_fields, obj) < 0 ||
	    cfg_require(x, v, "path", NULL) < 0 ||
	    cfg_require(x, v, "equals", NULL) < 0)
		return -1;
	return 0;
}

static int read_probe_exit(struct cfg_ctx *x, json_t *v, void *obj)
{
	return cfg_want_int(x, v, 0, 255,
			    &((struct config_probe *)obj)->expect_exit);
}

static int read_probe_output(struct cfg_ctx *x, json_t *v, void *obj)
{
	return cfg_want_string(x, v,
			       &((struct config_probe *)obj)->expect_output);
}

static int read_probe_every(struct cfg_ctx *x, json_t *v, void *obj)
{
	return cfg_want_int(x, v, 50, 600000,
			    &((struct config_probe *)obj)->every_ms);
}

static int read_probe_timeout(struct cfg_ctx *x, json_t *v, void *obj)
{
	return cfg_want_int(x, v, 10, 600000,
			    &((struct config_probe *)obj)->timeout_ms);
}

static const struct cfg_field probe_fields[] = {
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
static int check_probe_keys(struct cfg_ctx *x, json_t *v,
			    const struct config_probe *p)
{
	static const char *const http_only[] = { "expect_status",
		"expect_body", "expect_json", NULL };
	static const char *const ssh_only[] = { "expect_exit",
		"expect_output", NULL };
	const char *const *wrong, *key, *const *w, *kind;
	json_t *val;

	wrong = p->kind == CONFIG_PROBE_HTTP ? ssh_only : http_only;
	kind = p->kind == CONFIG_PROBE_HTTP ? "ssh" : "http";
	json_object_foreach(v, key, val) {
		for (w = wrong; *w; w++)
			if (!strcmp(*w, key))
				return cfg_fail_member(x, key, "allowed only "
						       "in %s probes", kind);
	}
	return 0;
}

static int read_probe(struct cfg_ctx *x, const char *name, json_t *v,
		      struct config_probe *p)
{
	p->every_ms = 500;
	p->timeout_ms = 1000;
	p->expect_status = 200;
	if (!*name || strlen(name) > 32 ||
	    !cfg_only_chars(name, CFG_LOWER CFG_UPPER CFG_DIGITS "_-"))
		return cfg_fail_key(x, "invalid probe name: use 1 to 32 "
				    "characters of [A-Za-z0-9_-]");
	p->name = xstrdup(name);
	if (cfg_walk_object(x, v, probe_fields, p) < 0)
		return -1;
	if (!p->target)
		return cfg_fail(x, "missing required key 'http' or 'ssh'");
	if (check_probe_keys(x, v, p) < 0)
		return -1;
	if (!p->nodes.spec && !p->nodes.n_names)
		p->nodes.spec = xstrdup("all");
	return 0;
}

int cfg_read_probes(struct cfg_ctx *x, json_t *v, void *obj)
{
	struct config *c = obj;
	size_t mark = x->path.len, i = 0;
	const char *key;
	json_t *pv;

	if (!json_is_object(v))
		return cfg_fail_type(x, v, "an object of named probes");
	c->probes = xcalloc(json_object_size(v), sizeof(*c->probes));
	c->n_probes = (int)json_object_size(v);
	json_object_foreach(v, key, pv) {
		cfg_path_key(x, key);
		if (read_probe(x, key, pv, &c->probes[i++]) < 0)
			return -1;
		cfg_path_pop(x, mark);
	}
	return 0;
}

/* ---- faults and oracles ------------------------------------------------- */

static int want_type(struct cfg_ctx *x, const json_t *v, char **dst)
{
	return cfg_want_word(x, v, CFG_LOWER CFG_DIGITS "-", 64, "[a-z0-9-]",
			     dst);
}

/* A choice the plan draws from: a non-empty array of strings. */
static int is_choice(const json_t *v)
{
	size_t i;
	json_t *el;

	if (!json_is_array(v) || !json_array_size(v))
		return 0;
	json_array_foreach((json_t *)v, i, el)
		if (!json_is_string(el))
			return 0;
	return 1;
}

/* A fault parameter: number, string, bool, a range [min, max] or a
 * choice ["a", "b", ...]. */
static int check_fault_param(struct cfg_ctx *x, const json_t *v)
{
	if (json_is_number(v) || json_is_string(v) || json_is_boolean(v) ||
	    is_choice(v))
		return 0;
	if (cfg_is_range(v))
		return cfg_check_range_order(x, v);
	return cfg_fail_type(x, v, "a number, string, boolean, range [min, max] "
			     "or choice [\"a\", \"b\"]");
}

static int read_fault_member(struct cfg_ctx *x, const char *key, json_t *v,
			     struct config_fault *f)
{
	if (!strcmp(key, "type"))
		return want_type(x, v, &f->type);
	if (!strcmp(key, "weight"))
		return cfg_want_number(x, v, CFG_WEIGHT, &f->weight);
	if (!strcmp(key, "target"))
		return cfg_want_string(x, v, &f->target);
	if (!strcmp(key, "duration_s")) {
		f->has_duration = 1;
		return cfg_want_range(x, v, CFG_SECONDS, &f->duration_s);
	}
	if (check_fault_param(x, v) < 0)
		return -1;
	json_object_set(f->params, key, v);
	return 0;
}

static int read_fault(struct cfg_ctx *x, json_t *v, struct config_fault *f)
{
	size_t mark = x->path.len;
	const char *key;
	json_t *val;

	f->weight = 1;
	f->params = json_object();
	if (!json_is_object(v))
		return cfg_fail_type(x, v, "an object");
	json_object_foreach(v, key, val) {
		cfg_path_key(x, key);
		if (read_fault_member(x, key, val, f) < 0)
			return -1;
		cfg_path_pop(x, mark);
	}
	if (cfg_require(x, v, "type", NULL) < 0)
		return -1;
	if (!f->target)
		f->target = xstrdup("any");
	return 0;
}

int cfg_read_faults(struct cfg_ctx *x, json_t *v, void *obj)
{
	struct config *c = obj;
	size_t mark = x->path.len, i, n;

	if (!json_is_array(v) || !json_array_size(v))
		return cfg_fail_type(x, v, "a non-empty array of faults");
	n = json_array_size(v);
	c->faults = xcalloc(n, sizeof(*c->faults));
	c->n_faults = (int)n;
	for (i = 0; i < n; i++) {
		cfg_path_index(x, i);
		if (read_fault(x, json_array_get(v, i), &c->faults[i]) < 0)
			return -1;
		cfg_path_pop(x, mark);
	}
	return 0;
}

static int read_oracle(struct cfg_ctx *x, json_t *v, struct config_oracle *o)
{
	size_t mark = x->path.len;
	const char *key;
	json_t *val;

	o->params = json_object();
	if (!json_is_object(v))
		return cfg_fail_type(x, v, "an object");
	json_object_foreach(v, key, val) {
		if (strcmp(key, "type")) {
			json_object_set(o->params, key, val);
			continue;
		}
		cfg_path_key(x, key);
		if (want_type(x, val, &o->type) < 0)
			return -1;
		cfg_path_pop(x, mark);
	}
	return cfg_require(x, v, "type", NULL);
}

int cfg_read_oracles(struct cfg_ctx *x, json_t *v, void *obj)
{
	struct config *c = obj;
	size_t mark = x->path.len, i, n;

	if (!json_is_array(v) || !json_array_size(v))
		return cfg_fail_type(x, v, "a non-empty array of oracles");
	n = json_array_size(v);
	c->oracles = xcalloc(n, sizeof(*c->oracles));
	c->n_oracles = (int)n;
	for (i = 0; i < n; i++) {
		cfg_path_index(x, i);
		if (read_oracle(x, json_array_get(v, i), &c->oracles[i]) < 0)
			return -1;
		cfg_path_pop(x, mark);
	}
	return 0;
}

/* ---- schedule and logs ------------------------------------------------- */

static int read_runs(struct cfg_ctx *x, json_t *v, void *obj)
{
	return cfg_want_int(x, v, 1, INT_MAX,
			    &((struct config_schedule *)obj)->runs);
}

static int read_budget(struct cfg_ctx *x, json_t *v, void *obj)
{
	double s;

	if (!json_is_string(v) ||
	    config_parse_duration(json_string_value(v), &s) < 0 || s <= 0)
		return cfg_fail_type(x, v, "a duration like \"8h\", \"90m\" or "
				     "\"1h30m\"");
	((struct config_schedule *)obj)->budget_s = s;
	return 0;
}

static int read_faults_per_run(struct cfg_ctx *x, json_t *v, void *obj)
{
	return cfg_want_int(x, v, 1, 8,
			    &((struct config_schedule *)obj)->faults_per_run);
}

static int read_inject_at(struct cfg_ctx *x, json_t *v, void *obj)
{
	return cfg_want_range(x, v, CFG_SECONDS_OR_0,
			      &((struct config_schedule *)obj)->inject_at_s);
}

static int read_observe(struct cfg_ctx *x, json_t *v, void *obj)
{
	return cfg_want_number(x, v, CFG_SECONDS,
			       &((struct config_schedule *)obj)->observe_s);
}

static int read_retries(struct cfg_ctx *x, json_t *v, void *obj)
{
	struct config_schedule *s = obj;

	return cfg_want_int(x, v, 0, 100, &s->max_infra_retries);
}

static const struct cfg_field schedule_fields[] = {
	{ "runs", read_runs },
	{ "budget", read_budget },
	{ "faults_per_run", read_faults_per_run },
	{ "inject_at_s", read_inject_at },
	{ "observe_s", read_observe },
	{ "max_infra_retries", read_retries },
	{ NULL, NULL },
};

int cfg_read_schedule(struct cfg_ctx *x, json_t *v, void *obj)
{
	return cfg_walk_object(x, v, schedule_fields,
			       &((struct config *)obj)->schedule);
}

static int read_log_paths(struct cfg_ctx *x, json_t *v, void *obj)
{
	struct config_logs *l = obj;
	size_t mark = x->path.len, i, n;
	const json_t *el;

	if (!json_is_array(v))
		return cfg_fail_type(x, v, "an array of guest paths");
	n = json_array_size(v);
	l->paths = xcalloc(n, sizeof(*l->paths));
	l->n_paths = (int)n;
	for (i = 0; i < n; i++) {
		el = json_array_get(v, i);
		cfg_path_index(x, i);
		if (!json_is_string(el) || json_string_value(el)[0] != '/')
			return cfg_fail_type(x, el, "an absolute path");
		l->paths[i] = xstrdup(json_string_value(el));
		cfg_path_pop(x, mark);
	}
	return 0;
}

static int read_log_max(struct cfg_ctx *x, json_t *v, void *obj)
{
	return cfg_want_int(x, v, 1, 1 << 30,
			    &((struct config_logs *)obj)->max_bytes);
}

static int read_log_keep(struct cfg_ctx *x, json_t *v, void *obj)
{
	static const char *const names[] = { "flaws", "all", NULL };

	return cfg_want_enum(x, v, names, &((struct config_logs *)obj)->keep_all_runs);
}

static const struct cfg_field logs_fields[] = {
	{ "paths", read_log_paths },
	{ "max_bytes", read_log_max },
	{ "keep_runs", read_log_keep },
	{ NULL, NULL },
};

int cfg_read_logs(struct cfg_ctx *x, json_t *v, void *obj)
{
	return cfg_walk_object(x, v, logs_fields,
			       &((struct config *)obj)->logs);
}

static void probe_release(struct config_probe *p)
{
	free(p->name);
	free(p->target);
	cfg_select_release(&p->nodes);
	free(p->expect_body);
	free(p->expect_json_path);
	json_decref(p->expect_json_equals);
	free(p->expect_output);
}

void cfg_run_release(struct config *c)
{
	int i;

	free(c->workload.start);
	free(c->workload.stop);
	free(c->workload.leader);
	cfg_select_release(&c->workload.node);
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
}
