/* report_flaw.c - report/flaws/<id>.html: one flaw, its kept traces as
 * timelines, its evidence, the collected logs and the replay command. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_priv.h"

/* ---- the timeline chart ------------------------------------------------ */

enum { TL_W = 900, TL_L = 130, TL_R = 20, TL_TOP = 58, TL_LANE = 44, TL_VERD = 26 };

struct tl {
	double dur;		/* ms shown */
	int lanes;
	int height;
};

static double tx(const struct tl *t, double ms)
{
	if (ms < 0)
		ms = 0;
	if (ms > t->dur)
		ms = t->dur;
	return TL_L + ms / t->dur * (TL_W - TL_L - TL_R);
}

static long long jint(json_t *o, const char *k, long long def)
{
	json_t *v = json_object_get(o, k);

	return json_is_integer(v) ? (long long)json_integer_value(v) : def;
}

static const char *jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static double duration_of(json_t *record, json_t *timeline)
{
	double dur = (double)jint(record, "duration_ms", 0);
	json_t *ev;
	size_t i;

	json_array_foreach(timeline, i, ev) {
		double t = (double)jint(ev, "t_ms", 0);

		if (t > dur)
			dur = t;
	}
	return dur > 0 ? dur : 1;
}

static void tl_axis(struct buf *out, const struct tl *t)
{
	double step = svg_nice_step(t->dur / 1000.0, 10);
	int y = t->height - 18;

	for (double s = 0; s * 1000 <= t->dur + 1; s += step)
		buf_addf(out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#e4e7eb\"/>"
			 "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%gs</text>\n",
			 tx(t, s * 1000), tx(t, s * 1000), TL_TOP - 6, y - 4, tx(t, s * 1000),
			 y + 10, s);
}

static void tl_faults(struct buf *out, const struct tl *t, json_t *faults)
{
	json_t *f;
	size_t i;
	int bottom = TL_TOP + t->lanes * TL_LANE;

	json_array_foreach(faults, i, f) {
		long long s = jint(f, "start_ms", -1), end = jint(f, "end_ms", s);
		double x0, x1;

		if (s < 0)
			continue;
		x0 = tx(t, (double)s);
		x1 = tx(t, (double)(end > s ? end : s));
		if (x1 - x0 < 3)
			x1 = x0 + 3;
		buf_addf(out, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
			 "fill=\"#f0a33a\" fill-opacity=\"0.28\" stroke=\"#c98a16\"><title>",
			 x0, TL_TOP - 6, x1 - x0, bottom - TL_TOP + 6);
		report_esc(out, jstr(f, "type"));
		buf_adds(out, " on ");
		report_esc(out, jstr(f, "node"));
		buf_addf(out, ": %lld\xe2\x80\x93%lld ms</title></rect>\n<text x=\"%.1f\" y=\"%d\" "
			 "class=\"mk\">", s, end, x0 + 3, TL_TOP + 4 + (int)i * 12);
		report_esc(out, jstr(f, "type"));
		buf_adds(out, "@");
		report_esc(out, jstr(f, "node"));
		buf_adds(out, "</text>\n");
	}
}

/* One probe series: [t_ms, latency_ms, ok] samples as a line in its lane. */
static void tl_series(struct buf *out, const struct tl *t, json_t *series, int lane)
{
	json_t *samples = json_object_get(series, "samples"), *s;
	int top = TL_TOP + lane * TL_LANE, h = TL_LANE - 10;
	double max = 1;
	struct buf pts = BUF_INIT;
	size_t i;

	json_array_foreach(samples, i, s) {
		double lat = json_number_value(json_array_get(s, 1));

		if (lat > max)
			max = lat;
	}
	buf_addf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#f5f7fa\"/>"
		 "<text class=\"lane\" x=\"%d\" y=\"%d\" text-anchor=\"end\">",
		 TL_L, top + 2, TL_W - TL_L - TL_R, TL_LANE - 4, TL_L - 6, top + 18);
	report_esc(out, jstr(series, "probe"));
	buf_adds(out, "@");
	report_esc(out, jstr(series, "node"));
	buf_addf(out, "</text><text x=\"%d\" y=\"%d\" text-anchor=\"end\">max %.0f ms</text>\n",
		 TL_L - 6, top + 32, max);
	json_array_foreach(samples, i, s) {
		double at, lat;

		if (!json_is_array(s))
			continue;
		at = json_number_value(json_array_get(s, 0));
		lat = json_number_value(json_array_get(s, 1));
		buf_addf(&pts, "%s%.1f,%.1f", pts.len ? " " : "", tx(t, at),
			 top + 4 + h - lat / max * h);
	}
	if (pts.len)
		buf_addf(out, "<polyline points=\"%s\" fill=\"none\" stroke=\"#2f6fba\" "
			 "stroke-width=\"1.5\"/>\n", pts.data);
	json_array_foreach(samples, i, s) {
		double at, lat;

		if (!json_is_array(s) || !json_is_false(json_array_get(s, 2)))
			continue;
		at = json_number_value(json_array_get(s, 0));
		lat = json_number_value(json_array_get(s, 1));
		buf_addf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"#d64545\">"
			 "<title>%.0f ms: failed (%.0f ms)</title></circle>\n", tx(t, at),
			 top + 4 + h - lat / max * h, at, lat);
	}
	buf_release(&pts);
}

static void tl_events(struct buf *out, const struct tl *t, json_t *timeline)
{
	int lanes_bottom = TL_TOP + t->lanes * TL_LANE, row = 0, vstack = 0;
	long long last_verdict_t = -1;
	json_t *ev;
	size_t i;

	json_array_foreach(timeline, i, ev) {
		const char *name = jstr(ev, "event");
		long long at = jint(ev, "t_ms", -1);
		double x;

		if (!name || at < 0 || !strcmp(name, "probe"))
			continue;
		x = tx(t, (double)at);
		if (!strcmp(name, "verdict")) {
			const char *v = jstr(ev, "verdict");
			const char *col = v && !strcmp(v, "fail") ? "#d64545"
					: v && !strcmp(v, "pass") ? "#2f9e5b" : "#7b8794";
			int y;

			vstack = at == last_verdict_t ? vstack + 1 : 0;
			last_verdict_t = at;
			y = lanes_bottom + 8 + (vstack % 3) * 6;
			buf_addf(out, "<path d=\"M%.1f %d l5 5 l-5 5 l-5 -5 z\" fill=\"%s\">"
				 "<title>%lld ms: ", x, y - 5, col, at);
			report_esc(out, jstr(ev, "oracle"));
			buf_adds(out, " ");
			report_esc(out, v);
			buf_adds(out, "</title></path>\n");
			continue;
		}
		buf_addf(out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#7b8794\" "
			 "stroke-dasharray=\"2 3\"/><text x=\"%.1f\" y=\"%d\">", x, x,
			 8 + row * 13, lanes_bottom, x + 2, 12 + row * 13);
		report_esc(out, name);
		buf_addf(out, "<title>%lld ms</title></text>\n", at);
		row = (row + 1) % 3;
	}
	buf_addf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">verdicts</text>\n",
		 TL_L - 6, lanes_bottom + 17);
}

static void timeline_svg(struct buf *out, json_t *record, json_t *timeline)
{
	json_t *series = json_object_get(json_object_get(record, "probes"), "series"), *s;
	struct tl t = { duration_of(record, timeline), 0, 0 };
	size_t i;

	t.lanes = (int)json_array_size(series);
	t.height = TL_TOP + t.lanes * TL_LANE + TL_VERD + 24;
	buf_addf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
		 "width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"timeline\">\n",
		 TL_W, t.height, TL_W, t.height);
	tl_axis(out, &t);
	json_array_foreach(series, i, s)
		tl_series(out, &t, s, (int)i);
	tl_faults(out, &t, json_object_get(record, "faults"));
	tl_events(out, &t, timeline);
	buf_adds(out, "</svg>\n<p class=\"sub\">Bands: faults from injection to undo. Lines: "
		 "probe latency per node (red dots: failed probes). Dashed: run phases. "
		 "Diamonds: oracle verdicts. Hover for details.</p>\n");
}

/* ---- text sections ----------------------------------------------------- */

static void json_pre(struct buf *out, json_t *v)
{
	char *s = v ? json_dumps(v, JSON_INDENT(2) | JSON_ENCODE_ANY) : NULL;

	buf_adds(out, "<pre>");
	report_esc(out, s ? s : "null");
	buf_adds(out, "</pre>\n");
	free(s);
}

static void verdicts(struct buf *out, json_t *record)
{
	json_t *o;
	size_t i;

	buf_adds(out, "<h3>Oracle verdicts</h3>\n<table class=\"verdicts\"><tr><th>oracle</th>"
		 "<th>verdict</th><th>class</th><th>reason</th></tr>\n");
	json_array_foreach(json_object_get(record, "oracles"), i, o) {
		buf_adds(out, "<tr><td>");
		report_esc(out, jstr(o, "oracle"));
		buf_adds(out, "</td><td>");
		report_esc(out, jstr(o, "verdict"));
		buf_adds(out, "</td><td>");
		report_esc(out, jstr(o, "class"));
		buf_adds(out, "</td><td>");
		report_esc(out, jstr(o, "reason"));
		buf_adds(out, "</td></tr>\n");
	}
	buf_adds(out, "</table>\n");
}

static void events_table(struct buf *out, json_t *timeline)
{
	json_t *ev;
	size_t i;

	buf_adds(out, "<details><summary>Timeline events</summary>\n<table><tr>"
		 "<th class=\"num\">t (ms)</th><th>wall</th><th>event</th><th>details</th></tr>\n");
	json_array_foreach(timeline, i, ev) {
		json_t *rest = json_deep_copy(ev);
		char *s;

		json_object_del(rest, "t_ms");
		json_object_del(rest, "wall");
		json_object_del(rest, "event");
		s = json_dumps(rest, JSON_COMPACT);
		buf_addf(out, "<tr><td class=\"num\">%lld</td><td>", jint(ev, "t_ms", -1));
		report_esc(out, jstr(ev, "wall"));
		buf_adds(out, "</td><td>");
		report_esc(out, jstr(ev, "event"));
		buf_adds(out, "</td><td class=\"mono\">");
		report_esc(out, s && strcmp(s, "{}") ? s : "");
		buf_adds(out, "</td></tr>\n");
		free(s);
		json_decref(rest);
	}
	buf_adds(out, "</table></details>\n");
}

static void log_text(struct buf *out, const char *what, json_t *f)
{
	buf_adds(out, "<h4 class=\"mono\">");
	report_esc(out, what);
	if (json_is_true(json_object_get(f, "truncated")))
		buf_addf(out, " (last %lld of %lld bytes)", jint(f, "bytes", 0),
			 jint(f, "size", 0));
	buf_adds(out, "</h4>\n<pre>");
	report_esc(out, jstr(f, "text"));
	buf_adds(out, "</pre>\n");
}

static void logs(struct buf *out, json_t *logs)
{
	const char *node;
	json_t *l;

	buf_adds(out, "<h3>Collected logs</h3>\n");
	if (!json_is_object(logs)) {
		buf_adds(out, "<p class=\"sub\">none collected</p>\n");
		return;
	}
	json_object_foreach(logs, node, l) {
		json_t *files = json_object_get(l, "files"), *f;
		size_t i;

		buf_adds(out, "<details open><summary>node <b>");
		report_esc(out, node);
		buf_adds(out, "</b></summary>\n");
		if (jstr(l, "error")) {
			buf_adds(out, "<p>not collected: ");
			report_esc(out, jstr(l, "error"));
			buf_adds(out, "</p>\n");
		}
		json_array_foreach(files, i, f)
			log_text(out, jstr(f, "path") ? jstr(f, "path") : "?", f);
		if (json_object_get(l, "dmesg")) {
			buf_adds(out, "<details><summary>kernel log (dmesg)</summary>\n");
			log_text(out, "dmesg", json_object_get(l, "dmesg"));
			buf_adds(out, "</details>\n");
		}
		if (!json_is_object(l))
			json_pre(out, l);
		buf_adds(out, "</details>\n");
	}
}

/* Files kept in DIR/runs/<run>/, linked from disk (and by campaign serve). */
static void run_files(struct buf *out, const char *dir, long long run)
{
	char *path = xasprintf("%s/runs/%lld", dir, run);
	DIR *dp = opendir(path);
	struct dirent *de;
	int n = 0;

	free(path);
	if (!dp)
		return;
	while ((de = readdir(dp))) {
		if (de->d_name[0] == '.')
			continue;
		buf_adds(out, n++ ? ", " : "<p>Files kept for this run: ");
		buf_addf(out, "<a href=\"../../runs/%lld/", run);
		report_esc(out, de->d_name);
		buf_adds(out, "\">");
		report_esc(out, de->d_name);
		buf_adds(out, "</a>");
	}
	closedir(dp);
	if (n)
		buf_adds(out, "</p>\n");
}

static void example(struct buf *out, const struct report_data *d, json_t *ex, int k)
{
	json_t *record = json_object_get(ex, "record");
	json_t *timeline = json_object_get(ex, "timeline");
	long long run = jint(record, "run", -1);

	buf_addf(out, "<h2 id=\"run-%lld\">Example %d: run ", run, k + 1);
	if (run >= 1) {
		buf_adds(out, "<a href=\"../");
		report_run_link(out, run);
		buf_addf(out, "\">%lld</a></h2>\n", run);
	} else {
		buf_addf(out, "%lld</h2>\n", run);
	}
	if (jstr(ex, "truncated")) {
		buf_adds(out, "<p class=\"warn\">This trace was too large to keep: ");
		report_esc(out, jstr(ex, "truncated"));
		buf_adds(out, "</p>\n");
		return;
	}
	buf_adds(out, "<p>Replay this run:</p>\n<pre class=\"replay\">");
	if (jstr(ex, "replay"))
		report_esc(out, jstr(ex, "replay"));
	else {
		buf_adds(out, "campaign replay ");
		report_esc(out, d->dir);
		buf_addf(out, " %lld", run);
	}
	buf_adds(out, "</pre>\n<p>Reason: ");
	report_esc(out, jstr(record, "reason"));
	buf_adds(out, "</p>\n");
	timeline_svg(out, record, timeline);
	verdicts(out, record);
	buf_adds(out, "<h3>Faults and their evidence</h3>\n");
	json_pre(out, json_object_get(record, "faults"));
	events_table(out, timeline);
	logs(out, json_object_get(ex, "logs"));
	run_files(out, d->dir, run);
	buf_adds(out, "<details><summary>The whole run record</summary>\n");
	json_pre(out, record);
	buf_adds(out, "</details>\n");
}

/* ---- the page ---------------------------------------------------------- */

static void run_links(struct buf *out, const struct report_data *d, json_t *runs,
		      long long count)
{
	json_t *r;
	size_t i;

	buf_adds(out, "<dt>runs</dt><dd>");
	json_array_foreach(runs, i, r) {
		long long run = json_integer_value(r);
		long long page = report_runs_page_of(d, run);

		if (i)
			buf_adds(out, " ");
		if (page)
			buf_addf(out, "<a href=\"../runs-%lld.html#r%lld\">%lld</a>", page, run, run);
		else
			buf_addf(out, "%lld", run);
	}
	if ((long long)json_array_size(runs) < count)
		buf_addf(out, " \xe2\x80\xa6 (the first %zu of %lld)", json_array_size(runs), count);
	buf_adds(out, "</dd>");
}

static void dd(struct buf *out, const char *dt, const char *v)
{
	buf_addf(out, "<dt>%s</dt><dd>", dt);
	report_esc(out, v && *v ? v : "\xe2\x80\x94");
	buf_adds(out, "</dd>");
}

/* The causes and how often they reproduce: the shrink's minimal set
 * (engine_shrink.c), `campaign replay --times`, the fault sets that led
 * here. Older flaw files have none of them. */
static void reproduction(struct buf *out, json_t *file)
{
	json_t *min = json_object_get(file, "minimal"), *f;
	json_t *reps = json_object_get(file, "replays");
	json_t *rep = json_array_get(reps, json_array_size(reps) - 1);
	struct buf v = BUF_INIT;
	size_t i;

	json_array_foreach(json_object_get(min, "faults"), i, f)
		buf_addf(&v, "%s%s@%s on %s", i ? ", " : "", jstr(f, "type") ?: "?",
			 jstr(f, "target_role") ?: jstr(f, "role") ?: "?", jstr(f, "node") ?: "?");
	if (v.len) {
		buf_addf(&v, " (of %lld, run %lld): reproduced %lld of %lld%s", jint(min, "of", 0),
			 jint(min, "run", 0), jint(min, "reproduced", 0), jint(min, "tries", 0),
			 json_is_true(json_object_get(min, "exhausted"))
			 ? "; the shrink's budget ran out first" : "");
		dd(out, "minimal fault set", v.data);
	}
	if (json_is_object(rep)) {
		buf_reset(&v);
		buf_addf(&v, "reproduced %lld of %lld (run %lld, %s)", jint(rep, "reproduced", 0),
			 jint(rep, "times", 0), jint(rep, "run", 0), jstr(rep, "time") ?: "?");
		dd(out, "replayed", v.data);
	}
	buf_reset(&v);
	json_array_foreach(json_object_get(file, "fault_sets"), i, f) {
		json_t *t;
		size_t k;

		buf_adds(&v, i ? "; " : "");
		json_array_foreach(json_object_get(f, "faults"), k, t)
			buf_addf(&v, "%s%s", k ? " + " : "", json_string_value(t) ?: "?");
		buf_addf(&v, " (%lld)", jint(f, "count", 0));
	}
	if (v.len)
		dd(out, "fault sets", v.data);
	buf_release(&v);
}

int report_flaw_page(const struct report_data *d, int i, json_t *file,
		     const char *report_dir, struct err *e)
{
	const struct rflaw *f = &d->flaws[i];
	struct buf out = BUF_INIT, title = BUF_INIT, v = BUF_INIT;
	json_t *fs = json_object_get(file, "first_seen"), *ls = json_object_get(file, "last_seen");
	json_t *ex;
	size_t k;
	char *path;
	int r;

	buf_addf(&title, "flaw %s", f->id);
	report_page_head(&out, d, title.data, "../", NULL);
	buf_adds(&out, "<h1>Flaw <span class=\"mono\">");
	report_esc(&out, f->id);
	buf_adds(&out, "</span></h1>\n<p class=\"mono sig\">");
	report_esc(&out, jstr(file, "signature"));
	buf_adds(&out, "</p>\n<dl class=\"meta\">");
	dd(&out, "class", jstr(file, "class"));
	dd(&out, "oracle", jstr(file, "oracle"));
	dd(&out, "fault", jstr(file, "fault"));
	dd(&out, "target role", jstr(file, "role"));
	buf_addf(&v, "%lld", jint(file, "count", 0));
	dd(&out, "count", v.data);
	reproduction(&out, file);
	if (d->baseline)
		dd(&out, "baseline", f->known ? "known (in the baseline)" : "new");
	buf_reset(&v);
	buf_addf(&v, "run %lld, %s", jint(fs, "run", 0), jstr(fs, "time") ? jstr(fs, "time") : "?");
	dd(&out, "first seen", v.data);
	buf_reset(&v);
	buf_addf(&v, "run %lld, %s", jint(ls, "run", 0), jstr(ls, "time") ? jstr(ls, "time") : "?");
	dd(&out, "last seen", v.data);
	buf_adds(&out, "<dt>trace file</dt><dd><a href=\"../../flaws/");
	report_esc(&out, f->id);
	buf_adds(&out, ".json\">flaws/");
	report_esc(&out, f->id);
	buf_adds(&out, ".json</a></dd>");
	run_links(&out, d, json_object_get(file, "runs"), jint(file, "count", 0));
	buf_adds(&out, "</dl>\n");
	if (!json_array_size(json_object_get(file, "examples")))
		buf_adds(&out, "<p>No trace was kept for this flaw.</p>\n");
	json_array_foreach(json_object_get(file, "examples"), k, ex)
		example(&out, d, ex, (int)k);
	report_page_tail(&out, d);
	path = xasprintf("%s/flaws/%s.html", report_dir, f->id);
	r = report_write_file(path, out.data, out.len, e);
	free(path);
	buf_release(&out);
	buf_release(&title);
	buf_release(&v);
	return r;
}
