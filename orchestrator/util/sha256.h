/* sha256.h - SHA-256 of a buffer. */
#ifndef CAMPAIGN_SHA256_H
#define CAMPAIGN_SHA256_H

#include <stddef.h>
#include <stdint.h>

/* The digest of len bytes of data into out. */
void sha256(const unsigned char *data, size_t len, unsigned char out[32]);

#endif
