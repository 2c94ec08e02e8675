/* fault_mem_bitflip.c - flip one bit of a process's memory: in its text,
 * data, heap or stack (from /proc/PID/maps), or at a given address. The
 * process is stopped with ptrace meanwhile, so that /proc/PID/mem may
 * write read-only text (FOLL_FORCE); PTRACE_POKEDATA is the fallback. */
#include "fault.h"
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <unistd.h>

static const char *const regions[] = { "data", "text", "heap", "stack", "any", NULL };

static const struct param_spec params[] = {
	TARGET_PARAMS,
	P_ENUM("region", regions, "data", "where to flip: the executable's text or "
	       "data (with bss), [heap], the used part of [stack], or any of them"),
	P_INT("address", 0, (1LL << 47) - 1, "0", "flip at this address instead "
	      "(0: a random address of the region)"),
	P_INT("bit", -1, 7, "-1", "the bit of the byte; -1: random"),
	P_INT("seed", 0, (1LL << 53), NULL, "seed of the random choices"),
	P_END
};
static const char *const one_of[] = { TARGET_ONE_OF, NULL };

struct mapping {
	unsigned long start, end;
	char perms[8];
	char region[8];	/* text data heap stack, or "" */
	char path[256];
};

#define MAX_MAPS 4096

/* Read the maps of pid and name the regions; returns the count. */
static int read_maps(pid_t pid, struct mapping *maps, struct agent_err *e)
{
	char path[64], exe[256] = "", line[512];
	ssize_t n;
	FILE *f;
	int count = 0;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	if ((n = readlink(path, exe, sizeof(exe) - 1)) > 0)
		exe[n] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	if (!(f = fopen(path, "re")))
		return agent_err_errno(e, errno, "cannot read '%s'", path);
	while (count < MAX_MAPS && fgets(line, sizeof(line), f)) {
		struct mapping *m = &maps[count];
		int off = 0;

		memset(m, 0, sizeof(*m));
		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %n", &m->start, &m->end, m->perms,
			   &off) < 3)
			continue;
		snprintf(m->path, sizeof(m->path), "%s", line + off);
		m->path[strcspn(m->path, "\n")] = '\0';
		if (exe[0] && !strcmp(m->path, exe))
			strcpy(m->region, m->perms[2] == 'x' ? "text" :
					  m->perms[1] == 'w' ? "data" : "");
		else if (!strcmp(m->path, "[heap]"))
			strcpy(m->region, "heap");
		else if (!strcmp(m->path, "[stack]"))
			strcpy(m->region, "stack");
		else if (!m->path[0] && count > 0 && !strcmp(maps[count - 1].region, "data") &&
			 maps[count - 1].end == m->start && m->perms[1] == 'w')
			strcpy(m->region, "data");	/* the bss after the data */
		count++;
	}
	fclose(f);
	return count;
}

/* The used part of the stack starts at the main thread's rsp. */
static void clip_stack(struct mapping *m, pid_t pid)
{
	struct user_regs_struct regs;

	if (ptrace(PTRACE_GETREGS, pid, 0, &regs) == 0 && regs.rsp >= m->start &&
	    regs.rsp < m->end)
		m->start = regs.rsp;
}

/* Choose the address: given, or uniform over the region's bytes. */
static int choose(struct mapping *maps, int n, const char *region, unsigned long given,
		  struct agent_rng *rng, unsigned long *ret_addr, struct mapping **ret_map,
		  struct agent_err *e)
{
	unsigned long total = 0, pick;
	const char *want = region;

	if (given) {
		for (int i = 0; i < n; i++)
			if (given >= maps[i].start && given < maps[i].end) {
				*ret_addr = given;
				*ret_map = &maps[i];
				return 0;
			}
		return agent_err_set(e, "address 0x%lx is not mapped", given);
	}
	if (!strcmp(region, "any")) {
		const char *have[4];
		int k = 0;

		for (const char *const *r = regions; k < 4 && strcmp(*r, "any"); r++)
			for (int i = 0; i < n; i++)
				if (!strcmp(maps[i].region, *r)) {
					have[k++] = *r;
					break;
				}
		if (!k)
			return agent_err_set(e, "the process has no text, data, heap or stack");
		want = have[agent_rng_below(rng, k)];
	}
	for (int i = 0; i < n; i++)
		if (!strcmp(maps[i].region, want))
			total += maps[i].end - maps[i].start;
	if (!total)
		return agent_err_set(e, "the process has no %s region", want);
	pick = agent_rng_below(rng, total);
	for (int i = 0; i < n; i++) {
		unsigned long size = maps[i].end - maps[i].start;

		if (strcmp(maps[i].region, want))
			continue;
		if (pick < size) {
			*ret_addr = maps[i].start + pick;
			*ret_map = &maps[i];
			return 0;
		}
		pick -= size;
	}
	return agent_err_set(e, "no address chosen");
}

static int peek_byte(pid_t pid, unsigned long addr, unsigned char *ret)
{
	char path[64];
	int fd;
	ssize_t n;
	long word;

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		n = pread(fd, ret, 1, (off_t)addr);
		close(fd);
		if (n == 1)
			return 0;
	}
	errno = 0;
	word = ptrace(PTRACE_PEEKDATA, pid, (void *)(addr & ~7UL), 0);
	if (errno)
		return -1;
	*ret = (unsigned char)(word >> ((addr & 7) * 8));
	return 0;
}

/* Write one byte; *ret_method says how. */
static int poke_byte(pid_t pid, unsigned long addr, unsigned char v, const char **ret_method)
{
	char path[64];
	int fd;
	long word;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	if ((fd = open(path, O_RDWR | O_CLOEXEC)) >= 0) {
		n = pwrite(fd, &v, 1, (off_t)addr);
		close(fd);
		if (n == 1) {
			*ret_method = "proc-mem";
			return 0;
		}
	}
	errno = 0;
	word = ptrace(PTRACE_PEEKDATA, pid, (void *)(addr & ~7UL), 0);
	if (errno)
		return -1;
	word &= ~(0xffL << ((addr & 7) * 8));
	word |= (long)v << ((addr & 7) * 8);
	*ret_method = "pokedata";
	return (int)ptrace(PTRACE_POKEDATA, pid, (void *)(addr & ~7UL), (void *)word);
}

static json_t *map_json(const struct mapping *m)
{
	return json_pack("{s:s, s:o, s:o, s:s, s:s}", "region", m->region[0] ? m->region : "other",
			 "start", agent_json_hex(m->start), "end", agent_json_hex(m->end),
			 "perms", m->perms, "path", m->path);
}

/* With pid stopped: choose, flip, read back. */
static int flip_stopped(struct fault_ctx *c, pid_t pid, struct agent_err *e)
{
	uint64_t seed = (uint64_t)param_int(c->params, "seed", 0);
	const char *method = "";
	struct mapping *maps = calloc(MAX_MAPS, sizeof(*maps)), *m = NULL;
	unsigned char before, after, back;
	unsigned long addr = 0;
	struct agent_rng rng;
	int n, bit, rc = -1;

	agent_rng_init(&rng, seed);
	if (!maps)
		return agent_err_set(e, "out of memory");
	if ((n = read_maps(pid, maps, e)) < 0)
		goto out;
	for (int i = 0; i < n; i++)
		if (!strcmp(maps[i].region, "stack"))
			clip_stack(&maps[i], pid);
	if (choose(maps, n, param_str(c->params, "region"),
		   (unsigned long)param_int(c->params, "address", 0), &rng, &addr, &m, e) < 0)
		goto out;
	bit = (int)param_int(c->params, "bit", -1);
	if (bit < 0)
		bit = (int)agent_rng_below(&rng, 8);
	if (peek_byte(pid, addr, &before) < 0) {
		agent_err_errno(e, errno, "cannot read 0x%lx of process %d", addr, (int)pid);
		goto out;
	}
	after = before ^ (unsigned char)(1u << bit);
	if (poke_byte(pid, addr, after, &method) < 0) {
		agent_err_errno(e, errno, "cannot write 0x%lx of process %d", addr, (int)pid);
		goto out;
	}
	agent_stamp(c->evidence);
	if (peek_byte(pid, addr, &back) < 0)
		back = after;
	json_object_set_new(c->evidence, "address", agent_json_hex(addr));
	json_object_set_new(c->evidence, "mapping", map_json(m));
	json_object_set_new(c->evidence, "region", json_string(m->region[0] ? m->region : "other"));
	json_object_set_new(c->evidence, "bit", json_integer(bit));
	json_object_set_new(c->evidence, "before", json_integer(before));
	json_object_set_new(c->evidence, "after", json_integer(back));
	json_object_set_new(c->evidence, "method", json_string(method));
	json_object_set_new(c->state, "address", json_integer((json_int_t)addr));
	json_object_set_new(c->state, "before", json_integer(before));
	json_object_set_new(c->state, "after", json_integer(after));
	rc = 0;
out:
	free(maps);
	return rc;
}

static int apply(struct fault_ctx *c, struct agent_err *e)
{
	struct proc_info p;
	int sig, rc;

	if (target_one(c->params, (uint64_t)param_int(c->params, "seed", 0), &p, e) < 0)
		return -1;
	if (pt_seize_stop(p.pid, 2000, &sig, e) < 0)
		return -1;
	rc = flip_stopped(c, p.pid, e);
	pt_detach(p.pid, sig);
	json_object_set_new(c->evidence, "process", proc_json(&p));
	json_object_set_new(c->state, "pid", json_integer(p.pid));
	json_object_set_new(c->state, "starttime", json_integer((json_int_t)p.starttime));
	return rc;
}

/* Put the old byte back if the flipped one is still there. */
static int undo(struct fault_ctx *c, struct agent_err *e)
{
	json_t *s = c->state;
	unsigned long addr = (unsigned long)json_integer_value(json_object_get(s, "address"));
	unsigned char now, before = (unsigned char)json_integer_value(json_object_get(s, "before"));
	unsigned char after = (unsigned char)json_integer_value(json_object_get(s, "after"));
	unsigned long long start;
	const char *method = "", *action;
	pid_t pid;
	int sig;

	if (proc_from_json(s, &pid, &start) < 0 || !addr)
		return agent_err_set(e, "undo state of mem-bitflip is malformed");
	if (!proc_alive(pid, start)) {
		json_object_set_new(c->evidence, "action", json_string("none: process gone"));
		return 0;
	}
	if (pt_seize_stop(pid, 2000, &sig, e) < 0)
		return -1;
	if (peek_byte(pid, addr, &now) < 0)
		action = "none: address no longer readable";
	else if (now != after)
		action = "none: the byte changed since the flip";
	else if (poke_byte(pid, addr, before, &method) < 0)
		action = "failed: cannot write the byte back";
	else
		action = "restored";
	pt_detach(pid, sig);
	json_object_set_new(c->evidence, "action", json_string(action));
	json_object_set_new(c->evidence, "address", agent_json_hex(addr));
	return strncmp(action, "failed", 6) ? 0 : agent_err_set(e, "%s", action);
}

const struct fault fault_mem_bitflip = {
	.name = "mem-bitflip",
	.summary = "flip one bit of a process's memory (text, data, heap, stack or "
		   "an address), via /proc/PID/mem while ptrace-stopped",
	.undo_help = "writes the original byte back if the flipped byte is still "
		     "there and the process lives",
	.params = params,
	.one_of = one_of,
	.apply = apply,
	.undo = undo,
};
