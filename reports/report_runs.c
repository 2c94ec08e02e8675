/* report_runs.c - report/runs-N.html and runs-<outcome>-N.html: every run,
 * REPORT_PAGE_RUNS to a static page, so that 100,000 runs open quickly.
 * A small script per page (allowed by the page's CSP nonce, and needing
 * no network) filters the rows of that page by outcome and fault type;
 * the per-outcome pages filter across the whole campaign. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parallel.h"
#include "report_assets.h"
#include "report_priv.h"
#include "report_runpage.h"

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

/* The runs table's texts (fault lists, types, classes) escaped once each,
 * not once per row. */
struct rows {
	const struct report_data *d;
	char **esc;		/* by d->str index, filled when first used */
};

static void add_str(struct buf *out, struct rows *rs, int k)
{
	if (k < 0)
		return;
	if (!rs->esc[k]) {
		struct buf b = BUF_INIT;

		report_esc(&b, rs->d->str.s[k]);
		rs->esc[k] = buf_detach(&b);
	}
	buf_adds(out, rs->esc[k]);
}

static void row(struct buf *out, struct rows *rs, const struct rrun *r)
{
	const struct report_data *d = rs->d;
	const char *oc = report_outcomes[r->outcome];

	buf_addlit(out, "<tr id=\"r");
	report_add_ll(out, r->run);
	buf_addlit(out, "\" data-o=\"");
	buf_adds(out, oc);
	buf_addlit(out, "\" data-f=\"");
	add_str(out, rs, r->types);
	buf_addlit(out, "\"><td class=\"num\"><a href=\"");
	report_run_link(out, r->run);
	buf_addlit(out, "\">");
	report_add_ll(out, r->run);
	buf_addlit(out, "</a></td><td>");
	report_badge(out, r->outcome, oc);
	buf_addlit(out, "</td><td>");
	add_str(out, rs, r->faults);
	buf_addlit(out, "</td><td>");
	add_str(out, rs, r->class_);
	buf_addlit(out, "</td><td class=\"mono\">");
	if (r->flaw >= 0) {
		buf_addlit(out, "<a href=\"flaws/");
		report_esc(out, d->flaws[r->flaw].id);
		buf_addlit(out, ".html\">");
		report_esc(out, d->flaws[r->flaw].id);
		buf_addlit(out, "</a>");
	}
	buf_addlit(out, "</td><td>");
	report_fmt_wall(out, r->started_ms);
	buf_addlit(out, "</td><td class=\"num\">");
	report_fmt_ms(out, r->duration_ms);
	buf_addlit(out, "</td><td class=\"num\">");
	report_fmt_ms(out, r->reset_ms);
	buf_addlit(out, "</td></tr>\n");
}

static void page_link(struct buf *out, int outcome, long long p, long long page)
{
	if (p == page) {
		buf_addf(out, "<b>%lld</b>", p);
		return;
	}
	buf_adds(out, "<a href=\"");
	report_runs_page_name(out, outcome, p);
	buf_addf(out, "\">%lld</a>", p);
}

/* Every page up to REPORT_PAGE_LINKS pages; past that the first, the
 * last and those within REPORT_PAGE_NEAR of this one, with an ellipsis
 * between (a link to each of 2,000 pages on each of them would make the
 * links grow with the square of the runs: 240 MB for a million). */
static void page_links(struct buf *out, int outcome, long long page, long long pages)
{
	buf_adds(out, "<div class=\"pages\">Pages: ");
	for (long long p = 1; p <= pages; p++) {
		if (pages > REPORT_PAGE_LINKS && p > 1 && p < pages &&
		    (p < page - REPORT_PAGE_NEAR || p > page + REPORT_PAGE_NEAR)) {
			buf_adds(out, " \xe2\x80\xa6 ");
			p = p < page ? page - REPORT_PAGE_NEAR - 1 : pages - 1;
			continue;
		}
		page_link(out, outcome, p, page);
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

/* Past the run pages written in full (report_runpage.h), said plainly. */
static void lazy_note(struct buf *out, const struct report_data *d)
{
	long long all = d->run_pages_all * REPORT_RUN_PAGE_RUNS;

	if (!d->run_pages_all || !d->n_runs || d->runs[d->n_runs - 1].run <= all)
		return;
	buf_addlit(out, "<p class=\"warn\">Every run numbered up to ");
	report_add_ll(out, all);
	buf_addlit(out, " and every flaw, unjudged, set-aside or infra-error run has "
		   "its section in the run pages; the sections of the other no-effect "
		   "and recovered runs are rendered on request by <span class=\"mono\">"
		   "campaign serve ");
	report_esc(out, d->dir);
	buf_addlit(out, "</span>; opened from disk, their links lead to the page "
		   "of the runs that need a look.</p>\n");
}

static int write_page(struct rows *rs, const char *report_dir, int outcome,
		      long long *from, long long n, long long page, long long pages,
		      struct err *e)
{
	const struct report_data *d = rs->d;
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
	lazy_note(&out, d);
	page_links(&out, outcome, page, pages);
	filters(&out, d, outcome);
	buf_adds(&out, "<table id=\"runs\"><thead><tr><th class=\"num\">run</th><th>outcome</th>"
		 "<th>faults</th><th>class</th><th>flaw</th><th>started</th>"
		 "<th class=\"num\">duration</th><th class=\"num\">reset</th></tr></thead><tbody>\n");
	/* the next n runs of this list from *from on */
	for (long long i = *from, k = 0; k < n; i++) {
		if (outcome >= 0 && d->runs[i].outcome != outcome)
			continue;
		row(&out, rs, &d->runs[i]);
		k++;
		*from = i + 1;
	}
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
static int write_list(struct rows *rs, const char *report_dir, int outcome,
		      struct err *e)
{
	const struct report_data *d = rs->d;
	long long n = outcome < 0 ? d->n_runs : d->oc[outcome], pages, from = 0;

	pages = (n + REPORT_PAGE_RUNS - 1) / REPORT_PAGE_RUNS;
	if (!pages && outcome < 0)
		pages = 1;	/* runs-1.html exists even before the first run */
	for (long long p = 1; p <= pages; p++) {
		long long left = n - (p - 1) * REPORT_PAGE_RUNS;
		long long k = left < REPORT_PAGE_RUNS ? left : REPORT_PAGE_RUNS;

		if (write_page(rs, report_dir, outcome, &from, k, p, pages, e) < 0)
			return -1;
	}
	return 0;
}

struct lists {
	const struct report_data *d;
	const char *report_dir;
};

/* 0: the list of all runs; 1: those of each outcome (as many rows again). */
static int lists(void *ctx, int i, struct err *e)
{
	struct lists *l = ctx;
	struct rows rs = { l->d, xcalloc((size_t)l->d->str.n + 1, sizeof(char *)) };
	int r = i == 0 ? write_list(&rs, l->report_dir, -1, e) : 0;

	for (int k = 0; r == 0 && i == 1 && k < OC_N; k++)
		if (l->d->oc[k])
			r = write_list(&rs, l->report_dir, k, e);
	for (int k = 0; k < l->d->str.n; k++)
		free(rs.esc[k]);
	free(rs.esc);
	return r;
}

int report_runs_pages(const struct report_data *d, const char *report_dir,
		      struct err *e)
{
	struct lists l = { d, report_dir };

	/* the two halves of the rows on two threads: d is read only here */
	return parallel_for_err(2, lists, &l, e);
}
