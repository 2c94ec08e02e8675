/* capture.c - popen, read everything, pclose. */
#include "capture.h"

#include <stdio.h>
#include <sys/wait.h>

int capture(const char *cmd, struct buf *out)
{
	char chunk[4096];
	FILE *p = popen(cmd, "r");
	size_t n;
	int status;

	buf_reset(out);
	if (!p)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		buf_add(out, chunk, n);
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
