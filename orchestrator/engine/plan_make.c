/* plan_make.c - the plans' entry points: which draw makes a random run's
 * faults (independent by weight, or guided by the feedback so far), over
 * plan.c's seed, scenario and time order. Above plan.c and plan_guided.c,
 * so that neither calls the other back. */
#include "plan_priv.h"

struct guided_ctx {
	int upto;
	const struct explore *x;
};

static int guided(const struct config *cfg, uint64_t *rng,
		  const struct plan_node *nodes, int n_nodes, void *ctx,
		  struct plan *ret, struct err *e)
{
	const struct guided_ctx *g = ctx;

	return plan_guided(cfg, rng, nodes, n_nodes, g->upto, g->x, ret, e);
}

static plan_faults_fn faults_of(const struct config *cfg)
{
	return cfg->schedule.explore == CONFIG_EXPLORE_GUIDED ? guided : plan_random;
}

int plan_make(const struct config *cfg, const struct plan_node *nodes,
	      int n_nodes, int run, struct plan *ret, struct err *e)
{
	struct guided_ctx g = { 0, NULL };

	return plan_draw_with(cfg, nodes, n_nodes, run, faults_of(cfg), &g, ret, e);
}

int plan_make_guided(const struct config *cfg, const struct plan_node *nodes,
		     int n_nodes, int run, int upto, const struct explore *x,
		     struct plan *ret, struct err *e)
{
	struct guided_ctx g = { upto < 0 ? 0 : upto, x };

	return plan_draw_with(cfg, nodes, n_nodes, run, faults_of(cfg), &g, ret, e);
}
