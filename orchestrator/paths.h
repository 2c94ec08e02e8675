/* paths.h - where the program keeps its state. */
#ifndef CAMPAIGN_PATHS_H
#define CAMPAIGN_PATHS_H

#include "buf.h"
#include "err.h"

#include <stddef.h>

/* $CAMPAIGN_STATE_DIR, default /var/lib/campaign. New string. */
char *paths_state_dir(void);

/* The agent binary for guests: $CAMPAIGN_AGENT, else the one built next
 * to this program (<build>/agents/campaign-agent). New string. */
char *paths_local_agent(void);

/* mkdir -p with the given mode for each created directory. */
int paths_mkdirs(const char *path, int mode, struct err *e);

/* Write data to path atomically (temporary file, fsync, rename). */
int paths_write_atomic(const char *path, const char *data, struct err *e);

/* Append the contents of the regular file at path to out. Refuses, without
 * reading, anything else (a FIFO, a device, a directory) and a file larger
 * than max_bytes; what names the file in messages ("history"; NULL: none):
 *   cannot read history '/dev/zero': a character device, not a regular file
 *   history 'h.jsonl' is larger than 1073741824 bytes
 * On failure out may hold part of the file. */
int paths_read_file(const char *path, const char *what, size_t max_bytes,
		    struct buf *out, struct err *e);

/* fsync a directory, so that a rename in it reaches the disk. */
int paths_fsync_dir(const char *dir, struct err *e);

/* Remove a directory tree (no symlinks followed). Missing is fine. */
int paths_remove_tree(const char *path, struct err *e);

#endif
