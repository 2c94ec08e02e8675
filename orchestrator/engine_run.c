/* engine_run.c - one run: reset, ready, workload, inject, observe, judge.
 *
 * The result is a run record (JSON) and, for a flaw, a trace; recording
 * them is the caller's (engine.c). Any failure of the harness itself
 * comes back as -1 with the phase named: an infra error, never a flaw.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "engine_priv.h"
#include "faults.h"
#include "nodevars.h"
#include "parallel.h"
#include "probes.h"
#include "ssh.h"
#include "template.h"

/* ---- timeline and template variables ---- */

void run_event(struct run_ctx *r, const char *event, json_t *fields)
{
	run_event_at(r, clock_mono_ms() - r->t0_ms, event, fields);
}

void run_event_at(struct run_ctx *r, int64_t t_ms, const char *event,
		  json_t *fields)
{
	json_t *ev = fields ? fields : json_object();
	char wall[32];

	clock_format_wall(clock_wall_ns() - (clock_mono_ms() - r->t0_ms - t_ms) * 1000000,
			  wall);
	json_object_set_new(ev, "t_ms", json_integer(t_ms));
	json_object_set_new(ev, "wall", json_string(wall));
	json_object_set_new(ev, "event", json_string(event));
	json_array_append_new(r->timeline, ev);
}

const char *run_lookup(void *arg, const char *name)
{
	struct run_ctx *r = arg;

	buf_reset(&r->scratch);
	if (!strcmp(name, "run.dir"))
		buf_adds(&r->scratch, r->run_dir);
	else if (!strcmp(name, "run.n"))
		buf_addf(&r->scratch, "%d", r->plan->run);
	else if (!strcmp(name, "seed"))
		buf_addf(&r->scratch, "%llu", (unsigned long long)r->plan->seed);
	else if (nodevars_lookup(r->tb, r->cur_node, name, &r->scratch) < 0)
		return NULL;
	return r->scratch.data;
}

/* ---- probes ---- */

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
			const struct testbed_node *n = testbed_node(r->tb, i);
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

/* READY: every probe passes once, within the ready deadline. */
static int wait_probes_ready(struct run_ctx *r, struct err *e)
{
	int timeout_s = r->cfg->testbed.ready_timeout_s ? r->cfg->testbed.ready_timeout_s : 30;
	int64_t deadline = deadline_in_ms((int64_t)timeout_s * 1000);
	char why[600] = "";

	while (!probes_check_all(r->cfg, r->targets, r->n_targets, why, sizeof(why))) {
		if (deadline_passed(deadline))
			return err_set(e, "not ready within %d s: %s", timeout_s, why);
		clock_sleep_ms(200);
	}
	return 0;
}

/* ---- workload ---- */

static int start_workload(struct run_ctx *r, struct err *e)
{
	const struct config_workload *w = &r->cfg->workload;
	struct buf cmd = BUF_INIT;
	char *log;
	int fd;

	if (!w->start)
		return 0;
	if (template_expand(w->start, run_lookup, r, 1, &cmd, e) < 0) {
		buf_release(&cmd);
		return err_prefix(e, "workload.start");
	}
	if (w->where == CONFIG_ON_NODE) {
		struct buf remote = BUF_INIT;
		int ret = 0;

		buf_adds(&remote, "mkdir -p /var/log/campaign && setsid sh -c ");
		shell_quote(&remote, cmd.data);
		buf_adds(&remote, " >/var/log/campaign/workload.log 2>&1 </dev/null &");
		for (int k = 0; k < w->node.n_names && !ret; k++) {
			const struct testbed_node *n = testbed_find(r->tb, w->node.names[k]);

			ret = run_remote(n, remote.data, 10000, NULL, e);
		}
		buf_release(&remote);
		buf_release(&cmd);
		return ret;
	}
	log = xasprintf("%s/workload.log", r->run_dir);
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	free(log);
	if (fd < 0) {
		buf_release(&cmd);
		return err_errno(e, errno, "cannot create the workload log");
	}
	r->workload_pid = fork();
	if (r->workload_pid == 0) {
		setsid();
		dup2(fd, 1);
		dup2(fd, 2);
		execl("/bin/sh", "sh", "-c", cmd.data, (char *)NULL);
		_exit(127);
	}
	close(fd);
	buf_release(&cmd);
	if (r->workload_pid < 0)
		return err_errno(e, errno, "cannot start the workload");
	return 0;
}

static int wait_exit(pid_t pid, int64_t ms, int *status)
{
	int64_t deadline = deadline_in_ms(ms);

	do {
		pid_t got = waitpid(pid, status, WNOHANG);

		if (got == pid || (got < 0 && errno == ECHILD))
			return 1;
		clock_sleep_ms(20);
	} while (!deadline_passed(deadline));
	return 0;
}

static void stop_workload(struct run_ctx *r)
{
	const struct config_workload *w = &r->cfg->workload;
	int64_t ms = (int64_t)(w->stop_timeout_s > 0 ? w->stop_timeout_s : 10) * 1000;
	int status = 0;

	if (w->stop) {
		struct buf cmd = BUF_INIT;

		if (template_expand(w->stop, run_lookup, r, 1, &cmd, NULL) == 0) {
			if (w->where == CONFIG_ON_NODE)
				for (int k = 0; k < w->node.n_names; k++)
					run_remote(testbed_find(r->tb, w->node.names[k]),
						   cmd.data, 10000, NULL, NULL);
			else
				system(cmd.data);
		}
		buf_release(&cmd);
	}
	if (r->workload_pid <= 0)
		return;
	if (!w->stop)
		kill(-r->workload_pid, SIGTERM);
	if (!wait_exit(r->workload_pid, ms, &status)) {
		kill(-r->workload_pid, SIGKILL);
		waitpid(r->workload_pid, &status, 0);
	}
	run_event(r, "workload-stop", json_pack("{s:i}", "status",
		WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)));
	r->workload_pid = 0;
}

/* ---- faults ---- */

/* workload.leader on one node: connect and answer within this. */
#define LEADER_TIMEOUT_MS 15000

int run_remote(const struct testbed_node *n, const char *cmd, int timeout_ms,
	       struct buf *out, struct err *e)
{
	struct ssh_conn *c = NULL;
	struct ssh_result res;
	int ret = -1;

	ssh_result_init(&res);
	if (ssh_connect(&n->ssh, timeout_ms, &c, e) < 0 ||
	    ssh_exec(c, cmd, NULL, 0, timeout_ms, &res, e) < 0)
		goto cleanup;
	if (res.status) {
		buf_rtrim(&res.errout);
		err_set(e, "'%s' on '%s' failed with exit status %d: %s", cmd,
			n->name, res.status, res.errout.data);
		goto cleanup;
	}
	if (out)
		buf_add(out, res.out.data, res.out.len);
	ret = 0;
cleanup:
	ssh_result_release(&res);
	ssh_close(c);
	return ret;
}

/* Asking every node at once whether it is the leader. */
struct leader_ask {
	struct run_ctx *r;
	char **cmds;		/* expanded per node; NULL: expansion failed */
	int *yes;
	struct err *errs;
};

static int ask_leader(void *arg, int i)
{
	struct leader_ask *a = arg;

	if (a->cmds[i])
		a->yes[i] = run_remote(testbed_node(a->r->tb, i), a->cmds[i],
				       LEADER_TIMEOUT_MS, NULL, &a->errs[i]) == 0;
	return 0;
}

/* "leader"/"primary": the node where workload.leader exits 0 at injection
 * time, asked on every node in parallel (the first in node order if
 * several claim it). Without that command, or when no node claims it (an
 * election under way), a seeded draw stands in and the record says so. */
static int resolve_target(struct run_ctx *r, struct plan_fault *pf,
			  struct run_fault *rf)
{
	const char *cmd_t = r->cfg->workload.leader;
	uint64_t s = pf->seed;
	json_t *tried = json_array();
	int found = -1, saved = r->cur_node;
	struct leader_ask a = { r, xcalloc((size_t)r->n_nodes, sizeof(char *)),
				xcalloc((size_t)r->n_nodes, sizeof(int)),
				xcalloc((size_t)r->n_nodes, sizeof(struct err)) };

	if (pf->node >= 0)
		goto out;
	for (int i = 0; cmd_t && i < r->n_nodes; i++) {
		struct buf cmd = BUF_INIT;

		r->cur_node = i;
		if (template_expand(cmd_t, run_lookup, r, 1, &cmd, &a.errs[i]) == 0)
			a.cmds[i] = xstrdup(cmd.data);
		buf_release(&cmd);
	}
	r->cur_node = saved;
	if (cmd_t)
		parallel_for(r->n_nodes, ask_leader, &a);
	for (int i = 0; cmd_t && i < r->n_nodes; i++) {
		if (a.yes[i] && found < 0)
			found = i;
		else
			json_array_append_new(tried, json_pack("{s:s, s:s}", "node",
				testbed_node(r->tb, i)->name, "answer",
				a.yes[i] ? "also claims it" : a.errs[i].msg));
	}
	pf->node = found >= 0 ? found : (int)plan_below(&s, (uint64_t)r->n_nodes);
	rf->target_how = xstrdup(found >= 0 ? "workload.leader"
		: cmd_t ? "no node claimed it: seeded draw" : "no workload.leader: seeded draw");
	run_event(r, "target", json_pack("{s:s, s:s, s:s, s:O}", "target", pf->target,
		  "node", testbed_node(r->tb, pf->node)->name, "how", rf->target_how,
		  "others", tried));
	if (found < 0)	/* the answers say why: keep them in the record too */
		rf->target_answers = json_incref(tried);
out:
	for (int i = 0; i < r->n_nodes; i++)
		free(a.cmds[i]);
	free(a.cmds);
	free(a.yes);
	free(a.errs);
	json_decref(tried);
	return pf->node;
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

static int apply_fault(struct run_ctx *r, int k, struct err *e)
{
	struct plan_fault *pf = &r->plan->faults[k];
	struct run_fault *rf = &r->faults[k];
	const struct fault_type *ft = faults_lookup(pf->type);
	struct fault_env env;

	if (!ft)
		return err_set(e, "unknown fault type '%s'", pf->type);
	resolve_target(r, pf, rf);
	env = (struct fault_env){ r->tb, testbed_node(r->tb, pf->node), pf };
	rf->type = ft;
	rf->of.type = pf->type;
	rf->of.node = pf->node;
	rf->of.start_ms = clock_mono_ms() - r->t0_ms;
	if (ft->apply(&env, &rf->applied, e) < 0)
		return err_prefix(e, "cannot inject '%s' on '%s'", pf->type,
				  env.node->name);
	if (!rf->applied.evidence)
		return err_set(e, "'%s' on '%s' gave no evidence that it took effect",
			       pf->type, env.node->name);
	rf->of.end_ms = rf->of.start_ms;
	fault_marker(r, "start", pf->type, env.node->name);
	/* continuous mode: a faulty node is restored from its snapshot at
	 * the fault's end and must rejoin the running cluster */
	if (r->cfg->mode == CONFIG_CONTINUOUS && !rf->applied.needs_boot)
		rf->applied.needs_reset = 1;
	rf->active = rf->applied.undo_token || rf->applied.needs_reset ||
		     rf->applied.needs_boot;
	if (!rf->active)	/* instantaneous: its window closes at once */
		fault_marker(r, "stop", pf->type, env.node->name);
	/* a crashed node stays down at least a second, so probes see it */
	rf->end_at_ms = rf->of.start_ms + (pf->duration_ms ? pf->duration_ms
		: rf->applied.needs_reset || rf->applied.needs_boot ? 1000 : 0);
	run_event_at(r, rf->of.start_ms, "inject", json_pack("{s:s, s:s, s:O}", "fault", pf->type,
		  "node", env.node->name, "evidence", rf->applied.evidence));
	return 0;
}

static int end_fault(struct run_ctx *r, int k, struct err *e)
{
	struct plan_fault *pf = &r->plan->faults[k];
	struct run_fault *rf = &r->faults[k];
	struct fault_env env = { r->tb, testbed_node(r->tb, pf->node), pf };
	json_t *ev = NULL;

	rf->active = 0;
	if (rf->applied.needs_reset) {
		struct reset_report rep;
		const char *names[] = { env.node->name };

		if (testbed_reset(r->tb, names, 1, NULL, e) < 0)
			return err_prefix(e, "cannot restore '%s' after '%s'",
					  env.node->name, pf->type);
		prober_drop_node(r->prober, pf->node);
		(void)rep;
		rf->of.restored = 1;
		ev = json_pack("{s:s}", "action", "restored from snapshot");
	} else if (rf->applied.needs_boot) {
		int64_t t = clock_mono_ms();

		prober_drop_node(r->prober, pf->node);
		if (testbed_boot_node(r->tb, env.node->name, e) < 0)
			return err_prefix(e, "cannot boot '%s' after '%s'",
					  env.node->name, pf->type);
		prober_drop_node(r->prober, pf->node);
		rf->of.restored = 1;
		rf->of.booted = 1;
		ev = json_pack("{s:s, s:I}", "action", "booted from its disk, then on_boot",
			       "boot_ms", (json_int_t)(clock_mono_ms() - t));
	} else if (rf->applied.undo_token && rf->type->revert &&
		   rf->type->revert(&env, &rf->applied, &ev, e) < 0) {
		return err_prefix(e, "cannot undo '%s' on '%s'", pf->type,
				  env.node->name);
	}
	rf->of.end_ms = clock_mono_ms() - r->t0_ms;
	fault_marker(r, "stop", pf->type, env.node->name);
	rf->undo_evidence = ev ? ev : json_object();
	run_event(r, "undo", json_pack("{s:s, s:s, s:O}", "fault", pf->type,
		  "node", env.node->name, "evidence", rf->undo_evidence));
	return 0;
}

/* INJECT and OBSERVE: apply each fault at its time, end each transient
 * one at its end, and watch until observe_s after the last end, or longer
 * when a recovery oracle's bound (within_s, boot_within_s) reaches further. */
static int inject_and_observe(struct run_ctx *r, struct err *e)
{
	int64_t base = clock_mono_ms() - r->t0_ms, observe_ms =
		(int64_t)(r->cfg->schedule.observe_s * 1000);
	int64_t watch_ms = oracles_watch_ms(r->cfg, 0),
		watch_boot_ms = oracles_watch_ms(r->cfg, 1);
	int next = 0;

	for (;;) {
		int64_t now = clock_mono_ms() - r->t0_ms, wake = INT64_MAX, last_end = base,
			watch_until = 0;
		int pending = 0;

		if (next < r->plan->n_faults &&
		    now >= base + r->plan->faults[next].inject_at_ms) {
			if (apply_fault(r, next++, e) < 0)
				return -1;
			continue;
		}
		for (int k = 0; k < next; k++) {
			struct run_fault *rf = &r->faults[k];

			if (rf->active && now >= rf->end_at_ms) {
				if (end_fault(r, k, e) < 0)
					return -1;
				now = clock_mono_ms() - r->t0_ms;
			}
			if (rf->active) {
				pending = 1;
				wake = wake < rf->end_at_ms ? wake : rf->end_at_ms;
			}
			if (rf->of.end_ms > last_end)
				last_end = rf->of.end_ms;
			/* watch as long as the recovery oracles will look */
			if (!rf->active && rf->type) {
				int64_t until = rf->of.end_ms + (rf->of.booted ? watch_boot_ms : watch_ms);

				if (until > watch_until)
					watch_until = until;
			}
		}
		if (next < r->plan->n_faults) {
			int64_t at = base + r->plan->faults[next].inject_at_ms;

			wake = wake < at ? wake : at;
		} else if (!pending) {
			int64_t until = last_end + observe_ms > watch_until
				? last_end + observe_ms : watch_until;

			if (now >= until)
				break;
			wake = until;
		}
		clock_sleep_ms(wake - now > 0 ? (wake - now < 100 ? wake - now : 100) : 1);
	}
	run_event(r, "observe-end", NULL);
	return 0;
}

/* ---- judge ---- */

static int alive_one(void *arg, int i)
{
	struct run_ctx *r = arg;
	struct err e = { "" };
	char *state = NULL;
	int ok;

	ok = testbed_domain_state(r->tb, r->names[i], &state, &e) == 0 &&
	     !strcmp(state, "running") &&
	     run_remote(testbed_node(r->tb, i), "true", 5000, NULL, &e) == 0;
	if (!ok && !e.msg[0])
		snprintf(e.msg, sizeof(e.msg), "domain is %s", state ? state : "unknown");
	free(state);
	r->alive[i] = ok;
	r->alive_detail[i] = ok ? NULL : xstrdup(e.msg);
	return 0;
}

static int effect_seen(const struct probe_sample *s, int n)
{
	for (int i = 0; i < n; i++)
		if (!s[i].ok)
			return 1;
	return 0;
}

/* Replace NUL bytes in every string of v by U+FFFD, in place, so that the
 * trace stays loadable by readers that refuse \u0000 (jansson's default). */
static void strip_nul(json_t *v)
{
	const char *key;
	json_t *item;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach(v, key, item)
			strip_nul(item);
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, item)
			strip_nul(item);
	} else if (json_is_string(v) && strlen(json_string_value(v)) != json_string_length(v)) {
		const char *s = json_string_value(v);
		struct buf b = BUF_INIT;

		for (i = 0; i < json_string_length(v); i++)
			if (s[i])
				buf_addch(&b, s[i]);
			else
				buf_adds(&b, "\xef\xbf\xbd");
		json_string_setn(v, b.data, b.len);
		buf_release(&b);
	}
}

static json_t *collect_logs(struct run_ctx *r)
{
	json_t *logs = json_object(), *req = json_object(), *paths = json_array();
	char *text;
	struct buf cmd = BUF_INIT;

	for (int i = 0; i < r->cfg->logs.n_paths; i++)
		json_array_append_new(paths, json_string(r->cfg->logs.paths[i]));
	json_object_set_new(req, "paths", paths);
	json_object_set_new(req, "max_bytes", json_integer(r->cfg->logs.max_bytes
		? r->cfg->logs.max_bytes : 65536));
	text = json_dumps(req, JSON_COMPACT);
	buf_adds(&cmd, "campaign-agent collect ");
	shell_quote(&cmd, text);
	for (int i = 0; i < r->n_nodes; i++) {
		struct buf out = BUF_INIT;
		struct err e = { "" };
		json_t *got = NULL;
		json_error_t jerr;

		if (!r->alive[i])
			snprintf(e.msg, sizeof(e.msg), "node down");
		else if (run_remote(testbed_node(r->tb, i), cmd.data, 15000, &out, &e) == 0 &&
			 /* a log cut by a power cut can end in NUL bytes (a
			  * file's size reached the disk before its data) */
			 !(got = json_loadb(out.data, out.len, JSON_ALLOW_NUL, &jerr)))
			snprintf(e.msg, sizeof(e.msg), "the agent's collect answer is not JSON "
				 "(%zu bytes): %s at line %d, column %d", out.len, jerr.text,
				 jerr.line, jerr.column);
		if (got)
			strip_nul(got);
		json_object_set_new(logs, r->names[i], got ? got
			: json_pack("{s:s}", "error", e.msg));
		buf_release(&out);
	}
	buf_release(&cmd);
	free(text);
	json_decref(req);
	return logs;
}

static json_t *faults_json(struct run_ctx *r)
{
	json_t *arr = json_array();

	for (int k = 0; k < r->plan->n_faults; k++) {
		struct run_fault *rf = &r->faults[k];
		struct plan_fault *pf = &r->plan->faults[k];

		if (!rf->type)
			continue;
		json_t *f = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:O, s:O*, s:b}",
			"type", pf->type, "side",
			rf->type->side == FAULT_AGENT ? "agent" : "hypervisor",
			"node", r->names[pf->node], "role", r->roles[pf->node],
			"start_ms", (json_int_t)rf->of.start_ms,
			"end_ms", (json_int_t)rf->of.end_ms,
			"evidence", rf->applied.evidence,
			"undo_evidence", rf->undo_evidence,
			"restored", rf->of.restored);

		if (rf->target_how)
			json_object_set_new(f, "target", json_pack("{s:s, s:s, s:O*}",
				"keyword", pf->target, "how", rf->target_how,
				"answers", rf->target_answers));
		json_array_append_new(arr, f);
	}
	return arr;
}

static int judge(struct run_ctx *r, json_t *record, struct err *e)
{
	struct oracle_fault *ofs = xcalloc((size_t)r->plan->n_faults + 1, sizeof(*ofs));
	struct oracle_verdict *v = xcalloc((size_t)r->cfg->n_oracles + 1, sizeof(*v));
	json_t *verdicts = json_array();
	const struct probe_sample *samples = NULL;
	int n_samples = 0, n_of = 0, first, ret = -1;
	enum outcome o;

	r->alive = xcalloc((size_t)r->n_nodes, sizeof(int));
	r->alive_detail = xcalloc((size_t)r->n_nodes, sizeof(char *));
	parallel_for(r->n_nodes, alive_one, r);
	for (int k = 0; k < r->plan->n_faults; k++)
		if (r->faults[k].type)
			ofs[n_of++] = r->faults[k].of;
	if (r->prober)
		samples = prober_samples(r->prober, &n_samples);
	struct oracle_input in = {
		r->cfg, r->n_nodes, r->names, r->roles, ofs, n_of, samples,
		n_samples, clock_mono_ms() - r->t0_ms, r->alive,
		(const char *const *)r->alive_detail, run_lookup, r };
	for (int i = 0; i < r->cfg->n_oracles; i++) {
		const struct config_oracle *co = &r->cfg->oracles[i];
		const struct oracle_type *ot = oracles_lookup(co->type);
		const char *cls = json_string_value(json_object_get(co->params, "class"));

		if (ot->judge(co->params, &in, &v[i], e) < 0) {
			err_prefix(e, "oracle '%s'", co->type);
			goto cleanup;
		}
		v[i].class_ = cls ? cls : ot->default_class;
		json_array_append_new(verdicts, json_pack("{s:s, s:s, s:s, s:s, s:O*}",
			"oracle", co->type,
			"verdict", v[i].verdict == VERDICT_PASS ? "pass"
				 : v[i].verdict == VERDICT_FAIL ? "fail" : "unknown",
			"class", v[i].class_, "reason", v[i].reason, "data", v[i].data));
		run_event(r, "verdict", json_pack("{s:s, s:s}", "oracle", co->type,
			"verdict", v[i].verdict == VERDICT_PASS ? "pass"
				 : v[i].verdict == VERDICT_FAIL ? "fail" : "unknown"));
	}
	o = engine_classify(v, r->cfg->n_oracles, effect_seen(samples, n_samples),
			    &first);
	json_object_set_new(record, "outcome", json_string(outcome_name(o)));
	if (first >= 0) {
		json_object_set_new(record, "class", json_string(v[first].class_));
		json_object_set_new(record, "failed_oracle",
				    json_string(r->cfg->oracles[first].type));
		json_object_set_new(record, "reason", json_string(v[first].reason));
	}
	json_object_set_new(record, "oracles", verdicts);
	verdicts = NULL;
	{
		json_t *alive = json_object();

		for (int i = 0; i < r->n_nodes; i++)
			json_object_set_new(alive, r->names[i], json_boolean(r->alive[i]));
		json_object_set_new(record, "alive", alive);
	}
	ret = 0;
cleanup:
	json_decref(verdicts);
	for (int i = 0; i < r->cfg->n_oracles; i++)
		json_decref(v[i].data);
	free(v);
	free(ofs);
	return ret;
}

/* ---- the run ---- */

static int by_t_ms(const void *a, const void *b)
{
	json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "t_ms"));
	json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "t_ms"));

	return x < y ? -1 : x > y;
}

/* Probe transitions join the timeline, which is then put in time order. */
static void add_transitions(struct run_ctx *r)
{
	const struct probe_transition *t;
	json_t **events, *sorted = json_array();
	size_t n;
	int nt;

	if (!r->prober)
		return;
	t = prober_transitions(r->prober, &nt);
	for (int i = 0; i < nt; i++)
		json_array_append_new(r->timeline, json_pack(
			"{s:I, s:s, s:s, s:s, s:b, s:s}", "t_ms", (json_int_t)t[i].t_ms,
			"event", "probe", "probe", r->cfg->probes[t[i].probe].name,
			"node", r->names[t[i].node], "ok", t[i].ok, "detail", t[i].detail));
	n = json_array_size(r->timeline);
	events = xcalloc(n + 1, sizeof(*events));
	for (size_t i = 0; i < n; i++)
		events[i] = json_array_get(r->timeline, i);
	qsort(events, n, sizeof(*events), by_t_ms);	/* stable enough: ties rare */
	for (size_t i = 0; i < n; i++)
		json_array_append(sorted, events[i]);
	free(events);
	json_decref(r->timeline);
	r->timeline = sorted;
}

static void phase_done(struct run_ctx *r, const char *phase, int64_t *mark)
{
	int64_t now = clock_mono_ms();

	json_object_set_new(r->phases, phase, json_integer(now - *mark));
	*mark = now;
}

static int do_reset(struct run_ctx *r, struct err *e)
{
	struct reset_report *rep = xcalloc((size_t)r->n_nodes, sizeof(*rep));
	int ret;

	if (!r->reset_all && !r->n_reset_nodes) {
		free(rep);
		return 0;
	}
	ret = testbed_reset(r->tb, r->reset_all ? NULL : r->reset_nodes,
			    r->reset_all ? 0 : r->n_reset_nodes, rep, e);
	for (int i = 0; ret == 0 && i < r->n_nodes; i++)
		if (rep[i].ready_ms)
			json_array_append_new(r->resets, json_pack(
				"{s:s, s:s, s:I, s:I}", "node", r->names[i],
				"path", reset_path_name(rep[i].path),
				"revert_ms", (json_int_t)rep[i].revert_ms,
				"ready_ms", (json_int_t)rep[i].ready_ms));
	free(rep);
	return ret;
}

int run_execute(struct run_ctx *r, int keep_logs_on_flaw, json_t **ret_record,
		json_t **ret_trace, struct err *e)
{
	json_t *record = json_object();
	int64_t mark;
	char wall[32];

	r->timeline = json_array();
	r->phases = json_object();
	r->resets = json_array();
	r->cur_node = -1;
	r->faults = xcalloc((size_t)r->plan->n_faults + 1, sizeof(*r->faults));
	r->t0_ms = mark = clock_mono_ms();
	clock_format_wall(clock_wall_ns(), wall);
	json_object_set_new(record, "started", json_string(wall));
	{	/* an empty faults.jsonl: a run without faults has no window */
		char *path = xasprintf("%s/faults.jsonl", r->run_dir);
		FILE *f = fopen(path, "we");

		if (f)
			fclose(f);
		free(path);
	}

	r->phase = "reset";
	if (do_reset(r, e) < 0)
		goto infra;
	run_event(r, "reset", json_pack("{s:O}", "nodes", r->resets));
	phase_done(r, "reset_ms", &mark);

	r->phase = "ready";
	if (build_targets(r, e) < 0 || wait_probes_ready(r, e) < 0)
		goto infra;
	run_event(r, "ready", NULL);
	phase_done(r, "ready_ms", &mark);

	r->phase = "workload";
	if (r->n_targets && prober_start(r->cfg, r->targets, r->n_targets, r->t0_ms,
					 &r->prober, e) < 0)
		goto infra;
	if (start_workload(r, e) < 0)
		goto infra;
	run_event(r, "workload-start", NULL);
	if (r->cfg->workload.warmup_s > 0)
		clock_sleep_ms((int64_t)(r->cfg->workload.warmup_s * 1000));
	phase_done(r, "warmup_ms", &mark);

	r->phase = "inject";
	if (inject_and_observe(r, e) < 0)
		goto infra;
	phase_done(r, "inject_observe_ms", &mark);

	r->phase = "judge";
	stop_workload(r);
	prober_stop(r->prober);
	if (judge(r, record, e) < 0)
		goto infra;
	phase_done(r, "judge_ms", &mark);

	clock_format_wall(clock_wall_ns(), wall);
	json_object_set_new(record, "ended", json_string(wall));
	json_object_set_new(record, "duration_ms", json_integer(clock_mono_ms() - r->t0_ms));
	json_object_set_new(record, "faults", faults_json(r));
	json_object_set_new(record, "phases", json_incref(r->phases));
	json_object_set_new(record, "resets", json_incref(r->resets));
	if (r->prober)
		json_object_set_new(record, "probes", prober_to_json(r->prober, 200,
			(const char *const *)r->names));
	add_transitions(r);
	*ret_trace = json_pack("{s:O}", "timeline", r->timeline);
	if (keep_logs_on_flaw &&
	    !strcmp(json_string_value(json_object_get(record, "outcome")), "flaw"))
		json_object_set_new(*ret_trace, "logs", collect_logs(r));
	phase_done(r, "collect_ms", &mark);
	*ret_record = record;
	return 0;
infra:
	err_prefix(e, "%s", r->phase);
	stop_workload(r);
	prober_stop(r->prober);
	json_decref(record);
	return -1;
}

void run_ctx_release(struct run_ctx *r)
{
	prober_free(r->prober);
	for (int i = 0; i < r->n_targets; i++)
		free(r->target_text[i]);
	free(r->target_text);
	free(r->targets);
	for (int k = 0; r->faults && k < r->plan->n_faults; k++) {
		fault_applied_release(&r->faults[k].applied);
		json_decref(r->faults[k].undo_evidence);
		free(r->faults[k].target_how);
		json_decref(r->faults[k].target_answers);
	}
	free(r->faults);
	for (int i = 0; r->alive_detail && i < r->n_nodes; i++)
		free(r->alive_detail[i]);
	free(r->alive_detail);
	free(r->alive);
	json_decref(r->timeline);
	json_decref(r->phases);
	json_decref(r->resets);
	buf_release(&r->scratch);
	memset(r, 0, sizeof(*r));
}
