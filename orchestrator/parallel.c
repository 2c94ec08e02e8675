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
