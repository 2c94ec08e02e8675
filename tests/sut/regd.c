/*
 * regd: a 3-node leader-based replicated key-value register, the SUT of
 * the exploration benchmark (bench/explore.sh). See README.md here.
 *
 * Keys are written once (the workload writes k1=1, k2=2, ...). The leader
 * is the node with the lowest id among the nodes it heard from in the
 * last second (heartbeats every 200 ms). A write goes to the leader, which
 * replicates it to its peers and acknowledges it only once a majority
 * (itself and one peer) has it in its log; a read on the leader asks the
 * peers for the key too, so it sees every acknowledged write (any two of
 * three nodes meet). Every second each node pulls its peers' entries and
 * adds those it lacks (anti-entropy), so restarted nodes catch up.
 *
 * The log DIR/log is a header block and one 4 KiB block per entry,
 * appended; a "compaction" copies it into a fresh file once per process,
 * 2.0 s after the first client write the node saw.
 *
 * FIVE PLANTED FLAWS, each off unless named in --flaws (README.md):
 *   leader  the leader acknowledges before replicating or logging
 *   pair    a failed append is ignored after the header moved on; a
 *           restarted node trusts the header and never fetches the rest
 *   window  compaction moves the log aside first; a kill inside its
 *           300 ms leaves a node that refuses to start
 *   param   a stall of 2.6 to 3.0 s makes a follower a leader for good
 *   log     a peer back from connect timeouts (a paused VM) is logged as
 *           "INVARIANT VIOLATED"; every answer stays correct
 *
 * Static, libc only: peers are IPv4 literals, logs are UTC.
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

#define MAX_PEERS 8
#define MAX_KEYS 10000
#define ID_MAX 32
#define KEY_MAX 48
#define VAL_MAX 48
#define REQ_MAX 4096
#define BIG_MAX (1 << 20)
#define BLOCK 4096
#define MAX_CONN_THREADS 128
#define ALIVE_MS 1000
#define HEARTBEAT_MS 200
#define COMPACT_AFTER_MS 2000
#define COMPACT_MS 300

/* ---- configuration ---------------------------------------------------- */

struct peer {
	char spec[64];
	struct sockaddr_in addr;
	char id[ID_MAX];	    /* learned from its /ping answer */
	_Atomic int64_t last_ok_ms; /* monotonic; 0 = never */
};

enum flaw { F_LEADER = 1, F_PAIR = 2, F_WINDOW = 4, F_PARAM = 8, F_LOG = 16 };

static const struct {
	const char *name;
	enum flaw bit;
} flaw_names[] = {
	{"leader", F_LEADER}, {"pair", F_PAIR}, {"window", F_WINDOW},
	{"param", F_PARAM},   {"log", F_LOG},
};

static struct {
	int port;
	char bind_addr[64];
	char id[ID_MAX];
	struct peer peers[MAX_PEERS];
	int npeers;
	char dir[PATH_MAX];
	int peer_timeout_ms;
	unsigned flaws;
} cfg = {.port = 8080, .bind_addr = "0.0.0.0", .peer_timeout_ms = 300};

static bool flawed(enum flaw f)
{
	return (cfg.flaws & f) != 0;
}

/* ---- logging and time ------------------------------------------------- */

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
	fprintf(stderr, "%s.%03ldZ regd[%ld] %s: %s\n", ts, now.tv_nsec / 1000000L,
		(long)getpid(), cfg.id[0] ? cfg.id : "-", line);
	fflush(stderr);
	pthread_mutex_unlock(&log_lock);
}

static int64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec t = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
	while (nanosleep(&t, &t) < 0 && errno == EINTR)
		;
}

/* ---- the store -------------------------------------------------------- */

struct entry {
	uint64_t seq;
	char key[KEY_MAX];
	char value[VAL_MAX];
};

static struct {
	pthread_mutex_t lock;
	struct entry e[MAX_KEYS];
	int n;
	uint64_t max_seq;     /* highest seq seen: the leader's next is max + 1 */
	uint64_t sync_cursor; /* anti-entropy asks for seq > this (0 unless pair) */
	uint64_t header_hwm;  /* the highest seq the log's header claims */
	uint64_t header_whole; /* pair: the header's claim "whole up to here" */
	int64_t first_write_ms;
	int logfd;
	off_t log_size;
} st = {.lock = PTHREAD_MUTEX_INITIALIZER, .logfd = -1};

static bool valid_word(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n == 0 || n >= max)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.'))
			return false;
	}
	return true;
}

/* Caller holds st.lock. */
static struct entry *store_find(const char *key)
{
	for (int i = 0; i < st.n; i++)
		if (strcmp(st.e[i].key, key) == 0)
			return &st.e[i];
	return NULL;
}

/* Caller holds st.lock. Adds an entry to memory only. */
static int store_add(uint64_t seq, const char *key, const char *value)
{
	if (st.n >= MAX_KEYS)
		return -1;
	struct entry *e = &st.e[st.n++];
	e->seq = seq;
	snprintf(e->key, sizeof(e->key), "%s", key);
	snprintf(e->value, sizeof(e->value), "%s", value);
	if (seq > st.max_seq)
		st.max_seq = seq;
	if (!st.first_write_ms)
		st.first_write_ms = now_ms();
	return 0;
}

static void path_in_dir(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", cfg.dir, name);
}

static int write_header(int fd, uint64_t hwm)
{
	char block[BLOCK];
	memset(block, 0, sizeof(block));
	snprintf(block, sizeof(block), "regd-log v1 hwm=%llu whole=%llu\n", (unsigned long long)hwm,
		 (unsigned long long)st.header_whole);
	return pwrite(fd, block, BLOCK, 0) == BLOCK ? 0 : -1;
}

/*
 * Caller holds st.lock. Appends one entry block, then moves the header's
 * high-water mark. Returns 0, or -1 when the entry is not in the log (the
 * file is cut back to its old size). With flaw `pair` the header moves
 * first and a failed append is logged and ignored, and the header then
 * claims the log whole up to that entry (`whole=`), which stays in it.
 */
static int log_append(uint64_t seq, const char *key, const char *value)
{
	char block[BLOCK];
	memset(block, 0, sizeof(block));
	snprintf(block, sizeof(block), "%llu %s %s\n", (unsigned long long)seq, key, value);
	/* the entries this log was given, not st.max_seq: the leader numbers
	 * entries before they are logged (and, with `leader`, long before) */
	uint64_t hwm = seq > st.header_hwm ? seq : st.header_hwm;
	if (flawed(F_PAIR)) {
		st.header_hwm = hwm;
		write_header(st.logfd, hwm);
		if (pwrite(st.logfd, block, BLOCK, st.log_size) != BLOCK) {
			logmsg("persist: append of %s failed: %s; continuing", key, strerror(errno));
			st.header_whole = hwm;
			write_header(st.logfd, hwm);
		} else {
			st.log_size += BLOCK;
		}
		return 0;
	}
	ssize_t k = pwrite(st.logfd, block, BLOCK, st.log_size);
	if (k != BLOCK) {
		logmsg("persist: append of %s failed: %s", key, k < 0 ? strerror(errno) : "short write");
		if (ftruncate(st.logfd, st.log_size) < 0) {
			/* the short block is ignored when loading: no seq line */
		}
		return -1;
	}
	st.log_size += BLOCK;
	st.header_hwm = hwm;
	write_header(st.logfd, hwm); /* in place: needs no new space */
	return 0;
}

/* Caller holds st.lock. Logs and then applies; -1 if it could not log. */
static int store_put(uint64_t seq, const char *key, const char *value)
{
	if (log_append(seq, key, value) < 0)
		return -1;
	return store_add(seq, key, value);
}

static int open_log(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	struct stat sb;
	if (fstat(fd, &sb) < 0) {
		close(fd);
		return -1;
	}
	if (sb.st_size < BLOCK) {
		if (write_header(fd, 0) < 0) {
			close(fd);
			return -1;
		}
		sb.st_size = BLOCK;
	}
	st.logfd = fd;
	st.log_size = sb.st_size - sb.st_size % BLOCK;
	return 0;
}

/* Loads DIR/log. Returns 0, or -1 when the node must not start. */
static int log_load(void)
{
	char path[PATH_MAX], marker[PATH_MAX], tmp[PATH_MAX];
	path_in_dir(path, sizeof(path), "log");
	path_in_dir(marker, sizeof(marker), "compacting");
	path_in_dir(tmp, sizeof(tmp), "log.compact");
	if (access(marker, F_OK) == 0) {
		/* flaw `window`: the log was moved aside and never put back */
		logmsg("state: compaction was interrupted, the log is incomplete; refusing to start");
		return -1;
	}
	unlink(tmp); /* a compaction that did not finish: the log is intact */
	if (open_log(path) < 0) {
		logmsg("state: cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	char block[BLOCK + 1];
	uint64_t header_hwm = 0;
	if (pread(st.logfd, block, BLOCK, 0) == BLOCK) {
		block[BLOCK] = '\0';
		unsigned long long h, w = 0;
		if (sscanf(block, "regd-log v1 hwm=%llu whole=%llu", &h, &w) >= 1)
			header_hwm = h;
		st.header_hwm = header_hwm;
		st.header_whole = w;
	}
	for (off_t off = BLOCK; off < st.log_size; off += BLOCK) {
		if (pread(st.logfd, block, BLOCK, off) != BLOCK)
			break;
		block[BLOCK] = '\0';
		unsigned long long seq;
		char key[KEY_MAX], value[VAL_MAX];
		if (sscanf(block, "%llu %47s %47s", &seq, key, value) != 3)
			continue;
		if (!store_find(key))
			store_add(seq, key, value);
	}
	st.first_write_ms = 0;
	/* flaw `pair`: entries up to the `whole` mark are taken to be here
	 * (the appends that failed are not), so they are never fetched */
	if (flawed(F_PAIR) && st.header_whole) {
		if (st.header_whole > st.max_seq)
			st.max_seq = st.header_whole;
		st.sync_cursor = st.header_whole;
	}
	logmsg("state: loaded %d entries, high-water mark %llu", st.n,
	       (unsigned long long)st.max_seq);
	return 0;
}

/* Caller holds st.lock. Copies DIR/log block by block into `to`. */
static int copy_log(int from, const char *to, bool slow)
{
	int fd = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	char block[BLOCK];
	int nblocks = (int)(st.log_size / BLOCK), rc = 0;
	for (int i = 0; i < nblocks && rc == 0; i++) {
		if (pread(from, block, BLOCK, (off_t)i * BLOCK) != BLOCK ||
		    pwrite(fd, block, BLOCK, (off_t)i * BLOCK) != BLOCK)
			rc = -1;
		if (slow && nblocks > 0)
			sleep_ms(COMPACT_MS / nblocks > 0 ? COMPACT_MS / nblocks : 1);
	}
	if (close(fd) < 0)
		rc = -1;
	return rc;
}

/*
 * The compaction, 300 ms with the store locked. Correct: copy into
 * log.compact, then rename over the log. Flaw `window`: mark, move the
 * log aside, copy it back, unmark; a kill in between leaves the marker.
 */
static void compact(void)
{
	char path[PATH_MAX], marker[PATH_MAX], aside[PATH_MAX], tmp[PATH_MAX];
	path_in_dir(path, sizeof(path), "log");
	path_in_dir(marker, sizeof(marker), "compacting");
	path_in_dir(aside, sizeof(aside), "log.old");
	path_in_dir(tmp, sizeof(tmp), "log.compact");
	int64_t t0 = now_ms();
	pthread_mutex_lock(&st.lock);
	int rc;
	if (flawed(F_WINDOW)) {
		int m = open(marker, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (m >= 0)
			close(m);
		rc = rename(path, aside);
		int old = st.logfd;
		if (rc == 0)
			rc = copy_log(old, path, true);
		if (rc == 0) {
			close(old);
			st.logfd = open(path, O_RDWR | O_CLOEXEC);
			unlink(aside);
			unlink(marker);
		} else {
			rename(aside, path);
			unlink(marker);
		}
	} else {
		rc = copy_log(st.logfd, tmp, true);
		if (rc == 0)
			rc = rename(tmp, path);
		if (rc == 0) {
			close(st.logfd);
			st.logfd = open(path, O_RDWR | O_CLOEXEC);
		} else {
			unlink(tmp);
		}
	}
	int n = st.n;
	pthread_mutex_unlock(&st.lock);
	if (rc == 0)
		logmsg("compaction: %d entries in %lld ms", n, (long long)(now_ms() - t0));
	else
		logmsg("compaction: failed: %s; the log stays as it was", strerror(errno));
}

/* ---- peer HTTP -------------------------------------------------------- */

enum call_fail { CALL_OK, CALL_REFUSED, CALL_CONNECT_TIMEOUT, CALL_TIMEOUT, CALL_ERROR };

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
		return r <= 0 ? -1 : 0;
	}
}

/*
 * HTTP/1.0 to a peer, bounded by timeout_ms. Returns the status (body in
 * `body`, NUL-terminated, up to cap) or -1 with *how saying why.
 */
static int peer_call(const struct peer *pr, const char *method, const char *target,
		     int timeout_ms, char *body, size_t cap, enum call_fail *how)
{
	int64_t deadline = now_ms() + timeout_ms;
	enum call_fail why = CALL_ERROR;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), status = -1;
	size_t rcap = cap + 8192;
	char *resp = malloc(rcap);
	size_t got = 0;
	if (fd < 0 || !resp)
		goto out;
	if (connect(fd, (const struct sockaddr *)&pr->addr, sizeof(pr->addr)) < 0) {
		if (errno == ECONNREFUSED) {
			why = CALL_REFUSED;
			goto out;
		}
		if (errno != EINPROGRESS)
			goto out;
		if (wait_fd(fd, POLLOUT, deadline) < 0) {
			why = CALL_CONNECT_TIMEOUT;
			goto out;
		}
		int err = 0;
		socklen_t el = sizeof(err);
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0 || err != 0) {
			why = err == ECONNREFUSED ? CALL_REFUSED : CALL_ERROR;
			goto out;
		}
	}
	char req[512];
	int rl = snprintf(req, sizeof(req), "%s %s HTTP/1.0\r\nHost: %s\r\n\r\n", method, target,
			  pr->spec);
	if (send(fd, req, (size_t)rl, MSG_NOSIGNAL) != rl)
		goto out;
	why = CALL_TIMEOUT;
	for (;;) {
		if (got >= rcap - 1)
			break;
		ssize_t k = recv(fd, resp + got, rcap - 1 - got, 0);
		if (k < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (wait_fd(fd, POLLIN, deadline) < 0)
				goto out;
			continue;
		}
		if (k < 0) {
			why = CALL_ERROR;
			goto out;
		}
		if (k == 0)
			break;
		got += (size_t)k;
	}
	resp[got] = '\0';
	why = CALL_ERROR;
	int code;
	char *b = strstr(resp, "\r\n\r\n");
	if (sscanf(resp, "HTTP/%*d.%*d %d", &code) != 1 || !b)
		goto out;
	if (body && cap)
		snprintf(body, cap, "%s", b + 4);
	status = code;
	why = CALL_OK;
out:
	if (fd >= 0)
		close(fd);
	free(resp);
	if (how)
		*how = why;
	return status;
}

/* ---- leadership ------------------------------------------------------- */

static atomic_bool sticky_leader; /* flaw `param` */

static bool peer_alive(const struct peer *p, int64_t now)
{
	int64_t t = atomic_load(&p->last_ok_ms);
	return t && now - t < ALIVE_MS;
}

static bool is_leader(void)
{
	if (atomic_load(&sticky_leader))
		return true;
	int64_t now = now_ms();
	for (int i = 0; i < cfg.npeers; i++)
		if (peer_alive(&cfg.peers[i], now) && strcmp(cfg.peers[i].id, cfg.id) < 0)
			return false;
	return true;
}

struct hb_state {
	struct peer *peer;
	int connect_timeouts;
	int read_timeouts;
	int64_t down_since;
};

static void heartbeat_once(struct hb_state *h)
{
	char body[128];
	enum call_fail how;
	int code = peer_call(h->peer, "GET", "/ping", cfg.peer_timeout_ms, body, sizeof(body), &how);
	int64_t now = now_ms();
	char id[ID_MAX];
	if (code == 200 && sscanf(body, "pong %31s", id) == 1 && valid_word(id, ID_MAX)) {
		bool was_up = h->down_since == 0;
		if (!was_up) {
			logmsg("peer %s: back after %lld ms (%d connect timeouts, %d read timeouts)", id,
			       (long long)(now - h->down_since), h->connect_timeouts, h->read_timeouts);
			if (flawed(F_LOG) && h->connect_timeouts >= 2)
				logmsg("INVARIANT VIOLATED: peer %s returned without a restart; "
				       "its term did not advance",
				       id);
		}
		snprintf(h->peer->id, sizeof(h->peer->id), "%s", id);
		atomic_store(&h->peer->last_ok_ms, now);
		h->connect_timeouts = h->read_timeouts = 0;
		h->down_since = 0;
		return;
	}
	if (!h->down_since)
		h->down_since = now;
	if (how == CALL_CONNECT_TIMEOUT)
		h->connect_timeouts++;
	else if (how == CALL_TIMEOUT)
		h->read_timeouts++;
}

static void *heartbeat_thread(void *arg)
{
	struct hb_state h = {.peer = arg};
	for (;;) {
		heartbeat_once(&h);
		sleep_ms(HEARTBEAT_MS);
	}
	return NULL;
}

/*
 * Watches its own stalls (SIGSTOP, a paused VM) on the monotonic clock.
 * Flaw `param`: a follower back from a stall of 2.6 to 3.0 s takes the
 * "lease lapsed in grace" branch and keeps itself leader for good.
 */
static void *stall_thread(void *arg)
{
	(void)arg;
	const int tick = 100;
	int64_t last = now_ms();
	for (;;) {
		bool leader = is_leader(); /* before the stall: after it peers look dead */
		sleep_ms(tick);
		int64_t now = now_ms(), stall = now - last - tick;
		last = now;
		if (stall < 400)
			continue;
		if (stall < 1000)
			logmsg("stall: %lld ms, brief", (long long)stall);
		else if (stall < 2600)
			logmsg("stall: %lld ms, peers presumed alive", (long long)stall);
		else if (stall < 3000)
			logmsg("stall: %lld ms, lease lapsed within grace", (long long)stall);
		else
			logmsg("stall: %lld ms, lease expired, re-checking leadership", (long long)stall);
		if (flawed(F_PARAM) && !leader && stall >= 2600 && stall < 3000) {
			atomic_store(&sticky_leader, true);
			logmsg("leader: taking over after the lease lapsed");
		}
	}
	return NULL;
}

/* ---- replication ------------------------------------------------------ */

struct repl_job {
	const struct peer *peer;
	char target[256];
	int status;
};

static void *repl_thread(void *arg)
{
	struct repl_job *j = arg;
	j->status = peer_call(j->peer, "POST", j->target, cfg.peer_timeout_ms, NULL, 0, NULL);
	return NULL;
}

/* Sends an entry to every peer at once; returns how many logged it. */
static int replicate(uint64_t seq, const char *key, const char *value)
{
	struct repl_job jobs[MAX_PEERS];
	pthread_t t[MAX_PEERS];
	bool started[MAX_PEERS] = {false};
	int acks = 0;
	for (int i = 0; i < cfg.npeers; i++) {
		jobs[i].peer = &cfg.peers[i];
		jobs[i].status = -1;
		snprintf(jobs[i].target, sizeof(jobs[i].target),
			 "/replicate?seq=%llu&key=%s&value=%s", (unsigned long long)seq, key, value);
		started[i] = pthread_create(&t[i], NULL, repl_thread, &jobs[i]) == 0;
		if (!started[i])
			repl_thread(&jobs[i]);
	}
	for (int i = 0; i < cfg.npeers; i++) {
		if (started[i])
			pthread_join(t[i], NULL);
		if (jobs[i].status == 200)
			acks++;
	}
	return acks;
}

/* Flaw `leader`: acknowledged writes wait here, in memory only. */
static struct {
	pthread_mutex_t lock;
	struct entry q[MAX_KEYS];
	int n;
} pending = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void *flusher_thread(void *arg)
{
	(void)arg;
	for (;;) {
		sleep_ms(1000);
		pthread_mutex_lock(&pending.lock);
		int n = pending.n;
		static struct entry batch[MAX_KEYS];
		memcpy(batch, pending.q, sizeof(batch[0]) * (size_t)n);
		pending.n = 0;
		pthread_mutex_unlock(&pending.lock);
		for (int i = 0; i < n; i++) {
			pthread_mutex_lock(&st.lock);
			log_append(batch[i].seq, batch[i].key, batch[i].value);
			pthread_mutex_unlock(&st.lock);
			replicate(batch[i].seq, batch[i].key, batch[i].value);
		}
		if (n)
			logmsg("flush: %d entries logged and replicated", n);
	}
	return NULL;
}

/* Pulls the peers' entries above the cursor and adds the missing ones. */
static int anti_entropy(void)
{
	int answered = 0;
	char *body = malloc(BIG_MAX);
	if (!body)
		return 0;
	for (int i = 0; i < cfg.npeers; i++) {
		char target[64];
		pthread_mutex_lock(&st.lock);
		snprintf(target, sizeof(target), "/since?seq=%llu",
			 (unsigned long long)st.sync_cursor);
		pthread_mutex_unlock(&st.lock);
		if (peer_call(&cfg.peers[i], "GET", target, 2 * cfg.peer_timeout_ms, body, BIG_MAX,
			      NULL) != 200)
			continue;
		answered++;
		int added = 0;
		pthread_mutex_lock(&st.lock);
		char *save = NULL;
		for (char *line = strtok_r(body, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			unsigned long long seq;
			char key[KEY_MAX], value[VAL_MAX];
			if (sscanf(line, "%llu %47s %47s", &seq, key, value) != 3 || store_find(key))
				continue;
			if (store_put(seq, key, value) == 0)
				added++;
		}
		pthread_mutex_unlock(&st.lock);
		if (added)
			logmsg("sync: %d entries from %s", added, cfg.peers[i].spec);
	}
	free(body);
	return answered;
}

static void *anti_entropy_thread(void *arg)
{
	(void)arg;
	bool compacted = false;
	for (;;) {
		sleep_ms(100);
		static int64_t last;
		if (now_ms() - last >= 1000) {
			last = now_ms();
			anti_entropy();
		}
		pthread_mutex_lock(&st.lock);
		int64_t first = st.first_write_ms;
		pthread_mutex_unlock(&st.lock);
		if (!compacted && first && now_ms() - first >= COMPACT_AFTER_MS) {
			compacted = true;
			compact();
		}
	}
	return NULL;
}

/* ---- HTTP server ------------------------------------------------------ */

static atomic_int conn_threads;

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

static void respond(int fd, int code, const char *body)
{
	char head[256];
	size_t blen = strlen(body);
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.0 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n"
			 "Connection: close\r\n\r\n",
			 code, code == 200 ? "OK" : "Error", blen);
	if (send_all(fd, head, (size_t)n) == 0)
		send_all(fd, body, blen);
}

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

static bool parse_kv(const char *q, char *key, char *value)
{
	return query_param(q, "key", key, KEY_MAX) && valid_word(key, KEY_MAX) &&
	       (!value || (query_param(q, "value", value, VAL_MAX) && valid_word(value, VAL_MAX)));
}

static void handle_write(int fd, const char *q)
{
	char key[KEY_MAX], value[VAL_MAX];
	if (!parse_kv(q, key, value))
		return respond(fd, 400, "need key=K&value=V\n");
	if (!is_leader())
		return respond(fd, 421, "not leader\n");
	pthread_mutex_lock(&st.lock);
	struct entry *e = store_find(key);
	if (e) {
		bool same = strcmp(e->value, value) == 0;
		pthread_mutex_unlock(&st.lock);
		return respond(fd, same ? 200 : 409, same ? "ok\n" : "written once already\n");
	}
	uint64_t seq = ++st.max_seq;
	if (flawed(F_LEADER)) {
		store_add(seq, key, value);
		pthread_mutex_unlock(&st.lock);
		pthread_mutex_lock(&pending.lock);
		if (pending.n < MAX_KEYS) {
			struct entry *p = &pending.q[pending.n++];
			p->seq = seq;
			snprintf(p->key, sizeof(p->key), "%s", key);
			snprintf(p->value, sizeof(p->value), "%s", value);
		}
		pthread_mutex_unlock(&pending.lock);
		return respond(fd, 200, "ok\n");
	}
	pthread_mutex_unlock(&st.lock);
	if (replicate(seq, key, value) < (cfg.npeers + 1) / 2)
		return respond(fd, 503, "no majority\n");
	pthread_mutex_lock(&st.lock);
	int rc = store_find(key) ? 0 : store_put(seq, key, value);
	pthread_mutex_unlock(&st.lock);
	if (rc < 0)
		return respond(fd, 500, "cannot log\n");
	return respond(fd, 200, "ok\n");
}

/* On the leader: its own value, else a peer's; needs a majority to answer. */
static void handle_read(int fd, const char *q)
{
	char key[KEY_MAX], value[VAL_MAX] = "", body[128], target[128];
	if (!parse_kv(q, key, NULL))
		return respond(fd, 400, "need key=K\n");
	if (!is_leader())
		return respond(fd, 421, "not leader\n");
	pthread_mutex_lock(&st.lock);
	struct entry *e = store_find(key);
	if (e)
		snprintf(value, sizeof(value), "%s", e->value);
	pthread_mutex_unlock(&st.lock);
	int answered = 0;
	snprintf(target, sizeof(target), "/local?key=%s", key);
	for (int i = 0; i < cfg.npeers; i++) {
		int code = peer_call(&cfg.peers[i], "GET", target, cfg.peer_timeout_ms, body,
				     sizeof(body), NULL);
		if (code == 200 || code == 404)
			answered++;
		if (code == 200 && !value[0])
			sscanf(body, "%47s", value);
	}
	if (answered < (cfg.npeers + 1) / 2)
		return respond(fd, 503, "no majority\n");
	if (!value[0])
		return respond(fd, 404, "none\n");
	snprintf(body, sizeof(body), "%s\n", value);
	return respond(fd, 200, body);
}

static void handle_replicate(int fd, const char *q)
{
	char key[KEY_MAX], value[VAL_MAX], seqs[32];
	unsigned long long seq;
	if (!parse_kv(q, key, value) || !query_param(q, "seq", seqs, sizeof(seqs)) ||
	    sscanf(seqs, "%llu", &seq) != 1)
		return respond(fd, 400, "need seq=N&key=K&value=V\n");
	pthread_mutex_lock(&st.lock);
	int rc = store_find(key) ? 0 : store_put(seq, key, value);
	pthread_mutex_unlock(&st.lock);
	return respond(fd, rc == 0 ? 200 : 500, rc == 0 ? "ok\n" : "cannot log\n");
}

static void handle_since(int fd, const char *q)
{
	char seqs[32];
	unsigned long long from = 0;
	if (query_param(q, "seq", seqs, sizeof(seqs)))
		sscanf(seqs, "%llu", &from);
	char *body = malloc(BIG_MAX);
	if (!body)
		return respond(fd, 500, "no memory\n");
	size_t len = 0;
	body[0] = '\0';
	pthread_mutex_lock(&st.lock);
	for (int i = 0; i < st.n && len + 128 < BIG_MAX; i++)
		if (st.e[i].seq > from)
			len += (size_t)snprintf(body + len, BIG_MAX - len, "%llu %s %s\n",
						(unsigned long long)st.e[i].seq, st.e[i].key,
						st.e[i].value);
	pthread_mutex_unlock(&st.lock);
	respond(fd, 200, body);
	free(body);
}

static void handle(int fd, const char *method, char *target)
{
	char *q = strchr(target, '?');
	if (q)
		*q++ = '\0';
	bool post = strcmp(method, "POST") == 0;
	char body[128];
	if (strcmp(target, "/health") == 0)
		return respond(fd, 200, "ok\n");
	if (strcmp(target, "/ping") == 0) {
		snprintf(body, sizeof(body), "pong %s\n", cfg.id);
		return respond(fd, 200, body);
	}
	if (strcmp(target, "/leader") == 0)
		return respond(fd, 200, is_leader() ? "yes\n" : "no\n");
	if (strcmp(target, "/write") == 0)
		return post ? handle_write(fd, q) : respond(fd, 405, "use POST\n");
	if (strcmp(target, "/read") == 0)
		return handle_read(fd, q);
	if (strcmp(target, "/replicate") == 0)
		return post ? handle_replicate(fd, q) : respond(fd, 405, "use POST\n");
	if (strcmp(target, "/since") == 0)
		return handle_since(fd, q);
	if (strcmp(target, "/local") == 0) {
		char key[KEY_MAX];
		if (!parse_kv(q, key, NULL))
			return respond(fd, 400, "need key=K\n");
		pthread_mutex_lock(&st.lock);
		struct entry *e = store_find(key);
		if (e)
			snprintf(body, sizeof(body), "%s\n", e->value);
		pthread_mutex_unlock(&st.lock);
		return respond(fd, e ? 200 : 404, e ? body : "none\n");
	}
	return respond(fd, 404, "not found\n");
}

static void *conn_thread(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char req[REQ_MAX];
	size_t got = 0;
	struct timeval tv = {.tv_sec = 2};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	while (got < sizeof(req) - 1) {
		ssize_t k = recv(fd, req + got, sizeof(req) - 1 - got, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			goto done;
		got += (size_t)k;
		req[got] = '\0';
		if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n"))
			break;
	}
	req[got] = '\0';
	char method[16], target[512];
	if (sscanf(req, "%15s %511s HTTP/%*d.%*d", method, target) != 2 || target[0] != '/')
		respond(fd, 400, "bad request\n");
	else
		handle(fd, method, target);
done:
	shutdown(fd, SHUT_WR);
	close(fd);
	atomic_fetch_sub(&conn_threads, 1);
	return NULL;
}

/* ---- command line and main -------------------------------------------- */

static void usage(FILE *out)
{
	fprintf(out,
		"usage: regd --id ID --dir DIR [--port N] [--bind ADDR] [--peers IP:PORT,...]\n"
		"            [--peer-timeout-ms N] [--flaws LIST]\n"
		"\n"
		"  --id ID              node id, [A-Za-z0-9_.-]{1,31}; the lowest live id leads\n"
		"  --dir DIR            the node's log directory (created)\n"
		"  --port N             listen port (default 8080)\n"
		"  --bind ADDR          listen address, IPv4 (default 0.0.0.0)\n"
		"  --peers LIST         the other nodes, IPv4:port, comma-separated\n"
		"  --peer-timeout-ms N  bound on one request to a peer (default 300)\n"
		"  --flaws LIST         planted flaws to switch on: none (default), all, or a\n"
		"                       comma list of leader,pair,window,param,log\n"
		"\n"
		"HTTP: GET /health, /leader, /read?key=K, /local?key=K, /since?seq=N, /ping;\n"
		"      POST /write?key=K&value=V, /replicate?seq=N&key=K&value=V\n");
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

static bool parse_flaws(const char *v, unsigned *out)
{
	char list[256];
	unsigned bits = 0;
	if (strcmp(v, "none") == 0 || !*v) {
		*out = 0;
		return true;
	}
	if (snprintf(list, sizeof(list), "%s", v) >= (int)sizeof(list))
		return false;
	char *save = NULL;
	for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		bool known = false;
		for (size_t i = 0; i < sizeof(flaw_names) / sizeof(flaw_names[0]); i++)
			if (strcmp(tok, flaw_names[i].name) == 0 || strcmp(tok, "all") == 0) {
				bits |= flaw_names[i].bit;
				known = true;
			}
		if (!known)
			return false;
	}
	*out = bits;
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
			fprintf(stderr, "regd: %s: missing value or unknown option\n", a);
			return -1;
		}
		const char *v = argv[++i];
		bool ok = true;
		if (strcmp(a, "--port") == 0) {
			ok = parse_int(v, 1, 65535, &cfg.port);
		} else if (strcmp(a, "--bind") == 0) {
			snprintf(cfg.bind_addr, sizeof(cfg.bind_addr), "%s", v);
		} else if (strcmp(a, "--id") == 0) {
			ok = valid_word(v, ID_MAX);
			snprintf(cfg.id, sizeof(cfg.id), "%s", v);
		} else if (strcmp(a, "--peers") == 0) {
			char list[1024];
			snprintf(list, sizeof(list), "%s", v);
			char *save = NULL;
			for (char *tok = strtok_r(list, ",", &save); ok && tok;
			     tok = strtok_r(NULL, ",", &save)) {
				ok = cfg.npeers < MAX_PEERS && parse_peer(tok, &cfg.peers[cfg.npeers]);
				cfg.npeers += ok;
			}
		} else if (strcmp(a, "--dir") == 0) {
			ok = strlen(v) < PATH_MAX - 32;
			snprintf(cfg.dir, sizeof(cfg.dir), "%s", v);
		} else if (strcmp(a, "--peer-timeout-ms") == 0) {
			ok = parse_int(v, 1, 60000, &cfg.peer_timeout_ms);
		} else if (strcmp(a, "--flaws") == 0) {
			ok = parse_flaws(v, &cfg.flaws);
		} else {
			fprintf(stderr, "regd: unknown option %s\n", a);
			return -1;
		}
		if (!ok) {
			fprintf(stderr, "regd: bad value for %s: '%s'\n", a, v);
			return -1;
		}
	}
	if (!cfg.id[0] || !cfg.dir[0]) {
		fprintf(stderr, "regd: --id and --dir are required\n");
		return -1;
	}
	return 0;
}

static int listen_socket(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)cfg.port)};
	if (inet_pton(AF_INET, cfg.bind_addr, &sa.sin_addr) != 1) {
		logmsg("bad --bind address %s", cfg.bind_addr);
		return -1;
	}
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 512) < 0) {
		logmsg("listen on %s:%d: %s", cfg.bind_addr, cfg.port, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void flaws_text(char *out, size_t cap)
{
	size_t len = 0;
	out[0] = '\0';
	for (size_t i = 0; i < sizeof(flaw_names) / sizeof(flaw_names[0]); i++)
		if (cfg.flaws & flaw_names[i].bit)
			len += (size_t)snprintf(out + len, cap - len, "%s%s", len ? "," : "",
						flaw_names[i].name);
	if (!len)
		snprintf(out, cap, "none");
}

static void start_thread(void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	pthread_t t;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, fn, arg) != 0) {
		logmsg("cannot start a thread: %s", strerror(errno));
		exit(1);
	}
	pthread_attr_destroy(&attr);
}

int main(int argc, char **argv)
{
	if (parse_args(argc, argv) < 0) {
		usage(stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	char flaws[64];
	flaws_text(flaws, sizeof(flaws));
	logmsg("starting: port %d, %d peers, dir %s, flaws %s", cfg.port, cfg.npeers, cfg.dir,
	       flaws);
	if (mkdir(cfg.dir, 0755) < 0 && errno != EEXIST) {
		logmsg("state: cannot create %s: %s", cfg.dir, strerror(errno));
		return 1;
	}
	int lfd = listen_socket();
	if (lfd < 0 || log_load() < 0)
		return 1;
	for (int i = 0; i < cfg.npeers; i++) {
		struct hb_state h = {.peer = &cfg.peers[i]};
		heartbeat_once(&h);
		start_thread(heartbeat_thread, &cfg.peers[i]);
	}
	anti_entropy();
	start_thread(anti_entropy_thread, NULL);
	start_thread(stall_thread, NULL);
	if (flawed(F_LEADER))
		start_thread(flusher_thread, NULL);
	logmsg("serving on %s:%d, %s", cfg.bind_addr, cfg.port, is_leader() ? "leader" : "follower");

	for (;;) {
		int cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (cfd < 0) {
			if (errno == EMFILE || errno == ENFILE)
				sleep_ms(50);
			continue;
		}
		int one = 1;
		setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (atomic_fetch_add(&conn_threads, 1) >= MAX_CONN_THREADS) {
			atomic_fetch_sub(&conn_threads, 1);
			respond(cfd, 503, "busy\n");
			close(cfd);
			continue;
		}
		pthread_attr_t attr;
		pthread_t t;
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&t, &attr, conn_thread, (void *)(intptr_t)cfd) != 0) {
			atomic_fetch_sub(&conn_threads, 1);
			close(cfd);
		}
		pthread_attr_destroy(&attr);
	}
}
