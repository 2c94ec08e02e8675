#include "template.h"

#include <string.h>

#include "ssh.h"

int template_expand(const char *tpl, template_lookup_fn lookup, void *ctx,
		    int shell_words, struct buf *out, struct err *e)
{
	for (const char *p = tpl; *p;) {
		const char *end;
		char name[128];
		const char *value;

		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			buf_addch(out, p[0]);
			p += 2;
			continue;
		}
		if (*p != '{') {
			buf_addch(out, *p++);
			continue;
		}
		end = strchr(p, '}');
		if (!end || end - p - 1 <= 0 || (size_t)(end - p - 1) >= sizeof(name))
			return err_set(e, "unterminated or empty placeholder in '%s'", tpl);
		memcpy(name, p + 1, (size_t)(end - p - 1));
		name[end - p - 1] = '\0';
		value = lookup(ctx, name);
		if (!value)
			return err_set(e, "unknown placeholder '{%s}' in '%s'", name, tpl);
		if (shell_words)
			shell_quote(out, value);
		else
			buf_adds(out, value);
		p = end + 1;
	}
	return 0;
}
