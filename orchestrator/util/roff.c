/* roff.c - text into groff's man macros: one escape, markdown's inline
 * marks as fonts. */
#include "roff.h"

#include <ctype.h>
#include <string.h>

#include "utf8.h"

/* Where a word starts: a '-' there makes an option of the word. */
static int word_start(const char *text, const char *p)
{
	return p == text || strchr(" \t\n([{|\"'`=,/", p[-1]) != NULL;
}

void roff_escape(struct buf *out, const char *text, size_t len,
		 enum roff_mode mode)
{
	const char *p = text, *end = text + len;
	int line_start = 1, option = 0;
	unsigned cp;
	size_t n;

	for (; p < end; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == ' ' || c == '\t' || c == '\n')
			option = 0;
		else if (c == '-' && word_start(text, p))
			option = 1;
		if ((c == '.' || c == '\'') && line_start)
			buf_adds(out, "\\&");
		line_start = c == '\n';
		if (c == '\\')
			buf_adds(out, "\\(rs");
		else if (c == '-' && (option || mode == ROFF_LITERAL))
			buf_adds(out, "\\-");
		else if (c == '^' || c == '~')
			buf_adds(out, c == '^' ? "\\(ha" : "\\(ti");
		else if ((c == '\'' || c == '`') && mode == ROFF_LITERAL)
			buf_adds(out, c == '\'' ? "\\(aq" : "\\(ga");
		else if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
			buf_addch(out, '?');
		else if (c < 0x80)
			buf_addch(out, (char)c);
		else if ((n = utf8_decode((const unsigned char *)p,
					  (size_t)(end - p), &cp)) > 0) {
			buf_addf(out, "\\[u%04X]", cp);
			p += n - 1;
		} else {
			buf_adds(out, "\\[uFFFD]");
		}
	}
}

static void font_text(struct buf *out, char font, const char *s, size_t len,
		      enum roff_mode mode, char back)
{
	buf_addf(out, "\\f%c", font);
	roff_escape(out, s, len, mode);
	buf_addf(out, "\\f%c", back);
}

void roff_font(struct buf *out, char font, const char *s, size_t len)
{
	font_text(out, font, s, len, ROFF_LITERAL, 'R');
}

/* The closing '*' of an emphasis opened at open, or NULL. */
static const char *emphasis_end(const char *md, const char *open,
				const char *end)
{
	const char *p;

	if (open + 1 >= end || open[1] == ' ' || open[1] == '*' ||
	    (open > md && isalnum((unsigned char)open[-1])))
		return NULL;
	for (p = open + 2; p < end; p++)
		if (*p == '*' && p[-1] != ' ')
			return p;
	return NULL;
}

/* md[0..len) in font (R, B or I): marks switch fonts and come back. */
static void markdown(struct buf *out, const char *md, size_t len, char font)
{
	const char *end = md + len, *plain = md, *p = md, *close;
	size_t mark;

	while (p < end) {
		close = NULL;
		mark = 1;
		if (*p == '`') {
			close = memchr(p + 1, '`', (size_t)(end - p - 1));
		} else if (*p == '*' && p + 1 < end && p[1] == '*' && p + 2 < end &&
			   p[2] != ' ') {
			mark = 2;
			close = memmem(p + 2, (size_t)(end - p - 2), "**", 2);
		} else if (*p == '*') {
			close = emphasis_end(md, p, end);
		}
		if (!close) {
			p++;
			continue;
		}
		roff_escape(out, plain, (size_t)(p - plain), ROFF_PROSE);
		if (*p == '`') {
			font_text(out, 'B', p + 1, (size_t)(close - p - 1), ROFF_LITERAL, font);
		} else {
			buf_addf(out, "\\f%c", mark == 2 ? 'B' : 'I');
			markdown(out, p + mark, (size_t)(close - p - mark), mark == 2 ? 'B' : 'I');
			buf_addf(out, "\\f%c", font);
		}
		p = plain = close + mark;
	}
	roff_escape(out, plain, (size_t)(p - plain), ROFF_PROSE);
}

void roff_markdown(struct buf *out, const char *md)
{
	markdown(out, md, strlen(md), 'R');
}
