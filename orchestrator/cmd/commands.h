/* commands.h - the subcommands of `campaign`, one file each (cmd_*.c).
 *
 * A command is one file cmd_NAME.c defining `const struct command
 * command_NAME` (its name, function, summary and option tables) plus one
 * line in commands.c. Its options go through options.h, so that one
 * table parses its argv and prints its --help.
 *
 * A command returns the process exit status (DESIGN.md): 0 success,
 * 1 flaws found, 2 usage or config error, 3 infrastructure failure;
 * command_exit_codes says what each means to a user (campaign(1)).
 */
#ifndef CAMPAIGN_COMMANDS_H
#define CAMPAIGN_COMMANDS_H

#include "options.h"

enum exit_code {
	EXIT_OK = 0,
	EXIT_FLAWS = 1,
	EXIT_USAGE = 2,
	EXIT_INFRA = 3,
};

/* An exit status and what it means; the table ends with meaning NULL. */
struct exit_code_doc {
	enum exit_code code;
	const char *meaning;
};

extern const struct exit_code_doc command_exit_codes[];

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);	/* argv[0] is the command name */
	const char *help;	/* one line for `campaign --help` */
	/* What `campaign NAME --help` shows, NULL-terminated: one form, or
	 * one per subcommand ("image build", "image show"). */
	const struct options_cmd *const *forms;
};

/* The command table, terminated by NULL. */
extern const struct command *const commands[];

/* `campaign [-v|-q] COMMAND [ARGS]`: the options before the command. */
extern const struct options_cmd commands_top;

/* The command called name, or NULL. */
const struct command *command_find(const char *name);

/* `campaign [-v|-q] COMMAND [ARGS]`: the whole program (main.c). */
int commands_main(int argc, char **argv);

/* `campaign --help`: the top-level options and the command list. */
void commands_usage(struct buf *out);

/* Parse a command's argv through its table (options_parse). Returns 0
 * to go on, with *argc the number of positional arguments now in
 * argv[0..*argc-1]; or -1 with *ret_status to return at once: EXIT_OK
 * after --help (printed on stdout), EXIT_USAGE after the error and the
 * usage (printed on stderr). */
int command_options(const struct options_cmd *cmd, int *argc, char **argv,
		    void *args, int *ret_status);

/* Log "CMD: <message>" and cmd's usage lines; returns EXIT_USAGE. */
int command_usage_error(const struct options_cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Print the --help of every form on stdout; returns EXIT_OK, or
 * EXIT_INFRA when stdout cannot be written. */
int command_print_help(const struct options_cmd *const *forms);

/* Write data to path (replaced atomically) or, with path NULL, to
 * stdout. Returns EXIT_OK, or EXIT_INFRA after logging why not. */
int command_write_output(const char *path, const struct buf *data);

/* The option "--out FILE" of a command that prints one document: the
 * path for command_write_output(), in field f (const char *) of st. */
#define OPT_OUTPUT(st, f) \
	OPT_STRING(0, "out", st, f, "FILE", \
		   "write to FILE (replaced atomically) instead of standard output")

/* A document a command generates, named by its one argument ("1"). */
struct command_document {
	const char *name;
	void (*make)(struct buf *out);
};

/* The options of such a command: --out FILE. */
extern const struct option_spec command_document_options[];

/* `campaign CMD NAME [--out FILE]` with cmd's options
 * command_document_options: make the document of docs (ends with name
 * NULL) called NAME and write it. Returns the exit status. */
int command_document(const struct options_cmd *cmd, int argc, char **argv,
		     const struct command_document *docs);

#endif
