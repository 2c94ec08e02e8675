/* config_run.c - the sections that shape a run, as field tables:
 * workload, probes, faults, schedule, oracles and logs. */
#include "config_run.h"

#include <stdlib.h>
#include <string.h>

#define SECONDS_1H 3600.0
#define SECONDS_7D (7 * CFG_SECONDS_1D)

/* ---- workload ----------------------------------------------------------- */

static int check_workload(struct cfg_ctx *x, json_t *v, void *obj)
{
	const struct config_workload *w = obj;

	if (w->where == CONFIG_ON_NODE)
		return cfg_require(x, v, "node", " (where is 'node')");
	if (json_object_get(v, "node"))
		return cfg_fail_member(x, "node",
				       "allowed only with where 'node'");
	return 0;
}

static const char *const where_names[] = { "controller", "node", NULL };

static const struct cfg_field workload_fields[] = {
	CFG_F_STRING("start", struct config_workload, start, .required = 1,
		     .type_doc = "command template",
		     .help = "starts the workload clients"),
	CFG_F_ENUM("where", struct config_workload, where, where_names,
		   .def = "\"controller\"", .help = "where `start` runs"),
	CFG_F_SELECT("node", struct config_workload, node,
		     .help = "**required with `\"where\": \"node\"`, refused "
		     "otherwise**; see *Node selectors*"),
	CFG_F_NUMBER("warmup_s", struct config_workload, warmup_s, 0,
		     SECONDS_1H, .unit = "seconds", .def = "0",
		     .help = "seconds to wait after start before injecting"),
	CFG_F_STRING("stop", struct config_workload, stop,
		     .type_doc = "command template", .def_doc = "none",
		     .help = "stops the workload; without it the start command "
		     "is signalled"),
	CFG_F_NUMBER("stop_timeout_s", struct config_workload, stop_timeout_s,
		     0, SECONDS_1H, .above_min = 1, .unit = "seconds",
		     .def = "10", .help = "seconds the workload has to stop"),
	CFG_F_STRING("leader", struct config_workload, leader,
		     .type_doc = "command template", .def_doc = "none",
		     .help = "run over SSH on each node, in order, when a fault "
		     "targets `\"leader\"` or `\"primary\"`: the first node "
		     "where it exits 0 (within 5 s) is the target. Without it, "
		     "or when no node claims it (an election under way), a "
		     "seeded draw stands in. The run record says which: "
		     "`faults[].target = {\"keyword\", \"how\"}` with `how` "
		     "`\"workload.leader\"` or the reason for the draw"),
	CFG_F_END,
};

const struct cfg_table cfg_workload_table = {
	.name = "workload", .fields = workload_fields, .check = check_workload,
	.schema = "{\"if\": {\"properties\": {\"where\": {\"const\": \"node\"}}, "
		  "\"required\": [\"where\"]}, \"then\": {\"required\": "
		  "[\"node\"]}, \"else\": {\"not\": {\"required\": [\"node\"]}}}",
};

/* ---- probes ------------------------------------------------------------- */

/* "http" or "ssh": the key says the kind, and exactly one is allowed. */
static int read_probe_target(struct cfg_ctx *x, const struct cfg_field *f,
			     json_t *v, void *obj)
{
	struct config_probe *p = obj;
	const char *s;

	if (p->target)
		return cfg_fail_key(x,
				    "expected exactly one of 'http' and 'ssh'");
	p->kind = strcmp(f->key, "http") ? CONFIG_PROBE_SSH : CONFIG_PROBE_HTTP;
	if (p->kind == CONFIG_PROBE_SSH)
		return cfg_read_value(x, f, v, obj);
	s = json_is_string(v) ? json_string_value(v) : "";
	if (strncmp(s, "http://", 7) && strncmp(s, "https://", 8))
		return cfg_fail_type(x, v,
				     "an http:// or https:// URL template");
	return cfg_read_value(x, f, v, obj);
}

static int read_json_path(struct cfg_ctx *x, const struct cfg_field *f,
			  json_t *v, void *obj)
{
	const char *s = json_is_string(v) ? json_string_value(v) : "";

	if (!*s || *s == '.' || s[strlen(s) - 1] == '.' || strstr(s, ".."))
		return cfg_fail_type(x, v, "a path of dot-separated keys like "
				     "\"a.b.0\"");
	return cfg_read_value(x, f, v, obj);
}

static const struct cfg_field expect_json_fields[] = {
	CFG_F_STRING("path", struct config_probe, expect_json_path,
		     .required = 1, .read = read_json_path,
		     .schema = "{\"type\": \"string\", \"pattern\": "
		     "\"^[^.]+(\\\\.[^.]+)*$\"}",
		     .help = "dot-separated keys (digits index arrays)"),
	CFG_F_JSON("equals", struct config_probe, expect_json_equals,
		   .required = 1, .help = "the value found there"),
	CFG_F_END,
};

/* Documented in its row of the probe table. */
static const struct cfg_table expect_json_table = {
	.fields = expect_json_fields,
};

/* Keys that belong to one kind of probe only. */
static int check_probe(struct cfg_ctx *x, json_t *v, void *obj)
{
	static const char *const http_only[] = { "expect_status",
		"expect_body", "expect_json", NULL };
	static const char *const ssh_only[] = { "expect_exit",
		"expect_output", NULL };
	const struct config_probe *p = obj;
	const char *const *wrong, *key, *const *w, *kind;
	json_t *val;

	if (!p->target)
		return cfg_fail(x, "missing required key 'http' or 'ssh'");
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

static const struct cfg_field probe_fields[] = {
	CFG_F_STRING("http", struct config_probe, target,
		     .read = read_probe_target, .type_doc = "URL template",
		     .schema = "{\"type\": \"string\", \"pattern\": "
		     "\"^https?://\"}",
		     .help = "must start with `http://` or `https://`"),
	CFG_F_STRING("ssh", struct config_probe, target,
		     .read = read_probe_target, .type_doc = "command template",
		     .help = "run on each selected node"),
	CFG_F_SELECT("nodes", struct config_probe, nodes, .def = "\"all\"",
		     .help = "see *Node selectors*"),
	CFG_F_INT("every_ms", struct config_probe, every_ms, 50, 600000,
		  .def = "500", .help = "milliseconds from one probe of a node "
		  "to the next"),
	CFG_F_INT("timeout_ms", struct config_probe, timeout_ms, 10, 600000,
		  .def = "1000", .help = "milliseconds one probe may take"),
	CFG_F_INT("expect_status", struct config_probe, expect_status, 100,
		  599, .def = "200", .help = "HTTP only"),
	CFG_F_STRING("expect_body", struct config_probe, expect_body,
		     .def_doc = "any", .help = "HTTP only: a substring of the "
		     "body"),
	CFG_F_INLINE("expect_json", &expect_json_table, .def_doc = "none",
		     .type_doc = "`{\"path\": \"a.b.0\", \"equals\": <any JSON>}`",
		     .help = "HTTP only: both keys required; the path is "
		     "dot-separated keys (digits index arrays)"),
	CFG_F_INT("expect_exit", struct config_probe, expect_exit, 0, 255,
		  .def = "0", .help = "SSH only"),
	CFG_F_STRING("expect_output", struct config_probe, expect_output,
		     .def_doc = "any", .help = "SSH only: a substring of stdout"),
	CFG_F_END,
};

const struct cfg_table cfg_probe_table = {
	.name = "probes.*", .fields = probe_fields, .check = check_probe,
	.schema = "{\"oneOf\": [{\"required\": [\"http\"], \"not\": "
		  "{\"anyOf\": [{\"required\": [\"expect_exit\"]}, "
		  "{\"required\": [\"expect_output\"]}]}}, "
		  "{\"required\": [\"ssh\"], \"not\": {\"anyOf\": "
		  "[{\"required\": [\"expect_status\"]}, {\"required\": "
		  "[\"expect_body\"]}, {\"required\": [\"expect_json\"]}]}}]}",
};

/* ---- faults and oracles ------------------------------------------------- */

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
 * choice ["a", "b", ...], kept for the fault registry to check. */
int cfg_fault_param(struct cfg_ctx *x, const char *key, json_t *v, void *obj)
{
	struct config_fault *f = obj;

	if (cfg_is_range(v)) {
		if (cfg_check_range_order(x, v) < 0)
			return -1;
	} else if (!json_is_number(v) && !json_is_string(v) &&
		   !json_is_boolean(v) && !is_choice(v)) {
		return cfg_fail_type(x, v, "a number, string, boolean, range "
				     "[min, max] or choice [\"a\", \"b\"]");
	}
	json_object_set(f->params, key, v);
	return 0;
}

int cfg_fault_duration(struct cfg_ctx *x, const struct cfg_field *f, json_t *v,
		       void *obj)
{
	((struct config_fault *)obj)->has_duration = 1;
	return cfg_read_value(x, f, v, obj);
}

int cfg_fault_init(struct cfg_ctx *x, json_t *v, void *obj)
{
	(void)x;
	(void)v;
	((struct config_fault *)obj)->params = json_object();
	return 0;
}

void cfg_fault_release(void *obj)
{
	json_decref(((struct config_fault *)obj)->params);
}


static const struct cfg_field fault_fields[] = {
	CFG_F_TYPE(struct config_fault, type, "fault", .required = 1),
	CFG_F_NUMBER("weight", struct config_fault, weight, 0, 1000000,
		     .above_min = 1, .def = "1",
		     .help = "relative probability of being chosen"),
	CFG_F_STRING("target", struct config_fault, target, .def = "\"any\"",
		     .help = "`\"any\"`, `\"leader\"`, `\"primary\"`, a role or a "
		     "node name (keywords win over a role of the same name); "
		     "`leader`/`primary` are resolved at injection time by "
		     "`workload.leader`"),
	CFG_F_RANGE("duration_s", struct config_fault, duration_s, 0,
		    CFG_SECONDS_1D, .above_min = 1, .unit = "seconds",
		    .read = cfg_fault_duration, .def_doc = "none",
		    .help = "seconds a transient fault lasts"),
	CFG_F_END,
};

const struct cfg_table cfg_fault_table = {
	.name = "faults[]", .fields = fault_fields, .init = cfg_fault_init,
	.other = cfg_fault_param, .release = cfg_fault_release,
	.other_key_doc = "*anything else*",
	.other_type_doc = "number, string, boolean, range `[min, max]` or "
			  "choice `[\"a\", \"b\"]`",
	.other_help = "a **fault parameter**, checked by the fault registry",
	.other_schema = "{\"anyOf\": [{\"type\": [\"number\", \"string\", "
			"\"boolean\"]}, {\"type\": \"array\", \"items\": "
			"[{\"type\": \"number\"}, {\"type\": \"number\"}], "
			"\"minItems\": 2, \"maxItems\": 2}, {\"type\": \"array\", "
			"\"items\": {\"type\": \"string\"}, \"minItems\": 1}]}",
};

/* An oracle parameter: any JSON, checked by the oracle registry. */
static int read_oracle_param(struct cfg_ctx *x, const char *key, json_t *v,
			     void *obj)
{
	(void)x;
	json_object_set(((struct config_oracle *)obj)->params, key, v);
	return 0;
}

static int init_oracle(struct cfg_ctx *x, json_t *v, void *obj)
{
	(void)x;
	(void)v;
	((struct config_oracle *)obj)->params = json_object();
	return 0;
}

static void release_oracle(void *obj)
{
	json_decref(((struct config_oracle *)obj)->params);
}

static const struct cfg_field oracle_fields[] = {
	CFG_F_TYPE(struct config_oracle, type, "oracle", .required = 1),
	CFG_F_END,
};

const struct cfg_table cfg_oracle_table = {
	.name = "oracles[]", .fields = oracle_fields, .init = init_oracle,
	.other = read_oracle_param, .release = release_oracle,
	.other_key_doc = "*anything else*", .other_type_doc = "any JSON",
	.other_help = "an **oracle parameter**, checked by the oracle "
		      "registry (below)",
	.other_schema = "true",
};

/* ---- schedule and logs -------------------------------------------------- */

static const char *const explore_names[] = { "random", "guided", NULL };

static const struct cfg_field schedule_fields[] = {
	CFG_F_INT("runs", struct config_schedule, runs, 1, 1000000,
		  .def = "10", .help = "runs in all"),
	CFG_F_DURATION("budget", struct config_schedule, budget_s, 0,
		       SECONDS_7D, .above_min = 1, .def_doc = "unlimited",
		       .help = "the campaign stops at whichever of `runs` and "
		       "`budget` comes first"),
	CFG_F_INT("faults_per_run", struct config_schedule, faults_per_run, 1,
		  8, .def = "1", .help = "faults the plan injects in a run"),
	CFG_F_RANGE("inject_at_s", struct config_schedule, inject_at_s, 0,
		    SECONDS_1H, .unit = "seconds", .def = "[1, 3]",
		    .help = "when the plan injects, in seconds after the "
		    "warm-up (drawn from the range with the seed)"),
	CFG_F_NUMBER("observe_s", struct config_schedule, observe_s, 0,
		     CFG_SECONDS_1D, .above_min = 1, .unit = "seconds",
		     .def = "10", .help = "seconds of observation after "
		     "injection"),
	CFG_F_INT("max_infra_retries", struct config_schedule,
		  max_infra_retries, 0, 100, .def = "3",
		  .help = "retries of a run whose attempts failed on a healthy "
		  "testbed (an infra error) before it is set aside; a run failing "
		  "the same way twice is set aside at once"),
	CFG_F_INT("testbeds", struct config_schedule, testbeds, 1, 16, .def = "1",
		  .help = "copies of the testbed run at once, each taking the next "
		  "unstarted run (own prefix `<prefix>-tK`, ports 100 (K-1) above); "
		  "`campaign run --testbeds N` overrides it"),
	CFG_F_NUMBER("random_weight", struct config_schedule, random_weight, 0,
		     1000000, .def = "1", .help = "the weight of a random run "
		     "(`faults_per_run` draws from `faults`) against each scenario's "
		     "`weight`: a run is scenario S with probability weight(S) / "
		     "(random_weight + the scenarios' weights). 0: scenario runs "
		     "only. Without `faults` every run is a scenario run; without "
		     "`scenarios` every run is random"),
	CFG_F_ENUM("explore", struct config_schedule, explore, explore_names,
		   .def = "\"random\"", .help = "how a random run draws its "
		   "faults. random: by the faults' weights; guided: each fault "
		   "with its target, a quarter of its parameter ranges and a "
		   "quarter of `inject_at_s` is an arm, and arms whose runs "
		   "produced SUT log templates or outcomes not seen before are "
		   "drawn more often (seeded, recorded in the plan: runs replay; "
		   "docs/exploration.md)"),
	CFG_F_END,
};

const struct cfg_table cfg_schedule_table = {
	.name = "schedule", .fields = schedule_fields,
};

static const struct cfg_field log_path_elem = { .type = CFG_GUEST_PATH };

static const char *const keep_names[] = { "flaws", "all", NULL };

static const struct cfg_field logs_fields[] = {
	CFG_F_ARRAY("paths", struct config_logs, paths, n_paths, &log_path_elem,
		    .what = "absolute guest path", .def_doc = "`[]`",
		    .help = "files collected from every node when a run shows "
		    "a flaw"),
	CFG_F_INT("max_bytes", struct config_logs, max_bytes, 1, 1 << 30,
		  .def = "65536", .help = "per file"),
	CFG_F_ENUM("keep_runs", struct config_logs, keep_all_runs, keep_names,
		   .def = "\"flaws\"",
		   .help = "which runs keep `runs/<n>/` (histories, workload "
		   "log, `faults.jsonl`): flaw runs only (the default: "
		   "histories grow with the workload's rate, and a days-long "
		   "campaign of thousands of runs would fill the disk with "
		   "evidence of runs that passed; BENCHMARKS.md has bytes per "
		   "run) or every run (to re-check passing runs with another "
		   "checker)"),
	CFG_F_END,
};

const struct cfg_table cfg_logs_table = {
	.name = "logs", .fields = logs_fields,
};
