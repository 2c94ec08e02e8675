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

/* One testbed and what the loop knows of it. */
struct bed {
	struct campaign *c;
	struct harness *h;
	int index;			/* 0-based; records say index + 1 */
	const char **dirty;		/* continuous mode: nodes to restore */
	int n_dirty;
	int first_run_done;
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
	struct err fatal;
	struct engine_summary *sum;
};

static inline void campaign_lock(struct campaign *c) { pthread_mutex_lock(&c->lock); }
static inline void campaign_unlock(struct campaign *c) { pthread_mutex_unlock(&c->lock); }

/* engine_ladder.c: attempt the run until it yields a record (retried on
 * a healthy testbed, set aside when doomed); 1 when the testbed is
 * quarantined (reason in *quarantine). Takes the lock only to journal. */
int engine_attempts(struct bed *b, struct plan *plan, json_t **ret_record,
		    json_t **ret_trace, struct err *quarantine);
/* An infra record (locks). */
void engine_infra_event(struct bed *b, int run, int attempt_no, const char *scope,
			const char *what, const char *action);

/* engine_record.c, under the lock: record a finished run (the flaw first,
 * then the journal), continuous mode's dirty set, progress. Steals
 * record and trace. -1 with e filled when nothing more can be recorded. */
int engine_record_run(struct bed *b, int run, json_t *record, json_t *trace,
		      struct err *e);
char *engine_run_dir(const struct campaign *c, int run);

#endif
