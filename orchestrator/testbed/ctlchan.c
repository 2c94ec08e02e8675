/* ctlchan.c - the host end of a node's control channel (ctlchan.h). */
#include "ctlchan.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "clock.h"
#include "buf.h"

void ctlchan_init(struct ctlchan *c, const char *path)
{
	*c = (struct ctlchan){ .path = path ? xstrdup(path) : NULL, .fd = -1,
			       .next_id = 1 };
}

void ctlchan_disconnect(struct ctlchan *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->n_in = 0;
}

void ctlchan_release(struct ctlchan *c)
{
	ctlchan_disconnect(c);
	free(c->path);
	c->path = NULL;
}

int ctlchan_connect(struct ctlchan *c, struct err *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (c->fd >= 0)
		return 0;
	if (!c->path)
		return err_set(e, "no control channel");
	if (strlen(c->path) >= sizeof(sa.sun_path))
		return err_set(e, "control channel path '%s' is too long", c->path);
	memcpy(sa.sun_path, c->path, strlen(c->path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return err_errno(e, errno, "cannot make a socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int errnum = errno;

		close(fd);
		return err_errno(e, errnum, "cannot connect to control channel '%s'",
				 c->path);
	}
	c->fd = fd;
	c->n_in = 0;
	return 0;
}

/* Wait up to the deadline for a line; 1 with line filled, 0 on timeout,
 * -1 when the peer went away (e filled). */
static int read_line(struct ctlchan *c, int64_t deadline, char *line,
		     size_t size, struct err *e)
{
	for (;;) {
		char *nl = memchr(c->in, '\n', c->n_in);
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		ssize_t n;
		int left;

		if (nl) {
			size_t len = (size_t)(nl - c->in);

			snprintf(line, size, "%.*s", (int)len, c->in);
			memmove(c->in, nl + 1, c->n_in - len - 1);
			c->n_in -= len + 1;
			return 1;
		}
		if (c->n_in == sizeof(c->in))
			c->n_in = 0;	/* an overlong line: not the protocol */
		left = (int)deadline_left_ms(deadline);
		if (left == 0)
			return 0;
		if (poll(&p, 1, left) < 0 && errno != EINTR)
			return err_errno(e, errno, "poll");
		if (!p.revents)
			continue;
		n = read(c->fd, c->in + c->n_in, sizeof(c->in) - c->n_in);
		if (n > 0)
			c->n_in += (size_t)n;
		else if (n == 0)
			return err_set(e, "control channel '%s' closed", c->path);
		else if (errno != EAGAIN && errno != EINTR)
			return err_errno(e, errno, "control channel '%s'", c->path);
	}
}

static int send_line(struct ctlchan *c, const char *text, size_t len)
{
	while (len) {
		ssize_t n = send(c->fd, text, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;	/* a full socket buffer counts too */
		text += n;
		len -= (size_t)n;
	}
	return 0;
}

/* One attempt: 1 answered (reply filled), 0 timed out, -1 peer gone. */
static int call_once(struct ctlchan *c, const char *request, int64_t deadline,
		     char *reply, size_t size, struct err *e)
{
	char out[CTLCHAN_LINE_MAX], line[CTLCHAN_LINE_MAX], prefix[32];
	unsigned long long id = c->next_id++;
	int n = snprintf(out, sizeof(out), "%llu %s\n", id, request);
	int plen = snprintf(prefix, sizeof(prefix), "%llu ", id);

	if (n < 0 || (size_t)n >= sizeof(out))
		return err_set(e, "control request too long");
	if (send_line(c, out, (size_t)n) < 0)
		return err_errno(e, errno, "cannot write to control channel '%s'",
				 c->path);
	for (;;) {
		int r = read_line(c, deadline, line, sizeof(line), e);

		if (r <= 0)
			return r;
		if (!strncmp(line, prefix, (size_t)plen)) {
			snprintf(reply, size, "%s", line + plen);
			return 1;
		}
		/* a reply to a request sent before a restore, or before a
		 * timeout: not ours */
	}
}

int ctlchan_call(struct ctlchan *c, const char *request, int timeout_ms,
		 char *reply, size_t size, struct err *e)
{
	int64_t deadline = deadline_in_ms(timeout_ms);
	int r = -1;

	/* a second try only when the connection was stale (QEMU restarted) */
	for (int attempt = 0; attempt < 2 && r < 0; attempt++) {
		if (ctlchan_connect(c, e) < 0)
			return -1;
		r = call_once(c, request, deadline, reply, size, e);
		if (r < 0)
			ctlchan_disconnect(c);
	}
	if (r < 0)
		return -1;
	if (r == 0)
		return err_set(e, "control channel '%s': no answer to '%.16s' in %d ms",
			       c->path, request, timeout_ms);
	if (!strncmp(reply, "err ", 4))
		return err_set(e, "control channel '%s': %s", c->path, reply + 4);
	return 0;
}

/* "WORD NS" -> NS; -1 unless the reply is exactly that. */
static int reply_ns(const char *reply, const char *word, int64_t *ns)
{
	size_t w = strlen(word);
	char *end;

	if (strncmp(reply, word, w) || reply[w] != ' ')
		return -1;
	errno = 0;
	*ns = strtoll(reply + w + 1, &end, 10);
	return errno || *end || end == reply + w + 1 ? -1 : 0;
}

int ctlchan_ping(struct ctlchan *c, int timeout_ms, int64_t *ret_guest_ns,
		 struct err *e)
{
	char reply[CTLCHAN_LINE_MAX];
	int64_t ns;

	if (ctlchan_call(c, "ping", timeout_ms, reply, sizeof(reply), e) < 0)
		return -1;
	if (reply_ns(reply, "pong", &ns) < 0)
		return err_set(e, "control channel '%s': unexpected reply '%.40s'",
			       c->path, reply);
	if (ret_guest_ns)
		*ret_guest_ns = ns;
	return 0;
}

/* Send a request answered by "ok NS"; the estimated offset (guest minus
 * host, microseconds) goes to *offset_us, the round trip to *rtt_us: the
 * estimate is good to half of it. */
static int set_call(struct ctlchan *c, const char *request, int timeout_ms,
		    int64_t sent_ns, int64_t *offset_us, int64_t *rtt_us,
		    struct err *e)
{
	char reply[CTLCHAN_LINE_MAX];
	int64_t guest_ns, back_ns;

	if (ctlchan_call(c, request, timeout_ms, reply, sizeof(reply), e) < 0)
		return -1;
	back_ns = clock_wall_ns();
	if (reply_ns(reply, "ok", &guest_ns) < 0)
		return err_set(e, "control channel '%s': unexpected reply '%.40s'",
			       c->path, reply);
	*offset_us = (guest_ns - (sent_ns + (back_ns - sent_ns) / 2)) / 1000;
	*rtt_us = (back_ns - sent_ns) / 1000;
	return 0;
}

int ctlchan_sync(struct ctlchan *c, int timeout_ms, const unsigned char *seed,
		 size_t n, struct ctlchan_sync *ret, struct err *e)
{
	char request[CTLCHAN_LINE_MAX], hex[2 * 64 + 1];
	int64_t t0, t1, sent, rtt_us = 0;

	if (n == 0 || n > 64)
		return err_set(e, "control channel: seed of %zu bytes", n);
	for (size_t i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", seed[i]);
	*ret = (struct ctlchan_sync){ 0 };
	t0 = clock_mono_ns();
	if (ctlchan_ping(c, timeout_ms, NULL, e) < 0)
		return -1;
	t1 = clock_mono_ns();
	ret->rtt_us = (t1 - t0) / 1000;
	sent = clock_wall_ns();
	snprintf(request, sizeof(request), "sync %" PRId64 " %s",
		 sent + (t1 - t0) / 2, hex);
	if (set_call(c, request, timeout_ms, sent, &ret->offset_us, &rtt_us, e) < 0)
		return -1;
	/* a step only where the offset stands out of the estimate's own
	 * uncertainty (half the round trip): else it would chase noise */
	while (ret->steps < 2 && llabs(ret->offset_us) > 2000 &&
	       llabs(ret->offset_us) > rtt_us / 2) {
		ret->steps++;
		snprintf(request, sizeof(request), "step %" PRId64,
			 -ret->offset_us * 1000);
		if (set_call(c, request, timeout_ms, clock_wall_ns(),
			     &ret->offset_us, &rtt_us, e) < 0)
			return -1;
	}
	return 0;
}
