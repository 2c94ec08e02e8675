/* Run pages past the ones written in full (report_runpage.h): the
 * cut-off rule; a partial page holds the runs a reader needs and says
 * that `campaign serve` renders the rest; the page rendered on request is
 * byte for byte the page the report writes with every run (runs out of
 * order and a run recorded twice included); report/runs/index.bin is
 * removed when no page needs it; a page of no run in the journal is not
 * rendered (serve answers 404, over HTTP too); a damaged or outdated index is an error,
 * never a read past the journal. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "report.h"
#include "report_priv.h"
#include "report_runpage.h"
#include "serve.h"
#include "tap.h"
#include "test_report_fixture.h"

#define RUNS 1300	/* pages 1-3 */

static void test_rule(void)
{
	static const struct { long long run; int oc, want; const char *what; } cases[] = {
		{ 1, OC_RECOVERED, 1, "run 1, recovered: page 1 is written in full" },
		{ 100000, OC_NO_EFFECT, 1, "run 100,000, no-effect: page 200, in full" },
		{ 100001, OC_NO_EFFECT, 0, "run 100,001, no-effect: rendered on request" },
		{ 100001, OC_RECOVERED, 0, "run 100,001, recovered: rendered on request" },
		{ 999999, OC_FLAW, 1, "a flaw run always has its section" },
		{ 999999, OC_UNJUDGED, 1, "an unjudged run too" },
		{ 999999, OC_SET_ASIDE, 1, "a set-aside run too" },
		{ 999999, OC_INFRA, 1, "an infra-error run too" },
		{ 999999, OC_OTHER, 1, "and a run of an outcome the report does not know" },
	};

	is_int(REPORT_RUN_PAGES_ALL * REPORT_RUN_PAGE_RUNS, 100000,
	       "every run page up to run 100,000 is written");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		is_int(runpage_static(cases[i].run, cases[i].oc, REPORT_RUN_PAGES_ALL),
		       cases[i].want, cases[i].what);
}

static const char *outcome_of(long long run)
{
	return run % 97 == 0 ? "unjudged" : run % 89 == 0 ? "set-aside" :
	       run % 83 == 0 ? "infra-error" : run % 2 ? "recovered" : "no-effect";
}

static void line(FILE *f, long long run, long long t)
{
	fprintf(f, "{\"type\":\"run\",\"run\":%lld,\"outcome\":\"%s\",\"started\":"
		"\"2026-01-02T03:%02lld:%02lld.000Z\",\"duration_ms\":%lld,\"testbed\":1,"
		"\"plan\":{\"run\":%lld,\"seed\":\"%lld\",\"faults\":[{\"index\":0,\"type\":"
		"\"partition\",\"target\":\"leader\",\"node\":\"n%lld\",\"inject_at_ms\":1000,"
		"\"duration_ms\":3000}]},\"faults\":[{\"type\":\"partition\",\"node\":\"n%lld\","
		"\"fate\":\"applied\",\"start_ms\":1000,\"end_ms\":4000,\"evidence\":{\"detail\":"
		"\"<b>run %lld</b> & co\"}}],\"probes\":{\"series\":[{\"probe\":\"health\","
		"\"node\":\"n1\",\"samples\":[[1000,80,1],[1500,120,%d],[2000,90,1]]}]},"
		"\"oracles\":[{\"oracle\":\"probe-recovers\",\"verdict\":\"%s\",\"reason\":"
		"\"r%lld\"}]}\n",
		run, outcome_of(run), t / 60 % 60, t % 60, 9000 + run, run, run * 7919,
		run % 3 + 1, run % 3 + 1, run, (int)(run % 5 != 0),
		run % 97 == 0 ? "unknown" : "pass", run);
}

/* RUNS runs by number, with a kept file of run 777; unless in_order,
 * 1100 before 1050 and run 520 recorded again at the end (a resumed
 * campaign redoing it). */
static void make_dir(const char *dir, int in_order)
{
	char *path = xasprintf("%s/journal.jsonl", dir), *kept = xasprintf("%s/runs/777", dir);
	FILE *f;
	long long t = 0;

	mkdir(dir, 0755);
	f = fopen(path, "w");
	for (long long run = 1; run <= RUNS; run++) {
		if (run == 1050 && !in_order)
			continue;
		line(f, run, t++);
		if (run == 1100 && !in_order)
			line(f, 1050, t++);
	}
	if (!in_order)
		line(f, 520, t++);
	fclose(f);
	paths_mkdirs(kept, 0755, NULL);
	free(path);
	path = xasprintf("%s/out.log", kept);
	f = fopen(path, "w");
	fputs("x\n", f);
	fclose(f);
	free(path);
	free(kept);
}

static char *page_text(const char *dir, long long page)
{
	struct buf name = BUF_INIT;
	char *text;

	buf_adds(&name, "report/runs/");
	report_run_page_name(&name, (page - 1) * REPORT_RUN_PAGE_RUNS + 1);
	text = fx_read_at(dir, name.data);
	buf_release(&name);
	return text;
}

/* The page up to its footer (its time of generation differs). */
static char *body(char *page)
{
	char *foot = page ? strstr(page, "<footer>") : NULL;

	if (foot)
		*foot = '\0';
	return page;
}

static int write_report(const char *dir, long long all_pages)
{
	struct report_options opt = { .run_pages_all = all_pages };
	struct err e = { "" };
	int r = report_write(dir, &opt, NULL, &e);

	ok(r == 0, "report with %lld pages in full%s%s", all_pages, r ? ": " : "", r ? e.msg : "");
	return r;
}

static void test_pages(const char *dir)
{
	char *full[4], *part, *idx = xasprintf("%s/report/runs/index.bin", dir), *runs;
	struct buf got = BUF_INIT;
	struct err e = { "" };
	struct stat st;

	make_dir(dir, 0);
	write_report(dir, 1000);
	for (int p = 1; p <= 3; p++)
		full[p] = body(page_text(dir, p));
	ok(stat(idx, &st) < 0, "every page written in full: no index");
	runs = fx_read_at(dir, "report/runs-1.html");
	ok(runs && !strstr(runs, "rendered on request"), "and no word of pages on request");
	free(runs);

	write_report(dir, 1);
	ok(stat(idx, &st) == 0, "pages past the first: report/runs/index.bin");
	runs = fx_read_at(dir, "report/runs-1.html");
	ok(runs && strstr(runs, "rendered on request by <span class=\"mono\">campaign serve"),
	   "the runs table says which runs campaign serve renders");
	free(runs);
	part = page_text(dir, 1);
	is_str(body(part), full[1], "page 1 is as before");
	free(part);
	part = page_text(dir, 2);
	ok(part && strstr(part, "This page holds only the runs that need a look") &&
	   strstr(part, "id=\"run-582\"") && strstr(part, "id=\"run-534\"") &&
	   strstr(part, "id=\"run-581\"") && strstr(part, "id=\"run-777\"") == NULL &&
	   strstr(part, "id=\"run-520\"") == NULL,
	   "page 2 holds the unjudged, set-aside and infra-error runs, not the others");
	is_int(fx_count(part, "<section "), 17, "its 17 such runs, no more");
	free(part);

	for (int p = 2; p <= 3; p++) {
		char url[32];

		snprintf(url, sizeof(url), "/runs/page-%04d.html", p);
		buf_reset(&got);
		ok(serve_run_page(dir, url, &got, &e) == 0, "%s rendered on request%s", url,
		   e.msg[0] && got.len == 0 ? e.msg : "");
		ok(got.len && strstr(got.data, "</footer>\n</main></body></html>\n"),
		   "a whole page");
		is_str(body(got.data), full[p], p == 2 ?
		       "page 2 on request: byte for byte the page written in full (run 520 twice, a kept file)" :
		       "page 3 on request: byte for byte the page written in full (run 1050 late)");
	}
	buf_reset(&got);
	is_int(serve_run_page(dir, "/runs/page-0001.html", &got, &e), 1,
	       "page 1, written in full: the file is served");
	is_int(serve_run_page(dir, "/runs/page-0009.html", &got, &e), 1,
	       "a page of no run in the journal: not rendered");
	{
		char *p = NULL;

		is_int(serve_resolve(dir, "/runs/page-0009.html", &p, NULL), 404,
		       "and not a file: 404");
		free(p);
	}
	is_int(serve_run_page(dir, "/runs/page-2.html", &got, &e), 1,
	       "another spelling of page 2 is not rendered");
	is_int(serve_run_page(dir, "/runs/page-00002.html", &got, &e), 1, "nor this one");
	is_int(serve_run_page(dir, "/runs/page-0002.html.x", &got, &e), 1, "nor this one");
	is_int(serve_run_page(dir, "/runs/page-99999999999999999999.html", &got, &e), 1,
	       "a page number too large");
	ok(got.len == 0, "nothing written for them");

	write_report(dir, 0);
	ok(stat(idx, &st) < 0, "the default (200 pages in full): the index removed");
	part = page_text(dir, 3);
	is_str(body(part), full[3], "page 3 in full again");
	free(part);
	for (int p = 1; p <= 3; p++)
		free(full[p]);
	buf_release(&got);
	free(idx);
}

static void put_at(const char *path, long long at, const void *data, size_t n)
{
	int fd = open(path, O_WRONLY);

	ok(fd >= 0 && pwrite(fd, data, n, at) == (ssize_t)n, "damage '%s' at %lld", path, at);
	if (fd >= 0)
		close(fd);
}

/* An index that does not fit the journal is an error, never a read
 * outside it. */
static void test_bounds(const char *dir)
{
	char *idx = xasprintf("%s/report/runs/index.bin", dir);
	struct runindex_rec rec;
	struct buf got = BUF_INIT;
	struct err e = { "" };
	long long first = (long long)sizeof(struct runindex_head);
	FILE *f;

	make_dir(dir, 0);
	write_report(dir, 1);
	f = fopen(idx, "rb");
	ok(f && fseek(f, first, SEEK_SET) == 0 && fread(&rec, sizeof(rec), 1, f) == 1,
	   "the first record of the index");
	if (f)
		fclose(f);
	is_int(rec.run, 501, "the index starts with page 2's first run");

	{
		struct runindex_rec bad = rec;

		bad.len = 1LL << 40;
		put_at(idx, first, &bad, sizeof(bad));
		is_int(serve_run_page(dir, "/runs/page-0002.html", &got, &e), -1,
		       "a line longer than the journal: an error");
		ok(strstr(e.msg, "does not fit journal"), "saying so: %s", e.msg);
		bad = rec;
		bad.at = 0x7fffffffffffff00LL;
		put_at(idx, first, &bad, sizeof(bad));
		is_int(serve_run_page(dir, "/runs/page-0002.html", &got, &e), -1,
		       "an offset past the journal's end: an error");
		bad = rec;
		bad.at = rec.at + 1;
		put_at(idx, first, &bad, sizeof(bad));
		is_int(serve_run_page(dir, "/runs/page-0002.html", &got, &e), -1,
		       "a place that is not run 501's line: an error");
		ok(strstr(e.msg, "out of date"), "saying so: %s", e.msg);
		put_at(idx, first, &rec, sizeof(rec));
		buf_reset(&got);
		ok(serve_run_page(dir, "/runs/page-0002.html", &got, &e) == 0,
		   "repaired: rendered again");
	}
	ok(truncate(idx, first + (long long)sizeof(rec) + 3) == 0, "an index cut short");
	is_int(serve_run_page(dir, "/runs/page-0002.html", &got, &e), -1,
	       "a torn index: an error");
	ok(strstr(e.msg, "not an index of run pages"), "saying so: %s", e.msg);
	buf_release(&got);
	free(idx);
}

/* A journal in run order: the index says so and is searched, not read
 * through; the pages are the same. */
static void test_sorted(const char *dir)
{
	char *idx = xasprintf("%s/report/runs/index.bin", dir), *full[4];
	struct runindex_head h;
	struct buf got = BUF_INIT;
	struct err e = { "" };
	FILE *f;

	make_dir(dir, 1);
	write_report(dir, 1000);
	for (int p = 2; p <= 3; p++)
		full[p] = body(page_text(dir, p));
	write_report(dir, 1);
	f = fopen(idx, "rb");
	ok(f && fread(&h, sizeof(h), 1, f) == 1 && h.sorted == 1 && h.all_pages == 1,
	   "in run order: the index says so");
	if (f)
		fclose(f);
	for (int p = 2; p <= 3; p++) {
		char url[32];

		snprintf(url, sizeof(url), "/runs/page-%04d.html", p);
		buf_reset(&got);
		ok(serve_run_page(dir, url, &got, &e) == 0, "%s found by a binary search", url);
		is_str(body(got.data), full[p], "and byte for byte the page written in full");
		free(full[p]);
	}
	buf_reset(&got);
	is_int(serve_run_page(dir, "/runs/page-0004.html", &got, &e), 1,
	       "past the last run: nothing");
	buf_release(&got);
	free(idx);
}

/* GET path from 127.0.0.1:port (at most 5 s): the status code, the
 * response in out; -1 if none came. */
static int get(int port, const char *path, struct buf *out)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int64_t deadline = deadline_in_ms(5000);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	char req[256], chunk[4096];

	buf_reset(out);
	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
		 "Connection: close\r\n\r\n", path, port);
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    write(fd, req, strlen(req)) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while (!deadline_passed(deadline)) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, (int)deadline_left_ms(deadline)) <= 0)
			continue;
		n = read(fd, chunk, sizeof(chunk));
		if (n <= 0)
			break;
		buf_add(out, chunk, (size_t)n);
	}
	close(fd);
	return out->len > 12 && !strncmp(out->data, "HTTP/1.", 7) ? atoi(out->data + 9) : -1;
}

/* campaign serve: a partial page in full, a page of no run 404. */
static void test_http(const char *dir)
{
	struct serve_options o = { .dir = dir, .port = 0, .idle_timeout_s = 3 };
	struct server *s = NULL;
	struct buf r = BUF_INIT;
	struct err e = { "" };

	write_report(dir, 1);
	ok(serve_start(&o, &s, &e) == 0, "serve: %s", e.msg);
	if (!s)
		return;
	is_int(get(serve_port(s), "/runs/page-0002.html", &r), 200,
	       "GET /runs/page-0002.html: 200");
	is_int(fx_count(r.data, "<section class=\"run\""), 501,
	       "every run of page 2 (520 twice), rendered on request");
	ok(strstr(r.data, "Content-Type: text/html; charset=utf-8") != NULL, "as HTML");
	is_int(get(serve_port(s), "/runs/page-0001.html", &r), 200,
	       "GET /runs/page-0001.html (a file): 200");
	is_int(get(serve_port(s), "/runs/page-0009.html", &r), 404,
	       "GET /runs/page-0009.html, runs not in the journal: 404");
	serve_stop(s);
	buf_release(&r);
}

int main(void)
{
	char *tmp = fx_tmpdir();
	char *pages = xasprintf("%s/pages", tmp), *bounds = xasprintf("%s/bounds", tmp);
	char *sorted = xasprintf("%s/sorted", tmp);

	alarm(60);	/* a server that never answers must not hang the test */
	test_rule();
	test_pages(pages);
	test_http(pages);
	test_sorted(sorted);
	test_bounds(bounds);
	free(pages);
	free(bounds);
	free(sorted);
	fx_rmdir(tmp);
	return tap_done();
}
