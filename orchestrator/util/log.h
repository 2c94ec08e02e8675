/* log.h - the one way diagnostics reach stderr.
 *
 * Only cmd_*.c, main.c and the engine's progress reporting call these;
 * library modules report through struct err instead.
 */
#ifndef CAMPAIGN_LOG_H
#define CAMPAIGN_LOG_H

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

void log_set_level(enum log_level level);
enum log_level log_get_level(void);

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Text as it is, without the "campaign: " prefix (a usage after an
 * error); at level like log_msg. */
void log_text(enum log_level level, const char *text);

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
