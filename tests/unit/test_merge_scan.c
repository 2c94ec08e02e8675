/* test_merge_scan.c - the merge index's fast path (merge_scan.c) against
 * the full parse with the report's cursor (merge_parse_line()): on lines
 * whose members come in another order, whose "run" or "type" appear
 * inside strings or nested objects, with escapes, UTF-8, duplicates, the
 * forms it leaves to the full parse, and invalid lines; then on thousands
 * of mutations of real-looking lines, where it must never accept a line
 * the full parse refuses or read one differently. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "merge_priv.h"
#include "tap.h"

/* What the fast path should say of a line. */
enum want { FAST, SLOW, BAD };

struct example {
	const char *line;
	enum want want;
	enum mline_kind kind;	/* FAST and SLOW: what both read */
	long long run;
	int stop;
	const char *what;
};

static const struct example examples[] = {
	{ "{\"started\":\"2026-11-25T16:07:27.000Z\",\"probes\":{\"series\":[{\"probe\":"
	  "\"health\",\"samples\":[[1905,417,true],[2205,-237,false]]}],\"transitions\":[]},"
	  "\"type\":\"run\",\"run\":41,\"plan\":{\"run\":41,\"seed\":\"15\",\"faults\":[]},"
	  "\"flaw\":null,\"x\":0.25}", FAST, MLINE_RUN, 41, 0,
	  "a run record shaped like the engine's: type and run after the probes" },
	{ "{\"run\":7,\"type\":\"run\"}", FAST, MLINE_RUN, 7, 0, "run before type" },
	{ "{\"type\":\"infra\",\"error\":\"\\\"run\\\":99, \\\"type\\\":\\\"run\\\"\","
	  "\"run\":5}", FAST, MLINE_OTHER, 5, 0, "\"run\" and \"type\" inside a string" },
	{ "{\"type\":\"infra\",\"plan\":{\"run\":99,\"type\":\"run\"},\"run\":5}", FAST,
	  MLINE_OTHER, 5, 0, "\"run\" and \"type\" in a nested object" },
	{ "{\"type\":\"infra\",\"detail\":[\"run\",{\"run\":3}],\"note\":\"run\"}", FAST,
	  MLINE_OTHER, 0, 0, "no top-level run: 0" },
	{ "{\"a\":{\"\\\"run\\\"\":3,\"r\\u0075n\":5},\"type\":\"run\",\"run\":4}", FAST,
	  MLINE_RUN, 4, 0, "escaped keys in a nested object" },
	{ "{\"type\":\"campaign\",\"event\":\"stop\",\"runs_done\":3}", FAST, MLINE_CAMPAIGN,
	  0, 1, "a stop event" },
	{ "{\"event\":\"stop\",\"type\":\"campaign\"}", FAST, MLINE_CAMPAIGN, 0, 1,
	  "a stop event, event first" },
	{ "{\"type\":\"campaign\",\"event\":\"start\",\"note\":\"\\\"event\\\":\\\"stop\\\"\"}",
	  FAST, MLINE_CAMPAIGN, 0, 0, "\"stop\" inside a string is no stop" },
	{ "{\"type\":\"campaign\",\"event\":\"stop\",\"event\":\"resume\"}", FAST,
	  MLINE_CAMPAIGN, 0, 0, "the last of two events, as the cursor" },
	{ "{\"type\":\"campaign\",\"event\":\"stop\",\"event\":[\"stop\"]}", FAST,
	  MLINE_CAMPAIGN, 0, 0, "an event that is no string" },
	{ "{\"type\":\"run\",\"run\":3,\"run\":4}", FAST, MLINE_RUN, 4, 0,
	  "the last of two runs" },
	{ "{\"type\":\"run\",\"run\":3,\"type\":\"infra\"}", FAST, MLINE_OTHER, 3, 0,
	  "the last of two types" },
	{ "{\"type\":\"infra\",\"run\":2.5}", FAST, MLINE_OTHER, 0, 0, "a real run is none" },
	{ "{\"type\":\"infra\",\"run\":2,\"run\":{\"run\":2}}", FAST, MLINE_OTHER, 0, 0,
	  "a run that is an object is none" },
	{ "{\"type\":\"infra\",\"run\":-4}", FAST, MLINE_OTHER, 0, 0, "a negative run is none" },
	{ " \t{ \"type\" : \"run\" ,\r\"run\" : 8 , \"a\" : [ ] , \"b\" : { } } \t", FAST,
	  MLINE_RUN, 8, 0, "white space everywhere" },
	{ "{\"type\":\"run\",\"run\":1,\"r\":\"h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x98\x80\"}",
	  FAST, MLINE_RUN, 1, 0, "UTF-8 in a string" },
	{ "{\"type\":\"run\",\"run\":1,\"r\":\"a\\\"b\\\\c\\/\\b\\f\\n\\r\\t\\u00e9"
	  "\\ud83d\\ude00\"}", FAST, MLINE_RUN, 1, 0, "escapes in another string" },
	{ "{\"type\":\"run\",\"run\":999999999999999999,\"n\":[-0,0.5,-12.125,true,false,"
	  "null]}", FAST, MLINE_RUN, 999999999999999999LL, 0, "18 digits, every literal" },

	/* valid, left to the full parse */
	{ "{\"typ\\u0065\":\"run\",\"run\":3}", SLOW, MLINE_RUN, 3, 0,
	  "an escape in a top-level key" },
	{ "{\"\\\"run\\\"\":3,\"type\":\"run\",\"run\":4}", SLOW, MLINE_RUN, 4, 0,
	  "an escape in a top-level key that is none of them" },
	{ "{\"type\":\"r\\u0075n\",\"run\":3}", SLOW, MLINE_RUN, 3, 0, "an escape in type" },
	{ "{\"type\":\"campaign\",\"event\":\"st\\u006fp\"}", SLOW, MLINE_CAMPAIGN, 0, 1,
	  "an escape in event" },
	{ "{\"type\":\"run\",\"run\":3,\"x\":1e5}", SLOW, MLINE_RUN, 3, 0, "an exponent" },
	{ "{\"type\":\"run\",\"run\":3,\"x\":1234567890123456789}", SLOW, MLINE_RUN, 3, 0,
	  "19 digits" },

	/* refused by both */
	{ "{\"type\":\"run\",\"run\":0}", BAD, 0, 0, 0, "run 0" },
	{ "{\"type\":\"run\"}", BAD, 0, 0, 0, "a run record without run" },
	{ "{\"run\":3}", BAD, 0, 0, 0, "no type" },
	{ "[1,2]", BAD, 0, 0, 0, "not an object" },
	{ "{\"type\":\"run\",\"run\":3]", BAD, 0, 0, 0, "a bracket for a brace" },
	{ "{\"type\":\"run\",\"run\":3", BAD, 0, 0, 0, "torn" },
	{ "{\"type\":\"run\",\"run\":3}x", BAD, 0, 0, 0, "bytes after the object" },
	{ "{\"type\":\"run\",\"run\":3}{}", BAD, 0, 0, 0, "two objects" },
	{ "{\"type\":\"run\",\"run\":3,}", BAD, 0, 0, 0, "a trailing comma" },
	{ "{\"type\":\"run\",\"run\":03}", BAD, 0, 0, 0, "a leading zero" },
	{ "{\"type\":\"run\",\"run\":3,\"x\":-}", BAD, 0, 0, 0, "a lone minus" },
	{ "{\"type\":\"run\",\"run\":3,\"x\":1.}", BAD, 0, 0, 0, "no fraction digits" },
	{ "{\"type\":\"run\",\"run\":3,\"x\":tru}", BAD, 0, 0, 0, "a cut literal" },
	{ "{\"type\":\"run\",\"run\":3,\"x\":\"a\x01\"}", BAD, 0, 0, 0, "a control byte" },
	{ "{\"type\":\"run\",\"run\":3,\"x\":\"\\x\"}", BAD, 0, 0, 0, "an unknown escape" },
	{ "{\"type\":\"run\",\"run\":3,\"x\":\"\\u00g0\"}", BAD, 0, 0, 0, "a bad \\u" },
	{ "{\"type\":\"run\",\"run\":3,\"x\":\"\\u0000\"}", BAD, 0, 0, 0, "\\u0000" },
	{ "{\"type\":\"run\",\"run\":3,\"x\":\"\\ud83d\"}", BAD, 0, 0, 0, "a lone surrogate" },
	{ "{\"type\":\"run\",\"run\":3,\"x\":\"\xc3\"}", BAD, 0, 0, 0, "cut UTF-8" },
	{ "{\"type\":\"run\",\"run\":3,\"x\":\"\xed\xa0\x80\"}", BAD, 0, 0, 0,
	  "an encoded surrogate" },
	{ "{\"type\":\"run\",\"run\":3,\"x\":[1 2]}", BAD, 0, 0, 0, "no comma" },
	{ "{\"type\":\"run\",\"run\":3,\"x\":[1,]}", BAD, 0, 0, 0, "a comma before ]" },
	{ "{\"type\":\"run\",\"run\":3,\"x\":{1:2}}", BAD, 0, 0, 0, "a key that is no string" },
	{ "{\"type\":\"run\" \"run\":3}", BAD, 0, 0, 0, "no comma between members" },
	{ "{\"type\" \"run\"}", BAD, 0, 0, 0, "no colon" },
	{ "", BAD, 0, 0, 0, "empty" },
};

/* The full parse of a line: MLINE_OK and *ret, or what it refused. */
static int slow(const char *line, size_t len, struct mline *ret)
{
	struct mparser p = { BUF_INIT, BUF_INIT, BUF_INIT };
	const char *why = NULL;
	int r = merge_parse_line(&p, line, len, ret, &why);

	merge_parser_release(&p);
	return r;
}

static int same(const struct mline *a, const struct mline *b)
{
	return a->kind == b->kind && a->run == b->run && a->stop == b->stop;
}

static void test_examples(void)
{
	for (size_t i = 0; i < sizeof(examples) / sizeof(*examples); i++) {
		const struct example *x = &examples[i];
		struct mline want = { x->kind, x->run, x->stop }, fast = { 0 }, full = { 0 };
		size_t len = strlen(x->line);
		int f = merge_scan_line(x->line, len, &fast), s = slow(x->line, len, &full);

		is_int(f, x->want == FAST, x->what);
		if (x->want == BAD) {
			ok(s != MLINE_OK, "%s: refused by the full parse too", x->what);
			continue;
		}
		ok(s == MLINE_OK && same(&full, &want), "%s: the full parse reads it so",
		   x->what);
		if (f)
			ok(same(&fast, &want), "%s: the fast path reads kind %d run %lld stop %d",
			   x->what, fast.kind, fast.run, fast.stop);
	}
}

/* Nesting to depth n (the top object is 1): left to the full parse above
 * 64, and refused by both past the cursor's 2048. */
static void test_depth(void)
{
	static const int depths[] = { 64, 65, 2048, 2049 };

	for (size_t i = 0; i < sizeof(depths) / sizeof(*depths); i++) {
		int n = depths[i] - 1;
		struct buf b = BUF_INIT;
		struct mline f = { 0 }, s = { 0 };
		char what[64];

		buf_adds(&b, "{\"type\":\"run\",\"run\":3,\"x\":");
		for (int k = 0; k < n; k++)
			buf_addch(&b, '[');
		for (int k = 0; k < n; k++)
			buf_addch(&b, ']');
		buf_addch(&b, '}');
		snprintf(what, sizeof(what), "depth %d", depths[i]);
		is_int(merge_scan_line(b.data, b.len, &f), depths[i] <= 64, what);
		is_int(slow(b.data, b.len, &s), depths[i] <= 2048 ? MLINE_OK : MLINE_NOT_JSON,
		       what);
		buf_release(&b);
	}
}

/* Only the bytes of text[0..len) are read: a line in the middle of a
 * buffer, the next line right after it. */
static void test_bounds(void)
{
	const char *two = "{\"type\":\"run\",\"run\":12}{\"type\":\"run\",\"run\":3}";
	struct mline m = { 0 };

	is_int(merge_scan_line(two, 23, &m), 1, "a line followed by another");
	is_int(m.run, 12, "read to its end only");
	is_int(merge_scan_line(two, 22, &m), 0, "one byte short: torn");
	is_int(merge_scan_line("{\"type\":\"run\",\"run\":12", 21, &m), 0,
	       "a run number cut by the end");
}

static unsigned long long rng = 0x2545f4914f6cdd1dULL;

static unsigned next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng >> 11);
}

/* One random edit of line (len bytes) into out: a byte replaced, deleted
 * or inserted (from the bytes JSON cares about), or the line cut. */
static size_t mutate(const char *line, size_t len, char *out)
{
	static const char alphabet[] = "{}[]\":,\\ -+.0123456789eEtrufalsn\x01\x7f"
				       "\x80\xc3\xed\xf0\xff/bu";
	char c = alphabet[next() % (sizeof(alphabet) - 1)];
	size_t at = next() % (len + 1);

	memcpy(out, line, len);
	switch (next() % 4) {
	case 0:
		if (at < len)
			out[at] = c;
		return len;
	case 1:
		if (at < len)
			memmove(out + at, out + at + 1, len - at - 1);
		return at < len ? len - 1 : len;
	case 2:
		memmove(out + at + 1, out + at, len - at);
		out[at] = c;
		return len + 1;
	default:
		return at;
	}
}

static void test_mutations(void)
{
	char buf[1024], first[1024];
	long long tried = 0, fast = 0, wrong = 0, refused = 0;

	for (size_t i = 0; i < sizeof(examples) / sizeof(*examples); i++) {
		const char *line = examples[i].line;
		size_t len = strlen(line);

		if (len + 2 > sizeof(buf))
			continue;
		for (int k = 0; k < 3000; k++) {
			struct mline f = { 0 }, s = { 0 };
			size_t n = mutate(line, len, buf);
			int got;

			if (k % 3 == 2 && n + 2 < sizeof(first)) {	/* a second edit */
				memcpy(first, buf, n);
				n = mutate(first, n, buf);
			}
			tried++;
			got = merge_scan_line(buf, n, &f);
			if (!got)
				continue;
			fast++;
			if (slow(buf, n, &s) != MLINE_OK) {
				refused++;
				if (refused < 5)
					ok(0, "accepted by the fast path, refused by the full parse: "
					   "%.*s", (int)n, buf);
			} else if (!same(&f, &s)) {
				wrong++;
				if (wrong < 5)
					ok(0, "read differently: %.*s", (int)n, buf);
			}
		}
	}
	is_int(refused, 0, "no mutant accepted by the fast path is refused by the full parse");
	is_int(wrong, 0, "every mutant the fast path accepts is read as the full parse reads it");
	ok(fast > 5000 && fast < tried, "the fast path took %lld of %lld mutants: "
	   "the check is not vacuous", fast, tried);
}

int main(void)
{
	test_examples();
	test_depth();
	test_bounds();
	test_mutations();
	return tap_done();
}
