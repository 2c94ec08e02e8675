/* parallel.h - run one function per item on its own thread. */
#ifndef CAMPAIGN_PARALLEL_H
#define CAMPAIGN_PARALLEL_H

#include "err.h"

/* Call fn(ctx, i) for i in [0, n) concurrently (one thread each, n is
 * small: the nodes of a testbed) and wait for all. Returns the number
 * of calls that returned non-zero. */
int parallel_for(int n, int (*fn)(void *ctx, int i), void *ctx);

/* Like parallel_for, each call with its own struct err. Returns 0, or -1
 * when any call returned non-zero, with first (may be NULL) holding the
 * message of the lowest-numbered failed call. */
int parallel_for_err(int n, int (*fn)(void *ctx, int i, struct err *e), void *ctx,
		     struct err *first);

#endif
