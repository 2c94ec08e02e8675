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

/* What a run's section shows besides its journal line. */
struct runpage_run {
	long long run, line;		/* run number; its line in the journal */
	const char *dir;		/* the results directory */
	char **files;			/* names in DIR/runs/<run>/ (borrowed) */
	int n_files;
};

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

/* Writes the pages on a thread of its own while the journal is read:
 * runpages_add() hands it each run's line (copied), runpages_finish()
 * waits until every page is written. Memory: a few pages and a few
 * megabytes of lines at a time, whatever the number of runs. */
struct runpages;

/* Start the thread; *ret is new (runpages_free()). d is borrowed until
 * runpages_free(): its campaign.json, directory and time of generation
 * must be loaded (the page frame); nothing else of it is read. */
int runpages_start(const struct report_data *d, const char *report_dir,
		   struct runpages **ret, struct err *e);
/* r is borrowed: its line and spans are copied. */
void runpages_add(struct runpages *rp, const struct rrec *r);
/* Wait for the thread; its first error, if any, is returned. */
int runpages_finish(struct runpages *rp, struct err *e);
void runpages_free(struct runpages *rp);	/* takes NULL; finishes first */

#endif
