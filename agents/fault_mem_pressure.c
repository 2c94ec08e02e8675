/* fault_mem_pressure.c - hold mib MiB of touched (and, if it can, locked)
 * anonymous memory for a while. */
#include "helper.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const struct param_spec params[] = {
	P_INT("mib", 1, 1048576, "64", "memory to hold, MiB"),
	P_BOOL("mlock", "true", "lock it in RAM (no swapping it out)"),
	P_INT("oom_score_adj", -1000, 1000, "0", "the helper's OOM score adjustment "
	      "(-1000: the OOM killer picks someone else)"),
	P_NUM("duration_s", 0, 86400, "10", "how long; 0: until undone"),
	P_END
};

static long long mem_total_mib(void)
{
	char buf[4096], *p;

	if (agent_read_file("/proc/meminfo", buf, sizeof(buf)) <= 0 ||
	    !(p = strstr(buf, "MemTotal:")))
		return -1;
	return strtoll(p + 9, NULL, 10) / 1024;
}

static int apply(struct fault_ctx *c, struct agent_err *e)
{
	long long want = param_int(c->params, "mib", 64), total = mem_total_mib();

	if (total > 0 && want > total)
		return agent_err_set(e, "mem-pressure wants %lld MiB but the node has %lld MiB",
				     want, total);
	json_object_set_new(c->evidence, "mem_total_mib", json_integer(total));
	return 0;
}

static long rss_kib(void)
{
	char buf[4096], *p;

	if (agent_read_file("/proc/self/status", buf, sizeof(buf)) <= 0 ||
	    !(p = strstr(buf, "VmRSS:")))
		return -1;
	return strtol(p + 6, NULL, 10);
}

static int helper(struct fault_ctx *c, struct helper *h, struct agent_err *e)
{
	size_t size = (size_t)param_int(c->params, "mib", 64) << 20;
	long page = sysconf(_SC_PAGESIZE);
	char adj[16];
	int fd, locked = 0, lock_err = 0;
	json_t *ev;
	char *mem;

	snprintf(adj, sizeof(adj), "%lld", param_int(c->params, "oom_score_adj", 0));
	if ((fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC)) >= 0) {
		agent_write_all(fd, adj, strlen(adj));
		close(fd);
	}
	mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return agent_err_errno(e, errno, "cannot map %zu MiB", size >> 20);
	if (param_bool(c->params, "mlock")) {
		locked = mlock(mem, size) == 0;
		lock_err = locked ? 0 : errno;
	}
	for (size_t off = 0; off < size; off += page)
		mem[off] = (char)(off / page) | 1;	/* touched, not a zero page */
	ev = json_pack("{s:I, s:b, s:s?, s:i}", "bytes", (json_int_t)size, "locked", locked,
		       "mlock_error", lock_err ? strerror(lock_err) : NULL, "rss_kib",
		       (int)rss_kib());
	agent_stamp(ev);
	helper_ready(h, ev);
	json_decref(ev);
	helper_wait(h);
	munmap(mem, size);
	return 0;
}

static int undo(struct fault_ctx *c, struct agent_err *e)
{
	(void)e;
	json_object_set_new(c->evidence, "action", json_string("memory freed with the helper"));
	return 0;
}

const struct fault fault_mem_pressure = {
	.name = "mem-pressure",
	.summary = "allocate, touch and mlock mib MiB in a helper for duration_s",
	.undo_help = "ends the helper, which frees the memory",
	.params = params,
	.apply = apply,
	.undo = undo,
	.helper = helper,
};
