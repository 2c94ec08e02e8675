/* tool.c - run nft, tc and friends with a deadline. */
#include "tool.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define TOOL_OUT_MAX 65536

int tool_find(const char *name, char *ret_path, size_t size)
{
	const char *path = getenv("PATH");
	char dirs[8192];
	char *save = NULL, *dir;

	snprintf(dirs, sizeof(dirs), "%s:/usr/sbin:/sbin:/usr/bin:/bin",
		 path ? path : "");
	for (dir = strtok_r(dirs, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		if (dir[0] != '/')
			continue;
		snprintf(ret_path, size, "%s/%s", dir, name);
		if (access(ret_path, X_OK) == 0)
			return 0;
	}
	return -1;
}

char *tool_cmdline(const char *const argv[])
{
	size_t len = 1;
	char *s;

	for (int i = 0; argv[i]; i++)
		len += strlen(argv[i]) + 1;
	s = calloc(1, len);
	for (int i = 0; s && argv[i]; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

static void child(const char *path, const char *const argv[], int in, int out)
{
	dup2(in, 0);
	dup2(out, 1);
	dup2(out, 2);
	closefrom(3);
	execv(path, (char *const *)argv);
	_exit(127);
}

/* Feed stdin, collect output, until EOF on the output and the deadline. */
static int pump(int in, int out, const char *data, char *buf, size_t *len,
		int64_t end)
{
	size_t off = 0, total = data ? strlen(data) : 0;

	if (!data || !total) {
		close(in);
		in = -1;
	}
	for (;;) {
		struct pollfd fds[2] = { { out, POLLIN, 0 }, { in, POLLOUT, 0 } };
		int64_t left = (end - agent_now_ns(CLOCK_MONOTONIC)) / 1000000;
		char tmp[4096];
		ssize_t n;

		if (left <= 0)
			break;
		if (poll(fds, in >= 0 ? 2 : 1, (int)left) < 0 && errno != EINTR)
			break;
		if (in >= 0 && fds[1].revents) {
			n = write(in, data + off, total - off);
			if (n > 0)
				off += n;
			if (n < 0 || off == total) {
				close(in);
				in = -1;
			}
		}
		if (fds[0].revents) {
			n = read(out, tmp, sizeof(tmp));
			if (n <= 0) {
				if (in >= 0)
					close(in);
				return 0;
			}
			/* Keep the head: error messages come first. */
			if (*len < TOOL_OUT_MAX) {
				size_t take = (size_t)n < TOOL_OUT_MAX - *len ? (size_t)n
									       : TOOL_OUT_MAX - *len;
				memcpy(buf + *len, tmp, take);
				*len += take;
			}
		}
	}
	if (in >= 0)
		close(in);
	return -1;
}

int tool_run(const char *const argv[], const char *stdin_data, char **ret_out,
	     long timeout_ms, struct agent_err *e)
{
	int64_t end = agent_now_ns(CLOCK_MONOTONIC) + (int64_t)timeout_ms * 1000000;
	int inp[2], outp[2], status, timed_out;
	char path[4096], *buf;
	size_t len = 0;
	pid_t pid;

	if (ret_out)
		*ret_out = NULL;
	if (tool_find(argv[0], path, sizeof(path)) < 0)
		return agent_err_set(e, "cannot run '%s': not found in PATH or sbin", argv[0]);
	if (pipe2(inp, O_CLOEXEC) < 0)
		return agent_err_errno(e, errno, "cannot run '%s'", argv[0]);
	if (pipe2(outp, O_CLOEXEC) < 0) {
		close(inp[0]);
		close(inp[1]);
		return agent_err_errno(e, errno, "cannot run '%s'", argv[0]);
	}
	signal(SIGPIPE, SIG_IGN);
	pid = fork();
	if (pid == 0)
		child(path, argv, inp[0], outp[1]);
	close(inp[0]);
	close(outp[1]);
	if (pid < 0) {
		close(inp[1]);
		close(outp[0]);
		return agent_err_errno(e, errno, "cannot run '%s'", argv[0]);
	}
	buf = malloc(TOOL_OUT_MAX + 1);
	timed_out = pump(inp[1], outp[0], stdin_data, buf, &len, end) < 0;
	close(outp[0]);
	if (timed_out)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		len--;	/* messages end inside a sentence */
	buf[len] = '\0';
	if (ret_out)
		*ret_out = buf;
	else
		free(buf);
	if (timed_out)
		return agent_err_set(e, "'%s' did not finish within %ld ms", argv[0], timeout_ms);
	if (!WIFEXITED(status))
		return agent_err_set(e, "'%s' died of signal %d", argv[0], WTERMSIG(status));
	return WEXITSTATUS(status);
}
