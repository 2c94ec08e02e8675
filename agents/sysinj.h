/* sysinj.h - make system calls of a running process fail, with ptrace.
 *
 * seccomp cannot be attached to a running process, so a detached helper
 * becomes the tracer of every thread of the target (PTRACE_SEIZE, with
 * PTRACE_O_TRACECLONE for new threads) and resumes them with
 * PTRACE_SYSCALL. At the entry of a chosen call it replaces the syscall
 * number with -1, so that the kernel runs nothing, and at the exit it sets
 * rax to -errno. Used by syscall-error and by io-error without
 * device-mapper. x86_64 only.
 */
#ifndef CAMPAIGN_AGENT_SYSINJ_H
#define CAMPAIGN_AGENT_SYSINJ_H

#include "helper.h"

#define SYSINJ_NR_MAX 512

struct sysinj {
	pid_t pid;			/* the target process (thread group) */
	unsigned char fail[SYSINJ_NR_MAX];	/* syscalls to fail */
	int err;			/* errno they return */
	long long count;		/* fail at most this many; 0: no limit */
	double probability_pct;		/* fail a matching call this often */
	uint64_t seed;
	const char *path;		/* only calls on files under path; NULL: all */
	const char *stats_path;		/* where the counts go at the end */
};

/* Attach, tell h ready (evidence: the threads), fail calls until the
 * helper should stop or the count is reached, detach cleanly, write the
 * counts to s->stats_path. */
int sysinj_run(struct sysinj *s, struct helper *h, struct agent_err *e);

/* Mark the syscalls named in a NULL-terminated list. */
void sysinj_mark(struct sysinj *s, const char *const *names);

/* Read the counts a finished run left (new object, or NULL). */
json_t *sysinj_stats(const char *stats_path);

/* The stats file of injection id. */
void sysinj_stats_path(const char *id, char *buf, size_t size);

/* Shared by syscall-error and io-error (fault_syscall_error.c): fill s
 * from c's params and target; stats names a buffer for the stats path. */
void syscall_error_setup(struct fault_ctx *c, struct sysinj *s, char *stats, size_t size);
/* The undo of a ptrace-carried fault: report the counts. */
int syscall_error_undo(struct fault_ctx *c, struct agent_err *e);

#endif
