/* lost-writes on hand-made histories. */
#include "buf.h"
#include "checkers.h"
#include "history.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HISTORIES CAMPAIGN_SOURCE_DIR "/tests/unit/histories/"

static struct checker_opts opts;

static json_t *check_file(const char *name)
{
	char *path = xasprintf(HISTORIES "%s", name);
	struct history *h = NULL;
	json_t *v = NULL;
	struct err e;

	if (history_load(path, &h, &e) < 0)
		ok(0, "load %s: %s", name, e.msg);
	else if (check_lost_writes(h, &opts, &v, &e) < 0)
		ok(0, "check %s: %s", name, e.msg);
	history_free(h);
	free(path);
	return v;
}

static long long field(const json_t *v, const char *name)
{
	return json_integer_value(json_object_get(v, name));
}

static const char *text(const json_t *v, const char *name)
{
	const char *s = json_string_value(json_object_get(v, name));

	return s ? s : "(none)";
}

/* Line of event i of the op in field name of the first item of list. */
static int line_in(const json_t *v, const char *list, const char *name, size_t i)
{
	json_t *item = json_array_get(json_object_get(v, list), 0);

	return (int)field(json_array_get(json_object_get(item, name), i), "line");
}

static void test_valid(void)
{
	json_t *v;

	v = check_file("lw_set_valid.jsonl");
	if (v) {
		is_int(checker_verdict_result(v), CHECKER_VALID, "all adds in the final read");
		is_int(field(v, "acknowledged"), 3, "three acknowledged adds");
		is_str(text(v, "explanation"), "every add or write acknowledged before its key's final "
		       "read is in it (3 acknowledged, 0 indeterminate)", "explanation");
		is_int(checker_exit_status(checker_verdict_result(v)), 0, "exit 0");
		json_decref(v);
	}
	v = check_file("lw_set_info.jsonl");
	if (v) {
		is_int(checker_verdict_result(v), CHECKER_VALID, "info adds may or may not be there");
		is_int(field(v, "indeterminate"), 3, "two info adds and one never completed");
		is_int(field(v, "recovered"), 1, "one info add is present");
		json_decref(v);
	}
	v = check_file("lw_concurrent_read.jsonl");
	if (v) {
		is_int(checker_verdict_result(v), CHECKER_VALID,
		       "an add acknowledged during the final read may be missing");
		is_int(field(v, "acknowledged"), 2, "both adds acknowledged");
		json_decref(v);
	}
	v = check_file("lw_register_valid.jsonl");
	if (v) {
		is_int(checker_verdict_result(v), CHECKER_VALID,
		       "a register reading one of two concurrent last writes");
		is_int(field(v, "keys"), 2, "two keys");
		json_decref(v);
	}
	v = check_file("lw_register_info.jsonl");
	if (v) {
		is_int(checker_verdict_result(v), CHECKER_VALID,
		       "an info write may land after an acknowledged one");
		json_decref(v);
	}
}

static void test_invalid(void)
{
	json_t *v, *lost;

	v = check_file("lw_set_lost.jsonl");
	if (v) {
		is_int(checker_verdict_result(v), CHECKER_INVALID, "an acknowledged add is missing");
		is_int(field(v, "lost_count"), 1, "one lost");
		lost = json_array_get(json_object_get(v, "lost"), 0);
		is_int(field(lost, "value"), 2, "element 2 is lost");
		is_str(text(lost, "key"), "s", "on key s");
		is_int(line_in(v, "lost", "op", 0), 3, "the lost add's invoke line");
		is_int(line_in(v, "lost", "op", 1), 4, "the lost add's ok line");
		is_int(line_in(v, "lost", "final_read", 1), 10, "the final read is the last one");
		is_str(text(v, "explanation"), "1 lost, 0 unexpected, 0 failed but present, "
		       "0 duplicated (first: lost: 2 on key 's')", "explanation");
		is_int(checker_exit_status(checker_verdict_result(v)), 1, "exit 1");
		json_decref(v);
	}
	v = check_file("lw_unexpected.jsonl");
	if (v) {
		is_int(checker_verdict_result(v), CHECKER_INVALID, "an element never added");
		is_int(field(v, "unexpected_count"), 1, "one unexpected");
		is_int(field(json_array_get(json_object_get(v, "unexpected"), 0), "value"), 99,
		       "element 99");
		is_int(line_in(v, "unexpected", "final_read", 1), 4, "with the read that saw it");
		json_decref(v);
	}
	v = check_file("lw_failed_present.jsonl");
	if (v) {
		is_int(checker_verdict_result(v), CHECKER_INVALID, "a failed add is present");
		is_int(line_in(v, "failed_present", "op", 1), 4, "the failed add");
		json_decref(v);
	}
	v = check_file("lw_duplicated.jsonl");
	if (v) {
		is_int(checker_verdict_result(v), CHECKER_INVALID, "an element read more often than added");
		is_int(field(json_array_get(json_object_get(v, "duplicated"), 0), "times_read"), 2,
		       "read twice");
		is_int(json_array_size(json_object_get(v, "duplicated")), 1, "an element added twice is fine");
		json_decref(v);
	}
	v = check_file("lw_multi_key.jsonl");
	if (v) {
		is_int(checker_verdict_result(v), CHECKER_INVALID, "one of two sets lost an add");
		is_str(text(json_array_get(json_object_get(v, "lost"), 0), "key"), "s2", "key s2");
		json_decref(v);
	}
	v = check_file("lw_register_lost.jsonl");
	if (v) {
		is_int(checker_verdict_result(v), CHECKER_INVALID, "a register read an overwritten value");
		lost = json_array_get(json_object_get(v, "lost"), 0);
		is_int(field(lost, "value"), 2, "the write of 2 is lost");
		is_int(field(lost, "read_value"), 1, "the final read saw 1");
		is_int(line_in(v, "lost", "op", 0), 3, "the lost write's line");
		json_decref(v);
	}
}

static void test_unknown(void)
{
	json_t *v = check_file("lw_no_final_read.jsonl");

	if (!v)
		return;
	is_int(checker_verdict_result(v), CHECKER_UNKNOWN, "no final read");
	is_str(text(v, "explanation"), "key 's' has acknowledged adds but no final read", "why");
	is_int(checker_exit_status(checker_verdict_result(v)), 2, "exit 2");
	json_decref(v);
}

static json_t *check_text(const char *t)
{
	struct history *h = NULL;
	json_t *v = NULL;
	struct err e;

	if (history_parse("inline", t, strlen(t), &h, &e) < 0) {
		ok(0, "parse: %s", e.msg);
		return NULL;
	}
	check_lost_writes(h, &opts, &v, &e);
	history_free(h);
	return v;
}

static void test_inline(void)
{
	json_t *v;

	v = check_text("");
	is_int(checker_verdict_result(v), CHECKER_VALID, "an empty history");
	json_decref(v);
	v = check_text("{\"process\": 0, \"type\": \"invoke\", \"f\": \"write\", \"value\": 1, \"time\": 1}\n"
		       "{\"process\": 0, \"type\": \"ok\", \"f\": \"write\", \"time\": 2}\n"
		       "{\"process\": 0, \"type\": \"invoke\", \"f\": \"read\", \"time\": 3}\n"
		       "{\"process\": 0, \"type\": \"ok\", \"f\": \"read\", \"value\": null, \"time\": 4}\n");
	is_int(checker_verdict_result(v), CHECKER_INVALID, "reading null after an acknowledged write");
	json_decref(v);
	v = check_text("{\"process\": 0, \"type\": \"invoke\", \"f\": \"write\", \"value\": 1, \"time\": 1}\n"
		       "{\"process\": 0, \"type\": \"ok\", \"f\": \"write\", \"time\": 2}\n"
		       "{\"process\": 0, \"type\": \"invoke\", \"f\": \"read\", \"time\": 3}\n"
		       "{\"process\": 0, \"type\": \"ok\", \"f\": \"read\", \"value\": 7, \"time\": 4}\n");
	is_int(checker_verdict_result(v), CHECKER_INVALID, "reading a value never written");
	is_int(field(v, "unexpected_count"), 1, "counted as unexpected");
	json_decref(v);
	v = check_text("{\"process\": 0, \"type\": \"invoke\", \"f\": \"add\", \"key\": \"k\", \"value\": 1, \"time\": 1}\n"
		       "{\"process\": 0, \"type\": \"ok\", \"f\": \"add\", \"time\": 2}\n"
		       "{\"process\": 0, \"type\": \"invoke\", \"f\": \"write\", \"key\": \"k\", \"value\": 1, \"time\": 3}\n"
		       "{\"process\": 0, \"type\": \"ok\", \"f\": \"write\", \"time\": 4}\n");
	is_int(checker_verdict_result(v), CHECKER_UNKNOWN, "a key mixing add and write");
	json_decref(v);
	v = check_text("{\"process\": 0, \"type\": \"invoke\", \"f\": \"cas\", \"value\": [null, 4], \"time\": 1}\n"
		       "{\"process\": 0, \"type\": \"ok\", \"f\": \"cas\", \"time\": 2}\n"
		       "{\"process\": 0, \"type\": \"invoke\", \"f\": \"read\", \"time\": 3}\n"
		       "{\"process\": 0, \"type\": \"ok\", \"f\": \"read\", \"value\": 4, \"time\": 4}\n");
	is_int(checker_verdict_result(v), CHECKER_VALID, "a cas counts as a write");
	json_decref(v);
}

/* Lines out of time order (threads appending to one file) are sorted:
 * an add acknowledged before the final read began but written after it
 * is lost; in file order it would look concurrent with the read. */
static void test_out_of_order(void)
{
	struct history *h = NULL;
	struct err e = { "" };
	json_t *v;

	v = check_file("lw_unsorted_lost.jsonl");
	if (v) {
		is_int(checker_verdict_result(v), CHECKER_INVALID, "the add of 2 is lost once sorted");
		is_int(checker_exit_status(checker_verdict_result(v)), 1, "exit 1");
		is_int(field(v, "lost_count"), 1, "one lost");
		is_int(field(v, "reordered"), 2, "two lines were out of order");
		ok(json_integer_value(json_object_get(json_array_get(json_object_get(v, "lost"), 0),
						      "value")) == 2, "the lost element is 2");
		is_int(line_in(v, "lost", "op", 1), 6, "its acknowledgement keeps its line");
		is_int(line_in(v, "lost", "final_read", 0), 5, "the final read's invoke line");
		is_str(text(v, "explanation"), "1 lost, 0 unexpected, 0 failed but present, "
		       "0 duplicated (first: lost: 2 on key 's'); 2 lines out of time order "
		       "were sorted by time", "explanation says what was sorted");
		json_decref(v);
	}
	v = check_file("lw_unsorted_valid.jsonl");
	if (v) {
		is_int(checker_verdict_result(v), CHECKER_VALID, "every acknowledged add is there");
		is_int(field(v, "reordered"), 2, "two lines were out of order");
		is_int(field(v, "acknowledged"), 3, "three acknowledged adds");
		json_decref(v);
	}
	v = check_file("lw_set_valid.jsonl");
	if (v) {
		is_int(field(v, "reordered"), 0, "a sorted file: nothing reordered");
		ok(strstr(text(v, "explanation"), "sorted") == NULL, "and nothing said about it");
		json_decref(v);
	}
	ok(history_load(HISTORIES "lw_unsorted_bad.jsonl", &h, &e) < 0 && !h,
	   "a malformed line is still refused");
	is_str(e.msg, HISTORIES "lw_unsorted_bad.jsonl:6: invalid JSON at column 81: "
	       "'}' expected near end of file", "with its line");
	ok(history_load(HISTORIES "lw_unsorted_orphan.jsonl", &h, &e) < 0 && !h,
	   "a completion without invoke is still refused");
	is_str(e.msg, HISTORIES "lw_unsorted_orphan.jsonl:4: process 2 completes ('ok') with no "
	       "operation outstanding", "with its line");
}

int main(void)
{
	checker_opts_init(&opts);
	test_valid();
	test_invalid();
	test_unknown();
	test_inline();
	test_out_of_order();
	return tap_done();
}
