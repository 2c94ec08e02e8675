/* baseline.c - the flaw signatures of a previous results directory. */
#include "baseline.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "flaws.h"
#include "paths.h"
#include "report_json.h"

/* A flaw file is a few kilobytes of JSON; anything near this is not one. */

struct baseline {
	char *dir;
	char **sigs;		/* sorted */
	int n;
};

static int is_flaw_name(const char *name)
{
	return strlen(name) == FLAWS_ID_LEN + 5 && flaws_id_valid(name, FLAWS_ID_LEN) &&
	       !strcmp(name + FLAWS_ID_LEN, ".json");
}

static int by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int baseline_flaw_files(const char *dir, char ***ret_names, int *ret_n,
			struct err *e)
{
	char *path = xasprintf("%s/flaws", dir);
	DIR *dp = opendir(path);
	struct dirent *de;
	char **names = NULL;
	int n = 0, cap = 0;

	if (!dp) {
		int r = errno == ENOENT ? 0 :
			err_errno(e, errno, "cannot read directory '%s'", path);

		free(path);
		if (r == 0) {
			*ret_names = NULL;
			*ret_n = 0;
		}
		return r;
	}
	while ((de = readdir(dp))) {
		if (!is_flaw_name(de->d_name))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			names = xrealloc(names, (size_t)cap * sizeof(*names));
		}
		names[n++] = xstrdup(de->d_name);
	}
	closedir(dp);
	free(path);
	if (n)
		qsort(names, (size_t)n, sizeof(*names), by_str);
	*ret_names = names;
	*ret_n = n;
	return 0;
}

/* The top-level "signature" of a flaw file, read without building its
 * traces. 1 found, 0 not there, -1 not JSON. */
static int read_signature(const char *text, size_t len, struct buf *sig)
{
	struct buf key = BUF_INIT;
	struct rj c;
	int first, m, found = 0;

	rj_init(&c, text, len);
	if (rj_object(&c, &first) < 0)
		return -1;
	while ((m = rj_member(&c, &first, &key)) > 0) {
		if (!strcmp(key.data, "signature")) {
			if (rj_str(&c, sig) < 0)
				break;
			found = 1;
		} else if (rj_skip(&c) < 0) {
			break;
		}
	}
	buf_release(&key);
	if (m < 0 || rj_end(&c) < 0)
		return -1;
	return found;
}

static int is_results_dir(const char *dir, struct err *e)
{
	char *j = xasprintf("%s/journal.jsonl", dir), *c = xasprintf("%s/campaign.json", dir);
	struct stat st;
	int ok = access(j, F_OK) == 0 || access(c, F_OK) == 0;

	free(j);
	free(c);
	if (stat(dir, &st) < 0)
		return err_errno(e, errno, "cannot use baseline '%s'", dir);
	if (!S_ISDIR(st.st_mode))
		return err_set(e, "cannot use baseline '%s': not a directory", dir);
	if (!ok)
		return err_set(e, "cannot use baseline '%s': not a results directory "
			       "(no journal.jsonl or campaign.json)", dir);
	return 0;
}

int baseline_load(const char *dir, struct baseline **ret, struct err *e)
{
	struct baseline *b;
	struct buf text = BUF_INIT, sig = BUF_INIT;
	char **names = NULL;
	int n = 0, r = -1;

	if (is_results_dir(dir, e) < 0 || baseline_flaw_files(dir, &names, &n, e) < 0)
		return -1;
	b = xcalloc(1, sizeof(*b));
	b->dir = xstrdup(dir);
	b->sigs = xcalloc((size_t)n + 1, sizeof(char *));
	for (int i = 0; i < n; i++) {
		char *path = xasprintf("%s/flaws/%s", dir, names[i]);
		int got;

		if (paths_read_file(path, "flaw file", FLAWS_FILE_MAX, &text, e) < 0) {
			free(path);
			goto out;
		}
		got = read_signature(text.data, text.len, &sig);
		if (got <= 0) {
			err_set(e, "cannot read baseline flaw '%s': %s", path,
				got < 0 ? "not valid JSON" : "no \"signature\"");
			free(path);
			goto out;
		}
		free(path);
		b->sigs[b->n++] = xstrdup(sig.data);
	}
	if (b->n)
		qsort(b->sigs, (size_t)b->n, sizeof(char *), by_str);
	*ret = b;
	b = NULL;
	r = 0;
out:
	baseline_free(b);
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	buf_release(&text);
	buf_release(&sig);
	return r;
}

void baseline_free(struct baseline *b)
{
	if (!b)
		return;
	for (int i = 0; i < b->n; i++)
		free(b->sigs[i]);
	free(b->sigs);
	free(b->dir);
	free(b);
}

const char *baseline_dir(const struct baseline *b)
{
	return b->dir;
}

int baseline_has(const struct baseline *b, const char *signature)
{
	const char *key = signature;

	return b && b->n && bsearch(&key, b->sigs, (size_t)b->n, sizeof(char *), by_str);
}

int baseline_count(const struct baseline *b)
{
	return b ? b->n : 0;
}

const char *baseline_signature(const struct baseline *b, int i)
{
	return b && i >= 0 && i < b->n ? b->sigs[i] : NULL;
}
