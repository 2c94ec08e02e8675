/* engine_ladder.c - attempts and the repair ladder (engine.h says the
 * rules): an attempt that fails is an infra event; the testbed's health
 * decides whether the testbed is repaired (node revert, node rebuild,
 * testbed rebuild, quarantine) or the run is retried, and a run failing
 * the same way twice on a healthy testbed is set aside. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_campaign.h"
#include "paths.h"
#include "run.h"

/* One attempt in dir (NULL: the run's); 0 with *ret_record, or -1 for
 * an infra error. */
static int attempt(struct bed *b, struct plan *plan, const char *in_dir,
		   int keep_logs, json_t **ret_record, json_t **ret_trace,
		   const char **ret_phase, struct err *e)
{
	struct campaign *c = b->c;
	char *dir = in_dir ? xstrdup(in_dir) : engine_run_dir(c, plan->run);
	struct run_ctx r = {
		.cfg = c->cfg, .h = b->h, .plan = plan, .run_dir = dir,
		.n_nodes = c->n_nodes, .names = c->names, .roles = c->roles,
		.reset_all = c->cfg->mode == CONFIG_ISOLATED || !b->first_run_done,
		.reset_nodes = b->dirty,
		.n_reset_nodes = b->n_dirty, .scratch = BUF_INIT,
		.ready_trust = &b->ready_trust,
	};
	int ret;

	paths_mkdirs(dir, 0755, NULL);
	ret = run_execute(&r, keep_logs, ret_record, ret_trace, e);
	*ret_phase = r.phase ? r.phase : "reset";
	run_ctx_release(&r);
	free(dir);
	return ret;
}

void engine_infra_event(struct bed *b, int run, int attempt_no, const char *scope,
			const char *what, const char *action)
{
	struct campaign *c = b->c;
	json_t *rec = json_pack("{s:s, s:i, s:i, s:i, s:s, s:s, s:s}", "type", "infra",
				"run", run, "attempt", attempt_no, "testbed", b->index + 1,
				"scope", scope, "error", what, "action", action);

	campaign_lock(c);
	journal_append(c->journal, rec, NULL);
	if (c->opt->on_infra)
		c->opt->on_infra(c->opt->ctx, run, what, action);
	campaign_unlock(c);
	json_decref(rec);
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

static int healthy(struct bed *b, int *bad, struct err *e)
{
	memset(bad, 0, sizeof(int) * (size_t)b->c->n_nodes);
	e->msg[0] = '\0';
	return b->h->ops->health(b->h, bad, e) == 0;
}

/* The node rungs for the nodes bad marks: revert them, then rebuild each
 * alone. 1 when the testbed is healthy after one of them. */
static int repair_nodes(struct bed *b, int run, int k, int *bad, struct err *he)
{
	struct campaign *c = b->c;
	const char **names = xcalloc((size_t)c->n_nodes + 1, sizeof(char *));
	struct err e = { "" };
	int n, ok = 0;
	char *list = bad_list(c, bad, names, &n), *what;

	what = xasprintf("health check failed on %s: %s", list, he->msg);
	engine_infra_event(b, run, k, "node", what, "revert node");
	free(what);
	if (b->h->ops->reset(b->h, names, n, NULL, &e) == 0 && healthy(b, bad, he))
		ok = 1;
	for (int i = 0; !ok && i < c->n_nodes; i++) {
		if (!bad[i])
			continue;
		what = xasprintf("'%s' still fails its health check: %s", c->names[i],
				 he->msg[0] ? he->msg : e.msg);
		engine_infra_event(b, run, k, "node", what, "rebuild node");
		free(what);
		e.msg[0] = '\0';
		if (b->h->ops->rebuild_node(b->h, i, &e) < 0) {
			what = xasprintf("cannot rebuild '%s': %s", c->names[i], e.msg);
			engine_infra_event(b, run, k, "node", what, "next rung");
			free(what);
			break;
		}
		ok = healthy(b, bad, he);
	}
	free(list);
	free(names);
	return ok;
}

/* The testbed's health after a failed attempt, repaired rung by rung.
 * 0: healthy (perhaps after repair); -1: quarantined, reason in e. */
static int health_and_repair(struct bed *b, int run, int k, struct err *e)
{
	int *bad = xcalloc((size_t)b->c->n_nodes + 1, sizeof(int));
	struct err he = { "" }, be = { "" };
	int ret = 0;

	if (healthy(b, bad, &he) || repair_nodes(b, run, k, bad, &he))
		goto out;
	engine_infra_event(b, run, k, "testbed", he.msg, "rebuild testbed");
	if (b->h->ops->rebuild(b->h, &be) == 0 && healthy(b, bad, &he))
		goto out;
	err_set(e, "testbed failed its health check after every repair: %s",
		be.msg[0] ? be.msg : he.msg);
	engine_infra_event(b, run, k, "testbed", e->msg, "quarantine");
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
static int testbed_phase_failed(struct bed *b, int run, int k, int *rebuilt,
				const char *msg, struct err *quarantine)
{
	struct campaign *c = b->c;
	struct err be = { "" };
	int *bad;

	if (k <= c->cfg->schedule.max_infra_retries * (*rebuilt + 1)) {
		engine_infra_event(b, run, k, "run", msg, "retry");
		return 0;
	}
	if (*rebuilt) {
		err_set(quarantine, "the testbed fails before any fault, even rebuilt: %s", msg);
		engine_infra_event(b, run, k, "testbed", quarantine->msg, "quarantine");
		return 1;
	}
	*rebuilt = 1;
	engine_infra_event(b, run, k, "testbed", msg, "rebuild testbed");
	bad = xcalloc((size_t)c->n_nodes + 1, sizeof(int));
	if (b->h->ops->rebuild(b->h, &be) < 0 || !healthy(b, bad, &be)) {
		err_set(quarantine, "testbed rebuild failed: %s", be.msg);
		engine_infra_event(b, run, k, "testbed", quarantine->msg, "quarantine");
		free(bad);
		return 1;
	}
	free(bad);
	return 0;
}

/* Attempt the run until it yields a record: retried on a healthy
 * testbed, set aside when doomed. 1: the testbed is quarantined. */
int engine_attempts(struct bed *b, struct plan *plan, const char *dir,
		    int keep_logs, json_t **ret_record, json_t **ret_trace,
		    struct err *quarantine)
{
	struct campaign *c = b->c;
	int max = c->cfg->schedule.max_infra_retries, rebuilt = 0;
	char last[1024] = "", key[1024];
	struct err re = { "" };
	const char *phase = NULL;

	for (int k = 1;; k++) {
		re.msg[0] = '\0';
		if (attempt(b, plan, dir, keep_logs, ret_record, ret_trace, &phase,
			    &re) == 0)
			return 0;
		b->first_run_done = 0;	/* the state is unknown: reset all */
		if (b->ready_trust > 0)	/* repairs may cut a new snapshot */
			b->ready_trust = 0;
		reason_key(re.msg, key, sizeof(key));
		if (health_and_repair(b, plan->run, k, quarantine) < 0) {
			engine_infra_event(b, plan->run, k, "run", re.msg, "stop: no healthy testbed");
			return 1;
		}
		if (!strcmp(phase, "reset") || !strcmp(phase, "ready")) {
			if (testbed_phase_failed(b, plan->run, k, &rebuilt, re.msg, quarantine))
				return 1;
			continue;
		}
		if (!strcmp(key, last) || k > max) {
			char *why = !strcmp(key, last)
				? xasprintf("failed the same way twice on a healthy testbed: %s", re.msg)
				: xasprintf("failed %d times on a healthy testbed, last: %s", k, re.msg);

			engine_infra_event(b, plan->run, k, "run", why, "set aside");
			*ret_record = set_aside_record(why, k);
			*ret_trace = NULL;
			free(why);
			return 0;
		}
		engine_infra_event(b, plan->run, k, "run", re.msg, "retry");
		snprintf(last, sizeof(last), "%s", key);
	}
}

