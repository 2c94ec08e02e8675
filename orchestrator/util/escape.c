#include "escape.h"

#include <string.h>

#include "utf8.h"

#define REPLACEMENT "\xef\xbf\xbd"	/* U+FFFD */

/* Bytes that stand for themselves: printable ASCII but & < > " ', and tab,
 * newline, carriage return (not NUL: it ends the string). Runs of them are
 * copied at once: a report escapes gigabytes, nearly all of it such text. */
static const unsigned char plain[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
	/* 0x80-0xff: UTF-8, decoded one character at a time */
};

void markup_escape(struct buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (;;) {
		const unsigned char *q = p;
		unsigned cp = 0;
		size_t n;

		while (plain[*q])
			q++;
		if (q > p) {
			buf_add(out, p, (size_t)(q - p));
			p = q;
		}
		if (!*p)
			break;
		/* no character is longer than 4 bytes; the NUL bounds them */
		n = utf8_decode(p, strnlen((const char *)p, 4), &cp);

		if (n == 0) {		/* one replacement per bad byte */
			buf_adds(out, REPLACEMENT);
			p++;
			continue;
		}
		switch (cp) {
		case '&': buf_adds(out, "&amp;"); break;
		case '<': buf_adds(out, "&lt;"); break;
		case '>': buf_adds(out, "&gt;"); break;
		case '"': buf_adds(out, "&quot;"); break;
		case '\'': buf_adds(out, "&#39;"); break;
		default:
			/* what XML 1.0 does not allow: controls other than tab,
			 * newline and carriage return, and U+FFFE, U+FFFF; DEL
			 * too, which no report needs */
			if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') ||
			    cp == 0x7f || cp == 0xfffe || cp == 0xffff)
				buf_adds(out, REPLACEMENT);
			else
				buf_add(out, (const char *)p, n);
		}
		p += n;
	}
}
