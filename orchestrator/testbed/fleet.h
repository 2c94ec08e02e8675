/* fleet.h - the testbeds one `campaign run` drives: copies of the
 * config's testbed, the first with its own prefix and ports, copy k (from
 * 2) with prefix "<prefix>-tk" and ports 100 (k-1) above. Each is brought
 * up unless it is already (a resume), and a testbed this campaign brought
 * up is marked in the results directory (testbed-owner, testbed-owner.k)
 * so that whichever run of the campaign finishes takes it down. */
#ifndef CAMPAIGN_FLEET_H
#define CAMPAIGN_FLEET_H

#include "config.h"
#include "err.h"
#include "harness.h"
#include "testbed.h"

struct fleet {
	int n;
	struct config **cfgs;		/* [0] borrowed, the others owned */
	struct testbed **tbs;
	struct harness **hs;
	int *brought_up;
	char **owner;			/* the marks' paths */
};

/* Check that n testbeds fit this host (memory, ports) before anything
 * is made: 0, or -1 with a message naming what does not fit. */
int fleet_check(const struct config *cfg, const char *config_path, int n,
		struct err *e);

/* Open (and bring up where needed) n testbeds for cfg, whose file is
 * config_path (loaded again for each copy). out is the results
 * directory. On failure what was brought up is taken down again. */
int fleet_open(struct fleet *f, struct config *cfg, const char *config_path,
	       int n, const char *out, struct err *e);

/* At the end: take down what this campaign brought up unless keep; when
 * it stopped early (a signal, quarantine), reset the others. */
void fleet_close(struct fleet *f, int keep, int stopped_early);

#endif
