/* template.c - one reader of {placeholders}, used to expand a template
 * and to check it without expanding. */
#include "template.h"

#include <string.h>

#include "ssh.h"

#define NAME_MAX_LEN 127

/* The placeholder starting at p[0] == '{' (not "{{"): its name in name
 * and its length with the braces in *ret_len; -1 with e filled when it
 * is not closed, empty or too long. */
static int placeholder(const char *p, char name[NAME_MAX_LEN + 1], size_t *ret_len,
		       struct err *e)
{
	size_t len = strcspn(p + 1, "{}");

	if (p[1 + len] != '}')
		return err_set(e, "unterminated placeholder '%.*s' (write '{{' for a "
			       "literal '{')", (int)(len < 40 ? len + 1 : 40), p);
	if (!len)
		return err_set(e, "empty placeholder '{}' (write '{{}}' for literal braces)");
	if (len > NAME_MAX_LEN)
		return err_set(e, "placeholder '%.40s...' is longer than %d characters", p,
			       NAME_MAX_LEN);
	memcpy(name, p + 1, len);
	name[len] = '\0';
	*ret_len = len + 2;
	return 0;
}

/* Walk tpl: literal text goes to out (if not NULL), each placeholder's
 * name to on_name. */
static int walk(const char *tpl, struct buf *out,
		int (*on_name)(void *arg, const char *name, struct err *e), void *arg,
		struct err *e)
{
	char name[NAME_MAX_LEN + 1];
	size_t len = 0;

	for (const char *p = tpl; *p;) {
		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			if (out)
				buf_addch(out, p[0]);
			p += 2;
			continue;
		}
		if (*p != '{') {
			if (out)
				buf_addch(out, *p);
			p++;
			continue;
		}
		if (placeholder(p, name, &len, e) < 0 || on_name(arg, name, e) < 0)
			return -1;
		p += len;
	}
	return 0;
}

struct expand {
	template_lookup_fn lookup;
	void *ctx;
	int shell_words;
	struct buf *out;
};

static int expand_name(void *arg, const char *name, struct err *e)
{
	struct expand *x = arg;
	const char *value = x->lookup(x->ctx, name);

	if (!value)
		return err_set(e, "unknown placeholder '{%s}'", name);
	if (x->shell_words)
		shell_quote(x->out, value);
	else
		buf_adds(x->out, value);
	return 0;
}

int template_expand(const char *tpl, template_lookup_fn lookup, void *ctx,
		    int shell_words, struct buf *out, struct err *e)
{
	struct expand x = { lookup, ctx, shell_words, out };
	struct err inner = { "" };

	if (walk(tpl, out, expand_name, &x, &inner) < 0)
		return err_set(e, "%s in '%s'", inner.msg, tpl);
	return 0;
}

struct check {
	template_known_fn known;
	void *ctx;
};

static int check_name(void *arg, const char *name, struct err *e)
{
	struct check *c = arg;

	return c->known(c->ctx, name) ? 0 : err_set(e, "unknown placeholder '{%s}'", name);
}

int template_check(const char *tpl, template_known_fn known, void *ctx,
		   struct err *e)
{
	struct check c = { known, ctx };

	return walk(tpl, NULL, check_name, &c, e);
}

int template_has_placeholder(const char *s)
{
	for (const char *p = s; (p = strchr(p, '{')); p += 2)
		if (p[1] != '{')
			return 1;
	return 0;
}
