#include "escape.h"

#define REPLACEMENT "\xef\xbf\xbd"	/* U+FFFD */

/* Length of the well-formed UTF-8 sequence at s (1 to 4), or 0 when s
 * starts an ill-formed one: overlong forms, surrogates, code points above
 * U+10FFFF and truncated sequences (RFC 3629). */
static int utf8_len(const unsigned char *s, unsigned *cp)
{
	int n;
	unsigned c = s[0], min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, c &= 0x1f, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, c &= 0x0f, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, c &= 0x07, min = 0x10000;
	else
		return 0;
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)	/* also stops at the NUL */
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

void markup_escape(struct buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		unsigned cp = 0;
		int n = utf8_len(p, &cp);

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
				buf_add(out, (const char *)p, (size_t)n);
		}
		p += n;
	}
}
