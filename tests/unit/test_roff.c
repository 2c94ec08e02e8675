/* test_roff.c - orchestrator/util/roff.c, the one escape of text into
 * roff: hostile text (control lines, escapes, font changes, non-ASCII,
 * control characters) never reaches groff as anything but text, and
 * reads back byte for byte; hyphens of options are minus signs; markdown
 * marks become fonts, unmatched ones stay text. */
#include "roff.h"
#include "tap.h"
#include "utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The escapes roff_escape writes, and what each prints. */
static const struct { const char *esc, *text; } escapes[] = {
	{ "\\&", "" }, { "\\(rs", "\\" }, { "\\-", "-" }, { "\\(ha", "^" },
	{ "\\(ti", "~" }, { "\\(aq", "'" }, { "\\(ga", "`" },
};

/* What groff prints for roff text that holds only roff_escape's escapes
 * (and font changes \fB \fI \fR); "<bad>" at any other backslash. */
static char *unroff(const char *r)
{
	struct buf out = BUF_INIT;

	while (*r) {
		size_t i, n = sizeof(escapes) / sizeof(escapes[0]);
		unsigned cp;
		char seq[UTF8_MAX];

		if (*r != '\\') {
			buf_addch(&out, *r++);
			continue;
		}
		for (i = 0; i < n; i++)
			if (!strncmp(r, escapes[i].esc, strlen(escapes[i].esc)))
				break;
		if (i < n) {
			buf_adds(&out, escapes[i].text);
			r += strlen(escapes[i].esc);
		} else if (r[1] == 'f' && r[2] && strchr("BIR", r[2])) {
			r += 3;
		} else if (sscanf(r, "\\[u%5X]", &cp) == 1 && strchr(r, ']')) {
			buf_add(&out, seq, utf8_encode(cp, seq));
			r = strchr(r, ']') + 1;
		} else {
			buf_adds(&out, "<bad>");
			r++;
		}
	}
	return buf_detach(&out);
}

/* No line of r is a control line: none starts with '.' or '\''. */
static int no_control_line(const char *r)
{
	for (const char *line = r; line; line = strchr(line, '\n'), line = line ? line + 1 : NULL)
		if (*line == '.' || *line == '\'')
			return 0;
	return 1;
}

static char *escaped(const char *s, enum roff_mode mode)
{
	struct buf out = BUF_INIT;

	roff_escape(&out, s, strlen(s), mode);
	return buf_detach(&out);
}

static void test_hostile(void)
{
	static const char *const hostile[] = {
		".TH EVIL 1\n.SH NAME\n'br\n.\\\" a comment\n",
		"\\fBbold\\fR \\*(lq \\n[.t] \\\\ \\e \\(em \\[u2192]",
		"line\n.so /etc/passwd\n'sy rm -rf /",
		"  .indented\n\t'tabbed\n..\n''",
		"\\\n.ex\n\\",
		"caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x98\x80 ^ ~ ` ' \" |",
		"--out=FILE -x - -- a-b",
	};

	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		for (int mode = ROFF_PROSE; mode <= ROFF_LITERAL; mode++) {
			char *r = escaped(hostile[i], mode), *back = unroff(r);

			ok(no_control_line(r), "text %zu (mode %d) starts no control line",
			   i, mode);
			is_str(back, hostile[i], "and reads back as written");
			free(back);
			free(r);
		}
	}
}

/* Single escapes: control bytes, ill-formed UTF-8, hyphens, quotes. */
static void test_cases(void)
{
	static const struct {
		const char *text;
		enum roff_mode mode;
		const char *want, *what;
	} cases[] = {
		{ "a\x01" "b\x1b[31mc\x7f", ROFF_PROSE, "a?b?[31mc?",
		  "control characters become '?'" },
		{ "x\xff\xc3(y\xe2\x82", ROFF_PROSE, "x\\[uFFFD]\\[uFFFD](y\\[uFFFD]\\[uFFFD]",
		  "each byte of ill-formed UTF-8 is U+FFFD" },
		{ "\xe2\x86\x92", ROFF_PROSE, "\\[u2192]", "non-ASCII as \\[uXXXX]" },
		{ "tab\there\nnext", ROFF_PROSE, "tab\there\nnext", "tab and newline kept" },
		{ "non-negative --keep-testbed, -v or (-q) x=-1", ROFF_PROSE,
		  "non-negative \\-\\-keep\\-testbed, \\-v or (\\-q) x=\\-1",
		  "prose: words joined by hyphens stay, options are minus signs" },
		{ "export-history 'a' `b`", ROFF_LITERAL,
		  "export\\-history \\(aqa\\(aq \\(gab\\(ga",
		  "literal: every hyphen a minus, quotes as ASCII" },
		{ ".x\n'y", ROFF_LITERAL, "\\&.x\n\\&\\(aqy",
		  "a line's leading '.' and '\\'' behind \\&" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *r = escaped(cases[i].text, cases[i].mode);

		is_str(r, cases[i].want, cases[i].what);
		free(r);
	}
}

static void test_markdown(void)
{
	static const struct { const char *md, *want; } cases[] = {
		{ "see `--out` here", "see \\fB\\-\\-out\\fR here" },
		{ "**required with `domain`**, else",
		  "\\fBrequired with \\fBdomain\\fB\\fR, else" },
		{ "*Node selectors* and .11+*i*",
		  "\\fINode selectors\\fR and .11+\\fIi\\fR" },
		{ "r % N * 2 and a*b*c, `open", "r % N * 2 and a*b*c, `open" },
		{ "**not closed", "**not closed" },
		{ ".leading\n'quote `.x`", "\\&.leading\n\\&'quote \\fB\\&.x\\fR" },
		{ "*em `code` em*", "\\fIem \\fBcode\\fI em\\fR" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf out = BUF_INIT;

		roff_markdown(&out, cases[i].md);
		is_str(out.data, cases[i].want, cases[i].md);
		ok(no_control_line(out.data), "no control line");
		buf_release(&out);
	}
}

static void test_font(void)
{
	struct buf out = BUF_INIT;

	roff_font(&out, 'B', "--x\\y", 5);
	roff_font(&out, 'I', "A-B", 3);
	is_str(out.data, "\\fB\\-\\-x\\(rsy\\fR\\fIA\\-B\\fR", "a font, escaped, then roman");
	buf_release(&out);
}

int main(void)
{
	test_hostile();
	test_cases();
	test_markdown();
	test_font();
	return tap_done();
}
