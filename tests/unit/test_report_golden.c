/* The report's files of a fixed results directory, byte for byte against
 * the copies in tests/unit/golden/report/, so that a change meant to make
 * the report faster cannot change a figure or a table unnoticed.
 *
 * What differs from one rendering to the next is normalised first: the
 * results directory's path (DIR), the time of generation (GENERATED),
 * the scripts' nonces (NONCE), the tool's version (VERSION) and the
 * style sheet (CSS, the same file on every page). Links into the run
 * pages (report/runs/page-N.html#run-R) are taken out, leaving their
 * text: the goldens were made before those pages existed, and
 * test_report_runs checks the links themselves.
 *
 *   test_report_golden --write   remake the goldens (after a change
 *                                meant to change the report; review the diff)
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "report.h"
#include "tap.h"
#include "test_report_fixture.h"

#define GOLDEN "tests/unit/golden/report"

static const char *const files[] = {
	"report/index.html", "report/runs-1.html",
	"report/runs-flaw-1.html", "report/runs-unjudged-1.html",
	"report/runs-no-effect-1.html", "summary.json", "junit.xml",
};

/* 29 runs: every outcome, two fault types in one run, reasons with markup
 * characters, two sessions, an infra event, three flaws; run numbers
 * jump past 500 (pages of the runs table go by position, run pages by
 * number). */
#define STALE "stale pidfile <1234> & \"more\""

static void make_dir(const char *dir)
{
	static const struct { int k; const char *fault, *node, *oracle, *class_, *reason; } flaws[] = {
		{ 3, "process-kill", "n1", "probe-recovers", "recovery", STALE },
		{ 7, "vm-crash", "n2", "containment", "containment", "n2 unreachable" },
		{ 9, "process-kill", "n1", "probe-recovers", "recovery", STALE },
		{ 15, "partition", "n3", "probe-recovers", "liveness", "a different bug" },
		{ 22, "process-kill", "n1", "probe-recovers", "recovery", STALE },
		{ 25, "partition", "n3", "probe-recovers", "liveness", "a different bug" },
	};
	struct fx f;
	size_t next = 0;

	fx_open(&f, dir, "golden", "the report's files, byte for byte & \"quoted\"");
	fx_event(&f, "start");
	for (int k = 1; k <= 27; k++) {
		int run = k <= 20 ? k : 490 + k;	/* 491.. 517 */
		int reset = 300 + (k * 137) % 1500;

		if (next < sizeof(flaws) / sizeof(flaws[0]) && flaws[next].k == k) {
			fx_run(&f, run, "flaw", flaws[next].fault, flaws[next].node, flaws[next].oracle,
			       flaws[next].class_, flaws[next].reason, reset, NULL);
			next++;
		} else {
			fx_run(&f, run, k % 2 ? "recovered" : "no-effect",
			       k % 3 ? "process-kill" : "netem", k % 4 ? "n1" : "n2", NULL, NULL,
			       "", reset, NULL);
		}
		if (k == 10) {
			fx_event(&f, "stop");
			f.t0_ms += 3600000;
			fx_event(&f, "resume");
		}
	}
	fx_append(&f, json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:i, s:[{s:s, s:s}, "
				"{s:s, s:s}], s:[{s:s, s:s}]}", "type", "run", "run", 600,
				"outcome", "unjudged", "unjudged_oracle", "lost-writes", "reason",
				"history unreadable", "started", "2026-01-02T06:00:00.000Z",
				"ended", "2026-01-02T06:00:09.500Z", "duration_ms", 9500,
				"faults", "type", "netem", "node", "n2", "type", "vm-pause",
				"node", "n3", "oracles", "oracle", "lost-writes", "verdict",
				"unknown"));
	fx_append(&f, json_pack("{s:s, s:i, s:s, s:s, s:i, s:[]}", "type", "run", "run", 601,
				"outcome", "set-aside", "reason", "failed twice", "duration_ms",
				120000, "faults"));
	fx_infra(&f, 602, "ready: timeout", "retry");
	fx_event(&f, "stop");
	fx_close(&f);
}

/* Replace every occurrence of from in b by to. */
static void replace_all(struct buf *b, const char *from, const char *to)
{
	struct buf out = BUF_INIT;
	const char *p = b->data, *q;
	size_t n = strlen(from);

	if (!n)
		return;
	while ((q = strstr(p, from))) {
		buf_add(&out, p, (size_t)(q - p));
		buf_adds(&out, to);
		p = q + n;
	}
	buf_adds(&out, p);
	buf_reset(b);
	buf_add(b, out.data, out.len);
	buf_release(&out);
}

/* Replace the text between each `start` and the next `end` (both kept
 * unless drop is set, then removed with it) by `to`. */
static void replace_between(struct buf *b, const char *start, const char *end,
			    const char *to, int drop)
{
	struct buf out = BUF_INIT;
	const char *p = b->data, *q, *r;

	while ((q = strstr(p, start)) && (r = strstr(q + strlen(start), end))) {
		buf_add(&out, p, (size_t)(q - p));
		if (!drop)
			buf_adds(&out, start);
		buf_adds(&out, to);
		if (!drop)
			buf_adds(&out, end);
		p = r + strlen(end);
	}
	buf_adds(&out, p);
	buf_reset(b);
	buf_add(b, out.data, out.len);
	buf_release(&out);
}

/* A link into the run pages, <a href="[../]runs/page-N.html#run-R">TEXT</a>,
 * becomes TEXT. */
static void unlink_run_pages(struct buf *b, const char *prefix)
{
	struct buf out = BUF_INIT;
	const char *p = b->data, *q, *gt, *close;

	while ((q = strstr(p, prefix)) && (gt = strstr(q, "\">")) &&
	       (close = strstr(gt, "</a>"))) {
		buf_add(&out, p, (size_t)(q - p));
		buf_add(&out, gt + 2, (size_t)(close - (gt + 2)));
		p = close + 4;
	}
	buf_adds(&out, p);
	buf_reset(b);
	buf_add(b, out.data, out.len);
	buf_release(&out);
}

static void normalise(struct buf *b, const char *dir, const char *generated)
{
	replace_all(b, dir, "DIR");
	if (generated && *generated)
		replace_all(b, generated, "GENERATED");
	replace_all(b, "campaign " CAMPAIGN_VERSION " at", "campaign VERSION at");
	replace_between(b, "'nonce-", "'", "NONCE", 0);
	replace_between(b, "nonce=\"", "\"", "NONCE", 0);
	replace_between(b, "<style>", "</style>", "CSS", 0);
	unlink_run_pages(b, "<a href=\"runs/page-");
	unlink_run_pages(b, "<a href=\"../runs/page-");
}

static char *generated_of(const char *dir)
{
	char *path = xasprintf("%s/summary.json", dir);
	json_t *s = json_load_file(path, 0, NULL);
	const char *g = json_string_value(json_object_get(s, "generated"));
	char *r = xstrdup(g ? g : "");

	json_decref(s);
	free(path);
	return r;
}

/* The flaw pages, by flaw id: the same ids every time (from signatures). */
static int flaw_pages(const char *dir, char ***ret)
{
	char *path = xasprintf("%s/flaws", dir);
	char **names = NULL;
	int n = 0;
	struct dirent *de;
	DIR *dp = opendir(path);

	while (dp && (de = readdir(dp))) {
		size_t len = strlen(de->d_name);

		if (len != 17 || strcmp(de->d_name + 12, ".json"))
			continue;
		names = xrealloc(names, (size_t)(n + 1) * sizeof(char *));
		names[n++] = xasprintf("report/flaws/%.12s.html", de->d_name);
	}
	if (dp)
		closedir(dp);
	free(path);
	*ret = names;
	return n;
}

static void check(const char *dir, const char *name, const char *generated, int write)
{
	char *text = fx_read_at(dir, name), *gname = xstrdup(name), *want;
	struct buf b = BUF_INIT;

	for (char *s = gname; *s; s++)
		if (*s == '/')
			*s = '_';
	ok(text != NULL, "%s written", name);
	buf_adds(&b, text ? text : "");
	normalise(&b, dir, generated);
	if (write) {
		char *path = xasprintf("%s/%s", GOLDEN, gname);
		FILE *f = fopen(path, "w");

		ok(f && fwrite(b.data, 1, b.len, f) == b.len && fclose(f) == 0,
		   "wrote %s", path);
		free(path);
	} else {
		want = fx_read_at(GOLDEN, gname);
		ok(want != NULL, "golden %s/%s exists", GOLDEN, gname);
		if (want && strcmp(want, b.data)) {
			size_t i = 0;

			while (want[i] && want[i] == b.data[i])
				i++;
			ok(0, "%s differs from its golden at byte %zu: got '%.60s', want '%.60s'",
			   name, i, b.data + i, want + i);
		} else if (want) {
			ok(1, "%s: as its golden (%zu bytes)", name, b.len);
		}
		free(want);
	}
	buf_release(&b);
	free(text);
	free(gname);
}

int main(int argc, char **argv)
{
	int write = argc > 1 && !strcmp(argv[1], "--write");
	char *tmp = fx_tmpdir(), *dir = xasprintf("%s/golden", tmp), *generated;
	struct report_result res = { 0 };
	struct err e = { "" };
	char **flaws;
	int n_flaws;

	make_dir(dir);
	ok(report_write(dir, NULL, &res, &e) == 0, "report: %s", e.msg);
	is_int(res.flaws, 3, "three flaws");
	report_result_release(&res);
	generated = generated_of(dir);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		check(dir, files[i], generated, write);
	n_flaws = flaw_pages(dir, &flaws);
	is_int(n_flaws, 3, "three flaw files");
	for (int i = 0; i < n_flaws; i++) {
		check(dir, flaws[i], generated, write);
		free(flaws[i]);
	}
	free(flaws);
	free(generated);
	free(dir);
	fx_rmdir(tmp);
	return tap_done();
}
