/* engine.c - the campaign loop: plan, run, record, repair, stop.
 *
 * Every finished run is appended to the journal and fsync'd before the
 * next reset; a flaw's trace is written to its flaw file first. Infra
 * errors are retried with the same plan; past the limit the repair
 * ladder rebuilds the testbed once, then the campaign stops (exit 3).
 */
#include "engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "engine_priv.h"
#include "flaws.h"
#include "journal.h"
#include "paths.h"

const char *outcome_name(enum outcome o)
{
	switch (o) {
	case OUTCOME_NO_EFFECT: return "no-effect";
	case OUTCOME_RECOVERED: return "recovered";
	case OUTCOME_FLAW: return "flaw";
	case OUTCOME_INFRA_ERROR: return "infra-error";
	}
	return "?";
}

enum outcome engine_classify(const struct oracle_verdict *v, int n,
			     int effect_seen, int *ret_first)
{
	*ret_first = -1;
	for (int i = 0; i < n; i++)
		if (v[i].verdict == VERDICT_FAIL) {
			*ret_first = i;
			return OUTCOME_FLAW;
		}
	return effect_seen ? OUTCOME_RECOVERED : OUTCOME_NO_EFFECT;
}

struct campaign {
	const struct config *cfg;
	struct testbed *tb;
	const struct engine_options *opt;
	struct journal *journal;
	struct flaw_store *flaws;
	int n_nodes;
	const char **names, **roles;
	struct plan_node *pnodes;
	char **dirty;			/* continuous mode: nodes to restore */
	int n_dirty;
	int first_run_done;
	int64_t start_ms;
	long long counts[4];
	int tty;
};

static void node_tables(struct campaign *c)
{
	c->n_nodes = testbed_n_nodes(c->tb);
	c->names = xcalloc((size_t)c->n_nodes, sizeof(char *));
	c->roles = xcalloc((size_t)c->n_nodes, sizeof(char *));
	c->pnodes = xcalloc((size_t)c->n_nodes, sizeof(*c->pnodes));
	c->dirty = xcalloc((size_t)c->n_nodes, sizeof(char *));
	for (int i = 0; i < c->n_nodes; i++) {
		c->names[i] = testbed_node(c->tb, i)->name;
		c->roles[i] = testbed_node(c->tb, i)->role;
		c->pnodes[i] = (struct plan_node){ c->names[i], c->roles[i] };
	}
}

static json_t *campaign_meta(const struct config *cfg, struct testbed *tb)
{
	json_t *config = json_loads(cfg->canonical, 0, NULL);
	char wall[32];

	clock_format_wall(clock_wall_ns(), wall);
	return json_pack("{s:o, s:s, s:I, s:s, s:s, s:s, s:s}",
		"config", config ? config : json_null(),
		"config_path", cfg->path, "seed", (json_int_t)cfg->seed,
		"tool_version", CAMPAIGN_VERSION,
		"image_hash", testbed_image_hash(tb) ? testbed_image_hash(tb) : "",
		"accel", testbed_accel(tb), "start_time", wall);
}

static char *run_dir(const struct campaign *c, int run)
{
	return xasprintf("%s/runs/%d", c->opt->out_dir, run);
}

/* The first evidence line of the failing run, for the signature. */
static const char *first_evidence(json_t *record, char *out, size_t size)
{
	json_t *faults = json_object_get(record, "faults");
	json_t *f0 = json_array_get(faults, 0);
	const char *reason = json_string_value(json_object_get(record, "reason"));

	snprintf(out, size, "%s", reason ? reason : "");
	(void)f0;
	return out;
}

static int record_flaw(struct campaign *c, json_t *record, json_t *trace,
		       int *ret_new, struct err *e)
{
	json_t *f0 = json_array_get(json_object_get(record, "faults"), 0);
	const char *fault = f0 ? json_string_value(json_object_get(f0, "type")) : "none";
	const char *role = f0 ? json_string_value(json_object_get(f0, "role")) : "-";
	const char *oracle = json_string_value(json_object_get(record, "failed_oracle"));
	char line[512], wall_replay[64];
	char *sig = flaws_signature(oracle, fault, role,
				    first_evidence(record, line, sizeof(line)));
	struct flaw_hit hit = {
		.signature = sig, .oracle = oracle, .fault = fault, .role = role,
		.class_ = json_string_value(json_object_get(record, "class")),
		.run = (int)json_integer_value(json_object_get(record, "run")),
		.wall_ns = clock_wall_ns(),
	};
	char *id = flaws_id(sig);
	int r;

	snprintf(wall_replay, sizeof(wall_replay), "%lld", hit.run);
	json_object_set_new(record, "signature", json_string(sig));
	json_object_set_new(record, "flaw", json_string(id));
	json_object_set_new(trace, "record", json_incref(record));
	json_object_set_new(trace, "replay", json_sprintf("campaign replay %s %s",
		c->opt->out_dir, wall_replay));
	r = flaws_record(c->flaws, &hit, trace, ret_new, e);
	free(id);
	free(sig);
	return r;
}

static void progress(struct campaign *c, int run, const char *outcome)
{
	double hours = (clock_mono_ms() - c->start_ms) / 3600000.0;
	double rate = hours > 0 ? c->counts[0] + c->counts[1] + c->counts[2] : 0;
	char line[256];

	rate = hours > 0 ? (c->counts[0] + c->counts[1] + c->counts[2] +
			    c->counts[3]) / hours : 0;
	snprintf(line, sizeof(line),
		 "run %d of %d: %s | %.0f runs/h | no-effect %lld, recovered %lld, "
		 "flaw %lld, infra %lld | unique flaws %d", run, c->opt->runs,
		 outcome, rate, c->counts[0], c->counts[1], c->counts[2],
		 c->counts[3], flaws_count(c->flaws));
	if (c->tty)
		fprintf(stderr, "\r\033[K%s", line);
	else
		fprintf(stderr, "campaign: %s\n", line);
}

/* Continuous mode: nodes that did not answer at the end of a run are
 * restored before the next; the others keep running. */
static void mark_dirty(struct campaign *c, json_t *record)
{
	json_t *alive = json_object_get(record, "alive"), *v;
	const char *node;

	c->n_dirty = 0;
	if (c->cfg->mode != CONFIG_CONTINUOUS)
		return;
	json_object_foreach(alive, node, v)
		if (!json_is_true(v))
			for (int i = 0; i < c->n_nodes; i++)
				if (!strcmp(c->names[i], node))
					c->dirty[c->n_dirty++] = (char *)c->names[i];
}

/* One attempt; 0 with *ret_record, or -1 for an infra error. */
static int attempt(struct campaign *c, struct plan *plan, json_t **ret_record,
		   json_t **ret_trace, struct err *e)
{
	char *dir = run_dir(c, plan->run);
	struct run_ctx r = {
		.cfg = c->cfg, .tb = c->tb, .plan = plan, .run_dir = dir,
		.n_nodes = c->n_nodes, .names = c->names, .roles = c->roles,
		.reset_all = c->cfg->mode == CONFIG_ISOLATED || !c->first_run_done,
		.reset_nodes = (const char *const *)c->dirty,
		.n_reset_nodes = c->n_dirty, .scratch = BUF_INIT,
	};
	int ret;

	paths_mkdirs(dir, 0755, NULL);
	ret = run_execute(&r, 1, ret_record, ret_trace, e);
	run_ctx_release(&r);
	free(dir);
	return ret;
}

static void log_infra(const char *what, const char *action)
{
	fprintf(stderr, "\ncampaign: infra error (%s): %s\n", action, what);
}

static int infra_event(struct campaign *c, int run, int attempt_no,
		       const char *what, const char *action)
{
	json_t *rec = json_pack("{s:s, s:i, s:i, s:s, s:s}", "type", "infra",
				"run", run, "attempt", attempt_no, "error", what,
				"action", action);
	int r = journal_append(c->journal, rec, NULL);

	json_decref(rec);
	log_infra(what, action);
	return r;
}

static int rebuild(struct campaign *c, struct err *e)
{
	testbed_down(c->tb, NULL);
	return testbed_up(c->tb, e);
}

/* Plan, execute with retries and repair, record. 1: stop the campaign. */
static int one_run(struct campaign *c, int run, struct engine_summary *sum,
		   struct err *e)
{
	int max = c->cfg->schedule.max_infra_retries;
	json_t *record = NULL, *trace = NULL;
	struct plan plan;
	struct err re = { "" };
	int is_new = 0, rebuilt = 0;

	if (plan_make(c->cfg, c->pnodes, c->n_nodes, run, &plan, e) < 0)
		return -1;
	for (int k = 1;; k++) {
		re.msg[0] = '\0';
		if (attempt(c, &plan, &record, &trace, &re) == 0)
			break;
		c->first_run_done = 0;	/* the state is unknown: reset all */
		if (k <= max) {
			infra_event(c, run, k, re.msg, "retry");
			continue;
		}
		if (!rebuilt) {
			struct err be = { "" };

			infra_event(c, run, k, re.msg, "rebuild testbed");
			rebuilt = 1;
			if (rebuild(c, &be) == 0)
				continue;
			snprintf(re.msg, sizeof(re.msg), "rebuild failed: %s", be.msg);
		}
		infra_event(c, run, k, re.msg, "quarantine");
		sum->infra_stop = 1;
		snprintf(sum->infra_reason, sizeof(sum->infra_reason),
			 "run %d: %s", run, re.msg);
		plan_release(&plan);
		return 1;
	}
	c->first_run_done = 1;
	json_object_set_new(record, "type", json_string("run"));
	json_object_set_new(record, "run", json_integer(run));
	json_object_set_new(record, "plan", plan_to_json(&plan, c->pnodes));
	plan_release(&plan);
	const char *outcome = json_string_value(json_object_get(record, "outcome"));
	if (!strcmp(outcome, "flaw")) {
		json_t *t = trace;

		trace = NULL;	/* stolen by the flaw store */
		if (record_flaw(c, record, t, &is_new, e) < 0)
			goto fail;
	}
	json_decref(trace);
	trace = NULL;
	if (journal_append(c->journal, record, e) < 0)
		goto fail;
	for (int i = 0; i < 4; i++)
		if (!strcmp(outcome, outcome_name((enum outcome)i)))
			c->counts[i]++;
	mark_dirty(c, record);
	if (strcmp(outcome, "flaw")) {
		char *dir = run_dir(c, run);

		paths_remove_tree(dir, NULL);	/* kept for flaws only */
		free(dir);
	}
	sum->runs_done++;
	progress(c, run, outcome);
	json_decref(record);
	return 0;
fail:
	json_decref(trace);
	json_decref(record);
	return -1;
}

int engine_campaign(const struct config *cfg, struct testbed *tb,
		    const struct engine_options *opt,
		    struct engine_summary *ret, struct err *e)
{
	struct campaign c = { .cfg = cfg, .tb = tb, .opt = opt,
			      .start_ms = clock_mono_ms(), .tty = isatty(2) };
	struct journal_state st;
	json_t *meta = campaign_meta(cfg, tb), *ev;
	int mode, r = -1;

	memset(ret, 0, sizeof(*ret));
	node_tables(&c);
	mode = journal_check_campaign(opt->out_dir, meta, e);
	if (mode < 0)
		goto out;
	if (journal_open(opt->out_dir, &c.journal, &st, e) < 0)
		goto out;
	if (mode == JOURNAL_FRESH && journal_write_campaign(opt->out_dir, meta, e) < 0)
		goto out;
	if (flaws_open(opt->out_dir, &c.flaws, e) < 0)
		goto out;
	flaws_set_max_examples(c.flaws, opt->max_examples);
	for (int i = 0; i < 4; i++)
		c.counts[i] = i == 0 ? st.outcomes.no_effect : i == 1 ? st.outcomes.recovered
			    : i == 2 ? st.outcomes.flaw : st.outcomes.infra_error;
	ev = json_pack("{s:s, s:s, s:I, s:b}", "type", "campaign", "event",
		       mode == JOURNAL_FRESH ? "start" : "resume", "next_run",
		       (json_int_t)st.next_run, "repaired", st.repaired);
	journal_append(c.journal, ev, NULL);
	json_decref(ev);
	for (int run = 1; run <= opt->runs; run++) {
		int stop;

		if (journal_has_run(c.journal, run))
			continue;
		if (opt->stop && *opt->stop)
			break;
		if (opt->budget_s > 0 &&
		    clock_mono_ms() - c.start_ms >= (int64_t)(opt->budget_s * 1000))
			break;
		stop = one_run(&c, run, ret, e);
		if (stop < 0)
			goto out;
		if (stop > 0)
			break;
	}
	if (c.tty)
		fputc('\n', stderr);
	ev = json_pack("{s:s, s:s, s:i}", "type", "campaign", "event", "stop",
		       "runs_done", ret->runs_done);
	journal_append(c.journal, ev, NULL);
	json_decref(ev);
	ret->flaws_total = (int)journal_get_state(c.journal)->outcomes.flaw;
	ret->unique_flaws = flaws_count(c.flaws);
	r = 0;
out:
	json_decref(meta);
	flaws_free(c.flaws);
	journal_close(c.journal);
	free(c.names);
	free(c.roles);
	free(c.pnodes);
	free(c.dirty);
	return r;
}

int engine_replay(const struct config *cfg, struct testbed *tb,
		  const struct plan *plan, const char *dir,
		  json_t **ret_record, struct err *e)
{
	struct campaign c = { .cfg = cfg, .tb = tb };
	struct plan copy;
	json_t *trace = NULL, *pj;
	int r;

	node_tables(&c);
	pj = plan_to_json(plan, c.pnodes);
	r = plan_from_json(pj, c.pnodes, c.n_nodes, &copy, e);
	json_decref(pj);
	if (r == 0) {
		struct run_ctx rc = {
			.cfg = cfg, .tb = tb, .plan = &copy, .run_dir = dir,
			.n_nodes = c.n_nodes, .names = c.names, .roles = c.roles,
			.reset_all = 1, .scratch = BUF_INIT,
		};

		paths_mkdirs(dir, 0755, NULL);
		r = run_execute(&rc, 0, ret_record, &trace, e);
		run_ctx_release(&rc);
		plan_release(&copy);
	}
	json_decref(trace);
	free(c.names);
	free(c.roles);
	free(c.pnodes);
	free(c.dirty);
	return r;
}
