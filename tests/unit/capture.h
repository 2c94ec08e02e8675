/* capture.h - run a shell command from a test and keep what it prints. */
#ifndef CAMPAIGN_TEST_CAPTURE_H
#define CAMPAIGN_TEST_CAPTURE_H

#include "buf.h"

/* Run cmd through /bin/sh; out (reset first) gets its stdout. Returns its
 * exit status, or -1 when it could not start or was killed. */
int capture(const char *cmd, struct buf *out);

#endif
