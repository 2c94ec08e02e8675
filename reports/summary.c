/* summary.c - summary.json from the report's figures. */
#include "summary.h"

#include <stdlib.h>
#include <string.h>

#include "report_priv.h"

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *outcomes(const long long oc[OC_N])
{
	json_t *o = json_object();

	for (int k = 0; k < OC_N; k++)
		json_object_set_new(o, report_outcomes[k], json_integer(oc[k]));
	return o;
}

static json_t *stat(const struct rstat *s)
{
	if (!s->n)
		return json_pack("{s:i}", "n", 0);
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:f}", "n", (json_int_t)s->n,
			 "min", (json_int_t)s->min, "p50", (json_int_t)s->p50,
			 "p95", (json_int_t)s->p95, "p99", (json_int_t)s->p99,
			 "max", (json_int_t)s->max, "mean", s->mean);
}

static json_t *campaign(const struct report_data *d)
{
	double hours = d->active_ms / 3600000.0;
	json_t *seed = json_object_get(d->campaign, "seed");
	json_t *merged = json_object_get(d->campaign, "merged_from");
	json_t *c = json_object();

	json_object_set_new(c, "name", str_or_null(report_meta(d, "config.name")));
	json_object_set_new(c, "description", str_or_null(report_meta(d, "config.description")));
	json_object_set_new(c, "config_path", str_or_null(report_meta(d, "config_path")));
	json_object_set_new(c, "seed", seed ? json_incref(seed) : json_null());
	json_object_set_new(c, "mode", str_or_null(report_meta(d, "config.mode")));
	json_object_set_new(c, "tool_version", str_or_null(report_meta(d, "tool_version")));
	json_object_set_new(c, "image_hash", str_or_null(report_meta(d, "image_hash")));
	json_object_set_new(c, "accel", str_or_null(report_meta(d, "accel")));
	json_object_set_new(c, "start_time", str_or_null(report_meta(d, "start_time")));
	json_object_set_new(c, "merged_from", merged ? json_incref(merged) : json_null());
	json_object_set_new(c, "first_run_ms", json_integer(d->first_ms));
	json_object_set_new(c, "last_run_end_ms", json_integer(d->last_ms));
	json_object_set_new(c, "active_hours", json_real(hours));
	json_object_set_new(c, "runs_per_hour", hours > 0 ? json_real((double)d->n_runs / hours)
							  : json_null());
	json_object_set_new(c, "last_event", str_or_null(d->last_event));
	json_object_set_new(c, "state", json_string(d->infra_stop ? "infra-stop" :
		!d->last_event || !strcmp(d->last_event, "stop") ? "stopped" : "running"));
	return c;
}

static json_t *by_fault(const struct report_data *d)
{
	json_t *a = json_array();

	for (int i = 0; i < d->type_names.n; i++)
		json_array_append_new(a, json_pack("{s:s, s:I, s:f, s:o}", "fault",
			d->type_names.s[i], "runs", (json_int_t)d->types[i].runs,
			"seconds", d->types[i].seconds, "outcomes", outcomes(d->types[i].oc)));
	return a;
}

static json_t *by_oracle(const struct report_data *d)
{
	json_t *a = json_array();

	for (int i = 0; i < d->oracle_names.n; i++)
		json_array_append_new(a, json_pack("{s:s, s:I, s:I, s:I}", "oracle",
			d->oracle_names.s[i], "pass", (json_int_t)d->oracles[i].pass,
			"fail", (json_int_t)d->oracles[i].fail,
			"unknown", (json_int_t)d->oracles[i].unknown));
	return a;
}

static json_t *resets(const struct report_data *d)
{
	json_t *counts = json_array();

	for (int i = 0; i < d->ready_hist.n_bins; i++)
		json_array_append_new(counts, json_integer(d->ready_hist.counts[i]));
	return json_pack("{s:o, s:o, s:{s:I, s:o}}", "ready_ms", stat(&d->ready_stat),
			 "reset_ms", stat(&d->reset_stat), "ready_histogram",
			 "bin_ms", (json_int_t)d->ready_hist.bin_ms, "counts", counts);
}

static json_t *flaws(const struct report_data *d)
{
	json_t *a = json_array();

	for (int i = 0; i < d->n_flaws; i++) {
		const struct rflaw *f = &d->flaws[i];
		json_t *o = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:I, s:I, s:{s:I, s:o}, "
				      "s:{s:I, s:o}, s:I, s:s++, s:s++}",
			"id", f->id, "signature", str_or_null(f->signature),
			"class", str_or_null(f->class_), "oracle", str_or_null(f->oracle),
			"fault", str_or_null(f->fault), "role", str_or_null(f->role),
			"count", (json_int_t)(f->has_file ? f->count : f->journal_runs),
			"journal_runs", (json_int_t)f->journal_runs,
			"first_seen", "run", (json_int_t)(f->has_file ? f->first_run : f->journal_first),
			"time", str_or_null(f->first_time),
			"last_seen", "run", (json_int_t)(f->has_file ? f->last_run : f->journal_last),
			"time", str_or_null(f->last_time),
			"examples", (json_int_t)f->n_examples,
			"trace", "flaws/", f->id, ".json",
			"page", "report/flaws/", f->id, ".html");

		if (d->baseline)
			json_object_set_new(o, "baseline", json_string(f->known ? "known" : "new"));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *baseline(const struct report_data *d)
{
	json_t *nw, *known, *gone;

	if (!d->baseline)
		return json_null();
	nw = json_array();
	known = json_array();
	gone = json_array();
	for (int i = 0; i < d->n_flaws; i++)
		json_array_append_new(d->flaws[i].known ? known : nw,
			json_string(d->flaws[i].signature ? d->flaws[i].signature
							  : d->flaws[i].id));
	for (int i = 0; i < d->n_gone; i++)
		json_array_append_new(gone, json_string(d->gone[i]));
	return json_pack("{s:s, s:i, s:o, s:o, s:o}", "dir", baseline_dir(d->baseline),
			 "flaws", baseline_count(d->baseline), "new", nw, "known", known,
			 "gone", gone);
}

static json_t *warnings(const struct report_data *d)
{
	json_t *a = json_array();

	for (int i = 0; i < d->n_warnings; i++)
		json_array_append_new(a, json_string(d->warnings[i]));
	return a;
}

/* A step curve as [[run, count so far], ...]. */
static json_t *curve(const struct rsat *pts, int n)
{
	json_t *a = json_array();

	for (int i = 0; i < n; i++)
		json_array_append_new(a, json_pack("[I, i]", (json_int_t)pts[i].run, pts[i].n));
	return a;
}

json_t *summary_build(const struct report_data *d)
{
	json_t *s = json_object();

	json_object_set_new(s, "format", json_integer(SUMMARY_FORMAT));
	json_object_set_new(s, "generated", json_string(d->generated));
	json_object_set_new(s, "campaign", campaign(d));
	json_object_set_new(s, "runs", json_pack("{s:I, s:I, s:I, s:I}",
		"total", (json_int_t)d->n_runs, "planned", (json_int_t)d->planned,
		"max_run", (json_int_t)(d->n_runs ? d->runs[d->n_runs - 1].run : 0),
		"pages", (json_int_t)((d->n_runs + REPORT_PAGE_RUNS - 1) / REPORT_PAGE_RUNS)));
	json_object_set_new(s, "outcomes", outcomes(d->oc));
	json_object_set_new(s, "unjudged", json_pack("{s:I, s:f, s:b}",
		"runs", (json_int_t)d->oc[OC_UNJUDGED], "percent", d->n_runs
			? 100.0 * (double)d->oc[OC_UNJUDGED] / (double)d->n_runs : 0.0,
		"warning", d->n_runs && 100.0 * (double)d->oc[OC_UNJUDGED] /
			(double)d->n_runs > REPORT_UNJUDGED_WARN_PCT));
	json_object_set_new(s, "journal", json_pack("{s:I, s:I, s:I, s:I, s:I, s:o}",
		"records", (json_int_t)d->records, "infra_events", (json_int_t)d->infra_events,
		"campaign_events", (json_int_t)d->campaign_events,
		"ignored_records", (json_int_t)d->ignored, "torn_bytes", (json_int_t)d->torn,
		"warnings", warnings(d)));
	json_object_set_new(s, "infra_stop", d->infra_stop
		? json_pack("{s:I, s:s}", "run", (json_int_t)d->infra_stop_run, "error",
			    d->infra_stop) : json_null());
	json_object_set_new(s, "by_fault", by_fault(d));
	{
		json_t *bt = json_object();

		for (int k = 1; k <= REPORT_TESTBEDS_MAX; k++)
			if (d->by_testbed[k]) {
				char key[8];

				snprintf(key, sizeof(key), "%d", k);
				json_object_set_new(bt, key, json_integer(d->by_testbed[k]));
			}
		json_object_set_new(s, "by_testbed", bt);
	}
	json_object_set_new(s, "by_oracle", by_oracle(d));
	json_object_set_new(s, "reset", resets(d));
	json_object_set_new(s, "unique_flaws", json_integer(d->n_flaws));
	json_object_set_new(s, "saturation", curve(d->sat, d->n_sat));
	if (d->n_tmpl)	/* a guided campaign */
		json_object_set_new(s, "log_templates", curve(d->tmpl, d->n_tmpl));
	json_object_set_new(s, "flaws", flaws(d));
	json_object_set_new(s, "baseline", baseline(d));
	json_object_set_new(s, "new_flaws", json_integer(d->new_flaws));
	return s;
}

int summary_write(const struct report_data *d, const char *path,
		  json_t **ret_summary, struct err *e)
{
	json_t *s = summary_build(d);
	char *text = json_dumps(s, JSON_INDENT(2));
	size_t len = text ? strlen(text) : 0;
	int r;

	if (!text) {
		json_decref(s);
		return err_set(e, "cannot encode '%s'", path);
	}
	text = xrealloc(text, len + 2);
	text[len++] = '\n';
	text[len] = '\0';
	r = report_write_file(path, text, len, e);
	free(text);
	if (r == 0 && ret_summary)
		*ret_summary = s;
	else
		json_decref(s);
	return r;
}
