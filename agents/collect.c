/* collect.c - bounded tails of log files, the kernel log (klogctl) and the
 * agent's own log, as JSON strings (invalid UTF-8 becomes U+FFFD). */
#include "verbs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/stat.h>
#include <unistd.h>

#define STREAM_MAX (16 << 20)	/* most bytes read from a file of unknown size */

/* Keep the last max bytes of a stream in buf (a ring made linear). */
static ssize_t stream_tail(int fd, char *buf, size_t max, size_t *ret_total)
{
	char chunk[65536];
	size_t have = 0, total = 0;
	ssize_t n;

	while (total < STREAM_MAX && (n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		total += n;
		if ((size_t)n >= max) {
			memcpy(buf, chunk + n - max, max);
			have = max;
		} else {
			size_t keep = have + n > max ? max - n : have;

			memmove(buf, buf + have - keep, keep);
			memcpy(buf + keep, chunk, n);
			have = keep + n;
		}
	}
	*ret_total = total;
	return have;
}

static json_t *tail_file(const char *path, size_t max)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	char *buf = NULL;
	size_t total = 0;
	ssize_t have;
	json_t *out;

	if (fd < 0)
		return json_pack("{s:s, s:s}", "path", path, "error", strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return json_pack("{s:s, s:s}", "path", path, "error", "not a regular file");
	}
	buf = malloc(max);
	if (st.st_size > 0) {
		off_t from = st.st_size > (off_t)max ? st.st_size - (off_t)max : 0;

		total = st.st_size;
		have = buf ? pread(fd, buf, st.st_size - from, from) : -1;
	} else {
		have = buf ? stream_tail(fd, buf, max, &total) : -1;
	}
	if (have < 0)
		out = json_pack("{s:s, s:s}", "path", path, "error", strerror(errno));
	else
		out = json_pack("{s:s, s:I, s:I, s:b, s:o}", "path", path, "size",
				(json_int_t)total, "bytes", (json_int_t)have, "truncated",
				(size_t)have < total, "text",
				agent_json_text(buf, have, (size_t)have < total));
	free(buf);
	close(fd);
	return out;
}

static json_t *tail_dmesg(size_t max)
{
	int size = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0), n;
	char *buf;
	json_t *out;

	if (size <= 0)
		return json_pack("{s:s}", "error", strerror(errno));
	buf = malloc(size);
	n = buf ? klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, size) : -1;
	if (n < 0) {
		out = json_pack("{s:s}", "error", strerror(errno));
	} else {
		size_t from = (size_t)n > max ? n - max : 0;

		out = json_pack("{s:i, s:I, s:b, s:o}", "size", n, "bytes",
				(json_int_t)(n - from), "truncated", from > 0, "text",
				agent_json_text(buf + from, n - from, from > 0));
	}
	free(buf);
	return out;
}

int collect_run(json_t *paths, long max_bytes, int dmesg, int agent_log,
		json_t **ret_reply)
{
	json_t *files = json_array(), *p;
	size_t i;

	*ret_reply = json_pack("{s:b, s:I, s:s}", "ok", 1, "max_bytes",
			       (json_int_t)max_bytes, "boot_id", agent_boot_id());
	agent_stamp(*ret_reply);
	json_array_foreach(paths, i, p)
		json_array_append_new(files, tail_file(json_string_value(p), max_bytes));
	json_object_set_new(*ret_reply, "files", files);
	if (dmesg)
		json_object_set_new(*ret_reply, "dmesg", tail_dmesg(max_bytes));
	if (agent_log)
		json_object_set_new(*ret_reply, "agent_log",
				    tail_file(agent_log_path(), max_bytes));
	return AGENT_EXIT_OK;
}
