/* lines.h - an append-only file of newline-terminated records (the
 * journal), read in chunks: one line at a time to a callback, each line
 * bounded, a malformed line fatal unless it is the last (a torn tail). */
#ifndef CAMPAIGN_LINES_H
#define CAMPAIGN_LINES_H

#include <stddef.h>

#include "err.h"

/* What a line callback returns for a line that is not a well-formed
 * record: an error if another line follows it, else a torn tail. */
#define LINES_BAD (-0x7ffffff0)

/* 0: taken; LINES_BAD; anything else stops the read and is returned (with
 * e filled by the callback when negative). line is 1-based in the file,
 * at the offset of the line's first byte. */
typedef int (*lines_fn)(void *ctx, const char *s, size_t len, long long line,
			long long at, struct err *e);

struct lines_pos {
	long long offset;	/* in: where fd stands; out: after the last good line */
	long long lines;	/* in: lines before offset; out: through the last good line */
	long long torn;		/* out: bytes after the last good line (a torn tail) */
};

/* Read fd to its end from pos->offset. what names it in messages
 * ("journal 'DIR/journal.jsonl'"):
 *   journal '...' line 17: longer than N bytes; the file is not a journal or is damaged
 *   journal '...' line 17: not valid JSON; the file is damaged before its end
 * Returns 0, or the callback's stopping value, or -1 with e filled. */
int lines_read(int fd, const char *what, size_t max_line, struct lines_pos *pos,
	       lines_fn fn, void *ctx, struct err *e);

#endif
