/* The report's figures (outcomes, percentiles, saturation, time spans),
 * its pages and their pagination, and campaign serve's path rules and
 * live status, on hand-made results directories. */
#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
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
#include "serve.h"
#include "tap.h"
#include "test_report_fixture.h"

/* 20 runs: resets 100..2000 ms; flaws first seen at runs 3, 7 and 15. */
static void make_small(const char *dir)
{
	struct fx f;

	fx_open(&f, dir, "figures", "percentiles and saturation");
	fx_event(&f, "start");
	for (int run = 1; run <= 20; run++) {
		int reset = run * 100;

		if (run == 3 || run == 4 || run == 9)
			fx_run(&f, run, "flaw", "process-kill", "n1", "probe-recovers", "recovery",
			       "stale pidfile 1234", reset, NULL);
		else if (run == 7)
			fx_run(&f, run, "flaw", "vm-crash", "n2", "containment", "containment",
			       "n2 unreachable", reset, NULL);
		else if (run == 15)
			fx_run(&f, run, "flaw", "process-kill", "n3", "probe-recovers", "liveness",
			       "a different bug", reset, NULL);
		else
			fx_run(&f, run, run % 2 ? "recovered" : "no-effect",
			       run % 3 ? "process-kill" : "netem", "n1", NULL, NULL, "", reset, NULL);
		if (run == 10) {	/* a pause of an hour between two sessions */
			fx_event(&f, "stop");
			f.t0_ms += 3600000;
			fx_event(&f, "resume");
		}
	}
	fx_infra(&f, 21, "ready: timeout", "retry");
	fx_close(&f);	/* no stop event: still running, or killed */
}

static void test_figures(const char *dir)
{
	struct report_data d;
	struct err e = { "" };

	ok(report_data_load(&d, dir, NULL, NULL, NULL, &e) == 0, "load: %s", e.msg);
	is_int(d.n_runs, 20, "20 runs");
	ok(d.oc[OC_FLAW] == 5 && d.oc[OC_NO_EFFECT] + d.oc[OC_RECOVERED] == 15 &&
	   d.oc[OC_INFRA] == 0, "outcome counts");
	is_int(d.infra_events, 1, "one infra event");
	is_int(d.n_flaws, 3, "three unique flaws");
	ok(d.n_sat == 3 && d.sat[0].run == 3 && d.sat[1].run == 7 && d.sat[2].run == 15 &&
	   d.sat[2].n == 3, "saturation: new flaws at runs 3, 7, 15");
	ok(d.flaws[0].journal_runs == 3 && d.flaws[0].count == 3 && d.flaws[0].first_run == 3 &&
	   d.flaws[0].last_run == 9, "the first flaw: 3 runs, from 3 to 9");
	is_str(d.flaws[1].oracle, "containment", "flaws sorted by first sighting");
	ok(d.reset_stat.n == 20 && d.reset_stat.p50 == 1000 && d.reset_stat.p95 == 1900 &&
	   d.reset_stat.p99 == 2000 && d.reset_stat.max == 2000 && d.reset_stat.min == 100,
	   "phases.reset_ms: nearest-rank p50 1000, p95 1900, p99 2000");
	ok(d.ready_stat.n == 40 && d.ready_stat.p50 == 1000 && d.ready_stat.p95 == 1900 &&
	   d.ready_stat.p99 == 2000 && d.ready_stat.min == 90,
	   "resets[].ready_ms: 40 values, p50 1000, p95 1900, p99 2000");
	{
		long long sum = 0;

		for (int i = 0; i < d.ready_hist.n_bins; i++)
			sum += d.ready_hist.counts[i];
		ok(sum == 40 && d.ready_hist.bin_ms > 0, "histogram holds every value (bin %lld ms)",
		   d.ready_hist.bin_ms);
	}
	/* two sessions of 10 runs, each from a start to 9 s after its last start */
	is_int(d.active_ms, 2 * (9 * 10000 + 9000), "active time: the two sessions, not the pause");
	is_str(d.last_event, "resume", "the last campaign event");
	{
		int pk = strtab_find(&d.type_names, "process-kill");

		ok(pk >= 0 && d.types[pk].oc[OC_FLAW] == 4, "by fault: process-kill has 4 flaw runs");
	}
	report_data_release(&d);
}

static void test_times(void)
{
	struct buf b = BUF_INIT;

	is_int(report_parse_time("1970-01-01T00:00:00.000Z"), 0, "the epoch");
	is_int(report_parse_time("2024-05-01T12:00:00.512Z"), 1714564800512LL, "a time with ms");
	is_int(report_parse_time("2024-02-29T23:59:59Z"), 1709251199000LL, "a leap day");
	is_int(report_parse_time("2024-05-01 12:00:00Z"), 0, "not RFC 3339");
	is_int(report_parse_time(NULL), 0, "NULL");
	report_fmt_wall(&b, 1714564800512LL);
	is_str(b.data, "2024-05-01 12:00:00 UTC", "wall time on pages");
	buf_reset(&b);
	report_fmt_wall(&b, 1709251199000LL);
	is_str(b.data, "2024-02-29 23:59:59 UTC", "a leap day on pages");
	buf_reset(&b);
	report_fmt_ms(&b, 9000);
	is_str(b.data, "9.0 s", "durations");
	buf_release(&b);
}

static void test_pages(const char *dir)
{
	struct report_result res = { 0 };
	struct err e = { "" };
	char *index, *runs, *flaws_list;
	json_t *sum;
	char *path = xasprintf("%s/summary.json", dir);

	ok(report_write(dir, NULL, &res, &e) == 0, "report: %s", e.msg);
	index = fx_read_at(dir, "report/index.html");
	runs = fx_read_at(dir, "report/runs-1.html");
	flaws_list = fx_read_at(dir, "report/runs-flaw-1.html");
	ok(index && strstr(index, "<div class=\"n\" data-outcome=\"flaw\">5</div>") &&
	   strstr(index, "id=\"unique-flaws\">3<") && strstr(index, "id=\"runs-total\">20<"),
	   "index: outcome cards, unique flaws, runs");
	ok(strstr(index, "The campaign is running (or was killed)") != NULL,
	   "index: a journal without a stop event is shown as running");
	ok(strstr(index, "<svg") && strstr(index, "aria-label=\"histogram\"") &&
	   strstr(index, "aria-label=\"unique flaws by run\"") &&
	   strstr(index, "aria-label=\"outcomes by fault type\""), "index: the three charts");
	ok(!strstr(index, "http://") || strstr(index, "xmlns=\"http://www.w3.org/2000/svg\""),
	   "index: no link to the network");
	is_int(fx_count(index, "<a href=\"flaws/"), 3, "index: the flaw list links three pages");
	is_int(fx_count(runs, "<tr id=\"r"), 20, "runs-1: every run");
	is_int(fx_count(flaws_list, "<tr id=\"r"), 5, "runs-flaw-1: the flaw runs");
	sum = json_load_file(path, 0, NULL);
	ok(json_integer_value(json_object_get(json_object_get(sum, "runs"), "total")) == 20 &&
	   json_integer_value(json_object_get(json_object_get(json_object_get(sum, "reset"),
		"reset_ms"), "p95")) == 1900 &&
	   json_array_size(json_object_get(sum, "saturation")) == 3 &&
	   json_is_null(json_object_get(sum, "baseline")) &&
	   !strcmp(json_string_value(json_object_get(json_object_get(sum, "campaign"),
		"state")), "running"),
	   "summary.json: runs, reset p95, saturation, no baseline, state");
	json_decref(sum);
	report_result_release(&res);
	free(index);
	free(runs);
	free(flaws_list);
	free(path);
}

static int exists(const char *dir, const char *name)
{
	char *path = xasprintf("%s/%s", dir, name);
	int r = access(path, F_OK) == 0;

	free(path);
	return r;
}

/* 1203 runs written directly: three pages of at most 500. */
static void test_pagination(const char *dir)
{
	char *path = xasprintf("%s/journal.jsonl", dir);
	FILE *f;
	struct err e = { "" };
	int rows = 0, once = 1;
	char *seen = xcalloc(1204, 1);

	mkdir(dir, 0755);
	f = fopen(path, "w");
	for (int run = 1203; run >= 1; run--)	/* out of order: sorted on reading */
		fprintf(f, "{\"type\":\"run\",\"run\":%d,\"outcome\":\"%s\",\"faults\":"
			"[{\"type\":\"%s\",\"node\":\"n1\"}],\"duration_ms\":100}\n", run,
			run % 10 ? "recovered" : "no-effect", run % 2 ? "netem" : "partition");
	fclose(f);
	ok(report_write(dir, NULL, NULL, &e) == 0, "report of 1203 runs: %s", e.msg);
	for (int p = 1; p <= 3; p++) {
		char name[32], *text;
		const char *q;

		snprintf(name, sizeof(name), "report/runs-%d.html", p);
		text = fx_read_at(dir, name);
		ok(text != NULL, "%s exists", name);
		for (q = text; q && (q = strstr(q, "<tr id=\"r")); q++) {
			int run = atoi(q + 9);

			if (run < 1 || run > 1203 || seen[run])
				once = 0;
			else
				seen[run] = 1;
			rows++;
		}
		if (p == 1)
			ok(strstr(text, "<tr id=\"r1\"") && strstr(text, "<tr id=\"r500\"") &&
			   !strstr(text, "<tr id=\"r501\""), "page 1 holds runs 1..500");
		free(text);
	}
	is_int(rows, 1203, "1203 rows over three pages");
	ok(once, "each run on exactly one page");
	ok(!exists(dir, "report/runs-4.html"), "no fourth page");
	ok(exists(dir, "report/runs-no-effect-1.html") &&
	   exists(dir, "report/runs-recovered-3.html") &&
	   !exists(dir, "report/runs-no-effect-2.html"), "per-outcome pages, paginated too");
	free(seen);
	free(path);
}

/* The refresher remakes the report on its own thread, and stops at once. */
static void test_refresher(const char *tmp)
{
	char *dir = xasprintf("%s/refresh", tmp), *index = xasprintf("%s/report/index.html", dir);
	struct report_refresher *r = NULL;
	struct err e = { "" };
	struct fx f;
	int64_t t;

	fx_open(&f, dir, "refresh", "");
	fx_run(&f, 1, "recovered", "netem", "n1", NULL, NULL, "", 100, NULL);
	ok(report_refresher_start(dir, NULL, 1, &r, &e) == 0, "start a refresher: %s", e.msg);
	for (int i = 0; i < 50 && access(index, F_OK) != 0; i++)
		usleep(100000);
	ok(access(index, F_OK) == 0, "it made the report within 5 s (period 1 s)");
	t = clock_mono_ms();
	report_refresher_stop(r);
	ok(clock_mono_ms() - t < 1000, "it stops without waiting for its period");
	fx_close(&f);
	free(index);
	free(dir);
}

/* ---- serve ------------------------------------------------------------- */

static void test_resolve(const char *dir, const char *tmp)
{
	char *p = NULL, *link = xasprintf("%s/report/out.html", dir);
	char *hidden = xasprintf("%s/report/.tmp-x", dir);
	char *logdir = xasprintf("%s/runs/3", dir), *log = xasprintf("%s/runs/3/w.log", dir);
	char *secret = xasprintf("%s/secret.txt", tmp);
	int outside = -1;
	FILE *f;

	ok(serve_resolve(dir, "/", &p, NULL) == 0 && strstr(p, "/report/index.html"), "/ is the index");
	free(p);
	ok(serve_resolve(dir, "/runs-1.html", &p, &outside) == 0 && !outside, "a report page");
	free(p);
	ok(serve_resolve(dir, "/summary.json", &p, &outside) == 0 && !strstr(p, "/report/") &&
	   outside, "summary.json from DIR");
	free(p);
	is_int(serve_resolve(dir, "/journal.jsonl", &p, NULL), 404, "the journal is not served");
	is_int(serve_resolve(dir, "/../campaign.json", &p, NULL), 403, "'..' refused");
	is_int(serve_resolve(dir, "/flaws/../../x", &p, NULL), 403, "'..' inside refused");
	is_int(serve_resolve(dir, "/./index.html", &p, NULL), 403, "'.' refused");
	is_int(serve_resolve(dir, "//etc/passwd", &p, NULL), 403, "an empty segment refused");
	is_int(serve_resolve(dir, "/a\\..\\b", &p, NULL), 403, "backslashes refused");
	is_int(serve_resolve(dir, "/nothing.html", &p, NULL), 404, "a missing file is 404");
	is_int(serve_resolve(dir, "/flaws/", &p, NULL), 403, "no directory listing");
	is_int(serve_resolve(dir, "/report", &p, NULL), 404, "not a file");
	f = fopen(secret, "w");
	fputs("secret\n", f);
	fclose(f);
	ok(symlink(secret, link) == 0, "a symbolic link out of DIR");
	is_int(serve_resolve(dir, "/out.html", &p, NULL), 403, "a link out of DIR is refused");
	f = fopen(hidden, "w");
	fclose(f);
	is_int(serve_resolve(dir, "/.tmp-x", &p, NULL), 403, "hidden and temporary files refused");
	paths_mkdirs(logdir, 0755, NULL);
	f = fopen(log, "w");
	fclose(f);
	ok(serve_resolve(dir, "/runs/3/w.log", &p, NULL) == 0, "a kept run file");
	free(p);
	is_int(serve_resolve(dir, "/runs/x/w.log", &p, NULL), 404, "only numbered run directories");
	unlink(link);
	unlink(hidden);
	free(link);
	free(hidden);
	free(logdir);
	free(log);
	free(secret);
}

/* One raw HTTP/1.0 request, its Host header added after the request
 * line; the response in out. */
static int http(int port, const char *request, struct buf *out)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct timeval tv = { 10, 0 };
	const char *eol = strstr(request, "\r\n");
	char *req = xasprintf("%.*s\r\nHost: 127.0.0.1:%d%s", (int)(eol - request), request,
			      port, eol);
	char chunk[4096];
	ssize_t n;

	buf_reset(out);
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    write(fd, req, strlen(req)) < 0) {
		close(fd);
		free(req);
		return -1;
	}
	free(req);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_add(out, chunk, (size_t)n);
	close(fd);
	return 0;
}

static json_t *status_body(const struct buf *resp)
{
	const char *body = strstr(resp->data, "\r\n\r\n");

	return body ? json_loads(body + 4, 0, NULL) : NULL;
}

static void test_serve(const char *dir)
{
	struct serve_options o = { .dir = dir, .port = 0 };
	struct server *s = NULL;
	struct err e = { "" };
	struct buf r = BUF_INIT;
	struct fx f;
	json_t *st;
	int port;

	o.bind = "10.0.0.1.5";
	ok(serve_start(&o, &s, &e) < 0 && strstr(e.msg, "not an IPv4 or IPv6 address"),
	   "a bad bind address: %s", e.msg);
	o.bind = NULL;
	ok(serve_start(&o, &s, &e) == 0, "serve on 127.0.0.1, any port: %s", e.msg);
	port = serve_port(s);
	ok(port > 0, "listening on port %d", port);
	ok(http(port, "GET / HTTP/1.0\r\n\r\n", &r) == 0 && strstr(r.data, "200 OK") &&
	   strstr(r.data, "Content-Type: text/html") && strstr(r.data, "<!DOCTYPE html>"),
	   "GET / is the index");
	ok(http(port, "GET /../campaign.json HTTP/1.0\r\n\r\n", &r) == 0 &&
	   (strstr(r.data, " 403 ") || strstr(r.data, " 404 ")) && !strstr(r.data, "\"config\""),
	   "GET /../campaign.json is refused");
	ok(http(port, "GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.0\r\n\r\n", &r) == 0 &&
	   strstr(r.data, " 403 ") && !strstr(r.data, "root:"), "encoded '..' refused");
	ok(http(port, "POST /status.json HTTP/1.0\r\nContent-Length: 0\r\n\r\n", &r) == 0 &&
	   strstr(r.data, " 405 "), "POST refused");
	ok(http(port, "GET /status.json HTTP/1.0\r\n\r\n", &r) == 0 && strstr(r.data, "200 OK"),
	   "GET /status.json");
	st = status_body(&r);
	ok(json_integer_value(json_object_get(st, "runs_done")) == 20 &&
	   json_integer_value(json_object_get(json_object_get(st, "outcomes"), "flaw")) == 5 &&
	   json_integer_value(json_object_get(st, "unique_flaws")) == 3 &&
	   json_integer_value(json_object_get(json_object_get(st, "last_run"), "run")) == 20,
	   "status: runs, outcomes, unique flaws, last run");
	json_decref(st);

	/* a campaign appends: the status follows */
	memset(&f, 0, sizeof(f));
	{
		struct err je = { "" };

		ok(journal_open(dir, &f.j, NULL, &je) == 0, "reopen the journal: %s", je.msg);
		ok(flaws_open(dir, &f.fs, &je) == 0, "and the flaws");
		f.dir = xstrdup(dir);
		f.t0_ms = 1767323045000LL;
		fx_run(&f, 21, "flaw", "netem", "n2", "probe-recovers", "recovery", "new one", 700,
		       NULL);
		st = http(port, "GET /status.json HTTP/1.0\r\n\r\n", &r) == 0 ? status_body(&r)
									     : NULL;
		ok(json_integer_value(json_object_get(st, "runs_done")) == 21 &&
		   json_integer_value(json_object_get(st, "unique_flaws")) == 4 &&
		   json_is_true(json_object_get(st, "running")),
		   "status after an append: 21 runs, 4 flaws, running (the journal is held)");
		json_decref(st);
		fx_close(&f);
	}
	serve_stop(s);
	buf_release(&r);
}

int main(void)
{
	char *tmp = fx_tmpdir();
	char *small = xasprintf("%s/small", tmp), *many = xasprintf("%s/many", tmp);

	make_small(small);
	test_figures(small);
	test_times();
	test_pages(small);
	test_pagination(many);
	test_refresher(tmp);
	test_resolve(small, tmp);
	test_serve(small);
	free(small);
	free(many);
	fx_rmdir(tmp);
	return tap_done();
}
