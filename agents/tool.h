/* tool.h - running the guest's tools (nft, tc) with captured output. */
#ifndef CAMPAIGN_AGENT_TOOL_H
#define CAMPAIGN_AGENT_TOOL_H

#include "agent.h"

/* Find an executable named name in $PATH, then /usr/sbin, /sbin,
 * /usr/bin, /bin (ssh sessions often lack the sbin directories). */
int tool_find(const char *name, char *ret_path, size_t size);

/* Run argv (argv[0] a tool name, NULL-terminated) with stdin_data (may
 * be NULL) on its standard input; stdout and stderr go to *ret_out (new
 * malloc'd string, at most 64 KiB kept, may be NULL when not wanted).
 * Returns the exit status, or -1 with e filled when the tool cannot run,
 * dies of a signal or outlives timeout_ms (it is then killed). */
int tool_run(const char *const argv[], const char *stdin_data, char **ret_out,
	     long timeout_ms, struct agent_err *e);

/* "a b c" for messages and evidence (new malloc'd string). */
char *tool_cmdline(const char *const argv[]);

#endif
