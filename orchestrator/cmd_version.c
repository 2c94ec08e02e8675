#include "commands.h"

#include <stdio.h>

int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("campaign %s\n", CAMPAIGN_VERSION);
	return EXIT_OK;
}
