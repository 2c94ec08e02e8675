/*
 * regd-client: the workload and two checks of regd (README.md here).
 *
 *   regd-client run HOSTS HISTORY   write k1=1, k2=2, ... to the leader every
 *                                   100 ms until SIGTERM, then read every key
 *                                   back; history for `campaign check lost-writes`
 *   regd-client converge HOSTS      every answering node holds the same entries
 *   regd-client leaders HOSTS       at most one node answers /leader "yes"
 *
 * HOSTS is IP:PORT,IP:PORT,... (a config's {nodes.FWD}). The checks retry
 * for about 3 s, exit 0 (pass), 1 (fail, one line saying why on stdout)
 * or 2 (cannot tell), as a `command` oracle wants.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_NODES 8
#define MAX_KEYS 100000
#define BODY_MAX (1 << 20)

enum result { CALL_OK, CALL_REFUSED, CALL_UNKNOWN };

static struct sockaddr_in nodes[MAX_NODES];
static char node_names[MAX_NODES][64];
static int n_nodes;

static int64_t mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void sleep_ms(int ms)
{
	struct timespec t = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
	while (nanosleep(&t, &t) < 0 && errno == EINTR)
		;
}

static int parse_hosts(const char *list)
{
	char buf[1024];
	snprintf(buf, sizeof(buf), "%s", list);
	char *save = NULL;
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *colon = strrchr(tok, ':');
		if (!colon || n_nodes >= MAX_NODES)
			return -1;
		*colon = '\0';
		struct sockaddr_in *a = &nodes[n_nodes];
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)atoi(colon + 1));
		if (inet_pton(AF_INET, strcmp(tok, "localhost") ? tok : "127.0.0.1", &a->sin_addr) != 1)
			return -1;
		snprintf(node_names[n_nodes], sizeof(node_names[0]), "%s:%s", tok, colon + 1);
		n_nodes++;
	}
	return n_nodes ? 0 : -1;
}

/*
 * One HTTP/1.0 request to node i, bounded by timeout_ms. Returns the
 * status, or -1 with *how: CALL_REFUSED (certainly not received) or CALL_UNKNOWN.
 */
static int call(int i, const char *method, const char *target, int timeout_ms, char *body,
		size_t cap, enum result *how)
{
	int64_t deadline = mono_ns() / 1000000 + timeout_ms;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), status = -1;
	static char resp[BODY_MAX + 4096];
	size_t got = 0;
	*how = CALL_UNKNOWN;
	if (fd < 0)
		return -1;
	struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&nodes[i], sizeof(nodes[i])) < 0) {
		if (errno == ECONNREFUSED)
			*how = CALL_REFUSED;
		close(fd);
		return -1;
	}
	char req[512];
	int rl = snprintf(req, sizeof(req), "%s %s HTTP/1.0\r\nContent-Length: 0\r\n\r\n", method,
			  target);
	if (send(fd, req, (size_t)rl, MSG_NOSIGNAL) != rl)
		goto out;
	while (got < sizeof(resp) - 1 && mono_ns() / 1000000 < deadline) {
		ssize_t k = recv(fd, resp + got, sizeof(resp) - 1 - got, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			goto out;
		if (k == 0)
			break;
		got += (size_t)k;
	}
	resp[got] = '\0';
	char *b = strstr(resp, "\r\n\r\n");
	int code;
	if (!b || sscanf(resp, "HTTP/%*d.%*d %d", &code) != 1)
		goto out;
	if (body)
		snprintf(body, cap, "%s", b + 4);
	status = code;
	*how = CALL_OK;
out:
	close(fd);
	return status;
}

/* ---- the workload ------------------------------------------------------ */

static volatile sig_atomic_t stopping;
static FILE *history;

static void on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

static void record(const char *type, const char *f, const char *key, long value)
{
	if (value < 0)
		fprintf(history,
			"{\"process\": 0, \"type\": \"%s\", \"f\": \"%s\", \"key\": \"%s\", "
			"\"value\": null, \"time\": %lld}\n",
			type, f, key, (long long)mono_ns());
	else
		fprintf(history,
			"{\"process\": 0, \"type\": \"%s\", \"f\": \"%s\", \"key\": \"%s\", "
			"\"value\": %ld, \"time\": %lld}\n",
			type, f, key, value, (long long)mono_ns());
	fflush(history);
}

static int leader_hint;

/* Writes key=value on whichever node takes it: "ok", "fail" or "info". */
static const char *write_once(const char *key, long value)
{
	char target[128];
	snprintf(target, sizeof(target), "/write?key=%s&value=%ld", key, value);
	bool maybe = false;
	for (int t = 0; t < n_nodes; t++) {
		int i = (leader_hint + t) % n_nodes;
		enum result how;
		int code = call(i, "POST", target, 1000, NULL, 0, &how);
		if (code == 200) {
			leader_hint = i;
			return "ok";
		}
		/* 421 not leader, 4xx refused, connection refused: not applied */
		if (code == 421 || (code >= 400 && code < 500) || (code < 0 && how == CALL_REFUSED))
			continue;
		maybe = true; /* a timeout, a cut connection, 5xx: may have been applied */
	}
	return maybe ? "info" : "fail";
}

/* Reads a key from the leader: 1 and *value (-1 = none), or 0. */
static int read_once(const char *key, long *value)
{
	char target[128], body[128];
	snprintf(target, sizeof(target), "/read?key=%s", key);
	for (int t = 0; t < n_nodes; t++) {
		int i = (leader_hint + t) % n_nodes;
		enum result how;
		int code = call(i, "GET", target, 1000, body, sizeof(body), &how);
		if (code == 200) {
			leader_hint = i;
			*value = atol(body);
			return 1;
		}
		if (code == 404) {
			leader_hint = i;
			*value = -1;
			return 1;
		}
	}
	return 0;
}

static int cmd_run(const char *path)
{
	static char *written[MAX_KEYS];
	int n_written = 0;
	history = fopen(path, "w");
	if (!history) {
		fprintf(stderr, "regd-client: cannot open '%s': %s\n", path, strerror(errno));
		return 2;
	}
	struct sigaction sa = {.sa_handler = on_term};
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	for (long n = 1; !stopping && n_written < MAX_KEYS; n++) {
		char key[32];
		snprintf(key, sizeof(key), "k%ld", n);
		record("invoke", "write", key, n);
		const char *outcome = write_once(key, n);
		record(outcome, "write", key, n);
		if (strcmp(outcome, "fail") != 0)
			written[n_written++] = strdup(key);
		sleep_ms(100);
	}
	for (int k = 0; k < n_written; k++) {
		long value = -1;
		bool done = false;
		for (int tries = 0; tries < 10 && !done; tries++) {
			record("invoke", "read", written[k], -1);
			done = read_once(written[k], &value);
			record(done ? "ok" : "fail", "read", written[k], done ? value : -1);
			if (!done)
				sleep_ms(300);
		}
	}
	fclose(history);
	return 0;
}

/* ---- the checks -------------------------------------------------------- */

static char *entries[MAX_NODES];

/* Fetches every node's entries as sorted "key value" lines; -1 if unreachable. */
static int fetch_entries(int i)
{
	static char body[BODY_MAX];
	enum result how;
	free(entries[i]);
	entries[i] = NULL;
	if (call(i, "GET", "/since?seq=0", 2000, body, sizeof(body), &how) != 200)
		return -1;
	/* drop the seq column: replicas may number an entry differently */
	size_t len = strlen(body), cap = len + 1, at = 0;
	char **lines = calloc(len / 2 + 2, sizeof(char *)), *out = malloc(cap), *save = NULL;
	int n = 0;
	for (char *l = strtok_r(body, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(l, ' ');
		lines[n++] = sp ? sp + 1 : l;
	}
	for (int a = 1; a < n; a++)
		for (int b = a; b > 0 && strcmp(lines[b - 1], lines[b]) > 0; b--) {
			char *t = lines[b];
			lines[b] = lines[b - 1];
			lines[b - 1] = t;
		}
	out[0] = '\0';
	for (int a = 0; a < n; a++)
		at += (size_t)snprintf(out + at, cap - at, "%s\n", lines[a]);
	free(lines);
	entries[i] = out;
	return 0;
}

static int count_lines(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static int cmd_converge(void)
{
	char why[512] = "";
	for (int attempt = 0; attempt < 4; attempt++) {
		if (attempt)
			sleep_ms(1000);
		int up = 0, ref = -1;
		why[0] = '\0';
		for (int i = 0; i < n_nodes; i++)
			if (fetch_entries(i) == 0) {
				up++;
				if (ref < 0)
					ref = i;
				else if (!why[0] && strcmp(entries[ref], entries[i]) != 0)
					snprintf(why, sizeof(why),
						 "regd replicas diverged: %s holds %d entries, %s holds %d",
						 node_names[ref], count_lines(entries[ref]), node_names[i],
						 count_lines(entries[i]));
			}
		if (up < 2)
			snprintf(why, sizeof(why), "unknown: only %d node(s) answered /since", up);
		else if (!why[0]) {
			printf("regd replicas agree (%d nodes)\n", up);
			return 0;
		}
	}
	printf("%s\n", why);
	return strncmp(why, "unknown", 7) == 0 ? 2 : 1;
}

static int cmd_leaders(void)
{
	char why[512] = "";
	for (int attempt = 0; attempt < 4; attempt++) {
		if (attempt)
			sleep_ms(1000);
		int yes = 0, len = 0;
		char body[64], who[256] = "";
		for (int i = 0; i < n_nodes; i++) {
			enum result how;
			if (call(i, "GET", "/leader", 2000, body, sizeof(body), &how) == 200 &&
			    strncmp(body, "yes", 3) == 0) {
				yes++;
				len += snprintf(who + len, sizeof(who) - (size_t)len, " %s", node_names[i]);
			}
		}
		if (yes <= 1) {
			printf("regd leaders: %d\n", yes);
			return 0;
		}
		snprintf(why, sizeof(why), "regd two leaders at once: /leader says yes on%s", who);
	}
	printf("%s\n", why);
	return 1;
}

int main(int argc, char **argv)
{
	if (argc < 3 || parse_hosts(argv[2]) < 0) {
		fprintf(stderr, "usage: regd-client run HOSTS HISTORY | converge HOSTS | leaders HOSTS\n"
				"       HOSTS: IP:PORT,IP:PORT,...\n");
		return 2;
	}
	if (strcmp(argv[1], "run") == 0 && argc == 4)
		return cmd_run(argv[3]);
	if (strcmp(argv[1], "converge") == 0 && argc == 3)
		return cmd_converge();
	if (strcmp(argv[1], "leaders") == 0 && argc == 3)
		return cmd_leaders();
	fprintf(stderr, "regd-client: unknown command or arguments\n");
	return 2;
}
