/* Baseline logic, exit codes, JUnit and summary.json on hand-made results
 * directories (journal and flaw files written through their APIs). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "baseline.h"
#include "buf.h"
#include "flaws.h"
#include "report.h"
#include "tap.h"
#include "test_report_fixture.h"

#define EV_A "Health check FAILED on 10.0.0.3:2379 after 8s"
#define EV_B "node n2 unreachable for 5 s"
#define EV_C "partition: probe 'health' on 'n1' is not healthy within 3 s"

static char *sig_of(const char *oracle, const char *fault, const char *ev)
{
	return flaws_signature(oracle, fault, "member", ev);
}

/* Yesterday: flaws A (probe-recovers x process-kill) and B (containment x
 * vm-crash). */
static void make_prev(const char *dir)
{
	struct fx f;

	fx_open(&f, dir, "nightly", "yesterday");
	fx_event(&f, "start");
	fx_run(&f, 1, "flaw", "process-kill", "n1", "probe-recovers", "recovery", EV_A,
	       900, NULL);
	fx_run(&f, 2, "flaw", "vm-crash", "n2", "containment", "containment", EV_B, 950,
	       NULL);
	fx_run(&f, 3, "recovered", "netem", "n3", NULL, NULL, "", 1000, NULL);
	fx_event(&f, "stop");
	fx_close(&f);
}

/* Tonight: A again (known) and C (probe-recovers x partition, new); B
 * is no longer seen. */
static void make_cur(const char *dir, int with_new, int quarantine)
{
	struct fx f;

	fx_open(&f, dir, "nightly", "tonight");
	fx_event(&f, "start");
	fx_run(&f, 1, "no-effect", "netem", "n1", NULL, NULL, "", 800, NULL);
	fx_run(&f, 2, "flaw", "process-kill", "n2", "probe-recovers", "recovery",
	       "Health check FAILED on 10.0.0.1:2379 after 9s", 900, NULL);
	if (with_new)
		fx_run(&f, 3, "flaw", "partition", "n1", "probe-recovers", "liveness", EV_C,
		       1000, NULL);
	fx_run(&f, 4, "recovered", "process-kill", "n3", NULL, NULL, "", 1100, NULL);
	if (quarantine)
		fx_infra(&f, 5, "ready: not ready within 30 s", "quarantine");
	fx_event(&f, "stop");
	fx_close(&f);
}

static void test_baseline_load(const char *prev, const char *tmp)
{
	struct baseline *b = NULL;
	struct err e = { "" };
	char *a = sig_of("probe-recovers", "process-kill", EV_A);
	char *bs = sig_of("containment", "vm-crash", EV_B);
	char *none = xasprintf("%s/none", tmp), *empty = xasprintf("%s/empty", tmp);
	char *plain = xasprintf("%s/plain", tmp);

	ok(baseline_load(prev, &b, &e) == 0, "load the baseline: %s", e.msg);
	is_int(baseline_count(b), 2, "two signatures");
	ok(baseline_has(b, a) && baseline_has(b, bs), "both are in it");
	ok(!baseline_has(b, "probe-recovers|partition|member|x"), "another is not");
	baseline_free(b);
	b = NULL;
	ok(baseline_load(none, &b, &e) < 0 && strstr(e.msg, "cannot use baseline") && !b,
	   "a missing directory is an error: %s", e.msg);
	mkdir(plain, 0755);
	ok(baseline_load(plain, &b, &e) < 0 && strstr(e.msg, "not a results directory"),
	   "a directory that is no results directory is an error: %s", e.msg);
	mkdir(empty, 0755);
	{
		char *j = xasprintf("%s/journal.jsonl", empty);

		fclose(fopen(j, "w"));
		free(j);
	}
	ok(baseline_load(empty, &b, &e) == 0 && baseline_count(b) == 0,
	   "a results directory without flaws/ is an empty baseline");
	baseline_free(b);
	free(a);
	free(bs);
	free(none);
	free(empty);
	free(plain);
}

static json_t *load_json(const char *path)
{
	return json_load_file(path, JSON_REJECT_DUPLICATES, NULL);
}

static int in_array(json_t *a, const char *s)
{
	json_t *v;
	size_t i;

	json_array_foreach(a, i, v)
		if (json_string_value(v) && !strcmp(json_string_value(v), s))
			return 1;
	return 0;
}

static void test_against(const char *prev, const char *cur)
{
	struct report_options opt = { 0 };
	struct report_result res = { 0 };
	struct baseline *b = NULL;
	struct err e = { "" };
	struct buf text = BUF_INIT;
	char *a = sig_of("probe-recovers", "process-kill", EV_A);
	char *bs = sig_of("containment", "vm-crash", EV_B);
	char *c = sig_of("probe-recovers", "partition", EV_C), *cid = flaws_id(c);
	char *path = xasprintf("%s/summary.json", cur), *junit, *want;
	json_t *sum, *bl, *flaws, *f;
	size_t i;

	ok(baseline_load(prev, &b, &e) == 0, "baseline");
	opt.baseline = b;
	ok(report_write(cur, &opt, &res, &e) == 0, "report against the baseline: %s", e.msg);
	is_int(res.flaws, 2, "two flaws tonight");
	is_int(res.new_flaws, 1, "one is new");
	is_int(res.known_flaws, 1, "one is known");
	is_int(report_exit_code(&res), 1, "a new flaw fails the job: exit 1");
	report_describe(&res, cur, &text);
	want = xasprintf("new flaw: %s (1 runs, trace %s/flaws/%s.json)\n", c, cur, cid);
	ok(strstr(text.data, want) != NULL, "stdout names the new flaw and its trace:\n%s",
	   text.data);
	free(want);
	want = xasprintf("known flaw: %s (1 runs", a);
	ok(strstr(text.data, want) != NULL, "and the known one");
	free(want);
	want = xasprintf("no longer seen: %s\n", bs);
	ok(strstr(text.data, want) != NULL, "and the one no longer seen");
	free(want);

	sum = load_json(path);
	ok(sum != NULL, "summary.json is JSON");
	bl = json_object_get(sum, "baseline");
	is_str(json_string_value(json_object_get(bl, "dir")), prev, "summary: baseline dir");
	ok(json_array_size(json_object_get(bl, "new")) == 1 &&
	   in_array(json_object_get(bl, "new"), c), "summary: baseline.new is [C]");
	ok(json_array_size(json_object_get(bl, "known")) == 1 &&
	   in_array(json_object_get(bl, "known"), a), "summary: baseline.known is [A]");
	ok(json_array_size(json_object_get(bl, "gone")) == 1 &&
	   in_array(json_object_get(bl, "gone"), bs), "summary: baseline.gone is [B]");
	is_int(json_integer_value(json_object_get(sum, "new_flaws")), 1, "summary: new_flaws");
	flaws = json_object_get(sum, "flaws");
	json_array_foreach(flaws, i, f) {
		const char *s = json_string_value(json_object_get(f, "signature"));
		const char *tag = json_string_value(json_object_get(f, "baseline"));

		ok(tag && !strcmp(tag, !strcmp(s, c) ? "new" : "known"),
		   "summary: flaw %zu is %s", i, tag ? tag : "untagged");
	}
	ok(json_integer_value(json_object_get(json_object_get(sum, "outcomes"), "flaw")) == 2 &&
	   json_integer_value(json_object_get(json_object_get(sum, "runs"), "total")) == 4,
	   "summary: outcome totals");
	json_decref(sum);

	junit = fx_read_at(cur, "junit.xml");
	ok(junit != NULL, "junit.xml written");
	/* oracles {probe-recovers, containment} x faults {netem, process-kill, partition} */
	is_int(fx_count(junit, "<testcase "), 6, "junit: one test case per oracle x fault");
	is_int(fx_count(junit, "<failure "), 1, "junit: one failure (the new flaw)");
	is_int(fx_count(junit, "<skipped "), 1, "junit: the known flaw is skipped, not failed");
	ok(strstr(junit, "<testsuites name=\"nightly\" tests=\"6\" failures=\"1\" errors=\"0\" "
		  "skipped=\"1\"") != NULL, "junit: testsuites counts");
	ok(strstr(junit, "<testsuite name=\"nightly\" tests=\"6\" failures=\"1\" errors=\"0\" "
		  "skipped=\"1\"") != NULL, "junit: testsuite counts");
	want = xasprintf("classname=\"nightly.probe-recovers\" name=\"partition\"");
	ok(strstr(junit, want) != NULL, "junit: the failing case is probe-recovers x partition");
	free(want);
	want = xasprintf("trace: %s/flaws/%s.json", cur, cid);
	ok(strstr(junit, want) != NULL, "junit: the failure names the trace path");
	free(want);
	ok(strstr(junit, "message=\"1 new flaw: probe-recovers|partition|member|partition: "
		  "probe &#39;health&#39; on &#39;nN&#39;") != NULL,
	   "junit: the failure message is the signature, escaped");
	free(junit);

	report_result_release(&res);
	buf_release(&text);
	baseline_free(b);
	free(a);
	free(bs);
	free(c);
	free(cid);
	free(path);
}

static void test_exit_codes(const char *prev, const char *tmp)
{
	struct report_options opt = { 0 };
	struct report_result res = { 0 };
	struct baseline *b = NULL;
	struct err e = { "" };
	char *known = xasprintf("%s/known", tmp), *infra = xasprintf("%s/infra", tmp);
	char *junit;

	make_cur(known, 0, 0);
	ok(baseline_load(prev, &b, &e) == 0, "baseline");
	opt.baseline = b;
	ok(report_write(known, &opt, &res, &e) == 0, "report: %s", e.msg);
	ok(res.new_flaws == 0 && res.known_flaws == 1, "only a known flaw");
	is_int(report_exit_code(&res), 0, "known flaws do not fail the job: exit 0");
	report_result_release(&res);

	opt.baseline = NULL;
	ok(report_write(known, &opt, &res, &e) == 0, "report without a baseline");
	is_int(res.new_flaws, 1, "without a baseline every flaw is new");
	is_int(report_exit_code(&res), 1, "exit 1");
	report_result_release(&res);

	make_cur(infra, 0, 1);
	opt.baseline = b;
	ok(report_write(infra, &opt, &res, &e) == 0, "report of a quarantined campaign");
	ok(res.infra_stop, "the harness stopped it");
	is_int(report_exit_code(&res), 3, "exit 3");
	junit = fx_read_at(infra, "junit.xml");
	ok(junit && strstr(junit, "errors=\"1\"") &&
	   strstr(junit, "name=\"infrastructure\"") &&
	   strstr(junit, "<error message=\"run 5: ready: not ready within 30 s\" type=\"infra\">"),
	   "junit: an error test case for the harness");
	free(junit);
	report_result_release(&res);
	baseline_free(b);
	free(known);
	free(infra);
}

int main(void)
{
	char *tmp = fx_tmpdir();
	char *prev = xasprintf("%s/prev", tmp), *cur = xasprintf("%s/cur", tmp);

	make_prev(prev);
	make_cur(cur, 1, 0);
	test_baseline_load(prev, tmp);
	test_against(prev, cur);
	test_exit_codes(prev, tmp);
	free(prev);
	free(cur);
	fx_rmdir(tmp);
	return tap_done();
}
