/* cmd_man.c - `campaign man 1|5`: the manual page campaign(1) or
 * campaign.json(5) in groff's man macros, generated from the command,
 * option and config tables (man.h). The build writes both to
 * <build>/man/ (`man -l build/man/campaign.1`). */
#include "commands.h"
#include "man.h"

static const struct options_cmd man_cmd = {
	"man", "man 1|5 [options]", command_document_options, 1, 1,
};

static const struct command_document pages[] = {
	{ "1", man_campaign },
	{ "5", man_config },
	{ NULL, NULL }
};

static int cmd_man(int argc, char **argv)
{
	return command_document(&man_cmd, argc, argv, pages);
}

static const struct options_cmd *const man_forms[] = { &man_cmd, NULL };

const struct command command_man = {
	"man", cmd_man, "print the manual page campaign(1) or campaign.json(5), "
	"in roff", man_forms,
};
