/* ssh.c - libssh2 sessions driven by poll() against monotonic deadlines.
 *
 * Every session is non-blocking: each libssh2 call that says EAGAIN is
 * retried after poll() on the direction libssh2 is blocked on, with the
 * time left before the caller's deadline. A session that missed a
 * deadline in the middle of a channel is in an unknown state, so it is
 * marked broken and only ssh_close() is allowed on it afterwards.
 *
 * libssh2 returns EAGAIN only when its socket has nothing to read: while
 * a peer keeps sending, some of its loops never return (the handshake
 * reads "lines" before the SSH banner for as long as they come). So the
 * session reads through recv_until_deadline(), which says EAGAIN once the
 * deadline of the call in progress has passed, whatever the peer sends.
 */
#include "ssh.h"

#include "base64.h"
#include "clock.h"
#include "sha256.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libssh2.h>

/* Our own codes next to libssh2's (which are small negative numbers). */
#define SSH_TIMED_OUT	(-1001)
#define SSH_POLL_FAILED	(-1002)
#define SSH_TOO_MUCH	(-1003)

struct ssh_conn {
	LIBSSH2_SESSION *s;
	int fd;
	int64_t deadline;	/* of the call in progress (recv_until_deadline) */
	bool broken;
	bool sent;		/* the last exec got as far as sending its command */
	char where[320];	/* "'n2' (127.0.0.1:22001)" */
	char broken_why[512];
};

/* ---- library initialisation ------------------------------------------ */

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_rc;

static void init_libssh2(void)
{
	init_rc = libssh2_init(0);
}

int ssh_global_init(struct err *e)
{
	pthread_once(&init_once, init_libssh2);
	if (init_rc != 0)
		return err_set(e, "cannot initialise libssh2: error %d", init_rc);
	return 0;
}

/* ---- small helpers ---------------------------------------------------- */

/* strerror_r, with the first letter lowered to fit our messages. */
static const char *errno_text(int errnum, char *tmp, size_t n)
{
	const char *s = strerror_r(errnum, tmp, n);

	if (s != tmp) {
		snprintf(tmp, n, "%s", s);
		s = tmp;
	}
	tmp[0] = (char)tolower((unsigned char)tmp[0]);
	return s;
}

/* The last libssh2 error of a session, first letter lowered. */
static const char *libssh2_text(LIBSSH2_SESSION *s, char *tmp, size_t n)
{
	char *msg = NULL;

	libssh2_session_last_error(s, &msg, NULL, 0);
	snprintf(tmp, n, "%s", msg && *msg ? msg : "unknown libssh2 error");
	tmp[0] = (char)tolower((unsigned char)tmp[0]);
	return tmp;
}

/* A command, shortened and with control characters masked, for messages. */
static void describe_cmd(const char *cmd, char *out, size_t n)
{
	size_t i, max = n > 64 ? 60 : n - 4;

	for (i = 0; cmd[i] && i < max; i++)
		out[i] = iscntrl((unsigned char)cmd[i]) ? ' ' : cmd[i];
	out[i] = 0;
	if (cmd[i])
		strcat(out, "...");
}

/* Wait until the socket is ready in the direction libssh2 is blocked on.
 * Returns 0, SSH_TIMED_OUT or SSH_POLL_FAILED (errno set). */
static int wait_socket(LIBSSH2_SESSION *s, int fd, int64_t deadline)
{
	struct pollfd p = { .fd = fd };
	int dir = libssh2_session_block_directions(s);

	if (dir & LIBSSH2_SESSION_BLOCK_INBOUND)
		p.events |= POLLIN;
	if (dir & LIBSSH2_SESSION_BLOCK_OUTBOUND)
		p.events |= POLLOUT;
	if (!p.events)
		p.events = POLLIN;
	for (;;) {
		int64_t left = deadline_left_ms(deadline);
		int n;

		if (left == 0)
			return SSH_TIMED_OUT;
		n = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return SSH_POLL_FAILED;
	}
}

/* libssh2's recv, as its own but with no byte after c->deadline: then
 * it says EAGAIN, and the caller's wait_socket() reports the timeout. */
static LIBSSH2_RECV_FUNC(recv_until_deadline)
{
	const struct ssh_conn *c = *abstract;
	ssize_t n;

	if (deadline_passed(c->deadline))
		return -EAGAIN;
	n = recv(socket, buffer, length, flags);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	return n;
}

/* Evaluate call until it stops saying EAGAIN; rc receives its result, or
 * SSH_TIMED_OUT / SSH_POLL_FAILED when waiting for the socket failed. */
#define DRIVE(rc, c, deadline, call)					\
	do {								\
		(c)->deadline = (deadline);				\
		while (((rc) = (call)) == LIBSSH2_ERROR_EAGAIN) {	\
			int w_ = wait_socket((c)->s, (c)->fd, (deadline)); \
			if (w_) {					\
				(rc) = w_;				\
				break;					\
			}						\
		}							\
	} while (0)

/* Fill e with the cause of a failed step, named by a noun phrase:
 * "<step> timed out after N ms" or "<step> failed: <libssh2 message>". */
static int step_error(struct ssh_conn *c, int rc, int timeout_ms,
		      const char *step, struct err *e)
{
	char tmp[256];

	if (rc == SSH_TIMED_OUT)
		return err_set(e, "%s timed out after %d ms", step, timeout_ms);
	if (rc == SSH_POLL_FAILED)
		return err_set(e, "%s failed: poll: %s", step,
			       errno_text(errno, tmp, sizeof(tmp)));
	if (rc == SSH_TOO_MUCH)
		return err_set(e, "output exceeds %d MiB", SSH_OUTPUT_MAX >> 20);
	return err_set(e, "%s failed: %s", step,
		       libssh2_text(c->s, tmp, sizeof(tmp)));
}

/* ---- fingerprints: base64 (common/) and SHA-256 (sha256.c) ----------- */

/* "SHA256:<base64 of the digest, unpadded>", like ssh-keygen -l. */
static void fingerprint(const unsigned char *blob, size_t len, char out[64])
{
	unsigned char d[32];

	sha256(blob, len, d);
	memcpy(out, "SHA256:", 7);
	base64_encode(d, sizeof(d), BASE64_NOPAD, out + 7);
}

/* ---- pinned host keys ------------------------------------------------- */

struct pinned_key {
	char type[64];		/* "ssh-ed25519" */
	unsigned char *blob;	/* wire-format public key, owned */
	size_t len;
};

/* Parse "TYPE BASE64 [comment]" and check that the blob names TYPE. */
static int pinned_parse(const char *s, struct pinned_key *k, struct err *e)
{
	size_t tlen, blen;
	const char *b;
	ssize_t n;

	k->blob = NULL;
	s += strspn(s, " \t");
	tlen = strcspn(s, " \t");
	if (tlen == 0 || tlen >= sizeof(k->type))
		return err_set(e, "pinned host key is malformed: no key type");
	memcpy(k->type, s, tlen);
	k->type[tlen] = 0;
	b = s + tlen + strspn(s + tlen, " \t");
	blen = strcspn(b, " \t\r\n");
	if (blen == 0)
		return err_set(e, "pinned host key is malformed: no key data");
	k->blob = xmalloc(BASE64_DECODED_SIZE(blen) + 3);
	/* keys are written padded; accept them unpadded too */
	n = base64_decode(b, blen, blen % 4 ? BASE64_NOPAD : 0, k->blob);
	if (n < 4 + (ssize_t)tlen)
		goto bad;
	k->len = (size_t)n;
	if (((uint32_t)k->blob[0] << 24 | (uint32_t)k->blob[1] << 16 |
	     (uint32_t)k->blob[2] << 8 | k->blob[3]) != tlen ||
	    memcmp(k->blob + 4, k->type, tlen) != 0)
		goto bad;
	return 0;
bad:
	free(k->blob);
	k->blob = NULL;
	return err_set(e, "pinned host key is malformed: key data is not a "
		       "base64 '%s' key", k->type);
}

static const char *hostkey_type_name(int type)
{
	switch (type) {
	case LIBSSH2_HOSTKEY_TYPE_RSA: return "ssh-rsa";
	case LIBSSH2_HOSTKEY_TYPE_DSS: return "ssh-dss";
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: return "ecdsa-sha2-nistp256";
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: return "ecdsa-sha2-nistp384";
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: return "ecdsa-sha2-nistp521";
	case LIBSSH2_HOSTKEY_TYPE_ED25519: return "ssh-ed25519";
	default: return "unknown";
	}
}

/* Compare the key the server proved it holds with the pinned one. */
static int check_hostkey(struct ssh_conn *c, const struct pinned_key *k,
			 struct err *e)
{
	char got_fp[64], want_fp[64];
	const char *got_type;
	size_t len = 0;
	int type = 0;
	const char *blob = libssh2_session_hostkey(c->s, &len, &type);

	if (!blob)
		return err_set(e, "server sent no host key");
	got_type = hostkey_type_name(type);
	if (strcmp(got_type, k->type) == 0 && len == k->len &&
	    memcmp(blob, k->blob, len) == 0)
		return 0;
	fingerprint((const unsigned char *)blob, len, got_fp);
	fingerprint(k->blob, k->len, want_fp);
	return err_set(e, "host key does not match the pinned key: got %s %s, "
		       "want %s %s", got_type, got_fp, k->type, want_fp);
}

/* ---- connecting ------------------------------------------------------- */

/* Non-blocking TCP connect to one address, waiting until deadline. */
static int tcp_connect_addr(const struct addrinfo *ai, int64_t deadline,
			    int timeout_ms, int *ret_fd, struct err *e)
{
	char tmp[128];
	int fd, soerr = 0, one = 1;
	socklen_t sl = sizeof(soerr);

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    ai->ai_protocol);
	if (fd < 0)
		return err_set(e, "socket: %s", errno_text(errno, tmp, sizeof(tmp)));
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };

		if (errno != EINPROGRESS) {
			soerr = errno;
			goto fail;
		}
		for (;;) {
			int64_t left = deadline_left_ms(deadline);
			int n;

			if (left == 0) {
				close(fd);
				return err_set(e, "tcp connect timed out after "
					       "%d ms", timeout_ms);
			}
			n = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
			if (n > 0)
				break;
			if (n < 0 && errno != EINTR) {
				soerr = errno;
				goto fail;
			}
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
			soerr = errno;
		if (soerr)
			goto fail;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	*ret_fd = fd;
	return 0;
fail:
	close(fd);
	return err_set(e, "%s", errno_text(soerr, tmp, sizeof(tmp)));
}

static int tcp_connect(const struct ssh_target *t, int64_t deadline,
		       int timeout_ms, int *ret_fd, struct err *e)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICSERV };
	struct addrinfo *res, *ai;
	char port[16];
	int rc;

	snprintf(port, sizeof(port), "%d", t->port);
	/* Nodes are addressed by IP; a name would resolve without deadline. */
	rc = getaddrinfo(t->host, port, &hints, &res);
	if (rc)
		return err_set(e, "name resolution failed: %s",
			       gai_strerror(rc));
	rc = -1;
	for (ai = res; ai && rc < 0; ai = ai->ai_next)
		rc = tcp_connect_addr(ai, deadline, timeout_ms, ret_fd, e);
	freeaddrinfo(res);
	return rc;
}

enum connect_outcome {
	CONNECT_OK,
	CONNECT_RETRY,		/* may work later */
	CONNECT_SLOW,		/* timed out: may work later, given more time */
	CONNECT_FATAL,		/* will not work without a change */
};

/* One attempt. Fills e with the cause only (the caller says where) and
 * tells whether trying again could help. */
static enum connect_outcome connect_once(const struct ssh_target *t,
					 int timeout_ms, struct ssh_conn **ret,
					 struct err *e)
{
	int64_t deadline = deadline_in_ms(timeout_ms);
	struct pinned_key k = { .blob = NULL };
	enum connect_outcome out = CONNECT_FATAL;
	struct ssh_conn *c;
	int rc;

	if (ssh_global_init(e) < 0)
		return CONNECT_FATAL;
	if (!t->host_key || !*t->host_key) {
		err_set(e, "no pinned host key");
		return CONNECT_FATAL;
	}
	if (pinned_parse(t->host_key, &k, e) < 0)
		return CONNECT_FATAL;
	if (!t->user || !*t->user || !t->key_path || !*t->key_path) {
		err_set(e, "no user or no key file given");
		free(k.blob);
		return CONNECT_FATAL;
	}
	if (access(t->key_path, R_OK) < 0) {
		char tmp[128];

		err_set(e, "cannot read key file '%s': %s", t->key_path,
			errno_text(errno, tmp, sizeof(tmp)));
		free(k.blob);
		return CONNECT_FATAL;
	}

	c = xcalloc(1, sizeof(*c));
	c->fd = -1;
	snprintf(c->where, sizeof(c->where), "'%s' (%s:%d)", t->name, t->host,
		 t->port);
	c->deadline = deadline;
	c->s = libssh2_session_init_ex(NULL, NULL, NULL, c);
	if (!c->s) {
		err_set(e, "cannot create a libssh2 session");
		goto fail;
	}
	libssh2_session_callback_set(c->s, LIBSSH2_CALLBACK_RECV,
				     (void *)recv_until_deadline);
	libssh2_session_set_blocking(c->s, 0);
	/* Ask for the pinned key's type: a server with several host keys
	 * must show us the one we know. */
	if (libssh2_session_method_pref(c->s, LIBSSH2_METHOD_HOSTKEY, k.type)) {
		err_set(e, "pinned host key type '%s' is not supported", k.type);
		goto fail;
	}
	out = CONNECT_RETRY;
	if (tcp_connect(t, deadline, timeout_ms, &c->fd, e) < 0) {
		if (deadline_passed(deadline))
			out = CONNECT_SLOW;
		goto fail;
	}
	DRIVE(rc, c, deadline, libssh2_session_handshake(c->s, c->fd));
	if (rc) {
		if (rc == SSH_TIMED_OUT)
			out = CONNECT_SLOW;
		step_error(c, rc, timeout_ms, "ssh handshake", e);
		goto fail;
	}
	out = CONNECT_FATAL;
	if (check_hostkey(c, &k, e) < 0)
		goto fail;
	DRIVE(rc, c, deadline, libssh2_userauth_publickey_fromfile_ex(
		      c->s, t->user, (unsigned int)strlen(t->user), NULL,
		      t->key_path, NULL));
	if (rc) {
		char step[512];

		/* A refused key stays refused; a lost connection may not. */
		if (rc == SSH_TIMED_OUT)
			out = CONNECT_SLOW;
		else if (rc == LIBSSH2_ERROR_SOCKET_RECV ||
			 rc == LIBSSH2_ERROR_SOCKET_SEND ||
			 rc == LIBSSH2_ERROR_SOCKET_DISCONNECT)
			out = CONNECT_RETRY;
		snprintf(step, sizeof(step), "authentication as '%s' with key "
			 "'%s'", t->user, t->key_path);
		step_error(c, rc, timeout_ms, step, e);
		goto fail;
	}
	free(k.blob);
	*ret = c;
	return CONNECT_OK;
fail:
	free(k.blob);
	c->broken = true;
	ssh_close(c);
	return out;
}

int ssh_connect(const struct ssh_target *t, int timeout_ms,
		struct ssh_conn **ret, struct err *e)
{
	struct err cause;

	if (connect_once(t, timeout_ms, ret, &cause) == CONNECT_OK)
		return 0;
	return err_set(e, "cannot connect to '%s' (%s:%d): %s", t->name,
		       t->host, t->port, cause.msg);
}

int ssh_wait(const struct ssh_target *t, int timeout_ms,
	     struct ssh_conn **ret, struct err *e)
{
	int64_t start = clock_mono_ms(), deadline = start + timeout_ms;
	int attempts = 0, attempt_ms = SSH_WAIT_ATTEMPT_MS;
	struct err cause;

	for (;;) {
		int64_t left = deadline_left_ms(deadline);
		int this_ms = (int)(left < attempt_ms ? left : attempt_ms);
		enum connect_outcome o;

		attempts++;
		o = connect_once(t, this_ms > 0 ? this_ms : 1, ret, &cause);
		if (o == CONNECT_OK)
			return 0;
		if (o == CONNECT_FATAL)
			return err_set(e, "cannot connect to '%s' (%s:%d): %s",
				       t->name, t->host, t->port, cause.msg);
		/* A node that accepts TCP but stays silent may just be slow:
		 * give later attempts more time, up to a bound. */
		if (o == CONNECT_SLOW && attempt_ms < SSH_WAIT_ATTEMPT_MAX_MS)
			attempt_ms *= 2;
		if (deadline_passed(deadline))
			break;
		left = deadline_left_ms(deadline);
		clock_sleep_ms(left < SSH_WAIT_PAUSE_MS ? left : SSH_WAIT_PAUSE_MS);
		if (deadline_passed(deadline))
			break;
	}
	return err_set(e, "cannot connect to '%s' (%s:%d): no ssh answer "
		       "after %lld ms (%d attempts), last error: %s", t->name,
		       t->host, t->port, (long long)(clock_mono_ms() - start),
		       attempts, cause.msg);
}

void ssh_abort(struct ssh_conn *c)
{
	if (c && c->fd >= 0)
		shutdown(c->fd, SHUT_RDWR);
}

void ssh_close(struct ssh_conn *c)
{
	if (!c)
		return;
	if (c->s) {
		if (!c->broken && c->fd >= 0) {
			int64_t deadline = deadline_in_ms(SSH_CLOSE_MS);
			int rc;

			DRIVE(rc, c, deadline, libssh2_session_disconnect(
				      c->s, "bye"));
			(void)rc;
		}
		/* After shutdown every send fails at once, so freeing the
		 * session cannot wait on a peer that stopped reading. */
		if (c->fd >= 0)
			shutdown(c->fd, SHUT_RDWR);
		for (int i = 0; i < 16; i++)
			if (libssh2_session_free(c->s) != LIBSSH2_ERROR_EAGAIN)
				break;
	}
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

int ssh_exec_sent(const struct ssh_conn *c)
{
	return c->sent;
}

int ssh_broken(const struct ssh_conn *c)
{
	return c->broken;
}

/* ---- running commands ------------------------------------------------- */

void ssh_result_init(struct ssh_result *r)
{
	r->status = -1;
	buf_init(&r->out);
	buf_init(&r->errout);
}

void ssh_result_release(struct ssh_result *r)
{
	buf_release(&r->out);
	buf_release(&r->errout);
	r->status = -1;
}

/* Read everything available on one stream; 1 if some data came, 0 if
 * none, or a negative code. */
static int drain(LIBSSH2_CHANNEL *ch, int stream, struct buf *b)
{
	char chunk[32768];
	int got = 0;

	for (;;) {
		ssize_t n = libssh2_channel_read_ex(ch, stream, chunk,
						    sizeof(chunk));

		if (n == LIBSSH2_ERROR_EAGAIN || n == 0)
			return got;
		if (n < 0)
			return (int)n;
		if (b->len + (size_t)n > SSH_OUTPUT_MAX)
			return SSH_TOO_MUCH;
		buf_add(b, chunk, (size_t)n);
		got = 1;
	}
}

/* Send stdin, then EOF, while reading stdout and stderr, until the remote
 * side sent EOF. A command that closes its output early loses the rest
 * of its input, as the channel is closed right after. */
static int pump(struct ssh_conn *c, LIBSSH2_CHANNEL *ch, const char *in,
		size_t in_len, struct ssh_result *r, int64_t deadline)
{
	bool eof_sent = false;
	size_t off = 0;

	for (;;) {
		bool progress = false;
		int rc;

		/* A command streaming without pause never lets us wait. */
		if (deadline_passed(deadline))
			return SSH_TIMED_OUT;
		while (off < in_len && !libssh2_channel_eof(ch)) {
			ssize_t n = libssh2_channel_write(ch, in + off,
							  in_len - off);

			if (n == LIBSSH2_ERROR_EAGAIN)
				break;
			if (n < 0)
				return (int)n;
			off += (size_t)n;
			progress = true;
		}
		if (!eof_sent && (off == in_len || libssh2_channel_eof(ch))) {
			rc = libssh2_channel_send_eof(ch);
			if (rc == 0)
				eof_sent = progress = true;
			else if (rc != LIBSSH2_ERROR_EAGAIN)
				return rc;
		}
		rc = drain(ch, 0, &r->out);
		if (rc < 0)
			return rc;
		progress |= rc;
		rc = drain(ch, SSH_EXTENDED_DATA_STDERR, &r->errout);
		if (rc < 0)
			return rc;
		progress |= rc;
		if (eof_sent && libssh2_channel_eof(ch))
			return 0;
		if (!progress) {
			rc = wait_socket(c->s, c->fd, deadline);
			if (rc)
				return rc;
		}
	}
}

/* Map the exit-signal name ("KILL") to 128+N, or -1 if none came. */
static int signal_status(struct ssh_conn *c, LIBSSH2_CHANNEL *ch)
{
	char *name = NULL;
	size_t len = 0;
	int status = -1;

	if (libssh2_channel_get_exit_signal(ch, &name, &len, NULL, NULL, NULL,
					    NULL) != 0 || !name)
		return -1;
	for (int sig = 1; sig < NSIG; sig++) {
		const char *abbrev = sigabbrev_np(sig);

		if (abbrev && strcmp(abbrev, name) == 0) {
			status = 128 + sig;
			break;
		}
	}
	if (status < 0)
		status = 128 + 127;	/* a signal we do not know by name */
	libssh2_free(c->s, name);
	return status;
}

static int run_channel(struct ssh_conn *c, const char *cmd, const char *in,
		       size_t in_len, struct ssh_result *r, int64_t deadline,
		       int timeout_ms, struct err *e)
{
	LIBSSH2_CHANNEL *ch;
	int rc, sig;

	c->deadline = deadline;
	for (;;) {
		ch = libssh2_channel_open_session(c->s);
		if (ch)
			break;
		rc = libssh2_session_last_errno(c->s);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			rc = wait_socket(c->s, c->fd, deadline);
		if (rc)
			return step_error(c, rc, timeout_ms, "channel open", e);
	}
	c->sent = true;	/* from here on the command may run */
	DRIVE(rc, c, deadline, libssh2_channel_exec(ch, cmd));
	if (rc)
		return step_error(c, rc, timeout_ms, "command start", e);
	rc = pump(c, ch, in, in_len, r, deadline);
	if (rc)
		return step_error(c, rc, timeout_ms, "command", e);
	DRIVE(rc, c, deadline, libssh2_channel_close(ch));
	if (!rc)
		DRIVE(rc, c, deadline, libssh2_channel_wait_closed(ch));
	if (rc)
		return step_error(c, rc, timeout_ms, "channel close", e);
	sig = signal_status(c, ch);
	r->status = sig >= 0 ? sig : libssh2_channel_get_exit_status(ch);
	DRIVE(rc, c, deadline, libssh2_channel_free(ch));
	if (rc)
		return step_error(c, rc, timeout_ms, "channel free", e);
	return 0;
}

int ssh_exec(struct ssh_conn *c, const char *cmd, const void *stdin_data,
	     size_t stdin_len, int timeout_ms, struct ssh_result *ret,
	     struct err *e)
{
	int64_t deadline = deadline_in_ms(timeout_ms);
	struct err cause;
	char what[80];

	describe_cmd(cmd, what, sizeof(what));
	c->sent = false;
	if (c->broken) {
		ssh_result_release(ret);
		return err_set(e, "cannot run '%s' on %s: connection is broken "
			       "since an earlier failure: %s", what, c->where,
			       c->broken_why);
	}
	buf_reset(&ret->out);
	buf_reset(&ret->errout);
	ret->status = -1;
	if (run_channel(c, cmd, stdin_data, stdin_data ? stdin_len : 0, ret,
			deadline, timeout_ms, &cause) == 0)
		return 0;
	/* The channel is in an unknown state, and so is the session. */
	c->broken = true;
	snprintf(c->broken_why, sizeof(c->broken_why), "%s", cause.msg);
	ssh_result_release(ret);
	return err_set(e, "cannot run '%s' on %s: %s", what, c->where,
		       cause.msg);
}

int ssh_upload(struct ssh_conn *c, const void *data, size_t len,
	       const char *remote_path, int mode, int timeout_ms,
	       struct err *e)
{
	struct ssh_result r;
	struct buf cmd = BUF_INIT, tmp = BUF_INIT;
	int rc = -1;

	static atomic_uint seq;

	/* Unique per upload, so parallel uploads to one path do not mix. */
	buf_addf(&tmp, "%s.campaign-tmp.%d.%u", remote_path, (int)getpid(),
		 atomic_fetch_add(&seq, 1));
	buf_adds(&cmd, "umask 077; cat > ");
	shell_quote(&cmd, tmp.data);
	buf_addf(&cmd, " && chmod %04o ", (unsigned)mode & 07777);
	shell_quote(&cmd, tmp.data);
	buf_adds(&cmd, " && mv -f ");
	shell_quote(&cmd, tmp.data);
	buf_addch(&cmd, ' ');
	shell_quote(&cmd, remote_path);
	buf_adds(&cmd, " || { rc=$?; rm -f ");
	shell_quote(&cmd, tmp.data);
	buf_adds(&cmd, "; exit $rc; }");

	ssh_result_init(&r);
	if (ssh_exec(c, cmd.data, data ? data : "", len, timeout_ms, &r, e) < 0) {
		err_prefix(e, "cannot upload '%s' to %s", remote_path, c->where);
		goto out;
	}
	if (r.status != 0) {
		buf_rtrim(&r.errout);
		err_set(e, "cannot upload '%s' to %s: exit status %d%s%s",
			remote_path, c->where, r.status,
			r.errout.len ? ": " : "", r.errout.data);
		goto out;
	}
	rc = 0;
out:
	ssh_result_release(&r);
	buf_release(&cmd);
	buf_release(&tmp);
	return rc;
}

/* ---- quoting ---------------------------------------------------------- */

void shell_quote(struct buf *out, const char *s)
{
	buf_addch(out, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			buf_adds(out, "'\\''");
		else
			buf_addch(out, *s);
	}
	buf_addch(out, '\'');
}
