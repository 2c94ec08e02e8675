/* explore.h - guided exploration's memory: which SUT log templates and
 * outcomes the campaign has seen, and which arms earned credit for
 * finding new ones (docs/exploration.md). Pure: no I/O, no JSON, no locks
 * (the engine holds its lock around every call).
 *
 * An arm is one way to draw a random fault: a fault of the config, a
 * target node, a quarter of its parameter ranges and a quarter of
 * schedule.inject_at_s. A run is *novel* when its feedback (log templates,
 * probe transitions) holds a template never seen in the campaign, or its
 * outcome and failed oracle were never seen together.
 *
 * The plan of run r sees only the runs <= r - EXPLORE_LAG: with several
 * testbeds runs end out of order, and a plan that used "whatever had
 * finished when the run was taken" would depend on timing, so neither a
 * resume nor the same campaign again would plan the same runs. With a
 * fixed lag the plan is a function of (config, seed, run, the journaled
 * feedback of runs <= r - EXPLORE_LAG): the engine waits for those runs
 * (up to EXPLORE_LAG - 1 testbeds run beside it without waiting).
 */
#ifndef CAMPAIGN_EXPLORE_H
#define CAMPAIGN_EXPLORE_H

#include <stdint.h>

#define EXPLORE_LAG 4		/* run r sees runs <= r - EXPLORE_LAG */
#define EXPLORE_WINDOW 64	/* and only the last 64 of those */
#define EXPLORE_BUCKETS 4	/* quarters of parameters and of timing */
#define EXPLORE_DECAY 0.9	/* credit kept per run of age */
#define EXPLORE_EPSILON 0.1	/* share of uniform draws: nothing starves */
#define EXPLORE_MAX_ARMS 8	/* arms of one run (faults_per_run) */

struct explore_arm {
	int fault;		/* index into the config's faults */
	int node;		/* testbed order; -1: resolved at injection */
	int param;		/* bucket of its parameter ranges, 0..3 */
	int timing;		/* bucket of inject_at_s, 0..3 */
	int same;		/* 1: its node was drawn as the node of the
				 * run's first fault (a pairing, below) */
};

struct explore;

/* New, empty (explore_free; takes NULL). */
struct explore *explore_new(void);
void explore_free(struct explore *x);

/* A run ended (called in journal order): its arms, the hashes of its
 * templates (any order, duplicates allowed) and its outcome combination
 * ("flaw/command", "recovered"). Templates and combination become seen;
 * the new ones are counted and their hashes returned in *ret_new (new
 * array, free(); may be NULL on 0). Returns 1 when the run was novel. */
int explore_note(struct explore *x, int run, const struct explore_arm *arms,
		 int n_arms, const uint64_t *tmpl, int n_tmpl, const char *combo,
		 uint64_t **ret_new, int *ret_n_new);

/* A run's journaled feedback read back on resume: as explore_note, with
 * the run's recorded verdict (novel, n_new) kept as it was. */
void explore_restore(struct explore *x, int run, const struct explore_arm *arms,
		     int n_arms, const uint64_t *new_tmpl, int n_new,
		     const char *combo, int novel);

/* The credit of arm a for a plan that sees the runs <= upto (run -
 * EXPLORE_LAG): each novel run s <= upto (the last EXPLORE_WINDOW run
 * numbers) that drew a's fault on a's node gains g = (1 + min(its new
 * templates, 8)) * EXPLORE_DECAY^(upto - s); a run of a itself (the same
 * buckets too) gains 2g. The fault and target learn from every bucket;
 * the buckets refine. */
double explore_credit(const struct explore *x, int upto, const struct explore_arm *a);

/* The credit of a pairing, for the second and later faults of a run:
 * same = 1, "on the node of the run's first fault"; same = 0, "on any
 * node, drawn alone". Each novel run s <= upto in the window gains
 * g as above for "same" when one of its arms was paired, for "alone"
 * when it had two arms or more and none was. Faults on one node in a
 * given order are a flaw class of their own (fill a disk, then kill its
 * process); independent draws put two faults on one node of three only
 * a third of the time. */
double explore_pair_credit(const struct explore *x, int upto, int same);

/* Runs noted so far, and templates seen. */
int explore_runs(const struct explore *x);
int explore_templates(const struct explore *x);

#endif
