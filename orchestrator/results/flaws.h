/* flaws.h - flaw signatures, deduplication and traces (DIR/flaws/<id>.json).
 *
 * A flaw is a class of failing runs sharing a signature:
 *
 *   <oracle>|<fault types>|<target roles>|<normalised first evidence line>
 *
 * built from the run's fault set: the minimal set that still failed when
 * the run was shrunk (engine_shrink.c), else every fault the run applied;
 * each fault as its type and the role its target had when it was
 * injected ("leader" when workload.leader found it, else the node's
 * configured role). A set is sorted, so the same causes reached from
 * other runs in another order share the signature; one fault reads as
 * signatures always did ("process-kill|member").
 *
 * The store keeps one file per flaw with its counts, first and last
 * sighting, run numbers and the full traces of its first few runs, and
 * rewrites that file atomically on every hit: a flaw that was recorded
 * stays recorded. Only the small part of each flaw (no traces) is held in
 * memory. A struct flaw_store is not thread-safe; the journal's lock on
 * the results directory makes its process the only writer.
 * docs/results-format.md describes the file and the normalisation.
 */
#ifndef CAMPAIGN_FLAWS_H
#define CAMPAIGN_FLAWS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define FLAWS_ID_LEN 12			/* hex digits */
#define FLAWS_EVIDENCE_MAX 200		/* bytes of normalised evidence */
#define FLAWS_RUNS_MAX 1000		/* run numbers listed per flaw */
#define FLAWS_EXAMPLES_DEFAULT 3	/* traces kept per flaw */
#define FLAWS_TRACE_MAX_DEFAULT (1024 * 1024)	/* bytes of compact JSON */
#define FLAWS_FILE_MAX (64 << 20)	/* readers refuse a larger flaw file */
#define FLAWS_SETS_MAX 32		/* distinct fault sets listed per flaw */
#define FLAWS_SET_RUNS_MAX 20		/* run numbers listed per fault set */
#define FLAWS_REPLAYS_MAX 20		/* replays kept per flaw */

/* The evidence text normalised so that runs of one flaw compare equal:
 * only its first non-blank line; lower case; "0x" + hex digits -> "0xX";
 * a UUID, or a word of 8 or more hex digits with a digit and a letter in
 * it -> "H"; other runs of decimal digits -> "N"; control characters and
 * runs of white space -> one space; trimmed; at most FLAWS_EVIDENCE_MAX
 * bytes (never splitting a UTF-8 character). NULL reads as "". New string. */
char *flaws_normalise(const char *evidence);

/* "<oracle>|<fault>|<role>|<flaws_normalise(evidence)>". A NULL or empty
 * name is "-"; '|' and control characters in names become '_'. New
 * string. */
char *flaws_signature(const char *oracle, const char *fault, const char *role,
		      const char *evidence);

/* A fault as the signature sees it: its type and its target's role when
 * it was injected. Borrowed strings; NULL is "-". */
struct flaws_fault {
	const char *type, *role;
};

/* The set's names for flaws_signature(): the faults sorted by (type,
 * role), their types joined by '+' into *ret_types and their roles in
 * the same order into *ret_roles ("none" and "-" for no fault). New
 * strings. */
void flaws_set_names(const struct flaws_fault *f, int n, char **ret_types,
		     char **ret_roles);

/* The set as sorted "type@role" strings, for a flaw's "fault_sets"
 * (new reference). */
json_t *flaws_set_json(const struct flaws_fault *f, int n);

/* The flaw id of a signature: FNV-1a 64 of its bytes, xor-folded to 48
 * bits ((h >> 48) ^ (h & 0xffffffffffff)), as 12 lower-case hex digits.
 * New string. */
char *flaws_id(const char *signature);

/* 1 if the n bytes at s are a flaw id as flaws_id() makes them:
 * FLAWS_ID_LEN lower-case hex digits. Everything that reads an id from a
 * file (journal records, flaw file names) checks it with this. */
int flaws_id_valid(const char *s, size_t n);

/* One failing run, as the engine reports it. Strings are borrowed. */
struct flaw_hit {
	const char *signature;	/* from flaws_signature() */
	const char *oracle, *fault, *role;	/* NULL is "-" */
	const char *class_;	/* "safety", "liveness", "containment" or
				 * "recovery" */
	long long run;		/* >= 1 */
	int64_t wall_ns;	/* when it was seen (clock_wall_ns()) */
	/* Both may be NULL; borrowed: */
	json_t *fault_set;	/* the run's whole set (flaws_set_json()): the
				 * flaw lists the distinct sets that led to it */
	json_t *minimal;	/* the run's shrink: kept as the flaw's
				 * "minimal" (the latest) */
};

struct flaw_store;

/* Open the store of results directory dir: create DIR/flaws if needed and
 * load every DIR/flaws/<id>.json (other names are ignored). On success
 * *ret is new (flaws_free); on failure it is untouched and e names the
 * file that could not be read. */
int flaws_open(const char *dir, struct flaw_store **ret, struct err *e);

/* Takes NULL. */
void flaws_free(struct flaw_store *s);

/* Keep the traces of the first k runs of each flaw (k >= 0; default
 * FLAWS_EXAMPLES_DEFAULT). Flaws already holding more keep them. */
void flaws_set_max_examples(struct flaw_store *s, int k);

/* Bound each kept trace to bytes of compact JSON (0: the default,
 * FLAWS_TRACE_MAX_DEFAULT); see flaws_bound_trace(). */
void flaws_set_trace_max(struct flaw_store *s, size_t bytes);

/* Count hit against its flaw (a new flaw if the signature is new), keep
 * trace as an example if fewer than k are kept, and rewrite the flaw's
 * file atomically before returning. trace is stolen (also on failure;
 * NULL: no example). *ret_is_new (may be NULL) is 1 when this hit made a
 * new flaw. A hit for a run already counted for its flaw (a run redone
 * after a crash between this call and the journal append) changes
 * nothing and returns 0 with *ret_is_new = 0. */
int flaws_record(struct flaw_store *s, const struct flaw_hit *hit,
		 json_t *trace, int *ret_is_new, struct err *e);

/* Add replay (borrowed: {"run", "reproduced", "times", "time"}, from
 * `campaign replay --times`) to the flaw with this id ("replays", the
 * latest FLAWS_REPLAYS_MAX) and rewrite its file. */
int flaws_note_replay(struct flaw_store *s, const char *id, json_t *replay,
		      struct err *e);

/* Number of flaws in the store. */
int flaws_count(const struct flaw_store *s);

/* Flaw i (0 <= i < flaws_count()), in order of first sighting (by first
 * run, then id): its file's object without "examples", plus
 * "n_examples". Borrowed; valid until the next flaws_record() or
 * flaws_free(). NULL when i is out of range. */
json_t *flaws_get(const struct flaw_store *s, int i);

/* The flaw with this signature, as flaws_get(); NULL if none. */
json_t *flaws_find(const struct flaw_store *s, const char *signature);

/* Make trace (stolen) fit in max bytes of compact JSON and return it (a
 * new reference: trace itself when it fits, else a cut deep copy, so
 * values that trace shares with others are never changed). First the
 * longest strings are cut in the middle, keeping their head and tail
 * around "...[truncated N bytes]..."; then the longest arrays lose
 * middle elements the same way ("...[truncated N elements]..."); if it
 * still does not fit, an object keeps only {"truncated": "...[trace of
 * N bytes]..."}. */
json_t *flaws_bound_trace(json_t *trace, size_t max);

#endif
