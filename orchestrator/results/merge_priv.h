/* merge_priv.h - what merge.c, merge_journal.c and merge_flaws.c share:
 * the shards as read, before anything is written. */
#ifndef CAMPAIGN_MERGE_PRIV_H
#define CAMPAIGN_MERGE_PRIV_H

#include <jansson.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

/* One record of a shard's journal: where its line is and where it goes. */
struct mentry {
	long long run;		/* its "run"; 0 for a record without one */
	long long off;		/* the line's offset in the journal */
	uint32_t len;		/* its length without the newline */
	uint32_t line_kind;	/* line number << 1 | 1 for a run record */
};

struct mshard {
	const char *dir;	/* borrowed (the caller's argv) */
	int pos;		/* its place in the caller's list */
	int index, count;	/* "shard" of campaign.json, 1/1 if none */
	json_t *campaign;	/* its campaign.json */
	struct mentry *entries;	/* after merge_journal_index(): sorted by
				 * run, records of a run before its run
				 * record, then by line */
	long long n_entries, cap_entries;
	long long runs, others;	/* run records; infra and other records */
	long long torn_bytes;	/* a torn last line, skipped */
	int stopped;		/* its last campaign event is "stop" */
	int failed;		/* indexing failed: err says why */
	struct err err;
};

/* What the merge reads of a journal line. */
enum mline_kind { MLINE_RUN, MLINE_OTHER, MLINE_CAMPAIGN };

struct mline {
	enum mline_kind kind;
	long long run;		/* MLINE_RUN: >= 1; MLINE_OTHER: its "run" or 0 */
	int stop;		/* MLINE_CAMPAIGN: the event is "stop" */
};

/* The line's JSON checked with the report's cursor (report_json.h) and
 * its top-level "type", "run" and "event" read: MLINE_OK;
 * MLINE_NOT_JSON (a torn line if it is the last); MLINE_NOT_RECORD with
 * *why set (the same rules as journal_open()). p holds the buffers it
 * decodes into: zeroed (BUF_INIT) before the first line, released by
 * merge_parser_release(). */
enum { MLINE_OK = 0, MLINE_NOT_JSON = -1, MLINE_NOT_RECORD = -2 };
struct mparser {
	struct buf key, type, event;
};
int merge_parse_line(struct mparser *p, const char *text, size_t len,
		     struct mline *ret, const char **why);
void merge_parser_release(struct mparser *p);

/* The fast path of merge_parse_line() (merge_scan.c): 1 with *ret filled
 * when the line is surely a record merge_parse_line() takes and *ret what
 * it would read; 0 when it cannot tell (it leaves the rare forms, and
 * every error, to merge_parse_line()). text[0..len) only is read. */
int merge_scan_line(const char *text, size_t len, struct mline *ret);

/* Read the journal of every shard (threads at a time, at least 1) into
 * its entries, checking each line (a torn last line is skipped, a damaged
 * line before it refused, as journal_open() does) and that every run is
 * one of the shard's and recorded once. On failure e holds the message of
 * the first shard (in array order) that failed. */
int merge_journal_index(struct mshard *shards, int n, int threads,
			struct err *e);

/* Write path (a temporary name: the caller renames it) with start's line
 * (borrowed JSON object), the entries of every shard in run order (runs
 * present in more than one shard were refused by the index), then stop's
 * line (NULL: none). The lines are copied byte for byte. replaces (NULL:
 * none) is the journal path will replace, if any: the previous merge's,
 * whose cached pages are given to the new one (writer.h). On success
 * *ret_fd is the file, written but not synced: the caller fsyncs and
 * closes it. */
int merge_journal_write(const char *path, const char *replaces, struct mshard *shards,
			int n, json_t *start, json_t *stop, int *ret_fd, struct err *e);

/* Free the entries. */
void merge_journal_release(struct mshard *s);

/* The flaws of the shards, joined by id. */
struct mflaws;

/* Read the summary part of every flaw file of every shard (not their
 * examples) and join them by id: counts summed, first and last sightings,
 * run lists joined and cut to FLAWS_RUNS_MAX. Refuses a file that is not
 * a flaw file, or one id with two signatures. *ret is new
 * (merge_flaws_free). */
int merge_flaws_scan(struct mshard *shards, int n, struct mflaws **ret,
		     struct err *e);

/* Number of flaws joined. */
int merge_flaws_count(const struct mflaws *f);

/* Write every joined flaw into dir (which exists), each with the
 * examples of its earliest runs (at most FLAWS_EXAMPLES_DEFAULT, read
 * now from the shards that have them). */
int merge_flaws_write(const struct mflaws *f, struct mshard *shards, int n,
		      const char *dir, struct err *e);

/* Takes NULL. */
void merge_flaws_free(struct mflaws *f);

#endif
