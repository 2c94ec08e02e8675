/* engine_shrink.c - shrinking a flaw of a run with several faults: the
 * run's own plan replayed with faults removed (shrink.c's ddmin asks
 * which subsets to try) until a minimal set that still fails the same
 * oracle is left; then the run is recorded with that set's signature.
 *
 * The journal holds it all, so a killed campaign picks the shrink up:
 *   {"type":"shrink","event":"start","run":N,"record":{...}}  the run
 *     as it finished (its run record comes only when the shrink ends);
 *   {"type":"shrink","event":"try","run":N,"set":[plan indices],
 *     "try":T,"failed":B,...}  one replay of a candidate.
 * A resume answers ddmin's questions from the journaled tries (it asks
 * them in the same order for the same answers) and runs only the rest.
 * A stop, the campaign's budget or a quarantine ends a shrink early: the
 * run is then recorded with its whole fault set.
 *
 * Candidates keep the run's plan exactly (times, nodes as resolved at
 * injection, parameters, seeds) minus the faults removed; faults that
 * were not applied in the run are left out of every candidate. Tries
 * start from the golden snapshot (all nodes reset), in runs/<n>/shrink-*
 * (removed after each try unless logs.keep_runs is "all").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine_campaign.h"
#include "paths.h"
#include "shrink.h"

#define TRACE_MAX_BYTES (256 << 20)

struct shrink_ctx {
	struct bed *b;
	struct shrink_job *job;
	struct plan full;		/* the run's plan, as recorded */
	int elems[SHRINK_MAX];		/* plan indices of the applied faults */
	int n;
	const char *oracle;		/* the run's failed oracle */
};

/* ---- what is shrunk ----------------------------------------------------- */

/* The plan indices of the record's applied faults. */
static int applied_faults(json_t *record, int *out)
{
	json_t *f;
	size_t i;
	int n = 0;

	json_array_foreach(json_object_get(record, "faults"), i, f) {
		const char *fate = json_string_value(json_object_get(f, "fate"));
		json_t *k = json_object_get(f, "plan_index");

		if (n < SHRINK_MAX && fate && !strcmp(fate, "applied"))
			out[n++] = json_is_integer(k) ? (int)json_integer_value(k) : (int)i;
	}
	return n;
}

int engine_shrink_wanted(const struct campaign *c, json_t *record)
{
	int elems[SHRINK_MAX];

	return c->cfg->shrink.enabled &&
	       !strcmp(json_string_value(json_object_get(record, "outcome")) ?: "", "flaw") &&
	       applied_faults(record, elems) > 1;
}

/* "0,2,3": the plan indices of set's elements. */
static void set_text(const struct shrink_ctx *x, shrink_set set, struct buf *out)
{
	for (int i = 0; i < x->n; i++)
		if (set & ((shrink_set)1 << i))
			buf_addf(out, "%s%d", out->len ? "," : "", x->elems[i]);
}

static json_t *set_json(const struct shrink_ctx *x, shrink_set set)
{
	json_t *a = json_array();

	for (int i = 0; i < x->n; i++)
		if (set & ((shrink_set)1 << i))
			json_array_append_new(a, json_integer(x->elems[i]));
	return a;
}

static char *try_key(const struct shrink_ctx *x, shrink_set set, int try_no)
{
	struct buf k = BUF_INIT;

	set_text(x, set, &k);
	buf_addf(&k, "#%d", try_no);
	return buf_detach(&k);
}

/* ---- one try ------------------------------------------------------------ */

static char *try_dir(const struct shrink_ctx *x, shrink_set set, int try_no)
{
	struct buf name = BUF_INIT;
	char *dir;

	set_text(x, set, &name);
	for (size_t i = 0; i < name.len; i++)
		if (name.data[i] == ',')
			name.data[i] = '-';
	dir = xasprintf("%s/runs/%d/shrink-%s-try%d", x->b->c->opt->out_dir,
			x->job->run, name.data, try_no);
	buf_release(&name);
	return dir;
}

static void subset_plan(const struct shrink_ctx *x, shrink_set set, struct plan *ret)
{
	int keep[SHRINK_MAX], k = 0;

	for (int i = 0; i < x->n; i++)
		if (set & ((shrink_set)1 << i))
			keep[k++] = x->elems[i];
	plan_subset(&x->full, keep, k, ret);
}

static int same_failure(const struct shrink_ctx *x, json_t *rec)
{
	const char *o = json_string_value(json_object_get(rec, "outcome"));
	const char *oracle = json_string_value(json_object_get(rec, "failed_oracle"));

	return o && !strcmp(o, "flaw") && oracle && !strcmp(oracle, x->oracle);
}

/* The try's record in the journal: what ran (its plan) and how it ended. */
static int journal_try(struct shrink_ctx *x, shrink_set set, int try_no,
		       const struct plan *cand, json_t *rec, int failed, struct err *e)
{
	struct campaign *c = x->b->c;
	json_t *j = json_pack("{s:s, s:s, s:i, s:i, s:o, s:i, s:b, s:O*, s:O*, s:O*, s:O*, s:o}",
		"type", "shrink", "event", "try", "run", x->job->run,
		"testbed", x->b->index + 1, "set", set_json(x, set), "try", try_no,
		"failed", failed, "outcome", json_object_get(rec, "outcome"),
		"failed_oracle", json_object_get(rec, "failed_oracle"),
		"reason", json_object_get(rec, "reason"),
		"duration_ms", json_object_get(rec, "duration_ms"),
		"plan", plan_to_json(cand, c->pnodes));
	int r;

	campaign_lock(c);
	r = journal_append(c->journal, j, e);
	if (r < 0 && !c->failed) {
		c->failed = 1;
		c->fatal = *e;
	}
	if (r == 0 && c->opt->on_shrink)
		c->opt->on_shrink(c->opt->ctx, x->job->run, shrink_count(set), x->n,
				  try_no, failed);
	campaign_unlock(c);
	json_decref(j);
	return r;
}

/* shrink.c's question: the journal's answer if it has one, else a run. */
static int try_set(void *arg, shrink_set set, int try_no, struct err *e)
{
	struct shrink_ctx *x = arg;
	struct campaign *c = x->b->c;
	char *key = try_key(x, set, try_no), *dir;
	json_t *known = json_object_get(x->job->tried, key), *rec = NULL, *trace = NULL;
	struct err q = { "" };
	struct plan cand;
	int failed, r;

	free(key);
	if (known)
		return json_is_true(known);
	if (engine_stopping(x->b))
		return err_set(e, "the campaign stopped (a signal, its budget or a "
			       "failed record)");
	subset_plan(x, set, &cand);
	dir = try_dir(x, set, try_no);
	x->b->first_run_done = 0;	/* a candidate starts from the golden state */
	if (engine_attempts(x->b, &cand, dir, 0, &rec, &trace, &q)) {
		engine_quarantine(x->b, -x->job->run, q.msg);
		r = err_set(e, "testbed %d was quarantined: %s", x->b->index + 1, q.msg);
	} else {
		failed = same_failure(x, rec);
		r = journal_try(x, set, try_no, &cand, rec, failed, e) < 0 ? -1 : failed;
	}
	if (!c->cfg->logs.keep_all_runs)
		paths_remove_tree(dir, NULL);
	free(dir);
	json_decref(rec);
	json_decref(trace);
	plan_release(&cand);
	return r;
}

/* ---- the shrink --------------------------------------------------------- */

/* The record's faults of set, as the signature and the flaw keep them. */
static json_t *minimal_faults(const struct shrink_ctx *x, shrink_set set)
{
	json_t *all = json_object_get(x->job->record, "faults"), *out = json_array(), *f;
	size_t i;

	json_array_foreach(all, i, f) {
		json_t *k = json_object_get(f, "plan_index");
		int pi = json_is_integer(k) ? (int)json_integer_value(k) : (int)i;

		for (int e = 0; e < x->n; e++)
			if ((set & ((shrink_set)1 << e)) && x->elems[e] == pi)
				json_array_append_new(out, json_pack("{s:O, s:O, s:O*, s:O*, s:i}",
					"type", json_object_get(f, "type"),
					"node", json_object_get(f, "node"),
					"role", json_object_get(f, "role"),
					"target_role", json_object_get(f, "target_role"),
					"plan_index", pi));
	}
	return out;
}

static json_t *shrink_summary(const struct shrink_ctx *x, int r,
			      const struct shrink_result *res, const char *why)
{
	json_t *s = json_pack("{s:i, s:i, s:i}", "of", x->n, "runs", res->runs,
			      "max_runs", x->b->c->cfg->shrink.max_runs);

	if (r < 0) {
		json_object_set_new(s, "interrupted", json_string(why));
		return s;
	}
	json_object_set_new(s, "faults", minimal_faults(x, res->minimal));
	json_object_set_new(s, "reproduced", json_integer(res->failed));
	json_object_set_new(s, "tries", json_integer(res->tried));
	json_object_set_new(s, "exhausted", json_boolean(res->exhausted));
	return s;
}

static char *trace_path(const struct campaign *c, int run)
{
	return xasprintf("%s/runs/%d/shrink-trace.json", c->opt->out_dir, run);
}

/* Shrink job's run on b, then record it (job's record and trace are
 * stolen); job itself is the caller's. */
static void shrink_and_record(struct bed *b, struct shrink_job *job)
{
	struct campaign *c = b->c;
	struct shrink_ctx x = { .b = b, .job = job };
	struct shrink_budget budget = { c->cfg->shrink.tries, c->cfg->shrink.max_runs };
	struct shrink_result res = { 0 };
	struct err e = { "" };
	char *stash;
	int r;

	x.oracle = json_string_value(json_object_get(job->record, "failed_oracle")) ?: "";
	x.n = applied_faults(job->record, x.elems);
	r = plan_from_json(json_object_get(job->record, "plan"), c->pnodes, c->n_nodes,
			   &x.full, &e);
	for (int i = 0; r == 0 && i < x.n; i++)
		if (x.elems[i] < 0 || x.elems[i] >= x.full.n_faults)
			r = err_set(&e, "fault %d of the record is not in its plan", x.elems[i]);
	if (r == 0)
		r = shrink_ddmin(x.n, &budget, try_set, &x, &res, &e);
	json_object_set_new(job->record, "shrink", shrink_summary(&x, r, &res, e.msg));
	plan_release(&x.full);
	campaign_lock(c);
	if (!c->failed && engine_record_run(b, job->run, job->record, job->trace, &e) < 0) {
		c->failed = 1;
		c->fatal = e;
	} else if (c->failed) {
		json_decref(job->record);
		json_decref(job->trace);
	}
	campaign_unlock(c);
	b->first_run_done = 0;	/* whatever a try left: reset all next */
	job->record = job->trace = NULL;
	stash = trace_path(c, job->run);
	unlink(stash);
	free(stash);
}

void engine_shrink_run(struct bed *b, int run, json_t *record, json_t *trace)
{
	struct campaign *c = b->c;
	struct shrink_job job = { run, record, trace, json_object(), 1 };
	json_t *start = json_pack("{s:s, s:s, s:i, s:i, s:O}", "type", "shrink",
				  "event", "start", "run", run, "testbed", b->index + 1,
				  "record", record);
	char *stash = trace_path(c, run), *text = trace ? json_dumps(trace, JSON_COMPACT) : NULL;
	struct err e = { "" };

	if (text)	/* for a resume: the flaw's example */
		paths_write_atomic(stash, text, NULL);
	free(text);
	free(stash);
	campaign_lock(c);
	if (journal_append(c->journal, start, &e) < 0 && !c->failed) {
		c->failed = 1;
		c->fatal = e;
	}
	campaign_unlock(c);
	json_decref(start);
	shrink_and_record(b, &job);
	json_decref(job.record);
	json_decref(job.trace);
	json_decref(job.tried);
}

/* ---- resume ------------------------------------------------------------- */

static struct shrink_job *job_of(struct campaign *c, long long run)
{
	for (int i = 0; i < c->n_shrinks; i++)
		if (c->shrinks[i].run == run)
			return &c->shrinks[i];
	return NULL;
}

static void add_try(struct shrink_job *job, json_t *rec)
{
	struct buf k = BUF_INIT;
	json_t *v;
	size_t i;

	json_array_foreach(json_object_get(rec, "set"), i, v)
		buf_addf(&k, "%s%lld", i ? "," : "", (long long)json_integer_value(v));
	buf_addf(&k, "#%lld", (long long)json_integer_value(json_object_get(rec, "try")));
	json_object_set(job->tried, k.data, json_object_get(rec, "failed"));
	buf_release(&k);
}

static int collect(json_t *rec, long long line, void *arg, struct err *e)
{
	struct campaign *c = arg;
	const char *type = json_string_value(json_object_get(rec, "type"));
	const char *event = json_string_value(json_object_get(rec, "event"));
	long long run = json_integer_value(json_object_get(rec, "run"));
	struct shrink_job *job;

	(void)line;
	(void)e;
	if (!type || strcmp(type, "shrink") || !event || run < 1)
		return 0;
	job = job_of(c, run);
	if (!strcmp(event, "start") && !job && json_is_object(json_object_get(rec, "record"))) {
		c->shrinks = xrealloc(c->shrinks, (size_t)(c->n_shrinks + 1) * sizeof(*c->shrinks));
		c->shrinks[c->n_shrinks++] = (struct shrink_job){ (int)run,
			json_incref(json_object_get(rec, "record")), NULL, json_object(), 0 };
	} else if (!strcmp(event, "try") && job) {
		add_try(job, rec);
	}
	return 0;
}

static json_t *load_trace(const struct campaign *c, int run)
{
	char *path = trace_path(c, run);
	struct buf text = BUF_INIT;
	json_t *t = NULL;

	if (paths_read_file(path, NULL, TRACE_MAX_BYTES, &text, NULL) == 0 && text.data)
		t = json_loadb(text.data, text.len, 0, NULL);
	buf_release(&text);
	free(path);
	return t ? t : json_object();
}

int engine_shrink_load(struct campaign *c, struct err *e)
{
	int k = 0;

	if (journal_foreach(c->opt->out_dir, collect, c, e) < 0)
		return -1;
	for (int i = 0; i < c->n_shrinks; i++) {	/* recorded since: done */
		struct shrink_job *job = &c->shrinks[i];

		if (journal_has_run(c->journal, job->run)) {
			json_decref(job->record);
			json_decref(job->tried);
			continue;
		}
		job->trace = load_trace(c, job->run);
		c->shrinks[k++] = *job;
	}
	c->n_shrinks = k;
	return 0;
}

int engine_shrink_resume(struct bed *b)
{
	struct campaign *c = b->c;
	struct shrink_job *job = NULL;

	campaign_lock(c);
	for (int i = 0; i < c->n_shrinks && !job; i++)
		if (!c->shrinks[i].taken)
			job = &c->shrinks[i];
	if (job)
		job->taken = 1;
	campaign_unlock(c);
	if (!job || engine_stopping(b))
		return 0;
	shrink_and_record(b, job);
	return 1;
}

void engine_shrink_free(struct campaign *c)
{
	for (int i = 0; i < c->n_shrinks; i++) {
		json_decref(c->shrinks[i].record);
		json_decref(c->shrinks[i].trace);
		json_decref(c->shrinks[i].tried);
	}
	free(c->shrinks);
	c->shrinks = NULL;
	c->n_shrinks = 0;
}
