/* engine_judge.c - JUDGE: the nodes' state at the end, the oracles'
 * verdicts, the outcome; and the logs a flaw keeps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"
#include "outcome.h"
#include "parallel.h"
#include "ssh.h"

static int alive_one(void *arg, int i)
{
	struct run_ctx *r = arg;
	struct err e = { "" };
	char *state = NULL;
	int ok;

	ok = r->h->ops->domain_state(r->h, i, &state, &e) == 0 &&
	     !strcmp(state, "running") &&
	     r->h->ops->alive(r->h, i, 5000, &e) == 0;
	/* powered off, and none of the run's faults did it: not the SUT */
	r->vanished[i] = state && (!strcmp(state, "shut-off") || !strcmp(state, "crashed")) &&
			 r->nodes[i].state != NODE_DOWN;
	if (!ok && !e.msg[0])
		snprintf(e.msg, sizeof(e.msg), "domain is %s", state ? state : "unknown");
	free(state);
	r->alive[i] = ok;
	r->alive_detail[i] = ok ? NULL : xstrdup(e.msg);
	return 0;
}

static int effect_seen(const struct probe_sample *s, int n)
{
	for (int i = 0; i < n; i++)
		if (!s[i].ok)
			return 1;
	return 0;
}

static const char *verdict_name(enum verdict v)
{
	return v == VERDICT_PASS ? "pass" : v == VERDICT_FAIL ? "fail" : "unknown";
}

/* An oracle that cannot say must still say why. */
static void reason_for_unknown(struct oracle_verdict *v, const char *oracle)
{
	if (v->verdict == VERDICT_UNKNOWN && !v->reason[0])
		snprintf(v->reason, sizeof(v->reason), "oracle '%s' gave no verdict "
			 "and no reason", oracle);
}

static json_t *judge_oracles(struct run_ctx *r, const struct oracle_input *in,
			     struct oracle_verdict *v, struct err *e)
{
	json_t *verdicts = json_array();

	for (int i = 0; i < r->cfg->n_oracles; i++) {
		const struct config_oracle *co = &r->cfg->oracles[i];
		const struct oracle_type *ot = oracles_lookup(co->type);
		const char *cls = json_string_value(json_object_get(co->params, "class"));

		if (ot->judge(co->params, in, &v[i], e) < 0) {
			err_prefix(e, "oracle '%s'", co->type);
			json_decref(verdicts);
			return NULL;
		}
		v[i].class_ = cls ? cls : ot->default_class;
		reason_for_unknown(&v[i], co->type);
		json_array_append_new(verdicts, json_pack("{s:s, s:s, s:s, s:s, s:O*}",
			"oracle", co->type, "verdict", verdict_name(v[i].verdict),
			"class", v[i].class_, "reason", v[i].reason, "data", v[i].data));
		run_event(r, "verdict", json_pack("{s:s, s:s}", "oracle", co->type,
			"verdict", verdict_name(v[i].verdict)));
	}
	return verdicts;
}

static void record_outcome(struct run_ctx *r, json_t *record,
			   const struct oracle_verdict *v, int effect)
{
	int first;
	enum outcome o = outcome_classify(v, r->cfg->n_oracles, effect, &first);
	json_t *alive = json_object(), *dirty = json_array();

	json_object_set_new(record, "outcome", json_string(outcome_name(o)));
	if (o == OUTCOME_FLAW) {
		json_object_set_new(record, "class", json_string(v[first].class_));
		json_object_set_new(record, "failed_oracle",
				    json_string(r->cfg->oracles[first].type));
	} else if (o == OUTCOME_UNJUDGED) {
		json_object_set_new(record, "unjudged_oracle",
				    json_string(r->cfg->oracles[first].type));
	}
	if (first >= 0)
		json_object_set_new(record, "reason", json_string(v[first].reason));
	for (int i = 0; i < r->n_nodes; i++) {
		json_object_set_new(alive, r->names[i], json_boolean(r->alive[i]));
		if (r->nodes[i].dirty)
			json_array_append_new(dirty, json_string(r->names[i]));
	}
	json_object_set_new(record, "alive", alive);
	if (json_array_size(dirty))
		json_object_set_new(record, "dirty", dirty);
	else
		json_decref(dirty);
}

int run_judge(struct run_ctx *r, json_t *record, struct err *e)
{
	struct oracle_fault *ofs = xcalloc((size_t)r->plan->n_faults + 1, sizeof(*ofs));
	struct oracle_verdict *v = xcalloc((size_t)r->cfg->n_oracles + 1, sizeof(*v));
	const struct probe_sample *samples = NULL;
	json_t *verdicts;
	int n_samples = 0, n_of = 0, ret = -1;

	r->alive = xcalloc((size_t)r->n_nodes, sizeof(int));
	r->vanished = xcalloc((size_t)r->n_nodes, sizeof(int));
	r->alive_detail = xcalloc((size_t)r->n_nodes, sizeof(char *));
	parallel_for(r->n_nodes, alive_one, r);
	for (int i = 0; i < r->n_nodes; i++)
		if (r->vanished[i]) {
			err_set(e, "'%s' is powered off and no fault of this run did that "
				"(its QEMU killed from outside?)", r->names[i]);
			goto cleanup;
		}
	for (int k = 0; k < r->plan->n_faults; k++)
		if (r->faults[k].fate == FATE_APPLIED)
			ofs[n_of++] = r->faults[k].of;
	if (r->probing)
		samples = r->h->ops->probes_samples(r->h, &n_samples);
	struct oracle_input in = {
		r->cfg, r->n_nodes, r->names, r->roles, ofs, n_of, samples,
		n_samples, run_now(r), r->alive,
		(const char *const *)r->alive_detail, run_lookup, r };
	verdicts = judge_oracles(r, &in, v, e);
	if (!verdicts)
		goto cleanup;
	json_object_set_new(record, "oracles", verdicts);
	record_outcome(r, record, v, effect_seen(samples, n_samples));
	ret = 0;
cleanup:
	for (int i = 0; i < r->cfg->n_oracles; i++)
		json_decref(v[i].data);
	free(v);
	free(ofs);
	return ret;
}

/* ---- logs ---- */

/* Replace NUL bytes in every string of v by U+FFFD, in place, so that the
 * trace stays loadable by readers that refuse \u0000 (jansson's default). */
static void strip_nul(json_t *v)
{
	const char *key;
	json_t *item;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach(v, key, item)
			strip_nul(item);
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, item)
			strip_nul(item);
	} else if (json_is_string(v) && strlen(json_string_value(v)) != json_string_length(v)) {
		const char *s = json_string_value(v);
		struct buf b = BUF_INIT;

		for (i = 0; i < json_string_length(v); i++)
			if (s[i])
				buf_addch(&b, s[i]);
			else
				buf_adds(&b, "\xef\xbf\xbd");
		json_string_setn(v, b.data, b.len);
		buf_release(&b);
	}
}

char *run_collect_command(const struct config *cfg, long max_bytes, int sut_only)
{
	json_t *req = json_object(), *paths = json_array();
	struct buf cmd = BUF_INIT;
	char *text;

	for (int i = 0; i < cfg->logs.n_paths; i++)
		json_array_append_new(paths, json_string(cfg->logs.paths[i]));
	json_object_set_new(req, "paths", paths);
	json_object_set_new(req, "max_bytes", json_integer(max_bytes));
	if (sut_only) {
		json_object_set_new(req, "dmesg", json_false());
		json_object_set_new(req, "agent_log", json_false());
	}
	text = json_dumps(req, JSON_COMPACT);
	buf_adds(&cmd, "campaign-agent collect ");
	shell_quote(&cmd, text);
	free(text);
	json_decref(req);
	return buf_detach(&cmd);
}

static json_t *collect_one(struct run_ctx *r, int i, const char *cmd)
{
	struct buf out = BUF_INIT;
	struct err e = { "" };
	json_t *got = NULL;
	json_error_t jerr;

	if (!r->alive[i])
		snprintf(e.msg, sizeof(e.msg), "node down");
	else if (r->h->ops->exec(r->h, i, cmd, 15000, &out, &e) == 0 &&
		 /* a log cut by a power cut can end in NUL bytes (a
		  * file's size reached the disk before its data) */
		 !(got = json_loadb(out.data, out.len, JSON_ALLOW_NUL, &jerr)))
		snprintf(e.msg, sizeof(e.msg), "the agent's collect answer is not JSON "
			 "(%zu bytes): %s at line %d, column %d", out.len, jerr.text,
			 jerr.line, jerr.column);
	if (got)
		strip_nul(got);
	buf_release(&out);
	return got ? got : json_pack("{s:s}", "error", e.msg);
}

json_t *run_collect_logs(struct run_ctx *r)
{
	json_t *logs = json_object();
	char *cmd = run_collect_command(r->cfg, r->cfg->logs.max_bytes, 0);

	for (int i = 0; i < r->n_nodes; i++)
		json_object_set_new(logs, r->names[i], collect_one(r, i, cmd));
	free(cmd);
	return logs;
}
