/* engine.c - the campaign loop: a queue of run numbers served to one
 * worker per testbed; each plans, runs (engine_ladder.c) and records
 * (engine_record.c) its run. A run's plan depends only on the seed and
 * the run number, so the set of plans is the same for any number of
 * testbeds; a shard takes the runs r with r % count == index % count.
 * With guided exploration the plan of r also depends on the journaled
 * feedback of the runs <= r - EXPLORE_LAG, which it waits for
 * (engine_explore.c).
 * The repair ladder is described in engine.h.
 */
#include "engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "clock.h"
#include "engine_campaign.h"
#include "paths.h"
#include "run.h"

static void node_tables(struct campaign *c, const struct harness *h)
{
	c->n_nodes = h->n_nodes;
	c->names = xcalloc((size_t)c->n_nodes + 1, sizeof(char *));
	c->roles = xcalloc((size_t)c->n_nodes + 1, sizeof(char *));
	c->pnodes = xcalloc((size_t)c->n_nodes + 1, sizeof(*c->pnodes));
	for (int i = 0; i < c->n_nodes; i++) {
		c->names[i] = h->nodes[i].name;
		c->roles[i] = h->nodes[i].role;
		c->pnodes[i] = (struct plan_node){ c->names[i], c->roles[i] };
	}
}

static void node_tables_free(struct campaign *c)
{
	free(c->names);
	free(c->roles);
	free(c->pnodes);
}

static json_t *campaign_meta(const struct config *cfg, const struct engine_options *opt,
			     const struct harness *h)
{
	json_t *config = json_loads(cfg->canonical, 0, NULL), *meta;
	char wall[32];
	int i, n = engine_shard_of(opt, &i);

	clock_format_wall(clock_wall_ns(), wall);
	meta = json_pack("{s:o, s:s, s:I, s:s, s:s, s:s, s:s}",
		"config", config ? config : json_null(),
		"config_path", cfg->path, "seed", (json_int_t)cfg->seed,
		"tool_version", CAMPAIGN_VERSION,
		"image_hash", h->image_hash ? h->image_hash : "",
		"accel", h->accel ? h->accel : "", "start_time", wall);
	if (n > 1)
		json_object_set_new(meta, "shard", json_pack("{s:i, s:i}", "index", i,
							     "count", n));
	return meta;
}

static int campaign_open(struct campaign *c, const struct harness *h,
			 struct err *e)
{
	json_t *meta = campaign_meta(c->cfg, c->opt, h), *ev;
	int mode = journal_check_campaign(c->opt->out_dir, meta, e), r = -1;
	struct journal_state st;

	if (mode < 0)
		goto out;
	if (journal_open(c->opt->out_dir, &c->journal, &st, e) < 0)
		goto out;
	if (mode == JOURNAL_FRESH &&
	    journal_write_campaign(c->opt->out_dir, meta, e) < 0)
		goto out;
	if (flaws_open(c->opt->out_dir, &c->flaws, e) < 0)
		goto out;
	flaws_set_max_examples(c->flaws, c->opt->max_examples);
	ev = json_pack("{s:s, s:s, s:I, s:b, s:i}", "type", "campaign", "event",
		       mode == JOURNAL_FRESH ? "start" : "resume", "next_run",
		       (json_int_t)st.next_run, "repaired", st.repaired,
		       "testbeds", c->n_beds);
	r = journal_append(c->journal, ev, e);
	json_decref(ev);
out:
	json_decref(meta);
	return r;
}

/* The next run for b, or 0 when there is none (done, stopped, out of
 * budget, or the campaign failed). A run a killed process was shrinking
 * is not run again: its shrink is finished instead. */
static int take_run(struct bed *b)
{
	struct campaign *c = b->c;
	int run = 0;

	campaign_lock(c);
	if (engine_stopping_locked(b))
		goto out;
	if (c->n_requeued) {	/* the smallest first: later plans may wait for it */
		int k = 0;

		for (int i = 1; i < c->n_requeued; i++)
			if (c->requeued[i] < c->requeued[k])
				k = i;
		run = c->requeued[k];
		c->requeued[k] = c->requeued[--c->n_requeued];
		goto out;
	}
	while (c->next <= c->opt->runs) {
		int r = c->next++;

		if (engine_in_shard(c->opt, r) && !journal_has_run(c->journal, r) &&
		    !engine_shrink_pending(c, r)) {
			run = r;
			break;
		}
	}
out:
	b->current = run;
	campaign_unlock(c);
	return run;
}

static void one_run(struct bed *b, int run)
{
	struct campaign *c = b->c;
	json_t *record = NULL, *trace = NULL;
	struct err q = { "" }, e = { "" };
	struct plan plan;
	int planned = engine_explore_plan(b, run, &plan, &e);

	if (planned < 0)
		goto fatal;
	if (planned > 0)
		return;		/* given back, or stopping */
	if (engine_attempts(b, &plan, NULL, 1, &record, &trace, &q)) {
		plan_release(&plan);
		engine_quarantine(b, run, q.msg);
		return;
	}
	json_object_set_new(record, "type", json_string("run"));
	json_object_set_new(record, "run", json_integer(run));
	if (c->n_beds > 1)
		json_object_set_new(record, "testbed", json_integer(b->index + 1));
	if (plan.scenario)
		json_object_set_new(record, "scenario", json_string(plan.scenario));
	json_object_set_new(record, "plan", plan_to_json(&plan, c->pnodes));
	plan_release(&plan);
	if (engine_shrink_wanted(c, record)) {
		engine_shrink_run(b, run, record, trace);
		return;
	}
	campaign_lock(c);
	if (engine_record_run(b, run, record, trace, &e) < 0 && !c->failed) {
		c->failed = 1;
		c->fatal = e;
	}
	campaign_unlock(c);
	return;
fatal:
	campaign_lock(c);
	if (!c->failed) {
		c->failed = 1;
		c->fatal = e;
	}
	campaign_unlock(c);
}

static void *worker(void *arg)
{
	struct bed *b = arg;

	b->start_ms = b->h->ops->now_ms(b->h);
	while (!b->quarantined && engine_shrink_resume(b))
		;
	for (int run; !b->quarantined && (run = take_run(b)) > 0;) {
		one_run(b, run);
		campaign_lock(b->c);
		b->current = 0;
		pthread_cond_broadcast(&b->c->recorded);
		campaign_unlock(b->c);
	}
	return NULL;
}

/* Every testbed's worker: on its own thread when there are several. */
static void run_workers(struct campaign *c)
{
	pthread_t *t = xcalloc((size_t)c->n_beds, sizeof(*t));
	int *started = xcalloc((size_t)c->n_beds, sizeof(int));

	if (c->n_beds == 1)
		worker(&c->beds[0]);
	for (int k = 0; c->n_beds > 1 && k < c->n_beds; k++)
		started[k] = pthread_create(&t[k], NULL, worker, &c->beds[k]) == 0;
	for (int k = 0; c->n_beds > 1 && k < c->n_beds; k++)
		if (started[k])
			pthread_join(t[k], NULL);
	free(started);
	free(t);
}

/* When every testbed was quarantined, the campaign stops (exit 3). */
static void summarise(struct campaign *c, struct engine_summary *ret)
{
	const struct journal_state *js = journal_get_state(c->journal);
	int left = 0;

	for (int k = 0; k < c->n_beds; k++)
		left += !c->beds[k].quarantined;
	if (!left) {
		ret->infra_stop = 1;
		snprintf(ret->infra_reason, sizeof(ret->infra_reason), "%s%s",
			 c->n_beds > 1 ? "every testbed was quarantined; the first: " : "",
			 c->beds[0].reason);
	}
	ret->testbeds_quarantined = c->n_beds - left;
	ret->flaws_total = (int)js->outcomes.flaw;
	ret->unjudged = (int)js->outcomes.unjudged;
	ret->set_aside = (int)js->outcomes.set_aside;
	ret->unique_flaws = flaws_count(c->flaws);
}

static void beds_init(struct campaign *c, struct harness *const *hs, int n)
{
	c->n_beds = n;
	c->beds = xcalloc((size_t)n, sizeof(*c->beds));
	/* each testbed gives back at most one run at a time */
	c->requeued = xcalloc((size_t)2 * n + 2, sizeof(int));
	for (int k = 0; k < n; k++)
		c->beds[k] = (struct bed){ .c = c, .h = hs[k], .index = k,
			.dirty = xcalloc((size_t)c->n_nodes + 1, sizeof(char *)) };
}

static void beds_free(struct campaign *c)
{
	for (int k = 0; k < c->n_beds; k++)
		free(c->beds[k].dirty);
	free(c->beds);
	free(c->requeued);
}

int engine_campaign(const struct config *cfg, struct harness *const *hs, int n,
		    const struct engine_options *opt, struct engine_summary *ret,
		    struct err *e)
{
	struct campaign c = { .cfg = cfg, .opt = opt, .next = 1, .sum = ret,
			      .lock = PTHREAD_MUTEX_INITIALIZER };
	json_t *ev;
	int r = -1;

	memset(ret, 0, sizeof(*ret));
	if (n < 1)
		return err_set(e, "no testbed to run on");
	clock_cond_init(&c.recorded);
	node_tables(&c, hs[0]);
	beds_init(&c, hs, n);
	for (int run = 1; run <= opt->runs; run++)
		c.in_shard += engine_in_shard(opt, run);
	if (campaign_open(&c, hs[0], e) < 0 || engine_shrink_load(&c, e) < 0 ||
	    engine_explore_load(&c, e) < 0)
		goto out;
	run_workers(&c);
	if (!c.failed)
		summarise(&c, ret);
	/* the report tells a campaign stopped for want of a testbed from one
	 * that lost a testbed and went on by this event, not by the
	 * quarantine records */
	ev = json_pack("{s:s, s:s, s:i, s:b, s:i}", "type", "campaign", "event", "stop",
		       "runs_done", ret->runs_done, "infra_stop", ret->infra_stop,
		       "testbeds_quarantined", ret->testbeds_quarantined);
	if (ret->infra_stop)
		json_object_set_new(ev, "reason", json_string(ret->infra_reason));
	journal_append(c.journal, ev, NULL);
	json_decref(ev);
	if (c.failed) {
		*e = c.fatal;
		goto out;
	}
	r = 0;
out:
	engine_shrink_free(&c);
	engine_explore_free(&c);
	flaws_free(c.flaws);
	journal_close(c.journal);
	beds_free(&c);
	node_tables_free(&c);
	pthread_mutex_destroy(&c.lock);
	pthread_cond_destroy(&c.recorded);
	return r;
}

int engine_replay(const struct config *cfg, struct harness *h,
		  const struct plan *plan, const char *dir,
		  json_t **ret_record, struct err *e)
{
	struct campaign c = { .cfg = cfg };
	struct plan copy;
	json_t *trace = NULL, *pj;
	int r;

	node_tables(&c, h);
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

static int same_text(const char *a, const char *b)
{
	char *na, *nb;
	int same;

	if (!a || !b)
		return !a && !b;
	na = flaws_normalise(a);
	nb = flaws_normalise(b);
	same = !strcmp(na, nb);
	free(na);
	free(nb);
	return same;
}

int engine_reproduced(json_t *old, json_t *now)
{
	const char *o1 = json_string_value(json_object_get(old, "outcome"));
	const char *o2 = json_string_value(json_object_get(now, "outcome"));

	if (!o1 || !o2 || strcmp(o1, o2))
		return 0;
	if (!strcmp(o1, "flaw") &&
	    !same_text(json_string_value(json_object_get(old, "failed_oracle")),
		       json_string_value(json_object_get(now, "failed_oracle"))))
		return 0;
	return same_text(json_string_value(json_object_get(old, "reason")),
			 json_string_value(json_object_get(now, "reason")));
}

int engine_replay_times(const struct config *cfg, struct harness *h,
			const struct plan *plan, const char *dir, json_t *old,
			int times, engine_replay_fn fn, void *ctx,
			int *ret_reproduced, struct err *e)
{
	int k = 0;

	for (int i = 1; i <= times; i++) {
		char *d = xasprintf("%s/%d", dir, i);
		json_t *now = NULL;
		int r = engine_replay(cfg, h, plan, d, &now, e), same;

		free(d);
		if (r < 0)
			return err_prefix(e, "replay %d of %d", i, times);
		same = engine_reproduced(old, now);
		k += same;
		if (fn)
			fn(ctx, i, times, now, same);
		json_decref(now);
	}
	*ret_reproduced = k;
	return 0;
}
