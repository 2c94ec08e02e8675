/* proc.h - run a local program with a deadline, capturing its output. */
#ifndef CAMPAIGN_PROC_H
#define CAMPAIGN_PROC_H

#include "buf.h"
#include "err.h"

/* Run argv[0] (searched in PATH) with stdin from /dev/null. stdout goes
 * to out (may be NULL: discarded), stderr is captured and its last
 * line quoted in the error. Fails when the program cannot start, is
 * killed at timeout_ms, or exits non-zero. */
int proc_run(char *const argv[], struct buf *out, int timeout_ms,
	      struct err *e);

/* Like proc_run, but a non-zero exit is not a failure: returns the exit
 * status (128+N for signal N), or -1 when the program could not run or
 * was killed at timeout_ms. ret_tail (tail_size bytes; NULL: not wanted)
 * gets the last line of its stderr, cut to fit ("" when none), also when
 * it was killed at timeout_ms. */
int proc_run_status(char *const argv[], struct buf *out, char *ret_tail,
		    size_t tail_size, int timeout_ms, struct err *e);

#endif
