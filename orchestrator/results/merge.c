/* merge.c - `campaign merge OUT DIR...`: check the shards and OUT, then
 * write OUT's campaign.json, journal, flaws and report (merge.h). */
#include "merge.h"

#include <dirent.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pthread.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "journal.h"
#include "merge_priv.h"
#include "parallel.h"
#include "paths.h"

#define CAMPAIGN_MAX (16 << 20)	/* bytes of a campaign.json read */

/* ---- the inputs -------------------------------------------------------- */

/* 1 if directory path has no entry but . and .., 0 if it has, -1 error. */
static int dir_is_empty(const char *path, struct err *e)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int empty = 1;

	if (!d)
		return err_errno(e, errno, "cannot read directory '%s'", path);
	while (empty && (de = readdir(d)))
		empty = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");
	closedir(d);
	return empty;
}

/* DIR/campaign.json as an object into *ret (new); 0, or -1 with e set
 * (errno ENOENT when there is none). */
static int load_campaign(const char *dir, json_t **ret, struct err *e)
{
	char *path = xasprintf("%s/campaign.json", dir);
	struct buf text = BUF_INIT;
	json_error_t jerr;
	int r = -1;

	*ret = NULL;
	if (paths_read_file(path, NULL, CAMPAIGN_MAX, &text, e) < 0)
		goto out;
	*ret = json_loadb(text.data, text.len, JSON_REJECT_DUPLICATES, &jerr);
	if (!*ret)
		err_set(e, "cannot read '%s': line %d: %s", path, jerr.line, jerr.text);
	else if (!json_is_object(*ret) || !json_is_object(json_object_get(*ret, "config")))
		err_set(e, "cannot read '%s': no \"config\" object", path);
	else
		r = 0;
	if (r < 0) {
		json_decref(*ret);
		*ret = NULL;
		errno = EINVAL;
	}
out:
	buf_release(&text);
	free(path);
	return r;
}

/* The shard of campaign.json c: "shard": {"index": I, "count": N}, 1/1
 * when absent. */
static int read_shard(json_t *c, const char *dir, int *ret_index, int *ret_count,
		      struct err *e)
{
	json_t *s = json_object_get(c, "shard");
	json_t *i = json_object_get(s, "index"), *n = json_object_get(s, "count");

	if (!s) {
		*ret_index = *ret_count = 1;
		return 0;
	}
	if (!json_is_integer(i) || !json_is_integer(n) || json_integer_value(n) < 1 ||
	    json_integer_value(n) > 1000000 || json_integer_value(i) < 1 ||
	    json_integer_value(i) > json_integer_value(n))
		return err_set(e, "cannot read '%s/campaign.json': \"shard\" is not "
			       "{\"index\": I, \"count\": N} with 1 <= I <= N", dir);
	*ret_index = (int)json_integer_value(i);
	*ret_count = (int)json_integer_value(n);
	return 0;
}

static int load_input(const char *dir, struct mshard *s, struct stat *ret_st,
		      struct err *e)
{
	json_t *name = json_string(dir);
	int empty;

	s->dir = dir;
	if (!name)	/* it goes into campaign.json and the journal */
		return err_set(e, "cannot merge '%s': its path is not UTF-8 text", dir);
	json_decref(name);
	if (stat(dir, ret_st) < 0)
		return err_errno(e, errno, "cannot merge '%s'", dir);
	if (!S_ISDIR(ret_st->st_mode))
		return err_set(e, "cannot merge '%s': not a directory", dir);
	if ((empty = dir_is_empty(dir, e)) < 0)
		return -1;
	if (empty)
		return err_set(e, "cannot merge '%s': an empty directory, not a results "
			       "directory", dir);
	if (load_campaign(dir, &s->campaign, e) < 0) {
		if (errno == ENOENT)
			err_set(e, "cannot merge '%s': not a results directory (no "
				"campaign.json)", dir);
		return -1;
	}
	if (json_object_get(s->campaign, "merged_from"))
		return err_set(e, "cannot merge '%s': it is itself a merge; merge the "
			       "shards it was made from", dir);
	return read_shard(s->campaign, dir, &s->index, &s->count, e);
}

/* What must be equal in every shard: "config" and "seed". New object. */
static json_t *identity(json_t *campaign)
{
	json_t *id = json_object();

	json_object_set(id, "config", json_object_get(campaign, "config"));
	if (json_object_get(campaign, "seed"))
		json_object_set(id, "seed", json_object_get(campaign, "seed"));
	return id;
}

static int same_campaign(const struct mshard *a, const struct mshard *b,
			 struct err *e)
{
	json_t *x = identity(a->campaign), *y = identity(b->campaign);
	char diff[600];
	int r = 0;

	if (journal_json_diff(x, y, diff, sizeof(diff)))
		r = err_set(e, "cannot merge '%s' with '%s' (there): not shards of one "
			    "campaign: %s", b->dir, a->dir, diff);
	json_decref(x);
	json_decref(y);
	return r;
}

static int by_index(const void *a, const void *b)
{
	const struct mshard *x = a, *y = b;

	return x->index != y->index ? x->index - y->index : x->pos - y->pos;
}

/* Read and check every input; sort them by shard index. */
static int load_inputs(struct mshard *s, char *const *dirs, int n, struct stat *st,
		       struct err *e)
{
	for (int i = 0; i < n; i++) {
		s[i].pos = i;
		if (load_input(dirs[i], &s[i], &st[i], e) < 0)
			return -1;
		for (int k = 0; k < i; k++)
			if (st[k].st_dev == st[i].st_dev && st[k].st_ino == st[i].st_ino)
				return err_set(e, "cannot merge '%s' and '%s': the same "
					       "directory twice", s[k].dir, s[i].dir);
		if (s[i].count != s[0].count)
			return err_set(e, "cannot merge '%s' (shard %d of %d) with '%s' "
				       "(shard %d of %d): different shard counts", s[i].dir,
				       s[i].index, s[i].count, s[0].dir, s[0].index,
				       s[0].count);
		if (same_campaign(&s[0], &s[i], e) < 0)
			return -1;
	}
	qsort(s, (size_t)n, sizeof(*s), by_index);
	for (int i = 1; i < n; i++)
		if (s[i].index == s[i - 1].index)
			return err_set(e, "cannot merge '%s' and '%s': both are shard %d of %d",
				       s[i - 1].dir, s[i].dir, s[i].index, s[i].count);
	return 0;
}

/* ---- OUT --------------------------------------------------------------- */

/* OUT may be missing, an empty directory or an earlier merge; never one
 * of the inputs. */
static int check_out(const char *out, const struct stat *st, int n, struct err *e)
{
	struct stat o;
	json_t *c = NULL;
	int empty, r;

	if (stat(out, &o) < 0)
		return errno == ENOENT ? 0 : err_errno(e, errno, "cannot merge into '%s'", out);
	if (!S_ISDIR(o.st_mode))
		return err_set(e, "cannot merge into '%s': not a directory", out);
	for (int i = 0; i < n; i++)
		if (st[i].st_dev == o.st_dev && st[i].st_ino == o.st_ino)
			return err_set(e, "cannot merge into '%s': it is one of the "
				       "directories to merge; choose another OUT", out);
	if ((empty = dir_is_empty(out, e)) != 0)
		return empty < 0 ? -1 : 0;
	r = load_campaign(out, &c, e);
	if (r == 0 && !json_object_get(c, "merged_from"))
		r = err_set(e, "cannot merge into '%s': it holds the results of a "
			    "campaign, not of a merge; choose another OUT", out);
	else if (r < 0)
		err_set(e, "cannot merge into '%s': neither empty nor an earlier merge; "
			"choose another OUT", out);
	json_decref(c);
	return r;
}

/* ---- what OUT gets ----------------------------------------------------- */

static json_t *merged_from(const struct mshard *s, int n)
{
	json_t *a = json_array();

	for (int i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s, s:i, s:i, s:I, s:s}",
			"dir", s[i].dir, "index", s[i].index, "count", s[i].count,
			"runs", (json_int_t)s[i].runs,
			"state", s[i].stopped ? "stopped" : "running"));
	return a;
}

/* The first shard's campaign.json, its "shard" replaced by "merged_from",
 * the earliest "start_time". New object. */
static json_t *merged_campaign(const struct mshard *s, int n)
{
	json_t *c = json_deep_copy(s[0].campaign);
	const char *start = NULL;

	for (int i = 0; i < n; i++) {
		const char *t = json_string_value(json_object_get(s[i].campaign, "start_time"));

		if (t && (!start || strcmp(t, start) < 0))
			start = t;
	}
	if (start)
		json_object_set_new(c, "start_time", json_string(start));
	json_object_del(c, "shard");
	json_object_set_new(c, "merged_from", merged_from(s, n));
	return c;
}

static char *present_text(const struct mshard *s, int n, int *ret_complete)
{
	struct buf b = BUF_INIT;

	for (int i = 0; i < n; i++)
		buf_addf(&b, "%s%d", i ? ", " : "", s[i].index);
	buf_addf(&b, " of %d", s[0].count);
	*ret_complete = n == s[0].count;
	return buf_detach(&b);
}

/* Write the merged journal to tmp, to replace path; *ret_fd is the file,
 * not yet synced. */
static int write_journal(const char *tmp, const char *path, struct mshard *s, int n,
			 int *ret_fd, struct err *e)
{
	json_t *start = json_pack("{s:s, s:s, s:o}", "type", "campaign", "event", "start",
				  "merged_from", merged_from(s, n));
	json_t *stop = NULL;
	long long runs = 0;
	int stopped = 1, r;

	for (int i = 0; i < n; i++) {
		runs += s[i].runs;
		stopped &= s[i].stopped;
	}
	/* No stop while a shard runs: the report then says "running". */
	if (stopped)
		stop = json_pack("{s:s, s:s, s:b, s:I}", "type", "campaign", "event",
				 "stop", "merged", 1, "runs_done", (json_int_t)runs);
	r = merge_journal_write(tmp, path, s, n, start, stop, ret_fd, e);
	json_decref(start);
	json_decref(stop);
	return r;
}

/* What the disk does while the report is made, on a thread of its own:
 * the fsync() of the merged journal (gigabytes), its name given to it,
 * then the removal of the previous merge's report (thousands of files). */
struct background {
	int fd;			/* the merged journal; -1 when finished */
	const char *tmp, *path;	/* its temporary name, its own */
	const char *old_report;	/* NULL: none */
	int published;		/* path is the merged journal, tmp a second link */
	int running;
	pthread_t thread;
	struct err err;
	int failed;
};

/* Give the synced journal its name under a second link, leaving tmp to
 * the report that reads it: replacing the previous merge's journal frees
 * gigabytes (about half a second), better spent now than after the
 * report. 1 if done; 0 if not (no hard links there): the caller renames
 * tmp once the report is made. */
static int publish(const char *tmp, const char *path)
{
	char *second = xasprintf("%s.new", tmp);
	int done = link(tmp, second) == 0;

	if (done && rename(second, path) < 0) {
		unlink(second);
		done = 0;
	}
	free(second);
	return done;
}

static void *background_main(void *arg)
{
	struct background *bg = arg;

	if (fsync(bg->fd) < 0) {
		bg->failed = err_errno(&bg->err, errno, "cannot sync the merged journal") < 0;
		return NULL;
	}
	bg->published = publish(bg->tmp, bg->path);
	if (bg->old_report && paths_remove_tree(bg->old_report, &bg->err) < 0)
		bg->failed = 1;
	return NULL;
}

static void background_start(struct background *bg, int fd, const char *tmp,
			     const char *path, const char *old_report)
{
	bg->fd = fd;
	bg->tmp = tmp;
	bg->path = path;
	bg->old_report = old_report;
	bg->running = pthread_create(&bg->thread, NULL, background_main, bg) == 0;
	if (!bg->running)
		background_main(bg);
}

/* Wait for it and close the journal: 0, or -1 with e filled. */
static int background_finish(struct background *bg, struct err *e)
{
	int rc;

	if (bg->running)
		pthread_join(bg->thread, NULL);
	bg->running = 0;
	rc = close(bg->fd) < 0 && errno != EINTR ? errno : 0;
	bg->fd = -1;
	if (bg->failed) {
		if (e)
			*e = bg->err;
		return -1;
	}
	return rc ? err_errno(e, rc, "cannot write the merged journal") : 0;
}

/* Move OUT/report aside, for the background to remove while the new one
 * is made. *ret_old is the name it has now (new string), or NULL. */
static int report_aside(const char *out, char **ret_old, struct err *e)
{
	char *dir = xasprintf("%s/report", out), *old = xasprintf("%s/report.old", out);
	int r = 0;

	*ret_old = NULL;
	if (paths_remove_tree(old, e) < 0)	/* left by a merge that crashed */
		r = -1;
	else if (rename(dir, old) == 0)
		*ret_old = old, old = NULL;
	else if (errno != ENOENT)
		r = err_errno(e, errno, "cannot rename '%s' to '%s'", dir, old);
	free(dir);
	free(old);
	return r;
}

/* Write the flaws into OUT/flaws.new, then put it in place of OUT/flaws:
 * a flaw of an earlier merge that is no longer there goes too. */
static int write_flaws(const char *out, const struct mflaws *f, struct mshard *s,
		       int n, struct err *e)
{
	char *dir = xasprintf("%s/flaws", out), *fresh = xasprintf("%s/flaws.new", out);
	char *old = xasprintf("%s/flaws.old", out);
	int r = -1;

	if (paths_remove_tree(fresh, e) < 0 || paths_remove_tree(old, e) < 0 ||
	    paths_mkdirs(fresh, 0755, e) < 0 || merge_flaws_write(f, s, n, fresh, e) < 0)
		goto out;
	if (rename(dir, old) < 0 && errno != ENOENT) {
		err_errno(e, errno, "cannot rename '%s' to '%s'", dir, old);
		goto out;
	}
	if (rename(fresh, dir) < 0) {
		err_errno(e, errno, "cannot rename '%s' to '%s'", fresh, dir);
		goto out;
	}
	r = paths_fsync_dir(out, e) < 0 || paths_remove_tree(old, e) < 0 ? -1 : 0;
out:
	free(dir);
	free(fresh);
	free(old);
	return r;
}

/* The merged journal and the flaws: on two threads, as neither needs the
 * other (the journal is written by one core copying, the flaws by another
 * parsing their examples). */
struct parts {
	const char *out, *tmp, *path;
	struct mshard *s;
	int n;
	const struct mflaws *f;
	int fd;			/* the journal, once written; -1 before */
};

static int write_part(void *ctx, int i, struct err *e)
{
	struct parts *p = ctx;

	if (i == 1)
		return write_flaws(p->out, p->f, p->s, p->n, e);
	if (write_journal(p->tmp, p->path, p->s, p->n, &p->fd, e) < 0)
		return -1;
	for (int k = 0; k < p->n; k++)
		merge_journal_release(&p->s[k]);	/* the report needs the memory */
	return 0;
}

/* The first shard whose tool_version or image_hash differs from the
 * first's, described; NULL if none. New string. */
static char *mismatch(const struct mshard *s, int n)
{
	static const char *const keys[] = { "tool_version", "image_hash" };

	for (int i = 1; i < n; i++)
		for (size_t k = 0; k < sizeof(keys) / sizeof(*keys); k++) {
			json_t *a = json_object_get(s[0].campaign, keys[k]);
			json_t *b = json_object_get(s[i].campaign, keys[k]);
			char *ta, *tb, *r;

			if (json_equal(a, b) || (!a && !b))
				continue;
			ta = a ? json_dumps(a, JSON_ENCODE_ANY) : NULL;
			tb = b ? json_dumps(b, JSON_ENCODE_ANY) : NULL;
			r = xasprintf("'%s' has %s %s, '%s' %s", s[i].dir, keys[k],
				      tb ? tb : "none", s[0].dir, ta ? ta : "none");
			free(ta);
			free(tb);
			return r;
		}
	return NULL;
}

/* ---- the merge --------------------------------------------------------- */

static int default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 4 ? 4 : (int)n;
}

/* Everything that writes, once every check passed. */
static int write_out(const char *out, struct mshard *s, int n, const struct mflaws *f,
		     const struct merge_options *opt, struct merge_result *ret,
		     struct err *e)
{
	json_t *meta = merged_campaign(s, n);
	char *path = xasprintf("%s/journal.jsonl", out), *old_report = NULL;
	char *tmp = xasprintf("%s.tmp.%d", path, (int)getpid());
	struct report_options ropt = { 0 };
	struct background bg = { .fd = -1 };
	struct parts parts = { out, tmp, path, s, n, f, -1 };
	int lock = -1, r = MERGE_WRITE_FAILED;

	if (opt && opt->report)
		ropt = *opt->report;
	ropt.journal = tmp;
	if (paths_mkdirs(out, 0755, e) < 0)
		goto out;
	if (journal_lock(out, &lock, e) < 0) {
		r = MERGE_REFUSED;
		goto out;
	}
	if (journal_write_campaign(out, meta, e) < 0 ||
	    parallel_for_err(2, write_part, &parts, e) < 0 ||
	    report_aside(out, &old_report, e) < 0) {
		if (parts.fd >= 0)
			close(parts.fd);
		goto out;
	}
#ifdef __GLIBC__
	/* the threads' malloc arenas keep what they freed: the report needs it */
	malloc_trim(0);
#endif
	background_start(&bg, parts.fd, tmp, path, old_report);
	/* The report reads the journal under its temporary name: it gets its
	 * own only once it is on disk. */
	if (report_write(out, &ropt, &ret->report, e) < 0 || background_finish(&bg, e) < 0)
		goto out;
	if (bg.published ? unlink(tmp) < 0 : rename(tmp, path) < 0) {
		err_errno(e, errno, "cannot rename '%s' to '%s'", tmp, path);
		goto out;
	}
	if (paths_fsync_dir(out, e) < 0)
		goto out;
	r = 0;
out:
	if (bg.fd >= 0)
		background_finish(&bg, NULL);
	if (r < 0) {
		unlink(tmp);
		report_result_release(&ret->report);
	}
	if (lock >= 0)
		close(lock);
	free(old_report);
	free(tmp);
	free(path);
	json_decref(meta);
	return r;
}

int merge_dirs(const char *out, char *const *dirs, int n,
	       const struct merge_options *opt, struct merge_result *ret,
	       struct err *e)
{
	struct mshard *s;
	struct stat *st;
	struct mflaws *f = NULL;
	int r = MERGE_REFUSED, threads = opt && opt->threads > 0 ? opt->threads
							       : default_threads();

	memset(ret, 0, sizeof(*ret));
	if (n < 1 || n > MERGE_DIRS_MAX)
		return err_set(e, "cannot merge %d directories: from 1 to %d", n,
			       MERGE_DIRS_MAX);
	s = xcalloc((size_t)n, sizeof(*s));
	st = xcalloc((size_t)n, sizeof(*st));
	if (load_inputs(s, dirs, n, st, e) < 0 || check_out(out, st, n, e) < 0 ||
	    merge_journal_index(s, n, threads, e) < 0 || merge_flaws_scan(s, n, &f, e) < 0)
		goto out;
	r = write_out(out, s, n, f, opt, ret, e);
	if (r < 0)
		goto out;
	ret->count = s[0].count;
	ret->n_shards = n;
	ret->shards = xcalloc((size_t)n, sizeof(*ret->shards));
	for (int i = 0; i < n; i++) {
		ret->shards[i] = (struct merge_shard){
			.dir = xstrdup(s[i].dir), .index = s[i].index, .count = s[i].count,
			.runs = s[i].runs, .others = s[i].others,
			.torn_bytes = s[i].torn_bytes,
			.state = s[i].stopped ? "stopped" : "running",
		};
		ret->runs += s[i].runs;
		ret->others += s[i].others;
	}
	ret->present = present_text(s, n, &ret->complete);
	ret->mismatch = mismatch(s, n);
	ret->flaws = merge_flaws_count(f);
out:
	for (int i = 0; i < n; i++) {
		json_decref(s[i].campaign);
		merge_journal_release(&s[i]);
	}
	merge_flaws_free(f);
	free(s);
	free(st);
	return r;
}

void merge_result_release(struct merge_result *r)
{
	for (int i = 0; i < r->n_shards; i++)
		free(r->shards[i].dir);
	free(r->shards);
	free(r->present);
	free(r->mismatch);
	report_result_release(&r->report);
	memset(r, 0, sizeof(*r));
}
