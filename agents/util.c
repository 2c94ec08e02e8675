/* util.c - errors, clocks, randomness, files and the agent log. */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

static int err_setv(struct agent_err *e, const char *fmt, va_list ap)
{
	if (e)
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	return -1;
}

int agent_err_set(struct agent_err *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_setv(e, fmt, ap);
	va_end(ap);
	return -1;
}

int agent_err_errno(struct agent_err *e, int errnum, const char *fmt, ...)
{
	char head[sizeof(e->msg)];
	va_list ap;

	if (!e)
		return -1;
	va_start(ap, fmt);
	vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	snprintf(e->msg, sizeof(e->msg), "%s: %s", head, strerror(errnum));
	return -1;
}

int agent_err_prefix(struct agent_err *e, const char *fmt, ...)
{
	char prefix[256], old[sizeof(e->msg)];
	va_list ap;

	if (!e)
		return -1;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof(old));
	snprintf(e->msg, sizeof(e->msg), "%s: %s", prefix, old);
	return -1;
}

int64_t agent_now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void agent_stamp(json_t *obj)
{
	json_object_set_new(obj, "t_realtime_ns",
			    json_integer(agent_now_ns(CLOCK_REALTIME)));
	json_object_set_new(obj, "t_monotonic_ns",
			    json_integer(agent_now_ns(CLOCK_MONOTONIC)));
}

void agent_sleep_ms(long ms)
{
	int64_t end = agent_now_ns(CLOCK_MONOTONIC) + (int64_t)ms * 1000000;
	int64_t left;

	while ((left = end - agent_now_ns(CLOCK_MONOTONIC)) > 0) {
		struct timespec ts = { left / 1000000000, left % 1000000000 };

		nanosleep(&ts, NULL);
	}
}

uint64_t agent_random_u64(void)
{
	uint64_t v;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) == sizeof(v))
		return v;
	return (uint64_t)agent_now_ns(CLOCK_REALTIME) * 0x9e3779b97f4a7c15ull ^
	       (uint64_t)agent_now_ns(CLOCK_MONOTONIC) ^ (uint64_t)getpid();
}

void agent_rng_init(struct agent_rng *r, uint64_t seed)
{
	r->s = seed;
}

uint64_t agent_rng_next(struct agent_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t agent_rng_below(struct agent_rng *r, uint64_t n)
{
	uint64_t limit = UINT64_MAX - UINT64_MAX % n, v;

	do
		v = agent_rng_next(r);
	while (v >= limit);
	return v % n;
}

ssize_t agent_read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	while (len + 1 < size) {
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int saved = errno;

			close(fd);
			errno = saved;
			return -1;
		}
		if (n == 0)
			break;
		len += n;
	}
	buf[len] = '\0';
	close(fd);
	return len;
}

int agent_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

int agent_mkdir_p(const char *path, unsigned mode, struct agent_err *e)
{
	char tmp[4096];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(tmp))
		return agent_err_set(e, "cannot create directory '%s': bad path", path);
	memcpy(tmp, path, len + 1);
	for (char *p = tmp + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(tmp, mode) < 0 && errno != EEXIST)
			return agent_err_errno(e, errno, "cannot create directory '%s'", tmp);
		*p = c;
		if (c == '\0')
			break;
	}
	return 0;
}

json_t *agent_json_hex(uint64_t v)
{
	char s[24];

	snprintf(s, sizeof(s), "0x%016llx", (unsigned long long)v);
	return json_string(s);
}

const char *agent_state_dir(void)
{
	const char *d = getenv("CAMPAIGN_AGENT_STATE_DIR");

	return d && *d == '/' ? d : "/run/campaign";
}

const char *agent_log_path(void)
{
	const char *p = getenv("CAMPAIGN_AGENT_LOG");

	return p && *p == '/' ? p : "/var/log/campaign/agent.log";
}

void agent_log(json_t *obj)
{
	const char *path = agent_log_path();
	char dir[4096], *slash, *line;
	json_t *rec;
	int fd;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		agent_mkdir_p(dir, 0755, NULL);
	}
	rec = json_pack("{s:I, s:I, s:i}", "t_realtime_ns",
			(json_int_t)agent_now_ns(CLOCK_REALTIME), "t_monotonic_ns",
			(json_int_t)agent_now_ns(CLOCK_MONOTONIC), "agent_pid", (int)getpid());
	if (!rec)
		return;
	json_object_update(rec, obj);
	line = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(rec);
	if (!line)
		return;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0) {
		size_t len = strlen(line);

		line[len] = '\n';	/* the NUL goes: write the exact length */
		agent_write_all(fd, line, len + 1);
		close(fd);
	}
	free(line);
}

const char *agent_boot_id(void)
{
	static char id[64];

	if (!id[0] && agent_read_file("/proc/sys/kernel/random/boot_id", id, sizeof(id)) > 0)
		id[strcspn(id, "\n")] = '\0';
	return id;
}

/* Length of the valid UTF-8 sequence at p (at most n bytes), or 0. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
	size_t len;
	unsigned cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

/* A JSON string of data, invalid bytes replaced; skip_head drops partial
 * characters at the start (the tail cut one). */
json_t *agent_json_text(const char *data, size_t len, int skip_head)
{
	const unsigned char *p = (const unsigned char *)data;
	char *out = malloc(len * 3 + 1);
	size_t i = 0, o = 0;
	json_t *s;

	if (!out)
		return json_string("");
	while (skip_head && i < len && i < 3 && (p[i] & 0xc0) == 0x80)
		i++;
	while (i < len) {
		size_t n = utf8_seq(p + i, len - i);

		if (n) {
			memcpy(out + o, p + i, n);
			o += n;
			i += n;
		} else {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		}
	}
	s = json_stringn(out, o);
	free(out);
	return s;
}
