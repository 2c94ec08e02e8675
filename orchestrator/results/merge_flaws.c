/* merge_flaws.c - the shards' flaw files joined by flaw id.
 *
 * First the summary part of every file (the members before "examples",
 * which the flaw store writes last) is read with the report's cursor,
 * without building the traces: counts, sightings and run lists are joined
 * and the earliest runs that should have examples are chosen. Only when a
 * joined flaw is written are the files holding those examples parsed, so
 * the traces of one flaw at a time are in memory, from at most
 * FLAWS_EXAMPLES_DEFAULT shards. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "baseline.h"
#include "buf.h"
#include "flaws.h"
#include "merge_priv.h"
#include "paths.h"
#include "report_json.h"

#define EXAMPLES FLAWS_EXAMPLES_DEFAULT
#define HEAD_FIRST (64 << 10)	/* the summary part is read in this much first */

/* An example the joined flaw should keep: the shard's pos-th example,
 * presumably of run (the flaw store keeps the traces of a flaw's first
 * hits, in the order of its "runs"). */
struct mexample {
	long long run;
	int shard, pos;
};

struct mflaw {
	char id[FLAWS_ID_LEN + 1];
	json_t *meta;		/* the joined file without "runs" and "examples" */
	const char *first_dir;	/* the shard it was first read from, for messages */
	long long *runs;	/* sorted, at most FLAWS_RUNS_MAX */
	int n_runs;
	struct mexample ex[EXAMPLES];
	int n_ex;
};

struct mflaws {
	struct mflaw *f;
	int n;
};

/* ---- reading the summary part of a flaw file --------------------------- */

/* Parse the members of the object in text before "examples" into a new
 * object. 1: done; 0: text ends too soon (read more); -1: not JSON. */
static int parse_head(const char *text, size_t len, json_t **ret)
{
	struct buf key = BUF_INIT;
	json_t *o = json_object();
	struct rj c;
	int first, m, r = 0;

	rj_init(&c, text, len);
	if (rj_object(&c, &first) < 0)
		goto out;
	while ((m = rj_member(&c, &first, &key)) > 0) {
		const char *p0 = c.p;
		json_t *v;

		if (!strcmp(key.data, "examples")) {
			r = 1;
			goto out;
		}
		if (rj_skip(&c) < 0)
			goto out;
		v = json_loadb(p0, (size_t)(c.p - p0), JSON_DECODE_ANY, NULL);
		if (!v) {
			r = -1;
			goto out;
		}
		json_object_set_new(o, key.data, v);
	}
	if (m == 0 && rj_end(&c) == 0)
		r = 1;
out:
	buf_release(&key);
	if (r == 1)
		*ret = o;
	else
		json_decref(o);
	return r;
}

/* The members of flaw file path before "examples", reading no more of it
 * than needed (a file of FLAWS_FILE_MAX at most). New object in *ret. */
static int read_head(const char *path, struct buf *text, json_t **ret,
		     struct err *e)
{
	struct stat st;
	int fd = paths_open_regular(path, &st, e), r = -1;
	size_t want = HEAD_FIRST;

	if (fd < 0)
		return -1;
	if ((unsigned long long)st.st_size > FLAWS_FILE_MAX) {
		err_set(e, "flaw file '%s' is larger than %d bytes", path, FLAWS_FILE_MAX);
		goto out;
	}
	buf_reset(text);
	for (;;) {
		int k;

		while (text->len < want) {
			ssize_t n;

			buf_grow(text, want - text->len);
			n = read(fd, text->data + text->len, want - text->len);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				err_errno(e, errno, "cannot read flaw file '%s'", path);
				goto out;
			}
			if (n == 0)
				break;
			text->len += (size_t)n;
			text->data[text->len] = '\0';
		}
		k = parse_head(text->data, text->len, ret);
		if (k == 1) {
			r = 0;
			break;
		}
		if (k < 0 || text->len < want || want >= FLAWS_FILE_MAX) {
			err_set(e, "cannot read flaw file '%s': not valid JSON", path);
			break;
		}
		want = want * 4 < FLAWS_FILE_MAX ? want * 4 : FLAWS_FILE_MAX;
	}
out:
	close(fd);
	return r;
}

static long long seen_run(json_t *meta, const char *which)
{
	return json_integer_value(json_object_get(json_object_get(meta, which), "run"));
}

static int check_head(json_t *m, const char *path, const char *id, struct err *e)
{
	const char *doc_id = json_string_value(json_object_get(m, "id"));
	json_t *runs = json_object_get(m, "runs"), *v;
	size_t i;
	int ok = doc_id && !strcmp(doc_id, id) &&
		 json_is_string(json_object_get(m, "signature")) &&
		 json_is_integer(json_object_get(m, "count")) &&
		 json_is_integer(json_object_get(json_object_get(m, "first_seen"), "run")) &&
		 json_is_integer(json_object_get(json_object_get(m, "last_seen"), "run")) &&
		 json_is_array(runs);

	json_array_foreach(runs, i, v)
		ok = ok && json_is_integer(v) && json_integer_value(v) >= 1;
	if (ok)
		return 0;
	return err_set(e, "cannot merge flaw file '%s': not a flaw file (it needs \"id\" "
		       "'%s', \"signature\", \"count\", \"first_seen\", \"last_seen\", "
		       "\"runs\" of run numbers before \"examples\")", path, id);
}

/* ---- joining ----------------------------------------------------------- */

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/* f->runs := the first FLAWS_RUNS_MAX of f->runs + runs, sorted, unique. */
static void join_runs(struct mflaw *f, json_t *runs)
{
	size_t n = json_array_size(runs), k = 0;
	long long *all = xmalloc(((size_t)f->n_runs + n + 1) * sizeof(*all));
	json_t *v;
	size_t i;

	if (f->n_runs)
		memcpy(all, f->runs, (size_t)f->n_runs * sizeof(*all));
	k = (size_t)f->n_runs;
	json_array_foreach(runs, i, v)
		all[k++] = json_integer_value(v);
	qsort(all, k, sizeof(*all), cmp_ll);
	f->n_runs = 0;
	for (i = 0; i < k && f->n_runs < FLAWS_RUNS_MAX; i++)
		if (!f->n_runs || all[i] != all[i - 1])
			all[f->n_runs++] = all[i];
	free(f->runs);
	f->runs = all;
}

/* Keep the EXAMPLES earliest of f->ex and the shard's presumed examples:
 * its first hits, as many as it can hold. */
static void join_examples(struct mflaw *f, json_t *runs, int shard)
{
	for (int pos = 0; pos < EXAMPLES && pos < (int)json_array_size(runs); pos++) {
		struct mexample x = { json_integer_value(json_array_get(runs, (size_t)pos)),
				      shard, pos };
		int at = f->n_ex;

		while (at > 0 && f->ex[at - 1].run > x.run)
			at--;
		if (at >= EXAMPLES)
			continue;
		if (f->n_ex < EXAMPLES)
			f->n_ex++;
		memmove(&f->ex[at + 1], &f->ex[at], (size_t)(f->n_ex - 1 - at) * sizeof(x));
		f->ex[at] = x;
	}
}

/* ---- the fields shrinking and replays add ------------------------------ */

static int cmp_json_int(const void *a, const void *b)
{
	json_int_t x = json_integer_value(*(json_t *const *)a);
	json_int_t y = json_integer_value(*(json_t *const *)b);

	return x < y ? -1 : x > y;
}

/* Runs of both lists, sorted, the first FLAWS_SET_RUNS_MAX (new). */
static json_t *join_run_lists(json_t *a, json_t *b)
{
	size_t na = json_array_size(a), nb = json_array_size(b), n = 0;
	json_t **v = xcalloc(na + nb + 1, sizeof(*v)), *out = json_array();

	for (size_t i = 0; i < na; i++)
		v[n++] = json_array_get(a, i);
	for (size_t i = 0; i < nb; i++)
		v[n++] = json_array_get(b, i);
	qsort(v, n, sizeof(*v), cmp_json_int);
	for (size_t i = 0; i < n && json_array_size(out) < FLAWS_SET_RUNS_MAX; i++)
		json_array_append(out, v[i]);
	free(v);
	return out;
}

/* The distinct fault sets of both, counts added, runs joined (at most
 * FLAWS_SETS_MAX sets, as the flaw store keeps). */
static void join_fault_sets(json_t *meta, json_t *m)
{
	json_t *theirs = json_object_get(m, "fault_sets"), *ours, *x;
	size_t i;

	if (!json_is_array(theirs))
		return;
	ours = json_object_get(meta, "fault_sets");
	if (!json_is_array(ours)) {
		ours = json_array();
		json_object_set_new(meta, "fault_sets", ours);
	}
	json_array_foreach(theirs, i, x) {
		json_t *faults = json_object_get(x, "faults"), *y = NULL;
		size_t k;

		json_array_foreach(ours, k, y)
			if (json_equal(json_object_get(y, "faults"), faults))
				break;
		if (k == json_array_size(ours)) {
			if (k < FLAWS_SETS_MAX)
				json_array_append_new(ours, json_deep_copy(x));
			continue;
		}
		json_object_set_new(y, "count", json_integer(
			json_integer_value(json_object_get(y, "count")) +
			json_integer_value(json_object_get(x, "count"))));
		json_object_set_new(y, "runs", join_run_lists(json_object_get(y, "runs"),
							      json_object_get(x, "runs")));
	}
}

static int cmp_replay(const void *a, const void *b)
{
	const char *x = json_string_value(json_object_get(*(json_t *const *)a, "time"));
	const char *y = json_string_value(json_object_get(*(json_t *const *)b, "time"));

	return strcmp(x ? x : "", y ? y : "");
}

/* Both shards' replays in time order, the latest FLAWS_REPLAYS_MAX. */
static void join_replays(json_t *meta, json_t *m)
{
	json_t *a = json_object_get(meta, "replays"), *b = json_object_get(m, "replays");
	size_t na = json_array_size(a), nb = json_array_size(b), n = 0;
	json_t **v, *out;

	if (!json_is_array(b) || !nb)
		return;
	v = xcalloc(na + nb + 1, sizeof(*v));
	for (size_t i = 0; i < na; i++)
		v[n++] = json_array_get(a, i);
	for (size_t i = 0; i < nb; i++)
		v[n++] = json_array_get(b, i);
	qsort(v, n, sizeof(*v), cmp_replay);
	out = json_array();
	for (size_t i = n > FLAWS_REPLAYS_MAX ? n - FLAWS_REPLAYS_MAX : 0; i < n; i++)
		json_array_append(out, v[i]);
	free(v);
	json_object_set_new(meta, "replays", out);
}

/* m (a later shard's head) into meta; earlier_seen: m saw the flaw first,
 * so its minimal set (found first) stands. */
static void join_extras(json_t *meta, json_t *m, int earlier_seen)
{
	json_t *minimal = json_object_get(m, "minimal");

	join_fault_sets(meta, m);
	join_replays(meta, m);
	if (minimal && (earlier_seen || !json_object_get(meta, "minimal")))
		json_object_set(meta, "minimal", minimal);
}

static int join(struct mflaw *f, json_t *m, int shard, const char *dir,
		const char *path, struct err *e)
{
	json_t *runs = json_object_get(m, "runs");

	if (!f->meta) {
		f->meta = json_incref(m);
		f->first_dir = dir;
	} else {
		json_t *sig = json_object_get(m, "signature");

		if (!json_equal(sig, json_object_get(f->meta, "signature")))
			return err_set(e, "cannot merge flaw file '%s': flaw '%s' has another "
				       "signature there than in '%s'", path, f->id, f->first_dir);
		json_object_set_new(f->meta, "count", json_integer(
			json_integer_value(json_object_get(f->meta, "count")) +
			json_integer_value(json_object_get(m, "count"))));
		join_extras(f->meta, m, seen_run(m, "first_seen") <
			    seen_run(f->meta, "first_seen"));
		if (seen_run(m, "first_seen") < seen_run(f->meta, "first_seen"))
			json_object_set(f->meta, "first_seen", json_object_get(m, "first_seen"));
		if (seen_run(m, "last_seen") > seen_run(f->meta, "last_seen"))
			json_object_set(f->meta, "last_seen", json_object_get(m, "last_seen"));
	}
	join_runs(f, runs);
	join_examples(f, runs, shard);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int has_name(char **names, int n, const char *name)
{
	return n && bsearch(&name, names, (size_t)n, sizeof(*names), cmp_str) != NULL;
}

static void free_names(char **names, int n)
{
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int merge_flaws_scan(struct mshard *shards, int n, struct mflaws **ret,
		     struct err *e)
{
	char ***names = xcalloc((size_t)n + 1, sizeof(*names)), **all = NULL;
	int *counts = xcalloc((size_t)n + 1, sizeof(int)), n_all = 0, r = -1;
	struct mflaws *fs = xcalloc(1, sizeof(*fs));
	struct buf text = BUF_INIT;

	for (int i = 0; i < n; i++) {
		if (baseline_flaw_files(shards[i].dir, &names[i], &counts[i], e) < 0)
			goto out;
		all = xrealloc(all, ((size_t)n_all + (size_t)counts[i] + 1) * sizeof(*all));
		if (counts[i])
			memcpy(all + n_all, names[i], (size_t)counts[i] * sizeof(*all));
		n_all += counts[i];
	}
	if (n_all)
		qsort(all, (size_t)n_all, sizeof(*all), cmp_str);
	fs->f = xcalloc((size_t)n_all + 1, sizeof(*fs->f));
	for (int k = 0; k < n_all; k++) {
		struct mflaw *f;

		if (k && !strcmp(all[k], all[k - 1]))
			continue;
		f = &fs->f[fs->n++];
		memcpy(f->id, all[k], FLAWS_ID_LEN);
		for (int i = 0; i < n; i++) {
			char *path;
			json_t *m = NULL;
			int bad;

			if (!has_name(names[i], counts[i], all[k]))
				continue;
			path = xasprintf("%s/flaws/%s", shards[i].dir, all[k]);
			bad = read_head(path, &text, &m, e) < 0 ||
			      check_head(m, path, f->id, e) < 0 ||
			      join(f, m, i, shards[i].dir, path, e) < 0;
			json_decref(m);
			free(path);
			if (bad)
				goto out;
		}
		json_object_del(f->meta, "runs");
	}
	r = 0;
out:
	for (int i = 0; i < n; i++)
		free_names(names[i], counts[i]);
	free(names);
	free(all);		/* its strings were the shards' */
	free(counts);
	buf_release(&text);
	if (r == 0)
		*ret = fs;
	else
		merge_flaws_free(fs);
	return r;
}

int merge_flaws_count(const struct mflaws *f)
{
	return f ? f->n : 0;
}

void merge_flaws_free(struct mflaws *f)
{
	if (!f)
		return;
	for (int i = 0; i < f->n; i++) {
		json_decref(f->f[i].meta);
		free(f->f[i].runs);
	}
	free(f->f);
	free(f);
}

/* ---- writing ----------------------------------------------------------- */

/* The run of an example: its record's "run", else the presumed one. */
static long long example_run(json_t *ex, long long presumed)
{
	json_t *run = json_object_get(json_object_get(ex, "record"), "run");

	return json_is_integer(run) ? json_integer_value(run) : presumed;
}

struct picked {
	long long run;
	json_t *ex;		/* borrowed from the shard's file */
};

static int by_run(const void *a, const void *b)
{
	const struct picked *x = a, *y = b;

	return x->run < y->run ? -1 : x->run > y->run;
}

/* The examples of f's earliest runs, from the shards' files. New array. */
static json_t *examples_of(const struct mflaw *f, struct mshard *shards,
			   struct err *e)
{
	json_t *files[EXAMPLES] = { NULL }, *out = NULL;
	struct picked got[EXAMPLES];
	struct buf text = BUF_INIT;
	int n_got = 0, ok = 1;

	for (int k = 0; k < f->n_ex && ok; k++) {
		const struct mexample *x = &f->ex[k];
		json_t *doc = NULL, *ex;
		json_error_t jerr;

		for (int j = 0; j < k && !doc; j++)
			if (f->ex[j].shard == x->shard)
				doc = files[j];
		if (!doc) {
			char *path = xasprintf("%s/flaws/%s.json", shards[x->shard].dir, f->id);

			if (paths_read_file(path, "flaw file", FLAWS_FILE_MAX, &text, e) < 0) {
				ok = 0;
			} else if (!(doc = json_loadb(text.data, text.len, 0, &jerr))) {
				err_set(e, "cannot read flaw file '%s': line %d: %s", path,
					jerr.line, jerr.text);
				ok = 0;
			}
			free(path);
			files[k] = doc;
		}
		ex = json_array_get(json_object_get(doc, "examples"), (size_t)x->pos);
		if (json_is_object(ex))
			got[n_got++] = (struct picked){ example_run(ex, x->run), ex };
	}
	if (ok) {
		qsort(got, (size_t)n_got, sizeof(*got), by_run);
		out = json_array();
		for (int k = 0; k < n_got; k++)
			json_array_append(out, got[k].ex);
	}
	for (int k = 0; k < EXAMPLES; k++)
		json_decref(files[k]);
	buf_release(&text);
	return out;
}

static int write_one(const struct mflaw *f, struct mshard *shards, const char *dir,
		     struct err *e)
{
	json_t *doc = json_copy(f->meta), *runs = json_array();
	json_t *examples = examples_of(f, shards, e);
	char *path = xasprintf("%s/%s.json", dir, f->id), *text = NULL, *data;
	int r = -1;

	if (!examples)
		goto out;
	for (int i = 0; i < f->n_runs; i++)
		json_array_append_new(runs, json_integer(f->runs[i]));
	json_object_set(doc, "runs", runs);
	json_object_set(doc, "examples", examples);
	text = json_dumps(doc, JSON_INDENT(2));
	if (!text) {
		err_set(e, "cannot write flaw '%s': cannot serialise it", path);
		goto out;
	}
	data = xasprintf("%s\n", text);
	r = paths_write_atomic(path, data, e);
	free(data);
out:
	free(text);
	free(path);
	json_decref(examples);
	json_decref(runs);
	json_decref(doc);
	return r;
}

int merge_flaws_write(const struct mflaws *f, struct mshard *shards, int n,
		      const char *dir, struct err *e)
{
	(void)n;
	for (int i = 0; i < f->n; i++)
		if (write_one(&f->f[i], shards, dir, e) < 0)
			return -1;
	return paths_fsync_dir(dir, e);
}
