#define _XOPEN_SOURCE 700
#include "paths.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"

char *paths_state_dir(void)
{
	const char *d = getenv("CAMPAIGN_STATE_DIR");

	return xstrdup(d && *d ? d : "/var/lib/campaign");
}

/* The directory of this program, or NULL. New string. */
static char *exe_dir(void)
{
	char exe[4096], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	return xstrdup(exe);
}

/* 1 when this program runs from a build tree; *ret_up is <exe>/.. */
static int in_build_tree(char **ret_up)
{
	char *dir = exe_dir(), *agent;
	int r;

	*ret_up = dir ? xasprintf("%s/..", dir) : xstrdup("..");
	agent = xasprintf("%s/agents/campaign-agent", *ret_up);
	r = access(agent, F_OK) == 0;
	free(agent);
	free(dir);
	return r;
}

char *paths_programs_dir(void)
{
	char *up, *ret;

	if (in_build_tree(&up))
		return up;
	ret = xasprintf("%s/lib/campaign", up);
	free(up);
	return ret;
}

char *paths_data_dir(void)
{
	char *up, *ret;

	ret = in_build_tree(&up) ? xstrdup(CAMPAIGN_SOURCE_DIR)
				 : xasprintf("%s/share/campaign", up);
	free(up);
	return ret;
}

char *paths_local_agent(void)
{
	const char *env = getenv("CAMPAIGN_AGENT");
	char *dir, *ret;

	if (env && *env)
		return xstrdup(env);
	dir = paths_programs_dir();
	ret = xasprintf("%s/agents/campaign-agent", dir);
	free(dir);
	return ret;
}

int paths_mkdirs(const char *path, int mode, struct err *e)
{
	char *p = xstrdup(path);

	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s)
			continue;
		char c = *s;

		*s = '\0';
		if (mkdir(p, (mode_t)mode) < 0 && errno != EEXIST) {
			err_errno(e, errno, "cannot create directory '%s'", p);
			free(p);
			return -1;
		}
		if (!c)
			break;
		*s = c;
	}
	free(p);
	return 0;
}

/* close(fd) once, whatever it answers: after close() fails (EIO, EINTR)
 * Linux has released the descriptor already, and in a program with
 * threads a second close() could close a file another thread has just
 * opened under the same number. EINTR is not a failure: the descriptor
 * is gone and the data was synced before. 0 or an errno value. */
static int close_once(int fd)
{
	return close(fd) < 0 && errno != EINTR ? errno : 0;
}

int paths_write_file_atomic(const char *path, const void *data, size_t len,
			    int sync, struct err *e)
{
	const char *slash = strrchr(path, '/');
	/* a unique name in the same directory: rename() stays atomic, and two
	 * threads writing the same file (the report refresher) never mix */
	char *tmp = slash ? xasprintf("%.*s/.tmp-%s-XXXXXX", (int)(slash - path), path,
				      slash + 1)
			  : xasprintf(".tmp-%s-XXXXXX", path);
	int fd = mkostemp(tmp, O_CLOEXEC), r = -1, rc;
	size_t done = 0;

	if (fd < 0) {
		err_errno(e, errno, "cannot create '%s'", tmp);
		free(tmp);
		return -1;
	}
	while (done < len) {
		ssize_t n = write(fd, (const char *)data + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		done += (size_t)n;
	}
	if (done < len || fchmod(fd, 0644) < 0 || (sync && fsync(fd) < 0)) {
		err_errno(e, errno, "cannot write '%s'", tmp);
		goto cleanup;
	}
	rc = close_once(fd);
	fd = -1;
	if (rc) {
		err_errno(e, rc, "cannot write '%s'", tmp);
		goto cleanup;
	}
	if (rename(tmp, path) < 0) {
		err_errno(e, errno, "cannot rename '%s' to '%s'", tmp, path);
		goto cleanup;
	}
	r = 0;
cleanup:
	if (fd >= 0)
		close(fd);
	if (r < 0)
		unlink(tmp);
	free(tmp);
	return r;
}

int paths_write_atomic(const char *path, const char *data, struct err *e)
{
	return paths_write_file_atomic(path, data, strlen(data), 1, e);
}

static const char *file_kind(mode_t mode)
{
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISSOCK(mode))
		return "a socket";
	return "a special file";
}

int paths_fsync_dir(const char *dir, struct err *e)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || fsync(fd) < 0) {
		err_errno(e, errno, "cannot sync directory '%s'", dir);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static char *subject_of(const char *path, const char *what)
{
	return what ? xasprintf("%s '%s'", what, path) : xasprintf("'%s'", path);
}

static int open_regular(const char *path, const char *what, struct stat *ret_st,
			struct err *e)
{
	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK), saved;
	char *subject = subject_of(path, what);
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0) {
		saved = errno;
		err_errno(e, saved, "cannot %s %s", fd < 0 ? "open" : "read", subject);
		if (fd >= 0)
			close(fd);
		fd = -1;
	} else if (!S_ISREG(st.st_mode)) {
		err_set(e, "cannot read %s: %s, not a regular file", subject,
			file_kind(st.st_mode));
		close(fd);
		fd = -1;
		saved = EINVAL;
	} else if (ret_st) {
		*ret_st = st;
	}
	free(subject);
	if (fd < 0)
		errno = saved;
	return fd;
}

int paths_open_regular(const char *path, struct stat *ret_st, struct err *e)
{
	return open_regular(path, NULL, ret_st, e);
}

int paths_read_file(const char *path, const char *what, size_t max_bytes,
		    struct buf *out, struct err *e)
{
	struct stat st;
	int fd = open_regular(path, what, &st, e), saved = EFBIG;

	buf_reset(out);
	if (fd < 0)
		return -1;
	if ((unsigned long long)st.st_size > max_bytes)
		goto cleanup;
	buf_grow(out, (size_t)st.st_size);
	while (out->len <= max_bytes) {
		size_t want = max_bytes - out->len + 1;	/* one more: a file that grew */
		ssize_t n;

		if (want > 65536)
			want = 65536;
		buf_grow(out, want);
		n = read(fd, out->data + out->len, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			saved = n < 0 ? errno : 0;
			break;
		}
		out->len += (size_t)n;
		out->data[out->len] = '\0';
	}
cleanup:
	close(fd);
	if (!saved)
		return 0;
	{
		char *subject = subject_of(path, what);

		if (saved == EFBIG)
			err_set(e, "%s is larger than %zu bytes", subject, max_bytes);
		else
			err_errno(e, saved, "cannot read %s", subject);
		free(subject);
	}
	buf_reset(out);
	errno = saved;
	return -1;
}

static int remove_entry(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

int paths_remove_tree(const char *path, struct err *e)
{
	if (access(path, F_OK) < 0)
		return 0;
	if (nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS) < 0)
		return err_errno(e, errno, "cannot remove '%s'", path);
	return 0;
}
