/* engine_queue.c - what every part of the campaign asks of its shared
 * state: is run r this shard's, is the campaign stopping, a testbed given
 * up on (its run back to the queue), is run r being shrunk. Below the
 * loop (engine.c), the shrink and the exploration, which all ask it. */
#include <pthread.h>
#include <stdio.h>

#include "engine_campaign.h"

int engine_shard_of(const struct engine_options *opt, int *ret_i)
{
	*ret_i = opt->shard_count > 1 ? opt->shard_index : 1;
	return opt->shard_count > 1 ? opt->shard_count : 1;
}

int engine_in_shard(const struct engine_options *opt, int run)
{
	int i, n = engine_shard_of(opt, &i);

	return run % n == i % n;
}

static int out_of_budget(const struct bed *b)
{
	return b->c->opt->budget_s > 0 && b->h->ops->now_ms(b->h) - b->start_ms >=
	       (int64_t)(b->c->opt->budget_s * 1000);
}

static int stopping(struct bed *b)
{
	struct campaign *c = b->c;

	return c->failed || (c->opt->stop && *c->opt->stop) || out_of_budget(b);
}

int engine_stopping_locked(struct bed *b)
{
	return stopping(b);
}

int engine_stopping(struct bed *b)
{
	int r;

	campaign_lock(b->c);
	r = stopping(b);
	campaign_unlock(b->c);
	return r;
}

/* A testbed the ladder gave up on: its run goes back to the queue for
 * the others, and it takes no more. */
void engine_quarantine(struct bed *b, int run, const char *why)
{
	struct campaign *c = b->c;

	campaign_lock(c);
	b->quarantined = 1;
	snprintf(b->reason, sizeof(b->reason), "run %d: %s", run > 0 ? run : -run, why);
	if (run > 0)
		c->requeued[c->n_requeued++] = run;
	pthread_cond_broadcast(&c->recorded);
	campaign_unlock(c);
}

int engine_shrink_pending(const struct campaign *c, int run)
{
	for (int i = 0; i < c->n_shrinks; i++)
		if (c->shrinks[i].run == run)
			return 1;
	return 0;
}
