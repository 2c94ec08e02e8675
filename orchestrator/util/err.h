/* err.h - error reports that a module fills and its caller prints.
 *
 * Library code never prints: it fills a struct err and returns -1. Only
 * cmd_*.c and main.c print (through log.h). Messages follow STYLE.md:
 * lower case, no full stop, subject quoted, cause last.
 */
#ifndef CAMPAIGN_ERR_H
#define CAMPAIGN_ERR_H

#include <stdarg.h>

struct err {
	char msg[1024];
};

/* Fill e (may be NULL) with a formatted message; always returns -1. */
int err_set(struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int err_setv(struct err *e, const char *fmt, va_list ap);

/* Prepend "prefix: " to the message already in e; returns -1. */
int err_prefix(struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Like err_set, appending ": strerror(errnum)". */
int err_errno(struct err *e, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
