/* clock.h - monotonic and wall clocks, and deadlines on the monotonic one. */
#ifndef CAMPAIGN_CLOCK_H
#define CAMPAIGN_CLOCK_H

#include <stdint.h>

int64_t clock_mono_ns(void);
int64_t clock_wall_ns(void);
static inline int64_t clock_mono_ms(void) { return clock_mono_ns() / 1000000; }

/* A deadline is an absolute monotonic time in milliseconds. */
static inline int64_t deadline_in_ms(int64_t ms) { return clock_mono_ms() + ms; }
/* Milliseconds left before the deadline, never negative. */
int64_t deadline_left_ms(int64_t deadline);
static inline int deadline_passed(int64_t deadline) { return deadline_left_ms(deadline) == 0; }

/* Sleep for ms milliseconds (restarted on EINTR). */
void clock_sleep_ms(int64_t ms);

/* Format a wall-clock time as RFC 3339 UTC with milliseconds. */
void clock_format_wall(int64_t wall_ns, char out[32]);

#endif
