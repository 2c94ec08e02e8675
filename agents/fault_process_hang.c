/* fault_process_hang.c - SIGSTOP processes for a while, then SIGCONT. */
#include "helper.h"
#include "proc.h"

#include <signal.h>

static const struct param_spec params[] = {
	TARGET_PARAMS,
	P_BOOL("all", "false", "stop every matching process, not just one"),
	P_INT("seed", 0, (1LL << 53), NULL, "seed of a random pick"),
	P_NUM("duration_s", 0, 86400, "10", "how long the processes stay stopped; "
	      "0: until undone"),
	P_END
};
static const char *const one_of[] = { TARGET_ONE_OF, NULL };

/* Find the targets; the helper stops them. */
static int apply(struct fault_ctx *c, struct agent_err *e)
{
	json_t *targets;

	if (target_resolve(c->params, param_bool(c->params, "all"),
			   (uint64_t)param_int(c->params, "seed", 0), &targets, e) < 0)
		return -1;
	json_object_set_new(c->state, "targets", targets);
	return 0;
}

static int helper(struct fault_ctx *c, struct helper *h, struct agent_err *e)
{
	json_t *sent, *ev;

	if (proc_signal_all(json_object_get(c->state, "targets"), SIGSTOP, &sent) == 0) {
		json_decref(sent);
		return agent_err_set(e, "no target process left to stop");
	}
	ev = json_pack("{s:{s:s, s:i}, s:o}", "signal", "name", "STOP", "number",
		       SIGSTOP, "targets", sent);
	helper_ready(h, ev);
	json_decref(ev);
	helper_wait(h);
	return 0;
}

static int verify(struct fault_ctx *c, struct agent_err *e)
{
	json_t *t;
	size_t i;

	agent_sleep_ms(20);
	json_array_foreach(json_object_get(c->evidence, "targets"), i, t) {
		unsigned long long start;
		struct proc_info p;
		pid_t pid;

		if (!json_is_true(json_object_get(t, "sent")) ||
		    proc_from_json(t, &pid, &start) < 0)
			continue;
		if (proc_read(pid, &p) < 0 || (p.state != 'T' && p.state != 't'))
			return agent_err_set(e, "process %d is not stopped", (int)pid);
	}
	return 0;
}

static int undo(struct fault_ctx *c, struct agent_err *e)
{
	json_t *sent;

	(void)e;
	proc_signal_all(json_object_get(c->state, "targets"), SIGCONT, &sent);
	json_object_set_new(c->evidence, "action", json_string("SIGCONT"));
	json_object_set_new(c->evidence, "targets", sent);
	return 0;
}

const struct fault fault_process_hang = {
	.name = "process-hang",
	.summary = "stop processes with SIGSTOP for duration_s, then SIGCONT them",
	.undo_help = "SIGCONT to the stopped processes (the helper does it at the "
		     "deadline)",
	.params = params,
	.one_of = one_of,
	.apply = apply,
	.verify = verify,
	.undo = undo,
	.helper = helper,
};
