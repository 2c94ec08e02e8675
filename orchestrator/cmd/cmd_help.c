/* cmd_help.c - `campaign help [COMMAND]`: the command list, or what
 * `campaign COMMAND --help` says. */
#include "commands.h"

#include <stdio.h>

static const struct option_spec help_options[] = {
	OPT_END(),
};

static const struct options_cmd help_cmd = {
	"help", "help [COMMAND]", help_options, 0, 1,
};

static int cmd_help(int argc, char **argv)
{
	const struct command *c;
	struct buf out = BUF_INIT;
	int status;

	if (command_options(&help_cmd, &argc, argv, NULL, &status) < 0)
		return status;
	if (argc == 1) {
		if (!(c = command_find(argv[0])))
			return command_usage_error(&help_cmd, "unknown command '%s'",
						   argv[0]);
		return command_print_help(c->forms);
	}
	commands_usage(&out);
	fputs(out.data, stdout);
	buf_release(&out);
	return fflush(stdout) ? EXIT_INFRA : EXIT_OK;
}

static const struct options_cmd *const help_forms[] = { &help_cmd, NULL };

const struct command command_help = {
	"help", cmd_help, "list the commands, or describe one", help_forms,
};
