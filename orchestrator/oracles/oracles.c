/* oracles.c - the oracle registry (lookup, checks, the engine's hooks)
 * and the helpers the oracles share. A new oracle is one oracle_NAME.c
 * file defining `const struct oracle_type oracle_NAME` plus one word in
 * ORACLE_LIST. */
#include "oracles_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ORACLE_LIST(X) \
	X(probe_recovers) X(always) X(containment) X(command) X(node_rejoins)

#define ORACLE_DECLARE(n) extern const struct oracle_type oracle_##n;
ORACLE_LIST(ORACLE_DECLARE)

#define ORACLE_ENTRY(n) &oracle_##n,
static const struct oracle_type *const registry[] = { ORACLE_LIST(ORACLE_ENTRY) NULL };

const struct oracle_type *const *oracles_all(void)
{
	return registry;
}

const struct oracle_type *oracles_lookup(const char *name)
{
	for (const struct oracle_type *const *o = registry; *o; o++)
		if (!strcmp((*o)->name, name))
			return *o;
	return NULL;
}

int64_t oracles_watch_ms(const struct config *c, int booted)
{
	int64_t most = 0;

	for (int i = 0; i < c->n_oracles; i++) {
		const struct oracle_type *o = oracles_lookup(c->oracles[i].type);
		int64_t ms;

		if (!o || !o->watch_ms)
			continue;
		ms = o->watch_ms(c, c->oracles[i].params, booted);
		if (ms > most)
			most = ms;
	}
	return most;
}

int oracles_check(const struct config *c, const char *type,
		  const json_t *params, const char **ret_key, struct err *e)
{
	const struct oracle_type *o = oracles_lookup(type);
	const char *cls = json_string_value(json_object_get(params, "class"));

	if (!o) {
		*ret_key = "type";
		return err_set(e, "unknown oracle type '%s'", type);
	}
	if (cls && strcmp(cls, "safety") && strcmp(cls, "liveness") &&
	    strcmp(cls, "containment") && strcmp(cls, "recovery")) {
		*ret_key = "class";
		return err_set(e, "class must be safety, liveness, containment or "
			       "recovery");
	}
	return o->check(c, params, ret_key, e);
}

/* ---- shared by the oracles (oracles_priv.h) ---------------------------- */

int oracles_probe_index(const struct config *c, const char *name)
{
	for (int i = 0; name && i < c->n_probes; i++)
		if (!strcmp(c->probes[i].name, name))
			return i;
	return -1;
}

int oracles_check_seconds(const json_t *params, const char *key, const char **ret_key,
			  struct err *e)
{
	const json_t *v = json_object_get(params, key);
	char *got;

	if (!v || (json_is_number(v) && json_number_value(v) > 0 &&
		   json_number_value(v) <= ORACLE_MAX_S))
		return 0;
	*ret_key = key;
	got = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(10));
	err_set(e, "expected a number of seconds greater than 0 and at most %d, got %.40s",
		ORACLE_MAX_S, got ? got : "a value");
	free(got);
	return -1;
}

int oracles_check_probe(const struct config *c, const json_t *params, int needs_within,
			const char **ret_key, struct err *e)
{
	const char *probe = json_string_value(json_object_get(params, "probe"));
	const json_t *within = json_object_get(params, "within_s"), *v;
	const char *key;

	json_object_foreach((json_t *)params, key, v)
		if (strcmp(key, "probe") && strcmp(key, "within_s") &&
		    strcmp(key, "boot_within_s") && strcmp(key, "class")) {
			*ret_key = key;
			return err_set(e, "unknown parameter '%s'", key);
		}
	*ret_key = "probe";
	if (!probe)
		return err_set(e, "needs \"probe\": the name of a probe");
	if (oracles_probe_index(c, probe) < 0)
		return err_set(e, "no probe named '%s'", probe);
	if (oracles_check_seconds(params, "within_s", ret_key, e) < 0)
		return -1;
	*ret_key = "within_s";
	if (needs_within && !within)
		return err_set(e, "needs \"within_s\"");
	return oracles_check_seconds(params, "boot_within_s", ret_key, e);
}

int oracles_targeted(const struct oracle_input *in, int node)
{
	for (int i = 0; i < in->n_faults; i++)
		if (in->faults[i].node == node)
			return 1;
	return 0;
}

/* The probe on node is healthy at some sample in [from, to] and at its
 * last sample since from. */
static int healthy_again(const struct oracle_input *in, int probe, int node,
			 int64_t from, int64_t to)
{
	int seen_ok = 0, last_ok = 0, any = 0;

	for (int i = 0; i < in->n_samples; i++) {
		const struct probe_sample *s = &in->samples[i];

		if (s->probe != probe || s->node != node || s->t_ms < from)
			continue;
		any = 1;
		last_ok = s->ok;
		if (s->ok && s->t_ms <= to)
			seen_ok = 1;
	}
	return any && seen_ok && last_ok;
}

void oracles_judge_recovery(const json_t *params, const struct oracle_input *in,
			    int only_restored, struct oracle_verdict *ret)
{
	const char *probe = json_string_value(json_object_get(params, "probe"));
	double within = json_number_value(json_object_get(params, "within_s"));
	const json_t *bw = json_object_get(params, "boot_within_s");
	int p = oracles_probe_index(in->cfg, probe);

	for (int f = 0; f < in->n_faults; f++) {
		const struct oracle_fault *of = &in->faults[f];
		/* a cold boot starts the SUT from nothing: its own bound */
		double w = of->booted && bw ? json_number_value(bw) : within;
		int64_t to = of->end_ms + (int64_t)(w * 1000);

		if (of->node < 0 || (only_restored && !of->restored))
			continue;
		if (!healthy_again(in, p, of->node, of->end_ms, to)) {
			ret->verdict = VERDICT_FAIL;
			snprintf(ret->reason, sizeof(ret->reason),
				 "probe '%s' on '%s' is not healthy within %g s after "
				 "%s ended%s", probe, in->node_names[of->node], w,
				 of->type, of->booted ? " (booted from its disk)" : "");
			return;
		}
	}
	ret->verdict = VERDICT_PASS;
}

int64_t oracles_watch_recovery(const struct config *c, const json_t *params, int booted)
{
	const json_t *w = json_object_get(params, "within_s");
	const json_t *bw = json_object_get(params, "boot_within_s");
	int k = oracles_probe_index(c, json_string_value(json_object_get(params, "probe")));

	if (k < 0 || !w)
		return 0;
	return (int64_t)(json_number_value(booted && bw ? bw : w) * 1000) +
	       c->probes[k].every_ms;
}
