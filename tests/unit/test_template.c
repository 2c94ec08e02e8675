/* test_template.c - template_check reads a template as template_expand
 * does: known and unknown names, "{{" and "}}", unterminated, empty and
 * overlong placeholders; template_has_placeholder. */
#include "tap.h"
#include "template.h"

#include <string.h>

static int known(void *ctx, const char *name)
{
	(void)ctx;
	return !strcmp(name, "a") || !strcmp(name, "run.dir");
}

static const char *lookup(void *ctx, const char *name)
{
	return known(ctx, name) ? "V" : NULL;
}

/* check and expand agree on tpl: both pass, or both fail with want. */
static void agree(const char *tpl, const char *want)
{
	struct buf out = BUF_INIT;
	struct err ce = { "" }, xe = { "" };
	int c = template_check(tpl, known, NULL, &ce);
	int x = template_expand(tpl, lookup, NULL, 0, &out, &xe);

	is_int(c, want ? -1 : 0, tpl);
	is_int(x, c, "expand agrees");
	if (want) {
		is_str(ce.msg, want, "the check's message");
		ok(!strncmp(xe.msg, want, strlen(want)), "expand says the same: %s", xe.msg);
	}
	buf_release(&out);
}

int main(void)
{
	char name[200];
	struct buf out = BUF_INIT;
	struct err e = { "" };

	agree("plain text", NULL);
	agree("{a} and {run.dir}/x", NULL);
	agree("{{literal}} {{ }} a}b", NULL);
	agree("x {nope}", "unknown placeholder '{nope}'");
	agree("x {run.dir", "unterminated placeholder '{run.dir' (write '{{' for a literal '{')");
	agree("x {a{b}", "unterminated placeholder '{a' (write '{{' for a literal '{')");
	agree("x {}", "empty placeholder '{}' (write '{{}}' for literal braces)");
	agree("{", "unterminated placeholder '{' (write '{{' for a literal '{')");
	memset(name, 'n', sizeof(name));
	name[0] = '{';
	name[150] = '}';
	name[151] = '\0';
	agree(name, "placeholder '{nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn...' is longer than "
	      "127 characters");
	is_int(template_expand("x {nope}", lookup, NULL, 0, &out, &e), -1, "expand");
	is_str(e.msg, "unknown placeholder '{nope}' in 'x {nope}'", "expand names the template");
	buf_reset(&out);
	is_int(template_expand("{{a}} {a}", lookup, NULL, 0, &out, &e), 0, "literal braces");
	is_str(out.data, "{a} V", "expanded");
	ok(template_has_placeholder("a {b}"), "a placeholder");
	ok(!template_has_placeholder("a {{b}} c"), "literal braces only");
	ok(template_has_placeholder("{{{b}"), "a placeholder after a literal brace");
	ok(!template_has_placeholder("no braces }"), "no braces");
	buf_release(&out);
	return tap_done();
}
