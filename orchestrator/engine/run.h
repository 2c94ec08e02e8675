/* run.h - one run's state, below the phase files that share it:
 * engine_run.c (the run in order: reset, ready, workload, then the
 * others), engine_inject.c (inject and observe, node states),
 * engine_judge.c (judge, logs). run.c holds the timeline and the template
 * variables they all use. engine.c (the campaign loop) calls run_execute. */
#ifndef CAMPAIGN_RUN_H
#define CAMPAIGN_RUN_H

#include <jansson.h>
#include <stdint.h>

#include "buf.h"
#include "config.h"
#include "err.h"
#include "faults.h"
#include "harness.h"
#include "oracles.h"
#include "plan.h"
#include "probes.h"

/* What became of a planned fault. */
enum fault_fate {
	FATE_PLANNED,		/* not yet due */
	FATE_DEFERRED,		/* due, waiting for its node to come back */
	FATE_APPLIED,
	FATE_NOT_APPLIED,	/* the run's own faults stood in the way */
};

struct run_fault {
	const struct fault_type *type;
	struct fault_applied applied;
	struct oracle_fault of;
	enum fault_fate fate;
	char *why;		/* owned: deferred or not applied because... */
	int64_t due_ms;		/* when the plan wanted it (since t0) */
	int node_epoch;		/* the node's epoch when applied */
	json_t *undo_evidence;	/* owned */
	char *target_how;	/* owned; how "leader"/"primary" was resolved */
	json_t *target_answers;	/* owned; each node's answer when none claimed it */
	int active;		/* applied and not yet ended */
	int64_t end_at_ms;	/* when to end it (since t0) */
};

/* A node as the run's own faults left it. */
struct run_node {
	enum node_state state;
	int held_by;		/* fault index holding it in state, or -1 */
	int epoch;		/* bumped by every restore or power-cycle */
	int dirty;		/* must be restored before the next run */
};

struct run_ctx {
	const struct config *cfg;
	struct harness *h;
	struct plan *plan;		/* borrowed; targets resolved in place */
	const char *run_dir;
	int n_nodes;
	const char **names, **roles;	/* borrowed */
	int64_t t0_ms;
	json_t *timeline;		/* owned */
	struct buf scratch;		/* run_lookup's value */
	int cur_node;			/* for {node.*}; -1 outside probes */
	struct probe_target *targets;
	char **target_text;
	int n_targets;
	int probing;			/* probes_start succeeded */
	int workload_running;
	struct run_fault *faults;	/* one per plan fault */
	struct run_node *nodes;		/* one per testbed node */
	int reset_all;			/* isolated mode, or the first run */
	const char *const *reset_nodes;	/* continuous mode: the dirty ones */
	int n_reset_nodes;
	const char *phase;		/* for infra errors */
	json_t *phases;			/* name -> ms */
	json_t *resets;			/* per node reset reports */
	int *restored;			/* per node: back to golden this run */
	int *ready_trust;		/* the testbed's (engine.h): NULL: check */
	int n_trusted;			/* nodes READY trusted this run */
	int *alive;			/* per node, at the end of the run */
	int *vanished;			/* per node: off, but not by our faults */
	char **alive_detail;
};

static inline int64_t run_now(struct run_ctx *r)
{
	return r->h->ops->now_ms(r->h) - r->t0_ms;
}

/* run.c: append an event (fields stolen, may be NULL) to the timeline,
 * now or at t_ms since the run's start. */
void run_event(struct run_ctx *r, const char *event, json_t *fields);
void run_event_at(struct run_ctx *r, int64_t t_ms, const char *event,
		  json_t *fields);
/* Template lookup: {run.dir}, {run.n}, {seed} and the node variables. */
const char *run_lookup(void *arg, const char *name);

/* engine_inject.c: INJECT and OBSERVE. */
int run_inject_and_observe(struct run_ctx *r, struct err *e);
/* The faults as the record keeps them (new reference). */
json_t *run_faults_json(struct run_ctx *r);

/* engine_judge.c: JUDGE, and the logs a flaw keeps. */
int run_judge(struct run_ctx *r, json_t *record, struct err *e);
json_t *run_collect_logs(struct run_ctx *r);
/* The agent's collect command for logs.paths, each cut to its last
 * max_bytes, with the kernel's and the agent's logs unless sut_only
 * (new string). */
char *run_collect_command(const struct config *cfg, long max_bytes, int sut_only);
/* engine_explore.c: a guided campaign's cheap feedback of a finished run
 * (its SUT log templates, its probe transitions) into record's
 * "explore": {"templates": [hashes]}, replaced when it is recorded. */
void run_feedback(struct run_ctx *r, json_t *record);

/* engine_run.c: execute the run; on success *ret_record is the run record (new) and
 * *ret_trace (new) the extra a flaw keeps (timeline, logs). -1: an infra
 * error, e says the phase and what failed. */
int run_execute(struct run_ctx *r, int keep_logs_on_flaw, json_t **ret_record,
		json_t **ret_trace, struct err *e);
void run_ctx_release(struct run_ctx *r);

#endif
