/* report.c - make every report file of a results directory; refresh them
 * while a campaign runs. */
#include "report.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "junit.h"
#include "paths.h"
#include "report_priv.h"
#include "report_runpage.h"
#include "summary.h"

struct making {
	const char *report_dir;
	long long all_pages;	/* run pages written in full */
	struct runpages *runs;	/* started with the first run */
};

static int flaw_page(struct report_data *d, int i, json_t *file, void *ctx,
		     struct err *e)
{
	struct making *m = ctx;

	return report_flaw_page(d, i, file, m->report_dir, e);
}

static int run_page(const struct report_data *d, const struct rrec *r, void *ctx,
		    struct err *e)
{
	struct making *m = ctx;

	if (!m->runs && runpages_start(d, m->report_dir, m->all_pages, &m->runs, e) < 0)
		return -1;
	runpages_add(m->runs, r);
	return 0;
}

int report_write(const char *dir, const struct report_options *opt,
		 struct report_result *ret, struct err *e)
{
	struct report_data d;
	char *report_dir = xasprintf("%s/report", dir);
	struct making m = { report_dir, opt && opt->run_pages_all > 0 ?
			    opt->run_pages_all : REPORT_RUN_PAGES_ALL, NULL };
	struct report_hooks hooks = { flaw_page, run_page, &m };
	char *flaws_dir = xasprintf("%s/report/flaws", dir);
	char *summary = xasprintf("%s/summary.json", dir);
	char *junit = xasprintf("%s/junit.xml", dir);
	json_t *sum = NULL;
	int r = -1;

	memset(&d, 0, sizeof(d));
	if (paths_mkdirs(flaws_dir, 0755, e) < 0)
		goto out;
	/* the run pages are written on their thread while the rest is made */
	if (report_data_load_from(&d, dir, opt ? opt->journal : NULL,
				  opt ? opt->baseline : NULL, &hooks, e) < 0 ||
	    (d.run_pages_all = m.all_pages, report_runs_pages(&d, report_dir, e) < 0) ||
	    report_index_page(&d, report_dir, e) < 0 ||
	    summary_write(&d, summary, &sum, e) < 0 ||
	    junit_write(&d, junit, e) < 0 ||
	    (m.runs && runpages_finish(m.runs, e) < 0))
		goto out;
	if (opt && opt->junit_path && junit_write(&d, opt->junit_path, e) < 0)
		goto out;
	if (ret) {
		memset(ret, 0, sizeof(*ret));
		ret->runs = d.n_runs;
		ret->flaws = d.n_flaws;
		ret->new_flaws = d.new_flaws;
		ret->known_flaws = d.known_flaws;
		ret->infra_stop = d.infra_stop != NULL;
		ret->summary = sum;
		sum = NULL;
	}
	r = 0;
out:
	runpages_free(m.runs);	/* after a failure: waits for the thread */
	json_decref(sum);
	report_data_release(&d);
	free(report_dir);
	free(flaws_dir);
	free(summary);
	free(junit);
	return r;
}

void report_result_release(struct report_result *r)
{
	json_decref(r->summary);
	memset(r, 0, sizeof(*r));
}

/* s for a terminal: control characters (C0, DEL, and C1 as UTF-8) of a
 * signature read from a file become '?', so that it cannot move the
 * cursor, retitle the window or hide what follows. */
static void add_inert(struct buf *out, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			buf_addch(out, '?');
			p++;
		} else {
			buf_addch(out, *p < 0x20 || *p == 0x7f ? '?' : (char)*p);
		}
	}
}

void report_describe(const struct report_result *r, const char *dir,
		     struct buf *out)
{
	json_t *flaws = json_object_get(r->summary, "flaws"), *f, *g;
	json_t *gone = json_object_get(json_object_get(r->summary, "baseline"), "gone");
	size_t i;

	json_array_foreach(flaws, i, f) {
		const char *b = json_string_value(json_object_get(f, "baseline"));
		const char *sig = json_string_value(json_object_get(f, "signature"));

		buf_addf(out, "%s flaw: ", b && !strcmp(b, "known") ? "known" : "new");
		add_inert(out, sig ? sig : json_string_value(json_object_get(f, "id")));
		buf_addf(out, " (%lld runs, trace %s/%s)\n",
			 (long long)json_integer_value(json_object_get(f, "count")), dir,
			 json_string_value(json_object_get(f, "trace")));
	}
	json_array_foreach(gone, i, g) {
		buf_adds(out, "no longer seen: ");
		add_inert(out, json_string_value(g));
		buf_addch(out, '\n');
	}
}

int report_exit_code(const struct report_result *r)
{
	return r->infra_stop ? 3 : r->new_flaws > 0 ? 1 : 0;
}

/* ---- refreshing while a campaign runs ---------------------------------- */

struct report_refresher {
	char *dir;
	const struct report_options *opt;
	int period_s;
	int stop;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
};

static void *refresh_loop(void *arg)
{
	struct report_refresher *r = arg;
	sigset_t all;

	sigfillset(&all);	/* signals are the campaign's main thread's */
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	pthread_mutex_lock(&r->lock);
	while (!r->stop) {
		struct timespec until;
		int rc = 0;

		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += r->period_s;
		while (!r->stop && rc != ETIMEDOUT)
			rc = pthread_cond_timedwait(&r->wake, &r->lock, &until);
		if (r->stop)
			break;
		pthread_mutex_unlock(&r->lock);
		report_write(r->dir, r->opt, NULL, NULL);
		pthread_mutex_lock(&r->lock);
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

int report_refresher_start(const char *dir, const struct report_options *opt,
			   int period_s, struct report_refresher **ret,
			   struct err *e)
{
	struct report_refresher *r = xcalloc(1, sizeof(*r));
	pthread_condattr_t ca;
	int rc;

	r->dir = xstrdup(dir);
	r->opt = opt;
	r->period_s = period_s > 0 ? period_s : 300;
	pthread_mutex_init(&r->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&r->wake, &ca);
	pthread_condattr_destroy(&ca);
	rc = pthread_create(&r->thread, NULL, refresh_loop, r);
	if (rc) {
		pthread_cond_destroy(&r->wake);
		pthread_mutex_destroy(&r->lock);
		free(r->dir);
		free(r);
		return err_errno(e, rc, "cannot start the report refresher");
	}
	*ret = r;
	return 0;
}

void report_refresher_stop(struct report_refresher *r)
{
	if (!r)
		return;
	pthread_mutex_lock(&r->lock);
	r->stop = 1;
	pthread_cond_signal(&r->wake);
	pthread_mutex_unlock(&r->lock);
	pthread_join(r->thread, NULL);
	pthread_cond_destroy(&r->wake);
	pthread_mutex_destroy(&r->lock);
	free(r->dir);
	free(r);
}
