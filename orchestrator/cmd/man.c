/* man.c - what both manual pages are made of. */
#include "man.h"

#include <ctype.h>
#include <string.h>

#include "roff.h"

void man_title(struct buf *out, const char *name, int section)
{
	buf_adds(out, ".TH ");
	for (const char *c = name; *c; c++)
		buf_addch(out, (char)toupper((unsigned char)*c));
	/* No date: the same program makes the same page. */
	buf_addf(out, " %d \"\" \"campaign %s\" \"campaign manual\"\n", section,
		 CAMPAIGN_VERSION);
	/* Names and keys stay whole: no hyphenation, no stretched blanks. */
	buf_adds(out, ".nh\n.ad l\n");
}

void man_verbatim(struct buf *out, const char *text)
{
	size_t len = strlen(text);

	buf_adds(out, ".PP\n.RS 4\n.nf\n");
	roff_escape(out, text, len, ROFF_LITERAL);
	if (len && text[len - 1] != '\n')
		buf_addch(out, '\n');
	buf_adds(out, ".fi\n.RE\n");
}

void man_heading(struct buf *out, const char *macro, const char *text)
{
	buf_addf(out, "%s\n", macro);
	roff_escape(out, text, strlen(text), ROFF_LITERAL);
	buf_addch(out, '\n');
}

void man_paragraph(struct buf *out, const char *md)
{
	buf_adds(out, ".PP\n");
	roff_markdown(out, md);
	buf_addch(out, '\n');
}

void man_tagged(struct buf *out, const char *tag, const char *text)
{
	buf_adds(out, ".TP\n");
	roff_markdown(out, tag);
	buf_addch(out, '\n');
	roff_markdown(out, text);
	buf_addch(out, '\n');
}
