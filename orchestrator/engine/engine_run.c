/* engine_run.c - one run: RESET, READY, WORKLOAD, then inject and observe
 * (engine_inject.c) and judge (engine_judge.c); the timeline and the
 * template variables every phase uses.
 *
 * The result is a run record (JSON) and, for a flaw, a trace; recording
 * them is the caller's (engine.c). A failure of the harness itself comes
 * back as -1 with the phase named: an infra error, never a flaw.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clock.h"
#include "run.h"
#include "nodevars.h"
#include "ssh.h"
#include "template.h"

/* ---- READY: probe targets, every probe passing once ---- */

static int covers(const struct config_select *sel, const char *node)
{
	if (!sel->n_names)
		return 1;
	for (int i = 0; i < sel->n_names; i++)
		if (!strcmp(sel->names[i], node))
			return 1;
	return 0;
}

static int build_targets(struct run_ctx *r, struct err *e)
{
	const struct config *cfg = r->cfg;

	r->targets = xcalloc((size_t)(cfg->n_probes * r->n_nodes + 1),
			     sizeof(*r->targets));
	r->target_text = xcalloc((size_t)(cfg->n_probes * r->n_nodes + 1),
				 sizeof(char *));
	for (int p = 0; p < cfg->n_probes; p++) {
		const struct config_probe *cp = &cfg->probes[p];

		for (int i = 0; i < r->n_nodes; i++) {
			const struct testbed_node *n = &r->h->nodes[i];
			struct buf text = BUF_INIT;

			if (!covers(&cp->nodes, n->name))
				continue;
			r->cur_node = i;
			if (template_expand(cp->target, run_lookup, r,
					    cp->kind == CONFIG_PROBE_SSH, &text, e) < 0) {
				buf_release(&text);
				r->cur_node = -1;
				return err_prefix(e, "probe '%s'", cp->name);
			}
			r->target_text[r->n_targets] = buf_detach(&text);
			r->targets[r->n_targets] = (struct probe_target){
				p, i, r->target_text[r->n_targets], &n->ssh };
			r->n_targets++;
		}
	}
	r->cur_node = -1;
	return 0;
}

static int wait_probes_ready(struct run_ctx *r, const struct probe_target *t,
			     int n, int *ret_first_try, struct err *e)
{
	const struct harness_ops *o = r->h->ops;
	int timeout_s = r->cfg->testbed.ready_timeout_s;
	int64_t deadline = o->now_ms(r->h) + (int64_t)timeout_s * 1000;
	char why[600] = "";

	*ret_first_try = 1;
	while (n && !o->probes_check(r->h, t, n, why, sizeof(why))) {
		*ret_first_try = 0;
		if (o->now_ms(r->h) >= deadline)
			return err_set(e, "not ready within %d s: %s", timeout_s, why);
		o->sleep_ms(r->h, 200);
	}
	return 0;
}

/* READY. A node restored from the golden snapshot comes back in the state
 * the snapshot caught it in: once a run of this testbed has seen every
 * restored node pass its probes at the first check (*ready_trust 1), the
 * restored nodes are ready by construction and only the others are
 * checked; the probes' own sampling starts at once and opens its SSH
 * sessions in the background. check_trusted_samples takes the trust back
 * when a trusted node's probe fails before any fault. */
static int ready(struct run_ctx *r, struct err *e)
{
	int trust = r->ready_trust && *r->ready_trust == 1, first_try, n = 0;
	int all_restored = 1;
	struct probe_target *check = xcalloc((size_t)r->n_targets + 1, sizeof(*check));
	json_t *trusted = json_array();

	for (int i = 0; i < r->n_nodes; i++) {
		all_restored &= r->restored[i];
		if (trust && r->restored[i])
			json_array_append_new(trusted, json_string(r->names[i]));
	}
	r->n_trusted = (int)json_array_size(trusted);
	for (int k = 0; k < r->n_targets; k++)
		if (!trust || !r->restored[r->targets[k].node])
			check[n++] = r->targets[k];
	if (wait_probes_ready(r, check, n, &first_try, e) < 0) {
		free(check);
		json_decref(trusted);
		return -1;
	}
	free(check);
	if (r->ready_trust && *r->ready_trust == 0 && all_restored && first_try &&
	    r->n_targets)
		*r->ready_trust = 1;	/* from the next run on */
	run_event(r, "ready", r->n_trusted ? json_pack("{s:o, s:i}", "trusted",
			trusted, "checked", n) : (json_decref(trusted), NULL));
	return 0;
}

/* What the prober said when probe p failed on node at t_ms. */
static const char *fail_detail(struct run_ctx *r, int p, int node, int64_t t_ms)
{
	const struct probe_transition *tr;
	int n;

	tr = r->h->ops->probes_transitions(r->h, &n);
	for (int i = 0; tr && i < n; i++)
		if (!tr[i].ok && tr[i].probe == p && tr[i].node == node &&
		    tr[i].t_ms == t_ms)
			return tr[i].detail;
	return "";
}

/* A trusted node whose probe failed before the run's first fault was
 * not ready after all: an infra event (the run is tried again), and READY
 * checks every node from now on. "Before" is a sample that had ended
 * when the first fault's injection began. */
static int check_trusted_samples(struct run_ctx *r, struct err *e)
{
	const struct probe_sample *s;
	int64_t first = INT64_MAX;
	int n;

	if (!r->n_trusted || !r->probing)
		return 0;
	for (int k = 0; k < r->plan->n_faults; k++)
		if (r->faults[k].fate == FATE_APPLIED && r->faults[k].of.start_ms < first)
			first = r->faults[k].of.start_ms;
	s = r->h->ops->probes_samples(r->h, &n);
	for (int i = 0; i < n; i++) {
		if (s[i].ok || !r->restored[s[i].node] ||
		    s[i].t_ms + s[i].latency_ms >= first)
			continue;
		*r->ready_trust = -1;
		return err_set(e, "probe '%s' failed on '%s' at %lld ms (%s), before "
			       "any fault, though the node was restored from its golden "
			       "snapshot and trusted to be ready: every node's probes "
			       "are checked before each run from now on",
			       r->cfg->probes[s[i].probe].name, r->names[s[i].node],
			       (long long)s[i].t_ms,
			       fail_detail(r, s[i].probe, s[i].node, s[i].t_ms));
	}
	return 0;
}

/* ---- WORKLOAD ---- */

static int workload_nodes_exec(struct run_ctx *r, const char *cmd, struct err *e)
{
	const struct config_workload *w = &r->cfg->workload;

	for (int k = 0; k < w->node.n_names; k++) {
		int i = harness_node_index(r->h, w->node.names[k]);

		if (i < 0)
			return err_set(e, "workload node '%s' is not in the testbed",
				       w->node.names[k]);
		if (r->h->ops->exec(r->h, i, cmd, 10000, NULL, e) < 0)
			return -1;
	}
	return 0;
}

static int start_workload(struct run_ctx *r, struct err *e)
{
	const struct config_workload *w = &r->cfg->workload;
	struct buf cmd = BUF_INIT;
	int ret;

	if (!w->start)
		return 0;
	if (template_expand(w->start, run_lookup, r, 1, &cmd, e) < 0) {
		buf_release(&cmd);
		return err_prefix(e, "workload.start");
	}
	if (w->where == CONFIG_ON_NODE) {
		struct buf remote = BUF_INIT;

		buf_adds(&remote, "mkdir -p /var/log/campaign && setsid sh -c ");
		shell_quote(&remote, cmd.data);
		buf_adds(&remote, " >/var/log/campaign/workload.log 2>&1 </dev/null &");
		ret = workload_nodes_exec(r, remote.data, e);
		buf_release(&remote);
	} else {
		char *log = xasprintf("%s/workload.log", r->run_dir);

		ret = r->h->ops->workload_start(r->h, cmd.data, log, e);
		r->workload_running = ret == 0;
		free(log);
	}
	buf_release(&cmd);
	return ret;
}

static void stop_workload(struct run_ctx *r)
{
	const struct config_workload *w = &r->cfg->workload;
	int64_t ms = (int64_t)(w->stop_timeout_s * 1000);
	struct buf cmd = BUF_INIT;
	const char *stop = NULL;
	int status = 0;

	if (w->stop && template_expand(w->stop, run_lookup, r, 1, &cmd, NULL) == 0)
		stop = cmd.data;
	if (stop && w->where == CONFIG_ON_NODE)
		workload_nodes_exec(r, stop, NULL);
	if (r->workload_running &&
	    r->h->ops->workload_stop(r->h, stop, ms, &status) == 0)
		run_event(r, "workload-stop", json_pack("{s:i}", "status", status));
	r->workload_running = 0;
	buf_release(&cmd);
}

/* ---- RESET ---- */

static int do_reset(struct run_ctx *r, struct err *e)
{
	struct reset_report *rep;
	int ret;

	if (!r->reset_all && !r->n_reset_nodes)
		return 0;
	rep = xcalloc((size_t)r->n_nodes, sizeof(*rep));
	ret = r->h->ops->reset(r->h, r->reset_all ? NULL : r->reset_nodes,
			       r->reset_all ? 0 : r->n_reset_nodes, rep, e);
	for (int i = 0; ret == 0 && i < r->n_nodes; i++)
		if (rep[i].ready_ms) {
			json_array_append_new(r->resets, reset_report_json(
				&rep[i], r->names[i]));
			r->restored[i] = 1;
		}
	free(rep);
	return ret;
}

/* ---- the run ---- */

static int by_t_ms(const void *a, const void *b)
{
	const json_t *const *x = a, *const *y = b;
	json_int_t tx = json_integer_value(json_object_get(*x, "t_ms"));
	json_int_t ty = json_integer_value(json_object_get(*y, "t_ms"));

	if (tx != ty)
		return tx < ty ? -1 : 1;
	return x < y ? -1 : x > y;	/* stable: the array's order */
}

/* Probe transitions join the timeline, which is then put in time order. */
static void add_transitions(struct run_ctx *r)
{
	const struct probe_transition *t;
	json_t **events, *sorted = json_array();
	size_t n;
	int nt = 0;

	if (!r->probing)
		return;
	t = r->h->ops->probes_transitions(r->h, &nt);
	for (int i = 0; i < nt; i++)
		json_array_append_new(r->timeline, json_pack(
			"{s:I, s:s, s:s, s:s, s:b, s:s}", "t_ms", (json_int_t)t[i].t_ms,
			"event", "probe", "probe", r->cfg->probes[t[i].probe].name,
			"node", r->names[t[i].node], "ok", t[i].ok,
			"detail", t[i].detail ? t[i].detail : ""));
	n = json_array_size(r->timeline);
	events = xcalloc(n + 1, sizeof(*events));
	for (size_t i = 0; i < n; i++)
		events[i] = json_array_get(r->timeline, i);
	qsort(events, n, sizeof(*events), by_t_ms);
	for (size_t i = 0; i < n; i++)
		json_array_append(sorted, events[i]);
	free(events);
	json_decref(r->timeline);
	r->timeline = sorted;
}

static void phase_done(struct run_ctx *r, const char *phase, int64_t *mark)
{
	int64_t now = r->h->ops->now_ms(r->h);

	json_object_set_new(r->phases, phase, json_integer(now - *mark));
	*mark = now;
}

/* An empty faults.jsonl: a run without faults has no fault window. */
static void faults_file_create(struct run_ctx *r)
{
	char *path = xasprintf("%s/faults.jsonl", r->run_dir);
	FILE *f = fopen(path, "we");

	if (f)
		fclose(f);
	free(path);
}

static void run_init(struct run_ctx *r)
{
	r->timeline = json_array();
	r->phases = json_object();
	r->resets = json_array();
	r->cur_node = -1;
	r->faults = xcalloc((size_t)r->plan->n_faults + 1, sizeof(*r->faults));
	r->nodes = xcalloc((size_t)r->n_nodes + 1, sizeof(*r->nodes));
	r->restored = xcalloc((size_t)r->n_nodes + 1, sizeof(int));
	for (int i = 0; i < r->n_nodes; i++)
		r->nodes[i].held_by = -1;
	r->t0_ms = r->h->ops->now_ms(r->h);
}

static void stop_observing(struct run_ctx *r)
{
	stop_workload(r);
	if (r->probing)
		r->h->ops->probes_stop(r->h);
}

static void finish_record(struct run_ctx *r, json_t *record)
{
	char wall[32];

	clock_format_wall(clock_wall_ns(), wall);
	json_object_set_new(record, "ended", json_string(wall));
	json_object_set_new(record, "duration_ms", json_integer(run_now(r)));
	json_object_set_new(record, "faults", run_faults_json(r));
	json_object_set_new(record, "phases", json_incref(r->phases));
	json_object_set_new(record, "resets", json_incref(r->resets));
	if (r->probing) {
		json_t *p = r->h->ops->probes_json(r->h, 200);

		if (p)
			json_object_set_new(record, "probes", p);
	}
}

int run_execute(struct run_ctx *r, int keep_logs_on_flaw, json_t **ret_record,
		json_t **ret_trace, struct err *e)
{
	const struct harness_ops *o = r->h->ops;
	json_t *record = json_object();
	int64_t mark;
	char wall[32];

	run_init(r);
	mark = r->t0_ms;
	clock_format_wall(clock_wall_ns(), wall);
	json_object_set_new(record, "started", json_string(wall));
	faults_file_create(r);

	r->phase = "reset";
	if (do_reset(r, e) < 0)
		goto infra;
	run_event(r, "reset", json_pack("{s:O}", "nodes", r->resets));
	phase_done(r, "reset_ms", &mark);

	r->phase = "ready";
	if (build_targets(r, e) < 0 || ready(r, e) < 0)
		goto infra;
	phase_done(r, "ready_ms", &mark);

	r->phase = "workload";
	if (r->n_targets) {
		if (o->probes_start(r->h, r->targets, r->n_targets, r->t0_ms, e) < 0)
			goto infra;
		r->probing = 1;
	}
	if (start_workload(r, e) < 0)
		goto infra;
	run_event(r, "workload-start", NULL);
	if (r->cfg->workload.warmup_s > 0)
		o->sleep_ms(r->h, (int64_t)(r->cfg->workload.warmup_s * 1000));
	phase_done(r, "warmup_ms", &mark);

	r->phase = "inject";
	if (run_inject_and_observe(r, e) < 0)
		goto infra;
	phase_done(r, "inject_observe_ms", &mark);

	r->phase = "judge";
	stop_observing(r);
	if (check_trusted_samples(r, e) < 0)
		goto infra;
	if (run_judge(r, record, e) < 0)
		goto infra;
	phase_done(r, "judge_ms", &mark);

	finish_record(r, record);
	if (keep_logs_on_flaw && r->cfg->schedule.explore == CONFIG_EXPLORE_GUIDED)
		run_feedback(r, record);
	add_transitions(r);
	*ret_trace = json_pack("{s:O}", "timeline", r->timeline);
	if (keep_logs_on_flaw &&
	    !strcmp(json_string_value(json_object_get(record, "outcome")), "flaw"))
		json_object_set_new(*ret_trace, "logs", run_collect_logs(r));
	phase_done(r, "collect_ms", &mark);
	*ret_record = record;
	return 0;
infra:
	err_prefix(e, "%s", r->phase);
	stop_observing(r);
	json_decref(record);
	return -1;
}
