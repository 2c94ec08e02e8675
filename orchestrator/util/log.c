#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

static enum log_level current = LOG_INFO;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void log_set_level(enum log_level level)
{
	current = level;
}

enum log_level log_get_level(void)
{
	return current;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	static const char *const names[] = { "error", "warning", NULL, "debug" };
	char text[4096];
	va_list ap;

	if (level > current)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	/* messages carry text from nodes and files: no terminal controls */
	for (char *p = text; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = *p == '\n' || *p == '\t' ? ' ' : '?';
	pthread_mutex_lock(&lock);
	fputs("campaign: ", stderr);
	if (names[level])
		fprintf(stderr, "%s: ", names[level]);
	fputs(text, stderr);
	fputc('\n', stderr);
	pthread_mutex_unlock(&lock);
}

void log_text(enum log_level level, const char *text)
{
	if (level > current)
		return;
	pthread_mutex_lock(&lock);
	fputs(text, stderr);
	pthread_mutex_unlock(&lock);
}
