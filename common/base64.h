/* base64.h - RFC 4648 base64, shared by the orchestrator and the agent.
 *
 * Both alphabets: the standard one (section 4) and the URL- and
 * filename-safe one (section 5). No allocation, no dependency beyond
 * libc: the agent links no orchestrator code, so this file stands alone.
 */
#ifndef CAMPAIGN_BASE64_H
#define CAMPAIGN_BASE64_H

#include <stddef.h>
#include <sys/types.h>

/* Flags. */
#define BASE64_URL	1	/* "-_" instead of "+/" (RFC 4648 section 5) */
#define BASE64_NOPAD	2	/* encode without '='; decode refuses '=' */

/* Bytes for the encoding of n bytes, with its NUL. */
#define BASE64_ENCODED_SIZE(n) (((n) + 2) / 3 * 4 + 1)
/* Bytes enough for the decoding of n characters. */
#define BASE64_DECODED_SIZE(n) ((n) / 4 * 3 + 2)

/* Encode len bytes of in into out (BASE64_ENCODED_SIZE(len) bytes),
 * NUL-terminated. Returns the length, without the NUL. */
size_t base64_encode(const void *in, size_t len, int flags, char *out);

/* Decode len characters of in into out (BASE64_DECODED_SIZE(len)
 * bytes). Strict: nothing outside the alphabet (no whitespace); without
 * BASE64_NOPAD the input is whole quanta of 4 with at most two '=' at
 * its end; a length of 4k+1 and non-zero trailing bits (a non-canonical
 * encoding) are refused. Returns the decoded length, or -1. */
ssize_t base64_decode(const char *in, size_t len, int flags, unsigned char *out);

#endif
