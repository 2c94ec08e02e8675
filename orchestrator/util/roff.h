/* roff.h - text for manual pages in groff's man macros (man(7)): the one
 * function that escapes text into roff, and markdown's inline marks as
 * fonts, for the help strings of the option and field tables.
 *
 * Text from a table never starts a control line: a '.' or '\'' at the
 * start of the text or after a newline is preceded by "\&". A backslash
 * prints as itself (\(rs), '^' '~' as ASCII (\(ha \(ti), other bytes
 * above ASCII as \[uXXXX] (ill-formed UTF-8 as U+FFFD), control
 * characters but tab and newline as '?'. A hyphen that belongs to an
 * option or a name to type ("--out", "export-history") is a minus sign
 * (\-), so that what the reader copies works; in prose a hyphen joins
 * words ("non-negative") and stays '-'.
 */
#ifndef CAMPAIGN_ROFF_H
#define CAMPAIGN_ROFF_H

#include <stddef.h>

#include "buf.h"

enum roff_mode {
	/* Words: a word that starts with '-' is an option, all its hyphens
	 * minus signs; other hyphens stay hyphens. */
	ROFF_PROSE,
	/* Something to type (a command, a key, a path): every hyphen a
	 * minus sign, '\'' and '`' as ASCII (\(aq \(ga). */
	ROFF_LITERAL,
};

/* Append the len bytes of text to out, escaped as above. */
void roff_escape(struct buf *out, const char *text, size_t len,
		 enum roff_mode mode);

/* Append md to out: `code` and **strong** in bold (code as
 * ROFF_LITERAL), *emphasis* in italics, the rest as ROFF_PROSE; a mark
 * without its closing mark is text. */
void roff_markdown(struct buf *out, const char *md);

/* Append the len bytes of s as ROFF_LITERAL in font (B: bold, I:
 * italic), then the roman font again: "\fBs\fR". */
void roff_font(struct buf *out, char font, const char *s, size_t len);

#endif
