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

#endif
