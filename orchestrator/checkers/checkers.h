/* checkers.h - the registry of history checkers: one table entry and one
 * file (check_*.c) per checker.
 *
 * A checker reads a history and returns a verdict, a JSON object:
 *
 *   {"checker": "linearizable-register", "valid": true | false | "unknown",
 *    "explanation": "...", "ops": 1234, "reordered": 0,
 *    ...checker-specific fields}
 *
 * For an invalid history the specific fields name the offending
 * operations as their events, each with its "line" in the file
 * (history_op_json). docs/checkers.md describes every checker.
 */
#ifndef CAMPAIGN_CHECKERS_H
#define CAMPAIGN_CHECKERS_H

#include "err.h"
#include "history.h"

#include <jansson.h>
#include <stddef.h>

enum checker_result {
	CHECKER_VALID,
	CHECKER_INVALID,
	CHECKER_UNKNOWN,
};

struct checker_opts {
	double time_limit_s;		/* default 10: then "unknown" */
	size_t memory_limit_bytes;	/* default 512 MiB for search state */
	double min_ok_ratio;		/* availability: default 0 */
	double max_recovery_s;		/* availability: < 0 (default) means none */
};

/* Which options of struct checker_opts a checker reads. */
enum {
	CHECKER_OPT_LIMITS = 1 << 0,		/* time and memory limits */
	CHECKER_OPT_AVAILABILITY = 1 << 1,	/* min_ok_ratio, max_recovery_s */
};

/* Check h. On success *ret_verdict is a new JSON object owned by the
 * caller, whatever the verdict; -1 (with e) only when the checker itself
 * cannot run. h is borrowed. */
typedef int (*checker_fn)(const struct history *h, const struct checker_opts *opts,
			  json_t **ret_verdict, struct err *e);

struct checker {
	const char *name;
	checker_fn fn;
	unsigned options;	/* CHECKER_OPT_* */
	const char *help;
};

/* The table, terminated by an entry with a NULL name. */
extern const struct checker checkers[];

/* The checker called name, or NULL. */
const struct checker *checker_find(const char *name);

void checker_opts_init(struct checker_opts *opts);

/* A new verdict object with the common fields (new reference): "ops"
 * (checker_count_ops) and "reordered" (h->reordered); when lines were out
 * of time order the explanation ends with how many were sorted. h is
 * borrowed. */
json_t *checker_verdict_new(const char *checker, enum checker_result result,
			    const char *explanation, const struct history *h);
/* The result recorded in a verdict made by checker_verdict_new. */
enum checker_result checker_verdict_result(const json_t *verdict);
/* The process exit status for a result: 0 valid, 1 invalid, 2 unknown. */
int checker_exit_status(enum checker_result result);

/* Number of client operations (invokes) in h: the verdict's "ops". */
size_t checker_count_ops(const struct history *h);

int check_lost_writes(const struct history *h, const struct checker_opts *opts,
		      json_t **ret_verdict, struct err *e);
int check_linearizable_register(const struct history *h, const struct checker_opts *opts,
				json_t **ret_verdict, struct err *e);
int check_availability(const struct history *h, const struct checker_opts *opts,
		       json_t **ret_verdict, struct err *e);

#endif
