/* campaign serve under abuse, on loopback: idle and half-sent connections
 * do not keep others out and are dropped after the idle timeout; a
 * request for another Host (DNS rebinding) is refused. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "report.h"
#include "serve.h"
#include "tap.h"
#include "test_report_fixture.h"

static int connect_to(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One request; the response in out; at most 5 s. -1 if none came. */
static int http(int port, const char *request, struct buf *out)
{
	int64_t deadline = deadline_in_ms(5000);
	int fd = connect_to(port);
	char chunk[4096];

	buf_reset(out);
	if (fd < 0 || write(fd, request, strlen(request)) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while (!deadline_passed(deadline)) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, (int)deadline_left_ms(deadline)) <= 0)
			continue;
		n = read(fd, chunk, sizeof(chunk));
		if (n <= 0)
			break;
		buf_add(out, chunk, (size_t)n);
	}
	close(fd);
	return out->len ? 0 : -1;
}

/* GET path with the given Host header (NULL: none); the status code. */
static int get(int port, const char *path, const char *host, struct buf *out)
{
	char req[512];

	if (host)
		snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s\r\n"
			 "Connection: close\r\n\r\n", path, host);
	else
		snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\n\r\n", path);
	if (http(port, req, out) < 0 || strncmp(out->data, "HTTP/1.", 7))
		return -1;
	return atoi(out->data + 9);
}

static char *make_dir(const char *tmp)
{
	char *dir = xasprintf("%s/serve", tmp);
	struct fx f;
	struct err e = { "" };
	struct report_result res = { 0 };

	fx_open(&f, dir, "serve", "");
	fx_event(&f, "start");
	fx_run(&f, 1, "recovered", "netem", "n1", NULL, NULL, "", 100, NULL);
	fx_close(&f);
	ok(report_write(dir, NULL, &res, &e) == 0, "report: %s", e.msg);
	report_result_release(&res);
	return dir;
}

static void test_hosts(int port)
{
	struct buf r = BUF_INIT;
	char host[64];
	int code;

	snprintf(host, sizeof(host), "127.0.0.1:%d", port);
	code = get(port, "/", host, &r);
	ok(code == 200 && strstr(r.data, "<!DOCTYPE html>"), "Host %s: served (%d)", host, code);
	snprintf(host, sizeof(host), "localhost:%d", port);
	is_int(get(port, "/status.json", host, &r), 200, "Host localhost:PORT: served");
	snprintf(host, sizeof(host), "LocalHost:%d", port);
	is_int(get(port, "/", host, &r), 200, "host names are case-insensitive");
	snprintf(host, sizeof(host), "[::1]:%d", port);
	is_int(get(port, "/", host, &r), 200, "Host [::1]:PORT: served");
	code = get(port, "/", "evil.example", &r);
	ok(code == 421 && !strstr(r.data, "<!DOCTYPE html>"), "Host evil.example: refused (%d)",
	   code);
	snprintf(host, sizeof(host), "evil.example:%d", port);
	is_int(get(port, "/status.json", host, &r), 421, "Host evil.example:PORT: refused");
	snprintf(host, sizeof(host), "127.0.0.1:%d", port + 1);
	is_int(get(port, "/", host, &r), 421, "another port: refused");
	is_int(get(port, "/", "127.0.0.1", &r), 421, "no port (not 80): refused");
	snprintf(host, sizeof(host), "127.0.0.1.evil.example:%d", port);
	is_int(get(port, "/", host, &r), 421, "a name that starts like the address: refused");
	is_int(get(port, "/", NULL, &r), 421, "HTTP/1.0 without a Host: refused");
	buf_release(&r);
}

/* More idle connections than the old limit (64), and some that send half
 * a request: a normal request is still answered at once. */
static void test_idle(int port)
{
	enum { N_IDLE = 100, N_HALF = 20 };
	int idle[N_IDLE + N_HALF], n = 0, code;
	struct buf r = BUF_INIT;
	char host[64];
	int64_t t0, took;

	for (int i = 0; i < N_IDLE + N_HALF; i++) {
		int fd = connect_to(port);

		if (fd < 0)
			break;
		if (i >= N_IDLE && write(fd, "GET / HTTP/1.1\r\nHost: 127.0.0.1", 31) < 0)
			break;
		idle[n++] = fd;
	}
	is_int(n, N_IDLE + N_HALF, "idle and half-sent connections are open");
	snprintf(host, sizeof(host), "127.0.0.1:%d", port);
	t0 = clock_mono_ms();
	code = get(port, "/", host, &r);
	took = clock_mono_ms() - t0;
	ok(code == 200, "with them open, a request is served (%d)", code);
	ok(took < 2000, "at once, not after the idle ones time out (%lld ms)", (long long)took);
	/* the idle timeout of this server is 3 s: they are closed */
	{
		int64_t deadline = deadline_in_ms(8000);
		int closed = 0;

		while (closed < n && !deadline_passed(deadline)) {
			closed = 0;
			for (int i = 0; i < n; i++) {
				struct pollfd p = { .fd = idle[i], .events = POLLIN };
				char c;

				if (poll(&p, 1, 0) > 0 && recv(idle[i], &c, 1, MSG_PEEK) <= 0)
					closed++;
			}
			if (closed < n)
				usleep(100000);
		}
		is_int(closed, n, "the server closed every idle connection after its timeout");
	}
	for (int i = 0; i < n; i++)
		close(idle[i]);
	buf_release(&r);
}

int main(void)
{
	char *tmp = fx_tmpdir(), *dir = make_dir(tmp);
	struct serve_options o = { .dir = dir, .port = 0, .idle_timeout_s = 3 };
	struct server *s = NULL;
	struct err e = { "" };

	alarm(60);
	ok(serve_start(&o, &s, &e) == 0, "serve: %s", e.msg);
	if (s) {
		test_hosts(serve_port(s));
		test_idle(serve_port(s));
		serve_stop(s);
	}
	free(dir);
	fx_rmdir(tmp);
	return tap_done();
}
