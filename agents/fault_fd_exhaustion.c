/* fault_fd_exhaustion.c - a process runs out of file descriptors: its soft
 * RLIMIT_NOFILE is lowered (prlimit) so that only `leave` more descriptors
 * can be opened; the next open after those fails with EMFILE. */
#include "fault.h"
#include "proc.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

static const struct param_spec params[] = {
	TARGET_PARAMS,
	P_INT("leave", 0, 1048576, "0", "descriptors the process may still open"),
	P_INT("seed", 0, (1LL << 53), NULL, "seed of a random pick"),
	P_NUM("duration_s", 0, 86400, "0", "restore the limit after this long; "
	      "0: until undone"),
	P_END
};
static const char *const one_of[] = { TARGET_ONE_OF, NULL };

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* The open descriptors of pid, sorted; returns the count. */
static int open_fds(pid_t pid, int *fds, int max, struct agent_err *e)
{
	char dir[64];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	if (!(d = opendir(dir)))
		return agent_err_errno(e, errno, "cannot read '%s'", dir);
	while ((de = readdir(d)) && n < max)
		if (de->d_name[0] >= '0' && de->d_name[0] <= '9')
			fds[n++] = atoi(de->d_name);
	closedir(d);
	qsort(fds, n, sizeof(int), cmp_int);
	return n;
}

/* The limit that leaves exactly `leave` free numbers below it: the number
 * of the (leave+1)-th free descriptor. */
static long long limit_for(const int *fds, int n, long long leave)
{
	long long fd = 0, free_seen = 0;
	int i = 0;

	for (;; fd++) {
		if (i < n && fds[i] == fd) {
			i++;
			continue;
		}
		if (free_seen++ == leave)
			return fd;
	}
}

static int apply(struct fault_ctx *c, struct agent_err *e)
{
	int max = 1 << 20, *fds = malloc(max * sizeof(int)), n;
	struct rlimit old, lim;
	struct proc_info p;

	if (!fds)
		return agent_err_set(e, "out of memory");
	if (target_one(c->params, (uint64_t)param_int(c->params, "seed", 0), &p, e) < 0 ||
	    (n = open_fds(p.pid, fds, max, e)) < 0) {
		free(fds);
		return -1;
	}
	if (prlimit(p.pid, RLIMIT_NOFILE, NULL, &old) < 0) {
		free(fds);
		return agent_err_errno(e, errno, "cannot read the fd limit of %d", (int)p.pid);
	}
	lim = old;
	lim.rlim_cur = limit_for(fds, n, param_int(c->params, "leave", 0));
	if (lim.rlim_cur > old.rlim_max)
		lim.rlim_cur = old.rlim_max;
	if (prlimit(p.pid, RLIMIT_NOFILE, &lim, NULL) < 0) {
		free(fds);
		return agent_err_errno(e, errno, "cannot lower the fd limit of %d", (int)p.pid);
	}
	agent_stamp(c->evidence);
	json_object_set_new(c->evidence, "process", proc_json(&p));
	json_object_set_new(c->evidence, "open_fds", json_integer(n));
	json_object_set_new(c->evidence, "highest_fd", json_integer(n ? fds[n - 1] : -1));
	json_object_set_new(c->evidence, "old", json_pack("{s:I, s:I}", "soft",
			    (json_int_t)old.rlim_cur, "hard", (json_int_t)old.rlim_max));
	json_object_set_new(c->evidence, "new", json_pack("{s:I, s:I}", "soft",
			    (json_int_t)lim.rlim_cur, "hard", (json_int_t)lim.rlim_max));
	json_object_set_new(c->state, "pid", json_integer(p.pid));
	json_object_set_new(c->state, "starttime", json_integer((json_int_t)p.starttime));
	json_object_set_new(c->state, "old_soft", json_integer((json_int_t)old.rlim_cur));
	json_object_set_new(c->state, "new_soft", json_integer((json_int_t)lim.rlim_cur));
	free(fds);
	return 0;
}

static int verify(struct fault_ctx *c, struct agent_err *e)
{
	pid_t pid = (pid_t)json_integer_value(json_object_get(c->state, "pid"));
	struct rlimit now;

	if (prlimit(pid, RLIMIT_NOFILE, NULL, &now) < 0)
		return agent_err_errno(e, errno, "cannot read the fd limit of %d", (int)pid);
	if ((json_int_t)now.rlim_cur != json_integer_value(json_object_get(c->state, "new_soft")))
		return agent_err_set(e, "the fd limit of %d is %llu", (int)pid,
				     (unsigned long long)now.rlim_cur);
	return 0;
}

/* Restore the old soft limit, unless the process changed it since. */
static int undo(struct fault_ctx *c, struct agent_err *e)
{
	json_t *s = c->state;
	json_int_t old = json_integer_value(json_object_get(s, "old_soft"));
	json_int_t set = json_integer_value(json_object_get(s, "new_soft"));
	unsigned long long start;
	struct rlimit now;
	pid_t pid;

	if (proc_from_json(s, &pid, &start) < 0 || !json_is_integer(json_object_get(s, "old_soft")))
		return agent_err_set(e, "undo state of fd-exhaustion is malformed");
	if (!proc_alive(pid, start) || prlimit(pid, RLIMIT_NOFILE, NULL, &now) < 0) {
		json_object_set_new(c->evidence, "action", json_string("none: process gone"));
		return 0;
	}
	if ((json_int_t)now.rlim_cur != set) {
		json_object_set_new(c->evidence, "action", json_string(
			"none: the limit changed since the injection"));
		return 0;
	}
	now.rlim_cur = (rlim_t)old;
	if (now.rlim_cur > now.rlim_max)
		now.rlim_cur = now.rlim_max;
	if (prlimit(pid, RLIMIT_NOFILE, &now, NULL) < 0)
		return agent_err_errno(e, errno, "cannot restore the fd limit of %d", (int)pid);
	json_object_set_new(c->evidence, "action", json_string("limit restored"));
	json_object_set_new(c->evidence, "soft", json_integer(old));
	return 0;
}

const struct fault fault_fd_exhaustion = {
	.name = "fd-exhaustion",
	.summary = "make a process hit EMFILE: lower its soft RLIMIT_NOFILE so that "
		   "only `leave` more descriptors fit",
	.undo_help = "restores the old soft limit if the process has not changed it",
	.params = params,
	.one_of = one_of,
	.apply = apply,
	.verify = verify,
	.undo = undo,
};
