#include "plan.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "plan_priv.h"

uint64_t plan_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t plan_below(uint64_t *state, uint64_t n)
{
	return n ? plan_next(state) % n : 0;
}

double plan_uniform(uint64_t *state, double min, double max)
{
	double u = (double)(plan_next(state) >> 11) / (double)(1ull << 53);

	return min + (max - min) * u;
}

static int64_t draw_ms(uint64_t *rng, struct config_range r)
{
	return (int64_t)llround(plan_uniform(rng, r.min, r.max) * 1000.0);
}

static int is_integral(const json_t *v)
{
	return json_is_integer(v);
}

json_t *plan_draw_param(uint64_t *rng, json_t *v)
{
	json_t *lo, *hi;

	if (!json_is_array(v) || !json_array_size(v))
		return json_incref(v);
	lo = json_array_get(v, 0);
	hi = json_array_get(v, 1);
	if (json_array_size(v) == 2 && json_is_number(lo) && json_is_number(hi)) {
		if (is_integral(lo) && is_integral(hi)) {
			json_int_t a = json_integer_value(lo), b = json_integer_value(hi);

			return json_integer(a + (json_int_t)plan_below(rng,
						(uint64_t)(b - a + 1)));
		}
		return json_real(plan_uniform(rng, json_number_value(lo),
					      json_number_value(hi)));
	}
	return json_incref(json_array_get(v, plan_below(rng, json_array_size(v))));
}

static json_t *draw_params(uint64_t *rng, const json_t *params)
{
	json_t *out = json_object(), *v;
	const char *key;

	/* jansson iterates objects in insertion order: stable across runs */
	json_object_foreach((json_t *)params, key, v)
		json_object_set_new(out, key, plan_draw_param(rng, v));
	return out;
}

static int pick_fault(uint64_t *rng, const struct config *cfg)
{
	double total = 0, x;

	for (int i = 0; i < cfg->n_faults; i++)
		total += cfg->faults[i].weight;
	x = plan_uniform(rng, 0, total);
	for (int i = 0; i < cfg->n_faults; i++) {
		if (x < cfg->faults[i].weight)
			return i;
		x -= cfg->faults[i].weight;
	}
	return cfg->n_faults - 1;
}

int plan_late_bound(const char *target)
{
	return !strcmp(target, "leader") || !strcmp(target, "primary");
}

int plan_matches(const char *target, const struct plan_node *node)
{
	return !strcmp(target, "any") || !strcmp(target, node->name) ||
	       !strcmp(target, node->role);
}

static int pick_node(uint64_t *rng, const char *target,
		     const struct plan_node *nodes, int n_nodes)
{
	int matches[64], n = 0;

	for (int i = 0; i < n_nodes && n < 64; i++)
		if (plan_matches(target, &nodes[i]))
			matches[n++] = i;
	/* draw even when nothing matches, so later draws do not shift */
	uint64_t k = plan_below(rng, n ? (uint64_t)n : 1);
	return n ? matches[k] : -1;
}

static int by_time(const void *a, const void *b)
{
	const struct plan_fault *x = a, *y = b;

	if (x->inject_at_ms != y->inject_at_ms)
		return x->inject_at_ms < y->inject_at_ms ? -1 : 1;
	if (x->index != y->index)
		return x->index - y->index;
	return x->step - y->step;
}

/* A fault's draws, in the order random plans always made them: node,
 * (inject time,) duration, parameters, seed. "@NAME" draws no node. */
static void draw_fault(uint64_t *rng, const struct config *cfg,
		       const struct config_fault *cf, struct plan_fault *f,
		       const struct plan_node *nodes, int n_nodes, int draw_at)
{
	f->type = xstrdup(cf->type);
	f->target = xstrdup(cf->target);
	f->node = plan_late_bound(f->target) || f->target[0] == '@' ? -1
		: pick_node(rng, f->target, nodes, n_nodes);
	if (draw_at)
		f->inject_at_ms = draw_ms(rng, cfg->schedule.inject_at_s);
	f->duration_ms = cf->has_duration ? draw_ms(rng, cf->duration_s) : 0;
	f->params = draw_params(rng, cf->params);
	f->seed = plan_next(rng);
	f->param_bucket = f->timing_bucket = -1;
}

int plan_no_node(struct plan *ret, const struct plan_fault *f, struct err *e)
{
	err_set(e, "fault '%s' targets '%s', which matches no node", f->type,
		f->target);
	plan_release(ret);
	return -1;
}

/* -1: a random run; else the scenario drawn. Only with scenarios: a
 * config without them draws nothing here. */
static int pick_scenario(uint64_t *rng, const struct config *cfg)
{
	double random = cfg->n_faults ? cfg->schedule.random_weight : 0;
	double total = random, x;

	for (int i = 0; i < cfg->n_scenarios; i++)
		total += cfg->scenarios[i].weight;
	x = plan_uniform(rng, 0, total);
	if (x < random)
		return -1;
	x -= random;
	for (int i = 0; i < cfg->n_scenarios; i++) {
		if (x < cfg->scenarios[i].weight)
			return i;
		x -= cfg->scenarios[i].weight;
	}
	return cfg->n_scenarios - 1;
}

/* The scenario's fault steps in time: the first at a time drawn from
 * inject_at_s, each next one at the previous one's planned end (or
 * start), plus the waits between them. */
static int plan_scenario(const struct config *cfg, const struct config_scenario *sc,
			 uint64_t *rng, const struct plan_node *nodes, int n_nodes,
			 struct plan *ret, struct err *e)
{
	int64_t start = draw_ms(rng, cfg->schedule.inject_at_s), waited = 0;
	int64_t prev_start = start, prev_end = start;

	ret->scenario = xstrdup(sc->name);
	ret->faults = xcalloc((size_t)sc->n_steps + 1, sizeof(*ret->faults));
	for (int j = 0; j < sc->n_steps; j++) {
		const struct config_scenario_step *st = &sc->steps[j];
		struct plan_fault *f = &ret->faults[ret->n_faults];
		int b;

		if (st->is_wait) {
			waited += draw_ms(rng, st->wait_s);
			continue;
		}
		f->index = -1;
		f->step = j;
		draw_fault(rng, cfg, &st->fault, f, nodes, n_nodes, 0);
		if (f->target[0] == '@' && (b = plan_binder(ret, f->target + 1)) >= 0)
			f->node = ret->faults[b].node;	/* -1 if bound at injection */
		f->bind = st->bind ? xstrdup(st->bind) : NULL;
		f->inject_at_ms = (!ret->n_faults ? start : st->after_end ? prev_end
				   : prev_start) + waited;
		waited = 0;
		prev_start = f->inject_at_ms;
		prev_end = prev_start + f->duration_ms;
		ret->n_faults++;
		if (f->node < 0 && !plan_late_bound(f->target) && f->target[0] != '@')
			return plan_no_node(ret, f, e);
	}
	return 0;
}

int plan_random(const struct config *cfg, uint64_t *rng,
		const struct plan_node *nodes, int n_nodes, void *ctx,
		struct plan *ret, struct err *e)
{
	int k = cfg->n_faults ? cfg->schedule.faults_per_run : 0;

	(void)ctx;
	ret->faults = xcalloc((size_t)(k ? k : 1), sizeof(*ret->faults));
	for (int i = 0; i < k; i++) {
		struct plan_fault *f = &ret->faults[i];

		f->index = pick_fault(rng, cfg);
		f->step = -1;
		draw_fault(rng, cfg, &cfg->faults[f->index], f, nodes, n_nodes, 1);
		ret->n_faults++;
		if (f->node < 0 && !plan_late_bound(f->target))
			return plan_no_node(ret, f, e);
	}
	return 0;
}

int plan_draw_with(const struct config *cfg, const struct plan_node *nodes,
		   int n_nodes, int run, plan_faults_fn faults, void *ctx,
		   struct plan *ret, struct err *e)
{
	uint64_t rng = cfg->seed * 0x100000001b3ull ^ (uint64_t)run;
	int s = -1, r;

	memset(ret, 0, sizeof(*ret));
	ret->run = run;
	ret->feedback_upto = -1;
	plan_next(&rng);
	ret->seed = plan_next(&rng);
	rng = ret->seed;
	if (cfg->n_scenarios)
		s = pick_scenario(&rng, cfg);
	if (s >= 0)
		r = plan_scenario(cfg, &cfg->scenarios[s], &rng, nodes, n_nodes, ret, e);
	else
		r = faults(cfg, &rng, nodes, n_nodes, ctx, ret, e);
	if (r < 0)
		return -1;
	qsort(ret->faults, (size_t)ret->n_faults, sizeof(*ret->faults), by_time);
	return 0;
}

static void fault_release(struct plan_fault *f)
{
	free(f->type);
	free(f->target);
	free(f->bind);
	free(f->role);
	json_decref(f->params);
}

void plan_release(struct plan *p)
{
	for (int i = 0; i < p->n_faults; i++)
		fault_release(&p->faults[i]);
	free(p->faults);
	free(p->scenario);
	memset(p, 0, sizeof(*p));
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void plan_subset(const struct plan *p, const int *keep, int n, struct plan *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->run = p->run;
	ret->seed = p->seed;
	ret->scenario = dup_or_null(p->scenario);
	ret->feedback_upto = p->feedback_upto;
	ret->uniform = p->uniform;
	ret->faults = xcalloc((size_t)n + 1, sizeof(*ret->faults));
	for (int i = 0; i < n; i++) {
		const struct plan_fault *f = &p->faults[keep[i]];
		struct plan_fault *g = &ret->faults[ret->n_faults++];

		*g = *f;
		g->type = xstrdup(f->type);
		g->target = xstrdup(f->target);
		g->bind = dup_or_null(f->bind);
		g->role = dup_or_null(f->role);
		g->params = json_incref(f->params);
	}
}

int plan_binder(const struct plan *p, const char *name)
{
	for (int i = 0; i < p->n_faults; i++)
		if (p->faults[i].bind && !strcmp(p->faults[i].bind, name))
			return i;
	return -1;
}

/* What only scenario faults and resolved targets have. */
static void fault_extras(json_t *j, const struct plan_fault *f)
{
	if (f->step >= 0)
		json_object_set_new(j, "step", json_integer(f->step));
	if (f->bind)
		json_object_set_new(j, "bind", json_string(f->bind));
	if (f->role)
		json_object_set_new(j, "role", json_string(f->role));
	if (f->param_bucket >= 0)
		json_object_set_new(j, "bucket", f->same_node
			? json_pack("{s:i, s:i, s:b}", "param", f->param_bucket, "timing",
				    f->timing_bucket, "same_node", 1)
			: json_pack("{s:i, s:i}", "param", f->param_bucket, "timing",
				    f->timing_bucket));
}

static int opt_int(const json_t *o, const char *key, int def)
{
	const json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (int)json_integer_value(v) : def;
}

static char *opt_string(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? xstrdup(s) : NULL;
}

json_t *plan_to_json(const struct plan *p, const struct plan_node *nodes)
{
	json_t *faults = json_array();

	for (int i = 0; i < p->n_faults; i++) {
		const struct plan_fault *f = &p->faults[i];
		char seed[24];

		snprintf(seed, sizeof(seed), "%llu", (unsigned long long)f->seed);
		json_array_append_new(faults, json_pack(
			"{s:i, s:s, s:s, s:o, s:I, s:I, s:O, s:s}",
			"index", f->index, "type", f->type, "target", f->target,
			"node", f->node >= 0 ? json_string(nodes[f->node].name)
					     : json_null(),
			"inject_at_ms", (json_int_t)f->inject_at_ms,
			"duration_ms", (json_int_t)f->duration_ms,
			"params", f->params, "seed", seed));
		fault_extras(json_array_get(faults, (size_t)i), f);
	}
	char seed[24];
	json_t *j;

	snprintf(seed, sizeof(seed), "%llu", (unsigned long long)p->seed);
	j = json_pack("{s:i, s:s, s:o}", "run", p->run, "seed", seed,
		      "faults", faults);
	if (p->scenario)
		json_object_set_new(j, "scenario", json_string(p->scenario));
	if (p->feedback_upto >= 0)
		json_object_set_new(j, "guided", json_pack("{s:i, s:b}", "feedback_upto",
				    p->feedback_upto, "uniform", p->uniform));
	return j;
}

static int node_by_name(const struct plan_node *nodes, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(nodes[i].name, name))
			return i;
	return -1;
}

int plan_from_json(const json_t *j, const struct plan_node *nodes,
		   int n_nodes, struct plan *ret, struct err *e)
{
	json_t *faults = NULL, *f;
	const char *seed = NULL;
	json_error_t jerr;
	size_t i;

	memset(ret, 0, sizeof(*ret));
	if (json_unpack_ex((json_t *)j, &jerr, 0, "{s:i, s:s, s:o}", "run",
			   &ret->run, "seed", &seed, "faults", &faults) < 0 ||
	    !json_is_array(faults))
		return err_set(e, "malformed plan: %s", jerr.text);
	ret->seed = strtoull(seed, NULL, 10);
	ret->scenario = opt_string(j, "scenario");
	ret->feedback_upto = opt_int(json_object_get(j, "guided"), "feedback_upto", -1);
	ret->uniform = json_is_true(json_object_get(json_object_get(j, "guided"), "uniform"));
	ret->faults = xcalloc(json_array_size(faults) + 1, sizeof(*ret->faults));
	json_array_foreach(faults, i, f) {
		struct plan_fault *pf = &ret->faults[i];
		const char *type, *target, *fseed;
		json_t *node, *params;
		json_int_t at, dur;

		if (json_unpack_ex(f, &jerr, 0, "{s:i, s:s, s:s, s:o, s:I, s:I, s:o, s:s}",
				   "index", &pf->index, "type", &type, "target",
				   &target, "node", &node, "inject_at_ms", &at,
				   "duration_ms", &dur, "params", &params,
				   "seed", &fseed) < 0) {
			plan_release(ret);
			return err_set(e, "malformed plan fault %zu: %s", i, jerr.text);
		}
		pf->type = xstrdup(type);
		pf->target = xstrdup(target);
		pf->step = opt_int(f, "step", -1);
		pf->param_bucket = opt_int(json_object_get(f, "bucket"), "param", -1);
		pf->timing_bucket = opt_int(json_object_get(f, "bucket"), "timing", -1);
		pf->same_node = json_is_true(json_object_get(json_object_get(f, "bucket"),
							     "same_node"));
		pf->bind = opt_string(f, "bind");
		pf->role = opt_string(f, "role");
		pf->node = json_is_string(node)
			? node_by_name(nodes, n_nodes, json_string_value(node)) : -1;
		pf->inject_at_ms = at;
		pf->duration_ms = dur;
		pf->params = json_incref(params);
		pf->seed = strtoull(fseed, NULL, 10);
		ret->n_faults++;
		if (json_is_string(node) && pf->node < 0) {
			err_set(e, "plan targets node '%s', which the testbed does "
				"not have", json_string_value(node));
			plan_release(ret);
			return -1;
		}
	}
	return 0;
}
