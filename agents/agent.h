/* agent.h - shared helpers of campaign-agent: errors, clocks, randomness,
 * small file helpers, the agent's own log and the paths it uses.
 *
 * The agent is a separate static program: it shares no code with the
 * orchestrator core. Conventions follow STYLE.md: functions return 0 (or
 * a count) on success and -1 on failure after filling a struct agent_err;
 * only campaign-agent.c prints.
 */
#ifndef CAMPAIGN_AGENT_H
#define CAMPAIGN_AGENT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#define AGENT_VERSION "0.2.0"

/* Exit codes: 2 bad request (nothing changed), 1 failure to apply. */
enum { AGENT_EXIT_OK = 0, AGENT_EXIT_FAIL = 1, AGENT_EXIT_BADREQ = 2 };

struct agent_err {
	char msg[768];
};

/* Fill e (may be NULL); always return -1. */
int agent_err_set(struct agent_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Like agent_err_set, appending ": strerror(errnum)". */
int agent_err_errno(struct agent_err *e, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prepend "prefix: " to the message already in e. */
int agent_err_prefix(struct agent_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Clocks, in nanoseconds. */
int64_t agent_now_ns(clockid_t clk);
/* Add t_realtime_ns and t_monotonic_ns (taken now) to obj. */
void agent_stamp(json_t *obj);
/* Sleep ms milliseconds (restarted on EINTR up to the deadline). */
void agent_sleep_ms(long ms);

/* 64 random bits from getrandom(); falls back to the clocks. */
uint64_t agent_random_u64(void);
/* A seeded generator (splitmix64): same seed, same choices. */
struct agent_rng {
	uint64_t s;
};
void agent_rng_init(struct agent_rng *r, uint64_t seed);
uint64_t agent_rng_next(struct agent_rng *r);
/* Uniform in [0, n); n > 0. */
uint64_t agent_rng_below(struct agent_rng *r, uint64_t n);

/* Read at most size - 1 bytes of path into buf, NUL-terminated; return
 * the length or -1 with errno set. */
ssize_t agent_read_file(const char *path, char *buf, size_t size);
/* Write the whole of data to fd; -1 with errno on failure. */
int agent_write_all(int fd, const void *data, size_t len);
/* mkdir -p with mode for the missing parts. */
int agent_mkdir_p(const char *path, unsigned mode, struct agent_err *e);

/* A JSON string of len bytes of data with invalid UTF-8 replaced by
 * U+FFFD; skip_head drops a partial character at the start (of a tail). */
json_t *agent_json_text(const char *data, size_t len, int skip_head);

/* "0x%016llx" as a new JSON string. */
json_t *agent_json_hex(uint64_t v);

/* Where the agent keeps its records. Overridable for tests through the
 * environment: CAMPAIGN_AGENT_STATE_DIR (default /run/campaign) and
 * CAMPAIGN_AGENT_LOG (default /var/log/campaign/agent.log). */
const char *agent_state_dir(void);
const char *agent_log_path(void);

/* Append one JSON line (obj, borrowed, plus a time stamp) to the agent
 * log; creates the directory. Failures are ignored on purpose: the log
 * must never stop an injection or an undo. */
void agent_log(json_t *obj);

/* The boot id of this kernel, to correlate evidence across reboots. */
const char *agent_boot_id(void);

#endif
