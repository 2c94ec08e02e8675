/* test_utf8.c - orchestrator/util/utf8.c: the boundaries of each length, and
 * every ill-formed kind RFC 3629 names: overlong forms, surrogates, code
 * points above U+10FFFF, stray and missing continuation bytes. */
#include "tap.h"
#include "utf8.h"

#include <string.h>

/* Decodes s (len bytes) to cp with length n (0: refused). */
static int decodes(const char *s, size_t len, size_t n, unsigned cp)
{
	unsigned got = 0xdeadbeef;
	size_t r = utf8_decode((const unsigned char *)s, len, &got);

	return r == n && (n ? got == cp : got == 0xdeadbeef);
}

#define VALID(s, cp, what) ok(decodes(s, sizeof(s) - 1, sizeof(s) - 1, cp), "valid: %s", what)
#define BAD(s, what) ok(decodes(s, sizeof(s) - 1, 0, 0), "refused: %s", what)

static void test_valid(void)
{
	static const unsigned bounds[] = { 0x0, 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xe000,
					   0xfffd, 0xffff, 0x10000, 0x10ffff };

	VALID("A", 'A', "ASCII");
	VALID("\xc3\xa9", 0xe9, "U+00E9, two bytes");
	VALID("\xe2\x82\xac", 0x20ac, "U+20AC, three bytes");
	VALID("\xf0\x9f\x98\x80", 0x1f600, "U+1F600, four bytes");
	VALID("\xf4\x8f\xbf\xbf", 0x10ffff, "U+10FFFF, the last");
	VALID("\xed\x9f\xbf", 0xd7ff, "U+D7FF, just below the surrogates");
	VALID("\xee\x80\x80", 0xe000, "U+E000, just above them");
	ok(decodes("\0", 1, 1, 0), "valid: NUL is one byte");
	ok(decodes("\xc3\xa9xyz", 5, 2, 0xe9), "only the first sequence is decoded");
	for (size_t i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++) {
		char seq[UTF8_MAX];
		size_t n = utf8_encode(bounds[i], seq);
		unsigned back = 0;

		ok(n == (bounds[i] < 0x80 ? 1 : bounds[i] < 0x800 ? 2 : bounds[i] < 0x10000 ? 3 : 4) &&
		   utf8_decode((const unsigned char *)seq, n, &back) == n && back == bounds[i],
		   "U+%04X round-trips in %zu bytes", bounds[i], n);
	}
	{
		char seq[UTF8_MAX];

		is_int((long long)utf8_encode(0x110000, seq), 0, "no encoding above U+10FFFF");
		ok(utf8_encode(0xd800, seq) == 3 && !memcmp(seq, "\xed\xa0\x80", 3),
		   "a surrogate is encoded as given");
	}
}

static void test_ill_formed(void)
{
	BAD("\xc0\x80", "overlong NUL (C0 80)");
	BAD("\xc1\xbf", "overlong U+007F (C1 BF)");
	BAD("\xe0\x80\x80", "overlong three-byte NUL");
	BAD("\xe0\x9f\xbf", "overlong U+07FF in three bytes");
	BAD("\xf0\x80\x80\x80", "overlong four-byte NUL");
	BAD("\xf0\x8f\xbf\xbf", "overlong U+FFFF in four bytes");
	BAD("\xed\xa0\x80", "surrogate U+D800");
	BAD("\xed\xbf\xbf", "surrogate U+DFFF");
	BAD("\xed\xa0\xbd\xed\xb8\x80", "a surrogate pair (CESU-8)");
	BAD("\xf4\x90\x80\x80", "U+110000, above the range");
	BAD("\xf5\x80\x80\x80", "lead byte F5");
	BAD("\xff", "byte FF");
	BAD("\xfe", "byte FE");
	BAD("\x80", "a stray continuation byte");
	BAD("\xbf", "another stray continuation byte");
	BAD("\xc3", "truncated: a lead byte alone");
	BAD("\xe2\x82", "truncated three-byte sequence");
	BAD("\xf0\x9f\x98", "truncated four-byte sequence");
	BAD("\xe2\x41\x82", "a continuation replaced by ASCII");
	BAD("\xc3\xc3", "a lead byte where a continuation should be");
	ok(decodes("\xe2\x82\xac", 2, 0, 0), "truncated by len, not by the text");
	ok(decodes("\xc3\xa9", 0, 0, 0), "nothing to decode");
}

int main(void)
{
	test_valid();
	test_ill_formed();
	return tap_done();
}
