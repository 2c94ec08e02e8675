/* fault_process_kill.c - send a signal to one or every matching process. */
#include "fault.h"
#include "proc.h"

#include <signal.h>
#include <string.h>

static const struct param_spec params[] = {
	TARGET_PARAMS,
	P_STR("signal", &fmt_signal, 16, "KILL", "the signal to send"),
	P_BOOL("all", "false", "signal every matching process, not just one"),
	P_INT("seed", 0, (1LL << 53), NULL, "seed of a random pick (default: drawn "
	      "and reported)"),
	P_INT("verify_ms", 0, 60000, "2000", "how long verify waits for KILLed "
	      "processes to disappear"),
	P_END
};
static const char *const one_of[] = { TARGET_ONE_OF, NULL };

static int is_stop(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/* What the undo needs of each signalled process: pid and start time. */
static json_t *identities(json_t *sent)
{
	json_t *out = json_array(), *t;
	size_t i;

	json_array_foreach(sent, i, t)
		if (json_is_true(json_object_get(t, "sent")))
			json_array_append_new(out, json_pack("{s:O, s:O}", "pid",
					      json_object_get(t, "pid"), "starttime",
					      json_object_get(t, "starttime")));
	return out;
}

static int apply(struct fault_ctx *c, struct agent_err *e)
{
	int sig = fmt_signal_number(json_object_get(c->params, "signal"));
	json_t *targets, *sent;
	int n;

	if (target_resolve(c->params, param_bool(c->params, "all"),
			   (uint64_t)param_int(c->params, "seed", 0), &targets, e) < 0)
		return -1;
	n = proc_signal_all(targets, sig, &sent);
	json_decref(targets);
	if (n == 0) {
		json_t *first = json_array_get(sent, 0);

		agent_err_set(e, "cannot send signal %d to process %lld: %s", sig,
			      json_integer_value(json_object_get(first, "pid")),
			      json_string_value(json_object_get(first, "error")));
		json_decref(sent);
		return -1;
	}
	json_object_set_new(c->evidence, "signal", json_pack("{s:s?, s:i}", "name",
			    fmt_signal_name(sig), "number", sig));
	json_object_set_new(c->evidence, "targets", sent);
	json_object_set_new(c->state, "signal", json_integer(sig));
	json_object_set_new(c->state, "targets", identities(sent));
	c->done = !is_stop(sig);
	return 0;
}

/* KILL: every signalled process is gone. STOP and friends: stopped. */
static int verify(struct fault_ctx *c, struct agent_err *e)
{
	int sig = (int)json_integer_value(json_object_get(c->state, "signal"));
	long ms = (long)param_int(c->params, "verify_ms", 2000);
	json_t *t;
	size_t i;

	json_array_foreach(json_object_get(c->state, "targets"), i, t) {
		unsigned long long start;
		struct proc_info p;
		pid_t pid;

		if (proc_from_json(t, &pid, &start) < 0)
			continue;
		if (sig == SIGKILL && !proc_wait_gone(pid, start, ms))
			return agent_err_set(e, "process %d still exists %ld ms after KILL",
					     (int)pid, ms);
		if (is_stop(sig)) {
			agent_sleep_ms(20);
			if (proc_read(pid, &p) < 0 || (p.state != 'T' && p.state != 't'))
				return agent_err_set(e, "process %d is not stopped", (int)pid);
		}
	}
	return 0;
}

/* A signal cannot be taken back, except a stop: continue the process. */
static int undo(struct fault_ctx *c, struct agent_err *e)
{
	int sig = (int)json_integer_value(json_object_get(c->state, "signal"));
	json_t *sent;

	(void)e;
	if (!is_stop(sig)) {
		json_object_set_new(c->evidence, "action",
				    json_string("none: a delivered signal cannot be undone"));
		return 0;
	}
	proc_signal_all(json_object_get(c->state, "targets"), SIGCONT, &sent);
	json_object_set_new(c->evidence, "action", json_string("SIGCONT"));
	json_object_set_new(c->evidence, "targets", sent);
	return 0;
}

const struct fault fault_process_kill = {
	.name = "process-kill",
	.summary = "send a signal (KILL by default) to a process found by name, "
		   "pid, pidfile or cgroup; one (oldest, newest or seeded pick) or all",
	.undo_help = "none for terminating signals; SIGCONT after STOP, TSTP, TTIN "
		     "or TTOU",
	.params = params,
	.one_of = one_of,
	.apply = apply,
	.verify = verify,
	.undo = undo,
};
