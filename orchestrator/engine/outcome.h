/* outcome.h - what a run's verdicts add up to, named in one place.
 *
 * Types only, below the engine and the report: the engine classifies,
 * the journal counts, the report and summary show the same names.
 */
#ifndef CAMPAIGN_OUTCOME_H
#define CAMPAIGN_OUTCOME_H

#include "oracles.h"

enum outcome {
	OUTCOME_NO_EFFECT,	/* every oracle passed, no probe saw the fault */
	OUTCOME_RECOVERED,	/* every oracle passed, a probe saw the fault */
	OUTCOME_FLAW,		/* an oracle failed */
	OUTCOME_UNJUDGED,	/* none failed, but one could not say: never "fine" */
	OUTCOME_SET_ASIDE,	/* the run failed the same way again on a healthy
				 * testbed: recorded, not counted as done or flaw */
	OUTCOME_N
};

/* "no-effect", "recovered", "flaw", "unjudged", "set-aside". */
const char *outcome_name(enum outcome o);

/* The outcome named s, or -1. */
int outcome_from_name(const char *s);

/* From the oracles' verdicts and whether any probe saw the fault: any
 * failure is a flaw (its class is the first failing oracle's); else any
 * unknown verdict leaves the run unjudged; else a visible effect is
 * "recovered", else "no-effect". *ret_first is the index of the first
 * failing verdict (flaw) or the first unknown one (unjudged), else -1. */
enum outcome outcome_classify(const struct oracle_verdict *v, int n,
			      int effect_seen, int *ret_first);

#endif
