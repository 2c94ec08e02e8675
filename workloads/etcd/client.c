/* etcd-client-campaign - a register workload against etcd's v3 JSON gateway.
 *
 *   etcd-client-campaign --nodes HOST:PORT,... --out FILE [--clients N]
 *       [--rate R] [--keys K] [--duration-s D] [--timeout-ms T]
 *       [--read-pct P] [--cas-pct P] [--seed S] [--prefix P]
 *
 * N logical clients (threads) each run one operation at a time, together
 * about R operations per second, on keys "k0".."k<K-1>": reads (POST
 * /v3/kv/range, linearizable by default), writes (POST /v3/kv/put) of
 * values unique over the whole run, and compare-and-set (POST /v3/kv/txn:
 * if value == expected then put new). Every operation is recorded at its
 * invocation and at its completion in the project's history format (JSON
 * lines, docs/checkers.md), with CLOCK_MONOTONIC nanoseconds taken under
 * the one output lock, so the file is in real-time order.
 *
 * The etcd keys are "<prefix>k0"...: the default prefix
 * "campaign/<pid>-<monotonic ns>/" is new for every invocation, so every
 * register starts empty (null), as the checker assumes, even on a cluster
 * that earlier runs wrote to. The history names the keys without it.
 *
 * Outcomes:
 *   ok    the gateway answered 200 (a txn with "succeeded": true for cas)
 *   fail  a cas whose comparison failed (the txn ran and did nothing);
 *         a read that got no answer (reads change nothing);
 *         any request that could not connect at all (every request has
 *         a connection of its own, so a refused connect proves it never
 *         left: no reuse, no libcurl retry behind our back)
 *   info  a write or cas that timed out or got an error: it may or may
 *         not have taken effect. The client then takes a fresh process
 *         number (Jepsen's convention for a crashed process).
 *
 * Why libcurl: it is already a dependency of the orchestrator (probes),
 * and the JSON gateway (grpc-gateway) is a stable, documented part of
 * etcd 3.4's API; a gRPC client in C would need protobuf and grpc, which
 * the project does not otherwise use.
 *
 * Runs until --duration-s elapses or SIGTERM/SIGINT; operations in flight
 * at that moment are finished (bounded by --timeout-ms) before exit.
 * Exit status: 0 done, 1 the history file could not be written, 2 usage.
 */
#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_NODES 16
#define MAX_KEYS 1000
#define MAX_CLIENTS 256

struct opts {
	char *nodes[MAX_NODES];
	int n_nodes;
	const char *out;
	int clients;
	double rate;
	int keys;
	double duration_s;	/* 0: until a signal */
	long timeout_ms;
	int read_pct, cas_pct;
	uint64_t seed;
	char prefix[128];	/* etcd key = prefix + history key */
};

static struct opts o = {
	.clients = 4, .rate = 20, .keys = 3, .timeout_ms = 2000,
	.read_pct = 50, .cas_pct = 25, .seed = 1,
};

static atomic_int stopping;
static atomic_llong next_value;	/* write values: unique over the run */
static atomic_int next_process;	/* fresh process numbers after an info */

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *out;
static int out_error;

/* The last value each key was seen to hold (by any client): what a cas
 * expects. Racy by design: a stale expectation makes a failed cas. */
static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;
static json_t *seen[MAX_KEYS];

struct counts {
	long ok, fail, info;
};
static struct counts totals[3];	/* read, write, cas */
static const char *const fnames[3] = { "read", "write", "cas" };

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- history ---- */

/* Stamp ev with the time and append it as one line; steals ev. */
static void emit(json_t *ev)
{
	pthread_mutex_lock(&out_lock);
	json_object_set_new(ev, "time", json_integer(now_ns()));
	if (!out_error) {
		char *line = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER);

		if (!line || fprintf(out, "%s\n", line) < 0 || fflush(out) != 0)
			out_error = errno ? errno : EIO;
		free(line);
	}
	pthread_mutex_unlock(&out_lock);
	json_decref(ev);
}

/* ---- base64 ---- */

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *b64_encode(const char *s)
{
	size_t n = strlen(s), j = 0;
	char *r = malloc(4 * ((n + 2) / 3) + 1);

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)(unsigned char)s[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)(unsigned char)s[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)s[i + 2];
		r[j++] = b64[v >> 18 & 63];
		r[j++] = b64[v >> 12 & 63];
		r[j++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
		r[j++] = i + 2 < n ? b64[v & 63] : '=';
	}
	r[j] = '\0';
	return r;
}

/* NULL on malformed input. */
static char *b64_decode(const char *s)
{
	size_t n = strlen(s), j = 0;
	char *r = malloc(n / 4 * 3 + 1);
	uint32_t v = 0;
	int bits = 0;

	for (size_t i = 0; i < n && s[i] != '='; i++) {
		const char *p = strchr(b64, s[i]);

		if (!p || !s[i]) {
			free(r);
			return NULL;
		}
		v = v << 6 | (uint32_t)(p - b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			r[j++] = (char)(v >> bits & 0xff);
		}
	}
	r[j] = '\0';
	return r;
}

/* A stored value as the history's JSON: an integer when it is one (every
 * value this client writes), else the string. */
static json_t *value_json(const char *text)
{
	char *end;
	long long x;

	errno = 0;
	x = strtoll(text, &end, 10);
	if (*text && !*end && !errno)
		return json_integer(x);
	return json_string(text);
}

/* ---- HTTP ---- */

struct reply {
	char *data;
	size_t len;
};

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
	struct reply *r = arg;
	size_t add = size * n;
	char *d = realloc(r->data, r->len + add + 1);

	if (!d)
		return 0;
	memcpy(d + r->len, p, add);
	r->len += add;
	d[r->len] = '\0';
	r->data = d;
	return add;
}

enum sent { SENT_NOT, SENT_MAYBE };

struct call {
	long status;		/* HTTP status, 0 when there was no answer */
	json_t *body;		/* parsed answer, NULL if none or not JSON */
	enum sent sent;		/* without an answer: could it have arrived? */
	char error[256];	/* why it did not work */
};

static void call_post(CURL *h, const char *node, const char *path, json_t *req,
		      struct call *c)
{
	char url[300], *text = json_dumps(req, JSON_COMPACT);
	struct reply r = { NULL, 0 };
	CURLcode rc;

	memset(c, 0, sizeof(*c));
	snprintf(url, sizeof(url), "http://%s%s", node, path);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, text);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &r);
	rc = curl_easy_perform(h);
	if (rc != CURLE_OK) {
		/* only a refused connection proves the request never left */
		c->sent = rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST
			? SENT_NOT : SENT_MAYBE;
		snprintf(c->error, sizeof(c->error), "%s", curl_easy_strerror(rc));
	} else {
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &c->status);
		c->body = r.data ? json_loads(r.data, 0, NULL) : NULL;
		c->sent = SENT_MAYBE;
		if (c->status != 200) {
			const char *m = json_string_value(json_object_get(c->body, "error"));

			if (!m)
				m = json_string_value(json_object_get(c->body, "message"));
			snprintf(c->error, sizeof(c->error), "HTTP %ld: %.200s", c->status,
				 m ? m : r.data ? r.data : "");
		} else if (!c->body) {
			snprintf(c->error, sizeof(c->error), "HTTP 200 with no JSON body");
		}
	}
	free(r.data);
	free(text);
}

/* ---- the operations ---- */

struct client {
	int index;
	int process;
	int node;		/* index into o.nodes: sticky until a failure */
	uint64_t rng;
	CURL *h;
	struct counts counts[3];
};

static uint64_t rnd(uint64_t *s)
{
	/* splitmix64 */
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void note_seen(int key, json_t *v)
{
	pthread_mutex_lock(&seen_lock);
	json_decref(seen[key]);
	seen[key] = json_incref(v);
	pthread_mutex_unlock(&seen_lock);
}

static json_t *get_seen(int key)
{
	json_t *v;

	pthread_mutex_lock(&seen_lock);
	v = json_incref(seen[key]);
	pthread_mutex_unlock(&seen_lock);
	return v;
}

static json_t *event(struct client *cl, const char *type, const char *f,
		     const char *key, json_t *value)
{
	return json_pack("{s:i, s:s, s:s, s:s, s:o}", "process", cl->process,
			 "type", type, "f", f, "key", key,
			 "value", value ? value : json_null());
}

/* Record the completion and count it; a non-ok outcome moves the client
 * to the next node, an info one also to a new process number. */
static void complete(struct client *cl, int fi, const char *type, const char *key,
		     json_t *value, const char *node, const char *error)
{
	json_t *ev = event(cl, type, fnames[fi], key, value);

	json_object_set_new(ev, "node", json_string(node));
	if (error && *error)
		json_object_set_new(ev, "error", json_string(error));
	emit(ev);
	if (!strcmp(type, "ok"))
		cl->counts[fi].ok++;
	else if (!strcmp(type, "fail"))
		cl->counts[fi].fail++;
	else
		cl->counts[fi].info++;
	if (strcmp(type, "ok"))
		cl->node = (cl->node + 1) % o.n_nodes;
	if (!strcmp(type, "info"))
		cl->process = atomic_fetch_add(&next_process, 1);
}

static void do_read(struct client *cl, int k, const char *key, char *key64)
{
	const char *node = o.nodes[cl->node];
	json_t *req = json_pack("{s:s}", "key", key64), *kvs, *v = NULL;
	struct call c;

	emit(event(cl, "invoke", "read", key, NULL));
	call_post(cl->h, node, "/v3/kv/range", req, &c);
	json_decref(req);
	if (c.status == 200 && c.body) {
		kvs = json_object_get(c.body, "kvs");
		if (json_array_size(kvs) == 0) {
			v = json_null();
		} else {
			const char *s = json_string_value(json_object_get(json_array_get(kvs, 0), "value"));
			char *text = b64_decode(s ? s : "");

			if (text)
				v = value_json(text);
			free(text);
		}
		if (v) {
			note_seen(k, v);
			complete(cl, 0, "ok", key, v, node, NULL);
		} else {
			complete(cl, 0, "fail", key, NULL, node, "undecodable value in the answer");
		}
	} else {
		/* a read changes nothing: whatever happened, it did not take effect */
		complete(cl, 0, "fail", key, NULL, node, c.error);
	}
	json_decref(c.body);
}

static void do_write(struct client *cl, int k, const char *key, char *key64)
{
	const char *node = o.nodes[cl->node];
	long long x = atomic_fetch_add(&next_value, 1);
	char text[32], *val64;
	json_t *req;
	struct call c;

	snprintf(text, sizeof(text), "%lld", x);
	val64 = b64_encode(text);
	req = json_pack("{s:s, s:s}", "key", key64, "value", val64);
	emit(event(cl, "invoke", "write", key, json_integer(x)));
	call_post(cl->h, node, "/v3/kv/put", req, &c);
	json_decref(req);
	free(val64);
	if (c.status == 200 && c.body) {
		json_t *v = json_integer(x);

		note_seen(k, v);
		complete(cl, 1, "ok", key, v, node, NULL);
	} else {
		complete(cl, 1, c.status == 0 && c.sent == SENT_NOT ? "fail" : "info", key,
			 json_integer(x), node, c.error);
	}
	json_decref(c.body);
}

static void do_cas(struct client *cl, int k, const char *key, char *key64)
{
	const char *node = o.nodes[cl->node];
	json_t *expect = get_seen(k), *req, *pair;
	long long x;
	char text[32], old[32], *old64, *new64;
	struct call c;

	if (!json_is_integer(expect)) {
		/* nothing seen yet: a cas needs a value to expect */
		json_decref(expect);
		do_write(cl, k, key, key64);
		return;
	}
	x = atomic_fetch_add(&next_value, 1);
	snprintf(text, sizeof(text), "%lld", x);
	snprintf(old, sizeof(old), "%" JSON_INTEGER_FORMAT, json_integer_value(expect));
	old64 = b64_encode(old);
	new64 = b64_encode(text);
	req = json_pack("{s:[{s:s, s:s, s:s, s:s}], s:[{s:{s:s, s:s}}]}",
			"compare", "key", key64, "target", "VALUE", "result", "EQUAL",
			"value", old64,
			"success", "request_put", "key", key64, "value", new64);
	pair = json_pack("[O, I]", expect, (json_int_t)x);
	emit(event(cl, "invoke", "cas", key, json_incref(pair)));
	call_post(cl->h, node, "/v3/kv/txn", req, &c);
	json_decref(req);
	if (c.status == 200 && c.body) {
		if (json_is_true(json_object_get(c.body, "succeeded"))) {
			json_t *v = json_integer(x);

			note_seen(k, v);
			json_decref(v);
			complete(cl, 2, "ok", key, json_incref(pair), node, NULL);
		} else {
			/* the txn ran; its comparison failed, so nothing was put */
			complete(cl, 2, "fail", key, json_incref(pair), node,
				 "comparison failed");
		}
	} else {
		complete(cl, 2, c.status == 0 && c.sent == SENT_NOT ? "fail" : "info", key,
			 json_incref(pair), node, c.error);
	}
	json_decref(c.body);
	json_decref(pair);
	json_decref(expect);
	free(old64);
	free(new64);
}

/* ---- the clients ---- */

static void sleep_until(int64_t t)
{
	while (!atomic_load(&stopping)) {
		int64_t left = t - now_ns();
		struct timespec ts;

		if (left <= 0)
			return;
		if (left > 50000000)
			left = 50000000;	/* look at the stop flag every 50 ms */
		ts.tv_sec = 0;
		ts.tv_nsec = (long)left;
		nanosleep(&ts, NULL);
	}
}

static void *client_main(void *arg)
{
	struct client *cl = arg;
	int64_t interval = (int64_t)(1e9 * o.clients / o.rate);
	int64_t next = now_ns() + (int64_t)(rnd(&cl->rng) % (uint64_t)interval);

	cl->h = curl_easy_init();
	if (!cl->h)
		return NULL;
	curl_easy_setopt(cl->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(cl->h, CURLOPT_TIMEOUT_MS, o.timeout_ms);
	curl_easy_setopt(cl->h, CURLOPT_CONNECTTIMEOUT_MS, o.timeout_ms);
	curl_easy_setopt(cl->h, CURLOPT_PROXY, "");	/* never through a proxy */
	/* One connection per request. On a reused connection that dies
	 * before any answer, libcurl silently sends the request again on a
	 * fresh one: a write could be applied twice, and when that fresh
	 * connect is refused the error says "Couldn't connect" although the
	 * first copy reached etcd (it did: a write recorded as fail was read
	 * back later, a false linearizability violation). With no reuse, a
	 * refused connection proves the request never left. */
	curl_easy_setopt(cl->h, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(cl->h, CURLOPT_FRESH_CONNECT, 1L);
	for (;;) {
		int k, dice;
		char key[16], full[160], *key64;

		sleep_until(next);
		if (atomic_load(&stopping))
			break;
		next += interval;
		if (next < now_ns())
			next = now_ns();	/* behind: no burst to catch up */
		k = (int)(rnd(&cl->rng) % (uint64_t)o.keys);
		dice = (int)(rnd(&cl->rng) % 100);
		snprintf(key, sizeof(key), "k%d", k);
		snprintf(full, sizeof(full), "%sk%d", o.prefix, k);
		key64 = b64_encode(full);
		if (dice < o.read_pct)
			do_read(cl, k, key, key64);
		else if (dice < o.read_pct + o.cas_pct)
			do_cas(cl, k, key, key64);
		else
			do_write(cl, k, key, key64);
		free(key64);
	}
	curl_easy_cleanup(cl->h);
	return NULL;
}

/* ---- options ---- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: etcd-client-campaign --nodes HOST:PORT,... --out FILE [options]\n"
		"  --clients N      concurrent logical clients (default 4)\n"
		"  --rate R         operations per second, all clients together (default 20)\n"
		"  --keys K         registers k0..k<K-1> (default 3)\n"
		"  --duration-s D   stop after D seconds (default: at SIGTERM/SIGINT)\n"
		"  --timeout-ms T   per request (default 2000)\n"
		"  --read-pct P     share of reads (default 50)\n"
		"  --cas-pct P      share of compare-and-set (default 25); the rest are writes\n"
		"  --seed S         seed of the operation mix (default 1)\n"
		"  --prefix P       etcd key prefix (default: campaign/<pid>-<ns>/, new each time)\n");
}

static int number(const char *opt, const char *s, double min, double max, double *ret)
{
	char *end;
	double x;

	errno = 0;
	x = strtod(s, &end);
	if (!*s || *end || errno || x < min || x > max) {
		fprintf(stderr, "etcd-client-campaign: %s: expected a number in [%g, %g], got '%s'\n",
			opt, min, max, s);
		return -1;
	}
	*ret = x;
	return 0;
}

static int parse_nodes(char *list)
{
	char *save = NULL;

	for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (o.n_nodes == MAX_NODES) {
			fprintf(stderr, "etcd-client-campaign: --nodes: more than %d nodes\n",
				MAX_NODES);
			return -1;
		}
		if (!strchr(t, ':') || strlen(t) > 200) {
			fprintf(stderr, "etcd-client-campaign: --nodes: '%s' is not HOST:PORT\n", t);
			return -1;
		}
		o.nodes[o.n_nodes++] = t;
	}
	if (!o.n_nodes) {
		fprintf(stderr, "etcd-client-campaign: --nodes: no node given\n");
		return -1;
	}
	return 0;
}

static int parse_args(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "nodes", required_argument, NULL, 'n' },
		{ "out", required_argument, NULL, 'o' },
		{ "clients", required_argument, NULL, 'c' },
		{ "rate", required_argument, NULL, 'r' },
		{ "keys", required_argument, NULL, 'k' },
		{ "duration-s", required_argument, NULL, 'd' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "read-pct", required_argument, NULL, 'R' },
		{ "cas-pct", required_argument, NULL, 'C' },
		{ "seed", required_argument, NULL, 's' },
		{ "prefix", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int ch;
	double x;

	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'n':
			if (parse_nodes(optarg) < 0)
				return -1;
			break;
		case 'o':
			o.out = optarg;
			break;
		case 'c':
			if (number("--clients", optarg, 1, MAX_CLIENTS, &x) < 0)
				return -1;
			o.clients = (int)x;
			break;
		case 'r':
			if (number("--rate", optarg, 0.01, 100000, &x) < 0)
				return -1;
			o.rate = x;
			break;
		case 'k':
			if (number("--keys", optarg, 1, MAX_KEYS, &x) < 0)
				return -1;
			o.keys = (int)x;
			break;
		case 'd':
			if (number("--duration-s", optarg, 0, 1e7, &x) < 0)
				return -1;
			o.duration_s = x;
			break;
		case 't':
			if (number("--timeout-ms", optarg, 10, 600000, &x) < 0)
				return -1;
			o.timeout_ms = (long)x;
			break;
		case 'R':
			if (number("--read-pct", optarg, 0, 100, &x) < 0)
				return -1;
			o.read_pct = (int)x;
			break;
		case 'C':
			if (number("--cas-pct", optarg, 0, 100, &x) < 0)
				return -1;
			o.cas_pct = (int)x;
			break;
		case 's': {
			char *end;

			errno = 0;
			o.seed = strtoull(optarg, &end, 10);
			if (!*optarg || *end || errno || *optarg == '-') {
				fprintf(stderr, "etcd-client-campaign: --seed: expected an "
					"unsigned 64-bit integer, got '%s'\n", optarg);
				return -1;
			}
			break;
		}
		case 'p':
			if (strlen(optarg) >= sizeof(o.prefix)) {
				fprintf(stderr, "etcd-client-campaign: --prefix: too long\n");
				return -1;
			}
			snprintf(o.prefix, sizeof(o.prefix), "%s", optarg);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "etcd-client-campaign: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (!o.n_nodes || !o.out) {
		fprintf(stderr, "etcd-client-campaign: --nodes and --out are required\n");
		usage(stderr);
		return -1;
	}
	if (o.read_pct + o.cas_pct > 100) {
		fprintf(stderr, "etcd-client-campaign: --read-pct + --cas-pct exceed 100\n");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct client cls[MAX_CLIENTS];
	pthread_t threads[MAX_CLIENTS];
	sigset_t sigs;
	int started = 0;

	if (parse_args(argc, argv) < 0)
		return 2;
	if (!o.prefix[0])
		snprintf(o.prefix, sizeof(o.prefix), "campaign/%ld-%lld/", (long)getpid(),
			 (long long)now_ns());
	out = fopen(o.out, "w");
	if (!out) {
		fprintf(stderr, "etcd-client-campaign: cannot write '%s': %s\n", o.out,
			strerror(errno));
		return 1;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		fprintf(stderr, "etcd-client-campaign: curl_global_init failed\n");
		return 1;
	}
	/* the workers never see the signals: main waits for them */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	atomic_store(&next_value, 1);
	atomic_store(&next_process, o.clients);
	for (int i = 0; i < o.clients; i++) {
		cls[i] = (struct client){ .index = i, .process = i, .node = i % o.n_nodes,
					  .rng = o.seed * 1000003ULL + (uint64_t)i };
		if (pthread_create(&threads[i], NULL, client_main, &cls[i]) != 0) {
			fprintf(stderr, "etcd-client-campaign: cannot start client %d\n", i);
			atomic_store(&stopping, 1);
			break;
		}
		started++;
	}

	if (!atomic_load(&stopping)) {
		struct timespec ts, *tp = NULL;
		int sig;

		if (o.duration_s > 0) {
			ts.tv_sec = (time_t)o.duration_s;
			ts.tv_nsec = (long)((o.duration_s - (double)ts.tv_sec) * 1e9);
			tp = &ts;
		}
		do
			sig = tp ? sigtimedwait(&sigs, NULL, tp) : sigwaitinfo(&sigs, NULL);
		while (sig < 0 && errno == EINTR);
		atomic_store(&stopping, 1);
	}
	for (int i = 0; i < started; i++)
		pthread_join(threads[i], NULL);

	for (int i = 0; i < started; i++)
		for (int f = 0; f < 3; f++) {
			totals[f].ok += cls[i].counts[f].ok;
			totals[f].fail += cls[i].counts[f].fail;
			totals[f].info += cls[i].counts[f].info;
		}
	for (int f = 0; f < 3; f++)
		fprintf(stderr, "etcd-client-campaign: %-5s ok %ld fail %ld info %ld\n",
			fnames[f], totals[f].ok, totals[f].fail, totals[f].info);
	if (fclose(out) != 0 && !out_error)
		out_error = errno;
	curl_global_cleanup();
	if (out_error) {
		fprintf(stderr, "etcd-client-campaign: writing '%s' failed: %s\n", o.out,
			strerror(out_error));
		return 1;
	}
	return 0;
}
