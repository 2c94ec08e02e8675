/* merge_journal.c - the shards' journals as one: an index of each (where
 * every record's line is, and its run), then a k-way merge by run number
 * that copies the lines byte for byte into the merged journal.
 *
 * Memory: 24 bytes per record for the index, a read window per shard and
 * one output buffer; never a whole journal. Every line is checked as
 * the report's cursor (report_json.h) checks it, the whole grammar:
 * first by the fast path of merge_scan.c, then, for what it leaves (rare
 * forms, every error), by the cursor itself. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "lines.h"
#include "merge_priv.h"
#include "parallel.h"
#include "paths.h"
#include "report_journal.h"
#include "report_json.h"
#include "writer.h"

#define WINDOW (256 << 10)	/* read-ahead per shard while writing */
#define OUT_CHUNK (1 << 20)	/* bytes written at a time */

/* ---- one line ---------------------------------------------------------- */

int merge_parse_line(struct mparser *p, const char *text, size_t len,
		     struct mline *ret, const char **why)
{
	long long run = 0;
	int first, m, has_type = 0, has_run = 0;
	struct rj c;

	rj_init(&c, text, len);
	if (rj_peek(&c) != RJ_OBJECT) {
		if (rj_skip(&c) < 0 || rj_end(&c) < 0)
			return MLINE_NOT_JSON;
		*why = "a record must be a JSON object";
		return MLINE_NOT_RECORD;
	}
	buf_reset(&p->event);
	if (rj_object(&c, &first) < 0)
		return MLINE_NOT_JSON;
	while ((m = rj_member(&c, &first, &p->key)) > 0) {
		const char *k = p->key.data;
		int got;

		if (!strcmp(k, "type"))
			got = has_type = rj_str(&c, &p->type);
		else if (!strcmp(k, "run"))
			got = has_run = rj_int(&c, &run);
		else if (!strcmp(k, "event"))
			got = rj_str(&c, &p->event);
		else
			got = rj_skip(&c);
		if (got < 0)
			return MLINE_NOT_JSON;
	}
	if (m < 0 || rj_end(&c) < 0)
		return MLINE_NOT_JSON;
	if (has_type <= 0) {
		*why = "a record needs a string \"type\"";
		return MLINE_NOT_RECORD;
	}
	if (!strcmp(p->type.data, "run")) {
		if (has_run <= 0 || run < 1) {
			*why = "a run record needs an integer \"run\" >= 1";
			return MLINE_NOT_RECORD;
		}
		*ret = (struct mline){ MLINE_RUN, run, 0 };
	} else if (!strcmp(p->type.data, "campaign")) {
		*ret = (struct mline){ MLINE_CAMPAIGN, 0, !strcmp(p->event.data, "stop") };
	} else {
		*ret = (struct mline){ MLINE_OTHER, has_run > 0 && run > 0 ? run : 0, 0 };
	}
	return MLINE_OK;
}

void merge_parser_release(struct mparser *p)
{
	buf_release(&p->key);
	buf_release(&p->type);
	buf_release(&p->event);
}

/* ---- indexing a shard -------------------------------------------------- */

static void add_entry(struct mshard *s, const struct mline *li, long long off,
		      size_t len, long long line)
{
	if (s->n_entries == s->cap_entries) {
		s->cap_entries = s->cap_entries ? 2 * s->cap_entries : 4096;
		s->entries = xrealloc(s->entries, (size_t)s->cap_entries * sizeof(*s->entries));
	}
	s->entries[s->n_entries++] = (struct mentry){
		.run = li->run, .off = off, .len = (uint32_t)len,
		.line_kind = (uint32_t)line << 1 | (li->kind == MLINE_RUN),
	};
}

static int cmp_entry(const struct mentry *a, const struct mentry *b)
{
	if (a->run != b->run)
		return a->run < b->run ? -1 : 1;
	/* a run's infra records before its run record, then file order */
	return a->line_kind == b->line_kind ? 0 :
	       (a->line_kind & 1) != (b->line_kind & 1) ? ((a->line_kind & 1) ? 1 : -1) :
	       a->line_kind < b->line_kind ? -1 : 1;
}

static int cmp_entry_q(const void *a, const void *b)
{
	return cmp_entry(a, b);
}

static long long line_of(const struct mentry *en)
{
	return (long long)(en->line_kind >> 1);
}

/* Sort (a journal is mostly in run order already: several testbeds
 * finish runs slightly out of order), then refuse a run recorded twice
 * or a run of another shard. */
static int sort_and_check(struct mshard *s, const char *path, struct err *e)
{
	int sorted = 1;

	for (long long i = 1; i < s->n_entries && sorted; i++)
		sorted = cmp_entry(&s->entries[i - 1], &s->entries[i]) <= 0;
	if (!sorted)
		qsort(s->entries, (size_t)s->n_entries, sizeof(*s->entries), cmp_entry_q);
	for (long long i = 0; i < s->n_entries; i++) {
		const struct mentry *en = &s->entries[i];
		long long want = s->index % s->count, got;

		if (!(en->line_kind & 1))
			continue;
		if (i > 0 && (s->entries[i - 1].line_kind & 1) && s->entries[i - 1].run == en->run)
			return err_set(e, "journal '%s' line %lld: run %lld is recorded twice",
				       path, line_of(en) > line_of(&s->entries[i - 1]) ?
				       line_of(en) : line_of(&s->entries[i - 1]), en->run);
		got = en->run % s->count;
		if (got != want)
			return err_set(e, "cannot merge '%s': shard %d of %d, but its journal "
				       "holds run %lld (line %lld), a run of shard %lld of %d", s->dir,
				       s->index, s->count, en->run, line_of(en),
				       got ? got : s->count, s->count);
	}
	return 0;
}

struct index_line {
	struct mshard *s;
	struct mparser p;
	const char *path;
};

static int index_line(void *ctx, const char *text, size_t len, long long line,
		      long long at, struct err *e)
{
	struct index_line *x = ctx;
	struct mline li;
	const char *why = NULL;
	int k = MLINE_OK;

	if (line > (long long)(UINT32_MAX >> 1))
		return err_set(e, "journal '%s' line %lld: too many lines; the file is "
			       "not a journal or is damaged", x->path, line);
	if (!merge_scan_line(text, len, &li))
		k = merge_parse_line(&x->p, text, len, &li, &why);
	if (k == MLINE_NOT_RECORD)
		return err_set(e, "journal '%s' line %lld: %s", x->path, line, why);
	if (k == MLINE_NOT_JSON)
		return LINES_BAD;
	if (li.kind == MLINE_CAMPAIGN)
		x->s->stopped = li.stop;
	else
		add_entry(x->s, &li, at, len, line);
	x->s->runs += li.kind == MLINE_RUN;
	x->s->others += li.kind == MLINE_OTHER;
	return 0;
}

/* Lines of the journal at fd, from the start, into s. */
static int index_fd(struct mshard *s, int fd, const char *path, struct err *e)
{
	struct index_line x = { s, { BUF_INIT, BUF_INIT, BUF_INIT }, path };
	struct lines_pos pos = { 0, 0, 0 };
	char *what = xasprintf("journal '%s'", path);
	int r = lines_read(fd, what, REPORT_JOURNAL_LINE_MAX, &pos, index_line, &x, e);

	if (r == 0) {
		s->torn_bytes = pos.torn;
		r = sort_and_check(s, path, e);
	}
	free(what);
	merge_parser_release(&x.p);
	return r;
}

static int index_shard(struct mshard *s, struct err *e)
{
	char *path = xasprintf("%s/journal.jsonl", s->dir);
	int fd = paths_open_regular(path, NULL, e), r;

	if (fd < 0) {
		r = errno == ENOENT ? 0 : -1;	/* no journal yet: no records */
	} else {
		r = index_fd(s, fd, path, e);
		close(fd);
	}
	free(path);
	return r;
}

struct index_ctx {
	struct mshard *shards;
	int n;
	int next;		/* the next shard to take (atomically) */
};

static int index_worker(void *arg, int worker)
{
	struct index_ctx *c = arg;
	int i;

	(void)worker;
	while ((i = __atomic_fetch_add(&c->next, 1, __ATOMIC_RELAXED)) < c->n) {
		struct mshard *s = &c->shards[i];

		s->failed = index_shard(s, &s->err) < 0;
	}
	return 0;
}

int merge_journal_index(struct mshard *shards, int n, int threads,
			struct err *e)
{
	struct index_ctx c = { shards, n, 0 };

	if (threads < 1)
		threads = 1;
	if (threads > n)
		threads = n;
	if (threads == 1)
		index_worker(&c, 0);
	else
		parallel_for(threads, index_worker, &c);
	for (int i = 0; i < n; i++)
		if (shards[i].failed) {
			*e = shards[i].err;
			return -1;
		}
	return 0;
}

void merge_journal_release(struct mshard *s)
{
	free(s->entries);
	s->entries = NULL;
	s->n_entries = s->cap_entries = 0;
}

/* ---- writing ----------------------------------------------------------- */

/* A shard's journal as the merge reads it back: a window of its bytes. */
struct reader {
	struct mshard *s;
	char *path;
	int fd;
	long long next;		/* index of its next entry */
	char *buf;
	size_t cap, len;
	long long off;		/* file offset of buf[0] */
};

/* The line of entry en (its newline checked), read through the window. */
static const char *reader_line(struct reader *r, const struct mentry *en,
			       struct err *e)
{
	size_t need = (size_t)en->len + 1;

	if (en->off < r->off || en->off + (long long)need > r->off + (long long)r->len) {
		size_t want = need > WINDOW ? need : WINDOW;

		if (r->cap < want) {
			r->buf = xrealloc(r->buf, want);
			r->cap = want;
		}
		r->off = en->off;
		r->len = 0;
		while (r->len < want) {
			ssize_t k = pread(r->fd, r->buf + r->len, want - r->len,
					  (off_t)(r->off + (long long)r->len));

			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0) {
				err_errno(e, errno, "cannot read journal '%s'", r->path);
				return NULL;
			}
			if (k == 0)
				break;
			r->len += (size_t)k;
		}
	}
	if (r->len < (size_t)(en->off - r->off) + need ||
	    r->buf[en->off - r->off + en->len] != '\n') {
		err_set(e, "journal '%s' changed while it was merged (line %lld is no "
			"longer where it was); merge again", r->path, line_of(en));
		return NULL;
	}
	return r->buf + (en->off - r->off);
}

/* A min-heap of readers by their next entry. */
struct heap {
	struct reader **r;
	int n;
};

static int reader_less(const struct reader *a, const struct reader *b)
{
	int c = cmp_entry(&a->s->entries[a->next], &b->s->entries[b->next]);

	return c ? c < 0 : a->s->index < b->s->index;
}

static void heap_down(struct heap *h, int i)
{
	for (;;) {
		int l = 2 * i + 1, m = i;
		struct reader *t;

		if (l < h->n && reader_less(h->r[l], h->r[m]))
			m = l;
		if (l + 1 < h->n && reader_less(h->r[l + 1], h->r[m]))
			m = l + 1;
		if (m == i)
			return;
		t = h->r[i];
		h->r[i] = h->r[m];
		h->r[m] = t;
		i = m;
	}
}

static int add_json_line(struct writer *out, json_t *rec, const char *path,
			 struct err *e)
{
	char *line = rec ? json_dumps(rec, JSON_COMPACT) : NULL;
	int r;

	if (!line)
		return err_set(e, "cannot write '%s': a campaign event cannot be "
			       "serialised", path);
	r = writer_add(out, line, strlen(line), e) < 0 || writer_add(out, "\n", 1, e) < 0;
	free(line);
	return r ? -1 : 0;
}

static int copy_entries(struct reader *rs, int n, struct writer *out, struct err *e)
{
	struct heap h = { xcalloc((size_t)n + 1, sizeof(struct reader *)), 0 };
	int r = -1;

	for (int i = 0; i < n; i++)
		if (rs[i].s->n_entries)
			h.r[h.n++] = &rs[i];
	for (int i = h.n / 2 - 1; i >= 0; i--)
		heap_down(&h, i);
	while (h.n) {
		struct reader *top = h.r[0];
		const struct mentry *en = &top->s->entries[top->next];
		const char *line = reader_line(top, en, e);

		if (!line)
			goto out;
		if (writer_add(out, line, (size_t)en->len + 1, e) < 0)
			goto out;
		if (++top->next == top->s->n_entries)
			h.r[0] = h.r[--h.n];
		heap_down(&h, 0);
	}
	r = 0;
out:
	free(h.r);
	return r;
}

int merge_journal_write(const char *path, const char *replaces, struct mshard *shards,
			int n, json_t *start, json_t *stop, int *ret_fd, struct err *e)
{
	struct reader *rs = xcalloc((size_t)n + 1, sizeof(*rs));
	struct writer *out;
	struct err later;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), r = -1, failed;
	int old = replaces ? open(replaces, O_RDONLY | O_CLOEXEC) : -1;

	if (fd < 0) {
		err_errno(e, errno, "cannot write '%s'", path);
		goto out;
	}
	for (int i = 0; i < n; i++) {
		rs[i] = (struct reader){ .s = &shards[i], .fd = -1 };
		rs[i].path = xasprintf("%s/journal.jsonl", shards[i].dir);
		if (!shards[i].n_entries)
			continue;
		rs[i].fd = paths_open_regular(rs[i].path, NULL, e);
		if (rs[i].fd < 0)
			goto out;
	}
	out = writer_start(fd, path, OUT_CHUNK, old);
	failed = add_json_line(out, start, path, e) < 0 || copy_entries(rs, n, out, e) < 0 ||
		 (stop && add_json_line(out, stop, path, e) < 0);
	/* after a failure here, e keeps it and the writer's own is dropped */
	if (writer_finish(out, failed ? &later : e) < 0 || failed)
		goto out;
	*ret_fd = fd;
	fd = -1;
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	if (old >= 0)
		close(old);
	for (int i = 0; i < n; i++) {
		if (rs[i].fd >= 0)
			close(rs[i].fd);
		free(rs[i].path);
		free(rs[i].buf);
	}
	free(rs);
	return r;
}
