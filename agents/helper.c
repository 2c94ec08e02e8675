/* helper.c - detached helpers: spawn, ready handshake, deadline, stop. */
#include "helper.h"
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#define HELPER_LINE_MAX 65536

static volatile sig_atomic_t stop_requested;

static void on_term(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void on_tick(int sig)
{
	(void)sig;
}

/* No SA_RESTART: blocking calls in a body return EINTR on every tick. */
static void setup_signals(void)
{
	struct sigaction sa = { 0 };
	struct itimerval tick = { { 0, 100000 }, { 0, 100000 } };
	sigset_t set;

	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_tick;
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigprocmask(SIG_SETMASK, &set, NULL);
	setitimer(ITIMER_REAL, &tick, NULL);
}

static void send_line(int fd, json_t *obj)
{
	char *text = json_dumps(obj, JSON_COMPACT);

	if (text && fd >= 0) {
		agent_write_all(fd, text, strlen(text));
		agent_write_all(fd, "\n", 1);
	}
	free(text);
	json_decref(obj);
}

void helper_ready(struct helper *h, json_t *evidence)
{
	if (h->ready_fd < 0)
		return;
	if (h->duration_ns)
		h->deadline_ns = agent_now_ns(CLOCK_MONOTONIC) + h->duration_ns;
	send_line(h->ready_fd, json_pack("{s:O?, s:I}", "evidence", evidence,
					 "deadline_monotonic_ns", (json_int_t)h->deadline_ns));
	close(h->ready_fd);
	h->ready_fd = -1;
}

static void helper_fail(struct helper *h, const char *msg)
{
	if (h->ready_fd < 0)
		return;
	send_line(h->ready_fd, json_pack("{s:s}", "error", msg));
	close(h->ready_fd);
	h->ready_fd = -1;
}

int helper_should_stop(struct helper *h)
{
	if (h->end)
		return 1;
	if (stop_requested)
		h->end = "signal";
	else if (h->deadline_ns && agent_now_ns(CLOCK_MONOTONIC) >= h->deadline_ns)
		h->end = "deadline";
	return h->end != NULL;
}

int helper_signalled(void)
{
	return stop_requested != 0;
}

void helper_wait(struct helper *h)
{
	while (!helper_should_stop(h))
		pause();
}

void helper_forget(struct helper *h)
{
	if (h->ready_fd >= 0)
		close(h->ready_fd);
	h->ready_fd = -1;
}

static int timer_body(struct fault_ctx *c, struct helper *h, struct agent_err *e)
{
	(void)c;
	(void)e;
	helper_ready(h, NULL);
	helper_wait(h);
	return 0;
}

/* The grandchild: never returns. */
static void run_helper(struct fault_ctx *c, helper_body body, helper_end on_end,
		       int64_t duration_ns, int wfd)
{
	struct helper h = { .ready_fd = 3, .duration_ns = duration_ns };
	struct agent_err e = { "" };
	int null = open("/dev/null", O_RDWR);

	dup2(null, 0);
	dup2(null, 1);
	dup2(null, 2);
	if (wfd != 3)
		dup2(wfd, 3);
	closefrom(4);
	if (chdir("/") < 0)
		_exit(1);
	umask(022);
	prctl(PR_SET_NAME, "campaign-helper");
	setup_signals();
	send_line(3, json_pack("{s:i}", "pid", (int)getpid()));
	if ((body ? body : timer_body)(c, &h, &e) < 0) {
		helper_fail(&h, e.msg[0] ? e.msg : "helper failed");
		_exit(1);
	}
	helper_ready(&h, NULL);
	if (!h.end)
		h.end = "ended";
	/* A signal means an explicit undo is under way: it does the rest. */
	if (strcmp(h.end, "signal"))
		on_end(c, h.end);
	_exit(0);
}

/* Read one line from fd until the deadline; new JSON or NULL. */
static json_t *read_line(int fd, char *buf, size_t *len, int64_t end)
{
	for (;;) {
		char *nl = memchr(buf, '\n', *len);
		int64_t left = (end - agent_now_ns(CLOCK_MONOTONIC)) / 1000000;
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t n;

		if (nl) {
			json_t *obj = json_loadb(buf, nl - buf, 0, NULL);

			*len -= nl + 1 - buf;
			memmove(buf, nl + 1, *len);
			return obj;
		}
		if (left <= 0 || *len >= HELPER_LINE_MAX)
			return NULL;
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		n = read(fd, buf + *len, HELPER_LINE_MAX - *len);
		if (n <= 0)
			return NULL;
		*len += n;
	}
}

int helper_spawn(struct fault_ctx *c, helper_body body, helper_end on_end,
		 int64_t duration_ns, long ready_ms, json_t **ret_ready,
		 struct agent_err *e)
{
	int64_t end = agent_now_ns(CLOCK_MONOTONIC) + (int64_t)ready_ms * 1000000;
	char *buf = malloc(HELPER_LINE_MAX);
	json_t *first = NULL, *line = NULL;
	struct proc_info info;
	size_t len = 0;
	int pfd[2], status, rc = -1;
	pid_t pid, hpid = 0;

	if (!buf || pipe2(pfd, O_CLOEXEC) < 0) {
		free(buf);
		return agent_err_errno(e, errno, "cannot start helper");
	}
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		setsid();
		pid = fork();
		if (pid != 0)
			_exit(pid < 0);
		run_helper(c, body, on_end, duration_ns, pfd[1]);
	}
	close(pfd[1]);
	if (pid < 0) {
		agent_err_errno(e, errno, "cannot start helper");
		goto out;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	first = read_line(pfd[0], buf, &len, end);
	hpid = (pid_t)json_integer_value(json_object_get(first, "pid"));
	if (hpid <= 0) {
		agent_err_set(e, "helper did not start");
		goto out;
	}
	line = read_line(pfd[0], buf, &len, end);
	if (!line) {
		kill(hpid, SIGKILL);
		agent_err_set(e, "helper %d was not ready within %ld ms", (int)hpid, ready_ms);
		goto out;
	}
	if (json_is_string(json_object_get(line, "error"))) {
		agent_err_set(e, "%s", json_string_value(json_object_get(line, "error")));
		goto out;
	}
	if (proc_read(hpid, &info) < 0)
		info.starttime = 0;
	*ret_ready = json_pack("{s:i, s:I, s:O, s:O?}", "pid", (int)hpid, "starttime",
			       (json_int_t)info.starttime, "deadline_monotonic_ns",
			       json_object_get(line, "deadline_monotonic_ns"), "evidence",
			       json_object_get(line, "evidence"));
	rc = 0;
out:
	close(pfd[0]);
	json_decref(first);
	json_decref(line);
	free(buf);
	return rc;
}

int helper_stop(json_t *hs, json_t **ret, struct agent_err *e)
{
	unsigned long long start;
	const char *how;
	pid_t pid;

	if (proc_from_json(hs, &pid, &start) < 0)
		return agent_err_set(e, "helper state is malformed");
	if (!proc_alive(pid, start))
		how = "ended before the undo";
	else {
		kill(pid, SIGTERM);
		how = "ended on SIGTERM";
		if (!proc_wait_gone(pid, start, 3000)) {
			kill(pid, SIGKILL);
			how = "ended on SIGKILL";
			if (!proc_wait_gone(pid, start, 2000))
				return agent_err_set(e, "helper %d survived SIGKILL", (int)pid);
		}
	}
	*ret = json_pack("{s:i, s:s}", "pid", (int)pid, "ended", how);
	return 0;
}
