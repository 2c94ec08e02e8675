/* availability on hand-made histories. */
#include "buf.h"
#include "checkers.h"
#include "history.h"
#include "tap.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HISTORIES CAMPAIGN_SOURCE_DIR "/tests/unit/histories/"

static json_t *check_file(const char *name, const struct checker_opts *opts)
{
	char *path = xasprintf(HISTORIES "%s", name);
	struct history *h = NULL;
	json_t *v = NULL;
	struct err e;

	if (history_load(path, &h, &e) < 0)
		ok(0, "load %s: %s", name, e.msg);
	else if (check_availability(h, opts, &v, &e) < 0)
		ok(0, "check %s: %s", name, e.msg);
	history_free(h);
	free(path);
	return v;
}

static json_t *defaults(const char *name)
{
	struct checker_opts opts;

	checker_opts_init(&opts);
	return check_file(name, &opts);
}

static const char *explanation(const json_t *v)
{
	const char *s = json_string_value(json_object_get(v, "explanation"));

	return s ? s : "(none)";
}

static long long count(const json_t *v, const char *group, const char *what)
{
	return json_integer_value(json_object_get(json_object_get(v, group), what));
}

static double real(const json_t *v, const char *name)
{
	return json_number_value(json_object_get(v, name));
}

static void test_recovered(void)
{
	json_t *v = defaults("av_recovered.jsonl");

	if (!v)
		return;
	is_int(checker_verdict_result(v), CHECKER_VALID, "recovered after the fault");
	is_int(count(v, "overall", "ok"), 3, "3 ok");
	is_int(count(v, "overall", "fail"), 1, "1 fail");
	is_int(count(v, "overall", "info"), 1, "1 info");
	is_int(count(v, "during_faults", "ok"), 0, "nothing ok during the fault");
	is_int(count(v, "during_faults", "fail") + count(v, "during_faults", "info"), 2,
	       "both failures during the fault");
	ok(fabs(real(v, "recovery_s") - 1.0) < 1e-6, "recovery 1 s");
	ok(fabs(real(json_object_get(v, "overall"), "ok_ratio") - 0.6) < 1e-9, "ratio 0.6");
	is_str(explanation(v), "ok ratio 0.600 (0.000 during faults, 1.000 outside); "
	       "recovered 1.000 s after the last fault", "explanation");
	is_int(json_array_size(json_object_get(v, "fault_windows")), 1, "one window");
	/* oks at 0.1, 5 and 6 s, the window 1-4 s: no ok from 0.1 to 5 s */
	ok(fabs(real(v, "longest_gap_s") - 4.9) < 1e-6, "longest gap 4.9 s: %g",
	   real(v, "longest_gap_s"));
	ok(fabs(real(json_array_get(json_object_get(v, "fault_windows"), 0), "longest_gap_s")
		- 4.9) < 1e-6, "the window's own gap");
	json_decref(v);
	v = defaults("av_no_faults.jsonl");
	if (v)
		ok(json_is_null(json_object_get(v, "longest_gap_s")), "no window: no gap");
	json_decref(v);
}

static void test_limits(void)
{
	struct checker_opts opts;
	json_t *v;

	checker_opts_init(&opts);
	opts.max_recovery_s = 0.5;
	v = check_file("av_recovered.jsonl", &opts);
	if (v) {
		is_int(checker_verdict_result(v), CHECKER_INVALID, "recovery slower than allowed");
		is_str(explanation(v), "recovery took 1.000 s, more than the maximum 0.500 s",
		       "names both figures");
		json_decref(v);
	}
	opts.max_recovery_s = 2;
	v = check_file("av_recovered.jsonl", &opts);
	if (v) {
		is_int(checker_verdict_result(v), CHECKER_VALID, "recovery within the limit");
		json_decref(v);
	}
	checker_opts_init(&opts);
	opts.min_ok_ratio = 0.5;
	v = check_file("av_low_ratio.jsonl", &opts);
	if (v) {
		is_int(checker_verdict_result(v), CHECKER_INVALID, "ok ratio below the minimum");
		is_str(explanation(v), "ok ratio 0.400 is below the minimum 0.500", "explanation");
		is_int(json_integer_value(json_object_get(v, "pending")), 1, "the pending op is reported");
		json_decref(v);
	}
	opts.min_ok_ratio = 0.4;
	v = check_file("av_low_ratio.jsonl", &opts);
	if (v) {
		is_int(checker_verdict_result(v), CHECKER_VALID, "ok ratio at the minimum");
		is_str(explanation(v), "ok ratio 0.400 (n/a during faults, 0.400 outside); no faults",
		       "no faults");
		json_decref(v);
	}
	checker_opts_init(&opts);
	opts.max_recovery_s = 2.5;
	v = check_file("av_nemesis_slow.jsonl", &opts);
	if (v) {
		is_int(checker_verdict_result(v), CHECKER_INVALID, "nemesis events mark windows too");
		ok(fabs(real(v, "recovery_s") - 3.0000001) < 1e-9, "recovery measured to the ok completion");
		json_decref(v);
	}
}

static void test_others(void)
{
	json_t *v;

	v = defaults("av_never_recovered.jsonl");
	if (v) {
		is_int(checker_verdict_result(v), CHECKER_INVALID, "no ok after the fault");
		is_str(explanation(v), "never recovered: no operation succeeded after the last "
		       "fault ended (line 6)", "never recovered");
		ok(json_is_null(json_object_get(v, "recovery_s")), "no recovery time");
		json_decref(v);
	}
	v = defaults("av_never_ok.jsonl");
	if (v) {
		is_int(checker_verdict_result(v), CHECKER_INVALID, "nothing ever succeeded");
		json_decref(v);
	}
	v = defaults("av_no_faults.jsonl");
	if (v) {
		is_int(checker_verdict_result(v), CHECKER_VALID, "no faults, all ok");
		is_int(count(v, "outside_faults", "ok"), 4, "all outside faults");
		ok(json_is_null(json_object_get(json_object_get(v, "during_faults"), "ok_ratio")),
		   "no ratio without completions");
		json_decref(v);
	}
	v = defaults("av_fault_open.jsonl");
	if (v) {
		is_int(checker_verdict_result(v), CHECKER_VALID, "a fault still open at the end");
		is_int(count(v, "during_faults", "ok"), 1, "an ok during the fault");
		ok(json_is_null(json_object_get(json_array_get(json_object_get(v, "fault_windows"), 0),
						"stop_s")), "open window");
		json_decref(v);
	}
	v = defaults("av_nested.jsonl");
	if (v) {
		is_int(checker_verdict_result(v), CHECKER_VALID, "nested faults");
		is_int(json_array_size(json_object_get(v, "fault_windows")), 1, "one outer window");
		is_int(count(v, "during_faults", "fail"), 2, "both failures inside the outer window");
		ok(fabs(real(v, "recovery_s") - 2.0) < 1e-9, "recovery from the outer stop");
		json_decref(v);
	}
	v = defaults("av_two_windows.jsonl");
	if (v) {
		is_int(checker_verdict_result(v), CHECKER_VALID, "two windows");
		is_int(json_array_size(json_object_get(v, "fault_windows")), 2, "two windows reported");
		ok(fabs(real(v, "recovery_s") - 0.5) < 1e-9, "recovery after the last window");
		json_decref(v);
	}
	v = defaults("av_empty.jsonl");
	if (v) {
		is_int(checker_verdict_result(v), CHECKER_UNKNOWN, "nothing completed");
		is_int(checker_exit_status(checker_verdict_result(v)), 2, "exit 2");
		json_decref(v);
	}
}

/* The engine writes fault windows to their own file; merged by time they
 * must judge as if they were in the history. */
static void test_faults_file(void)
{
	struct history *h = NULL;
	struct checker_opts opts;
	struct err e = { "" };
	json_t *v = NULL;

	checker_opts_init(&opts);
	if (!ok(history_load_with_faults(HISTORIES "av_split_ops.jsonl",
					 HISTORIES "av_split_faults.jsonl", &h, &e) == 0,
		"history + faults file load: %s", e.msg))
		return;
	is_int((long long)h->n_events, 12, "12 events merged");
	is_int(h->events[2].type, HISTORY_FAULT, "the start sits at its time");
	is_int(h->events[2].line, 1, "and keeps its own line number");
	is_int(h->events[3].line, 3, "the history's lines keep theirs");
	is_int(h->events[7].type, HISTORY_FAULT, "the stop sits at its time");
	if (check_availability(h, &opts, &v, &e) == 0) {
		is_int(checker_verdict_result(v), CHECKER_VALID, "merged: valid");
		ok(fabs(real(v, "recovery_s") - 1.0) < 1e-6, "merged: recovery 1 s");
		is_int(count(v, "during_faults", "ok"), 0, "merged: nothing ok during the fault");
		is_int(json_array_size(json_object_get(v, "fault_windows")), 1, "merged: one window");
	} else {
		ok(0, "check: %s", e.msg);
	}
	json_decref(v);
	history_free(h);

	/* the same history with two invokes written out of time order */
	h = NULL;
	v = NULL;
	if (!ok(history_load_with_faults(HISTORIES "av_split_ops_unsorted.jsonl",
					 HISTORIES "av_split_faults.jsonl", &h, &e) == 0,
		"unsorted history + faults file load: %s", e.msg))
		return;
	if (check_availability(h, &opts, &v, &e) == 0) {
		is_int(checker_verdict_result(v), CHECKER_VALID, "unsorted: valid");
		ok(fabs(real(v, "recovery_s") - 1.0) < 1e-6, "unsorted: recovery 1 s");
		is_int(json_integer_value(json_object_get(v, "reordered")), 1, "unsorted: one line reordered");
		ok(strstr(json_string_value(json_object_get(v, "explanation")),
			  "; 1 line out of time order was sorted by time") != NULL, "unsorted: said so");
	} else {
		ok(0, "check: %s", e.msg);
	}
	json_decref(v);
	history_free(h);

	h = NULL;
	ok(history_load_with_faults(HISTORIES "av_split_ops.jsonl",
				    HISTORIES "av_split_bad_faults.jsonl", &h, &e) < 0 && !h,
	   "a faults file with an operation is refused");
	ok(strstr(e.msg, "av_split_bad_faults.jsonl:2: only fault events belong in a faults "
		  "file, not 'invoke'") != NULL, "error names the file and line: %s", e.msg);
	ok(history_load_with_faults(HISTORIES "av_split_ops.jsonl", HISTORIES "nope.jsonl",
				    &h, &e) < 0 && strstr(e.msg, "nope.jsonl"),
	   "a missing faults file is named: %s", e.msg);
}

int main(void)
{
	test_recovered();
	test_faults_file();
	test_limits();
	test_others();
	return tap_done();
}
