/* fake_harness.c - the scripted harness of the engine's unit tests. */
#include "fake_harness.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct fake *F(struct harness *h) { return (struct fake *)h; }

/* Every op starts here: count, log, and run the script's timed events. */
static void call(struct fake *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void call(struct fake *f, const char *fmt, ...)
{
	va_list ap;
	char line[512];

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* the engine asks nodes in parallel (judge, leader): one at a time
	 * through the log and the clock; per-node state is per thread */
	pthread_mutex_lock(&f->lock);
	f->calls++;
	buf_addf(&f->log, "%s\n", line);
	f->now += 5;	/* nothing is free */
	pthread_mutex_unlock(&f->lock);
	if (f->exit_at_call && f->calls == f->exit_at_call)
		_exit(99);
	if (f->stop_at_call && f->calls == f->stop_at_call && f->stop)
		*f->stop = 1;
	if (f->break_at_call && f->calls == f->break_at_call) {
		f->broken[f->break_node] = f->break_how;
		f->dom[f->break_node] = FAKE_OFF;
	}
}

static void went_down(struct fake *f, int node)
{
	if (f->n_down < 64)
		f->down[f->n_down++] = (typeof(f->down[0])){ node, f->now, INT64_MAX };
}

static void came_up(struct fake *f, int node)
{
	for (int i = 0; i < f->n_down; i++)
		if (f->down[i].node == node && f->down[i].to == INT64_MAX)
			f->down[i].to = f->now;
}

/* What SSH to a node says when it cannot get in. */
static int unreachable(struct fake *f, int node, struct err *e)
{
	const char *name = f->nodes[node].name;

	if (f->exec_fails[node] > 0) {
		f->exec_fails[node]--;
		return err_set(e, "ssh to '%s': connection reset by peer", name);
	}
	switch (f->dom[node]) {
	case FAKE_RUNNING:
		return f->broken[node] ? err_set(e, "ssh to '%s': connection refused", name) : 0;
	case FAKE_PAUSED:
		return err_set(e, "ssh to '%s': handshake timed out after 10000 ms", name);
	case FAKE_OFF:
		return err_set(e, "ssh to '%s': connection refused", name);
	case FAKE_BOOTING:
		return err_set(e, "ssh to '%s': connection reset during the banner", name);
	}
	return 0;
}

static int fake_reset(struct harness *h, const char *const *names, int n,
		      struct reset_report *rep, struct err *e)
{
	struct fake *f = F(h);
	struct buf list = BUF_INIT;
	int ret = 0;

	for (int i = 0; i < (names ? n : h->n_nodes); i++)
		buf_addf(&list, "%s%s", i ? "," : "", names ? names[i] : h->nodes[i].name);
	call(f, "reset %s", list.data);
	buf_release(&list);
	f->resets++;
	if (!names)	/* a run starts */
		f->n_applied_types = 0;
	for (int i = 0; i < h->n_nodes; i++) {
		int want = !names;

		for (int k = 0; names && k < n; k++)
			want |= !strcmp(names[k], h->nodes[i].name);
		if (!want)
			continue;
		if (f->reset_fails[i] > 0) {
			f->reset_fails[i]--;
			ret = err_set(e, "cannot revert '%s': monitor command 'loadvm golden' "
				      "failed", h->nodes[i].name);
			continue;
		}
		if (f->broken[i] >= FAKE_FIXED_BY_REBUILD_NODE) {
			ret = err_set(e, "no snapshot 'golden' on '%s': domain snapshot not "
				      "found", h->nodes[i].name);
			continue;
		}
		f->broken[i] = FAKE_OK;
		if (f->dom[i] != FAKE_RUNNING)
			came_up(f, i);
		f->dom[i] = FAKE_RUNNING;
		f->link_down[i] = 0;
		if (rep)
			rep[i] = (struct reset_report){ RESET_LOADVM, 300, 400 };
	}
	f->now += 400;
	return ret;
}

static int fake_boot_node(struct harness *h, int node, struct err *e)
{
	struct fake *f = F(h);

	call(f, "boot %s", h->nodes[node].name);
	f->boots++;
	f->now += 5000;
	if (f->broken[node] >= FAKE_FIXED_BY_REBUILD_NODE)
		return err_set(e, "'%s' booted from its disk: ssh not up within 120 s",
			       h->nodes[node].name);
	if (f->dom[node] != FAKE_RUNNING)
		came_up(f, node);
	f->dom[node] = FAKE_RUNNING;
	if (f->on_boot_fails > 0) {
		f->on_boot_fails--;
		err_set(e, "testbed.on_boot[0]: 'start-sut' on '%s' failed with exit "
			"status 127: sh: start-sut: not found", h->nodes[node].name);
		return TESTBED_ON_BOOT_FAILED;
	}
	return 0;
}

static int novel_applied(const struct fake *f)
{
	for (int i = 0; f->novel_same_node && i < f->n_applied_types; i++)
		for (int k = 0; k < i; k++)
			if (f->applied_nodes[k] == f->applied_nodes[i])
				return 1;
	for (int i = 0; !f->novel_same_node && i < f->n_applied_types; i++)
		if (!strcmp(f->applied_types[i], f->novel_fault) &&
		    (f->novel_node < 0 || f->applied_nodes[i] == f->novel_node))
			return 1;
	return 0;
}

/* The agent's collect reply: the scripted SUT log (novel_fault), else no
 * file. A new word is letters from a counter: masking keeps it. */
static void collect_answer(struct fake *f, int node, struct buf *out)
{
	json_t *reply;
	struct buf text = BUF_INIT;
	char *s;

	if (!f->novel_fault) {
		buf_adds(out, "{\"files\": {}}");
		return;
	}
	buf_addf(&text, "2026-12-06T18:%02d:%02d.%03dZ heartbeat %d from 10.0.0.%d ok\n",
		 (int)(f->now / 60000 % 60), (int)(f->now / 1000 % 60),
		 (int)(f->now % 1000), (int)f->calls, node + 1);
	buf_addf(&text, "member n%d term %ld applied index 0x%lx\n", node + 1,
		 f->calls, (unsigned long)f->calls * 4099);
	if (node == 0 && novel_applied(f)) {
		uint64_t k = f->novel_seed;

		f->novel_lines++;
		buf_adds(&text, "recovery took path ");
		for (int i = 0; i < 8; i++, k /= 26)
			buf_addch(&text, (char)('a' + k % 26));
		buf_addch(&text, '\n');
	}
	reply = json_pack("{s:b, s:[{s:s, s:s}]}", "ok", 1, "files", "path",
			  "/var/log/sut.log", "text", text.data);
	s = json_dumps(reply, JSON_COMPACT);
	buf_adds(out, s);
	free(s);
	json_decref(reply);
	buf_release(&text);
}

static int fake_exec(struct harness *h, int node, const char *cmd,
		     int timeout_ms, struct buf *out, struct err *e)
{
	struct fake *f = F(h);

	call(f, "exec %s %s", h->nodes[node].name, cmd);
	if (unreachable(f, node, e) < 0) {
		f->now += f->dom[node] == FAKE_PAUSED ? timeout_ms : 5;
		return -1;
	}
	if (strstr(cmd, "is-leader") && f->leader != node)
		return err_set(e, "'%s' on '%s' failed with exit status 1: ", cmd,
			       h->nodes[node].name);
	if (!strcmp(cmd, "true") && f->alive_fails[node] > 0) {
		f->alive_fails[node]--;
		return err_set(e, "ssh to '%s': connection refused", h->nodes[node].name);
	}
	if (out && strstr(cmd, "campaign-agent collect"))
		collect_answer(f, node, out);
	return 0;
}

/* Like `true` over SSH: a paused node costs the timeout, and
 * alive_fails answers "connection refused" the given number of times. */
static int fake_alive(struct harness *h, int node, int timeout_ms,
		      struct err *e)
{
	struct fake *f = F(h);

	call(f, "alive %s", h->nodes[node].name);
	if (unreachable(f, node, e) < 0) {
		f->now += f->dom[node] == FAKE_PAUSED ? timeout_ms : 5;
		return -1;
	}
	if (f->alive_fails[node] > 0) {
		f->alive_fails[node]--;
		return err_set(e, "ssh to '%s': connection refused", h->nodes[node].name);
	}
	return 0;
}

static int fake_domain_state(struct harness *h, int node, char **ret_state,
			     struct err *e)
{
	static const char *const names[] = { "running", "paused", "shut-off", "running" };
	struct fake *f = F(h);

	(void)e;
	call(f, "state %s", h->nodes[node].name);
	*ret_state = strdup(names[f->dom[node]]);
	return 0;
}

static const char *param(const struct plan_fault *pf, const char *name)
{
	return json_string_value(json_object_get(pf->params, name));
}

static int hv_apply(struct fake *f, const struct fault_type *ft, int node,
		    const struct plan_fault *pf, struct fault_applied *ret,
		    struct err *e)
{
	const char *name = f->nodes[node].name;
	const char *recover = param(pf, "recover");

	if (f->dom[node] == FAKE_OFF && strcmp(ft->name, "vm-crash"))
		return err_set(e, "cannot %s '%s': domain is not running", ft->name, name);
	if (!strcmp(ft->name, "vm-pause")) {
		if (f->dom[node] == FAKE_PAUSED)
			return err_set(e, "cannot suspend '%s': domain is already paused", name);
		f->dom[node] = FAKE_PAUSED;
		ret->undo_token = strdup("resume");
	} else if (!strcmp(ft->name, "link-down")) {
		f->link_down[node] = 1;
		ret->undo_token = strdup("on");
	} else {
		f->dom[node] = !strcmp(ft->name, "vm-reset") ? FAKE_BOOTING
			     : !strcmp(ft->name, "vm-crash") ? FAKE_OFF : f->dom[node];
		if (recover && !strcmp(recover, "boot"))
			ret->needs_boot = 1;
		else
			ret->needs_reset = 1;
	}
	if (f->dom[node] != FAKE_RUNNING)
		went_down(f, node);
	ret->evidence = json_pack("{s:s, s:s}", "action", ft->name, "node", name);
	return 0;
}

static int fake_fault_apply(struct harness *h, const struct fault_type *ft,
			    int node, const struct plan_fault *pf,
			    struct fault_applied *ret, struct err *e)
{
	struct fake *f = F(h);

	call(f, "apply %s %s", ft->name, h->nodes[node].name);
	f->applies++;
	if (f->leader_moves_at_apply && f->applies == f->leader_moves_at_apply)
		f->leader = f->leader_moves_to;	/* an election the fault caused */
	if (f->novel_fault && (f->novel_same_node || (!strcmp(ft->name, f->novel_fault) &&
	    (f->novel_node < 0 || f->novel_node == node))))
		f->novel_seed = pf->seed;
	if (f->n_applied_types < 16) {
		f->applied_nodes[f->n_applied_types] = node;
		snprintf(f->applied_types[f->n_applied_types++], 32, "%s", ft->name);
	}
	if (ft->side == FAULT_HYPERVISOR)
		return hv_apply(f, ft, node, pf, ret, e);
	if (unreachable(f, node, e) < 0)
		return -1;
	if (f->apply_fails > 0) {
		f->apply_fails--;
		return err_set(e, "%s", f->apply_fail_msg[0] ? f->apply_fail_msg
			       : "the agent says: no process matches 'counterd'");
	}
	if (f->apply_no_evidence > 0) {
		f->apply_no_evidence--;
		return 0;
	}
	ret->evidence = json_pack("{s:s, s:s}", "fault", ft->name, "node",
				  h->nodes[node].name);
	if (pf->duration_ms)
		ret->undo_token = strdup("token");
	return 0;
}

static int fake_fault_revert(struct harness *h, const struct fault_type *ft,
			     int node, const struct plan_fault *pf,
			     struct fault_applied *a, json_t **ret_evidence,
			     struct err *e)
{
	struct fake *f = F(h);

	(void)pf;
	(void)a;
	call(f, "revert %s %s", ft->name, h->nodes[node].name);
	f->reverts++;
	if (!strcmp(ft->name, "vm-pause")) {
		if (f->dom[node] != FAKE_PAUSED)
			return err_set(e, "cannot resume '%s': domain is not paused",
				       h->nodes[node].name);
		f->dom[node] = FAKE_RUNNING;
		came_up(f, node);
	} else if (!strcmp(ft->name, "link-down")) {
		f->link_down[node] = 0;
	} else if (unreachable(f, node, e) < 0) {
		return -1;
	}
	*ret_evidence = json_pack("{s:s}", "undone", ft->name);
	return 0;
}

static int fake_workload_start(struct harness *h, const char *cmd,
			       const char *log_path, struct err *e)
{
	struct fake *f = F(h);

	(void)log_path;
	(void)e;
	call(f, "workload-start %s", cmd);
	f->workload_running = !f->workload_exits_at_once;
	return 0;
}

static int fake_workload_stop(struct harness *h, const char *stop_cmd,
			      int64_t timeout_ms, int *ret_status)
{
	struct fake *f = F(h);

	(void)stop_cmd;
	(void)timeout_ms;
	call(f, "workload-stop");
	*ret_status = f->workload_running ? 143 : 0;
	f->workload_running = 0;
	return 0;
}

static int fake_probes_check(struct harness *h, const struct probe_target *t,
			     int n, char *why, size_t why_size)
{
	struct fake *f = F(h);

	(void)t;
	(void)n;
	call(f, "probes-check");
	f->probe_checks++;
	if (f->probes_check_fails > 0) {
		f->probes_check_fails--;
		snprintf(why, why_size, "probe on '%s': exit status 1", h->nodes[0].name);
		return 0;
	}
	for (int i = 0; i < h->n_nodes; i++)
		if (f->dom[i] != FAKE_RUNNING || f->broken[i]) {
			snprintf(why, why_size, "probe on '%s': connection refused",
				 h->nodes[i].name);
			return 0;
		}
	return 1;
}

static int fake_probes_start(struct harness *h, const struct probe_target *t,
			     int n, int64_t t0_ms, struct err *e)
{
	struct fake *f = F(h);

	(void)t;
	(void)n;
	(void)e;
	call(f, "probes-start");
	f->probes_running = 1;
	f->probe_t0 = t0_ms;
	f->n_down = 0;
	return 0;
}

static void fake_probes_drop_node(struct harness *h, int node)
{
	call(F(h), "probes-drop %s", h->nodes[node].name);
}

static int was_down(struct fake *f, int node, int64_t t)
{
	for (int i = 0; i < f->n_down; i++)
		if (f->down[i].node == node && t >= f->down[i].from && t < f->down[i].to)
			return 1;
	return 0;
}

static int was_applied(const struct fake *f, const char *type)
{
	for (int i = 0; i < f->n_applied_types; i++)
		if (!strcmp(f->applied_types[i], type))
			return 1;
	return 0;
}

/* The scripted flaw's verdict for the run that ends. */
static void write_verdict(struct fake *f)
{
	int all = 1, flaw;
	FILE *out;

	if (!f->flaw_needs[0] || !f->verdict_path)
		return;
	for (int i = 0; i < 4 && f->flaw_needs[i]; i++)
		all &= was_applied(f, f->flaw_needs[i]);
	flaw = all && (!f->flaw_every || f->flaw_qualified % f->flaw_every == 0);
	f->flaw_qualified += all;
	out = fopen(f->verdict_path, "w");
	if (out) {
		fputs(flaw ? "1\n" : "0\n", out);
		fclose(out);
	}
}

/* One sample per node every 500 virtual ms, failing while it was down. */
static void fake_probes_stop(struct harness *h)
{
	struct fake *f = F(h);
	int n = 0;

	call(f, "probes-stop");
	write_verdict(f);
	if (!f->probes_running)
		return;
	f->probes_running = 0;
	free(f->samples);
	f->samples = calloc((size_t)((f->now - f->probe_t0) / 500 + 2) *
			    (size_t)h->n_nodes, sizeof(*f->samples));
	for (int64_t t = f->probe_t0; t < f->now; t += 500)
		for (int i = 0; i < h->n_nodes; i++)
			f->samples[n++] = (struct probe_sample){
				t - f->probe_t0, 3, 0, (uint16_t)i, !was_down(f, i, t) &&
				!(f->early_fail_after_reset == f->resets &&
				  f->early_fail_node == i && t - f->probe_t0 < 300) };
	f->n_samples = n;
}

static const struct probe_sample *fake_probes_samples(struct harness *h, int *n)
{
	*n = F(h)->n_samples;
	return F(h)->samples;
}

static const struct probe_transition *fake_probes_transitions(struct harness *h,
							     int *n)
{
	(void)h;
	*n = 0;
	return NULL;
}

static json_t *fake_probes_json(struct harness *h, int max_samples)
{
	(void)max_samples;
	return json_pack("{s:i}", "samples", F(h)->n_samples);
}

static void fake_probes_free(struct harness *h)
{
	struct fake *f = F(h);

	free(f->samples);
	f->samples = NULL;
	f->n_samples = 0;
}

static int fake_health(struct harness *h, int *bad, struct err *e)
{
	struct fake *f = F(h);
	int failed = 0;

	call(f, "health");
	f->healths++;
	for (int i = 0; i < h->n_nodes; i++) {
		bad[i] = f->broken[i] != FAKE_OK;
		if (bad[i] && !failed++)
			err_set(e, "'%s' is %s: %s", h->nodes[i].name,
				f->dom[i] == FAKE_OFF ? "shut-off" : "running",
				f->broken[i] >= FAKE_FIXED_BY_REBUILD_NODE
					? "no snapshot 'golden'" : "its QEMU is gone");
	}
	return failed ? -1 : 0;
}

static int fake_rebuild(struct harness *h, struct err *e)
{
	struct fake *f = F(h);

	call(f, "rebuild");
	f->rebuilds++;
	f->now += 60000;
	if (f->rebuild_fails > 0) {
		f->rebuild_fails--;
		return err_set(e, "cannot define domain: out of memory");
	}
	for (int i = 0; i < h->n_nodes; i++) {
		if (f->broken[i] == FAKE_NEVER)
			return err_set(e, "'%s' booted but ssh never came up within 120 s",
				       h->nodes[i].name);
		f->broken[i] = FAKE_OK;
		f->dom[i] = FAKE_RUNNING;
	}
	return 0;
}

static int fake_rebuild_node(struct harness *h, int node, struct err *e)
{
	struct fake *f = F(h);

	call(f, "rebuild-node %s", h->nodes[node].name);
	f->rebuild_nodes++;
	f->now += 20000;
	if (f->rebuild_node_fails > 0) {
		f->rebuild_node_fails--;
		return err_set(e, "cannot start domain of '%s'", h->nodes[node].name);
	}
	if (f->broken[node] >= FAKE_FIXED_BY_REBUILD)
		return err_set(e, "'%s' booted but ssh never came up within 120 s",
			       h->nodes[node].name);
	f->broken[node] = FAKE_OK;
	f->dom[node] = FAKE_RUNNING;
	return 0;
}

static int64_t fake_now_ms(struct harness *h)
{
	return F(h)->now;
}

static void fake_sleep_ms(struct harness *h, int64_t ms)
{
	F(h)->now += ms > 0 ? ms : 0;
}

static const struct harness_ops fake_ops = {
	.reset = fake_reset,
	.boot_node = fake_boot_node,
	.exec = fake_exec,
	.alive = fake_alive,
	.domain_state = fake_domain_state,
	.fault_apply = fake_fault_apply,
	.fault_revert = fake_fault_revert,
	.workload_start = fake_workload_start,
	.workload_stop = fake_workload_stop,
	.probes_check = fake_probes_check,
	.probes_start = fake_probes_start,
	.probes_drop_node = fake_probes_drop_node,
	.probes_stop = fake_probes_stop,
	.probes_samples = fake_probes_samples,
	.probes_transitions = fake_probes_transitions,
	.probes_json = fake_probes_json,
	.probes_free = fake_probes_free,
	.health = fake_health,
	.rebuild = fake_rebuild,
	.rebuild_node = fake_rebuild_node,
	.now_ms = fake_now_ms,
	.sleep_ms = fake_sleep_ms,
};

void fake_init(struct fake *f, const struct config *cfg)
{
	memset(f, 0, sizeof(*f));
	pthread_mutex_init(&f->lock, NULL);
	f->h.ops = &fake_ops;
	f->h.cfg = cfg;
	f->h.n_nodes = cfg->testbed.n_nodes < FAKE_MAX_NODES ? cfg->testbed.n_nodes
							     : FAKE_MAX_NODES;
	f->h.nodes = f->nodes;
	f->h.image_hash = "fake";
	f->h.accel = "fake";
	f->leader = -1;
	f->now = 1000000;
	buf_init(&f->log);
	for (int i = 0; i < f->h.n_nodes; i++)
		f->nodes[i] = (struct testbed_node){
			.name = cfg->testbed.nodes[i].name,
			.role = cfg->testbed.nodes[i].role,
			.domain = cfg->testbed.nodes[i].name,
			.cluster_ip = "10.99.0.1", .ssh_port = 2200 + i,
		};
}

void fake_release(struct fake *f)
{
	pthread_mutex_destroy(&f->lock);
	buf_release(&f->log);
	free(f->samples);
	f->samples = NULL;
}

int fake_count(const struct fake *f, const char *prefix)
{
	size_t len = strlen(prefix);
	int n = 0;

	for (const char *p = f->log.data; p && *p;) {
		const char *nl = strchr(p, '\n');

		if (!strncmp(p, prefix, len))
			n++;
		p = nl ? nl + 1 : p + strlen(p);
	}
	return n;
}
