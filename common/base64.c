/* base64.c - RFC 4648 base64 in both alphabets. */
#include "base64.h"

#include <stdint.h>
#include <string.h>

static const char std_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static const char *alphabet(int flags)
{
	return flags & BASE64_URL ? url_alphabet : std_alphabet;
}

size_t base64_encode(const void *in, size_t len, int flags, char *out)
{
	const unsigned char *p = in;
	const char *a = alphabet(flags);
	size_t i, o = 0;

	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];

		out[o++] = a[v >> 18];
		out[o++] = a[v >> 12 & 63];
		out[o++] = a[v >> 6 & 63];
		out[o++] = a[v & 63];
	}
	if (i < len) {	/* one or two bytes left */
		uint32_t v = (uint32_t)p[i] << 16 |
			     (i + 1 < len ? (uint32_t)p[i + 1] << 8 : 0);

		out[o++] = a[v >> 18];
		out[o++] = a[v >> 12 & 63];
		if (i + 1 < len)
			out[o++] = a[v >> 6 & 63];
		else if (!(flags & BASE64_NOPAD))
			out[o++] = '=';
		if (!(flags & BASE64_NOPAD))
			out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}

ssize_t base64_decode(const char *in, size_t len, int flags, unsigned char *out)
{
	const char *a = alphabet(flags);
	size_t n = len, o = 0;
	uint32_t acc = 0;
	int bits = 0;

	if (!(flags & BASE64_NOPAD)) {
		if (len % 4)
			return -1;
		for (int pad = 0; pad < 2 && n && in[n - 1] == '='; pad++)
			n--;
	}
	if (n % 4 == 1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		/* 64, not 65: the alphabet's NUL is no digit */
		const char *c = memchr(a, in[i], 64);

		if (!c)
			return -1;
		acc = acc << 6 | (uint32_t)(c - a);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	if (acc)	/* non-zero trailing bits: not the canonical encoding */
		return -1;
	return (ssize_t)o;
}
