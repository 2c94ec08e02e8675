#include "clock.h"

#include <errno.h>
#include <stdio.h>
#include <time.h>

static int64_t read_clock(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t clock_mono_ns(void)
{
	return read_clock(CLOCK_MONOTONIC);
}

int64_t clock_wall_ns(void)
{
	return read_clock(CLOCK_REALTIME);
}

int64_t deadline_left_ms(int64_t deadline)
{
	int64_t left = deadline - clock_mono_ms();

	return left > 0 ? left : 0;
}

void clock_sleep_ms(int64_t ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

void clock_format_wall(int64_t wall_ns, char out[32])
{
	time_t secs = (time_t)(wall_ns / 1000000000);
	struct tm tm;

	gmtime_r(&secs, &tm);
	char date[24];

	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, 32, "%.19s.%03dZ", date,
		 (int)(wall_ns % 1000000000 / 1000000));
}
