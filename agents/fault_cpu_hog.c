/* fault_cpu_hog.c - busy worker processes for a while. */
#include "helper.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define PERIOD_NS 100000000LL	/* duty cycle of a worker */

static const struct param_spec params[] = {
	P_INT("workers", 0, 1024, "0", "busy processes; 0: one per online CPU"),
	P_INT("load_pct", 1, 100, "100", "busy share of each worker's time"),
	P_INT("nice", -20, 19, "0", "nice value of the workers"),
	P_NUM("duration_s", 0, 86400, "10", "how long; 0: until undone"),
	P_END
};

static int apply(struct fault_ctx *c, struct agent_err *e)
{
	long n = param_int(c->params, "workers", 0);

	(void)e;
	if (n == 0 && (n = sysconf(_SC_NPROCESSORS_ONLN)) < 1)
		n = 1;
	json_object_set_new(c->state, "workers", json_integer(n));
	return 0;
}

/* Busy until the helper kills it (or dies: PR_SET_PDEATHSIG). */
static void worker(pid_t helper, long load_pct, struct helper *h)
{
	helper_forget(h);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != helper)
		_exit(0);
	prctl(PR_SET_NAME, "campaign-cpuhog");
	signal(SIGTERM, SIG_DFL);
	for (;;) {
		int64_t start = agent_now_ns(CLOCK_MONOTONIC);

		while (agent_now_ns(CLOCK_MONOTONIC) - start < PERIOD_NS * load_pct / 100)
			;
		if (load_pct < 100)
			agent_sleep_ms((long)(PERIOD_NS * (100 - load_pct) / 100 / 1000000));
	}
}

static void end_workers(pid_t *pids, long n)
{
	for (long i = 0; i < n; i++)
		kill(pids[i], SIGKILL);
	for (long i = 0; i < n; i++)
		while (waitpid(pids[i], NULL, 0) < 0 && errno == EINTR)
			;
}

static int helper(struct fault_ctx *c, struct helper *h, struct agent_err *e)
{
	long n = (long)json_integer_value(json_object_get(c->state, "workers"));
	long load = (long)param_int(c->params, "load_pct", 100), started = 0;
	pid_t self = getpid(), *pids = calloc(n, sizeof(pid_t));
	json_t *list = json_array(), *ev;

	for (; pids && started < n; started++) {
		pid_t pid = fork();

		if (pid == 0) {
			setpriority(PRIO_PROCESS, 0, (int)param_int(c->params, "nice", 0));
			worker(self, load, h);
		}
		if (pid < 0)
			break;
		pids[started] = pid;
		json_array_append_new(list, json_integer(pid));
	}
	if (!pids || started < n) {
		int saved = errno;

		if (pids)
			end_workers(pids, started);
		free(pids);
		json_decref(list);
		return agent_err_errno(e, saved, "cannot start cpu-hog worker %ld", started);
	}
	ev = json_pack("{s:o, s:i, s:i}", "workers", list, "load_pct", (int)load,
		       "cpus_online", (int)sysconf(_SC_NPROCESSORS_ONLN));
	agent_stamp(ev);
	helper_ready(h, ev);
	json_decref(ev);
	helper_wait(h);
	end_workers(pids, n);
	free(pids);
	return 0;
}

static int undo(struct fault_ctx *c, struct agent_err *e)
{
	(void)e;
	json_object_set_new(c->evidence, "action", json_string("workers ended with the helper"));
	return 0;
}

const struct fault fault_cpu_hog = {
	.name = "cpu-hog",
	.summary = "keep CPUs busy with worker processes for duration_s",
	.undo_help = "ends the helper; its workers die with it (PR_SET_PDEATHSIG)",
	.params = params,
	.apply = apply,
	.undo = undo,
	.helper = helper,
};
