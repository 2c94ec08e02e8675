/* test_ssh_deadline.c - ssh_connect keeps its deadline whatever the peer
 * sends: loopback servers on threads of this test that answer with
 * anything but SSH (a line every 100 ms, a flood of lines, bytes without a
 * newline, an SSH banner and then garbage) or with nothing. No sshd. */
#include "buf.h"
#include "clock.h"
#include "err.h"
#include "ssh.h"
#include "tap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Any well-formed ed25519 key: the handshake never gets as far as it. */
#define HOST_KEY "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"

enum peer { DRIP, FLOOD_LINES, FLOOD_BYTES, BANNER_THEN_GARBAGE, SILENT };

struct server {
	enum peer kind;
	int listen_fd, port;
	atomic_int stop;
	pthread_t thread;
};

/* Send len bytes unless the client is gone or the test stops us;
 * 0, or -1 when done. */
static int send_all(struct server *s, int fd, const char *p, size_t len)
{
	while (len > 0 && !atomic_load(&s->stop)) {
		struct pollfd pf = { .fd = fd, .events = POLLOUT };
		ssize_t n;

		if (poll(&pf, 1, 50) <= 0)
			continue;
		n = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return atomic_load(&s->stop) ? -1 : 0;
}

static void serve_one(struct server *s, int fd)
{
	char flood[4096];

	memset(flood, 'x', sizeof(flood));
	if (s->kind == FLOOD_LINES)
		for (size_t i = 63; i < sizeof(flood); i += 64)
			flood[i] = '\n';
	if (s->kind == BANNER_THEN_GARBAGE &&
	    send_all(s, fd, "SSH-2.0-test\r\n", 14) < 0)
		return;
	while (!atomic_load(&s->stop)) {
		switch (s->kind) {
		case DRIP:
			if (send_all(s, fd, "this is not ssh\r\n", 17) < 0)
				return;
			usleep(100000);
			break;
		case SILENT:
			usleep(50000);
			break;
		default:
			if (send_all(s, fd, flood, sizeof(flood)) < 0)
				return;
		}
	}
}

static void *server_main(void *arg)
{
	struct server *s = arg;

	while (!atomic_load(&s->stop)) {
		struct pollfd pf = { .fd = s->listen_fd, .events = POLLIN };
		int fd;

		if (poll(&pf, 1, 50) <= 0)
			continue;
		fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		serve_one(s, fd);
		close(fd);
	}
	return NULL;
}

static int server_start(struct server *s, enum peer kind)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);

	memset(s, 0, sizeof(*s));
	s->kind = kind;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->listen_fd < 0 || bind(s->listen_fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(s->listen_fd, 4) < 0 ||
	    getsockname(s->listen_fd, (struct sockaddr *)&a, &len) < 0)
		return -1;
	s->port = ntohs(a.sin_port);
	return pthread_create(&s->thread, NULL, server_main, s) ? -1 : 0;
}

static void server_stop(struct server *s)
{
	atomic_store(&s->stop, 1);
	pthread_join(s->thread, NULL);
	close(s->listen_fd);
}

static void check(enum peer kind, int times_out, const char *what)
{
	struct server s;
	struct ssh_target t = { .name = "n1", .host = "127.0.0.1", .user = "root",
				.key_path = "/dev/null", .host_key = HOST_KEY };
	struct ssh_conn *c = NULL;
	struct err e = { "" };
	int64_t t0, took;
	int rc;

	if (!ok(server_start(&s, kind) == 0, "%s: a server on loopback", what))
		return;
	t.port = s.port;
	t0 = clock_mono_ms();
	rc = ssh_connect(&t, 1000, &c, &e);
	took = clock_mono_ms() - t0;
	ok(rc < 0 && !c, "%s: ssh_connect fails: %s", what, e.msg);
	ok(took < 5000, "%s: within its 1 s deadline and a margin (%lld ms)", what,
	   (long long)took);
	if (times_out)
		ok(strstr(e.msg, "timed out after 1000 ms") != NULL,
		   "%s: it says it timed out", what);
	server_stop(&s);
}

int main(void)
{
	struct err e = { "" };

	signal(SIGPIPE, SIG_IGN);
	is_int(ssh_global_init(&e), 0, "ssh_global_init");
	check(SILENT, 1, "a peer that accepts and sends nothing");
	check(DRIP, 1, "a line of non-SSH text every 100 ms");
	check(FLOOD_LINES, 1, "a flood of non-SSH lines");
	check(FLOOD_BYTES, 1, "a flood of bytes without a newline");
	/* libssh2 refuses the garbage as a key exchange, at once */
	check(BANNER_THEN_GARBAGE, 0, "an SSH banner, then a flood of garbage");
	return tap_done();
}
