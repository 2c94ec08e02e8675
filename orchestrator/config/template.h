/* template.h - expand {name} placeholders in commands and URLs.
 *
 * Values come from a lookup callback. In a command (shell_words = 1)
 * every substituted value goes through shell_quote, so an address or a
 * path can never become shell syntax; in a URL it is inserted as is.
 * "{{" and "}}" stand for literal braces.
 */
#ifndef CAMPAIGN_TEMPLATE_H
#define CAMPAIGN_TEMPLATE_H

#include "buf.h"
#include "err.h"

/* Return the value of name (borrowed, valid until the next call), or
 * NULL when name is unknown. */
typedef const char *(*template_lookup_fn)(void *ctx, const char *name);

int template_expand(const char *tpl, template_lookup_fn lookup, void *ctx,
		    int shell_words, struct buf *out, struct err *e);

/* Whether name is a placeholder the template will be expanded with. */
typedef int (*template_known_fn)(void *ctx, const char *name);

/* Check tpl as template_expand would read it, without expanding: every
 * placeholder is known and closed. 0, or -1 with e filled:
 *   unknown placeholder '{nope}'
 *   unterminated placeholder '{run.dir' (write '{{' for a literal '{')
 *   empty placeholder '{}' (write '{{}}' for literal braces) */
int template_check(const char *tpl, template_known_fn known, void *ctx,
		   struct err *e);

/* Whether s holds a placeholder at all (a '{' that is not "{{"): such a
 * value is known only once expanded. */
int template_has_placeholder(const char *s);

#endif
