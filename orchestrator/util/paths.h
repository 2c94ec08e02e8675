/* paths.h - where the program keeps its state. */
#ifndef CAMPAIGN_PATHS_H
#define CAMPAIGN_PATHS_H

#include <stddef.h>
#include <sys/stat.h>

#include "buf.h"
#include "err.h"

#include <stddef.h>

/* $CAMPAIGN_STATE_DIR, default /var/lib/campaign. New string. */
char *paths_state_dir(void);

/* Where the program's companions are, found from /proc/self/exe. Run
 * from a build tree (<build>/agents/campaign-agent exists), the programs
 * directory is <build> and the data directory the source tree. Installed
 * as PREFIX/bin/campaign, the programs directory is PREFIX/lib/campaign
 * (the agent, the SUT and workload clients, in the build tree's layout:
 * what a config's "{build}" names) and the data directory
 * PREFIX/share/campaign (scripts/image-build, the stock recipes under
 * workloads/, the example configs). New strings. */
char *paths_programs_dir(void);
char *paths_data_dir(void);

/* The agent binary for guests: $CAMPAIGN_AGENT, else
 * <programs>/agents/campaign-agent. New string. */
char *paths_local_agent(void);

/* mkdir -p with the given mode for each created directory. */
int paths_mkdirs(const char *path, int mode, struct err *e);

/* Write data to path atomically (temporary file, fsync, rename). */
int paths_write_atomic(const char *path, const char *data, struct err *e);

/* The one atomic writer: len bytes of data into path (mode 0644) through
 * a unique temporary file in the same directory renamed into place, with
 * an fsync first when sync is set. Nothing of a failed write is left. */
int paths_write_file_atomic(const char *path, const void *data, size_t len,
			    int sync, struct err *e);

/* fsync a directory, so that a rename in it reaches the disk. */
int paths_fsync_dir(const char *dir, struct err *e);

/* Open path read-only (O_CLOEXEC, and O_NONBLOCK so that a FIFO cannot
 * hang the open) and refuse anything but a regular file (a FIFO, a
 * device such as /dev/zero, a directory): a descriptor, or -1 with e
 * filled and errno kept (ENOENT: there is no such file; EINVAL: not a
 * regular file). ret_st (may be NULL) gets the file's fstat. */
int paths_open_regular(const char *path, struct stat *ret_st, struct err *e);

/* The whole regular file at path into out (reset first), refusing other
 * kinds of file as paths_open_regular() does (errno EINVAL) and files of
 * more than max_bytes (errno EFBIG); errno ENOENT when there is none.
 * what names the file in messages ("history"; NULL: none):
 *   cannot read history '/dev/zero': a character device, not a regular file
 *   history 'h.jsonl' is larger than 1073741824 bytes */
int paths_read_file(const char *path, const char *what, size_t max_bytes,
		    struct buf *out, struct err *e);

/* Remove a directory tree (no symlinks followed). Missing is fine. */
int paths_remove_tree(const char *path, struct err *e);

#endif
