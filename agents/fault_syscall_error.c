/* fault_syscall_error.c - a named system call of a process fails with a
 * given errno, for a duration or a number of calls (see sysinj.h). */
#include "proc.h"
#include "state.h"
#include "sysinj.h"

#include <stdio.h>
#include <unistd.h>

static const struct param_spec params[] = {
	TARGET_PARAMS,
	P_STR("syscall", &fmt_syscall, 32, NULL, "the system call to fail", REQ),
	P_STR("errno", &fmt_errno, 16, "EIO", "what the call returns"),
	P_STR("path", &fmt_abspath, 4095, NULL, "fail only calls on files under "
	      "this path (calls taking a file descriptor or a path)"),
	P_INT("count", 0, 1000000000, "0", "fail this many calls, then end; 0: no limit"),
	P_NUM("probability_pct", 0.01, 100, "100", "fail a matching call this often"),
	P_INT("seed", 0, (1LL << 53), NULL, "seed of the probability draws"),
	P_NUM("duration_s", 0, 86400, "10", "end after this long; 0: until undone "
	      "or the count is reached"),
	P_END
};
static const char *const one_of[] = { TARGET_ONE_OF, NULL };

static int apply(struct fault_ctx *c, struct agent_err *e)
{
	struct proc_info p;
	int tracer;

	if (target_one(c->params, (uint64_t)param_int(c->params, "seed", 0), &p, e) < 0)
		return -1;
	if ((tracer = proc_tracer(p.pid)) > 0)
		return agent_err_set(e, "process %d is already traced by %d", (int)p.pid, tracer);
	json_object_set_new(c->state, "target", proc_json(&p));
	json_object_set_new(c->evidence, "process", proc_json(&p));
	return 0;
}

/* Fill an engine from params and the target of the state. */
void syscall_error_setup(struct fault_ctx *c, struct sysinj *s, char *stats, size_t size)
{
	unsigned long long start;

	proc_from_json(json_object_get(c->state, "target"), &s->pid, &start);
	s->err = fmt_errno_number(json_object_get(c->params, "errno"));
	s->count = param_int(c->params, "count", 0);
	s->probability_pct = param_num(c->params, "probability_pct", 100);
	s->seed = (uint64_t)param_int(c->params, "seed", 0);
	s->path = param_str(c->params, "path");
	sysinj_stats_path(c->id, stats, size);
	s->stats_path = stats;
}

static int helper(struct fault_ctx *c, struct helper *h, struct agent_err *e)
{
	struct sysinj s = { 0 };
	char stats[4200];
	const char *names[] = { param_str(c->params, "syscall"), NULL };

	syscall_error_setup(c, &s, stats, sizeof(stats));
	sysinj_mark(&s, names);
	return sysinj_run(&s, h, e);
}

/* The helper is gone by now (stopped, or ended by itself): report. */
int syscall_error_undo(struct fault_ctx *c, struct agent_err *e)
{
	char stats[4200];
	json_t *st;

	(void)e;
	sysinj_stats_path(c->id, stats, sizeof(stats));
	st = sysinj_stats(stats);
	json_object_set_new(c->evidence, "action", json_string("tracer detached"));
	if (st)
		json_object_set_new(c->evidence, "stats", st);
	return 0;
}

static int verify(struct fault_ctx *c, struct agent_err *e)
{
	json_t *hs = json_object_get(c->evidence, "helper");
	int want = (int)json_integer_value(json_object_get(hs, "pid"));
	int got = (int)json_integer_value(json_object_get(c->evidence, "pid"));
	int tracer = proc_tracer(got);
	char stats[4200];
	json_t *st = NULL;

	if (tracer == want)
		return 0;
	/* A fault that has run its course already (its count reached, the
	 * target gone) is no failed injection: its helper's stats say so.
	 * They are written just after the detach, hence the short wait. */
	sysinj_stats_path(c->id, stats, sizeof(stats));
	for (int i = 0; i < 50 && !(st = sysinj_stats(stats)); i++)
		agent_sleep_ms(10);
	if (st && json_integer_value(json_object_get(st, "failed_calls")) > 0) {
		char note[200];

		snprintf(note, sizeof(note), "the helper has ended already (%s) after %lld "
			 "failed calls", json_string_value(json_object_get(st, "ended")) ?: "?",
			 (long long)json_integer_value(json_object_get(st, "failed_calls")));
		json_object_set_new(c->evidence, "verify_note", json_string(note));
		json_decref(st);
		return 0;
	}
	json_decref(st);
	return agent_err_set(e, "process %d is traced by %d, not by the helper %d",
			     got, tracer, want);
}

const struct fault fault_syscall_error = {
	.name = "syscall-error",
	.summary = "make a system call of a process fail with an errno (ptrace "
		   "syscall-stop interception), for a duration or a count",
	.undo_help = "stops the tracing helper, which detaches; counts of failed "
		     "calls in the evidence",
	.params = params,
	.one_of = one_of,
	.apply = apply,
	.verify = verify,
	.undo = syscall_error_undo,
	.helper = helper,
};
