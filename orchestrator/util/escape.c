#include "escape.h"

#include <string.h>

#include "utf8.h"

#define REPLACEMENT "\xef\xbf\xbd"	/* U+FFFD */

void markup_escape(struct buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);

	while (p < end) {
		unsigned cp = 0;
		size_t n = utf8_decode(p, (size_t)(end - p), &cp);

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
