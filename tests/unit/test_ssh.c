/* test_ssh.c - the ssh module against a real dropbear on loopback.
 *
 * tests/unit/ssh-fixture.sh makes fresh keys in a private directory and
 * runs dropbear in a private mount namespace, so no file of the system
 * (nor root's ~/.ssh) is touched. Without dropbear the test fails; it
 * does not skip.
 */
#include "buf.h"
#include "clock.h"
#include "err.h"
#include "ssh.h"
#include "sshcache.h"
#include "tap.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define FIXTURE CAMPAIGN_SOURCE_DIR "/tests/unit/ssh-fixture.sh"

static char dir[64];
static char user[64], hostkey[512], key_path[128], other_key[128];
static char clientkey_pub[512];
static pid_t servers[8];
static int nservers;

static void diag_file(const char *path)
{
	char line[512];
	FILE *f = fopen(path, "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		printf("# %s%s", line, strchr(line, '\n') ? "" : "\n");
	fclose(f);
}

static int read_line(const char *name, char *out, size_t n)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "re");
	if (!f || !fgets(out, (int)n, f)) {
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	out[strcspn(out, "\n")] = 0;
	return 0;
}

/* A listening socket on a free loopback port. */
static int listen_any(int *ret_port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(fd, 16) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
		perror("listen_any");
		exit(1);
	}
	*ret_port = ntohs(a.sin_port);
	return fd;
}

static int free_port(void)
{
	int port, fd = listen_any(&port);

	close(fd);
	return port;
}

/* Accept connections and never answer, like QEMU's user-mode forward
 * before the guest's sshd is up; then close everything. */
static void silent_listener(int fd, int ms)
{
	int64_t deadline = deadline_in_ms(ms);
	int held[64], nheld = 0;
	struct pollfd p = { .fd = fd, .events = POLLIN };

	while (!deadline_passed(deadline)) {
		if (poll(&p, 1, (int)deadline_left_ms(deadline)) > 0) {
			int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);

			if (c >= 0 && nheld < 64)
				held[nheld++] = c;
			else if (c >= 0)
				close(c);
		}
	}
	while (nheld > 0)
		close(held[--nheld]);
	close(fd);
}

/* Start dropbear on port; when silent_fd >= 0, first play a silent
 * listener on it for silent_ms. The server dies with this process. */
static void spawn_server(int port, int silent_fd, int silent_ms)
{
	char portstr[16], log[128];
	pid_t pid;

	snprintf(portstr, sizeof(portstr), "%d", port);
	snprintf(log, sizeof(log), "%s/dropbear.log", dir);
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		if (silent_fd >= 0)
			silent_listener(silent_fd, silent_ms);
		execl("/bin/sh", "sh", FIXTURE, "serve", dir, portstr, (char *)NULL);
		_exit(127);
	}
	servers[nservers++] = pid;
}

static int port_open(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), rc;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rc = connect(fd, (struct sockaddr *)&a, sizeof(a));
	close(fd);
	return rc == 0;
}

static int wait_port(int port, int ms)
{
	int64_t deadline = deadline_in_ms(ms);

	while (!deadline_passed(deadline)) {
		if (port_open(port))
			return 0;
		clock_sleep_ms(20);
	}
	return -1;
}

/* SIGKILL every process whose parent is this one. As a child subreaper
 * we inherit what the servers leave behind (session processes, the
 * remote `sleep` of the timeout test), so this cleans up all of it. */
static int kill_children(void)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char path[64], stat[512], *p;
		int ppid = 0, fd;
		ssize_t len;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		len = read(fd, stat, sizeof(stat) - 1);
		close(fd);
		if (len <= 0)
			continue;
		stat[len] = 0;
		p = strrchr(stat, ')');
		if (p && sscanf(p + 1, " %*c %d", &ppid) == 1 && ppid == getpid()) {
			kill(atoi(de->d_name), SIGKILL);
			n++;
		}
	}
	closedir(d);
	return n;
}

static void stop_servers(void)
{
	int64_t deadline = deadline_in_ms(3000);

	for (int i = 0; i < nservers; i++) {
		kill(servers[i], SIGTERM);
		waitpid(servers[i], NULL, 0);
	}
	nservers = 0;
	while (!deadline_passed(deadline)) {
		pid_t p;

		kill_children();
		while ((p = waitpid(-1, NULL, WNOHANG)) > 0)
			;
		if (p < 0 && errno == ECHILD)
			return;
		clock_sleep_ms(20);
	}
	printf("# some fixture processes did not go away\n");
}

static void cleanup(void)
{
	char cmd[128];

	stop_servers();
	if (dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			printf("# cannot remove %s\n", dir);
	}
}

static int setup(void)
{
	char cmd[256];
	int rc;

	snprintf(dir, sizeof(dir), "/tmp/campaign-ssh-XXXXXX");
	if (!mkdtemp(dir)) {
		dir[0] = 0;
		return -1;
	}
	snprintf(cmd, sizeof(cmd), "sh '%s' keys '%s'", FIXTURE, dir);
	rc = system(cmd);
	if (rc != 0)
		return -1;
	snprintf(key_path, sizeof(key_path), "%s/client_key", dir);
	snprintf(other_key, sizeof(other_key), "%s/other_key", dir);
	if (read_line("user", user, sizeof(user)) < 0 ||
	    read_line("hostkey.pub", hostkey, sizeof(hostkey)) < 0 ||
	    read_line("client_key.pub", clientkey_pub, sizeof(clientkey_pub)) < 0)
		return -1;
	return 0;
}

static struct ssh_target target(int port)
{
	struct ssh_target t = {
		.name = "n1", .host = "127.0.0.1", .port = port,
		.user = user, .key_path = key_path, .host_key = hostkey,
	};

	return t;
}

static int contains(const char *s, const char *sub)
{
	int r = strstr(s, sub) != NULL;

	if (!r)
		printf("#   '%s' lacks '%s'\n", s, sub);
	return r;
}

static void test_exec(struct ssh_conn *c)
{
	struct ssh_result r;
	struct err e = { "" };
	int rc;

	ssh_result_init(&r);
	rc = ssh_exec(c, "echo out; echo err >&2; exit 3", NULL, 0, 5000, &r, &e);
	is_int(rc, 0, "exec succeeds although the command fails");
	if (rc)
		printf("#   %s\n", e.msg);
	is_str(r.out.data, "out\n", "stdout captured");
	is_str(r.errout.data, "err\n", "stderr captured apart");
	is_int(r.status, 3, "exit status");

	rc = ssh_exec(c, "cat; echo done", NULL, 0, 5000, &r, &e);
	ok(rc == 0 && strcmp(r.out.data, "done\n") == 0 && r.status == 0,
	   "no stdin: the command reads EOF at once");

	rc = ssh_exec(c, "kill -KILL $$", NULL, 0, 5000, &r, &e);
	ok(rc == 0, "exec of a command killed by a signal succeeds");
	is_int(r.status, 128 + SIGKILL, "SIGKILL reports 137");
	rc = ssh_exec(c, "kill -TERM $$", NULL, 0, 5000, &r, &e);
	is_int(r.status, 128 + SIGTERM, "SIGTERM reports 143");

	rc = ssh_exec(c, "true", "unread", 6, 5000, &r, &e);
	ok(rc == 0 && r.status == 0, "stdin the command never reads is fine");
	ssh_result_release(&r);
}

/* Much more stdin than the command reads: the server closes the channel
 * while its window is full, and the exec must end anyway, not time out. */
static void test_unread_stdin(struct ssh_conn *c)
{
	size_t n = 4 << 20;
	char *data = malloc(n);
	struct ssh_result r;
	struct err e = { "" };
	int64_t t0 = clock_mono_ms();
	int rc;

	memset(data, 'x', n);
	ssh_result_init(&r);
	rc = ssh_exec(c, "true", data, n, 5000, &r, &e);
	ok(rc == 0 && r.status == 0, "4 MiB of stdin to true (%lld ms)",
	   (long long)(clock_mono_ms() - t0));
	if (rc)
		printf("#   %s\n", e.msg);
	rc = ssh_exec(c, "head -c 10", data, n, 5000, &r, &e);
	ok(rc == 0 && strcmp(r.out.data, "xxxxxxxxxx") == 0,
	   "4 MiB of stdin to head -c 10");
	if (rc)
		printf("#   %s\n", e.msg);
	ssh_result_release(&r);
	free(data);
}

static void test_stdin(struct ssh_conn *c)
{
	size_t n = 1 << 20;
	unsigned char *data = malloc(n);
	struct ssh_result r;
	struct err e = { "" };
	unsigned seed = 12345;
	int64_t t0;
	int rc;

	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245 + 12345;
		data[i] = (unsigned char)(seed >> 16);
	}
	ssh_result_init(&r);
	t0 = clock_mono_ms();
	rc = ssh_exec(c, "cat", data, n, 20000, &r, &e);
	is_int(rc, 0, "cat of 1 MiB of binary stdin");
	if (rc)
		printf("#   %s\n", e.msg);
	ok(r.out.len == n && memcmp(r.out.data, data, n) == 0,
	   "1 MiB comes back intact (%zu bytes, %lld ms)", r.out.len,
	   (long long)(clock_mono_ms() - t0));

	rc = ssh_exec(c, "cat >&2", data, n, 20000, &r, &e);
	ok(rc == 0 && r.errout.len == n && memcmp(r.errout.data, data, n) == 0 &&
	   r.out.len == 0, "1 MiB through stderr intact");
	ssh_result_release(&r);
	free(data);
}

static void test_upload(struct ssh_conn *c)
{
	static const char content[] = "line 1\n\0binary\xff 'quoted' $(x)\n";
	char path[256], sub[192], got[64];
	struct stat st;
	struct err e = { "" };
	FILE *f;
	size_t n = 0;
	int rc;

	snprintf(sub, sizeof(sub), "%s/up dir", dir);
	mkdir(sub, 0755);
	snprintf(path, sizeof(path), "%s/it's a $(file)", sub);
	rc = ssh_upload(c, content, sizeof(content) - 1, path, 0640, 5000, &e);
	is_int(rc, 0, "upload to a path with spaces, quotes and $()");
	if (rc)
		printf("#   %s\n", e.msg);
	if (stat(path, &st) < 0)
		st.st_mode = 0;
	ok((st.st_mode & 07777) == 0640, "uploaded file has mode 0640 (%o)",
	   st.st_mode & 07777);
	f = fopen(path, "re");
	if (f) {
		n = fread(got, 1, sizeof(got), f);
		fclose(f);
	}
	ok(n == sizeof(content) - 1 && memcmp(got, content, n) == 0,
	   "uploaded content is byte for byte");

	rc = ssh_upload(c, "new", 3, path, 0600, 5000, &e);
	ok(rc == 0 && stat(path, &st) == 0 && st.st_size == 3 &&
	   (st.st_mode & 07777) == 0600, "upload replaces an existing file");

	snprintf(path, sizeof(path), "%s/no such dir/x", dir);
	rc = ssh_upload(c, "x", 1, path, 0600, 5000, &e);
	ok(rc < 0 && contains(e.msg, "cannot upload") &&
	   contains(e.msg, "exit status"), "upload into a missing directory fails");
	ok(!ssh_broken(c), "a failed upload leaves the connection usable");
}

static void test_timeout(int port)
{
	struct ssh_target t = target(port);
	struct ssh_conn *c = NULL;
	struct ssh_result r;
	struct err e = { "" };
	int64_t t0, took;
	int rc;

	if (ssh_connect(&t, 5000, &c, &e) < 0) {
		ok(0, "connect for the timeout test: %s", e.msg);
		return;
	}
	ssh_result_init(&r);
	t0 = clock_mono_ms();
	rc = ssh_exec(c, "sleep 30", NULL, 0, 500, &r, &e);
	took = clock_mono_ms() - t0;
	ok(rc < 0, "sleep 30 with a 500 ms deadline fails");
	ok(took >= 450 && took < 3000, "and fails about on time (%lld ms)",
	   (long long)took);
	ok(contains(e.msg, "timed out") && contains(e.msg, "'sleep 30'") &&
	   contains(e.msg, "'n1'"), "the message says what timed out where");
	ok(ssh_broken(c), "the connection is marked broken");
	t0 = clock_mono_ms();
	rc = ssh_exec(c, "true", NULL, 0, 5000, &r, &e);
	ok(rc < 0 && contains(e.msg, "broken") && clock_mono_ms() - t0 < 100,
	   "a later exec fails at once");
	t0 = clock_mono_ms();
	ssh_close(c);
	ok(clock_mono_ms() - t0 < 1000, "closing a broken connection is quick");
	ssh_result_release(&r);

	if (ssh_connect(&t, 5000, &c, &e) < 0) {
		ok(0, "connect for the output bound test: %s", e.msg);
		return;
	}
	rc = ssh_exec(c, "head -c 17000000 /dev/zero", NULL, 0, 20000, &r, &e);
	ok(rc < 0 && contains(e.msg, "exceeds 16 MiB"),
	   "output beyond 16 MiB fails");
	ok(r.out.len == 0, "and the result is released");
	ssh_close(c);
	ssh_result_release(&r);
}

static void test_refusals(int port)
{
	struct ssh_target t = target(port);
	struct ssh_conn *c = NULL;
	struct err e = { "" };
	int closed = free_port();
	int64_t t0;
	int rc;

	t.host_key = clientkey_pub;	/* a valid ed25519 key, not the host's */
	rc = ssh_connect(&t, 5000, &c, &e);
	ok(rc < 0 && c == NULL, "a wrong pinned host key is refused");
	ok(contains(e.msg, "'n1'") && contains(e.msg, "does not match") &&
	   contains(e.msg, "SHA256:"), "the message names the node and both keys");
	printf("# %s\n", e.msg);

	t0 = clock_mono_ms();
	rc = ssh_wait(&t, 3000, &c, &e);
	ok(rc < 0 && contains(e.msg, "does not match") &&
	   clock_mono_ms() - t0 < 1000, "ssh_wait gives up at once on a wrong host key");

	t.host_key = NULL;
	rc = ssh_connect(&t, 5000, &c, &e);
	ok(rc < 0 && contains(e.msg, "no pinned host key"), "no pinned key: refused");
	t.host_key = "ssh-ed25519 AAAA!!notbase64";
	rc = ssh_connect(&t, 5000, &c, &e);
	ok(rc < 0 && contains(e.msg, "malformed"), "a malformed pinned key: refused");
	t.host_key = "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAINMP2mdn6VSZZai5vvt+UGfoLDj/2jeHzv/2fRKHQ/8/";
	rc = ssh_connect(&t, 5000, &c, &e);
	ok(rc < 0 && contains(e.msg, "malformed"),
	   "a pinned key whose data is not of its type: refused");

	t = target(port);
	t.key_path = other_key;
	rc = ssh_connect(&t, 5000, &c, &e);
	ok(rc < 0 && contains(e.msg, "authentication as"),
	   "a key the server does not accept fails authentication");
	printf("# %s\n", e.msg);
	t.key_path = "/nonexistent/key";
	rc = ssh_connect(&t, 5000, &c, &e);
	ok(rc < 0 && contains(e.msg, "cannot read key file"), "a missing key file");

	t = target(closed);
	rc = ssh_connect(&t, 5000, &c, &e);
	ok(rc < 0 && contains(e.msg, "connection refused"),
	   "a closed port: connection refused");

	t0 = clock_mono_ms();
	rc = ssh_wait(&t, 700, &c, &e);
	ok(rc < 0 && contains(e.msg, "no ssh answer after") &&
	   contains(e.msg, "connection refused"),
	   "ssh_wait on a closed port says how long and why");
	ok(clock_mono_ms() - t0 < 1500, "and stops near its deadline (%lld ms)",
	   (long long)(clock_mono_ms() - t0));
	printf("# %s\n", e.msg);
}

static void test_wait(void)
{
	int port, lfd = listen_any(&port);
	struct ssh_target t = target(port);
	struct ssh_conn *c = NULL;
	struct ssh_result r;
	struct err e = { "" };
	int64_t t0 = clock_mono_ms();
	int rc;

	/* 1.5 s of accepting and saying nothing, then refusing, then sshd. */
	spawn_server(port, lfd, 1500);
	close(lfd);
	rc = ssh_wait(&t, 15000, &c, &e);
	ok(rc == 0, "ssh_wait rides out a silent port and a late sshd (%lld ms)",
	   (long long)(clock_mono_ms() - t0));
	if (rc) {
		printf("#   %s\n", e.msg);
		return;
	}
	ok(clock_mono_ms() - t0 >= 1400, "it did have to wait");
	ssh_result_init(&r);
	rc = ssh_exec(c, "echo ready", NULL, 0, 5000, &r, &e);
	ok(rc == 0 && strcmp(r.out.data, "ready\n") == 0, "and the connection works");
	ssh_result_release(&r);
	ssh_close(c);
}

struct worker {
	pthread_t th;
	int port, id, ok;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	struct ssh_target t = target(w->port);
	struct ssh_conn *c = NULL;
	struct ssh_result r;
	struct err e;
	char cmd[64], want[64];

	w->ok = 0;
	if (ssh_connect(&t, 10000, &c, &e) < 0)
		return NULL;
	ssh_result_init(&r);
	snprintf(cmd, sizeof(cmd), "echo worker %d", w->id);
	snprintf(want, sizeof(want), "worker %d\n", w->id);
	for (int i = 0; i < 5; i++) {
		if (ssh_exec(c, cmd, NULL, 0, 10000, &r, &e) < 0 ||
		    strcmp(r.out.data, want) != 0)
			goto out;
	}
	w->ok = 1;
out:
	ssh_result_release(&r);
	ssh_close(c);
	return NULL;
}

static void test_threads(int port)
{
	struct worker w[4];
	int good = 0;

	for (int i = 0; i < 4; i++) {
		w[i].port = port;
		w[i].id = i;
		pthread_create(&w[i].th, NULL, work, &w[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(w[i].th, NULL);
		good += w[i].ok;
	}
	is_int(good, 4, "four threads on four connections at once");
}

/* ---- sshcache: the node's kept connection ---- */

static int lines_in(const char *path)
{
	FILE *f = fopen(path, "re");
	int n = 0, ch;

	if (!f)
		return 0;
	while ((ch = fgetc(f)) != EOF)
		n += ch == '\n';
	fclose(f);
	return n;
}

static void test_cache(int port)
{
	struct ssh_target t = target(port);
	struct sshcache *c = sshcache_new(&t);
	struct sshcache_stats st;
	struct ssh_result r;
	struct err e = { "" };
	char cmd[256], file[128];
	int rc;

	ssh_result_init(&r);
	/* a warm-up under way is waited for, not doubled */
	sshcache_warm(c);
	rc = sshcache_run(c, "echo one", 5000, 5000, &r, &e);
	sshcache_stats(c, &st);
	ok(rc == 0 && !strcmp(r.out.data, "one\n"), "cache: a command after a warm-up (%s)",
	   e.msg);
	ok(st.connects == 1 && st.reused == 1, "it ran on the warmed connection "
	   "(connects %ld, reused %ld)", st.connects, st.reused);
	rc = sshcache_run(c, "echo two", 5000, 5000, &r, &e);
	sshcache_stats(c, &st);
	ok(rc == 0 && st.connects == 1 && st.reused == 2, "the next one too, no handshake");

	/* dropped: the next command connects anew */
	sshcache_drop(c);
	rc = sshcache_run(c, "true", 5000, 5000, &r, &e);
	sshcache_stats(c, &st);
	ok(rc == 0 && st.connects == 2 && st.reused == 2, "after a drop: a new connection "
	   "(connects %ld, reused %ld)", st.connects, st.reused);

	/* the server ends the kept session while it is idle: the command
	 * never reached it, so it runs once on a fresh connection */
	rc = sshcache_run(c, "(sleep 0.2; kill -9 $PPID) >/dev/null 2>&1 &", 5000, 5000,
			  &r, &e);
	clock_sleep_ms(600);
	snprintf(file, sizeof(file), "%s/cache-once", dir);
	snprintf(cmd, sizeof(cmd), "echo x >> %s", file);
	rc = sshcache_run(c, cmd, 5000, 5000, &r, &e);
	sshcache_stats(c, &st);
	ok(rc == 0 && st.retried == 1, "a session lost while idle: tried again on a new "
	   "connection (%s; retried %ld)", e.msg, st.retried);
	is_int(lines_in(file), 1, "and the command ran once");

	/* a command that may have started is never run twice */
	snprintf(cmd, sizeof(cmd), "echo x >> %s; sleep 3", file);
	rc = sshcache_run(c, cmd, 5000, 400, &r, &e);
	sshcache_stats(c, &st);
	ok(rc < 0 && st.retried == 1, "a command that timed out fails, not retried");
	clock_sleep_ms(100);
	is_int(lines_in(file), 2, "it ran once");
	rc = sshcache_run(c, "echo after", 5000, 5000, &r, &e);
	ok(rc == 0 && !strcmp(r.out.data, "after\n"), "the cache works on after that");

	/* freed with a warm-up under way: waits for it, leaks nothing */
	sshcache_drop(c);
	sshcache_warm(c);
	sshcache_free(c);
	ok(1, "freed with a warm-up under way");
	ssh_result_release(&r);
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/* Not a check: the latency the engine pays per fresh connection. */
static void measure(int port)
{
	struct ssh_target t = target(port);
	long long us[20];
	struct ssh_result r;
	struct err e;
	int n = 0;

	ssh_result_init(&r);
	for (int i = 0; i < 20; i++) {
		int64_t t0 = clock_mono_ns();
		struct ssh_conn *c = NULL;

		if (ssh_connect(&t, 5000, &c, &e) < 0 ||
		    ssh_exec(c, "true", NULL, 0, 5000, &r, &e) < 0) {
			ssh_close(c);
			continue;
		}
		ssh_close(c);
		us[n++] = (clock_mono_ns() - t0) / 1000;
	}
	ssh_result_release(&r);
	if (!n)
		return;
	qsort(us, (size_t)n, sizeof(us[0]), cmp_ll);
	printf("# connect+handshake+auth+exec true against local dropbear: "
	       "median %.2f ms, min %.2f ms, max %.2f ms (n=%d)\n",
	       us[n / 2] / 1000.0, us[0] / 1000.0, us[n - 1] / 1000.0, n);
}

int main(void)
{
	struct ssh_target t;
	struct ssh_conn *c = NULL;
	struct err e = { "" };
	int port, rc;

	/* Orphans of the fixture become ours, so that cleanup reaps them. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	is_int(ssh_global_init(&e), 0, "ssh_global_init");
	if (setup() < 0) {
		ok(0, "cannot set up the dropbear fixture (%s keys): is "
		   "dropbear-bin installed? see the messages above", FIXTURE);
		cleanup();
		return tap_done();
	}
	port = free_port();
	spawn_server(port, -1, 0);
	if (wait_port(port, 5000) < 0) {
		char log[128];

		ok(0, "dropbear did not start listening on 127.0.0.1:%d", port);
		snprintf(log, sizeof(log), "%s/dropbear.log", dir);
		diag_file(log);
		cleanup();
		return tap_done();
	}

	t = target(port);
	rc = ssh_connect(&t, 5000, &c, &e);
	is_int(rc, 0, "connect, pinned host key, public key auth");
	if (rc == 0) {
		test_exec(c);
		test_stdin(c);
		test_unread_stdin(c);
		test_upload(c);
		ok(!ssh_broken(c), "the connection survived all of that");
		ssh_close(c);
	} else {
		printf("#   %s\n", e.msg);
	}
	ssh_close(NULL);
	test_timeout(port);
	test_refusals(port);
	test_wait();
	test_threads(port);
	test_cache(port);
	measure(port);

	rc = tap_done();
	if (rc) {
		char log[128];

		snprintf(log, sizeof(log), "%s/dropbear.log", dir);
		printf("# dropbear log:\n");
		diag_file(log);
	}
	cleanup();
	return rc;
}
