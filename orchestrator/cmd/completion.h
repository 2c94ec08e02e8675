/* completion.h - the bash completion of `campaign`, generated from the
 * command table and each command's option tables, so that it cannot
 * drift from what the program parses. It completes the commands (and
 * the subcommands of image), each command's options, an option's value
 * by its name in the table (FILE: a file, DIR: a directory), and the
 * positional arguments by their names in the usage lines (CONFIG: a
 * .json file or a directory; HISTORY: a file; OUT and ...DIR: a
 * directory; COMMAND: a command; "up|status|reset|down": those words).
 * Plain bash: it needs nothing of the bash-completion package.
 */
#ifndef CAMPAIGN_COMPLETION_H
#define CAMPAIGN_COMPLETION_H

#include "buf.h"

/* Append the script to out; it defines _campaign and registers it for
 * `campaign` (complete -F). */
void completion_bash(struct buf *out);

#endif
