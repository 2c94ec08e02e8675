/*
 * counterd: a tiny replicated counter service, the project's own system
 * under test. See README.md in this directory.
 *
 * The counter is a grow-only counter (G-counter): every node keeps, for
 * every node id it knows, how many increments that node originated. The
 * value is the sum. POST /incr bumps this node's own entry to N and sends
 * "POST /replicate?from=ID&seq=N" to every peer; a peer applies it as
 * entry[ID] = max(entry[ID], N), so replication is idempotent and order
 * insensitive (deduplicated by (from, seq)). On start, and then every
 * --sync-interval-ms, a node pulls GET /state from every peer and merges
 * entry-wise maxima, so restarted, restored or partitioned nodes converge.
 *
 * PLANTED BUG (deliberate, see README.md): a pidfile left behind by an
 * unclean death (SIGKILL, crash) makes every later start refuse with
 * "stale pidfile, refusing to start".
 *
 * Static, libc only: peers are IPv4 literals (no getaddrinfo), logs are UTC.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define MAX_NODES 32
#define MAX_PEERS 16
#define ID_MAX 32
#define REQ_MAX 4096
#define RESP_MAX 4096
#define MAX_CONN_THREADS 128

/* ---- configuration ---------------------------------------------------- */

struct peer {
	char spec[64]; /* "a.b.c.d:port" as given */
	struct sockaddr_in addr;
};

static struct {
	int port;
	char bind_addr[64];
	char id[ID_MAX];
	struct peer peers[MAX_PEERS];
	int npeers;
	char state_path[PATH_MAX];
	char pidfile[PATH_MAX];
	int peer_timeout_ms;
	int client_timeout_ms;
	int sync_interval_ms;
} cfg = {
	.port = 8080,
	.bind_addr = "0.0.0.0",
	.peer_timeout_ms = 300,
	.client_timeout_ms = 2000,
	.sync_interval_ms = 1000,
};

/* ---- logging ---------------------------------------------------------- */

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

__attribute__((format(printf, 1, 2))) static void logmsg(const char *fmt, ...)
{
	char line[1024], ts[40];
	struct timespec now;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&log_lock);
	fprintf(stderr, "%s.%03ldZ counterd[%ld] %s: %s\n", ts, now.tv_nsec / 1000000L,
		(long)getpid(), cfg.id[0] ? cfg.id : "-", line);
	fflush(stderr);
	pthread_mutex_unlock(&log_lock);
}

/* ---- time ------------------------------------------------------------- */

static int64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* ---- the replicated state --------------------------------------------- */

struct entry {
	char id[ID_MAX];
	uint64_t count;
};

static struct {
	pthread_mutex_t lock;
	struct entry e[MAX_NODES];
	int n;
} st = {.lock = PTHREAD_MUTEX_INITIALIZER};

static bool valid_id(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.'))
			return false;
	}
	return true;
}

/* Caller holds st.lock. Returns NULL when the table is full. */
static struct entry *entry_get(const char *id)
{
	for (int i = 0; i < st.n; i++)
		if (strcmp(st.e[i].id, id) == 0)
			return &st.e[i];
	if (st.n >= MAX_NODES)
		return NULL;
	struct entry *e = &st.e[st.n++];
	snprintf(e->id, sizeof(e->id), "%s", id);
	e->count = 0;
	return e;
}

/* Caller holds st.lock. */
static uint64_t state_value(void)
{
	uint64_t v = 0;
	for (int i = 0; i < st.n; i++)
		v += st.e[i].count;
	return v;
}

/* Caller holds st.lock. Serialises "id count\n" lines. */
static size_t state_format(char *buf, size_t cap)
{
	size_t len = 0;
	buf[0] = '\0';
	for (int i = 0; i < st.n && len < cap; i++) {
		int k = snprintf(buf + len, cap - len, "%s %llu\n", st.e[i].id,
				 (unsigned long long)st.e[i].count);
		if (k < 0 || (size_t)k >= cap - len)
			break;
		len += (size_t)k;
	}
	return len;
}

/*
 * Caller holds st.lock. Merges "id count" lines (entry-wise max).
 * Returns the number of entries that grew, or -1 on a malformed body.
 */
static int state_merge_text(const char *text)
{
	int grew = 0;
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[128];
		if (len >= sizeof(line))
			return -1;
		memcpy(line, p, len);
		line[len] = '\0';
		p += len + (nl ? 1 : 0);
		if (line[0] == '\0' || line[0] == '#')
			continue;
		char id[ID_MAX + 8];
		unsigned long long cnt;
		char extra;
		if (sscanf(line, "%39s %llu %c", id, &cnt, &extra) != 2 || !valid_id(id))
			return -1;
		struct entry *e = entry_get(id);
		if (!e)
			return -1;
		if (cnt > e->count) {
			e->count = cnt;
			grew++;
		}
	}
	return grew;
}

static int mkdir_parents(const char *path)
{
	char buf[PATH_MAX];
	snprintf(buf, sizeof(buf), "%s", path);
	char *slash = strrchr(buf, '/');
	if (!slash || slash == buf)
		return 0;
	*slash = '\0';
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* Caller holds st.lock. Write tmp, fsync, rename. */
static int state_persist(void)
{
	char body[RESP_MAX], tmp[PATH_MAX + 8];
	size_t len = state_format(body, sizeof(body));
	snprintf(tmp, sizeof(tmp), "%s.tmp", cfg.state_path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		logmsg("persist: open %s: %s", tmp, strerror(errno));
		return -1;
	}
	const char *hdr = "# counterd state v1\n";
	bool ok = write(fd, hdr, strlen(hdr)) == (ssize_t)strlen(hdr) &&
		  write(fd, body, len) == (ssize_t)len && fsync(fd) == 0;
	int saved = errno;
	if (close(fd) < 0)
		ok = false;
	if (!ok || rename(tmp, cfg.state_path) < 0) {
		logmsg("persist: write %s: %s", cfg.state_path, strerror(ok ? errno : saved));
		unlink(tmp);
		return -1;
	}
	return 0;
}

static void state_load(void)
{
	FILE *f = fopen(cfg.state_path, "re");
	if (!f) {
		if (errno != ENOENT)
			logmsg("state: open %s: %s; starting from zero", cfg.state_path,
			       strerror(errno));
		else
			logmsg("state: %s does not exist; starting from zero", cfg.state_path);
		return;
	}
	char buf[RESP_MAX];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	pthread_mutex_lock(&st.lock);
	if (state_merge_text(buf) < 0) {
		st.n = 0;
		logmsg("state: %s is malformed; starting from zero", cfg.state_path);
	} else {
		logmsg("state: loaded %s, value %llu", cfg.state_path,
		       (unsigned long long)state_value());
	}
	pthread_mutex_unlock(&st.lock);
}

/* ---- sockets ---------------------------------------------------------- */

static void set_timeouts(int fd, int ms)
{
	struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* Sends everything or fails; the socket has a send timeout. */
static int send_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t k = send(fd, buf, len, MSG_NOSIGNAL);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		buf += k;
		len -= (size_t)k;
	}
	return 0;
}

/* Waits for fd to become ready for `events` until `deadline` (monotonic ms). */
static int wait_fd(int fd, short events, int64_t deadline)
{
	for (;;) {
		int64_t left = deadline - now_ms();
		if (left <= 0)
			return -1;
		struct pollfd p = {.fd = fd, .events = events};
		int r = poll(&p, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		return 0;
	}
}

/*
 * A minimal HTTP/1.0 client for peer traffic. Whole exchange bounded by
 * timeout_ms. Returns the status code (body copied, NUL-terminated) or -1.
 */
static int http_call(const struct peer *pr, const char *method, const char *target,
		     int timeout_ms, char *body, size_t bodycap)
{
	int64_t deadline = now_ms() + timeout_ms;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int status = -1;
	char req[512], resp[RESP_MAX];
	size_t got = 0;
	if (connect(fd, (const struct sockaddr *)&pr->addr, sizeof(pr->addr)) < 0) {
		if (errno != EINPROGRESS)
			goto out;
		if (wait_fd(fd, POLLOUT, deadline) < 0)
			goto out;
		int err = 0;
		socklen_t el = sizeof(err);
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0 || err != 0)
			goto out;
	}
	int rl = snprintf(req, sizeof(req),
			  "%s %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: counterd/%s\r\n"
			  "Content-Length: 0\r\n\r\n",
			  method, target, pr->spec, cfg.id);
	size_t off = 0;
	while (off < (size_t)rl) {
		ssize_t k = send(fd, req + off, (size_t)rl - off, MSG_NOSIGNAL);
		if (k < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (wait_fd(fd, POLLOUT, deadline) < 0)
				goto out;
			continue;
		}
		if (k <= 0)
			goto out;
		off += (size_t)k;
	}
	for (;;) {
		if (got >= sizeof(resp) - 1)
			break;
		ssize_t k = recv(fd, resp + got, sizeof(resp) - 1 - got, 0);
		if (k < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (wait_fd(fd, POLLIN, deadline) < 0)
				goto out;
			continue;
		}
		if (k < 0)
			goto out;
		if (k == 0)
			break;
		got += (size_t)k;
	}
	resp[got] = '\0';
	int code;
	if (sscanf(resp, "HTTP/%*d.%*d %d", &code) != 1)
		goto out;
	char *b = strstr(resp, "\r\n\r\n");
	if (!b)
		goto out;
	b += 4;
	if (body && bodycap > 0)
		snprintf(body, bodycap, "%s", b);
	status = code;
out:
	close(fd);
	return status;
}

/* ---- replication ------------------------------------------------------ */

struct repl_job {
	const struct peer *peer;
	char target[128];
	int status;
};

static void *repl_thread(void *arg)
{
	struct repl_job *j = arg;
	j->status = http_call(j->peer, "POST", j->target, cfg.peer_timeout_ms, NULL, 0);
	return NULL;
}

/* Best effort: sends to all peers in parallel, waits at most ~timeout. */
static void replicate(uint64_t seq)
{
	struct repl_job jobs[MAX_PEERS];
	pthread_t th[MAX_PEERS];
	bool started[MAX_PEERS] = {false};
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 128 * 1024);
	for (int i = 0; i < cfg.npeers; i++) {
		jobs[i].peer = &cfg.peers[i];
		jobs[i].status = -1;
		snprintf(jobs[i].target, sizeof(jobs[i].target), "/replicate?from=%s&seq=%llu",
			 cfg.id, (unsigned long long)seq);
		started[i] = pthread_create(&th[i], &attr, repl_thread, &jobs[i]) == 0;
		if (!started[i])
			repl_thread(&jobs[i]);
	}
	pthread_attr_destroy(&attr);
	for (int i = 0; i < cfg.npeers; i++)
		if (started[i])
			pthread_join(th[i], NULL);
}

/*
 * Pulls GET /state from every peer and merges it. Returns how many peers
 * answered; *grew tells whether anything changed (then it is persisted).
 */
static int sync_from_peers(const char *why, bool log_always)
{
	int answered = 0, grew = 0;
	char body[RESP_MAX];
	for (int i = 0; i < cfg.npeers; i++) {
		int code = http_call(&cfg.peers[i], "GET", "/state", cfg.peer_timeout_ms, body,
				     sizeof(body));
		if (code != 200) {
			if (log_always)
				logmsg("%s: peer %s unreachable (%s)", why, cfg.peers[i].spec,
				       code < 0 ? "no answer" : "bad status");
			continue;
		}
		pthread_mutex_lock(&st.lock);
		int g = state_merge_text(body);
		pthread_mutex_unlock(&st.lock);
		if (g < 0) {
			logmsg("%s: peer %s sent a malformed state", why, cfg.peers[i].spec);
			continue;
		}
		answered++;
		grew += g;
	}
	pthread_mutex_lock(&st.lock);
	uint64_t v = state_value();
	if (grew > 0)
		state_persist();
	pthread_mutex_unlock(&st.lock);
	if (log_always || grew > 0)
		logmsg("%s: %d/%d peers answered, value %llu%s", why, answered, cfg.npeers,
		       (unsigned long long)v, grew > 0 ? " (updated)" : "");
	return answered;
}

static void *anti_entropy_thread(void *arg)
{
	(void)arg;
	for (;;) {
		struct timespec ts = {.tv_sec = cfg.sync_interval_ms / 1000,
				      .tv_nsec = (long)(cfg.sync_interval_ms % 1000) * 1000000L};
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
		sync_from_peers("anti-entropy", false);
	}
	return NULL;
}

/* ---- HTTP server ------------------------------------------------------ */

static atomic_int conn_threads;

static void respond(int fd, int code, const char *reason, const char *body)
{
	char buf[RESP_MAX + 256];
	size_t blen = strlen(body);
	int n = snprintf(buf, sizeof(buf),
			 "HTTP/1.0 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n"
			 "Connection: close\r\n\r\n%s",
			 code, reason, blen, body);
	if (n > 0)
		send_all(fd, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* Finds "name=" in a query string; copies the value. */
static bool query_param(const char *q, const char *name, char *out, size_t cap)
{
	size_t nl = strlen(name);
	while (q && *q) {
		if (strncmp(q, name, nl) == 0 && q[nl] == '=') {
			const char *v = q + nl + 1;
			size_t len = strcspn(v, "&");
			if (len >= cap)
				return false;
			memcpy(out, v, len);
			out[len] = '\0';
			return true;
		}
		q = strchr(q, '&');
		if (q)
			q++;
	}
	return false;
}

static bool parse_u64(const char *s, uint64_t *out)
{
	if (!*s || *s == '-' || *s == '+')
		return false;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

static void handle(int fd, const char *method, char *target)
{
	char body[RESP_MAX];
	char *query = strchr(target, '?');
	if (query)
		*query++ = '\0';
	bool get = strcmp(method, "GET") == 0;
	bool post = strcmp(method, "POST") == 0;

	if (strcmp(target, "/health") == 0) {
		if (!get)
			return respond(fd, 405, "Method Not Allowed", "use GET\n");
		return respond(fd, 200, "OK", "ok\n");
	}
	if (strcmp(target, "/value") == 0) {
		if (!get)
			return respond(fd, 405, "Method Not Allowed", "use GET\n");
		pthread_mutex_lock(&st.lock);
		snprintf(body, sizeof(body), "%llu\n", (unsigned long long)state_value());
		pthread_mutex_unlock(&st.lock);
		return respond(fd, 200, "OK", body);
	}
	if (strcmp(target, "/state") == 0) {
		if (!get)
			return respond(fd, 405, "Method Not Allowed", "use GET\n");
		pthread_mutex_lock(&st.lock);
		state_format(body, sizeof(body));
		pthread_mutex_unlock(&st.lock);
		return respond(fd, 200, "OK", body);
	}
	if (strcmp(target, "/incr") == 0) {
		if (!post)
			return respond(fd, 405, "Method Not Allowed", "use POST\n");
		pthread_mutex_lock(&st.lock);
		struct entry *e = entry_get(cfg.id);
		if (!e) {
			pthread_mutex_unlock(&st.lock);
			return respond(fd, 500, "Internal Server Error", "node table full\n");
		}
		uint64_t seq = ++e->count;
		uint64_t v = state_value();
		int pr = state_persist();
		if (pr < 0)
			e->count--; /* not durable: not applied */
		pthread_mutex_unlock(&st.lock);
		if (pr < 0)
			return respond(fd, 500, "Internal Server Error", "cannot persist\n");
		replicate(seq);
		snprintf(body, sizeof(body), "%llu\n", (unsigned long long)v);
		return respond(fd, 200, "OK", body);
	}
	if (strcmp(target, "/replicate") == 0) {
		if (!post)
			return respond(fd, 405, "Method Not Allowed", "use POST\n");
		char from[ID_MAX], seqs[32];
		uint64_t seq;
		if (!query_param(query, "from", from, sizeof(from)) || !valid_id(from) ||
		    !query_param(query, "seq", seqs, sizeof(seqs)) || !parse_u64(seqs, &seq) ||
		    seq == 0)
			return respond(fd, 400, "Bad Request", "need from=ID&seq=N\n");
		pthread_mutex_lock(&st.lock);
		struct entry *e = entry_get(from);
		if (!e) {
			pthread_mutex_unlock(&st.lock);
			return respond(fd, 500, "Internal Server Error", "node table full\n");
		}
		const char *what = "duplicate";
		int pr = 0;
		if (seq > e->count) {
			uint64_t old = e->count;
			e->count = seq;
			what = "applied";
			pr = state_persist();
			if (pr < 0)
				e->count = old; /* not durable: not applied */
		}
		uint64_t v = state_value();
		pthread_mutex_unlock(&st.lock);
		if (pr < 0)
			return respond(fd, 500, "Internal Server Error", "cannot persist\n");
		snprintf(body, sizeof(body), "%s %llu\n", what, (unsigned long long)v);
		return respond(fd, 200, "OK", body);
	}
	return respond(fd, 404, "Not Found", "not found\n");
}

static void *conn_thread(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char req[REQ_MAX];
	size_t got = 0;
	int64_t deadline = now_ms() + cfg.client_timeout_ms;
	set_timeouts(fd, cfg.client_timeout_ms);
	/* Read the request head; the body (if any) is ignored. */
	while (got < sizeof(req) - 1) {
		if (now_ms() >= deadline)
			goto done;
		ssize_t k = recv(fd, req + got, sizeof(req) - 1 - got, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			goto done; /* timeout, reset or EOF before a full head */
		got += (size_t)k;
		req[got] = '\0';
		if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n"))
			break;
	}
	req[got] = '\0';
	if (!strstr(req, "\r\n\r\n") && !strstr(req, "\n\n")) {
		respond(fd, 431, "Request Header Fields Too Large", "request too large\n");
		goto done;
	}
	char method[16], target[512];
	if (sscanf(req, "%15s %511s HTTP/%*d.%*d", method, target) != 2 || target[0] != '/') {
		respond(fd, 400, "Bad Request", "bad request\n");
		goto done;
	}
	handle(fd, method, target);
done:
	shutdown(fd, SHUT_WR);
	close(fd);
	atomic_fetch_sub(&conn_threads, 1);
	return NULL;
}

/* ---- pidfile (with the planted bug) ------------------------------------ */

static volatile sig_atomic_t pidfile_written;
static int sig_pipe[2] = {-1, -1};

static void pidfile_remove(void)
{
	if (pidfile_written)
		unlink(cfg.pidfile);
}

/*
 * PLANTED BUG: an existing pidfile is taken as "another counterd is
 * running" without checking whether its pid is alive. A clean exit removes
 * the pidfile, so only an unclean death (SIGKILL, crash) leaves it behind;
 * from then on every start, also by the supervisor, refuses. The fix would
 * be to read the pid and start anyway when kill(pid, 0) fails with ESRCH
 * (or to hold an flock on the pidfile instead).
 */
static int pidfile_create(void)
{
	if (access(cfg.pidfile, F_OK) == 0) {
		char buf[32] = "";
		FILE *f = fopen(cfg.pidfile, "re");
		if (f) {
			if (!fgets(buf, sizeof(buf), f))
				buf[0] = '\0';
			fclose(f);
		}
		buf[strcspn(buf, "\r\n")] = '\0';
		logmsg("stale pidfile %s (pid %s), refusing to start", cfg.pidfile,
		       buf[0] ? buf : "?");
		return -1;
	}
	if (mkdir_parents(cfg.pidfile) < 0) {
		logmsg("pidfile: cannot create the directory of %s: %s", cfg.pidfile,
		       strerror(errno));
		return -1;
	}
	int fd = open(cfg.pidfile, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		if (errno == EEXIST)
			logmsg("stale pidfile %s, refusing to start", cfg.pidfile);
		else
			logmsg("pidfile: open %s: %s", cfg.pidfile, strerror(errno));
		return -1;
	}
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	bool ok = write(fd, buf, (size_t)n) == n;
	close(fd);
	pidfile_written = 1;
	if (!ok) {
		logmsg("pidfile: write %s: %s", cfg.pidfile, strerror(errno));
		pidfile_remove();
		return -1;
	}
	return 0;
}

static void on_signal(int sig)
{
	int saved = errno;
	unsigned char c = (unsigned char)sig;
	if (write(sig_pipe[1], &c, 1) < 0) {
		/* pipe full: a signal is already pending, nothing to add */
	}
	errno = saved;
}

/* ---- command line ----------------------------------------------------- */

static void usage(FILE *out)
{
	fprintf(out,
		"usage: counterd --id ID [--port N] [--bind ADDR] [--peers IP:PORT,...]\n"
		"                --state FILE --pidfile FILE\n"
		"                [--peer-timeout-ms N] [--client-timeout-ms N]\n"
		"                [--sync-interval-ms N]\n"
		"\n"
		"  --port N               listen port (default 8080)\n"
		"  --bind ADDR            listen address, IPv4 (default 0.0.0.0)\n"
		"  --id ID                this node's id, [A-Za-z0-9_.-]{1,31}\n"
		"  --peers LIST           comma-separated IPv4:port of the other nodes\n"
		"  --state FILE           persisted counter state (tmp + rename)\n"
		"  --pidfile FILE         pid file; an existing one blocks start (see README)\n"
		"  --peer-timeout-ms N    per peer request bound (default 300)\n"
		"  --client-timeout-ms N  bound to read a client request (default 2000)\n"
		"  --sync-interval-ms N   anti-entropy period, 0 = only at start (default 1000)\n"
		"\n"
		"HTTP: GET /health, GET /value, GET /state, POST /incr,\n"
		"      POST /replicate?from=ID&seq=N\n");
}

static bool parse_int(const char *s, int lo, int hi, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || !*s || *end || v < lo || v > hi)
		return false;
	*out = (int)v;
	return true;
}

static bool parse_peer(const char *spec, struct peer *p)
{
	char host[64];
	const char *colon = strrchr(spec, ':');
	int port;
	if (!colon || (size_t)(colon - spec) >= sizeof(host) || strlen(spec) >= sizeof(p->spec))
		return false;
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = '\0';
	if (strcmp(host, "localhost") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	if (!parse_int(colon + 1, 1, 65535, &port))
		return false;
	memset(&p->addr, 0, sizeof(p->addr));
	p->addr.sin_family = AF_INET;
	p->addr.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &p->addr.sin_addr) != 1)
		return false;
	snprintf(p->spec, sizeof(p->spec), "%s", spec);
	return true;
}

static int parse_args(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			exit(0);
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "counterd: %s: missing value or unknown option\n", a);
			return -1;
		}
		const char *v = argv[++i];
		if (strcmp(a, "--port") == 0) {
			if (!parse_int(v, 1, 65535, &cfg.port))
				goto bad;
		} else if (strcmp(a, "--bind") == 0) {
			snprintf(cfg.bind_addr, sizeof(cfg.bind_addr), "%s", v);
		} else if (strcmp(a, "--id") == 0) {
			if (!valid_id(v))
				goto bad;
			snprintf(cfg.id, sizeof(cfg.id), "%s", v);
		} else if (strcmp(a, "--peers") == 0) {
			char list[1024];
			snprintf(list, sizeof(list), "%s", v);
			char *save = NULL;
			for (char *tok = strtok_r(list, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save)) {
				if (cfg.npeers >= MAX_PEERS || !parse_peer(tok, &cfg.peers[cfg.npeers]))
					goto bad;
				cfg.npeers++;
			}
		} else if (strcmp(a, "--state") == 0) {
			snprintf(cfg.state_path, sizeof(cfg.state_path), "%s", v);
		} else if (strcmp(a, "--pidfile") == 0) {
			snprintf(cfg.pidfile, sizeof(cfg.pidfile), "%s", v);
		} else if (strcmp(a, "--peer-timeout-ms") == 0) {
			if (!parse_int(v, 1, 60000, &cfg.peer_timeout_ms))
				goto bad;
		} else if (strcmp(a, "--client-timeout-ms") == 0) {
			if (!parse_int(v, 1, 600000, &cfg.client_timeout_ms))
				goto bad;
		} else if (strcmp(a, "--sync-interval-ms") == 0) {
			if (!parse_int(v, 0, 3600000, &cfg.sync_interval_ms))
				goto bad;
		} else {
			fprintf(stderr, "counterd: unknown option %s\n", a);
			return -1;
		}
		continue;
	bad:
		fprintf(stderr, "counterd: bad value for %s: '%s'\n", a, v);
		return -1;
	}
	if (!cfg.id[0] || !cfg.state_path[0] || !cfg.pidfile[0]) {
		fprintf(stderr, "counterd: --id, --state and --pidfile are required\n");
		return -1;
	}
	return 0;
}

/* ---- main ------------------------------------------------------------- */

static int listen_socket(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)cfg.port)};
	if (inet_pton(AF_INET, cfg.bind_addr, &sa.sin_addr) != 1) {
		logmsg("bad --bind address %s", cfg.bind_addr);
		return -1;
	}
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		logmsg("socket: %s", strerror(errno));
		return -1;
	}
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 64) < 0) {
		logmsg("listen on %s:%d: %s", cfg.bind_addr, cfg.port, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	if (parse_args(argc, argv) < 0) {
		usage(stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		logmsg("pipe: %s", strerror(errno));
		return 1;
	}
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	logmsg("starting: port %d, %d peers, state %s, pidfile %s", cfg.port, cfg.npeers,
	       cfg.state_path, cfg.pidfile);
	if (pidfile_create() < 0)
		return 1;
	int lfd = listen_socket();
	if (lfd < 0 || mkdir_parents(cfg.state_path) < 0) {
		if (lfd >= 0)
			logmsg("state: cannot create the directory of %s: %s", cfg.state_path,
			       strerror(errno));
		pidfile_remove();
		return 1;
	}
	state_load();
	sync_from_peers("sync", true);

	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	if (cfg.sync_interval_ms > 0 && cfg.npeers > 0) {
		pthread_t t;
		if (pthread_create(&t, &attr, anti_entropy_thread, NULL) != 0)
			logmsg("anti-entropy thread: cannot start; syncing only at start");
	}
	logmsg("serving on %s:%d", cfg.bind_addr, cfg.port);

	for (;;) {
		struct pollfd p[2] = {{.fd = lfd, .events = POLLIN}, {.fd = sig_pipe[0], .events = POLLIN}};
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			logmsg("poll: %s", strerror(errno));
			break;
		}
		if (p[1].revents) {
			unsigned char c = 0;
			if (read(sig_pipe[0], &c, 1) == 1) {
				/* Clean exit: let an in-flight persist finish, drop the pidfile. */
				pthread_mutex_lock(&st.lock);
				pidfile_remove();
				logmsg("exiting on %s", c == SIGINT ? "SIGINT" : "SIGTERM");
				_exit(0);
			}
		}
		if (!(p[0].revents & POLLIN))
			continue;
		int cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (cfd < 0) {
			if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED)
				logmsg("accept: %s", strerror(errno));
			if (errno == EMFILE || errno == ENFILE)
				usleep(50 * 1000);
			continue;
		}
		int one = 1;
		setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (atomic_fetch_add(&conn_threads, 1) >= MAX_CONN_THREADS) {
			atomic_fetch_sub(&conn_threads, 1);
			set_timeouts(cfd, 100);
			respond(cfd, 503, "Service Unavailable", "busy\n");
			close(cfd);
			continue;
		}
		pthread_t t;
		if (pthread_create(&t, &attr, conn_thread, (void *)(intptr_t)cfd) != 0) {
			atomic_fetch_sub(&conn_threads, 1);
			close(cfd);
		}
	}
	pidfile_remove();
	return 1;
}
