/* plan_priv.h - what plan.c and plan_guided.c share: the draws of one
 * fault's pieces and the guided draw of a random run. */
#ifndef CAMPAIGN_PLAN_PRIV_H
#define CAMPAIGN_PLAN_PRIV_H

#include "explore.h"
#include "plan.h"

/* One parameter: a two-number array is a range, any other array a
 * choice, anything else itself (new reference). */
json_t *plan_draw_param(uint64_t *rng, json_t *v);
/* "leader" and "primary": resolved at injection. */
int plan_late_bound(const char *target);
/* Does target ("any", a name, a role) select node? */
int plan_matches(const char *target, const struct plan_node *node);
/* f matches no node: e filled, ret released, -1. */
int plan_no_node(struct plan *ret, const struct plan_fault *f, struct err *e);

/* The faults of a random (not scenario) run into ret, from rng. */
typedef int (*plan_faults_fn)(const struct config *cfg, uint64_t *rng,
			      const struct plan_node *nodes, int n_nodes,
			      void *ctx, struct plan *ret, struct err *e);
/* plan.c: independent draws by weight (ctx unused). */
int plan_random(const struct config *cfg, uint64_t *rng,
		const struct plan_node *nodes, int n_nodes, void *ctx,
		struct plan *ret, struct err *e);
/* plan.c: the plan of run: its seed, a scenario drawn by weight or else
 * the faults from faults(ctx), in time order. plan_make.c chooses faults. */
int plan_draw_with(const struct config *cfg, const struct plan_node *nodes,
		   int n_nodes, int run, plan_faults_fn faults, void *ctx,
		   struct plan *ret, struct err *e);

/* plan_guided.c: the faults of a guided random run into ret (run set),
 * seeing x's feedback of the runs <= upto (x may be NULL). */
int plan_guided(const struct config *cfg, uint64_t *rng,
		const struct plan_node *nodes, int n_nodes, int upto,
		const struct explore *x, struct plan *ret, struct err *e);

#endif
