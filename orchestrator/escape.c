#include "escape.h"

void markup_escape(struct buf *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '&': buf_adds(out, "&amp;"); break;
		case '<': buf_adds(out, "&lt;"); break;
		case '>': buf_adds(out, "&gt;"); break;
		case '"': buf_adds(out, "&quot;"); break;
		case '\'': buf_adds(out, "&#39;"); break;
		default:
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
				buf_adds(out, "\xef\xbf\xbd");
			else if (c == 0x7f)
				buf_adds(out, "\xef\xbf\xbd");
			else
				buf_addch(out, (char)c);
		}
	}
}
