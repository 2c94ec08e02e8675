/* lines.c - chunked reading of a file of records, one line at a time. */
#include "lines.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"

#define LINES_CHUNK (1 << 20)

static int too_long(struct err *e, const char *what, long long line, size_t max)
{
	return err_set(e, "%s line %lld: longer than %zu bytes; the file is not a "
		       "journal or is damaged", what, line, max);
}

static int damaged(struct err *e, const char *what, long long line)
{
	return err_set(e, "%s line %lld: not valid JSON; the file is damaged before "
		       "its end", what, line);
}

int lines_read(int fd, const char *what, size_t max_line, struct lines_pos *pos,
	       lines_fn fn, void *ctx, struct err *e)
{
	struct buf b = BUF_INIT;
	long long off = pos->offset, line = pos->lines, bad = 0;
	size_t searched = 0;
	int r = -1;

	for (;;) {
		size_t start = 0;
		ssize_t n;
		char *nl;

		if (b.len > max_line) {
			too_long(e, what, line + 1, max_line);
			goto out;
		}
		buf_grow(&b, LINES_CHUNK);
		n = read(fd, b.data + b.len, b.cap - b.len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_errno(e, errno, "cannot read %s", what);
			goto out;
		}
		if (n == 0)
			break;
		b.len += (size_t)n;
		b.data[b.len] = '\0';
		while ((nl = memchr(b.data + searched, '\n', b.len - searched))) {
			size_t len = (size_t)(nl - (b.data + start));
			int k;

			line++;
			if (len > max_line) {
				too_long(e, what, line, max_line);
				goto out;
			}
			if (bad) {
				damaged(e, what, bad);
				goto out;
			}
			k = fn(ctx, b.data + start, len, line, off + (long long)start, e);
			if (k == LINES_BAD) {
				bad = line;
			} else if (k) {
				r = k;
				goto out;
			} else {
				pos->offset = off + (long long)(start + len + 1);
				pos->lines = line;
			}
			start += len + 1;
			searched = start;
		}
		if (start) {	/* keep the unfinished line only */
			memmove(b.data, b.data + start, b.len - start);
			b.len -= start;
			b.data[b.len] = '\0';
			off += (long long)start;
		}
		searched = b.len;
	}
	if (bad && b.len) {
		damaged(e, what, bad);
		goto out;
	}
	pos->torn = off + (long long)b.len - pos->offset;
	r = 0;
out:
	buf_release(&b);
	return r;
}
