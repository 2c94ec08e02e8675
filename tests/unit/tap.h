/* tap.h - a tiny test harness: ok()/is_int()/is_str(), TAP output,
 * non-zero exit when any check failed. */
#ifndef CAMPAIGN_TAP_H
#define CAMPAIGN_TAP_H

int tap_ok(int cond, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int tap_is_int(long long got, long long want, const char *file, int line,
	       const char *what);
int tap_is_str(const char *got, const char *want, const char *file, int line,
	       const char *what);
int tap_done(void);

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, what) tap_is_int((got), (want), __FILE__, __LINE__, (what))
#define is_str(got, want, what) tap_is_str((got), (want), __FILE__, __LINE__, (what))

#endif
