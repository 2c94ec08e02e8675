/* report_runpages.c - report/runs/page-N.html, written on a thread of its
 * own while the journal is read once (report_runpage.h says why pages of
 * REPORT_RUN_PAGE_RUNS runs).
 *
 * The walk hands each run's line over in batches of about a megabyte; at
 * most RUNPAGES_QUEUED batches wait, so a slow disk holds the walk back
 * rather than filling memory. The thread keeps RUNPAGES_OPEN pages being
 * filled; a run of another page writes out the one longest untouched
 * (through report_write_file(): temporary file, rename). Runs come in
 * the journal's order: by run number for one testbed or a merge, nearly
 * so for several testbeds, so a page is written once. A run whose page
 * was written already (a resumed campaign redoing an early run) reads
 * that page back and it is written again with the run added.
 *
 * Past the first all_pages pages a run that runpage_needed() does not
 * name gets no section: its line's place goes to report/runs/index.bin
 * (with every other run of those pages), from which `campaign serve`
 * renders the page in full (report_runlazy.c). The line itself is not
 * copied to the thread.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "paths.h"
#include "report_runpage.h"

#define RUNPAGES_OPEN 4
#define RUNPAGES_BATCH (1 << 20)
#define RUNPAGES_QUEUED 3

struct open_page {
	long long n;		/* page number, 0: free */
	long long used;		/* tick of the last run added */
	struct buf html;	/* head and sections so far */
};

/* A set of page numbers (open addressing; 0 is never a page). */
struct pageset {
	long long *slot;
	long long n, cap;
};

struct batch {
	struct buf data;	/* entries: struct entry, then the line */
	struct batch *next;
};

struct entry {
	long long run, line, at;
	size_t len;		/* the line's */
	size_t copied;		/* bytes of it that follow: len, or 0 */
	int lazy;		/* no section: rendered on request */
	struct rspan span[RS_N];
};

struct runpages {
	const struct report_data *d;	/* campaign.json, dir, generated only */
	char *runs_dir;
	struct runpage_ctx *x;
	struct open_page open[RUNPAGES_OPEN];
	long long tick;
	struct pageset written;
	long long *kept;		/* runs with a DIR/runs/<n>/, sorted */
	long long n_kept;
	struct err err;
	int failed;

	/* report/runs/index.bin, for the runs past the first all_pages pages */
	long long all_pages;
	char *index_path, *index_tmp;
	int index_fd;			/* -1 until the first record */
	struct buf index;		/* records not written yet */
	long long index_n, index_last;	/* records; the last one's run */
	int index_sorted;

	/* handing lines to the thread */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct batch *head, *tail;	/* queued */
	int queued, done, started;
	struct batch *filling;
	struct batch *spare;		/* done with, for the next lines: the
					 * same few megabytes all along */
};

/* ---- a set of page numbers -------------------------------------------- */

static long long *set_slot(const struct pageset *s, long long n)
{
	unsigned long long h = (unsigned long long)n * 0x9e3779b97f4a7c15ULL;

	for (long long i = (long long)(h >> 20) & (s->cap - 1);; i = (i + 1) & (s->cap - 1))
		if (!s->slot[i] || s->slot[i] == n)
			return &s->slot[i];
}

static int set_has(const struct pageset *s, long long n)
{
	return s->cap && *set_slot(s, n) == n;
}

static void set_add(struct pageset *s, long long n)
{
	if (2 * (s->n + 1) > s->cap) {
		struct pageset bigger = { xcalloc((size_t)(s->cap ? 2 * s->cap : 64),
						  sizeof(long long)), 0, s->cap ? 2 * s->cap : 64 };

		for (long long i = 0; i < s->cap; i++)
			if (s->slot[i])
				*set_slot(&bigger, s->slot[i]) = s->slot[i];
		bigger.n = s->n;
		free(s->slot);
		*s = bigger;
	}
	if (!set_has(s, n)) {
		*set_slot(s, n) = n;
		s->n++;
	}
}

/* ---- kept run directories ----------------------------------------------- */

static int by_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* DIR/runs/<n>/ exist for flaw runs (or all, with logs.keep_all_runs):
 * listed once, so that a run without one costs no system call. */
static void list_kept(struct runpages *rp)
{
	char *path = xasprintf("%s/runs", rp->d->dir);
	DIR *dp = opendir(path);
	struct dirent *de;
	long long cap = 0;

	free(path);
	while (dp && (de = readdir(dp))) {
		char *end;
		long long n = strtoll(de->d_name, &end, 10);

		if (*end || n < 1 || de->d_name[0] == '0')
			continue;
		if (rp->n_kept == cap) {
			cap = cap ? 2 * cap : 64;
			rp->kept = xrealloc(rp->kept, (size_t)cap * sizeof(long long));
		}
		rp->kept[rp->n_kept++] = n;
	}
	if (dp)
		closedir(dp);
	if (rp->n_kept)
		qsort(rp->kept, (size_t)rp->n_kept, sizeof(long long), by_ll);
}

/* The names of the files in DIR/runs/<run>/, sorted, into r. */
static void kept_files(struct runpages *rp, struct runpage_run *r)
{
	r->files = NULL;
	r->n_files = 0;
	if (!rp->n_kept || !bsearch(&r->run, rp->kept, (size_t)rp->n_kept,
				    sizeof(long long), by_ll))
		return;
	runpage_list_files(r);
}

void runpage_list_files(struct runpage_run *r)
{
	char *path;
	DIR *dp;
	struct dirent *de;

	r->files = NULL;
	r->n_files = 0;
	path = xasprintf("%s/runs/%lld", r->dir, r->run);
	dp = opendir(path);
	free(path);
	while (dp && (de = readdir(dp))) {
		if (de->d_name[0] == '.')
			continue;
		r->files = xrealloc(r->files, (size_t)(r->n_files + 1) * sizeof(char *));
		r->files[r->n_files++] = xstrdup(de->d_name);
	}
	if (dp)
		closedir(dp);
	if (r->n_files)
		qsort(r->files, (size_t)r->n_files, sizeof(char *), by_name);
}

/* ---- pages --------------------------------------------------------------- */

void report_run_page_name(struct buf *out, long long run)
{
	long long n = (run - 1) / REPORT_RUN_PAGE_RUNS + 1;

	buf_addlit(out, "page-");	/* "page-%04lld.html", once per row of the runs table */
	for (long long z = 1000; z > 1 && n < z; z /= 10)
		buf_addch(out, '0');
	report_add_ll(out, n);
	buf_addlit(out, ".html");
}

void report_run_link(struct buf *out, long long run)
{
	buf_adds(out, "runs/");
	report_run_page_name(out, run);
	buf_adds(out, "#run-");
	report_add_ll(out, run);
}

static char *page_path(const struct runpages *rp, long long n)
{
	struct buf b = BUF_INIT;

	buf_adds(&b, rp->runs_dir);
	buf_addch(&b, '/');
	report_run_page_name(&b, (n - 1) * REPORT_RUN_PAGE_RUNS + 1);
	return buf_detach(&b);
}

void runpage_page_head(const struct report_data *d, long long n, struct buf *out)
{
	long long first = (n - 1) * REPORT_RUN_PAGE_RUNS + 1;
	char title[96];

	snprintf(title, sizeof(title), "runs %lld\xe2\x80\x93%lld", first,
		 first + REPORT_RUN_PAGE_RUNS - 1);
	report_page_head(out, d, title, "../", NULL);
	buf_addf(out, "<h1>Runs %lld\xe2\x80\x93%lld</h1>\n<p class=\"sub\">Each run as "
		 "the journal recorded it, in the journal's order (the runs table: "
		 "<a href=\"../runs-1.html\">runs-1.html</a>). Probes that failed: a bar "
		 "per sample, as high as its latency against the probe's highest; "
		 "\xc3\x97: failed. Replay run N with <span class=\"mono\">campaign "
		 "replay ", first, first + REPORT_RUN_PAGE_RUNS - 1);
	report_esc(out, d->dir);
	buf_addlit(out, " N</span>.</p>\n");
}

int runpage_needed(int oc)
{
	return oc != OC_NO_EFFECT && oc != OC_RECOVERED;
}

int runpage_static(long long run, int oc, long long all_pages)
{
	return (run - 1) / REPORT_RUN_PAGE_RUNS + 1 <= all_pages || runpage_needed(oc);
}

static void page_head(struct runpages *rp, long long n, struct buf *out)
{
	runpage_page_head(rp->d, n, out);
	if (n <= rp->all_pages)
		return;
	buf_addlit(out, "<p class=\"warn\">This page holds only the runs that need a "
		   "look (flaw, unjudged, set-aside, infra-error): the campaign has more "
		   "than ");
	report_add_ll(out, rp->all_pages * REPORT_RUN_PAGE_RUNS);
	buf_addlit(out, " runs, and the pages of ordinary runs (no-effect, recovered) "
		   "past them are rendered on request by <span class=\"mono\">campaign "
		   "serve ");
	report_esc(out, rp->d->dir);
	buf_addlit(out, "</span>: this page, served, shows all its runs.</p>\n");
}

static int write_page(struct runpages *rp, struct open_page *p)
{
	char *path = page_path(rp, p->n);
	int r;

	report_page_foot(&p->html, rp->d->generated, "journal.jsonl");
	r = report_write_file(path, p->html.data, p->html.len, &rp->err);
	free(path);
	set_add(&rp->written, p->n);
	buf_reset(&p->html);
	p->n = 0;
	return r;
}

/* A page written already, opened again: its text up to the footer. */
static int reopen_page(struct runpages *rp, struct open_page *p)
{
	char *path = page_path(rp, p->n), *foot;
	int r = paths_read_file(path, NULL, (size_t)1 << 30, &p->html, &rp->err);

	free(path);
	if (r < 0)
		return -1;
	foot = strstr(p->html.data, "<footer>");
	while (foot && strstr(foot + 1, "<footer>"))
		foot = strstr(foot + 1, "<footer>");
	if (foot) {
		p->html.len = (size_t)(foot - p->html.data);
		p->html.data[p->html.len] = '\0';
	}
	return 0;
}

/* The page of run number `run`, open. */
static struct open_page *page_for(struct runpages *rp, long long run)
{
	long long n = (run - 1) / REPORT_RUN_PAGE_RUNS + 1;
	struct open_page *p = NULL;

	for (int i = 0; i < RUNPAGES_OPEN; i++)
		if (rp->open[i].n == n)
			return &rp->open[i];
	for (int i = 0; i < RUNPAGES_OPEN && (!p || p->n); i++)	/* a free one, else */
		if (!p || !rp->open[i].n || rp->open[i].used < p->used)	/* the oldest */
			p = &rp->open[i];
	if (p->n && write_page(rp, p) < 0)
		return NULL;
	p->n = n;
	if (set_has(&rp->written, n))
		return reopen_page(rp, p) < 0 ? NULL : p;
	page_head(rp, n, &p->html);
	return p;
}

/* ---- the index of the runs rendered on request ---------------------------- */

static int index_flush(struct runpages *rp)
{
	struct runindex_head h;

	if (!rp->index.len)
		return 0;
	if (rp->index_fd < 0) {
		rp->index_fd = open(rp->index_tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (rp->index_fd < 0)
			return err_errno(&rp->err, errno, "cannot write '%s'", rp->index_tmp);
		memset(&h, 0, sizeof(h));	/* written again at the end */
		if (write(rp->index_fd, &h, sizeof(h)) != (ssize_t)sizeof(h))
			return err_errno(&rp->err, errno, "cannot write '%s'", rp->index_tmp);
	}
	for (size_t at = 0; at < rp->index.len;) {
		ssize_t w = write(rp->index_fd, rp->index.data + at, rp->index.len - at);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return err_errno(&rp->err, w < 0 ? errno : ENOSPC,
					 "cannot write '%s'", rp->index_tmp);
		at += (size_t)w;
	}
	buf_reset(&rp->index);
	return 0;
}

static int index_add(struct runpages *rp, const struct entry *en)
{
	struct runindex_rec rec = { en->run, en->at, (long long)en->len, en->line };

	if (rp->index_n++ && en->run < rp->index_last)
		rp->index_sorted = 0;
	rp->index_last = en->run;
	buf_add(&rp->index, &rec, sizeof(rec));
	return rp->index.len >= RUNPAGES_BATCH ? index_flush(rp) : 0;
}

/* The index in place, or none (a stale one removed) when no run needs it. */
static int index_finish(struct runpages *rp)
{
	struct runindex_head h;

	if (!rp->index_n) {
		if (unlink(rp->index_path) < 0 && errno != ENOENT)
			return err_errno(&rp->err, errno, "cannot remove '%s'", rp->index_path);
		return 0;
	}
	if (index_flush(rp) < 0)
		return -1;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, RUNINDEX_MAGIC, sizeof(h.magic));
	snprintf(h.generated, sizeof(h.generated), "%s", rp->d->generated);
	h.sorted = rp->index_sorted;
	h.all_pages = rp->all_pages;
	if (pwrite(rp->index_fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
	    close(rp->index_fd) < 0) {
		rp->index_fd = -1;
		return err_errno(&rp->err, errno, "cannot write '%s'", rp->index_tmp);
	}
	rp->index_fd = -1;
	if (rename(rp->index_tmp, rp->index_path) < 0)
		return err_errno(&rp->err, errno, "cannot rename '%s'", rp->index_tmp);
	return 0;
}

static int add_run(struct runpages *rp, const struct entry *en, const char *text)
{
	struct runpage_run r = { en->run, en->line, rp->d->dir, NULL, 0 };
	struct open_page *p = page_for(rp, en->run);

	if (!p)
		return -1;
	p->used = ++rp->tick;
	if ((en->run - 1) / REPORT_RUN_PAGE_RUNS + 1 > rp->all_pages &&
	    index_add(rp, en) < 0)
		return -1;
	if (en->lazy)
		return 0;
	kept_files(rp, &r);
	runpage_render(rp->x, &r, text, en->span, &p->html);
	for (int i = 0; i < r.n_files; i++)
		free(r.files[i]);
	free(r.files);
	return 0;
}

static void do_batch(struct runpages *rp, const struct batch *b)
{
	for (size_t at = 0; at < b->data.len && !rp->failed;) {
		struct entry en;

		memcpy(&en, b->data.data + at, sizeof(en));
		at += sizeof(en);
		if (add_run(rp, &en, b->data.data + at) < 0)
			rp->failed = 1;
		at += en.copied + 1;
	}
}

/* ---- the thread ------------------------------------------------------------ */

static void free_batch(struct batch *b)
{
	if (b)
		buf_release(&b->data);
	free(b);
}

static void *loop(void *arg)
{
	struct runpages *rp = arg;
	sigset_t all;

	sigfillset(&all);	/* signals are the main thread's */
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	for (;;) {
		struct batch *b;

		pthread_mutex_lock(&rp->lock);
		while (!rp->head && !rp->done)
			pthread_cond_wait(&rp->cond, &rp->lock);
		b = rp->head;
		if (b) {
			rp->head = b->next;
			if (!rp->head)
				rp->tail = NULL;
			rp->queued--;
			pthread_cond_broadcast(&rp->cond);
		}
		pthread_mutex_unlock(&rp->lock);
		if (!b)
			break;
		do_batch(rp, b);
		buf_reset(&b->data);
		pthread_mutex_lock(&rp->lock);
		b->next = rp->spare;
		rp->spare = b;
		pthread_mutex_unlock(&rp->lock);
	}
	for (int i = 0; i < RUNPAGES_OPEN && !rp->failed; i++)
		if (rp->open[i].n && write_page(rp, &rp->open[i]) < 0)
			rp->failed = 1;
	if (!rp->failed && index_finish(rp) < 0)
		rp->failed = 1;
	return NULL;
}

static void enqueue(struct runpages *rp, struct batch *b)
{
	pthread_mutex_lock(&rp->lock);
	while (rp->queued >= RUNPAGES_QUEUED)
		pthread_cond_wait(&rp->cond, &rp->lock);
	if (rp->tail)
		rp->tail->next = b;
	else
		rp->head = b;
	rp->tail = b;
	rp->queued++;
	pthread_cond_broadcast(&rp->cond);
	pthread_mutex_unlock(&rp->lock);
}

int runpages_start(const struct report_data *d, const char *report_dir,
		   long long all_pages, struct runpages **ret, struct err *e)
{
	struct runpages *rp = xcalloc(1, sizeof(*rp));
	int rc;

	rp->d = d;
	rp->all_pages = all_pages;
	rp->index_fd = -1;
	rp->index_sorted = 1;
	buf_init(&rp->index);
	rp->runs_dir = xasprintf("%s/runs", report_dir);
	rp->index_path = xasprintf("%s/index.bin", rp->runs_dir);
	rp->index_tmp = xasprintf("%s/.tmp-index.bin", rp->runs_dir);
	if (paths_mkdirs(rp->runs_dir, 0755, e) < 0) {
		free(rp->index_path);
		free(rp->index_tmp);
		free(rp->runs_dir);
		free(rp);
		return -1;
	}
	rp->x = runpage_ctx_new();
	for (int i = 0; i < RUNPAGES_OPEN; i++)
		buf_init(&rp->open[i].html);
	list_kept(rp);
	pthread_mutex_init(&rp->lock, NULL);
	pthread_cond_init(&rp->cond, NULL);
	rc = pthread_create(&rp->thread, NULL, loop, rp);
	if (rc) {
		err_errno(e, rc, "cannot start the run pages' thread");
		runpages_free(rp);
		return -1;
	}
	rp->started = 1;
	*ret = rp;
	return 0;
}

void runpages_add(struct runpages *rp, const struct rrec *r)
{
	int lazy = !runpage_static(r->run, report_outcome_of(r->outcome.data), rp->all_pages);
	struct entry en = { r->run, r->line, r->at, r->len, lazy ? 0 : r->len, lazy,
			    { { 0, 0 } } };
	const char *text = r->text;
	size_t len = en.copied;

	if (!lazy)
		memcpy(en.span, r->span, sizeof(en.span));

	if (!rp->filling) {
		pthread_mutex_lock(&rp->lock);
		rp->filling = rp->spare;
		if (rp->filling)
			rp->spare = rp->filling->next;
		pthread_mutex_unlock(&rp->lock);
	}
	if (!rp->filling) {
		rp->filling = xcalloc(1, sizeof(*rp->filling));
		buf_init(&rp->filling->data);
	}
	rp->filling->next = NULL;
	if (!rp->filling->data.len)
		buf_grow(&rp->filling->data, RUNPAGES_BATCH + 4096);
	buf_add(&rp->filling->data, &en, sizeof(en));
	buf_add(&rp->filling->data, text, len);
	buf_addch(&rp->filling->data, '\0');
	if (rp->filling->data.len >= RUNPAGES_BATCH) {
		enqueue(rp, rp->filling);
		rp->filling = NULL;
	}
}

int runpages_finish(struct runpages *rp, struct err *e)
{
	if (!rp->started)
		return 0;
	if (rp->filling) {
		enqueue(rp, rp->filling);
		rp->filling = NULL;
	}
	pthread_mutex_lock(&rp->lock);
	rp->done = 1;
	pthread_cond_broadcast(&rp->cond);
	pthread_mutex_unlock(&rp->lock);
	pthread_join(rp->thread, NULL);
	rp->started = 0;
	if (rp->failed) {
		if (e)
			*e = rp->err;
		return -1;
	}
	return 0;
}

void runpages_free(struct runpages *rp)
{
	if (!rp)
		return;
	runpages_finish(rp, NULL);
	while (rp->head) {
		struct batch *b = rp->head;

		rp->head = b->next;
		free_batch(b);
	}
	free_batch(rp->filling);
	while (rp->spare) {
		struct batch *b = rp->spare;

		rp->spare = b->next;
		free_batch(b);
	}
	pthread_mutex_destroy(&rp->lock);
	pthread_cond_destroy(&rp->cond);
	for (int i = 0; i < RUNPAGES_OPEN; i++)
		buf_release(&rp->open[i].html);
	runpage_ctx_free(rp->x);
	if (rp->index_fd >= 0) {	/* a failure: the index is not put in place */
		close(rp->index_fd);
		unlink(rp->index_tmp);
	}
	buf_release(&rp->index);
	free(rp->index_path);
	free(rp->index_tmp);
	free(rp->written.slot);
	free(rp->kept);
	free(rp->runs_dir);
	free(rp);
}
