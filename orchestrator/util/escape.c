#include "escape.h"

#include <string.h>

#include "utf8.h"

#define REPLACEMENT "\xef\xbf\xbd"	/* U+FFFD */

/* Bytes that stand for themselves: printable ASCII but & < > " ', and tab,
 * newline, carriage return. Runs of them are copied at once (a report
 * escapes hundreds of megabytes, nearly all of it such text). */
static int plain(unsigned char c)
{
	return (c >= 0x20 && c < 0x7f && c != '&' && c != '<' && c != '>' && c != '"' &&
		c != '\'') || c == '\t' || c == '\n' || c == '\r';
}

void markup_escape(struct buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);

	while (p < end) {
		const unsigned char *q = p;
		unsigned cp = 0;
		size_t n;

		while (q < end && plain(*q))
			q++;
		if (q > p) {
			buf_add(out, p, (size_t)(q - p));
			p = q;
			continue;
		}
		n = utf8_decode(p, (size_t)(end - p), &cp);

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
