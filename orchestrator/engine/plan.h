/* plan.h - what a run does, as a pure function of (config, seed, run).
 *
 * The same seed and run number give the same faults, targets, parameter
 * values and trigger times, on any machine: the plan is recorded with
 * the run and replayed from it.
 *
 * A run is random (schedule.faults_per_run draws from faults) or one
 * scenario's steps laid out in time; which is drawn first, by weight,
 * and only when the config has scenarios (a config without them plans
 * the runs it always planned). Targets the plan cannot know ("leader",
 * "primary", and "@NAME" bound to one of them) have node -1: the engine
 * resolves them at injection time, in place, and sets role; the run
 * record keeps that plan, so a replay of it hits the same nodes.
 *
 * schedule.explore "guided" adds the campaign's feedback so far to the
 * inputs (plan_make_guided, plan_guided.c); the plan records the choices
 * it made, so a replay still needs nothing but the plan.
 */
#ifndef CAMPAIGN_PLAN_H
#define CAMPAIGN_PLAN_H

#include <jansson.h>
#include <stdint.h>

#include "config.h"
#include "err.h"

struct plan_fault {
	int index;		/* into config faults; -1 for a scenario step */
	int step;		/* into the scenario's steps; -1 for a random fault */
	char *type;
	char *target;		/* the selector as configured ("@NAME": the
				 * node of the fault that binds NAME) */
	char *bind;		/* NULL, or the name this fault binds its node to */
	char *role;		/* NULL, or the role its node had when it was
				 * resolved at injection ("leader" when
				 * workload.leader found it; a binding's) */
	int node;		/* chosen node (testbed order); -1: chosen at
				 * injection time (leader, primary, @NAME) */
	int64_t inject_at_ms;	/* after the workload's warm-up */
	int64_t duration_ms;	/* 0: not transient */
	json_t *params;		/* ranges and choices drawn; owned */
	uint64_t seed;		/* for the fault's own random choices */
	/* a guided draw's arm (explore.h): the quarter of the parameter
	 * ranges and of inject_at_s drawn in; -1: not a guided draw */
	int param_bucket, timing_bucket;
	int same_node;		/* guided: its node drawn as the node of the
				 * run's first fault (explore_pair_credit) */
};

struct plan {
	int run;
	uint64_t seed;		/* the run's seed, derived from the campaign's */
	char *scenario;		/* NULL: a random run; else the scenario's name */
	struct plan_fault *faults;	/* ordered by inject_at_ms */
	int n_faults;
	/* a guided plan: it saw the feedback of the runs <= feedback_upto
	 * (run - EXPLORE_LAG); -1: not guided */
	int feedback_upto;
	int uniform;		/* guided, but this run drew uniformly (epsilon) */
};

/* Per node of the testbed: its name and role (testbed order). */
struct plan_node {
	const char *name;
	const char *role;
};

struct explore;

/* Make the plan of run `run` (>= 1). Fails only when a fault's target
 * matches no node. On success ret is filled (plan_release). With
 * schedule.explore "guided" this is plan_make_guided with no feedback. */
int plan_make(const struct config *cfg, const struct plan_node *nodes,
	      int n_nodes, int run, struct plan *ret, struct err *e);

/* The plan of run `run` with schedule.explore "guided": a random run's
 * faults are drawn by arm (explore.h), each arm's weight its fault's
 * weight shared among its arms times 1 + its credit in x (borrowed; NULL:
 * no feedback) from the runs <= upto (run - EXPLORE_LAG, or less when
 * the engine could not have more); with probability EXPLORE_EPSILON the
 * run draws without credit. Scenario runs are drawn as always. The arms
 * and upto are in the plan (plan_to_json): a replay needs no x. */
int plan_make_guided(const struct config *cfg, const struct plan_node *nodes,
		     int n_nodes, int run, int upto, const struct explore *x,
		     struct plan *ret, struct err *e);
void plan_release(struct plan *p);

/* A copy of p with only its faults keep[0..n) (indices into p->faults,
 * ascending): the same times, nodes, parameters and seeds. ret is filled
 * (plan_release). */
void plan_subset(const struct plan *p, const int *keep, int n, struct plan *ret);

/* The fault of p that binds name, or -1. */
int plan_binder(const struct plan *p, const char *name);

/* The plan as JSON (new reference), and back. A random run's JSON has
 * the members it had before scenarios; "scenario", "step", "bind",
 * "role", a guided draw's "bucket" ({"param", "timing"}) and a guided
 * plan's "guided" ({"feedback_upto", "uniform"}) appear only when set,
 * and older plans read back. */
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
