/* paths.c: a failed close() is never repeated. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "paths.h"
#include "tap.h"

/* close() of this program (the core library's calls land here): when
 * close_fails is set, the next close() releases the descriptor, as Linux
 * does, and then reports that errno; later close() calls of that number
 * are counted. */
static int close_fails, failed_fd = -1, closed_again;

int close(int fd)
{
	long r = syscall(SYS_close, fd);

	if (fd == failed_fd)
		closed_again++;
	if (r == 0 && close_fails) {
		failed_fd = fd;
		errno = close_fails;
		close_fails = 0;
		return -1;
	}
	return (int)r;
}

static void arm_close(int errnum)
{
	close_fails = errnum;
	failed_fd = -1;
	closed_again = 0;
}

static void test_close_once(const char *tmp)
{
	char *path = xasprintf("%s/atomic", tmp), *left = xasprintf("%s.tmp.%d", path,
								     (int)getpid());
	struct err e = { "" };
	struct stat st;
	int r;

	arm_close(EIO);
	r = paths_write_atomic(path, "data\n", &e);
	ok(r < 0 && strstr(e.msg, "cannot write '") && strstr(e.msg, "Input/output error"),
	   "close() fails with EIO: an error naming the file: %s", e.msg);
	ok(failed_fd >= 0, "the failing close() was the file's");
	is_int(closed_again, 0, "EIO: the descriptor is not closed a second time");
	ok(stat(path, &st) < 0 && stat(left, &st) < 0, "EIO: no file, no temporary left");

	arm_close(EINTR);
	e.msg[0] = '\0';
	r = paths_write_atomic(path, "data\n", &e);
	ok(r == 0, "close() interrupted: the file is closed and written: %s", e.msg);
	is_int(closed_again, 0, "EINTR: the descriptor is not closed a second time");
	ok(stat(path, &st) == 0 && st.st_size == 5, "EINTR: the file is in place");
	failed_fd = -1;
	unlink(path);
	free(path);
	free(left);
}

int main(void)
{
	char tmpl[] = "/tmp/test_paths.XXXXXX";
	char *tmp = mkdtemp(tmpl);

	if (!tmp)
		return 1;
	test_close_once(tmp);
	paths_remove_tree(tmp, NULL);
	return tap_done();
}
