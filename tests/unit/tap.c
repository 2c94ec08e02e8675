#include "tap.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int count, failed;

int tap_ok(int cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	count++;
	printf("%s %d - ", cond ? "ok" : "not ok", count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!cond) {
		failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	return cond;
}

int tap_is_int(long long got, long long want, const char *file, int line,
	       const char *what)
{
	int r = tap_ok(got == want, file, line, "%s", what);

	if (!r)
		printf("#   got %lld, want %lld\n", got, want);
	return r;
}

int tap_is_str(const char *got, const char *want, const char *file, int line,
	       const char *what)
{
	int same = got && want ? !strcmp(got, want) : got == want;
	int r = tap_ok(same, file, line, "%s", what);

	if (!r)
		printf("#   got  '%s'\n#   want '%s'\n", got ? got : "(null)",
		       want ? want : "(null)");
	return r;
}

int tap_done(void)
{
	printf("1..%d\n", count);
	if (failed)
		printf("# %d of %d checks failed\n", failed, count);
	return failed ? 1 : 0;
}
