/* engine_record.c - RECORD: a finished run into the flaw store and the
 * journal (fsync'd) before the testbed's next reset, then progress. All
 * under the campaign's lock: one writer for the journal and the flaws
 * whatever the number of testbeds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "clock.h"
#include "engine_campaign.h"
#include "paths.h"

char *engine_run_dir(const struct campaign *c, int run)
{
	return xasprintf("%s/runs/%d", c->opt->out_dir, run);
}

#define SET_MAX 64

/* The faults of a record's array that took effect (older records have
 * no fate), as the signature sees them: type and target role. */
static int applied_set(json_t *faults, struct flaws_fault *out)
{
	json_t *f;
	size_t i;
	int n = 0;

	json_array_foreach(faults, i, f) {
		const char *fate = json_string_value(json_object_get(f, "fate"));
		const char *role = json_string_value(json_object_get(f, "target_role"));

		if (n == SET_MAX || (fate && strcmp(fate, "applied")))
			continue;
		out[n++] = (struct flaws_fault){
			json_string_value(json_object_get(f, "type")),
			role ? role : json_string_value(json_object_get(f, "role")) };
	}
	return n;
}

/* The signature is the cause's: the minimal set when the run was shrunk
 * (its "shrink" has "faults"), else every fault it applied. */
static int record_flaw(struct campaign *c, json_t *record, json_t *trace,
		       struct err *e)
{
	json_t *shrink = json_object_get(record, "shrink");
	json_t *minimal = json_object_get(shrink, "faults"), *kept = NULL;
	struct flaws_fault all[SET_MAX], cause[SET_MAX];
	int n_all = applied_set(json_object_get(record, "faults"), all), n_cause = 0;
	const char *oracle = json_string_value(json_object_get(record, "failed_oracle"));
	const char *reason = json_string_value(json_object_get(record, "reason"));
	char *types, *roles, *sig, *id;
	struct flaw_hit hit = {
		.oracle = oracle,
		.class_ = json_string_value(json_object_get(record, "class")),
		.run = (int)json_integer_value(json_object_get(record, "run")),
		.wall_ns = clock_wall_ns(), .fault_set = flaws_set_json(all, n_all),
	};
	int is_new = 0, r;

	if (json_is_array(minimal)) {
		n_cause = applied_set(minimal, cause);
		kept = json_copy(shrink);
		json_object_set_new(kept, "run", json_integer(hit.run));
		hit.minimal = kept;
	}
	flaws_set_names(kept ? cause : all, kept ? n_cause : n_all, &types, &roles);
	sig = flaws_signature(oracle, types, roles, reason ? reason : "");
	id = flaws_id(sig);
	hit.signature = sig;
	hit.fault = types;
	hit.role = roles;
	json_object_set_new(record, "signature", json_string(sig));
	json_object_set_new(record, "flaw", json_string(id));
	json_object_set_new(trace, "record", json_incref(record));
	json_object_set_new(trace, "replay", json_sprintf("campaign replay %s %lld",
		c->opt->out_dir, hit.run));
	r = flaws_record(c->flaws, &hit, trace, &is_new, e);
	json_decref(hit.fault_set);
	json_decref(kept);
	free(types);
	free(roles);
	free(id);
	free(sig);
	return r;
}

static void progress(struct bed *b, int run, const char *outcome,
		     const char *flaw_id)
{
	struct campaign *c = b->c;
	const struct journal_state *st = journal_get_state(c->journal);
	double hours = (b->h->ops->now_ms(b->h) - b->start_ms) / 3600000.0;
	struct engine_progress p = {
		.run = run, .runs = c->in_shard, .outcome = outcome,
		.testbed = b->index + 1, .testbeds = c->n_beds,
		.infra_events = st->infra, .recorded = st->runs,
		.unique_flaws = flaws_count(c->flaws),
		.runs_this_process = c->runs_here, .eta_s = -1, .flaw_id = flaw_id,
	};
	long long left = c->in_shard - st->runs;

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
static void mark_dirty(struct bed *b, json_t *record)
{
	json_t *alive = json_object_get(record, "alive");
	json_t *dirty = json_object_get(record, "dirty");

	struct campaign *c = b->c;

	b->n_dirty = 0;
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
			b->dirty[b->n_dirty++] = c->names[i];
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

int engine_record_run(struct bed *b, int run, json_t *record, json_t *trace,
		      struct err *e)
{
	struct campaign *c = b->c;
	const char *outcome = json_string_value(json_object_get(record, "outcome"));
	int o = outcome_from_name(outcome);

	engine_explore_note(c, record);
	if (o == OUTCOME_FLAW) {
		json_t *t = trace;

		trace = NULL;	/* stolen by the flaw store */
		if (record_flaw(c, record, t, e) < 0)
			goto fail;
	}
	json_decref(trace);
	trace = NULL;
	if (journal_append(c->journal, record, e) < 0)
		goto fail;
	pthread_cond_broadcast(&c->recorded);
	b->first_run_done = o != OUTCOME_SET_ASIDE;
	mark_dirty(b, record);
	if (o != OUTCOME_FLAW && !c->cfg->logs.keep_all_runs) {
		char *dir = engine_run_dir(c, run);	/* kept for flaws only, by default */

		paths_remove_tree(dir, NULL);
		free(dir);
	}
	c->sum->runs_done++;
	c->runs_here++;
	progress(b, run, outcome, json_string_value(json_object_get(record, "flaw")));
	json_decref(record);
	return 0;
fail:
	record_failed(c, run, e);
	json_decref(trace);
	json_decref(record);
	return -1;
}
