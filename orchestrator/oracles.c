/* oracles.c - the oracle registry and the built-in oracles. */
#include "oracles.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "nodevars.h"
#include "proc.h"
#include "template.h"

static int probe_index(const struct config *c, const char *name)
{
	for (int i = 0; i < c->n_probes; i++)
		if (!strcmp(c->probes[i].name, name))
			return i;
	return -1;
}

/* The longest wait an oracle parameter may ask for: a day. The judges
 * turn seconds into int milliseconds, which this keeps far from overflow. */
#define ORACLE_MAX_S 86400

/* params[key], when given, is a number of seconds in (0, ORACLE_MAX_S]. */
static int check_seconds(const json_t *params, const char *key, const char **ret_key,
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

/* params: {"probe": name, "within_s": number, "boot_within_s": number}
 * (within_s optional; boot_within_s, for faults recovered by a cold boot,
 * defaults to within_s). */
static int check_probe_param(const struct config *c, const json_t *params,
			     int needs_within, const char **ret_key, struct err *e)
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
	if (probe_index(c, probe) < 0)
		return err_set(e, "no probe named '%s'", probe);
	if (check_seconds(params, "within_s", ret_key, e) < 0)
		return -1;
	*ret_key = "within_s";
	if (needs_within && !within)
		return err_set(e, "needs \"within_s\"");
	return check_seconds(params, "boot_within_s", ret_key, e);
}

static int check_recovers(const struct config *c, const json_t *params,
			  const char **ret_key, struct err *e)
{
	return check_probe_param(c, params, 1, ret_key, e);
}

static int check_always(const struct config *c, const json_t *params,
			const char **ret_key, struct err *e)
{
	return check_probe_param(c, params, 0, ret_key, e);
}

static int check_none(const struct config *c, const json_t *params,
		      const char **ret_key, struct err *e)
{
	const char *key;
	json_t *v;

	(void)c;
	json_object_foreach((json_t *)params, key, v) {
		*ret_key = key;
		return err_set(e, "unknown parameter '%s'", key);
	}
	return 0;
}

static int check_command(const struct config *c, const json_t *params,
			 const char **ret_key, struct err *e)
{
	const char *key, *run;
	json_t *v;

	json_object_foreach((json_t *)params, key, v)
		if (strcmp(key, "run") && strcmp(key, "class") &&
		    strcmp(key, "timeout_s")) {
			*ret_key = key;
			return err_set(e, "unknown parameter '%s'", key);
		}
	*ret_key = "run";
	run = json_string_value(json_object_get(params, "run"));
	if (!run || !*run)
		return err_set(e, "needs \"run\": a command template");
	/* expanded once per run, for no node in particular */
	if (nodevars_check_template(&c->testbed, NODEVARS_RUN, run, e) < 0)
		return -1;
	return check_seconds(params, "timeout_s", ret_key, e);
}

static int targeted(const struct oracle_input *in, int node)
{
	for (int i = 0; i < in->n_faults; i++)
		if (in->faults[i].node == node)
			return 1;
	return 0;
}

/* The probe on node is healthy at some sample in [from, to] and at its
 * last sample. Returns 1, or 0 with the last failing time in *ret_bad. */
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

static int judge_recovers_common(const json_t *params,
				 const struct oracle_input *in, int only_restored,
				 struct oracle_verdict *ret)
{
	const char *probe = json_string_value(json_object_get(params, "probe"));
	double within = json_number_value(json_object_get(params, "within_s"));
	const json_t *bw = json_object_get(params, "boot_within_s");
	int p = probe_index(in->cfg, probe);

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
			return 0;
		}
	}
	ret->verdict = VERDICT_PASS;
	return 0;
}

static int judge_recovers(const json_t *params, const struct oracle_input *in,
			  struct oracle_verdict *ret, struct err *e)
{
	(void)e;
	return judge_recovers_common(params, in, 0, ret);
}

static int judge_rejoins(const json_t *params, const struct oracle_input *in,
			 struct oracle_verdict *ret, struct err *e)
{
	(void)e;
	return judge_recovers_common(params, in, 1, ret);
}

static int judge_always(const json_t *params, const struct oracle_input *in,
			struct oracle_verdict *ret, struct err *e)
{
	const char *probe = json_string_value(json_object_get(params, "probe"));
	int p = probe_index(in->cfg, probe);

	(void)e;
	for (int i = 0; i < in->n_samples; i++) {
		const struct probe_sample *s = &in->samples[i];

		if (s->probe != p || s->ok || targeted(in, s->node))
			continue;
		ret->verdict = VERDICT_FAIL;
		snprintf(ret->reason, sizeof(ret->reason),
			 "probe '%s' failed on untargeted node '%s'", probe,
			 in->node_names[s->node]);
		ret->data = json_pack("{s:I, s:s}", "t_ms", (json_int_t)s->t_ms,
				      "node", in->node_names[s->node]);
		return 0;
	}
	ret->verdict = VERDICT_PASS;
	return 0;
}

static int judge_containment(const json_t *params, const struct oracle_input *in,
			     struct oracle_verdict *ret, struct err *e)
{
	(void)params;
	(void)e;
	for (int n = 0; n < in->n_nodes; n++) {
		if (targeted(in, n) || in->node_alive[n])
			continue;
		ret->verdict = VERDICT_FAIL;
		snprintf(ret->reason, sizeof(ret->reason),
			 "untargeted node '%s' lost: %s", in->node_names[n],
			 in->node_detail[n] ? in->node_detail[n] : "no answer");
		return 0;
	}
	ret->verdict = VERDICT_PASS;
	return 0;
}

/* The checker's own words, one line: the "explanation" of its JSON
 * output, else the last line of its stderr (where `campaign check` says
 * why a history is malformed), else the last line of its stdout. */
static void command_evidence(const json_t *doc, struct buf *out, const char *tail,
			     char *ret, size_t size)
{
	const char *why = json_string_value(json_object_get(doc, "explanation"));

	if (!why || !*why)
		why = tail;
	if (!*why) {
		buf_rtrim(out);
		why = strrchr(out->data, '\n') ? strrchr(out->data, '\n') + 1 : out->data;
	}
	snprintf(ret, size, "%s", *why ? why : "no output");
	ret[strcspn(ret, "\n")] = '\0';
}

/* A checker on the controller: exit 0 valid, 1 invalid (a flaw), other
 * statuses unknown; so is a checker that cannot run or finish. The reason
 * always says what happened, with the checker's own words. */
static int judge_command(const json_t *params, const struct oracle_input *in,
			 struct oracle_verdict *ret, struct err *e)
{
	const char *tpl = json_string_value(json_object_get(params, "run"));
	const json_t *timeout = json_object_get(params, "timeout_s");
	struct buf cmd = BUF_INIT, out = BUF_INIT;
	struct err pe = { "" };
	char tail[400], why[400];
	json_t *doc;
	int status;

	if (template_expand(tpl, in->lookup, in->lookup_ctx, 1, &cmd, e) < 0) {
		buf_release(&cmd);
		return -1;
	}
	status = proc_run_status((char *[]){ "/bin/sh", "-c", cmd.data, NULL }, &out,
				 tail, sizeof(tail), timeout
				 ? (int)(json_number_value(timeout) * 1000) : 120000, &pe);
	buf_release(&cmd);
	doc = status < 0 ? NULL : json_loads(out.data, 0, NULL);
	ret->data = doc;
	ret->verdict = status == 0 ? VERDICT_PASS
		     : status == 1 ? VERDICT_FAIL : VERDICT_UNKNOWN;
	command_evidence(doc, &out, tail, why, sizeof(why));
	if (status < 0)
		snprintf(ret->reason, sizeof(ret->reason), "checker did not run to its end: %s%s%s",
			 pe.msg, *tail ? "; its stderr: " : "", tail);
	else if (status > 128)
		snprintf(ret->reason, sizeof(ret->reason), "checker killed by signal %d: %s",
			 status - 128, why);
	else
		snprintf(ret->reason, sizeof(ret->reason), "checker exited %d: %s", status, why);
	buf_release(&out);
	return 0;
}

int64_t oracles_watch_ms(const struct config *c, int booted)
{
	int64_t most = 0;

	for (int i = 0; i < c->n_oracles; i++) {
		const json_t *p = c->oracles[i].params;
		const char *probe = json_string_value(json_object_get(p, "probe"));
		const json_t *w = json_object_get(p, "within_s");
		const json_t *bw = json_object_get(p, "boot_within_s");
		int k = probe ? probe_index(c, probe) : -1;
		int64_t ms;

		if ((strcmp(c->oracles[i].type, "probe-recovers") &&
		     strcmp(c->oracles[i].type, "node-rejoins")) || k < 0 || !w)
			continue;
		ms = (int64_t)(json_number_value(booted && bw ? bw : w) * 1000) +
		     c->probes[k].every_ms;
		if (ms > most)
			most = ms;
	}
	return most;
}

const struct oracle_type oracles[] = {
	{ "probe-recovers", "recovery",
	  "a probe is healthy again on each target within within_s after its "
	  "fault ends", check_recovers, judge_recovers },
	{ "always", "liveness",
	  "a probe never fails on nodes that no fault targeted",
	  check_always, judge_always },
	{ "containment", "containment",
	  "no node other than the targets crashed, hung or lost SSH",
	  check_none, judge_containment },
	{ "command", "safety",
	  "an external checker on the controller: exit 0 valid, 1 a flaw, "
	  "else unknown; its JSON explanation is the evidence",
	  check_command, judge_command },
	{ "node-rejoins", "recovery",
	  "a node restored from its snapshot is healthy within within_s",
	  check_recovers, judge_rejoins },
	{ NULL, NULL, NULL, NULL, NULL },
};

const struct oracle_type *oracles_lookup(const char *name)
{
	for (const struct oracle_type *o = oracles; o->name; o++)
		if (!strcmp(o->name, name))
			return o;
	return NULL;
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
