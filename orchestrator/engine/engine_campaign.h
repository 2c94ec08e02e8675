/* engine_campaign.h - the campaign's shared state and each testbed's, for
 * the files of the campaign loop: engine.c (the queue of runs, the
 * testbeds' threads), engine_ladder.c (attempts, health, repair),
 * engine_record.c (journal, flaws, progress). Below them: run.h. */
#ifndef CAMPAIGN_ENGINE_CAMPAIGN_H
#define CAMPAIGN_ENGINE_CAMPAIGN_H

#include <pthread.h>

#include "engine.h"
#include "flaws.h"
#include "journal.h"
#include "plan.h"

struct campaign;

/* A flaw run being shrunk before it is recorded (engine_shrink.c): found
 * by this process, or by one that was killed (its journal has the
 * shrink's start and tries but not the run's record). */
struct shrink_job {
	int run;
	json_t *record;			/* as the run finished (owned) */
	json_t *trace;			/* its trace (owned; NULL if lost) */
	json_t *tried;			/* journaled tries: "SET#TRY" -> failed */
	int taken;			/* a testbed is on it */
};

/* One testbed and what the loop knows of it. */
struct bed {
	struct campaign *c;
	struct harness *h;
	int index;			/* 0-based; records say index + 1 */
	const char **dirty;		/* continuous mode: nodes to restore */
	int n_dirty;
	int first_run_done;
	int ready_trust;		/* 0: learning, 1: trusted, -1: never */
	int current;			/* the run it works on, 0: none */
	int quarantined;
	char reason[1024];		/* why it was quarantined */
	int64_t start_ms;		/* on its harness's clock */
};

struct campaign {
	const struct config *cfg;
	const struct engine_options *opt;
	struct journal *journal;	/* under lock */
	struct flaw_store *flaws;	/* under lock */
	pthread_mutex_t lock;
	int n_nodes;
	const char **names, **roles;
	struct plan_node *pnodes;
	struct bed *beds;
	int n_beds;
	int next;			/* the next run number to consider */
	int *requeued;			/* runs a quarantined testbed gave back */
	int n_requeued;
	int in_shard;			/* runs of this shard up to opt->runs */
	int runs_here;			/* recorded by this process */
	int failed;			/* a record could not be written: stop */
	struct shrink_job *shrinks;	/* left by a killed process, to finish */
	int n_shrinks;
	struct err fatal;
	struct engine_summary *sum;
	/* guided exploration (engine_explore.c), under lock; NULL: random */
	struct explore *explore;
	int explore_ready;		/* every shard run <= this is recorded */
	pthread_cond_t recorded;	/* a run was recorded or given back */
};

static inline void campaign_lock(struct campaign *c) { pthread_mutex_lock(&c->lock); }
static inline void campaign_unlock(struct campaign *c) { pthread_mutex_unlock(&c->lock); }

/* engine_ladder.c: attempt the run until it yields a record (retried on
 * a healthy testbed, set aside when doomed), in dir (NULL: the run's
 * runs/<n>), collecting the nodes' logs on a flaw when keep_logs; 1 when
 * the testbed is quarantined (reason in *quarantine). Takes the lock
 * only to journal. */
int engine_attempts(struct bed *b, struct plan *plan, const char *dir,
		    int keep_logs, json_t **ret_record, json_t **ret_trace,
		    struct err *quarantine);
/* An infra record (locks). */
void engine_infra_event(struct bed *b, int run, int attempt_no, const char *scope,
			const char *what, const char *action);

/* engine_queue.c: the campaign must stop taking work (a signal, the budget,
 * a failed record). Takes the lock (_locked: the caller holds it). */
int engine_stopping(struct bed *b);
int engine_stopping_locked(struct bed *b);
/* Is run in the shard of opt? */
int engine_in_shard(const struct engine_options *opt, int run);
/* The shard count (1: not sharded) and this shard's index in *ret_i. */
int engine_shard_of(const struct engine_options *opt, int *ret_i);
/* Quarantine b for why, which happened in run: a run > 0 goes back to
 * the queue, -run (a shrink's, already run) does not. */
void engine_quarantine(struct bed *b, int run, const char *why);

/* engine_shrink.c. Whether record (a finished run) is shrunk: a flaw of
 * more than one applied fault with shrink enabled. */
int engine_shrink_wanted(const struct campaign *c, json_t *record);
/* Journal the shrink's start, shrink the run on b, then record it (the
 * signature from the minimal set; interrupted: from the whole set).
 * Steals record and trace. */
void engine_shrink_run(struct bed *b, int run, json_t *record, json_t *trace);
/* The shrinks a killed process left (journal: started, not recorded). */
int engine_shrink_load(struct campaign *c, struct err *e);
/* Finish one of them on b; 0 when none is left to take. */
int engine_shrink_resume(struct bed *b);
/* engine_queue.c: 1 if run has a shrink left to finish (not to be run
 * again). */
int engine_shrink_pending(const struct campaign *c, int run);
void engine_shrink_free(struct campaign *c);

/* engine_record.c, under the lock: record a finished run (the flaw first,
 * then the journal), continuous mode's dirty set, progress. Steals
 * record and trace. -1 with e filled when nothing more can be recorded. */
int engine_record_run(struct bed *b, int run, json_t *record, json_t *trace,
		      struct err *e);
char *engine_run_dir(const struct campaign *c, int run);

/* engine_explore.c. The memory of a guided campaign from its journal
 * (nothing for a random one). */
int engine_explore_load(struct campaign *c, struct err *e);
void engine_explore_free(struct campaign *c);
/* The plan of run for b: with guided exploration, once the runs its
 * feedback needs are recorded (explore.h). 0: planned (ret filled); -1:
 * e filled; 1: the run went back to the queue (one it waits for is
 * there: take it first); 2: stopping, the run is not made. */
int engine_explore_plan(struct bed *b, int run, struct plan *ret, struct err *e);
/* Under the lock, before the record is journaled: its novelty, into its
 * "explore" ({"arm", "novel", "new_templates", "new"}). */
void engine_explore_note(struct campaign *c, json_t *record);
/* A run record's outcome as novelty sees it ("flaw/command#2+always#4":
 * each oracle that failed or could not judge, by type and place); NULL
 * for a set-aside run. New string. */
char *engine_explore_combo(json_t *record);

#endif
