/* proc.c - /proc readers, process targets and ptrace stops. */
#include "fault.h"
#include "proc.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#define PF_KTHREAD 0x00200000

const char *const target_picks[] = { "oldest", "newest", "random", NULL };

int proc_read(pid_t pid, struct proc_info *ret)
{
	char path[64], buf[1024], *open_paren, *close_paren, *save = NULL, *tok;
	int field = 3;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (agent_read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	open_paren = strchr(buf, '(');
	close_paren = strrchr(buf, ')');
	if (!open_paren || !close_paren || close_paren < open_paren)
		return -1;
	memset(ret, 0, sizeof(*ret));
	ret->pid = pid;
	snprintf(ret->comm, sizeof(ret->comm), "%.*s",
		 (int)(close_paren - open_paren - 1), open_paren + 1);
	for (tok = strtok_r(close_paren + 1, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save), field++) {
		if (field == 3)
			ret->state = tok[0];
		else if (field == 4)
			ret->ppid = atoi(tok);
		else if (field == 9)
			ret->flags = strtoul(tok, NULL, 10);
		else if (field == 22) {
			ret->starttime = strtoull(tok, NULL, 10);
			return 0;
		}
	}
	return -1;
}

int proc_alive(pid_t pid, unsigned long long starttime)
{
	struct proc_info p;

	return proc_read(pid, &p) == 0 && p.state != 'Z' && p.state != 'X' &&
	       p.starttime == starttime;
}

void proc_argv0(pid_t pid, char *buf, size_t size)
{
	char path[64], cmd[4096];
	const char *base;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	if (agent_read_file(path, cmd, sizeof(cmd)) <= 0) {
		buf[0] = '\0';
		return;
	}
	base = strrchr(cmd, '/');
	snprintf(buf, size, "%s", base ? base + 1 : cmd);
}

json_t *proc_json(const struct proc_info *p)
{
	char argv0[256];

	proc_argv0(p->pid, argv0, sizeof(argv0));
	return json_pack("{s:i, s:s, s:s, s:I}", "pid", (int)p->pid, "comm", p->comm,
			 "argv0", argv0, "starttime", (json_int_t)p->starttime);
}

int proc_from_json(json_t *t, pid_t *ret_pid, unsigned long long *ret_start)
{
	json_t *pid = json_object_get(t, "pid"), *start = json_object_get(t, "starttime");

	if (!json_is_integer(pid) || !json_is_integer(start) ||
	    json_integer_value(pid) < 1 || json_integer_value(pid) > 4194304 ||
	    json_integer_value(start) < 0)
		return -1;
	*ret_pid = (pid_t)json_integer_value(pid);
	*ret_start = (unsigned long long)json_integer_value(start);
	return 0;
}

int proc_wait_gone(pid_t pid, unsigned long long starttime, long timeout_ms)
{
	int64_t end = agent_now_ns(CLOCK_MONOTONIC) + (int64_t)timeout_ms * 1000000;

	for (;;) {
		if (!proc_alive(pid, starttime))
			return 1;
		if (agent_now_ns(CLOCK_MONOTONIC) >= end)
			return 0;
		agent_sleep_ms(5);
	}
}

int proc_tracer(pid_t pid)
{
	char path[64], buf[4096], *p;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (agent_read_file(path, buf, sizeof(buf)) <= 0 ||
	    !(p = strstr(buf, "\nTracerPid:")))
		return -1;
	return atoi(p + strlen("\nTracerPid:"));
}

/* Is pid the agent or one of its ancestors (its ssh session, shell)? */
static int is_own_lineage(pid_t pid)
{
	struct proc_info p;
	pid_t cur = getpid();

	for (int depth = 0; cur > 0 && depth < 64; depth++) {
		if (cur == pid)
			return 1;
		if (proc_read(cur, &p) < 0)
			break;
		cur = p.ppid;
	}
	return 0;
}

static int candidate(pid_t pid, int explicit_pid, struct proc_info *ret)
{
	if (proc_read(pid, ret) < 0 || ret->state == 'Z' || ret->state == 'X')
		return 0;
	if ((ret->flags & PF_KTHREAD) || is_own_lineage(pid))
		return 0;
	return explicit_pid || pid != 1;
}

static int name_matches(const struct proc_info *p, const char *name)
{
	char argv0[256];

	if (!strcmp(p->comm, name))
		return 1;
	proc_argv0(p->pid, argv0, sizeof(argv0));
	return !strcmp(argv0, name);
}

static void add(json_t *list, const struct proc_info *p)
{
	json_array_append_new(list, proc_json(p));
}

static int by_name(const char *name, json_t *list, struct agent_err *e)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	struct proc_info p;

	if (!d)
		return agent_err_errno(e, errno, "cannot read '/proc'");
	while ((de = readdir(d))) {
		pid_t pid = atoi(de->d_name);

		if (pid > 0 && candidate(pid, 0, &p) && name_matches(&p, name))
			add(list, &p);
	}
	closedir(d);
	return 0;
}

static int by_pid(pid_t pid, json_t *list, struct agent_err *e)
{
	struct proc_info p;

	if (is_own_lineage(pid))
		return agent_err_set(e, "process %d is the agent or its ancestor", (int)pid);
	if (candidate(pid, 1, &p))
		add(list, &p);
	return 0;
}

static int by_pidfile(const char *path, json_t *list, struct agent_err *e)
{
	char buf[64], *end;
	long pid;

	if (agent_read_file(path, buf, sizeof(buf)) < 0)
		return agent_err_errno(e, errno, "cannot read pidfile '%s'", path);
	pid = strtol(buf, &end, 10);
	if (end == buf || pid < 1 || pid > 4194304 || (*end && !strchr(" \t\r\n", *end)))
		return agent_err_set(e, "pidfile '%s' holds no process id", path);
	return by_pid((pid_t)pid, list, e);
}

static int by_cgroup(const char *cg, json_t *list, struct agent_err *e)
{
	char path[4200], buf[65536], *save = NULL, *tok;
	struct proc_info p;

	snprintf(path, sizeof(path), "%s%s/cgroup.procs",
		 cg[0] == '/' ? "" : "/sys/fs/cgroup/", cg);
	if (agent_read_file(path, buf, sizeof(buf)) < 0)
		return agent_err_errno(e, errno, "cannot read '%s'", path);
	for (tok = strtok_r(buf, "\n", &save); tok; tok = strtok_r(NULL, "\n", &save)) {
		pid_t pid = atoi(tok);

		if (pid > 0 && candidate(pid, 0, &p))
			add(list, &p);
	}
	return 0;
}

static long long start_of(json_t *t)
{
	return json_integer_value(json_object_get(t, "starttime"));
}

static long long pid_of(json_t *t)
{
	return json_integer_value(json_object_get(t, "pid"));
}

/* The index of the pick among list's processes. */
static size_t pick_index(json_t *list, const char *pick, uint64_t seed)
{
	size_t best = 0, i;
	json_t *t, *b;

	if (!strcmp(pick, "random")) {
		struct agent_rng r;

		agent_rng_init(&r, seed);
		return agent_rng_below(&r, json_array_size(list));
	}
	json_array_foreach(list, i, t) {
		int newest = !strcmp(pick, "newest");

		b = json_array_get(list, best);
		if (start_of(t) != start_of(b) ?
		    (newest ? start_of(t) > start_of(b) : start_of(t) < start_of(b)) :
		    (newest ? pid_of(t) > pid_of(b) : pid_of(t) < pid_of(b)))
			best = i;
	}
	return best;
}

static const char *describe(json_t *params, char *buf, size_t size)
{
	const char *s;

	if ((s = param_str(params, "process")))
		snprintf(buf, size, "named '%s'", s);
	else if ((s = param_str(params, "pidfile")))
		snprintf(buf, size, "in pidfile '%s'", s);
	else if ((s = param_str(params, "cgroup")))
		snprintf(buf, size, "in cgroup '%s'", s);
	else
		snprintf(buf, size, "with pid %lld", param_int(params, "pid", 0));
	return buf;
}

int target_resolve(json_t *params, int all, uint64_t seed, json_t **ret,
		   struct agent_err *e)
{
	json_t *list = json_array(), *one;
	const char *s;
	char what[300];
	int rc;

	if ((s = param_str(params, "process")))
		rc = by_name(s, list, e);
	else if ((s = param_str(params, "pidfile")))
		rc = by_pidfile(s, list, e);
	else if ((s = param_str(params, "cgroup")))
		rc = by_cgroup(s, list, e);
	else
		rc = by_pid((pid_t)param_int(params, "pid", 0), list, e);
	if (rc < 0) {
		json_decref(list);
		return -1;
	}
	if (json_array_size(list) == 0) {
		json_decref(list);
		return agent_err_set(e, "no process %s", describe(params, what, sizeof(what)));
	}
	if (!all && json_array_size(list) > 1) {
		s = param_str(params, "pick");
		one = json_incref(json_array_get(list, pick_index(list, s ? s : "oldest", seed)));
		json_array_clear(list);
		json_array_append_new(list, one);
	}
	*ret = list;
	return 0;
}

int target_one(json_t *params, uint64_t seed, struct proc_info *ret,
	       struct agent_err *e)
{
	json_t *list;
	pid_t pid;
	unsigned long long start;

	if (target_resolve(params, 0, seed, &list, e) < 0)
		return -1;
	proc_from_json(json_array_get(list, 0), &pid, &start);
	json_decref(list);
	if (proc_read(pid, ret) < 0 || ret->starttime != start)
		return agent_err_set(e, "process %d exited", (int)pid);
	return 0;
}

int pt_seize_stop(pid_t tid, long timeout_ms, int *ret_sig, struct agent_err *e)
{
	int64_t end = agent_now_ns(CLOCK_MONOTONIC) + (int64_t)timeout_ms * 1000000;
	int status, tracer;

	*ret_sig = 0;
	if (ptrace(PTRACE_SEIZE, tid, 0, 0) < 0) {
		int saved = errno;

		tracer = proc_tracer(tid);
		if (saved == EPERM && tracer > 0)
			return agent_err_set(e, "cannot ptrace thread %d: already traced by %d",
					     (int)tid, tracer);
		return agent_err_errno(e, saved, "cannot ptrace thread %d", (int)tid);
	}
	if (ptrace(PTRACE_INTERRUPT, tid, 0, 0) < 0) {
		int saved = errno;

		ptrace(PTRACE_DETACH, tid, 0, 0);
		return agent_err_errno(e, saved, "cannot stop thread %d", (int)tid);
	}
	for (;;) {
		pid_t w = waitpid(tid, &status, __WALL | WNOHANG);

		if (w == tid && WIFSTOPPED(status)) {
			/* A signal-delivery-stop: keep the signal for detach. */
			if (status >> 16 == 0 && WSTOPSIG(status) != SIGTRAP)
				*ret_sig = WSTOPSIG(status);
			return 0;
		}
		if (w == tid)
			return agent_err_set(e, "thread %d exited while being stopped", (int)tid);
		if (w < 0 && errno != EINTR)
			return agent_err_errno(e, errno, "cannot wait for thread %d", (int)tid);
		if (agent_now_ns(CLOCK_MONOTONIC) >= end)
			return agent_err_set(e, "thread %d did not stop within %ld ms "
					     "(uninterruptible sleep?)", (int)tid, timeout_ms);
		agent_sleep_ms(1);
	}
}

void pt_detach(pid_t tid, int sig)
{
	ptrace(PTRACE_DETACH, tid, 0, (void *)(long)sig);
}

int proc_signal_all(json_t *targets, int sig, json_t **ret)
{
	json_t *t, *out = json_array(), *one;
	unsigned long long start;
	int sent = 0;
	size_t i;
	pid_t pid;

	json_array_foreach(targets, i, t) {
		if (proc_from_json(t, &pid, &start) < 0)
			continue;
		one = json_deep_copy(t);
		if (!proc_alive(pid, start)) {
			json_object_set_new(one, "sent", json_false());
			json_object_set_new(one, "error", json_string("process gone"));
		} else if (kill(pid, sig) < 0) {
			json_object_set_new(one, "sent", json_false());
			json_object_set_new(one, "error", json_string(strerror(errno)));
		} else {
			json_object_set_new(one, "sent", json_true());
			sent++;
		}
		agent_stamp(one);
		json_array_append_new(out, one);
	}
	*ret = out;
	return sent;
}
