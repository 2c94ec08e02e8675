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

char *paths_local_agent(void)
{
	const char *env = getenv("CAMPAIGN_AGENT");
	char exe[4096];
	ssize_t n;

	if (env && *env)
		return xstrdup(env);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return xstrdup("campaign-agent");
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';
	return xasprintf("%s/../agents/campaign-agent", exe);
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

int paths_write_atomic(const char *path, const char *data, struct err *e)
{
	char *tmp = xasprintf("%s.tmp.%d", path, (int)getpid());
	size_t len = strlen(data), done = 0;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0) {
		err_errno(e, errno, "cannot write '%s'", tmp);
		free(tmp);
		return -1;
	}
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		done += (size_t)n;
	}
	if (done < len || fsync(fd) < 0 || close(fd) < 0) {
		err_errno(e, errno, "cannot write '%s'", tmp);
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		free(tmp);
		return -1;
	}
	if (rename(tmp, path) < 0) {
		err_errno(e, errno, "cannot rename '%s' to '%s'", tmp, path);
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
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

/* Read fd to its end into out, at most max_bytes; subject names the file
 * in messages ("history 'h.jsonl'"). */
static int read_capped(int fd, const char *subject, size_t max_bytes,
		       struct buf *out, struct err *e)
{
	char chunk[65536];
	size_t total = 0;

	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_errno(e, errno, "cannot read %s", subject);
		if (n == 0)
			return 0;
		total += (size_t)n;
		if (total > max_bytes)	/* it grew after fstat */
			return err_set(e, "%s is larger than %zu bytes", subject, max_bytes);
		buf_add(out, chunk, (size_t)n);
	}
}

int paths_read_file(const char *path, const char *what, size_t max_bytes,
		    struct buf *out, struct err *e)
{
	char *subject = what ? xasprintf("%s '%s'", what, path) : xasprintf("'%s'", path);
	struct stat st;
	int fd, r;

	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		r = err_errno(e, errno, "cannot open %s", subject);
		goto out;
	}
	if (fstat(fd, &st) < 0)
		r = err_errno(e, errno, "cannot read %s", subject);
	else if (!S_ISREG(st.st_mode))
		r = err_set(e, "cannot read %s: %s, not a regular file", subject,
			    file_kind(st.st_mode));
	else if ((unsigned long long)st.st_size > max_bytes)
		r = err_set(e, "%s is larger than %zu bytes", subject, max_bytes);
	else {
		buf_grow(out, (size_t)st.st_size);
		r = read_capped(fd, subject, max_bytes, out, e);
	}
	close(fd);
out:
	free(subject);
	return r;
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
