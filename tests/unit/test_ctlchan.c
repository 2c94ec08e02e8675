/* test_ctlchan.c - the control channel: the host end (ctlchan.c) against
 * the guest's own protocol code (agents/control.c) behind a unix socket,
 * with a fake clock and entropy pool in place of the guest's. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "clock.h"
#include "control.h"
#include "ctlchan.h"
#include "tap.h"

enum behaviour { ANSWER, STALE_FIRST, MUTE, CLOSE_FIRST };

struct guest {
	enum behaviour how;
	int listener;
	int64_t offset_ns;		/* guest clock minus host clock */
	unsigned char seed[64];
	size_t n_seed;
	int connections;
	int requests;
	pthread_mutex_t lock;
};

static int64_t g_now(void *arg)
{
	struct guest *g = arg;

	return clock_wall_ns() + g->offset_ns;
}

static int g_set(void *arg, int64_t ns)
{
	struct guest *g = arg;

	g->offset_ns = ns - clock_wall_ns();
	return 0;
}

static int g_reseed(void *arg, const unsigned char *seed, size_t n)
{
	struct guest *g = arg;

	memcpy(g->seed, seed, n);
	g->n_seed = n;
	return 0;
}

static void *serve(void *arg)
{
	struct guest *g = arg;
	struct control_env env = { g_now, g_set, g_reseed, g };
	int fd;

	while ((fd = accept(g->listener, NULL, NULL)) >= 0) {
		char in[CONTROL_LINE_MAX], reply[CONTROL_LINE_MAX];
		size_t n = 0;
		ssize_t got;
		int conn = ++g->connections;

		while ((got = read(fd, in + n, sizeof(in) - 1 - n)) > 0) {
			char *nl;

			n += (size_t)got;
			while ((nl = memchr(in, '\n', n))) {
				size_t len;

				*nl = 0;
				g->requests++;
				if (g->how == CLOSE_FIRST && conn == 1)
					goto next;
				if (g->how == STALE_FIRST && write(fd, "999999 pong 1\n", 14) < 0)
					goto next;
				len = control_handle(&env, in, reply, sizeof(reply));
				if (g->how != MUTE && write(fd, reply, len) < 0)
					goto next;
				n -= (size_t)(nl + 1 - in);
				memmove(in, nl + 1, n);
			}
		}
next:
		close(fd);
	}
	return NULL;
}

struct fixture {
	struct guest g;
	pthread_t thread;
	char dir[64];
	char path[128];
};

static void start(struct fixture *f, enum behaviour how, int64_t offset_ns)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	memset(&f->g, 0, sizeof(f->g));
	f->g.how = how;
	f->g.offset_ns = offset_ns;
	snprintf(f->dir, sizeof(f->dir), "/tmp/ctlchan-XXXXXX");
	if (!mkdtemp(f->dir))
		abort();
	snprintf(f->path, sizeof(f->path), "%s/n1.ctl", f->dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", f->path);
	f->g.listener = socket(AF_UNIX, SOCK_STREAM, 0);
	if (bind(f->g.listener, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(f->g.listener, 1) < 0)
		abort();
	pthread_create(&f->thread, NULL, serve, &f->g);
}

static void stop(struct fixture *f)
{
	shutdown(f->g.listener, SHUT_RDWR);
	close(f->g.listener);
	pthread_join(f->thread, NULL);
	unlink(f->path);
	rmdir(f->dir);
}

static void test_sync(void)
{
	struct fixture f;
	struct ctlchan c;
	struct ctlchan_sync s;
	unsigned char seed[64];
	struct err e = { "" };
	int64_t guest;

	for (int i = 0; i < 64; i++)
		seed[i] = (unsigned char)(i * 7 + 1);
	/* the guest resumes an hour in the past, as after a restore */
	start(&f, ANSWER, -3600LL * 1000000000);
	ctlchan_init(&c, f.path);
	ok(ctlchan_ping(&c, 2000, &guest, &e) == 0, "ping answered (%s)", e.msg);
	ok(llabs(guest - clock_wall_ns() + 3600LL * 1000000000) < 1000000000LL,
	   "the pong carries the guest's clock (an hour behind)");
	ok(ctlchan_sync(&c, 2000, seed, sizeof(seed), &s, &e) == 0, "sync (%s)", e.msg);
	ok(llabs(f.g.offset_ns) < 5000000, "guest clock within 5 ms of the host's "
	   "after the sync (off by %lld us)", (long long)(f.g.offset_ns / 1000));
	ok(llabs(s.offset_us) < 5000, "the estimated offset is small (%lld us)",
	   (long long)s.offset_us);
	ok(s.rtt_us > 0, "the round trip was measured");
	is_int((long long)f.g.n_seed, 64, "the whole seed reached the pool");
	ok(!memcmp(f.g.seed, seed, 64), "the seed's bytes arrived unchanged");
	is_int(f.g.connections, 1, "one connection served every request");
	ctlchan_release(&c);
	stop(&f);
}

static void test_stale_reply(void)
{
	struct fixture f;
	struct ctlchan c;
	struct err e = { "" };
	int64_t guest = 0;

	start(&f, STALE_FIRST, 0);
	ctlchan_init(&c, f.path);
	ok(ctlchan_ping(&c, 2000, &guest, &e) == 0, "a stale reply is skipped (%s)", e.msg);
	ok(guest > 1, "the answer is the one with our id, not the stale '1'");
	ctlchan_release(&c);
	stop(&f);
}

static void test_mute(void)
{
	struct fixture f;
	struct ctlchan c;
	struct ctlchan_sync s;
	unsigned char seed[8] = { 1 };
	struct err e = { "" };

	start(&f, MUTE, 0);
	ctlchan_init(&c, f.path);
	ok(ctlchan_sync(&c, 200, seed, sizeof(seed), &s, &e) < 0, "a mute guest fails the sync");
	ok(strstr(e.msg, "no answer") && strstr(e.msg, f.path),
	   "the error says no answer and names the socket: %s", e.msg);
	ctlchan_release(&c);
	stop(&f);
}

static void test_reconnect(void)
{
	struct fixture f;
	struct ctlchan c;
	struct err e = { "" };

	start(&f, CLOSE_FIRST, 0);
	ctlchan_init(&c, f.path);
	ok(ctlchan_ping(&c, 2000, NULL, &e) == 0,
	   "a connection closed under us (QEMU restarted) is made again (%s)", e.msg);
	is_int(f.g.connections, 2, "two connections");
	ctlchan_release(&c);
	stop(&f);
}

static void test_no_socket(void)
{
	struct ctlchan c;
	struct err e = { "" };

	ctlchan_init(&c, "/nonexistent/campaign/n1.ctl");
	ok(ctlchan_ping(&c, 200, NULL, &e) < 0, "no socket: the ping fails");
	ok(strstr(e.msg, "cannot connect") && strstr(e.msg, "/nonexistent/campaign/n1.ctl"),
	   "and says so, naming the path: %s", e.msg);
	ctlchan_release(&c);
	ctlchan_init(&c, NULL);
	ok(ctlchan_connect(&c, &e) < 0 && strstr(e.msg, "no control channel"),
	   "a node without a channel: %s", e.msg);
	ctlchan_release(&c);
}

static void test_protocol(void)
{
	struct guest g = { .offset_ns = 0 };
	struct control_env env = { g_now, g_set, g_reseed, &g };
	char reply[CONTROL_LINE_MAX], big[300];
	int64_t before;

	control_handle(&env, "x ping", reply, sizeof(reply));
	is_str(reply, "0 err bad request id\n", "a bad id");
	control_handle(&env, "-1 ping", reply, sizeof(reply));
	is_str(reply, "0 err bad request id\n", "a negative id");
	control_handle(&env, "5 nope", reply, sizeof(reply));
	is_str(reply, "5 err unknown request\n", "an unknown verb");
	control_handle(&env, "5", reply, sizeof(reply));
	is_str(reply, "5 err no verb\n", "no verb");
	control_handle(&env, "6 sync 123 xyz", reply, sizeof(reply));
	is_str(reply, "6 err bad seed\n", "a seed that is not hex");
	control_handle(&env, "6 sync 123 abc", reply, sizeof(reply));
	is_str(reply, "6 err bad seed\n", "an odd-length seed");
	snprintf(big, sizeof(big), "6 sync 123 %0130d", 0);
	control_handle(&env, big, reply, sizeof(reply));
	is_str(reply, "6 err bad seed\n", "a seed over 64 bytes");
	control_handle(&env, "7 sync -5 00", reply, sizeof(reply));
	is_str(reply, "7 err bad time\n", "a negative time");
	control_handle(&env, "7 sync 12x 00", reply, sizeof(reply));
	is_str(reply, "7 err bad time\n", "a time with junk");
	control_handle(&env, "7 ping extra", reply, sizeof(reply));
	is_str(reply, "7 err unknown request\n", "ping takes no argument");
	before = g.offset_ns;
	control_handle(&env, "8 step 2000000000", reply, sizeof(reply));
	ok(!strncmp(reply, "8 ok ", 5), "a step answers ok: %s", reply);
	ok(g.offset_ns - before > 1900000000LL && g.offset_ns - before < 2100000000LL,
	   "and moved the clock by 2 s");
}

int main(void)
{
	test_protocol();
	test_sync();
	test_stale_reply();
	test_mute();
	test_reconnect();
	test_no_socket();
	return tap_done();
}
