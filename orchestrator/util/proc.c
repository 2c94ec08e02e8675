#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"

extern char **environ;

static void last_line(struct buf *errout, char *out, size_t size)
{
	char *start;

	buf_rtrim(errout);
	start = strrchr(errout->data, '\n');
	snprintf(out, size, "%s", start ? start + 1 : errout->data);
}

/* Only the last line of stderr is reported: keep its end, so that a
 * program writing without end cannot fill memory. */
static void keep_end(struct buf *b)
{
	const size_t most = 65536, keep = 4096;

	if (b->len <= most)
		return;
	memmove(b->data, b->data + b->len - keep, keep);
	b->len = keep;
	b->data[keep] = '\0';
}

static int drain(int fd, struct buf *b)
{
	char chunk[4096];
	ssize_t n = read(fd, chunk, sizeof(chunk));

	if (n > 0 && b)
		buf_add(b, chunk, (size_t)n);
	return n > 0 || (n < 0 && errno == EINTR);
}

static int collect(pid_t pid, int out_fd, int err_fd, struct buf *out,
		   struct buf *errout, int timeout_ms, int *ret_status)
{
	struct pollfd fds[2] = { { out_fd, POLLIN, 0 }, { err_fd, POLLIN, 0 } };
	int64_t deadline = deadline_in_ms(timeout_ms);
	int open_fds = 2, timed_out = 0;

	while (open_fds) {
		int r = poll(fds, 2, (int)deadline_left_ms(deadline));

		if (r == 0) {
			timed_out = 1;
			kill(pid, SIGKILL);
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (fds[i].fd < 0 || !fds[i].revents)
				continue;
			if (!drain(fds[i].fd, i ? errout : out)) {
				fds[i].fd = -1;
				open_fds--;
			}
			keep_end(errout);
		}
	}
	while (waitpid(pid, ret_status, 0) < 0 && errno == EINTR)
		;
	return timed_out ? -1 : 0;
}

static int run(char *const argv[], struct buf *out, int timeout_ms,
	       int *ret_status, char *tail, size_t tail_size, struct err *e)
{
	posix_spawn_file_actions_t fa;
	int out_pipe[2], err_pipe[2], status = 0, r;

	*ret_status = -1;
	struct buf errout = BUF_INIT;
	pid_t pid;

	tail[0] = '\0';
	if (pipe2(out_pipe, O_CLOEXEC) < 0)
		return err_errno(e, errno, "cannot run '%s'", argv[0]);
	if (pipe2(err_pipe, O_CLOEXEC) < 0) {
		close(out_pipe[0]);
		close(out_pipe[1]);
		return err_errno(e, errno, "cannot run '%s'", argv[0]);
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
	posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2);
	r = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(out_pipe[1]);
	close(err_pipe[1]);
	if (r) {
		close(out_pipe[0]);
		close(err_pipe[0]);
		return err_errno(e, r, "cannot run '%s'", argv[0]);
	}
	r = collect(pid, out_pipe[0], err_pipe[0], out, &errout, timeout_ms, &status);
	close(out_pipe[0]);
	close(err_pipe[0]);
	last_line(&errout, tail, tail_size);
	buf_release(&errout);
	if (r < 0)
		return err_set(e, "'%s' did not finish within %d ms", argv[0], timeout_ms);
	*ret_status = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
	return 0;
}

int proc_run_status(char *const argv[], struct buf *out, char *ret_tail,
		    size_t tail_size, int timeout_ms, struct err *e)
{
	char tail[512];
	int status, r;

	r = run(argv, out, timeout_ms, &status, tail, sizeof(tail), e);
	if (ret_tail && tail_size)
		snprintf(ret_tail, tail_size, "%s", tail);
	return r < 0 ? -1 : status;
}

int proc_run(char *const argv[], struct buf *out, int timeout_ms,
	     struct err *e)
{
	char tail[512];
	int status;

	if (run(argv, out, timeout_ms, &status, tail, sizeof(tail), e) < 0)
		return -1;
	if (status > 128)
		return err_set(e, "'%s' was killed by signal %d", argv[0], status - 128);
	if (status)
		return err_set(e, "'%s' failed with exit status %d%s%s", argv[0],
			       status, *tail ? ": " : "", tail);
	return 0;
}
