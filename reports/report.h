/* report.h - the files made from a results directory for people and CI:
 *
 *   DIR/report/index.html         the campaign at a glance
 *   DIR/report/runs-N.html        every run, 500 to a page (and per outcome)
 *   DIR/report/runs/page-N.html   each run in full, by number, 500 to a page
 *   DIR/report/flaws/<id>.html    one flaw: traces, timelines, logs, replay
 *   DIR/summary.json              every figure, for dashboards
 *   DIR/junit.xml                 one test case per oracle x fault type
 *
 * All of it is made from DIR/campaign.json, DIR/journal.jsonl and
 * DIR/flaws/<id>.json alone, can be made again at any time (also while a
 * campaign appends), and opens from disk with no network.
 * docs/reports.md describes the pages and formats.
 */
#ifndef CAMPAIGN_REPORT_H
#define CAMPAIGN_REPORT_H

#include <jansson.h>

#include "baseline.h"
#include "buf.h"
#include "err.h"

struct report_options {
	const struct baseline *baseline;	/* borrowed; NULL: every flaw is new */
	const char *junit_path;			/* a copy of junit.xml, or NULL */
	/* the journal to read instead of DIR/journal.jsonl, or NULL
	 * (`campaign merge`: the one it is still syncing) */
	const char *journal;
	/* run pages written with every run: 0 is REPORT_RUN_PAGES_ALL (past
	 * them, only the runs a reader needs; report_runpage.h) */
	long long run_pages_all;
};

struct report_result {
	long long runs;
	int flaws;		/* unique flaws */
	int new_flaws;		/* not in the baseline (all, without one) */
	int known_flaws;
	int infra_stop;		/* the campaign stopped on the harness */
	json_t *summary;	/* summary.json's object (new reference) */
};

/* Make every file above for results directory dir. On success *ret (may
 * be NULL) holds the figures that decide an exit code; release it with
 * report_result_release(). */
int report_write(const char *dir, const struct report_options *opt,
		 struct report_result *ret, struct err *e);

/* Takes a zeroed or released result. */
void report_result_release(struct report_result *r);

/* One line per flaw for people and CI logs, from r->summary:
 *   new flaw: SIGNATURE (N runs, trace DIR/flaws/ID.json)
 *   known flaw: SIGNATURE (...)
 *   no longer seen: SIGNATURE          (with a baseline only)
 * appended to out; control characters of signatures (read from flaw
 * files) are shown as '?'. */
void report_describe(const struct report_result *r, const char *dir,
		     struct buf *out);

/* DESIGN.md's exit code for a finished campaign: 3 if the harness stopped
 * it, else 1 if a flaw is outside the baseline, else 0. */
int report_exit_code(const struct report_result *r);

/* Remake the report every period_s seconds on a thread of its own while a
 * campaign runs (readers need no lock: the journal is append-only and
 * flaw files are replaced atomically). opt and what it points to must
 * outlive the refresher. Failures are kept quiet; the final report_write()
 * reports them. */
struct report_refresher;

int report_refresher_start(const char *dir, const struct report_options *opt,
			   int period_s, struct report_refresher **ret,
			   struct err *e);

/* Stop and join (waits for a refresh in progress). Takes NULL. */
void report_refresher_stop(struct report_refresher *r);

#endif
