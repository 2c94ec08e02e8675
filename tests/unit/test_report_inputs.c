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
	ok(paths_read_file(reg, NULL, 10, &b, &e) == 0 && b.len == 10 &&
	   !strcmp(b.data, "0123456789"), "a regular file at its cap is read: %s", e.msg);
	ok(paths_read_file(reg, NULL, 9, &b, &e) < 0 && errno == EFBIG && b.len == 0 &&
	   strstr(e.msg, "larger than 9 bytes") && strstr(e.msg, reg),
	   "one byte over the cap: %s", e.msg);
	ok(mkfifo(fifo, 0644) == 0, "make a FIFO");
	ok(paths_read_file(fifo, NULL, 1 << 20, &b, &e) < 0 && errno == EINVAL &&
	   strstr(e.msg, "not a regular file") && strstr(e.msg, fifo),
	   "a FIFO without a writer is refused at once: %s", e.msg);
	ok(symlink("/dev/zero", zero) == 0, "link to /dev/zero");
	ok(paths_read_file(zero, NULL, 1 << 20, &b, &e) < 0 && errno == EINVAL &&
	   strstr(e.msg, "not a regular file"), "/dev/zero is refused: %s", e.msg);
	ok(paths_read_file(tmp, NULL, 1 << 20, &b, &e) < 0 && strstr(e.msg, "not a regular file"),
	   "a directory is refused: %s", e.msg);
	unlink(reg);
	ok(paths_read_file(reg, NULL, 1 << 20, &b, &e) < 0 && errno == ENOENT &&
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

/* Append raw lines to dir/journal.jsonl. */
static void append_lines(const char *dir, const char *text)
{
	char *path = xasprintf("%s/journal.jsonl", dir);
	FILE *f = fopen(path, "a");

	ok(f && fputs(text, f) >= 0 && fclose(f) == 0, "append to '%s'", path);
	free(path);
}

#define BAD_RUN(n, id) "{\"type\":\"run\",\"run\":" #n ",\"outcome\":\"flaw\"," \
		       "\"flaw\":\"" id "\"}\n"

/* A "flaw" that is not 12 lower-case hex digits: the record is skipped,
 * counted and said; the id never reaches a page, a file name or a link. */
static void test_bad_flaw_id(const char *tmp)
{
	char *dir = make_dir(tmp, "badid");
	char *index, *runs, *sum_path = xasprintf("%s/summary.json", dir);
	char *escape = xasprintf("%s/x.html", tmp);
	struct report_result res = { 0 };
	struct serve_options o = { .dir = dir, .port = 0 };
	struct server *s = NULL;
	struct err e = { "" };
	struct rrec r;
	json_t *sum, *st, *warns;
	const char *line;

	rrec_init(&r);
	line = "{\"type\":\"run\",\"run\":3,\"flaw\":\"<script>alert(1)</script>\"}";
	ok(report_journal_parse(line, strlen(line), &r) == 0 && r.bad_flaw,
	   "parse: markup as a flaw id is a bad id");
	line = "{\"type\":\"run\",\"run\":3,\"flaw\":\"0123456789ab\"}";
	ok(report_journal_parse(line, strlen(line), &r) == 0 && !r.bad_flaw,
	   "parse: 12 lower-case hex digits are an id");
	line = "{\"type\":\"run\",\"run\":3,\"flaw\":\"0123456789AB\"}";
	ok(report_journal_parse(line, strlen(line), &r) == 0 && r.bad_flaw,
	   "parse: upper case is not");
	line = "{\"type\":\"run\",\"run\":3,\"flaw\":\"0123456789abc\"}";
	ok(report_journal_parse(line, strlen(line), &r) == 0 && r.bad_flaw,
	   "parse: 13 digits are not");
	rrec_release(&r);

	append_lines(dir, BAD_RUN(3, "<script>alert(1)</script>")
			  BAD_RUN(4, "../../../x")
			  BAD_RUN(5, "0123456789AB"));
	ok(report_write(dir, NULL, &res, &e) == 0, "report: %s", e.msg);
	is_int(res.runs, 2, "the three bad records are not runs of the report");
	is_int(res.flaws, 1, "nor flaws");
	index = fx_read_at(dir, "report/index.html");
	runs = fx_read_at(dir, "report/runs-1.html");
	ok(index && runs && !strstr(index, "<script>alert") && !strstr(runs, "<script>alert") &&
	   !strstr(index, "../../../x") && !strstr(runs, "../../../x"),
	   "no bad id on the pages");
	ok(index && strstr(index, "3 journal records ignored: their &quot;flaw&quot; is not a "
			   "flaw id (12 lower-case hex digits); the first is on line 5"),
	   "the index page says so");
	ok(access(escape, F_OK) != 0, "no page written outside report/flaws/");
	sum = json_load_file(sum_path, 0, NULL);
	warns = json_object_get(json_object_get(sum, "journal"), "warnings");
	ok(json_integer_value(json_object_get(json_object_get(sum, "journal"),
					      "ignored_records")) == 3 &&
	   json_array_size(warns) == 1 &&
	   strstr(json_string_value(json_array_get(warns, 0)), "3 journal records ignored"),
	   "summary.json: journal.ignored_records 3 and the warning");
	ok(serve_start(&o, &s, &e) == 0, "serve: %s", e.msg);
	st = s ? serve_status(s, &e) : NULL;
	ok(json_integer_value(json_object_get(st, "runs_done")) == 2 &&
	   json_integer_value(json_object_get(st, "unique_flaws")) == 1 &&
	   json_integer_value(json_object_get(st, "ignored_records")) == 3,
	   "serve's status skips and counts them too");
	json_decref(st);
	serve_stop(s);
	json_decref(sum);
	report_result_release(&res);
	paths_remove_tree(dir, NULL);
	free(index);
	free(runs);
	free(sum_path);
	free(escape);
	free(dir);
}

/* The pages escape a flaw id anyway: one that got past the reading. */
static void test_id_escaped(const char *tmp)
{
	char *dir = make_dir(tmp, "escid"), *report_dir = xasprintf("%s/report", dir);
	char *page = xasprintf("%s/flaws", report_dir);
	struct report_data d;
	struct err e = { "" };
	char *index, *runs, *flaw;

	ok(paths_mkdirs(page, 0755, &e) == 0 &&
	   report_data_load(&d, dir, NULL, NULL, NULL, &e) == 0 && d.n_flaws == 1,
	   "load: %s", e.msg);
	free(d.flaws[0].id);
	d.flaws[0].id = xstrdup("\"><b>x");
	ok(report_index_page(&d, report_dir, &e) == 0 && report_runs_pages(&d, report_dir, &e) == 0 &&
	   report_flaw_page(&d, 0, NULL, report_dir, &e) == 0, "pages: %s", e.msg);
	index = fx_read_at(dir, "report/index.html");
	runs = fx_read_at(dir, "report/runs-1.html");
	flaw = fx_read_at(dir, "report/flaws/\"><b>x.html");
	ok(index && !strstr(index, "<b>x") && strstr(index, "flaws/&quot;&gt;&lt;b&gt;x.html"),
	   "index: the id escaped in the link and its text");
	ok(runs && !strstr(runs, "<b>x") && strstr(runs, "&quot;&gt;&lt;b&gt;x"),
	   "runs page: escaped");
	ok(flaw && !strstr(flaw, "<b>x") && strstr(flaw, "&quot;&gt;&lt;b&gt;x"),
	   "flaw page: escaped");
	free(index);
	free(runs);
	free(flaw);
	report_data_release(&d);
	paths_remove_tree(dir, NULL);
	free(page);
	free(report_dir);
	free(dir);
}

/* A torn last line is ignored, and said: on the index page and in
 * summary.json. A last line that does not parse counts as torn too. */
static void test_torn(const char *tmp)
{
	static const struct { const char *tail; long long bytes; } cases[] = {
		{ "", 0 },
		{ "{\"type\":\"run\",\"ru", 17 },
		{ "not json\n", 9 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *dir = make_dir(tmp, "torn"), *path = xasprintf("%s/summary.json", dir);
		struct report_result res = { 0 };
		struct err e = { "" };
		char *index, want[128];
		json_t *sum, *journal;

		append_lines(dir, cases[i].tail);
		ok(report_write(dir, NULL, &res, &e) == 0 && res.runs == 2, "report: %s", e.msg);
		index = fx_read_at(dir, "report/index.html");
		snprintf(want, sizeof(want), "the journal&#39;s last line is torn (%lld bytes): "
			 "ignored; a resume repairs it", cases[i].bytes);
		ok(index && (cases[i].bytes ? strstr(index, want) != NULL
					    : !strstr(index, "journal-warning")),
		   "torn tail of %lld bytes: index %s", cases[i].bytes,
		   cases[i].bytes ? "warns" : "has no journal warning");
		sum = json_load_file(path, 0, NULL);
		journal = json_object_get(sum, "journal");
		ok(json_integer_value(json_object_get(journal, "torn_bytes")) == cases[i].bytes &&
		   json_array_size(json_object_get(journal, "warnings")) == (cases[i].bytes ? 1 : 0),
		   "summary.json: torn_bytes %lld", cases[i].bytes);
		json_decref(sum);
		free(index);
		report_result_release(&res);
		paths_remove_tree(dir, NULL);
		free(path);
		free(dir);
	}
}

/* campaign report prints each flaw's signature, read from its file: a
 * crafted one cannot send escape sequences to the terminal. */
static void test_describe(const char *tmp)
{
	char *dir = make_dir(tmp, "describe"), *name = first_flaw_file(dir);
	char *path = xasprintf("%s/%s", dir, name);
	json_t *flaw = json_load_file(path, 0, NULL);
	struct report_result res = { 0 };
	struct err e = { "" };
	struct buf out = BUF_INIT;

	json_object_set_new(flaw, "signature", json_string("a\x1b]0;owned\x07" "b\x1b[2J"
							   "c\xc2\x9b" "31md\x7f\ne"));
	ok(json_dump_file(flaw, path, 0) == 0, "a signature with escape sequences");
	ok(report_write(dir, NULL, &res, &e) == 0, "report: %s", e.msg);
	report_describe(&res, dir, &out);
	ok(strstr(out.data, "new flaw: a?]0;owned?b?[2Jc?31md??e (1 runs, trace ") &&
	   !strchr(out.data, '\x1b') && !strchr(out.data, '\x07') &&
	   !strstr(out.data, "\xc2\x9b"), "report_describe masks them");
	buf_release(&out);
	report_result_release(&res);
	json_decref(flaw);
	paths_remove_tree(dir, NULL);
	free(path);
	free(name);
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
	test_bad_flaw_id(tmp);
	test_id_escaped(tmp);
	test_torn(tmp);
	test_describe(tmp);
	fx_rmdir(tmp);
	return tap_done();
}
