/* parallel.h - run one function per item on its own thread. */
#ifndef CAMPAIGN_PARALLEL_H
#define CAMPAIGN_PARALLEL_H

/* Call fn(ctx, i) for i in [0, n) concurrently (one thread each, n is
 * small: the nodes of a testbed) and wait for all. Returns the number
 * of calls that returned non-zero. */
int parallel_for(int n, int (*fn)(void *ctx, int i), void *ctx);

#endif
