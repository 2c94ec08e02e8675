/* proc.h - processes: /proc readers, target selection shared by the
 * process faults, and ptrace stop/detach helpers. */
#ifndef CAMPAIGN_AGENT_PROC_H
#define CAMPAIGN_AGENT_PROC_H

#include "agent.h"

struct proc_info {
	pid_t pid;
	pid_t ppid;
	char state;			/* R S D T t Z X ... */
	unsigned flags;			/* PF_* */
	unsigned long long starttime;	/* clock ticks after boot: identity */
	char comm[32];
};

/* Read /proc/PID/stat; -1 if the process is gone. */
int proc_read(pid_t pid, struct proc_info *ret);
/* 1 if pid exists, is not a zombie and started at starttime; else 0. */
int proc_alive(pid_t pid, unsigned long long starttime);
/* The basename of argv[0] into buf ("" for kernel threads). */
void proc_argv0(pid_t pid, char *buf, size_t size);
/* {pid, comm, argv0, starttime} (new reference). */
json_t *proc_json(const struct proc_info *p);
/* Read "pid"/"starttime" from a target object of a state; 0 or -1. */
int proc_from_json(json_t *t, pid_t *ret_pid, unsigned long long *ret_start);
/* Wait until pid is gone (or a zombie) or timeout_ms passes; 1 if gone. */
int proc_wait_gone(pid_t pid, unsigned long long starttime, long timeout_ms);

/* Target parameters, shared by every fault that acts on processes:
 * exactly one of process / pid / pidfile / cgroup, plus pick and seed. */
#define TARGET_PARAMS \
	P_STR("process", &fmt_procname, 255, NULL, \
	      "process name, matched exactly against comm or the basename of " \
	      "argv[0] (like pgrep -x)"), \
	P_INT("pid", 1, 4194304, NULL, "process id"), \
	P_STR("pidfile", &fmt_abspath, 4095, NULL, "file holding the process id"), \
	P_STR("cgroup", &fmt_cgroup, 4095, NULL, \
	      "cgroup directory whose cgroup.procs are the candidates; " \
	      "relative paths are under /sys/fs/cgroup"), \
	P_ENUM("pick", target_picks, "oldest", \
	       "which match to take when several match: the oldest, the " \
	       "newest, or a seeded random one")
#define TARGET_ONE_OF "process|pid|pidfile|cgroup"
extern const char *const target_picks[];

/* Resolve the target parameters to a list of processes (new array of
 * proc_json objects): all matches if all, else one picked as params say
 * (rng seeds the random pick). The agent itself, its ancestors, kernel
 * threads and (unless named by pid) init are never candidates. */
int target_resolve(json_t *params, int all, uint64_t seed, json_t **ret,
		   struct agent_err *e);
/* One process: the first of target_resolve(..., all = 0, ...). */
int target_one(json_t *params, uint64_t seed, struct proc_info *ret,
	       struct agent_err *e);

/* Send sig to every process of targets (array of proc_json objects,
 * borrowed) that is still the same process; *ret describes each send
 * (new array, with time stamps). Returns how many were signalled. */
int proc_signal_all(json_t *targets, int sig, json_t **ret);

/* ptrace: attach to thread tid with PTRACE_SEIZE and stop it with
 * PTRACE_INTERRUPT, waiting at most timeout_ms. *ret_sig is the signal to
 * re-inject at detach (when the stop was a signal-delivery-stop). */
int pt_seize_stop(pid_t tid, long timeout_ms, int *ret_sig, struct agent_err *e);
/* Detach from tid, delivering sig (0 for none). */
void pt_detach(pid_t tid, int sig);
/* The TracerPid of pid (0 if none, -1 if unknown). */
int proc_tracer(pid_t pid);

#endif
