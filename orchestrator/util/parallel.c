#include "parallel.h"

#include <pthread.h>

#include <stdlib.h>

#include "buf.h"

struct job {
	int (*fn)(void *ctx, int i);
	void *ctx;
	int i;
	int ret;
};

static void *run_job(void *arg)
{
	struct job *j = arg;

	j->ret = j->fn(j->ctx, j->i);
	return NULL;
}

int parallel_for(int n, int (*fn)(void *ctx, int i), void *ctx)
{
	struct job *jobs = xcalloc((size_t)n, sizeof(*jobs));
	pthread_t *threads = xcalloc((size_t)n, sizeof(*threads));
	char *started = xcalloc((size_t)n, 1);
	int failed = 0;

	for (int i = 0; i < n; i++) {
		jobs[i] = (struct job){ fn, ctx, i, 0 };
		if (n > 1 && !pthread_create(&threads[i], NULL, run_job, &jobs[i]))
			started[i] = 1;
		else
			run_job(&jobs[i]);	/* one item, or no thread: inline */
	}
	for (int i = 0; i < n; i++) {
		if (started[i])
			pthread_join(threads[i], NULL);
		failed += jobs[i].ret != 0;
	}
	free(started);
	free(threads);
	free(jobs);
	return failed;
}

struct err_job {
	int (*fn)(void *ctx, int i, struct err *e);
	void *ctx;
	struct err *errs;	/* one per item: a message iff its call failed */
};

static int run_err_job(void *arg, int i)
{
	struct err_job *j = arg;
	int ret = j->fn(j->ctx, i, &j->errs[i]);

	if (!ret)
		j->errs[i].msg[0] = '\0';
	else if (!j->errs[i].msg[0])
		err_set(&j->errs[i], "failed with no reason given");
	return ret;
}

int parallel_for_err(int n, int (*fn)(void *ctx, int i, struct err *e), void *ctx,
		     struct err *first)
{
	struct err_job j = { fn, ctx, xcalloc((size_t)n, sizeof(struct err)) };
	int failed = parallel_for(n, run_err_job, &j);

	for (int i = 0; failed && i < n; i++)
		if (j.errs[i].msg[0]) {
			err_set(first, "%s", j.errs[i].msg);
			break;
		}
	free(j.errs);
	return failed ? -1 : 0;
}
