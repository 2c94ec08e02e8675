/* cmd_validate.c - `campaign validate CONFIG`: check a config, no side
 * effects (relayd -n: "configuration OK"). */
#include "commands.h"
#include "config.h"
#include "load.h"
#include "log.h"

#include <stdio.h>

int cmd_validate(int argc, char **argv)
{
	struct config *c = NULL;
	struct err e;

	if (argc != 2 || argv[1][0] == '-') {
		log_error("usage: campaign validate CONFIG");
		return EXIT_USAGE;
	}
	if (load_campaign_config(argv[1], &c, &e) < 0) {
		log_error("%s", e.msg);
		return EXIT_USAGE;
	}
	config_free(c);
	printf("configuration OK\n");
	return EXIT_OK;
}
