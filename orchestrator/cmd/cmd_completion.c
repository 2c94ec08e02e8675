/* cmd_completion.c - `campaign completion bash`: the bash completion of
 * campaign, generated from the command and option tables
 * (completion.h). The build writes it to <build>/completion/campaign. */
#include "commands.h"
#include "completion.h"

static const struct options_cmd completion_cmd = {
	"completion", "completion bash [options]", command_document_options, 1, 1,
};

static const struct command_document shells[] = {
	{ "bash", completion_bash },
	{ NULL, NULL }
};

static int cmd_completion(int argc, char **argv)
{
	return command_document(&completion_cmd, argc, argv, shells);
}

static const struct options_cmd *const completion_forms[] = { &completion_cmd, NULL };

const struct command command_completion = {
	"completion", cmd_completion, "print the bash completion of campaign "
	"(source it, or install it as bash-completion/completions/campaign)",
	completion_forms,
};
