/* cmd_version.c - `campaign version`. */
#include "commands.h"

#include <stdio.h>

static const struct option_spec version_options[] = {
	OPT_END(),
};

static const struct options_cmd version_cmd = {
	"version", "version", version_options, 0, 0,
};

static int cmd_version(int argc, char **argv)
{
	int status;

	if (command_options(&version_cmd, &argc, argv, NULL, &status) < 0)
		return status;
	printf("campaign %s\n", CAMPAIGN_VERSION);
	return EXIT_OK;
}

static const struct options_cmd *const version_forms[] = { &version_cmd, NULL };

const struct command command_version = {
	"version", cmd_version, "print the version", version_forms,
};
