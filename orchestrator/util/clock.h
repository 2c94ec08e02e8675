/* clock.h - monotonic and wall clocks, and deadlines on the monotonic one. */
#ifndef CAMPAIGN_CLOCK_H
#define CAMPAIGN_CLOCK_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

int64_t clock_mono_ns(void);
int64_t clock_wall_ns(void);
static inline int64_t clock_mono_ms(void) { return clock_mono_ns() / 1000000; }

/* A deadline is an absolute monotonic time in milliseconds. */
static inline int64_t deadline_in_ms(int64_t ms) { return clock_mono_ms() + ms; }
/* Milliseconds left before the deadline, never negative. */
int64_t deadline_left_ms(int64_t deadline);
static inline int deadline_passed(int64_t deadline) { return deadline_left_ms(deadline) == 0; }

/* A condition variable whose timed waits count on the monotonic clock
 * (a wall-clock step neither shortens nor stretches them). */
void clock_cond_init(pthread_cond_t *cond);
/* The monotonic time ms milliseconds from now, for such a timed wait. */
struct timespec clock_mono_in_ms(int64_t ms);

/* Sleep for ms milliseconds (restarted on EINTR). */
void clock_sleep_ms(int64_t ms);

/* Format a wall-clock time as RFC 3339 UTC with milliseconds. */
void clock_format_wall(int64_t wall_ns, char out[32]);

#endif
