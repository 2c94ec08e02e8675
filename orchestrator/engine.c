/* engine.c - the campaign loop: plan, run, record, repair, stop.
 *
 * Every finished run is appended to the journal and fsync'd before the
 * next reset; a flaw's trace is written to its flaw file first. The
 * repair ladder is described in engine.h.
 */
#include "engine.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "buf.h"
#include "clock.h"
#include "run.h"
#include "flaws.h"
#include "journal.h"
#include "paths.h"

struct campaign {
	const struct config *cfg;
	struct harness *h;
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
	int runs_here;			/* recorded by this process */
};

static void node_tables(struct campaign *c)
{
	c->n_nodes = c->h->n_nodes;
	c->names = xcalloc((size_t)c->n_nodes + 1, sizeof(char *));
	c->roles = xcalloc((size_t)c->n_nodes + 1, sizeof(char *));
	c->pnodes = xcalloc((size_t)c->n_nodes + 1, sizeof(*c->pnodes));
	c->dirty = xcalloc((size_t)c->n_nodes + 1, sizeof(char *));
	for (int i = 0; i < c->n_nodes; i++) {
		c->names[i] = c->h->nodes[i].name;
		c->roles[i] = c->h->nodes[i].role;
		c->pnodes[i] = (struct plan_node){ c->names[i], c->roles[i] };
	}
}

static void node_tables_free(struct campaign *c)
{
	free(c->names);
	free(c->roles);
	free(c->pnodes);
	free(c->dirty);
}

static json_t *campaign_meta(const struct config *cfg, const struct harness *h)
{
	json_t *config = json_loads(cfg->canonical, 0, NULL);
	char wall[32];

	clock_format_wall(clock_wall_ns(), wall);
	return json_pack("{s:o, s:s, s:I, s:s, s:s, s:s, s:s}",
		"config", config ? config : json_null(),
		"config_path", cfg->path, "seed", (json_int_t)cfg->seed,
		"tool_version", CAMPAIGN_VERSION,
		"image_hash", h->image_hash ? h->image_hash : "",
		"accel", h->accel ? h->accel : "", "start_time", wall);
}

static char *run_dir(const struct campaign *c, int run)
{
	return xasprintf("%s/runs/%d", c->opt->out_dir, run);
}

/* The first fault that took effect, for the signature. */
static json_t *first_applied(json_t *record)
{
	json_t *faults = json_object_get(record, "faults"), *f;
	size_t i;

	json_array_foreach(faults, i, f) {
		const char *fate = json_string_value(json_object_get(f, "fate"));

		if (!fate || !strcmp(fate, "applied"))
			return f;
	}
	return NULL;
}

static int record_flaw(struct campaign *c, json_t *record, json_t *trace,
		       struct err *e)
{
	json_t *f0 = first_applied(record);
	const char *fault = f0 ? json_string_value(json_object_get(f0, "type")) : "none";
	const char *role = f0 ? json_string_value(json_object_get(f0, "role")) : "-";
	const char *oracle = json_string_value(json_object_get(record, "failed_oracle"));
	const char *reason = json_string_value(json_object_get(record, "reason"));
	char *sig = flaws_signature(oracle, fault, role, reason ? reason : "");
	struct flaw_hit hit = {
		.signature = sig, .oracle = oracle, .fault = fault, .role = role,
		.class_ = json_string_value(json_object_get(record, "class")),
		.run = (int)json_integer_value(json_object_get(record, "run")),
		.wall_ns = clock_wall_ns(),
	};
	char *id = flaws_id(sig);
	int is_new = 0, r;

	json_object_set_new(record, "signature", json_string(sig));
	json_object_set_new(record, "flaw", json_string(id));
	json_object_set_new(trace, "record", json_incref(record));
	json_object_set_new(trace, "replay", json_sprintf("campaign replay %s %lld",
		c->opt->out_dir, hit.run));
	r = flaws_record(c->flaws, &hit, trace, &is_new, e);
	free(id);
	free(sig);
	return r;
}

static void progress(struct campaign *c, int run, const char *outcome,
		     const char *flaw_id)
{
	const struct journal_state *st = journal_get_state(c->journal);
	double hours = (c->h->ops->now_ms(c->h) - c->start_ms) / 3600000.0;
	struct engine_progress p = {
		.run = run, .runs = c->opt->runs, .outcome = outcome,
		.infra_events = st->infra, .recorded = st->runs,
		.unique_flaws = flaws_count(c->flaws),
		.runs_this_process = c->runs_here, .eta_s = -1, .flaw_id = flaw_id,
	};
	long long left = c->opt->runs - st->runs;

	p.counts[OUTCOME_NO_EFFECT] = st->outcomes.no_effect;
	p.counts[OUTCOME_RECOVERED] = st->outcomes.recovered;
	p.counts[OUTCOME_FLAW] = st->outcomes.flaw;
	p.counts[OUTCOME_UNJUDGED] = st->outcomes.unjudged;
	p.counts[OUTCOME_SET_ASIDE] = st->outcomes.set_aside;
	p.runs_per_hour = hours > 0 ? c->runs_here / hours : 0;
	if (c->runs_here > 0 && left >= 0) {
		double per_run = hours * 3600 / c->runs_here, eta = left * per_run;

		if (c->opt->budget_s > 0) {
			double budget_left = c->opt->budget_s - hours * 3600;

			eta = eta < budget_left ? eta : budget_left > 0 ? budget_left : 0;
		}
		p.eta_s = eta;
	}
	if (c->opt->on_progress)
		c->opt->on_progress(c->opt->ctx, &p);
}

/* Continuous mode: nodes that did not answer at the end of a run, or that
 * the run left dirty, are restored before the next; the others keep running. */
static void mark_dirty(struct campaign *c, json_t *record)
{
	json_t *alive = json_object_get(record, "alive");
	json_t *dirty = json_object_get(record, "dirty");

	c->n_dirty = 0;
	if (c->cfg->mode != CONFIG_CONTINUOUS)
		return;
	for (int i = 0; i < c->n_nodes; i++) {
		int bad = !json_is_true(json_object_get(alive, c->names[i]));
		json_t *d;
		size_t k;

		json_array_foreach(dirty, k, d)
			if (!strcmp(json_string_value(d), c->names[i]))
				bad = 1;
		if (bad)
			c->dirty[c->n_dirty++] = (char *)c->names[i];
	}
}

/* One attempt; 0 with *ret_record, or -1 for an infra error. */
static int attempt(struct campaign *c, struct plan *plan, json_t **ret_record,
		   json_t **ret_trace, const char **ret_phase, struct err *e)
{
	char *dir = run_dir(c, plan->run);
	struct run_ctx r = {
		.cfg = c->cfg, .h = c->h, .plan = plan, .run_dir = dir,
		.n_nodes = c->n_nodes, .names = c->names, .roles = c->roles,
		.reset_all = c->cfg->mode == CONFIG_ISOLATED || !c->first_run_done,
		.reset_nodes = (const char *const *)c->dirty,
		.n_reset_nodes = c->n_dirty, .scratch = BUF_INIT,
	};
	int ret;

	paths_mkdirs(dir, 0755, NULL);
	ret = run_execute(&r, 1, ret_record, ret_trace, e);
	*ret_phase = r.phase ? r.phase : "reset";
	run_ctx_release(&r);
	free(dir);
	return ret;
}

static int infra_event(struct campaign *c, int run, int attempt_no,
		       const char *scope, const char *what, const char *action)
{
	json_t *rec = json_pack("{s:s, s:i, s:i, s:s, s:s, s:s}", "type", "infra",
				"run", run, "attempt", attempt_no, "scope", scope,
				"error", what, "action", action);
	int r = journal_append(c->journal, rec, NULL);

	json_decref(rec);
	if (c->opt->on_infra)
		c->opt->on_infra(c->opt->ctx, run, what, action);
	return r;
}

/* ---- the ladder ---- */

/* Failing nodes as "n1, n3", and the names of the bad ones. */
static char *bad_list(struct campaign *c, const int *bad, const char **names,
		      int *ret_n)
{
	struct buf b = BUF_INIT;

	*ret_n = 0;
	for (int i = 0; i < c->n_nodes; i++)
		if (bad[i]) {
			buf_addf(&b, "%s%s", *ret_n ? ", " : "", c->names[i]);
			names[(*ret_n)++] = c->names[i];
		}
	return buf_detach(&b);
}

static int healthy(struct campaign *c, int *bad, struct err *e)
{
	memset(bad, 0, sizeof(int) * (size_t)c->n_nodes);
	e->msg[0] = '\0';
	return c->h->ops->health(c->h, bad, e) == 0;
}

/* The node rungs for the nodes bad marks: revert them, then rebuild each
 * alone. 1 when the testbed is healthy after one of them. */
static int repair_nodes(struct campaign *c, int run, int k, int *bad, struct err *he)
{
	const char **names = xcalloc((size_t)c->n_nodes + 1, sizeof(char *));
	struct err e = { "" };
	int n, ok = 0;
	char *list = bad_list(c, bad, names, &n), *what;

	what = xasprintf("health check failed on %s: %s", list, he->msg);
	infra_event(c, run, k, "node", what, "revert node");
	free(what);
	if (c->h->ops->reset(c->h, names, n, NULL, &e) == 0 && healthy(c, bad, he))
		ok = 1;
	for (int i = 0; !ok && i < c->n_nodes; i++) {
		if (!bad[i])
			continue;
		what = xasprintf("'%s' still fails its health check: %s", c->names[i],
				 he->msg[0] ? he->msg : e.msg);
		infra_event(c, run, k, "node", what, "rebuild node");
		free(what);
		e.msg[0] = '\0';
		if (c->h->ops->rebuild_node(c->h, i, &e) < 0) {
			what = xasprintf("cannot rebuild '%s': %s", c->names[i], e.msg);
			infra_event(c, run, k, "node", what, "next rung");
			free(what);
			break;
		}
		ok = healthy(c, bad, he);
	}
	free(list);
	free(names);
	return ok;
}

/* The testbed's health after a failed attempt, repaired rung by rung.
 * 0: healthy (perhaps after repair); -1: quarantined, reason in e. */
static int health_and_repair(struct campaign *c, int run, int k, struct err *e)
{
	int *bad = xcalloc((size_t)c->n_nodes + 1, sizeof(int));
	struct err he = { "" }, be = { "" };
	int ret = 0;

	if (healthy(c, bad, &he) || repair_nodes(c, run, k, bad, &he))
		goto out;
	infra_event(c, run, k, "testbed", he.msg, "rebuild testbed");
	if (c->h->ops->rebuild(c->h, &be) == 0 && healthy(c, bad, &he))
		goto out;
	err_set(e, "testbed failed its health check after every repair: %s",
		be.msg[0] ? be.msg : he.msg);
	infra_event(c, run, k, "testbed", e->msg, "quarantine");
	ret = -1;
out:
	free(bad);
	return ret;
}

/* Two infra errors are "the same reason" when they read alike with their
 * numbers (times, ports, pids) taken out. */
static void reason_key(const char *msg, char *out, size_t size)
{
	size_t n = 0;

	for (const char *p = msg; *p && n + 1 < size; p++) {
		if (isdigit((unsigned char)*p)) {
			if (n == 0 || out[n - 1] != '#')
				out[n++] = '#';
			continue;
		}
		out[n++] = *p;
	}
	out[n] = '\0';
}

static json_t *set_aside_record(const char *why, int attempts)
{
	return json_pack("{s:s, s:s, s:i}", "outcome", outcome_name(OUTCOME_SET_ASIDE),
			 "reason", why, "attempts", attempts);
}

/* A failure before the plan starts (reset, ready) is the testbed's, not
 * the run's: it never sets the run aside. After max retries the testbed
 * is rebuilt once; failing on past that, it is quarantined. */
static int testbed_phase_failed(struct campaign *c, int run, int k, int *rebuilt,
				const char *msg, struct err *quarantine)
{
	struct err be = { "" };
	int *bad;

	if (k <= c->cfg->schedule.max_infra_retries * (*rebuilt + 1)) {
		infra_event(c, run, k, "run", msg, "retry");
		return 0;
	}
	if (*rebuilt) {
		err_set(quarantine, "the testbed fails before any fault, even rebuilt: %s", msg);
		infra_event(c, run, k, "testbed", quarantine->msg, "quarantine");
		return 1;
	}
	*rebuilt = 1;
	infra_event(c, run, k, "testbed", msg, "rebuild testbed");
	bad = xcalloc((size_t)c->n_nodes + 1, sizeof(int));
	if (c->h->ops->rebuild(c->h, &be) < 0 || !healthy(c, bad, &be)) {
		err_set(quarantine, "testbed rebuild failed: %s", be.msg);
		infra_event(c, run, k, "testbed", quarantine->msg, "quarantine");
		free(bad);
		return 1;
	}
	free(bad);
	return 0;
}

/* Attempt the run until it yields a record: retried on a healthy
 * testbed, set aside when doomed. 1: the testbed is quarantined. */
static int attempts(struct campaign *c, struct plan *plan, json_t **ret_record,
		    json_t **ret_trace, struct err *quarantine)
{
	int max = c->cfg->schedule.max_infra_retries, rebuilt = 0;
	char last[1024] = "", key[1024];
	struct err re = { "" };
	const char *phase = NULL;

	for (int k = 1;; k++) {
		re.msg[0] = '\0';
		if (attempt(c, plan, ret_record, ret_trace, &phase, &re) == 0)
			return 0;
		c->first_run_done = 0;	/* the state is unknown: reset all */
		reason_key(re.msg, key, sizeof(key));
		if (health_and_repair(c, plan->run, k, quarantine) < 0) {
			infra_event(c, plan->run, k, "run", re.msg, "stop: no healthy testbed");
			return 1;
		}
		if (!strcmp(phase, "reset") || !strcmp(phase, "ready")) {
			if (testbed_phase_failed(c, plan->run, k, &rebuilt, re.msg, quarantine))
				return 1;
			continue;
		}
		if (!strcmp(key, last) || k > max) {
			char *why = !strcmp(key, last)
				? xasprintf("failed the same way twice on a healthy testbed: %s", re.msg)
				: xasprintf("failed %d times on a healthy testbed, last: %s", k, re.msg);

			infra_event(c, plan->run, k, "run", why, "set aside");
			*ret_record = set_aside_record(why, k);
			*ret_trace = NULL;
			free(why);
			return 0;
		}
		infra_event(c, plan->run, k, "run", re.msg, "retry");
		snprintf(last, sizeof(last), "%s", key);
	}
}

/* A record that could not be written: say where, and how much room is
 * left when that is the cause. The campaign stops at this record
 * boundary (exit 3): nothing recorded is lost, no line is torn (the
 * journal cuts a failed write back), and the same command resumes with
 * this run once there is room. Stopping, not waiting, because a wait
 * would hold the testbed and hide the problem from whoever watches. */
static int record_failed(struct campaign *c, int run, struct err *e)
{
	struct statvfs fs;

	if (statvfs(c->opt->out_dir, &fs) == 0 && fs.f_bavail * fs.f_frsize < (4u << 20))
		return err_prefix(e, "cannot record run %d: the results file system at '%s' "
				  "is full (%llu bytes free); free space there and run the "
				  "same command to resume", run, c->opt->out_dir,
				  (unsigned long long)fs.f_bavail * fs.f_frsize);
	return err_prefix(e, "cannot record run %d in '%s'", run, c->opt->out_dir);
}

static void remove_run_dir(struct campaign *c, int run)
{
	char *dir = run_dir(c, run);

	paths_remove_tree(dir, NULL);
	free(dir);
}

/* Plan, execute with retries and repair, record. 1: stop the campaign. */
static int one_run(struct campaign *c, int run, struct engine_summary *sum,
		   struct err *e)
{
	json_t *record = NULL, *trace = NULL;
	struct err q = { "" };
	struct plan plan;
	const char *outcome;
	int stop;

	if (plan_make(c->cfg, c->pnodes, c->n_nodes, run, &plan, e) < 0)
		return -1;
	stop = attempts(c, &plan, &record, &trace, &q);
	if (stop) {
		sum->infra_stop = 1;
		snprintf(sum->infra_reason, sizeof(sum->infra_reason), "run %d: %s",
			 run, q.msg);
		plan_release(&plan);
		return 1;
	}
	json_object_set_new(record, "type", json_string("run"));
	json_object_set_new(record, "run", json_integer(run));
	json_object_set_new(record, "plan", plan_to_json(&plan, c->pnodes));
	plan_release(&plan);
	outcome = json_string_value(json_object_get(record, "outcome"));
	if (outcome_from_name(outcome) == OUTCOME_FLAW) {
		json_t *t = trace;

		trace = NULL;	/* stolen by the flaw store */
		if (record_flaw(c, record, t, e) < 0)
			goto fail;
	}
	json_decref(trace);
	trace = NULL;
	if (journal_append(c->journal, record, e) < 0)
		goto fail;
	if (outcome_from_name(outcome) == OUTCOME_SET_ASIDE)
		c->first_run_done = 0;
	else
		c->first_run_done = 1;
	mark_dirty(c, record);
	if (outcome_from_name(outcome) != OUTCOME_FLAW && !c->cfg->logs.keep_all_runs)
		remove_run_dir(c, run);	/* kept for flaws only, by default */
	sum->runs_done++;
	c->runs_here++;
	progress(c, run, outcome, json_string_value(json_object_get(record, "flaw")));
	json_decref(record);
	return 0;
fail:
	record_failed(c, run, e);
	json_decref(trace);
	json_decref(record);
	return -1;
}

static int campaign_open(struct campaign *c, struct journal_state *st,
			 struct err *e)
{
	json_t *meta = campaign_meta(c->cfg, c->h), *ev;
	int mode = journal_check_campaign(c->opt->out_dir, meta, e), r = -1;

	if (mode < 0)
		goto out;
	if (journal_open(c->opt->out_dir, &c->journal, st, e) < 0)
		goto out;
	if (mode == JOURNAL_FRESH &&
	    journal_write_campaign(c->opt->out_dir, meta, e) < 0)
		goto out;
	if (flaws_open(c->opt->out_dir, &c->flaws, e) < 0)
		goto out;
	flaws_set_max_examples(c->flaws, c->opt->max_examples);
	ev = json_pack("{s:s, s:s, s:I, s:b}", "type", "campaign", "event",
		       mode == JOURNAL_FRESH ? "start" : "resume", "next_run",
		       (json_int_t)st->next_run, "repaired", st->repaired);
	r = journal_append(c->journal, ev, e);
	json_decref(ev);
out:
	json_decref(meta);
	return r;
}

static int out_of_budget(struct campaign *c)
{
	return c->opt->budget_s > 0 && c->h->ops->now_ms(c->h) - c->start_ms >=
	       (int64_t)(c->opt->budget_s * 1000);
}

int engine_campaign(const struct config *cfg, struct harness *h,
		    const struct engine_options *opt,
		    struct engine_summary *ret, struct err *e)
{
	struct campaign c = { .cfg = cfg, .h = h, .opt = opt,
			      .start_ms = h->ops->now_ms(h) };
	const struct journal_state *js;
	struct journal_state st;
	json_t *ev;
	int r = -1;

	memset(ret, 0, sizeof(*ret));
	node_tables(&c);
	if (campaign_open(&c, &st, e) < 0)
		goto out;
	for (int run = 1; run <= opt->runs; run++) {
		int stop;

		if (journal_has_run(c.journal, run))
			continue;
		if ((opt->stop && *opt->stop) || out_of_budget(&c))
			break;
		stop = one_run(&c, run, ret, e);
		if (stop < 0)
			goto out;
		if (stop > 0)
			break;
	}
	ev = json_pack("{s:s, s:s, s:i}", "type", "campaign", "event", "stop",
		       "runs_done", ret->runs_done);
	journal_append(c.journal, ev, NULL);
	json_decref(ev);
	js = journal_get_state(c.journal);
	ret->flaws_total = (int)js->outcomes.flaw;
	ret->unjudged = (int)js->outcomes.unjudged;
	ret->set_aside = (int)js->outcomes.set_aside;
	ret->unique_flaws = flaws_count(c.flaws);
	r = 0;
out:
	flaws_free(c.flaws);
	journal_close(c.journal);
	node_tables_free(&c);
	return r;
}

int engine_replay(const struct config *cfg, struct harness *h,
		  const struct plan *plan, const char *dir,
		  json_t **ret_record, struct err *e)
{
	struct campaign c = { .cfg = cfg, .h = h };
	struct plan copy;
	json_t *trace = NULL, *pj;
	int r;

	node_tables(&c);
	pj = plan_to_json(plan, c.pnodes);
	r = plan_from_json(pj, c.pnodes, c.n_nodes, &copy, e);
	json_decref(pj);
	if (r == 0) {
		struct run_ctx rc = {
			.cfg = cfg, .h = h, .plan = &copy, .run_dir = dir,
			.n_nodes = c.n_nodes, .names = c.names, .roles = c.roles,
			.reset_all = 1, .scratch = BUF_INIT,
		};

		paths_mkdirs(dir, 0755, NULL);
		r = run_execute(&rc, 0, ret_record, &trace, e);
		run_ctx_release(&rc);
		plan_release(&copy);
	}
	json_decref(trace);
	node_tables_free(&c);
	return r;
}
