/* verbs.h - what the verbs do once the request is parsed. Each fills a
 * reply object (new reference) and returns the exit code. */
#ifndef CAMPAIGN_AGENT_VERBS_H
#define CAMPAIGN_AGENT_VERBS_H

#include "fault.h"

/* Apply fault f with normalised params (borrowed). */
int inject_run(const struct fault *f, json_t *params, json_t **ret_reply);

/* Undo injection id of fault f. state_hint (borrowed, may be NULL) is the
 * token's state, used when there is no record. by says why ("request",
 * "deadline", "all", ...). self: called by the injection's own helper,
 * which must not stop itself and gives way when an undo holds the record.
 * Returns 0 with *ret_result (new) describing the undo, or -1. */
int undo_run(const struct fault *f, const char *id, json_t *state_hint,
	     const char *by, int self, json_t **ret_result, struct agent_err *e);
/* The undo verb for one token, and for every active injection. */
int undo_token(const char *token, json_t **ret_reply);
int undo_all(json_t **ret_reply);
/* The injections recorded under the state directory. */
int status_run(json_t **ret_reply);

/* Bounded tails of log files, the kernel log and the agent log. paths
 * borrowed (array of strings). */
int collect_run(json_t *paths, long max_bytes, int dmesg, int agent_log,
		json_t **ret_reply);

#endif
