/* logtemplate.h - a SUT log line reduced to its template: what changes
 * from one occurrence of the same message to the next (numbers, hex ids,
 * UUIDs, addresses, timestamps) replaced by placeholders, so that
 * "elected leader 3 at term 17" and "elected leader 1 at term 18" are one
 * template, and a message the campaign has never logged before is a new
 * one. Pure: no I/O, no state.
 */
#ifndef CAMPAIGN_LOGTEMPLATE_H
#define CAMPAIGN_LOGTEMPLATE_H

#include <stddef.h>
#include <stdint.h>

/* Bytes of a line that are masked; the rest is dropped. */
#define LOGTEMPLATE_LINE_MAX 512

/* The template of line[0..len) (no newline expected; a trailing CR and
 * white space are dropped): timestamps "<time>", UUIDs "<uuid>", IPv4 and
 * IPv6 addresses "<ip>", 0x-prefixed and long hex tokens "<hex>", other
 * digit runs (with a fraction) "<n>". New string; "" for a blank line. */
char *logtemplate_mask(const char *line, size_t len);

/* A stable 64-bit hash of a template (FNV-1a). */
uint64_t logtemplate_hash(const char *tmpl);

/* Call fn for the template of each non-blank line of text[0..len).
 * Stops early when fn returns non-zero (returned). */
int logtemplate_each(const char *text, size_t len,
		     int (*fn)(void *ctx, const char *tmpl), void *ctx);

#endif
