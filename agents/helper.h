/* helper.h - detached helpers that carry a fault for its duration.
 *
 * An injection with a duration forks a helper that outlives the agent:
 * fork, setsid, fork again, stdio on /dev/null, every other descriptor
 * closed (so that the ssh session that ran the agent can end). The helper
 * runs the fault's body (or just a timer), reports one JSON line on a pipe
 * when it is ready, and at the deadline ends the fault through the same
 * undo path an explicit undo takes (its spawner's on_end: this file
 * knows nothing of undo). An explicit undo sends SIGTERM first (SIGKILL
 * after a grace period): the helper then only cleans up what is its own
 * (ptrace detach, workers) and the undo does the rest.
 */
#ifndef CAMPAIGN_AGENT_HELPER_H
#define CAMPAIGN_AGENT_HELPER_H

#include "fault.h"

struct helper {
	int ready_fd;		/* -1 once ready was sent */
	int64_t duration_ns;	/* from ready to the end; 0: until undone */
	int64_t deadline_ns;	/* CLOCK_MONOTONIC, set when ready; 0: none */
	const char *end;	/* why the helper ends: "deadline", "signal", ... */
};

typedef int (*helper_body)(struct fault_ctx *c, struct helper *h, struct agent_err *e);
/* In the helper, when it ends on its own (why: "deadline", "ended"), not
 * on SIGTERM: end the fault of c. */
typedef void (*helper_end)(struct fault_ctx *c, const char *why);

/* In a body. */
/* Tell the agent the fault is in place; evidence borrowed (may be NULL).
 * The duration counts from here. */
void helper_ready(struct helper *h, json_t *evidence);
/* 1 once the deadline passed or SIGTERM arrived (sets h->end). Blocking
 * calls in a body return EINTR at least every 100 ms, so that a body can
 * look again. */
int helper_should_stop(struct helper *h);
/* 1 once SIGTERM (an explicit undo stopping this helper) arrived. */
int helper_signalled(void);
/* Sleep until helper_should_stop. */
void helper_wait(struct helper *h);
/* Close descriptors a worker process of the body must not hold. */
void helper_forget(struct helper *h);

/* In the agent: start a helper running body (or a plain timer when body
 * is NULL) for c, for duration_ns once ready (0: until undone), calling
 * on_end when it ends on its own. Waits at most ready_ms for its ready
 * line; *ret_ready gets {"pid", "starttime", "deadline_monotonic_ns",
 * "evidence"} (new reference). On failure the helper has undone its own
 * part and e says why. */
int helper_spawn(struct fault_ctx *c, helper_body body, helper_end on_end,
		 int64_t duration_ns, long ready_ms, json_t **ret_ready,
		 struct agent_err *e);
/* End the helper described by hs ({"pid","starttime"}) and describe how
 * in *ret (new reference). */
int helper_stop(json_t *hs, json_t **ret, struct agent_err *e);

#endif
