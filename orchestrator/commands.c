#include "commands.h"

#include <stddef.h>

const struct command commands[] = {
	{ "run", cmd_run,
	  "run CONFIG [--out DIR] [--runs N] [--budget D] [--seed N] [--keep-testbed] [--junit FILE] [--baseline PREV_DIR]",
	  "run (or resume) a campaign: the main command" },
	{ "report", cmd_report, "report DIR [--baseline PREV_DIR] [--junit FILE]",
	  "make DIR/report/ (HTML), DIR/summary.json and DIR/junit.xml from the journal" },
	{ "serve", cmd_serve, "serve DIR [--port P] [--bind ADDR]",
	  "serve DIR's report and a live /status.json over HTTP (127.0.0.1:8080)" },
	{ "replay", cmd_replay, "replay DIR RUN",
	  "re-execute one recorded run and say whether its outcome reproduced" },
	{ "faults", cmd_faults, "faults [--json]",
	  "list the fault catalogue" },
	{ "validate", cmd_validate, "validate CONFIG",
	  "check a campaign config without side effects" },
	{ "image", cmd_image, "image build RECIPE_DIR [--force]",
	  "build a guest image from a recipe (cached by content)" },
	{ "testbed", cmd_testbed,
	  "testbed up|status|reset|down|ssh CONFIG [--json] [--nodes n1,n2]",
	  "manage the libvirt testbed of a campaign" },
	{ "check", cmd_check, "check CHECKER HISTORY [--json]",
	  "check an operation history (lost-writes, linearizable-register, availability)" },
	{ "export-history", cmd_export_history,
	  "export-history HISTORY --format jepsen [--out FILE]",
	  "write a history in the format Jepsen's tools read" },
	{ "version", cmd_version, "version", "print the version" },
	{ NULL, NULL, NULL, NULL },
};
