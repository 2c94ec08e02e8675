/* engine.h - the run lifecycle: RESET, READY, WORKLOAD, INJECT, OBSERVE,
 * JUDGE, RECORD, for as many runs as the schedule and budget allow.
 *
 * The engine drives a testbed it is given; it records each finished run
 * in the journal (fsync'd) before the next reset, and each flaw in the
 * flaw store. Outcome classification is a pure function, unit-tested.
 */
#ifndef CAMPAIGN_ENGINE_H
#define CAMPAIGN_ENGINE_H

#include <jansson.h>
#include <signal.h>

#include "config.h"
#include "err.h"
#include "oracles.h"
#include "plan.h"
#include "testbed.h"

enum outcome { OUTCOME_NO_EFFECT, OUTCOME_RECOVERED, OUTCOME_FLAW,
	       OUTCOME_INFRA_ERROR };

const char *outcome_name(enum outcome o);

/* From the oracles' verdicts and whether any probe saw the fault:
 * any failure is a flaw (its class is the first failing oracle's),
 * else a visible effect is "recovered", else "no-effect". *ret_first
 * is the index of the first failing verdict or -1. */
enum outcome engine_classify(const struct oracle_verdict *v, int n,
			     int effect_seen, int *ret_first);

struct engine_options {
	const char *out_dir;
	int runs;		/* total planned runs (the schedule's or --runs) */
	double budget_s;	/* 0: none */
	int max_examples;	/* traces kept per flaw */
	volatile sig_atomic_t *stop;	/* set by a signal: finish and stop */
};

struct engine_summary {
	int runs_done;		/* in this invocation */
	int flaws_total;	/* flaw records in the whole journal */
	int unique_flaws;
	int infra_stop;		/* stopped by an infrastructure failure */
	char infra_reason[1024];
};

/* Run (or resume) the campaign of cfg on tb, which is up. */
int engine_campaign(const struct config *cfg, struct testbed *tb,
		    const struct engine_options *opt,
		    struct engine_summary *ret, struct err *e);

/* Execute one run's plan without recording it: for replay. The record
 * it would have written comes back in *ret_record (new). */
int engine_replay(const struct config *cfg, struct testbed *tb,
		  const struct plan *plan, const char *run_dir,
		  json_t **ret_record, struct err *e);

#endif
