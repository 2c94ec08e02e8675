/* util/lines.c: records one line at a time, a torn tail, a damaged
 * middle, an over-long line, and reading on from where a read stopped. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lines.h"
#include "tap.h"

struct seen {
	int n;
	long long last_line, last_at;
};

/* a "record" is a line starting with '{' */
static int take(void *ctx, const char *s, size_t len, long long line, long long at,
		struct err *e)
{
	struct seen *x = ctx;

	(void)e;
	if (!len || s[0] != '{')
		return LINES_BAD;
	x->n++;
	x->last_line = line;
	x->last_at = at;
	return 0;
}

static int read_text(const char *text, size_t max, struct lines_pos *pos,
		     struct seen *x, struct err *e)
{
	char path[] = "/tmp/test-lines-XXXXXX";
	int fd = mkstemp(path), r;

	if (write(fd, text, strlen(text)) < 0)
		return -9;
	lseek(fd, (off_t)pos->offset, SEEK_SET);
	r = lines_read(fd, "journal 'j'", max, pos, take, x, e);
	close(fd);
	unlink(path);
	return r;
}

int main(void)
{
	struct lines_pos pos = { 0, 0, 0 };
	struct seen x = { 0 };
	struct err e = { "" };
	const char *good = "{a}\n{bb}\n{c}\n";

	is_int(read_text(good, 100, &pos, &x, &e), 0, "three records");
	is_int(x.n, 3, "each one to the callback");
	is_int(x.last_line, 3, "numbered from 1");
	is_int(x.last_at, 9, "with its offset");
	is_int(pos.offset, 13, "stopped after the last good line");
	is_int(pos.torn, 0, "no torn tail");

	memset(&x, 0, sizeof(x));
	pos = (struct lines_pos){ 0, 0, 0 };
	is_int(read_text("{a}\n{b}\n{tor", 100, &pos, &x, &e), 0, "an unfinished last line");
	ok(x.n == 2 && pos.offset == 8 && pos.torn == 4, "is a torn tail of 4 bytes (%lld)",
	   pos.torn);

	memset(&x, 0, sizeof(x));
	pos = (struct lines_pos){ 0, 0, 0 };
	is_int(read_text("{a}\nzz\n", 100, &pos, &x, &e), 0, "a bad last line");
	ok(pos.offset == 4 && pos.torn == 3, "is torn too, not an error");

	memset(&x, 0, sizeof(x));
	pos = (struct lines_pos){ 0, 0, 0 };
	is_int(read_text("{a}\nzz\n{c}\n", 100, &pos, &x, &e), -1, "a bad line in the middle");
	is_str(e.msg, "journal 'j' line 2: not valid JSON; the file is damaged before its end",
	       "is an error naming its line");

	memset(&x, 0, sizeof(x));
	pos = (struct lines_pos){ 0, 0, 0 };
	is_int(read_text("{a}\n{0123456789}\n", 8, &pos, &x, &e), -1, "a line over the cap");
	is_str(e.msg, "journal 'j' line 2: longer than 8 bytes; the file is not a journal "
	       "or is damaged", "is an error naming its line");

	memset(&x, 0, sizeof(x));
	pos = (struct lines_pos){ 9, 2, 0 };	/* on from a walk that read two lines */
	is_int(read_text(good, 100, &pos, &x, &e), 0, "reading on from an offset");
	ok(x.n == 1 && x.last_line == 3 && pos.offset == 13, "takes the new line only, "
	   "numbered on (line %lld)", x.last_line);
	return tap_done();
}
