/* buf.h - a growable, always NUL-terminated byte buffer (git's strbuf).
 *
 * BUF_INIT or buf_init() before use, buf_release() after; release takes
 * a released or zeroed buffer. Allocation failure aborts: the program
 * cannot do anything useful without memory.
 */
#ifndef CAMPAIGN_BUF_H
#define CAMPAIGN_BUF_H

#include <stddef.h>
#include <string.h>

struct buf {
	char *data;	/* never NULL after init: "" when empty */
	size_t len;
	size_t cap;
};

extern char buf_empty[];
#define BUF_INIT { buf_empty, 0, 0 }

void buf_init(struct buf *b);
void buf_release(struct buf *b);
void buf_grow(struct buf *b, size_t extra);
void buf_adds(struct buf *b, const char *s);

/* Inline, and buf_addlit() with a literal's length known when compiled:
 * the report appends millions of small pieces. */
static inline void buf_add(struct buf *b, const void *data, size_t len)
{
	if (b->len + len >= b->cap)
		buf_grow(b, len);
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

#define buf_addlit(b, lit) buf_add((b), "" lit, sizeof(lit) - 1)

/* 1 if b holds exactly the string literal lit (a length and a memcmp the
 * compiler unrolls: the report compares millions of JSON keys). */
#define buf_is(b, lit) ((b)->len == sizeof(lit) - 1 && \
			!memcmp((b)->data, "" lit, sizeof(lit) - 1))

static inline void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->cap)
		b->data[0] = '\0';
}

static inline void buf_addch(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void buf_addf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Return the data as a malloc'd string owned by the caller; b is reset. */
char *buf_detach(struct buf *b);
/* Drop trailing white space. */
void buf_rtrim(struct buf *b);

/* xmalloc family: abort on allocation failure. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
