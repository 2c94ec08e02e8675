/* config.c - read a campaign config strictly.
 *
 * Two passes. The first walks the JSON tree in document order through
 * one field table per object (config_field.c reads them; the sections'
 * tables are in config_testbed.c and config_run.c, the top level's
 * here), so the first error reported is the first in the file. The
 * second checks what crosses sections (node selectors, fault targets,
 * the derived prefix, templates) once everything is known. Every error
 * carries "FILE:LINE: PATH"; lines come from jsonpos.
 *
 * The top of the config module: config_field.h and the section tables
 * below it know nothing of this file.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_run.h"
#include "config_select.h"
#include "config_templates.h"
#include "config_testbed.h"
#include "jsonpos.h"
#include "paths.h"

#define MAX_FILE_BYTES (4 << 20)

/* ---- second pass: what crosses sections --------------------------------- */

static int derive_prefix(struct cfg_ctx *x)
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
	if (strlen(tb->prefix) <= CFG_MAX_PREFIX)
		return 0;
	cfg_path_set(x, "name");
	return cfg_fail(x, "derived testbed prefix '%s' is longer than %d "
			"characters (set 'testbed.prefix')", tb->prefix,
			CFG_MAX_PREFIX);
}

static int known_target(const struct config_testbed *tb, const char *t)
{
	return !strcmp(t, "any") || !strcmp(t, "leader") || !strcmp(t, "primary") ||
	       cfg_find_node(tb, t) || cfg_has_role(tb, t);
}

static int bad_target(struct cfg_ctx *x, const char *t)
{
	return cfg_fail(x, "no node or role named '%s' (and not 'any', 'leader' "
			"or 'primary')", t);
}

/* Fault targets; a scenario step's "@NAME" was checked with its scenario. */
static int check_fault_targets(struct cfg_ctx *x)
{
	const struct config_testbed *tb = &x->c->testbed;
	const char *t;
	int i;

	for (i = 0; i < x->c->n_faults; i++) {
		t = x->c->faults[i].target;
		if (known_target(tb, t))
			continue;
		cfg_path_set(x, "faults[%d].target", i);
		return bad_target(x, t);
	}
	for (i = 0; i < x->c->n_scenarios; i++)
		for (int k = 0; k < x->c->scenarios[i].n_steps; k++) {
			const struct config_scenario_step *s = &x->c->scenarios[i].steps[k];

			t = s->fault.target;
			if (s->is_wait || t[0] == '@' || known_target(tb, t))
				continue;
			cfg_path_set(x, "scenarios[%d].steps[%d].target", i, k);
			return bad_target(x, t);
		}
	return 0;
}

/* Scenario names are unique; some run can be drawn. */
static int check_scenarios(struct cfg_ctx *x)
{
	const struct config *c = x->c;

	for (int i = 0; i < c->n_scenarios; i++)
		for (int k = 0; k < i; k++)
			if (!strcmp(c->scenarios[i].name, c->scenarios[k].name)) {
				cfg_path_set(x, "scenarios[%d].name", i);
				return cfg_fail(x, "'%s' is the name of scenarios[%d] too",
						c->scenarios[i].name, k);
			}
	if (c->schedule.random_weight == 0 && !c->n_scenarios) {
		cfg_path_set(x, "schedule.random_weight");
		return cfg_fail(x, "0 leaves no run to draw: there are no scenarios");
	}
	return 0;
}

static int cross_check(struct cfg_ctx *x, json_t *v, void *obj)
{
	struct config *c = obj;
	int i;

	(void)v;
	if (derive_prefix(x) < 0)
		return -1;
	if (c->workload.where == CONFIG_ON_NODE) {
		cfg_path_set(x, "workload.node");
		if (cfg_resolve_select(x, &c->testbed, &c->workload.node) < 0)
			return -1;
	}
	for (i = 0; i < c->testbed.n_bootstrap; i++) {
		cfg_path_set(x, "testbed.bootstrap[%d].nodes", i);
		if (cfg_resolve_select(x, &c->testbed, c->testbed.bootstrap[i].nodes) < 0)
			return -1;
	}
	for (i = 0; i < c->testbed.n_on_boot; i++) {
		cfg_path_set(x, "testbed.on_boot[%d].nodes", i);
		if (cfg_resolve_select(x, &c->testbed, c->testbed.on_boot[i].nodes) < 0)
			return -1;
	}
	for (i = 0; i < c->n_probes; i++) {
		buf_reset(&x->path);
		cfg_path_key(x, "probes");
		cfg_path_key(x, c->probes[i].name);
		cfg_path_key(x, "nodes");
		if (cfg_resolve_select(x, &c->testbed, &c->probes[i].nodes) < 0)
			return -1;
	}
	if (check_fault_targets(x) < 0 || check_scenarios(x) < 0)
		return -1;
	return cfg_check_templates(x);
}

/* ---- the top level ------------------------------------------------------ */

static const char *const mode_names[] = { "isolated", "continuous", NULL };

static const struct cfg_field probe_elem = {
	.type = CFG_OBJECT, .table = &cfg_probe_table,
};
static const struct cfg_field fault_elem = {
	.type = CFG_OBJECT, .table = &cfg_fault_table,
};
static const struct cfg_field oracle_elem = {
	.type = CFG_OBJECT, .table = &cfg_oracle_table,
};
static const struct cfg_field scenario_elem = {
	.type = CFG_OBJECT, .table = &cfg_scenario_table,
};

/* The default results directory is results/<name>: a name of "." or ".."
 * would make it results/ or the current directory, a leading dot hides it. */
static int read_name(struct cfg_ctx *x, const struct cfg_field *f, json_t *v,
		     void *obj)
{
	const char *s = json_string_value(v);
	size_t n = s ? strlen(s) : 0;

	if (!s || !n || n > f->max_len || s[0] == '.' || strspn(s, f->charset) != n)
		return cfg_fail_type(x, v, "1 to 40 characters of [A-Za-z0-9._-], "
				     "not starting with '.'");
	return cfg_read_value(x, f, v, obj);
}

static const struct cfg_field config_fields[] = {
	CFG_F_WORD("name", struct config, name, 40,
		   CFG_UPPER CFG_LOWER CFG_DIGITS "._-", "[A-Za-z0-9._-]",
		   .required = 1, .read = read_name,
		   .schema = "{\"type\": \"string\", \"minLength\": 1, \"maxLength\": 40, "
		   "\"pattern\": \"^[A-Za-z0-9_-][A-Za-z0-9._-]*$\"}",
		   .help = "names the campaign, its results directory and (through "
		   "`testbed.prefix`) its testbed; not starting with `.`"),
	CFG_F_TEXT("description", struct config, description,
		   .def_doc = "none", .help = "free text"),
	CFG_F_U64("seed", struct config, seed, 0, (double)LLONG_MAX,
		  .def = "1", .help = "seeds the plan: same seed, same runs"),
	CFG_F_ENUM("mode", struct config, mode, mode_names,
		   .def = "\"isolated\"", .help = "isolated: every run starts "
		   "from the golden snapshot; continuous: the SUT keeps running, "
		   "only faulty nodes are restored"),
	CFG_F_OBJECT("testbed", struct config, testbed, &cfg_testbed_table,
		     .required = 1, .help = "see below"),
	CFG_F_OBJECT("workload", struct config, workload, &cfg_workload_table,
		     .def_doc = "no workload", .help = "see below"),
	CFG_F_MAP("probes", struct config, probes, n_probes, &probe_elem, name,
		  32, CFG_UPPER CFG_LOWER CFG_DIGITS "_-", "[A-Za-z0-9_-]",
		  .what = "probe", .def_doc = "no probes",
		  .help = "name -> probe"),
	CFG_F_ARRAY("faults", struct config, faults, n_faults, &fault_elem,
		    .min_items = 1, .what = "fault",
		    .def_doc = "no faults (baseline runs)", .help = "see below"),
	CFG_F_ARRAY("scenarios", struct config, scenarios, n_scenarios,
		    &scenario_elem, .min_items = 1, .what = "scenario",
		    .def_doc = "none (random runs only)", .help = "see below"),
	CFG_F_OBJECT("schedule", struct config, schedule, &cfg_schedule_table,
		     .def_doc = "all defaults", .help = "see below"),
	CFG_F_OBJECT("shrink", struct config, shrink, &cfg_shrink_table,
		     .def_doc = "all defaults", .help = "see below"),
	CFG_F_ARRAY("oracles", struct config, oracles, n_oracles, &oracle_elem,
		    .min_items = 1, .what = "oracle", .def_doc = "no oracles",
		    .help = "see below"),
	CFG_F_OBJECT("logs", struct config, logs, &cfg_logs_table,
		     .def_doc = "nothing collected", .help = "see below"),
	CFG_F_END,
};

const struct cfg_table config_table = {
	.name = "config", .fields = config_fields, .check = cross_check,
};

/* ---- load and free ------------------------------------------------------ */

static int load_tree(struct cfg_ctx *x, json_t *root)
{
	if (!json_is_object(root))
		return cfg_fail_type(x, root, "an object at the top level");
	return cfg_read_object(x, &config_table, root, x->c);
}

int config_parse(const char *path, const char *text, size_t len,
		 struct config **ret, struct err *e)
{
	struct cfg_ctx x = { NULL, BUF_INIT, e };
	struct config *c = xcalloc(1, sizeof(*c));
	json_t *root = NULL;
	json_error_t je;
	int r = -1;

	c->path = xstrdup(path);
	x.c = c;
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
	return r;
}

int config_load(const char *path, struct config **ret, struct err *e)
{
	struct buf text = BUF_INIT;
	int r = -1;

	if (paths_read_file(path, NULL, MAX_FILE_BYTES, &text, e) == 0)
		r = config_parse(path, text.data, text.len, ret, e);
	buf_release(&text);
	return r;
}

void config_free(struct config *c)
{
	if (!c)
		return;
	cfg_release_object(&config_table, c);
	free(c->canonical);
	jsonpos_free(c->pos);
	free(c->path);
	free(c);
}

const struct config_node *config_node(const struct config *c,
				      const char *name)
{
	return c ? cfg_find_node(&c->testbed, name) : NULL;
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

/* The entry at path (a JSON path in c's file, "faults[1]"). */
static int check_entry(const struct config *c, const char *at,
		       const char *type, const json_t *params,
		       config_check_fn check, struct err *e)
{
	struct buf path = BUF_INIT;
	const char *key = NULL;
	struct err inner = { "" };
	int line;

	if (check(c, type, params, &key, &inner) == 0)
		return 0;
	buf_adds(&path, at);
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
	char at[64];
	int i;

	for (i = 0; i < c->n_faults; i++) {
		snprintf(at, sizeof(at), "faults[%d]", i);
		if (check_entry(c, at, c->faults[i].type, c->faults[i].params,
				check, e) < 0)
			return -1;
	}
	for (i = 0; i < c->n_scenarios; i++)
		for (int k = 0; k < c->scenarios[i].n_steps; k++) {
			const struct config_fault *f = &c->scenarios[i].steps[k].fault;

			snprintf(at, sizeof(at), "scenarios[%d].steps[%d]", i, k);
			if (f->type && check_entry(c, at, f->type, f->params, check,
						   e) < 0)
				return -1;
		}
	return 0;
}

int config_check_oracles(const struct config *c, config_check_fn check,
			 struct err *e)
{
	char at[64];
	int i;

	for (i = 0; i < c->n_oracles; i++) {
		snprintf(at, sizeof(at), "oracles[%d]", i);
		if (check_entry(c, at, c->oracles[i].type, c->oracles[i].params,
				check, e) < 0)
			return -1;
	}
	return 0;
}
