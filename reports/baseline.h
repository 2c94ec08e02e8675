/* baseline.h - the flaws a previous campaign already found.
 *
 * A nightly job compares tonight's flaws with last night's: a flaw whose
 * signature is in one of PREV_DIR/flaws/<id>.json is known and does not fail the
 * job; any other is new (exit 1). Signatures the baseline has and
 * tonight's campaign did not see are listed as no longer seen.
 */
#ifndef CAMPAIGN_BASELINE_H
#define CAMPAIGN_BASELINE_H

#include "err.h"

struct baseline;

/* Read the signatures of the flaws of results directory dir. dir must be
 * a results directory (journal.jsonl or campaign.json in it); a missing
 * flaws/ is an empty baseline. *ret is new (baseline_free), untouched on
 * failure. */
int baseline_load(const char *dir, struct baseline **ret, struct err *e);

/* Takes NULL. */
void baseline_free(struct baseline *b);

/* The directory it was read from (borrowed). */
const char *baseline_dir(const struct baseline *b);

/* 1 if signature is in the baseline. */
int baseline_has(const struct baseline *b, const char *signature);

/* Its signatures, sorted (borrowed). */
int baseline_count(const struct baseline *b);
const char *baseline_signature(const struct baseline *b, int i);

/* The names of dir/flaws/<12 hex digits>.json, sorted; other names are
 * ignored, as the flaw store does. *ret_names is new (free each and the
 * array); a missing flaws/ directory has none. */
int baseline_flaw_files(const char *dir, char ***ret_names, int *ret_n,
			struct err *e);

#endif
