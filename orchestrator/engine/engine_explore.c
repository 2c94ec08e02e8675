/* engine_explore.c - guided exploration in the campaign loop
 * (docs/exploration.md): a run's cheap feedback (run_feedback, at the end
 * of a run), its novelty (engine_explore_note, in journal order under the
 * lock), the plan of a run from the feedback of the runs <= run -
 * EXPLORE_LAG (engine_explore_plan, which waits for them), and the same
 * memory rebuilt from the journal on resume (engine_explore_load).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "engine_campaign.h"
#include "explore.h"
#include "logtemplate.h"
#include "run.h"

#define FEEDBACK_LOG_BYTES 65536	/* per log file and node */

/* ---- feedback of one run -------------------------------------------- */

struct hashes {
	uint64_t *v;
	int n, cap;
};

static int add_hash(void *ctx, const char *tmpl)
{
	struct hashes *h = ctx;

	if (h->n == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 64;
		h->v = xrealloc(h->v, (size_t)h->cap * sizeof(uint64_t));
	}
	h->v[h->n++] = logtemplate_hash(tmpl);
	return 0;
}

/* The tails of logs.paths on node i (a node that does not answer, or an
 * answer that is no JSON, gives nothing: feedback is best effort). */
static void node_templates(struct run_ctx *r, int i, const char *cmd,
			   struct hashes *h)
{
	struct buf out = BUF_INIT;
	struct err e = { "" };
	json_t *got, *f;
	size_t k;

	if (r->alive && !r->alive[i])
		return;
	if (r->h->ops->exec(r->h, i, cmd, 15000, &out, &e) < 0 ||
	    !(got = json_loadb(out.data, out.len, 0, NULL))) {
		buf_release(&out);
		return;
	}
	json_array_foreach(json_object_get(got, "files"), k, f) {
		const char *text = json_string_value(json_object_get(f, "text"));

		if (text)
			logtemplate_each(text, json_string_length(json_object_get(f, "text")),
					 add_hash, h);
	}
	json_decref(got);
	buf_release(&out);
}

/* A probe transition as a template: probe, the node's role, up or down,
 * the masked detail ("probe health member down status <n>"). */
static void transition_templates(struct run_ctx *r, struct hashes *h)
{
	const struct probe_transition *t;
	int nt = 0;

	if (!r->probing)
		return;
	t = r->h->ops->probes_transitions(r->h, &nt);
	for (int i = 0; i < nt; i++) {
		char *line = xasprintf("probe %s %s %s %s", r->cfg->probes[t[i].probe].name,
				       r->roles[t[i].node], t[i].ok ? "up" : "down",
				       t[i].detail ? t[i].detail : "");
		char *tmpl = logtemplate_mask(line, strlen(line));

		add_hash(h, tmpl);
		free(tmpl);
		free(line);
	}
}

static int by_value(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static json_t *hashes_json(const uint64_t *v, int n)
{
	json_t *a = json_array();
	char hex[17];

	for (int i = 0; i < n; i++) {
		if (i && v[i] == v[i - 1])
			continue;
		snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)v[i]);
		json_array_append_new(a, json_string(hex));
	}
	return a;
}

void run_feedback(struct run_ctx *r, json_t *record)
{
	struct hashes h = { 0 };
	char *cmd = r->cfg->logs.n_paths
		? run_collect_command(r->cfg, FEEDBACK_LOG_BYTES, 1) : NULL;

	for (int i = 0; cmd && i < r->n_nodes; i++)
		node_templates(r, i, cmd, &h);
	transition_templates(r, &h);
	if (h.n)
		qsort(h.v, (size_t)h.n, sizeof(uint64_t), by_value);
	json_object_set_new(record, "explore", json_pack("{s:o}", "templates",
							 hashes_json(h.v, h.n)));
	free(h.v);
	free(cmd);
}

/* ---- a record's arms, hashes, outcome ------------------------------- */

/* The arms of a recorded plan: its guided faults. */
static int record_arms(const struct campaign *c, json_t *record,
		       struct explore_arm *arms)
{
	json_t *faults = json_object_get(json_object_get(record, "plan"), "faults"), *f;
	size_t i;
	int n = 0;

	json_array_foreach(faults, i, f) {
		json_t *bucket = json_object_get(f, "bucket");
		const char *node = json_string_value(json_object_get(f, "node"));
		int k = -1;

		if (!bucket || n == EXPLORE_MAX_ARMS)
			continue;
		for (int j = 0; node && j < c->n_nodes; j++)
			if (!strcmp(c->names[j], node))
				k = j;
		arms[n++] = (struct explore_arm){
			(int)json_integer_value(json_object_get(f, "index")), k,
			(int)json_integer_value(json_object_get(bucket, "param")),
			(int)json_integer_value(json_object_get(bucket, "timing")),
			json_is_true(json_object_get(bucket, "same_node")) };
	}
	return n;
}

static int read_hashes(json_t *a, uint64_t **ret)
{
	uint64_t *v = xcalloc(json_array_size(a) + 1, sizeof(uint64_t));
	json_t *s;
	size_t i;
	int n = 0;

	json_array_foreach(a, i, s)
		if (json_is_string(s))
			v[n++] = strtoull(json_string_value(s), NULL, 16);
	*ret = v;
	return n;
}

/* The outcome as novelty sees it: with the oracles that failed or could
 * not judge, by their place in the config ("flaw/command#2+always#4":
 * two command oracles are two checks); NULL for a set-aside run, which
 * says nothing of the SUT. */
char *engine_explore_combo(json_t *record)
{
	const char *o = json_string_value(json_object_get(record, "outcome"));
	const char *oracle = json_string_value(json_object_get(record, "failed_oracle"));
	json_t *verdicts = json_object_get(record, "oracles"), *v;
	struct buf b = BUF_INIT;
	size_t i;

	if (!oracle)
		oracle = json_string_value(json_object_get(record, "unjudged_oracle"));
	if (!o || !strcmp(o, "set-aside"))
		return NULL;
	buf_addf(&b, "%s", o);
	json_array_foreach(verdicts, i, v) {
		const char *verdict = json_string_value(json_object_get(v, "verdict"));
		const char *name = json_string_value(json_object_get(v, "oracle"));

		if (verdict && name && strcmp(verdict, "pass"))
			buf_addf(&b, "%s%s#%zu", b.len == strlen(o) ? "/" : "+", name, i + 1);
	}
	if (b.len == strlen(o) && oracle)
		buf_addf(&b, "/%s", oracle);
	return buf_detach(&b);
}

/* "process-kill@n2/p1/t3", faults joined by "+"; "/same" ends the arm
 * of a fault put on the first fault's node */
static char *arm_names(const struct campaign *c, const struct explore_arm *arms, int n)
{
	struct buf b = BUF_INIT;

	for (int i = 0; i < n; i++)
		buf_addf(&b, "%s%s@%s/p%d/t%d%s", i ? "+" : "", c->cfg->faults[arms[i].fault].type,
			 arms[i].node >= 0 ? c->names[arms[i].node]
					   : c->cfg->faults[arms[i].fault].target,
			 arms[i].param, arms[i].timing, arms[i].same ? "/same" : "");
	return buf_detach(&b);
}

static int valid_arms(const struct campaign *c, const struct explore_arm *arms, int n)
{
	for (int i = 0; i < n; i++)
		if (arms[i].fault < 0 || arms[i].fault >= c->cfg->n_faults)
			return 0;
	return 1;
}

void engine_explore_note(struct campaign *c, json_t *record)
{
	struct explore_arm arms[EXPLORE_MAX_ARMS];
	uint64_t *tmpl = NULL, *fresh = NULL;
	int n_arms, n_new = 0, n_tmpl = 0, novel;
	char *combo, *names;

	if (!c->explore)
		return;
	n_arms = record_arms(c, record, arms);
	if (!valid_arms(c, arms, n_arms))
		n_arms = 0;
	combo = engine_explore_combo(record);
	if (combo)
		n_tmpl = read_hashes(json_object_get(json_object_get(record, "explore"),
						     "templates"), &tmpl);
	novel = explore_note(c->explore, (int)json_integer_value(json_object_get(record, "run")),
			     arms, n_arms, tmpl, n_tmpl, combo, &fresh, &n_new);
	names = arm_names(c, arms, n_arms);
	json_object_set_new(record, "explore", json_pack("{s:s, s:b, s:i, s:o}",
		"arm", names, "novel", novel, "new_templates", n_new,
		"new", hashes_json(fresh, n_new)));
	free(names);
	free(fresh);
	free(tmpl);
	free(combo);
}

/* ---- resume ---------------------------------------------------------- */

static int restore_one(json_t *record, long long line, void *ctx, struct err *e)
{
	struct campaign *c = ctx;
	struct explore_arm arms[EXPLORE_MAX_ARMS];
	json_t *ex = json_object_get(record, "explore");
	const char *type = json_string_value(json_object_get(record, "type"));
	uint64_t *fresh = NULL;
	int n_arms, n_new;
	char *combo;

	(void)line;
	(void)e;
	if (!type || strcmp(type, "run") || !json_is_object(ex))
		return 0;
	n_arms = record_arms(c, record, arms);
	if (!valid_arms(c, arms, n_arms))
		n_arms = 0;
	n_new = read_hashes(json_object_get(ex, "new"), &fresh);
	combo = engine_explore_combo(record);
	explore_restore(c->explore, (int)json_integer_value(json_object_get(record, "run")),
			arms, n_arms, fresh, n_new, combo,
			json_is_true(json_object_get(ex, "novel")));
	free(combo);
	free(fresh);
	return 0;
}

int engine_explore_load(struct campaign *c, struct err *e)
{
	if (c->cfg->schedule.explore != CONFIG_EXPLORE_GUIDED)
		return 0;
	c->explore = explore_new();
	return journal_foreach(c->opt->out_dir, restore_one, c, e) < 0 ? -1 : 0;
}

void engine_explore_free(struct campaign *c)
{
	explore_free(c->explore);
	c->explore = NULL;
}

/* ---- the plan of a run ----------------------------------------------- */

/* Advance c->explore_ready to the last run such that every run of the
 * shard up to it is recorded. */
static void advance_ready(struct campaign *c)
{
	while (c->explore_ready < c->opt->runs &&
	       (!engine_in_shard(c->opt, c->explore_ready + 1) ||
		journal_has_run(c->journal, c->explore_ready + 1)))
		c->explore_ready++;
}

/* Will run s be recorded by this process without b: another testbed
 * has it, or a shrink of it is pending while another testbed works? */
static int coming(const struct bed *b, int s)
{
	struct campaign *c = b->c;
	int others = 0;

	for (int k = 0; k < c->n_beds; k++) {
		const struct bed *o = &c->beds[k];

		if (o == b || o->quarantined)
			continue;
		others++;
		if (o->current == s)
			return 1;
	}
	return others && engine_shrink_pending(c, s);
}

static int requeued(const struct campaign *c, int s)
{
	for (int i = 0; i < c->n_requeued; i++)
		if (c->requeued[i] == s)
			return 1;
	return 0;
}

static void wait_a_while(struct campaign *c)
{
	struct timespec ts = clock_mono_in_ms(1000);

	pthread_cond_timedwait(&c->recorded, &c->lock, &ts);
}

/* Under the lock: wait until every run <= run - EXPLORE_LAG is recorded.
 * 1: give the run back (a run it waits for went back to the queue: take
 * that one first); 0 with *upto the feedback to plan with: run - LAG, or
 * less when a run it needs can no longer come (a testbed quarantined in
 * the middle of a shrink), or -1 when stopping. The wait has no deadline
 * of its own: every run it waits for is bounded by the ladder's
 * deadlines, a signal or the budget ends it within a second, and a run
 * that can no longer come ends it at once. */
static int wait_feedback(struct bed *b, int run, int *upto)
{
	struct campaign *c = b->c;
	int want = run - EXPLORE_LAG > 0 ? run - EXPLORE_LAG : 0;

	for (;;) {
		int s;

		advance_ready(c);
		if (c->explore_ready >= want) {
			*upto = want;
			return 0;
		}
		if (engine_stopping_locked(b)) {
			*upto = -1;
			return 0;
		}
		s = c->explore_ready + 1;
		if (requeued(c, s)) {
			c->requeued[c->n_requeued++] = run;
			return 1;
		}
		if (!coming(b, s)) {
			*upto = c->explore_ready;
			return 0;
		}
		wait_a_while(c);
	}
}

int engine_explore_plan(struct bed *b, int run, struct plan *ret, struct err *e)
{
	struct campaign *c = b->c;
	int upto = 0, r;

	if (!c->explore)
		return plan_make(c->cfg, c->pnodes, c->n_nodes, run, ret, e);
	campaign_lock(c);
	if (wait_feedback(b, run, &upto)) {
		campaign_unlock(c);
		return 1;
	}
	if (upto < 0) {
		campaign_unlock(c);
		return 2;
	}
	r = plan_make_guided(c->cfg, c->pnodes, c->n_nodes, run, upto, c->explore, ret, e);
	campaign_unlock(c);
	return r;
}
