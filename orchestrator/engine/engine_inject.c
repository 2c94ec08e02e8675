/* engine_inject.c - INJECT and OBSERVE: apply each fault at its time, end
 * each transient one at its end, watch until the window closes.
 *
 * The engine tracks what its own faults did to each node (running,
 * paused, down, booting, link down). A fault due on a node that another
 * fault of the run holds paused, down or booting waits until that fault
 * ends (deferred, with the reason): a guest-side fault cannot reach a
 * frozen guest, and a hypervisor fault on top would fight the other's
 * undo. A fault or undo that fails on a node another fault of the run
 * has disturbed is recorded as not applied (or not undone) with the
 * reason, and the node is restored before the next run: what the run
 * did to itself is the run's outcome. Only the harness failing on an
 * undisturbed node is an infra error. The undo of a fault on a node that
 * was since restored or power-cycled is done by that restore.
 *
 * Deferral was chosen over planning the overlaps away: plans stay a pure
 * function of (seed, run) drawn independently per fault, and "a second
 * fault right after the first ends" is itself a schedule worth running.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "run.h"
#include "parallel.h"
#include "template.h"

/* workload.leader on one node: connect and answer within this. */
#define LEADER_TIMEOUT_MS 15000

static const char *fault_label(struct run_ctx *r, int k, char *out, size_t size)
{
	snprintf(out, size, "fault %d (%s)", k + 1, r->plan->faults[k].type);
	return out;
}

/* Why node i cannot take a fault now ("n2 paused by fault 1 (vm-pause)"),
 * or NULL when it can. */
static char *node_unavailable(struct run_ctx *r, int i)
{
	const struct run_node *n = &r->nodes[i];
	char label[96];

	if (node_state_reachable(n->state))
		return NULL;
	if (n->held_by < 0)
		return xasprintf("%s is %s", r->names[i], node_state_name(n->state));
	return xasprintf("%s %s by %s", r->names[i], node_state_name(n->state),
			 fault_label(r, n->held_by, label, sizeof(label)));
}

/* Another fault of this run (not k) that was applied on node i, or -1. */
static int disturbed_by(struct run_ctx *r, int i, int k)
{
	for (int j = 0; j < r->plan->n_faults; j++)
		if (j != k && r->faults[j].fate == FATE_APPLIED &&
		    r->plan->faults[j].node == i)
			return j;
	return -1;
}

/* ---- leader and primary targets ---- */

struct leader_ask {
	struct run_ctx *r;
	char **cmds;		/* expanded per node; NULL: not asked */
	int *yes;
	struct err *errs;
};

static int ask_leader(void *arg, int i)
{
	struct leader_ask *a = arg;

	if (a->cmds[i])
		a->yes[i] = a->r->h->ops->exec(a->r->h, i, a->cmds[i],
					       LEADER_TIMEOUT_MS, NULL, &a->errs[i]) == 0;
	return 0;
}

static void leader_commands(struct run_ctx *r, const char *cmd_t,
			    struct leader_ask *a)
{
	int saved = r->cur_node;

	for (int i = 0; i < r->n_nodes; i++) {
		struct buf cmd = BUF_INIT;
		char *why = node_unavailable(r, i);

		if (why) {	/* a frozen node would only time out */
			snprintf(a->errs[i].msg, sizeof(a->errs[i].msg), "%s", why);
			free(why);
			continue;
		}
		r->cur_node = i;
		if (template_expand(cmd_t, run_lookup, r, 1, &cmd, &a->errs[i]) == 0)
			a->cmds[i] = xstrdup(cmd.data);
		buf_release(&cmd);
	}
	r->cur_node = saved;
}

/* "leader"/"primary": the node where workload.leader exits 0 at injection
 * time, asked on every reachable node in parallel (the first in node
 * order if several claim it). Without that command, or when no node
 * claims it (an election under way), a seeded draw stands in and the
 * record says so. */
static void resolve_target(struct run_ctx *r, struct plan_fault *pf,
			   struct run_fault *rf)
{
	const char *cmd_t = r->cfg->workload.leader;
	uint64_t s = pf->seed;
	json_t *tried = json_array();
	int found = -1;
	struct leader_ask a = { r, xcalloc((size_t)r->n_nodes, sizeof(char *)),
				xcalloc((size_t)r->n_nodes, sizeof(int)),
				xcalloc((size_t)r->n_nodes, sizeof(struct err)) };

	if (cmd_t) {
		leader_commands(r, cmd_t, &a);
		parallel_for(r->n_nodes, ask_leader, &a);
	}
	for (int i = 0; cmd_t && i < r->n_nodes; i++) {
		if (a.yes[i] && found < 0)
			found = i;
		else
			json_array_append_new(tried, json_pack("{s:s, s:s}", "node",
				r->names[i], "answer",
				a.yes[i] ? "also claims it" : a.errs[i].msg));
	}
	pf->node = found >= 0 ? found : (int)plan_below(&s, (uint64_t)r->n_nodes);
	if (found >= 0)	/* the role it had when it was hit, for the signature */
		pf->role = xstrdup(pf->target);
	rf->target_how = xstrdup(found >= 0 ? "workload.leader"
		: cmd_t ? "no node claimed it: seeded draw" : "no workload.leader: seeded draw");
	run_event(r, "target", json_pack("{s:s, s:s, s:s, s:O}", "target", pf->target,
		  "node", r->names[pf->node], "how", rf->target_how, "others", tried));
	if (found < 0)	/* the answers say why: keep them in the record too */
		rf->target_answers = json_incref(tried);
	for (int i = 0; i < r->n_nodes; i++)
		free(a.cmds[i]);
	free(a.cmds);
	free(a.yes);
	free(a.errs);
	json_decref(tried);
}

/* "@NAME": the node the fault binding NAME was injected on (resolved
 * when it was due, before this one: steps are in time order), and the
 * role it had then. */
static int resolve_bound(struct run_ctx *r, struct plan_fault *pf,
			 struct run_fault *rf, struct err *e)
{
	int b = plan_binder(r->plan, pf->target + 1);
	const struct plan_fault *bf = b >= 0 ? &r->plan->faults[b] : NULL;

	if (!bf || bf->node < 0)
		return err_set(e, "'%s' targets '%s', which no earlier fault of the "
			       "plan bound to a node", pf->type, pf->target);
	pf->node = bf->node;
	pf->role = xstrdup(bf->role ? bf->role : r->roles[bf->node]);
	rf->target_how = bf->step >= 0 ? xasprintf("bound by step %d (%s)", bf->step + 1,
						   bf->target)
				       : xasprintf("bound by '%s'", bf->target);
	run_event(r, "target", json_pack("{s:s, s:s, s:s}", "target", pf->target,
		  "node", r->names[pf->node], "how", rf->target_how));
	return 0;
}

/* Fault windows for history checkers: {run.dir}/faults.jsonl holds
 * {"type": "fault", "f": "start"|"stop", "value": "TYPE NODE", "time": ns}
 * on CLOCK_MONOTONIC, the clock the workload clients stamp their
 * histories with (`campaign check availability H --faults F`). */
static void fault_marker(struct run_ctx *r, const char *f, const char *type,
			 const char *node)
{
	char *path = xasprintf("%s/faults.jsonl", r->run_dir);
	char *value = xasprintf("%s %s", type, node);
	json_t *ev = json_pack("{s:s, s:s, s:s, s:I}", "type", "fault", "f", f,
			       "value", value, "time", (json_int_t)clock_mono_ns());
	char *line = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER);
	FILE *out = fopen(path, "ae");

	if (out) {
		fprintf(out, "%s\n", line);
		fclose(out);
	}
	free(line);
	json_decref(ev);
	free(value);
	free(path);
}

/* ---- apply ---- */

static void set_fate(struct run_ctx *r, int k, enum fault_fate fate, char *why,
		     const char *event)
{
	struct run_fault *rf = &r->faults[k];

	rf->fate = fate;
	free(rf->why);
	rf->why = why;
	run_event(r, event, json_pack("{s:s, s:s, s:s}", "fault", r->plan->faults[k].type,
		  "node", r->names[r->plan->faults[k].node], "why", why));
}

static void applied(struct run_ctx *r, int k)
{
	struct plan_fault *pf = &r->plan->faults[k];
	struct run_fault *rf = &r->faults[k];
	struct run_node *n = &r->nodes[pf->node];

	rf->fate = FATE_APPLIED;
	rf->node_epoch = n->epoch;
	if (rf->type->leaves != NODE_RUNNING) {
		n->state = rf->type->leaves;
		n->held_by = k;
	}
	rf->of.end_ms = rf->of.start_ms;
	fault_marker(r, "start", pf->type, r->names[pf->node]);
	/* continuous mode: a faulty node is restored from its snapshot at
	 * the fault's end and must rejoin the running cluster */
	if (r->cfg->mode == CONFIG_CONTINUOUS && !rf->applied.needs_boot)
		rf->applied.needs_reset = 1;
	rf->active = rf->applied.undo_token || rf->applied.needs_reset ||
		     rf->applied.needs_boot;
	if (!rf->active)	/* instantaneous: its window closes at once */
		fault_marker(r, "stop", pf->type, r->names[pf->node]);
	/* a crashed node stays down at least a second, so probes see it */
	rf->end_at_ms = rf->of.start_ms + (pf->duration_ms ? pf->duration_ms
		: rf->applied.needs_reset || rf->applied.needs_boot ? 1000 : 0);
	run_event_at(r, rf->of.start_ms, "inject", json_pack("{s:s, s:s, s:O}",
		     "fault", pf->type, "node", r->names[pf->node],
		     "evidence", rf->applied.evidence));
}

/* The harness could not apply fault k. On a node another fault of this
 * run disturbed, that is the run's business; else an infra error. */
static int apply_failed(struct run_ctx *r, int k, struct err *e)
{
	struct plan_fault *pf = &r->plan->faults[k];
	int other = disturbed_by(r, pf->node, k);
	char label[96];

	if (other < 0)
		return -1;
	r->nodes[pf->node].dirty = 1;
	set_fate(r, k, FATE_NOT_APPLIED, xasprintf("%s was disturbed by %s: %s",
		 r->names[pf->node], fault_label(r, other, label, sizeof(label)),
		 e->msg), "not-applied");
	e->msg[0] = '\0';
	return 0;
}

/* Fault k is due (or deferred and due again): apply it, defer it, or
 * record why it was not applied. -1 only for an infra error. */
static int apply_fault(struct run_ctx *r, int k, struct err *e)
{
	struct plan_fault *pf = &r->plan->faults[k];
	struct run_fault *rf = &r->faults[k];
	char *why;

	if (rf->fate == FATE_PLANNED) {
		rf->due_ms = run_now(r);
		rf->type = faults_lookup(pf->type);
		if (!rf->type)
			return err_set(e, "unknown fault type '%s'", pf->type);
		if (pf->node < 0 && pf->target[0] == '@' &&
		    resolve_bound(r, pf, rf, e) < 0)
			return -1;
		if (pf->node < 0)
			resolve_target(r, pf, rf);
	}
	why = node_unavailable(r, pf->node);
	if (why) {
		const struct run_node *n = &r->nodes[pf->node];

		if (n->held_by >= 0 && r->faults[n->held_by].active) {
			if (rf->fate != FATE_DEFERRED)
				set_fate(r, k, FATE_DEFERRED, why, "deferred");
			else
				free(why);
			return 0;
		}
		/* whatever held it is over and the node did not come back */
		set_fate(r, k, FATE_NOT_APPLIED, why, "not-applied");
		return 0;
	}
	rf->of.type = pf->type;
	rf->of.node = pf->node;
	rf->of.start_ms = run_now(r);
	if (r->h->ops->fault_apply(r->h, rf->type, pf->node, pf, &rf->applied, e) < 0) {
		err_prefix(e, "cannot inject '%s' on '%s'", pf->type, r->names[pf->node]);
		return apply_failed(r, k, e);
	}
	if (!rf->applied.evidence) {
		err_set(e, "'%s' on '%s' gave no evidence that it took effect",
			pf->type, r->names[pf->node]);
		return apply_failed(r, k, e);
	}
	applied(r, k);
	return 0;
}

/* ---- end ---- */

static void release_node(struct run_ctx *r, int k, int restored)
{
	struct run_node *n = &r->nodes[r->plan->faults[k].node];

	if (restored) {
		n->epoch++;
		n->state = NODE_RUNNING;
		n->held_by = -1;
		n->dirty = 0;
	} else if (n->held_by == k) {
		n->state = NODE_RUNNING;
		n->held_by = -1;
	}
}

static void ended(struct run_ctx *r, int k, json_t *ev)
{
	struct plan_fault *pf = &r->plan->faults[k];
	struct run_fault *rf = &r->faults[k];

	rf->active = 0;
	rf->of.end_ms = run_now(r);
	fault_marker(r, "stop", pf->type, r->names[pf->node]);
	rf->undo_evidence = ev ? ev : json_object();
	run_event(r, "undo", json_pack("{s:s, s:s, s:O}", "fault", pf->type,
		  "node", r->names[pf->node], "evidence", rf->undo_evidence));
}

static int restore_node(struct run_ctx *r, int k, struct err *e)
{
	struct plan_fault *pf = &r->plan->faults[k];
	const char *names[] = { r->names[pf->node] };

	if (r->h->ops->reset(r->h, names, 1, NULL, e) < 0)
		return err_prefix(e, "cannot restore '%s' after '%s'",
				  r->names[pf->node], pf->type);
	if (r->probing)
		r->h->ops->probes_drop_node(r->h, pf->node);
	r->faults[k].of.restored = 1;
	release_node(r, k, 1);
	ended(r, k, json_pack("{s:s}", "action", "restored from snapshot"));
	return 0;
}

/* A power-cycle that does not come back is the SUT's outcome (a flipped
 * bit may have broken its disk): the oracles see a dead node. A failing
 * on_boot step is the config's: an infra error. */
static int boot_node(struct run_ctx *r, int k, struct err *err)
{
	struct plan_fault *pf = &r->plan->faults[k];
	int64_t t = r->h->ops->now_ms(r->h);
	struct err e = { "" };
	json_t *ev;
	int ret;

	if (r->probing)
		r->h->ops->probes_drop_node(r->h, pf->node);
	ret = r->h->ops->boot_node(r->h, pf->node, &e);
	if (ret == TESTBED_ON_BOOT_FAILED) {
		*err = e;
		return err_prefix(err, "'%s' booted after '%s'", r->names[pf->node], pf->type);
	}
	if (ret < 0) {
		r->nodes[pf->node].dirty = 1;
		r->nodes[pf->node].state = NODE_DOWN;
		ev = json_pack("{s:s, s:s}", "action", "boot from its disk failed",
			       "error", e.msg);
	} else {
		r->faults[k].of.booted = 1;
		r->faults[k].of.restored = 1;
		release_node(r, k, 1);
		ev = json_pack("{s:s, s:I}", "action", "booted from its disk, then on_boot",
			       "boot_ms", (json_int_t)(r->h->ops->now_ms(r->h) - t));
	}
	if (r->probing)
		r->h->ops->probes_drop_node(r->h, pf->node);
	ended(r, k, ev);
	return 0;
}

static int revert_fault(struct run_ctx *r, int k, struct err *e)
{
	struct plan_fault *pf = &r->plan->faults[k];
	struct run_fault *rf = &r->faults[k];
	int other = disturbed_by(r, pf->node, k);
	json_t *ev = NULL;

	if (r->h->ops->fault_revert(r->h, rf->type, pf->node, pf, &rf->applied,
				    &ev, e) == 0) {
		release_node(r, k, 0);
		ended(r, k, ev);
		return 0;
	}
	json_decref(ev);
	err_prefix(e, "cannot undo '%s' on '%s'", pf->type, r->names[pf->node]);
	if (other < 0 || rf->type->side == FAULT_HYPERVISOR)
		return -1;
	r->nodes[pf->node].dirty = 1;	/* the next reset undoes it */
	release_node(r, k, 0);
	ended(r, k, json_pack("{s:s, s:s}", "action", "not undone: the node is "
		"restored before the next run", "error", e->msg));
	e->msg[0] = '\0';
	return 0;
}

/* Fault k's time is up. Its undo waits while another fault holds the
 * node frozen (the wait ends with that fault), and is done by any
 * restore or power-cycle of the node since k was applied. */
static int end_fault(struct run_ctx *r, int k, struct err *e)
{
	struct plan_fault *pf = &r->plan->faults[k];
	struct run_fault *rf = &r->faults[k];
	struct run_node *n = &r->nodes[pf->node];
	char label[96];

	if (n->epoch != rf->node_epoch) {
		ended(r, k, json_pack("{s:s}", "action", "undone by the node's "
			"restore or power-cycle since"));
		return 0;
	}
	if (!node_state_reachable(n->state) && n->held_by != k && n->held_by >= 0 &&
	    r->faults[n->held_by].active) {
		int64_t until = r->faults[n->held_by].end_at_ms;

		if (rf->end_at_ms < until) {
			rf->end_at_ms = until;
			run_event(r, "undo-deferred", json_pack("{s:s, s:s, s:s}",
				"fault", pf->type, "node", r->names[pf->node], "why",
				fault_label(r, n->held_by, label, sizeof(label))));
		}
		return 0;
	}
	if (rf->applied.needs_reset)
		return restore_node(r, k, e);
	if (rf->applied.needs_boot)
		return boot_node(r, k, e);
	if (rf->applied.undo_token && rf->type->revert)
		return revert_fault(r, k, e);
	release_node(r, k, 0);
	ended(r, k, NULL);
	return 0;
}

/* ---- the loop ---- */

struct observe {
	int64_t base, observe_ms, watch_ms, watch_boot_ms;
};

/* Apply what is due; 1 when something happened (look again at once). */
static int apply_due(struct run_ctx *r, const struct observe *ob, int64_t now,
		     struct err *e, int *ret_failed)
{
	for (int k = 0; k < r->plan->n_faults; k++) {
		struct run_fault *rf = &r->faults[k];
		enum fault_fate before = rf->fate;

		if (rf->fate == FATE_PLANNED &&
		    now < ob->base + r->plan->faults[k].inject_at_ms)
			continue;
		if (rf->fate != FATE_PLANNED && rf->fate != FATE_DEFERRED)
			continue;
		if (apply_fault(r, k, e) < 0) {
			*ret_failed = 1;
			return 1;
		}
		if (rf->fate != before)
			return 1;
	}
	return 0;
}

/* End what is due, and say until when the run must be watched. */
static int end_due(struct run_ctx *r, const struct observe *ob, int64_t *wake,
		   int64_t *until, int *pending, struct err *e)
{
	int64_t last_end = ob->base, watch_until = 0;

	for (int k = 0; k < r->plan->n_faults; k++) {
		struct run_fault *rf = &r->faults[k];

		if (rf->active && run_now(r) >= rf->end_at_ms && end_fault(r, k, e) < 0)
			return -1;
		if (rf->active || rf->fate == FATE_PLANNED || rf->fate == FATE_DEFERRED)
			*pending = 1;
		if (rf->active && rf->end_at_ms < *wake)
			*wake = rf->end_at_ms;
		if (rf->fate == FATE_PLANNED) {
			int64_t at = ob->base + r->plan->faults[k].inject_at_ms;

			if (at < *wake)
				*wake = at;
		}
		if (rf->fate != FATE_APPLIED)
			continue;
		if (rf->of.end_ms > last_end)
			last_end = rf->of.end_ms;
		if (!rf->active) {	/* watch as long as the recovery oracles look */
			int64_t w = rf->of.end_ms + (rf->of.booted ? ob->watch_boot_ms
							       : ob->watch_ms);

			if (w > watch_until)
				watch_until = w;
		}
	}
	*until = last_end + ob->observe_ms > watch_until ? last_end + ob->observe_ms
							 : watch_until;
	return 0;
}

int run_inject_and_observe(struct run_ctx *r, struct err *e)
{
	struct observe ob = {
		run_now(r), (int64_t)(r->cfg->schedule.observe_s * 1000),
		oracles_watch_ms(r->cfg, 0), oracles_watch_ms(r->cfg, 1),
	};

	for (;;) {
		int64_t now = run_now(r), wake = INT64_MAX, until = 0;
		int pending = 0, failed = 0;

		if (apply_due(r, &ob, now, e, &failed)) {
			if (failed)
				return -1;
			continue;
		}
		if (end_due(r, &ob, &wake, &until, &pending, e) < 0)
			return -1;
		now = run_now(r);
		if (!pending) {
			if (now >= until)
				break;
			wake = until;
		}
		r->h->ops->sleep_ms(r->h, wake - now > 0 ? (wake - now < 100 ? wake - now : 100) : 1);
	}
	run_event(r, "observe-end", NULL);
	return 0;
}

/* ---- the record's view ---- */

static const char *fate_name(enum fault_fate f)
{
	switch (f) {
	case FATE_PLANNED: return "planned";
	case FATE_DEFERRED: return "deferred";
	case FATE_APPLIED: return "applied";
	case FATE_NOT_APPLIED: return "not-applied";
	}
	return "?";
}

json_t *run_faults_json(struct run_ctx *r)
{
	json_t *arr = json_array();

	for (int k = 0; k < r->plan->n_faults; k++) {
		struct run_fault *rf = &r->faults[k];
		struct plan_fault *pf = &r->plan->faults[k];
		json_t *f;

		if (rf->fate == FATE_PLANNED || !rf->type)
			continue;
		f = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:i}", "type", pf->type,
			"side", rf->type->side == FAULT_AGENT ? "agent" : "hypervisor",
			"node", r->names[pf->node], "role", r->roles[pf->node],
			"target_role", pf->role ? pf->role : r->roles[pf->node],
			"fate", fate_name(rf->fate), "due_ms", (json_int_t)rf->due_ms,
			"plan_index", k);
		if (rf->why)
			json_object_set_new(f, "why", json_string(rf->why));
		if (rf->fate == FATE_APPLIED) {
			json_object_set_new(f, "start_ms", json_integer(rf->of.start_ms));
			json_object_set_new(f, "end_ms", json_integer(rf->of.end_ms));
			json_object_set(f, "evidence", rf->applied.evidence);
			if (rf->undo_evidence)
				json_object_set(f, "undo_evidence", rf->undo_evidence);
			json_object_set_new(f, "restored", json_boolean(rf->of.restored));
			if (rf->of.start_ms > rf->due_ms)
				json_object_set_new(f, "deferred_ms",
					json_integer(rf->of.start_ms - rf->due_ms));
		}
		if (rf->target_how)
			json_object_set_new(f, "target", json_pack("{s:s, s:s, s:O*}",
				"keyword", pf->target, "how", rf->target_how,
				"answers", rf->target_answers));
		json_array_append_new(arr, f);
	}
	return arr;
}
