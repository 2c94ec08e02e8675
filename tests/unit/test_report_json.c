/* The report's tree-less JSON reader against jansson, and its journal
 * walk against journal_foreach(). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "journal.h"
#include "report_journal.h"
#include "report_json.h"
#include "tap.h"
#include "test_report_fixture.h"

/* 1 if the cursor accepts text as one JSON value. */
static int rj_valid(const char *text, size_t len)
{
	struct rj c;

	rj_init(&c, text, len);
	return rj_skip(&c) == 0 && rj_end(&c) == 0;
}

static int jansson_valid(const char *text, size_t len)
{
	json_error_t e;
	json_t *v = json_loadb(text, len, JSON_DECODE_ANY, &e);

	json_decref(v);
	return v != NULL;
}

static void agree(const char *text, const char *what)
{
	int a = rj_valid(text, strlen(text)), b = jansson_valid(text, strlen(text));

	ok(a == b, "%s: cursor %s, jansson %s: %s", what, a ? "accepts" : "refuses",
	   b ? "accepts" : "refuses", text);
}

static void test_grammar(void)
{
	static const char *const cases[] = {
		"{}", "[]", "{\"a\":1}", "[1,2,3]", "{\"a\":[true,false,null]}",
		"0", "-0", "1.5", "-1.5e10", "1E+2", "1e-2", "123456789012345678",
		"9223372036854775807", "-9223372036854775808", "9223372036854775808",
		"99999999999999999999", "1e400", "-1e400", "1.0e-400", "12345678901234567890.5",
		"01", "1.", ".5", "-", "+1", "1e", "1e+", "0x10", "NaN", "Infinity",
		"\"abc\"", "\"a\\\"b\"", "\"\\u00e9\"", "\"\\ud83d\\ude00\"", "\"\\ud83d\"",
		"\"\\ude00\"", "\"\\u0000\"", "\"\\x41\"", "\"\\u12G4\"", "\"tab\there\"",
		"\"\xc3\xa9\"", "\"\xc3\"", "\"\xc0\x80\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"",
		"\"\xe2\x82\xac\"", "\"\xf0\x9f\x98\x80\"", "\"\xff\"",
		"{\"a\" 1}", "{\"a\":1,}", "[1,]", "[,1]", "{,}", "{1:2}", "[1 2]",
		"{\"a\":1}}", "[[[]]]", "[[[]]", " { \"a\" : [ 1 , { } ] } ", "tru", "nul",
		"true false", "{\"a\":1} x", "", "   ", "\"unterminated",
		"{\"dup\":1,\"dup\":2}",
		/* arrays of rows, which rj_skip() passes over in one loop */
		"[[1900,123,true],[2200,98,false]]", "[[]]", "[[],[]]", "[[-0,true,false,null]]",
		"[[1,2],[3,01]]", "[[1,-],[2]]", "[[1,2],]", "[[1,2]", "[[1e5,2]]", "[[1.5]]",
		"[[123456789012345678]]", "[[1234567890123456789]]", "[[12345678901234567890]]",
		"[[9223372036854775808]]", "[[1,2] ,[3]]", "[[1,2],[3,4]]x", "[[tru]]",
		"[[truex]]", "[[1,\"a\"]]", "[[1],[[2]]]", "[[1],2]", "[[ 1]]", "[[1,]]",
		"[[,1]]", "[[nul]]", "[[-]]", "[[0x1]]",
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		agree(cases[i], "grammar");
}

static void test_depth(void)
{
	struct buf b = BUF_INIT;

	for (int depth = 2047; depth <= 2049; depth++) {
		buf_reset(&b);
		for (int i = 0; i < depth; i++)
			buf_addch(&b, '[');
		for (int i = 0; i < depth; i++)
			buf_addch(&b, ']');
		ok(rj_valid(b.data, b.len) == jansson_valid(b.data, b.len),
		   "depth %d: same answer as jansson (%s)", depth,
		   rj_valid(b.data, b.len) ? "accepted" : "refused");
	}
	buf_release(&b);
}

/* Random damage to a real record: both readers agree on every variant. */
static void test_mutations(void)
{
	static const char seed[] =
		"{\"started\":\"2026-11-25T16:07:27.055Z\",\"outcome\":\"recovered\",\"oracles\":"
		"[{\"oracle\":\"probe-recovers\",\"verdict\":\"pass\",\"class\":\"recovery\","
		"\"reason\":\"\\u00e9\\n\"}],\"duration_ms\":9007,\"faults\":[{\"type\":"
		"\"process-kill\",\"node\":\"n2\",\"start_ms\":2909,\"end_ms\":4549,\"evidence\":"
		"{\"signal\":{\"name\":\"TERM\",\"number\":15},\"verified\":true}}],\"phases\":"
		"{\"reset_ms\":1276},\"resets\":[{\"node\":\"n1\",\"ready_ms\":788}],\"probes\":"
		"{\"series\":[{\"samples\":[[1912,453,true],[2365,-1.5e3,false]]}]},\"type\":"
		"\"run\",\"run\":1,\"plan\":{\"seed\":\"15\",\"x\":null}}";
	static const char alphabet[] = "{}[]\",:\\0123456789.eE+-tfnu \x80\xc3\xa9\x01";
	char text[sizeof(seed) + 8];
	uint64_t r = 88172645463325252ULL;
	int disagree = 0, valid = 0, n = 20000;

	for (int i = 0; i < n; i++) {
		size_t len = sizeof(seed) - 1, at;
		int edits = 1 + (int)(r % 3);

		memcpy(text, seed, len);
		for (int k = 0; k < edits; k++) {
			r ^= r << 13, r ^= r >> 7, r ^= r << 17;
			at = (size_t)(r >> 8) % len;
			switch (r % 3) {
			case 0:	/* replace */
				text[at] = alphabet[(r >> 32) % (sizeof(alphabet) - 1)];
				break;
			case 1:	/* delete */
				memmove(text + at, text + at + 1, len - at - 1);
				len--;
				break;
			default:	/* insert */
				if (len + 1 < sizeof(text)) {
					memmove(text + at + 1, text + at, len - at);
					text[at] = alphabet[(r >> 32) % (sizeof(alphabet) - 1)];
					len++;
				}
			}
		}
		if (rj_valid(text, len) != jansson_valid(text, len)) {
			if (!disagree++)
				ok(0, "first disagreement (cursor %d): %.*s", rj_valid(text, len),
				   (int)len, text);
		}
		valid += jansson_valid(text, len);
	}
	ok(!disagree, "%d damaged variants of a record: cursor and jansson agree on all "
	   "(%d still valid), %d disagreements", n, valid, disagree);
}

static void test_strings(void)
{
	struct buf out = BUF_INIT;
	struct rj c;
	long long v = 0;
	int is_int = 0;
	double d = 0;
	const char *s = "\"a\\\"b\\\\c\\/d\\n\\t\\u00e9\\ud83d\\ude00\xe2\x82\xac\"";

	rj_init(&c, s, strlen(s));
	ok(rj_string(&c, &out) == 0, "escapes decode");
	is_str(out.data, "a\"b\\c/d\n\t\xc3\xa9\xf0\x9f\x98\x80\xe2\x82\xac",
	       "escapes, surrogate pair and raw UTF-8 decode to UTF-8");
	rj_init(&c, "-9223372036854775808", 20);
	ok(rj_number(&c, &d, &v, &is_int) == 0 && is_int && v == (-9223372036854775807LL - 1),
	   "the smallest long long");
	rj_init(&c, "2.5e1", 5);
	ok(rj_number(&c, &d, &v, &is_int) == 0 && !is_int && d == 25.0, "a real");
	rj_init(&c, "\"x\"", 3);
	ok(rj_int(&c, &v) == 0 && rj_end(&c) == 0, "rj_int skips a string");
	buf_release(&out);
}

static void test_parse_record(void)
{
	static const char line[] =
		"{\"started\":\"2026-11-25T16:07:27.055Z\",\"outcome\":\"flaw\",\"class\":\"recovery\","
		"\"oracles\":[{\"oracle\":\"probe-recovers\",\"verdict\":\"fail\"},{\"oracle\":"
		"\"always\",\"verdict\":\"pass\"},{\"oracle\":\"x\",\"verdict\":\"unknown\"}],"
		"\"faults\":[{\"type\":\"process-kill\",\"node\":\"n2\",\"start_ms\":2909,"
		"\"end_ms\":4549,\"evidence\":{\"type\":\"nested, ignored\"}},{\"type\":\"netem\","
		"\"node\":\"n3\"}],\"phases\":{\"ready_ms\":5,\"reset_ms\":1276},\"resets\":"
		"[{\"node\":\"n1\",\"ready_ms\":788},{\"node\":\"n2\",\"ready_ms\":1276}],"
		"\"duration_ms\":9007,\"plan\":{\"run\":99,\"faults\":[{\"type\":\"no\"}]},"
		"\"type\":\"run\",\"run\":3,\"flaw\":\"4171f739e27c\",\"failed_oracle\":"
		"\"probe-recovers\",\"ended\":\"2026-11-25T16:07:36.063Z\"}";
	static const char infra[] = "{\"type\":\"infra\",\"action\":\"quarantine\","
				    "\"error\":\"e\"}";
	struct rrec r;

	rrec_init(&r);
	ok(report_journal_parse(line, strlen(line), &r) == 0, "a run record parses");
	ok(r.type == RREC_RUN && r.run == 3, "type run, run 3 (not plan.run)");
	is_str(r.outcome.data, "flaw", "outcome");
	is_str(r.class_.data, "recovery", "class");
	is_str(r.flaw.data, "4171f739e27c", "flaw id");
	is_str(r.failed_oracle.data, "probe-recovers", "failed oracle");
	is_str(r.started.data, "2026-11-25T16:07:27.055Z", "started");
	is_int(r.duration_ms, 9007, "duration");
	is_int(r.reset_ms, 1276, "phases.reset_ms");
	ok(r.n_ready == 2 && r.ready_ms[0] == 788 && r.ready_ms[1] == 1276, "resets ready_ms");
	ok(r.n_faults == 2 && !strcmp(r.faults[0].type.data, "process-kill") &&
	   !strcmp(r.faults[0].node.data, "n2") && r.faults[0].start_ms == 2909 &&
	   r.faults[0].end_ms == 4549 && !strcmp(r.faults[1].type.data, "netem") &&
	   r.faults[1].start_ms == -1, "faults, not plan.faults");
	ok(r.n_oracles == 3 && r.oracles[0].verdict == RV_FAIL &&
	   r.oracles[1].verdict == RV_PASS && r.oracles[2].verdict == RV_UNKNOWN &&
	   !strcmp(r.oracles[1].name.data, "always"), "oracle verdicts");
	ok(report_journal_parse("[1]", 3, &r) < 0, "an array is not a record");
	ok(report_journal_parse("{\"a\":1", 6, &r) < 0, "a torn object is not a record");
	ok(report_journal_parse(infra, strlen(infra), &r) == 0 && r.type == RREC_INFRA &&
	   !strcmp(r.action.data, "quarantine") && r.n_faults == 0 && r.run == -1,
	   "an infra record; the last record's members are cleared");
	rrec_release(&r);
}

static int count_cb(const struct rrec *r, void *ctx, struct err *e)
{
	(void)e;
	if (r->type == RREC_RUN)
		(*(long long *)ctx)++;
	return 0;
}

static int count_json(json_t *rec, long long line, void *ctx, struct err *e)
{
	(void)rec;
	(void)line;
	(void)e;
	(*(long long *)ctx)++;
	return 0;
}

static void write_text(const char *path, const char *text, const char *mode)
{
	FILE *f = fopen(path, mode);

	fputs(text, f);
	fclose(f);
}

static void test_walk(void)
{
	char *dir = fx_tmpdir(), *path = xasprintf("%s/journal.jsonl", dir);
	struct rwalk_pos pos = { 0, 0, 0 };
	struct err e = { "" }, je = { "" };
	long long n = 0, m = 0;

	ok(report_journal_walk(dir, &pos, count_cb, &n, &e) == 0 && n == 0,
	   "a missing journal has no records");
	write_text(path, "{\"type\":\"run\",\"run\":1}\n{\"type\":\"run\",\"run\":2}\n"
		   "{\"type\":\"ru", "w");
	ok(report_journal_walk(dir, &pos, count_cb, &n, &e) == 0 && n == 2,
	   "two records; the torn tail is skipped");
	is_int(pos.offset, 46, "the walk stops before the torn tail");
	is_int(pos.lines, 2, "after two lines");
	write_text(path, "n\",\"run\":3}\n{\"type\":\"run\",\"run\":4}\n", "a");
	ok(report_journal_walk(dir, &pos, count_cb, &n, &e) == 0 && n == 4,
	   "the tail, once complete, is read from where the walk stopped");
	ok(!report_journal_changed(dir, &pos), "an appended journal has not changed");
	write_text(path, "{\"type\":\"run\",\"run\":1}\n", "w");
	ok(report_journal_changed(dir, &pos), "a journal cut shorter has changed");

	write_text(path, "{\"type\":\"run\",\"run\":1}\nnot json\n{\"type\":\"run\",\"run\":3}\n",
		   "w");
	n = 0;
	ok(report_journal_walk(dir, NULL, count_cb, &n, &e) < 0, "a damaged line fails");
	ok(journal_foreach(dir, count_json, &m, &je) < 0, "journal_foreach fails too");
	is_str(e.msg, je.msg, "with journal_foreach()'s message");
	write_text(path, "{\"type\":\"run\",\"run\":1}\nnot json\n", "w");
	n = m = 0;
	ok(report_journal_walk(dir, NULL, count_cb, &n, &e) == 0 && n == 1 &&
	   journal_foreach(dir, count_json, &m, &je) == 0 && m == 1,
	   "a bad last line is a torn tail for both");
	free(path);
	fx_rmdir(dir);
}

int main(void)
{
	test_grammar();
	test_depth();
	test_mutations();
	test_strings();
	test_parse_record();
	test_walk();
	return tap_done();
}
