/* The report on hostile or damaged results directories: files that are not
 * regular files (a FIFO, /dev/zero), lines and files over their caps. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "baseline.h"
#include "buf.h"
#include "flaws.h"
#include "paths.h"
#include "report.h"
#include "report_journal.h"
#include "report_priv.h"
#include "serve.h"
#include "tap.h"
#include "test_report_fixture.h"

static int count_record(const struct rrec *r, void *ctx, struct err *e)
{
	(void)r;
	(void)e;
	(*(long long *)ctx)++;
	return 0;
}

/* A results directory with one recovered run and one flaw. */
static char *make_dir(const char *tmp, const char *name)
{
	char *dir = xasprintf("%s/%s", tmp, name);
	struct fx f;

	fx_open(&f, dir, name, "");
	fx_event(&f, "start");
	fx_run(&f, 1, "recovered", "netem", "n1", NULL, NULL, "", 100, NULL);
	fx_run(&f, 2, "flaw", "process-kill", "n1", "probe-recovers", "recovery",
	       "stale pidfile", 100, NULL);
	fx_event(&f, "stop");
	fx_close(&f);
	return dir;
}

/* Replace dir/name by a FIFO (kind 'p') or a symbolic link to /dev/zero
 * (kind 'z'). */
static void replace(const char *dir, const char *name, int kind)
{
	char *path = xasprintf("%s/%s", dir, name);

	unlink(path);
	if (kind == 'p' ? mkfifo(path, 0644) : symlink("/dev/zero", path))
		ok(0, "cannot make '%s'", path);
	free(path);
}

static char *first_flaw_file(const char *dir)
{
	char **names = NULL;
	char *name = NULL;
	int n = 0;

	if (baseline_flaw_files(dir, &names, &n, NULL) == 0 && n > 0)
		name = xasprintf("flaws/%s", names[0]);
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return name;
}

static void test_read_file(const char *tmp)
{
	char *reg = xasprintf("%s/regular", tmp), *fifo = xasprintf("%s/fifo", tmp);
	char *zero = xasprintf("%s/zero", tmp);
	struct buf b = BUF_INIT;
	struct err e = { "" };
	FILE *f = fopen(reg, "w");

	fputs("0123456789", f);
	fclose(f);
	ok(paths_read_file(reg, 10, &b, &e) == 0 && b.len == 10 &&
	   !strcmp(b.data, "0123456789"), "a regular file at its cap is read: %s", e.msg);
	ok(paths_read_file(reg, 9, &b, &e) < 0 && errno == EFBIG && b.len == 0 &&
	   strstr(e.msg, "larger than 9 bytes") && strstr(e.msg, reg),
	   "one byte over the cap: %s", e.msg);
	ok(mkfifo(fifo, 0644) == 0, "make a FIFO");
	ok(paths_read_file(fifo, 1 << 20, &b, &e) < 0 && errno == EINVAL &&
	   strstr(e.msg, "not a regular file") && strstr(e.msg, fifo),
	   "a FIFO without a writer is refused at once: %s", e.msg);
	ok(symlink("/dev/zero", zero) == 0, "link to /dev/zero");
	ok(paths_read_file(zero, 1 << 20, &b, &e) < 0 && errno == EINVAL &&
	   strstr(e.msg, "not a regular file"), "/dev/zero is refused: %s", e.msg);
	ok(paths_read_file(tmp, 1 << 20, &b, &e) < 0 && strstr(e.msg, "not a regular file"),
	   "a directory is refused: %s", e.msg);
	unlink(reg);
	ok(paths_read_file(reg, 1 << 20, &b, &e) < 0 && errno == ENOENT &&
	   strstr(e.msg, "cannot open"), "a missing file: ENOENT: %s", e.msg);
	buf_release(&b);
	free(reg);
	free(fifo);
	free(zero);
}

/* journal.jsonl, campaign.json, a flaw file and a baseline's flaw file
 * as a FIFO or /dev/zero: an error naming the file, never a hang or an
 * abort. */
static void test_not_regular(const char *tmp)
{
	static const char *const names[] = { "journal.jsonl", "campaign.json", NULL };
	struct err e = { "" };

	for (int k = 0; k < 2; k++) {
		int kind = k ? 'z' : 'p';

		for (int i = 0; i < 3; i++) {
			char *dir = make_dir(tmp, "nonreg");
			char *name = names[i] ? xstrdup(names[i]) : first_flaw_file(dir);
			struct baseline *bl = NULL;
			long long n = 0;

			replace(dir, name, kind);
			e.msg[0] = '\0';
			ok(report_write(dir, NULL, NULL, &e) < 0 && strstr(e.msg, name) &&
			   strstr(e.msg, "not a regular file"),
			   "%s as %s: the report refuses it: %s", name,
			   k ? "/dev/zero" : "a FIFO", e.msg);
			if (!names[i])
				ok(baseline_load(dir, &bl, &e) < 0 && strstr(e.msg, name) &&
				   strstr(e.msg, "not a regular file"),
				   "a baseline's flaw file as %s: refused: %s",
				   k ? "/dev/zero" : "a FIFO", e.msg);
			if (i == 0)
				ok(report_journal_walk(dir, NULL, count_record, &n, &e) < 0 &&
				   n == 0 && strstr(e.msg, "not a regular file"),
				   "the journal walk refuses it too");
			baseline_free(bl);
			paths_remove_tree(dir, NULL);
			free(name);
			free(dir);
		}
	}
}

/* The live status of campaign serve reads the same files. */
static void test_serve_status(const char *tmp)
{
	char *dir = make_dir(tmp, "servefifo");
	struct serve_options o = { .dir = dir, .port = 0 };
	struct server *s = NULL;
	struct err e = { "" };
	json_t *st;

	replace(dir, "journal.jsonl", 'p');
	ok(serve_start(&o, &s, &e) == 0, "serve: %s", e.msg);
	st = s ? serve_status(s, &e) : NULL;
	ok(!st && strstr(e.msg, "not a regular file"), "status on a FIFO journal: %s", e.msg);
	json_decref(st);
	serve_stop(s);
	paths_remove_tree(dir, NULL);
	free(dir);
}

/* A journal line past REPORT_JOURNAL_LINE_MAX is an error, not memory
 * without end; a sparse file of NUL bytes costs no disk. */
static void test_long_line(const char *tmp)
{
	char *dir = make_dir(tmp, "longline"), *path = xasprintf("%s/journal.jsonl", dir);
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	struct stat st;
	struct err e = { "" };
	long long n = 0;

	ok(fd >= 0 && fstat(fd, &st) == 0 &&
	   ftruncate(fd, st.st_size + REPORT_JOURNAL_LINE_MAX + 2) == 0 &&
	   write(fd, "\n", 1) == 1, "a line of %d NUL bytes", REPORT_JOURNAL_LINE_MAX + 2);
	close(fd);
	ok(report_journal_walk(dir, NULL, count_record, &n, &e) < 0 &&
	   strstr(e.msg, "line 5: longer than") && strstr(e.msg, path),
	   "the walk stops at the long line: %s", e.msg);
	is_int(n, 4, "after the four records before it");
	paths_remove_tree(dir, NULL);
	free(path);
	free(dir);
}

int main(void)
{
	char *tmp = fx_tmpdir();

	alarm(60);	/* a hang is a failure */
	test_read_file(tmp);
	test_not_regular(tmp);
	test_serve_status(tmp);
	test_long_line(tmp);
	fx_rmdir(tmp);
	return tap_done();
}
