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
 * on the caller's.
 *
 * replaced (borrowed; -1: none) is a file the new one will replace, read
 * by no one that matters any more: as the new file grows, the cached
 * pages of the old one over the same length are dropped first, so that
 * the kernel gives the new file pages it has just freed. Fresh pages cost
 * far more on a VM whose free memory goes back to its host (writing 2.35
 * GB: 0.8 s of CPU with the old file's pages, 4 s without, on this
 * project's machine). The old file's content is not touched. */
struct writer *writer_start(int fd, const char *path, size_t chunk, int replaced);

/* Append len bytes: 0, or -1 with e filled if a write failed (then
 * nothing more is written). */
int writer_add(struct writer *w, const void *data, size_t len, struct err *e);

/* Write what is left, stop the thread and free w: 0 if everything added
 * was written, else -1 with e filled with the first failure (also when
 * writer_add() reported it already). */
int writer_finish(struct writer *w, struct err *e);

#endif
