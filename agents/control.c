/* control.c - the guest end of the control channel (control.h).
 *
 * Why a virtio-serial port and our own loop rather than qemu-guest-agent:
 * the host end is a unix socket that QEMU keeps open across `loadvm`, so
 * the first request after a restore costs one round trip, not a
 * handshake; and the guest side is this file in the static agent that
 * every image already carries, where qemu-guest-agent would add glib and
 * ~10 MiB to the tiny image and answers clock requests only through
 * libvirt's virDomainSetTime (one more API round trip per node).
 */
#include "control.h"

#include "agent.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/random.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define SEED_MAX 64

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode up to max bytes of hex; -1 unless the whole word is even-length
 * hex of at most max bytes. */
static int unhex(const char *s, unsigned char *out, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n % 2 || n / 2 > max)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return (int)(n / 2);
}

/* A whole-word signed 64-bit decimal, or -1. */
static int parse_i64(const char *s, int64_t *ret)
{
	char *end;
	long long v;

	if (!*s)
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end)
		return -1;
	*ret = v;
	return 0;
}

size_t control_handle(const struct control_env *env, const char *line,
		      char *reply, size_t size)
{
	char copy[CONTROL_LINE_MAX], *words[4] = { 0 }, *save = NULL;
	unsigned char seed[SEED_MAX];
	int64_t v;
	int n = 0, len;
	unsigned long long id;
	char *end;

	snprintf(copy, sizeof(copy), "%s", line);
	for (char *w = strtok_r(copy, " ", &save); w && n < 4;
	     w = strtok_r(NULL, " ", &save))
		words[n++] = w;
	errno = 0;
	id = words[0] ? strtoull(words[0], &end, 10) : 0;
	if (!words[0] || errno || *end || words[0][0] == '-')
		return (size_t)snprintf(reply, size, "0 err bad request id\n");
	if (!words[1])
		return (size_t)snprintf(reply, size, "%llu err no verb\n", id);
	if (!strcmp(words[1], "ping") && n == 2)
		return (size_t)snprintf(reply, size, "%llu pong %" PRId64 "\n", id,
					env->now_ns(env->arg));
	if (!strcmp(words[1], "sync") && n == 4) {
		if (parse_i64(words[2], &v) < 0 || v <= 0)
			return (size_t)snprintf(reply, size, "%llu err bad time\n", id);
		if ((len = unhex(words[3], seed, sizeof(seed))) < 0)
			return (size_t)snprintf(reply, size, "%llu err bad seed\n", id);
		if (env->set_ns(env->arg, v) < 0)
			return (size_t)snprintf(reply, size, "%llu err cannot set the clock: %s\n",
						id, strerror(errno));
		if (env->reseed(env->arg, seed, (size_t)len) < 0)
			return (size_t)snprintf(reply, size, "%llu err cannot reseed: %s\n",
						id, strerror(errno));
		return (size_t)snprintf(reply, size, "%llu ok %" PRId64 "\n", id,
					env->now_ns(env->arg));
	}
	if (!strcmp(words[1], "step") && n == 3) {
		if (parse_i64(words[2], &v) < 0)
			return (size_t)snprintf(reply, size, "%llu err bad step\n", id);
		if (env->set_ns(env->arg, env->now_ns(env->arg) + v) < 0)
			return (size_t)snprintf(reply, size, "%llu err cannot set the clock: %s\n",
						id, strerror(errno));
		return (size_t)snprintf(reply, size, "%llu ok %" PRId64 "\n", id,
					env->now_ns(env->arg));
	}
	return (size_t)snprintf(reply, size, "%llu err unknown request\n", id);
}

static int64_t sys_now(void *arg)
{
	(void)arg;
	return agent_now_ns(CLOCK_REALTIME);
}

static int sys_set(void *arg, int64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000), (long)(ns % 1000000000) };

	(void)arg;
	return clock_settime(CLOCK_REALTIME, &ts);
}

/* Every restore replays the same pool: mix the host's bytes in, credit
 * them, and make the CRNG reseed now rather than at its next interval. */
static int sys_reseed(void *arg, const unsigned char *seed, size_t n)
{
	struct {
		struct rand_pool_info info;
		unsigned char buf[SEED_MAX];
	} p;
	int fd = open("/dev/urandom", O_WRONLY | O_CLOEXEC), r;

	(void)arg;
	if (fd < 0)
		return -1;
	p.info.entropy_count = (int)(n * 8);
	p.info.buf_size = (int)n;
	memcpy(p.buf, seed, n);
	r = ioctl(fd, RNDADDENTROPY, &p.info);
	if (r < 0)
		r = agent_write_all(fd, seed, n);
#ifdef RNDRESEEDCRNG
	if (r == 0 && ioctl(fd, RNDRESEEDCRNG) < 0 && errno != EINVAL && errno != ENOTTY)
		r = -1;
#endif
	close(fd);
	return r;
}

const struct control_env control_env_system = { sys_now, sys_set, sys_reseed, NULL };

/* /dev/vportNpM of the port named CONTROL_PORT_NAME (no udev in the
 * images, so no /dev/virtio-ports links). */
static int find_port(char *out, size_t size)
{
	DIR *d = opendir("/sys/class/virtio-ports");
	struct dirent *de;
	int found = -1;

	if (!d)
		return -1;
	while (found < 0 && (de = readdir(d))) {
		char path[PATH_MAX], name[128];

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/class/virtio-ports/%s/name", de->d_name);
		if (agent_read_file(path, name, sizeof(name)) < 0)
			continue;
		name[strcspn(name, "\n")] = 0;
		if (!strcmp(name, CONTROL_PORT_NAME)) {
			snprintf(out, size, "/dev/%s", de->d_name);
			found = 0;
		}
	}
	closedir(d);
	return found;
}

/* Answer every complete line in buf[0..*len), keep the rest. A line
 * longer than the buffer is dropped whole. */
static void serve_lines(int fd, char *buf, size_t *len, int *overlong)
{
	char reply[CONTROL_LINE_MAX];
	size_t start = 0;

	for (size_t i = 0; i < *len; i++) {
		if (buf[i] != '\n')
			continue;
		buf[i] = 0;
		if (!*overlong) {
			size_t n = control_handle(&control_env_system, buf + start,
						  reply, sizeof(reply));
			/* the host went away: the reply is lost, it asks again */
			(void)agent_write_all(fd, reply, n);
		}
		*overlong = 0;
		start = i + 1;
	}
	memmove(buf, buf + start, *len - start);
	*len -= start;
	if (*len == CONTROL_LINE_MAX) {
		*len = 0;
		*overlong = 1;
	}
}

int control_main(const char *device)
{
	char path[PATH_MAX], buf[CONTROL_LINE_MAX];
	size_t len = 0;
	int fd = -1, overlong = 0;

	for (;;) {
		struct pollfd p;
		ssize_t n;

		if (fd < 0) {
			if (device)
				snprintf(path, sizeof(path), "%s", device);
			if ((!device && find_port(path, sizeof(path)) < 0) ||
			    (fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC)) < 0) {
				agent_sleep_ms(1000);	/* no port (yet): an old domain */
				continue;
			}
			len = 0;
			overlong = 0;
		}
		p = (struct pollfd){ .fd = fd, .events = POLLIN };
		if (poll(&p, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (!(p.revents & POLLIN)) {
			/* POLLHUP: no host end connected; it polls as ready
			 * until one connects, so wait a little. */
			agent_sleep_ms(20);
			continue;
		}
		n = read(fd, buf + len, sizeof(buf) - len);
		if (n > 0) {
			len += (size_t)n;
			serve_lines(fd, buf, &len, &overlong);
		} else if (n == 0 || errno == EAGAIN || errno == EINTR) {
			agent_sleep_ms(n == 0 ? 20 : 0);
		} else {
			close(fd);
			fd = -1;
			agent_sleep_ms(1000);
		}
	}
}
