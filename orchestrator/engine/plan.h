/* plan.h - what a run does, as a pure function of (config, seed, run).
 *
 * The same seed and run number give the same faults, targets, parameter
 * values and trigger times, on any machine: the plan is recorded with
 * the run and replayed from it.
 */
#ifndef CAMPAIGN_PLAN_H
#define CAMPAIGN_PLAN_H

#include <jansson.h>
#include <stdint.h>

#include "config.h"
#include "err.h"

struct plan_fault {
	int index;		/* into config faults */
	char *type;
	char *target;		/* the selector as configured */
	int node;		/* chosen node (testbed order); -1: chosen at
				 * injection time (leader, primary) */
	int64_t inject_at_ms;	/* after the workload's warm-up */
	int64_t duration_ms;	/* 0: not transient */
	json_t *params;		/* ranges and choices drawn; owned */
	uint64_t seed;		/* for the fault's own random choices */
};

struct plan {
	int run;
	uint64_t seed;		/* the run's seed, derived from the campaign's */
	struct plan_fault *faults;	/* ordered by inject_at_ms */
	int n_faults;
};

/* Per node of the testbed: its name and role (testbed order). */
struct plan_node {
	const char *name;
	const char *role;
};

/* Make the plan of run `run` (>= 1). Fails only when a fault's target
 * matches no node. On success ret is filled (plan_release). */
int plan_make(const struct config *cfg, const struct plan_node *nodes,
	      int n_nodes, int run, struct plan *ret, struct err *e);
void plan_release(struct plan *p);

/* The plan as JSON (new reference), and back. */
json_t *plan_to_json(const struct plan *p, const struct plan_node *nodes);
int plan_from_json(const json_t *j, const struct plan_node *nodes,
		   int n_nodes, struct plan *ret, struct err *e);

/* splitmix64: the generator behind plans, exposed for faults. */
uint64_t plan_next(uint64_t *state);
/* Uniform in [0, n). */
uint64_t plan_below(uint64_t *state, uint64_t n);
/* Uniform in [min, max]. */
double plan_uniform(uint64_t *state, double min, double max);

#endif
