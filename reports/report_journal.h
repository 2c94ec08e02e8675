/* report_journal.h - the journal as the report reads it: one small
 * struct per record with only the members the report shows.
 *
 * The same lines as journal_foreach() (a torn last line is skipped, a
 * malformed line before it is an error naming it), read with the
 * tree-less cursor of report_json.h, and from any line boundary: a live
 * status page reads only what was appended since its last look.
 */
#ifndef CAMPAIGN_REPORT_JOURNAL_H
#define CAMPAIGN_REPORT_JOURNAL_H

#include "buf.h"
#include "err.h"

enum rrec_type { RREC_OTHER, RREC_RUN, RREC_INFRA, RREC_CAMPAIGN };

enum rrec_verdict { RV_UNKNOWN, RV_PASS, RV_FAIL };

struct rrec_fault {
	struct buf type, node;
	long long start_ms, end_ms;	/* -1 if absent */
};

struct rrec_oracle {
	struct buf name;
	enum rrec_verdict verdict;
};

/* Where a run page finds the members it shows in the line (report_runpage.c):
 * the text of each value, as spans into rrec.text. */
enum rrec_span {
	RS_OUTCOME, RS_STARTED, RS_CLASS, RS_FAILED, RS_UNJUDGED, RS_REASON,
	RS_SIGNATURE, RS_FLAW, RS_DURATION, RS_TESTBED, RS_ATTEMPTS, RS_PLAN,
	RS_FAULTS, RS_PROBES, RS_ORACLES, RS_ALIVE, RS_DIRTY, RS_N
};

struct rspan {
	size_t at, len;		/* len 0: the record has no such member */
};

/* One record. Members that the record lacks are "" or -1. The struct and
 * its strings are reused from one record to the next: copy what you keep. */
struct rrec {
	enum rrec_type type;
	long long line;			/* 1-based line number */
	long long at;			/* the line's first byte in the file (set
					 * by the walk) */
	const char *text;		/* the line (borrowed, no newline; set by
					 * the walk, not by report_journal_parse) */
	size_t len;
	long long run;			/* "run" */
	long long testbed;		/* "testbed": which testbed ran it, or -1 */
	int infra_stop;			/* stop event: -1 absent (older), 0, 1 */
	struct buf outcome, class_, flaw, failed_oracle, started, ended;
	long long duration_ms;
	long long reset_ms;		/* "phases"."reset_ms" */
	long long new_templates;	/* "explore"."new_templates" (guided) */
	int n_faults, cap_faults;
	struct rrec_fault *faults;	/* "faults"[]: type, node, start/end */
	int n_ready, cap_ready;
	long long *ready_ms;		/* "resets"[]."ready_ms" */
	int n_oracles, cap_oracles;
	struct rrec_oracle *oracles;	/* "oracles"[]: oracle, verdict */
	struct buf event, action, error;	/* campaign and infra records */
	long long runs_done;
	int bad_flaw;		/* "flaw" is not a flaw id (flaws_id_valid()) */
	struct rspan span[RS_N];	/* the last of each, if repeated */
};

/* Called for each record in file order; r is borrowed (valid during the
 * call only). A non-zero return stops the walk and is returned. */
typedef int (*rrec_fn)(const struct rrec *r, void *ctx, struct err *e);

/* Where a walk stopped: just past the last complete good line. */
struct rwalk_pos {
	long long offset;
	long long lines;	/* good lines before offset */
	unsigned long long ino;	/* the journal's inode, 0 before the first walk */
	long long ignored;	/* records skipped: bad_flaw (counted across walks) */
	long long ignored_line;	/* the first one's line, 0 if none */
	long long torn;		/* bytes past offset at the end of the file: a
				 * torn last line (or one being appended) */
};

/* A line of the journal longer than this is an error: the file is not a
 * journal (a record is a run's summary, kilobytes to a few megabytes). */
#define REPORT_JOURNAL_LINE_MAX (64 << 20)

/* Read DIR/journal.jsonl without locking or changing it, from pos (NULL,
 * or zeroed: from the start; else where an earlier walk stopped), and
 * leave pos where this walk stopped. A record whose "flaw" is not a flaw
 * id is not handed to fn but counted in pos (its id would become a file
 * name and a link). A missing journal has no records;
 * one that is not a regular file (a FIFO, /dev/zero) is an error naming
 * it, and so is a line longer than REPORT_JOURNAL_LINE_MAX. Memory: one
 * line at a time. */
int report_journal_walk(const char *dir, struct rwalk_pos *pos, rrec_fn fn,
			void *ctx, struct err *e);

/* The same for the journal file at path (`campaign merge` reports on the
 * journal it is still syncing under a temporary name). */
int report_journal_walk_file(const char *path, struct rwalk_pos *pos, rrec_fn fn,
			     void *ctx, struct err *e);

/* 1 if the journal at pos was replaced or cut shorter since the walk that
 * left pos (records already seen may be gone: start again from zero). */
int report_journal_changed(const char *dir, const struct rwalk_pos *pos);

/* Parse one line (without its newline) into r: 0, or -1 if it is not a
 * JSON object; r->bad_flaw tells a "flaw" that is not a flaw id. Exposed
 * for tests. */
int report_journal_parse(const char *line, size_t len, struct rrec *r);

void rrec_init(struct rrec *r);
void rrec_release(struct rrec *r);

#endif
