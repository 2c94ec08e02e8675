/* engine_priv.h - what engine.c and engine_run.c share. */
#ifndef CAMPAIGN_ENGINE_PRIV_H
#define CAMPAIGN_ENGINE_PRIV_H

#include <sys/types.h>

#include "buf.h"
#include "engine.h"
#include "faults.h"
#include "probes.h"

struct run_fault {
	const struct fault_type *type;
	struct fault_applied applied;
	struct oracle_fault of;
	json_t *undo_evidence;	/* owned */
	char *target_how;	/* owned; how "leader"/"primary" was resolved */
	json_t *target_answers;	/* owned; each node's answer when none claimed it */
	int active;		/* applied and not yet ended */
	int64_t end_at_ms;	/* when to end it (since t0) */
};

struct run_ctx {
	const struct config *cfg;
	struct testbed *tb;
	struct plan *plan;		/* borrowed; targets resolved in place */
	const char *run_dir;
	int n_nodes;
	const char **names, **roles;	/* borrowed from the testbed */
	int64_t t0_ms;
	json_t *timeline;		/* owned */
	struct buf scratch;		/* run_lookup's value */
	int cur_node;			/* for {node.*}; -1 outside probes */
	struct probe_target *targets;
	char **target_text;
	int n_targets;
	struct prober *prober;
	pid_t workload_pid;
	struct run_fault *faults;	/* one per plan fault */
	int reset_all;			/* isolated mode, or the first run */
	const char *const *reset_nodes;	/* continuous mode: the dirty ones */
	int n_reset_nodes;
	const char *phase;		/* for infra errors */
	json_t *phases;			/* name -> ms */
	json_t *resets;			/* per node reset reports */
	int *alive;			/* per node, at the end of the run */
	char **alive_detail;
};

/* Append an event (fields stolen, may be NULL) to the timeline, now or
 * at t_ms since the run's start. */
void run_event(struct run_ctx *r, const char *event, json_t *fields);
void run_event_at(struct run_ctx *r, int64_t t_ms, const char *event,
		  json_t *fields);
const char *run_lookup(void *arg, const char *name);
int run_remote(const struct testbed_node *n, const char *cmd, int timeout_ms,
	       struct buf *out, struct err *e);

/* Execute the run; on success *ret_record is the run record (new) and
 * *ret_trace (new) the extra a flaw keeps (timeline, logs). */
int run_execute(struct run_ctx *r, int keep_logs_on_flaw, json_t **ret_record,
		json_t **ret_trace, struct err *e);
void run_ctx_release(struct run_ctx *r);

#endif
