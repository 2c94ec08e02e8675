/* report_index.c - report/index.html: the campaign at a glance. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_priv.h"

static void meta_row(struct buf *out, const char *label, const char *value)
{
	buf_addf(out, "<dt>%s</dt><dd>", label);
	report_esc(out, value && *value ? value : "\xe2\x80\x94");
	buf_adds(out, "</dd>");
}

/* The config's scenarios with their weights (none: random runs only). */
static void scenarios_row(struct buf *out, json_t *cfg)
{
	json_t *sc, *w = json_object_get(json_object_get(cfg, "schedule"), "random_weight");
	struct buf v = BUF_INIT;
	size_t i;

	json_array_foreach(json_object_get(cfg, "scenarios"), i, sc)
		buf_addf(&v, "%s%s (weight %g)", i ? ", " : "",
			 json_string_value(json_object_get(sc, "name")) ?: "?",
			 json_is_number(json_object_get(sc, "weight"))
			 ? json_number_value(json_object_get(sc, "weight")) : 1.0);
	if (v.len && json_array_size(json_object_get(cfg, "faults")))
		buf_addf(&v, "; random runs: weight %g", json_is_number(w) ? json_number_value(w) : 1.0);
	if (v.len) {
		meta_row(out, "scenarios", v.data);
	}
	buf_release(&v);
}

static void header(struct buf *out, const struct report_data *d)
{
	const char *name = report_meta(d, "config.name");
	const char *desc = report_meta(d, "config.description");
	json_t *cfg = json_object_get(d->campaign, "config");
	json_t *seed = json_object_get(d->campaign, "seed");
	double hours = d->active_ms / 3600000.0;
	struct buf v = BUF_INIT;

	buf_adds(out, "<h1>");
	report_esc(out, name ? name : "campaign");
	buf_adds(out, "</h1>\n");
	if (desc) {
		buf_adds(out, "<p class=\"sub\">");
		report_esc(out, desc);
		buf_adds(out, "</p>\n");
	}
	if (d->infra_stop) {
		buf_addf(out, "<div class=\"warn\">The campaign stopped on an "
			 "infrastructure failure at run %lld: ", d->infra_stop_run);
		report_esc(out, d->infra_stop);
		buf_adds(out, "</div>\n");
	} else if (d->last_event && strcmp(d->last_event, "stop")) {
		buf_adds(out, "<div class=\"warn\">The campaign is running (or was killed): "
			 "this report shows the journal as of ");
		report_esc(out, d->generated);
		buf_adds(out, ".</div>\n");
	}
	if (d->n_runs && 100.0 * (double)d->oc[OC_UNJUDGED] / (double)d->n_runs >
			 REPORT_UNJUDGED_WARN_PCT)
		buf_addf(out, "<div class=\"warn\" id=\"unjudged-warning\">%lld of %lld runs "
			 "(%.1f%%) are unjudged: an oracle could not say (a checker that "
			 "failed to read a history, timed out or could not run). Those runs "
			 "are not counted as fine; see the unjudged runs and their reasons."
			 "</div>\n", d->oc[OC_UNJUDGED], d->n_runs,
			 100.0 * (double)d->oc[OC_UNJUDGED] / (double)d->n_runs);
	if (d->oc[OC_SET_ASIDE])
		buf_addf(out, "<div class=\"warn\" id=\"set-aside-warning\">%lld runs were set "
			 "aside: each failed the same way twice on a healthy testbed (not "
			 "flaws, not counted as done; the run list has their reasons).</div>\n",
			 d->oc[OC_SET_ASIDE]);
	for (int i = 0; i < d->n_warnings; i++) {
		buf_adds(out, "<div class=\"warn journal-warning\">");
		report_esc(out, d->warnings[i]);
		buf_adds(out, "</div>\n");
	}
	buf_adds(out, "<dl class=\"meta\">");
	meta_row(out, "config", report_meta(d, "config_path"));
	if (json_is_integer(seed))
		buf_addf(&v, "%lld", (long long)json_integer_value(seed));
	meta_row(out, "seed", v.data);
	meta_row(out, "mode", json_string_value(json_object_get(cfg, "mode")));
	scenarios_row(out, cfg);
	meta_row(out, "accel", report_meta(d, "accel"));
	meta_row(out, "tool version", report_meta(d, "tool_version"));
	meta_row(out, "image", report_meta(d, "image_hash"));
	buf_reset(&v);
	buf_addf(&v, "%zu", json_array_size(json_object_get(json_object_get(cfg, "testbed"),
							     "nodes")));
	meta_row(out, "nodes", v.data);
	meta_row(out, "results", d->dir);
	meta_row(out, "campaign start", report_meta(d, "start_time"));
	buf_reset(&v);
	report_fmt_wall(&v, d->last_ms);
	meta_row(out, "last run ended", v.data);
	buf_reset(&v);
	buf_addf(&v, "%lld", d->n_runs);
	if (d->planned)
		buf_addf(&v, " (schedule: %lld)", d->planned);
	meta_row(out, "runs", v.data);
	buf_reset(&v);
	buf_addf(&v, "%.2f h", hours);
	meta_row(out, "hours (active)", v.data);
	buf_reset(&v);
	if (hours > 0)
		buf_addf(&v, "%.1f", (double)d->n_runs / hours);
	meta_row(out, "runs per hour", v.data);
	buf_reset(&v);
	buf_addf(&v, "%lld", d->infra_events);
	meta_row(out, "infra events", v.data);
	buf_reset(&v);
	for (int k = 1; k <= REPORT_TESTBEDS_MAX; k++)
		if (d->by_testbed[k])
			buf_addf(&v, "%s%d: %lld", v.len ? ", " : "", k, d->by_testbed[k]);
	if (v.len)
		meta_row(out, "runs per testbed", v.data);
	buf_adds(out, "</dl>\n");
	buf_release(&v);
}

static void cards(struct buf *out, const struct report_data *d)
{
	buf_adds(out, "<h2>Outcomes</h2>\n<div class=\"cards\" id=\"outcomes\">");
	for (int i = 0; i < OC_N; i++) {
		if ((i == OC_OTHER || i == OC_INFRA || i == OC_SET_ASIDE) && !d->oc[i])
			continue;
		buf_addf(out, "<div class=\"card\" style=\"--c:%s\"><div class=\"n\" "
			 "data-outcome=\"%s\">%lld</div><div class=\"l\">%s",
			 report_outcome_colours[i], report_outcomes[i], d->oc[i],
			 report_outcomes[i]);
		if (d->n_runs)
			buf_addf(out, " (%.1f%%)", 100.0 * (double)d->oc[i] / (double)d->n_runs);
		buf_adds(out, "</div></div>");
	}
	buf_addf(out, "<div class=\"card\" style=\"--c:#d64545\"><div class=\"n\" "
		 "id=\"unique-flaws\">%d</div><div class=\"l\">unique flaws", d->n_flaws);
	if (d->baseline)
		buf_addf(out, " (%d new)", d->new_flaws);
	buf_addf(out, "</div></div><div class=\"card\"><div class=\"n\" id=\"runs-total\">"
		 "%lld</div><div class=\"l\">runs</div></div></div>\n", d->n_runs);
}

static void baseline_box(struct buf *out, const struct report_data *d)
{
	if (!d->baseline)
		return;
	buf_adds(out, "<h2>Against the baseline</h2>\n<p>Baseline: <code>");
	report_esc(out, baseline_dir(d->baseline));
	buf_addf(out, "</code> (%d flaws). New here: <b id=\"new-flaws\">%d</b>; known: %d; "
		 "no longer seen: %d.</p>\n", baseline_count(d->baseline), d->new_flaws,
		 d->known_flaws, d->n_gone);
	if (!d->n_gone)
		return;
	buf_adds(out, "<table><tr><th>no longer seen</th></tr>");
	for (int i = 0; i < d->n_gone; i++) {
		buf_adds(out, "<tr><td class=\"mono\">");
		report_esc(out, d->gone[i]);
		buf_adds(out, "</td></tr>");
	}
	buf_adds(out, "</table>\n");
}

static void by_fault(struct buf *out, const struct report_data *d)
{
	int n = d->type_names.n;
	long long (*counts)[OC_N] = xcalloc((size_t)n + 1, sizeof(*counts));

	buf_adds(out, "<h2>Outcomes by fault type</h2>\n<div class=\"grid2\"><div>"
		 "<table id=\"by-fault\"><tr><th>fault</th><th class=\"num\">runs</th>");
	for (int k = 0; k < OC_N; k++)
		buf_addf(out, "<th class=\"num\">%s</th>", report_outcomes[k]);
	buf_adds(out, "</tr>\n");
	for (int i = 0; i < n; i++) {
		buf_adds(out, "<tr><td>");
		report_esc(out, d->type_names.s[i]);
		buf_addf(out, "</td><td class=\"num\">%lld</td>", d->types[i].runs);
		for (int k = 0; k < OC_N; k++) {
			counts[i][k] = d->types[i].oc[k];
			buf_addf(out, "<td class=\"num\">%lld</td>", d->types[i].oc[k]);
		}
		buf_adds(out, "</tr>\n");
	}
	buf_adds(out, "</table>\n<p class=\"sub\">A run with several faults counts once "
		 "under each of its fault types.</p></div><div>\n");
	svg_outcome_bars(out, n, (const char *const *)d->type_names.s,
			 (const long long (*)[OC_N])counts);
	buf_adds(out, "</div></div>\n");
	free(counts);
}

static void oracles(struct buf *out, const struct report_data *d)
{
	buf_adds(out, "<h2>Oracle verdicts</h2>\n<table id=\"oracles\"><tr><th>oracle</th>"
		 "<th class=\"num\">pass</th><th class=\"num\">fail</th>"
		 "<th class=\"num\">unknown</th></tr>\n");
	for (int i = 0; i < d->oracle_names.n; i++) {
		buf_adds(out, "<tr><td>");
		report_esc(out, d->oracle_names.s[i]);
		buf_addf(out, "</td><td class=\"num\">%lld</td><td class=\"num\">%lld</td>"
			 "<td class=\"num\">%lld</td></tr>\n", d->oracles[i].pass,
			 d->oracles[i].fail, d->oracles[i].unknown);
	}
	buf_adds(out, "</table>\n");
}

static void stat_row(struct buf *out, const char *what, const char *id,
		     const struct rstat *s)
{
	buf_addf(out, "<tr id=\"%s\"><td>%s</td><td class=\"num\">%lld</td>", id, what, s->n);
	if (!s->n) {
		buf_adds(out, "<td class=\"num\" colspan=\"5\">\xe2\x80\x94</td></tr>\n");
		return;
	}
	buf_addf(out, "<td class=\"num\">%lld</td><td class=\"num\">%lld</td>"
		 "<td class=\"num\">%lld</td><td class=\"num\">%.0f</td>"
		 "<td class=\"num\">%lld</td></tr>\n", s->p50, s->p95, s->p99, s->mean, s->max);
}

static void resets(struct buf *out, const struct report_data *d)
{
	buf_adds(out, "<h2>Reset latency</h2>\n<div class=\"grid2\"><div>"
		 "<table><tr><th>ms</th><th class=\"num\">n</th><th class=\"num\">p50</th>"
		 "<th class=\"num\">p95</th><th class=\"num\">p99</th><th class=\"num\">mean</th>"
		 "<th class=\"num\">max</th></tr>\n");
	stat_row(out, "node ready after a reset (resets[].ready_ms)", "reset-ready",
		 &d->ready_stat);
	stat_row(out, "reset phase of a run (phases.reset_ms)", "reset-phase", &d->reset_stat);
	buf_adds(out, "</table><p class=\"sub\">Percentiles are nearest-rank. The "
		 "histogram shows resets[].ready_ms, one value per node reset; its "
		 "last bar holds everything beyond it.</p></div><div>\n");
	svg_histogram(out, &d->ready_hist, &d->ready_stat, "ms");
	buf_adds(out, "</div></div>\n");
}

static void saturation(struct buf *out, const struct report_data *d)
{
	long long last = d->n_runs ? d->runs[d->n_runs - 1].run : 0;

	buf_adds(out, "<h2>Unique flaws over time</h2>\n<div class=\"grid2\"><div>\n");
	svg_saturation(out, d->sat, d->n_sat, last, "unique flaws", "unique flaw", "#d64545");
	buf_addf(out, "</div><div><p>%d unique flaw%s in %lld runs.", d->n_sat,
		 d->n_sat == 1 ? "" : "s", d->n_runs);
	if (d->n_sat)
		buf_addf(out, " The last new one appeared at run %lld; the %lld run%s since "
			 "found nothing new.", d->sat[d->n_sat - 1].run,
			 last - d->sat[d->n_sat - 1].run,
			 last - d->sat[d->n_sat - 1].run == 1 ? "" : "s");
	buf_adds(out, " A curve that flattens is a campaign that stopped finding "
		 "new flaws with this fault mix.</p></div></div>\n");
	if (!d->n_tmpl)
		return;
	buf_adds(out, "<h3>SUT log templates over time (guided exploration)</h3>\n"
		 "<div class=\"grid2\"><div>\n");
	svg_saturation(out, d->tmpl, d->n_tmpl, last, "log templates seen",
		       "log templates seen", "#3a7bd5");
	buf_addf(out, "</div><div><p>%d distinct SUT log templates (log lines with "
		 "numbers, ids, addresses and times masked) and probe transitions "
		 "seen. Guided draws favour the faults, targets, parameter and timing "
		 "buckets whose runs found new ones (docs/exploration.md).</p></div></div>\n",
		 d->tmpl[d->n_tmpl - 1].n);
}

static void flaw_table(struct buf *out, const struct report_data *d)
{
	buf_adds(out, "<h2 id=\"flaws\">Flaws</h2>\n");
	if (!d->n_flaws) {
		buf_adds(out, "<p>No flaw found.</p>\n");
		return;
	}
	buf_adds(out, "<table id=\"flaw-list\"><tr><th>id</th><th>signature</th><th>class</th>"
		 "<th class=\"num\">count</th><th>first seen</th><th>last seen</th>");
	if (d->baseline)
		buf_adds(out, "<th>baseline</th>");
	buf_adds(out, "</tr>\n");
	for (int i = 0; i < d->n_flaws; i++) {
		const struct rflaw *f = &d->flaws[i];
		long long count = f->has_file ? f->count : f->journal_runs;

		buf_adds(out, "<tr><td class=\"mono id\"><a href=\"flaws/");
		report_esc(out, f->id);
		buf_adds(out, ".html\">");
		report_esc(out, f->id);
		buf_adds(out, "</a></td><td class=\"mono\">");
		report_esc(out, f->signature ? f->signature : "(no flaw file)");
		buf_adds(out, "</td><td>");
		report_esc(out, f->class_);
		buf_addf(out, "</td><td class=\"num\">%lld</td><td>run %lld<br><span class=\"sub\">",
			 count, f->has_file ? f->first_run : f->journal_first);
		report_esc(out, f->first_time);
		buf_addf(out, "</span></td><td>run %lld<br><span class=\"sub\">",
			 f->has_file ? f->last_run : f->journal_last);
		report_esc(out, f->last_time);
		buf_adds(out, "</span></td>");
		if (d->baseline)
			buf_addf(out, "<td><span class=\"tag %s\">%s</span></td>",
				 f->known ? "tag-known" : "tag-new", f->known ? "known" : "new");
		buf_adds(out, "</tr>\n");
	}
	buf_adds(out, "</table>\n");
}

static void runs_links(struct buf *out, const struct report_data *d)
{
	long long pages = (d->n_runs + REPORT_PAGE_RUNS - 1) / REPORT_PAGE_RUNS;

	buf_addf(out, "<h2>Runs</h2>\n<p>All %lld runs, %d to a page: ", d->n_runs,
		 REPORT_PAGE_RUNS);
	buf_addf(out, "<a href=\"runs-1.html\">page 1</a>");
	if (pages > 1)
		buf_addf(out, " \xe2\x80\xa6 <a href=\"runs-%lld.html\">page %lld</a>", pages,
			 pages);
	buf_adds(out, ".");
	buf_adds(out, " By outcome:");
	for (int k = 0; k < OC_N; k++) {
		if (!d->oc[k])
			continue;
		buf_adds(out, " <a href=\"");
		report_runs_page_name(out, k, 1);
		buf_addf(out, "\">%s (%lld)</a>", report_outcomes[k], d->oc[k]);
	}
	buf_adds(out, "</p>\n");
}

int report_index_page(const struct report_data *d, const char *report_dir,
		      struct err *e)
{
	struct buf out = BUF_INIT;
	char *path = xasprintf("%s/index.html", report_dir);
	int r;

	report_page_head(&out, d, "overview", "", NULL);
	header(&out, d);
	cards(&out, d);
	baseline_box(&out, d);
	by_fault(&out, d);
	oracles(&out, d);
	resets(&out, d);
	saturation(&out, d);
	flaw_table(&out, d);
	runs_links(&out, d);
	report_page_tail(&out, d);
	r = report_write_file(path, out.data, out.len, e);
	free(path);
	buf_release(&out);
	return r;
}
