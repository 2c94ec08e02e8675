#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "paths.h"

struct journal {
	char *dir;
	char *path;		/* DIR/journal.jsonl */
	int fd;			/* O_RDWR | O_APPEND */
	int lock_fd;		/* DIR/journal.lock, flock()ed */
	int broken;		/* a failed write left the file in doubt */
	long long *runs;	/* recorded run numbers, sorted */
	size_t n_runs, cap_runs;
	struct journal_state st;
};

/* ---- records ---------------------------------------------------------- */

enum record_type { REC_OTHER, REC_RUN, REC_INFRA, REC_CAMPAIGN };

/* Check that rec is a journal record; on success *ret_type and (for run
 * records) *ret_run are set. msg gets the reason otherwise. */
static int record_check(json_t *rec, enum record_type *ret_type,
			long long *ret_run, char *msg, size_t size)
{
	json_t *type = json_object_get(rec, "type");
	json_t *run = json_object_get(rec, "run");
	const char *t;

	if (!json_is_object(rec)) {
		snprintf(msg, size, "a record must be a JSON object");
		return -1;
	}
	if (!json_is_string(type)) {
		snprintf(msg, size, "a record needs a string \"type\"");
		return -1;
	}
	t = json_string_value(type);
	*ret_type = !strcmp(t, "run") ? REC_RUN :
		    !strcmp(t, "infra") ? REC_INFRA :
		    !strcmp(t, "campaign") ? REC_CAMPAIGN : REC_OTHER;
	if (*ret_type != REC_RUN)
		return 0;
	if (!json_is_integer(run) || json_integer_value(run) < 1) {
		snprintf(msg, size, "a run record needs an integer \"run\" >= 1");
		return -1;
	}
	*ret_run = json_integer_value(run);
	return 0;
}

/* ---- the set of recorded runs ----------------------------------------- */

/* Index of the first element >= n. */
static size_t runs_lower_bound(const struct journal *j, long long n)
{
	size_t lo = 0, hi = j->n_runs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (j->runs[mid] < n)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int journal_has_run(const struct journal *j, long long n)
{
	size_t i = runs_lower_bound(j, n);

	return i < j->n_runs && j->runs[i] == n;
}

static void runs_insert(struct journal *j, long long n)
{
	size_t i = runs_lower_bound(j, n);

	if (j->n_runs == j->cap_runs) {
		j->cap_runs = j->cap_runs ? 2 * j->cap_runs : 256;
		j->runs = xrealloc(j->runs, j->cap_runs * sizeof(*j->runs));
	}
	memmove(j->runs + i + 1, j->runs + i,
		(j->n_runs - i) * sizeof(*j->runs));
	j->runs[i] = n;
	j->n_runs++;
	while (journal_has_run(j, j->st.next_run))
		j->st.next_run++;
}

static void count_outcome(struct journal_outcomes *o, json_t *rec)
{
	const char *s = json_string_value(json_object_get(rec, "outcome"));

	if (!s)
		o->other++;
	else if (!strcmp(s, "no-effect"))
		o->no_effect++;
	else if (!strcmp(s, "recovered"))
		o->recovered++;
	else if (!strcmp(s, "flaw"))
		o->flaw++;
	else if (!strcmp(s, "infra-error"))
		o->infra_error++;
	else if (!strcmp(s, "unjudged"))
		o->unjudged++;
	else if (!strcmp(s, "set-aside"))
		o->set_aside++;
	else
		o->other++;
}

/* Account for a checked record. */
static void state_add(struct journal *j, json_t *rec, enum record_type type,
		      long long run)
{
	j->st.records++;
	switch (type) {
	case REC_RUN:
		j->st.runs++;
		if (run > j->st.max_run)
			j->st.max_run = run;
		count_outcome(&j->st.outcomes, rec);
		runs_insert(j, run);
		break;
	case REC_INFRA:
		j->st.infra++;
		break;
	case REC_CAMPAIGN:
		j->st.campaign_events++;
		break;
	case REC_OTHER:
		break;
	}
}

/* ---- reading ----------------------------------------------------------- */

/* A walk over the lines of a journal file. Every newline-terminated line
 * that parses is passed to fn; one that does not parse is a torn tail if
 * nothing follows it, else an error. Bytes after the last newline are a
 * torn tail too. */
struct scan {
	const char *path;
	journal_fn fn;
	void *ctx;
	off_t good_end;		/* offset just past the last good line */
	off_t file_end;
	int torn;
};

static int scan_line(struct scan *sc, const char *line, size_t len,
		     long long lineno, int *ret_bad, struct err *e)
{
	json_error_t jerr;
	json_t *rec = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	int r;

	if (!rec) {
		*ret_bad = 1;
		return 0;
	}
	r = sc->fn(rec, lineno, sc->ctx, e);
	json_decref(rec);
	return r;
}

static int scan_fd(int fd, struct scan *sc, struct err *e)
{
	struct buf b = BUF_INIT;	/* bytes not yet passed as lines */
	off_t off = 0;			/* file offset of b.data[0] */
	size_t searched = 0;		/* b.data[0..searched) has no newline */
	long long lineno = 0, bad = 0;
	char chunk[65536];
	int r = -1;

	sc->good_end = 0;
	sc->torn = 0;
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		size_t start = 0;
		char *nl;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_errno(e, errno, "cannot read journal '%s'", sc->path);
			goto out;
		}
		if (n == 0)
			break;
		buf_add(&b, chunk, (size_t)n);
		while ((nl = memchr(b.data + searched, '\n', b.len - searched))) {
			size_t len = (size_t)(nl - (b.data + start));
			int is_bad = 0;

			lineno++;
			if (bad) {
				err_set(e, "journal '%s' line %lld: not valid JSON; "
					"the file is damaged before its end", sc->path, bad);
				goto out;
			}
			r = scan_line(sc, b.data + start, len, lineno, &is_bad, e);
			if (r)
				goto out;
			r = -1;
			if (is_bad)
				bad = lineno;
			start += len + 1;
			searched = start;
			if (!bad)
				sc->good_end = off + (off_t)start;
		}
		searched = b.len - start;
		memmove(b.data, b.data + start, b.len - start);
		b.len -= start;
		b.data[b.len] = '\0';
		off += (off_t)start;
	}
	if (bad && b.len) {
		err_set(e, "journal '%s' line %lld: not valid JSON; "
			"the file is damaged before its end", sc->path, bad);
		goto out;
	}
	sc->file_end = off + (off_t)b.len;
	sc->torn = sc->file_end > sc->good_end;
	r = 0;
out:
	buf_release(&b);
	return r;
}

int journal_foreach(const char *dir, journal_fn fn, void *ctx, struct err *e)
{
	char *path = xasprintf("%s/journal.jsonl", dir);
	struct scan sc = { .path = path, .fn = fn, .ctx = ctx };
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0) {
		r = errno == ENOENT ? 0 :
		    err_errno(e, errno, "cannot open journal '%s'", path);
		free(path);
		return r;
	}
	r = scan_fd(fd, &sc, e);
	close(fd);
	free(path);
	return r;
}

/* ---- opening ----------------------------------------------------------- */

int journal_lock(const char *dir, int *ret_fd, struct err *e)
{
	char *path = xasprintf("%s/journal.lock", dir);
	char pid[32] = "";
	ssize_t n;
	int len, fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644), r = -1;

	if (fd < 0) {
		err_errno(e, errno, "cannot open lock file '%s'", path);
		free(path);
		return -1;
	}
	free(path);
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK) {
			err_errno(e, errno, "cannot lock results directory '%s'", dir);
			goto out;
		}
		n = pread(fd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		err_set(e, "results directory '%s' is in use by another campaign "
			"(pid %s)", dir, *pid ? pid : "unknown");
		goto out;
	}
	len = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)len, 0) != len) {
		err_errno(e, errno, "cannot write lock file in '%s'", dir);
		goto out;
	}
	*ret_fd = fd;
	fd = -1;
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	return r;
}

/* journal_fn for journal_open(): check and count each record. */
static int load_record(json_t *rec, long long line, void *ctx, struct err *e)
{
	struct journal *j = ctx;
	enum record_type type;
	long long run = 0;
	char msg[128];

	if (record_check(rec, &type, &run, msg, sizeof(msg)) < 0)
		return err_set(e, "journal '%s' line %lld: %s", j->path, line, msg);
	if (type == REC_RUN && journal_has_run(j, run))
		return err_set(e, "journal '%s' line %lld: run %lld is recorded "
			       "twice", j->path, line, run);
	state_add(j, rec, type, run);
	return 0;
}

static int load_journal(struct journal *j, struct err *e)
{
	struct scan sc = { .path = j->path, .fn = load_record, .ctx = j };

	if (scan_fd(j->fd, &sc, e) < 0)
		return -1;
	if (!sc.torn)
		return 0;
	/* A crash in the middle of an append: the record was never
	 * acknowledged, so cutting it away loses nothing that was recorded. */
	if (ftruncate(j->fd, sc.good_end) < 0 || fsync(j->fd) < 0)
		return err_errno(e, errno, "cannot cut the torn last line off "
				 "journal '%s'", j->path);
	j->st.repaired = 1;
	j->st.dropped_bytes = (long long)(sc.file_end - sc.good_end);
	return 0;
}

int journal_open(const char *dir, struct journal **ret,
		 struct journal_state *ret_state, struct err *e)
{
	struct journal *j = xcalloc(1, sizeof(*j));

	j->dir = xstrdup(dir);
	j->path = xasprintf("%s/journal.jsonl", dir);
	j->fd = -1;
	j->lock_fd = -1;
	j->st.next_run = 1;
	if (paths_mkdirs(dir, 0755, e) < 0 || journal_lock(dir, &j->lock_fd, e) < 0)
		goto fail;
	j->fd = open(j->path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (j->fd < 0) {
		err_errno(e, errno, "cannot open journal '%s'", j->path);
		goto fail;
	}
	if (load_journal(j, e) < 0 || paths_fsync_dir(dir, e) < 0)
		goto fail;
	if (ret_state)
		*ret_state = j->st;
	*ret = j;
	return 0;
fail:
	journal_close(j);
	return -1;
}

void journal_close(struct journal *j)
{
	if (!j)
		return;
	if (j->fd >= 0)
		close(j->fd);
	if (j->lock_fd >= 0)
		close(j->lock_fd);	/* releases the flock */
	free(j->runs);
	free(j->path);
	free(j->dir);
	free(j);
}

const struct journal_state *journal_get_state(const struct journal *j)
{
	return &j->st;
}

/* ---- appending --------------------------------------------------------- */

/* Write all of data at the end of the file; on failure try to cut a
 * partial line back off, and mark the journal broken if that fails. */
static int append_line(struct journal *j, const char *data, size_t len,
		       struct err *e)
{
	struct stat st;
	size_t done = 0;
	int saved = ENOSPC;	/* what a write() of 0 bytes means here */

	if (fstat(j->fd, &st) < 0)
		return err_errno(e, errno, "cannot append to journal '%s'", j->path);
	/* One write() unless the kernel writes less (a full disk): then the
	 * rest follows; a crash in between leaves a torn tail, as any other. */
	while (done < len) {
		ssize_t n = write(j->fd, data + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			saved = errno;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	if (done == len)
		return 0;
	if (done && ftruncate(j->fd, st.st_size) < 0)
		j->broken = 1;
	return err_errno(e, saved, "cannot append to journal '%s'", j->path);
}

int journal_append(struct journal *j, json_t *record, struct err *e)
{
	enum record_type type;
	long long run = 0;
	char msg[128], *line;
	size_t len;
	int r = -1;

	if (j->broken)
		return err_set(e, "cannot append to journal '%s': an earlier write "
			       "failed; reopen the journal", j->path);
	if (record_check(record, &type, &run, msg, sizeof(msg)) < 0)
		return err_set(e, "cannot append to journal '%s': %s", j->path, msg);
	if (type == REC_RUN && journal_has_run(j, run))
		return err_set(e, "run %lld is already recorded in journal '%s'",
			       run, j->path);
	line = json_dumps(record, JSON_COMPACT);
	if (!line)
		return err_set(e, "cannot append to journal '%s': the record cannot "
			       "be serialised", j->path);
	len = strlen(line);
	if (memchr(line, '\n', len)) {
		err_set(e, "cannot append to journal '%s': the record contains a "
			"newline", j->path);
		goto out;
	}
	line = xrealloc(line, len + 2);
	line[len++] = '\n';
	line[len] = '\0';
	if (append_line(j, line, len, e) < 0)
		goto out;
	if (fdatasync(j->fd) < 0) {
		/* After a failed fdatasync() the kernel may have dropped the
		 * dirty pages: nothing written since is known to be safe. */
		j->broken = 1;
		err_errno(e, errno, "cannot sync journal '%s'", j->path);
		goto out;
	}
	state_add(j, record, type, run);
	r = 0;
out:
	free(line);
	return r;
}

/* ---- campaign.json ----------------------------------------------------- */

int journal_write_campaign(const char *dir, json_t *meta, struct err *e)
{
	char *path = xasprintf("%s/campaign.json", dir);
	char *text = json_dumps(meta, JSON_INDENT(2));
	char *data;
	int r = -1;

	if (!json_is_object(meta) || !text) {
		err_set(e, "cannot write '%s': the campaign description is not a "
			"JSON object", path);
		goto out;
	}
	data = xasprintf("%s\n", text);
	r = paths_mkdirs(dir, 0755, e) < 0 ||
	    paths_write_atomic(path, data, e) < 0 || paths_fsync_dir(dir, e) < 0 ? -1 : 0;
	free(data);
out:
	free(text);
	free(path);
	return r;
}

/* The value as short compact JSON, for messages. */
static void describe_value(json_t *v, char *out, size_t size)
{
	char *s;
	size_t n;

	if (!v) {
		snprintf(out, size, "absent");
		return;
	}
	s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	n = s ? strlen(s) : 0;
	if (n > 60) {
		n = 57;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;	/* do not split a UTF-8 sequence */
		snprintf(out, size, "%.*s...", (int)n, s);
	} else {
		snprintf(out, size, "%s", s ? s : "?");
	}
	free(s);
}

static void path_key(struct buf *path, const char *key)
{
	size_t simple = strspn(key, "abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");

	if (*key && !key[simple]) {
		if (path->len)
			buf_addch(path, '.');
		buf_adds(path, key);
	} else {
		json_t *s = json_string(key);
		char *q = s ? json_dumps(s, JSON_ENCODE_ANY) : NULL;

		buf_addf(path, "[%s]", q ? q : "\"?\"");
		free(q);
		json_decref(s);
	}
}

static void report_diff(const struct buf *path, json_t *a, json_t *b,
			char *out, size_t size)
{
	char va[80], vb[80];

	describe_value(a, va, sizeof(va));
	describe_value(b, vb, sizeof(vb));
	snprintf(out, size, "%s is %s there and %s here",
		 path->len ? path->data : "the root", va, vb);
}

static int diff_at(json_t *a, json_t *b, struct buf *path, char *out,
		   size_t size)
{
	size_t mark = path->len;
	const char *key;
	json_t *v;

	if (json_equal(a, b))
		return 0;
	if (json_is_object(a) && json_is_object(b)) {
		json_object_foreach(b, key, v) {
			path_key(path, key);
			if (diff_at(json_object_get(a, key), v, path, out, size))
				return 1;
			path->len = mark;
			path->data[mark] = '\0';
		}
		json_object_foreach(a, key, v) {
			if (json_object_get(b, key))
				continue;
			path_key(path, key);
			report_diff(path, v, NULL, out, size);
			return 1;
		}
	} else if (json_is_array(a) && json_is_array(b)) {
		size_t na = json_array_size(a), nb = json_array_size(b);

		for (size_t i = 0; i < na || i < nb; i++) {
			buf_addf(path, "[%zu]", i);
			if (diff_at(json_array_get(a, i), json_array_get(b, i),
				    path, out, size))
				return 1;
			path->len = mark;
			path->data[mark] = '\0';
		}
	}
	report_diff(path, a, b, out, size);
	return 1;
}

int journal_json_diff(json_t *a, json_t *b, char *out, size_t size)
{
	struct buf path = BUF_INIT;
	int r;

	if (size)
		out[0] = '\0';
	r = diff_at(a, b, &path, out, size);
	buf_release(&path);
	return r;
}

static int count_record(json_t *rec, long long line, void *ctx, struct err *e)
{
	(void)rec;
	(void)line;
	(void)e;
	++*(long long *)ctx;
	return 0;
}

/* A campaign.json's shard "I/N" ("1/1": the whole campaign). */
static void shard_text(json_t *meta, char out[48])
{
	json_t *s = json_object_get(meta, "shard");

	snprintf(out, 48, "%lld/%lld",
		 s ? (long long)json_integer_value(json_object_get(s, "index")) : 1LL,
		 s ? (long long)json_integer_value(json_object_get(s, "count")) : 1LL);
}

int journal_check_campaign(const char *dir, json_t *meta, struct err *e)
{
	char *path = xasprintf("%s/campaign.json", dir);
	json_t *old = NULL, *seed_there, *seed_here;
	json_error_t jerr;
	long long records = 0;
	char diff[600], a[80], b[80];
	int r = -1;

	if (!json_is_object(json_object_get(meta, "config"))) {
		err_set(e, "cannot check results directory '%s': the campaign "
			"description has no \"config\" object", dir);
		goto out;
	}
	if (access(path, F_OK) < 0 && errno == ENOENT) {
		if (journal_foreach(dir, count_record, &records, e) < 0)
			goto out;
		if (records)
			err_set(e, "results directory '%s' has a journal but no "
				"campaign.json; use another --out directory", dir);
		else
			r = JOURNAL_FRESH;
		goto out;
	}
	old = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!old) {
		err_set(e, "cannot read '%s': line %d: %s", path, jerr.line,
			jerr.text);
		goto out;
	}
	if (!json_is_object(json_object_get(old, "config"))) {
		err_set(e, "cannot read '%s': no \"config\" object", path);
		goto out;
	}
	/* `campaign merge` rewrites the whole directory at its next run:
	 * runs added to it would be lost */
	if (json_object_get(old, "merged_from")) {
		err_set(e, "results directory '%s' is a merge of shards (campaign "
			"merge), not a campaign's; use another --out directory", dir);
		goto out;
	}
	if (journal_json_diff(json_object_get(old, "config"),
			      json_object_get(meta, "config"), diff, sizeof(diff))) {
		err_set(e, "results directory '%s' was made by a different config: "
			"%s; use another --out directory", dir, diff);
		goto out;
	}
	seed_there = json_object_get(old, "seed");
	seed_here = json_object_get(meta, "seed");
	if (seed_there && seed_here && !json_equal(seed_there, seed_here)) {
		describe_value(seed_there, a, sizeof(a));
		describe_value(seed_here, b, sizeof(b));
		err_set(e, "results directory '%s' was made with seed %s, not %s; "
			"use another --out directory", dir, a, b);
		goto out;
	}
	shard_text(old, a);
	shard_text(meta, b);
	if (strcmp(a, b)) {
		err_set(e, "results directory '%s' was made for shard %s, not %s; "
			"use another --out directory", dir, a, b);
		goto out;
	}
	r = JOURNAL_RESUME;
out:
	json_decref(old);
	free(path);
	return r;
}
