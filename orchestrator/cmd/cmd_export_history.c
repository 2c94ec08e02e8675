/* cmd_export_history.c - `campaign export-history HISTORY --format jepsen
 * [--out FILE]`: write a history as the EDN that Knossos and Elle read. */
#include "buf.h"
#include "commands.h"
#include "history.h"
#include "log.h"
#include "paths.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct export_args {
	const char *format, *out;
};

static const struct option_spec export_options[] = {
	OPT_STRING(0, "format", struct export_args, format, "FORMAT",
		   "the output format; only 'jepsen' (EDN for Knossos and Elle)"),
	OPT_STRING(0, "out", struct export_args, out, "FILE",
		   "write to FILE (replaced atomically) instead of standard output"),
	OPT_END(),
};

static const struct options_cmd export_cmd = {
	"export-history", "export-history HISTORY --format jepsen [options]",
	export_options, 1, 1,
};

/* Write data to path through a temporary file renamed into place. */
static int write_file(const char *path, const struct buf *data)
{
	struct err e = { "" };

	if (paths_write_file_atomic(path, data->data, data->len, 1, &e) < 0) {
		log_error("%s", e.msg);
		return -1;
	}
	return 0;
}

static int cmd_export_history(int argc, char **argv)
{
	struct export_args a = { 0 };
	struct buf edn = BUF_INIT;
	struct history *h;
	struct err e;
	int status = EXIT_OK;

	if (command_options(&export_cmd, &argc, argv, &a, &status) < 0)
		return status;
	if (!a.format)
		return command_usage_error(&export_cmd, "needs '--format jepsen'");
	if (strcmp(a.format, "jepsen"))
		return command_usage_error(&export_cmd, "unknown format '%s': only "
					   "'jepsen' is supported", a.format);
	if (history_load(argv[0], &h, &e) < 0) {
		log_error("%s", e.msg);
		return EXIT_USAGE;
	}
	history_export_jepsen(h, &edn);
	if (a.out) {
		if (write_file(a.out, &edn) < 0)
			status = EXIT_INFRA;
	} else if (fwrite(edn.data, 1, edn.len, stdout) != edn.len || fflush(stdout) != 0) {
		log_error("cannot write to standard output: %s", strerror(errno));
		status = EXIT_INFRA;
	}
	buf_release(&edn);
	history_free(h);
	return status;
}

static const struct options_cmd *const export_forms[] = { &export_cmd, NULL };

const struct command command_export_history = {
	"export-history", cmd_export_history, "write a history in the format "
	"Jepsen's tools read", export_forms,
};
