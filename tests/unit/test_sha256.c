/* SHA-256 against FIPS 180-4's examples and a fingerprint ssh-keygen made. */
#include <stdio.h>
#include <string.h>

#include "sha256.h"
#include "tap.h"

static void hex(const unsigned char d[32], char out[65])
{
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void vector(const char *in, size_t len, const char *want, const char *what)
{
	unsigned char d[32];
	char got[65];

	sha256((const unsigned char *)in, len, d);
	hex(d, got);
	is_str(got, want, what);
}

int main(void)
{
	static char million[1000000];

	vector("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	       "empty input");
	vector("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	       "FIPS 180-4: abc");
	vector("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
	       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
	       "FIPS 180-4: 448 bits (the padding spills into a second block)");
	memset(million, 'a', sizeof(million));
	vector(million, sizeof(million),
	       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
	       "FIPS 180-4: a million 'a'");
	vector(million, 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb",
	       "exactly one block");
	return tap_done();
}
