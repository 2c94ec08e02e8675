/* shrink.h - delta debugging (ddmin) of a failing set of faults: the
 * smallest subset that still fails, found through a callback that tries
 * one subset once. Pure: no I/O, no clock; what it asks depends only on
 * what the callback answered, so a run of it can be replayed from the
 * answers it was given (the engine resumes a shrink that way).
 *
 * Runs are not deterministic: a candidate subset is tried up to
 * budget.tries times and "fails" when any try fails (the tries stop at
 * the first failure). The order is ddmin's (Zeller and Hildebrandt,
 * 2002) started at the finest granularity, because fault sets are small
 * (at most 8 per random run, 32 per scenario): remove one fault at a
 * time (complements first), then try the pieces alone (smaller subsets),
 * then coarser pieces. The result is 1-minimal: removing any one fault of
 * it makes it pass (as far as the tries saw). The full set is never
 * tried during the search (the run that failed is the reason for it);
 * the minimal set is then tried until it has budget.tries tries in all,
 * which gives its reproduction rate (k of M).
 */
#ifndef CAMPAIGN_SHRINK_H
#define CAMPAIGN_SHRINK_H

#include <stdint.h>

#include "err.h"

#define SHRINK_MAX 64		/* elements of a set */

/* A subset of elements 0..n-1: bit i is element i. */
typedef uint64_t shrink_set;

/* Try set once (try_no counts this set's tries from 1): 1 it failed the
 * same way, 0 it did not, -1 stop at once (e filled). */
typedef int (*shrink_try_fn)(void *ctx, shrink_set set, int try_no,
			     struct err *e);

struct shrink_budget {
	int tries;		/* per candidate, >= 1 */
	int max_runs;		/* tries of all candidates together, >= 0 */
};

struct shrink_result {
	shrink_set minimal;	/* the smallest set known to fail (the full
				 * set when no smaller one failed) */
	int failed, tried;	/* of minimal's tries, how many failed */
	int runs;		/* tries of every candidate */
	int exhausted;		/* the budget ended the search or the
				 * measure: minimal is the best found */
};

/* Shrink the full set of n elements (1 <= n <= SHRINK_MAX). 0 with *ret
 * filled; -1 when fn said stop (e is fn's; *ret holds the best so far).
 * A bad n or budget is an error too. */
int shrink_ddmin(int n, const struct shrink_budget *b, shrink_try_fn fn,
		 void *ctx, struct shrink_result *ret, struct err *e);

/* Elements in set. */
int shrink_count(shrink_set set);

#endif
