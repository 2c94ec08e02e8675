/* cmd_export_history.c - `campaign export-history HISTORY --format jepsen
 * [--out FILE]`: write a history as the EDN that Knossos and Elle read. */
#include "buf.h"
#include "commands.h"
#include "history.h"
#include "log.h"

#include <stdio.h>
#include <string.h>

struct export_args {
	const char *format, *out;
};

static const struct option_spec export_options[] = {
	OPT_STRING(0, "format", struct export_args, format, "FORMAT",
		   "the output format; only 'jepsen' (EDN for Knossos and Elle)"),
	OPT_OUTPUT(struct export_args, out),
	OPT_END(),
};

static const struct options_cmd export_cmd = {
	"export-history", "export-history HISTORY --format jepsen [options]",
	export_options, 1, 1,
};

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
	status = command_write_output(a.out, &edn);
	buf_release(&edn);
	history_free(h);
	return status;
}

static const struct options_cmd *const export_forms[] = { &export_cmd, NULL };

const struct command command_export_history = {
	"export-history", cmd_export_history, "write a history in the format "
	"Jepsen's tools read", export_forms,
};
