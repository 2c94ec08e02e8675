/* report_runlazy.c - a run page rendered on request (`campaign serve`):
 * the page past REPORT_RUN_PAGES_ALL whose ordinary runs the report left
 * out, in full, from report/runs/index.bin (where each of its runs' line
 * is in the journal) and the journal. The same head, sections and footer
 * as report_runpages.c writes, so the page is the one the report would
 * have written with every run.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.h"
#include "report_runpage.h"

#define CHUNK 4096	/* records read at a time */

static int read_at(int fd, void *to, size_t n, off_t at)
{
	for (size_t got = 0; got < n;) {
		ssize_t r = pread(fd, (char *)to + got, n - got, at + (off_t)got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

struct index {
	int fd;
	const char *path;
	struct runindex_head head;
	long long n;		/* records */
};

static int index_rec(const struct index *x, long long i, struct runindex_rec *ret)
{
	return read_at(x->fd, ret, sizeof(*ret),
		       (off_t)(sizeof(x->head) + (size_t)i * sizeof(*ret)));
}

/* The first record of a sorted index with a run >= run. */
static int index_lower(const struct index *x, long long run, long long *ret,
		       struct err *e)
{
	long long lo = 0, hi = x->n;

	while (lo < hi) {
		long long mid = lo + (hi - lo) / 2;
		struct runindex_rec rec;

		if (index_rec(x, mid, &rec) < 0)
			return err_errno(e, errno ? errno : EIO, "cannot read '%s'", x->path);
		if (rec.run < run)
			lo = mid + 1;
		else
			hi = mid;
	}
	*ret = lo;
	return 0;
}

/* The records of runs first..last into *ret (new), in the journal's order. */
static int index_page(const struct index *x, long long first, long long last,
		      struct runindex_rec **ret, long long *ret_n, struct err *e)
{
	struct runindex_rec *chunk = xcalloc(CHUNK, sizeof(*chunk)), *got = NULL;
	long long i = 0, n = 0, cap = 0;
	int stop = 0;

	if (x->head.sorted && index_lower(x, first, &i, e) < 0)
		goto fail;
	while (i < x->n && !stop) {
		long long k = x->n - i < CHUNK ? x->n - i : CHUNK;

		if (read_at(x->fd, chunk, (size_t)k * sizeof(*chunk),
			    (off_t)(sizeof(x->head) + (size_t)i * sizeof(*chunk))) < 0) {
			err_errno(e, errno ? errno : EIO, "cannot read '%s'", x->path);
			goto fail;
		}
		for (long long j = 0; j < k && !stop; j++) {
			if (chunk[j].run < first || chunk[j].run > last) {
				stop = x->head.sorted && chunk[j].run > last;
				continue;
			}
			if (n == RUNINDEX_PAGE_RECORDS) {
				err_set(e, "'%s' holds more than %d runs of page %lld",
					x->path, RUNINDEX_PAGE_RECORDS,
					(first - 1) / REPORT_RUN_PAGE_RUNS + 1);
				goto fail;
			}
			if (n == cap) {
				cap = cap ? 2 * cap : 512;
				got = xrealloc(got, (size_t)cap * sizeof(*got));
			}
			got[n++] = chunk[j];
		}
		i += k;
	}
	free(chunk);
	*ret = got;
	*ret_n = n;
	return 0;
fail:
	free(chunk);
	free(got);
	return -1;
}

static int by_at(const void *a, const void *b)
{
	long long x = ((const struct runindex_rec *)a)->at;
	long long y = ((const struct runindex_rec *)b)->at;

	return x < y ? -1 : x > y;
}

static int index_open(struct index *x, const char *path, struct err *e)
{
	struct stat st;

	x->path = path;
	x->fd = paths_open_regular(path, &st, e);
	if (x->fd < 0)
		return errno == ENOENT ? 1 : -1;
	if ((size_t)st.st_size < sizeof(x->head) ||
	    ((size_t)st.st_size - sizeof(x->head)) % sizeof(struct runindex_rec) ||
	    read_at(x->fd, &x->head, sizeof(x->head), 0) < 0 ||
	    memcmp(x->head.magic, RUNINDEX_MAGIC, sizeof(x->head.magic)) ||
	    !memchr(x->head.generated, '\0', sizeof(x->head.generated)))
		return err_set(e, "'%s' is not an index of run pages; run `campaign "
			       "report` again", path);
	x->n = (long long)(((size_t)st.st_size - sizeof(x->head)) /
			   sizeof(struct runindex_rec));
	return 0;
}

/* The sections of recs from the journal at path into out. */
static int sections(const char *dir, const char *path, const struct runindex_rec *recs,
		    long long n, struct buf *out, struct err *e)
{
	struct runpage_ctx *x = runpage_ctx_new();
	struct buf line = BUF_INIT;
	struct rrec rec;
	struct stat st;
	long long bytes = 0;
	int fd = paths_open_regular(path, &st, e), r = -1;

	rrec_init(&rec);
	if (fd < 0)
		goto out;
	for (long long i = 0; i < n; i++) {
		const struct runindex_rec *ix = &recs[i];
		struct runpage_run run = { ix->run, ix->line, dir, NULL, 0 };

		bytes += ix->len;
		if (ix->len < 2 || ix->len > REPORT_JOURNAL_LINE_MAX || ix->at < 0 ||
		    bytes > RUNINDEX_PAGE_BYTES || ix->at > (long long)st.st_size - ix->len) {
			err_set(e, "the index of run pages does not fit journal '%s' (run %lld); "
				"run `campaign report` again", path, ix->run);
			goto out;
		}
		buf_reset(&line);
		buf_grow(&line, (size_t)ix->len + 1);
		if (read_at(fd, line.data, (size_t)ix->len, (off_t)ix->at) < 0) {
			err_errno(e, errno ? errno : EIO, "cannot read journal '%s'", path);
			goto out;
		}
		line.len = (size_t)ix->len;
		line.data[line.len] = '\0';
		if (report_journal_parse(line.data, line.len, &rec) < 0 ||
		    rec.type != RREC_RUN || rec.run != ix->run) {
			err_set(e, "journal '%s' does not hold run %lld at byte %lld: the "
				"index of run pages is out of date; run `campaign report` "
				"again", path, ix->run, ix->at);
			goto out;
		}
		runpage_list_files(&run);
		runpage_render(x, &run, line.data, rec.span, out);
		for (int k = 0; k < run.n_files; k++)
			free(run.files[k]);
		free(run.files);
	}
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	rrec_release(&rec);
	buf_release(&line);
	runpage_ctx_free(x);
	return r;
}

int runpage_render_page(const char *dir, long long page, struct buf *out,
			struct err *e)
{
	char *index_path = xasprintf("%s/report/runs/index.bin", dir);
	char *journal = xasprintf("%s/journal.jsonl", dir);
	struct index x = { -1, NULL, { "", "", 0, 0 }, 0 };
	struct runindex_rec *recs = NULL;
	struct report_data d;
	long long n = 0;
	int r;

	memset(&d, 0, sizeof(d));
	r = page < 1 || page > (1LL << 40) ? 1 : index_open(&x, index_path, e);
	if (r)
		goto out;
	r = -1;
	if (index_page(&x, (page - 1) * REPORT_RUN_PAGE_RUNS + 1,
		       page * REPORT_RUN_PAGE_RUNS, &recs, &n, e) < 0)
		goto out;
	r = 1;
	if (!n)
		goto out;
	r = -1;
	qsort(recs, (size_t)n, sizeof(*recs), by_at);
	if (report_load_campaign(dir, &d.campaign, e) < 0)
		goto out;
	d.dir = (char *)dir;
	memcpy(d.generated, x.head.generated, sizeof(d.generated));
	d.generated[sizeof(d.generated) - 1] = '\0';
	runpage_page_head(&d, page, out);
	if (sections(dir, journal, recs, n, out, e) < 0)
		goto out;
	report_page_foot(out, d.generated, "journal.jsonl");
	r = 0;
out:
	if (x.fd >= 0)
		close(x.fd);
	json_decref(d.campaign);
	free(recs);
	free(index_path);
	free(journal);
	return r;
}
