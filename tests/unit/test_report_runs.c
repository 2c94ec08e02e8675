/* The run pages (report/runs/page-N.html, a section #run-R per run) on
 * hand-made results directories: every run has its section on the page
 * its number gives, with its plan, faults and evidence, probes and
 * verdicts; hostile text in a fault's evidence and target shows escaped;
 * the runs table and the flaw pages link to page#run-R; runs out of order
 * beyond the pages held open still land on their page; kept files are
 * linked, and served by campaign serve. Also the runs table's page links
 * (bounded) and the durations formatted without printf. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "report.h"
#include "report_priv.h"
#include "report_runpage.h"
#include "serve.h"
#include "tap.h"
#include "test_report_fixture.h"

#define HOSTILE "</script><img src=x onerror=alert(1)> \"q\" 'a' & b"
/* inside JSON text (evidence and target are objects): quotes as \" */
#define HOSTILE_ESC "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; \\&quot;q\\&quot; " \
		    "&#39;a&#39; &amp; b"

/* A run record as the engine writes it, with a plan, two faults (one not
 * applied), probes and verdicts. */
static json_t *record(long long run, const char *outcome, const char *evidence,
		      const char *target_how)
{
	char started[32];

	fx_wall(1767323045000LL + (run - 1) * 10000, started);
	return json_pack(
		"{s:s, s:s, s:[{s:s, s:s, s:s, s:s}, {s:s, s:s, s:s, s:s}], "
		"s:[{s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:{s:s}, s:b, s:{s:s, s:s}}, "
		"{s:s, s:s, s:s, s:s, s:s, s:i, s:s}], "
		"s:{s:i}, s:{s:[{s:s, s:s, s:[[i, i, b], [i, i, b], [i, i, b], [i, i, b]]}], "
		"s:[{s:i, s:s, s:s, s:b, s:s}]}, s:s, s:I, s:I, "
		"s:{s:I, s:s, s:[{s:i, s:s, s:s, s:s, s:i, s:i, s:{s:i}, s:s}, "
		"{s:i, s:s, s:s, s:n, s:i, s:i, s:{}, s:s}]}}",
		"started", started, "outcome", outcome,
		"oracles", "oracle", "probe-recovers", "verdict", "pass", "class", "recovery",
		"reason", "", "oracle", "containment", "verdict", "fail", "class",
		"containment", "reason", "n2 answered for n1",
		"faults", "type", "partition", "side", "agent", "node", "n1", "role", "leader",
		"fate", "applied", "due_ms", 1000, "start_ms", 1000, "end_ms", 4000,
		"evidence", "detail", evidence, "restored", 0, "target", "keyword", "leader",
		"how", target_how,
		"type", "vm-pause", "side", "hypervisor", "node", "n2", "role", "member",
		"fate", "not-applied", "due_ms", 2000, "why", "n2 was paused by fault 0",
		"phases", "reset_ms", 812,
		"probes", "series", "probe", "health", "node", "n1", "samples",
		1000, 80, 1, 1500, 120, 0, 2000, 90, 0, 2500, 60, 1,
		"transitions", "t_ms", 1500, "probe", "health", "node", "n1", "ok", 0,
		"detail", "timeout after 500 ms",
		"type", "run", "run", (json_int_t)run, "duration_ms", (json_int_t)9000,
		"plan", "run", (json_int_t)run, "seed", "1500136850663009294", "faults",
		"index", 0, "type", "partition", "target", "leader", "node", "n1",
		"inject_at_ms", 1000, "duration_ms", 3000, "params", "loss_pct", 37,
		"seed", "42", "index", 1, "type", "vm-pause", "target", "any", "node",
		"inject_at_ms", 2000, "duration_ms", 500, "params", "seed", "43");
}

static char *page_of(const char *dir, long long run)
{
	struct buf name = BUF_INIT;
	char *text;

	buf_adds(&name, "report/runs/");
	report_run_page_name(&name, run);
	text = fx_read_at(dir, name.data);
	buf_release(&name);
	return text;
}

/* The section of run `run` on its page, as a new string, or NULL. */
static char *section(const char *dir, long long run)
{
	char *page = page_of(dir, run), *start, *end, *r = NULL;
	char id[48];

	snprintf(id, sizeof(id), "<section class=\"run\" id=\"run-%lld\">", run);
	start = page ? strstr(page, id) : NULL;
	end = start ? strstr(start, "</section>") : NULL;
	if (end)
		r = strndup(start, (size_t)(end - start));
	free(page);
	return r;
}

static void test_names(void)
{
	static const struct { long long run; const char *page, *what; } cases[] = {
		{ 1, "page-0001.html", "run 1: the first page" },
		{ 500, "page-0001.html", "run 500: still the first" },
		{ 501, "page-0002.html", "run 501: the second" },
		{ 5000001, "page-10001.html", "run 5,000,001: no padding past 4 digits" },
	};
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&b);
		report_run_page_name(&b, cases[i].run);
		is_str(b.data, cases[i].page, cases[i].what);
	}
	buf_reset(&b);
	report_run_link(&b, 1234);
	is_str(b.data, "runs/page-0003.html#run-1234", "a link from report/");
	buf_release(&b);
}

/* 12 runs: 3, 7 and 11 flaws of one signature; hostile evidence and
 * target in run 5; a kept file for run 7. */
static void make_dir(const char *dir)
{
	struct fx f;

	fx_open(&f, dir, "runs", "run pages");
	fx_event(&f, "start");
	for (long long run = 1; run <= 12; run++) {
		int flaw = run == 3 || run == 7 || run == 11;
		json_t *rec = record(run, flaw ? "flaw" : "recovered",
				     run == 5 ? HOSTILE : "signal 9 sent to pid 812",
				     run == 5 ? HOSTILE : "workload.leader");

		if (flaw) {
			char *sig = flaws_signature("containment", "partition", "leader",
						    "n2 answered for n1");
			char *id = flaws_id(sig);
			struct flaw_hit hit = { .signature = sig, .oracle = "containment",
						.fault = "partition", .role = "leader",
						.class_ = "containment", .run = (int)run,
						.wall_ns = 1767323045000000000LL };
			struct err e = { "" };

			json_object_set_new(rec, "class", json_string("containment"));
			json_object_set_new(rec, "failed_oracle", json_string("containment"));
			json_object_set_new(rec, "reason", json_string("n2 answered for n1"));
			json_object_set_new(rec, "signature", json_string(sig));
			json_object_set_new(rec, "flaw", json_string(id));
			ok(flaws_record(f.fs, &hit, json_pack("{s:O}", "record", rec), NULL,
					&e) == 0, "fixture: flaw of run %lld: %s", run, e.msg);
			free(sig);
			free(id);
		}
		fx_append(&f, rec);
	}
	fx_event(&f, "stop");
	fx_close(&f);
	{
		char *rd = xasprintf("%s/runs/7", dir), *file = xasprintf("%s/history.jsonl", rd);
		FILE *fp;

		paths_mkdirs(rd, 0755, NULL);
		fp = fopen(file, "w");
		if (fp) {
			fputs("{}\n", fp);
			fclose(fp);
		}
		free(rd);
		free(file);
	}
}

static void test_pages(const char *dir)
{
	struct report_result res = { 0 };
	struct err e = { "" };
	char *s1, *s5, *s7, *runs, *fdir, *flaw = NULL;
	int every = 1;

	make_dir(dir);
	ok(report_write(dir, NULL, &res, &e) == 0, "report: %s", e.msg);
	is_int(res.runs, 12, "12 runs");
	is_int(res.flaws, 1, "one flaw");
	report_result_release(&res);

	for (long long run = 1; run <= 12; run++) {
		char *s = section(dir, run);

		every &= s != NULL;
		free(s);
	}
	ok(every, "every run has its section on page-0001.html");
	s1 = section(dir, 1);
	ok(s1 && strstr(s1, "<h2>Run 1 <span class=\"o o-recovered\">recovered</span></h2>"),
	   "run 1: its number and outcome");
	ok(s1 && strstr(s1, "<p><b>Plan</b> seed 1500136850663009294: index 0 \xc2\xb7 ") &&
	   strstr(s1, "type partition \xc2\xb7 target leader "
	   "\xc2\xb7 node n1 \xc2\xb7 inject_at_ms 1000 \xc2\xb7 duration_ms 3000 \xc2\xb7 "
	   "params {&quot;loss_pct&quot;:37}"), "run 1: the plan's faults, targets, times and "
	   "drawn parameters");
	ok(s1 && strstr(s1, "type vm-pause \xc2\xb7 target any \xc2\xb7 inject_at_ms 2000"),
	   "run 1: a planned fault without a node leaves the node out");
	ok(s1 && strstr(s1, "fate applied") && strstr(s1, "evidence {&quot;detail&quot;:"
	   "&quot;signal 9 sent to pid 812&quot;}") && strstr(s1, "fate not-applied \xc2\xb7 "
	   "due_ms 2000 \xc2\xb7 why n2 was paused by fault 0"),
	   "run 1: the faults, applied with their evidence, not applied with why");
	ok(s1 && strstr(s1, "<p><b>Oracle verdicts</b> probe-recovers pass (recovery) \xc2\xb7 "
	   "containment <b class=\"fail\">fail</b> (containment): n2 answered for n1</p>"),
	   "run 1: the verdicts, with the failing reason");
	ok(s1 && strstr(s1, "health@n1 <span class=\"spark\">") &&
	   strstr(s1, "4 samples, 2 failed (1.5 s \xe2\x80\x93 2.0 s)") &&
	   strstr(s1, "<b>\xc3\x97\xc3\x97</b>") && strstr(s1, "t_ms 1500 \xc2\xb7 probe health"),
	   "run 1: the probe over time (two failed samples) and its transition");
	ok(s1 && strstr(s1, "<p>started 2026-01-02T03:04:05.000Z \xc2\xb7 duration 9.0 s "
	   "\xc2\xb7 journal line 2</p>"), "run 1: its start, duration and journal line");
	{
		char *page = page_of(dir, 1);

		ok(page && strstr(page, "Replay run N with <span class=\"mono\">campaign replay ") &&
		   strstr(page, "/pages N</span>"), "the page says how to replay a run");
		free(page);
	}

	s5 = section(dir, 5);
	ok(s5 && strstr(s5, "&quot;detail&quot;:&quot;" HOSTILE_ESC "&quot;"),
	   "run 5: the hostile evidence shows escaped");
	ok(s5 && strstr(s5, "&quot;how&quot;:&quot;" HOSTILE_ESC), "run 5: the hostile target "
	   "shows escaped");
	ok(s5 && !strstr(s5, "<img") && !strstr(s5, "</script>") && !strstr(s5, "\"q\""),
	   "run 5: nothing of it is markup");

	s7 = section(dir, 7);
	ok(s7 && strstr(s7, "<h2>Run 7 <span class=\"o o-flaw\">flaw</span></h2>") &&
	   strstr(s7, " \xc2\xb7 class containment \xc2\xb7 failed oracle containment "),
	   "run 7: a flaw, its class and oracle");
	if (s7) {
		const char *a = strstr(s7, "flaw <a class=\"mono\" href=\"../flaws/");

		ok(a && strstr(s7, ".json\">flaws/"), "run 7: links to its flaw page and trace");
		if (a)
			flaw = strndup(a + 36, 12);
	}
	ok(s7 && strstr(s7, "<a href=\"../../runs/7/history.jsonl\">runs/7/history.jsonl</a>"),
	   "run 7: links the file kept in DIR/runs/7/");

	runs = fx_read_at(dir, "report/runs-1.html");
	ok(runs && strstr(runs, "<td class=\"num\"><a href=\"runs/page-0001.html#run-7\">7</a>"),
	   "the runs table links run 7 to page-0001.html#run-7");
	fdir = flaw ? xasprintf("report/flaws/%s.html", flaw) : NULL;
	{
		char *fp = fdir ? fx_read_at(dir, fdir) : NULL;

		ok(fp && strstr(fp, "Example 1: run <a href=\"../runs/page-0001.html#run-3\">3</a>") &&
		   strstr(fp, "Example 2: run <a href=\"../runs/page-0001.html#run-7\">7</a>"),
		   "the flaw page's examples link to their runs' sections");
		free(fp);
	}
	{
		char *path = NULL;
		int outside = -1;

		ok(serve_resolve(dir, "/runs/page-0001.html", &path, &outside) == 0 && !outside &&
		   strstr(path, "/report/runs/page-0001.html"), "campaign serve: a run page");
		free(path);
		path = NULL;
		ok(serve_resolve(dir, "/runs/7/history.jsonl", &path, &outside) == 0 && outside,
		   "campaign serve: the kept file a run page links to");
		free(path);
	}
	free(fdir);
	free(flaw);
	free(runs);
	free(s1);
	free(s5);
	free(s7);
}

/* Runs whose pages were written already (more than the pages held open
 * came between) still land on their page, with what it had. */
static void test_late_runs(const char *dir)
{
	static const long long order[] = { 1, 501, 1001, 1501, 2001, 2501, 3001, 2, 3002, 502 };
	char *path = xasprintf("%s/journal.jsonl", dir);
	struct err e = { "" };
	FILE *f;
	int all = 1;

	mkdir(dir, 0755);
	f = fopen(path, "w");
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		fprintf(f, "{\"type\":\"run\",\"run\":%lld,\"outcome\":\"no-effect\","
			"\"faults\":[{\"type\":\"netem\",\"node\":\"n%zu\"}]}\n", order[i], i);
	fclose(f);
	ok(report_write(dir, NULL, NULL, &e) == 0, "report of runs out of order: %s", e.msg);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		char *s = section(dir, order[i]);

		all &= s != NULL;
		free(s);
	}
	ok(all, "every run is on its page, the late ones too");
	{
		char *p1 = page_of(dir, 1), *p2 = page_of(dir, 501);

		ok(p1 && fx_count(p1, "<section ") == 2 && fx_count(p1, "<footer>") == 1 &&
		   strstr(p1, "node n0") && strstr(p1, "node n7"),
		   "page-0001: runs 1 and 2, one footer");
		ok(p2 && fx_count(p2, "<section ") == 2 && strstr(p2, "id=\"run-502\""),
		   "page-0002: runs 501 and 502");
		free(p1);
		free(p2);
	}
	free(path);
}

/* The runs table's page links: all of them up to REPORT_PAGE_LINKS pages,
 * then the first, the last and those near. */
static void test_page_links(const char *dir)
{
	long long n = (REPORT_PAGE_LINKS + 5) * (long long)REPORT_PAGE_RUNS;
	char *path = xasprintf("%s/journal.jsonl", dir), *text;
	struct err e = { "" };
	FILE *f;

	mkdir(dir, 0755);
	f = fopen(path, "w");
	for (long long run = 1; run <= n; run++)
		fprintf(f, "{\"type\":\"run\",\"run\":%lld,\"outcome\":\"recovered\"}\n", run);
	fclose(f);
	ok(report_write(dir, NULL, NULL, &e) == 0, "report of %lld runs: %s", n, e.msg);
	text = fx_read_at(dir, "report/runs-10.html");
	ok(text && strstr(text, "<a href=\"runs-1.html\">1</a> \xe2\x80\xa6 <a href=\"runs-5.html\">"
	   "5</a>") && strstr(text, "<b>10</b>") && strstr(text, "<a href=\"runs-15.html\">15</a>"
	   " \xe2\x80\xa6 <a href=\"runs-20.html\">20</a>") && !strstr(text, "runs-4.html") &&
	   !strstr(text, "runs-16.html"), "page 10 of 20 links 1, 5..15 and 20");
	is_int(fx_count(text, "class=\"pages\""), 2, "the links above and below the table");
	free(text);
	free(path);
}

/* report_fmt_ms() as printf wrote it before: "%lld ms", "%.1f s", ... */
static void test_fmt_ms(void)
{
	struct buf got = BUF_INIT;
	char want[64];
	long long bad = -1;

	for (long long ms = 0; ms < 7300000 && bad < 0; ms += ms < 200000 ? 1 : 997) {
		if (ms < 1000)
			snprintf(want, sizeof(want), "%lld ms", ms);
		else if (ms < 60000)
			snprintf(want, sizeof(want), "%.1f s", ms / 1000.0);
		else if (ms < 3600000)
			snprintf(want, sizeof(want), "%lld min %lld s", ms / 60000, ms / 1000 % 60);
		else
			snprintf(want, sizeof(want), "%lld h %lld min", ms / 3600000, ms / 60000 % 60);
		buf_reset(&got);
		report_fmt_ms(&got, ms);
		if (strcmp(got.data, want))
			bad = ms;
	}
	ok(bad < 0, "durations as printf formats them (first difference: %lld ms)", bad);
	buf_release(&got);
}

int main(void)
{
	char *tmp = fx_tmpdir();
	char *pages = xasprintf("%s/pages", tmp), *late = xasprintf("%s/late", tmp);
	char *links = xasprintf("%s/links", tmp);

	test_names();
	test_pages(pages);
	test_late_runs(late);
	test_page_links(links);
	test_fmt_ms();
	free(pages);
	free(late);
	free(links);
	fx_rmdir(tmp);
	return tap_done();
}
