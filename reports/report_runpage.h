/* report_runpage.h - the run pages: report/runs/page-N.html holds the runs
 * numbered (N-1)*REPORT_RUN_PAGE_RUNS+1 .. N*REPORT_RUN_PAGE_RUNS, each
 * in a section with id "run-R" (its plan, faults and evidence, probes,
 * verdicts and kept files).
 *
 * Why pages of runs and not a page per run: a campaign of a million runs
 * would make a million files (and inodes, and renames) where 2,000 do;
 * why by run number: the page of a run is known from its number alone,
 * while the journal is read once, in the order it was written, so the
 * runs table, the flaw pages and the run pages all link to
 * runs/page-N.html#run-R without looking anything up.
 */
#ifndef CAMPAIGN_REPORT_RUNPAGE_H
#define CAMPAIGN_REPORT_RUNPAGE_H

#include "report_journal.h"
#include "report_priv.h"

#define REPORT_RUN_PAGE_RUNS 500

/* Pages 1 .. REPORT_RUN_PAGES_ALL (runs 1 .. 100,000) hold every run.
 * Past them a page holds only the runs a reader needs (runpage_needed())
 * and says so; the report writes report/runs/index.bin, where
 * `campaign serve` finds the journal lines of such a page's runs and
 * renders the page in full on request (runpage_render_page()). Why: at a
 * million runs the sections of ordinary runs were 1.1 GB of HTML and
 * half of the report's CPU time, for pages nobody opens. */
#define REPORT_RUN_PAGES_ALL 200

/* 1 if a run of outcome oc (OC_*) has its section on a page past
 * REPORT_RUN_PAGES_ALL: every outcome but no-effect and recovered
 * (flaws, unjudged, set-aside, infra-error and unknown outcomes). */
int runpage_needed(int oc);

/* 1 if run `run` of outcome oc has its section in the static page, with
 * the first `all_pages` pages written in full. */
int runpage_static(long long run, int oc, long long all_pages);

/* What a run's section shows besides its journal line. */
struct runpage_run {
	long long run, line;		/* run number; its line in the journal */
	const char *dir;		/* the results directory */
	char **files;			/* names in DIR/runs/<run>/ (borrowed) */
	int n_files;
};

/* The names of the files in r->dir/runs/<r->run>/ into r->files (new,
 * sorted; the caller frees each and the array), none if it is not there. */
void runpage_list_files(struct runpage_run *r);

/* Buffers reused from one run to the next (one per thread): new, freed
 * with runpage_ctx_free(), which takes NULL. */
struct runpage_ctx;
struct runpage_ctx *runpage_ctx_new(void);
void runpage_ctx_free(struct runpage_ctx *x);

/* The section of run r appended to out, from the members of its journal
 * line at span[] (report_journal_parse() found them in text and checked
 * the line). All pointers borrowed. */
void runpage_render(struct runpage_ctx *x, const struct runpage_run *r,
		    const char *text, const struct rspan *span, struct buf *out);

/* ---- the pages (report_runpages.c) -------------------------------------- */

/* The head of run page n (its frame and the paragraph above the runs) into
 * out; d's campaign.json and directory are read. */
void runpage_page_head(const struct report_data *d, long long n, struct buf *out);

/* Writes the pages on a thread of its own while the journal is read:
 * runpages_add() hands it each run's line (copied), runpages_finish()
 * waits until every page is written. Memory: a few pages and a few
 * megabytes of lines at a time, whatever the number of runs. */
struct runpages;

/* Start the thread; *ret is new (runpages_free()). d is borrowed until
 * runpages_free(): its campaign.json, directory and time of generation
 * must be loaded (the page frame); nothing else of it is read. */
int runpages_start(const struct report_data *d, const char *report_dir,
		   long long all_pages, struct runpages **ret, struct err *e);
/* r is borrowed: its line and spans are copied. */
void runpages_add(struct runpages *rp, const struct rrec *r);
/* Wait for the thread; its first error, if any, is returned. */
int runpages_finish(struct runpages *rp, struct err *e);
void runpages_free(struct runpages *rp);	/* takes NULL; finishes first */

/* ---- pages on request (report_runlazy.c) -------------------------------- */

/* report/runs/index.bin: a header, then a record per run on a page past
 * the first all_pages, in the journal's order (sorted by run and offset
 * when the header says so): where its line is in the journal. */
#define RUNINDEX_MAGIC "campaign-runidx1"
struct runindex_head {
	char magic[16];
	char generated[32];	/* the report's time of generation */
	long long sorted;	/* records in (run, at) order */
	long long all_pages;
};
struct runindex_rec {
	long long run, at, len, line;
};

/* Bounds on what one page on request reads. */
#define RUNINDEX_PAGE_RECORDS 65536	/* records of one page */
#define RUNINDEX_PAGE_BYTES (256LL << 20)	/* journal bytes of one page */

/* Run page `page` of DIR in full, as the report would write it if it
 * wrote every run (byte for byte), from DIR/report/runs/index.bin and
 * DIR/journal.jsonl, appended to out. Returns 0; 1 when the index holds
 * no run of that page (no index, a page written in full, a page of runs
 * not in the journal); -1 with e filled (a damaged or outdated index, a
 * journal that does not hold the line the index names, a bound passed).
 * Every read is bounded: the index by its records, a page by
 * RUNINDEX_PAGE_RECORDS and RUNINDEX_PAGE_BYTES. */
int runpage_render_page(const char *dir, long long page, struct buf *out,
			struct err *e);

#endif
