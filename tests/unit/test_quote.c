/* test_quote.c - shell_quote against hostile strings, checked by real
 * shells: `printf %s <quoted>` must print the input byte for byte. */
#include "buf.h"
#include "ssh.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Run cmd through /bin/sh (popen) and return its stdout. */
static int run_sh(const char *cmd, struct buf *out)
{
	char chunk[65536];
	size_t n;
	FILE *f = popen(cmd, "re");

	if (!f)
		return -1;
	buf_reset(out);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(out, chunk, n);
	return pclose(f);
}

/* The input survives `printf %s`, in /bin/sh and, quoted twice, in
 * bash -c (a quoted command inside a quoted command, as happens when
 * one remote command wraps another). */
static void check(const char *what, const char *s)
{
	struct buf cmd = BUF_INIT, inner = BUF_INIT, out = BUF_INIT;
	int rc;

	buf_adds(&cmd, "printf %s ");
	shell_quote(&cmd, s);
	rc = run_sh(cmd.data, &out);
	ok(rc == 0 && out.len == strlen(s) && memcmp(out.data, s, out.len) == 0,
	   "sh: %s", what);

	if (access("/bin/bash", X_OK) == 0) {
		buf_adds(&inner, "printf %s ");
		shell_quote(&inner, s);
		buf_reset(&cmd);
		buf_adds(&cmd, "/bin/bash -c ");
		shell_quote(&cmd, inner.data);
		rc = run_sh(cmd.data, &out);
		ok(rc == 0 && out.len == strlen(s) &&
		   memcmp(out.data, s, out.len) == 0, "bash, nested: %s", what);
	}
	buf_release(&cmd);
	buf_release(&inner);
	buf_release(&out);
}

int main(void)
{
	static const struct { const char *what, *s; } cases[] = {
		{ "empty", "" },
		{ "plain word", "hello" },
		{ "single quote", "'" },
		{ "quotes around", "'a'" },
		{ "two single quotes", "''" },
		{ "double quote", "\"" },
		{ "command substitution", "$(reboot)" },
		{ "backticks", "`reboot`" },
		{ "variable", "$HOME ${PATH} $0 $$ $@" },
		{ "semicolon", "a; rm -rf /nonexistent" },
		{ "and-and", "true && echo pwned" },
		{ "pipe and redirect", "| cat > /tmp/x < /etc/passwd 2>&1" },
		{ "newlines", "line1\nline2\n\n" },
		{ "carriage return and tab", "a\rb\tc" },
		{ "backslashes", "\\ \\\\ \\n \\'" },
		{ "glob", "*" },
		{ "glob mix", "/* ?[a-z] {a,b}" },
		{ "tilde", "~" },
		{ "tilde user", "~root/x" },
		{ "leading dash", "-n" },
		{ "leading dashes", "--help" },
		{ "spaces", "  two  spaces  " },
		{ "only spaces", "   " },
		{ "hash", "# not a comment" },
		{ "bang", "!! !$ !-1" },
		{ "percent", "%s %d %%" },
		{ "utf-8", "h\xc3\xa9llo \xe2\x98\x83 \xf0\x9f\x92\xa5" },
		{ "invalid utf-8", "\xff\xfe\x80\xc0" },
		{ "quote soup", "'\"'\"''\\''" },
		{ "everything", "'; $(reboot) `id` && \"x\" \\ * ~ -n\n'" },
	};
	struct buf all = BUF_INIT, lng = BUF_INIT, q = BUF_INIT;

	shell_quote(&q, "");
	is_str(q.data, "''", "empty string quotes as ''");
	buf_reset(&q);
	shell_quote(&q, "it's");
	is_str(q.data, "'it'\\''s'", "embedded quote becomes '\\''");
	buf_reset(&q);
	shell_quote(&q, "a");
	shell_quote(&q, "b");
	is_str(q.data, "'a''b'", "appends to what is in the buffer");

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check(cases[i].what, cases[i].s);

	for (int c = 1; c < 256; c++)
		buf_addch(&all, (char)c);
	check("every byte 1..255", all.data);

	/* Long enough to matter, short of the kernel's 128 KiB per argument
	 * limit once quoted (a quote grows to four bytes). */
	for (int i = 0; i < 6000; i++)
		buf_adds(&lng, i % 3 ? "ab c" : "'$\n");
	check("long string (24000 bytes)", lng.data);

	buf_release(&all);
	buf_release(&lng);
	buf_release(&q);
	return tap_done();
}
