/* sysinj.c - the ptrace loop that makes chosen system calls fail. */
#include "proc.h"
#include "state.h"
#include "sysinj.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#define TRACE_OPTIONS (PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACECLONE)
#define MAX_THREADS 8192
#define DETACH_MS 3000

struct tracee {
	pid_t tid;
	int injected;	/* entry replaced: fix rax at the exit */
};

struct tracer {
	struct sysinj *s;
	struct tracee *t;
	size_t n;
	struct agent_rng rng;
	int detaching;
	long long seen, failed;
	int64_t first_ns, last_ns;
};

static struct tracee *find(struct tracer *tr, pid_t tid)
{
	for (size_t i = 0; i < tr->n; i++)
		if (tr->t[i].tid == tid)
			return &tr->t[i];
	return NULL;
}

static struct tracee *add(struct tracer *tr, pid_t tid)
{
	if (tr->n == MAX_THREADS)
		return NULL;
	tr->t[tr->n] = (struct tracee){ .tid = tid };
	return &tr->t[tr->n++];
}

static void drop(struct tracer *tr, pid_t tid)
{
	struct tracee *t = find(tr, tid);

	if (t)
		*t = tr->t[--tr->n];
}

void sysinj_mark(struct sysinj *s, const char *const *names)
{
	for (; *names; names++) {
		int nr = fmt_syscall_number(*names);

		if (nr >= 0 && nr < SYSINJ_NR_MAX)
			s->fail[nr] = 1;
	}
}

void sysinj_stats_path(const char *id, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s.stats.json", agent_state_dir(), id);
}

json_t *sysinj_stats(const char *stats_path)
{
	return json_load_file(stats_path, 0, NULL);
}

/* Which argument names the file: an fd, a path, or dirfd + path. */
enum arg_kind { ARG_NONE, ARG_FD0, ARG_PATH0, ARG_DIRFD_PATH };

static enum arg_kind arg_kind(long nr)
{
	switch (nr) {
	case SYS_read: case SYS_write: case SYS_pread64: case SYS_pwrite64:
	case SYS_readv: case SYS_writev: case SYS_preadv: case SYS_pwritev:
	case SYS_preadv2: case SYS_pwritev2: case SYS_fsync: case SYS_fdatasync:
	case SYS_ftruncate: case SYS_fallocate: case SYS_sync_file_range:
	case SYS_fstat: case SYS_lseek: case SYS_getdents64: case SYS_flock:
	case SYS_fadvise64: case SYS_ioctl: case SYS_fstatfs: case SYS_fchmod:
	case SYS_fchown: case SYS_copy_file_range: case SYS_syncfs:
		return ARG_FD0;
	case SYS_open: case SYS_creat: case SYS_truncate: case SYS_stat:
	case SYS_lstat: case SYS_access: case SYS_mkdir: case SYS_rmdir:
	case SYS_unlink: case SYS_rename: case SYS_chmod: case SYS_chown:
	case SYS_readlink: case SYS_statfs: case SYS_link:
		return ARG_PATH0;
	case SYS_openat: case SYS_openat2: case SYS_newfstatat: case SYS_mkdirat:
	case SYS_unlinkat: case SYS_renameat: case SYS_renameat2: case SYS_faccessat:
	case SYS_faccessat2: case SYS_fchmodat: case SYS_fchownat: case SYS_readlinkat:
	case SYS_statx: case SYS_utimensat: case SYS_mknodat: case SYS_linkat:
		return ARG_DIRFD_PATH;
	}
	return ARG_NONE;
}

static int fd_path(pid_t tid, long fd, char *buf, size_t size)
{
	char link[64];
	ssize_t n;

	if (fd == AT_FDCWD)
		snprintf(link, sizeof(link), "/proc/%d/cwd", (int)tid);
	else
		snprintf(link, sizeof(link), "/proc/%d/fd/%ld", (int)tid, fd);
	n = readlink(link, buf, size - 1);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/* Read a NUL-terminated string of the tracee at addr. */
static int tracee_string(pid_t tid, unsigned long addr, char *buf, size_t size)
{
	char mem[64];
	size_t len = 0;
	int fd;

	snprintf(mem, sizeof(mem), "/proc/%d/mem", (int)tid);
	fd = open(mem, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (len < size - 1) {
		size_t chunk = 4096 - ((addr + len) & 4095);
		ssize_t n;

		if (chunk > size - 1 - len)
			chunk = size - 1 - len;
		n = pread(fd, buf + len, chunk, (off_t)(addr + len));
		if (n <= 0)
			break;
		if (memchr(buf + len, '\0', n)) {
			close(fd);
			return 0;
		}
		len += n;
	}
	close(fd);
	return -1;
}

static int under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	if (!strcmp(prefix, "/"))
		return 1;
	return !strncmp(path, prefix, n) && (path[n] == '\0' || path[n] == '/');
}

/* Does the call act on a file under s->path? */
static int path_matches(struct tracer *tr, pid_t tid, long nr, const uint64_t *args)
{
	char path[4096], base[4096], full[8200];
	enum arg_kind kind = arg_kind(nr);

	switch (kind) {
	case ARG_NONE:
		return 0;
	case ARG_FD0:
		return fd_path(tid, (long)(int)args[0], path, sizeof(path)) == 0 &&
		       under(path, tr->s->path);
	case ARG_PATH0:
	case ARG_DIRFD_PATH:
		if (tracee_string(tid, args[kind == ARG_PATH0 ? 0 : 1], path, sizeof(path)) < 0)
			return 0;
		if (path[0] == '/')
			return under(path, tr->s->path);
		if (fd_path(tid, kind == ARG_PATH0 ? AT_FDCWD : (long)(int)args[0], base,
			    sizeof(base)) < 0)
			return 0;
		snprintf(full, sizeof(full), "%s/%s", base, path);
		return under(full, tr->s->path);
	}
	return 0;
}

static int should_fail(struct tracer *tr, pid_t tid, const struct __ptrace_syscall_info *info)
{
	uint64_t nr = info->entry.nr;

	if (tr->detaching || info->arch != AUDIT_ARCH_X86_64 || nr >= SYSINJ_NR_MAX ||
	    !tr->s->fail[nr])
		return 0;
	if (tr->s->path && !path_matches(tr, tid, (long)nr, info->entry.args))
		return 0;
	tr->seen++;
	if (tr->s->count && tr->failed >= tr->s->count)
		return 0;
	if (tr->s->probability_pct < 100 &&
	    agent_rng_below(&tr->rng, 10000) >= (uint64_t)(tr->s->probability_pct * 100))
		return 0;
	return 1;
}

static void syscall_stop(struct tracer *tr, struct tracee *t)
{
	struct __ptrace_syscall_info info;
	struct user_regs_struct regs;

	if (ptrace(PTRACE_GET_SYSCALL_INFO, t->tid, sizeof(info), &info) <= 0)
		return;
	if (info.op == PTRACE_SYSCALL_INFO_ENTRY) {
		t->injected = 0;
		if (!should_fail(tr, t->tid, &info) ||
		    ptrace(PTRACE_GETREGS, t->tid, 0, &regs) < 0)
			return;
		regs.orig_rax = (unsigned long long)-1;	/* run nothing */
		if (ptrace(PTRACE_SETREGS, t->tid, 0, &regs) < 0)
			return;
		t->injected = 1;
		tr->failed++;
		tr->last_ns = agent_now_ns(CLOCK_REALTIME);
		if (!tr->first_ns)
			tr->first_ns = tr->last_ns;
	} else if (info.op == PTRACE_SYSCALL_INFO_EXIT && t->injected) {
		t->injected = 0;
		if (ptrace(PTRACE_GETREGS, t->tid, 0, &regs) == 0) {
			regs.rax = (unsigned long long)-(long long)tr->s->err;
			ptrace(PTRACE_SETREGS, t->tid, 0, &regs);
		}
	}
}

/* Let t go on (or go, when detaching), delivering sig. */
static void resume(struct tracer *tr, struct tracee *t, int sig)
{
	pid_t tid = t->tid;

	if (tr->detaching && !t->injected) {
		ptrace(PTRACE_DETACH, tid, 0, (void *)(long)sig);
		drop(tr, tid);
		return;
	}
	ptrace(PTRACE_SYSCALL, tid, 0, (void *)(long)sig);
}

static int is_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

static void on_event(struct tracer *tr, pid_t tid, int status)
{
	struct tracee *t = find(tr, tid);
	int sig, event;

	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		drop(tr, tid);
		return;
	}
	/* A new thread may report before its parent's clone event. */
	if (!WIFSTOPPED(status) || (!t && !(t = add(tr, tid))))
		return;
	sig = WSTOPSIG(status);
	event = status >> 16;
	if (sig == (SIGTRAP | 0x80)) {
		syscall_stop(tr, t);
		resume(tr, t, 0);
	} else if (event == PTRACE_EVENT_CLONE) {
		unsigned long child = 0;

		ptrace(PTRACE_GETEVENTMSG, tid, 0, &child);
		if (child && !find(tr, (pid_t)child))
			add(tr, (pid_t)child);
		resume(tr, t, 0);
	} else if (event == PTRACE_EVENT_STOP) {
		if (is_stop_signal(sig) && !tr->detaching)
			ptrace(PTRACE_LISTEN, tid, 0, 0);	/* stay group-stopped */
		else
			resume(tr, t, 0);
	} else if (event) {
		resume(tr, t, 0);
	} else {
		resume(tr, t, sig);	/* signal-delivery-stop */
	}
}

static int attach_all(struct tracer *tr, struct agent_err *e)
{
	char dir[64];

	snprintf(dir, sizeof(dir), "/proc/%d/task", (int)tr->s->pid);
	/* Threads may appear while attaching: look again until none is new. */
	for (int round = 0; round < 16; round++) {
		DIR *d = opendir(dir);
		struct dirent *de;
		int added = 0;

		if (!d)
			return agent_err_errno(e, errno, "cannot read '%s'", dir);
		while ((de = readdir(d))) {
			pid_t tid = atoi(de->d_name);

			if (tid <= 0 || find(tr, tid))
				continue;
			if (ptrace(PTRACE_SEIZE, tid, 0, (void *)TRACE_OPTIONS) < 0) {
				int saved = errno, tracer = proc_tracer(tid);

				if (saved == ESRCH)
					continue;
				closedir(d);
				if (saved == EPERM && tracer > 0)
					return agent_err_set(e, "cannot trace thread %d: already "
							     "traced by %d", (int)tid, tracer);
				return agent_err_errno(e, saved, "cannot trace thread %d", (int)tid);
			}
			if (!add(tr, tid)) {
				closedir(d);
				return agent_err_set(e, "process %d has more than %d threads",
						     (int)tr->s->pid, MAX_THREADS);
			}
			ptrace(PTRACE_INTERRUPT, tid, 0, 0);	/* then PTRACE_SYSCALL */
			added++;
		}
		closedir(d);
		if (!added)
			break;
	}
	if (!tr->n)
		return agent_err_set(e, "process %d has no threads to trace", (int)tr->s->pid);
	return 0;
}

static json_t *ready_evidence(struct tracer *tr)
{
	json_t *tids = json_array(), *calls = json_array();

	for (size_t i = 0; i < tr->n; i++)
		json_array_append_new(tids, json_integer(tr->t[i].tid));
	for (int nr = 0; nr < SYSINJ_NR_MAX; nr++)
		if (tr->s->fail[nr] && fmt_syscall_name(nr))
			json_array_append_new(calls, json_string(fmt_syscall_name(nr)));
	return json_pack("{s:s, s:i, s:o, s:o, s:i, s:s?, s:s?}", "mechanism", "ptrace",
			 "pid", (int)tr->s->pid, "threads", tids, "syscalls", calls,
			 "errno", tr->s->err, "errno_name", fmt_errno_name(tr->s->err),
			 "path", tr->s->path);
}

static void run_loop(struct tracer *tr, struct helper *h)
{
	int status;

	while (tr->n > 0) {
		if (helper_should_stop(h))
			return;
		if (tr->s->count && tr->failed >= tr->s->count) {
			h->end = "count";
			return;
		}
		pid_t tid = waitpid(-1, &status, __WALL);

		if (tid < 0 && errno == EINTR)
			continue;
		if (tid < 0)
			break;
		on_event(tr, tid, status);
	}
	h->end = "target-exited";
}

/* Stop every thread once more and detach from it cleanly; threads whose
 * call was replaced get their errno first. */
static void detach_all(struct tracer *tr)
{
	int64_t end = agent_now_ns(CLOCK_MONOTONIC) + (int64_t)DETACH_MS * 1000000;
	int status;

	tr->detaching = 1;
	for (size_t i = 0; i < tr->n; i++)
		ptrace(PTRACE_INTERRUPT, tr->t[i].tid, 0, 0);
	while (tr->n > 0 && agent_now_ns(CLOCK_MONOTONIC) < end) {
		pid_t tid = waitpid(-1, &status, __WALL);

		if (tid < 0 && errno == EINTR)
			continue;
		if (tid < 0)
			break;
		if (!find(tr, tid) && WIFSTOPPED(status)) {
			add(tr, tid);	/* a thread born late: let it go too */
		}
		on_event(tr, tid, status);
	}
	/* What is left goes when the tracer exits: the kernel detaches it. */
}

static void write_stats(struct tracer *tr, struct helper *h)
{
	json_t *st = json_pack("{s:I, s:I, s:I, s:I, s:s, s:I}", "seen_calls",
			       (json_int_t)tr->seen, "failed_calls", (json_int_t)tr->failed,
			       "first_failed_realtime_ns", (json_int_t)tr->first_ns,
			       "last_failed_realtime_ns", (json_int_t)tr->last_ns, "ended",
			       h->end ? h->end : "ended", "threads_left", (json_int_t)tr->n);

	if (st && tr->s->stats_path)
		json_dump_file(st, tr->s->stats_path, JSON_COMPACT);
	json_decref(st);
}

int sysinj_run(struct sysinj *s, struct helper *h, struct agent_err *e)
{
	struct tracer tr = { .s = s };
	json_t *ev;

	tr.t = calloc(MAX_THREADS, sizeof(*tr.t));
	if (!tr.t)
		return agent_err_set(e, "out of memory");
	agent_rng_init(&tr.rng, s->seed);
	if (attach_all(&tr, e) < 0) {
		detach_all(&tr);
		free(tr.t);
		return -1;
	}
	ev = ready_evidence(&tr);
	agent_stamp(ev);
	helper_ready(h, ev);
	json_decref(ev);
	run_loop(&tr, h);
	detach_all(&tr);
	write_stats(&tr, h);
	free(tr.t);
	return 0;
}
