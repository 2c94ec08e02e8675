/* report_priv.h - what the report's files share: the figures of a
 * results directory (report_data.c) and the helpers that write pages.
 *
 * report_data holds one small struct per run (40 bytes) and the
 * aggregates; nothing of a run's probes, logs or traces. Flaw files are
 * read one at a time and handed to a callback (which writes the flaw's
 * page) before the next is read, so a directory with large traces costs
 * one trace of memory at a time.
 */
#ifndef CAMPAIGN_REPORT_PRIV_H
#define CAMPAIGN_REPORT_PRIV_H

#include <jansson.h>
#include <stdint.h>

#include "baseline.h"
#include "buf.h"
#include "err.h"

#define REPORT_PAGE_RUNS 500	/* rows per runs page */
#define REPORT_PAGE_LINKS 15	/* runs pages listed in full up to this many */
#define REPORT_PAGE_NEAR 5	/* past that: first, last and this many around */

enum { OC_NO_EFFECT, OC_RECOVERED, OC_FLAW, OC_UNJUDGED, OC_SET_ASIDE, OC_INFRA,
       OC_OTHER, OC_N };

/* Past this share of unjudged runs the report warns: the campaign's
 * verdicts do not cover what it ran. */
#define REPORT_UNJUDGED_WARN_PCT 2.0

/* Runs per testbed are counted for testbeds 1..this. */
#define REPORT_TESTBEDS_MAX 16

/* "no-effect", "recovered", "flaw", "unjudged", "set-aside", "infra-error"
 * (older journals), "other". */
extern const char *const report_outcomes[OC_N];

/* The OC_* of an outcome's name (OC_OTHER for any other text). */
int report_outcome_of(const char *s);

/* Interned strings: index <-> text. */
struct strtab {
	char **s;
	int n, cap;
	int *slot;		/* open addressing: index + 1, 0 empty */
	int nslot;
};

int strtab_intern(struct strtab *t, const char *s);
int strtab_find(const struct strtab *t, const char *s);	/* -1 if absent */
void strtab_release(struct strtab *t);

struct rrun {
	long long run;
	/* 40 bytes a run: a million runs are held */
	int64_t started_ms : 48;	/* wall clock, ms since the epoch; 0 unknown */
	int64_t new_templates : 16;	/* guided runs: explore.new_templates
					 * (at most 32767), else -1 */
	int32_t duration_ms;	/* -1 unknown */
	int32_t reset_ms;	/* phases.reset_ms, -1 unknown */
	int32_t faults;		/* d->str: "type@node, ..." or -1 */
	int32_t types;		/* d->str: distinct fault types, space separated, or -1 */
	int32_t class_;		/* d->str, or -1 */
	int32_t flaw : 27;	/* index into d->flaws, or -1 */
	uint32_t outcome : 5;	/* OC_* */
};

struct rflaw {
	char *id;
	/* from flaws/<id>.json; NULL / 0 when there is no file */
	char *signature, *oracle, *fault, *role, *class_;
	char *first_time, *last_time;
	long long count, first_run, last_run;
	int n_examples, has_file;
	/* from the journal */
	long long journal_runs, journal_first, journal_last;
	int known;		/* its signature is in the baseline */
};

struct rtype {			/* per fault type */
	long long runs, oc[OC_N];
	double seconds;
};

struct roracle {		/* per oracle */
	long long pass, fail, unknown;
};

struct rpair {			/* per oracle x fault type: a JUnit test case */
	int oracle, type;	/* d->oracle_names, d->type_names */
	long long runs, pass, fail, unknown;
	double seconds;
};

struct rstat {			/* a latency distribution in ms */
	long long n;
	double mean;
	long long min, p50, p95, p99, max;
};

struct rhist {
	long long bin_ms;	/* width of a bin */
	int n_bins;		/* the last one also holds everything above */
	long long *counts;
};

struct rsat {			/* the saturation curve: after run, n flaws */
	long long run;
	int n;
};

struct report_data {
	char *dir;
	json_t *campaign;		/* campaign.json or NULL */
	struct strtab str;		/* texts of runs */
	struct rrun *runs;		/* sorted by run number after loading */
	long long n_runs, cap_runs;
	long long oc[OC_N];
	long long records, infra_events, campaign_events;
	long long by_testbed[REPORT_TESTBEDS_MAX + 1];	/* runs by "testbed" (1..) */
	long long ignored, ignored_line;	/* records skipped: "flaw" not an id */
	long long torn;			/* bytes of a torn last line, ignored */
	char **warnings;		/* about the journal: index page, summary.json */
	int n_warnings;
	char *infra_stop;		/* the quarantine event's error, or NULL */
	long long infra_stop_run;
	char *last_event;		/* the last campaign event */
	long long planned;		/* schedule.runs from campaign.json, or 0 */

	struct strtab type_names;
	struct rtype *types;		/* by type_names index */
	struct strtab oracle_names;
	struct roracle *oracles;	/* by oracle_names index */
	struct rpair *pairs;
	int n_pairs, cap_pairs;

	int64_t first_ms, last_ms;	/* first run started, last run ended */
	int64_t active_ms;		/* summed spans of start/resume sessions */
	int64_t sess_first, sess_last;

	/* latencies in ms, 0..INT32_MAX (24 days: longer is not a time) as
	 * 4 bytes each: a million runs have three million resets */
	int32_t *ready;				/* resets[].ready_ms */
	long long n_ready, cap_ready;
	int32_t *reset;				/* phases.reset_ms */
	long long n_reset, cap_reset;
	struct rstat ready_stat, reset_stat;
	struct rhist ready_hist;

	struct strtab flaw_ids;
	struct rflaw *flaws;		/* by flaw_ids index until sorted */
	int n_flaws, cap_flaws;
	struct rsat *sat;
	int n_sat;
	struct rsat *tmpl;	/* guided: templates seen after run (n_tmpl 0: none) */
	int n_tmpl;

	const struct baseline *baseline;	/* borrowed, may be NULL */
	char **gone;			/* baseline signatures not seen */
	int n_gone;
	int new_flaws, known_flaws;

	char generated[32];		/* RFC 3339 */
	long long run_pages_all;	/* run pages written with every run
					 * (report_runpage.h); 0: all of them */
};

/* Called with each flaw file (borrowed, valid during the call) in the
 * order of d->flaws, after the journal has been read and sorted. */
typedef int (*report_flaw_fn)(struct report_data *d, int i, json_t *file,
			      void *ctx, struct err *e);

/* Called during the walk with each run record that becomes a row (run
 * >= 1, a valid flaw id if any; borrowed, its line in r->text): the run
 * pages are made from the same single read of the journal. */
struct rrec;
typedef int (*report_run_fn)(const struct report_data *d, const struct rrec *r,
			     void *ctx, struct err *e);

struct report_hooks {
	report_flaw_fn flaw;	/* may be NULL */
	report_run_fn run;	/* may be NULL */
	void *ctx;
};

/* Read DIR's campaign.json, journal and flaw files into *d (zeroed by
 * this function; report_data_release() after, also on failure). */
int report_data_load(struct report_data *d, const char *dir,
		     const struct baseline *bl, report_flaw_fn fn, void *ctx,
		     struct err *e);
/* The same with the journal at journal_path (NULL: DIR/journal.jsonl) and
 * hooks (may be NULL). */
int report_data_load_from(struct report_data *d, const char *dir,
			  const char *journal_path, const struct baseline *bl,
			  const struct report_hooks *hooks, struct err *e);
void report_data_release(struct report_data *d);

/* The index of run number `run` in d->runs, or -1. */
long long report_run_index(const struct report_data *d, long long run);

/* "2024-05-01T12:00:00.000Z" -> ms since the epoch; 0 if not a time. */
int64_t report_parse_time(const char *s);

/* DIR/campaign.json into *ret (new reference; NULL when the file is
 * missing or not JSON: the report does without). -1 with e filled when it
 * cannot be read: not a regular file, larger than REPORT_CAMPAIGN_MAX. */
#define REPORT_CAMPAIGN_MAX (16 << 20)
int report_load_campaign(const char *dir, json_t **ret, struct err *e);

/* A string member of campaign.json ("config"."name" is "config.name"). */
const char *report_meta(const struct report_data *d, const char *path);

/* ---- writing (report_html.c) ------------------------------------------ */

/* Write data to path through a temporary file in the same directory and
 * rename(): readers never see half a page. No fsync: a report can be
 * made again from the journal. */
int report_write_file(const char *path, const char *data, size_t len,
		      struct err *e);

/* markup_escape() of s (NULL is "") into out. */
void report_esc(struct buf *out, const char *s);

/* An outcome's badge: <span class="o o-OUTCOME">text</span>. */
void report_badge(struct buf *out, int outcome, const char *text);

/* v in decimal, as "%lld" (without printf: pages hold millions). */
void report_add_ll(struct buf *out, long long v);

enum report_page { PAGE_INDEX, PAGE_RUNS, PAGE_FLAW };

/* The page up to and including <body> and the navigation; nonce is the
 * Content-Security-Policy nonce of the page's one script, or NULL for a
 * page without scripts. root is the path to report/ ("" or "../"). */
void report_page_head(struct buf *out, const struct report_data *d,
		      const char *title, const char *root, const char *nonce);
void report_page_tail(struct buf *out, const struct report_data *d);
/* The same with the sources named by the caller ("journal.jsonl"). */
void report_page_foot(struct buf *out, const char *generated, const char *sources);

/* A random CSP nonce (base64url, 22 characters) into out[32]. */
void report_nonce(char out[32]);

/* Durations and times, as on the pages. */
void report_fmt_ms(struct buf *out, long long ms);
void report_fmt_wall(struct buf *out, int64_t ms);

/* ---- charts (report_svg.c) -------------------------------------------- */

/* A colour per outcome, for charts and badges. */
extern const char *const report_outcome_colours[OC_N];

/* Horizontal stacked bars: one per row (labels[i]), segments by outcome. */
void svg_outcome_bars(struct buf *out, int n, const char *const *labels,
		      const long long (*counts)[OC_N]);
/* A histogram with p50, p95, p99 marked. */
void svg_histogram(struct buf *out, const struct rhist *h, const struct rstat *s,
		   const char *unit);
/* A step curve of a count by run (the unique flaws, a guided campaign's
 * log templates); what names the count ("unique flaws"), one its
 * singular for the points' titles. */
void svg_saturation(struct buf *out, const struct rsat *pts, int n,
		    long long last_run, const char *what, const char *one,
		    const char *colour);
/* A "nice" axis step for a range and about `ticks` ticks. */
double svg_nice_step(double range, int ticks);

/* ---- pages ------------------------------------------------------------- */

int report_index_page(const struct report_data *d, const char *report_dir,
		      struct err *e);
int report_runs_pages(const struct report_data *d, const char *report_dir,
		      struct err *e);
int report_flaw_page(const struct report_data *d, int i, json_t *file,
		     const char *report_dir, struct err *e);
/* Where run number `run` is shown in full (report_runpage.h), from
 * report/: "runs/page-0001.html#run-3"; its page's file name in runs/. */
void report_run_link(struct buf *out, long long run);
void report_run_page_name(struct buf *out, long long run);

/* The page holding run number `run` (1-based), and its file name
 * ("runs-3.html") into out; outcome < 0: all runs. */
void report_runs_page_name(struct buf *out, int outcome, long long page);
long long report_runs_page_of(const struct report_data *d, long long run);

#endif
