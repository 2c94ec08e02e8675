/* stopsig.h - SIGINT and SIGTERM for a long campaign: the first asks it
 * to finish the run under way and stop; the second stops at once (the
 * journal is consistent at any point: every record is one fsync'd write). */
#ifndef CAMPAIGN_STOPSIG_H
#define CAMPAIGN_STOPSIG_H

#include <signal.h>

/* Install the handlers; the flag (static, borrowed) turns 1 at the first
 * signal. The second exits with 128 + the signal's number. */
volatile sig_atomic_t *stopsig_install(void);

#endif
