/* config_scenario.c - scenarios (ordered steps: faults, waits, bound
 * targets) and the shrinking of multi-fault flaws, as field tables. A
 * fault step is read by the faults[] entry's hooks (config_run.c), so
 * the two cannot disagree on what a fault is. */
#include "config_run.h"

#include <stdio.h>
#include <string.h>

#define SECONDS_1H 3600.0
#define BIND_CHARS CFG_LOWER CFG_DIGITS "_-"

/* ---- a step ------------------------------------------------------------- */

static const struct cfg_field wait_range_fields[] = {
	CFG_F_DURATION("min", struct config_range, min, 0, SECONDS_1H,
		       .required = 1, .help = "the shortest wait"),
	CFG_F_DURATION("max", struct config_range, max, 0, SECONDS_1H,
		       .required = 1, .help = "the longest wait"),
	CFG_F_END,
};

static int check_wait_range(struct cfg_ctx *x, json_t *v, void *obj)
{
	const struct config_range *r = obj;
	char lo[32], hi[32];

	(void)v;
	if (r->min <= r->max)
		return 0;
	cfg_format_duration(r->min, lo, sizeof(lo));
	cfg_format_duration(r->max, hi, sizeof(hi));
	return cfg_fail(x, "invalid wait: min %s is longer than max %s", lo, hi);
}

static const struct cfg_table wait_range_table = {
	.fields = wait_range_fields, .check = check_wait_range,
};

/* "2s", or {"min": "1s", "max": "3s"}: drawn with the seed. */
static int read_wait(struct cfg_ctx *x, const struct cfg_field *f, json_t *v,
		     void *obj)
{
	struct config_scenario_step *s = obj;
	struct cfg_bounds b = { 0, 0, SECONDS_1H, "seconds" };

	(void)f;
	s->is_wait = 1;
	if (json_is_object(v))
		return cfg_read_object(x, &wait_range_table, v, &s->wait_s);
	if (cfg_want_duration(x, v, b, &s->wait_s.min) < 0)
		return -1;
	s->wait_s.max = s->wait_s.min;
	return 0;
}

/* Every other key of a fault step is a fault parameter, as in faults[];
 * a weight belongs to the scenario. */
static int read_step_param(struct cfg_ctx *x, const char *key, json_t *v,
			   void *obj)
{
	if (!strcmp(key, "weight"))
		return cfg_fail_key(x, "a step has no weight (its scenario has)");
	return cfg_fault_param(x, key, v, obj);
}

/* Exactly one of "type" (a fault step) and "wait"; a wait has nothing else. */
static int check_step(struct cfg_ctx *x, json_t *v, void *obj)
{
	const struct config_scenario_step *s = obj;
	const char *key;
	json_t *val;

	if (s->is_wait && json_object_get(v, "type"))
		return cfg_fail_member(x, "wait", "a step is a fault (\"type\") or "
				       "a wait (\"wait\"), not both");
	if (!s->is_wait && !s->fault.type)
		return cfg_fail(x, "missing required key 'type' or 'wait'");
	json_object_foreach(v, key, val)
		if (s->is_wait && strcmp(key, "wait"))
			return cfg_fail_member(x, key, "not allowed in a wait step");
	return 0;
}

static const char *const after_names[] = { "start", "end", NULL };

static const struct cfg_field step_fields[] = {
	CFG_F_WORD("type", struct config_scenario_step, fault.type, 64,
		   CFG_LOWER CFG_DIGITS "-", "[a-z0-9-]",
		   .help = "a **fault step**: as in `faults[]` (the fault registry "
		   "checks the name and every other key is a fault parameter); "
		   "a step has exactly one of `type` and `wait`"),
	CFG_F_STRING("target", struct config_scenario_step, fault.target,
		     .def = "\"any\"", .help = "as in `faults[]`, or `\"@NAME\"`: "
		     "the node an earlier step bound to NAME (the same node even "
		     "if the leader has moved since)"),
	CFG_F_RANGE("duration_s", struct config_scenario_step, fault.duration_s,
		    0, CFG_SECONDS_1D, .above_min = 1, .unit = "seconds",
		    .read = cfg_fault_duration, .def_doc = "none",
		    .help = "seconds the fault lasts, as in `faults[]`"),
	CFG_F_WORD("bind", struct config_scenario_step, bind, 32, BIND_CHARS,
		   "[a-z0-9_-]", .def_doc = "none",
		   .help = "binds the node this step's target resolved to (at "
		   "injection time for `leader`/`primary`) to NAME, for the "
		   "`\"@NAME\"` targets of later steps; the run record keeps the "
		   "node"),
	CFG_F_ENUM("after", struct config_scenario_step, after_end, after_names,
		   .def = "\"end\"", .help = "when this fault step starts: at the "
		   "previous fault step's planned end (its start plus its "
		   "`duration_s`; an instantaneous fault ends as it starts) or at "
		   "its start (to overlap it); the waits between the two are "
		   "added. Not on the first fault step, which starts at "
		   "`schedule.inject_at_s`"),
	CFG_F_CUSTOM("wait", read_wait, NULL,
		     "duration string, or `{\"min\": D, \"max\": D}`",
		     "{\"oneOf\": [{\"type\": \"string\"}, {\"type\": \"object\", "
		     "\"properties\": {\"min\": {\"type\": \"string\"}, \"max\": "
		     "{\"type\": \"string\"}}, \"required\": [\"min\", \"max\"], "
		     "\"additionalProperties\": false}]}",
		     .help = "a **wait step**, alone in its object: the next fault "
		     "step starts this much later (0s to 1h; a range is drawn "
		     "with the seed)"),
	CFG_F_END,
};

static const struct cfg_table step_table = {
	.name = "scenarios[].steps[]", .fields = step_fields,
	.init = cfg_fault_init, .other = read_step_param,
	.check = check_step, .release = cfg_fault_release,
	.other_key_doc = "*anything else*",
	.other_type_doc = "as in `faults[]`",
	.other_help = "a **fault parameter** of a fault step, checked by the "
		      "fault registry",
	.other_schema = "{\"anyOf\": [{\"type\": [\"number\", \"string\", "
			"\"boolean\"]}, {\"type\": \"array\"}]}",
	.schema = "{\"oneOf\": [{\"required\": [\"type\"], \"not\": "
		  "{\"required\": [\"wait\"]}}, {\"required\": [\"wait\"], "
		  "\"maxProperties\": 1}]}",
};

/* ---- a scenario: its steps together ------------------------------------- */

/* The step that binds name, from step `from` on (-1: none). */
static int binder(const struct config_scenario *sc, const char *name, int from)
{
	for (int i = from; i < sc->n_steps; i++)
		if (sc->steps[i].bind && !strcmp(sc->steps[i].bind, name))
			return i;
	return -1;
}

/* Fail about member key of steps[i]. */
static int step_fail(struct cfg_ctx *x, int i, const char *key, const char *msg)
{
	cfg_path_key(x, "steps");
	cfg_path_index(x, (size_t)i);
	return cfg_fail_member(x, key, "%s", msg);
}

/* "@NAME" targets name a node bound by an earlier step; a name is bound
 * once. */
static int check_bindings(struct cfg_ctx *x, const struct config_scenario *sc)
{
	char msg[256];

	for (int i = 0; i < sc->n_steps; i++) {
		const struct config_scenario_step *s = &sc->steps[i];
		const char *t = s->is_wait ? NULL : s->fault.target;
		int at;

		if (t && t[0] == '@' && binder(sc, t + 1, 0) < 0) {
			snprintf(msg, sizeof(msg), "no step binds '%s'", t);
			return step_fail(x, i, "target", msg);
		}
		if (t && t[0] == '@' && (at = binder(sc, t + 1, 0)) >= i) {
			snprintf(msg, sizeof(msg), "'%s' is used before a step binds it "
				 "(steps[%d]%s)", t, at, at == i ? ", this one" : "");
			return step_fail(x, i, "target", msg);
		}
		if (s->bind && (at = binder(sc, s->bind, 0)) < i) {
			snprintf(msg, sizeof(msg), "'%s' is bound already by steps[%d]",
				 s->bind, at);
			return step_fail(x, i, "bind", msg);
		}
	}
	return 0;
}

static int check_scenario(struct cfg_ctx *x, json_t *v, void *obj)
{
	const struct config_scenario *sc = obj;
	json_t *steps = json_object_get(v, "steps");
	int first = -1;

	for (int i = 0; i < sc->n_steps && first < 0; i++)
		if (!sc->steps[i].is_wait)
			first = i;
	if (first < 0)
		return cfg_fail_member(x, "steps", "scenario '%s' has no fault step",
				       sc->name);
	if (json_object_get(json_array_get(steps, (size_t)first), "after"))
		return step_fail(x, first, "after", "the first fault step has no "
				 "earlier fault step to start after");
	if (sc->steps[sc->n_steps - 1].is_wait)
		return step_fail(x, sc->n_steps - 1, "wait", "a wait as the last "
				 "step waits for nothing");
	return check_bindings(x, sc);
}

static const struct cfg_field step_elem = {
	.type = CFG_OBJECT, .table = &step_table,
};

static const struct cfg_field scenario_fields[] = {
	CFG_F_WORD("name", struct config_scenario, name, 32,
		   CFG_UPPER CFG_LOWER CFG_DIGITS "_-", "[A-Za-z0-9_-]",
		   .required = 1, .help = "names the scenario in plans, run records "
		   "and the report; unique"),
	CFG_F_NUMBER("weight", struct config_scenario, weight, 0, 1000000,
		     .above_min = 1, .def = "1", .help = "relative probability of a "
		     "run being this scenario, against the other scenarios and "
		     "`schedule.random_weight`"),
	CFG_F_ARRAY("steps", struct config_scenario, steps, n_steps, &step_elem,
		    .required = 1, .min_items = 1, .max_items = 32, .what = "step",
		    .help = "in order; at least one fault step, not ending with a "
		    "wait (see `scenarios[].steps[]`)"),
	CFG_F_END,
};

const struct cfg_table cfg_scenario_table = {
	.name = "scenarios[]", .fields = scenario_fields, .check = check_scenario,
};

/* ---- shrinking ---------------------------------------------------------- */

static const struct cfg_field shrink_fields[] = {
	CFG_F_BOOL("enabled", struct config_shrink, enabled, .def = "true",
		   .help = "shrink the flaw of a run with more than one applied "
		   "fault: replay the run with faults removed until a minimal set "
		   "that still fails the same oracle is left (see "
		   "docs/scenarios-and-shrinking.md)"),
	CFG_F_INT("max_runs", struct config_shrink, max_runs, 0, 10000,
		  .def = "40", .help = "runs one flaw's shrink may take in all "
		  "(the tries of every candidate, then the minimal set's); when "
		  "they are spent the smallest failing set found so far stands"),
	CFG_F_INT("tries", struct config_shrink, tries, 1, 100, .def = "3",
		  .help = "times a candidate is run at most: it fails when any try "
		  "fails the same oracle (runs are not deterministic); the minimal "
		  "set is run this many times in all for its reproduction rate "
		  "(k of M)"),
	CFG_F_END,
};

const struct cfg_table cfg_shrink_table = {
	.name = "shrink", .fields = shrink_fields,
};
