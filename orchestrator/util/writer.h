/* writer.h - a file written on a thread of its own: the caller fills one
 * buffer while the thread writes the other, so that a copy of gigabytes
 * reads and writes at once (on two cores, the page cache's copy of the
 * written bytes is most of its time). */
#ifndef CAMPAIGN_WRITER_H
#define CAMPAIGN_WRITER_H

#include <stddef.h>

#include "err.h"

struct writer;

/* Start writing to fd (borrowed: the caller closes it after
 * writer_finish()) from where it stands; path names it in messages
 * (copied). The thread is handed chunk bytes at a time. Returns a new
 * writer (writer_finish() frees it); without a thread, one that writes
 * on the caller's. */
struct writer *writer_start(int fd, const char *path, size_t chunk);

/* Append len bytes: 0, or -1 with e filled if a write failed (then
 * nothing more is written). */
int writer_add(struct writer *w, const void *data, size_t len, struct err *e);

/* Write what is left, stop the thread and free w: 0 if everything added
 * was written, else -1 with e filled with the first failure (also when
 * writer_add() reported it already). */
int writer_finish(struct writer *w, struct err *e);

#endif
