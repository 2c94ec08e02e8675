/* config_templates.c - every template of the config is checked before a
 * campaign starts: its placeholders exist where it is expanded and its
 * braces are closed (faults and oracles check theirs in their
 * registries). Run in the second pass, when the forwards are known. */
#include "config_templates.h"

#include "nodevars.h"

/* The template at the current path, expanded in scope. */
static int check(struct cfg_ctx *x, unsigned scope, const char *tpl)
{
	struct err inner = { "" };

	if (!tpl || nodevars_check_template(&x->c->testbed, scope, tpl, &inner) == 0)
		return 0;
	return cfg_fail(x, "%s", inner.msg);
}

static int check_steps(struct cfg_ctx *x, const char *section,
		       const struct config_step *steps, int n)
{
	static const char *const keys[] = {
		[CONFIG_STEP_UPLOAD] = "upload", [CONFIG_STEP_RUN] = "run",
		[CONFIG_STEP_WAIT] = "wait",
	};

	for (int i = 0; i < n; i++) {
		cfg_path_set(x, "testbed.%s[%d].%s", section, i, keys[steps[i].kind]);
		if (check(x, NODEVARS_NODE, steps[i].what) < 0)
			return -1;
	}
	return 0;
}

int cfg_check_templates(struct cfg_ctx *x)
{
	const struct config *c = x->c;
	const struct config_workload *w = &c->workload;

	if (check_steps(x, "bootstrap", c->testbed.bootstrap, c->testbed.n_bootstrap) < 0 ||
	    check_steps(x, "on_boot", c->testbed.on_boot, c->testbed.n_on_boot) < 0)
		return -1;
	/* workload.start and .stop run once per run, not per node */
	cfg_path_set(x, "workload.start");
	if (check(x, NODEVARS_RUN, w->start) < 0)
		return -1;
	cfg_path_set(x, "workload.stop");
	if (check(x, NODEVARS_RUN, w->stop) < 0)
		return -1;
	cfg_path_set(x, "workload.leader");
	if (check(x, NODEVARS_RUN | NODEVARS_NODE, w->leader) < 0)
		return -1;
	for (int i = 0; i < c->n_probes; i++) {
		buf_reset(&x->path);
		cfg_path_key(x, "probes");
		cfg_path_key(x, c->probes[i].name);
		cfg_path_key(x, c->probes[i].kind == CONFIG_PROBE_HTTP ? "http" : "ssh");
		if (check(x, NODEVARS_RUN | NODEVARS_NODE, c->probes[i].target) < 0)
			return -1;
	}
	return 0;
}
