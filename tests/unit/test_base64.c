/* test_base64.c - common/base64.c: the test vectors of RFC 4648 section
 * 10, the URL-safe alphabet the agent's undo tokens use, and what a
 * strict decoder refuses. */
#include "base64.h"
#include "tap.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *plain, *encoded;
} rfc4648[] = {
	{ "", "" },
	{ "f", "Zg==" },
	{ "fo", "Zm8=" },
	{ "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" },
	{ "fooba", "Zm9vYmE=" },
	{ "foobar", "Zm9vYmFy" },
};

static int decodes_to(const char *in, int flags, const void *want, size_t want_len)
{
	unsigned char out[BASE64_DECODED_SIZE(64)];
	ssize_t n = base64_decode(in, strlen(in), flags, out);

	return n == (ssize_t)want_len && !memcmp(out, want, want_len);
}

static int refused(const char *in, int flags)
{
	unsigned char out[BASE64_DECODED_SIZE(64)];

	return base64_decode(in, strlen(in), flags, out) == -1;
}

static void test_vectors(void)
{
	for (size_t i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
		const char *p = rfc4648[i].plain, *want = rfc4648[i].encoded;
		char out[BASE64_ENCODED_SIZE(8)], nopad[BASE64_ENCODED_SIZE(8)];
		size_t n = base64_encode(p, strlen(p), 0, out);

		is_str(out, want, "RFC 4648 encode");
		is_int((long long)n, (long long)strlen(want), "its length");
		ok(decodes_to(want, 0, p, strlen(p)), "RFC 4648 decode of '%s'", want);
		base64_encode(p, strlen(p), BASE64_NOPAD, nopad);
		is_int((long long)strlen(nopad), (long long)strcspn(want, "="),
		       "unpadded: the same without '='");
		ok(decodes_to(nopad, BASE64_NOPAD, p, strlen(p)), "unpadded decode of '%s'",
		   nopad);
	}
}

static void test_url(void)
{
	static const unsigned char bytes[] = { 0xfb, 0xff, 0xbf };
	char out[BASE64_ENCODED_SIZE(sizeof(bytes))];

	base64_encode(bytes, sizeof(bytes), 0, out);
	is_str(out, "+/+/", "standard alphabet: + and /");
	base64_encode(bytes, sizeof(bytes), BASE64_URL, out);
	is_str(out, "-_-_", "URL-safe alphabet: - and _");
	base64_encode(bytes, 2, BASE64_URL | BASE64_NOPAD, out);
	is_str(out, "-_8", "URL-safe, unpadded");
	ok(decodes_to("-_-_", BASE64_URL, bytes, 3), "URL-safe decode");
	ok(refused("+/+/", BASE64_URL), "the standard alphabet refused in URL-safe");
	ok(refused("-_-_", 0), "the URL-safe alphabet refused in standard");
}

static void test_round_trip(void)
{
	unsigned char data[256], back[BASE64_DECODED_SIZE(BASE64_ENCODED_SIZE(256))];
	char enc[BASE64_ENCODED_SIZE(256)];
	int bad = 0;

	for (int i = 0; i < 256; i++)
		data[i] = (unsigned char)(i * 37 + 11);
	for (int flags = 0; flags < 4; flags++)
		for (size_t n = 0; n <= sizeof(data); n++) {
			size_t len = base64_encode(data, n, flags, enc);

			bad += base64_decode(enc, len, flags, back) != (ssize_t)n ||
			       memcmp(back, data, n);
		}
	is_int(bad, 0, "every length 0..256 round-trips in all four variants");
}

static void test_refused(void)
{
	ok(refused("Zg=", 0), "padded: not whole quanta");
	ok(refused("Zg", 0), "padded: missing padding");
	ok(refused("Z===", 0), "three '='");
	ok(refused("====", 0), "only padding");
	ok(refused("Zg==Zg==", 0), "padding inside");
	ok(refused("Zm9v=", 0), "padding after a whole quantum");
	ok(refused("Zh==", 0), "non-zero trailing bits (not canonical)");
	ok(refused("Zm9=", 0), "non-zero trailing bits, one '='");
	ok(refused("Zg==", BASE64_NOPAD), "unpadded refuses '='");
	ok(refused("Z", BASE64_NOPAD), "a length of 4k+1");
	ok(refused("Zm9vY", BASE64_NOPAD), "a length of 4k+1, longer");
	ok(refused("Zm 9v", BASE64_NOPAD), "whitespace");
	ok(refused("Zm9v\n", BASE64_NOPAD), "a newline");
	{
		unsigned char out[8];

		ok(base64_decode("Zm\0v", 4, BASE64_NOPAD, out) == -1, "an embedded NUL");
		ok(base64_decode("Zm\xc3\xa9", 4, BASE64_NOPAD, out) == -1, "non-ASCII bytes");
	}
}

int main(void)
{
	test_vectors();
	test_url();
	test_round_trip();
	test_refused();
	return tap_done();
}
