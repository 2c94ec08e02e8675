/* config.c - read a campaign config strictly.
 *
 * Two passes. The first walks the JSON tree in document order with one
 * table of keys per object (config_read.c has the walker, the sections
 * live in config_testbed.c and config_run.c), so the first error
 * reported is the first in the file. The second checks what crosses
 * sections (node selectors, fault targets, the derived prefix) once
 * everything is known. Every error carries "FILE:LINE: PATH"; lines come
 * from jsonpos.
 */
#include "config_priv.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonpos.h"
#include "paths.h"

#define MAX_FILE_BYTES (4 << 20)

/* ---- top level ---------------------------------------------------------- */

/* The default results directory is results/<name>: a name of "." or ".."
 * would make it results/ or the current directory, a leading dot hides it. */
static int read_name(struct cfg_ctx *x, json_t *v, void *obj)
{
	static const char what[] = "[A-Za-z0-9._-], not starting with '.'";
	const char *s = json_string_value(v);

	if (s && s[0] == '.')
		return cfg_fail_type(x, v, "1 to 40 characters of [A-Za-z0-9._-], "
				     "not starting with '.'");
	return cfg_want_word(x, v, CFG_UPPER CFG_LOWER CFG_DIGITS "._-", 40, what,
			     &((struct config *)obj)->name);
}

static int read_description(struct cfg_ctx *x, json_t *v, void *obj)
{
	if (!json_is_string(v))
		return cfg_fail_type(x, v, "a string");
	((struct config *)obj)->description = xstrdup(json_string_value(v));
	return 0;
}

static int read_seed(struct cfg_ctx *x, json_t *v, void *obj)
{
	long long seed;

	if (cfg_want_llong(x, v, 0, LLONG_MAX, &seed) < 0)
		return -1;
	((struct config *)obj)->seed = (unsigned long long)seed;
	return 0;
}

static int read_mode(struct cfg_ctx *x, json_t *v, void *obj)
{
	static const char *const names[] = { "isolated", "continuous", NULL };
	int i;

	if (cfg_want_enum(x, v, names, &i) < 0)
		return -1;
	((struct config *)obj)->mode = (enum config_mode)i;
	return 0;
}

static const struct cfg_field top_fields[] = {
	{ "name", read_name },
	{ "description", read_description },
	{ "seed", read_seed },
	{ "mode", read_mode },
	{ "testbed", cfg_read_testbed },
	{ "workload", cfg_read_workload },
	{ "probes", cfg_read_probes },
	{ "faults", cfg_read_faults },
	{ "schedule", cfg_read_schedule },
	{ "oracles", cfg_read_oracles },
	{ "logs", cfg_read_logs },
	{ NULL, NULL },
};

static void set_defaults(struct config *c)
{
	c->seed = 1;
	c->mode = CONFIG_ISOLATED;
	c->testbed.accel = ACCEL_AUTO;
	c->testbed.vcpus = 1;
	c->testbed.net = NET_VDE;
	c->testbed.boot_timeout_s = 120;
	c->testbed.ready_timeout_s = 30;
	c->workload.where = CONFIG_ON_CONTROLLER;
	c->workload.stop_timeout_s = 10;
	c->schedule.runs = 10;
	c->schedule.faults_per_run = 1;
	c->schedule.inject_at_s.min = 1;
	c->schedule.inject_at_s.max = 3;
	c->schedule.observe_s = 10;
	c->schedule.max_infra_retries = 3;
	c->logs.max_bytes = 65536;
}

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

static int check_fault_targets(struct cfg_ctx *x)
{
	const struct config_testbed *tb = &x->c->testbed;
	const char *t;
	int i;

	for (i = 0; i < x->c->n_faults; i++) {
		t = x->c->faults[i].target;
		if (!strcmp(t, "any") || !strcmp(t, "leader") ||
		    !strcmp(t, "primary") || cfg_find_node(tb, t) ||
		    cfg_has_role(tb, t))
			continue;
		cfg_path_set(x, "faults[%d].target", i);
		return cfg_fail(x, "no node or role named '%s' (and not "
				"'any', 'leader' or 'primary')", t);
	}
	return 0;
}

static int cross_check(struct cfg_ctx *x)
{
	struct config *c = x->c;
	int i;

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
	if (check_fault_targets(x) < 0)
		return -1;
	return cfg_check_templates(x);
}

/* ---- load and free ------------------------------------------------------ */

static int load_tree(struct cfg_ctx *x, json_t *root)
{
	if (!json_is_object(root))
		return cfg_fail_type(x, root, "an object at the top level");
	if (cfg_walk_object(x, root, top_fields, x->c) < 0 ||
	    cfg_require(x, root, "name", NULL) < 0 ||
	    cfg_require(x, root, "testbed", NULL) < 0)
		return -1;
	return cross_check(x);
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
	set_defaults(c);
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
	cfg_testbed_release(&c->testbed);
	cfg_run_release(c);
	free(c->canonical);
	jsonpos_free(c->pos);
	free(c->path);
	free(c->name);
	free(c->description);
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

static int check_entry(const struct config *c, const char *section, int i,
		       const char *type, const json_t *params,
		       config_check_fn check, struct err *e)
{
	struct buf path = BUF_INIT;
	const char *key = NULL;
	struct err inner = { "" };
	int line;

	if (check(c, type, params, &key, &inner) == 0)
		return 0;
	buf_addf(&path, "%s[%d]", section, i);
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
	int i;

	for (i = 0; i < c->n_faults; i++)
		if (check_entry(c, "faults", i, c->faults[i].type,
				c->faults[i].params, check, e) < 0)
			return -1;
	return 0;
}

int config_check_oracles(const struct config *c, config_check_fn check,
			 struct err *e)
{
	int i;

	for (i = 0; i < c->n_oracles; i++)
		if (check_entry(c, "oracles", i, c->oracles[i].type,
				c->oracles[i].params, check, e) < 0)
			return -1;
	return 0;
}

/* ---- durations ---------------------------------------------------------- */

/* Digits with an optional fraction, as in "1.5"; never locale-dependent
 * like strtod. Returns the characters used, 0 when there is no number. */
static size_t parse_decimal(const char *s, double *ret)
{
	size_t n = strspn(s, CFG_DIGITS), i;
	double v = 0, scale = 1;

	if (!n)
		return 0;
	for (i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	if (s[n] == '.') {
		if (!strspn(s + n + 1, CFG_DIGITS))
			return 0;
		for (n++; s[n] >= '0' && s[n] <= '9'; n++)
			v += (s[n] - '0') * (scale /= 10);
	}
	*ret = v;
	return n;
}

int config_parse_duration(const char *s, double *ret_seconds)
{
	static const struct {
		const char *unit;
		double seconds;
		int rank;	/* units come in the order d h m s ms */
	} units[] = {
		{ "d", 86400, 0 }, { "h", 3600, 1 }, { "ms", 0.001, 4 },
		{ "m", 60, 2 }, { "s", 1, 3 },
	};
	const size_t n_units = sizeof(units) / sizeof(units[0]);
	double total = 0, v;
	int last = -1;
	size_t n, u;

	if (!s || !*s)
		return -1;
	while (*s) {
		if (!(n = parse_decimal(s, &v)))
			return -1;
		s += n;
		for (u = 0; u < n_units; u++)
			if (!strncmp(s, units[u].unit, strlen(units[u].unit)))
				break;
		if (u == n_units || units[u].rank <= last)
			return -1;
		last = units[u].rank;
		s += strlen(units[u].unit);
		total += v * units[u].seconds;
	}
	if (!(total <= CONFIG_SECONDS_MAX))	/* also NaN */
		return -1;
	*ret_seconds = total;
	return 0;
}
