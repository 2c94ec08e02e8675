/* fault_io_error.c - I/O on a path (or a dm device) fails.
 *
 * Two mechanisms, named in the evidence:
 *  - device-mapper: when the path's filesystem lives on a dm device (or a
 *    dm device is named), its table is swapped for `error` targets (all
 *    I/O fails) or `flakey ... error_writes` over linear targets (writes
 *    fail); the undo loads the saved table back. Every process sees it.
 *  - ptrace: otherwise, a target process's file system calls on files
 *    under the path fail with errno (the syscall-error engine).
 */
#include "dm.h"
#include "proc.h"
#include "sysinj.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static const char *const modes[] = { "auto", "dm", "syscall", NULL };
static const char *const ops[] = { "all", "read", "write", NULL };

static const struct param_spec params[] = {
	P_STR("path", &fmt_abspath, 4095, NULL, "I/O on files under this path fails"),
	P_STR("device", &fmt_dmname, 127, NULL, "or: this device-mapper device fails"),
	P_ENUM("mode", modes, "auto", "dm: swap the device-mapper table; syscall: "
	       "fail a process's calls with ptrace; auto: dm where possible"),
	P_ENUM("ops", ops, "all", "which I/O fails (dm: all or write)"),
	P_STR("errno", &fmt_errno, 16, "EIO", "the error of failed calls (syscall mode; "
	      "dm always gives EIO)"),
	P_STR("process", &fmt_procname, 255, NULL, "syscall mode: the process, by name"),
	P_INT("pid", 1, 4194304, NULL, "syscall mode: the process, by id"),
	P_STR("pidfile", &fmt_abspath, 4095, NULL, "syscall mode: the process, by pidfile"),
	P_STR("cgroup", &fmt_cgroup, 4095, NULL, "syscall mode: the process, by cgroup"),
	P_ENUM("pick", target_picks, "oldest", "syscall mode: which match"),
	P_INT("count", 0, 1000000000, "0", "syscall mode: fail this many calls; 0: no limit"),
	P_NUM("probability_pct", 0.01, 100, "100", "syscall mode: fail a call this often"),
	P_INT("seed", 0, (1LL << 53), NULL, "seed of picks and draws"),
	P_NUM("duration_s", 0, 86400, "0", "end after this long; 0: until undone"),
	P_END
};
static const char *const one_of[] = { "path|device", NULL };

static const char *const read_calls[] = {
	"read", "pread64", "readv", "preadv", "preadv2", NULL
};
static const char *const write_calls[] = {
	"write", "pwrite64", "writev", "pwritev", "pwritev2", "fsync", "fdatasync",
	"sync_file_range", "fallocate", "ftruncate", NULL
};
static const char *const open_calls[] = { "open", "openat", "openat2", "creat", NULL };

static int targets_given(json_t *p)
{
	return !!json_object_get(p, "process") + !!json_object_get(p, "pid") +
	       !!json_object_get(p, "pidfile") + !!json_object_get(p, "cgroup");
}

static int check(json_t *p, struct agent_err *e)
{
	const char *mode = param_str(p, "mode");

	if (targets_given(p) > 1)
		return agent_err_set(e, "give at most one of 'process', 'pid', 'pidfile', 'cgroup'");
	if (!strcmp(mode, "syscall") && (!json_object_get(p, "path") || !targets_given(p)))
		return agent_err_set(e, "syscall mode needs 'path' and a target process");
	if (json_object_get(p, "device") && !strcmp(mode, "syscall"))
		return agent_err_set(e, "'device' needs dm mode");
	if (!strcmp(mode, "dm") && !strcmp(param_str(p, "ops"), "read"))
		return agent_err_set(e, "dm mode cannot fail reads only: use ops all or write");
	return 0;
}

/* The dm device under the params, into name; -1 with the reason. */
static int find_dm(json_t *p, char *name, size_t size, struct agent_err *e)
{
	const char *path = param_str(p, "path");
	int major = dm_major();
	struct stat st;

	if (major < 0)
		return agent_err_set(e, "the kernel has no device-mapper");
	if (access("/dev/mapper/control", R_OK | W_OK) < 0)
		return agent_err_errno(e, errno, "cannot use '/dev/mapper/control'");
	if (json_object_get(p, "device")) {
		snprintf(name, size, "%s", param_str(p, "device"));
		return 0;
	}
	if (stat(path, &st) < 0)
		return agent_err_errno(e, errno, "cannot stat '%s'", path);
	if ((int)major(st.st_dev) != major)
		return agent_err_set(e, "'%s' is not on a device-mapper device (%u:%u)", path,
				     major(st.st_dev), minor(st.st_dev));
	return dm_name_of(st.st_dev, name, size, e);
}

/* The failing table: error targets, or flakey error_writes over linear. */
static int failing_table(json_t *old, const char *op, json_t **ret, struct agent_err *e)
{
	json_t *t, *out = json_array();
	size_t i;

	json_array_foreach(old, i, t) {
		const char *type = json_string_value(json_object_get(t, "type"));
		char args[1100];

		if (!strcmp(op, "all")) {
			snprintf(args, sizeof(args), "%s", "");
			type = "error";
		} else if (!strcmp(type, "linear")) {
			snprintf(args, sizeof(args), "%s 0 1 1 error_writes",
				 json_string_value(json_object_get(t, "params")));
			type = "flakey";
		} else {
			json_decref(out);
			return agent_err_set(e, "cannot fail only writes of a '%s' target: "
					     "use ops all", type);
		}
		json_array_append_new(out, json_pack("{s:O, s:O, s:s, s:s}", "start",
				      json_object_get(t, "start"), "length",
				      json_object_get(t, "length"), "type", type, "params", args));
	}
	*ret = out;
	return 0;
}

static int apply_dm(struct fault_ctx *c, const char *name, struct agent_err *e)
{
	json_t *old = NULL, *fail = NULL;

	if (dm_table(name, &old, e) < 0)
		return -1;
	if (failing_table(old, param_str(c->params, "ops"), &fail, e) < 0) {
		json_decref(old);
		return -1;
	}
	if (dm_swap(name, fail, e) < 0) {
		json_decref(old);
		json_decref(fail);
		return -1;
	}
	agent_stamp(c->evidence);
	json_object_set_new(c->evidence, "mechanism", json_string("device-mapper"));
	json_object_set_new(c->evidence, "device", json_string(name));
	json_object_set_new(c->evidence, "old_table", dm_table_lines(old));
	json_object_set_new(c->evidence, "new_table", dm_table_lines(fail));
	json_object_set_new(c->state, "mode", json_string("dm"));
	json_object_set_new(c->state, "device", json_string(name));
	json_object_set_new(c->state, "table", old);
	json_decref(fail);
	return 0;
}

static int apply(struct fault_ctx *c, struct agent_err *e)
{
	const char *mode = param_str(c->params, "mode");
	struct agent_err why = { "" };
	struct proc_info p;
	char name[128];

	if (strcmp(mode, "syscall") && strcmp(param_str(c->params, "ops"), "read")) {
		if (find_dm(c->params, name, sizeof(name), &why) == 0)
			return apply_dm(c, name, e);
		if (!strcmp(mode, "dm"))
			return agent_err_set(e, "mode 'dm': %s", why.msg);
		if (!targets_given(c->params) || !json_object_get(c->params, "path"))
			return agent_err_set(e, "no device-mapper injection (%s) and no target "
					     "process for syscall-level injection", why.msg);
	}
	if (target_one(c->params, (uint64_t)param_int(c->params, "seed", 0), &p, e) < 0)
		return -1;
	json_object_set_new(c->state, "mode", json_string("syscall"));
	json_object_set_new(c->state, "target", proc_json(&p));
	json_object_set_new(c->evidence, "process", proc_json(&p));
	if (why.msg[0])
		json_object_set_new(c->evidence, "dm_unavailable", json_string(why.msg));
	return 0;
}

static int helper(struct fault_ctx *c, struct helper *h, struct agent_err *e)
{
	const char *op = param_str(c->params, "ops");
	struct sysinj s = { 0 };
	char stats[4200];

	if (strcmp(json_string_value(json_object_get(c->state, "mode")) ?: "", "syscall")) {
		helper_ready(h, NULL);	/* dm: only the deadline to keep */
		helper_wait(h);
		return 0;
	}
	syscall_error_setup(c, &s, stats, sizeof(stats));
	if (strcmp(op, "write"))
		sysinj_mark(&s, read_calls);
	if (strcmp(op, "read"))
		sysinj_mark(&s, write_calls);
	if (!strcmp(op, "all"))
		sysinj_mark(&s, open_calls);
	return sysinj_run(&s, h, e);
}

static int undo(struct fault_ctx *c, struct agent_err *e)
{
	const char *mode = json_string_value(json_object_get(c->state, "mode"));
	const char *name = json_string_value(json_object_get(c->state, "device"));
	json_t *table = json_object_get(c->state, "table"), *now = NULL;

	if (mode && !strcmp(mode, "syscall"))
		return syscall_error_undo(c, e);
	if (!mode || strcmp(mode, "dm") || !name || !json_is_array(table))
		return agent_err_set(e, "undo state of io-error is malformed");
	if (dm_table(name, &now, NULL) == 0 && json_equal(now, table)) {
		json_decref(now);
		json_object_set_new(c->evidence, "action", json_string("none: table already restored"));
		return 0;
	}
	json_decref(now);
	if (dm_swap(name, table, e) < 0)
		return -1;
	json_object_set_new(c->evidence, "action", json_string("restored table"));
	json_object_set_new(c->evidence, "table", dm_table_lines(table));
	return 0;
}

const struct fault fault_io_error = {
	.name = "io-error",
	.summary = "make I/O under a path fail: device-mapper error/flakey table "
		   "where the path is on a dm device, else ptrace syscall errors in a process",
	.undo_help = "loads the saved device-mapper table back, or detaches the "
		     "tracing helper",
	.params = params,
	.one_of = one_of,
	.check = check,
	.apply = apply,
	.undo = undo,
	.helper = helper,
};
