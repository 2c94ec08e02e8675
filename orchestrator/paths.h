/* paths.h - where the program keeps its state. */
#ifndef CAMPAIGN_PATHS_H
#define CAMPAIGN_PATHS_H

#include "err.h"

/* $CAMPAIGN_STATE_DIR, default /var/lib/campaign. New string. */
char *paths_state_dir(void);

/* The agent binary for guests: $CAMPAIGN_AGENT, else the one built next
 * to this program (<build>/agents/campaign-agent). New string. */
char *paths_local_agent(void);

/* mkdir -p with the given mode for each created directory. */
int paths_mkdirs(const char *path, int mode, struct err *e);

/* Write data to path atomically (temporary file, fsync, rename). */
int paths_write_atomic(const char *path, const char *data, struct err *e);

/* fsync a directory, so that a rename in it reaches the disk. */
int paths_fsync_dir(const char *dir, struct err *e);

/* Remove a directory tree (no symlinks followed). Missing is fine. */
int paths_remove_tree(const char *path, struct err *e);

#endif
