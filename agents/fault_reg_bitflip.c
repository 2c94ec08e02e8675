/* fault_reg_bitflip.c - flip one bit of one register of one thread, the
 * way a transient CPU fault would: PTRACE_SEIZE, PTRACE_INTERRUPT,
 * PTRACE_GETREGS, flip, PTRACE_SETREGS, read back, detach. */
#include "fault.h"
#include "proc.h"

#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>

static const char *const threads[] = { "random", "main", NULL };

static const struct param_spec params[] = {
	TARGET_PARAMS,
	P_STR("register", &fmt_register, 16, "random", "the register to flip a bit "
	      "of; random picks among the general registers, rip, rsp and eflags"),
	P_INT("bit", -1, 63, "-1", "the bit to flip; -1: random (for eflags: one of "
	      "the arithmetic flags)"),
	P_ENUM("thread", threads, "random", "which thread of the process"),
	P_INT("delay_ms", 0, 600000, "0", "wait a random time up to this before "
	      "attaching"),
	P_INT("seed", 0, (1LL << 53), NULL, "seed of every random choice (default: "
	      "drawn and reported)"),
	P_END
};
static const char *const one_of[] = { TARGET_ONE_OF, NULL };

#define REG(n) { #n, offsetof(struct user_regs_struct, n) }
static const struct {
	const char *name;
	size_t off;
} regs_table[] = {
	REG(rax), REG(rbx), REG(rcx), REG(rdx), REG(rsi), REG(rdi), REG(rbp),
	REG(rsp), REG(r8), REG(r9), REG(r10), REG(r11), REG(r12), REG(r13),
	REG(r14), REG(r15), REG(rip), REG(eflags),
	/* named only, never a random pick */
	REG(orig_rax), REG(fs_base), REG(gs_base),
};
#undef REG
#define RANDOM_REGS 18

static const int eflags_bits[] = { 0, 2, 4, 6, 7, 10, 11 };	/* CF PF AF ZF SF DF OF */

static int reg_index(const char *name)
{
	for (size_t i = 0; i < sizeof(regs_table) / sizeof(regs_table[0]); i++)
		if (!strcmp(regs_table[i].name, name))
			return (int)i;
	return -1;
}

/* A thread of pid: the main one, or a seeded pick. */
static pid_t pick_thread(pid_t pid, int random, struct agent_rng *rng)
{
	char dir[64];
	pid_t tids[1024];
	size_t n = 0;
	struct dirent *de;
	DIR *d;

	if (!random)
		return pid;
	snprintf(dir, sizeof(dir), "/proc/%d/task", (int)pid);
	if (!(d = opendir(dir)))
		return pid;
	while ((de = readdir(d)) && n < 1024)
		if (atoi(de->d_name) > 0)
			tids[n++] = atoi(de->d_name);
	closedir(d);
	if (n == 0)
		return pid;
	/* readdir order is stable enough, but sort for reproducibility. */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && tids[j - 1] > tids[j]; j--) {
			pid_t t = tids[j];

			tids[j] = tids[j - 1];
			tids[j - 1] = t;
		}
	return tids[agent_rng_below(rng, n)];
}

static int flip(pid_t tid, int reg, int bit, json_t *ev, struct agent_err *e)
{
	struct user_regs_struct regs, back;
	unsigned long long *slot, before;
	int sig, rc = -1;

	if (pt_seize_stop(tid, 2000, &sig, e) < 0)
		return -1;
	if (ptrace(PTRACE_GETREGS, tid, 0, &regs) < 0) {
		agent_err_errno(e, errno, "cannot read registers of thread %d", (int)tid);
		goto out;
	}
	slot = (unsigned long long *)((char *)&regs + regs_table[reg].off);
	before = *slot;
	*slot ^= 1ULL << bit;
	if (ptrace(PTRACE_SETREGS, tid, 0, &regs) < 0) {
		agent_err_errno(e, errno, "cannot write %s of thread %d", regs_table[reg].name,
				(int)tid);
		goto out;
	}
	agent_stamp(ev);
	if (ptrace(PTRACE_GETREGS, tid, 0, &back) < 0)
		back = regs;
	json_object_set_new(ev, "before", agent_json_hex(before));
	json_object_set_new(ev, "after", agent_json_hex(*slot));
	json_object_set_new(ev, "readback", agent_json_hex(
		*(unsigned long long *)((char *)&back + regs_table[reg].off)));
	json_object_set_new(ev, "masked", json_boolean(
		*(unsigned long long *)((char *)&back + regs_table[reg].off) != *slot));
	json_object_set_new(ev, "rip", agent_json_hex(regs.rip));
	if ((long long)regs.orig_rax >= 0)
		json_object_set_new(ev, "in_syscall", json_string(
			fmt_syscall_name((int)regs.orig_rax) ?: "unknown"));
	rc = 0;
out:
	pt_detach(tid, sig);
	if (sig)
		json_object_set_new(ev, "pending_signal", json_integer(sig));
	return rc;
}

static int apply(struct fault_ctx *c, struct agent_err *e)
{
	uint64_t seed = (uint64_t)param_int(c->params, "seed", 0);
	const char *name = param_str(c->params, "register");
	long long bit = param_int(c->params, "bit", -1), delay = 0;
	struct agent_rng rng;
	struct proc_info p;
	int reg;
	pid_t tid;

	agent_rng_init(&rng, seed);
	if (target_one(c->params, seed, &p, e) < 0)
		return -1;
	reg = strcmp(name, "random") ? reg_index(name) : (int)agent_rng_below(&rng, RANDOM_REGS);
	if (bit < 0)
		bit = !strcmp(regs_table[reg].name, "eflags")
			      ? eflags_bits[agent_rng_below(&rng, 7)]
			      : (long long)agent_rng_below(&rng, 64);
	if (param_int(c->params, "delay_ms", 0) > 0) {
		delay = (long long)agent_rng_below(&rng, param_int(c->params, "delay_ms", 0) + 1);
		agent_sleep_ms((long)delay);
	}
	tid = pick_thread(p.pid, !strcmp(param_str(c->params, "thread"), "random"), &rng);
	json_object_set_new(c->evidence, "process", proc_json(&p));
	json_object_set_new(c->evidence, "tid", json_integer(tid));
	json_object_set_new(c->evidence, "register", json_string(regs_table[reg].name));
	json_object_set_new(c->evidence, "bit", json_integer(bit));
	json_object_set_new(c->evidence, "delay_ms", json_integer(delay));
	if (!proc_alive(p.pid, p.starttime))
		return agent_err_set(e, "process %d exited during the delay", (int)p.pid);
	c->done = 1;
	return flip(tid, reg, (int)bit, c->evidence, e);
}

static int undo(struct fault_ctx *c, struct agent_err *e)
{
	(void)e;
	json_object_set_new(c->evidence, "action",
			    json_string("none: a register flip cannot be taken back"));
	return 0;
}

const struct fault fault_reg_bitflip = {
	.name = "reg-bitflip",
	.summary = "flip one bit of one register of a thread of a process (ptrace), "
		   "chosen or seeded-random, optionally after a random delay",
	.undo_help = "none: the flip has happened; the revert restores the node",
	.params = params,
	.one_of = one_of,
	.apply = apply,
	.undo = undo,
};
