/* cmd_validate.c - `campaign validate CONFIG`: check a config, no side
 * effects (relayd -n: "configuration OK"). */
#include "commands.h"
#include "config.h"
#include "load.h"
#include "log.h"

#include <stdio.h>

static const struct option_spec validate_options[] = {
	OPT_END(),
};

static const struct options_cmd validate_cmd = {
	"validate", "validate CONFIG", validate_options, 1, 1,
};

static int cmd_validate(int argc, char **argv)
{
	struct config *c = NULL;
	struct err e;
	int status;

	if (command_options(&validate_cmd, &argc, argv, NULL, &status) < 0)
		return status;
	if (load_campaign_config(argv[0], &c, &e) < 0) {
		log_error("%s", e.msg);
		return EXIT_USAGE;
	}
	config_free(c);
	printf("configuration OK\n");
	return EXIT_OK;
}

static const struct options_cmd *const validate_forms[] = { &validate_cmd, NULL };

const struct command command_validate = {
	"validate", cmd_validate, "check a campaign config without side effects "
	"(as run would check it)", validate_forms,
};
