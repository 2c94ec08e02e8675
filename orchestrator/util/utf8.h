/* utf8.h - UTF-8 (RFC 3629): encode one code point, decode one sequence. */
#ifndef CAMPAIGN_UTF8_H
#define CAMPAIGN_UTF8_H

#include <stddef.h>

#define UTF8_MAX 4	/* bytes of the longest sequence */

/* Encode cp into out; returns its length (1 to 4), or 0 above U+10FFFF.
 * Surrogates are encoded as given: whether to allow them is the caller's
 * choice. */
size_t utf8_encode(unsigned cp, char out[UTF8_MAX]);

/* The well-formed sequence at the start of the len bytes at s: returns
 * its length (1 to 4) with its code point in *ret_cp, or 0 (and *ret_cp
 * untouched) for an ill-formed one: a stray continuation byte, an
 * overlong form, a surrogate, a code point above U+10FFFF, or a sequence
 * cut short by len or by a byte that does not continue it. */
size_t utf8_decode(const unsigned char *s, size_t len, unsigned *ret_cp);

#endif
