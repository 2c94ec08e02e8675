#include "buf.h"
#include "err.h"
#include "flaws.h"
#include "paths.h"
#include "tap.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void norm_is(const char *in, const char *want, const char *what)
{
	char *got = flaws_normalise(in);

	is_str(got, want, what);
	free(got);
}

static void test_normalise(void)
{
	char big[600];
	char *s;

	norm_is("Process 1234 exited with code 137", "process N exited with code N",
		"digits and case");
	norm_is("segfault at 0x7ffd1234ABCD ip 0x0000555 sp 0X1f",
		"segfault at 0xX ip 0xX sp 0xX", "hex addresses");
	norm_is("  Leader   changed\tto \r node3  ", "leader changed to nodeN",
		"white space collapsed and trimmed");
	norm_is("request 550e8400-E29B-41d4-a716-446655440000 failed",
		"request H failed", "UUID");
	norm_is("commit 3f2a9c8d1e7b not found, sha=deadbeef01",
		"commit H not found, sha=H", "long hex words");
	norm_is("deadline exceeded after 10000ms (timestamp 1700000000123)",
		"deadline exceeded after Nms (timestamp N)",
		"decimal numbers are not hex");
	norm_is("10.0.0.3:2379 refused", "N.N.N.N:N refused", "addresses");
	norm_is("deadbeef feedface", "deadbeef feedface",
		"hex-letter words without digits stay");
	norm_is("\n  \n First line 12\nsecond line 13", "first line N",
		"only the first non-blank line");
	norm_is("tab\x01" "ctl\x7f" "x", "tab ctl x", "control characters are spaces");
	norm_is(NULL, "", "NULL is empty");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	s = flaws_normalise(big);
	is_int((long long)strlen(s), FLAWS_EVIDENCE_MAX, "bounded to 200 bytes");
	free(s);
	memset(big, 0, sizeof(big));
	for (int i = 0; i < 150; i++)
		strcat(big, "\xc3\xa9");	/* é: 2 bytes each */
	s = flaws_normalise(big);
	is_int((long long)strlen(s), FLAWS_EVIDENCE_MAX, "bound keeps whole UTF-8 characters");
	free(s);
	s = flaws_normalise("x\xc3\xa9");
	is_str(s, "x\xc3\xa9", "non-ASCII bytes are kept");
	free(s);
}

static void test_signature_and_id(void)
{
	char *a = flaws_signature("probe-recovers", "process-kill", "member",
				  "Health check FAILED on 10.0.0.3:2379 after 8s");
	char *b = flaws_signature("probe-recovers", "process-kill", "member",
				  "health check failed on 10.0.0.1:2379 after 9s ");
	char *c = flaws_signature("probe-recovers", "partition", "member",
				  "health check failed on 10.0.0.1:2379 after 9s");
	char *d = flaws_signature(NULL, "a|b", "", "x");
	char *ia = flaws_id(a), *ib = flaws_id(b), *ic = flaws_id(c), *x;

	is_str(a, "probe-recovers|process-kill|member|health check failed on "
	       "N.N.N.N:N after Ns", "signature");
	is_str(a, b, "two runs of one flaw share a signature");
	is_str(d, "-|a_b|-|x", "missing names are '-', '|' is replaced");
	is_int((long long)strlen(ia), FLAWS_ID_LEN, "id has 12 characters");
	ok(strspn(ia, "0123456789abcdef") == FLAWS_ID_LEN, "id is lower-case hex");
	is_str(ia, ib, "same signature, same id");
	ok(strcmp(ia, ic) != 0, "different signature, different id");
	x = flaws_id("");
	is_str(x, "9ce48422e8d7", "id of \"\": FNV-1a 64 basis, folded to 48 bits");
	free(x);
	x = flaws_id("foobar");
	is_str(x, "4171f739e27c", "id of \"foobar\" (FNV-1a 64 85944171f73967e8)");
	free(x);
	free(a);
	free(b);
	free(c);
	free(d);
	free(ia);
	free(ib);
	free(ic);
}

static json_t *load_flaw(const char *dir, const char *sig)
{
	char *id = flaws_id(sig), *path = xasprintf("%s/flaws/%s.json", dir, id);
	json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, NULL);

	free(path);
	free(id);
	return doc;
}

static json_t *trace_for(long long run)
{
	return json_pack("{s:I, s:I, s:s, s:[{s:s}]}", "run", (json_int_t)run,
			 "seed", (json_int_t)42, "logs", "n1: etcd exited",
			 "timeline", "event", "inject");
}

static int record(struct flaw_store *s, const char *sig, const char *class_,
		  long long run, json_t *trace, int *ret_new, struct err *e)
{
	struct flaw_hit hit = {
		.signature = sig, .oracle = "probe-recovers",
		.fault = "process-kill", .role = "member", .class_ = class_,
		.run = run, .wall_ns = 1700000000123456789LL + run * 1000000000LL,
	};

	return flaws_record(s, &hit, trace, ret_new, e);
}

static int count_files(const char *dir)
{
	char *fdir = xasprintf("%s/flaws", dir);
	DIR *d = opendir(fdir);
	struct dirent *de;
	int n = 0, valid = 1;

	while (d && (de = readdir(d))) {
		char *path;
		json_t *doc;

		if (de->d_name[0] == '.')
			continue;
		n++;
		path = xasprintf("%s/%s", fdir, de->d_name);
		doc = json_load_file(path, JSON_REJECT_DUPLICATES, NULL);
		if (!json_is_object(doc) || !json_is_array(json_object_get(doc, "examples")))
			valid = 0;
		json_decref(doc);
		free(path);
	}
	if (d)
		closedir(d);
	free(fdir);
	return valid ? n : -1;
}

static void test_store(const char *dir)
{
	const char *sa = "probe-recovers|process-kill|member|health check failed";
	const char *sb = "containment|vm-crash|member|nN unreachable";
	long long runs_a[] = { 1, 2, 3, 5, 8 };
	struct flaw_store *s = NULL;
	struct err e = { "" };
	int is_new = -1, news = 0;
	json_t *doc, *v;

	ok(flaws_open(dir, &s, &e) == 0, "open an empty store: %s", e.msg);
	is_int(flaws_count(s), 0, "no flaws yet");
	for (int i = 0; i < 5; i++) {
		ok(record(s, sa, "liveness", runs_a[i], trace_for(runs_a[i]), &is_new,
			  &e) == 0, "record hit %d of flaw A: %s", i + 1, e.msg);
		news += is_new;
	}
	ok(record(s, sb, "containment", 4, trace_for(4), &is_new, &e) == 0,
	   "record flaw B");
	is_int(is_new, 1, "flaw B is new");
	is_int(news, 1, "only the first hit of A was new");
	is_int(flaws_count(s), 2, "two flaws");
	is_int(count_files(dir), 2, "two files, valid JSON");
	ok(record(s, sa, "liveness", 8, trace_for(8), &is_new, &e) == 0 && !is_new,
	   "a run counted already is not counted again");
	ok(record(s, sa, "bogus", 9, NULL, NULL, &e) < 0 &&
	   strstr(e.msg, "unknown flaw class 'bogus'"), "unknown class refused: %s",
	   e.msg);

	doc = load_flaw(dir, sa);
	ok(doc != NULL, "flaw A's file loads");
	is_int(json_integer_value(json_object_get(doc, "count")), 5, "A: count 5");
	is_str(json_string_value(json_object_get(doc, "signature")), sa, "A: signature");
	is_str(json_string_value(json_object_get(doc, "class")), "liveness", "A: class");
	is_str(json_string_value(json_object_get(doc, "oracle")), "probe-recovers",
	       "A: oracle");
	v = json_object_get(doc, "first_seen");
	is_int(json_integer_value(json_object_get(v, "run")), 1, "A: first seen in run 1");
	is_str(json_string_value(json_object_get(v, "time")), "2023-11-14T22:13:21.123Z",
	       "A: first seen time");
	v = json_object_get(doc, "last_seen");
	is_int(json_integer_value(json_object_get(v, "run")), 8, "A: last seen in run 8");
	is_str(json_string_value(json_object_get(v, "time")), "2023-11-14T22:13:28.123Z",
	       "A: last seen time");
	v = json_object_get(doc, "runs");
	ok(json_array_size(v) == 5 && json_integer_value(json_array_get(v, 3)) == 5,
	   "A: runs listed");
	v = json_object_get(doc, "examples");
	is_int((long long)json_array_size(v), FLAWS_EXAMPLES_DEFAULT,
	       "A: examples bounded to 3");
	is_int(json_integer_value(json_object_get(json_array_get(v, 2), "run")), 3,
	       "A: the examples are the first runs");
	ok(json_object_get(doc, "n_examples") == NULL, "n_examples stays in memory");
	json_decref(doc);
	doc = load_flaw(dir, sb);
	is_int(json_integer_value(json_object_get(doc, "count")), 1, "B: count 1");
	is_int((long long)json_array_size(json_object_get(doc, "examples")), 1,
	       "B: one example");
	json_decref(doc);
	flaws_free(s);

	/* Resume. */
	e.msg[0] = '\0';
	ok(flaws_open(dir, &s, &e) == 0, "reopen the store: %s", e.msg);
	is_int(flaws_count(s), 2, "both flaws loaded");
	is_str(json_string_value(json_object_get(flaws_get(s, 0), "signature")), sa,
	       "ordered by first sighting");
	is_int(json_integer_value(json_object_get(flaws_get(s, 1), "n_examples")), 1,
	       "n_examples in memory");
	ok(flaws_get(s, 2) == NULL, "out of range is NULL");
	ok(record(s, sa, "liveness", 9, trace_for(9), &is_new, &e) == 0 && !is_new,
	   "record A after reopen");
	flaws_set_max_examples(s, 2);
	ok(record(s, sb, "containment", 10, trace_for(10), &is_new, &e) == 0,
	   "record B after reopen");
	ok(record(s, sb, "containment", 11, trace_for(11), &is_new, &e) == 0,
	   "and again");
	is_int(json_integer_value(json_object_get(flaws_find(s, sa), "count")), 6,
	       "A's count continues: 6");
	is_int(json_integer_value(json_object_get(flaws_find(s, sb), "count")), 3,
	       "B's count continues: 3");
	doc = load_flaw(dir, sa);
	is_int(json_integer_value(json_object_get(json_object_get(doc, "last_seen"),
						  "run")), 9, "A: last seen 9");
	is_int((long long)json_array_size(json_object_get(doc, "examples")), 3,
	       "A: still 3 examples after reopen");
	json_decref(doc);
	doc = load_flaw(dir, sb);
	is_int((long long)json_array_size(json_object_get(doc, "examples")), 2,
	       "B: examples bounded to the new k=2");
	json_decref(doc);
	is_int(count_files(dir), 2, "still two valid files");
	flaws_free(s);
}

static void test_runs_bound(const char *dir)
{
	char *sub = xasprintf("%s/many", dir);
	struct flaw_store *s = NULL;
	struct err e = { "" };
	int bad = 0;
	json_t *doc;

	flaws_open(sub, &s, &e);
	for (int i = 1; i <= FLAWS_RUNS_MAX + 5; i++)
		bad += record(s, "o|f|r|x", "safety", i, NULL, NULL, &e) < 0;
	is_int(bad, 0, "1005 hits recorded");
	doc = load_flaw(sub, "o|f|r|x");
	is_int(json_integer_value(json_object_get(doc, "count")), FLAWS_RUNS_MAX + 5,
	       "count is exact");
	is_int((long long)json_array_size(json_object_get(doc, "runs")), FLAWS_RUNS_MAX,
	       "runs lists the first 1000");
	is_int((long long)json_array_size(json_object_get(doc, "examples")), 0,
	       "no trace, no example");
	json_decref(doc);
	flaws_free(s);
	free(sub);
}

static char *filled(size_t n, const char *unit)
{
	struct buf b = BUF_INIT;

	while (b.len < n)
		buf_adds(&b, unit);
	return buf_detach(&b);
}

static size_t dumped(json_t *v)
{
	return json_dumpb(v, NULL, 0, JSON_COMPACT | JSON_ENCODE_ANY);
}

static void test_truncation(const char *dir)
{
	char *sub = xasprintf("%s/trunc", dir), *log = filled(3 << 20, "line of log\n");
	struct flaw_store *s = NULL;
	struct err e = { "" };
	const char *got;
	json_t *t, *doc, *ex;
	struct stat st;
	char *path, *id;

	memcpy(log, "HEAD", 4);
	memcpy(log + strlen(log) - 4, "TAIL", 4);
	t = json_pack("{s:I, s:s, s:{s:s}, s:[i, i]}", "seed", (json_int_t)42,
		      "logs", log, "fault", "type", "process-kill", "timeline", 1, 2);
	ok(flaws_open(sub, &s, &e) == 0, "open a store");
	ok(record(s, "o|f|r|huge", "safety", 1, t, NULL, &e) == 0,
	   "record a trace with a 3 MiB log: %s", e.msg);
	id = flaws_id("o|f|r|huge");
	path = xasprintf("%s/flaws/%s.json", sub, id);
	stat(path, &st);
	ok(st.st_size < FLAWS_TRACE_MAX_DEFAULT + 4096, "the file is about 1 MiB "
	   "(%lld bytes)", (long long)st.st_size);
	doc = json_load_file(path, 0, NULL);
	ex = json_array_get(json_object_get(doc, "examples"), 0);
	ok(ex && dumped(ex) <= FLAWS_TRACE_MAX_DEFAULT, "the example fits the limit");
	got = json_string_value(json_object_get(ex, "logs"));
	ok(got && strstr(got, "...[truncated ") && !strncmp(got, "HEAD", 4) &&
	   !strcmp(got + strlen(got) - 4, "TAIL"),
	   "the log keeps its head and tail around the marker");
	is_int(json_integer_value(json_object_get(ex, "seed")), 42, "small members kept");
	is_str(json_string_value(json_object_get(json_object_get(ex, "fault"), "type")),
	       "process-kill", "nested members kept");
	json_decref(doc);
	free(path);
	free(id);
	flaws_free(s);
	free(log);

	/* Values shared with the caller are not changed. */
	log = filled(200000, "y");
	{
		json_t *shared = json_pack("{s:s}", "reason", log);

		t = json_pack("{s:O}", "record", shared);
		t = flaws_bound_trace(t, 10000);
		ok(dumped(t) <= 10000 && json_string_length(json_object_get(shared,
			"reason")) == 200000, "a shared value is not cut in place");
		json_decref(shared);
		json_decref(t);
	}
	free(log);

	/* Two long strings are cut to about the same length. */
	log = filled(600000, "x");
	t = json_pack("{s:s, s:s, s:s}", "a", log, "b", log + 100000, "c", "short");
	t = flaws_bound_trace(t, 100000);
	ok(dumped(t) <= 100000, "two strings: fits (%zu bytes)", dumped(t));
	{
		size_t la = json_string_length(json_object_get(t, "a"));
		size_t lb = json_string_length(json_object_get(t, "b"));

		ok(la > 40000 && lb > 40000 && (la > lb ? la - lb : lb - la) < 100,
		   "cut to one level (%zu and %zu)", la, lb);
	}
	is_str(json_string_value(json_object_get(t, "c")), "short", "short string kept");
	json_decref(t);
	free(log);

	/* Escapes and UTF-8: the cut string stays valid. */
	log = filled(300000, "\xc3\xa9\x01\"");
	t = json_pack("{s:s}", "logs", log);
	ok(t != NULL, "a string of UTF-8 and escapes");
	t = flaws_bound_trace(t, 50000);
	got = json_string_value(json_object_get(t, "logs"));
	ok(dumped(t) <= 50000 && got && strstr(got, "...[truncated "),
	   "cut within the limit (%zu bytes)", dumped(t));
	json_decref(t);
	free(log);

	/* Arrays of small values lose middle elements. */
	t = json_pack("{s:[]}", "timeline");
	for (int i = 0; i < 100000; i++)
		json_array_append_new(json_object_get(t, "timeline"), json_integer(i));
	t = flaws_bound_trace(t, 10000);
	{
		json_t *a = json_object_get(t, "timeline");
		size_t n = json_array_size(a);
		int has_marker = 0;

		for (size_t i = 0; i < n; i++)
			has_marker |= json_is_string(json_array_get(a, i)) &&
				      strstr(json_string_value(json_array_get(a, i)),
					     "...[truncated ");
		ok(dumped(t) <= 10000 && has_marker &&
		   json_integer_value(json_array_get(a, 0)) == 0 &&
		   json_integer_value(json_array_get(a, n - 1)) == 99999,
		   "a long array keeps its ends around a marker (%zu bytes)", dumped(t));
	}
	json_decref(t);

	/* Nothing left to cut: the trace says so instead of vanishing. */
	t = json_object();
	for (int i = 0; i < 5000; i++) {
		char key[16];

		snprintf(key, sizeof(key), "k%d", i);
		json_object_set_new(t, key, json_integer(i));
	}
	t = flaws_bound_trace(t, 1000);
	got = json_string_value(json_object_get(t, "truncated"));
	ok(json_object_size(t) == 1 && got && strstr(got, "[trace of "),
	   "an object that cannot be cut keeps a note: %s", got ? got : "(none)");
	json_decref(t);
	t = flaws_bound_trace(json_pack("{s:s}", "a", "b"), 1000);
	is_str(json_string_value(json_object_get(t, "a")), "b", "a small trace is untouched");
	json_decref(t);
	free(sub);
}

static void test_bad_files(const char *dir)
{
	char *sub = xasprintf("%s/bad", dir), *fdir = xasprintf("%s/flaws", sub);
	char *path = xasprintf("%s/0123456789ab.json", fdir);
	char *tmp = xasprintf("%s/0123456789ab.json.tmp.99", fdir);
	struct flaw_store *s = NULL;
	struct err e = { "" };
	FILE *f;

	paths_mkdirs(fdir, 0755, &e);
	f = fopen(tmp, "w");
	fputs("{\"partial", f);
	fclose(f);
	ok(flaws_open(sub, &s, &e) == 0 && flaws_count(s) == 0,
	   "temporaries of an interrupted write are ignored");
	flaws_free(s);
	s = NULL;
	f = fopen(path, "w");
	fputs("{\"id\": \"0123456789ab\", \"count\": ", f);
	fclose(f);
	ok(flaws_open(sub, &s, &e) < 0 && strstr(e.msg, path) && s == NULL,
	   "a damaged flaw file is an error naming it: %s", e.msg);
	f = fopen(path, "w");
	fputs("{\"id\": \"ffffffffffff\"}", f);
	fclose(f);
	ok(flaws_open(sub, &s, &e) < 0 && strstr(e.msg, "not a flaw file"),
	   "a file that is not a flaw is an error: %s", e.msg);
	free(tmp);
	free(path);
	free(fdir);
	free(sub);
}

/* Cause-level signatures: a set of (type, role) in any order gives one
 * signature; one fault gives the signature of old. */
static void test_sets(void)
{
	struct flaws_fault ab[] = { { "vm-pause", "leader" }, { "process-kill", "member" } };
	struct flaws_fault ba[] = { { "process-kill", "member" }, { "vm-pause", "leader" } };
	struct flaws_fault other[] = { { "process-kill", "member" }, { "vm-pause", "member" } };
	struct flaws_fault one[] = { { "process-kill", "member" } };
	char *t1, *r1, *t2, *r2, *s1, *s2, *s3, *old;
	json_t *j;

	flaws_set_names(ab, 2, &t1, &r1);
	flaws_set_names(ba, 2, &t2, &r2);
	is_str(t1, "process-kill+vm-pause", "types sorted, joined by '+'");
	is_str(r1, "member+leader", "their roles in the same order");
	s1 = flaws_signature("command", t1, r1, "lost 3 writes");
	s2 = flaws_signature("command", t2, r2, "lost 5 writes");
	is_str(s1, s2, "the same set from another order: one signature");
	is_str(s1, "command|process-kill+vm-pause|member+leader|lost N writes", "the signature");
	free(t2);
	free(r2);
	flaws_set_names(other, 2, &t2, &r2);
	s3 = flaws_signature("command", t2, r2, "lost 3 writes");
	ok(strcmp(s1, s3), "another role: another signature (%s)", s3);
	free(s2);
	free(t2);
	free(r2);
	flaws_set_names(one, 1, &t2, &r2);
	s2 = flaws_signature("command", t2, r2, "lost 3 writes");
	old = flaws_signature("command", "process-kill", "member", "lost 3 writes");
	is_str(s2, old, "one fault: the signature as before");
	free(t2);
	free(r2);
	flaws_set_names(NULL, 0, &t2, &r2);
	ok(!strcmp(t2, "none") && !strcmp(r2, "-"), "no fault: none and -");
	j = flaws_set_json(ba, 2);
	ok(json_array_size(j) == 2 &&
	   !strcmp(json_string_value(json_array_get(j, 0)), "process-kill@member") &&
	   !strcmp(json_string_value(json_array_get(j, 1)), "vm-pause@leader"),
	   "as JSON: sorted type@role");
	json_decref(j);
	free(t1);
	free(r1);
	free(t2);
	free(r2);
	free(s1);
	free(s2);
	free(s3);
	free(old);
}

/* A flaw lists the distinct fault sets that led to it, keeps the latest
 * shrink and the replays; an older file without them takes them. */
static void test_fault_sets(const char *dir)
{
	char *sub = xasprintf("%s/sets", dir);
	const char *sig = "command|process-kill+vm-pause|member+leader|lost N writes";
	struct flaw_store *s = NULL;
	struct err e = { "" };
	json_t *x = json_pack("[s, s, s]", "netem@member", "process-kill@member",
			      "vm-pause@leader");
	json_t *y = json_pack("[s, s]", "process-kill@member", "vm-pause@leader");
	json_t *min = json_pack("{s:[{s:s}], s:i, s:i}", "faults", "type", "process-kill",
				"reproduced", 2, "tries", 3);
	json_t *doc, *sets, *rep;
	struct flaw_hit hit = { .signature = sig, .oracle = "command", .fault = "x",
				.role = "y", .class_ = "safety", .wall_ns = 1, .fault_set = x,
				.minimal = min };
	char *id = flaws_id(sig);

	ok(flaws_open(sub, &s, &e) == 0, "a store");
	hit.run = 4;
	ok(flaws_record(s, &hit, NULL, NULL, &e) == 0, "run 4: three faults, shrunk");
	hit.run = 9;
	hit.fault_set = y;
	hit.minimal = NULL;
	ok(flaws_record(s, &hit, NULL, NULL, &e) == 0, "run 9: two faults");
	hit.run = 12;
	hit.fault_set = x;
	ok(flaws_record(s, &hit, NULL, NULL, &e) == 0, "run 12: the first set again");
	rep = json_pack("{s:i, s:i, s:i}", "run", 9, "reproduced", 1, "times", 4);
	ok(flaws_note_replay(s, id, rep, &e) == 0, "a replay noted: %s", e.msg);
	ok(flaws_note_replay(s, "000000000000", rep, &e) < 0 && strstr(e.msg, "no flaw"),
	   "a replay of no flaw: %s", e.msg);
	flaws_free(s);
	doc = load_flaw(sub, sig);
	sets = json_object_get(doc, "fault_sets");
	is_int((long long)json_array_size(sets), 2, "two distinct sets");
	ok(json_equal(json_object_get(json_array_get(sets, 0), "faults"), x) &&
	   json_integer_value(json_object_get(json_array_get(sets, 0), "count")) == 2 &&
	   json_array_size(json_object_get(json_array_get(sets, 0), "runs")) == 2,
	   "the first: twice (runs 4 and 12)");
	ok(json_integer_value(json_object_get(json_object_get(doc, "minimal"), "reproduced")) == 2,
	   "the shrink is kept as minimal");
	ok(json_integer_value(json_object_get(json_array_get(json_object_get(doc, "replays"), 0),
	   "times")) == 4, "and the replay");
	is_int(json_integer_value(json_object_get(doc, "count")), 3, "count 3");
	json_decref(doc);
	/* an older flaw file: no fault_sets; it loads and takes one */
	{
		char *path = xasprintf("%s/flaws/%s.json", sub, id);
		FILE *f = fopen(path, "w");

		fprintf(f, "{\"id\": \"%s\", \"signature\": \"%s\", \"oracle\": \"command\", "
			"\"fault\": \"x\", \"role\": \"y\", \"class\": \"safety\", \"count\": 1, "
			"\"first_seen\": {\"run\": 2, \"time\": \"t\"}, \"last_seen\": {\"run\": 2, "
			"\"time\": \"t\"}, \"runs\": [2], \"examples\": []}\n", id, sig);
		fclose(f);
		free(path);
	}
	ok(flaws_open(sub, &s, &e) == 0, "an older flaw file loads");
	hit.run = 20;
	ok(flaws_record(s, &hit, NULL, NULL, &e) == 0, "and records a hit");
	flaws_free(s);
	doc = load_flaw(sub, sig);
	ok(json_array_size(json_object_get(doc, "fault_sets")) == 1 &&
	   json_integer_value(json_object_get(doc, "count")) == 2, "with its fault set");
	json_decref(doc);
	json_decref(rep);
	json_decref(x);
	json_decref(y);
	json_decref(min);
	free(id);
	free(sub);
}

int main(void)
{
	char tmpl[] = "/tmp/test_flaws.XXXXXX";
	char *dir = mkdtemp(tmpl);
	struct err e;

	if (!dir)
		return 1;
	test_normalise();
	test_signature_and_id();
	test_store(dir);
	test_runs_bound(dir);
	test_truncation(dir);
	test_bad_files(dir);
	test_sets();
	test_fault_sets(dir);
	paths_remove_tree(dir, &e);
	return tap_done();
}
