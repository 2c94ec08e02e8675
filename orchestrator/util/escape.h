/* escape.h - the one escaping function for text placed in HTML or XML
 * (reports, JUnit files, libvirt domain XML). */
#ifndef CAMPAIGN_ESCAPE_H
#define CAMPAIGN_ESCAPE_H

#include "buf.h"

/* Append s to out with & < > " ' escaped as character references;
 * what XML 1.0 forbids (control characters other than tab, newline and
 * carriage return, U+FFFE, U+FFFF) and each byte of ill-formed UTF-8
 * (overlong, surrogate, truncated, above U+10FFFF) replaced by U+FFFD.
 * The result is well-formed UTF-8, safe in element text and in quoted
 * attribute values. */
void markup_escape(struct buf *out, const char *s);

#endif
