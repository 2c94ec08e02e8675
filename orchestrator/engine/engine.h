/* engine.h - the run lifecycle: RESET, READY, WORKLOAD, INJECT, OBSERVE,
 * JUDGE, RECORD, for as many runs as the schedule and budget allow.
 *
 * The engine drives the world through a harness (harness.h): the real
 * one over a testbed, or a test's fake. It records each finished run in
 * the journal (fsync'd) before the next reset, and each flaw in the flaw
 * store. It prints nothing: progress and infra events go to callbacks.
 *
 * The repair ladder, by scope:
 *  - run: an attempt that fails (an infra error) is retried after the
 *    testbed passed its health check; a run that fails the same way again
 *    on a healthy testbed, or fails max_infra_retries times, is set aside
 *    (recorded with its reason, never a flaw, never re-run) and the
 *    campaign goes on;
 *  - node: a node failing the health check is reverted, then rebuilt
 *    alone (with a fresh golden cut of the testbed);
 *  - testbed: then the whole testbed is rebuilt; if it still fails its
 *    health check it is quarantined and the campaign stops (exit 3).
 *
 * READY trusts a restore: once a run on a testbed has seen every node,
 * just restored from its golden snapshot, pass its probes at the first
 * check, later runs skip the check for restored nodes (they are in the
 * snapshot's state) and start the probes' sampling at once. A trusted
 * node whose probe fails before the run's first fault makes the run an
 * infra event, and that testbed checks every run from then on.
 *
 * A flaw of a run with several faults is shrunk (engine_shrink.c) on the
 * testbed that found it before it takes its next run: its plan replayed
 * with faults removed until a minimal failing set is left, each try a
 * "shrink" record in the journal (never a run); then the run is recorded
 * with the signature of that set. A killed campaign's resume finishes the
 * shrinks it left, from their journaled tries, before new runs.
 */
#ifndef CAMPAIGN_ENGINE_H
#define CAMPAIGN_ENGINE_H

#include <jansson.h>
#include <signal.h>

#include "config.h"
#include "err.h"
#include "harness.h"
#include "outcome.h"
#include "plan.h"

/* What the progress callback sees after each recorded run. */
struct engine_progress {
	int run;			/* the run just recorded */
	int runs;			/* planned runs (of this shard) */
	int testbed, testbeds;		/* which testbed ran it (1-based), of how many */
	const char *outcome;		/* its outcome */
	long long counts[OUTCOME_N];	/* whole journal */
	long long infra_events;		/* whole journal */
	long long recorded;		/* run records in the journal */
	int unique_flaws;
	int runs_this_process;
	double runs_per_hour;		/* this process's runs */
	double eta_s;			/* -1: unknown */
	const char *flaw_id;		/* the run's flaw id, or NULL */
};

struct engine_options {
	const char *out_dir;
	int runs;		/* total planned runs (the schedule's or --runs) */
	double budget_s;	/* 0: none */
	int max_examples;	/* traces kept per flaw */
	volatile sig_atomic_t *stop;	/* set by a signal: finish and stop */
	/* shard index of count (1 <= index <= count): only the runs r with
	 * r % count == index % count; count 0 or 1: every run */
	int shard_index, shard_count;
	/* may be NULL; called from the engine's thread */
	void (*on_progress)(void *ctx, const struct engine_progress *p);
	void (*on_infra)(void *ctx, int run, const char *what, const char *action);
	/* a try of run's shrink ended: k of its n faults, the try_no-th try
	 * of that set, failed (the same oracle) or not */
	void (*on_shrink)(void *ctx, int run, int k, int n, int try_no, int failed);
	void *ctx;
};

struct engine_summary {
	int runs_done;		/* recorded by this invocation */
	int flaws_total;	/* flaw records in the whole journal */
	int unique_flaws;
	int unjudged;		/* unjudged runs in the whole journal */
	int set_aside;		/* set-aside runs in the whole journal */
	int testbeds_quarantined;
	int infra_stop;		/* stopped: no testbed left */
	char infra_reason[1024];
};

/* Run (or resume) the campaign of cfg on the n testbeds behind hs (up,
 * each its own copy of cfg's testbed), each taking the next unstarted
 * run. Records arrive in completion order; a resume runs exactly the runs
 * without a record. A testbed the ladder gives up on is quarantined alone;
 * the campaign stops (ret->infra_stop) when none is left. */
int engine_campaign(const struct config *cfg, struct harness *const *hs, int n,
		    const struct engine_options *opt, struct engine_summary *ret,
		    struct err *e);

/* Execute one run's plan without recording it: for replay. The record
 * it would have written comes back in *ret_record (new). */
int engine_replay(const struct config *cfg, struct harness *h,
		  const struct plan *plan, const char *run_dir,
		  json_t **ret_record, struct err *e);

/* Whether now (a replay's record) reproduced old (the recorded run's):
 * the same outcome, and for a flaw the same failed oracle, and the same
 * reason once normalised as flaw signatures are (numbers, addresses). */
int engine_reproduced(json_t *old, json_t *now);

/* A replay's end: i of times, its record (borrowed), reproduced or not. */
typedef void (*engine_replay_fn)(void *ctx, int i, int times, json_t *record,
				 int reproduced);

/* Replay plan `times` times, each from the golden snapshot in dir/<i>,
 * against old (borrowed); fn (may be NULL) hears of each. 0 with
 * *ret_reproduced set, -1 when a replay failed on the harness. */
int engine_replay_times(const struct config *cfg, struct harness *h,
			const struct plan *plan, const char *dir, json_t *old,
			int times, engine_replay_fn fn, void *ctx,
			int *ret_reproduced, struct err *e);

#endif
