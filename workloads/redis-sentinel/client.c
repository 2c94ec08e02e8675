/* redis-sentinel-client - the Redis Sentinel workload: concurrent clients
 * add unique integers to one Redis set through whatever node the sentinels
 * name as the primary, record every operation in the project's history
 * format (docs/checkers.md), and read the whole set once at the end, so
 * that `campaign check lost-writes` can tell whether acknowledged adds
 * survived faults and failovers.
 *
 *   redis-sentinel-client --sentinels H:P,H:P,... --redis H:P,H:P,...
 *       [--cluster IP,IP,...] --out FILE [--clients N] [--rate R]
 *       [--duration-s D] [--key K] [--settle-s S] [--final-timeout-s T]
 *       [--op-timeout-ms M]
 *
 * Finding the primary follows the Sentinel client guidelines
 * (redis.io/docs/reference/sentinel-clients): ask the sentinels in turn
 * for SENTINEL get-master-addr-by-name mymaster, the first that answers
 * wins and moves to the front of the list; connect to the address it gives
 * and check with ROLE that the node really is a master; resolve again after
 * any error (connection lost, timeout, -READONLY from a demoted primary).
 *
 * The sentinels report cluster addresses (10.99.0.1X:6379) that the
 * controller cannot reach. Node i of --cluster (default 10.99.0.(11+i),
 * the testbed's numbering) is reached through entry i of --redis, the
 * host forward of its port 6379 (campaign's {nodes.redis}, node order).
 *
 * History: one JSON line per event, time from CLOCK_MONOTONIC taken under
 * the same lock that orders the lines, so time never decreases:
 *   invoke add V -> ok (integer reply), fail (an error reply: Redis did not
 *   execute the command), info (no reply: I/O error or timeout, the add may
 *   or may not have happened).
 * On SIGTERM/SIGINT (or after --duration-s) the clients stop adding; after
 * --settle-s the final read (SMEMBERS) is retried until a primary that
 * every answering sentinel agrees on (at least two of them) answers, for at
 * most --final-timeout-s; it is recorded as process N (after the N
 * clients), f "read", value = the set's members as integers.
 * Exit 0 when the final read succeeded, 1 when it never did, 2 on usage.
 */
#include <errno.h>
#include <hiredis/hiredis.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_NODES 16
#define MASTER_NAME "mymaster"

struct addr {
	char host[64];
	int port;
};

static struct addr sentinels[MAX_NODES], forwards[MAX_NODES];
static char cluster_ip[MAX_NODES][64];
static int n_sentinels, n_forwards, n_cluster;
static int n_clients = 4;
static double rate = 20, duration_s = 0, settle_s = 3, final_timeout_s = 30;
static int op_timeout_ms = 1000;
static const char *key = "s";
static FILE *out;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t sentinel_lock = PTHREAD_MUTEX_INITIALIZER;
static int sentinel_order[MAX_NODES];
static volatile sig_atomic_t stopping;
static atomic_llong next_value = 1;

static void die_usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "redis-sentinel-client: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\nusage: redis-sentinel-client --sentinels H:P,... --redis H:P,... "
		"[--cluster IP,...] --out FILE [--clients N] [--rate R] [--duration-s D] "
		"[--key K] [--settle-s S] [--final-timeout-s T] [--op-timeout-ms M]\n");
	va_end(ap);
	exit(2);
}

static void logmsg(const char *fmt, ...)
{
	va_list ap;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	va_start(ap, fmt);
	fprintf(stderr, "redis-sentinel-client %ld.%03ld: ", (long)ts.tv_sec,
		ts.tv_nsec / 1000000);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void sleep_ms(double ms)
{
	struct timespec ts = { (time_t)(ms / 1000),
			       (long)((ms - (double)(time_t)(ms / 1000) * 1000) * 1e6) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* "h:p,h:p" -> addrs; returns the count. */
static int parse_addrs(const char *opt, const char *s, struct addr *a)
{
	char *copy = strdup(s), *save = NULL, *tok;
	int n = 0;

	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *colon = strrchr(tok, ':'), *end;
		long port;

		if (n == MAX_NODES)
			die_usage("%s: more than %d addresses", opt, MAX_NODES);
		if (!colon || colon == tok || (size_t)(colon - tok) >= sizeof(a[n].host))
			die_usage("%s: '%s' is not HOST:PORT", opt, tok);
		port = strtol(colon + 1, &end, 10);
		if (*end || port < 1 || port > 65535)
			die_usage("%s: bad port in '%s'", opt, tok);
		memcpy(a[n].host, tok, (size_t)(colon - tok));
		a[n].host[colon - tok] = 0;
		a[n].port = (int)port;
		n++;
	}
	free(copy);
	if (!n)
		die_usage("%s: no addresses", opt);
	return n;
}

/* ---- history ---- */

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* One event; value_json is already JSON text. */
static void record(int process, const char *type, const char *f,
		   const char *value_json, const char *node, const char *error)
{
	pthread_mutex_lock(&out_lock);
	fprintf(out, "{\"process\": %d, \"type\": \"%s\", \"f\": \"%s\", \"key\": ",
		process, type, f);
	json_str(out, key);
	fprintf(out, ", \"value\": %s", value_json);
	if (node && *node) {
		fprintf(out, ", \"node\": ");
		json_str(out, node);
	}
	if (error) {
		fprintf(out, ", \"error\": ");
		json_str(out, error);
	}
	fprintf(out, ", \"time\": %" PRId64 "}\n", now_ns());
	fflush(out);
	pthread_mutex_unlock(&out_lock);
}

/* ---- finding the primary ---- */

static redisContext *connect_to(const char *host, int port, int timeout_ms)
{
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	redisContext *c = redisConnectWithTimeout(host, port, tv);

	if (!c)
		return NULL;
	if (c->err) {
		redisFree(c);
		return NULL;
	}
	redisSetTimeout(c, tv);
	return c;
}

/* Ask sentinel i for the primary: cluster host and port. 0 on success. */
static int ask_sentinel(int i, char *host, size_t size, int *port)
{
	redisContext *c = connect_to(sentinels[i].host, sentinels[i].port, 1000);
	redisReply *r;
	int ret = -1;

	if (!c)
		return -1;
	r = redisCommand(c, "SENTINEL get-master-addr-by-name %s", MASTER_NAME);
	if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
	    r->element[0]->type == REDIS_REPLY_STRING &&
	    r->element[1]->type == REDIS_REPLY_STRING) {
		snprintf(host, size, "%s", r->element[0]->str);
		*port = atoi(r->element[1]->str);
		ret = 0;
	}
	if (r)
		freeReplyObject(r);
	redisFree(c);
	return ret;
}

/* The host forward that reaches a sentinel-reported cluster address. */
static int map_address(const char *host, int port, struct addr *ret)
{
	for (int i = 0; i < n_cluster && i < n_forwards; i++)
		if (!strcmp(cluster_ip[i], host)) {
			if (port != 6379) {
				logmsg("primary %s:%d: only port 6379 is forwarded", host, port);
				return -1;
			}
			*ret = forwards[i];
			return 0;
		}
	logmsg("primary %s:%d is no node of --cluster", host, port);
	return -1;
}

/* Sentinels in turn, the first that answers wins and goes to the front. */
static int resolve_primary(struct addr *ret, char *cluster, size_t size)
{
	char host[64];
	int port;

	pthread_mutex_lock(&sentinel_lock);
	for (int k = 0; k < n_sentinels; k++) {
		int i = sentinel_order[k];

		if (ask_sentinel(i, host, sizeof(host), &port) < 0)
			continue;
		memmove(&sentinel_order[1], &sentinel_order[0], (size_t)k * sizeof(int));
		sentinel_order[0] = i;
		pthread_mutex_unlock(&sentinel_lock);
		snprintf(cluster, size, "%s:%d", host, port);
		return map_address(host, port, ret);
	}
	pthread_mutex_unlock(&sentinel_lock);
	return -1;
}

/* ROLE says master? */
static int is_master(redisContext *c)
{
	redisReply *r = redisCommand(c, "ROLE");
	int ok = r && r->type == REDIS_REPLY_ARRAY && r->elements >= 1 &&
		 r->element[0]->type == REDIS_REPLY_STRING &&
		 !strcmp(r->element[0]->str, "master");

	if (r)
		freeReplyObject(r);
	return ok;
}

/* A connection to a verified primary, or NULL. */
static redisContext *connect_primary(char *cluster, size_t size)
{
	struct addr a;
	redisContext *c;

	if (resolve_primary(&a, cluster, size) < 0)
		return NULL;
	if (!(c = connect_to(a.host, a.port, op_timeout_ms)))
		return NULL;
	if (!is_master(c)) {
		redisFree(c);
		return NULL;
	}
	return c;
}

/* ---- the clients ---- */

static void *client_main(void *arg)
{
	int process = (int)(intptr_t)arg;
	double period_ms = rate > 0 ? 1000.0 * n_clients / rate : 0;
	redisContext *c = NULL;
	char cluster[96] = "", value[32], err[256];
	int64_t next = now_ns() + (int64_t)(period_ms * 1e6 * process / n_clients);

	while (!stopping) {
		int64_t t = now_ns();

		if (t < next) {
			sleep_ms((double)(next - t) / 1e6 > 50 ? 50 : (double)(next - t) / 1e6);
			continue;
		}
		next += (int64_t)(period_ms * 1e6);
		if (next < t)
			next = t;
		if (!c && !(c = connect_primary(cluster, sizeof(cluster)))) {
			sleep_ms(200);
			continue;
		}
		long long v = atomic_fetch_add(&next_value, 1);
		snprintf(value, sizeof(value), "%lld", v);
		record(process, "invoke", "add", value, cluster, NULL);
		redisReply *r = redisCommand(c, "SADD %s %lld", key, v);
		if (r && r->type == REDIS_REPLY_INTEGER) {
			record(process, "ok", "add", value, cluster, NULL);
		} else if (r && r->type == REDIS_REPLY_ERROR) {
			/* -READONLY, -LOADING, -MASTERDOWN...: not executed */
			snprintf(err, sizeof(err), "%s", r->str);
			record(process, "fail", "add", value, cluster, err);
			redisFree(c);
			c = NULL;
		} else if (r) {
			snprintf(err, sizeof(err), "unexpected reply type %d", r->type);
			record(process, "info", "add", value, cluster, err);
			redisFree(c);
			c = NULL;
		} else {
			snprintf(err, sizeof(err), "%s",
				 c->errstr[0] ? c->errstr : "no reply");
			record(process, "info", "add", value, cluster, err);
			redisFree(c);
			c = NULL;
		}
		if (r)
			freeReplyObject(r);
	}
	if (c)
		redisFree(c);
	return NULL;
}

/* The primary every answering sentinel names (at least two answer). */
static int agreed_primary(struct addr *ret, char *cluster, size_t size)
{
	char host[64], first[96] = "", this[96];
	int port, answers = 0;

	for (int i = 0; i < n_sentinels; i++) {
		if (ask_sentinel(i, host, sizeof(host), &port) < 0)
			continue;
		snprintf(this, sizeof(this), "%s:%d", host, port);
		if (answers++ && strcmp(this, first))
			return -1;
		if (answers == 1)
			snprintf(first, sizeof(first), "%s", this);
	}
	if (answers < 2 || answers * 2 <= n_sentinels)
		return -1;
	snprintf(cluster, size, "%s", first);
	return map_address(host, port, ret);
}

static int final_read(int process)
{
	int64_t deadline = now_ns() + (int64_t)(final_timeout_s * 1e9);
	int attempts = 0;

	do {
		char cluster[96] = "";
		struct addr a;
		redisContext *c;
		redisReply *r;

		if (attempts++)
			sleep_ms(500);
		if (agreed_primary(&a, cluster, sizeof(cluster)) < 0)
			continue;
		if (!(c = connect_to(a.host, a.port, 5000)))
			continue;
		if (!is_master(c)) {
			redisFree(c);
			continue;
		}
		record(process, "invoke", "read", "null", cluster, NULL);
		r = redisCommand(c, "SMEMBERS %s", key);
		if (r && r->type == REDIS_REPLY_ARRAY) {
			size_t cap = 64 + r->elements * 24, len = 0;
			char *buf = malloc(cap);

			len += (size_t)snprintf(buf + len, cap - len, "[");
			for (size_t i = 0; i < r->elements; i++) {
				redisReply *e = r->element[i];
				char *end;
				long long x = strtoll(e->str ? e->str : "", &end, 10);

				if (len + 64 + (e->str ? e->len * 6 : 0) > cap) {
					cap = 2 * cap + (e->str ? e->len * 6 : 0) + 64;
					buf = realloc(buf, cap);
				}
				if (i)
					buf[len++] = ',';
				if (e->str && *e->str && !*end) {
					len += (size_t)snprintf(buf + len, cap - len, "%lld", x);
				} else {	/* not one of ours: keep it visible */
					FILE *m = fmemopen(buf + len, cap - len, "w");

					json_str(m, e->str ? e->str : "");
					fflush(m);
					len += (size_t)ftell(m);
					fclose(m);
				}
			}
			buf[len++] = ']';
			buf[len] = 0;
			record(process, "ok", "read", buf, cluster, NULL);
			logmsg("final read from %s: %zu elements (attempt %d)", cluster,
			       r->elements, attempts);
			free(buf);
			freeReplyObject(r);
			redisFree(c);
			return 0;
		}
		record(process, r ? "fail" : "info", "read", "null", cluster,
		       r && r->type == REDIS_REPLY_ERROR ? r->str : c->errstr);
		if (r)
			freeReplyObject(r);
		redisFree(c);
	} while (now_ns() < deadline);
	logmsg("final read: no primary answered within %g s (%d attempts)",
	       final_timeout_s, attempts);
	return -1;
}

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

int main(int argc, char **argv)
{
	const char *out_path = NULL, *cluster = NULL;
	pthread_t threads[256];

	for (int i = 1; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v)
			die_usage("%s needs a value", o);
		i++;
		if (!strcmp(o, "--sentinels"))
			n_sentinels = parse_addrs(o, v, sentinels);
		else if (!strcmp(o, "--redis"))
			n_forwards = parse_addrs(o, v, forwards);
		else if (!strcmp(o, "--cluster"))
			cluster = v;
		else if (!strcmp(o, "--out"))
			out_path = v;
		else if (!strcmp(o, "--clients"))
			n_clients = atoi(v);
		else if (!strcmp(o, "--rate"))
			rate = atof(v);
		else if (!strcmp(o, "--duration-s"))
			duration_s = atof(v);
		else if (!strcmp(o, "--key"))
			key = v;
		else if (!strcmp(o, "--settle-s"))
			settle_s = atof(v);
		else if (!strcmp(o, "--final-timeout-s"))
			final_timeout_s = atof(v);
		else if (!strcmp(o, "--op-timeout-ms"))
			op_timeout_ms = atoi(v);
		else
			die_usage("unknown option '%s'", o);
	}
	if (!n_sentinels || !n_forwards || !out_path)
		die_usage("--sentinels, --redis and --out are required");
	if (n_clients < 1 || n_clients > 256)
		die_usage("--clients must be 1..256");
	if (rate < 0 || duration_s < 0 || settle_s < 0 || final_timeout_s <= 0 ||
	    op_timeout_ms < 10)
		die_usage("bad rate, duration, settle, final timeout or op timeout");
	if (cluster) {
		char *copy = strdup(cluster), *save = NULL, *tok;

		for (tok = strtok_r(copy, ",", &save); tok && n_cluster < MAX_NODES;
		     tok = strtok_r(NULL, ",", &save))
			snprintf(cluster_ip[n_cluster++], sizeof(cluster_ip[0]), "%s", tok);
		free(copy);
	} else {
		for (n_cluster = 0; n_cluster < n_forwards; n_cluster++)
			snprintf(cluster_ip[n_cluster], sizeof(cluster_ip[0]),
				 "10.99.0.%d", 11 + n_cluster);
	}
	if (n_cluster != n_forwards)
		die_usage("--cluster has %d addresses, --redis %d", n_cluster, n_forwards);
	for (int i = 0; i < n_sentinels; i++)
		sentinel_order[i] = i;
	if (!(out = fopen(out_path, "w"))) {
		fprintf(stderr, "redis-sentinel-client: %s: %s\n", out_path, strerror(errno));
		return 2;
	}

	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	logmsg("%d clients, %g adds/s, key '%s', %d sentinels", n_clients, rate, key,
	       n_sentinels);
	for (int i = 0; i < n_clients; i++)
		pthread_create(&threads[i], NULL, client_main, (void *)(intptr_t)i);
	int64_t end = duration_s > 0 ? now_ns() + (int64_t)(duration_s * 1e9) : 0;
	while (!stopping && (!end || now_ns() < end))
		sleep_ms(50);
	stopping = 1;
	for (int i = 0; i < n_clients; i++)
		pthread_join(threads[i], NULL);
	logmsg("stopped adding (%lld values drawn); settling %g s", next_value - 1,
	       settle_s);
	sleep_ms(settle_s * 1000);
	int rc = final_read(n_clients) < 0 ? 1 : 0;
	fclose(out);
	return rc;
}
