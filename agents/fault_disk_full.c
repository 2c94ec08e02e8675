/* fault_disk_full.c - fill the filesystem of a path until only leave_bytes
 * remain free (to root: f_bfree), with one file .campaign-fill-ID next to
 * the path. fallocate where the filesystem has it, else zeros written. */
#include "fault.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define FILL_PREFIX ".campaign-fill-"

static const struct param_spec params[] = {
	P_STR("path", &fmt_abspath, 4095, NULL, "a file or directory on the "
	      "filesystem to fill; the filler goes in it (or next to it)", REQ),
	P_INT("leave_bytes", 0, (1LL << 50), "0", "free bytes left on the filesystem"),
	P_NUM("duration_s", 0, 86400, "0", "delete the filler after this long; "
	      "0: until undone"),
	P_END
};

static json_t *fs_json(const char *dir)
{
	struct statvfs s;

	if (statvfs(dir, &s) < 0)
		return json_pack("{s:s}", "error", strerror(errno));
	return json_pack("{s:I, s:I, s:I, s:I}", "total_bytes",
			 (json_int_t)(s.f_blocks * s.f_frsize), "free_bytes",
			 (json_int_t)(s.f_bfree * s.f_frsize), "avail_bytes",
			 (json_int_t)(s.f_bavail * s.f_frsize), "block_size",
			 (json_int_t)s.f_frsize);
}

static long long free_bytes(const char *dir, long long *ret_block)
{
	struct statvfs s;

	if (statvfs(dir, &s) < 0)
		return -1;
	*ret_block = s.f_frsize ? (long long)s.f_frsize : 4096;
	return (long long)(s.f_bfree * s.f_frsize);
}

/* Grow fd from *size by want bytes at most: fallocate in shrinking steps
 * (a filesystem needs room for its own metadata too), else write zeros. */
static int grow(int fd, long long *size, long long want, long long block,
		const char **method)
{
	static char zeros[1 << 20];
	long long step = want;

	while (want >= block && step >= block) {
		if (step > want)
			step = want;
		if (fallocate(fd, 0, *size, step) == 0) {
			*size += step;
			want -= step;
			*method = "fallocate";
			continue;
		}
		if (errno == EOPNOTSUPP || errno == ENOSYS)
			break;
		if (errno != ENOSPC && errno != EFBIG)
			return -1;
		step /= 2;
	}
	while (want >= block && strcmp(*method, "fallocate")) {
		ssize_t n = pwrite(fd, zeros, want < (long long)sizeof(zeros) ? want
					      : (long long)sizeof(zeros), *size);

		if (n <= 0)
			break;	/* ENOSPC: full enough */
		*size += n;
		want -= n;
		*method = "write";
	}
	return 0;
}

static int apply(struct fault_ctx *c, struct agent_err *e)
{
	const char *path = param_str(c->params, "path");
	long long leave = param_int(c->params, "leave_bytes", 0), block, size = 0, free0, now;
	const char *method = "none";
	char dir[4096], filler[4200];
	struct stat st;
	int fd;

	if (stat(path, &st) < 0)
		return agent_err_errno(e, errno, "cannot fill the filesystem of '%s'", path);
	snprintf(dir, sizeof(dir), "%s", path);
	if (!S_ISDIR(st.st_mode))
		snprintf(dir, sizeof(dir), "%s", dirname(strcpy(filler, path)));
	snprintf(filler, sizeof(filler), "%s/" FILL_PREFIX "%s", strcmp(dir, "/") ? dir : "",
		 c->id);
	json_object_set_new(c->evidence, "before", fs_json(dir));
	if ((free0 = free_bytes(dir, &block)) < 0)
		return agent_err_errno(e, errno, "cannot statvfs '%s'", dir);
	fd = open(filler, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return agent_err_errno(e, errno, "cannot create '%s'", filler);
	/* Fill, look again, top up: metadata and other writers move the goal. */
	for (int round = 0; round < 8 && (now = free_bytes(dir, &block)) > leave + block;
	     round++)
		if (grow(fd, &size, now - leave, block, &method) < 0) {
			int saved = errno;

			close(fd);
			unlink(filler);
			return agent_err_errno(e, saved, "cannot fill '%s'", filler);
		}
	fsync(fd);
	close(fd);
	agent_stamp(c->evidence);
	json_object_set_new(c->state, "file", json_string(filler));
	json_object_set_new(c->evidence, "path", json_string(path));
	json_object_set_new(c->evidence, "file", json_string(filler));
	json_object_set_new(c->evidence, "file_bytes", json_integer(size));
	json_object_set_new(c->evidence, "method", json_string(method));
	json_object_set_new(c->evidence, "leave_bytes", json_integer(leave));
	json_object_set_new(c->evidence, "after", fs_json(dir));
	if (free0 <= leave)
		json_object_set_new(c->evidence, "note", json_string(
			"the filesystem had no more than leave_bytes free already"));
	return 0;
}

static int verify(struct fault_ctx *c, struct agent_err *e)
{
	json_t *after = json_object_get(c->evidence, "after");
	long long free = json_integer_value(json_object_get(after, "free_bytes"));
	long long block = json_integer_value(json_object_get(after, "block_size"));
	long long leave = param_int(c->params, "leave_bytes", 0);

	/* A little slack: some filesystems keep blocks for their metadata. */
	if (free > leave + 16 * block + (1 << 20))
		return agent_err_set(e, "still %lld bytes free, wanted %lld", free, leave);
	return 0;
}

static int undo(struct fault_ctx *c, struct agent_err *e)
{
	const char *file = json_string_value(json_object_get(c->state, "file"));
	const char *base = file ? strrchr(file, '/') : NULL;
	char want[64];

	snprintf(want, sizeof(want), "/" FILL_PREFIX "%s", c->id);
	if (!file || file[0] != '/' || !base || strcmp(base, want))
		return agent_err_set(e, "undo state names '%s', not a filler of '%s'",
				     file ? file : "", c->id);
	int rc = unlink(file), saved = errno;

	if (rc < 0 && saved != ENOENT)
		return agent_err_errno(e, saved, "cannot delete '%s'", file);
	json_object_set_new(c->evidence, "action", json_string(rc < 0 ?
			    "none: filler absent" : "deleted filler"));
	json_object_set_new(c->evidence, "file", json_string(file));
	return 0;
}

const struct fault fault_disk_full = {
	.name = "disk-full",
	.summary = "fill the filesystem of a path until only leave_bytes remain "
		   "free, with one filler file",
	.undo_help = "deletes the filler file .campaign-fill-ID",
	.params = params,
	.apply = apply,
	.verify = verify,
	.undo = undo,
};
