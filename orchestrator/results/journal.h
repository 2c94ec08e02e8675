/* journal.h - the crash-safe record of a campaign (DIR/journal.jsonl).
 *
 * The journal is append-only JSON lines, one record per line:
 *
 *   {"type":"campaign","event":"start"|"resume"|"stop",...}
 *   {"type":"run","run":N,"outcome":"no-effect"|"recovered"|"flaw"|...,...}
 *   {"type":"infra","run":N,"attempt":K,...}
 *
 * journal_append() writes one complete line with one write() on an
 * O_APPEND descriptor and calls fdatasync() before it returns: a record
 * that was appended stays recorded. A crash can only leave a torn last
 * line, which journal_open() cuts away (and reports); a damaged line
 * anywhere else is an error that names its line and changes nothing.
 *
 * One writer per results directory: journal_open() holds an exclusive
 * flock() on DIR/journal.lock (with the holder's pid in it) until
 * journal_close(). A struct journal is not thread-safe; use it from one
 * thread. docs/results-format.md describes every file.
 */
#ifndef CAMPAIGN_JOURNAL_H
#define CAMPAIGN_JOURNAL_H

#include <jansson.h>
#include <stddef.h>

#include "err.h"

struct journal;

/* Run outcomes counted by struct journal_state (the "outcome" member of
 * run records); anything else counts as "other". */
struct journal_outcomes {
	long long no_effect;	/* "no-effect" */
	long long recovered;	/* "recovered" */
	long long flaw;		/* "flaw" */
	long long infra_error;	/* "infra-error" (older journals) */
	long long unjudged;	/* "unjudged": an oracle could not say */
	long long set_aside;	/* "set-aside": doomed on a healthy testbed */
	long long other;
};

/* What the journal holds (after repair). */
struct journal_state {
	int repaired;		/* 1 if a torn last line was cut away */
	long long dropped_bytes;	/* bytes cut away by the repair */
	long long records;	/* complete records of every type */
	long long runs;		/* "run" records */
	long long infra;	/* "infra" records */
	long long campaign_events;	/* "campaign" records */
	long long next_run;	/* smallest N >= 1 with no run record */
	long long max_run;	/* largest recorded run number; 0 if none */
	struct journal_outcomes outcomes;
};

/* Create dir if needed, lock it for this process, read DIR/journal.jsonl
 * (created empty if missing), repair a torn tail. On success *ret is new
 * (journal_close) and *ret_state (may be NULL) describes the journal;
 * both are untouched on failure. Fails when another journal is open on
 * dir, in this process or another: "results directory 'X' is in use by
 * another campaign (pid N)", and on a malformed line that is not the
 * last: "journal 'X' line N: ...". */
int journal_open(const char *dir, struct journal **ret,
		 struct journal_state *ret_state, struct err *e);

/* Take the lock journal_open() takes on dir (which must exist) without
 * reading the journal: for a writer of the whole directory (`campaign
 * merge` rewriting its OUT). *ret_fd holds the lock until it is closed;
 * untouched on failure, with journal_open()'s "in use by another
 * campaign (pid N)". */
int journal_lock(const char *dir, int *ret_fd, struct err *e);

/* Flush nothing (appends are already durable), unlock, free. Takes NULL. */
void journal_close(struct journal *j);

/* The state as of now: journal_open()'s, updated by every append. */
const struct journal_state *journal_get_state(const struct journal *j);

/* 1 if a "run" record for run number n is in the journal, else 0. */
int journal_has_run(const struct journal *j, long long n);

/* Append record (borrowed; a JSON object with a string "type"; a "run"
 * record needs an integer "run" >= 1 not yet recorded: "run N is
 * already recorded"). Serialised with JSON_COMPACT; one write(), then
 * fdatasync(). A failed write is cut back off the file; if that or the
 * fdatasync() fails, the journal refuses further appends (the state of
 * the file is unknown until it is reopened). */
int journal_append(struct journal *j, json_t *record, struct err *e);

/* Called for each record in file order; record is borrowed (valid during
 * the call only), line is 1-based. A non-zero return stops the walk and
 * becomes journal_foreach()'s return value. */
typedef int (*journal_fn)(json_t *record, long long line, void *ctx,
			  struct err *e);

/* Read DIR/journal.jsonl without locking or changing it; a torn last
 * line is skipped, a malformed line before it is an error. A missing
 * journal has no records. Safe while a writer appends. */
int journal_foreach(const char *dir, journal_fn fn, void *ctx, struct err *e);

/* DIR/campaign.json: what a campaign was made from. meta (borrowed) is
 * an object with at least "config" (the resolved config); the engine
 * adds "seed", "tool_version", "image_hash", "start_time". Written
 * atomically (temporary file, fsync, rename). */
int journal_write_campaign(const char *dir, json_t *meta, struct err *e);

enum {
	JOURNAL_RESUME = 0,	/* campaign.json is there and matches meta */
	JOURNAL_FRESH = 1,	/* no campaign.json and no records: start anew */
};

/* Decide whether dir can take the campaign described by meta (borrowed):
 * JOURNAL_FRESH when neither campaign.json nor any journal record exists,
 * JOURNAL_RESUME when campaign.json's "config" (and "seed", when both
 * have one) equal meta's, otherwise -1 with a message naming the first
 * JSON path that differs:
 *   results directory 'r/' was made by a different config:
 *   schedule.runs is 30 there and 40 here; use another --out directory
 * A journal with records but no campaign.json is an error too, and so is
 * a directory made by `campaign merge` (campaign.json has "merged_from"). */
int journal_check_campaign(const char *dir, json_t *meta, struct err *e);

/* The first place where a and b (borrowed) differ, as "path is A there
 * and B here" (a is "there", b is "here"; values in compact JSON, long
 * ones shortened, a missing member is "absent"), written into out.
 * Paths are written as in jsonpos.h (testbed.nodes[2].name, ["odd key"]);
 * a difference at the top is "the root". Returns 0 if a and b are equal
 * (out is then ""), else 1. */
int journal_json_diff(json_t *a, json_t *b, char *out, size_t size);

#endif
