/* report_runs.c - report/runs-N.html and runs-<outcome>-N.html: every run,
 * REPORT_PAGE_RUNS to a static page, so that 100,000 runs open quickly.
 * A small script per page (allowed by the page's CSP nonce, and needing
 * no network) filters the rows of that page by outcome and fault type;
 * the per-outcome pages filter across the whole campaign. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_assets.h"
#include "report_priv.h"



void report_runs_page_name(struct buf *out, int outcome, long long page)
{
	if (outcome < 0)
		buf_addf(out, "runs-%lld.html", page);
	else
		buf_addf(out, "runs-%s-%lld.html", report_outcomes[outcome], page);
}

long long report_runs_page_of(const struct report_data *d, long long run)
{
	long long i = report_run_index(d, run);

	return i < 0 ? 0 : i / REPORT_PAGE_RUNS + 1;
}

static void row(struct buf *out, const struct report_data *d, const struct rrun *r)
{
	const char *oc = report_outcomes[r->outcome];

	buf_addf(out, "<tr id=\"r%lld\" data-o=\"%s\" data-f=\"", r->run, oc);
	report_esc(out, r->types >= 0 ? d->str.s[r->types] : "");
	buf_addf(out, "\"><td class=\"num\">%lld</td><td><span class=\"o o-%s\">%s</span></td><td>",
		 r->run, oc, oc);
	report_esc(out, r->faults >= 0 ? d->str.s[r->faults] : "");
	buf_adds(out, "</td><td>");
	report_esc(out, r->class_ >= 0 ? d->str.s[r->class_] : "");
	buf_adds(out, "</td><td class=\"mono\">");
	if (r->flaw >= 0) {
		buf_adds(out, "<a href=\"flaws/");
		report_esc(out, d->flaws[r->flaw].id);
		buf_adds(out, ".html\">");
		report_esc(out, d->flaws[r->flaw].id);
		buf_adds(out, "</a>");
	}
	buf_adds(out, "</td><td>");
	report_fmt_wall(out, r->started_ms);
	buf_adds(out, "</td><td class=\"num\">");
	report_fmt_ms(out, r->duration_ms);
	buf_adds(out, "</td><td class=\"num\">");
	report_fmt_ms(out, r->reset_ms);
	buf_adds(out, "</td></tr>\n");
}

static void page_links(struct buf *out, int outcome, long long page, long long pages)
{
	buf_adds(out, "<div class=\"pages\">Pages: ");
	for (long long p = 1; p <= pages; p++) {
		if (p == page) {
			buf_addf(out, "<b>%lld</b>", p);
			continue;
		}
		buf_adds(out, "<a href=\"");
		report_runs_page_name(out, outcome, p);
		buf_addf(out, "\">%lld</a>", p);
	}
	buf_adds(out, "</div>\n");
}

static void list_links(struct buf *out, const struct report_data *d, int outcome)
{
	buf_adds(out, "<p>Lists: ");
	if (outcome < 0)
		buf_addf(out, "<b>all (%lld)</b>", d->n_runs);
	else
		buf_addf(out, "<a href=\"runs-1.html\">all (%lld)</a>", d->n_runs);
	for (int k = 0; k < OC_N; k++) {
		if (!d->oc[k])
			continue;
		if (k == outcome) {
			buf_addf(out, " \xc2\xb7 <b>%s (%lld)</b>", report_outcomes[k], d->oc[k]);
			continue;
		}
		buf_adds(out, " \xc2\xb7 <a href=\"");
		report_runs_page_name(out, k, 1);
		buf_addf(out, "\">%s (%lld)</a>", report_outcomes[k], d->oc[k]);
	}
	buf_adds(out, "</p>\n");
}

static void filters(struct buf *out, const struct report_data *d, int outcome)
{
	buf_adds(out, "<div class=\"filters\">");
	if (outcome < 0) {
		buf_adds(out, "<label>outcome <select id=\"fo\"><option value=\"\">any</option>");
		for (int k = 0; k < OC_N; k++)
			buf_addf(out, "<option value=\"%s\">%s</option>", report_outcomes[k],
				 report_outcomes[k]);
		buf_adds(out, "</select></label>");
	}
	buf_adds(out, "<label>fault <select id=\"ff\"><option value=\"\">any</option>");
	for (int i = 0; i < d->type_names.n; i++) {
		buf_adds(out, "<option value=\"");
		report_esc(out, d->type_names.s[i]);
		buf_adds(out, "\">");
		report_esc(out, d->type_names.s[i]);
		buf_adds(out, "</option>");
	}
	buf_adds(out, "</select></label><span><span id=\"fc\">\xe2\x80\x94</span> "
		 "rows shown (the filter works on this page)</span></div>\n");
}

static int write_page(const struct report_data *d, const char *report_dir,
		      int outcome, const struct rrun *const *rows, long long n,
		      long long page, long long pages, struct err *e)
{
	struct buf out = BUF_INIT, title = BUF_INIT, name = BUF_INIT;
	char nonce[32];
	char *path;
	int r;

	report_nonce(nonce);
	buf_addf(&title, "runs%s%s, page %lld of %lld", outcome < 0 ? "" : ": ",
		 outcome < 0 ? "" : report_outcomes[outcome], page, pages);
	report_page_head(&out, d, title.data, "", nonce);
	buf_adds(&out, "<h1>");
	report_esc(&out, title.data);
	buf_adds(&out, "</h1>\n");
	list_links(&out, d, outcome);
	page_links(&out, outcome, page, pages);
	filters(&out, d, outcome);
	buf_adds(&out, "<table id=\"runs\"><thead><tr><th class=\"num\">run</th><th>outcome</th>"
		 "<th>faults</th><th>class</th><th>flaw</th><th>started</th>"
		 "<th class=\"num\">duration</th><th class=\"num\">reset</th></tr></thead><tbody>\n");
	for (long long i = 0; i < n; i++)
		row(&out, d, rows[i]);
	buf_adds(&out, "</tbody></table>\n");
	page_links(&out, outcome, page, pages);
	buf_addf(&out, "<script nonce=\"%s\">%s</script>\n", nonce, report_asset_runs_filter_js);
	report_page_tail(&out, d);
	report_runs_page_name(&name, outcome, page);
	path = xasprintf("%s/%s", report_dir, name.data);
	r = report_write_file(path, out.data, out.len, e);
	free(path);
	buf_release(&out);
	buf_release(&title);
	buf_release(&name);
	return r;
}

/* One list: all runs (outcome < 0) or those of one outcome. */
static int write_list(const struct report_data *d, const char *report_dir,
		      int outcome, const struct rrun **rows, struct err *e)
{
	long long n = 0, pages;

	for (long long i = 0; i < d->n_runs; i++)
		if (outcome < 0 || d->runs[i].outcome == outcome)
			rows[n++] = &d->runs[i];
	pages = (n + REPORT_PAGE_RUNS - 1) / REPORT_PAGE_RUNS;
	if (!pages && outcome < 0)
		pages = 1;	/* runs-1.html exists even before the first run */
	for (long long p = 1; p <= pages; p++) {
		long long from = (p - 1) * REPORT_PAGE_RUNS;
		long long k = n - from < REPORT_PAGE_RUNS ? n - from : REPORT_PAGE_RUNS;

		if (write_page(d, report_dir, outcome, rows + from, k, p, pages, e) < 0)
			return -1;
	}
	return 0;
}

int report_runs_pages(const struct report_data *d, const char *report_dir,
		      struct err *e)
{
	const struct rrun **rows = xcalloc((size_t)d->n_runs + 1, sizeof(*rows));
	int r = write_list(d, report_dir, -1, rows, e);

	for (int k = 0; r == 0 && k < OC_N; k++)
		if (d->oc[k])
			r = write_list(d, report_dir, k, rows, e);
	free(rows);
	return r;
}
