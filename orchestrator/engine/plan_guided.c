/* plan_guided.c - the guided draw (docs/exploration.md): a random run's
 * faults drawn by arm, each arm's weight its fault's weight shared among
 * its arms times 1 + its credit in the campaign's feedback (explore.h);
 * then the fault's values within the arm's quarters. Each fault after
 * the first is first drawn a pairing: on the first fault's node, or
 * alone (explore_pair_credit; half and half before any credit). The
 * same number of seeded draws whatever the credit, so only the arm
 * chosen depends on the feedback. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "plan_priv.h"

/* The bucket-th quarter of [lo, hi]. */
static double quarter(double lo, double hi, int bucket, int end)
{
	return lo + (hi - lo) * (bucket + end) / EXPLORE_BUCKETS;
}

static int64_t draw_ms_in(uint64_t *rng, struct config_range r, int bucket)
{
	return (int64_t)llround(plan_uniform(rng, quarter(r.min, r.max, bucket, 0),
					     quarter(r.min, r.max, bucket, 1)) * 1000.0);
}

/* A range parameter in its bucket-th quarter; a choice as always. */
static json_t *draw_param_in(uint64_t *rng, json_t *v, int bucket)
{
	json_t *lo = json_array_get(v, 0), *hi = json_array_get(v, 1);

	if (!json_is_array(v) || json_array_size(v) != 2 || !json_is_number(lo) ||
	    !json_is_number(hi))
		return plan_draw_param(rng, v);
	if (json_is_integer(lo) && json_is_integer(hi)) {
		json_int_t a = json_integer_value(lo), n = json_integer_value(hi) - a + 1;
		json_int_t from = a + n * bucket / EXPLORE_BUCKETS;
		json_int_t to = a + n * (bucket + 1) / EXPLORE_BUCKETS - 1;

		if (to < from)
			to = from;
		return json_integer(from + (json_int_t)plan_below(rng, (uint64_t)(to - from + 1)));
	}
	return json_real(plan_uniform(rng, quarter(json_number_value(lo),
				      json_number_value(hi), bucket, 0),
				      quarter(json_number_value(lo),
				      json_number_value(hi), bucket, 1)));
}

struct arm_weight {
	struct explore_arm a;
	double w;		/* the fault's weight shared among its arms */
};

/* Every arm of the config's faults: each fault's matching nodes (one
 * arm with node -1 when resolved at injection or matching none) times
 * the parameter and timing buckets. New array in *ret. */
static int arms_of(const struct config *cfg, const struct plan_node *nodes,
		   int n_nodes, struct arm_weight **ret)
{
	int cap = cfg->n_faults * (n_nodes + 1) * EXPLORE_BUCKETS * EXPLORE_BUCKETS, n = 0;
	struct arm_weight *arms = xcalloc((size_t)cap + 1, sizeof(*arms));

	for (int i = 0; i < cfg->n_faults; i++) {
		const char *target = cfg->faults[i].target;
		int targets[65], nt = 0;

		for (int k = 0; !plan_late_bound(target) && k < n_nodes && nt < 64; k++)
			if (plan_matches(target, &nodes[k]))
				targets[nt++] = k;
		if (!nt)
			targets[nt++] = -1;
		for (int k = 0; k < nt; k++)
			for (int q = 0; q < EXPLORE_BUCKETS; q++)
				for (int t = 0; t < EXPLORE_BUCKETS; t++)
					arms[n++] = (struct arm_weight){
						{ i, targets[k], q, t },
						cfg->faults[i].weight / (nt * EXPLORE_BUCKETS *
									 EXPLORE_BUCKETS) };
	}
	*ret = arms;
	return n;
}

/* An arm by weight times 1 + credit; node >= 0: among that node's arms
 * only (*ret_same = 1), unless it has none. */
static struct explore_arm pick_arm(uint64_t *rng, const struct arm_weight *arms,
				   int n, const double *credit, int node, int *ret_same)
{
	double total = 0, x;
	int last = n - 1;

	for (int i = 0; node >= 0 && i < n; i++)
		if (arms[i].a.node == node)
			total += arms[i].w * (1 + credit[i]);
	*ret_same = total > 0;
	if (!*ret_same) {
		node = -1;
		for (int i = 0; i < n; i++)
			total += arms[i].w * (1 + credit[i]);
	}
	x = plan_uniform(rng, 0, total);
	for (int i = 0; i < n; i++) {
		double w = arms[i].w * (1 + credit[i]);

		if (node >= 0 && arms[i].a.node != node)
			continue;
		last = i;
		if (x < w)
			return arms[i].a;
		x -= w;
	}
	return arms[last].a;
}

/* The chance that a later fault goes on the first fault's node. */
static double pair_chance(const struct explore *x, int upto, int uniform)
{
	double same, alone;

	if (uniform)
		return 0;
	same = 1 + (x ? explore_pair_credit(x, upto, 1) : 0);
	alone = 1 + (x ? explore_pair_credit(x, upto, 0) : 0);
	return same / (same + alone);
}

/* One fault drawn by arm, then its values within the arm's buckets in
 * the order draw_fault uses. */
static void draw_guided_fault(uint64_t *rng, const struct config *cfg,
			      struct explore_arm a, struct plan_fault *f)
{
	const struct config_fault *cf = &cfg->faults[a.fault];
	json_t *v;
	const char *key;

	f->index = a.fault;
	f->step = -1;
	f->type = xstrdup(cf->type);
	f->target = xstrdup(cf->target);
	f->node = a.node;
	f->inject_at_ms = draw_ms_in(rng, cfg->schedule.inject_at_s, a.timing);
	f->duration_ms = cf->has_duration ? draw_ms_in(rng, cf->duration_s, a.param) : 0;
	f->params = json_object();
	json_object_foreach(cf->params, key, v)
		json_object_set_new(f->params, key, draw_param_in(rng, v, a.param));
	f->seed = plan_next(rng);
	f->param_bucket = a.param;
	f->timing_bucket = a.timing;
}

int plan_guided(const struct config *cfg, uint64_t *rng,
		       const struct plan_node *nodes, int n_nodes, int upto,
		       const struct explore *x, struct plan *ret, struct err *e)
{
	int k = cfg->n_faults ? cfg->schedule.faults_per_run : 0;
	struct arm_weight *arms = NULL;
	int n_arms = k ? arms_of(cfg, nodes, n_nodes, &arms) : 0;
	double *credit = xcalloc((size_t)n_arms + 1, sizeof(double));

	/* drawn whatever x holds, so the draws after it do not shift */
	ret->uniform = plan_uniform(rng, 0, 1) < EXPLORE_EPSILON;
	ret->feedback_upto = upto;
	for (int i = 0; x && !ret->uniform && i < n_arms; i++)
		credit[i] = explore_credit(x, upto, &arms[i].a);
	ret->faults = xcalloc((size_t)(k ? k : 1), sizeof(*ret->faults));
	double paired = k > 1 ? pair_chance(x, upto, ret->uniform) : 0;

	for (int i = 0; i < k; i++) {
		struct plan_fault *f = &ret->faults[i];
		/* drawn for every later fault, paired or not */
		int on = i && plan_uniform(rng, 0, 1) < paired ? ret->faults[0].node : -1;
		int same;
		struct explore_arm a = pick_arm(rng, arms, n_arms, credit, on, &same);

		draw_guided_fault(rng, cfg, a, f);
		f->same_node = same;
		ret->n_faults++;
		if (f->node < 0 && !plan_late_bound(f->target)) {
			free(arms);
			free(credit);
			return plan_no_node(ret, f, e);
		}
	}
	free(arms);
	free(credit);
	return 0;
}
