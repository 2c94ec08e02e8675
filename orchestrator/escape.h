/* escape.h - the one escaping function for text placed in HTML or XML
 * (reports, JUnit files, libvirt domain XML). */
#ifndef CAMPAIGN_ESCAPE_H
#define CAMPAIGN_ESCAPE_H

#include "buf.h"

/* Append s to out with & < > " ' escaped as character references, and
 * control characters other than tab, newline and carriage return (which
 * XML 1.0 forbids) replaced by U+FFFD. Safe in element text and in
 * quoted attribute values. */
void markup_escape(struct buf *out, const char *s);

#endif
