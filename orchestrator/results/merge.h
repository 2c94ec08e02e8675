/* merge.h - one results directory from the shards of a campaign
 * (`campaign run CONFIG --shard I/N --out DIR_I`): `campaign merge OUT DIR...`.
 *
 * A shard directory is a normal results directory whose campaign.json
 * has "shard": {"index": I, "count": N} (none: 1/1, the whole campaign);
 * shard I ran the runs r with r % N == I % N. The merge writes OUT as if
 * one campaign had run them all:
 *
 *   OUT/campaign.json   the shards' (same "config" and "seed"), "shard"
 *                       replaced by "merged_from": [{"dir", "index",
 *                       "count", "runs", "state"}, ...] in shard order
 *   OUT/journal.jsonl   a campaign "start" event of the merge's own, every
 *                       run and infra record of every shard in run-number
 *                       order, and a "stop" event once every shard stopped
 *   OUT/flaws/<id>.json each flaw once: counts summed, first and last
 *                       sighting, run lists joined, the earliest examples
 *   OUT/report/, summary.json, junit.xml   as `campaign report` makes them
 *
 * Shards are read as they are now, without their locks: a shard still
 * running is merged up to its last complete line (a torn last line is
 * skipped, as journal_foreach() does). Every read is bounded. Running the
 * merge again rewrites OUT. docs/results-format.md describes the files.
 */
#ifndef CAMPAIGN_MERGE_H
#define CAMPAIGN_MERGE_H

#include "err.h"
#include "report.h"

/* More directories than this is a mistake, not a campaign. */
#define MERGE_DIRS_MAX 10000

/* merge_dirs() failed before writing anything: the inputs (or OUT) were
 * refused or could not be read. */
#define MERGE_REFUSED (-1)
/* merge_dirs() failed while writing OUT: OUT may be incomplete (each of
 * its files is whole, old or new); running the merge again repairs it. */
#define MERGE_WRITE_FAILED (-2)

struct merge_options {
	/* the report's options (baseline, JUnit copy), borrowed; NULL:
	 * none */
	const struct report_options *report;
	/* threads reading the shards' journals; 0: the number of CPUs,
	 * at most 4 */
	int threads;
};

/* One input directory, as merged. */
struct merge_shard {
	char *dir;		/* as given */
	int index, count;	/* its "shard" (1/1 when campaign.json has none) */
	long long runs;		/* run records merged */
	long long others;	/* infra (and other) records merged */
	long long torn_bytes;	/* a torn last line skipped (0: none) */
	const char *state;	/* "stopped", or "running" (its last campaign
				 * event is a start or a resume: still running,
				 * or it crashed) */
};

struct merge_result {
	int count;			/* N, the shard count */
	int n_shards;
	struct merge_shard *shards;	/* in shard order */
	char *present;			/* "1, 3 of 3" */
	int complete;			/* every shard 1..N is there */
	long long runs, others;		/* records in OUT's journal */
	int flaws;			/* flaw files in OUT */
	/* NULL, or the first shard whose program or image differs from the
	 * first's: "'B' has tool_version "0.2.0", 'A' "0.1.0"" (merged all
	 * the same: plans depend on config and seed, but the runs may not
	 * have been alike) */
	char *mismatch;
	struct report_result report;	/* of OUT's report */
};

/* Merge the n results directories dirs (1 <= n <= MERGE_DIRS_MAX) into
 * out. Refused, with e naming the directories, and nothing written:
 *   - a directory that is missing, empty, not a results directory (no
 *     campaign.json) or itself a merge ("merged_from");
 *   - shards of different campaigns (the first JSON path where their
 *     "config" or "seed" differ), of different counts N, the same shard
 *     (or directory) twice, a journal holding runs of another shard;
 *   - a journal damaged before its end, a flaw file that is not one, one
 *     flaw id with two signatures;
 *   - out being one of the inputs, in use by a campaign, or a directory
 *     that is neither empty nor an earlier merge.
 * Returns 0 with *ret filled (release it with merge_result_release()),
 * MERGE_REFUSED, or MERGE_WRITE_FAILED (e says what). */
int merge_dirs(const char *out, char *const *dirs, int n,
	       const struct merge_options *opt, struct merge_result *ret,
	       struct err *e);

/* Takes a zeroed or released result. */
void merge_result_release(struct merge_result *r);

#endif
